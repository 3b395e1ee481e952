#!/usr/bin/python3
# Makes the training targets: chooses retouching coefficients for every
# photo and retouches it with them (Eq. (1), core/retouch.c).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""make_targets.py [DATADIR] [--force]

Reads DATADIR/manifest.tsv and DATADIR/photos/ (get-data.sh), writes
DATADIR/targets/<id>.png (16-bit RGB PNG, same size as the photo) and fills
the manifest's retouch_params column (copied to weights/train/manifest.tsv).
A target whose photo's coefficients did not change is not made again unless
--force is given.

The paper's authors clustered their photos and chose each cluster's
coefficients by eye. Here the choice is automatic and per photo (a dim photo
and a bright one of the same cluster need different lifts): a coordinate
search over the grid of CANDIDATES on a 256 px copy of the photo (the
shadow sequence first, at the middle highlights and the low detail; then
the highlights; then the detail), keeping the candidate with the best
no-reference score, or the photo itself (retouch_params "none") when that
candidate does not beat the unchanged photo by KEEP_MARGIN. score()
documents the criterion. The cluster column of
the manifest is left empty (it held the k-means cluster of the earlier
per-cluster choice).
"""
import os
import struct
import sys
import time
import zlib
from multiprocessing import Pool

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import retouch_binding  # noqa: E402
from measures import DARK_LUMA, luma as luma_map  # noqa: E402

SMALL = 256

# The γ1 sequence sets how far the shadows are lifted, γ2 how much the
# highlights are held back, α (detail) the local contrast boost; radius and
# eps of S stay at the defaults (they describe the illumination, not taste).
SHADOWS = ('0.1/0.2', '0.2/0.4', '0.3/0.6', '0.4/0.8', '0.5/1', '0.3/0.6/0.9')
HIGHLIGHTS = ('0.15', '0.3', '0.6', '0.6/1')
DETAIL = ('0.1', '0.3')


def spec_of(s, h, d):
    return 'shadows=%s,highlights=%s,detail=%s' % (s, h, d)


CANDIDATES = [spec_of(s, h, d) for s in SHADOWS for h in HIGHLIGHTS for d in DETAIL]

# A photo is its own target (KEEP) unless the best candidate beats the photo
# unchanged by KEEP_MARGIN: on a well-exposed photo the mildest retouching
# scored within ±0.07 of the photo itself while changing its luma by 0.06 on
# average, and a network trained on those targets changed well-exposed
# photos as much (PSNR 21.8 dB against the input).
KEEP = 'none'
KEEP_MARGIN = 0.1

# A dark photo (mean luma, 0.299 R' + 0.587 G' + 0.114 B', below DARK_LUMA)
# is lifted at least as far as the classic method lifts it at its defaults
# (TEACHER, core/retouch.h): the score alone kept 7 of the 25 held-out dark
# photos unchanged and chose milder lifts for most others (their targets'
# mean luma 0.352 against the classic method's 0.416), and the network,
# trained on such targets, under-lifted dark photos. For a dark photo the
# search starts from TEACHER's highlights and detail, never keeps the photo
# unchanged, and only takes candidates whose mean luma is at least TEACHER's.
TEACHER = ('0.4/0.8', '0.6', '0.3')

# score() weights; see its docstring.
W_EXPOSURE, W_ENTROPY, W_COLOUR, W_CLIP, W_LOE = 1.0, 1.0, 0.5, 2.0, 0.5


def load(path, long_side=None):
    im = Image.open(path).convert('RGB')
    if long_side and max(im.size) > long_side:
        s = long_side / max(im.size)
        im = im.resize((max(1, round(im.size[0] * s)),
                        max(1, round(im.size[1] * s))), Image.BOX)
    return np.asarray(im, dtype=np.float32) / 255.0


def _entropy(v):
    h, _ = np.histogram(v, bins=256, range=(0.0, 1.0))
    p = h[h > 0] / h.sum()
    return float(-(p * np.log2(p)).sum())


def _colourfulness(rgb):
    """Hasler & Süsstrunk (2003), on 0..1 values, scaled to ~[0, 1]."""
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    m = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    return float(min(m * 255.0 / 100.0, 1.0))


def _clipped(rgb):
    return float(((rgb.max(2) >= 0.995) | (rgb.max(2) <= 0.005)).mean())


def _loe(v_in, v_out, n=32):
    """Lightness-order error: the fraction of pixel pairs, on an n×n grid,
    whose brightness order the retouching reversed."""
    ys = np.linspace(0, v_in.shape[0] - 1, n).astype(int)
    xs = np.linspace(0, v_in.shape[1] - 1, n).astype(int)
    a = v_in[np.ix_(ys, xs)].ravel()
    b = v_out[np.ix_(ys, xs)].ravel()
    return float(((a[:, None] >= a[None]) != (b[:, None] >= b[None])).mean())


def score(rgb_in, rgb_out):
    """The no-reference criterion standing in for the paper's human choice.

    Higher is better:
      + exposure: 1 − |mean V − 0.5| / 0.5 (a well exposed whole)
      + entropy of V / 8 bits (tones spread over the range, not crushed)
      + 0.5 × colourfulness (Hasler & Süsstrunk; lifting must not wash out)
      − 2 × the fraction of pixels newly clipped to black or white
      − 0.5 × the lightness-order error against the input (halos and tone
        reversals; it keeps the result faithful to the input). Its weight
        is low on purpose: lifting shadows while holding highlights back
        reorders some distant pixel pairs by design, and at weight 2 the
        criterion preferred the mildest candidate for every cluster, the
        darkest included.
    """
    v_out, v_in = rgb_out.max(2), rgb_in.max(2)
    exposure = 1.0 - abs(float(v_out.mean()) - 0.5) / 0.5
    clip = max(0.0, _clipped(rgb_out) - _clipped(rgb_in))
    return (W_EXPOSURE * exposure + W_ENTROPY * _entropy(v_out) / 8.0
            + W_COLOUR * _colourfulness(rgb_out) - W_CLIP * clip
            - W_LOE * _loe(v_in, v_out))


def luma(rgb):
    """Mean luma of an H×W×3 image."""
    return float(luma_map(rgb).mean())


def choose(path):
    """Coefficients for one photo: coordinate search over the candidate grid
    on a small copy. Returns (spec, score, score of the photo unchanged)."""
    img = load(path, SMALL)
    dark = luma(img) < DARK_LUMA
    memo = {}

    def retouched(s, h, d):
        k = spec_of(s, h, d)
        if k not in memo:
            out = retouch_binding.retouch(img, k)
            memo[k] = (score(img, out), luma(out))
        return memo[k]
    floor = retouched(*TEACHER)[1] if dark else -1.0

    def sc(s, h, d):
        value, lu = retouched(s, h, d)
        return value if lu >= floor else -np.inf
    h, d = (TEACHER[1], TEACHER[2]) if dark else (HIGHLIGHTS[1], DETAIL[0])
    s = max(SHADOWS, key=lambda v: sc(v, h, d))
    h = max(HIGHLIGHTS, key=lambda v: sc(s, v, d))
    d = max(DETAIL, key=lambda v: sc(s, h, v))
    base = score(img, img)
    if not dark and sc(s, h, d) < base + KEEP_MARGIN:
        return KEEP, base, base
    return spec_of(s, h, d), sc(s, h, d), base


def write_png16(path, rgb):
    """16-bit RGB PNG (PIL cannot write 16-bit colour)."""
    h, w = rgb.shape[:2]
    q = np.clip(np.rint(rgb * 65535.0), 0, 65535).astype('>u2')
    raw = np.zeros((h, 1 + w * 6), np.uint8)
    raw[:, 1:] = q.reshape(h, w * 3).view(np.uint8)

    def chunk(tag, data):
        return (struct.pack('>I', len(data)) + tag + data
                + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff))
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 2, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(raw.tobytes(), 6)))
        f.write(chunk(b'IEND', b''))
    os.replace(tmp, path)


def make_target(args):
    src, dst, spec = args
    img = load(src)
    write_png16(dst, img if spec == KEEP else retouch_binding.retouch(img, spec))
    return dst


def main(argv):
    force = '--force' in argv
    args = [a for a in argv[1:] if a != '--force']
    data = args[0] if args else os.path.join(HERE, 'data')
    man = os.path.join(data, 'manifest.tsv')
    lines = open(man).read().splitlines()
    head = lines[0].split('\t')
    rows = [dict(zip(head, ln.split('\t'))) for ln in lines[1:]]
    os.makedirs(os.path.join(data, 'targets'), exist_ok=True)
    retouch_binding.lib()  # build the binding once, before the workers

    t0 = time.time()
    paths = [os.path.join(data, r['file']) for r in rows]
    with Pool(2) as pool:
        chosen = pool.map(choose, paths, chunksize=4)
    t1 = time.time()
    todo = []
    for r, (spec, _, _) in zip(rows, chosen):
        dst = os.path.join(data, 'targets', r['id'] + '.png')
        if force or not os.path.exists(dst) or r.get('retouch_params') != spec:
            todo.append((os.path.join(data, r['file']), dst, spec))
        r['cluster'] = ''
        r['retouch_params'] = spec
    counts = {}
    for spec, _, _ in chosen:
        key = spec.split(',')[0] if spec != KEEP else 'unchanged'
        counts[key] = counts.get(key, 0) + 1
    print('shadow sequences chosen: ' + ', '.join('%s %d' % kv for kv in sorted(counts.items())))
    print('mean score %.3f (photos unchanged %.3f)'
          % (np.mean([c[1] for c in chosen]), np.mean([c[2] for c in chosen])))
    with Pool(2) as pool:
        pool.map(make_target, todo, chunksize=2)
    t2 = time.time()

    with open(man + '.tmp', 'w') as f:
        f.write('\t'.join(head) + '\n')
        for r in rows:
            f.write('\t'.join(r.get(h, '') for h in head) + '\n')
    os.replace(man + '.tmp', man)
    with open(os.path.join(HERE, 'manifest.tsv'), 'w') as f:
        f.write(open(man).read())
    print('coefficient search %.1f s, %d targets %.1f s' % (t1 - t0, len(todo), t2 - t1))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
