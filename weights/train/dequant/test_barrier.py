# Unit test of the quasi-ℓ∞ barrier L∞ (paper Eq. 16–17) and the exported
# (BN-folded) network. Exits 77 (skipped) when torch is missing.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import sys

try:
    import torch
except ImportError:
    print("torch not available: skipped")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import losses   # noqa: E402
import model    # noqa: E402

torch.set_num_threads(1)
torch.manual_seed(0)
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


lo = torch.rand(2, 3, 8, 8) * 0.5
hi = lo + 0.01 + torch.rand(2, 3, 8, 8) * 0.1

# Anywhere inside the interval (ends included): exactly zero.
for t in (0.0, 0.3, 0.5, 0.99, 1.0):
    v = float(losses.barrier(lo + t * (hi - lo), lo, hi))
    check(v == 0.0, f"barrier inside the interval (t={t}) is {v}, not 0")

# Outside: positive, and growing with the distance on either side.
prev_hi = prev_lo = 0.0
for d in (0.001, 0.01, 0.05, 0.2):
    above = float(losses.barrier(hi + d, lo, hi))
    below = float(losses.barrier(lo - d, lo, hi))
    check(above > prev_hi, f"barrier above by {d}: {above} not > {prev_hi}")
    check(below > prev_lo, f"barrier below by {d}: {below} not > {prev_lo}")
    prev_hi, prev_lo = above, below

# One pixel one half-width outside costs exactly 1 / (number of pixels).
x = (lo + hi) / 2
x[0, 0, 0, 0] = hi[0, 0, 0, 0] + (hi[0, 0, 0, 0] - lo[0, 0, 0, 0]) / 2
v = float(losses.barrier(x, lo, hi))
check(abs(v - 1.0 / x.numel()) < 1e-6, f"one pixel one half-width out: {v}")

# Its gradient pushes back into the interval.
x = (hi + 0.05).requires_grad_(True)
losses.barrier(x, lo, hi).backward()
check(bool((x.grad > 0).all()), "gradient above the interval is not positive")

# BN folding: the exported network equals the trained one in eval mode.
net = model.DequantNet()
model.randomise_batch_norms(net, 0.2)
with torch.no_grad():
    net.tail.weight.normal_(0, 0.05)
    net.ctx["out"].weight.normal_(0, 0.3)   # the v2 branch starts at zero
net.eval()
jt = torch.rand(1, 3, 37, 45)   # 1/16 level: 3 × 3 pixels
step = torch.rand(1, 1, 37, 45) * 0.1
with torch.no_grad():
    a = net.residual(jt, step)
    b = model.FoldedNet(model.folded_state(net)).residual(jt, step)
err = float((a - b).abs().max())
check(err < 1e-5, f"folded network differs by {err}")

# v3: the same with the band positions as input, through forward() (J̃
# moved by them, the output clamped), as training and export see it.
net3 = model.DequantNet(ctx=False, bands=True)
model.randomise_batch_norms(net3, 0.2)
with torch.no_grad():
    net3.tail.weight.normal_(0, 0.05)
net3.eval()
band = (torch.rand(1, 3, 37, 45) - 0.5) * step
with torch.no_grad():
    a3 = net3(jt, step, band)
    b3 = model.FoldedNet(model.folded_state(net3))(jt, step, band)
    e3 = net3.residual((jt + band).clamp(0, 1), step, band)
err = float((a3 - b3).abs().max())
check(err < 1e-5, f"folded v3 network differs by {err}")
check(net3.arch == model.ARCH_V3 and model.FoldedNet(model.folded_state(net3)).bands,
      "v3 not recognised as v3")
check(float((a3 - ((jt + band).clamp(0, 1) + e3).clamp(0, 1)).abs().max()) < 1e-6,
      "v3 forward() is not clamp(J̃ + b) + E")

print("barrier and folding:", "FAILED" if failures else "ok")
sys.exit(1 if failures else 0)
