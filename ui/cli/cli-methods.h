/* The three methods of `evenlight` (cli-methods.c): each enhances one
 * loaded image and writes its result over the pixels of the image's own
 * buffer.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_METHODS_H
#define EVENLIGHT_CLI_METHODS_H

#include "cli-image.h"
#include "dequant.h"
#include "evenlight.h"
#include "retouch.h"

G_BEGIN_DECLS

typedef enum
{
  EVENLIGHT_CLI_METHOD_NET,
  EVENLIGHT_CLI_METHOD_CLASSIC,
  EVENLIGHT_CLI_METHOD_LAIC
} EvenlightCliMethod;

/* Batch mode: where the run is, for the progress line. */
typedef struct
{
  gint         index, total;   /* the file being worked on, of how many */
  const gchar *name;
  gint64       started;
} EvenlightCliProgress;

typedef struct _EvenlightCliStrip EvenlightCliStrip;

/* The state the read and write callbacks share. The core calls them from
 * its worker threads; the lock keeps GEGL buffer access to one thread. */
typedef struct
{
  const EvenlightCliImage    *image;
  GeglBuffer                 *target;   /* the input's buffer: written in place */
  GMutex                      lock;
  /* The network method, strip by strip: the strip being rendered (the
   * write callback fills it), and the rows of the input already replaced
   * by results. */
  EvenlightCliStrip          *strip;
  gint                        replaced_rows;
  gdouble                     progress_base, progress_scale;
  gfloat                     *scratch;
  gsize                       scratch_size;
  /* When not NULL, the network's output goes here (packed R'G'B', the
   * whole image) instead of into @target, for --dequantize. */
  gfloat                     *whole;
  gboolean                    show_progress;
  gint                        last_percent;
  const EvenlightCliProgress *progress;   /* batch mode: the progress line */
  gint64                      context_us; /* EVENLIGHT_DEBUG: the context pass */
} EvenlightCliJob;

/* The progress line on a terminal: the percentage of the file, and in
 * batch mode the files done, the current one and the time left. */
void     evenlight_cli_progress_line (EvenlightCliJob *job,
                                      gint             percent);

/* Method "net": the network of weights/MODEL.md, paper Eq. (10). */
gboolean evenlight_cli_run_net       (const EvenlightModel   *model,
                                      const EvenlightParams  *params,
                                      const EvenlightDequant *dequant,
                                      gint                    n_threads,
                                      EvenlightCliJob        *job,
                                      GError                **error);

/* Method "classic": the retouching module of paper Eq. (1), which works on
 * the whole image at once. */
gboolean evenlight_cli_run_classic   (const EvenlightRetouchParams *params,
                                      const EvenlightDequant       *dequant,
                                      gint                          n_threads,
                                      EvenlightCliJob              *job,
                                      GError                      **error);

/* Method "laic": locally adaptive illumination compensation of a very dark
 * photo (second paper, Eq. 19–23), on the whole image at once; its gain
 * tells --dequantize how coarsely each pixel is quantised. */
gboolean evenlight_cli_run_laic      (const EvenlightDequant *dequant,
                                      gfloat                  contrast,
                                      gint                    n_threads,
                                      EvenlightCliJob        *job,
                                      GError                **error);

G_END_DECLS

#endif
