/* evenlight — what one slider move costs in the dialog: the time of one
 * preview rectangle (512 × 512 unless told) after the context has been
 * computed once, wall clock and CPU time (all threads), median of several
 * runs. The ways of rendering are measured in turn within each round,
 * each round starting with the next one, so that a load from other
 * programs weighs on all of them alike. "busiest" is the CPU time of the
 * busier thread (the calling one or the others together): about the wall
 * time on an otherwise idle machine.
 *
 *   region         evenlight_render_region(), one thread (the old preview)
 *   threads=N      evenlight_render_region_threads() without a cache, for
 *                  a Shadows move (everything is recomputed)
 *   cached         the same with a cache, for a Denoise move (R1 and N are
 *                  reused; only Φ and the sum are computed, on one thread)
 *
 *   bench-preview WEIGHTS [WIDTH HEIGHT [SIZE | WxH]]
 *
 * (default image 3000 × 2000, rectangle 512 × 512 in its middle)
 *
 * Every result is checked to be the same bits as the single-threaded one.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* CPU time of the whole process (every thread) or of the calling thread,
 * in ms. */
static gdouble
cpu_ms (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct
{
  const gchar          *name;
  gint                  threads;   /* 0: evenlight_render_region()   */
  gboolean              cached;
  EvenlightRegionCache *cache;
  gdouble               wall[RUNS], cpu[RUNS], busiest[RUNS];
} Mode;

int
main (int argc, char **argv)
{
  Image             image = { 3000, 2000 };
  Mode              modes[] = {
    { "region, 1 thread (before)", 0, FALSE, NULL, { 0 }, { 0 }, { 0 } },
    { "threads=1, Shadows move", 1, FALSE, NULL, { 0 }, { 0 }, { 0 } },
    { "threads=2, Shadows move", 2, FALSE, NULL, { 0 }, { 0 }, { 0 } },
    { "cached, Denoise move", 2, TRUE, NULL, { 0 }, { 0 }, { 0 } },
  };
  EvenlightModel   *model;
  EvenlightContext *context;
  EvenlightRect     rect;
  GError           *error = NULL;
  gfloat           *out, *reference;
  gdouble           load[3] = { 0, 0, 0 };
  gint64            t0;
  gint              size = SIZE, size_h = SIZE, i;
  guint             m;
  FILE             *f;

  if (argc != 2 && argc != 4 && argc != 5)
    {
      fprintf (stderr, "usage: %s WEIGHTS [WIDTH HEIGHT [SIZE | WxH]]\n", argv[0]);
      return 2;
    }
  if (argc >= 4)
    {
      image.width = atoi (argv[2]);
      image.height = atoi (argv[3]);
    }
  if (argc == 5 && sscanf (argv[4], "%dx%d", &size, &size_h) != 2)
    size = size_h = atoi (argv[4]);
  if (size <= 0 || size_h <= 0)
    {
      fprintf (stderr, "%s: not a size\n", argv[4]);
      return 2;
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

  rect.width = MIN (size, image.width);
  rect.height = MIN (size_h, image.height);
  rect.x = (image.width - rect.width) / 2;
  rect.y = (image.height - rect.height) / 2;
  out = g_new (gfloat, 3 * (gsize) rect.width * rect.height);
  reference = g_new (gfloat, 3 * (gsize) rect.width * rect.height);
  for (m = 0; m < G_N_ELEMENTS (modes); m++)
    if (modes[m].cached)
      modes[m].cache = evenlight_region_cache_new ();

  for (i = -1; i < RUNS; i++)   /* run -1 warms up */
    for (m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        Mode           *mode = &modes[(m + (guint) (i + 1)) % G_N_ELEMENTS (modes)];
        EvenlightParams params;
        gdouble         c0, t0_self;
        gboolean        ok;

        /* A slider moved: Shadows for the uncached ways, Denoise for the
         * cached ones (the cache already holds this rectangle then). */
        evenlight_params_init_default (&params);
        if (mode->cached)
          {
            if (i < 0)
              evenlight_render_region_threads (context, &params, &rect, mode->threads,
                                               mode->cache, read_pixels, &image, out,
                                               3 * (gsize) rect.width, NULL);
            params.denoise = (i & 1) ? 0.45f : 0.5f;
          }
        else
          params.shadows = (i & 1) ? 0.75f : 0.8f;

        t0 = g_get_monotonic_time ();
        c0 = cpu_ms (CLOCK_PROCESS_CPUTIME_ID);
        t0_self = cpu_ms (CLOCK_THREAD_CPUTIME_ID);
        if (mode->threads == 0)
          ok = evenlight_render_region (context, &params, &rect, read_pixels, &image,
                                        out, 3 * (gsize) rect.width, &error);
        else
          ok = evenlight_render_region_threads (context, &params, &rect, mode->threads,
                                                mode->cache, read_pixels, &image,
                                                out, 3 * (gsize) rect.width, &error);
        if (i >= 0)
          {
            mode->wall[i] = (g_get_monotonic_time () - t0) / 1000.0;
            gdouble self = cpu_ms (CLOCK_THREAD_CPUTIME_ID) - t0_self;

            mode->cpu[i] = cpu_ms (CLOCK_PROCESS_CPUTIME_ID) - c0;
            mode->busiest[i] = MAX (self, mode->cpu[i] - self);
          }
        if (! ok)
          {
            fprintf (stderr, "%s\n", error->message);
            return 1;
          }

        /* The same bits as the single-threaded region call. */
        if (! evenlight_render_region (context, &params, &rect, read_pixels, &image,
                                       reference, 3 * (gsize) rect.width, &error))
          {
            fprintf (stderr, "%s\n", error->message);
            return 1;
          }
        if (memcmp (out, reference, 3 * sizeof (gfloat) * rect.width * rect.height) != 0)
          {
            fprintf (stderr, "%s: the result differs from evenlight_render_region()\n",
                     mode->name);
            return 1;
          }
      }

  f = fopen ("/proc/loadavg", "r");
  if (f != NULL)
    {
      if (fscanf (f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
        load[0] = load[1] = load[2] = 0;
      fclose (f);
    }
  printf ("preview region %d x %d, median over %d interleaved runs "
          "(%u processors, load average %.2f %.2f %.2f):\n",
          rect.width, rect.height, RUNS, g_get_num_processors (),
          load[0], load[1], load[2]);
  for (m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      Mode *mode = &modes[m];

      qsort (mode->wall, RUNS, sizeof (gdouble), compare_doubles);
      qsort (mode->cpu, RUNS, sizeof (gdouble), compare_doubles);
      qsort (mode->busiest, RUNS, sizeof (gdouble), compare_doubles);
      printf ("  %-32s wall %6.1f ms (%.1f–%.1f)  cpu %6.1f ms  busiest %6.1f ms\n",
              mode->name, mode->wall[RUNS / 2], mode->wall[0], mode->wall[RUNS - 1],
              mode->cpu[RUNS / 2], mode->busiest[RUNS / 2]);
      evenlight_region_cache_free (mode->cache);
    }
  g_free (reference);
  g_free (out);
  evenlight_context_free (context);
  evenlight_model_free (model);
  return 0;
}
