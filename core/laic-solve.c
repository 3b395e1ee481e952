/* LAIC: one level of the program and its primal–dual solver (laic.c has
 * the notation, the saddle-point form and the coarse-to-fine driver).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "laic.h"
#include "laic-private.h"

#include <math.h>
#include <string.h>

/* Weight of a pixel in its own 1-D clamp-to-edge 3-mean. */
static inline gfloat
self_weight_1d (gint i, gint n)
{
  if (n == 1)
    return 1.0f;
  return (i == 0 || i == n - 1) ? 2.0f / 3.0f : 1.0f / 3.0f;
}

/* out = A(a ⊙ b) on row y (b may be NULL: A a). Separable, clamp-to-edge. */
static void
box_row (const gfloat *a, const gfloat *b, gint w, gint h, gint y,
         gfloat *restrict tmp, gfloat *restrict out)
{
  const gsize   o0 = (gsize) MAX (y - 1, 0) * w, o1 = (gsize) y * w;
  const gsize   o2 = (gsize) MIN (y + 1, h - 1) * w;
  const gfloat *a0 = a + o0, *a1 = a + o1, *a2 = a + o2;
  gint          x;

  if (b)
    {
      const gfloat *b0 = b + o0, *b1 = b + o1, *b2 = b + o2;
      for (x = 0; x < w; x++)
        tmp[x] = a0[x] * b0[x] + a1[x] * b1[x] + a2[x] * b2[x];
    }
  else
    for (x = 0; x < w; x++)
      tmp[x] = a0[x] + a1[x] + a2[x];
  if (w == 1)
    {
      out[0] = tmp[0] * (3.0f / 9.0f);
      return;
    }
  out[0] = (2.0f * tmp[0] + tmp[1]) * (1.0f / 9.0f);
  for (x = 1; x < w - 1; x++)
    out[x] = (tmp[x - 1] + tmp[x] + tmp[x + 1]) * (1.0f / 9.0f);
  out[w - 1] = (tmp[w - 2] + 2.0f * tmp[w - 1]) * (1.0f / 9.0f);
}

/* Plain comparisons (unlike fminf) compile to single vector instructions. */
static inline gfloat
minf (gfloat a, gfloat b)
{
  return a < b ? a : b;
}

/* ---- row-parallel passes ------------------------------------------------ */

typedef struct
{
  LaicRowFunc func;
  Level      *lv;
  gpointer    data;
} Pass;

static void
pass_band (gpointer data, gint y0, gint y1)
{
  Pass   *pass = data;
  gfloat *scratch = g_new (gfloat, 2 * (gsize) pass->lv->w);

  pass->func (pass->lv, y0, y1, scratch, pass->data);
  g_free (scratch);
}

/* Pixels of a level below which a pass is not worth another thread. */
#define MIN_PIXELS_PER_THREAD (64 * 1024)

/* Runs @func over items [0, @n_items) (rows, or plateaus) split into
 * contiguous bands, one per thread (core/parallel.h). Each item is written
 * by exactly one band and reads only what the pass does not write, so the
 * result does not depend on the number of threads. */
gint
evenlight_laic_bands (const Level *lv, gint n_items, gint n_threads)
{
  gint n = evenlight_parallel_threads (n_threads);

  n = MIN (n, MAX (1, n_items / 16));
  /* A pass on a small level costs less than waking a helper (a 63 × 47
   * level ran 2,880 passes in 0.6 s on 2 threads when each started a
   * thread). Each item's output does not depend on the split, so this
   * changes no result. */
  return MIN (n, MAX (1, (gint) ((gint64) lv->w * lv->h / MIN_PIXELS_PER_THREAD)));
}

void
evenlight_laic_run_rows (LaicRowFunc func, Level *lv, gint n_items, gint n_threads,
                         gpointer data)
{
  Pass pass = { func, lv, data };

  evenlight_parallel_bands (n_items, evenlight_laic_bands (lv, n_items, n_threads),
                            pass_band, &pass);
}

/* Column sums of |K|: TV differences touching j, plus |r|'s column j:
 * V(j) (|1 − A_jj| + Σ_{i≠j} A_ij) = 2 V(j) (1 − A_jj) (columns of A sum to
 * 1 because A is symmetric with rows summing to 1). */
static inline gfloat
primal_step (const Level *lv, gint x, gint y, gfloat v)
{
  gfloat ajj = self_weight_1d (x, lv->w) * self_weight_1d (y, lv->h);
  gint   nd = (x > 0) + (x < lv->w - 1) + (y > 0) + (y < lv->h - 1);
  gfloat sum = (gfloat) nd + 2.0f * v * (1.0f - ajj);

  return sum > 0.0f ? 1.0f / sum : 1.0f;
}

/* Primal: g_new = clip(g − τ (c + ∇ᵀp − rᵀu)), gbar = 2 g_new − g, where
 * rᵀu = V (u − A u) (A symmetric). ∇ᵀp is minus the divergence; px of the
 * last column and py of the last row stay 0 and px, py have a zero row in
 * front, so the divergence needs no tests. Plateau pixels leave their
 * update in gbar for evenlight_laic_level_project_plateaus. */
static void
pass_primal (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  (void) data;
  const gint w = lv->w, h = lv->h;
  gfloat    *au = scratch + w;

  for (gint y = y0; y < y1; y++)
    {
      const gsize   o = (gsize) y * w;
      const gfloat *restrict v = lv->v + o, *restrict c = lv->c + o;
      const gfloat *restrict px = lv->px + o, *restrict py = lv->py + o;
      const gfloat *restrict u = lv->u + o, *restrict tau = lv->tau + o;
      const gfloat *restrict hi = lv->hi + o;
      const gint32 *restrict comp = lv->comp + o;
      gfloat       *restrict g = lv->g + o, *restrict gbar = lv->gbar + o;

      box_row (lv->u, NULL, w, h, y, scratch, au);
      for (gint x = 0; x < w; x++)
        {
          gfloat div = px[x] - px[x - 1] + py[x] - py[(gssize) x - w];
          gfloat gt = c[x] - div - v[x] * (u[x] - au[x]);
          gfloat gn = g[x] - tau[x] * gt;
          gfloat go = g[x];
          gn = clampf (gn, 0.0f, hi[x]);
          gbar[x] = comp[x] >= 0 ? gn : 2.0f * gn - go;
          g[x] = comp[x] >= 0 ? go : gn;
        }
    }
}

/* Dual: p = clip(p + ½ ∇gbar, −1, 1); u = proj(u − σ r(gbar)) with
 * σ(i) = 1 / (V(i)(1 − A_ii) + (AV)(i) − A_ii V(i)), the row sum of |r|
 * (evenlight_laic_level_prepare). The projection keeps s·u ≥ 0: u − s·min(s·u, 0). */
static void
pass_dual (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  (void) data;
  const gint w = lv->w, h = lv->h;
  gfloat    *avg = scratch + w;

  for (gint y = y0; y < y1; y++)
    {
      const gsize   o = (gsize) y * w;
      const gfloat *restrict v = lv->v + o, *restrict gb = lv->gbar + o;
      const gfloat *restrict sig = lv->sig + o, *restrict sg = lv->s + o;
      gfloat       *restrict px = lv->px + o, *restrict py = lv->py + o;
      gfloat       *restrict u = lv->u + o;

      box_row (lv->v, lv->gbar, w, h, y, scratch, avg);
      for (gint x = 0; x < w - 1; x++)
        px[x] = clampf (px[x] + 0.5f * (gb[x + 1] - gb[x]), -1.0f, 1.0f);
      if (y < h - 1)
        for (gint x = 0; x < w; x++)
          py[x] = clampf (py[x] + 0.5f * (gb[x + w] - gb[x]), -1.0f, 1.0f);
      for (gint x = 0; x < w; x++)
        {
          gfloat un = u[x] - sig[x] * (v[x] * gb[x] - avg[x]);
          u[x] = un - sg[x] * minf (sg[x] * un, 0.0f);
        }
    }
}

/* ---- set-up ------------------------------------------------------------- */

void
evenlight_laic_level_alloc (Level *lv, gint w, gint h)
{
  lv->w = w;
  lv->h = h;
  lv->v = laic_new (gfloat, (gsize) w * h);
}

/* Everything but V: allocated only while the level is being solved, so
 * that peak memory is one level and the next coarser one. */
static void
level_alloc_state (Level *lv)
{
  gsize n = (gsize) lv->w * lv->h;

  lv->s = laic_new (gfloat, n);
  lv->tau = laic_new (gfloat, n);
  lv->c = laic_new (gfloat, n);
  lv->hi = laic_new (gfloat, n);
  lv->sig = laic_new (gfloat, n);
  lv->g = laic_new (gfloat, n);
  lv->gbar = laic_new (gfloat, n);
  /* px, py, then one zero row in front of each, so px[−1] and py[−w] of
   * the first row read zeros. */
  lv->pblock = laic_new (gfloat, 2 * (n + lv->w));
  lv->px = lv->pblock + lv->w;
  lv->py = lv->pblock + 2 * lv->w + n;
  /* The zero rows now; px, py and u are zeroed by prepare_rows, on all
   * threads (the first touch of their pages is most of the cost). */
  memset (lv->pblock, 0, sizeof (gfloat) * lv->w);
  memset (lv->px + n, 0, sizeof (gfloat) * lv->w);
  lv->u = laic_new (gfloat, n);
  lv->comp = laic_new (gint32, n);
}

void
evenlight_laic_level_free_state (Level *lv)
{
  g_free (lv->s);
  g_free (lv->c);
  g_free (lv->hi);
  g_free (lv->sig);
  g_free (lv->g);
  g_free (lv->gbar);
  g_free (lv->pblock);
  g_free (lv->tau);
  g_free (lv->u);
  g_free (lv->comp);
  g_free (lv->runs);
  g_free (lv->rstart);
  g_free (lv->start);
  g_free (lv->rweight);
  g_free (lv->pweight);
  lv->rweight = lv->pweight = NULL;
  lv->s = lv->tau = lv->pblock = NULL;
  lv->c = lv->hi = lv->sig = lv->g = lv->gbar = lv->px = lv->py = lv->u = NULL;
  lv->comp = lv->runs = lv->rstart = lv->start = NULL;
}

/* Frees what evenlight_laic_level_upsample() does not read from a solved
 * coarse level (all but g, px and py), so that the finer level's arrays,
 * allocated next, reuse that memory: a first touch of pages the process
 * never had costs far more than a pass over them. */
void
evenlight_laic_level_free_unread (Level *lv)
{
  Level keep = *lv;

  lv->g = NULL;
  lv->pblock = NULL;
  evenlight_laic_level_free_state (lv);
  lv->g = keep.g;
  lv->pblock = keep.pblock;
  lv->px = keep.px;
  lv->py = keep.py;
  lv->n_comp = 0;
}

void
evenlight_laic_level_free (Level *lv)
{
  evenlight_laic_level_free_state (lv);
  g_free (lv->v);
  lv->v = NULL;
}

typedef struct
{
  gfloat contrast, max_gain;
} Prepare;

/* s, hi, σ and τ of rows [@y0, @y1); px, py and u zeroed. */
static void
prepare_rows (Level *lv, gint y0, gint y1, gfloat *tmp, gpointer data)
{
  const Prepare *pr = data;
  const gint     w = lv->w, h = lv->h;

  memset (lv->px + (gsize) y0 * w, 0, sizeof (gfloat) * w * (gsize) (y1 - y0));
  memset (lv->py + (gsize) y0 * w, 0, sizeof (gfloat) * w * (gsize) (y1 - y0));
  memset (lv->u + (gsize) y0 * w, 0, sizeof (gfloat) * w * (gsize) (y1 - y0));
  for (gint y = y0; y < y1; y++)
    {
      box_row (lv->v, NULL, w, h, y, tmp, tmp + w);
      for (gint x = 0; x < w; x++)
        {
          gsize  i = (gsize) y * w + x;
          gfloat d = lv->v[i] - tmp[w + x];
          gfloat aii = self_weight_1d (x, w) * self_weight_1d (y, h);
          gfloat rowsum = lv->v[i] * (1.0f - aii) + tmp[w + x] - aii * lv->v[i];

          lv->s[i] = d > EVENLIGHT_LAIC_SIGN_EPS ? 1 : (d < -EVENLIGHT_LAIC_SIGN_EPS ? -1 : 0);
          lv->hi[i] = MIN (1.0f / lv->v[i], pr->max_gain);
          /* σ(i) = 1 / row sum of |r| (0 for a single pixel: r ≡ 0). */
          lv->sig[i] = rowsum > 1e-12f ? 1.0f / rowsum : 0.0f;
          lv->tau[i] = primal_step (lv, x, y, lv->v[i]);
        }
    }
}

/* The cost c of rows [@y0, @y1) (needs s of the rows around). */
static void
prepare_cost_rows (Level *lv, gint y0, gint y1, gfloat *tmp, gpointer data)
{
  const Prepare *pr = data;
  const gint     w = lv->w, h = lv->h;

  for (gint y = y0; y < y1; y++)
    {
      box_row (lv->s, NULL, w, h, y, tmp, tmp + w);
      for (gint x = 0; x < w; x++)
        {
          gsize i = (gsize) y * w + x;
          lv->c[i] = -pr->contrast * lv->v[i] * (lv->s[i] - tmp[w + x]);
        }
    }
}

/* The weights 1/τ of plateau runs [@r0, @r1). */
static void
run_weight_rows (Level *lv, gint r0, gint r1, gfloat *scratch, gpointer data)
{
  (void) scratch;
  (void) data;
  for (gint r = r0; r < r1; r++)
    lv->rweight[r] = 1.0 / lv->tau[lv->runs[2 * r]];
}

/* s, hi and c from V (Eq. 19–23 with the sign fixed). */
void
evenlight_laic_level_prepare (Level *lv, gfloat contrast, gfloat max_gain, gint n_threads)
{
  Prepare pr = { contrast, max_gain };
  gint    n_runs;

  level_alloc_state (lv);
  evenlight_laic_level_find_plateaus (lv, n_threads);
  evenlight_laic_run_rows (prepare_rows, lv, lv->h, n_threads, &pr);
  evenlight_laic_run_rows (prepare_cost_rows, lv, lv->h, n_threads, &pr);
  /* The weights of the plateau projection (evenlight_laic_level_project_plateaus),
   * summed in the order it sums them. */
  n_runs = lv->rstart[lv->n_comp];
  lv->rweight = g_new (gdouble, MAX (1, n_runs));
  lv->pweight = g_new (gdouble, MAX (1, lv->n_comp));
  evenlight_laic_run_rows (run_weight_rows, lv, n_runs, n_threads, NULL);
  for (gint k = 0; k < lv->n_comp; k++)
    {
      gdouble sw = 0.0;
      for (gint r = lv->rstart[k]; r < lv->rstart[k + 1]; r++)
        for (gint32 j = 0; j < lv->runs[2 * r + 1]; j++)
          sw += lv->rweight[r];
      lv->pweight[k] = sw;
    }
}

/* The largest constant gain that is feasible: every pixel ≤ 1. */
gfloat
evenlight_laic_level_flat_gain (const Level *lv)
{
  gfloat vmax = 0.0f;

  for (gsize i = 0; i < (gsize) lv->w * lv->h; i++)
    vmax = MAX (vmax, lv->v[i]);
  return 1.0f / vmax;
}

/* Rows [@y0, @y1) of @coarse: 2 × 2 means of @data, the finer level. */
static void
downsample_rows (Level *coarse, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  const Level *fine = data;

  (void) scratch;
  for (gint y = y0; y < y1; y++)
    for (gint x = 0; x < coarse->w; x++)
      {
        gint   fx0 = 2 * x, fy0 = 2 * y;
        gint   fx1 = MIN (fx0 + 1, fine->w - 1), fy1 = MIN (fy0 + 1, fine->h - 1);
        gfloat m = fine->v[(gsize) fy0 * fine->w + fx0] + fine->v[(gsize) fy0 * fine->w + fx1]
                 + fine->v[(gsize) fy1 * fine->w + fx0] + fine->v[(gsize) fy1 * fine->w + fx1];
        coarse->v[(gsize) y * coarse->w + x] = 0.25f * m;
      }
}

void
evenlight_laic_level_downsample (const Level *fine, Level *coarse, gint n_threads)
{
  evenlight_laic_level_alloc (coarse, (fine->w + 1) / 2, (fine->h + 1) / 2);
  evenlight_laic_run_rows (downsample_rows, coarse, coarse->h, n_threads, (gpointer) fine);
}

/* Rows [@y0, @y1) of @fine from @data, the coarse level. */
static void
upsample_rows (Level *fine, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  const Level *coarse = data;

  (void) scratch;
  for (gint y = y0; y < y1; y++)
    for (gint x = 0; x < fine->w; x++)
      {
        gsize i = (gsize) y * fine->w + x;
        gsize j = (gsize) (y / 2) * coarse->w + x / 2;
        fine->g[i] = MIN (coarse->g[j], fine->hi[i]);
        fine->px[i] = coarse->px[j];
        fine->py[i] = coarse->py[j];
        fine->u[i] = 0.0f;
      }
}

/* Start @fine from @coarse: nearest-neighbour gain (clipped to the box) and
 * TV duals; the constraint duals start at 0. */
void
evenlight_laic_level_upsample (const Level *coarse, Level *fine, gint n_threads)
{
  evenlight_laic_run_rows (upsample_rows, fine, fine->h, n_threads, (gpointer) coarse);
  evenlight_laic_level_plateau_mean (fine, fine->g, n_threads);
}

gboolean
evenlight_laic_level_solve (Level *lv, gint iterations, gint n_threads, const gint *cancel)
{
  for (gint k = 0; k < iterations; k++)
    {
      if (cancel != NULL && g_atomic_int_get (cancel))
        return FALSE;
      evenlight_laic_run_rows (pass_primal, lv, lv->h, n_threads, NULL);
      evenlight_laic_level_project_plateaus (lv, n_threads);
      evenlight_laic_run_rows (pass_dual, lv, lv->h, n_threads, NULL);
    }
  return TRUE;
}

typedef struct
{
  const gfloat *g;
  gfloat       *r;
} Residual;

static void
residual_rows (Level *lv, gint y0, gint y1, gfloat *tmp, gpointer data)
{
  const Residual *res = data;

  for (gint y = y0; y < y1; y++)
    {
      box_row (lv->v, res->g, lv->w, lv->h, y, tmp, tmp + lv->w);
      for (gint x = 0; x < lv->w; x++)
        {
          gsize i = (gsize) y * lv->w + x;
          res->r[i] = lv->v[i] * res->g[i] - tmp[lv->w + x];
        }
    }
}

/* r(g)(i) = V g − A(V g), into @r. */
void
evenlight_laic_level_residual (const Level *lv, const gfloat *g, gfloat *r, gint n_threads)
{
  Residual res = { g, r };

  evenlight_laic_run_rows (residual_rows, (Level *) lv, lv->h, n_threads, &res);
}
