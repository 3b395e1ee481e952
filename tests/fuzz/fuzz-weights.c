/* libFuzzer target: any byte string given to the weights-file parser and to
 * the model loader gives a model or a GError, never a crash or a leak.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>

#include "evenlight.h"
#include "weights.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  EvenlightWeights *weights;
  EvenlightModel *model;

  weights = evenlight_weights_parse (data, size, "fuzz.bin", &error);
  if ((weights == NULL) == (error == NULL))
    abort ();                   /* exactly one of result and error */
  if (error != NULL && (error->message == NULL || error->message[0] == '\0'))
    abort ();
  g_clear_error (&error);
  if (weights != NULL)
    evenlight_weights_free (weights);

  model = evenlight_model_load_data (data, size, "fuzz.bin", &error);
  if ((model == NULL) == (error == NULL))
    abort ();
  g_clear_error (&error);
  if (model != NULL)
    evenlight_model_free (model);
  return 0;
}
