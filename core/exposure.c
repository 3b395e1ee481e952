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

void
evenlight_thumb_add_row (EvenlightThumb *t, gint y, const gfloat *rgb)
{
  gint q, j, c, p;

  for (q = 0; q < t->thumb_width; q++)
    {
      gdouble s[3] = { 0.0, 0.0, 0.0 };

      for (j = t->col_start[q]; j < t->col_end[q]; j++)
        for (c = 0; c < 3; c++)
          s[c] += evenlight_sanitize (rgb[3 * j + c]);
      for (c = 0; c < 3; c++)
        t->colsum[c * t->thumb_width + q] = s[c];
    }
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

static gdouble
srgb_to_linear (gdouble x)
{
  return x <= 0.04045 ? x / 12.92 : pow ((x + 0.055) / 1.055, 2.4);
}

static gdouble
linear_to_srgb (gdouble y)
{
  return y <= 0.0031308 ? 12.92 * y : 1.055 * pow (y, 1.0 / 2.4) - 0.055;
}

/* Mean luma (0.299 R' + 0.587 G' + 0.114 B') of E_g(@rgb), in double as
 * the reference computes it. */
static gdouble
mean_luma (const gfloat *rgb, gsize n, gdouble g)
{
  static const gdouble w[3] = { 0.299, 0.587, 0.114 };
  gdouble sum = 0.0;
  gsize i;
  gint c;

  for (i = 0; i < n; i++)
    for (c = 0; c < 3; c++)
      {
        gdouble l = srgb_to_linear (rgb[3 * i + c]);

        sum += w[c] * linear_to_srgb (g * l / (1.0 + (g - 1.0) * l));
      }
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
  EvenlightParams params = { 1.0f, EVENLIGHT_DEFAULT_HIGHLIGHTS, EVENLIGHT_DEFAULT_DENOISE };
  EvenlightRect all = { 0, 0, width, height };
  EvenlightPacked t = { rgb, width };
  gsize n = (gsize) width * height;
  gdouble floor = model->exposure_floor, lo, hi;
  gfloat *out;
  gint i;

  *gain = 1.0f;
  if (!model->has_exposure_floor)
    return TRUE;

  /* The thumbnail's own context (no exposure step: its gain stays 0). */
  thumb_context.model = model;
  thumb_context.width = width;
  thumb_context.height = height;
  out = g_new (gfloat, 3 * n);
  if (!evenlight_context_illuminate (&thumb_context, evenlight_packed_read, &t, error)
      || !evenlight_render_region (&thumb_context, &params, &all, evenlight_packed_read, &t, out,
                                   (gsize) width * 3, error))
    {
      g_free (out);
      return FALSE;
    }

  /* The bisection of the reference (model.py, exposure_gain). */
  if (mean_luma (out, n, 1.0) >= floor)
    ;
  else if (mean_luma (out, n, EVENLIGHT_EXPOSURE_GAIN_MAX) <= floor)
    *gain = (gfloat) EVENLIGHT_EXPOSURE_GAIN_MAX;
  else
    {
      lo = 0.0;
      hi = log2 (EVENLIGHT_EXPOSURE_GAIN_MAX);
      for (i = 0; i < EVENLIGHT_EXPOSURE_STEPS; i++)
        {
          gdouble mid = 0.5 * (lo + hi);

          if (mean_luma (out, n, exp2 (mid)) < floor)
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
      gfloat x = v[i];
      gfloat l = x <= 0.04045f ? x / 12.92f
                               : evenlight_powf_unit ((x + 0.055f) / 1.055f, 2.4f);
      gfloat y = g * l / (1.0f + gm1 * l);
      gfloat s = y <= 0.0031308f ? 12.92f * y
                                 : 1.055f * evenlight_powf_unit (y, 1.0f / 2.4f) - 0.055f;

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
