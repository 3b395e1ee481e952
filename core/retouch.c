/* The classic retouching module, paper Eq. (1):
 *
 *   R1 = F(I, I / (S(max I, θ1)^γ1 + ε), 1 − (1 − I) / (S(max(1 − I), θ2)^γ2 + ε), θ3)
 *   R  = R1 + α (R1 − S(R1, θ4))
 *
 * S is an edge-aware smoothing, F the exposure fusion of Mertens et al. over
 * the input, every shadow lift (one per γ1 of the sequence) and every
 * highlight suppression (one per γ2).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * S is the guided filter of He et al. (ECCV 2010), the image as its own
 * guide, rather than a domain transform: it is exactly O(N) whatever the
 * radius (four box filters made of running sums), has no gradient reversal,
 * treats both image axes alike (the domain transform's recursive passes are
 * direction-dependent and need several iterations), and its one parameter
 * ε says directly which steps count as edges (variance ≫ ε is kept).
 *
 * F is computed in two passes over the exposures so that only one exposure,
 * its weights and its pyramids are in memory at a time; each exposure is
 * re-made from I and the two illumination maps, which costs far less than
 * keeping them all at 12 MP.
 */
#include "retouch.h"
#include "evenlight.h"

#include <math.h>
#include <string.h>

/* ε of Eq. (1): bounds the gain at 1/ε where the illumination is 0. It is
 * applied as a floor, 1 / max(L^γ, ε), rather than as the offset
 * 1 / (L^γ + ε): the two agree wherever ε matters, and the floor keeps a
 * fully lit pixel (L = 1) exactly unchanged, so black stays black and white
 * stays white. */
#define RETOUCH_EPS 0.01f
/* θ3: the Mertens weights' well-exposedness width (their paper's σ). */
#define FUSE_SIGMA 0.2f
#define FUSE_FLOOR 0.01f
/* Images smaller than this are not worth a thread. */
#define PARALLEL_MIN_PIXELS 65536
#define FUSE_LEVELS 8

/* The hot per-pixel loops vectorise only without -ftrapping-math (GCC
 * will not turn a float-to-int conversion or a select into vector code
 * that might trap where the scalar code would not). Nothing here relies on
 * floating-point traps. Every function those loops inline carries the same
 * attribute, since GCC does not inline across differing ones. */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISE __attribute__ ((optimize ("no-trapping-math")))
#else
#define VECTORISE
#endif

/* 2^x for x in [-126, 126], relative error < 3e-6: written so that the
 * per-pixel loops vectorise (libm's expf is a call per pixel, and it was
 * the single largest cost of the whole module). */
static inline VECTORISE gfloat
fast_exp2f (gfloat x)
{
  union { gfloat f; gint32 i; } u;
  gint32 i;
  gfloat f, p;

  x = x < -126.0f ? -126.0f : x;  /* two plain selects vectorise, */
  x = x > 126.0f ? 126.0f : x;    /* a nested one does not        */
  i = (gint32) (x + 126.5f) - 126;  /* round to nearest, valid for x ≥ −126 */
  f = x - (gfloat) i;               /* in [−0.5, 0.5] */
  p = 1.0f + f * (0.69314718f + f * (0.24022651f + f * (0.05550411f
      + f * (0.00961813f + f * 0.00133336f))));
  u.i = (i + 127) << 23;
  return u.f * p;
}

/* √v for v ≥ 0, relative error < 1e-6: sqrtf() must set errno for v < 0,
 * which stops GCC from vectorising any loop that calls it. */
static inline VECTORISE gfloat
fast_sqrtf (gfloat v)
{
  union { gfloat f; gint32 i; } u;
  gfloat x = v + 1e-30f;
  gfloat y;

  u.f = x;
  u.i = 0x5f3759df - (u.i >> 1);  /* 1/√x to 3.5 %, then two Newton steps */
  y = u.f;
  y = y * (1.5f - 0.5f * x * y * y);
  y = y * (1.5f - 0.5f * x * y * y);
  y = y * (1.5f - 0.5f * x * y * y);
  return v * y;
}

/* ---- Parameters -------------------------------------------------------- */

void
evenlight_retouch_params_init_default (EvenlightRetouchParams *params)
{
  g_return_if_fail (params != NULL);
  memset (params, 0, sizeof *params);
  params->shadows[0] = 0.4f;
  params->shadows[1] = 0.8f;
  params->n_shadows = 2;
  params->highlights[0] = 0.6f;
  params->n_highlights = 1;
  params->smooth_radius = 20.0f;
  params->smooth_eps = 0.02f;
  params->detail = 0.3f;
  params->detail_radius = 4.0f;
}

static gboolean
parse_number (const gchar *key, const gchar *text, gdouble lo, gboolean lo_open,
              gdouble hi, gfloat *out, GError **error)
{
  gchar *end = NULL;
  gdouble v;

  while (g_ascii_isspace (*text))
    text++;
  v = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (v))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "retouch parameter '%s': '%s' is not a number", key, text);
      return FALSE;
    }
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0')
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "retouch parameter '%s': unexpected '%s' after the number",
                   key, end);
      return FALSE;
    }
  if (v < lo || (lo_open && v == lo) || v > hi)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "retouch parameter '%s' = %g is out of range %c%g, %g]",
                   key, v, lo_open ? '(' : '[', lo, hi);
      return FALSE;
    }
  *out = (gfloat) v;
  return TRUE;
}

static gboolean
parse_sequence (const gchar *key, const gchar *text, gfloat *values, gint *n,
                GError **error)
{
  gchar **parts = g_strsplit (text, "/", -1);
  guint count = g_strv_length (parts);
  gboolean ok = TRUE;

  if (count == 0 || count > EVENLIGHT_RETOUCH_MAX_EXPOSURES)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "retouch parameter '%s' needs 1 to %d values separated by '/'",
                   key, EVENLIGHT_RETOUCH_MAX_EXPOSURES);
      ok = FALSE;
    }
  for (guint i = 0; ok && i < count; i++)
    ok = parse_number (key, parts[i], 0.0, FALSE, 2.0, &values[i], error);
  if (ok)
    *n = (gint) count;
  g_strfreev (parts);
  return ok;
}

gboolean
evenlight_retouch_params_parse (EvenlightRetouchParams *params,
                                const gchar            *spec,
                                GError                **error)
{
  EvenlightRetouchParams p;
  gchar **items;
  gboolean ok = TRUE;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);

  p = *params;  /* parse into a copy: on error nothing changes */
  items = g_strsplit (spec, ",", -1);
  for (gint i = 0; ok && items[i]; i++)
    {
      gchar *item = g_strstrip (items[i]);
      gchar *eq = strchr (item, '=');
      gchar *key, *value;

      if (*item == '\0')
        continue;
      if (!eq)
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                       "retouch parameter '%s' has no '=value'", item);
          ok = FALSE;
          break;
        }
      *eq = '\0';
      key = g_strstrip (item);
      value = eq + 1;
      if (strcmp (key, "shadows") == 0)
        ok = parse_sequence (key, value, p.shadows, &p.n_shadows, error);
      else if (strcmp (key, "highlights") == 0)
        ok = parse_sequence (key, value, p.highlights, &p.n_highlights, error);
      else if (strcmp (key, "radius") == 0)
        ok = parse_number (key, value, 0.0, TRUE, 1000.0, &p.smooth_radius, error);
      else if (strcmp (key, "eps") == 0)
        ok = parse_number (key, value, 0.0, TRUE, 1.0, &p.smooth_eps, error);
      else if (strcmp (key, "detail") == 0)
        ok = parse_number (key, value, 0.0, FALSE, 4.0, &p.detail, error);
      else if (strcmp (key, "detail_radius") == 0)
        ok = parse_number (key, value, 0.0, TRUE, 1000.0, &p.detail_radius, error);
      else
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                       "unknown retouch parameter '%s' (known: shadows, "
                       "highlights, radius, eps, detail, detail_radius)", key);
          ok = FALSE;
        }
    }
  g_strfreev (items);
  if (ok)
    *params = p;
  return ok;
}

static void
append_sequence (GString *s, const gchar *key, const gfloat *v, gint n)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, "%s=", key);
  for (gint i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (s, '/');
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%g", v[i]));
    }
}

gchar *
evenlight_retouch_params_format (const EvenlightRetouchParams *params)
{
  GString *s = g_string_new (NULL);
  gchar a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  gchar c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (params != NULL, NULL);
  append_sequence (s, "shadows", params->shadows, params->n_shadows);
  g_string_append_c (s, ',');
  append_sequence (s, "highlights", params->highlights, params->n_highlights);
  g_string_append_printf (s, ",radius=%s,eps=%s,detail=%s,detail_radius=%s",
                          g_ascii_formatd (a, sizeof a, "%g", params->smooth_radius),
                          g_ascii_formatd (b, sizeof b, "%g", params->smooth_eps),
                          g_ascii_formatd (c, sizeof c, "%g", params->detail),
                          g_ascii_formatd (d, sizeof d, "%g", params->detail_radius));
  return g_string_free (s, FALSE);
}

/* ---- Rows in parallel ------------------------------------------------- */

typedef void (*RowFunc) (gpointer data, gint y0, gint y1);

typedef struct
{
  RowFunc  func;
  gpointer data;
  gint     y0, y1;
} RowBand;

static gpointer
row_band_run (gpointer p)
{
  RowBand *b = p;
  b->func (b->data, b->y0, b->y1);
  return NULL;
}

/* Runs @func over rows [0, @height) in bands. Every band computes its rows
 * exactly as a single pass would, so the result does not depend on
 * @n_threads. */
static void
parallel_rows (gint n_threads, gint width, gint height, RowFunc func, gpointer data)
{
  RowBand bands[16];
  GThread *threads[16];
  gint n = CLAMP (n_threads, 1, 16);

  if ((gint64) width * height < PARALLEL_MIN_PIXELS)
    n = 1;
  n = MIN (n, height);
  if (n <= 1)
    {
      func (data, 0, height);
      return;
    }
  for (gint i = 0; i < n; i++)
    {
      bands[i] = (RowBand) { func, data, (gint) ((gint64) height * i / n),
                             (gint) ((gint64) height * (i + 1) / n) };
      threads[i] = i ? g_thread_new ("retouch", row_band_run, &bands[i]) : NULL;
    }
  row_band_run (&bands[0]);
  for (gint i = 1; i < n; i++)
    g_thread_join (threads[i]);
}

/* ---- S: guided filter --------------------------------------------------- */

typedef struct
{
  const gfloat *src[2];
  gfloat       *dst[2];
  gint          n;       /* planes filtered together (1 or 2) */
  gint          w, h, r;
} BoxJob;

/* Horizontal normalised box mean: the window is cut at the border and the
 * sum divided by the pixels inside it, so borders are not darkened. */
static void
box_rows (gpointer data, gint y0, gint y1)
{
  BoxJob *j = data;
  gdouble *pre = g_new (gdouble, j->w + 1);

  for (gint p = 0; p < j->n; p++)
    for (gint y = y0; y < y1; y++)
      {
        const gfloat *s = j->src[p] + (gsize) y * j->w;
        gfloat *d = j->dst[p] + (gsize) y * j->w;

        gint r = j->r, w = j->w;
        gint lo = MIN (r, w), hi = MAX (w - r - 1, lo);
        gdouble inv = 1.0 / (2 * r + 1);

        pre[0] = 0.0;
        for (gint x = 0; x < w; x++)
          pre[x + 1] = pre[x] + s[x];
        /* full windows: one multiply; cut windows at the ends: a divide */
        for (gint x = lo; x < hi; x++)
          d[x] = (gfloat) ((pre[x + r + 1] - pre[x - r]) * inv);
        for (gint x = 0; x < w; x++)
          if (x < lo || x >= hi)
            {
              gint a = MAX (x - r, 0), b = MIN (x + r + 1, w);
              d[x] = (gfloat) ((pre[b] - pre[a]) / (b - a));
            }
      }
  g_free (pre);
}

/* Vertical normalised box mean with a running column sum, so that rows are
 * read in order (a column walk would miss the cache on every pixel). Each
 * band starts its own sum, so bands are independent. */
static void
box_cols (gpointer data, gint y0, gint y1)
{
  BoxJob *j = data;
  gdouble *sum = g_new (gdouble, j->w);

  for (gint p = 0; p < j->n; p++)
    {
      const gfloat *s = j->src[p];
      gfloat *d = j->dst[p];
      gint a = MAX (y0 - j->r, 0), b = MIN (y0 + j->r + 1, j->h);

      memset (sum, 0, sizeof (gdouble) * j->w);
      for (gint y = a; y < b; y++)
        for (gint x = 0; x < j->w; x++)
          sum[x] += s[(gsize) y * j->w + x];
      for (gint y = y0; y < y1; y++)
        {
          gint na = MAX (y - j->r, 0), nb = MIN (y + j->r + 1, j->h);
          gdouble inv;

          for (; b < nb; b++)
            for (gint x = 0; x < j->w; x++)
              sum[x] += s[(gsize) b * j->w + x];
          for (; a < na; a++)
            for (gint x = 0; x < j->w; x++)
              sum[x] -= s[(gsize) a * j->w + x];
          inv = 1.0 / (b - a);
          for (gint x = 0; x < j->w; x++)
            d[(gsize) y * j->w + x] = (gfloat) (sum[x] * inv);
        }
    }
  g_free (sum);
}

/* Box means of @n planes (in → out, out may not alias in; tmp: n planes). */
static void
box_mean (const gfloat **in, gfloat **out, gfloat **tmp, gint n,
          gint w, gint h, gint r, gint n_threads)
{
  BoxJob rows = { { in[0], n > 1 ? in[1] : NULL }, { tmp[0], n > 1 ? tmp[1] : NULL },
                  n, w, h, r };
  BoxJob cols = { { tmp[0], n > 1 ? tmp[1] : NULL }, { out[0], n > 1 ? out[1] : NULL },
                  n, w, h, r };

  parallel_rows (n_threads, w, h, box_rows, &rows);
  parallel_rows (n_threads, w, h, box_cols, &cols);
}

void
evenlight_retouch_smooth (const gfloat *src,
                          gfloat       *dst,
                          gint          width,
                          gint          height,
                          gint          radius,
                          gfloat        eps,
                          gint          n_threads)
{
  gsize n;
  gfloat *buf, *p[6];
  const gfloat *in2[2];
  gfloat *out2[2], *tmp2[2];

  g_return_if_fail (src != NULL && dst != NULL && width > 0 && height > 0);
  n = (gsize) width * height;
  buf = g_new (gfloat, 6 * n);
  for (gint i = 0; i < 6; i++)
    p[i] = buf + i * n;
  radius = MAX (radius, 1);
  tmp2[0] = p[4];
  tmp2[1] = p[5];

  /* p0 = I², p1 = mean(I), p2 = mean(I²) */
  for (gsize i = 0; i < n; i++)
    p[0][i] = src[i] * src[i];
  in2[0] = src;  in2[1] = p[0];
  out2[0] = p[1]; out2[1] = p[2];
  box_mean (in2, out2, tmp2, 2, width, height, radius, n_threads);

  /* a = var(I) / (var(I) + ε) keeps steps whose variance is ≫ ε;
   * b = mean(I) − a mean(I). p0 = a, p3 = b. */
  for (gsize i = 0; i < n; i++)
    {
      gfloat var = MAX (p[2][i] - p[1][i] * p[1][i], 0.0f);
      gfloat a = var / (var + eps);
      p[0][i] = a;
      p[3][i] = p[1][i] - a * p[1][i];
    }

  /* q = mean(a) I + mean(b): a and b averaged over every window that
   * covers the pixel. */
  in2[0] = p[0];  in2[1] = p[3];
  out2[0] = p[1]; out2[1] = p[2];
  box_mean (in2, out2, tmp2, 2, width, height, radius, n_threads);
  for (gsize i = 0; i < n; i++)
    dst[i] = p[1][i] * src[i] + p[2][i];
  g_free (buf);
}

/* ---- F: exposure fusion (Mertens, Kautz, Van Reeth 2007) ---------------- */

/* A pyramid level: one plane of w × h floats. Level l + 1 has
 * ((w + 1) / 2) × ((h + 1) / 2) pixels. */
typedef struct
{
  gint    n_levels;
  gint    w[FUSE_LEVELS], h[FUSE_LEVELS];
  gfloat *plane[FUSE_LEVELS];
  gfloat *block;
} Pyramid;

static gint
pyramid_levels (gint w, gint h)
{
  gint n = 1, m = MIN (w, h);

  /* Mertens et al. go down to a 1-pixel level, so that the weights blend
   * at the scale of the whole image. For one photo and its own synthetic
   * exposures that is harmful: the coarsest levels then take the mean
   * brightness of the exposure that wins over most of the image (a lift, in
   * a dark photo) and carry it into a bright window or sky, which the
   * highlight suppression was meant to hold back. Stopping at 1/128 of the
   * short side (8 levels) keeps the blend local; smaller images stop when
   * the short side is down to 4–8 pixels. The depth, like the radii of S,
   * is then the same relative to the image at any size above ~0.6 MP. */
  while (n < FUSE_LEVELS && m >= 8)
    {
      m = (m + 1) / 2;
      n++;
    }
  return n;
}

static void
pyramid_init (Pyramid *p, gint n_levels, gint w, gint h)
{
  gsize total = 0;

  p->n_levels = n_levels;
  for (gint l = 0; l < n_levels; l++)
    {
      p->w[l] = w;
      p->h[l] = h;
      total += (gsize) w * h;
      w = (w + 1) / 2;
      h = (h + 1) / 2;
    }
  p->block = g_new0 (gfloat, total);
  total = 0;
  for (gint l = 0; l < n_levels; l++)
    {
      p->plane[l] = p->block + total;
      total += (gsize) p->w[l] * p->h[l];
    }
}

static void
pyramid_clear (Pyramid *p)
{
  g_free (p->block);
  p->block = NULL;
}

typedef struct
{
  const gfloat *src;
  gfloat       *dst;
  gint          sw, sh, dw, dh;
} ResampleJob;

/* Burt & Adelson REDUCE, kernel [1 4 6 4 1] / 16, clamp-to-edge: rows. */
/* One REDUCE output at source column @c, clamping at the row's ends. */
static inline gfloat
reduce_tap (const gfloat *s, gint sw, gint c)
{
  gint m2 = MAX (c - 2, 0), m1 = MAX (c - 1, 0);
  gint p1 = MIN (c + 1, sw - 1), p2 = MIN (c + 2, sw - 1);

  return (s[m2] + s[p2] + 4.0f * (s[m1] + s[p1]) + 6.0f * s[c]) * (1.0f / 16.0f);
}

static void
reduce_rows (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;
  gint sw = j->sw, dw = j->dw;
  /* outputs whose five taps lie inside the row: 2x − 2 ≥ 0, 2x + 2 < sw */
  gint lo = MIN (1, dw), hi = MAX (MIN ((sw - 3) / 2 + 1, dw), lo);

  for (gint y = y0; y < y1; y++)
    {
      const gfloat *restrict s = j->src + (gsize) y * sw;
      gfloat *restrict d = j->dst + (gsize) y * dw;

      for (gint x = lo; x < hi; x++)
        d[x] = (s[2 * x - 2] + s[2 * x + 2] + 4.0f * (s[2 * x - 1] + s[2 * x + 1])
                + 6.0f * s[2 * x]) * (1.0f / 16.0f);
      for (gint x = 0; x < dw; x++)
        if (x < lo || x >= hi)
          d[x] = reduce_tap (s, sw, 2 * x);
    }
}

/* REDUCE: columns (row-ordered, vectorisable over x). */
static void
reduce_cols (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;

  for (gint y = y0; y < y1; y++)
    {
      gint c = 2 * y;
      const gfloat *r0 = j->src + (gsize) MAX (c - 2, 0) * j->sw;
      const gfloat *r1 = j->src + (gsize) MAX (c - 1, 0) * j->sw;
      const gfloat *r2 = j->src + (gsize) c * j->sw;
      const gfloat *r3 = j->src + (gsize) MIN (c + 1, j->sh - 1) * j->sw;
      const gfloat *r4 = j->src + (gsize) MIN (c + 2, j->sh - 1) * j->sw;
      gfloat *d = j->dst + (gsize) y * j->dw;

      for (gint x = 0; x < j->dw; x++)
        d[x] = (r0[x] + r4[x] + 4.0f * (r1[x] + r3[x]) + 6.0f * r2[x])
               * (1.0f / 16.0f);
    }
}

/* EXPAND (the same kernel, doubled): rows. Even outputs take
 * (1 6 1) / 8 of the source, odd outputs (1 1) / 2. */
static void
expand_rows (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;
  gint sw = j->sw, dw = j->dw;
  /* source pixels i with both neighbours inside and both outputs 2i and
   * 2i + 1 inside the destination */
  gint lo = 1, hi = MAX (MIN (sw - 1, dw / 2), lo);

  for (gint y = y0; y < y1; y++)
    {
      const gfloat *restrict s = j->src + (gsize) y * sw;
      gfloat *restrict d = j->dst + (gsize) y * dw;

      for (gint i = lo; i < hi; i++)
        {
          d[2 * i] = (s[i - 1] + s[i + 1] + 6.0f * s[i]) * 0.125f;
          d[2 * i + 1] = 0.5f * (s[i] + s[i + 1]);
        }
      for (gint x = 0; x < dw; x++)
        {
          gint i = x >> 1, ip;
          if (i >= lo && i < hi)
            continue;
          ip = MIN (i + 1, sw - 1);
          if (x & 1)
            d[x] = 0.5f * (s[i] + s[ip]);
          else
            d[x] = (s[MAX (i - 1, 0)] + s[ip] + 6.0f * s[i]) * 0.125f;
        }
    }
}

/* EXPAND: columns. */
static void
expand_cols (gpointer data, gint y0, gint y1)
{
  ResampleJob *j = data;

  for (gint y = y0; y < y1; y++)
    {
      gint i = y >> 1;
      const gfloat *rm = j->src + (gsize) MAX (i - 1, 0) * j->sw;
      const gfloat *r0 = j->src + (gsize) i * j->sw;
      const gfloat *rp = j->src + (gsize) MIN (i + 1, j->sh - 1) * j->sw;
      gfloat *d = j->dst + (gsize) y * j->dw;

      if (y & 1)
        for (gint x = 0; x < j->dw; x++)
          d[x] = 0.5f * (r0[x] + rp[x]);
      else
        for (gint x = 0; x < j->dw; x++)
          d[x] = (rm[x] + rp[x] + 6.0f * r0[x]) * 0.125f;
    }
}

/* @src (sw × sh) → @dst (half size); @tmp holds dw × sh floats. */
static void
reduce (const gfloat *src, gint sw, gint sh, gfloat *dst, gint dw, gint dh,
        gfloat *tmp, gint n_threads)
{
  ResampleJob a = { src, tmp, sw, sh, dw, sh };
  ResampleJob b = { tmp, dst, dw, sh, dw, dh };

  parallel_rows (n_threads, dw, sh, reduce_rows, &a);
  parallel_rows (n_threads, dw, dh, reduce_cols, &b);
}

/* @src (sw × sh) → @dst (dw × dh, twice the size or one less); @tmp holds
 * dw × sh floats. */
static void
expand (const gfloat *src, gint sw, gint sh, gfloat *dst, gint dw, gint dh,
        gfloat *tmp, gint n_threads)
{
  ResampleJob a = { src, tmp, sw, sh, dw, sh };
  ResampleJob b = { tmp, dst, dw, sh, dw, dh };

  parallel_rows (n_threads, dw, sh, expand_rows, &a);
  parallel_rows (n_threads, dw, dh, expand_cols, &b);
}

/* Makes exposure @k as three planes (R, G, B) of w × h. */
typedef void (*ExposureFunc) (gpointer data, gint k, gfloat *rgb_planes);

typedef struct
{
  const gfloat *rgb;   /* planar, 3 planes */
  gfloat       *w;
  gint          width, height;
} WeightJob;

/* Mertens weights: contrast (|Laplacian| of grey) × saturation (standard
 * deviation of R, G, B) × well-exposedness (Gaussian around 0.5, σ = θ3),
 * each with exponent 1. Contrast and saturation get a small floor: without
 * it a smooth grey area (a clear sky, a wall) has weight ~0 in every
 * exposure, the exposures there blend as an equal mean, and the coarse
 * pyramid levels, decided by the rest of the image, can push it to clip;
 * with it, well-exposedness decides there. */
static VECTORISE void
grey_row (const gfloat *r, const gfloat *g, const gfloat *b, gfloat *out, gint w)
{
  /* out[-1] and out[w] replicate the border, so the Laplacian below needs
   * no clamping in its loop */
  for (gint x = 0; x < w; x++)
    out[x] = 0.299f * r[x] + 0.587f * g[x] + 0.114f * b[x];
  out[-1] = out[0];
  out[w] = out[w - 1];
}

static VECTORISE void
weight_rows (gpointer data, gint y0, gint y1)
{
  WeightJob *j = data;
  gint w = j->width;
  gsize n = (gsize) w * j->height;
  const gfloat *r = j->rgb, *g = j->rgb + n, *b = j->rgb + 2 * n;
  /* exp(−d² / 2σ²) = 2^(k d²) */
  const gfloat k = -1.4426950f / (2.0f * FUSE_SIGMA * FUSE_SIGMA);
  gfloat *buf = g_new (gfloat, 3 * (w + 2));
  gfloat *gu = buf + 1, *gc = buf + w + 3, *gd = buf + 2 * w + 5;

  for (gint y = y0; y < y1; y++)
    {
      gsize row = (gsize) y * w;
      gsize up = (gsize) MAX (y - 1, 0) * w;
      gsize dn = (gsize) MIN (y + 1, j->height - 1) * w;
      const gfloat *restrict rr = r + row;
      const gfloat *restrict gg = g + row;
      const gfloat *restrict bb = b + row;
      gfloat *restrict out = j->w + row;

      grey_row (r + up, g + up, b + up, gu, w);
      grey_row (rr, gg, bb, gc, w);
      grey_row (r + dn, g + dn, b + dn, gd, w);
      for (gint x = 0; x < w; x++)
        {
          gfloat lap = gu[x] + gd[x] + gc[x - 1] + gc[x + 1] - 4.0f * gc[x];
          gfloat mu = (rr[x] + gg[x] + bb[x]) * (1.0f / 3.0f);
          gfloat sat = fast_sqrtf (((rr[x] - mu) * (rr[x] - mu)
                               + (gg[x] - mu) * (gg[x] - mu)
                               + (bb[x] - mu) * (bb[x] - mu)) * (1.0f / 3.0f));
          gfloat dr = rr[x] - 0.5f, dg = gg[x] - 0.5f, db = bb[x] - 0.5f;
          gfloat well = fast_exp2f (k * (dr * dr + dg * dg + db * db));

          out[x] = (fabsf (lap) + FUSE_FLOOR) * (sat + FUSE_FLOOR) * well
                   + 1e-12f;
        }
    }
  g_free (buf);
}

static void
fuse_weights (const gfloat *planes, gfloat *w, gint width, gint height, gint n_threads)
{
  WeightJob j = { planes, w, width, height };
  parallel_rows (n_threads, width, height, weight_rows, &j);
}

/* F of Eq. (1), two passes: the weight sum, then the blend of the Laplacian
 * pyramids under the normalised weights' Gaussian pyramids. With @weights
 * non-NULL the given maps replace the Mertens weights. @out is written only
 * after the last exposure was made, so it may be the buffer the exposures
 * are made from. */
static void
fuse_stream (gint n_images, ExposureFunc make, gpointer data,
             const gfloat *const *weights, gfloat *out,
             gint width, gint height, gint n_threads)
{
  gsize n = (gsize) width * height;
  gint levels = pyramid_levels (width, height);
  gfloat *img = g_new (gfloat, 3 * n);
  gfloat *wsum = g_new0 (gfloat, n);
  gfloat *tmp = g_new (gfloat, n);
  gfloat *up = g_new (gfloat, n);
  Pyramid acc[3], gp, wp;

  for (gint c = 0; c < 3; c++)
    pyramid_init (&acc[c], levels, width, height);
  pyramid_init (&gp, levels, width, height);
  pyramid_init (&wp, levels, width, height);

  for (gint k = 0; k < n_images; k++)
    {
      gfloat *wk = wp.plane[0];

      if (weights)
        memcpy (wk, weights[k], n * sizeof (gfloat));
      else
        {
          make (data, k, img);
          fuse_weights (img, wk, width, height, n_threads);
        }
      for (gsize i = 0; i < n; i++)
        wsum[i] += wk[i];
    }

  for (gint k = 0; k < n_images; k++)
    {
      make (data, k, img);
      if (weights)
        memcpy (wp.plane[0], weights[k], n * sizeof (gfloat));
      else
        fuse_weights (img, wp.plane[0], width, height, n_threads);
      for (gsize i = 0; i < n; i++)
        wp.plane[0][i] = wsum[i] > 0.0f ? wp.plane[0][i] / wsum[i]
                                         : 1.0f / n_images;
      for (gint l = 0; l + 1 < levels; l++)
        reduce (wp.plane[l], wp.w[l], wp.h[l], wp.plane[l + 1],
                wp.w[l + 1], wp.h[l + 1], tmp, n_threads);

      for (gint c = 0; c < 3; c++)
        {
          memcpy (gp.plane[0], img + c * n, n * sizeof (gfloat));
          for (gint l = 0; l + 1 < levels; l++)
            reduce (gp.plane[l], gp.w[l], gp.h[l], gp.plane[l + 1],
                    gp.w[l + 1], gp.h[l + 1], tmp, n_threads);
          for (gint l = 0; l < levels; l++)
            {
              gsize m = (gsize) gp.w[l] * gp.h[l];
              const gfloat *g = gp.plane[l], *wl = wp.plane[l];
              gfloat *a = acc[c].plane[l];

              if (l + 1 < levels)
                {
                  /* Laplacian level: G_l − EXPAND(G_{l+1}) */
                  expand (gp.plane[l + 1], gp.w[l + 1], gp.h[l + 1], up,
                          gp.w[l], gp.h[l], tmp, n_threads);
                  for (gsize i = 0; i < m; i++)
                    a[i] += wl[i] * (g[i] - up[i]);
                }
              else
                for (gsize i = 0; i < m; i++)
                  a[i] += wl[i] * g[i];
            }
        }
    }

  /* Collapse: R_l = L_l + EXPAND(R_{l+1}), in place in the accumulator. */
  for (gint c = 0; c < 3; c++)
    {
      for (gint l = levels - 2; l >= 0; l--)
        {
          gsize m = (gsize) acc[c].w[l] * acc[c].h[l];
          expand (acc[c].plane[l + 1], acc[c].w[l + 1], acc[c].h[l + 1], up,
                  acc[c].w[l], acc[c].h[l], tmp, n_threads);
          for (gsize i = 0; i < m; i++)
            acc[c].plane[l][i] += up[i];
        }
      for (gsize i = 0; i < n; i++)
        out[3 * i + c] = acc[c].plane[0][i];
    }

  for (gint c = 0; c < 3; c++)
    pyramid_clear (&acc[c]);
  pyramid_clear (&gp);
  pyramid_clear (&wp);
  g_free (img);
  g_free (wsum);
  g_free (tmp);
  g_free (up);
}

typedef struct
{
  const gfloat *const *images;
  gsize                n;
} ArrayExposures;

static void
array_exposure (gpointer data, gint k, gfloat *planes)
{
  ArrayExposures *a = data;
  const gfloat *src = a->images[k];

  for (gsize i = 0; i < a->n; i++)
    for (gint c = 0; c < 3; c++)
      planes[c * a->n + i] = src[3 * i + c];
}

void
evenlight_retouch_fuse (const gfloat *const *images,
                        const gfloat *const *weights,
                        gint                 n_images,
                        gfloat              *out,
                        gint                 width,
                        gint                 height,
                        gint                 n_threads)
{
  ArrayExposures a = { images, (gsize) width * height };

  g_return_if_fail (images != NULL && out != NULL && n_images > 0);
  g_return_if_fail (width > 0 && height > 0);
  fuse_stream (n_images, array_exposure, &a, weights, out, width, height,
               n_threads);
}

/* ---- Eq. (1) ------------------------------------------------------------ */

typedef struct
{
  const EvenlightRetouchParams *params;
  const gfloat *rgb;      /* packed input I                    */
  const gfloat *log_l;    /* log2 S(max I, θ1)                 */
  const gfloat *log_li;   /* log2 S(max(1 − I), θ2)            */
  gfloat       *planes;   /* output of the current exposure    */
  gsize         n;
  gint          width;
  gint          n_threads;
  gint          k;
} ExposureJob;

static VECTORISE void
exposure_rows (gpointer data, gint y0, gint y1)
{
  ExposureJob *e = data;
  const EvenlightRetouchParams *p = e->params;
  gsize i0 = (gsize) y0 * e->width, i1 = (gsize) y1 * e->width;
  gfloat *restrict r = e->planes;
  gfloat *restrict g = e->planes + e->n;
  gfloat *restrict b = e->planes + 2 * e->n;
  const gfloat *restrict in = e->rgb;
  const gfloat *restrict log_l = e->log_l;
  const gfloat *restrict log_li = e->log_li;
  gint k = e->k;

  if (k == 0)
    {
      for (gsize i = i0; i < i1; i++)
        {
          r[i] = in[3 * i];
          g[i] = in[3 * i + 1];
          b[i] = in[3 * i + 2];
        }
    }
  else if (k <= p->n_shadows)
    {
      /* shadow lift I / (L^γ1 + ε): one gain for the three channels keeps
       * the hue. */
      gfloat g1 = p->shadows[k - 1];
      for (gsize i = i0; i < i1; i++)
        {
          gfloat gain = 1.0f / fast_exp2f (g1 * log_l[i]);
          gain = gain < 1.0f / RETOUCH_EPS ? gain : 1.0f / RETOUCH_EPS;
          r[i] = MIN (in[3 * i] * gain, 1.0f);
          g[i] = MIN (in[3 * i + 1] * gain, 1.0f);
          b[i] = MIN (in[3 * i + 2] * gain, 1.0f);
        }
    }
  else
    {
      /* highlight suppression 1 − (1 − I) / (Li^γ2 + ε) */
      gfloat g2 = p->highlights[k - 1 - p->n_shadows];
      for (gsize i = i0; i < i1; i++)
        {
          gfloat gain = 1.0f / fast_exp2f (g2 * log_li[i]);
          gain = gain < 1.0f / RETOUCH_EPS ? gain : 1.0f / RETOUCH_EPS;
          r[i] = MAX (1.0f - (1.0f - in[3 * i]) * gain, 0.0f);
          g[i] = MAX (1.0f - (1.0f - in[3 * i + 1]) * gain, 0.0f);
          b[i] = MAX (1.0f - (1.0f - in[3 * i + 2]) * gain, 0.0f);
        }
    }
}

static void
make_exposure (gpointer data, gint k, gfloat *planes)
{
  ExposureJob *e = data;
  e->k = k;
  e->planes = planes;
  parallel_rows (e->n_threads, e->width, (gint) (e->n / e->width),
                 exposure_rows, e);
}

/* The radius of S for this image: the parameters give it at 1 MP so that
 * the look does not change with the resolution. */
static gint
scaled_radius (gfloat radius, gint width, gint height)
{
  gdouble s = sqrt ((gdouble) width * height / 1.0e6);
  return MAX ((gint) lround (radius * s), 1);
}

gboolean
evenlight_retouch (const EvenlightRetouchParams *params,
                   gfloat                       *rgb,
                   gint                          width,
                   gint                          height,
                   gint                          n_threads,
                   GError                      **error)
{
  gsize n;
  gfloat *bright, *dark, *y, *ys;
  ExposureJob e;
  gint r1, r4, n_images;

  g_return_val_if_fail (params != NULL, FALSE);
  if (rgb == NULL || width <= 0 || height <= 0
      || (gint64) width * height > G_MAXINT / 4)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "retouch: invalid image (%d × %d)", width, height);
      return FALSE;
    }
  if (params->n_shadows < 0 || params->n_shadows > EVENLIGHT_RETOUCH_MAX_EXPOSURES
      || params->n_highlights < 0
      || params->n_highlights > EVENLIGHT_RETOUCH_MAX_EXPOSURES
      || !(params->smooth_radius > 0.0f) || !(params->smooth_eps > 0.0f)
      || !(params->detail >= 0.0f) || !(params->detail_radius > 0.0f))
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "retouch: parameters out of range");
      return FALSE;
    }
  if (n_threads <= 0)
    n_threads = (gint) g_get_num_processors ();

  n = (gsize) width * height;
  /* Sanitise: NaN → 0, ±∞ and everything else clamped to [0, 1]. */
  for (gsize i = 0; i < 3 * n; i++)
    {
      gfloat v = rgb[i];
      rgb[i] = isnan (v) ? 0.0f : CLAMP (v, 0.0f, 1.0f);
    }

  /* S(max I, θ1) and S(max(1 − I), θ2) = S(1 − min I, θ2), stored as logs
   * because every exposure raises them to its own γ. */
  bright = g_new (gfloat, n);
  dark = g_new (gfloat, n);
  for (gsize i = 0; i < n; i++)
    {
      const gfloat *p = rgb + 3 * i;
      bright[i] = MAX (MAX (p[0], p[1]), p[2]);
      dark[i] = 1.0f - MIN (MIN (p[0], p[1]), p[2]);
    }
  r1 = scaled_radius (params->smooth_radius, width, height);
  evenlight_retouch_smooth (bright, bright, width, height, r1,
                            params->smooth_eps, n_threads);
  evenlight_retouch_smooth (dark, dark, width, height, r1,
                            params->smooth_eps, n_threads);
  for (gsize i = 0; i < n; i++)
    {
      bright[i] = log2f (CLAMP (bright[i], 1e-6f, 1.0f));
      dark[i] = log2f (CLAMP (dark[i], 1e-6f, 1.0f));
    }

  /* R1 = F(I, shadow lifts, highlight suppressions), into @rgb: F writes
   * its output only once every exposure has been made from the input. */
  e = (ExposureJob) { params, rgb, bright, dark, NULL, n, width, n_threads, 0 };
  n_images = 1 + params->n_shadows + params->n_highlights;
  fuse_stream (n_images, make_exposure, &e, NULL, rgb, width, height,
               n_threads);
  g_free (bright);
  g_free (dark);

  /* R = R1 + α (R1 − S(R1, θ4)): the detail layer of the luminance, added
   * to the three channels alike so that colours do not shift. */
  y = g_new (gfloat, n);
  ys = g_new (gfloat, n);
  for (gsize i = 0; i < n; i++)
    {
      const gfloat *p = rgb + 3 * i;
      y[i] = CLAMP (0.2126f * p[0] + 0.7152f * p[1] + 0.0722f * p[2], 0.0f, 1.0f);
    }
  r4 = scaled_radius (params->detail_radius, width, height);
  if (params->detail > 0.0f)
    evenlight_retouch_smooth (y, ys, width, height, r4, params->smooth_eps,
                              n_threads);
  for (gsize i = 0; i < n; i++)
    {
      gfloat d = params->detail > 0.0f ? params->detail * (y[i] - ys[i]) : 0.0f;
      for (gint c = 0; c < 3; c++)
        {
          gfloat v = rgb[3 * i + c] + d;
          rgb[3 * i + c] = isnan (v) ? 0.0f : CLAMP (v, 0.0f, 1.0f);
        }
    }
  g_free (y);
  g_free (ys);
  return TRUE;
}
