/* Dequantization network: C against the PyTorch golden vectors, region
 * rendering against the whole image, hostile input.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "dequant.h"
#include "evenlight.h"
#include "weights.h"

#include "check.h"

static gchar *
data_path (const gchar *name)
{
  const gchar *dir = g_getenv ("EVENLIGHT_TEST_DATA");
  return g_build_filename (dir ? dir : "tests/data", name, NULL);
}

/* Planar 3×H×W → packed. */
static gfloat *
packed (const gfloat *planar, gint w, gint h)
{
  gfloat *out = g_new (gfloat, 3 * (gsize) w * h);
  for (gint c = 0; c < 3; c++)
    for (gint i = 0; i < w * h; i++)
      out[3 * i + c] = planar[(gsize) c * w * h + i];
  return out;
}

static void
test_golden (const EvenlightDequant *dq, const gchar *name)
{
  gchar                 *path = data_path (name);
  GError                *error = NULL;
  EvenlightWeights      *gold = evenlight_weights_load (path, &error);
  const EvenlightTensor *in, *gain, *step, *want;
  gfloat                *rgb, *exp;
  gdouble                worst = 0.0;
  gint                   w, h;

  CHECK (gold != NULL, "%s: %s", path, error ? error->message : "?");
  g_free (path);
  if (!gold)
    return;
  in = evenlight_weights_lookup (gold, "input");
  gain = evenlight_weights_lookup (gold, "gain");
  step = evenlight_weights_lookup (gold, "quant_step");
  want = evenlight_weights_lookup (gold, "output");
  CHECK (in && gain && step && want && in->ndim == 3, "golden tensors missing");
  if (!(in && gain && step && want && in->ndim == 3))
    return;
  h = (gint) in->dims[1];
  w = (gint) in->dims[2];
  for (gint threads = 1; threads <= 3; threads += 2)
    {
      rgb = packed (in->data, w, h);
      exp = packed (want->data, w, h);
      CHECK (evenlight_dequant_apply (dq, rgb, w, h, gain->data, step->data[0], threads, &error),
             "apply: %s", error ? error->message : "?");
      g_clear_error (&error);
      for (gint i = 0; i < 3 * w * h; i++)
        worst = MAX (worst, fabs ((gdouble) rgb[i] - exp[i]));
      g_free (rgb);
      g_free (exp);
    }
  printf ("%s %d×%d: max |C − PyTorch| = %.2e\n", name, w, h, worst);
  CHECK (worst <= 1e-4, "golden output differs by %g", worst);
  evenlight_weights_free (gold);
}

/* Any rectangle rendered alone equals the same pixels of the whole image. */
static void
test_regions (const EvenlightDequant *dq)
{
  /* Wider than the v3 tiles (768) and than two v1/v2 tiles (384); three
   * strips of v3 tiles high (534 rows each), five of v1/v2 tiles (321):
   * evenlight_dequant_apply holds a strip's result back while the next
   * strip reads the rows above it. */
  const gint w = 837, h = 1601;
  const EvenlightRect rects[] = {
    { 0, 0, 837, 1601 }, { 0, 0, 1, 1 }, { 836, 300, 1, 1 }, { 13, 7, 100, 61 },
    { 201, 150, 236, 151 }, { 1, 99, 835, 3 }, { 384, 0, 53, 301 },
    { 700, 40, 137, 200 }, { 0, 430, 837, 200 }, { 300, 300, 200, 50 },
    { 0, 1000, 837, 601 }, { 836, 1600, 1, 1 } };
  gfloat *rgb = g_new (gfloat, 3 * w * h), *gain = g_new (gfloat, w * h);
  gfloat *whole, *region;
  GError *error = NULL;
  GRand  *rand = g_rand_new_with_seed (3);

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gint  i = y * w + x;
        gdouble g = 1.0 + 30.0 * (0.5 + 0.5 * sin (x * 0.013 + y * 0.021));
        gain[i] = (gfloat) g;
        for (gint c = 0; c < 3; c++)
          rgb[3 * i + c] = (gfloat) (CLAMP (floor ((0.2 + 0.6 * ((x ^ y) & 63) / 63.0) / g * 255
                                                   + g_rand_double (rand)) / 255 * g, 0, 1));
      }
  whole = g_memdup2 (rgb, sizeof (gfloat) * 3 * w * h);
  CHECK (evenlight_dequant_apply (dq, whole, w, h, gain, EVENLIGHT_DEQUANT_STEP_8BIT, 2, &error),
         "apply");
  g_clear_error (&error);
  for (guint k = 0; k < G_N_ELEMENTS (rects); k++)
    {
      const EvenlightRect *r = &rects[k];
      gint bad = 0;
      region = g_new (gfloat, 3 * r->width * r->height);
      CHECK (evenlight_dequant_render_region (dq, rgb, gain, w, h, EVENLIGHT_DEQUANT_STEP_8BIT,
                                              r, region, &error), "region %u", k);
      g_clear_error (&error);
      for (gint y = 0; y < r->height; y++)
        for (gint x = 0; x < 3 * r->width; x++)
          bad += region[y * 3 * r->width + x]
                 != whole[((r->y + y) * w + r->x) * 3 + x];
      CHECK (bad == 0, "region %d,%d %d×%d: %d values differ from the whole image",
             r->x, r->y, r->width, r->height, bad);
      g_free (region);
    }
  /* Gain ≤ GAIN_LOW: the image is left exactly as it is. */
  for (gint i = 0; i < w * h; i++)
    gain[i] = EVENLIGHT_DEQUANT_GAIN_LOW;
  memcpy (whole, rgb, sizeof (gfloat) * 3 * w * h);
  CHECK (evenlight_dequant_apply (dq, whole, w, h, gain, EVENLIGHT_DEQUANT_STEP_8BIT, 2, &error),
         "apply");
  CHECK (memcmp (whole, rgb, sizeof (gfloat) * 3 * w * h) == 0, "low gain changed pixels");
  /* NaN, Inf, negative gains and pixels: finite output in [0, 1]. */
  for (gint i = 0; i < w * h; i++)
    {
      gain[i] = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -5.0f;
      rgb[3 * i] = NAN;
      rgb[3 * i + 1] = INFINITY;
      rgb[3 * i + 2] = -1.0f;
    }
  CHECK (evenlight_dequant_apply (dq, rgb, w, h, gain, EVENLIGHT_DEQUANT_STEP_8BIT, 2, &error),
         "apply");
  for (gint i = 0; i < 3 * w * h; i++)
    CHECK (rgb[i] >= 0.0f && rgb[i] <= 1.0f, "hostile input gave %g", rgb[i]);
  CHECK (!evenlight_dequant_apply (dq, rgb, 0, h, gain, EVENLIGHT_DEQUANT_STEP_8BIT, 2, &error)
         && error, "empty image accepted");
  g_clear_error (&error);
  CHECK (!evenlight_dequant_apply (dq, rgb, w, h, gain, NAN, 2, &error) && error,
         "NaN step accepted");
  g_clear_error (&error);
  g_rand_free (rand);
  g_free (rgb);
  g_free (gain);
  g_free (whole);
}

static void
test_loading (void)
{
  GError           *error = NULL;
  gchar            *path = data_path ("dequant-golden.bin");
  EvenlightDequant *dq = evenlight_dequant_load (path, &error);
  const gchar      *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");

  CHECK (!dq && error && error->code == EVENLIGHT_ERROR_ARCHITECTURE,
         "golden vectors loaded as a network");
  g_clear_error (&error);
  g_free (path);
  path = data_path ("no-such-file.bin");
  dq = evenlight_dequant_load (path, &error);
  CHECK (!dq && error, "missing file loaded");
  g_clear_error (&error);
  g_free (path);
  /* The shipped weights load. */
  path = g_build_filename (root ? root : ".", "weights", EVENLIGHT_DEQUANT_FILE, NULL);
  dq = evenlight_dequant_load (path, &error);
  CHECK (dq != NULL, "%s: %s", path, error ? error->message : "?");
  g_clear_error (&error);
  evenlight_dequant_free (dq);
  g_free (path);
}

/* Band positions (core/dequant-bands.c) on shapes whose answer is known. */
static gfloat
band_at (const gint32 *level, gint w, gint h, gint x, gint y)
{
  gfloat *off = g_new (gfloat, (gsize) w * h), v;
  evenlight_dequant_bands (level, w, h, off);
  v = off[(gsize) y * w + x];
  g_free (off);
  return v;
}

/* The largest |offset| over the plane. */
static gdouble
band_max (const gint32 *level, gint w, gint h)
{
  gfloat *off = g_new (gfloat, (gsize) w * h);
  gdouble worst = 0.0;
  evenlight_dequant_bands (level, w, h, off);
  for (gint i = 0; i < w * h; i++)
    worst = MAX (worst, fabs (off[i]));
  g_free (off);
  return worst;
}

static void
test_bands (void)
{
  const gint w = 300, h = 40, bw = 20;
  gint32    *level = g_new (gint32, (gsize) w * h);
  gfloat    *off = g_new (gfloat, (gsize) w * h), *sub;
  gdouble    worst = 0.0;
  gint       diff;

  /* A horizontal ramp of bands bw wide: each band's pixels climb from
   * −½ + ½/bw to ½ − ½/bw, linearly (bands fully inside, not the first or
   * the last, which have one contour only). */
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      level[y * w + x] = x / bw;
  evenlight_dequant_bands (level, w, h, off);
  for (gint y = 0; y < h; y++)
    for (gint x = bw; x < w - bw; x++)
      worst = MAX (worst, fabs (off[y * w + x] - ((x % bw + 0.5) / bw - 0.5)));
  printf ("bands: ramp of %d px bands: max |offset − ramp| = %.2e\n", bw, worst);
  CHECK (worst < 1e-6, "ramp offsets differ from the ramp by %g", worst);
  /* The first band has no lower contour: it falls toward its level away
   * from the upper one, and stays there beyond the cap. */
  CHECK (fabs (off[19] - 0.5f * (64 - 0.5f) / (64 + 0.5f)) < 1e-6
         && off[0] > 0.0f && off[0] < off[19], "one-sided band: %g … %g", off[0], off[19]);

  /* Steps of two levels are edges: no contour, no offset. */
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      level[y * w + x] = 2 * (x / bw);
  worst = band_max (level, w, h);
  CHECK (worst == 0.0, "two-level steps moved a pixel by %g", worst);

  /* A clipped pixel (EVENLIGHT_DEQUANT_BAND_SKIP) is no contour: a band
   * of level 0 next to clipped pixels stays at its level; and it does not
   * move. */
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      level[y * w + x] = x < 150 ? 0 : EVENLIGHT_DEQUANT_BAND_SKIP;
  worst = band_max (level, w, h);
  CHECK (worst == 0.0, "clipped pixels moved a pixel by %g", worst);

  /* Geodesic: a band sees a contour only through its own pixels. A wall
   * of another level (5) between a pixel and the contour beyond it makes
   * the way round it long: the pixel stays further from +½. */
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      level[y * w + x] = x >= 100 ? 1 : (x == 90 && y > 0 ? 5 : 0);
  CHECK (band_at (level, w, h, 89, 39) < band_at (level, w, h, 91, 39) - 0.05f,
         "the wall did not hide the contour: %g vs %g", band_at (level, w, h, 89, 39),
         band_at (level, w, h, 91, 39));

  /* A window with EVENLIGHT_DEQUANT_BAND_MARGIN pixels around a pixel
   * gives it the whole image's value; half of that does not always. */
  {
    const gint W = 200, H = 160, m = EVENLIGHT_DEQUANT_BAND_MARGIN;
    gint32    *lv = g_new (gint32, (gsize) W * H);
    gfloat    *whole = g_new (gfloat, (gsize) W * H);
    GRand     *rand = g_rand_new_with_seed (11);

    /* Slanted bands about 150 px wide, a few ±1 specks far apart:
     * contours up to the cap away. */
    for (gint y = 0; y < H; y++)
      for (gint x = 0; x < W; x++)
        lv[y * W + x] = (x + y / 2) / 150 + (g_rand_int_range (rand, 0, 5000) == 0);
    evenlight_dequant_bands (lv, W, H, whole);
    for (gint pass = 0; pass < 2; pass++)
      {
        gint    mm = pass == 0 ? m : m / 2, sw = 2 * mm + 1, windows = 0;
        gint32 *cut = g_new (gint32, (gsize) sw * sw);

        sub = g_new (gfloat, (gsize) sw * sw);
        diff = 0;
        for (gint cy = m; cy < H - m; cy += 3)
          for (gint cx = m; cx < W - m; cx += 3, windows++)
            {
              for (gint y = 0; y < sw; y++)
                memcpy (cut + y * sw, lv + (cy - mm + y) * W + cx - mm, sizeof (gint32) * sw);
              evenlight_dequant_bands (cut, sw, sw, sub);
              diff += sub[mm * sw + mm] != whole[cy * W + cx];
            }
        printf ("bands: margin %d: %d of %d window centres differ from the whole image\n",
                mm, diff, windows);
        if (pass == 0)
          CHECK (diff == 0, "margin %d: %d centres differ from the whole image", mm, diff);
        else
          CHECK (diff > 0, "margin %d should be too small here (the test lost its teeth)", mm);
        g_free (cut);
        g_free (sub);
      }
    g_rand_free (rand);
    g_free (lv);
    g_free (whole);
  }
  g_free (level);
  g_free (off);
}

int
main (void)
{
  /* The three architectures: v1, v2 with its context branch (random
   * weights, branch switched on), v3 with the band positions. The regions of test_regions cross the inner tile
   * borders of evenlight_dequant_apply, so a margin too small for the
   * receptive field shows up there. */
  static const gchar *sets[][2] = {
    { "dequant-golden-weights.bin", "dequant-golden.bin" },
    { "dequant-golden-v2-weights.bin", "dequant-golden-v2.bin" },
    { "dequant-golden-v3-weights.bin", "dequant-golden-v3.bin" } };

  for (guint k = 0; k < G_N_ELEMENTS (sets); k++)
    {
      GError           *error = NULL;
      gchar            *path = data_path (sets[k][0]);
      EvenlightDequant *dq = evenlight_dequant_load (path, &error);

      CHECK (dq != NULL, "%s: %s", path, error ? error->message : "?");
      g_clear_error (&error);
      g_free (path);
      if (dq)
        {
          test_golden (dq, sets[k][1]);
          test_regions (dq);
          evenlight_dequant_free (dq);
        }
    }
  test_loading ();
  test_bands ();
  return check_report ();
}
