/* The weights file (format: weights/MODEL.md §8): parse, validate, look up.
 * The same container also stores the golden test vectors.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_WEIGHTS_H
#define EVENLIGHT_WEIGHTS_H

#include <glib.h>

G_BEGIN_DECLS

#define EVENLIGHT_WEIGHTS_MAGIC        "EVNLIGHT"
#define EVENLIGHT_WEIGHTS_VERSION      1
#define EVENLIGHT_WEIGHTS_MAX_NAME     64
#define EVENLIGHT_WEIGHTS_MAX_TENSORS  256
#define EVENLIGHT_WEIGHTS_MAX_DIM      65536
#define EVENLIGHT_WEIGHTS_MAX_FLOATS   (4u << 20)

typedef struct
{
  gchar        *name;
  guint         ndim;      /* 1..4 */
  guint         dims[4];
  gsize         count;     /* product of dims */
  const gfloat *data;      /* owned by the EvenlightWeights */
} EvenlightTensor;

typedef struct _EvenlightWeights EvenlightWeights;

/* Parses and validates the whole container: magic, version, structure,
 * limits, SHA-256 checksum, finite values. @name (usually the file path)
 * is named in every error message. Never crashes on any byte string. */
EvenlightWeights      *evenlight_weights_parse        (const guint8 *data,
                                                       gsize         length,
                                                       const gchar  *name,
                                                       GError      **error);
/* Reads a file and parses it. */
EvenlightWeights      *evenlight_weights_load         (const gchar  *path,
                                                       GError      **error);
void                   evenlight_weights_free         (EvenlightWeights *weights);

const gchar           *evenlight_weights_name         (const EvenlightWeights *weights);
const gchar           *evenlight_weights_architecture (const EvenlightWeights *weights);
guint                  evenlight_weights_n_tensors    (const EvenlightWeights *weights);
const EvenlightTensor *evenlight_weights_tensor       (const EvenlightWeights *weights,
                                                       guint                   index);
/* NULL if there is no tensor of that name. */
const EvenlightTensor *evenlight_weights_lookup       (const EvenlightWeights *weights,
                                                       const gchar            *tensor);
/* The data of @tensor if it exists with exactly the shape @dims[@ndim];
 * otherwise NULL and an EVENLIGHT_ERROR_FORMAT error naming the file, the
 * tensor, and the expected and found shapes. */
const gfloat          *evenlight_weights_require      (const EvenlightWeights *weights,
                                                       const gchar            *tensor,
                                                       guint                   ndim,
                                                       const guint            *dims,
                                                       GError                **error);

G_END_DECLS

#endif
