/* Benchmark of the full pipeline (context + tiled enhance) and of a
 * preview render, on synthetic photo-like images.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-enhance [WEIGHTS] [--runs N] [--isa avx512|avx2|generic]
 *                      [--case 0|1|2]   (0.5 MP, 1280 × 720, 12 MP only)
 *                      [--denoise γ3]   (default: EVENLIGHT_DEFAULT_DENOISE)
 * Weights: WEIGHTS, else $EVENLIGHT_WEIGHTS, else the repository's
 * weights/evenlight-v1.bin, else the installed file, else
 * tests/data/golden-weights.bin (the speed does not depend on the values).
 */
#include "evenlight.h"
#include "nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct
{
  gfloat *rgb;
  gfloat *out;
  gint    width, height;
} Image;

static gboolean
image_read (const EvenlightRect *r, gfloat *rgb, gpointer data, GError **error)
{
  const Image *im = data;
  gint y;

  (void) error;
  for (y = 0; y < r->height; y++)
    memcpy (rgb + (gsize) y * r->width * 3, im->rgb + ((gsize) (r->y + y) * im->width + r->x) * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

static gboolean
image_write (const EvenlightRect *r, const gfloat *rgb, gpointer data, GError **error)
{
  const Image *im = data;
  gint y;

  (void) error;
  for (y = 0; y < r->height; y++)
    memcpy (im->out + ((gsize) (r->y + y) * im->width + r->x) * 3, rgb + (gsize) y * r->width * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

/* Dim, unevenly lit scene: a dark left side, a bright window, edges,
 * texture and sensor-like noise. */
static void
image_make (Image *im, gint width, gint height)
{
  guint32 state = 12345;
  gint x, y, c;

  im->width = width;
  im->height = height;
  im->rgb = g_new (gfloat, (gsize) width * height * 3);
  im->out = g_new0 (gfloat, (gsize) width * height * 3);
  for (y = 0; y < height; y++)
    {
      gfloat v = (y + 0.5f) / height;
      for (x = 0; x < width; x++)
        {
          gfloat u = (x + 0.5f) / width;
          gfloat light = 0.03f + 0.5f * u * u + (u > 0.6f && u < 0.9f && v > 0.1f && v < 0.4f ? 0.9f : 0.0f);
          gboolean object = (u - 0.35f) * (u - 0.35f) + (v - 0.6f) * (v - 0.6f) < 0.04f;
          for (c = 0; c < 3; c++)
            {
              gfloat refl = object ? 0.2f + 0.3f * c : 0.45f + 0.1f * sinf (x * 0.02f + c) * cosf (y * 0.03f);
              gfloat noise;
              state = state * 1664525u + 1013904223u;
              noise = ((state >> 8) / 16777216.0f - 0.5f) * 0.03f;
              im->rgb[((gsize) y * width + x) * 3 + c] = CLAMP (refl * light + noise, 0.0f, 1.0f);
            }
        }
    }
}

static void
image_free (Image *im)
{
  g_free (im->rgb);
  g_free (im->out);
}

static int
cmp_double (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

/* CPU time of the process (all threads), ms: less sensitive than the wall
 * clock to other programs sharing the machine. */
static gdouble
cpu_ms (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static glong
peak_rss_mb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

static void
report (const gchar *what, gint width, gint height, gint threads, gdouble *ms, gdouble *cpu, gint runs)
{
  gdouble mp = (gdouble) width * height / 1e6;

  qsort (ms, runs, sizeof *ms, cmp_double);
  qsort (cpu, runs, sizeof *cpu, cmp_double);
  printf ("%-9s %5d x %-5d %6.2f %7d %9.1f %9.1f %9.1f %8.1f %9.1f %8ld\n",
          what, width, height, mp, threads, ms[runs / 2], ms[0], ms[runs - 1],
          ms[runs / 2] / mp, cpu[runs / 2], peak_rss_mb ());
  fflush (stdout);
}

static gchar *
find_weights (const gchar *arg)
{
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  const gchar *data = g_getenv ("EVENLIGHT_TEST_DATA");
  gchar *candidates[5] = { NULL };
  gchar *found = NULL;
  gint i;

  if (arg != NULL)
    return g_strdup (arg);
  candidates[0] = g_strdup (g_getenv ("EVENLIGHT_WEIGHTS"));
  candidates[1] = root ? g_build_filename (root, "weights", "evenlight-v1.bin", NULL) : NULL;
  candidates[2] = g_strdup (evenlight_default_weights_path ());
  candidates[3] = data ? g_build_filename (data, "golden-weights.bin", NULL) : NULL;
  for (i = 0; i < 4; i++)
    if (found == NULL && candidates[i] != NULL && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      found = g_strdup (candidates[i]);
  for (i = 0; i < 4; i++)
    g_free (candidates[i]);
  return found;
}

int
main (int argc, char **argv)
{
  static const gint sizes[][2] = { { 1000, 500 }, { 1280, 720 }, { 4000, 3000 } };
  const gchar *weights_arg = NULL, *isa = NULL;
  EvenlightParams params;
  EvenlightModel *model;
  GError *error = NULL;
  gchar *path;
  gint runs = 5, only = -1, i, s, t, r;
  gdouble denoise = -1.0;

  for (i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          runs = atoi (argv[++i]);
          runs = MAX (runs, 1);
        }
      else if (g_str_equal (argv[i], "--isa") && i + 1 < argc)
        isa = argv[++i];
      else if (g_str_equal (argv[i], "--case") && i + 1 < argc)
        only = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--denoise") && i + 1 < argc)
        denoise = atof (argv[++i]);
      else
        weights_arg = argv[i];
    }
  path = find_weights (weights_arg);
  if (path == NULL)
    {
      fprintf (stderr, "bench-enhance: no weights file found (give one as argument)\n");
      return 1;
    }
  model = evenlight_model_load (path, &error);
  if (model == NULL)
    {
      fprintf (stderr, "bench-enhance: %s\n", error->message);
      return 1;
    }
  if (isa != NULL && evenlight_nn_set_isa (isa) == NULL)
    {
      fprintf (stderr, "bench-enhance: instruction set %s not available\n", isa);
      return 1;
    }
  evenlight_params_init_default (&params);
  if (denoise >= 0.0)
    params.denoise = (gfloat) denoise;
  if (!evenlight_params_validate (&params, &error))
    {
      fprintf (stderr, "bench-enhance: %s\n", error->message);
      return 1;
    }

  printf ("weights: %s\nkernels: %s; %d runs after a warm-up; default sliders "
          "(shadows %.2f, highlights %.2f, denoise %.2f)\n",
          path, evenlight_nn_set_isa (isa), runs,
          params.shadows, params.highlights, params.denoise);
  printf ("full pipeline = context (one read of the image) + tiled enhance\n\n");
  printf ("%-9s %13s %6s %7s %9s %9s %9s %8s %9s %8s\n",
          "case", "size", "MP", "threads", "median", "min", "max", "ms/MP", "CPU", "peakRSS");
  printf ("%-9s %13s %6s %7s %9s %9s %9s %8s %9s %8s\n", "", "", "", "", "ms", "ms", "ms", "", "ms", "MB");

  for (s = 0; s < (gint) G_N_ELEMENTS (sizes); s++)
    {
      Image im;
      EvenlightRect all;
      gdouble *ms, *cpu;

      if (only >= 0 && s != only)
        continue;
      ms = g_new (gdouble, runs);
      cpu = g_new (gdouble, runs);
      image_make (&im, sizes[s][0], sizes[s][1]);
      all = (EvenlightRect) { 0, 0, im.width, im.height };
      for (t = 1; t <= 2; t++)
        {
          for (r = -1; r < runs; r++)
            {
              gint64 t0 = g_get_monotonic_time ();
              gdouble c0 = cpu_ms ();
              EvenlightContext *ctx = evenlight_context_new (model, im.width, im.height,
                                                             image_read, &im, &error);
              if (ctx == NULL
                  || !evenlight_enhance (ctx, &params, &all, t, image_read, &im,
                                         image_write, &im, NULL, NULL, &error))
                {
                  fprintf (stderr, "bench-enhance: %s\n", error->message);
                  return 1;
                }
              evenlight_context_free (ctx);
              if (r >= 0)
                {
                  ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
                  cpu[r] = cpu_ms () - c0;
                }
            }
          report ("full", im.width, im.height, t, ms, cpu, runs);
        }

      /* Preview: one 512 × 512 region with an existing context. */
      if (s == 1)
        {
          EvenlightContext *ctx = evenlight_context_new (model, im.width, im.height,
                                                         image_read, &im, NULL);
          EvenlightRect rect = { 384, 104, 512, 512 };
          gfloat *out = g_new (gfloat, 512 * 512 * 3);
          gdouble cms[64], ccpu[64];
          gint cr = MIN (runs, 64);

          for (r = -1; r < runs; r++)
            {
              gint64 t0 = g_get_monotonic_time ();
              gdouble c0 = cpu_ms ();
              if (!evenlight_render_region (ctx, &params, &rect, image_read, &im, out, 512 * 3, &error))
                {
                  fprintf (stderr, "bench-enhance: %s\n", error->message);
                  return 1;
                }
              if (r >= 0)
                {
                  ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
                  cpu[r] = cpu_ms () - c0;
                }
            }
          report ("preview", 512, 512, 1, ms, cpu, runs);
          for (r = 0; r < cr; r++)
            {
              gint64 t0 = g_get_monotonic_time ();
              gdouble c0 = cpu_ms ();
              EvenlightContext *c2 = evenlight_context_new (model, im.width, im.height,
                                                            image_read, &im, NULL);
              cms[r] = (g_get_monotonic_time () - t0) / 1000.0;
              ccpu[r] = cpu_ms () - c0;
              evenlight_context_free (c2);
            }
          report ("context", im.width, im.height, 1, cms, ccpu, cr);
          g_free (out);
          evenlight_context_free (ctx);
        }
      g_free (ms);
      g_free (cpu);
      image_free (&im);
    }

  evenlight_model_free (model);
  g_free (path);
  return 0;
}
