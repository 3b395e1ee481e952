/* LAIC: the plateaus of a level, the flat regions whose gain the program
 * forces to be constant (found once per level, then kept constant by a
 * projection in every iteration; laic.c has the notation).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "laic.h"
#include "laic-private.h"

#include <string.h>

/* Plateau projection: the prox of "g constant on each plateau" in the
 * metric of the primal steps is the 1/τ-weighted mean of the unconstrained
 * updates (left in gbar by pass_primal); the box is the same for every
 * pixel of a plateau (same V), so the mean stays inside it. */
void
evenlight_laic_pass_plateaus (Level *lv, gint k0, gint k1, gfloat *scratch, gpointer data)
{
  (void) scratch;
  (void) data;
  for (gint k = k0; k < k1; k++)
    {
      gdouble sg = 0.0;
      gfloat  mean;

      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        sg += lv->mweight[m] * lv->gbar[lv->members[m]];
      mean = (gfloat) (sg / lv->pweight[k]);
      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        {
          gint32 i = lv->members[m];
          lv->gbar[i] = 2.0f * mean - lv->g[i];
          lv->g[i] = mean;
        }
    }
}

static gint32
uf_find (gint32 *parent, gint32 i)
{
  while (parent[i] != i)
    {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
  return i;
}

/* Is pixel (x, y) flat: its whole 3 × 3 clamp-to-edge neighbourhood has its
 * level? */
static inline gboolean
pixel_flat (const Level *lv, gint x, gint y)
{
  const gint w = lv->w, h = lv->h;
  const gfloat c = lv->v[(gsize) y * w + x];

  for (gint dy = -1; dy <= 1; dy++)
    {
      const gfloat *row = lv->v + (gsize) CLAMP (y + dy, 0, h - 1) * w;
      if (row[MAX (x - 1, 0)] != c || row[x] != c || row[MIN (x + 1, w - 1)] != c)
        return FALSE;
    }
  return TRUE;
}

/* Plateaus: a pixel whose whole 3 × 3 neighbourhood has its own level has
 * sign 0 and must equal its neighbourhood mean, i.e. its gain must be the
 * mean of the nine gains. Joining each such pixel with its eight
 * neighbours, and keeping the gain constant on every set so formed,
 * satisfies all those equality rows exactly, whatever the iterate; the
 * converged solution has that form anyway (a gain that is both a local mean
 * and of least total variation is constant), but a first-order method would
 * need thousands of iterations to spread it across a wide flat region of a
 * dark capture.
 *
 * The sets are found on runs of flat pixels rather than on pixels: a run of
 * row y over columns [a, b] joins the rectangle of rows y − 1 … y + 1 and
 * columns a − 1 … b + 1 (clamped) into one set, and two runs are in one set
 * when their rectangles share a pixel, which only runs of the same row or
 * of the two rows above can do for an earlier run. Sets are numbered in the
 * order of their first pixel, their members listed in pixel order. */
void
evenlight_laic_level_find_plateaus (Level *lv)
{
  const gint  w = lv->w, h = lv->h;
  const gsize n = (gsize) w * h;
  GArray     *runs = g_array_new (FALSE, FALSE, sizeof (gint32) * 3);
  gint32     *row_first = g_new (gint32, h + 1);
  gint32     *parent, *label, *number;
  gint32      n_runs;

  /* Runs of flat pixels, row by row: (y, a, b). */
  for (gint y = 0; y < h; y++)
    {
      row_first[y] = (gint32) runs->len;
      for (gint x = 0; x < w && n > 1; x++)
        if (pixel_flat (lv, x, y))
          {
            gint32 run[3] = { y, x, x };
            while (run[2] + 1 < w && pixel_flat (lv, run[2] + 1, y))
              run[2]++;
            g_array_append_val (runs, run);
            x = run[2];
          }
    }
  row_first[h] = (gint32) runs->len;
  n_runs = (gint32) runs->len;
  parent = g_new (gint32, MAX (1, n_runs));
  for (gint32 r = 0; r < n_runs; r++)
    parent[r] = r;
  for (gint y = 0; y < h; y++)
    {
      /* For each of rows y − 2 … y, the first run that can still reach the
       * current one (runs are sorted and disjoint: one sweep per row). */
      gint32 first[3];
      for (gint d = 0; d < 3; d++)
        first[d] = row_first[MAX (y - d, 0)];
      for (gint32 r = row_first[y]; r < row_first[y + 1]; r++)
        {
          const gint32 *run = &g_array_index (runs, gint32, 3 * r);
          for (gint d = 0; d <= MIN (y, 2); d++)
            {
              gint32 end = d == 0 ? r : row_first[y - d + 1];
              while (first[d] < end && g_array_index (runs, gint32, 3 * first[d] + 2) + 2 < run[1])
                first[d]++;
              /* Columns a − 1 … b + 1 of both overlap. */
              for (gint32 q = first[d]; q < end && g_array_index (runs, gint32, 3 * q + 1) - 2 <= run[2]; q++)
                {
                  gint32 ra = uf_find (parent, r), rb = uf_find (parent, q);
                  if (ra != rb)
                    parent[MAX (ra, rb)] = MIN (ra, rb);
                }
            }
        }
    }
  /* Each pixel covered by a run's rectangle takes the run's set. */
  label = laic_new (gint32, n);
  for (gsize i = 0; i < n; i++)
    label[i] = -1;
  for (gint32 r = 0; r < n_runs; r++)
    {
      const gint32 *run = &g_array_index (runs, gint32, 3 * r);
      gint32        root = uf_find (parent, r);
      for (gint y = MAX (run[0] - 1, 0); y <= MIN (run[0] + 1, h - 1); y++)
        for (gint x = MAX (run[1] - 1, 0); x <= MIN (run[2] + 1, w - 1); x++)
          label[(gsize) y * w + x] = root;
    }
  /* Number the sets in the order of their first pixel. */
  number = g_new (gint32, MAX (1, n_runs));
  for (gint32 r = 0; r < n_runs; r++)
    number[r] = -1;
  lv->n_comp = 0;
  for (gsize i = 0; i < n; i++)
    {
      gint32 c = label[i];
      if (c >= 0 && number[c] < 0)
        number[c] = lv->n_comp++;
      lv->comp[i] = c >= 0 ? number[c] : -1;
    }
  lv->start = g_new0 (gint32, lv->n_comp + 1);
  for (gsize i = 0; i < n; i++)
    if (lv->comp[i] >= 0)
      lv->start[lv->comp[i] + 1]++;
  for (gint k = 0; k < lv->n_comp; k++)
    lv->start[k + 1] += lv->start[k];
  lv->members = g_new (gint32, MAX (1, lv->start[lv->n_comp]));
  /* number[] is reused as the fill count of each set. */
  memset (number, 0, sizeof (gint32) * MAX (1, lv->n_comp));
  for (gsize i = 0; i < n; i++)
    if (lv->comp[i] >= 0)
      lv->members[lv->start[lv->comp[i]] + number[lv->comp[i]]++] = (gint32) i;
  g_free (number);
  g_free (label);
  g_free (parent);
  g_free (row_first);
  g_array_free (runs, TRUE);
}

void
evenlight_laic_level_plateau_mean (Level *lv, gfloat *g)
{
  for (gint k = 0; k < lv->n_comp; k++)
    {
      gdouble sg = 0.0;
      gfloat  mean;
      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        sg += g[lv->members[m]];
      mean = (gfloat) (sg / (lv->start[k + 1] - lv->start[k]));
      for (gint m = lv->start[k]; m < lv->start[k + 1]; m++)
        g[lv->members[m]] = mean;
    }
}
