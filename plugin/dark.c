/* evenlight — GIMP 2.10 plug-in: Even Light for Dark Photos.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LAIC solves one program over the whole layer (its gain is not local:
 * core/laic.h), so the layer is processed in memory as a whole; only the
 * bounds of the selection are written to the shadow buffer, which is then
 * merged through the selection mask as one undo step. Pixels are read and
 * written through drawable-io.c and shadow.c exactly as for the main
 * procedure: float in the image's colour space, alpha untouched, gray
 * stays gray (LAIC applies one gain to all three channels, so R = G = B is
 * kept).
 *
 * The dialog, with its preview, is ui/dark-dialog.c; OK reuses the LAIC
 * result it computed.
 */
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include <string.h>

#include "dark.h"
#include "dequant.h"
#include "drawable-io.h"
#include "dark-dialog.h"
#include "laic.h"
#include "plugin-common.h"
#include "plugin-paths.h"
#include "shadow.h"
#include "values.h"

/* Rows per gegl_buffer_set() when the result is written back. */
#define STRIP_ROWS 64
/* Bump when the meaning of a field of EvenlightDarkParams changes. Both
 * procedures remember their values under PLUG_IN_DARK_PROC. */
#define DARK_VALS_VERSION 3

/* The help text both procedures start with. */
#define DARK_HELP \
  "Brightens a very dark photo (an under-exposed "        \
  "capture whose shadows hold only a few levels) by "     \
  "locally adaptive illumination compensation (LAIC, "    \
  "after \"Learning-based Dequantization for Image "      \
  "Restoration Against Extremely Poor Illumination\"); "  \
  "with 'dequantize' the banding and noise are then "     \
  "removed where the gain is large: each pixel is "       \
  "placed inside its quantisation interval by its "       \
  "distances to the band contours around it, and a "      \
  "small network corrects the rest (pixels brightened "   \
  "less than twofold are left as they are). "             \
  "Works on the whole layer (the gain is computed "       \
  "globally), changes only the selection, keeps alpha; "  \
  "RGB and grayscale layers of any precision. The "       \
  "dequantization weights (" EVENLIGHT_DEQUANT_FILE ") "  \
  "are looked up in the installed data folder, then "     \
  "next to the plug-in; EVENLIGHT_DEQUANT_WEIGHTS "       \
  "overrides it."

/* Registers @proc with the first @n_used entries of the table. */
static void
dark_install (const gchar *proc,
              guint        n_used,
              const gchar *help,
              const gchar *menu_label)
{
  guint n_params;
  const EvenlightParamSpec *table = evenlight_dark_params_table (&n_params);
  gint n_args;
  GimpParamDef *args = evenlight_pdb_args_new (table, MIN (n_used, n_params),
                                               &n_args);
  static const GimpParamDef return_vals[] =
  {
    { GIMP_PDB_STRING, "error-message", "Why the procedure failed" },
  };

  gimp_install_procedure (proc,
                          N_("Brighten a very dark photo with a locally adaptive gain, optionally removing the banding"),
                          help,
                          "the evenlight developers",
                          "Copyright (C) 2026 the evenlight developers, GPL-3.0-or-later",
                          "2026",
                          menu_label,
                          "RGB*, GRAY*",
                          GIMP_PLUGIN,
                          n_args, G_N_ELEMENTS (return_vals),
                          args, return_vals);
  evenlight_pdb_args_free (args, n_args);
}

void
evenlight_dark_register (void)
{
  guint n_params;

  evenlight_dark_params_table (&n_params);
  dark_install (PLUG_IN_DARK2_PROC, n_params,
                DARK_HELP " 'contrast' (λ2 of LAIC's program) weighs the "
                "local contrast the gain brings out against its smoothness: "
                "0 brightens every region alike.",
                N_("Even Light for _Dark Photos..."));
  gimp_plugin_menu_register (PLUG_IN_DARK2_PROC, "<Image>/Colors/Tone Mapping");
  /* Scripts written before the contrast existed call this one. */
  dark_install (PLUG_IN_DARK_PROC, EVENLIGHT_DARK_V1_N_PARAMS,
                DARK_HELP " The same as " PLUG_IN_DARK2_PROC " with the "
                "contrast at its default; kept so that existing scripts "
                "run unchanged.",
                NULL);
}

gboolean
evenlight_dark_is_proc (const gchar *name)
{
  return g_strcmp0 (name, PLUG_IN_DARK_PROC) == 0
         || g_strcmp0 (name, PLUG_IN_DARK2_PROC) == 0;
}

/* Writes @rect of the whole-layer result @rgb (source->width wide) to the
 * shadow buffer in strips, merges it through the selection (one undo
 * step). */
static void
write_back (EvenlightSource     *source,
            const gfloat        *rgb,
            const EvenlightRect *rect)
{
  EvenlightShadow shadow;
  gsize           row = (gsize) rect->width;
  gfloat         *strip = g_new (gfloat, row * STRIP_ROWS * 3);

  evenlight_shadow_open (&shadow, source);
  for (gint y = 0; y < rect->height; y += STRIP_ROWS)
    {
      EvenlightRect s = { rect->x, rect->y + y, rect->width,
                          MIN (STRIP_ROWS, rect->height - y) };

      for (gint j = 0; j < s.height; j++)
        memcpy (strip + j * row * 3,
                rgb + ((gsize) (s.y + j) * source->width + s.x) * 3,
                row * 3 * sizeof (gfloat));
      evenlight_shadow_write (&shadow, &s, strip);
    }
  g_free (strip);
  evenlight_shadow_close (&shadow, rect, TRUE);
}

/* Allocates the whole-layer buffers: @rgb always, @gain when @with_gain. */
static gboolean
dark_alloc (const EvenlightRect  *all,
            gboolean              with_gain,
            gfloat              **rgb,
            gfloat              **gain,
            GError              **error)
{
  *rgb = g_try_new (gfloat, (gsize) all->width * all->height * 3);
  if (with_gain)
    *gain = g_try_new (gfloat, (gsize) all->width * all->height);
  if (*rgb != NULL && (! with_gain || *gain != NULL))
    return TRUE;
  g_clear_pointer (rgb, g_free);
  g_clear_pointer (gain, g_free);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
               _("Not enough memory to process a %d × %d layer."),
               all->width, all->height);
  return FALSE;
}

static GimpPDBStatusType
dark_process (gint32               drawable_id,
              GimpRunMode          run_mode,
              EvenlightDarkParams *vals,
              GError             **error)
{
  EvenlightSource     source;
  EvenlightDequant   *dequant = NULL;
  EvenlightLaicParams params;
  EvenlightRect       rect, all;
  GimpPDBStatusType   status = GIMP_PDB_EXECUTION_ERROR;
  gfloat             *rgb = NULL, *gain = NULL;
  gboolean            analysed = FALSE;
  gint                n_threads = (gint) g_get_num_processors ();
  gint64              t0 = g_get_monotonic_time (), t1, t2;

  if (! evenlight_source_init (&source, drawable_id, error))
    return GIMP_PDB_CALLING_ERROR;
  all = (EvenlightRect) { 0, 0, source.width, source.height };

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      GError *dialog_error = NULL;

      /* The dialog runs LAIC for its preview as soon as it opens (with
       * the gain, as the check box may change); OK reuses that result. */
      if (! dark_alloc (&all, TRUE, &rgb, &gain, error))
        goto out;
      if (! evenlight_dark_dialog_run (&source, vals, rgb, gain, &dequant,
                                      &dialog_error))
        {
          if (dialog_error == NULL)
            status = GIMP_PDB_CANCEL;
          else
            g_propagate_error (error, dialog_error);
          goto out;
        }
      analysed = TRUE;
      t0 = g_get_monotonic_time ();
    }
  if (! gimp_drawable_mask_intersect (drawable_id, &rect.x, &rect.y,
                                      &rect.width, &rect.height))
    {
      status = GIMP_PDB_SUCCESS;   /* nothing selected on this layer */
      goto out;
    }
  /* A missing weights file is reported before any work is done. */
  if (! vals->dequantize)
    g_clear_pointer (&dequant, evenlight_dequant_free);
  else if (dequant == NULL)
    {
      dequant = evenlight_plugin_load_dequant (error);
      if (dequant == NULL)
        goto out;
    }

  gimp_progress_init (_("Even Light for Dark Photos"));
  if (! analysed)
    {
      if (! dark_alloc (&all, vals->dequantize, &rgb, &gain, error))
        goto out;
      evenlight_source_read (&all, rgb, &source, NULL);
      gimp_progress_update (0.1);
      evenlight_laic_params_init_default (&params);
      params.contrast = vals->contrast;
      if (! evenlight_laic (&params, rgb, all.width, all.height, n_threads,
                            gain, error))
        goto out;
    }
  t1 = g_get_monotonic_time ();
  gimp_progress_update (vals->dequantize ? 0.7 : 0.9);
  /* The drawable's precision may be higher than 8 bits, but a capture
   * dark enough for this tool is almost always an 8-bit one. */
  if (dequant != NULL
      && ! evenlight_dequant_apply (dequant, rgb, all.width, all.height, gain,
                                    EVENLIGHT_DEQUANT_STEP_8BIT, n_threads,
                                    error))
    goto out;
  t2 = g_get_monotonic_time ();
  gimp_progress_update (0.9);
  write_back (&source, rgb, &rect);
  gimp_progress_update (1.0);
  if (evenlight_debug_enabled ())
    {
      gchar *laic = analysed ? g_strdup ("from the dialog")
                             : g_strdup_printf ("%.1f ms", (t1 - t0) / 1000.0);

      g_printerr ("evenlight-dark: %d x %d layer: LAIC %s, dequantization "
                  "%.1f ms, written in %.1f ms\n", all.width, all.height,
                  laic, (t2 - t1) / 1000.0,
                  (g_get_monotonic_time () - t2) / 1000.0);
      g_free (laic);
    }

  evenlight_run_done (PLUG_IN_DARK_PROC, run_mode, DARK_VALS_VERSION, vals, sizeof *vals);
  status = GIMP_PDB_SUCCESS;

out:
  g_free (gain);
  g_free (rgb);
  evenlight_dequant_free (dequant);
  evenlight_source_clear (&source);
  return status;
}

GimpPDBStatusType
evenlight_dark_run (const gchar      *name,
                    gint              nparams,
                    const GimpParam  *param,
                    GError          **error)
{
  GimpRunMode         run_mode;
  EvenlightDarkParams vals;
  guint               n_params, n_used;
  const EvenlightParamSpec *table = evenlight_dark_params_table (&n_params);

  /* The first procedure reads only the arguments it was published with. */
  n_used = g_strcmp0 (name, PLUG_IN_DARK2_PROC) == 0
           ? n_params : EVENLIGHT_DARK_V1_N_PARAMS;
  evenlight_dark_params_init_default (&vals);
  run_mode = nparams > 0 ? (GimpRunMode) param[0].data.d_int32
                         : GIMP_RUN_NONINTERACTIVE;
  if (! evenlight_run_values (name, PLUG_IN_DARK_PROC, DARK_VALS_VERSION,
                              table, n_params, n_used, nparams, param,
                              &vals, sizeof vals, error))
    return GIMP_PDB_CALLING_ERROR;
  return dark_process (param[2].data.d_drawable, run_mode, &vals, error);
}
