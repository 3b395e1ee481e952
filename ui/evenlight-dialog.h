/* evenlight — GIMP 2.10 plug-in: the dialog (GTK+ 2).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_DIALOG_H
#define EVENLIGHT_DIALOG_H

#include "drawable-io.h"
#include "plugin-common.h"

/* Shows the Even Light dialog for @source with the sliders set to @params
 * (one per entry of the table of core/params.h).
 * The global context of the drawable is computed in the background as
 * soon as the dialog opens; the preview shows the result once it is
 * ready. Returns TRUE when the user pressed OK: @params then holds the
 * chosen values and *@context the context (free it with
 * evenlight_context_free). Returns FALSE when the dialog was cancelled,
 * or when the context could not be computed (then @error is set). */
gboolean evenlight_dialog_run (EvenlightSource       *source,
                               const EvenlightModel  *model,
                               EvenlightParams       *params,
                               EvenlightContext     **context,
                               GError               **error);

#endif /* EVENLIGHT_DIALOG_H */
