/* The exposure step (core/exposure.h, weights/MODEL.md §5b): thumbnail,
 * gain, curve, and what it leaves alone. The tiling contract with the step
 * on is core-region-exposure (test-region.c with a floor).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"
#include "exposure.h"

#include <math.h>
#include <string.h>

static EvenlightModel *model;

static EvenlightContext *
context_for (const TestImage *image, gboolean floor, gfloat value)
{
  EvenlightContext *ctx;
  GError *error = NULL;

  model->has_exposure_floor = floor;
  model->exposure_floor = value;
  ctx = evenlight_context_new (model, image->width, image->height, test_image_read,
                               (gpointer) image, &error);
  g_assert_no_error (error);
  model->has_exposure_floor = FALSE;
  return ctx;
}

static gdouble
mean_luma (const gfloat *rgb, gsize n)
{
  gdouble s = 0.0;
  gsize i;

  for (i = 0; i < n; i++)
    s += 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
  return s / (gdouble) n;
}

/* A dark photo: test_image_photo scaled by @scale. */
static gfloat *
photo (gint w, gint h, guint32 seed, gfloat scale)
{
  gfloat *rgb = test_image_photo (w, h, seed);
  gsize i;

  for (i = 0; i < (gsize) w * h * 3; i++)
    rgb[i] *= scale;
  return rgb;
}

static void
test_thumb_size (void)
{
  const struct { gint w, h, tw, th; } cases[] = {
    { 1, 1, 1, 1 }, { 128, 77, 128, 77 }, { 129, 1, 128, 1 }, { 1000, 500, 128, 64 },
    { 500, 1000, 64, 128 }, { 4000, 3, 128, 1 }, { 3000, 2000, 128, 85 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint tw, th;

      evenlight_exposure_thumb_size (cases[i].w, cases[i].h, &tw, &th);
      g_assert_cmpint (tw, ==, cases[i].tw);
      g_assert_cmpint (th, ==, cases[i].th);
    }
}

/* Each thumbnail pixel is the mean of its bin (PyTorch's adaptive average
 * pooling), NaN read as 0 and values clamped to [0, 1]. */
static void
test_thumb_average (void)
{
  const gint w = 301, h = 217;
  gfloat *rgb = g_new (gfloat, (gsize) w * h * 3);
  EvenlightThumb t;
  gfloat *th;
  gint p, q, c, y, x;

  test_fill_random (rgb, (gsize) w * h * 3, -0.2f, 1.2f, 5);
  rgb[7] = NAN;
  g_assert_true (evenlight_thumb_init (&t, w, h, NULL));
  for (y = 0; y < h; y++)
    evenlight_thumb_add_row (&t, y, rgb + (gsize) y * w * 3);
  th = g_new (gfloat, (gsize) t.thumb_width * t.thumb_height * 3);
  evenlight_thumb_finish (&t, th);
  g_assert_cmpint (t.thumb_width, ==, 128);
  g_assert_cmpint (t.thumb_height, ==, 92);
  for (p = 0; p < t.thumb_height; p += 13)
    for (q = 0; q < t.thumb_width; q += 11)
      for (c = 0; c < 3; c++)
        {
          gint rs = (p * h) / t.thumb_height, re = ((p + 1) * h + t.thumb_height - 1) / t.thumb_height;
          gint cs = (q * w) / t.thumb_width, ce = ((q + 1) * w + t.thumb_width - 1) / t.thumb_width;
          gdouble s = 0.0;

          for (y = rs; y < re; y++)
            for (x = cs; x < ce; x++)
              {
                gfloat v = rgb[((gsize) y * w + x) * 3 + c];
                s += isnan (v) ? 0.0 : CLAMP (v, 0.0f, 1.0f);
              }
          g_assert_cmpfloat_with_epsilon (th[((gsize) p * t.thumb_width + q) * 3 + c],
                                          s / ((re - rs) * (ce - cs)), 1e-6);
        }
  evenlight_thumb_clear (&t);
  g_free (th);
  g_free (rgb);
}

/* E_g: 0 and 1 stay, the order of values stays, and it is the formula of
 * MODEL.md §5b within the engine's pow tolerance. */
static void
test_curve (void)
{
  const gint n = 4097;
  const gfloat gains[] = { 1.0001f, 1.5f, 4.0f, 16.0f, 256.0f };
  gfloat *v = g_new (gfloat, 3 * n);
  guint k;
  gint i;

  for (k = 0; k < G_N_ELEMENTS (gains); k++)
    {
      gdouble g = gains[k];

      for (i = 0; i < 3 * n; i++)
        v[i] = (gfloat) (i / 3) / (n - 1);
      evenlight_exposure_rows (gains[k], v, 3 * n, n, 1);
      g_assert_cmpfloat (v[0], ==, 0.0f);
      g_assert_cmpfloat (fabs (v[3 * (n - 1)] - 1.0), <, 1e-6);
      for (i = 1; i < 3 * n; i++)
        {
          gdouble x = (gdouble) (i / 3) / (n - 1);
          gdouble l = x <= 0.04045 ? x / 12.92 : pow ((x + 0.055) / 1.055, 2.4);
          gdouble y = g * l / (1.0 + (g - 1.0) * l);
          gdouble s = y <= 0.0031308 ? 12.92 * y : 1.055 * pow (y, 1.0 / 2.4) - 0.055;

          g_assert_cmpfloat (v[i], >=, v[i - 1]);
          g_assert_cmpfloat (fabs (v[i] - s), <, 2e-6);
          g_assert_cmpfloat (v[i], >=, (gfloat) x - 1e-6f);
        }
    }
  /* Gain 1: nothing is touched, not even rounded. */
  for (i = 0; i < 3 * n; i++)
    v[i] = (gfloat) i / (3 * n);
  evenlight_exposure_rows (1.0f, v, 3 * n, n, 1);
  for (i = 0; i < 3 * n; i++)
    g_assert_cmpfloat (v[i], ==, (gfloat) i / (3 * n));
  g_free (v);
}

/* A dark photo gets a gain that brings its result up to the floor; a
 * bright one gets none and renders bit for bit as without the step; so
 * does every photo at Shadows 0, and every photo with weights that have no
 * floor. */
static void
test_gain (void)
{
  const gint w = 333, h = 251;
  const gsize n = (gsize) w * h;
  gfloat *dark = photo (w, h, 3, 0.3f), *bright = photo (w, h, 3, 1.0f);
  TestImage di = { dark, w, h, 0 }, bi = { bright, w, h, 0 };
  EvenlightContext *plain = context_for (&di, FALSE, 0.0f);
  EvenlightContext *lifted = context_for (&di, TRUE, 0.2f);
  EvenlightContext *low = context_for (&bi, TRUE, 0.05f);
  EvenlightContext *bplain = context_for (&bi, FALSE, 0.0f);
  EvenlightParams params = { EVENLIGHT_DEFAULT_SHADOWS, EVENLIGHT_DEFAULT_HIGHLIGHTS,
                             EVENLIGHT_DEFAULT_DENOISE };
  EvenlightParams off = { 0.0f, 0.7f, 0.3f }, half = { 0.5f, 0.7f, 0.3f };
  EvenlightParams strongest = { 2.0f, 0.7f, 0.3f };
  gfloat *a, *b;
  gdouble before, after;

  g_assert_cmpfloat (plain->exposure_gain, ==, 1.0f);
  g_assert_cmpfloat (lifted->exposure_gain, >, 1.5f);
  g_assert_cmpfloat (lifted->exposure_gain, <=, EVENLIGHT_EXPOSURE_GAIN_MAX);
  g_assert_cmpfloat (low->exposure_gain, ==, 1.0f);

  a = test_render_whole (plain, &params, &di);
  b = test_render_whole (lifted, &params, &di);
  before = mean_luma (a, n);
  after = mean_luma (b, n);
  g_test_message ("dark photo: gain %.3f, mean luma %.3f -> %.3f (floor 0.2)",
                  lifted->exposure_gain, before, after);
  g_assert_cmpfloat (before, <, 0.15);
  /* The gain is set on the thumbnail: the whole image lands near the floor. */
  g_assert_cmpfloat (fabs (after - 0.2), <, 0.02);
  g_free (a);
  g_free (b);

  /* Shadows 0: no step at all. */
  a = test_render_whole (plain, &off, &di);
  b = test_render_whole (lifted, &off, &di);
  g_assert_cmpint (memcmp (a, b, n * 3 * sizeof (gfloat)), ==, 0);
  g_free (a);
  g_free (b);

  /* Shadows 0.5: the square root of the gain; Shadows 2: the gain itself
   * (not its square). The step is the last thing a render does. */
  {
    const EvenlightParams *ps[] = { &half, &strongest };
    const gdouble power[] = { 0.5, 1.0 };
    guint k;

    for (k = 0; k < G_N_ELEMENTS (ps); k++)
      {
        a = test_render_whole (plain, ps[k], &di);
        b = test_render_whole (lifted, ps[k], &di);
        g_assert_cmpfloat (mean_luma (b, n), >, mean_luma (a, n) + 0.01);
        evenlight_exposure_rows ((gfloat) pow (lifted->exposure_gain, power[k]), a,
                                 (gsize) w * 3, w, h);
        g_assert_cmpint (memcmp (a, b, n * 3 * sizeof (gfloat)), ==, 0);
        g_free (a);
        g_free (b);
      }
  }

  /* Bright enough already: the same bits. */
  a = test_render_whole (bplain, &params, &bi);
  b = test_render_whole (low, &params, &bi);
  g_assert_cmpint (memcmp (a, b, n * 3 * sizeof (gfloat)), ==, 0);
  g_free (a);
  g_free (b);

  evenlight_context_free (plain);
  evenlight_context_free (lifted);
  evenlight_context_free (low);
  evenlight_context_free (bplain);
  g_free (dark);
  g_free (bright);
}

/* A higher floor never gives a smaller gain; the largest gain is the cap. */
static void
test_gain_monotone (void)
{
  const gint w = 200, h = 150;
  gfloat *dark = photo (w, h, 9, 0.05f);
  TestImage di = { dark, w, h, 0 };
  const gfloat floors[] = { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.7f, 1.0f };
  gfloat last = 0.0f;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (floors); i++)
    {
      EvenlightContext *ctx = context_for (&di, TRUE, floors[i]);

      g_assert_cmpfloat (ctx->exposure_gain, >=, last);
      last = ctx->exposure_gain;
      evenlight_context_free (ctx);
    }
  g_assert_cmpfloat (last, ==, (gfloat) EVENLIGHT_EXPOSURE_GAIN_MAX);
  g_free (dark);
}

/* The shipped weights carry their floor (weights/README.md). */
static void
test_floor_from_file (void)
{
  g_autofree gchar *path = g_build_filename (g_getenv ("EVENLIGHT_SOURCE_ROOT"), "weights",
                                             "evenlight-v1.bin", NULL);
  GError *error = NULL;
  EvenlightModel *m = evenlight_model_load (path, &error);

  g_assert_no_error (error);
  g_assert_true (m->has_exposure_floor);
  g_assert_cmpfloat (m->exposure_floor, >, 0.0f);
  g_assert_cmpfloat (m->exposure_floor, <=, 1.0f);
  evenlight_model_free (m);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  model = test_model_random (42);
  g_test_add_func ("/core/exposure/thumb-size", test_thumb_size);
  g_test_add_func ("/core/exposure/thumb-average", test_thumb_average);
  g_test_add_func ("/core/exposure/curve", test_curve);
  g_test_add_func ("/core/exposure/gain", test_gain);
  g_test_add_func ("/core/exposure/gain-monotone", test_gain_monotone);
  g_test_add_func ("/core/exposure/floor-from-file", test_floor_from_file);
  status = g_test_run ();
  test_model_free (model);
  return status;
}
