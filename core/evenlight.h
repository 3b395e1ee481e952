/* evenlight — enhancement of non-uniformly lit photos.
 * Public API of libevenlight (C11 + GLib; no GIMP, no GTK).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The flow: load a model once (evenlight_model_load), build the global
 * context of an image once (evenlight_context_new: reads the whole image one
 * time, keeps only the low-resolution illumination grids), then render any
 * rectangle for any slider values (evenlight_render_region) or the whole
 * image in tiles on several threads (evenlight_enhance). A rectangle's output
 * is the same whichever other rectangles are rendered, in any order, on any
 * number of threads: the preview (evenlight_render_region_threads), the
 * full apply, the CLI and the tests all go through the tile renderer of
 * evenlight_render_region.
 *
 * Pixels are handed over by callbacks so that a caller never has to hold the
 * whole image in memory: the core asks for the rectangles it needs (each one
 * lies inside the image) and hands back results tile by tile.
 */
#ifndef EVENLIGHT_H
#define EVENLIGHT_H

#include <glib.h>

G_BEGIN_DECLS

#define EVENLIGHT_VERSION_STRING "0.1.0"

/* Errors, all reported through GError in the EVENLIGHT_ERROR domain. New
 * codes go at the end, so that the others keep their numbers. */
#define EVENLIGHT_ERROR (evenlight_error_quark ())
GQuark evenlight_error_quark (void);

typedef enum
{
  EVENLIGHT_ERROR_IO,            /* a file cannot be read or written        */
  EVENLIGHT_ERROR_FORMAT,        /* not a weights file, truncated, bad data  */
  EVENLIGHT_ERROR_VERSION,       /* weights file of an unknown version       */
  EVENLIGHT_ERROR_ARCHITECTURE,  /* weights for another network              */
  EVENLIGHT_ERROR_CHECKSUM,      /* weights file damaged                     */
  EVENLIGHT_ERROR_INVALID_ARGUMENT, /* out-of-range value, empty image, ... */
  EVENLIGHT_ERROR_CANCELLED,     /* the progress callback asked to stop      */
  EVENLIGHT_ERROR_INPUT,         /* the read callback failed                 */
  EVENLIGHT_ERROR_NO_MEMORY      /* a large buffer cannot be allocated       */
} EvenlightError;

/* A rectangle in image coordinates; width and height > 0. */
typedef struct
{
  gint x, y, width, height;
} EvenlightRect;

/* The three sliders of paper Eq. (10). Their ranges, labels and
 * descriptions are in the parameter table (params.h). */
typedef struct
{
  gfloat shadows;     /* γ1: how much dark regions are lifted          */
  gfloat highlights;  /* γ2: how much bright regions are brought down  */
  gfloat denoise;     /* γ3: how much of the noise estimate is removed */
} EvenlightParams;

/* Defaults used by the CLI and the plug-in (chosen as README explains);
 * the parameter table (params.c) takes them from here. */
#define EVENLIGHT_DEFAULT_SHADOWS    1.0f
#define EVENLIGHT_DEFAULT_HIGHLIGHTS 0.4f
#define EVENLIGHT_DEFAULT_DENOISE    0.75f

/* Fills @params with the defaults above. */
void evenlight_params_init_default (EvenlightParams *params);

/* Checks every value is finite and in its slider's range (params.c); the
 * message names the slider and its range. */
gboolean evenlight_params_validate (const EvenlightParams *params,
                                    GError               **error);

/* Called by the core for pixels it needs: write @rect's pixels as packed
 * R'G'B' float triplets, rect->width * 3 floats per row, into @rgb. @rect
 * always lies inside the image. Values may be anything (NaN and out-of-range
 * values are sanitised by the core). May be called from several threads at
 * once by evenlight_enhance(); a caller whose source is not thread-safe
 * locks inside. Return FALSE and set @error to abort. */
typedef gboolean (*EvenlightReadFunc) (const EvenlightRect *rect,
                                       gfloat              *rgb,
                                       gpointer             user_data,
                                       GError             **error);

/* Called by evenlight_enhance() with one finished tile: @rgb holds
 * rect->width * rect->height packed R'G'B' triplets in [0, 1]. Calls are
 * serialised (never two at once) but come in no particular order. */
typedef gboolean (*EvenlightWriteFunc) (const EvenlightRect *rect,
                                        const gfloat        *rgb,
                                        gpointer             user_data,
                                        GError             **error);

/* Progress in [0, 1]; return FALSE to cancel (the call then fails with
 * EVENLIGHT_ERROR_CANCELLED and nothing more is written). */
typedef gboolean (*EvenlightProgressFunc) (gdouble  fraction,
                                           gpointer user_data);

/* ---- Model ------------------------------------------------------------ */

typedef struct _EvenlightModel EvenlightModel;

/* Loads and validates a weights file (format: weights/MODEL.md §8). Every
 * failure is a GError whose message names the file and says what is wrong. */
EvenlightModel *evenlight_model_load      (const gchar  *path,
                                           GError      **error);
/* The same from memory; @name is used in messages. */
EvenlightModel *evenlight_model_load_data (const guint8 *data,
                                           gsize         length,
                                           const gchar  *name,
                                           GError      **error);
void            evenlight_model_free      (EvenlightModel *model);

/* The installed default weights file: $EVENLIGHT_WEIGHTS if set, else the
 * file installed with the program. Never NULL; the file may be missing. */
const gchar    *evenlight_default_weights_path (void);

/* ---- Context ---------------------------------------------------------- */

typedef struct _EvenlightContext EvenlightContext;

/* Builds the global context of a @width × @height image: reads it once, in
 * strips, through @read, and keeps the two low-resolution illumination
 * grids. The context holds no pixels and can be shared by threads. */
EvenlightContext *evenlight_context_new  (const EvenlightModel *model,
                                          gint                  width,
                                          gint                  height,
                                          EvenlightReadFunc     read,
                                          gpointer              user_data,
                                          GError              **error);
void              evenlight_context_free (EvenlightContext *context);

/* Renders @rect (inside the image) for @params into @out: rect->height rows
 * of rect->width packed R'G'B' triplets, rows @out_rowstride floats apart.
 * Reads the rectangle plus the margin the networks need through @read.
 * Thread-safe; uses no threads itself. */
gboolean evenlight_render_region (const EvenlightContext *context,
                                  const EvenlightParams  *params,
                                  const EvenlightRect    *rect,
                                  EvenlightReadFunc       read,
                                  gpointer                read_data,
                                  gfloat                 *out,
                                  gsize                   out_rowstride,
                                  GError                **error);

/* Tile geometry, for callers that stream an image through the render
 * calls in strips (the CLI replaces input rows with their result once no
 * later strip reads them): evenlight_render_region(),
 * evenlight_render_region_threads() and evenlight_enhance() read at most
 * evenlight_render_margin() pixels beyond each side of the rectangle they
 * render, and cut it into squares of evenlight_render_tile_size() pixels
 * from its top-left corner (a strip that many rows high cuts no tile in
 * two). */
gint evenlight_render_margin    (void);
gint evenlight_render_tile_size (void);

/* What the last evenlight_render_region_threads() call with this cache
 * computed before the Denoise slider acts (R1 and the noise estimate N of
 * paper Eq. 10, for its rectangle, Shadows and Highlights). A later call for
 * the same context, rectangle, Shadows and Highlights then only applies
 * Denoise (γ3), which costs a fraction of a full render; any other change
 * renders in full and refills the cache. The cache assumes the pixels
 * @read returns do not change: after an edit of the image, call
 * evenlight_region_cache_clear(). Holds about 40 bytes per pixel of the
 * rectangle. Not thread-safe: one call at a time per cache. */
typedef struct _EvenlightRegionCache EvenlightRegionCache;

EvenlightRegionCache *evenlight_region_cache_new   (void);
/* Forgets the cached rectangle (keeps the memory for the next one). */
void                  evenlight_region_cache_clear (EvenlightRegionCache *cache);
void                  evenlight_region_cache_free  (EvenlightRegionCache *cache);

/* evenlight_render_region() on @n_threads threads (0 = number of
 * processors; the calling thread is one of them), for an interactive
 * preview. The rectangle is cut into pieces of about a tile (more strips
 * when there are fewer pieces than threads) which the threads share out;
 * as every piece is rendered through its own window like a tile, the
 * output is the same bits as evenlight_render_region() and as the
 * whole-image render, for any @n_threads, with or without @cache (may be
 * NULL). Scratch memory: about one tile's per thread. A render from the
 * cache (Denoise alone changed) runs on the calling thread only. @read may
 * be called from several threads at once. Returns when the whole rectangle
 * is written; on failure @out is partly written and the cache is cleared. */
gboolean evenlight_render_region_threads (const EvenlightContext *context,
                                          const EvenlightParams  *params,
                                          const EvenlightRect    *rect,
                                          gint                    n_threads,
                                          EvenlightRegionCache   *cache,
                                          EvenlightReadFunc       read,
                                          gpointer                read_data,
                                          gfloat                 *out,
                                          gsize                   out_rowstride,
                                          GError                **error);

/* Renders all of @rect (usually the image or the selection bounds) in tiles
 * on @n_threads threads (0 = number of processors) and hands each finished
 * tile to @write. Working memory is O(tile × threads). The output does not
 * depend on @n_threads. @progress may be NULL. @write and @progress are
 * always called on the thread that called evenlight_enhance(); only @read
 * runs on the worker threads. */
gboolean evenlight_enhance (const EvenlightContext *context,
                            const EvenlightParams  *params,
                            const EvenlightRect    *rect,
                            gint                    n_threads,
                            EvenlightReadFunc       read,
                            gpointer                read_data,
                            EvenlightWriteFunc      write,
                            gpointer                write_data,
                            EvenlightProgressFunc   progress,
                            gpointer                progress_data,
                            GError                **error);

/* Convenience for whole images in memory (CLI, tests): @pixels are
 * @height rows of @width pixels of @channels floats (3 = RGB, 4 = RGBA,
 * 1 = gray, 2 = gray + alpha), rows @rowstride floats apart; the colour
 * channels are enhanced in place, alpha is left as it is, gray images stay
 * gray. */
gboolean evenlight_enhance_pixels (const EvenlightModel  *model,
                                   const EvenlightParams *params,
                                   gfloat                *pixels,
                                   gint                   width,
                                   gint                   height,
                                   gint                   channels,
                                   gsize                  rowstride,
                                   gint                   n_threads,
                                   GError               **error);

/* ---- Exposure fusion ----------------------------------------------------
 *
 * A bracket is 2 to EVENLIGHT_BRACKET_MAX exposures of one scene, all of
 * the same size, in any order. evenlight_bracket_context_new() reads each
 * exposure once (in strips), ranks them by mean brightness, estimates how
 * far each one moved against the middle one (a global translation, to a
 * fraction of a pixel) and keeps only those numbers. The context then
 * renders like any other through evenlight_render_region(),
 * evenlight_render_region_threads() and evenlight_enhance(), with the same
 * contract (a pixel does not depend on the tiling, the order or the number
 * of threads): the Fusion-Net takes the middle exposure as I, the brightest
 * as I_U and the darkest as I_O (paper Sec. 5.2), then the
 * Restoration-Net and Denoise (γ3) run as usual. Shadows and Highlights
 * are not used. With an even number of exposures the middle is the mean of
 * the two central ones; with more than three, the others do not take part
 * (README: "Exposure fusion" has the measurements behind this choice). For
 * these contexts the @read arguments of the render calls are ignored (pass
 * NULL): the pixels come from the bracket's own read function.
 *
 * The result covers the part of the scene every exposure sees: the
 * rectangle evenlight_bracket_get_crop() gives, in the coordinates of the
 * exposures (which is also the context's size). */

#define EVENLIGHT_BRACKET_MAX 9

/* Called for pixels of exposure @exposure (0 … n − 1, the caller's order):
 * like EvenlightReadFunc. May be called from several threads at once. */
typedef gboolean (*EvenlightBracketReadFunc) (gint                 exposure,
                                              const EvenlightRect *rect,
                                              gfloat              *rgb,
                                              gpointer             user_data,
                                              GError             **error);

typedef enum
{
  EVENLIGHT_BRACKET_NONE  = 0,
  EVENLIGHT_BRACKET_ALIGN = 1 << 0   /* estimate and undo a global shift */
} EvenlightBracketFlags;

/* Builds the context of a bracket of @n_exposures @width × @height images
 * read through @read (kept, with @user_data, for the renders: both must
 * outlive the context). With EVENLIGHT_BRACKET_ALIGN, an exposure whose
 * shift cannot be estimated reliably is used as it is and
 * evenlight_bracket_get_warning() says which and why. Fails when the
 * exposures share no pixel after alignment. */
EvenlightContext *evenlight_bracket_context_new (const EvenlightModel     *model,
                                                 gint                      n_exposures,
                                                 gint                      width,
                                                 gint                      height,
                                                 EvenlightBracketFlags     flags,
                                                 EvenlightBracketReadFunc  read,
                                                 gpointer                  user_data,
                                                 GError                  **error);

/* The size of the images @context renders: the image's, or for a bracket
 * the crop's. */
void         evenlight_context_get_size    (const EvenlightContext *context,
                                            gint                   *width,
                                            gint                   *height);
/* TRUE for a bracket's context. */
gboolean     evenlight_context_is_bracket  (const EvenlightContext *context);
/* The result's rectangle in the exposures' coordinates. */
void         evenlight_bracket_get_crop    (const EvenlightContext *context,
                                            EvenlightRect          *crop);
/* Where exposure @exposure's content lies against the middle exposure's:
 * its pixel (x + @dx, y + @dy) shows what the middle one shows at (x, y).
 * Zero without alignment. @rank: 0 for the darkest exposure, n − 1 for the
 * brightest. Any output pointer may be NULL. */
void         evenlight_bracket_get_exposure (const EvenlightContext *context,
                                             gint                    exposure,
                                             gdouble                *dx,
                                             gdouble                *dy,
                                             gint                   *rank);
/* NULL, or a message naming the exposures that could not be aligned. */
const gchar *evenlight_bracket_get_warning (const EvenlightContext *context);

G_END_DECLS

#endif /* EVENLIGHT_H */
