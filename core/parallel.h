/* The one scheduler of the engine: jobs or bands of rows on a few threads,
 * for the tiled render and the preview, the classic module, LAIC,
 * dequantization and the bracket analysis. Not installed.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every user writes each output pixel from exactly one job, and a job's
 * result does not depend on which thread runs it or when: so the result
 * never depends on the thread count. The helpers run on threads kept
 * between calls (parallel.c).
 */
#ifndef EVENLIGHT_PARALLEL_H
#define EVENLIGHT_PARALLEL_H

#include <glib.h>

G_BEGIN_DECLS

/* The most threads one call uses, whatever it is asked for: beyond this a
 * tile's scratch memory per thread (about 23 MB) outweighs any gain on the
 * machines a photo editor runs on. */
#define EVENLIGHT_MAX_THREADS 64

/* The rule for a thread count @n_threads that a caller asked for: 0 (or
 * less) means one per processor; the result lies in 1 …
 * EVENLIGHT_MAX_THREADS. Every entry point that takes a thread count goes
 * through it. */
gint evenlight_parallel_threads (gint n_threads);

/* Job @job (0 … n_jobs − 1) of a call, run by worker @worker (0 …
 * workers − 1): a worker is one thread for the whole call, so @worker can
 * index the caller's per-thread state (scratch memory). */
typedef void (*EvenlightJobFunc)  (gpointer data, gint job, gint worker);

/* Items [@first, @end) of a call of evenlight_parallel_bands(). */
typedef void (*EvenlightBandFunc) (gpointer data, gint first, gint end);

/* Runs each of @n_jobs jobs exactly once, handed out in order, on
 * MIN (evenlight_parallel_threads (@n_threads), @n_jobs) workers; the
 * calling thread is worker 0. Returns that number of workers, when every
 * job has returned. A job that should no longer run (an error elsewhere)
 * is the caller's to skip. */
gint evenlight_parallel_run   (gint             n_jobs,
                               gint             n_threads,
                               EvenlightJobFunc func,
                               gpointer         data);

/* Cuts items [0, @n_items) into MIN (evenlight_parallel_threads
 * (@n_bands), @n_items) contiguous bands of equal size (to an item), band
 * k being [n_items · k / bands, n_items · (k + 1) / bands), and runs each
 * on its own worker; the calling thread takes band 0. */
void evenlight_parallel_bands (gint              n_items,
                               gint              n_bands,
                               EvenlightBandFunc func,
                               gpointer          data);

/* A call whose jobs run on helpers only, while the calling thread does
 * something else (evenlight_enhance() writes the finished tiles):
 * evenlight_parallel_start() returns at once; evenlight_parallel_finish()
 * returns when every job has returned, and frees @run. Workers: as for
 * evenlight_parallel_run(), all of them helpers. */
typedef struct _EvenlightParallel EvenlightParallel;

EvenlightParallel *evenlight_parallel_start  (gint               n_jobs,
                                              gint               n_threads,
                                              EvenlightJobFunc   func,
                                              gpointer           data);
/* The number of workers of @run. */
gint               evenlight_parallel_workers (const EvenlightParallel *run);
void               evenlight_parallel_finish (EvenlightParallel *run);

G_END_DECLS

#endif /* EVENLIGHT_PARALLEL_H */
