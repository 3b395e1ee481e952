#!/usr/bin/python3
# The sweep that chose the range and default of the dark-photo Contrast
# setting (LAIC's λ2; core/params.c, dark_table). Not a test: its figures
# are in weights/DEQUANT.md §4.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: contrast-sweep.py BUILD_DIR [--contrast 0,0.5,1,…] [--max-side 512]
                         [--limit N]

Photos: tests/data/sample.jpg and the held-out real dark photos of
weights/train/dark_val.txt (DATA/photos/<id>.png, DATA as in
weights/train/dequant/data.py; missing ones are skipped), longest side
MAX_SIDE. Each is made darker by the capture recipe of data.py
(a^γ2 ∈ {1/30, 1/5}, γ2/γ1 = 1.2, σ = 0.5/255, fixed seed), then
compensated by LAIC (tests/laic/laic-run, one thread) at every contrast.
Mean over photos, per exposure and contrast:

  luma      mean of 0.299 R' + 0.587 G' + 0.114 B'
  detail    mean |Y − mean3×3(Y)|, in 1/255: the term λ2 weighs
  local     RMS of Y − Gaussian(Y, σ = 8 px), in 1/255: contrast at the
            scale of objects
  crushed   % of pixels with Y < 0.02
  clipped   % of pixels with a channel at 1 (≥ 254.5/255)
  PSNR      against the photo before darkening (dB)
  banding   the banding index of weights/train/dequant/evaluate.py, on the
            noise-free capture: the result against the same gain applied
            before quantisation (bands, not noise; 1/255 per pixel)
  gain TV   mean |∇g| / mean g, per pixel, in %: how unevenly the gain
            varies (halos)
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from scipy.ndimage import gaussian_filter, uniform_filter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "weights", "train", "dequant"))
import data       # noqa: E402
import evaluate   # noqa: E402

RATIO = 1.2
EXPOSURES = ((1 / 30, "1/30"), (1 / 5, "1/5"))
MEASURES = ("luma", "detail", "local", "crushed", "clipped", "PSNR",
            "banding", "gain TV")


def photos(limit):
    paths = [os.path.join(ROOT, "tests", "data", "sample.jpg")]
    with open(os.path.join(ROOT, "weights", "train", "dark_val.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                p = os.path.join(data.DATA, "photos", line.split()[0] + ".png")
                if os.path.exists(p):
                    paths.append(p)
    return paths[:limit] if limit else paths


def laic(tool, ja, contrast, tmp):
    i, o, g = (os.path.join(tmp, n) for n in ("in.raw", "out.raw", "gain.raw"))
    evaluate.write_raw(i, ja)
    r = subprocess.run([tool, i, o, "--threads", "1", "--gain", g,
                        "--contrast", repr(contrast)], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return evaluate.read_raw(o), evaluate.read_raw(g, 1)


def luma(img):
    return img @ np.array([0.299, 0.587, 0.114], np.float32)


def measure(out, gain, J, clean_out, clean_ideal):
    y = luma(out).astype(np.float64)
    gy, gx = np.gradient(gain.astype(np.float64))
    return {
        "luma": y.mean(),
        "detail": np.abs(y - uniform_filter(y, 3, mode="nearest")).mean() * 255,
        "local": np.sqrt(np.mean((y - gaussian_filter(y, 8)) ** 2)) * 255,
        "crushed": np.mean(y < 0.02) * 100,
        "clipped": np.mean(out.max(axis=2) >= 254.5 / 255) * 100,
        "PSNR": evaluate.psnr(out, J),
        "banding": evaluate.banding(clean_out, clean_ideal),
        "gain TV": np.hypot(gx, gy).mean() / gain.mean() * 100,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--contrast", default="0,0.25,0.5,1,1.5,2,3,4,6,8")
    ap.add_argument("--max-side", type=int, default=512)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    tool = os.path.join(args.build, "tests", "laic", "laic-run")
    contrasts = [float(c) for c in args.contrast.split(",")]
    paths = photos(args.limit)
    print(f"{len(paths)} photos, longest side {args.max_side}")
    res = {(e, c): [] for _, e in EXPOSURES for c in contrasts}
    with tempfile.TemporaryDirectory() as tmp:
        for a_g, name in EXPOSURES:
            gen = torch.Generator().manual_seed(7)
            for p in paths:
                J = data.load_photo(p, args.max_side).astype(np.float32) / 255.0
                Jt = torch.from_numpy(J.transpose(2, 0, 1))[None]
                caps = []
                for sigma in (0.5 / 255, 0.0):
                    _, _, clean, Ja = data.capture(Jt, [a_g], [RATIO], [sigma], gen)
                    caps.append((Ja[0].numpy().transpose(1, 2, 0),
                                 clean[0].numpy().transpose(1, 2, 0)))
                (ja, _), (ja0, clean0) = caps
                for c in contrasts:
                    out, gain = laic(tool, ja, c, tmp)
                    out0, gain0 = laic(tool, ja0, c, tmp)
                    ideal0 = np.minimum(clean0 * gain0[..., None], 1)
                    res[(name, c)].append(measure(out, gain, J, out0, ideal0))
                print(f"# {name} {os.path.basename(p)}", file=sys.stderr, flush=True)
    print("| exposure | contrast | " + " | ".join(MEASURES) + " |")
    print("|---|---|" + "---|" * len(MEASURES))
    for _, name in EXPOSURES:
        for c in contrasts:
            rows = res[(name, c)]
            cells = [f"{np.nanmean([r[m] for r in rows]):.3f}" if m == "luma"
                     else f"{np.nanmean([r[m] for r in rows]):.2f}" for m in MEASURES]
            print(f"| {name} | {c:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
