/* Planar float images: allocation and replicate borders.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "image.h"

#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#define ALIGN_BYTES 128
/* Size of a huge page on x86-64 and arm64 (4 KiB base pages). */
#define HUGE_PAGE   (2u << 20)

gpointer
evenlight_alloc_large (gsize n_bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (n_bytes >= 2 * HUGE_PAGE)
    {
      void *p = NULL;

      /* g_free() is free() (GLib ≥ 2.46), so it releases this too. */
      if (posix_memalign (&p, HUGE_PAGE, n_bytes) == 0)
        {
          /* Only a hint: without huge pages the memory works as usual. */
          (void) madvise (p, n_bytes, MADV_HUGEPAGE);
          return p;
        }
    }
#endif
  return g_malloc (n_bytes);
}

gpointer
evenlight_alloc_large0 (gsize n_bytes)
{
  gpointer p = evenlight_alloc_large (n_bytes);

  memset (p, 0, n_bytes);
  return p;
}

void
evenlight_planes_ensure (EvenlightPlanes *planes,
                         gint             channels,
                         gint             width,
                         gint             height,
                         gint             x0,
                         gint             y0)
{
  gsize stride, plane, need;

  g_return_if_fail (channels > 0 && width > 0 && height > 0);

  /* Rows are padded on both sides and start 128-byte aligned (the pad is
   * 128 bytes and the stride a multiple of 32 floats). */
  stride = EVENLIGHT_PLANES_PAD
           + ((gsize) width + EVENLIGHT_PLANES_PAD - 1) / EVENLIGHT_PLANES_PAD * EVENLIGHT_PLANES_PAD
           + EVENLIGHT_PLANES_PAD;
  plane = stride * (gsize) height;
  need = plane * (gsize) channels + EVENLIGHT_PLANES_PAD;

  if (need > planes->capacity)
    {
      guint8 *raw;

      g_free (planes->block);
      /* One extra alignment unit so the first row can be aligned by hand
       * (g_aligned_alloc needs a newer GLib than we require). Not zeroed:
       * every value a valid output depends on is written before it is
       * read; the pads only feed vector lanes that are thrown away. */
      raw = g_malloc (need * sizeof (gfloat) + ALIGN_BYTES);
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
      {
        guintptr lo = ((guintptr) raw + 4095) & ~(guintptr) 4095;
        guintptr hi = ((guintptr) raw + need * sizeof (gfloat) + ALIGN_BYTES) & ~(guintptr) 4095;

        if (hi > lo)
          (void) madvise ((void *) lo, hi - lo, MADV_POPULATE_WRITE);
      }
#endif
      planes->block = raw;
      planes->capacity = need;
    }

  {
    guintptr addr = (guintptr) planes->block;
    addr = (addr + ALIGN_BYTES - 1) / ALIGN_BYTES * ALIGN_BYTES;
    planes->data = (gfloat *) addr + EVENLIGHT_PLANES_PAD;
  }
  planes->channels = channels;
  planes->width = width;
  planes->height = height;
  planes->x0 = x0;
  planes->y0 = y0;
  planes->stride = stride;
  planes->plane = plane;
}

void
evenlight_planes_clear (EvenlightPlanes *planes)
{
  g_free (planes->block);
  memset (planes, 0, sizeof *planes);
}

void
evenlight_planes_fill_border (EvenlightPlanes *planes)
{
  gint c, y, w = planes->width;

  for (c = 0; c < planes->channels; c++)
    for (y = 0; y < planes->height; y++)
      {
        gfloat *row = evenlight_planes_row (planes, c, y);
        row[-1] = row[0];
        row[w] = row[w - 1];
      }
}

void
evenlight_planes_view (const EvenlightPlanes *planes,
                       const EvenlightRect   *rect,
                       EvenlightPlanes       *view)
{
  g_return_if_fail (rect->x >= planes->x0 && rect->y >= planes->y0
                    && rect->x + rect->width <= planes->x0 + planes->width
                    && rect->y + rect->height <= planes->y0 + planes->height);

  *view = *planes;
  view->data = planes->data + (gsize) (rect->y - planes->y0) * planes->stride
               + (rect->x - planes->x0);
  view->width = rect->width;
  view->height = rect->height;
  view->x0 = rect->x;
  view->y0 = rect->y;
  view->block = NULL;
  view->capacity = 0;
}

gboolean
evenlight_rect_in_image (const EvenlightRect *rect,
                         gint                 width,
                         gint                 height)
{
  return rect->width > 0 && rect->height > 0
         && rect->x >= 0 && rect->y >= 0
         && rect->x <= width - rect->width
         && rect->y <= height - rect->height;
}

gboolean
evenlight_packed_read (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  const EvenlightPacked *p = data;
  gint y;

  (void) error;
  for (y = 0; y < rect->height; y++)
    memcpy (rgb + (gsize) y * rect->width * 3,
            p->rgb + ((gsize) (rect->y + y) * p->width + rect->x) * 3,
            (gsize) rect->width * 3 * sizeof (gfloat));
  return TRUE;
}
