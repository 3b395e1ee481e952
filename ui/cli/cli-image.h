/* Image files for the `evenlight` command-line tool: loading and saving
 * with GEGL, safe replacement of the output file, and pixel access in the
 * packed R'G'B' float layout the core works with. Made in cli-sniff.c,
 * cli-load.c, cli-pixels.c, cli-save.c and cli-warnings.c (their shared
 * pieces: cli-image-private.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_IMAGE_H
#define EVENLIGHT_CLI_IMAGE_H

#include <gegl.h>

G_BEGIN_DECLS

/* A loaded image. @buffer keeps the file's own pixel format (bit depth,
 * alpha, gray or colour, colour space). */
typedef struct
{
  GeglBuffer   *buffer;
  GeglRectangle extent;
  gboolean      has_alpha;
  gboolean      gray;
  const gchar  *type;        /* babl component type: "u8", "u16", "float", ... */
  /* R'G'B' float and R'G'B'A / Y' / Y'A float in the image's colour space,
   * so that reading and writing never converts between spaces. */
  const Babl   *rgb_float;
  const Babl   *rgba_float;
  const Babl   *y_float;
  const Babl   *ya_float;
  /* 1 or 2 when the buffer holds R'G'B'(A) or Y'(A) in u8 or u16: the
   * CLI then converts between that and float itself (a scale, the same
   * in every colour space) instead of asking babl, whose first use of a
   * conversion measures it: ~0.1 s of CPU per conversion and run. 0: babl
   * converts. */
  gint          own_bytes;
} EvenlightCliImage;

/* Checks that @path can be opened for reading and is not empty, without
 * decoding it: the error names the file and says why. */
gboolean evenlight_cli_image_check (const gchar *path,
                                    GError     **error);

/* Loads @path (PNG, JPEG, TIFF, WebP, OpenEXR, PPM/PGM, or whatever GEGL
 * reads). The error names the file. */
gboolean evenlight_cli_image_load  (const gchar       *path,
                                    EvenlightCliImage *image,
                                    GError           **error);
/* The size of the image in @path and the bytes per pixel of the format it
 * loads in, from the file's header only: no pixel is decoded. */
gboolean evenlight_cli_image_probe (const gchar *path,
                                    gint        *width,
                                    gint        *height,
                                    gint        *bytes_per_pixel,
                                    GError     **error);
void     evenlight_cli_image_clear (EvenlightCliImage *image);

/* Reads @width × @height pixels at (@x, @y) (relative to the extent) as
 * packed R'G'B' float into @rgb. */
void evenlight_cli_image_read_rgb  (const EvenlightCliImage *image,
                                    gint x, gint y, gint width, gint height,
                                    gfloat                  *rgb);

/* Writes packed R'G'B' float pixels into @target (@image's buffer, or one
 * of the same format), leaving alpha as it is; a gray image
 * gets the mean of the three channels. @scratch is grown as needed and is
 * the caller's to free. */
void evenlight_cli_image_write_rgb (const EvenlightCliImage *image,
                                    GeglBuffer              *target,
                                    gint x, gint y, gint width, gint height,
                                    const gfloat            *rgb,
                                    gfloat                 **scratch,
                                    gsize                   *scratch_size);

/* The output file: created as a temporary file next to the final path
 * before any work is done (so an unwritable place is found at once), and
 * renamed over the final path only when everything has been written. */
typedef struct _EvenlightCliOutput EvenlightCliOutput;

/* Checks that @path has an extension of a format GEGL saves, is not
 * @input_path, and that its directory accepts a new file. Needs no GEGL. */
EvenlightCliOutput *evenlight_cli_output_begin  (const gchar        *path,
                                                 const gchar        *input_path,
                                                 GError            **error);
/* Saves @buffer (of @image's format) to the temporary file and renames it
 * to the final path; the output keeps the input's bit depth where the
 * format can hold it. Frees @output in any case. */
gboolean            evenlight_cli_output_commit (EvenlightCliOutput      *output,
                                                 const EvenlightCliImage *image,
                                                 GeglBuffer              *buffer,
                                                 GError                 **error);
/* Checks, once GEGL is initialised, that it has the saver the output's
 * extension asks for. */
gboolean            evenlight_cli_output_ready  (const EvenlightCliOutput *output,
                                                 GError                  **error);
/* Whether the extension of @path is that of a format the CLI writes, and
 * those extensions as a list ("png, jpg, …"; free it). */
gboolean            evenlight_cli_output_known   (const gchar *path);
gchar              *evenlight_cli_output_formats (void);
/* The folders of GEGL modules (ui/cli/meson.build) needed for @path,
 * before GEGL is initialised: its format's by its first bytes when it is a
 * readable file, and that of its extension when it has one the CLI
 * writes ("png", "jpg", or both as "png:jpg"); NULL if neither. *@known
 * tells whether the file's loader is known (by its first bytes, or by its
 * name for a file not there yet): if not, every format's modules are
 * needed. */
gchar              *evenlight_cli_format_group   (const gchar *path,
                                                  gboolean    *known);
/* Whether @a and @b name one existing file. */
gboolean            evenlight_cli_same_file      (const gchar *a,
                                                  const gchar *b);
/* Removes the temporary file and frees @output. */
void                evenlight_cli_output_abort  (EvenlightCliOutput *output);

G_END_DECLS

#endif
