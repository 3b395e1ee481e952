/* A front-end's pixels to and from the packed R'G'B' float the engine
 * works on.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Images come with 1 to 4 channels: Y', Y'A, R'G'B' or R'G'B'A. The engine
 * sees every one as R'G'B' (a gray pixel as R' = G' = B') and never alpha.
 * Its output for a gray image is three channels again, close to equal but
 * not always to the last bit, and a gray image gets back their mean. That
 * mean is taken here only, by the plug-in, the CLI and
 * evenlight_enhance_pixels() alike, so that all of them round it the same
 * way and give the same float results (tests/gimp/run-gray.sh).
 */
#ifndef EVENLIGHT_PIXELS_H
#define EVENLIGHT_PIXELS_H

#include <glib.h>

G_BEGIN_DECLS

/* Expands @n_pixels packed @pixels of @channels channels (1 to 4) into
 * @rgb (packed R'G'B'): gray to R' = G' = B', alpha left out. */
void evenlight_pixels_to_rgb   (const gfloat *pixels,
                                gint          channels,
                                gfloat       *rgb,
                                gsize         n_pixels);

/* Writes the engine's @rgb (@n_pixels, packed R'G'B') into @pixels of
 * @channels channels (1 to 4, packed): colour as it is, gray (1 or 2
 * channels) as the mean of R', G' and B'. Alpha (the last of 2 or 4
 * channels) is left as it is. */
void evenlight_pixels_from_rgb (gfloat       *pixels,
                                gint          channels,
                                const gfloat *rgb,
                                gsize         n_pixels);

G_END_DECLS

#endif /* EVENLIGHT_PIXELS_H */
