/* What the benchmarks share for measuring: sorting timings and the CPU
 * time of the process.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_BENCH_UTIL_H
#define EVENLIGHT_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

#include <glib.h>

/* For qsort() of gdouble timings, smallest first. */
static inline int
cmp_double (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

/* Sorts the @n timings of @v and gives their median. */
static inline gdouble
median_sorted (gdouble *v, gint n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* CPU time of the process (all threads), ms: less sensitive than the wall
 * clock to other programs sharing the machine. */
static inline gdouble
cpu_ms (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* CPU time of the calling thread, s. */
static inline gdouble
thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#endif /* EVENLIGHT_BENCH_UTIL_H */
