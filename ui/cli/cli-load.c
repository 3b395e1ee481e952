/* Loading an image file with GEGL, and its size from the header alone
 * (see cli-image.h). The file is checked first (cli-sniff.c), the loader is
 * chosen from its first bytes, and GEGL's warnings while loading become
 * the error message (cli-warnings.c).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <gegl-plugin.h>   /* gegl_operation_get_format */

#include "cli-image-private.h"
#include "evenlight.h"

static gboolean
model_is_gray (const Babl *format)
{
  const gchar *model = babl_get_name (babl_format_get_model (format));

  /* Y, Y', Y~, YA, Y'A, YaA, ... */
  return model[0] == 'Y';
}

/* Starts collecting GEGL's warnings and makes a graph whose node *@load
 * loads @path (whose first @n bytes are @head). NULL, with the warnings no
 * longer collected, when no loader reads the file. */
static GeglNode *
new_load_graph (const gchar   *path,
                const guint8  *head,
                gsize          n,
                GeglNode     **load,
                GError       **error)
{
  const gchar *op;
  GeglNode *graph;

  evenlight_cli_capture_begin ();
  if (!evenlight_cli_pick_loader (path, head, n, &op, error))
    {
      g_free (evenlight_cli_capture_end ());
      return NULL;
    }
  graph = gegl_node_new ();
  *load = gegl_node_new_child (graph, "operation", op ? op : "gegl:load",
                               "path", path, NULL);
  return graph;
}

/* The error for a file GEGL gave no pixels for: its warnings, if any. */
static void
set_unreadable (GError     **error,
                const gchar *display,
                const gchar *warnings)
{
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
               "Cannot read input image “%s”: %s", display,
               warnings ? warnings
                        : "not an image in a format this program reads");
}

gboolean
evenlight_cli_image_load (const gchar       *path,
                          EvenlightCliImage *image,
                          GError           **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  g_autofree gchar *warnings = NULL;
  guint8 head[16];
  gsize n = sizeof head;
  GeglNode *graph, *load, *sink;
  GeglBuffer *buffer = NULL;
  const Babl *format;

  memset (image, 0, sizeof *image);
  if (!evenlight_cli_read_head (path, head, &n, error))
    return FALSE;
  if (n == 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: the file is empty", display);
      return FALSE;
    }
  if (!evenlight_cli_check_complete (path, head, n, error))
    return FALSE;
  graph = new_load_graph (path, head, n, &load, error);
  if (graph == NULL)
    return FALSE;
  sink = gegl_node_new_child (graph, "operation", "gegl:buffer-sink",
                              "buffer", &buffer, NULL);
  gegl_node_link (load, sink);
  gegl_node_process (sink);
  g_object_unref (graph);
  warnings = evenlight_cli_capture_end ();

  if (buffer == NULL || gegl_buffer_get_extent (buffer)->width <= 0
      || gegl_buffer_get_extent (buffer)->height <= 0)
    {
      g_clear_object (&buffer);
      set_unreadable (error, display, warnings);
      return FALSE;
    }

  format = gegl_buffer_get_format (buffer);
  image->buffer = buffer;
  image->extent = *gegl_buffer_get_extent (buffer);
  image->has_alpha = babl_format_has_alpha (format);
  image->gray = model_is_gray (format);
  image->type = babl_get_name (babl_format_get_type (format, 0));
  image->rgb_float = babl_format_with_space ("R'G'B' float", format);
  image->rgba_float = babl_format_with_space ("R'G'B'A float", format);
  image->y_float = babl_format_with_space ("Y' float", format);
  image->ya_float = babl_format_with_space ("Y'A float", format);
  image->own_bytes = evenlight_cli_own_bytes (format);
  return TRUE;
}

gboolean
evenlight_cli_image_probe (const gchar *path,
                           gint        *width,
                           gint        *height,
                           gint        *bytes_per_pixel,
                           GError     **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  g_autofree gchar *warnings = NULL;
  guint8 head[16];
  gsize n = sizeof head;
  GeglNode *graph, *load;
  GeglRectangle box;
  const Babl *format = NULL;

  if (!evenlight_cli_read_head (path, head, &n, error))
    return FALSE;
  graph = new_load_graph (path, head, n, &load, error);
  if (graph == NULL)
    return FALSE;
  /* The loaders read only the file's header for this. */
  box = gegl_node_get_bounding_box (load);
  if (gegl_node_get_gegl_operation (load) != NULL)
    format = gegl_operation_get_format (gegl_node_get_gegl_operation (load),
                                        "output");
  g_object_unref (graph);
  warnings = evenlight_cli_capture_end ();
  if (box.width <= 0 || box.height <= 0)
    {
      set_unreadable (error, display, warnings);
      return FALSE;
    }
  *width = box.width;
  *height = box.height;
  /* Unknown before decoding: assume the largest common one, float RGBA. */
  *bytes_per_pixel = format ? babl_format_get_bytes_per_pixel (format) : 16;
  return TRUE;
}

void
evenlight_cli_image_clear (EvenlightCliImage *image)
{
  g_clear_object (&image->buffer);
}
