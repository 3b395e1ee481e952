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

/* Rows of scratch: the network's output E and the moved J̃ of one row
 * of the result, three channels each. */
#define ROWS 6

/* Working buffers of one thread, reused from tile to tile. The network's
 * input is written straight into its packed form (p); the band positions
 * keep, for one channel at a time, the levels and distances of the band
 * window, and the offsets only of the rows the network reads. */
typedef struct
{
  EvenlightPlanes p, f, t, t2;
  EvenlightPlanes e1, e2, e3, m, d2, d1, up;   /* v2 */
  gint32         *level;      /* v3: one channel's levels, band window */
  guint16        *du, *dd;    /* v3: its distances */
  gsize           band_size;
  gfloat         *rows;       /* ROWS full-resolution rows of the window */
  gint            row_size;
} Scratch;

static void
scratch_clear (Scratch *s)
{
  EvenlightPlanes *planes[] = { &s->p, &s->f, &s->t, &s->t2, &s->e1, &s->e2,
                                &s->e3, &s->m, &s->d2, &s->d1, &s->up };

  for (guint i = 0; i < G_N_ELEMENTS (planes); i++)
    evenlight_planes_clear (planes[i]);
  g_free (s->level);
  g_free (s->du);
  g_free (s->dd);
  g_free (s->rows);
  memset (s, 0, sizeof *s);
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
  evenlight_nn_up2 (&s->t2, &s->f, s->f.width, s->f.height, &s->up, &s->t);
  swap = s->f;
  s->f = s->t;
  s->t = swap;
}

/* The levels of one channel @c of a row of @n pixels, rounded half up as
 * bands.py does; a clipped pixel (J̃ = 1) stands for no level and is left
 * alone. */
static EVENLIGHT_CLONES void
band_levels (const gfloat *rgb, const gfloat *gain, gfloat quant_step, gint n,
             gint c, gint32 *level)
{
  for (gint x = 0; x < n; x++)
    {
      gfloat w = clean_gain (gain[x]) * quant_step;
      gfloat v = clean (rgb[3 * x + c]);
      gfloat k = w > 1e-6f ? v / w : 0.0f;
      level[x] = v >= 1.0f ? EVENLIGHT_DEQUANT_BAND_SKIP : (gint32) (MIN (k, 1e9f) + 0.5f);
    }
}

/* d0[x] = v[2x] and d1[x] = v[min(2x + 1, n − 1)], x < ceil(n/2): the
 * even and the odd columns (evenlight_nn_pack2, whose offset of 0 is
 * added as well: −0 becomes +0, the same bits). */
static EVENLIGHT_CLONES void
split_row (const gfloat *v, gint n, gfloat *d0, gfloat *d1)
{
  const gint wo = (n + 1) / 2;

  for (gint x = 0; x < wo - 1; x++)
    {
      d0[x] = v[2 * x] + 0.0f;
      d1[x] = v[2 * x + 1] + 0.0f;
    }
  d0[wo - 1] = v[2 * (wo - 1)] + 0.0f;
  d1[wo - 1] = v[MIN (2 * (wo - 1) + 1, n - 1)] + 0.0f;
}

/* The inverse: v[x] for x < @n from the even (@s0) and odd (@s1) columns. */
static EVENLIGHT_CLONES void
merge_row (const gfloat *s0, const gfloat *s1, gint n, gfloat *v)
{
  for (gint x = 0; x < n / 2; x++)
    {
      v[2 * x] = s0[x];
      v[2 * x + 1] = s1[x];
    }
  if (n % 2)
    v[n - 1] = s0[n / 2];
}

/* One full-resolution row @v of @n values of input channel @c into the
 * packed planes @p at half-resolution row @y / 2 (evenlight_nn_pack2:
 * channel 4c + 2 · (y mod 2) + (x mod 2), the last column and row
 * repeated when the window's size is odd). */
static void
pack_put (EvenlightPlanes *p, gint c, gint y, gint wh, const gfloat *v, gint n)
{
  for (gint dy = y & 1; dy < 2; dy++)
    {
      split_row (v, n, evenlight_planes_row (p, 4 * c + 2 * dy, y / 2),
                 evenlight_planes_row (p, 4 * c + 2 * dy + 1, y / 2));
      if (y + 1 < wh || (y & 1))   /* an odd last row is its own pair */
        break;
    }
}

/* Row @y of channel @c of the packed planes @p, @n values. */
static void
unpack_row (const EvenlightPlanes *p, gint c, gint y, gint n, gfloat *v)
{
  merge_row (evenlight_planes_row (p, 4 * c + 2 * (y & 1), y / 2),
             evenlight_planes_row (p, 4 * c + 2 * (y & 1) + 1, y / 2), n, v);
}

/* v3, one row of channel @c: J̃ moved by the band positions
 * (b = gain · quant_step · offset) to @moved, STEP_SCALE · b to @b. */
static EVENLIGHT_CLONES void
moved_row (const gfloat *rgb, const gfloat *gain, gfloat quant_step, gint c,
           const guint16 *du, const guint16 *dd, gint n, gfloat *moved, gfloat *b)
{
  for (gint x = 0; x < n; x++)
    {
      gfloat v = clean_gain (gain[x]) * quant_step
                 * evenlight_dequant_band_offset (du[x], dd[x]);
      moved[x] = clean (clean (rgb[3 * x + c]) + v);
      b[x] = STEP_SCALE * v;
    }
}

/* v3: J̃ moved by the band positions and b of one channel @c into the
 * packed input, for the network window [x0, x0 + ww) × [y0, y0 + wh). The
 * positions come from the band window, the network window plus
 * EVENLIGHT_DEQUANT_BAND_MARGIN inside the image, so that they equal the
 * whole image's. The levels are J̃ / (gain · quant_step): the capture's own
 * for a gain-only brightening (band_levels). */
static void
band_input (const gfloat *rgb, const gfloat *gain, gint width, gint height,
            gfloat quant_step, gint c, gint x0, gint y0, gint ww, gint wh,
            Scratch *s)
{
  const gint bx0 = MAX (0, x0 - EVENLIGHT_DEQUANT_BAND_MARGIN);
  const gint by0 = MAX (0, y0 - EVENLIGHT_DEQUANT_BAND_MARGIN);
  const gint bw = MIN (width, x0 + ww + EVENLIGHT_DEQUANT_BAND_MARGIN) - bx0;
  const gint bh = MIN (height, y0 + wh + EVENLIGHT_DEQUANT_BAND_MARGIN) - by0;
  const gsize n = (gsize) bw * bh;

  if (n > s->band_size)
    {
      g_free (s->level);
      g_free (s->du);
      g_free (s->dd);
      s->level = g_new (gint32, n);
      s->du = g_new (guint16, n);
      s->dd = g_new (guint16, n);
      s->band_size = n;
    }
  for (gint y = 0; y < bh; y++)
    band_levels (rgb + ((gsize) (by0 + y) * width + bx0) * 3,
                 gain + (gsize) (by0 + y) * width + bx0, quant_step, bw, c,
                 s->level + (gsize) y * bw);
  evenlight_dequant_band_distances (s->level, bw, bh, s->du, s->dd);

  for (gint y = 0; y < wh; y++)
    {
      const gfloat  *src = rgb + ((gsize) (y0 + y) * width + x0) * 3;
      const gfloat  *gs = gain + (gsize) (y0 + y) * width + x0;
      const gsize    o = (gsize) (y0 + y - by0) * bw + (x0 - bx0);
      const guint16 *du = s->du + o, *dd = s->dd + o;

      moved_row (src, gs, quant_step, c, du, dd, ww, s->rows, s->rows + ww);
      pack_put (&s->p, c, y, wh, s->rows, ww);
      pack_put (&s->p, 4 + c, y, wh, s->rows + ww, ww);
    }
}

/* One row of J̃, split into channels, and of the step. */
static EVENLIGHT_CLONES void
input_row (const gfloat *rgb, const gfloat *gain, gfloat quant_step, gint n,
           gfloat *r, gfloat *g, gfloat *b, gfloat *step)
{
  for (gint x = 0; x < n; x++)
    {
      r[x] = clean (rgb[3 * x]);
      g[x] = clean (rgb[3 * x + 1]);
      b[x] = clean (rgb[3 * x + 2]);
      step[x] = STEP_SCALE * clean_gain (gain[x]) * quant_step;
    }
}

/* The network's input, x = concat(J̃, STEP_SCALE · gain · quant_step) (v3:
 * J̃ moved, and b), packed: p = pack2(x) over the window. */
static void
input (const EvenlightDequant *dq, const gfloat *rgb, const gfloat *gain,
       gint width, gint height, gfloat quant_step, gint x0, gint y0, gint ww,
       gint wh, Scratch *s)
{
  if (ww > s->row_size)
    {
      g_free (s->rows);
      s->rows = g_new (gfloat, ROWS * (gsize) ww);
      s->row_size = ww;
    }
  evenlight_planes_ensure (&s->p, 4 * dq->in_channels, (ww + 1) / 2, (wh + 1) / 2,
                           x0 / 2, y0 / 2);
  for (gint y = 0; y < wh; y++)
    {
      const gfloat *src = rgb + ((gsize) (y0 + y) * width + x0) * 3;
      const gfloat *gs = gain + (gsize) (y0 + y) * width + x0;

      input_row (src, gs, quant_step, ww, s->rows, s->rows + ww, s->rows + 2 * ww,
                 s->rows + 3 * ww);
      pack_put (&s->p, 3, y, wh, s->rows + 3 * ww, ww);
      for (gint c = 0; c < 3 && !dq->bands; c++)
        pack_put (&s->p, c, y, wh, s->rows + c * ww, ww);
    }
  if (dq->bands)
    for (gint c = 0; c < 3; c++)
      band_input (rgb, gain, width, height, quant_step, c, x0, y0, ww, wh, s);
}

/* One row of the result, Ĵ = clamp(J̃ + blend(gain) · E) from the
 * network's output @e, or with the band positions (@m, the moved J̃:
 * not NULL) clamp(J̃ + blend · (J̃' − J̃ + E)): E is relative to the moved
 * J̃, which the blend weighs as well. */
static EVENLIGHT_CLONES void
output_row (const gfloat *rgb, const gfloat *gain, const gfloat *const *e,
            const gfloat *const *m, gint n, gfloat *dst)
{
  for (gint x = 0; x < n; x++)
    {
      gfloat a = blend (clean_gain (gain[x]));

      for (gint c = 0; c < 3; c++)
        {
          gfloat jt = clean (rgb[3 * x + c]);
          gfloat d = e[c][x];

          if (m[0])
            d += m[c][x] - jt;
          dst[3 * x + c] = clean (jt + a * d);
        }
    }
}

/* Writes @rect of the result to @out, rows @out_stride floats apart. */
static void
render (const EvenlightDequant *dq, const gfloat *rgb, const gfloat *gain,
        gint width, gint height, gfloat quant_step, const EvenlightRect *rect,
        gfloat *out, gsize out_stride, Scratch *s)
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
          out[(gsize) y * out_stride + x] =
            clean (rgb[((gsize) (rect->y + y) * width + rect->x) * 3 + x]);
      return;
    }

  /* The network's window: rect plus the network's margin, inside the
   * image, origin aligned (v3's band positions read theirs around it). */
  x0 = MAX (0, rect->x - dq->margin) / dq->align * dq->align;
  y0 = MAX (0, rect->y - dq->margin) / dq->align * dq->align;
  x1 = MIN (width, rect->x + rect->width + dq->margin);
  y1 = MIN (height, rect->y + rect->height + dq->margin);
  ww = x1 - x0;
  wh = y1 - y0;

  input (dq, rgb, gain, width, height, quant_step, x0, y0, ww, wh, s);
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
  /* The tail's output, read in its packed form: E = unpack2 (t). */
  evenlight_nn_conv3x3 (&dq->tail, &s->f, &s->t, FALSE);

  for (gint y = 0; y < rect->height; y++)
    {
      const gint    wy = rect->y + y - y0, wx = rect->x - x0;
      const gsize   i = (gsize) (rect->y + y) * width + rect->x;
      const gfloat *e[3], *m[3] = { NULL, NULL, NULL };

      for (gint c = 0; c < 3; c++)
        {
          unpack_row (&s->t, c, wy, ww, s->rows + c * ww);
          e[c] = s->rows + c * ww + wx;
          if (!dq->bands)
            continue;
          unpack_row (&s->p, c, wy, ww, s->rows + (3 + c) * ww);
          m[c] = s->rows + (3 + c) * ww + wx;
        }
      output_row (rgb + 3 * i, gain + i, e, m, rect->width, out + (gsize) y * out_stride);
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
  render (dq, rgb, gain, width, height, quant_step, rect, out, 3 * (gsize) rect->width, &s);
  scratch_clear (&s);
  return TRUE;
}

/* One evenlight_dequant_apply() call. The image is cut into strips of
 * rows, each strip into tiles, the scheduler's jobs (core/parallel.h); each
 * worker keeps its scratch memory. A strip's result waits in @strip while
 * its tiles still read the input; once the strip is done, its rows go back
 * into the image except the last EVENLIGHT_DEQUANT_MARGIN, which the next
 * strip's tiles read, and which wait in @held until that strip is done.
 * So the result needs a strip and a margin of memory, not a copy of the
 * image, and every tile reads the input as it was. */
typedef struct
{
  const EvenlightDequant *dq;
  const gfloat           *rgb, *gain;
  gint                    width, height, tile_w, tiles_x;
  gint                    y, rows;       /* the strip being computed */
  gfloat                  quant_step;
  gfloat                 *strip, *held, *image;
  gint                    held_y, held_rows;
  Scratch                 scratch[EVENLIGHT_MAX_THREADS];
} Apply;

/* Rows [@first, @end) of what is finished back into the image: the held
 * rows of the strip before (they end where this strip starts), then this
 * strip's. */
static void
write_back (gpointer data, gint first, gint end)
{
  Apply      *a = data;
  const gsize row = 3 * (gsize) a->width;

  for (gint r = first; r < end; r++)
    memcpy (a->image + (a->held_y + r) * row,
            r < a->held_rows ? a->held + r * row : a->strip + (r - a->held_rows) * row,
            row * sizeof (gfloat));
}

static void
apply_tile (gpointer data, gint k, gint worker)
{
  Apply        *a = data;
  EvenlightRect r;

  r.x = k * a->tile_w;
  r.y = a->y;
  r.width = MIN (a->tile_w, a->width - r.x);
  r.height = a->rows;
  render (a->dq, a->rgb, a->gain, a->width, a->height, a->quant_step, &r,
          a->strip + (gsize) r.x * 3, 3 * (gsize) a->width, &a->scratch[worker]);
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
  const gsize row = 3 * (gsize) width;
  Apply *a;
  gint   tile, threads, strips, strip_h, workers = 0;

  if (!check_args (dq, rgb, gain, width, height, quant_step, error))
    return FALSE;
  tile = dq->bands ? EVENLIGHT_DEQUANT_TILE_V3 : EVENLIGHT_DEQUANT_TILE;
  threads = evenlight_parallel_threads (n_threads);
  /* Strips and tiles of about @tile pixels, of equal sizes, a strip's
   * tiles a multiple of the threads so that none waits for the last. */
  strips = (height + tile - 1) / tile;
  strip_h = (height + strips - 1) / strips;
  a = g_new0 (Apply, 1);
  a->dq = dq;
  a->rgb = a->image = rgb;
  a->gain = gain;
  a->width = width;
  a->height = height;
  a->quant_step = quant_step;
  a->tiles_x = (width + tile - 1) / tile;
  if (width / ((a->tiles_x + threads - 1) / threads * threads) >= tile / 2)
    a->tiles_x = (a->tiles_x + threads - 1) / threads * threads;
  a->tile_w = (width + a->tiles_x - 1) / a->tiles_x;
  a->tiles_x = (width + a->tile_w - 1) / a->tile_w;
  /* A strip reads EVENLIGHT_DEQUANT_MARGIN rows above it at most: the
   * held rows, never those of the strip before (strip_h ≥ the margin, or
   * a single strip). */
  G_STATIC_ASSERT (EVENLIGHT_DEQUANT_TILE / 2 >= EVENLIGHT_DEQUANT_MARGIN);
  a->strip = g_try_new (gfloat, (gsize) MIN (strip_h, height) * row);
  a->held = g_try_new (gfloat, (gsize) MIN (EVENLIGHT_DEQUANT_MARGIN, height) * row);
  if (!a->strip || !a->held)
    {
      g_autofree gchar *size = g_format_size ((gsize) (strip_h + EVENLIGHT_DEQUANT_MARGIN)
                                              * row * sizeof (gfloat));

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                   "dequantization: not enough memory for a strip of the %d × %d image (%s)",
                   width, height, size);
      g_free (a->strip);
      g_free (a->held);
      g_free (a);
      return FALSE;
    }
  for (a->y = 0; a->y < height; a->y += strip_h)
    {
      gint keep, used;

      a->rows = MIN (strip_h, height - a->y);
      used = evenlight_parallel_run (a->tiles_x, threads, apply_tile, a);
      workers = MAX (workers, used);
      /* The strip before is read no more: its held rows go back, with
       * this strip's but the last rows, which the next strip reads. */
      keep = a->y + a->rows < height ? MIN (EVENLIGHT_DEQUANT_MARGIN, a->rows) : 0;
      if (a->held_rows + a->rows - keep > 0)
        evenlight_parallel_bands (a->held_rows + a->rows - keep, threads, write_back, a);
      memcpy (a->held, a->strip + (a->rows - keep) * row, keep * row * sizeof (gfloat));
      a->held_rows = keep;
      a->held_y = a->y + a->rows - keep;
    }
  for (gint k = 0; k < workers; k++)
    scratch_clear (&a->scratch[k]);
  g_free (a->held);
  g_free (a->strip);
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
