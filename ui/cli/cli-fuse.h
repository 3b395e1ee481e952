/* `evenlight --fuse`: exposure fusion of a bracket of image files.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_FUSE_H
#define EVENLIGHT_CLI_FUSE_H

#include "evenlight.h"

G_BEGIN_DECLS

/* Fuses the @n_inputs exposures @inputs (same size; all gray or all
 * colour) into @output_path, in the format and bit depth of the middle
 * exposure, through evenlight_bracket_context_new() and
 * evenlight_enhance(). Unless @quiet, says on stderr how each exposure
 * was moved and which part of the frame the result is; a bracket that
 * could not be aligned is reported on stderr in any case. GEGL must be
 * initialised. */
gboolean evenlight_cli_fuse (const EvenlightModel  *model,
                             const EvenlightParams *params,
                             gboolean               align,
                             gint                   n_threads,
                             gboolean               quiet,
                             const gchar * const   *inputs,
                             gint                   n_inputs,
                             const gchar           *output_path,
                             GError               **error);

G_END_DECLS

#endif
