/* evenlight — speed of exposure fusion: a bracket of three exposures in
 * memory, evenlight_bracket_context_new (reads each exposure once, ranks,
 * aligns) + evenlight_enhance on N threads. A benchmark, not a test: it
 * prints figures and never judges them.
 *
 * Usage: bench-fuse [--weights FILE] [--runs N] [--threads N] [--size WxH]
 *                   [--no-align] [--quick]
 *
 * The scene is synthetic (smooth light, shapes, texture, noise) at −2, 0
 * and +2 EV in linear light, the dark and the bright exposure moved by a
 * few pixels so that the alignment has work to do. Default: 4000 × 3000
 * (12 MP), 2 threads, 5 runs after a warm-up; --quick: 400 × 300, 1 run.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include "evenlight.h"
#include "bench-util.h"

typedef struct
{
  gint    width, height;
  gfloat *rgb[3];
} Bracket;

static gboolean
bracket_read (gint k, const EvenlightRect *r, gfloat *rgb, gpointer data, GError **error)
{
  const Bracket *b = data;

  (void) error;
  for (gint y = 0; y < r->height; y++)
    memcpy (rgb + (gsize) y * r->width * 3,
            b->rgb[k] + ((gsize) (r->y + y) * b->width + r->x) * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

typedef struct
{
  gfloat *out;
  gint    width;
} Sink;

static gboolean
sink_write (const EvenlightRect *r, const gfloat *rgb, gpointer data, GError **error)
{
  Sink *s = data;

  (void) error;
  for (gint y = 0; y < r->height; y++)
    memcpy (s->out + ((gsize) (r->y + y) * s->width + r->x) * 3, rgb + (gsize) y * r->width * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

/* Linear-light radiance of the scene at (x, y) for channel c. */
static gfloat
radiance (gint x, gint y, gint c, gint w, gint h)
{
  gfloat u = (gfloat) x / w, v = (gfloat) y / h;
  gfloat light = 0.02f + 0.6f * u * v + (fabsf (u - 0.7f) < 0.15f && fabsf (v - 0.3f) < 0.15f ? 3.0f : 0.0f);
  gfloat refl = 0.3f + 0.25f * sinf (x * 0.013f + 2.0f * c) * sinf (y * 0.017f)
                + ((x / 97 + y / 61) % 3 == 0 ? 0.3f : 0.0f);

  return light * refl;
}

static void
bracket_make (Bracket *b, gint width, gint height)
{
  static const gint shift[3][2] = { { 3, -2 }, { 0, 0 }, { -2, 1 } };
  guint32 state = 7;

  b->width = width;
  b->height = height;
  for (gint k = 0; k < 3; k++)
    {
      gfloat gain = powf (2.0f, -2.0f + 2.0f * k);

      b->rgb[k] = g_new (gfloat, (gsize) width * height * 3);
      for (gint y = 0; y < height; y++)
        for (gint x = 0; x < width; x++)
          for (gint c = 0; c < 3; c++)
            {
              gint sx = CLAMP (x + shift[k][0], 0, width - 1), sy = CLAMP (y + shift[k][1], 0, height - 1);
              gfloat v = radiance (sx, sy, c, width, height) * gain, noise;

              state = state * 1664525u + 1013904223u;
              noise = ((state >> 8) / 16777216.0f - 0.5f) * 0.01f;
              b->rgb[k][((gsize) y * width + x) * 3 + c] = CLAMP (powf (MIN (v, 1.0f), 1.0f / 2.2f) + noise, 0.0f, 1.0f);
            }
    }
}

int
main (int argc, char **argv)
{
  const gchar *weights = g_getenv ("EVENLIGHT_WEIGHTS");
  gint width = 4000, height = 3000, runs = 5, threads = 2;
  gboolean align = TRUE;
  EvenlightModel *model;
  EvenlightParams params;
  Bracket b;
  Sink sink;
  GError *error = NULL;
  gdouble *ctx_ms, *fuse_ms, *total_ms, *cpu;
  gchar *default_weights = NULL;

  for (gint i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--weights") && i + 1 < argc)
        weights = argv[++i];
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          runs = atoi (argv[++i]);
          runs = MAX (runs, 1);
        }
      else if (g_str_equal (argv[i], "--threads") && i + 1 < argc)
        {
          threads = atoi (argv[++i]);
          threads = MAX (threads, 1);
        }
      else if (g_str_equal (argv[i], "--size") && i + 1 < argc)
        {
          if (sscanf (argv[++i], "%dx%d", &width, &height) != 2 || width < 64 || height < 64)
            {
              fprintf (stderr, "bench-fuse: --size wants WxH, at least 64x64\n");
              return 2;
            }
        }
      else if (g_str_equal (argv[i], "--no-align"))
        align = FALSE;
      else if (g_str_equal (argv[i], "--quick"))
        {
          width = 400;
          height = 300;
          runs = 1;
        }
      else
        {
          fprintf (stderr, "usage: bench-fuse [--weights FILE] [--runs N] [--threads N] "
                           "[--size WxH] [--no-align] [--quick]\n");
          return 2;
        }
    }
  if (weights == NULL)
    weights = default_weights = g_build_filename (EVENLIGHT_SOURCE_ROOT, "weights",
                                                  "evenlight-v1.bin", NULL);
  model = evenlight_model_load (weights, &error);
  if (model == NULL)
    {
      fprintf (stderr, "bench-fuse: %s\n", error->message);
      return 1;
    }
  evenlight_params_init_default (&params);
  bracket_make (&b, width, height);
  sink.width = width;
  sink.out = g_new (gfloat, (gsize) width * height * 3);
  ctx_ms = g_new (gdouble, runs);
  fuse_ms = g_new (gdouble, runs);
  total_ms = g_new (gdouble, runs);
  cpu = g_new (gdouble, runs);

  printf ("== exposure fusion: 3 exposures (-2, 0, +2 EV, two moved by a few pixels) of\n"
          "   %d x %d (%.1f MP) in memory as packed float RGB, %d thread%s, alignment %s,\n"
          "   denoise %.2f; median of %d runs after a warm-up. analysis = evenlight_bracket_\n"
          "   context_new (reads every exposure once, ranks, aligns); fusion = evenlight_enhance.\n",
          width, height, width * height / 1e6, threads, threads == 1 ? "" : "s",
          align ? "on" : "off", params.denoise, runs);
  for (gint r = -1; r < runs; r++)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2;
      gdouble c0 = cpu_ms ();
      EvenlightContext *ctx;
      EvenlightRect all = { 0, 0, 0, 0 };

      ctx = evenlight_bracket_context_new (model, 3, width, height,
                                           align ? EVENLIGHT_BRACKET_ALIGN : EVENLIGHT_BRACKET_NONE,
                                           bracket_read, &b, &error);
      t1 = g_get_monotonic_time ();
      if (ctx == NULL)
        {
          fprintf (stderr, "bench-fuse: %s\n", error->message);
          return 1;
        }
      evenlight_context_get_size (ctx, &all.width, &all.height);
      if (!evenlight_enhance (ctx, &params, &all, threads, NULL, NULL, sink_write, &sink, NULL,
                              NULL, &error))
        {
          fprintf (stderr, "bench-fuse: %s\n", error->message);
          return 1;
        }
      t2 = g_get_monotonic_time ();
      if (r == -1)
        {
          gdouble dx, dy;

          evenlight_bracket_get_exposure (ctx, 0, &dx, &dy, NULL);
          printf ("   dark exposure found moved by %+.2f, %+.2f px (made: -3, +2)%s\n", dx, dy,
                  evenlight_bracket_get_warning (ctx) ? "; warning!" : "");
        }
      evenlight_context_free (ctx);
      if (r >= 0)
        {
          ctx_ms[r] = (t1 - t0) / 1000.0;
          fuse_ms[r] = (t2 - t1) / 1000.0;
          total_ms[r] = (t2 - t0) / 1000.0;
          cpu[r] = cpu_ms () - c0;
        }
    }
  qsort (ctx_ms, runs, sizeof (gdouble), cmp_double);
  qsort (fuse_ms, runs, sizeof (gdouble), cmp_double);
  qsort (total_ms, runs, sizeof (gdouble), cmp_double);
  qsort (cpu, runs, sizeof (gdouble), cmp_double);
  printf ("fuse %dx%d x 3, %d threads: analysis %.0f ms, fusion %.0f ms, total %.0f ms "
          "(median; total min %.0f, max %.0f), CPU %.0f ms\n",
          width, height, threads, ctx_ms[runs / 2], fuse_ms[runs / 2], total_ms[runs / 2],
          total_ms[0], total_ms[runs - 1], cpu[runs / 2]);

  for (gint k = 0; k < 3; k++)
    g_free (b.rgb[k]);
  g_free (sink.out);
  g_free (ctx_ms);
  g_free (fuse_ms);
  g_free (total_ms);
  g_free (cpu);
  g_free (default_weights);
  evenlight_model_free (model);
  return 0;
}
