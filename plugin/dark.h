/* evenlight — GIMP 2.10 plug-in: Even Light for Dark Photos.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Colors ▸ Tone Mapping ▸ Even Light for Dark Photos… — the procedure
 * plug-in-evenlight-dark: LAIC illumination compensation (core/laic.h),
 * optionally followed by the dequantization network (core/dequant.h),
 * for photos so dark that their shadows hold only a few levels.
 */
#ifndef EVENLIGHT_DARK_H
#define EVENLIGHT_DARK_H

#include <libgimp/gimp.h>

#define PLUG_IN_DARK_PROC    "plug-in-evenlight-dark"
#define PLUG_IN_DARK_ROLE    "evenlight-dark"

/* Registers plug-in-evenlight-dark and its menu entry (from query()). */
void              evenlight_dark_register (void);

/* Runs plug-in-evenlight-dark with the PDB arguments @param (run-mode,
 * image, drawable, then the table of core/params.h); gettext and GEGL
 * must be initialised. */
GimpPDBStatusType evenlight_dark_run      (gint              nparams,
                                           const GimpParam  *param,
                                           GError          **error);

#endif /* EVENLIGHT_DARK_H */
