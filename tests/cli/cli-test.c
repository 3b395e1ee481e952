/* The helpers of the `evenlight` command-line tests (cli-test.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-test.h"
#include "gegl-load.h"

gchar *cli;
gchar *weights;
gchar *dq_weights;
gchar *tmpdir;

/* Removes @path, and everything below it when it is a folder (not
 * following symbolic links). */
void
remove_tree (const gchar *path)
{
  GDir *dir;
  const gchar *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK)
      && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
      return;
    }
  g_unlink (path);
}
/* Scales the colour of pattern(): below 1, a very dark capture. */
gfloat exposure = 1.0f;

/* ---- Images ------------------------------------------------------------ */

/* A dim scene with a bright window and a transparent corner: every
 * channel, and alpha, varies across the image. */
void
pattern (gint    x,
         gint    y,
         gfloat *rgba)
{
  gfloat base = 0.04f + 0.12f * x / W + 0.05f * y / H;

  if (x > W * 2 / 3 && y < H / 2)
    base = 0.85f + 0.1f * y / H;
  rgba[0] = exposure * base;
  rgba[1] = exposure * (base * 0.8f + 0.02f * ((x * 7 + y * 3) % 5));
  rgba[2] = exposure * (base * 0.6f + 0.01f * ((x + y) % 7));
  rgba[3] = (x < 10 && y < 10) ? 0.0f : 0.25f + 0.75f * x / (W - 1);
}

/* Saves @buffer to @path with @saver (at @bitdepth when > 0). */
void
save_buffer (GeglBuffer  *buffer,
             const gchar *saver,
             const gchar *path,
             gint         bitdepth)
{
  GeglNode *graph = gegl_node_new ();
  GeglNode *src = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                       "buffer", buffer, NULL);
  GeglNode *save = gegl_node_new_child (graph, "operation", saver,
                                        "path", path, NULL);

  if (bitdepth > 0)
    gegl_node_set (save, "bitdepth", bitdepth, NULL);
  gegl_node_link (src, save);
  gegl_node_process (save);
  g_object_unref (graph);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* Writes a W × H test image in the babl @format with @saver. */
gchar *
make_image (const gchar *base,
            const gchar *format,
            const gchar *saver,
            gint         bitdepth,
            gboolean     gray_rgb)
{
  gchar *path = g_build_filename (tmpdir, base, NULL);
  GeglRectangle r = { 0, 0, W, H };
  GeglBuffer *buffer = gegl_buffer_new (&r, babl_format (format));
  gfloat *px = g_new (gfloat, W * H * 4);

  for (gint y = 0; y < H; y++)
    for (gint x = 0; x < W; x++)
      {
        gfloat *p = px + 4 * (y * W + x);

        pattern (x, y, p);
        if (gray_rgb)
          p[1] = p[2] = p[0];
      }
  gegl_buffer_set (buffer, &r, 0, babl_format ("R'G'B'A float"), px,
                   GEGL_AUTO_ROWSTRIDE);
  g_free (px);
  save_buffer (buffer, saver, path, bitdepth);
  g_object_unref (buffer);
  return path;
}

GeglBuffer *
load_image (const gchar *path)
{
  return load_image_sized (path, W, H);
}

GeglBuffer *
load_image_sized (const gchar *path,
                  gint         width,
                  gint         height)
{
  GeglBuffer *buffer = evenlight_test_gegl_load (path);

  g_assert_nonnull (buffer);
  g_assert_cmpint (gegl_buffer_get_extent (buffer)->width, ==, width);
  g_assert_cmpint (gegl_buffer_get_extent (buffer)->height, ==, height);
  return buffer;
}

static const gchar *
format_name (GeglBuffer *buffer)
{
  return babl_get_name (gegl_buffer_get_format (buffer));
}

/* The pixels in @format, W × H × @channels of @bytes each. */
gpointer
pixels (GeglBuffer  *buffer,
        const gchar *format)
{
  const Babl *f = babl_format (format);
  gpointer data = g_malloc ((gsize) W * H * babl_format_get_bytes_per_pixel (f));

  gegl_buffer_get (buffer, NULL, 1.0, f, data, GEGL_AUTO_ROWSTRIDE,
                   GEGL_ABYSS_NONE);
  return data;
}

/* The W × H pixels of the image file @path in @format. */
gpointer
file_pixels (const gchar *path,
             const gchar *format)
{
  GeglBuffer *buffer = load_image (path);
  gpointer    data = pixels (buffer, format);

  g_object_unref (buffer);
  return data;
}

gchar *
file_checksum (const gchar *path)
{
  g_autofree gchar *data = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return g_strdup ("(missing)");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, length);
}

/* ---- Running the program ---------------------------------------------- */

/* Runs the CLI with the NULL-terminated arguments; returns the exit status
 * and stores stderr in @err (if not NULL). */
static gint
run_cli_valist (gchar      **envp,
                gchar      **err,
                const gchar *first,
                va_list      ap)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_autofree gchar *out = NULL;
  gchar *errors = NULL;
  GError *error = NULL;
  const gchar *arg;
  gint status;

  g_ptr_array_add (argv, cli);
  for (arg = first; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (gchar **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL,
                NULL, &out, &errors, &status, &error);
  g_assert_no_error (error);
  g_ptr_array_free (argv, TRUE);
  g_assert_true (WIFEXITED (status));
  if (err != NULL)
    *err = errors;
  else
    g_free (errors);
  return WEXITSTATUS (status);
}

gint
run_cli (gchar      **err,
         const gchar *first,
         ...)
{
  va_list ap;
  gint status;

  va_start (ap, first);
  status = run_cli_valist (NULL, err, first, ap);
  va_end (ap);
  return status;
}

/* The same with EVENLIGHT_WEIGHTS set to @weights_env. */
gint
run_cli_weights_env (const gchar *weights_env,
                     gchar      **err,
                     const gchar *first,
                     ...)
{
  gchar **envp = g_environ_setenv (g_get_environ (), "EVENLIGHT_WEIGHTS",
                                   weights_env, TRUE);
  va_list ap;
  gint status;

  va_start (ap, first);
  status = run_cli_valist (envp, err, first, ap);
  va_end (ap);
  g_strfreev (envp);
  return status;
}

/* No temporary file may be left behind in the output directory. */
void
assert_no_leftovers (void)
{
  GDir *dir = g_dir_open (tmpdir, 0, NULL);
  const gchar *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      g_error ("temporary file left behind: %s", name);
  g_dir_close (dir);
}

/* Enhances @in into @out (default settings) and checks success. */
void
enhance (const gchar *in,
         const gchar *out)
{
  g_autofree gchar *err = NULL;
  g_autofree gchar *before = file_checksum (in);
  g_autofree gchar *after = NULL;
  gint status = run_cli (&err, "--weights", weights, "--threads", "2", in, out,
                         NULL);

  if (status != 0)
    g_error ("evenlight %s %s: status %d: %s", in, out, status, err);
  after = file_checksum (in);
  g_assert_cmpstr (before, ==, after);
  assert_no_leftovers ();
}

/* Makes the 8-bit PNG @base.png in @format (@gray: the scene in gray),
 * enhances it into @base-out.png and checks that the result keeps @format:
 * its pixels in @format; @input, when not NULL, receives the input's. */
gpointer
enhance_png (const gchar *base,
             const gchar *format,
             gboolean     gray,
             gpointer    *input)
{
  g_autofree gchar *in_name = g_strconcat (base, ".png", NULL);
  g_autofree gchar *out_name = g_strconcat (base, "-out.png", NULL);
  g_autofree gchar *in = make_image (in_name, format, "gegl:png-save", 8, gray);
  g_autofree gchar *out = g_build_filename (tmpdir, out_name, NULL);
  GeglBuffer *b;
  gpointer data;

  enhance (in, out);
  b = load_image (out);
  g_assert_cmpstr (format_name (b), ==, format);
  data = pixels (b, format);
  g_object_unref (b);
  if (input != NULL)
    *input = file_pixels (in, format);
  return data;
}
