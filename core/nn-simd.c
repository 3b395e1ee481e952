/* The convolution row kernel, compiled once per instruction set.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every convolution of the network (3×3, 3×3 stride 2, 1×1) reduces to: for
 * a run of pixels, each output channel is its bias plus a weighted sum of a
 * list of input rows. Keeping one vector accumulator per output channel in
 * registers and streaming each input row once per vector is what makes it
 * fast: one load and `cout` fused multiply-adds per tap. The vector width
 * follows the instruction set the file is compiled for (EVENLIGHT_ISA), so
 * `cout` ≤ 12 accumulators fit the register file on each of them.
 */
#include "nn-simd.h"

#include <string.h>

#if defined(__AVX512F__)
#define VL 16
#elif defined(__AVX2__)
#define VL 8
#else
#define VL 4
#endif

#ifndef EVENLIGHT_ISA
#error "EVENLIGHT_ISA must name the instruction set (avx512, avx2, generic)"
#endif
#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2 (a, b)
#define KERNEL_NAME CAT (evenlight_conv_row, EVENLIGHT_ISA)

typedef gfloat vf __attribute__ ((vector_size (VL * sizeof (gfloat)), aligned (4), may_alias));
typedef gint32 vi __attribute__ ((vector_size (VL * sizeof (gint32))));

#define MAX_COUT 12

/* The even and the odd elements of the concatenation of two vectors
 * (GCC and Clang spell the shuffle differently). */
#if defined(__clang__)
#if VL == 16
#define EVEN_OF(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define ODD_OF(a, b)  __builtin_shufflevector (a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)
#elif VL == 8
#define EVEN_OF(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6, 8, 10, 12, 14)
#define ODD_OF(a, b)  __builtin_shufflevector (a, b, 1, 3, 5, 7, 9, 11, 13, 15)
#else
#define EVEN_OF(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6)
#define ODD_OF(a, b)  __builtin_shufflevector (a, b, 1, 3, 5, 7)
#endif
#else
#if VL == 16
#define EVEN_LANES { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 }
#define ODD_LANES  { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31 }
#elif VL == 8
#define EVEN_LANES { 0, 2, 4, 6, 8, 10, 12, 14 }
#define ODD_LANES  { 1, 3, 5, 7, 9, 11, 13, 15 }
#else
#define EVEN_LANES { 0, 2, 4, 6 }
#define ODD_LANES  { 1, 3, 5, 7 }
#endif
#define EVEN_OF(a, b) __builtin_shuffle (a, b, (vi) EVEN_LANES)
#define ODD_OF(a, b)  __builtin_shuffle (a, b, (vi) ODD_LANES)
#endif
#define KERNEL_S2_NAME CAT (evenlight_conv_row_s2, EVENLIGHT_ISA)

/* The accumulators of one vector of outputs start at the biases. */
static inline __attribute__ ((always_inline)) void
acc_init (const gint cout, vf *acc, const gfloat *bias)
{
  gint o;

#pragma GCC unroll 12
  for (o = 0; o < cout; o++)
    acc[o] = (vf) {} + bias[o];
}

/* Writes the accumulators (through a ReLU with @relu) to columns
 * [x, x + VL) of the output rows, or [x, width) for the last vector. */
static inline __attribute__ ((always_inline)) void
acc_store (const gint cout, vf *acc, gfloat *const *dst, gint x, gint width,
           gboolean relu)
{
  gint o;

  if (relu)
    {
      const vf zero = {};
#pragma GCC unroll 12
      for (o = 0; o < cout; o++)
        acc[o] = (vf) ((vi) acc[o] & (vi) (acc[o] > zero));
    }

  if (x + VL <= width)
    {
#pragma GCC unroll 12
      for (o = 0; o < cout; o++)
        *(vf *) (dst[o] + x) = acc[o];
    }
  else
    {
      /* The last, partial vector: only [x, width) is ours to write. */
      for (o = 0; o < cout; o++)
        memcpy (dst[o] + x, &acc[o], (gsize) (width - x) * sizeof (gfloat));
    }
}

/* @cout is a compile-time constant at every call site below, so the
 * accumulator array lives in registers and the channel loops unroll. */
static inline __attribute__ ((always_inline)) void
conv_row_impl (const gint           cout,
               gint                 wstride,
               gint                 ntaps,
               const gfloat *const *src,
               const gfloat        *wt,
               const gfloat        *bias,
               gfloat *const       *dst,
               gint                 width,
               gboolean             relu)
{
  gint x, t, o;

  for (x = 0; x < width; x += VL)
    {
      vf acc[MAX_COUT];

      acc_init (cout, acc, bias);

      for (t = 0; t < ntaps; t++)
        {
          const vf s = *(const vf *) (src[t] + x);
          const gfloat *w = wt + (gsize) t * wstride;
#pragma GCC unroll 12
          for (o = 0; o < cout; o++)
            acc[o] += w[o] * s;
        }

      acc_store (cout, acc, dst, x, width, relu);
    }
}

void
KERNEL_NAME (gint                 cout,
             gint                 ntaps,
             const gfloat *const *src,
             const gfloat        *wt,
             const gfloat        *bias,
             gfloat *const       *dst,
             gint                 width,
             gboolean             relu)
{
  gint o;

  switch (cout)
    {
    case 3:  conv_row_impl (3, 3, ntaps, src, wt, bias, dst, width, relu); return;
    case 6:  conv_row_impl (6, 6, ntaps, src, wt, bias, dst, width, relu); return;
    case 8:  conv_row_impl (8, 8, ntaps, src, wt, bias, dst, width, relu); return;
    case 12: conv_row_impl (12, 12, ntaps, src, wt, bias, dst, width, relu); return;
    default:
      /* Shapes the network does not use: four channels at a time. */
      for (o = 0; o + 4 <= cout; o += 4)
        conv_row_impl (4, cout, ntaps, src, wt + o, bias + o, dst + o, width, relu);
      for (; o < cout; o++)
        conv_row_impl (1, cout, ntaps, src, wt + o, bias + o, dst + o, width, relu);
      return;
    }
}

/* Stride 2: output column j reads input columns 2j − 1, 2j, 2j + 1 of
 * each of the 3·cin rows, taken from pairs of vector loads by keeping the
 * odd or the even lanes, so no de-interleaved copy of the input is needed. */
static inline __attribute__ ((always_inline)) void
conv_row_s2_impl (const gint           cout,
                  gint                 wstride,
                  gint                 nrows,
                  const gfloat *const *rows,
                  const gfloat        *wt,
                  const gfloat        *bias,
                  gfloat *const       *dst,
                  gint                 width,
                  gboolean             relu)
{
  gint x, t, o;

  for (x = 0; x < width; x += VL)
    {
      vf acc[MAX_COUT];

      acc_init (cout, acc, bias);

      for (t = 0; t < nrows; t++)
        {
          const gfloat *r = rows[t] + 2 * x;
          const vf a = *(const vf *) (r - 2), b = *(const vf *) (r - 2 + VL);
          const vf c = *(const vf *) r, d = *(const vf *) (r + VL);
          const vf s0 = ODD_OF (a, b);    /* 2j − 1 */
          const vf s1 = EVEN_OF (c, d);   /* 2j     */
          const vf s2 = ODD_OF (c, d);    /* 2j + 1 */
          const gfloat *w = wt + (gsize) t * 3 * wstride;
#pragma GCC unroll 12
          for (o = 0; o < cout; o++)
            acc[o] += w[o] * s0 + w[wstride + o] * s1 + w[2 * wstride + o] * s2;
        }

      acc_store (cout, acc, dst, x, width, relu);
    }
}

void
KERNEL_S2_NAME (gint                 cout,
                gint                 nrows,
                const gfloat *const *rows,
                const gfloat        *wt,
                const gfloat        *bias,
                gfloat *const       *dst,
                gint                 width,
                gboolean             relu)
{
  gint o;

  switch (cout)
    {
    case 6:  conv_row_s2_impl (6, 6, nrows, rows, wt, bias, dst, width, relu); return;
    case 8:  conv_row_s2_impl (8, 8, nrows, rows, wt, bias, dst, width, relu); return;
    default:
      for (o = 0; o + 4 <= cout; o += 4)
        conv_row_s2_impl (4, cout, nrows, rows, wt + o, bias + o, dst + o, width, relu);
      for (; o < cout; o++)
        conv_row_s2_impl (1, cout, nrows, rows, wt + o, bias + o, dst + o, width, relu);
      return;
    }
}
