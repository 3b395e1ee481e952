/* `evenlight`: where the CLI finds its weights files, its GEGL modules and
 * babl's cache file.
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


/* gegl_init() for the CLI, whose files are @paths (inputs and outputs;
 * with --format, @format is the outputs' extension): points GEGL_PATH
 * (unless set) at the folders of links to just the GEGL modules the CLI
 * uses for those files' formats (ui/cli/meson.build), and babl (unless
 * BABL_INHIBIT_CACHE is set) at a private copy of the cache file made at
 * build time (make-babl-cache.c), instead of the user's: the build tree's
 * when run from there, else the installed ones. */
void   evenlight_cli_gegl_init (const gchar * const *paths,
                                const gchar         *format);
/* gegl_exit(), and removes what babl wrote into that private copy. */
void   evenlight_cli_gegl_exit (void);

#endif /* EVENLIGHT_CLI_WEIGHTS_H */
