/* Internal to the classic retouching module (retouch.c: parameters, the
 * row-parallel helper and the Eq. (1) driver; retouch-filter.c: the
 * guided filter S; retouch-fuse.c: the exposure fusion F). Not installed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_RETOUCH_PRIVATE_H
#define EVENLIGHT_RETOUCH_PRIVATE_H

#include <glib.h>

#include "parallel.h"

G_BEGIN_DECLS

/* The hot per-pixel loops vectorise only without -ftrapping-math (GCC
 * will not turn a float-to-int conversion or a select into vector code
 * that might trap where the scalar code would not). Nothing here relies on
 * floating-point traps. Every function those loops inline carries the same
 * attribute, since GCC does not inline across differing ones. */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISE __attribute__ ((optimize ("no-trapping-math")))
#else
#define VECTORISE
#endif

/* 2^x for x in [-126, 126], relative error < 3e-6: written so that the
 * per-pixel loops vectorise (libm's expf is a call per pixel, and it was
 * the single largest cost of the whole module). */
static inline VECTORISE gfloat
fast_exp2f (gfloat x)
{
  union { gfloat f; gint32 i; } u;
  gint32 i;
  gfloat f, p;

  x = x < -126.0f ? -126.0f : x;  /* two plain selects vectorise, */
  x = x > 126.0f ? 126.0f : x;    /* a nested one does not        */
  i = (gint32) (x + 126.5f) - 126;  /* round to nearest, valid for x ≥ −126 */
  f = x - (gfloat) i;               /* in [−0.5, 0.5] */
  p = 1.0f + f * (0.69314718f + f * (0.24022651f + f * (0.05550411f
      + f * (0.00961813f + f * 0.00133336f))));
  u.i = (i + 127) << 23;
  return u.f * p;
}

/* √v for v ≥ 0, relative error < 1e-6: sqrtf() must set errno for v < 0,
 * which stops GCC from vectorising any loop that calls it. */
static inline VECTORISE gfloat
fast_sqrtf (gfloat v)
{
  union { gfloat f; gint32 i; } u;
  gfloat x = v + 1e-30f;
  gfloat y;

  u.f = x;
  u.i = 0x5f3759df - (u.i >> 1);  /* 1/√x to 3.5 %, then two Newton steps */
  y = u.f;
  y = y * (1.5f - 0.5f * x * y * y);
  y = y * (1.5f - 0.5f * x * y * y);
  y = y * (1.5f - 0.5f * x * y * y);
  return v * y;
}

/* Runs @func over rows [0, @height) in bands on the engine's scheduler
 * (core/parallel.h), on up to @n_threads threads (one for small images).
 * Every band computes its rows exactly as a single pass would, so the
 * result does not depend on @n_threads. */
void evenlight_retouch_parallel_rows (gint              n_threads,
                                      gint              width,
                                      gint              height,
                                      EvenlightBandFunc func,
                                      gpointer          data);

/* Makes exposure @k as three planes (R, G, B) of w × h. */
typedef void (*ExposureFunc) (gpointer data, gint k, gfloat *rgb_planes);

/* F of Eq. (1) over @n_images exposures made on demand by @make, into the
 * packed RGB @out; @weights, when not NULL, replace the Mertens weights
 * (retouch-fuse.c). */
void evenlight_retouch_fuse_stream (gint                 n_images,
                                    ExposureFunc         make,
                                    gpointer             data,
                                    const gfloat *const *weights,
                                    gfloat              *out,
                                    gint                 width,
                                    gint                 height,
                                    gint                 n_threads);

G_END_DECLS

#endif
