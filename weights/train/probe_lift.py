#!/usr/bin/python3
# Where the lift of a dark photo stops: the illumination map or the fusion.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Decomposes the network's lift on the real dark val photos.

    /usr/bin/python3 weights/train/probe_lift.py --data DATADIR
        [--weights FILE] [--sliders G1 G2 G3]

For each photo of dark_val.txt at a long side of 512 px: mean luma of the
input I, of the shadows-lifted I_U = I / L^γ1 (what the fusion could reach
with w_U = 1), of R1 and R; the mean bright channel v and illumination L
(L = v is the most I / L can lift); the mean fusion weights w_I / w_U / w_O;
the photo's target (make_targets.py) and the teacher (classic module).
If I_U is well above the teacher, the fusion holds the lift back; if I_U
itself stops short, the illumination map does.
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402
import export    # noqa: E402
from eval_dark import classic, dark_val_photos, shrink  # noqa: E402
from measures import luma  # noqa: E402
from photos import load_rgb  # noqa: E402

COLS = ("input", "v", "L", "I_U", "w_I", "w_U", "w_O", "R1", "R", "target", "teacher")


def probe(net, p, target, sliders):
    t = torch.from_numpy(p).permute(2, 0, 1)[None]
    with torch.no_grad():
        o = net(t, *sliders)
    img = lambda x: x[0].permute(1, 2, 0).numpy()  # noqa: E731
    w = o["weights"][0].mean(dim=(1, 2)).numpy()
    return dict(input=luma(p).mean(), v=float(t.max(dim=1)[0].mean()), L=float(o["L"].mean()),
                I_U=luma(img(o["I_U"])).mean(), w_I=w[0], w_U=w[1], w_O=w[2],
                R1=luma(img(o["R1"])).mean(), R=luma(img(o["R"])).mean(),
                target=luma(target).mean(), teacher=luma(classic(p)).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--sliders", nargs=3, type=float, metavar=("G1", "G2", "G3"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    sliders = a.sliders or evaluate.slider_defaults()
    net = export.load_model(a.weights).eval()
    print("| photo | " + " | ".join(COLS) + " |")
    print("|---|" + "---|" * len(COLS))
    rows = []
    for i, item, p in dark_val_photos(a.data):
        tg = shrink(load_rgb(item["target"]), 512).astype(np.float32) / 255
        r = probe(net, p, tg, sliders)
        rows.append([r[c] for c in COLS])
        print(f"| {i} | " + " | ".join(f"{r[c]:.3f}" for c in COLS) + " |", flush=True)
    m = np.array(rows, dtype=np.float64).mean(0)
    print(f"| mean ({len(rows)}) | " + " | ".join(f"{x:.3f}" for x in m) + " |")


if __name__ == "__main__":
    main()
