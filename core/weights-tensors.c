/* The weights file (weights/MODEL.md §8): its name, architecture and
 * tensors, looked up by index or name, with the shape a network needs
 * checked.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib.h>

#include "evenlight.h"
#include "weights.h"
#include "weights-private.h"

const gchar *
evenlight_weights_name (const EvenlightWeights *weights)
{
  g_return_val_if_fail (weights != NULL, NULL);
  return weights->name;
}

const gchar *
evenlight_weights_architecture (const EvenlightWeights *weights)
{
  g_return_val_if_fail (weights != NULL, NULL);
  return weights->architecture;
}

guint
evenlight_weights_n_tensors (const EvenlightWeights *weights)
{
  g_return_val_if_fail (weights != NULL, 0);
  return weights->n_tensors;
}

const EvenlightTensor *
evenlight_weights_tensor (const EvenlightWeights *weights,
                          guint                   index)
{
  g_return_val_if_fail (weights != NULL, NULL);
  g_return_val_if_fail (index < weights->n_tensors, NULL);
  return &weights->tensors[index];
}

const EvenlightTensor *
evenlight_weights_lookup (const EvenlightWeights *weights,
                          const gchar            *tensor)
{
  g_return_val_if_fail (weights != NULL, NULL);
  g_return_val_if_fail (tensor != NULL, NULL);
  for (guint i = 0; i < weights->n_tensors; i++)
    if (strcmp (weights->tensors[i].name, tensor) == 0)
      return &weights->tensors[i];
  return NULL;
}

const gfloat *
evenlight_weights_require (const EvenlightWeights *weights,
                           const gchar            *tensor,
                           guint                   ndim,
                           const guint            *dims,
                           GError                **error)
{
  const EvenlightTensor *t;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *found = NULL;

  g_return_val_if_fail (weights != NULL, NULL);
  g_return_val_if_fail (tensor != NULL, NULL);
  g_return_val_if_fail (ndim >= 1 && ndim <= 4 && dims != NULL, NULL);

  t = evenlight_weights_lookup (weights, tensor);
  expected = evenlight_weights_shape_string (ndim, dims);
  if (t == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "Weights file “%s” has no tensor “%s” (expected with "
                   "shape %s)", weights->name, tensor, expected);
      return NULL;
    }
  if (t->ndim != ndim || memcmp (t->dims, dims, ndim * sizeof (guint)) != 0)
    {
      found = evenlight_weights_shape_string (t->ndim, t->dims);
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "Weights file “%s”: tensor “%s” has shape %s, expected %s",
                   weights->name, tensor, found, expected);
      return NULL;
    }
  return t->data;
}
