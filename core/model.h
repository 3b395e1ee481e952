/* Illumination-, Fusion- and Restoration-Net (weights/MODEL.md §1–§4) and
 * the internal entry points the tile renderer and the tests use; the tile
 * margin they need (§7) is derived in geometry.h, which this header
 * includes. Not installed; not part of the public API.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_MODEL_H
#define EVENLIGHT_MODEL_H

#include <glib.h>
#include "evenlight.h"
#include "geometry.h"
#include "image.h"
#include "nn.h"
#include "weights.h"

G_BEGIN_DECLS

#define EVENLIGHT_ARCHITECTURE_ID "evenlight-net-v1"
/* v2 adds the Fusion-Net's global bias (MODEL.md §3). */
#define EVENLIGHT_ARCHITECTURE_V2 "evenlight-net-v2"

#define EVENLIGHT_EPSILON    1e-3f  /* ε of I_U and I_O (MODEL.md §2)          */
#define EVENLIGHT_POOL_SIZE  128    /* Illumination-Net input, per side        */
#define EVENLIGHT_GRID_CELLS 16     /* bilateral grid cells per side           */
#define EVENLIGHT_GRID_BINS  8      /* bilateral grid intensity bins           */
#define EVENLIGHT_GRID_SIZE  (EVENLIGHT_GRID_BINS * EVENLIGHT_GRID_CELLS * EVENLIGHT_GRID_CELLS)

/* ---- Model ------------------------------------------------------------------ */

/* A Fusion-Net (§3): the single-image one, and optionally one of its own
 * for brackets (MODEL.md §6). */
typedef struct
{
  EvenlightConv enc1, enc2, mid, dec1, out, skip;
  const gfloat *global_w;         /* [3][16], NULL for v1 */
  const gfloat *global_b;         /* [3]                  */
} EvenlightFusionNet;

struct _EvenlightModel
{
  EvenlightWeights *weights;
  /* Illumination-Net */
  EvenlightConv illum_conv1, illum_conv2, illum_conv3, illum_grid;
  const gfloat *illum_global_w;   /* [8][8] */
  const gfloat *illum_global_b;   /* [8]    */
  EvenlightFusionNet fusion;
  /* The Fusion-Net for brackets (tensors "bracket.*", MODEL.md §3b), if
   * the weights have one; brackets use the single-image one otherwise. */
  gboolean           has_bracket_fusion;
  EvenlightFusionNet bracket_fusion;
  /* Restoration-Net; out1 … out3 joined into one 24 → 12 layer */
  EvenlightConv rconv1, rconv2, rconv3, rout;
  /* The exposure step (exposure.h, §5b): the tensor "exposure.floor". */
  gboolean has_exposure_floor;
  gfloat   exposure_floor;
};

/* Builds a model over @weights (taking ownership, also on failure):
 * checks the architecture id and every tensor's shape. */
EvenlightModel *evenlight_model_new_from_weights (EvenlightWeights *weights,
                                                  GError          **error);

/* Illumination-Net (§1) from the pooled packed guide
 * (4 × EVENLIGHT_POOL_SIZE²) to the grid (8 bins × 16 × 16) and, unless
 * @features is NULL, its 8 global features gl. */
void evenlight_model_illumination (const EvenlightModel *model,
                                   const gfloat         *pooled,
                                   gfloat               *grid,
                                   gfloat               *features);

/* The Fusion-Net's global logit bias (§3, v2) from the global features of
 * the image and of its inverse; FALSE (and @bias untouched) for v1. */
gboolean evenlight_model_fusion_bias (const EvenlightFusionNet *net,
                                      const gfloat         *gl,
                                      const gfloat         *gl_inv,
                                      gfloat                bias[3]);

/* ---- Tiles --------------------------------------------------------------- */

/* Everything a tile computes, kept between tiles to reuse the memory (about
 * 23 MB for a 256 × 256 tile). After evenlight_render_tile() with @keep_all
 * the planes below hold the whole window: the tests read them to compare
 * with the PyTorch reference. */
typedef struct
{
  EvenlightPlanes x;        /* 9: I (sanitised), I_U, I_O (§2)       */
  EvenlightPlanes l, li;    /* 1 each: L and Li (§1)                 */
  EvenlightPlanes w;        /* 3: fusion weights w_I, w_U, w_O (§3)  */
  EvenlightPlanes r1;       /* 3: R1                                 */
  EvenlightPlanes n;        /* 3: N (§4)                             */
  EvenlightPlanes phi;      /* 3: Φ(N, γ3) over the output rectangle */
  /* intermediates */
  EvenlightPlanes enc1, enc2, mid, up, t, dec1, o3, skip;
  EvenlightPlanes pack, f1, f2, fs, f3, o12;
  gfloat *rgb;              /* packed pixels read from the caller    */
  gsize   rgb_size;
  EvenlightArena *arena;    /* where all the planes above come from  */
} EvenlightScratch;

EvenlightScratch *evenlight_scratch_new  (void);
void              evenlight_scratch_free (EvenlightScratch *scratch);
/* The planes of @scratch, in @all (room for EVENLIGHT_SCRATCH_PLANES);
 * their number. */
#define EVENLIGHT_SCRATCH_PLANES 21
guint             evenlight_scratch_planes (EvenlightScratch *scratch,
                                            EvenlightPlanes **all);

/* Fusion-Net (§3) on scratch->x: fills scratch->w and scratch->r1. @bias:
 * the three logits' global bias (v2), or NULL. */
void evenlight_model_fusion      (const EvenlightFusionNet *net,
                                  EvenlightScratch         *scratch,
                                  const gfloat             *bias);
/* Restoration-Net (§4) on scratch->r1: fills scratch->n over at least
 * @need (full resolution, inside the window; NULL: the whole window),
 * computing each layer only where the next one needs it. */
void evenlight_model_restoration (const EvenlightModel *model,
                                  EvenlightScratch     *scratch,
                                  const EvenlightRect  *need);

typedef struct _EvenlightBracket EvenlightBracket;

struct _EvenlightContext
{
  const EvenlightModel *model;
  gint   width, height;
  EvenlightBracket     *bracket;         /* NULL unless fusing (fuse.h) */
  gfloat grid[EVENLIGHT_GRID_SIZE];      /* of I      */
  gfloat grid_inv[EVENLIGHT_GRID_SIZE];  /* of 1 − I  */
  gboolean has_fusion_bias;              /* v2 weights           */
  gfloat fusion_bias[3];                 /* of the logits (§3)   */
  gfloat exposure_gain;                  /* g of §5b; 0 or 1: none */
};

/* The Fusion-Net a render of @context uses: the model's own for brackets
 * when it has one (MODEL.md §6), else the single-image one. */
const EvenlightFusionNet *evenlight_context_fusion_net (const EvenlightContext *context);

/* Largest image side accepted. */
#define EVENLIGHT_MAX_SIDE (1 << 19)

/* FALSE, with the message every entry point gives, unless each side is 1
 * to EVENLIGHT_MAX_SIDE. */
gboolean evenlight_check_size (gint width, gint height, GError **error);

/* The grids of @context (of its size and model) and its Fusion-Net bias,
 * from the image @read gives. */
gboolean evenlight_context_illuminate (EvenlightContext  *context,
                                       EvenlightReadFunc  read,
                                       gpointer           user_data,
                                       GError           **error);

/* The exposure thumbnail's sums (exposure.h). */
typedef struct _EvenlightThumb EvenlightThumb;

/* Reads the image once in strips and pools pack2 of the bright channel of
 * I and of 1 − I to @pooled: 2 × 4 × EVENLIGHT_POOL_SIZE² floats (§1);
 * adds every row to @thumb too unless it is NULL (exposure.h). */
gboolean evenlight_context_pool (gint               width,
                                 gint               height,
                                 EvenlightReadFunc  read,
                                 gpointer           user_data,
                                 gfloat            *pooled,
                                 EvenlightThumb    *thumb,
                                 GError           **error);

/* The window a tile with output @rect computes: @rect grown by @margin,
 * corners on multiples of EVENLIGHT_TILE_ALIGN, clipped to the image. */
void evenlight_tile_window (const EvenlightContext *context,
                            const EvenlightRect    *rect,
                            gint                    margin,
                            EvenlightRect          *window);

/* Renders @rect (inside the image) through the window of @margin into
 * @out (packed RGB rows @out_rowstride floats apart). @keep_all also runs
 * the Restoration-Net when γ3 = 0 (its result is not used then). The
 * margin is a parameter only so the tests can show a smaller one fails;
 * everything else passes EVENLIGHT_TILE_MARGIN. Parameters must be valid. */
gboolean evenlight_render_tile (const EvenlightContext *context,
                                const EvenlightParams  *params,
                                const EvenlightRect    *rect,
                                gint                    margin,
                                EvenlightReadFunc       read,
                                gpointer                read_data,
                                EvenlightScratch       *scratch,
                                gboolean                keep_all,
                                gfloat                 *out,
                                gsize                   out_rowstride,
                                GError                **error);

G_END_DECLS

#endif
