/* bench-enhance: the compute cost of the network per pixel, counted
 * layer by layer from the layer table (weights/MODEL.md) with the shapes
 * of a weights file.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench-enhance.h"

const gchar *const stage_names[N_STAGES] = {
  "format conversion (sanitize packed RGB)",
  "context: guides, pooling, Illumination-Net x2",
  "bilateral-grid slicing x2 (L, Li)",
  "shadows/highlights terms I_U, I_O",
  "Fusion-Net (U-Net, up2, softmax, R1)",
  "Restoration-Net (3 branches)",
  "DCT noise control (8x8 blocks, stride 4)",
  "R = clamp(R1 + Phi)"
};

/* DCT noise control, MODEL.md §5: 8 × 8 blocks with stride 4. */
#define DCT_N      8
#define DCT_STRIDE 4

gboolean
shapes_load (Shapes *sh, const gchar *path, GError **error)
{
  guint8 *data;
  gsize length, pos = 8;
  guint32 count, i;

  sh->dims = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_file_get_contents (path, (gchar **) &data, &length, error))
    return FALSE;
#define U32(v)                                                     \
  do {                                                             \
    if (pos + 4 > length) goto bad;                                \
    memcpy (&v, data + pos, 4);                                    \
    v = GUINT32_FROM_LE (v);                                       \
    pos += 4;                                                      \
  } while (0)
  {
    guint32 version, alen;
    U32 (version);
    (void) version;
    U32 (alen);
    pos += alen;
  }
  U32 (count);
  for (i = 0; i < count; i++)
    {
      guint32 nlen, ndim, d;
      gint *dims = g_new0 (gint, 5);
      gchar *name;
      gsize nval = 1;

      U32 (nlen);
      if (pos + nlen > length || nlen > 64)
        {
          g_free (dims);
          goto bad;
        }
      name = g_strndup ((const gchar *) data + pos, nlen);
      pos += nlen;
      U32 (ndim);
      if (ndim < 1 || ndim > 4)
        {
          g_free (name);
          g_free (dims);
          goto bad;
        }
      dims[0] = (gint) ndim;
      for (d = 0; d < ndim; d++)
        {
          guint32 v;
          U32 (v);
          dims[1 + d] = (gint) v;
          nval *= v;
        }
      pos += nval * 4;
      g_hash_table_insert (sh->dims, name, dims);
    }
#undef U32
  g_free (data);
  return TRUE;
bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: cannot read the tensor shapes", path);
  g_free (data);
  return FALSE;
}

/* Dimension @d (0-based) of tensor @name; 0 if absent. */
static gint
shape_dim (const Shapes *sh, const gchar *name, gint d)
{
  const gint *dims = g_hash_table_lookup (sh->dims, name);

  return dims != NULL && d < dims[0] ? dims[1 + d] : 0;
}

/* Multiply-adds per output pixel of a conv/linear weight [out][in][kh][kw]. */
static gdouble
conv_macs (const Shapes *sh, const gchar *name)
{
  gchar *w = g_strconcat (name, ".weight", NULL);
  gdouble m = shape_dim (sh, w, 0);
  gint d;

  for (d = 1; d < 4 && shape_dim (sh, w, d) > 0; d++)
    m *= shape_dim (sh, w, d);
  g_free (w);
  return m;
}

static gint
conv_out (const Shapes *sh, const gchar *name)
{
  gchar *w = g_strconcat (name, ".weight", NULL);
  gint n = shape_dim (sh, w, 0);

  g_free (w);
  return n;
}

/* flops of a conv layer per output pixel: MACs, bias, ReLU. */
static gdouble
conv_flops (const Shapes *sh, const gchar *name, gboolean bias, gboolean relu)
{
  return 2.0 * conv_macs (sh, name) + (bias + relu) * conv_out (sh, name);
}



/* Counts the cost per pixel of one @width × @height image, layer by layer
 * from the layer table (weights/MODEL.md) with the channel counts of the
 * weights file. γ3 = 0 skips the Restoration-Net and Φ, γ3 = 1 skips Φ's
 * DCT (MODEL.md §5 shortcuts), as the engine does. */
void
cost_count (Cost *c, const Shapes *sh, gint width, gint height, gfloat denoise)
{
  gdouble px = (gdouble) width * height;
  gdouble w1 = (width + 1) / 2, h1 = (height + 1) / 2;
  gdouble half = w1 * h1 / px;                                  /* level 1 */
  gdouble quarter = ((w1 + 1) / 2) * ((h1 + 1) / 2) / px;      /* level 2 */
  gint pool = 128, s;
  gint cf = conv_out (sh, "fusion.mid");          /* U-Net channels      */
  gint cw = conv_out (sh, "fusion.out");          /* fusion weight maps  */
  gint cr = conv_out (sh, "restore.conv1");       /* restoration width   */
  gint co = conv_out (sh, "restore.out1");        /* packed noise chans  */
  gdouble illum = 0.0, illum_macs = 0.0, blocks;
  gint l, n_pos = pool;
  static const gchar *illum_convs[] = { "illum.conv1", "illum.conv2", "illum.conv3" };

  memset (c, 0, sizeof *c);
  /* Format: NaN → 0 and clamp to [0, 1], 3 operations per channel. */
  c->flops[STAGE_FORMAT] = 3 * 3;

  /* Context: the two guides (max of 3, 1 − min of 3), their pack2 + area
   * pooling (one add per value), then the Illumination-Net at a fixed size,
   * twice (image and inverted image). */
  for (l = 0; l < 3; l++)
    {
      n_pos /= 2;      /* stride 2: 128 → 64 → 32 → 16 */
      illum += conv_flops (sh, illum_convs[l], TRUE, TRUE) * n_pos * n_pos;
      illum_macs += conv_macs (sh, illum_convs[l]) * n_pos * n_pos;
    }
  illum += conv_flops (sh, "illum.global", TRUE, TRUE) + conv_flops (sh, "illum.grid", TRUE, FALSE) * n_pos * n_pos
           + (FLOPS_EXP + 2) * conv_out (sh, "illum.grid") * n_pos * n_pos;     /* sigmoid */
  illum_macs += conv_macs (sh, "illum.global") + conv_macs (sh, "illum.grid") * n_pos * n_pos;
  c->flops[STAGE_CONTEXT] = 2 + 3 + 2 * 1 + 2 * illum / px;
  c->macs[STAGE_CONTEXT] = 2 * illum_macs / px;

  /* Slicing, per guide: the bin coordinate (FMA, clamp, floor), 7 lerps of
   * the trilinear interpolation, L = max(s, v); x and y coordinates are per
   * column and row. The guides are computed again from the tile. */
  c->flops[STAGE_SLICE] = 5 + 2 * (2 + 2 + 1 + 7 * FLOPS_LERP + 1);
  c->macs[STAGE_SLICE] = 2 * 7;

  /* I_U = min(1, I · 1/(L^γ1 + ε)), I_O = max(0, 1 − (1 − I) · 1/(Li^γ2 + ε)):
   * per pixel two pow, two adds, two reciprocals; per channel 2 + 4. */
  c->flops[STAGE_LIFT] = 2 * FLOPS_POW + 4 + 3 * (2 + 4);

  /* Fusion-Net (MODEL.md §3). */
  c->flops[STAGE_FUSION] =
    conv_flops (sh, "fusion.enc1", TRUE, TRUE) * half
    + conv_flops (sh, "fusion.enc2", TRUE, TRUE) * quarter
    + conv_flops (sh, "fusion.mid", TRUE, TRUE) * quarter
    + (cf * 3 * FLOPS_LERP + cf) * half                  /* up2(mid) + enc1 */
    + conv_flops (sh, "fusion.dec1", TRUE, TRUE) * half
    + cf * 3 * FLOPS_LERP                                /* up2(dec1) → full */
    + conv_flops (sh, "fusion.out", TRUE, FALSE)
    + conv_flops (sh, "fusion.skip", FALSE, FALSE)
    + cw                                                 /* out + skip */
    + (cw - 1) + cw + cw * FLOPS_EXP + (cw - 1) + 1 + cw /* softmax */
    + 3 * (1 + 2 * 2);                                   /* R1, 3 channels */
  c->macs[STAGE_FUSION] =
    (conv_macs (sh, "fusion.enc1") + conv_macs (sh, "fusion.dec1") + cf * 3) * half
    + (conv_macs (sh, "fusion.enc2") + conv_macs (sh, "fusion.mid")) * quarter
    + cf * 3 + conv_macs (sh, "fusion.out") + conv_macs (sh, "fusion.skip") + 3 * 2;

  if (denoise > 0.0f)
    {
      /* Restoration-Net (MODEL.md §4), at the packed half resolution. */
      c->flops[STAGE_RESTORE] =
        3 * 2                                                  /* z = 2 R1 − 1 */
        + (conv_flops (sh, "restore.conv1", TRUE, TRUE)
           + conv_flops (sh, "restore.conv2", TRUE, TRUE)
           + cr                                                /* f1 + f2 */
           + conv_flops (sh, "restore.conv3", TRUE, TRUE)
           + conv_flops (sh, "restore.out1", TRUE, FALSE)
           + conv_flops (sh, "restore.out2", TRUE, FALSE)
           + conv_flops (sh, "restore.out3", TRUE, FALSE)
           + 2 * co) * half;                                   /* o1 + o2 + o3 */
      c->macs[STAGE_RESTORE] =
        3 + (conv_macs (sh, "restore.conv1") + conv_macs (sh, "restore.conv2")
             + conv_macs (sh, "restore.conv3") + conv_macs (sh, "restore.out1")
             + conv_macs (sh, "restore.out2") + conv_macs (sh, "restore.out3")) * half;
    }
  if (denoise > 0.0f && denoise < 1.0f)
    {
      /* Φ: per block and channel, forward and inverse separable 2-D DCT as
       * two passes of 8 × 8 × 8 MACs each, the mask, the overlap-add; then
       * the division by 4. Blocks start at 4a − 4 up to the last pixel. */
      gdouble per_block = 2 * (2 * DCT_N * DCT_N * DCT_N) * 2 + DCT_N * DCT_N + DCT_N * DCT_N;
      gint chans = co / 4;                                     /* unpack2 */

      blocks = (gdouble) ((height + DCT_STRIDE - 1) / DCT_STRIDE + 1)
               * ((width + DCT_STRIDE - 1) / DCT_STRIDE + 1) / px;
      c->flops[STAGE_DCT] = chans * (per_block * blocks + 1);
      c->macs[STAGE_DCT] = chans * 2 * 2 * DCT_N * DCT_N * DCT_N * blocks;
    }
  c->flops[STAGE_FINAL] = 3 * 3;
  for (s = 0; s < N_STAGES; s++)
    {
      c->total += c->flops[s];
      c->total_macs += c->macs[s];
    }
  /* Memory traffic through the API at the least: the context reads the
   * image once, the enhance reads it again and writes the result, packed
   * float RGB each time; every intermediate can stay in the cache of a
   * tile (the tile margins' re-reads are not counted). */
  c->bytes = 3 * 3 * sizeof (gfloat);
}
