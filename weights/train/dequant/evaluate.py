# Evidence for weights/DEQUANT.md: held-out photos darkened by the recipe,
# restored by linear stretch, LAIC, and LAIC + dequantization.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: evaluate.py BUILD_DIR [--max-side 768] [--grid weights/dequant-grid.png]

For every validation photo (data.photo_lists(), the split training used),
longest side MAX_SIDE, and for a^γ2 ∈ {1/30, 1/5} (γ2/γ1 = 1.2, noise
σ = 0.5/255, fixed seed), PSNR and SSIM against the original of:

  stretch            Ja · (1 / max Ja)                      (one global gain)
  stretch + G        the same, then the C dequantization network
  LAIC               core/laic.c (tests/laic/laic-run)
  LAIC + G           then the C dequantization network
  oracle             (Ja / a^γ2)^(γ1/γ2), the exact inverse (Eq. 7; knows a, γ)
  oracle + G         then the network (PyTorch, exact interval widths)

Each is also scored against the ideal result of its own tone mapping: its
gain applied to the capture before noise and quantisation (for the oracle,
J itself). That isolates what dequantization is for (bands and noise) from
the tone curve, which differs between the methods and the original.

SSIM: Wang et al. (Gaussian window σ = 1.5, K1 = 0.01, K2 = 0.03) on each
channel, averaged. Prints a Markdown table and writes a crop grid.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image
from scipy.ndimage import gaussian_filter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data    # noqa: E402
import model   # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
RATIO = 1.2
SIGMA = 0.5 / 255.0


def psnr(a, b):
    return 10 * np.log10(1.0 / max(float(np.mean((a - b) ** 2)), 1e-12))


def ssim(a, b):
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    out = []
    for c in range(3):
        x, y = a[..., c].astype(np.float64), b[..., c].astype(np.float64)
        f = lambda z: gaussian_filter(z, 1.5, truncate=3.5)
        mx, my = f(x), f(y)
        vx, vy, cxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
        s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        out.append(s.mean())
    return float(np.mean(out))


def write_raw(path, img):
    h, w = img.shape[:2]
    with open(path, "wb") as f:
        f.write(np.array([w, h], "<u4").tobytes())
        f.write(np.ascontiguousarray(img, "<f4").tobytes())


def read_raw(path, ch=3):
    b = open(path, "rb").read()
    w, h = np.frombuffer(b[:8], "<u4")
    return np.frombuffer(b[8:], "<f4").reshape(h, w, ch) if ch > 1 else \
        np.frombuffer(b[8:], "<f4").reshape(h, w)


def run_c(tool, img, tmp, *args):
    i, o = os.path.join(tmp, "in.raw"), os.path.join(tmp, "out.raw")
    gp = os.path.join(tmp, "gain.raw")
    write_raw(i, img)
    t = time.time()
    r = subprocess.run([tool, i, o, "--threads", "2", "--gain", gp, *args],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return read_raw(o), read_raw(gp, 1), r.stderr.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--max-side", type=int, default=768)
    ap.add_argument("--weights", default=os.path.join(ROOT, "weights", "evenlight-dequant-v1.bin"))
    ap.add_argument("--grid", default=os.path.join(ROOT, "weights", "dequant-grid.png"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--grid-only", metavar="PHOTO",
                    help="only the grid, from this validation photo, noise-free")
    args = ap.parse_args()
    torch.set_num_threads(1)
    tool = os.path.join(args.build, "tests", "laic", "laic-run")
    sys.path.append(os.path.dirname(HERE))
    import export
    _, tensors = export.decode(open(args.weights, "rb").read(), args.weights)
    net = model.FoldedNet({k: torch.from_numpy(np.array(v)) for k, v in tensors.items()})

    _, val, src = data.photo_lists()
    if args.grid_only:
        p = [v for v in val if args.grid_only in v][0]
        J = data.load_photo(p, args.max_side).astype(np.float32) / 255.0
        Jt = torch.from_numpy(J.transpose(2, 0, 1))[None]
        Ja, _, _, _, _ = data.darken(Jt, [1 / 30], [RATIO], [0.0])
        ja = Ja[0].numpy().transpose(1, 2, 0)
        with tempfile.TemporaryDirectory() as tmp:
            out = {"stretch": np.minimum(ja / ja.max(), 1)}
            out["LAIC"], _, _ = run_c(tool, ja, tmp)
            out["LAIC + G"], _, _ = run_c(tool, ja, tmp, "--dequant", args.weights)
        make_grid((p, J, out), args.grid)
        return
    if args.limit:
        val = val[:args.limit]
    names = ["stretch", "stretch + G", "LAIC", "LAIC + G", "oracle", "oracle + G"]
    rows = {}
    grid_src = None
    gen = torch.Generator().manual_seed(7)
    with tempfile.TemporaryDirectory() as tmp:
        for a_g in (1 / 30, 1 / 5):
            res = {n: [] for n in names}
            for p in val:
                J = data.load_photo(p, args.max_side).astype(np.float32) / 255.0
                Jt = torch.from_numpy(J.transpose(2, 0, 1))[None]
                Ja, orc, lo, hi, step = data.darken(Jt, [a_g], [RATIO], [SIGMA], gen=gen)
                ja = Ja[0].numpy().transpose(1, 2, 0)
                gflat = 1.0 / max(float(ja.max()), 1 / 255)
                out = {}
                out["stretch"] = np.minimum(ja * gflat, 1)
                out["stretch + G"], _, _ = run_c(tool, ja, tmp, "--no-laic", repr(gflat),
                                                 "--dequant", args.weights)
                out["LAIC"], gain, _ = run_c(tool, ja, tmp)
                out["LAIC + G"], _, msg = run_c(tool, ja, tmp, "--dequant", args.weights)
                out["oracle"] = orc[0].numpy().transpose(1, 2, 0)
                with torch.no_grad():
                    out["oracle + G"] = net(orc, step)[0].numpy().transpose(1, 2, 0)
                # The ideal result of each tone mapping: its gain applied to
                # the capture before noise and quantisation.
                clean = (a_g * J ** RATIO).astype(np.float32)
                ideal = {"stretch": np.minimum(clean * gflat, 1),
                         "LAIC": np.minimum(clean * gain[..., None], 1), "oracle": J}
                for n in names:
                    ref = ideal[n.split(" +")[0]]
                    res[n].append((psnr(out[n], J), ssim(out[n], J),
                                   psnr(out[n], ref), ssim(out[n], ref)))
                print(f"a^γ2=1/{round(1/a_g)} {os.path.basename(p)} {J.shape[1]}×{J.shape[0]} "
                      f"({msg}): " + ", ".join(f"{n} {res[n][-1][0]:.2f}/{res[n][-1][2]:.2f}"
                                               for n in names), flush=True)
                if a_g < 0.1 and grid_src is None or (a_g < 0.1 and
                                                      os.path.basename(p) == os.environ.get("GRID_PHOTO")):
                    grid_src = (p, J, out)
            rows[a_g] = {n: np.mean(res[n], axis=0) for n in names}

    print(f"\nphotos: {len(val)} held-out ({src}), longest side {args.max_side}\n")
    for title, o in (("against the original J", 0),
                     ("against the ideal result of the same tone mapping", 2)):
        print(f"\n{title}:\n")
        print("| method | a^γ2 = 1/30 PSNR | SSIM | a^γ2 = 1/5 PSNR | SSIM |")
        print("|---|---|---|---|---|")
        for n in names:
            a, b = rows[1 / 30][n], rows[1 / 5][n]
            print(f"| {n} | {a[o]:.2f} | {a[o+1]:.4f} | {b[o]:.2f} | {b[o+1]:.4f} |")
    if grid_src and args.grid:
        make_grid(grid_src, args.grid)


def make_grid(src, path, size=160):
    p, J, out = src
    h, w = J.shape[:2]
    # The smoothest, reasonably bright crop: where banding shows.
    best, pos = 1e9, (0, 0)
    for y in range(0, h - size, size // 4):
        for x in range(0, w - size, size // 4):
            c = J[y:y + size, x:x + size]
            if c.mean() < 0.25:
                continue
            g = np.abs(np.diff(c, axis=0)).mean() + np.abs(np.diff(c, axis=1)).mean()
            if g < best:
                best, pos = g, (y, x)
    y, x = pos
    cols = [("original", J), ("stretch", out["stretch"]), ("LAIC", out["LAIC"]),
            ("LAIC + G", out["LAIC + G"])]
    tiles = [np.clip(im[y:y + size, x:x + size], 0, 1) for _, im in cols]
    # Second row: the same crops with contrast amplified 4× around their
    # mean, so that the bands are visible at a glance.
    amp = [np.clip((t - t.mean()) * 4 + 0.5, 0, 1) for t in tiles]
    grid = np.concatenate([np.concatenate(tiles, 1), np.concatenate(amp, 1)], 0)
    Image.fromarray((grid * 255 + 0.5).astype(np.uint8)).save(path, optimize=True)
    print(f"grid: {path} from {os.path.basename(p)} crop ({x}, {y}) {size}px; "
          f"columns: {', '.join(n for n, _ in cols)}; row 2: contrast ×4")


if __name__ == "__main__":
    main()
