# No-reference measures of dark photos (numpy only, for the tests too).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measures used by eval_dark.py and tests/train/test_dark_behaviour.py."""

import numpy as np

CRUSHED = 0.02   # a pixel whose luma stays below this is crushed to black
# A photo whose mean luma is below this counts as dark: its target is lifted
# at least as far as the teacher lifts it (make_targets.py), and with
# --exposure-on dark the exposure term sees it (train.py).
DARK_LUMA = 0.33


def luma(x):
    """Rec. 601 luma of H×W×3 sRGB values: 0.299 R' + 0.587 G' + 0.114 B'."""
    return 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]


def crushed(x):
    """Percentage of pixels whose luma is below CRUSHED."""
    return 100.0 * float((luma(x) < CRUSHED).mean())


def noise_sigma(x):
    """Immerkær's fast noise estimate (1996) on the luma, in 8-bit levels:
    the mean absolute response of the difference of two Laplacians, scaled
    to the σ of white Gaussian noise. Texture raises it too, so it compares
    methods on the same pictures, not pictures with each other."""
    y = luma(x).astype(np.float64) * 255.0
    h, w = y.shape
    if h < 3 or w < 3:
        return 0.0
    k = (y[:-2, :-2] - 2 * y[:-2, 1:-1] + y[:-2, 2:]
         - 2 * y[1:-1, :-2] + 4 * y[1:-1, 1:-1] - 2 * y[1:-1, 2:]
         + y[2:, :-2] - 2 * y[2:, 1:-1] + y[2:, 2:])
    return float(np.sqrt(np.pi / 2) * np.abs(k).sum() / (6.0 * (w - 2) * (h - 2)))


def psnr(a, b):
    """PSNR in dB of two images in [0, 1]."""
    return float(10 * np.log10(1.0 / max(float(((a - b) ** 2).mean()), 1e-10)))
