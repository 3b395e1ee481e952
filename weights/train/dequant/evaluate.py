# Evidence for weights/DEQUANT.md: held-out photos darkened by the recipe,
# restored by linear stretch, LAIC, and LAIC + dequantization.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: evaluate.py BUILD_DIR [--max-side 768] [--weights A.bin B.bin …]
                   [--grid weights/dequant-grid.png] [--limit N]
                   [--contrast C …] [--exposures 30 5]

For every validation photo (data.photo_lists(): the val split of the
manifest), longest side MAX_SIDE, and for a^γ2 ∈ {1/30, 1/5} (--exposures
picks one or both, so that two processes can share the work; γ2/γ1 = 1.2,
noise σ = 0.5/255, fixed seed), the dark 8-bit capture Ja is restored by

  stretch            Ja · (1 / max Ja)                      (one global gain)
  LAIC               core/laic.c (tests/laic/laic-run)
  LAIC + bands       then the band positions alone (core/dequant-bands.c
                     through bands.py, weighed by the gain as core/dequant.c
                     does: what a v3 network starts from)
  LAIC + G (file)    then the C dequantization network of each --weights
                     file (the LAIC gains are computed once: --gain-from)
  main network       the evenlight CLI, --method net, default sliders
  LAIC c, LAIC c + G  for every --contrast C: LAIC with the Contrast
                     setting (λ2) at C instead of the default, alone and
                     followed by G of the last --weights file

and scored against

  the original J           PSNR, SSIM
  the ideal result         the same gain applied to the capture before noise
                           and quantisation (stretch and LAIC methods only):
                           PSNR, SSIM; and the banding index below, measured
                           on a noise-free capture (σ = 0) of the same photo

Banding index (in 1/255 per pixel): the error against the ideal result is
smoothed (Gaussian σ = 1.5, which removes pixel noise but keeps the steps
between bands), and the RMS of its gradient is taken over the flat pixels
of the ideal result (smoothed gradient below 1/255 per pixel: skies,
walls, where bands show). 0 for a perfect restoration; a band edge of
height h adds about 0.27 h on the pixels it crosses.

The position of G's output inside the quantisation interval of its pixel,
u = (Ĵ − lo) / (hi − lo), [lo, hi] = gain · (Ja ∓ ½/255), is summarised to
check that the barrier and the adversarial term do not push pixels to the
interval edges: the share with u within 5 % of an edge (uniform: 10 %).

SSIM: Wang et al. (Gaussian window σ = 1.5, K1 = 0.01, K2 = 0.03) on each
channel, averaged. Prints Markdown tables and writes a crop grid.
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
import bands   # noqa: E402
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


CACHE = os.environ.get("EVENLIGHT_EVAL_CACHE")   # a directory, or unset


def cached(key_parts, compute):
    """compute() (a tuple of arrays and a string), cached on disk under
    $EVENLIGHT_EVAL_CACHE by a hash of key_parts (bytes and strings): LAIC
    and the main network give the same result for the same input, so a
    second evaluation (other weights of G) need not run them again."""
    if not CACHE:
        return compute()
    import hashlib
    import pickle
    h = hashlib.sha1()
    for k in key_parts:
        h.update(k if isinstance(k, bytes) else str(k).encode())
    path = os.path.join(CACHE, h.hexdigest() + ".pkl")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return pickle.load(f)
    value = compute()
    os.makedirs(CACHE, exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        pickle.dump(value, f)
    os.replace(path + ".tmp", path)
    return value


def run_c(tool, img, tmp, *args):
    if "--dequant" not in args:
        return cached((np.ascontiguousarray(img, "<f4").tobytes(), tool, *args),
                      lambda: _run_c(tool, img, tmp, *args))
    return _run_c(tool, img, tmp, *args)


def _run_c(tool, img, tmp, *args):
    i, o = os.path.join(tmp, "in.raw"), os.path.join(tmp, "out.raw")
    gp = os.path.join(tmp, "gain.raw")
    write_raw(i, img)
    t = time.time()
    r = subprocess.run([tool, i, o, "--threads", "1", "--gain", gp, *args],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return read_raw(o), read_raw(gp, 1), r.stderr.strip()


def banding(out, ideal):
    """Banding index (module doc), in 1/255 per pixel."""
    err = gaussian_filter((out - ideal).mean(axis=2), 1.5)
    ref = gaussian_filter(ideal.mean(axis=2), 1.5)
    gy, gx = np.gradient(err)
    ry, rx = np.gradient(ref)
    flat = np.hypot(rx, ry) < 1.0 / 255
    if not flat.any():
        return float("nan")
    return float(np.sqrt(np.mean((gx ** 2 + gy ** 2)[flat])) * 255)


def with_bands(img, gain, q=1 / 255.0):
    """@img (brightened by @gain) moved by the band positions, weighed by the
    gain as core/dequant.c weighs a v3 network's correction."""
    st = (gain * np.float32(q)).astype(np.float32)[..., None]
    lv = bands.levels_of(img, st)
    off = np.stack([bands.offsets(lv[..., c]) for c in range(3)], axis=-1)
    a = np.clip((gain - 2.0) / 2.0, 0, 1)[..., None]
    return np.clip(img + a * st * off, 0, 1)


def run_cli(cli, weights, ja, tmp):
    return cached((np.ascontiguousarray(ja, "<f4").tobytes(), cli, weights,
                   open(weights, "rb").read()), lambda: _run_cli(cli, weights, ja, tmp))


def _run_cli(cli, weights, ja, tmp):
    i, o = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
    Image.fromarray(np.round(ja * 255).astype(np.uint8)).save(i)
    r = subprocess.run([cli, "-q", "--threads", "1", "--weights", weights, i, o],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return np.asarray(Image.open(o).convert("RGB"), np.float32) / 255.0


def restore(tool, cli, args, gnames, Jt, J, a_g, sigma, gen, tmp, pos):
    """Darkens J by the recipe and restores it by every method: (outputs,
    ideal results, LAIC gain, timing message)."""
    Ja, _, _, _, _ = data.darken(Jt, [a_g], [RATIO], [sigma], gen=gen)
    ja = Ja[0].numpy().transpose(1, 2, 0)
    clean = (a_g * J ** RATIO).astype(np.float32)
    gflat = 1.0 / max(float(ja.max()), 1 / 255)
    out, ideal = {}, {}
    out["stretch"] = np.minimum(ja * gflat, 1)
    ideal["stretch"] = np.minimum(clean * gflat, 1)
    out["LAIC"], gain, msg = run_c(tool, ja, tmp)
    ideal["LAIC"] = np.minimum(clean * gain[..., None], 1)
    out["LAIC + bands"] = with_bands(out["LAIC"], gain)
    ideal["LAIC + bands"] = ideal["LAIC"]
    gp = os.path.join(tmp, "laic-gain.raw")
    write_raw(gp, gain)   # single-channel, as laic-run writes it
    for n, wf in zip(gnames, args.weights):
        out[n], _, _ = run_c(tool, ja, tmp, "--gain-from", gp, "--dequant", wf)
        ideal[n] = ideal["LAIC"]
        if pos is not None:
            lo = np.clip(gain[..., None] * (ja - 0.5 / 255), 0, 1)
            hi = np.clip(gain[..., None] * (ja + 0.5 / 255), 0, 1)
            m = (hi - lo > 1e-6) & (gain[..., None] >= 4) & (hi < 1)
            for key, im in ((n, out[n]), ("ideal", ideal["LAIC"])):
                u = ((im - lo) / np.maximum(hi - lo, 1e-9))[m]
                pos.setdefault(key, []).append((np.mean((u < 0.05) | (u > 0.95)),
                                                np.mean((u < 0) | (u > 1)), np.mean(u)))
    for c in args.contrast:
        n = f"LAIC contrast {c:g}"
        out[n], gc, _ = run_c(tool, ja, tmp, "--contrast", f"{c:g}")
        ideal[n] = np.minimum(clean * gc[..., None], 1)
        write_raw(gp, gc)
        ng = n + " + G " + gnames[-1][len("LAIC + G "):]
        out[ng], _, _ = run_c(tool, ja, tmp, "--gain-from", gp, "--dequant", args.weights[-1])
        ideal[ng] = ideal[n]
    if sigma:
        out["main network"] = run_cli(cli, args.main_weights, ja, tmp)
    return out, ideal, gain, msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--max-side", type=int, default=768)
    ap.add_argument("--weights", nargs="+",
                    default=[os.path.join(ROOT, "weights", "evenlight-dequant-v3.bin")])
    ap.add_argument("--main-weights", default=os.path.join(ROOT, "weights", "evenlight-v1.bin"))
    ap.add_argument("--grid", default=os.path.join(ROOT, "weights", "dequant-grid.png"))
    ap.add_argument("--grid-photo", default="",
                    help="validation photo (part of the name) for the grid")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--exposures", type=int, nargs="+", default=[30, 5], choices=[30, 5],
                    help="the darkenings a^γ2 = 1/E to run")
    ap.add_argument("--contrast", type=float, nargs="*", default=[],
                    help="LAIC's Contrast (λ2) settings to score besides the default")
    args = ap.parse_args()
    torch.set_num_threads(1)
    tool = os.path.join(args.build, "tests", "laic", "laic-run")
    cli = os.path.join(args.build, "ui", "cli", "evenlight")
    tags = [os.path.basename(w).replace("evenlight-dequant-", "").replace(".bin", "")
            for w in args.weights]
    gnames = [f"LAIC + G {t}" for t in tags]
    cnames = []
    for c in args.contrast:
        cnames += [f"LAIC contrast {c:g}", f"LAIC contrast {c:g} + G {tags[-1]}"]
    names = ["stretch", "LAIC", "LAIC + bands"] + gnames + cnames + ["main network"]

    _, val, src = data.photo_lists()
    if args.limit:
        val = val[:args.limit]
    rows, pos = {}, {n: [] for n in gnames}
    grid_src = None
    with tempfile.TemporaryDirectory() as tmp:
        for a_g in (1 / e for e in args.exposures):
            gen = torch.Generator().manual_seed(7)
            res = {n: [] for n in names}
            for p in val:
                J = data.load_photo(p, args.max_side).astype(np.float32) / 255.0
                Jt = torch.from_numpy(J.transpose(2, 0, 1))[None]
                r = {n: [np.nan] * 5 for n in names}
                # The noisy capture for PSNR / SSIM, the noise-free one for
                # the banding index (bands, not noise).
                for sigma in (SIGMA, 0.0):
                    out, ideal, gain, msg = restore(tool, cli, args, gnames, Jt, J, a_g, sigma,
                                                    gen, tmp, pos if sigma else None)
                    for n in names:
                        if sigma:
                            r[n][0:2] = [psnr(out[n], J), ssim(out[n], J)]
                            if n in ideal:
                                r[n][2:4] = [psnr(out[n], ideal[n]), ssim(out[n], ideal[n])]
                        elif n in ideal:
                            r[n][4] = banding(out[n], ideal[n])
                    if not sigma and a_g < 0.1 and (grid_src is None or (
                            args.grid_photo and args.grid_photo in p)):
                        grid_src = (p, J, out, ideal["LAIC"])
                for n in names:
                    res[n].append(r[n])
                print(f"a^γ2=1/{round(1/a_g)} {os.path.basename(p)} {J.shape[1]}×{J.shape[0]} "
                      f"({msg}): " + ", ".join(f"{n} {res[n][-1][0]:.2f}/{res[n][-1][4]:.2f}"
                                               for n in names), flush=True)
            rows[a_g] = {n: np.nanmean(np.array(res[n], float), axis=0) for n in names}

    print(f"\nphotos: {len(val)} held-out ({src}), longest side {args.max_side}\n")
    print("against the original J:\n")
    print("| method | 1/30 PSNR | SSIM | 1/5 PSNR | SSIM |")
    print("|---|---|---|---|---|")
    for n in names:
        a, b = (rows.get(1 / e, {}).get(n, np.full(5, np.nan)) for e in (30, 5))
        print(f"| {n} | {a[0]:.2f} | {a[1]:.4f} | {b[0]:.2f} | {b[1]:.4f} |")
    print("\nagainst the ideal result of the same gain (banding index in 1/255 per pixel):\n")
    print("| method | 1/30 PSNR | SSIM | banding | 1/5 PSNR | SSIM | banding |")
    print("|---|---|---|---|---|---|---|")
    for n in names[:-1]:
        a, b = (rows.get(1 / e, {}).get(n, np.full(5, np.nan)) for e in (30, 5))
        print(f"| {n} | {a[2]:.2f} | {a[3]:.4f} | {a[4]:.2f} | {b[2]:.2f} | {b[3]:.4f} | {b[4]:.2f} |")
    print("\nposition of G's output in its quantisation interval (pixels with gain ≥ 4):\n")
    for n in gnames + ["ideal"]:
        e, o, m = np.mean(pos[n], axis=0)
        print(f"- {n}: within 5 % of an edge {100*e:.1f} % (uniform: 10 %), outside "
              f"{100*o:.1f} %, mean u {m:.3f}")
    if grid_src and args.grid:
        make_grid(grid_src, args.grid, gnames[-1])


def make_grid(src, path, gname, size=160):
    p, J, out, ideal = src
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
    cols = [("ideal LAIC", ideal), ("stretch", out["stretch"]), ("LAIC", out["LAIC"]),
            ("LAIC + bands", out["LAIC + bands"]), (gname, out[gname])]
    tiles = [np.clip(im[y:y + size, x:x + size], 0, 1) for _, im in cols]
    # Second row: the same crops with contrast amplified 4× around their
    # mean, so that the bands are visible at a glance.
    amp = [np.clip((t - t.mean()) * 4 + 0.5, 0, 1) for t in tiles]
    grid = np.concatenate([np.concatenate(tiles, 1), np.concatenate(amp, 1)], 0)
    Image.fromarray((grid * 255 + 0.5).astype(np.uint8)).save(path, optimize=True)
    print(f"grid: {path} from {os.path.basename(p)} crop ({x}, {y}) {size}px, a^γ2 = 1/30; "
          f"columns: {', '.join(n for n, _ in cols)}; row 2: contrast ×4")


if __name__ == "__main__":
    main()
