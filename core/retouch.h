/* The classic retouching module, paper Eq. (1): structure-preserving
 * smoothing of the bright channel, an exposure sequence of shadow lifts and
 * highlight suppressions, exposure fusion (Mertens et al.) and detail
 * amplification. It makes the training targets and is the CLI's
 * `--method classic`.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_RETOUCH_H
#define EVENLIGHT_RETOUCH_H

#include <glib.h>

G_BEGIN_DECLS

#define EVENLIGHT_RETOUCH_MAX_EXPOSURES 4

typedef struct
{
  gfloat shadows[EVENLIGHT_RETOUCH_MAX_EXPOSURES];    /* γ1 sequence */
  gint   n_shadows;
  gfloat highlights[EVENLIGHT_RETOUCH_MAX_EXPOSURES]; /* γ2 sequence */
  gint   n_highlights;
  gfloat smooth_radius;  /* θ1 = θ2: spatial scale of S, in pixels at 1 MP */
  gfloat smooth_eps;     /* edge preservation of S                        */
  gfloat detail;         /* α: detail amplification                       */
  gfloat detail_radius;  /* θ4                                            */
} EvenlightRetouchParams;

/* Defaults: shadows=0.4/0.8, highlights=0.6, radius=20, eps=0.02,
 * detail=0.3, detail_radius=4 (the "classic" method's look). */
void     evenlight_retouch_params_init_default (EvenlightRetouchParams *params);

/* Parses "key=value,key=value" (keys: shadows=a/b/c, highlights=a/b,
 * radius, eps, detail, detail_radius) over the current values. On error
 * (EVENLIGHT_ERROR_INVALID_ARGUMENT: unknown key, bad number, value out of
 * range, more than EVENLIGHT_RETOUCH_MAX_EXPOSURES gammas) @params is left
 * unchanged. Ranges: gammas [0, 2], radius and detail_radius (0, 1000],
 * eps (0, 1], detail [0, 4]. */
gboolean evenlight_retouch_params_parse        (EvenlightRetouchParams *params,
                                                const gchar            *spec,
                                                GError                **error);

/* The spec string that evenlight_retouch_params_parse() reads back to
 * @params (free with g_free()). */
gchar   *evenlight_retouch_params_format       (const EvenlightRetouchParams *params);

/* Retouches @rgb (packed R'G'B' float triplets, @width × @height, values
 * sanitised to [0, 1]) in place. */
gboolean evenlight_retouch                     (const EvenlightRetouchParams *params,
                                                gfloat                       *rgb,
                                                gint                          width,
                                                gint                          height,
                                                gint                          n_threads,
                                                GError                      **error);

/* The building blocks, exposed for the tests. */

/* S: the guided filter of He et al. with @src as its own guide, box radius
 * @radius pixels (not scaled), regulariser @eps; planar @src → @dst
 * (may be the same buffer). */
void     evenlight_retouch_smooth              (const gfloat *src,
                                                gfloat       *dst,
                                                gint          width,
                                                gint          height,
                                                gint          radius,
                                                gfloat        eps,
                                                gint          n_threads);

/* F: exposure fusion of @n_images packed RGB images into @out (packed RGB).
 * With @weights NULL the Mertens weights (contrast, saturation,
 * well-exposedness) are used; otherwise @weights[k] is image k's weight map
 * (width × height, normalised here). */
void     evenlight_retouch_fuse                (const gfloat *const *images,
                                                const gfloat *const *weights,
                                                gint                 n_images,
                                                gfloat              *out,
                                                gint                 width,
                                                gint                 height,
                                                gint                 n_threads);

G_END_DECLS

#endif
