/* evenlight — GIMP 2.10 plug-in: where the weights and translations are.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "plugin-paths.h"
#include "plugin-common.h"

gchar *
evenlight_plugin_get_dir (void)
{
  /* GIMP starts plug-ins by their full path, but /proc/self/exe also
   * resolves symbolic links, so a link in the plug-ins folder pointing at
   * a build tree still finds the files next to the real binary. */
  gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  gchar *dir;

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  g_free (exe);
  return dir;
}

gchar *
evenlight_plugin_get_localedir (void)
{
  gchar *dir = evenlight_plugin_get_dir ();

  if (dir != NULL)
    {
      gchar *local = g_build_filename (dir, "locale", NULL);

      g_free (dir);
      if (g_file_test (local, G_FILE_TEST_IS_DIR))
        return local;
      g_free (local);
    }
  return g_strdup (LOCALEDIR);
}

/* A weights file: $@env_name when set (used as it is, even if it is
 * missing, so that a wrong path is reported instead of silently replaced
 * by another file), else @installed when it exists, else @basename next
 * to the plug-in. NULL when none is found; *@beside then holds where it
 * looked next to the plug-in (NULL if the plug-in's folder is unknown). */
static gchar *
find_file (const gchar  *env_name,
           const gchar  *installed,
           const gchar  *basename,
           gchar       **beside)
{
  const gchar *env = g_getenv (env_name);
  gchar       *dir;

  *beside = NULL;
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_strdup (installed);

  dir = evenlight_plugin_get_dir ();
  if (dir != NULL)
    {
      *beside = g_build_filename (dir, basename, NULL);
      g_free (dir);
      if (g_file_test (*beside, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (beside);
    }
  return NULL;
}

gchar *
evenlight_plugin_find_weights (GError **error)
{
  const gchar *installed = evenlight_default_weights_path ();
  gchar       *beside;
  gchar       *path = find_file ("EVENLIGHT_WEIGHTS", installed,
                                 EVENLIGHT_WEIGHTS_BASENAME, &beside);

  if (path == NULL)
    g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                 _("The weights file of Even Light was not found: looked for "
                   "“%s” and “%s”. Reinstall the plug-in or set "
                   "EVENLIGHT_WEIGHTS to the path of a weights file."),
                 installed, beside != NULL ? beside : EVENLIGHT_WEIGHTS_BASENAME);
  g_free (beside);
  return path;
}

EvenlightModel *
evenlight_plugin_load_model (GError **error)
{
  gchar          *path = evenlight_plugin_find_weights (error);
  EvenlightModel *model;

  if (path == NULL)
    return NULL;
  model = evenlight_model_load (path, error);
  g_free (path);
  return model;
}

gchar *
evenlight_plugin_find_dequant_weights (GError **error)
{
  /* evenlight_dequant_default_path() is $EVENLIGHT_DEQUANT_WEIGHTS when
   * set, which find_file() takes first anyway. */
  const gchar *installed = evenlight_dequant_default_path ();
  gchar       *beside;
  gchar       *path = find_file ("EVENLIGHT_DEQUANT_WEIGHTS", installed,
                                 EVENLIGHT_DEQUANT_FILE, &beside);

  if (path == NULL)
    g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                 _("The dequantization weights file was not found: looked for "
                   "“%s” and “%s”. Reinstall the plug-in, set "
                   "EVENLIGHT_DEQUANT_WEIGHTS to the path of the file, or run "
                   "without dequantization."),
                 installed, beside != NULL ? beside : EVENLIGHT_DEQUANT_FILE);
  g_free (beside);
  return path;
}

EvenlightDequant *
evenlight_plugin_load_dequant (GError **error)
{
  gchar            *path = evenlight_plugin_find_dequant_weights (error);
  EvenlightDequant *dequant;

  if (path == NULL)
    return NULL;
  dequant = evenlight_dequant_load (path, error);
  g_free (path);
  return dequant;
}
