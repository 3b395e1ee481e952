/* `evenlight`: where the CLI finds its weights files, its GEGL modules and
 * babl's cache file (cli-weights.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plug-in finds its weights next to itself (plugin-paths.c), where
 * plugin/install-user.sh copies them. The CLI in a build tree has none
 * next to it: run from there, it takes the source tree's weights/, which
 * is what that build was made with (EVENLIGHT_SOURCE_ROOT and
 * EVENLIGHT_BUILD_ROOT are set by ui/cli/meson.build).
 */
#include "cli-weights.h"

#include <string.h>

#include <gegl.h>
#include <glib/gstdio.h>

#include "cli-image.h"
#include "evenlight.h"

/* The directory of the running program, links resolved; NULL if unknown. */
static gchar *
program_dir (void)
{
  g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL ? g_path_get_dirname (exe) : NULL;
}

/* Whether @dir lies inside the build tree this program was built in. */
static gboolean
in_build_tree (const gchar *dir)
{
  g_autofree gchar *root = g_canonicalize_filename (EVENLIGHT_BUILD_ROOT, NULL);
  gsize n = strlen (root);

  return dir != NULL && strncmp (dir, root, n) == 0
         && (dir[n] == '\0' || dir[n] == G_DIR_SEPARATOR);
}

gchar *
evenlight_cli_find_weights (const gchar  *basename,
                            const gchar  *installed,
                            const gchar  *env_name,
                            const gchar  *option,
                            GError      **error)
{
  const gchar *env = g_getenv (env_name);
  g_autofree gchar *dir = program_dir ();
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) looked = g_string_new (NULL);

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  if (in_build_tree (dir))
    g_ptr_array_add (candidates, g_build_filename (EVENLIGHT_SOURCE_ROOT, "weights",
                                                   basename, NULL));
  g_ptr_array_add (candidates, g_strdup (installed));
  if (dir != NULL)
    g_ptr_array_add (candidates, g_build_filename (dir, basename, NULL));
  for (guint i = 0; i < candidates->len; i++)
    {
      const gchar *path = g_ptr_array_index (candidates, i);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_strdup (path);
      g_string_append_printf (looked, "%s%s", i == 0 ? "" : ", ", path);
    }
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
               "No weights file %s found (looked in %s). Point at it with "
               "%s FILE or %s=FILE; it is weights/%s in the source tree, "
               "installed by `meson install`.",
               basename, looked->str, option, env_name, basename);
  return NULL;
}

/* The private folder babl reads its cache file from (see
 * evenlight_cli_gegl_init), or NULL. */
static gchar *babl_home;

/* Removes what babl finds or leaves in @dir: its cache file, its folder
 * and @dir. */
static void
remove_babl_home (const gchar *dir)
{
  g_autofree gchar *babl_dir = g_build_filename (dir, "babl", NULL);
  g_autofree gchar *file = g_build_filename (babl_dir, "babl-fishes", NULL);

  g_unlink (file);
  g_rmdir (babl_dir);
  g_rmdir (dir);
}

/* Points babl at a private copy of @seed, the cache file made at build
 * time (make-babl-cache.c): babl reads $XDG_CACHE_HOME/babl/babl-fishes at
 * start-up and writes it at exit. GLib has read the user's cache folder
 * before, so GEGL's swap stays there. */
static void
use_babl_cache (const gchar *seed)
{
  g_autofree gchar *contents = NULL, *babl_dir = NULL, *file = NULL;
  gsize length;

  (void) g_get_user_cache_dir ();
  babl_home = g_dir_make_tmp ("evenlight-babl-XXXXXX", NULL);
  if (babl_home == NULL)
    return;
  babl_dir = g_build_filename (babl_home, "babl", NULL);
  file = g_build_filename (babl_dir, "babl-fishes", NULL);
  if (g_mkdir (babl_dir, 0700) == 0
      && g_file_get_contents (seed, &contents, &length, NULL))
    (void) g_file_set_contents (file, contents, length, NULL);
  g_setenv ("XDG_CACHE_HOME", babl_home, TRUE);
}

/* Adds the format folders named in @groups ("png", or "png:jpg") to @set. */
static void
add_groups (GHashTable  *set,
            const gchar *groups)
{
  g_auto (GStrv) names = groups ? g_strsplit (groups, G_SEARCHPATH_SEPARATOR_S, -1) : NULL;

  for (gint k = 0; names != NULL && names[k] != NULL; k++)
    g_hash_table_add (set, g_strdup (names[k]));
}

/* GEGL_PATH for @paths (and the extension @format, or NULL): the folder
 * @modules/core and that of each file's format, or all of @modules'
 * folders when a file's format is not known. */
static gchar *
gegl_path_for (const gchar         *modules,
               const gchar * const *paths,
               const gchar         *format)
{
  g_autoptr (GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GString) path = g_string_new (NULL);
  g_autoptr (GDir) dir = NULL;
  gboolean known;
  const gchar *name;

  for (gint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autofree gchar *groups = evenlight_cli_format_group (paths[i], &known);

      add_groups (set, groups);
      if (!known)
        add_groups (set, "*");   /* every format's folder */
    }
  if (format != NULL)
    {
      g_autofree gchar *probe = g_strdup_printf ("x.%s", format[0] == '.' ? format + 1 : format);
      g_autofree gchar *groups = evenlight_cli_format_group (probe, &known);

      add_groups (set, groups);
    }
  g_string_append (path, modules);
  g_string_append (path, G_DIR_SEPARATOR_S "core");
  dir = g_dir_open (modules, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (strcmp (name, "core") != 0
        && (g_hash_table_contains (set, name) || g_hash_table_contains (set, "*")))
      g_string_append_printf (path, "%c%s%c%s", G_SEARCHPATH_SEPARATOR, modules,
                              G_DIR_SEPARATOR, name);
  return g_string_free (g_steal_pointer (&path), FALSE);
}

void
evenlight_cli_gegl_init (const gchar * const *paths,
                         const gchar         *format)
{
  g_autofree gchar *dir = program_dir ();
  gboolean build = in_build_tree (dir);
  const gchar *modules = build ? EVENLIGHT_GEGL_MODULES_BUILD
                               : EVENLIGHT_GEGL_MODULES_INSTALLED;
  g_autofree gchar *core = g_build_filename (modules, "core", "gegl-core.so", NULL);

  /* babl's cache file: the user's (~/.cache/babl/babl-fishes) is GIMP's,
   * which can make babl rebuild dozens of conversions at start-up (2-3 s
   * and ~320 MB before the first pixel, for conversions the CLI never
   * uses), and babl would rewrite it at exit with only the CLI's. So
   * babl gets a private copy of the CLI's own, made at build time; the
   * user's BABL_INHIBIT_CACHE, when set, wins. */
  if (g_getenv ("BABL_INHIBIT_CACHE") == NULL)
    use_babl_cache (build ? EVENLIGHT_BABL_CACHE_BUILD : EVENLIGHT_BABL_CACHE_INSTALLED);
  if (g_getenv ("GEGL_PATH") == NULL && g_file_test (core, G_FILE_TEST_EXISTS))
    {
      g_autofree gchar *gegl_path = gegl_path_for (modules, paths, format);

      g_setenv ("GEGL_PATH", gegl_path, TRUE);
    }
  if (g_getenv ("EVENLIGHT_DEBUG") != NULL)
    g_printerr ("evenlight: GEGL_PATH %s\n", g_getenv ("GEGL_PATH"));
  gegl_init (NULL, NULL);
  /* babl has read the file: nothing stays on disk while the CLI works. */
  if (babl_home != NULL)
    remove_babl_home (babl_home);
}

/* How long evenlight_cli_gegl_exit() waits for GEGL's swap writer at most. */
#define SWAP_DRAIN_US (10 * G_USEC_PER_SEC)

/* Waits until GEGL's swap writer has no tile left to write. Saving keeps
 * GEGL's tile cache small (evenlight_cli_output_commit), so that a photo's
 * tiles go to the swap file; gegl_exit() stops the writer wherever it is
 * and then warns about the tiles it left ("tile-backend-swap writer queue
 * wasn't empty before freeing", and about the file's gaps), three lines on
 * the terminal after every photo of 4 megapixels or more. The writer
 * needs about a millisecond more. */
static void
wait_for_swap_writer (void)
{
  const gint64 until = g_get_monotonic_time () + SWAP_DRAIN_US;

  for (;;)
    {
      guint64  queued = 0;
      gboolean busy = FALSE;

      g_object_get (gegl_stats (), "swap-queued-total", &queued, "swap-busy", &busy, NULL);
      if ((queued == 0 && !busy) || g_get_monotonic_time () > until)
        return;
      g_usleep (1000);
    }
}

void
evenlight_cli_gegl_exit (void)
{
  wait_for_swap_writer ();
  gegl_exit ();
  /* babl wrote its cache file at exit, into the private folder. */
  if (babl_home != NULL)
    remove_babl_home (babl_home);
  g_clear_pointer (&babl_home, g_free);
}
