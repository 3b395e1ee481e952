/* evenlight — GIMP 2.10 plug-in: a drawable's pixels for the core.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "drawable-io.h"
#include "pixels.h"
#include "plugin-common.h"
#include "shadow.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
evenlight_gegl_init (void)
{
  /* babl reads its cache of conversions (babl-fishes, shared with GIMP)
   * here, and what it builds from it made gegl_init() take 1.1 s on an
   * idle machine (0.23 s without), several times what finding the few
   * conversions the plug-in makes costs without the cache; the output is
   * the same. Not reading the cache also means never rewriting GIMP's at
   * exit. Set for this process only, before babl starts. */
  g_setenv ("BABL_INHIBIT_CACHE", "1", FALSE);
  gegl_init (NULL, NULL);
}

gboolean
evenlight_source_init (EvenlightSource *source,
                       gint32           drawable_id,
                       GError         **error)
{
  const gchar *name;

  memset (source, 0, sizeof *source);
  source->drawable_id = drawable_id;

  if (! gimp_item_is_valid (drawable_id) || ! gimp_item_is_drawable (drawable_id))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   _("Even Light needs a layer, but the given item (ID %d) "
                     "is not a drawable."), drawable_id);
      return FALSE;
    }
  if (gimp_item_is_group (drawable_id))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   _("Even Light cannot work on the layer group “%s”: select "
                     "one of its layers, or merge the group first."),
                   gimp_item_get_name (drawable_id));
      return FALSE;
    }
  if (gimp_item_is_channel (drawable_id))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   _("Even Light works on layers only; “%s” is a channel or "
                     "a layer mask. Select a layer."),
                   gimp_item_get_name (drawable_id));
      return FALSE;
    }
  if (gimp_drawable_is_indexed (drawable_id))
    {
      g_set_error_literal (error, EVENLIGHT_ERROR,
                           EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           _("Even Light does not work on indexed images: "
                             "convert the image to RGB first "
                             "(Image ▸ Mode ▸ RGB)."));
      return FALSE;
    }

  source->gray = gimp_drawable_is_gray (drawable_id);
  source->has_alpha = gimp_drawable_has_alpha (drawable_id);
  if (source->gray)
    name = source->has_alpha ? "Y'A float" : "Y' float";
  else
    name = source->has_alpha ? "R'G'B'A float" : "R'G'B' float";
  /* In the image's own colour space, as the CLI reads files: the
   * primaries stay those of the image and nothing is clipped. */
  source->format = babl_format_with_space (name,
                                           gimp_drawable_get_format (drawable_id));
  source->n_channels = babl_format_get_n_components (source->format);
  source->width = gimp_drawable_width (drawable_id);
  source->height = gimp_drawable_height (drawable_id);
  source->buffer = gimp_drawable_get_buffer (drawable_id);
  g_mutex_init (&source->lock);
  return TRUE;
}

void
evenlight_source_clear (EvenlightSource *source)
{
  if (source->buffer != NULL)
    {
      g_object_unref (source->buffer);
      g_mutex_clear (&source->lock);
    }
  source->buffer = NULL;
  g_clear_pointer (&source->native, g_free);
}

void
evenlight_source_load (EvenlightSource *source)
{
  GeglRectangle all = { 0, 0, source->width, source->height };
  gint64        t0 = g_get_monotonic_time ();

  source->native_format = gegl_buffer_get_format (source->buffer);
  source->native_bpp = babl_format_get_bytes_per_pixel (source->native_format);
  /* Without the memory (a huge layer), every read goes to GIMP instead. */
  source->native = g_try_malloc ((gsize) source->width * source->height
                                 * source->native_bpp);
  if (source->native == NULL)
    return;
  source->to_float = babl_fish (source->native_format, source->format);
  source->from_float = babl_fish (source->format, source->native_format);
  gegl_buffer_get (source->buffer, &all, 1.0, source->native_format,
                   source->native, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  source->read_us += g_get_monotonic_time () - t0;
}

void
evenlight_source_get (EvenlightSource     *source,
                      const EvenlightRect *rect,
                      gfloat              *pixels)
{
  GeglRectangle r = { rect->x, rect->y, rect->width, rect->height };
  gint64        t0;
  gint          y;

  if (source->native != NULL)
    {
      /* gegl_buffer_get() converts tile rows with the same fish. */
      for (y = 0; y < rect->height; y++)
        babl_process (source->to_float,
                      source->native + ((gsize) (rect->y + y) * source->width
                                        + rect->x) * source->native_bpp,
                      pixels + (gsize) y * rect->width * source->n_channels,
                      rect->width);
      return;
    }
  g_mutex_lock (&source->lock);
  t0 = g_get_monotonic_time ();
  gegl_buffer_get (source->buffer, &r, 1.0, source->format, pixels,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  source->read_us += g_get_monotonic_time () - t0;
  g_mutex_unlock (&source->lock);
}

gboolean
evenlight_source_read (const EvenlightRect *rect,
                       gfloat              *rgb,
                       gpointer             user_data,
                       GError             **error)
{
  EvenlightSource *source = user_data;
  gsize            n = (gsize) rect->width * rect->height;
  gfloat          *pixels;

  (void) error;
  /* R'G'B' float data can be read straight into @rgb; everything else
   * goes through a scratch buffer in the drawable's own layout so that
   * alpha never influences the colour (no premultiplication). */
  if (! source->gray && ! source->has_alpha)
    {
      evenlight_source_get (source, rect, rgb);
      return TRUE;
    }
  pixels = g_new (gfloat, n * source->n_channels);
  evenlight_source_get (source, rect, pixels);
  evenlight_pixels_to_rgb (pixels, source->n_channels, rgb, n);
  g_free (pixels);
  return TRUE;
}

typedef struct
{
  EvenlightSource *source;
  EvenlightShadow  shadow;
  gboolean         show_progress;
  gint             tiles_written;
  /* Test hooks, see apply_test_hook(); -1 when not set. */
  gint             fail_after, stall_after;
} ApplyState;

/* For the tests only (tests/hostile/run-gimp.sh), to prove that a failure
 * or a cancel midway leaves the layer as it was: with
 * EVENLIGHT_TEST_FAIL_AFTER_TILES=N the apply fails once N tiles are in
 * the shadow buffer, as a write error would; with
 * EVENLIGHT_TEST_STALL_AFTER_TILES=N the plug-in writes its process ID to
 * the file EVENLIGHT_TEST_STALL_PIDFILE and waits there, so the test can
 * end it the way GIMP's Cancel button does (SIGKILL). Neither variable is
 * set outside those tests; unset, they change nothing. */
static gint
test_hook_count (const gchar *name)
{
  const gchar *value = g_getenv (name);

  return value != NULL && *value != '\0' ? atoi (value) : -1;
}

static gboolean
apply_test_hook (ApplyState *state,
                 GError    **error)
{
  if (state->tiles_written == state->fail_after)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                   "Failed after %d tiles (EVENLIGHT_TEST_FAIL_AFTER_TILES)",
                   state->tiles_written);
      return FALSE;
    }
  if (state->tiles_written == state->stall_after)
    {
      const gchar *pidfile = g_getenv ("EVENLIGHT_TEST_STALL_PIDFILE");
      g_autofree gchar *pid = g_strdup_printf ("%d\n", (gint) getpid ());

      /* The shadow buffer's tiles are flushed to GIMP first, so that the
       * kill finds them there, as a cancel in the middle would. */
      gegl_buffer_flush (state->shadow.buffer);
      if (pidfile != NULL)
        g_file_set_contents (pidfile, pid, -1, NULL);
      for (;;)
        g_usleep (G_USEC_PER_SEC);
    }
  return TRUE;
}

static gboolean
apply_write (const EvenlightRect *rect,
             const gfloat        *rgb,
             gpointer             user_data,
             GError             **error)
{
  ApplyState *state = user_data;

  if (! apply_test_hook (state, error))
    return FALSE;
  evenlight_shadow_write (&state->shadow, rect, rgb);
  state->tiles_written++;
  return TRUE;
}

static gboolean
apply_progress (gdouble  fraction,
                gpointer user_data)
{
  ApplyState *state = user_data;

  /* Cancelling from GIMP's progress bar ends the plug-in process; since
   * the shadow buffer is only merged after the last tile, the image then
   * stays as it was. */
  if (state->show_progress)
    {
      g_mutex_lock (&state->source->lock);
      gimp_progress_update (fraction);
      g_mutex_unlock (&state->source->lock);
    }
  return TRUE;
}

gboolean
evenlight_source_apply (EvenlightSource        *source,
                        const EvenlightContext *context,
                        const EvenlightParams  *params,
                        const EvenlightRect    *rect,
                        gboolean                show_progress,
                        GError                **error)
{
  ApplyState state = { source, { NULL, NULL }, show_progress, 0, -1, -1 };
  gboolean   ok;

  state.fail_after = test_hook_count ("EVENLIGHT_TEST_FAIL_AFTER_TILES");
  state.stall_after = test_hook_count ("EVENLIGHT_TEST_STALL_AFTER_TILES");
  evenlight_shadow_open (&state.shadow, source);
  ok = evenlight_enhance (context, params, rect,
                          (gint) g_get_num_processors (),
                          evenlight_source_read, source,
                          apply_write, &state,
                          apply_progress, &state, error);
  if (ok && show_progress)
    gimp_progress_update (1.0);
  evenlight_shadow_close (&state.shadow, rect, ok);
  return ok;
}
