/* The convenience for whole images in memory (evenlight_enhance_pixels):
 * a sanitised copy of the colour channels is read through the context and
 * the tiled pass, and the result written back in place.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"
#include "pixels.h"

#include <string.h>

typedef struct
{
  EvenlightPacked copy;  /* sanitised packed copy of the colour channels */
  gfloat         *pixels;
  gint            channels;
  gsize           rowstride;
} Pixels;

static gboolean
pixels_write (const EvenlightRect *rect, const gfloat *rgb, gpointer data, GError **error)
{
  const Pixels *p = data;
  gint y;

  (void) error;
  /* A gray image went in as R = G = B; the mean keeps it gray. */
  for (y = 0; y < rect->height; y++)
    evenlight_pixels_from_rgb (p->pixels + (gsize) (rect->y + y) * p->rowstride
                                 + (gsize) rect->x * p->channels,
                               p->channels, rgb + (gsize) y * rect->width * 3,
                               rect->width);
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
      g_autofree gchar *size = g_format_size ((gsize) width * height * 3 * sizeof (gfloat));

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                   "Not enough memory for a copy of the %d × %d image (%s)", width, height, size);
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

  p.copy.rgb = rgb;
  p.copy.width = width;
  p.pixels = pixels;
  p.channels = channels;
  p.rowstride = rowstride;

  context = evenlight_context_new (model, width, height, evenlight_packed_read, &p.copy, error);
  ok = context != NULL
       && evenlight_enhance (context, params, &all, n_threads, evenlight_packed_read, &p.copy,
                             pixels_write, &p, NULL, NULL, error);
  evenlight_context_free (context);
  g_free (rgb);
  return ok;
}
