/* evenlight — GIMP 2.10 plug-in: what both dialogs' previews share.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "evenlight-preview.h"
#include "pixels.h"
#include "plugin-common.h"

/* Idle, after GTK's redraw: the preview's pixels have reached the X
 * server. */
static gboolean
report_on_screen (gpointer data)
{
  (void) data;
  gdk_flush ();
  g_printerr ("evenlight: preview on screen\n");
  return G_SOURCE_REMOVE;
}

void
evenlight_preview_report_drawn (void)
{
  /* Redraws run at GDK_PRIORITY_REDRAW. Below the default idles: one
   * main-loop turn dispatches every ready source of one priority, so at
   * theirs this report could run in the same turn as a default idle that
   * draws the preview again, before that drawing reached the screen. */
  if (evenlight_debug_enabled ())
    g_idle_add_full (G_PRIORITY_LOW, report_on_screen, NULL, NULL);
}

void
evenlight_preview_draw (GimpPreview         *preview,
                        EvenlightSource     *source,
                        const EvenlightRect *rect,
                        const gfloat        *rgb)
{
  gsize       n = (gsize) rect->width * rect->height;
  gfloat     *pixels = g_new (gfloat, n * source->n_channels);
  guchar     *bytes = g_new (guchar, n * source->n_channels);
  const Babl *u8;

  evenlight_source_get (source, rect, pixels);
  evenlight_pixels_from_rgb (pixels, source->n_channels, rgb, n);
  if (source->gray)
    u8 = babl_format_with_space (source->has_alpha ? "Y'A u8" : "Y' u8",
                                 source->format);
  else
    u8 = babl_format_with_space (source->has_alpha ? "R'G'B'A u8" : "R'G'B' u8",
                                 source->format);
  babl_process (babl_fish (source->format, u8), pixels, bytes, n);
  gimp_preview_draw_buffer (preview, bytes, rect->width * source->n_channels);
  g_free (bytes);
  g_free (pixels);
  evenlight_preview_report_drawn ();
}

static void
center_once (GtkWidget     *area,
             GtkAllocation *allocation,
             gpointer       preview)
{
  gint32 drawable_id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (area),
                                                           "evenlight-drawable"));
  gint   x, y, width, height;

  g_signal_handlers_disconnect_by_func (area, center_once, preview);
  if (gimp_drawable_mask_intersect (drawable_id, &x, &y, &width, &height))
    gimp_scrolled_preview_set_position (GIMP_SCROLLED_PREVIEW (preview),
                                        x + MAX (0, (width - allocation->width) / 2),
                                        y + MAX (0, (height - allocation->height) / 2));
}

void
evenlight_preview_center (GimpScrolledPreview *preview,
                          gint32               drawable_id)
{
  GtkWidget *area = gimp_preview_get_area (GIMP_PREVIEW (preview));

  g_object_set_data (G_OBJECT (area), "evenlight-drawable",
                     GINT_TO_POINTER (drawable_id));
  g_signal_connect_after (area, "size-allocate", G_CALLBACK (center_once), preview);
}

GtkWidget *
evenlight_preview_dialog_new (const gchar *title,
                              const gchar *role,
                              const gchar *help_id)
{
  GtkWidget *dialog = gimp_dialog_new (title, role, NULL, 0,
                                       gimp_standard_help_func, help_id,
                                       _("_Cancel"), GTK_RESPONSE_CANCEL,
                                       _("_OK"),     GTK_RESPONSE_OK,
                                       NULL);

  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dialog),
                                           GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL, -1);
  gimp_window_set_transient (GTK_WINDOW (dialog));
  return dialog;
}

GtkWidget *
evenlight_preview_dialog_body (GtkWidget  *dialog,
                               gint32      drawable_id,
                               GtkWidget **preview,
                               GtkWidget **progress,
                               GtkWidget **status)
{
  GtkWidget *vbox = gtk_vbox_new (FALSE, 12);

  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))),
                      vbox, TRUE, TRUE, 0);

  *preview = gimp_drawable_preview_new_from_drawable_id (drawable_id);
  gtk_box_pack_start (GTK_BOX (vbox), *preview, TRUE, TRUE, 0);
  evenlight_preview_center (GIMP_SCROLLED_PREVIEW (*preview), drawable_id);

  *progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (*progress),
                             _("Analysing the illumination…"));
  gtk_box_pack_start (GTK_BOX (vbox), *progress, FALSE, FALSE, 0);

  *status = gtk_label_new (NULL);
  gtk_label_set_line_wrap (GTK_LABEL (*status), TRUE);
  gtk_misc_set_alignment (GTK_MISC (*status), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (vbox), *status, FALSE, FALSE, 0);
  return vbox;
}

void
evenlight_preview_dialog_fail (GtkWidget   *dialog,
                               GtkWidget   *status,
                               const gchar *message)
{
  gtk_label_set_text (GTK_LABEL (status), message);
  gtk_widget_show (status);
  gtk_dialog_set_response_sensitive (GTK_DIALOG (dialog), GTK_RESPONSE_OK, FALSE);
}

/* The width of the scales and of their spin buttons (characters). */
#define SCALE_WIDTH    200
#define SPIN_WIDTH     5

GtkObject *
evenlight_preview_add_slider (GtkTable                 *table,
                              gint                      row,
                              const EvenlightParamSpec *spec,
                              gconstpointer             values)
{
  GtkObject *adj;

  adj = gimp_scale_entry_new (table, 0, row, _(spec->ui_label), SCALE_WIDTH, SPIN_WIDTH,
                              evenlight_param_get (spec, values),
                              spec->min, spec->max, spec->step, 10.0 * spec->step,
                              evenlight_param_digits (spec),
                              TRUE, 0.0, 0.0, _(spec->description), NULL);
  g_object_set_data (G_OBJECT (adj), "evenlight-spec", (gpointer) spec);
  return adj;
}

GtkTable *
evenlight_preview_add_table (GtkWidget *box,
                             gint       n_rows)
{
  GtkWidget *table = gtk_table_new (n_rows, 3, FALSE);

  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_box_pack_start (GTK_BOX (box), table, FALSE, FALSE, 0);
  return GTK_TABLE (table);
}

GtkWidget *
evenlight_preview_add_check (GtkWidget                *box,
                             const EvenlightParamSpec *spec,
                             gconstpointer             values)
{
  GtkWidget *check = gtk_check_button_new_with_mnemonic (_(spec->ui_label));

  gimp_help_set_help_data (check, _(spec->description), NULL);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (check),
                                evenlight_param_get (spec, values) != 0.0);
  gtk_box_pack_start (GTK_BOX (box), check, FALSE, FALSE, 0);
  return check;
}
