/* `evenlight --output-dir DIR INPUT…`: the output file of each input
 * (cli-batch.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every output is decided before the first file is processed, so that no
 * result can overwrite an input, or the result of another input with the
 * same name (photos/a/x.jpg and photos/b/x.jpg): the later of two such
 * inputs fails with a message, the first is written.
 */
#include "cli-batch.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli-image.h"
#include "evenlight.h"

struct _EvenlightCliBatch
{
  GPtrArray *inputs;
  GPtrArray *outputs;    /* NULL where the output is refused */
  GPtrArray *problems;   /* why, where refused */
};

gboolean
evenlight_cli_batch_format_ok (const gchar  *format,
                               gchar       **message)
{
  g_autofree gchar *probe = g_strdup_printf ("x.%s", format[0] == '.' ? format + 1 : format);
  g_autofree gchar *list = NULL;

  if (evenlight_cli_output_known (probe))
    return TRUE;
  list = evenlight_cli_output_formats ();
  *message = g_strdup_printf ("--format must be one of %s, not “%s”", list, format);
  return FALSE;
}

/* @path made absolute and without . and .. (the file may not exist). */
static gchar *
canonical (const gchar *path)
{
  return g_canonicalize_filename (path, NULL);
}

/* The output name of @input: its base name, with the extension @format. */
static gchar *
output_name (const gchar *input,
             const gchar *format)
{
  g_autofree gchar *base = g_path_get_basename (input);
  const gchar *dot;

  if (format == NULL)
    return g_steal_pointer (&base);
  if (format[0] == '.')
    format++;
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    return g_strdup_printf ("%.*s.%s", (gint) (dot - base), base, format);
  return g_strdup_printf ("%s.%s", base, format);
}

EvenlightCliBatch *
evenlight_cli_batch_new (const gchar * const *inputs,
                         const gchar         *dir,
                         const gchar         *format)
{
  EvenlightCliBatch *batch = g_new0 (EvenlightCliBatch, 1);
  g_autoptr (GHashTable) input_set = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                            g_free, NULL);
  g_autoptr (GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                        g_free, NULL);
  g_autofree gchar *dir_problem = NULL;

  batch->inputs = g_ptr_array_new_with_free_func (g_free);
  batch->outputs = g_ptr_array_new_with_free_func (g_free);
  batch->problems = g_ptr_array_new_with_free_func (g_free);
  if (g_mkdir_with_parents (dir, 0777) != 0)
    dir_problem = g_strdup_printf ("Cannot create the output folder %s: %s", dir,
                                   g_strerror (errno));
  for (gint i = 0; inputs[i] != NULL; i++)
    g_hash_table_add (input_set, canonical (inputs[i]));
  for (gint i = 0; inputs[i] != NULL; i++)
    {
      g_autofree gchar *name = output_name (inputs[i], format);
      gchar *output = g_build_filename (dir, name, NULL);
      g_autofree gchar *key = canonical (output);
      const gchar *first = g_hash_table_lookup (taken, key);
      gchar *problem = NULL;

      if (dir_problem != NULL)
        problem = g_strdup (dir_problem);
      else if (g_hash_table_contains (input_set, key))
        problem = g_strdup_printf ("The result would overwrite the input %s; "
                                   "choose another --output-dir", output);
      else if (first != NULL)
        problem = g_strdup_printf ("The result %s would overwrite that of %s "
                                   "(same name); enhance them in two runs",
                                   output, first);
      else
        g_hash_table_insert (taken, g_steal_pointer (&key), (gpointer) inputs[i]);
      g_ptr_array_add (batch->inputs, g_strdup (inputs[i]));
      if (problem != NULL)
        g_clear_pointer (&output, g_free);
      g_ptr_array_add (batch->outputs, output);
      g_ptr_array_add (batch->problems, problem);
    }
  return batch;
}

gint
evenlight_cli_batch_size (const EvenlightCliBatch *batch)
{
  return (gint) batch->inputs->len;
}

const gchar *
evenlight_cli_batch_input (const EvenlightCliBatch *batch,
                           gint                     i)
{
  return g_ptr_array_index (batch->inputs, i);
}

const gchar *
evenlight_cli_batch_output (const EvenlightCliBatch *batch,
                            gint                     i,
                            GError                 **error)
{
  const gchar *problem = g_ptr_array_index (batch->problems, i);

  if (problem != NULL)
    {
      g_set_error_literal (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_IO, problem);
      return NULL;
    }
  return g_ptr_array_index (batch->outputs, i);
}

void
evenlight_cli_batch_free (EvenlightCliBatch *batch)
{
  g_ptr_array_unref (batch->inputs);
  g_ptr_array_unref (batch->outputs);
  g_ptr_array_unref (batch->problems);
  g_free (batch);
}
