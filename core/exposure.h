/* evenlight — the exposure step (weights/MODEL.md §5b): a global gain
 * that brings a result too dark for its photo up to the weights' floor.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Weights that hold the tensor "exposure.floor" (a mean luma, chosen by
 * weights/train/calibrate_exposure.py on the training photos) have the
 * step; others do not, and render as before. The context pass also
 * averages the image into a thumbnail of at most EVENLIGHT_EXPOSURE_THUMB
 * pixels a side; the whole network runs on it at the default sliders, and
 * the gain g ≥ 1 is the one whose curve E_g lifts the thumbnail's mean luma
 * to the floor (1 when it is there already). Every pixel of a render is
 * then E_{g^min(γ1, 1)}(R): Shadows 0 leaves it as it is, Shadows 1 and
 * above apply the whole gain (above 1 only L^γ1 lifts further). E_g is a gain in linear light with a shoulder that keeps white,
 * l' = g l / (1 + (g − 1) l), so the order of lightness never changes.
 */
#ifndef EVENLIGHT_EXPOSURE_H
#define EVENLIGHT_EXPOSURE_H

#include "model.h"

G_BEGIN_DECLS

#define EVENLIGHT_EXPOSURE_FLOOR    "exposure.floor"
#define EVENLIGHT_EXPOSURE_THUMB    128    /* longest side of the thumbnail */
#define EVENLIGHT_EXPOSURE_GAIN_MAX 16.0   /* 4 stops                       */
#define EVENLIGHT_EXPOSURE_STEPS    24     /* bisection steps of log2 g     */

/* The thumbnail of a @width × @height image: the image itself when no side
 * is longer than EVENLIGHT_EXPOSURE_THUMB, else the longest side scaled to
 * it (rounded, at least 1 pixel). */
void evenlight_exposure_thumb_size (gint width, gint height, gint *thumb_width,
                                    gint *thumb_height);

/* Area averages of the image's rows into the thumbnail (adaptive average
 * pooling, the bins of evenlight_nn_pool_bin()), in double. */
struct _EvenlightThumb
{
  gint     width, height;          /* of the image        */
  gint     thumb_width, thumb_height;
  gint    *col_start, *col_end;    /* per thumbnail column */
  gint    *row_first, *row_last;   /* per image row: the thumbnail rows it is in */
  gdouble *colsum;                 /* 3 × thumb_width     */
  gdouble *acc;                    /* 3 × thumb_height × thumb_width sums */
};

/* FALSE (with an EVENLIGHT_ERROR_NO_MEMORY error) if the sums cannot be
 * allocated. */
gboolean evenlight_thumb_init   (EvenlightThumb *thumb,
                                 gint            width,
                                 gint            height,
                                 GError        **error);
/* Adds image row @y (@width packed RGB values, sanitised here). */
void     evenlight_thumb_add_row (EvenlightThumb *thumb,
                                  gint            y,
                                  const gfloat   *rgb);
/* The thumbnail as packed RGB rows (thumb_width × thumb_height × 3). */
void     evenlight_thumb_finish (const EvenlightThumb *thumb,
                                 gfloat               *rgb);
void     evenlight_thumb_clear  (EvenlightThumb *thumb);

/* The gain of the thumbnail @rgb (@width × @height packed RGB) for
 * @model's floor: the network without the step at the default sliders,
 * then the bisection. 1 when the model has no floor. */
gboolean evenlight_exposure_gain (const EvenlightModel *model,
                                  const gfloat         *rgb,
                                  gint                  width,
                                  gint                  height,
                                  gfloat               *gain,
                                  GError              **error);

/* The gain a render with Shadows @shadows applies: g^min(γ1, 1) (1
 * without the step). */
gfloat evenlight_exposure_effective (const EvenlightContext *context,
                                     gfloat                  shadows);

/* Applies E_@gain to @height rows of @width packed RGB values, rows
 * @rowstride floats apart (nothing when @gain is 1). */
void evenlight_exposure_rows (gfloat  gain,
                              gfloat *rgb,
                              gsize   rowstride,
                              gint    width,
                              gint    height);

G_END_DECLS

#endif /* EVENLIGHT_EXPOSURE_H */
