/* Parameters, errors and the default weights path.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "laic.h"
#include "params.h"

#include <math.h>
#include <string.h>

/* Out of @spec's range by @value: refused, the message names the slider,
 * its symbol and its range (as the table states them). */
static void
expect_invalid (const EvenlightParamSpec *spec, gfloat value)
{
  EvenlightParams params;
  GError *error = NULL;
  g_autofree gchar *range = g_strdup_printf ("between %g and %g", spec->min, spec->max);

  evenlight_params_init_default (&params);
  evenlight_param_set (spec, &params, value);
  g_assert_false (evenlight_params_validate (&params, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, spec->label));
  g_assert_nonnull (strstr (error->message, spec->symbol));
  g_assert_nonnull (strstr (error->message, range));
  g_error_free (error);
}

/* Each field of EvenlightParams is an entry of the table, in order, and
 * the table's ranges, defaults and messages are what the engine applies. */
static void
test_params (void)
{
  const gchar *fields[] = { "shadows", "highlights", "denoise" };
  const gfloat defaults[] = { EVENLIGHT_DEFAULT_SHADOWS, EVENLIGHT_DEFAULT_HIGHLIGHTS,
                              EVENLIGHT_DEFAULT_DENOISE };
  const EvenlightParamSpec *table;
  EvenlightParams p;
  GError *error = NULL;
  guint n;

  table = evenlight_params_table (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (fields));
  evenlight_params_init_default (&p);
  for (guint i = 0; i < n; i++)
    {
      const EvenlightParamSpec *spec = &table[i];
      EvenlightParams q = p;
      gfloat outside[] = { spec->min - 0.01, spec->max + 0.01, spec->max + 0.5,
                           NAN, INFINITY, -INFINITY };

      g_assert_cmpstr (spec->name, ==, fields[i]);
      g_assert_true (evenlight_param_find (table, n, spec->name) == spec);
      g_assert_cmpuint (spec->offset, ==, i * sizeof (gfloat));
      g_assert_cmpfloat (evenlight_param_get (spec, &p), ==, defaults[i]);
      g_assert_cmpfloat (spec->min, <, spec->max);
      g_assert_cmpfloat (spec->default_value, >=, spec->min);
      g_assert_cmpfloat (spec->default_value, <=, spec->max);
      g_assert_nonnull (spec->symbol);
      g_assert_cmpint (evenlight_param_digits (spec), >=, 0);

      /* Both ends of the range are allowed. */
      evenlight_param_set (spec, &q, spec->min);
      g_assert_true (evenlight_params_validate (&q, NULL));
      evenlight_param_set (spec, &q, spec->max);
      g_assert_true (evenlight_params_validate (&q, NULL));
      for (guint k = 0; k < G_N_ELEMENTS (outside); k++)
        expect_invalid (spec, outside[k]);
    }
  g_assert_true (evenlight_params_validate (&p, &error));
  g_assert_no_error (error);
  g_assert_null (evenlight_param_find (table, n, "brightness"));

  g_assert_false (evenlight_params_validate (NULL, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* The dark-photo procedure's table: the dequantization switch, on by
 * default, then Contrast (LAIC's λ2), whose default is LAIC's own, so that
 * the results of today's calls do not change; plug-in-evenlight-dark
 * keeps only the switch. */
static void
test_dark_params (void)
{
  const EvenlightParamSpec *table, *spec;
  EvenlightDarkParams p;
  GError *error = NULL;
  guint n;

  table = evenlight_dark_params_table (&n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (EVENLIGHT_DARK_V1_N_PARAMS, ==, 1);
  spec = evenlight_param_find (table, n, "dequantize");
  g_assert_true (spec == &table[0]);
  g_assert_cmpint (spec->type, ==, EVENLIGHT_PARAM_BOOLEAN);
  evenlight_dark_params_init_default (&p);
  g_assert_true (p.dequantize == (spec->default_value != 0.0));
  g_assert_true (evenlight_param_table_validate (table, n, &p, NULL));
  g_assert_true (evenlight_param_check (spec, 0.0, NULL));
  g_assert_true (evenlight_param_check (spec, 1.0, NULL));
  g_assert_false (evenlight_param_check (spec, 2.0, &error));
  g_assert_nonnull (strstr (error->message, spec->label));
  g_clear_error (&error);

  spec = evenlight_param_find (table, n, "contrast");
  g_assert_true (spec == &table[1]);
  g_assert_cmpint (spec->type, ==, EVENLIGHT_PARAM_FLOAT);
  g_assert_cmpstr (spec->symbol, ==, "λ2");
  g_assert_cmpfloat (p.contrast, ==, EVENLIGHT_LAIC_DEFAULT_CONTRAST);
  g_assert_cmpfloat (spec->default_value, ==, EVENLIGHT_LAIC_DEFAULT_CONTRAST);
  g_assert_cmpfloat (spec->min, ==, 0.0);
  g_assert_cmpfloat (spec->default_value, <, spec->max);
  for (gdouble v = spec->min; v <= spec->max; v += spec->max - spec->min)
    {
      EvenlightDarkParams q = p;
      evenlight_param_set (spec, &q, v);
      g_assert_true (evenlight_param_table_validate (table, n, &q, NULL));
    }
  {
    const gdouble outside[] = { spec->min - 0.01, spec->max + 0.01, NAN, INFINITY };
    g_autofree gchar *range = g_strdup_printf ("between %g and %g", spec->min,
                                               spec->max);

    for (guint k = 0; k < G_N_ELEMENTS (outside); k++)
      {
        EvenlightDarkParams q = p;

        evenlight_param_set (spec, &q, outside[k]);
        g_assert_false (evenlight_param_table_validate (table, n, &q, &error));
        g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
        g_test_message ("%s", error->message);
        g_assert_nonnull (strstr (error->message, "Contrast (λ2)"));
        g_assert_nonnull (strstr (error->message, range));
        g_clear_error (&error);
      }
  }
}

/* A number in README text: "1.0", "0.4". */
static gdouble
readme_number (const gchar *text)
{
  gchar *end;
  gdouble v = g_ascii_strtod (text, &end);

  g_assert_true (end != text);
  return v;
}

/* A slider table of the README (its header starts with @header: "|
 * slider | symbol | what it does | range | default |") has one row per
 * slider (float entry) of @table, in order, with its label, symbol, range
 * and default. */
static void
check_readme_table (const gchar              *header,
                    const EvenlightParamSpec *table,
                    guint                     n)
{
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  g_autofree gchar *path = NULL, *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint row = 0, n_sliders = 0, next = 0;
  gboolean in_table = FALSE;

  g_assert_nonnull (root);
  path = g_build_filename (root, "README.md", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (guint i = 0; i < n; i++)
    n_sliders += table[i].type == EVENLIGHT_PARAM_FLOAT;
  lines = g_strsplit (text, "\n", -1);
  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_auto (GStrv) cells = NULL;
      g_auto (GStrv) range = NULL;
      const EvenlightParamSpec *spec;

      if (g_str_has_prefix (lines[l], header))
        {
          g_assert_false (in_table);   /* one such table */
          in_table = TRUE;
          cells = g_strsplit (lines[l], "|", -1);
          g_assert_cmpuint (g_strv_length (cells), ==, 7);
          g_assert_cmpstr (g_strstrip (cells[4]), ==, "range");
          g_assert_cmpstr (g_strstrip (cells[5]), ==, "default");
          l++;                          /* the |---| line */
          continue;
        }
      if (!in_table)
        continue;
      if (lines[l][0] != '|')
        {
          in_table = FALSE;
          continue;
        }
      cells = g_strsplit (lines[l], "|", -1);
      g_assert_cmpuint (g_strv_length (cells), ==, 7);
      while (next < n && table[next].type != EVENLIGHT_PARAM_FLOAT)
        next++;
      g_assert_cmpuint (next, <, n);
      spec = &table[next++];
      row++;
      g_test_message ("README: %s", lines[l]);
      g_assert_cmpstr (g_strstrip (cells[1]), ==, spec->label);
      g_assert_cmpstr (g_strstrip (cells[2]), ==, spec->symbol);
      range = g_strsplit (g_strstrip (cells[4]), "–", 2);   /* "0 – 1" */
      g_assert_cmpuint (g_strv_length (range), ==, 2);
      g_assert_cmpfloat (readme_number (g_strstrip (range[0])), ==, spec->min);
      g_assert_cmpfloat (readme_number (g_strstrip (range[1])), ==, spec->max);
      g_assert_cmpfloat ((gfloat) readme_number (g_strstrip (cells[5])), ==,
                         (gfloat) spec->default_value);
    }
  g_assert_cmpuint (row, ==, n_sliders);
}

static void
test_readme_table (void)
{
  const EvenlightParamSpec *table;
  guint n;

  table = evenlight_params_table (&n);
  check_readme_table ("| slider | symbol |", table, n);
  table = evenlight_dark_params_table (&n);
  check_readme_table ("| dark-photo slider | symbol |", table, n);
}

static void
test_default_path (void)
{
  const gchar *path;

  g_unsetenv ("EVENLIGHT_WEIGHTS");
  path = evenlight_default_weights_path ();
  g_assert_nonnull (path);
  g_assert_true (g_str_has_suffix (path, G_DIR_SEPARATOR_S "evenlight-v1.bin"));
  g_assert_true (g_path_is_absolute (path));

  g_setenv ("EVENLIGHT_WEIGHTS", "/some/where/else.bin", TRUE);
  path = evenlight_default_weights_path ();
  g_setenv ("EVENLIGHT_WEIGHTS", "/changed", TRUE);
  g_assert_cmpstr (path, ==, "/some/where/else.bin");   /* still valid */
  g_setenv ("EVENLIGHT_WEIGHTS", "", TRUE);
  g_assert_true (g_str_has_suffix (evenlight_default_weights_path (), "evenlight-v1.bin"));
  g_unsetenv ("EVENLIGHT_WEIGHTS");
}

static void
test_model_errors (void)
{
  GError *error = NULL;
  static const guint8 junk[] = "not a weights file at all";

  g_assert_null (evenlight_model_load ("/nonexistent/evenlight.bin", &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/evenlight.bin"));
  g_clear_error (&error);

  g_assert_null (evenlight_model_load_data (junk, sizeof junk, "junk.bin", &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == EVENLIGHT_ERROR);
  g_assert_nonnull (strstr (error->message, "junk.bin"));
  g_clear_error (&error);

  g_assert_null (evenlight_model_load (NULL, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* The golden container holds test vectors, not a network: refused by
 * architecture. */
static void
test_model_architecture (void)
{
  const gchar *dir = g_getenv ("EVENLIGHT_TEST_DATA");
  gchar *path;
  GError *error = NULL;
  EvenlightModel *model;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "golden.bin", NULL);
  g_assert_null (evenlight_model_load (path, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_ARCHITECTURE);
  g_assert_nonnull (strstr (error->message, "evenlight-golden-v1"));
  g_clear_error (&error);
  g_free (path);

  path = g_build_filename (dir, "golden-weights.bin", NULL);
  model = evenlight_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  evenlight_model_free (model);
  g_free (path);
}

/* A little-endian u32 at any alignment (the test runs on little-endian
 * hosts, like the files it edits). */
static guint32
read_u32 (const gchar *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

/* A weights file rebuilt from golden-weights.bin with one tensor changed:
 * @drop removes it, otherwise its first dimension becomes @dim0. */
static GBytes *
rebuild_weights (const gchar *victim, gboolean drop, guint dim0)
{
  const gchar *dir = g_getenv ("EVENLIGHT_TEST_DATA");
  gchar *path = g_build_filename (dir, "golden-weights.bin", NULL);
  GByteArray *out = g_byte_array_new ();
  GChecksum *sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest, length, o;
  gchar *data;
  guint32 n, count, i, k, kept = 0;
  guint count_at;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
#define U32(at) read_u32 (data + (at))
  o = 12;
  n = U32 (o);
  o += 4 + n;                                   /* architecture id */
  g_byte_array_append (out, (const guint8 *) data, o);
  count = U32 (o);
  count_at = out->len;
  g_byte_array_append (out, (const guint8 *) &count, 4);
  o += 4;
  for (i = 0; i < count; i++)
    {
      gsize start = o, floats = 1;
      guint32 name_len = U32 (o), ndim;
      gboolean hit = name_len == strlen (victim) && memcmp (data + o + 4, victim, name_len) == 0;

      o += 4 + name_len;
      ndim = U32 (o);
      for (k = 0; k < ndim; k++)
        floats *= U32 (o + 4 + 4 * k);
      o += 4 + 4 * ndim + 4 * floats;
      if (hit && drop)
        continue;
      kept++;
      if (hit)
        {
          /* the same name and remaining dimensions, dims[0] = dim0, and
           * zeros for the data */
          gsize per = floats / U32 (start + 4 + name_len + 4), f;
          guint32 d0 = dim0;
          g_byte_array_append (out, (const guint8 *) data + start, 4 + name_len + 4);
          g_byte_array_append (out, (const guint8 *) &d0, 4);
          g_byte_array_append (out, (const guint8 *) data + start + 4 + name_len + 8, 4 * (ndim - 1));
          for (f = 0; f < per * dim0; f++)
            {
              gfloat zero = 0.0f;
              g_byte_array_append (out, (const guint8 *) &zero, 4);
            }
        }
      else
        g_byte_array_append (out, (const guint8 *) data + start, o - start);
    }
#undef U32
  memcpy (out->data + count_at, &kept, 4);
  g_checksum_update (sha, out->data, out->len);
  g_checksum_get_digest (sha, digest, &digest_len);
  g_byte_array_append (out, digest, 32);
  g_checksum_free (sha);
  g_free (data);
  g_free (path);
  return g_byte_array_free_to_bytes (out);
}

static void
test_model_tensors (void)
{
  static const gchar *victims[] = { "fusion.enc1.weight", "restore.out3.bias", "illum.global.weight" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (victims); i++)
    {
      gint drop;

      for (drop = 0; drop < 2; drop++)
        {
          GBytes *bytes = rebuild_weights (victims[i], drop, 5);
          GError *error = NULL;
          gsize len;
          const guint8 *d = g_bytes_get_data (bytes, &len);

          g_assert_null (evenlight_model_load_data (d, len, "edited.bin", &error));
          g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
          g_test_message ("%s", error->message);
          g_assert_nonnull (strstr (error->message, victims[i]));
          g_assert_nonnull (strstr (error->message, "edited.bin"));
          g_clear_error (&error);
          g_bytes_unref (bytes);
        }
    }

  /* Unchanged, the rebuilt file loads: the edits above are what fail. */
  {
    GBytes *bytes = rebuild_weights ("no such tensor", TRUE, 0);
    gsize len;
    const guint8 *d = g_bytes_get_data (bytes, &len);
    EvenlightModel *model = evenlight_model_load_data (d, len, "same.bin", NULL);

    g_assert_nonnull (model);
    evenlight_model_free (model);
    g_bytes_unref (bytes);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/params/validate", test_params);
  g_test_add_func ("/core/params/dark", test_dark_params);
  g_test_add_func ("/core/params/readme", test_readme_table);
  g_test_add_func ("/core/params/default-path", test_default_path);
  g_test_add_func ("/core/model/errors", test_model_errors);
  g_test_add_func ("/core/model/architecture", test_model_architecture);
  g_test_add_func ("/core/model/tensors", test_model_tensors);
  return g_test_run ();
}
