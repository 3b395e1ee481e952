# MEF-SSIM: K. Ma, K. Zeng, Z. Wang, "Perceptual Quality Assessment for
# Multi-Exposure Image Fusion", IEEE Trans. Image Processing 24(11), 2015.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""MEF-SSIM of a fused image against the exposures it was fused from.

No reference image exists for a fusion; the paper builds one patch by
patch from the exposures. For each 11 × 11 patch x_k of exposure k
(gray, 0-255), with mean μ_k and c_k = ‖x_k − μ_k‖ (its contrast):

    desired contrast    ĉ = max_k c_k
    desired structure   ŝ = Σ w_k (x_k − μ_k)/c_k / ‖Σ w_k (x_k − μ_k)/c_k‖,
                        w_k = (c_k / 11)^p, p = 4 (the paper's choice)
    desired patch       x̂ = ĉ ŝ

and the score is SSIM's structure term between x̂ and the fused patch y,
(2 σ_x̂y + C2) / (σ_x̂² + σ_y² + C2), C2 = (0.03 · 255)², with the 11 × 11
Gaussian window (σ = 1.5) for σ (the mean luminance is not judged). The
mean over the image is taken at three scales (2 × 2 means between them)
and combined as Π Q_l^β_l with β = (0.0448, 0.2856, 0.3001) normalised,
as the authors' reference code does. Contrasts and means use the uniform
window, as there. Because x̂ is linear in the patches, every term is a
filtered product of the images: no patch is ever formed.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

WINDOW = 11
SIGMA = 1.5
P = 4.0
C2 = (0.03 * 255.0) ** 2
BETA = np.array([0.0448, 0.2856, 0.3001])


def gray(rgb):
    """Gray levels 0-255 (double) of an RGB uint8 or 0-255 array (rgb2gray)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.ndim == 2:
        return rgb
    return rgb[..., 0] * 0.2989 + rgb[..., 1] * 0.5870 + rgb[..., 2] * 0.1140


def _valid(img, k):
    """Separable correlation with the 1-D kernel k, 'valid' part only."""
    v = sliding_window_view(img, len(k), axis=0) @ k
    return sliding_window_view(v, len(k), axis=1) @ k


_BOX = np.full(WINDOW, 1.0 / WINDOW)
_ax = np.arange(WINDOW) - (WINDOW - 1) / 2
_GAUSS = np.exp(-_ax ** 2 / (2 * SIGMA ** 2))
_GAUSS /= _GAUSS.sum()   # outer(g, g) sums to 1, like fspecial / sum


def _scale(seq, y):
    """Mean MEF-SSIM map value at one scale. seq: K × H × W, y: H × W."""
    K = len(seq)
    n = WINDOW * WINDOW
    mu = [_valid(x, _BOX) for x in seq]
    ed = []
    for x, m in zip(seq, mu):
        var = _valid(x * x, _BOX) - m * m
        ed.append(np.sqrt(np.maximum(n * var, 0.0)) + 0.001)
    w = [(e / WINDOW) ** P + np.finfo(float).eps for e in ed]
    wsum = sum(w)
    a = [wk / wsum / e for wk, e in zip(w, ed)]     # x̂ ∝ Σ a_k (x_k − μ_k)
    # ‖Σ a_k (x_k − μ_k)‖² from the uniform-window covariances
    gm = [_valid(x, _GAUSS) for x in seq]
    gy = _valid(y, _GAUSS)
    norm2 = np.zeros_like(mu[0])
    sig_xx = np.zeros_like(mu[0])
    sig_xy = np.zeros_like(mu[0])
    for k in range(K):
        sig_xy += a[k] * (_valid(seq[k] * y, _GAUSS) - gm[k] * gy)
        for l in range(k, K):
            f = 1.0 if l == k else 2.0
            cov_u = _valid(seq[k] * seq[l], _BOX) - mu[k] * mu[l]
            cov_g = _valid(seq[k] * seq[l], _GAUSS) - gm[k] * gm[l]
            norm2 += f * a[k] * a[l] * n * cov_u
            sig_xx += f * a[k] * a[l] * cov_g
    norm = np.sqrt(np.maximum(norm2, 0.0))
    s = np.where(norm > 1e-9, np.max(ed, axis=0) / np.maximum(norm, 1e-9), 0.0)
    sigma12 = s * sig_xy
    sigma1 = s * s * sig_xx
    sigma2 = _valid(y * y, _GAUSS) - gy * gy
    q = (2 * sigma12 + C2) / (sigma1 + sigma2 + C2)
    return float(q.mean())


def _down(img):
    """2 × 2 means from even positions, the edge repeated (imfilter
    'symmetric' with ones(2)/4, then 1:2:end)."""
    h, w = img.shape
    p = np.pad(img, ((0, 1), (0, 1)), mode="edge")
    m = (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:]) / 4.0
    return m[0:h:2, 0:w:2]


def mef_ssim(exposures, fused, levels=3):
    """MEF-SSIM of @fused (H × W × 3 or H × W, 0-255) against the list of
    aligned @exposures of the same size. Returns (score, per-scale list)."""
    seq = [gray(e) for e in exposures]
    y = gray(fused)
    if any(s.shape != y.shape for s in seq):
        raise ValueError("exposures and fused image differ in size")
    beta = BETA[:levels] / BETA[:levels].sum()
    qs = []
    for level in range(levels):
        qs.append(_scale(seq, y))
        if level + 1 < levels:
            seq = [_down(s) for s in seq]
            y = _down(y)
    score = float(np.prod(np.array(qs) ** beta))
    return score, qs
