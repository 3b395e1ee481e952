#!/usr/bin/python3
# Measures the exposure gain applied to the input instead of the result.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Would gaining the input (before the network) let Denoise reach its bar?

    /usr/bin/python3 weights/train/probe_pregain.py --data DATADIR
        [--weights weights/evenlight-v1.bin] [--targets 0.3,0.35,0.4]

A measurement, not part of the product. The shipped exposure step (§5b of
MODEL.md) gains the network's result ("post"). The alternative probed here
gains the input: g from the input's thumbnail, so that E_g(thumbnail) has
the mean luma T, then the network without the step on E_g(I) ("preT"),
optionally followed by the shipped step as well ("preT+post"). With the
default sliders, on the 66 val photos at a long side of 512 px, the same
subsets and seed as eval_dark.py --stops-per-photo 2: PSNR against the
clean photo at Denoise 0 / default / 1, the same on the noise-free capture
(a perfect denoiser's ceiling), mean luma and noise σ, split by source; on
the real dark photos mean luma, % crushed and noise σ; on the well-exposed
ones the mean |Δ luma| and PSNR against the input.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402
import export    # noqa: E402
import model     # noqa: E402
from eval_dark import val_captures  # noqa: E402
from measures import CRUSHED, crushed, luma, noise_sigma  # noqa: E402
from photos import read_manifest  # noqa: E402
from evaluate import to_t  # noqa: E402


def to_np(r):
    return np.clip(r[0].numpy().transpose(1, 2, 0), 0, 1)


def input_gain(xt, target):
    """The gain that brings the input thumbnail's mean luma to @target."""
    th, tw = model.thumb_size(*xt.shape[-2:])
    t = F.adaptive_avg_pool2d(xt, (th, tw)) if (th, tw) != tuple(xt.shape[-2:]) else xt
    return model.exposure_gain(t[0], target)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--targets", default="0.3,0.35,0.4")
    a = ap.parse_args()
    torch.set_num_threads(1)
    net = export.load_model(a.weights).eval()
    d1, d2, d3 = evaluate.slider_defaults()

    def render(xt, gain, post, g3s):
        with torch.no_grad():
            xi = xt if gain == 1.0 else model.exposure_curve(xt, gain)
            o = net(xi, d1, d2, 1.0, restore=True, exposure=False)
            gains = net.exposure_gains(xi) if post else [1.0]
            return [to_np(net.apply_exposure(torch.clamp(o["R1"] + model.phi(o["N"], g3), 0, 1),
                                             gains, d1)) for g3 in g3s]

    targets = [float(t) for t in a.targets.split(",")]
    cfgs = ([("post", None, True)] + [(f"pre{t:g}", t, False) for t in targets]
            + [(f"pre{t:g}+post", t, True) for t in targets])
    acc = {}

    def add(key, v):
        acc.setdefault(key, []).append(float(v))

    n_val = sum(it["split"] == "val" for it in read_manifest(a.data))
    for n, (it, photo, is_dark, caps) in enumerate(val_captures(a.data, 512, 2)):
        lu = luma(photo)
        is_well = 0.3 <= lu.mean() <= 0.65 and (lu < CRUSHED).mean() < 0.03
        pt = to_t(photo)
        for name, t, post in cfgs:
            if not (is_dark or is_well):
                break
            r, = render(pt, input_gain(pt, t) if t else 1.0, post, [d3])
            if is_dark:
                add(f"real {name} luma", luma(r).mean())
                add(f"real {name} crushed", crushed(r))
                add(f"real {name} noise", noise_sigma(r))
            else:
                add(f"well {name} dluma", np.abs(luma(r) - lu).mean())
                add(f"well {name} psnr_in", evaluate.psnr(r, photo))
        for _, x, xc in caps:
            xt, xct = to_t(x), to_t(xc)
            for name, t, post in cfgs:
                gain = input_gain(xt, t) if t else 1.0
                r0, rd, r1 = render(xt, gain, post, [0.0, d3, 1.0])
                c0, = render(xct, gain, post, [0.0])
                row = dict(d0=evaluate.psnr(r0, photo), dd=evaluate.psnr(rd, photo),
                           d1=evaluate.psnr(r1, photo), ceiling=evaluate.psnr(c0, photo),
                           luma=luma(rd).mean(), noise0=noise_sigma(r0), noise1=noise_sigma(r1))
                for sub in ("all", "dark" if is_dark else "other"):
                    for k, v in row.items():
                        add(f"syn-{sub} {name} {k}", v)
        print(f"{n + 1}/{n_val}", file=sys.stderr, flush=True)

    def m(key):
        return float(np.mean(acc[key])) if key in acc else float("nan")

    print(f"weights {os.path.abspath(a.weights)}, sliders {d1:g}/{d2:g}/{d3:g}")
    for sub in ("all", "other", "dark"):
        print(f"\nSynthetic captures ({sub}, {len(acc[f'syn-{sub} post d0'])}): PSNR against the "
              "clean photo\n\n| exposure | Denoise 0 | default | 1 | 1 − 0 | ceiling | "
              "ceiling − 0 | luma | noise σ 0 → 1 |\n|---|---|---|---|---|---|---|---|---|")
        for name, _, _ in cfgs:
            g = lambda k: m(f"syn-{sub} {name} {k}")   # noqa: E731
            print(f"| {name} | {g('d0'):.2f} | {g('dd'):.2f} | {g('d1'):.2f} | "
                  f"{g('d1') - g('d0'):+.2f} | {g('ceiling'):.2f} | {g('ceiling') - g('d0'):+.2f} | "
                  f"{g('luma'):.3f} | {g('noise0'):.2f} → {g('noise1'):.2f} |")
    print("\nReal dark (luma / % crushed / noise σ) and well exposed (|Δ luma| / PSNR vs input)"
          "\n\n| exposure | real dark | well exposed |\n|---|---|---|")
    for name, _, _ in cfgs:
        print(f"| {name} | {m(f'real {name} luma'):.3f} / {m(f'real {name} crushed'):.1f} / "
              f"{m(f'real {name} noise'):.2f} | {m(f'well {name} dluma'):.3f} / "
              f"{m(f'well {name} psnr_in'):.2f} |")


if __name__ == "__main__":
    main()
