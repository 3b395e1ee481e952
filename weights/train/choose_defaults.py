#!/usr/bin/python3
# Chooses the default slider values from measurements on training photos.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sweep the three sliders and report which values come closest to the
classic-retouched targets.

    /usr/bin/python3 weights/train/choose_defaults.py [--weights weights/evenlight-v1.bin]
        [--photos 40]

The targets stand for "looks good": they are what the classic retouching
module gives with coefficients chosen per photo (make_targets.py).
The sweep uses TRAIN-split photos (a fixed, evenly spaced subset), never the
held-out val photos, so that the figures reported on val stay unbiased.

Photos and targets are area-downscaled to a long side of --size px (512) to
keep the sweep to minutes; the illumination estimate works on a 128 px
summary of the whole picture at any size.

- Shadows γ1 from 0.6 to the top of its range (core/params.c) in steps of
  0.2, and highlights γ2 in {0.4, 0.6,
  0.8, 1.0}, on the real photos, on one non-uniform degradation of each and
  on one globally dark high-ISO capture of each (degrade.py, fixed seed),
  γ3 = 0.5; score = mean PSNR against the target over the three.
- Denoise γ3: {0, 0.25, 0.5, 0.75, 1} at the chosen γ1, γ2, on the two
  degradations only (they carry noise and JPEG artifacts); score = mean PSNR
  against the target.
Prints both tables (markdown) and the choice. A value only replaces the
current default (core/evenlight.h) when it scores more than TIE dB above
it: differences below that are noise at this sample size, and moving a
slider the users know needs a reason.
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import degrade   # noqa: E402
import evaluate  # noqa: E402
import export    # noqa: E402

TIE = 0.05   # dB


def shrink(img, size):
    """Area-downscale an H×W×3 float image so its long side is ≤ size."""
    h, w = img.shape[:2]
    f = int(np.ceil(max(h, w) / size))
    if f <= 1:
        return img
    h2, w2 = h // f, w // f
    return img[:h2 * f, :w2 * f].reshape(h2, f, w2, f, 3).mean(axis=(1, 3))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--photos", type=int, default=24)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    net = export.load_model(a.weights).eval()
    train = [it for it in evaluate.read_manifest(a.data) if it["split"] == "train"]
    step = max(1, len(train) // a.photos)
    items = train[::step][:a.photos]
    rng = np.random.default_rng(2024)
    pairs = []
    for it in items:
        photo = evaluate.load_rgb(it["photo"]).astype(np.float32) / 255.0
        target = evaluate._read_png16(it["target"]).astype(np.float32)
        if target.shape != photo.shape:
            continue
        photo, target = shrink(photo, a.size), shrink(target, a.size)
        p8 = (photo * 255).round().astype(np.uint8)
        syn = degrade.degrade(p8, rng)
        dark = degrade.degrade_pair(p8, rng, degrade.dark_params(rng),
                                    noise=degrade.dark_noise(rng))[0]
        pairs.append((photo, (syn, dark), target))

    top1 = evaluate.slider_maxima()[0]
    grid1 = [round(0.6 + 0.2 * i, 1) for i in range(int(round((top1 - 0.6) / 0.2)) + 1)]
    grid = [0.4, 0.6, 0.8, 1.0]
    kinds = ("real", "non-uniform", "dark")
    score, by_kind = {}, {}
    for g1 in grid1:
        for g2 in grid:
            vals = {k: [] for k in kinds}
            for photo, syns, target in pairs:
                for k, x in zip(kinds, (photo, *syns)):
                    vals[k].append(evaluate.psnr(evaluate.run_net(net, x, 0.5, g1, g2), target))
            score[(g1, g2)] = float(np.mean([v for k in kinds for v in vals[k]]))
            by_kind[(g1, g2)] = {k: float(np.mean(vals[k])) for k in kinds}
        print(f"γ1 = {g1} done", file=sys.stderr, flush=True)
    cur1, cur2, cur3 = evaluate.slider_defaults()
    best = max(score, key=score.get)
    if (cur1, cur2) in score and score[best] - score[(cur1, cur2)] <= TIE:
        best = (cur1, cur2)

    print(f"train photos: {len(pairs)}; weights: {os.path.abspath(a.weights)}\n")
    print("Mean PSNR (dB) against the targets, real + non-uniform + dark, γ3 = 0.5; "
          "rows γ1 (shadows), columns γ2 (highlights):\n")
    print("| γ1 \\ γ2 | " + " | ".join(str(g) for g in grid) + " |")
    print("|---" * (len(grid) + 1) + "|")
    for g1 in grid1:
        print(f"| {g1} | " + " | ".join(f"{score[(g1, g2)]:.2f}" for g2 in grid) + " |")
    print(f"\nThe same by kind of input, γ2 = {best[1]}:\n")
    print("| γ1 | " + " | ".join(kinds) + " |")
    print("|---" * (len(kinds) + 1) + "|")
    for g1 in grid1:
        print(f"| {g1} | " + " | ".join(f"{by_kind[(g1, best[1])][k]:.2f}" for k in kinds) + " |")

    g3s = [0.0, 0.25, 0.5, 0.75, 1.0]
    s3 = {}
    for g3 in g3s:
        s3[g3] = float(np.mean([evaluate.psnr(evaluate.run_net(net, x, g3, *best), target)
                                for _, syns, target in pairs for x in syns]))
    best3 = max(s3, key=s3.get)
    if cur3 in s3 and s3[best3] - s3[cur3] <= TIE:
        best3 = cur3
    print(f"\nMean PSNR (dB) against the targets on the two degradations, "
          f"γ1 = {best[0]}, γ2 = {best[1]}:\n")
    print("| γ3 | " + " | ".join(str(g) for g in g3s) + " |")
    print("|---" * (len(g3s) + 1) + "|")
    print("| PSNR | " + " | ".join(f"{s3[g]:.2f}" for g in g3s) + " |")
    print(f"\ncurrent defaults: shadows {cur1:g}, highlights {cur2:g}, denoise {cur3:g}; "
          f"a value replaces one only when it scores more than {TIE} dB above it")
    print(f"choice: shadows {best[0]}, highlights {best[1]}, denoise {best3}")


if __name__ == "__main__":
    main()
