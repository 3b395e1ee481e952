/* evenlight — GIMP 2.10 plug-in: the dialog of Even Light Exposure Fusion.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The preview is a GimpDrawablePreview of the middle exposure's layer
 * (the one the others are aligned to). The part of it the result covers
 * shows the fused pixels, rendered by evenlight_render_region_threads()
 * like every preview of evenlight, so they are the bits OK writes; the
 * rest (the margin the alignment crops) shows the layer itself. The
 * analysis (reading every layer once, ranking, alignment) is done before
 * the dialog opens, with GIMP's progress bar, and again when Align is
 * toggled.
 */
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include <string.h>

#include "fuse-dialog.h"
#include "evenlight-preview.h"

typedef struct
{
  EvenlightFuseLayers *layers;
  EvenlightFuseParams *params;
  EvenlightModel     **model;
  EvenlightContext    *context;
  GError              *error;
  gint                 ref;       /* the middle exposure's layer */

  GtkWidget           *dialog;
  GtkWidget           *preview;
  GtkWidget           *progress;
  GtkWidget           *status;
  EvenlightRegionCache *cache;
} FuseDialog;

/* (Re)builds the context for the current Align setting. */
static gboolean
analyse (FuseDialog *d)
{
  gint k, rank;

  evenlight_context_free (d->context);
  g_clear_error (&d->error);
  evenlight_region_cache_clear (d->cache);
  d->context = evenlight_fuse_context_new (d->layers, d->params, d->model, &d->error);
  if (d->context == NULL)
    return FALSE;
  for (k = 0; k < d->layers->n; k++)
    {
      evenlight_bracket_get_exposure (d->context, k, NULL, NULL, &rank);
      if (rank == (d->layers->n - 1) / 2)
        d->ref = k;
    }
  return TRUE;
}

static void
preview_update (GimpPreview *preview,
                FuseDialog  *d)
{
  EvenlightSource *source = &d->layers->sources[d->ref];
  EvenlightParams  params;
  EvenlightRect    rect, crop, part;
  gint             w, h, dx, dy, y;
  gfloat          *rgb, *fused;
  GError          *error = NULL;

  if (d->context == NULL)
    {
      gimp_preview_draw (preview);
      return;
    }
  gimp_preview_get_position (preview, &rect.x, &rect.y);
  gimp_preview_get_size (preview, &rect.width, &rect.height);
  if (rect.width <= 0 || rect.height <= 0)
    return;

  /* The layer's own pixels, then the result where it lies: the result's
   * (0, 0) is the layer's (dx, dy). */
  rgb = g_new (gfloat, (gsize) rect.width * rect.height * 3);
  evenlight_source_read (&rect, rgb, source, NULL);
  evenlight_bracket_get_crop (d->context, &crop);
  evenlight_context_get_size (d->context, &w, &h);
  dx = d->layers->common.x - d->layers->ox[d->ref] + crop.x;
  dy = d->layers->common.y - d->layers->oy[d->ref] + crop.y;
  part.x = MAX (rect.x, dx);
  part.y = MAX (rect.y, dy);
  part.width = MIN (rect.x + rect.width, dx + w) - part.x;
  part.height = MIN (rect.y + rect.height, dy + h) - part.y;
  if (part.width > 0 && part.height > 0)
    {
      EvenlightRect r = { part.x - dx, part.y - dy, part.width, part.height };

      evenlight_params_init_default (&params);
      params.denoise = d->params->denoise;
      fused = g_new (gfloat, (gsize) r.width * r.height * 3);
      if (evenlight_render_region_threads (d->context, &params, &r,
                                           (gint) g_get_num_processors (), d->cache,
                                           NULL, NULL, fused, (gsize) r.width * 3, &error))
        for (y = 0; y < r.height; y++)
          memcpy (rgb + ((gsize) (part.y - rect.y + y) * rect.width + (part.x - rect.x)) * 3,
                  fused + (gsize) y * r.width * 3, (gsize) r.width * 3 * sizeof (gfloat));
      else
        {
          gtk_label_set_text (GTK_LABEL (d->status), error->message);
          gtk_widget_show (d->status);
          g_clear_error (&error);
        }
      g_free (fused);
    }
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-fuse: preview %d x %d at (%d, %d) drawn\n",
                rect.width, rect.height, rect.x, rect.y);
  evenlight_preview_draw (preview, source, &rect, rgb);
  g_free (rgb);
}

static void
denoise_changed (GtkAdjustment *adj,
                 FuseDialog    *d)
{
  d->params->denoise = (gfloat) gtk_adjustment_get_value (adj);
  gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
}

static void
align_toggled (GtkToggleButton *button,
               FuseDialog      *d)
{
  d->params->align = gtk_toggle_button_get_active (button);
  if (! analyse (d))
    evenlight_preview_dialog_fail (d->dialog, d->status, d->error->message);
  else if (evenlight_bracket_get_warning (d->context) != NULL)
    {
      gtk_label_set_text (GTK_LABEL (d->status), evenlight_bracket_get_warning (d->context));
      gtk_widget_show (d->status);
    }
  else
    gtk_widget_hide (d->status);
  gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
}

static void
build_dialog (FuseDialog *d)
{
  GtkWidget *vbox, *check;
  const EvenlightParamSpec *fuse_table, *spec;
  GtkObject *adj;
  guint n_params;

  d->dialog = evenlight_preview_dialog_new (_("Even Light Exposure Fusion"),
                                            PLUG_IN_FUSE_ROLE, PLUG_IN_FUSE_PROC);

  vbox = evenlight_preview_dialog_body (d->dialog, d->layers->sources[d->ref].drawable_id,
                                        &d->preview, &d->progress, &d->status);
  g_signal_connect (d->preview, "invalidated", G_CALLBACK (preview_update), d);

  fuse_table = evenlight_fuse_params_table (&n_params);
  spec = evenlight_param_find (fuse_table, n_params, "denoise");
  adj = evenlight_preview_add_slider (evenlight_preview_add_table (vbox, 1), 0, spec,
                                      d->params);
  g_signal_connect (adj, "value-changed", G_CALLBACK (denoise_changed), d);

  spec = evenlight_param_find (fuse_table, n_params, "align");
  check = evenlight_preview_add_check (vbox, spec, d->params);
  g_signal_connect (check, "toggled", G_CALLBACK (align_toggled), d);

  gtk_widget_show_all (d->dialog);
  gtk_widget_hide (d->progress);
  if (evenlight_bracket_get_warning (d->context) != NULL)
    gtk_label_set_text (GTK_LABEL (d->status), evenlight_bracket_get_warning (d->context));
  else
    gtk_widget_hide (d->status);
}

gboolean
evenlight_fuse_dialog_run (EvenlightFuseLayers  *layers,
                           EvenlightFuseParams  *params,
                           EvenlightModel      **model,
                           EvenlightContext    **context,
                           GError              **error)
{
  FuseDialog d = { 0 };
  gboolean ok;

  gimp_ui_init (PLUG_IN_BINARY, FALSE);
  d.layers = layers;
  d.params = params;
  d.model = model;
  d.cache = evenlight_region_cache_new ();

  gimp_progress_init (_("Analysing the exposures"));
  if (! analyse (&d))
    {
      g_propagate_error (error, d.error);
      evenlight_region_cache_free (d.cache);
      return FALSE;
    }
  gimp_progress_end ();
  build_dialog (&d);
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-fuse: dialog open, %d layers analysed\n", layers->n);

  ok = gimp_dialog_run (GIMP_DIALOG (d.dialog)) == GTK_RESPONSE_OK && d.context != NULL;
  gtk_widget_destroy (d.dialog);
  evenlight_region_cache_free (d.cache);
  if (ok)
    *context = d.context;
  else
    evenlight_context_free (d.context);
  g_clear_error (&d.error);
  return ok;
}
