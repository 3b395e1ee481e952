/* Pixels of a loaded image in and out as the packed R'G'B' float the core
 * works with (see cli-image.h): gray and alpha images expanded and merged
 * back, and u8 / u16 buffers converted here rather than by babl.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cli-image-private.h"
#include "pixels.h"

/* Whether the CLI converts @format's pixels to and from float itself (see
 * own_bytes in cli-image.h): the bytes of its components, or 0. */
gint
evenlight_cli_own_bytes (const Babl *format)
{
  static const gchar *const models[] = { "R'G'B'", "R'G'B'A", "Y'", "Y'A" };
  const gchar *model = babl_get_name (babl_format_get_model (format));
  const Babl *type = babl_format_get_type (format, 0);
  gint n = babl_format_get_n_components (format);
  gboolean known = FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    known = known || strcmp (model, models[i]) == 0;
  if (!known || babl_format_is_palette (format))
    return 0;
  for (gint c = 1; c < n; c++)
    if (babl_format_get_type (format, c) != type)
      return 0;
  if (type == babl_type ("u8"))
    return 1;
  if (type == babl_type ("u16"))
    return 2;
  return 0;
}

/* @v in [0, 1] to an integer in [0, @max], to the nearest with ties
 * rounded up, as babl's conversions do (the results are the same bits as
 * babl's on every format the tests use); NaN gives 0. */
static inline guint32
to_int (gfloat v,
        gfloat max)
{
  gfloat s = v * max;

  if (!(s > 0.0f))
    return 0;
  if (s > max)
    return (guint32) max;
  return (guint32) (s + 0.5f);
}

/* @n u8 (@bytes 1) or u16 (2) values of @raw to float in [0, 1]. */
static void
int_to_float (gconstpointer raw,
              gint          bytes,
              gfloat       *out,
              gsize         n)
{
  if (bytes == 1)
    {
      const guint8 *p = raw;
      gfloat lut[256];

      for (gint v = 0; v < 256; v++)
        lut[v] = (gfloat) v / 255.0f;
      for (gsize i = 0; i < n; i++)
        out[i] = lut[p[i]];
    }
  else
    {
      const guint16 *p = raw;

      for (gsize i = 0; i < n; i++)
        out[i] = (gfloat) p[i] / 65535.0f;
    }
}

/* The reverse: @n floats to u8 (@bytes 1) or u16 (2) in @raw. */
static void
float_to_int (const gfloat *in,
              gint          bytes,
              gpointer      raw,
              gsize         n)
{
  if (bytes == 1)
    for (gsize i = 0; i < n; i++)
      ((guint8 *) raw)[i] = (guint8) to_int (in[i], 255.0f);
  else
    for (gsize i = 0; i < n; i++)
      ((guint16 *) raw)[i] = (guint16) to_int (in[i], 65535.0f);
}

/* Integer images are converted through a buffer of at most this many bytes,
 * a band of rows at a time: a whole strip or a whole image (dequantization
 * reads one) would need a second copy of itself, which may not fit. */
#define CLI_RAW_BAND_BYTES ((gsize) 4 << 20)

/* The rows of @r that one band of @row_bytes each converts. */
static gint
band_rows (const GeglRectangle *r,
           gsize                row_bytes)
{
  gsize rows = CLI_RAW_BAND_BYTES / MAX (row_bytes, 1);

  return (gint) CLAMP (rows, 1, (gsize) MAX (r->height, 1));
}

/* gegl_buffer_get() of @r from @buffer (of @image's format) as @wanted, a
 * float format of the same components and space, packed. */
static void
get_float (const EvenlightCliImage *image,
           GeglBuffer              *buffer,
           const GeglRectangle     *r,
           const Babl              *wanted,
           gfloat                  *out,
           GeglAbyssPolicy          abyss)
{
  gsize row = (gsize) r->width * babl_format_get_n_components (wanted);
  gint rows = band_rows (r, row * image->own_bytes);
  gpointer raw;

  if (image->own_bytes == 0)
    {
      gegl_buffer_get (buffer, r, 1.0, wanted, out, GEGL_AUTO_ROWSTRIDE, abyss);
      return;
    }
  raw = g_malloc (row * rows * image->own_bytes);
  for (gint y = 0; y < r->height; y += rows)
    {
      GeglRectangle band = { r->x, r->y + y, r->width, MIN (rows, r->height - y) };

      gegl_buffer_get (buffer, &band, 1.0, gegl_buffer_get_format (buffer), raw,
                       GEGL_AUTO_ROWSTRIDE, abyss);
      int_to_float (raw, image->own_bytes, out + row * y, row * band.height);
    }
  g_free (raw);
}

/* gegl_buffer_set() of packed @in, in the float format @format (of the
 * same components and space as @image's), into @r of @buffer. */
static void
set_float (const EvenlightCliImage *image,
           GeglBuffer              *buffer,
           const GeglRectangle     *r,
           const Babl              *format,
           const gfloat            *in)
{
  gsize row = (gsize) r->width * babl_format_get_n_components (format);
  gint rows = band_rows (r, row * image->own_bytes);
  gpointer raw;

  if (image->own_bytes == 0)
    {
      gegl_buffer_set (buffer, r, 0, format, in, GEGL_AUTO_ROWSTRIDE);
      return;
    }
  raw = g_malloc (row * rows * image->own_bytes);
  for (gint y = 0; y < r->height; y += rows)
    {
      GeglRectangle band = { r->x, r->y + y, r->width, MIN (rows, r->height - y) };

      float_to_int (in + row * y, image->own_bytes, raw, row * band.height);
      gegl_buffer_set (buffer, &band, 0, gegl_buffer_get_format (buffer), raw,
                       GEGL_AUTO_ROWSTRIDE);
    }
  g_free (raw);
}

void
evenlight_cli_image_read_rgb (const EvenlightCliImage *image,
                              gint x, gint y, gint width, gint height,
                              gfloat                  *rgb)
{
  GeglRectangle r = { image->extent.x + x, image->extent.y + y, width, height };
  gsize n = (gsize) width * height;
  gint channels;
  gfloat *px;

  if (!image->gray && !image->has_alpha)
    {
      get_float (image, image->buffer, &r, image->rgb_float, rgb, GEGL_ABYSS_CLAMP);
      return;
    }
  /* Gray and alpha images are read in their own layout and expanded here,
   * as the plug-in does: in the colour space of a PNG with a gAMA chunk,
   * babl's conversion of R'G'B'A u8 to R'G'B' float is not exact and moves
   * the darkest levels by up to 0.4/255 (measured), which the gain of a
   * very dark photo turns into visible differences from the plug-in's
   * result (up to 29/255 after LAIC). */
  channels = image->gray ? 1 + image->has_alpha : 4;
  px = g_new (gfloat, n * channels);
  get_float (image, image->buffer, &r,
             image->gray ? (image->has_alpha ? image->ya_float : image->y_float)
                         : image->rgba_float,
             px, GEGL_ABYSS_CLAMP);
  evenlight_pixels_to_rgb (px, channels, rgb, n);
  g_free (px);
}

void
evenlight_cli_image_write_rgb (const EvenlightCliImage *image,
                               GeglBuffer              *target,
                               gint x, gint y, gint width, gint height,
                               const gfloat            *rgb,
                               gfloat                 **scratch,
                               gsize                   *scratch_size)
{
  GeglRectangle r = { image->extent.x + x, image->extent.y + y, width, height };
  gsize n = (gsize) width * height;
  gint channels;
  const Babl *format;
  gfloat *px;

  if (!image->gray && !image->has_alpha)
    {
      set_float (image, target, &r, image->rgb_float, rgb);
      return;
    }

  /* Alpha is read back from the target (the input's buffer) and written
   * again unchanged: float holds every 8-, 16- and 32-bit value exactly. */
  channels = image->gray ? 1 + image->has_alpha : 4;
  format = image->gray ? (image->has_alpha ? image->ya_float : image->y_float)
                       : image->rgba_float;
  if (*scratch_size < n * channels)
    {
      g_free (*scratch);
      *scratch_size = n * channels;
      *scratch = g_new (gfloat, *scratch_size);
    }
  px = *scratch;
  if (image->has_alpha)
    get_float (image, target, &r, format, px, GEGL_ABYSS_NONE);
  evenlight_pixels_from_rgb (px, channels, rgb, n);
  set_float (image, target, &r, format, px);
}
