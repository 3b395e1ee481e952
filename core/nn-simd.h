/* The one hot kernel: an output row of a convolution written as a list of
 * input rows ("taps") times a weight matrix. core/nn-simd.c is compiled once
 * per instruction set (AVX-512, AVX2 + FMA, baseline) and core/nn.c picks the
 * best one the processor has at run time.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_NN_SIMD_H
#define EVENLIGHT_NN_SIMD_H

#include <glib.h>

G_BEGIN_DECLS

/* For x in [0, width): dst[o][x] = act(bias[o] + Σ_t wt[t·cout + o] · src[t][x]),
 * o < cout. src rows must be readable up to the next multiple of 16 floats
 * past width (the planes' pad); dst is written only in [0, width). */
typedef void (*EvenlightConvRowFunc) (gint                 cout,
                                      gint                 ntaps,
                                      const gfloat *const *src,
                                      const gfloat        *wt,
                                      const gfloat        *bias,
                                      gfloat *const       *dst,
                                      gint                 width,
                                      gboolean             relu);

/* Stride 2 over @nrows = 3·cin input rows (ic-major, then ky): for x in
 * [0, width), dst[o][x] = act(bias[o] + Σ_t Σ_kx wt[(3t + kx)·cout + o] ·
 * rows[t][2x − 1 + kx]). Rows must be readable from index −2 to
 * 2·width + 2·16 (the planes' pads, with the replicated border columns). */
typedef void (*EvenlightConvRowS2Func) (gint                 cout,
                                        gint                 nrows,
                                        const gfloat *const *rows,
                                        const gfloat        *wt,
                                        const gfloat        *bias,
                                        gfloat *const       *dst,
                                        gint                 width,
                                        gboolean             relu);

void evenlight_conv_row_s2_avx512  (gint cout, gint nrows, const gfloat *const *rows,
                                    const gfloat *wt, const gfloat *bias,
                                    gfloat *const *dst, gint width, gboolean relu);
void evenlight_conv_row_s2_avx2    (gint cout, gint nrows, const gfloat *const *rows,
                                    const gfloat *wt, const gfloat *bias,
                                    gfloat *const *dst, gint width, gboolean relu);
void evenlight_conv_row_s2_generic (gint cout, gint nrows, const gfloat *const *rows,
                                    const gfloat *wt, const gfloat *bias,
                                    gfloat *const *dst, gint width, gboolean relu);

void evenlight_conv_row_avx512  (gint cout, gint ntaps, const gfloat *const *src,
                                 const gfloat *wt, const gfloat *bias,
                                 gfloat *const *dst, gint width, gboolean relu);
void evenlight_conv_row_avx2    (gint cout, gint ntaps, const gfloat *const *src,
                                 const gfloat *wt, const gfloat *bias,
                                 gfloat *const *dst, gint width, gboolean relu);
void evenlight_conv_row_generic (gint cout, gint ntaps, const gfloat *const *src,
                                 const gfloat *wt, const gfloat *bias,
                                 gfloat *const *dst, gint width, gboolean relu);

G_END_DECLS

#endif
