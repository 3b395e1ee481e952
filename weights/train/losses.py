# Training losses of the evenlight network.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Losses: Huber, SSIM, multi-scale gradient, illumination smoothness, TV.

The paper's perceptual term (VGG-19 features) needs pretrained weights that
cannot be obtained here; `ms_gradient` replaces it: an L1 distance between
the horizontal and vertical finite differences of output and target at
scales 1, 1/2 and 1/4 (2 × 2 average pooling between scales). It asks for
the same edges and textures as the target at several scales, the part of a
perceptual loss that matters for an enhancement whose colours are already
constrained by the pixel and SSIM terms.
"""

import torch
import torch.nn.functional as F

HUBER_DELTA = 0.5
LAMBDA_G = 10.0       # λg, edge sensitivity of the structure-aware smoothness
OMEGA_I = 0.002       # ωi, illumination smoothness weight (stage 1)
OMEGA_G = 1e-4        # ωg, global TV weight (stage 2)
W_SSIM = 0.2
W_GRAD = 0.5
# Stage 1's exposure term: L1 between 8 × 8 block means of R1 and of the
# target. Without it the brightness of a dark input had little say: Huber was
# 8 % of the stage-1 loss (0.008 against 0.06 for 0.2 (1 − SSIM) and 0.03 for
# the gradient term), and the network lifted 4-stop-dark photos to a mean
# luma of 0.30 where the targets have 0.40.
W_EXPOSURE = 1.0
EXPOSURE_BLOCK = 8


def huber(x, y):
    return F.huber_loss(x, y, delta=HUBER_DELTA)


def ssim(x, y, reduce=True):
    """SSIM (Wang et al. 2004) with a 7 × 7 uniform window (scikit-image's
    default), valid region, per channel then averaged. Images in [0, 1]."""
    def blur(t):
        # 7 × 7 box mean, separable through cumulative sums (fast on CPU).
        c = F.pad(t.cumsum(-1), (1, 0))
        t = c[..., 7:] - c[..., :-7]
        c = F.pad(t.cumsum(-2), (0, 0, 1, 0))
        return (c[..., 7:, :] - c[..., :-7, :]) / 49.0

    c1, c2 = 0.01 ** 2, 0.03 ** 2
    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return s.mean() if reduce else s.mean(dim=(1, 2, 3))


def _grads(t):
    return t[..., :, 1:] - t[..., :, :-1], t[..., 1:, :] - t[..., :-1, :]


def ms_gradient(x, y, scales=3):
    """Multi-scale gradient L1 (the substitute of the perceptual loss)."""
    loss = 0.0
    for s in range(scales):
        if s:
            x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
        (xh, xv), (yh, yv) = _grads(x), _grads(y)
        loss = loss + (xh - yh).abs().mean() + (xv - yv).abs().mean()
    return loss / scales


def structure_tv(l, guide):
    """Structure-aware smoothness of an illumination map l (B×1×H×W): total
    variation weighted by exp(−λg |∇guide|), so l may change at the edges of
    the image but stays smooth elsewhere."""
    lh, lv = _grads(l)
    gh, gv = _grads(guide)
    return (lh.abs() * torch.exp(-LAMBDA_G * gh.abs())).mean() + \
        (lv.abs() * torch.exp(-LAMBDA_G * gv.abs())).mean()


def tv(x):
    h, v = _grads(x)
    return h.abs().mean() + v.abs().mean()


def fidelity(out, target):
    """The reconstruction terms shared by both stages; returns (total, parts)."""
    lh = huber(out, target)
    ls = 1.0 - ssim(out, target)
    lg = ms_gradient(out, target)
    return lh + W_SSIM * ls + W_GRAD * lg, dict(huber=lh, ssim=ls, grad=lg)


def exposure(out, target, block=EXPOSURE_BLOCK, mask=None):
    """L1 between block means: how far the brightness is from the target's,
    whatever the noise and the fine detail. mask (one 0/1 value per sample)
    keeps the term to some samples; the mean stays over the whole batch."""
    d = (F.avg_pool2d(out, block, ceil_mode=True)
         - F.avg_pool2d(target, block, ceil_mode=True)).abs()
    if mask is None:
        return d.mean()
    return (d.mean(dim=(1, 2, 3)) * mask).mean()


def stage1_loss(o, target, img, w_exposure=W_EXPOSURE, exposure_mask=None):
    """Stage 1 (Illumination-Net + Fusion-Net, R = R1). exposure_mask: see
    exposure()."""
    total, parts = fidelity(o["R1"], target)
    if w_exposure:
        parts["exposure"] = exposure(o["R1"], target, mask=exposure_mask)
        total = total + w_exposure * parts["exposure"]
    g = img.max(dim=1, keepdim=True)[0]
    gi = (1 - img).max(dim=1, keepdim=True)[0]
    sm = structure_tv(o["L"], g) + structure_tv(o["Li"], gi)
    parts["smooth"] = sm
    return total + OMEGA_I * sm, parts


def stage2_loss(r, target, pixel_weight=1.0):
    """Stage 2 (Restoration-Net, R = R1 + N with γ3 = 1). pixel_weight
    scales the Huber term: for the small residual errors of denoising, Huber
    (≈ MSE / 2 below δ) is about a sixtieth of the SSIM term, so SSIM and
    the gradient term alone would steer the net."""
    total, parts = fidelity(r, target)
    total = total + (pixel_weight - 1.0) * parts["huber"]
    t = tv(r)
    parts["tv"] = t
    return total + OMEGA_G * t, parts


def psnr(x, y):
    mse = ((x - y) ** 2).mean(dim=(1, 2, 3)).clamp_min(1e-10)
    return 10 * torch.log10(1.0 / mse)
