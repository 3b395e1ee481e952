/* Every layer operation against a naive reference written plainly from
 * weights/MODEL.md, on each instruction set this processor runs.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"
#include "dct.h"

#include <math.h>
#include <string.h>

/* A tensor C × H × W, contiguous. */
typedef struct
{
  gint    c, h, w;
  gfloat *v;
} T;

static T
t_new (gint c, gint h, gint w)
{
  T t = { c, h, w, g_new0 (gfloat, (gsize) c * h * w) };
  return t;
}

#define AT(t, ci, y, x) ((t).v[((gsize) (ci) * (t).h + (y)) * (t).w + (x)])

static gint
clampi (gint v, gint lo, gint hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Copies the window [x0, x0 + w) × [y0, y0 + h) of @t into planes. */
static void
to_planes (const T *t, gint x0, gint y0, gint w, gint h, EvenlightPlanes *p)
{
  gint c, y;

  evenlight_planes_ensure (p, t->c, w, h, x0, y0);
  for (c = 0; c < t->c; c++)
    for (y = 0; y < h; y++)
      memcpy (evenlight_planes_row (p, c, y), &AT (*t, c, y0 + y, x0), w * sizeof (gfloat));
  evenlight_planes_fill_border (p);
}

/* max |planes − t| over the planes' window, only where @valid says. */
static gdouble
diff_planes (const EvenlightPlanes *p, const T *t)
{
  gdouble m = 0.0;
  gint c, y, x;

  g_assert_cmpint (p->channels, ==, t->c);
  for (c = 0; c < t->c; c++)
    for (y = 0; y < p->height; y++)
      for (x = 0; x < p->width; x++)
        {
          gdouble d = fabs ((gdouble) evenlight_planes_row (p, c, y)[x]
                            - AT (*t, c, p->y0 + y, p->x0 + x));
          if (isnan (d))
            return INFINITY;
          m = MAX (m, d);
        }
  return m;
}

static const gchar *isas[] = { "generic", "avx2", "avx512" };

/* ---- conv3x3, conv3x3 s2, conv1x1 ---------------------------------------- */

static T
naive_conv (const T *in, const gfloat *w, const gfloat *b, gint cout, gint k, gint stride, gboolean relu)
{
  gint ho = k == 3 ? (in->h + stride - 1) / stride : in->h;
  gint wo = k == 3 ? (in->w + stride - 1) / stride : in->w;
  T out = t_new (cout, ho, wo);
  gint o, i, y, x, ky, kx;

  for (o = 0; o < cout; o++)
    for (y = 0; y < ho; y++)
      for (x = 0; x < wo; x++)
        {
          gdouble s = b ? b[o] : 0.0;
          for (i = 0; i < in->c; i++)
            for (ky = 0; ky < k; ky++)
              for (kx = 0; kx < k; kx++)
                {
                  gint yy = k == 3 ? clampi (stride * y - 1 + ky, 0, in->h - 1) : y;
                  gint xx = k == 3 ? clampi (stride * x - 1 + kx, 0, in->w - 1) : x;
                  s += (gdouble) w[((o * in->c + i) * k + ky) * k + kx] * AT (*in, i, yy, xx);
                }
          AT (out, o, y, x) = (gfloat) (relu && s < 0.0 ? 0.0 : s);
        }
  return out;
}

static void
test_conv (void)
{
  static const gint sizes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 2, 2 }, { 3, 5 }, { 17, 40 }, { 33, 9 } };
  static const gint couts[] = { 3, 6, 8, 12, 5 };
  guint a, s, c, stride;
  guint32 seed = 1;

  for (a = 0; a < G_N_ELEMENTS (isas); a++)
    {
      if (evenlight_nn_set_isa (isas[a]) == NULL)
        {
          g_test_message ("%s kernels not supported here", isas[a]);
          continue;
        }
      for (s = 0; s < G_N_ELEMENTS (sizes); s++)
        for (c = 0; c < G_N_ELEMENTS (couts); c++)
          for (stride = 1; stride <= 2; stride++)
            {
              gint cin = 1 + (gint) ((s + c) % 9), cout = couts[c];
              T in = t_new (cin, sizes[s][0], sizes[s][1]);
              gfloat *w = g_new (gfloat, cout * cin * 9), b[12];
              EvenlightConv conv;
              EvenlightPlanes pi = EVENLIGHT_PLANES_INIT, po = EVENLIGHT_PLANES_INIT;
              EvenlightPlanes ph = EVENLIGHT_PLANES_INIT;
              T ref;

              test_fill_random (in.v, (gsize) cin * in.h * in.w, -1, 1, seed++);
              test_fill_random (w, cout * cin * 9, -0.5, 0.5, seed++);
              test_fill_random (b, cout, -0.5, 0.5, seed++);
              evenlight_conv_init (&conv, w, b, cout, cin, 3);
              to_planes (&in, 0, 0, in.w, in.h, &pi);
              ref = naive_conv (&in, w, b, cout, 3, stride, TRUE);
              if (stride == 1)
                evenlight_nn_conv3x3 (&conv, &pi, &po, TRUE);
              else
                evenlight_nn_conv3x3_s2 (&conv, &pi, &po, TRUE);
              g_assert_cmpint (po.width, ==, ref.w);
              g_assert_cmpint (po.height, ==, ref.h);
              g_assert_cmpfloat (diff_planes (&po, &ref), <=, 1e-5);

              /* 1×1 over the same input split in two parts. */
              if (cin >= 2)
                {
                  T a1 = t_new (1, in.h, in.w), a2 = t_new (cin - 1, in.h, in.w);
                  EvenlightPlanes p1 = EVENLIGHT_PLANES_INIT, p2 = EVENLIGHT_PLANES_INIT;
                  const EvenlightPlanes *ins[2] = { &p1, &p2 };
                  EvenlightConv c1;
                  T r1;

                  memcpy (a1.v, in.v, (gsize) in.h * in.w * sizeof (gfloat));
                  memcpy (a2.v, in.v + (gsize) in.h * in.w, (gsize) (cin - 1) * in.h * in.w * sizeof (gfloat));
                  to_planes (&a1, 0, 0, in.w, in.h, &p1);
                  to_planes (&a2, 0, 0, in.w, in.h, &p2);
                  evenlight_conv_init (&c1, w, stride == 1 ? b : NULL, cout, cin, 1);
                  evenlight_nn_conv1x1 (&c1, ins, 2, &po, FALSE);
                  r1 = naive_conv (&in, w, stride == 1 ? b : NULL, cout, 1, 1, FALSE);
                  g_assert_cmpfloat (diff_planes (&po, &r1), <=, 1e-5);
                  evenlight_conv_clear (&c1);
                  evenlight_planes_clear (&p1);
                  evenlight_planes_clear (&p2);
                  g_free (a1.v);
                  g_free (a2.v);
                  g_free (r1.v);
                }

              evenlight_conv_clear (&conv);
              evenlight_planes_clear (&pi);
              evenlight_planes_clear (&po);
              evenlight_planes_clear (&ph);
              g_free (in.v);
              g_free (ref.v);
              g_free (w);
            }
    }
  evenlight_nn_set_isa (NULL);
}

/* ---- pack2 / unpack2 -------------------------------------------------- */

static void
test_pack (void)
{
  /* { 4, 75 }: rows long enough for whole vectors of the one-pass
   * de-interleave, and an odd width for the clamped last column. */
  static const gint sizes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 2, 2 }, { 3, 5 }, { 10, 13 },
                                   { 4, 75 } };
  guint s;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint h = sizes[s][0], w = sizes[s][1], h1 = (h + 1) / 2, w1 = (w + 1) / 2;
      T in = t_new (3, h, w), ref = t_new (12, h1, w1);
      EvenlightPlanes pi = EVENLIGHT_PLANES_INIT, pp = EVENLIGHT_PLANES_INIT, pu = EVENLIGHT_PLANES_INIT;
      gint c, dy, dx, i, j;

      test_fill_random (in.v, (gsize) 3 * h * w, 0, 1, 7 + s);
      for (c = 0; c < 3; c++)
        for (dy = 0; dy < 2; dy++)
          for (dx = 0; dx < 2; dx++)
            for (i = 0; i < h1; i++)
              for (j = 0; j < w1; j++)
                AT (ref, c * 4 + dy * 2 + dx, i, j) =
                  2.0f * AT (in, c, MIN (2 * i + dy, h - 1), MIN (2 * j + dx, w - 1)) - 1.0f;
      to_planes (&in, 0, 0, w, h, &pi);
      evenlight_nn_pack2 (&pi, 2.0f, -1.0f, &pp);
      g_assert_cmpfloat (diff_planes (&pp, &ref), ==, 0.0);

      /* unpack2(pack2(x)) = x */
      evenlight_nn_pack2 (&pi, 1.0f, 0.0f, &pp);
      evenlight_nn_unpack2 (&pp, w, h, &pu);
      g_assert_cmpfloat (diff_planes (&pu, &in), ==, 0.0);

      evenlight_planes_clear (&pi);
      evenlight_planes_clear (&pp);
      evenlight_planes_clear (&pu);
      g_free (in.v);
      g_free (ref.v);
    }
}

/* ---- up2 ----------------------------------------------------------------- */

static void
naive_axis (gint i, gint n, gint *i0, gint *i1, gdouble *t)
{
  gdouble s = MAX (0.0, (i + 0.5) * 0.5 - 0.5);

  *i0 = (gint) floor (s);
  *i1 = MIN (*i0 + 1, n - 1);
  *t = s - *i0;
}

static T
naive_up2 (const T *in, gint ho, gint wo)
{
  T out = t_new (in->c, ho, wo);
  gint c, y, x, y0, y1, x0, x1;
  gdouble ty, tx;

  for (c = 0; c < in->c; c++)
    for (y = 0; y < ho; y++)
      for (x = 0; x < wo; x++)
        {
          naive_axis (y, in->h, &y0, &y1, &ty);
          naive_axis (x, in->w, &x0, &x1, &tx);
          AT (out, c, y, x) = (gfloat) ((1 - ty) * ((1 - tx) * AT (*in, c, y0, x0) + tx * AT (*in, c, y0, x1))
                                        + ty * ((1 - tx) * AT (*in, c, y1, x0) + tx * AT (*in, c, y1, x1)));
        }
  return out;
}

static void
test_up2 (void)
{
  /* { 3, 70 }: rows long enough for the vectorised interior of the
   * horizontal pass (several whole vectors of column pairs). */
  static const gint sizes[][2] = { { 1, 1 }, { 1, 4 }, { 4, 1 }, { 2, 2 }, { 3, 5 }, { 9, 12 },
                                   { 3, 70 } };
  guint s;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint h = sizes[s][0], w = sizes[s][1];
      gint odd;

      for (odd = 0; odd < 2; odd++)
        {
          /* The finer level is 2n or 2n − 1 (pack2's ceil). */
          gint ho = 2 * h - (odd && h > 1), wo = 2 * w - (odd && w > 1);
          T in = t_new (2, h, w), add = t_new (2, ho, wo), ref;
          EvenlightPlanes pi = EVENLIGHT_PLANES_INIT, pa = EVENLIGHT_PLANES_INIT;
          EvenlightPlanes pt = EVENLIGHT_PLANES_INIT, po = EVENLIGHT_PLANES_INIT;
          gsize k;

          test_fill_random (in.v, (gsize) 2 * h * w, -1, 1, 100 + s);
          test_fill_random (add.v, (gsize) 2 * ho * wo, -1, 1, 200 + s);
          ref = naive_up2 (&in, ho, wo);
          to_planes (&in, 0, 0, w, h, &pi);
          evenlight_nn_up2 (&pi, NULL, wo, ho, &pt, &po);
          g_assert_cmpfloat (diff_planes (&po, &ref), <=, 1e-6);

          for (k = 0; k < (gsize) 2 * ho * wo; k++)
            ref.v[k] += add.v[k];
          to_planes (&add, 0, 0, wo, ho, &pa);
          evenlight_nn_up2 (&pi, &pa, wo, ho, &pt, &po);
          g_assert_cmpfloat (diff_planes (&po, &ref), <=, 1e-6);

          evenlight_planes_clear (&pi);
          evenlight_planes_clear (&pa);
          evenlight_planes_clear (&pt);
          evenlight_planes_clear (&po);
          g_free (in.v);
          g_free (add.v);
          g_free (ref.v);
        }
    }

  /* A window of the coarse level gives the whole level's values wherever
   * both taps lie inside it, bit for bit. */
  {
    gint h = 11, w = 14, ho = 21, wo = 28;
    T in = t_new (1, h, w);
    EvenlightPlanes pi = EVENLIGHT_PLANES_INIT, pt = EVENLIGHT_PLANES_INIT;
    EvenlightPlanes whole = EVENLIGHT_PLANES_INIT, part = EVENLIGHT_PLANES_INIT;
    gint y, x, checked = 0;

    test_fill_random (in.v, (gsize) h * w, -1, 1, 300);
    to_planes (&in, 0, 0, w, h, &pi);
    evenlight_nn_up2 (&pi, NULL, wo, ho, &pt, &whole);
    to_planes (&in, 3, 2, w - 3, h - 2, &pi);  /* origin (3, 2) → output (6, 4) */
    evenlight_nn_up2 (&pi, NULL, wo - 6, ho - 4, &pt, &part);
    for (y = 0; y < part.height; y++)
      for (x = 0; x < part.width; x++)
        {
          gint gy = y + 4, gx = x + 6;
          /* first tap row/column of the level: ⌊i/2 − ¼⌋ */
          if ((gy - 1) / 2 >= 2 && (gx - 1) / 2 >= 3)
            {
              g_assert_cmpfloat (evenlight_planes_row (&part, 0, y)[x], ==,
                                 evenlight_planes_row (&whole, 0, gy)[gx]);
              checked++;
            }
        }
    g_assert_cmpint (checked, >, 300);
    evenlight_planes_clear (&pi);
    evenlight_planes_clear (&pt);
    evenlight_planes_clear (&whole);
    evenlight_planes_clear (&part);
    g_free (in.v);
  }
}

/* ---- adaptive pooling of pack2(bright channel) --------------------------- */

static void
test_pool (void)
{
  static const gint sizes[][2] = { { 1, 1 }, { 1, 1023 }, { 1023, 1 }, { 3, 5 }, { 256, 256 }, { 301, 257 }, { 517, 700 } };
  const gint P = EVENLIGHT_POOL_SIZE;
  guint s;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint h = sizes[s][0], w = sizes[s][1], h1 = (h + 1) / 2, w1 = (w + 1) / 2;
      gfloat *rgb = g_new (gfloat, (gsize) h * w * 3);
      gfloat *pooled = g_new (gfloat, 2 * 4 * P * P);
      TestImage image = { rgb, w, h, 0 };
      GError *error = NULL;
      gdouble worst = 0.0;
      gint inv, c, p, q, i, j;

      test_fill_random (rgb, (gsize) h * w * 3, -0.2f, 1.2f, 400 + s);  /* sanitised by the core */
      g_assert_true (evenlight_context_pool (w, h, test_image_read, &image, pooled, NULL, &error));
      g_assert_no_error (error);

      for (inv = 0; inv < 2; inv++)
        for (c = 0; c < 4; c++)
          for (p = 0; p < P; p++)
            for (q = 0; q < P; q++)
              {
                gint rs = (gint) floor ((gdouble) p * h1 / P), re = (gint) ceil ((gdouble) (p + 1) * h1 / P);
                gint cs = (gint) floor ((gdouble) q * w1 / P), ce = (gint) ceil ((gdouble) (q + 1) * w1 / P);
                gdouble sum = 0.0;

                for (i = rs; i < re; i++)
                  for (j = cs; j < ce; j++)
                    {
                      gint y = MIN (2 * i + c / 2, h - 1), x = MIN (2 * j + c % 2, w - 1);
                      const gfloat *px = rgb + ((gsize) y * w + x) * 3;
                      gdouble r = CLAMP (px[0], 0.0, 1.0), g = CLAMP (px[1], 0.0, 1.0), b = CLAMP (px[2], 0.0, 1.0);
                      sum += inv ? MAX (MAX (1 - r, 1 - g), 1 - b) : MAX (MAX (r, g), b);
                    }
                worst = MAX (worst, fabs (sum / ((re - rs) * (ce - cs))
                                          - pooled[(((gsize) inv * 4 + c) * P + p) * P + q]));
              }
      g_assert_cmpfloat (worst, <=, 1e-6);
      g_free (rgb);
      g_free (pooled);
    }
}

/* ---- slicing, I_U, I_O (§1, §2) ------------------------------------------ */

static gdouble
naive_slice (const gfloat *grid, gint w, gint h, gint x, gint y, gdouble v)
{
  gdouble c[3] = { (x + 0.5) * (16.0 / w) - 0.5, (y + 0.5) * (16.0 / h) - 0.5, v * 8 - 0.5 };
  gint n[3] = { 16, 16, 8 }, i0[3], i1[3], k, dz, dy, dx;
  gdouble t[3], s = 0.0;

  for (k = 0; k < 3; k++)
    {
      c[k] = CLAMP (c[k], 0.0, n[k] - 1.0);
      i0[k] = (gint) floor (c[k]);
      i1[k] = MIN (i0[k] + 1, n[k] - 1);
      t[k] = c[k] - i0[k];
    }
  for (dz = 0; dz < 2; dz++)
    for (dy = 0; dy < 2; dy++)
      for (dx = 0; dx < 2; dx++)
        {
          gint z = dz ? i1[2] : i0[2], yy = dy ? i1[1] : i0[1], xx = dx ? i1[0] : i0[0];
          s += (dz ? t[2] : 1 - t[2]) * (dy ? t[1] : 1 - t[1]) * (dx ? t[0] : 1 - t[0])
               * grid[(z * 16 + yy) * 16 + xx];
        }
  return MAX (s, v);
}

static void
test_slicing (void)
{
  /* { 9, 400 }: grid cells 25 pixels wide, so the per-cell runs of the
   * slicing have whole vectors and partial ones at both ends. */
  static const gint sizes[][2] = { { 1, 1 }, { 3, 5 }, { 45, 67 }, { 100, 31 }, { 9, 400 } };
  EvenlightModel *model = test_model_random (5);
  EvenlightParams params = { 0.7f, 0.4f, 0.5f };
  guint s;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      gint h = sizes[s][0], w = sizes[s][1], x, y, c;
      gfloat *rgb = test_image_photo (w, h, 500 + s);
      TestImage image = { rgb, w, h, 0 };
      EvenlightContext *ctx = evenlight_context_new (model, w, h, test_image_read, &image, NULL);
      EvenlightScratch *sc = evenlight_scratch_new ();
      EvenlightRect all = { 0, 0, w, h };
      gfloat *out = g_new (gfloat, (gsize) w * h * 3);
      gdouble worst = 0.0;

      g_assert_nonnull (ctx);
      g_assert_true (evenlight_render_tile (ctx, &params, &all, EVENLIGHT_TILE_MARGIN, test_image_read,
                                            &image, sc, TRUE, out, (gsize) w * 3, NULL));
      for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
          {
            const gfloat *px = rgb + ((gsize) y * w + x) * 3;
            gdouble g = MAX (MAX (px[0], px[1]), px[2]);
            gdouble gi = MAX (MAX (1 - px[0], 1 - px[1]), 1 - px[2]);
            gdouble l = naive_slice (ctx->grid, w, h, x, y, g);
            gdouble li = naive_slice (ctx->grid_inv, w, h, x, y, gi);

            worst = MAX (worst, fabs (l - evenlight_planes_row (&sc->l, 0, y)[x]));
            worst = MAX (worst, fabs (li - evenlight_planes_row (&sc->li, 0, y)[x]));
            for (c = 0; c < 3; c++)
              {
                gdouble iu = MIN (1.0, px[c] / (pow (l, params.shadows) + 1e-3));
                gdouble io = MAX (0.0, 1.0 - (1.0 - px[c]) / (pow (li, params.highlights) + 1e-3));
                worst = MAX (worst, fabs (iu - evenlight_planes_row (&sc->x, 3 + c, y)[x]));
                worst = MAX (worst, fabs (io - evenlight_planes_row (&sc->x, 6 + c, y)[x]));
              }
          }
      g_assert_cmpfloat (worst, <=, 2e-5);
      evenlight_scratch_free (sc);
      evenlight_context_free (ctx);
      g_free (rgb);
      g_free (out);
    }
  test_model_free (model);
}

/* ---- DCT Φ (§5) ------------------------------------------------------------ */

static T
naive_phi (const T *n, gdouble g3)
{
  T out = t_new (n->c, n->h, n->w);
  gdouble d[8][8], blk[8][8], cf[8][8], tmp[8][8];
  gint c, by, bx, u, v, k, l;

  for (u = 0; u < 8; u++)
    for (k = 0; k < 8; k++)
      d[u][k] = (u == 0 ? sqrt (1.0 / 8) : sqrt (2.0 / 8)) * cos (G_PI * (2 * k + 1) * u / 16.0);

  for (c = 0; c < n->c; c++)
    for (by = -4; by < n->h; by += 4)
      for (bx = -4; bx < n->w; bx += 4)
        {
          for (k = 0; k < 8; k++)
            for (l = 0; l < 8; l++)
              blk[k][l] = AT (*n, c, clampi (by + k, 0, n->h - 1), clampi (bx + l, 0, n->w - 1));
          /* C = D B Dᵀ */
          for (u = 0; u < 8; u++)
            for (l = 0; l < 8; l++)
              {
                tmp[u][l] = 0;
                for (k = 0; k < 8; k++)
                  tmp[u][l] += d[u][k] * blk[k][l];
              }
          for (u = 0; u < 8; u++)
            for (v = 0; v < 8; v++)
              {
                gdouble m = CLAMP (u + v + 1 - 15.0 * (1.0 - g3), 0.0, 1.0);
                cf[u][v] = 0;
                for (l = 0; l < 8; l++)
                  cf[u][v] += tmp[u][l] * d[v][l];
                cf[u][v] *= m;
              }
          /* Dᵀ C D */
          for (k = 0; k < 8; k++)
            for (v = 0; v < 8; v++)
              {
                tmp[k][v] = 0;
                for (u = 0; u < 8; u++)
                  tmp[k][v] += d[u][k] * cf[u][v];
              }
          for (k = 0; k < 8; k++)
            for (l = 0; l < 8; l++)
              {
                gdouble s = 0;
                for (v = 0; v < 8; v++)
                  s += tmp[k][v] * d[v][l];
                if (by + k >= 0 && by + k < n->h && bx + l >= 0 && bx + l < n->w)
                  AT (out, c, by + k, bx + l) += (gfloat) (s / 4);
              }
        }
  return out;
}

static void
test_dct (void)
{
  /* { 9, 203 }: rows of many whole vectors of 4-column groups for the
   * polyphase gather and scatter, with unaligned ends. */
  static const gint sizes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 3, 5 }, { 29, 37 }, { 9, 203 } };
  static const gfloat g3s[] = { 0.05f, 0.5f, 0.77f, 1.0f };
  guint s, g;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (g = 0; g < G_N_ELEMENTS (g3s); g++)
      {
        gint h = sizes[s][0], w = sizes[s][1];
        T n = t_new (3, h, w), ref;
        EvenlightPlanes pn = EVENLIGHT_PLANES_INIT, po = EVENLIGHT_PLANES_INIT, pr = EVENLIGHT_PLANES_INIT;
        EvenlightRect all = { 0, 0, w, h };
        gint trial;

        test_fill_random (n.v, (gsize) 3 * h * w, -0.3f, 0.3f, 600 + s);
        ref = naive_phi (&n, g3s[g]);
        to_planes (&n, 0, 0, w, h, &pn);
        evenlight_dct_filter (&pn, w, h, &all, g3s[g], &po);
        g_assert_cmpfloat (diff_planes (&po, &ref), <=, 1e-5);
        if (g3s[g] == 1.0f)
          g_assert_cmpfloat (diff_planes (&po, &n), <=, 1e-5);   /* M = 1: Φ = N */

        /* Any sub-rectangle gives the same values, bit for bit. */
        for (trial = 0; trial < 5 && w * h > 1; trial++)
          {
            EvenlightRect r;
            gint y, x;

            r.width = 1 + (trial * 7 + 3) % w;
            r.height = 1 + (trial * 5 + 1) % h;
            r.x = (trial * 3) % (w - r.width + 1);
            r.y = (trial * 2) % (h - r.height + 1);
            evenlight_dct_filter (&pn, w, h, &r, g3s[g], &pr);
            for (y = 0; y < r.height; y++)
              for (x = 0; x < r.width; x++)
                g_assert_cmpfloat (evenlight_planes_row (&pr, 1, y)[x], ==,
                                   evenlight_planes_row (&po, 1, r.y + y)[r.x + x]);
          }
        evenlight_planes_clear (&pn);
        evenlight_planes_clear (&po);
        evenlight_planes_clear (&pr);
        g_free (n.v);
        g_free (ref.v);
      }
}

/* Φ's size grows with γ3: the mask only ever opens. */
static void
test_dct_monotone (void)
{
  gint h = 40, w = 52;
  T n = t_new (3, h, w);
  EvenlightPlanes pn = EVENLIGHT_PLANES_INIT, po = EVENLIGHT_PLANES_INIT;
  EvenlightRect all = { 0, 0, w, h };
  gdouble last = 0.0;
  gint k;

  test_fill_random (n.v, (gsize) 3 * h * w, -0.3f, 0.3f, 700);
  to_planes (&n, 0, 0, w, h, &pn);
  for (k = 1; k <= 20; k++)
    {
      gdouble e = 0.0;
      gint c, y, x;

      evenlight_dct_filter (&pn, w, h, &all, k / 20.0f, &po);
      for (c = 0; c < 3; c++)
        for (y = 0; y < h; y++)
          for (x = 0; x < w; x++)
            e += evenlight_planes_row (&po, c, y)[x] * (gdouble) evenlight_planes_row (&po, c, y)[x];
      g_assert_cmpfloat (e, >, last);
      last = e;
    }
  evenlight_planes_clear (&pn);
  evenlight_planes_clear (&po);
  g_free (n.v);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/kernels/conv", test_conv);
  g_test_add_func ("/core/kernels/pack2", test_pack);
  g_test_add_func ("/core/kernels/up2", test_up2);
  g_test_add_func ("/core/kernels/pool", test_pool);
  g_test_add_func ("/core/kernels/slicing", test_slicing);
  g_test_add_func ("/core/kernels/dct", test_dct);
  g_test_add_func ("/core/kernels/dct-monotone", test_dct_monotone);
  return g_test_run ();
}
