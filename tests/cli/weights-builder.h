/* Builds weights containers (weights/MODEL.md §8) in memory for the tests:
 * valid ones, and ones broken in exactly one way.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_WEIGHTS_BUILDER_H
#define EVENLIGHT_WEIGHTS_BUILDER_H

#include <glib.h>

G_BEGIN_DECLS

/* Starts a container: magic, @version, @architecture. */
GByteArray *wb_begin        (guint32      version,
                             const gchar *architecture,
                             guint32      n_tensors);
void        wb_u32          (GByteArray  *bytes,
                             guint32      value);
/* A u32 length and the bytes of @text. */
void        wb_string       (GByteArray  *bytes,
                             const gchar *text);
/* One tensor: name, ndim, dims, the floats. */
void        wb_tensor       (GByteArray   *bytes,
                             const gchar  *name,
                             guint         ndim,
                             const guint  *dims,
                             const gfloat *data);
/* Appends the SHA-256 of everything so far. */
void        wb_seal         (GByteArray  *bytes);
/* Recomputes the trailing checksum after the body was changed. */
void        wb_reseal       (GByteArray  *bytes);

/* A valid sealed file with a few tensors of 1 to 4 dimensions whose values
 * tests can predict: tensor t, element k holds wb_value (t, k). */
GByteArray *wb_sample       (const gchar *architecture);
gfloat      wb_value        (guint t,
                             gsize k);
#define WB_SAMPLE_TENSORS 4

G_END_DECLS

#endif
