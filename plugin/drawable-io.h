/* evenlight — GIMP 2.10 plug-in: a drawable's pixels for the core.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core asks for pixels through callbacks (core/evenlight.h). This
 * module answers them from the drawable's GeglBuffer, in float so that
 * 16- and 32-bit images keep their precision, gray as R = G = B and
 * without alpha (core/pixels.h); shadow.c writes the results back.
 *
 * libgimp fetches tiles over the one pipe it shares with GIMP, and that
 * pipe is not safe to use from two threads at once: every GEGL access and
 * progress update made from a callback holds EvenlightSource.lock.
 *
 * Each tile fetched or sent is a round trip over that pipe, so a whole
 * apply reads the drawable once, in its own format (evenlight_source_load:
 * the context pass and every tile of the render then convert from memory,
 * on any thread, without the lock), and writes each result tile in that
 * format too.
 */
#ifndef EVENLIGHT_DRAWABLE_IO_H
#define EVENLIGHT_DRAWABLE_IO_H

#include <libgimp/gimp.h>

#include "evenlight.h"

typedef struct
{
  gint32      drawable_id;
  GeglBuffer *buffer;      /* the drawable's pixels (only read)        */
  const Babl *format;      /* "R'G'B'A float", "R'G'B' float", "Y'A float"
                            * or "Y' float", as the drawable has alpha
                            * and colour                               */
  gint        n_channels;  /* of @format                               */
  gboolean    gray;
  gboolean    has_alpha;
  gint        width;
  gint        height;
  GMutex      lock;        /* serialises libgimp calls from callbacks  */
  /* Set by evenlight_source_load(), NULL before: */
  guint8     *native;      /* the drawable, width × height pixels of
                            * @native_format, rows packed              */
  const Babl *native_format;  /* the drawable's own format            */
  gint        native_bpp;
  const Babl *to_float;    /* babl fish: @native_format → @format      */
  const Babl *from_float;  /* babl fish: @format → @native_format      */
  /* Time spent reading the drawable, writing the shadow buffer (tiles
   * and the final flush) and merging it, for the debug report. */
  gint64      read_us, write_us, merge_us;
} EvenlightSource;

/* gegl_init() for this plug-in's process, without babl's cache file.
 * Call once, before any GEGL or babl call. */
void     evenlight_gegl_init    (void);

/* Opens @drawable_id for reading. Refuses, with a message for the user,
 * what Even Light cannot process: layer groups, channels and masks, and
 * indexed images. */
gboolean evenlight_source_init  (EvenlightSource *source,
                                 gint32           drawable_id,
                                 GError         **error);
void     evenlight_source_clear (EvenlightSource *source);

/* Reads the whole drawable into memory in its own format (as many bytes
 * as GIMP holds), so that evenlight_source_read() and
 * evenlight_source_get() answer from there, with the conversions GEGL
 * would make (the same babl fishes, so the same values). */
void     evenlight_source_load  (EvenlightSource *source);

/* An EvenlightReadFunc: @user_data is the EvenlightSource. Thread-safe. */
gboolean evenlight_source_read  (const EvenlightRect *rect,
                                 gfloat              *rgb,
                                 gpointer             user_data,
                                 GError             **error);

/* Reads @rect in source->format (n_channels floats per pixel, packed) into
 * @pixels. Thread-safe. */
void     evenlight_source_get   (EvenlightSource     *source,
                                 const EvenlightRect *rect,
                                 gfloat              *pixels);

/* Renders @rect of the drawable for @params through evenlight_enhance()
 * into the shadow buffer (shadow.h), then merges it through the selection
 * mask (one undo step) and updates the display. On any error nothing is
 * merged and the drawable is as it was. @show_progress drives GIMP's
 * progress bar, which must have been started with gimp_progress_init(). */
gboolean evenlight_source_apply (EvenlightSource        *source,
                                 const EvenlightContext *context,
                                 const EvenlightParams  *params,
                                 const EvenlightRect    *rect,
                                 gboolean                show_progress,
                                 GError                **error);

#endif /* EVENLIGHT_DRAWABLE_IO_H */
