/* LAIC: the illumination-compensation linear program (paper Eq. 19–23),
 * solved by a preconditioned primal–dual method, coarse to fine.
 *
 * This file: the parameters, the coarse-to-fine driver, the colour
 * application and the objective (for tests); laic-solve.c: one level of the
 * program and the primal–dual iterations; laic-plateaus.c: the flat
 * regions of a level; laic-repair.c: the exact feasibility step;
 * laic-coarse.c: a level's gain for the preview. The comment below
 * explains the method for all of them.
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
 * Plateaus (laic-plateaus.c): where a whole 3 × 3 neighbourhood has one
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
 * box-feasible but may violate sign constraints (about 2 % of the rows of a
 * noisy photo after 60 iterations). First cyclic projections onto the
 * violated rows (level_repair_project) move the gain by the least local
 * change; rows they cannot fix within their budget are flattened
 * (level_repair_local); then g ← (1 − t) g + t g0, with g0 the constant gain
 * (which satisfies every constraint) and the smallest t ∈ [0, 1] making
 * every constraint hold within EVENLIGHT_LAIC_FEAS_TOL. The constraints are
 * linear, so the blend is exact, and it costs objective only in proportion
 * to t (about 0.002 on photographs after the repair).
 *
 * Setting EVENLIGHT_LAIC_DEBUG prints the levels, iterations, repair and
 * blend to stderr.
 */
#include "laic.h"
#include "laic-private.h"

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

struct _EvenlightLaicSolver
{
  gint       width, height, n_threads;
  GPtrArray *levels;   /* Level *, full resolution first; only w, h, v set */
  gfloat     vmax;     /* the largest floored level at full resolution   */
};

typedef struct
{
  const gfloat *in;
  gfloat       *rgb, *gain_out;
  gfloat       *row_max;   /* the largest V of each row */
} Colour;

/* Rows [@y0, @y1): the floored bright channel V of the sanitised input. */
static void
level_rows (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  const Colour *col = data;

  (void) scratch;
  for (gint y = y0; y < y1; y++)
    {
      gfloat vmax = EVENLIGHT_LAIC_MIN_LEVEL;
      for (gsize i = (gsize) y * lv->w; i < (gsize) (y + 1) * lv->w; i++)
        {
          const gfloat *p = col->in + 3 * i;
          lv->v[i] = MAX (MAX (laic_sanitize (p[0]), laic_sanitize (p[1])),
                          MAX (laic_sanitize (p[2]), EVENLIGHT_LAIC_MIN_LEVEL));
          vmax = MAX (vmax, lv->v[i]);
        }
      col->row_max[y] = vmax;
    }
}

/* Rows [@y0, @y1): the gain applied to the three (sanitised) channels of
 * the input, into the output (the same buffer or another). */
static void
apply_rows (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data)
{
  const Colour *col = data;

  (void) scratch;
  for (gsize i = (gsize) y0 * lv->w; i < (gsize) y1 * lv->w; i++)
    {
      gfloat        g = lv->g[i];
      const gfloat *p = col->in + 3 * i;
      gfloat       *q = col->rgb + 3 * i;
      gfloat        r = laic_sanitize (p[0]), gr = laic_sanitize (p[1]), b = laic_sanitize (p[2]);
      q[0] = MIN (1.0f, r * g);
      q[1] = MIN (1.0f, gr * g);
      q[2] = MIN (1.0f, b * g);
      if (col->gain_out)
        col->gain_out[i] = g;
    }
}

static gboolean
check_size (gint width, gint height, GError **error)
{
  if (width <= 0 || height <= 0 || (gint64) width * height > (G_GINT64_CONSTANT (1) << 31))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "LAIC: image size %d × %d is empty or too large", width, height);
      return FALSE;
    }
  return TRUE;
}

EvenlightLaicSolver *
evenlight_laic_solver_new (const gfloat *rgb,
                           gint          width,
                           gint          height,
                           gint          n_threads,
                           GError      **error)
{
  EvenlightLaicSolver *solver;
  Level               *lv;
  Colour               colour = { rgb, NULL, NULL, NULL };

  g_return_val_if_fail (rgb != NULL, NULL);
  if (!check_size (width, height, error))
    return NULL;
  solver = g_new0 (EvenlightLaicSolver, 1);
  solver->width = width;
  solver->height = height;
  solver->n_threads = evenlight_parallel_threads (n_threads);
  solver->levels = g_ptr_array_new ();
  lv = g_new0 (Level, 1);
  evenlight_laic_level_alloc (lv, width, height);
  colour.row_max = g_new (gfloat, height);
  evenlight_laic_run_rows (level_rows, lv, lv->h, solver->n_threads, &colour);
  g_ptr_array_add (solver->levels, lv);
  solver->vmax = EVENLIGHT_LAIC_MIN_LEVEL;
  for (gint y = 0; y < height; y++)
    solver->vmax = MAX (solver->vmax, colour.row_max[y]);
  g_free (colour.row_max);
  while (MAX (lv->w, lv->h) > COARSEST_SIDE)
    {
      Level *c = g_new0 (Level, 1);
      evenlight_laic_level_downsample (lv, c, solver->n_threads);
      g_ptr_array_add (solver->levels, c);
      lv = c;
    }
  return solver;
}

void
evenlight_laic_solver_free (EvenlightLaicSolver *solver)
{
  if (solver == NULL)
    return;
  for (guint l = 0; l < solver->levels->len; l++)
    {
      Level *L = g_ptr_array_index (solver->levels, l);
      evenlight_laic_level_free (L);
      g_free (L);
    }
  g_ptr_array_free (solver->levels, TRUE);
  g_free (solver);
}

static gboolean
cancelled (const gint *cancel, GError **error)
{
  if (cancel == NULL || !g_atomic_int_get (cancel))
    return FALSE;
  g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED,
                       "LAIC: cancelled");
  return TRUE;
}

/* Reports level @k's gain to @func. */
static void
report_level (const EvenlightLaicSolver *solver, const Level *lv, gint k,
              const EvenlightLaicParams *params, EvenlightLaicLevelFunc func,
              gpointer data)
{
  EvenlightLaicCoarse coarse = {
    solver->width, solver->height, k, lv->w, lv->h,
    params->contrast, params->max_gain, lv->g
  };

  func (&coarse, data);
}

/* The coarse-to-fine solve of levels down to @stop (0: all of them); the
 * levels of @run borrow V from the solver. On success @run[stop] keeps its
 * state (the caller frees it), every other level's state is freed. */
static gboolean
solve_levels (EvenlightLaicSolver       *solver,
              const EvenlightLaicParams *params,
              Level                     *run,
              gint                       stop,
              EvenlightLaicLevelFunc     level_func,
              gpointer                   user_data,
              const gint                *cancel,
              GError                   **error)
{
  const gint n_levels = (gint) solver->levels->len;
  gint       n_threads = solver->n_threads;
  gfloat     lambda, g0;
  gint       k;

  if (!evenlight_laic_params_validate (params, error))
    return FALSE;
  lambda = params->contrast * MIN (1.0f / solver->vmax, params->max_gain);
  for (k = 0; k < n_levels; k++)
    {
      const Level *src = g_ptr_array_index (solver->levels, k);
      memset (&run[k], 0, sizeof run[k]);
      run[k].w = src->w;
      run[k].h = src->h;
      run[k].v = src->v;
    }
  /* Coarsest first, from the flat, feasible gain; each finer level starts
   * from the one below, which is then released. */
  for (k = n_levels - 1; k >= stop; k--)
    {
      gint64 tp0 = g_get_monotonic_time (), tp1;
      Level *lv = &run[k];
      gint   iters;

      if (cancelled (cancel, error))
        return FALSE;
      if (k < n_levels - 1)
        evenlight_laic_level_free_unread (&run[k + 1]);
      evenlight_laic_level_prepare (lv, lambda, params->max_gain, n_threads);
      if (k == n_levels - 1)
        {
          g0 = MIN (evenlight_laic_level_flat_gain (lv), params->max_gain);
          for (gsize i = 0; i < (gsize) lv->w * lv->h; i++)
            lv->g[i] = MIN (g0, lv->hi[i]);
        }
      else
        {
          evenlight_laic_level_upsample (&run[k + 1], lv, n_threads);
          evenlight_laic_level_free_state (&run[k + 1]);
        }
      iters = level_iterations (solver->levels, k, params->iterations);
      tp1 = g_get_monotonic_time ();
      if (!evenlight_laic_level_solve (lv, iters, n_threads, cancel))
        return !cancelled (cancel, error);
      if (g_getenv ("EVENLIGHT_LAIC_DEBUG"))
        g_printerr ("laic: level %d: %dx%d, %d plateaus, %d iterations; "
                    "set-up %.3f s, iterations %.3f s\n", k, lv->w, lv->h, lv->n_comp,
                    iters, (tp1 - tp0) / 1e6, (g_get_monotonic_time () - tp1) / 1e6);
      if (k > 0 && level_func != NULL)
        report_level (solver, lv, k, params, level_func, user_data);
    }
  return TRUE;
}

static void
run_free (Level *run, gint n_levels)
{
  for (gint k = 0; k < n_levels; k++)
    {
      evenlight_laic_level_free_state (&run[k]);
      run[k].v = NULL;   /* the solver's */
    }
  g_free (run);
}

gboolean
evenlight_laic_solver_preview (EvenlightLaicSolver       *solver,
                               const EvenlightLaicParams *params,
                               gsize                      max_pixels,
                               EvenlightLaicLevelFunc     level_func,
                               gpointer                   user_data,
                               const gint                *cancel,
                               GError                   **error)
{
  const gint n_levels = (gint) solver->levels->len;
  Level     *run = g_new0 (Level, n_levels);
  gint       stop = 0;
  gboolean   ok;

  while (stop < n_levels - 1)
    {
      const Level *l = g_ptr_array_index (solver->levels, stop);
      if ((gsize) l->w * l->h <= max_pixels)
        break;
      stop++;
    }
  ok = solve_levels (solver, params, run, stop, level_func, user_data, cancel, error);
  /* solve_levels reports every level but the full-resolution one. */
  if (ok && stop == 0 && level_func != NULL)
    report_level (solver, &run[0], 0, params, level_func, user_data);
  run_free (run, n_levels);
  return ok;
}

gboolean
evenlight_laic_solver_solve (EvenlightLaicSolver       *solver,
                             const EvenlightLaicParams *params,
                             const gfloat              *rgb_in,
                             gfloat                    *rgb_out,
                             gfloat                    *gain_out,
                             EvenlightLaicLevelFunc     level_func,
                             gpointer                   user_data,
                             const gint                *cancel,
                             GError                   **error)
{
  const gint n_levels = (gint) solver->levels->len;
  Level     *run = g_new0 (Level, n_levels), *lv = &run[0];
  Colour     colour = { rgb_in, rgb_out, gain_out, NULL };
  gfloat     g0;
  gboolean   ok = FALSE;

  g_return_val_if_fail (rgb_in != NULL && rgb_out != NULL, FALSE);
  if (!solve_levels (solver, params, run, 0, level_func, user_data, cancel, error)
      || cancelled (cancel, error))
    goto out;
  g0 = MIN (evenlight_laic_level_flat_gain (lv), params->max_gain);
  evenlight_laic_level_make_feasible (lv, g0, solver->n_threads);
  if (cancelled (cancel, error))
    goto out;
  evenlight_laic_run_rows (apply_rows, lv, lv->h, solver->n_threads, &colour);
  ok = TRUE;
out:
  run_free (run, n_levels);
  return ok;
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
  EvenlightLaicSolver *solver;
  gboolean             ok;

  g_return_val_if_fail (params != NULL && rgb != NULL, FALSE);
  if (!evenlight_laic_params_validate (params, error))
    return FALSE;
  solver = evenlight_laic_solver_new (rgb, width, height, n_threads, error);
  if (solver == NULL)
    return FALSE;
  ok = evenlight_laic_solver_solve (solver, params, rgb, rgb, gain_out, NULL, NULL, NULL,
                                    error);
  evenlight_laic_solver_free (solver);
  return ok;
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
  evenlight_laic_level_alloc (&lv, width, height);
  memcpy (lv.v, level, n * sizeof (gfloat));
  contrast = evenlight_laic_lambda (level, n, contrast, max_gain);
  evenlight_laic_level_prepare (&lv, contrast, max_gain, 1);
  r = laic_new (gfloat, n);
  evenlight_laic_level_residual (&lv, gain, r, 1);
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
  evenlight_laic_level_free (&lv);
  return tv - contrast * con;
}
