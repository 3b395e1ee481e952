/* evenlight — hostile test images, and the checks on what came out.
 *
 *   hostile-img make KIND W H OUT
 *       KIND nasty: float RGB TIFF whose pixels cycle through NaN, +Inf,
 *                   −Inf, negative, above-1 and ordinary values;
 *            clear: 8-bit RGBA PNG, alpha 0 everywhere, colour varied;
 *            plain: 8-bit RGB PNG, a dim gradient.
 *   hostile-img unit FILE      exit 0 when every colour value of FILE is
 *                              finite and in [0, 1]
 *   hostile-img nonfinite FILE exit 0 when FILE holds at least one NaN or
 *                              infinite colour value (proves a "nasty"
 *                              file kept them)
 *   hostile-img alpha A B      exit 0 when A and B have the same size and
 *                              bit-identical alpha
 *   hostile-img size FILE W H  exit 0 when FILE is W × H
 *   hostile-img weights IN OUT ARCH|nan
 *       Copies the weights file IN (weights/MODEL.md §8) to OUT with the
 *       architecture id replaced by ARCH, or with the first value of the
 *       first tensor made NaN, and a correct checksum: damage that only
 *       the loader's checks, not the checksum, can catch.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gegl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gegl-load.h"

static const gfloat nasty[] = {
  NAN, INFINITY, -INFINITY, -0.5f, -1e30f, 1.5f, 1e30f, 0.02f, 0.3f, 0.9f, 1.0f, 0.0f,
};

static GeglBuffer *
load (const gchar *path)
{
  GeglBuffer *buffer = evenlight_test_gegl_load (path);

  if (buffer == NULL)
    g_printerr ("%s: cannot load\n", path);
  return buffer;
}

static gfloat *
pixels (GeglBuffer *buffer, const gchar *format)
{
  const GeglRectangle *r = gegl_buffer_get_extent (buffer);
  const Babl *f = babl_format (format);
  gfloat *px = g_malloc ((gsize) r->width * r->height * babl_format_get_bytes_per_pixel (f));

  gegl_buffer_get (buffer, r, 1.0, f, px, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  return px;
}

static int
make (const gchar *kind, gint w, gint h, const gchar *out)
{
  GeglRectangle r = { 0, 0, w, h };
  gboolean is_nasty = strcmp (kind, "nasty") == 0;
  gboolean clear = strcmp (kind, "clear") == 0;
  const gchar *format = is_nasty ? "R'G'B' float" : clear ? "R'G'B'A u8" : "R'G'B' u8";
  GeglBuffer *buffer = gegl_buffer_new (&r, babl_format (format));
  gfloat *px = g_new (gfloat, (gsize) w * h * 4);
  GeglNode *graph, *src, *save;

  if (!is_nasty && !clear && strcmp (kind, "plain") != 0)
    {
      g_printerr ("unknown kind %s\n", kind);
      return 2;
    }
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gfloat *p = px + 4 * ((gsize) y * w + x);
        gfloat base = 0.05f + 0.3f * x / MAX (w - 1, 1) + 0.1f * y / MAX (h - 1, 1);

        for (gint c = 0; c < 3; c++)
          p[c] = is_nasty ? nasty[(x * 5 + y * 3 + c) % G_N_ELEMENTS (nasty)]
                          : base * (1.0f - 0.2f * c);
        p[3] = clear ? 0.0f : 1.0f;
      }
  gegl_buffer_set (buffer, &r, 0, babl_format ("R'G'B'A float"), px, GEGL_AUTO_ROWSTRIDE);
  g_free (px);

  graph = gegl_node_new ();
  src = gegl_node_new_child (graph, "operation", "gegl:buffer-source", "buffer", buffer, NULL);
  save = gegl_node_new_child (graph, "operation", is_nasty ? "gegl:tiff-save" : "gegl:png-save",
                              "path", out, NULL);
  /* 8-bit pixels make an 8-bit PNG (gegl:png-save writes 16 bits by
   * default): GIMP's 8-bit exports of these images can then be compared
   * with them exactly. */
  if (!is_nasty)
    gegl_node_set (save, "bitdepth", 8, NULL);
  gegl_node_link (src, save);
  gegl_node_process (save);
  g_object_unref (graph);
  g_object_unref (buffer);
  return g_file_test (out, G_FILE_TEST_IS_REGULAR) ? 0 : 1;
}

/* Counts colour values that are not finite, and finite ones outside [0, 1]. */
static int
scan (const gchar *path, gboolean want_unit)
{
  GeglBuffer *buffer = load (path);
  const GeglRectangle *r;
  gsize bad = 0, outside = 0, n;
  gfloat *px;

  if (buffer == NULL)
    return 2;
  r = gegl_buffer_get_extent (buffer);
  n = (gsize) r->width * r->height;
  /* In the buffer's own space and without conversion to a bounded type:
   * a float file is read as float. */
  px = pixels (buffer, "R'G'B'A float");
  for (gsize i = 0; i < n; i++)
    for (gint c = 0; c < 3; c++)
      {
        gfloat v = px[4 * i + c];

        if (!isfinite (v))
          bad++;
        else if (v < 0.0f || v > 1.0f)
          outside++;
      }
  printf ("%s: %d x %d, %" G_GSIZE_FORMAT " non-finite, %" G_GSIZE_FORMAT
          " outside [0, 1]\n", path, r->width, r->height, bad, outside);
  g_free (px);
  g_object_unref (buffer);
  if (want_unit)
    return bad == 0 && outside == 0 ? 0 : 1;
  return bad > 0 ? 0 : 1;
}

static int
alpha (const gchar *a, const gchar *b)
{
  GeglBuffer *ba = load (a), *bb = load (b);
  const GeglRectangle *ra, *rb;
  gfloat *pa, *pb;
  gsize n, diff = 0;

  if (ba == NULL || bb == NULL)
    return 2;
  ra = gegl_buffer_get_extent (ba);
  rb = gegl_buffer_get_extent (bb);
  if (ra->width != rb->width || ra->height != rb->height)
    {
      printf ("sizes differ\n");
      return 1;
    }
  if (!babl_format_has_alpha (gegl_buffer_get_format (bb)))
    {
      printf ("%s has no alpha\n", b);
      return 1;
    }
  n = (gsize) ra->width * ra->height;
  pa = pixels (ba, "R'G'B'A float");
  pb = pixels (bb, "R'G'B'A float");
  for (gsize i = 0; i < n; i++)
    diff += memcmp (&pa[4 * i + 3], &pb[4 * i + 3], sizeof (gfloat)) != 0;
  printf ("%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " alpha values differ\n", diff, n);
  g_free (pa);
  g_free (pb);
  g_object_unref (ba);
  g_object_unref (bb);
  return diff == 0 ? 0 : 1;
}

static int
size (const gchar *path, gint w, gint h)
{
  GeglBuffer *buffer = load (path);
  int ok;

  if (buffer == NULL)
    return 2;
  ok = gegl_buffer_get_width (buffer) == w && gegl_buffer_get_height (buffer) == h;
  printf ("%s: %d x %d\n", path, gegl_buffer_get_width (buffer), gegl_buffer_get_height (buffer));
  g_object_unref (buffer);
  return ok ? 0 : 1;
}

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static int
weights (const gchar *in, const gchar *out, const gchar *what)
{
  g_autofree guint8 *data = NULL;
  GByteArray *result;
  gsize length, body, at;
  guint32 arch_len, name_len, ndim;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  GChecksum *sum;
  gboolean ok;

  if (!g_file_get_contents (in, (gchar **) &data, &length, NULL) || length < 64)
    return 2;
  body = length - 32;
  arch_len = get_u32 (data + 12);
  result = g_byte_array_new ();
  if (strcmp (what, "nan") == 0)
    {
      gfloat nan = NAN;

      g_byte_array_append (result, data, body);
      /* The first tensor: name length, name, ndim, dims, data. */
      at = 16 + arch_len + 4;
      name_len = get_u32 (data + at);
      at += 4 + name_len;
      ndim = get_u32 (data + at);
      at += 4 + 4 * (gsize) ndim;
      memcpy (result->data + at, &nan, sizeof nan);
    }
  else
    {
      guint8 len[4] = { strlen (what) & 0xff, (strlen (what) >> 8) & 0xff, 0, 0 };

      g_byte_array_append (result, data, 12);
      g_byte_array_append (result, len, 4);
      g_byte_array_append (result, (const guint8 *) what, strlen (what));
      g_byte_array_append (result, data + 16 + arch_len, body - 16 - arch_len);
    }
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, result->data, result->len);
  g_checksum_get_digest (sum, digest, &digest_len);
  g_checksum_free (sum);
  g_byte_array_append (result, digest, sizeof digest);
  ok = g_file_set_contents (out, (const gchar *) result->data, result->len, NULL);
  g_byte_array_free (result, TRUE);
  return ok ? 0 : 1;
}

int
main (int argc, char **argv)
{
  int status = 2;

  gegl_init (&argc, &argv);
  if (argc == 6 && strcmp (argv[1], "make") == 0)
    status = make (argv[2], atoi (argv[3]), atoi (argv[4]), argv[5]);
  else if (argc == 3 && strcmp (argv[1], "unit") == 0)
    status = scan (argv[2], TRUE);
  else if (argc == 3 && strcmp (argv[1], "nonfinite") == 0)
    status = scan (argv[2], FALSE);
  else if (argc == 4 && strcmp (argv[1], "alpha") == 0)
    status = alpha (argv[2], argv[3]);
  else if (argc == 5 && strcmp (argv[1], "size") == 0)
    status = size (argv[2], atoi (argv[3]), atoi (argv[4]));
  else if (argc == 5 && strcmp (argv[1], "weights") == 0)
    status = weights (argv[2], argv[3], argv[4]);
  else
    g_printerr ("usage: hostile-img make KIND W H OUT | unit FILE | nonfinite FILE "
                "| alpha A B | size FILE W H | weights IN OUT ARCH|nan\n");
  gegl_exit ();
  return status;
}
