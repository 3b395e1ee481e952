/* LAIC: the exact feasibility step (laic.c explains it): cyclic
 * projections onto the violated rows, flattening for what they leave, and
 * the blend toward the flat gain.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "laic.h"
#include "laic-private.h"

#include <math.h>
#include <string.h>

/* Row i of r: r(g)(i) = Σ_k vals[k] g(cols[k]) (≤ 9 distinct pixels). */
static gint
row_coeffs (const Level *lv, gint x, gint y, gint *cols, gfloat *vals)
{
  gint   len = 1;
  gsize  i = (gsize) y * lv->w + x;

  if (x > 0 && y > 0 && x < lv->w - 1 && y < lv->h - 1)
    {
      /* Inside the image: nine distinct pixels, no clamping (the hot case
       * of the repairs). */
      gint k = 0;
      for (gint dy = -1; dy <= 1; dy++)
        for (gint dx = -1; dx <= 1; dx++)
          {
            gint j = (gint) i + dy * lv->w + dx;
            cols[k] = j;
            vals[k++] = -lv->v[j] * (1.0f / 9.0f);
          }
      vals[4] += lv->v[i];
      return 9;
    }
  cols[0] = (gint) i;
  vals[0] = lv->v[i];
  for (gint dy = -1; dy <= 1; dy++)
    for (gint dx = -1; dx <= 1; dx++)
      {
        gint j = CLAMP (y + dy, 0, lv->h - 1) * lv->w + CLAMP (x + dx, 0, lv->w - 1);
        gint k;
        for (k = 0; k < len && cols[k] != j; k++)
          ;
        if (k == len)
          {
            cols[len] = j;
            vals[len++] = 0.0f;
          }
        vals[k] -= lv->v[j] * (1.0f / 9.0f);
      }
  return len;
}

/* The queue is a ring of n entries; a row is in it at most once. */
static inline void
queue_push (gint *queue, guint8 *queued, gsize n, gsize head, gsize *count, gint j)
{
  if (!queued[j])
    {
      gsize at = head + *count;

      queued[j] = 1;
      queue[at >= n ? at - n : at] = j;
      (*count)++;
    }
}

/* Queues the rows whose neighbourhood contains pixel @j. */
static inline void
queue_around (const Level *lv, gint *queue, guint8 *queued, gsize head, gsize *count, gint j)
{
  const gsize n = (gsize) lv->w * lv->h;
  gint        x = j % lv->w, y = j / lv->w;

  if (x > 0 && y > 0 && x < lv->w - 1 && y < lv->h - 1)
    {
      for (gint dy = -1; dy <= 1; dy++)
        for (gint dx = -1; dx <= 1; dx++)
          queue_push (queue, queued, n, head, count, j + dy * lv->w + dx);
      return;
    }
  for (gint dy = -1; dy <= 1; dy++)
    for (gint dx = -1; dx <= 1; dx++)
      queue_push (queue, queued, n, head, count,
                  CLAMP (y + dy, 0, lv->h - 1) * lv->w + CLAMP (x + dx, 0, lv->w - 1));
}

static inline gint32
root_of (gint32 *parent, gint32 i)
{
  while (parent[i] != i)
    {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
  return i;
}

/* Is row i violated by more than @tol? */
static inline gboolean
row_violated (const Level *lv, const gfloat *r, gsize i, gdouble tol)
{
  return lv->s[i] == 0 ? fabs (r[i]) > tol : lv->s[i] * r[i] < -tol;
}

typedef struct
{
  const Level *lv;
  const gfloat *r;
  gdouble      tol;
  gint         n_bands;
  guint8      *queued;
  GArray     **found;   /* the violated rows of each band */
} Scan;

static void
scan_band (gpointer data, gint band, gint worker)
{
  Scan  *sc = data;
  gsize  i0 = (gsize) laic_band_start (sc->lv->h, band, sc->n_bands) * sc->lv->w;
  gsize  i1 = (gsize) laic_band_start (sc->lv->h, band + 1, sc->n_bands) * sc->lv->w;
  GArray *found = g_array_new (FALSE, FALSE, sizeof (gint));

  (void) worker;
  memset (sc->queued + i0, 0, i1 - i0);
  for (gsize i = i0; i < i1; i++)
    if (row_violated (sc->lv, sc->r, i, sc->tol))
      {
        gint j = (gint) i;
        g_array_append_val (found, j);
        sc->queued[i] = 1;
      }
  sc->found[band] = found;
}

/* Zeroes @queued (n entries) and queues the rows violated by more than
 * @tol in pixel order, on @n_threads threads; returns their count. */
static gsize
queue_violated (const Level *lv, const gfloat *r, gdouble tol, gint *queue, guint8 *queued,
                gint n_threads)
{
  Scan  sc = { lv, r, tol, evenlight_laic_bands (lv, lv->h, n_threads), queued, NULL };
  gsize count = 0;

  sc.found = g_new (GArray *, sc.n_bands);
  evenlight_parallel_run (sc.n_bands, sc.n_bands, scan_band, &sc);
  for (gint b = 0; b < sc.n_bands; b++)
    {
      if (sc.found[b]->len > 0)   /* data is NULL for an empty band */
        memcpy (queue + count, sc.found[b]->data, sizeof (gint) * sc.found[b]->len);
      count += sc.found[b]->len;
      g_array_free (sc.found[b], TRUE);
    }
  g_free (sc.found);
  return count;
}

/* Plateaus up to this size move as one variable in the projections; larger
 * ones (wide flat areas) stay put: moving one re-checks all its rows. */
#define PROJECT_MAX_PLATEAU 256

/* Local repair, first stage: cyclic projections (Kaczmarz). A violated row
 * i moves the gains of its (at most nine) pixels by the least change that
 * brings s(i) r(i) just inside its bound (r(i) to 0 for a sign-0 row),
 * within the box, leaving plateau pixels alone (their equality rows hold
 * by construction); the rows around the pixels moved are checked again.
 * The changes are as small and as local as the violations, so the gain
 * stays as smooth as the primal–dual iterate. This replaces most of the
 * flattening that follows: flattening merges regions of constant gain and
 * lowers a merged region to the smallest upper bound in it, which on a
 * noisy photograph cascades into wide regions stepped down to about the
 * flat gain (a step of 25 % along a ragged border on tests/data/sample.jpg
 * darkened to 1/30). The number of projections is capped; what is left
 * goes to the flattening and the blend, which are exact. The projections
 * are serial (the first scan is split by rows), hence independent of the
 * number of threads. */
static void
level_repair_project (Level *lv, const gfloat *r, gdouble tol, gint *queue, guint8 *queued,
                      gint n_threads)
{
  const gsize n = (gsize) lv->w * lv->h;
  gsize       head = 0, count, pops = 0, budget, moved = 0;

  count = queue_violated (lv, r, tol, queue, queued, n_threads);
  budget = 200 * count + 1000;
  while (count > 0 && pops < budget)
    {
      gint    i = queue[head], x = i % lv->w, y = i / lv->w;
      gint    cols[9], len, nvar;
      gint    var_pix[9], var_comp[9], var_size[9];
      gfloat  vals[9];
      gdouble var_a[9];
      gdouble ri = 0.0, sgn = lv->s[i] != 0 ? lv->s[i] : 1.0, need;
      gboolean changed = FALSE;

      head = head + 1 == n ? 0 : head + 1;
      count--;
      queued[i] = 0;
      pops++;
      len = row_coeffs (lv, x, y, cols, vals);
      for (gint k = 0; k < len; k++)
        ri += vals[k] * (gdouble) lv->g[cols[k]];
      if (lv->s[i] == 0 ? fabs (ri) <= tol : lv->s[i] * ri >= -tol)
        continue;
      /* The change Σ a_k Δg_k wanted, a_k = sgn · vals_k: to s·r = tol
       * (just inside), or to r = 0 for a sign-0 row. */
      need = lv->s[i] != 0 ? tol - lv->s[i] * ri : -ri;
      /* Variables: a pixel, or a small plateau (all its pixels move
       * together, weighted by its size so that it moves less). */
      nvar = 0;
      for (gint k = 0; k < len; k++)
        {
          gint j = cols[k], c = lv->comp[j], m;
          gint size = c >= 0 ? lv->start[c + 1] - lv->start[c] : 1;

          if (size > PROJECT_MAX_PLATEAU)
            continue;
          for (m = 0; m < nvar && !(c >= 0 && var_comp[m] == c); m++)
            ;
          if (m == nvar)
            {
              var_pix[nvar] = j;
              var_comp[nvar] = c;
              var_size[nvar] = size;
              var_a[nvar++] = 0.0;
            }
          var_a[m] += sgn * vals[k];
        }
      for (gint pass = 0; pass < 3 && fabs (need) > 1e-3 * tol; pass++)
        {
          gdouble den = 0.0, alpha, got = 0.0;

          for (gint m = 0; m < nvar; m++)
            {
              gfloat gj = lv->g[var_pix[m]], hj = lv->hi[var_pix[m]];
              if (!((need * var_a[m] > 0.0 && gj >= hj) || (need * var_a[m] < 0.0 && gj <= 0.0f)))
                den += var_a[m] * var_a[m] / var_size[m];
            }
          if (den <= 0.0)
            break;
          alpha = need / den;
          for (gint m = 0; m < nvar; m++)
            {
              gint   j = var_pix[m], c = var_comp[m];
              gfloat old = lv->g[j], gn;

              if ((need * var_a[m] > 0.0 && old >= lv->hi[j])
                  || (need * var_a[m] < 0.0 && old <= 0.0f))
                continue;
              gn = clampf ((gfloat) (old + alpha * var_a[m] / var_size[m]), 0.0f, lv->hi[j]);
              got += var_a[m] * ((gdouble) gn - old);
              if (gn == old)
                continue;
              changed = TRUE;
              if (c < 0)
                lv->g[j] = gn;
              else
                for (gint q = lv->rstart[c]; q < lv->rstart[c + 1]; q++)
                  for (gint32 j = lv->runs[2 * q]; j < lv->runs[2 * q] + lv->runs[2 * q + 1]; j++)
                    {
                      lv->g[j] = gn;
                      queue_around (lv, queue, queued, head, &count, j);
                    }
            }
          need -= got;
        }
      if (changed)
        {
          moved++;
          for (gint k = 0; k < len; k++)
            queue_around (lv, queue, queued, head, &count, cols[k]);
        }
    }
  if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
    g_printerr ("laic: projections: %lu rows fixed in %lu checks, %lu left queued\n",
                (gulong) moved, (gulong) pops, (gulong) count);
}

/* Does row (@x, @y)'s neighbourhood lie in one plateau? Then it lies in
 * one region of the flattening (plateaus are its first regions, and
 * regions only merge), where no merge can change it. */
static inline gboolean
row_in_one_plateau (const Level *lv, gint x, gint y)
{
  const gint32 *comp = lv->comp;
  const gint    w = lv->w;
  const gint32  c = comp[(gsize) y * w + x];

  if (c < 0)
    return FALSE;
  if (x > 0 && y > 0 && x < w - 1 && y < lv->h - 1)
    {
      const gint32 *a = comp + (gsize) (y - 1) * w + x - 1, *b = a + w, *d = b + w;
      return (a[0] == c) & (a[1] == c) & (a[2] == c) & (b[0] == c) & (b[2] == c)
             & (d[0] == c) & (d[1] == c) & (d[2] == c);
    }
  for (gint dy = -1; dy <= 1; dy++)
    for (gint dx = -1; dx <= 1; dx++)
      if (comp[(gsize) CLAMP (y + dy, 0, lv->h - 1) * w + CLAMP (x + dx, 0, w - 1)] != c)
        return FALSE;
  return TRUE;
}

/* The regions of the flattening: a forest (parent) whose roots hold the
 * region's size, gain cg and bound chi, and a list of its pixels (next,
 * from the root to tail[root]). */
typedef struct
{
  gint32 *parent, *size, *next, *tail;
  gfloat *cg, *chi;
} Regions;

/* Rows [@y0, @y1): every pixel its own region. */
static void
regions_init_rows (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  Regions *rg = data;

  (void) scratch;
  for (gsize i = (gsize) y0 * lv->w; i < (gsize) y1 * lv->w; i++)
    {
      rg->parent[i] = rg->tail[i] = (gint32) i;
      rg->size[i] = 1;
      rg->next[i] = -1;
      rg->cg[i] = lv->g[i];
      rg->chi[i] = lv->hi[i];
    }
}

/* Plateaus [@k0, @k1): each plateau one region, rooted at its first pixel.
 * Its list (next, tail) holds the root and, in pixel order, the pixels
 * that have a pixel of another plateau, or of none, within two pixels
 * (clamped): a row around any other pixel lies in the plateau, where no
 * merge can change it (row_in_one_plateau), so the flattening, which walks
 * a region's list to check the rows around its pixels again, needs only
 * those; the rows it checks that can change are the same, in the same
 * order. The region's size counts all its pixels. */
static void
regions_plateau_rows (Level *lv, gint k0, gint k1, gfloat *scratch, gpointer data)
{
  Regions    *rg = data;
  const gint  w = lv->w, h = lv->h;
  guint8     *col_in = (guint8 *) scratch;   /* w entries */

  for (gint k = k0; k < k1; k++)
    {
      const gint32 first = lv->runs[2 * lv->rstart[k]];
      gint32       prev = first;

      for (gint r = lv->rstart[k]; r < lv->rstart[k + 1]; r++)
        {
          const gint32 a = lv->runs[2 * r], len = lv->runs[2 * r + 1];
          const gint   y = a / w, x0 = a - y * w, x1 = x0 + len;
          const gint   c0 = MAX (x0 - 2, 0), c1 = MIN (x1 + 2, w);

          /* col_in[x]: rows y − 2 … y + 2 (clamped) of column x all in k. */
          for (gint x = c0; x < c1; x++)
            {
              gboolean in = TRUE;
              for (gint dy = -2; dy <= 2 && in; dy++)
                in = lv->comp[(gsize) CLAMP (y + dy, 0, h - 1) * w + x] == k;
              col_in[x] = in;
            }
          for (gint x = x0; x < x1; x++)
            {
              gint32   j = (gint32) ((gsize) y * w + x);
              gboolean deep = TRUE;

              if (j == first)
                continue;
              rg->parent[j] = first;
              for (gint dx = -2; dx <= 2 && deep; dx++)
                deep = col_in[CLAMP (x + dx, 0, w - 1)];
              if (!deep)
                {
                  rg->next[prev] = j;
                  prev = j;
                }
            }
        }
      rg->tail[first] = prev;
      rg->size[first] = lv->start[k + 1] - lv->start[k];
    }
}

/* Rows [@y0, @y1): the gain of each pixel's region (finding the roots
 * without shortening the paths, so that the bands only read the forest). */
static void
regions_gain_rows (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  const Regions *rg = data;

  (void) scratch;
  for (gsize i = (gsize) y0 * lv->w; i < (gsize) y1 * lv->w; i++)
    {
      gint32 j = (gint32) i;
      while (rg->parent[j] != j)
        j = rg->parent[j];
      lv->g[i] = rg->cg[j];
    }
}

/* Local repair before the global blend, by flattening: the gain is kept as
 * a set of regions of constant gain (at first the plateaus and single
 * pixels). A violated row merges the regions its neighbourhood touches into
 * one, which takes the gain of the largest (lowered to the smallest upper
 * bound among them): a row whose neighbourhood has one gain c has
 * r = c (V − AV), which satisfies its constraint. Merging changes the gain
 * only of the smaller regions (unless lowered), so only their rows are
 * checked again. Every fix is a merge, so it ends, at worst with one
 * constant gain, which is feasible; in practice the regions stay small and
 * sit where the iterate had not yet settled. The merges are serial (the set-up
 * and the final gains are split by rows), hence independent of the number
 * of threads. */
static void
level_repair_local (Level *lv, const gfloat *r, gdouble tol, Regions rg, gint *queue,
                    guint8 *queued, gint n_threads)
{
  const gsize n = (gsize) lv->w * lv->h;
  gint32     *parent = rg.parent, *size = rg.size, *next = rg.next, *tail = rg.tail;
  gfloat     *cg = rg.cg, *chi = rg.chi;
  gsize       head = 0, count, merges = 0, pops = 0, skipped = 0;

  evenlight_laic_run_rows (regions_init_rows, lv, lv->h, n_threads, &rg);
  /* Plateaus are regions from the start (their gain is already constant). */
  evenlight_laic_run_plateaus (regions_plateau_rows, lv, n_threads, &rg);
  /* Violations up to @tol are left to the blend, which fixes them at a
   * cost proportional to their size; only larger ones are flattened. */
  count = queue_violated (lv, r, tol, queue, queued, n_threads);
  while (count > 0)
    {
      gint    i = queue[head], x = i % lv->w, y = i / lv->w;
      gint    cols[9], len, nr = 0, big = 0;
      gint32  roots[9];
      gfloat  vals[9], lim, gnew;
      gdouble ri = 0.0;

      head = head + 1 == n ? 0 : head + 1;
      count--;
      queued[i] = 0;
      pops++;
      /* One region: below it would be left as it is (nr < 2), held or
       * not. */
      if (row_in_one_plateau (lv, x, y))
        {
          skipped++;
          continue;
        }
      len = row_coeffs (lv, x, y, cols, vals);
      for (gint k = 0; k < len; k++)
        {
          gint32 rt = root_of (parent, cols[k]);
          gint   m;
          ri += vals[k] * (gdouble) cg[rt];
          for (m = 0; m < nr && roots[m] != rt; m++)
            ;
          if (m == nr)
            roots[nr++] = rt;
        }
      if (lv->s[i] == 0 ? fabs (ri) <= tol : lv->s[i] * ri >= -tol)
        continue;
      if (nr < 2)
        continue;   /* one gain already: only rounding is left */
      for (gint m = 1; m < nr; m++)
        if (size[roots[m]] > size[roots[big]])
          big = m;
      lim = chi[roots[0]];
      for (gint m = 1; m < nr; m++)
        lim = MIN (lim, chi[roots[m]]);
      gnew = MIN (cg[roots[big]], lim);
      for (gint m = 0; m < nr; m++)
        {
          gint32 b = roots[big], o = roots[m];
          if (m == big)
            continue;
          parent[o] = b;
          next[tail[b]] = o;
          tail[b] = tail[o];
          size[b] += size[o];
          for (gint32 j = o; j >= 0 && j != next[tail[b]]; j = next[j])
            {
              queue_around (lv, queue, queued, head, &count, j);
              if (j == tail[o])
                break;
            }
        }
      chi[roots[big]] = lim;
      if (gnew != cg[roots[big]])
        for (gint32 j = roots[big]; j >= 0; j = next[j])
          queue_around (lv, queue, queued, head, &count, j);
      cg[roots[big]] = gnew;
      merges++;
    }
  evenlight_laic_run_rows (regions_gain_rows, lv, lv->h, n_threads, &rg);
  if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
    g_printerr ("laic: local repair: %lu merges, %lu rows checked, %lu of them inside a plateau\n",
                (gulong) merges, (gulong) pops, (gulong) skipped);
}

typedef struct
{
  gfloat       g0;
  gdouble      tol, t;
  const gfloat *r, *r0;
  gfloat      *flat;
  gdouble     *row_t;   /* the blend each row needs */
} Blend;

/* Rows [@y0, @y1) of the flat gain. */
static void
flat_rows (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  Blend *bl = data;

  (void) scratch;
  for (gsize i = (gsize) y0 * lv->w; i < (gsize) y1 * lv->w; i++)
    bl->flat[i] = bl->g0;
}

/* Rows [@y0, @y1): the smallest blend t that makes each row's constraint
 * hold, as a maximum over the row (the maximum of the rows' maxima is the
 * same on any number of threads). */
static void
blend_need_rows (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  Blend *bl = data;

  (void) scratch;
  for (gint y = y0; y < y1; y++)
    {
      gdouble t = 0.0;
      for (gsize i = (gsize) y * lv->w; i < (gsize) (y + 1) * lv->w; i++)
        {
          gdouble ti = 0.0;

          if (lv->s[i] != 0)
            {
              gdouble a = lv->s[i] * (gdouble) bl->r[i], b = lv->s[i] * (gdouble) bl->r0[i];
              /* Blend reaches a ≥ 0 (the target is strictly inside when b > 0). */
              if (a < 0.0)
                ti = b > a ? -a / (b - a) : 1.0;
            }
          else
            {
              gdouble a = fabs ((gdouble) bl->r[i]);
              if (a > bl->tol)
                ti = 1.0 - bl->tol / a;
            }
          t = MAX (t, ti);
        }
      bl->row_t[y] = t;
    }
}

/* Rows [@y0, @y1): g ← (1 − t) g + t g0. */
static void
blend_rows (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  Blend *bl = data;

  (void) scratch;
  for (gsize i = (gsize) y0 * lv->w; i < (gsize) y1 * lv->w; i++)
    lv->g[i] = (gfloat) ((1.0 - bl->t) * lv->g[i] + bl->t * bl->g0);
}

/* The feasibility step (file comment). */
void
evenlight_laic_level_make_feasible (Level *lv, gfloat g0, gint n_threads)
{
  const gsize n = (gsize) lv->w * lv->h;
  const gdouble tol = 0.5 * EVENLIGHT_LAIC_FEAS_TOL;
  /* The iterations' arrays whose values are no longer read serve as this
   * step's: a first touch of fresh memory costs about as much as a pass
   * over it. */
  gfloat     *r = lv->gbar, *flat = lv->px, *r0 = lv->py;
  Regions     rg = { (gint32 *) lv->px, (gint32 *) lv->py, (gint32 *) lv->u,
                     (gint32 *) lv->tau, lv->c, lv->sig };
  guint8     *queued;
  gint       *queue;
  gdouble     t = 0.0;
  gint64      t0, t1;
  Blend       bl = { g0, tol, 0.0, r, r0, flat, g_new (gdouble, lv->h) };

  queued = laic_new (guint8, n);
  queue = laic_new (gint, n);

  evenlight_laic_level_residual (lv, lv->g, r, n_threads);
  if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
    {
      gint nv = 0;
      gdouble worst = 0.0, sumv = 0.0;
      for (gsize i = 0; i < n; i++)
        {
          gdouble v = lv->s[i] == 0 ? fabs (r[i]) : -lv->s[i] * (gdouble) r[i];
          if (v > tol)
            {
              nv++;
              sumv += v;
              worst = MAX (worst, v);
            }
        }
      g_printerr ("laic: before repair: %d rows violated by > %g (max %g, mean %g)\n",
                  nv, tol, worst, nv ? sumv / nv : 0.0);
    }
  t0 = g_get_monotonic_time ();
  level_repair_project (lv, r, tol, queue, queued, n_threads);
  t1 = g_get_monotonic_time ();
  evenlight_laic_level_residual (lv, lv->g, r, n_threads);
  level_repair_local (lv, r, tol, rg, queue, queued, n_threads);
  if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
    g_printerr ("laic: projections %.3f s, flattening %.3f s\n", (t1 - t0) / 1e6,
                (g_get_monotonic_time () - t1) / 1e6);
  evenlight_laic_level_residual (lv, lv->g, r, n_threads);
  evenlight_laic_run_rows (flat_rows, lv, lv->h, n_threads, &bl);
  evenlight_laic_level_residual (lv, flat, r0, n_threads);
  evenlight_laic_run_rows (blend_need_rows, lv, lv->h, n_threads, &bl);
  for (gint y = 0; y < lv->h; y++)
    t = MAX (t, bl.row_t[y]);
  if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
    {
      gint    nv0 = 0, nv1 = 0, n0 = 0;
      gdouble m0 = 0.0, m1 = 0.0;

      for (gsize i = 0; i < n; i++)
        if (lv->s[i] == 0)
          {
            n0++;
            if (fabs (r[i]) > tol)
              {
                nv0++;
                m0 = MAX (m0, fabs (r[i]));
              }
          }
        else if (lv->s[i] * r[i] < 0)
          {
            nv1++;
            m1 = MAX (m1, -lv->s[i] * r[i]);
          }
      g_printerr ("laic: %dx%d blend t = %g; sign-0 rows %d, violated %d (max %g); "
                  "others violated %d (max %g)\n", lv->w, lv->h, t, n0, nv0, m0, nv1, m1);
    }
  if (t > 0.0)
    {
      bl.t = MIN (1.0, t * (1.0 + 1e-6) + 1e-7);
      evenlight_laic_run_rows (blend_rows, lv, lv->h, n_threads, &bl);
    }
  g_free (bl.row_t);
  g_free (queued);
  g_free (queue);
  g_clear_pointer (&lv->pblock, g_free);
  g_clear_pointer (&lv->u, g_free);
  g_clear_pointer (&lv->gbar, g_free);
  g_clear_pointer (&lv->tau, g_free);
  g_clear_pointer (&lv->c, g_free);
  g_clear_pointer (&lv->sig, g_free);
  lv->px = lv->py = NULL;
}
