/* One region on the calling thread (evenlight_render_region), and what
 * every render entry point shares: the argument checks and the cut of a
 * rectangle into tiles.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "render-private.h"

gboolean
evenlight_render_check_call (const EvenlightContext *context,
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

gboolean
evenlight_render_check_region (const EvenlightContext *context,
                               const EvenlightParams  *params,
                               const EvenlightRect    *rect,
                               EvenlightReadFunc       read,
                               const gfloat           *out,
                               gsize                   out_rowstride,
                               GError                **error)
{
  if (!evenlight_render_check_call (context, params, rect, read, error))
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

gint
evenlight_render_margin (void)
{
  /* A tile's window grows it by the margin and then out to the alignment
   * (evenlight_tile_window). */
  return EVENLIGHT_TILE_MARGIN + EVENLIGHT_TILE_ALIGN - 1;
}

gint
evenlight_render_tile_size (void)
{
  return EVENLIGHT_TILE_SIZE;
}

void
evenlight_render_tile_rect (const EvenlightRect *rect, gint i, EvenlightRect *tile)
{
  gint nx = (rect->width + EVENLIGHT_TILE_SIZE - 1) / EVENLIGHT_TILE_SIZE;

  tile->x = rect->x + (i % nx) * EVENLIGHT_TILE_SIZE;
  tile->y = rect->y + (i / nx) * EVENLIGHT_TILE_SIZE;
  tile->width = MIN (EVENLIGHT_TILE_SIZE, rect->x + rect->width - tile->x);
  tile->height = MIN (EVENLIGHT_TILE_SIZE, rect->y + rect->height - tile->y);
}

gint
evenlight_render_n_tiles (const EvenlightRect *rect)
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

  if (!evenlight_render_check_region (context, params, rect, read, out, out_rowstride,
                                      error))
    return FALSE;

  scratch = evenlight_scratch_of_thread ();
  n = evenlight_render_n_tiles (rect);
  for (i = 0; i < n && ok; i++)
    {
      EvenlightRect tile;

      evenlight_render_tile_rect (rect, i, &tile);
      ok = evenlight_render_tile (context, params, &tile, EVENLIGHT_TILE_MARGIN,
                                  read, read_data, scratch, FALSE,
                                  out + (gsize) (tile.y - rect->y) * out_rowstride
                                      + (gsize) (tile.x - rect->x) * 3,
                                  out_rowstride, error);
    }
  return ok;
}
