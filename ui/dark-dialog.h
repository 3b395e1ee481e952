/* evenlight — GIMP 2.10 plug-in: the dialog of Even Light for Dark Photos.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_DARK_DIALOG_H
#define EVENLIGHT_DARK_DIALOG_H

#include "dequant.h"
#include "drawable-io.h"
#include "plugin-common.h"

/* The dialog: a preview, the dequantization check box and the Contrast
 * slider (@params). As soon as the layer is read, LAIC solves the whole
 * layer (@rgb, @gain: source->width × source->height) on a worker thread,
 * and again whenever Contrast moves (the solve of the previous value is
 * cancelled); the preview shows the original until the first coarse level
 * of the solve, then each finer level, then the result. Returns TRUE on
 * OK, with LAIC's result for the last contrast in @rgb and @gain (if OK
 * was pressed before that solve ended, it waits for it with GIMP's
 * progress bar), and in *@dequant the dequantization network if the
 * preview loaded it (else NULL). Returns FALSE when cancelled (once the
 * solves have stopped), or when LAIC failed (@error set). */
gboolean evenlight_dark_dialog_run (EvenlightSource     *source,
                                    EvenlightDarkParams *params,
                                    gfloat              *rgb,
                                    gfloat              *gain,
                                    EvenlightDequant   **dequant,
                                    GError             **error);

#endif /* EVENLIGHT_DARK_DIALOG_H */
