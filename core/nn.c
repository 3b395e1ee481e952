/* Layer operations on planar windows (weights/MODEL.md "Conventions").
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn.h"
#include "nn-simd.h"

#include <math.h>
#include <string.h>

/* ---- Kernel selection --------------------------------------------------- */

static EvenlightConvRowFunc conv_row_func;
static EvenlightConvRowS2Func conv_row_s2_func;
static const gchar *conv_row_name;

static gboolean
isa_select (const gchar *isa)
{
#if defined(EVENLIGHT_HAVE_X86_KERNELS)
  if (g_strcmp0 (isa, "avx512") == 0)
    {
      if (!(__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("fma")))
        return FALSE;
      conv_row_func = evenlight_conv_row_avx512;
      conv_row_s2_func = evenlight_conv_row_s2_avx512;
      conv_row_name = "avx512";
      return TRUE;
    }
  if (g_strcmp0 (isa, "avx2") == 0)
    {
      if (!(__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma")))
        return FALSE;
      conv_row_func = evenlight_conv_row_avx2;
      conv_row_s2_func = evenlight_conv_row_s2_avx2;
      conv_row_name = "avx2";
      return TRUE;
    }
#endif
  if (g_strcmp0 (isa, "generic") == 0)
    {
      conv_row_func = evenlight_conv_row_generic;
      conv_row_s2_func = evenlight_conv_row_s2_generic;
      conv_row_name = "generic";
      return TRUE;
    }
  return FALSE;
}

static gpointer
isa_init (gpointer unused)
{
  const gchar *env = g_getenv ("EVENLIGHT_ISA");

  (void) unused;
#if defined(EVENLIGHT_HAVE_X86_KERNELS)
  __builtin_cpu_init ();
#endif
  if (env != NULL && isa_select (env))
    return NULL;
  if (!isa_select ("avx512") && !isa_select ("avx2"))
    isa_select ("generic");
  return NULL;
}

static inline EvenlightConvRowFunc
conv_row (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, isa_init, NULL);
  return conv_row_func;
}

EvenlightConvRowFunc
evenlight_nn_row_kernel (void)
{
  return conv_row ();
}

const gchar *
evenlight_nn_set_isa (const gchar *isa)
{
  conv_row ();
  if (isa == NULL)
    {
      if (!isa_select ("avx512") && !isa_select ("avx2"))
        isa_select ("generic");
      return conv_row_name;
    }
  return isa_select (isa) ? conv_row_name : NULL;
}

/* ---- Weights -------------------------------------------------------------- */

void
evenlight_conv_init (EvenlightConv *conv,
                     const gfloat  *weight,
                     const gfloat  *bias,
                     gint           cout,
                     gint           cin,
                     gint           k)
{
  gint o, t;

  conv->cout = cout;
  conv->cin = cin;
  conv->k = k;
  conv->ntaps = cin * k * k;
  conv->wt = g_new (gfloat, (gsize) conv->ntaps * cout);
  conv->bias = g_new0 (gfloat, cout);
  for (o = 0; o < cout; o++)
    for (t = 0; t < conv->ntaps; t++)
      conv->wt[(gsize) t * cout + o] = weight[(gsize) o * conv->ntaps + t];
  if (bias != NULL)
    memcpy (conv->bias, bias, cout * sizeof (gfloat));
}

void
evenlight_conv_clear (EvenlightConv *conv)
{
  g_free (conv->wt);
  g_free (conv->bias);
  memset (conv, 0, sizeof *conv);
}

/* ---- Convolutions --------------------------------------------------------- */

#define MAX_TAPS (28 * 9)   /* the widest input: dequant v3, 4 × 7 channels */
#define MAX_COUT 64

void
evenlight_nn_conv3x3 (const EvenlightConv *conv,
                      EvenlightPlanes     *in,
                      EvenlightPlanes     *out,
                      gboolean             relu)
{
  evenlight_planes_fill_border (in);
  evenlight_nn_conv3x3_filled (conv, in, out, relu);
}

void
evenlight_nn_conv3x3_filled (const EvenlightConv   *conv,
                             const EvenlightPlanes *in,
                             EvenlightPlanes       *out,
                             gboolean               relu)
{
  EvenlightRect all = { in->x0, in->y0, in->width, in->height };

  evenlight_nn_conv3x3_region (conv, in, &all, out, relu);
}

void
evenlight_nn_conv3x3_region (const EvenlightConv   *conv,
                             const EvenlightPlanes *in,
                             const EvenlightRect   *region,
                             EvenlightPlanes       *out,
                             gboolean               relu)
{
  EvenlightConvRowFunc kernel = conv_row ();
  const gfloat *src[MAX_TAPS];
  gfloat *dst[MAX_COUT];
  gint ox = region->x - in->x0, oy = region->y - in->y0;
  gint y, ic, ky, kx, o;

  g_return_if_fail (conv->k == 3 && conv->cin == in->channels);
  g_return_if_fail (conv->ntaps <= MAX_TAPS && conv->cout <= MAX_COUT);
  g_return_if_fail (ox >= 0 && oy >= 0 && ox + region->width <= in->width
                    && oy + region->height <= in->height);

  evenlight_planes_ensure (out, conv->cout, region->width, region->height, region->x, region->y);
  for (y = 0; y < region->height; y++)
    {
      gint t = 0;

      for (ic = 0; ic < conv->cin; ic++)
        for (ky = 0; ky < 3; ky++)
          {
            const gfloat *row = evenlight_planes_row (in, ic, evenlight_clampi (oy + y + ky - 1, 0, in->height - 1));
            for (kx = 0; kx < 3; kx++)
              src[t++] = row + ox + kx - 1;
          }
      for (o = 0; o < conv->cout; o++)
        dst[o] = evenlight_planes_row (out, o, y);
      kernel (conv->cout, conv->ntaps, src, conv->wt, conv->bias, dst, region->width, relu);
      for (o = 0; o < conv->cout; o++)
        evenlight_border_row (dst[o], region->width);
    }
}

/* d0[x] = scale · s[2x] + offset and d1[x] = scale · s[min(2x + 1,
 * width − 1)] + offset, x < ceil(width/2): both phases in one pass over
 * the row. */
EVENLIGHT_CLONES static void
pack_row (const gfloat *restrict s, gint width, gfloat scale, gfloat offset,
          gfloat *restrict d0, gfloat *restrict d1)
{
  gint wo = (width + 1) / 2, x;

  for (x = 0; x < wo - 1; x++)      /* 2x + 1 ≤ 2wo − 3 < width */
    {
      d0[x] = scale * s[2 * x] + offset;
      d1[x] = scale * s[2 * x + 1] + offset;
    }
  d0[wo - 1] = scale * s[2 * (wo - 1)] + offset;
  d1[wo - 1] = scale * s[MIN (2 * (wo - 1) + 1, width - 1)] + offset;
  evenlight_border_row (d0, wo);
  evenlight_border_row (d1, wo);
}

void
evenlight_nn_conv3x3_s2 (const EvenlightConv   *conv,
                         const EvenlightPlanes *in,
                         EvenlightPlanes     *out,
                         gboolean             relu)
{
  const gfloat *rows[MAX_TAPS];
  gfloat *dst[MAX_COUT];
  gint wo = (in->width + 1) / 2, ho = (in->height + 1) / 2;
  gint y, ic, ky, o;

  conv_row ();
  g_return_if_fail (conv->k == 3 && conv->cin == in->channels);
  g_return_if_fail (conv->ntaps <= MAX_TAPS && conv->cout <= MAX_COUT);
  g_return_if_fail (in->x0 % 2 == 0 && in->y0 % 2 == 0);

  /* The input's border columns −1 and width are the clamped 2j − 1 of
   * j = 0 and 2j + 1 of the last j when the width is odd. */
  evenlight_planes_ensure (out, conv->cout, wo, ho, in->x0 / 2, in->y0 / 2);
  for (y = 0; y < ho; y++)
    {
      gint t = 0;

      for (ic = 0; ic < conv->cin; ic++)
        for (ky = 0; ky < 3; ky++)
          rows[t++] = evenlight_planes_row (in, ic, evenlight_clampi (2 * y - 1 + ky, 0, in->height - 1));
      for (o = 0; o < conv->cout; o++)
        dst[o] = evenlight_planes_row (out, o, y);
      conv_row_s2_func (conv->cout, 3 * conv->cin, rows, conv->wt, conv->bias, dst, wo, relu);
      for (o = 0; o < conv->cout; o++)
        evenlight_border_row (dst[o], wo);
    }
}

void
evenlight_nn_conv1x1 (const EvenlightConv          *conv,
                      const EvenlightPlanes *const *ins,
                      gint                          n_ins,
                      EvenlightPlanes              *out,
                      gboolean                      relu)
{
  EvenlightConvRowFunc kernel = conv_row ();
  const gfloat *src[MAX_TAPS];
  gfloat *dst[MAX_COUT];
  const EvenlightPlanes *first = ins[0];
  gint y, i, c, o, cin = 0;

  for (i = 0; i < n_ins; i++)
    {
      g_return_if_fail (ins[i]->width == first->width && ins[i]->height == first->height);
      cin += ins[i]->channels;
    }
  g_return_if_fail (conv->k == 1 && conv->cin == cin);
  g_return_if_fail (conv->ntaps <= MAX_TAPS && conv->cout <= MAX_COUT);

  evenlight_planes_ensure (out, conv->cout, first->width, first->height, first->x0, first->y0);
  for (y = 0; y < first->height; y++)
    {
      gint t = 0;

      for (i = 0; i < n_ins; i++)
        for (c = 0; c < ins[i]->channels; c++)
          src[t++] = evenlight_planes_row (ins[i], c, y);
      for (o = 0; o < conv->cout; o++)
        dst[o] = evenlight_planes_row (out, o, y);
      kernel (conv->cout, conv->ntaps, src, conv->wt, conv->bias, dst, first->width, relu);
      for (o = 0; o < conv->cout; o++)
        evenlight_border_row (dst[o], first->width);
    }
}

/* ---- Resolution changes -------------------------------------------------- */

void
evenlight_nn_pack2 (const EvenlightPlanes *in,
                    gfloat                 scale,
                    gfloat                 offset,
                    EvenlightPlanes       *out)
{
  gint wo = (in->width + 1) / 2, ho = (in->height + 1) / 2;
  gint c, dy, y;

  g_return_if_fail (in->x0 % 2 == 0 && in->y0 % 2 == 0);

  evenlight_planes_ensure (out, 4 * in->channels, wo, ho, in->x0 / 2, in->y0 / 2);
  for (c = 0; c < in->channels; c++)
    for (dy = 0; dy < 2; dy++)
      for (y = 0; y < ho; y++)
        pack_row (evenlight_planes_row (in, c, MIN (2 * y + dy, in->height - 1)), in->width,
                  scale, offset, evenlight_planes_row (out, c * 4 + dy * 2, y),
                  evenlight_planes_row (out, c * 4 + dy * 2 + 1, y));
}

void
evenlight_nn_unpack2 (const EvenlightPlanes *in,
                      gint                   width,
                      gint                   height,
                      EvenlightPlanes       *out)
{
  gint channels = in->channels / 4;
  gint c, y, x;

  g_return_if_fail (in->channels % 4 == 0);
  g_return_if_fail ((width + 1) / 2 <= in->width && (height + 1) / 2 <= in->height);

  evenlight_planes_ensure (out, channels, width, height, in->x0 * 2, in->y0 * 2);
  for (c = 0; c < channels; c++)
    for (y = 0; y < height; y++)
      {
        gint dy = y & 1;
        const gfloat *s0 = evenlight_planes_row (in, c * 4 + dy * 2, y / 2);
        const gfloat *s1 = evenlight_planes_row (in, c * 4 + dy * 2 + 1, y / 2);
        gfloat *d = evenlight_planes_row (out, c, y);

        for (x = 0; x + 1 < width; x += 2)
          {
            d[x] = s0[x / 2];
            d[x + 1] = s1[x / 2];
          }
        if (x < width)
          d[x] = s0[x / 2];
        evenlight_border_row (d, width);
      }
}

/* One axis of up2 (MODEL.md): output i of the level reads i0, i1 of the
 * coarser level with weight t on i1. Computed from level coordinates so a
 * window gives what the whole level gives; clamped to the input window
 * @in0 … @in0 + @n − 1. */
static inline void
up2_axis (gint i, gint in0, gint n, gint *j0, gint *j1, gfloat *t)
{
  gfloat s = ((gfloat) i + 0.5f) * 0.5f - 0.5f;
  gint i0;

  if (s < 0.0f)
    s = 0.0f;
  i0 = (gint) s;          /* s ≥ 0: truncation is floor */
  *t = s - (gfloat) i0;
  *j0 = evenlight_clampi (i0 - in0, 0, n - 1);
  *j1 = evenlight_clampi (i0 + 1 - in0, 0, n - 1);
}

/* One row of the horizontal pass. Away from the window's ends the
 * weights alternate (0.25, 0.75), (0.75, 0.25): output columns 2k and
 * 2k + 1 read s[k − 1], s[k] and s[k], s[k + 1] (up2_axis with an even
 * window origin), written out so the loop vectorises without gathers and
 * gives the bits of the general form (1 − t)·a + t·b. */
EVENLIGHT_CLONES static void
up2_row (const gfloat *restrict s, gint n, const gint *restrict j0, const gint *restrict j1,
         const gfloat *restrict t, gint width, gfloat *restrict d)
{
  /* pairs k = 1 … kmax: j0, j1 inside [0, n − 1] and 2k + 1 < width */
  gint kmax = MIN (n - 2, (width - 2) / 2);
  gint x, k;

  if (kmax < 1)
    {
      for (x = 0; x < width; x++)
        d[x] = (1.0f - t[x]) * s[j0[x]] + t[x] * s[j1[x]];
      return;
    }
  for (x = 0; x < 2; x++)
    d[x] = (1.0f - t[x]) * s[j0[x]] + t[x] * s[j1[x]];
  for (k = 1; k <= kmax; k++)
    {
      d[2 * k] = 0.25f * s[k - 1] + 0.75f * s[k];
      d[2 * k + 1] = 0.75f * s[k] + 0.25f * s[k + 1];
    }
  for (x = 2 * kmax + 2; x < width; x++)
    d[x] = (1.0f - t[x]) * s[j0[x]] + t[x] * s[j1[x]];
}

/* d = u·a + t·b (+ e) */
EVENLIGHT_CLONES static void
lerp_rows (const gfloat *restrict a, const gfloat *restrict b, gfloat u, gfloat t,
           const gfloat *restrict e, gint width, gfloat *restrict d)
{
  gint x;

  if (e != NULL)
    for (x = 0; x < width; x++)
      d[x] = (u * a[x] + t * b[x]) + e[x];
  else
    for (x = 0; x < width; x++)
      d[x] = u * a[x] + t * b[x];
}

void
evenlight_nn_up2_h (const EvenlightPlanes *in,
                    gint                   width,
                    EvenlightPlanes       *tmp)
{
  gint ox0 = in->x0 * 2;
  gint c, y, x;
  gint *xj0, *xj1;
  gfloat *xt;

  xj0 = g_new (gint, 2 * (gsize) width);
  xj1 = xj0 + width;
  xt = g_new (gfloat, width);
  for (x = 0; x < width; x++)
    up2_axis (ox0 + x, in->x0, in->width, &xj0[x], &xj1[x], &xt[x]);

  evenlight_planes_ensure (tmp, in->channels, width, in->height, ox0, in->y0);
  for (c = 0; c < in->channels; c++)
    for (y = 0; y < in->height; y++)
      up2_row (evenlight_planes_row (in, c, y), in->width, xj0, xj1, xt, width,
               evenlight_planes_row (tmp, c, y));

  g_free (xj0);
  g_free (xt);
}

void
evenlight_nn_up2_v_row (const EvenlightPlanes *tmp,
                        gint                   y,
                        const gfloat *const   *add,
                        gfloat *const         *out)
{
  gint r0, r1, c;
  gfloat t, u;

  up2_axis (2 * tmp->y0 + y, tmp->y0, tmp->height, &r0, &r1, &t);
  u = 1.0f - t;
  for (c = 0; c < tmp->channels; c++)
    {
      lerp_rows (evenlight_planes_row (tmp, c, r0), evenlight_planes_row (tmp, c, r1), u, t,
                 add ? add[c] : NULL, tmp->width, out[c]);
      evenlight_border_row (out[c], tmp->width);
    }
}

void
evenlight_nn_up2 (const EvenlightPlanes *in,
                  const EvenlightPlanes *add,
                  gint                   width,
                  gint                   height,
                  EvenlightPlanes       *tmp,
                  EvenlightPlanes       *out)
{
  gint ox0 = in->x0 * 2, oy0 = in->y0 * 2;
  gint c, y;
  const gfloat *a[MAX_COUT];
  gfloat *d[MAX_COUT];

  g_return_if_fail (in->channels <= MAX_COUT);
  g_return_if_fail (add == NULL
                    || (add->width == width && add->height == height
                        && add->x0 == ox0 && add->y0 == oy0
                        && add->channels == in->channels));

  /* Horizontal pass into @tmp, then vertical, in PyTorch's order. */
  evenlight_nn_up2_h (in, width, tmp);
  evenlight_planes_ensure (out, in->channels, width, height, ox0, oy0);
  for (y = 0; y < height; y++)
    {
      for (c = 0; c < in->channels; c++)
        {
          a[c] = add ? evenlight_planes_row (add, c, y) : NULL;
          d[c] = evenlight_planes_row (out, c, y);
        }
      evenlight_nn_up2_v_row (tmp, y, add ? a : NULL, d);
    }
}
