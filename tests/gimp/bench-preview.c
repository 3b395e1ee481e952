/* evenlight — what one slider move costs in the dialog: the time of
 * evenlight_render_region() for a 512 × 512 preview rectangle (after the
 * context has been computed once), median of several runs.
 *
 *   bench-preview WEIGHTS [WIDTH HEIGHT]     (default image 3000 × 2000)
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evenlight.h"

#define RUNS 7
#define SIZE 512

typedef struct
{
  gint width, height;
} Image;

/* A synthetic, unevenly lit scene computed on demand, so the benchmark
 * measures the core and not a copy. */
static gboolean
read_pixels (const EvenlightRect *rect, gfloat *rgb, gpointer user_data,
             GError **error)
{
  const Image *image = user_data;
  gint         x, y;

  (void) error;
  for (y = 0; y < rect->height; y++)
    for (x = 0; x < rect->width; x++)
      {
        gdouble u = (gdouble) (rect->x + x) / image->width;
        gdouble v = (gdouble) (rect->y + y) / image->height;
        gfloat *p = rgb + 3 * ((gsize) y * rect->width + x);
        gdouble light = 0.05 + 0.6 * u * u;

        p[0] = (gfloat) (light * (0.6 + 0.3 * sin (40 * u)));
        p[1] = (gfloat) (light * (0.5 + 0.3 * cos (30 * v)));
        p[2] = (gfloat) (light * 0.5);
      }
  return TRUE;
}

static int
compare_doubles (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  Image             image = { 3000, 2000 };
  EvenlightModel   *model;
  EvenlightContext *context;
  EvenlightParams   params;
  EvenlightRect     rect;
  GError           *error = NULL;
  gdouble           times[RUNS];
  gfloat           *out;
  gint64            t0;
  gint              i;

  if (argc != 2 && argc != 4)
    {
      fprintf (stderr, "usage: %s WEIGHTS [WIDTH HEIGHT]\n", argv[0]);
      return 2;
    }
  if (argc == 4)
    {
      image.width = atoi (argv[2]);
      image.height = atoi (argv[3]);
    }
  model = evenlight_model_load (argv[1], &error);
  if (model == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  t0 = g_get_monotonic_time ();
  context = evenlight_context_new (model, image.width, image.height,
                                   read_pixels, &image, &error);
  if (context == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("context of %d x %d: %.1f ms (once, when the dialog opens)\n",
          image.width, image.height, (g_get_monotonic_time () - t0) / 1000.0);

  evenlight_params_init_default (&params);
  rect.width = MIN (SIZE, image.width);
  rect.height = MIN (SIZE, image.height);
  rect.x = (image.width - rect.width) / 2;
  rect.y = (image.height - rect.height) / 2;
  out = g_new (gfloat, 3 * (gsize) rect.width * rect.height);
  for (i = -1; i < RUNS; i++)   /* run -1 warms up */
    {
      t0 = g_get_monotonic_time ();
      if (! evenlight_render_region (context, &params, &rect, read_pixels,
                                     &image, out, 3 * (gsize) rect.width,
                                     &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      if (i >= 0)
        times[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  qsort (times, RUNS, sizeof times[0], compare_doubles);
  printf ("preview region %d x %d: median %.1f ms, min %.1f ms, max %.1f ms "
          "over %d runs (one thread)\n", rect.width, rect.height,
          times[RUNS / 2], times[0], times[RUNS - 1], RUNS);
  g_free (out);
  evenlight_context_free (context);
  evenlight_model_free (model);
  return 0;
}
