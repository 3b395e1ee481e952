/* evenlight — GIMP 2.10 plug-in: the layers of an exposure bracket.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The visible top-level layers of an image are the exposures of a
 * bracket, read over the rectangle they all cover (layers keep their
 * offsets). Both the procedure plug-in-evenlight-fuse (plugin/fuse.c) and
 * its dialog (ui/fuse-dialog.c) build the bracket's context from here.
 */
#ifndef EVENLIGHT_FUSE_LAYERS_H
#define EVENLIGHT_FUSE_LAYERS_H

#include <libgimp/gimp.h>

#include "drawable-io.h"
#include "params.h"

/* The bracket: the image's visible layers, read over the rectangle they
 * all cover. */
typedef struct
{
  gint32          image_id;
  gint            n;
  EvenlightSource sources[EVENLIGHT_BRACKET_MAX];
  gint            ox[EVENLIGHT_BRACKET_MAX], oy[EVENLIGHT_BRACKET_MAX];
  EvenlightRect   common;   /* in image coordinates */
  GMutex          lock;     /* every libgimp call from the core's threads */
} EvenlightFuseLayers;

/* Opens the visible top-level layers of @image_id, top first, and finds
 * the rectangle they all cover; FALSE with a message for the user when
 * they are not a bracket (fewer than two, more than EVENLIGHT_BRACKET_MAX,
 * not overlapping, or a layer Even Light cannot read). Call
 * evenlight_fuse_layers_clear() in either case. */
gboolean evenlight_fuse_layers_open  (EvenlightFuseLayers *layers,
                                      gint32               image_id,
                                      GError             **error);
void     evenlight_fuse_layers_clear (EvenlightFuseLayers *layers);

/* An EvenlightBracketReadFunc over an EvenlightFuseLayers: exposure k is
 * the k-th visible layer from the top, read over the common rectangle. */
gboolean evenlight_fuse_layers_read (gint                 exposure,
                                     const EvenlightRect *rect,
                                     gfloat              *rgb,
                                     gpointer             user_data,
                                     GError             **error);

/* The bracket's context (aligned as @vals says), with the model it uses
 * loaded into @model unless it is there already. */
EvenlightContext *evenlight_fuse_context_new (EvenlightFuseLayers       *layers,
                                              const EvenlightFuseParams *vals,
                                              EvenlightModel           **model,
                                              GError                   **error);

#endif /* EVENLIGHT_FUSE_LAYERS_H */
