/* `evenlight`: enhances a photo with non-uniform illumination from the
 * command line.
 *
 *   evenlight [OPTION…] INPUT OUTPUT
 *   evenlight [OPTION…] --output-dir DIR INPUT…
 *   evenlight [OPTION…] --fuse INPUT1 INPUT2 [INPUT3…] OUTPUT   (cli-fuse.c)
 *
 * This file runs the files: one, a batch (on several threads for the
 * network) or a bracket (cli-fuse.c), each through its cheap checks, the
 * memory check (cli-memory.c), loading, its method (cli-methods.c) and
 * saving (cli-image.h: cli-load.c, cli-save.c); the options are read and checked in cli-options.c.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gegl.h>

#include "cli-batch.h"
#include "cli-fuse.h"
#include "cli-image.h"
#include "cli-memory.h"
#include "cli-methods.h"
#include "cli-options.h"
#include "cli-weights.h"
#include "dequant.h"
#include "evenlight.h"
#include "parallel.h"

#define EXIT_FAILED  1  /* the command line was fine, the work failed */

/* What every file of a run shares: the networks and GEGL, set up once, on
 * the first file that passes its cheap checks. */
typedef struct
{
  const EvenlightCliOptions    *o;
  EvenlightCliMethod            method;
  const EvenlightParams        *params;
  const EvenlightRetouchParams *retouch;
  const EvenlightDarkParams    *dark;
  gint                          n_threads;
  gboolean                      ready;
  EvenlightModel               *model;
  EvenlightDequant             *dequant;
  EvenlightCliProgress          progress;   /* batch mode */
  /* EVENLIGHT_DEBUG: how long the set-up took (weights, gegl_init), in
   * µs, reported with the first file's parts. */
  gboolean                      debug;
  gint64                        weights_us, gegl_init_us;
  /* Batch mode on several threads (batch_parallel): shared by the
   * threads' sessions, NULL otherwise. */
  struct _Shared               *shared;
  gint                          worker;   /* which of those threads */
} Session;

/* What the threads of a parallel batch share. */
typedef struct _Shared
{
  EvenlightCliBatch *batch;
  GMutex             lock;     /* stderr */
  gint               next;     /* atomic: the next file to take */
  gint               done;     /* under lock: files finished */
  gint               failed;   /* atomic */
} Shared;

/* Loads the networks the run needs and starts GEGL (once). */
static gboolean
session_ready (Session *session,
               GError **error)
{
  const EvenlightCliOptions *o = session->o;

  gint64 t0 = g_get_monotonic_time ();

  if (session->ready)
    return TRUE;
  if (session->method == EVENLIGHT_CLI_METHOD_NET)
    {
      g_autofree gchar *base = g_path_get_basename (evenlight_default_weights_path ());
      g_autofree gchar *weights
        = o->weights != NULL
          ? g_strdup (o->weights)
          : evenlight_cli_find_weights (base, evenlight_default_weights_path (),
                                        "EVENLIGHT_WEIGHTS", "--weights", error);

      if (weights == NULL)
        return FALSE;
      session->model = evenlight_model_load (weights, error);
      if (session->model == NULL)
        return FALSE;
    }
  if (o->dequantize)
    {
      g_autofree gchar *weights
        = o->dequant_weights != NULL
          ? g_strdup (o->dequant_weights)
          : evenlight_cli_find_weights (EVENLIGHT_DEQUANT_FILE,
                                        evenlight_dequant_default_path (),
                                        "EVENLIGHT_DEQUANT_WEIGHTS",
                                        "--dequant-weights", error);

      if (weights == NULL)
        return FALSE;
      session->dequant = evenlight_dequant_load (weights, error);
      if (session->dequant == NULL)
        return FALSE;
    }
  session->weights_us = g_get_monotonic_time () - t0;
  /* GEGL takes a noticeable time to start: only once the cheap checks
   * of the first file have passed. */
  t0 = g_get_monotonic_time ();
  evenlight_cli_gegl_init ((const gchar * const *) o->files, o->format);
  session->gegl_init_us = g_get_monotonic_time () - t0;
  session->ready = TRUE;
  return TRUE;
}

static void
session_clear (Session *session)
{
  evenlight_model_free (session->model);
  evenlight_dequant_free (session->dequant);
  if (session->ready)
    evenlight_cli_gegl_exit ();
}

/* EVENLIGHT_DEBUG=1: one line per file on stderr with the thread of a
 * parallel batch that enhanced it and the time of each part, in ms: the
 * set-up (weights, gegl_init) on the first file only,
 * then checks (before the image is decoded), load (decoding), context,
 * render, save (encoding and the rename), and total from the start of
 * the file. */
static void
debug_report (Session               *session,
              const gchar           *input,
              const EvenlightCliJob *job,
              gint64                 setup,
              gint64                 t_start,
              gint64                 t_load,
              gint64                 t_work,
              gint64                 t_save)
{
  gint64 now = g_get_monotonic_time ();

  g_printerr ("evenlight: %s: thread %d, weights %.1f ms, gegl_init %.1f ms, "
              "checks %.1f ms, load %.1f ms, context %.1f ms, render %.1f ms, "
              "save %.1f ms, total %.1f ms\n", input, session->worker,
              session->weights_us / 1e3,
              session->gegl_init_us / 1e3, (t_load - t_start - setup) / 1e3,
              (t_work - t_load) / 1e3, job->context_us / 1e3,
              (t_save - t_work - job->context_us) / 1e3, (now - t_save) / 1e3,
              (now - t_start) / 1e3);
  session->weights_us = session->gegl_init_us = 0;
}

/* Enhances @input into @output_path. */
static gboolean
process_file (Session     *session,
              const gchar *input,
              const gchar *output_path,
              GError     **error)
{
  const EvenlightCliOptions *o = session->o;
  EvenlightCliOutput *output = NULL;
  EvenlightCliImage image;
  EvenlightCliJob job = { 0 };
  gboolean ok = FALSE;
  gint64 t_start = g_get_monotonic_time (), t_load = 0, t_work = 0, t_save = 0;
  gint64 setup = 0;   /* in session_ready(), part of this file's time */

  memset (&image, 0, sizeof image);
  g_mutex_init (&job.lock);
  job.last_percent = -1;
  job.progress_scale = 1.0;
  /* Several files at once report each file's end (batch_file), not
   * their percentages. */
  job.show_progress = !o->quiet && isatty (STDERR_FILENO) && session->shared == NULL;
  job.progress = &session->progress;
  if (job.show_progress && session->progress.total > 0)
    evenlight_cli_progress_line (&job, 0);

  /* The cheap checks come first, so that no time is spent on an image
   * whose result could not be written. */
  if (!evenlight_cli_image_check (input, error))
    goto out;
  output = evenlight_cli_output_begin (output_path, input, error);
  if (output == NULL)
    goto out;
  setup = g_get_monotonic_time ();
  if (!session_ready (session, error))
    goto out;
  setup = g_get_monotonic_time () - setup;
  if (!evenlight_cli_output_ready (output, error)
      || !evenlight_cli_check_memory (session->method, input, error))
    goto out;
  t_load = g_get_monotonic_time ();
  if (!evenlight_cli_image_load (input, &image, error))
    goto out;
  t_work = g_get_monotonic_time ();

  job.image = &image;
  /* Results replace the input's pixels in its own buffer (the file is
   * never touched): no second image-sized buffer. */
  job.target = g_object_ref (image.buffer);
  switch (session->method)
    {
    case EVENLIGHT_CLI_METHOD_CLASSIC:
      ok = evenlight_cli_run_classic (session->retouch, session->dequant,
                                      session->n_threads, &job, error);
      break;
    case EVENLIGHT_CLI_METHOD_LAIC:
      ok = evenlight_cli_run_laic (session->dequant, session->dark->contrast,
                                   session->n_threads, &job, error);
      break;
    case EVENLIGHT_CLI_METHOD_NET:
    default:
      ok = evenlight_cli_run_net (session->model, session->params,
                                  session->dequant, session->n_threads, &job,
                                  error);
      break;
    }
  if (job.show_progress && job.last_percent >= 0 && session->progress.total == 0)
    g_printerr ("\n");
  /* The buffer now holds the result; job.target keeps it for the saver. */
  evenlight_cli_image_clear (&image);
  if (ok)
    {
      t_save = g_get_monotonic_time ();
      ok = evenlight_cli_output_commit (output, &image, job.target, error);
      output = NULL;
      if (ok && session->debug)
        debug_report (session, input, &job, setup, t_start, t_load, t_work, t_save);
    }

out:
  if (output != NULL)
    evenlight_cli_output_abort (output);
  g_clear_object (&job.target);
  g_free (job.scratch);
  g_mutex_clear (&job.lock);
  evenlight_cli_image_clear (&image);
  return ok;
}

/* Batch mode: enhances file @i of @batch; a file that fails is reported
 * and FALSE returned. */
static gboolean
batch_file (Session                 *session,
            const EvenlightCliBatch *batch,
            gint                     i)
{
  const EvenlightCliOptions *o = session->o;
  const gchar *input = evenlight_cli_batch_input (batch, i);
  g_autoptr (GError) error = NULL;
  const gchar *output = evenlight_cli_batch_output (batch, i, &error);
  g_autofree gchar *name = g_path_get_basename (input);
  gboolean ok, tty = !o->quiet && isatty (STDERR_FILENO);
  Shared *shared = session->shared;

  session->progress.index = i;
  session->progress.name = name;
  ok = output != NULL && process_file (session, input, output, &error);
  if (shared != NULL)
    g_mutex_lock (&shared->lock);
  if (!ok)
    {
      if (tty)
        g_printerr ("\r\033[K");
      g_printerr ("evenlight: %s: %s\n", input, error ? error->message : "failed");
    }
  if (shared != NULL && tty)
    {
      /* Files finish in any order: the count, the last one, the time left. */
      const EvenlightCliProgress *p = &session->progress;
      gdouble elapsed = (g_get_monotonic_time () - p->started) / 1e6;

      shared->done++;
      g_printerr ("\r\033[Kevenlight: %d/%d done, %s, about %.0f s left",
                  shared->done, p->total, name,
                  elapsed * (p->total - shared->done) / shared->done);
    }
  if (shared != NULL)
    g_mutex_unlock (&shared->lock);
  return ok;
}

/* How many files of a batch of @n to enhance at once: one per thread for
 * the network (a photo per thread renders on that thread alone, and
 * decoding, the context pass and encoding, which use one thread, overlap
 * with the others' rendering), one for the methods that hold whole images
 * in float (their memory check counts one image). */
static gint
batch_workers (const Session *session,
               gint           n)
{
  if (session->method != EVENLIGHT_CLI_METHOD_NET || session->o->dequantize)
    return 1;
  return MAX (1, MIN (evenlight_parallel_threads (session->n_threads), n));
}

/* Session @w of a batch, a job of the engine's scheduler: enhances files
 * until none is left. */
static void
batch_worker (gpointer data,
              gint     w,
              gint     worker)
{
  Session *session = (Session *) data + w;
  Shared *shared = session->shared;
  gint n = evenlight_cli_batch_size (shared->batch);

  (void) worker;
  for (;;)
    {
      gint i = g_atomic_int_add (&shared->next, 1);

      if (i >= n)
        break;
      if (!batch_file (session, shared->batch, i))
        g_atomic_int_inc (&shared->failed);
    }
}

/* Enhances the files of @batch on @n_workers threads, each with a session
 * of its own (sharing the networks, loaded by @session); returns how many
 * failed. */
static gint
batch_parallel (Session           *session,
                EvenlightCliBatch *batch,
                gint               n_workers)
{
  gint threads = evenlight_parallel_threads (session->n_threads);
  Shared shared = { .batch = batch };
  Session *sessions = g_new (Session, n_workers);

  g_mutex_init (&shared.lock);
  for (gint w = 0; w < n_workers; w++)
    {
      sessions[w] = *session;
      sessions[w].shared = &shared;
      sessions[w].worker = w;
      sessions[w].n_threads = MAX (1, threads / n_workers);
      /* The set-up is reported once, with the first thread's first file. */
      if (w > 0)
        sessions[w].weights_us = sessions[w].gegl_init_us = 0;
    }
  evenlight_parallel_run (n_workers, n_workers, batch_worker, sessions);
  g_mutex_clear (&shared.lock);
  g_free (sessions);
  return shared.failed;
}

/* Everything after the command line: returns the exit status. One file
 * (INPUT OUTPUT), or with --output-dir every INPUT into that folder, in
 * one process: a file that fails is reported and the others go on; the
 * status is then 1. */
static int
run (const EvenlightCliOptions *o)
{
  Session session = { .o = o, .method = o->method, .params = &o->params,
                      .dark = &o->dark, .retouch = &o->retouch,
                      .n_threads = o->n_threads,
                      .debug = g_getenv ("EVENLIGHT_DEBUG") != NULL };
  g_autoptr (GError) error = NULL;
  EvenlightCliBatch *batch;
  gint failed = 0, n, n_workers;

  if (o->fuse)
    {
      gint n_files = (gint) g_strv_length (o->files);
      gboolean ok = session_ready (&session, &error)
                    && evenlight_cli_fuse (session.model, &o->params, !o->no_align,
                                           o->n_threads,
                                           o->quiet, (const gchar * const *) o->files,
                                           n_files - 1, o->files[n_files - 1], &error);

      session_clear (&session);
      if (!ok)
        g_printerr ("evenlight: %s\n", error ? error->message : "failed");
      return ok ? 0 : EXIT_FAILED;
    }
  if (o->output_dir == NULL)
    {
      gboolean ok = process_file (&session, o->files[0], o->files[1], &error);

      session_clear (&session);
      if (!ok)
        g_printerr ("evenlight: %s\n", error ? error->message : "failed");
      return ok ? 0 : EXIT_FAILED;
    }

  batch = evenlight_cli_batch_new ((const gchar * const *) o->files, o->output_dir,
                                   o->format);
  n = evenlight_cli_batch_size (batch);
  session.progress.total = n;
  session.progress.started = g_get_monotonic_time ();
  n_workers = batch_workers (&session, n);
  if (n_workers > 1 && session_ready (&session, &error))
    failed = batch_parallel (&session, batch, n_workers);
  else
    {
      g_clear_error (&error);
      for (gint i = 0; i < n; i++)
        failed += !batch_file (&session, batch, i);
    }
  if (!o->quiet && isatty (STDERR_FILENO))
    g_printerr ("\r\033[Kevenlight: %d of %d files enhanced in %.1f s\n",
                n - failed, n,
                (g_get_monotonic_time () - session.progress.started) / 1e6);
  evenlight_cli_batch_free (batch);
  session_clear (&session);
  return failed == 0 ? 0 : EXIT_FAILED;
}

int
main (int    argc,
      char **argv)
{
  EvenlightCliOptions o = { 0 };
  int status;

  if (evenlight_cli_options_parse (&o, &argc, &argv, &status))
    status = run (&o);
  evenlight_cli_options_clear (&o);
  return status;
}
