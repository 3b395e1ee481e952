/* evenlight — GIMP 2.10 plug-in: Even Light Exposure Fusion.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Colors ▸ Tone Mapping ▸ Even Light Exposure Fusion… — the procedure
 * plug-in-evenlight-fuse: the visible layers of the image are the
 * exposures of a bracket (File ▸ Open as Layers puts a bracket into one
 * image), fused with the Fusion-Net (core/evenlight.h, brackets) into a
 * new layer on top.
 */
#ifndef EVENLIGHT_FUSE_PLUGIN_H
#define EVENLIGHT_FUSE_PLUGIN_H

#include <libgimp/gimp.h>

#include "drawable-io.h"
#include "params.h"

#define PLUG_IN_FUSE_PROC    "plug-in-evenlight-fuse"
#define PLUG_IN_FUSE_ROLE    "evenlight-fuse"

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

/* Registers plug-in-evenlight-fuse and its menu entry (from query()). */
void              evenlight_fuse_register (void);

/* Runs plug-in-evenlight-fuse with the PDB arguments @param (run-mode,
 * image, drawable, then the table of core/params.h); gettext and GEGL
 * must be initialised. */
GimpPDBStatusType evenlight_fuse_run      (gint              nparams,
                                           const GimpParam  *param,
                                           GError          **error);

/* An EvenlightBracketReadFunc over an EvenlightFuseLayers: exposure k is
 * the k-th visible layer from the top, read over the common rectangle. */
gboolean evenlight_fuse_layers_read (gint                 exposure,
                                     const EvenlightRect *rect,
                                     gfloat              *rgb,
                                     gpointer             user_data,
                                     GError             **error);

/* The bracket's context (aligned as @vals says), with the model it uses
 * loaded into @model. */
EvenlightContext *evenlight_fuse_context_new (EvenlightFuseLayers       *layers,
                                              const EvenlightFuseParams *vals,
                                              EvenlightModel           **model,
                                              GError                   **error);

#endif /* EVENLIGHT_FUSE_PLUGIN_H */
