/* Prints the parameter tables for the shell tests, one entry a line:
 * PROCEDURE NAME MIN MAX DEFAULT STEP LABEL (numbers as %g in the C locale,
 * the way the error messages print them). Tests that need a value out of
 * range take it from here instead of assuming [0, 1].
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "params.h"

static void
print_table (const gchar              *procedure,
             const EvenlightParamSpec *table,
             guint                     n)
{
  for (guint i = 0; i < n; i++)
    printf ("%s %s %g %g %g %g %s\n", procedure, table[i].name, table[i].min,
            table[i].max, table[i].default_value, table[i].step, table[i].label);
}

int
main (void)
{
  const EvenlightParamSpec *table;
  guint n;

  table = evenlight_params_table (&n);
  print_table ("enhance", table, n);
  table = evenlight_dark_params_table (&n);
  print_table ("dark", table, n);
  table = evenlight_fuse_params_table (&n);
  print_table ("fuse", table, n);
  return 0;
}
