/* The exposure step (exposure.h, weights/MODEL.md §5b).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "exposure.h"
#include "fastmath.h"
#include "image.h"
#include "nn.h"

#include <math.h>
#include <string.h>

void
evenlight_exposure_thumb_size (gint width, gint height, gint *thumb_width, gint *thumb_height)
{
  gint64 n = MAX (width, height);

  if (n <= EVENLIGHT_EXPOSURE_THUMB)
    {
      *thumb_width = width;
      *thumb_height = height;
      return;
    }
  *thumb_width = (gint) MAX (1, ((gint64) width * EVENLIGHT_EXPOSURE_THUMB + n / 2) / n);
  *thumb_height = (gint) MAX (1, ((gint64) height * EVENLIGHT_EXPOSURE_THUMB + n / 2) / n);
}

gboolean
evenlight_thumb_init (EvenlightThumb *t, gint width, gint height, GError **error)
{
  gint p, y, s, e;

  memset (t, 0, sizeof *t);
  t->width = width;
  t->height = height;
  evenlight_exposure_thumb_size (width, height, &t->thumb_width, &t->thumb_height);
  t->col_start = g_new (gint, t->thumb_width);
  t->col_end = g_new (gint, t->thumb_width);
  t->row_first = g_try_new (gint, height);
  t->row_last = g_try_new (gint, height);
  t->colsum = g_new (gdouble, 3 * (gsize) t->thumb_width);
  t->acc = g_new0 (gdouble, 3 * (gsize) t->thumb_width * t->thumb_height);
  if (t->row_first == NULL || t->row_last == NULL)
    {
      evenlight_thumb_clear (t);
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                   "Out of memory reading an image of %d × %d pixels", width, height);
      return FALSE;
    }
  for (p = 0; p < t->thumb_width; p++)
    evenlight_nn_pool_bin (p, width, t->thumb_width, &t->col_start[p], &t->col_end[p]);
  for (y = 0; y < height; y++)
    {
      t->row_first[y] = t->thumb_height;
      t->row_last[y] = -1;
    }
  for (p = 0; p < t->thumb_height; p++)
    {
      evenlight_nn_pool_bin (p, height, t->thumb_height, &s, &e);
      for (y = s; y < e; y++)
        {
          t->row_first[y] = MIN (t->row_first[y], p);
          t->row_last[y] = MAX (t->row_last[y], p);
        }
    }
  return TRUE;
}

/* Sums of one image row over every column bin, per channel: a bin's
 * values run contiguously (R, G, B of pixel after pixel), so they are
 * added 24 at a time into 24 float lanes (eight pixels; lane k holds
 * channel k mod 3), which vectorises; the few hundred values of a bin at
 * most keep float sums exact to about 1e-7 of themselves, and the rows'
 * sums are added up in double. */
#define LANES 24

EVENLIGHT_CLONES static void
thumb_row_sums (const EvenlightThumb *t, const gfloat *restrict rgb, gdouble *restrict colsum)
{
  gint q, k, c;

  for (q = 0; q < t->thumb_width; q++)
    {
      const gfloat *v = rgb + 3 * (gsize) t->col_start[q];
      gint n = 3 * (t->col_end[q] - t->col_start[q]);
      gfloat lane[LANES] = { 0.0f };
      gdouble s[3] = { 0.0, 0.0, 0.0 };

      for (k = 0; k + LANES <= n; k += LANES)
        for (c = 0; c < LANES; c++)
          lane[c] += evenlight_sanitize (v[k + c]);
      for (; k < n; k++)
        lane[k % 3] += evenlight_sanitize (v[k]);
      for (c = 0; c < LANES; c++)
        s[c % 3] += (gdouble) lane[c];
      for (c = 0; c < 3; c++)
        colsum[c * t->thumb_width + q] = s[c];
    }
}

void
evenlight_thumb_add_row (EvenlightThumb *t, gint y, const gfloat *rgb)
{
  gint q, c, p;

  thumb_row_sums (t, rgb, t->colsum);
  for (p = t->row_first[y]; p <= t->row_last[y]; p++)
    for (c = 0; c < 3; c++)
      {
        gdouble *a = t->acc + ((gsize) c * t->thumb_height + p) * t->thumb_width;
        const gdouble *cs = t->colsum + (gsize) c * t->thumb_width;

        for (q = 0; q < t->thumb_width; q++)
          a[q] += cs[q];
      }
}

void
evenlight_thumb_finish (const EvenlightThumb *t, gfloat *rgb)
{
  gint p, q, c, rs, re;

  for (p = 0; p < t->thumb_height; p++)
    {
      evenlight_nn_pool_bin (p, t->height, t->thumb_height, &rs, &re);
      for (q = 0; q < t->thumb_width; q++)
        for (c = 0; c < 3; c++)
          {
            gdouble n = (gdouble) (re - rs) * (t->col_end[q] - t->col_start[q]);

            rgb[((gsize) p * t->thumb_width + q) * 3 + c]
              = (gfloat) (t->acc[((gsize) c * t->thumb_height + p) * t->thumb_width + q] / n);
          }
    }
}

void
evenlight_thumb_clear (EvenlightThumb *t)
{
  g_free (t->col_start);
  g_free (t->col_end);
  g_free (t->row_first);
  g_free (t->row_last);
  g_free (t->colsum);
  g_free (t->acc);
  memset (t, 0, sizeof *t);
}

/* ---- the gain ---------------------------------------------------------- */

/* The sRGB transfer functions of MODEL.md §5b, in float with fastmath.h's
 * pow (relative error below 1e-6; the reference computes them in double,
 * which moves the gain by about 1e-5 of itself at most). */
static inline gfloat
srgb_to_linear (gfloat x)
{
  return x <= 0.04045f ? x / 12.92f : evenlight_powf_unit ((x + 0.055f) / 1.055f, 2.4f);
}

static inline gfloat
linear_to_srgb (gfloat y)
{
  return y <= 0.0031308f ? 12.92f * y : 1.055f * evenlight_powf_unit (y, 1.0f / 2.4f) - 0.055f;
}

/* Mean luma (0.299 R' + 0.587 G' + 0.114 B') of E_g of the thumbnail,
 * @lin its values in linear light (3 per pixel); @luma: room for @n
 * values. The per-pixel part vectorises; the sum is in double. */
EVENLIGHT_CLONES static gdouble
mean_luma (const gfloat *restrict lin, gfloat *restrict luma, gsize n, gdouble g)
{
  const gfloat gf = (gfloat) g, gm1 = (gfloat) (g - 1.0);
  gdouble sum = 0.0;
  gsize i;

  for (i = 0; i < n; i++)
    {
      gfloat r = linear_to_srgb (gf * lin[3 * i] / (1.0f + gm1 * lin[3 * i]));
      gfloat gr = linear_to_srgb (gf * lin[3 * i + 1] / (1.0f + gm1 * lin[3 * i + 1]));
      gfloat b = linear_to_srgb (gf * lin[3 * i + 2] / (1.0f + gm1 * lin[3 * i + 2]));

      luma[i] = 0.299f * r + 0.587f * gr + 0.114f * b;
    }
  for (i = 0; i < n; i++)
    sum += luma[i];
  return sum / (gdouble) n;
}

gboolean
evenlight_exposure_gain (const EvenlightModel *model,
                         const gfloat         *rgb,
                         gint                  width,
                         gint                  height,
                         gfloat               *gain,
                         GError              **error)
{
  EvenlightContext thumb_context = { 0 };
  EvenlightParams params = { EVENLIGHT_DEFAULT_SHADOWS, EVENLIGHT_DEFAULT_HIGHLIGHTS,
                             EVENLIGHT_DEFAULT_DENOISE };
  EvenlightRect all = { 0, 0, width, height };
  EvenlightPacked t = { rgb, width };
  gsize n = (gsize) width * height;
  gdouble floor = model->exposure_floor, lo, hi;
  gfloat *out, *luma;
  gint i;

  *gain = 1.0f;
  if (!model->has_exposure_floor)
    return TRUE;

  /* The thumbnail's own context (no exposure step: its gain stays 0). */
  thumb_context.model = model;
  thumb_context.width = width;
  thumb_context.height = height;
  out = g_new (gfloat, 4 * n);
  luma = out + 3 * n;
  if (!evenlight_context_illuminate (&thumb_context, evenlight_packed_read, &t, error)
      || !evenlight_render_region (&thumb_context, &params, &all, evenlight_packed_read, &t, out,
                                   (gsize) width * 3, error))
    {
      g_free (out);
      return FALSE;
    }

  /* The bisection of the reference (model.py, exposure_gain), on the
   * result in linear light. */
  for (i = 0; i < (gint) (3 * n); i++)
    out[i] = srgb_to_linear (out[i]);
  if (mean_luma (out, luma, n, 1.0) >= floor)
    ;
  else if (mean_luma (out, luma, n, EVENLIGHT_EXPOSURE_GAIN_MAX) <= floor)
    *gain = (gfloat) EVENLIGHT_EXPOSURE_GAIN_MAX;
  else
    {
      lo = 0.0;
      hi = log2 (EVENLIGHT_EXPOSURE_GAIN_MAX);
      for (i = 0; i < EVENLIGHT_EXPOSURE_STEPS; i++)
        {
          gdouble mid = 0.5 * (lo + hi);

          if (mean_luma (out, luma, n, exp2 (mid)) < floor)
            lo = mid;
          else
            hi = mid;
        }
      *gain = (gfloat) exp2 (hi);
    }
  g_free (out);
  return TRUE;
}

gfloat
evenlight_exposure_effective (const EvenlightContext *context, gfloat shadows)
{
  if (context->exposure_gain <= 1.0f)
    return 1.0f;
  return (gfloat) pow ((gdouble) context->exposure_gain, (gdouble) MIN (shadows, 1.0f));
}

/* ---- the curve --------------------------------------------------------- */

EVENLIGHT_CLONES static void
exposure_row (gfloat g, gfloat *restrict v, gint n)
{
  gfloat gm1 = g - 1.0f;
  gint i;

  for (i = 0; i < n; i++)
    {
      gfloat l = srgb_to_linear (v[i]);
      gfloat s = linear_to_srgb (g * l / (1.0f + gm1 * l));

      v[i] = s >= 0.0f ? (s <= 1.0f ? s : 1.0f) : 0.0f;
    }
}

void
evenlight_exposure_rows (gfloat gain, gfloat *rgb, gsize rowstride, gint width, gint height)
{
  gint y;

  if (gain == 1.0f)
    return;
  for (y = 0; y < height; y++)
    exposure_row (gain, rgb + (gsize) y * rowstride, 3 * width);
}
