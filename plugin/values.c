/* evenlight — GIMP 2.10 plug-in: the procedures' values (values.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "plugin-common.h"
#include "values.h"

GimpParamDef *
evenlight_pdb_args_new (const EvenlightParamSpec *table,
                        guint                     n_params,
                        gint                     *n_args)
{
  static const GimpParamDef fixed[EVENLIGHT_PDB_N_FIXED] =
  {
    { GIMP_PDB_INT32,    "run-mode", "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
    { GIMP_PDB_IMAGE,    "image",    "Input image" },
    { GIMP_PDB_DRAWABLE, "drawable", "Input drawable (a layer)" },
  };
  GimpParamDef *args = g_new0 (GimpParamDef, EVENLIGHT_PDB_N_FIXED + n_params);

  memcpy (args, fixed, sizeof fixed);
  for (guint i = 0; i < n_params; i++)
    {
      const EvenlightParamSpec *spec = &table[i];
      GimpParamDef *a = &args[EVENLIGHT_PDB_N_FIXED + i];

      a->name = (gchar *) spec->name;
      if (spec->type == EVENLIGHT_PARAM_BOOLEAN)
        {
          a->type = GIMP_PDB_INT32;
          a->description = g_strdup_printf ("%s (TRUE or FALSE)", spec->description);
        }
      else
        {
          a->type = GIMP_PDB_FLOAT;
          a->description = g_strdup_printf ("%s (%g <= %s <= %g)", spec->description,
                                            spec->min, spec->name, spec->max);
        }
    }
  *n_args = EVENLIGHT_PDB_N_FIXED + (gint) n_params;
  return args;
}

void
evenlight_pdb_args_free (GimpParamDef *args,
                         gint          n_args)
{
  for (gint i = EVENLIGHT_PDB_N_FIXED; i < n_args; i++)
    g_free (args[i].description);
  g_free (args);
}

void
evenlight_pdb_count_error (const gchar              *proc,
                           const EvenlightParamSpec *table,
                           guint                     n_params,
                           gint                      nparams,
                           GError                  **error)
{
  GString *names = g_string_new ("run-mode, image, drawable");

  for (guint i = 0; i < n_params; i++)
    g_string_append_printf (names, ", %s", table[i].name);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
               _("%s needs %d arguments (%s), got %d."),
               proc, EVENLIGHT_PDB_N_FIXED + (gint) n_params, names->str, nparams);
  g_string_free (names, TRUE);
}

gboolean
evenlight_pdb_read (const gchar              *proc,
                    const EvenlightParamSpec *table,
                    guint                     n_params,
                    gint                      nparams,
                    const GimpParam          *param,
                    gpointer                  values,
                    GError                  **error)
{
  if (nparams != EVENLIGHT_PDB_N_FIXED + (gint) n_params)
    {
      evenlight_pdb_count_error (proc, table, n_params, nparams, error);
      return FALSE;
    }
  for (guint i = 0; i < n_params; i++)
    {
      const EvenlightParamSpec *spec = &table[i];
      const GimpParam *p = &param[EVENLIGHT_PDB_N_FIXED + i];

      if (spec->type == EVENLIGHT_PARAM_BOOLEAN)
        {
          if (p->data.d_int32 != 0 && p->data.d_int32 != 1)
            {
              g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                           _("%s must be 0 (FALSE) or 1 (TRUE), not %d."),
                           spec->label, (gint) p->data.d_int32);
              return FALSE;
            }
          evenlight_param_set (spec, values, p->data.d_int32);
        }
      else
        evenlight_param_set (spec, values, p->data.d_float);
    }
  /* Checked as the engine will see them (floats). */
  return evenlight_param_table_validate (table, n_params, values, error);
}

/* What gimp_set_data() holds: a header, then the values struct. */
typedef struct
{
  guint32 version;
  guint32 size;
} Header;

gboolean
evenlight_last_values_load (const gchar              *proc,
                            guint32                   version,
                            const EvenlightParamSpec *table,
                            guint                     n_params,
                            gpointer                  values,
                            gsize                     size)
{
  gsize    total = sizeof (Header) + size;
  guint8  *stored;
  Header   header;
  gboolean ok = FALSE;

  if (gimp_get_data_size (proc) != (gint) total)
    return FALSE;
  stored = g_malloc (total);
  if (gimp_get_data (proc, stored))
    {
      memcpy (&header, stored, sizeof header);
      ok = header.version == version && header.size == size
           && evenlight_param_table_validate (table, n_params,
                                              stored + sizeof header, NULL);
      if (ok)
        memcpy (values, stored + sizeof header, size);
    }
  g_free (stored);
  return ok;
}

void
evenlight_last_values_store (const gchar   *proc,
                             guint32        version,
                             gconstpointer  values,
                             gsize          size)
{
  Header  header = { version, (guint32) size };
  guint8 *blob = g_malloc (sizeof header + size);

  memcpy (blob, &header, sizeof header);
  memcpy (blob + sizeof header, values, size);
  gimp_set_data (proc, blob, sizeof header + size);
  g_free (blob);
}

gboolean
evenlight_run_values (const gchar              *proc,
                      const gchar              *stored_proc,
                      guint32                   version,
                      const EvenlightParamSpec *table,
                      guint                     n_params,
                      guint                     n_args,
                      gint                      nparams,
                      const GimpParam          *param,
                      gpointer                  values,
                      gsize                     size,
                      GError                  **error)
{
  if (nparams < EVENLIGHT_PDB_N_FIXED)
    {
      evenlight_pdb_count_error (proc, table, n_args, nparams, error);
      return FALSE;
    }
  switch ((GimpRunMode) param[0].data.d_int32)
    {
    case GIMP_RUN_INTERACTIVE:
    case GIMP_RUN_WITH_LAST_VALS:
      evenlight_last_values_load (stored_proc, version, table, n_params, values, size);
      return TRUE;

    case GIMP_RUN_NONINTERACTIVE:
      return evenlight_pdb_read (proc, table, n_args, nparams, param, values, error);

    default:
      g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_INVALID_ARGUMENT,
                   _("Unknown run mode %d."), (gint) param[0].data.d_int32);
      return FALSE;
    }
}

void
evenlight_run_done (const gchar   *proc,
                    GimpRunMode    run_mode,
                    guint32        version,
                    gconstpointer  values,
                    gsize          size)
{
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  if (run_mode == GIMP_RUN_INTERACTIVE)
    evenlight_last_values_store (proc, version, values, size);
}
