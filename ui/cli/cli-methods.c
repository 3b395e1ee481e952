/* The three methods of `evenlight`, one image each, and the progress line.
 *
 * The network method renders through evenlight_context_new() and
 * evenlight_enhance(), in strips of rows, and writes each strip's result
 * back into the input's own GEGL buffer once no later strip reads those
 * rows any more: memory stays at about one copy of the image in its own
 * format plus a few strips. The classic method and LAIC (for very dark
 * photos) work on the whole image in memory, and are refused up front when
 * it would not fit; --dequantize then removes the banding and noise of
 * strongly brightened regions with the dequantization network
 * (core/dequant.h), which needs the whole image in memory as well.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-methods.h"

#include <string.h>

#include "laic.h"

/* Rows per strip when the classic method writes its result back: a
 * choice of this program (the copy it converts each strip through stays
 * small), not of the engine. The network method's strips are one row of
 * the engine's tiles (evenlight_render_tile_size()). */
#define STRIP_ROWS   64

/* A strip of the network's result, waiting to be written over the input
 * rows it replaces. It is a small GEGL buffer in the input's own format
 * (an 8-bit strip takes a quarter of the memory of float pixels), filled
 * first with those input rows, which supply the alpha the core does not
 * touch. */
struct _EvenlightCliStrip
{
  gint        y, height;
  GeglBuffer *buffer;
};


static gboolean
read_pixels (const EvenlightRect *rect,
             gfloat              *rgb,
             gpointer             user_data,
             GError             **error)
{
  EvenlightCliJob *job = user_data;
  gboolean ok = TRUE;

  g_mutex_lock (&job->lock);
  if (rect->y < job->replaced_rows)
    {
      /* Those input rows hold results already: never read them as input.
       * (Cannot happen while the engine reads no further than
       * evenlight_render_margin() says.) */
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT,
                   "Internal error: input row %d was read after being "
                   "replaced by its result", rect->y);
      ok = FALSE;
    }
  else
    evenlight_cli_image_read_rgb (job->image, rect->x, rect->y, rect->width,
                                  rect->height, rgb);
  g_mutex_unlock (&job->lock);
  return ok;
}

static gboolean
write_pixels (const EvenlightRect *rect,
              const gfloat        *rgb,
              gpointer             user_data,
              GError             **error)
{
  EvenlightCliJob *job = user_data;

  (void) error;
  if (job->whole != NULL)
    {
      /* Disjoint rows of the whole image: no lock needed. */
      gsize stride = (gsize) job->image->extent.width * 3;

      for (gint y = 0; y < rect->height; y++)
        memcpy (job->whole + (rect->y + y) * stride + (gsize) rect->x * 3,
                rgb + (gsize) y * rect->width * 3,
                (gsize) rect->width * 3 * sizeof (gfloat));
      return TRUE;
    }
  g_mutex_lock (&job->lock);
  evenlight_cli_image_write_rgb (job->image,
                                 job->strip ? job->strip->buffer : job->target,
                                 rect->x, rect->y, rect->width, rect->height,
                                 rgb, &job->scratch, &job->scratch_size);
  g_mutex_unlock (&job->lock);
  return TRUE;
}

/* A whole-image float buffer, or an error naming its size. */
static gfloat *
alloc_image (gint     width,
             gint     height,
             gint     channels,
             GError **error)
{
  gfloat *p = g_try_new (gfloat, (gsize) width * height * channels);

  if (p == NULL)
    g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                 "Not enough memory for a %d × %d image", width, height);
  return p;
}

/* Writes the whole packed R'G'B' result @rgb into the target, in strips. */
static void
write_whole (EvenlightCliJob *job,
             const gfloat    *rgb)
{
  gint width = job->image->extent.width, height = job->image->extent.height;

  for (gint y = 0; y < height; y += STRIP_ROWS)
    evenlight_cli_image_write_rgb (job->image, job->target, 0, y, width,
                                   MIN (STRIP_ROWS, height - y),
                                   rgb + (gsize) y * width * 3,
                                   &job->scratch, &job->scratch_size);
}

/* The quantisation step of the input's pixels: what one code value of its
 * type is worth. Float inputs have no step of their own; they usually come
 * from 8-bit captures, so they are treated as such. */
static gfloat
quant_step (const EvenlightCliImage *image)
{
  if (g_strcmp0 (image->type, "u16") == 0)
    return 1.0f / 65535.0f;
  if (g_strcmp0 (image->type, "u32") == 0)
    return 1.0f / 4294967295.0f;
  return EVENLIGHT_DEQUANT_STEP_8BIT;
}

/* --dequantize: restores @after (brightened from @before, or by @gain when
 * @gain is not NULL) in place. */
static gboolean
dequantize (const EvenlightDequant *dequant,
            const gfloat           *before,
            gfloat                 *after,
            const gfloat           *gain,
            gint                    n_threads,
            EvenlightCliJob        *job,
            GError                **error)
{
  gint width = job->image->extent.width, height = job->image->extent.height;
  gfloat *estimated = NULL;
  gboolean ok;

  if (gain == NULL)
    {
      estimated = alloc_image (width, height, 1, error);
      if (estimated == NULL)
        return FALSE;
      evenlight_dequant_gain_estimate (before, after, width, height, estimated);
      gain = estimated;
    }
  ok = evenlight_dequant_apply (dequant, after, width, height, gain,
                                quant_step (job->image), n_threads, error);
  g_free (estimated);
  return ok;
}

/* The progress line on a terminal: the percentage of the file, and in
 * batch mode the files done, the current one and the time left. */
void
evenlight_cli_progress_line (EvenlightCliJob *job,
                             gint             percent)
{
  const EvenlightCliProgress *s = job->progress;

  if (s == NULL || s->total == 0)
    {
      g_printerr ("\revenlight: %3d%%", percent);
      return;
    }
  {
    gdouble done = (s->index + percent / 100.0) / s->total;
    gdouble elapsed = (g_get_monotonic_time () - s->started) / 1e6;

    g_printerr ("\r\033[Kevenlight: %d/%d done, %s %d%%", s->index, s->total,
                s->name, percent);
    if (done > 0.0 && s->index > 0)
      g_printerr (", about %.0f s left", elapsed * (1.0 - done) / done);
  }
}

static gboolean
show_progress (gdouble  fraction,
               gpointer user_data)
{
  EvenlightCliJob *job = user_data;
  gint percent = (gint) ((job->progress_base + fraction * job->progress_scale)
                         * 100.0);

  if (job->show_progress && percent != job->last_percent)
    {
      job->last_percent = percent;
      evenlight_cli_progress_line (job, percent);
    }
  return TRUE;
}

/* The rows of @strip in the buffers' coordinates. */
static GeglRectangle
strip_rect (const EvenlightCliJob   *job,
            const EvenlightCliStrip *strip)
{
  GeglRectangle r = { job->image->extent.x, job->image->extent.y + strip->y,
                      job->image->extent.width, strip->height };

  return r;
}

/* Writes @strip's result over its rows of the input buffer, and frees it. */
static void
replace_rows (EvenlightCliJob   *job,
              EvenlightCliStrip *strip)
{
  GeglRectangle r = strip_rect (job, strip);

  gegl_buffer_copy (strip->buffer, &r, GEGL_ABYSS_NONE, job->target, &r);
  job->replaced_rows = strip->y + strip->height;
  g_object_unref (strip->buffer);
  g_free (strip);
}

/* Renders the whole image strip by strip into the input buffer itself. A
 * strip's result waits in memory until the next strip to render no longer
 * reads its rows (its top minus the core's margin lies below them); then
 * it replaces them. So only one image-sized buffer exists, instead of the
 * input and a copy for the output. */
static gboolean
enhance_in_place (EvenlightContext      *context,
                  const EvenlightParams *params,
                  gint                   n_threads,
                  EvenlightCliJob       *job,
                  GError               **error)
{
  gint width = job->image->extent.width, height = job->image->extent.height;
  gint rows = evenlight_render_tile_size (), margin = evenlight_render_margin ();
  GQueue waiting = G_QUEUE_INIT;
  gboolean ok = TRUE;

  for (gint y = 0; ok && y < height; y += rows)
    {
      EvenlightCliStrip *strip = g_new0 (EvenlightCliStrip, 1);
      EvenlightRect rect = { 0, y, width, MIN (rows, height - y) };
      GeglRectangle r;

      strip->y = rect.y;
      strip->height = rect.height;
      r = strip_rect (job, strip);
      strip->buffer = gegl_buffer_new (&r, gegl_buffer_get_format (job->target));
      gegl_buffer_copy (job->target, &r, GEGL_ABYSS_NONE, strip->buffer, &r);
      job->strip = strip;
      job->progress_base = (gdouble) y / height;
      job->progress_scale = (gdouble) rect.height / height;
      ok = evenlight_enhance (context, params, &rect, n_threads,
                              read_pixels, job, write_pixels, job,
                              show_progress, job, error);
      job->strip = NULL;
      g_queue_push_tail (&waiting, strip);
      /* The next strip reads from its top minus the margin: every row
       * above that is free to be replaced. */
      while (ok && !g_queue_is_empty (&waiting))
        {
          EvenlightCliStrip *oldest = g_queue_peek_head (&waiting);

          if (y + rows < height
              && oldest->y + oldest->height > y + rows - margin)
            break;
          replace_rows (job, g_queue_pop_head (&waiting));
        }
    }
  while (!g_queue_is_empty (&waiting))
    {
      EvenlightCliStrip *strip = g_queue_pop_head (&waiting);

      g_object_unref (strip->buffer);
      g_free (strip);
    }
  return ok;
}

/* EvenlightCliMethod "net": the network of weights/MODEL.md, paper Eq. (10). */
gboolean
evenlight_cli_run_net (const EvenlightModel   *model,
                       const EvenlightParams  *params,
                       const EvenlightDequant *dequant,
                       gint                    n_threads,
                       EvenlightCliJob        *job,
                       GError                **error)
{
  const EvenlightCliImage *image = job->image;
  EvenlightRect all = { 0, 0, image->extent.width, image->extent.height };
  EvenlightContext *context;
  gfloat *before = NULL;
  gboolean ok;

  if (dequant != NULL)
    {
      job->whole = alloc_image (all.width, all.height, 3, error);
      if (job->whole == NULL)
        return FALSE;
    }
  job->context_us = g_get_monotonic_time ();
  context = evenlight_context_new (model, all.width, all.height,
                                   read_pixels, job, error);
  job->context_us = g_get_monotonic_time () - job->context_us;
  if (context == NULL)
    {
      g_clear_pointer (&job->whole, g_free);
      return FALSE;
    }
  if (dequant != NULL)
    ok = evenlight_enhance (context, params, &all, n_threads,
                            read_pixels, job, write_pixels, job,
                            show_progress, job, error);
  else
    ok = enhance_in_place (context, params, n_threads, job, error);
  evenlight_context_free (context);
  if (ok && dequant != NULL)
    {
      before = alloc_image (all.width, all.height, 3, error);
      ok = before != NULL;
      if (ok)
        {
          evenlight_cli_image_read_rgb (image, 0, 0, all.width, all.height,
                                        before);
          ok = dequantize (dequant, before, job->whole, NULL, n_threads, job,
                           error);
        }
      if (ok)
        {
          gfloat *whole = job->whole;

          job->whole = NULL;   /* write_whole goes to the target */
          write_whole (job, whole);
          job->whole = whole;
        }
    }
  g_free (before);
  g_clear_pointer (&job->whole, g_free);
  return ok;
}

/* EvenlightCliMethod "classic": the retouching module of paper Eq. (1), which works on
 * the whole image at once. */
gboolean
evenlight_cli_run_classic (const EvenlightRetouchParams *params,
                           const EvenlightDequant       *dequant,
                           gint                          n_threads,
                           EvenlightCliJob              *job,
                           GError                      **error)
{
  const EvenlightCliImage *image = job->image;
  gint width = image->extent.width, height = image->extent.height;
  gfloat *rgb, *before = NULL;
  gboolean ok;

  rgb = alloc_image (width, height, 3, error);
  if (rgb == NULL)
    return FALSE;
  evenlight_cli_image_read_rgb (image, 0, 0, width, height, rgb);
  if (dequant != NULL)
    {
      before = alloc_image (width, height, 3, error);
      if (before == NULL)
        {
          g_free (rgb);
          return FALSE;
        }
      memcpy (before, rgb, (gsize) width * height * 3 * sizeof (gfloat));
    }
  ok = evenlight_retouch (params, rgb, width, height, n_threads, error);
  if (ok && dequant != NULL)
    ok = dequantize (dequant, before, rgb, NULL, n_threads, job, error);
  if (ok)
    write_whole (job, rgb);
  g_free (before);
  g_free (rgb);
  return ok;
}

/* EvenlightCliMethod "laic": locally adaptive illumination compensation of a very dark
 * photo (second paper, Eq. 19–23), on the whole image at once; its gain
 * tells --dequantize how coarsely each pixel is quantised. */
gboolean
evenlight_cli_run_laic (const EvenlightDequant *dequant,
                        gfloat                  contrast,
                        gint                    n_threads,
                        EvenlightCliJob        *job,
                        GError                **error)
{
  const EvenlightCliImage *image = job->image;
  gint width = image->extent.width, height = image->extent.height;
  EvenlightLaicParams params;
  gfloat *rgb, *gain = NULL;
  gboolean ok;

  evenlight_laic_params_init_default (&params);
  params.contrast = contrast;
  rgb = alloc_image (width, height, 3, error);
  if (rgb == NULL)
    return FALSE;
  if (dequant != NULL)
    {
      gain = alloc_image (width, height, 1, error);
      if (gain == NULL)
        {
          g_free (rgb);
          return FALSE;
        }
    }
  evenlight_cli_image_read_rgb (image, 0, 0, width, height, rgb);
  ok = evenlight_laic (&params, rgb, width, height, n_threads, gain, error);
  if (ok && dequant != NULL)
    ok = dequantize (dequant, NULL, rgb, gain, n_threads, job, error);
  if (ok)
    write_whole (job, rgb);
  g_free (gain);
  g_free (rgb);
  return ok;
}
