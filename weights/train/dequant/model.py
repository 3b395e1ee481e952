# Dequantization network G and its DCGAN-style discriminator (second paper).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dequantization network (weights/DEQUANT.md §1).

G restores a brightened dark capture J̃ by predicting the residual
E = J − J̃ (paper Eq. 9–10). Its input is J̃ (3 channels) and the width of
the quantisation interval each pixel of J̃ stands for (1 channel, scaled by
STEP_SCALE): the network needs it because the banding it removes is as
tall as that width, which the compensation gain sets pixel by pixel.

    x  = concat(J̃, STEP_SCALE · step)                   4 × H × W
    p  = pack2(x)                                        16 × H1 × W1
    f  = relu(conv3x3(p))                                head
    (v2 only) the context branch, a small U-Net (as Fusion-Net, MODEL.md §3):
    e1 = relu(conv3x3 s2(f))                             ctx.enc1, 1/4
    e2 = relu(conv3x3 s2(e1))                            ctx.enc2, 1/8
    e3 = relu(conv3x3 s2(e2))                            ctx.enc3, 1/16
    m  = relu(conv3x3(e3))                               ctx.mid
    d2 = relu(conv3x3(up2(m) + e2))                      ctx.dec2, 1/8
    d1 = relu(conv3x3(up2(d2) + e1))                     ctx.dec1, 1/4
    f  = f + up2(conv1x1(d1))                            ctx.out, back to 1/2
    f  = f + bn(conv3x3(relu(bn(conv3x3(f)))))           × N_BLOCKS
    E  = unpack2(conv3x3(f)) cropped to H × W           tail, 12 → 3 × H × W
    Ĵ  = clamp(J̃ + E, 0, 1)

Working at half resolution (pack2) doubles the receptive field for the same
cost. v1 (no context branch) sees ±21 px, less than one band of a strongly
brightened sky (30–40 px); the context branch of v2 works at 1/4 … 1/16 of
the resolution, where it costs ~5 % of the network's time, and lets G see
±80 px, i.e. the bands on both sides of a pixel. conv3x3 uses replicate
padding exactly as weights/MODEL.md "Conventions" says, so the C engine
(core/dequant.c) shares the conventions of the main network. Batch norm is
folded into the convolutions at export.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

ARCH_V1 = "evenlight-dequant-v1"
ARCH_V2 = "evenlight-dequant-v2"
ARCH_V3 = "evenlight-dequant-v3"
ARCH = ARCH_V2
WIDTH = 12          # feature channels at half resolution
CTX_WIDTH = 16      # feature channels of the context branch (v2)
N_BLOCKS = 4        # residual blocks
STEP_SCALE = 4.0    # input scaling of the quantisation-interval width
IN_CH = 4
IN_CH_V3 = 7        # v3: J̃ moved by the band positions b, the step, b


def rpad(x, n=1):
    return F.pad(x, (n, n, n, n), mode="replicate")


def pack2(x):
    h, w = x.shape[-2:]
    x = F.pad(x, (0, w % 2, 0, h % 2), mode="replicate")
    return F.pixel_unshuffle(x, 2)


def unpack2(x, h, w):
    return F.pixel_shuffle(x, 2)[..., :h, :w]


def up2(x, h, w):
    """Bilinear ×2 (align_corners=False), cropped to h×w (MODEL.md)."""
    y = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    return y[..., :h, :w]


def context(t, f, conv):
    """The v2 context branch on the head features f; @conv(name, x, stride)
    applies the named convolution. Returns f + up2(ctx.out(d1))."""
    h1, w1 = f.shape[-2:]
    e1 = F.relu(conv("ctx.enc1", f, 2))
    e2 = F.relu(conv("ctx.enc2", e1, 2))
    e3 = F.relu(conv("ctx.enc3", e2, 2))
    m = F.relu(conv("ctx.mid", e3, 1))
    d2 = F.relu(conv("ctx.dec2", up2(m, *e2.shape[-2:]) + e2, 1))
    d1 = F.relu(conv("ctx.dec1", up2(d2, *e1.shape[-2:]) + e1, 1))
    o = F.conv2d(d1, t["ctx.out.weight"], t["ctx.out.bias"])
    return f + up2(o, h1, w1)


class ResBlock(nn.Module):
    """conv–BN–ReLU–conv–BN + identity skip (no activation after the sum)."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, bias=True)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, bias=True)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(rpad(x))))
        return x + self.bn2(self.conv2(rpad(y)))


class DequantNet(nn.Module):
    def __init__(self, width=WIDTH, n_blocks=N_BLOCKS, ctx=True, ctx_width=CTX_WIDTH,
                 bands=False):
        super().__init__()
        self.bands = bands
        self.head = nn.Conv2d(4 * (IN_CH_V3 if bands else IN_CH), width, 3)
        self.ctx = None
        if ctx:
            c = ctx_width
            self.ctx = nn.ModuleDict({
                "enc1": nn.Conv2d(width, c, 3, stride=2),
                "enc2": nn.Conv2d(c, c, 3, stride=2),
                "enc3": nn.Conv2d(c, c, 3, stride=2),
                "mid": nn.Conv2d(c, c, 3), "dec2": nn.Conv2d(c, c, 3),
                "dec1": nn.Conv2d(c, c, 3), "out": nn.Conv2d(c, width, 1)})
            # The branch starts switched off (a v1 network stays what it was
            # when the branch is added to it).
            nn.init.zeros_(self.ctx["out"].weight)
            nn.init.zeros_(self.ctx["out"].bias)
        self.blocks = nn.ModuleList([ResBlock(width) for _ in range(n_blocks)])
        self.tail = nn.Conv2d(width, 12, 3)
        # Start from E = 0 (the identity restoration): the tail's weights are
        # small so the first steps refine rather than undo J̃.
        nn.init.normal_(self.tail.weight, std=1e-3)
        nn.init.zeros_(self.tail.bias)

    def residual(self, jt, step, band=None):
        h, w = jt.shape[-2:]
        x = torch.cat([jt, STEP_SCALE * step] + ([] if band is None else [STEP_SCALE * band]),
                      dim=1)
        f = F.relu(self.head(rpad(pack2(x))))
        if self.ctx is not None:
            t = {"ctx.out.weight": self.ctx["out"].weight, "ctx.out.bias": self.ctx["out"].bias}
            f = context(t, f, lambda n, x, s: self.ctx[n[4:]](rpad(x)))
        for b in self.blocks:
            f = b(f)
        return unpack2(self.tail(rpad(f)), h, w)

    def forward(self, jt, step, band=None):
        """band (v3): the band positions in image units, gain · q · offset
        (bands.py); J̃ moves by it before the network sees it."""
        if band is not None:
            jt = torch.clamp(jt + band, 0.0, 1.0)
        return torch.clamp(jt + self.residual(jt, step, band), 0.0, 1.0)

    @property
    def arch(self):
        if self.bands:
            return ARCH_V3
        return ARCH_V1 if self.ctx is None else ARCH_V2


class Discriminator(nn.Module):
    """DCGAN-style: four units of (conv3x3 s1, BN, LReLU 0.2, conv3x3 s2, BN,
    LReLU 0.2), then a global average and a linear logit."""

    def __init__(self, widths=(16, 24, 32, 48)):
        super().__init__()
        layers, cin = [], 3
        for i, c in enumerate(widths):
            layers += [nn.Conv2d(cin, c, 3, 1, 1)]
            if i > 0:
                layers += [nn.BatchNorm2d(c)]
            layers += [nn.LeakyReLU(0.2, inplace=True),
                       nn.Conv2d(c, c, 3, 2, 1), nn.BatchNorm2d(c),
                       nn.LeakyReLU(0.2, inplace=True)]
            cin = c
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, 1)

    def forward(self, x):
        return self.fc(self.features(2 * x - 1).mean(dim=(2, 3)))


def randomise_batch_norms(net, mean=0.1):
    """Random statistics and affine parameters for every batch norm of G
    (golden vectors and folding tests: folding then has work to do)."""
    with torch.no_grad():
        for b in net.blocks:
            for bn in (b.bn1, b.bn2):
                bn.running_mean.uniform_(-mean, mean)
                bn.running_var.uniform_(0.5, 2.0)
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.uniform_(-0.1, 0.1)


def fold_bn(conv, bn):
    """(weight, bias) of conv followed by eval-mode BN as one convolution."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight * scale[:, None, None, None]
    b = (conv.bias - bn.running_mean) * scale + bn.bias
    return w.detach().clone(), b.detach().clone()


def folded_state(net):
    """Ordered tensor dict of the exported (BN-folded) network."""
    from collections import OrderedDict
    out = OrderedDict()
    out["head.weight"] = net.head.weight.detach().clone()
    out["head.bias"] = net.head.bias.detach().clone()
    if net.ctx is not None:
        for n in ("enc1", "enc2", "enc3", "mid", "dec2", "dec1", "out"):
            out[f"ctx.{n}.weight"] = net.ctx[n].weight.detach().clone()
            out[f"ctx.{n}.bias"] = net.ctx[n].bias.detach().clone()
    for k, b in enumerate(net.blocks):
        w1, b1 = fold_bn(b.conv1, b.bn1)
        w2, b2 = fold_bn(b.conv2, b.bn2)
        out[f"blocks.{k}.conv1.weight"], out[f"blocks.{k}.conv1.bias"] = w1, b1
        out[f"blocks.{k}.conv2.weight"], out[f"blocks.{k}.conv2.bias"] = w2, b2
    out["tail.weight"] = net.tail.weight.detach().clone()
    out["tail.bias"] = net.tail.bias.detach().clone()
    return out


class FoldedNet(nn.Module):
    """The exported network (plain convolutions), the reference C follows."""

    def __init__(self, tensors):
        super().__init__()
        self.t = {k: torch.as_tensor(v) for k, v in tensors.items()}
        self.n_blocks = sum(1 for k in self.t if k.endswith(".conv1.weight"))
        self.has_ctx = "ctx.enc1.weight" in self.t
        self.bands = self.t["head.weight"].shape[1] == 4 * IN_CH_V3

    def residual(self, jt, step, band=None):
        t = self.t
        h, w = jt.shape[-2:]
        x = torch.cat([jt, STEP_SCALE * step] + ([] if band is None else [STEP_SCALE * band]),
                      dim=1)
        f = F.relu(F.conv2d(rpad(pack2(x)), t["head.weight"], t["head.bias"]))
        if self.has_ctx:
            f = context(t, f, lambda n, x, s: F.conv2d(rpad(x), t[n + ".weight"],
                                                       t[n + ".bias"], stride=s))
        for k in range(self.n_blocks):
            y = F.relu(F.conv2d(rpad(f), t[f"blocks.{k}.conv1.weight"],
                                t[f"blocks.{k}.conv1.bias"]))
            f = f + F.conv2d(rpad(y), t[f"blocks.{k}.conv2.weight"],
                             t[f"blocks.{k}.conv2.bias"])
        return unpack2(F.conv2d(rpad(f), t["tail.weight"], t["tail.bias"]), h, w)

    def forward(self, jt, step, band=None):
        if band is not None:
            jt = torch.clamp(jt + band, 0.0, 1.0)
        return torch.clamp(jt + self.residual(jt, step, band), 0.0, 1.0)


def count_params(tensors):
    return sum(int(v.numel()) for v in tensors.values())
