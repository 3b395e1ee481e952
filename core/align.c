/* Global translation between two exposures of one scene, on median
 * threshold bitmaps (G. Ward, "Fast, robust image registration for
 * compositing high dynamic range photographs from hand-held exposures",
 * 2003) extended to five quantiles, to a fraction of a pixel.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each image is split at its own median, and at its own 10, 30, 70 and 90 %
 * quantiles: the bitmaps of two exposures agree wherever the scene does,
 * whatever the exposure, as long as the exposure change keeps the order of
 * brightnesses (clipped parts fall into the excluded band). The median
 * alone sees only the edges that cross it, too few in a smoothly lit
 * scene; five thresholds see five times as many. Pixels within EXCLUDE of
 * a threshold are left out of its bitmap (noise flips them). The cost of
 * a shift is the share of disagreeing bits among those both images keep
 * in the overlap. A pyramid of halvings finds the whole-pixel
 * minimum by descending from the coarsest level; the fraction comes from
 * an equiangular (V-shaped) fit through the costs of the neighbours,
 * which is the shape a bitmap's cost has near its minimum.
 */
#include "fuse.h"

#include <math.h>
#include <string.h>

#define EXCLUDE        (4.0f / 255.0f)  /* Ward's ±4 of 8 bits            */
#define N_THRESHOLDS   5                /* at 10, 30, 50, 70, 90 %         */
#define MIN_LEVEL_SIDE 24               /* coarsest level's shorter side  */
#define MAX_LEVELS     7                /* shifts up to ±127 px (+ search) */
#define COARSE_SEARCH  2                /* ± at the coarsest level         */
#define MIN_USABLE     0.02             /* share of pixels both keep       */
#define RING           4                /* distance of the contrast check  */
#define MAX_RATIO      0.8              /* best cost / ring cost at most   */

typedef struct
{
  gint     width, height;
  /* bit t: above threshold t; bit 8 + t: kept (not within EXCLUDE of it) */
  guint16 *bits;
} Bitmap;

/* The values below which a share @q[t] of @g lies, for each t. */
static void
quantiles (const gfloat *g, gsize n, const gdouble *q, gint nq, gfloat *out)
{
  enum { BINS = 4096 };
  guint64 *hist = g_new0 (guint64, BINS);
  guint64 seen = 0;
  gsize i;
  gint b, t = 0;

  for (i = 0; i < n; i++)
    hist[evenlight_clampi ((gint) (g[i] * (BINS - 1) + 0.5f), 0, BINS - 1)]++;
  for (b = 0; b < BINS && t < nq; b++)
    {
      seen += hist[b];
      while (t < nq && (gdouble) seen >= q[t] * (gdouble) n)
        out[t++] = (gfloat) b / (BINS - 1);
    }
  while (t < nq)
    out[t++] = 1.0f;
  g_free (hist);
}

static void
bitmap_make (const gfloat *g, gint width, gint height, Bitmap *bm)
{
  static const gdouble q[N_THRESHOLDS] = { 0.1, 0.3, 0.5, 0.7, 0.9 };
  gfloat th[N_THRESHOLDS];
  gsize n = (gsize) width * height, i;
  gint t;

  quantiles (g, n, q, N_THRESHOLDS, th);
  bm->width = width;
  bm->height = height;
  bm->bits = g_new (guint16, n);
  for (i = 0; i < n; i++)
    {
      guint v = 0;

      for (t = 0; t < N_THRESHOLDS; t++)
        v |= (g[i] > th[t] ? 1u << t : 0u) | (fabsf (g[i] - th[t]) > EXCLUDE ? 1u << (8 + t) : 0u);
      bm->bits[i] = (guint16) v;
    }
}

/* Halves @g (2 × 2 means; an odd last row or column is dropped). */
static gfloat *
halve (const gfloat *g, gint width, gint height, gint *w2, gint *h2)
{
  gint x, y;
  gfloat *h;

  *w2 = width / 2;
  *h2 = height / 2;
  h = g_new (gfloat, (gsize) *w2 * *h2);
  for (y = 0; y < *h2; y++)
    for (x = 0; x < *w2; x++)
      {
        const gfloat *a = g + (gsize) 2 * y * width + 2 * x;
        h[(gsize) y * *w2 + x] = 0.25f * (a[0] + a[1] + a[width] + a[width + 1]);
      }
  return h;
}

/* Share of disagreeing pixels among those both keep, over the overlap of
 * @ref and @mov moved by (@sx, @sy); 1 when too few are kept. */
static gdouble
cost (const Bitmap *ref, const Bitmap *mov, gint sx, gint sy, gdouble *usable)
{
  gint w = ref->width, h = ref->height;
  gint x0 = MAX (0, -sx), x1 = MIN (w, w - sx);
  gint y0 = MAX (0, -sy), y1 = MIN (h, h - sy);
  guint64 differ = 0, kept = 0;
  gint x, y;

  for (y = y0; y < y1; y++)
    {
      const guint16 *a = ref->bits + (gsize) y * w;
      const guint16 *b = mov->bits + (gsize) (y + sy) * w + sx;

      for (x = x0; x < x1; x++)
        {
          guint both = (guint) (a[x] & b[x]) >> 8;
          kept += (guint) __builtin_popcount (both);
          differ += (guint) __builtin_popcount (both & (a[x] ^ b[x]));
        }
    }
  if (usable != NULL)
    *usable = (gdouble) kept / ((gdouble) w * h * N_THRESHOLDS);
  if (kept < 64 || (gdouble) kept < MIN_USABLE * (gdouble) w * h * N_THRESHOLDS)
    return 1.0;
  return (gdouble) differ / (gdouble) kept;
}

/* Moves (@sx, @sy) to the neighbour of least cost until it is the
 * minimum of its 3 × 3 neighbourhood (at most @steps moves); @c receives
 * the costs around it, c[(j + 1) * 3 + i + 1] for offset (i, j). */
static void
descend (const Bitmap *ref, const Bitmap *mov, gint *sx, gint *sy, gint steps, gdouble c[9])
{
  gint i, j, best;

  for (;;)
    {
      for (j = -1; j <= 1; j++)
        for (i = -1; i <= 1; i++)
          c[(j + 1) * 3 + i + 1] = cost (ref, mov, *sx + i, *sy + j, NULL);
      best = 4;
      for (i = 0; i < 9; i++)
        if (c[i] < c[best])
          best = i;
      if (best == 4 || steps-- <= 0)
        return;
      *sx += best % 3 - 1;
      *sy += best / 3 - 1;
    }
}

/* The minimum's offset in (−½, ½) from the costs at −1, 0, +1, assuming
 * cost = a·|s − d| + b near it. */
static gdouble
equiangular (gdouble cm, gdouble c0, gdouble cp)
{
  gdouble slope = MAX (cm, cp) - c0;

  if (slope <= 0.0)
    return 0.0;
  return CLAMP (0.5 * (cm - cp) / slope, -0.5, 0.5);
}

gboolean
evenlight_align_estimate (const gfloat *ref,
                          const gfloat *moving,
                          gint          width,
                          gint          height,
                          gdouble      *dx,
                          gdouble      *dy,
                          gchar       **why)
{
  Bitmap br[MAX_LEVELS], bm[MAX_LEVELS];
  const gfloat *gr = ref, *gm = moving;
  gfloat *owned_r = NULL, *owned_m = NULL;
  gint levels = 0, w = width, h = height, l, sx = 0, sy = 0, i, j;
  gdouble c[9], usable, best, ring = 0.0;
  gboolean ok = TRUE;

  *dx = *dy = 0.0;
  /* Level 0 is the given size; each next one half of it. */
  for (;;)
    {
      gint w2, h2;
      gfloat *r2, *m2;

      bitmap_make (gr, w, h, &br[levels]);
      bitmap_make (gm, w, h, &bm[levels]);
      levels++;
      if (levels == MAX_LEVELS || MIN (w, h) / 2 < MIN_LEVEL_SIDE)
        break;
      r2 = halve (gr, w, h, &w2, &h2);
      m2 = halve (gm, w, h, &w2, &h2);
      g_free (owned_r);
      g_free (owned_m);
      gr = owned_r = r2;
      gm = owned_m = m2;
      w = w2;
      h = h2;
    }
  g_free (owned_r);
  g_free (owned_m);

  /* The coarsest level: the best of a small full search. */
  best = G_MAXDOUBLE;
  for (j = -COARSE_SEARCH; j <= COARSE_SEARCH; j++)
    for (i = -COARSE_SEARCH; i <= COARSE_SEARCH; i++)
      {
        gdouble v = cost (&br[levels - 1], &bm[levels - 1], i, j, NULL);
        if (v < best)
          {
            best = v;
            sx = i;
            sy = j;
          }
      }
  /* Then each finer level from twice the shift found. */
  for (l = levels - 1; l >= 0; l--)
    {
      if (l < levels - 1)
        {
          sx *= 2;
          sy *= 2;
        }
      descend (&br[l], &bm[l], &sx, &sy, 4, c);
    }

  /* Is the minimum clear? Enough pixels kept, and a cost well below that
   * of shifts RING pixels away. */
  best = cost (&br[0], &bm[0], sx, sy, &usable);
  for (j = -1; j <= 1; j++)
    for (i = -1; i <= 1; i++)
      if (i != 0 || j != 0)
        ring += cost (&br[0], &bm[0], sx + i * RING, sy + j * RING, NULL) / 8.0;
  if (usable < MIN_USABLE || best >= 1.0)
    {
      *why = g_strdup_printf ("too few pixels with detail to compare (%.1f %%)",
                              100.0 * usable);
      ok = FALSE;
    }
  else if (best > MAX_RATIO * ring)
    {
      *why = g_strdup_printf ("no clear best shift (%.0f %% of pixels disagree at the "
                              "best shift, %.0f %% at shifts %d px away)",
                              100.0 * best, 100.0 * ring, RING);
      ok = FALSE;
    }
  else
    {
      *dx = sx + equiangular (c[3], c[4], c[5]);
      *dy = sy + equiangular (c[1], c[4], c[7]);
    }

  for (l = 0; l < levels; l++)
    {
      g_free (br[l].bits);
      g_free (bm[l].bits);
    }
  return ok;
}
