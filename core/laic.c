/* LAIC: the illumination-compensation linear program (paper Eq. 19–23),
 * solved by a preconditioned primal–dual method, coarse to fine.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Notation (laic.h): V the floored bright channel, g the gain, J̃ = g·V,
 * A the 3 × 3 clamp-to-edge mean (symmetric for radius 1, so Aᵀ = A; that is
 * why the neighbourhood is 3 × 3), s(i) = sgn(V(i) − (AV)(i)).
 *
 * With r(g)(i) = V(i) g(i) − (A(V g))(i) = J̃(i) − J̄(i), the sign constraint
 * is s(i) r(i) ≥ 0 where s(i) ≠ 0 and r(i) = 0 where s(i) = 0, and on the
 * feasible set |J̃ − J̄| = s r, so the objective (Eq. 19) is
 *
 *   TV(g) + cᵀg,   c(j) = −λ2 V(j) (s(j) − (A s)(j)),
 *
 * with the box 0 ≤ g ≤ hi = min(1/V, max_gain). Saddle-point form:
 *
 *   min_g max_{|p|≤1, u} cᵀg + ⟨p, ∇g⟩ − ⟨u, r(g)⟩ + ι_box(g)
 *
 * where u(i) ≥ 0 if s(i) = 1, u(i) ≤ 0 if s(i) = −1, u(i) free if s(i) = 0
 * (u is the constraint multiplier with the sign of s folded in). Chambolle–
 * Pock with the diagonal preconditioning of Pock & Chambolle (ICCV 2011,
 * α = 1): τ(j) = 1 / Σ_i |K_ij|, σ(i) = 1 / Σ_j |K_ij| for K = [∇; r], which
 * copes with gains ranging over two decades. One iteration is two passes
 * over the image (primal, then dual), each split over threads by rows.
 *
 * Plateaus (level_plateaus): where a whole 3 × 3 neighbourhood has one
 * level the row is an equality that only a locally constant gain meets;
 * such pixels and their neighbours form plateaus on which the gain is kept
 * constant (an exact, cheap projection in the primal step).
 *
 * Coarse to fine: V is averaged 2 × 2 down to ≤ 48 pixels a side; each
 * level starts from the gain (and TV dual) of the level below, the coarsest
 * from the constant gain that stretches the brightest pixel to 1. The work
 * level (the finest with ≤ WORK_PIXELS pixels) runs `iterations`, coarser
 * levels twice as many per level (up to MAX_COARSE_ITERATIONS), finer ones
 * (photos above 2 MP) a quarter per level, so a 12 MP photo costs about
 * what a 2 MP one does.
 *
 * Feasibility (exact, at full resolution): the last iterate is
 * box-feasible but may violate sign constraints. First a local repair
 * (level_repair_local) flattens the gain where a row is violated by more
 * than the tolerance; then g ← (1 − t) g + t g0, with g0 the constant gain
 * (which satisfies every constraint) and the smallest t ∈ [0, 1] making
 * every constraint hold within EVENLIGHT_LAIC_FEAS_TOL. The constraints are
 * linear, so the blend is exact, and it costs objective only in proportion
 * to t (about 0.002 on photographs after the repair).
 *
 * Setting EVENLIGHT_LAIC_DEBUG prints the levels, iterations, repair and
 * blend to stderr.
 */
#include "laic.h"

#include <math.h>
#include <string.h>

#include "evenlight.h"

#define COARSEST_SIDE          48
#define MAX_COARSE_ITERATIONS  1200
#define WORK_PIXELS            (2 << 20)
#define MIN_ITERATIONS         8

void
evenlight_laic_params_init_default (EvenlightLaicParams *params)
{
  params->contrast = EVENLIGHT_LAIC_DEFAULT_CONTRAST;
  params->max_gain = EVENLIGHT_LAIC_DEFAULT_MAX_GAIN;
  params->iterations = EVENLIGHT_LAIC_DEFAULT_ITERATIONS;
}

gboolean
evenlight_laic_params_validate (const EvenlightLaicParams *params,
                                GError                   **error)
{
  if (!(params->contrast >= 0.0f && params->contrast <= 1e4f))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "LAIC contrast (λ2) must be in [0, 10000], got %g",
                   (double) params->contrast);
      return FALSE;
    }
  if (!(params->max_gain >= 1.0f && params->max_gain <= 1e4f))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "LAIC maximum gain must be in [1, 10000], got %g",
                   (double) params->max_gain);
      return FALSE;
    }
  if (params->iterations < 1 || params->iterations > 100000)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "LAIC iterations must be in [1, 100000], got %d",
                   params->iterations);
      return FALSE;
    }
  return TRUE;
}

/* ---- one level of the problem ------------------------------------------ */

typedef struct
{
  gint    w, h;
  gfloat *v;       /* V, floored                                  */
  gfloat *s;       /* sgn(V − AV): −1, 0 or 1                     */
  gfloat *tau;     /* primal step                                 */
  gfloat *pblock;  /* px and py with a zero row in front          */
  gfloat *c;       /* linear cost                                 */
  gfloat *hi;      /* upper bound of the gain                     */
  gfloat *sig;     /* dual step of the constraint rows            */
  gfloat *g;       /* primal iterate                              */
  gfloat *gbar;    /* extrapolated primal 2 g_new − g_old         */
  gfloat *px, *py; /* TV duals (forward differences in x and y)   */
  gfloat *u;       /* constraint duals, sign of s folded in       */
  gint32 *comp;    /* plateau of the pixel, −1 if none            */
  gint    n_comp;
  gint32 *members; /* pixels of plateau k: members[start[k] …]    */
  gint32 *start;   /* n_comp + 1 offsets                          */
} Level;

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

static inline gfloat
clampf (gfloat v, gfloat lo, gfloat hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* ---- row-parallel passes ------------------------------------------------ */

typedef void (*RowFunc) (Level *lv, gint y0, gint y1, gfloat *scratch);

typedef struct
{
  RowFunc func;
  Level  *lv;
  gint    y0, y1;
} Job;

static gpointer
job_run (gpointer data)
{
  Job    *job = data;
  gfloat *scratch = g_new (gfloat, 2 * (gsize) job->lv->w);

  job->func (job->lv, job->y0, job->y1, scratch);
  g_free (scratch);
  return NULL;
}

/* Runs @func over items [0, @n_items) (rows, or plateaus) split into
 * contiguous ranges, one per thread. Each item is written by exactly one
 * thread and reads only what the pass does not write, so the result does
 * not depend on the number of threads. */
static void
run_range (RowFunc func, Level *lv, gint n_items, gint n_threads)
{
  Job      jobs[64];
  GThread *threads[64];
  gint     n, k;

  n = CLAMP (n_threads, 1, 64);
  n = MIN (n, MAX (1, n_items / 16));
  for (k = 0; k < n; k++)
    {
      jobs[k].func = func;
      jobs[k].lv = lv;
      jobs[k].y0 = (gint) ((gint64) n_items * k / n);
      jobs[k].y1 = (gint) ((gint64) n_items * (k + 1) / n);
    }
  for (k = 1; k < n; k++)
    threads[k] = g_thread_new ("laic", job_run, &jobs[k]);
  job_run (&jobs[0]);
  for (k = 1; k < n; k++)
    g_thread_join (threads[k]);
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
 * update in gbar for pass_plateaus. */
static void
pass_primal (Level *lv, gint y0, gint y1, gfloat *scratch)
{
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
 * (level_prepare). The projection keeps s·u ≥ 0: u − s·min(s·u, 0). */
static void
pass_dual (Level *lv, gint y0, gint y1, gfloat *scratch)
{
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

/* Plateau projection: the prox of "g constant on each plateau" in the
 * metric of the primal steps is the 1/τ-weighted mean of the unconstrained
 * updates (left in gbar by pass_primal); the box is the same for every
 * pixel of a plateau (same V), so the mean stays inside it. */
static void
pass_plateaus (Level *lv, gint k0, gint k1, gfloat *scratch)
{
  (void) scratch;
  for (gint k = k0; k < k1; k++)
    {
      gdouble sw = 0.0, sg = 0.0;
      gfloat  mean;

      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        {
          gint32  i = lv->members[m];
          gdouble wt = 1.0 / lv->tau[i];
          sw += wt;
          sg += wt * lv->gbar[i];
        }
      mean = (gfloat) (sg / sw);
      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        {
          gint32 i = lv->members[m];
          lv->gbar[i] = 2.0f * mean - lv->g[i];
          lv->g[i] = mean;
        }
    }
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

/* Plateaus: a pixel whose whole 3 × 3 neighbourhood has its own level has
 * sign 0 and must equal its neighbourhood mean, i.e. its gain must be the
 * mean of the nine gains. Joining each such pixel with its eight
 * neighbours, and keeping the gain constant on every set so formed,
 * satisfies all those equality rows exactly, whatever the iterate; the
 * converged solution has that form anyway (a gain that is both a local mean
 * and of least total variation is constant), but a first-order method would
 * need thousands of iterations to spread it across a wide flat region of a
 * dark capture. */
static void
level_plateaus (Level *lv)
{
  const gint w = lv->w, h = lv->h;
  const gsize n = (gsize) w * h;
  gint32 *parent = g_new (gint32, n);
  gint32 *count;

  for (gsize i = 0; i < n; i++)
    parent[i] = (gint32) i;
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gsize    i = (gsize) y * w + x;
        gboolean flat = TRUE;
        for (gint dy = -1; dy <= 1 && flat; dy++)
          for (gint dx = -1; dx <= 1; dx++)
            if (lv->v[CLAMP (y + dy, 0, h - 1) * w + CLAMP (x + dx, 0, w - 1)] != lv->v[i])
              {
                flat = FALSE;
                break;
              }
        if (!flat || n == 1)
          continue;
        for (gint dy = -1; dy <= 1; dy++)
          for (gint dx = -1; dx <= 1; dx++)
            {
              gint32 a = uf_find (parent, (gint32) i);
              gint32 b = uf_find (parent, CLAMP (y + dy, 0, h - 1) * w + CLAMP (x + dx, 0, w - 1));
              if (a != b)
                parent[MAX (a, b)] = MIN (a, b);
            }
      }
  /* Number the sets of two or more pixels, in order of their first pixel. */
  count = g_new0 (gint32, n);
  for (gsize i = 0; i < n; i++)
    count[uf_find (parent, (gint32) i)]++;
  lv->n_comp = 0;
  for (gsize i = 0; i < n; i++)
    lv->comp[i] = -1;
  for (gsize i = 0; i < n; i++)
    if (parent[i] == (gint32) i && count[i] >= 2)
      lv->comp[i] = lv->n_comp++;
  lv->start = g_new0 (gint32, lv->n_comp + 1);
  for (gsize i = 0; i < n; i++)
    {
      gint32 r = uf_find (parent, (gint32) i);
      if (count[r] >= 2)
        {
          lv->comp[i] = lv->comp[r];
          lv->start[lv->comp[i] + 1]++;
        }
    }
  for (gint k = 0; k < lv->n_comp; k++)
    lv->start[k + 1] += lv->start[k];
  lv->members = g_new (gint32, MAX (1, lv->start[lv->n_comp]));
  memset (count, 0, sizeof (gint32) * (lv->n_comp + 1));
  for (gsize i = 0; i < n; i++)
    if (lv->comp[i] >= 0)
      lv->members[lv->start[lv->comp[i]] + count[lv->comp[i]]++] = (gint32) i;
  g_free (count);
  g_free (parent);
}

/* Sets every plateau of @g to its mean (after an initialisation). */
static void
level_plateau_mean (Level *lv, gfloat *g)
{
  for (gint k = 0; k < lv->n_comp; k++)
    {
      gdouble sg = 0.0;
      gfloat  mean;
      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        sg += g[lv->members[m]];
      mean = (gfloat) (sg / (lv->start[k + 1] - lv->start[k]));
      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        g[lv->members[m]] = mean;
    }
}

/* ---- set-up ------------------------------------------------------------- */

static void
level_alloc (Level *lv, gint w, gint h)
{
  lv->w = w;
  lv->h = h;
  lv->v = g_new (gfloat, (gsize) w * h);
}

/* Everything but V: allocated only while the level is being solved, so
 * that peak memory is one level and the next coarser one. */
static void
level_alloc_state (Level *lv)
{
  gsize n = (gsize) lv->w * lv->h;

  lv->s = g_new (gfloat, n);
  lv->tau = g_new (gfloat, n);
  lv->c = g_new (gfloat, n);
  lv->hi = g_new (gfloat, n);
  lv->sig = g_new (gfloat, n);
  lv->g = g_new (gfloat, n);
  lv->gbar = g_new (gfloat, n);
  /* px, py, then one zero row in front of each, so px[−1] and py[−w] of
   * the first row read zeros. */
  lv->pblock = g_new0 (gfloat, 2 * (n + lv->w));
  lv->px = lv->pblock + lv->w;
  lv->py = lv->pblock + 2 * lv->w + n;
  lv->u = g_new0 (gfloat, n);
  lv->comp = g_new (gint32, n);
}

static void
level_free_state (Level *lv)
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
  g_free (lv->members);
  g_free (lv->start);
  lv->s = lv->tau = lv->pblock = NULL;
  lv->c = lv->hi = lv->sig = lv->g = lv->gbar = lv->px = lv->py = lv->u = NULL;
  lv->comp = lv->members = lv->start = NULL;
}

static void
level_free (Level *lv)
{
  level_free_state (lv);
  g_free (lv->v);
  lv->v = NULL;
}

/* s, hi and c from V (Eq. 19–23 with the sign fixed). */
static void
level_prepare (Level *lv, gfloat contrast, gfloat max_gain)
{
  const gint w = lv->w, h = lv->h;
  gfloat    *tmp = g_new (gfloat, 2 * (gsize) w);
  gfloat    *sf = g_new (gfloat, (gsize) w * h);

  level_alloc_state (lv);
  level_plateaus (lv);
  for (gint y = 0; y < h; y++)
    {
      box_row (lv->v, NULL, w, h, y, tmp, tmp + w);
      for (gint x = 0; x < w; x++)
        {
          gsize  i = (gsize) y * w + x;
          gfloat d = lv->v[i] - tmp[w + x];
          gfloat aii = self_weight_1d (x, w) * self_weight_1d (y, h);
          gfloat rowsum = lv->v[i] * (1.0f - aii) + tmp[w + x] - aii * lv->v[i];

          lv->s[i] = d > EVENLIGHT_LAIC_SIGN_EPS ? 1 : (d < -EVENLIGHT_LAIC_SIGN_EPS ? -1 : 0);
          sf[i] = lv->s[i];
          lv->hi[i] = MIN (1.0f / lv->v[i], max_gain);
          /* σ(i) = 1 / row sum of |r| (0 for a single pixel: r ≡ 0). */
          lv->sig[i] = rowsum > 1e-12f ? 1.0f / rowsum : 0.0f;
          lv->tau[i] = primal_step (lv, x, y, lv->v[i]);
        }
    }
  for (gint y = 0; y < h; y++)
    {
      box_row (sf, NULL, w, h, y, tmp, tmp + w);
      for (gint x = 0; x < w; x++)
        {
          gsize i = (gsize) y * w + x;
          lv->c[i] = -contrast * lv->v[i] * (sf[i] - tmp[w + x]);
        }
    }
  g_free (sf);
  g_free (tmp);
}

/* The largest constant gain that is feasible: every pixel ≤ 1. */
static gfloat
level_flat_gain (const Level *lv)
{
  gfloat vmax = 0.0f;

  for (gsize i = 0; i < (gsize) lv->w * lv->h; i++)
    vmax = MAX (vmax, lv->v[i]);
  return 1.0f / vmax;
}

static void
level_downsample (const Level *fine, Level *coarse)
{
  level_alloc (coarse, (fine->w + 1) / 2, (fine->h + 1) / 2);
  for (gint y = 0; y < coarse->h; y++)
    for (gint x = 0; x < coarse->w; x++)
      {
        gint   x0 = 2 * x, y0 = 2 * y;
        gint   x1 = MIN (x0 + 1, fine->w - 1), y1 = MIN (y0 + 1, fine->h - 1);
        gfloat m = fine->v[(gsize) y0 * fine->w + x0] + fine->v[(gsize) y0 * fine->w + x1]
                 + fine->v[(gsize) y1 * fine->w + x0] + fine->v[(gsize) y1 * fine->w + x1];
        coarse->v[(gsize) y * coarse->w + x] = 0.25f * m;
      }
}

/* Start @fine from @coarse: nearest-neighbour gain (clipped to the box) and
 * TV duals; the constraint duals start at 0. */
static void
level_upsample (const Level *coarse, Level *fine)
{
  for (gint y = 0; y < fine->h; y++)
    for (gint x = 0; x < fine->w; x++)
      {
        gsize i = (gsize) y * fine->w + x;
        gsize j = (gsize) (y / 2) * coarse->w + x / 2;
        fine->g[i] = MIN (coarse->g[j], fine->hi[i]);
        fine->px[i] = coarse->px[j];
        fine->py[i] = coarse->py[j];
        fine->u[i] = 0.0f;
      }
  level_plateau_mean (fine, fine->g);
}

static void
level_solve (Level *lv, gint iterations, gint n_threads)
{
  for (gint k = 0; k < iterations; k++)
    {
      run_range (pass_primal, lv, lv->h, n_threads);
      run_range (pass_plateaus, lv, lv->n_comp, n_threads);
      run_range (pass_dual, lv, lv->h, n_threads);
    }
}

/* r(g)(i) = V g − A(V g), into @r. */
static void
level_residual (const Level *lv, const gfloat *g, gfloat *r)
{
  gfloat *tmp = g_new (gfloat, 2 * (gsize) lv->w);

  for (gint y = 0; y < lv->h; y++)
    {
      box_row (lv->v, g, lv->w, lv->h, y, tmp, tmp + lv->w);
      for (gint x = 0; x < lv->w; x++)
        {
          gsize i = (gsize) y * lv->w + x;
          r[i] = lv->v[i] * g[i] - tmp[lv->w + x];
        }
    }
  g_free (tmp);
}

/* Row i of r: r(g)(i) = Σ_k vals[k] g(cols[k]) (≤ 9 distinct pixels). */
static gint
row_coeffs (const Level *lv, gint x, gint y, gint *cols, gfloat *vals)
{
  gint   len = 1;
  gsize  i = (gsize) y * lv->w + x;

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

static inline void
queue_push (gint *queue, guint8 *queued, gsize n, gsize head, gsize *count, gint j)
{
  if (!queued[j])
    {
      queued[j] = 1;
      queue[(head + *count) % n] = j;
      (*count)++;
    }
}

/* Queues the rows whose neighbourhood contains pixel @j. */
static inline void
queue_around (const Level *lv, gint *queue, guint8 *queued, gsize head, gsize *count, gint j)
{
  gint x = j % lv->w, y = j / lv->w;

  for (gint dy = -1; dy <= 1; dy++)
    for (gint dx = -1; dx <= 1; dx++)
      queue_push (queue, queued, (gsize) lv->w * lv->h, head, count,
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

/* Local repair before the global blend, by flattening: the gain is kept as
 * a set of regions of constant gain (at first the plateaus and single
 * pixels). A violated row merges the regions its neighbourhood touches into
 * one, which takes the gain of the largest (lowered to the smallest upper
 * bound among them): a row whose neighbourhood has one gain c has
 * r = c (V − AV), which satisfies its constraint. Merging changes the gain
 * only of the smaller regions (unless lowered), so only their rows are
 * checked again. Every fix is a merge, so it ends, at worst with one
 * constant gain, which is feasible; in practice the regions stay small and
 * sit where the iterate had not yet settled. Serial, hence independent of
 * the number of threads. */
static void
level_repair_local (Level *lv, const gfloat *r, gdouble tol)
{
  const gsize n = (gsize) lv->w * lv->h;
  gint32     *parent = g_new (gint32, n), *size = g_new (gint32, n);
  gint32     *next = g_new (gint32, n), *tail = g_new (gint32, n);
  gfloat     *cg = g_new (gfloat, n), *chi = g_new (gfloat, n);
  guint8     *queued = g_new0 (guint8, n);
  gint       *queue = g_new (gint, n);
  gsize       head = 0, count = 0, merges = 0;

  for (gsize i = 0; i < n; i++)
    {
      parent[i] = tail[i] = (gint32) i;
      size[i] = 1;
      next[i] = -1;
      cg[i] = lv->g[i];
      chi[i] = lv->hi[i];
    }
  /* Plateaus are regions from the start (their gain is already constant). */
  for (gint k = 0; k < lv->n_comp; k++)
    {
      gint32 first = lv->members[lv->start[k]];
      for (gint m = lv->start[k] + 1; m < lv->start[k + 1]; m++)
        {
          gint32 j = lv->members[m];
          parent[j] = first;
          next[tail[first]] = j;
          tail[first] = j;
          size[first]++;
        }
    }
  /* Violations up to @tol are left to the blend, which fixes them at a
   * cost proportional to their size; only larger ones are flattened. */
  for (gsize i = 0; i < n; i++)
    if (lv->s[i] == 0 ? fabs (r[i]) > tol : lv->s[i] * r[i] < -tol)
      {
        queue[count++] = (gint) i;
        queued[i] = 1;
      }
  while (count > 0)
    {
      gint    i = queue[head], x = i % lv->w, y = i / lv->w;
      gint    cols[9], len, nr = 0, big = 0;
      gint32  roots[9];
      gfloat  vals[9], lim, gnew;
      gdouble ri = 0.0;

      head = (head + 1) % n;
      count--;
      queued[i] = 0;
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
  for (gsize i = 0; i < n; i++)
    lv->g[i] = cg[root_of (parent, (gint32) i)];
  if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
    g_printerr ("laic: local repair: %lu merges\n", (gulong) merges);
  g_free (parent);
  g_free (size);
  g_free (next);
  g_free (tail);
  g_free (cg);
  g_free (chi);
  g_free (queued);
  g_free (queue);
}

/* The feasibility step (file comment). */
static void
level_make_feasible (Level *lv, gfloat g0)
{
  const gsize n = (gsize) lv->w * lv->h;
  const gdouble tol = 0.5 * EVENLIGHT_LAIC_FEAS_TOL;
  gfloat     *r = g_new (gfloat, n);
  gfloat     *flat = g_new (gfloat, n);
  gfloat     *r0 = g_new (gfloat, n);
  gdouble     t = 0.0;

  level_residual (lv, lv->g, r);
  level_repair_local (lv, r, tol);
  level_residual (lv, lv->g, r);
  for (gsize i = 0; i < n; i++)
    flat[i] = g0;
  level_residual (lv, flat, r0);
  for (gsize i = 0; i < n; i++)
    {
      gdouble ti = 0.0;

      if (lv->s[i] != 0)
        {
          gdouble a = lv->s[i] * (gdouble) r[i], b = lv->s[i] * (gdouble) r0[i];
          /* Blend reaches a ≥ 0 (the target is strictly inside when b > 0). */
          if (a < 0.0)
            ti = b > a ? -a / (b - a) : 1.0;
        }
      else
        {
          gdouble a = fabs ((gdouble) r[i]);
          if (a > tol)
            ti = 1.0 - tol / a;
        }
      t = MAX (t, ti);
    }
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
      t = MIN (1.0, t * (1.0 + 1e-6) + 1e-7);
      for (gsize i = 0; i < n; i++)
        lv->g[i] = (gfloat) ((1.0 - t) * lv->g[i] + t * g0);
    }
  g_free (r);
  g_free (flat);
  g_free (r0);
}

/* Iterations of level @k (0 = full resolution). The work level is the
 * finest with at most WORK_PIXELS pixels: it runs @iterations; each coarser
 * level twice as many as the one above it (up to MAX_COARSE_ITERATIONS),
 * each finer level a quarter (at least MIN_ITERATIONS), so that the cost of
 * a large photo stays about that of a 2-megapixel one. */
static gint
level_iterations (GPtrArray *levels, gint k, gint iterations)
{
  gint work = 0, iters = iterations;

  while (work < (gint) levels->len - 1)
    {
      const Level *l = g_ptr_array_index (levels, work);
      if ((gint64) l->w * l->h <= WORK_PIXELS)
        break;
      work++;
    }
  for (gint j = work; j < k && iters < MAX_COARSE_ITERATIONS; j++)
    iters *= 2;
  if (k > work)
    iters = MIN (iters, MAX (MAX_COARSE_ITERATIONS, iterations));
  for (gint j = k; j < work; j++)
    iters = MAX (MIN_ITERATIONS, iters / 4);
  return iters;
}

/* ---- public ------------------------------------------------------------- */

gfloat
evenlight_laic_lambda (const gfloat *level, gsize n, gfloat contrast, gfloat max_gain)
{
  gfloat vmax = EVENLIGHT_LAIC_MIN_LEVEL;

  for (gsize i = 0; i < n; i++)
    vmax = MAX (vmax, level[i]);
  return contrast * MIN (1.0f / vmax, max_gain);
}

static inline gfloat
sanitize (gfloat v)
{
  return v >= 0.0f ? (v <= 1.0f ? v : 1.0f) : 0.0f;
}

gboolean
evenlight_laic (const EvenlightLaicParams *params,
                gfloat                    *rgb,
                gint                       width,
                gint                       height,
                gint                       n_threads,
                gfloat                    *gain_out,
                GError                   **error)
{
  GPtrArray *levels;
  Level     *lv;
  gfloat     g0;
  gsize      n;
  gint       k, iters;
  gfloat     lambda;

  g_return_val_if_fail (params != NULL && rgb != NULL, FALSE);
  if (!evenlight_laic_params_validate (params, error))
    return FALSE;
  if (width <= 0 || height <= 0 || (gint64) width * height > (G_GINT64_CONSTANT (1) << 31))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "LAIC: image size %d × %d is empty or too large", width, height);
      return FALSE;
    }
  if (n_threads <= 0)
    n_threads = (gint) g_get_num_processors ();
  n = (gsize) width * height;

  levels = g_ptr_array_new ();
  lv = g_new0 (Level, 1);
  level_alloc (lv, width, height);
  for (gsize i = 0; i < n; i++)
    {
      gfloat *p = rgb + 3 * i;
      p[0] = sanitize (p[0]);
      p[1] = sanitize (p[1]);
      p[2] = sanitize (p[2]);
      lv->v[i] = MAX (MAX (p[0], p[1]), MAX (p[2], EVENLIGHT_LAIC_MIN_LEVEL));
    }
  g_ptr_array_add (levels, lv);
  lambda = evenlight_laic_lambda (lv->v, n, params->contrast, params->max_gain);
  while (MAX (lv->w, lv->h) > COARSEST_SIDE)
    {
      Level *c = g_new0 (Level, 1);
      level_downsample (lv, c);
      g_ptr_array_add (levels, c);
      lv = c;
    }
  /* Coarsest first, from the flat, feasible gain; each finer level starts
   * from the one below, which is then released. */
  for (k = (gint) levels->len - 1; k >= 0; k--)
    {
      lv = g_ptr_array_index (levels, k);
      level_prepare (lv, lambda, params->max_gain);
      if (k == (gint) levels->len - 1)
        {
          g0 = MIN (level_flat_gain (lv), params->max_gain);
          for (gsize i = 0; i < (gsize) lv->w * lv->h; i++)
            lv->g[i] = MIN (g0, lv->hi[i]);
        }
      else
        {
          Level *coarse = g_ptr_array_index (levels, k + 1);
          level_upsample (coarse, lv);
          level_free_state (coarse);
        }
      iters = level_iterations (levels, k, params->iterations);
      if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
        g_printerr ("laic: level %d: %dx%d, %d plateaus, %d iterations\n",
                    k, lv->w, lv->h, lv->n_comp, iters);
      level_solve (lv, iters, n_threads);
    }

  lv = g_ptr_array_index (levels, 0);
  g0 = MIN (level_flat_gain (lv), params->max_gain);
  /* The duals are done with: release them before the repair's arrays. */
  g_clear_pointer (&lv->pblock, g_free);
  g_clear_pointer (&lv->u, g_free);
  g_clear_pointer (&lv->gbar, g_free);
  g_clear_pointer (&lv->tau, g_free);
  g_clear_pointer (&lv->c, g_free);
  lv->px = lv->py = NULL;
  level_make_feasible (lv, g0);

  for (gsize i = 0; i < n; i++)
    {
      gfloat  g = lv->g[i];
      gfloat *p = rgb + 3 * i;
      p[0] = MIN (1.0f, p[0] * g);
      p[1] = MIN (1.0f, p[1] * g);
      p[2] = MIN (1.0f, p[2] * g);
      if (gain_out)
        gain_out[i] = g;
    }

  for (guint l = 0; l < levels->len; l++)
    {
      Level *L = g_ptr_array_index (levels, l);
      level_free (L);
      g_free (L);
    }
  g_ptr_array_free (levels, TRUE);
  return TRUE;
}

gdouble
evenlight_laic_objective (const gfloat *level,
                          const gfloat *gain,
                          gint          width,
                          gint          height,
                          gfloat        contrast,
                          gfloat        max_gain,
                          gdouble      *max_violation)
{
  Level   lv;
  gsize   n = (gsize) width * height;
  gfloat *r;
  gdouble tv = 0.0, con = 0.0, viol = 0.0;

  memset (&lv, 0, sizeof lv);
  level_alloc (&lv, width, height);
  memcpy (lv.v, level, n * sizeof (gfloat));
  contrast = evenlight_laic_lambda (level, n, contrast, max_gain);
  level_prepare (&lv, contrast, max_gain);
  r = g_new (gfloat, n);
  level_residual (&lv, gain, r);
  for (gint y = 0; y < height; y++)
    for (gint x = 0; x < width; x++)
      {
        gsize   i = (gsize) y * width + x;
        gdouble g = gain[i], jt = g * level[i];

        if (x < width - 1) tv += fabs ((gdouble) gain[i + 1] - g);
        if (y < height - 1) tv += fabs ((gdouble) gain[i + width] - g);
        con += fabs ((gdouble) r[i]);
        viol = MAX (viol, -jt);
        viol = MAX (viol, jt - 1.0);
        viol = MAX (viol, (g - max_gain) * level[i]);
        if (lv.s[i] != 0)
          viol = MAX (viol, -lv.s[i] * (gdouble) r[i]);
        else
          viol = MAX (viol, fabs ((gdouble) r[i]));
      }
  if (max_violation)
    *max_violation = viol;
  g_free (r);
  level_free (&lv);
  return tv - contrast * con;
}
