/* The checks of the LAIC and dequantization tests: a failed CHECK is
 * printed with its place and counted, and the test goes on; main()
 * returns check_report().
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_TESTS_CHECK_H
#define EVENLIGHT_TESTS_CHECK_H

#include <stdio.h>

#include <glib.h>

static gint failures;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      failures++;                                          \
      fprintf (stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf (stderr, __VA_ARGS__);                       \
      fputc ('\n', stderr);                                \
    }                                                      \
  } while (0)

/* Prints the number of failures, if any: the exit status. */
static inline int
check_report (void)
{
  if (failures)
    fprintf (stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}

#endif /* EVENLIGHT_TESTS_CHECK_H */
