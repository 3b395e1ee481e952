/* The parameter tables (params.h) and what is made from them in the core:
 * defaults and validation.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "params.h"
#include "laic.h"

#include <math.h>
#include <stddef.h>

/* Marks a string for xgettext (po/POTFILES lists this file); the
 * front-ends translate it. */
#define N_(String) (String)

/* plug-in-evenlight and `evenlight --method net`: paper Eq. (10).
 *
 * To change a slider, edit its row: min and max are the range everywhere
 * (PDB, dialog, CLI, validation, the tests' out-of-range values); the
 * default is EVENLIGHT_DEFAULT_* in evenlight.h, where the training
 * scripts read it. The README's slider table is checked against this one
 * (tests/core/test-params.c). */
/* Denoise, in the table of each procedure that has it (struct @values). */
#define DENOISE_ROW(values) \
  { .name = "denoise", .label = "Denoise", .ui_label = N_("_Denoise:"), \
    .symbol = "γ3", \
    .description = N_("How much of the noise that brightening reveals " \
                      "is removed (γ3). 0 keeps every detail."), \
    .short_option = 'd', .metavar = "G3", .type = EVENLIGHT_PARAM_FLOAT, \
    .min = 0.0, .max = 1.0, .default_value = EVENLIGHT_DEFAULT_DENOISE, \
    .step = 0.01, .offset = offsetof (values, denoise) }

static const EvenlightParamSpec enhance_table[] =
{
  { .name = "shadows", .label = "Shadows", .ui_label = N_("_Shadows:"),
    .symbol = "γ1",
    .description = N_("How much dark regions are lifted (γ1). 0 leaves the "
                      "shadows as they are."),
    .short_option = 's', .metavar = "G1", .type = EVENLIGHT_PARAM_FLOAT,
    .min = 0.0, .max = 2.0, .default_value = EVENLIGHT_DEFAULT_SHADOWS,
    .step = 0.01, .offset = offsetof (EvenlightParams, shadows) },
  { .name = "highlights", .label = "Highlights", .ui_label = N_("_Highlights:"),
    .symbol = "γ2",
    .description = N_("How much over-exposed regions are brought down "
                      "(γ2). 0 leaves the highlights as they are."),
    .short_option = 'l', .metavar = "G2", .type = EVENLIGHT_PARAM_FLOAT,
    .min = 0.0, .max = 1.0, .default_value = EVENLIGHT_DEFAULT_HIGHLIGHTS,
    .step = 0.01, .offset = offsetof (EvenlightParams, highlights) },
  DENOISE_ROW (EvenlightParams),
};

/* plug-in-evenlight-dark2 and `evenlight --method laic` (which takes
 * --dequantize as a switch that is off unless given). New entries go at
 * the end: plug-in-evenlight-dark takes only the first
 * EVENLIGHT_DARK_V1_N_PARAMS. Contrast's range and default come from the
 * sweep in weights/DEQUANT.md §4 (tests/laic/contrast-sweep.py). */
static const EvenlightParamSpec dark_table[] =
{
  { .name = "dequantize", .label = "Dequantize",
    .ui_label = N_("_Remove banding and noise (dequantization)"),
    .symbol = NULL,
    .description = N_("Where the photo is brightened strongly, a small "
                      "network smooths the steps between the few levels "
                      "the capture had."),
    .short_option = 'D', .metavar = NULL, .type = EVENLIGHT_PARAM_BOOLEAN,
    .min = 0.0, .max = 1.0, .default_value = 1.0, .step = 1.0,
    .offset = offsetof (EvenlightDarkParams, dequantize) },
  { .name = "contrast", .label = "Contrast", .ui_label = N_("Co_ntrast:"),
    .symbol = "λ2",
    .description = N_("How much local contrast the gain brings out (λ2). "
                      "0 brightens every region alike; higher values "
                      "brighten dim detail more than its surroundings."),
    .short_option = 'c', .metavar = "L2", .type = EVENLIGHT_PARAM_FLOAT,
    .min = 0.0, .max = 2.0, .default_value = EVENLIGHT_LAIC_DEFAULT_CONTRAST,
    .step = 0.05, .offset = offsetof (EvenlightDarkParams, contrast) },
};

/* plug-in-evenlight-fuse (the CLI's --fuse takes --denoise, and
 * --no-align to turn alignment off). */
static const EvenlightParamSpec fuse_table[] =
{
  DENOISE_ROW (EvenlightFuseParams),
  { .name = "align", .label = "Align",
    .ui_label = N_("_Align the exposures"),
    .symbol = NULL,
    .description = N_("Estimate how far the camera moved between the "
                      "exposures and undo it (a shift, to a fraction of a "
                      "pixel) before fusing."),
    .short_option = 0, .metavar = NULL, .type = EVENLIGHT_PARAM_BOOLEAN,
    .min = 0.0, .max = 1.0, .default_value = 1.0, .step = 1.0,
    .offset = offsetof (EvenlightFuseParams, align) },
};

const EvenlightParamSpec *
evenlight_fuse_params_table (guint *n_params)
{
  *n_params = G_N_ELEMENTS (fuse_table);
  return fuse_table;
}

const EvenlightParamSpec *
evenlight_params_table (guint *n_params)
{
  *n_params = G_N_ELEMENTS (enhance_table);
  return enhance_table;
}

const EvenlightParamSpec *
evenlight_dark_params_table (guint *n_params)
{
  *n_params = G_N_ELEMENTS (dark_table);
  return dark_table;
}

const EvenlightParamSpec *
evenlight_param_find (const EvenlightParamSpec *table,
                      guint                     n_params,
                      const gchar              *name)
{
  for (guint i = 0; i < n_params; i++)
    if (g_strcmp0 (table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

gdouble
evenlight_param_get (const EvenlightParamSpec *spec,
                     gconstpointer             values)
{
  const guint8 *p = (const guint8 *) values + spec->offset;

  if (spec->type == EVENLIGHT_PARAM_BOOLEAN)
    return *(const gboolean *) p ? 1.0 : 0.0;
  return *(const gfloat *) p;
}

void
evenlight_param_set (const EvenlightParamSpec *spec,
                     gpointer                  values,
                     gdouble                   value)
{
  guint8 *p = (guint8 *) values + spec->offset;

  if (spec->type == EVENLIGHT_PARAM_BOOLEAN)
    *(gboolean *) p = value != 0.0;
  else
    *(gfloat *) p = (gfloat) value;
}

gboolean
evenlight_param_check (const EvenlightParamSpec *spec,
                       gdouble                   value,
                       GError                  **error)
{
  if (spec->type == EVENLIGHT_PARAM_BOOLEAN)
    {
      if (value == 0.0 || value == 1.0)
        return TRUE;
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "%s must be 0 or 1, not %g", spec->label, value);
      return FALSE;
    }
  if (isfinite (value) && value >= spec->min && value <= spec->max)
    return TRUE;
  if (spec->symbol != NULL)
    g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                 "%s (%s) must be between %g and %g, not %g", spec->label,
                 spec->symbol, spec->min, spec->max, value);
  else
    g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                 "%s must be between %g and %g, not %g", spec->label,
                 spec->min, spec->max, value);
  return FALSE;
}

gint
evenlight_param_digits (const EvenlightParamSpec *spec)
{
  gint digits = 0;

  /* The smallest number of decimals that shows a multiple of the step
   * exactly (to a millionth). */
  while (digits < 6
         && fabs (spec->step * pow (10.0, digits)
                  - round (spec->step * pow (10.0, digits))) > 1e-6)
    digits++;
  return digits;
}

void
evenlight_param_table_init_default (const EvenlightParamSpec *table,
                                    guint                     n_params,
                                    gpointer                  values)
{
  for (guint i = 0; i < n_params; i++)
    evenlight_param_set (&table[i], values, table[i].default_value);
}

gboolean
evenlight_param_table_validate (const EvenlightParamSpec *table,
                                guint                     n_params,
                                gconstpointer             values,
                                GError                  **error)
{
  for (guint i = 0; i < n_params; i++)
    if (!evenlight_param_check (&table[i], evenlight_param_get (&table[i], values),
                                error))
      return FALSE;
  return TRUE;
}

/* ---- EvenlightParams (evenlight.h) --------------------------------------- */

void
evenlight_params_init_default (EvenlightParams *params)
{
  g_return_if_fail (params != NULL);
  evenlight_param_table_init_default (enhance_table, G_N_ELEMENTS (enhance_table),
                                      params);
}

gboolean
evenlight_params_validate (const EvenlightParams *params,
                           GError               **error)
{
  if (params == NULL)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           "No parameters given");
      return FALSE;
    }
  return evenlight_param_table_validate (enhance_table, G_N_ELEMENTS (enhance_table),
                                         params, error);
}

void
evenlight_dark_params_init_default (EvenlightDarkParams *params)
{
  g_return_if_fail (params != NULL);
  evenlight_param_table_init_default (dark_table, G_N_ELEMENTS (dark_table), params);
}

void
evenlight_fuse_params_init_default (EvenlightFuseParams *params)
{
  evenlight_param_table_init_default (fuse_table, G_N_ELEMENTS (fuse_table), params);
}
