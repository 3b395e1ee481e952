/* Illumination-, Fusion- and Restoration-Net (weights/MODEL.md §1, §3, §4).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each forward pass reads top-down like the layer table it implements.
 */
#include "model.h"
#include "exposure.h"
#include "fastmath.h"

#include <math.h>
#include <string.h>

/* ---- Loading -------------------------------------------------------------- */

typedef struct
{
  const gchar *name;
  gint         cout, cin, k;   /* k = 0: a Linear layer [cout][cin]      */
  gboolean     bias;
  gsize        offset;         /* of the EvenlightConv in its struct     */
} LayerSpec;

/* A layer whose EvenlightConv is @field of the struct @type. */
#define LAYER(type, name, field, cout, cin, k, bias) \
  { name, cout, cin, k, bias, G_STRUCT_OFFSET (type, field) }
#define CONV(...)  LAYER (EvenlightModel, __VA_ARGS__)
#define FCONV(...) LAYER (EvenlightFusionNet, __VA_ARGS__)

static const LayerSpec layers[] = {
  CONV ("illum.conv1",   illum_conv1, 6, 4, 3, TRUE),
  CONV ("illum.conv2",   illum_conv2, 8, 6, 3, TRUE),
  CONV ("illum.conv3",   illum_conv3, 8, 8, 3, TRUE),
  { "illum.global", 8, 8, 0, TRUE, 0 },
  CONV ("illum.grid",    illum_grid,  8, 8, 1, TRUE),
  CONV ("restore.conv1", rconv1, 8, 12, 3, TRUE),
  CONV ("restore.conv2", rconv2, 8, 8, 3, TRUE),
  CONV ("restore.conv3", rconv3, 8, 8, 3, TRUE),
};

/* The Fusion-Net's layers, by name within its prefix ("fusion" for the
 * single-image one). */
static const LayerSpec fusion_layers[] = {
  FCONV ("enc1", enc1, 6, 9, 3, TRUE),
  FCONV ("enc2", enc2, 6, 6, 3, TRUE),
  FCONV ("mid",  mid,  6, 6, 3, TRUE),
  FCONV ("dec1", dec1, 6, 6, 3, TRUE),
  FCONV ("out",  out,  3, 6, 1, TRUE),
  FCONV ("skip", skip, 3, 9, 1, FALSE),
};

static const gfloat *
require (const EvenlightWeights *weights,
         const gchar            *layer,
         const gchar            *what,
         gint                    cout,
         gint                    cin,
         gint                    k,
         GError                **error)
{
  gchar *name = g_strdup_printf ("%s.%s", layer, what);
  guint dims[4] = { (guint) cout, (guint) cin, (guint) k, (guint) k };
  guint ndim = g_str_equal (what, "bias") ? 1 : (k == 0 ? 2 : 4);
  const gfloat *data = evenlight_weights_require (weights, name, ndim, dims, error);

  g_free (name);
  return data;
}

/* Loads the Fusion-Net whose tensors are named "@prefix.LAYER.weight" and
 * "@prefix.LAYER.bias" into @net, with its global layer for v2 weights. */
static gboolean
fusion_load (const EvenlightWeights *weights,
             const gchar            *prefix,
             gboolean                v2,
             EvenlightFusionNet     *net,
             GError                **error)
{
  const gfloat *w, *b = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (fusion_layers); i++)
    {
      const LayerSpec *l = &fusion_layers[i];
      g_autofree gchar *layer = g_strdup_printf ("%s.%s", prefix, l->name);

      if (!(w = require (weights, layer, "weight", l->cout, l->cin, l->k, error)))
        return FALSE;
      if (l->bias && !(b = require (weights, layer, "bias", l->cout, 0, 0, error)))
        return FALSE;
      evenlight_conv_init ((EvenlightConv *) ((guint8 *) net + l->offset),
                           w, l->bias ? b : NULL, l->cout, l->cin, l->k);
    }
  if (v2)
    {
      g_autofree gchar *layer = g_strdup_printf ("%s.global", prefix);

      if (!(net->global_w = require (weights, layer, "weight", 3, 16, 0, error))
          || !(net->global_b = require (weights, layer, "bias", 3, 0, 0, error)))
        return FALSE;
    }
  return TRUE;
}

static void
fusion_clear (EvenlightFusionNet *net)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (fusion_layers); i++)
    evenlight_conv_clear ((EvenlightConv *) ((guint8 *) net + fusion_layers[i].offset));
}

EvenlightModel *
evenlight_model_new_from_weights (EvenlightWeights *weights,
                                  GError          **error)
{
  EvenlightModel *model;
  const gchar *arch = evenlight_weights_architecture (weights);
  const gfloat *w, *b = NULL, *ow[3], *ob[3];
  gfloat wt[12 * 24], bias[12];
  guint i;
  gint o, c, k;

  if (g_strcmp0 (arch, EVENLIGHT_ARCHITECTURE_ID) != 0
      && g_strcmp0 (arch, EVENLIGHT_ARCHITECTURE_V2) != 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_ARCHITECTURE,
                   "%s: the weights are for the network “%s”, not “%s” or “%s”",
                   evenlight_weights_name (weights), arch ? arch : "",
                   EVENLIGHT_ARCHITECTURE_ID, EVENLIGHT_ARCHITECTURE_V2);
      evenlight_weights_free (weights);
      return NULL;
    }

  model = g_new0 (EvenlightModel, 1);
  model->weights = weights;

  for (i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      const LayerSpec *l = &layers[i];

      if (!(w = require (weights, l->name, "weight", l->cout, l->cin, l->k, error)))
        goto fail;
      if (l->bias && !(b = require (weights, l->name, "bias", l->cout, 0, 0, error)))
        goto fail;
      if (l->k == 0)
        {
          model->illum_global_w = w;
          model->illum_global_b = b;
        }
      else
        evenlight_conv_init ((EvenlightConv *) ((guint8 *) model + l->offset),
                             w, l->bias ? b : NULL, l->cout, l->cin, l->k);
    }

  if (!fusion_load (weights, "fusion", g_strcmp0 (arch, EVENLIGHT_ARCHITECTURE_V2) == 0,
                    &model->fusion, error))
    goto fail;
  /* The Fusion-Net for brackets is optional (§3b): all of its tensors or
   * none. */
  if (evenlight_weights_lookup (weights, "bracket.enc1.weight") != NULL)
    {
      if (!fusion_load (weights, "bracket", g_strcmp0 (arch, EVENLIGHT_ARCHITECTURE_V2) == 0,
                        &model->bracket_fusion, error))
        goto fail;
      model->has_bracket_fusion = TRUE;
    }

  /* The three output branches of the Restoration-Net are summed (§4), so
   * they are one 1×1 layer over concat(f1, f2, f3) with the biases added. */
  for (k = 0; k < 3; k++)
    {
      gchar layer[] = "restore.outX";
      layer[sizeof layer - 2] = (gchar) ('1' + k);
      if (!(ow[k] = require (weights, layer, "weight", 12, 8, 1, error))
          || !(ob[k] = require (weights, layer, "bias", 12, 0, 0, error)))
        goto fail;
    }
  for (o = 0; o < 12; o++)
    {
      for (k = 0; k < 3; k++)
        for (c = 0; c < 8; c++)
          wt[o * 24 + k * 8 + c] = ow[k][o * 8 + c];
      bias[o] = (ob[0][o] + ob[1][o]) + ob[2][o];
    }
  evenlight_conv_init (&model->rout, wt, bias, 12, 24, 1);

  /* The exposure step is optional (§5b): weights without the tensor have
   * none. */
  if (evenlight_weights_lookup (weights, EVENLIGHT_EXPOSURE_FLOOR) != NULL)
    {
      guint one = 1;
      const gfloat *floor = evenlight_weights_require (weights, EVENLIGHT_EXPOSURE_FLOOR, 1,
                                                       &one, error);

      if (floor == NULL)
        goto fail;
      if (!(floor[0] > 0.0f && floor[0] <= 1.0f))
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_FORMAT,
                       "%s: the exposure floor %g is not in (0, 1]",
                       evenlight_weights_name (weights), (gdouble) floor[0]);
          goto fail;
        }
      model->has_exposure_floor = TRUE;
      model->exposure_floor = floor[0];
    }
  return model;

fail:
  evenlight_model_free (model);
  return NULL;
}

EvenlightModel *
evenlight_model_load_data (const guint8 *data,
                           gsize         length,
                           const gchar  *name,
                           GError      **error)
{
  EvenlightWeights *weights;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  weights = evenlight_weights_parse (data, length, name ? name : "(memory)", error);
  return weights ? evenlight_model_new_from_weights (weights, error) : NULL;
}

EvenlightModel *
evenlight_model_load (const gchar *path,
                      GError     **error)
{
  EvenlightWeights *weights;

  if (path == NULL)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           "No weights file given");
      return NULL;
    }
  weights = evenlight_weights_load (path, error);
  return weights ? evenlight_model_new_from_weights (weights, error) : NULL;
}

void
evenlight_model_free (EvenlightModel *model)
{
  guint i;

  if (model == NULL)
    return;
  for (i = 0; i < G_N_ELEMENTS (layers); i++)
    if (layers[i].k != 0)
      evenlight_conv_clear ((EvenlightConv *) ((guint8 *) model + layers[i].offset));
  fusion_clear (&model->fusion);
  fusion_clear (&model->bracket_fusion);
  evenlight_conv_clear (&model->rout);
  if (model->weights != NULL)
    evenlight_weights_free (model->weights);
  g_free (model);
}

const gchar *
evenlight_default_weights_path (void)
{
  const gchar *env = g_getenv ("EVENLIGHT_WEIGHTS");

  /* Interned: the caller may keep the string even if the environment
   * changes later. */
  if (env != NULL && env[0] != '\0')
    return g_intern_string (env);
  return EVENLIGHT_WEIGHTS_DIR G_DIR_SEPARATOR_S "evenlight-v1.bin";
}

/* ---- Illumination-Net (§1) ----------------------------------------------- */

void
evenlight_model_illumination (const EvenlightModel *model,
                              const gfloat         *pooled,
                              gfloat               *grid,
                              gfloat               *features)
{
  const gint n = EVENLIGHT_POOL_SIZE, g = EVENLIGHT_GRID_CELLS;
  EvenlightPlanes in = EVENLIGHT_PLANES_INIT;
  EvenlightPlanes c1 = EVENLIGHT_PLANES_INIT, c2 = EVENLIGHT_PLANES_INIT;
  EvenlightPlanes c3 = EVENLIGHT_PLANES_INIT, out = EVENLIGHT_PLANES_INIT;
  const EvenlightPlanes *ins[1] = { &c3 };
  gfloat gl[8];
  gint c, o, y, x;

  evenlight_planes_ensure (&in, 4, n, n, 0, 0);
  for (c = 0; c < 4; c++)
    for (y = 0; y < n; y++)
      memcpy (evenlight_planes_row (&in, c, y), pooled + ((gsize) c * n + y) * n, n * sizeof (gfloat));
  evenlight_planes_fill_border (&in);

  evenlight_nn_conv3x3_s2 (&model->illum_conv1, &in, &c1, TRUE);   /* 6 × 64²  */
  evenlight_nn_conv3x3_s2 (&model->illum_conv2, &c1, &c2, TRUE);   /* 8 × 32²  */
  evenlight_nn_conv3x3_s2 (&model->illum_conv3, &c2, &c3, TRUE);   /* 8 × 16²  */
  g_assert (c3.width == g && c3.height == g);

  /* gl = relu(Linear(mean_hw(conv3))) */
  {
    gfloat mean[8];
    for (c = 0; c < 8; c++)
      {
        gdouble sum = 0.0;
        for (y = 0; y < g; y++)
          for (x = 0; x < g; x++)
            sum += evenlight_planes_row (&c3, c, y)[x];
        mean[c] = (gfloat) (sum / (g * g));
      }
    for (o = 0; o < 8; o++)
      {
        gfloat s = model->illum_global_b[o];
        for (c = 0; c < 8; c++)
          s += model->illum_global_w[o * 8 + c] * mean[c];
        gl[o] = s > 0.0f ? s : 0.0f;
      }
    if (features != NULL)
      memcpy (features, gl, sizeof gl);
  }

  /* grid = sigmoid(conv1x1(conv3 + gl)) */
  for (c = 0; c < 8; c++)
    for (y = 0; y < g; y++)
      for (x = 0; x < g; x++)
        evenlight_planes_row (&c3, c, y)[x] += gl[c];
  evenlight_nn_conv1x1 (&model->illum_grid, ins, 1, &out, FALSE);
  for (c = 0; c < EVENLIGHT_GRID_BINS; c++)
    for (y = 0; y < g; y++)
      for (x = 0; x < g; x++)
        grid[((gsize) c * g + y) * g + x] = 1.0f / (1.0f + expf (-evenlight_planes_row (&out, c, y)[x]));

  evenlight_planes_clear (&in);
  evenlight_planes_clear (&c1);
  evenlight_planes_clear (&c2);
  evenlight_planes_clear (&c3);
  evenlight_planes_clear (&out);
}

/* ---- Fusion-Net (§3) ------------------------------------------------------ */

gboolean
evenlight_model_fusion_bias (const EvenlightFusionNet *net,
                             const gfloat             *gl,
                             const gfloat             *gl_inv,
                             gfloat                    bias[3])
{
  gint o, c;

  if (net->global_w == NULL)
    return FALSE;
  /* bias = Linear(concat(gl, gl_inv)), summed in PyTorch's order. */
  for (o = 0; o < 3; o++)
    {
      const gfloat *w = net->global_w + o * 16;
      gfloat s = 0.0f;
      for (c = 0; c < 8; c++)
        s += w[c] * gl[c];
      for (c = 0; c < 8; c++)
        s += w[8 + c] * gl_inv[c];
      bias[o] = s + net->global_b[o];
    }
  return TRUE;
}

/* Softmax of the logits in @wp (in place) and R1 for one row. */
EVENLIGHT_CLONES static void
fuse_row (EvenlightPlanes *wp, const EvenlightPlanes *xp, EvenlightPlanes *r1, gint y)
{
  gfloat *l0 = evenlight_planes_row (wp, 0, y);
  gfloat *l1 = evenlight_planes_row (wp, 1, y);
  gfloat *l2 = evenlight_planes_row (wp, 2, y);
  gint i, c;

  for (i = 0; i < wp->width; i++)
    {
      gfloat m = MAX (MAX (l0[i], l1[i]), l2[i]);
      gfloat e0 = evenlight_expf_neg (l0[i] - m);
      gfloat e1 = evenlight_expf_neg (l1[i] - m);
      gfloat e2 = evenlight_expf_neg (l2[i] - m);
      gfloat sum = (e0 + e1) + e2;
      l0[i] = e0 / sum;
      l1[i] = e1 / sum;
      l2[i] = e2 / sum;
    }
  for (c = 0; c < 3; c++)
    {
      const gfloat *in = evenlight_planes_row (xp, c, y);
      const gfloat *iu = evenlight_planes_row (xp, 3 + c, y);
      const gfloat *io = evenlight_planes_row (xp, 6 + c, y);
      gfloat *r = evenlight_planes_row (r1, c, y);
      for (i = 0; i < wp->width; i++)
        r[i] = (l0[i] * in[i] + l1[i] * iu[i]) + l2[i] * io[i];
    }
}

void
evenlight_model_fusion (const EvenlightFusionNet *net,
                        EvenlightScratch         *s,
                        const gfloat             *bias)
{
  const EvenlightPlanes *dec_in[1] = { &s->dec1 };
  EvenlightConvRowFunc kernel = evenlight_nn_row_kernel ();
  gint w = s->x.width, h = s->x.height;
  gint y;

  evenlight_nn_conv3x3_s2 (&net->enc1, &s->x, &s->enc1, TRUE);      /* 6 × H1 */
  evenlight_nn_conv3x3_s2 (&net->enc2, &s->enc1, &s->enc2, TRUE);   /* 6 × H2 */
  evenlight_nn_conv3x3_filled (&net->mid, &s->enc2, &s->mid, TRUE); /* 6 × H2 */
  evenlight_nn_up2 (&s->mid, &s->enc1, s->enc1.width, s->enc1.height, &s->up, &s->t);
  evenlight_nn_conv3x3_filled (&net->dec1, &s->t, &s->dec1, TRUE); /* 6 × H1 */

  /* out = conv1x1(up2(dec1)): the 1×1 layer commutes with the (linear,
   * weights summing to 1) up-sampling, so it runs at half resolution on 3
   * instead of 6 channels. */
  evenlight_nn_conv1x1 (&net->out, dec_in, 1, &s->o3, FALSE);
  evenlight_nn_up2_h (&s->o3, w, &s->up);

  /* Then row by row, while the row is in the cache: the logits
   * up2(out) + skip(x), the weights = softmax over channels, and
   * R1 = w_I I + w_U I_U + w_O I_O. The skip needs only one row; it has
   * no bias of its own, so v2's global bias of the logits (constant over
   * the image) is added as the skip's. */
  evenlight_planes_ensure (&s->w, 3, w, h, s->x.x0, s->x.y0);
  evenlight_planes_ensure (&s->r1, 3, w, h, s->x.x0, s->x.y0);
  evenlight_planes_ensure (&s->skip, 3, w, 1, s->x.x0, s->x.y0);
  g_assert (net->skip.ntaps == 9 && net->skip.cout == 3);
  for (y = 0; y < h; y++)
    {
      const gfloat *src[9];
      gfloat *skip[3], *logits[3];
      gint c;

      for (c = 0; c < 9; c++)
        src[c] = evenlight_planes_row (&s->x, c, y);
      for (c = 0; c < 3; c++)
        {
          skip[c] = evenlight_planes_row (&s->skip, c, 0);
          logits[c] = evenlight_planes_row (&s->w, c, y);
        }
      kernel (net->skip.cout, net->skip.ntaps, src, net->skip.wt,
              bias != NULL ? bias : net->skip.bias, skip, w, FALSE);
      evenlight_nn_up2_v_row (&s->up, y, (const gfloat *const *) skip, logits);
      fuse_row (&s->w, &s->x, &s->r1, y);
    }
}

/* ---- Restoration-Net (§4) -------------------------------------------------- */

/* @r grown by @d on each side, clipped to @clip. */
static EvenlightRect
grow (const EvenlightRect *r, gint d, const EvenlightRect *clip)
{
  EvenlightRect g;
  gint x1 = MIN (r->x + r->width + d, clip->x + clip->width);
  gint y1 = MIN (r->y + r->height + d, clip->y + clip->height);

  g.x = MAX (r->x - d, clip->x);
  g.y = MAX (r->y - d, clip->y);
  g.width = x1 - g.x;
  g.height = y1 - g.y;
  return g;
}

void
evenlight_model_restoration (const EvenlightModel *model,
                             EvenlightScratch     *s,
                             const EvenlightRect  *need)
{
  const EvenlightPlanes *r1 = &s->r1;
  EvenlightRect full = { r1->x0, r1->y0, r1->width, r1->height };
  EvenlightRect half = { r1->x0 / 2, r1->y0 / 2, (r1->width + 1) / 2, (r1->height + 1) / 2 };
  EvenlightRect ro, rs, rf1, rp, rr1;
  EvenlightPlanes v1, v2, vf1, vr1;
  const EvenlightPlanes *branches[3] = { &v1, &v2, &s->f3 };
  gint c, y, i, x1, y1;

  /* Each layer only where the next one reads it (a conv3x3 reads one
   * half-resolution pixel around), so the values are exactly those of the
   * whole window: N on @need, f3 and the outputs on half of it, f1 + f2
   * one pixel more, f1 two, pack2(2 R1 − 1) three. */
  if (need == NULL)
    need = &full;
  ro.x = need->x / 2;
  ro.y = need->y / 2;
  ro.width = (need->x + need->width + 1) / 2 - ro.x;
  ro.height = (need->y + need->height + 1) / 2 - ro.y;
  ro = grow (&ro, 0, &half);
  rs = grow (&ro, 1, &half);
  rf1 = grow (&rs, 1, &half);
  rp = grow (&rf1, 1, &half);
  rr1.x = 2 * rp.x;
  rr1.y = 2 * rp.y;
  x1 = MIN (2 * (rp.x + rp.width), full.x + full.width);
  y1 = MIN (2 * (rp.y + rp.height), full.y + full.height);
  rr1.width = x1 - rr1.x;
  rr1.height = y1 - rr1.y;

  evenlight_planes_view (r1, &rr1, &vr1);
  evenlight_nn_pack2 (&vr1, 2.0f, -1.0f, &s->pack);                      /* p = pack2(2 R1 − 1)  */
  evenlight_nn_conv3x3_region (&model->rconv1, &s->pack, &rf1, &s->f1, TRUE); /* f1           */
  evenlight_nn_conv3x3_region (&model->rconv2, &s->f1, &rs, &s->f2, TRUE);    /* f2           */
  evenlight_planes_view (&s->f1, &rs, &vf1);
  evenlight_planes_ensure (&s->fs, 8, rs.width, rs.height, rs.x, rs.y);
  for (c = 0; c < 8; c++)
    for (y = 0; y < rs.height; y++)
      {
        const gfloat *a = evenlight_planes_row (&vf1, c, y);
        const gfloat *b = evenlight_planes_row (&s->f2, c, y);
        gfloat *d = evenlight_planes_row (&s->fs, c, y);
        for (i = 0; i < rs.width; i++)
          d[i] = a[i] + b[i];
        evenlight_border_row (d, rs.width);
      }
  evenlight_nn_conv3x3_region (&model->rconv3, &s->fs, &ro, &s->f3, TRUE);    /* f3 = conv3(f1 + f2) */
  evenlight_planes_view (&s->f1, &ro, &v1);
  evenlight_planes_view (&s->f2, &ro, &v2);
  evenlight_nn_conv1x1 (&model->rout, branches, 3, &s->o12, FALSE);          /* o1 + o2 + o3 */
  evenlight_nn_unpack2 (&s->o12,
                        MIN (2 * ro.width, full.x + full.width - 2 * ro.x),
                        MIN (2 * ro.height, full.y + full.height - 2 * ro.y), &s->n);
}
