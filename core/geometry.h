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
 * The main network's margin, EVENLIGHT_TILE_MARGIN, is derived below from
 * its layer table (MODEL.md §7), with the spread rules EL_BAD_*() that the
 * dequantization margins reuse. model.h includes this header (not the
 * reverse), so the networks' code sees the margin it is cut by.
 */
#ifndef EVENLIGHT_GEOMETRY_H
#define EVENLIGHT_GEOMETRY_H

#include <glib.h>

#include "dct.h"
#include "dequant.h"

G_BEGIN_DECLS

/* ---- Tile margin (MODEL.md §7) ---------------------------------------------
 *
 * A tile computes every layer over a window of its level: the output
 * rectangle plus a margin, the window's corners on multiples of
 * EVENLIGHT_TILE_ALIGN in image coordinates (so each coarser level starts
 * on a whole pixel and stride 2 / pack2 see the same parity as the whole
 * image), clipped to the image. At the image border the window clamps like
 * the level does; at an inner border the clamped reads are wrong, and the
 * wrongness spreads inwards layer by layer. The macros below follow that
 * spread through the layer table, counting how many pixels next to an
 * aligned inner window border are wrong after each step (in pixels of the
 * step's own level). The near (left/top) side is the worse one: a stride-2
 * conv reads rows 2i−1 … 2i+1, one more row before than after. */
#define EVENLIGHT_TILE_ALIGN 4

#define EL_BAD_CONV3X3(g)    ((g) + 1)              /* reads one pixel further   */
#define EL_BAD_CONV3X3_S2(g) (((g) + 2) / 2)        /* i bad iff 2i − 1 < g      */
#define EL_BAD_UP2(g)        (2 * (g) + 1)          /* i bad iff ⌊i/2 − ¼⌋ < g   */
#define EL_BAD_PACK2(g)      (((g) + 1) / 2)        /* i bad iff 2i < g          */
#define EL_BAD_UNPACK2(g)    (2 * (g))
#define EL_BAD_DCT(g)        ((((g) + 3) / 4) * 4 + 4) /* blocks from ⌊x/4⌋·4 − 4 on */
#define EL_BAD_MAX(a, b)     ((a) > (b) ? (a) : (b))

/* Fusion-Net (§3); the 1×1 layers, softmax and R1 are per pixel. */
#define EL_BAD_ENC1 EL_BAD_CONV3X3_S2 (0)                                  /* 1 half    */
#define EL_BAD_ENC2 EL_BAD_CONV3X3_S2 (EL_BAD_ENC1)                        /* 1 quarter */
#define EL_BAD_MID  EL_BAD_CONV3X3 (EL_BAD_ENC2)                           /* 2 quarter */
#define EL_BAD_DEC1 EL_BAD_CONV3X3 (EL_BAD_MAX (EL_BAD_UP2 (EL_BAD_MID), EL_BAD_ENC1)) /* 6 half */
#define EL_BAD_R1   EL_BAD_UP2 (EL_BAD_DEC1)                               /* 13 full   */
/* Restoration-Net (§4): pack2, conv1, conv2, conv3 on f1 + f2, 1×1, unpack2. */
#define EL_BAD_F1   EL_BAD_CONV3X3 (EL_BAD_PACK2 (EL_BAD_R1))              /* 8 half    */
#define EL_BAD_F2   EL_BAD_CONV3X3 (EL_BAD_F1)                             /* 9 half    */
#define EL_BAD_F3   EL_BAD_CONV3X3 (EL_BAD_MAX (EL_BAD_F1, EL_BAD_F2))     /* 10 half   */
#define EL_BAD_N    EL_BAD_UNPACK2 (EL_BAD_F3)                             /* 20 full   */
/* Φ (§5) and R = clamp(R1 + Φ). */
#define EL_BAD_R    EL_BAD_MAX (EL_BAD_R1, EL_BAD_DCT (EL_BAD_N))          /* 24 full   */

/* The margin in full-resolution pixels on each side of a tile's output. */
#define EVENLIGHT_TILE_MARGIN EL_BAD_R
G_STATIC_ASSERT (EVENLIGHT_TILE_MARGIN == 24);  /* MODEL.md §7 */

/* Output tile size of evenlight_enhance() and evenlight_render_region(). */
#define EVENLIGHT_TILE_SIZE 256

/* Largest strip a stage that reads the whole image in strips reads at
 * once, in pixels: about 3 MB of packed float RGB. The context's pooling
 * (context.c) and the bracket analysis of fuse.c take it from here. */
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
 * dequantization networks, with the rules above (pixels of each layer's
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
