/* Helpers shared by the core tests.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(EVENLIGHT_CLONES_ONLY_AVX2)
/* Linked into the tests of the AVX2-only engine copy: on a CPU without
 * AVX2 they would die of an illegal instruction, so they skip instead. */
__attribute__ ((constructor)) static void
test_require_avx2 (void)
{
  __builtin_cpu_init ();
  if (!__builtin_cpu_supports ("avx2"))
    {
      printf ("1..0 # SKIP this CPU has no AVX2\n");
      exit (77);
    }
}
#endif

void
test_fill_random (gfloat *data, gsize n, gfloat lo, gfloat hi, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gsize i;

  for (i = 0; i < n; i++)
    data[i] = (gfloat) g_rand_double_range (rand, lo, hi);
  g_rand_free (rand);
}

static void
random_conv (EvenlightConv *conv, GRand *rand, gint cout, gint cin, gint k, gboolean bias)
{
  gsize n = (gsize) cout * cin * k * k, i;
  gfloat *w = g_new (gfloat, n), b[64];
  gdouble bound = 1.0 / sqrt ((gdouble) cin * k * k);

  for (i = 0; i < n; i++)
    w[i] = (gfloat) g_rand_double_range (rand, -bound, bound);
  for (i = 0; i < (gsize) cout; i++)
    b[i] = (gfloat) g_rand_double_range (rand, -bound, bound);
  evenlight_conv_init (conv, w, bias ? b : NULL, cout, cin, k);
  g_free (w);
}

EvenlightModel *
test_model_random (guint32 seed)
{
  EvenlightModel *m = g_new0 (EvenlightModel, 1);
  GRand *rand = g_rand_new_with_seed (seed);
  gfloat *global_w = g_new (gfloat, 64), *global_b = g_new (gfloat, 8);
  gint i;

  random_conv (&m->illum_conv1, rand, 6, 4, 3, TRUE);
  random_conv (&m->illum_conv2, rand, 8, 6, 3, TRUE);
  random_conv (&m->illum_conv3, rand, 8, 8, 3, TRUE);
  for (i = 0; i < 64; i++)
    global_w[i] = (gfloat) g_rand_double_range (rand, -0.35, 0.35);
  for (i = 0; i < 8; i++)
    global_b[i] = (gfloat) g_rand_double_range (rand, -0.35, 0.35);
  m->illum_global_w = global_w;
  m->illum_global_b = global_b;
  random_conv (&m->illum_grid, rand, 8, 8, 1, TRUE);
  random_conv (&m->fusion.enc1, rand, 6, 9, 3, TRUE);
  random_conv (&m->fusion.enc2, rand, 6, 6, 3, TRUE);
  random_conv (&m->fusion.mid, rand, 6, 6, 3, TRUE);
  random_conv (&m->fusion.dec1, rand, 6, 6, 3, TRUE);
  random_conv (&m->fusion.out, rand, 3, 6, 1, TRUE);
  random_conv (&m->fusion.skip, rand, 3, 9, 1, FALSE);
  random_conv (&m->rconv1, rand, 8, 12, 3, TRUE);
  random_conv (&m->rconv2, rand, 8, 8, 3, TRUE);
  random_conv (&m->rconv3, rand, 8, 8, 3, TRUE);
  random_conv (&m->rout, rand, 12, 24, 1, TRUE);
  g_rand_free (rand);
  return m;
}

void
test_model_free (EvenlightModel *model)
{
  g_free ((gpointer) model->illum_global_w);
  g_free ((gpointer) model->illum_global_b);
  evenlight_model_free (model);
}

gfloat *
test_image_photo (gint width, gint height, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gfloat *rgb = g_new (gfloat, (gsize) width * height * 3);
  gdouble cx[6], cy[6], rad[6], col[6][3];
  gint x, y, c, k;

  for (k = 0; k < 6; k++)
    {
      cx[k] = g_rand_double (rand) * width;
      cy[k] = g_rand_double (rand) * height;
      rad[k] = (0.1 + 0.3 * g_rand_double (rand)) * MAX (width, height);
      for (c = 0; c < 3; c++)
        col[k][c] = 0.2 + 0.8 * g_rand_double (rand);
    }
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      {
        /* Illumination: a dark left side and a bright spot. */
        gdouble u = (x + 0.5) / width, v = (y + 0.5) / height;
        gdouble light = 0.04 + 0.5 * u * u
                        + 0.8 * exp (-((u - 0.8) * (u - 0.8) + (v - 0.3) * (v - 0.3)) * 20.0);
        for (c = 0; c < 3; c++)
          {
            gdouble refl = 0.3 + 0.1 * sin (x * 0.05 + c) * cos (y * 0.07);
            for (k = 0; k < 6; k++)
              {
                gdouble dx = x - cx[k], dy = y - cy[k];
                if (dx * dx + dy * dy < rad[k] * rad[k])
                  refl = col[k][c];
              }
            gdouble v = refl * light + 0.02 * (g_rand_double (rand) - 0.5);
            rgb[((gsize) y * width + x) * 3 + c] = (gfloat) CLAMP (v, 0.0, 1.0);
          }
      }
  g_rand_free (rand);
  return rgb;
}

gboolean
test_image_read (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  TestImage *image = data;
  gint y;

  g_atomic_int_inc (&image->reads);
  if (rect->x < 0 || rect->y < 0 || rect->width <= 0 || rect->height <= 0
      || rect->x + rect->width > image->width || rect->y + rect->height > image->height)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT, "read outside the image");
      return FALSE;
    }
  for (y = 0; y < rect->height; y++)
    memcpy (rgb + (gsize) y * rect->width * 3,
            image->rgb + ((gsize) (rect->y + y) * image->width + rect->x) * 3,
            (gsize) rect->width * 3 * sizeof (gfloat));
  return TRUE;
}

gfloat *
test_render_whole (const EvenlightContext *context,
                   const EvenlightParams  *params,
                   TestImage              *image)
{
  EvenlightRect all = { 0, 0, image->width, image->height };
  EvenlightScratch *s = evenlight_scratch_new ();
  gfloat *out = g_new (gfloat, (gsize) image->width * image->height * 3);
  GError *error = NULL;

  g_assert_true (evenlight_render_tile (context, params, &all, EVENLIGHT_TILE_MARGIN,
                                        test_image_read, image, s, FALSE,
                                        out, (gsize) image->width * 3, &error));
  g_assert_no_error (error);
  evenlight_scratch_free (s);
  return out;
}

gdouble
test_max_diff (const gfloat *a, const gfloat *b, gsize n)
{
  gdouble m = 0.0;
  gsize i;

  for (i = 0; i < n; i++)
    {
      gdouble d = fabs ((gdouble) a[i] - b[i]);
      if (isnan (d))
        return INFINITY;
      m = MAX (m, d);
    }
  return m;
}

gfloat *
test_dup (const gfloat *data, gsize bytes)
{
  gfloat *copy = g_malloc (bytes);

  memcpy (copy, data, bytes);
  return copy;
}

gdouble
test_check_parity (const gchar *name, const gfloat *ref, const gfloat *c_values,
                   gsize n, gdouble tolerance)
{
  gdouble worst = 0.0;
  gsize i;

  for (i = 0; i < n; i++)
    {
      gdouble d = fabs ((gdouble) c_values[i] - ref[i]);
      worst = isnan (d) ? INFINITY : MAX (worst, d);
    }
  g_test_message ("%-16s max |C − PyTorch| = %.3g", name, worst);
  if (!(worst <= tolerance))
    {
      g_test_message ("FAIL: %s differs from the reference by %.3g", name, worst);
      g_test_fail ();
    }
  return worst;
}

const gfloat *
test_tensor (const EvenlightWeights *golden, const gchar *name, guint ndim,
             guint d0, guint d1, guint d2)
{
  guint dims[3] = { d0, d1, d2 };
  GError *error = NULL;
  const gfloat *data = evenlight_weights_require (golden, name, ndim, dims, &error);

  g_assert_no_error (error);
  return data;
}
