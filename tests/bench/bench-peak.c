/* bench-enhance: this CPU's peak rates, an FMA loop and a memory
 * stream on 1 and 2 threads.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "bench-enhance.h"
#include "bench-util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BENCH_X86 1
#endif

typedef struct
{
  gint64   iters;
  gdouble  flops_per_s;   /* per thread-CPU second */
  gdouble  sink;
  gint     kind;          /* 0: FMA loop, 1: memory stream */
  gfloat  *a, *b;
  gsize    n;
  const gchar *isa;
} PeakJob;

/* Twelve independent FMA chains: enough to cover 4 cycles of latency on
 * two FMA pipes. */
#if defined(BENCH_X86)
__attribute__ ((target ("avx512f"))) static gdouble
fma_loop_avx512 (gint64 iters)
{
  __m512 acc[12], m = _mm512_set1_ps (0.999999f), a = _mm512_set1_ps (1e-7f);
  gfloat out[16];
  gdouble s = 0;
  gint i, k;

  for (k = 0; k < 12; k++)
    acc[k] = _mm512_set1_ps ((gfloat) k);
  for (gint64 it = 0; it < iters; it++)
    for (k = 0; k < 12; k++)
      acc[k] = _mm512_fmadd_ps (acc[k], m, a);
  for (k = 0; k < 12; k++)
    {
      _mm512_storeu_ps (out, acc[k]);
      for (i = 0; i < 16; i++)
        s += out[i];
    }
  return s;
}

__attribute__ ((target ("avx2,fma"))) static gdouble
fma_loop_avx2 (gint64 iters)
{
  __m256 acc[12], m = _mm256_set1_ps (0.999999f), a = _mm256_set1_ps (1e-7f);
  gfloat out[8];
  gdouble s = 0;
  gint i, k;

  for (k = 0; k < 12; k++)
    acc[k] = _mm256_set1_ps ((gfloat) k);
  for (gint64 it = 0; it < iters; it++)
    for (k = 0; k < 12; k++)
      acc[k] = _mm256_fmadd_ps (acc[k], m, a);
  for (k = 0; k < 12; k++)
    {
      _mm256_storeu_ps (out, acc[k]);
      for (i = 0; i < 8; i++)
        s += out[i];
    }
  return s;
}
#endif

static gdouble
fma_loop_scalar (gint64 iters)
{
  gfloat acc[12];
  gdouble s = 0;
  gint k;

  for (k = 0; k < 12; k++)
    acc[k] = (gfloat) k;
  for (gint64 it = 0; it < iters; it++)
    for (k = 0; k < 12; k++)
      acc[k] = fmaf (acc[k], 0.999999f, 1e-7f);
  for (k = 0; k < 12; k++)
    s += acc[k];
  return s;
}

const gchar *
fma_isa (gint *lanes)
{
#if defined(BENCH_X86)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    {
      *lanes = 16;
      return "avx512";
    }
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    {
      *lanes = 8;
      return "avx2";
    }
#endif
  *lanes = 1;
  return "scalar";
}

static gpointer
peak_thread (gpointer data)
{
  PeakJob *j = data;
  gdouble t0 = thread_cpu_s (), t;

  if (j->kind == 0)
    {
      gint lanes;
      const gchar *isa = fma_isa (&lanes);
#if defined(BENCH_X86)
      if (g_str_equal (isa, "avx512"))
        j->sink = fma_loop_avx512 (j->iters);
      else if (g_str_equal (isa, "avx2"))
        j->sink = fma_loop_avx2 (j->iters);
      else
#endif
        j->sink = fma_loop_scalar (j->iters);
      t = thread_cpu_s () - t0;
      j->flops_per_s = (gdouble) j->iters * 12 * lanes * 2 / t;
    }
  else
    {
      /* Streams: read a, write b (b = 0.5 a + b's own reuse avoided), the
       * same pattern as the pipeline (read the input, write the output). */
      gint64 it;
      gsize i;
      for (it = 0; it < j->iters; it++)
        for (i = 0; i < j->n; i++)
          j->b[i] = j->a[i] * 0.5f + 1.0f;
      t = thread_cpu_s () - t0;
      j->sink = j->b[j->n / 2];
      j->flops_per_s = (gdouble) j->iters * j->n * 2 * sizeof (gfloat) / t;   /* bytes/s */
    }
  return NULL;
}

/* Runs @n_threads copies of a loop at once; returns the sum of their
 * rates, each per second of its own CPU time, so that other programs
 * taking the cores away do not lower the figure. The best of @trials. */
gdouble
peak_measure (gint kind, gint n_threads, gint64 iters, gsize n, gint trials)
{
  gdouble best = 0.0;
  gint tr, t;

  for (tr = 0; tr < trials; tr++)
    {
      PeakJob jobs[8];
      GThread *th[8];
      gdouble sum = 0.0;

      for (t = 0; t < n_threads; t++)
        {
          jobs[t] = (PeakJob) { .iters = iters, .kind = kind, .n = n };
          if (kind == 1)
            {
              jobs[t].a = g_new (gfloat, n);
              jobs[t].b = g_new (gfloat, n);
              for (gsize i = 0; i < n; i++)
                jobs[t].a[i] = jobs[t].b[i] = (gfloat) (i & 255);
            }
        }
      for (t = 0; t < n_threads; t++)
        th[t] = g_thread_new ("peak", peak_thread, &jobs[t]);
      for (t = 0; t < n_threads; t++)
        {
          g_thread_join (th[t]);
          sum += jobs[t].flops_per_s;
          g_free (jobs[t].a);
          g_free (jobs[t].b);
        }
      best = MAX (best, sum);
    }
  return best;
}
