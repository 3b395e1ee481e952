/* evenlight — GIMP 2.10 plug-in: the layers of an exposure bracket
 * (fuse-layers.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuse-layers.h"
#include "plugin-common.h"
#include "plugin-paths.h"

gboolean
evenlight_fuse_layers_open (EvenlightFuseLayers *layers,
                            gint32               image_id,
                            GError             **error)
{
  gint n_all = 0, i, x0 = G_MININT, y0 = G_MININT, x1 = G_MAXINT, y1 = G_MAXINT;
  gint32 *all = gimp_image_get_layers (image_id, &n_all);
  gboolean ok = FALSE;

  memset (layers, 0, sizeof *layers);
  layers->image_id = image_id;
  g_mutex_init (&layers->lock);
  for (i = 0; i < n_all; i++)
    {
      if (! gimp_item_get_visible (all[i]))
        continue;
      if (layers->n == EVENLIGHT_BRACKET_MAX)
        {
          g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                       _("Exposure fusion takes 2 to %d visible layers; this image "
                         "has more. Hide the ones that are not part of the bracket."),
                       EVENLIGHT_BRACKET_MAX);
          goto out;
        }
      if (! evenlight_source_init (&layers->sources[layers->n], all[i], error))
        goto out;
      gimp_drawable_offsets (all[i], &layers->ox[layers->n], &layers->oy[layers->n]);
      x0 = MAX (x0, layers->ox[layers->n]);
      y0 = MAX (y0, layers->oy[layers->n]);
      x1 = MIN (x1, layers->ox[layers->n] + layers->sources[layers->n].width);
      y1 = MIN (y1, layers->oy[layers->n] + layers->sources[layers->n].height);
      layers->n++;
    }
  if (layers->n < 2)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   _("Exposure fusion needs at least two visible layers, the "
                     "exposures of one scene (File ▸ Open as Layers puts them "
                     "into one image); this image has %d."), layers->n);
      goto out;
    }
  if (x1 <= x0 || y1 <= y0)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           _("The visible layers do not overlap: move them over "
                             "one another first."));
      goto out;
    }
  layers->common = (EvenlightRect) { x0, y0, x1 - x0, y1 - y0 };
  ok = TRUE;

out:
  g_free (all);
  return ok;
}

void
evenlight_fuse_layers_clear (EvenlightFuseLayers *layers)
{
  for (gint i = 0; i < layers->n; i++)
    evenlight_source_clear (&layers->sources[i]);
  g_mutex_clear (&layers->lock);
}

gboolean
evenlight_fuse_layers_read (gint                 exposure,
                            const EvenlightRect *rect,
                            gfloat              *rgb,
                            gpointer             user_data,
                            GError             **error)
{
  EvenlightFuseLayers *layers = user_data;
  EvenlightRect r = *rect;

  /* From the common rectangle to the layer's own pixels. */
  r.x += layers->common.x - layers->ox[exposure];
  r.y += layers->common.y - layers->oy[exposure];
  g_mutex_lock (&layers->lock);
  evenlight_source_read (&r, rgb, &layers->sources[exposure], error);
  g_mutex_unlock (&layers->lock);
  return TRUE;
}

EvenlightContext *
evenlight_fuse_context_new (EvenlightFuseLayers       *layers,
                            const EvenlightFuseParams *vals,
                            EvenlightModel           **model,
                            GError                   **error)
{
  EvenlightContext *context;

  if (*model == NULL)
    *model = evenlight_plugin_load_model (error);
  if (*model == NULL)
    return NULL;
  context = evenlight_bracket_context_new (*model, layers->n, layers->common.width,
                                           layers->common.height,
                                           vals->align ? EVENLIGHT_BRACKET_ALIGN
                                                       : EVENLIGHT_BRACKET_NONE,
                                           evenlight_fuse_layers_read, layers, error);
  return context;
}
