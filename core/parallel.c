/* The one scheduler (parallel.h): jobs handed out from a shared counter to
 * the calling thread and to helpers on threads kept between calls.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "parallel.h"

struct _EvenlightParallel
{
  EvenlightJobFunc func;
  gpointer         data;
  gint             n_jobs;
  gint             workers;
  gint             next;         /* atomic: next job                      */
  gint             next_worker;  /* atomic: index of the next helper      */
  GMutex           lock;         /* guards helpers                        */
  GCond            done;         /* signalled when helpers reaches 0      */
  gint             helpers;      /* helpers that have not finished        */
};

gint
evenlight_parallel_threads (gint n_threads)
{
  if (n_threads <= 0)
    n_threads = (gint) g_get_num_processors ();
  return CLAMP (n_threads, 1, EVENLIGHT_MAX_THREADS);
}

static void
work (EvenlightParallel *run, gint worker)
{
  gint job;

  while ((job = g_atomic_int_add (&run->next, 1)) < run->n_jobs)
    run->func (run->data, job, worker);
}

/* A helper on a thread of the pool. It touches @run for the last time
 * under the lock, so the caller may free it once helpers reaches 0. */
static void
helper (EvenlightParallel *run)
{
  work (run, g_atomic_int_add (&run->next_worker, 1));
  g_mutex_lock (&run->lock);
  if (--run->helpers == 0)
    g_cond_signal (&run->done);
  g_mutex_unlock (&run->lock);
}

/* The helpers' threads: started when a call needs more than are free,
 * then kept for the life of the process, so a preview's slider move or
 * one of LAIC's thousands of passes does not pay for starting threads.
 * (GLib's shared thread pool can lose a task when one of its idle threads
 * ends at the moment the task is pushed; these threads never end.) */
static struct
{
  GMutex lock;
  GCond  wake;
  GQueue tasks;      /* EvenlightParallel*: one entry per helper wanted */
  gint   idle;       /* threads waiting for a task                      */
  gint   starting;   /* threads started that have not looked for one    */
} pool = { .tasks = G_QUEUE_INIT };

static gpointer
pool_thread (gpointer unused)
{
  (void) unused;
  g_mutex_lock (&pool.lock);
  pool.starting--;
  for (;;)
    {
      EvenlightParallel *run;

      while ((run = g_queue_pop_head (&pool.tasks)) == NULL)
        {
          pool.idle++;
          g_cond_wait (&pool.wake, &pool.lock);
          pool.idle--;
        }
      g_mutex_unlock (&pool.lock);
      helper (run);
      g_mutex_lock (&pool.lock);
    }
  return NULL;
}

/* Queues @n helpers of @run. Every thread that is idle or starting takes
 * a task before it waits again, so a thread is started for each task
 * beyond those: a helper never waits for a thread that is busy (with a
 * job that may itself be waiting for helpers). */
static void
pool_push (EvenlightParallel *run, gint n)
{
  gint missing;

  g_mutex_lock (&pool.lock);
  for (gint i = 0; i < n; i++)
    g_queue_push_tail (&pool.tasks, run);
  missing = (gint) g_queue_get_length (&pool.tasks) - pool.idle - pool.starting;
  for (; missing > 0; missing--)
    {
      pool.starting++;
      g_thread_unref (g_thread_new ("evenlight", pool_thread, NULL));
    }
  g_cond_broadcast (&pool.wake);
  g_mutex_unlock (&pool.lock);
}

/* Sets up @run and starts its helpers: workers @first_helper … on
 * the pool (the calling thread being the workers before). */
static void
begin (EvenlightParallel *run, gint n_jobs, gint n_threads, EvenlightJobFunc func,
       gpointer data, gint first_helper)
{
  run->func = func;
  run->data = data;
  run->n_jobs = MAX (n_jobs, 0);
  run->workers = MAX (1, MIN (evenlight_parallel_threads (n_threads), run->n_jobs));
  run->next = 0;
  run->next_worker = first_helper;
  run->helpers = run->workers - first_helper;
  g_mutex_init (&run->lock);
  g_cond_init (&run->done);
  if (run->helpers > 0)
    pool_push (run, run->helpers);
}

static void
end (EvenlightParallel *run)
{
  g_mutex_lock (&run->lock);
  while (run->helpers > 0)
    g_cond_wait (&run->done, &run->lock);
  g_mutex_unlock (&run->lock);
  g_cond_clear (&run->done);
  g_mutex_clear (&run->lock);
}

gint
evenlight_parallel_run (gint             n_jobs,
                        gint             n_threads,
                        EvenlightJobFunc func,
                        gpointer         data)
{
  EvenlightParallel run;

  begin (&run, n_jobs, n_threads, func, data, 1);
  work (&run, 0);
  end (&run);
  return run.workers;
}

EvenlightParallel *
evenlight_parallel_start (gint             n_jobs,
                          gint             n_threads,
                          EvenlightJobFunc func,
                          gpointer         data)
{
  EvenlightParallel *run = g_new (EvenlightParallel, 1);

  begin (run, n_jobs, n_threads, func, data, 0);
  return run;
}

gint
evenlight_parallel_workers (const EvenlightParallel *run)
{
  return run->workers;
}

void
evenlight_parallel_finish (EvenlightParallel *run)
{
  end (run);
  g_free (run);
}

/* ---- Bands ---------------------------------------------------------------- */

typedef struct
{
  EvenlightBandFunc func;
  gpointer          data;
  gint              n_items, n_bands;
} Bands;

static void
band_job (gpointer data, gint k, gint worker)
{
  Bands *b = data;

  (void) worker;
  b->func (b->data, (gint) ((gint64) b->n_items * k / b->n_bands),
           (gint) ((gint64) b->n_items * (k + 1) / b->n_bands));
}

void
evenlight_parallel_bands (gint              n_items,
                          gint              n_bands,
                          EvenlightBandFunc func,
                          gpointer          data)
{
  Bands b = { func, data, n_items, MIN (evenlight_parallel_threads (n_bands), n_items) };

  if (n_items <= 0)
    return;
  if (b.n_bands == 1)
    {
      /* No helper to wake. */
      func (data, 0, n_items);
      return;
    }
  evenlight_parallel_run (b.n_bands, b.n_bands, band_job, &b);
}
