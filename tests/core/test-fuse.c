/* Exposure fusion of a bracket: the tiling contract (a rectangle's output
 * equals the whole-image render whatever the tiling, order or threads),
 * order independence, alignment of shifted exposures, and the refusals.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <math.h>
#include <string.h>

static EvenlightModel *model;

typedef struct
{
  gint    n, width, height;
  gfloat *rgb[EVENLIGHT_BRACKET_MAX];
} Bracket;

static gboolean
bracket_read (gint k, const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  const Bracket *b = data;
  gint y;

  (void) error;
  g_assert_cmpint (k, >=, 0);
  g_assert_cmpint (k, <, b->n);
  g_assert_true (evenlight_rect_in_image (rect, b->width, b->height));
  for (y = 0; y < rect->height; y++)
    memcpy (rgb + (gsize) y * rect->width * 3,
            b->rgb[k] + ((gsize) (rect->y + y) * b->width + rect->x) * 3,
            (gsize) rect->width * 3 * sizeof (gfloat));
  return TRUE;
}

/* The exposure @ev stops from the photo @base (W × H, linear light taken
 * as R'^2.2), seen through a @width × @height window at (@ox, @oy) + a
 * half pixel to the right when @half (the mean of two columns). */
static gfloat *
exposure (const gfloat *base, gint bw, gint width, gint height, gint ox, gint oy,
          gboolean half, gdouble ev)
{
  gfloat *out = g_new (gfloat, (gsize) width * height * 3);
  gint x, y, c;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      for (c = 0; c < 3; c++)
        {
          const gfloat *p = base + ((gsize) (y + oy) * bw + x + ox) * 3 + c;
          gdouble v = half ? 0.5 * (p[0] + p[3]) : p[0];

          v = pow (v, 2.2) * pow (2.0, ev);
          out[((gsize) y * width + x) * 3 + c] = (gfloat) pow (MIN (v, 1.0), 1.0 / 2.2);
        }
  return out;
}

/* @n exposures from −2 to +2 stops of one photo, unshifted. */
static void
bracket_make (Bracket *b, gint n, gint width, gint height, guint32 seed)
{
  gfloat *base = test_image_photo (width, height, seed);
  gint k;

  b->n = n;
  b->width = width;
  b->height = height;
  for (k = 0; k < n; k++)
    b->rgb[k] = exposure (base, width, width, height, 0, 0, FALSE, -2.0 + 4.0 * k / (n - 1));
  g_free (base);
}

static void
bracket_clear (Bracket *b)
{
  gint k;

  for (k = 0; k < b->n; k++)
    g_free (b->rgb[k]);
}

static EvenlightContext *
context_new (Bracket *b, EvenlightBracketFlags flags)
{
  GError *error = NULL;
  EvenlightContext *ctx = evenlight_bracket_context_new (model, b->n, b->width, b->height,
                                                         flags, bracket_read, b, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ctx);
  return ctx;
}

/* The whole result through one tile: the reference. A bracket reads its
 * own exposures (@read NULL); a photo's context reads through @read. */
static gfloat *
render_whole_from (const EvenlightContext *ctx, const EvenlightParams *params,
                   EvenlightReadFunc read, gpointer data)
{
  gint w, h;
  EvenlightScratch *s = evenlight_scratch_new ();
  EvenlightRect all;
  gfloat *out;

  evenlight_context_get_size (ctx, &w, &h);
  all = (EvenlightRect) { 0, 0, w, h };
  out = g_new (gfloat, (gsize) w * h * 3);
  g_assert_true (evenlight_render_tile (ctx, params, &all, EVENLIGHT_TILE_MARGIN, read, data,
                                        s, FALSE, out, (gsize) w * 3, NULL));
  evenlight_scratch_free (s);
  return out;
}

static gfloat *
render_whole (const EvenlightContext *ctx, const EvenlightParams *params)
{
  return render_whole_from (ctx, params, NULL, NULL);
}

typedef struct
{
  gfloat *out;
  gint    width;
} Sink;

static gboolean
sink_write (const EvenlightRect *rect, const gfloat *rgb, gpointer data, GError **error)
{
  Sink *sink = data;
  gint y;

  (void) error;
  for (y = 0; y < rect->height; y++)
    memcpy (sink->out + ((gsize) (rect->y + y) * sink->width + rect->x) * 3,
            rgb + (gsize) y * rect->width * 3, (gsize) rect->width * 3 * sizeof (gfloat));
  return TRUE;
}

static gfloat *
render_enhance (const EvenlightContext *ctx, const EvenlightParams *params, gint threads)
{
  gint w, h;
  Sink sink;
  EvenlightRect all;
  GError *error = NULL;

  evenlight_context_get_size (ctx, &w, &h);
  all = (EvenlightRect) { 0, 0, w, h };
  sink.out = g_new (gfloat, (gsize) w * h * 3);
  sink.width = w;
  g_assert_true (evenlight_enhance (ctx, params, &all, threads, NULL, NULL, sink_write, &sink,
                                    NULL, NULL, &error));
  g_assert_no_error (error);
  return sink.out;
}

static void
assert_region_equals (const gfloat *region, const gfloat *whole, gint width,
                      const EvenlightRect *r)
{
  gint y;

  for (y = 0; y < r->height; y++)
    g_assert_cmpfloat (test_max_diff (region + (gsize) y * r->width * 3,
                                      whole + ((gsize) (r->y + y) * width + r->x) * 3,
                                      (gsize) r->width * 3), ==, 0.0);
}

/* Tiles, regions, threads: the same bits, for a shifted bracket too. */
static void
test_tiling (void)
{
  const gint bw = 620, bh = 300, w = 601, h = 283;
  gfloat *base = test_image_photo (bw, bh, 21);
  EvenlightParams params[] = { { 1.0f, 0.4f, 0.5f }, { 1.0f, 0.4f, 0.0f }, { 1.0f, 0.4f, 1.0f } };
  Bracket b = { 3, w, h, { NULL } };
  GRand *rand = g_rand_new_with_seed (5);
  EvenlightContext *ctx;
  gint cw, ch;
  guint p;

  /* Moved by (3, 5), (6.5, 2) and (8, 9): fractions and whole pixels. */
  b.rgb[0] = exposure (base, bw, w, h, 3, 5, FALSE, -2.0);
  b.rgb[1] = exposure (base, bw, w, h, 6, 2, TRUE, 0.0);
  b.rgb[2] = exposure (base, bw, w, h, 8, 9, FALSE, 2.0);
  ctx = context_new (&b, EVENLIGHT_BRACKET_ALIGN);
  evenlight_context_get_size (ctx, &cw, &ch);
  g_assert_cmpint (cw, <, w);
  g_assert_cmpint (ch, <, h);
  for (p = 0; p < G_N_ELEMENTS (params); p++)
    {
      gfloat *whole = render_whole (ctx, &params[p]);
      gint threads, trial;

      for (threads = 1; threads <= 3; threads++)
        {
          gfloat *tiled = render_enhance (ctx, &params[p], threads);
          g_assert_cmpfloat (test_max_diff (tiled, whole, (gsize) cw * ch * 3), ==, 0.0);
          g_free (tiled);
        }
      for (trial = 0; trial < 8; trial++)
        {
          EvenlightRect r;
          gfloat *region;

          r.width = g_rand_int_range (rand, 1, trial < 4 ? 80 : cw + 1);
          r.height = g_rand_int_range (rand, 1, trial < 4 ? 80 : ch + 1);
          r.x = g_rand_int_range (rand, 0, cw - r.width + 1);
          r.y = g_rand_int_range (rand, 0, ch - r.height + 1);
          region = g_new (gfloat, (gsize) r.width * r.height * 3);
          if (trial % 2)
            g_assert_true (evenlight_render_region (ctx, &params[p], &r, NULL, NULL, region,
                                                   (gsize) r.width * 3, NULL));
          else
            g_assert_true (evenlight_render_region_threads (ctx, &params[p], &r, 2, NULL,
                                                           NULL, NULL, region,
                                                           (gsize) r.width * 3, NULL));
          assert_region_equals (region, whole, cw, &r);
          g_free (region);
        }
      g_free (whole);
    }
  g_rand_free (rand);
  evenlight_context_free (ctx);
  bracket_clear (&b);
  g_free (base);
}

/* The shifts are found to a fraction of a pixel, and the crop is the part
 * all three see. */
static void
test_alignment (void)
{
  const gint bw = 420, bh = 330, w = 400, h = 300;
  gfloat *base = test_image_photo (bw, bh, 7);
  Bracket b = { 3, w, h, { NULL } };
  EvenlightContext *ctx;
  EvenlightRect crop;
  gdouble dx, dy;
  gint rank;

  /* The middle exposure (the reference) is cut at (10, 12); the dark one
   * at (4, 15), so its content lies (−6, +3) from the middle's; the
   * bright one at (13.5, 7): (+3.5, −5). Given in the order bright,
   * dark, middle. */
  b.rgb[0] = exposure (base, bw, w, h, 13, 7, TRUE, 2.0);
  b.rgb[1] = exposure (base, bw, w, h, 4, 15, FALSE, -2.0);
  b.rgb[2] = exposure (base, bw, w, h, 10, 12, FALSE, 0.0);
  ctx = context_new (&b, EVENLIGHT_BRACKET_ALIGN);
  g_assert_null (evenlight_bracket_get_warning (ctx));

  evenlight_bracket_get_exposure (ctx, 2, &dx, &dy, &rank);
  g_assert_cmpint (rank, ==, 1);
  g_assert_cmpfloat (dx, ==, 0.0);
  g_assert_cmpfloat (dy, ==, 0.0);
  evenlight_bracket_get_exposure (ctx, 1, &dx, &dy, &rank);
  g_test_message ("dark: %.3f, %.3f (true 6, -3)", dx, dy);
  g_assert_cmpint (rank, ==, 0);
  g_assert_cmpfloat (fabs (dx - 6.0), <, 0.35);
  g_assert_cmpfloat (fabs (dy + 3.0), <, 0.35);
  evenlight_bracket_get_exposure (ctx, 0, &dx, &dy, &rank);
  g_test_message ("bright: %.3f, %.3f (true -3.5, 5)", dx, dy);
  g_assert_cmpint (rank, ==, 2);
  g_assert_cmpfloat (fabs (dx + 3.5), <, 0.35);
  g_assert_cmpfloat (fabs (dy - 5.0), <, 0.35);

  /* Exposure k at x + d_k inside [0, W − 1] for every x of the crop. */
  evenlight_bracket_get_crop (ctx, &crop);
  g_assert_cmpint (crop.x, >=, 3);
  g_assert_cmpint (crop.y, >=, 3);
  g_assert_cmpint (crop.x + crop.width - 1, <=, w - 1 - 6);
  g_assert_cmpint (crop.y + crop.height - 1, <=, h - 1 - 5);
  g_assert_cmpint (crop.width, >=, w - 11);
  g_assert_cmpint (crop.height, >=, h - 10);
  evenlight_context_free (ctx);

  /* Without alignment: no shift, no crop. */
  ctx = context_new (&b, EVENLIGHT_BRACKET_NONE);
  evenlight_bracket_get_crop (ctx, &crop);
  g_assert_cmpint (crop.width, ==, w);
  g_assert_cmpint (crop.height, ==, h);
  evenlight_context_free (ctx);

  bracket_clear (&b);
  g_free (base);
}

/* Unrelated images cannot be aligned: a warning, and no shift. */
static void
test_unalignable (void)
{
  const gint w = 300, h = 200;
  Bracket b = { 3, w, h, { NULL } };
  EvenlightContext *ctx;
  gdouble dx, dy;
  gint k;

  for (k = 0; k < 3; k++)
    {
      b.rgb[k] = g_new (gfloat, (gsize) w * h * 3);
      test_fill_random (b.rgb[k], (gsize) w * h * 3, 0.1f * k, 0.5f + 0.2f * k, 100 + k);
    }
  ctx = context_new (&b, EVENLIGHT_BRACKET_ALIGN);
  g_assert_nonnull (evenlight_bracket_get_warning (ctx));
  g_test_message ("%s", evenlight_bracket_get_warning (ctx));
  g_assert_nonnull (strstr (evenlight_bracket_get_warning (ctx), "could not be aligned"));
  evenlight_bracket_get_exposure (ctx, 0, &dx, &dy, NULL);
  g_assert_cmpfloat (dx, ==, 0.0);
  g_assert_cmpfloat (dy, ==, 0.0);
  evenlight_context_free (ctx);
  bracket_clear (&b);
}

/* Any order of the same exposures gives the same bits; 2 to 9 exposures
 * work and each is read. */
static void
test_order_and_counts (void)
{
  const gint w = 160, h = 120;
  EvenlightParams params = { 1.0f, 0.4f, 0.5f };
  gint n;

  for (n = 2; n <= EVENLIGHT_BRACKET_MAX; n++)
    {
      Bracket b, r;
      EvenlightContext *ctx, *rctx;
      gfloat *a, *c;
      gint k, rank, cw, ch, rw, rh;

      bracket_make (&b, n, w, h, 30 + n);
      r = b;
      for (k = 0; k < n; k++)   /* reversed, then the first two swapped */
        r.rgb[k] = b.rgb[n - 1 - k];
      r.rgb[0] = b.rgb[n - 2];
      r.rgb[1] = b.rgb[n - 1];
      ctx = context_new (&b, EVENLIGHT_BRACKET_ALIGN);
      rctx = context_new (&r, EVENLIGHT_BRACKET_ALIGN);
      for (k = 0; k < n; k++)
        {
          evenlight_bracket_get_exposure (ctx, k, NULL, NULL, &rank);
          g_assert_cmpint (rank, ==, k);
        }
      a = render_enhance (ctx, &params, 2);
      c = render_enhance (rctx, &params, 1);
      evenlight_context_get_size (ctx, &cw, &ch);
      evenlight_context_get_size (rctx, &rw, &rh);
      g_assert_cmpint (cw, ==, rw);
      g_assert_cmpint (ch, ==, rh);
      g_assert_cmpfloat (test_max_diff (a, c, (gsize) cw * ch * 3), ==, 0.0);
      g_free (a);
      g_free (c);
      evenlight_context_free (ctx);
      evenlight_context_free (rctx);
      bracket_clear (&b);
    }
}

static void
test_refusals (void)
{
  Bracket b;
  GError *error = NULL;
  EvenlightParams params = { 1.0f, 0.4f, 0.5f };
  EvenlightContext *ctx;

  bracket_make (&b, 2, 64, 24, 3);
  g_assert_null (evenlight_bracket_context_new (model, 1, 64, 24, 0, bracket_read, &b, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "2 to 9"));
  g_clear_error (&error);
  g_assert_null (evenlight_bracket_context_new (model, 10, 64, 24, 0, bracket_read, &b, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (evenlight_bracket_context_new (model, 2, 0, 24, 0, bracket_read, &b, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (evenlight_bracket_context_new (NULL, 2, 64, 24, 0, bracket_read, &b, &error));
  g_clear_error (&error);

  /* A small image is fused, with a warning that it was not aligned. */
  ctx = context_new (&b, EVENLIGHT_BRACKET_ALIGN);
  g_assert_nonnull (evenlight_bracket_get_warning (ctx));
  g_free (render_enhance (ctx, &params, 1));
  evenlight_context_free (ctx);
  bracket_clear (&b);
}

/* One exposure of a bracket as a single image. */
static gboolean
single_read (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  const Bracket *b = data;

  return bracket_read (1, rect, rgb, (gpointer) b, error);
}

/* With v2 weights (the Fusion-Net's global bias, MODEL.md §3) a bracket's
 * bias is that of its middle exposure as a photo; v1 weights have none. */
static void
test_global_bias (void)
{
  const gchar *dir = g_getenv ("EVENLIGHT_TEST_DATA");
  g_autofree gchar *path = NULL;
  EvenlightModel *v1 = model, *v2;
  EvenlightContext *ctx, *single;
  GError *error = NULL;
  Bracket b;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "golden-v2-weights.bin", NULL);
  v2 = evenlight_model_load (path, &error);
  g_assert_no_error (error);
  bracket_make (&b, 3, 96, 64, 7);

  ctx = context_new (&b, EVENLIGHT_BRACKET_NONE);
  g_assert_false (ctx->has_fusion_bias);
  evenlight_context_free (ctx);

  model = v2;
  ctx = context_new (&b, EVENLIGHT_BRACKET_NONE);
  single = evenlight_context_new (v2, b.width, b.height, single_read, &b, &error);
  g_assert_no_error (error);
  g_assert_true (ctx->has_fusion_bias && single->has_fusion_bias);
  g_assert_cmpmem (ctx->fusion_bias, sizeof ctx->fusion_bias,
                   single->fusion_bias, sizeof single->fusion_bias);
  g_assert_cmpfloat (fabsf (ctx->fusion_bias[0]) + fabsf (ctx->fusion_bias[1]), >, 0.01f);
  evenlight_context_free (single);
  evenlight_context_free (ctx);
  model = v1;
  evenlight_model_free (v2);
  bracket_clear (&b);
}

/* A model's own Fusion-Net for brackets (MODEL.md §3b) is the one a
 * bracket renders with, and only a bracket. With every weight of it zero
 * the three fusion weights are 1/3 each, so R (Denoise 0) is the mean of
 * the darkest, middle and brightest exposure; a photo renders as before. */
static void
test_bracket_fusion (void)
{
  static const gint cout[6] = { 6, 6, 6, 6, 3, 3 }, cin[6] = { 9, 6, 6, 6, 6, 9 };
  static const gint ks[6] = { 3, 3, 3, 3, 1, 1 };
  EvenlightFusionNet *bf = &model->bracket_fusion;
  EvenlightConv *convs[6] = { &bf->enc1, &bf->enc2, &bf->mid, &bf->dec1, &bf->out, &bf->skip };
  static const gfloat zeros[6 * 9 * 9] = { 0 };
  EvenlightParams params = { 1.0f, 0.4f, 0.0f };
  EvenlightContext *ctx, *single;
  gfloat *before, *photo_before, *after, *photo_after;
  GError *error = NULL;
  gsize i, n;
  gint k;
  Bracket b;

  bracket_make (&b, 3, 96, 64, 11);
  n = (gsize) b.width * b.height * 3;
  single = evenlight_context_new (model, b.width, b.height, single_read, &b, &error);
  g_assert_no_error (error);
  ctx = context_new (&b, EVENLIGHT_BRACKET_NONE);
  before = render_whole (ctx, &params);
  photo_before = render_whole_from (single, &params, single_read, &b);
  evenlight_context_free (single);
  evenlight_context_free (ctx);

  for (k = 0; k < 6; k++)
    evenlight_conv_init (convs[k], zeros, k < 5 ? zeros : NULL, cout[k], cin[k], ks[k]);
  model->has_bracket_fusion = TRUE;
  single = evenlight_context_new (model, b.width, b.height, single_read, &b, &error);
  g_assert_no_error (error);
  ctx = context_new (&b, EVENLIGHT_BRACKET_NONE);
  after = render_whole (ctx, &params);
  photo_after = render_whole_from (single, &params, single_read, &b);
  for (i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (after[i], (b.rgb[0][i] + b.rgb[1][i] + b.rgb[2][i]) / 3.0f,
                                    1e-6f);
  g_assert_cmpfloat (test_max_diff (before, after, n), >, 0.01);
  g_assert_cmpfloat (test_max_diff (photo_before, photo_after, n), ==, 0.0);

  model->has_bracket_fusion = FALSE;
  for (k = 0; k < 6; k++)
    evenlight_conv_clear (convs[k]);
  evenlight_context_free (single);
  evenlight_context_free (ctx);
  g_free (before);
  g_free (after);
  g_free (photo_before);
  g_free (photo_after);
  bracket_clear (&b);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  model = test_model_random (42);
  g_test_add_func ("/core/fuse/tiling", test_tiling);
  g_test_add_func ("/core/fuse/alignment", test_alignment);
  g_test_add_func ("/core/fuse/unalignable", test_unalignable);
  g_test_add_func ("/core/fuse/order-and-counts", test_order_and_counts);
  g_test_add_func ("/core/fuse/refusals", test_refusals);
  g_test_add_func ("/core/fuse/global-bias", test_global_bias);
  g_test_add_func ("/core/fuse/bracket-fusion", test_bracket_fusion);
  status = g_test_run ();
  test_model_free (model);
  return status;
}
