/* evenlight — GIMP 2.10 plug-in: the dialog of Even Light for Dark Photos.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog shows a GimpDrawablePreview like the main dialog's. LAIC's
 * gain is global, so the final pixels of any rectangle need the program
 * solved on the whole layer, which takes seconds on a camera photo; the
 * preview therefore answers first from the coarse levels of that solve
 * and is refined as it goes:
 *
 *  - while the layer is read (strip by strip from an idle source: the
 *    libgimp pipe belongs to this thread), GIMP's thumbnail of it (256
 *    pixels a side, 8-bit) is solved on a worker, and the preview shows
 *    that gain interpolated to the layer, on the rectangle's own pixels
 *    fetched from GIMP;
 *  - once the layer is read, a worker thread makes the
 *    solver (core/laic.h: the bright channel at every level) and runs the
 *    whole solve; each level from PREVIEW_MIN_PIXELS on is handed to the
 *    main thread as it is solved, and the preview shows that level's gain
 *    interpolated to the layer (evenlight_laic_coarse_render), then the
 *    next finer one, then the final result;
 *  - when Contrast moves, the solve in progress is cancelled (between two
 *    iterations) and a second worker solves the coarse levels only, up to
 *    PREVIEW_MAX_PIXELS, for the new value; once it is done the whole
 *    solve starts again for that value;
 *  - the final result goes into the caller's buffers; the preview copies
 *    its rectangle from there or, with the check box, dequantizes just that
 *    rectangle with evenlight_dequant_render_region(), whose output equals
 *    the same pixels of the whole-layer evenlight_dequant_apply() that OK
 *    runs. A coarse gain is dequantized the same way on the rectangle and
 *    its margin only. OK waits for the whole solve of the last value
 *    (with GIMP's progress bar) and reuses it: it is the very solve the
 *    non-interactive call makes; Cancel stops the solves and returns once
 *    they have ended.
 *
 * This file: the widgets and the preview's drawing; dark-solves.c: the
 * read of the layer, the thumbnail and the solves on their threads.
 */
#include <string.h>

#include "dark-dialog-private.h"
#include "evenlight-preview.h"
#include "plugin-paths.h"

static void preview_update (GimpPreview *preview, DarkDialog *d);

/* Redraws the preview now (not after the 200 ms of
 * gimp_preview_invalidate): a level or the result has just arrived. */
void
evenlight_dark_redraw (DarkDialog *d)
{
  if (! d->closing && gimp_preview_get_update (GIMP_PREVIEW (d->preview)))
    preview_update (GIMP_PREVIEW (d->preview), d);
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

/* The pixels of @rect from the coarse gain @c, dequantized with the check
 * box: the rectangle and its margin are compensated, then dequantized as
 * an image of their own (its origin on a multiple of 16 of the layer's, as
 * the whole layer's windows are). */
static gboolean
render_coarse (DarkDialog                *d,
               const EvenlightLaicCoarse *c,
               const EvenlightRect       *rect,
               gboolean                   dequantize,
               gfloat                    *out,
               GError                   **error)
{
  EvenlightSource *source = d->source;
  EvenlightRect    sub = *rect, inner;
  gfloat          *in, *rgb, *gain;
  gboolean         ok = TRUE;
  gint             x1, y1;

  if (dequantize)
    {
      sub.x = MAX (0, rect->x - EVENLIGHT_DEQUANT_MARGIN)
              / EVENLIGHT_DEQUANT_ALIGN * EVENLIGHT_DEQUANT_ALIGN;
      sub.y = MAX (0, rect->y - EVENLIGHT_DEQUANT_MARGIN)
              / EVENLIGHT_DEQUANT_ALIGN * EVENLIGHT_DEQUANT_ALIGN;
      x1 = MIN (source->width, rect->x + rect->width + EVENLIGHT_DEQUANT_MARGIN);
      y1 = MIN (source->height, rect->y + rect->height + EVENLIGHT_DEQUANT_MARGIN);
      sub.width = x1 - sub.x;
      sub.height = y1 - sub.y;
    }
  /* The pixels of @sub: from the layer in memory, or, while it is still
   * being read (an answer from the thumbnail), from GIMP. */
  in = g_new (gfloat, (gsize) sub.width * sub.height * 3);
  if (d->read_source == 0)
    for (gint j = 0; j < sub.height; j++)
      memcpy (in + (gsize) j * sub.width * 3,
              d->layer + ((gsize) (sub.y + j) * source->width + sub.x) * 3,
              (gsize) sub.width * 3 * sizeof (gfloat));
  else
    evenlight_source_read (&sub, in, source, NULL);
  if (! dequantize)
    {
      evenlight_laic_coarse_render (c, in, rect, out, NULL);
      g_free (in);
      return TRUE;
    }
  inner = (EvenlightRect) { rect->x - sub.x, rect->y - sub.y, rect->width, rect->height };
  rgb = g_new (gfloat, (gsize) sub.width * sub.height * 3);
  gain = g_new (gfloat, (gsize) sub.width * sub.height);
  evenlight_laic_coarse_render (c, in, &sub, rgb, gain);
  ok = evenlight_dequant_render_region (d->dequant, rgb, gain, sub.width, sub.height,
                                        EVENLIGHT_DEQUANT_STEP_8BIT, &inner, out, error);
  g_free (in);
  g_free (rgb);
  g_free (gain);
  return ok;
}

/* Idle: the dequantized pass of the coarse preview just drawn without it. */
static gboolean
dequant_later (gpointer data)
{
  DarkDialog *d = data;

  d->dequant_source = 0;
  if (! d->closing && gimp_preview_get_update (GIMP_PREVIEW (d->preview)))
    {
      d->dequant_pass = TRUE;
      preview_update (GIMP_PREVIEW (d->preview), d);
      d->dequant_pass = FALSE;
    }
  return G_SOURCE_REMOVE;
}

/* Draws the visible rectangle: the final pixels once the whole solve of
 * the slider's value is there (LAIC's output, and with the check box the
 * dequantization of just that rectangle, which equals the same pixels of
 * the whole-layer evenlight_dequant_apply() that OK runs); until then the
 * finest level solved for it (or, just after Contrast moved, the last
 * result of another value); the original before any. */
static void
preview_update (GimpPreview *preview,
                DarkDialog  *d)
{
  EvenlightSource           *source = d->source;
  EvenlightRect              rect;
  GError                    *error = NULL;
  gboolean                   dequantize = d->params->dequantize;
  gfloat                     want = d->params->contrast;
  const EvenlightLaicCoarse *coarse = NULL;
  gboolean                   full;
  gfloat                     contrast;
  gfloat                    *rgb;
  gsize                      n;
  gint64                     t0;
  gchar                     *from;
  gboolean                   later = FALSE;

  gimp_preview_get_position (preview, &rect.x, &rect.y);
  gimp_preview_get_size (preview, &rect.width, &rect.height);
  /* The final result of the slider's value, else its finest level, else
   * whatever was last shown. */
  full = d->have_full && d->full_contrast == want;
  if (! full && d->coarse != NULL && d->coarse->contrast == want)
    coarse = d->coarse;
  else if (! full && d->have_full && d->full_job == NULL)
    full = TRUE;
  else if (! full)
    coarse = d->coarse;
  if ((! full && coarse == NULL) || ! d->laic_ok)
    {
      gimp_preview_draw (preview);   /* the original until LAIC answers */
      evenlight_preview_report_drawn ();
      if (evenlight_debug_enabled ())
        g_printerr ("evenlight-dark: preview %d x %d at (%d, %d) shows the "
                    "original while LAIC runs\n",
                    rect.width, rect.height, rect.x, rect.y);
      return;
    }
  if (dequantize && ! dialog_load_dequant (d))
    {
      /* OK would fail and leave the layer as it is: show it as it is. */
      gimp_preview_draw (preview);
      return;
    }
  gtk_widget_hide (d->status);
  if (rect.width <= 0 || rect.height <= 0)
    return;

  n = (gsize) rect.width * rect.height;
  rgb = g_new (gfloat, 3 * n);
  t0 = g_get_monotonic_time ();
  if (full)
    {
      contrast = d->full_contrast;
      if (dequantize)
        {
          if (! evenlight_dequant_render_region (d->dequant, d->rgb, d->gain,
                                                 source->width, source->height,
                                                 EVENLIGHT_DEQUANT_STEP_8BIT,
                                                 &rect, rgb, &error))
            goto fail;
        }
      else
        {
          for (gint j = 0; j < rect.height; j++)
            memcpy (rgb + (gsize) j * rect.width * 3,
                    d->rgb + ((gsize) (rect.y + j) * source->width + rect.x) * 3,
                    (gsize) rect.width * 3 * sizeof (gfloat));
        }
      from = g_strdup ("the whole solve");
    }
  else
    {
      contrast = coarse->contrast;
      /* A coarse answer is drawn at once without the dequantization, which
       * takes most of the render (the area and its margin), then again
       * with it from an idle: GTK's redraw, at a higher priority, puts the
       * first drawing on the screen before (and the read of the layer,
       * whose idles share this priority, does not hold it back). */
      later = dequantize && ! d->dequant_pass;
      if (! render_coarse (d, coarse, &rect, dequantize && ! later, rgb, &error))
        goto fail;
      if (later && d->dequant_source == 0)
        d->dequant_source = g_idle_add (dequant_later, d);
      from = coarse->level == EVENLIGHT_LAIC_LEVEL_SCALED
             ? g_strdup_printf ("the thumbnail (%d x %d)", coarse->level_width,
                                coarse->level_height)
             : g_strdup_printf ("level %d (%d x %d)", coarse->level,
                                coarse->level_width, coarse->level_height);
    }
  if (evenlight_debug_enabled ())
    {
      gint64 now = g_get_monotonic_time ();

      g_printerr ("evenlight-dark: preview %d x %d at (%d, %d) from %s "
                  "rendered in %.1f ms, contrast %g, dequantization %s\n",
                  rect.width, rect.height, rect.x, rect.y, from,
                  (now - t0) / 1000.0, (gdouble) contrast,
                  later ? "to follow" : dequantize ? "on" : "off");
      if (! d->first_drawn)
        g_printerr ("evenlight-dark: first preview from LAIC %.1f ms after the "
                    "dialog opened, from %s\n", (now - d->opened) / 1000.0, from);
    }
  /* How long a Contrast move waits for its answer, and for that answer
   * dequantized (the benchmark reads these lines). */
  if (evenlight_debug_enabled () && d->moved != 0 && contrast == want
      && ! d->dequant_pass && ! d->move_answered)
    g_printerr ("evenlight-dark: preview at contrast %g %.1f ms after Contrast "
                "moved, from %s%s\n", (gdouble) want,
                (g_get_monotonic_time () - d->moved) / 1000.0, from,
                later ? ", the dequantization to follow" : "");
  if (evenlight_debug_enabled () && d->moved != 0 && contrast == want
      && d->dequant_pass)
    g_printerr ("evenlight-dark: dequantized preview at contrast %g %.1f ms "
                "after Contrast moved\n", (gdouble) want,
                (g_get_monotonic_time () - d->moved) / 1000.0);
  if (contrast == want)
    d->move_answered = TRUE;
  if (contrast == want && ! later)
    d->moved = 0;
  d->first_drawn = TRUE;
  g_free (from);
  evenlight_preview_draw (preview, source, &rect, rgb);
  g_free (rgb);
  return;

fail:
  gtk_label_set_text (GTK_LABEL (d->status), error->message);
  gtk_widget_show (d->status);
  g_clear_error (&error);
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
  d->moved = g_get_monotonic_time ();
  d->move_answered = FALSE;
  /* The solves start at once; the preview is redrawn as their levels
   * arrive, and after the preview's debounce. */
  evenlight_dark_schedule (d);
  gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
}

static void
build_dialog (DarkDialog *d)
{
  GtkWidget *vbox, *label, *check;
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
                           "analysed, again when Contrast moves: the preview "
                           "shows a coarse answer first, refined as the "
                           "analysis goes on."));
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (vbox), label, FALSE, FALSE, 0);

  spec = evenlight_param_find (params, n_params, "dequantize");
  check = evenlight_preview_add_check (vbox, spec, d->params);
  g_signal_connect (check, "toggled", G_CALLBACK (dequantize_toggled), d);

  spec = evenlight_param_find (params, n_params, "contrast");
  adj = evenlight_preview_add_slider (evenlight_preview_add_table (vbox, 1), 0, spec,
                                      d->params);
  g_signal_connect (adj, "value-changed", G_CALLBACK (contrast_changed), d);

  gtk_widget_show_all (d->dialog);
  gtk_widget_hide (d->status);
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
  gboolean   ok, busy;

  gimp_ui_init (PLUG_IN_BINARY, FALSE);
  d.source = source;
  d.params = params;
  d.rgb = rgb;
  d.gain = gain;
  d.laic_ok = TRUE;
  d.layer = g_try_new (gfloat, (gsize) source->width * source->height * 3);
  if (d.layer == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                   _("Not enough memory to process a %d × %d layer."),
                   source->width, source->height);
      return FALSE;
    }
  d.opened = g_get_monotonic_time ();
  d.read_source = g_idle_add (evenlight_dark_read_step, &d);
  build_dialog (&d);
  evenlight_dark_thumbnail_start (&d);
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: dialog opened on a %d x %d layer\n",
                source->width, source->height);

  d.pulse_source = g_timeout_add (100, evenlight_dark_pulse, &d);
  ok = gimp_dialog_run (GIMP_DIALOG (d.dialog)) == GTK_RESPONSE_OK;

  d.closing = TRUE;
  gtk_widget_hide (d.dialog);
  /* Busy: the layer is being read, or the whole solve of the slider's
   * value is not there yet. */
  busy = d.read_source != 0
         || ! (d.have_full && d.full_contrast == params->contrast);
  if (evenlight_debug_enabled () && busy && d.laic_ok)
    g_printerr ("evenlight-dark: %s during the analysis\n",
                ok ? "OK pressed" : "dialog closed");
  if (! ok && d.read_source != 0)
    {
      /* Closed while the layer was still being read: LAIC never started. */
      g_source_remove (d.read_source);
      d.read_source = 0;
    }
  if (ok && busy && d.laic_ok)
    {
      /* OK before the analysis ended: it is needed, wait for it. */
      gimp_progress_init (_("Even Light for Dark Photos"));
      d.gimp_progress = TRUE;
    }
  if (ok)
    {
      /* The whole solve of the last value, then nothing left running. */
      evenlight_dark_schedule (&d);
      while (d.laic_ok && ! (d.have_full && d.full_contrast == params->contrast))
        g_main_context_iteration (NULL, TRUE);
    }
  else
    {
      d.cancelled = TRUE;
      evenlight_dark_schedule (&d);
    }
  evenlight_dark_wait (&d);
  if (d.pulse_source != 0)
    g_source_remove (d.pulse_source);
  if (d.dequant_source != 0)
    g_source_remove (d.dequant_source);
  gtk_widget_destroy (d.dialog);

  if (ok && ! d.laic_ok)
    {
      g_propagate_error (error, d.laic_error);
      d.laic_error = NULL;
      ok = FALSE;
    }
  evenlight_laic_solver_free (d.solver);
  g_free (d.thumb);
  evenlight_laic_coarse_free (d.coarse);
  g_free (d.layer);
  g_clear_error (&d.laic_error);
  g_clear_error (&d.dequant_error);
  if (ok)
    *dequant = d.dequant;
  else
    evenlight_dequant_free (d.dequant);
  return ok;
}
