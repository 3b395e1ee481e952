/* Hostile input to the engine itself: degenerate sizes, every kind of
 * non-finite and out-of-range value, callbacks that fail, sizes the
 * engine must refuse before it reads a single pixel, images too large for
 * the memory there is.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <limits.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "evenlight.h"
#include "params.h"
#include "model.h"
#include "dequant.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EVENLIGHT_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EVENLIGHT_TEST_ASAN 1
#endif

#ifdef EVENLIGHT_TEST_ASAN
/* AddressSanitizer aborts on a failed allocation unless told to return
 * NULL, as malloc does (test_out_of_memory). */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "allocator_may_return_null=1";
}
#endif

static EvenlightModel *model;

/* A file of tests/data (or of $EVENLIGHT_TEST_DATA). */
static gchar *
data_path (const gchar *name)
{
  const gchar *dir = g_getenv ("EVENLIGHT_TEST_DATA");

  return g_build_filename (dir != NULL ? dir : "tests/data", name, NULL);
}

/* Values a float channel of a file or a GIMP layer can hold. */
static const gfloat nasty[] = {
  NAN, INFINITY, -INFINITY, -1.0f, -1e30f, 2.0f, 1e30f, FLT_MAX, -FLT_MAX,
  FLT_MIN, -0.0f, 1.0f + FLT_EPSILON, 0.5f, 0.0f, 1.0f, 1e-40f,
};

static void
fill_nasty (gfloat *px, gsize n_values, guint seed)
{
  for (gsize i = 0; i < n_values; i++)
    px[i] = nasty[(i * 7 + seed) % G_N_ELEMENTS (nasty)];
}

static void
assert_unit (const gfloat *px, gint width, gint height, gint channels,
             gint colour_channels)
{
  for (gsize i = 0; i < (gsize) width * height; i++)
    for (gint c = 0; c < colour_channels; c++)
      {
        gfloat v = px[i * channels + c];

        if (!(isfinite (v) && v >= 0.0f && v <= 1.0f))
          g_error ("%d × %d, %d channels: pixel %" G_GSIZE_FORMAT
                   " channel %d is %g", width, height, channels, i, c, (double) v);
      }
}

/* Degenerate shapes, every channel count, all values hostile: the colour
 * comes back finite and in [0, 1], alpha is not touched (not even its
 * NaNs), and the result is deterministic. */
static void
test_shapes (void)
{
  static const gint sizes[][2] = {
    { 1, 1 }, { 1, 2 }, { 2, 1 }, { 1, 777 }, { 777, 1 }, { 2, 2 }, { 3, 1000 },
    { 1000, 3 }, { 257, 1 }, { 1, 257 }, { 255, 257 },
  };
  EvenlightParams params[3] = {
    { 0.8f, 0.6f, 0.5f }, { 1.0f, 1.0f, 1.0f }, { 0.0f, 0.0f, 0.0f },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (gint channels = 1; channels <= 4; channels++)
      for (guint p = 0; p < G_N_ELEMENTS (params); p++)
        {
          gint w = sizes[s][0], h = sizes[s][1];
          gint colour = channels >= 3 ? 3 : 1;
          gsize n = (gsize) w * h * channels;
          gfloat *px = g_new (gfloat, n), *orig = g_new (gfloat, n);
          gfloat *again = g_new (gfloat, n);
          GError *error = NULL;

          fill_nasty (px, n, s + channels);
          memcpy (orig, px, n * sizeof (gfloat));
          memcpy (again, px, n * sizeof (gfloat));
          g_assert_true (evenlight_enhance_pixels (model, &params[p], px, w, h,
                                                   channels, (gsize) w * channels,
                                                   2, &error));
          g_assert_no_error (error);
          assert_unit (px, w, h, channels, colour);
          if (channels == 2 || channels == 4)
            for (gsize i = 0; i < (gsize) w * h; i++)
              /* Bitwise, so that NaN alpha counts as unchanged too. */
              g_assert_cmpmem (&px[i * channels + channels - 1], sizeof (gfloat),
                               &orig[i * channels + channels - 1], sizeof (gfloat));
          g_assert_true (evenlight_enhance_pixels (model, &params[p], again, w, h,
                                                   channels, (gsize) w * channels,
                                                   1, &error));
          g_assert_cmpmem (px, n * sizeof (gfloat), again, n * sizeof (gfloat));
          g_free (px);
          g_free (orig);
          g_free (again);
        }
}

/* Hostile values straight from a read callback (the plug-in's and the
 * CLI's path, which do not go through evenlight_enhance_pixels). */
typedef struct
{
  gint width, height;
  gint fail_after;   /* calls that succeed before one fails; −1: never */
  gint calls;        /* atomic */
  gboolean set_error;
} Source;

static gboolean
source_read (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  Source *src = data;
  gint call = g_atomic_int_add (&src->calls, 1);

  g_assert_true (evenlight_rect_in_image (rect, src->width, src->height));
  if (src->fail_after >= 0 && call >= src->fail_after)
    {
      if (src->set_error)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "disk went away");
      return FALSE;
    }
  for (gint y = 0; y < rect->height; y++)
    for (gint x = 0; x < rect->width; x++)
      for (gint c = 0; c < 3; c++)
        {
          /* A function of the position, so tiles agree on their margins. */
          guint k = (guint) ((rect->y + y) * 131 + (rect->x + x) * 17 + c * 5);
          rgb[((gsize) y * rect->width + x) * 3 + c] = nasty[k % G_N_ELEMENTS (nasty)];
        }
  return TRUE;
}

typedef struct
{
  gint width;
  gfloat *out;
  gint writes;
  gint fail_at;   /* −1: never */
  gint cancel_at; /* −1: never */
} Sink;

static gboolean
sink_write (const EvenlightRect *rect, const gfloat *rgb, gpointer data, GError **error)
{
  Sink *sink = data;

  if (sink->fail_at >= 0 && sink->writes >= sink->fail_at)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "disk full");
      return FALSE;
    }
  sink->writes++;
  for (gint y = 0; y < rect->height; y++)
    memcpy (sink->out + ((gsize) (rect->y + y) * sink->width + rect->x) * 3,
            rgb + (gsize) y * rect->width * 3, (gsize) rect->width * 3 * sizeof (gfloat));
  return TRUE;
}

static gboolean
sink_progress (gdouble fraction, gpointer data)
{
  Sink *sink = data;

  g_assert_true (fraction >= 0.0 && fraction <= 1.0);
  return sink->cancel_at < 0 || sink->writes < sink->cancel_at;
}

static void
test_callback_values (void)
{
  Source src = { 600, 300, -1, 0, FALSE };
  Sink sink = { 600, NULL, 0, -1, -1 };
  EvenlightRect all = { 0, 0, 600, 300 };
  EvenlightParams params;
  EvenlightContext *ctx;
  GError *error = NULL;

  evenlight_params_init_default (&params);
  ctx = evenlight_context_new (model, 600, 300, source_read, &src, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < EVENLIGHT_GRID_SIZE; i++)
    g_assert_true (isfinite (ctx->grid[i]) && isfinite (ctx->grid_inv[i]));
  sink.out = g_new (gfloat, 600 * 300 * 3);
  g_assert_true (evenlight_enhance (ctx, &params, &all, 2, source_read, &src,
                                    sink_write, &sink, sink_progress, &sink, &error));
  g_assert_no_error (error);
  assert_unit (sink.out, 600, 300, 3, 3);
  evenlight_context_free (ctx);
  g_free (sink.out);
}

/* A read that fails in the context pass or in the middle of the tiled
 * pass, a write that fails, a cancel: each is an error of its own kind,
 * and nothing more is written after it. */
static void
test_callback_failures (void)
{
  EvenlightRect all = { 0, 0, 700, 600 };   /* 3 × 3 tiles */
  EvenlightParams params;
  EvenlightContext *ctx;
  GError *error = NULL;

  evenlight_params_init_default (&params);

  for (gint set = 0; set < 2; set++)
    {
      Source src = { 700, 600, 0, 0, set };

      g_assert_null (evenlight_context_new (model, 700, 600, source_read, &src, &error));
      if (set)
        g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_IO);
      else
        g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT);
      g_assert_cmpint (src.calls, ==, 1);
      g_clear_error (&error);
    }

  for (gint threads = 1; threads <= 4; threads += 3)
    {
      Source ok = { 700, 600, -1, 0, FALSE };
      Source bad = { 700, 600, 4, 0, FALSE };
      Sink sink = { 700, g_new0 (gfloat, 700 * 600 * 3), 0, -1, -1 };

      ctx = evenlight_context_new (model, 700, 600, source_read, &ok, &error);
      g_assert_no_error (error);
      g_assert_false (evenlight_enhance (ctx, &params, &all, threads, source_read, &bad,
                                         sink_write, &sink, NULL, NULL, &error));
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT);
      g_assert_cmpint (sink.writes, <, 9);
      g_clear_error (&error);

      sink.writes = 0;
      sink.fail_at = 2;
      g_assert_false (evenlight_enhance (ctx, &params, &all, threads, source_read, &ok,
                                         sink_write, &sink, NULL, NULL, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
      g_assert_cmpint (sink.writes, ==, 2);
      g_clear_error (&error);

      sink.writes = 0;
      sink.fail_at = -1;
      sink.cancel_at = 3;
      g_assert_false (evenlight_enhance (ctx, &params, &all, threads, source_read, &ok,
                                         sink_write, &sink, sink_progress, &sink, &error));
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED);
      g_assert_cmpint (sink.writes, ==, 3);
      g_clear_error (&error);

      evenlight_context_free (ctx);
      g_free (sink.out);
    }
}

/* Sizes and rectangles that must be refused before any pixel is read. */
static void
test_refused_sizes (void)
{
  static const gint bad[][2] = {
    { 0, 1 }, { 1, 0 }, { -1, 5 }, { 5, -1 }, { INT_MIN, 1 }, { 1, INT_MIN },
    { EVENLIGHT_MAX_SIDE + 1, 1 }, { 1, EVENLIGHT_MAX_SIDE + 1 }, { INT_MAX, INT_MAX },
    { INT_MAX, 1 }, { 1, INT_MAX },
  };
  EvenlightParams params;
  EvenlightContext *ctx;
  GError *error = NULL;

  evenlight_params_init_default (&params);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Source src = { 1, 1, -1, 0, FALSE };
      gfloat px[4] = { 0 };

      g_assert_null (evenlight_context_new (model, bad[i][0], bad[i][1],
                                            source_read, &src, &error));
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
      g_test_message ("%d × %d: %s", bad[i][0], bad[i][1], error->message);
      g_assert_cmpint (src.calls, ==, 0);
      g_clear_error (&error);

      /* The in-memory convenience refuses before it allocates. */
      g_assert_false (evenlight_enhance_pixels (model, &params, px, bad[i][0], bad[i][1],
                                                3, (gsize) MAX (bad[i][0], 1) * 3, 1, &error));
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

  /* Huge images are accepted, and streamed: the context asks for its
   * first strip before it holds more than a few rows (a read that fails
   * at once shows no whole-image allocation came first; 600 MP and the
   * largest sides would need gigabytes). */
  {
    static const gint huge[][2] = {
      { 30000, 20000 }, { EVENLIGHT_MAX_SIDE, EVENLIGHT_MAX_SIDE },
      { EVENLIGHT_MAX_SIDE, 1 }, { 1, EVENLIGHT_MAX_SIDE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (huge); i++)
      {
        Source src = { huge[i][0], huge[i][1], 0, 0, TRUE };

        g_assert_null (evenlight_context_new (model, src.width, src.height,
                                              source_read, &src, &error));
        g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_IO);
        g_assert_cmpint (src.calls, ==, 1);
        g_clear_error (&error);
      }
  }

  /* The longest sides are rendered in full: a 1-pixel-wide column and
   * row of EVENLIGHT_MAX_SIDE pixels. */
  {
    EvenlightParams params1;
    gfloat *px = g_new (gfloat, (gsize) EVENLIGHT_MAX_SIDE * 3);

    evenlight_params_init_default (&params1);
    for (gint t = 0; t < 2; t++)
      {
        fill_nasty (px, (gsize) EVENLIGHT_MAX_SIDE * 3, t);
        g_assert_true (evenlight_enhance_pixels (model, &params1, px,
                                                 t ? 1 : EVENLIGHT_MAX_SIDE,
                                                 t ? EVENLIGHT_MAX_SIDE : 1, 3,
                                                 t ? 3 : (gsize) EVENLIGHT_MAX_SIDE * 3,
                                                 2, &error));
        g_assert_no_error (error);
        assert_unit (px, EVENLIGHT_MAX_SIDE, 1, 3, 3);
      }
    g_free (px);
  }

  /* Rectangles outside, overflowing or empty. */
  {
    Source src = { 300, 200, -1, 0, FALSE };
    Sink sink = { 300, NULL, 0, -1, -1 };
    static const EvenlightRect rects[] = {
      { 0, 0, 0, 10 }, { 0, 0, 10, 0 }, { -1, 0, 10, 10 }, { 0, -1, 10, 10 },
      { 291, 0, 10, 10 }, { 0, 191, 10, 10 }, { INT_MAX, 0, 10, 10 },
      { 10, 10, INT_MAX, 10 }, { 10, 10, 10, INT_MAX }, { 1, 1, -5, 10 },
    };
    gfloat out[10 * 10 * 3];

    ctx = evenlight_context_new (model, 300, 200, source_read, &src, &error);
    g_assert_no_error (error);
    src.calls = 0;
    for (guint i = 0; i < G_N_ELEMENTS (rects); i++)
      {
        g_assert_false (evenlight_render_region (ctx, &params, &rects[i], source_read,
                                                 &src, out, 30, &error));
        g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
        g_clear_error (&error);
        g_assert_false (evenlight_enhance (ctx, &params, &rects[i], 2, source_read, &src,
                                           sink_write, &sink, NULL, NULL, &error));
        g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
        g_clear_error (&error);
      }
    g_assert_cmpint (src.calls, ==, 0);
    g_assert_cmpint (sink.writes, ==, 0);
    evenlight_context_free (ctx);
  }
}

/* Lowers this process's address space limit to what it uses now plus
 * @headroom bytes (the old limit in @old); FALSE where that cannot be
 * measured or set. */
static gboolean
cap_address_space (guint64 headroom, struct rlimit *old)
{
  g_autofree gchar *statm = NULL;
  struct rlimit cap;
  guint64 used;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
      || getrlimit (RLIMIT_AS, old) != 0)
    return FALSE;
  /* The first number: the pages of the whole address space. */
  used = g_ascii_strtoull (statm, NULL, 10) * (guint64) sysconf (_SC_PAGESIZE);
  cap = *old;
  cap.rlim_cur = used + headroom;
  if (old->rlim_cur != RLIM_INFINITY && old->rlim_cur < cap.rlim_cur)
    cap.rlim_cur = old->rlim_cur;
  return setrlimit (RLIMIT_AS, &cap) == 0;
}

/* An image whose copy cannot be allocated gets EVENLIGHT_ERROR_NO_MEMORY
 * (it used to be INVALID_ARGUMENT, as if the caller had erred) and a
 * message with the size, before a pixel is read. The address space is
 * capped 256 MB above what the process uses, so the 3 GB copy fails on any
 * machine, whatever its memory and overcommit setting; in a subprocess,
 * which nothing else shares. */
static void
test_out_of_memory (void)
{
  const gint side = 16384;   /* 16384² × 3 floats: 3 GB */
  g_autofree gchar *path = NULL;
  EvenlightDequant *dequant;
  EvenlightParams params;
  struct rlimit old;
  GError *error = NULL;
  gfloat px[3] = { 0 }, gain[1] = { 1.0f };

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  path = data_path ("dequant-golden-weights.bin");
  dequant = evenlight_dequant_load (path, &error);
  g_assert_no_error (error);
  evenlight_params_init_default (&params);
  if (!cap_address_space (256 << 20, &old))
    {
      g_test_skip ("the address space cannot be measured or capped here");
      evenlight_dequant_free (dequant);
      return;
    }

  /* Neither call reads @px or @gain before its copy is allocated. */
  g_assert_false (evenlight_enhance_pixels (model, &params, px, side, side, 3,
                                            (gsize) side * 3, 1, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "16384 × 16384"));
  g_clear_error (&error);

  /* The dequantization holds a strip of rows, not a copy: 65536 pixels
   * wide, its strip of about 384 rows takes 300 MB. */
  g_assert_false (evenlight_dequant_apply (dequant, px, 4 * side, side, gain,
                                           EVENLIGHT_DEQUANT_STEP_8BIT, 1, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* What follows (the sanitizers' leak check at exit among it) has the
   * memory it had. */
  g_assert_cmpint (setrlimit (RLIMIT_AS, &old), ==, 0);
  evenlight_dequant_free (dequant);
}

/* Hostile slider values through the public entry points: non-finite, and
 * just outside each slider's range as the parameter table states it. */
static void
test_refused_params (void)
{
  gfloat px[3] = { 0.2f, 0.3f, 0.4f };
  GError *error = NULL;
  guint n;
  const EvenlightParamSpec *table = evenlight_params_table (&n);

  for (guint which = 0; which < n; which++)
    {
      const EvenlightParamSpec *spec = &table[which];
      const gfloat bad[] = { NAN, INFINITY, -INFINITY,
                             nextafterf ((gfloat) spec->min, -INFINITY),
                             nextafterf ((gfloat) spec->max, INFINITY), 1e30f };

      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        EvenlightParams params;

        evenlight_params_init_default (&params);
        evenlight_param_set (spec, &params, bad[i]);
        g_assert_false (evenlight_enhance_pixels (model, &params, px, 1, 1, 3, 3, 1, &error));
        g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
        g_clear_error (&error);
        g_assert_cmpfloat (px[0], ==, 0.2f);
      }
    }
}

int
main (int argc, char **argv)
{
  g_autofree gchar *path = NULL;
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  path = data_path ("golden-weights.bin");
  model = evenlight_model_load (path, &error);
  g_assert_no_error (error);

  g_test_add_func ("/hostile/engine/shapes", test_shapes);
  g_test_add_func ("/hostile/engine/callback-values", test_callback_values);
  g_test_add_func ("/hostile/engine/callback-failures", test_callback_failures);
  g_test_add_func ("/hostile/engine/refused-sizes", test_refused_sizes);
  g_test_add_func ("/hostile/engine/refused-params", test_refused_params);
  g_test_add_func ("/hostile/engine/out-of-memory", test_out_of_memory);
  status = g_test_run ();
  evenlight_model_free (model);
  return status;
}
