/* make-babl-cache OUTPUT: writes the babl cache file the `evenlight` CLI
 * starts with (cli-weights.c, evenlight_cli_gegl_init).
 *
 * The first time a process asks babl for a conversion between two pixel
 * formats, babl measures the candidate conversions on test pixels to pick
 * the fastest exact one: 40-100 ms of CPU each on the development machine,
 * and gegl_init() alone asks for two. Its cache file lists the conversions
 * found, and babl reads it at start-up instead of measuring. The user's
 * cache file (~/.cache/babl/babl-fishes) is GIMP's: it can list dozens of
 * conversions that babl then rebuilds at start-up (seconds and hundreds of
 * MB), and babl rewrites it at exit with only what the process used. So
 * the CLI gives babl a private copy of this file instead: made here at
 * build time, with the conversions gegl_init() makes and those the CLI
 * asks for when it leaves a conversion to babl (linear-light images,
 * saving in another format with --format).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include <gegl.h>
#include <glib/gstdio.h>

/* Conversions, from the first format to the second. None from an 8-bit
 * RGB(A) format: babl builds a lookup table over every value of such a
 * pixel for the conversions in its cache file (measured: 1.3 s of CPU at
 * start-up), while the CLI does those conversions itself (cli-pixels.c). */
static const gchar *const conversions[][2] = {
  /* Linear light (OpenEXR, some TIFFs) read and written as R'G'B' float. */
  { "RGB float", "R'G'B' float" },
  { "R'G'B' float", "RGB float" },
  { "RGBA float", "R'G'B'A float" },
  { "R'G'B'A float", "RGBA float" },
  { "Y float", "Y' float" },
  { "Y' float", "Y float" },
  { "YA float", "Y'A float" },
  { "Y'A float", "YA float" },
  /* --format: the savers' conversions between bit depths. */
  { "R'G'B' u16", "R'G'B' u8" },
  { "R'G'B'A u16", "R'G'B'A u8" },
  { "R'G'B' float", "R'G'B' u16" },
  { "R'G'B'A float", "R'G'B'A u16" },
  { "R'G'B' float", "R'G'B' u8" },
  { "R'G'B'A float", "R'G'B'A u8" },
};

int
main (int    argc,
      char **argv)
{
  g_autofree gchar *dir = NULL, *babl_dir = NULL, *file = NULL, *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length;

  if (argc != 2)
    {
      g_printerr ("usage: make-babl-cache OUTPUT\n");
      return 2;
    }
  dir = g_dir_make_tmp ("evenlight-babl-XXXXXX", &error);
  if (dir == NULL)
    {
      g_printerr ("make-babl-cache: %s\n", error->message);
      return 1;
    }
  babl_dir = g_build_filename (dir, "babl", NULL);
  file = g_build_filename (babl_dir, "babl-fishes", NULL);
  /* babl reads and writes $XDG_CACHE_HOME/babl/babl-fishes: an empty
   * folder, so that it measures every conversion here; no GEGL module is
   * needed for that. */
  (void) g_get_user_cache_dir ();   /* GLib keeps it: GEGL's swap stays there */
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  g_unsetenv ("BABL_INHIBIT_CACHE");
  g_setenv ("GEGL_PATH", dir, TRUE);
  gegl_init (NULL, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (conversions); i++)
    babl_fish (babl_format (conversions[i][0]), babl_format (conversions[i][1]));
  gegl_exit ();   /* babl writes its cache file */

  if (!g_file_get_contents (file, &contents, &length, &error)
      || !g_file_set_contents (argv[1], contents, length, &error))
    {
      g_printerr ("make-babl-cache: %s\n", error->message);
      return 1;
    }
  g_unlink (file);
  g_rmdir (babl_dir);
  g_rmdir (dir);
  return 0;
}
