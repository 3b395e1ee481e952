#!/usr/bin/python3
# Fine-tunes a Fusion-Net of its own for brackets (issue: exposure fusion).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fine-tune the Fusion-Net on synthetic brackets, by MEF-SSIM.

    /usr/bin/python3 weights/fuse/train_fuse.py --data DATADIR
        [--weights weights/evenlight-v1.bin] [--steps 400] [--out FILE]

The single-image weights fuse a photo with lifted versions of itself; a
bracket (−2 / 0 / +2 EV, brackets.py) is a different input. This run
starts from the shipped Fusion-Net and trains only it (the Illumination-
Net, whose global features give the v2 logit bias, and the Restoration-Net
are frozen), on random 256 px crops of the training photos made into
brackets with random exposure spacing (1.5-2.5 EV) and noise, the
Fusion-Net fed (middle, brightest, darkest) as the engine feeds it, the
Restoration-Net and Φ at the default Denoise after it. Loss: 1 − MEF-SSIM
(mef_ssim_torch.py) of the result against the exposures. Selection: the
mean MEF-SSIM of the first --val val photos' whole brackets (eval_fuse.py's
seeds), every --every steps; the best is written to --out: the weights
file given by --weights with that Fusion-Net for brackets added (or
replaced), MODEL.md §3b.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "train"))
import brackets          # noqa: E402
import evaluate          # noqa: E402
import export            # noqa: E402
from mef_ssim_torch import mef_ssim  # noqa: E402
from photos import load_rgb, read_manifest  # noqa: E402
from train import to_t   # noqa: E402


def crop_bracket(rng, photo, size):
    h, w = photo.shape[:2]
    y = int(rng.integers(0, h - size + 1))
    x = int(rng.integers(0, w - size + 1))
    c = photo[y:y + size, x:x + size]
    step = float(rng.uniform(1.5, 2.5))
    return [brackets.exposure(c, ev, rng) for ev in (-step, 0.0, step)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=6)
    ap.add_argument("--crop", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--val", type=int, default=8)
    ap.add_argument("--every", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, "runs", "evenlight-brackets.bin"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    net = export.load_model(a.weights)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    own = net.add_bracket_fusion()          # from the single-image Fusion-Net
    for p in own.parameters():
        p.requires_grad_(True)
    g3 = evaluate.slider_defaults()[2]
    items = read_manifest(a.data)
    train = [load_rgb(it["photo"]) for it in items if it["split"] == "train"]
    train = [p for p in train if min(p.shape[:2]) >= a.crop]
    val = []
    for i, it in enumerate([it for it in items if it["split"] == "val"][:a.val]):
        _, aligned = brackets.bracket(load_rgb(it["photo"]), seed=i)
        val.append([to_t(e) for e in aligned])
    print(f"{len(train)} training photos, {len(val)} val brackets, Denoise {g3:g}", flush=True)

    def score():
        with torch.no_grad():
            return float(np.mean([float(mef_ssim(v, net.fuse_bracket(v, g3), dtype=torch.float32)[0]) for v in val]))

    opt = torch.optim.Adam(own.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.steps)
    best = score()
    print(f"step 0: val MEF-SSIM {best:.4f} (the shipped Fusion-Net)", flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    export.export_model(net, a.out)
    t0 = time.time()
    for step in range(1, a.steps + 1):
        bs = [crop_bracket(rng, train[int(rng.integers(len(train)))], a.crop)
              for _ in range(a.batch)]
        exps = [torch.cat([to_t(b[k]) for b in bs]) for k in range(3)]
        loss = (1.0 - mef_ssim(exps, net.fuse_bracket(exps, g3), dtype=torch.float32)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % a.every == 0 or step == a.steps:
            s = score()
            mark = ""
            if s > best:
                best, mark = s, " -> saved"
                export.export_model(net, a.out)
            print(f"step {step} ({time.time() - t0:.0f} s): loss {float(loss):.4f}, "
                  f"val MEF-SSIM {s:.4f}{mark}", flush=True)
    print(f"best val MEF-SSIM {best:.4f}")


if __name__ == "__main__":
    main()
