/* What an input file is, before GEGL decodes it (see cli-image-private.h):
 * readable and not empty, its format by its first bytes (or its name), the
 * GEGL modules it needs, and for a PNG or JPEG whether it reaches its end.
 *
 * gegl:load answers a missing file with a picture of an error message. So
 * the input is opened first to report unreadable files properly, and the
 * loader is chosen from the file's first bytes.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gegl-plugin.h>   /* gegl_operation_handlers_get_loader */

#include "cli-image-private.h"
#include "evenlight.h"

/* ---- Readable ------------------------------------------------------------- */

gboolean
evenlight_cli_read_head (const gchar *path,
                         guint8      *head,
                         gsize       *n,
                         GError     **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  GStatBuf st;
  gssize got;
  int fd;

  fd = g_open (path, O_RDONLY, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: %s", display,
                   g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      close (fd);
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: it is a directory", display);
      return FALSE;
    }
  do
    got = read (fd, head, *n);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: %s", display,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  *n = got;
  return TRUE;
}

gboolean
evenlight_cli_image_check (const gchar *path,
                           GError     **error)
{
  guint8 head[1];
  gsize n = sizeof head;

  if (!evenlight_cli_read_head (path, head, &n, error))
    return FALSE;
  if (n == 0)
    {
      g_autofree gchar *display = g_filename_display_name (path);

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: the file is empty", display);
      return FALSE;
    }
  return TRUE;
}

/* ---- The format ------------------------------------------------------------- */

/* The loader of a file by its first bytes, or NULL. */
static const gchar *
loader_by_magic (const guint8 *head,
                 gsize         n)
{
  static const struct { const gchar *magic; gsize len; gsize at; const gchar *op; } table[] = {
    { "\x89PNG\r\n\x1a\n", 8, 0, "gegl:png-load" },
    { "\xff\xd8\xff",       3, 0, "gegl:jpg-load" },
    { "II*\0",              4, 0, "gegl:tiff-load" },
    { "MM\0*",              4, 0, "gegl:tiff-load" },
    { "WEBP",               4, 8, "gegl:webp-load" },
    { "v/1\x01",            4, 0, "gegl:exr-load" },
    { "P5",                 2, 0, "gegl:ppm-load" },
    { "P6",                 2, 0, "gegl:ppm-load" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (n >= table[i].at + table[i].len
        && memcmp (head + table[i].at, table[i].magic, table[i].len) == 0)
      return table[i].op;
  return NULL;
}

/* The loader for a file's first bytes; NULL lets gegl:load decide. */
static const gchar *
loader_for_content (const guint8 *head,
                    gsize         n)
{
  const gchar *op = loader_by_magic (head, n);

  return op != NULL && gegl_has_operation (op) ? op : NULL;
}

/* Whether gegl:load has a loader of its own for @path's extension. Without
 * one it hands the file to ImageMagick's convert (gegl:magick-load), which,
 * given bytes that are no image, can spin for minutes. Call between
 * evenlight_cli_capture_begin() and evenlight_cli_capture_end(): GEGL warns
 * when it falls back. */
static gboolean
loader_for_name (const gchar *path)
{
  const gchar *base = strrchr (path, G_DIR_SEPARATOR);
  const gchar *dot = strrchr (base != NULL ? base : path, '.');
  g_autofree gchar *ext = dot != NULL ? g_ascii_strdown (dot, -1) : NULL;
  const gchar *op = ext != NULL ? gegl_operation_handlers_get_loader (ext) : NULL;

  return op != NULL && strcmp (op, "gegl:magick-load") != 0;
}

/* The loader for @path whose first bytes are @head in @op (NULL: gegl:load
 * picks it by the extension), or an error when neither the bytes nor the
 * name point to a format evenlight reads. Between
 * evenlight_cli_capture_begin() and evenlight_cli_capture_end(). */
gboolean
evenlight_cli_pick_loader (const gchar   *path,
                           const guint8  *head,
                           gsize          n,
                           const gchar  **op,
                           GError       **error)
{
  g_autofree gchar *display = NULL;

  *op = loader_for_content (head, n);
  if (*op != NULL || loader_for_name (path))
    return TRUE;
  display = g_filename_display_name (path);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
               "Cannot read input image “%s”: not an image in a format "
               "evenlight reads (PNG, JPEG, TIFF, WebP, OpenEXR, PPM/PGM)",
               display);
  return FALSE;
}

/* The folder of GEGL modules (ui/cli/meson.build) that holds @op,
 * "gegl:FORMAT-load" or "gegl:FORMAT-save": FORMAT, or NULL. */
static gchar *
group_of (const gchar *op)
{
  const gchar *dash = op != NULL ? strrchr (op, '-') : NULL;

  if (dash == NULL || !g_str_has_prefix (op, "gegl:"))
    return NULL;
  return g_strndup (op + 5, dash - (op + 5));
}

gchar *
evenlight_cli_format_group (const gchar *path,
                            gboolean    *known)
{
  guint8 head[16];
  gssize n = -1;
  int fd = g_open (path, O_RDONLY | O_NONBLOCK, 0);
  GStatBuf st;
  const gchar *by_magic = NULL, *by_name = evenlight_cli_saver_for_path (path);
  g_autofree gchar *a = NULL, *b = NULL;

  /* Only regular files are read (a FIFO is left to the loader). */
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    n = read (fd, head, sizeof head);
  if (fd >= 0)
    close (fd);
  if (n > 0)
    by_magic = loader_by_magic (head, n);
  a = group_of (by_magic);
  b = group_of (by_name);
  *known = by_magic != NULL || (n <= 0 && by_name != NULL);
  if (a != NULL && b != NULL && strcmp (a, b) != 0)
    return g_strdup_printf ("%s%c%s", a, G_SEARCHPATH_SEPARATOR, b);
  return a != NULL ? g_steal_pointer (&a) : g_steal_pointer (&b);
}

/* ---- Incomplete files ------------------------------------------------------ */

/* libpng and libjpeg decode a file that stops early without failing: they
 * print a warning on stderr (not through GLib, so it cannot be collected)
 * and deliver the missing rows as grey or black. GEGL then hands over an
 * image of the full size, and a 30000 × 20000 PNG cut after its header is
 * "decoded" for minutes. So a PNG or JPEG is first checked to reach its
 * end marker, by walking its chunk or segment structure, which reads only
 * the chunk headers of a PNG and the mapped bytes of a JPEG. */

static guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16)
         | ((guint32) p[2] << 8) | p[3];
}

/* TRUE when the chunks of the PNG open as @fd, of @size bytes, reach the
 * IEND chunk within the file. */
static gboolean
png_is_complete (int    fd,
                 gint64 size)
{
  gint64 pos = 8;   /* after the signature */

  while (pos + 8 <= size)
    {
      guint8 header[8];
      guint32 length;

      if (pread (fd, header, sizeof header, pos) != (gssize) sizeof header)
        return FALSE;
      length = get_be32 (header);
      if (memcmp (header + 4, "IEND", 4) == 0)
        return TRUE;
      if (length > 0x7fffffffu)   /* the PNG limit: the file is damaged */
        return FALSE;
      pos += 12 + (gint64) length;   /* length, type, data, CRC */
    }
  return FALSE;
}

/* TRUE when the JPEG @data of @size bytes reaches its end-of-image marker
 * (FF D9) through its segments and entropy-coded scans. Bytes after the
 * marker (some cameras append data) do not matter. */
static gboolean
jpeg_is_complete (const guint8 *data,
                  gsize         size)
{
  gsize pos = 2;   /* after start-of-image, FF D8 */

  while (pos + 1 < size)
    {
      guint8 m;
      gsize length;

      if (data[pos] != 0xff)
        {
          /* Not a marker where one should be: skip to the next one, as
           * libjpeg does. */
          pos++;
          continue;
        }
      m = data[pos + 1];
      if (m == 0xff)   /* fill byte */
        {
          pos++;
          continue;
        }
      if (m == 0xd9)
        return TRUE;
      if (m == 0x01 || (m >= 0xd0 && m <= 0xd8) || m == 0x00)
        {
          pos += 2;    /* markers without a length */
          continue;
        }
      if (pos + 4 > size)
        return FALSE;
      length = ((gsize) data[pos + 2] << 8) | data[pos + 3];
      pos += 2 + length;
      if (pos > size)
        return FALSE;
      if (m == 0xda)
        {
          /* Entropy-coded data: FF 00 is a data byte, FF D0–D7 a restart
           * marker; any other FF xx ends the scan. */
          while (pos + 1 < size
                 && !(data[pos] == 0xff && data[pos + 1] != 0x00
                      && !(data[pos + 1] >= 0xd0 && data[pos + 1] <= 0xd7)))
            pos++;
        }
    }
  return FALSE;
}

/* Fails, naming the file, when @path is a PNG or JPEG (by @head, its
 * first @n bytes) that stops before its end. Other formats are left to
 * their loaders, which report a short file themselves. */
gboolean
evenlight_cli_check_complete (const gchar  *path,
                              const guint8 *head,
                              gsize         n,
                              GError      **error)
{
  gboolean png = n >= 8 && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0;
  gboolean jpeg = n >= 3 && memcmp (head, "\xff\xd8\xff", 3) == 0;
  gboolean complete = TRUE;
  g_autofree gchar *display = NULL;

  if (png)
    {
      GStatBuf st;
      int fd = g_open (path, O_RDONLY, 0);

      if (fd < 0)
        return TRUE;   /* the loader reports it */
      complete = fstat (fd, &st) == 0 && png_is_complete (fd, st.st_size);
      close (fd);
    }
  else if (jpeg)
    {
      GMappedFile *file = g_mapped_file_new (path, FALSE, NULL);

      if (file == NULL)
        return TRUE;
      complete = jpeg_is_complete ((const guint8 *) g_mapped_file_get_contents (file),
                                   g_mapped_file_get_length (file));
      g_mapped_file_unref (file);
    }
  if (complete)
    return TRUE;
  display = g_filename_display_name (path);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
               "Cannot read input image “%s”: the file is incomplete (its %s "
               "data stops before the end of the image; was the download or "
               "copy interrupted?)", display, png ? "PNG" : "JPEG");
  return FALSE;
}
