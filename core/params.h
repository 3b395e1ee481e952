/* evenlight — the parameter tables: every setting of the two procedures
 * described once.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each procedure has one table (params.c) with, for each of its settings,
 * the name, the label, the description, the range, the default and the
 * dialog's step, as a GEGL operation declares its properties. Everything
 * else is made from it: the engine's validation (evenlight_params_validate),
 * the PDB arguments (plugin/pdb-params.c), the dialog's scales
 * (ui/evenlight-dialog.c), the CLI's options and their range checks
 * (ui/cli/cli-options.c), and the test that holds the README's slider
 * table against it (tests/core/test-params.c). Ranges are whatever the
 * table says: no front-end assumes [0, 1].
 *
 * The strings marked for translation are translated by the front-ends
 * (the core has no catalogue): pass them through _() there.
 */
#ifndef EVENLIGHT_PARAMS_H
#define EVENLIGHT_PARAMS_H

#include "evenlight.h"

G_BEGIN_DECLS

typedef enum
{
  EVENLIGHT_PARAM_FLOAT,    /* a gfloat in the values struct, a scale     */
  EVENLIGHT_PARAM_BOOLEAN   /* a gboolean (0 or 1), a check box           */
} EvenlightParamType;

typedef struct
{
  const gchar       *name;         /* PDB argument, CLI long option: "shadows"  */
  const gchar       *label;        /* in messages and the README: "Shadows"     */
  const gchar       *ui_label;     /* the dialog's label with its mnemonic (translatable) */
  const gchar       *symbol;       /* the paper's symbol ("γ1"), or NULL        */
  const gchar       *description;  /* tooltip, PDB and --help text (translatable) */
  gchar              short_option; /* the CLI's one-letter option, or 0         */
  const gchar       *metavar;      /* the CLI's name for the value ("G1")       */
  EvenlightParamType type;
  gdouble            min, max;     /* the range; both ends are allowed          */
  gdouble            default_value;
  gdouble            step;         /* the dialog's step (a page is 10 steps)    */
  gsize              offset;       /* of the value in the procedure's struct    */
} EvenlightParamSpec;

/* The settings of the dark-photo procedure (LAIC, core/laic.h, optionally
 * followed by dequantization, core/dequant.h). */
typedef struct
{
  gboolean dequantize;
  gfloat   contrast;   /* LAIC's λ2 (EvenlightLaicParams.contrast)   */
} EvenlightDarkParams;

/* plug-in-evenlight-dark keeps the arguments it was published with: the
 * first this many entries of the table. plug-in-evenlight-dark2 takes
 * them all (plugin/dark.c). */
#define EVENLIGHT_DARK_V1_N_PARAMS 1

/* The settings of exposure fusion (evenlight.h: brackets). */
typedef struct
{
  gfloat   denoise;   /* γ3, as in EvenlightParams */
  gboolean align;
} EvenlightFuseParams;

/* The table of plug-in-evenlight and `evenlight --method net`: the fields
 * of EvenlightParams in their order. */
const EvenlightParamSpec *evenlight_params_table      (guint *n_params);
/* The table of plug-in-evenlight-dark2: the fields of EvenlightDarkParams. */
const EvenlightParamSpec *evenlight_dark_params_table (guint *n_params);

/* The table of plug-in-evenlight-fuse: the fields of EvenlightFuseParams. */
const EvenlightParamSpec *evenlight_fuse_params_table (guint *n_params);

/* The entry named @name of @table, or NULL. */
const EvenlightParamSpec *evenlight_param_find (const EvenlightParamSpec *table,
                                                guint                     n_params,
                                                const gchar              *name);

/* The value of @spec in the values struct @values (as a double), and its
 * assignment (a float is rounded to float, a boolean is value != 0). */
gdouble  evenlight_param_get   (const EvenlightParamSpec *spec,
                                gconstpointer             values);
void     evenlight_param_set   (const EvenlightParamSpec *spec,
                                gpointer                  values,
                                gdouble                   value);

/* Whether @value is finite and within @spec's range (for a boolean: 0 or
 * 1); the message names the setting and its range. */
gboolean evenlight_param_check (const EvenlightParamSpec *spec,
                                gdouble                   value,
                                GError                  **error);

/* Decimal digits that show @spec's step (2 for 0.01). */
gint     evenlight_param_digits (const EvenlightParamSpec *spec);

/* Fills the values struct @values with the defaults of @table. */
void     evenlight_param_table_init_default (const EvenlightParamSpec *table,
                                             guint                     n_params,
                                             gpointer                  values);
/* evenlight_param_check() of every entry of @table, in order. */
gboolean evenlight_param_table_validate     (const EvenlightParamSpec *table,
                                             guint                     n_params,
                                             gconstpointer             values,
                                             GError                  **error);

void     evenlight_dark_params_init_default (EvenlightDarkParams *params);
void     evenlight_fuse_params_init_default (EvenlightFuseParams *params);

G_END_DECLS

#endif /* EVENLIGHT_PARAMS_H */
