/* How the test tools read an image file back (gegl-load.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gegl-load.h"

GeglBuffer *
evenlight_test_gegl_load (const gchar *path)
{
  GeglBuffer *buffer = NULL;
  GeglNode   *graph = gegl_node_new ();
  GeglNode   *load = gegl_node_new_child (graph, "operation", "gegl:load",
                                          "path", path, NULL);
  GeglNode   *sink = gegl_node_new_child (graph, "operation", "gegl:buffer-sink",
                                          "buffer", &buffer, NULL);

  gegl_node_link (load, sink);
  gegl_node_process (sink);
  g_object_unref (graph);
  if (buffer != NULL && gegl_buffer_get_width (buffer) <= 0)
    g_clear_object (&buffer);
  return buffer;
}
