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

#define MAX_TAPS (16 * 9)
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

/* d[x] = scale · s[min(2x + dx, width − 1)] + offset, x < ceil(width/2). */
EVENLIGHT_CLONES static void
pack_row (const gfloat *restrict s, gint width, gint dx, gfloat scale, gfloat offset,
          gfloat *restrict d)
{
  gint wo = (width + 1) / 2, x;

  for (x = 0; x < wo - 1; x++)      /* 2x + 1 ≤ 2wo − 3 < width */
    d[x] = scale * s[2 * x + dx] + offset;
  d[wo - 1] = scale * s[MIN (2 * (wo - 1) + dx, width - 1)] + offset;
  evenlight_border_row (d, wo);
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
  gint c, dy, dx, y;

  g_return_if_fail (in->x0 % 2 == 0 && in->y0 % 2 == 0);

  evenlight_planes_ensure (out, 4 * in->channels, wo, ho, in->x0 / 2, in->y0 / 2);
  for (c = 0; c < in->channels; c++)
    for (dy = 0; dy < 2; dy++)
      for (dx = 0; dx < 2; dx++)
        for (y = 0; y < ho; y++)
          pack_row (evenlight_planes_row (in, c, MIN (2 * y + dy, in->height - 1)), in->width,
                    dx, scale, offset, evenlight_planes_row (out, c * 4 + dy * 2 + dx, y));
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

EVENLIGHT_CLONES static void
up2_row (const gfloat *restrict s, const gint *restrict j0, const gint *restrict j1,
         const gfloat *restrict t, gint width, gfloat *restrict d)
{
  gint x;

  for (x = 0; x < width; x++)
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
evenlight_nn_up2 (const EvenlightPlanes *in,
                  const EvenlightPlanes *add,
                  gint                   width,
                  gint                   height,
                  EvenlightPlanes       *tmp,
                  EvenlightPlanes       *out)
{
  gint ox0 = in->x0 * 2, oy0 = in->y0 * 2;
  gint c, y, x;
  gint *xj0, *xj1;
  gfloat *xt;

  g_return_if_fail (add == NULL
                    || (add->width == width && add->height == height
                        && add->x0 == ox0 && add->y0 == oy0
                        && add->channels == in->channels));

  xj0 = g_new (gint, 2 * (gsize) width);
  xj1 = xj0 + width;
  xt = g_new (gfloat, width);
  for (x = 0; x < width; x++)
    up2_axis (ox0 + x, in->x0, in->width, &xj0[x], &xj1[x], &xt[x]);

  /* Horizontal pass into @tmp, then vertical, in PyTorch's order. */
  evenlight_planes_ensure (tmp, in->channels, width, in->height, ox0, in->y0);
  for (c = 0; c < in->channels; c++)
    for (y = 0; y < in->height; y++)
      up2_row (evenlight_planes_row (in, c, y), xj0, xj1, xt, width,
               evenlight_planes_row (tmp, c, y));

  evenlight_planes_ensure (out, in->channels, width, height, ox0, oy0);
  for (y = 0; y < height; y++)
    {
      gint r0, r1;
      gfloat t, u;

      up2_axis (oy0 + y, in->y0, in->height, &r0, &r1, &t);
      u = 1.0f - t;
      for (c = 0; c < in->channels; c++)
        {
          const gfloat *a = evenlight_planes_row (tmp, c, r0);
          const gfloat *b = evenlight_planes_row (tmp, c, r1);
          gfloat *d = evenlight_planes_row (out, c, y);

          lerp_rows (a, b, u, t, add ? evenlight_planes_row (add, c, y) : NULL, width, d);
          evenlight_border_row (d, width);
        }
    }

  g_free (xj0);
  g_free (xt);
}
