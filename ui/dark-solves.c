/* evenlight — GIMP 2.10 plug-in: the dark-photo dialog's solves. The
 * layer is read strip by strip from an idle source, GIMP's thumbnail of
 * it is solved meanwhile, then the whole program is solved on a worker
 * thread and the coarse levels of a new Contrast on a second one; each
 * level and each end is handed to the main thread (dark-dialog.c has the
 * whole story and draws what arrives).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dark-dialog-private.h"
#include "evenlight-preview.h"

/* LAIC reports no progress: the bars pulse while it works. */
gboolean
evenlight_dark_pulse (gpointer data)
{
  DarkDialog *d = data;

  if (d->gimp_progress)
    gimp_progress_pulse ();
  else
    gtk_progress_bar_pulse (GTK_PROGRESS_BAR (d->progress));
  return G_SOURCE_CONTINUE;
}

/* Finer answers rank lower; the thumbnail's is the coarsest. */
static gint
level_rank (const EvenlightLaicCoarse *c)
{
  return c->level == EVENLIGHT_LAIC_LEVEL_SCALED ? G_MAXINT : c->level;
}

/* Main thread: a level of a solve, shown if it is of the slider's value
 * and finer than the one shown (and the final result is not there yet). */
static gboolean
level_arrived (gpointer data)
{
  LevelReport         *report = data;
  DarkDialog          *d = report->d;
  EvenlightLaicCoarse *c = report->coarse;
  gfloat               want = d->params->contrast;

  d->pending--;
  if (! d->closing && c->contrast == want
      && ! (d->have_full && d->full_contrast == want)
      && (d->coarse == NULL || d->coarse->contrast != want
          || level_rank (c) < level_rank (d->coarse)))
    {
      evenlight_laic_coarse_free (d->coarse);
      d->coarse = c;
      evenlight_dark_redraw (d);
    }
  else
    evenlight_laic_coarse_free (c);
  g_free (report);
  return G_SOURCE_REMOVE;
}

/* Worker thread: hands a level to the main thread. */
static void
level_solved (const EvenlightLaicCoarse *coarse,
              gpointer                   data)
{
  Job         *job = data;
  LevelReport *report;

  if (job->thumb != NULL ? coarse->level != 0
      : (gsize) coarse->level_width * coarse->level_height < PREVIEW_MIN_PIXELS
        && coarse->level > 0)
    return;
  report = g_new (LevelReport, 1);
  report->d = job->d;
  report->coarse = evenlight_laic_coarse_copy (coarse);
  if (job->thumb != NULL)
    {
      /* The thumbnail's full resolution spans the layer. */
      report->coarse->level = EVENLIGHT_LAIC_LEVEL_SCALED;
      report->coarse->width = job->d->source->width;
      report->coarse->height = job->d->source->height;
    }
  g_idle_add (level_arrived, report);
}

/* Main thread: takes over a worker's outcome. */
static gboolean
job_done (gpointer data)
{
  Job        *job = data;
  DarkDialog *d = job->d;
  gboolean    cancelled, full;

  g_thread_join (job->thread);
  d->pending--;
  cancelled = ! job->ok && g_error_matches (job->error, EVENLIGHT_ERROR,
                                            EVENLIGHT_ERROR_CANCELLED);
  if (evenlight_debug_enabled ())
    {
      const gchar *what = job->full ? "LAIC" : "coarse levels";
      gdouble      ms = (g_get_monotonic_time () - job->started) / 1000.0;

      /* "LAIC of": tests count the whole solves that ended. */
      if (cancelled)
        g_printerr ("evenlight-dark: %s cancelled after %.1f ms, contrast %g\n",
                    what, ms, (gdouble) job->contrast);
      else if (job->full)
        g_printerr ("evenlight-dark: LAIC of %d x %d computed in %.1f ms, "
                    "contrast %g\n", d->source->width, d->source->height,
                    ms, (gdouble) job->contrast);
      else if (job->thumb != NULL)
        g_printerr ("evenlight-dark: thumbnail %d x %d solved in %.1f ms, "
                    "contrast %g\n", job->thumb_width, job->thumb_height, ms,
                    (gdouble) job->contrast);
      else
        g_printerr ("evenlight-dark: coarse levels solved in %.1f ms, "
                    "contrast %g\n", ms, (gdouble) job->contrast);
    }
  if (job->full)
    d->full_job = NULL;
  else
    d->preview_job = NULL;
  if (! job->ok && ! cancelled && d->laic_ok)
    {
      d->laic_ok = FALSE;
      d->laic_error = g_steal_pointer (&job->error);
      if (! d->closing)
        evenlight_preview_dialog_fail (d->dialog, d->status, d->laic_error->message);
    }
  else if (job->ok && job->full)
    {
      d->have_full = TRUE;
      d->full_contrast = job->contrast;
      if (job->contrast == d->params->contrast)
        g_clear_pointer (&d->coarse, evenlight_laic_coarse_free);
    }
  full = job->ok && job->full;
  g_clear_error (&job->error);
  g_free (job);
  /* Hiding the progress bar (schedule) resizes the preview: the result is
   * drawn after the preview's debounce, at its new size. */
  evenlight_dark_schedule (d);
  if (full && ! d->closing)
    gimp_preview_invalidate (GIMP_PREVIEW (d->preview));
  return G_SOURCE_REMOVE;
}

/* Worker thread: the whole solve of d->layer into d->rgb and d->gain (the
 * main thread does not read them meanwhile: have_full is FALSE), making
 * the solver first if no solve has yet. */
static gpointer
full_thread (gpointer data)
{
  Job                 *job = data;
  DarkDialog          *d = job->d;
  EvenlightLaicSolver *solver = g_atomic_pointer_get (&d->solver);
  EvenlightLaicParams  params;

  evenlight_laic_params_init_default (&params);
  params.contrast = job->contrast;
  if (solver == NULL)
    {
      solver = evenlight_laic_solver_new (d->layer, d->source->width,
                                          d->source->height,
                                          (gint) g_get_num_processors (),
                                          &job->error);
      g_atomic_pointer_set (&d->solver, solver);
    }
  if (solver != NULL)
    job->ok = evenlight_laic_solver_solve (solver, &params, d->layer, d->rgb,
                                           d->gain, level_solved, job,
                                           &job->cancel, &job->error);
  g_idle_add (job_done, job);
  return NULL;
}

/* Worker thread: the coarse levels for a new contrast. */
static gpointer
preview_thread (gpointer data)
{
  Job                 *job = data;
  EvenlightLaicParams  params;

  evenlight_laic_params_init_default (&params);
  params.contrast = job->contrast;
  if (job->thumb != NULL)
    {
      EvenlightLaicSolver *solver;

      solver = evenlight_laic_solver_new (job->thumb, job->thumb_width,
                                          job->thumb_height,
                                          (gint) g_get_num_processors (),
                                          &job->error);
      job->ok = solver != NULL
                && evenlight_laic_solver_preview (solver, &params,
                                                  (gsize) job->thumb_width * job->thumb_height,
                                                  level_solved, job, &job->cancel,
                                                  &job->error);
      evenlight_laic_solver_free (solver);
    }
  else
    job->ok = evenlight_laic_solver_preview (job->d->solver, &params,
                                             PREVIEW_MAX_PIXELS, level_solved, job,
                                             &job->cancel, &job->error);
  g_idle_add (job_done, job);
  return NULL;
}

static Job *
job_start (DarkDialog   *d,
           gboolean      full,
           const gfloat *thumb,
           gint          thumb_width,
           gint          thumb_height)
{
  Job *job = g_new0 (Job, 1);

  job->d = d;
  job->full = full;
  job->thumb = thumb;
  job->thumb_width = thumb_width;
  job->thumb_height = thumb_height;
  job->contrast = d->params->contrast;
  job->started = g_get_monotonic_time ();
  /* The job's end is a report too: the dialog returns only once every
   * report has been taken over. */
  d->pending++;
  if (full)
    {
      d->have_full = FALSE;
      /* Tests wait for this line before they close the dialog or press OK
       * "during the analysis". */
      if (evenlight_debug_enabled ())
        g_printerr ("evenlight-dark: LAIC started on %d x %d, contrast %g\n",
                    d->source->width, d->source->height, (gdouble) job->contrast);
      if (! d->closing)
        gtk_widget_show (d->progress);
      if (d->pulse_source == 0)
        d->pulse_source = g_timeout_add (100, evenlight_dark_pulse, d);
    }
  job->thread = g_thread_new (full ? "evenlight-laic" : "evenlight-laic-preview",
                              full ? full_thread : preview_thread, job);
  return job;
}

/* Main thread, after every event (the layer read, a job ended, Contrast
 * moved, OK): cancels the solves of another contrast, and starts what the
 * slider's value still needs: its coarse levels while another solve is
 * being cancelled, then its whole solve. */
void
evenlight_dark_schedule (DarkDialog *d)
{
  gfloat   want = d->params->contrast;
  gboolean full_there = d->have_full && d->full_contrast == want;

  if (d->read_source != 0)
    {
      /* Still reading: the thumbnail answers for the slider's value. */
      if (d->preview_job != NULL
          && (d->preview_job->contrast != want || d->closing))
        g_atomic_int_set (&d->preview_job->cancel, 1);
      if (d->thumb != NULL && ! d->closing && d->preview_job == NULL
          && (d->coarse == NULL || d->coarse->contrast != want))
        d->preview_job = job_start (d, FALSE, d->thumb, d->thumb_width,
                                    d->thumb_height);
      return;
    }
  if (d->full_job != NULL
      && (d->full_job->contrast != want || ! d->laic_ok || d->cancelled))
    g_atomic_int_set (&d->full_job->cancel, 1);
  if (d->preview_job != NULL
      && (d->preview_job->contrast != want || d->closing || ! d->laic_ok
          || d->cancelled))
    g_atomic_int_set (&d->preview_job->cancel, 1);
  if (! d->laic_ok || full_there || d->cancelled)
    goto idle;
  if (! d->closing && d->preview_job == NULL && d->full_job != NULL
      && d->full_job->contrast != want && g_atomic_pointer_get (&d->solver) != NULL
      && (d->coarse == NULL || d->coarse->contrast != want))
    d->preview_job = job_start (d, FALSE, NULL, 0, 0);
  if (d->full_job == NULL && d->preview_job == NULL)
    d->full_job = job_start (d, TRUE, NULL, 0, 0);
idle:
  if (d->full_job == NULL && d->pulse_source != 0)
    {
      g_source_remove (d->pulse_source);
      d->pulse_source = 0;
      if (! d->closing)
        gtk_widget_hide (d->progress);
    }
}

/* Main thread: GIMP's thumbnail of the layer (at most THUMB_SIDE pixels a
 * side, 8-bit) solved on a worker while the layer is read: an answer
 * before the read ends, which on a large layer takes most of a second. */
void
evenlight_dark_thumbnail_start (DarkDialog *d)
{
  gint    tw = THUMB_SIDE, th = THUMB_SIDE, bpp = 0;
  guchar *data;
  gfloat *rgb;

  if (MAX (d->source->width, d->source->height) <= 2 * THUMB_SIDE)
    return;   /* the layer itself is read at once */
  data = gimp_drawable_get_thumbnail_data (d->source->drawable_id, &tw, &th, &bpp);
  if (data == NULL || tw <= 0 || th <= 0 || bpp < 1 || bpp > 4)
    {
      g_free (data);
      return;
    }
  rgb = g_new (gfloat, (gsize) tw * th * 3);
  for (gsize i = 0; i < (gsize) tw * th; i++)
    for (gint c = 0; c < 3; c++)
      rgb[3 * i + c] = data[i * bpp + (bpp >= 3 ? c : 0)] / 255.0f;
  g_free (data);
  d->thumb = rgb;
  d->thumb_width = tw;
  d->thumb_height = th;
  evenlight_dark_schedule (d);
}

/* Main thread, idle: reads the next strip of the layer; once the whole
 * layer is in memory, starts the solve. */
gboolean
evenlight_dark_read_step (gpointer data)
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
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-dark: layer read %.1f ms after the dialog opened\n",
                (g_get_monotonic_time () - d->opened) / 1000.0);
  evenlight_dark_schedule (d);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until no solve runs and every report of theirs has
 * been taken over: the workers write into memory that is freed
 * afterwards, so the dialog never returns while one still runs. */
void
evenlight_dark_wait (DarkDialog *d)
{
  while (d->read_source != 0 || d->full_job != NULL || d->preview_job != NULL
         || d->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}
