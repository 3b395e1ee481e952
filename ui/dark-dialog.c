/* evenlight — GIMP 2.10 plug-in: the dialog of Even Light for Dark Photos.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog shows a GimpDrawablePreview like the main dialog's, and for
 * the same reason: every pixel it shows is the final one. Because the gain
 * is global, the dialog runs LAIC on the whole layer as soon as it opens,
 * on a worker thread (the dialog stays responsive; the preview shows the
 * original meanwhile). The preview then copies its rectangle of that
 * result, or, with the check box, dequantizes just that rectangle with
 * evenlight_dequant_render_region(), whose output equals the same pixels
 * of the whole-layer evenlight_dequant_apply() that OK runs; OK reuses the
 * LAIC result instead of solving the program again.
 */
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "dark.h"
#include "dark-dialog.h"
#include "evenlight-preview.h"
#include "laic.h"
#include "plugin-paths.h"

/* Rows of the layer read per main-loop turn while the dialog loads it. */
#define READ_ROWS 128

typedef struct
{
  EvenlightSource     *source;
  EvenlightDarkParams *params;   /* the check box                             */
  gfloat              *rgb;      /* the whole layer; LAIC's output once done */
  gfloat              *gain;     /* LAIC's gain, one per pixel               */

  GtkWidget        *dialog;
  GtkWidget        *preview;
  GtkWidget        *progress;
  GtkWidget        *status;

  /* Main thread: the layer is read strip by strip from an idle source
   * (the libgimp pipe belongs to this thread), then LAIC runs on @thread. */
  guint             read_source;
  gint              rows_read;
  guint             pulse_source;
  gboolean          gimp_progress;  /* OK was pressed early: GIMP's bar  */
  gboolean          closing;        /* the dialog is going away          */
  GThread          *thread;
  gint64            started;

  /* Written by the worker; read by the main thread only after joining it. */
  gboolean          laic_ok;
  GError           *laic_error;

  /* Main thread only. */
  gboolean          finished;       /* the worker has been joined        */
  EvenlightDequant *dequant;        /* loaded when first needed          */
  GError           *dequant_error;  /* why it could not be loaded        */
} DarkDialog;

/* Main thread: takes over the worker's result. */
static gboolean
analysis_done (gpointer data)
{
  DarkDialog *d = data;

  g_thread_join (d->thread);
  d->thread = NULL;
  d->finished = TRUE;
  if (d->pulse_source != 0)
    {
      g_source_remove (d->pulse_source);
      d->pulse_source = 0;
    }
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: LAIC of %d x %d computed in %.1f ms\n",
                d->source->width, d->source->height,
                (g_get_monotonic_time () - d->started) / 1000.0);
  if (d->closing)
    return G_SOURCE_REMOVE;

  gtk_widget_hide (d->progress);
  if (d->laic_ok)
    gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
  else
    {
      evenlight_preview_dialog_fail (d->dialog, d->status, d->laic_error->message);
    }
  return G_SOURCE_REMOVE;
}

/* Worker thread: LAIC on the whole layer, in place. It touches nothing
 * but d->rgb, d->gain and its result fields. */
static gpointer
analysis_thread (gpointer data)
{
  DarkDialog          *d = data;
  EvenlightLaicParams  params;

  evenlight_laic_params_init_default (&params);
  d->laic_ok = evenlight_laic (&params, d->rgb,
                               d->source->width, d->source->height,
                               (gint) g_get_num_processors (), d->gain,
                               &d->laic_error);
  g_idle_add (analysis_done, d);
  return NULL;
}

/* Main thread, idle: reads the next strip of the layer; once the whole
 * layer is in memory, starts the worker. */
static gboolean
read_step (gpointer data)
{
  DarkDialog      *d = data;
  EvenlightSource *source = d->source;
  EvenlightRect    strip = { 0, d->rows_read, source->width,
                             MIN (READ_ROWS, source->height - d->rows_read) };

  evenlight_source_read (&strip, d->rgb + (gsize) strip.y * source->width * 3,
                         source, NULL);
  d->rows_read += strip.height;
  if (d->rows_read < source->height)
    return G_SOURCE_CONTINUE;

  d->read_source = 0;
  d->started = g_get_monotonic_time ();
  /* Tests wait for this line before they close the dialog or press OK
   * "during the analysis". */
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: LAIC started on %d x %d\n",
                source->width, source->height);
  d->thread = g_thread_new ("evenlight-laic", analysis_thread, d);
  return G_SOURCE_REMOVE;
}

/* LAIC reports no progress: the bars pulse while it works. */
static gboolean
pulse (gpointer data)
{
  DarkDialog *d = data;

  if (d->gimp_progress)
    gimp_progress_pulse ();
  else
    gtk_progress_bar_pulse (GTK_PROGRESS_BAR (d->progress));
  return G_SOURCE_CONTINUE;
}

/* The dequantization network for the preview, loaded once; on failure the
 * status line says why. */
static gboolean
dialog_load_dequant (DarkDialog *d)
{
  if (d->dequant == NULL && d->dequant_error == NULL)
    d->dequant = evenlight_plugin_load_dequant (&d->dequant_error);
  if (d->dequant != NULL)
    return TRUE;
  gtk_label_set_text (GTK_LABEL (d->status), d->dequant_error->message);
  gtk_widget_show (d->status);
  return FALSE;
}

/* Draws the final pixels of the visible rectangle: LAIC's output, and with
 * the check box the dequantization of just that rectangle, which equals
 * the same pixels of the whole-layer evenlight_dequant_apply() that OK
 * runs. */
static void
preview_update (GimpPreview *preview,
                DarkDialog  *d)
{
  EvenlightSource *source = d->source;
  EvenlightRect    rect;
  GError          *error = NULL;
  gboolean         dequantize = d->params->dequantize;
  gfloat          *rgb;
  gsize            n;
  gint64           t0;

  if (! d->finished || ! d->laic_ok)
    {
      gimp_preview_draw (preview);   /* the original until LAIC is done */
      evenlight_preview_report_drawn ();
      if (evenlight_debug_enabled ())
        {
          gimp_preview_get_position (preview, &rect.x, &rect.y);
          gimp_preview_get_size (preview, &rect.width, &rect.height);
          g_printerr ("evenlight-dark: preview %d x %d at (%d, %d) shows the "
                      "original while LAIC runs\n",
                      rect.width, rect.height, rect.x, rect.y);
        }
      return;
    }
  if (dequantize && ! dialog_load_dequant (d))
    {
      /* OK would fail and leave the layer as it is: show it as it is. */
      gimp_preview_draw (preview);
      return;
    }
  gtk_widget_hide (d->status);

  gimp_preview_get_position (preview, &rect.x, &rect.y);
  gimp_preview_get_size (preview, &rect.width, &rect.height);
  if (rect.width <= 0 || rect.height <= 0)
    return;

  n = (gsize) rect.width * rect.height;
  rgb = g_new (gfloat, 3 * n);
  t0 = g_get_monotonic_time ();
  if (dequantize)
    {
      if (! evenlight_dequant_render_region (d->dequant, d->rgb, d->gain,
                                             source->width, source->height,
                                             EVENLIGHT_DEQUANT_STEP_8BIT,
                                             &rect, rgb, &error))
        {
          gtk_label_set_text (GTK_LABEL (d->status), error->message);
          gtk_widget_show (d->status);
          g_clear_error (&error);
          g_free (rgb);
          return;
        }
    }
  else
    {
      for (gint j = 0; j < rect.height; j++)
        memcpy (rgb + (gsize) j * rect.width * 3,
                d->rgb + ((gsize) (rect.y + j) * source->width + rect.x) * 3,
                (gsize) rect.width * 3 * sizeof (gfloat));
    }
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: preview %d x %d at (%d, %d) rendered in "
                "%.1f ms, dequantization %s\n",
                rect.width, rect.height, rect.x, rect.y,
                (g_get_monotonic_time () - t0) / 1000.0,
                dequantize ? "on" : "off");

  evenlight_preview_draw (preview, source, &rect, rgb);
  g_free (rgb);
}

static void
dequantize_toggled (GtkToggleButton *button,
                    DarkDialog      *d)
{
  d->params->dequantize = gtk_toggle_button_get_active (button);
  gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
}

static void
build_dialog (DarkDialog *d)
{
  GtkWidget *vbox, *label, *check;
  const EvenlightParamSpec *spec;
  guint n_params;

  d->dialog = gimp_dialog_new (_("Even Light for Dark Photos"), PLUG_IN_DARK_ROLE,
                               NULL, 0,
                               gimp_standard_help_func, PLUG_IN_DARK_PROC,
                               _("_Cancel"), GTK_RESPONSE_CANCEL,
                               _("_OK"),     GTK_RESPONSE_OK,
                               NULL);
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (d->dialog),
                                           GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL, -1);
  gimp_window_set_transient (GTK_WINDOW (d->dialog));

  vbox = evenlight_preview_dialog_body (d->dialog, d->source->drawable_id,
                                        &d->preview, &d->progress, &d->status);
  g_signal_connect (d->preview, "invalidated",
                    G_CALLBACK (preview_update), d);

  label = gtk_label_new (_("Brightens a very dark photo with a gain that "
                           "adapts to each region. The whole layer is "
                           "analysed; this can take some seconds."));
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (vbox), label, FALSE, FALSE, 0);

  spec = evenlight_param_find (evenlight_dark_params_table (&n_params), n_params,
                               "dequantize");
  check = gtk_check_button_new_with_mnemonic (_(spec->ui_label));
  gimp_help_set_help_data (check, _(spec->description), NULL);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (check),
                                d->params->dequantize);
  g_signal_connect (check, "toggled", G_CALLBACK (dequantize_toggled), d);
  gtk_box_pack_start (GTK_BOX (vbox), check, FALSE, FALSE, 0);

  gtk_widget_show_all (d->dialog);
  gtk_widget_hide (d->status);
}

/* Runs the main loop until the worker has been joined. LAIC cannot be
 * interrupted, and the worker writes into memory that the caller frees
 * afterwards, so the dialog never returns while it still runs. */
static void
analysis_wait (DarkDialog *d)
{
  while (d->read_source != 0 || d->thread != NULL)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
evenlight_dark_dialog_run (EvenlightSource     *source,
                           EvenlightDarkParams *params,
                           gfloat              *rgb,
                           gfloat              *gain,
                           EvenlightDequant   **dequant,
                           GError             **error)
{
  DarkDialog d = { 0 };
  gboolean   ok;

  gimp_ui_init (PLUG_IN_BINARY, FALSE);
  d.source = source;
  d.params = params;
  d.rgb = rgb;
  d.gain = gain;
  build_dialog (&d);
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: dialog opened on a %d x %d layer\n",
                source->width, source->height);

  d.read_source = g_idle_add (read_step, &d);
  d.pulse_source = g_timeout_add (100, pulse, &d);
  ok = gimp_dialog_run (GIMP_DIALOG (d.dialog)) == GTK_RESPONSE_OK;

  d.closing = TRUE;
  gtk_widget_hide (d.dialog);
  if (evenlight_debug_enabled () && ! d.finished)
    g_printerr ("evenlight-dark: %s during the analysis\n",
                ok ? "OK pressed" : "dialog closed");
  if (! ok && d.read_source != 0)
    {
      /* Closed while the layer was still being read: LAIC never started. */
      g_source_remove (d.read_source);
      d.read_source = 0;
    }
  if (ok && ! d.finished)
    {
      /* OK before the analysis ended: it is needed, wait for it. */
      gimp_progress_init (_("Even Light for Dark Photos"));
      d.gimp_progress = TRUE;
    }
  analysis_wait (&d);
  if (d.pulse_source != 0)
    g_source_remove (d.pulse_source);
  gtk_widget_destroy (d.dialog);

  if (ok && ! d.laic_ok)
    {
      g_propagate_error (error, d.laic_error);
      d.laic_error = NULL;
      ok = FALSE;
    }
  g_clear_error (&d.laic_error);
  g_clear_error (&d.dequant_error);
  if (ok)
    *dequant = d.dequant;
  else
    evenlight_dequant_free (d.dequant);
  return ok;
}

