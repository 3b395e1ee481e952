/* What the tests of the `evenlight` command-line tool share: the program
 * under test and its data, test images, running the program (cli-test.c).
 * The tests: test-cli.c (formats, sliders, methods; main), test-cli-files.c
 * (where the weights and GEGL modules are found, batch mode, the debug
 * report), test-cli-dark.c (LAIC and dequantization), test-cli-errors.c
 * (every error a user can make), test-cli-large.c (large images, start-up
 * and peak memory).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_TEST_H
#define EVENLIGHT_CLI_TEST_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <gegl.h>
#include <glib/gstdio.h>

#include "evenlight.h"
#include "params.h"

#define W 67    /* odd sizes: the tiles and levels do not divide evenly */
#define H 45

extern gchar  *cli;         /* the program under test */
extern gchar  *weights;     /* tests/data/golden-weights.bin */
extern gchar  *dq_weights;  /* tests/data/dequant-golden-weights.bin */
extern gchar  *tmpdir;
extern gfloat  exposure;    /* scales the colour of pattern() */

/* Helpers (cli-test.c, where each is described). */
void remove_tree (const gchar *path);
void pattern (gint    x,
              gint    y,
              gfloat *rgba);
void save_buffer (GeglBuffer  *buffer,
                  const gchar *saver,
                  const gchar *path,
                  gint         bitdepth);
gchar *make_image (const gchar *base,
                   const gchar *format,
                   const gchar *saver,
                   gint         bitdepth,
                   gboolean     gray_rgb);
GeglBuffer *load_image (const gchar *path);
GeglBuffer *load_image_sized (const gchar *path,
                              gint         width,
                              gint         height);
gpointer pixels (GeglBuffer  *buffer,
                 const gchar *format);
gpointer file_pixels (const gchar *path,
                      const gchar *format);
gchar *file_checksum (const gchar *path);
gint run_cli (gchar      **err,
              const gchar *first,
              ...);
gint run_cli_weights_env (const gchar *weights_env,
                          gchar      **err,
                          const gchar *first,
                          ...);
void assert_no_leftovers (void);
void enhance (const gchar *in,
              const gchar *out);
gpointer enhance_png (const gchar *base,
                      const gchar *format,
                      gboolean     gray,
                      gpointer    *input);

/* The tests, in the order main() runs them. */
void test_help_and_version (void);
void test_errors (void);
void test_rgb8 (void);
void test_rgb16 (void);
void test_rgba (void);
void test_gray (void);
void test_other_formats (void);
void test_default_weights (void);
void test_weights_found (void);
void test_batch (void);
void test_debug_report (void);
void test_gegl_modules (void);
void test_startup (void);
void test_threads_and_sliders (void);
void test_classic (void);
void test_sample_photo (void);
void test_laic (void);
void test_laic_contrast (void);
void test_dequantize_normal (void);
void test_in_place_strips (void);
void test_peak_memory (void);
void test_quiet_large (void);

#endif /* EVENLIGHT_CLI_TEST_H */
