/* The weights file (weights/MODEL.md §8): read from disk, with a bound on
 * its size that no valid file exceeds, then parsed (weights.c).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "evenlight.h"
#include "weights.h"
#include "weights-private.h"

/* Reads at most MAX_FILE_SIZE + 1 bytes, so that no file, however large,
 * makes the loader allocate more than a valid file would need. */
static guint8 *
read_bounded (const gchar *path,
              gsize       *length,
              GError     **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  GStatBuf st;
  guint8 *buf;
  gsize cap = MAX_FILE_SIZE + 1, have = 0, size;
  int fd;

  fd = g_open (path, O_RDONLY, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot open weights file “%s”: %s", display,
                   g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      close (fd);
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read weights file “%s”: it is a directory", display);
      return NULL;
    }
  size = (S_ISREG (st.st_mode) && st.st_size >= 0)
         ? MIN ((gsize) st.st_size + 1, cap) : 65536;
  buf = g_malloc (size);
  for (;;)
    {
      gssize n;

      if (have == size)
        {
          if (size == cap)
            break;
          size = MIN (size * 2, cap);
          buf = g_realloc (buf, size);
        }
      n = read (fd, buf + have, size - have);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          g_free (buf);
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                       "Cannot read weights file “%s”: %s", display,
                       g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      have += n;
    }
  close (fd);
  *length = have;
  return buf;
}

EvenlightWeights *
evenlight_weights_load (const gchar  *path,
                        GError      **error)
{
  g_autofree gchar *display = NULL;
  g_autofree guint8 *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = read_bounded (path, &length, error);
  if (data == NULL)
    return NULL;
  display = g_filename_display_name (path);
  if (length > MAX_FILE_SIZE)
    {
      if (memcmp (data, EVENLIGHT_WEIGHTS_MAGIC, MAGIC_LENGTH) != 0)
        g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                     "“%s” is not an evenlight weights file (it does not "
                     "start with “%s”)", display, EVENLIGHT_WEIGHTS_MAGIC);
      else
        g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                     "Weights file “%s” is invalid: it is larger than any "
                     "valid weights file (%" G_GSIZE_FORMAT " bytes at most)",
                     display, (gsize) MAX_FILE_SIZE);
      return NULL;
    }
  return evenlight_weights_parse (data, length, display, error);
}
