/* DCT-domain noise control Φ(N, γ3) (weights/MODEL.md §5, paper Eq. 10).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each 8 × 8 block B of N becomes Dᵀ (M ⊙ (D B Dᵀ)) D; the blocks overlap
 * at stride 4 and are summed and divided by 4. Done block row by block
 * row: the vertical transforms are shared by all blocks of a row (they act
 * on whole columns), and for a fixed vertical frequency u the horizontal
 * forward transform, mask and inverse fold into one 8 × 8 matrix
 * A_u = Dᵀ diag(M[u][·]) D. Rows u whose mask is all zero are skipped, so
 * small γ3 costs little. Every pixel's sum is formed in the same order
 * whatever rectangle is asked for, so tiles match a whole-image pass bit
 * for bit.
 */
#include "dct.h"

#include <math.h>
#include <string.h>

#define B EVENLIGHT_DCT_BLOCK
#define S EVENLIGHT_DCT_STRIDE

/* D[u][k] = α(u) cos(π (2k + 1) u / 16) */
static gfloat dct_d[B][B];

static gpointer
dct_init (gpointer unused)
{
  gint u, k;

  (void) unused;
  for (u = 0; u < B; u++)
    for (k = 0; k < B; k++)
      dct_d[u][k] = (gfloat) ((u == 0 ? sqrt (1.0 / B) : sqrt (2.0 / B))
                              * cos (G_PI * (2 * k + 1) * u / (2.0 * B)));
  return NULL;
}

gfloat
evenlight_dct_mask (gint u, gint v, gfloat denoise)
{
  gfloat c = 15.0f * (1.0f - denoise);
  gfloat m = (gfloat) (u + v + 1) - c;

  return m < 0.0f ? 0.0f : (m > 1.0f ? 1.0f : m);
}

void
evenlight_dct_filter (const EvenlightPlanes *n,
                      gint                   width,
                      gint                   height,
                      const EvenlightRect   *rect,
                      gfloat                 denoise,
                      EvenlightPlanes       *out)
{
  static GOnce once = G_ONCE_INIT;
  gfloat a[B][B][B];    /* A_u[k][k'] */
  gboolean active[B];
  gint bx_first = evenlight_floor_to (rect->x, S) - S;
  gint bx_last = evenlight_floor_to (rect->x + rect->width - 1, S);
  gint by_first = evenlight_floor_to (rect->y, S) - S;
  gint by_last = evenlight_floor_to (rect->y + rect->height - 1, S);
  gint ncols = bx_last + B - bx_first;
  gint *col;
  gfloat *strip, *cv, *acc, *row;
  gint u, v, k, kk, c, j, x, y, by;

  g_once (&once, dct_init, NULL);

  /* Every clamped sample must come from the window of N we were given. */
  g_return_if_fail (n->x0 <= MAX (bx_first, 0) && n->y0 <= MAX (by_first, 0));
  g_return_if_fail (n->x0 + n->width >= MIN (bx_last + B, width)
                    && n->y0 + n->height >= MIN (by_last + B, height));

  for (u = 0; u < B; u++)
    {
      active[u] = FALSE;
      for (k = 0; k < B; k++)
        for (kk = 0; kk < B; kk++)
          {
            gdouble sum = 0.0;
            for (v = 0; v < B; v++)
              sum += (gdouble) dct_d[v][k] * evenlight_dct_mask (u, v, denoise) * dct_d[v][kk];
            a[u][k][kk] = (gfloat) sum;
          }
      for (v = 0; v < B; v++)
        if (evenlight_dct_mask (u, v, denoise) > 0.0f)
          active[u] = TRUE;
    }

  evenlight_planes_ensure (out, n->channels, rect->width, rect->height, rect->x, rect->y);

  col = g_new (gint, ncols);
  for (j = 0; j < ncols; j++)
    col[j] = evenlight_clampi (bx_first + j, 0, width - 1) - n->x0;
  strip = g_new (gfloat, (gsize) B * ncols);
  cv = g_new (gfloat, (gsize) B * ncols);
  acc = g_new (gfloat, (gsize) B * ncols);
  row = g_new (gfloat, rect->width);

  for (c = 0; c < n->channels; c++)
    {
      for (y = 0; y < rect->height; y++)
        memset (evenlight_planes_row (out, c, y), 0, rect->width * sizeof (gfloat));

      for (by = by_first; by <= by_last; by += S)
        {
          /* The 8 rows of this block row, clamped to the image. */
          for (k = 0; k < B; k++)
            {
              const gfloat *src = evenlight_planes_row (n, c, evenlight_clampi (by + k, 0, height - 1) - n->y0);
              gfloat *d = strip + (gsize) k * ncols;
              for (j = 0; j < ncols; j++)
                d[j] = src[col[j]];
            }

          for (u = 0; u < B; u++)
            {
              gfloat *cu = cv + (gsize) u * ncols;
              gfloat *su = acc + (gsize) u * ncols;

              if (!active[u])
                continue;
              /* Vertical forward transform of every column. */
              for (j = 0; j < ncols; j++)
                cu[j] = 0.0f;
              for (k = 0; k < B; k++)
                {
                  const gfloat *d = strip + (gsize) k * ncols;
                  gfloat w = dct_d[u][k];
                  for (j = 0; j < ncols; j++)
                    cu[j] += w * d[j];
                }
              /* Horizontal forward, mask, inverse of each block, added up. */
              memset (su, 0, ncols * sizeof (gfloat));
              for (j = 0; j + B <= ncols; j += S)
                {
                  gfloat r[B] = { 0 };
                  for (k = 0; k < B; k++)
                    for (kk = 0; kk < B; kk++)
                      r[kk] += cu[j + k] * a[u][k][kk];
                  for (kk = 0; kk < B; kk++)
                    su[j + kk] += r[kk];
                }
            }

          /* Vertical inverse into the rows of the rectangle. */
          for (k = 0; k < B; k++)
            {
              gint yy = by + k - rect->y;
              gfloat *d;

              if (yy < 0 || yy >= rect->height)
                continue;
              d = evenlight_planes_row (out, c, yy);
              memset (row, 0, rect->width * sizeof (gfloat));
              for (u = 0; u < B; u++)
                {
                  const gfloat *su = acc + (gsize) u * ncols + (rect->x - bx_first);
                  gfloat w = dct_d[u][k];
                  if (!active[u])
                    continue;
                  for (x = 0; x < rect->width; x++)
                    row[x] += w * su[x];
                }
              for (x = 0; x < rect->width; x++)
                d[x] += row[x];
            }
        }

      for (y = 0; y < rect->height; y++)
        {
          gfloat *d = evenlight_planes_row (out, c, y);
          for (x = 0; x < rect->width; x++)
            d[x] *= 0.25f;
        }
    }

  g_free (col);
  g_free (strip);
  g_free (cv);
  g_free (acc);
  g_free (row);
}
