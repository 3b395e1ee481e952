/* The tiling contract: a rectangle's output equals the same pixels of a
 * whole-image render, whatever the rectangle, order or number of threads;
 * plus odd sizes, extreme inputs and the exact γ3 shortcuts.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <math.h>
#include <string.h>

static EvenlightModel *model;

static const EvenlightParams param_sets[] = {
  { 0.8f, 0.6f, 0.5f },
  { 1.0f, 0.0f, 1.0f },
  { 0.3f, 1.0f, 0.0f },
  { 0.0f, 0.0f, 0.13f },
};

static gfloat *
render_region (EvenlightContext *ctx, const EvenlightParams *params, TestImage *image,
               const EvenlightRect *r)
{
  gfloat *out = g_new (gfloat, (gsize) r->width * r->height * 3);
  GError *error = NULL;

  g_assert_true (evenlight_render_region (ctx, params, r, test_image_read, image, out,
                                          (gsize) r->width * 3, &error));
  g_assert_no_error (error);
  return out;
}

/* Largest |region − whole| over the region. */
static gdouble
diff_region (const gfloat *region, const gfloat *whole, gint width, const EvenlightRect *r)
{
  gdouble m = 0.0;
  gint y;

  for (y = 0; y < r->height; y++)
    m = MAX (m, test_max_diff (region + (gsize) y * r->width * 3,
                               whole + ((gsize) (r->y + y) * width + r->x) * 3,
                               (gsize) r->width * 3));
  return m;
}

static void
test_region_equals_whole (void)
{
  const gint w = 601, h = 283;   /* odd, more than two tiles across */
  gfloat *rgb = test_image_photo (w, h, 11);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  GRand *rand = g_rand_new_with_seed (12);
  guint p;

  g_assert_nonnull (ctx);
  for (p = 0; p < G_N_ELEMENTS (param_sets); p++)
    {
      gfloat *whole = test_render_whole (ctx, &param_sets[p], &image);
      gint trial;

      for (trial = 0; trial < 12; trial++)
        {
          EvenlightRect r;
          gfloat *region;

          r.width = g_rand_int_range (rand, 1, trial < 6 ? 80 : w + 1);
          r.height = g_rand_int_range (rand, 1, trial < 6 ? 80 : h + 1);
          r.x = g_rand_int_range (rand, 0, w - r.width + 1);
          r.y = g_rand_int_range (rand, 0, h - r.height + 1);
          region = render_region (ctx, &param_sets[p], &image, &r);
          g_assert_cmpfloat (diff_region (region, whole, w, &r), ==, 0.0);
          g_free (region);
        }
      g_free (whole);
    }
  g_rand_free (rand);
  evenlight_context_free (ctx);
  g_free (rgb);
}

/* Bytes of the blocks @s's planes hold, as the arena cuts them (rounded
 * to its 128-byte alignment). */
static gsize
scratch_block_bytes (EvenlightScratch *s)
{
  EvenlightPlanes *all[EVENLIGHT_SCRATCH_PLANES];
  guint n = evenlight_scratch_planes (s, all);
  gsize sum = 0;

  for (guint i = 0; i < n; i++)
    if (all[i]->block != NULL)
      sum += ((all[i]->capacity * sizeof (gfloat) + 128) + 127) / 128 * 128;
  return sum;
}

/* One scratch through tiles of every size an image has, in the order of a
 * whole-image render and back (corner, edge, inner, corner): each tile is
 * the whole render's, and the scratch's arena holds little more than the
 * blocks of its planes (it would otherwise keep every size the border
 * tiles grow through: 1.4 times as much here). */
static void
test_scratch_memory (void)
{
  const gint w = 700, h = 600;
  gfloat *rgb = test_image_photo (w, h, 17);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  EvenlightParams params = { 0.8f, 0.6f, 0.5f };
  const gint t = EVENLIGHT_TILE_SIZE;
  const EvenlightRect tiles[] = {
    { 0, 0, t, t }, { t, 0, t, t }, { 0, t, t, t }, { t, t, t, t },
    { 2 * t, 2 * t, w - 2 * t, h - 2 * t }, { 0, 0, t, t }, { t, t, t, t },
  };
  EvenlightScratch *s = evenlight_scratch_new ();
  gfloat *whole = test_render_whole (ctx, &params, &image);
  gfloat *out = g_new (gfloat, (gsize) t * t * 3);

  for (guint i = 0; i < G_N_ELEMENTS (tiles); i++)
    {
      const EvenlightRect *r = &tiles[i];

      g_assert_true (evenlight_render_tile (ctx, &params, r, EVENLIGHT_TILE_MARGIN, test_image_read,
                                            &image, s, FALSE, out, (gsize) r->width * 3, NULL));
      g_assert_cmpfloat (diff_region (out, whole, w, r), ==, 0.0);
      /* A plane that serves twice in a tile at two sizes leaves one
       * block: a few hundred kB. */
      g_test_message ("tile %u: %zu bytes cut, %zu in the planes' blocks", i,
                      evenlight_arena_used (s->arena), scratch_block_bytes (s));
      g_assert_cmpuint (evenlight_arena_used (s->arena), <=, scratch_block_bytes (s) * 21 / 20);
    }
  g_free (out);
  g_free (whole);
  evenlight_scratch_free (s);
  evenlight_context_free (ctx);
  g_free (rgb);
}

/* An arena past its first reservation: the blocks cut before stay valid
 * until the reset, which then cuts from the start of the new one. */
static void
test_arena_growth (void)
{
  EvenlightArena *arena = evenlight_arena_new ();
  EvenlightPlanes a = EVENLIGHT_PLANES_INIT, b = EVENLIGHT_PLANES_INIT;
  const gint side = 2048;     /* 4 channels: about 17 MB a plane */

  a.arena = b.arena = arena;
  evenlight_planes_ensure (&a, 4, side, side, 0, 0);
  for (gint y = 0; y < side; y++)
    evenlight_planes_row (&a, 3, y)[side - 1] = (gfloat) y;
  evenlight_planes_ensure (&b, 8, side, side, 0, 0);   /* past 64 MB: a new reservation */
  g_assert_cmpuint (evenlight_arena_used (arena), >=, (gsize) 8 * side * side * sizeof (gfloat));
  for (gint y = 0; y < side; y++)
    {
      g_assert_cmpfloat (evenlight_planes_row (&a, 3, y)[side - 1], ==, (gfloat) y);
      evenlight_planes_row (&b, 7, y)[side - 1] = 1.0f;
    }
  evenlight_planes_clear (&a);
  evenlight_planes_clear (&b);
  g_assert_true (a.arena == arena && a.block == NULL);
  evenlight_arena_reset (arena);
  g_assert_cmpuint (evenlight_arena_used (arena), ==, 0);
  evenlight_planes_ensure (&a, 4, side, side, 0, 0);
  g_assert_cmpuint (evenlight_arena_used (arena), <, (gsize) 5 * side * side * sizeof (gfloat));
  evenlight_planes_clear (&a);
  evenlight_arena_free (arena);
}

/* The margin is not larger than needed: 4 pixels less (one alignment
 * step) changes an inner tile. */
static void
test_margin_is_tight (void)
{
  const gint w = 200, h = 160;
  gfloat *rgb = test_image_photo (w, h, 13);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  EvenlightParams params = { 0.8f, 0.6f, 0.5f };
  EvenlightRect r = { 80, 60, 40, 40 };
  EvenlightScratch *s = evenlight_scratch_new ();
  gfloat *whole = test_render_whole (ctx, &params, &image);
  gfloat *out = g_new (gfloat, 40 * 40 * 3);

  g_assert_true (evenlight_render_tile (ctx, &params, &r, EVENLIGHT_TILE_MARGIN, test_image_read,
                                        &image, s, FALSE, out, 40 * 3, NULL));
  g_assert_cmpfloat (diff_region (out, whole, w, &r), ==, 0.0);
  g_assert_true (evenlight_render_tile (ctx, &params, &r, EVENLIGHT_TILE_MARGIN - EVENLIGHT_TILE_ALIGN,
                                        test_image_read, &image, s, FALSE, out, 40 * 3, NULL));
  g_assert_cmpfloat (diff_region (out, whole, w, &r), >, 0.0);

  g_free (out);
  g_free (whole);
  evenlight_scratch_free (s);
  evenlight_context_free (ctx);
  g_free (rgb);
}

/* The reads of a render, as far as they reach beyond its rectangle. */
typedef struct
{
  TestImage    *image;
  EvenlightRect rect;
  gint          beyond;   /* the most on any side */
} ReadReach;

static gboolean
read_reach (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  ReadReach *reach = data;
  const EvenlightRect *r = &reach->rect;

  reach->beyond = MAX (reach->beyond,
                       MAX (MAX (r->x - rect->x, r->y - rect->y),
                            MAX (rect->x + rect->width - (r->x + r->width),
                                 rect->y + rect->height - (r->y + r->height))));
  return test_image_read (rect, rgb, reach->image, error);
}

/* evenlight_render_margin() bounds what a render reads around its
 * rectangle (the CLI replaces input rows relying on it), and is no looser
 * than the window's alignment makes it. */
static void
test_reads_within_margin (void)
{
  const gint w = 601, h = 283;
  gfloat *rgb = test_image_photo (w, h, 17);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  GRand *rand = g_rand_new_with_seed (18);
  gint most = 0;

  g_assert_nonnull (ctx);
  for (gint trial = 0; trial < 24; trial++)
    {
      ReadReach reach = { &image, { 0, 0, 0, 0 }, 0 };
      gfloat *out;

      reach.rect.width = g_rand_int_range (rand, 1, 120);
      reach.rect.height = g_rand_int_range (rand, 1, 120);
      reach.rect.x = g_rand_int_range (rand, 0, w - reach.rect.width + 1);
      reach.rect.y = g_rand_int_range (rand, 0, h - reach.rect.height + 1);
      out = g_new (gfloat, (gsize) reach.rect.width * reach.rect.height * 3);
      g_assert_true (evenlight_render_region (ctx, &param_sets[0], &reach.rect, read_reach,
                                              &reach, out, (gsize) reach.rect.width * 3,
                                              NULL));
      g_assert_cmpint (reach.beyond, <=, evenlight_render_margin ());
      most = MAX (most, reach.beyond);
      g_free (out);
    }
  /* 24 random corners: one of them lies one pixel past an alignment step. */
  g_assert_cmpint (most, ==, evenlight_render_margin ());
  g_assert_cmpint (evenlight_render_tile_size (), ==, EVENLIGHT_TILE_SIZE);
  g_rand_free (rand);
  evenlight_context_free (ctx);
  g_free (rgb);
}

/* ---- evenlight_render_region_threads ------------------------------------ */

/* The threaded region of @r into a fresh buffer, rows one pixel wider than
 * the rectangle so a wrong row stride shows. */
static gfloat *
render_threads (EvenlightContext *ctx, const EvenlightParams *params, TestImage *image,
                const EvenlightRect *r, gint n_threads, EvenlightRegionCache *cache)
{
  gsize stride = (gsize) (r->width + 1) * 3;
  gfloat *padded = g_new0 (gfloat, stride * r->height);
  gfloat *out = g_new (gfloat, (gsize) r->width * r->height * 3);
  GError *error = NULL;
  gint y;

  g_assert_true (evenlight_render_region_threads (ctx, params, r, n_threads, cache,
                                                  test_image_read, image, padded, stride,
                                                  &error));
  g_assert_no_error (error);
  for (y = 0; y < r->height; y++)
    memcpy (out + (gsize) y * r->width * 3, padded + y * stride,
            (gsize) r->width * 3 * sizeof (gfloat));
  g_free (padded);
  return out;
}

static void
assert_same_bits (const gfloat *a, const gfloat *b, const EvenlightRect *r)
{
  g_assert_cmpint (memcmp (a, b, (gsize) r->width * r->height * 3 * sizeof (gfloat)), ==, 0);
}

/* Threaded region == single-threaded region == whole image, bit for bit,
 * for rectangles of several tiles, of one tile (cut into strips) and
 * unaligned ones, on 1, 2 and 3 threads. */
static void
test_region_threads (void)
{
  const gint w = 700, h = 600;
  gfloat *rgb = test_image_photo (w, h, 21);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  const EvenlightRect rects[] = {
    { 94, 44, 512, 512 },     /* the preview benchmark's shape: 2 × 2 pieces */
    { 0, 0, w, h },           /* the whole image, 3 × 2 pieces               */
    { 1, 3, 255, 250 },       /* one piece, cut into strips                  */
    { 17, 250, 320, 300 },    /* one piece, in 3 strips for 3 threads        */
    { 20, 30, 261, 267 },     /* a little more than a tile (the dialog's)    */
    { 333, 77, 301, 97 },     /* two tiles across, unaligned                 */
    { 601, 411, 99, 189 },    /* at the far corner                           */
    { 5, 7, 13, 2 },          /* tiny                                        */
  };
  guint p, i;
  gint t;

  g_assert_nonnull (ctx);
  for (p = 0; p < G_N_ELEMENTS (param_sets); p++)
    {
      gfloat *whole = test_render_whole (ctx, &param_sets[p], &image);

      for (i = 0; i < G_N_ELEMENTS (rects); i++)
        {
          gfloat *single = render_region (ctx, &param_sets[p], &image, &rects[i]);

          g_assert_cmpfloat (diff_region (single, whole, w, &rects[i]), ==, 0.0);
          for (t = 1; t <= 3; t++)
            {
              gfloat *threaded = render_threads (ctx, &param_sets[p], &image, &rects[i], t, NULL);

              assert_same_bits (threaded, single, &rects[i]);
              g_free (threaded);
            }
          g_free (single);
        }
      g_free (whole);
    }
  evenlight_context_free (ctx);
  g_free (rgb);
}

/* A read that fails once its countdown reaches zero. */
typedef struct
{
  TestImage image;
  gint      fail_in;   /* atomic */
} FailingImage;

static gboolean
failing_read (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  FailingImage *f = data;

  if (g_atomic_int_add (&f->fail_in, -1) == 1)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT, "layer gone");
      return FALSE;
    }
  return test_image_read (rect, rgb, &f->image, error);
}

/* With a cache, a Denoise-only change gives the bits of an uncached render
 * and reads no pixels; a change of Shadows, Highlights, the rectangle or
 * the context, or a failed call, renders in full again. */
static void
test_region_cache (void)
{
  const gint w = 640, h = 560;
  gfloat *rgb = test_image_photo (w, h, 22);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  EvenlightContext *ctx2 = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  EvenlightRegionCache *cache = evenlight_region_cache_new ();
  /* Each rectangle differs from the one before in one field only. */
  EvenlightRect r = { 61, 33, 512, 501 }, moved = { 62, 33, 512, 501 };
  EvenlightRect lower = { 62, 34, 512, 501 }, narrower = { 62, 34, 511, 501 };
  EvenlightRect shorter = { 62, 34, 511, 500 };
  EvenlightRect strip = { 3, 17, 200, 230 };
  /* Each step: parameters, rectangle, threads, whether pixels are read. */
  const struct
  {
    EvenlightParams       params;
    const EvenlightRect  *rect;
    gint                  threads;
    gboolean              reads;
  } steps[] = {
    { { 0.8f, 0.6f, 0.5f }, &r, 2, TRUE },
    { { 0.8f, 0.6f, 0.13f }, &r, 2, FALSE },    /* Denoise only        */
    { { 0.8f, 0.6f, 1.0f }, &r, 1, FALSE },     /* γ3 = 1 shortcut     */
    { { 0.8f, 0.6f, 0.0f }, &r, 3, FALSE },     /* γ3 = 0 shortcut     */
    { { 0.7f, 0.6f, 0.0f }, &r, 2, TRUE },      /* Shadows             */
    { { 0.7f, 0.6f, 0.0f }, &r, 2, FALSE },     /* nothing changed     */
    { { 0.7f, 0.6f, 0.9f }, &r, 2, TRUE },      /* N was not computed  */
    { { 0.7f, 0.3f, 0.9f }, &r, 2, TRUE },      /* Highlights          */
    { { 0.7f, 0.3f, 0.4f }, &moved, 2, TRUE },  /* rectangle moved     */
    { { 0.7f, 0.3f, 0.6f }, &moved, 2, FALSE },
    { { 0.7f, 0.3f, 0.5f }, &lower, 2, TRUE },
    { { 0.7f, 0.3f, 0.4f }, &narrower, 2, TRUE },
    { { 0.7f, 0.3f, 0.3f }, &shorter, 2, TRUE },
    { { 0.7f, 0.3f, 0.6f }, &shorter, 2, FALSE },
    { { 0.7f, 0.3f, 0.6f }, &strip, 2, TRUE },  /* one tile in strips  */
    { { 0.7f, 0.3f, 0.2f }, &strip, 1, FALSE },
  };
  guint i;

  g_assert_nonnull (ctx);
  for (i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      gfloat *cached, *fresh;
      gint reads = g_atomic_int_get (&image.reads);

      cached = render_threads (ctx, &steps[i].params, &image, steps[i].rect, steps[i].threads,
                               cache);
      g_assert_cmpint (g_atomic_int_get (&image.reads) > reads, ==, steps[i].reads);
      fresh = render_region (ctx, &steps[i].params, &image, steps[i].rect);
      assert_same_bits (cached, fresh, steps[i].rect);
      g_free (cached);
      g_free (fresh);
    }

  /* Another context: no reuse. */
  {
    EvenlightParams params = { 0.7f, 0.3f, 0.3f };
    gint reads = g_atomic_int_get (&image.reads);
    gfloat *out = render_threads (ctx2, &params, &image, &strip, 2, cache);

    g_assert_cmpint (g_atomic_int_get (&image.reads), >, reads);
    g_free (out);
  }

  /* A failed call leaves nothing behind to reuse; a cleared cache neither. */
  {
    FailingImage failing = { { rgb, w, h, 0 }, 2 };
    EvenlightParams params = { 0.5f, 0.5f, 0.5f };
    gfloat *out = g_new (gfloat, (gsize) r.width * r.height * 3);
    GError *error = NULL;
    gint reads;

    g_assert_false (evenlight_render_region_threads (ctx, &params, &r, 2, cache, failing_read,
                                                     &failing, out, (gsize) r.width * 3,
                                                     &error));
    g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT);
    g_clear_error (&error);
    params.denoise = 0.25f;
    reads = g_atomic_int_get (&image.reads);
    g_free (render_threads (ctx, &params, &image, &r, 2, cache));
    g_assert_cmpint (g_atomic_int_get (&image.reads), >, reads);

    evenlight_region_cache_clear (cache);
    params.denoise = 0.75f;
    reads = g_atomic_int_get (&image.reads);
    g_free (render_threads (ctx, &params, &image, &r, 2, cache));
    g_assert_cmpint (g_atomic_int_get (&image.reads), >, reads);
    g_free (out);
  }

  evenlight_region_cache_free (cache);
  evenlight_context_free (ctx2);
  evenlight_context_free (ctx);
  g_free (rgb);
}

/* ---- evenlight_enhance -------------------------------------------------- */

typedef struct
{
  gfloat *rgb;
  gint    width;
  gint    writes;
  gint    fail_after;   /* 0: never */
  gint    concurrent;
  gint    max_concurrent;
} Sink;

static gboolean
sink_write (const EvenlightRect *r, const gfloat *rgb, gpointer data, GError **error)
{
  Sink *sink = data;
  gint y, now = g_atomic_int_add (&sink->concurrent, 1) + 1;

  sink->max_concurrent = MAX (sink->max_concurrent, now);
  for (y = 0; y < r->height; y++)
    memcpy (sink->rgb + ((gsize) (r->y + y) * sink->width + r->x) * 3,
            rgb + (gsize) y * r->width * 3, (gsize) r->width * 3 * sizeof (gfloat));
  sink->writes++;
  g_atomic_int_add (&sink->concurrent, -1);
  if (sink->fail_after > 0 && sink->writes >= sink->fail_after)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO, "disk full");
      return FALSE;
    }
  return TRUE;
}

static void
test_threads (void)
{
  const gint w = 700, h = 530;
  gfloat *rgb = test_image_photo (w, h, 14);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  EvenlightParams params = { 0.8f, 0.6f, 0.5f };
  EvenlightRect all = { 0, 0, w, h };
  gfloat *whole = test_render_whole (ctx, &params, &image);
  gint threads[] = { 1, 2, 3, 0 };
  guint t;

  for (t = 0; t < G_N_ELEMENTS (threads); t++)
    {
      Sink sink = { g_new0 (gfloat, (gsize) w * h * 3), w, 0, 0, 0, 0 };
      GError *error = NULL;

      g_assert_true (evenlight_enhance (ctx, &params, &all, threads[t], test_image_read, &image,
                                        sink_write, &sink, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sink.writes, ==, 3 * 3);
      g_assert_cmpint (sink.max_concurrent, ==, 1);
      g_assert_cmpfloat (test_max_diff (sink.rgb, whole, (gsize) w * h * 3), ==, 0.0);
      g_free (sink.rgb);
    }

  /* A sub-rectangle (a selection) gives the same pixels too. */
  {
    EvenlightRect sel = { 37, 91, 411, 300 };
    Sink sink = { g_new0 (gfloat, (gsize) w * h * 3), w, 0, 0, 0, 0 };
    gint y;

    g_assert_true (evenlight_enhance (ctx, &params, &sel, 2, test_image_read, &image,
                                      sink_write, &sink, NULL, NULL, NULL));
    for (y = 0; y < sel.height; y++)
      g_assert_cmpfloat (test_max_diff (sink.rgb + ((gsize) (sel.y + y) * w + sel.x) * 3,
                                        whole + ((gsize) (sel.y + y) * w + sel.x) * 3,
                                        (gsize) sel.width * 3), ==, 0.0);
    g_free (sink.rgb);
  }

  g_free (whole);
  evenlight_context_free (ctx);
  g_free (rgb);
}

typedef struct
{
  gint    calls;
  gint    stop_at;
  gdouble last;
} Progress;

static gboolean
progress_cb (gdouble fraction, gpointer data)
{
  Progress *p = data;

  g_assert_cmpfloat (fraction, >=, p->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  p->last = fraction;
  return ++p->calls != p->stop_at;
}

static void
test_progress_cancel_errors (void)
{
  const gint w = 600, h = 600;
  gfloat *rgb = test_image_photo (w, h, 15);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  EvenlightParams params = { 0.8f, 0.6f, 0.5f };
  EvenlightRect all = { 0, 0, w, h };
  gint threads;

  for (threads = 1; threads <= 2; threads++)
    {
      Sink sink = { g_new0 (gfloat, (gsize) w * h * 3), w, 0, 0, 0, 0 };
      Progress progress = { 0, 0, 0.0 };
      GError *error = NULL;

      g_assert_true (evenlight_enhance (ctx, &params, &all, threads, test_image_read, &image,
                                        sink_write, &sink, progress_cb, &progress, &error));
      g_assert_cmpfloat (progress.last, ==, 1.0);
      g_assert_cmpint (progress.calls, ==, 1 + 9);

      /* Cancel after the second tile: nothing more is written. */
      progress = (Progress) { 0, 3, 0.0 };
      sink.writes = 0;
      g_assert_false (evenlight_enhance (ctx, &params, &all, threads, test_image_read, &image,
                                         sink_write, &sink, progress_cb, &progress, &error));
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_cmpint (sink.writes, ==, 2);

      /* A failing write stops the pass with its error. */
      sink.writes = 0;
      sink.fail_after = 4;
      g_assert_false (evenlight_enhance (ctx, &params, &all, threads, test_image_read, &image,
                                         sink_write, &sink, NULL, NULL, &error));
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "disk full"));
      g_clear_error (&error);
      g_assert_cmpint (sink.writes, ==, 4);

      /* A read outside the image is reported, not a crash. */
      {
        TestImage small = { rgb, w, h - 100, 0 };
        sink.fail_after = 0;
        g_assert_false (evenlight_enhance (ctx, &params, &all, threads, test_image_read, &small,
                                           sink_write, &sink, NULL, NULL, &error));
        g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT);
        g_clear_error (&error);
      }
      g_free (sink.rgb);
    }

  /* Bad arguments. */
  {
    EvenlightRect outside = { 590, 0, 20, 20 };
    EvenlightParams bad = { 0.5f, 2.0f, 0.5f };
    gfloat out[20 * 20 * 3];
    GError *error = NULL;

    g_assert_false (evenlight_render_region (ctx, &params, &outside, test_image_read, &image,
                                             out, 60, &error));
    g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    outside.x = 0;
    g_assert_false (evenlight_render_region (ctx, &bad, &outside, test_image_read, &image,
                                             out, 60, &error));
    g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "Highlights"));
    g_clear_error (&error);
    g_assert_false (evenlight_render_region (ctx, &params, &outside, test_image_read, &image,
                                             out, 59, &error));
    g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (evenlight_context_new (model, 0, 5, test_image_read, &image, &error));
    g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  evenlight_context_free (ctx);
  g_free (rgb);
}

/* ---- Sizes and extreme inputs ---------------------------------------------- */

static void
check_unit_range (const gfloat *v, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++)
    {
      g_assert_true (isfinite (v[i]));
      g_assert_cmpfloat (v[i], >=, 0.0f);
      g_assert_cmpfloat (v[i], <=, 1.0f);
    }
}

static void
test_sizes (void)
{
  static const gint sizes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 2, 2 }, { 3, 5 }, { 1023, 1 }, { 1, 1023 }, { 257, 3 } };
  guint s, p;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint w = sizes[s][0], h = sizes[s][1];
      gfloat *rgb = test_image_photo (w, h, 16 + s);
      TestImage image = { rgb, w, h, 0 };
      EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);

      g_assert_nonnull (ctx);
      for (p = 0; p < G_N_ELEMENTS (param_sets); p++)
        {
          gfloat *whole = test_render_whole (ctx, &param_sets[p], &image);
          EvenlightRect all = { 0, 0, w, h }, last = { w - 1, h - 1, 1, 1 };
          gfloat *region = render_region (ctx, &param_sets[p], &image, &all);
          gfloat *corner = render_region (ctx, &param_sets[p], &image, &last);
          gfloat *copy = test_dup (rgb, (gsize) w * h * 3 * sizeof (gfloat));

          check_unit_range (whole, (gsize) w * h * 3);
          g_assert_cmpfloat (test_max_diff (region, whole, (gsize) w * h * 3), ==, 0.0);
          g_assert_cmpfloat (diff_region (corner, whole, w, &last), ==, 0.0);
          g_assert_true (evenlight_enhance_pixels (model, &param_sets[p], copy, w, h, 3,
                                                   (gsize) w * 3, 2, NULL));
          g_assert_cmpfloat (test_max_diff (copy, whole, (gsize) w * h * 3), ==, 0.0);
          g_free (whole);
          g_free (region);
          g_free (corner);
          g_free (copy);
        }
      evenlight_context_free (ctx);
      g_free (rgb);
    }
}

static void
test_extreme_inputs (void)
{
  const gint w = 70, h = 50;
  gfloat *rgb = g_new (gfloat, (gsize) w * h * 3);
  gint kind;
  guint p;

  for (kind = 0; kind < 4; kind++)
    {
      gsize i;

      for (i = 0; i < (gsize) w * h * 3; i++)
        switch (kind)
          {
          case 0: rgb[i] = 0.0f; break;
          case 1: rgb[i] = 1.0f; break;
          case 2: rgb[i] = (i % 5 == 0) ? NAN : (i % 5 == 1) ? INFINITY : (i % 5 == 2) ? -INFINITY
                            : (i % 5 == 3) ? 1e30f : -3.0f; break;
          default: rgb[i] = (i % 2) ? NAN : 0.5f; break;
          }
      for (p = 0; p < G_N_ELEMENTS (param_sets); p++)
        {
          gfloat *copy = test_dup (rgb, (gsize) w * h * 3 * sizeof (gfloat));
          GError *error = NULL;

          g_assert_true (evenlight_enhance_pixels (model, &param_sets[p], copy, w, h, 3,
                                                   (gsize) w * 3, 1, &error));
          g_assert_no_error (error);
          check_unit_range (copy, (gsize) w * h * 3);
          g_free (copy);
        }
    }

  /* NaN/Inf are read as their sanitised values: same result as the clean
   * image. */
  {
    gfloat *clean = test_image_photo (w, h, 17);
    gfloat *dirty = test_dup (clean, (gsize) w * h * 3 * sizeof (gfloat));
    EvenlightParams params = { 0.8f, 0.6f, 0.5f };
    gsize i;

    for (i = 0; i < (gsize) w * h * 3; i += 7)
      {
        gfloat v = clean[i];
        dirty[i] = v == 0.0f ? NAN : v == 1.0f ? INFINITY : v;
      }
    for (i = 3; i < (gsize) w * h * 3; i += 101)
      {
        clean[i] = 0.0f;
        dirty[i] = (i % 2) ? NAN : -1.0f;
      }
    g_assert_true (evenlight_enhance_pixels (model, &params, clean, w, h, 3, (gsize) w * 3, 1, NULL));
    g_assert_true (evenlight_enhance_pixels (model, &params, dirty, w, h, 3, (gsize) w * 3, 1, NULL));
    g_assert_cmpfloat (test_max_diff (clean, dirty, (gsize) w * h * 3), ==, 0.0);
    g_free (clean);
    g_free (dirty);
  }
  g_free (rgb);
}

/* ---- γ3 ------------------------------------------------------------------- */

static void
test_denoise (void)
{
  const gint w = 120, h = 90;
  gfloat *rgb = test_image_photo (w, h, 18);
  TestImage image = { rgb, w, h, 0 };
  EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
  EvenlightScratch *s = evenlight_scratch_new ();
  EvenlightRect all = { 0, 0, w, h };
  gfloat *out = g_new (gfloat, (gsize) w * h * 3);
  gfloat *r1 = g_new (gfloat, (gsize) w * h * 3);
  gdouble last = -1.0;
  gint k, x, y, c;

  /* γ3 = 0 gives exactly R1 (clamped, though R1 is already in [0, 1]). */
  {
    EvenlightParams params = { 0.8f, 0.6f, 0.0f };
    g_assert_true (evenlight_render_tile (ctx, &params, &all, EVENLIGHT_TILE_MARGIN, test_image_read,
                                          &image, s, TRUE, out, (gsize) w * 3, NULL));
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        for (c = 0; c < 3; c++)
          {
            gfloat v = evenlight_planes_row (&s->r1, c, y)[x];
            g_assert_cmpfloat (v, >=, 0.0f);
            g_assert_cmpfloat (v, <=, 1.0f);
            g_assert_cmpfloat (out[((gsize) y * w + x) * 3 + c], ==, v);
            r1[((gsize) y * w + x) * 3 + c] = v;
          }
  }

  /* γ3 = 1 adds all of N; in between the change from R1 grows with γ3. */
  for (k = 0; k <= 10; k++)
    {
      EvenlightParams params = { 0.8f, 0.6f, k / 10.0f };
      gdouble change = 0.0;
      gsize i;

      g_assert_true (evenlight_render_tile (ctx, &params, &all, EVENLIGHT_TILE_MARGIN, test_image_read,
                                            &image, s, FALSE, out, (gsize) w * 3, NULL));
      for (i = 0; i < (gsize) w * h * 3; i++)
        change += fabs (out[i] - r1[i]);
      if (k == 10)
        for (y = 0; y < h; y++)
          for (x = 0; x < w; x++)
            for (c = 0; c < 3; c++)
              g_assert_cmpfloat (out[((gsize) y * w + x) * 3 + c], ==,
                                 CLAMP (evenlight_planes_row (&s->r1, c, y)[x]
                                        + evenlight_planes_row (&s->n, c, y)[x], 0.0f, 1.0f));
      g_assert_cmpfloat (change, >=, last);
      if (k == 0)
        g_assert_cmpfloat (change, ==, 0.0);
      else
        g_assert_cmpfloat (change, >, last);
      last = change;
    }

  g_free (out);
  g_free (r1);
  evenlight_scratch_free (s);
  evenlight_context_free (ctx);
  g_free (rgb);
}

/* ---- evenlight_enhance_pixels layouts ---------------------------------- */

static void
test_pixels_layouts (void)
{
  const gint w = 83, h = 61;
  gfloat *rgb = test_image_photo (w, h, 19);
  EvenlightParams params = { 0.8f, 0.6f, 0.5f };
  gfloat *ref = test_dup (rgb, (gsize) w * h * 3 * sizeof (gfloat));
  gsize stride4 = (gsize) w * 4 + 5;
  gfloat *rgba = g_new (gfloat, stride4 * h);
  gfloat *gray = g_new (gfloat, (gsize) w * h * 2);
  gfloat *gray3 = g_new (gfloat, (gsize) w * h * 3);
  GError *error = NULL;
  gint x, y, c;

  g_assert_true (evenlight_enhance_pixels (model, &params, ref, w, h, 3, (gsize) w * 3, 2, NULL));

  /* RGBA with padded rows: colour as RGB, alpha untouched. */
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        for (c = 0; c < 3; c++)
          rgba[y * stride4 + x * 4 + c] = rgb[((gsize) y * w + x) * 3 + c];
        rgba[y * stride4 + x * 4 + 3] = (gfloat) x / w;
      }
  g_assert_true (evenlight_enhance_pixels (model, &params, rgba, w, h, 4, stride4, 2, &error));
  g_assert_no_error (error);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        for (c = 0; c < 3; c++)
          g_assert_cmpfloat (rgba[y * stride4 + x * 4 + c], ==, ref[((gsize) y * w + x) * 3 + c]);
        g_assert_cmpfloat (rgba[y * stride4 + x * 4 + 3], ==, (gfloat) x / w);
      }

  /* Gray + alpha: processed as R = G = B, written back as the mean. */
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        gfloat v = rgb[((gsize) y * w + x) * 3 + 1];
        gray[((gsize) y * w + x) * 2] = v;
        gray[((gsize) y * w + x) * 2 + 1] = 0.25f;
        for (c = 0; c < 3; c++)
          gray3[((gsize) y * w + x) * 3 + c] = v;
      }
  g_assert_true (evenlight_enhance_pixels (model, &params, gray3, w, h, 3, (gsize) w * 3, 1, NULL));
  g_assert_true (evenlight_enhance_pixels (model, &params, gray, w, h, 2, (gsize) w * 2, 1, NULL));
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        const gfloat *e = gray3 + ((gsize) y * w + x) * 3;
        g_assert_cmpfloat (fabs (gray[((gsize) y * w + x) * 2] - (e[0] + e[1] + e[2]) / 3.0f), <=, 1e-6);
        g_assert_cmpfloat (gray[((gsize) y * w + x) * 2 + 1], ==, 0.25f);
      }

  g_assert_false (evenlight_enhance_pixels (model, &params, gray, w, h, 5, (gsize) w * 5, 1, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (evenlight_enhance_pixels (model, &params, gray, w, h, 2, (gsize) w, 1, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_free (rgb);
  g_free (ref);
  g_free (rgba);
  g_free (gray);
  g_free (gray3);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  model = test_model_random (42);
  if (g_getenv ("EVENLIGHT_TEST_EXPOSURE_FLOOR") != NULL)
    {
      /* Every test below with the exposure step on (core-region-exposure):
       * a floor so high that every test image gets a gain above 1. */
      gfloat *rgb = test_image_photo (300, 200, 7);
      TestImage image = { rgb, 300, 200, 0 };
      EvenlightContext *ctx;

      model->has_exposure_floor = TRUE;
      model->exposure_floor = (gfloat) g_ascii_strtod (g_getenv ("EVENLIGHT_TEST_EXPOSURE_FLOOR"), NULL);
      ctx = evenlight_context_new (model, 300, 200, test_image_read, &image, NULL);
      g_assert_cmpfloat (ctx->exposure_gain, >, 1.0f);
      evenlight_context_free (ctx);
      g_free (rgb);
    }
  g_test_add_func ("/core/region/equals-whole", test_region_equals_whole);
  g_test_add_func ("/core/region/margin-is-tight", test_margin_is_tight);
  g_test_add_func ("/core/region/scratch-memory", test_scratch_memory);
  g_test_add_func ("/core/region/arena-growth", test_arena_growth);
  g_test_add_func ("/core/region/reads-within-margin", test_reads_within_margin);
  g_test_add_func ("/core/region/threads", test_threads);
  g_test_add_func ("/core/region/threaded-region", test_region_threads);
  g_test_add_func ("/core/region/denoise-cache", test_region_cache);
  g_test_add_func ("/core/region/progress-cancel-errors", test_progress_cancel_errors);
  g_test_add_func ("/core/region/sizes", test_sizes);
  g_test_add_func ("/core/region/extreme-inputs", test_extreme_inputs);
  /* These two check values of paper Eq. (10) itself (R = R1 at Denoise 0,
   * the gray merge of R), which the exposure step changes by design. */
  if (!model->has_exposure_floor)
    {
      g_test_add_func ("/core/region/denoise", test_denoise);
      g_test_add_func ("/core/region/pixels-layouts", test_pixels_layouts);
    }
  status = g_test_run ();
  test_model_free (model);
  return status;
}
