#!/usr/bin/python3
# Measures what a classical DCT shrinkage after Φ would add to Denoise.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Would a classical shrinkage of R1 + N make Denoise reach its bar?

    /usr/bin/python3 weights/train/probe_shrinkage.py --data DATADIR
        [--weights weights/evenlight-v1.bin] [--photos 8]

A measurement, not part of the product. On the first --photos val photos at
a long side of 512 px, each made two of 2/3/4/5 stops darker with high-ISO
noise (degrade.dark_params / dark_noise, the seed of the model card's
probe), sliders γ1 = 1, γ2 = 0.4, it prints PSNR against the clean photo
of: R1 (Denoise 0), R1 + N (Denoise 1), the network on the noise-free
capture (a perfect denoiser's ceiling), and R1 + N after a sliding 8 × 8
DCT hard threshold (stride 4, opponent colours, DC kept, threshold k × the
RMS of N over a 9 × 9 box, chroma threshold × kc; optionally followed by an
empirical Wiener step on that estimate). On the same photos, undegraded, it
prints the PSNR of each against R1: how much each smooths a clean photo.
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
from eval_dark import val_captures  # noqa: E402
from model import dct_matrix  # noqa: E402

OPP = torch.tensor([[1 / 3, 1 / 3, 1 / 3], [0.5, 0, -0.5], [0.25, -0.5, 0.25]],
                   dtype=torch.float64)
VARIANTS = (("hard k6", dict(k=6)), ("hard k6, chroma x2", dict(k=6, kc=2)),
            ("hard k4, chroma x3", dict(k=4, kc=3)), ("hard k6 + Wiener", dict(k=6, wiener=1.0)),
            ("hard k6, chroma x2 + Wiener", dict(k=6, kc=2, wiener=1.0)))


def to_blocks(x):
    """Overlapping 8 × 8 blocks at stride 4 of a 1×C×H×W tensor: C×nbl×8×8."""
    c, h, w = x.shape[1:]
    na, nb = (h + 3) // 4 + 1, (w + 3) // 4 + 1
    geo = (4 * na + 4, 4 * nb + 4, h, w, c)
    xp = F.pad(x.reshape(c, 1, h, w), (4, geo[1] - w - 4, 4, geo[0] - h - 4), mode="replicate")
    bl = F.unfold(xp, 8, stride=4)
    return bl.transpose(1, 2).reshape(c, bl.shape[-1], 8, 8), geo


def from_blocks(blk, geo):
    ph, pw, h, w, c = geo
    cols = blk.reshape(c, blk.shape[1], 64).transpose(1, 2)
    return (F.fold(cols, (ph, pw), 8, stride=4)[..., 4:4 + h, 4:4 + w] / 4.0).reshape(1, c, h, w)


def shrinkage(r, sig, k, kc=1.0, wiener=0.0):
    d = dct_matrix(torch.float64)
    scale = OPP.pow(2).sum(1).sqrt().view(3, 1, 1, 1)
    x = torch.einsum("ij,bjhw->bihw", OPP, r.double())
    blk, geo = to_blocks(x)
    sblk = to_blocks(sig.double())[0].pow(2).mean((2, 3)).sqrt().view(1, -1, 1, 1)
    co = d @ blk @ d.t()
    t = torch.tensor([k, k * kc, k * kc], dtype=torch.float64).view(3, 1, 1, 1) * sblk * scale
    keep = co.abs() > t
    keep[..., 0, 0] = True
    est = co * keep
    if wiener:
        pilot = from_blocks(d.t() @ est @ d, geo)
        pc = d @ to_blocks(pilot)[0] @ d.t()
        wf = pc ** 2 / (pc ** 2 + wiener * (sblk * scale) ** 2)
        wf[..., 0, 0] = 1.0
        est = co * wf
    out = from_blocks(d.t() @ est @ d, geo)
    return torch.einsum("ij,bjhw->bihw", torch.linalg.inv(OPP), out).float()


def local_rms(n, r=4):
    e = F.pad((n ** 2).mean(1, keepdim=True), (r, r, r, r), mode="replicate")
    return F.avg_pool2d(e, 2 * r + 1, stride=1).sqrt()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--photos", type=int, default=8)
    a = ap.parse_args()
    torch.set_num_threads(1)
    net = export.load_model(a.weights).eval()
    dark, clean = {}, {}
    img = lambda z: z[0].permute(1, 2, 0).clamp(0, 1).numpy()  # noqa: E731
    tens = lambda z: torch.from_numpy(z).permute(2, 0, 1)[None].float()  # noqa: E731

    def rows(out, r1, n, ref):
        out.setdefault("Denoise 0 (R1)", []).append(evaluate.psnr(img(r1), ref))
        out.setdefault("Denoise 1 (R1 + N)", []).append(evaluate.psnr(img(r1 + n), ref))
        sig = local_rms(n)
        for name, kw in VARIANTS:
            out.setdefault(name, []).append(evaluate.psnr(img(shrinkage(r1 + n, sig, **kw)), ref))

    for i, (it, photo, _, caps) in enumerate(val_captures(a.data, 512, 2, a.photos)):
        for _, x, xc in caps:
            with torch.no_grad():
                o, oc = net(tens(x), 1.0, 0.4, 1.0), net(tens(xc), 1.0, 0.4, 0.0)
            rows(dark, o["R1"], o["N"], photo)
            dark.setdefault("noise-free capture (ceiling)", []).append(
                evaluate.psnr(img(oc["R1"]), photo))
        with torch.no_grad():
            o = net(tens(photo), 1.0, 0.4, 1.0)
        rows(clean, o["R1"], o["N"], img(o["R1"]))
        print(f"{i + 1}/{a.photos} {it['id']}", file=sys.stderr, flush=True)
    print("| | dark captures: PSNR vs clean photo | clean photos: PSNR vs R1 |")
    print("|---|---|---|")
    for k in dark:
        c = f"{np.mean(clean[k]):.2f}" if k in clean and k != "Denoise 0 (R1)" else "—"
        print(f"| {k} | {np.mean(dark[k]):.2f} | {c} |")


if __name__ == "__main__":
    main()
