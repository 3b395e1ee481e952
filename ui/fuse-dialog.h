/* evenlight — GIMP 2.10 plug-in: the dialog of Even Light Exposure Fusion.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_FUSE_DIALOG_H
#define EVENLIGHT_FUSE_DIALOG_H

#include "fuse-layers.h"
#include "plugin-common.h"

/* The dialog: a 1:1 preview of the fused result over the middle
 * exposure's layer, the Denoise slider and the Align check box. The
 * bracket is analysed (ranked and aligned) before the dialog opens, and
 * again when Align changes. Returns TRUE on OK with the context of the
 * bracket in *@context and the model it uses in *@model (both the
 * caller's to free); FALSE when cancelled, or with @error set when the
 * analysis failed. */
gboolean evenlight_fuse_dialog_run (EvenlightFuseLayers  *layers,
                                    EvenlightFuseParams  *params,
                                    EvenlightModel      **model,
                                    EvenlightContext    **context,
                                    GError              **error);

#endif /* EVENLIGHT_FUSE_DIALOG_H */
