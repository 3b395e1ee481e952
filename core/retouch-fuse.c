/* The exposure fusion F of the classic retouching module (paper Eq. 1;
 * the driver is retouch.c): Mertens, Kautz and Van Reeth (2007), with
 * Laplacian and Gaussian pyramids, streamed one exposure at a time.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "retouch.h"
#include "retouch-private.h"

#include <math.h>
#include <string.h>

/* θ3: the Mertens weights' well-exposedness width (their paper's σ). */
#define FUSE_SIGMA 0.2f
#define FUSE_FLOOR 0.01f
#define FUSE_LEVELS 8

/* ---- F: exposure fusion (Mertens, Kautz, Van Reeth 2007) ---------------- */

/* A pyramid level: one plane of w × h floats. Level l + 1 has
 * ((w + 1) / 2) × ((h + 1) / 2) pixels. */
typedef struct
{
  gint    n_levels;
  gint    w[FUSE_LEVELS], h[FUSE_LEVELS];
  gfloat *plane[FUSE_LEVELS];
  gfloat *block;
} Pyramid;

static gint
pyramid_levels (gint w, gint h)
{
  gint n = 1, m = MIN (w, h);

  /* Mertens et al. go down to a 1-pixel level, so that the weights blend
   * at the scale of the whole image. For one photo and its own synthetic
   * exposures that is harmful: the coarsest levels then take the mean
   * brightness of the exposure that wins over most of the image (a lift, in
   * a dark photo) and carry it into a bright window or sky, which the
   * highlight suppression was meant to hold back. Stopping at 1/128 of the
   * short side (8 levels) keeps the blend local; smaller images stop when
   * the short side is down to 4–8 pixels. The depth, like the radii of S,
   * is then the same relative to the image at any size above ~0.6 MP. */
  while (n < FUSE_LEVELS && m >= 8)
    {
      m = (m + 1) / 2;
      n++;
    }
  return n;
}

static void
pyramid_init (Pyramid *p, gint n_levels, gint w, gint h)
{
  gsize total = 0;

  p->n_levels = n_levels;
  for (gint l = 0; l < n_levels; l++)
    {
      p->w[l] = w;
      p->h[l] = h;
      total += (gsize) w * h;
      w = (w + 1) / 2;
      h = (h + 1) / 2;
    }
  p->block = g_new0 (gfloat, total);
  total = 0;
  for (gint l = 0; l < n_levels; l++)
    {
      p->plane[l] = p->block + total;
      total += (gsize) p->w[l] * p->h[l];
    }
}

static void
pyramid_clear (Pyramid *p)
{
  g_free (p->block);
  p->block = NULL;
}

typedef struct
{
  const gfloat *src;
  gfloat       *dst;
  gint          sw, sh, dw, dh;
} ResampleJob;

/* Burt & Adelson REDUCE, kernel [1 4 6 4 1] / 16, clamp-to-edge: rows. */
/* One REDUCE output at source column @c, clamping at the row's ends. */
static inline gfloat
reduce_tap (const gfloat *s, gint sw, gint c)
{
  gint m2 = MAX (c - 2, 0), m1 = MAX (c - 1, 0);
  gint p1 = MIN (c + 1, sw - 1), p2 = MIN (c + 2, sw - 1);

  return (s[m2] + s[p2] + 4.0f * (s[m1] + s[p1]) + 6.0f * s[c]) * (1.0f / 16.0f);
}

static void
reduce_rows (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;
  gint sw = j->sw, dw = j->dw;
  /* outputs whose five taps lie inside the row: 2x − 2 ≥ 0, 2x + 2 < sw */
  gint lo = MIN (1, dw), hi = MAX (MIN ((sw - 3) / 2 + 1, dw), lo);

  for (gint y = y0; y < y1; y++)
    {
      const gfloat *restrict s = j->src + (gsize) y * sw;
      gfloat *restrict d = j->dst + (gsize) y * dw;

      for (gint x = lo; x < hi; x++)
        d[x] = (s[2 * x - 2] + s[2 * x + 2] + 4.0f * (s[2 * x - 1] + s[2 * x + 1])
                + 6.0f * s[2 * x]) * (1.0f / 16.0f);
      for (gint x = 0; x < dw; x++)
        if (x < lo || x >= hi)
          d[x] = reduce_tap (s, sw, 2 * x);
    }
}

/* REDUCE: columns (row-ordered, vectorisable over x). */
static void
reduce_cols (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;

  for (gint y = y0; y < y1; y++)
    {
      gint c = 2 * y;
      const gfloat *r0 = j->src + (gsize) MAX (c - 2, 0) * j->sw;
      const gfloat *r1 = j->src + (gsize) MAX (c - 1, 0) * j->sw;
      const gfloat *r2 = j->src + (gsize) c * j->sw;
      const gfloat *r3 = j->src + (gsize) MIN (c + 1, j->sh - 1) * j->sw;
      const gfloat *r4 = j->src + (gsize) MIN (c + 2, j->sh - 1) * j->sw;
      gfloat *d = j->dst + (gsize) y * j->dw;

      for (gint x = 0; x < j->dw; x++)
        d[x] = (r0[x] + r4[x] + 4.0f * (r1[x] + r3[x]) + 6.0f * r2[x])
               * (1.0f / 16.0f);
    }
}

/* EXPAND (the same kernel, doubled): rows. Even outputs take
 * (1 6 1) / 8 of the source, odd outputs (1 1) / 2. */
static void
expand_rows (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;
  gint sw = j->sw, dw = j->dw;
  /* source pixels i with both neighbours inside and both outputs 2i and
   * 2i + 1 inside the destination */
  gint lo = 1, hi = MAX (MIN (sw - 1, dw / 2), lo);

  for (gint y = y0; y < y1; y++)
    {
      const gfloat *restrict s = j->src + (gsize) y * sw;
      gfloat *restrict d = j->dst + (gsize) y * dw;

      for (gint i = lo; i < hi; i++)
        {
          d[2 * i] = (s[i - 1] + s[i + 1] + 6.0f * s[i]) * 0.125f;
          d[2 * i + 1] = 0.5f * (s[i] + s[i + 1]);
        }
      for (gint x = 0; x < dw; x++)
        {
          gint i = x >> 1, ip;
          if (i >= lo && i < hi)
            continue;
          ip = MIN (i + 1, sw - 1);
          if (x & 1)
            d[x] = 0.5f * (s[i] + s[ip]);
          else
            d[x] = (s[MAX (i - 1, 0)] + s[ip] + 6.0f * s[i]) * 0.125f;
        }
    }
}

/* EXPAND: columns. */
static void
expand_cols (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;

  for (gint y = y0; y < y1; y++)
    {
      gint i = y >> 1;
      const gfloat *rm = j->src + (gsize) MAX (i - 1, 0) * j->sw;
      const gfloat *r0 = j->src + (gsize) i * j->sw;
      const gfloat *rp = j->src + (gsize) MIN (i + 1, j->sh - 1) * j->sw;
      gfloat *d = j->dst + (gsize) y * j->dw;

      if (y & 1)
        for (gint x = 0; x < j->dw; x++)
          d[x] = 0.5f * (r0[x] + rp[x]);
      else
        for (gint x = 0; x < j->dw; x++)
          d[x] = (rm[x] + rp[x] + 6.0f * r0[x]) * 0.125f;
    }
}

/* @src (sw × sh) → @dst (dw × dh) in two passes, @rows along the rows into
 * @tmp (dw × sh floats), then @cols along the columns. */
static void
resample (const gfloat *src, gint sw, gint sh, gfloat *dst, gint dw, gint dh,
          gfloat *tmp, gint n_threads, EvenlightBandFunc rows, EvenlightBandFunc cols)
{
  ResampleJob a = { src, tmp, sw, sh, dw, sh };
  ResampleJob b = { tmp, dst, dw, sh, dw, dh };

  evenlight_retouch_parallel_rows (n_threads, dw, sh, rows, &a);
  evenlight_retouch_parallel_rows (n_threads, dw, dh, cols, &b);
}

/* @src (sw × sh) → @dst (half size); @tmp holds dw × sh floats. */
static void
reduce (const gfloat *src, gint sw, gint sh, gfloat *dst, gint dw, gint dh,
        gfloat *tmp, gint n_threads)
{
  resample (src, sw, sh, dst, dw, dh, tmp, n_threads, reduce_rows, reduce_cols);
}

/* @src (sw × sh) → @dst (dw × dh, twice the size or one less); @tmp holds
 * dw × sh floats. */
static void
expand (const gfloat *src, gint sw, gint sh, gfloat *dst, gint dw, gint dh,
        gfloat *tmp, gint n_threads)
{
  resample (src, sw, sh, dst, dw, dh, tmp, n_threads, expand_rows, expand_cols);
}


typedef struct
{
  const gfloat *rgb;   /* planar, 3 planes */
  gfloat       *w;
  gint          width, height;
} WeightJob;

/* Mertens weights: contrast (|Laplacian| of grey) × saturation (standard
 * deviation of R, G, B) × well-exposedness (Gaussian around 0.5, σ = θ3),
 * each with exponent 1. Contrast and saturation get a small floor: without
 * it a smooth grey area (a clear sky, a wall) has weight ~0 in every
 * exposure, the exposures there blend as an equal mean, and the coarse
 * pyramid levels, decided by the rest of the image, can push it to clip;
 * with it, well-exposedness decides there. */
static VECTORISE void
grey_row (const gfloat *r, const gfloat *g, const gfloat *b, gfloat *out, gint w)
{
  /* out[-1] and out[w] replicate the border, so the Laplacian below needs
   * no clamping in its loop */
  for (gint x = 0; x < w; x++)
    out[x] = 0.299f * r[x] + 0.587f * g[x] + 0.114f * b[x];
  out[-1] = out[0];
  out[w] = out[w - 1];
}

static VECTORISE void
weight_rows (gpointer data, gint y0, gint y1)
{
  WeightJob *j = data;
  gint w = j->width;
  gsize n = (gsize) w * j->height;
  const gfloat *r = j->rgb, *g = j->rgb + n, *b = j->rgb + 2 * n;
  /* exp(−d² / 2σ²) = 2^(k d²) */
  const gfloat k = -1.4426950f / (2.0f * FUSE_SIGMA * FUSE_SIGMA);
  gfloat *buf = g_new (gfloat, 3 * (w + 2));
  gfloat *gu = buf + 1, *gc = buf + w + 3, *gd = buf + 2 * w + 5;

  for (gint y = y0; y < y1; y++)
    {
      gsize row = (gsize) y * w;
      gsize up = (gsize) MAX (y - 1, 0) * w;
      gsize dn = (gsize) MIN (y + 1, j->height - 1) * w;
      const gfloat *restrict rr = r + row;
      const gfloat *restrict gg = g + row;
      const gfloat *restrict bb = b + row;
      gfloat *restrict out = j->w + row;

      grey_row (r + up, g + up, b + up, gu, w);
      grey_row (rr, gg, bb, gc, w);
      grey_row (r + dn, g + dn, b + dn, gd, w);
      for (gint x = 0; x < w; x++)
        {
          gfloat lap = gu[x] + gd[x] + gc[x - 1] + gc[x + 1] - 4.0f * gc[x];
          gfloat mu = (rr[x] + gg[x] + bb[x]) * (1.0f / 3.0f);
          gfloat sat = fast_sqrtf (((rr[x] - mu) * (rr[x] - mu)
                               + (gg[x] - mu) * (gg[x] - mu)
                               + (bb[x] - mu) * (bb[x] - mu)) * (1.0f / 3.0f));
          gfloat dr = rr[x] - 0.5f, dg = gg[x] - 0.5f, db = bb[x] - 0.5f;
          gfloat well = fast_exp2f (k * (dr * dr + dg * dg + db * db));

          out[x] = (fabsf (lap) + FUSE_FLOOR) * (sat + FUSE_FLOOR) * well
                   + 1e-12f;
        }
    }
  g_free (buf);
}

static void
fuse_weights (const gfloat *planes, gfloat *w, gint width, gint height, gint n_threads)
{
  WeightJob j = { planes, w, width, height };
  evenlight_retouch_parallel_rows (n_threads, width, height, weight_rows,
                                   &j);
}

/* F of Eq. (1), two passes: the weight sum, then the blend of the Laplacian
 * pyramids under the normalised weights' Gaussian pyramids. With @weights
 * non-NULL the given maps replace the Mertens weights. @out is written only
 * after the last exposure was made, so it may be the buffer the exposures
 * are made from. */
void
evenlight_retouch_fuse_stream (gint n_images, ExposureFunc make, gpointer data,
                               const gfloat *const *weights, gfloat *out,
                               gint width, gint height, gint n_threads)
{
  gsize n = (gsize) width * height;
  gint levels = pyramid_levels (width, height);
  gfloat *img = g_new (gfloat, 3 * n);
  gfloat *wsum = g_new0 (gfloat, n);
  gfloat *tmp = g_new (gfloat, n);
  gfloat *up = g_new (gfloat, n);
  Pyramid acc[3], gp, wp;

  for (gint c = 0; c < 3; c++)
    pyramid_init (&acc[c], levels, width, height);
  pyramid_init (&gp, levels, width, height);
  pyramid_init (&wp, levels, width, height);

  for (gint k = 0; k < n_images; k++)
    {
      gfloat *wk = wp.plane[0];

      if (weights)
        memcpy (wk, weights[k], n * sizeof (gfloat));
      else
        {
          make (data, k, img);
          fuse_weights (img, wk, width, height, n_threads);
        }
      for (gsize i = 0; i < n; i++)
        wsum[i] += wk[i];
    }

  for (gint k = 0; k < n_images; k++)
    {
      make (data, k, img);
      if (weights)
        memcpy (wp.plane[0], weights[k], n * sizeof (gfloat));
      else
        fuse_weights (img, wp.plane[0], width, height, n_threads);
      for (gsize i = 0; i < n; i++)
        wp.plane[0][i] = wsum[i] > 0.0f ? wp.plane[0][i] / wsum[i]
                                         : 1.0f / n_images;
      for (gint l = 0; l + 1 < levels; l++)
        reduce (wp.plane[l], wp.w[l], wp.h[l], wp.plane[l + 1],
                wp.w[l + 1], wp.h[l + 1], tmp, n_threads);

      for (gint c = 0; c < 3; c++)
        {
          memcpy (gp.plane[0], img + c * n, n * sizeof (gfloat));
          for (gint l = 0; l + 1 < levels; l++)
            reduce (gp.plane[l], gp.w[l], gp.h[l], gp.plane[l + 1],
                    gp.w[l + 1], gp.h[l + 1], tmp, n_threads);
          for (gint l = 0; l < levels; l++)
            {
              gsize m = (gsize) gp.w[l] * gp.h[l];
              const gfloat *g = gp.plane[l], *wl = wp.plane[l];
              gfloat *a = acc[c].plane[l];

              if (l + 1 < levels)
                {
                  /* Laplacian level: G_l − EXPAND(G_{l+1}) */
                  expand (gp.plane[l + 1], gp.w[l + 1], gp.h[l + 1], up,
                          gp.w[l], gp.h[l], tmp, n_threads);
                  for (gsize i = 0; i < m; i++)
                    a[i] += wl[i] * (g[i] - up[i]);
                }
              else
                for (gsize i = 0; i < m; i++)
                  a[i] += wl[i] * g[i];
            }
        }
    }

  /* Collapse: R_l = L_l + EXPAND(R_{l+1}), in place in the accumulator. */
  for (gint c = 0; c < 3; c++)
    {
      for (gint l = levels - 2; l >= 0; l--)
        {
          gsize m = (gsize) acc[c].w[l] * acc[c].h[l];
          expand (acc[c].plane[l + 1], acc[c].w[l + 1], acc[c].h[l + 1], up,
                  acc[c].w[l], acc[c].h[l], tmp, n_threads);
          for (gsize i = 0; i < m; i++)
            acc[c].plane[l][i] += up[i];
        }
      for (gsize i = 0; i < n; i++)
        out[3 * i + c] = acc[c].plane[0][i];
    }

  for (gint c = 0; c < 3; c++)
    pyramid_clear (&acc[c]);
  pyramid_clear (&gp);
  pyramid_clear (&wp);
  g_free (img);
  g_free (wsum);
  g_free (tmp);
  g_free (up);
}

typedef struct
{
  const gfloat *const *images;
  gsize                n;
} ArrayExposures;

static void
array_exposure (gpointer data, gint k, gfloat *planes)
{
  ArrayExposures *a = data;
  const gfloat *src = a->images[k];

  for (gsize i = 0; i < a->n; i++)
    for (gint c = 0; c < 3; c++)
      planes[c * a->n + i] = src[3 * i + c];
}

void
evenlight_retouch_fuse (const gfloat *const *images,
                        const gfloat *const *weights,
                        gint                 n_images,
                        gfloat              *out,
                        gint                 width,
                        gint                 height,
                        gint                 n_threads)
{
  ArrayExposures a = { images, (gsize) width * height };

  g_return_if_fail (images != NULL && out != NULL && n_images > 0);
  g_return_if_fail (width > 0 && height > 0);
  evenlight_retouch_fuse_stream (n_images, array_exposure, &a, weights, out,
                                 width, height, n_threads);
}
