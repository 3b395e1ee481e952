/* `evenlight --output-dir DIR INPUT…`: the output file of each input.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_BATCH_H
#define EVENLIGHT_CLI_BATCH_H

#include <glib.h>

typedef struct _EvenlightCliBatch EvenlightCliBatch;

/* Whether @format ("png", ".jpg", ...) is an extension the CLI writes;
 * otherwise *@message says which are. */
gboolean           evenlight_cli_batch_format_ok (const gchar  *format,
                                                  gchar       **message);

/* The batch of @inputs into @dir: each output is DIR/<the input's name>,
 * with the extension @format when not NULL. Creates @dir if needed (an
 * error then shows for every file). */
EvenlightCliBatch *evenlight_cli_batch_new    (const gchar * const *inputs,
                                               const gchar         *dir,
                                               const gchar         *format);
gint               evenlight_cli_batch_size   (const EvenlightCliBatch *batch);
const gchar       *evenlight_cli_batch_input  (const EvenlightCliBatch *batch,
                                               gint                     i);
/* The output of input @i, or NULL with an error when it must not be
 * written: it would overwrite one of the inputs (or be one), or another
 * input of the batch has the same output, or @dir cannot be made. */
const gchar       *evenlight_cli_batch_output (const EvenlightCliBatch *batch,
                                               gint                     i,
                                               GError                 **error);
void               evenlight_cli_batch_free   (EvenlightCliBatch *batch);

#endif /* EVENLIGHT_CLI_BATCH_H */
