/* laic-run: LAIC (+ dequantization) on a raw float image, for the
 * evaluation in weights/DEQUANT.md and for timing. Not installed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: laic-run IN OUT [--contrast λ2] [--iterations N] [--max-gain G]
 *                 [--threads N] [--dequant WEIGHTS] [--gain FILE]
 *                 [--no-laic GAIN] [--gain-from FILE] [--objective 1]
 *                 [--preview PIXELS [--preview-contrast λ2]]
 * IN and OUT: u32 width, u32 height, then width × height packed float32
 * R'G'B' triplets (little-endian). --no-laic applies a constant gain
 * instead of LAIC (linear stretch), --gain-from the gains of FILE (as
 * written by --gain of an earlier run, so that LAIC need not run again),
 * --gain writes the gains (u32 w, u32 h, floats); --objective 1 prints
 * the LP objective of the gains and their largest constraint violation
 * (evenlight_laic_objective). --preview solves only the coarse levels,
 * up to the finest with at most PIXELS pixels (evenlight_laic_solver_preview,
 * as the dark-photo dialog does first) and writes that level's gain
 * rendered on the whole image (evenlight_laic_coarse_render), timing the
 * solver's set-up and each level; --preview-contrast then times the same
 * for another contrast on the same solver (a move of the dialog's slider)
 * and writes that one. Timings go to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "dequant.h"
#include "laic.h"

typedef struct
{
  gint64               t0;
  EvenlightLaicCoarse *last;
} Levels;

static void
level_seen (const EvenlightLaicCoarse *coarse, gpointer data)
{
  Levels *lv = data;

  fprintf (stderr, "preview: contrast %g, level %d (%d×%d) at %.3f s\n",
           (double) coarse->contrast, coarse->level, coarse->level_width,
           coarse->level_height, (g_get_monotonic_time () - lv->t0) / 1e6);
  evenlight_laic_coarse_free (lv->last);
  lv->last = evenlight_laic_coarse_copy (coarse);
}

/* --preview: the coarse levels only, then the last one rendered. */
static gboolean
run_preview (const EvenlightLaicParams *params, gfloat *rgb, gint w, gint h,
             gint threads, gsize pixels, gdouble contrast2, gfloat *gain,
             GError **error)
{
  EvenlightLaicSolver *solver;
  EvenlightLaicParams  p = *params;
  EvenlightRect        all = { 0, 0, w, h };
  Levels               lv = { g_get_monotonic_time (), NULL };
  gfloat              *in = g_memdup2 (rgb, sizeof (gfloat) * 3 * (gsize) w * h);
  gint64               t;

  lv.t0 = g_get_monotonic_time ();
  solver = evenlight_laic_solver_new (in, w, h, threads, error);
  if (solver == NULL)
    return FALSE;
  fprintf (stderr, "preview: solver made in %.3f s\n",
           (g_get_monotonic_time () - lv.t0) / 1e6);
  for (gint round = 0; round < (contrast2 >= 0.0 ? 2 : 1); round++)
    {
      if (round == 1)
        {
          p.contrast = (gfloat) contrast2;
          lv.t0 = g_get_monotonic_time ();
        }
      if (!evenlight_laic_solver_preview (solver, &p, pixels, level_seen, &lv, NULL, error))
        return FALSE;
      t = g_get_monotonic_time ();
      evenlight_laic_coarse_render (lv.last, in, &all, rgb, gain);
      fprintf (stderr, "preview: contrast %g, level %d rendered on the whole image in %.3f s\n",
               (double) p.contrast, lv.last->level, (g_get_monotonic_time () - t) / 1e6);
    }
  evenlight_laic_coarse_free (lv.last);
  evenlight_laic_solver_free (solver);
  g_free (in);
  return TRUE;
}

static gfloat *
read_raw (const gchar *path, gint *w, gint *h, gint ch)
{
  gchar  *data;
  gsize   len;
  guint32 hdr[2];
  gfloat *px;

  if (!g_file_get_contents (path, &data, &len, NULL) || len < 8)
    return NULL;
  memcpy (hdr, data, 8);
  if (hdr[0] == 0 || hdr[1] == 0 || len != 8 + (gsize) hdr[0] * hdr[1] * 4 * ch)
    {
      g_free (data);
      return NULL;
    }
  *w = (gint) hdr[0];
  *h = (gint) hdr[1];
  px = g_memdup2 (data + 8, len - 8);
  g_free (data);
  return px;
}

static gboolean
write_raw (const gchar *path, const gfloat *px, gint w, gint h, gint ch)
{
  FILE   *f = fopen (path, "wb");
  guint32 hdr[2] = { (guint32) w, (guint32) h };
  gboolean ok;

  if (!f)
    return FALSE;
  ok = fwrite (hdr, 4, 2, f) == 2
       && fwrite (px, sizeof (gfloat) * ch, (gsize) w * h, f) == (gsize) w * h;
  return fclose (f) == 0 && ok;
}

int
main (int argc, char **argv)
{
  EvenlightLaicParams params;
  const gchar *dq_path = NULL, *gain_path = NULL, *gain_from = NULL;
  gint         threads = 0, w, h, objective = 0;
  gdouble      flat = 0.0, contrast2 = -1.0;
  gsize        preview = 0;
  gfloat      *rgb, *gain, *level = NULL;
  GError      *error = NULL;
  gint64       t0, t1, t2;

  evenlight_laic_params_init_default (&params);
  if (argc < 3)
    {
      fprintf (stderr, "usage: %s IN OUT [options]\n", argv[0]);
      return 2;
    }
  for (gint i = 3; i + 1 < argc; i += 2)
    {
      if (!strcmp (argv[i], "--contrast")) params.contrast = (gfloat) g_ascii_strtod (argv[i + 1], NULL);
      else if (!strcmp (argv[i], "--iterations")) params.iterations = atoi (argv[i + 1]);
      else if (!strcmp (argv[i], "--max-gain")) params.max_gain = (gfloat) g_ascii_strtod (argv[i + 1], NULL);
      else if (!strcmp (argv[i], "--threads")) threads = atoi (argv[i + 1]);
      else if (!strcmp (argv[i], "--dequant")) dq_path = argv[i + 1];
      else if (!strcmp (argv[i], "--gain")) gain_path = argv[i + 1];
      else if (!strcmp (argv[i], "--no-laic")) flat = g_ascii_strtod (argv[i + 1], NULL);
      else if (!strcmp (argv[i], "--gain-from")) gain_from = argv[i + 1];
      else if (!strcmp (argv[i], "--objective")) objective = atoi (argv[i + 1]);
      else if (!strcmp (argv[i], "--preview")) preview = (gsize) g_ascii_strtoull (argv[i + 1], NULL, 10);
      else if (!strcmp (argv[i], "--preview-contrast")) contrast2 = g_ascii_strtod (argv[i + 1], NULL);
      else
        {
          fprintf (stderr, "unknown option %s\n", argv[i]);
          return 2;
        }
    }
  rgb = read_raw (argv[1], &w, &h, 3);
  if (!rgb)
    {
      fprintf (stderr, "%s: not a raw float image\n", argv[1]);
      return 1;
    }
  gain = g_new (gfloat, (gsize) w * h);
  if (objective)
    {
      level = g_new (gfloat, (gsize) w * h);
      for (gsize i = 0; i < (gsize) w * h; i++)
        {
          const gfloat *p = rgb + 3 * i;
          level[i] = CLAMP (MAX (MAX (p[0], p[1]), p[2]), EVENLIGHT_LAIC_MIN_LEVEL, 1.0f);
        }
    }
  t0 = g_get_monotonic_time ();
  if (gain_from)
    {
      gint    gw = 0, gh = 0;
      gfloat *given = read_raw (gain_from, &gw, &gh, 1);

      if (!given || gw != w || gh != h)
        {
          fprintf (stderr, "%s: not a %d × %d gain file\n", gain_from, w, h);
          return 1;
        }
      for (gsize i = 0; i < (gsize) w * h; i++)
        {
          gain[i] = given[i];
          for (gint c = 0; c < 3; c++)
            rgb[3 * i + c] = MIN (1.0f, MAX (0.0f, rgb[3 * i + c]) * given[i]);
        }
      g_free (given);
    }
  else if (flat > 0.0)
    for (gsize i = 0; i < (gsize) w * h; i++)
      {
        gain[i] = (gfloat) flat;
        for (gint c = 0; c < 3; c++)
          rgb[3 * i + c] = MIN (1.0f, rgb[3 * i + c] * (gfloat) flat);
      }
  else if (preview > 0)
    {
      if (!run_preview (&params, rgb, w, h, threads, preview, contrast2, gain, &error))
        {
          fprintf (stderr, "laic: %s\n", error->message);
          return 1;
        }
    }
  else if (!evenlight_laic (&params, rgb, w, h, threads, gain, &error))
    {
      fprintf (stderr, "laic: %s\n", error->message);
      return 1;
    }
  t1 = g_get_monotonic_time ();
  if (dq_path)
    {
      EvenlightDequant *dq = evenlight_dequant_load (dq_path, &error);
      if (!dq || !evenlight_dequant_apply (dq, rgb, w, h, gain, EVENLIGHT_DEQUANT_STEP_8BIT,
                                           threads, &error))
        {
          fprintf (stderr, "dequant: %s\n", error->message);
          return 1;
        }
      evenlight_dequant_free (dq);
    }
  t2 = g_get_monotonic_time ();
  fprintf (stderr, "%d×%d: laic %.3f s, dequant %.3f s\n", w, h,
           (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  if (level)
    {
      gdouble viol, obj = evenlight_laic_objective (level, gain, w, h, params.contrast,
                                                    params.max_gain, &viol);
      fprintf (stderr, "objective %.6f, largest violation %.3g\n", obj, viol);
      g_free (level);
    }
  if (!write_raw (argv[2], rgb, w, h, 3) || (gain_path && !write_raw (gain_path, gain, w, h, 1)))
    {
      fprintf (stderr, "cannot write output\n");
      return 1;
    }
  g_free (rgb);
  g_free (gain);
  return 0;
}
