/* LAIC: locally adaptive illumination compensation of very dark photos
 * (Liu, Wu, Shu, "Learning-based Dequantization for Image Restoration
 * Against Extremely Poor Illumination", Eq. 19–23).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The compensated image is J̃ = g · Ja, with one gain g(i) per pixel applied
 * to all three colour channels. The gain solves the linear program
 *
 *   minimise  Σ_i D(g)(i) − λ2 Σ_i |J̃(i) − J̄(i)|
 *   s.t.      0 ≤ J̃(i) ≤ 1,  g(i) ≤ max_gain,
 *             sgn(J̃(i) − J̄(i)) = sgn(Ja(i) − J̄a(i))
 *
 * on the bright channel V = max(R, G, B) of Ja (so that V · g ≤ 1 keeps
 * every channel in range): D is the anisotropic total variation of the gain
 * (|g(x+1,y) − g(x,y)| + |g(x,y+1) − g(x,y)| over the pixel pairs inside the
 * image), J̄ the mean over the 3 × 3 neighbourhood with clamp-to-edge. With
 * the sign of each J̃(i) − J̄(i) fixed by Ja, the objective and all
 * constraints are linear; a pixel equal to its neighbourhood mean (sign 0)
 * must stay equal to it. Levels below EVENLIGHT_LAIC_MIN_LEVEL are raised to
 * it to define the gain. The solver is a diagonally preconditioned
 * primal–dual method (Chambolle–Pock) started coarse-to-fine, followed by an
 * exact feasibility step; core/laic.c explains it.
 */
#ifndef EVENLIGHT_LAIC_H
#define EVENLIGHT_LAIC_H

#include <glib.h>

#include "evenlight.h"

G_BEGIN_DECLS

/* The level V is floored at before the gain is defined (a quarter of an
 * 8-bit step): black pixels stay black whatever their gain. */
#define EVENLIGHT_LAIC_MIN_LEVEL (1.0f / 1020.0f)
/* |Ja(i) − J̄a(i)| at or below this counts as sign 0. */
#define EVENLIGHT_LAIC_SIGN_EPS  2e-7f
/* Every constraint holds within this after evenlight_laic(). */
#define EVENLIGHT_LAIC_FEAS_TOL  5e-5f

typedef struct
{
  gfloat contrast;    /* λ2 for the capture scaled to a brightest pixel
                       * of 1 (see evenlight_laic_lambda)                 */
  gfloat max_gain;    /* upper bound on the gain (> 0)                   */
  gint   iterations;  /* primal–dual iterations at full resolution (≥ 1);
                       * coarser levels run more (laic.c)                */
} EvenlightLaicParams;

#define EVENLIGHT_LAIC_DEFAULT_CONTRAST   1.0f
#define EVENLIGHT_LAIC_DEFAULT_MAX_GAIN   48.0f
#define EVENLIGHT_LAIC_DEFAULT_ITERATIONS 60

/* Fills @params with the defaults above. */
void     evenlight_laic_params_init_default (EvenlightLaicParams *params);

/* Checks every field (finite, in range); the message names the field. */
gboolean evenlight_laic_params_validate     (const EvenlightLaicParams *params,
                                             GError                   **error);

/* Compensates @rgb in place: @width × @height packed R'G'B' float
 * triplets (NaN becomes 0, values are clamped to [0, 1] first). On
 * @n_threads threads (0 = number of processors); the result does not depend
 * on @n_threads. If @gain_out is not NULL it receives the @width × @height
 * gains g (row-major), which evenlight_dequant_apply() takes to know how
 * coarse the quantisation of each compensated pixel is. */
gboolean evenlight_laic                     (const EvenlightLaicParams *params,
                                             gfloat                    *rgb,
                                             gint                       width,
                                             gint                       height,
                                             gint                       n_threads,
                                             gfloat                    *gain_out,
                                             GError                   **error);

/* ---- interactive use: a coarse answer first, a full solve that can stop */

/* The gain of one level of the coarse-to-fine solve: each of its pixels
 * stands for a block of 2^level × 2^level pixels of the image (V averaged
 * 2 × 2 per level, clamp-to-edge). Level EVENLIGHT_LAIC_LEVEL_SCALED: a
 * gain solved on a downscaled copy of the whole image, level_width ×
 * level_height spanning it. */
#define EVENLIGHT_LAIC_LEVEL_SCALED (-1)
typedef struct
{
  gint    width, height;              /* the image's size                  */
  gint    level;                      /* 0 = full resolution               */
  gint    level_width, level_height;
  gfloat  contrast, max_gain;         /* the parameters it was solved for  */
  gfloat *gain;                       /* level_width × level_height        */
} EvenlightLaicCoarse;

/* Called after each level of a solve but the full-resolution one, on the
 * solving thread; @coarse is valid during the call only
 * (evenlight_laic_coarse_copy keeps it). */
typedef void (*EvenlightLaicLevelFunc) (const EvenlightLaicCoarse *coarse,
                                        gpointer                   user_data);

/* The part of LAIC that depends on the image only (the floored bright
 * channel at every level), made once so that several solves (another
 * contrast, a coarse answer and a full solve at the same time) start from
 * it. @rgb: @width × @height packed R'G'B' float triplets, only read (NaN
 * counts as 0, values are clamped to [0, 1]). */
typedef struct _EvenlightLaicSolver EvenlightLaicSolver;

EvenlightLaicSolver *evenlight_laic_solver_new   (const gfloat  *rgb,
                                                  gint           width,
                                                  gint           height,
                                                  gint           n_threads,
                                                  GError       **error);
void                 evenlight_laic_solver_free  (EvenlightLaicSolver *solver);

/* The first steps of evenlight_laic_solver_solve(), from the coarsest level
 * up to the finest level with at most @max_pixels pixels (at least the
 * coarsest level): the same levels, starting points and iterations, so the
 * same gains. @level_func (nullable) receives each level's gain. Stops with
 * EVENLIGHT_ERROR_CANCELLED as soon as *@cancel (nullable, read atomically)
 * is non-zero. Several solves may run on one solver at once. */
gboolean evenlight_laic_solver_preview (EvenlightLaicSolver       *solver,
                                        const EvenlightLaicParams *params,
                                        gsize                      max_pixels,
                                        EvenlightLaicLevelFunc     level_func,
                                        gpointer                   user_data,
                                        const gint                *cancel,
                                        GError                   **error);

/* The whole solve: @rgb_in must hold the image the solver was made from
 * (it is read only at the end); @rgb_out (which may be @rgb_in) receives,
 * with @gain_out (nullable), exactly what evenlight_laic() gives for it.
 * @level_func, @cancel: as above (the coarser levels are reported as they
 * are solved; once cancelled, the outputs are untouched). */
gboolean evenlight_laic_solver_solve   (EvenlightLaicSolver       *solver,
                                        const EvenlightLaicParams *params,
                                        const gfloat              *rgb_in,
                                        gfloat                    *rgb_out,
                                        gfloat                    *gain_out,
                                        EvenlightLaicLevelFunc     level_func,
                                        gpointer                   user_data,
                                        const gint                *cancel,
                                        GError                   **error);

EvenlightLaicCoarse *evenlight_laic_coarse_copy (const EvenlightLaicCoarse *coarse);
void                 evenlight_laic_coarse_free (EvenlightLaicCoarse *coarse);

/* The compensation of @rect of the image by a coarse gain: the level's gain
 * interpolated bilinearly between the centres of its blocks, clipped to the
 * program's box min(1 / V, max_gain) of each pixel, applied to the three
 * channels of @rgb (the image's pixels in @rect: rect->width ×
 * rect->height packed triplets). @rgb_out receives as many triplets,
 * @gain_out (nullable) the gains. */
void     evenlight_laic_coarse_render       (const EvenlightLaicCoarse *coarse,
                                             const gfloat              *rgb,
                                             const EvenlightRect       *rect,
                                             gfloat                    *rgb_out,
                                             gfloat                    *gain_out);

/* The λ2 the program uses: @contrast × g0, g0 = min(1 / max V, max_gain)
 * the flat gain (@level: the @n floored bright-channel values). The TV term
 * scales with the gain and the contrast term with the level, so this makes
 * the result independent of the exposure: solving a capture is the same
 * as solving it scaled to a brightest pixel of 1 with λ2 = @contrast. */
gfloat   evenlight_laic_lambda              (const gfloat *level,
                                             gsize         n,
                                             gfloat        contrast,
                                             gfloat        max_gain);

/* The LP objective Σ D(g) − λ2 Σ |g·V − mean3×3(g·V)| of gains @gain for the
 * bright channel @level (both @width × @height, @level already floored at
 * EVENLIGHT_LAIC_MIN_LEVEL), λ2 = evenlight_laic_lambda (@contrast), and in @max_violation (nullable) the largest
 * violation of any constraint, in units of J̃. For tests and tuning. */
gdouble  evenlight_laic_objective           (const gfloat *level,
                                             const gfloat *gain,
                                             gint          width,
                                             gint          height,
                                             gfloat        contrast,
                                             gfloat        max_gain,
                                             gdouble      *max_violation);

G_END_DECLS

#endif /* EVENLIGHT_LAIC_H */
