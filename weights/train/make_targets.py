#!/usr/bin/python3
# Makes the training targets as the paper does: cluster the photos by their
# brightness histograms, choose one set of retouching coefficients per
# cluster, retouch every photo with its cluster's coefficients (Eq. (1),
# core/retouch.c).
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""make_targets.py [DATADIR] [--force]

Reads DATADIR/manifest.tsv and DATADIR/photos/ (get-data.sh), writes
DATADIR/targets/<id>.png (16-bit RGB PNG, same size as the photo) and fills
the manifest's cluster and retouch_params columns (copied to
weights/train/manifest.tsv). A target whose photo's coefficients did not
change is not made again unless --force is given.

Clustering: k-means (k = 5, fixed seed) on each photo's V-channel (HSV value
= max(R, G, B)) histogram, 32 bins.

The paper's authors chose each cluster's coefficients by eye. Here the
choice is automatic: every candidate of a small grid (CANDIDATES) retouches
up to SAMPLES photos of the cluster at 256 px, and the candidate with the
best mean no-reference score wins. score() documents the criterion.
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

K = 5
SEED = 20260101
BINS = 32
SAMPLES = 6
SMALL = 256

# The γ1 sequence sets how far the shadows are lifted, γ2 how much the
# highlights are held back, α (detail) the local contrast boost; radius and
# eps of S stay at the defaults (they describe the illumination, not taste).
CANDIDATES = [
    'shadows=%s,highlights=%s,detail=%s' % (s, h, d)
    for s in ('0.1/0.2', '0.2/0.4', '0.3/0.6', '0.4/0.8', '0.5/1',
              '0.3/0.6/0.9')
    for h in ('0.15', '0.3', '0.6', '0.6/1')
    for d in ('0.1', '0.3')
]

# score() weights; see its docstring.
W_EXPOSURE, W_ENTROPY, W_COLOUR, W_CLIP, W_LOE = 1.0, 1.0, 0.5, 2.0, 0.5


def load(path, long_side=None):
    im = Image.open(path).convert('RGB')
    if long_side and max(im.size) > long_side:
        s = long_side / max(im.size)
        im = im.resize((max(1, round(im.size[0] * s)),
                        max(1, round(im.size[1] * s))), Image.BOX)
    return np.asarray(im, dtype=np.float32) / 255.0


def v_histogram(rgb):
    v = rgb.max(axis=2)
    h, _ = np.histogram(v, bins=BINS, range=(0.0, 1.0))
    return h / max(h.sum(), 1)


def kmeans(x, k, seed, iters=100):
    """Plain k-means with k-means++ seeding; deterministic for a seed."""
    rng = np.random.RandomState(seed)
    centres = [x[rng.randint(len(x))]]
    for _ in range(1, k):
        d = np.min([((x - c) ** 2).sum(1) for c in centres], axis=0)
        centres.append(x[rng.choice(len(x), p=d / d.sum())])
    centres = np.array(centres)
    labels = None
    for _ in range(iters):
        d = ((x[:, None, :] - centres[None]) ** 2).sum(2)
        new = d.argmin(1)
        if labels is not None and (new == labels).all():
            break
        labels = new
        for j in range(k):
            if (labels == j).any():
                centres[j] = x[labels == j].mean(0)
    # Number the clusters from darkest to brightest mean V, so that the
    # numbers say something and do not depend on the seeding order.
    order = np.argsort(centres @ (np.arange(BINS) + 0.5))
    remap = np.empty(k, int)
    remap[order] = np.arange(k)
    return remap[labels], centres[order]


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


def choose(args):
    """Best candidate for one cluster's sample photos (small copies)."""
    cluster, paths = args
    imgs = [load(p, SMALL) for p in paths]
    best = None
    for spec in CANDIDATES:
        s = np.mean([score(i, retouch_binding.retouch(i, spec)) for i in imgs])
        if best is None or s > best[0]:
            best = (s, spec)
    base = np.mean([score(i, i) for i in imgs])
    return cluster, best[1], best[0], base


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
    write_png16(dst, retouch_binding.retouch(load(src), spec))
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
    hists = np.array([v_histogram(load(os.path.join(data, r['file']), SMALL))
                      for r in rows])
    labels, centres = kmeans(hists, K, SEED)
    t1 = time.time()

    # Samples: the SAMPLES photos nearest the cluster centre, training split
    # only, so that nothing about the validation photos shapes the choice.
    jobs = []
    for c in range(K):
        idx = [i for i in range(len(rows))
               if labels[i] == c and rows[i]['split'] == 'train']
        idx.sort(key=lambda i: ((hists[i] - centres[c]) ** 2).sum())
        jobs.append((c, [os.path.join(data, rows[i]['file'])
                         for i in idx[:SAMPLES]]))
    with Pool(2) as pool:
        chosen = {c: (spec, s, base) for c, spec, s, base in
                  pool.map(choose, [j for j in jobs if j[1]])}
    t2 = time.time()
    for c in range(K):
        spec, s, base = chosen.get(c, (CANDIDATES[0], float('nan'), 0))
        mean_v = float(centres[c] @ (np.arange(BINS) + 0.5) / BINS)
        print('cluster %d: %3d photos, mean V %.2f, %s (score %.3f, input %.3f)'
              % (c, int((labels == c).sum()), mean_v, spec, s, base))

    todo = []
    for i, r in enumerate(rows):
        spec = chosen.get(int(labels[i]), (CANDIDATES[0],))[0]
        dst = os.path.join(data, 'targets', r['id'] + '.png')
        if force or not os.path.exists(dst) or r.get('retouch_params') != spec:
            todo.append((os.path.join(data, r['file']), dst, spec))
        r['cluster'] = str(int(labels[i]))
        r['retouch_params'] = spec
    with Pool(2) as pool:
        pool.map(make_target, todo, chunksize=2)
    t3 = time.time()

    with open(man + '.tmp', 'w') as f:
        f.write('\t'.join(head) + '\n')
        for r in rows:
            f.write('\t'.join(r.get(h, '') for h in head) + '\n')
    os.replace(man + '.tmp', man)
    with open(os.path.join(HERE, 'manifest.tsv'), 'w') as f:
        f.write(open(man).read())
    print('clustering %.1f s, coefficient search %.1f s, %d targets %.1f s'
          % (t1 - t0, t2 - t1, len(todo), t3 - t2))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
