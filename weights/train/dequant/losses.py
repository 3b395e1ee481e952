# Losses of the dequantization network (paper Eq. 16–17 and the GAN term).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""L_G = L∞ + λ_adv · L_adv + λ_fid · L_fid + λ_grad · L_grad.

L∞ (Eq. 16–17) is the quasi-ℓ∞ barrier of the quantisation interval: a
restored pixel Ĵ must lie in [lo, hi], the values the 8-bit capture stands
for. Measured in half-widths of the interval, u = dist(Ĵ, [lo, hi]) / (½w),
the barrier is mean(u²): exactly zero anywhere inside the interval (every
restoration consistent with the capture is equally good), growing
quadratically outside. The ℓ∞ character comes from the normalisation: each
pixel is judged against its own interval, whatever its width.

L_adv is the non-saturating GAN loss against the discriminator (real: J).

L_fid = mean(|Ĵ − J| / w) is an addition to the paper's loss: with the tens
of CPU-minutes this project trains for, a GAN term alone does not settle,
and an ℓ1 term in the same interval units gives the network a direct
signal. L_grad, the same on the horizontal and vertical differences,
targets the steps between bands. The weights are in train.py.
"""

import torch
import torch.nn.functional as F

EPS_W = 1.0 / 255.0   # widths clipped at 1 are floored at one 8-bit step


def barrier(jhat, lo, hi):
    """The quasi-ℓ∞ barrier L∞: 0 inside [lo, hi], (dist / half-width)²
    outside, averaged over pixels."""
    half = 0.5 * (hi - lo).clamp(min=EPS_W)
    d = F.relu(lo - jhat) + F.relu(jhat - hi)
    return ((d / half) ** 2).mean()


def fidelity(jhat, j, lo, hi):
    return ((jhat - j).abs() / (hi - lo).clamp(min=EPS_W)).mean()


def gradient(jhat, t, lo, hi):
    """mean(|∇(Ĵ − T)|₁ / w): the steps between bands are where J̃'s
    gradient differs from the target's; few pixels, hence a term of its
    own (the value term sees a band only through its small sawtooth)."""
    w = (hi - lo).clamp(min=EPS_W)
    e = jhat - t
    gx = (e[..., :, 1:] - e[..., :, :-1]).abs() / torch.maximum(w[..., :, 1:], w[..., :, :-1])
    gy = (e[..., 1:, :] - e[..., :-1, :]).abs() / torch.maximum(w[..., 1:, :], w[..., :-1, :])
    return gx.mean() + gy.mean()


def adv_generator(d_fake):
    return F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))


def adv_discriminator(d_real, d_fake):
    return (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) +
            F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
