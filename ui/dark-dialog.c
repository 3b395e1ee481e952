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
 *
 * Contrast changes the program, so moving it solves LAIC again on the
 * whole layer, from the layer as read (kept for this), into the second of
 * two result buffers: the preview keeps showing the last result until the
 * new one replaces it, and a move during a run starts another run once
 * that one ends (a run cannot be interrupted). The preview's own debounce
 * (gimp_preview_invalidate) starts the runs, so dragging the slider does
 * not start one per step. OK waits for the result of the last value.
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

/* One LAIC result for the whole layer. */
typedef struct
{
  gfloat *rgb;        /* the compensated layer           */
  gfloat *gain;       /* LAIC's gain, one per pixel      */
  gfloat  contrast;   /* the contrast it was solved with */
} Result;

typedef struct
{
  EvenlightSource     *source;
  EvenlightDarkParams *params;   /* the check box and the slider            */
  gfloat              *layer;    /* the whole layer as read                 */
  /* result[0] is the caller's buffers; result[1] is allocated when the
   * contrast first moves. The preview shows result[shown] (-1: none yet);
   * the worker writes result[working]. */
  Result               result[2];
  gint                 shown;
  gint                 working;

  GtkWidget        *dialog;
  GtkWidget        *preview;
  GtkWidget        *progress;
  GtkWidget        *status;

  /* Main thread: the layer is read strip by strip from an idle source
   * (the libgimp pipe belongs to this thread), then LAIC runs on @thread
   * (again whenever the contrast moves). */
  guint             read_source;
  gint              rows_read;
  guint             pulse_source;
  gboolean          gimp_progress;  /* OK was pressed early: GIMP's bar  */
  gboolean          closing;        /* the dialog is going away          */
  GThread          *thread;
  gint64            started;

  /* Written by the worker; read by the main thread only after joining it. */
  gboolean          run_ok;
  GError           *run_error;

  /* Main thread: the outcome of the last run joined. */
  gboolean          laic_ok;
  GError           *laic_error;

  /* Main thread only. */
  gboolean          finished;       /* the first run has been joined     */
  EvenlightDequant *dequant;        /* loaded when first needed          */
  GError           *dequant_error;  /* why it could not be loaded        */
} DarkDialog;

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

/* Main thread: takes over the worker's result. */
static gboolean
analysis_done (gpointer data)
{
  DarkDialog *d = data;

  g_thread_join (d->thread);
  d->thread = NULL;
  d->finished = TRUE;
  d->laic_ok = d->run_ok;
  g_clear_error (&d->laic_error);
  d->laic_error = g_steal_pointer (&d->run_error);
  if (d->pulse_source != 0)
    {
      g_source_remove (d->pulse_source);
      d->pulse_source = 0;
    }
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: LAIC of %d x %d computed in %.1f ms, "
                "contrast %g\n",
                d->source->width, d->source->height,
                (g_get_monotonic_time () - d->started) / 1000.0,
                (gdouble) d->result[d->working].contrast);
  if (d->laic_ok)
    d->shown = d->working;
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

/* Worker thread: LAIC on the whole layer into result[working]. It reads
 * d->layer and touches nothing but that result and its own fields. */
static gpointer
analysis_thread (gpointer data)
{
  DarkDialog          *d = data;
  Result              *r = &d->result[d->working];
  EvenlightLaicParams  params;

  memcpy (r->rgb, d->layer,
          (gsize) d->source->width * d->source->height * 3 * sizeof (gfloat));
  evenlight_laic_params_init_default (&params);
  params.contrast = r->contrast;
  d->run_ok = evenlight_laic (&params, r->rgb,
                              d->source->width, d->source->height,
                              (gint) g_get_num_processors (), r->gain,
                              &d->run_error);
  g_idle_add (analysis_done, d);
  return NULL;
}

/* Main thread, no run in progress: solves LAIC for the current contrast
 * into the result the preview does not show. FALSE (with the reason on
 * the status line) when the second result cannot be allocated. */
static gboolean
analysis_start (DarkDialog *d)
{
  EvenlightSource *source = d->source;
  gsize            n = (gsize) source->width * source->height;
  Result          *r;

  d->working = d->shown == 0 ? 1 : 0;
  r = &d->result[d->working];
  if (r->rgb == NULL)
    {
      r->rgb = g_try_new (gfloat, 3 * n);
      r->gain = g_try_new (gfloat, n);
      if (r->rgb == NULL || r->gain == NULL)
        {
          g_clear_pointer (&r->rgb, g_free);
          g_clear_pointer (&r->gain, g_free);
          gtk_label_set_text (GTK_LABEL (d->status),
                              _("Not enough memory to apply another contrast."));
          gtk_widget_show (d->status);
          return FALSE;
        }
    }
  r->contrast = d->params->contrast;
  d->started = g_get_monotonic_time ();
  /* Tests wait for this line before they close the dialog or press OK
   * "during the analysis". */
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: LAIC started on %d x %d, contrast %g\n",
                source->width, source->height, (gdouble) r->contrast);
  if (! d->closing)
    gtk_widget_show (d->progress);
  if (d->pulse_source == 0)
    d->pulse_source = g_timeout_add (100, pulse, d);
  d->thread = g_thread_new ("evenlight-laic", analysis_thread, d);
  return TRUE;
}

/* Whether the shown result is not (or not yet) that of the slider's
 * value. */
static gboolean
contrast_pending (DarkDialog *d)
{
  return d->shown < 0 || d->result[d->shown].contrast != d->params->contrast;
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

  evenlight_source_read (&strip, d->layer + (gsize) strip.y * source->width * 3,
                         source, NULL);
  d->rows_read += strip.height;
  if (d->rows_read < source->height)
    return G_SOURCE_CONTINUE;

  d->read_source = 0;
  analysis_start (d);   /* result[0] exists: cannot fail */
  return G_SOURCE_REMOVE;
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
  const Result    *shown;
  gfloat          *rgb;
  gsize            n;
  gint64           t0;

  /* The contrast moved since the last run: solve again (the preview
   * shows the last result meanwhile). */
  if (d->finished && d->laic_ok && d->thread == NULL && contrast_pending (d))
    analysis_start (d);
  if (d->shown < 0 || ! d->laic_ok)
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
  shown = &d->result[d->shown];
  t0 = g_get_monotonic_time ();
  if (dequantize)
    {
      if (! evenlight_dequant_render_region (d->dequant, shown->rgb, shown->gain,
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
                shown->rgb + ((gsize) (rect.y + j) * source->width + rect.x) * 3,
                (gsize) rect.width * 3 * sizeof (gfloat));
    }
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: preview %d x %d at (%d, %d) rendered in "
                "%.1f ms, contrast %g, dequantization %s\n",
                rect.width, rect.height, rect.x, rect.y,
                (g_get_monotonic_time () - t0) / 1000.0,
                (gdouble) shown->contrast, dequantize ? "on" : "off");

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
contrast_changed (GtkAdjustment *adj,
                  DarkDialog    *d)
{
  d->params->contrast = gtk_adjustment_get_value (adj);
  gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
}

static void
build_dialog (DarkDialog *d)
{
  GtkWidget *vbox, *label, *check, *table;
  GtkObject *adj;
  const EvenlightParamSpec *params, *spec;
  guint n_params;

  /* The table first: as one call's arguments, the count could be read
   * before the table function had set it (C leaves the order open). */
  params = evenlight_dark_params_table (&n_params);
  d->dialog = evenlight_preview_dialog_new (_("Even Light for Dark Photos"),
                                            PLUG_IN_DARK_ROLE, PLUG_IN_DARK_PROC);

  vbox = evenlight_preview_dialog_body (d->dialog, d->source->drawable_id,
                                        &d->preview, &d->progress, &d->status);
  g_signal_connect (d->preview, "invalidated",
                    G_CALLBACK (preview_update), d);

  label = gtk_label_new (_("Brightens a very dark photo with a gain that "
                           "adapts to each region. The whole layer is "
                           "analysed, again when Contrast moves; this can "
                           "take some seconds."));
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (vbox), label, FALSE, FALSE, 0);

  spec = evenlight_param_find (params, n_params, "dequantize");
  check = gtk_check_button_new_with_mnemonic (_(spec->ui_label));
  gimp_help_set_help_data (check, _(spec->description), NULL);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (check),
                                d->params->dequantize);
  g_signal_connect (check, "toggled", G_CALLBACK (dequantize_toggled), d);
  gtk_box_pack_start (GTK_BOX (vbox), check, FALSE, FALSE, 0);

  table = gtk_table_new (1, 3, FALSE);
  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_box_pack_start (GTK_BOX (vbox), table, FALSE, FALSE, 0);
  spec = evenlight_param_find (params, n_params, "contrast");
  adj = evenlight_preview_add_slider (GTK_TABLE (table), 0, spec, d->params);
  g_signal_connect (adj, "value-changed", G_CALLBACK (contrast_changed), d);

  gtk_widget_show_all (d->dialog);
  gtk_widget_hide (d->status);
}

/* Runs the main loop until the worker has been joined. LAIC cannot be
 * interrupted, and the worker writes into memory that is freed
 * afterwards, so the dialog never returns while it still runs. */
static void
analysis_wait (DarkDialog *d)
{
  while (d->read_source != 0 || d->thread != NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* After OK: until the shown result is that of the slider's last value,
 * waits for the run in progress and starts the next. FALSE if a run
 * failed or could not start. */
static gboolean
analysis_finish (DarkDialog *d)
{
  for (;;)
    {
      analysis_wait (d);
      if (! d->laic_ok)
        return FALSE;
      if (! contrast_pending (d))
        return TRUE;
      if (! analysis_start (d))
        {
          g_clear_error (&d->laic_error);
          g_set_error_literal (&d->laic_error, EVENLIGHT_ERROR,
                               EVENLIGHT_ERROR_INVALID_ARGUMENT,
                               _("Not enough memory to apply another contrast."));
          d->laic_ok = FALSE;
          return FALSE;
        }
    }
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
  gboolean   ok, busy, done = FALSE;

  gimp_ui_init (PLUG_IN_BINARY, FALSE);
  d.source = source;
  d.params = params;
  d.result[0].rgb = rgb;
  d.result[0].gain = gain;
  d.shown = -1;
  d.layer = g_try_new (gfloat, (gsize) source->width * source->height * 3);
  if (d.layer == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   _("Not enough memory to process a %d × %d layer."),
                   source->width, source->height);
      return FALSE;
    }
  build_dialog (&d);
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: dialog opened on a %d x %d layer\n",
                source->width, source->height);

  d.read_source = g_idle_add (read_step, &d);
  d.pulse_source = g_timeout_add (100, pulse, &d);
  ok = gimp_dialog_run (GIMP_DIALOG (d.dialog)) == GTK_RESPONSE_OK;

  d.closing = TRUE;
  gtk_widget_hide (d.dialog);
  /* Busy: the layer is being read, LAIC runs, or the result shown is not
   * yet that of the slider's value. */
  busy = d.read_source != 0 || d.thread != NULL
         || (d.laic_ok && contrast_pending (&d));
  if (evenlight_debug_enabled () && busy)
    g_printerr ("evenlight-dark: %s during the analysis\n",
                ok ? "OK pressed" : "dialog closed");
  if (! ok && d.read_source != 0)
    {
      /* Closed while the layer was still being read: LAIC never started. */
      g_source_remove (d.read_source);
      d.read_source = 0;
    }
  if (ok && busy)
    {
      /* OK before the analysis ended: it is needed, wait for it. */
      gimp_progress_init (_("Even Light for Dark Photos"));
      d.gimp_progress = TRUE;
    }
  if (ok)
    done = analysis_finish (&d);
  else
    analysis_wait (&d);
  if (d.pulse_source != 0)
    g_source_remove (d.pulse_source);
  gtk_widget_destroy (d.dialog);

  if (ok && ! done)
    {
      g_propagate_error (error, d.laic_error);
      d.laic_error = NULL;
      ok = FALSE;
    }
  /* The caller's buffers receive the result of the slider's value. */
  if (ok && d.shown == 1)
    {
      gsize n = (gsize) source->width * source->height;

      memcpy (rgb, d.result[1].rgb, n * 3 * sizeof (gfloat));
      memcpy (gain, d.result[1].gain, n * sizeof (gfloat));
    }
  g_free (d.result[1].rgb);
  g_free (d.result[1].gain);
  g_free (d.layer);
  g_clear_error (&d.run_error);
  g_clear_error (&d.laic_error);
  g_clear_error (&d.dequant_error);
  if (ok)
    *dequant = d.dequant;
  else
    evenlight_dequant_free (d.dequant);
  return ok;
}

