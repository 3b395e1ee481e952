# Losses of the dequantization network (paper Eq. 16–17 and the GAN term).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""L_G = L∞ + λ_adv · L_adv + λ_fid · L_fid + λ_grad · L_grad.

L∞ keeps a restored pixel Ĵ inside [lo, hi], the values the 8-bit capture
stands for. Two forms (train.py --barrier; weights/DEQUANT.md §3 compares
them):

- barrier_log, the paper's (Eq. 16–17; train.py's default), in the
  capture domain: −log(1 − max(|C| − q/2, 0)), C = Ĵ / g − Ja the error
  of the estimate brought back to the capture (g the gain, Ja the
  capture), counted in 8-bit code values, so q = 1 and the pole lies one
  level outside the interval. Zero inside; ≈ the distance just outside;
  infinite at the pole. Past a knee of 0.9 levels it continues as its
  tangent (value ln 10, slope 10 per level), so that a pixel far out
  early in training gives a large finite loss and gradient, not inf or
  nan.
- barrier, the squared hinge (v1, v2 and the first v3 run): measured in
  half-widths of the interval, u = dist(Ĵ, [lo, hi]) / (½w), mean(u²):
  zero inside, quadratic outside, each pixel judged against its own
  interval. It has no pole.

L_adv is the non-saturating GAN loss against the discriminator (real: the
target T).

L_fid = mean(|Ĵ − T| / w) (T the target) is an addition to the paper's
loss: with the tens of CPU-minutes this project trains for, the barrier
and a GAN term alone leave the network anywhere inside the interval, and
an ℓ1 term in the same interval units gives it a direct signal. L_grad,
the same on the horizontal and vertical differences, targets the steps
between bands. The weights are in train.py (--lambda-fid, --lambda-grad);
weights/DEQUANT.md §3 measures each term.
"""

import math

import torch
import torch.nn.functional as F

EPS_W = 1.0 / 255.0   # widths clipped at 1 are floored at one 8-bit step


LOG_KNEE = 0.9        # levels outside the interval where barrier_log turns linear


def barrier(jhat, lo, hi):
    """The squared hinge: 0 inside [lo, hi], (dist / half-width)² outside,
    averaged over pixels."""
    half = 0.5 * (hi - lo).clamp(min=EPS_W)
    d = F.relu(lo - jhat) + F.relu(jhat - hi)
    return ((d / half) ** 2).mean()


def log_barrier_of_levels(d):
    """−log(1 − d) for d (levels outside the interval, ≥ 0) below LOG_KNEE,
    its tangent at LOG_KNEE beyond (C¹, finite everywhere)."""
    k = LOG_KNEE
    inside = -torch.log1p(-d.clamp(max=k))
    return torch.where(d > k, -math.log1p(-k) + (d - k) / (1.0 - k), inside)


def barrier_log(jhat, lo, hi, step):
    """The paper's barrier (Eq. 16–17), averaged over pixels. @step is the
    size of one capture level in the image, g · q (data.darken_gain), so
    dist(Ĵ, [lo, hi]) / step = max(|Ĵ / g − Ja| − q/2, 0) / q: [lo, hi] is
    g · (Ja ∓ q/2), clipped to [0, 1] where Ĵ cannot go anyway."""
    d = (F.relu(lo - jhat) + F.relu(jhat - hi)) / step.clamp(min=1e-12)
    return log_barrier_of_levels(d).mean()


BARRIERS = ("hinge", "log")


def inf_term(kind, jhat, lo, hi, step):
    """L∞ of the kind train.py --barrier names."""
    if kind == "log":
        return barrier_log(jhat, lo, hi, step)
    if kind == "hinge":
        return barrier(jhat, lo, hi)
    raise ValueError(f"unknown barrier {kind!r} (one of {', '.join(BARRIERS)})")


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
