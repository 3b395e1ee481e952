/* Internal to LAIC (laic.c: parameters, the coarse-to-fine driver and the
 * colour application; laic-coarse.c: a level's gain for the preview;
 * laic-solve.c: one level of the program and its primal–dual solver;
 * laic-plateaus.c: the flat regions of a level; laic-repair.c: the exact
 * feasibility step). Not installed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Notation as in laic.c: V the floored bright channel, g the gain, A the
 * 3 × 3 clamp-to-edge mean, s = sgn(V − AV), r(g) = V g − A(V g).
 */
#ifndef EVENLIGHT_LAIC_PRIVATE_H
#define EVENLIGHT_LAIC_PRIVATE_H

#include <glib.h>

#include "image.h"
#include "parallel.h"

G_BEGIN_DECLS

/* One level of the program: V and, while it is being solved, the state of
 * the solver. */
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
  gint32 *start;   /* n_comp + 1 offsets: plateau k's pixels are its
                    * members start[k] … start[k + 1] − 1          */
  gint32 *rstart;  /* n_comp + 1 offsets into the runs            */
  gint32 *runs;    /* 2 gint32 each, first pixel and length: plateau
                    * k's pixels in pixel order are those of runs
                    * rstart[k] … rstart[k + 1] − 1; a run lies in
                    * one row and has one step τ (a row's first and
                    * last pixels are runs of their own)           */
  gdouble *rweight; /* 1/τ of each run's pixels                   */
  gdouble *pweight; /* Σ 1/τ over each plateau                    */
} Level;

/* Whole-level arrays (evenlight_alloc_large: fewer page faults). */
#define laic_new(T, n)  ((T *) evenlight_alloc_large (sizeof (T) * (gsize) (n)))
#define laic_new0(T, n) ((T *) evenlight_alloc_large0 (sizeof (T) * (gsize) (n)))

static inline gfloat
clampf (gfloat v, gfloat lo, gfloat hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* A colour value clamped to [0, 1], NaN to 0. */
static inline gfloat
laic_sanitize (gfloat v)
{
  return v >= 0.0f ? (v <= 1.0f ? v : 1.0f) : 0.0f;
}

/* laic-solve.c */

/* A pass over items [@y0, @y1) (rows, or plateaus) of @lv; @scratch holds
 * 2 w floats; @data is the caller's. */
typedef void (*LaicRowFunc) (Level *lv, gint y0, gint y1, gfloat *scratch, gpointer data);

/* Runs @func over items [0, @n_items) on up to @n_threads threads, each
 * thread a contiguous band (core/parallel.h); a pass whose items write
 * only their own output gives the same result on any number of threads. */
void   evenlight_laic_run_rows         (LaicRowFunc func, Level *lv, gint n_items,
                                        gint n_threads, gpointer data);
/* The number of bands evenlight_laic_run_rows() cuts @n_items of @lv
 * into (band k: items [n_items · k / bands, n_items · (k + 1) / bands)). */
gint   evenlight_laic_bands            (const Level *lv, gint n_items, gint n_threads);

/* The first item of band @b of @n_bands over [0, @n_items). */
static inline gint
laic_band_start (gint n_items, gint b, gint n_bands)
{
  return (gint) ((gint64) n_items * b / n_bands);
}

/* V of @w × @h pixels (uninitialised); the rest stays NULL. */
void   evenlight_laic_level_alloc      (Level *lv, gint w, gint h);
/* Frees everything but V. */
void   evenlight_laic_level_free_state (Level *lv);
/* Frees everything but V, g, px and py (what the upsampling reads). */
void   evenlight_laic_level_free_unread (Level *lv);
void   evenlight_laic_level_free       (Level *lv);
/* Allocates the state and computes s, the box, the cost c (λ2 = @contrast)
 * and the steps from V; finds the plateaus. */
void   evenlight_laic_level_prepare    (Level *lv, gfloat contrast, gfloat max_gain,
                                        gint n_threads);
/* The largest constant gain that is feasible: every pixel ≤ 1. */
gfloat evenlight_laic_level_flat_gain  (const Level *lv);
/* @coarse (allocated here) is @fine with V averaged 2 × 2. */
void   evenlight_laic_level_downsample (const Level *fine, Level *coarse, gint n_threads);
/* Starts @fine (prepared) from the solution of @coarse. */
void   evenlight_laic_level_upsample   (const Level *coarse, Level *fine, gint n_threads);
/* @iterations primal–dual iterations on @n_threads threads; FALSE, the
 * iterate unfinished, as soon as *@cancel (nullable) is non-zero. */
gboolean evenlight_laic_level_solve    (Level *lv, gint iterations, gint n_threads,
                                        const gint *cancel);
/* r(g) into @r. */
void   evenlight_laic_level_residual   (const Level *lv, const gfloat *g, gfloat *r,
                                        gint n_threads);

/* laic-plateaus.c */

/* Finds the plateaus of @lv (prepared: V and the state allocated): comp,
 * n_comp, start, rstart and runs, on @n_threads threads (the same result on
 * any number). */
void   evenlight_laic_level_find_plateaus (Level *lv, gint n_threads);
/* Runs @func over plateaus [0, n_comp) of @lv in bands of about as many
 * pixels each, on @n_threads threads. */
void   evenlight_laic_run_plateaus        (LaicRowFunc func, Level *lv, gint n_threads,
                                           gpointer data);
/* Sets every plateau of @g to its mean (after an initialisation). */
void   evenlight_laic_level_plateau_mean  (Level *lv, gfloat *g, gint n_threads);
/* The plateau projection of one iteration. Both split the plateaus into
 * bands of about as many members each, on @n_threads threads (the same
 * result on any number). */
void   evenlight_laic_level_project_plateaus (Level *lv, gint n_threads);

/* laic-repair.c */

/* Makes lv->g feasible within EVENLIGHT_LAIC_FEAS_TOL (laic.c explains
 * how); @g0 is the flat gain; the residuals on @n_threads threads. Uses the
 * duals, gbar, τ, σ and c as its own arrays and frees them. */
void   evenlight_laic_level_make_feasible (Level *lv, gfloat g0, gint n_threads);

G_END_DECLS

#endif /* EVENLIGHT_LAIC_PRIVATE_H */
