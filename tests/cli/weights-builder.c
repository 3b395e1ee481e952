/* Builds weights containers in memory for the tests (see weights-builder.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "weights-builder.h"

#define MAGIC "EVNLIGHT"

void
wb_u32 (GByteArray *bytes,
        guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);

  g_byte_array_append (bytes, (const guint8 *) &le, 4);
}

void
wb_string (GByteArray  *bytes,
           const gchar *text)
{
  wb_u32 (bytes, (guint32) strlen (text));
  g_byte_array_append (bytes, (const guint8 *) text, (guint) strlen (text));
}

GByteArray *
wb_begin (guint32      version,
          const gchar *architecture,
          guint32      n_tensors)
{
  GByteArray *bytes = g_byte_array_new ();

  g_byte_array_append (bytes, (const guint8 *) MAGIC, 8);
  wb_u32 (bytes, version);
  wb_string (bytes, architecture);
  wb_u32 (bytes, n_tensors);
  return bytes;
}

void
wb_tensor (GByteArray   *bytes,
           const gchar  *name,
           guint         ndim,
           const guint  *dims,
           const gfloat *data)
{
  gsize count = 1;

  wb_string (bytes, name);
  wb_u32 (bytes, ndim);
  for (guint d = 0; d < ndim; d++)
    {
      wb_u32 (bytes, dims[d]);
      count *= dims[d];
    }
  for (gsize k = 0; k < count; k++)
    {
      guint32 u;

      memcpy (&u, &data[k], 4);
      wb_u32 (bytes, u);
    }
}

void
wb_seal (GByteArray *bytes)
{
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;

  g_checksum_update (checksum, bytes->data, bytes->len);
  g_checksum_get_digest (checksum, digest, &length);
  g_checksum_free (checksum);
  g_byte_array_append (bytes, digest, 32);
}

void
wb_reseal (GByteArray *bytes)
{
  g_assert_cmpuint (bytes->len, >=, 32);
  g_byte_array_set_size (bytes, bytes->len - 32);
  wb_seal (bytes);
}

gfloat
wb_value (guint t,
          gsize k)
{
  /* Distinct, exactly representable, both signs. */
  return (gfloat) ((gdouble) (t + 1) * 0.25 - (gdouble) k * 0.0625);
}

GByteArray *
wb_sample (const gchar *architecture)
{
  static const struct { const gchar *name; guint ndim; guint dims[4]; } t[WB_SAMPLE_TENSORS] = {
    { "fusion.enc1.weight", 4, { 6, 9, 3, 3 } },
    { "fusion.enc1.bias", 1, { 6 } },
    { "illum.global.weight", 2, { 8, 8 } },
    { "x", 3, { 1, 2, 3 } },
  };
  GByteArray *bytes = wb_begin (1, architecture, WB_SAMPLE_TENSORS);

  for (guint i = 0; i < WB_SAMPLE_TENSORS; i++)
    {
      gsize count = 1;
      gfloat *data;

      for (guint d = 0; d < t[i].ndim; d++)
        count *= t[i].dims[d];
      data = g_new (gfloat, count);
      for (gsize k = 0; k < count; k++)
        data[k] = wb_value (i, k);
      wb_tensor (bytes, t[i].name, t[i].ndim, t[i].dims, data);
      g_free (data);
    }
  wb_seal (bytes);
  return bytes;
}
