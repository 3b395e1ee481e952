# MEF-SSIM (Ma, Zeng, Wang, IEEE TIP 2015) in PyTorch, differentiable: the
# training loss of the bracket Fusion-Net. The same formulas as mef_ssim.py
# (which scores the results); tests/train/test_model.py checks that both
# agree.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
import torch
import torch.nn.functional as F

from mef_ssim import BETA, C2, P, WINDOW, _BOX, _GAUSS


def gray(rgb):
    """B×3×H×W in [0, 1] → B×1×H×W gray levels 0-255 (rgb2gray)."""
    w = torch.tensor([0.2989, 0.5870, 0.1140], dtype=rgb.dtype, device=rgb.device)
    return 255.0 * (rgb * w[None, :, None, None]).sum(dim=1, keepdim=True)


def _valid(x, k):
    """Separable 'valid' correlation of B×1×H×W with the 1-D kernel k."""
    k = torch.as_tensor(k, dtype=x.dtype, device=x.device)
    x = F.conv2d(x, k.view(1, 1, -1, 1))
    return F.conv2d(x, k.view(1, 1, 1, -1))


def _scale(seq, y):
    """Mean MEF-SSIM map value per batch item at one scale (B)."""
    n = WINDOW * WINDOW
    mu = [_valid(x, _BOX) for x in seq]
    ed = [torch.sqrt(torch.clamp(n * (_valid(x * x, _BOX) - m * m), min=0.0) + 1e-12) + 0.001
          for x, m in zip(seq, mu)]
    w = [(e / WINDOW) ** P + 2.2e-16 for e in ed]
    wsum = sum(w)
    a = [wk / wsum / e for wk, e in zip(w, ed)]
    gm = [_valid(x, _GAUSS) for x in seq]
    gy = _valid(y, _GAUSS)
    norm2 = torch.zeros_like(mu[0])
    sig_xx = torch.zeros_like(mu[0])
    sig_xy = torch.zeros_like(mu[0])
    for k in range(len(seq)):
        sig_xy = sig_xy + a[k] * (_valid(seq[k] * y, _GAUSS) - gm[k] * gy)
        for m in range(k, len(seq)):
            f = 1.0 if m == k else 2.0
            cov_u = _valid(seq[k] * seq[m], _BOX) - mu[k] * mu[m]
            cov_g = _valid(seq[k] * seq[m], _GAUSS) - gm[k] * gm[m]
            norm2 = norm2 + f * a[k] * a[m] * n * cov_u
            sig_xx = sig_xx + f * a[k] * a[m] * cov_g
    norm = torch.sqrt(torch.clamp(norm2, min=1e-18))
    s = torch.where(norm > 1e-9, torch.stack(ed).amax(dim=0) / norm, torch.zeros_like(norm))
    sigma12 = s * sig_xy
    sigma1 = s * s * sig_xx
    sigma2 = _valid(y * y, _GAUSS) - gy * gy
    q = (2 * sigma12 + C2) / (sigma1 + sigma2 + C2)
    return q.mean(dim=(1, 2, 3))


def _down(x):
    p = F.pad(x, (0, 1, 0, 1), mode="replicate")
    m = (p[..., :-1, :-1] + p[..., 1:, :-1] + p[..., :-1, 1:] + p[..., 1:, 1:]) / 4.0
    return m[..., 0::2, 0::2]


def mef_ssim(exposures, fused, levels=3, dtype=torch.float64):
    """MEF-SSIM per batch item (B) of @fused (B×3×H×W in [0, 1]) against
    the list of aligned @exposures (each B×3×H×W), computed in @dtype
    (float32 for training: within 1e-4 of float64 on 256 px crops)."""
    seq = [gray(e).to(dtype) for e in exposures]
    y = gray(fused).to(dtype)
    beta = torch.tensor(BETA[:levels] / BETA[:levels].sum(), dtype=y.dtype)
    score = torch.ones(y.shape[0], dtype=y.dtype)
    for level in range(levels):
        score = score * torch.clamp(_scale(seq, y), min=1e-6) ** beta[level]
        if level + 1 < levels:
            seq = [_down(s) for s in seq]
            y = _down(y)
    return score
