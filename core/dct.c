/* DCT-domain noise control Φ(N, γ3) (weights/MODEL.md §5, paper Eq. 10).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each 8 × 8 block B of N becomes Dᵀ (M ⊙ (D B Dᵀ)) D; the blocks overlap
 * at stride 4 and are summed and divided by 4. Done block row by block
 * row: the vertical transforms act on whole columns and so are shared by
 * all blocks of the row, and for a fixed vertical frequency u the
 * horizontal forward transform, mask and inverse fold into one 8 × 8
 * matrix A_u = Dᵀ diag(M[u][·]) D. Rows u whose mask is all zero are
 * skipped, so small γ3 costs little.
 *
 * Columns are kept in polyphase order (column 4m + r at [r][m]) so that
 * the per-block products run over contiguous block indices: all three
 * transforms are then small matrix products over rows, which the
 * convolution row kernel (core/nn-simd.c) does. Every pixel's sum is
 * formed in the same order whatever rectangle is asked for, so tiles match
 * a whole-image pass bit for bit.
 */
#include "dct.h"
#include "nn.h"

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

typedef struct
{
  gint    nb;            /* blocks in a block row                           */
  gint    m;             /* polyphase columns: nb + 1                       */
  gsize   stride;        /* floats between work rows (4m, padded)           */
  gint    n_active;      /* vertical frequencies u with some mask > 0       */
  gint    active[B];
  gfloat  wv[B * B];     /* vertical forward: [k][j] = D[u_j][k]            */
  gfloat  wh[B][B * B];  /* horizontal, per active j: [k][k'] = A_u[k][k']  */
  gfloat  wi[B * B];     /* vertical inverse: [j][k] = D[u_j][k]            */
  gfloat  zero[B];
  gfloat *sp;            /* the 8 rows of the block row, polyphase [r][m]   */
  gfloat *cu;            /* per active u: vertical coefficient of columns   */
  gfloat *val;           /* per block outputs [k'][b]                       */
  gfloat *su;            /* per active u: overlap-added horizontal result   */
  gfloat *rows;          /* the 8 inverse-transformed rows                  */
} Work;

static inline gfloat *
work_row (const Work *w, gfloat *base, gint i)
{
  return base + (gsize) i * w->stride;
}

/* One block row, from w->sp to the 8 finished (not yet averaged) rows in
 * w->rows. The three transforms are small matrix products over rows, so
 * they run on the convolution row kernel. */
static void
dct_block_row (Work *w)
{
  EvenlightConvRowFunc kernel = evenlight_nn_row_kernel ();
  const gint nb = w->nb, mm = w->m, m4 = S * w->m;
  const gfloat *src[B];
  gfloat *dst[B];
  gint j, k, q, b;

  /* vertical forward: cu_j = Σ_k D[u_j][k] · row k */
  for (k = 0; k < B; k++)
    src[k] = work_row (w, w->sp, k);
  for (j = 0; j < w->n_active; j++)
    dst[j] = work_row (w, w->cu, j);
  kernel (w->n_active, B, src, w->wv, w->zero, dst, m4, FALSE);

  for (j = 0; j < w->n_active; j++)
    {
      const gfloat *cu = work_row (w, w->cu, j);
      gfloat *su = work_row (w, w->su, j);

      /* horizontal: val[k'][b] = Σ_k A_u[k][k'] · column 4b + k */
      for (k = 0; k < B; k++)
        {
          src[k] = cu + (gsize) (k % S) * mm + k / S;
          dst[k] = work_row (w, w->val, k);
        }
      kernel (B, B, src, w->wh[j], w->zero, dst, nb, FALSE);

      /* overlap-add: column 4m + q gets block m − 1 (at k' = q + 4), then
       * block m (at k' = q) */
      for (q = 0; q < S; q++)
        {
          const gfloat *first = work_row (w, w->val, q);
          const gfloat *second = work_row (w, w->val, q + S);
          gfloat *d = su + (gsize) q * mm;

          d[0] = first[0];
          for (b = 1; b < nb; b++)
            d[b] = second[b - 1] + first[b];
          d[nb] = second[nb - 1];
        }
    }

  /* vertical inverse: row k = Σ_j D[u_j][k] · su_j */
  for (j = 0; j < w->n_active; j++)
    src[j] = work_row (w, w->su, j);
  for (k = 0; k < B; k++)
    dst[k] = work_row (w, w->rows, k);
  kernel (B, w->n_active, src, w->wi, w->zero, dst, m4, FALSE);
}

/* Gathers one row of a block row into polyphase order: slot [r][i] gets
 * column 4i + r of the block grid, which is src[base + 4i + r] for the
 * slots [lo, hi) that need no clamping and src[col[slot]] elsewhere. The
 * four phases are read in one pass so the strided loads vectorise as
 * shuffles rather than as gathers. */
EVENLIGHT_CLONES static void
dct_gather (const gfloat *restrict src, const gint *restrict col, gint m, gint base, gint lo,
            gint hi, gfloat *restrict d)
{
  gfloat *restrict d0 = d, *restrict d1 = d + m, *restrict d2 = d + 2 * m, *restrict d3 = d + 3 * m;
  const gfloat *restrict s = src + base;
  gint i, r;

  for (i = lo; i < hi; i++)
    {
      d0[i] = s[4 * i];
      d1[i] = s[4 * i + 1];
      d2[i] = s[4 * i + 2];
      d3[i] = s[4 * i + 3];
    }
  for (r = 0; r < S; r++)
    {
      for (i = 0; i < lo; i++)
        d[r * m + i] = src[col[r * m + i]];
      for (i = hi; i < m; i++)
        d[r * m + i] = src[col[r * m + i]];
    }
}

/* Writes (@first) or adds and averages (second) one finished row: output
 * column x is polyphase slot [(x + off) % 4][(x + off) / 4] of @row,
 * off = 4 … 7. Whole groups of four columns are read from the four phases
 * in one pass (shuffles, not gathers); the ends go through @slot. */
EVENLIGHT_CLONES static void
dct_scatter (const gfloat *restrict row, const gint *restrict slot, gint m, gint off, gint width,
             gboolean first, gfloat *restrict d)
{
  const gfloat *restrict r0 = row, *restrict r1 = row + m, *restrict r2 = row + 2 * m;
  const gfloat *restrict r3 = row + 3 * m;
  gint x0 = MIN ((S - off % S) % S, width);  /* first column of phase 0 */
  gint nq = (width - x0) / S;                /* whole groups from there */
  gint q0 = (x0 + off) / S;
  gfloat *restrict g = d + x0;
  gint x, q;

  if (first)
    {
      for (x = 0; x < x0; x++)
        d[x] = row[slot[x]];
      for (q = 0; q < nq; q++)
        {
          g[4 * q] = r0[q0 + q];
          g[4 * q + 1] = r1[q0 + q];
          g[4 * q + 2] = r2[q0 + q];
          g[4 * q + 3] = r3[q0 + q];
        }
      for (x = x0 + S * nq; x < width; x++)
        d[x] = row[slot[x]];
    }
  else
    {
      for (x = 0; x < x0; x++)
        d[x] = (d[x] + row[slot[x]]) * 0.25f;
      for (q = 0; q < nq; q++)
        {
          g[4 * q] = (g[4 * q] + r0[q0 + q]) * 0.25f;
          g[4 * q + 1] = (g[4 * q + 1] + r1[q0 + q]) * 0.25f;
          g[4 * q + 2] = (g[4 * q + 2] + r2[q0 + q]) * 0.25f;
          g[4 * q + 3] = (g[4 * q + 3] + r3[q0 + q]) * 0.25f;
        }
      for (x = x0 + S * nq; x < width; x++)
        d[x] = (d[x] + row[slot[x]]) * 0.25f;
    }
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
  Work w;
  gint bx_first = evenlight_floor_to (rect->x, S) - S;
  gint bx_last = evenlight_floor_to (rect->x + rect->width - 1, S);
  gint by_first = evenlight_floor_to (rect->y, S) - S;
  gint by_last = evenlight_floor_to (rect->y + rect->height - 1, S);
  gint *col, *slot;
  gint u, v, j, k, kk, c, x, by, r, mi, lo, hi, base, off;

  g_once (&once, dct_init, NULL);

  /* Every clamped sample must come from the window of N we were given. */
  g_return_if_fail (n->x0 <= MAX (bx_first, 0) && n->y0 <= MAX (by_first, 0));
  g_return_if_fail (n->x0 + n->width >= MIN (bx_last + B, width)
                    && n->y0 + n->height >= MIN (by_last + B, height));

  w.nb = (bx_last - bx_first) / S + 1;
  w.m = w.nb + 1;
  /* rows padded for the kernel's whole-vector reads past the end */
  w.stride = ((gsize) S * w.m + 16 + 15) / 16 * 16 + 16;
  w.n_active = 0;
  memset (w.zero, 0, sizeof w.zero);
  for (u = 0; u < B; u++)
    for (v = 0; v < B; v++)
      if (evenlight_dct_mask (u, v, denoise) > 0.0f)
        {
          w.active[w.n_active++] = u;
          break;
        }
  for (j = 0; j < w.n_active; j++)
    {
      u = w.active[j];
      for (k = 0; k < B; k++)
        {
          w.wv[k * w.n_active + j] = dct_d[u][k];
          w.wi[j * B + k] = dct_d[u][k];
          for (kk = 0; kk < B; kk++)
            {
              gdouble sum = 0.0;
              for (v = 0; v < B; v++)
                sum += (gdouble) dct_d[v][k] * evenlight_dct_mask (u, v, denoise) * dct_d[v][kk];
              w.wh[j][k * B + kk] = (gfloat) sum;
            }
        }
    }

  /* sp, cu, val, su, rows: 8 rows each */
  w.sp = g_new0 (gfloat, 5 * B * w.stride + 16);
  w.cu = w.sp + B * w.stride;
  w.val = w.cu + B * w.stride;
  w.su = w.val + B * w.stride;
  w.rows = w.su + B * w.stride;

  /* Source column of polyphase slot [r][m], clamped to the image; and the
   * slot of each output column. */
  col = g_new (gint, (gsize) S * w.m + (gsize) rect->width);
  slot = col + (gsize) S * w.m;
  for (r = 0; r < S; r++)
    for (mi = 0; mi < w.m; mi++)
      col[r * w.m + mi] = evenlight_clampi (bx_first + S * mi + r, 0, width - 1) - n->x0;
  for (x = 0; x < rect->width; x++)
    slot[x] = ((rect->x + x - bx_first) % S) * w.m + (rect->x + x - bx_first) / S;
  /* The slots i in [lo, hi) read columns bx_first + 4i … + 3 inside the
   * image: no clamping there. */
  base = bx_first - n->x0;
  off = rect->x - bx_first;
  lo = bx_first >= 0 ? 0 : (-bx_first + S - 1) / S;
  hi = MAX (lo, MIN (w.m, (width - bx_first) / S));

  evenlight_planes_ensure (out, n->channels, rect->width, rect->height, rect->x, rect->y);

  for (c = 0; c < n->channels; c++)
    for (by = by_first; by <= by_last; by += S)
      {
        for (k = 0; k < B; k++)
          dct_gather (evenlight_planes_row (n, c, evenlight_clampi (by + k, 0, height - 1) - n->y0),
                      col, w.m, base, lo, hi, work_row (&w, w.sp, k));
        if (w.n_active == 0)
          memset (w.rows, 0, B * w.stride * sizeof (gfloat));
        else
          dct_block_row (&w);

        for (k = 0; k < B; k++)
          {
            gint yy = by + k - rect->y;

            if (yy < 0 || yy >= rect->height)
              continue;
            /* Each row gets two block rows: the first (k ≥ 4) writes, the
             * second adds and divides by the 4 overlapping blocks. */
            dct_scatter (work_row (&w, w.rows, k), slot, w.m, off, rect->width, k >= S,
                         evenlight_planes_row (out, c, yy));
          }
      }

  g_free (col);
  g_free (w.sp);
}
