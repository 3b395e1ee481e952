/* Tests of the `evenlight` command-line tool: very dark photos (LAIC, its
 * contrast, and the dequantization network).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-test.h"

static gdouble
mean_colour (const guint8 *rgba)
{
  gdouble sum = 0.0;

  for (gsize i = 0; i < (gsize) W * H; i++)
    sum += rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2];
  return sum / (3.0 * W * H * 255.0);
}

void
test_laic (void)
{
  g_autofree gchar *in = NULL;
  g_autofree gchar *out = g_build_filename (tmpdir, "dark-laic.png", NULL);
  g_autofree gchar *out_dq = g_build_filename (tmpdir, "dark-laic-dq.png", NULL);
  g_autofree gchar *err = NULL;
  g_autofree gchar *before = NULL, *after = NULL;
  guint8 *pa, *pb, *pc;
  gsize changed = 0, dq_changed = 0;
  gint status;

  exposure = 0.08f;
  in = make_image ("dark.png", "R'G'B'A u8", "gegl:png-save", 8, FALSE);
  exposure = 1.0f;
  before = file_checksum (in);

  status = run_cli (&err, "--method", "laic", "--threads", "2", in, out, NULL);
  if (status != 0)
    g_error ("laic: status %d: %s", status, err);
  g_clear_pointer (&err, g_free);
  status = run_cli (&err, "--method", "laic", "--dequantize",
                    "--dequant-weights", dq_weights, "--threads", "2", in,
                    out_dq, NULL);
  if (status != 0)
    g_error ("laic --dequantize: status %d: %s", status, err);
  after = file_checksum (in);
  g_assert_cmpstr (before, ==, after);

  pa = file_pixels (in, "R'G'B'A u8");
  pb = file_pixels (out, "R'G'B'A u8");
  pc = file_pixels (out_dq, "R'G'B'A u8");
  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      g_assert_cmpuint (pb[4 * i + 3], ==, pa[4 * i + 3]);
      g_assert_cmpuint (pc[4 * i + 3], ==, pa[4 * i + 3]);
      changed += memcmp (pa + 4 * i, pb + 4 * i, 3) != 0;
      dq_changed += memcmp (pb + 4 * i, pc + 4 * i, 3) != 0;
    }
  g_test_message ("mean colour %.4f → LAIC %.4f, + dequantization %.4f; "
                  "%zu pixels changed by the dequantization",
                  mean_colour (pa), mean_colour (pb), mean_colour (pc),
                  dq_changed);
  /* Brightened a lot, almost everywhere; the network acted (the gain of
   * so dark an image is far above EVENLIGHT_DEQUANT_GAIN_HIGH). */
  g_assert_cmpuint (changed, >, W * H * 9 / 10);
  g_assert_cmpfloat (mean_colour (pb), >, 3.0 * mean_colour (pa));
  g_assert_cmpuint (dq_changed, >, W * H / 2);
  g_free (pa);
  g_free (pb);
  g_free (pc);
  assert_no_leftovers ();
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

/* How unevenly @out (LAIC's result of @in, both R'G'B'A u8, W × H) was
 * brightened: the 95th over the 5th percentile of the gain max(out) /
 * max(in) over the pixels that are not clipped and bright enough for the
 * ratio to be exact to about 1 % (LAIC multiplies the 8-bit input, so
 * only the output's rounding counts: at most 0.5/56 for an input ≥ 4/255
 * brightened over 14-fold). 1 for one gain everywhere. */
static gdouble
gain_spread (const guint8 *in, const guint8 *out)
{
  g_autofree gdouble *ratio = g_new (gdouble, (gsize) W * H);
  gsize n = 0;

  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      guint vi = MAX (MAX (in[4 * i], in[4 * i + 1]), in[4 * i + 2]);
      guint vo = MAX (MAX (out[4 * i], out[4 * i + 1]), out[4 * i + 2]);

      if (vi >= 4 && vo < 250)
        ratio[n++] = (gdouble) vo / vi;
    }
  g_assert_cmpuint (n, >, (gsize) W * H / 20);
  qsort (ratio, n, sizeof (gdouble), compare_doubles);
  return ratio[n * 95 / 100] / ratio[n * 5 / 100];
}

/* --contrast: the default gives exactly what no option gives (today's
 * result); the ends of the range give other results. At 0 the program
 * has no contrast term left: one gain for the whole image (a stretch);
 * across the range the result gets brighter (as in the sweep of
 * weights/DEQUANT.md §4). */
void
test_laic_contrast (void)
{
  guint n;
  const EvenlightParamSpec *table = evenlight_dark_params_table (&n);
  const EvenlightParamSpec *spec = evenlight_param_find (table, n, "contrast");
  const gdouble values[] = { spec->min, spec->default_value, spec->max };
  g_autofree gchar *in = NULL;
  g_autofree gchar *plain = g_build_filename (tmpdir, "contrast-none.png", NULL);
  g_autofree gchar *err = NULL;
  GeglBuffer *a, *ref;
  guint8 *pa, *pref;
  gdouble spread[G_N_ELEMENTS (values)], mean[G_N_ELEMENTS (values)];

  exposure = 0.08f;
  in = make_image ("dark-contrast.png", "R'G'B'A u8", "gegl:png-save", 8, FALSE);
  exposure = 1.0f;
  if (run_cli (&err, "--method", "laic", in, plain, NULL) != 0)
    g_error ("laic: %s", err);
  a = load_image (in);
  pa = pixels (a, "R'G'B'A u8");
  ref = load_image (plain);
  pref = pixels (ref, "R'G'B'A u8");
  for (guint k = 0; k < G_N_ELEMENTS (values); k++)
    {
      g_autofree gchar *value = g_strdup_printf ("%g", values[k]);
      g_autofree gchar *name = g_strdup_printf ("contrast-%s.png", value);
      g_autofree gchar *out = g_build_filename (tmpdir, name, NULL);
      GeglBuffer *b;
      guint8 *pb;
      gint same;

      g_clear_pointer (&err, g_free);
      if (run_cli (&err, "--method", "laic", "--contrast", value, in, out, NULL) != 0)
        g_error ("laic --contrast %s: %s", value, err);
      b = load_image (out);
      pb = pixels (b, "R'G'B'A u8");
      same = memcmp (pb, pref, (gsize) W * H * 4) == 0;
      spread[k] = gain_spread (pa, pb);
      mean[k] = mean_colour (pb);
      g_test_message ("--contrast %s: mean %.4f, gain spread (p95 / p5) "
                      "%.3f, %s the result without --contrast", value,
                      mean[k], spread[k], same ? "equal to" : "differs from");
      g_assert_true (same == (values[k] == spec->default_value));
      g_free (pb);
      g_object_unref (b);
      g_unlink (out);
    }
  g_assert_cmpfloat (spread[0], <, 1.01);
  g_assert_cmpfloat (mean[0], <, mean[1]);
  g_assert_cmpfloat (mean[1], <, mean[2]);
  g_free (pa);
  g_free (pref);
  g_object_unref (a);
  g_object_unref (ref);
  g_unlink (plain);
  g_unlink (in);
}

/* On a normally exposed image, --dequantize must leave every pixel that
 * was brightened less than EVENLIGHT_DEQUANT_GAIN_LOW (2) bit for bit as
 * the method alone makes it. The gain is re-estimated here from the 8-bit
 * files, so only pixels clearly below 2 (1.6, and not too dark for the
 * ratio to be reliable) are checked. */
static void
check_dequant_keeps_normal (const gchar *method)
{
  g_autofree gchar *in = make_image ("normal.png", "R'G'B' u8", "gegl:png-save", 8, FALSE);
  g_autofree gchar *out = g_build_filename (tmpdir, "normal-out.png", NULL);
  g_autofree gchar *out_dq = g_build_filename (tmpdir, "normal-dq.png", NULL);
  g_autofree gchar *err = NULL;
  guint8 *pa, *pb, *pc;
  gsize checked = 0, differ = 0;
  gint status;

  status = run_cli (&err, "--method", method, "--weights", weights,
                    in, out, NULL);
  if (status != 0)
    g_error ("%s: status %d: %s", method, status, err);
  g_clear_pointer (&err, g_free);
  status = run_cli (&err, "--method", method, "--weights", weights,
                    "--dequantize", "--dequant-weights", dq_weights,
                    in, out_dq, NULL);
  if (status != 0)
    g_error ("%s --dequantize: status %d: %s", method, status, err);
  pa = file_pixels (in, "R'G'B' u8");
  pb = file_pixels (out, "R'G'B' u8");
  pc = file_pixels (out_dq, "R'G'B' u8");
  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      guint vin = MAX (pa[3 * i], MAX (pa[3 * i + 1], pa[3 * i + 2]));
      guint vout = MAX (pb[3 * i], MAX (pb[3 * i + 1], pb[3 * i + 2]));

      if (vin >= 16 && vout < 1.6 * vin)
        {
          checked++;
          if (memcmp (pb + 3 * i, pc + 3 * i, 3) != 0)
            differ++;
        }
    }
  g_test_message ("--method %s: %zu pixels with a gain below 1.6, %zu differ",
                  method, checked, differ);
  g_assert_cmpuint (checked, >, W * H / 10);
  g_assert_cmpuint (differ, ==, 0);
  g_free (pa);
  g_free (pb);
  g_free (pc);
  assert_no_leftovers ();
}

void
test_dequantize_normal (void)
{
  check_dequant_keeps_normal ("net");
  check_dequant_keeps_normal ("classic");
}
