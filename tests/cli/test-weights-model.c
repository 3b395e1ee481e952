/* The weights as a model: the loader's errors, the shipped files'
 * parameter counts, and the optional tensors a network file may carry (the
 * exposure floor, MODEL.md §5b; the Fusion-Net for brackets, §3b). The
 * container itself is tested by test-weights.c.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib.h>

#include "evenlight.h"
#include "weights.h"
#include "weights-builder.h"

#define NAME "sample.bin"

/* The model loader reports the architecture of a file made for another
 * network, and a missing tensor, both naming the file. */
static void
test_model_errors (void)
{
  GByteArray *bytes;
  GError *error = NULL;
  EvenlightModel *model;

  bytes = wb_sample ("evenlight-dequant-v1");
  model = evenlight_model_load_data (bytes->data, bytes->len, NAME, &error);
  g_assert_null (model);
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_ARCHITECTURE);
  g_assert_nonnull (strstr (error->message, NAME));
  g_clear_error (&error);
  g_byte_array_unref (bytes);

  bytes = wb_sample ("evenlight-net-v1");
  model = evenlight_model_load_data (bytes->data, bytes->len, NAME, &error);
  g_assert_null (model);
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, NAME));
  g_clear_error (&error);
  g_byte_array_unref (bytes);

  bytes = wb_begin (1, "evenlight-net-v1", 0);
  wb_seal (bytes);
  bytes->data[bytes->len - 5] ^= 0x40;
  model = evenlight_model_load_data (bytes->data, bytes->len, NAME, &error);
  g_assert_null (model);
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CHECKSUM);
  g_assert_nonnull (strstr (error->message, NAME));
  g_clear_error (&error);
  g_byte_array_unref (bytes);
}

/* The weights shipped for the tests and for users: the network of
 * weights/MODEL.md has 5284 parameters. */
static void
test_shipped (gconstpointer data)
{
  const gchar *rel = data;
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  g_autofree gchar *path = NULL;
  GError *error = NULL;
  EvenlightWeights *w;
  gsize total = 0;

  if (root == NULL)
    root = ".";
  path = g_build_filename (root, rel, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("file not present");
      return;
    }
  w = evenlight_weights_load (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < evenlight_weights_n_tensors (w); i++)
    total += evenlight_weights_tensor (w, i)->count;
  /* The exposure floor (§5b) is one number, not a parameter of the
   * network; the Fusion-Net for brackets (§3b) is a second network. */
  if (evenlight_weights_lookup (w, "exposure.floor") != NULL)
    total -= 1;
  if (evenlight_weights_lookup (w, "bracket.enc1.weight") != NULL)
    {
      gsize bracket = 0;

      for (guint i = 0; i < evenlight_weights_n_tensors (w); i++)
        if (g_str_has_prefix (evenlight_weights_tensor (w, i)->name, "bracket."))
          bracket += evenlight_weights_tensor (w, i)->count;
      g_assert_cmpuint (bracket, ==,
                        g_strcmp0 (evenlight_weights_architecture (w), "evenlight-net-v2") == 0
                        ? 1581 : 1530);
      total -= bracket;
    }
  /* weights/MODEL.md §6: 5284 parameters, 5335 with v2's global bias. */
  if (g_strcmp0 (evenlight_weights_architecture (w), "evenlight-net-v2") == 0)
    g_assert_cmpuint (total, ==, 5335);
  else
    {
      g_assert_cmpstr (evenlight_weights_architecture (w), ==, "evenlight-net-v1");
      g_assert_cmpuint (total, ==, 5284);
    }
  evenlight_weights_free (w);
}

/* A v2 file needs the Fusion-Net's global bias: v1's tensors under the v2
 * id are refused, naming the missing tensor and the file. */
static void
test_v2_needs_global (void)
{
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  g_autofree gchar *path = g_build_filename (root ? root : ".", "tests", "data",
                                             "golden-weights.bin", NULL);
  g_autofree gchar *contents = NULL;
  GByteArray *bytes;
  GError *error = NULL;
  EvenlightModel *model;
  gsize length;
  gchar *id;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  bytes = g_byte_array_new ();
  g_byte_array_append (bytes, (const guint8 *) contents, length);
  id = NULL;
  for (gsize i = 0; id == NULL && i + 16 <= bytes->len; i++)
    if (memcmp (bytes->data + i, "evenlight-net-v1", 16) == 0)
      id = (gchar *) bytes->data + i;
  g_assert_nonnull (id);
  id[strlen ("evenlight-net-v")] = '2';
  wb_reseal (bytes);
  model = evenlight_model_load_data (bytes->data, bytes->len, NAME, &error);
  g_assert_null (model);
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, NAME));
  g_assert_nonnull (strstr (error->message, "fusion.global"));
  g_clear_error (&error);
  g_byte_array_unref (bytes);
}

/* golden-weights.bin with one more tensor @name of @ndim @dims and
 * @values, loaded as a model. */
static EvenlightModel *
load_with (const gchar *name, guint ndim, const guint *dims, const gfloat *values,
           GError **error)
{
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  g_autofree gchar *path = g_build_filename (root ? root : ".", "tests", "data",
                                             "golden-weights.bin", NULL);
  g_autofree gchar *contents = NULL;
  GByteArray *bytes;
  EvenlightModel *model;
  guint32 id_length, count;
  gsize length, at;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  bytes = g_byte_array_new ();
  /* Everything but the checksum; then the tensor count + 1. */
  g_byte_array_append (bytes, (const guint8 *) contents, length - 32);
  memcpy (&id_length, bytes->data + 12, 4);
  at = 16 + GUINT32_FROM_LE (id_length);
  memcpy (&count, bytes->data + at, 4);
  count = GUINT32_TO_LE (GUINT32_FROM_LE (count) + 1);
  memcpy (bytes->data + at, &count, 4);
  wb_tensor (bytes, name, ndim, dims, values);
  wb_seal (bytes);
  model = evenlight_model_load_data (bytes->data, bytes->len, NAME, error);
  g_byte_array_unref (bytes);
  return model;
}

/* golden-weights.bin with "exposure.floor" (MODEL.md §5b) of @value: the
 * floor must be in (0, 1]. */
static EvenlightModel *
load_with_floor (gfloat value, GError **error)
{
  const guint one = 1;

  return load_with ("exposure.floor", 1, &one, &value, error);
}

/* The Fusion-Net for brackets (MODEL.md §3b) is all of its tensors or
 * none, with the single-image one's shapes: one tensor alone, or of
 * another shape, is refused, naming what is wrong. */
static void
test_bracket_fusion (void)
{
  const guint right[4] = { 6, 9, 3, 3 }, wrong[4] = { 6, 6, 3, 3 };
  static const gfloat zeros[6 * 9 * 3 * 3] = { 0 };
  GError *error = NULL;

  g_assert_null (load_with ("bracket.enc1.weight", 4, right, zeros, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, NAME));
  g_assert_nonnull (strstr (error->message, "bracket.enc1.bias"));
  g_clear_error (&error);
  g_assert_null (load_with ("bracket.enc1.weight", 4, wrong, zeros, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "bracket.enc1.weight"));
  g_clear_error (&error);
}

static void
test_exposure_floor (void)
{
  const gfloat bad[] = { 0.0f, -0.25f, 1.5f };
  GError *error = NULL;
  EvenlightModel *model;
  guint i;

  model = load_with_floor (0.4f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  evenlight_model_free (model);
  model = load_with_floor (1.0f, &error);
  g_assert_no_error (error);
  evenlight_model_free (model);
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      model = load_with_floor (bad[i], &error);
      g_assert_null (model);
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, NAME));
      g_assert_nonnull (strstr (error->message, "exposure floor"));
      g_clear_error (&error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/weights/model-errors", test_model_errors);
  g_test_add_func ("/weights/v2-needs-global", test_v2_needs_global);
  g_test_add_func ("/weights/exposure-floor", test_exposure_floor);
  g_test_add_func ("/weights/bracket-fusion", test_bracket_fusion);
  g_test_add_data_func ("/weights/shipped/golden", "tests/data/golden-weights.bin",
                        test_shipped);
  g_test_add_data_func ("/weights/shipped/default", "weights/evenlight-v1.bin",
                        test_shipped);
  g_test_add_data_func ("/weights/shipped/golden-v2", "tests/data/golden-v2-weights.bin",
                        test_shipped);
  return g_test_run ();
}
