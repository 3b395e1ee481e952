/* Tests of the classic retouching module (core/retouch.c, paper Eq. (1)).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "retouch.h"
#include "evenlight.h"

#include <math.h>
#include <string.h>

/* A deterministic pseudo-random image (xorshift), values in [0, 1]. */
static gfloat *
random_rgb (gint w, gint h, guint32 seed)
{
  gfloat *p = g_new (gfloat, 3 * (gsize) w * h);
  guint32 s = seed | 1;

  for (gsize i = 0; i < 3 * (gsize) w * h; i++)
    {
      s ^= s << 13; s ^= s >> 17; s ^= s << 5;
      p[i] = (s >> 8) / 16777216.0f;
    }
  return p;
}

static gdouble
max_abs_diff (const gfloat *a, const gfloat *b, gsize n)
{
  gdouble m = 0.0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((gdouble) a[i] - b[i]));
  return m;
}

/* With equal weights the blend of the Laplacian pyramids is the pyramid of
 * the mean image (linearity), and collapsing it must give that mean back:
 * this checks REDUCE/EXPAND/collapse agree exactly, at odd sizes too. */
static void
test_pyramid_equal_weights (void)
{
  const gint sizes[][2] = { { 64, 48 }, { 37, 23 }, { 1, 9 }, { 300, 201 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint w = sizes[s][0], h = sizes[s][1];
      gsize n = (gsize) w * h;
      gfloat *a = random_rgb (w, h, 1 + s), *b = random_rgb (w, h, 7 + s);
      gfloat *wa = g_new (gfloat, n), *wb = g_new (gfloat, n);
      gfloat *out = g_new (gfloat, 3 * n), *mean = g_new (gfloat, 3 * n);
      const gfloat *imgs[2] = { a, b }, *ws[2] = { wa, wb };

      for (gsize i = 0; i < n; i++)
        wa[i] = wb[i] = 0.25f;
      for (gsize i = 0; i < 3 * n; i++)
        mean[i] = 0.5f * (a[i] + b[i]);
      evenlight_retouch_fuse (imgs, ws, 2, out, w, h, 2);
      g_assert_cmpfloat (max_abs_diff (out, mean, 3 * n), <, 1e-5);

      g_free (a); g_free (b); g_free (wa); g_free (wb);
      g_free (out); g_free (mean);
    }
}

/* Unequal, spatially varying weights must still blend per pixel towards
 * the heavier image: a sharp 0/1 weight split gives each side its image
 * away from the seam. */
static void
test_fuse_weight_split (void)
{
  gint w = 128, h = 64;
  gsize n = (gsize) w * h;
  gfloat *a = g_new (gfloat, 3 * n), *b = g_new (gfloat, 3 * n);
  gfloat *wa = g_new (gfloat, n), *wb = g_new (gfloat, n);
  gfloat *out = g_new (gfloat, 3 * n);
  const gfloat *imgs[2] = { a, b }, *ws[2] = { wa, wb };

  for (gsize i = 0; i < 3 * n; i++)
    {
      a[i] = 0.2f;
      b[i] = 0.8f;
    }
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        wa[y * w + x] = x < w / 2 ? 1.0f : 0.0f;
        wb[y * w + x] = 1.0f - wa[y * w + x];
      }
  evenlight_retouch_fuse (imgs, ws, 2, out, w, h, 1);
  g_assert_cmpfloat (fabsf (out[3 * (10 * w + 2)] - 0.2f), <, 0.05);
  g_assert_cmpfloat (fabsf (out[3 * (10 * w + w - 3)] - 0.8f), <, 0.05);
  g_free (a); g_free (b); g_free (wa); g_free (wb); g_free (out);
}

/* Fusing copies of one image with the Mertens weights returns it. */
static void
test_fuse_identical (void)
{
  gint w = 97, h = 61;
  gsize n = (gsize) w * h;
  gfloat *a = random_rgb (w, h, 3), *out = g_new (gfloat, 3 * n);
  const gfloat *imgs[3] = { a, a, a };

  evenlight_retouch_fuse (imgs, NULL, 3, out, w, h, 2);
  g_assert_cmpfloat (max_abs_diff (out, a, 3 * n), <, 1e-5);
  g_free (a);
  g_free (out);
}

/* A step edge stays a step under S, while a plain box mean of the same
 * radius (the guided filter with ε → ∞) smears it: so this test can tell an
 * edge-aware filter from a blur. */
static void
test_smooth_keeps_step (void)
{
  gint w = 80, h = 40, r = 8;
  gsize n = (gsize) w * h;
  gfloat *src = g_new (gfloat, n), *dst = g_new (gfloat, n);
  gfloat *blur = g_new (gfloat, n);

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      src[y * w + x] = x < w / 2 ? 0.1f : 0.9f;

  evenlight_retouch_smooth (src, dst, w, h, r, 0.01f, 1);
  for (gint y = 0; y < h; y++)
    {
      g_assert_cmpfloat (fabsf (dst[y * w + w / 2 - 1] - 0.1f), <, 0.05);
      g_assert_cmpfloat (fabsf (dst[y * w + w / 2] - 0.9f), <, 0.05);
      g_assert_cmpfloat (fabsf (dst[y * w + 5] - 0.1f), <, 1e-4);
    }
  /* flat regions are left exactly as they are */
  g_assert_cmpfloat (fabsf (dst[w * 20 + w - 1] - 0.9f), <, 1e-4);

  evenlight_retouch_smooth (src, blur, w, h, r, 1e6f, 1);
  g_assert_cmpfloat (fabsf (blur[20 * w + w / 2 - 1] - 0.1f), >, 0.2);

  /* in place gives the same as out of place, whatever the thread count */
  memcpy (blur, src, n * sizeof (gfloat));
  evenlight_retouch_smooth (blur, blur, w, h, r, 0.01f, 3);
  g_assert_cmpfloat (max_abs_diff (blur, dst, n), <, 1e-6);

  g_free (src); g_free (dst); g_free (blur);
}

/* Small texture (variance ≪ ε) is smoothed: S is a smoothing after all. */
static void
test_smooth_flattens_texture (void)
{
  gint w = 64, h = 64;
  gsize n = (gsize) w * h;
  gfloat *src = g_new (gfloat, n), *dst = g_new (gfloat, n);
  gdouble var_in = 0.0, var_out = 0.0;

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      src[y * w + x] = 0.5f + 0.02f * (((x + y) & 1) ? 1.0f : -1.0f);
  evenlight_retouch_smooth (src, dst, w, h, 4, 0.01f, 1);
  for (gsize i = 0; i < n; i++)
    {
      var_in += (src[i] - 0.5) * (src[i] - 0.5);
      var_out += (dst[i] - 0.5) * (dst[i] - 0.5);
    }
  g_assert_cmpfloat (var_out, <, 0.1 * var_in);
  g_free (src);
  g_free (dst);
}

static void
check_finite_unit (const gfloat *p, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (isfinite (p[i]));
      g_assert_cmpfloat (p[i], >=, 0.0f);
      g_assert_cmpfloat (p[i], <=, 1.0f);
    }
}

/* Black, white, NaN/∞ and degenerate sizes: finite output in [0, 1]. */
static void
test_degenerate_inputs (void)
{
  const gint sizes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 2, 2 }, { 33, 17 } };
  EvenlightRetouchParams p;

  evenlight_retouch_params_init_default (&p);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (gint kind = 0; kind < 4; kind++)
      {
        gint w = sizes[s][0], h = sizes[s][1];
        gsize n = 3 * (gsize) w * h;
        gfloat *img = g_new (gfloat, n);
        GError *error = NULL;

        for (gsize i = 0; i < n; i++)
          img[i] = kind == 0 ? 0.0f : kind == 1 ? 1.0f
                   : kind == 2 ? (i % 3 ? NAN : 0.3f)
                   : (i % 2 ? INFINITY : -INFINITY);
        g_assert_true (evenlight_retouch (&p, img, w, h, 2, &error));
        g_assert_no_error (error);
        check_finite_unit (img, n);
        for (gsize i = 0; kind < 2 && i < n; i++)  /* black and white stay */
          g_assert_cmpfloat (fabsf (img[i] - (kind ? 1.0f : 0.0f)), <, 1e-6);
        g_free (img);
      }
}

/* A dark room with a bright window, smooth shading and fine texture: the
 * shadows get brighter, the window does not get brighter (nor blown out),
 * and the result does not depend on the thread count. */
static void
test_lifts_shadows (void)
{
  gint w = 200, h = 150;
  gsize n = (gsize) w * h;
  gfloat *img = random_rgb (w, h, 11), *img2;
  EvenlightRetouchParams p;
  gdouble dark_in = 0.0, dark_out = 0.0, win_in = 0.0, win_out = 0.0;
  GError *error = NULL;

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      for (gint c = 0; c < 3; c++)
        {
          gfloat *v = &img[3 * (y * w + x) + c];
          gboolean window = x > 120 && y < 60;
          gfloat shade = 0.8f + 0.2f * sinf (x * 0.1f + c) * cosf (y * 0.07f);
          *v = window ? 0.9f + 0.08f * (shade - 0.8f) / 0.4f + 0.01f * *v
                      : 0.06f * shade + 0.01f * *v;
        }
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        if (y >= 100 && x < 80)
          dark_in += img[3 * (y * w + x) + 1];
        if (y > 10 && y < 50 && x > 130 && x < 190)
          win_in += img[3 * (y * w + x) + 1];
      }
  img2 = g_memdup2 (img, 3 * n * sizeof (gfloat));

  evenlight_retouch_params_init_default (&p);
  g_assert_true (evenlight_retouch (&p, img, w, h, 1, &error));
  g_assert_true (evenlight_retouch (&p, img2, w, h, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (max_abs_diff (img, img2, 3 * n), ==, 0.0);
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        if (y >= 100 && x < 80)
          dark_out += img[3 * (y * w + x) + 1];
        if (y > 10 && y < 50 && x > 130 && x < 190)
          win_out += img[3 * (y * w + x) + 1];
      }
  g_assert_cmpfloat (dark_out, >, 2.0 * dark_in);
  g_assert_cmpfloat (win_out, <=, win_in);  /* highlights held back */
  check_finite_unit (img, 3 * n);
  g_free (img);
  g_free (img2);
}

static void
test_params_parse (void)
{
  EvenlightRetouchParams p, q;
  GError *error = NULL;
  gchar *s;
  const gchar *bad[] = {
    "shadows",                 /* no value            */
    "shadows=",                /* empty number        */
    "shadows=0.5/abc",         /* not a number        */
    "shadows=0.1/0.2/0.3/0.4/0.5", /* too many       */
    "shadows=-0.5",            /* out of range        */
    "highlights=2.5",          /* out of range        */
    "radius=0",                /* open lower bound    */
    "eps=2",                   /* out of range        */
    "detail=nan",              /* not finite          */
    "detail=0.5x",             /* trailing garbage    */
    "brightness=1",            /* unknown key         */
  };

  evenlight_retouch_params_init_default (&p);
  g_assert_true (evenlight_retouch_params_parse (
      &p, " shadows=0.3/0.7/1 , highlights=0.5,radius=12.5,eps=0.05,"
          "detail=0.6,detail_radius=3", &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.n_shadows, ==, 3);
  g_assert_cmpfloat (p.shadows[2], ==, 1.0f);
  g_assert_cmpint (p.n_highlights, ==, 1);
  g_assert_cmpfloat (p.smooth_radius, ==, 12.5f);
  g_assert_cmpfloat (p.detail, ==, 0.6f);

  /* format → parse is the identity */
  s = evenlight_retouch_params_format (&p);
  evenlight_retouch_params_init_default (&q);
  g_assert_true (evenlight_retouch_params_parse (&q, s, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&p, sizeof p, &q, sizeof q);
  g_free (s);

  /* an empty spec changes nothing */
  g_assert_true (evenlight_retouch_params_parse (&q, "", &error));
  g_assert_cmpmem (&p, sizeof p, &q, sizeof q);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      q = p;
      g_assert_false (evenlight_retouch_params_parse (&q, bad[i], &error));
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (error->message);
      g_clear_error (&error);
      g_assert_cmpmem (&p, sizeof p, &q, sizeof q);  /* unchanged */
    }
  /* a later bad item leaves an earlier good one unapplied too */
  q = p;
  g_assert_false (evenlight_retouch_params_parse (&q, "detail=1,eps=-1", &error));
  g_clear_error (&error);
  g_assert_cmpmem (&p, sizeof p, &q, sizeof q);
}

static void
test_invalid_image (void)
{
  EvenlightRetouchParams p;
  GError *error = NULL;
  gfloat px[3] = { 0.5f, 0.5f, 0.5f };

  evenlight_retouch_params_init_default (&p);
  g_assert_false (evenlight_retouch (&p, px, 0, 1, 1, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (evenlight_retouch (&p, NULL, 1, 1, 1, &error));
  g_clear_error (&error);
  p.smooth_eps = 0.0f;
  g_assert_false (evenlight_retouch (&p, px, 1, 1, 1, &error));
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/retouch/pyramid-equal-weights", test_pyramid_equal_weights);
  g_test_add_func ("/retouch/fuse-weight-split", test_fuse_weight_split);
  g_test_add_func ("/retouch/fuse-identical", test_fuse_identical);
  g_test_add_func ("/retouch/smooth-keeps-step", test_smooth_keeps_step);
  g_test_add_func ("/retouch/smooth-flattens-texture", test_smooth_flattens_texture);
  g_test_add_func ("/retouch/degenerate-inputs", test_degenerate_inputs);
  g_test_add_func ("/retouch/lifts-shadows", test_lifts_shadows);
  g_test_add_func ("/retouch/params-parse", test_params_parse);
  g_test_add_func ("/retouch/invalid-image", test_invalid_image);
  return g_test_run ();
}
