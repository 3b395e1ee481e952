/* evenlight — GIMP 2.10 plug-in: what both dialogs' previews share.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_PREVIEW_H
#define EVENLIGHT_PREVIEW_H

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "drawable-io.h"
#include "params.h"

/* Draws @rgb (@rect->width × @rect->height packed R'G'B' float triplets,
 * the result for @rect of @source) into @preview: merged with the
 * source's alpha (gray stays gray) and converted to 8-bit data in the
 * drawable's layout and colour space; babl rounds as GIMP does when it
 * stores the float result into an 8-bit layer. */
/* With EVENLIGHT_DEBUG, prints "evenlight: preview on screen" once what
 * was just drawn into a preview has been painted and sent to the X server
 * (the UI tests wait for it before they take a screenshot). Called by
 * evenlight_preview_draw(); call it after any other drawing. */
void evenlight_preview_report_drawn (void);

void evenlight_preview_draw   (GimpPreview         *preview,
                               EvenlightSource     *source,
                               const EvenlightRect *rect,
                               const gfloat        *rgb);

/* Starts the scrolled @preview on the middle of the layer (or of the
 * selection), which shows more of a photo's subject than its top-left
 * corner, once its area first gets its size. */
void evenlight_preview_center (GimpScrolledPreview *preview,
                               gint32               drawable_id);

/* A dialog with Cancel and OK (in the platform's order), transient for
 * GIMP's window: the frame of the dark-photo and fusion dialogs. */
GtkWidget *evenlight_preview_dialog_new (const gchar *title,
                                         const gchar *role,
                                         const gchar *help_id);

/* Fills @dialog with what both dialogs show first: a scrolled 1:1
 * preview of @drawable_id (centred as above), a progress bar for the
 * analysis and a status line (hidden until a message is set); returns the
 * box the dialog adds its own controls to. The caller connects the
 * preview's "invalidated" signal. */
GtkWidget *evenlight_preview_dialog_body (GtkWidget  *dialog,
                                          gint32      drawable_id,
                                          GtkWidget **preview,
                                          GtkWidget **progress,
                                          GtkWidget **status);

/* The analysis failed: shows @message on the @status line and disables
 * OK. */
void evenlight_preview_dialog_fail (GtkWidget   *dialog,
                                    GtkWidget   *status,
                                    const gchar *message);

/* A scale with its spin button in row @row of @table, made from the
 * table entry @spec (label, range, step, digits, tooltip), starting at
 * its value in the values struct @values. The adjustment carries @spec
 * as its "evenlight-spec" data; the caller connects "value-changed". */
GtkObject *evenlight_preview_add_slider (GtkTable                 *table,
                                         gint                      row,
                                         const EvenlightParamSpec *spec,
                                         gconstpointer             values);

/* A table for @n_rows of such scales, packed into @box. */
GtkTable  *evenlight_preview_add_table  (GtkWidget                *box,
                                         gint                      n_rows);

/* A check box made from the boolean table entry @spec (label with its
 * mnemonic, tooltip), set to its value in @values and packed into @box;
 * the caller connects "toggled". */
GtkWidget *evenlight_preview_add_check  (GtkWidget                *box,
                                         const EvenlightParamSpec *spec,
                                         gconstpointer             values);

#endif /* EVENLIGHT_PREVIEW_H */
