/* DCT-domain noise control Φ(N, γ3) (weights/MODEL.md §5, paper Eq. 10).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_DCT_H
#define EVENLIGHT_DCT_H

#include <glib.h>
#include "evenlight.h"
#include "image.h"

G_BEGIN_DECLS

/* Block size and stride of the overlapped block grid: origins at
 * (4a − 4, 4b − 4), so every pixel lies in exactly four 8 × 8 blocks and a
 * pixel's result needs N up to EVENLIGHT_DCT_REACH pixels away. */
#define EVENLIGHT_DCT_BLOCK  8
#define EVENLIGHT_DCT_STRIDE 4

/* Φ(N, γ3) over @rect into @out (channels of @n × rect, origin rect's).
 * @n holds N over a window of the @width × @height image that contains
 * every sample the blocks covering @rect read once clamped to the image.
 * @denoise = γ3 in [0, 1]; 0 and 1 are computed like any other value here
 * (the exact shortcuts are the caller's). */
void evenlight_dct_filter (const EvenlightPlanes *n,
                           gint                   width,
                           gint                   height,
                           const EvenlightRect   *rect,
                           gfloat                 denoise,
                           EvenlightPlanes       *out);

/* The mask value M(u, v) = clamp(u + v + 1 − c, 0, 1), c = 15 (1 − γ3). */
gfloat evenlight_dct_mask (gint u, gint v, gfloat denoise);

G_END_DECLS

#endif
