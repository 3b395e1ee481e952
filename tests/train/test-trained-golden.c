/* Parity of the C engine with the PyTorch reference for the TRAINED
 * weights (weights/evenlight-v1.bin).
 *
 *   test-trained-golden
 *       Compares the engine, with $EVENLIGHT_SOURCE_ROOT/weights/evenlight-v1.bin,
 *       against $EVENLIGHT_TEST_DATA/golden-trained.bin (made by
 *       weights/train/make_golden.py --weights: a crop of sample.jpg): grid,
 *       grid_inv, L, Li, and R1, N, R of every case within 1e-4. Needs no
 *       torch, runs in CI.
 *   test-trained-golden --dump WEIGHTS CASES OUT
 *       Runs WEIGHTS on the "input" (3 × H × W) of the container CASES for
 *       each "caseK.params" and writes raw little-endian float32 to OUT:
 *       grid, grid_inv (8 × 16 × 16 each), then per case R1, N, R (planar
 *       3 × H × W each; R through the tiled public path). For
 *       tests/train/test_parity_photos.py, which compares it with PyTorch on
 *       held-out photos.
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"
#include "test-util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TOLERANCE 1e-4

/* The planar "input" tensor of @golden as packed RGB. */
static gboolean
input_from (const EvenlightWeights *golden, TestImage *in, GError **error)
{
  const EvenlightTensor *t = evenlight_weights_lookup (golden, "input");
  gint c, y, x, h, w;
  gfloat *rgb;

  if (t == NULL || t->ndim != 3 || t->dims[0] != 3)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "the reference file has no 3 × H × W \"input\" tensor");
      return FALSE;
    }
  h = (gint) t->dims[1];
  w = (gint) t->dims[2];
  in->width = w;
  in->height = h;
  rgb = g_new (gfloat, (gsize) w * h * 3);
  for (c = 0; c < 3; c++)
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        rgb[((gsize) y * w + x) * 3 + c] = t->data[((gsize) c * h + y) * w + x];
  in->rgb = rgb;
  return TRUE;
}

/* Channels @c0 … @c0 + @channels − 1 of @p, planar, into @dst. */
static void
planes_copy (const EvenlightPlanes *p, gint c0, gint channels, gfloat *dst)
{
  gint c, y;

  for (c = 0; c < channels; c++)
    for (y = 0; y < p->height; y++)
      memcpy (dst + ((gsize) c * p->height + y) * p->width,
              evenlight_planes_row (p, c0 + c, y), (gsize) p->width * sizeof (gfloat));
}

static void
packed_to_planar (const gfloat *packed, gint w, gint h, gfloat *planar)
{
  gint c, y, x;

  for (c = 0; c < 3; c++)
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        planar[((gsize) c * h + y) * w + x] = packed[((gsize) y * w + x) * 3 + c];
}

/* The outputs of one case: R1, N, R (planar 3 × H × W each), and L, Li. */
typedef struct
{
  gfloat *r1, *n, *r, *l, *li;
} CaseOut;

static gboolean
run_case (const EvenlightContext *ctx, const TestImage *in, EvenlightScratch *s,
          const gfloat *g, CaseOut *o, GError **error)
{
  EvenlightRect all = { 0, 0, in->width, in->height };
  EvenlightParams params;
  gsize n = (gsize) in->width * in->height;
  gfloat *packed = g_new (gfloat, n * 3);
  gboolean ok;

  params.shadows = g[0];
  params.highlights = g[1];
  params.denoise = g[2];
  if (!evenlight_params_validate (&params, error))
    {
      g_free (packed);
      return FALSE;
    }
  /* One window over the whole image, keeping every plane for R1 and N. */
  ok = evenlight_render_tile (ctx, &params, &all, EVENLIGHT_TILE_MARGIN, test_image_read,
                              (gpointer) in, s, TRUE, packed, (gsize) in->width * 3, error);
  if (ok)
    {
      o->r1 = g_new (gfloat, n * 3);
      o->n = g_new (gfloat, n * 3);
      o->l = g_new (gfloat, n);
      o->li = g_new (gfloat, n);
      planes_copy (&s->r1, 0, 3, o->r1);
      planes_copy (&s->n, 0, 3, o->n);
      planes_copy (&s->l, 0, 1, o->l);
      planes_copy (&s->li, 0, 1, o->li);
      /* R through the tiled public path, as the CLI and plug-in get it. */
      ok = evenlight_render_region (ctx, &params, &all, test_image_read, (gpointer) in,
                                    packed, (gsize) in->width * 3, error);
    }
  if (ok)
    {
      o->r = g_new (gfloat, n * 3);
      packed_to_planar (packed, in->width, in->height, o->r);
    }
  g_free (packed);
  return ok;
}

static void
case_clear (CaseOut *o)
{
  g_free (o->r1);
  g_free (o->n);
  g_free (o->r);
  g_free (o->l);
  g_free (o->li);
  memset (o, 0, sizeof *o);
}

static const EvenlightTensor *
case_params (const EvenlightWeights *golden, gint k)
{
  gchar *name = g_strdup_printf ("case%d.params", k);
  const EvenlightTensor *t = evenlight_weights_lookup (golden, name);

  g_free (name);
  return (t != NULL && t->count == 3) ? t : NULL;
}

static gboolean
write_all (FILE *f, const gfloat *data, gsize n)
{
  return fwrite (data, sizeof (gfloat), n, f) == n;
}

static int
dump (const gchar *wpath, const gchar *cpath, const gchar *opath)
{
  GError *error = NULL;
  EvenlightModel *model = evenlight_model_load (wpath, &error);
  EvenlightWeights *cases = model ? evenlight_weights_load (cpath, &error) : NULL;
  EvenlightContext *ctx = NULL;
  EvenlightScratch *s = NULL;
  TestImage in = { NULL, 0, 0, 0 };
  FILE *f = NULL;
  int status = 1;
  gint k;

  if (cases == NULL || !input_from (cases, &in, &error))
    goto out;
  ctx = evenlight_context_new (model, in.width, in.height, test_image_read, &in, &error);
  if (ctx == NULL)
    goto out;
  f = fopen (opath, "wb");
  if (f == NULL)
    {
      g_printerr ("cannot write %s\n", opath);
      goto out;
    }
  if (!write_all (f, ctx->grid, EVENLIGHT_GRID_SIZE) || !write_all (f, ctx->grid_inv, EVENLIGHT_GRID_SIZE))
    goto out;
  s = evenlight_scratch_new ();
  for (k = 0; case_params (cases, k) != NULL; k++)
    {
      CaseOut o = { 0 };
      gsize n = (gsize) in.width * in.height * 3;
      gboolean ok = run_case (ctx, &in, s, case_params (cases, k)->data, &o, &error)
                    && write_all (f, o.r1, n) && write_all (f, o.n, n) && write_all (f, o.r, n);

      case_clear (&o);
      if (!ok)
        goto out;
    }
  status = 0;
out:
  if (f != NULL && fclose (f) != 0)
    status = 1;
  if (error != NULL)
    g_printerr ("%s\n", error->message);
  g_clear_error (&error);
  if (s)
    evenlight_scratch_free (s);
  if (ctx)
    evenlight_context_free (ctx);
  if (cases)
    evenlight_weights_free (cases);
  if (model)
    evenlight_model_free (model);
  g_free ((gpointer) in.rgb);
  return status;
}

/* ---- the golden test ------------------------------------------------------ */

static void
check (const gchar *name, const gfloat *ref, const gfloat *c_values, gsize n, gdouble *overall)
{
  gdouble worst = test_check_parity (name, ref, c_values, n, TOLERANCE);

  *overall = isnan (worst) ? INFINITY : MAX (*overall, worst);
}

static gchar *
file_sha256 (const gchar *path)
{
  gchar *data = NULL;
  gsize length = 0;
  GError *error = NULL;
  gchar *sum;

  g_assert_true (g_file_get_contents (path, &data, &length, &error));
  g_assert_no_error (error);
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  g_free (data);
  return sum;
}

static void
test_trained_golden (void)
{
  const gchar *dir = g_getenv ("EVENLIGHT_TEST_DATA");
  const gchar *root = g_getenv ("EVENLIGHT_SOURCE_ROOT");
  gchar *wpath, *gpath, *sum, *expected_arch;
  EvenlightModel *model;
  EvenlightWeights *golden;
  EvenlightContext *ctx;
  EvenlightScratch *s;
  GError *error = NULL;
  TestImage in = { NULL, 0, 0, 0 };
  gdouble overall = 0.0;
  gint k;

  g_assert_nonnull (dir);
  g_assert_nonnull (root);
  wpath = g_build_filename (root, "weights", "evenlight-v1.bin", NULL);
  gpath = g_build_filename (dir, "golden-trained.bin", NULL);
  model = evenlight_model_load (wpath, &error);
  g_assert_no_error (error);
  golden = evenlight_weights_load (gpath, &error);
  g_assert_no_error (error);

  /* The reference belongs to one weights file: a retrained file needs a new
   * golden-trained.bin, which is a different failure from engine drift. */
  sum = file_sha256 (wpath);
  expected_arch = g_strdup_printf ("golden-trained sha256:%.16s", sum);
  if (g_strcmp0 (evenlight_weights_architecture (golden), expected_arch) != 0)
    {
      g_test_message ("FAIL: %s was made for other weights (%s, expected %s); run "
                      "weights/train/make_golden.py --weights weights/evenlight-v1.bin",
                      gpath, evenlight_weights_architecture (golden), expected_arch);
      g_test_fail ();
      goto out;
    }

  g_assert_true (input_from (golden, &in, &error));
  g_assert_no_error (error);
  g_test_message ("trained golden: %d × %d crop, weights sha256 %.16s…", in.width, in.height, sum);
  ctx = evenlight_context_new (model, in.width, in.height, test_image_read, &in, &error);
  g_assert_no_error (error);
  check ("grid", test_tensor (golden, "grid", 3, 8, 16, 16), ctx->grid, EVENLIGHT_GRID_SIZE, &overall);
  check ("grid_inv", test_tensor (golden, "grid_inv", 3, 8, 16, 16), ctx->grid_inv, EVENLIGHT_GRID_SIZE,
         &overall);

  s = evenlight_scratch_new ();
  for (k = 0; case_params (golden, k) != NULL; k++)
    {
      const gfloat *g = case_params (golden, k)->data;
      guint h = (guint) in.height, w = (guint) in.width;
      gsize n = (gsize) h * w * 3;
      CaseOut o = { 0 };
      gchar *label;

      g_test_message ("case %d: γ1 = %g, γ2 = %g, γ3 = %g", k, g[0], g[1], g[2]);
      g_assert_true (run_case (ctx, &in, s, g, &o, &error));
      g_assert_no_error (error);
      if (k == 0)
        {
          check ("L", test_tensor (golden, "L", 2, h, w, 0), o.l, (gsize) h * w, &overall);
          check ("Li", test_tensor (golden, "Li", 2, h, w, 0), o.li, (gsize) h * w, &overall);
        }
#define CHECK_CASE(what, values)                                              \
      label = g_strdup_printf ("case%d." what, k);                            \
      check (label, test_tensor (golden, label, 3, 3, h, w), values, n, &overall); \
      g_free (label);
      CHECK_CASE ("R1", o.r1)
      CHECK_CASE ("N", o.n)
      CHECK_CASE ("R", o.r)
#undef CHECK_CASE
      case_clear (&o);
    }
  g_assert_cmpint (k, >=, 3);
  g_test_message ("largest difference over every tensor: %.3g (bound %g)", overall, TOLERANCE);

  evenlight_scratch_free (s);
  evenlight_context_free (ctx);
out:
  g_free ((gpointer) in.rgb);
  g_free (sum);
  g_free (expected_arch);
  evenlight_weights_free (golden);
  evenlight_model_free (model);
  g_free (wpath);
  g_free (gpath);
}

int
main (int argc, char **argv)
{
  if (argc == 5 && strcmp (argv[1], "--dump") == 0)
    return dump (argv[2], argv[3], argv[4]);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train/trained-golden", test_trained_golden);
  return g_test_run ();
}
