/* LAIC's linear program (paper Eq. 19–23) built independently of
 * core/laic.c for test-laic.c: its own neighbourhood weights and cost
 * vector, its objective and largest violation for a gain, and with GLPK
 * its exact optimum.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include <glib.h>

#include "laic.h"
#include "laic-lp.h"

#ifdef HAVE_GLPK
#include <glpk.h>
#endif

void
lp_build (Lp *lp, const gfloat *v0, gint w, gint h, gdouble lambda, gdouble max_gain)
{
  gint    n = w * h;
  gdouble *v = g_new (gdouble, n);

  lp->n = n;
  lp->sign = g_new0 (gint, n);
  lp->cost = g_new0 (gdouble, n);
  lp->hi = g_new0 (gdouble, n);
  lp->rcol = g_new0 (gint, n * 10);
  lp->rval = g_new0 (gdouble, n * 10);
  lp->rlen = g_new0 (gint, n);
  for (gint i = 0; i < n; i++)
    {
      v[i] = MAX (v0[i], EVENLIGHT_LAIC_MIN_LEVEL);
      lp->hi[i] = MIN (1.0 / v[i], max_gain);
    }
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gint    i = y * w + x, len = 0;
        gdouble mean = 0.0;
        /* weights of r's row: δ_ij V_j − A_ij V_j, A by enumerating the
         * nine clamped offsets. */
        gint    cols[10];
        gdouble vals[10];

        cols[len] = i;
        vals[len++] = v[i];
        for (gint dy = -1; dy <= 1; dy++)
          for (gint dx = -1; dx <= 1; dx++)
            {
              gint j = CLAMP (y + dy, 0, h - 1) * w + CLAMP (x + dx, 0, w - 1);
              gint k;
              mean += v[j] / 9.0;
              for (k = 0; k < len && cols[k] != j; k++)
                ;
              if (k == len)
                {
                  cols[len] = j;
                  vals[len++] = 0.0;
                }
              vals[k] -= v[j] / 9.0;
            }
        gdouble d = v[i] - mean;
        lp->sign[i] = d > EVENLIGHT_LAIC_SIGN_EPS ? 1 : (d < -EVENLIGHT_LAIC_SIGN_EPS ? -1 : 0);
        lp->rlen[i] = len;
        memcpy (lp->rcol + i * 10, cols, len * sizeof (gint));
        memcpy (lp->rval + i * 10, vals, len * sizeof (gdouble));
        /* −λ2 |J̃ − J̄| = −λ2 s r on the feasible set */
        for (gint k = 0; k < len; k++)
          lp->cost[cols[k]] -= lambda * lp->sign[i] * vals[k];
      }
  g_free (v);
}

void
lp_free (Lp *lp)
{
  g_free (lp->sign);
  g_free (lp->cost);
  g_free (lp->hi);
  g_free (lp->rcol);
  g_free (lp->rval);
  g_free (lp->rlen);
}

/* Objective and largest constraint violation (in J̃ units) of gains g. */
gdouble
lp_eval (const Lp *lp, const gfloat *v0, const gfloat *g, gint w, gint h, gdouble *viol)
{
  gdouble obj = 0.0, worst = 0.0;

  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      {
        gint    i = y * w + x;
        gdouble r = 0.0, lv = MAX (v0[i], EVENLIGHT_LAIC_MIN_LEVEL);
        if (x + 1 < w) obj += fabs ((gdouble) g[i + 1] - g[i]);
        if (y + 1 < h) obj += fabs ((gdouble) g[i + w] - g[i]);
        obj += lp->cost[i] * g[i];
        for (gint k = 0; k < lp->rlen[i]; k++)
          r += lp->rval[i * 10 + k] * g[lp->rcol[i * 10 + k]];
        worst = MAX (worst, lp->sign[i] ? -lp->sign[i] * r : fabs (r));
        worst = MAX (worst, -g[i] * lv);
        worst = MAX (worst, (g[i] - lp->hi[i]) * lv);
      }
  *viol = worst;
  return obj;
}

#ifdef HAVE_GLPK
gdouble
lp_solve_exact (const Lp *lp, gint w, gint h)
{
  glp_prob *P = glp_create_prob ();
  glp_smcp  parm;
  gint      n = lp->n, ne = (w - 1) * h + w * (h - 1);
  gint      nnz = 0, cap = 10 * n + 6 * ne + 16, row = 0, col_e, e = 0;
  gint     *ia = g_new (gint, cap + 1), *ja = g_new (gint, cap + 1);
  gdouble  *ar = g_new (gdouble, cap + 1), opt;

  glp_set_obj_dir (P, GLP_MIN);
  glp_add_cols (P, n + ne);
  for (gint i = 0; i < n; i++)
    {
      glp_set_col_bnds (P, i + 1, GLP_DB, 0.0, lp->hi[i]);
      glp_set_obj_coef (P, i + 1, lp->cost[i]);
    }
  for (gint k = 0; k < ne; k++)
    {
      glp_set_col_bnds (P, n + k + 1, GLP_LO, 0.0, 0.0);
      glp_set_obj_coef (P, n + k + 1, 1.0);
    }
  glp_add_rows (P, n + 2 * ne);
  for (gint i = 0; i < n; i++)
    {
      row++;
      if (lp->sign[i] == 0)
        glp_set_row_bnds (P, row, GLP_FX, 0.0, 0.0);
      else
        glp_set_row_bnds (P, row, GLP_LO, 0.0, 0.0);
      for (gint k = 0; k < lp->rlen[i]; k++)
        {
          nnz++;
          ia[nnz] = row;
          ja[nnz] = lp->rcol[i * 10 + k] + 1;
          ar[nnz] = (lp->sign[i] ? lp->sign[i] : 1) * lp->rval[i * 10 + k];
        }
    }
  /* t_e ≥ ±(g_a − g_b) */
  for (gint y = 0; y < h; y++)
    for (gint x = 0; x < w; x++)
      for (gint dir = 0; dir < 2; dir++)
        {
          gint a = y * w + x, b;
          if (dir == 0 && x + 1 >= w) continue;
          if (dir == 1 && y + 1 >= h) continue;
          b = dir == 0 ? a + 1 : a + w;
          col_e = n + (e++) + 1;
          for (gint sgn = -1; sgn <= 1; sgn += 2)
            {
              row++;
              glp_set_row_bnds (P, row, GLP_LO, 0.0, 0.0);
              nnz++; ia[nnz] = row; ja[nnz] = col_e; ar[nnz] = 1.0;
              nnz++; ia[nnz] = row; ja[nnz] = a + 1; ar[nnz] = sgn;
              nnz++; ia[nnz] = row; ja[nnz] = b + 1; ar[nnz] = -sgn;
            }
        }
  glp_load_matrix (P, nnz, ia, ja, ar);
  glp_init_smcp (&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_ON;
  if (glp_simplex (P, &parm) != 0 || glp_get_status (P) != GLP_OPT)
    opt = NAN;
  else
    opt = glp_get_obj_val (P);
  glp_delete_prob (P);
  g_free (ia);
  g_free (ja);
  g_free (ar);
  return opt;
}
#endif
