/* The weights file (weights/MODEL.md §8): parse and validate (reading
 * it from disk: weights-file.c; its tensors: weights-tensors.c).
 *
 * The parser makes two passes over the bytes. The first walks the structure
 * without allocating anything that depends on the file's contents, checking
 * every length against the bytes that are really there and against the
 * limits of weights.h; the second, once the structure and the SHA-256
 * checksum are known to be good, copies the float data into aligned memory
 * (the file's floats sit at arbitrary offsets, so they are never read in
 * place) and checks that every value is finite.
 *
 * The order of the checks decides which error a user sees, so it follows
 * what most likely happened to the file: wrong magic (not our file at all),
 * unknown version (a newer program wrote it), a structure running past the
 * end (truncated), and only then a checksum mismatch (damaged) or a
 * structure that is valid bytes but breaks the rules (a broken writer).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "evenlight.h"
#include "weights.h"
#include "weights-private.h"

/* Tensor data starts on this boundary in memory (a cache line, and enough
 * for any SIMD load). */
#define DATA_ALIGN 64

/* Where the first pass found a tensor. */
typedef struct
{
  gsize name_offset, name_length;
  guint ndim;
  guint dims[4];
  gsize count;
  gsize data_offset;
} TensorSpan;

typedef struct
{
  const guint8 *data;
  gsize         length;
  gsize         pos;
  const gchar  *name;
  /* Set when a read ran past the end: the file is truncated. */
  gboolean      truncated;
} Reader;

static gboolean
reader_need (Reader      *r,
             gsize        n,
             const gchar *what,
             GError     **error)
{
  if (r->length - r->pos >= n)
    return TRUE;
  r->truncated = TRUE;
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
               "Weights file “%s” is truncated: it ends after %" G_GSIZE_FORMAT
               " bytes, in %s (%" G_GSIZE_FORMAT " more bytes needed)",
               r->name, r->length, what, n - (r->length - r->pos));
  return FALSE;
}

static gboolean
reader_u32 (Reader      *r,
            guint32     *value,
            const gchar *what,
            GError     **error)
{
  guint32 le;

  if (!reader_need (r, 4, what, error))
    return FALSE;
  memcpy (&le, r->data + r->pos, 4);
  *value = GUINT32_FROM_LE (le);
  r->pos += 4;
  return TRUE;
}

static gboolean
text_is_printable_ascii (const guint8 *text,
                         gsize         length)
{
  for (gsize i = 0; i < length; i++)
    if (text[i] < 0x20 || text[i] > 0x7e)
      return FALSE;
  return TRUE;
}

gchar *
evenlight_weights_shape_string (guint        ndim,
                                const guint *dims)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < ndim; i++)
    g_string_append_printf (s, i ? ", %u" : "%u", dims[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* Reads a length-prefixed ASCII string of 1..@max bytes. On success
 * @offset and @length locate it in the data. */
static gboolean
reader_string (Reader      *r,
               guint32      max,
               const gchar *what,
               gsize       *offset,
               gsize       *length,
               GError     **error)
{
  guint32 n;

  if (!reader_u32 (r, &n, what, error))
    return FALSE;
  if (n == 0 || n > max)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "Weights file “%s” is invalid: %s is %u bytes long "
                   "(it must be 1 to %u bytes)", r->name, what, n, max);
      return FALSE;
    }
  if (!reader_need (r, n, what, error))
    return FALSE;
  if (!text_is_printable_ascii (r->data + r->pos, n))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "Weights file “%s” is invalid: %s contains characters "
                   "that are not printable ASCII", r->name, what);
      return FALSE;
    }
  *offset = r->pos;
  *length = n;
  r->pos += n;
  return TRUE;
}

/* Reads one tensor header and skips its data. @total counts the floats of
 * all tensors so far. */
static gboolean
scan_tensor (Reader     *r,
             guint       index,
             TensorSpan *span,
             gsize      *total,
             GError    **error)
{
  g_autofree gchar *what = g_strdup_printf ("the name of tensor %u", index + 1);
  g_autofree gchar *tname = NULL;
  guint32 ndim;

  if (!reader_string (r, EVENLIGHT_WEIGHTS_MAX_NAME, what,
                      &span->name_offset, &span->name_length, error))
    return FALSE;
  tname = g_strndup ((const gchar *) r->data + span->name_offset,
                     span->name_length);

  g_free (what);
  what = g_strdup_printf ("the shape of tensor “%s”", tname);
  if (!reader_u32 (r, &ndim, what, error))
    return FALSE;
  if (ndim < 1 || ndim > 4)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "Weights file “%s” is invalid: tensor “%s” has %u "
                   "dimensions (it must have 1 to 4)", r->name, tname, ndim);
      return FALSE;
    }
  span->ndim = ndim;
  /* The product is checked after every factor: four dims of 65536 would
   * overflow 64 bits. */
  span->count = 1;
  for (guint d = 0; d < ndim; d++)
    {
      guint32 dim;

      if (!reader_u32 (r, &dim, what, error))
        return FALSE;
      if (dim < 1 || dim > EVENLIGHT_WEIGHTS_MAX_DIM)
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                       "Weights file “%s” is invalid: dimension %u of tensor "
                       "“%s” is %u (it must be 1 to %u)", r->name, d + 1,
                       tname, dim, (guint) EVENLIGHT_WEIGHTS_MAX_DIM);
          return FALSE;
        }
      span->dims[d] = dim;
      span->count *= dim;
      if (span->count > EVENLIGHT_WEIGHTS_MAX_FLOATS - *total)
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                       "Weights file “%s” is invalid: tensor “%s” makes the "
                       "file hold more than %u values in all", r->name,
                       tname, (guint) EVENLIGHT_WEIGHTS_MAX_FLOATS);
          return FALSE;
        }
    }
  *total += span->count;

  g_free (what);
  what = g_strdup_printf ("the data of tensor “%s”", tname);
  if (!reader_need (r, span->count * 4, what, error))
    return FALSE;
  span->data_offset = r->pos;
  r->pos += span->count * 4;
  return TRUE;
}

/* The first pass: walks the whole structure. On success *@spans holds
 * *@n_spans tensors and *@end is the offset where the checksum starts. */
static gboolean
scan_structure (Reader      *r,
                gsize       *arch_offset,
                gsize       *arch_length,
                TensorSpan **spans,
                guint       *n_spans,
                GError     **error)
{
  guint32 count;
  gsize total = 0;

  *spans = NULL;
  *n_spans = 0;
  if (!reader_string (r, MAX_ARCHITECTURE, "the architecture id",
                      arch_offset, arch_length, error))
    return FALSE;
  if (!reader_u32 (r, &count, "the tensor count", error))
    return FALSE;
  if (count > EVENLIGHT_WEIGHTS_MAX_TENSORS)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "Weights file “%s” is invalid: it declares %u tensors "
                   "(at most %u are allowed)", r->name, count,
                   (guint) EVENLIGHT_WEIGHTS_MAX_TENSORS);
      return FALSE;
    }
  *spans = g_new0 (TensorSpan, MAX (count, 1));
  for (guint i = 0; i < count; i++)
    {
      if (!scan_tensor (r, i, &(*spans)[i], &total, error))
        return FALSE;
      *n_spans = i + 1;
    }
  return TRUE;
}

/* TRUE if the 32 bytes at @offset are the SHA-256 of everything before. */
static gboolean
checksum_matches (const guint8 *data,
                  gsize         offset)
{
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[CHECKSUM_LENGTH];
  gsize digest_length = sizeof digest;
  const guint8 *p = data;
  gsize left = offset;

  /* g_checksum_update takes a gssize. */
  while (left > 0)
    {
      gsize chunk = MIN (left, (gsize) G_MAXINT32);

      g_checksum_update (checksum, p, chunk);
      p += chunk;
      left -= chunk;
    }
  g_checksum_get_digest (checksum, digest, &digest_length);
  g_checksum_free (checksum);
  return memcmp (digest, data + offset, CHECKSUM_LENGTH) == 0;
}

static void
set_damaged (GError     **error,
             const gchar *name)
{
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_CHECKSUM,
               "Weights file “%s” is damaged: its SHA-256 checksum does not "
               "match its contents (download or copy it again)", name);
}

/* Checks magic and version. */
static gboolean
check_header (Reader  *r,
              GError **error)
{
  guint32 version;
  gsize n = MIN (r->length, (gsize) MAGIC_LENGTH);

  if (memcmp (r->data, EVENLIGHT_WEIGHTS_MAGIC, n) != 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "“%s” is not an evenlight weights file (it does not start "
                   "with “%s”)", r->name, EVENLIGHT_WEIGHTS_MAGIC);
      return FALSE;
    }
  if (r->length == 0)
    {
      r->truncated = TRUE;
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "Weights file “%s” is empty", r->name);
      return FALSE;
    }
  if (!reader_need (r, MAGIC_LENGTH, "the magic “" EVENLIGHT_WEIGHTS_MAGIC "”",
                    error))
    return FALSE;
  r->pos = MAGIC_LENGTH;
  if (!reader_u32 (r, &version, "the format version", error))
    return FALSE;
  if (version != EVENLIGHT_WEIGHTS_VERSION)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_VERSION,
                   "Weights file “%s” has format version %u, but this "
                   "version of evenlight reads only format version %u",
                   r->name, version, (guint) EVENLIGHT_WEIGHTS_VERSION);
      return FALSE;
    }
  return TRUE;
}

/* After a successful scan: the checksum must follow the last tensor and
 * end the file. */
static gboolean
check_trailer (Reader  *r,
               GError **error)
{
  gsize end = r->pos;

  if (!reader_need (r, CHECKSUM_LENGTH, "the SHA-256 checksum", error))
    return FALSE;
  if (end + CHECKSUM_LENGTH < r->length)
    {
      if (checksum_matches (r->data, end))
        g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                     "Weights file “%s” is invalid: %" G_GSIZE_FORMAT
                     " unexpected bytes follow its checksum", r->name,
                     r->length - end - CHECKSUM_LENGTH);
      else
        set_damaged (error, r->name);
      return FALSE;
    }
  if (!checksum_matches (r->data, end))
    {
      set_damaged (error, r->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_unique_names (const EvenlightWeights *w,
                    GError                **error)
{
  for (guint i = 0; i < w->n_tensors; i++)
    for (guint j = 0; j < i; j++)
      if (strcmp (w->tensors[i].name, w->tensors[j].name) == 0)
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                       "Weights file “%s” is invalid: it contains tensor "
                       "“%s” twice", w->name, w->tensors[i].name);
          return FALSE;
        }
  return TRUE;
}

/* The second pass: copies every tensor into aligned memory and checks its
 * values are finite. */
static gboolean
copy_tensors (EvenlightWeights *w,
              const guint8     *data,
              const TensorSpan *spans,
              GError          **error)
{
  const gsize align_floats = DATA_ALIGN / sizeof (gfloat);
  gsize total = 0;
  guint8 *base;

  w->tensors = g_new0 (EvenlightTensor, MAX (w->n_tensors, 1));
  for (guint i = 0; i < w->n_tensors; i++)
    total += (spans[i].count + align_floats - 1) / align_floats * align_floats;
  w->storage = g_malloc (total * sizeof (gfloat) + DATA_ALIGN);
  base = (guint8 *) (((guintptr) w->storage + DATA_ALIGN - 1)
                     & ~(guintptr) (DATA_ALIGN - 1));

  for (guint i = 0; i < w->n_tensors; i++)
    {
      const TensorSpan *s = &spans[i];
      EvenlightTensor *t = &w->tensors[i];
      gfloat *dst = (gfloat *) (gpointer) base;

      t->name = g_strndup ((const gchar *) data + s->name_offset,
                           s->name_length);
      t->ndim = s->ndim;
      memcpy (t->dims, s->dims, sizeof t->dims);
      t->count = s->count;
      t->data = dst;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      memcpy (dst, data + s->data_offset, s->count * sizeof (gfloat));
#else
      for (gsize k = 0; k < s->count; k++)
        {
          guint32 le;

          memcpy (&le, data + s->data_offset + 4 * k, 4);
          le = GUINT32_FROM_LE (le);
          memcpy (dst + k, &le, 4);
        }
#endif
      for (gsize k = 0; k < s->count; k++)
        if (!isfinite (dst[k]))
          {
            g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                         "Weights file “%s” is invalid: tensor “%s” contains "
                         "%s (at index %" G_GSIZE_FORMAT ")", w->name, t->name,
                         isnan (dst[k]) ? "NaN" : "an infinite value", k);
            return FALSE;
          }
      base += (s->count + align_floats - 1) / align_floats * align_floats
              * sizeof (gfloat);
    }
  return TRUE;
}

EvenlightWeights *
evenlight_weights_parse (const guint8 *data,
                         gsize         length,
                         const gchar  *name,
                         GError      **error)
{
  Reader r = { data, length, 0, name ? name : "(memory)", FALSE };
  g_autofree TensorSpan *spans = NULL;
  EvenlightWeights *w;
  GError *scan_error = NULL;
  gsize arch_offset = 0, arch_length = 0;
  guint n_spans = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = r.data = (const guint8 *) "";
  if (!check_header (&r, error))
    return NULL;

  if (!scan_structure (&r, &arch_offset, &arch_length, &spans, &n_spans,
                       &scan_error))
    {
      /* A structure that breaks the rules in a file whose checksum does
       * not match is damage, not a broken writer. A truncated file cannot
       * be checked: its checksum is gone. */
      if (!r.truncated && length >= CHECKSUM_LENGTH
          && !checksum_matches (data, length - CHECKSUM_LENGTH))
        {
          g_clear_error (&scan_error);
          set_damaged (error, r.name);
        }
      else
        g_propagate_error (error, scan_error);
      return NULL;
    }
  if (!check_trailer (&r, error))
    return NULL;

  w = g_new0 (EvenlightWeights, 1);
  w->name = g_strdup (r.name);
  w->architecture = g_strndup ((const gchar *) data + arch_offset, arch_length);
  w->n_tensors = n_spans;
  if (!copy_tensors (w, data, spans, error) || !check_unique_names (w, error))
    {
      evenlight_weights_free (w);
      return NULL;
    }
  return w;
}

void
evenlight_weights_free (EvenlightWeights *weights)
{
  if (weights == NULL)
    return;
  if (weights->tensors != NULL)
    for (guint i = 0; i < weights->n_tensors; i++)
      g_free (weights->tensors[i].name);
  g_free (weights->tensors);
  g_free (weights->storage);
  g_free (weights->architecture);
  g_free (weights->name);
  g_free (weights);
}
