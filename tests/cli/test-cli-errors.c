/* Tests of the `evenlight` command-line tool: every error a user can make,
 * with its exit status and message, the input left untouched; help and
 * version.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-test.h"

/* Runs with @args and expects @status, every @needle in the message, the
 * input unchanged, and no output file (or the old one) afterwards. */
static void
expect_failure (gint          status,
                const gchar  *needles,
                const gchar **args)
{
  g_autofree gchar *in = g_build_filename (tmpdir, "err-in.png", NULL);
  g_autofree gchar *out = g_build_filename (tmpdir, "err-out.png", NULL);
  g_autofree gchar *before = file_checksum (in);
  g_autofree gchar *err = NULL;
  g_auto (GStrv) words = g_strsplit (needles, "|", -1);
  GPtrArray *argv = g_ptr_array_new ();
  g_autofree gchar *joined = NULL;
  gint got;
  gchar *full;

  for (gint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  joined = g_strjoinv (" ", (gchar **) argv->pdata);
  {
    gchar *cmd[32] = { cli };
    g_autofree gchar *sout = NULL;
    GError *error = NULL;
    gint ws;

    g_assert_cmpuint (argv->len, <, 31);
    for (guint i = 0; i < argv->len; i++)
      cmd[i + 1] = argv->pdata[i];
    g_spawn_sync (NULL, cmd, NULL, G_SPAWN_DEFAULT, NULL, NULL, &sout, &err,
                  &ws, &error);
    g_assert_no_error (error);
    g_assert_true (WIFEXITED (ws));
    got = WEXITSTATUS (ws);
  }
  g_ptr_array_free (argv, TRUE);
  if (got != status)
    g_error ("evenlight %s: status %d, expected %d: %s", joined, got, status, err);
  for (gint i = 0; words[i] != NULL; i++)
    if (strstr (err, words[i]) == NULL)
      g_error ("evenlight %s: message “%s” lacks “%s”", joined, err, words[i]);
  full = file_checksum (in);
  g_assert_cmpstr (full, ==, before);
  g_free (full);
  full = file_checksum (out);
  g_assert_cmpstr (full, ==, "(missing)");
  g_free (full);
  assert_no_leftovers ();
}

#define FAIL(status, needles, ...) \
  G_STMT_START { const gchar *a_[] = { __VA_ARGS__, NULL }; \
                 expect_failure (status, needles, a_); } G_STMT_END

void
test_errors (void)
{
  g_autofree gchar *in = make_image ("err-in.png", "R'G'B' u8", "gegl:png-save", 8, FALSE);
  g_autofree gchar *out = g_build_filename (tmpdir, "err-out.png", NULL);
  g_autofree gchar *nodir = g_build_filename (tmpdir, "no", "such", "dir", "x.png", NULL);
  g_autofree gchar *missing = g_build_filename (tmpdir, "missing.png", NULL);
  g_autofree gchar *text = g_build_filename (tmpdir, "text.png", NULL);
  g_autofree gchar *nowts = g_build_filename (tmpdir, "no-weights.bin", NULL);
  g_autofree gchar *bad_wts = g_build_filename (tmpdir, "bad-weights.bin", NULL);
  g_autofree gchar *badext = g_build_filename (tmpdir, "err-out.xyz", NULL);
  g_autofree gchar *wdata = NULL;
  gsize wlen;

  g_file_set_contents (text, "this is not an image\n", -1, NULL);
  g_assert_true (g_file_get_contents (weights, &wdata, &wlen, NULL));
  wdata[wlen / 2] ^= 0x20;
  g_file_set_contents (bad_wts, wdata, wlen, NULL);

  /* Command line: status 2, the message names the option and the range
   * (both from the parameter table, whatever it says). */
  {
    guint n;
    const EvenlightParamSpec *table = evenlight_params_table (&n);

    for (guint i = 0; i < n; i++)
      {
        const EvenlightParamSpec *spec = &table[i];
        g_autofree gchar *option = g_strdup_printf ("--%s", spec->name);
        g_autofree gchar *above = g_strdup_printf ("%g", spec->max + 0.5);
        g_autofree gchar *below = g_strdup_printf ("%g", spec->min - 0.1);
        g_autofree gchar *range = g_strdup_printf ("[%g, %g]", spec->min, spec->max);
        g_autofree gchar *needles_above = g_strdup_printf ("%s|%s|%s", option, range, above);
        g_autofree gchar *needles_below = g_strdup_printf ("%s|%s|%s", option, range, below);
        g_autofree gchar *needles_text = g_strdup_printf ("%s|%s|abc", option, range);

        FAIL (2, needles_above, "--weights", weights, option, above, in, out);
        FAIL (2, needles_below, "--weights", weights, option, below, in, out);
        FAIL (2, needles_text, "--weights", weights, option, "abc", in, out);
      }
  }
  /* --method laic's Contrast, from the dark-photo table likewise. */
  {
    guint n;
    const EvenlightParamSpec *table = evenlight_dark_params_table (&n);
    const EvenlightParamSpec *spec = evenlight_param_find (table, n, "contrast");
    g_autofree gchar *above = g_strdup_printf ("%g", spec->max + 0.5);
    g_autofree gchar *below = g_strdup_printf ("%g", spec->min - 0.1);
    g_autofree gchar *range = g_strdup_printf ("[%g, %g]", spec->min, spec->max);
    g_autofree gchar *needles_above = g_strdup_printf ("--contrast|%s|%s", range, above);
    g_autofree gchar *needles_below = g_strdup_printf ("--contrast|%s|%s", range, below);
    g_autofree gchar *needles_nan = g_strdup_printf ("--contrast|%s|nan", range);

    FAIL (2, needles_above, "--method", "laic", "--contrast", above, in, out);
    FAIL (2, needles_below, "--method", "laic", "-c", below, in, out);
    FAIL (2, needles_nan, "--method", "laic", "--contrast", "nan", in, out);
    FAIL (2, "--contrast|--method laic", "--weights", weights, "--contrast", "1", in, out);
    FAIL (2, "--contrast|--method laic", "--method", "classic", "--contrast", "1", in, out);
  }
  FAIL (2, "--denoise", "--weights", weights, "--denoise", "nan", in, out);
  FAIL (2, "--shadows", "--weights", weights, "--shadows", "0.5x", in, out);
  FAIL (2, "--threads", "--weights", weights, "--threads", "-1", in, out);
  FAIL (2, "--threads", "--weights", weights, "--threads", "two", in, out);
  FAIL (2, "--method", "--method", "magic", in, out);
  FAIL (2, "--retouch-params", "--weights", weights, "--retouch-params", "detail=1", in, out);
  FAIL (2, "INPUT OUTPUT", "--weights", weights, in);
  FAIL (2, "INPUT OUTPUT", "--weights", weights, in, out, out);
  FAIL (2, "Unknown option", "--brightness", "1", in, out);
  FAIL (2, "--method|laic", "--method", "dark", in, out);
  FAIL (2, "--shadows", "--method", "laic", "--shadows", "0.5", in, out);
  FAIL (2, "--dequant-weights|--dequantize", "--dequant-weights", dq_weights, in, out);

  /* Files: status 1, the message names the file. */
  FAIL (1, "missing.png|No such file", "--weights", weights, missing, out);
  FAIL (1, "text.png", "--weights", weights, text, out);
  FAIL (1, "x.png|No such file", "--weights", weights, in, nodir);
  FAIL (1, "err-out.xyz|unknown output format", "--weights", weights, in, badext);
  FAIL (1, "err-in.png|is the input file", "--weights", weights, in, in);
  FAIL (1, "no-weights.bin|No such file", "--weights", nowts, in, out);
  FAIL (1, "no-weights.bin|No such file", "--method", "laic", "--dequantize",
        "--dequant-weights", nowts, in, out);
  FAIL (1, "no-weights.bin|No such file", "--weights", weights, "--dequantize",
        "--dequant-weights", nowts, in, out);
  FAIL (1, "golden-weights.bin|evenlight-dequant-v1", "--method", "laic",
        "--dequantize", "--dequant-weights", weights, in, out);
  FAIL (1, "bad-weights.bin|damaged", "--weights", bad_wts, in, out);
  FAIL (1, "text.png|not an evenlight weights file", "--weights", text, in, out);
  FAIL (1, "is a directory", "--weights", weights, in, tmpdir);

  /* An existing output survives a failed run. */
  g_file_set_contents (out, "old", 3, NULL);
  {
    g_autofree gchar *err = NULL;

    g_assert_cmpint (run_cli (&err, "--weights", bad_wts, in, out, NULL), ==, 1);
  }
  {
    g_autofree gchar *kept = NULL;

    g_assert_true (g_file_get_contents (out, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "old");
  }
  g_unlink (out);
  g_unlink (text);
  g_unlink (bad_wts);
}

void
test_help_and_version (void)
{
  g_autofree gchar *err = NULL;
  gchar *argv_help[] = { cli, (gchar *) "--help", NULL };
  gchar *argv_version[] = { cli, (gchar *) "--version", NULL };
  g_autofree gchar *help = NULL, *version = NULL;
  gint status;

  g_spawn_sync (NULL, argv_help, NULL, G_SPAWN_DEFAULT, NULL, NULL, &help,
                NULL, &status, NULL);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  for (const gchar **w = (const gchar *[]) { "--shadows", "--highlights",
         "--denoise", "--method", "--retouch-params", "--weights", "--threads",
         "laic", "--dequantize", "--dequant-weights", "--contrast",
         "INPUT OUTPUT",
         NULL }; *w; w++)
    g_assert_nonnull (strstr (help, *w));
  g_spawn_sync (NULL, argv_version, NULL, G_SPAWN_DEFAULT, NULL, NULL, &version,
                NULL, &status, NULL);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_true (g_str_has_prefix (version, "evenlight 0."));
}
