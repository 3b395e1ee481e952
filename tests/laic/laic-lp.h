/* LAIC's linear program built independently (laic-lp.c).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_TESTS_LAIC_LP_H
#define EVENLIGHT_TESTS_LAIC_LP_H

#include <glib.h>

typedef struct
{
  gint    n;
  gint   *sign;      /* n                    */
  gdouble *cost;     /* n: cost of each gain */
  gdouble *hi;       /* n                    */
  /* row i of r(g) = V g − mean3×3(V g): up to 9 (column, weight) pairs */
  gint    *rcol;     /* n × 10               */
  gdouble *rval;     /* n × 10               */
  gint    *rlen;
} Lp;

void lp_build (Lp *lp, const gfloat *v0, gint w, gint h, gdouble lambda, gdouble max_gain);
void lp_free (Lp *lp);
gdouble lp_eval (const Lp *lp, const gfloat *v0, const gfloat *g, gint w, gint h, gdouble *viol);
#ifdef HAVE_GLPK
/* The exact optimum (GLPK), NAN when GLPK does not find it. */
gdouble lp_solve_exact (const Lp *lp, gint w, gint h);
#endif

#endif /* EVENLIGHT_TESTS_LAIC_LP_H */
