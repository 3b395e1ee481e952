/* `evenlight`: enhances a photo with non-uniform illumination from the
 * command line.
 *
 *   evenlight [OPTION…] INPUT OUTPUT
 *
 * The network method renders through evenlight_context_new() and
 * evenlight_enhance(), tile by tile between two GEGL buffers, so memory
 * stays at about the input plus the output image in their own formats.
 * The classic method and LAIC (for very dark photos) work on the whole
 * image in memory; --dequantize then removes the banding and noise of
 * strongly brightened regions with the dequantization network
 * (core/dequant.h), which needs the whole image in memory as well.
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
#include "dequant.h"
#include "evenlight.h"
#include "laic.h"
#include "retouch.h"

#define EXIT_USAGE   2   /* bad command line */
#define EXIT_FAILED  1  /* the command line was fine, the work failed */
#define MAX_THREADS  1024
/* Rows per strip when the classic method writes its result back. */
#define STRIP_ROWS   64

typedef enum
{
  METHOD_NET,
  METHOD_CLASSIC,
  METHOD_LAIC
} Method;

typedef struct
{
  gchar   *shadows, *highlights, *denoise;
  gchar   *method;
  gchar   *retouch_params;
  gchar   *weights;
  gboolean dequantize;
  gchar   *dequant_weights;
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
  /* When not NULL, the network's output goes here (packed R'G'B', the
   * whole image) instead of into @target, for --dequantize. */
  gfloat                  *whole;
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
  if (job->whole != NULL)
    {
      /* Disjoint rows of the whole image: no lock needed. */
      gsize stride = (gsize) job->image->extent.width * 3;

      for (gint y = 0; y < rect->height; y++)
        memcpy (job->whole + (rect->y + y) * stride + (gsize) rect->x * 3,
                rgb + (gsize) y * rect->width * 3,
                (gsize) rect->width * 3 * sizeof (gfloat));
      return TRUE;
    }
  g_mutex_lock (&job->lock);
  evenlight_cli_image_write_rgb (job->image, job->target, rect->x, rect->y,
                                 rect->width, rect->height, rgb,
                                 &job->scratch, &job->scratch_size);
  g_mutex_unlock (&job->lock);
  return TRUE;
}

/* A whole-image float buffer, or an error naming its size. */
static gfloat *
alloc_image (gint     width,
             gint     height,
             gint     channels,
             GError **error)
{
  gfloat *p = g_try_new (gfloat, (gsize) width * height * channels);

  if (p == NULL)
    g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                 "Not enough memory for a %d × %d image", width, height);
  return p;
}

/* Writes the whole packed R'G'B' result @rgb into the target, in strips. */
static void
write_whole (Job          *job,
             const gfloat *rgb)
{
  gint width = job->image->extent.width, height = job->image->extent.height;

  for (gint y = 0; y < height; y += STRIP_ROWS)
    evenlight_cli_image_write_rgb (job->image, job->target, 0, y, width,
                                   MIN (STRIP_ROWS, height - y),
                                   rgb + (gsize) y * width * 3,
                                   &job->scratch, &job->scratch_size);
}

/* The quantisation step of the input's pixels: what one code value of its
 * type is worth. Float inputs have no step of their own; they usually come
 * from 8-bit captures, so they are treated as such. */
static gfloat
quant_step (const EvenlightCliImage *image)
{
  if (g_strcmp0 (image->type, "u16") == 0)
    return 1.0f / 65535.0f;
  if (g_strcmp0 (image->type, "u32") == 0)
    return 1.0f / 4294967295.0f;
  return EVENLIGHT_DEQUANT_STEP_8BIT;
}

/* --dequantize: restores @after (brightened from @before, or by @gain when
 * @gain is not NULL) in place. */
static gboolean
dequantize (const EvenlightDequant *dequant,
            const gfloat           *before,
            gfloat                 *after,
            const gfloat           *gain,
            gint                    n_threads,
            Job                    *job,
            GError                **error)
{
  gint width = job->image->extent.width, height = job->image->extent.height;
  gfloat *estimated = NULL;
  gboolean ok;

  if (gain == NULL)
    {
      estimated = alloc_image (width, height, 1, error);
      if (estimated == NULL)
        return FALSE;
      evenlight_dequant_gain_estimate (before, after, width, height, estimated);
      gain = estimated;
    }
  ok = evenlight_dequant_apply (dequant, after, width, height, gain,
                                quant_step (job->image), n_threads, error);
  g_free (estimated);
  return ok;
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
run_net (const EvenlightModel   *model,
         const EvenlightParams  *params,
         const EvenlightDequant *dequant,
         gint                    n_threads,
         Job                    *job,
         GError                **error)
{
  const EvenlightCliImage *image = job->image;
  EvenlightRect all = { 0, 0, image->extent.width, image->extent.height };
  EvenlightContext *context;
  gfloat *before = NULL;
  gboolean ok;

  if (dequant != NULL)
    {
      job->whole = alloc_image (all.width, all.height, 3, error);
      if (job->whole == NULL)
        return FALSE;
    }
  context = evenlight_context_new (model, all.width, all.height,
                                   read_pixels, job, error);
  if (context == NULL)
    {
      g_clear_pointer (&job->whole, g_free);
      return FALSE;
    }
  ok = evenlight_enhance (context, params, &all, n_threads,
                          read_pixels, job, write_pixels, job,
                          show_progress, job, error);
  evenlight_context_free (context);
  if (ok && dequant != NULL)
    {
      before = alloc_image (all.width, all.height, 3, error);
      ok = before != NULL;
      if (ok)
        {
          evenlight_cli_image_read_rgb (image, 0, 0, all.width, all.height,
                                        before);
          ok = dequantize (dequant, before, job->whole, NULL, n_threads, job,
                           error);
        }
      if (ok)
        {
          gfloat *whole = job->whole;

          job->whole = NULL;   /* write_whole goes to the target */
          write_whole (job, whole);
          job->whole = whole;
        }
    }
  g_free (before);
  g_clear_pointer (&job->whole, g_free);
  return ok;
}

/* Method "classic": the retouching module of paper Eq. (1), which works on
 * the whole image at once. */
static gboolean
run_classic (const EvenlightRetouchParams *params,
             const EvenlightDequant       *dequant,
             gint                          n_threads,
             Job                          *job,
             GError                      **error)
{
  const EvenlightCliImage *image = job->image;
  gint width = image->extent.width, height = image->extent.height;
  gfloat *rgb, *before = NULL;
  gboolean ok;

  rgb = alloc_image (width, height, 3, error);
  if (rgb == NULL)
    return FALSE;
  evenlight_cli_image_read_rgb (image, 0, 0, width, height, rgb);
  if (dequant != NULL)
    {
      before = alloc_image (width, height, 3, error);
      if (before == NULL)
        {
          g_free (rgb);
          return FALSE;
        }
      memcpy (before, rgb, (gsize) width * height * 3 * sizeof (gfloat));
    }
  ok = evenlight_retouch (params, rgb, width, height, n_threads, error);
  if (ok && dequant != NULL)
    ok = dequantize (dequant, before, rgb, NULL, n_threads, job, error);
  if (ok)
    write_whole (job, rgb);
  g_free (before);
  g_free (rgb);
  return ok;
}

/* Method "laic": locally adaptive illumination compensation of a very dark
 * photo (second paper, Eq. 19–23), on the whole image at once; its gain
 * tells --dequantize how coarsely each pixel is quantised. */
static gboolean
run_laic (const EvenlightDequant *dequant,
          gint                    n_threads,
          Job                    *job,
          GError                **error)
{
  const EvenlightCliImage *image = job->image;
  gint width = image->extent.width, height = image->extent.height;
  EvenlightLaicParams params;
  gfloat *rgb, *gain = NULL;
  gboolean ok;

  evenlight_laic_params_init_default (&params);
  rgb = alloc_image (width, height, 3, error);
  if (rgb == NULL)
    return FALSE;
  if (dequant != NULL)
    {
      gain = alloc_image (width, height, 1, error);
      if (gain == NULL)
        {
          g_free (rgb);
          return FALSE;
        }
    }
  evenlight_cli_image_read_rgb (image, 0, 0, width, height, rgb);
  ok = evenlight_laic (&params, rgb, width, height, n_threads, gain, error);
  if (ok && dequant != NULL)
    ok = dequantize (dequant, NULL, rgb, gain, n_threads, job, error);
  if (ok)
    write_whole (job, rgb);
  g_free (gain);
  g_free (rgb);
  return ok;
}

/* Checks the option values; on a problem prints it and returns FALSE. */
static gboolean
check_options (GOptionContext         *context,
               const Options          *o,
               Method                 *method,
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
  if (o->method == NULL || strcmp (o->method, "net") == 0)
    *method = METHOD_NET;
  else if (strcmp (o->method, "classic") == 0)
    *method = METHOD_CLASSIC;
  else if (strcmp (o->method, "laic") == 0)
    *method = METHOD_LAIC;
  else
    {
      message = g_strdup_printf ("--method must be “net”, “classic” or "
                                 "“laic”, not “%s”", o->method);
      usage_error (context, message);
      return FALSE;
    }

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
  if (*method != METHOD_NET && (o->shadows || o->highlights || o->denoise))
    {
      usage_error (context, "--shadows, --highlights and --denoise apply to "
                            "--method net; --method classic takes "
                            "--retouch-params, --method laic no settings");
      return FALSE;
    }
  if (*method != METHOD_CLASSIC && o->retouch_params != NULL)
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
     Method                        method,
     const EvenlightParams        *params,
     const EvenlightRetouchParams *retouch,
     gint                          n_threads)
{
  const gchar *input = o->files[0], *output_path = o->files[1];
  const gchar *weights = o->weights ? o->weights : evenlight_default_weights_path ();
  g_autoptr (GError) error = NULL;
  EvenlightModel *model = NULL;
  EvenlightDequant *dequant = NULL;
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
  if (method == METHOD_NET)
    {
      model = evenlight_model_load (weights, &error);
      if (model == NULL)
        goto out;
    }
  if (o->dequantize)
    {
      dequant = evenlight_dequant_load (o->dequant_weights
                                          ? o->dequant_weights
                                          : evenlight_dequant_default_path (),
                                        &error);
      if (dequant == NULL)
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
  switch (method)
    {
    case METHOD_CLASSIC:
      ok = run_classic (retouch, dequant, n_threads, &job, &error);
      break;
    case METHOD_LAIC:
      ok = run_laic (dequant, n_threads, &job, &error);
      break;
    case METHOD_NET:
    default:
      ok = run_net (model, params, dequant, n_threads, &job, &error);
      break;
    }
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
  evenlight_dequant_free (dequant);
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
      "“net” (the neural network, default), “classic” (the slower "
      "retouching the network learnt from) or “laic” (locally adaptive "
      "illumination compensation, for very dark photos)", "METHOD" },
    { "retouch-params", 0, 0, G_OPTION_ARG_STRING, &o.retouch_params,
      "Settings of --method classic: key=value,… with keys shadows=a/b/c, "
      "highlights=a/b, radius, eps, detail, detail_radius", "SPEC" },
    { "weights", 'w', 0, G_OPTION_ARG_FILENAME, &o.weights,
      "The network's weights file (default: the installed one, or "
      "$EVENLIGHT_WEIGHTS)", "FILE" },
    { "dequantize", 'D', 0, G_OPTION_ARG_NONE, &o.dequantize,
      "Afterwards, remove the banding and noise of strongly brightened "
      "regions with the dequantization network (for very dark photos; "
      "pixels brightened less than twofold stay exactly as they are)", NULL },
    { "dequant-weights", 0, 0, G_OPTION_ARG_FILENAME, &o.dequant_weights,
      "The dequantization network's weights file (default: the installed "
      "one, or $EVENLIGHT_DEQUANT_WEIGHTS)", "FILE" },
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
  Method method = METHOD_NET;
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
    "For very dark photos (a few levels in the shadows): --method laic\n"
    "--dequantize. --dequantize also follows the other methods, where the\n"
    "gain is estimated from the result.\n"
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
  if (!check_options (context, &o, &method, &params, &retouch, &n_threads))
    {
      status = EXIT_USAGE;
      goto done;
    }

  status = run (&o, method, &params, &retouch, n_threads);

done:
  g_free (o.shadows);
  g_free (o.highlights);
  g_free (o.denoise);
  g_free (o.method);
  g_free (o.retouch_params);
  g_free (o.weights);
  g_free (o.dequant_weights);
  g_free (o.threads);
  g_strfreev (o.files);
  g_free (help_shadows);
  g_free (help_highlights);
  g_free (help_denoise);
  return status;
}
