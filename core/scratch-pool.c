/* Scratch memory kept between render calls: the calling thread's own, and
 * the spares that finished workers leave for the next call's workers.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "render-private.h"

/* The calling thread's scratch memory is kept between calls: a preview
 * renders many small regions in a row, and fresh memory would have to be
 * faulted in each time. */
EvenlightScratch *
evenlight_scratch_of_thread (void)
{
  static GPrivate key = G_PRIVATE_INIT ((GDestroyNotify) evenlight_scratch_free);
  EvenlightScratch *scratch = g_private_get (&key);

  if (scratch == NULL)
    {
      scratch = evenlight_scratch_new ();
      g_private_set (&key, scratch);
    }
  return scratch;
}

/* Scratch memory of finished workers, kept for the workers of the next
 * call: fresh memory (about 20 MB per worker) would be faulted in on every
 * call, which costs more than a small image's rendering (less on huge
 * pages, see EvenlightArena, but the system may not give those).
 * At most one per processor is kept. */
static GMutex spare_lock;
static GSList *spare_scratch;
static guint n_spare_scratch;

EvenlightScratch *
evenlight_scratch_take (void)
{
  EvenlightScratch *scratch = NULL;

  g_mutex_lock (&spare_lock);
  if (spare_scratch != NULL)
    {
      scratch = spare_scratch->data;
      spare_scratch = g_slist_delete_link (spare_scratch, spare_scratch);
      n_spare_scratch--;
    }
  g_mutex_unlock (&spare_lock);
  return scratch != NULL ? scratch : evenlight_scratch_new ();
}

void
evenlight_scratch_give (EvenlightScratch *scratch)
{
  g_mutex_lock (&spare_lock);
  if (n_spare_scratch < g_get_num_processors ())
    {
      spare_scratch = g_slist_prepend (spare_scratch, scratch);
      n_spare_scratch++;
      scratch = NULL;
    }
  g_mutex_unlock (&spare_lock);
  evenlight_scratch_free (scratch);
}
