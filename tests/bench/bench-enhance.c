/* Benchmark of the full pipeline (context + tiled enhance) and of a
 * preview render, with the compute bound of the network next to it.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-enhance [--weights FILE] [--runs N] [--threads 1,2]
 *                      [--denoise γ3] [--isa avx512|avx2|generic] [--quick]
 *                      [IMAGE.ppm | --size WxH | --case 0|1|2]... [WEIGHTS]
 * IMAGE.ppm: binary PPM (P6, 8 or 16 bits; tests/bench/run.sh makes them
 * from a photo). --size WxH: a synthetic photo-like image instead. Without
 * any, synthetic 1000×500, 1280×720 and 4000×3000 images; --case N picks
 * one of those three.
 * Weights: --weights, else $EVENLIGHT_WEIGHTS, else the repository's
 * weights/evenlight-v1.bin ($EVENLIGHT_SOURCE_ROOT), else the installed
 * file, else tests/data/golden-weights.bin (the speed does not depend on
 * the values); a .bin argument is taken as the weights. The kernels are
 * the engine's own choice; --isa (the same as $EVENLIGHT_ISA) overrides it.
 *
 * Only the public API (evenlight.h) is used, so the benchmark keeps
 * working whatever the engine does inside.
 */
#include "evenlight.h"
#include "bench-util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BENCH_X86 1
#endif

/* ---------------------------------------------------------------- images */

typedef struct
{
  gfloat *rgb;
  gfloat *out;
  gint    width, height;
  gchar  *name;
} Image;

static gboolean
image_read (const EvenlightRect *r, gfloat *rgb, gpointer data, GError **error)
{
  const Image *im = data;
  gint y;

  (void) error;
  for (y = 0; y < r->height; y++)
    memcpy (rgb + (gsize) y * r->width * 3, im->rgb + ((gsize) (r->y + y) * im->width + r->x) * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

static gboolean
image_write (const EvenlightRect *r, const gfloat *rgb, gpointer data, GError **error)
{
  const Image *im = data;
  gint y;

  (void) error;
  for (y = 0; y < r->height; y++)
    memcpy (im->out + ((gsize) (r->y + y) * im->width + r->x) * 3, rgb + (gsize) y * r->width * 3,
            (gsize) r->width * 3 * sizeof (gfloat));
  return TRUE;
}

/* Writes every page of the output buffer once, so that the peak RSS of a
 * case does not count the output image's first touch as the engine's. */
static void
image_touch_output (Image *im)
{
  memcpy (im->out, im->rgb, (gsize) im->width * im->height * 3 * sizeof (gfloat));
}

/* Dim, unevenly lit scene: a dark left side, a bright window, edges,
 * texture and sensor-like noise (used when no photo is given). */
static void
image_make (Image *im, gint width, gint height)
{
  guint32 state = 12345;
  gint x, y, c;

  im->width = width;
  im->height = height;
  im->name = g_strdup ("synthetic");
  im->rgb = g_new (gfloat, (gsize) width * height * 3);
  im->out = g_new (gfloat, (gsize) width * height * 3);
  for (y = 0; y < height; y++)
    {
      gfloat v = (y + 0.5f) / height;
      for (x = 0; x < width; x++)
        {
          gfloat u = (x + 0.5f) / width;
          gfloat light = 0.03f + 0.5f * u * u + (u > 0.6f && u < 0.9f && v > 0.1f && v < 0.4f ? 0.9f : 0.0f);
          gboolean object = (u - 0.35f) * (u - 0.35f) + (v - 0.6f) * (v - 0.6f) < 0.04f;
          for (c = 0; c < 3; c++)
            {
              gfloat refl = object ? 0.2f + 0.3f * c : 0.45f + 0.1f * sinf (x * 0.02f + c) * cosf (y * 0.03f);
              gfloat noise;
              state = state * 1664525u + 1013904223u;
              noise = ((state >> 8) / 16777216.0f - 0.5f) * 0.03f;
              im->rgb[((gsize) y * width + x) * 3 + c] = CLAMP (refl * light + noise, 0.0f, 1.0f);
            }
        }
    }
  image_touch_output (im);
}

/* Skips whitespace and comments of a PPM header, then reads a number. */
static gboolean
ppm_number (const guint8 *data, gsize length, gsize *pos, gint64 *value)
{
  while (*pos < length && (g_ascii_isspace (data[*pos]) || data[*pos] == '#'))
    {
      if (data[*pos] == '#')
        while (*pos < length && data[*pos] != '\n')
          (*pos)++;
      else
        (*pos)++;
    }
  if (*pos >= length || !g_ascii_isdigit (data[*pos]))
    return FALSE;
  *value = 0;
  while (*pos < length && g_ascii_isdigit (data[*pos]) && *value < 1000000)
    *value = *value * 10 + (data[(*pos)++] - '0');
  return TRUE;
}

static gboolean
image_load_ppm (Image *im, const gchar *path, GError **error)
{
  guint8 *data;
  gsize length, pos = 2, i, n;
  gint64 w, h, maxval;

  if (!g_file_get_contents (path, (gchar **) &data, &length, error))
    return FALSE;
  if (length < 2 || data[0] != 'P' || data[1] != '6'
      || !ppm_number (data, length, &pos, &w) || !ppm_number (data, length, &pos, &h)
      || !ppm_number (data, length, &pos, &maxval) || w < 1 || h < 1 || w > 100000
      || h > 100000 || maxval < 1 || maxval > 65535
      || length - pos - 1 < (gsize) w * h * 3 * (maxval > 255 ? 2 : 1))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s is not a complete binary PPM (P6) image", path);
      g_free (data);
      return FALSE;
    }
  pos++;                        /* the one whitespace byte after maxval */
  im->width = (gint) w;
  im->height = (gint) h;
  im->name = g_path_get_basename (path);
  n = (gsize) w * h * 3;
  im->rgb = g_new (gfloat, n);
  im->out = g_new (gfloat, n);
  for (i = 0; i < n; i++)
    {
      guint v = maxval > 255 ? (guint) data[pos + 2 * i] << 8 | data[pos + 2 * i + 1] : data[pos + i];
      im->rgb[i] = (gfloat) v / (gfloat) maxval;
    }
  g_free (data);
  image_touch_output (im);
  return TRUE;
}

static void
image_free (Image *im)
{
  g_free (im->rgb);
  g_free (im->out);
  g_free (im->name);
}

/* ------------------------------------------------------------ measuring */

static gdouble
thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* VmRSS or VmHWM of this process in MB, from /proc (-1 if unknown). */
static gdouble
proc_status_mb (const gchar *key)
{
  gchar *text = NULL, *p;
  gdouble mb = -1.0;

  if (g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      && (p = strstr (text, key)) != NULL)
    mb = g_ascii_strtod (p + strlen (key) + 1, NULL) / 1024.0;
  g_free (text);
  return mb;
}

/* Resets the peak RSS (VmHWM) to the current RSS so that each case gets
 * its own peak (Linux: /proc/self/clear_refs, value 5). */
static gboolean
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

/* ------------------------------------------------- cost of the network */

/* The bound counts floating-point operations: a multiply-add (MAC) is 2,
 * an add, multiply, min, max or compare 1, and a transcendental function
 * what a vectorised polynomial evaluation of it costs (range reduction and
 * a degree-5 polynomial: about 12 for exp, log + exp + 1 for pow). */
#define FLOPS_EXP 12.0
#define FLOPS_POW (2.0 * FLOPS_EXP + 1.0)
#define FLOPS_LERP 3.0          /* a + t·(b − a) */

/* DCT noise control, MODEL.md §5: 8 × 8 blocks with stride 4. */
#define DCT_N      8
#define DCT_STRIDE 4

/* Tensor shapes of a weights file (format: MODEL.md §8), read here rather
 * than typed in so the count follows the model. */
typedef struct
{
  GHashTable *dims;   /* name → gint[5]: ndim, dims */
} Shapes;

static gboolean
shapes_load (Shapes *sh, const gchar *path, GError **error)
{
  guint8 *data;
  gsize length, pos = 8;
  guint32 count, i;

  sh->dims = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_file_get_contents (path, (gchar **) &data, &length, error))
    return FALSE;
#define U32(v)                                                     \
  do {                                                             \
    if (pos + 4 > length) goto bad;                                \
    memcpy (&v, data + pos, 4);                                    \
    v = GUINT32_FROM_LE (v);                                       \
    pos += 4;                                                      \
  } while (0)
  {
    guint32 version, alen;
    U32 (version);
    (void) version;
    U32 (alen);
    pos += alen;
  }
  U32 (count);
  for (i = 0; i < count; i++)
    {
      guint32 nlen, ndim, d;
      gint *dims = g_new0 (gint, 5);
      gchar *name;
      gsize nval = 1;

      U32 (nlen);
      if (pos + nlen > length || nlen > 64)
        {
          g_free (dims);
          goto bad;
        }
      name = g_strndup ((const gchar *) data + pos, nlen);
      pos += nlen;
      U32 (ndim);
      if (ndim < 1 || ndim > 4)
        {
          g_free (name);
          g_free (dims);
          goto bad;
        }
      dims[0] = (gint) ndim;
      for (d = 0; d < ndim; d++)
        {
          guint32 v;
          U32 (v);
          dims[1 + d] = (gint) v;
          nval *= v;
        }
      pos += nval * 4;
      g_hash_table_insert (sh->dims, name, dims);
    }
#undef U32
  g_free (data);
  return TRUE;
bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: cannot read the tensor shapes", path);
  g_free (data);
  return FALSE;
}

/* Dimension @d (0-based) of tensor @name; 0 if absent. */
static gint
shape_dim (const Shapes *sh, const gchar *name, gint d)
{
  const gint *dims = g_hash_table_lookup (sh->dims, name);

  return dims != NULL && d < dims[0] ? dims[1 + d] : 0;
}

/* Multiply-adds per output pixel of a conv/linear weight [out][in][kh][kw]. */
static gdouble
conv_macs (const Shapes *sh, const gchar *name)
{
  gchar *w = g_strconcat (name, ".weight", NULL);
  gdouble m = shape_dim (sh, w, 0);
  gint d;

  for (d = 1; d < 4 && shape_dim (sh, w, d) > 0; d++)
    m *= shape_dim (sh, w, d);
  g_free (w);
  return m;
}

static gint
conv_out (const Shapes *sh, const gchar *name)
{
  gchar *w = g_strconcat (name, ".weight", NULL);
  gint n = shape_dim (sh, w, 0);

  g_free (w);
  return n;
}

/* flops of a conv layer per output pixel: MACs, bias, ReLU. */
static gdouble
conv_flops (const Shapes *sh, const gchar *name, gboolean bias, gboolean relu)
{
  return 2.0 * conv_macs (sh, name) + (bias + relu) * conv_out (sh, name);
}

enum { STAGE_FORMAT, STAGE_CONTEXT, STAGE_SLICE, STAGE_LIFT, STAGE_FUSION,
       STAGE_RESTORE, STAGE_DCT, STAGE_FINAL, N_STAGES };
static const gchar *stage_names[N_STAGES] = {
  "format conversion (sanitize packed RGB)",
  "context: guides, pooling, Illumination-Net x2",
  "bilateral-grid slicing x2 (L, Li)",
  "shadows/highlights terms I_U, I_O",
  "Fusion-Net (U-Net, up2, softmax, R1)",
  "Restoration-Net (3 branches)",
  "DCT noise control (8x8 blocks, stride 4)",
  "R = clamp(R1 + Phi)"
};

typedef struct
{
  gdouble flops[N_STAGES];   /* per full-resolution pixel */
  gdouble macs[N_STAGES];    /* the multiply-adds among them */
  gdouble total, total_macs;
  gdouble bytes;             /* moved to/from memory per pixel, at least */
} Cost;

/* Counts the cost per pixel of one @width × @height image, layer by layer
 * from the layer table (weights/MODEL.md) with the channel counts of the
 * weights file. γ3 = 0 skips the Restoration-Net and Φ, γ3 = 1 skips Φ's
 * DCT (MODEL.md §5 shortcuts), as the engine does. */
static void
cost_count (Cost *c, const Shapes *sh, gint width, gint height, gfloat denoise)
{
  gdouble px = (gdouble) width * height;
  gdouble w1 = (width + 1) / 2, h1 = (height + 1) / 2;
  gdouble half = w1 * h1 / px;                                  /* level 1 */
  gdouble quarter = ((w1 + 1) / 2) * ((h1 + 1) / 2) / px;      /* level 2 */
  gint pool = 128, s;
  gint cf = conv_out (sh, "fusion.mid");          /* U-Net channels      */
  gint cw = conv_out (sh, "fusion.out");          /* fusion weight maps  */
  gint cr = conv_out (sh, "restore.conv1");       /* restoration width   */
  gint co = conv_out (sh, "restore.out1");        /* packed noise chans  */
  gdouble illum = 0.0, illum_macs = 0.0, blocks;
  gint l, n_pos = pool;
  static const gchar *illum_convs[] = { "illum.conv1", "illum.conv2", "illum.conv3" };

  memset (c, 0, sizeof *c);
  /* Format: NaN → 0 and clamp to [0, 1], 3 operations per channel. */
  c->flops[STAGE_FORMAT] = 3 * 3;

  /* Context: the two guides (max of 3, 1 − min of 3), their pack2 + area
   * pooling (one add per value), then the Illumination-Net at a fixed size,
   * twice (image and inverted image). */
  for (l = 0; l < 3; l++)
    {
      n_pos /= 2;      /* stride 2: 128 → 64 → 32 → 16 */
      illum += conv_flops (sh, illum_convs[l], TRUE, TRUE) * n_pos * n_pos;
      illum_macs += conv_macs (sh, illum_convs[l]) * n_pos * n_pos;
    }
  illum += conv_flops (sh, "illum.global", TRUE, TRUE) + conv_flops (sh, "illum.grid", TRUE, FALSE) * n_pos * n_pos
           + (FLOPS_EXP + 2) * conv_out (sh, "illum.grid") * n_pos * n_pos;     /* sigmoid */
  illum_macs += conv_macs (sh, "illum.global") + conv_macs (sh, "illum.grid") * n_pos * n_pos;
  c->flops[STAGE_CONTEXT] = 2 + 3 + 2 * 1 + 2 * illum / px;
  c->macs[STAGE_CONTEXT] = 2 * illum_macs / px;

  /* Slicing, per guide: the bin coordinate (FMA, clamp, floor), 7 lerps of
   * the trilinear interpolation, L = max(s, v); x and y coordinates are per
   * column and row. The guides are computed again from the tile. */
  c->flops[STAGE_SLICE] = 5 + 2 * (2 + 2 + 1 + 7 * FLOPS_LERP + 1);
  c->macs[STAGE_SLICE] = 2 * 7;

  /* I_U = min(1, I · 1/(L^γ1 + ε)), I_O = max(0, 1 − (1 − I) · 1/(Li^γ2 + ε)):
   * per pixel two pow, two adds, two reciprocals; per channel 2 + 4. */
  c->flops[STAGE_LIFT] = 2 * FLOPS_POW + 4 + 3 * (2 + 4);

  /* Fusion-Net (MODEL.md §3). */
  c->flops[STAGE_FUSION] =
    conv_flops (sh, "fusion.enc1", TRUE, TRUE) * half
    + conv_flops (sh, "fusion.enc2", TRUE, TRUE) * quarter
    + conv_flops (sh, "fusion.mid", TRUE, TRUE) * quarter
    + (cf * 3 * FLOPS_LERP + cf) * half                  /* up2(mid) + enc1 */
    + conv_flops (sh, "fusion.dec1", TRUE, TRUE) * half
    + cf * 3 * FLOPS_LERP                                /* up2(dec1) → full */
    + conv_flops (sh, "fusion.out", TRUE, FALSE)
    + conv_flops (sh, "fusion.skip", FALSE, FALSE)
    + cw                                                 /* out + skip */
    + (cw - 1) + cw + cw * FLOPS_EXP + (cw - 1) + 1 + cw /* softmax */
    + 3 * (1 + 2 * 2);                                   /* R1, 3 channels */
  c->macs[STAGE_FUSION] =
    (conv_macs (sh, "fusion.enc1") + conv_macs (sh, "fusion.dec1") + cf * 3) * half
    + (conv_macs (sh, "fusion.enc2") + conv_macs (sh, "fusion.mid")) * quarter
    + cf * 3 + conv_macs (sh, "fusion.out") + conv_macs (sh, "fusion.skip") + 3 * 2;

  if (denoise > 0.0f)
    {
      /* Restoration-Net (MODEL.md §4), at the packed half resolution. */
      c->flops[STAGE_RESTORE] =
        3 * 2                                                  /* z = 2 R1 − 1 */
        + (conv_flops (sh, "restore.conv1", TRUE, TRUE)
           + conv_flops (sh, "restore.conv2", TRUE, TRUE)
           + cr                                                /* f1 + f2 */
           + conv_flops (sh, "restore.conv3", TRUE, TRUE)
           + conv_flops (sh, "restore.out1", TRUE, FALSE)
           + conv_flops (sh, "restore.out2", TRUE, FALSE)
           + conv_flops (sh, "restore.out3", TRUE, FALSE)
           + 2 * co) * half;                                   /* o1 + o2 + o3 */
      c->macs[STAGE_RESTORE] =
        3 + (conv_macs (sh, "restore.conv1") + conv_macs (sh, "restore.conv2")
             + conv_macs (sh, "restore.conv3") + conv_macs (sh, "restore.out1")
             + conv_macs (sh, "restore.out2") + conv_macs (sh, "restore.out3")) * half;
    }
  if (denoise > 0.0f && denoise < 1.0f)
    {
      /* Φ: per block and channel, forward and inverse separable 2-D DCT as
       * two passes of 8 × 8 × 8 MACs each, the mask, the overlap-add; then
       * the division by 4. Blocks start at 4a − 4 up to the last pixel. */
      gdouble per_block = 2 * (2 * DCT_N * DCT_N * DCT_N) * 2 + DCT_N * DCT_N + DCT_N * DCT_N;
      gint chans = co / 4;                                     /* unpack2 */

      blocks = (gdouble) ((height + DCT_STRIDE - 1) / DCT_STRIDE + 1)
               * ((width + DCT_STRIDE - 1) / DCT_STRIDE + 1) / px;
      c->flops[STAGE_DCT] = chans * (per_block * blocks + 1);
      c->macs[STAGE_DCT] = chans * 2 * 2 * DCT_N * DCT_N * DCT_N * blocks;
    }
  c->flops[STAGE_FINAL] = 3 * 3;
  for (s = 0; s < N_STAGES; s++)
    {
      c->total += c->flops[s];
      c->total_macs += c->macs[s];
    }
  /* Memory traffic through the API at the least: the context reads the
   * image once, the enhance reads it again and writes the result, packed
   * float RGB each time; every intermediate can stay in the cache of a
   * tile (the tile margins' re-reads are not counted). */
  c->bytes = 3 * 3 * sizeof (gfloat);
}

/* ------------------------------------------------------------ CPU peak */

typedef struct
{
  gint64   iters;
  gdouble  flops_per_s;   /* per thread-CPU second */
  gdouble  sink;
  gint     kind;          /* 0: FMA loop, 1: memory stream */
  gfloat  *a, *b;
  gsize    n;
  const gchar *isa;
} PeakJob;

/* Twelve independent FMA chains: enough to cover 4 cycles of latency on
 * two FMA pipes. */
#if defined(BENCH_X86)
__attribute__ ((target ("avx512f"))) static gdouble
fma_loop_avx512 (gint64 iters)
{
  __m512 acc[12], m = _mm512_set1_ps (0.999999f), a = _mm512_set1_ps (1e-7f);
  gfloat out[16];
  gdouble s = 0;
  gint i, k;

  for (k = 0; k < 12; k++)
    acc[k] = _mm512_set1_ps ((gfloat) k);
  for (gint64 it = 0; it < iters; it++)
    for (k = 0; k < 12; k++)
      acc[k] = _mm512_fmadd_ps (acc[k], m, a);
  for (k = 0; k < 12; k++)
    {
      _mm512_storeu_ps (out, acc[k]);
      for (i = 0; i < 16; i++)
        s += out[i];
    }
  return s;
}

__attribute__ ((target ("avx2,fma"))) static gdouble
fma_loop_avx2 (gint64 iters)
{
  __m256 acc[12], m = _mm256_set1_ps (0.999999f), a = _mm256_set1_ps (1e-7f);
  gfloat out[8];
  gdouble s = 0;
  gint i, k;

  for (k = 0; k < 12; k++)
    acc[k] = _mm256_set1_ps ((gfloat) k);
  for (gint64 it = 0; it < iters; it++)
    for (k = 0; k < 12; k++)
      acc[k] = _mm256_fmadd_ps (acc[k], m, a);
  for (k = 0; k < 12; k++)
    {
      _mm256_storeu_ps (out, acc[k]);
      for (i = 0; i < 8; i++)
        s += out[i];
    }
  return s;
}
#endif

static gdouble
fma_loop_scalar (gint64 iters)
{
  gfloat acc[12];
  gdouble s = 0;
  gint k;

  for (k = 0; k < 12; k++)
    acc[k] = (gfloat) k;
  for (gint64 it = 0; it < iters; it++)
    for (k = 0; k < 12; k++)
      acc[k] = fmaf (acc[k], 0.999999f, 1e-7f);
  for (k = 0; k < 12; k++)
    s += acc[k];
  return s;
}

static const gchar *
fma_isa (gint *lanes)
{
#if defined(BENCH_X86)
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    {
      *lanes = 16;
      return "avx512";
    }
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    {
      *lanes = 8;
      return "avx2";
    }
#endif
  *lanes = 1;
  return "scalar";
}

static gpointer
peak_thread (gpointer data)
{
  PeakJob *j = data;
  gdouble t0 = thread_cpu_s (), t;

  if (j->kind == 0)
    {
      gint lanes;
      const gchar *isa = fma_isa (&lanes);
#if defined(BENCH_X86)
      if (g_str_equal (isa, "avx512"))
        j->sink = fma_loop_avx512 (j->iters);
      else if (g_str_equal (isa, "avx2"))
        j->sink = fma_loop_avx2 (j->iters);
      else
#endif
        j->sink = fma_loop_scalar (j->iters);
      t = thread_cpu_s () - t0;
      j->flops_per_s = (gdouble) j->iters * 12 * lanes * 2 / t;
    }
  else
    {
      /* Streams: read a, write b (b = 0.5 a + b's own reuse avoided), the
       * same pattern as the pipeline (read the input, write the output). */
      gint64 it;
      gsize i;
      for (it = 0; it < j->iters; it++)
        for (i = 0; i < j->n; i++)
          j->b[i] = j->a[i] * 0.5f + 1.0f;
      t = thread_cpu_s () - t0;
      j->sink = j->b[j->n / 2];
      j->flops_per_s = (gdouble) j->iters * j->n * 2 * sizeof (gfloat) / t;   /* bytes/s */
    }
  return NULL;
}

/* Runs @n_threads copies of a loop at once; returns the sum of their
 * rates, each per second of its own CPU time, so that other programs
 * taking the cores away do not lower the figure. The best of @trials. */
static gdouble
peak_measure (gint kind, gint n_threads, gint64 iters, gsize n, gint trials)
{
  gdouble best = 0.0;
  gint tr, t;

  for (tr = 0; tr < trials; tr++)
    {
      PeakJob jobs[8];
      GThread *th[8];
      gdouble sum = 0.0;

      for (t = 0; t < n_threads; t++)
        {
          jobs[t] = (PeakJob) { .iters = iters, .kind = kind, .n = n };
          if (kind == 1)
            {
              jobs[t].a = g_new (gfloat, n);
              jobs[t].b = g_new (gfloat, n);
              for (gsize i = 0; i < n; i++)
                jobs[t].a[i] = jobs[t].b[i] = (gfloat) (i & 255);
            }
        }
      for (t = 0; t < n_threads; t++)
        th[t] = g_thread_new ("peak", peak_thread, &jobs[t]);
      for (t = 0; t < n_threads; t++)
        {
          g_thread_join (th[t]);
          sum += jobs[t].flops_per_s;
          g_free (jobs[t].a);
          g_free (jobs[t].b);
        }
      best = MAX (best, sum);
    }
  return best;
}

/* --------------------------------------------------------------- report */

typedef struct
{
  gdouble peak[3];   /* flop/s for 1 and 2 threads */
  gdouble bw[3];     /* bytes/s for 1 and 2 threads */
} Machine;

static gdouble
bound_ms (const Cost *c, const Machine *m, gint threads, gdouble px)
{
  gint t = CLAMP (threads, 1, 2);
  gdouble comp = c->total * px / m->peak[t] * 1e3;
  gdouble mem = c->bytes * px / m->bw[t] * 1e3;

  return MAX (comp, mem);
}

static gchar *
find_weights (const gchar *arg)
{
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  const gchar *data = g_getenv ("EVENLIGHT_TEST_DATA");
  gchar *candidates[4] = { NULL };
  gchar *found = NULL;
  gint i;

  if (arg != NULL)
    return g_strdup (arg);
  candidates[0] = g_strdup (g_getenv ("EVENLIGHT_WEIGHTS"));
  candidates[1] = root ? g_build_filename (root, "weights", "evenlight-v1.bin", NULL) : NULL;
  candidates[2] = g_strdup (evenlight_default_weights_path ());
  candidates[3] = data ? g_build_filename (data, "golden-weights.bin", NULL) : NULL;
  for (i = 0; i < 4; i++)
    if (found == NULL && candidates[i] != NULL && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      found = g_strdup (candidates[i]);
  for (i = 0; i < 4; i++)
    g_free (candidates[i]);
  return found;
}

static void
die (const gchar *what, GError *error)
{
  fprintf (stderr, "bench-enhance: %s%s%s\n", what, error ? ": " : "", error ? error->message : "");
  exit (1);
}

typedef struct
{
  gdouble mp, median[3], cpu[3];
} FitPoint;

/* Least-squares line time = a + b · MP over the sizes, for @t threads, of
 * the median wall time or (@use_cpu) of the median CPU time. */
static void
print_fit (const FitPoint *pts, gint n, gint t, gboolean use_cpu)
{
  FitPoint p[16];
  gdouble sx = 0, sy = 0, sxx = 0, sxy = 0, a, b, ss_res = 0, ss_tot = 0, my, worst = 0;
  gint i;

  n = MIN (n, 16);
  for (i = 0; i < n; i++)
    {
      p[i] = pts[i];
      if (use_cpu)
        p[i].median[t] = p[i].cpu[t];
    }
  for (i = 0; i < n; i++)
    {
      sx += p[i].mp;
      sy += p[i].median[t];
      sxx += p[i].mp * p[i].mp;
      sxy += p[i].mp * p[i].median[t];
    }
  if (n < 2 || n * sxx - sx * sx <= 0)
    {
      printf ("slope   threads=%d %s: needs two sizes or more\n", t, use_cpu ? "CPU " : "wall");
      return;
    }
  b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  a = (sy - b * sx) / n;
  my = sy / n;
  for (i = 0; i < n; i++)
    {
      gdouble fit = a + b * p[i].mp, r = p[i].median[t] - fit;
      ss_res += r * r;
      ss_tot += (p[i].median[t] - my) * (p[i].median[t] - my);
      worst = MAX (worst, fabs (r));
    }
  printf ("slope   threads=%d %s: %6.1f ms/MP, intercept %7.1f ms, R^2 %.4f, "
          "largest residual %.0f ms (%d sizes)\n",
          t, use_cpu ? "CPU " : "wall", b, a, ss_tot > 0 ? 1.0 - ss_res / ss_tot : 1.0, worst, n);
}

int
main (int argc, char **argv)
{
  static const gint default_sizes[][2] = { { 1000, 500 }, { 1280, 720 }, { 4000, 3000 } };
  const gchar *weights_arg = NULL;
  GPtrArray *inputs = g_ptr_array_new_with_free_func (g_free);   /* "file" or "=WxH" */
  EvenlightParams params;
  EvenlightModel *model;
  GError *error = NULL;
  Machine machine;
  Shapes shapes;
  Cost cost;
  FitPoint *fit;
  gchar *path, *load = NULL;
  gint runs = 5, i, s, t, r, n_fit = 0, lanes, preview_case = -1;
  gint threads_list[2] = { 1, 2 }, n_threads = 2;
  gdouble denoise = -1.0, best_preview_dist = G_MAXDOUBLE;
  gboolean quick = FALSE;

  for (i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          runs = atoi (argv[++i]);
          runs = MAX (runs, 1);
        }
      else if (g_str_equal (argv[i], "--weights") && i + 1 < argc)
        weights_arg = argv[++i];
      else if (g_str_equal (argv[i], "--denoise") && i + 1 < argc)
        denoise = atof (argv[++i]);
      else if (g_str_equal (argv[i], "--threads") && i + 1 < argc)
        {
          gchar **v = g_strsplit (argv[++i], ",", 2);
          n_threads = 0;
          for (gint k = 0; v[k] != NULL; k++)
            threads_list[n_threads++] = CLAMP (atoi (v[k]), 1, 2);
          g_strfreev (v);
        }
      else if (g_str_equal (argv[i], "--isa") && i + 1 < argc)
        g_setenv ("EVENLIGHT_ISA", argv[++i], TRUE);   /* read by the engine at first use */
      else if (g_str_equal (argv[i], "--case") && i + 1 < argc)
        {
          gint k = atoi (argv[++i]);
          if (k < 0 || k >= (gint) G_N_ELEMENTS (default_sizes))
            die ("--case wants 0, 1 or 2", NULL);
          g_ptr_array_add (inputs, g_strdup_printf ("=%dx%d", default_sizes[k][0], default_sizes[k][1]));
        }
      else if (g_str_has_suffix (argv[i], ".bin"))
        weights_arg = argv[i];
      else if (g_str_equal (argv[i], "--quick"))
        quick = TRUE;
      else if (g_str_equal (argv[i], "--size") && i + 1 < argc)
        g_ptr_array_add (inputs, g_strconcat ("=", argv[++i], NULL));
      else if (argv[i][0] == '-')
        {
          fprintf (stderr, "usage: bench-enhance [--weights FILE] [--runs N] [--threads 1,2] "
                           "[--denoise G3] [--isa ISA] [--quick] "
                           "[IMAGE.ppm | --size WxH | --case 0|1|2]... [WEIGHTS.bin]\n");
          return 2;
        }
      else
        g_ptr_array_add (inputs, g_strdup (argv[i]));
    }
  memset (&machine, 0, sizeof machine);
  if (inputs->len == 0)
    for (s = 0; s < (gint) G_N_ELEMENTS (default_sizes); s++)
      g_ptr_array_add (inputs, g_strdup_printf ("=%dx%d", default_sizes[s][0], default_sizes[s][1]));

  path = find_weights (weights_arg);
  if (path == NULL)
    die ("no weights file found (give one with --weights)", NULL);
  model = evenlight_model_load (path, &error);
  if (model == NULL)
    die ("cannot load the weights", error);
  if (!shapes_load (&shapes, path, &error))
    die ("cannot count the model's operations", error);
  evenlight_params_init_default (&params);
  if (denoise >= 0.0)
    params.denoise = (gfloat) denoise;
  if (!evenlight_params_validate (&params, &error))
    die ("bad slider value", error);

  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
  printf ("weights: %s\n", path);
  printf ("kernels: the engine's choice%s%s; load average: %s",
          g_getenv ("EVENLIGHT_ISA") ? ", EVENLIGHT_ISA=" : "",
          g_getenv ("EVENLIGHT_ISA") ? g_getenv ("EVENLIGHT_ISA") : "",
          load ? load : "unknown\n");
  printf ("sliders: shadows %.2f, highlights %.2f, denoise %.2f (defaults unless --denoise)\n\n",
          params.shadows, params.highlights, params.denoise);
  g_free (load);

  /* The limit: operations per pixel and the machine's peak. */
  cost_count (&cost, &shapes, 1280, 720, params.denoise);
  printf ("== compute bound: operations per full-resolution pixel, counted from the layer\n"
          "   table (weights/MODEL.md) with the weights file's tensor shapes (1280x720;\n"
          "   the context's share shrinks with size). MAC = 2 flops; exp = %.0f, pow = %.0f flops.\n",
          FLOPS_EXP, FLOPS_POW);
  printf ("   %-48s %8s %8s\n", "stage", "MACs/px", "flops/px");
  for (s = 0; s < N_STAGES; s++)
    printf ("   %-48s %8.1f %8.1f\n", stage_names[s], cost.macs[s], cost.flops[s]);
  printf ("   %-48s %8.1f %8.1f\n", "total", cost.total_macs, cost.total);
  printf ("   bytes moved per pixel, at least: %.0f (context reads the float RGB input, the\n"
          "   enhance reads it again and writes float RGB; intermediates stay in tile caches)\n",
          cost.bytes);
  {
    const gchar *isa = fma_isa (&lanes);
    gint64 iters = quick ? 2000000 : 20000000;
    gsize n = quick ? (4u << 20) : (32u << 20);    /* floats: 16 / 128 MB per buffer */
    gint trials = quick ? 1 : 3;

    for (t = 1; t <= 2; t++)
      {
        machine.peak[t] = peak_measure (0, t, iters, 0, trials);
        machine.bw[t] = peak_measure (1, t, quick ? 2 : 4, n, trials);
      }
    printf ("   CPU peak, %s FMA loop (12 chains, rate per thread-CPU second, best of %d):\n"
            "     1 thread %.1f GFLOP/s, 2 threads %.1f GFLOP/s\n"
            "   memory, read + write stream of %zu MB per thread: 1 thread %.1f GB/s, 2 threads %.1f GB/s\n"
            "   bound = max(flops / FMA peak, bytes / stream bandwidth) for the same thread count\n\n",
            isa, trials, machine.peak[1] / 1e9, machine.peak[2] / 1e9,
            n * sizeof (gfloat) >> 20, machine.bw[1] / 1e9, machine.bw[2] / 1e9);
  }

  printf ("== full pipeline = evenlight_context_new (reads the image once) + evenlight_enhance\n"
          "   (tiled, N threads) on an image in memory as packed float RGB; %d runs after a\n"
          "   warm-up. Wall ms: median, min-max. CPU: median process CPU time (all threads).\n"
          "   peakRSS: process peak during the case, incl. the float RGB input and output\n"
          "   (24 B/px); +engine: above the RSS before the case. bound: lower bound (above).\n"
          "   %%bound = bound / median wall; CPU/bnd1 = CPU time / one-core bound.\n"
          "   context: median wall ms of evenlight_context_new alone (one thread, part of\n"
          "   the median), ctx%% its share of the median.\n\n", runs);
  printf ("%-7s %-10s %6s %3s %8s %8s %8s %7s %8s %7s %7s %8s %6s %8s %8s %5s\n",
          "case", "size", "MP", "thr", "median", "min", "max", "ms/MP", "CPU", "peakRSS",
          "+engine", "bound", "%bound", "CPU/bnd1", "context", "ctx%");
  printf ("%-7s %-10s %6s %3s %8s %8s %8s %7s %8s %7s %7s %8s %6s %8s %8s %5s\n",
          "", "", "", "", "ms", "ms", "ms", "", "ms", "MB", "MB", "ms", "", "", "ms", "");
  fflush (stdout);

  fit = g_new0 (FitPoint, inputs->len);
  for (s = 0; s < (gint) inputs->len; s++)
    {
      const gchar *in = g_ptr_array_index (inputs, s);
      Image im = { 0 };
      EvenlightRect all;
      gdouble *ms = g_new (gdouble, runs), *cpu = g_new (gdouble, runs), mp, dist;
      gdouble *ctx_ms = g_new (gdouble, runs);

      if (in[0] == '=')
        {
          gint w = 0, h = 0;
          if (sscanf (in + 1, "%dx%d", &w, &h) != 2 || w < 1 || h < 1)
            die ("--size wants WxH", NULL);
          image_make (&im, w, h);
        }
      else if (!image_load_ppm (&im, in, &error))
        die ("cannot read the image", error);
      mp = (gdouble) im.width * im.height / 1e6;
      cost_count (&cost, &shapes, im.width, im.height, params.denoise);
      all = (EvenlightRect) { 0, 0, im.width, im.height };
      fit[n_fit].mp = mp;
      for (i = 0; i < n_threads; i++)
        {
          gdouble rss0, peak, bnd;
          gboolean reset;
          gchar extra[32] = "n/a";

          t = threads_list[i];
#if defined(__GLIBC__)
          /* Memory freed by earlier cases goes back to the system, so that
           * the engine's working memory shows in +engine. */
          malloc_trim (0);
#endif
          reset = reset_peak_rss ();
          rss0 = proc_status_mb ("VmRSS:");
          for (r = -1; r < runs; r++)
            {
              gint64 t0 = g_get_monotonic_time ();
              gdouble c0 = cpu_ms ();
              EvenlightContext *ctx = evenlight_context_new (model, im.width, im.height,
                                                             image_read, &im, &error);
              gint64 t1 = g_get_monotonic_time ();

              if (r >= 0)
                ctx_ms[r] = (t1 - t0) / 1000.0;
              if (ctx == NULL
                  || !evenlight_enhance (ctx, &params, &all, t, image_read, &im,
                                         image_write, &im, NULL, NULL, &error))
                die ("enhance failed", error);
              evenlight_context_free (ctx);
              if (r >= 0)
                {
                  ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
                  cpu[r] = cpu_ms () - c0;
                }
            }
          peak = proc_status_mb ("VmHWM:");
          fit[n_fit].median[t] = median_sorted (ms, runs);
          fit[n_fit].cpu[t] = median_sorted (cpu, runs);
          bnd = bound_ms (&cost, &machine, t, (gdouble) im.width * im.height);
          if (reset && peak >= 0 && rss0 >= 0)
            g_snprintf (extra, sizeof extra, "%.0f", peak - rss0);
          printf ("%-7s %4dx%-5d %6.2f %3d %8.1f %8.1f %8.1f %7.1f %8.1f %7.0f %7s %8.1f %5.1f%% %8.1f %8.1f %4.1f%%\n",
                  "full", im.width, im.height, mp, t, fit[n_fit].median[t], ms[0], ms[runs - 1],
                  fit[n_fit].median[t] / mp, median_sorted (cpu, runs), peak,
                  extra, bnd,
                  100.0 * bnd / fit[n_fit].median[t],
                  median_sorted (cpu, runs) / bound_ms (&cost, &machine, 1, (gdouble) im.width * im.height),
                  median_sorted (ctx_ms, runs),
                  100.0 * median_sorted (ctx_ms, runs) / fit[n_fit].median[t]);
          fflush (stdout);
        }
      n_fit++;
      /* The preview runs on the image nearest to 1280 × 720 that holds a
       * 512 × 512 region. */
      dist = fabs (mp - 0.9216);
      if (im.width >= 512 && im.height >= 512 && dist < best_preview_dist)
        {
          best_preview_dist = dist;
          preview_case = s;
        }
      g_free (ms);
      g_free (cpu);
      g_free (ctx_ms);
      image_free (&im);
    }
  printf ("\n");
  for (i = 0; i < n_threads; i++)
    {
      print_fit (fit, n_fit, threads_list[i], FALSE);
      print_fit (fit, n_fit, threads_list[i], TRUE);
    }
  printf ("   (least squares, median ms = intercept + slope x MP; linear growth shows as a\n"
          "    small intercept and R^2 near 1. The CPU-time fit is the one to trust on a\n"
          "    loaded machine: other programs stretch the wall time, not the CPU time)\n\n");

  /* Preview: one slider change on a 512 × 512 region with the context
   * ready, as the dialog does it (evenlight_render_region_threads on two
   * threads: everything recomputed when Shadows moves, only Φ from its
   * cache when Denoise moves); also the one-thread region call. */
  if (preview_case < 0)
    printf ("preview: skipped, no image of 512x512 or larger\n");
  else
    {
      const gchar *in = g_ptr_array_index (inputs, preview_case);
      Image im = { 0 };
      EvenlightContext *ctx;
      EvenlightRect rect;
      gint pr = MAX (runs, 5), k;
      gdouble med;
      gdouble *ms = g_new (gdouble, pr), *cpu = g_new (gdouble, pr), ctx_ms[64], ctx_cpu[64];
      gfloat *out = g_new (gfloat, 512 * 512 * 3);

      if (in[0] == '=')
        {
          gint w = 0, h = 0;
          sscanf (in + 1, "%dx%d", &w, &h);
          image_make (&im, w, h);
        }
      else if (!image_load_ppm (&im, in, &error))
        die ("cannot read the image", error);
      rect = (EvenlightRect) { (im.width - 512) / 2, (im.height - 512) / 2, 512, 512 };
      for (k = 0; k < MIN (pr, 64); k++)
        {
          gint64 t0 = g_get_monotonic_time ();
          gdouble c0 = cpu_ms ();
          ctx = evenlight_context_new (model, im.width, im.height, image_read, &im, &error);
          if (ctx == NULL)
            die ("context failed", error);
          ctx_ms[k] = (g_get_monotonic_time () - t0) / 1000.0;
          ctx_cpu[k] = cpu_ms () - c0;
          evenlight_context_free (ctx);
        }
      ctx = evenlight_context_new (model, im.width, im.height, image_read, &im, &error);
      printf ("== preview on %s (%dx%d): one slider change (shadows alternates 0.80 / 0.70,\n"
              "   or denoise 0.75 / 0.70), 512x512 region at the centre, context ready; %d runs\n"
              "   after a warm-up\n",
              im.name, im.width, im.height, pr);
      printf ("%-34s %8s %8s %8s %8s\n", "what", "median", "min", "max", "CPU");
      for (t = 1; t <= 3; t++)
        {
          EvenlightRegionCache *cache = evenlight_region_cache_new ();

          for (r = -1; r < pr; r++)
            {
              EvenlightParams p = params;
              gint64 t0;
              gdouble c0;

              if (t == 3)
                p.denoise = (r & 1) ? 0.7f : 0.75f;
              else
                p.shadows = (r & 1) ? 0.7f : 0.8f;
              t0 = g_get_monotonic_time ();
              c0 = cpu_ms ();
              if (t == 1)
                {
                  if (!evenlight_render_region_threads (ctx, &p, &rect, 2, NULL, image_read, &im,
                                                        out, 512 * 3, &error))
                    die ("render failed", error);
                }
              else if (t == 2)
                {
                  if (!evenlight_render_region (ctx, &p, &rect, image_read, &im, out, 512 * 3, &error))
                    die ("render failed", error);
                }
              else if (!evenlight_render_region_threads (ctx, &p, &rect, 2, cache, image_read, &im,
                                                         out, 512 * 3, &error))
                die ("render failed", error);
              if (r >= 0)
                {
                  ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
                  cpu[r] = cpu_ms () - c0;
                }
            }
          med = median_sorted (ms, pr);
          printf ("%-34s %8.1f %8.1f %8.1f %8.1f\n",
                  t == 1 ? "preview Shadows move, 2 thr" : t == 2 ? "preview render_region, 1 thr"
                  : "preview Denoise move, 2 thr",
                  med, ms[0], ms[pr - 1], median_sorted (cpu, pr));
          evenlight_region_cache_free (cache);
        }
      med = median_sorted (ctx_ms, MIN (pr, 64));
      printf ("%-34s %8.1f %8.1f %8.1f %8.1f\n", "context alone (once per image)",
              med, ctx_ms[0], ctx_ms[MIN (pr, 64) - 1],
              median_sorted (ctx_cpu, MIN (pr, 64)));
      printf ("   (ms, wall; CPU = process CPU time; the dialog's preview is the first line,\n"
              "    evenlight_render_region_threads as ui/ calls it)\n");
      evenlight_context_free (ctx);
      g_free (out);
      g_free (ms);
      g_free (cpu);
      image_free (&im);
    }

  g_hash_table_unref (shapes.dims);
  g_ptr_array_free (inputs, TRUE);
  g_free (fit);
  evenlight_model_free (model);
  g_free (path);
  return 0;
}
