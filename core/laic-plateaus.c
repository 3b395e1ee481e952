/* LAIC: the plateaus of a level, the flat regions whose gain the program
 * forces to be constant (found once per level, then kept constant by a
 * projection in every iteration; laic.c has the notation).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "laic.h"
#include "laic-private.h"

#include <stdlib.h>
#include <string.h>

/* Plateau projection: the prox of "g constant on each plateau" in the
 * metric of the primal steps is the 1/τ-weighted mean of the unconstrained
 * updates (left in gbar by pass_primal); the box is the same for every
 * pixel of a plateau (same V), so the mean stays inside it. The plateau's
 * pixels are read and written run by run, in pixel order. */
static void
project_plateaus (Level *lv, gint k0, gint k1, gfloat *scratch, gpointer data)
{
  (void) scratch;
  (void) data;
  for (gint k = k0; k < k1; k++)
    {
      gdouble sg = 0.0;
      gfloat  mean, gnew;

      for (gint r = lv->rstart[k]; r < lv->rstart[k + 1]; r++)
        {
          const gfloat *restrict gb = lv->gbar + lv->runs[2 * r];
          const gdouble          wr = lv->rweight[r];
          const gint32           len = lv->runs[2 * r + 1];

          for (gint32 j = 0; j < len; j++)
            sg += wr * gb[j];
        }
      mean = (gfloat) (sg / lv->pweight[k]);
      /* g is constant on a plateau (pass_primal leaves it, this sets it). */
      gnew = 2.0f * mean - lv->g[lv->runs[2 * lv->rstart[k]]];
      for (gint r = lv->rstart[k]; r < lv->rstart[k + 1]; r++)
        {
          gfloat      *restrict gb = lv->gbar + lv->runs[2 * r];
          gfloat      *restrict g = lv->g + lv->runs[2 * r];
          const gint32 len = lv->runs[2 * r + 1];

          for (gint32 j = 0; j < len; j++)
            {
              gb[j] = gnew;
              g[j] = mean;
            }
        }
    }
}

/* Plateaus [@k0, @k1) set to their mean in data (a gfloat *). */
static void
mean_plateaus (Level *lv, gint k0, gint k1, gfloat *scratch, gpointer data)
{
  gfloat *g = data;

  (void) scratch;
  for (gint k = k0; k < k1; k++)
    {
      gdouble sg = 0.0;
      gfloat  mean;

      for (gint r = lv->rstart[k]; r < lv->rstart[k + 1]; r++)
        for (gint32 j = lv->runs[2 * r]; j < lv->runs[2 * r] + lv->runs[2 * r + 1]; j++)
          sg += g[j];
      mean = (gfloat) (sg / (lv->start[k + 1] - lv->start[k]));
      for (gint r = lv->rstart[k]; r < lv->rstart[k + 1]; r++)
        for (gint32 j = lv->runs[2 * r]; j < lv->runs[2 * r] + lv->runs[2 * r + 1]; j++)
          g[j] = mean;
    }
}

/* The first plateau whose first member is at or after member @m. */
static gint
plateau_from (const Level *lv, gint m)
{
  gint lo = 0, hi = lv->n_comp;

  while (lo < hi)
    {
      gint mid = lo + (hi - lo) / 2;
      if (lv->start[mid] < m)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

typedef struct
{
  LaicRowFunc func;
  gpointer    data;
} ByMembers;

/* Members [@m0, @m1): the plateaus that begin there, so that the bands of
 * evenlight_laic_run_rows() hold about as many members each (plateaus
 * range from nine pixels to a fifth of the image). */
static void
plateaus_by_members (Level *lv, gint m0, gint m1, gfloat *scratch, gpointer data)
{
  const ByMembers *bm = data;

  bm->func (lv, plateau_from (lv, m0), plateau_from (lv, m1), scratch, bm->data);
}

void
evenlight_laic_run_plateaus (LaicRowFunc func, Level *lv, gint n_threads, gpointer data)
{
  ByMembers bm = { func, data };

  evenlight_laic_run_rows (plateaus_by_members, lv, lv->start[lv->n_comp], n_threads, &bm);
}

void
evenlight_laic_level_project_plateaus (Level *lv, gint n_threads)
{
  evenlight_laic_run_plateaus (project_plateaus, lv, n_threads, NULL);
}

static gint32
uf_find (gint32 *parent, gint32 i)
{
  while (parent[i] != i)
    {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
  return i;
}

/* Is pixel (x, y) flat: its whole 3 × 3 clamp-to-edge neighbourhood has its
 * level? */
static inline gboolean
pixel_flat (const Level *lv, gint x, gint y)
{
  const gint w = lv->w, h = lv->h;
  const gfloat c = lv->v[(gsize) y * w + x];

  for (gint dy = -1; dy <= 1; dy++)
    {
      const gfloat *row = lv->v + (gsize) CLAMP (y + dy, 0, h - 1) * w;
      if (row[MAX (x - 1, 0)] != c || row[x] != c || row[MIN (x + 1, w - 1)] != c)
        return FALSE;
    }
  return TRUE;
}

/* The work of evenlight_laic_level_find_plateaus() split into bands of
 * rows, band b being rows [h · b / n_bands, h · (b + 1) / n_bands). */
typedef struct
{
  Level   *lv;
  gint     n_bands;
  GArray **band_runs;   /* the runs (y, a, b) of each band              */
  gint32  *row_first;   /* h + 1 offsets into runs                      */
  gint32  *runs;        /* all runs, 3 gint32 each, in row order        */
  gint32  *set;         /* the set number of each run                   */
  gint32  *counts;      /* n_bands × n_comp: runs of set k in band b    */
  gint32  *members;     /* n_bands × n_comp: pixels of set k in band b  */
} Find;

static inline gint
band_row (const Find *f, gint b)
{
  return laic_band_start (f->lv->h, b, f->n_bands);
}

/* Runs of flat pixels of a band's rows: (y, a, b); row_first[y] holds the
 * row's count until the bands are joined. */
static void
find_runs (gpointer data, gint band, gint worker)
{
  Find       *f = data;
  const Level *lv = f->lv;
  GArray     *runs = g_array_new (FALSE, FALSE, sizeof (gint32) * 3);

  (void) worker;
  for (gint y = band_row (f, band); y < band_row (f, band + 1); y++)
    {
      guint before = runs->len;
      for (gint x = 0; x < lv->w && (gsize) lv->w * lv->h > 1; x++)
        if (pixel_flat (lv, x, y))
          {
            gint32 run[3] = { y, x, x };
            while (run[2] + 1 < lv->w && pixel_flat (lv, run[2] + 1, y))
              run[2]++;
            g_array_append_val (runs, run);
            x = run[2];
          }
      f->row_first[y] = (gint32) (runs->len - before);
    }
  f->band_runs[band] = runs;
}

/* Does a plateau run end before pixel @x of a row @w wide? A row's first
 * and last pixels are runs of their own (their step τ differs). */
static inline gboolean
run_breaks_before (gint x, gint w)
{
  return x == 1 || x == w - 1;
}

/* A band's rows of comp: each pixel covered by a run's rectangle takes the
 * run's set (runs of the row and of the rows above and below); then the
 * pixels and the plateau runs of each set in the band are counted. */
static void
paint_sets (gpointer data, gint band, gint worker)
{
  Find       *f = data;
  Level      *lv = f->lv;
  const gint  w = lv->w, h = lv->h;
  gint32     *count = f->counts + (gsize) band * lv->n_comp;
  gint32     *members = f->members + (gsize) band * lv->n_comp;

  (void) worker;
  for (gint y = band_row (f, band); y < band_row (f, band + 1); y++)
    {
      gint32 *comp = lv->comp + (gsize) y * w;

      for (gint x = 0; x < w; x++)
        comp[x] = -1;
      for (gint ry = MAX (y - 1, 0); ry <= MIN (y + 1, h - 1); ry++)
        for (gint32 r = f->row_first[ry]; r < f->row_first[ry + 1]; r++)
          {
            const gint32 *run = f->runs + 3 * (gsize) r;
            for (gint x = MAX (run[1] - 1, 0); x <= MIN (run[2] + 1, w - 1); x++)
              comp[x] = f->set[r];
          }
      for (gint x = 0; x < w; x++)
        if (comp[x] >= 0)
          {
            members[comp[x]]++;
            if (x == 0 || comp[x - 1] != comp[x] || run_breaks_before (x, w))
              count[comp[x]]++;
          }
    }
}

/* A band's plateau runs, in pixel order, from the band's offset in each
 * set (counts, turned into offsets). */
static void
fill_runs (gpointer data, gint band, gint worker)
{
  Find       *f = data;
  Level      *lv = f->lv;
  const gint  w = lv->w;
  gint32     *at = f->counts + (gsize) band * lv->n_comp;

  (void) worker;
  for (gint y = band_row (f, band); y < band_row (f, band + 1); y++)
    {
      const gint32 *comp = lv->comp + (gsize) y * w;

      for (gint x = 0; x < w; x++)
        if (comp[x] >= 0)
          {
            gint32 *run = lv->runs + 2 * (gsize) at[comp[x]]++;
            gint    x1 = x + 1;

            while (x1 < w && comp[x1] == comp[x] && !run_breaks_before (x1, w))
              x1++;
            run[0] = (gint32) ((gsize) y * w + x);
            run[1] = x1 - x;
            x = x1 - 1;
          }
    }
}

static gint
compare_first (gconstpointer a, gconstpointer b)
{
  const gint64 *x = a, *y = b;

  return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Plateaus: a pixel whose whole 3 × 3 neighbourhood has its own level has
 * sign 0 and must equal its neighbourhood mean, i.e. its gain must be the
 * mean of the nine gains. Joining each such pixel with its eight
 * neighbours, and keeping the gain constant on every set so formed,
 * satisfies all those equality rows exactly, whatever the iterate; the
 * converged solution has that form anyway (a gain that is both a local mean
 * and of least total variation is constant), but a first-order method would
 * need thousands of iterations to spread it across a wide flat region of a
 * dark capture.
 *
 * The sets are found on runs of flat pixels rather than on pixels: a run of
 * row y over columns [a, b] joins the rectangle of rows y − 1 … y + 1 and
 * columns a − 1 … b + 1 (clamped) into one set, and two runs are in one set
 * when their rectangles share a pixel, which only runs of the same row or
 * of the two rows above can do for an earlier run. Sets are numbered in the
 * order of their first pixel (the first top-left corner of their runs'
 * rectangles), their pixels listed as plateau runs (Level) in pixel order.
 * The runs of flat pixels, the pixels' sets and the plateau runs are found
 * in bands of rows on all threads; joining the runs of flat pixels is
 * serial (there are few). */
void
evenlight_laic_level_find_plateaus (Level *lv, gint n_threads)
{
  const gint  w = lv->w, h = lv->h;
  Find        f = { lv, evenlight_laic_bands (lv, h, n_threads), NULL, NULL, NULL, NULL, NULL, NULL };
  gint32     *parent, n_runs = 0;
  gint64     *first;

  /* Runs, by band, then joined in row order. */
  f.band_runs = g_new0 (GArray *, f.n_bands);
  f.row_first = g_new (gint32, h + 1);
  evenlight_parallel_run (f.n_bands, f.n_bands, find_runs, &f);
  for (gint y = 0; y < h; y++)
    {
      gint32 c = f.row_first[y];
      f.row_first[y] = n_runs;
      n_runs += c;
    }
  f.row_first[h] = n_runs;
  f.runs = g_new (gint32, 3 * (gsize) MAX (1, n_runs));
  for (gint b = 0, at = 0; b < f.n_bands; b++)
    {
      if (f.band_runs[b]->len > 0)   /* data is NULL for an empty band */
        memcpy (f.runs + 3 * (gsize) at, f.band_runs[b]->data,
                sizeof (gint32) * 3 * f.band_runs[b]->len);
      at += (gint) f.band_runs[b]->len;
      g_array_free (f.band_runs[b], TRUE);
    }
  g_free (f.band_runs);

  parent = g_new (gint32, MAX (1, n_runs));
  for (gint32 r = 0; r < n_runs; r++)
    parent[r] = r;
  for (gint y = 0; y < h; y++)
    {
      /* For each of rows y − 2 … y, the first run that can still reach the
       * current one (runs are sorted and disjoint: one sweep per row). */
      gint32 first_run[3];
      for (gint d = 0; d < 3; d++)
        first_run[d] = f.row_first[MAX (y - d, 0)];
      for (gint32 r = f.row_first[y]; r < f.row_first[y + 1]; r++)
        {
          const gint32 *run = f.runs + 3 * (gsize) r;
          for (gint d = 0; d <= MIN (y, 2); d++)
            {
              gint32 end = d == 0 ? r : f.row_first[y - d + 1];
              while (first_run[d] < end && f.runs[3 * (gsize) first_run[d] + 2] + 2 < run[1])
                first_run[d]++;
              /* Columns a − 1 … b + 1 of both overlap. */
              for (gint32 q = first_run[d]; q < end && f.runs[3 * (gsize) q + 1] - 2 <= run[2]; q++)
                {
                  gint32 ra = uf_find (parent, r), rb = uf_find (parent, q);
                  if (ra != rb)
                    parent[MAX (ra, rb)] = MIN (ra, rb);
                }
            }
        }
    }

  /* Number the sets in the order of their first pixel: (first pixel, root)
   * of each root, sorted. */
  first = g_new (gint64, 2 * (gsize) MAX (1, n_runs));
  for (gint32 r = 0; r < n_runs; r++)
    first[2 * r] = G_MAXINT64;
  for (gint32 r = 0; r < n_runs; r++)
    {
      const gint32 *run = f.runs + 3 * (gsize) r;
      gint32        root = uf_find (parent, r);
      gint64        corner = (gint64) MAX (run[0] - 1, 0) * w + MAX (run[1] - 1, 0);
      first[2 * root] = MIN (first[2 * root], corner);
    }
  lv->n_comp = 0;
  for (gint32 r = 0; r < n_runs; r++)
    if (parent[r] == r)
      {
        first[2 * lv->n_comp] = first[2 * r];
        first[2 * lv->n_comp++ + 1] = r;
      }
  qsort (first, lv->n_comp, 2 * sizeof (gint64), compare_first);
  /* parent[] of a root becomes its set's number; f.set that of each run. */
  for (gint k = 0; k < lv->n_comp; k++)
    parent[first[2 * k + 1]] = -1 - k;
  f.set = g_new (gint32, MAX (1, n_runs));
  for (gint32 r = 0; r < n_runs; r++)
    {
      gint32 root = r;
      while (parent[root] >= 0 && parent[root] != root)
        root = parent[root];
      f.set[r] = -1 - parent[root];
    }

  /* The pixels' sets and the plateau runs, by band. */
  f.counts = g_new0 (gint32, (gsize) f.n_bands * MAX (1, lv->n_comp));
  f.members = g_new0 (gint32, (gsize) f.n_bands * MAX (1, lv->n_comp));
  evenlight_parallel_run (f.n_bands, f.n_bands, paint_sets, &f);
  lv->start = g_new0 (gint32, lv->n_comp + 1);
  lv->rstart = g_new0 (gint32, lv->n_comp + 1);
  for (gint k = 0; k < lv->n_comp; k++)
    {
      gint32 at = lv->rstart[k], m = 0;
      for (gint b = 0; b < f.n_bands; b++)
        {
          gint32 c = f.counts[(gsize) b * lv->n_comp + k];
          f.counts[(gsize) b * lv->n_comp + k] = at;
          at += c;
          m += f.members[(gsize) b * lv->n_comp + k];
        }
      lv->rstart[k + 1] = at;
      lv->start[k + 1] = lv->start[k] + m;
    }
  lv->runs = g_new (gint32, 2 * (gsize) MAX (1, lv->rstart[lv->n_comp]));
  evenlight_parallel_run (f.n_bands, f.n_bands, fill_runs, &f);

  g_free (f.counts);
  g_free (f.members);
  g_free (f.set);
  g_free (first);
  g_free (parent);
  g_free (f.row_first);
  g_free (f.runs);
}

void
evenlight_laic_level_plateau_mean (Level *lv, gfloat *g, gint n_threads)
{
  evenlight_laic_run_plateaus (mean_plateaus, lv, n_threads, g);
}
