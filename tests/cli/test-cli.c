/* End-to-end tests of the `evenlight` command-line tool: real files in,
 * real files out, checked with GEGL; bit depths, alpha, gray; every error
 * a user can make, with its exit status, its message, and the input file
 * left untouched (cli-test.h lists where each group of tests is).
 *
 * This file: formats, sliders and methods, and main().
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-test.h"

void
test_rgb8 (void)
{
  guint8 *pa, *pb = enhance_png ("rgb8", "R'G'B' u8", FALSE, (gpointer *) &pa);
  gsize changed = 0;

  for (gsize i = 0; i < (gsize) W * H * 3; i++)
    changed += pa[i] != pb[i];
  g_assert_cmpuint (changed, >, W * H);
  g_free (pa);
  g_free (pb);
}

void
test_rgb16 (void)
{
  g_autofree gchar *in = make_image ("rgb16.png", "R'G'B' u16", "gegl:png-save", 16, FALSE);
  g_autofree gchar *out = g_build_filename (tmpdir, "rgb16-out.png", NULL);
  GeglBuffer *b;
  guint16 *pb;
  gsize fine = 0;

  enhance (in, out);
  b = load_image (out);
  g_assert_cmpstr (babl_get_name (babl_format_get_type (gegl_buffer_get_format (b), 0)),
                   ==, "u16");
  /* Values an 8-bit file could not hold: not multiples of 257. */
  pb = pixels (b, "R'G'B' u16");
  for (gsize i = 0; i < (gsize) W * H * 3; i++)
    fine += pb[i] % 257 != 0;
  g_assert_cmpuint (fine, >, W * H);
  g_free (pb);
  g_object_unref (b);
}

/* Alpha is unchanged, and the colour equals that of the same image
 * without alpha. */
void
test_rgba (void)
{
  guint8 *pa, *pb = enhance_png ("rgba", "R'G'B'A u8", FALSE, (gpointer *) &pa);
  guint8 *pc = enhance_png ("rgba-ref", "R'G'B' u8", FALSE, NULL);

  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      g_assert_cmpuint (pb[4 * i + 3], ==, pa[4 * i + 3]);
      if (pa[4 * i + 3] != 0)   /* PNG may drop colour under alpha 0 */
        for (gint c3 = 0; c3 < 3; c3++)
          g_assert_cmpuint (pb[4 * i + c3], ==, pc[3 * i + c3]);
    }
  g_free (pa);
  g_free (pb);
  g_free (pc);
}

/* A gray image stays gray, and its value is the mean of the channels the
 * same image gives in colour. */
void
test_gray (void)
{
  guint8 *pb = enhance_png ("gray", "Y' u8", TRUE, NULL);
  guint8 *pc = enhance_png ("gray-rgb", "R'G'B' u8", TRUE, NULL);

  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      gdouble mean = (pc[3 * i] + pc[3 * i + 1] + pc[3 * i + 2]) / 3.0;

      g_assert_cmpfloat (fabs (pb[i] - mean), <=, 1.0);
    }
  g_free (pc);

  /* Gray with alpha: gray, same gray values, same alpha. */
  {
    guint8 *pa, *pd = enhance_png ("graya", "Y'A u8", TRUE, (gpointer *) &pa);

    for (gsize i = 0; i < (gsize) W * H; i++)
      {
        g_assert_cmpuint (pd[2 * i + 1], ==, pa[2 * i + 1]);
        if (pa[2 * i + 1] != 0)
          g_assert_cmpuint (pd[2 * i], ==, pb[i]);
      }
    g_free (pa);
    g_free (pd);
  }
  g_free (pb);
}

void
test_other_formats (void)
{
  g_autofree gchar *jpg = make_image ("in.jpg", "R'G'B' u8", "gegl:jpg-save", 0, FALSE);
  g_autofree gchar *tif = make_image ("in.tif", "R'G'B' float", "gegl:tiff-save", 0, FALSE);
  g_autofree gchar *out_jpg = g_build_filename (tmpdir, "out.jpg", NULL);
  g_autofree gchar *out_tif = g_build_filename (tmpdir, "out.tif", NULL);
  g_autofree gchar *out_png = g_build_filename (tmpdir, "from-float.png", NULL);
  GeglBuffer *b;

  enhance (jpg, out_jpg);
  b = load_image (out_jpg);
  g_assert_cmpstr (babl_get_name (babl_format_get_type (gegl_buffer_get_format (b), 0)),
                   ==, "u8");
  g_object_unref (b);

  /* 32-bit float stays float in TIFF, and becomes 16-bit in PNG. */
  enhance (tif, out_tif);
  b = load_image (out_tif);
  g_assert_cmpstr (babl_get_name (babl_format_get_type (gegl_buffer_get_format (b), 0)),
                   ==, "float");
  g_object_unref (b);
  enhance (tif, out_png);
  b = load_image (out_png);
  g_assert_cmpstr (babl_get_name (babl_format_get_type (gegl_buffer_get_format (b), 0)),
                   ==, "u16");
  g_object_unref (b);
}

/* The result does not depend on the number of threads; the sliders do
 * change it; an existing output is replaced. */
void
test_threads_and_sliders (void)
{
  g_autofree gchar *in = make_image ("t.png", "R'G'B' u16", "gegl:png-save", 16, FALSE);
  g_autofree gchar *o1 = g_build_filename (tmpdir, "t1.png", NULL);
  g_autofree gchar *o2 = g_build_filename (tmpdir, "t2.png", NULL);
  g_autofree gchar *o3 = g_build_filename (tmpdir, "t3.png", NULL);
  g_autofree gchar *c1 = NULL, *c2 = NULL, *c3 = NULL;

  g_file_set_contents (o2, "old", 3, NULL);
  g_assert_cmpint (run_cli (NULL, "-q", "--weights", weights, "--threads", "1", in, o1, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, "--weights", weights, "--threads", "3", in, o2, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, "--weights", weights, "--shadows", "0.2",
                            "--highlights", "0", "--denoise", "1", in, o3, NULL), ==, 0);
  c1 = file_checksum (o1);
  c2 = file_checksum (o2);
  c3 = file_checksum (o3);
  g_assert_cmpstr (c1, ==, c2);
  g_assert_cmpstr (c1, !=, c3);
  assert_no_leftovers ();
}

void
test_classic (void)
{
  g_autofree gchar *in = make_image ("classic.png", "R'G'B'A u8", "gegl:png-save", 8, FALSE);
  g_autofree gchar *out = g_build_filename (tmpdir, "classic-out.png", NULL);
  g_autofree gchar *err = NULL;
  g_autofree gchar *before = file_checksum (in);
  g_autofree gchar *after = NULL;
  GeglBuffer *a, *b;
  guint8 *pa, *pb;
  gsize changed = 0;
  gint status;

  status = run_cli (&err, "--method", "classic", in, out, NULL);
  if (status != 0)
    g_error ("classic: status %d: %s", status, err);
  after = file_checksum (out);
  {
    g_autofree gchar *now = file_checksum (in);

    g_assert_cmpstr (now, ==, before);
  }
  a = load_image (in);
  b = load_image (out);
  pa = pixels (a, "R'G'B'A u8");
  pb = pixels (b, "R'G'B'A u8");
  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      g_assert_cmpuint (pb[4 * i + 3], ==, pa[4 * i + 3]);
      changed += memcmp (pa + 4 * i, pb + 4 * i, 3) != 0;
    }
  g_assert_cmpuint (changed, >, W * H / 2);
  g_free (pa);
  g_free (pb);
  g_object_unref (a);
  g_object_unref (b);

  g_assert_cmpint (run_cli (&err, "--method", "classic", "--retouch-params",
                            "detail=0", in, out, NULL), ==, 0);
  {
    g_autofree gchar *now = file_checksum (out);

    g_assert_cmpstr (now, !=, after);
  }
  assert_no_leftovers ();
}

/* The bundled sample photo, when it is there. */
void
test_sample_photo (void)
{
  const gchar *data = g_getenv ("EVENLIGHT_TEST_DATA");
  g_autofree gchar *in = g_build_filename (data ? data : "tests/data", "sample.jpg", NULL);
  g_autofree gchar *out = g_build_filename (tmpdir, "sample-out.jpg", NULL);

  if (!g_file_test (in, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("tests/data/sample.jpg is not there");
      return;
    }
  enhance (in, out);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
}

int
main (int    argc,
      char **argv)
{
  const gchar *data = g_getenv ("EVENLIGHT_TEST_DATA");
  int status;

  g_test_init (&argc, &argv, NULL);
  gegl_init (NULL, NULL);
  cli = g_strdup (g_getenv ("EVENLIGHT_CLI"));
  if (cli == NULL)
    g_error ("EVENLIGHT_CLI must name the program under test");
  weights = g_build_filename (data ? data : "tests/data", "golden-weights.bin", NULL);
  dq_weights = g_build_filename (data ? data : "tests/data",
                                 "dequant-golden-weights.bin", NULL);
  tmpdir = g_dir_make_tmp ("evenlight-cli-XXXXXX", NULL);
  g_unsetenv ("EVENLIGHT_WEIGHTS");
  g_unsetenv ("EVENLIGHT_DEQUANT_WEIGHTS");

  g_test_add_func ("/cli/help-and-version", test_help_and_version);
  g_test_add_func ("/cli/errors", test_errors);
  g_test_add_func ("/cli/rgb8", test_rgb8);
  g_test_add_func ("/cli/rgb16", test_rgb16);
  g_test_add_func ("/cli/rgba", test_rgba);
  g_test_add_func ("/cli/gray", test_gray);
  g_test_add_func ("/cli/other-formats", test_other_formats);
  g_test_add_func ("/cli/default-weights", test_default_weights);
  g_test_add_func ("/cli/weights-found", test_weights_found);
  g_test_add_func ("/cli/batch", test_batch);
  g_test_add_func ("/cli/debug-report", test_debug_report);
  g_test_add_func ("/cli/gegl-modules", test_gegl_modules);
  g_test_add_func ("/cli/startup", test_startup);
  g_test_add_func ("/cli/threads-and-sliders", test_threads_and_sliders);
  g_test_add_func ("/cli/classic", test_classic);
  g_test_add_func ("/cli/sample-photo", test_sample_photo);
  g_test_add_func ("/cli/laic", test_laic);
  g_test_add_func ("/cli/laic-contrast", test_laic_contrast);
  g_test_add_func ("/cli/dequantize-normal", test_dequantize_normal);
  g_test_add_func ("/cli/in-place-strips", test_in_place_strips);
  g_test_add_func ("/cli/peak-memory", test_peak_memory);
  g_test_add_func ("/cli/quiet-large", test_quiet_large);
  status = g_test_run ();

  /* Clean up only after success, so a failure can be looked at. */
  if (status == 0)
    remove_tree (tmpdir);
  g_free (cli);
  g_free (weights);
  g_free (dq_weights);
  g_free (tmpdir);
  gegl_exit ();
  return status;
}
