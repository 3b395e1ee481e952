/* Helpers shared by the core tests: random models, synthetic photos,
 * in-memory read callbacks.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_TEST_UTIL_H
#define EVENLIGHT_TEST_UTIL_H

#include <glib.h>
#include "evenlight.h"
#include "model.h"

G_BEGIN_DECLS

/* A model with random weights (uniform, scaled by 1/sqrt(fan-in) like
 * PyTorch's default initialisation), built without a weights file. */
EvenlightModel *test_model_random (guint32 seed);
void            test_model_free   (EvenlightModel *model);

/* A photo-like @width × @height packed RGB image: smooth shapes and
 * edges under a strong illumination gradient, with noise. */
gfloat *test_image_photo (gint width, gint height, guint32 seed);

/* Uniform random values in [lo, hi). */
void test_fill_random (gfloat *data, gsize n, gfloat lo, gfloat hi, guint32 seed);

typedef struct
{
  const gfloat *rgb;   /* packed RGB */
  gint          width;
  gint          height;
  gint          reads; /* atomic count of calls */
} TestImage;

/* EvenlightReadFunc over a TestImage. */
gboolean test_image_read (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error);

/* Whole-image render through one tile (window = image): the reference the
 * tiled paths are compared with. Returns packed RGB. */
gfloat *test_render_whole (const EvenlightContext *context,
                           const EvenlightParams  *params,
                           TestImage              *image);

/* A copy of @bytes bytes of floats. */
gfloat *test_dup (const gfloat *data, gsize bytes);

/* Largest |a − b| over @n values (NaN counts as infinite). */
gdouble test_max_diff (const gfloat *a, const gfloat *b, gsize n);

/* Golden parity: max |c_values − ref| over @n values (NaN counts as
 * infinite), logged under @name; marks the test failed above @tolerance.
 * Returns the maximum. */
/* Tensor @name of a golden file with exactly that shape (d0…d2, the first
 * @ndim used); the test fails if it is missing or mis-shaped. */
const gfloat *test_tensor (const EvenlightWeights *golden, const gchar *name, guint ndim,
                           guint d0, guint d1, guint d2);

gdouble test_check_parity (const gchar *name, const gfloat *ref, const gfloat *c_values,
                           gsize n, gdouble tolerance);

G_END_DECLS

#endif
