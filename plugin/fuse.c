/* evenlight — GIMP 2.10 plug-in: Even Light Exposure Fusion.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The visible top-level layers are the bracket (plugin/fuse-layers.h);
 * the core ranks them by brightness, aligns them and fuses them tile by
 * tile into a new layer, which is added on top, named after the
 * procedure, as one undo step, only once the whole result is written.
 * The drawable argument is not used: the bracket is the image's visible
 * layers, whichever is active.
 *
 * The dialog, with its preview and the Denoise slider, is
 * ui/fuse-dialog.c.
 */
#include <libgimp/gimp.h>

#include "fuse.h"
#include "fuse-dialog.h"
#include "fuse-layers.h"
#include "pixels.h"
#include "plugin-common.h"
#include "values.h"

/* Bump when the meaning of a field of EvenlightFuseParams changes. */
#define FUSE_VALS_VERSION 1

void
evenlight_fuse_register (void)
{
  guint n_params;
  const EvenlightParamSpec *table = evenlight_fuse_params_table (&n_params);
  gint n_args;
  GimpParamDef *args = evenlight_pdb_args_new (table, n_params, &n_args);
  static const GimpParamDef return_vals[] =
  {
    { GIMP_PDB_STRING, "error-message", "Why the procedure failed" },
  };

  gimp_install_procedure (PLUG_IN_FUSE_PROC,
                          N_("Fuse the visible layers, exposures of one scene, into one well-exposed layer"),
                          "Exposure fusion of a bracket with the Fusion-Net of "
                          "\"Fast Enhancement for Non-Uniform Illumination "
                          "Images using Light-weight CNNs\" (its Sec. 5.2): the "
                          "visible layers of the image (2 to 9, any order; File "
                          "> Open as Layers puts a bracket into one image) are "
                          "ranked by brightness, aligned (a shift to a fraction "
                          "of a pixel, unless 'align' is 0) and fused; the "
                          "middle, the brightest and the darkest exposure take "
                          "the network's three inputs. 'denoise' removes the "
                          "noise the shadows reveal. The result is a new layer "
                          "on top, over the part of the image all the layers "
                          "cover. The drawable argument is not used.",
                          "the evenlight developers",
                          "Copyright (C) 2026 the evenlight developers, GPL-3.0-or-later",
                          "2026",
                          N_("Even Light _Exposure Fusion..."),
                          "RGB*, GRAY*",
                          GIMP_PLUGIN,
                          n_args, G_N_ELEMENTS (return_vals),
                          args, return_vals);
  evenlight_pdb_args_free (args, n_args);
  gimp_plugin_menu_register (PLUG_IN_FUSE_PROC, "<Image>/Colors/Tone Mapping");
}

/* ---- Writing the new layer ------------------------------------------------ */

typedef struct
{
  EvenlightFuseLayers *layers;
  GeglBuffer          *buffer;
  const Babl          *format;   /* R'G'B' float or Y' float, the layer's space */
  gboolean             gray;
  gint                 done, total;
} Output;

static gboolean
output_write (const EvenlightRect *rect, const gfloat *rgb, gpointer data, GError **error)
{
  Output *o = data;
  GeglRectangle r = { rect->x, rect->y, rect->width, rect->height };
  gsize n = (gsize) rect->width * rect->height;
  gfloat *gray = NULL;

  (void) error;
  if (o->gray)
    {
      gray = g_new (gfloat, n);
      evenlight_pixels_from_rgb (gray, 1, rgb, n);
    }
  g_mutex_lock (&o->layers->lock);
  gegl_buffer_set (o->buffer, &r, 0, o->format, gray ? gray : rgb, GEGL_AUTO_ROWSTRIDE);
  g_mutex_unlock (&o->layers->lock);
  g_free (gray);
  return TRUE;
}

static gboolean
output_progress (gdouble fraction, gpointer data)
{
  Output *o = data;

  g_mutex_lock (&o->layers->lock);
  gimp_progress_update (fraction);
  g_mutex_unlock (&o->layers->lock);
  return TRUE;
}

/* Renders the bracket into a new layer and adds it on top of the image as
 * one undo step; on failure the image is as it was. */
static gboolean
fuse_apply (EvenlightFuseLayers       *layers,
            const EvenlightContext    *context,
            const EvenlightFuseParams *vals,
            GError                   **error)
{
  EvenlightParams params;
  EvenlightRect crop, all;
  Output o = { layers, NULL, NULL, layers->sources[0].gray, 0, 0 };
  gint32 layer;
  gboolean ok;

  evenlight_params_init_default (&params);
  params.denoise = vals->denoise;
  evenlight_bracket_get_crop (context, &crop);
  all = (EvenlightRect) { 0, 0, crop.width, crop.height };

  layer = gimp_layer_new (layers->image_id, _("Even Light Exposure Fusion"),
                          crop.width, crop.height,
                          o.gray ? GIMP_GRAY_IMAGE : GIMP_RGB_IMAGE, 100.0,
                          GIMP_LAYER_MODE_NORMAL);
  if (layer == -1)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO,
                           _("GIMP could not make the new layer."));
      return FALSE;
    }
  o.buffer = gimp_drawable_get_buffer (layer);
  o.format = babl_format_with_space (o.gray ? "Y' float" : "R'G'B' float",
                                     gimp_drawable_get_format (layer));
  ok = evenlight_enhance (context, &params, &all, (gint) g_get_num_processors (),
                          NULL, NULL, output_write, &o, output_progress, &o, error);
  /* Unreferencing flushes the last tiles to GIMP. */
  g_object_unref (o.buffer);
  if (! ok)
    {
      gimp_item_delete (layer);
      return FALSE;
    }
  gimp_image_undo_group_start (layers->image_id);
  gimp_image_insert_layer (layers->image_id, layer, 0, 0);
  gimp_layer_set_offsets (layer, layers->common.x + crop.x, layers->common.y + crop.y);
  gimp_image_undo_group_end (layers->image_id);
  gimp_drawable_update (layer, 0, 0, crop.width, crop.height);
  gimp_progress_update (1.0);
  return TRUE;
}

static GimpPDBStatusType
fuse_process (gint32               image_id,
              GimpRunMode          run_mode,
              EvenlightFuseParams *vals,
              GError             **error)
{
  EvenlightFuseLayers layers;
  EvenlightModel     *model = NULL;
  EvenlightContext   *context = NULL;
  GimpPDBStatusType   status = GIMP_PDB_EXECUTION_ERROR;
  gint64              t0 = g_get_monotonic_time (), t1;
  const EvenlightParamSpec *table;
  guint               n_params;

  if (! evenlight_fuse_layers_open (&layers, image_id, error))
    {
      evenlight_fuse_layers_clear (&layers);
      return GIMP_PDB_CALLING_ERROR;
    }
  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      GError *dialog_error = NULL;

      /* The dialog builds the context for its preview; OK reuses it. */
      if (! evenlight_fuse_dialog_run (&layers, vals, &model, &context, &dialog_error))
        {
          if (dialog_error == NULL)
            status = GIMP_PDB_CANCEL;
          else
            g_propagate_error (error, dialog_error);
          goto out;
        }
    }
  table = evenlight_fuse_params_table (&n_params);
  if (! evenlight_param_table_validate (table, n_params, vals, error))
    {
      status = GIMP_PDB_CALLING_ERROR;
      goto out;
    }

  gimp_progress_init (_("Even Light Exposure Fusion"));
  if (context == NULL)
    {
      context = evenlight_fuse_context_new (&layers, vals, &model, error);
      if (context == NULL)
        goto out;
    }
  if (evenlight_bracket_get_warning (context) != NULL)
    g_message (_("Even Light Exposure Fusion: %s."), evenlight_bracket_get_warning (context));
  t1 = g_get_monotonic_time ();
  if (! fuse_apply (&layers, context, vals, error))
    goto out;
  if (evenlight_debug_enabled ())
    g_printerr ("evenlight-fuse: %d layers of %d x %d: analysis %.1f ms, fused in %.1f ms\n",
                layers.n, layers.common.width, layers.common.height,
                (t1 - t0) / 1000.0, (g_get_monotonic_time () - t1) / 1000.0);

  evenlight_run_done (PLUG_IN_FUSE_PROC, run_mode, FUSE_VALS_VERSION, vals, sizeof *vals);
  status = GIMP_PDB_SUCCESS;

out:
  evenlight_context_free (context);
  evenlight_model_free (model);
  evenlight_fuse_layers_clear (&layers);
  return status;
}

GimpPDBStatusType
evenlight_fuse_run (gint              nparams,
                    const GimpParam  *param,
                    GError          **error)
{
  GimpRunMode         run_mode;
  EvenlightFuseParams vals;
  guint               n_params;
  const EvenlightParamSpec *table = evenlight_fuse_params_table (&n_params);

  evenlight_fuse_params_init_default (&vals);
  run_mode = nparams > 0 ? (GimpRunMode) param[0].data.d_int32 : GIMP_RUN_NONINTERACTIVE;
  if (! evenlight_run_values (PLUG_IN_FUSE_PROC, PLUG_IN_FUSE_PROC, FUSE_VALS_VERSION,
                              table, n_params, n_params, nparams, param,
                              &vals, sizeof vals, error))
    return GIMP_PDB_CALLING_ERROR;
  return fuse_process (param[1].data.d_image, run_mode, &vals, error);
}
