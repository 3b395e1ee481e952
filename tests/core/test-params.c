/* Parameters, errors and the default weights path.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "evenlight.h"

#include <math.h>
#include <string.h>

static void
expect_invalid (EvenlightParams params, const gchar *name, const gchar *symbol)
{
  GError *error = NULL;

  g_assert_false (evenlight_params_validate (&params, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_nonnull (strstr (error->message, symbol));
  g_assert_nonnull (strstr (error->message, "between 0 and 1"));
  g_error_free (error);
}

static void
test_params (void)
{
  EvenlightParams p;
  GError *error = NULL;

  evenlight_params_init_default (&p);
  g_assert_cmpfloat (p.shadows, ==, EVENLIGHT_DEFAULT_SHADOWS);
  g_assert_cmpfloat (p.highlights, ==, EVENLIGHT_DEFAULT_HIGHLIGHTS);
  g_assert_cmpfloat (p.denoise, ==, EVENLIGHT_DEFAULT_DENOISE);
  g_assert_true (evenlight_params_validate (&p, &error));
  g_assert_no_error (error);

  g_assert_true (evenlight_params_validate (&(EvenlightParams) { 0.0f, 0.0f, 0.0f }, NULL));
  g_assert_true (evenlight_params_validate (&(EvenlightParams) { 1.0f, 1.0f, 1.0f }, NULL));

  expect_invalid ((EvenlightParams) { -0.01f, 0.5f, 0.5f }, "Shadows", "γ1");
  expect_invalid ((EvenlightParams) { NAN, 0.5f, 0.5f }, "Shadows", "γ1");
  expect_invalid ((EvenlightParams) { 0.5f, 1.5f, 0.5f }, "Highlights", "γ2");
  expect_invalid ((EvenlightParams) { 0.5f, INFINITY, 0.5f }, "Highlights", "γ2");
  expect_invalid ((EvenlightParams) { 0.5f, 0.5f, 2.0f }, "Denoise", "γ3");
  expect_invalid ((EvenlightParams) { 0.5f, 0.5f, -INFINITY }, "Denoise", "γ3");

  g_assert_false (evenlight_params_validate (NULL, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
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
  g_test_add_func ("/core/params/default-path", test_default_path);
  g_test_add_func ("/core/model/errors", test_model_errors);
  g_test_add_func ("/core/model/architecture", test_model_architecture);
  g_test_add_func ("/core/model/tensors", test_model_tensors);
  return g_test_run ();
}
