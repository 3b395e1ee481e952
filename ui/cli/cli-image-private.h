/* What the image-file sources of `evenlight` share among themselves, not
 * with the rest of the program (whose header is cli-image.h):
 *
 *   cli-warnings.c  GEGL's warnings collected while loading and saving
 *   cli-sniff.c     what a file is: readable, its format, complete
 *   cli-load.c      loading with GEGL, and the size from the header only
 *   cli-pixels.c    pixels in and out as packed R'G'B' float
 *   cli-save.c      the output file: checks, atomic save
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_IMAGE_PRIVATE_H
#define EVENLIGHT_CLI_IMAGE_PRIVATE_H

#include "cli-image.h"

G_BEGIN_DECLS

/* cli-warnings.c: GEGL's warnings are collected from
 * evenlight_cli_capture_begin() to evenlight_cli_capture_end(), which
 * returns them joined by "; " (NULL if none); one loader or saver runs at
 * a time. evenlight_cli_has_operation() asks GEGL for @op under the same
 * lock. */
void         evenlight_cli_capture_begin  (void);
gchar       *evenlight_cli_capture_end    (void);
gboolean     evenlight_cli_has_operation  (const gchar *op);

/* cli-sniff.c */
/* Opens @path, reporting a missing or unreadable file or a directory in
 * plain words, and reads its first *@n bytes into @head (*@n: how many
 * were read). */
gboolean     evenlight_cli_read_head      (const gchar   *path,
                                           guint8        *head,
                                           gsize         *n,
                                           GError       **error);
/* Fails, naming the file, when @path is a PNG or JPEG (by @head, its
 * first @n bytes) that stops before its end. */
gboolean     evenlight_cli_check_complete (const gchar   *path,
                                           const guint8  *head,
                                           gsize          n,
                                           GError       **error);
/* The loader for @path whose first bytes are @head in *@op (NULL: gegl:load
 * picks it by the extension), or an error when neither the bytes nor the
 * name point to a format evenlight reads. Between
 * evenlight_cli_capture_begin() and evenlight_cli_capture_end(). */
gboolean     evenlight_cli_pick_loader    (const gchar   *path,
                                           const guint8  *head,
                                           gsize          n,
                                           const gchar  **op,
                                           GError       **error);

/* cli-pixels.c: whether the CLI converts @format's pixels to and from
 * float itself (see own_bytes in cli-image.h): the bytes of its
 * components, or 0. */
gint         evenlight_cli_own_bytes      (const Babl *format);

/* cli-save.c: the GEGL saver for @path's extension, or NULL. */
const gchar *evenlight_cli_saver_for_path (const gchar *path);

G_END_DECLS

#endif
