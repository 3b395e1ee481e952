/* `evenlight`: where the CLI finds its weights files and its GEGL modules.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_WEIGHTS_H
#define EVENLIGHT_CLI_WEIGHTS_H

#include <glib.h>

/* The weights file @basename (e.g. "evenlight-v1.bin") for a run without
 * --weights: $@env_name when set (used as it is, even if missing, so that
 * a wrong path is reported); else, when this program runs from its build
 * tree (uninstalled), the source tree's weights/ folder; else @installed
 * (the installed data folder); else the folder of the executable. When
 * none exists, NULL and an error that lists where it looked and says how
 * to point at the file (@option or $@env_name). */
gchar *evenlight_cli_find_weights (const gchar  *basename,
                                   const gchar  *installed,
                                   const gchar  *env_name,
                                   const gchar  *option,
                                   GError      **error);


/* Before gegl_init(): keeps babl from rebuilding the conversions of its
 * cache file at start-up (BABL_INHIBIT_CACHE, unless set), and points
 * GEGL_PATH (unless set) at the folder of links to just the GEGL modules
 * the CLI uses (core/cli/meson.build), when it exists: the build tree's
 * when run from there, else the installed one. */
void   evenlight_cli_prepare_gegl (void);

#endif /* EVENLIGHT_CLI_WEIGHTS_H */
