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

void     evenlight_retouch_params_init_default (EvenlightRetouchParams *params);

/* Parses "key=value,key=value" (keys: shadows=a/b/c, highlights=a/b,
 * radius, eps, detail, detail_radius) over the current values. */
gboolean evenlight_retouch_params_parse        (EvenlightRetouchParams *params,
                                                const gchar            *spec,
                                                GError                **error);

/* Retouches @rgb (packed R'G'B' float triplets, @width × @height, values
 * sanitised to [0, 1]) in place. */
gboolean evenlight_retouch                     (const EvenlightRetouchParams *params,
                                                gfloat                       *rgb,
                                                gint                          width,
                                                gint                          height,
                                                gint                          n_threads,
                                                GError                      **error);

G_END_DECLS

#endif
