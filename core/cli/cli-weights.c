/* `evenlight`: where the CLI finds its weights files and its GEGL modules
 * (cli-weights.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plug-in finds its weights next to itself (plugin-paths.c), where
 * plugin/install-user.sh copies them. The CLI in a build tree has none
 * next to it: run from there, it takes the source tree's weights/, which
 * is what that build was made with (EVENLIGHT_SOURCE_ROOT and
 * EVENLIGHT_BUILD_ROOT are set by core/cli/meson.build).
 */
#include "cli-weights.h"

#include <string.h>

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

void
evenlight_cli_prepare_gegl (void)
{
  g_autofree gchar *dir = program_dir ();
  const gchar *modules = in_build_tree (dir) ? EVENLIGHT_GEGL_MODULES_BUILD
                                             : EVENLIGHT_GEGL_MODULES_INSTALLED;
  g_autofree gchar *core = g_build_filename (modules, "gegl-core.so", NULL);

  /* When its cache file (~/.cache/babl/babl-fishes) exists, babl rebuilds
   * every conversion listed there at start-up, with lookup tables of up
   * to 64 MB each: 2-3 s and ~320 MB before the first pixel, for
   * conversions the CLI mostly never uses. Without the cache it makes
   * the few it needs when first asked. The user's own setting wins. */
  g_setenv ("BABL_INHIBIT_CACHE", "1", FALSE);
  if (g_getenv ("GEGL_PATH") == NULL && g_file_test (core, G_FILE_TEST_EXISTS))
    g_setenv ("GEGL_PATH", modules, TRUE);
}
