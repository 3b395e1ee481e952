/* Benchmark of the full pipeline (context + tiled enhance) and of a
 * preview render, with the compute bound of the network next to it.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-enhance [--weights FILE] [--runs N] [--threads 1,2]
 *                      [--denoise γ3] [--isa avx512|avx2|generic] [--quick]
 *                      [IMAGE.ppm | --size WxH | --case 0|1|2]... [WEIGHTS]
 * IMAGE.ppm: binary PPM (P6, 8 or 16 bits; tests/bench/run.sh makes them
 * from a photo). --size WxH: a synthetic photo-like image instead. Without
 * any, synthetic 1000×500, 1280×720 and 4000×3000 images; --case N picks
 * one of those three.
 * Weights: --weights, else $EVENLIGHT_WEIGHTS, else the repository's
 * weights/evenlight-v1.bin ($EVENLIGHT_SOURCE_ROOT), else the installed
 * file, else tests/data/golden-weights.bin (the speed does not depend on
 * the values); a .bin argument is taken as the weights. The kernels are
 * the engine's own choice; --isa (the same as $EVENLIGHT_ISA) overrides it.
 *
 * Only the public API (evenlight.h) is used, so the benchmark keeps
 * working whatever the engine does inside.
 */
#include "evenlight.h"
#include "bench-enhance.h"
#include "bench-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* ------------------------------------------------------------ measuring */

/* VmRSS or VmHWM of this process in MB, from /proc (-1 if unknown). */
static gdouble
proc_status_mb (const gchar *key)
{
  gchar *text = NULL, *p;
  gdouble mb = -1.0;

  if (g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      && (p = strstr (text, key)) != NULL)
    mb = g_ascii_strtod (p + strlen (key) + 1, NULL) / 1024.0;
  g_free (text);
  return mb;
}

/* Resets the peak RSS (VmHWM) to the current RSS so that each case gets
 * its own peak (Linux: /proc/self/clear_refs, value 5). */
static gboolean
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

/* --------------------------------------------------------------- report */

typedef struct
{
  gdouble peak[3];   /* flop/s for 1 and 2 threads */
  gdouble bw[3];     /* bytes/s for 1 and 2 threads */
} Machine;

static gdouble
bound_ms (const Cost *c, const Machine *m, gint threads, gdouble px)
{
  gint t = CLAMP (threads, 1, 2);
  gdouble comp = c->total * px / m->peak[t] * 1e3;
  gdouble mem = c->bytes * px / m->bw[t] * 1e3;

  return MAX (comp, mem);
}

static gchar *
find_weights (const gchar *arg)
{
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  const gchar *data = g_getenv ("EVENLIGHT_TEST_DATA");
  gchar *candidates[4] = { NULL };
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

static void
die (const gchar *what, GError *error)
{
  fprintf (stderr, "bench-enhance: %s%s%s\n", what, error ? ": " : "", error ? error->message : "");
  exit (1);
}

typedef struct
{
  gdouble mp, median[3], cpu[3];
} FitPoint;

/* Least-squares line time = a + b · MP over the sizes, for @t threads, of
 * the median wall time or (@use_cpu) of the median CPU time. */
static void
print_fit (const FitPoint *pts, gint n, gint t, gboolean use_cpu)
{
  FitPoint p[16];
  gdouble sx = 0, sy = 0, sxx = 0, sxy = 0, a, b, ss_res = 0, ss_tot = 0, my, worst = 0;
  gint i;

  n = MIN (n, 16);
  for (i = 0; i < n; i++)
    {
      p[i] = pts[i];
      if (use_cpu)
        p[i].median[t] = p[i].cpu[t];
    }
  for (i = 0; i < n; i++)
    {
      sx += p[i].mp;
      sy += p[i].median[t];
      sxx += p[i].mp * p[i].mp;
      sxy += p[i].mp * p[i].median[t];
    }
  if (n < 2 || n * sxx - sx * sx <= 0)
    {
      printf ("slope   threads=%d %s: needs two sizes or more\n", t, use_cpu ? "CPU " : "wall");
      return;
    }
  b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  a = (sy - b * sx) / n;
  my = sy / n;
  for (i = 0; i < n; i++)
    {
      gdouble fit = a + b * p[i].mp, r = p[i].median[t] - fit;
      ss_res += r * r;
      ss_tot += (p[i].median[t] - my) * (p[i].median[t] - my);
      worst = MAX (worst, fabs (r));
    }
  printf ("slope   threads=%d %s: %6.1f ms/MP, intercept %7.1f ms, R^2 %.4f, "
          "largest residual %.0f ms (%d sizes)\n",
          t, use_cpu ? "CPU " : "wall", b, a, ss_tot > 0 ? 1.0 - ss_res / ss_tot : 1.0, worst, n);
}

int
main (int argc, char **argv)
{
  static const gint default_sizes[][2] = { { 1000, 500 }, { 1280, 720 }, { 4000, 3000 } };
  const gchar *weights_arg = NULL;
  GPtrArray *inputs = g_ptr_array_new_with_free_func (g_free);   /* "file" or "=WxH" */
  EvenlightParams params;
  EvenlightModel *model;
  GError *error = NULL;
  Machine machine;
  Shapes shapes;
  Cost cost;
  FitPoint *fit;
  gchar *path, *load = NULL;
  gint runs = 5, i, s, t, r, n_fit = 0, lanes, preview_case = -1;
  gint threads_list[2] = { 1, 2 }, n_threads = 2;
  gdouble denoise = -1.0, best_preview_dist = G_MAXDOUBLE;
  gboolean quick = FALSE;

  for (i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          runs = atoi (argv[++i]);
          runs = MAX (runs, 1);
        }
      else if (g_str_equal (argv[i], "--weights") && i + 1 < argc)
        weights_arg = argv[++i];
      else if (g_str_equal (argv[i], "--denoise") && i + 1 < argc)
        denoise = atof (argv[++i]);
      else if (g_str_equal (argv[i], "--threads") && i + 1 < argc)
        {
          gchar **v = g_strsplit (argv[++i], ",", 2);
          n_threads = 0;
          for (gint k = 0; v[k] != NULL; k++)
            threads_list[n_threads++] = CLAMP (atoi (v[k]), 1, 2);
          g_strfreev (v);
        }
      else if (g_str_equal (argv[i], "--isa") && i + 1 < argc)
        g_setenv ("EVENLIGHT_ISA", argv[++i], TRUE);   /* read by the engine at first use */
      else if (g_str_equal (argv[i], "--case") && i + 1 < argc)
        {
          gint k = atoi (argv[++i]);
          if (k < 0 || k >= (gint) G_N_ELEMENTS (default_sizes))
            die ("--case wants 0, 1 or 2", NULL);
          g_ptr_array_add (inputs, g_strdup_printf ("=%dx%d", default_sizes[k][0], default_sizes[k][1]));
        }
      else if (g_str_has_suffix (argv[i], ".bin"))
        weights_arg = argv[i];
      else if (g_str_equal (argv[i], "--quick"))
        quick = TRUE;
      else if (g_str_equal (argv[i], "--size") && i + 1 < argc)
        g_ptr_array_add (inputs, g_strconcat ("=", argv[++i], NULL));
      else if (argv[i][0] == '-')
        {
          fprintf (stderr, "usage: bench-enhance [--weights FILE] [--runs N] [--threads 1,2] "
                           "[--denoise G3] [--isa ISA] [--quick] "
                           "[IMAGE.ppm | --size WxH | --case 0|1|2]... [WEIGHTS.bin]\n");
          return 2;
        }
      else
        g_ptr_array_add (inputs, g_strdup (argv[i]));
    }
  memset (&machine, 0, sizeof machine);
  if (inputs->len == 0)
    for (s = 0; s < (gint) G_N_ELEMENTS (default_sizes); s++)
      g_ptr_array_add (inputs, g_strdup_printf ("=%dx%d", default_sizes[s][0], default_sizes[s][1]));

  path = find_weights (weights_arg);
  if (path == NULL)
    die ("no weights file found (give one with --weights)", NULL);
  model = evenlight_model_load (path, &error);
  if (model == NULL)
    die ("cannot load the weights", error);
  if (!shapes_load (&shapes, path, &error))
    die ("cannot count the model's operations", error);
  evenlight_params_init_default (&params);
  if (denoise >= 0.0)
    params.denoise = (gfloat) denoise;
  if (!evenlight_params_validate (&params, &error))
    die ("bad slider value", error);

  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
  printf ("weights: %s\n", path);
  printf ("kernels: the engine's choice%s%s; load average: %s",
          g_getenv ("EVENLIGHT_ISA") ? ", EVENLIGHT_ISA=" : "",
          g_getenv ("EVENLIGHT_ISA") ? g_getenv ("EVENLIGHT_ISA") : "",
          load ? load : "unknown\n");
  printf ("sliders: shadows %.2f, highlights %.2f, denoise %.2f (defaults unless --denoise)\n\n",
          params.shadows, params.highlights, params.denoise);
  g_free (load);

  /* The limit: operations per pixel and the machine's peak. */
  cost_count (&cost, &shapes, 1280, 720, params.denoise);
  printf ("== compute bound: operations per full-resolution pixel, counted from the layer\n"
          "   table (weights/MODEL.md) with the weights file's tensor shapes (1280x720;\n"
          "   the context's share shrinks with size). MAC = 2 flops; exp = %.0f, pow = %.0f flops.\n",
          FLOPS_EXP, FLOPS_POW);
  printf ("   %-48s %8s %8s\n", "stage", "MACs/px", "flops/px");
  for (s = 0; s < N_STAGES; s++)
    printf ("   %-48s %8.1f %8.1f\n", stage_names[s], cost.macs[s], cost.flops[s]);
  printf ("   %-48s %8.1f %8.1f\n", "total", cost.total_macs, cost.total);
  printf ("   bytes moved per pixel, at least: %.0f (context reads the float RGB input, the\n"
          "   enhance reads it again and writes float RGB; intermediates stay in tile caches)\n",
          cost.bytes);
  {
    const gchar *isa = fma_isa (&lanes);
    gint64 iters = quick ? 2000000 : 20000000;
    gsize n = quick ? (4u << 20) : (32u << 20);    /* floats: 16 / 128 MB per buffer */
    gint trials = quick ? 1 : 3;

    for (t = 1; t <= 2; t++)
      {
        machine.peak[t] = peak_measure (0, t, iters, 0, trials);
        machine.bw[t] = peak_measure (1, t, quick ? 2 : 4, n, trials);
      }
    printf ("   CPU peak, %s FMA loop (12 chains, rate per thread-CPU second, best of %d):\n"
            "     1 thread %.1f GFLOP/s, 2 threads %.1f GFLOP/s\n"
            "   memory, read + write stream of %zu MB per thread: 1 thread %.1f GB/s, 2 threads %.1f GB/s\n"
            "   bound = max(flops / FMA peak, bytes / stream bandwidth) for the same thread count\n\n",
            isa, trials, machine.peak[1] / 1e9, machine.peak[2] / 1e9,
            n * sizeof (gfloat) >> 20, machine.bw[1] / 1e9, machine.bw[2] / 1e9);
  }

  printf ("== full pipeline = evenlight_context_new (reads the image once) + evenlight_enhance\n"
          "   (tiled, N threads) on an image in memory as packed float RGB; %d runs after a\n"
          "   warm-up. Wall ms: median, min-max. CPU: median process CPU time (all threads).\n"
          "   peakRSS: process peak during the case, incl. the float RGB input and output\n"
          "   (24 B/px); +engine: above the RSS before the case. bound: lower bound (above).\n"
          "   %%bound = bound / median wall; CPU/bnd1 = CPU time / one-core bound.\n"
          "   context: median wall ms of evenlight_context_new alone (one thread, part of\n"
          "   the median), ctx%% its share of the median.\n\n", runs);
  printf ("%-7s %-10s %6s %3s %8s %8s %8s %7s %8s %7s %7s %8s %6s %8s %8s %5s\n",
          "case", "size", "MP", "thr", "median", "min", "max", "ms/MP", "CPU", "peakRSS",
          "+engine", "bound", "%bound", "CPU/bnd1", "context", "ctx%");
  printf ("%-7s %-10s %6s %3s %8s %8s %8s %7s %8s %7s %7s %8s %6s %8s %8s %5s\n",
          "", "", "", "", "ms", "ms", "ms", "", "ms", "MB", "MB", "ms", "", "", "ms", "");
  fflush (stdout);

  fit = g_new0 (FitPoint, inputs->len);
  for (s = 0; s < (gint) inputs->len; s++)
    {
      const gchar *in = g_ptr_array_index (inputs, s);
      Image im = { 0 };
      EvenlightRect all;
      gdouble *ms = g_new (gdouble, runs), *cpu = g_new (gdouble, runs), mp, dist;
      gdouble *ctx_ms = g_new (gdouble, runs);

      if (in[0] == '=')
        {
          gint w = 0, h = 0;
          if (sscanf (in + 1, "%dx%d", &w, &h) != 2 || w < 1 || h < 1)
            die ("--size wants WxH", NULL);
          image_make (&im, w, h);
        }
      else if (!image_load_ppm (&im, in, &error))
        die ("cannot read the image", error);
      mp = (gdouble) im.width * im.height / 1e6;
      cost_count (&cost, &shapes, im.width, im.height, params.denoise);
      all = (EvenlightRect) { 0, 0, im.width, im.height };
      fit[n_fit].mp = mp;
      for (i = 0; i < n_threads; i++)
        {
          gdouble rss0, peak, bnd;
          gboolean reset;
          gchar extra[32] = "n/a";

          t = threads_list[i];
#if defined(__GLIBC__)
          /* Memory freed by earlier cases goes back to the system, so that
           * the engine's working memory shows in +engine. */
          malloc_trim (0);
#endif
          reset = reset_peak_rss ();
          rss0 = proc_status_mb ("VmRSS:");
          for (r = -1; r < runs; r++)
            {
              gint64 t0 = g_get_monotonic_time ();
              gdouble c0 = cpu_ms ();
              EvenlightContext *ctx = evenlight_context_new (model, im.width, im.height,
                                                             image_read, &im, &error);
              gint64 t1 = g_get_monotonic_time ();

              if (r >= 0)
                ctx_ms[r] = (t1 - t0) / 1000.0;
              if (ctx == NULL
                  || !evenlight_enhance (ctx, &params, &all, t, image_read, &im,
                                         image_write, &im, NULL, NULL, &error))
                die ("enhance failed", error);
              evenlight_context_free (ctx);
              if (r >= 0)
                {
                  ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
                  cpu[r] = cpu_ms () - c0;
                }
            }
          peak = proc_status_mb ("VmHWM:");
          fit[n_fit].median[t] = median_sorted (ms, runs);
          fit[n_fit].cpu[t] = median_sorted (cpu, runs);
          bnd = bound_ms (&cost, &machine, t, (gdouble) im.width * im.height);
          if (reset && peak >= 0 && rss0 >= 0)
            g_snprintf (extra, sizeof extra, "%.0f", peak - rss0);
          printf ("%-7s %4dx%-5d %6.2f %3d %8.1f %8.1f %8.1f %7.1f %8.1f %7.0f %7s %8.1f %5.1f%% %8.1f %8.1f %4.1f%%\n",
                  "full", im.width, im.height, mp, t, fit[n_fit].median[t], ms[0], ms[runs - 1],
                  fit[n_fit].median[t] / mp, median_sorted (cpu, runs), peak,
                  extra, bnd,
                  100.0 * bnd / fit[n_fit].median[t],
                  median_sorted (cpu, runs) / bound_ms (&cost, &machine, 1, (gdouble) im.width * im.height),
                  median_sorted (ctx_ms, runs),
                  100.0 * median_sorted (ctx_ms, runs) / fit[n_fit].median[t]);
          fflush (stdout);
        }
      n_fit++;
      /* The preview runs on the image nearest to 1280 × 720 that holds a
       * 512 × 512 region. */
      dist = fabs (mp - 0.9216);
      if (im.width >= 512 && im.height >= 512 && dist < best_preview_dist)
        {
          best_preview_dist = dist;
          preview_case = s;
        }
      g_free (ms);
      g_free (cpu);
      g_free (ctx_ms);
      image_free (&im);
    }
  printf ("\n");
  for (i = 0; i < n_threads; i++)
    {
      print_fit (fit, n_fit, threads_list[i], FALSE);
      print_fit (fit, n_fit, threads_list[i], TRUE);
    }
  printf ("   (least squares, median ms = intercept + slope x MP; linear growth shows as a\n"
          "    small intercept and R^2 near 1. The CPU-time fit is the one to trust on a\n"
          "    loaded machine: other programs stretch the wall time, not the CPU time)\n\n");

  /* Preview: one slider change on a 512 × 512 region with the context
   * ready, as the dialog does it (evenlight_render_region_threads on two
   * threads: everything recomputed when Shadows moves, only Φ from its
   * cache when Denoise moves); also the one-thread region call. */
  if (preview_case < 0)
    printf ("preview: skipped, no image of 512x512 or larger\n");
  else
    {
      const gchar *in = g_ptr_array_index (inputs, preview_case);
      Image im = { 0 };
      EvenlightContext *ctx;
      EvenlightRect rect;
      gint pr = MAX (runs, 5), k;
      gdouble med;
      gdouble *ms = g_new (gdouble, pr), *cpu = g_new (gdouble, pr), ctx_ms[64], ctx_cpu[64];
      gfloat *out = g_new (gfloat, 512 * 512 * 3);

      if (in[0] == '=')
        {
          gint w = 0, h = 0;
          sscanf (in + 1, "%dx%d", &w, &h);
          image_make (&im, w, h);
        }
      else if (!image_load_ppm (&im, in, &error))
        die ("cannot read the image", error);
      rect = (EvenlightRect) { (im.width - 512) / 2, (im.height - 512) / 2, 512, 512 };
      for (k = 0; k < MIN (pr, 64); k++)
        {
          gint64 t0 = g_get_monotonic_time ();
          gdouble c0 = cpu_ms ();
          ctx = evenlight_context_new (model, im.width, im.height, image_read, &im, &error);
          if (ctx == NULL)
            die ("context failed", error);
          ctx_ms[k] = (g_get_monotonic_time () - t0) / 1000.0;
          ctx_cpu[k] = cpu_ms () - c0;
          evenlight_context_free (ctx);
        }
      ctx = evenlight_context_new (model, im.width, im.height, image_read, &im, &error);
      printf ("== preview on %s (%dx%d): one slider change (shadows alternates 0.80 / 0.70,\n"
              "   or denoise 0.75 / 0.70), 512x512 region at the centre, context ready; %d runs\n"
              "   after a warm-up\n",
              im.name, im.width, im.height, pr);
      printf ("%-34s %8s %8s %8s %8s\n", "what", "median", "min", "max", "CPU");
      for (t = 1; t <= 3; t++)
        {
          EvenlightRegionCache *cache = evenlight_region_cache_new ();

          for (r = -1; r < pr; r++)
            {
              EvenlightParams p = params;
              gint64 t0;
              gdouble c0;

              if (t == 3)
                p.denoise = (r & 1) ? 0.7f : 0.75f;
              else
                p.shadows = (r & 1) ? 0.7f : 0.8f;
              t0 = g_get_monotonic_time ();
              c0 = cpu_ms ();
              if (t == 1)
                {
                  if (!evenlight_render_region_threads (ctx, &p, &rect, 2, NULL, image_read, &im,
                                                        out, 512 * 3, &error))
                    die ("render failed", error);
                }
              else if (t == 2)
                {
                  if (!evenlight_render_region (ctx, &p, &rect, image_read, &im, out, 512 * 3, &error))
                    die ("render failed", error);
                }
              else if (!evenlight_render_region_threads (ctx, &p, &rect, 2, cache, image_read, &im,
                                                         out, 512 * 3, &error))
                die ("render failed", error);
              if (r >= 0)
                {
                  ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
                  cpu[r] = cpu_ms () - c0;
                }
            }
          med = median_sorted (ms, pr);
          printf ("%-34s %8.1f %8.1f %8.1f %8.1f\n",
                  t == 1 ? "preview Shadows move, 2 thr" : t == 2 ? "preview render_region, 1 thr"
                  : "preview Denoise move, 2 thr",
                  med, ms[0], ms[pr - 1], median_sorted (cpu, pr));
          evenlight_region_cache_free (cache);
        }
      med = median_sorted (ctx_ms, MIN (pr, 64));
      printf ("%-34s %8.1f %8.1f %8.1f %8.1f\n", "context alone (once per image)",
              med, ctx_ms[0], ctx_ms[MIN (pr, 64) - 1],
              median_sorted (ctx_cpu, MIN (pr, 64)));
      printf ("   (ms, wall; CPU = process CPU time; the dialog's preview is the first line,\n"
              "    evenlight_render_region_threads as ui/ calls it)\n");
      evenlight_context_free (ctx);
      g_free (out);
      g_free (ms);
      g_free (cpu);
      image_free (&im);
    }

  g_hash_table_unref (shapes.dims);
  g_ptr_array_free (inputs, TRUE);
  g_free (fit);
  evenlight_model_free (model);
  g_free (path);
  return 0;
}
