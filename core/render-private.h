/* Internal to the render entry points of paper Eq. (10) (region.c: the
 * argument checks, the cut into tiles and one region on the calling
 * thread; scratch-pool.c: scratch memory kept between calls;
 * region-threads.c: one region on several threads; region-cache.c: its
 * Denoise cache; enhance-tiled.c: the tiled whole-image pass). Not
 * installed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes through evenlight_render_tile(), one tile at a time (the
 * Denoise cache only reuses what it computed), so a pixel's value never
 * depends on how the work was cut up or shared out.
 */
#ifndef EVENLIGHT_RENDER_PRIVATE_H
#define EVENLIGHT_RENDER_PRIVATE_H

#include "geometry.h"
#include "model.h"

G_BEGIN_DECLS

/* ---- Checks and tiles (region.c) ------------------------------------------ */

/* FALSE, with a message, unless @context, @rect and @read (or a bracket's
 * own read function) are given, @params are valid and @rect lies inside
 * the image. */
gboolean evenlight_render_check_call   (const EvenlightContext *context,
                                        const EvenlightParams  *params,
                                        const EvenlightRect    *rect,
                                        EvenlightReadFunc       read,
                                        GError                **error);
/* The same for the region entry points, which also write into @out. */
gboolean evenlight_render_check_region (const EvenlightContext *context,
                                        const EvenlightParams  *params,
                                        const EvenlightRect    *rect,
                                        EvenlightReadFunc       read,
                                        const gfloat           *out,
                                        gsize                   out_rowstride,
                                        GError                **error);

/* How many EVENLIGHT_TILE_SIZE squares cut @rect, and tile @i of them,
 * row by row. */
gint     evenlight_render_n_tiles      (const EvenlightRect *rect);
void     evenlight_render_tile_rect    (const EvenlightRect *rect,
                                        gint                 i,
                                        EvenlightRect       *tile);

/* ---- Scratch memory (scratch-pool.c) -------------------------------------- */

/* The scratch memory of the calling thread, kept between calls and freed
 * when the thread ends. */
EvenlightScratch *evenlight_scratch_of_thread (void);
/* Scratch memory for a worker: a spare one left by an earlier worker, or
 * a new one. */
EvenlightScratch *evenlight_scratch_take      (void);
/* Gives a worker's scratch memory back, to be kept for the next worker
 * (or freed when enough are kept). */
void              evenlight_scratch_give      (EvenlightScratch *scratch);

/* ---- The Denoise cache of a threaded region (region-cache.c) -------------- */

/* One piece of a threaded region: what it renders, and what the cache
 * keeps of it. */
typedef struct
{
  EvenlightRect   rect;
  EvenlightPlanes r1;    /* R1 over rect                                  */
  EvenlightPlanes n;     /* N over the samples Φ reads for rect (§5)      */
  EvenlightPlanes phi;   /* Φ(N, γ3) over rect, reused between calls      */
} EvenlightPiece;

/* TRUE when only Denoise changed since the call that filled @cache: its
 * pieces hold R1 (and N, when @params needs it) for @context, @rect, and
 * @params' Shadows and Highlights. */
gboolean        evenlight_region_cache_matches (const EvenlightRegionCache *cache,
                                                const EvenlightContext     *context,
                                                const EvenlightParams      *params,
                                                const EvenlightRect        *rect);
/* The pieces of @cache, and their number in @n_pieces. */
EvenlightPiece *evenlight_region_cache_pieces  (EvenlightRegionCache *cache,
                                                gint                 *n_pieces);
/* Clears @cache and gives room for @n_pieces pieces to fill. */
EvenlightPiece *evenlight_region_cache_reserve (EvenlightRegionCache *cache,
                                                gint                  n_pieces);
/* Marks the first @n_pieces pieces of @cache as filled for @context,
 * @rect and @params. */
void            evenlight_region_cache_store   (EvenlightRegionCache   *cache,
                                                const EvenlightContext *context,
                                                const EvenlightParams  *params,
                                                const EvenlightRect    *rect,
                                                gint                    n_pieces);

/* Keeps in @piece what @scratch holds after rendering it: R1, and N when
 * Denoise (@denoise = γ3) needs it. */
void evenlight_piece_keep        (const EvenlightContext *context,
                                  gfloat                  denoise,
                                  const EvenlightScratch *scratch,
                                  EvenlightPiece         *piece);
/* Renders @piece from what it keeps, for @params (their Denoise; Shadows
 * and Highlights are those it was kept for), into @out: the same bits as
 * evenlight_render_tile(). */
void evenlight_piece_render_kept (const EvenlightContext *context,
                                  const EvenlightParams  *params,
                                  EvenlightPiece         *piece,
                                  gfloat                 *out,
                                  gsize                   out_rowstride);

G_END_DECLS

#endif
