# evenlight network in PyTorch: the reference implementation of weights/MODEL.md.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The evenlight network, exactly as weights/MODEL.md specifies it.

Every section number below refers to MODEL.md. The state_dict names are the
tensor names of the weights file. `EvenlightNet.forward` returns every
intermediate the golden test vectors need (grid, grid_inv, L, Li, I_U, I_O,
weights, R1, N, R), so this file is both the training model and the reference
the C engine is checked against.
"""

import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-3          # §2, ε in I / (L^γ1 + ε)
GRID_CELLS = 16     # §1, spatial cells of the bilateral grid
GRID_BINS = 8       # §1, intensity bins
POOL_SIZE = 128     # §1, adaptive pooling size of the packed guide
ARCH_V1 = "evenlight-net-v1"
ARCH_V2 = "evenlight-net-v2"   # + the Fusion-Net's global bias (§3)
ARCH = ARCH_V1
N_PARAMS = 5284     # §6, v1
N_PARAMS_V2 = 5335  # + fusion.global, 16 → 3
# §5b, the exposure step (present when the weights file holds
# "exposure.floor"): the long side of the thumbnail that sets the gain, the
# sliders it is rendered at (the defaults of core/evenlight.h), the largest
# gain and the number of bisection steps.
EXPOSURE_FLOOR = "exposure.floor"
EXPOSURE_THUMB = 128
EXPOSURE_SLIDERS = (1.0, 0.4, 0.75)
EXPOSURE_GAIN_MAX = 16.0
EXPOSURE_STEPS = 24


# ---------------------------------------------------------------- primitives

def rpad(x, n=1):
    """Replicate padding by n pixels on all four sides (clamp-to-edge)."""
    return F.pad(x, (n, n, n, n), mode="replicate")


def conv3(conv, x):
    """conv3x3 (stride from the module) on a replicate-padded input."""
    return conv(rpad(x))


def pack2(x):
    """C×H×W → 4C×ceil(H/2)×ceil(W/2): replicate-pad bottom/right to even,
    then pixel_unshuffle (channel c·4 + dy·2 + dx)."""
    h, w = x.shape[-2:]
    x = F.pad(x, (0, w % 2, 0, h % 2), mode="replicate")
    return F.pixel_unshuffle(x, 2)


def unpack2(x, h, w):
    """pixel_shuffle by 2, cropped to h×w."""
    return F.pixel_shuffle(x, 2)[..., :h, :w]


def up2(x, h, w):
    """Bilinear ×2 (align_corners=False), cropped to h×w."""
    y = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    return y[..., :h, :w]


def half(n):
    return (n + 1) // 2


def sanitize(img):
    """NaN → 0, then clamp to [0, 1] (MODEL.md, Conventions)."""
    return torch.nan_to_num(img, nan=0.0, posinf=1.0, neginf=0.0).clamp(0.0, 1.0)


# ------------------------------------------------------------ §1 illumination

class IlluminationNet(nn.Module):
    """Bright-channel guide → 8 × 16 × 16 bilateral grid (global context)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 6, 3, stride=2)
        self.conv2 = nn.Conv2d(6, 8, 3, stride=2)
        self.conv3 = nn.Conv2d(8, 8, 3, stride=2)
        # "global" is a Python keyword: register the module by name.
        self.add_module("global", nn.Linear(8, 8))
        self.grid = nn.Conv2d(8, GRID_BINS, 1)

    def forward(self, g, features=False):
        """g: B×1×H×W guide → B×8×16×16 grid in (0, 1); with features, also
        the B×8 global features gl."""
        x = F.adaptive_avg_pool2d(pack2(g), (POOL_SIZE, POOL_SIZE))
        x = F.relu(conv3(self.conv1, x))
        x = F.relu(conv3(self.conv2, x))
        x = F.relu(conv3(self.conv3, x))
        gl = F.relu(getattr(self, "global")(x.mean(dim=(2, 3))))
        grid = torch.sigmoid(self.grid(x + gl[:, :, None, None]))
        return (grid, gl) if features else grid


def _axis(c, n):
    """Clamp a continuous grid coordinate to [0, n−1] → (i0, i1, t)."""
    c = c.clamp(0.0, n - 1.0)
    i0 = torch.floor(c)
    t = c - i0
    i0 = i0.long()
    i1 = torch.clamp(i0 + 1, max=n - 1)
    return i0, i1, t


def slice_grid_fast(grid, v, full=None, offset=(0, 0)):
    """slice_grid through F.grid_sample (trilinear, border clamp): the same
    function up to float rounding, with a much faster backward pass; used in
    training. full/offset as in slice_grid (or lists, one per batch item)."""
    b = v.shape[0]
    h, w = v.shape[-2:]
    dt, dev = v.dtype, v.device
    if not isinstance(full, list):
        full = [full or (h, w)] * b
        offset = [offset] * b
    cols = []
    for (fh, fw), (oy, ox) in zip(full, offset):
        xn = (torch.arange(ox, ox + w, dtype=dt, device=dev) + 0.5) * (2.0 / fw) - 1.0
        yn = (torch.arange(oy, oy + h, dtype=dt, device=dev) + 0.5) * (2.0 / fh) - 1.0
        cols.append(torch.stack([xn.view(1, w).expand(h, w),
                                 yn.view(h, 1).expand(h, w)], dim=-1))
    xy = torch.stack(cols)                                   # B×H×W×2
    zn = (2.0 * v[:, 0] - 1.0).unsqueeze(-1)                 # B×H×W×1
    coords = torch.cat([xy, zn], dim=-1).unsqueeze(1)        # B×1×H×W×3
    s = F.grid_sample(grid.unsqueeze(1), coords, mode="bilinear",
                      padding_mode="border", align_corners=False)
    return torch.maximum(s[:, 0], v)


def slice_grid(grid, v, full=None, offset=(0, 0)):
    """Trilinear slicing of grid (B×8×16×16) at guide v (B×1×H×W), §1.

    v may be a window at `offset` (y0, x0) of a `full` (H, W) image: the
    spatial coordinates are those of the whole image (full and offset may
    also be lists, one per batch item). Returns L = max(s, v)
    as B×1×H×W.
    """
    if isinstance(full, list):
        # One (full, offset) per batch item: slice each on its own.
        return torch.cat([slice_grid(grid[k:k + 1], v[k:k + 1], full[k], offset[k])
                          for k in range(v.shape[0])])
    b, nz, ny, nx = grid.shape
    h, w = v.shape[-2:]
    fh, fw = full or (h, w)
    oy, ox = offset
    dt = v.dtype
    dev = v.device
    # Coordinates computed in the order MODEL.md gives (parity with C).
    xs = (torch.arange(ox, ox + w, dtype=dt, device=dev) + 0.5) * (
        torch.tensor(float(nx), dtype=dt) / torch.tensor(float(fw), dtype=dt)) - 0.5
    ys = (torch.arange(oy, oy + h, dtype=dt, device=dev) + 0.5) * (
        torch.tensor(float(ny), dtype=dt) / torch.tensor(float(fh), dtype=dt)) - 0.5
    x0, x1, tx = _axis(xs, nx)
    y0, y1, ty = _axis(ys, ny)
    z0, z1, tz = _axis(v[:, 0] * nz - 0.5, nz)            # B×H×W

    flat = grid.reshape(b, nz * ny * nx)
    tx = tx.view(1, 1, w)
    ty = ty.view(1, h, 1)

    def tap(zi, yi, xi):
        idx = zi * (ny * nx) + (yi * nx).view(1, h, 1) + xi.view(1, 1, w)
        return torch.gather(flat, 1, idx.reshape(b, -1)).view(b, h, w)

    def plane(zi):
        top = tap(zi, y0, x0) * (1 - tx) + tap(zi, y0, x1) * tx
        bot = tap(zi, y1, x0) * (1 - tx) + tap(zi, y1, x1) * tx
        return top * (1 - ty) + bot * ty

    s = plane(z0) * (1 - tz) + plane(z1) * tz
    return torch.maximum(s, v[:, 0]).unsqueeze(1)


# ----------------------------------------------------------------- §3 fusion

class FusionNet(nn.Module):
    """Tiny U-Net → per-pixel softmax weights of (I, I_U, I_O) (paper Eq. 3).

    v2 adds a global bias of the three logits, Linear(concat(gl, gl_inv)),
    from the Illumination-Net's global features of the image and of its
    inverse: the one thing the fusion sees of the whole picture, so that it
    can weigh I_U up on a photo that is dark all over and keep the contrast
    of a backlit one."""

    def __init__(self, global_bias=False):
        super().__init__()
        self.enc1 = nn.Conv2d(9, 6, 3, stride=2)
        self.enc2 = nn.Conv2d(6, 6, 3, stride=2)
        self.mid = nn.Conv2d(6, 6, 3)
        self.dec1 = nn.Conv2d(6, 6, 3)
        self.out = nn.Conv2d(6, 3, 1)
        self.skip = nn.Conv2d(9, 3, 1, bias=False)
        if global_bias:    # last: v1's layers draw the same initial values
            self.add_module("global", nn.Linear(16, 3))

    def bias(self, gl, gl_inv):
        """B×3 logit bias (v2), or None (v1)."""
        if not hasattr(self, "global"):
            return None
        return getattr(self, "global")(torch.cat([gl, gl_inv], dim=1))

    def forward(self, x, bias=None):
        h, w = x.shape[-2:]
        h1, w1 = half(h), half(w)
        e1 = F.relu(conv3(self.enc1, x))
        e2 = F.relu(conv3(self.enc2, e1))
        m = F.relu(conv3(self.mid, e2))
        d1 = F.relu(conv3(self.dec1, up2(m, h1, w1) + e1))
        logits = self.out(up2(d1, h, w)) + self.skip(x)
        if bias is not None:
            logits = logits + bias[:, :, None, None]
        return torch.softmax(logits, dim=1)


# ------------------------------------------------------------ §4 restoration

class RestorationNet(nn.Module):
    """Three-branch net at half resolution → negative noise map N."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(12, 8, 3)
        self.conv2 = nn.Conv2d(8, 8, 3)
        self.conv3 = nn.Conv2d(8, 8, 3)
        self.out1 = nn.Conv2d(8, 12, 1)
        self.out2 = nn.Conv2d(8, 12, 1)
        self.out3 = nn.Conv2d(8, 12, 1)

    def forward(self, r1):
        h, w = r1.shape[-2:]
        p = pack2(2.0 * r1 - 1.0)
        f1 = F.relu(conv3(self.conv1, p))
        f2 = F.relu(conv3(self.conv2, f1))
        f3 = F.relu(conv3(self.conv3, f1 + f2))
        o = self.out1(f1) + self.out2(f2) + self.out3(f3)
        return unpack2(o, h, w)


# --------------------------------------------------------------------- §5 Φ

def dct_matrix(dtype=torch.float32, device=None):
    """Orthonormal 8-point DCT-II matrix D[u][k]."""
    d = torch.empty(8, 8, dtype=torch.float64)
    for u in range(8):
        a = math.sqrt(1.0 / 8.0) if u == 0 else math.sqrt(2.0 / 8.0)
        for k in range(8):
            d[u, k] = a * math.cos(math.pi * (2 * k + 1) * u / 16.0)
    return d.to(dtype=dtype, device=device)


def dct_mask(g3, dtype=torch.float32, device=None):
    """M(u, v) = clamp(u + v + 1 − c, 0, 1), c = 15 (1 − γ3)."""
    c = 15.0 * (1.0 - float(g3))
    u = torch.arange(8, dtype=torch.float64)
    m = (u[:, None] + u[None, :] + 1.0 - c).clamp(0.0, 1.0)
    return m.to(dtype=dtype, device=device)


def phi(n, g3):
    """DCT noise control Φ(N, γ3) of a B×C×H×W noise map (§5)."""
    g3 = float(g3)
    if g3 <= 0.0:
        return torch.zeros_like(n)
    if g3 >= 1.0:
        return n
    b, c, h, w = n.shape
    na = (h + 3) // 4 + 1           # block origins 4a − 4 ≤ h − 1, a = 0 … na − 1
    nb = (w + 3) // 4 + 1
    ph, pw = 4 * na + 4, 4 * nb + 4  # padded extent starting at −4
    x = F.pad(n.reshape(b * c, 1, h, w), (4, pw - w - 4, 4, ph - h - 4),
              mode="replicate")
    blocks = F.unfold(x, 8, stride=4)                    # (bc)×64×nblocks
    nbl = blocks.shape[-1]
    blk = blocks.transpose(1, 2).reshape(-1, nbl, 8, 8)  # rows k, cols l
    d = dct_matrix(n.dtype, n.device)
    m = dct_mask(g3, n.dtype, n.device)
    coef = d @ blk @ d.t()
    back = d.t() @ (m * coef) @ d
    cols = back.reshape(-1, nbl, 64).transpose(1, 2)
    out = F.fold(cols, (ph, pw), 8, stride=4)
    out = out[..., 4:4 + h, 4:4 + w] / 4.0
    return out.reshape(b, c, h, w)


# ------------------------------------------------------- §5b exposure step

def srgb_to_linear(x):
    return torch.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(y):
    return torch.where(y <= 0.0031308, 12.92 * y,
                       1.055 * y.clamp_min(0.0031308) ** (1.0 / 2.4) - 0.055)


def exposure_curve(x, g):
    """E_g of §5b on sRGB values x in [0, 1]: the gain g in linear light
    with a shoulder that keeps white white, l' = g l / (1 + (g − 1) l)."""
    lin = srgb_to_linear(x)
    return linear_to_srgb(g * lin / (1.0 + (g - 1.0) * lin))


def thumb_size(h, w):
    """(h, w) of the exposure thumbnail of an H × W image (§5b)."""
    n = max(h, w)
    if n <= EXPOSURE_THUMB:
        return h, w
    return (max(1, (h * EXPOSURE_THUMB + n // 2) // n),
            max(1, (w * EXPOSURE_THUMB + n // 2) // n))


def exposure_gain(r, floor):
    """The gain g ≥ 1 that brings the mean luma (0.299 R' + 0.587 G' +
    0.114 B') of E_g(r) up to @floor, r the thumbnail's result (3×h×w):
    1 when it is there already, EXPOSURE_GAIN_MAX at most; a bisection of
    log2 g in float64, as the C engine computes it."""
    r = r.detach().to(torch.float64)

    def mean_luma(g):
        e = exposure_curve(r, g)
        return float((0.299 * e[0] + 0.587 * e[1] + 0.114 * e[2]).mean())

    if mean_luma(1.0) >= floor:
        return 1.0
    if mean_luma(EXPOSURE_GAIN_MAX) <= floor:
        return EXPOSURE_GAIN_MAX
    lo, hi = 0.0, math.log2(EXPOSURE_GAIN_MAX)
    for _ in range(EXPOSURE_STEPS):
        mid = 0.5 * (lo + hi)
        if mean_luma(2.0 ** mid) < floor:
            lo = mid
        else:
            hi = mid
    return 2.0 ** hi


# ----------------------------------------------------------------- network

def _gamma(x, ref):
    """A γ given as float or per-batch tensor → broadcastable B×1×1×1."""
    t = torch.as_tensor(x, dtype=ref.dtype, device=ref.device)
    if t.dim() == 0:
        return t
    return t.view(-1, 1, 1, 1)


class EvenlightNet(nn.Module):
    """Illumination-Net + Fusion-Net + Restoration-Net + Φ (paper Eq. 10)."""

    def __init__(self, arch=ARCH):
        super().__init__()
        if arch not in (ARCH_V1, ARCH_V2):
            raise ValueError(f"unknown architecture {arch}")
        self.arch = arch
        self.illum = IlluminationNet()
        self.fusion = FusionNet(global_bias=arch == ARCH_V2)
        self.restore = RestorationNet()
        # The reference slicing follows MODEL.md's formula literally; training
        # switches to the grid_sample form (same values, faster gradients).
        self.fast_slicing = False
        # §5b: the mean luma a result is brought up to, or None (no
        # exposure step: training, and weights files without the tensor).
        self.exposure_floor = None

    def exposure_gains(self, img):
        """The exposure gain of each image of the batch (§5b): the whole
        network (without the step) on its area-averaged thumbnail at
        EXPOSURE_SLIDERS, then exposure_gain(). 1 without a floor."""
        if self.exposure_floor is None:
            return [1.0] * img.shape[0]
        return [exposure_gain(r, self.exposure_floor) for r in self.exposure_thumbs(img)]

    def exposure_thumbs(self, img):
        """The result of the network without the exposure step on each
        image's thumbnail (3×h×w each, §5b): the area average of the image
        to thumb_size(), rendered at EXPOSURE_SLIDERS."""
        i = sanitize(img)
        th, tw = thumb_size(*i.shape[-2:])
        t = F.adaptive_avg_pool2d(i, (th, tw)) if (th, tw) != tuple(i.shape[-2:]) else i
        return [self(t[k:k + 1], *EXPOSURE_SLIDERS, exposure=False)["R"][0]
                for k in range(i.shape[0])]

    def add_bracket_fusion(self):
        """Gives the network a Fusion-Net of its own for brackets (MODEL.md
        §3b, tensors "bracket.*"), a copy of the single-image one to start
        from. Without it a bracket is fused by the single-image one."""
        self.bracket = copy.deepcopy(self.fusion)
        return self.bracket

    def fusion_for_brackets(self):
        return getattr(self, "bracket", None) or self.fusion

    def fuse_bracket(self, exposures, g3=1.0):
        """R of an aligned bracket (a list of B×3×H×W exposures, darkest
        first) as the engine fuses it (MODEL.md §3b): the Fusion-Net for
        brackets on (middle, brightest, darkest), its v2 bias from the
        middle exposure's global features, then the Restoration-Net and Φ
        at @g3. Three or more exposures (the engine's middle of an even
        count is the mean of the two inner ones; not needed here)."""
        ex = [sanitize(e) for e in exposures]
        mid, bright, dark = ex[(len(ex) - 1) // 2], ex[-1], ex[0]
        fnet = self.fusion_for_brackets()
        _, gl = self.illum(mid.max(dim=1, keepdim=True)[0], True)
        _, gli = self.illum((1.0 - mid).max(dim=1, keepdim=True)[0], True)
        w = fnet(torch.cat([mid, bright, dark], dim=1), fnet.bias(gl, gli))
        r1 = w[:, 0:1] * mid + w[:, 1:2] * bright + w[:, 2:3] * dark
        return torch.clamp(r1 + phi(self.restore(r1), g3), 0.0, 1.0)

    def context(self, img):
        """The global context of a whole image: (grid, grid_inv, bias), bias
        the Fusion-Net's logit bias (None for v1)."""
        i = sanitize(img)
        grid, gl = self.illum(i.max(dim=1, keepdim=True)[0], True)
        grid_inv, gli = self.illum((1.0 - i).max(dim=1, keepdim=True)[0], True)
        return grid, grid_inv, self.fusion.bias(gl, gli)

    def forward(self, img, g1=1.0, g2=1.0, g3=1.0, restore=True, context=None, exposure=True):
        """img: B×3×H×W in [0, 1]. Returns a dict of every intermediate:
        grid, grid_inv (B×8×16×16), L, Li (B×1×H×W), I_U, I_O, weights, R1,
        N (None when restore is False), R (B×3×H×W). γ1, γ2 may be floats or
        per-batch tensors; γ3 is a float (Φ works on the whole batch).

        context = (grid, grid_inv, (H, W), (y0, x0), bias) renders img as
        the window at (y0, x0) of a larger H × W image whose grids (and v2
        fusion bias) are given (training on crops with whole-image
        context).

        With an exposure floor (§5b) and exposure True (and no context), R
        is then E_{g^min(γ1, 1)}(R) with each image's gain g; "gain" holds g (a
        list, 1.0 each without the step)."""
        i = sanitize(img)
        g = i.max(dim=1, keepdim=True)[0]
        gi = (1.0 - i).max(dim=1, keepdim=True)[0]
        if context is None:
            grid, grid_inv, bias = self.context(i)
            full, off = None, (0, 0)
        else:
            grid, grid_inv, full, off = context[:4]
            bias = context[4] if len(context) > 4 else None
        sl = slice_grid_fast if self.fast_slicing else slice_grid
        l = sl(grid, g, full, off)
        li = sl(grid_inv, gi, full, off)
        # §2, paper Eq. (10) inner terms.
        i_u = torch.clamp(i / (l ** _gamma(g1, i) + EPS), max=1.0)
        i_o = torch.clamp(1.0 - (1.0 - i) / (li ** _gamma(g2, i) + EPS), min=0.0)
        w = self.fusion(torch.cat([i, i_u, i_o], dim=1), bias)
        r1 = w[:, 0:1] * i + w[:, 1:2] * i_u + w[:, 2:3] * i_o
        n = None
        if restore:
            # N is computed even for γ3 = 0 (Φ is then 0) so that the golden
            # vectors hold it for every case; inference engines skip it.
            n = self.restore(r1)
            r = torch.clamp(r1 + phi(n, g3), 0.0, 1.0)
        else:
            r = torch.clamp(r1, 0.0, 1.0)
        gains = [1.0] * i.shape[0]
        if exposure and context is None and self.exposure_floor is not None:
            gains = self.exposure_gains(i)
            r = self.apply_exposure(r, gains, g1)
        return dict(grid=grid, grid_inv=grid_inv, bias=bias, L=l, Li=li, I_U=i_u,
                    I_O=i_o, weights=w, R1=r1, N=n, R=r, gain=gains)

    @staticmethod
    def apply_exposure(r, gains, g1):
        """E_{g^min(γ1, 1)}(r) per image (§5b); images whose gain is 1 are
        left as they are."""
        g1s = _gamma(g1, r).reshape(-1).tolist()
        if len(g1s) == 1:
            g1s = g1s * r.shape[0]
        out = []
        for k, (g, e) in enumerate(zip(gains, g1s)):
            ge = float(g) ** min(float(e), 1.0)
            out.append(r[k:k + 1] if ge == 1.0 else exposure_curve(r[k:k + 1], ge))
        return torch.cat(out)


def count_params(model):
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    torch.set_num_threads(2)
    for arch, n in ((ARCH_V1, N_PARAMS), (ARCH_V2, N_PARAMS_V2)):
        net = EvenlightNet(arch)
        print(arch)
        for k, v in net.state_dict().items():
            print(f"  {k:24s} {tuple(v.shape)}")
        print("  parameters:", count_params(net))
        assert count_params(net) == n
