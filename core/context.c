/* The global context: one pass over the image to the two illumination
 * grids (weights/MODEL.md §1).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The image is read once, in strips, and never held whole. Each row's
 * bright channel (of I and of 1 − I) goes straight into the sums of the
 * adaptive average pooling of pack2(g) to 128 × 128: a row's sums over
 * the column bins are added to every row bin that contains it (bins overlap when the size is not a multiple of
 * 128). Sums are kept in double so that even 100-megapixel images pool to
 * the float the PyTorch reference computes.
 */
#include "model.h"
#include "exposure.h"
#include "fuse.h"

#include <string.h>

#define P EVENLIGHT_POOL_SIZE

typedef struct
{
  gint     width, height;   /* full resolution                   */
  gint     w1, h1;          /* packed level: ceil(W/2), ceil(H/2) */
  gint     col_start[P], col_end[P];
  gint    *row_first;       /* per packed row: first row bin containing it */
  gint    *row_last;
  gdouble  colsum[P];
  gdouble *acc[2];          /* per guide: 4 × P × P sums          */
} Pool;

static void
pool_init (Pool *pool, gint width, gint height)
{
  gint i, p, s, e;

  pool->width = width;
  pool->height = height;
  pool->w1 = (width + 1) / 2;
  pool->h1 = (height + 1) / 2;
  for (p = 0; p < P; p++)
    evenlight_nn_pool_bin (p, pool->w1, P, &pool->col_start[p], &pool->col_end[p]);
  pool->row_first = g_new (gint, pool->h1);
  pool->row_last = g_new (gint, pool->h1);
  for (i = 0; i < pool->h1; i++)
    {
      pool->row_first[i] = P;
      pool->row_last[i] = -1;
    }
  for (p = 0; p < P; p++)
    {
      evenlight_nn_pool_bin (p, pool->h1, P, &s, &e);
      for (i = s; i < e; i++)
        {
          pool->row_first[i] = MIN (pool->row_first[i], p);
          pool->row_last[i] = MAX (pool->row_last[i], p);
        }
    }
  pool->acc[0] = g_new0 (gdouble, 4 * P * P);
  pool->acc[1] = g_new0 (gdouble, 4 * P * P);
}

static void
pool_clear (Pool *pool)
{
  g_free (pool->row_first);
  g_free (pool->row_last);
  g_free (pool->acc[0]);
  g_free (pool->acc[1]);
}

/* Adds full-resolution row @y of guide @which (values @g) as row dy of
 * packed row i = y / 2 (and, for the last row of an odd height, also as
 * the replicated row dy = 1). */
static void
pool_add_row (Pool *pool, gint which, gint y, const gfloat *g)
{
  gint i = y / 2, dy, dx, j, p, q;
  gint last = pool->width - 1;

  for (dy = y % 2; dy < 2; dy++)
    {
      for (dx = 0; dx < 2; dx++)
        {
          /* Sums over each column bin directly: bins are short and
           * independent, so the additions overlap (a running prefix sum
           * would be one long dependency chain). */
          for (q = 0; q < P; q++)
            {
              gdouble sum = 0.0;
              for (j = pool->col_start[q]; j < pool->col_end[q]; j++)
                sum += g[MIN (2 * j + dx, last)];
              pool->colsum[q] = sum;
            }
          for (p = pool->row_first[i]; p <= pool->row_last[i]; p++)
            {
              gdouble *a = pool->acc[which] + ((gsize) (dy * 2 + dx) * P + p) * P;
              for (q = 0; q < P; q++)
                a[q] += pool->colsum[q];
            }
        }
      /* Row dy = 1 of the last packed row replicates the last image row
       * when the height is odd; otherwise each row is one dy only. */
      if (!(y == pool->height - 1 && pool->height % 2 == 1))
        break;
    }
}

static void
pool_finish (const Pool *pool, gint which, gfloat *pooled)
{
  gint c, p, q, rs, re, cs, ce;

  for (p = 0; p < P; p++)
    {
      evenlight_nn_pool_bin (p, pool->h1, P, &rs, &re);
      for (q = 0; q < P; q++)
        {
          cs = pool->col_start[q];
          ce = pool->col_end[q];
          for (c = 0; c < 4; c++)
            {
              gsize k = ((gsize) c * P + p) * P + q;
              pooled[k] = (gfloat) (pool->acc[which][k] / ((gdouble) (re - rs) * (ce - cs)));
            }
        }
    }
}

/* The bright channels of a row of I and of 1 − I. */
EVENLIGHT_CLONES static void
guide_row (const gfloat *restrict px, gint width, gfloat *restrict g, gfloat *restrict gi)
{
  gint x;

  for (x = 0; x < width; x++)
    {
      gfloat r = evenlight_sanitize (px[3 * x]);
      gfloat gr = evenlight_sanitize (px[3 * x + 1]);
      gfloat b = evenlight_sanitize (px[3 * x + 2]);
      gfloat hi = r > gr ? r : gr, lo = r < gr ? r : gr;
      /* max(1−R, 1−G, 1−B) = 1 − min(R, G, B) exactly: 1 − v is correctly
       * rounded and so monotone. */
      g[x] = hi > b ? hi : b;
      gi[x] = 1.0f - (lo < b ? lo : b);
    }
}

gboolean
evenlight_context_pool (gint               width,
                        gint               height,
                        EvenlightReadFunc  read,
                        gpointer           user_data,
                        gfloat            *pooled,
                        EvenlightThumb    *thumb,
                        GError           **error)
{
  Pool pool;
  gfloat *rgb, *g, *gi;
  gint strip, y0, y;

  /* Even strip heights keep each packed row's two image rows in one read. */
  strip = MAX (2, MIN (height, EVENLIGHT_STRIP_PIXELS / width) & ~1);
  rgb = g_try_new (gfloat, (gsize) strip * width * 3);
  if (rgb == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                   "Out of memory reading an image of %d × %d pixels", width, height);
      return FALSE;
    }
  g = g_new (gfloat, 2 * (gsize) width);
  gi = g + width;
  pool_init (&pool, width, height);

  for (y0 = 0; y0 < height; y0 += strip)
    {
      EvenlightRect rect = { 0, y0, width, MIN (strip, height - y0) };
      GError *local = NULL;

      if (!read (&rect, rgb, user_data, &local))
        {
          if (local == NULL)
            g_set_error (&local, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT,
                         "Reading the image failed at rows %d to %d", rect.y, rect.y + rect.height - 1);
          g_propagate_error (error, local);
          pool_clear (&pool);
          g_free (rgb);
          g_free (g);
          return FALSE;
        }
      for (y = 0; y < rect.height; y++)
        {
          guide_row (rgb + (gsize) y * width * 3, width, g, gi);
          pool_add_row (&pool, 0, y0 + y, g);
          pool_add_row (&pool, 1, y0 + y, gi);
          if (thumb != NULL)
            evenlight_thumb_add_row (thumb, y0 + y, rgb + (gsize) y * width * 3);
        }
    }
  g_free (rgb);
  g_free (g);

  pool_finish (&pool, 0, pooled);
  pool_finish (&pool, 1, pooled + 4 * P * P);
  pool_clear (&pool);
  return TRUE;
}

const EvenlightFusionNet *
evenlight_context_fusion_net (const EvenlightContext *context)
{
  if (context->bracket != NULL && context->model->has_bracket_fusion)
    return &context->model->bracket_fusion;
  return &context->model->fusion;
}

gboolean
evenlight_check_size (gint width, gint height, GError **error)
{
  if (width <= 0 || height <= 0 || width > EVENLIGHT_MAX_SIDE || height > EVENLIGHT_MAX_SIDE)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "Cannot process an image of %d × %d pixels (each side must be 1 to %d)",
                   width, height, EVENLIGHT_MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}

/* The grids and the Fusion-Net bias of @context; with @thumb, also the
 * thumbnail's sums (exposure.h) from the same pass. */
static gboolean
context_read (EvenlightContext  *context,
              EvenlightReadFunc  read,
              gpointer           user_data,
              EvenlightThumb    *thumb,
              GError           **error)
{
  gfloat *pooled = g_new (gfloat, 2 * 4 * P * P);
  gfloat gl[8], gl_inv[8];

  if (!evenlight_context_pool (context->width, context->height, read, user_data, pooled,
                               thumb, error))
    {
      g_free (pooled);
      return FALSE;
    }
  evenlight_model_illumination (context->model, pooled, context->grid, gl);
  evenlight_model_illumination (context->model, pooled + 4 * P * P, context->grid_inv, gl_inv);
  context->has_fusion_bias = evenlight_model_fusion_bias (evenlight_context_fusion_net (context),
                                                           gl, gl_inv, context->fusion_bias);
  g_free (pooled);
  return TRUE;
}

gboolean
evenlight_context_illuminate (EvenlightContext  *context,
                              EvenlightReadFunc  read,
                              gpointer           user_data,
                              GError           **error)
{
  return context_read (context, read, user_data, NULL, error);
}

/* The grids and, for weights with an exposure floor, the exposure gain
 * (§5b) from one pass over the image. */
static gboolean
context_illuminate_exposure (EvenlightContext  *context,
                             EvenlightReadFunc  read,
                             gpointer           user_data,
                             GError           **error)
{
  EvenlightThumb thumb;
  gfloat *rgb;
  gboolean ok;

  context->exposure_gain = 1.0f;
  if (!context->model->has_exposure_floor)
    return context_read (context, read, user_data, NULL, error);
  if (!evenlight_thumb_init (&thumb, context->width, context->height, error))
    return FALSE;
  ok = context_read (context, read, user_data, &thumb, error);
  if (ok)
    {
      rgb = g_new (gfloat, 3 * (gsize) thumb.thumb_width * thumb.thumb_height);
      evenlight_thumb_finish (&thumb, rgb);
      ok = evenlight_exposure_gain (context->model, rgb, thumb.thumb_width,
                                    thumb.thumb_height, &context->exposure_gain, error);
      g_free (rgb);
    }
  evenlight_thumb_clear (&thumb);
  return ok;
}

EvenlightContext *
evenlight_context_new (const EvenlightModel *model,
                       gint                  width,
                       gint                  height,
                       EvenlightReadFunc     read,
                       gpointer              user_data,
                       GError              **error)
{
  EvenlightContext *context;

  if (model == NULL || read == NULL)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           "evenlight_context_new: no model or no read function");
      return NULL;
    }
  if (!evenlight_check_size (width, height, error))
    return NULL;

  context = g_new0 (EvenlightContext, 1);
  context->model = model;
  context->width = width;
  context->height = height;
  if (!context_illuminate_exposure (context, read, user_data, error))
    {
      g_free (context);
      return NULL;
    }
  return context;
}

void
evenlight_context_free (EvenlightContext *context)
{
  if (context != NULL)
    evenlight_bracket_free (context->bracket);
  g_free (context);
}
