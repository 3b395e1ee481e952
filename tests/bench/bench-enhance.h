/* The parts of bench-enhance: its images (bench-image.c), the compute
 * cost of the network counted from the layer table (bench-cost.c) and
 * this CPU's peak rates (bench-peak.c).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_BENCH_ENHANCE_H
#define EVENLIGHT_BENCH_ENHANCE_H

#include <glib.h>

#include "evenlight.h"

/* ---- bench-image.c: an image in memory as packed float RGB ---- */

typedef struct
{
  gfloat *rgb;
  gfloat *out;
  gint    width, height;
  gchar  *name;
} Image;

gboolean image_read (const EvenlightRect *r, gfloat *rgb, gpointer data, GError **error);
gboolean image_write (const EvenlightRect *r, const gfloat *rgb, gpointer data, GError **error);
void image_make (Image *im, gint width, gint height);
gboolean image_load_ppm (Image *im, const gchar *path, GError **error);
void image_free (Image *im);

/* ---- bench-cost.c: operations per pixel ---- */

/* The bound counts floating-point operations: a multiply-add (MAC) is 2,
 * an add, multiply, min, max or compare 1, and a transcendental function
 * what a vectorised polynomial evaluation of it costs (range reduction and
 * a degree-5 polynomial: about 12 for exp, log + exp + 1 for pow). */
#define FLOPS_EXP 12.0
#define FLOPS_POW (2.0 * FLOPS_EXP + 1.0)
#define FLOPS_LERP 3.0          /* a + t·(b − a) */

/* Tensor shapes of a weights file (format: MODEL.md §8), read here rather
 * than typed in so the count follows the model. */
typedef struct
{
  GHashTable *dims;   /* name → gint[5]: ndim, dims */
} Shapes;

enum { STAGE_FORMAT, STAGE_CONTEXT, STAGE_SLICE, STAGE_LIFT, STAGE_FUSION,
       STAGE_RESTORE, STAGE_DCT, STAGE_FINAL, N_STAGES };
extern const gchar *const stage_names[N_STAGES];

typedef struct
{
  gdouble flops[N_STAGES];   /* per full-resolution pixel */
  gdouble macs[N_STAGES];    /* the multiply-adds among them */
  gdouble total, total_macs;
  gdouble bytes;             /* moved to/from memory per pixel, at least */
} Cost;

gboolean shapes_load (Shapes *sh, const gchar *path, GError **error);
void cost_count (Cost *c, const Shapes *sh, gint width, gint height, gfloat denoise);

/* ---- bench-peak.c: the CPU's peak FMA rate and memory bandwidth ---- */

const gchar *fma_isa (gint *lanes);
gdouble peak_measure (gint kind, gint n_threads, gint64 iters, gsize n, gint trials);

#endif /* EVENLIGHT_BENCH_ENHANCE_H */
