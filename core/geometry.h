/* Tile geometry: how far each stage of the engine reads around the pixels
 * it writes, where its windows start, and how large the pieces are that it
 * cuts an image into. Every file that cuts, grows or streams rectangles
 * takes these facts from here (callers outside core/ ask for them through
 * evenlight_render_margin() and evenlight_render_tile_size()), so a change
 * of a network's layers moves every user with it. Not installed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main network's margin, EVENLIGHT_TILE_MARGIN, is derived in model.h
 * next to the layer table it follows from (MODEL.md §7), with the spread
 * rules EL_BAD_*() that the dequantization margins below reuse; its window
 * alignment EVENLIGHT_TILE_ALIGN and tile side EVENLIGHT_TILE_SIZE sit
 * there too. This header includes them rather than restating them.
 */
#ifndef EVENLIGHT_GEOMETRY_H
#define EVENLIGHT_GEOMETRY_H

#include <glib.h>

#include "dct.h"
#include "dequant.h"
#include "model.h"

G_BEGIN_DECLS

/* Largest strip a stage that reads the whole image in strips reads at
 * once, in pixels: about 3 MB of packed float RGB. The bracket analysis
 * of fuse.c takes it from here; the context's pooling (context.c) reads
 * strips of the same size. */
#define EVENLIGHT_STRIP_PIXELS (1 << 18)

/* ---- Φ's reads (§5) ------------------------------------------------------- */

/* The N samples Φ(N, γ3) reads for @rect: the EVENLIGHT_DCT_BLOCK-sided
 * blocks on the EVENLIGHT_DCT_STRIDE grid that cover it, clipped to
 * @window (the tile's window, which the image border already clips). The
 * tile renderer asks the Restoration-Net for exactly these; the Denoise
 * cache keeps exactly these. */
void evenlight_dct_need (const EvenlightRect *rect,
                         const EvenlightRect *window,
                         EvenlightRect       *need);

/* ---- Dequantization (DEQUANT.md §2) --------------------------------------- */

/* How far wrong values spread from an inner window border through the
 * dequantization networks, with model.h's rules (pixels of each layer's
 * own level; the near side is the worse one). */
#define EL_DQ_BAD_HEAD EL_BAD_CONV3X3 (EL_BAD_PACK2 (0))                          /* 1 half      */
#define EL_DQ_BAD_E1   EL_BAD_CONV3X3_S2 (EL_DQ_BAD_HEAD)                          /* 1 quarter   */
#define EL_DQ_BAD_E2   EL_BAD_CONV3X3_S2 (EL_DQ_BAD_E1)                            /* 1 eighth    */
#define EL_DQ_BAD_E3   EL_BAD_CONV3X3_S2 (EL_DQ_BAD_E2)                            /* 1 sixteenth */
#define EL_DQ_BAD_MID  EL_BAD_CONV3X3 (EL_DQ_BAD_E3)                               /* 2 sixteenth */
#define EL_DQ_BAD_D2   EL_BAD_CONV3X3 (EL_BAD_MAX (EL_BAD_UP2 (EL_DQ_BAD_MID), EL_DQ_BAD_E2)) /* 6 eighth   */
#define EL_DQ_BAD_D1   EL_BAD_CONV3X3 (EL_BAD_MAX (EL_BAD_UP2 (EL_DQ_BAD_D2), EL_DQ_BAD_E1))  /* 14 quarter */
#define EL_DQ_BAD_CTX  EL_BAD_MAX (EL_BAD_UP2 (EL_DQ_BAD_D1), EL_DQ_BAD_HEAD)     /* 29 half     */
/* After a head spoilt by @f: @n residual blocks of two convolutions, the
 * tail (one more), unpack2 (×2), in full-resolution pixels. */
#define EL_DQ_BAD_OUT(f, n) EL_BAD_UNPACK2 ((f) + 2 * (n) + 1)

/* The margin and window alignment of each architecture. The margins are
 * the spread of four residual blocks rounded up (the loader refuses more
 * blocks than the margin covers); v3 runs v1's network on an input the
 * band positions prepared, which read EVENLIGHT_DEQUANT_BAND_MARGIN pixels
 * further. v2's context branch halves four times, so its windows start on
 * multiples of 16. */
#define EVENLIGHT_DEQUANT_MARGIN_V1 24
#define EVENLIGHT_DEQUANT_MARGIN_V2 80
#define EVENLIGHT_DEQUANT_MARGIN_V3 (EVENLIGHT_DEQUANT_MARGIN_V1 + EVENLIGHT_DEQUANT_BAND_MARGIN)
#define EVENLIGHT_DEQUANT_ALIGN_V1  2
#define EVENLIGHT_DEQUANT_ALIGN_V2  EVENLIGHT_DEQUANT_ALIGN

/* Output tile side of evenlight_dequant_apply(). v3 reads 64 more pixels
 * around a tile for its band positions: larger tiles keep that overlap
 * down (EVENLIGHT_DEQUANT_TILE_V3: 1.5 × the tile's pixels instead of
 * 2.1 ×). */
#define EVENLIGHT_DEQUANT_TILE      384
#define EVENLIGHT_DEQUANT_TILE_V3   768

G_STATIC_ASSERT (EL_DQ_BAD_OUT (EL_DQ_BAD_HEAD, 4) == 20);
G_STATIC_ASSERT (EL_DQ_BAD_OUT (EL_DQ_BAD_CTX, 4) == 76);
G_STATIC_ASSERT (EL_DQ_BAD_OUT (EL_DQ_BAD_HEAD, 4) <= EVENLIGHT_DEQUANT_MARGIN_V1);
G_STATIC_ASSERT (EL_DQ_BAD_OUT (EL_DQ_BAD_CTX, 4) <= EVENLIGHT_DEQUANT_MARGIN_V2);
/* The public bound covers every architecture with its alignment. */
G_STATIC_ASSERT (EVENLIGHT_DEQUANT_MARGIN_V2 + EVENLIGHT_DEQUANT_ALIGN_V2 - 1 <= EVENLIGHT_DEQUANT_MARGIN);
G_STATIC_ASSERT (EVENLIGHT_DEQUANT_MARGIN_V3 + EVENLIGHT_DEQUANT_ALIGN_V1 - 1 <= EVENLIGHT_DEQUANT_MARGIN);

G_END_DECLS

#endif /* EVENLIGHT_GEOMETRY_H */
