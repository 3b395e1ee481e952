# Synthetic non-uniform illumination for training (see the recipe below).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Synthetic non-uniform-illumination versions of a photo, made on the fly.

Recipe (all random draws from the caller's numpy Generator):

1. Decode the 8-bit sRGB photo P to [0, 1] and convert it to linear light with
   the sRGB EOTF (x ≤ 0.04045: x / 12.92, else ((x + 0.055) / 1.055)^2.4).
2. Exposure field in stops, E(y, x) = b + a · F(y, x), multiplied in linear
   light by 2^E:
   - F is a smooth random field in [−1, 1]: a k × k grid (k uniform in 2…5) of
     standard normal values, plus with probability 1/2 a linear ramp in a
     random direction (light from one side) and with probability 1/3 a
     Gaussian light spot (σ 0.15–0.4 of the image size), bicubically
     upsampled to the image size and rescaled to span [−1, 1];
   - the amplitude a is uniform in [0.7, 3.0] stops, the offset b uniform in
     [−2.5, 0.5] stops, so the same picture mixes under-exposure (down to about
     −5.5 EV) and over-exposure (up to about +3.5 EV);
   - values above 1 are clipped (blown highlights lose their detail, as in a
     camera).
3. Poisson–Gaussian sensor noise in linear light (the heteroscedastic
   Gaussian form of the Poisson–Gaussian model): with a full-well scale k
   drawn log-uniformly in [150, 4000] photo-electrons and a read noise σ_r
   uniform in [0.0005, 0.004], y = x + sqrt(x / k + σ_r²) · n, n ~ N(0, 1),
   clipped to [0, 1]. Colour channels get independent noise.
4. The sRGB tone curve (x ≤ 0.0031308: 12.92 x, else 1.055 x^(1/2.4) − 0.055).
5. With probability 0.7 a JPEG round trip through PIL at a quality uniform in
   [55, 95] (4:2:0 chroma subsampling, PIL's default).
6. 8-bit quantisation: round(255 · x) / 255.

`degrade` returns the degraded image; `exposure_only` applies steps 1, 2, 4
and 6 only (no noise, no JPEG), for the low-resolution global context;
`degrade_pair` returns the degraded image and that clean version of it.

Globally dark captures (`dark_params`, `dark_noise`): what users bring most
often, a dim indoor or night photo 2–5 stops under. The exposure field is
E = −s + a · F with s uniform in [2, 5] stops and a mild field (a ≤ 0.6
stops, the scene's own light falling off), and the sensor noise is that of a
high ISO: full-well scale k log-uniform in [100, 1500] photo-electrons, read
noise σ_r uniform in [0.001, 0.006] (3 stops under with k = 500, a mid-grey
pixel, 0.18 / 8 in linear light, has an SNR of about 3). JPEG at a camera's quality (80–95, always).
`degrade_pair(..., params=dark_params(rng), noise=dark_noise(rng))` makes one.
"""

import io

import numpy as np
from PIL import Image


def srgb_to_linear(x):
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x):
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x,
                    1.055 * np.power(x, np.float32(1 / 2.4)) - 0.055).astype(np.float32)


_LUT = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)


def to_linear(photo):
    """uint8 (through a table) or float sRGB → float32 linear light."""
    if photo.dtype == np.uint8:
        return _LUT[photo]
    return srgb_to_linear(photo.astype(np.float64)).astype(np.float32)


def quantise8(x):
    return np.round(np.clip(x, 0.0, 1.0) * 255.0) / 255.0


def exposure_params(rng):
    """Draw everything that defines one exposure field (step 2)."""
    k = int(rng.integers(2, 6))
    p = dict(k=k, cells=rng.standard_normal((k, k)),
             a=rng.uniform(0.7, 3.0), b=rng.uniform(-2.5, 0.5))
    if rng.random() < 0.5:
        ang = rng.uniform(0, 2 * np.pi)
        p["ramp"] = (np.cos(ang), np.sin(ang), rng.uniform(0.5, 2.0))
    if rng.random() < 1 / 3:
        p["spot"] = (rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.15, 0.4),
                     rng.uniform(1.0, 3.0))
    return p


def dark_params(rng, stops=None):
    """An exposure field for a globally dark capture: −stops (uniform in
    [2, 5] when None) plus a mild smooth variation."""
    k = int(rng.integers(2, 5))
    s = float(rng.uniform(2.0, 5.0)) if stops is None else float(stops)
    return dict(k=k, cells=rng.standard_normal((k, k)), a=float(rng.uniform(0.0, 0.6)),
                b=-s, dark=True)


def dark_noise(rng):
    """(k, σ_r, JPEG quality) of a high-ISO capture (see the module docstring)."""
    return (float(np.exp(rng.uniform(np.log(100.0), np.log(1500.0)))),
            float(rng.uniform(0.001, 0.006)), float(rng.uniform(80, 95)))


def _raw_field(p, h, w, y0, x0, full_h, full_w):
    """The unnormalised smooth field F over a window of the full image."""
    cells = Image.fromarray(p["cells"].astype(np.float32), mode="F")
    big = np.asarray(cells.resize((full_w, full_h), Image.BICUBIC), dtype=np.float64)
    f = big[y0:y0 + h, x0:x0 + w].copy()
    yy = (np.arange(y0, y0 + h)[:, None] + 0.5) / full_h
    xx = (np.arange(x0, x0 + w)[None, :] + 0.5) / full_w
    if "ramp" in p:
        cx, cy, s = p["ramp"]
        f = f + s * ((xx - 0.5) * cx + (yy - 0.5) * cy) * 2
    if "spot" in p:
        sx, sy, sig, s = p["spot"]
        f = f + s * np.exp(-((xx - sx) ** 2 + (yy - sy) ** 2) / (2 * sig * sig))
    return f


def exposure_field(p, h, w, y0=0, x0=0, full_h=None, full_w=None):
    """Stops E over the window [y0, y0+h) × [x0, x0+w) of a full_h × full_w
    image (the field is defined on the whole image)."""
    full_h = full_h or h
    full_w = full_w or w
    f = _raw_field(p, h, w, y0, x0, full_h, full_w)
    if "range" not in p:
        # The range of F over the whole image (on a 64 × 64 sampling), so a
        # window gets the same values as the whole image would.
        r = _raw_field(p, 64, 64, 0, 0, 64, 64)
        p["range"] = (float(r.min()), float(r.max()))
    lo, hi = p["range"]
    f = np.clip(2 * (f - lo) / max(hi - lo, 1e-6) - 1, -1.0, 1.0)
    return p["b"] + p["a"] * f


def _jpeg(x8, q):
    buf = io.BytesIO()
    Image.fromarray(x8).save(buf, format="JPEG", quality=int(q))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def degrade(photo, rng, params=None, window=None, full=None):
    """photo: H×W×3 uint8 (or float in [0, 1]). Returns float32 H×W×3 in
    [0, 1], 8-bit valued. params: from exposure_params (drawn if None);
    window (y0, x0) and full (H, W) place the photo in a larger image whose
    exposure field it shares."""
    return degrade_pair(photo, rng, params, window, full)[0]


def degrade_pair(photo, rng, params=None, window=None, full=None, noise=None):
    """As degrade (the same random draws, the same degraded image), and also
    the clean version under the same exposure field: steps 1, 2, 4 and 6
    only, no noise and no JPEG. The pair is what the Restoration-Net learns
    from: what noise and compression did to the exposed picture. noise =
    (k, σ_r, JPEG quality) replaces the draws of steps 3 and 5 (dark_noise)."""
    h, w = photo.shape[:2]
    p = params if params is not None else exposure_params(rng)
    y0, x0 = window or (0, 0)
    fh, fw = full or (h, w)
    gain = np.exp2(exposure_field(p, h, w, y0, x0, fh, fw)).astype(np.float32)
    lin = to_linear(photo) * gain[..., None]
    lin = np.clip(lin, 0.0, 1.0)
    if noise is None:
        kfull = np.exp(rng.uniform(np.log(150.0), np.log(4000.0)))
        sr = rng.uniform(0.0005, 0.004)
    else:
        kfull, sr, quality = noise
    lin = lin.astype(np.float32)
    clean = quantise8(linear_to_srgb(lin)).astype(np.float32)
    n = rng.standard_normal(lin.shape, dtype=np.float32)
    lin = lin + np.sqrt(lin / np.float32(kfull) + np.float32(sr * sr)) * n
    y = linear_to_srgb(np.clip(lin, 0.0, 1.0))
    y8 = np.round(y * 255.0).astype(np.uint8)
    if noise is not None:
        y8 = _jpeg(y8, quality)
    elif rng.random() < 0.7:
        y8 = _jpeg(y8, rng.uniform(55, 95))
    return (y8.astype(np.float32) / 255.0), clean


def exposure_only(photo, params):
    """Steps 1, 2, 4, 6 (no noise, no JPEG) with a given exposure field."""
    h, w = photo.shape[:2]
    gain = np.exp2(exposure_field(params, h, w)).astype(np.float32)
    lin = np.clip(to_linear(photo) * gain[..., None], 0, 1)
    return quantise8(linear_to_srgb(lin)).astype(np.float32)
