/* The Denoise cache of a threaded region (evenlight_region_cache_*): what
 * a render of the pieces computed before Denoise acts (R1 and the noise
 * estimate N of paper Eq. 10), and the render of a piece from it when only
 * Denoise (γ3) changed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "render-private.h"
#include "dct.h"
#include "exposure.h"

#include <string.h>

struct _EvenlightRegionCache
{
  const EvenlightContext *context;
  EvenlightRect           rect;
  gfloat                  shadows, highlights;
  gboolean                valid;    /* r1 of every piece holds R1          */
  gboolean                has_n;    /* n of every piece holds N as well    */
  EvenlightPiece         *pieces;
  gint                    n_pieces, n_alloc;
};

EvenlightRegionCache *
evenlight_region_cache_new (void)
{
  return g_new0 (EvenlightRegionCache, 1);
}

void
evenlight_region_cache_clear (EvenlightRegionCache *cache)
{
  g_return_if_fail (cache != NULL);
  cache->valid = FALSE;
  cache->has_n = FALSE;
  cache->context = NULL;
}

void
evenlight_region_cache_free (EvenlightRegionCache *cache)
{
  gint i;

  if (cache == NULL)
    return;
  for (i = 0; i < cache->n_alloc; i++)
    {
      evenlight_planes_clear (&cache->pieces[i].r1);
      evenlight_planes_clear (&cache->pieces[i].n);
      evenlight_planes_clear (&cache->pieces[i].phi);
    }
  g_free (cache->pieces);
  g_free (cache);
}

gboolean
evenlight_region_cache_matches (const EvenlightRegionCache *cache,
                                const EvenlightContext     *context,
                                const EvenlightParams      *params,
                                const EvenlightRect        *rect)
{
  return cache->valid && cache->context == context
         && cache->rect.x == rect->x && cache->rect.y == rect->y
         && cache->rect.width == rect->width && cache->rect.height == rect->height
         && cache->shadows == params->shadows && cache->highlights == params->highlights
         && (cache->has_n || params->denoise == 0.0f);
}

EvenlightPiece *
evenlight_region_cache_pieces (EvenlightRegionCache *cache, gint *n_pieces)
{
  *n_pieces = cache->n_pieces;
  return cache->pieces;
}

EvenlightPiece *
evenlight_region_cache_reserve (EvenlightRegionCache *cache, gint n_pieces)
{
  evenlight_region_cache_clear (cache);
  if (cache->n_alloc < n_pieces)
    {
      cache->pieces = g_renew (EvenlightPiece, cache->pieces, n_pieces);
      memset (cache->pieces + cache->n_alloc, 0,
              (gsize) (n_pieces - cache->n_alloc) * sizeof (EvenlightPiece));
      cache->n_alloc = n_pieces;
    }
  return cache->pieces;
}

void
evenlight_region_cache_store (EvenlightRegionCache   *cache,
                              const EvenlightContext *context,
                              const EvenlightParams  *params,
                              const EvenlightRect    *rect,
                              gint                    n_pieces)
{
  cache->context = context;
  cache->rect = *rect;
  cache->shadows = params->shadows;
  cache->highlights = params->highlights;
  cache->n_pieces = n_pieces;
  cache->valid = TRUE;
  cache->has_n = params->denoise > 0.0f;
}

/* ---- Pieces --------------------------------------------------------------- */

/* The N samples Φ reads for @rect, within the tile's window (as
 * evenlight_render_tile() asks the Restoration-Net for them). */
static void
denoise_need (const EvenlightContext *context, const EvenlightRect *rect, EvenlightRect *need)
{
  EvenlightRect win;

  evenlight_tile_window (context, rect, EVENLIGHT_TILE_MARGIN, &win);
  evenlight_dct_need (rect, &win, need);
}

/* Copies @rect (level coordinates, inside @from's window) of @from into
 * @to, which then covers just @rect. */
static void
planes_copy_rect (const EvenlightPlanes *from, const EvenlightRect *rect, EvenlightPlanes *to)
{
  gint c, y;

  evenlight_planes_ensure (to, from->channels, rect->width, rect->height, rect->x, rect->y);
  for (c = 0; c < from->channels; c++)
    for (y = 0; y < rect->height; y++)
      memcpy (evenlight_planes_row (to, c, y),
              evenlight_planes_row (from, c, rect->y + y - from->y0) + (rect->x - from->x0),
              (gsize) rect->width * sizeof (gfloat));
}

void
evenlight_piece_keep (const EvenlightContext *context,
                      gfloat                  denoise,
                      const EvenlightScratch *scratch,
                      EvenlightPiece         *piece)
{
  planes_copy_rect (&scratch->r1, &piece->rect, &piece->r1);
  if (denoise > 0.0f)
    {
      EvenlightRect need;

      denoise_need (context, &piece->rect, &need);
      planes_copy_rect (&scratch->n, &need, &piece->n);
    }
}

/* R = clamp(R1 + Φ, 0, 1) (Φ = 0 when @phi is NULL) from the kept R1,
 * the same arithmetic as evenlight_render_tile(): one addition and two
 * comparisons per value, so the bits are the same. */
static void
piece_sum (const EvenlightPiece *piece, const EvenlightPlanes *phi, gfloat *out,
           gsize out_rowstride)
{
  gint x, y, c;

  for (y = 0; y < piece->rect.height; y++)
    {
      gfloat *o = out + (gsize) y * out_rowstride;

      for (c = 0; c < 3; c++)
        {
          const gfloat *r = evenlight_planes_row (&piece->r1, c, y);
          const gfloat *p = phi != NULL
                            ? evenlight_planes_row (phi, c, piece->rect.y + y - phi->y0)
                              + (piece->rect.x - phi->x0)
                            : NULL;

          for (x = 0; x < piece->rect.width; x++)
            {
              gfloat v = p != NULL ? r[x] + p[x] : r[x];

              o[3 * x + c] = v >= 0.0f ? (v <= 1.0f ? v : 1.0f) : 0.0f;
            }
        }
    }
}

void
evenlight_piece_render_kept (const EvenlightContext *context,
                             const EvenlightParams  *params,
                             EvenlightPiece         *piece,
                             gfloat                 *out,
                             gsize                   out_rowstride)
{
  gfloat denoise = params->denoise;
  /* Φ(N, γ3) with the shortcuts of evenlight_render_tile(). */
  const EvenlightPlanes *phi = NULL;

  if (denoise >= 1.0f)
    phi = &piece->n;
  else if (denoise > 0.0f)
    {
      evenlight_dct_filter (&piece->n, context->width, context->height, &piece->rect,
                            denoise, &piece->phi);
      phi = &piece->phi;
    }
  piece_sum (piece, phi, out, out_rowstride);
  evenlight_exposure_rows (evenlight_exposure_effective (context, params->shadows), out,
                           out_rowstride, piece->rect.width, piece->rect.height);
}
