/* `evenlight`: enhances a photo with non-uniform illumination from the
 * command line.
 *
 *   evenlight [OPTION…] INPUT OUTPUT
 *   evenlight [OPTION…] --output-dir DIR INPUT…
 *   evenlight [OPTION…] --fuse INPUT1 INPUT2 [INPUT3…] OUTPUT   (cli-fuse.c)
 *
 * The network method renders through evenlight_context_new() and
 * evenlight_enhance(), in strips of rows, and writes each strip's result
 * back into the input's own GEGL buffer once no later strip reads those
 * rows any more: memory stays at about one copy of the image in its own
 * format plus a few strips. The classic method and LAIC (for very dark
 * photos) work on the whole image in memory, and are refused up front when
 * it would not fit; --dequantize then removes the banding and noise of
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

#include "cli-batch.h"
#include "cli-fuse.h"
#include "cli-image.h"
#include "cli-weights.h"
#include "dequant.h"
#include "evenlight.h"
#include "laic.h"
#include "params.h"
#include "retouch.h"

#define EXIT_USAGE   2   /* bad command line */
#define EXIT_FAILED  1  /* the command line was fine, the work failed */
#define MAX_THREADS  1024
/* Rows per strip when the classic method writes its result back. */
#define STRIP_ROWS   64
/* Rows per strip of the network method: one row of the core's 256-pixel
 * tiles, so that no tile is cut in two. */
#define NET_STRIP_ROWS 256

typedef enum
{
  METHOD_NET,
  METHOD_CLASSIC,
  METHOD_LAIC
} Method;

typedef struct
{
  gchar  **sliders;   /* one per entry of the parameter table, or NULL */
  gchar   *contrast;  /* --method laic's Contrast (the dark table), or NULL */
  gchar   *method;
  gchar   *retouch_params;
  gchar   *weights;
  gboolean dequantize;
  gchar   *dequant_weights;
  gchar   *threads;
  gboolean quiet;
  gboolean version;
  gchar  **files;
  gchar   *output_dir;
  gchar   *format;
  gboolean fuse;
  gboolean no_align;
} Options;

/* What every file of a run shares: the networks and GEGL, set up once, on
 * the first file that passes its cheap checks. */
typedef struct
{
  const Options                *o;
  Method                        method;
  const EvenlightParams        *params;
  const EvenlightRetouchParams *retouch;
  const EvenlightDarkParams    *dark;
  gint                          n_threads;
  gboolean                      ready;
  EvenlightModel               *model;
  EvenlightDequant             *dequant;
  /* Batch mode: the file being worked on, for the progress line. */
  gint                          index, total;
  const gchar                  *name;
  gint64                        started;
  /* EVENLIGHT_DEBUG: how long the set-up took (weights, gegl_init), in
   * µs, reported with the first file's parts. */
  gboolean                      debug;
  gint64                        weights_us, gegl_init_us;
  /* Batch mode on several threads (batch_parallel): shared by the
   * threads' sessions, NULL otherwise. */
  struct _Shared               *shared;
  gint                          worker;   /* which of those threads */
} Session;

/* What the threads of a parallel batch share. */
typedef struct _Shared
{
  EvenlightCliBatch *batch;
  GMutex             lock;     /* stderr */
  gint               next;     /* atomic: the next file to take */
  gint               done;     /* under lock: files finished */
  gint               failed;   /* atomic */
} Shared;


/* A strip of the network's result, waiting to be written over the input
 * rows it replaces. It is a small GEGL buffer in the input's own format
 * (an 8-bit strip takes a quarter of the memory of float pixels), filled
 * first with those input rows, which supply the alpha the core does not
 * touch. */
typedef struct
{
  gint        y, height;
  GeglBuffer *buffer;
} Strip;

/* The state the read and write callbacks share. The core calls them from
 * its worker threads; the lock keeps GEGL buffer access to one thread. */
typedef struct
{
  const EvenlightCliImage *image;
  GeglBuffer              *target;   /* the input's buffer: written in place */
  GMutex                   lock;
  /* The network method, strip by strip: the strip being rendered (the
   * write callback fills it), the rows of the input already replaced by
   * results, and how far beyond its strip the core has read (the
   * margin its networks need; measured, not assumed). */
  Strip                   *strip;
  gint                     replaced_rows;
  gint                     read_beyond;
  gdouble                  progress_base, progress_scale;
  gfloat                  *scratch;
  gsize                    scratch_size;
  /* When not NULL, the network's output goes here (packed R'G'B', the
   * whole image) instead of into @target, for --dequantize. */
  gfloat                  *whole;
  gboolean                 show_progress;
  gint                     last_percent;
  const Session           *session;   /* batch mode: the progress line */
  gint64                   context_us; /* EVENLIGHT_DEBUG: the context pass */
} Job;

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

static gboolean
read_pixels (const EvenlightRect *rect,
             gfloat              *rgb,
             gpointer             user_data,
             GError             **error)
{
  Job *job = user_data;
  gboolean ok = TRUE;

  g_mutex_lock (&job->lock);
  if (rect->y < job->replaced_rows)
    {
      /* Those input rows hold results already: never read them as input.
       * (Cannot happen while the core's margin is what was measured.) */
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INPUT,
                   "Internal error: input row %d was read after being "
                   "replaced by its result", rect->y);
      ok = FALSE;
    }
  else
    {
      evenlight_cli_image_read_rgb (job->image, rect->x, rect->y, rect->width,
                                    rect->height, rgb);
      if (job->strip != NULL)
        job->read_beyond = MAX (job->read_beyond,
                                MAX (job->strip->y - rect->y,
                                     rect->y + rect->height
                                     - (job->strip->y + job->strip->height)));
    }
  g_mutex_unlock (&job->lock);
  return ok;
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
  evenlight_cli_image_write_rgb (job->image,
                                 job->strip ? job->strip->buffer : job->target,
                                 rect->x, rect->y, rect->width, rect->height,
                                 rgb, &job->scratch, &job->scratch_size);
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

/* The progress line on a terminal: the percentage of the file, and in
 * batch mode the files done, the current one and the time left. */
static void
progress_line (Job  *job,
               gint  percent)
{
  const Session *s = job->session;

  if (s == NULL || s->total == 0)
    {
      g_printerr ("\revenlight: %3d%%", percent);
      return;
    }
  {
    gdouble done = (s->index + percent / 100.0) / s->total;
    gdouble elapsed = (g_get_monotonic_time () - s->started) / 1e6;

    g_printerr ("\r\033[Kevenlight: %d/%d done, %s %d%%", s->index, s->total,
                s->name, percent);
    if (done > 0.0 && s->index > 0)
      g_printerr (", about %.0f s left", elapsed * (1.0 - done) / done);
  }
}

static gboolean
show_progress (gdouble  fraction,
               gpointer user_data)
{
  Job *job = user_data;
  gint percent = (gint) ((job->progress_base + fraction * job->progress_scale)
                         * 100.0);

  if (job->show_progress && percent != job->last_percent)
    {
      job->last_percent = percent;
      progress_line (job, percent);
    }
  return TRUE;
}

/* The rows of @strip in the buffers' coordinates. */
static GeglRectangle
strip_rect (const Job   *job,
            const Strip *strip)
{
  GeglRectangle r = { job->image->extent.x, job->image->extent.y + strip->y,
                      job->image->extent.width, strip->height };

  return r;
}

/* Writes @strip's result over its rows of the input buffer, and frees it. */
static void
replace_rows (Job   *job,
              Strip *strip)
{
  GeglRectangle r = strip_rect (job, strip);

  gegl_buffer_copy (strip->buffer, &r, GEGL_ABYSS_NONE, job->target, &r);
  job->replaced_rows = strip->y + strip->height;
  g_object_unref (strip->buffer);
  g_free (strip);
}

/* Renders the whole image strip by strip into the input buffer itself. A
 * strip's result waits in memory until the next strip to render no longer
 * reads its rows (its top minus the core's margin lies below them); then
 * it replaces them. So only one image-sized buffer exists, instead of the
 * input and a copy for the output. */
static gboolean
enhance_in_place (EvenlightContext      *context,
                  const EvenlightParams *params,
                  gint                   n_threads,
                  Job                   *job,
                  GError               **error)
{
  gint width = job->image->extent.width, height = job->image->extent.height;
  GQueue waiting = G_QUEUE_INIT;
  gboolean ok = TRUE;

  for (gint y = 0; ok && y < height; y += NET_STRIP_ROWS)
    {
      Strip *strip = g_new0 (Strip, 1);
      EvenlightRect rect = { 0, y, width, MIN (NET_STRIP_ROWS, height - y) };
      GeglRectangle r;

      strip->y = rect.y;
      strip->height = rect.height;
      r = strip_rect (job, strip);
      strip->buffer = gegl_buffer_new (&r, gegl_buffer_get_format (job->target));
      gegl_buffer_copy (job->target, &r, GEGL_ABYSS_NONE, strip->buffer, &r);
      job->strip = strip;
      job->progress_base = (gdouble) y / height;
      job->progress_scale = (gdouble) rect.height / height;
      ok = evenlight_enhance (context, params, &rect, n_threads,
                              read_pixels, job, write_pixels, job,
                              show_progress, job, error);
      job->strip = NULL;
      g_queue_push_tail (&waiting, strip);
      /* The next strip reads from its top minus the margin: every row
       * above that is free to be replaced. */
      while (ok && !g_queue_is_empty (&waiting))
        {
          Strip *oldest = g_queue_peek_head (&waiting);

          if (y + NET_STRIP_ROWS < height
              && oldest->y + oldest->height > y + NET_STRIP_ROWS - job->read_beyond)
            break;
          replace_rows (job, g_queue_pop_head (&waiting));
        }
    }
  while (!g_queue_is_empty (&waiting))
    {
      Strip *strip = g_queue_pop_head (&waiting);

      g_object_unref (strip->buffer);
      g_free (strip);
    }
  return ok;
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
  job->context_us = g_get_monotonic_time ();
  context = evenlight_context_new (model, all.width, all.height,
                                   read_pixels, job, error);
  job->context_us = g_get_monotonic_time () - job->context_us;
  if (context == NULL)
    {
      g_clear_pointer (&job->whole, g_free);
      return FALSE;
    }
  if (dequant != NULL)
    ok = evenlight_enhance (context, params, &all, n_threads,
                            read_pixels, job, write_pixels, job,
                            show_progress, job, error);
  else
    ok = enhance_in_place (context, params, n_threads, job, error);
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
          gfloat                  contrast,
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
  params.contrast = contrast;
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

/* Working memory of the whole-image methods, in bytes per pixel on top of
 * the input's GEGL buffer and its copy that receives the result. Measured
 * as the peak RSS (/usr/bin/time -v) of `evenlight -q --method classic`
 * and `--method laic` on synthetic 2000 × 1500 and 4000 × 3000 8-bit RGB
 * JPEGs, 2 threads: classic 367 MB → 888 MB, laic 367 MB → 917 MB, i.e.
 * 59 and 62.5 bytes per additional pixel, less the 2 × 3 bytes of those
 * two 8-bit RGB buffers. --dequantize needs more than this. */
#define CLASSIC_BYTES_PER_PIXEL 53
#define LAIC_BYTES_PER_PIXEL    57

/* The physical memory this process can still use, in bytes, or 0 when
 * unknown: MemAvailable (free memory plus what the kernel can reclaim),
 * bounded by the cgroup's limit when there is one. */
static guint64
available_memory (void)
{
  g_autofree gchar *meminfo = NULL, *limit = NULL, *current = NULL;
  guint64 available = 0;
  const gchar *line;

  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL)
      && (line = strstr (meminfo, "MemAvailable:")) != NULL)
    available = g_ascii_strtoull (line + strlen ("MemAvailable:"), NULL, 10)
                * 1024;
  if (available == 0)
    {
      long pages = sysconf (_SC_AVPHYS_PAGES), size = sysconf (_SC_PAGESIZE);

      if (pages > 0 && size > 0)
        available = (guint64) pages * (guint64) size;
    }
  if (g_file_get_contents ("/sys/fs/cgroup/memory.max", &limit, NULL, NULL)
      && g_ascii_isdigit (limit[0])
      && g_file_get_contents ("/sys/fs/cgroup/memory.current", &current,
                              NULL, NULL))
    {
      guint64 max = g_ascii_strtoull (limit, NULL, 10);
      guint64 used = g_ascii_strtoull (current, NULL, 10);
      guint64 room = max > used ? max - used : 0;

      if (available == 0 || room < available)
        available = room;
    }
  return available;
}

/* Refuses, before anything is decoded, to run a whole-image method on an
 * image whose working memory would exceed the available memory: such a
 * run would end in swapping or the OOM killer, minutes later. */
static gboolean
check_memory (Method       method,
              const gchar *input,
              GError     **error)
{
  gint width, height, bpp;
  guint64 needed, available;
  g_autofree gchar *need_text = NULL, *have_text = NULL;

  if (method == METHOD_NET)
    return TRUE;   /* tiled: bounded memory */
  if (!evenlight_cli_image_probe (input, &width, &height, &bpp, error))
    return FALSE;
  needed = (guint64) width * (guint64) height
           * ((method == METHOD_CLASSIC ? CLASSIC_BYTES_PER_PIXEL
                                        : LAIC_BYTES_PER_PIXEL)
              + 2 * (guint64) bpp);
  available = available_memory ();
  if (available == 0 || needed <= available)
    return TRUE;
  need_text = g_format_size (needed);
  have_text = g_format_size (available);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
               "Not enough memory for --method %s on this %d × %d image: it "
               "needs about %s and %s are available. Use --method net (the "
               "default), which works tile by tile in bounded memory.",
               method == METHOD_CLASSIC ? "classic" : "laic", width, height,
               need_text, have_text);
  return FALSE;
}

/* The command line of --fuse (and --no-align): 2 to EVENLIGHT_BRACKET_MAX
 * inputs and an output, the network, Denoise as the only slider. */
static gboolean
check_fuse_options (GOptionContext *context,
                    const Options  *o)
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
  else if ((o->method != NULL && strcmp (o->method, "net") != 0) || o->dequantize
           || o->retouch_params != NULL)
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
check_options (GOptionContext         *context,
               const Options          *o,
               Method                 *method,
               EvenlightParams        *params,
               EvenlightDarkParams    *dark,
               EvenlightRetouchParams *retouch,
               gint                   *n_threads)
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
  if (*method != METHOD_NET && given)
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

      if (*method != METHOD_LAIC)
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
/* Loads the networks the run needs and starts GEGL (once). */
static gboolean
session_ready (Session *session,
               GError **error)
{
  const Options *o = session->o;

  gint64 t0 = g_get_monotonic_time ();

  if (session->ready)
    return TRUE;
  if (session->method == METHOD_NET)
    {
      g_autofree gchar *base = g_path_get_basename (evenlight_default_weights_path ());
      g_autofree gchar *weights
        = o->weights != NULL
          ? g_strdup (o->weights)
          : evenlight_cli_find_weights (base, evenlight_default_weights_path (),
                                        "EVENLIGHT_WEIGHTS", "--weights", error);

      if (weights == NULL)
        return FALSE;
      session->model = evenlight_model_load (weights, error);
      if (session->model == NULL)
        return FALSE;
    }
  if (o->dequantize)
    {
      g_autofree gchar *weights
        = o->dequant_weights != NULL
          ? g_strdup (o->dequant_weights)
          : evenlight_cli_find_weights (EVENLIGHT_DEQUANT_FILE,
                                        evenlight_dequant_default_path (),
                                        "EVENLIGHT_DEQUANT_WEIGHTS",
                                        "--dequant-weights", error);

      if (weights == NULL)
        return FALSE;
      session->dequant = evenlight_dequant_load (weights, error);
      if (session->dequant == NULL)
        return FALSE;
    }
  session->weights_us = g_get_monotonic_time () - t0;
  /* GEGL takes a noticeable time to start: only once the cheap checks
   * of the first file have passed. */
  t0 = g_get_monotonic_time ();
  evenlight_cli_gegl_init ((const gchar * const *) o->files, o->format);
  session->gegl_init_us = g_get_monotonic_time () - t0;
  session->ready = TRUE;
  return TRUE;
}

static void
session_clear (Session *session)
{
  evenlight_model_free (session->model);
  evenlight_dequant_free (session->dequant);
  if (session->ready)
    evenlight_cli_gegl_exit ();
}

/* EVENLIGHT_DEBUG=1: one line per file on stderr with the thread of a
 * parallel batch that enhanced it and the time of each part, in ms: the
 * set-up (weights, gegl_init) on the first file only,
 * then checks (before the image is decoded), load (decoding), context,
 * render, save (encoding and the rename), and total from the start of
 * the file. */
static void
debug_report (Session     *session,
              const gchar *input,
              const Job   *job,
              gint64       setup,
              gint64       t_start,
              gint64       t_load,
              gint64       t_work,
              gint64       t_save)
{
  gint64 now = g_get_monotonic_time ();

  g_printerr ("evenlight: %s: thread %d, weights %.1f ms, gegl_init %.1f ms, "
              "checks %.1f ms, load %.1f ms, context %.1f ms, render %.1f ms, "
              "save %.1f ms, total %.1f ms\n", input, session->worker,
              session->weights_us / 1e3,
              session->gegl_init_us / 1e3, (t_load - t_start - setup) / 1e3,
              (t_work - t_load) / 1e3, job->context_us / 1e3,
              (t_save - t_work - job->context_us) / 1e3, (now - t_save) / 1e3,
              (now - t_start) / 1e3);
  session->weights_us = session->gegl_init_us = 0;
}

/* Enhances @input into @output_path. */
static gboolean
process_file (Session     *session,
              const gchar *input,
              const gchar *output_path,
              GError     **error)
{
  const Options *o = session->o;
  EvenlightCliOutput *output = NULL;
  EvenlightCliImage image;
  Job job = { 0 };
  gboolean ok = FALSE;
  gint64 t_start = g_get_monotonic_time (), t_load = 0, t_work = 0, t_save = 0;
  gint64 setup = 0;   /* in session_ready(), part of this file's time */

  memset (&image, 0, sizeof image);
  g_mutex_init (&job.lock);
  job.last_percent = -1;
  job.progress_scale = 1.0;
  /* Several files at once report each file's end (batch_file), not
   * their percentages. */
  job.show_progress = !o->quiet && isatty (STDERR_FILENO) && session->shared == NULL;
  job.session = session;
  if (job.show_progress && session->total > 0)
    progress_line (&job, 0);

  /* The cheap checks come first, so that no time is spent on an image
   * whose result could not be written. */
  if (!evenlight_cli_image_check (input, error))
    goto out;
  output = evenlight_cli_output_begin (output_path, input, error);
  if (output == NULL)
    goto out;
  setup = g_get_monotonic_time ();
  if (!session_ready (session, error))
    goto out;
  setup = g_get_monotonic_time () - setup;
  if (!evenlight_cli_output_ready (output, error)
      || !check_memory (session->method, input, error))
    goto out;
  t_load = g_get_monotonic_time ();
  if (!evenlight_cli_image_load (input, &image, error))
    goto out;
  t_work = g_get_monotonic_time ();

  job.image = &image;
  /* Results replace the input's pixels in its own buffer (the file is
   * never touched): no second image-sized buffer. */
  job.target = g_object_ref (image.buffer);
  switch (session->method)
    {
    case METHOD_CLASSIC:
      ok = run_classic (session->retouch, session->dequant, session->n_threads,
                        &job, error);
      break;
    case METHOD_LAIC:
      ok = run_laic (session->dequant, session->dark->contrast,
                     session->n_threads, &job, error);
      break;
    case METHOD_NET:
    default:
      ok = run_net (session->model, session->params, session->dequant,
                    session->n_threads, &job, error);
      break;
    }
  if (job.show_progress && job.last_percent >= 0 && session->total == 0)
    g_printerr ("\n");
  /* The buffer now holds the result; job.target keeps it for the saver. */
  evenlight_cli_image_clear (&image);
  if (ok)
    {
      t_save = g_get_monotonic_time ();
      ok = evenlight_cli_output_commit (output, &image, job.target, error);
      output = NULL;
      if (ok && session->debug)
        debug_report (session, input, &job, setup, t_start, t_load, t_work, t_save);
    }

out:
  if (output != NULL)
    evenlight_cli_output_abort (output);
  g_clear_object (&job.target);
  g_free (job.scratch);
  g_mutex_clear (&job.lock);
  evenlight_cli_image_clear (&image);
  return ok;
}

/* Batch mode: enhances file @i of @batch; a file that fails is reported
 * and FALSE returned. */
static gboolean
batch_file (Session                 *session,
            const EvenlightCliBatch *batch,
            gint                     i)
{
  const Options *o = session->o;
  const gchar *input = evenlight_cli_batch_input (batch, i);
  g_autoptr (GError) error = NULL;
  const gchar *output = evenlight_cli_batch_output (batch, i, &error);
  g_autofree gchar *name = g_path_get_basename (input);
  gboolean ok, tty = !o->quiet && isatty (STDERR_FILENO);
  Shared *shared = session->shared;

  session->index = i;
  session->name = name;
  ok = output != NULL && process_file (session, input, output, &error);
  if (shared != NULL)
    g_mutex_lock (&shared->lock);
  if (!ok)
    {
      if (tty)
        g_printerr ("\r\033[K");
      g_printerr ("evenlight: %s: %s\n", input, error ? error->message : "failed");
    }
  if (shared != NULL && tty)
    {
      /* Files finish in any order: the count, the last one, the time left. */
      gdouble elapsed = (g_get_monotonic_time () - session->started) / 1e6;

      shared->done++;
      g_printerr ("\r\033[Kevenlight: %d/%d done, %s, about %.0f s left",
                  shared->done, session->total, name,
                  elapsed * (session->total - shared->done) / shared->done);
    }
  if (shared != NULL)
    g_mutex_unlock (&shared->lock);
  return ok;
}

/* How many files of a batch of @n to enhance at once: one per thread for
 * the network (a photo per thread renders on that thread alone, and
 * decoding, the context pass and encoding, which use one thread, overlap
 * with the others' rendering), one for the methods that hold whole images
 * in float (their memory check counts one image). */
static gint
batch_workers (const Session *session,
               gint           n)
{
  gint threads = session->n_threads > 0 ? session->n_threads
                                        : (gint) g_get_num_processors ();

  if (session->method != METHOD_NET || session->o->dequantize)
    return 1;
  return CLAMP (MIN (threads, n), 1, MAX_THREADS);
}

static gpointer
batch_worker (gpointer data)
{
  Session *session = data;
  Shared *shared = session->shared;
  gint n = evenlight_cli_batch_size (shared->batch);

  for (;;)
    {
      gint i = g_atomic_int_add (&shared->next, 1);

      if (i >= n)
        break;
      if (!batch_file (session, shared->batch, i))
        g_atomic_int_inc (&shared->failed);
    }
  return NULL;
}

/* Enhances the files of @batch on @n_workers threads, each with a session
 * of its own (sharing the networks, loaded by @session); returns how many
 * failed. */
static gint
batch_parallel (Session           *session,
                EvenlightCliBatch *batch,
                gint               n_workers)
{
  gint threads = session->n_threads > 0 ? session->n_threads
                                        : (gint) g_get_num_processors ();
  Shared shared = { .batch = batch };
  Session *sessions = g_new (Session, n_workers);
  GThread **workers = g_new (GThread *, n_workers);

  g_mutex_init (&shared.lock);
  for (gint w = 0; w < n_workers; w++)
    {
      sessions[w] = *session;
      sessions[w].shared = &shared;
      sessions[w].worker = w;
      sessions[w].n_threads = MAX (1, threads / n_workers);
      /* The set-up is reported once, with the first thread's first file. */
      if (w > 0)
        sessions[w].weights_us = sessions[w].gegl_init_us = 0;
    }
  for (gint w = 1; w < n_workers; w++)
    workers[w] = g_thread_new ("evenlight-batch", batch_worker, &sessions[w]);
  batch_worker (&sessions[0]);
  for (gint w = 1; w < n_workers; w++)
    g_thread_join (workers[w]);
  g_mutex_clear (&shared.lock);
  g_free (workers);
  g_free (sessions);
  return shared.failed;
}

/* Everything after the command line: returns the exit status. One file
 * (INPUT OUTPUT), or with --output-dir every INPUT into that folder, in
 * one process: a file that fails is reported and the others go on; the
 * status is then 1. */
static int
run (const Options                *o,
     Method                        method,
     const EvenlightParams        *params,
     const EvenlightDarkParams    *dark,
     const EvenlightRetouchParams *retouch,
     gint                          n_threads)
{
  Session session = { .o = o, .method = method, .params = params,
                      .dark = dark, .retouch = retouch, .n_threads = n_threads,
                      .debug = g_getenv ("EVENLIGHT_DEBUG") != NULL };
  g_autoptr (GError) error = NULL;
  EvenlightCliBatch *batch;
  gint failed = 0, n, n_workers;

  if (o->fuse)
    {
      gint n_files = (gint) g_strv_length (o->files);
      gboolean ok = session_ready (&session, &error)
                    && evenlight_cli_fuse (session.model, params, !o->no_align, n_threads,
                                           o->quiet, (const gchar * const *) o->files,
                                           n_files - 1, o->files[n_files - 1], &error);

      session_clear (&session);
      if (!ok)
        g_printerr ("evenlight: %s\n", error ? error->message : "failed");
      return ok ? 0 : EXIT_FAILED;
    }
  if (o->output_dir == NULL)
    {
      gboolean ok = process_file (&session, o->files[0], o->files[1], &error);

      session_clear (&session);
      if (!ok)
        g_printerr ("evenlight: %s\n", error ? error->message : "failed");
      return ok ? 0 : EXIT_FAILED;
    }

  batch = evenlight_cli_batch_new ((const gchar * const *) o->files, o->output_dir,
                                   o->format);
  n = evenlight_cli_batch_size (batch);
  session.total = n;
  session.started = g_get_monotonic_time ();
  n_workers = batch_workers (&session, n);
  if (n_workers > 1 && session_ready (&session, &error))
    failed = batch_parallel (&session, batch, n_workers);
  else
    {
      g_clear_error (&error);
      for (gint i = 0; i < n; i++)
        failed += !batch_file (&session, batch, i);
    }
  if (!o->quiet && isatty (STDERR_FILENO))
    g_printerr ("\r\033[Kevenlight: %d of %d files enhanced in %.1f s\n",
                n - failed, n, (g_get_monotonic_time () - session.started) / 1e6);
  evenlight_cli_batch_free (batch);
  session_clear (&session);
  return failed == 0 ? 0 : EXIT_FAILED;
}

int
main (int    argc,
      char **argv)
{
  Options o = { 0 };
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
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o.method,
      "“net” (the neural network, default), “classic” (the slower "
      "retouching the network learnt from) or “laic” (locally adaptive "
      "illumination compensation, for very dark photos)", "METHOD" },
    { "retouch-params", 0, 0, G_OPTION_ARG_STRING, &o.retouch_params,
      "Settings of --method classic: key=value,… with keys shadows=a/b/c, "
      "highlights=a/b, radius, eps, detail, detail_radius", "SPEC" },
    { "weights", 'w', 0, G_OPTION_ARG_FILENAME, &o.weights,
      "The network's weights file (default: $EVENLIGHT_WEIGHTS, else the "
      "source tree's weights/ when run from the build tree, else the "
      "installed one, else the one next to the program)", "FILE" },
    { dq->name, dq->short_option, 0, G_OPTION_ARG_NONE, &o.dequantize,
      "Afterwards, remove the banding and noise of strongly brightened "
      "regions with the dequantization network (for very dark photos; "
      "pixels brightened less than twofold stay exactly as they are)", NULL },
    { contrast->name, contrast->short_option, 0, G_OPTION_ARG_STRING,
      &o.contrast, contrast_help, contrast->metavar },
    { "dequant-weights", 0, 0, G_OPTION_ARG_FILENAME, &o.dequant_weights,
      "The dequantization network's weights file (default: "
      "$EVENLIGHT_DEQUANT_WEIGHTS, else found like --weights)", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &o.threads,
      "Number of threads, 0 for one per processor (default 0)", "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet,
      "Do not show progress", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o.version,
      "Show the version and exit", NULL },
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &o.output_dir,
      "Batch mode: enhance every INPUT into DIR/<its name> in one process "
      "(DIR is created if needed; an input is never overwritten; a file "
      "that fails is reported and the others go on, exit status 1)", "DIR" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &o.format,
      "With --output-dir: write EXT files (png, jpg, tif, webp, exr, ppm) "
      "instead of the inputs' own format", "EXT" },
    { "fuse", 0, 0, G_OPTION_ARG_NONE, &o.fuse,
      "Exposure fusion: fuse the bracket INPUT1 INPUT2 [INPUT3…] (2 to 9 "
      "exposures of one scene, any order) into OUTPUT with the network; "
      "only --denoise applies", NULL },
    { "no-align", 0, 0, G_OPTION_ARG_NONE, &o.no_align,
      "With --fuse: do not estimate and undo the shift between the exposures", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files,
      NULL, "INPUT OUTPUT | --output-dir DIR INPUT… | --fuse INPUT1 INPUT2 [INPUT3…] OUTPUT" },
    { NULL }
  };
  /* The sliders' options come from the parameter table, then the rest. */
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_autoptr (GPtrArray) help = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  EvenlightParams params;
  EvenlightDarkParams dark;
  EvenlightRetouchParams retouch;
  Method method = METHOD_NET;
  gint n_threads = 0;
  int status;

  setlocale (LC_ALL, "");
  o.sliders = g_new0 (gchar *, n_params + 1);
  for (guint i = 0; i < n_params; i++)
    {
      const EvenlightParamSpec *spec = &table[i];
      gchar *text = g_strdup_printf ("%s In [%g, %g] (default %g)",
                                     spec->description, spec->min, spec->max,
                                     spec->default_value);
      GOptionEntry e = { spec->name, spec->short_option, 0, G_OPTION_ARG_STRING,
                         &o.sliders[i], text, spec->metavar };

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
  if (!check_options (context, &o, &method, &params, &dark, &retouch, &n_threads))
    {
      status = EXIT_USAGE;
      goto done;
    }

  status = run (&o, method, &params, &dark, &retouch, n_threads);

done:
  g_strfreev (o.sliders);
  g_free (o.contrast);
  g_free (o.method);
  g_free (o.retouch_params);
  g_free (o.weights);
  g_free (o.dequant_weights);
  g_free (o.threads);
  g_free (o.output_dir);
  g_free (o.format);
  g_strfreev (o.files);
  return status;
}
