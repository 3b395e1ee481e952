/* `evenlight`'s memory check: whether a whole-image method (classic,
 * LAIC) fits in the memory this process can still use, from /proc and
 * the cgroup's limit, before anything is decoded.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-memory.h"

#include <string.h>
#include <unistd.h>

/* Working memory of the whole-image methods, in bytes per pixel on top of
 * the input's GEGL buffer and its copy that receives the result. Measured
 * as the peak RSS (/usr/bin/time -v) of `evenlight -q --method classic`
 * and `--method laic` on synthetic 2000 × 1500 and 4000 × 3000 8-bit RGB
 * JPEGs, 2 threads: classic 367 MB → 888 MB, laic 367 MB → 917 MB, i.e.
 * 59 and 62.5 bytes per additional pixel, less the 2 × 3 bytes of those
 * two 8-bit RGB buffers. --dequantize needs more than this. */
#define CLASSIC_BYTES_PER_PIXEL 53
#define LAIC_BYTES_PER_PIXEL    57

/* The physical memory this process can still use, in bytes, or 0 when
 * unknown: MemAvailable (free memory plus what the kernel can reclaim),
 * bounded by the cgroup's limit when there is one. */
static guint64
available_memory (void)
{
  g_autofree gchar *meminfo = NULL, *limit = NULL, *current = NULL;
  guint64 available = 0;
  const gchar *line;

  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL)
      && (line = strstr (meminfo, "MemAvailable:")) != NULL)
    available = g_ascii_strtoull (line + strlen ("MemAvailable:"), NULL, 10)
                * 1024;
  if (available == 0)
    {
      long pages = sysconf (_SC_AVPHYS_PAGES), size = sysconf (_SC_PAGESIZE);

      if (pages > 0 && size > 0)
        available = (guint64) pages * (guint64) size;
    }
  if (g_file_get_contents ("/sys/fs/cgroup/memory.max", &limit, NULL, NULL)
      && g_ascii_isdigit (limit[0])
      && g_file_get_contents ("/sys/fs/cgroup/memory.current", &current,
                              NULL, NULL))
    {
      guint64 max = g_ascii_strtoull (limit, NULL, 10);
      guint64 used = g_ascii_strtoull (current, NULL, 10);
      guint64 room = max > used ? max - used : 0;

      if (available == 0 || room < available)
        available = room;
    }
  return available;
}

/* Refuses, before anything is decoded, to run a whole-image method on an
 * image whose working memory would exceed the available memory: such a
 * run would end in swapping or the OOM killer, minutes later. */
gboolean
evenlight_cli_check_memory (EvenlightCliMethod method,
                            const gchar       *input,
                            GError           **error)
{
  gint width, height, bpp;
  guint64 needed, available;
  g_autofree gchar *need_text = NULL, *have_text = NULL;

  if (method == EVENLIGHT_CLI_METHOD_NET)
    return TRUE;   /* tiled: bounded memory */
  if (!evenlight_cli_image_probe (input, &width, &height, &bpp, error))
    return FALSE;
  needed = (guint64) width * (guint64) height
           * ((method == EVENLIGHT_CLI_METHOD_CLASSIC ? CLASSIC_BYTES_PER_PIXEL
                                        : LAIC_BYTES_PER_PIXEL)
              + 2 * (guint64) bpp);
  available = available_memory ();
  if (available == 0 || needed <= available)
    return TRUE;
  need_text = g_format_size (needed);
  have_text = g_format_size (available);
  g_set_error (error, EVENLIGHT_ERROR, EVENLIGHT_ERROR_NO_MEMORY,
               "Not enough memory for --method %s on this %d × %d image: it "
               "needs about %s and %s are available. Use --method net (the "
               "default), which works tile by tile in bounded memory.",
               method == EVENLIGHT_CLI_METHOD_CLASSIC ? "classic" : "laic", width, height,
               need_text, have_text);
  return FALSE;
}
