/* bench-enhance: its images, synthetic or read from a PPM file, in
 * memory as packed float RGB, with the engine's read and write callbacks.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-enhance.h"

gboolean
image_read (const EvenlightRect *r, gfloat *rgb, gpointer data, GError **error)
{
  const Image *im = data;
  gint y;

  (void) error;
  for (y = 0; y < r->height; y++)
    memcpy (rgb + (gsize) y * r->width * 3, im->rgb + ((gsize) (r->y + y) * im->width + r->x) * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

gboolean
image_write (const EvenlightRect *r, const gfloat *rgb, gpointer data, GError **error)
{
  const Image *im = data;
  gint y;

  (void) error;
  for (y = 0; y < r->height; y++)
    memcpy (im->out + ((gsize) (r->y + y) * im->width + r->x) * 3, rgb + (gsize) y * r->width * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

/* Writes every page of the output buffer once, so that the peak RSS of a
 * case does not count the output image's first touch as the engine's. */
static void
image_touch_output (Image *im)
{
  memcpy (im->out, im->rgb, (gsize) im->width * im->height * 3 * sizeof (gfloat));
}

/* Dim, unevenly lit scene: a dark left side, a bright window, edges,
 * texture and sensor-like noise (used when no photo is given). */
void
image_make (Image *im, gint width, gint height)
{
  guint32 state = 12345;
  gint x, y, c;

  im->width = width;
  im->height = height;
  im->name = g_strdup ("synthetic");
  im->rgb = g_new (gfloat, (gsize) width * height * 3);
  im->out = g_new (gfloat, (gsize) width * height * 3);
  for (y = 0; y < height; y++)
    {
      gfloat v = (y + 0.5f) / height;
      for (x = 0; x < width; x++)
        {
          gfloat u = (x + 0.5f) / width;
          gfloat light = 0.03f + 0.5f * u * u + (u > 0.6f && u < 0.9f && v > 0.1f && v < 0.4f ? 0.9f : 0.0f);
          gboolean object = (u - 0.35f) * (u - 0.35f) + (v - 0.6f) * (v - 0.6f) < 0.04f;
          for (c = 0; c < 3; c++)
            {
              gfloat refl = object ? 0.2f + 0.3f * c : 0.45f + 0.1f * sinf (x * 0.02f + c) * cosf (y * 0.03f);
              gfloat noise;
              state = state * 1664525u + 1013904223u;
              noise = ((state >> 8) / 16777216.0f - 0.5f) * 0.03f;
              im->rgb[((gsize) y * width + x) * 3 + c] = CLAMP (refl * light + noise, 0.0f, 1.0f);
            }
        }
    }
  image_touch_output (im);
}

/* Skips whitespace and comments of a PPM header, then reads a number. */
static gboolean
ppm_number (const guint8 *data, gsize length, gsize *pos, gint64 *value)
{
  while (*pos < length && (g_ascii_isspace (data[*pos]) || data[*pos] == '#'))
    {
      if (data[*pos] == '#')
        while (*pos < length && data[*pos] != '\n')
          (*pos)++;
      else
        (*pos)++;
    }
  if (*pos >= length || !g_ascii_isdigit (data[*pos]))
    return FALSE;
  *value = 0;
  while (*pos < length && g_ascii_isdigit (data[*pos]) && *value < 1000000)
    *value = *value * 10 + (data[(*pos)++] - '0');
  return TRUE;
}

gboolean
image_load_ppm (Image *im, const gchar *path, GError **error)
{
  guint8 *data;
  gsize length, pos = 2, i, n;
  gint64 w, h, maxval;

  if (!g_file_get_contents (path, (gchar **) &data, &length, error))
    return FALSE;
  if (length < 2 || data[0] != 'P' || data[1] != '6'
      || !ppm_number (data, length, &pos, &w) || !ppm_number (data, length, &pos, &h)
      || !ppm_number (data, length, &pos, &maxval) || w < 1 || h < 1 || w > 100000
      || h > 100000 || maxval < 1 || maxval > 65535
      || length - pos - 1 < (gsize) w * h * 3 * (maxval > 255 ? 2 : 1))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is not a complete binary PPM (P6) image", path);
      g_free (data);
      return FALSE;
    }
  pos++;                        /* the one whitespace byte after maxval */
  im->width = (gint) w;
  im->height = (gint) h;
  im->name = g_path_get_basename (path);
  n = (gsize) w * h * 3;
  im->rgb = g_new (gfloat, n);
  im->out = g_new (gfloat, n);
  for (i = 0; i < n; i++)
    {
      guint v = maxval > 255 ? (guint) data[pos + 2 * i] << 8 | data[pos + 2 * i + 1] : data[pos + i];
      im->rgb[i] = (gfloat) v / (gfloat) maxval;
    }
  g_free (data);
  image_touch_output (im);
  return TRUE;
}

void
image_free (Image *im)
{
  g_free (im->rgb);
  g_free (im->out);
  g_free (im->name);
}
