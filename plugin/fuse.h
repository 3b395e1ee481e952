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

/* Registers plug-in-evenlight-fuse and its menu entry (from query()). */
void              evenlight_fuse_register (void);

/* Runs plug-in-evenlight-fuse with the PDB arguments @param (run-mode,
 * image, drawable, then the table of core/params.h); gettext and GEGL
 * must be initialised. */
GimpPDBStatusType evenlight_fuse_run      (gint              nparams,
                                           const GimpParam  *param,
                                           GError          **error);

#endif /* EVENLIGHT_FUSE_PLUGIN_H */
