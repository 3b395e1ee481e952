#!/usr/bin/python3
# The Denoise slider on dark captures: its gain and its ceiling, by source.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""How much Denoise gains on high-noise dark captures, and how much any
denoiser behind the same sliders could gain, for one or more weights files.

    /usr/bin/python3 weights/train/probe_denoise.py --data DATADIR \\
        --weights weights/evenlight-v1.bin [OTHER.bin ...] [--no-step]

The captures are eval_dark.py's synthetic ones, made the same way with the
same seed (--stops-per-photo 2: every val photo at 2 and 4, or 3 and 5,
stops under, high-ISO noise, camera JPEG; long side 512), so the figures
line up with its tables. For each weights file, at the engine's default
Shadows and Highlights, PSNR against the clean photo at Denoise 0, at the
default and at 1, and of the same sliders on the noise-free capture (a
perfect denoiser), over all captures and split by source: the captures of
the real dark photos of dark_val.txt, whose clean photo is dark too, and
those of the other photos. --no-step runs each file without its exposure
step (§5b of MODEL.md).
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402
import export  # noqa: E402
from eval_dark import slider_range, val_captures  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--weights", nargs="+",
                    default=[os.path.join(HERE, "..", "evenlight-v1.bin")])
    ap.add_argument("--no-step", action="store_true")
    ap.add_argument("--long-side", type=int, default=512)
    ap.add_argument("--stops-per-photo", type=int, default=2)
    ap.add_argument("--max-photos", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    (d1, d2, d3), _ = slider_range()
    nets = []
    for w in a.weights:
        net = export.load_model(w).eval()
        if a.no_step:
            net.exposure_floor = None
        nets.append(net)
    cols = ("Denoise 0", f"default ({d3:g})", "Denoise 1", "perfect denoiser")
    rows = [{"all": [], "dark": [], "other": []} for _ in nets]
    caps = ((is_dark, photo, x, xc)
            for _, photo, is_dark, cs in val_captures(a.data, a.long_side, a.stops_per_photo,
                                                       a.max_photos)
            for _, x, xc in cs)
    for k, (is_dark, photo, x, xc) in enumerate(caps):
        src = "dark" if is_dark else "other"
        for net, r in zip(nets, rows):
            p = [evaluate.psnr(np.clip(evaluate.run_net(net, x, g3, d1, d2), 0, 1), photo)
                 for g3 in (0.0, d3, 1.0)]
            p.append(evaluate.psnr(np.clip(evaluate.run_net(net, xc, 0.0, d1, d2), 0, 1), photo))
            r["all"].append(p)
            r[src].append(p)
        print(f"{k + 1} captures", file=sys.stderr, flush=True)
    print(f"sliders {d1:g} / {d2:g}, PSNR (dB) against the clean photo"
          f"{', without the exposure step' if a.no_step else ''}\n")
    print("| weights | captures | " + " | ".join(cols) + " | 1 − 0 | ceiling − 0 |")
    print("|---|---|" + "---|" * (len(cols) + 2))
    for w, r in zip(a.weights, rows):
        for src in ("all", "other", "dark"):
            m = np.mean(r[src], axis=0)
            print(f"| {os.path.basename(w)} | {src} ({len(r[src])}) | "
                  + " | ".join(f"{v:.2f}" for v in m)
                  + f" | {m[2] - m[0]:+.2f} | {m[3] - m[0]:+.2f} |")


if __name__ == "__main__":
    main()
