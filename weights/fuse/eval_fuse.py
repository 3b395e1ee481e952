#!/usr/bin/python3
# Exposure fusion compared by MEF-SSIM on synthetic brackets of held-out
# photos: the middle exposure alone, OpenCV's Mertens fusion, enfuse and
# evenlight --fuse.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage:
  eval_fuse.py --data DIR [--split val] [--limit N] [--evs -2,0,2]
               [--shift S] [--evenlight BUILD/ui/cli/evenlight]
               [--methods middle,mertens,enfuse,evenlight] [--pick 0,2,4 …]
               [--conditions aligned,moved] [--grid FILE]

DIR holds manifest.tsv (columns id, file, …, split) and the photos it
names. Each photo of the split gives a bracket (brackets.py: linear-light
exposures at --evs with clipping, noise, 8 bits), once aligned and once
moved: each exposure but the middle one cut up to --shift pixels away
(whole pixels, random per photo). Every method fuses the bracket as a user
would have it (Mertens and enfuse with their defaults, which do not align;
evenlight aligns by default) and is scored against the aligned exposures
over the frame's interior (--shift pixels trimmed on each side), where
every method has a result. Prints a Markdown table: mean MEF-SSIM per
method and condition, and for evenlight how many brackets it wins against
each other method. Needs python3-numpy, python3-pil, python3-opencv and
enfuse (Debian packages; EVENLIGHT_EVAL_PACKAGES in tests/debian-deps.sh).
"""

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from brackets import bracket  # noqa: E402
from mef_ssim import mef_ssim  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fuse_mertens(files, tmp):
    import cv2
    imgs = [cv2.imread(f) for f in files]
    out = cv2.createMergeMertens().process(imgs)
    rgb = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)[..., ::-1]
    return rgb, (0, 0)


def fuse_enfuse(files, tmp):
    out = os.path.join(tmp, "enfuse.tif")
    subprocess.run(["enfuse", "-o", out, *files], check=True, capture_output=True)
    return np.asarray(Image.open(out).convert("RGB")), (0, 0)


def fuse_evenlight(files, tmp, exe, threads):
    out = os.path.join(tmp, "evenlight.png")
    r = subprocess.run([exe, "--threads", str(threads), "--fuse", *files, out],
                       capture_output=True, text=True, check=True)
    m = re.search(r"the (\d+) × (\d+) pixels at (\d+),(\d+)", r.stderr)
    return np.asarray(Image.open(out).convert("RGB")), (int(m.group(3)), int(m.group(4)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", default="val")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--evs", default="-2,0,2")
    ap.add_argument("--shift", type=int, default=3)
    ap.add_argument("--evenlight", default=os.path.join(ROOT, "build", "ui", "cli", "evenlight"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--methods", default="middle,mertens,enfuse,evenlight")
    ap.add_argument("--conditions", default="aligned,moved")
    ap.add_argument("--pick", action="append", default=[],
                    help="also run evenlight on only these exposures (indices into "
                    "--evs, darkest first, repeats allowed: 0,0,2 feeds the darkest "
                    "twice); scored against all exposures; may be repeated")
    ap.add_argument("--grid", help="write a picture grid (middle | Mertens | enfuse | "
                    "evenlight) of the first photos of the aligned condition")
    ap.add_argument("--grid-rows", type=int, default=4)
    args = ap.parse_args()

    evs = [float(v) for v in args.evs.split(",")]
    methods = args.methods.split(",") + [f"evenlight[{p}]" for p in args.pick]
    conditions = args.conditions.split(",")
    mid = (len(evs) - 1) // 2
    with open(os.path.join(args.data, "manifest.tsv")) as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["split"] == args.split]
    if args.limit:
        rows = rows[:args.limit]

    scores = {(c, m): [] for c in conditions for m in methods}
    grid = []
    tmp = tempfile.mkdtemp(prefix="eval-fuse-")
    t0 = time.time()
    for i, row in enumerate(rows):
        photo = np.asarray(Image.open(os.path.join(args.data, row["file"])).convert("RGB"))
        rng = np.random.default_rng(1000 + i)
        s = args.shift
        shifts = [(0, 0) if k == mid else tuple(int(v) for v in rng.integers(-s, s + 1, 2))
                  for k in range(len(evs))]
        moved, aligned = bracket(photo, evs=evs, shifts=shifts, margin=s, seed=i)
        h, w = aligned[0].shape[:2]
        ref = [e[s:h - s, s:w - s] for e in aligned]
        for cond in conditions:
            inputs = aligned if cond == "aligned" else moved
            files = []
            for k, e in enumerate(inputs):
                files.append(os.path.join(tmp, f"e{k}.png"))
                Image.fromarray(e).save(files[-1])
            pictures = []
            for m in methods:
                if m == "middle":
                    out, (ox, oy) = inputs[mid], (0, 0)
                elif m == "mertens":
                    out, (ox, oy) = fuse_mertens(files, tmp)
                elif m == "enfuse":
                    out, (ox, oy) = fuse_enfuse(files, tmp)
                elif m.startswith("evenlight["):
                    picked = [files[int(k)] for k in m[10:-1].split(",")]
                    out, (ox, oy) = fuse_evenlight(picked, tmp, args.evenlight, args.threads)
                else:
                    out, (ox, oy) = fuse_evenlight(files, tmp, args.evenlight, args.threads)
                # the interior of the middle frame, in the result's pixels
                part = out[s - oy:h - s - oy, s - ox:w - s - ox]
                scores[(cond, m)].append(mef_ssim(ref, part)[0])
                pictures.append(part)
            if args.grid and cond == "aligned" and len(grid) < args.grid_rows:
                grid.append(pictures)
        line = "  ".join(f"{c[0]}:{m}={scores[(c, m)][-1]:.4f}" for c in conditions for m in methods)
        print(f"# {i + 1}/{len(rows)} {row['id']} {line} ({time.time() - t0:.0f} s)",
              file=sys.stderr, flush=True)
    shutil.rmtree(tmp)

    print(f"MEF-SSIM, {len(rows)} photos of the {args.split} split, exposures at "
          f"{', '.join(f'{v:+g}' for v in evs)} EV, moved by up to {args.shift} px:\n")
    print("| bracket | " + " | ".join(methods) + " |")
    print("|---" * (len(methods) + 1) + "|")
    for c in conditions:
        print(f"| {c} | " + " | ".join(f"{np.mean(scores[(c, m)]):.4f}" for m in methods) + " |")
    if "evenlight" in methods:
        for c in conditions:
            e = np.array(scores[(c, "evenlight")])
            wins = ", ".join(f"{int((e > np.array(scores[(c, m)])).sum())}/{len(e)} against {m}"
                             for m in methods if m != "evenlight")
            print(f"\n{c}: evenlight scores higher on {wins}.", end="")
        print()

    if args.grid and grid:
        tile_w = 320
        cells = []
        for pictures in grid:
            row_imgs = []
            for p in pictures:
                img = Image.fromarray(p)
                row_imgs.append(img.resize((tile_w, round(img.height * tile_w / img.width)),
                                           Image.LANCZOS))
            cells.append(row_imgs)
        heights = [max(im.height for im in r) for r in cells]
        sheet = Image.new("RGB", (tile_w * len(methods), sum(heights)), "white")
        y = 0
        for r, hgt in zip(cells, heights):
            for j, im in enumerate(r):
                sheet.paste(im, (j * tile_w, y))
            y += hgt
        sheet.save(args.grid, quality=88)


if __name__ == "__main__":
    main()
