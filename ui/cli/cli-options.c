/* `evenlight`'s command line: the options (the sliders' from the parameter
 * tables of core/params.h), the help, and the checks of their values and
 * combinations.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-options.h"

#include <locale.h>
#include <string.h>

#include "cli-batch.h"

#define EXIT_USAGE   2   /* bad command line */

static void
usage_error (GOptionContext *context,
             const gchar    *message)
{
  (void) context;
  g_printerr ("evenlight: %s\nTry “evenlight --help” for more information.\n",
              message);
}

/* A slider's value given as @text: a number in the range of its table
 * entry @spec, stored in the values struct @values. */
static gboolean
parse_slider (const EvenlightParamSpec *spec,
              const gchar              *text,
              gpointer                  values,
              gchar                   **message)
{
  gchar *end = NULL;
  gdouble v;

  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !evenlight_param_check (spec, v, NULL))
    {
      *message = g_strdup_printf ("--%s must be a number in the range [%g, %g], "
                                  "not “%s”", spec->name, spec->min, spec->max,
                                  text);
      return FALSE;
    }
  evenlight_param_set (spec, values, v);
  return TRUE;
}

/* The command line of --fuse (and --no-align): 2 to EVENLIGHT_BRACKET_MAX
 * inputs and an output, the network, Denoise as the only slider. */
static gboolean
check_fuse_options (GOptionContext            *context,
                    const EvenlightCliOptions *o)
{
  g_autofree gchar *message = NULL;
  const EvenlightParamSpec *table;
  guint n_params, n_files = o->files ? g_strv_length (o->files) : 0;

  if (!o->fuse)
    message = g_strdup ("--no-align applies only with --fuse");
  else if (o->output_dir != NULL || o->format != NULL)
    message = g_strdup ("--fuse makes one OUTPUT: --output-dir and --format do not apply");
  else if (n_files < 3 || n_files > EVENLIGHT_BRACKET_MAX + 1)
    message = g_strdup_printf ("--fuse expects 2 to %d exposures and an output: "
                               "INPUT1 INPUT2 [INPUT3…] OUTPUT (got %u file names)",
                               EVENLIGHT_BRACKET_MAX, n_files);
  else if ((o->method_name != NULL && strcmp (o->method_name, "net") != 0)
           || o->dequantize || o->retouch_params != NULL)
    message = g_strdup ("--fuse runs the network: --method, --retouch-params and "
                        "--dequantize do not apply");
  table = evenlight_params_table (&n_params);
  for (guint i = 0; i < n_params && message == NULL; i++)
    if (o->sliders[i] != NULL && strcmp (table[i].name, "denoise") != 0)
      message = g_strdup_printf ("--%s does not apply to --fuse (only --denoise does)",
                                 table[i].name);
  if (message != NULL)
    usage_error (context, message);
  return message == NULL;
}

/* Checks the option values; on a problem prints it and returns FALSE. */
static gboolean
check_options (GOptionContext            *context,
               const EvenlightCliOptions *o,
               EvenlightCliMethod        *method,
               EvenlightParams           *params,
               EvenlightDarkParams       *dark,
               EvenlightRetouchParams    *retouch,
               gint                      *n_threads)
{
  g_autofree gchar *message = NULL;
  g_autoptr (GError) error = NULL;
  gint64 threads = 0;
  const EvenlightParamSpec *table;
  guint n_params;
  gboolean given = FALSE;

  if (o->fuse || o->no_align)
    {
      if (!check_fuse_options (context, o))
        return FALSE;
    }
  else if (o->output_dir != NULL)
    {
      if (o->files == NULL || o->files[0] == NULL)
        {
          usage_error (context, "--output-dir DIR needs at least one INPUT");
          return FALSE;
        }
      if (o->format != NULL && !evenlight_cli_batch_format_ok (o->format, &message))
        {
          usage_error (context, message);
          return FALSE;
        }
    }
  else if (o->format != NULL)
    {
      usage_error (context, "--format applies only with --output-dir");
      return FALSE;
    }
  else if (o->files == NULL || g_strv_length (o->files) != 2)
    {
      usage_error (context, "expected two file names: INPUT OUTPUT (or "
                            "--output-dir DIR INPUT…)");
      return FALSE;
    }
  if (o->method_name == NULL || strcmp (o->method_name, "net") == 0)
    *method = EVENLIGHT_CLI_METHOD_NET;
  else if (strcmp (o->method_name, "classic") == 0)
    *method = EVENLIGHT_CLI_METHOD_CLASSIC;
  else if (strcmp (o->method_name, "laic") == 0)
    *method = EVENLIGHT_CLI_METHOD_LAIC;
  else
    {
      message = g_strdup_printf ("--method must be “net”, “classic” or "
                                 "“laic”, not “%s”", o->method_name);
      usage_error (context, message);
      return FALSE;
    }

  evenlight_params_init_default (params);
  table = evenlight_params_table (&n_params);
  for (guint i = 0; i < n_params; i++)
    {
      if (o->sliders[i] == NULL)
        continue;
      if (!parse_slider (&table[i], o->sliders[i], params, &message))
        {
          usage_error (context, message);
          return FALSE;
        }
      given = TRUE;
    }
  if (*method != EVENLIGHT_CLI_METHOD_NET && given)
    {
      g_autoptr (GString) names = g_string_new (NULL);

      for (guint i = 0; i < n_params; i++)
        g_string_append_printf (names, "%s--%s",
                                i == 0 ? "" : i + 1 < n_params ? ", " : " and ",
                                table[i].name);
      message = g_strdup_printf ("%s apply to --method net; --method classic "
                                 "takes --retouch-params, --method laic "
                                 "--contrast", names->str);
      usage_error (context, message);
      return FALSE;
    }
  evenlight_dark_params_init_default (dark);
  if (o->contrast != NULL)
    {
      guint n_dark;
      const EvenlightParamSpec *dark_table = evenlight_dark_params_table (&n_dark);
      const EvenlightParamSpec *contrast
        = evenlight_param_find (dark_table, n_dark, "contrast");

      if (*method != EVENLIGHT_CLI_METHOD_LAIC)
        {
          usage_error (context, "--contrast applies only to --method laic");
          return FALSE;
        }
      if (!parse_slider (contrast, o->contrast, dark, &message))
        {
          usage_error (context, message);
          return FALSE;
        }
    }
  if (*method != EVENLIGHT_CLI_METHOD_CLASSIC && o->retouch_params != NULL)
    {
      usage_error (context, "--retouch-params applies only to --method classic");
      return FALSE;
    }
  if (!o->dequantize && o->dequant_weights != NULL)
    {
      usage_error (context, "--dequant-weights applies only with --dequantize");
      return FALSE;
    }

  evenlight_retouch_params_init_default (retouch);
  if (o->retouch_params != NULL
      && !evenlight_retouch_params_parse (retouch, o->retouch_params, &error))
    {
      message = g_strdup_printf ("--retouch-params: %s", error->message);
      usage_error (context, message);
      return FALSE;
    }

  if (o->threads != NULL
      && !g_ascii_string_to_signed (o->threads, 10, 0, EVENLIGHT_CLI_MAX_THREADS, &threads,
                                    NULL))
    {
      message = g_strdup_printf ("--threads must be a whole number from 0 "
                                 "(all processors) to %d, not “%s”",
                                 EVENLIGHT_CLI_MAX_THREADS, o->threads);
      usage_error (context, message);
      return FALSE;
    }
  *n_threads = (gint) threads;
  return TRUE;
}

gboolean
evenlight_cli_options_parse (EvenlightCliOptions *o,
                             int                 *argc,
                             char              ***argv,
                             int                 *status)
{
  guint n_params;
  const EvenlightParamSpec *table = evenlight_params_table (&n_params);
  guint n_dark;
  const EvenlightParamSpec *dark_table = evenlight_dark_params_table (&n_dark);
  const EvenlightParamSpec *dq = evenlight_param_find (dark_table, n_dark, "dequantize");
  const EvenlightParamSpec *contrast = evenlight_param_find (dark_table, n_dark, "contrast");
  g_autofree gchar *contrast_help
    = g_strdup_printf ("With --method laic: %s In [%g, %g] (default %g)",
                       contrast->description, contrast->min, contrast->max,
                       contrast->default_value);
  GOptionEntry other_entries[] = {
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o->method_name,
      "“net” (the neural network, default), “classic” (the slower "
      "retouching the network learnt from) or “laic” (locally adaptive "
      "illumination compensation, for very dark photos)", "METHOD" },
    { "retouch-params", 0, 0, G_OPTION_ARG_STRING, &o->retouch_params,
      "Settings of --method classic: key=value,… with keys shadows=a/b/c, "
      "highlights=a/b, radius, eps, detail, detail_radius", "SPEC" },
    { "weights", 'w', 0, G_OPTION_ARG_FILENAME, &o->weights,
      "The network's weights file (default: $EVENLIGHT_WEIGHTS, else the "
      "source tree's weights/ when run from the build tree, else the "
      "installed one, else the one next to the program)", "FILE" },
    { dq->name, dq->short_option, 0, G_OPTION_ARG_NONE, &o->dequantize,
      "Afterwards, remove the banding and noise of strongly brightened "
      "regions with the dequantization network (for very dark photos; "
      "pixels brightened less than twofold stay exactly as they are)", NULL },
    { contrast->name, contrast->short_option, 0, G_OPTION_ARG_STRING,
      &o->contrast, contrast_help, contrast->metavar },
    { "dequant-weights", 0, 0, G_OPTION_ARG_FILENAME, &o->dequant_weights,
      "The dequantization network's weights file (default: "
      "$EVENLIGHT_DEQUANT_WEIGHTS, else found like --weights)", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &o->threads,
      "Number of threads, 0 for one per processor (default 0)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      "Do not show progress", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o->version,
      "Show the version and exit", NULL },
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &o->output_dir,
      "Batch mode: enhance every INPUT into DIR/<its name> in one process "
      "(DIR is created if needed; an input is never overwritten; a file "
      "that fails is reported and the others go on, exit status 1)", "DIR" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
      "With --output-dir: write EXT files (png, jpg, tif, webp, exr, ppm) "
      "instead of the inputs' own format", "EXT" },
    { "fuse", 0, 0, G_OPTION_ARG_NONE, &o->fuse,
      "Exposure fusion: fuse the bracket INPUT1 INPUT2 [INPUT3…] (2 to 9 "
      "exposures of one scene, any order) into OUTPUT with the network; "
      "only --denoise applies", NULL },
    { "no-align", 0, 0, G_OPTION_ARG_NONE, &o->no_align,
      "With --fuse: do not estimate and undo the shift between the exposures", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files,
      NULL, "INPUT OUTPUT | --output-dir DIR INPUT… | --fuse INPUT1 INPUT2 [INPUT3…] OUTPUT" },
    { NULL }
  };
  /* The sliders' options come from the parameter table, then the rest. */
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_autoptr (GPtrArray) help = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;

  /* The help of --contrast above is formatted in the C locale, the
   * sliders' below in the user's. */
  setlocale (LC_ALL, "");
  o->sliders = g_new0 (gchar *, n_params + 1);
  for (guint i = 0; i < n_params; i++)
    {
      const EvenlightParamSpec *spec = &table[i];
      gchar *text = g_strdup_printf ("%s In [%g, %g] (default %g)",
                                     spec->description, spec->min, spec->max,
                                     spec->default_value);
      GOptionEntry e = { spec->name, spec->short_option, 0, G_OPTION_ARG_STRING,
                         &o->sliders[i], text, spec->metavar };

      g_ptr_array_add (help, text);
      g_array_append_val (entries, e);
    }
  g_array_append_vals (entries, other_entries, G_N_ELEMENTS (other_entries) - 1);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Evens out the lighting of a photo: lifts dark regions, tames bright\n"
    "ones and removes the noise that brightening reveals.");
  g_option_context_set_description (context,
    "INPUT and OUTPUT are PNG, JPEG, TIFF, WebP, OpenEXR or PPM files (the\n"
    "output format follows the extension). The output keeps the input's\n"
    "bit depth where its format can hold it; alpha is left unchanged and a\n"
    "gray image stays gray. The input is never modified, and the output is\n"
    "written only when the whole result is ready.\n"
    "\n"
    "Many photos: evenlight --output-dir out photos/*.jpg loads the network\n"
    "once and enhances them one after the other; a file that fails is\n"
    "named and skipped, the exit status is then 1.\n"
    "\n"
    "For very dark photos (a few levels in the shadows): --method laic\n"
    "--dequantize, with --contrast to bring out more or less local contrast.\n"
    "--dequantize also follows the other methods, where the gain is\n"
    "estimated from the result.\n"
    "\n"
    "Exposure fusion: evenlight --fuse dark.jpg normal.jpg bright.jpg out.jpg\n"
    "ranks the exposures by brightness and fuses the middle, the brightest and\n"
    "the darkest with the network. Hand-held brackets are aligned first (a\n"
    "shift to a fraction of a pixel; --no-align turns it off); the result is\n"
    "the part of the frame all exposures share, in the middle exposure's\n"
    "format. A bracket that cannot be aligned is fused as it is, with a warning.\n"
    "\n"
    "Environment:\n"
    "  EVENLIGHT_WEIGHTS          the network's weights file, when --weights is not given\n"
    "  EVENLIGHT_DEQUANT_WEIGHTS  the dequantization network's, likewise\n"
    "  BABL_INHIBIT_CACHE         unless given, babl uses the CLI's own cache file\n"
    "  GEGL_PATH                  unless given, only the GEGL modules evenlight uses load\n"
    "\n"
    "Exit status: 0 on success, 1 if the work failed (for any file), 2 for a\n"
    "bad command line.");
  g_option_context_add_main_entries (context,
                                     (const GOptionEntry *) entries->data, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      usage_error (context, error->message);
      *status = EXIT_USAGE;
      return FALSE;
    }
  if (o->version)
    {
      g_print ("evenlight %s\n", EVENLIGHT_VERSION_STRING);
      *status = 0;
      return FALSE;
    }
  if (!check_options (context, o, &o->method, &o->params, &o->dark,
                      &o->retouch, &o->n_threads))
    {
      *status = EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}

void
evenlight_cli_options_clear (EvenlightCliOptions *o)
{
  g_strfreev (o->sliders);
  g_free (o->contrast);
  g_free (o->method_name);
  g_free (o->retouch_params);
  g_free (o->weights);
  g_free (o->dequant_weights);
  g_free (o->threads);
  g_free (o->output_dir);
  g_free (o->format);
  g_strfreev (o->files);
}
