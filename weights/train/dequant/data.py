# Synthetic dark captures for the dequantization network (paper Eq. 2–7).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Photos, their train/val split, and the dark-capture recipe.

Recipe (per image, paper Eq. 2–7), J the photo in [0, 1]:

    Ja = Q(a^γ2 · J^(γ2/γ1) + n)          the dark 8-bit capture
    J̃  = (Ja / a^γ2)^(γ1/γ2)              its (oracle) compensation
    [lo, hi] = ((Ja ∓ ½q) / a^γ2)^(γ1/γ2)  the interval J̃ stands for

with a^γ2 log-uniform in [1/40, 1/4] (the exposure, 2–5.3 stops under),
γ2/γ1 uniform in [1.0, 1.6] (the tone curve of the dark capture), q = 1/255
and Q rounding to 8 bits. The sensor noise n is Gaussian with σ uniform in
[0, 1] / 255 per image; it is added before Q because a stored capture is
8-bit, noise included (so Ja is exactly quantised and [lo, hi] is exact for
the noise-free signal). The network learns E = J − J̃ (Eq. 9–10).

Product recipe (darken_gain, what training uses since v2): the product
never applies the oracle's power law, it multiplies the capture by a gain g
(LAIC's, or a global stretch) and gives the network the interval width
g · q. So J̃ = g · Ja, the target is the clean capture brightened the same
way, T = g · a^γ2 · J^(γ2/γ1), and [lo, hi] = g · (Ja ∓ ½q); g varies
smoothly over the crop around 1/a^γ2 as LAIC's gain does.

Photos: DATA/manifest.tsv (DATA = $EVENLIGHT_DATA, else /work/data when
it holds a READY mark, else weights/train/data; columns include `file`
or `path`, and `split`) when it exists; otherwise the fixed list FALLBACK of freely
licensed Debian photos unpacked under weights/train/data/debs/x, split by a
hash of the file name (1 in 5 held out for validation). The list used is
saved next to every run.
"""

import hashlib
import math
import os

import numpy as np
import torch
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.dirname(HERE)
DATA = os.environ.get("EVENLIGHT_DATA") or (
    "/work/data" if os.path.exists("/work/data/READY") else os.path.join(TRAIN, "data"))
DEBS = os.path.join(DATA, "debs", "x")
Q = 1.0 / 255.0
MAX_SIDE = 1024     # photos are downscaled: that also removes JPEG artefacts

FALLBACK = [
    "kphotoalbum/usr/share/kphotoalbum/demo/*.jpg",
    "lomiri-wallpapers-16.04/usr/share/backgrounds/*.jpg",
    "mate-backgrounds/usr/share/backgrounds/mate/nature/*.jpg",
    "plasma-workspace-wallpapers/usr/share/wallpapers/"
    "{BytheWater,ColdRipple,ColorfulCups,DarkestHour,EveningGlow,FallenLeaf,"
    "Grey,Kite,OneStandsOut,Path,Volna,summer_1am}/contents/images/*.jpg",
    "python3-sklearn/usr/lib/python3/dist-packages/sklearn/datasets/images/*.jpg",
]
SKIP = ("umang", "qt-logo")   # a render and a logo, not photos


def _expand(pattern):
    import glob
    if "{" in pattern:
        pre, rest = pattern.split("{", 1)
        alts, post = rest.split("}", 1)
        out = []
        for a in alts.split(","):
            out += _expand(pre + a + post)
        return out
    return sorted(glob.glob(os.path.join(DEBS, pattern)))


def is_val(path):
    return hashlib.sha1(os.path.basename(path).encode()).digest()[0] % 5 == 0


def photo_lists():
    """(train paths, val paths, source description)."""
    manifest = os.path.join(DATA, "manifest.tsv")
    if os.path.exists(manifest):
        with open(manifest) as f:
            head = f.readline().rstrip("\n").split("\t")
            rows = [dict(zip(head, l.rstrip("\n").split("\t"))) for l in f if l.strip()]
        pcol = "path" if "path" in head else ("file" if "file" in head else head[0])
        tr, va = [], []
        for r in rows:
            p = r[pcol]
            p = p if os.path.isabs(p) else os.path.join(DATA, p)
            if not os.path.exists(p):
                p2 = os.path.join(DATA, "photos", os.path.basename(r[pcol]))
                p = p2 if os.path.exists(p2) else None
            if p:
                (va if r.get("split", "train") in ("val", "test") else tr).append(p)
        if len(tr) >= 10 and va:
            return tr, va, manifest
    paths = []
    for pat in FALLBACK:
        paths += [p for p in _expand(pat)
                  if not any(s in p for s in SKIP) and "CategoryImages" not in p]
    # plasma ships one size per photo name directory; keep the largest.
    seen, uniq = set(), []
    for p in sorted(paths, key=lambda p: -os.path.getsize(p)):
        key = p.split("/contents/")[0] if "/contents/" in p else p
        if key not in seen:
            seen.add(key)
            uniq.append(p)
    uniq.sort()
    return ([p for p in uniq if not is_val(p)], [p for p in uniq if is_val(p)],
            "fallback list (data.FALLBACK)")


def load_photo(path, max_side=MAX_SIDE, cache_dir=None):
    """uint8 H × W × 3, longest side ≤ max_side (Lanczos), EXIF-rotated."""
    if cache_dir:
        key = hashlib.sha1(f"{path}:{max_side}".encode()).hexdigest()[:16]
        cp = os.path.join(cache_dir, key + ".npy")
        if os.path.exists(cp):
            return np.load(cp)
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    s = max_side / max(im.size)
    if s < 1:
        im = im.resize((max(1, round(im.size[0] * s)), max(1, round(im.size[1] * s))),
                       Image.LANCZOS)
    a = np.asarray(im, dtype=np.uint8).copy()
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)
        np.save(cp, a)
    return a


def capture(J, a_g, ratio, sigma, gen=None):
    """The dark 8-bit capture of a batch. J: B×3×H×W in [0, 1]; a_g (a^γ2),
    ratio (γ2/γ1), sigma: B-vectors. Returns a_g, ratio (B×1×1×1), the
    noise-free signal a^γ2 · J^(γ2/γ1) and Ja."""
    sh = (-1, 1, 1, 1)
    a_g, ratio, sigma = (torch.as_tensor(v, dtype=J.dtype).reshape(sh)
                         for v in (a_g, ratio, sigma))
    clean = a_g * J.clamp(0, 1) ** ratio
    noise = torch.randn(J.shape, generator=gen, dtype=J.dtype) * sigma
    Ja = torch.round((clean + noise).clamp(0, 1) * 255.0) / 255.0
    return a_g, ratio, clean, Ja


def darken(J, a_g, ratio, sigma, gen=None):
    """The recipe on a batch (capture()). Returns Ja, J̃, lo, hi, step
    (B×1×H×W)."""
    a_g, ratio, _, Ja = capture(J, a_g, ratio, sigma, gen)
    inv = 1.0 / ratio
    comp = lambda v: (v.clamp(min=0) / a_g) ** inv
    Jt = comp(Ja).clamp(0, 1)
    lo = comp(Ja - 0.5 * Q).clamp(0, 1)
    hi = comp(Ja + 0.5 * Q).clamp(0, 1)
    step = (hi - lo).mean(dim=1, keepdim=True)
    return Ja, Jt, lo, hi, step


def smooth_field(n, h, w, amp, gen=None, cells=3):
    """B×1×H×W smooth random log-gain in [−amp, amp]: a cells × cells grid
    of uniform values, bilinearly interpolated."""
    g = (torch.rand((n, 1, cells, cells), generator=gen) * 2 - 1) * amp
    return torch.nn.functional.interpolate(g, size=(h, w), mode="bilinear",
                                           align_corners=True)


def darken_gain(J, a_g, ratio, sigma, gen=None, amp=0.35):
    """The product recipe (module doc) on a batch. Returns Ja, J̃, T, lo,
    hi, step (B×1×H×W, = g · q), gain (B×1×H×W)."""
    a_g, _, clean, Ja = capture(J, a_g, ratio, sigma, gen)
    g = torch.exp(smooth_field(J.shape[0], *J.shape[-2:], amp, gen)).to(J.dtype) / a_g
    Jt = (g * Ja).clamp(0, 1)
    T = (g * clean).clamp(0, 1)
    lo = (g * (Ja - 0.5 * Q)).clamp(0, 1)
    hi = (g * (Ja + 0.5 * Q)).clamp(0, 1)
    return Ja, Jt, T, lo, hi, g * Q, g


def random_params(rng, n, clean_frac=0.0):
    """a^γ2, γ2/γ1 and σ for n crops; a share @clean_frac of them is
    noise-free (σ = 0), where bands are widest: noise dithers them."""
    a_g = np.exp(rng.uniform(math.log(1 / 40), math.log(1 / 4), n))
    ratio = rng.uniform(1.0, 1.6, n)
    sigma = rng.uniform(0.0, 1.0, n) / 255.0
    sigma[rng.random(n) < clean_frac] = 0.0
    return a_g, ratio, sigma


class CropSampler:
    """Random crops (with flips) from a list of uint8 photos."""

    def __init__(self, photos, size, rng):
        self.photos = [p for p in photos if min(p.shape[:2]) >= size]
        self.size, self.rng = size, rng
        w = np.array([p.shape[0] * p.shape[1] for p in self.photos], float)
        self.p = w / w.sum()

    def batch(self, n):
        s, out = self.size, []
        for i in self.rng.choice(len(self.photos), n, p=self.p):
            ph = self.photos[i]
            y = self.rng.integers(0, ph.shape[0] - s + 1)
            x = self.rng.integers(0, ph.shape[1] - s + 1)
            c = ph[y:y + s, x:x + s]
            if self.rng.random() < 0.5:
                c = c[:, ::-1]
            out.append(np.ascontiguousarray(c.transpose(2, 0, 1)))
        return torch.from_numpy(np.stack(out)).float() / 255.0
