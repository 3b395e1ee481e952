/* Paper Eq. (10) for callers: region rendering (also threaded,
 * with the Denoise cache), the tiled and threaded whole-image pass, and the
 * in-memory convenience.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything goes through evenlight_render_tile(), one tile at a time (the
 * Denoise cache only reuses what it computed), so a pixel's value never
 * depends on how the work was cut up or shared out.
 */
#include "model.h"
#include "dct.h"

#include <math.h>
#include <string.h>

GQuark
evenlight_error_quark (void)
{
  return g_quark_from_static_string ("evenlight-error-quark");
}

const gchar *
evenlight_default_weights_path (void)
{
  const gchar *env = g_getenv ("EVENLIGHT_WEIGHTS");

  /* Interned: the caller may keep the string even if the environment
   * changes later. */
  if (env != NULL && env[0] != '\0')
    return g_intern_string (env);
  return EVENLIGHT_WEIGHTS_DIR G_DIR_SEPARATOR_S "evenlight-v1.bin";
}

/* ---- Regions -------------------------------------------------------------- */

static gboolean
check_call (const EvenlightContext *context,
            const EvenlightParams  *params,
            const EvenlightRect    *rect,
            EvenlightReadFunc       read,
            GError                **error)
{
  /* A bracket's context reads through its own function. */
  if (context == NULL || rect == NULL || (read == NULL && context->bracket == NULL))
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           "No context, rectangle or read function given");
      return FALSE;
    }
  if (!evenlight_params_validate (params, error))
    return FALSE;
  if (!evenlight_rect_in_image (rect, context->width, context->height))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "The rectangle %d,%d %d × %d does not lie inside the %d × %d image",
                   rect->x, rect->y, rect->width, rect->height,
                   context->width, context->height);
      return FALSE;
    }
  return TRUE;
}

/* check_call for the region entry points, which also write into @out. */
static gboolean
check_region_call (const EvenlightContext *context,
                   const EvenlightParams  *params,
                   const EvenlightRect    *rect,
                   EvenlightReadFunc       read,
                   const gfloat           *out,
                   gsize                   out_rowstride,
                   GError                **error)
{
  if (!check_call (context, params, rect, read, error))
    return FALSE;
  if (out == NULL || out_rowstride < (gsize) rect->width * 3)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "The output rows hold %" G_GSIZE_FORMAT " floats, %d × 3 are needed",
                   out_rowstride, rect->width);
      return FALSE;
    }
  return TRUE;
}

/* The scratch memory of the calling thread, kept between calls: a preview
 * renders many small regions in a row, and fresh memory would have to be
 * faulted in each time. Freed when the thread ends. */
static EvenlightScratch *
thread_scratch (void)
{
  static GPrivate key = G_PRIVATE_INIT ((GDestroyNotify) evenlight_scratch_free);
  EvenlightScratch *scratch = g_private_get (&key);

  if (scratch == NULL)
    {
      scratch = evenlight_scratch_new ();
      g_private_set (&key, scratch);
    }
  return scratch;
}

/* Tile @i of @rect cut into EVENLIGHT_TILE_SIZE squares, row by row. */
static void
tile_rect (const EvenlightRect *rect, gint i, EvenlightRect *tile)
{
  gint nx = (rect->width + EVENLIGHT_TILE_SIZE - 1) / EVENLIGHT_TILE_SIZE;

  tile->x = rect->x + (i % nx) * EVENLIGHT_TILE_SIZE;
  tile->y = rect->y + (i / nx) * EVENLIGHT_TILE_SIZE;
  tile->width = MIN (EVENLIGHT_TILE_SIZE, rect->x + rect->width - tile->x);
  tile->height = MIN (EVENLIGHT_TILE_SIZE, rect->y + rect->height - tile->y);
}

static gint
n_tiles (const EvenlightRect *rect)
{
  return ((rect->width + EVENLIGHT_TILE_SIZE - 1) / EVENLIGHT_TILE_SIZE)
         * ((rect->height + EVENLIGHT_TILE_SIZE - 1) / EVENLIGHT_TILE_SIZE);
}

gboolean
evenlight_render_region (const EvenlightContext *context,
                         const EvenlightParams  *params,
                         const EvenlightRect    *rect,
                         EvenlightReadFunc       read,
                         gpointer                read_data,
                         gfloat                 *out,
                         gsize                   out_rowstride,
                         GError                **error)
{
  EvenlightScratch *scratch;
  gboolean ok = TRUE;
  gint i, n;

  if (!check_region_call (context, params, rect, read, out, out_rowstride, error))
    return FALSE;

  scratch = thread_scratch ();
  n = n_tiles (rect);
  for (i = 0; i < n && ok; i++)
    {
      EvenlightRect tile;

      tile_rect (rect, i, &tile);
      ok = evenlight_render_tile (context, params, &tile, EVENLIGHT_TILE_MARGIN,
                                  read, read_data, scratch, FALSE,
                                  out + (gsize) (tile.y - rect->y) * out_rowstride
                                      + (gsize) (tile.x - rect->x) * 3,
                                  out_rowstride, error);
    }
  return ok;
}

#define MAX_THREADS 64

/* Scratch memory of finished workers, kept for the workers of the next
 * call: fresh memory (about 16 MB per worker) would be faulted in page by
 * page on every call, which costs more than a small image's rendering.
 * At most one per processor is kept. */
static GMutex spare_lock;
static GSList *spare_scratch;
static guint n_spare_scratch;

static EvenlightScratch *
scratch_take (void)
{
  EvenlightScratch *scratch = NULL;

  g_mutex_lock (&spare_lock);
  if (spare_scratch != NULL)
    {
      scratch = spare_scratch->data;
      spare_scratch = g_slist_delete_link (spare_scratch, spare_scratch);
      n_spare_scratch--;
    }
  g_mutex_unlock (&spare_lock);
  return scratch != NULL ? scratch : evenlight_scratch_new ();
}

static void
scratch_give (EvenlightScratch *scratch)
{
  g_mutex_lock (&spare_lock);
  if (n_spare_scratch < g_get_num_processors ())
    {
      spare_scratch = g_slist_prepend (spare_scratch, scratch);
      n_spare_scratch++;
      scratch = NULL;
    }
  g_mutex_unlock (&spare_lock);
  evenlight_scratch_free (scratch);
}

/* ---- Threaded regions and the Denoise cache ------------------------------------ */

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

/* One piece of a threaded region: what it renders, and what the cache
 * keeps of it. */
typedef struct
{
  EvenlightRect   rect;
  EvenlightPlanes r1;    /* R1 over rect                                  */
  EvenlightPlanes n;     /* N over the samples Φ reads for rect (§5)      */
  EvenlightPlanes phi;   /* Φ(N, γ3) over rect, reused between calls      */
} Piece;

struct _EvenlightRegionCache
{
  const EvenlightContext *context;
  EvenlightRect           rect;
  gfloat                  shadows, highlights;
  gboolean                valid;    /* r1 of every piece holds R1          */
  gboolean                has_n;    /* n of every piece holds N as well    */
  Piece                  *pieces;
  gint                    n_pieces, n_alloc;
};

EvenlightRegionCache *
evenlight_region_cache_new (void)
{
  return g_new0 (EvenlightRegionCache, 1);
}

void
evenlight_region_cache_clear (EvenlightRegionCache *cache)
{
  g_return_if_fail (cache != NULL);
  cache->valid = FALSE;
  cache->has_n = FALSE;
  cache->context = NULL;
}

void
evenlight_region_cache_free (EvenlightRegionCache *cache)
{
  gint i;

  if (cache == NULL)
    return;
  for (i = 0; i < cache->n_alloc; i++)
    {
      evenlight_planes_clear (&cache->pieces[i].r1);
      evenlight_planes_clear (&cache->pieces[i].n);
      evenlight_planes_clear (&cache->pieces[i].phi);
    }
  g_free (cache->pieces);
  g_free (cache);
}

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
region_pieces (const EvenlightRect *rect, gint cols, gint rows, Piece *pieces)
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

/* The N samples Φ reads for @rect: the 8 × 8 blocks on the stride-4 grid
 * that cover it, clamped to the tile's window (as evenlight_render_tile()
 * asks the Restoration-Net for them). */
static void
denoise_need (const EvenlightContext *context, const EvenlightRect *rect, EvenlightRect *need)
{
  EvenlightRect win;
  gint x0, y0, x1, y1;

  evenlight_tile_window (context, rect, EVENLIGHT_TILE_MARGIN, &win);
  x0 = MAX (win.x, evenlight_floor_to (rect->x, 4) - 4);
  y0 = MAX (win.y, evenlight_floor_to (rect->y, 4) - 4);
  x1 = MIN (win.x + win.width, evenlight_floor_to (rect->x + rect->width - 1, 4) + 8);
  y1 = MIN (win.y + win.height, evenlight_floor_to (rect->y + rect->height - 1, 4) + 8);
  need->x = x0;
  need->y = y0;
  need->width = x1 - x0;
  need->height = y1 - y0;
}

/* Copies @rect (level coordinates, inside @from's window) of @from into
 * @to, which then covers just @rect. */
static void
planes_copy_rect (const EvenlightPlanes *from, const EvenlightRect *rect, EvenlightPlanes *to)
{
  gint c, y;

  evenlight_planes_ensure (to, from->channels, rect->width, rect->height, rect->x, rect->y);
  for (c = 0; c < from->channels; c++)
    for (y = 0; y < rect->height; y++)
      memcpy (evenlight_planes_row (to, c, y),
              evenlight_planes_row (from, c, rect->y + y - from->y0) + (rect->x - from->x0),
              (gsize) rect->width * sizeof (gfloat));
}

typedef struct
{
  const EvenlightContext *context;
  const EvenlightParams  *params;
  const EvenlightRect    *rect;
  Piece                  *pieces;
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

/* R = clamp(R1 + Φ, 0, 1) (Φ = 0 when @phi is NULL) from the cached R1,
 * the same arithmetic as evenlight_render_tile(): one addition and two
 * comparisons per value, so the bits are the same. */
static void
piece_sum (const Piece *piece, const EvenlightPlanes *phi, gfloat *out, gsize out_rowstride)
{
  gint x, y, c;

  for (y = 0; y < piece->rect.height; y++)
    {
      gfloat *o = out + (gsize) y * out_rowstride;

      for (c = 0; c < 3; c++)
        {
          const gfloat *r = evenlight_planes_row (&piece->r1, c, y);
          const gfloat *p = phi != NULL
                            ? evenlight_planes_row (phi, c, piece->rect.y + y - phi->y0)
                              + (piece->rect.x - phi->x0)
                            : NULL;

          for (x = 0; x < piece->rect.width; x++)
            {
              gfloat v = p != NULL ? r[x] + p[x] : r[x];

              o[3 * x + c] = v >= 0.0f ? (v <= 1.0f ? v : 1.0f) : 0.0f;
            }
        }
    }
}

static gboolean
region_piece (RegionJob *job, EvenlightScratch *scratch, Piece *piece, GError **error)
{
  const EvenlightContext *ctx = job->context;
  gfloat g3 = job->params->denoise;
  gfloat *out = job->out + (gsize) (piece->rect.y - job->rect->y) * job->out_rowstride
                + (gsize) (piece->rect.x - job->rect->x) * 3;

  if (job->cached)
    {
      /* Φ(N, γ3) with the shortcuts of evenlight_render_tile(). */
      const EvenlightPlanes *phi = NULL;

      if (g3 >= 1.0f)
        phi = &piece->n;
      else if (g3 > 0.0f)
        {
          evenlight_dct_filter (&piece->n, ctx->width, ctx->height, &piece->rect, g3,
                                &piece->phi);
          phi = &piece->phi;
        }
      piece_sum (piece, phi, out, job->out_rowstride);
      return TRUE;
    }

  if (!evenlight_render_tile (ctx, job->params, &piece->rect, EVENLIGHT_TILE_MARGIN,
                              job->read, job->read_data, scratch, FALSE, out,
                              job->out_rowstride, error))
    return FALSE;
  if (job->fill)
    {
      planes_copy_rect (&scratch->r1, &piece->rect, &piece->r1);
      if (g3 > 0.0f)
        {
          EvenlightRect need;

          denoise_need (ctx, &piece->rect, &need);
          planes_copy_rect (&scratch->n, &need, &piece->n);
        }
    }
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
  EvenlightScratch *scratch = job->cached ? NULL : scratch_take ();

  (void) unused;
  region_work (job, scratch);
  if (scratch != NULL)
    scratch_give (scratch);
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
  return g_thread_pool_new (region_worker, NULL, MAX_THREADS, FALSE, NULL);
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
  Piece local[MAX_THREADS];
  gint i, cols, rows, n_pieces;

  if (!check_region_call (context, params, rect, read, out, out_rowstride, error))
    return FALSE;
  if (n_threads <= 0)
    n_threads = (gint) g_get_num_processors ();
  n_threads = CLAMP (n_threads, 1, MAX_THREADS);

  job.context = context;
  job.params = params;
  job.rect = rect;
  job.read = read;
  job.read_data = read_data;
  job.out = out;
  job.out_rowstride = out_rowstride;
  g_mutex_init (&job.lock);

  /* Only Denoise changed: R1 and N are those of the last call. */
  if (cache != NULL && cache->valid && cache->context == context
      && cache->rect.x == rect->x && cache->rect.y == rect->y
      && cache->rect.width == rect->width && cache->rect.height == rect->height
      && cache->shadows == params->shadows && cache->highlights == params->highlights
      && (cache->has_n || params->denoise == 0.0f))
    {
      job.cached = TRUE;
      job.pieces = cache->pieces;
      job.n_pieces = cache->n_pieces;
    }
  else
    {
      region_grid (rect, n_threads, &cols, &rows);
      n_pieces = cols * rows;
      if (cache != NULL)
        {
          evenlight_region_cache_clear (cache);
          if (cache->n_alloc < n_pieces)
            {
              cache->pieces = g_renew (Piece, cache->pieces, n_pieces);
              memset (cache->pieces + cache->n_alloc, 0,
                      (gsize) (n_pieces - cache->n_alloc) * sizeof (Piece));
              cache->n_alloc = n_pieces;
            }
          job.pieces = cache->pieces;
          job.fill = TRUE;
        }
      else
        job.pieces = n_pieces <= MAX_THREADS ? local : g_new0 (Piece, n_pieces);
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
  region_work (&job, job.cached ? NULL : thread_scratch ());
  if (n_threads > 1)
    {
      g_mutex_lock (&job.lock);
      while (job.helpers > 0)
        g_cond_wait (&job.done, &job.lock);
      g_mutex_unlock (&job.lock);
      g_cond_clear (&job.done);
    }

  if (job.pieces != local && (cache == NULL || job.pieces != cache->pieces))
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
    {
      cache->context = context;
      cache->rect = *rect;
      cache->shadows = params->shadows;
      cache->highlights = params->highlights;
      cache->n_pieces = job.n_pieces;
      cache->valid = TRUE;
      cache->has_n = params->denoise > 0.0f;
    }
  return TRUE;
}

/* ---- Tiled, threaded pass ----------------------------------------------------- */

typedef struct
{
  gint          index;      /* −1: a worker has finished */
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
  gint                    next;       /* atomic: next tile to render       */
  gint                    stop;       /* atomic: error or cancel seen      */
  GAsyncQueue            *done;       /* Tile*: rendered, for the caller   */
  GAsyncQueue            *free_tiles; /* Tile*: buffers ready for reuse    */
} Job;

static gboolean
job_render (Job *job, EvenlightScratch *scratch, Tile *tile)
{
  tile_rect (&job->rect, tile->index, &tile->rect);
  return evenlight_render_tile (job->context, job->params, &tile->rect,
                                EVENLIGHT_TILE_MARGIN, job->read, job->read_data,
                                scratch, FALSE, tile->rgb,
                                (gsize) tile->rect.width * 3, &tile->error);
}

static gpointer
job_worker (gpointer data)
{
  Job *job = data;
  EvenlightScratch *scratch = scratch_take ();
  Tile *tile;

  while (!g_atomic_int_get (&job->stop))
    {
      gint i = g_atomic_int_add (&job->next, 1);

      if (i >= job->n_tiles)
        break;
      tile = g_async_queue_pop (job->free_tiles);
      tile->index = i;
      job_render (job, scratch, tile);
      g_async_queue_push (job->done, tile);
    }
  scratch_give (scratch);

  tile = g_new0 (Tile, 1);
  tile->index = -1;
  g_async_queue_push (job->done, tile);
  return NULL;
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
  GThread *threads[MAX_THREADS];
  Tile *tiles;
  GError *first_error = NULL;
  gint i, n_done = 0, running;

  if (!check_call (context, params, rect, read, error))
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
  job.n_tiles = n_tiles (rect);
  job.read = read;
  job.read_data = read_data;

  if (n_threads <= 0)
    n_threads = (gint) g_get_num_processors ();
  n_threads = CLAMP (n_threads, 1, MIN (job.n_tiles, MAX_THREADS));

  if (progress != NULL && !progress (0.0, progress_data))
    goto cancelled;

  /* Two buffers per thread: one being rendered, one waiting to be written. */
  tiles = g_new0 (Tile, 2 * n_threads);
  for (i = 0; i < 2 * n_threads; i++)
    tiles[i].rgb = g_new (gfloat, (gsize) EVENLIGHT_TILE_SIZE * EVENLIGHT_TILE_SIZE * 3);

  if (n_threads == 1)
    {
      /* No threads at all: render and write in turn. */
      EvenlightScratch *scratch = thread_scratch ();

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
      /* Workers render tiles; this thread writes them and reports progress,
       * so the callbacks never run concurrently and always on the caller's
       * thread. */
      job.done = g_async_queue_new ();
      job.free_tiles = g_async_queue_new ();
      for (i = 0; i < 2 * n_threads; i++)
        g_async_queue_push (job.free_tiles, &tiles[i]);
      for (i = 0; i < n_threads; i++)
        threads[i] = g_thread_new ("evenlight", job_worker, &job);

      for (running = n_threads; running > 0;)
        {
          Tile *tile = g_async_queue_pop (job.done);

          if (tile->index < 0)
            {
              g_free (tile);
              running--;
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

      for (i = 0; i < n_threads; i++)
        g_thread_join (threads[i]);
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

/* ---- Whole images in memory ------------------------------------------------ */

typedef struct
{
  const gfloat *rgb;     /* sanitised packed copy of the colour channels */
  gint          width;
  gfloat       *pixels;
  gint          channels;
  gsize         rowstride;
} Pixels;

static gboolean
pixels_read (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  const Pixels *p = data;
  gint y;

  (void) error;
  for (y = 0; y < rect->height; y++)
    memcpy (rgb + (gsize) y * rect->width * 3,
            p->rgb + ((gsize) (rect->y + y) * p->width + rect->x) * 3,
            (gsize) rect->width * 3 * sizeof (gfloat));
  return TRUE;
}

static gboolean
pixels_write (const EvenlightRect *rect, const gfloat *rgb, gpointer data, GError **error)
{
  const Pixels *p = data;
  gint x, y, c;

  (void) error;
  for (y = 0; y < rect->height; y++)
    {
      const gfloat *s = rgb + (gsize) y * rect->width * 3;
      gfloat *d = p->pixels + (gsize) (rect->y + y) * p->rowstride + (gsize) rect->x * p->channels;

      for (x = 0; x < rect->width; x++, s += 3, d += p->channels)
        {
          if (p->channels >= 3)
            for (c = 0; c < 3; c++)
              d[c] = s[c];
          else
            /* A gray image went in as R = G = B; the mean keeps it gray. */
            d[0] = (s[0] + s[1] + s[2]) * (1.0f / 3.0f);
        }
    }
  return TRUE;
}

gboolean
evenlight_enhance_pixels (const EvenlightModel  *model,
                          const EvenlightParams *params,
                          gfloat                *pixels,
                          gint                   width,
                          gint                   height,
                          gint                   channels,
                          gsize                  rowstride,
                          gint                   n_threads,
                          GError               **error)
{
  EvenlightContext *context;
  EvenlightRect all = { 0, 0, width, height };
  Pixels p;
  gfloat *rgb;
  gboolean ok;
  gint x, y;

  if (model == NULL || pixels == NULL)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           "No model or no pixels given");
      return FALSE;
    }
  if (!evenlight_params_validate (params, error))
    return FALSE;
  if (channels < 1 || channels > 4)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "Pixels must have 1 to 4 channels, not %d", channels);
      return FALSE;
    }
  /* The limits of evenlight_context_new(), checked before the copy below
   * reads a single pixel or allocates for an impossible size. */
  if (!evenlight_check_size (width, height, error))
    return FALSE;
  if (rowstride < (gsize) width * channels)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "Cannot process %d × %d pixels with rows %" G_GSIZE_FORMAT " floats apart",
                   width, height, rowstride);
      return FALSE;
    }

  /* The result is written tile by tile while other tiles still read their
   * margins, so the input is copied (sanitised, as R'G'B') first. */
  rgb = g_try_new (gfloat, (gsize) width * height * 3);
  if (rgb == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "Out of memory for an image of %d × %d pixels", width, height);
      return FALSE;
    }
  for (y = 0; y < height; y++)
    {
      const gfloat *s = pixels + (gsize) y * rowstride;
      gfloat *d = rgb + (gsize) y * width * 3;

      for (x = 0; x < width; x++, s += channels, d += 3)
        {
          if (channels >= 3)
            {
              d[0] = evenlight_sanitize (s[0]);
              d[1] = evenlight_sanitize (s[1]);
              d[2] = evenlight_sanitize (s[2]);
            }
          else
            d[0] = d[1] = d[2] = evenlight_sanitize (s[0]);
        }
    }

  p.rgb = rgb;
  p.width = width;
  p.pixels = pixels;
  p.channels = channels;
  p.rowstride = rowstride;

  context = evenlight_context_new (model, width, height, pixels_read, &p, error);
  ok = context != NULL
       && evenlight_enhance (context, params, &all, n_threads, pixels_read, &p,
                             pixels_write, &p, NULL, NULL, error);
  evenlight_context_free (context);
  g_free (rgb);
  return ok;
}
