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
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n)   ((void) (p), (void) (n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void) (p), (void) (n))
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

/* Faults in the whole pages of [@p, @p + @n_bytes) at once: one system
 * call instead of a fault per page at the first write. */
static void
populate (gpointer p,
          gsize    n_bytes)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  guintptr lo = ((guintptr) p + 4095) & ~(guintptr) 4095;
  guintptr hi = ((guintptr) p + n_bytes) & ~(guintptr) 4095;

  if (hi > lo)
    (void) madvise ((void *) lo, hi - lo, MADV_POPULATE_WRITE);
#else
  (void) p;
  (void) n_bytes;
#endif
}

/* ---- Arenas ------------------------------------------------------------- */

/* The first reservation: room for the scratch of a 256-pixel tile (about
 * 23 MB) with its growth, as address space only; untouched pages cost
 * no memory. At least 2 huge pages, so evenlight_alloc_large() asks for
 * them. */
#define ARENA_FIRST ((gsize) 64 << 20)
G_STATIC_ASSERT (ARENA_FIRST >= 2 * HUGE_PAGE);

struct _EvenlightArena
{
  guint8    *base;     /* the current reservation                      */
  gsize      size;
  gsize      used;     /* bytes cut from it so far                     */
  gsize      populated; /* bytes from its start faulted in so far       */
  GPtrArray *retired;  /* earlier reservations, in use until the reset  */
};

EvenlightArena *
evenlight_arena_new (void)
{
  EvenlightArena *arena = g_new0 (EvenlightArena, 1);

  arena->retired = g_ptr_array_new_with_free_func (g_free);
  return arena;
}

void
evenlight_arena_free (EvenlightArena *arena)
{
  if (arena == NULL)
    return;
  g_ptr_array_free (arena->retired, TRUE);
  g_free (arena->base);
  g_free (arena);
}

void
evenlight_arena_reset (EvenlightArena *arena)
{
  g_ptr_array_set_size (arena->retired, 0);
  if (arena->base != NULL)
    ASAN_POISON_MEMORY_REGION (arena->base, arena->size);
  arena->used = 0;
}

gsize
evenlight_arena_used (const EvenlightArena *arena)
{
  return arena->used;
}

/* @n_bytes from @arena, ALIGN_BYTES-aligned; a larger reservation (twice
 * what is in use) when the current one is full. Under AddressSanitizer
 * everything but the blocks is poisoned, so a read or write past a block
 * (into the ALIGN_BYTES after it, or beyond the last) is reported as it
 * would be past a block of its own. */
static gpointer
arena_take (EvenlightArena *arena,
            gsize           n_bytes)
{
  gpointer p;

  n_bytes = (n_bytes + ALIGN_BYTES - 1) / ALIGN_BYTES * ALIGN_BYTES;
  if (arena->base == NULL || n_bytes + ALIGN_BYTES > arena->size - arena->used)
    {
      gsize size = MAX (ARENA_FIRST, 2 * (arena->used + n_bytes));

      size = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
      if (arena->base != NULL)
        g_ptr_array_add (arena->retired, arena->base);
      arena->base = evenlight_alloc_large (size);   /* on huge pages */
      arena->size = size;
      arena->used = 0;
      arena->populated = 0;
      ASAN_POISON_MEMORY_REGION (arena->base, size);
    }
  p = arena->base + arena->used;
  ASAN_UNPOISON_MEMORY_REGION (p, n_bytes);
  arena->used += n_bytes + ALIGN_BYTES;  /* a gap after each block */
  /* Only what no earlier tile touched: after the reset each tile cuts the
   * same memory again, which is in place already. */
  if (arena->used > arena->populated)
    {
      populate (arena->base + arena->populated, arena->used - arena->populated);
      arena->populated = arena->used;
    }
  return p;
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

      /* One extra alignment unit so the first row can be aligned by hand
       * (g_aligned_alloc needs a newer GLib than we require). Not zeroed:
       * every value a valid output depends on is written before it is
       * read; the pads only feed vector lanes that are thrown away. An
       * arena's old block stays where it is (see EvenlightArena). */
      if (planes->arena != NULL)
        raw = arena_take (planes->arena, need * sizeof (gfloat) + ALIGN_BYTES);
      else
        {
          g_free (planes->block);
          raw = g_malloc (need * sizeof (gfloat) + ALIGN_BYTES);
          populate (raw, need * sizeof (gfloat) + ALIGN_BYTES);
        }
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
  EvenlightArena *arena = planes->arena;

  if (arena == NULL)
    g_free (planes->block);
  memset (planes, 0, sizeof *planes);
  planes->arena = arena;
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
