/* evenlight — GIMP 2.10 plug-in: where the weights and translations are.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A system install (meson install) puts the weights into the data directory
 * the core knows (evenlight_default_weights_path) and the translations into
 * LOCALEDIR. A per-user install (plugin/install-user.sh) puts everything
 * into the plug-in's own folder, ~/.config/GIMP/2.10/plug-ins/evenlight/:
 * the executable, evenlight-v1.bin, evenlight-dequant-v3.bin and locale/.
 * Both work without any
 * configuration; $EVENLIGHT_WEIGHTS overrides the weights file,
 * $EVENLIGHT_DEQUANT_WEIGHTS the dequantization weights.
 */
#ifndef EVENLIGHT_PLUGIN_PATHS_H
#define EVENLIGHT_PLUGIN_PATHS_H

#include "dequant.h"
#include "evenlight.h"

/* The name of the weights file next to the plug-in executable. */
#define EVENLIGHT_WEIGHTS_BASENAME "evenlight-v1.bin"

/* The folder of the running plug-in executable (newly allocated), or NULL
 * if it cannot be found. */
gchar          *evenlight_plugin_get_dir        (void);

/* The translations folder: locale/ next to the executable if there is one
 * (per-user install), else LOCALEDIR. Newly allocated. */
gchar          *evenlight_plugin_get_localedir  (void);

/* The weights file to use: $EVENLIGHT_WEIGHTS if set; else the installed
 * file if it exists; else evenlight-v1.bin next to the executable if it
 * exists; else NULL, with an error that names every place searched. */
gchar          *evenlight_plugin_find_weights   (GError **error);

/* Finds and loads the weights; every error names the file. */
EvenlightModel *evenlight_plugin_load_model     (GError **error);

/* The same for the dequantization network of Even Light for Dark Photos
 * (EVENLIGHT_DEQUANT_FILE): $EVENLIGHT_DEQUANT_WEIGHTS if set, else the
 * installed file, else the one next to the executable; NULL with an error
 * naming every place searched. */
gchar            *evenlight_plugin_find_dequant_weights (GError **error);

/* Finds and loads the dequantization weights; every error names the file. */
EvenlightDequant *evenlight_plugin_load_dequant         (GError **error);

#endif /* EVENLIGHT_PLUGIN_PATHS_H */
