/* How the test tools read an image file back: through GEGL's gegl:load,
 * as any GEGL program would.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_TESTS_GEGL_LOAD_H
#define EVENLIGHT_TESTS_GEGL_LOAD_H

#include <gegl.h>

/* The image file @path as a new GEGL buffer, or NULL when GEGL cannot
 * load it (an empty result counts as not loaded). */
GeglBuffer *evenlight_test_gegl_load (const gchar *path);

#endif /* EVENLIGHT_TESTS_GEGL_LOAD_H */
