/* `evenlight --fuse INPUT1 INPUT2 [INPUT3 …] OUTPUT`: the exposures are
 * loaded in their own formats (GEGL buffers), the core reads them through
 * one callback, and the result, the part of the frame every exposure sees,
 * is written tile by tile into a buffer of the middle exposure's format.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <gegl.h>

#include "cli-fuse.h"
#include "cli-image.h"

typedef struct
{
  EvenlightCliImage  images[EVENLIGHT_BRACKET_MAX];
  gint               n;
  GMutex             lock;     /* GEGL buffer access, one thread at a time */
  const EvenlightCliImage *ref;
  GeglBuffer        *target;
  EvenlightRect      crop;
  gfloat            *scratch;
  gsize              scratch_size;
} Fuse;

static gboolean
fuse_read (gint k, const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  Fuse *f = data;

  (void) error;
  g_mutex_lock (&f->lock);
  evenlight_cli_image_read_rgb (&f->images[k], rect->x, rect->y, rect->width, rect->height,
                                rgb);
  g_mutex_unlock (&f->lock);
  return TRUE;
}

static gboolean
fuse_write (const EvenlightRect *rect, const gfloat *rgb, gpointer data, GError **error)
{
  Fuse *f = data;

  (void) error;
  /* The calls are serialised and on this thread; the reads still run. */
  g_mutex_lock (&f->lock);
  evenlight_cli_image_write_rgb (f->ref, f->target, rect->x, rect->y, rect->width,
                                 rect->height, rgb, &f->scratch, &f->scratch_size);
  g_mutex_unlock (&f->lock);
  return TRUE;
}

/* The exposures agree in size and in being gray or colour. */
static gboolean
check_bracket (const Fuse *f, const gchar * const *inputs, GError **error)
{
  g_autofree gchar *first = g_filename_display_name (inputs[0]);

  for (gint k = 1; k < f->n; k++)
    {
      const GeglRectangle *a = &f->images[0].extent, *b = &f->images[k].extent;
      g_autofree gchar *name = g_filename_display_name (inputs[k]);

      if (a->width != b->width || a->height != b->height)
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                       "The exposures of a bracket must have one size: “%s” is "
                       "%d × %d, “%s” %d × %d", first, a->width, a->height, name,
                       b->width, b->height);
          return FALSE;
        }
      if (f->images[0].gray != f->images[k].gray)
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                       "The bracket mixes gray and colour images (“%s” is %s, “%s” "
                       "%s)", first, f->images[0].gray ? "gray" : "colour", name,
                       f->images[k].gray ? "gray" : "colour");
          return FALSE;
        }
    }
  return TRUE;
}

static void
report (const EvenlightContext *ctx, const gchar * const *inputs, gint n)
{
  EvenlightRect crop;

  for (gint k = 0; k < n; k++)
    {
      g_autofree gchar *name = g_filename_display_name (inputs[k]);
      gdouble dx, dy;
      gint rank;

      evenlight_bracket_get_exposure (ctx, k, &dx, &dy, &rank);
      g_printerr ("evenlight: %s: exposure %d of %d from the darkest, moved by "
                  "%+.2f, %+.2f px\n", name, rank + 1, n, dx, dy);
    }
  evenlight_bracket_get_crop (ctx, &crop);
  g_printerr ("evenlight: result: the %d × %d pixels at %d,%d of the frame all "
              "exposures share\n", crop.width, crop.height, crop.x, crop.y);
}

gboolean
evenlight_cli_fuse (const EvenlightModel  *model,
                    const EvenlightParams *params,
                    gboolean               align,
                    gint                   n_threads,
                    gboolean               quiet,
                    const gchar * const   *inputs,
                    gint                   n_inputs,
                    const gchar           *output_path,
                    GError               **error)
{
  Fuse f;
  EvenlightCliOutput *output = NULL;
  EvenlightContext *ctx = NULL;
  EvenlightRect all;
  GeglRectangle extent;
  gboolean ok = FALSE;
  gint k, rank;

  memset (&f, 0, sizeof f);
  g_mutex_init (&f.lock);
  f.n = n_inputs;

  for (k = 0; k < n_inputs; k++)
    {
      if (!evenlight_cli_image_check (inputs[k], error))
        goto out;
      if (k > 0 && evenlight_cli_same_file (inputs[k], output_path))
        {
          g_autofree gchar *display = g_filename_display_name (output_path);
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                       "The output “%s” is an input file; choose another output "
                       "name", display);
          goto out;
        }
    }
  output = evenlight_cli_output_begin (output_path, inputs[0], error);
  if (output == NULL || !evenlight_cli_output_ready (output, error))
    goto out;
  for (k = 0; k < n_inputs; k++)
    if (!evenlight_cli_image_load (inputs[k], &f.images[k], error))
      goto out;
  if (!check_bracket (&f, inputs, error))
    goto out;

  ctx = evenlight_bracket_context_new (model, n_inputs, f.images[0].extent.width,
                                      f.images[0].extent.height,
                                      align ? EVENLIGHT_BRACKET_ALIGN : EVENLIGHT_BRACKET_NONE,
                                      fuse_read, &f, error);
  if (ctx == NULL)
    goto out;
  if (evenlight_bracket_get_warning (ctx) != NULL)
    g_printerr ("evenlight: warning: %s\n", evenlight_bracket_get_warning (ctx));
  if (!quiet)
    report (ctx, inputs, n_inputs);

  /* The result takes the middle exposure's format and place; its alpha
   * (if any) is that exposure's, copied with the crop. */
  for (k = 0; k < n_inputs; k++)
    {
      evenlight_bracket_get_exposure (ctx, k, NULL, NULL, &rank);
      if (rank == (n_inputs - 1) / 2)
        f.ref = &f.images[k];
    }
  evenlight_bracket_get_crop (ctx, &f.crop);
  extent = (GeglRectangle) { f.ref->extent.x, f.ref->extent.y, f.crop.width, f.crop.height };
  f.target = gegl_buffer_new (&extent, gegl_buffer_get_format (f.ref->buffer));
  gegl_buffer_copy (f.ref->buffer,
                    GEGL_RECTANGLE (f.ref->extent.x + f.crop.x, f.ref->extent.y + f.crop.y,
                                    f.crop.width, f.crop.height),
                    GEGL_ABYSS_NONE, f.target, &extent);

  all = (EvenlightRect) { 0, 0, f.crop.width, f.crop.height };
  if (!evenlight_enhance (ctx, params, &all, n_threads, NULL, NULL, fuse_write, &f, NULL,
                          NULL, error))
    goto out;
  ok = evenlight_cli_output_commit (output, f.ref, f.target, error);
  output = NULL;

out:
  if (output != NULL)
    evenlight_cli_output_abort (output);
  evenlight_context_free (ctx);
  g_clear_object (&f.target);
  for (k = 0; k < n_inputs; k++)
    evenlight_cli_image_clear (&f.images[k]);
  g_free (f.scratch);
  g_mutex_clear (&f.lock);
  return ok;
}
