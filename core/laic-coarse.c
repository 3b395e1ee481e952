/* LAIC: the gain of one level of a solve (or of a thumbnail's), handed to
 * the preview and interpolated to full resolution (laic.h:
 * EvenlightLaicCoarse).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "laic.h"
#include "laic-private.h"

#include <math.h>

EvenlightLaicCoarse *
evenlight_laic_coarse_copy (const EvenlightLaicCoarse *coarse)
{
  EvenlightLaicCoarse *copy = g_memdup2 (coarse, sizeof *coarse);

  copy->gain = g_memdup2 (coarse->gain, sizeof (gfloat) * (gsize) coarse->level_width
                                        * coarse->level_height);
  return copy;
}

void
evenlight_laic_coarse_free (EvenlightLaicCoarse *coarse)
{
  if (coarse == NULL)
    return;
  g_free (coarse->gain);
  g_free (coarse);
}

/* Where full-resolution coordinate @x falls between the block centres of a
 * level with blocks of @scale pixels and @n of them: block @j0 and weight
 * @t of block j0 + 1. */
static inline void
coarse_coord (gint x, gfloat scale, gint n, gint *j0, gfloat *t)
{
  gfloat f = ((gfloat) x + 0.5f) / scale - 0.5f;
  gint   j = (gint) floorf (f);

  if (j < 0)
    {
      *j0 = 0;
      *t = 0.0f;
    }
  else if (j >= n - 1)
    {
      *j0 = n - 1;
      *t = 0.0f;
    }
  else
    {
      *j0 = j;
      *t = f - (gfloat) j;
    }
}

void
evenlight_laic_coarse_render (const EvenlightLaicCoarse *coarse,
                              const gfloat              *rgb,
                              const EvenlightRect       *rect,
                              gfloat                    *rgb_out,
                              gfloat                    *gain_out)
{
  const gint    lw = coarse->level_width;
  const gfloat *cg = coarse->gain;
  gfloat        sx, sy;

  if (coarse->level == EVENLIGHT_LAIC_LEVEL_SCALED)
    {
      sx = (gfloat) coarse->width / (gfloat) lw;
      sy = (gfloat) coarse->height / (gfloat) coarse->level_height;
    }
  else
    sx = sy = (gfloat) (1 << coarse->level);
  for (gint j = 0; j < rect->height; j++)
    {
      gint   y = rect->y + j, y0, y1;
      gfloat ty;

      coarse_coord (y, sy, coarse->level_height, &y0, &ty);
      y1 = MIN (y0 + 1, coarse->level_height - 1);
      for (gint i = 0; i < rect->width; i++)
        {
          gint          x = rect->x + i, x0, x1;
          gsize         o = (gsize) j * rect->width + i;
          const gfloat *p = rgb + 3 * o;
          gfloat        tx, g, r = laic_sanitize (p[0]), gr = laic_sanitize (p[1]), b = laic_sanitize (p[2]);
          gfloat        v = MAX (MAX (r, gr), MAX (b, EVENLIGHT_LAIC_MIN_LEVEL));

          coarse_coord (x, sx, lw, &x0, &tx);
          x1 = MIN (x0 + 1, lw - 1);
          g = (1.0f - ty) * ((1.0f - tx) * cg[(gsize) y0 * lw + x0] + tx * cg[(gsize) y0 * lw + x1])
            + ty * ((1.0f - tx) * cg[(gsize) y1 * lw + x0] + tx * cg[(gsize) y1 * lw + x1]);
          g = MIN (g, MIN (1.0f / v, coarse->max_gain));
          rgb_out[3 * o] = MIN (1.0f, r * g);
          rgb_out[3 * o + 1] = MIN (1.0f, gr * g);
          rgb_out[3 * o + 2] = MIN (1.0f, b * g);
          if (gain_out)
            gain_out[o] = g;
        }
    }
}
