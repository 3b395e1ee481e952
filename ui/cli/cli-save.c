/* The output file of `evenlight` (see cli-image.h): its format by its
 * extension, the checks before any work, a temporary file next to it
 * (removed if the program is interrupted), the save with GEGL and the
 * rename over the final path.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cli-image-private.h"
#include "evenlight.h"

/* GEGL's tile cache while saving, in bytes. */
#define SAVE_TILE_CACHE (16 << 20)

struct _EvenlightCliOutput
{
  gchar       *path;
  gchar       *temp;
  const gchar *saver;
  gint         slot;   /* in volatile_temp, or -1 */
};

/* The temporary files are removed if the program is interrupted. Only
 * fixed buffers and unlink() are used in the handler: both are safe
 * there. One slot per output in progress (batch mode writes several at
 * once). */
#define TEMP_SLOTS 64
static char volatile_temp[TEMP_SLOTS][PATH_MAX];
static volatile sig_atomic_t have_temp[TEMP_SLOTS];
static GMutex temp_lock;

static void
on_fatal_signal (int sig)
{
  for (gint i = 0; i < TEMP_SLOTS; i++)
    if (have_temp[i])
      unlink (volatile_temp[i]);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* The slot @temp is kept in, or -1 if none is free. */
static gint
temp_register (const gchar *temp)
{
  static gboolean installed;
  gint slot = -1;

  g_mutex_lock (&temp_lock);
  for (gint i = 0; i < TEMP_SLOTS && slot < 0; i++)
    if (!have_temp[i] && strlen (temp) < sizeof volatile_temp[i])
      {
        strcpy (volatile_temp[i], temp);
        have_temp[i] = 1;
        slot = i;
      }
  if (!installed)
    {
      signal (SIGINT, on_fatal_signal);
      signal (SIGTERM, on_fatal_signal);
      signal (SIGHUP, on_fatal_signal);
      installed = TRUE;
    }
  g_mutex_unlock (&temp_lock);
  return slot;
}

static void
temp_forget (EvenlightCliOutput *output)
{
  if (output->slot >= 0)
    have_temp[output->slot] = 0;
  output->slot = -1;
}

/* The formats the CLI writes, by extension. */
static const struct { const gchar *ext; const gchar *op; } savers[] = {
    { ".png", "gegl:png-save" },
    { ".jpg", "gegl:jpg-save" },
    { ".jpeg", "gegl:jpg-save" },
    { ".tif", "gegl:tiff-save" },
    { ".tiff", "gegl:tiff-save" },
    { ".webp", "gegl:webp-save" },
    { ".exr", "gegl:exr-save" },
    { ".ppm", "gegl:ppm-save" },
    { ".pnm", "gegl:ppm-save" },
};

const gchar *
evenlight_cli_saver_for_path (const gchar *path)
{
  const gchar *dot = strrchr (path, '.');

  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (savers); i++)
    if (g_ascii_strcasecmp (dot, savers[i].ext) == 0)
      return savers[i].op;
  return NULL;
}

gboolean
evenlight_cli_output_known (const gchar *path)
{
  return evenlight_cli_saver_for_path (path) != NULL;
}

gchar *
evenlight_cli_output_formats (void)
{
  GString *list = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (savers); i++)
    g_string_append_printf (list, "%s%s", i ? ", " : "", savers[i].ext + 1);
  return g_string_free (list, FALSE);
}

gboolean
evenlight_cli_same_file (const gchar *a,
                         const gchar *b)
{
  GStatBuf sa, sb;

  if (g_stat (a, &sa) != 0 || g_stat (b, &sb) != 0)
    return FALSE;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

EvenlightCliOutput *
evenlight_cli_output_begin (const gchar  *path,
                            const gchar  *input_path,
                            GError      **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autofree gchar *base = g_path_get_basename (path);
  g_autofree gchar *temp = NULL;
  const gchar *saver, *ext;
  EvenlightCliOutput *output;
  int fd;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: it is a directory", display);
      return NULL;
    }
  saver = evenlight_cli_saver_for_path (path);
  if (saver == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "Cannot write “%s”: unknown output format (the file name "
                   "must end in .png, .jpg, .jpeg, .tif, .tiff, .webp, .exr, "
                   ".ppm or .pnm)", display);
      return NULL;
    }
  if (evenlight_cli_same_file (path, input_path))
    {
      /* Replacing the original is refused: it would be lost for good if
       * the result is not what the user wanted. */
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "The output “%s” is the input file; choose another output "
                   "name (the original is never overwritten)", display);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, W_OK) != 0)
    {
      int saved = errno;

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: %s", display, g_strerror (saved));
      return NULL;
    }

  /* Same directory, so the final rename is atomic; same extension, for
   * any saver that looks at it. */
  ext = strrchr (base, '.');
  temp = g_strdup_printf ("%s%c.%.*s.XXXXXX%s", dir, G_DIR_SEPARATOR,
                          (int) (ext - base), base, ext);
  fd = g_mkstemp_full (temp, O_RDWR, 0666);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree gchar *ddir = g_filename_display_name (dir);

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: cannot create a file in “%s”: %s",
                   display, ddir, g_strerror (saved));
      return NULL;
    }
  close (fd);

  output = g_new0 (EvenlightCliOutput, 1);
  output->slot = temp_register (temp);
  output->path = g_strdup (path);
  output->temp = g_steal_pointer (&temp);
  output->saver = saver;
  return output;
}

gboolean
evenlight_cli_output_ready (const EvenlightCliOutput *output,
                            GError                  **error)
{
  g_autofree gchar *display = NULL;

  if (evenlight_cli_has_operation (output->saver))
    return TRUE;
  display = g_filename_display_name (output->path);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
               "Cannot write “%s”: this GEGL cannot save that format "
               "(%s is missing)", display, output->saver);
  return FALSE;
}

void
evenlight_cli_output_abort (EvenlightCliOutput *output)
{
  if (output == NULL)
    return;
  temp_forget (output);
  g_unlink (output->temp);
  g_free (output->temp);
  g_free (output->path);
  g_free (output);
}

/* Sets the saver's bit depth from the image's: 8-bit stays 8-bit, deeper
 * images get the most the format holds. */
static void
configure_saver (GeglNode                *save,
                 const gchar             *saver,
                 const EvenlightCliImage *image)
{
  gboolean eight = g_strcmp0 (image->type, "u8") == 0;

  if (strcmp (saver, "gegl:png-save") == 0 || strcmp (saver, "gegl:ppm-save") == 0)
    gegl_node_set (save, "bitdepth", eight ? 8 : 16, NULL);
  else if (strcmp (saver, "gegl:jpg-save") == 0)
    gegl_node_set (save, "quality", 95, "grayscale", image->gray, NULL);
  else if (strcmp (saver, "gegl:webp-save") == 0)
    gegl_node_set (save, "quality", 95, NULL);
}

gboolean
evenlight_cli_output_commit (EvenlightCliOutput      *output,
                             const EvenlightCliImage *image,
                             GeglBuffer              *buffer,
                             GError                 **error)
{
  g_autofree gchar *display = g_filename_display_name (output->path);
  g_autofree gchar *warnings = NULL;
  GeglNode *graph, *source, *save;
  guint64 cache_size = 0;
  GStatBuf st;

  /* Savers such as gegl:tiff-save and gegl:jpg-save copy the whole image
   * into memory of their own: meanwhile, GEGL may move the buffer's tiles
   * to its swap file instead of holding both in memory. */
  g_object_get (gegl_config (), "tile-cache-size", &cache_size, NULL);
  g_object_set (gegl_config (), "tile-cache-size", (guint64) SAVE_TILE_CACHE, NULL);
  evenlight_cli_capture_begin ();
  graph = gegl_node_new ();
  source = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                "buffer", buffer, NULL);
  save = gegl_node_new_child (graph, "operation", output->saver,
                              "path", output->temp, NULL);
  configure_saver (save, output->saver, image);
  gegl_node_link (source, save);
  gegl_node_process (save);
  g_object_unref (graph);
  /* Back to the usual size, so that the tiles still queued for GEGL's swap
   * file need not be written before the buffer is freed. */
  g_object_set (gegl_config (), "tile-cache-size", cache_size, NULL);
  warnings = evenlight_cli_capture_end ();

  if (warnings != NULL || g_stat (output->temp, &st) != 0 || st.st_size == 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: %s", display,
                   warnings ? warnings : "the image could not be saved");
      evenlight_cli_output_abort (output);
      return FALSE;
    }
  if (g_rename (output->temp, output->path) != 0)
    {
      int saved = errno;

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: %s", display, g_strerror (saved));
      evenlight_cli_output_abort (output);
      return FALSE;
    }
  temp_forget (output);
  g_free (output->temp);
  g_free (output->path);
  g_free (output);
  return TRUE;
}
