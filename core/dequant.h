/* Dequantization network (Liu, Wu, Shu, "Learning-based Dequantization for
 * Image Restoration Against Extremely Poor Illumination", Eq. 9–10): removes
 * the banding left when a very dark 8-bit capture is brightened.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A brightened pixel J̃ = g · Ja stands for a whole interval of values, as
 * wide as g times the capture's quantisation step; the network predicts the
 * residual E = J − J̃ from J̃ and that width (weights/DEQUANT.md §1). It is
 * applied only where the gain is large: with gain ≤ EVENLIGHT_DEQUANT_GAIN_LOW
 * a pixel is left exactly as it is, from EVENLIGHT_DEQUANT_GAIN_HIGH on it
 * gets the full correction, in between a linear blend; tiles without a
 * single pixel above the low mark are not computed at all, so a normal photo
 * costs next to nothing.
 */
#ifndef EVENLIGHT_DEQUANT_H
#define EVENLIGHT_DEQUANT_H

#include <glib.h>

#include "evenlight.h"

G_BEGIN_DECLS

/* The two architectures the loader accepts (weights/DEQUANT.md §1): v2 is
 * v1 plus a context branch at 1/4 … 1/16 resolution. */
#define EVENLIGHT_DEQUANT_ARCH_V1    "evenlight-dequant-v1"
#define EVENLIGHT_DEQUANT_ARCH_V2    "evenlight-dequant-v2"
#define EVENLIGHT_DEQUANT_ARCH_V3    "evenlight-dequant-v3"
/* The architecture of the shipped weights, and their file. */
#define EVENLIGHT_DEQUANT_ARCH       EVENLIGHT_DEQUANT_ARCH_V3
#define EVENLIGHT_DEQUANT_FILE       "evenlight-dequant-v3.bin"
#define EVENLIGHT_DEQUANT_GAIN_LOW   2.0f
#define EVENLIGHT_DEQUANT_GAIN_HIGH  4.0f
/* The quantisation step of an 8-bit capture (the usual case). */
#define EVENLIGHT_DEQUANT_STEP_8BIT  (1.0f / 255.0f)
/* Pixels a region reads beyond each side, at most (DEQUANT.md §2): the
 * receptive field of v2 (76 pixels, rounded up to 80) plus up to 15 for
 * the window origin, which sits on a multiple of 16 (four halvings). v1
 * reads at most 25, v3 at most 25 + EVENLIGHT_DEQUANT_BAND_MARGIN = 89.
 * Each architecture's own margin: core/geometry.h. */
#define EVENLIGHT_DEQUANT_MARGIN     96
/* Every window origin lies on a multiple of this in image coordinates: a
 * caller that cuts a sub-image out to dequantize a region starts it on
 * such a multiple, so that the sub-image's windows are the image's. */
#define EVENLIGHT_DEQUANT_ALIGN      16

typedef struct _EvenlightDequant EvenlightDequant;

/* Loads a weights file of architecture "evenlight-dequant-v1", "-v2" or
 * "-v3" (format: weights/MODEL.md §8). Errors name the file and what is wrong. */
EvenlightDequant *evenlight_dequant_load         (const gchar  *path,
                                                  GError      **error);
void              evenlight_dequant_free         (EvenlightDequant *dequant);

/* $EVENLIGHT_DEQUANT_WEIGHTS if set, else the installed
 * EVENLIGHT_DEQUANT_FILE. Never NULL; the file may be missing. */
const gchar      *evenlight_dequant_default_path (void);

/* Restores @rgb in place: @width × @height packed R'G'B' float triplets,
 * brightened from a capture quantised with step @quant_step (usually
 * EVENLIGHT_DEQUANT_STEP_8BIT) by the per-pixel @gain (@width × @height,
 * e.g. the gain_out of evenlight_laic()). On @n_threads threads (0 = number
 * of processors); the result does not depend on @n_threads or on the
 * tiling. Needs, besides the threads' scratch memory, about
 * EVENLIGHT_DEQUANT_TILE_V3 (v1, v2: EVENLIGHT_DEQUANT_TILE) rows of the
 * image, not a copy of it. */
gboolean          evenlight_dequant_apply        (const EvenlightDequant *dequant,
                                                  gfloat                 *rgb,
                                                  gint                    width,
                                                  gint                    height,
                                                  const gfloat           *gain,
                                                  gfloat                  quant_step,
                                                  gint                    n_threads,
                                                  GError                **error);

/* The same for one rectangle @rect of the image only, written to @out
 * (rect->height rows of rect->width packed triplets). Reads @rgb and @gain
 * up to EVENLIGHT_DEQUANT_MARGIN pixels around @rect; the output equals the
 * same pixels of evenlight_dequant_apply(). Thread-safe. */
gboolean          evenlight_dequant_render_region (const EvenlightDequant *dequant,
                                                   const gfloat           *rgb,
                                                   const gfloat           *gain,
                                                   gint                    width,
                                                   gint                    height,
                                                   gfloat                  quant_step,
                                                   const EvenlightRect    *rect,
                                                   gfloat                 *out,
                                                   GError                **error);

/* Band positions (core/dequant-bands.c, DEQUANT.md §1a): for a
 * @width × @height plane of quantisation levels (≥ 0, or
 * EVENLIGHT_DEQUANT_BAND_SKIP for a pixel that is neither moved nor a
 * contour to its neighbours: a clipped one), @offset receives where in
 * its interval each pixel most likely lies, in levels, in [−½, ½], from its
 * distances inside its band to the contours with the levels one above and
 * one below, capped at EVENLIGHT_DEQUANT_BAND_CAP pixels. A pixel's value
 * depends only on the levels within EVENLIGHT_DEQUANT_BAND_MARGIN pixels of
 * it (and the image border). Thread-safe. */
#define EVENLIGHT_DEQUANT_BAND_CAP     64
#define EVENLIGHT_DEQUANT_BAND_MARGIN  EVENLIGHT_DEQUANT_BAND_CAP
#define EVENLIGHT_DEQUANT_BAND_SKIP    (-2)
void              evenlight_dequant_bands         (const gint32 *level,
                                                   gint          width,
                                                   gint          height,
                                                   gfloat       *offset);

/* For methods that do not report a gain (the CNN enhancement, a plain
 * curve): gain = max(R,G,B) of @after / max(R,G,B) of @before per pixel
 * (the latter floored at a quarter of an 8-bit step), both @width × @height
 * packed triplets. */
void              evenlight_dequant_gain_estimate (const gfloat *before,
                                                   const gfloat *after,
                                                   gint          width,
                                                   gint          height,
                                                   gfloat       *gain);

G_END_DECLS

#endif /* EVENLIGHT_DEQUANT_H */
