/* evenlight — GIMP 2.10 plug-in: what the dark-photo dialog
 * (dark-dialog.c) and its solves (dark-solves.c) share: the dialog's
 * state and the jobs that solve LAIC on worker threads.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_DARK_DIALOG_PRIVATE_H
#define EVENLIGHT_DARK_DIALOG_PRIVATE_H

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "dark-dialog.h"
#include "laic.h"

/* Rows of the layer read per main-loop turn while the dialog loads it. */
#define READ_ROWS 128
/* The coarse levels shown: from the first with at least
 * PREVIEW_MIN_PIXELS pixels; a Contrast move solves up to the finest with
 * at most PREVIEW_MAX_PIXELS (250 × 188 for 12 MP) before the whole
 * solve starts again. */
#define PREVIEW_MIN_PIXELS (8 * 1024)
#define PREVIEW_MAX_PIXELS (64 * 1024)
/* The longer side of the thumbnail solved while the layer is read. */
#define THUMB_SIDE 256

typedef struct _DarkDialog DarkDialog;

/* One solve on a worker thread: the whole program (@full) or its coarse
 * levels. */
typedef struct
{
  DarkDialog *d;
  gboolean    full;
  gfloat      contrast;
  /* A coarse solve of GIMP's thumbnail of the layer (d->thumb; its own
   * solver), for an answer before the layer is read; NULL for the others. */
  const gfloat *thumb;
  gint        thumb_width, thumb_height;
  gint        cancel;     /* set by the main thread, read by the worker */
  GThread    *thread;
  gint64      started;
  /* Written by the worker; read by the main thread after joining it. */
  gboolean    ok;
  GError     *error;
} Job;

struct _DarkDialog
{
  EvenlightSource     *source;
  EvenlightDarkParams *params;   /* the check box and the slider            */
  gfloat              *layer;    /* the whole layer as read                 */
  gfloat              *rgb;      /* the caller's buffers: the whole solve's */
  gfloat              *gain;     /* result                                  */
  /* Made by the first whole solve on its thread (set atomically), then
   * shared read-only by every solve; freed after the last one ends. */
  EvenlightLaicSolver *solver;
  /* GIMP's thumbnail of the layer as float R'G'B', solved again for each
   * Contrast move while the layer is being read (NULL: none). */
  gfloat              *thumb;
  gint                 thumb_width, thumb_height;

  GtkWidget        *dialog;
  GtkWidget        *preview;
  GtkWidget        *progress;
  GtkWidget        *status;

  /* Main thread only. */
  guint             read_source;
  gint              rows_read;
  guint             pulse_source;
  gboolean          gimp_progress;  /* OK was pressed early: GIMP's bar  */
  gboolean          closing;        /* OK or Cancel: no more previews    */
  gboolean          cancelled;      /* Cancel: no more solves            */
  gint64            opened;
  gint64            moved;          /* when Contrast last moved (0: not
                                     * since its preview was drawn)      */
  guint             dequant_source; /* the dequantized pass of a coarse
                                     * preview, to come                  */
  gboolean          dequant_pass;   /* preview_update runs that pass     */
  gboolean          move_answered;  /* the move's first answer is drawn  */
  gboolean          first_drawn;    /* a preview from LAIC was drawn     */
  Job              *full_job;       /* the whole solve running, or NULL  */
  Job              *preview_job;    /* the coarse solve running, or NULL */
  gint              pending;        /* level reports not yet taken over  */
  gboolean          have_full;      /* rgb, gain hold the whole solve of */
  gfloat            full_contrast;  /* this contrast                     */
  EvenlightLaicCoarse *coarse;      /* the finest level shown yet        */
  gboolean          laic_ok;        /* no solve has failed               */
  GError           *laic_error;     /* why one failed                    */
  EvenlightDequant *dequant;        /* loaded when first needed          */
  GError           *dequant_error;  /* why it could not be loaded        */
};

/* A level's gain handed from a worker to the main thread. */
typedef struct
{
  DarkDialog          *d;
  EvenlightLaicCoarse *coarse;
} LevelReport;

/* dark-dialog.c: redraws the preview now (not after the 200 ms of
 * gimp_preview_invalidate): a level or the result has just arrived. */
void     evenlight_dark_redraw         (DarkDialog *d);

/* dark-solves.c, all on the main thread. */

/* Pulses the progress bar (GIMP's once OK was pressed): a timeout. */
gboolean evenlight_dark_pulse          (gpointer    data);
/* After every event (the layer read, a job ended, Contrast moved, OK):
 * cancels the solves of another contrast and starts what the slider's
 * value still needs. */
void     evenlight_dark_schedule       (DarkDialog *d);
/* Solves GIMP's thumbnail of the layer while the layer is read. */
void     evenlight_dark_thumbnail_start (DarkDialog *d);
/* An idle: reads the next strip of the layer; the solve starts once the
 * whole layer is in memory. */
gboolean evenlight_dark_read_step      (gpointer    data);
/* Runs the main loop until no solve runs and every report of theirs has
 * been taken over. */
void     evenlight_dark_wait           (DarkDialog *d);

#endif /* EVENLIGHT_DARK_DIALOG_PRIVATE_H */
