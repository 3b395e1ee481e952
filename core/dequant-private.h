/* Internal to the dequantization network (dequant-load.c: the weights
 * and their checks; dequant.c: inference; dequant-bands.c: the band
 * positions). Not installed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_DEQUANT_PRIVATE_H
#define EVENLIGHT_DEQUANT_PRIVATE_H

#include "dequant.h"
#include "nn.h"
#include "weights.h"

#define STEP_SCALE  4.0f     /* model.py STEP_SCALE */
#define IN_CHANNELS 4        /* v1, v2: J̃ and the step */
#define IN_CHANNELS_V3 7     /* v3: J̃ + b, the step, b */
#define MAX_BLOCKS  16
#define MAX_WIDTH   64

struct _EvenlightDequant
{
  EvenlightWeights *weights;
  gint              width;      /* feature channels */
  gint              n_blocks;
  EvenlightConv     head;
  EvenlightConv     conv1[MAX_BLOCKS];
  EvenlightConv     conv2[MAX_BLOCKS];
  EvenlightConv     tail;
  /* v2: the context branch */
  gboolean          has_ctx;
  gint              ctx_width;
  EvenlightConv     enc1, enc2, enc3, mid, dec2, dec1, ctx_out;
  gint              margin, align;   /* the network's window (v3: without
                                      * the band positions' margin) */
  gint              in_channels;
  gboolean          bands;      /* v3 */
};

/* The band positions in two steps (dequant-bands.c), so that the network
 * can keep the distances of a large window and turn into offsets only the
 * pixels it reads: the capped geodesic distances, in chamfer units, of each
 * pixel of @level to the contours one level up (@du) and one down (@dd)... */
void evenlight_dequant_band_distances (const gint32 *level,
                                       gint          width,
                                       gint          height,
                                       guint16      *du,
                                       guint16      *dd);

/* ... and the offset in its interval they give, in levels, in [−½, ½]
 * (the formula of DEQUANT.md §1a; both are at least half a pixel). */
static inline gfloat
evenlight_dequant_band_offset (gint du, gint dd)
{
  return 0.5f * (gfloat) (dd - du) / (gfloat) (dd + du);
}

#endif /* EVENLIGHT_DEQUANT_PRIVATE_H */
