#!/usr/bin/python3
# Held-out figures for dark photos: exposure, crushed shadows, noise.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Evaluate weights on held-out dark photos, the pictures users bring most.

    /usr/bin/python3 weights/train/eval_dark.py --data DATADIR
        [--weights weights/evenlight-v1.bin] [--grid weights/dark-grid.png]
        [--shadows-max G] [--long-side 512]

Subsets, all from the val split (never trained on, never used to choose):
- real dark: the val photos listed in weights/train/dark_val.txt (dim
  indoor, night), or, without that file, the val photos whose mean luma is
  below 0.25; no reference, so exposure and noise only;
- synthetic dark: every val photo made 2, 3, 4 and 5 stops darker (or two
  of these, --stops-per-photo 2) in linear light with high-ISO Poisson–Gaussian noise and camera JPEG
  (degrade.dark_params / dark_noise, fixed seed), with PSNR / SSIM against
  the clean photo;
- well exposed: the val photos with mean luma in [0.3, 0.65] and under 3 %
  crushed, for the do-no-harm figures (how much the defaults change them).

Methods: the input; the classic retouching module with the CLI's default
coefficients (`evenlight --method classic`, the network's teacher); CLAHE and
adaptive gamma (evaluate.py); the network at the default sliders, with
Denoise 0 / 0.5 / 1, and at the strongest Shadows (--shadows-max, default
the slider's maximum).

Measures: mean luma (0.299 R' + 0.587 G' + 0.114 B'), share of pixels whose
luma stays below 0.02 (crushed), PSNR / SSIM against the clean photo
(losses.ssim), a no-reference noise estimate (Immerkær 1996: the mean
absolute response of a Laplacian-difference kernel on the luma, as σ in
8-bit levels; texture raises it too, so compare methods on the same
pictures), and the lightness-order error against the input (evaluate.loe).
Images are area-downscaled to --long-side before degrading (speed).
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import degrade  # noqa: E402
import evaluate  # noqa: E402
import export  # noqa: E402
from measures import CRUSHED, crushed, luma, noise_sigma  # noqa: E402
from photos import read_manifest, load_rgb  # noqa: E402

STOPS = (2, 3, 4, 5)


def shrink(a, long_side):
    h, w = a.shape[:2]
    if max(h, w) <= long_side:
        return a
    s = long_side / max(h, w)
    return np.asarray(Image.fromarray(a).resize((max(1, round(w * s)), max(1, round(h * s))),
                                                Image.BOX))


def dark_val_ids():
    """The ids of dark_val.txt, in its order ([] without the file)."""
    path = os.path.join(HERE, "dark_val.txt")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [ln.split()[0] for ln in f if ln.strip() and not ln.startswith("#")]


def dark_val_photos(datadir, long_side=512):
    """(id, manifest item, photo as float32 H×W×3 in [0, 1] at @long_side)
    of each real dark val photo of dark_val.txt present in @datadir."""
    val = {it["id"]: it for it in read_manifest(datadir) if it["split"] == "val"}
    for i in dark_val_ids():
        if i in val:
            yield i, val[i], shrink(load_rgb(val[i]["photo"]), long_side).astype(np.float32) / 255


def val_captures(datadir, long_side=512, stops_per_photo=4, max_photos=0):
    """The val photos and their synthetic dark captures, in this script's
    order and with its seed, so that every script that scores them sees the
    same pictures. Per photo: (manifest item, the photo at @long_side as
    float32 in [0, 1], whether it is a real dark photo, [(stops, noisy
    capture, noise-free capture), ...]); @stops_per_photo as --stops-per-photo."""
    val = [it for it in read_manifest(datadir) if it["split"] == "val"]
    if max_photos:
        val = val[:max_photos]
    dark_ids = set(dark_val_ids()) or None
    rng = np.random.default_rng(20261206)
    for n, it in enumerate(val):
        photo8 = shrink(load_rgb(it["photo"]), long_side)
        photo = photo8.astype(np.float32) / 255.0
        is_dark = (it["id"] in dark_ids) if dark_ids is not None else luma(photo).mean() < 0.25
        stops = STOPS if stops_per_photo >= len(STOPS) else \
            STOPS[n % 2::2][:stops_per_photo]
        caps = []
        for s in stops:
            x, xc = degrade.degrade_pair(photo8, rng, degrade.dark_params(rng, s),
                                         noise=degrade.dark_noise(rng))
            caps.append((s, x, xc))
        yield it, photo, is_dark, caps


def classic(x):
    import retouch_binding
    return retouch_binding.retouch(x, "", n_threads=2)


def slider_range():
    """(defaults, maxima) of (γ1, γ2, γ3) as the engine declares them."""
    return evaluate.slider_defaults(), evaluate.slider_maxima()


def stats(out, ref=None, inp=None):
    lu = luma(out)
    r = dict(luma=float(lu.mean()), crushed=crushed(out),
             noise=noise_sigma(out))
    if ref is not None:
        r["psnr"] = evaluate.psnr(out, ref)
        r["ssim"] = evaluate.ssim(out, ref)
    if inp is not None:
        r["loe"] = evaluate.loe(out, inp)
        r["dluma"] = float(np.abs(lu - luma(inp)).mean())
        r["psnr_in"] = evaluate.psnr(out, inp)
    return r


def mean_rows(rows):
    keys = set.intersection(*(set(r) for r in rows))
    return {k: float(np.mean([r[k] for r in rows])) for k in keys}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--weights", default=os.path.join(HERE, "..", "evenlight-v1.bin"))
    ap.add_argument("--grid", default=None, help="write the picture grid here")
    ap.add_argument("--json", default=None)
    ap.add_argument("--long-side", type=int, default=512)
    ap.add_argument("--shadows-max", type=float, default=None)
    ap.add_argument("--sliders", type=float, nargs=3, default=None,
                    metavar=("G1", "G2", "G3"), help="instead of the engine's defaults")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-photos", type=int, default=0, help="0: all val photos")
    ap.add_argument("--stops-per-photo", type=int, default=4,
                    help="4: every photo at 2, 3, 4 and 5 stops; 2: 2 and 4 stops for "
                         "even-numbered photos, 3 and 5 for the others (half the time)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    net = export.load_model(a.weights).eval()
    (d1, d2, d3), (m1, _, _) = slider_range()
    if a.sliders:
        d1, d2, d3 = a.sliders
    smax = a.shadows_max if a.shadows_max is not None else m1
    n_val = sum(it["split"] == "val" for it in read_manifest(a.data))
    n_val = min(n_val, a.max_photos) if a.max_photos else n_val

    def net_at(g1, g2, g3):
        return lambda x: evaluate.run_net(net, x, g3, g1, g2)

    methods = {
        "input": lambda x: x,
        "classic (teacher)": classic,
        "CLAHE": evaluate.clahe,
        "adaptive gamma": evaluate.adaptive_gamma,
        f"network, defaults {d1:g}/{d2:g}/{d3:g}": net_at(d1, d2, d3),
        f"network, Denoise 0 ({d1:g}/{d2:g}/0)": net_at(d1, d2, 0.0),
        f"network, Denoise 1 ({d1:g}/{d2:g}/1)": net_at(d1, d2, 1.0),
        f"network, strongest Shadows ({smax:g}/{d2:g}/{d3:g})": net_at(smax, d2, d3),
    }
    mnames = list(methods)
    # The network's rows, each with its sliders at Denoise 0 (for the
    # noise-free reference of the Denoise sweep).
    same_clean = {m: net_at(g1, d2, 0.0) for m, g1 in
                  ((mnames[4], d1), (mnames[5], d1), (mnames[6], d1), (mnames[7], smax))}
    real, syn, well = ({m: [] for m in methods} for _ in range(3))
    syn_by_stop = {s: {m: [] for m in methods} for s in STOPS}
    # By source: captures of the real dark photos, whose clean reference
    # is itself dark, and of the others.
    syn_by_source = {k: {m: [] for m in methods} for k in ("dark", "other")}
    grid_real, grid_syn = [], []
    captures = val_captures(a.data, a.long_side, a.stops_per_photo, a.max_photos)
    for n, (it, photo, is_dark, caps) in enumerate(captures):
        lu = luma(photo)
        is_well = 0.3 <= lu.mean() <= 0.65 and (lu < CRUSHED).mean() < 0.03
        outs = {}
        if is_dark or is_well:
            for m, f in methods.items():
                outs[m] = np.clip(f(photo), 0, 1)
                (real if is_dark else well)[m].append(stats(outs[m], None, photo))
            if is_dark:
                grid_real.append((float(lu.mean()), it["id"], photo, outs))
        for s, x, xc in caps:
            so = {}
            for m, f in methods.items():
                so[m] = np.clip(f(x), 0, 1)
                st = stats(so[m], photo)
                if m in same_clean:
                    # Against the same method on the noise-free capture:
                    # what noise is left, whatever the exposure. That
                    # noise-free result against the clean photo is the
                    # ceiling of any denoiser behind these sliders.
                    nf = np.clip(same_clean[m](xc), 0, 1)
                    st["psnr_nf"] = evaluate.psnr(so[m], nf)
                    st["psnr_ceiling"] = evaluate.psnr(nf, photo)
                syn[m].append(st)
                syn_by_stop[s][m].append(st)
                syn_by_source["dark" if is_dark else "other"][m].append(st)
            if s >= 4:
                grid_syn.append((float(luma(x).mean()), f"{it['id']} −{s} EV", x, so, photo))
        print(f"{n + 1}/{n_val} {it['id']}{' (dark)' if is_dark else ''}"
              f"{' (well exposed)' if is_well else ''}", file=sys.stderr, flush=True)

    def table(title, rows, cols):
        print(f"\n### {title}\n")
        print("| method | " + " | ".join(c for c, _ in cols) + " |")
        print("|---|" + "---|" * len(cols))
        for m in mnames:
            if not rows[m]:
                continue
            s = mean_rows(rows[m])
            print(f"| {m} | " + " | ".join(fmt.format(s[k]) for _, (k, fmt) in cols) + " |")

    summary = {}
    print(f"weights: {os.path.abspath(a.weights)}; val photos: {n_val} at long side "
          f"{a.long_side}; real dark: {len(real['input'])}; well exposed: "
          f"{len(well['input'])}; synthetic dark: {len(syn['input'])} "
          f"({n_val} photos, {min(a.stops_per_photo, len(STOPS))} of the stops "
          f"{'/'.join(map(str, STOPS))} each)")
    c_exp = [("mean luma", ("luma", "{:.3f}")), ("% below 0.02", ("crushed", "{:.1f}")),
             ("noise σ (8-bit)", ("noise", "{:.2f}"))]
    if real["input"]:
        table(f"Real dark photos ({len(real['input'])})", real,
              c_exp + [("LOE", ("loe", "{:.0f}"))])
        summary["real_dark"] = {m: mean_rows(r) for m, r in real.items()}
    c_ref = c_exp + [("PSNR vs clean", ("psnr", "{:.2f}")), ("SSIM vs clean", ("ssim", "{:.4f}"))]
    table(f"Synthetic dark, 2–5 stops under, high-ISO noise ({len(syn['input'])})", syn, c_ref)
    print("\nDenoise sweep, PSNR against the network's own result (same sliders, Denoise 0) "
          "on the noise-free capture: what noise is left")
    for m in mnames[4:]:
        print(f"- {m}: {np.mean([r['psnr_nf'] for r in syn[m]]):.2f} dB")
    print("\nDenoise ceiling against the clean photo: the same sliders on the noise-free "
          "capture (a perfect denoiser), beside Denoise 0 and 1 on the noisy one")
    m0, m1_ = mnames[5], mnames[6]
    ceil = np.mean([r["psnr_ceiling"] for r in syn[m0]])
    p0 = np.mean([r["psnr"] for r in syn[m0]])
    p1 = np.mean([r["psnr"] for r in syn[m1_]])
    print(f"- Denoise 0: {p0:.2f} dB, Denoise 1: {p1:.2f} dB ({p1 - p0:+.2f}), "
          f"perfect denoiser: {ceil:.2f} dB ({ceil - p0:+.2f})")
    summary["synthetic_dark"] = {m: mean_rows(r) for m, r in syn.items()}
    for k, title in (("dark", "captures of the real dark photos (their clean photo is dark too)"),
                     ("other", "captures of the other photos")):
        if syn_by_source[k]["input"]:
            table(f"Synthetic dark, {title} ({len(syn_by_source[k]['input'])})",
                  syn_by_source[k], c_ref)
            summary[f"synthetic_dark_source_{k}"] = {m: mean_rows(r) for m, r
                                                     in syn_by_source[k].items()}
    for s in STOPS:
        table(f"Synthetic dark, {s} stops under", syn_by_stop[s], c_ref)
        summary[f"synthetic_dark_{s}"] = {m: mean_rows(r) for m, r in syn_by_stop[s].items()}
    if well["input"]:
        print(f"\n### Do no harm: well-exposed val photos ({len(well['input'])})\n")
        print("| method | mean abs. luma change | PSNR vs input | LOE |")
        print("|---|---|---|---|")
        summary["well_exposed"] = {m: mean_rows(r) for m, r in well.items()}
        for m in mnames[1:]:
            s = summary["well_exposed"][m]
            print(f"| {m} | {s['dluma']:.3f} | {s['psnr_in']:.2f} | {s['loe']:.0f} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(weights=os.path.abspath(a.weights), long_side=a.long_side,
                           summary=summary), f, indent=1)
    if a.grid:
        cols = ["input", "classic (teacher)", mnames[4], mnames[7]]
        grid_real.sort(key=lambda r: r[0])
        grid_syn.sort(key=lambda r: r[0])
        rows = [(r[1], [r[2]] + [r[3][c] for c in cols[1:]]) for r in grid_real[:3]]
        rows += [(r[1], [r[2]] + [r[3][c] for c in cols[1:]]) for r in grid_syn[:3]]
        evaluate.write_grid_rows(rows, a.grid, "input | classic | network, defaults | "
                                 "network, strongest Shadows")


if __name__ == "__main__":
    main()
