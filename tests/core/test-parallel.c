/* The scheduler (core/parallel.h): every job and every band item runs
 * exactly once, workers are numbered within the thread cap, and the
 * thread-count rule holds.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>

#include "parallel.h"

#define MAX_JOBS 2000

typedef struct
{
  gint     runs[MAX_JOBS];      /* atomic: times job (or item) i ran   */
  gint     worker_of[MAX_JOBS]; /* the worker that ran job i            */
  GThread *thread_of[MAX_JOBS]; /* and its thread                       */
  GMutex   lock;
  GHashTable *threads;          /* the distinct threads seen           */
  gint     active, most_active; /* jobs running at once, and the most  */
} Record;

static void
record_thread (Record *r)
{
  g_mutex_lock (&r->lock);
  g_hash_table_add (r->threads, g_thread_self ());
  r->active++;
  r->most_active = MAX (r->most_active, r->active);
  g_mutex_unlock (&r->lock);
}

static void
record_done (Record *r)
{
  g_mutex_lock (&r->lock);
  r->active--;
  g_mutex_unlock (&r->lock);
}

static void
job (gpointer data, gint i, gint worker)
{
  Record *r = data;

  record_thread (r);
  g_atomic_int_inc (&r->runs[i]);
  r->worker_of[i] = worker;
  r->thread_of[i] = g_thread_self ();
  g_usleep (50);   /* long enough for the helpers to take jobs too */
  record_done (r);
}

static void
band (gpointer data, gint first, gint end)
{
  Record *r = data;

  record_thread (r);
  g_assert_cmpint (first, <, end);
  for (gint i = first; i < end; i++)
    {
      g_atomic_int_inc (&r->runs[i]);
      r->worker_of[i] = first;   /* the band an item belongs to */
    }
  g_usleep (50);
  record_done (r);
}

static Record *
record_new (void)
{
  Record *r = g_new0 (Record, 1);

  g_mutex_init (&r->lock);
  r->threads = g_hash_table_new (NULL, NULL);
  return r;
}

static void
record_free (Record *r)
{
  g_hash_table_unref (r->threads);
  g_mutex_clear (&r->lock);
  g_free (r);
}

static void
test_thread_rule (void)
{
  gint cpus = MIN ((gint) g_get_num_processors (), EVENLIGHT_MAX_THREADS);

  g_assert_cmpint (evenlight_parallel_threads (0), ==, cpus);
  g_assert_cmpint (evenlight_parallel_threads (-3), ==, cpus);
  g_assert_cmpint (evenlight_parallel_threads (1), ==, 1);
  g_assert_cmpint (evenlight_parallel_threads (5), ==, 5);
  g_assert_cmpint (evenlight_parallel_threads (EVENLIGHT_MAX_THREADS), ==, EVENLIGHT_MAX_THREADS);
  g_assert_cmpint (evenlight_parallel_threads (1000), ==, EVENLIGHT_MAX_THREADS);
}

/* Each job once, each worker index below the number of workers, which is
 * the thread rule's count capped by the jobs; no more threads at once. */
static void
check_run (gint n_jobs, gint n_threads)
{
  Record *r = record_new ();
  gint expect = MIN (evenlight_parallel_threads (n_threads), MAX (n_jobs, 1));
  gint workers = evenlight_parallel_run (n_jobs, n_threads, job, r);

  g_assert_cmpint (workers, ==, expect);
  for (gint i = 0; i < n_jobs; i++)
    {
      g_assert_cmpint (r->runs[i], ==, 1);
      g_assert_cmpint (r->worker_of[i], >=, 0);
      g_assert_cmpint (r->worker_of[i], <, workers);
      /* Worker 0 is the calling thread. */
      g_assert_true ((r->worker_of[i] == 0) == (r->thread_of[i] == g_thread_self ()));
    }
  for (gint i = n_jobs; i < MAX_JOBS; i++)
    g_assert_cmpint (r->runs[i], ==, 0);
  g_assert_cmpint (g_hash_table_size (r->threads), <=, workers);
  g_assert_cmpint (r->most_active, <=, workers);
  record_free (r);
}

static void
test_run (void)
{
  const gint jobs[] = { 0, 1, 2, 3, 7, 64, 65, 500, MAX_JOBS };
  const gint threads[] = { 1, 2, 3, 8, EVENLIGHT_MAX_THREADS, 1000, 0 };

  for (guint j = 0; j < G_N_ELEMENTS (jobs); j++)
    for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
      check_run (jobs[j], threads[t]);
}

/* The bands cover every item once, are contiguous and as even as the
 * formula of parallel.h makes them, and there are as many as it says. */
static void
check_bands (gint n_items, gint n_bands)
{
  Record *r = record_new ();
  gint expect = MIN (evenlight_parallel_threads (n_bands), n_items);
  gint k = 0;

  evenlight_parallel_bands (n_items, n_bands, band, r);
  for (gint i = 0; i < n_items; i++)
    {
      g_assert_cmpint (r->runs[i], ==, 1);
      if (i == 0 || r->worker_of[i] != r->worker_of[i - 1])
        {
          /* Band k starts here. */
          g_assert_cmpint (r->worker_of[i], ==, i);
          g_assert_cmpint (i, ==, (gint) ((gint64) n_items * k / expect));
          k++;
        }
    }
  g_assert_cmpint (k, ==, MAX (expect, 0));
  for (gint i = MAX (n_items, 0); i < MAX_JOBS; i++)
    g_assert_cmpint (r->runs[i], ==, 0);
  g_assert_cmpint (g_hash_table_size (r->threads), <=, MAX (expect, 1));
  record_free (r);
}

static void
test_bands (void)
{
  const gint items[] = { 0, 1, 2, 5, 63, 64, 100, 1999 };
  const gint bands[] = { 1, 2, 3, 7, 16, EVENLIGHT_MAX_THREADS, 500, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    for (guint b = 0; b < G_N_ELEMENTS (bands); b++)
      check_bands (items[i], bands[b]);
}

/* A start … finish call: the calling thread is free (it is no worker),
 * every job runs once, and a job may run a call of its own. */
typedef struct
{
  Record *outer;
  gint    inner_ok;   /* atomic */
} Nested;

static void
nested_job (gpointer data, gint i, gint worker)
{
  Nested *n = data;
  Record *inner = record_new ();
  gboolean ok = TRUE;

  job (n->outer, i, worker);
  evenlight_parallel_run (16, 4, job, inner);
  for (gint k = 0; k < 16; k++)
    ok = ok && inner->runs[k] == 1;
  if (ok)
    g_atomic_int_inc (&n->inner_ok);
  record_free (inner);
}

static void
test_start_finish (void)
{
  Nested n = { record_new (), 0 };
  EvenlightParallel *run = evenlight_parallel_start (40, 3, nested_job, &n);
  gint workers = evenlight_parallel_workers (run);

  evenlight_parallel_finish (run);
  g_assert_cmpint (workers, ==, 3);
  g_assert_cmpint (n.inner_ok, ==, 40);
  for (gint i = 0; i < 40; i++)
    {
      g_assert_cmpint (n.outer->runs[i], ==, 1);
      g_assert_cmpint (n.outer->worker_of[i], <, workers);
    }
  g_assert_false (g_hash_table_contains (n.outer->threads, g_thread_self ()));
  record_free (n.outer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/parallel/thread-rule", test_thread_rule);
  g_test_add_func ("/core/parallel/run", test_run);
  g_test_add_func ("/core/parallel/bands", test_bands);
  g_test_add_func ("/core/parallel/start-finish", test_start_finish);
  return g_test_run ();
}
