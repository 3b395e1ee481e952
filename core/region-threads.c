/* One region on several threads, for an interactive preview
 * (evenlight_render_region_threads): the rectangle is cut into pieces of
 * about a tile which the calling thread and the scheduler's helpers
 * (core/parallel.h) share out; the Denoise cache (region-cache.c) keeps
 * what they computed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "render-private.h"
#include "parallel.h"

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
  gint                    stop;     /* atomic: a piece failed              */
  GMutex                  lock;     /* guards error                        */
  GError                 *error;
  /* Each worker's scratch memory: the calling thread's own for worker
   * 0, one lent by the scratch pool for each helper that renders. */
  EvenlightScratch       *scratch[EVENLIGHT_MAX_THREADS];
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

/* Piece @i, a job of the scheduler (core/parallel.h); once one has
 * failed, the others are skipped. */
static void
region_job (gpointer data, gint i, gint worker)
{
  RegionJob *job = data;
  GError *error = NULL;

  if (g_atomic_int_get (&job->stop))
    return;
  if (!job->cached && job->scratch[worker] == NULL)
    job->scratch[worker] = worker == 0 ? evenlight_scratch_of_thread ()
                                       : evenlight_scratch_take ();
  if (!region_piece (job, job->scratch[worker], &job->pieces[i], &error))
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
  RegionJob job = { 0 };
  EvenlightPiece local[EVENLIGHT_MAX_THREADS];
  gint i, cols, rows, n_pieces, workers;

  if (!evenlight_render_check_region (context, params, rect, read, out, out_rowstride,
                                      error))
    return FALSE;
  n_threads = evenlight_parallel_threads (n_threads);

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
        job.pieces = n_pieces <= EVENLIGHT_MAX_THREADS
                     ? local : g_new0 (EvenlightPiece, n_pieces);
      region_pieces (rect, cols, rows, job.pieces);
      job.n_pieces = n_pieces;
    }

  /* The calling thread renders too; helpers only when there is more than
   * one piece to share, and not for Denoise alone: that takes about 4 ms
   * for 512 × 512, and waking a helper gained nothing measurable while it
   * doubled the time whenever the helper had to wait for a processor. */
  workers = evenlight_parallel_run (job.n_pieces, job.cached ? 1 : n_threads,
                                    region_job, &job);
  for (i = 1; i < workers; i++)
    if (job.scratch[i] != NULL)
      evenlight_scratch_give (job.scratch[i]);

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
