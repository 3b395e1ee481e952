# Golden test vectors for the C engine (weights/MODEL.md §9).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write tests/data/golden-weights.bin and tests/data/golden.bin, or, with
--weights, tests/data/golden-trained.bin for a trained weights file.

The weights are a fixed-seed random initialisation, rescaled so that every
path of the network is non-trivial (grid values spread over (0, 1), fusion
weights far from uniform, a noise map N of visible amplitude). The input is a
small synthetic photo-like image with odd sizes (45 × 67): a dim room with a
bright window, smooth shading, edges, a colour cast and sensor-like noise.

Weights and input are float32; every intermediate is computed in float64 from
those float32 values and stored as float32, so the stored vectors are the
exact network output up to one float32 rounding.

With --weights FILE the weights are that file (the shipped
weights/evenlight-v1.bin) and the input is a crop of tests/data/sample.jpg
(CC0; --crop X,Y,W,H, default an odd-sized window across the shadowed grass
and the bright sky); the vectors go to OUTDIR/golden-trained.bin with the
weights file's SHA-256 (first 16 digits) in its architecture string, so the C test
(tests/train/test-trained-golden.c) can tell a stale golden file from an
engine that drifted.

With --arch evenlight-net-v2 the random weights are those of v2 (the
Fusion-Net's global bias, MODEL.md §3), written to golden-v2-weights.bin and
golden-v2.bin.

Usage: make_golden.py [--arch evenlight-net-v2] [OUTDIR]   (default: tests/data next to this tree)
       make_golden.py --weights weights/evenlight-v1.bin [OUTDIR]
"""

import argparse
import hashlib
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export                      # noqa: E402
from model import ARCH, ARCH_V2, EvenlightNet, count_params, N_PARAMS, N_PARAMS_V2  # noqa: E402

H, W = 45, 67
SEED = 20260
# (γ1 shadows, γ2 highlights, γ3 denoise): γ3 in (0, 1), γ3 = 1, γ3 = 0, and
# fractional γ1/γ2 so that L^γ is exercised.
CASES = [(1.0, 1.0, 0.5), (0.6, 0.3, 1.0), (0.35, 0.8, 0.0), (1.0, 0.0, 0.85)]


def make_input(rng):
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    yn, xn = y / (H - 1), x / (W - 1)
    # Dim room: a smooth vertical/horizontal falloff.
    base = 0.04 + 0.18 * (1 - yn) * (0.5 + 0.5 * np.cos(3.0 * xn))
    img = np.stack([base * 1.05, base * 0.95, base * 0.8])
    # A bright window (partly clipped) with a frame.
    win = (yn > 0.12) & (yn < 0.55) & (xn > 0.58) & (xn < 0.9)
    glow = 0.75 + 0.3 * np.exp(-((xn - 0.74) ** 2 + (yn - 0.3) ** 2) / 0.02)
    for c, tint in enumerate((0.95, 1.0, 1.08)):
        img[c][win] = (glow * tint)[win]
    frame = (np.abs(xn - 0.74) < 0.012) & win
    img[:, frame] = 0.25
    # A mid-grey object with a hard edge and a reddish table in the shadow.
    obj = ((xn - 0.25) ** 2 / 0.02 + (yn - 0.7) ** 2 / 0.03) < 1
    img[0][obj], img[1][obj], img[2][obj] = 0.3, 0.12, 0.08
    img[:, yn > 0.88] *= 0.5
    # Signal-dependent noise, then 8-bit-like quantisation of a few values.
    img = img + rng.normal(0, 1, img.shape) * (0.004 + 0.02 * np.sqrt(np.clip(img, 0, 1)))
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def make_weights(seed, arch=ARCH):
    torch.manual_seed(seed)
    net = EvenlightNet(arch)
    with torch.no_grad():
        if arch == ARCH_V2:
            # A global bias of the fusion logits of about ±1.
            getattr(net.fusion, "global").weight.mul_(3.0)
            getattr(net.fusion, "global").bias.uniform_(-1.0, 1.0)
        # Larger grid logits so the sigmoid output spreads over (0, 1).
        net.illum.grid.weight.mul_(6.0)
        net.illum.grid.bias.uniform_(-1.5, 1.5)
        getattr(net.illum, "global").weight.mul_(2.0)
        # Non-uniform fusion weights.
        net.fusion.out.weight.mul_(4.0)
        net.fusion.skip.weight.mul_(3.0)
        # A noise map of visible amplitude (about ±0.1).
        for k in (1, 2, 3):
            getattr(net.restore, f"out{k}").weight.mul_(0.5)
            getattr(net.restore, f"out{k}").bias.mul_(0.2)
    return net


# The trained-weights cases: the training setting with γ3 = 0.5, the earlier
# defaults, full restoration, no restoration with fractional γ1/γ2, and the
# strongest Shadows (γ1 = 2, past the illumination map).
TRAINED_CASES = [(1.0, 1.0, 0.5), (0.8, 0.6, 0.5), (1.0, 1.0, 1.0), (0.35, 0.8, 0.0),
                 (2.0, 0.4, 0.5)]
# x, y, w, h in sample.jpg (800 × 450): the seed heads against the sun and
# the grass in shadow below them.
TRAINED_CROP = (331, 181, 73, 49)


def reference(net, img, cases):
    """The reference tensors of @net (float64) on @img (3×H×W float32)."""
    x = torch.from_numpy(img).double()[None]
    out = OrderedDict()
    out["input"] = img
    with torch.no_grad():
        for k, (g1, g2, g3) in enumerate(cases):
            r = net(x, g1, g2, g3, restore=True)
            if k == 0:
                for name in ("grid", "grid_inv"):
                    out[name] = r[name][0]
                for name in ("L", "Li"):
                    out[name] = r[name][0, 0]
            out[f"case{k}.params"] = np.array([g1, g2, g3], dtype=np.float32)
            for name in ("R1", "N", "R"):
                out[f"case{k}.{name}"] = r[name][0]
    return OrderedDict((k, export._as_array(v)) for k, v in out.items())


def weights_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main_trained(wpath, outdir, crop):
    from PIL import Image
    here = os.path.dirname(os.path.abspath(__file__))
    sample = os.path.join(here, "..", "..", "tests", "data", "sample.jpg")
    x0, y0, w, h = crop
    photo = np.asarray(Image.open(sample).convert("RGB"), dtype=np.float32) / 255.0
    img = np.ascontiguousarray(photo[y0:y0 + h, x0:x0 + w].transpose(2, 0, 1))
    assert img.shape == (3, h, w), img.shape
    net = export.load_model(wpath).double().eval()
    out = reference(net, img, TRAINED_CASES)
    for k in range(len(TRAINED_CASES)):
        d = float(np.abs(out[f"case{k}.R"] - out[f"case{k}.R1"].clip(0, 1)).max())
        print(f"case{k} {TRAINED_CASES[k]}: max|R − R1| {d:.4f}")
    gpath = os.path.join(outdir, "golden-trained.bin")
    # The architecture string holds 64 characters at most: a 16-digit prefix of
    # the digest identifies the weights file well enough.
    export.write(gpath, out, "golden-trained sha256:" + weights_digest(wpath)[:16])
    print("wrote", gpath, os.path.getsize(gpath), "bytes for", wpath)


def main():
    torch.set_num_threads(2)
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", nargs="?", default=os.path.join(here, "..", "..", "tests", "data"))
    ap.add_argument("--weights", help="a trained weights file: write golden-trained.bin")
    ap.add_argument("--arch", choices=(ARCH, ARCH_V2), default=ARCH,
                    help="random weights of this network: golden-weights.bin and "
                         "golden.bin (v1), golden-v2-weights.bin and golden-v2.bin (v2)")
    ap.add_argument("--crop", default=",".join(map(str, TRAINED_CROP)),
                    help="x,y,w,h of the sample.jpg window (with --weights)")
    a = ap.parse_args()
    if a.weights:
        main_trained(a.weights, a.outdir, tuple(int(v) for v in a.crop.split(",")))
        return
    outdir = a.outdir
    rng = np.random.default_rng(SEED)
    img = make_input(rng)
    net = make_weights(SEED, a.arch)
    assert count_params(net) == (N_PARAMS_V2 if a.arch == ARCH_V2 else N_PARAMS)
    stem = "golden-v2" if a.arch == ARCH_V2 else "golden"
    wpath = os.path.join(outdir, stem + "-weights.bin")
    export.export_model(net, wpath)
    # Re-read the file: the vectors are computed from exactly what it holds.
    net = export.load_model(wpath).double().eval()
    x = torch.from_numpy(img).double()[None]

    out = OrderedDict()
    out["input"] = img
    stats = []
    with torch.no_grad():
        for k, (g1, g2, g3) in enumerate(CASES):
            r = net(x, g1, g2, g3, restore=True)
            if k == 0:
                out["grid"] = r["grid"][0]
                out["grid_inv"] = r["grid_inv"][0]
                out["L"] = r["L"][0, 0]
                out["Li"] = r["Li"][0, 0]
            out[f"case{k}.params"] = np.array([g1, g2, g3], dtype=np.float32)
            for name in ("I_U", "I_O", "weights", "R1", "N", "R"):
                out[f"case{k}.{name}"] = r[name][0]
            stats.append((k, (g1, g2, g3),
                          float((r["R"] - r["R1"]).abs().max()),
                          float(r["weights"].max(1)[0].mean())))
        for name in ("grid", "grid_inv", "L", "Li"):
            t = out[name]
            print(f"{name:10s} min {float(t.min()):.3f} max {float(t.max()):.3f} "
                  f"std {float(t.std()):.3f}")
        n = out["case0.N"]
        print(f"N          min {float(n.min()):.3f} max {float(n.max()):.3f} "
              f"std {float(n.std()):.3f}")
        for k, g, d, wmax in stats:
            print(f"case{k} {g}: max|R−R1| {d:.4f}, mean max fusion weight {wmax:.3f}")
    out = OrderedDict((k, export._as_array(v)) for k, v in out.items())
    gpath = os.path.join(outdir, stem + ".bin")
    export.write(gpath, out, "evenlight-golden-v1")
    print("wrote", wpath, os.path.getsize(wpath), "bytes;", gpath,
          os.path.getsize(gpath), "bytes; arch", a.arch)


if __name__ == "__main__":
    main()
