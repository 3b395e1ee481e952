/* One region on several threads, for an interactive preview
 * (evenlight_render_region_threads): the rectangle is cut into pieces of
 * about a tile which the calling thread and the helpers of a thread pool
 * share out; the Denoise cache (region-cache.c) keeps what they computed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "render-private.h"

/* Pieces of a threaded region are at most this wide and high: about a
 * tile, so the scratch memory stays near a tile's (at most 1.5 × with the
 * margin), and a little more than a tile, so that a preview slightly
 * larger than a tile is not cut into a tile and thin slivers that each pay
 * the whole margin. */
#define MAX_PIECE_SIDE (EVENLIGHT_TILE_SIZE * 5 / 4)
/* For more threads, pieces are cut into strips no lower than this, so that
 * the margin each strip adds (EVENLIGHT_TILE_MARGIN above and below) stays
 * small next to the rows it renders. */
#define MIN_STRIP_HEIGHT 96

/* How @rect is cut for @n_threads: @cols × @rows pieces of equal size (to
 * a pixel), the fewest of at most MAX_PIECE_SIDE per side, then more rows
 * while there are fewer pieces than threads and they stay high enough. */
static void
region_grid (const EvenlightRect *rect, gint n_threads, gint *cols, gint *rows)
{
  *cols = (rect->width + MAX_PIECE_SIDE - 1) / MAX_PIECE_SIDE;
  *rows = (rect->height + MAX_PIECE_SIDE - 1) / MAX_PIECE_SIDE;
  while (*cols * *rows < n_threads && rect->height / (*rows + 1) >= MIN_STRIP_HEIGHT)
    (*rows)++;
}

static void
region_pieces (const EvenlightRect *rect, gint cols, gint rows, EvenlightPiece *pieces)
{
  gint i, j;

  for (j = 0; j < rows; j++)
    for (i = 0; i < cols; i++)
      {
        EvenlightRect *r = &pieces[j * cols + i].rect;
        gint x0 = (gint) ((gint64) rect->width * i / cols);
        gint x1 = (gint) ((gint64) rect->width * (i + 1) / cols);
        gint y0 = (gint) ((gint64) rect->height * j / rows);
        gint y1 = (gint) ((gint64) rect->height * (j + 1) / rows);

        r->x = rect->x + x0;
        r->y = rect->y + y0;
        r->width = x1 - x0;
        r->height = y1 - y0;
      }
}

typedef struct
{
  const EvenlightContext *context;
  const EvenlightParams  *params;
  const EvenlightRect    *rect;
  EvenlightPiece         *pieces;
  gint                    n_pieces;
  gboolean                fill;     /* keep R1 (and N) of each piece       */
  gboolean                cached;   /* only Φ and the sum, from the pieces */
  EvenlightReadFunc       read;
  gpointer                read_data;
  gfloat                 *out;
  gsize                   out_rowstride;
  gint                    next;     /* atomic: next piece                  */
  gint                    stop;     /* atomic: a piece failed              */
  GMutex                  lock;     /* guards error and helpers            */
  GCond                   done;     /* signalled when helpers reaches 0    */
  gint                    helpers;  /* helpers still working               */
  GError                 *error;
} RegionJob;

static gboolean
region_piece (RegionJob *job, EvenlightScratch *scratch, EvenlightPiece *piece,
              GError **error)
{
  gfloat g3 = job->params->denoise;
  gfloat *out = job->out + (gsize) (piece->rect.y - job->rect->y) * job->out_rowstride
                + (gsize) (piece->rect.x - job->rect->x) * 3;

  if (job->cached)
    {
      evenlight_piece_render_kept (job->context, job->params, piece, out, job->out_rowstride);
      return TRUE;
    }

  if (!evenlight_render_tile (job->context, job->params, &piece->rect,
                              EVENLIGHT_TILE_MARGIN, job->read, job->read_data, scratch,
                              FALSE, out, job->out_rowstride, error))
    return FALSE;
  if (job->fill)
    evenlight_piece_keep (job->context, g3, scratch, piece);
  return TRUE;
}

static void
region_work (RegionJob *job, EvenlightScratch *scratch)
{
  while (!g_atomic_int_get (&job->stop))
    {
      gint i = g_atomic_int_add (&job->next, 1);
      GError *error = NULL;

      if (i >= job->n_pieces)
        break;
      if (!region_piece (job, scratch, &job->pieces[i], &error))
        {
          g_atomic_int_set (&job->stop, 1);
          g_mutex_lock (&job->lock);
          if (job->error == NULL)
            job->error = error;
          else
            g_error_free (error);
          g_mutex_unlock (&job->lock);
        }
    }
}

/* A helper of evenlight_render_region_threads(), on a thread of a pool:
 * the threads stay between the calls of a preview, so each slider move
 * does not pay for starting threads, and the scheduler keeps them on the
 * processors where they last ran. */
static void
region_worker (gpointer data, gpointer unused)
{
  RegionJob *job = data;
  EvenlightScratch *scratch = job->cached ? NULL : evenlight_scratch_take ();

  (void) unused;
  region_work (job, scratch);
  if (scratch != NULL)
    evenlight_scratch_give (scratch);
  g_mutex_lock (&job->lock);
  if (--job->helpers == 0)
    g_cond_signal (&job->done);
  g_mutex_unlock (&job->lock);
}

static gpointer
region_pool_new (gpointer unused)
{
  (void) unused;
  /* Shared (non-exclusive) threads: idle ones are kept for a while and
   * end by themselves. */
  return g_thread_pool_new (region_worker, NULL, EVENLIGHT_RENDER_MAX_THREADS, FALSE, NULL);
}

gboolean
evenlight_render_region_threads (const EvenlightContext *context,
                                 const EvenlightParams  *params,
                                 const EvenlightRect    *rect,
                                 gint                    n_threads,
                                 EvenlightRegionCache   *cache,
                                 EvenlightReadFunc       read,
                                 gpointer                read_data,
                                 gfloat                 *out,
                                 gsize                   out_rowstride,
                                 GError                **error)
{
  static GOnce pool_once = G_ONCE_INIT;
  GThreadPool *pool;
  RegionJob job = { 0 };
  EvenlightPiece local[EVENLIGHT_RENDER_MAX_THREADS];
  gint i, cols, rows, n_pieces;

  if (!evenlight_render_check_region (context, params, rect, read, out, out_rowstride,
                                      error))
    return FALSE;
  if (n_threads <= 0)
    n_threads = (gint) g_get_num_processors ();
  n_threads = CLAMP (n_threads, 1, EVENLIGHT_RENDER_MAX_THREADS);

  job.context = context;
  job.params = params;
  job.rect = rect;
  job.read = read;
  job.read_data = read_data;
  job.out = out;
  job.out_rowstride = out_rowstride;
  g_mutex_init (&job.lock);

  if (cache != NULL && evenlight_region_cache_matches (cache, context, params, rect))
    {
      /* Only Denoise changed: R1 and N are those of the last call. */
      job.cached = TRUE;
      job.pieces = evenlight_region_cache_pieces (cache, &job.n_pieces);
    }
  else
    {
      region_grid (rect, n_threads, &cols, &rows);
      n_pieces = cols * rows;
      if (cache != NULL)
        {
          job.pieces = evenlight_region_cache_reserve (cache, n_pieces);
          job.fill = TRUE;
        }
      else
        job.pieces = n_pieces <= EVENLIGHT_RENDER_MAX_THREADS
                     ? local : g_new0 (EvenlightPiece, n_pieces);
      region_pieces (rect, cols, rows, job.pieces);
      job.n_pieces = n_pieces;
    }

  /* The calling thread renders too; helpers only when there is more than
   * one piece to share, and not for Denoise alone: that takes about 4 ms
   * for 512 × 512, and waking a helper gained nothing measurable while it
   * doubled the time whenever the helper had to wait for a processor. */
  n_threads = job.cached ? 1 : MIN (n_threads, job.n_pieces);
  if (n_threads > 1)
    {
      pool = g_once (&pool_once, region_pool_new, NULL);
      g_cond_init (&job.done);
      job.helpers = n_threads - 1;
      for (i = 1; i < n_threads; i++)
        g_thread_pool_push (pool, &job, NULL);
    }
  region_work (&job, job.cached ? NULL : evenlight_scratch_of_thread ());
  if (n_threads > 1)
    {
      g_mutex_lock (&job.lock);
      while (job.helpers > 0)
        g_cond_wait (&job.done, &job.lock);
      g_mutex_unlock (&job.lock);
      g_cond_clear (&job.done);
    }

  /* The pieces are the cache's whenever there is a cache. */
  if (cache == NULL && job.pieces != local)
    g_free (job.pieces);
  g_mutex_clear (&job.lock);

  if (job.error != NULL)
    {
      if (cache != NULL)
        evenlight_region_cache_clear (cache);
      g_propagate_error (error, job.error);
      return FALSE;
    }
  if (job.fill)
    evenlight_region_cache_store (cache, context, params, rect, job.n_pieces);
  return TRUE;
}
