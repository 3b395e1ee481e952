/* LAIC (core/laic.c) against an exact LP solution, and on hostile input.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The linear program of laic.h is built a second time (laic-lp.c),
 * independently of laic.c (its own neighbourhood weights, its own cost
 * vector), and solved exactly by GLPK's simplex on 16 × 16 and 32 × 32
 * dark captures. Our first-order solver must reach the optimum within 1 %
 * and satisfy every constraint within 1e-4. Without GLPK those two cases
 * are skipped, the others still run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "evenlight.h"
#include "laic.h"

#include "check.h"
#include "laic-lp.h"

/* A dark 8-bit capture: smooth illumination falling off to black, a
 * brighter object, some texture and noise; values k/255 with k ≤ 40. */
static void
make_dark (gfloat *v, gint w, gint h, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gdouble fx = (x + 0.5) / w, fy = (y + 0.5) / h;
        gdouble val = 14.0 * (1.0 - fx) * (0.4 + fy);
        if ((fx - 0.7) * (fx - 0.7) + (fy - 0.3) * (fy - 0.3) < 0.04)
          val += 18.0;
        val += 3.0 * sin (9.0 * fx + 4.0 * fy) + g_rand_double_range (rand, -1.5, 1.5);
        v[y * w + x] = (gfloat) (CLAMP (floor (val + 0.5), 0.0, 40.0) / 255.0);
      }
  g_rand_free (rand);
}

/* Our solve of a gray image @v: returns the gains. */
static gfloat *
solve (const gfloat *v, gint w, gint h, const EvenlightLaicParams *params, gint threads)
{
  gfloat *rgb = g_new (gfloat, 3 * (gsize) w * h);
  gfloat *gain = g_new (gfloat, (gsize) w * h);
  GError *error = NULL;

  for (gint i = 0; i < w * h; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v[i];
  if (!evenlight_laic (params, rgb, w, h, threads, gain, &error))
    {
      CHECK (FALSE, "evenlight_laic failed: %s", error->message);
      g_clear_error (&error);
    }
  for (gint i = 0; i < w * h; i++)
    {
      gfloat lv = MAX (v[i], EVENLIGHT_LAIC_MIN_LEVEL);
      CHECK (fabsf (rgb[3 * i] - MIN (1.0f, v[i] * gain[i])) <= 1e-6f
             && lv * gain[i] <= 1.0f + 1e-5f,
             "pixel %d: output %g, level %g, gain %g", i, rgb[3 * i], v[i], gain[i]);
    }
  g_free (rgb);
  return gain;
}

#ifdef HAVE_GLPK
static void
test_exact (gint w, gint h, gdouble lambda, guint32 seed)
{
  EvenlightLaicParams params;
  gfloat *v = g_new (gfloat, w * h), *g;
  gdouble opt, ours, viol, lib_viol, lib_obj;
  Lp      lp;

  evenlight_laic_params_init_default (&params);
  params.contrast = (gfloat) lambda;
  params.iterations = 4000;
  make_dark (v, w, h, seed);
  {
    /* λ2 = contrast × flat gain (laic.h), computed here independently. */
    gdouble vmax = EVENLIGHT_LAIC_MIN_LEVEL;
    for (gint i = 0; i < w * h; i++)
      vmax = MAX (vmax, v[i]);
    lambda *= MIN (1.0 / vmax, params.max_gain);
  }
  lp_build (&lp, v, w, h, lambda, params.max_gain);
  g = solve (v, w, h, &params, 1);
  opt = lp_solve_exact (&lp, w, h);
  CHECK (!isnan (opt), "GLPK did not find the optimum");
  ours = lp_eval (&lp, v, g, w, h, &viol);
  {
    gfloat *lv = g_new (gfloat, w * h);
    for (gint i = 0; i < w * h; i++)
      lv[i] = MAX (v[i], EVENLIGHT_LAIC_MIN_LEVEL);
    lib_obj = evenlight_laic_objective (lv, g, w, h, params.contrast, params.max_gain, &lib_viol);
    g_free (lv);
  }
  printf ("%d×%d λ2=%.3g: optimum %.6f, ours %.6f (gap %.3f %%), violation %.2e; "
          "library objective %.6f\n", w, h, lambda, opt, ours,
          100.0 * (ours - opt) / fabs (opt), viol, lib_obj);
  CHECK (fabs (ours - opt) <= 0.01 * fabs (opt), "%d×%d: objective %g vs optimum %g",
         w, h, ours, opt);
  CHECK (viol <= 1e-4, "%d×%d: constraint violated by %g", w, h, viol);
  CHECK (fabs (lib_obj - ours) <= 1e-4 * (1.0 + fabs (ours)),
         "library objective %g disagrees with the test's %g", lib_obj, ours);
  lp_free (&lp);
  g_free (g);
  g_free (v);
}
#endif

/* Default parameters on random images of several sizes (coarse-to-fine
 * included): every constraint holds; the result does not depend on the
 * number of threads. */
static void
test_random (void)
{
  const gint sizes[][2] = { { 37, 23 }, { 64, 64 }, { 200, 131 } };
  EvenlightLaicParams params;

  evenlight_laic_params_init_default (&params);
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      gint    w = sizes[k][0], h = sizes[k][1];
      gfloat *v = g_new (gfloat, w * h), *g1, *g2;
      GRand  *rand = g_rand_new_with_seed (77 + k);
      gdouble viol;
      Lp      lp;

      for (gint i = 0; i < w * h; i++)
        v[i] = (k == 0) ? (gfloat) g_rand_double (rand)
                        : (gfloat) (g_rand_int_range (rand, 0, 12) / 255.0);
      if (k == 2)
        make_dark (v, w, h, 5);
      g1 = solve (v, w, h, &params, 1);
      g2 = solve (v, w, h, &params, 3);
      {
        gdouble vmax = EVENLIGHT_LAIC_MIN_LEVEL;
        for (gint i = 0; i < w * h; i++)
          vmax = MAX (vmax, v[i]);
        lp_build (&lp, v, w, h, params.contrast * MIN (1.0 / vmax, params.max_gain),
                  params.max_gain);
      }
      lp_eval (&lp, v, g1, w, h, &viol);
      printf ("random %d×%d: violation %.2e\n", w, h, viol);
      CHECK (viol <= 1e-4, "random %d×%d: constraint violated by %g", w, h, viol);
      CHECK (memcmp (g1, g2, sizeof (gfloat) * w * h) == 0,
             "random %d×%d: gains depend on the number of threads", w, h);
      lp_free (&lp);
      g_rand_free (rand);
      g_free (v);
      g_free (g1);
      g_free (g2);
    }
}

/* A real dark capture: tests/laic/sample-dark.pgm is the bright channel
 * of tests/data/sample.jpg (CC0) resized to 320 × 180 and darkened by the
 * recipe of weights/DEQUANT.md (a^γ2 = 1/30, γ2/γ1 = 1.2, noise σ = 0.5/255,
 * 8-bit; levels 0 … 11). The feasibility step must not turn the smooth
 * primal–dual gain into wide regions stepped down to about the flat gain,
 * which flattening violated rows by merging did here (4.0 % of the
 * neighbour pairs jumped by more than 20 %). */
static void
test_steps (void)
{
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  gchar  *path = g_build_filename (root ? root : ".", "tests", "laic", "sample-dark.pgm", NULL);
  gchar  *bytes = NULL;
  gsize   len = 0;
  gint    w = 0, h = 0, maxval = 0, off = 0;
  EvenlightLaicParams params;
  gfloat *v, *g;
  gint    big = 0, pairs = 0;
  gdouble viol;
  Lp      lp;

  if (!g_file_get_contents (path, &bytes, &len, NULL)
      || sscanf (bytes, "P5 %d %d %d%n", &w, &h, &maxval, &off) != 3
      || maxval != 255 || (gsize) off + 1 + (gsize) w * h > len)
    {
      CHECK (FALSE, "cannot read %s as a binary 8-bit PGM", path);
      g_free (bytes);
      g_free (path);
      return;
    }
  v = g_new (gfloat, w * h);
  for (gint i = 0; i < w * h; i++)
    v[i] = (guint8) bytes[off + 1 + i] / 255.0f;
  g_free (bytes);
  g_free (path);
  evenlight_laic_params_init_default (&params);
  g = solve (v, w, h, &params, 2);
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gfloat a = g[y * w + x];
        if (x + 1 < w)
          {
            gfloat b = g[y * w + x + 1];
            big += fabsf (a - b) > 0.2f * MAX (a, b);
            pairs++;
          }
        if (y + 1 < h)
          {
            gfloat b = g[(y + 1) * w + x];
            big += fabsf (a - b) > 0.2f * MAX (a, b);
            pairs++;
          }
      }
  {
    gdouble vmax = EVENLIGHT_LAIC_MIN_LEVEL;
    for (gint i = 0; i < w * h; i++)
      vmax = MAX (vmax, v[i]);
    lp_build (&lp, v, w, h, params.contrast * MIN (1.0 / vmax, params.max_gain),
              params.max_gain);
  }
  lp_eval (&lp, v, g, w, h, &viol);
  printf ("steps %d×%d: %d of %d neighbour pairs jump by > 20 %% (%.3f %%), "
          "violation %.2e\n", w, h, big, pairs, 100.0 * big / pairs, viol);
  CHECK (big <= pairs / 1000, "gain steps: %d of %d neighbour pairs jump by > 20 %%",
         big, pairs);
  CHECK (viol <= 1e-4, "steps: constraint violated by %g", viol);
  lp_free (&lp);
  g_free (v);
  g_free (g);
}

static void
test_hostile (void)
{
  const gint sizes[][2] = { { 1, 1 }, { 1, 7 }, { 5, 1 }, { 2, 2 }, { 40, 3 } };
  EvenlightLaicParams params;
  GError *error = NULL;
  gfloat  px[3] = { 0.1f, 0.2f, 0.3f };

  evenlight_laic_params_init_default (&params);
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    for (gint fill = 0; fill < 3; fill++)
      {
        gint    w = sizes[k][0], h = sizes[k][1];
        gfloat *rgb = g_new (gfloat, 3 * w * h), *gain = g_new (gfloat, w * h);

        for (gint i = 0; i < 3 * w * h; i++)
          rgb[i] = fill == 0 ? 0.0f : fill == 1 ? 1.0f
                 : (i % 4 == 0 ? NAN : i % 4 == 1 ? INFINITY : i % 4 == 2 ? -3.0f : 0.01f);
        CHECK (evenlight_laic (&params, rgb, w, h, 2, gain, &error),
               "%d×%d fill %d failed", w, h, fill);
        g_clear_error (&error);
        for (gint i = 0; i < 3 * w * h; i++)
          CHECK (rgb[i] >= 0.0f && rgb[i] <= 1.0f, "%d×%d fill %d: output %g",
                 w, h, fill, rgb[i]);
        for (gint i = 0; i < w * h; i++)
          CHECK (isfinite (gain[i]) && gain[i] >= 0.0f, "gain %g", gain[i]);
        if (fill == 0)
          CHECK (rgb[0] == 0.0f, "black stays black");
        if (fill == 1)
          CHECK (rgb[0] == 1.0f && gain[0] == 1.0f, "white stays white (gain %g)", gain[0]);
        g_free (rgb);
        g_free (gain);
      }
  /* Bad arguments are errors, not crashes. */
  CHECK (!evenlight_laic (&params, px, 0, 1, 1, NULL, &error) && error, "empty image");
  g_clear_error (&error);
  params.contrast = NAN;
  CHECK (!evenlight_laic (&params, px, 1, 1, 1, NULL, &error) && error, "NaN contrast");
  g_clear_error (&error);
  evenlight_laic_params_init_default (&params);
  params.iterations = 0;
  CHECK (!evenlight_laic (&params, px, 1, 1, 1, NULL, &error) && error, "0 iterations");
  g_clear_error (&error);
}


/* ---- the solver of the dark-photo dialog ------------------------------- */

typedef struct
{
  GPtrArray *levels;    /* EvenlightLaicCoarse *, in the order reported */
  gint      *cancel;    /* set after @cancel_after reports (if ≥ 0)     */
  gint       cancel_after;
} Reports;

static void
keep_level (const EvenlightLaicCoarse *coarse, gpointer data)
{
  Reports *r = data;

  g_ptr_array_add (r->levels, evenlight_laic_coarse_copy (coarse));
  if (r->cancel != NULL && (gint) r->levels->len == r->cancel_after)
    g_atomic_int_set (r->cancel, 1);
}

static gboolean
same_floats (const gfloat *a, const gfloat *b, gsize n)
{
  return memcmp (a, b, n * sizeof (gfloat)) == 0;
}

typedef struct
{
  EvenlightLaicSolver *solver;
  EvenlightLaicParams  params;
  Reports              reports;
  gboolean             ok;
} PreviewRun;

static gpointer
preview_run (gpointer data)
{
  PreviewRun *run = data;

  run->ok = evenlight_laic_solver_preview (run->solver, &run->params, 150 * 100,
                                           keep_level, &run->reports, NULL, NULL);
  return NULL;
}

/* The solver gives exactly evenlight_laic()'s result, again for another
 * contrast; its coarse answer is the whole solve's own levels; a solve
 * stops when cancelled; the coarse render stays inside the box. */
static void
test_solver (void)
{
  const gint          w = 300, h = 200;
  const gsize         n = (gsize) w * h;
  gfloat             *in = g_new (gfloat, 3 * n), *ref = g_new (gfloat, 3 * n);
  gfloat             *rgb = g_new (gfloat, 3 * n), *gref = g_new (gfloat, n);
  gfloat             *gain = g_new (gfloat, n), *plane = g_new (gfloat, n);
  EvenlightLaicParams params;
  EvenlightLaicSolver *solver;
  Reports             full = { g_ptr_array_new_with_free_func ((GDestroyNotify) evenlight_laic_coarse_free), NULL, -1 };
  PreviewRun          prev;
  GThread            *thread;
  GError             *error = NULL;
  gint                cancel = 0;

  /* Colour: each channel its own dark capture. */
  for (gint c = 0; c < 3; c++)
    {
      make_dark (plane, w, h, 10 + c);
      for (gsize i = 0; i < n; i++)
        in[3 * i + c] = plane[i];
    }
  evenlight_laic_params_init_default (&params);
  memcpy (ref, in, 3 * n * sizeof (gfloat));
  CHECK (evenlight_laic (&params, ref, w, h, 2, gref, &error), "evenlight_laic");

  solver = evenlight_laic_solver_new (in, w, h, 2, &error);
  CHECK (solver != NULL, "solver_new");
  /* A coarse answer on another thread while the whole solve runs. */
  prev.solver = solver;
  prev.params = params;
  prev.reports = (Reports) { g_ptr_array_new_with_free_func ((GDestroyNotify) evenlight_laic_coarse_free), NULL, -1 };
  thread = g_thread_new ("preview", preview_run, &prev);
  CHECK (evenlight_laic_solver_solve (solver, &params, in, rgb, gain, keep_level, &full,
                                      NULL, &error), "solver_solve");
  g_thread_join (thread);
  CHECK (same_floats (rgb, ref, 3 * n) && same_floats (gain, gref, n),
         "the solver's whole solve differs from evenlight_laic()");
  /* 300×200: levels 150×100, 75×50, 38×25 reported, coarsest first. */
  CHECK (full.levels->len == 3, "%u levels reported, want 3", full.levels->len);
  for (guint k = 0; k < full.levels->len; k++)
    {
      const EvenlightLaicCoarse *c = g_ptr_array_index (full.levels, k);
      CHECK (c->level == 3 - (gint) k && c->width == w && c->height == h
             && c->level_width == (w + (1 << c->level) - 1) >> c->level
             && c->contrast == params.contrast,
             "report %u: level %d, %d×%d", k, c->level, c->level_width, c->level_height);
    }
  /* The coarse answer (up to 150 × 100 pixels) is those same levels. */
  CHECK (prev.ok && prev.reports.levels->len == full.levels->len,
         "preview: %u levels", prev.reports.levels->len);
  for (guint k = 0; k < MIN (prev.reports.levels->len, full.levels->len); k++)
    {
      const EvenlightLaicCoarse *a = g_ptr_array_index (prev.reports.levels, k);
      const EvenlightLaicCoarse *b = g_ptr_array_index (full.levels, k);
      CHECK (a->level == b->level
             && same_floats (a->gain, b->gain, (gsize) a->level_width * a->level_height),
             "preview level %d differs from the whole solve's", a->level);
    }

  /* Coarse render: the interpolated gain stays inside the box and between
   * the gains of the level around it; the colour is the gain applied. */
  {
    const EvenlightLaicCoarse *c = g_ptr_array_index (full.levels, full.levels->len - 1);
    EvenlightRect all = { 0, 0, w, h };
    gfloat gmin = G_MAXFLOAT, gmax = 0.0f;

    for (gsize i = 0; i < (gsize) c->level_width * c->level_height; i++)
      {
        gmin = MIN (gmin, c->gain[i]);
        gmax = MAX (gmax, c->gain[i]);
      }
    evenlight_laic_coarse_render (c, in, &all, rgb, gain);
    for (gsize i = 0; i < n; i++)
      {
        gfloat v = MAX (MAX (in[3 * i], in[3 * i + 1]), MAX (in[3 * i + 2], EVENLIGHT_LAIC_MIN_LEVEL));
        CHECK (gain[i] <= MIN (1.0f / v, params.max_gain) * (1.0f + 1e-6f)
               && gain[i] <= gmax * (1.0f + 1e-6f)
               && (gain[i] >= gmin * (1.0f - 1e-6f) || gain[i] >= MIN (1.0f / v, params.max_gain) * (1.0f - 1e-6f)),
               "render: pixel %zu gain %g (level %g … %g, box %g)", i, gain[i], gmin, gmax, 1.0f / v);
        CHECK (rgb[3 * i + 1] == MIN (1.0f, in[3 * i + 1] * gain[i]), "render: pixel %zu colour", i);
      }
    /* Not a copy of the nearest block: a smooth ramp across blocks. */
    CHECK (gain[(gsize) 100 * w + 101] != gain[(gsize) 100 * w + 102]
           || gain[(gsize) 100 * w + 101] == MIN (1.0f / MAX (in[3 * (100 * w + 101)], EVENLIGHT_LAIC_MIN_LEVEL), params.max_gain),
           "render: neighbouring pixels of one block share a gain");
  }

  /* Another contrast on the same solver: exactly a fresh solve. */
  params.contrast = 2.0f;
  memcpy (ref, in, 3 * n * sizeof (gfloat));
  CHECK (evenlight_laic (&params, ref, w, h, 1, gref, &error), "evenlight_laic at 2");
  /* (in place this time) */
  memcpy (rgb, in, 3 * n * sizeof (gfloat));
  CHECK (evenlight_laic_solver_solve (solver, &params, rgb, rgb, gain, NULL, NULL, NULL, &error),
         "solver_solve at 2");
  CHECK (same_floats (rgb, ref, 3 * n) && same_floats (gain, gref, n),
         "the solver's solve at contrast 2 differs from evenlight_laic()");

  /* Cancelled after the first level reported: no further level, an error
   * saying so. */
  g_ptr_array_set_size (full.levels, 0);
  full.cancel = &cancel;
  full.cancel_after = 1;
  CHECK (!evenlight_laic_solver_solve (solver, &params, in, rgb, gain, keep_level, &full,
                                       &cancel, &error)
         && g_error_matches (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED),
         "a cancelled solve did not stop with EVENLIGHT_ERROR_CANCELLED");
  CHECK (full.levels->len == 1, "%u levels reported after the cancel", full.levels->len);
  g_clear_error (&error);
  CHECK (!evenlight_laic_solver_preview (solver, &params, 1 << 20, NULL, NULL, &cancel, &error)
         && g_error_matches (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED),
         "a cancelled preview did not stop");
  g_clear_error (&error);
  /* Bad arguments. */
  params.contrast = -1.0f;
  CHECK (!evenlight_laic_solver_preview (solver, &params, 1000, NULL, NULL, NULL, &error)
         && error != NULL, "negative contrast accepted");
  g_clear_error (&error);
  CHECK (evenlight_laic_solver_new (in, 0, h, 1, &error) == NULL && error != NULL,
         "empty image accepted");
  g_clear_error (&error);

  evenlight_laic_solver_free (solver);
  g_ptr_array_unref (full.levels);
  g_ptr_array_unref (prev.reports.levels);
  g_free (in);
  g_free (ref);
  g_free (rgb);
  g_free (gref);
  g_free (gain);
  g_free (plane);
}

int
main (int argc, char **argv)
{
  gboolean exact = argc > 1 && strcmp (argv[1], "exact") == 0;

  if (exact)
    {
#ifdef HAVE_GLPK
      test_exact (16, 16, 0.6, 1);
      test_exact (32, 32, 0.6, 2);
      test_exact (32, 32, 1.5, 3);
#else
      printf ("GLPK not available: skipped\n");
      return 77;
#endif
    }
  else
    {
      test_random ();
      test_steps ();
      test_hostile ();
      test_solver ();
    }
  return check_report ();
}
