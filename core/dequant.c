/* Dequantization network: C inference, tiled (weights/DEQUANT.md §1–2).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The forward pass reads top-down like weights/train/dequant/model.py:
 *
 *   x = concat(J̃, STEP_SCALE · gain · quant_step)      4 × H × W
 *   p = pack2(x)                                        16 × H/2 × W/2
 *   f = relu(conv3x3(p))                                head
 *   (v3) J̃ is first moved inside its quantisation interval by the band
 *   positions (dequant-bands.c): b = gain · quant_step · offset, J̃ ← J̃ + b,
 *   and x = concat(J̃, STEP_SCALE · gain · quant_step, STEP_SCALE · b), 7 × H × W
 *   (v2) the context branch, a small U-Net:
 *   e1 = relu(conv3x3 s2(f)), e2 = relu(conv3x3 s2(e1)), e3 = relu(conv3x3 s2(e2))
 *   m  = relu(conv3x3(e3))                              1/16 resolution
 *   d2 = relu(conv3x3(up2(m) + e2)), d1 = relu(conv3x3(up2(d2) + e1))
 *   f  = f + up2(conv1x1(d1))
 *   f = f + conv3x3(relu(conv3x3(f)))                   blocks (BN folded)
 *   E = unpack2(conv3x3(f))                             tail, 3 × H × W
 *   Ĵ = clamp(J̃ + blend(gain) · E, 0, 1)       (v3: J̃ + blend · (J̃' − J̃ + E),
 *                                               J̃' the moved J̃ clamped to [0, 1])
 *
 * Every layer is a core/nn.h operation on a window of its level, so a
 * region computed with enough pixels of context (the margin of
 * core/geometry.h) equals the same pixels of a whole-image pass (the clamp
 * at the window border only spoils the margin); the window origin sits on
 * a multiple of 2 (v1) or 16 (v2) so that every coarser level starts on a
 * whole pixel with the parity of the whole image.
 */
#include "dequant.h"
#include "dequant-private.h"

#include <math.h>
#include <string.h>

#include "geometry.h"
#include "image.h"
#include "nn.h"
#include "parallel.h"
#include "weights.h"

/* Working buffers of one thread, reused from tile to tile. */
typedef struct
{
  EvenlightPlanes x, p, f, t, t2, o, e;
  EvenlightPlanes e1, e2, e3, m, d2, d1, up;
  gint32         *level[3];   /* v3: the levels of the band window */
  gfloat         *offset[3];  /* v3: band positions of the band window */
  gsize           band_size;
  gint            bx0, by0, bx1, by1;   /* the band window */
} Scratch;

static void
scratch_clear (Scratch *s)
{
  evenlight_planes_clear (&s->x);
  evenlight_planes_clear (&s->p);
  evenlight_planes_clear (&s->f);
  evenlight_planes_clear (&s->t);
  evenlight_planes_clear (&s->t2);
  evenlight_planes_clear (&s->o);
  evenlight_planes_clear (&s->e);
  evenlight_planes_clear (&s->e1);
  evenlight_planes_clear (&s->e2);
  evenlight_planes_clear (&s->e3);
  evenlight_planes_clear (&s->m);
  evenlight_planes_clear (&s->d2);
  evenlight_planes_clear (&s->d1);
  evenlight_planes_clear (&s->up);
  for (gint c = 0; c < 3; c++)
    {
      g_free (s->level[c]);
      g_free (s->offset[c]);
    }
  memset (s->level, 0, sizeof s->level);
  memset (s->offset, 0, sizeof s->offset);
  s->band_size = 0;
}

/* ---- inference ---------------------------------------------------------- */

static inline gfloat
clean (gfloat v)
{
  return v >= 0.0f ? (v <= 1.0f ? v : 1.0f) : 0.0f;
}

static inline gfloat
clean_gain (gfloat g)
{
  return g >= 0.0f ? (g <= 1e4f ? g : 1e4f) : 0.0f;
}

/* 0 at gain ≤ LOW, 1 at gain ≥ HIGH, linear in between. */
static inline gfloat
blend (gfloat gain)
{
  gfloat t = (gain - EVENLIGHT_DEQUANT_GAIN_LOW)
             / (EVENLIGHT_DEQUANT_GAIN_HIGH - EVENLIGHT_DEQUANT_GAIN_LOW);
  return t <= 0.0f ? 0.0f : (t >= 1.0f ? 1.0f : t);
}

/* f = f + up2(ctx.out(d1)), the v2 context branch (file comment). */
static void
context (const EvenlightDequant *dq, Scratch *s)
{
  const EvenlightPlanes *d1_in[1] = { &s->d1 };
  EvenlightPlanes        swap;

  evenlight_nn_conv3x3_s2 (&dq->enc1, &s->f, &s->e1, TRUE);       /* 1/4  */
  evenlight_nn_conv3x3_s2 (&dq->enc2, &s->e1, &s->e2, TRUE);      /* 1/8  */
  evenlight_nn_conv3x3_s2 (&dq->enc3, &s->e2, &s->e3, TRUE);      /* 1/16 */
  evenlight_nn_conv3x3_filled (&dq->mid, &s->e3, &s->m, TRUE);
  evenlight_nn_up2 (&s->m, &s->e2, s->e2.width, s->e2.height, &s->up, &s->t);
  evenlight_nn_conv3x3_filled (&dq->dec2, &s->t, &s->d2, TRUE);
  evenlight_nn_up2 (&s->d2, &s->e1, s->e1.width, s->e1.height, &s->up, &s->t);
  evenlight_nn_conv3x3_filled (&dq->dec1, &s->t, &s->d1, TRUE);
  /* The 1 × 1 layer runs before the (linear) up-sampling: at a quarter of
   * the pixels, and the same values. */
  evenlight_nn_conv1x1 (&dq->ctx_out, d1_in, 1, &s->t2, FALSE);
  evenlight_nn_up2 (&s->t2, &s->f, s->f.width, s->f.height, &s->up, &s->o);
  swap = s->f;
  s->f = s->o;
  s->o = swap;
}

/* The levels of one row of @n pixels, rounded half up as bands.py does;
 * a clipped pixel (J̃ = 1) stands for no level and is left alone. */
static EVENLIGHT_CLONES void
band_levels (const gfloat *rgb, const gfloat *gain, gfloat quant_step, gint n,
             gint32 *l0, gint32 *l1, gint32 *l2)
{
  for (gint x = 0; x < n; x++)
    {
      gfloat  w = clean_gain (gain[x]) * quant_step;
      gint32 *out[3] = { l0, l1, l2 };
      for (gint c = 0; c < 3; c++)
        {
          gfloat v = clean (rgb[3 * x + c]);
          gfloat k = w > 1e-6f ? v / w : 0.0f;
          out[c][x] = v >= 1.0f ? EVENLIGHT_DEQUANT_BAND_SKIP
                                : (gint32) (MIN (k, 1e9f) + 0.5f);
        }
    }
}

/* v3: the band positions of the network window [x0, x0 + ww) × [y0, y0 +
 * wh), computed on that window plus EVENLIGHT_DEQUANT_BAND_MARGIN (inside
 * the image) so that they equal the whole image's. The levels are
 * J̃ / (gain · quant_step): the capture's own for a gain-only brightening
 * (band_levels). */
static void
bands (const gfloat *rgb, const gfloat *gain, gint width, gint height,
       gfloat quant_step, gint x0, gint y0, gint ww, gint wh, Scratch *s)
{
  gint  bw, bh;
  gsize n;

  s->bx0 = MAX (0, x0 - EVENLIGHT_DEQUANT_BAND_MARGIN);
  s->by0 = MAX (0, y0 - EVENLIGHT_DEQUANT_BAND_MARGIN);
  s->bx1 = MIN (width, x0 + ww + EVENLIGHT_DEQUANT_BAND_MARGIN);
  s->by1 = MIN (height, y0 + wh + EVENLIGHT_DEQUANT_BAND_MARGIN);
  bw = s->bx1 - s->bx0;
  bh = s->by1 - s->by0;
  n = (gsize) bw * bh;
  if (n > s->band_size)
    {
      for (gint c = 0; c < 3; c++)
        {
          g_free (s->level[c]);
          g_free (s->offset[c]);
          s->level[c] = g_new (gint32, n);
          s->offset[c] = g_new (gfloat, n);
        }
      s->band_size = n;
    }
  for (gint y = 0; y < bh; y++)
    band_levels (rgb + ((gsize) (s->by0 + y) * width + s->bx0) * 3,
                 gain + (gsize) (s->by0 + y) * width + s->bx0, quant_step, bw,
                 s->level[0] + (gsize) y * bw, s->level[1] + (gsize) y * bw,
                 s->level[2] + (gsize) y * bw);
  for (gint c = 0; c < 3; c++)
    evenlight_dequant_bands (s->level[c], bw, bh, s->offset[c]);
}

static void
render (const EvenlightDequant *dq, const gfloat *rgb, const gfloat *gain,
        gint width, gint height, gfloat quant_step, const EvenlightRect *rect,
        gfloat *out, Scratch *s)
{
  gint     x0, y0, x1, y1, ww, wh;
  gboolean any = FALSE;

  for (gint y = rect->y; y < rect->y + rect->height && !any; y++)
    for (gint x = rect->x; x < rect->x + rect->width; x++)
      if (blend (clean_gain (gain[(gsize) y * width + x])) > 0.0f)
        {
          any = TRUE;
          break;
        }
  if (!any)
    {
      /* Nothing to correct: the output is J̃ itself, exactly what the full
       * computation gives with a blend weight of 0. */
      for (gint y = 0; y < rect->height; y++)
        for (gint x = 0; x < 3 * rect->width; x++)
          out[(gsize) y * 3 * rect->width + x] =
            clean (rgb[((gsize) (rect->y + y) * width + rect->x) * 3 + x]);
      return;
    }

  /* The window: rect plus the margin, inside the image, origin aligned. */
  x0 = MAX (0, rect->x - dq->margin) / dq->align * dq->align;
  y0 = MAX (0, rect->y - dq->margin) / dq->align * dq->align;
  x1 = MIN (width, rect->x + rect->width + dq->margin);
  y1 = MIN (height, rect->y + rect->height + dq->margin);
  ww = x1 - x0;
  wh = y1 - y0;

  if (dq->bands)
    bands (rgb, gain, width, height, quant_step, x0, y0, ww, wh, s);
  evenlight_planes_ensure (&s->x, dq->in_channels, ww, wh, x0, y0);
  for (gint y = 0; y < wh; y++)
    {
      const gfloat *src = rgb + ((gsize) (y0 + y) * width + x0) * 3;
      const gfloat *gs = gain + (gsize) (y0 + y) * width + x0;
      gfloat *r = evenlight_planes_row (&s->x, 0, y);
      gfloat *g = evenlight_planes_row (&s->x, 1, y);
      gfloat *b = evenlight_planes_row (&s->x, 2, y);
      gfloat *st = evenlight_planes_row (&s->x, 3, y);
      for (gint x = 0; x < ww; x++)
        {
          r[x] = clean (src[3 * x]);
          g[x] = clean (src[3 * x + 1]);
          b[x] = clean (src[3 * x + 2]);
          st[x] = STEP_SCALE * clean_gain (gs[x]) * quant_step;
        }
      if (dq->bands)
        {
          const gint  bw = s->bx1 - s->bx0;
          const gsize o = (gsize) (y0 + y - s->by0) * bw + (x0 - s->bx0);
          gfloat     *ch[3] = { r, g, b };
          for (gint c = 0; c < 3; c++)
            {
              gfloat       *bb = evenlight_planes_row (&s->x, 4 + c, y);
              const gfloat *off = s->offset[c] + o;
              for (gint x = 0; x < ww; x++)
                {
                  gfloat v = clean_gain (gs[x]) * quant_step * off[x];
                  ch[c][x] = clean (ch[c][x] + v);
                  bb[x] = STEP_SCALE * v;
                }
            }
        }
    }
  evenlight_nn_pack2 (&s->x, 1.0f, 0.0f, &s->p);
  evenlight_nn_conv3x3 (&dq->head, &s->p, &s->f, TRUE);
  if (dq->has_ctx)
    context (dq, s);
  for (gint k = 0; k < dq->n_blocks; k++)
    {
      evenlight_nn_conv3x3 (&dq->conv1[k], &s->f, &s->t, TRUE);
      evenlight_nn_conv3x3 (&dq->conv2[k], &s->t, &s->t2, FALSE);
      for (gint c = 0; c < dq->width; c++)
        for (gint y = 0; y < s->f.height; y++)
          {
            gfloat       *f = evenlight_planes_row (&s->f, c, y);
            const gfloat *d = evenlight_planes_row (&s->t2, c, y);
            for (gint x = 0; x < s->f.width; x++)
              f[x] += d[x];
          }
    }
  evenlight_nn_conv3x3 (&dq->tail, &s->f, &s->o, FALSE);
  evenlight_nn_unpack2 (&s->o, ww, wh, &s->e);

  for (gint y = 0; y < rect->height; y++)
    {
      gint    wy = rect->y + y - y0;
      gfloat *dst = out + (gsize) y * 3 * rect->width;
      for (gint x = 0; x < rect->width; x++)
        {
          gint   wx = rect->x + x - x0;
          gfloat a = blend (clean_gain (gain[(gsize) (rect->y + y) * width + rect->x + x]));
          const gfloat *src = rgb + ((gsize) (rect->y + y) * width + rect->x + x) * 3;
          for (gint c = 0; c < 3; c++)
            {
              gfloat jt = clean (src[c]);
              gfloat e = evenlight_planes_row (&s->e, c, wy)[wx];
              /* v3: E is relative to the moved J̃ (the input's first
               * channels), which the blend weighs as well. */
              if (dq->bands)
                e += evenlight_planes_row (&s->x, c, wy)[wx] - jt;
              dst[3 * x + c] = clean (jt + a * e);
            }
        }
    }
}

static gboolean
check_args (const EvenlightDequant *dq, const gfloat *rgb, const gfloat *gain,
            gint width, gint height, gfloat quant_step, GError **error)
{
  if (!dq || !rgb || !gain || width <= 0 || height <= 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "dequantization: missing network, image or gain, or an empty "
                   "image (%d × %d)", width, height);
      return FALSE;
    }
  if (!(quant_step > 0.0f && quant_step <= 1.0f))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "dequantization: quantisation step must be in (0, 1], got %g",
                   (double) quant_step);
      return FALSE;
    }
  return TRUE;
}

gboolean
evenlight_dequant_render_region (const EvenlightDequant *dq,
                                 const gfloat           *rgb,
                                 const gfloat           *gain,
                                 gint                    width,
                                 gint                    height,
                                 gfloat                  quant_step,
                                 const EvenlightRect    *rect,
                                 gfloat                 *out,
                                 GError                **error)
{
  Scratch s;

  if (!check_args (dq, rgb, gain, width, height, quant_step, error))
    return FALSE;
  if (!rect || !out || !evenlight_rect_in_image (rect, width, height))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "dequantization: the region is not inside the %d × %d image",
                   width, height);
      return FALSE;
    }
  memset (&s, 0, sizeof s);
  render (dq, rgb, gain, width, height, quant_step, rect, out, &s);
  scratch_clear (&s);
  return TRUE;
}

/* One evenlight_dequant_apply() call: tiles are the scheduler's jobs
 * (core/parallel.h), each worker keeps its scratch memory and tile buffer. */
typedef struct
{
  const EvenlightDequant *dq;
  const gfloat           *rgb, *gain;
  gfloat                 *dst;
  gint                    width, height, tile, tiles_x, n_tiles;
  gfloat                  quant_step;
  Scratch                 scratch[EVENLIGHT_MAX_THREADS];
  gfloat                 *tile_rgb[EVENLIGHT_MAX_THREADS];
} Apply;

static void
apply_tile (gpointer data, gint k, gint worker)
{
  Apply  *a = data;
  gfloat *tile = a->tile_rgb[worker];
  EvenlightRect r;

  if (tile == NULL)
    tile = a->tile_rgb[worker] = g_new (gfloat, (gsize) a->tile * a->tile * 3);
  r.x = (k % a->tiles_x) * a->tile;
  r.y = (k / a->tiles_x) * a->tile;
  r.width = MIN (a->tile, a->width - r.x);
  r.height = MIN (a->tile, a->height - r.y);
  render (a->dq, a->rgb, a->gain, a->width, a->height, a->quant_step, &r, tile,
          &a->scratch[worker]);
  for (gint y = 0; y < r.height; y++)
    memcpy (a->dst + ((gsize) (r.y + y) * a->width + r.x) * 3,
            tile + (gsize) y * r.width * 3, sizeof (gfloat) * 3 * r.width);
}

gboolean
evenlight_dequant_apply (const EvenlightDequant *dq,
                         gfloat                 *rgb,
                         gint                    width,
                         gint                    height,
                         const gfloat           *gain,
                         gfloat                  quant_step,
                         gint                    n_threads,
                         GError                **error)
{
  Apply *a;
  gsize  n;
  gint   workers;

  if (!check_args (dq, rgb, gain, width, height, quant_step, error))
    return FALSE;
  n = (gsize) width * height * 3;
  a = g_new0 (Apply, 1);
  a->dq = dq;
  a->rgb = rgb;
  a->gain = gain;
  a->width = width;
  a->height = height;
  a->quant_step = quant_step;
  a->tile = dq->bands ? EVENLIGHT_DEQUANT_TILE_V3 : EVENLIGHT_DEQUANT_TILE;
  a->tiles_x = (width + a->tile - 1) / a->tile;
  a->n_tiles = a->tiles_x * ((height + a->tile - 1) / a->tile);
  a->dst = g_try_new (gfloat, n);
  if (!a->dst)
    {
      g_autofree gchar *size = g_format_size (n * sizeof (gfloat));

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                   "dequantization: not enough memory for a copy of the %d × %d image (%s)",
                   width, height, size);
      g_free (a);
      return FALSE;
    }
  workers = evenlight_parallel_run (a->n_tiles, n_threads, apply_tile, a);
  for (gint k = 0; k < workers; k++)
    {
      scratch_clear (&a->scratch[k]);
      g_free (a->tile_rgb[k]);
    }
  memcpy (rgb, a->dst, n * sizeof (gfloat));
  g_free (a->dst);
  g_free (a);
  return TRUE;
}

void
evenlight_dequant_gain_estimate (const gfloat *before,
                                 const gfloat *after,
                                 gint          width,
                                 gint          height,
                                 gfloat       *gain)
{
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      const gfloat *b = before + 3 * i, *a = after + 3 * i;
      gfloat vb = MAX (MAX (clean (b[0]), clean (b[1])), MAX (clean (b[2]), 1.0f / 1020.0f));
      gfloat va = MAX (MAX (clean (a[0]), clean (a[1])), clean (a[2]));
      gain[i] = va / vb;
    }
}
