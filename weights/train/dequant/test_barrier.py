# Unit test of the barriers L∞ (the paper's log barrier, Eq. 16–17, and the
# squared hinge) and the exported (BN-folded) network. Exits 77 (skipped) when torch is missing.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
import math
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

# The paper's log barrier (Eq. 16–17) in the capture domain:
# −log(1 − max(|C| − q/2, 0)), C = Ĵ / g − Ja in 8-bit code values (q = 1).
# A batch with a gain field g and an 8-bit capture Ja, as data.darken_gain
# makes them: [lo, hi] = g · (Ja ∓ ½/255) clipped, step = g / 255.
# (g ≤ 10 and Ja ≤ 19/255: nothing clips at white; Ja = 0 clips lo at 0.)
g = 4.0 + 6.0 * torch.rand(2, 1, 8, 8)
Ja = torch.randint(0, 20, (2, 3, 8, 8)).float() / 255.0
step = g / 255.0
llo = (g * (Ja - 0.5 / 255)).clamp(0, 1)
lhi = (g * (Ja + 0.5 / 255)).clamp(0, 1)
n = Ja.numel()

# Zero anywhere inside the interval, ends included.
for x in (llo, llo + 0.3 * (lhi - llo), llo + 0.5 * (lhi - llo), lhi):
    v = float(losses.barrier_log(x, llo, lhi, step))
    check(v == 0.0, f"log barrier inside the interval is {v}, not 0")

# One pixel a quarter of a level above its interval: exactly −log(0.75) / n.
x = g * Ja
x[1, 2, 3, 4] = lhi[1, 2, 3, 4] + 0.25 * step[1, 0, 3, 4]
v = float(losses.barrier_log(x, llo, lhi, step))
check(abs(v - (-math.log(0.75)) / n) < 1e-6 / n, f"one pixel ¼ level out: {v * n} · 1/n, "
      f"not {-math.log(0.75)}")

# The same as the formula written in the capture domain, pixel by pixel
# (float64, every pixel within 0.85 levels of its interval, below the knee;
# Ĵ clipped at 0 where Ja = 0, as the network's output is).
gd, Jd = g.double(), Ja.double()
jh = (gd * Jd + (torch.rand(2, 3, 8, 8, dtype=torch.float64) - 0.5) * 2.7 * gd / 255).clamp(0, 1)
C = (jh / gd - Jd) * 255.0
ref = -torch.log(1 - (C.abs() - 0.5).clamp(min=0))
v = float(losses.barrier_log(jh, (gd * (Jd - 0.5 / 255)).clamp(0, 1),
                             (gd * (Jd + 0.5 / 255)).clamp(0, 1), gd / 255))
check(abs(v - float(ref.mean())) < 1e-9, f"log barrier {v} != capture-domain formula "
      f"{float(ref.mean())}")
check(float(ref.max()) > 1.0, "the capture-domain check never got near the pole")

# Growing on both sides, below and past the pole (one level out).
def one(d, sign):
    """The log barrier with every pixel @d levels above (+1) or below (−1)."""
    x = lhi + d * step if sign > 0 else llo - d * step
    return float(losses.barrier_log(x, llo, lhi, step))


prev = 0.0
for d in (0.01, 0.1, 0.5, 0.89, 0.9, 0.91, 0.999, 1.0, 1.001, 2.0, 50.0, 1e6):
    h = losses.log_barrier_of_levels(torch.tensor([d], dtype=torch.float64,
                                                  requires_grad=True))
    h.sum().backward()
    val = float(h)
    check(math.isfinite(val) and val > prev, f"log barrier at {d} levels: {val} (prev {prev})")
    prev = val
    want = (-math.log1p(-d) if d <= losses.LOG_KNEE else
            -math.log1p(-losses.LOG_KNEE) + (d - losses.LOG_KNEE) / (1 - losses.LOG_KNEE))
    check(abs(val - want) < 1e-9 * max(1.0, want), f"log barrier at {d}: {val}, not {want}")
# The knee: the tangent of −log(1 − d) at 0.9 (value ln 10, slope 10), so
# the loss and its gradient are continuous there; at and past the pole
# (1 level) the value is ln 10 + 10 (d − 0.9), not inf.
for d, val, slope in ((0.9 - 1e-7, math.log(10), 10.0), (0.9 + 1e-7, math.log(10), 10.0),
                      (1.0, math.log(10) + 1.0, 10.0), (3.0, math.log(10) + 21.0, 10.0),
                      (0.5, math.log(2), 2.0)):
    t = torch.tensor([d], dtype=torch.float64, requires_grad=True)
    h = losses.log_barrier_of_levels(t)
    h.sum().backward()
    check(abs(float(h) - val) < 1e-5 and abs(float(t.grad) - slope) < 1e-4,
          f"log barrier at {d} levels: value {float(h)}, slope {float(t.grad)}; "
          f"want {val}, {slope}")
# Clipped at white: where g · (Ja + q/2) > 1 the interval ends at 1, which
# Ĵ (clipped) cannot pass: Ĵ = 1 is inside, as C says (1/g ≤ Ja + q/2).
gw = torch.full((1, 1, 1, 1), 30.0)
Jw = torch.full((1, 3, 1, 1), 34 / 255.0)       # 30 · 34.5/255 > 1
v = float(losses.barrier_log(torch.ones(1, 3, 1, 1), (gw * (Jw - 0.5 / 255)).clamp(0, 1),
                             (gw * (Jw + 0.5 / 255)).clamp(0, 1), gw / 255))
check(v == 0.0, f"log barrier at white under a clipped interval: {v}")
# Far out in image units (a pixel at 0 in an interval near 1, tiny step):
# finite value and gradient, pointing back into the interval.
x = torch.zeros(2, 3, 8, 8, requires_grad=True)
hi1 = torch.ones(2, 3, 8, 8)
lv = losses.barrier_log(x, hi1 - 1e-4, hi1, torch.full((2, 1, 8, 8), 1e-6))
lv.backward()
check(math.isfinite(float(lv)) and bool(torch.isfinite(x.grad).all()) and
      bool((x.grad < 0).all()), f"log barrier far below: {float(lv)}, gradient not finite "
      "or not negative")
for d in (1.0, 5.0):
    check(math.isfinite(one(d, 1)) and math.isfinite(one(d, -1)) and
          abs(one(d, 1) - one(d, -1)) < 1e-4 * one(d, 1),
          f"log barrier {d} levels above / below: {one(d, 1)} / {one(d, -1)}")
# Its gradient pushes back into the interval from above.
x = (g * Ja + lhi - llo + 0.5 * step).clamp(max=0.99).requires_grad_(True)
losses.barrier_log(x, llo, lhi, step).backward()
check(bool((x.grad[x.detach() > lhi] > 0).all()), "log barrier gradient above is not positive")

# train.py --barrier picks one of the two.
check(float(losses.inf_term("log", x.detach(), llo, lhi, step)) ==
      float(losses.barrier_log(x.detach(), llo, lhi, step)) and
      float(losses.inf_term("hinge", x.detach(), llo, lhi, step)) ==
      float(losses.barrier(x.detach(), llo, lhi)), "inf_term does not dispatch")
try:
    losses.inf_term("l2", x, llo, lhi, step)
    check(False, "inf_term accepted an unknown barrier")
except ValueError:
    pass

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
