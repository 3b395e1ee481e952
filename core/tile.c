/* One tile: paper Eq. (10) over a rectangle, through a window with the
 * margin the networks need (weights/MODEL.md §1–§5, §7).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"
#include "geometry.h"
#include "dct.h"
#include "exposure.h"
#include "fuse.h"
#include "fastmath.h"

#include <math.h>
#include <string.h>

#define G EVENLIGHT_GRID_CELLS
#define Z EVENLIGHT_GRID_BINS

guint
evenlight_scratch_planes (EvenlightScratch *s, EvenlightPlanes **all)
{
  EvenlightPlanes *list[] = {
    &s->x, &s->l, &s->li, &s->w, &s->r1, &s->n, &s->phi, &s->enc1,
    &s->enc2, &s->mid, &s->up, &s->t, &s->dec1, &s->o3, &s->skip, &s->pack,
    &s->f1, &s->f2, &s->fs, &s->f3, &s->o12,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (list) == EVENLIGHT_SCRATCH_PLANES);
  memcpy (all, list, sizeof list);
  return EVENLIGHT_SCRATCH_PLANES;
}

EvenlightScratch *
evenlight_scratch_new (void)
{
  EvenlightScratch *s = g_new0 (EvenlightScratch, 1);
  EvenlightPlanes *all[EVENLIGHT_SCRATCH_PLANES];
  guint i, n = evenlight_scratch_planes (s, all);

  s->arena = evenlight_arena_new ();
  for (i = 0; i < n; i++)
    all[i]->arena = s->arena;
  return s;
}

/* Before a tile: every plane is cut afresh from the start of the arena, as
 * the tile asks for it (the contents are not needed between tiles). The
 * arena then holds only this tile's blocks, not every size a plane grew
 * through (a whole image's first tiles lie at its border, smaller than the
 * inner ones), and its memory is faulted in once, by the largest tile. */
static void
scratch_recut (EvenlightScratch *s)
{
  EvenlightPlanes *all[EVENLIGHT_SCRATCH_PLANES];
  guint i, n = evenlight_scratch_planes (s, all);

  for (i = 0; i < n; i++)
    evenlight_planes_clear (all[i]);
  evenlight_arena_reset (s->arena);
}

void
evenlight_scratch_free (EvenlightScratch *s)
{
  EvenlightPlanes *all[EVENLIGHT_SCRATCH_PLANES];
  guint i, n;

  /* Checked before the member addresses below are formed: &s->x on a NULL
   * s is undefined behaviour (UBSan reports it), not a harmless offset. */
  if (s == NULL)
    return;

  n = evenlight_scratch_planes (s, all);
  for (i = 0; i < n; i++)
    evenlight_planes_clear (all[i]);
  evenlight_arena_free (s->arena);
  g_free (s->rgb);
  g_free (s);
}

void
evenlight_dct_need (const EvenlightRect *rect,
                    const EvenlightRect *window,
                    EvenlightRect       *need)
{
  /* The block origins lie at s·a − (b − s): the first block covering x
   * starts b − s before floor(x / s)·s, the last one ends b after it. */
  const gint s = EVENLIGHT_DCT_STRIDE, b = EVENLIGHT_DCT_BLOCK;
  gint x0 = MAX (window->x, evenlight_floor_to (rect->x, s) - (b - s));
  gint y0 = MAX (window->y, evenlight_floor_to (rect->y, s) - (b - s));
  gint x1 = MIN (window->x + window->width, evenlight_floor_to (rect->x + rect->width - 1, s) + b);
  gint y1 = MIN (window->y + window->height, evenlight_floor_to (rect->y + rect->height - 1, s) + b);

  need->x = x0;
  need->y = y0;
  need->width = x1 - x0;
  need->height = y1 - y0;
}

void
evenlight_tile_window (const EvenlightContext *context,
                       const EvenlightRect    *rect,
                       gint                    margin,
                       EvenlightRect          *window)
{
  gint x0 = MAX (0, evenlight_floor_to (rect->x - margin, EVENLIGHT_TILE_ALIGN));
  gint y0 = MAX (0, evenlight_floor_to (rect->y - margin, EVENLIGHT_TILE_ALIGN));
  gint x1 = MIN (context->width, evenlight_ceil_to (rect->x + rect->width + margin, EVENLIGHT_TILE_ALIGN));
  gint y1 = MIN (context->height, evenlight_ceil_to (rect->y + rect->height + margin, EVENLIGHT_TILE_ALIGN));

  window->x = x0;
  window->y = y0;
  window->width = x1 - x0;
  window->height = y1 - y0;
}

/* One axis of the slicing (§1): c = (i + 0.5) · (n / size) − 0.5, clamped
 * to [0, n − 1]; the cell pair and the weight of the second. */
static inline void
slice_axis (gint i, gfloat scale, gint n, gint *i0, gint *i1, gfloat *t)
{
  gfloat c = ((gfloat) i + 0.5f) * scale - 0.5f;

  c = c < 0.0f ? 0.0f : (c > (gfloat) (n - 1) ? (gfloat) (n - 1) : c);
  *i0 = (gint) c;
  *i1 = MIN (*i0 + 1, n - 1);
  *t = c - (gfloat) *i0;
}

/* L = max(slice(grid, v), v) for one pixel, from @h: the grid already
 * interpolated to this pixel's row and column, one value per bin, @hs
 * floats apart. */
static inline gfloat
slice_pixel (const gfloat *h, gsize hs, gfloat v)
{
  gfloat cz = v * (gfloat) Z - 0.5f;      /* in [−½, Z − ½] for v in [0, 1] */
  gint z0, z1;
  gfloat tz, a, b, s;

  /* z0 = ⌊clamp(cz, 0, Z − 1)⌋ and tz = clamp(cz) − z0, with the clamps
   * on the integer side (a float clamp feeding a conversion keeps GCC
   * from vectorising the loop). */
  z0 = evenlight_floor_int (cz + 1.0f) - 1;
  z0 = z0 < 0 ? 0 : (z0 > Z - 1 ? Z - 1 : z0);
  z1 = MIN (z0 + 1, Z - 1);
  cz = cz < 0.0f ? 0.0f : cz;
  cz = cz > (gfloat) (Z - 1) ? (gfloat) (Z - 1) : cz;
  tz = cz - (gfloat) z0;
  /* The two bins by a tree of selections on the bits of z0 and z1 rather
   * than by an indexed load: selections vectorise into blends, indexed
   * loads into slow gathers (and a chain of selections is not vectorised
   * by GCC at all). */
  G_STATIC_ASSERT (Z == 8);
  {
    gfloat h0 = h[0], h1 = h[hs], h2 = h[2 * hs], h3 = h[3 * hs];
    gfloat h4 = h[4 * hs], h5 = h[5 * hs], h6 = h[6 * hs], h7 = h[7 * hs];
    gfloat p01 = z0 & 1 ? h1 : h0, p23 = z0 & 1 ? h3 : h2;
    gfloat p45 = z0 & 1 ? h5 : h4, p67 = z0 & 1 ? h7 : h6;
    gfloat q01 = z1 & 1 ? h1 : h0, q23 = z1 & 1 ? h3 : h2;
    gfloat q45 = z1 & 1 ? h5 : h4, q67 = z1 & 1 ? h7 : h6;
    gfloat p03 = z0 & 2 ? p23 : p01, p47 = z0 & 2 ? p67 : p45;
    gfloat q03 = z1 & 2 ? q23 : q01, q47 = z1 & 2 ? q67 : q45;

    a = z0 & 4 ? p47 : p03;
    b = z1 & 4 ? q47 : q03;
  }
  s = (1.0f - tz) * a + tz * b;
  return s > v ? s : v;
}

/* The window's columns grouped by grid cell (§1): columns
 * [start[k], start[k + 1]) all interpolate between cells c0[k] and c1[k],
 * with weights (1 − t, t) per column in ut and t. */
typedef struct
{
  gint    n;
  gint    start[G + 1];
  gint    c0[G], c1[G];
  gfloat *ut, *t;
} SliceColumns;

/* One row of §1: sanitise and split the packed pixels, slice L and Li.
 * @gy and @gyi are the grids already interpolated to this row, [Z][G];
 * @hx and @hxi receive them interpolated to every column too, [Z][@hs]. */
EVENLIGHT_CLONES static void
slice_row (const gfloat *restrict px, gint width, const gfloat *restrict gy,
           const gfloat *restrict gyi, const SliceColumns *cols, gsize hs,
           gfloat *restrict hx, gfloat *restrict hxi, gfloat *restrict r, gfloat *restrict g,
           gfloat *restrict b, gfloat *restrict l, gfloat *restrict li)
{
  const gfloat *restrict ut = cols->ut, *restrict t = cols->t;
  gint x, k, z;

  for (x = 0; x < width; x++)
    {
      gfloat vr = evenlight_sanitize (px[3 * x]);
      gfloat vg = evenlight_sanitize (px[3 * x + 1]);
      gfloat vb = evenlight_sanitize (px[3 * x + 2]);
      gfloat hi = vr > vg ? vr : vg, lo = vr < vg ? vr : vg;
      r[x] = vr;
      g[x] = vg;
      b[x] = vb;
      l[x] = hi > vb ? hi : vb;                /* g = max(R, G, B)          */
      li[x] = 1.0f - (lo < vb ? lo : vb);      /* 1 − min = max(1 − R, …)   */
    }
  /* Along x for every bin: within a run of one cell pair the grid values
   * are constants, so this is a plain vector loop. */
  for (k = 0; k < cols->n; k++)
    for (z = 0; z < Z; z++)
      {
        gfloat a0 = gy[z * G + cols->c0[k]], a1 = gy[z * G + cols->c1[k]];
        gfloat b0 = gyi[z * G + cols->c0[k]], b1 = gyi[z * G + cols->c1[k]];
        gfloat *restrict h = hx + (gsize) z * hs, *restrict hi = hxi + (gsize) z * hs;

        for (x = cols->start[k]; x < cols->start[k + 1]; x++)
          {
            h[x] = ut[x] * a0 + t[x] * a1;
            hi[x] = ut[x] * b0 + t[x] * b1;
          }
      }
  for (x = 0; x < width; x++)
    {
      l[x] = slice_pixel (hx + x, hs, l[x]);
      li[x] = slice_pixel (hxi + x, hs, li[x]);
    }
}

/* One row of paper Eq. (10)'s inner terms (§2):
 * I_U = min(1, I / (L^γ1 + ε)), I_O = max(0, 1 − (1 − I) / (Li^γ2 + ε)). */
EVENLIGHT_CLONES static void
shadows_highlights_row (gint width, gfloat g1, gfloat g2, const gfloat *restrict l,
                        const gfloat *restrict li, const gfloat *r, const gfloat *g,
                        const gfloat *b, EvenlightPlanes *xp, gint y,
                        gfloat *restrict du, gfloat *restrict dout)
{
  const gfloat *in[3] = { r, g, b };
  gint x, c;

  for (x = 0; x < width; x++)
    {
      du[x] = evenlight_powf_unit (l[x], g1) + EVENLIGHT_EPSILON;
      dout[x] = evenlight_powf_unit (li[x], g2) + EVENLIGHT_EPSILON;
    }
  for (c = 0; c < 3; c++)
    {
      const gfloat *i = in[c];
      gfloat *iu = evenlight_planes_row (xp, 3 + c, y);
      gfloat *io = evenlight_planes_row (xp, 6 + c, y);
      for (x = 0; x < width; x++)
        {
          gfloat u = i[x] / du[x];
          gfloat o = 1.0f - (1.0f - i[x]) / dout[x];
          iu[x] = u < 1.0f ? u : 1.0f;
          io[x] = o > 0.0f ? o : 0.0f;
        }
    }
}

/* Reads the window, sanitises it, slices L and Li and forms the 9-channel
 * Fusion-Net input x = (I, I_U, I_O) (§1, §2). */
static gboolean
tile_input (const EvenlightContext *ctx,
            const EvenlightParams  *params,
            const EvenlightRect    *win,
            EvenlightReadFunc       read,
            gpointer                read_data,
            EvenlightScratch       *s,
            GError                **error)
{
  gsize need = (gsize) win->width * win->height * 3;
  gfloat sx = (gfloat) ((gdouble) G / ctx->width);
  gfloat sy = (gfloat) ((gdouble) G / ctx->height);
  SliceColumns cols;
  gfloat *buf, *du, *dout, *hx, *hxi;
  gsize hs = ((gsize) win->width + 15) / 16 * 16;
  GError *local = NULL;
  gint x, y, c;

  if (s->rgb_size < need)
    {
      g_free (s->rgb);
      s->rgb = g_new (gfloat, need);
      s->rgb_size = need;
    }
  if (!read (win, s->rgb, read_data, &local))
    {
      if (local == NULL)
        g_set_error (&local, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT,
                     "Reading pixels %d,%d %d × %d failed",
                     win->x, win->y, win->width, win->height);
      g_propagate_error (error, local);
      return FALSE;
    }

  evenlight_planes_ensure (&s->x, 9, win->width, win->height, win->x, win->y);
  evenlight_planes_ensure (&s->l, 1, win->width, win->height, win->x, win->y);
  evenlight_planes_ensure (&s->li, 1, win->width, win->height, win->x, win->y);

  buf = g_new (gfloat, (4 + 2 * Z) * hs);
  cols.ut = buf;
  cols.t = buf + hs;
  du = buf + 2 * hs;             /* L^γ1 + ε of the row  */
  dout = buf + 3 * hs;           /* Li^γ2 + ε of the row */
  hx = buf + 4 * hs;
  hxi = hx + Z * hs;
  cols.n = 0;
  for (x = 0; x < win->width; x++)
    {
      gint x0, x1;

      slice_axis (win->x + x, sx, G, &x0, &x1, &cols.t[x]);
      cols.ut[x] = 1.0f - cols.t[x];
      if (cols.n == 0 || cols.c0[cols.n - 1] != x0)
        {
          /* x0 never decreases along the row, so each cell is one run */
          cols.start[cols.n] = x;
          cols.c0[cols.n] = x0;
          cols.c1[cols.n] = x1;
          cols.n++;
        }
    }
  cols.start[cols.n] = win->width;

  for (y = 0; y < win->height; y++)
    {
      const gfloat *px = s->rgb + (gsize) y * win->width * 3;
      gfloat *r = evenlight_planes_row (&s->x, 0, y);
      gfloat *gr = evenlight_planes_row (&s->x, 1, y);
      gfloat *b = evenlight_planes_row (&s->x, 2, y);
      gfloat *l = evenlight_planes_row (&s->l, 0, y);
      gfloat *li = evenlight_planes_row (&s->li, 0, y);
      gfloat gy[Z * G], gyi[Z * G];
      gint y0, y1, z, k;
      gfloat ty;

      slice_axis (win->y + y, sy, G, &y0, &y1, &ty);
      for (z = 0; z < Z; z++)
        for (k = 0; k < G; k++)
          {
            gy[z * G + k] = (1.0f - ty) * ctx->grid[(z * G + y0) * G + k]
                            + ty * ctx->grid[(z * G + y1) * G + k];
            gyi[z * G + k] = (1.0f - ty) * ctx->grid_inv[(z * G + y0) * G + k]
                             + ty * ctx->grid_inv[(z * G + y1) * G + k];
          }

      slice_row (px, win->width, gy, gyi, &cols, hs, hx, hxi, r, gr, b, l, li);
      shadows_highlights_row (win->width, params->shadows, params->highlights, l, li,
                              r, gr, b, &s->x, y, du, dout);
      for (c = 0; c < 9; c++)
        evenlight_border_row (evenlight_planes_row (&s->x, c, y), win->width);
    }

  g_free (buf);
  return TRUE;
}

/* One row of R = clamp(R1 + Φ, 0, 1) (Φ = 0 when @p0 is NULL), packed
 * RGB: the three channels in one pass so the interleaved stores
 * vectorise. */
EVENLIGHT_CLONES static void
result_row (const gfloat *restrict r0, const gfloat *restrict r1, const gfloat *restrict r2,
            const gfloat *restrict p0, const gfloat *restrict p1, const gfloat *restrict p2,
            gint width, gfloat *restrict o)
{
  gint x;

#define CLAMP01(v) ((v) >= 0.0f ? ((v) <= 1.0f ? (v) : 1.0f) : 0.0f)
  if (p0 == NULL)
    for (x = 0; x < width; x++)
      {
        o[3 * x] = CLAMP01 (r0[x]);
        o[3 * x + 1] = CLAMP01 (r1[x]);
        o[3 * x + 2] = CLAMP01 (r2[x]);
      }
  else
    for (x = 0; x < width; x++)
      {
        gfloat v0 = r0[x] + p0[x], v1 = r1[x] + p1[x], v2 = r2[x] + p2[x];

        o[3 * x] = CLAMP01 (v0);
        o[3 * x + 1] = CLAMP01 (v1);
        o[3 * x + 2] = CLAMP01 (v2);
      }
#undef CLAMP01
}

gboolean
evenlight_render_tile (const EvenlightContext *ctx,
                       const EvenlightParams  *params,
                       const EvenlightRect    *rect,
                       gint                    margin,
                       EvenlightReadFunc       read,
                       gpointer                read_data,
                       EvenlightScratch       *s,
                       gboolean                keep_all,
                       gfloat                 *out,
                       gsize                   out_rowstride,
                       GError                **error)
{
  EvenlightRect win;
  gfloat g3 = params->denoise;
  gboolean restore = g3 > 0.0f || keep_all;
  gint y, c;

  scratch_recut (s);
  evenlight_tile_window (ctx, rect, margin, &win);
  if (ctx->bracket != NULL
      ? !evenlight_bracket_tile_input (ctx, &win, s, error)
      : !tile_input (ctx, params, &win, read, read_data, s, error))
    return FALSE;

  evenlight_model_fusion (evenlight_context_fusion_net (ctx), s,
                          ctx->has_fusion_bias ? ctx->fusion_bias : NULL);
  if (restore)
    {
      /* N where Φ's blocks read it (§5). */
      EvenlightRect need;

      evenlight_dct_need (rect, &win, &need);
      evenlight_model_restoration (ctx->model, s, keep_all ? NULL : &need);
    }
  /* Φ(N, γ3), with the exact shortcuts of §5: γ3 = 0 → 0, γ3 = 1 → N. */
  if (g3 > 0.0f && g3 < 1.0f)
    evenlight_dct_filter (&s->n, ctx->width, ctx->height, rect, g3, &s->phi);

  /* R = clamp(R1 + Φ, 0, 1), packed into the caller's rows. */
  for (y = 0; y < rect->height; y++)
    {
      gint wy = rect->y + y - win.y, wx = rect->x - win.x;
      const gfloat *r1[3], *phi[3] = { NULL, NULL, NULL };

      for (c = 0; c < 3; c++)
        {
          r1[c] = evenlight_planes_row (&s->r1, c, wy) + wx;
          if (g3 >= 1.0f)
            phi[c] = evenlight_planes_row (&s->n, c, rect->y + y - s->n.y0) + (rect->x - s->n.x0);
          else if (g3 > 0.0f)
            phi[c] = evenlight_planes_row (&s->phi, c, y);
        }
      result_row (r1[0], r1[1], r1[2], phi[0], phi[1], phi[2], rect->width,
                  out + (gsize) y * out_rowstride);
    }
  /* The exposure step (§5b), after the clamp. */
  evenlight_exposure_rows (evenlight_exposure_effective (ctx, params->shadows), out,
                           out_rowstride, rect->width, rect->height);
  return TRUE;
}
