/* GEGL's warnings, collected while an image is loaded or saved (see
 * cli-image-private.h).
 *
 * GEGL's loaders and savers report problems only through g_warning(): the
 * CLI collects them while loading and saving and turns them into the
 * error message.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cli-image-private.h"

static GString *captured;

static void
capture_log (const gchar   *domain,
             GLogLevelFlags level,
             const gchar   *message,
             gpointer       user_data)
{
  (void) user_data;
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return;
  /* A loader's complaint is often repeated, and followed by GEGL's own
   * note about the empty result, which means nothing to a user. */
  if (strstr (captured->str, message) != NULL || strstr (message, "Eeek") != NULL)
    return;
  /* Trouble with GEGL's swap file (while saving, the tile cache is kept
   * small) only means the tiles stay in memory: not a failed save. */
  if (domain != NULL && strncmp (domain, "GEGL", 4) == 0
      && strstr (message, "swap") != NULL)
    return;
  if (captured->len > 0)
    g_string_append (captured, "; ");
  g_string_append (captured, message);
}

static GLogFunc previous_handler;

/* GEGL's loaders and savers run one at a time, each with its warnings
 * collected (there is one log handler for the process): batch mode
 * works on several files at once (evenlight-cli.c). Held from
 * evenlight_cli_capture_begin() to evenlight_cli_capture_end(), and
 * while evenlight_cli_has_operation() asks GEGL. */
static GMutex io_lock;

void
evenlight_cli_capture_begin (void)
{
  g_mutex_lock (&io_lock);
  captured = g_string_new (NULL);
  previous_handler = g_log_set_default_handler (capture_log, NULL);
}

/* Returns the collected warnings (NULL if none). */
gchar *
evenlight_cli_capture_end (void)
{
  gchar *text;

  g_log_set_default_handler (previous_handler, NULL);
  text = g_string_free (captured, captured->len == 0);
  captured = NULL;
  g_mutex_unlock (&io_lock);
  return text;
}

gboolean
evenlight_cli_has_operation (const gchar *op)
{
  gboolean has;

  g_mutex_lock (&io_lock);
  has = gegl_has_operation (op);
  g_mutex_unlock (&io_lock);
  return has;
}
