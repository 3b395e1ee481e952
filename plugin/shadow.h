/* evenlight — GIMP 2.10 plug-in: results into the shadow buffer.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both procedures that change a layer (Even Light, Even Light for Dark
 * Photos) write their results this one way: rectangle by rectangle into
 * the drawable's shadow buffer, with the source's alpha and gray merged
 * back (core/pixels.h), then merged through the selection mask as one
 * undo step. Nothing reaches the layer before that merge, so an error or
 * a cancel midway leaves it as it was.
 */
#ifndef EVENLIGHT_SHADOW_H
#define EVENLIGHT_SHADOW_H

#include "drawable-io.h"

typedef struct
{
  EvenlightSource *source;
  GeglBuffer      *buffer;  /* the drawable's shadow buffer */
} EvenlightShadow;

/* Starts writing results for @source's drawable. */
void evenlight_shadow_open  (EvenlightShadow     *shadow,
                             EvenlightSource     *source);

/* Writes the result @rgb (packed R'G'B') of @rect: in the drawable's own
 * format when evenlight_source_load() has read it (converted by the babl
 * fish gegl_buffer_set() would use, so that the shadow buffer's tiles are
 * only copied), else in source->format. Thread-safe. */
void evenlight_shadow_write (EvenlightShadow     *shadow,
                             const EvenlightRect *rect,
                             const gfloat        *rgb);

/* Sends the last tiles to GIMP; then, with @merge, merges the shadow
 * buffer through the selection (one undo step) and updates @rect of the
 * drawable, or without it drops the shadow buffer. */
void evenlight_shadow_close (EvenlightShadow     *shadow,
                             const EvenlightRect *rect,
                             gboolean             merge);

#endif /* EVENLIGHT_SHADOW_H */
