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
 * Coarse to fine: V is averaged 2 × 2 down to ≤ 48 pixels a side; each
 * level starts from the gain (and TV dual) of the level below, the coarsest
 * from the constant gain that stretches the brightest pixel to 1. Coarser
 * levels are cheap, so they run more iterations (twice as many per level,
 * up to MAX_COARSE_ITERATIONS).
 *
 * The last iterate is box-feasible but may violate the sign constraints a
 * little. Feasibility step: g ← (1 − t) g + t g0 with g0 that constant gain
 * (which satisfies every constraint) and the smallest t ∈ [0, 1] making
 * every constraint hold within EVENLIGHT_LAIC_FEAS_TOL. The constraints are
 * linear, so this is exact, and it costs objective only in proportion to t.
 */
#include "laic.h"

#include <math.h>
#include <string.h>

#include "evenlight.h"

#define COARSEST_SIDE          48
#define MAX_COARSE_ITERATIONS  1200

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
  gint8  *s;       /* sgn(V − AV)                                 */
  gfloat *c;       /* linear cost                                 */
  gfloat *hi;      /* upper bound of the gain                     */
  gfloat *sig;     /* dual step of the constraint rows            */
  gfloat *g;       /* primal iterate                              */
  gfloat *gbar;    /* extrapolated primal 2 g_new − g_old         */
  gfloat *px, *py; /* TV duals (forward differences in x and y)   */
  gfloat *u;       /* constraint duals, sign of s folded in       */
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
box_row (const gfloat *a, const gfloat *b, gint w, gint h, gint y, gfloat *tmp,
         gfloat *out)
{
  const gint ys[3] = { MAX (y - 1, 0), y, MIN (y + 1, h - 1) };
  gint x;

  for (x = 0; x < w; x++)
    tmp[x] = 0.0f;
  for (gint k = 0; k < 3; k++)
    {
      const gfloat *ra = a + (gsize) ys[k] * w;
      const gfloat *rb = b ? b + (gsize) ys[k] * w : NULL;
      for (x = 0; x < w; x++)
        tmp[x] += rb ? ra[x] * rb[x] : ra[x];
    }
  for (x = 0; x < w; x++)
    {
      gfloat l = tmp[MAX (x - 1, 0)], r = tmp[MIN (x + 1, w - 1)];
      out[x] = (l + tmp[x] + r) * (1.0f / 9.0f);
    }
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

/* Each row is written by exactly one thread and reads only arrays the pass
 * does not write, so the result does not depend on the number of threads. */
static void
run_rows (RowFunc func, Level *lv, gint n_threads)
{
  Job      jobs[64];
  GThread *threads[64];
  gint     n, k;

  n = CLAMP (n_threads, 1, 64);
  n = MIN (n, MAX (1, lv->h / 16));
  for (k = 0; k < n; k++)
    {
      jobs[k].func = func;
      jobs[k].lv = lv;
      jobs[k].y0 = (gint) ((gint64) lv->h * k / n);
      jobs[k].y1 = (gint) ((gint64) lv->h * (k + 1) / n);
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
 * rᵀu = V (u − A u) (A symmetric). ∇ᵀp is minus the divergence. */
static void
pass_primal (Level *lv, gint y0, gint y1, gfloat *scratch)
{
  const gint w = lv->w, h = lv->h;
  gfloat    *au = scratch + w;

  for (gint y = y0; y < y1; y++)
    {
      box_row (lv->u, NULL, w, h, y, scratch, au);
      for (gint x = 0; x < w; x++)
        {
          gsize  i = (gsize) y * w + x;
          gfloat v = lv->v[i];
          gfloat div = 0.0f, gt, gn;

          if (x < w - 1) div += lv->px[i];
          if (x > 0)     div -= lv->px[i - 1];
          if (y < h - 1) div += lv->py[i];
          if (y > 0)     div -= lv->py[i - w];
          gt = lv->c[i] - div - v * (lv->u[i] - au[x]);
          gn = lv->g[i] - primal_step (lv, x, y, v) * gt;
          gn = gn < 0.0f ? 0.0f : (gn > lv->hi[i] ? lv->hi[i] : gn);
          lv->gbar[i] = 2.0f * gn - lv->g[i];
          lv->g[i] = gn;
        }
    }
}

/* Dual: p = clip(p + ½ ∇gbar, −1, 1); u = proj(u − σ r(gbar)) with
 * σ(i) = 1 / (V(i)(1 − A_ii) + (AV)(i) − A_ii V(i)), the row sum of |r|
 * (level_prepare). */
static void
pass_dual (Level *lv, gint y0, gint y1, gfloat *scratch)
{
  const gint w = lv->w, h = lv->h;
  gfloat    *avg = scratch + w;

  for (gint y = y0; y < y1; y++)
    {
      box_row (lv->v, lv->gbar, w, h, y, scratch, avg);
      for (gint x = 0; x < w; x++)
        {
          gsize  i = (gsize) y * w + x;
          gfloat gb = lv->gbar[i], v = lv->v[i];
          gfloat r = v * gb - avg[x];
          gfloat un;

          if (x < w - 1)
            lv->px[i] = CLAMP (lv->px[i] + 0.5f * (lv->gbar[i + 1] - gb), -1.0f, 1.0f);
          if (y < h - 1)
            lv->py[i] = CLAMP (lv->py[i] + 0.5f * (lv->gbar[i + w] - gb), -1.0f, 1.0f);
          un = lv->u[i] - lv->sig[i] * r;
          if (lv->s[i] > 0 && un < 0.0f)
            un = 0.0f;
          else if (lv->s[i] < 0 && un > 0.0f)
            un = 0.0f;
          lv->u[i] = un;
        }
    }
}

/* ---- set-up ------------------------------------------------------------- */

static void
level_alloc (Level *lv, gint w, gint h)
{
  gsize n = (gsize) w * h;

  lv->w = w;
  lv->h = h;
  lv->v = g_new (gfloat, n);
  lv->s = g_new (gint8, n);
  lv->c = g_new (gfloat, n);
  lv->hi = g_new (gfloat, n);
  lv->sig = g_new (gfloat, n);
  lv->g = g_new (gfloat, n);
  lv->gbar = g_new (gfloat, n);
  lv->px = g_new0 (gfloat, n);
  lv->py = g_new0 (gfloat, n);
  lv->u = g_new0 (gfloat, n);
}

static void
level_free (Level *lv)
{
  g_free (lv->v);
  g_free (lv->s);
  g_free (lv->c);
  g_free (lv->hi);
  g_free (lv->sig);
  g_free (lv->g);
  g_free (lv->gbar);
  g_free (lv->px);
  g_free (lv->py);
  g_free (lv->u);
}

/* s, hi and c from V (Eq. 19–23 with the sign fixed). */
static void
level_prepare (Level *lv, gfloat contrast, gfloat max_gain)
{
  const gint w = lv->w, h = lv->h;
  gfloat    *tmp = g_new (gfloat, 2 * (gsize) w);
  gfloat    *sf = g_new (gfloat, (gsize) w * h);

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
}

static void
level_solve (Level *lv, gint iterations, gint n_threads)
{
  for (gint k = 0; k < iterations; k++)
    {
      run_rows (pass_primal, lv, n_threads);
      run_rows (pass_dual, lv, n_threads);
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
    g_printerr ("laic: %d×%d feasibility blend t = %g\n", lv->w, lv->h, t);
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

/* ---- public ------------------------------------------------------------- */

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
  while (MAX (lv->w, lv->h) > COARSEST_SIDE)
    {
      Level *c = g_new0 (Level, 1);
      level_downsample (lv, c);
      g_ptr_array_add (levels, c);
      lv = c;
    }
  for (guint l = 0; l < levels->len; l++)
    {
      Level *L = g_ptr_array_index (levels, l);
      level_prepare (L, params->contrast, params->max_gain);
    }

  /* Coarsest: start from the flat, feasible gain. */
  lv = g_ptr_array_index (levels, levels->len - 1);
  g0 = MIN (level_flat_gain (lv), params->max_gain);
  for (gsize i = 0; i < (gsize) lv->w * lv->h; i++)
    lv->g[i] = MIN (g0, lv->hi[i]);
  for (k = (gint) levels->len - 1; k >= 0; k--)
    {
      lv = g_ptr_array_index (levels, k);
      if (k < (gint) levels->len - 1)
        level_upsample (g_ptr_array_index (levels, k + 1), lv);
      iters = params->iterations;
      for (gint j = 0; j < k && iters < MAX_COARSE_ITERATIONS; j++)
        iters *= 2;
      if (k > 0)
        iters = MIN (iters, MAX (MAX_COARSE_ITERATIONS, params->iterations));
      level_solve (lv, iters, n_threads);
    }

  lv = g_ptr_array_index (levels, 0);
  g0 = MIN (level_flat_gain (lv), params->max_gain);
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
  gfloat *r, *r0;
  gdouble tv = 0.0, con = 0.0, viol = 0.0;

  memset (&lv, 0, sizeof lv);
  level_alloc (&lv, width, height);
  memcpy (lv.v, level, n * sizeof (gfloat));
  level_prepare (&lv, contrast, max_gain);
  r = g_new (gfloat, n);
  r0 = g_new (gfloat, n);
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
  g_free (r0);
  level_free (&lv);
  return tv - contrast * con;
}
