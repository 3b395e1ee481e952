/* evenlight — GIMP 2.10 plug-in: registration and the three run modes.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Colors ▸ Tone Mapping ▸ Even Light… — lifts the shadows, tames the
 * highlights and removes the noise that brightening reveals (paper
 * Eq. 10 with the sliders γ1, γ2, γ3). Shaped after GIMP's own
 * plug-ins/common/despeckle.c: query() registers the procedure, run()
 * handles the interactive, non-interactive and last-values modes, the
 * result goes through the shadow buffer and the selection mask as one
 * undo step.
 */
#include <libgimp/gimp.h>

#include <locale.h>
#include <string.h>

#include "dark.h"
#include "drawable-io.h"
#include "evenlight-dialog.h"
#include "fuse.h"
#include "plugin-common.h"
#include "plugin-paths.h"
#include "values.h"

static void query (void);
static void run   (const gchar      *name,
                   gint              nparams,
                   const GimpParam  *param,
                   gint             *nreturn_vals,
                   GimpParam       **return_vals);

const GimpPlugInInfo PLUG_IN_INFO =
{
  NULL,  /* init_proc  */
  NULL,  /* quit_proc  */
  query, /* query_proc */
  run,   /* run_proc   */
};

MAIN ()

/* The slider values are an EvenlightParams (core/evenlight.h), made and
 * checked from the parameter table of core/params.h; the last run's are
 * kept with this version (plugin/values.h). Bump it whenever the meaning
 * of a field changes. */
#define EVENLIGHT_VALS_VERSION 2

/* ---- Registration ------------------------------------------------------- */

static void
query (void)
{
  const EvenlightParamSpec *table;
  GimpParamDef *args;
  guint n_params;
  gint n_args;
  static const GimpParamDef return_vals[] =
  {
    { GIMP_PDB_STRING, "error-message", "Why the procedure failed" },
  };
  gchar *localedir = evenlight_plugin_get_localedir ();

  table = evenlight_params_table (&n_params);
  args = evenlight_pdb_args_new (table, n_params, &n_args);
  gimp_plugin_domain_register (GETTEXT_PACKAGE, localedir);
  g_free (localedir);

  gimp_install_procedure (PLUG_IN_PROC,
                          N_("Even out uneven lighting: lift shadows, tame highlights, remove the revealed noise"),
                          "Enhances a photo with non-uniform illumination with a "
                          "light-weight CNN (after \"Fast Enhancement for "
                          "Non-Uniform Illumination Images using Light-weight "
                          "CNNs\"): dark regions are brightened by 'shadows', "
                          "over-exposed ones brought down by 'highlights', and "
                          "the noise that brightening reveals is removed by "
                          "'denoise'. Works on RGB and grayscale layers of any "
                          "precision, keeps alpha, honours the selection. The "
                          "weights file is looked up in the installed data "
                          "folder, then next to the plug-in; EVENLIGHT_WEIGHTS "
                          "overrides it.",
                          "the evenlight developers",
                          "Copyright (C) 2026 the evenlight developers, GPL-3.0-or-later",
                          "2026",
                          N_("_Even Light..."),
                          "RGB*, GRAY*",
                          GIMP_PLUGIN,
                          n_args, G_N_ELEMENTS (return_vals),
                          args, return_vals);
  evenlight_pdb_args_free (args, n_args);

  gimp_plugin_menu_register (PLUG_IN_PROC, "<Image>/Colors/Tone Mapping");

  evenlight_dark_register ();
  evenlight_fuse_register ();
}

/* ---- Running ------------------------------------------------------------ */

static void
init_i18n (void)
{
  gchar *localedir = evenlight_plugin_get_localedir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_free (localedir);
}

/* How long gegl_init() took in run(), for the debug report. */
static gint64 gegl_init_us;

/* Computes the context without a dialog. */
static EvenlightContext *
context_compute (EvenlightSource      *source,
                 const EvenlightModel *model,
                 GError              **error)
{
  return evenlight_context_new (model, source->width, source->height,
                                evenlight_source_read, source, error);
}

static GimpPDBStatusType
process (gint32           drawable_id,
         GimpRunMode      run_mode,
         EvenlightParams *params,
         GError         **error)
{
  EvenlightSource   source;
  EvenlightModel   *model = NULL;
  EvenlightContext *context = NULL;
  EvenlightRect     rect;
  GimpPDBStatusType status = GIMP_PDB_EXECUTION_ERROR;
  gint64            weights_us, t1, t2, read0_us;

  if (! evenlight_source_init (&source, drawable_id, error))
    return GIMP_PDB_CALLING_ERROR;

  weights_us = g_get_monotonic_time ();
  model = evenlight_plugin_load_model (error);
  if (model == NULL)
    goto out;
  weights_us = g_get_monotonic_time () - weights_us;

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      GError *dialog_error = NULL;

      if (! evenlight_dialog_run (&source, model, params, &context, &dialog_error))
        {
          if (dialog_error == NULL)
            status = GIMP_PDB_CANCEL;
          else
            g_propagate_error (error, dialog_error);
          goto out;
        }
    }

  /* The sliders cannot leave their ranges, and the other modes were
   * checked in run(); this guards the contract all the same. */
  if (! evenlight_params_validate (params, error))
    {
      status = GIMP_PDB_CALLING_ERROR;
      goto out;
    }

  /* Only the selection's bounds are rendered; the context always comes
   * from the whole layer, so the result inside the selection is the same
   * as without one. */
  if (! gimp_drawable_mask_intersect (drawable_id, &rect.x, &rect.y,
                                      &rect.width, &rect.height))
    {
      status = GIMP_PDB_SUCCESS;   /* nothing selected on this layer */
      goto out;
    }

  gimp_progress_init (_("Even Light"));
  t1 = g_get_monotonic_time ();
  read0_us = source.read_us;   /* the dialog may have read the layer already */
  evenlight_source_load (&source);
  if (context == NULL)
    {
      context = context_compute (&source, model, error);
      if (context == NULL)
        goto out;
    }
  t2 = g_get_monotonic_time ();
  if (! evenlight_source_apply (&source, context, params, &rect, TRUE, error))
    goto out;
  if (evenlight_debug_enabled ())
    {
      gint64 apply_us = g_get_monotonic_time () - t2;

      /* The parts add up to the plug-in's time (but for a dialog); the
       * writes during the render are the main thread's, while the
       * workers render on. */
      g_printerr ("evenlight: %d x %d layer (%s), %d x %d rendered: gegl_init "
                  "%.1f ms, weights %.1f ms, read %.1f ms, context %.1f ms, "
                  "render %.1f ms, write %.1f ms, merge %.1f ms\n",
                  source.width, source.height,
                  babl_get_name (gimp_drawable_get_format (drawable_id)),
                  rect.width, rect.height, gegl_init_us / 1000.0,
                  weights_us / 1000.0,
                  source.read_us / 1000.0,
                  (t2 - t1 - (source.read_us - read0_us)) / 1000.0,
                  (apply_us - source.write_us - source.merge_us) / 1000.0,
                  source.write_us / 1000.0, source.merge_us / 1000.0);
    }

  evenlight_run_done (PLUG_IN_PROC, run_mode, EVENLIGHT_VALS_VERSION, params,
                      sizeof *params);
  status = GIMP_PDB_SUCCESS;

out:
  if (context != NULL)
    evenlight_context_free (context);
  if (model != NULL)
    evenlight_model_free (model);
  evenlight_source_clear (&source);
  return status;
}

static void
run (const gchar      *name,
     gint              nparams,
     const GimpParam  *param,
     gint             *nreturn_vals,
     GimpParam       **return_vals)
{
  static GimpParam  values[2];
  static gchar     *message = NULL;
  GimpRunMode       run_mode;
  GimpPDBStatusType status = GIMP_PDB_SUCCESS;
  EvenlightParams   params;
  const EvenlightParamSpec *table;
  guint             n_params;
  GError           *error = NULL;

  init_i18n ();
  gegl_init_us = g_get_monotonic_time ();
  evenlight_gegl_init ();
  gegl_init_us = g_get_monotonic_time () - gegl_init_us;

  *nreturn_vals = 1;
  *return_vals = values;
  values[0].type = GIMP_PDB_STATUS;

  table = evenlight_params_table (&n_params);
  evenlight_params_init_default (&params);
  run_mode = nparams > 0 ? (GimpRunMode) param[0].data.d_int32 : GIMP_RUN_NONINTERACTIVE;

  if (evenlight_dark_is_proc (name))
    status = evenlight_dark_run (name, nparams, param, &error);
  else if (g_strcmp0 (name, PLUG_IN_FUSE_PROC) == 0)
    status = evenlight_fuse_run (nparams, param, &error);
  else if (! evenlight_run_values (PLUG_IN_PROC, PLUG_IN_PROC, EVENLIGHT_VALS_VERSION,
                                   table, n_params, n_params, nparams, param,
                                   &params, sizeof params, &error))
    status = GIMP_PDB_CALLING_ERROR;

  if (status == GIMP_PDB_SUCCESS && ! evenlight_dark_is_proc (name)
      && g_strcmp0 (name, PLUG_IN_FUSE_PROC) != 0)
    status = process (param[2].data.d_drawable, run_mode, &params, &error);

  values[0].data.d_status = status;
  if (error != NULL)
    {
      /* GIMP shows this string to the user (interactive runs) or passes
       * it to the caller (scripts), naming our procedure. */
      g_free (message);
      message = g_strdup (error->message);
      *nreturn_vals = 2;
      values[1].type = GIMP_PDB_STRING;
      values[1].data.d_string = message;
      g_error_free (error);
    }
}
