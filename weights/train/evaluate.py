#!/usr/bin/python3
# Evaluates a weights file on the held-out (val) photos.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Evaluate evenlight weights on the val split and draw a before/after grid.

    /usr/bin/python3 weights/train/evaluate.py [--weights weights/evenlight-v1.bin]
        [--grid weights/grid.png]

Methods: the input unchanged; two simple baselines implemented here in numpy
(adaptive gamma: the brightness V = max(R, G, B) raised to the power that maps
its median to 0.45, colours scaled with V; CLAHE: contrast-limited adaptive
histogram equalisation of V on 8 × 8 tiles, clip limit 2, colours scaled with
V); the network without restoration (γ3 = 0) and with it (γ3 = 0.5 and 1),
γ1 = γ2 = 1 (the training setting), at the default sliders of
core/evenlight.h, and at any --sliders G1 G2 G3 given.

Measures, on the val photos at their stored resolution (long side ≤ 1024):
- real photos: PSNR / SSIM against the classic-retouched targets, and LOE
  (lightness-order error, Wang et al. 2013, on V downsampled to 100 px on
  the short side) against the input;
- synthetic degradations (degrade.py, fixed seed, one per photo): PSNR / SSIM
  against the target and against the original photo.
SSIM is losses.ssim (7 × 7 uniform window, mean over channels).
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import degrade  # noqa: E402
import export   # noqa: E402
import losses   # noqa: E402
from photos import read_manifest, load_rgb, _read_png16  # noqa: E402


# -------------------------------------------------------------- baselines

def _scale_colours(rgb, v, v2):
    return np.clip(rgb * (v2 / np.maximum(v, 1e-4))[..., None], 0, 1)


def adaptive_gamma(rgb):
    v = rgb.max(axis=2)
    med = float(np.clip(np.median(v), 0.02, 0.98))
    g = np.log(0.45) / np.log(med)
    return _scale_colours(rgb, v, v ** g)


def clahe(rgb, tiles=8, clip=2.0, bins=256):
    v = rgb.max(axis=2)
    h, w = v.shape
    q = np.clip((v * (bins - 1)).round().astype(int), 0, bins - 1)
    ty = np.linspace(0, h, tiles + 1).astype(int)
    tx = np.linspace(0, w, tiles + 1).astype(int)
    lut = np.empty((tiles, tiles, bins))
    for i in range(tiles):
        for j in range(tiles):
            blk = q[ty[i]:ty[i + 1], tx[j]:tx[j + 1]]
            hist = np.bincount(blk.ravel(), minlength=bins).astype(np.float64)
            limit = clip * blk.size / bins
            excess = np.maximum(hist - limit, 0).sum()
            hist = np.minimum(hist, limit) + excess / bins
            cdf = np.cumsum(hist)
            lut[i, j] = cdf / cdf[-1]
    # Bilinear interpolation between the mappings of the four nearest tiles.
    cy = np.clip((np.arange(h) + 0.5) / (h / tiles) - 0.5, 0, tiles - 1)
    cx = np.clip((np.arange(w) + 0.5) / (w / tiles) - 0.5, 0, tiles - 1)
    y0 = np.floor(cy).astype(int)
    x0 = np.floor(cx).astype(int)
    y1, x1 = np.minimum(y0 + 1, tiles - 1), np.minimum(x0 + 1, tiles - 1)
    fy, fx = (cy - y0)[:, None], (cx - x0)[None, :]
    Y0, X0, Y1, X1 = y0[:, None], x0[None, :], y1[:, None], x1[None, :]
    v2 = ((1 - fy) * ((1 - fx) * lut[Y0, X0, q] + fx * lut[Y0, X1, q])
          + fy * ((1 - fx) * lut[Y1, X0, q] + fx * lut[Y1, X1, q]))
    return _scale_colours(rgb, v, v2)


# ---------------------------------------------------------------- metrics

def to_t(a):
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1), dtype=np.float32))[None]


def psnr(a, b):
    return float(losses.psnr(to_t(a), to_t(b)))


def ssim(a, b):
    return float(losses.ssim(to_t(a), to_t(b)))


def loe(out, ref, short=100):
    """Lightness-order error of out against ref (both H×W×3 in [0, 1])."""
    def small(x):
        v = x.max(axis=2)
        h, w = v.shape
        s = short / min(h, w)
        im = Image.fromarray(v.astype(np.float32), mode="F")
        return np.asarray(im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BOX)).ravel()
    a, b = small(out), small(ref)
    total = 0
    for k in range(0, a.size, 512):   # blocks of rows keep memory small
        total += np.count_nonzero((a[k:k + 512, None] >= a[None, :])
                                  != (b[k:k + 512, None] >= b[None, :]))
    return total / a.size


# ---------------------------------------------------------------- network

_memo = {}


def slider_defaults():
    """(γ1, γ2, γ3) as core/evenlight.h defines them for the CLI and GIMP."""
    import re
    src = open(os.path.join(HERE, "..", "..", "core", "evenlight.h")).read()
    return tuple(float(re.search(rf"#define EVENLIGHT_DEFAULT_{n}\s+([0-9.]+)f", src).group(1))
                 for n in ("SHADOWS", "HIGHLIGHTS", "DENOISE"))


def slider_maxima():
    """The largest (γ1, γ2, γ3) the sliders allow: the .max of each row of
    the parameter table in core/params.c."""
    import re
    src = open(os.path.join(HERE, "..", "..", "core", "params.c")).read()
    out = []
    for n in ("shadows", "highlights", "denoise"):
        row = re.search(r'\.name = "%s".*?\.max = ([0-9.]+)' % n, src, re.S)
        out.append(float(row.group(1)))
    return tuple(out)


def run_net(net, img, g3, g1=1.0, g2=1.0):
    """R for (γ1, γ2, γ3); R1 and N are computed once per image and (γ1, γ2),
    since γ3 only enters through Φ."""
    from model import phi
    key = (id(img), g1, g2)
    if key not in _memo:
        _memo.clear()
        with torch.no_grad():
            o = net(to_t(img), g1, g2, 1.0, restore=True, exposure=False)
            gains = net.exposure_gains(to_t(img))
        _memo[key] = (img, o["R1"], o["N"], gains)   # img kept so its id stays unique
    _, r1, n, gains = _memo[key]
    with torch.no_grad():
        r = net.apply_exposure(torch.clamp(r1 + phi(n, g3), 0.0, 1.0), gains, g1)
    return r[0].numpy().transpose(1, 2, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--grid", default=None,
                    help="write the picture grid here (weights/grid.png is the shipped one)")
    ap.add_argument("--json", default=os.path.join(HERE, "runs", "eval.json"))
    ap.add_argument("--grid-rows", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sliders", type=float, nargs=3, action="append", default=[],
                    metavar=("G1", "G2", "G3"), help="one more row at these sliders")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    net = export.load_model(a.weights).eval()
    val = [it for it in read_manifest(a.data) if it["split"] == "val"]
    if not val:
        sys.exit("evaluate.py: no val photos with targets")
    methods = {
        "input": lambda x: x,
        "adaptive gamma": adaptive_gamma,
        "CLAHE": clahe,
        "network, no restoration (γ3=0)": lambda x: run_net(net, x, 0.0),
        "network, γ3=0.5": lambda x: run_net(net, x, 0.5),
        "network, γ3=1": lambda x: run_net(net, x, 1.0),
    }
    d1, d2, d3 = slider_defaults()
    methods[f"network, defaults (γ {d1:g}/{d2:g}/{d3:g})"] = \
        lambda x: run_net(net, x, d3, d1, d2)
    for g1, g2, g3 in a.sliders:
        methods[f"network, γ {g1:g}/{g2:g}/{g3:g}"] = \
            lambda x, g1=g1, g2=g2, g3=g3: run_net(net, x, g3, g1, g2)
    rng = np.random.default_rng(4321)
    res = {m: {k: [] for k in ("psnr_t", "ssim_t", "loe", "syn_psnr_t", "syn_ssim_t",
                               "syn_psnr_p", "syn_ssim_p")} for m in methods}
    shown = []
    for n, it in enumerate(val):
        photo = load_rgb(it["photo"]).astype(np.float32) / 255.0
        target = _read_png16(it["target"]) if it["target"].endswith(".png") else None
        if target is None:
            target = load_rgb(it["target"]) / 255.0
        target = target.astype(np.float32)
        if target.shape != photo.shape:
            target = np.asarray(Image.fromarray((target * 255).astype(np.uint8)).resize(
                (photo.shape[1], photo.shape[0]), Image.BICUBIC)).astype(np.float32) / 255.0
        syn = degrade.degrade((photo * 255).round().astype(np.uint8), rng)
        for m, f in methods.items():
            out = f(photo)
            r = res[m]
            r["psnr_t"].append(psnr(out, target))
            r["ssim_t"].append(ssim(out, target))
            r["loe"].append(loe(out, photo))
            so = f(syn)
            r["syn_psnr_t"].append(psnr(so, target))
            r["syn_ssim_t"].append(ssim(so, target))
            r["syn_psnr_p"].append(psnr(so, photo))
            r["syn_ssim_p"].append(ssim(so, photo))
            if m == "network, γ3=0.5":
                # Candidates for the grid: small copies, and how much the
                # network changed the photo.
                change = float(np.abs(out - photo).mean())
                shown.append((change, it["id"], *(_thumb(x) for x in (photo, target, out))))
        print(f"{n + 1}/{len(val)} {it['id']}", file=sys.stderr, flush=True)

    summary = {m: {k: float(np.mean(v)) for k, v in r.items()} for m, r in res.items()}
    # The same synthetic columns by source photo: the real dark photos of
    # dark_val.txt (whose clean photo, the reference "vs photo", is itself
    # dark) and the others.
    from eval_dark import dark_val_ids
    dark = set(dark_val_ids())
    is_dark = np.array([it["id"] in dark for it in val])
    by_source = {}
    for name, keep in (("dark", is_dark), ("other", ~is_dark)):
        if keep.any():
            by_source[name] = {m: {k: float(np.mean(np.array(v)[keep])) for k, v in r.items()
                                   if k.startswith("syn_")} for m, r in res.items()}
    print(f"val photos: {len(val)}; weights: {os.path.abspath(a.weights)}\n")
    print("| method | real: PSNR vs target | SSIM vs target | LOE vs input "
          "| synthetic: PSNR vs target | SSIM vs target | PSNR vs photo | SSIM vs photo |")
    print("|---|---|---|---|---|---|---|---|")
    for m, s in summary.items():
        print(f"| {m} | {s['psnr_t']:.2f} | {s['ssim_t']:.4f} | {s['loe']:.1f} | "
              f"{s['syn_psnr_t']:.2f} | {s['syn_ssim_t']:.4f} | {s['syn_psnr_p']:.2f} | "
              f"{s['syn_ssim_p']:.4f} |")
    for name, title in (("dark", "of the real dark photos"), ("other", "of the other photos")):
        if name not in by_source:
            continue
        n_src = int(is_dark.sum() if name == "dark" else (~is_dark).sum())
        print(f"\nSynthetic (non-uniform) degradations {title} ({n_src}):\n")
        print("| method | PSNR vs target | SSIM vs target | PSNR vs photo | SSIM vs photo |")
        print("|---|---|---|---|---|")
        for m, s in by_source[name].items():
            print(f"| {m} | {s['syn_psnr_t']:.2f} | {s['syn_ssim_t']:.4f} | "
                  f"{s['syn_psnr_p']:.2f} | {s['syn_ssim_p']:.4f} |")
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(dict(n_val=len(val), summary=summary, by_source=by_source), f, indent=1)
    # The grid shows the val photos the network changes most (mean |R − I|):
    # by construction the dim and backlit ones, where a reader can judge it.
    shown.sort(key=lambda r: -r[0])
    if a.grid:
        write_grid([r[1:] for r in shown[:a.grid_rows]], a.grid)


GRID_WIDTH = 240


def _thumb(x, width=GRID_WIDTH):
    """An image as the grid shows it (@width pixels wide), float in [0, 1]."""
    h, w = x.shape[:2]
    small = Image.fromarray((np.clip(x, 0, 1) * 255).round().astype(np.uint8)).resize(
        (width, round(h * width / w)), Image.LANCZOS)
    return np.asarray(small, dtype=np.float32) / 255.0


def write_grid(rows, path, width=GRID_WIDTH, gap=4):
    """input | classic target | network, one val photo per row."""
    write_grid_rows(rows, path, "input | classic target | network γ3=0.5", width, gap)


def write_grid_rows(rows, path, caption, width=GRID_WIDTH, gap=4):
    """One row per (name, images...) entry, the images side by side."""
    tiles = []
    for _, *imgs in rows:
        if len(imgs) == 1 and isinstance(imgs[0], list):
            imgs = imgs[0]
        h, w = imgs[0].shape[:2]
        th = round(h * width / w)
        tiles.append([Image.fromarray((np.clip(x, 0, 1) * 255).round().astype(np.uint8))
                      .resize((width, th), Image.LANCZOS) for x in imgs])
    total_h = sum(t[0].height for t in tiles) + gap * (len(tiles) + 1)
    ncol = len(tiles[0])
    canvas = Image.new("RGB", (ncol * width + (ncol + 1) * gap, total_h), (255, 255, 255))
    y = gap
    for row in tiles:
        for k, im in enumerate(row):
            canvas.paste(im, (gap + k * (width + gap), y))
        y += row[0].height + gap
    canvas.save(path, optimize=True)
    if os.path.getsize(path) > 1_400_000:
        # Keep the picture small enough for the repository.
        canvas.quantize(colors=256, method=Image.MEDIANCUT).save(path, optimize=True)
    print(f"\nwrote {path} ({os.path.getsize(path)} bytes, {len(rows)} rows: {caption})")


if __name__ == "__main__":
    main()
