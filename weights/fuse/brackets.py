# Synthetic brackets from a photo: exposures in linear light with
# clipping, noise and 8-bit quantisation, optionally moved.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Makes brackets for the exposure-fusion tests and evaluation.

A photo (8-bit sRGB) is taken to linear light, scaled by 2^EV, given
shot and read noise (σ² = SHOT · v + READ²), clipped to [0, 1], encoded
back to sRGB and rounded to 8 bits: what a camera's JPEGs of the scene
look like, much simplified. A move is a crop of the exposure at another
place: moved exposure k shows at (x, y) what the aligned ones show at
(x + dx_k, y + dy_k).
"""

import numpy as np

SHOT = 0.0004     # σ = 0.02 at full white
READ = 0.002


def to_linear(srgb):
    s = np.asarray(srgb, dtype=np.float64) / 255.0
    return np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)


def to_srgb8(lin):
    v = np.clip(lin, 0.0, 1.0)
    s = np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)
    return np.clip(np.round(s * 255.0), 0, 255).astype(np.uint8)


def exposure(photo, ev, rng, noise=True):
    """One 8-bit exposure of @photo (H × W × 3 uint8) at @ev stops."""
    lin = to_linear(photo) * 2.0 ** ev
    if noise:
        sigma = np.sqrt(SHOT * np.clip(lin, 0, 1) + READ * READ)
        lin = lin + rng.standard_normal(lin.shape) * sigma
    return to_srgb8(lin)


def bracket(photo, evs=(-2.0, 0.0, 2.0), shifts=None, margin=0, seed=0, noise=True):
    """Returns (moved, aligned): the exposures as a camera moved by
    @shifts (one (dx, dy) per exposure, whole pixels, |d| <= @margin)
    would take them, and the same exposures all cut at the same place
    (what a perfect alignment would give). Both lists hold arrays of
    (H − 2 margin) × (W − 2 margin) × 3 uint8."""
    rng = np.random.default_rng(seed)
    h, w = photo.shape[:2]
    moved, aligned = [], []
    for k, ev in enumerate(evs):
        e = exposure(photo, ev, rng, noise)
        dx, dy = shifts[k] if shifts is not None else (0, 0)
        assert abs(dx) <= margin and abs(dy) <= margin
        moved.append(e[margin + dy:h - margin + dy, margin + dx:w - margin + dx])
        aligned.append(e[margin:h - margin, margin:w - margin])
    return moved, aligned
