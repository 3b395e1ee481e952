/* Tests of the `evenlight` command-line tool: where the weights are found,
 * batch mode, the debug report and the GEGL modules loaded.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-test.h"

/* Without --weights the file comes from $EVENLIGHT_WEIGHTS (or the
 * installed one), and a problem with it names that file. */
void
test_default_weights (void)
{
  g_autofree gchar *in = make_image ("dw.png", "R'G'B' u8", "gegl:png-save", 8, FALSE);
  g_autofree gchar *out = g_build_filename (tmpdir, "dw-out.png", NULL);
  g_autofree gchar *ref = g_build_filename (tmpdir, "dw-ref.png", NULL);
  g_autofree gchar *missing = g_build_filename (tmpdir, "nowhere.bin", NULL);
  g_autofree gchar *err = NULL;
  g_autofree gchar *c1 = NULL, *c2 = NULL;

  g_assert_cmpint (run_cli_weights_env (weights, NULL, in, out, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, "--weights", weights, in, ref, NULL), ==, 0);
  c1 = file_checksum (out);
  c2 = file_checksum (ref);
  g_assert_cmpstr (c1, ==, c2);
  g_assert_cmpint (run_cli_weights_env (missing, &err, in, out, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nowhere.bin"));
}

/* Runs @program (a copy of the CLI, or the CLI) with @args and no
 * EVENLIGHT_WEIGHTS or EVENLIGHT_DEQUANT_WEIGHTS in the environment;
 * returns the exit status, stderr in *@err. */
static gint
run_program_unset (const gchar  *program,
                   gchar       **err,
                   const gchar **args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) envp = g_get_environ ();
  GError *error = NULL;
  gint status;

  envp = g_environ_unsetenv (envp, "EVENLIGHT_WEIGHTS");
  envp = g_environ_unsetenv (envp, "EVENLIGHT_DEQUANT_WEIGHTS");
  g_ptr_array_add (argv, (gpointer) program);
  for (gint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (gchar **) argv->pdata, envp, G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* Without --weights or $EVENLIGHT_WEIGHTS: the CLI run from its build tree
 * takes the source tree's weights/ (both networks); a copy elsewhere takes
 * the file next to it; with none to be found, the message lists where it
 * looked and says how to point at the file. */
void
test_weights_found (void)
{
  g_autofree gchar *in = make_image ("wf.png", "R'G'B' u8", "gegl:png-save", 8, FALSE);
  g_autofree gchar *out = g_build_filename (tmpdir, "wf-out.png", NULL);
  g_autofree gchar *bin = g_build_filename (tmpdir, "bin", NULL);
  g_autofree gchar *copy = g_build_filename (bin, "evenlight", NULL);
  g_autofree gchar *beside = g_build_filename (bin, "evenlight-v1.bin", NULL);
  g_autofree gchar *exe = NULL, *err = NULL, *installed = NULL;
  gsize length;

  g_assert_cmpint (run_program_unset (cli, &err, (const gchar *[]) { "-q", in, out, NULL }),
                   ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_program_unset (cli, &err, (const gchar *[]) { "-q", "--method", "laic",
                                      "--dequantize", in, out, NULL }), ==, 0);
  g_clear_pointer (&err, g_free);

  /* A copy outside the build tree. */
  g_unsetenv ("EVENLIGHT_WEIGHTS");
  installed = g_strdup (evenlight_default_weights_path ());
  g_mkdir (bin, 0755);
  g_assert_true (g_file_get_contents (cli, &exe, &length, NULL));
  g_assert_true (g_file_set_contents (copy, exe, length, NULL));
  g_chmod (copy, 0755);
  g_unlink (out);
  if (!g_file_test (installed, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (run_program_unset (copy, &err, (const gchar *[]) { "-q", in, out, NULL }),
                       ==, 1);
      g_test_message ("%s", err);
      for (const gchar **w = (const gchar *[]) { "--weights", "EVENLIGHT_WEIGHTS",
             installed, beside, NULL }; *w; w++)
        if (strstr (err, *w) == NULL)
          g_error ("message “%s” lacks “%s”", err, *w);
      g_clear_pointer (&err, g_free);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
  else
    g_test_message ("weights installed at %s: the missing case is not tried", installed);
  g_clear_pointer (&exe, g_free);
  g_assert_true (g_file_get_contents (weights, &exe, &length, NULL));
  g_assert_true (g_file_set_contents (beside, exe, length, NULL));
  g_assert_cmpint (run_program_unset (copy, &err, (const gchar *[]) { "-q", in, out, NULL }),
                   ==, 0);
  g_unlink (copy);
  g_unlink (beside);
  g_rmdir (bin);
  g_unlink (out);
}

/* Batch mode: every input into the folder, as the one-file mode makes
 * it; a bad file is named and skipped (status 1), the others written; no
 * input, and no result of another input, is ever overwritten. */
void
test_batch (void)
{
  g_autofree gchar *a = make_image ("ba.png", "R'G'B' u8", "gegl:png-save", 8, FALSE);
  g_autofree gchar *b = make_image ("bb.jpg", "R'G'B' u8", "gegl:jpg-save", 0, FALSE);
  g_autofree gchar *bad = g_build_filename (tmpdir, "bc.png", NULL);
  g_autofree gchar *sub = g_build_filename (tmpdir, "bsub", NULL);
  g_autofree gchar *a_again = g_build_filename (sub, "ba.png", NULL);
  g_autofree gchar *dir = g_build_filename (tmpdir, "batch-out", NULL);
  g_autofree gchar *ref_a = g_build_filename (tmpdir, "ref-ba.png", NULL);
  g_autofree gchar *ref_b = g_build_filename (tmpdir, "ref-bb.jpg", NULL);
  g_autofree gchar *out_a = g_build_filename (dir, "ba.png", NULL);
  g_autofree gchar *out_b = g_build_filename (dir, "bb.jpg", NULL);
  g_autofree gchar *out_bad = g_build_filename (dir, "bc.png", NULL);
  g_autofree gchar *out_b_png = g_build_filename (dir, "bb.png", NULL);
  g_autofree gchar *err = NULL, *sum_a = NULL, *data = NULL;
  gsize length;

  g_file_set_contents (bad, "not an image\n", -1, NULL);
  g_mkdir (sub, 0755);
  g_assert_true (g_file_get_contents (a, &data, &length, NULL));
  g_assert_true (g_file_set_contents (a_again, data, length, NULL));
  g_assert_cmpint (run_cli (NULL, "-q", "--weights", weights, a, ref_a, NULL), ==, 0);
  g_assert_cmpint (run_cli (NULL, "-q", "--weights", weights, b, ref_b, NULL), ==, 0);

  /* A bad file in the middle, and a second "ba.png" from another folder. */
  g_assert_cmpint (run_cli (&err, "-q", "--weights", weights, "--output-dir", dir,
                            a, bad, b, a_again, NULL), ==, 1);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "bc.png"));
  g_assert_nonnull (strstr (err, "bsub/ba.png: The result"));
  g_assert_nonnull (strstr (err, "would overwrite that of"));
  g_assert_false (g_file_test (out_bad, G_FILE_TEST_EXISTS));
  sum_a = file_checksum (ref_a);
  {
    g_autofree gchar *got_a = file_checksum (out_a);
    g_autofree gchar *got_b = file_checksum (out_b);
    g_autofree gchar *want_b = file_checksum (ref_b);

    g_assert_cmpstr (got_a, ==, sum_a);
    g_assert_cmpstr (got_b, ==, want_b);
  }
  g_clear_pointer (&err, g_free);

  /* --format; all good: status 0, nothing printed with -q. */
  g_assert_cmpint (run_cli (&err, "-q", "--weights", weights, "--output-dir", dir,
                            "--format", "png", b, NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_file_test (out_b_png, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&err, g_free);

  /* The inputs' own folder: every result would overwrite its input. */
  {
    g_autofree gchar *before = file_checksum (a_again);
    g_autofree gchar *after = NULL;

    g_assert_cmpint (run_cli (&err, "-q", "--weights", weights, "--output-dir", sub,
                              a_again, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "overwrite the input"));
    after = file_checksum (a_again);
    g_assert_cmpstr (before, ==, after);
    g_clear_pointer (&err, g_free);
  }

  /* Command-line errors. */
  g_assert_cmpint (run_cli (&err, "--output-dir", dir, NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "--format", "png", a, out_a, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--format"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (&err, "--output-dir", dir, "--format", "gif", a, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "png"));

  for (const gchar **f = (const gchar *[]) { out_a, out_b, out_b_png, ref_a, ref_b,
         a_again, bad, NULL }; *f; f++)
    g_unlink (*f);
  g_rmdir (dir);
  g_rmdir (sub);
}

/* EVENLIGHT_DEBUG=1: a line per file on stderr with the time of each part
 * of its run, the set-up (weights, gegl_init) counted on the first file
 * only, so that the benchmark can say where the time goes; and batch mode
 * on 2 threads enhances the files on both at once (each line names its
 * thread). */
void
test_debug_report (void)
{
  g_autofree gchar *dir = g_build_filename (tmpdir, "debug-out", NULL);
  g_autofree gchar *err = NULL;
  gchar **envp = g_environ_setenv (g_get_environ (), "EVENLIGHT_DEBUG", "1", TRUE);
  const gchar *argv[16] = { cli, "-q", "--weights", weights, "--threads", "2",
                            "--output-dir", dir };
  const gint n_files = 6;
  g_auto (GStrv) lines = NULL;
  gint status, n = 0, n_setup = 0, on_thread[2] = { 0, 0 };
  GError *error = NULL;
  const gchar *part = "[0-9]+\\.[0-9] ms";
  g_autofree gchar *pattern
    = g_strdup_printf ("^evenlight: .*/d[0-9]\\.(png|jpg): thread [01], weights %s, "
                       "gegl_init %s, checks %s, load %s, context %s, render %s, "
                       "save %s, total %s$",
                       part, part, part, part, part, part, part, part);
  gchar *files[6];

  for (gint i = 0; i < n_files; i++)
    {
      g_autofree gchar *base = g_strdup_printf ("d%d.%s", i, i % 2 ? "jpg" : "png");

      files[i] = make_image (base, "R'G'B' u8", i % 2 ? "gegl:jpg-save" : "gegl:png-save",
                             i % 2 ? 0 : 8, FALSE);
      argv[8 + i] = files[i];
    }

  g_spawn_sync (NULL, (gchar **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  g_strfreev (envp);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_test_message ("%s", err);
  lines = g_strsplit (err, "\n", -1);
  for (gint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "evenlight: GEGL_PATH "))
        continue;
      if (!g_regex_match_simple (pattern, lines[i], 0, 0))
        g_error ("not a timing line: %s", lines[i]);
      n++;
      /* The set-up is counted with one file (the files may be enhanced
       * at once, and finish in any order). */
      n_setup += strstr (lines[i], "weights 0.0 ms, gegl_init 0.0 ms") == NULL;
      on_thread[strstr (lines[i], ": thread 1,") != NULL]++;
    }
  g_assert_cmpint (n, ==, n_files);
  g_assert_cmpint (n_setup, ==, 1);
  g_assert_cmpint (on_thread[0], >, 0);
  g_assert_cmpint (on_thread[1], >, 0);
  for (gint i = 0; i < n_files; i++)
    {
      g_autofree gchar *base = g_path_get_basename (files[i]);
      g_autofree gchar *o = g_build_filename (dir, base, NULL);

      g_unlink (o);
      g_unlink (files[i]);
      g_free (files[i]);
    }
  g_rmdir (dir);
}

/* The GEGL modules of the files' formats only (ui/cli/meson.build: a
 * folder for the core operations, one per format), as the set-up line of
 * EVENLIGHT_DEBUG shows: a PNG made into a PNG and a JPEG needs the core,
 * png and jpg folders; an input of unknown content, every folder. */
static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

void
test_gegl_modules (void)
{
  gchar *out_png = g_build_filename (tmpdir, "gm-out.png", NULL),
        *out_jpg = g_build_filename (tmpdir, "gm-out.jpg", NULL),
        *in = make_image ("gm.png", "R'G'B' u8", "gegl:png-save", 8, FALSE),
        /* Unknown content under a known name: gegl:load then picks the
         * PNG loader by the name, which refuses it at once. */
        *odd = g_build_filename (tmpdir, "gm-odd.png", NULL);
  const struct { const gchar *in, *out, *want; } cases[] = {
    { in, out_png, "core png" },
    { in, out_jpg, "core jpg png" },
    { odd, out_png, "core exr jpg png ppm tiff webp" },
  };
  gchar **envp = g_environ_setenv (g_get_environ (), "EVENLIGHT_DEBUG", "1", TRUE);

  envp = g_environ_unsetenv (envp, "GEGL_PATH");
  g_assert_true (g_file_set_contents (odd, "not an image\n", -1, NULL));
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const gchar *argv[] = { cli, "-q", "--weights", weights, cases[c].in, cases[c].out, NULL };
      g_autofree gchar *err = NULL;
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autofree gchar *got = NULL;
      const gchar *line;
      GError *error = NULL;
      gint status;

      g_spawn_sync (NULL, (gchar **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                    &err, &status, &error);
      g_assert_no_error (error);
      line = strstr (err, "evenlight: GEGL_PATH ");
      g_assert_nonnull (line);
      {
        g_autofree gchar *value = g_strndup (line + strlen ("evenlight: GEGL_PATH "),
                                             strcspn (line + strlen ("evenlight: GEGL_PATH "), "\n"));
        g_auto (GStrv) folders = g_strsplit (value, G_SEARCHPATH_SEPARATOR_S, -1);

        for (gint i = 0; folders[i] != NULL; i++)
          g_ptr_array_add (names, g_path_get_basename (folders[i]));
      }
      g_ptr_array_sort (names, compare_names);
      g_ptr_array_add (names, NULL);
      got = g_strjoinv (" ", (gchar **) names->pdata);
      g_test_message ("%s -> %s: %s", cases[c].in, cases[c].out, got);
      g_assert_cmpstr (got, ==, cases[c].want);
    }
  g_strfreev (envp);
  for (gchar **f = (gchar *[]) { out_png, out_jpg, odd, in, NULL }; *f; f++)
    {
      g_unlink (*f);
      g_free (*f);
    }
}
