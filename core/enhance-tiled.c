/* The whole image (or any rectangle) in tiles on several threads
 * (evenlight_enhance): the scheduler's helpers (core/parallel.h) render
 * tiles, the calling thread hands each finished one to the caller's write
 * function and reports progress.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "render-private.h"
#include "parallel.h"

typedef struct
{
  gint          index;      /* −1: a skipped tile        */
  EvenlightRect rect;
  gfloat       *rgb;        /* EVENLIGHT_TILE_SIZE² × 3  */
  GError       *error;
} Tile;

typedef struct
{
  const EvenlightContext *context;
  const EvenlightParams  *params;
  EvenlightRect           rect;
  gint                    n_tiles;
  EvenlightReadFunc       read;
  gpointer                read_data;
  gint                    stop;       /* atomic: error or cancel seen      */
  GAsyncQueue            *done;       /* Tile*: rendered, for the caller   */
  GAsyncQueue            *free_tiles; /* Tile*: buffers ready for reuse    */
  EvenlightScratch       *scratch[EVENLIGHT_MAX_THREADS]; /* per worker    */
} Job;

static gboolean
job_render (Job *job, EvenlightScratch *scratch, Tile *tile)
{
  evenlight_render_tile_rect (&job->rect, tile->index, &tile->rect);
  return evenlight_render_tile (job->context, job->params, &tile->rect,
                                EVENLIGHT_TILE_MARGIN, job->read, job->read_data,
                                scratch, FALSE, tile->rgb,
                                (gsize) tile->rect.width * 3, &tile->error);
}

/* Tile @i, a job of the scheduler (core/parallel.h) on a helper: rendered
 * into a free buffer and handed to the calling thread, or, once an error
 * or a cancel was seen, skipped (a Tile of index −1 says so). */
static void
tile_job (gpointer data, gint i, gint worker)
{
  Job *job = data;
  Tile *tile;

  if (g_atomic_int_get (&job->stop))
    {
      tile = g_new0 (Tile, 1);
      tile->index = -1;
      g_async_queue_push (job->done, tile);
      return;
    }
  if (job->scratch[worker] == NULL)
    job->scratch[worker] = evenlight_scratch_take ();
  tile = g_async_queue_pop (job->free_tiles);
  tile->index = i;
  job_render (job, job->scratch[worker], tile);
  g_async_queue_push (job->done, tile);
}

gboolean
evenlight_enhance (const EvenlightContext *context,
                   const EvenlightParams  *params,
                   const EvenlightRect    *rect,
                   gint                    n_threads,
                   EvenlightReadFunc       read,
                   gpointer                read_data,
                   EvenlightWriteFunc      write,
                   gpointer                write_data,
                   EvenlightProgressFunc   progress,
                   gpointer                progress_data,
                   GError                **error)
{
  Job job = { 0 };
  EvenlightParallel *run;
  Tile *tiles;
  GError *first_error = NULL;
  gint i, n_done = 0, n_seen;

  if (!evenlight_render_check_call (context, params, rect, read, error))
    return FALSE;
  if (write == NULL)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           "No write function given");
      return FALSE;
    }

  job.context = context;
  job.params = params;
  job.rect = *rect;
  job.n_tiles = evenlight_render_n_tiles (rect);
  job.read = read;
  job.read_data = read_data;

  n_threads = MIN (evenlight_parallel_threads (n_threads), job.n_tiles);

  if (progress != NULL && !progress (0.0, progress_data))
    goto cancelled;

  /* Two buffers per thread: one being rendered, one waiting to be written. */
  tiles = g_new0 (Tile, 2 * n_threads);
  for (i = 0; i < 2 * n_threads; i++)
    tiles[i].rgb = g_new (gfloat, (gsize) EVENLIGHT_TILE_SIZE * EVENLIGHT_TILE_SIZE * 3);

  if (n_threads == 1)
    {
      /* No threads at all: render and write in turn. */
      EvenlightScratch *scratch = evenlight_scratch_of_thread ();

      for (i = 0; i < job.n_tiles && first_error == NULL; i++)
        {
          tiles[0].index = i;
          if (!job_render (&job, scratch, &tiles[0]))
            {
              first_error = tiles[0].error;
              tiles[0].error = NULL;
            }
          else if (!write (&tiles[0].rect, tiles[0].rgb, write_data, &first_error))
            {
              if (first_error == NULL)
                g_set_error_literal (&first_error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                                     "Writing the result failed");
            }
          else if (progress != NULL && !progress ((gdouble) (i + 1) / job.n_tiles, progress_data))
            g_set_error_literal (&first_error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED,
                                 "Cancelled");
        }
    }
  else
    {
      /* Helpers render tiles; this thread writes them and reports progress,
       * so the callbacks never run concurrently and always on the caller's
       * thread. */
      job.done = g_async_queue_new ();
      job.free_tiles = g_async_queue_new ();
      for (i = 0; i < 2 * n_threads; i++)
        g_async_queue_push (job.free_tiles, &tiles[i]);
      run = evenlight_parallel_start (job.n_tiles, n_threads, tile_job, &job);

      for (n_seen = 0; n_seen < job.n_tiles; n_seen++)
        {
          Tile *tile = g_async_queue_pop (job.done);

          if (tile->index < 0)
            {
              g_free (tile);
              continue;
            }
          if (tile->error != NULL)
            {
              if (first_error == NULL)
                first_error = tile->error;
              else
                g_error_free (tile->error);
              tile->error = NULL;
            }
          else if (first_error == NULL)
            {
              if (!write (&tile->rect, tile->rgb, write_data, &first_error))
                {
                  if (first_error == NULL)
                    g_set_error_literal (&first_error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                                         "Writing the result failed");
                }
              else if (progress != NULL
                       && !progress ((gdouble) ++n_done / job.n_tiles, progress_data))
                g_set_error_literal (&first_error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED,
                                     "Cancelled");
            }
          if (first_error != NULL)
            g_atomic_int_set (&job.stop, 1);
          g_async_queue_push (job.free_tiles, tile);
        }

      evenlight_parallel_finish (run);
      for (i = 0; i < n_threads; i++)
        if (job.scratch[i] != NULL)
          evenlight_scratch_give (job.scratch[i]);
      g_async_queue_unref (job.done);
      g_async_queue_unref (job.free_tiles);
    }

  for (i = 0; i < 2 * n_threads; i++)
    g_free (tiles[i].rgb);
  g_free (tiles);

  if (first_error != NULL)
    {
      g_propagate_error (error, first_error);
      return FALSE;
    }
  return TRUE;

cancelled:
  g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED, "Cancelled");
  return FALSE;
}
