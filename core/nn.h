/* The layer operations of weights/MODEL.md ("Conventions"), on planar
 * float windows of a level (core/image.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every operation computes its output over the whole window of its input
 * and reads clamped to the input buffer. Because a buffer never extends
 * past its level, that clamp is the level's replicate padding at the image
 * border; at an inner window border it gives values the tile margin
 * discards. Operations that change resolution need the window origin to be
 * even at the finer level (tiles are aligned to EVENLIGHT_TILE_ALIGN).
 *
 * The 3×3 convolutions read the replicated border columns −1 and width of
 * their input. Every operation here writes those of its output, row by row
 * while the row is in the cache; planes filled by other code must have
 * them too (evenlight_border_row, evenlight_planes_fill_border).
 */
#ifndef EVENLIGHT_NN_H
#define EVENLIGHT_NN_H

#include <glib.h>
#include "image.h"
#include "nn-simd.h"

G_BEGIN_DECLS

/* A convolution's weights re-ordered for the row kernel: tap-major,
 * wt[t · cout + o], with t = ic · k² + ky · k + kx. */
typedef struct
{
  gint    cout;
  gint    cin;
  gint    k;       /* 3 or 1 */
  gint    ntaps;   /* cin · k² */
  gfloat *wt;
  gfloat *bias;    /* cout values, zeros when the layer has none */
} EvenlightConv;

/* From PyTorch's layout weight[cout][cin][k][k] and bias[cout] (NULL: no
 * bias). */
void evenlight_conv_init  (EvenlightConv *conv,
                           const gfloat  *weight,
                           const gfloat  *bias,
                           gint           cout,
                           gint           cin,
                           gint           k);
void evenlight_conv_clear (EvenlightConv *conv);

/* out = act(conv3x3(in)), replicate padding, stride 1. Fills the border
 * columns of @in first, so @in may have been changed by hand. @out gets
 * @in's window. */
void evenlight_nn_conv3x3    (const EvenlightConv *conv,
                              EvenlightPlanes     *in,
                              EvenlightPlanes     *out,
                              gboolean             relu);
/* The same when @in's border columns are already in place (it came from
 * an operation of this file, or its rows were finished with
 * evenlight_border_row): saves a pass over the input. */
void evenlight_nn_conv3x3_filled (const EvenlightConv   *conv,
                                  const EvenlightPlanes *in,
                                  EvenlightPlanes       *out,
                                  gboolean               relu);

/* The same computed only over @region (level coordinates, inside @in's
 * window), reading the real neighbours around it: the values are those of
 * the whole-window convolution, at the cost of the region only. */
void evenlight_nn_conv3x3_region (const EvenlightConv   *conv,
                                  const EvenlightPlanes *in,
                                  const EvenlightRect   *region,
                                  EvenlightPlanes       *out,
                                  gboolean               relu);

/* out = act(conv3x3 s2(in)): output row i reads input rows 2i−1 … 2i+1
 * (level coordinates, clamped); size ceil(n/2). @in's border columns must
 * be in place (see above). */
void evenlight_nn_conv3x3_s2 (const EvenlightConv *conv,
                              const EvenlightPlanes *in,
                              EvenlightPlanes     *out,
                              gboolean             relu);

/* out = act(conv1x1(concat(ins[0], …, ins[n_ins−1]))); all inputs share one
 * window, which @out gets. */
void evenlight_nn_conv1x1    (const EvenlightConv          *conv,
                              const EvenlightPlanes *const *ins,
                              gint                          n_ins,
                              EvenlightPlanes              *out,
                              gboolean                      relu);

/* out = pack2(scale · in + offset): 4C × ceil(h/2) × ceil(w/2), channel
 * c·4 + dy·2 + dx holds in[c][2i+dy][2j+dx] (clamped at the bottom/right). */
void evenlight_nn_pack2      (const EvenlightPlanes *in,
                              gfloat                 scale,
                              gfloat                 offset,
                              EvenlightPlanes       *out);

/* out = unpack2(in) (pixel shuffle) cropped to @width × @height, placed at
 * twice @in's origin. */
void evenlight_nn_unpack2    (const EvenlightPlanes *in,
                              gint                   width,
                              gint                   height,
                              EvenlightPlanes       *out);

/* out = up2(in) (bilinear, align_corners = False, scale 2) over the window
 * @width × @height at twice @in's origin, plus @add (same window, or NULL).
 * @tmp is scratch. */
void evenlight_nn_up2        (const EvenlightPlanes *in,
                              const EvenlightPlanes *add,
                              gint                   width,
                              gint                   height,
                              EvenlightPlanes       *tmp,
                              EvenlightPlanes       *out);

/* up2 in two steps, for callers that consume the result row by row while
 * it is in the cache (the values are those of evenlight_nn_up2): the
 * horizontal pass of the whole window into @tmp (@width columns at twice
 * @in's origin), then row @y (from the window's first, at twice @in's
 * origin) of the vertical pass into @out[c] (@tmp's width, border
 * columns filled), plus @add[c] when @add is not NULL. */
void evenlight_nn_up2_h      (const EvenlightPlanes *in,
                              gint                   width,
                              EvenlightPlanes       *tmp);
void evenlight_nn_up2_v_row  (const EvenlightPlanes *tmp,
                              gint                   y,
                              const gfloat *const   *add,
                              gfloat *const         *out);

/* Bins of adaptive average pooling of @n samples to @bins outputs:
 * [floor(i·n/bins), ceil((i+1)·n/bins)). */
static inline void
evenlight_nn_pool_bin (gint i, gint n, gint bins, gint *start, gint *end)
{
  *start = (gint) (((gint64) i * n) / bins);
  *end = (gint) (((gint64) (i + 1) * n + bins - 1) / bins);
}

/* The row kernel in use (core/nn-simd.h): for other modules whose hot
 * loops are small matrix products over rows (the DCT). */
EvenlightConvRowFunc evenlight_nn_row_kernel (void);

/* Selects the row kernel: "avx512", "avx2", "generic" or NULL for the best
 * one this processor runs (the default; EVENLIGHT_ISA in the environment
 * overrides it). Returns the name of the kernel now in use, or NULL if
 * @isa is unknown or not supported here. For tests and benchmarks. */
const gchar *evenlight_nn_set_isa (const gchar *isa);

G_END_DECLS

#endif
