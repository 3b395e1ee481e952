/* evenlight — test helper for the GIMP tests: makes test images and
 * compares images, through GEGL so that every depth GIMP exports (8- and
 * 16-bit PNG, float TIFF) is read the same way the CLI reads it.
 *
 *   imgtool make KIND DEPTH WIDTH HEIGHT OUT
 *       KIND rgb | rgba | gray | graya; DEPTH 8 | 16 | float (float: TIFF).
 *       A dim, unevenly lit synthetic scene with colour patches and
 *       deterministic noise; smooth values, so 16-bit and float images
 *       carry more than 8 bits.
 *   imgtool format FILE [PATTERN]
 *       Prints the pixel format GEGL loads FILE as, e.g. "R'G'B'A u16";
 *       with PATTERN (a glob), fails when the format does not match it.
 *   imgtool compare A B [--tolerance T] [--channels colour|alpha]
 *                       [--inside X,Y,W,H | --outside X,Y,W,H] [--differ]
 *       Compares A and B as R'G'B'A float (gray as R = G = B), over the
 *       pixels selected; exit 0 when the largest difference is <= T (with
 *       --differ: when it is > T), 1 otherwise, 2 on errors.
 *   imgtool run FILE
 *       Runs one "LABEL compare ..." or "LABEL format ..." command per line
 *       of FILE in this one process (starting GEGL costs more than a
 *       comparison) and prints "ok - LABEL: ..." or "not ok - LABEL: ..."
 *       for each; exits 1 when any failed.
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

static GeglBuffer *
load (const gchar *path, GString *msg)
{
  GeglBuffer *buffer;

  if (! g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_string_append_printf (msg, "%s: no such file", path);
      return NULL;
    }
  buffer = evenlight_test_gegl_load (path);
  if (buffer == NULL)
    g_string_append_printf (msg, "%s: cannot load", path);
  return buffer;
}

static gfloat *
read_rgba (GeglBuffer *buffer)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (buffer);
  gfloat *px = g_new (gfloat, 4 * (gsize) extent->width * extent->height);
  const Babl *format = babl_format_with_space ("R'G'B'A float",
                                               gegl_buffer_get_format (buffer));

  gegl_buffer_get (buffer, extent, 1.0, format, px, GEGL_AUTO_ROWSTRIDE,
                   GEGL_ABYSS_NONE);
  return px;
}

/* Deterministic noise in [-0.5, 0.5). */
static gdouble
noise (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return (*state >> 8) / 16777216.0 - 0.5;
}

static int
cmd_make (const gchar *kind, const gchar *depth, gint width, gint height,
          const gchar *out)
{
  gboolean    gray = g_str_equal (kind, "gray") || g_str_equal (kind, "graya");
  gboolean    alpha = g_str_equal (kind, "rgba") || g_str_equal (kind, "graya");
  gboolean    is_float = g_str_equal (depth, "float");
  const gchar *name;
  GeglRectangle r = { 0, 0, width, height };
  GeglBuffer *buffer;
  GeglNode   *graph, *src, *save;
  gfloat     *px;
  gint        nc, x, y, c;
  guint32     state = 12345;

  if (! gray && ! alpha && ! g_str_equal (kind, "rgb"))
    return 2;
  nc = (gray ? 1 : 3) + alpha;
  name = gray ? (alpha ? "Y'A float" : "Y' float")
              : (alpha ? "R'G'B'A float" : "R'G'B' float");
  px = g_new (gfloat, (gsize) nc * width * height);
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      {
        gdouble u = (gdouble) x / width, v = (gdouble) y / height;
        /* Illumination: a dark left half and a bright window top right. */
        gdouble light = 0.08 + 0.55 * u * u + 0.6 * exp (-((u - 0.85) * (u - 0.85) + (v - 0.2) * (v - 0.2)) / 0.01);
        gdouble base[3] = { 0.55 + 0.3 * sin (9 * u), 0.45 + 0.3 * cos (7 * v), 0.5 };
        gfloat *p = px + ((gsize) y * width + x) * nc;

        if (((x / 24) + (y / 24)) % 3 == 0)
          {
            base[0] = 0.9; base[1] = 0.25; base[2] = 0.15;
          }
        for (c = 0; c < (gray ? 1 : 3); c++)
          {
            gdouble value = gray ? (base[0] + base[1] + base[2]) / 3 : base[c];

            p[c] = (gfloat) CLAMP (value * light + 0.02 * noise (&state), 0.0, 1.0);
          }
        if (alpha)
          p[nc - 1] = (gfloat) CLAMP (1.2 - 1.5 * hypot (u - 0.5, v - 0.5), 0.0, 1.0);
      }
  buffer = gegl_buffer_new (&r, babl_format (name));
  gegl_buffer_set (buffer, &r, 0, babl_format (name), px, GEGL_AUTO_ROWSTRIDE);
  g_free (px);

  graph = gegl_node_new ();
  src = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                             "buffer", buffer, NULL);
  if (is_float)
    save = gegl_node_new_child (graph, "operation", "gegl:tiff-save",
                                "path", out, NULL);
  else
    save = gegl_node_new_child (graph, "operation", "gegl:png-save",
                                "path", out,
                                "bitdepth", g_str_equal (depth, "16") ? 16 : 8,
                                NULL);
  gegl_node_link (src, save);
  gegl_node_process (save);
  g_object_unref (graph);
  g_object_unref (buffer);
  return 0;
}

static gboolean
parse_rect (const gchar *s, GeglRectangle *r)
{
  return sscanf (s, "%d,%d,%d,%d", &r->x, &r->y, &r->width, &r->height) == 4;
}

/* argv[0] is "compare"; returns 0 (as expected), 1 (not) or 2 (error),
 * with the report in @msg. */
static int
cmd_compare (int argc, char **argv, GString *msg)
{
  GeglBuffer   *a, *b;
  gfloat       *pa, *pb;
  gdouble       tolerance = 0.0, max = 0.0, sum = 0.0;
  gboolean      differ = FALSE, colour = TRUE, alpha = TRUE;
  gint          region = 0;  /* 0 all, 1 inside, -1 outside */
  GeglRectangle rect = { 0 };
  gint          w, h, x, y, c, i, maxx = 0, maxy = 0;
  gsize         count = 0, above = 0;
  gboolean      ok;
  gchar        *name_a, *name_b;

  if (argc < 3)
    {
      g_string_append (msg, "compare needs two files");
      return 2;
    }
  for (i = 3; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--tolerance") && i + 1 < argc)
        tolerance = g_ascii_strtod (argv[++i], NULL);
      else if (g_str_equal (argv[i], "--channels") && i + 1 < argc)
        {
          i++;
          colour = g_str_equal (argv[i], "colour");
          alpha = g_str_equal (argv[i], "alpha");
        }
      else if ((g_str_equal (argv[i], "--inside") || g_str_equal (argv[i], "--outside"))
               && i + 1 < argc && parse_rect (argv[i + 1], &rect))
        {
          region = g_str_equal (argv[i], "--inside") ? 1 : -1;
          i++;
        }
      else if (g_str_equal (argv[i], "--differ"))
        differ = TRUE;
      else
        {
          g_string_append_printf (msg, "compare: bad option %s", argv[i]);
          return 2;
        }
    }

  a = load (argv[1], msg);
  b = a != NULL ? load (argv[2], msg) : NULL;
  if (b == NULL)
    {
      g_clear_object (&a);
      return 2;
    }
  w = gegl_buffer_get_width (a);
  h = gegl_buffer_get_height (a);
  if (w != gegl_buffer_get_width (b) || h != gegl_buffer_get_height (b))
    {
      g_string_append_printf (msg, "size differs: %d x %d against %d x %d", w, h,
                              gegl_buffer_get_width (b), gegl_buffer_get_height (b));
      g_object_unref (a);
      g_object_unref (b);
      return 1;
    }
  pa = read_rgba (a);
  pb = read_rgba (b);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      {
        gboolean in = x >= rect.x && x < rect.x + rect.width &&
                      y >= rect.y && y < rect.y + rect.height;
        gsize    o = 4 * ((gsize) y * w + x);

        if ((region == 1 && ! in) || (region == -1 && in))
          continue;
        for (c = 0; c < 4; c++)
          {
            gdouble d;

            if ((c < 3 && ! colour) || (c == 3 && ! alpha))
              continue;
            d = fabs ((gdouble) pa[o + c] - pb[o + c]);
            if (! (d <= max))   /* NaN counts as the largest difference */
              {
                max = isnan (d) ? INFINITY : d;
                maxx = x;
                maxy = y;
              }
            sum += d;
            count++;
            above += ! (d <= tolerance);
          }
      }
  ok = differ ? max > tolerance : max <= tolerance;
  name_a = g_path_get_basename (argv[1]);
  name_b = g_path_get_basename (argv[2]);
  g_string_append_printf (msg, "%s vs %s: max difference %.3g at (%d, %d) "
                          "(%.2f / 255), mean %.3g over %" G_GSIZE_FORMAT
                          " values, %" G_GSIZE_FORMAT " above the tolerance %.3g%s",
                          name_a, name_b,
                          max, maxx, maxy, max * 255, count ? sum / count : 0.0,
                          count, above, tolerance, differ ? " (must differ)" : "");
  g_free (name_a);
  g_free (name_b);
  g_free (pa);
  g_free (pb);
  g_object_unref (a);
  g_object_unref (b);
  return ok ? 0 : 1;
}

/* argv[0] is "format"; with a pattern, returns 1 when it does not match. */
static int
cmd_format (int argc, char **argv, GString *msg)
{
  GeglBuffer  *buffer;
  const gchar *name;
  int          rc = 0;

  if (argc < 2 || argc > 3)
    {
      g_string_append (msg, "format needs a file and an optional pattern");
      return 2;
    }
  buffer = load (argv[1], msg);
  if (buffer == NULL)
    return 2;
  name = babl_get_name (gegl_buffer_get_format (buffer));
  g_string_append (msg, name);
  if (argc == 3 && ! g_pattern_match_simple (argv[2], name))
    {
      g_string_append_printf (msg, " (expected %s)", argv[2]);
      rc = 1;
    }
  g_object_unref (buffer);
  return rc;
}

static int
cmd_any (int argc, char **argv, GString *msg)
{
  if (argc >= 1 && g_str_equal (argv[0], "compare"))
    return cmd_compare (argc, argv, msg);
  if (argc >= 1 && g_str_equal (argv[0], "format"))
    return cmd_format (argc, argv, msg);
  g_string_append (msg, "unknown command");
  return 2;
}

static int
cmd_run (const gchar *path)
{
  gchar  *text, **lines;
  int     i, failed = 0;

  if (! g_file_get_contents (path, &text, NULL, NULL))
    {
      g_printerr ("imgtool: cannot read %s\n", path);
      return 2;
    }
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      gchar  **args = NULL;
      gint     n;
      GString *msg;
      int      rc;

      if (g_strstrip (lines[i])[0] == '\0' || lines[i][0] == '#')
        continue;
      if (! g_shell_parse_argv (lines[i], &n, &args, NULL) || n < 2)
        {
          printf ("not ok - cannot parse: %s\n", lines[i]);
          failed++;
          g_strfreev (args);
          continue;
        }
      msg = g_string_new (NULL);
      rc = cmd_any (n - 1, args + 1, msg);
      printf ("%s - %s: %s\n", rc == 0 ? "ok" : "not ok", args[0], msg->str);
      failed += rc != 0;
      g_string_free (msg, TRUE);
      g_strfreev (args);
    }
  g_strfreev (lines);
  g_free (text);
  return failed ? 1 : 0;
}

int
main (int argc, char **argv)
{
  int rc = 2;

  gegl_init (&argc, &argv);
  if (argc == 7 && g_str_equal (argv[1], "make"))
    rc = cmd_make (argv[2], argv[3], atoi (argv[4]), atoi (argv[5]), argv[6]);
  else if (argc == 3 && g_str_equal (argv[1], "run"))
    rc = cmd_run (argv[2]);
  else if (argc >= 2)
    {
      GString *msg = g_string_new (NULL);

      rc = cmd_any (argc - 1, argv + 1, msg);
      printf ("%s\n", msg->str);
      g_string_free (msg, TRUE);
    }
  else
    g_printerr ("usage: imgtool make KIND DEPTH W H OUT | format FILE [PATTERN] | "
                "compare A B [options] | run FILE\n");
  gegl_exit ();
  return rc;
}
