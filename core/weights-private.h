/* Internal to the weights file (weights.c: parse and validate;
 * weights-file.c: read a file from disk; weights-tensors.c: look up
 * tensors). Not installed; the API is weights.h.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_WEIGHTS_PRIVATE_H
#define EVENLIGHT_WEIGHTS_PRIVATE_H

#include "weights.h"

#define MAGIC_LENGTH    8
#define CHECKSUM_LENGTH 32
/* The architecture id has no limit of its own in the format; the tensor
 * name limit is generous for it too. */
#define MAX_ARCHITECTURE EVENLIGHT_WEIGHTS_MAX_NAME
/* The largest file that can satisfy every limit: header, the longest
 * architecture id, the most tensors with the longest names and 4 dims,
 * the most floats, the checksum. Files beyond it are refused unread. */
#define MAX_FILE_SIZE (MAGIC_LENGTH + 4 + 4 + MAX_ARCHITECTURE + 4 \
                       + EVENLIGHT_WEIGHTS_MAX_TENSORS \
                         * (4 + EVENLIGHT_WEIGHTS_MAX_NAME + 4 + 4 * 4) \
                       + 4 * (gsize) EVENLIGHT_WEIGHTS_MAX_FLOATS \
                       + CHECKSUM_LENGTH)

struct _EvenlightWeights
{
  gchar           *name;
  gchar           *architecture;
  guint            n_tensors;
  EvenlightTensor *tensors;
  gpointer         storage;      /* unaligned block that holds all data */
};

/* "[a, b, c]": a shape in messages. Free with g_free(). */
gchar *evenlight_weights_shape_string (guint        ndim,
                                       const guint *dims);

#endif /* EVENLIGHT_WEIGHTS_PRIVATE_H */
