#!/usr/bin/python3
# Mean luma and crushed pixels per held-out real dark photo.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the network's lift falls short of the teacher's, photo by photo.

    /usr/bin/python3 weights/train/per_photo_dark.py --data DATADIR
        [--weights NAME=FILE ...] [--sliders G1 G2 G3]

For each real dark val photo of dark_val.txt at a long side of 512 px (as
eval_dark.py): mean luma / % of pixels below 0.02 of the input, of each
weights file at the sliders (default: core/evenlight.h's defaults) and of
the classic module (the teacher), then the means over the photos whose
input luma is below 0.25 and at least 0.25.
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
from eval_dark import classic, dark_val_photos  # noqa: E402
from measures import crushed, luma  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--weights", nargs="+", metavar="NAME=FILE",
                    default=["shipped=" + os.path.join(HERE, "..", "evenlight-v1.bin")])
    ap.add_argument("--sliders", nargs=3, type=float, metavar=("G1", "G2", "G3"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    sliders = a.sliders or evaluate.slider_defaults()
    nets = {}
    for spec in a.weights:
        name, path = spec.split("=", 1)
        nets[name] = export.load_model(path).eval()
    cols = ["input"] + list(nets) + ["classic"]
    print("| photo | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    rows = []
    for i, _, p in dark_val_photos(a.data):
        t = torch.from_numpy(p).permute(2, 0, 1)[None]
        outs = [p]
        for net in nets.values():
            with torch.no_grad():
                outs.append(net(t, *sliders)["R"][0].permute(1, 2, 0).numpy())
        outs.append(classic(p))
        r = [(float(luma(o).mean()), crushed(o)) for o in outs]
        rows.append(r)
        print(f"| {i} | " + " | ".join(f"{m:.3f} / {c:.1f}" for m, c in r) + " |", flush=True)
    for label, keep in (("all", lambda r: True), ("input < 0.25", lambda r: r[0][0] < 0.25),
                        ("input ≥ 0.25", lambda r: r[0][0] >= 0.25)):
        sel = np.array([r for r in rows if keep(r)])
        if len(sel):
            m = sel.mean(0)
            print(f"| mean, {label} ({len(sel)}) | "
                  + " | ".join(f"{x:.3f} / {c:.1f}" for x, c in m) + " |")


if __name__ == "__main__":
    main()
