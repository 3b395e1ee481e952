/* A front-end's pixels to and from packed R'G'B' float (see pixels.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "pixels.h"

void
evenlight_pixels_to_rgb (const gfloat *pixels,
                         gint          channels,
                         gfloat       *rgb,
                         gsize         n_pixels)
{
  for (gsize i = 0; i < n_pixels; i++, pixels += channels, rgb += 3)
    {
      gboolean gray = channels < 3;

      rgb[0] = pixels[0];
      rgb[1] = pixels[gray ? 0 : 1];
      rgb[2] = pixels[gray ? 0 : 2];
    }
}

void
evenlight_pixels_from_rgb (gfloat       *pixels,
                           gint          channels,
                           const gfloat *rgb,
                           gsize         n_pixels)
{
  for (gsize i = 0; i < n_pixels; i++, pixels += channels, rgb += 3)
    {
      if (channels < 3)
        /* Multiplied by the float nearest 1/3, not divided by 3: the
         * rounding the golden vectors were made with. */
        pixels[0] = (rgb[0] + rgb[1] + rgb[2]) * (1.0f / 3.0f);
      else
        {
          pixels[0] = rgb[0];
          pixels[1] = rgb[1];
          pixels[2] = rgb[2];
        }
    }
}
