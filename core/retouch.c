/* The classic retouching module, paper Eq. (1):
 *
 *   R1 = F(I, I / (S(max I, θ1)^γ1 + ε), 1 − (1 − I) / (S(max(1 − I), θ2)^γ2 + ε), θ3)
 *   R  = R1 + α (R1 − S(R1, θ4))
 *
 * S is an edge-aware smoothing (retouch-filter.c), F the exposure fusion of
 * Mertens et al. (retouch-fuse.c) over the input, every shadow lift (one
 * per γ1 of the sequence) and every highlight suppression (one per γ2).
 * This file: the parameters, the row-parallel helper (on the engine's
 * scheduler, parallel.h) and the driver.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * F is computed in two passes over the exposures so that only one exposure,
 * its weights and its pyramids are in memory at a time; each exposure is
 * re-made from I and the two illumination maps, which costs far less than
 * keeping them all at 12 MP.
 */
#include "retouch.h"
#include "retouch-private.h"
#include "evenlight.h"

#include <math.h>
#include <string.h>

/* ε of Eq. (1): bounds the gain at 1/ε where the illumination is 0. It is
 * applied as a floor, 1 / max(L^γ, ε), rather than as the offset
 * 1 / (L^γ + ε): the two agree wherever ε matters, and the floor keeps a
 * fully lit pixel (L = 1) exactly unchanged, so black stays black and white
 * stays white. */
#define RETOUCH_EPS 0.01f
/* Images smaller than this are not worth a thread. */
#define PARALLEL_MIN_PIXELS 65536
/* The most bands one pass is cut into: a band's box sums restart at its
 * first row (retouch-filter.c), so the cut is kept as it has always been
 * rather than following the engine's larger thread cap. */
#define RETOUCH_MAX_BANDS 16

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

/* See retouch-private.h. The split into bands is the module's own: at most
 * RETOUCH_MAX_BANDS bands, one for an image under PARALLEL_MIN_PIXELS. */
void
evenlight_retouch_parallel_rows (gint n_threads, gint width, gint height,
                                 EvenlightBandFunc func, gpointer data)
{
  gint n = MIN (evenlight_parallel_threads (n_threads), RETOUCH_MAX_BANDS);

  if ((gint64) width * height < PARALLEL_MIN_PIXELS)
    n = 1;
  evenlight_parallel_bands (height, n, func, data);
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
  evenlight_retouch_parallel_rows (e->n_threads, e->width,
                                   (gint) (e->n / e->width), exposure_rows, e);
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
  n_threads = evenlight_parallel_threads (n_threads);

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
  evenlight_retouch_fuse_stream (n_images, make_exposure, &e, NULL, rgb,
                                 width, height, n_threads);
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
