/* Golden parity: the C engine against the PyTorch reference
 * (weights/train/make_golden.py), every tensor of weights/MODEL.md §9
 * within 1e-4.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

#define TOLERANCE 1e-4

typedef struct
{
  const gfloat *rgb;
  gint          width;
} Input;

static gboolean
input_read (const EvenlightRect *r, gfloat *rgb, gpointer data, GError **error)
{
  const Input *in = data;
  gint y;

  (void) error;
  for (y = 0; y < r->height; y++)
    memcpy (rgb + (gsize) y * r->width * 3, in->rgb + ((gsize) (r->y + y) * in->width + r->x) * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

/* Compares @ref (channels × H × W) with channels @c0 … of @p. */
static void
check_planes (const gchar *name, const gfloat *ref, const EvenlightPlanes *p, gint c0, gint channels)
{
  gdouble worst = 0.0;
  gint c, y, x;

  for (c = 0; c < channels; c++)
    for (y = 0; y < p->height; y++)
      for (x = 0; x < p->width; x++)
        {
          gdouble d = fabs ((gdouble) evenlight_planes_row (p, c0 + c, y)[x]
                            - ref[((gsize) c * p->height + y) * p->width + x]);
          worst = isnan (d) ? INFINITY : MAX (worst, d);
        }
  g_test_message ("%-16s max |C − PyTorch| = %.3g", name, worst);
  if (!(worst <= TOLERANCE))
    {
      g_test_message ("FAIL: %s differs from the reference by %.3g", name, worst);
      g_test_fail ();
    }
}

static void
check_flat (const gchar *name, const gfloat *ref, const gfloat *c_values, gsize n)
{
  test_check_parity (name, ref, c_values, n, TOLERANCE);
}

/* @data: the golden files' stem, "golden" (v1) or "golden-v2" (the
 * Fusion-Net's global bias, MODEL.md §3). */
static void
test_golden (gconstpointer data)
{
  const gchar *stem = data;
  const gchar *dir = g_getenv ("EVENLIGHT_TEST_DATA");
  g_autofree gchar *wname = g_strconcat (stem, "-weights.bin", NULL);
  g_autofree gchar *gname = g_strconcat (stem, ".bin", NULL);
  gchar *wpath, *gpath;
  EvenlightModel *model;
  EvenlightWeights *golden;
  const EvenlightTensor *input;
  EvenlightContext *ctx;
  EvenlightScratch *s;
  GError *error = NULL;
  gfloat *rgb, *out;
  Input in;
  gint h, w, k, y, x, c;

  g_assert_nonnull (dir);
  wpath = g_build_filename (dir, wname, NULL);
  gpath = g_build_filename (dir, gname, NULL);
  model = evenlight_model_load (wpath, &error);
  g_assert_no_error (error);
  golden = evenlight_weights_load (gpath, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (evenlight_weights_architecture (golden), ==, "evenlight-golden-v1");

  input = evenlight_weights_lookup (golden, "input");
  g_assert_nonnull (input);
  g_assert_cmpuint (input->ndim, ==, 3);
  g_assert_cmpuint (input->dims[0], ==, 3);
  h = (gint) input->dims[1];
  w = (gint) input->dims[2];
  g_test_message ("golden image %d × %d", w, h);

  /* The input is planar; the read callback hands out packed pixels. */
  rgb = g_new (gfloat, (gsize) w * h * 3);
  for (c = 0; c < 3; c++)
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        rgb[((gsize) y * w + x) * 3 + c] = input->data[((gsize) c * h + y) * w + x];
  in.rgb = rgb;
  in.width = w;

  ctx = evenlight_context_new (model, w, h, input_read, &in, &error);
  g_assert_no_error (error);
  g_assert_true (ctx->has_fusion_bias == g_str_equal (stem, "golden-v2"));
  check_flat ("grid", test_tensor (golden, "grid", 3, 8, 16, 16), ctx->grid, EVENLIGHT_GRID_SIZE);
  check_flat ("grid_inv", test_tensor (golden, "grid_inv", 3, 8, 16, 16), ctx->grid_inv, EVENLIGHT_GRID_SIZE);

  s = evenlight_scratch_new ();
  out = g_new (gfloat, (gsize) w * h * 3);
  for (k = 0;; k++)
    {
      gchar *name = g_strdup_printf ("case%d.params", k);
      const EvenlightTensor *pt = evenlight_weights_lookup (golden, name);
      EvenlightRect all = { 0, 0, w, h };
      EvenlightParams params;
      gfloat *r_planar;
      gchar *label;

      g_free (name);
      if (pt == NULL)
        break;
      g_assert_cmpuint (pt->count, ==, 3);
      params.shadows = pt->data[0];
      params.highlights = pt->data[1];
      params.denoise = pt->data[2];
      g_assert_true (evenlight_params_validate (&params, NULL));
      g_test_message ("case %d: γ1 = %g, γ2 = %g, γ3 = %g", k,
                      params.shadows, params.highlights, params.denoise);

      g_assert_true (evenlight_render_tile (ctx, &params, &all, EVENLIGHT_TILE_MARGIN, input_read, &in,
                                            s, TRUE, out, (gsize) w * 3, &error));
      g_assert_no_error (error);
      if (k == 0)
        {
          check_planes ("L", test_tensor (golden, "L", 2, h, w, 0), &s->l, 0, 1);
          check_planes ("Li", test_tensor (golden, "Li", 2, h, w, 0), &s->li, 0, 1);
        }

      {
        static const struct { const gchar *what; gsize offset; gint c0; } parts[] = {
          { "I_U", G_STRUCT_OFFSET (EvenlightScratch, x), 3 },
          { "I_O", G_STRUCT_OFFSET (EvenlightScratch, x), 6 },
          { "weights", G_STRUCT_OFFSET (EvenlightScratch, w), 0 },
          { "R1", G_STRUCT_OFFSET (EvenlightScratch, r1), 0 },
          { "N", G_STRUCT_OFFSET (EvenlightScratch, n), 0 },
        };
        guint i;

        for (i = 0; i < G_N_ELEMENTS (parts); i++)
          {
            label = g_strdup_printf ("case%d.%s", k, parts[i].what);
            check_planes (label, test_tensor (golden, label, 3, 3, h, w),
                          (const EvenlightPlanes *) ((const guint8 *) s + parts[i].offset),
                          parts[i].c0, 3);
            g_free (label);
          }
      }

      r_planar = g_new (gfloat, (gsize) w * h * 3);
      for (c = 0; c < 3; c++)
        for (y = 0; y < h; y++)
          for (x = 0; x < w; x++)
            r_planar[((gsize) c * h + y) * w + x] = out[((gsize) y * w + x) * 3 + c];
      label = g_strdup_printf ("case%d.R", k);
      check_flat (label, test_tensor (golden, label, 3, 3, h, w), r_planar, (gsize) w * h * 3);
      g_free (label);
      g_free (r_planar);

      /* The tiled public path gives the same R (it is bit-identical to the
       * single-window render the comparison above used). */
      {
        gfloat *tiled = g_new (gfloat, (gsize) w * h * 3);
        g_assert_true (evenlight_render_region (ctx, &params, &all, input_read, &in,
                                                tiled, (gsize) w * 3, &error));
        g_assert_cmpmem (tiled, (gsize) w * h * 3 * sizeof (gfloat), out, (gsize) w * h * 3 * sizeof (gfloat));
        g_free (tiled);
      }
    }
  g_assert_cmpint (k, >=, 2);

  g_free (out);
  evenlight_scratch_free (s);
  evenlight_context_free (ctx);
  evenlight_weights_free (golden);
  evenlight_model_free (model);
  g_free (rgb);
  g_free (wpath);
  g_free (gpath);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/core/golden", "golden", test_golden);
  g_test_add_data_func ("/core/golden-v2", "golden-v2", test_golden);
  return g_test_run ();
}
