# The training photos on disk: the manifest, decoding, the decoded cache.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""DATADIR/manifest.tsv and the photos and targets it lists (get-data.sh,
make_targets.py): read by training, the evaluations and the probes."""

import csv
import os

import numpy as np
from PIL import Image


def read_manifest(datadir):
    path = os.path.join(datadir, "manifest.tsv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    out = []
    for r in rows:
        name = r.get("file") or (r["id"] + ".png")
        photo = name if os.path.isabs(name) else os.path.join(datadir, "photos", os.path.basename(name))
        stem = os.path.splitext(os.path.basename(photo))[0]
        target = None
        for ext in (".png", ".tif", ".jpg"):
            t = os.path.join(datadir, "targets", stem + ext)
            if os.path.exists(t):
                target = t
                break
        if os.path.exists(photo) and target:
            out.append(dict(id=r.get("id", stem), photo=photo, target=target,
                            split=r.get("split", "train").strip()))
    return out


def _read_png16(path):
    """A 16-bit RGB PNG with unfiltered rows (as make_targets.py writes it)
    → float H×W×3, or None for any other PNG."""
    import struct
    import zlib
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, hdr = 8, [], None
    while pos + 8 <= len(data):
        n, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if tag == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat.append(body)
        pos += 12 + n
    if not hdr or hdr[2:] != (16, 2, 0, 0, 0):
        return None
    w, h = hdr[:2]
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(h, 1 + 6 * w)
    if raw[:, 0].any():
        return None
    return raw[:, 1:].copy().view(">u2").reshape(h, w, 3).astype(np.float64) / 65535.0


def load_rgb(path):
    """8-bit RGB; 16-bit targets are rounded (PIL would truncate them)."""
    if path.endswith(".png"):
        a = _read_png16(path)
        if a is not None:
            return np.round(a * 255.0).astype(np.uint8)
    return np.asarray(Image.open(path).convert("RGB"))


def resize_short(a, short):
    h, w = a.shape[:2]
    s = short / min(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return np.asarray(Image.fromarray(a).resize(size, Image.BOX if s < 1 else Image.BICUBIC))


def load_cache(datadir, cachedir, short1):
    """Decoded photos and targets, native and downscaled, cached in a .npy."""
    items = read_manifest(datadir)
    import hashlib
    sig = repr([(i["id"], i["split"], os.path.getmtime(i["photo"]),
                 os.path.getmtime(i["target"])) for i in items])
    key = f"{len(items)}-{short1}-" + hashlib.sha256(sig.encode()).hexdigest()[:12]
    path = os.path.join(cachedir, f"cache-{key}.npy")
    if os.path.exists(path):
        return list(np.load(path, allow_pickle=True))
    data = []
    for it in items:
        p, t = load_rgb(it["photo"]), load_rgb(it["target"])
        if t.shape != p.shape:
            t = np.asarray(Image.fromarray(t).resize((p.shape[1], p.shape[0]), Image.BICUBIC))
        data.append(dict(id=it["id"], split=it["split"], photo=p, target=t,
                         photo_s=resize_short(p, short1), target_s=resize_short(t, short1)))
    os.makedirs(cachedir, exist_ok=True)
    arr = np.empty(len(data), dtype=object)
    arr[:] = data
    np.save(path, arr, allow_pickle=True)
    return data
