/* Exposure fusion of a bracket with the Fusion-Net (the paper's Sec. 5.2):
 * the bracket's context (ranking, alignment, crop) and the tile input the
 * renderer takes from it. Everything after the input (Fusion-Net,
 * Restoration-Net, Φ) is the single-image renderer's (tile.c).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The network was trained on (I, I_U, I_O): the photo, a lifted and a
 * darkened version of it. A bracket gives the same three roles directly:
 * the middle exposure as I, the brightest as I_U, the darkest as I_O.
 * With two exposures, or any even number, the middle is the mean of the
 * two central ones (in R'G'B', like the mid-tones of a real exposure
 * between them); with more than three, the exposures between the middle
 * and the ends do not take part. README ("Exposure fusion") has the
 * MEF-SSIM figures of these choices.
 */
#include "fuse.h"

#include <math.h>
#include <string.h>

#include "geometry.h"
#include "parallel.h"


void
evenlight_bracket_free (EvenlightBracket *bracket)
{
  if (bracket == NULL)
    return;
  g_free (bracket->warning);
  g_free (bracket);
}

static gboolean
read_failed (GError **error, GError *local, gint exposure, const EvenlightRect *r)
{
  if (local == NULL)
    g_set_error (&local, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT,
                 "Reading pixels %d,%d %d × %d of exposure %d failed",
                 r->x, r->y, r->width, r->height, exposure + 1);
  g_propagate_error (error, local);
  return FALSE;
}

/* Luma of one row of packed R'G'B', sanitised. */
EVENLIGHT_CLONES static void
luma_row (const gfloat *restrict p, gint w, gfloat *restrict lum)
{
  for (gint x = 0; x < w; x++)
    lum[x] = 0.299f * evenlight_sanitize (p[3 * x]) + 0.587f * evenlight_sanitize (p[3 * x + 1])
             + 0.114f * evenlight_sanitize (p[3 * x + 2]);
}

/* Reads exposure @k once, in strips: its mean luma and a gray copy
 * box-averaged by @f (@gray: (W / f) × (H / f), the rest dropped). */
static gboolean
analyse (EvenlightBracket *b, gint k, gint f, gfloat *gray, GError **error)
{
  gint w = b->width, h = b->height, lw = w / f, lh = h / f;
  gint rows = MAX (1, EVENLIGHT_STRIP_PIXELS / (w * f)) * f;
  gfloat *rgb = g_try_new (gfloat, (gsize) rows * w * 3);
  gdouble *acc = g_new0 (gdouble, MAX (lw, 1));
  gfloat *lum = g_new (gfloat, w);
  gdouble sum = 0.0;
  gint y0, y, x;

  if (rgb == NULL)
    {
      g_free (acc);
      g_free (lum);
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
                   "Out of memory reading an image of %d × %d pixels", w, h);
      return FALSE;
    }
  for (y0 = 0; y0 < h; y0 += rows)
    {
      EvenlightRect r = { 0, y0, w, MIN (rows, h - y0) };
      GError *local = NULL;

      if (!b->read (k, &r, rgb, b->user_data, &local))
        {
          g_free (rgb);
          g_free (acc);
          g_free (lum);
          return read_failed (error, local, k, &r);
        }
      for (y = 0; y < r.height; y++)
        {
          const gfloat *p = rgb + (gsize) y * w * 3;
          gint yy = y0 + y;
          gdouble row = 0.0;

          luma_row (p, w, lum);
          for (x = 0; x < w; x++)
            row += lum[x];
          sum += row;
          if (yy / f >= lh)
            continue;
          for (x = 0; x < lw; x++)
            {
              gfloat block = 0.0f;

              for (gint j = 0; j < f; j++)
                block += lum[x * f + j];
              acc[x] += block;
            }
          if (yy % f == f - 1)
            {
              for (x = 0; x < lw; x++)
                gray[(gsize) (yy / f) * lw + x] = (gfloat) (acc[x] / ((gdouble) f * f));
              memset (acc, 0, sizeof (gdouble) * lw);
            }
        }
    }
  b->mean[k] = sum / ((gdouble) w * h);
  g_free (rgb);
  g_free (acc);
  g_free (lum);
  return TRUE;
}

/* analyse() of every exposure, one job each on the scheduler, so one
 * thread each up to the number of processors (each result depends on its
 * exposure only). */
typedef struct
{
  EvenlightBracket *b;
  gint              f;
  gfloat          **gray;
  GError           *errors[EVENLIGHT_BRACKET_MAX];
} Analysis;

static void
analyse_job (gpointer data, gint k, gint worker)
{
  Analysis *a = data;

  (void) worker;
  analyse (a->b, k, a->f, a->gray[k], &a->errors[k]);
}

static gboolean
analyse_all (EvenlightBracket *b, gint f, gfloat **gray, GError **error)
{
  Analysis a = { b, f, gray, { NULL } };
  gboolean ok = TRUE;
  gint k;

  evenlight_parallel_run (b->n, 0, analyse_job, &a);
  for (k = 0; k < b->n; k++)
    if (a.errors[k] != NULL)
      {
        if (ok)
          g_propagate_error (error, a.errors[k]);
        else
          g_error_free (a.errors[k]);
        ok = FALSE;
      }
  return ok;
}

/* A shift within SNAP of a whole pixel is taken as whole: resampling
 * would blur the exposure by about as much as it could correct (the
 * estimate is good to about a tenth of a pixel). */
#define SNAP 0.1

/* The middle exposure @k over the crop, at its whole shift (the Fusion-Net
 * bias is a global statistic: the fraction does not matter there). */
typedef struct
{
  const EvenlightBracket *b;
  gint                    k;
} MiddleRead;

static gboolean
read_middle (const EvenlightRect *rect, gfloat *rgb, gpointer data, GError **error)
{
  const MiddleRead *m = data;
  EvenlightRect src = *rect;
  GError *local = NULL;

  src.x += m->b->crop.x + m->b->ix[m->k];
  src.y += m->b->crop.y + m->b->iy[m->k];
  if (!m->b->read (m->k, &src, rgb, m->b->user_data, &local))
    return read_failed (error, local, m->k, &src);
  return TRUE;
}

static gdouble
snap (gdouble d)
{
  gdouble r = floor (d + 0.5);

  return fabs (d - r) < SNAP ? r : d;
}

/* The rectangle where every exposure has its pixel, @x in it reading
 * exposure k at x + dx[k] (and likewise y): [max ⌈−d⌉, min ⌊W − 1 − d⌋]. */
static void
bracket_crop (EvenlightBracket *b)
{
  gint k, x0 = 0, y0 = 0, x1 = b->width - 1, y1 = b->height - 1;

  for (k = 0; k < b->n; k++)
    {
      b->ix[k] = (gint) floor (b->dx[k]);
      b->iy[k] = (gint) floor (b->dy[k]);
      b->fx[k] = (gfloat) (b->dx[k] - b->ix[k]);
      b->fy[k] = (gfloat) (b->dy[k] - b->iy[k]);
      x0 = MAX (x0, -b->ix[k]);
      y0 = MAX (y0, -b->iy[k]);
      x1 = MIN (x1, b->width - 1 - b->ix[k] - (b->fx[k] > 0.0f));
      y1 = MIN (y1, b->height - 1 - b->iy[k] - (b->fy[k] > 0.0f));
    }
  b->crop.x = x0;
  b->crop.y = y0;
  b->crop.width = x1 - x0 + 1;
  b->crop.height = y1 - y0 + 1;
}

EvenlightContext *
evenlight_bracket_context_new (const EvenlightModel     *model,
                               gint                      n_exposures,
                               gint                      width,
                               gint                      height,
                               EvenlightBracketFlags     flags,
                               EvenlightBracketReadFunc  read,
                               gpointer                  user_data,
                               GError                  **error)
{
  EvenlightBracket *b;
  EvenlightContext *context;
  gfloat *gray[EVENLIGHT_BRACKET_MAX] = { NULL };
  gint f, lw, lh, k, i, ref;
  GString *warning = NULL;

  if (model == NULL || read == NULL)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           "evenlight_bracket_context_new: no model or no read function");
      return NULL;
    }
  if (n_exposures < 2 || n_exposures > EVENLIGHT_BRACKET_MAX)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "A bracket has 2 to %d exposures, not %d", EVENLIGHT_BRACKET_MAX,
                   n_exposures);
      return NULL;
    }
  if (!evenlight_check_size (width, height, error))
    return NULL;

  b = g_new0 (EvenlightBracket, 1);
  b->n = n_exposures;
  b->width = width;
  b->height = height;
  b->read = read;
  b->user_data = user_data;

  f = MAX (1, (MAX (width, height) + EVENLIGHT_ALIGN_MAX_SIDE - 1) / EVENLIGHT_ALIGN_MAX_SIDE);
  lw = width / f;
  lh = height / f;
  for (k = 0; k < b->n; k++)
    gray[k] = g_new (gfloat, MAX ((gsize) lw * lh, 1));
  if (!analyse_all (b, f, gray, error))
    goto fail;

  /* Darkest first; equal means keep the caller's order. */
  for (k = 0; k < b->n; k++)
    {
      for (i = k; i > 0 && b->mean[b->order[i - 1]] > b->mean[k]; i--)
        b->order[i] = b->order[i - 1];
      b->order[i] = k;
    }
  for (i = 0; i < b->n; i++)
    b->rank[b->order[i]] = i;

  ref = b->order[(b->n - 1) / 2];
  if (flags & EVENLIGHT_BRACKET_ALIGN)
    for (k = 0; k < b->n; k++)
      {
        gchar *why = NULL;
        gdouble dx, dy;

        if (k == ref)
          continue;
        if (lw < 32 || lh < 32)
          why = g_strdup ("the image is too small to estimate a shift");
        else if (evenlight_align_estimate (gray[ref], gray[k], lw, lh, &dx, &dy, &why))
          {
            b->dx[k] = snap (dx * f);
            b->dy[k] = snap (dy * f);
            continue;
          }
        if (warning == NULL)
          warning = g_string_new (NULL);
        else
          g_string_append (warning, "; ");
        g_string_append_printf (warning, "exposure %d could not be aligned (%s) and is "
                                "used as it is", k + 1, why);
        g_free (why);
      }
  for (k = 0; k < b->n; k++)
    g_clear_pointer (&gray[k], g_free);
  if (warning != NULL)
    b->warning = g_string_free (warning, FALSE);

  bracket_crop (b);
  if (b->crop.width <= 0 || b->crop.height <= 0)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "The exposures share no pixel once aligned");
      evenlight_bracket_free (b);
      return NULL;
    }

  context = g_new0 (EvenlightContext, 1);
  context->model = model;
  context->width = b->crop.width;
  context->height = b->crop.height;
  context->bracket = b;
  /* v2 weights: the Fusion-Net's global bias from the middle exposure,
   * whose role is the photo's (I). */
  if (evenlight_context_fusion_net (context)->global_w != NULL)
    {
      MiddleRead m = { b, ref };

      if (!evenlight_context_illuminate (context, read_middle, &m, error))
        {
          evenlight_context_free (context);
          return NULL;
        }
    }
  return context;

fail:
  for (k = 0; k < b->n; k++)
    g_free (gray[k]);
  evenlight_bracket_free (b);
  return NULL;
}

/* Exposure @k over @win (crop coordinates), resampled by its shift, into
 * channels @c0 … @c0 + 2 of @x; @mean: average with what they hold. */
static gboolean
sample_exposure (const EvenlightContext *ctx, gint k, const EvenlightRect *win,
                 EvenlightScratch *s, gint c0, gboolean mean, GError **error)
{
  const EvenlightBracket *b = ctx->bracket;
  gfloat fx = b->fx[k], fy = b->fy[k];
  EvenlightRect src;
  GError *local = NULL;
  gint x, y, c;

  src.x = win->x + b->crop.x + b->ix[k];
  src.y = win->y + b->crop.y + b->iy[k];
  src.width = MIN (win->width + (fx > 0.0f), b->width - src.x);
  src.height = MIN (win->height + (fy > 0.0f), b->height - src.y);
  if (!b->read (k, &src, s->rgb, b->user_data, &local))
    return read_failed (error, local, k, &src);

  for (y = 0; y < win->height; y++)
    {
      const gfloat *p0 = s->rgb + (gsize) y * src.width * 3;
      const gfloat *p1 = s->rgb + (gsize) MIN (y + 1, src.height - 1) * src.width * 3;

      for (c = 0; c < 3; c++)
        {
          gfloat *o = evenlight_planes_row (&s->x, c0 + c, y);

          for (x = 0; x < win->width; x++)
            {
              gint x1 = MIN (x + 1, src.width - 1);
              gfloat v = evenlight_sanitize (p0[3 * x + c]);

              /* Bilinear; an exact copy when the shift is whole. */
              if (fx > 0.0f)
                v = (1.0f - fx) * v + fx * evenlight_sanitize (p0[3 * x1 + c]);
              if (fy > 0.0f)
                {
                  gfloat u = evenlight_sanitize (p1[3 * x + c]);

                  if (fx > 0.0f)
                    u = (1.0f - fx) * u + fx * evenlight_sanitize (p1[3 * x1 + c]);
                  v = (1.0f - fy) * v + fy * u;
                }
              o[x] = mean ? 0.5f * (o[x] + v) : v;
            }
        }
    }
  return TRUE;
}

gboolean
evenlight_bracket_tile_input (const EvenlightContext *ctx,
                              const EvenlightRect    *win,
                              EvenlightScratch       *s,
                              GError                **error)
{
  const EvenlightBracket *b = ctx->bracket;
  gint mid_a = b->order[(b->n - 1) / 2], mid_b = b->order[b->n / 2];
  gsize need = (gsize) (win->width + 1) * (win->height + 1) * 3;
  gint c, y;

  if (s->rgb_size < need)
    {
      g_free (s->rgb);
      s->rgb = g_new (gfloat, need);
      s->rgb_size = need;
    }
  evenlight_planes_ensure (&s->x, 9, win->width, win->height, win->x, win->y);
  /* x = (I, I_U, I_O) = (middle, brightest, darkest) */
  if (!sample_exposure (ctx, mid_a, win, s, 0, FALSE, error)
      || (mid_b != mid_a && !sample_exposure (ctx, mid_b, win, s, 0, TRUE, error))
      || !sample_exposure (ctx, b->order[b->n - 1], win, s, 3, FALSE, error)
      || !sample_exposure (ctx, b->order[0], win, s, 6, FALSE, error))
    return FALSE;
  for (c = 0; c < 9; c++)
    for (y = 0; y < win->height; y++)
      evenlight_border_row (evenlight_planes_row (&s->x, c, y), win->width);
  return TRUE;
}

/* ---- Accessors ------------------------------------------------------------ */

void
evenlight_context_get_size (const EvenlightContext *context, gint *width, gint *height)
{
  g_return_if_fail (context != NULL);
  if (width != NULL)
    *width = context->width;
  if (height != NULL)
    *height = context->height;
}

gboolean
evenlight_context_is_bracket (const EvenlightContext *context)
{
  return context != NULL && context->bracket != NULL;
}

void
evenlight_bracket_get_crop (const EvenlightContext *context, EvenlightRect *crop)
{
  g_return_if_fail (evenlight_context_is_bracket (context) && crop != NULL);
  *crop = context->bracket->crop;
}

void
evenlight_bracket_get_exposure (const EvenlightContext *context, gint exposure,
                                gdouble *dx, gdouble *dy, gint *rank)
{
  g_return_if_fail (evenlight_context_is_bracket (context));
  g_return_if_fail (exposure >= 0 && exposure < context->bracket->n);
  if (dx != NULL)
    *dx = context->bracket->dx[exposure];
  if (dy != NULL)
    *dy = context->bracket->dy[exposure];
  if (rank != NULL)
    *rank = context->bracket->rank[exposure];
}

const gchar *
evenlight_bracket_get_warning (const EvenlightContext *context)
{
  g_return_val_if_fail (evenlight_context_is_bracket (context), NULL);
  return context->bracket->warning;
}
