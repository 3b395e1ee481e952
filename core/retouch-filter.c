/* The edge-aware smoothing S of the classic retouching module (paper
 * Eq. 1; the driver is retouch.c).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * S is the guided filter of He et al. (ECCV 2010), the image as its own
 * guide, rather than a domain transform: it is exactly O(N) whatever the
 * radius (four box filters made of running sums), has no gradient reversal,
 * treats both image axes alike (the domain transform's recursive passes are
 * direction-dependent and need several iterations), and its one parameter
 * ε says directly which steps count as edges (variance ≫ ε is kept).
 */
#include "retouch.h"
#include "retouch-private.h"

#include <math.h>
#include <string.h>

/* ---- S: guided filter --------------------------------------------------- */

typedef struct
{
  const gfloat *src[2];
  gfloat       *dst[2];
  gint          n;       /* planes filtered together (1 or 2) */
  gint          w, h, r;
} BoxJob;

/* Horizontal normalised box mean: the window is cut at the border and the
 * sum divided by the pixels inside it, so borders are not darkened. */
static void
box_rows (gpointer data, gint y0, gint y1)
{
  BoxJob *j = data;
  gdouble *pre = g_new (gdouble, j->w + 1);

  for (gint p = 0; p < j->n; p++)
    for (gint y = y0; y < y1; y++)
      {
        const gfloat *s = j->src[p] + (gsize) y * j->w;
        gfloat *d = j->dst[p] + (gsize) y * j->w;

        gint r = j->r, w = j->w;
        gint lo = MIN (r, w), hi = MAX (w - r - 1, lo);
        gdouble inv = 1.0 / (2 * r + 1);

        pre[0] = 0.0;
        for (gint x = 0; x < w; x++)
          pre[x + 1] = pre[x] + s[x];
        /* full windows: one multiply; cut windows at the ends: a divide */
        for (gint x = lo; x < hi; x++)
          d[x] = (gfloat) ((pre[x + r + 1] - pre[x - r]) * inv);
        for (gint x = 0; x < w; x++)
          if (x < lo || x >= hi)
            {
              gint a = MAX (x - r, 0), b = MIN (x + r + 1, w);
              d[x] = (gfloat) ((pre[b] - pre[a]) / (b - a));
            }
      }
  g_free (pre);
}

/* Vertical normalised box mean with a running column sum, so that rows are
 * read in order (a column walk would miss the cache on every pixel). Each
 * band starts its own sum, so bands are independent. */
static void
box_cols (gpointer data, gint y0, gint y1)
{
  BoxJob *j = data;
  gdouble *sum = g_new (gdouble, j->w);

  for (gint p = 0; p < j->n; p++)
    {
      const gfloat *s = j->src[p];
      gfloat *d = j->dst[p];
      gint a = MAX (y0 - j->r, 0), b = MIN (y0 + j->r + 1, j->h);

      memset (sum, 0, sizeof (gdouble) * j->w);
      for (gint y = a; y < b; y++)
        for (gint x = 0; x < j->w; x++)
          sum[x] += s[(gsize) y * j->w + x];
      for (gint y = y0; y < y1; y++)
        {
          gint na = MAX (y - j->r, 0), nb = MIN (y + j->r + 1, j->h);
          gdouble inv;

          for (; b < nb; b++)
            for (gint x = 0; x < j->w; x++)
              sum[x] += s[(gsize) b * j->w + x];
          for (; a < na; a++)
            for (gint x = 0; x < j->w; x++)
              sum[x] -= s[(gsize) a * j->w + x];
          inv = 1.0 / (b - a);
          for (gint x = 0; x < j->w; x++)
            d[(gsize) y * j->w + x] = (gfloat) (sum[x] * inv);
        }
    }
  g_free (sum);
}

/* Box means of @n planes (in → out, out may not alias in; tmp: n planes). */
static void
box_mean (const gfloat **in, gfloat **out, gfloat **tmp, gint n,
          gint w, gint h, gint r, gint n_threads)
{
  BoxJob rows = { { in[0], n > 1 ? in[1] : NULL }, { tmp[0], n > 1 ? tmp[1] : NULL },
                  n, w, h, r };
  BoxJob cols = { { tmp[0], n > 1 ? tmp[1] : NULL }, { out[0], n > 1 ? out[1] : NULL },
                  n, w, h, r };

  evenlight_retouch_parallel_rows (n_threads, w, h, box_rows, &rows);
  evenlight_retouch_parallel_rows (n_threads, w, h, box_cols, &cols);
}

void
evenlight_retouch_smooth (const gfloat *src,
                          gfloat       *dst,
                          gint          width,
                          gint          height,
                          gint          radius,
                          gfloat        eps,
                          gint          n_threads)
{
  gsize n;
  gfloat *buf, *p[6];
  const gfloat *in2[2];
  gfloat *out2[2], *tmp2[2];

  g_return_if_fail (src != NULL && dst != NULL && width > 0 && height > 0);
  n = (gsize) width * height;
  buf = g_new (gfloat, 6 * n);
  for (gint i = 0; i < 6; i++)
    p[i] = buf + i * n;
  radius = MAX (radius, 1);
  tmp2[0] = p[4];
  tmp2[1] = p[5];

  /* p0 = I², p1 = mean(I), p2 = mean(I²) */
  for (gsize i = 0; i < n; i++)
    p[0][i] = src[i] * src[i];
  in2[0] = src;  in2[1] = p[0];
  out2[0] = p[1]; out2[1] = p[2];
  box_mean (in2, out2, tmp2, 2, width, height, radius, n_threads);

  /* a = var(I) / (var(I) + ε) keeps steps whose variance is ≫ ε;
   * b = mean(I) − a mean(I). p0 = a, p3 = b. */
  for (gsize i = 0; i < n; i++)
    {
      gfloat var = MAX (p[2][i] - p[1][i] * p[1][i], 0.0f);
      gfloat a = var / (var + eps);
      p[0][i] = a;
      p[3][i] = p[1][i] - a * p[1][i];
    }

  /* q = mean(a) I + mean(b): a and b averaged over every window that
   * covers the pixel. */
  in2[0] = p[0];  in2[1] = p[3];
  out2[0] = p[1]; out2[1] = p[2];
  box_mean (in2, out2, tmp2, 2, width, height, radius, n_threads);
  for (gsize i = 0; i < n; i++)
    dst[i] = p[1][i] * src[i] + p[2][i];
  g_free (buf);
}
