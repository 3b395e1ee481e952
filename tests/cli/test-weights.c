/* The weights-file parser (core/weights.c): every error a user can meet,
 * each with its code and a message naming the file; robustness against
 * truncation and random damage; a valid round trip.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "evenlight.h"
#include "weights.h"
#include "weights-builder.h"

#define NAME "sample.bin"

/* Parses @bytes and expects the error @code with @needle in its message,
 * which must also name the file. */
static void
expect_error (const guint8 *data,
              gsize         length,
              gint          code,
              const gchar  *needle)
{
  GError *error = NULL;
  EvenlightWeights *w = evenlight_weights_parse (data, length, NAME, &error);

  g_assert_null (w);
  g_assert_error (error, EVENLIGHT_ERROR, code);
  if (strstr (error->message, NAME) == NULL
      || (needle != NULL && strstr (error->message, needle) == NULL))
    g_error ("message “%s” should name " NAME " and contain “%s”",
             error->message, needle ? needle : "");
  g_error_free (error);
}

static void
expect_error_bytes (GByteArray  *bytes,
                    gint         code,
                    const gchar *needle)
{
  expect_error (bytes->data, bytes->len, code, needle);
  g_byte_array_unref (bytes);
}

static void
test_round_trip (void)
{
  g_autoptr (GByteArray) bytes = wb_sample ("evenlight-net-v1");
  static const guint expected_ndim[] = { 4, 1, 2, 3 };
  GError *error = NULL;
  EvenlightWeights *w;

  w = evenlight_weights_parse (bytes->data, bytes->len, NAME, &error);
  g_assert_no_error (error);
  g_assert_nonnull (w);
  g_assert_cmpstr (evenlight_weights_name (w), ==, NAME);
  g_assert_cmpstr (evenlight_weights_architecture (w), ==, "evenlight-net-v1");
  g_assert_cmpuint (evenlight_weights_n_tensors (w), ==, WB_SAMPLE_TENSORS);
  for (guint i = 0; i < WB_SAMPLE_TENSORS; i++)
    {
      const EvenlightTensor *t = evenlight_weights_tensor (w, i);
      gsize count = 1;

      g_assert_cmpuint (t->ndim, ==, expected_ndim[i]);
      for (guint d = 0; d < t->ndim; d++)
        count *= t->dims[d];
      g_assert_cmpuint (t->count, ==, count);
      /* Aligned copies, never pointers into the file's bytes. */
      g_assert_cmpuint ((guintptr) t->data % 16, ==, 0);
      g_assert_true ((const guint8 *) t->data < bytes->data
                     || (const guint8 *) t->data >= bytes->data + bytes->len);
      for (gsize k = 0; k < count; k++)
        g_assert_cmpfloat (t->data[k], ==, wb_value (i, k));
      g_assert_true (evenlight_weights_lookup (w, t->name) == t);
    }
  g_assert_cmpstr (evenlight_weights_tensor (w, 0)->name, ==, "fusion.enc1.weight");
  g_assert_cmpuint (evenlight_weights_tensor (w, 0)->dims[1], ==, 9);
  g_assert_null (evenlight_weights_lookup (w, "fusion.enc1"));
  evenlight_weights_free (w);
}

static void
test_require (void)
{
  g_autoptr (GByteArray) bytes = wb_sample ("evenlight-net-v1");
  static const guint good[] = { 6, 9, 3, 3 }, bad[] = { 6, 9, 3, 1 };
  GError *error = NULL;
  EvenlightWeights *w;
  const gfloat *data;

  w = evenlight_weights_parse (bytes->data, bytes->len, NAME, &error);
  g_assert_no_error (error);
  data = evenlight_weights_require (w, "fusion.enc1.weight", 4, good, &error);
  g_assert_no_error (error);
  g_assert_true (data == evenlight_weights_tensor (w, 0)->data);

  g_assert_null (evenlight_weights_require (w, "fusion.enc1.weight", 4, bad, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, NAME));
  g_assert_nonnull (strstr (error->message, "[6, 9, 3, 3]"));
  g_assert_nonnull (strstr (error->message, "[6, 9, 3, 1]"));
  g_clear_error (&error);

  g_assert_null (evenlight_weights_require (w, "fusion.enc1.weight", 2, good, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
  g_clear_error (&error);

  g_assert_null (evenlight_weights_require (w, "restore.conv1.weight", 4, good, &error));
  g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, NAME));
  g_assert_nonnull (strstr (error->message, "restore.conv1.weight"));
  g_clear_error (&error);
  evenlight_weights_free (w);
}

static gchar *
write_temp (const gchar *dir,
            const gchar *base,
            const guint8 *data,
            gsize         length)
{
  gchar *path = g_build_filename (dir, base, NULL);
  GError *error = NULL;

  g_file_set_contents (path, (const gchar *) data, length, &error);
  g_assert_no_error (error);
  return path;
}

static void
expect_load_error (const gchar *path,
                   gint         code,
                   const gchar *needle)
{
  GError *error = NULL;
  EvenlightWeights *w = evenlight_weights_load (path, &error);

  g_assert_null (w);
  g_assert_error (error, EVENLIGHT_ERROR, code);
  if (strstr (error->message, path) == NULL
      || (needle != NULL && strstr (error->message, needle) == NULL))
    g_error ("message “%s” should name %s and contain “%s”", error->message,
             path, needle ? needle : "");
  g_error_free (error);
}

static void
test_files (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("evenlight-weights-XXXXXX", NULL);
  g_autoptr (GByteArray) bytes = wb_sample ("evenlight-net-v1");
  g_autofree gchar *good = write_temp (dir, "good.bin", bytes->data, bytes->len);
  g_autofree gchar *empty = write_temp (dir, "empty.bin", NULL, 0);
  g_autofree gchar *missing = g_build_filename (dir, "missing.bin", NULL);
  g_autofree gchar *big = g_build_filename (dir, "big.bin", NULL);
  g_autofree gchar *bigpng = g_build_filename (dir, "big.png", NULL);
  g_autofree gchar *unreadable = write_temp (dir, "unreadable.bin",
                                             bytes->data, bytes->len);
  GError *error = NULL;
  EvenlightWeights *w;
  FILE *f;

  w = evenlight_weights_load (good, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (evenlight_weights_name (w), "good.bin"));
  g_assert_cmpuint (evenlight_weights_n_tensors (w), ==, WB_SAMPLE_TENSORS);
  evenlight_weights_free (w);

  expect_load_error (missing, EVENLIGHT_ERROR_IO, "No such file");
  expect_load_error (dir, EVENLIGHT_ERROR_IO, "directory");
  expect_load_error (empty, EVENLIGHT_ERROR_FORMAT, "empty");

  /* Files far beyond any valid size are refused without reading them all
   * (sparse files: they cost no disk space). */
  f = fopen (big, "wb");
  fwrite ("EVNLIGHT", 1, 8, f);
  g_assert_cmpint (ftruncate (fileno (f), 64 << 20), ==, 0);
  fclose (f);
  expect_load_error (big, EVENLIGHT_ERROR_FORMAT, "larger than any valid");
  f = fopen (bigpng, "wb");
  fwrite ("\x89PNG\r\n\x1a\n", 1, 8, f);
  g_assert_cmpint (ftruncate (fileno (f), 64 << 20), ==, 0);
  fclose (f);
  expect_load_error (bigpng, EVENLIGHT_ERROR_FORMAT, "not an evenlight weights file");

  /* Permissions do not stop root, so that case is only checked for
   * other users. */
  g_chmod (unreadable, 0);
  if (geteuid () != 0)
    expect_load_error (unreadable, EVENLIGHT_ERROR_IO, "Permission denied");

  g_unlink (good);
  g_unlink (empty);
  g_unlink (big);
  g_unlink (bigpng);
  g_unlink (unreadable);
  g_rmdir (dir);
}

static void
test_magic_and_version (void)
{
  static const guint8 png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  GByteArray *bytes;

  expect_error (png, sizeof png - 1, EVENLIGHT_ERROR_FORMAT,
                "not an evenlight weights file");
  expect_error ((const guint8 *) "EVNLIGHX", 8, EVENLIGHT_ERROR_FORMAT,
                "not an evenlight weights file");
  expect_error ((const guint8 *) "X", 1, EVENLIGHT_ERROR_FORMAT,
                "not an evenlight weights file");
  expect_error ((const guint8 *) "", 0, EVENLIGHT_ERROR_FORMAT, "empty");

  bytes = wb_begin (2, "evenlight-net-v1", 0);
  wb_seal (bytes);
  expect_error_bytes (bytes, EVENLIGHT_ERROR_VERSION, "version 2");
  bytes = wb_begin (0, "evenlight-net-v1", 0);
  wb_seal (bytes);
  expect_error_bytes (bytes, EVENLIGHT_ERROR_VERSION, "version 0");
}

/* Every prefix of a valid file is reported as truncated, with where. */
static void
test_truncated (void)
{
  g_autoptr (GByteArray) bytes = wb_sample ("evenlight-net-v1");

  for (gsize n = 0; n < bytes->len; n++)
    {
      GError *error = NULL;
      EvenlightWeights *w = evenlight_weights_parse (bytes->data, n, NAME, &error);
      g_autofree gchar *where = g_strdup_printf ("ends after %" G_GSIZE_FORMAT
                                                 " bytes", n);

      g_assert_null (w);
      g_assert_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, NAME));
      if (n == 0)
        g_assert_nonnull (strstr (error->message, "empty"));
      else if (strstr (error->message, "truncated") == NULL
               || strstr (error->message, where) == NULL)
        g_error ("length %" G_GSIZE_FORMAT ": “%s”", n, error->message);
      g_error_free (error);
    }
}

static void
test_checksum (void)
{
  g_autoptr (GByteArray) bytes = wb_sample ("evenlight-net-v1");
  GByteArray *copy;

  /* A changed value, a changed checksum, a changed header field. */
  copy = g_byte_array_new ();
  g_byte_array_append (copy, bytes->data, bytes->len);
  copy->data[copy->len - 100] ^= 0x10;
  expect_error_bytes (copy, EVENLIGHT_ERROR_CHECKSUM, "damaged");

  copy = g_byte_array_new ();
  g_byte_array_append (copy, bytes->data, bytes->len);
  copy->data[copy->len - 1] ^= 0x01;
  expect_error_bytes (copy, EVENLIGHT_ERROR_CHECKSUM, "damaged");

  /* A tensor name's length field now claims 65 bytes: the structure is
   * wrong, but so is the checksum, so the file is damaged. */
  copy = g_byte_array_new ();
  g_byte_array_append (copy, bytes->data, bytes->len);
  copy->data[8 + 4 + 4 + 16 + 4] = 65;
  expect_error_bytes (copy, EVENLIGHT_ERROR_CHECKSUM, "damaged");

  /* Bytes after an intact checksum, and after a wrong one. */
  copy = g_byte_array_new ();
  g_byte_array_append (copy, bytes->data, bytes->len);
  g_byte_array_append (copy, (const guint8 *) "junk", 4);
  expect_error_bytes (copy, EVENLIGHT_ERROR_FORMAT, "4 unexpected bytes");
  copy = g_byte_array_new ();
  g_byte_array_append (copy, bytes->data, bytes->len);
  copy->data[copy->len - 40] ^= 1;
  g_byte_array_append (copy, (const guint8 *) "junk", 4);
  expect_error_bytes (copy, EVENLIGHT_ERROR_CHECKSUM, "damaged");
}

/* A file with one tensor of @ndim dims; sealed, so only the rule fails. */
static GByteArray *
one_tensor (const gchar *name,
            guint        ndim,
            const guint *dims,
            gsize        count)
{
  GByteArray *bytes = wb_begin (1, "evenlight-net-v1", 1);
  gfloat *data = g_new0 (gfloat, MAX (count, 1));

  wb_string (bytes, name);
  wb_u32 (bytes, ndim);
  for (guint d = 0; d < ndim; d++)
    wb_u32 (bytes, dims[d]);
  g_byte_array_append (bytes, (const guint8 *) data, (guint) (count * 4));
  g_free (data);
  wb_seal (bytes);
  return bytes;
}

static void
test_structure (void)
{
  static const guint d1[] = { 2 }, d0[] = { 0 }, dbig[] = { 65537 };
  static const guint d4max[] = { 65536, 65536, 65536, 65536 };
  static const guint d5[] = { 1, 1, 1, 1, 1 };
  g_autofree gchar *long_name = g_strnfill (65, 'a');
  g_autofree gchar *max_name = g_strnfill (64, 'a');
  GByteArray *bytes;
  GError *error = NULL;
  EvenlightWeights *w;

  expect_error_bytes (one_tensor ("t", 0, d1, 0), EVENLIGHT_ERROR_FORMAT,
                      "has 0 dimensions");
  expect_error_bytes (one_tensor ("t", 5, d5, 1), EVENLIGHT_ERROR_FORMAT,
                      "has 5 dimensions");
  expect_error_bytes (one_tensor ("t", 1, d0, 0), EVENLIGHT_ERROR_FORMAT,
                      "dimension 1 of tensor “t” is 0");
  expect_error_bytes (one_tensor ("t", 1, dbig, 0), EVENLIGHT_ERROR_FORMAT,
                      "is 65537");
  /* 2^64 floats: must neither overflow nor allocate. */
  expect_error_bytes (one_tensor ("t", 4, d4max, 0), EVENLIGHT_ERROR_FORMAT,
                      "more than 4194304 values");
  expect_error_bytes (one_tensor ("", 1, d1, 2), EVENLIGHT_ERROR_FORMAT,
                      "0 bytes long");
  expect_error_bytes (one_tensor (long_name, 1, d1, 2), EVENLIGHT_ERROR_FORMAT,
                      "65 bytes long");
  expect_error_bytes (one_tensor ("caf\xc3\xa9", 1, d1, 2), EVENLIGHT_ERROR_FORMAT,
                      "not printable ASCII");
  expect_error_bytes (one_tensor ("a\nb", 1, d1, 2), EVENLIGHT_ERROR_FORMAT,
                      "not printable ASCII");

  /* The longest allowed name is fine. */
  bytes = one_tensor (max_name, 1, d1, 2);
  w = evenlight_weights_parse (bytes->data, bytes->len, NAME, &error);
  g_assert_no_error (error);
  evenlight_weights_free (w);
  g_byte_array_unref (bytes);

  /* Too many tensors: refused from the count alone. */
  bytes = wb_begin (1, "evenlight-net-v1", 257);
  wb_seal (bytes);
  expect_error_bytes (bytes, EVENLIGHT_ERROR_FORMAT, "257 tensors");

  /* Two tensors of 2^21 + 1 floats: the sum breaks the 4 Mi limit. */
  {
    static const guint half[] = { 2049, 1024 };
    gsize n = 2049 * 1024;
    gfloat *zeros = g_new0 (gfloat, n);

    bytes = wb_begin (1, "evenlight-net-v1", 2);
    wb_tensor (bytes, "a", 2, half, zeros);
    wb_tensor (bytes, "b", 2, half, zeros);
    wb_seal (bytes);
    g_free (zeros);
    expect_error_bytes (bytes, EVENLIGHT_ERROR_FORMAT, "more than 4194304 values");
  }

  /* Duplicate names. */
  {
    static const gfloat v[2] = { 1, 2 };

    bytes = wb_begin (1, "evenlight-net-v1", 2);
    wb_tensor (bytes, "same", 1, d1, v);
    wb_tensor (bytes, "same", 1, d1, v);
    wb_seal (bytes);
    expect_error_bytes (bytes, EVENLIGHT_ERROR_FORMAT, "“same” twice");
  }

  /* Architecture ids. */
  bytes = wb_begin (1, "", 0);
  wb_seal (bytes);
  expect_error_bytes (bytes, EVENLIGHT_ERROR_FORMAT, "architecture id is 0 bytes");
  bytes = wb_begin (1, long_name, 0);
  wb_seal (bytes);
  expect_error_bytes (bytes, EVENLIGHT_ERROR_FORMAT, "architecture id is 65 bytes");

  /* No tensors at all is a valid container (the model rejects it). */
  bytes = wb_begin (1, "evenlight-dequant-v1", 0);
  wb_seal (bytes);
  w = evenlight_weights_parse (bytes->data, bytes->len, NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (evenlight_weights_architecture (w), ==, "evenlight-dequant-v1");
  g_assert_cmpuint (evenlight_weights_n_tensors (w), ==, 0);
  evenlight_weights_free (w);
  g_byte_array_unref (bytes);
}

static void
test_non_finite (void)
{
  static const guint dims[] = { 2, 2 };
  const gfloat bad[3] = { NAN, INFINITY, -INFINITY };
  static const gchar *words[3] = { "NaN", "infinite", "infinite" };

  for (guint i = 0; i < 3; i++)
    {
      gfloat data[4] = { 0.5f, -1.0f, 2.0f, 3.0f };
      GByteArray *bytes = wb_begin (1, "evenlight-net-v1", 2);

      wb_tensor (bytes, "fine", 2, dims, data);
      data[3] = bad[i];
      wb_tensor (bytes, "restore.out2.bias", 2, dims, data);
      wb_seal (bytes);
      expect_error_bytes (bytes, EVENLIGHT_ERROR_FORMAT, words[i]);

      bytes = wb_begin (1, "evenlight-net-v1", 1);
      wb_tensor (bytes, "restore.out2.bias", 2, dims, data);
      wb_seal (bytes);
      expect_error_bytes (bytes, EVENLIGHT_ERROR_FORMAT, "“restore.out2.bias”");
    }
}

/* Parses @data and checks the contract: a result or an error, never both,
 * and a result that is self-consistent. */
static void
check_any (const guint8 *data,
           gsize         length)
{
  GError *error = NULL;
  EvenlightWeights *w = evenlight_weights_parse (data, length, NAME, &error);

  g_assert_true ((w == NULL) != (error == NULL));
  if (error != NULL)
    {
      g_assert_true (error->domain == EVENLIGHT_ERROR);
      g_assert_cmpint (error->code, >=, EVENLIGHT_ERROR_FORMAT);
      g_assert_cmpint (error->code, <=, EVENLIGHT_ERROR_CHECKSUM);
      g_assert_nonnull (strstr (error->message, NAME));
      g_error_free (error);
      return;
    }
  for (guint i = 0; i < evenlight_weights_n_tensors (w); i++)
    {
      const EvenlightTensor *t = evenlight_weights_tensor (w, i);

      g_assert_cmpuint (t->ndim, >=, 1);
      g_assert_cmpuint (t->ndim, <=, 4);
      g_assert_cmpuint (t->count, <=, length / 4);
      for (gsize k = 0; k < t->count; k++)
        g_assert_true (isfinite (t->data[k]));
    }
  evenlight_weights_free (w);
}

/* Random damage with a fixed seed: flipped bits as they are (caught by
 * the checksum or the structure checks) and with the checksum recomputed
 * (so that the structure and value checks see them). */
static void
test_random_damage (void)
{
  g_autoptr (GByteArray) bytes = wb_sample ("evenlight-net-v1");
  GRand *rand = g_rand_new_with_seed (20260101);
  guint accepted = 0;

  for (guint iter = 0; iter < 4000; iter++)
    {
      GByteArray *copy = g_byte_array_new ();
      guint flips = g_rand_int_range (rand, 1, 4);
      /* Half the time aim at the header, where the structure is. */
      guint span = (iter & 1) ? 200 : bytes->len;

      g_byte_array_append (copy, bytes->data, bytes->len);
      for (guint f = 0; f < flips; f++)
        copy->data[g_rand_int_range (rand, 0, MIN (span, copy->len))]
          ^= 1u << g_rand_int_range (rand, 0, 8);
      check_any (copy->data, copy->len);
      wb_reseal (copy);
      {
        GError *error = NULL;
        EvenlightWeights *w = evenlight_weights_parse (copy->data, copy->len,
                                                       NAME, &error);
        if (w != NULL)
          accepted++;
        g_clear_error (&error);
        evenlight_weights_free (w);
      }
      check_any (copy->data, copy->len);
      g_byte_array_unref (copy);
    }
  /* Resealed flips in float data give valid files: the test did reach the
   * end of the parser. */
  g_assert_cmpuint (accepted, >, 100);

  /* Random bodies behind a valid header, sealed. */
  for (guint iter = 0; iter < 2000; iter++)
    {
      GByteArray *copy = wb_begin (1, "evenlight-net-v1",
                                   g_rand_int_range (rand, 0, 4));
      guint n = g_rand_int_range (rand, 0, 64);

      for (guint k = 0; k < n; k++)
        {
          guint8 b = (guint8) g_rand_int_range (rand, 0, 8);

          g_byte_array_append (copy, &b, 1);
        }
      wb_seal (copy);
      check_any (copy->data, copy->len);
      g_byte_array_unref (copy);
    }
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/weights/round-trip", test_round_trip);
  g_test_add_func ("/weights/require", test_require);
  g_test_add_func ("/weights/files", test_files);
  g_test_add_func ("/weights/magic-and-version", test_magic_and_version);
  g_test_add_func ("/weights/truncated", test_truncated);
  g_test_add_func ("/weights/checksum", test_checksum);
  g_test_add_func ("/weights/structure", test_structure);
  g_test_add_func ("/weights/non-finite", test_non_finite);
  g_test_add_func ("/weights/random-damage", test_random_damage);
  return g_test_run ();
}
