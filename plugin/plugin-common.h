/* evenlight — GIMP 2.10 plug-in: names and values shared by the plug-in
 * and its dialog.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_PLUGIN_COMMON_H
#define EVENLIGHT_PLUGIN_COMMON_H

#include <glib.h>
#include <glib/gi18n-lib.h>   /* _() and N_() in GETTEXT_PACKAGE */

#include "evenlight.h"

#define PLUG_IN_PROC    "plug-in-evenlight"
#define PLUG_IN_BINARY  "evenlight"
#define PLUG_IN_ROLE    "evenlight"
#define PLUG_IN_HELP_ID "plug-in-evenlight"

/* The slider values remembered between runs (gimp_set_data). The version
 * and the size guard against a struct stored by an older release: such a
 * struct is ignored and the defaults are used. Bump the version whenever
 * the meaning of a field changes. */
#define EVENLIGHT_VALS_VERSION 1

typedef struct
{
  guint32 version;
  guint32 size;       /* sizeof (EvenlightVals) */
  gdouble shadows;    /* γ1 */
  gdouble highlights; /* γ2 */
  gdouble denoise;    /* γ3 */
} EvenlightVals;

/* Fills @vals with the defaults of core/evenlight.h. */
void     evenlight_vals_init_default (EvenlightVals *vals);

/* Copies @vals into the core's parameter struct. */
void     evenlight_vals_to_params    (const EvenlightVals *vals,
                                      EvenlightParams     *params);

/* Loads the values of the last run; returns FALSE (and leaves @vals as
 * it is) when none are stored or they come from another version. */
gboolean evenlight_vals_load_last    (EvenlightVals *vals);

/* Remembers @vals for the next run. */
void     evenlight_vals_store_last   (const EvenlightVals *vals);

/* Timings and preview reports on stderr, for tests and profiling. */
static inline gboolean
evenlight_debug_enabled (void)
{
  return g_getenv ("EVENLIGHT_DEBUG") != NULL;
}

#endif /* EVENLIGHT_PLUGIN_COMMON_H */
