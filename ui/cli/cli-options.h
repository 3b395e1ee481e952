/* `evenlight`'s command line (cli-options.c): the options as given, and
 * the settings checked from them.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_CLI_OPTIONS_H
#define EVENLIGHT_CLI_OPTIONS_H

#include "cli-methods.h"
#include "params.h"

G_BEGIN_DECLS

/* The most threads --threads takes. */
#define EVENLIGHT_CLI_MAX_THREADS 1024

typedef struct
{
  /* As given on the command line (NULL or FALSE when not). */
  gchar  **sliders;   /* one per entry of the parameter table, or NULL */
  gchar   *contrast;  /* --method laic's Contrast (the dark table), or NULL */
  gchar   *method_name;
  gchar   *retouch_params;
  gchar   *weights;
  gboolean dequantize;
  gchar   *dequant_weights;
  gchar   *threads;
  gboolean quiet;
  gboolean version;
  gchar  **files;
  gchar   *output_dir;
  gchar   *format;
  gboolean fuse;
  gboolean no_align;
  /* Checked from the above by evenlight_cli_options_parse(). */
  EvenlightCliMethod     method;
  EvenlightParams        params;
  EvenlightDarkParams    dark;
  EvenlightRetouchParams retouch;
  gint                   n_threads;   /* 0: one per processor */
} EvenlightCliOptions;

/* Sets the locale, parses the command line @argc, @argv into @o (zeroed
 * by the caller) and checks it. Returns TRUE when the run can go on;
 * otherwise *@status is the exit status: 0 after --version, 2 for a bad
 * command line (the problem printed on stderr). --help prints and exits.
 * evenlight_cli_options_clear() frees @o in either case. */
gboolean evenlight_cli_options_parse (EvenlightCliOptions *o,
                                      int                 *argc,
                                      char              ***argv,
                                      int                 *status);
void     evenlight_cli_options_clear (EvenlightCliOptions *o);

G_END_DECLS

#endif
