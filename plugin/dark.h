/* evenlight — GIMP 2.10 plug-in: Even Light for Dark Photos.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Colors ▸ Tone Mapping ▸ Even Light for Dark Photos… — the procedure
 * plug-in-evenlight-dark2: LAIC illumination compensation (core/laic.h)
 * with its contrast, optionally followed by the dequantization network
 * (core/dequant.h), for photos so dark that their shadows hold only a few
 * levels. plug-in-evenlight-dark is the same with the arguments it was
 * first published with (no contrast: the default), for existing scripts.
 */
#ifndef EVENLIGHT_DARK_H
#define EVENLIGHT_DARK_H

#include <libgimp/gimp.h>

/* Registers both procedures, and the menu entry of the second (from
 * query()). */
void              evenlight_dark_register (void);

/* Whether @name is one of the two procedures. */
gboolean          evenlight_dark_is_proc  (const gchar      *name);

/* Runs the procedure @name with the PDB arguments @param (run-mode,
 * image, drawable, then the table of core/params.h: all of it for
 * plug-in-evenlight-dark2, its first EVENLIGHT_DARK_V1_N_PARAMS entries for
 * plug-in-evenlight-dark, the rest at their defaults); gettext and GEGL
 * must be initialised. */
GimpPDBStatusType evenlight_dark_run      (const gchar      *name,
                                           gint              nparams,
                                           const GimpParam  *param,
                                           GError          **error);

#endif /* EVENLIGHT_DARK_H */
