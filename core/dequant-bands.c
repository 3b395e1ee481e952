/* Where in its band a quantised pixel lies (weights/DEQUANT.md §1a).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A brightened 8-bit capture shows each level of a smooth gradient as a
 * flat band, tens of pixels wide. Inside a band the value the capture stood
 * for rises from the bottom of the quantisation interval (at the contour
 * with the level below) to its top (at the contour with the level above).
 * For every pixel this finds the distance, inside its own band, to the
 * nearest contour with the level one above (du) and one below (dd), and
 * places the pixel in its interval in proportion:
 *
 *   offset = ½ · (min(dd, C) − min(du, C)) / (min(dd, C) + min(du, C))
 *
 * in levels, in [−½, ½]. On a linear ramp whose bands are narrower than 2C
 * that is the ramp itself; a band with only one kind of contour (a local
 * maximum or minimum) rises or falls over C pixels from it and stays at the
 * level beyond; a pixel with no contour within C keeps its level. Steps of
 * two or more levels are edges of the picture, not contours, and seed
 * nothing; so do pixels marked EVENLIGHT_DEQUANT_BAND_SKIP (−2: no level
 * is one away from it, levels being ≥ 0), which stay where they are.
 * Contours lie halfway between pixels.
 *
 * Distances are geodesic (paths stay inside the band: a band does not see
 * a contour across another band), in integer chamfer units (10 per axial,
 * 14 per diagonal step), computed by forward and backward raster passes.
 * Paths of cost below the cap reach at most EVENLIGHT_DEQUANT_BAND_CAP − 1
 * pixels, so a window that holds EVENLIGHT_DEQUANT_BAND_MARGIN pixels
 * around a pixel gives it exactly the value of the whole image.
 */
#include "dequant.h"

#include <string.h>

#define UNIT      10                                  /* an axial step */
#define DIAG      14                                  /* a diagonal step */
#define SEED      (UNIT / 2)                          /* half a pixel */
#define CAP       (UNIT * EVENLIGHT_DEQUANT_BAND_CAP)
#define N_ROUNDS  2                                   /* forward + backward */

/* Seeds: SEED where a 4-neighbour has level k + @dir, else CAP. */
static void
seed (const gint32 *level, gint width, gint height, gint dir, guint16 *d)
{
  for (gint y = 0; y < height; y++)
    {
      const gint32 *row = level + (gsize) y * width;
      guint16      *drow = d + (gsize) y * width;
      for (gint x = 0; x < width; x++)
        {
          gint32   want = row[x] + dir;
          gboolean s = (x > 0 && row[x - 1] == want)
                       || (x + 1 < width && row[x + 1] == want)
                       || (y > 0 && row[x - width] == want)
                       || (y + 1 < height && row[x + width] == want);
          drow[x] = s ? SEED : CAP;
        }
    }
}

static inline void
relax (guint16 *d, const gint32 *level, gsize i, gsize j, gint w)
{
  if (level[j] == level[i] && d[j] + w < d[i])
    d[i] = (guint16) (d[j] + w);
}

/* Geodesic chamfer distance inside equal-level regions (file comment). */
static void
propagate (const gint32 *level, gint width, gint height, guint16 *d)
{
  for (gint round = 0; round < N_ROUNDS; round++)
    {
      for (gint y = 0; y < height; y++)
        for (gint x = 0; x < width; x++)
          {
            gsize i = (gsize) y * width + x;
            if (x > 0)
              relax (d, level, i, i - 1, UNIT);
            if (y > 0)
              {
                relax (d, level, i, i - width, UNIT);
                if (x > 0)
                  relax (d, level, i, i - width - 1, DIAG);
                if (x + 1 < width)
                  relax (d, level, i, i - width + 1, DIAG);
              }
          }
      for (gint y = height - 1; y >= 0; y--)
        for (gint x = width - 1; x >= 0; x--)
          {
            gsize i = (gsize) y * width + x;
            if (x + 1 < width)
              relax (d, level, i, i + 1, UNIT);
            if (y + 1 < height)
              {
                relax (d, level, i, i + width, UNIT);
                if (x + 1 < width)
                  relax (d, level, i, i + width + 1, DIAG);
                if (x > 0)
                  relax (d, level, i, i + width - 1, DIAG);
              }
          }
    }
}

void
evenlight_dequant_bands (const gint32 *level,
                         gint          width,
                         gint          height,
                         gfloat       *offset)
{
  gsize    n;
  guint16 *du, *dd;

  g_return_if_fail (level != NULL && offset != NULL);
  if (width <= 0 || height <= 0)
    return;
  n = (gsize) width * height;
  du = g_new (guint16, n);
  dd = g_new (guint16, n);
  seed (level, width, height, +1, du);
  seed (level, width, height, -1, dd);
  propagate (level, width, height, du);
  propagate (level, width, height, dd);
  for (gsize i = 0; i < n; i++)
    {
      gint u = MIN (du[i], CAP), b = MIN (dd[i], CAP);
      offset[i] = 0.5f * (gfloat) (b - u) / (gfloat) (b + u);
    }
  g_free (du);
  g_free (dd);
}
