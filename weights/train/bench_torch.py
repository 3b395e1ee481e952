# Timing of the PyTorch reference network, for tests/bench/run.sh.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time the PyTorch reference of the evenlight network on one image.

Usage: bench_torch.py WEIGHTS.bin IMAGE.ppm [--runs N] [--threads T]
                      [--shadows G1] [--highlights G2] [--denoise G3]

IMAGE is a binary PPM (P6, 8 or 16 bits), as tests/bench/run.sh writes it.
What is timed: one EvenlightNet.forward (model.py) on the image already in
memory as a 1×3×H×W float32 tensor: both bilateral grids, slicing, Fusion-Net,
Restoration-Net and Φ, under torch.no_grad, in float32, on T threads
(torch.set_num_threads). Not timed: reading the file, the conversion to a
tensor, the conversion of the result back. One untimed warm-up run on a
256 × 256 crop first (first-call costs; PyTorch's CPU allocator keeps no
cache of large blocks, so a full-size warm-up would only double the time).

Prints one line a caller can parse:
  torch WxH threads=T runs=N median_ms=… min_ms=… max_ms=… cpu_ms=… peak_rss_mb=… slicing=…
Exits 77 (skip) when torch cannot be imported.
"""

import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def read_ppm(path):
    """Binary PPM (P6) → H×W×3 float32 in [0, 1]."""
    with open(path, "rb") as f:
        data = f.read()
    fields = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            while data[pos:pos + 1] not in (b"\n", b""):
                pos += 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1                                     # the one whitespace byte
    if fields[0] != b"P6":
        raise ValueError(f"{path}: not a binary PPM (P6)")
    w, h, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    dtype = np.dtype(">u2") if maxval > 255 else np.dtype("u1")
    pix = np.frombuffer(data, dtype=dtype, count=w * h * 3, offset=pos)
    return pix.reshape(h, w, 3).astype(np.float32) / np.float32(maxval)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights")
    ap.add_argument("image")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--shadows", type=float, default=0.8)
    ap.add_argument("--highlights", type=float, default=0.6)
    ap.add_argument("--denoise", type=float, default=0.5)
    ap.add_argument("--reference-slicing", action="store_true",
                    help="use model.py's literal slice_grid instead of its "
                         "grid_sample form (same values, slower)")
    args = ap.parse_args()

    try:
        import torch
    except ImportError:
        print("torch: not installed, PyTorch reference skipped")
        return 77
    import export                                   # weights/train/export.py

    torch.set_num_threads(args.threads)
    net = export.load_model(args.weights).float().eval()
    # Both slicing functions of model.py compute the same trilinear slice;
    # the grid_sample form is the faster one in PyTorch, so by default the
    # reference is timed at its best.
    net.fast_slicing = not args.reference_slicing
    rgb = read_ppm(args.image)
    h, w = rgb.shape[:2]
    img = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))[None]

    wall, cpu = [], []
    with torch.no_grad():
        net(img[..., :256, :256], args.shadows, args.highlights, args.denoise)
        for r in range(max(1, args.runs)):
            t0, c0 = time.perf_counter(), time.process_time()
            out = net(img, args.shadows, args.highlights, args.denoise)["R"]
            t1, c1 = time.perf_counter(), time.process_time()
            if not torch.isfinite(out).all():
                print("torch: non-finite output", file=sys.stderr)
                return 1
            del out
            wall.append((t1 - t0) * 1e3)
            cpu.append((c1 - c0) * 1e3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"torch {w}x{h} threads={args.threads} runs={len(wall)} "
          f"median_ms={statistics.median(wall):.1f} min_ms={min(wall):.1f} "
          f"max_ms={max(wall):.1f} cpu_ms={statistics.median(cpu):.1f} "
          f"peak_rss_mb={peak:.0f} "
          f"slicing={'reference' if args.reference_slicing else 'grid_sample'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
