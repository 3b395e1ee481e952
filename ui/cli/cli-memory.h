/* `evenlight`'s memory check (cli-memory.c).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_MEMORY_H
#define EVENLIGHT_CLI_MEMORY_H

#include "cli-methods.h"

G_BEGIN_DECLS

/* Refuses, before anything is decoded, to run a whole-image method on the
 * image @input whose working memory would exceed the available memory:
 * such a run would end in swapping or the OOM killer, minutes later. The
 * network method works in bounded memory and always passes. */
gboolean evenlight_cli_check_memory (EvenlightCliMethod method,
                                     const gchar       *input,
                                     GError           **error);

G_END_DECLS

#endif
