# Golden test vectors of the dequantization network for the C parity test.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write tests/data/dequant-golden-weights.bin and tests/data/dequant-golden.bin
(v1), or with --v2 tests/data/dequant-golden-v2-weights.bin and
tests/data/dequant-golden-v2.bin (the context branch included, random too),
or with --v3 tests/data/dequant-golden-v3*.bin (the band positions of
core/dequant-bands.c, through bands.py, move J̃ before the network).

The weights are a fixed-seed random network (model.DequantNet with random
batch-norm statistics, folded exactly as export does), scaled so that the
residual is clearly visible. The input is a 45 × 67 brightened dark capture
(odd sizes: the pack2 and border paths are exercised) with a gain ramp from
1 to 40, so that all three blend regimes of core/dequant.c occur (no
correction, partial, full); the v2 input is 77 × 141, so that its 1/16
level has several pixels each way. Everything is computed in float64 from the
float32 weights and input and stored as float32. The v3 input is a
noise-free brightened capture 77 × 141 (the levels J̃ / (gain · q) are
whole numbers, as for LAIC's output); its band positions come from the C
function itself (bands.py), everything after them in float64.

Tensors of dequant-golden.bin (architecture evenlight-golden-v1):
  input 3×H×W (J̃), gain H×W, quant_step [1], residual 3×H×W (E, before the
  blend), output 3×H×W (clamp(J̃ + blend(gain)·E, 0, 1)).

Usage: make_golden.py [--v2 | --v3] [OUTDIR]
"""

import os
import sys
from collections import OrderedDict

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import export      # noqa: E402  (weights/train/export.py)
import model       # noqa: E402

H, W = 45, 67
GAIN_LOW, GAIN_HIGH = 2.0, 4.0   # core/dequant.h
Q = 1.0 / 255.0


def golden_weights(v2=False, v3=False):
    torch.manual_seed(4242)
    net = model.DequantNet(ctx=v2, bands=v3)
    model.randomise_batch_norms(net, 0.1)
    with torch.no_grad():
        net.tail.weight.normal_(0, 0.05)
        net.tail.bias.uniform_(-0.02, 0.02)
        if v2:   # the branch starts switched off in training: switch it on
            net.ctx["out"].weight.normal_(0, 0.3)
            net.ctx["out"].bias.uniform_(-0.05, 0.05)
    net.eval()
    return OrderedDict((k, v.float().numpy()) for k, v in model.folded_state(net).items())


def golden_input(rng, H=H, W=W, noise=0.003):
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    gain = 1.0 + 39.0 * x / (W - 1)
    level = 0.3 + 0.5 * np.sin(0.2 * x + 0.1 * y) ** 2
    cap = np.round(np.stack([level, level * 0.8, level * 0.6]) / gain * 255) / 255
    jt = np.clip(cap * gain + rng.normal(0, noise, (3, H, W)) if noise else cap * gain, 0, 1)
    return jt.astype(np.float32), gain.astype(np.float32)


def main():
    args = [a for a in sys.argv[1:] if a not in ("--v2", "--v3")]
    v2 = "--v2" in sys.argv[1:]
    v3 = "--v3" in sys.argv[1:]
    out = args[0] if args else os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "tests", "data")
    t = golden_weights(v2, v3)
    rng = np.random.default_rng(99)
    jt, gain = golden_input(rng, *((77, 141) if v2 or v3 else (H, W)),
                            noise=0.0 if v3 else 0.003)
    suffix = "-v3" if v3 else ("-v2" if v2 else "")
    arch = model.ARCH_V3 if v3 else (model.ARCH_V2 if v2 else model.ARCH_V1)
    net = model.FoldedNet({k: torch.from_numpy(v).double() for k, v in t.items()})
    J = torch.from_numpy(jt).double()[None]
    g = torch.from_numpy(gain).double()
    step = (g * Q)[None, None]
    Jin, band = J, None
    if v3:
        import bands
        # The levels exactly as core/dequant.c takes them: J̃ / (gain · q)
        # in float32, rounded to the nearest integer.
        lv = bands.levels_of(jt, (gain * np.float32(Q))[None])
        off = np.stack([bands.offsets(lv[c]) for c in range(3)])
        band = step * torch.from_numpy(off).double()[None]
        Jin = (J + band).clamp(0, 1)
    with torch.no_grad():
        E = net.residual(Jin, step, band)[0]
    a = ((g - GAIN_LOW) / (GAIN_HIGH - GAIN_LOW)).clamp(0, 1)
    outimg = (J[0] + a * (Jin[0] - J[0] + E)).clamp(0, 1)
    print(f"residual: max |E| = {float(E.abs().max()):.4f}, "
          f"mean |E| = {float(E.abs().mean()):.4f}")
    export.write(os.path.join(out, f"dequant-golden{suffix}-weights.bin"), t, arch)
    export.write(os.path.join(out, f"dequant-golden{suffix}.bin"), OrderedDict([
        ("input", jt), ("gain", gain), ("quant_step", np.array([Q], np.float32)),
        ("residual", E.float().numpy()), ("output", outimg.float().numpy())]),
        "evenlight-golden-v1")


if __name__ == "__main__":
    main()
