/* exp2, log2, pow and exp for the per-pixel loops, written so they inline
 * and vectorise (libm calls do neither). Relative error below 1e-6 over the
 * ranges used; the model's tolerance against the reference is 1e-4.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_FASTMATH_H
#define EVENLIGHT_FASTMATH_H

#include <glib.h>

typedef union
{
  gfloat  f;
  guint32 u;
  gint32  i;
} EvenlightBits;

/* Rounds @v (|v| < 2^22) to the nearest integer with the float adder
 * (adding 1.5 · 2^23 leaves the integer in the low mantissa bits): unlike
 * a float-to-int conversion after a clamp, this vectorises. */
static inline gint32
evenlight_round_int (gfloat v, gfloat *rounded)
{
  EvenlightBits t;

  t.f = v + 12582912.0f;
  *rounded = t.f - 12582912.0f;
  return t.i - 0x4b400000;
}

/* ⌊v⌋ for 0 ≤ v < 2^22. */
static inline gint32
evenlight_floor_int (gfloat v)
{
  gfloat r;
  gint32 n = evenlight_round_int (v, &r);

  return n - (r > v);
}

/* 2^y for y in [−126, 0] (clamped there): 2^round(y) from the exponent
 * bits times a degree-7 Taylor polynomial of 2^f, |f| ≤ ½. */
static inline gfloat
evenlight_exp2f (gfloat y)
{
  EvenlightBits scale;
  gfloat n, f, p;
  gint32 ni;

  y = y < -126.0f ? -126.0f : y;
  y = y > 0.0f ? 0.0f : y;
  ni = evenlight_round_int (y, &n);
  f = y - n;                               /* in [−½, ½] */
  p = 1.0f + f * (0.693147181f + f * (0.240226507f + f * (0.0555041087f + f * (0.00961812911f
      + f * (0.00133335581f + f * (0.000154035304f + f * 0.0000152527338f))))));
  scale.i = (ni + 127) << 23;
  return p * scale.f;
}

/* log2(x) for finite x > 0 (normal floats): exponent plus
 * 2/ln 2 · atanh((m − 1)/(m + 1)) as an odd series, m in [√½, √2). */
static inline gfloat
evenlight_log2f (gfloat x)
{
  EvenlightBits b = { .f = x }, m;
  gint32 e;
  gfloat t, t2;

  /* Split x = 2^e · m with m in [√½, √2) without a branch: offset the bits
   * by those of √½ so the exponent field rolls over at √2. */
  e = (b.i - 0x3f3504f3) >> 23;
  m.u = b.u - ((guint32) e << 23);
  t = (m.f - 1.0f) / (m.f + 1.0f);
  t2 = t * t;
  return (gfloat) e + t * (2.88539008f + t2 * (0.961796694f + t2 * (0.577078016f
         + t2 * (0.412198583f + t2 * 0.320598898f))));
}

/* x^γ for x in [0, 1] and γ ≥ 0 (any slider range), with 0^γ = 0 for γ > 0 and
 * x^0 = 1 like powf. */
static inline gfloat
evenlight_powf_unit (gfloat x, gfloat gamma)
{
  /* + 1e-30 changes no x ≥ 1e-22 and keeps log2 finite at 0; written as
   * an addition rather than a select so the loop vectorises. */
  gfloat r = evenlight_exp2f (gamma * evenlight_log2f (x + 1e-30f));

  r = x > 1e-30f ? r : 0.0f;
  return gamma == 0.0f ? 1.0f : r;
}

/* e^x for x ≤ 0 (softmax after subtracting the maximum). */
static inline gfloat
evenlight_expf_neg (gfloat x)
{
  return evenlight_exp2f (x * 1.44269504f);
}

#endif
