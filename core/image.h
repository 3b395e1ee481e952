/* Planar float images with a known place in their level, and the
 * clamp-to-edge rules every layer follows.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A level is the whole image at one resolution (full, 1/2, 1/4). A tile
 * computes each level only over a window of it; EvenlightPlanes remembers
 * where the window lies (x0, y0) so that every operation that depends on
 * absolute coordinates (stride 2, up-sampling, slicing, DCT blocks) computes
 * exactly what a whole-image pass computes. Buffers always lie inside their
 * level, so clamping a read to the buffer is clamping it to the level at the
 * image border, and only produces wrong values near an inner window border,
 * which the tile margin (core/geometry.h) throws away.
 */
#ifndef EVENLIGHT_IMAGE_H
#define EVENLIGHT_IMAGE_H

#include <glib.h>
#include "evenlight.h"

G_BEGIN_DECLS

/* Per-pixel loops that are hot but not convolutions are compiled for
 * AVX-512, AVX2 and the baseline, picked at load time. Floating-point
 * contraction stays off in these files (ISO C mode), so all versions give
 * the same bits. The load-time choice cannot be overridden, so the tests
 * build the engine twice more with one version only (EVENLIGHT_CLONES_ONLY
 * = avx2 or baseline, core/meson.build) and check each against the golden
 * vectors and the region contract. */
#if defined(EVENLIGHT_CLONES_ONLY_AVX2)
#define EVENLIGHT_CLONES __attribute__ ((target ("avx2")))
#elif defined(EVENLIGHT_CLONES_ONLY_BASELINE)
#define EVENLIGHT_CLONES
#elif defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__) && !defined(__clang__)
#define EVENLIGHT_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#else
#define EVENLIGHT_CLONES
#endif

/* Floats of slack on both sides of each row: kernels read one column beyond
 * the row (the replicated border) and whole vectors past its end (two
 * 16-float vectors for the stride-2 kernel). Rows start 128-byte aligned. */
#define EVENLIGHT_PLANES_PAD 32

typedef struct
{
  gfloat *data;      /* channel 0, row 0, column 0 (64-byte aligned)      */
  gint    channels;
  gint    width;
  gint    height;
  gint    x0, y0;    /* where column 0, row 0 lie in the level            */
  gsize   stride;    /* floats from one row to the next                   */
  gsize   plane;     /* floats from one channel to the next               */
  gpointer block;    /* the allocation (NULL when empty)                  */
  gsize   capacity;  /* floats usable from the first row's left pad on    */
  struct _EvenlightArena *arena; /* where block comes from; NULL: malloc  */
} EvenlightPlanes;

/* An empty buffer (all zero); also what evenlight_planes_clear() leaves of
 * a buffer without an arena. */
#define EVENLIGHT_PLANES_INIT { NULL, 0, 0, 0, 0, 0, 0, 0, NULL, 0, NULL }

/* Memory for a set of planes that are used together (a tile's scratch):
 * one reservation of address space that their blocks are cut from in
 * turn, backed by huge pages where the system gives them. A fresh process
 * faults its scratch in page by page otherwise: about 6,500 base pages per
 * worker, which cost more than rendering a small image. Blocks are not
 * returned one by one: a plane that grows takes a new block, and when the
 * reservation is full a larger one is made; everything cut before stays
 * valid until evenlight_arena_reset(). */
typedef struct _EvenlightArena EvenlightArena;

EvenlightArena *evenlight_arena_new   (void);
void            evenlight_arena_free  (EvenlightArena *arena);
/* Frees the old reservations and cuts the next blocks from the start of
 * the current one again. Every block cut before is invalid: the caller
 * first empties every plane of the arena (evenlight_planes_clear), when
 * their contents are no longer needed. */
void            evenlight_arena_reset (EvenlightArena *arena);
/* Bytes cut from the current reservation since the last reset. */
gsize           evenlight_arena_used  (const EvenlightArena *arena);

/* Gives @planes the geometry asked for, reusing its memory when it is large
 * enough. Contents are undefined until written. */
void evenlight_planes_ensure (EvenlightPlanes *planes,
                              gint             channels,
                              gint             width,
                              gint             height,
                              gint             x0,
                              gint             y0);
/* Frees @planes' memory (unless it belongs to an arena) and empties it;
 * it stays tied to its arena. */
void evenlight_planes_clear  (EvenlightPlanes *planes);

/* Copies column 0 to column −1 and column width−1 to column width in every
 * row: the replicate padding a 3×3 convolution reads. */
void evenlight_planes_fill_border (EvenlightPlanes *planes);

/* The same for one row, while it is still in the cache: producers call it
 * for each row they write. */
static inline void
evenlight_border_row (gfloat *row, gint width)
{
  row[-1] = row[0];
  row[width] = row[width - 1];
}

static inline gfloat *
evenlight_planes_row (const EvenlightPlanes *planes,
                      gint                   channel,
                      gint                   y)
{
  return planes->data + (gsize) channel * planes->plane + (gsize) y * planes->stride;
}

static inline gint
evenlight_clampi (gint v, gint lo, gint hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Sanitised input value: NaN → 0, then clamped to [0, 1] (MODEL.md
 * conventions). Written so that any comparison with NaN gives 0. */
static inline gfloat
evenlight_sanitize (gfloat v)
{
  v = v >= 0.0f ? v : 0.0f;
  return v <= 1.0f ? v : 1.0f;
}

/* Rounding of coordinates to a multiple of @a (> 0), correct for negative
 * values too. */
static inline gint
evenlight_floor_to (gint v, gint a)
{
  return v >= 0 ? v / a * a : -((-v + a - 1) / a * a);
}

static inline gint
evenlight_ceil_to (gint v, gint a)
{
  return -evenlight_floor_to (-v, a);
}

/* @view shows the part @rect (level coordinates, inside @planes' window)
 * of @planes without copying; it owns nothing and is only to be read. */
void evenlight_planes_view (const EvenlightPlanes *planes,
                            const EvenlightRect   *rect,
                            EvenlightPlanes       *view);

/* TRUE if @inner lies inside a @width × @height image. */
gboolean evenlight_rect_in_image (const EvenlightRect *rect,
                                  gint                 width,
                                  gint                 height);

/* @n_bytes for a large array that is written once and read many times
 * (a whole-image plane): aligned to 2 MiB and, on Linux, marked for
 * transparent huge pages, so that touching it faults 2 MiB at a time rather
 * than 4 KiB (first touch of a 12-megapixel plane: 12 faults instead of
 * 12,000). Not zeroed. Free with g_free(). */
gpointer evenlight_alloc_large  (gsize n_bytes);
/* The same, zeroed. */
gpointer evenlight_alloc_large0 (gsize n_bytes);

/* A whole image of packed R'G'B' rows (@width pixels each) in memory,
 * and the EvenlightReadFunc over it (@data: an EvenlightPacked). */
typedef struct
{
  const gfloat *rgb;
  gint          width;
} EvenlightPacked;

gboolean evenlight_packed_read (const EvenlightRect *rect,
                                gfloat              *rgb,
                                gpointer             data,
                                GError             **error);

G_END_DECLS

#endif
