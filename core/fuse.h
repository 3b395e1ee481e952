/* Exposure fusion of a bracket (the paper's Sec. 5.2): what a bracket's
 * context keeps, the tile input the renderer takes from it, and the
 * exposure-independent alignment. Not installed; not part of the public
 * API (evenlight.h has that).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_FUSE_H
#define EVENLIGHT_FUSE_H

#include <glib.h>
#include "evenlight.h"
#include "model.h"

G_BEGIN_DECLS

/* Alignment works on a gray copy of each exposure whose longer side is at
 * most this (box-averaged by a whole factor): about 2 MP at most. */
#define EVENLIGHT_ALIGN_MAX_SIDE 1600

struct _EvenlightBracket
{
  gint                     n;
  gint                     width, height;   /* of every exposure        */
  EvenlightBracketReadFunc read;
  gpointer                 user_data;
  gint                     order[EVENLIGHT_BRACKET_MAX];  /* darkest first */
  gint                     rank[EVENLIGHT_BRACKET_MAX];
  gdouble                  mean[EVENLIGHT_BRACKET_MAX];   /* mean luma R'G'B' */
  gdouble                  dx[EVENLIGHT_BRACKET_MAX], dy[EVENLIGHT_BRACKET_MAX];
  /* dx split into a whole part and a fraction in [0, 1), likewise dy */
  gint                     ix[EVENLIGHT_BRACKET_MAX], iy[EVENLIGHT_BRACKET_MAX];
  gfloat                   fx[EVENLIGHT_BRACKET_MAX], fy[EVENLIGHT_BRACKET_MAX];
  EvenlightRect            crop;            /* in the exposures' coordinates */
  gchar                   *warning;
};

/* The Fusion-Net input x = (I, I_U, I_O) of the window @win (in the
 * crop's coordinates) from the bracket: the middle, the brightest and the
 * darkest exposure, each resampled by its shift. Fills scratch->x with
 * its borders. */
gboolean evenlight_bracket_tile_input (const EvenlightContext *context,
                                       const EvenlightRect    *win,
                                       EvenlightScratch       *scratch,
                                       GError                **error);

void evenlight_bracket_free (EvenlightBracket *bracket);

/* Estimates the translation of @moving against @ref, two @width × @height
 * gray images of one scene at different exposures: @moving at
 * (x + dx, y + dy) shows what @ref shows at (x, y). Works on median
 * threshold bitmaps (Ward 2003: each image split at its own median, here
 * also at four other quantiles, pixels near the threshold left out),
 * which do not change with exposure, coarse to
 * fine, then to a fraction of a pixel by fitting the cost around the
 * minimum. Returns FALSE with a reason in @why (free it) when no clear
 * minimum exists (too few usable pixels, or a cost that hardly depends on
 * the shift). */
gboolean evenlight_align_estimate (const gfloat *ref,
                                   const gfloat *moving,
                                   gint          width,
                                   gint          height,
                                   gdouble      *dx,
                                   gdouble      *dy,
                                   gchar       **why);

G_END_DECLS

#endif
