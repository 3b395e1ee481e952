#!/usr/bin/python3
# Tests of the PyTorch reference network and the weights container.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks weights/train/model.py against MODEL.md and export.py's container.

Exits 77 (meson's "skipped") when torch cannot be imported.
"""

import math
import os
import sys
import tempfile
import unittest

try:
    import numpy as np
    import torch
except ImportError:
    sys.exit(77)

SRC = os.environ.get("EVENLIGHT_SOURCE_ROOT",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.environ.get("EVENLIGHT_TEST_DATA", os.path.join(SRC, "tests", "data"))
sys.path.insert(0, os.path.join(SRC, "weights", "train"))

import export  # noqa: E402
import model   # noqa: E402
from model import EvenlightNet  # noqa: E402

torch.set_num_threads(2)

# Every tensor of MODEL.md §1, §3, §4 with its shape.
EXPECTED = {
    "illum.conv1.weight": (6, 4, 3, 3), "illum.conv1.bias": (6,),
    "illum.conv2.weight": (8, 6, 3, 3), "illum.conv2.bias": (8,),
    "illum.conv3.weight": (8, 8, 3, 3), "illum.conv3.bias": (8,),
    "illum.global.weight": (8, 8), "illum.global.bias": (8,),
    "illum.grid.weight": (8, 8, 1, 1), "illum.grid.bias": (8,),
    "fusion.enc1.weight": (6, 9, 3, 3), "fusion.enc1.bias": (6,),
    "fusion.enc2.weight": (6, 6, 3, 3), "fusion.enc2.bias": (6,),
    "fusion.mid.weight": (6, 6, 3, 3), "fusion.mid.bias": (6,),
    "fusion.dec1.weight": (6, 6, 3, 3), "fusion.dec1.bias": (6,),
    "fusion.out.weight": (3, 6, 1, 1), "fusion.out.bias": (3,),
    "fusion.skip.weight": (3, 9, 1, 1),
    "restore.conv1.weight": (8, 12, 3, 3), "restore.conv1.bias": (8,),
    "restore.conv2.weight": (8, 8, 3, 3), "restore.conv2.bias": (8,),
    "restore.conv3.weight": (8, 8, 3, 3), "restore.conv3.bias": (8,),
    "restore.out1.weight": (12, 8, 1, 1), "restore.out1.bias": (12,),
    "restore.out2.weight": (12, 8, 1, 1), "restore.out2.bias": (12,),
    "restore.out3.weight": (12, 8, 1, 1), "restore.out3.bias": (12,),
}


def random_image(h, w, seed):
    g = torch.Generator().manual_seed(seed)
    smooth = torch.nn.functional.interpolate(
        torch.rand(1, 3, 4, 5, generator=g), size=(h, w), mode="bilinear",
        align_corners=False)
    return (smooth ** 2 + 0.05 * torch.rand(1, 3, h, w, generator=g)).clamp(0, 1)


def trained_like_net(seed=3):
    torch.manual_seed(seed)
    net = EvenlightNet()
    with torch.no_grad():
        net.illum.grid.weight.mul_(5.0)
        net.fusion.out.weight.mul_(3.0)
    return net.double().eval()


def naive_slice(grid, v):
    """Per-pixel trilinear slicing written straight from MODEL.md §1."""
    nz, ny, nx = grid.shape
    h, w = v.shape
    out = np.empty((h, w))

    def ax(c, n):
        c = min(max(c, 0.0), n - 1.0)
        i0 = math.floor(c)
        return i0, min(i0 + 1, n - 1), c - i0

    for y in range(h):
        for x in range(w):
            x0, x1, tx = ax((x + 0.5) * (nx / w) - 0.5, nx)
            y0, y1, ty = ax((y + 0.5) * (ny / h) - 0.5, ny)
            z0, z1, tz = ax(v[y, x] * nz - 0.5, nz)
            s = 0.0
            for zi, wz in ((z0, 1 - tz), (z1, tz)):
                for yi, wy in ((y0, 1 - ty), (y1, ty)):
                    for xi, wx in ((x0, 1 - tx), (x1, tx)):
                        s += wz * wy * wx * grid[zi, yi, xi]
            out[y, x] = max(s, v[y, x])
    return out


def naive_phi(n, g3):
    """Φ of one H×W channel, block by block, straight from MODEL.md §5."""
    h, w = n.shape
    d = np.array([[(math.sqrt(1 / 8) if u == 0 else math.sqrt(2 / 8))
                   * math.cos(math.pi * (2 * k + 1) * u / 16) for k in range(8)]
                  for u in range(8)])
    c = 15 * (1 - g3)
    m = np.clip(np.add.outer(np.arange(8), np.arange(8)) + 1 - c, 0, 1)
    out = np.zeros((h, w))
    for oy in range(-4, h, 4):
        for ox in range(-4, w, 4):
            ys = np.clip(np.arange(oy, oy + 8), 0, h - 1)
            xs = np.clip(np.arange(ox, ox + 8), 0, w - 1)
            b = n[np.ix_(ys, xs)]
            f = d.T @ (m * (d @ b @ d.T)) @ d
            for i in range(8):
                for j in range(8):
                    y, x = oy + i, ox + j
                    if 0 <= y < h and 0 <= x < w:
                        out[y, x] += f[i, j]
    return out / 4


class ContainerTest(unittest.TestCase):
    def test_round_trip(self):
        net = EvenlightNet()
        sd = net.state_dict()
        data = export.encode(sd, model.ARCH)
        arch, tensors = export.decode(data)
        self.assertEqual(arch, "evenlight-net-v1")
        self.assertEqual(list(tensors), list(sd))
        for k, v in sd.items():
            np.testing.assert_array_equal(tensors[k], v.numpy())
        self.assertEqual(export.encode(tensors, arch), data)

    def test_layout(self):
        data = export.encode({"a": np.array([1.5, -2.0], np.float32)}, "x")
        expect = (b"EVNLIGHT" + (1).to_bytes(4, "little") + (1).to_bytes(4, "little")
                  + b"x" + (1).to_bytes(4, "little") + (1).to_bytes(4, "little")
                  + b"a" + (1).to_bytes(4, "little") + (2).to_bytes(4, "little")
                  + np.array([1.5, -2.0], "<f4").tobytes())
        self.assertEqual(data[:-32], expect)
        import hashlib
        self.assertEqual(data[-32:], hashlib.sha256(expect).digest())

    def test_corruption_detected(self):
        data = bytearray(export.encode(EvenlightNet().state_dict(), model.ARCH))
        for pos in (0, 20, len(data) // 2, len(data) - 1):
            bad = bytearray(data)
            bad[pos] ^= 0x40
            with self.assertRaises(export.FormatError):
                export.decode(bytes(bad))
        with self.assertRaises(export.FormatError):
            export.decode(bytes(data[:-40]))
        with self.assertRaises(export.FormatError):
            export.encode({"a": np.array([np.nan], np.float32)}, "x")


class ExposureTest(unittest.TestCase):
    """The exposure step (MODEL.md §5b)."""

    def test_curve(self):
        x = torch.linspace(0, 1, 1001, dtype=torch.float64)
        np.testing.assert_allclose(model.exposure_curve(x, 1.0), x, atol=1e-12)
        for g in (1.5, 4.0, 16.0):
            y = model.exposure_curve(x, g)
            self.assertEqual(float(y[0]), 0.0)
            self.assertAlmostEqual(float(y[-1]), 1.0, places=12)
            self.assertTrue(bool((y[1:] >= y[:-1]).all()))
            self.assertTrue(bool((y >= x - 1e-12).all()))

    def test_gain(self):
        r = random_image(40, 50, 8)[0].double() * 0.3
        luma = lambda t: float((0.299 * t[0] + 0.587 * t[1] + 0.114 * t[2]).mean())  # noqa: E731
        self.assertEqual(model.exposure_gain(r, luma(r) - 0.01), 1.0)
        g = model.exposure_gain(r, 0.3)
        self.assertGreater(g, 1.0)
        self.assertAlmostEqual(luma(model.exposure_curve(r, g)), 0.3, places=5)
        self.assertEqual(model.exposure_gain(r, 0.999), model.EXPOSURE_GAIN_MAX)

    def test_thumb_size(self):
        self.assertEqual(model.thumb_size(77, 128), (77, 128))
        self.assertEqual(model.thumb_size(2000, 3000), (85, 128))
        self.assertEqual(model.thumb_size(3, 4000), (1, 128))

    def test_floor_round_trip_and_shadows_zero(self):
        net = trained_like_net()
        img = (random_image(37, 53, 4) * 0.3).double()
        plain = [net(img, g1, 0.4, 0.75)["R"] for g1 in (0.0, 1.0)]
        net.exposure_floor = 0.5
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "w.bin")
            export.export_model(net.float(), path)
            back = export.load_model(path).double().eval()
        self.assertAlmostEqual(back.exposure_floor, 0.5)
        o0, o1 = (back(img, g1, 0.4, 0.75) for g1 in (0.0, 1.0))
        self.assertGreater(o1["gain"][0], 1.0)
        # Shadows 0: no step; Shadows 1: brighter than without it.
        torch.testing.assert_close(o0["R"], plain[0], rtol=0, atol=1e-6)
        self.assertGreater(float(o1["R"].mean()), float(plain[1].mean()) + 0.01)
        # Training's forward (exposure=False) is the network alone.
        torch.testing.assert_close(back(img, 1.0, 0.4, 0.75, exposure=False)["R"], plain[1],
                                   rtol=0, atol=1e-6)

    def test_sliders_are_the_engines_defaults(self):
        """The thumbnail runs at the default sliders, in C and here."""
        import evaluate
        self.assertEqual(tuple(model.EXPOSURE_SLIDERS), evaluate.slider_defaults())

    def test_bad_floor_rejected(self):
        sd = dict(EvenlightNet().state_dict())
        sd[model.EXPOSURE_FLOOR] = np.array([0.3, 0.4], np.float32)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "w.bin")
            export.write(path, sd, model.ARCH)
            with self.assertRaises(export.FormatError):
                export.load_model(path)


class BracketFusionTest(unittest.TestCase):
    """The Fusion-Net for brackets (MODEL.md §3b): saved as "bracket.*",
    read back, used by fuse_bracket and nothing else."""

    def test_round_trip_and_use(self):
        net = EvenlightNet(model.ARCH_V2).double().eval()
        ex = [(random_image(29, 41, s) * f).double() for s, f in ((1, 0.25), (2, 0.6), (3, 1.0))]
        img = ex[1]
        shared = net.fuse_bracket(ex, 0.0)
        photo = net(img, 1.0, 0.4, 0.5)["R"]
        own = net.add_bracket_fusion()
        for p in own.parameters():
            torch.nn.init.zeros_(p)
        # Zero logits: weights 1/3 each, so R1 is the mean of the three.
        mean = torch.clamp((ex[0] + ex[1] + ex[2]) / 3, 0, 1)
        torch.testing.assert_close(net.fuse_bracket(ex, 0.0), mean, rtol=0, atol=1e-12)
        self.assertGreater(float((shared - mean).abs().max()), 0.01)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "w.bin")
            export.export_model(net.float(), path)
            names = set(export.read(path)[1])
            back = export.load_model(path).double().eval()
        self.assertIn("bracket.enc1.weight", names)
        self.assertIn("bracket.global.bias", names)
        torch.testing.assert_close(back.fuse_bracket(ex, 0.0), mean, rtol=0, atol=1e-6)
        torch.testing.assert_close(back(img, 1.0, 0.4, 0.5)["R"], photo, rtol=0, atol=1e-6)


class MefSsimTest(unittest.TestCase):
    def test_torch_matches_numpy(self):
        """The training loss (mef_ssim_torch) is the measure (mef_ssim)."""
        sys.path.insert(0, os.path.join(SRC, "weights", "fuse"))
        import mef_ssim
        import mef_ssim_torch
        rng = np.random.default_rng(3)
        base = rng.uniform(0, 1, (70, 90, 3)).cumsum(axis=1) / 45
        ex = [np.clip(base * f, 0, 1) for f in (0.3, 0.7, 1.6)]
        fused = (ex[0] + ex[1] + ex[2]) / 3
        want = mef_ssim.mef_ssim([e * 255 for e in ex], fused * 255)[0]
        t = [torch.from_numpy(e.transpose(2, 0, 1))[None] for e in ex]
        got = float(mef_ssim_torch.mef_ssim(t, torch.from_numpy(fused.transpose(2, 0, 1))[None]))
        self.assertAlmostEqual(got, want, places=9)
        self.assertLess(want, 0.999)


class NetworkTest(unittest.TestCase):
    def test_names_shapes_count(self):
        sd = EvenlightNet().state_dict()
        self.assertEqual({k: tuple(v.shape) for k, v in sd.items()}, EXPECTED)
        self.assertEqual(model.count_params(EvenlightNet()), 5284)

    def test_properties(self):
        net = trained_like_net()
        x = random_image(23, 31, 1).double()
        with torch.no_grad():
            r0 = net(x, 0.8, 0.6, 0.0)
            r1 = net(x, 0.8, 0.6, 1.0)
            rh = net(x, 0.8, 0.6, 0.5)
        # γ3 = 0 gives R1 exactly, γ3 = 1 adds all of N.
        self.assertTrue(torch.equal(r0["R"], r0["R1"].clamp(0, 1)))
        self.assertTrue(torch.equal(r1["R"], (r1["R1"] + r1["N"]).clamp(0, 1)))
        self.assertGreater(float((rh["R"] - r0["R"]).abs().max()), 1e-3)
        # Softmax weights: positive, sum to 1; R1 stays in [0, 1].
        w = r0["weights"]
        self.assertTrue(bool((w > 0).all()))
        self.assertLess(float((w.sum(1) - 1).abs().max()), 1e-12)
        self.assertGreaterEqual(float(r0["R1"].min()), 0.0)
        self.assertLessEqual(float(r0["R1"].max()), 1.0 + 1e-12)
        # L ≥ bright channel, Li ≥ bright channel of the inverted image.
        self.assertTrue(bool((r0["L"][:, 0] >= x.max(1)[0]).all()))
        self.assertTrue(bool((r0["Li"][:, 0] >= (1 - x).max(1)[0]).all()))
        # Shadows lifted, highlights suppressed (up to the ε of §2).
        self.assertTrue(bool((r0["I_U"] >= x / (1 + model.EPS) - 1e-12).all()))
        self.assertTrue(bool((r0["I_O"] <= 1 - (1 - x) / (1 + model.EPS) + 1e-12).all()))

    def test_slicing_matches_formula(self):
        g = torch.Generator().manual_seed(5)
        grid = torch.rand(1, 8, 16, 16, generator=g, dtype=torch.float64)
        v = torch.rand(1, 1, 13, 29, generator=g, dtype=torch.float64)
        v[0, 0, 0, 0], v[0, 0, 1, 1] = 0.0, 1.0
        got = model.slice_grid(grid, v)[0, 0].numpy()
        want = naive_slice(grid[0].numpy(), v[0, 0].numpy())
        np.testing.assert_allclose(got, want, atol=1e-12)

    def test_fast_slicing_and_windows(self):
        g = torch.Generator().manual_seed(7)
        grid = torch.rand(2, 8, 16, 16, generator=g, dtype=torch.float64)
        v = torch.rand(2, 1, 40, 57, generator=g, dtype=torch.float64)
        np.testing.assert_allclose(model.slice_grid_fast(grid, v).numpy(),
                                   model.slice_grid(grid, v).numpy(), atol=1e-12)
        # A window sliced with its offset equals the same pixels of the whole.
        whole = model.slice_grid(grid, v)
        win = model.slice_grid(grid, v[..., 5:22, 9:40], [(40, 57)] * 2, [(5, 9)] * 2)
        np.testing.assert_allclose(win.numpy(), whole[..., 5:22, 9:40].numpy(), atol=1e-12)
        winf = model.slice_grid_fast(grid, v[..., 5:22, 9:40], (40, 57), (5, 9))
        np.testing.assert_allclose(winf.numpy(), whole[..., 5:22, 9:40].numpy(), atol=1e-12)

    def test_phi_matches_formula(self):
        g = torch.Generator().manual_seed(6)
        n = torch.randn(1, 1, 19, 26, generator=g, dtype=torch.float64)
        for g3 in (0.3, 0.5, 0.77):
            got = model.phi(n, g3)[0, 0].numpy()
            want = naive_phi(n[0, 0].numpy(), g3)
            np.testing.assert_allclose(got, want, atol=1e-12)
        # Mask all ones on the general path reproduces N (overlap-add / 4).
        np.testing.assert_allclose(model.phi(n, 1 - 1e-12).numpy(), n.numpy(), atol=1e-9)
        self.assertTrue(torch.equal(model.phi(n, 0.0), torch.zeros_like(n)))

    def test_resampling_formulas(self):
        x = torch.arange(2 * 5 * 7, dtype=torch.float64).view(1, 2, 5, 7)
        p = model.pack2(x)
        self.assertEqual(tuple(p.shape), (1, 8, 3, 4))
        for c in range(2):
            for dy in range(2):
                for dx in range(2):
                    for i in range(3):
                        for j in range(4):
                            self.assertEqual(
                                float(p[0, c * 4 + dy * 2 + dx, i, j]),
                                float(x[0, c, min(2 * i + dy, 4), min(2 * j + dx, 6)]))
        u = model.up2(x, 9, 13)
        self.assertEqual(tuple(u.shape), (1, 2, 9, 13))

        def coord(i, n):
            s = max(0.0, (i + 0.5) * 0.5 - 0.5)
            i0 = math.floor(s)
            return i0, min(i0 + 1, n - 1), s - i0

        for i in range(9):
            y0, y1, ty = coord(i, 5)
            for j in range(13):
                x0, x1, tx = coord(j, 7)
                a = x[0, 1]
                want = ((1 - ty) * ((1 - tx) * a[y0, x0] + tx * a[y0, x1])
                        + ty * ((1 - tx) * a[y1, x0] + tx * a[y1, x1]))
                self.assertAlmostEqual(float(u[0, 1, i, j]), float(want), places=10)


class TrainingDataTest(unittest.TestCase):
    def test_degrade(self):
        import degrade
        rng = np.random.default_rng(0)
        photo = (np.random.default_rng(1).random((40, 52, 3)) * 255).astype(np.uint8)
        a = degrade.degrade(photo, np.random.default_rng(5))
        b = degrade.degrade(photo, np.random.default_rng(5))
        np.testing.assert_array_equal(a, b)
        self.assertEqual(a.shape, photo.shape)
        self.assertTrue(0.0 <= a.min() and a.max() <= 1.0)
        np.testing.assert_allclose(a * 255, np.round(a * 255), atol=1e-4)
        # A window's exposure field equals the same pixels of the whole field.
        p = degrade.exposure_params(rng)
        whole = degrade.exposure_field(p, 60, 80)
        win = degrade.exposure_field(p, 20, 30, 11, 40, 60, 80)
        np.testing.assert_allclose(win, whole[11:31, 40:70], atol=1e-9)
        self.assertGreater(whole.max() - whole.min(), 0.5)

    def test_augment_window(self):
        import train
        a = np.arange(7 * 11).reshape(7, 11)
        for k in range(4):
            for flip in (False, True):
                for y0, x0, c in ((1, 2, 3), (0, 8, 3), (4, 0, 3)):
                    b = train.apply_aug(a, (k, flip))
                    (h, w), (y, x) = train.map_window(7, 11, y0, x0, c, (k, flip))
                    self.assertEqual(b.shape, (h, w))
                    np.testing.assert_array_equal(
                        b[y:y + c, x:x + c],
                        train.apply_aug(a[y0:y0 + c, x0:x0 + c], (k, flip)))


    def test_exposure_term_on_some_inputs(self):
        # --exposure-on: the term counts only the masked samples, averaged
        # over the whole batch; no mask is the plain term.
        import losses
        g = torch.Generator().manual_seed(7)
        out, tgt = torch.rand(4, 3, 16, 16, generator=g), torch.rand(4, 3, 16, 16, generator=g)
        full = losses.exposure(out, tgt)
        per = [float(losses.exposure(out[i:i + 1], tgt[i:i + 1])) for i in range(4)]
        self.assertAlmostEqual(float(full), sum(per) / 4, places=6)
        self.assertAlmostEqual(float(losses.exposure(out, tgt, mask=torch.ones(4))),
                               float(full), places=6)
        self.assertEqual(float(losses.exposure(out, tgt, mask=torch.zeros(4))), 0.0)
        m = torch.tensor([0.0, 1.0, 0.0, 1.0])
        self.assertAlmostEqual(float(losses.exposure(out, tgt, mask=m)),
                               (per[1] + per[3]) / 4, places=6)

    def test_selection_window(self):
        # --select-window: one lucky epoch (21.0 among about 20.5) ends a
        # stage early with a window of 1, not with a window of 3, which
        # keeps the state of the best three-epoch mean.
        import argparse
        import tempfile
        from unittest import mock
        import train
        scores = [20.0, 21.0, 20.3, 20.5, 20.7]

        def run_stage(window):
            with tempfile.TemporaryDirectory() as d:
                args = argparse.Namespace(seed=1, lr=1e-3, epoch_steps=1, patience=2,
                                          select_window=window, run_dir=d,
                                          curves=os.path.join(d, "curves.png"))
                run = train.Run(args)
                net = torch.nn.Linear(1, 1)
                seen = iter(scores)

                def batch(rng):
                    return (net.weight ** 2).sum() + net.bias ** 2, {}

                def val(n):
                    return next(seen), 0.0

                with mock.patch.object(train, "export_weights"):
                    best = train.train_stage(run, net, 1, list(net.parameters()), batch,
                                             val, len(scores))
                run.log_f.close()
                return best, len(run.history)

        self.assertEqual(run_stage(1), (21.0, 4))
        best, epochs = run_stage(3)
        self.assertEqual(epochs, 5)
        self.assertAlmostEqual(best, (21.0 + 20.3 + 20.5) / 3)

    def test_uneven_target(self):
        # --uneven-target photo: an input under a synthetic illumination
        # field is trained towards the clean photo, not its retouched
        # target; the other kinds keep the target.
        import train
        item = dict(photo_s=np.full((40, 48, 3), 100, np.uint8),
                    target_s=np.full((40, 48, 3), 200, np.uint8))
        for target, want in (("retouched", 200), ("photo", 100)):
            b = train.stage1_batch(np.random.default_rng(3), [item], 6, 32, 0.0, 0.0,
                                   uneven_target=target)
            self.assertEqual(b[5], ["uneven"] * 6)
            self.assertTrue(torch.allclose(b[2], torch.full_like(b[2], want / 255.0)))
        b = train.stage1_batch(np.random.default_rng(3), [item], 6, 32, 0.0, 1.0,
                               uneven_target="photo")
        self.assertEqual(b[5], ["dark"] * 6)
        self.assertTrue(torch.allclose(b[2], torch.full_like(b[2], 200 / 255.0)))

    def test_stage2_loss_after_the_exposure_step(self):
        # --stage2-exposure: R, its target and R1 of a dark crop go through
        # the exposure step of the crop's whole picture (gain above 1),
        # with the gradient reaching the Restoration-Net; without the flag
        # (or without a floor) they are left as they are.
        import train
        item = dict(id="d", photo=np.full((48, 56, 3), 20, np.uint8),
                    target=np.full((48, 56, 3), 30, np.uint8),
                    photo_s=np.full((24, 28, 3), 20, np.uint8))
        net = train.init_net(1)
        b = train.stage2_batch(np.random.default_rng(2), [item], 2, 32, p_real=1.0)
        self.assertIsNone(train.stage2_gains(net, b, True))
        net.exposure_floor = 0.4
        self.assertIsNone(train.stage2_gains(net, b, False))
        gains = train.stage2_gains(net, b, True)
        self.assertEqual(len(gains), 2)
        self.assertTrue(all(g > 1.5 for g in gains), gains)
        r, t, r1 = train.stage2_result(net, b, "clean", True)
        r_p, t_p, r1_p = train.stage2_result(net, b, "clean", False)
        self.assertTrue(torch.allclose(t, net.apply_exposure(t_p, gains, 1.0)))
        self.assertTrue(torch.allclose(r1, net.apply_exposure(r1_p, gains, 1.0)))
        self.assertGreater(float(t.mean()), float(t_p.mean()) + 0.05)
        r.sum().backward()
        self.assertGreater(float(net.restore.out1.weight.grad.abs().sum()), 0.0)

    def test_dark_inputs_of_a_batch(self):
        # Which inputs the exposure term sees: the synthetic dark captures,
        # and with "dark" the real photos darker than DARK_LUMA too.
        import train
        dim = torch.full((1, 3, 8, 8), 0.1)
        bright = torch.full((1, 3, 8, 8), 0.6)
        kinds, wholes = ["dark", "real", "real", "uneven"], [dim, dim, bright, dim]
        self.assertEqual(train.exposure_mask("synthetic-dark", kinds, wholes).tolist(),
                         [1.0, 0.0, 0.0, 0.0])
        self.assertEqual(train.exposure_mask("dark", kinds, wholes).tolist(),
                         [1.0, 1.0, 0.0, 0.0])
        self.assertEqual(train.exposure_mask("dark+real", kinds, wholes).tolist(),
                         [1.0, 1.0, 1.0, 0.0])
        self.assertIsNone(train.exposure_mask("all", kinds, wholes))


class GoldenTest(unittest.TestCase):
    def test_golden_vectors_reproduce(self):
        wpath = os.path.join(DATA, "golden-weights.bin")
        gpath = os.path.join(DATA, "golden.bin")
        net = export.load_model(wpath).eval()
        arch, g = export.read(gpath)
        self.assertEqual(arch, "evenlight-golden-v1")
        x = torch.from_numpy(g["input"])[None]
        self.assertEqual(x.shape[-2] % 2, 1)
        k = 0
        worst = 0.0
        with torch.no_grad():
            while f"case{k}.params" in g:
                g1, g2, g3 = (float(v) for v in g[f"case{k}.params"])
                r = net(x, g1, g2, g3)
                for name in ("I_U", "I_O", "weights", "R1", "N", "R"):
                    worst = max(worst, float(np.abs(
                        r[name][0].numpy() - g[f"case{k}.{name}"]).max()))
                if k == 0:
                    for name in ("grid", "grid_inv"):
                        worst = max(worst, float(np.abs(r[name][0].numpy() - g[name]).max()))
                    for name in ("L", "Li"):
                        worst = max(worst, float(np.abs(r[name][0, 0].numpy() - g[name]).max()))
                k += 1
        self.assertGreaterEqual(k, 3)
        # float32 evaluation against the float64-computed vectors.
        self.assertLess(worst, 1e-5)


if __name__ == "__main__":
    unittest.main(verbosity=1)
