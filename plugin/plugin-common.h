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
#include "params.h"

/* The procedures (plugin/) and the roles of their dialogs (ui/). */
#define PLUG_IN_BINARY       "evenlight"
#define PLUG_IN_PROC         "plug-in-evenlight"
#define PLUG_IN_ROLE         "evenlight"
#define PLUG_IN_HELP_ID      "plug-in-evenlight"
#define PLUG_IN_DARK_PROC    "plug-in-evenlight-dark"
#define PLUG_IN_DARK2_PROC   "plug-in-evenlight-dark2"
#define PLUG_IN_DARK_ROLE    "evenlight-dark"
#define PLUG_IN_FUSE_PROC    "plug-in-evenlight-fuse"
#define PLUG_IN_FUSE_ROLE    "evenlight-fuse"

/* Timings and preview reports on stderr, for tests and profiling. */
static inline gboolean
evenlight_debug_enabled (void)
{
  return g_getenv ("EVENLIGHT_DEBUG") != NULL;
}

#endif /* EVENLIGHT_PLUGIN_COMMON_H */
