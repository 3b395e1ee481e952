/* evenlight — GIMP 2.10 plug-in: results into the shadow buffer.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shadow.h"
#include "pixels.h"

void
evenlight_shadow_open (EvenlightShadow *shadow,
                       EvenlightSource *source)
{
  shadow->source = source;
  shadow->buffer = gimp_drawable_get_shadow_buffer (source->drawable_id);
}

void
evenlight_shadow_write (EvenlightShadow     *shadow,
                        const EvenlightRect *rect,
                        const gfloat        *rgb)
{
  EvenlightSource *source = shadow->source;
  GeglRectangle    r = { rect->x, rect->y, rect->width, rect->height };
  gsize            n = (gsize) rect->width * rect->height;
  gint64           t0 = g_get_monotonic_time ();
  gfloat          *pixels = NULL;
  const gfloat    *colour = rgb;
  guint8          *native = NULL;

  /* Packed R'G'B' is already the source's format; otherwise the source
   * supplies the alpha that the core does not touch. */
  if (source->gray || source->has_alpha)
    {
      pixels = g_new (gfloat, n * source->n_channels);
      evenlight_source_get (source, rect, pixels);
      evenlight_pixels_from_rgb (pixels, source->n_channels, rgb, n);
      colour = pixels;
    }
  if (source->native != NULL)
    {
      native = g_malloc (n * source->native_bpp);
      babl_process (source->from_float, colour, native, n);
    }
  g_mutex_lock (&source->lock);
  gegl_buffer_set (shadow->buffer, &r, 0,
                   native != NULL ? source->native_format : source->format,
                   native != NULL ? (gconstpointer) native : (gconstpointer) colour,
                   GEGL_AUTO_ROWSTRIDE);
  g_mutex_unlock (&source->lock);
  g_free (native);
  g_free (pixels);
  source->write_us += g_get_monotonic_time () - t0;
}

void
evenlight_shadow_close (EvenlightShadow     *shadow,
                        const EvenlightRect *rect,
                        gboolean             merge)
{
  EvenlightSource *source = shadow->source;
  gint64           t0 = g_get_monotonic_time ();

  /* Unreferencing flushes the last tiles to GIMP. */
  g_clear_object (&shadow->buffer);
  source->write_us += g_get_monotonic_time () - t0;
  if (! merge)
    {
      gimp_drawable_free_shadow (source->drawable_id);
      return;
    }
  /* TRUE: through the selection mask, as one undo step. */
  t0 = g_get_monotonic_time ();
  gimp_drawable_merge_shadow (source->drawable_id, TRUE);
  gimp_drawable_update (source->drawable_id, rect->x, rect->y,
                        rect->width, rect->height);
  source->merge_us += g_get_monotonic_time () - t0;
}
