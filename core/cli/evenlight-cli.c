/* `evenlight`: enhances a photo with non-uniform illumination from the
 * command line.
 *
 *   evenlight [OPTION…] INPUT OUTPUT
 *
 * The network method renders through evenlight_context_new() and
 * evenlight_enhance(), tile by tile between two GEGL buffers, so memory
 * stays at about the input plus the output image in their own formats.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gegl.h>

#include "cli-image.h"
#include "evenlight.h"
#include "retouch.h"

#define EXIT_USAGE   2   /* bad command line */
#define EXIT_FAILED  1  /* the command line was fine, the work failed */
#define MAX_THREADS  1024
/* Rows per strip when the classic method writes its result back. */
#define STRIP_ROWS   64

typedef struct
{
  gchar   *shadows, *highlights, *denoise;
  gchar   *method;
  gchar   *retouch_params;
  gchar   *weights;
  gchar   *threads;
  gboolean quiet;
  gboolean version;
  gchar  **files;
} Options;

/* The state the read and write callbacks share. The core calls them from
 * its worker threads; the lock keeps GEGL buffer access to one thread. */
typedef struct
{
  const EvenlightCliImage *image;
  GeglBuffer              *target;
  GMutex                   lock;
  gfloat                  *scratch;
  gsize                    scratch_size;
  gboolean                 show_progress;
  gint                     last_percent;
} Job;

static void
usage_error (GOptionContext *context,
             const gchar    *message)
{
  (void) context;
  g_printerr ("evenlight: %s\nTry “evenlight --help” for more information.\n",
              message);
}

/* A slider value: a number in [0, 1]. */
static gboolean
parse_slider (const gchar *option,
              const gchar *text,
              gfloat       fallback,
              gfloat      *value,
              gchar      **message)
{
  gchar *end = NULL;
  gdouble v;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || v < 0.0 || v > 1.0)
    {
      *message = g_strdup_printf ("%s must be a number in the range [0, 1], "
                                  "not “%s”", option, text);
      return FALSE;
    }
  *value = (gfloat) v;
  return TRUE;
}

static gboolean
read_pixels (const EvenlightRect *rect,
             gfloat              *rgb,
             gpointer             user_data,
             GError             **error)
{
  Job *job = user_data;

  (void) error;
  g_mutex_lock (&job->lock);
  evenlight_cli_image_read_rgb (job->image, rect->x, rect->y, rect->width,
                                rect->height, rgb);
  g_mutex_unlock (&job->lock);
  return TRUE;
}

static gboolean
write_pixels (const EvenlightRect *rect,
              const gfloat        *rgb,
              gpointer             user_data,
              GError             **error)
{
  Job *job = user_data;

  (void) error;
  g_mutex_lock (&job->lock);
  evenlight_cli_image_write_rgb (job->image, job->target, rect->x, rect->y,
                                 rect->width, rect->height, rgb,
                                 &job->scratch, &job->scratch_size);
  g_mutex_unlock (&job->lock);
  return TRUE;
}

static gboolean
show_progress (gdouble  fraction,
               gpointer user_data)
{
  Job *job = user_data;
  gint percent = (gint) (fraction * 100.0);

  if (job->show_progress && percent != job->last_percent)
    {
      job->last_percent = percent;
      g_printerr ("\revenlight: %3d%%", percent);
    }
  return TRUE;
}

/* Method "net": the network of weights/MODEL.md, paper Eq. (10). */
static gboolean
run_net (const EvenlightModel  *model,
         const EvenlightParams *params,
         gint                   n_threads,
         Job                   *job,
         GError               **error)
{
  const EvenlightCliImage *image = job->image;
  EvenlightRect all = { 0, 0, image->extent.width, image->extent.height };
  EvenlightContext *context;
  gboolean ok;

  context = evenlight_context_new (model, all.width, all.height,
                                   read_pixels, job, error);
  if (context == NULL)
    return FALSE;
  ok = evenlight_enhance (context, params, &all, n_threads,
                          read_pixels, job, write_pixels, job,
                          show_progress, job, error);
  evenlight_context_free (context);
  return ok;
}

/* Method "classic": the retouching module of paper Eq. (1), which works on
 * the whole image at once. */
static gboolean
run_classic (const EvenlightRetouchParams *params,
             gint                          n_threads,
             Job                          *job,
             GError                      **error)
{
  const EvenlightCliImage *image = job->image;
  gint width = image->extent.width, height = image->extent.height;
  gfloat *rgb;

  rgb = g_try_new (gfloat, (gsize) width * height * 3);
  if (rgb == NULL)
    {
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   "Not enough memory for a %d × %d image", width, height);
      return FALSE;
    }
  evenlight_cli_image_read_rgb (image, 0, 0, width, height, rgb);
  if (!evenlight_retouch (params, rgb, width, height, n_threads, error))
    {
      g_free (rgb);
      return FALSE;
    }
  for (gint y = 0; y < height; y += STRIP_ROWS)
    evenlight_cli_image_write_rgb (image, job->target, 0, y, width,
                                   MIN (STRIP_ROWS, height - y),
                                   rgb + (gsize) y * width * 3,
                                   &job->scratch, &job->scratch_size);
  g_free (rgb);
  return TRUE;
}

/* Checks the option values; on a problem prints it and returns FALSE. */
static gboolean
check_options (GOptionContext         *context,
               const Options          *o,
               gboolean               *classic,
               EvenlightParams        *params,
               EvenlightRetouchParams *retouch,
               gint                   *n_threads)
{
  g_autofree gchar *message = NULL;
  g_autoptr (GError) error = NULL;
  gint64 threads = 0;

  if (o->files == NULL || g_strv_length (o->files) != 2)
    {
      usage_error (context, "expected two file names: INPUT OUTPUT");
      return FALSE;
    }
  if (o->method != NULL && strcmp (o->method, "net") != 0
      && strcmp (o->method, "classic") != 0)
    {
      message = g_strdup_printf ("--method must be “net” or “classic”, not “%s”",
                                 o->method);
      usage_error (context, message);
      return FALSE;
    }
  *classic = o->method != NULL && strcmp (o->method, "classic") == 0;

  evenlight_params_init_default (params);
  if (!parse_slider ("--shadows", o->shadows, params->shadows,
                     &params->shadows, &message)
      || !parse_slider ("--highlights", o->highlights, params->highlights,
                        &params->highlights, &message)
      || !parse_slider ("--denoise", o->denoise, params->denoise,
                        &params->denoise, &message))
    {
      usage_error (context, message);
      return FALSE;
    }
  if (*classic && (o->shadows || o->highlights || o->denoise))
    {
      usage_error (context, "--shadows, --highlights and --denoise apply to "
                            "--method net; --method classic takes "
                            "--retouch-params");
      return FALSE;
    }
  if (!*classic && o->retouch_params != NULL)
    {
      usage_error (context, "--retouch-params applies only to --method classic");
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
      && !g_ascii_string_to_signed (o->threads, 10, 0, MAX_THREADS, &threads,
                                    NULL))
    {
      message = g_strdup_printf ("--threads must be a whole number from 0 "
                                 "(all processors) to %d, not “%s”",
                                 MAX_THREADS, o->threads);
      usage_error (context, message);
      return FALSE;
    }
  *n_threads = (gint) threads;
  return TRUE;
}

/* Everything after the command line: returns the exit status. */
static int
run (const Options                *o,
     gboolean                      classic,
     const EvenlightParams        *params,
     const EvenlightRetouchParams *retouch,
     gint                          n_threads)
{
  const gchar *input = o->files[0], *output_path = o->files[1];
  const gchar *weights = o->weights ? o->weights : evenlight_default_weights_path ();
  g_autoptr (GError) error = NULL;
  EvenlightModel *model = NULL;
  EvenlightCliOutput *output = NULL;
  EvenlightCliImage image;
  Job job = { 0 };
  gboolean ok = FALSE, gegl_started = FALSE;

  memset (&image, 0, sizeof image);
  g_mutex_init (&job.lock);
  job.last_percent = -1;
  job.show_progress = !o->quiet && isatty (STDERR_FILENO);

  /* The cheap checks come first, so that no time is spent on an image
   * whose result could not be written. */
  if (!evenlight_cli_image_check (input, &error))
    goto out;
  output = evenlight_cli_output_begin (output_path, input, &error);
  if (output == NULL)
    goto out;
  if (!classic)
    {
      model = evenlight_model_load (weights, &error);
      if (model == NULL)
        goto out;
    }
  /* GEGL takes a noticeable time to start: only once the cheap checks
   * have passed. */
  gegl_init (NULL, NULL);
  gegl_started = TRUE;
  if (!evenlight_cli_output_ready (output, &error)
      || !evenlight_cli_image_load (input, &image, &error))
    goto out;

  job.image = &image;
  job.target = evenlight_cli_image_dup_buffer (&image);
  ok = classic ? run_classic (retouch, n_threads, &job, &error)
               : run_net (model, params, n_threads, &job, &error);
  if (job.show_progress && job.last_percent >= 0)
    g_printerr ("\n");
  /* The input's pixels are not needed any more: their memory serves the
   * saver, which may need a copy of the whole image. */
  evenlight_cli_image_clear (&image);
  if (ok)
    {
      ok = evenlight_cli_output_commit (output, &image, job.target, &error);
      output = NULL;
    }

out:
  if (output != NULL)
    evenlight_cli_output_abort (output);
  g_clear_object (&job.target);
  g_free (job.scratch);
  g_mutex_clear (&job.lock);
  evenlight_cli_image_clear (&image);
  evenlight_model_free (model);
  if (gegl_started)
    gegl_exit ();
  if (!ok)
    g_printerr ("evenlight: %s\n", error ? error->message : "failed");
  return ok ? 0 : EXIT_FAILED;
}

int
main (int    argc,
      char **argv)
{
  Options o = { 0 };
  gchar *help_shadows = g_strdup_printf (
    "How much dark regions are lifted, in [0, 1] (default %g)",
    (double) EVENLIGHT_DEFAULT_SHADOWS);
  gchar *help_highlights = g_strdup_printf (
    "How much bright regions are brought down, in [0, 1] (default %g)",
    (double) EVENLIGHT_DEFAULT_HIGHLIGHTS);
  gchar *help_denoise = g_strdup_printf (
    "How much of the estimated noise is removed, in [0, 1] (default %g)",
    (double) EVENLIGHT_DEFAULT_DENOISE);
  GOptionEntry entries[] = {
    { "shadows", 's', 0, G_OPTION_ARG_STRING, &o.shadows,
      help_shadows, "G1" },
    { "highlights", 'l', 0, G_OPTION_ARG_STRING, &o.highlights,
      help_highlights, "G2" },
    { "denoise", 'd', 0, G_OPTION_ARG_STRING, &o.denoise,
      help_denoise, "G3" },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o.method,
      "“net” (the neural network, default) or “classic” (the slower "
      "retouching the network learnt from)", "METHOD" },
    { "retouch-params", 0, 0, G_OPTION_ARG_STRING, &o.retouch_params,
      "Settings of --method classic: key=value,… with keys shadows=a/b/c, "
      "highlights=a/b, radius, eps, detail, detail_radius", "SPEC" },
    { "weights", 'w', 0, G_OPTION_ARG_FILENAME, &o.weights,
      "The network's weights file (default: the installed one, or "
      "$EVENLIGHT_WEIGHTS)", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &o.threads,
      "Number of threads, 0 for one per processor (default 0)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet,
      "Do not show progress", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o.version,
      "Show the version and exit", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files,
      NULL, "INPUT OUTPUT" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  EvenlightParams params;
  EvenlightRetouchParams retouch;
  gboolean classic = FALSE;
  gint n_threads = 0;
  int status;

  setlocale (LC_ALL, "");
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
    "Exit status: 0 on success, 1 if the work failed, 2 for a bad command line.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      usage_error (context, error->message);
      status = EXIT_USAGE;
      goto done;
    }
  if (o.version)
    {
      g_print ("evenlight %s\n", EVENLIGHT_VERSION_STRING);
      status = 0;
      goto done;
    }
  if (!check_options (context, &o, &classic, &params, &retouch, &n_threads))
    {
      status = EXIT_USAGE;
      goto done;
    }

  status = run (&o, classic, &params, &retouch, n_threads);

done:
  g_free (o.shadows);
  g_free (o.highlights);
  g_free (o.denoise);
  g_free (o.method);
  g_free (o.retouch_params);
  g_free (o.weights);
  g_free (o.threads);
  g_strfreev (o.files);
  g_free (help_shadows);
  g_free (help_highlights);
  g_free (help_denoise);
  return status;
}
