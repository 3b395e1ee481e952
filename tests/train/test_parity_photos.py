#!/usr/bin/python3
# The C engine against PyTorch with the shipped weights on the held-out photos.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""test_parity_photos.py PATH/TO/test-trained-golden

For every val photo of the training data's manifest, runs the C engine
(test-trained-golden --dump) and weights/train/model.py (in float64, from
the same float32 input and weights) with weights/evenlight-v1.bin (or
$EVENLIGHT_PARITY_WEIGHTS), at the
training setting with γ3 = 0.5, the earlier defaults, γ3 = 1 and the
strongest Shadows (γ1 = 2), and asserts
max |C − PyTorch| ≤ 1e-4 for R, R1, the noise map N and both grids.

Photos: $EVENLIGHT_TRAIN_DATA (a directory with manifest.tsv, photos/ as
get-data.sh writes it), else weights/train/data. Each photo
is area-downscaled to a long side of $EVENLIGHT_PARITY_LONG_SIDE (default
512; 0 keeps the stored size, long side ≤ 1024) to keep the test short.

Exits 77 (skipped) when torch or the photos are absent.
"""

import csv
import os
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict

try:
    import numpy as np
    import torch
    from PIL import Image
except ImportError:
    sys.exit(77)

SRC = os.environ.get("EVENLIGHT_SOURCE_ROOT",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "weights", "train"))
import export  # noqa: E402

TOLERANCE = 1e-4
CASES = [(1.0, 1.0, 0.5), (0.8, 0.6, 0.5), (1.0, 1.0, 1.0), (2.0, 0.4, 0.5)]
# $EVENLIGHT_PARITY_WEIGHTS checks a candidate file before it is shipped.
WEIGHTS = os.environ.get("EVENLIGHT_PARITY_WEIGHTS",
                         os.path.join(SRC, "weights", "evenlight-v1.bin"))


def data_dir():
    for d in (os.environ.get("EVENLIGHT_TRAIN_DATA"),
              os.path.join(SRC, "weights", "train", "data")):
        if d and os.path.exists(os.path.join(d, "manifest.tsv")):
            return d
    return None


def val_photos(d):
    with open(os.path.join(d, "manifest.tsv"), newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["split"].strip() == "val"]
    out = []
    for r in rows:
        p = os.path.join(d, "photos", os.path.basename(r["file"]))
        if os.path.exists(p):
            out.append((r["id"], p))
    return out, len(rows)


def load(path, long_side):
    im = Image.open(path).convert("RGB")
    if long_side and max(im.size) > long_side:
        s = long_side / max(im.size)
        im = im.resize((max(1, round(im.size[0] * s)), max(1, round(im.size[1] * s))), Image.BOX)
    return np.ascontiguousarray(np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_parity_photos.py PATH/TO/test-trained-golden")
    tool = sys.argv[1]
    d = data_dir()
    if d is None:
        print("SKIP: no training photos (set EVENLIGHT_TRAIN_DATA)")
        sys.exit(77)
    photos, n_listed = val_photos(d)
    if not photos:
        print(f"SKIP: no val photos on disk in {d}")
        sys.exit(77)
    if len(photos) != n_listed:
        print(f"FAIL: {n_listed - len(photos)} of the {n_listed} val photos are missing in {d}")
        sys.exit(1)
    long_side = int(os.environ.get("EVENLIGHT_PARITY_LONG_SIDE", "512"))
    torch.set_num_threads(int(os.environ.get("EVENLIGHT_PARITY_THREADS", "2")))
    net = export.load_model(WEIGHTS).double().eval()

    worst = {}
    failed = []
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        cpath, opath = os.path.join(tmp, "cases.bin"), os.path.join(tmp, "out.raw")
        for pid, path in photos:
            img = load(path, long_side)
            _, h, w = img.shape
            tensors = OrderedDict(input=img)
            for k, g in enumerate(CASES):
                tensors[f"case{k}.params"] = np.array(g, dtype=np.float32)
            export.write(cpath, tensors, "parity-cases")
            subprocess.run([tool, "--dump", WEIGHTS, cpath, opath], check=True)
            c = np.fromfile(opath, dtype="<f4")
            n, g = 3 * h * w, 8 * 16 * 16
            assert c.size == 2 * g + 3 * len(CASES) * n, (c.size, h, w)
            x = torch.from_numpy(img).double()[None]
            diffs = OrderedDict()
            with torch.no_grad():
                for k, (g1, g2, g3) in enumerate(CASES):
                    o = net(x, g1, g2, g3, restore=True)
                    if k == 0:
                        diffs["grid"] = np.abs(c[:g] - o["grid"].numpy().ravel()).max()
                        diffs["grid_inv"] = np.abs(c[g:2 * g] - o["grid_inv"].numpy().ravel()).max()
                    base = 2 * g + 3 * k * n
                    for j, name in enumerate(("R1", "N", "R")):
                        ref = o[name][0].numpy().ravel()
                        diffs[f"case{k}.{name}"] = np.abs(c[base + j * n:base + (j + 1) * n] - ref).max()
            top = max(diffs.values())
            for key, v in diffs.items():
                worst[key] = max(worst.get(key, 0.0), v)
            print(f"{pid:40s} {w:4d} × {h:4d}: max |C − PyTorch| {top:.3g}", flush=True)
            if not top <= TOLERANCE:
                failed.append((pid, {k: float(v) for k, v in diffs.items() if not v <= TOLERANCE}))
    print(f"\n{len(photos)} val photos, long side ≤ {long_side or 'stored'}, "
          f"{time.time() - t0:.0f} s; largest difference per tensor:")
    for key, v in worst.items():
        print(f"  {key:12s} {v:.3g}")
    if failed:
        for pid, bad in failed:
            print(f"FAIL: {pid}: {bad}")
        sys.exit(1)
    print(f"all within {TOLERANCE}")


if __name__ == "__main__":
    main()
