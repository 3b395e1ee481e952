/* evenlight — GIMP 2.10 plug-in: the procedures' values, made from the
 * parameter tables of core/params.h: PDB arguments, reading them, and the
 * values remembered between runs.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef EVENLIGHT_VALUES_H
#define EVENLIGHT_VALUES_H

#include <libgimp/gimp.h>

#include "params.h"

/* Every procedure takes run-mode, image and drawable, then its table. */
#define EVENLIGHT_PDB_N_FIXED 3

/* The PDB arguments of a procedure with @table: the fixed three, then one
 * per entry (a float, or an INT32 for a boolean), each described with its
 * range. Free with evenlight_pdb_args_free(). */
GimpParamDef *evenlight_pdb_args_new  (const EvenlightParamSpec *table,
                                       guint                     n_params,
                                       gint                     *n_args);
void          evenlight_pdb_args_free (GimpParamDef *args,
                                       gint          n_args);

/* The error of a call with @nparams arguments where @proc needs those of
 * @table; names every argument. */
void          evenlight_pdb_count_error (const gchar              *proc,
                                         const EvenlightParamSpec *table,
                                         guint                     n_params,
                                         gint                      nparams,
                                         GError                  **error);

/* Reads a non-interactive call's arguments into the values struct
 * @values and checks them against @table: FALSE with an error naming the
 * argument and its range when one is out of range (or the count wrong). */
gboolean      evenlight_pdb_read    (const gchar              *proc,
                                     const EvenlightParamSpec *table,
                                     guint                     n_params,
                                     gint                      nparams,
                                     const GimpParam          *param,
                                     gpointer                  values,
                                     GError                  **error);

/* The values of @proc's last run (@size bytes of @values), stored with
 * @version: loaded only when one of that version and size is stored and
 * it passes @table's checks; otherwise @values stays as it is. Bump the
 * version whenever the meaning of a field changes. */
gboolean      evenlight_last_values_load  (const gchar              *proc,
                                           guint32                   version,
                                           const EvenlightParamSpec *table,
                                           guint                     n_params,
                                           gpointer                  values,
                                           gsize                     size);
/* The values of one run of @proc, in @values (@size bytes, defaults
 * already in): a non-interactive call's arguments (the first @n_args rows
 * of @table), or for an interactive or last-values run the values stored
 * under @stored_proc with @version, when there are valid ones. FALSE with
 * @error for a wrong call (argument count, out-of-range value, unknown run
 * mode). */
gboolean      evenlight_run_values        (const gchar              *proc,
                                           const gchar              *stored_proc,
                                           guint32                   version,
                                           const EvenlightParamSpec *table,
                                           guint                     n_params,
                                           guint                     n_args,
                                           gint                      nparams,
                                           const GimpParam          *param,
                                           gpointer                  values,
                                           gsize                     size,
                                           GError                  **error);
void          evenlight_last_values_store (const gchar   *proc,
                                           guint32        version,
                                           gconstpointer  values,
                                           gsize          size);

/* The end of a successful run of @proc in @run_mode: the displays are
 * flushed (but in a non-interactive call) and, when the dialog gave the
 * values, they are stored as @proc's last values. */
void          evenlight_run_done          (const gchar   *proc,
                                           GimpRunMode    run_mode,
                                           guint32        version,
                                           gconstpointer  values,
                                           gsize          size);

#endif /* EVENLIGHT_VALUES_H */
