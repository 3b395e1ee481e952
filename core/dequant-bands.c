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
#include "dequant-private.h"

#include "image.h"   /* EVENLIGHT_CLONES */

#define UNIT      10                                  /* an axial step */
#define DIAG      14                                  /* a diagonal step */
#define SEED      (UNIT / 2)                          /* half a pixel */
#define CAP       (UNIT * EVENLIGHT_DEQUANT_BAND_CAP)
#define N_ROUNDS  2                                   /* forward + backward */

/* Seeds of one row (@up and @down: the rows above and below, the row
 * itself at the image's edge): SEED where a 4-neighbour has level k + 1
 * (@du) or k − 1 (@dd), else CAP. The inner columns, with both
 * neighbours, vectorise. */
static inline void
seed_one (const gint32 *row, const gint32 *up, const gint32 *down, gint x,
          gint width, guint16 *du, guint16 *dd)
{
  gint32   k = row[x];
  gint32   l = x > 0 ? row[x - 1] : k, r = x + 1 < width ? row[x + 1] : k;
  gboolean su = l == k + 1 || r == k + 1 || up[x] == k + 1 || down[x] == k + 1;
  gboolean sd = l == k - 1 || r == k - 1 || up[x] == k - 1 || down[x] == k - 1;

  du[x] = su ? SEED : CAP;
  dd[x] = sd ? SEED : CAP;
}

static EVENLIGHT_CLONES void
seed_row (const gint32 *row, const gint32 *up, const gint32 *down, gint width,
          guint16 *du, guint16 *dd)
{
  seed_one (row, up, down, 0, width, du, dd);
  for (gint x = 1; x < width - 1; x++)
    {
      gint32 k = row[x], ku = k + 1, kd = k - 1;
      gint32 l = row[x - 1], r = row[x + 1], a = up[x], b = down[x];
      gint   su = (l == ku) | (r == ku) | (a == ku) | (b == ku);
      gint   sd = (l == kd) | (r == kd) | (a == kd) | (b == kd);

      du[x] = su ? SEED : CAP;
      dd[x] = sd ? SEED : CAP;
    }
  if (width > 1)
    seed_one (row, up, down, width - 1, width, du, dd);
}

static void
seed (const gint32 *level, gint width, gint height, guint16 *du, guint16 *dd)
{
  for (gint y = 0; y < height; y++)
    {
      const gint32 *row = level + (gsize) y * width;

      seed_row (row, y > 0 ? row - width : row, y + 1 < height ? row + width : row,
                width, du + (gsize) y * width, dd + (gsize) y * width);
    }
}

/* Both distances of pixel @x of one row from the neighbouring row @nb
 * (already final in this pass): straight across (+UNIT) and diagonally
 * (+DIAG), only between equal levels. */
static inline void
relax_one (const gint32 *lv, const gint32 *nlv, guint16 *du, guint16 *dd,
           const guint16 *ndu, const guint16 *ndd, gint x, gint width)
{
  gint u = du[x], b = dd[x];
  if (lv[x] == nlv[x])
    {
      u = MIN (u, ndu[x] + UNIT);
      b = MIN (b, ndd[x] + UNIT);
    }
  if (x > 0 && lv[x] == nlv[x - 1])
    {
      u = MIN (u, ndu[x - 1] + DIAG);
      b = MIN (b, ndd[x - 1] + DIAG);
    }
  if (x + 1 < width && lv[x] == nlv[x + 1])
    {
      u = MIN (u, ndu[x + 1] + DIAG);
      b = MIN (b, ndd[x + 1] + DIAG);
    }
  du[x] = (guint16) u;
  dd[x] = (guint16) b;
}

/* The same for a whole row: no dependence between columns, so the inner
 * columns (both diagonal neighbours present) vectorise. */
static EVENLIGHT_CLONES void
relax_rows (const gint32 *lv, const gint32 *nlv, guint16 *du, guint16 *dd,
            const guint16 *ndu, const guint16 *ndd, gint width)
{
  relax_one (lv, nlv, du, dd, ndu, ndd, 0, width);
  for (gint x = 1; x < width - 1; x++)
    {
      gint  l = lv[x];
      guint u = du[x], b = dd[x];
      guint su = ndu[x] + UNIT, sb = ndd[x] + UNIT;
      guint lu = ndu[x - 1] + DIAG, lb = ndd[x - 1] + DIAG;
      guint ru = ndu[x + 1] + DIAG, rb = ndd[x + 1] + DIAG;
      u = l == nlv[x] && su < u ? su : u;
      b = l == nlv[x] && sb < b ? sb : b;
      u = l == nlv[x - 1] && lu < u ? lu : u;
      b = l == nlv[x - 1] && lb < b ? lb : b;
      u = l == nlv[x + 1] && ru < u ? ru : u;
      b = l == nlv[x + 1] && rb < b ? rb : b;
      du[x] = (guint16) u;
      dd[x] = (guint16) b;
    }
  if (width > 1)
    relax_one (lv, nlv, du, dd, ndu, ndd, width - 1, width);
}

/* Along the row, from the left (@dir 1) or from the right (−1): serial,
 * the previous pixel's values kept in registers. */
static void
relax_along (const gint32 *lv, guint16 *du, guint16 *dd, gint width, gint dir)
{
  gint   x = dir > 0 ? 0 : width - 1, end = dir > 0 ? width : -1;
  gint32 pl = lv[x];
  guint  pu = du[x], pb = dd[x];

  for (x += dir; x != end; x += dir)
    {
      /* Without a branch: in a noisy capture the level changes every few
       * pixels, too often for a branch to be predicted. */
      gint32 l = lv[x];
      guint  u = du[x], b = dd[x];
      guint  same = -(guint) (l == pl);
      guint  su = MIN (u, pu + UNIT), sb = MIN (b, pb + UNIT);

      u = (su & same) | (u & ~same);
      b = (sb & same) | (b & ~same);
      du[x] = (guint16) u;
      dd[x] = (guint16) b;
      pl = l;
      pu = u;
      pb = b;
    }
}

/* Geodesic chamfer distances inside equal-level regions (file comment):
 * N_ROUNDS forward and backward raster passes. Within a pass a pixel takes
 * the minimum over its four causal neighbours; taking the row above first
 * and then the left neighbour gives the same minimum as pixel by pixel. */
static void
propagate (const gint32 *level, gint width, gint height, guint16 *du, guint16 *dd)
{
  for (gint round = 0; round < N_ROUNDS; round++)
    {
      for (gint y = 0; y < height; y++)
        {
          gsize o = (gsize) y * width;
          if (y > 0)
            relax_rows (level + o, level + o - width, du + o, dd + o,
                        du + o - width, dd + o - width, width);
          relax_along (level + o, du + o, dd + o, width, 1);
        }
      for (gint y = height - 1; y >= 0; y--)
        {
          gsize o = (gsize) y * width;
          if (y + 1 < height)
            relax_rows (level + o, level + o + width, du + o, dd + o,
                        du + o + width, dd + o + width, width);
          relax_along (level + o, du + o, dd + o, width, -1);
        }
    }
}

void
evenlight_dequant_band_distances (const gint32 *level,
                                  gint          width,
                                  gint          height,
                                  guint16      *du,
                                  guint16      *dd)
{
  seed (level, width, height, du, dd);
  propagate (level, width, height, du, dd);
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
  evenlight_dequant_band_distances (level, width, height, du, dd);
  for (gsize i = 0; i < n; i++)
    offset[i] = evenlight_dequant_band_offset (du[i], dd[i]);
  g_free (du);
  g_free (dd);
}
