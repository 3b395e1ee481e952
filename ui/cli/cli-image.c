/* Image files for the `evenlight` command-line tool (see cli-image.h).
 *
 * GEGL's loaders and savers report problems only through g_warning(), and
 * gegl:load answers a missing file with a picture of an error message. So
 * the input is opened first to report unreadable files properly, the
 * loader is chosen from the file's first bytes, and GEGL's warnings are
 * collected while loading and saving and turned into the error message.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gegl-plugin.h>   /* gegl_operation_get_format */

#include "cli-image.h"
#include "evenlight.h"

/* ---- Collecting GEGL's warnings ------------------------------------------ */

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
 * capture_begin() to capture_end(). */
static GMutex io_lock;

static void
capture_begin (void)
{
  g_mutex_lock (&io_lock);
  captured = g_string_new (NULL);
  previous_handler = g_log_set_default_handler (capture_log, NULL);
}

/* Returns the collected warnings (NULL if none). */
static gchar *
capture_end (void)
{
  gchar *text;

  g_log_set_default_handler (previous_handler, NULL);
  text = g_string_free (captured, captured->len == 0);
  captured = NULL;
  g_mutex_unlock (&io_lock);
  return text;
}

/* ---- Loading -------------------------------------------------------------- */

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
 * capture_begin() and capture_end(): GEGL warns when it falls back. */
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
 * name point to a format evenlight reads. Between capture_begin() and
 * capture_end(). */
static gboolean
pick_loader (const gchar   *path,
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

/* Opens @path to report a missing or unreadable file in plain words, and
 * reads its first bytes. */
static gboolean
read_head (const gchar *path,
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

/* ---- Incomplete files -------------------------------------------------------- */

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
static gboolean
check_complete (const gchar  *path,
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

static gint own_bytes (const Babl *format);

static gboolean
model_is_gray (const Babl *format)
{
  const gchar *model = babl_get_name (babl_format_get_model (format));

  /* Y, Y', Y~, YA, Y'A, YaA, ... */
  return model[0] == 'Y';
}

gboolean
evenlight_cli_image_check (const gchar *path,
                           GError     **error)
{
  guint8 head[1];
  gsize n = sizeof head;

  if (!read_head (path, head, &n, error))
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

gboolean
evenlight_cli_image_load (const gchar       *path,
                          EvenlightCliImage *image,
                          GError           **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  g_autofree gchar *warnings = NULL;
  guint8 head[16];
  gsize n = sizeof head;
  const gchar *op;
  GeglNode *graph, *load, *sink;
  GeglBuffer *buffer = NULL;
  const Babl *format;

  memset (image, 0, sizeof *image);
  if (!read_head (path, head, &n, error))
    return FALSE;
  if (n == 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: the file is empty", display);
      return FALSE;
    }
  if (!check_complete (path, head, n, error))
    return FALSE;
  capture_begin ();
  if (!pick_loader (path, head, n, &op, error))
    {
      g_free (capture_end ());
      return FALSE;
    }
  graph = gegl_node_new ();
  load = gegl_node_new_child (graph, "operation", op ? op : "gegl:load",
                              "path", path, NULL);
  sink = gegl_node_new_child (graph, "operation", "gegl:buffer-sink",
                              "buffer", &buffer, NULL);
  gegl_node_link (load, sink);
  gegl_node_process (sink);
  g_object_unref (graph);
  warnings = capture_end ();

  if (buffer == NULL || gegl_buffer_get_extent (buffer)->width <= 0
      || gegl_buffer_get_extent (buffer)->height <= 0)
    {
      g_clear_object (&buffer);
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: %s", display,
                   warnings ? warnings
                            : "not an image in a format this program reads");
      return FALSE;
    }

  format = gegl_buffer_get_format (buffer);
  image->buffer = buffer;
  image->extent = *gegl_buffer_get_extent (buffer);
  image->has_alpha = babl_format_has_alpha (format);
  image->gray = model_is_gray (format);
  image->type = babl_get_name (babl_format_get_type (format, 0));
  image->rgb_float = babl_format_with_space ("R'G'B' float", format);
  image->rgba_float = babl_format_with_space ("R'G'B'A float", format);
  image->y_float = babl_format_with_space ("Y' float", format);
  image->ya_float = babl_format_with_space ("Y'A float", format);
  image->own_bytes = own_bytes (format);
  return TRUE;
}

gboolean
evenlight_cli_image_probe (const gchar *path,
                           gint        *width,
                           gint        *height,
                           gint        *bytes_per_pixel,
                           GError     **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  g_autofree gchar *warnings = NULL;
  guint8 head[16];
  gsize n = sizeof head;
  const gchar *op;
  GeglNode *graph, *load;
  GeglRectangle box;
  const Babl *format = NULL;

  if (!read_head (path, head, &n, error))
    return FALSE;
  capture_begin ();
  if (!pick_loader (path, head, n, &op, error))
    {
      g_free (capture_end ());
      return FALSE;
    }
  graph = gegl_node_new ();
  load = gegl_node_new_child (graph, "operation", op ? op : "gegl:load",
                              "path", path, NULL);
  /* The loaders read only the file's header for this. */
  box = gegl_node_get_bounding_box (load);
  if (gegl_node_get_gegl_operation (load) != NULL)
    format = gegl_operation_get_format (gegl_node_get_gegl_operation (load),
                                        "output");
  g_object_unref (graph);
  warnings = capture_end ();
  if (box.width <= 0 || box.height <= 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot read input image “%s”: %s", display,
                   warnings ? warnings
                            : "not an image in a format this program reads");
      return FALSE;
    }
  *width = box.width;
  *height = box.height;
  /* Unknown before decoding: assume the largest common one, float RGBA. */
  *bytes_per_pixel = format ? babl_format_get_bytes_per_pixel (format) : 16;
  return TRUE;
}

void
evenlight_cli_image_clear (EvenlightCliImage *image)
{
  g_clear_object (&image->buffer);
}

/* ---- Pixels ---------------------------------------------------------------- */

/* Whether the CLI converts @format's pixels to and from float itself (see
 * own_bytes in cli-image.h): the bytes of its components, or 0. */
static gint
own_bytes (const Babl *format)
{
  static const gchar *const models[] = { "R'G'B'", "R'G'B'A", "Y'", "Y'A" };
  const gchar *model = babl_get_name (babl_format_get_model (format));
  const Babl *type = babl_format_get_type (format, 0);
  gint n = babl_format_get_n_components (format);
  gboolean known = FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    known = known || strcmp (model, models[i]) == 0;
  if (!known || babl_format_is_palette (format))
    return 0;
  for (gint c = 1; c < n; c++)
    if (babl_format_get_type (format, c) != type)
      return 0;
  if (type == babl_type ("u8"))
    return 1;
  if (type == babl_type ("u16"))
    return 2;
  return 0;
}

/* @v in [0, 1] to an integer in [0, @max], to the nearest with ties
 * rounded up, as babl's conversions do (the results are the same bits as
 * babl's on every format the tests use); NaN gives 0. */
static inline guint32
to_int (gfloat v,
        gfloat max)
{
  gfloat s = v * max;

  if (!(s > 0.0f))
    return 0;
  if (s > max)
    return (guint32) max;
  return (guint32) (s + 0.5f);
}

/* @n u8 (@bytes 1) or u16 (2) values of @raw to float in [0, 1]. */
static void
int_to_float (gconstpointer raw,
              gint          bytes,
              gfloat       *out,
              gsize         n)
{
  if (bytes == 1)
    {
      const guint8 *p = raw;
      gfloat lut[256];

      for (gint v = 0; v < 256; v++)
        lut[v] = (gfloat) v / 255.0f;
      for (gsize i = 0; i < n; i++)
        out[i] = lut[p[i]];
    }
  else
    {
      const guint16 *p = raw;

      for (gsize i = 0; i < n; i++)
        out[i] = (gfloat) p[i] / 65535.0f;
    }
}

/* The reverse: @n floats to u8 (@bytes 1) or u16 (2) in @raw. */
static void
float_to_int (const gfloat *in,
              gint          bytes,
              gpointer      raw,
              gsize         n)
{
  if (bytes == 1)
    for (gsize i = 0; i < n; i++)
      ((guint8 *) raw)[i] = (guint8) to_int (in[i], 255.0f);
  else
    for (gsize i = 0; i < n; i++)
      ((guint16 *) raw)[i] = (guint16) to_int (in[i], 65535.0f);
}

/* gegl_buffer_get() of @r from @buffer (of @image's format) as @wanted, a
 * float format of the same components and space, packed. */
static void
get_float (const EvenlightCliImage *image,
           GeglBuffer              *buffer,
           const GeglRectangle     *r,
           const Babl              *wanted,
           gfloat                  *out,
           GeglAbyssPolicy          abyss)
{
  gsize n = (gsize) r->width * r->height * babl_format_get_n_components (wanted);
  gpointer raw;

  if (image->own_bytes == 0)
    {
      gegl_buffer_get (buffer, r, 1.0, wanted, out, GEGL_AUTO_ROWSTRIDE, abyss);
      return;
    }
  raw = g_malloc (n * image->own_bytes);
  gegl_buffer_get (buffer, r, 1.0, gegl_buffer_get_format (buffer), raw,
                   GEGL_AUTO_ROWSTRIDE, abyss);
  int_to_float (raw, image->own_bytes, out, n);
  g_free (raw);
}

/* gegl_buffer_set() of packed @in, in the float format @format (of the
 * same components and space as @image's), into @r of @buffer. */
static void
set_float (const EvenlightCliImage *image,
           GeglBuffer              *buffer,
           const GeglRectangle     *r,
           const Babl              *format,
           const gfloat            *in)
{
  gsize n = (gsize) r->width * r->height * babl_format_get_n_components (format);
  gpointer raw;

  if (image->own_bytes == 0)
    {
      gegl_buffer_set (buffer, r, 0, format, in, GEGL_AUTO_ROWSTRIDE);
      return;
    }
  raw = g_malloc (n * image->own_bytes);
  float_to_int (in, image->own_bytes, raw, n);
  gegl_buffer_set (buffer, r, 0, gegl_buffer_get_format (buffer), raw,
                   GEGL_AUTO_ROWSTRIDE);
  g_free (raw);
}

void
evenlight_cli_image_read_rgb (const EvenlightCliImage *image,
                              gint x, gint y, gint width, gint height,
                              gfloat                  *rgb)
{
  GeglRectangle r = { image->extent.x + x, image->extent.y + y, width, height };
  gsize n = (gsize) width * height;
  gint channels;
  gfloat *px;

  if (!image->gray && !image->has_alpha)
    {
      get_float (image, image->buffer, &r, image->rgb_float, rgb, GEGL_ABYSS_CLAMP);
      return;
    }
  /* Gray and alpha images are read in their own layout and expanded here,
   * as the plug-in does: in the colour space of a PNG with a gAMA chunk,
   * babl's conversion of R'G'B'A u8 to R'G'B' float is not exact and moves
   * the darkest levels by up to 0.4/255 (measured), which the gain of a
   * very dark photo turns into visible differences from the plug-in's
   * result (up to 29/255 after LAIC). */
  channels = image->gray ? 1 + image->has_alpha : 4;
  px = g_new (gfloat, n * channels);
  get_float (image, image->buffer, &r,
             image->gray ? (image->has_alpha ? image->ya_float : image->y_float)
                         : image->rgba_float,
             px, GEGL_ABYSS_CLAMP);
  for (gsize i = 0; i < n; i++)
    {
      const gfloat *s = px + channels * i;

      rgb[3 * i] = s[0];
      rgb[3 * i + 1] = image->gray ? s[0] : s[1];
      rgb[3 * i + 2] = image->gray ? s[0] : s[2];
    }
  g_free (px);
}

void
evenlight_cli_image_write_rgb (const EvenlightCliImage *image,
                               GeglBuffer              *target,
                               gint x, gint y, gint width, gint height,
                               const gfloat            *rgb,
                               gfloat                 **scratch,
                               gsize                   *scratch_size)
{
  GeglRectangle r = { image->extent.x + x, image->extent.y + y, width, height };
  gsize n = (gsize) width * height;
  gint channels;
  const Babl *format;
  gfloat *px;

  if (!image->gray && !image->has_alpha)
    {
      set_float (image, target, &r, image->rgb_float, rgb);
      return;
    }

  /* Alpha is read back from the target (the input's buffer) and written
   * again unchanged: float holds every 8-, 16- and 32-bit value exactly. */
  channels = image->gray ? 1 + image->has_alpha : 4;
  format = image->gray ? (image->has_alpha ? image->ya_float : image->y_float)
                       : image->rgba_float;
  if (*scratch_size < n * channels)
    {
      g_free (*scratch);
      *scratch_size = n * channels;
      *scratch = g_new (gfloat, *scratch_size);
    }
  px = *scratch;
  if (image->has_alpha)
    get_float (image, target, &r, format, px, GEGL_ABYSS_NONE);
  for (gsize i = 0; i < n; i++)
    {
      const gfloat *s = rgb + 3 * i;
      gfloat *d = px + channels * i;

      if (image->gray)
        d[0] = (s[0] + s[1] + s[2]) * (1.0f / 3.0f);
      else
        {
          d[0] = s[0];
          d[1] = s[1];
          d[2] = s[2];
        }
    }
  set_float (image, target, &r, format, px);
}

/* ---- Saving ----------------------------------------------------------------- */

/* GEGL's tile cache while saving, in bytes. */
#define SAVE_TILE_CACHE (16 << 20)

struct _EvenlightCliOutput
{
  gchar       *path;
  gchar       *temp;
  const gchar *saver;
  gint         slot;   /* in volatile_temp, or -1 */
};

/* The temporary files are removed if the program is interrupted. Only
 * fixed buffers and unlink() are used in the handler: both are safe
 * there. One slot per output in progress (batch mode writes several at
 * once). */
#define TEMP_SLOTS 64
static char volatile_temp[TEMP_SLOTS][PATH_MAX];
static volatile sig_atomic_t have_temp[TEMP_SLOTS];
static GMutex temp_lock;

static void
on_fatal_signal (int sig)
{
  for (gint i = 0; i < TEMP_SLOTS; i++)
    if (have_temp[i])
      unlink (volatile_temp[i]);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* The slot @temp is kept in, or -1 if none is free. */
static gint
temp_register (const gchar *temp)
{
  static gboolean installed;
  gint slot = -1;

  g_mutex_lock (&temp_lock);
  for (gint i = 0; i < TEMP_SLOTS && slot < 0; i++)
    if (!have_temp[i] && strlen (temp) < sizeof volatile_temp[i])
      {
        strcpy (volatile_temp[i], temp);
        have_temp[i] = 1;
        slot = i;
      }
  if (!installed)
    {
      signal (SIGINT, on_fatal_signal);
      signal (SIGTERM, on_fatal_signal);
      signal (SIGHUP, on_fatal_signal);
      installed = TRUE;
    }
  g_mutex_unlock (&temp_lock);
  return slot;
}

static void
temp_forget (EvenlightCliOutput *output)
{
  if (output->slot >= 0)
    have_temp[output->slot] = 0;
  output->slot = -1;
}

/* The formats the CLI writes, by extension. */
static const struct { const gchar *ext; const gchar *op; } savers[] = {
    { ".png", "gegl:png-save" },
    { ".jpg", "gegl:jpg-save" },
    { ".jpeg", "gegl:jpg-save" },
    { ".tif", "gegl:tiff-save" },
    { ".tiff", "gegl:tiff-save" },
    { ".webp", "gegl:webp-save" },
    { ".exr", "gegl:exr-save" },
    { ".ppm", "gegl:ppm-save" },
    { ".pnm", "gegl:ppm-save" },
};

static const gchar *
saver_for_path (const gchar *path)
{
  const gchar *dot = strrchr (path, '.');

  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (savers); i++)
    if (g_ascii_strcasecmp (dot, savers[i].ext) == 0)
      return savers[i].op;
  return NULL;
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
  const gchar *by_magic = NULL, *by_name = saver_for_path (path);
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

gboolean
evenlight_cli_output_known (const gchar *path)
{
  return saver_for_path (path) != NULL;
}

gchar *
evenlight_cli_output_formats (void)
{
  GString *list = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (savers); i++)
    g_string_append_printf (list, "%s%s", i ? ", " : "", savers[i].ext + 1);
  return g_string_free (list, FALSE);
}

gboolean
evenlight_cli_same_file (const gchar *a,
                         const gchar *b)
{
  GStatBuf sa, sb;

  if (g_stat (a, &sa) != 0 || g_stat (b, &sb) != 0)
    return FALSE;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

EvenlightCliOutput *
evenlight_cli_output_begin (const gchar  *path,
                            const gchar  *input_path,
                            GError      **error)
{
  g_autofree gchar *display = g_filename_display_name (path);
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_autofree gchar *base = g_path_get_basename (path);
  g_autofree gchar *temp = NULL;
  const gchar *saver, *ext;
  EvenlightCliOutput *output;
  int fd;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: it is a directory", display);
      return NULL;
    }
  saver = saver_for_path (path);
  if (saver == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "Cannot write “%s”: unknown output format (the file name "
                   "must end in .png, .jpg, .jpeg, .tif, .tiff, .webp, .exr, "
                   ".ppm or .pnm)", display);
      return NULL;
    }
  if (evenlight_cli_same_file (path, input_path))
    {
      /* Replacing the original is refused: it would be lost for good if
       * the result is not what the user wanted. */
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "The output “%s” is the input file; choose another output "
                   "name (the original is never overwritten)", display);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, W_OK) != 0)
    {
      int saved = errno;

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: %s", display, g_strerror (saved));
      return NULL;
    }

  /* Same directory, so the final rename is atomic; same extension, for
   * any saver that looks at it. */
  ext = strrchr (base, '.');
  temp = g_strdup_printf ("%s%c.%.*s.XXXXXX%s", dir, G_DIR_SEPARATOR,
                          (int) (ext - base), base, ext);
  fd = g_mkstemp_full (temp, O_RDWR, 0666);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree gchar *ddir = g_filename_display_name (dir);

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: cannot create a file in “%s”: %s",
                   display, ddir, g_strerror (saved));
      return NULL;
    }
  close (fd);

  output = g_new0 (EvenlightCliOutput, 1);
  output->slot = temp_register (temp);
  output->path = g_strdup (path);
  output->temp = g_steal_pointer (&temp);
  output->saver = saver;
  return output;
}

gboolean
evenlight_cli_output_ready (const EvenlightCliOutput *output,
                            GError                  **error)
{
  g_autofree gchar *display = NULL;
  gboolean has;

  g_mutex_lock (&io_lock);
  has = gegl_has_operation (output->saver);
  g_mutex_unlock (&io_lock);
  if (has)
    return TRUE;
  display = g_filename_display_name (output->path);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
               "Cannot write “%s”: this GEGL cannot save that format "
               "(%s is missing)", display, output->saver);
  return FALSE;
}

void
evenlight_cli_output_abort (EvenlightCliOutput *output)
{
  if (output == NULL)
    return;
  temp_forget (output);
  g_unlink (output->temp);
  g_free (output->temp);
  g_free (output->path);
  g_free (output);
}

/* Sets the saver's bit depth from the image's: 8-bit stays 8-bit, deeper
 * images get the most the format holds. */
static void
configure_saver (GeglNode                *save,
                 const gchar             *saver,
                 const EvenlightCliImage *image)
{
  gboolean eight = g_strcmp0 (image->type, "u8") == 0;

  if (strcmp (saver, "gegl:png-save") == 0 || strcmp (saver, "gegl:ppm-save") == 0)
    gegl_node_set (save, "bitdepth", eight ? 8 : 16, NULL);
  else if (strcmp (saver, "gegl:jpg-save") == 0)
    gegl_node_set (save, "quality", 95, "grayscale", image->gray, NULL);
  else if (strcmp (saver, "gegl:webp-save") == 0)
    gegl_node_set (save, "quality", 95, NULL);
}

gboolean
evenlight_cli_output_commit (EvenlightCliOutput      *output,
                             const EvenlightCliImage *image,
                             GeglBuffer              *buffer,
                             GError                 **error)
{
  g_autofree gchar *display = g_filename_display_name (output->path);
  g_autofree gchar *warnings = NULL;
  GeglNode *graph, *source, *save;
  guint64 cache_size = 0;
  GStatBuf st;

  /* Savers such as gegl:tiff-save and gegl:jpg-save copy the whole image
   * into memory of their own: meanwhile, GEGL may move the buffer's tiles
   * to its swap file instead of holding both in memory. */
  g_object_get (gegl_config (), "tile-cache-size", &cache_size, NULL);
  g_object_set (gegl_config (), "tile-cache-size", (guint64) SAVE_TILE_CACHE, NULL);
  capture_begin ();
  graph = gegl_node_new ();
  source = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                "buffer", buffer, NULL);
  save = gegl_node_new_child (graph, "operation", output->saver,
                              "path", output->temp, NULL);
  configure_saver (save, output->saver, image);
  gegl_node_link (source, save);
  gegl_node_process (save);
  g_object_unref (graph);
  /* Back to the usual size, so that the tiles still queued for GEGL's swap
   * file need not be written before the buffer is freed. */
  g_object_set (gegl_config (), "tile-cache-size", cache_size, NULL);
  warnings = capture_end ();

  if (warnings != NULL || g_stat (output->temp, &st) != 0 || st.st_size == 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: %s", display,
                   warnings ? warnings : "the image could not be saved");
      evenlight_cli_output_abort (output);
      return FALSE;
    }
  if (g_rename (output->temp, output->path) != 0)
    {
      int saved = errno;

      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Cannot write “%s”: %s", display, g_strerror (saved));
      evenlight_cli_output_abort (output);
      return FALSE;
    }
  temp_forget (output);
  g_free (output->temp);
  g_free (output->path);
  g_free (output);
  return TRUE;
}
