/* libFuzzer target: the context builder and the region renderer fed random
 * image sizes, rectangles (inside or outside the image), slider values
 * (NaN, ±Inf, negative, huge) and pixel values (any float bit pattern).
 * Invariants: a bad argument is a GError, never a crash; a rendered pixel
 * is finite and in [0, 1].
 *
 * The model is the test weights file, from $EVENLIGHT_FUZZ_WEIGHTS or the
 * path compiled in by meson.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evenlight.h"

typedef struct
{
  const uint8_t *bytes;
  size_t         n_bytes;
  gint           width, height;
} FuzzImage;

/* Pixel (x, y, c) takes its bits from the input, cycled: every float bit
 * pattern, NaN and Inf included, can reach the core. */
static gboolean
fuzz_read (const EvenlightRect *rect, gfloat *rgb, gpointer user_data,
           GError **error)
{
  const FuzzImage *img = user_data;
  (void) error;

  if (rect->x < 0 || rect->y < 0 || rect->width <= 0 || rect->height <= 0 ||
      rect->x + rect->width > img->width || rect->y + rect->height > img->height)
    abort ();                   /* the core asked for pixels outside the image */

  for (gint y = 0; y < rect->height; y++)
    for (gint x = 0; x < rect->width; x++)
      for (gint c = 0; c < 3; c++)
        {
          size_t i = ((size_t) (rect->y + y) * img->width + rect->x + x) * 3 + c;
          uint32_t bits = 0;
          if (img->n_bytes > 0)
            for (int b = 0; b < 4; b++)
              bits = bits << 8 | img->bytes[(i * 4 + b) % img->n_bytes];
          /* Mostly ordinary values, sometimes raw bit patterns. */
          gfloat v;
          if ((bits & 0xff) < 224)
            v = (bits >> 8) / 16777215.0f * 1.5f - 0.25f;
          else
            memcpy (&v, &bits, sizeof v);
          rgb[((size_t) y * rect->width + x) * 3 + c] = v;
        }
  return TRUE;
}

static gfloat
take_float (const uint8_t **p, size_t *n)
{
  gfloat v = 0.5f;
  if (*n >= 4)
    {
      memcpy (&v, *p, 4);
      *p += 4;
      *n -= 4;
    }
  return v;
}

static gint
take_int (const uint8_t **p, size_t *n, gint lo, gint hi)
{
  gint v = lo;
  if (*n >= 1)
    {
      v = lo + (**p % (hi - lo + 1));
      *p += 1;
      *n -= 1;
    }
  return v;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static EvenlightModel *model = NULL;
  GError *error = NULL;

  if (model == NULL)
    {
      const gchar *path = g_getenv ("EVENLIGHT_FUZZ_WEIGHTS");
      model = evenlight_model_load (path ? path : EVENLIGHT_FUZZ_DEFAULT_WEIGHTS,
                                    &error);
      if (model == NULL)
        {
          g_printerr ("fuzz-render: %s\n", error->message);
          abort ();
        }
    }

  const uint8_t *p = data;
  size_t n = size;
  FuzzImage img;
  img.width = take_int (&p, &n, 1, 80);
  img.height = take_int (&p, &n, 1, 80);

  EvenlightRect rect;
  rect.x = take_int (&p, &n, -3, 80);
  rect.y = take_int (&p, &n, -3, 80);
  rect.width = take_int (&p, &n, -1, 80);
  rect.height = take_int (&p, &n, -1, 80);

  EvenlightParams params;
  params.shadows = take_float (&p, &n);
  params.highlights = take_float (&p, &n);
  params.denoise = take_float (&p, &n);
  img.bytes = p;
  img.n_bytes = n;

  EvenlightContext *ctx = evenlight_context_new (model, img.width, img.height,
                                                 fuzz_read, &img, &error);
  if (ctx == NULL)
    abort ();                   /* any size from 1×1 up must be accepted */

  gboolean inside = rect.x >= 0 && rect.y >= 0 && rect.width > 0 &&
                    rect.height > 0 && rect.x + rect.width <= img.width &&
                    rect.y + rect.height <= img.height;
  gboolean valid = evenlight_params_validate (&params, NULL);
  gsize stride = rect.width > 0 ? (gsize) rect.width * 3 : 3;
  gsize n_out = stride * (rect.height > 0 ? rect.height : 1);
  gfloat *out = g_new (gfloat, n_out);

  gboolean ok = evenlight_render_region (ctx, &params, &rect, fuzz_read, &img,
                                         out, stride, &error);
  if (ok != (inside && valid))
    abort ();                   /* accepted a bad call or refused a good one */
  if (!ok && (error == NULL || error->message == NULL))
    abort ();
  if (ok)
    for (gsize i = 0; i < (gsize) rect.width * rect.height * 3; i++)
      if (!(out[i] >= 0.0f && out[i] <= 1.0f))
        abort ();               /* NaN fails this test too */

  g_clear_error (&error);
  g_free (out);
  evenlight_context_free (ctx);
  return 0;
}
