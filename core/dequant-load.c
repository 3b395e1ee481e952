/* Dequantization network: its weights file, the checks that make every
 * layer's shape and the margin agree with the architecture (v1, v2 with
 * the context branch, v3 with the band positions; weights/DEQUANT.md
 * §1–2), and where the shipped file is found.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dequant.h"
#include "dequant-private.h"

#include "geometry.h"

static gboolean
conv_k_from (EvenlightDequant *dq, EvenlightConv *conv, const gchar *prefix,
             guint cout, guint cin, guint k, GError **error)
{
  gchar        *wn = g_strdup_printf ("%s.weight", prefix);
  gchar        *bn = g_strdup_printf ("%s.bias", prefix);
  const guint   wd[4] = { cout, cin, k, k };
  const guint   bd[1] = { cout };
  const gfloat *w, *b = NULL;

  w = evenlight_weights_require (dq->weights, wn, 4, wd, error);
  if (w)
    b = evenlight_weights_require (dq->weights, bn, 1, bd, error);
  if (w && b)
    evenlight_conv_init (conv, w, b, (gint) cout, (gint) cin, (gint) k);
  g_free (wn);
  g_free (bn);
  return w && b;
}

static gboolean
conv_from (EvenlightDequant *dq, EvenlightConv *conv, const gchar *prefix,
           guint cout, guint cin, GError **error)
{
  return conv_k_from (dq, conv, prefix, cout, cin, 3, error);
}

/* The v2 context branch: ctx.enc1 [C2][C][3][3], the other 3 × 3 layers
 * [C2][C2][3][3], ctx.out [C][C2][1][1]. */
static gboolean
load_context (EvenlightDequant *dq, const gchar *path, GError **error)
{
  const EvenlightTensor *e1 = evenlight_weights_lookup (dq->weights, "ctx.enc1.weight");
  guint c = (guint) dq->width, c2;

  if (!e1 || e1->ndim != 4 || e1->dims[0] < 1 || e1->dims[0] > MAX_WIDTH)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "%s: no tensor ctx.enc1.weight of shape [C][%u][3][3] with "
                   "1 ≤ C ≤ %d", path, c, MAX_WIDTH);
      return FALSE;
    }
  c2 = e1->dims[0];
  dq->ctx_width = (gint) c2;
  dq->has_ctx = TRUE;   /* from here on, free() clears the branch */
  return conv_from (dq, &dq->enc1, "ctx.enc1", c2, c, error)
         && conv_from (dq, &dq->enc2, "ctx.enc2", c2, c2, error)
         && conv_from (dq, &dq->enc3, "ctx.enc3", c2, c2, error)
         && conv_from (dq, &dq->mid, "ctx.mid", c2, c2, error)
         && conv_from (dq, &dq->dec2, "ctx.dec2", c2, c2, error)
         && conv_from (dq, &dq->dec1, "ctx.dec1", c2, c2, error)
         && conv_k_from (dq, &dq->ctx_out, "ctx.out", c, c2, 1, error);
}

EvenlightDequant *
evenlight_dequant_load (const gchar *path, GError **error)
{
  EvenlightDequant      *dq;
  const EvenlightTensor *head;
  const gchar           *arch;
  gchar                  name[64];
  guint                  c;

  g_return_val_if_fail (path != NULL, NULL);
  dq = g_new0 (EvenlightDequant, 1);
  dq->weights = evenlight_weights_load (path, error);
  if (!dq->weights)
    goto fail;
  arch = evenlight_weights_architecture (dq->weights);
  if (g_strcmp0 (arch, EVENLIGHT_DEQUANT_ARCH_V1) != 0
      && g_strcmp0 (arch, EVENLIGHT_DEQUANT_ARCH_V2) != 0
      && g_strcmp0 (arch, EVENLIGHT_DEQUANT_ARCH_V3) != 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_ARCHITECTURE,
                   "%s: weights of architecture “%s”, expected “%s”, “%s” or “%s” "
                   "(the dequantization network)", path, arch,
                   EVENLIGHT_DEQUANT_ARCH_V1, EVENLIGHT_DEQUANT_ARCH_V2,
                   EVENLIGHT_DEQUANT_ARCH_V3);
      goto fail;
    }
  dq->bands = g_strcmp0 (arch, EVENLIGHT_DEQUANT_ARCH_V3) == 0;
  dq->in_channels = dq->bands ? IN_CHANNELS_V3 : IN_CHANNELS;
  head = evenlight_weights_lookup (dq->weights, "head.weight");
  if (!head || head->ndim != 4 || head->dims[0] < 1 || head->dims[0] > MAX_WIDTH)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "%s: no tensor head.weight of shape [C][%d][3][3] with "
                   "1 ≤ C ≤ %d", path, 4 * dq->in_channels, MAX_WIDTH);
      goto fail;
    }
  c = head->dims[0];
  dq->width = (gint) c;
  if (!conv_from (dq, &dq->head, "head", c, 4 * (guint) dq->in_channels, error))
    goto fail;
  if (g_strcmp0 (arch, EVENLIGHT_DEQUANT_ARCH_V2) == 0)
    {
      if (!load_context (dq, path, error))
        goto fail;
      dq->margin = EVENLIGHT_DEQUANT_MARGIN_V2;
      dq->align = EVENLIGHT_DEQUANT_ALIGN_V2;
    }
  else
    {
      /* v3's band positions read EVENLIGHT_DEQUANT_BAND_MARGIN further
       * around the network's window (dequant.c, band_input). */
      dq->margin = EVENLIGHT_DEQUANT_MARGIN_V1;
      dq->align = EVENLIGHT_DEQUANT_ALIGN_V1;
    }
  for (gint k = 0; k < MAX_BLOCKS; k++)
    {
      g_snprintf (name, sizeof name, "blocks.%d.conv1.weight", k);
      if (!evenlight_weights_lookup (dq->weights, name))
        break;
      g_snprintf (name, sizeof name, "blocks.%d.conv1", k);
      if (!conv_from (dq, &dq->conv1[k], name, c, c, error))
        goto fail;
      dq->n_blocks = k + 1;   /* counted now so that free() clears it */
      g_snprintf (name, sizeof name, "blocks.%d.conv2", k);
      if (!conv_from (dq, &dq->conv2[k], name, c, c, error))
        goto fail;
    }
  if (!conv_from (dq, &dq->tail, "tail", 12, c, error))
    goto fail;
  /* The margin is fixed per architecture (EVENLIGHT_DEQUANT_MARGIN is
   * public); more blocks than it covers would make tiles disagree. */
  if (EL_DQ_BAD_OUT (dq->has_ctx ? EL_DQ_BAD_CTX : EL_DQ_BAD_HEAD, dq->n_blocks)
      > dq->margin)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                   "%s: %d residual blocks, more than this version supports",
                   path, dq->n_blocks);
      goto fail;
    }
  return dq;

fail:
  evenlight_dequant_free (dq);
  return NULL;
}

void
evenlight_dequant_free (EvenlightDequant *dq)
{
  if (!dq)
    return;
  evenlight_conv_clear (&dq->head);
  for (gint k = 0; k < dq->n_blocks; k++)
    {
      evenlight_conv_clear (&dq->conv1[k]);
      evenlight_conv_clear (&dq->conv2[k]);
    }
  evenlight_conv_clear (&dq->tail);
  if (dq->has_ctx)
    {
      evenlight_conv_clear (&dq->enc1);
      evenlight_conv_clear (&dq->enc2);
      evenlight_conv_clear (&dq->enc3);
      evenlight_conv_clear (&dq->mid);
      evenlight_conv_clear (&dq->dec2);
      evenlight_conv_clear (&dq->dec1);
      evenlight_conv_clear (&dq->ctx_out);
    }
  if (dq->weights)
    evenlight_weights_free (dq->weights);
  g_free (dq);
}

const gchar *
evenlight_dequant_default_path (void)
{
  static gchar *installed;
  const gchar  *env = g_getenv ("EVENLIGHT_DEQUANT_WEIGHTS");

  if (env && *env)
    return env;
  if (g_once_init_enter (&installed))
    g_once_init_leave (&installed,
                       g_build_filename (EVENLIGHT_WEIGHTS_DIR, EVENLIGHT_DEQUANT_FILE, NULL));
  return installed;
}
