/* evenlight — GIMP 2.10 plug-in: the dialog (GTK+ 2).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three sliders and a preview, in the shape of GIMP's own filters
 * (plug-ins/common/despeckle.c). The preview is a GimpDrawablePreview, a
 * 1:1 view of a part of the layer, rather than a GimpZoomPreview of the
 * whole picture: the network works at full resolution and the denoise
 * slider acts on single pixels, which a scaled-down view would hide, and
 * the illumination that matters for the whole picture is already in the
 * global context, so any 1:1 part shows exactly what OK will give, pixel
 * for pixel (the preview goes through the same tile renderer as the final
 * apply). It also keeps every slider move cheap: only the
 * visible rectangle is rendered, on all processors, and a move of the
 * Denoise slider alone reuses what the other two sliders determine (the
 * region cache), so it only redoes the DCT filter.
 *
 * The context needs one pass over the whole layer, which takes a while on
 * a large photo, so it is computed on a worker thread as soon as the
 * dialog opens. The worker's pixel reads are handed to the main loop (the
 * libgimp pipe belongs to the main thread), which keeps the dialog
 * responsive and shows the progress meanwhile.
 */
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "evenlight-dialog.h"
#include "evenlight-preview.h"

#define RESPONSE_RESET 1

typedef struct
{
  EvenlightSource      *source;
  const EvenlightModel *model;
  EvenlightParams      *params;

  GtkWidget            *dialog;
  GtkWidget            *preview;
  GtkWidget            *progress;
  GtkWidget            *status;
  const EvenlightParamSpec *table;
  guint                 n_params;
  GtkObject           **adj;        /* one per entry of the table */

  /* The worker thread and the read it waits for; all under @mutex.
   * @request_lock keeps one request in flight, should the core ever read
   * from several threads while it builds the context. */
  GThread              *thread;
  GMutex                request_lock;
  GMutex                mutex;
  GCond                 cond;
  const EvenlightRect  *request_rect;
  gfloat               *request_rgb;
  gboolean              request_done;
  gboolean              cancelled;
  EvenlightContext     *result;
  GError               *result_error;
  gint64                started;

  /* Main thread only: set once the worker's result has been taken over. */
  gboolean              finished;
  EvenlightContext     *context;
  GError               *error;
  /* Main thread only: what the last preview computed before Denoise. */
  EvenlightRegionCache *cache;
} Dialog;

/* ---- Background analysis --------------------------------------------- */

/* Main thread: performs the read the worker is waiting for. */
static gboolean
serve_read (gpointer data)
{
  Dialog              *d = data;
  const EvenlightRect *rect;
  gfloat              *rgb;
  gboolean             cancelled;

  g_mutex_lock (&d->mutex);
  rect = d->request_rect;
  rgb = d->request_rgb;
  cancelled = d->cancelled;
  g_mutex_unlock (&d->mutex);

  if (! cancelled)
    {
      gdouble fraction = (gdouble) (rect->y + rect->height) / d->source->height;

      evenlight_source_read (rect, rgb, d->source, NULL);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (d->progress),
                                     CLAMP (fraction, 0.0, 1.0));
    }

  g_mutex_lock (&d->mutex);
  d->request_done = TRUE;
  g_cond_signal (&d->cond);
  g_mutex_unlock (&d->mutex);
  return G_SOURCE_REMOVE;
}

/* Worker thread: an EvenlightReadFunc that asks the main loop. */
static gboolean
analyse_read (const EvenlightRect *rect,
              gfloat              *rgb,
              gpointer             user_data,
              GError             **error)
{
  Dialog   *d = user_data;
  gboolean  ok;

  g_mutex_lock (&d->request_lock);
  g_mutex_lock (&d->mutex);
  ok = ! d->cancelled;
  if (ok)
    {
      d->request_rect = rect;
      d->request_rgb = rgb;
      d->request_done = FALSE;
      g_idle_add (serve_read, d);
      while (! d->request_done)
        g_cond_wait (&d->cond, &d->mutex);
      ok = ! d->cancelled;
    }
  g_mutex_unlock (&d->mutex);
  g_mutex_unlock (&d->request_lock);

  if (! ok)
    g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED,
                         _("Cancelled."));
  return ok;
}

/* Main thread: takes over the worker's result. */
static gboolean
analyse_done (gpointer data)
{
  Dialog *d = data;

  g_thread_join (d->thread);
  d->thread = NULL;
  d->context = d->result;
  d->error = d->result_error;
  d->finished = TRUE;

  if (evenlight_debug_enabled ())
    g_printerr ("evenlight: context of %d x %d computed in %.1f ms\n",
                d->source->width, d->source->height,
                (g_get_monotonic_time () - d->started) / 1000.0);

  gtk_widget_hide (d->progress);
  if (d->context != NULL)
    {
      gtk_widget_hide (d->status);
      gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
    }
  else if (! g_error_matches (d->error, EVENLIGHT_ERROR,
                              EVENLIGHT_ERROR_CANCELLED))
    {
      evenlight_preview_dialog_fail (d->dialog, d->status, d->error->message);
    }
  return G_SOURCE_REMOVE;
}

static gpointer
analyse_thread (gpointer data)
{
  Dialog           *d = data;
  GError           *error = NULL;
  EvenlightContext *context;

  context = evenlight_context_new (d->model,
                                   d->source->width, d->source->height,
                                   analyse_read, d, &error);
  g_mutex_lock (&d->mutex);
  d->result = context;
  d->result_error = error;
  g_mutex_unlock (&d->mutex);
  g_idle_add (analyse_done, d);
  return NULL;
}

/* Runs the main loop until the worker's result has been taken over. */
static void
analyse_wait (Dialog *d)
{
  while (! d->finished)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- Preview ---------------------------------------------------------- */

static void
preview_update (GimpPreview *preview,
                Dialog      *d)
{
  EvenlightSource *source = d->source;
  EvenlightRect    rect;
  GError          *error = NULL;
  gfloat          *rgb;
  gsize            n;
  gint64           t0;

  if (d->context == NULL)
    {
      gimp_preview_draw (preview);   /* the original until the analysis ends */
      return;
    }

  gimp_preview_get_position (preview, &rect.x, &rect.y);
  gimp_preview_get_size (preview, &rect.width, &rect.height);
  if (rect.width <= 0 || rect.height <= 0)
    return;

  n = (gsize) rect.width * rect.height;
  rgb = g_new (gfloat, 3 * n);
  t0 = g_get_monotonic_time ();
  /* Piece by piece through the per-tile call the final apply makes; a
   * pixel's value does not depend on how the rectangle is cut, so the
   * preview is the result, not an approximation of it (the same bits as
   * evenlight_render_region()). */
  if (! evenlight_render_region_threads (d->context, d->params, &rect,
                                         (gint) g_get_num_processors (), d->cache,
                                         evenlight_source_read, source,
                                         rgb, 3 * (gsize) rect.width, &error))
    {
      gtk_label_set_text (GTK_LABEL (d->status), error->message);
      gtk_widget_show (d->status);
      g_clear_error (&error);
      g_free (rgb);
      return;
    }
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight: preview %d x %d at (%d, %d) rendered in %.1f ms\n",
                rect.width, rect.height, rect.x, rect.y,
                (g_get_monotonic_time () - t0) / 1000.0);

  evenlight_preview_draw (preview, source, &rect, rgb);
  g_free (rgb);
}

/* ---- Sliders ----------------------------------------------------------- */

/* The value of an adjustment, in the values struct at the table entry its
 * "evenlight-spec" data names. */
static void
slider_changed (GtkAdjustment *adj,
                Dialog        *d)
{
  const EvenlightParamSpec *spec = g_object_get_data (G_OBJECT (adj), "evenlight-spec");

  evenlight_param_set (spec, d->params, gtk_adjustment_get_value (adj));
  gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
}

/* One scale with its spin button, made from a table entry. */
static GtkObject *
add_slider (Dialog                   *d,
            GtkTable                 *table,
            gint                      row,
            const EvenlightParamSpec *spec)
{
  GtkObject *adj = evenlight_preview_add_slider (table, row, spec, d->params);

  g_signal_connect (adj, "value-changed", G_CALLBACK (slider_changed), d);
  return adj;
}

static void
reset_sliders (Dialog *d)
{
  for (guint i = 0; i < d->n_params; i++)
    gtk_adjustment_set_value (GTK_ADJUSTMENT (d->adj[i]), d->table[i].default_value);
}

static void
build_dialog (Dialog *d)
{
  GtkWidget *vbox;
  GtkTable  *table;

  d->dialog = gimp_dialog_new (_("Even Light"), PLUG_IN_ROLE,
                               NULL, 0,
                               gimp_standard_help_func, PLUG_IN_HELP_ID,
                               _("_Reset"),  RESPONSE_RESET,
                               _("_Cancel"), GTK_RESPONSE_CANCEL,
                               _("_OK"),     GTK_RESPONSE_OK,
                               NULL);
  gtk_dialog_set_alternative_button_order (GTK_DIALOG (d->dialog),
                                           RESPONSE_RESET,
                                           GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL,
                                           -1);
  gimp_window_set_transient (GTK_WINDOW (d->dialog));

  vbox = evenlight_preview_dialog_body (d->dialog, d->source->drawable_id,
                                        &d->preview, &d->progress, &d->status);
  g_signal_connect (d->preview, "invalidated",
                    G_CALLBACK (preview_update), d);

  table = evenlight_preview_add_table (vbox, (gint) d->n_params);

  d->adj = g_new (GtkObject *, d->n_params);
  for (guint i = 0; i < d->n_params; i++)
    d->adj[i] = add_slider (d, table, (gint) i, &d->table[i]);

  gtk_widget_show_all (d->dialog);
  gtk_widget_hide (d->status);
}

gboolean
evenlight_dialog_run (EvenlightSource       *source,
                      const EvenlightModel  *model,
                      EvenlightParams       *params,
                      EvenlightContext     **context,
                      GError               **error)
{
  Dialog   d = { 0 };
  gint     response;
  gboolean ok;

  gimp_ui_init (PLUG_IN_BINARY, FALSE);

  d.source = source;
  d.model = model;
  d.params = params;
  d.table = evenlight_params_table (&d.n_params);
  d.cache = evenlight_region_cache_new ();
  g_mutex_init (&d.request_lock);
  g_mutex_init (&d.mutex);
  g_cond_init (&d.cond);
  build_dialog (&d);

  d.started = g_get_monotonic_time ();
  d.thread = g_thread_new ("evenlight-context", analyse_thread, &d);

  while ((response = gimp_dialog_run (GIMP_DIALOG (d.dialog))) == RESPONSE_RESET)
    reset_sliders (&d);

  ok = response == GTK_RESPONSE_OK;
  if (ok && ! d.finished)
    {
      /* OK before the analysis ended: let it finish, it is needed. */
      gtk_widget_set_sensitive (d.dialog, FALSE);
      analyse_wait (&d);
    }
  else if (! ok)
    {
      g_mutex_lock (&d.mutex);
      d.cancelled = TRUE;
      g_mutex_unlock (&d.mutex);
      analyse_wait (&d);
    }
  gtk_widget_destroy (d.dialog);
  g_free (d.adj);
  evenlight_region_cache_free (d.cache);

  if (ok && d.context == NULL)
    {
      g_propagate_error (error, d.error);
      d.error = NULL;
      ok = FALSE;
    }
  if (ok)
    *context = d.context;
  else if (d.context != NULL)
    evenlight_context_free (d.context);
  g_clear_error (&d.error);
  g_mutex_clear (&d.request_lock);
  g_mutex_clear (&d.mutex);
  g_cond_clear (&d.cond);
  return ok;
}
