#!/usr/bin/python3
# Collects the training photos from the extracted Debian packages, normalises
# them and writes the manifest.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""collect_photos.py DATADIR

DATADIR/debs/x/<package>/ holds the extracted packages (get-data.sh).
Writes DATADIR/photos/<id>.png (sRGB, 8 bit, long side <= 1024, area
downscale) and DATADIR/manifest.tsv. Photos already on disk are not decoded
again, and the cluster/retouch_params columns of an existing manifest are
kept, so running it twice changes nothing.

What is taken from each package is listed in photo_sources.py.

Selection: every candidate passes the same automatic rules (long side >= 512,
colour, not a cut-out with transparency, not nearly grey, not a near
duplicate of a photo already taken), then a short per-package exclusion list
removes paintings, renders and test charts that the rules cannot tell from
photos.
"""
import bz2
import fnmatch
import hashlib
import io
import os
import re
import sys
from multiprocessing import Pool

import numpy as np
from PIL import Image, ImageCms, ImageOps

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import carve_rcc  # noqa: E402

MAX_SIDE = 1024
MIN_SIDE = 512
COLUMNS = ['id', 'file', 'package', 'licence', 'width', 'height', 'split',
           'cluster', 'retouch_params']

from photo_sources import (COPYRIGHT_FROM, EXCLUDE, FORCED_VAL,  # noqa: E402
                           LICENCE_OVERRIDE, PHOTO_DIRS, PLASMA_PHOTOS,
                           SKIMAGE_PHOTOS, SKLEARN_PHOTOS)


# --- licences from debian/copyright --------------------------------------

def _short_licence(text):
    """A short licence name from a non-machine-readable copyright file."""
    m = re.search(r'GNU General Public License.{0,200}?version (\d)', text,
                  re.S)
    if m:
        later = re.search(r'any later version', text)
        return 'GPL-%s%s' % (m.group(1), '+' if later else '')
    return 'see-copyright'


def _stanzas(text):
    out = []
    for block in re.split(r'\n\s*\n', text):
        m = re.search(r'^Files:(.*?)(?=^\S|\Z)', block, re.S | re.M)
        lic = re.search(r'^License:\s*(.+)$', block, re.M)
        if m and lic:
            out.append((m.group(1).split(), lic.group(1).strip()))
    return out


def _strip_ext(p):
    base, ext = os.path.splitext(p)
    # '*.qdoc' names an extension, not a file: keep it whole.
    if not ext or '*' in ext or os.path.basename(base) == '*':
        return p
    return base


class Licences:
    """DEP-5 lookup: the last stanza whose Files pattern matches wins.

    Images are converted at build time (gcompris .jpg -> .webp), so the
    match ignores the file extension; patterns are matched against the
    path's tail, since packages install files under a different prefix than
    the source tree the patterns name.
    """

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def get(self, pkg, path):
        if pkg in LICENCE_OVERRIDE:
            return LICENCE_OVERRIDE[pkg]
        if pkg not in self.cache:
            doc = COPYRIGHT_FROM.get(pkg, pkg)
            f = os.path.join(self.root, doc, 'usr/share/doc', doc, 'copyright')
            text = open(f, encoding='utf-8', errors='replace').read()
            self.cache[pkg] = (_stanzas(text), _short_licence(text))
        stanzas, fallback = self.cache[pkg]
        if not stanzas:
            return fallback
        best = None
        p = _strip_ext(path)
        parts = p.split('/')
        tails = ['/'.join(parts[i:]) for i in range(len(parts))]
        for pats, lic in stanzas:
            for pat in pats:
                q = _strip_ext(pat)
                if pat == '*' or any(fnmatch.fnmatchcase(t, q) for t in tails):
                    best = lic
        return re.sub(r'\s+', '_', best or fallback)


# --- candidates -----------------------------------------------------------

def _kphotoalbum_angles(index):
    """The demo's rotations live in its database (index.xml, angle in
    degrees clockwise), not in EXIF: every demo JPEG has orientation 1."""
    out = {}
    if os.path.exists(index):
        for tag in re.findall(r'<image [^>]*>', open(index).read()):
            f = re.search(r'file="([^"]*)"', tag)
            a = re.search(r'angle="(-?\d+)"', tag)
            if f and a:
                out[f.group(1)] = int(a.group(1))
    return out


def candidates(x):
    """Yields (id, package, name, source_path_for_licence, loader_arg)."""
    rcc = os.path.join(x, 'gcompris-qt-data/usr/share/gcompris-qt/rcc')
    for f in sorted(os.listdir(rcc)) if os.path.isdir(rcc) else []:
        if not f.endswith('.rcc'):
            continue
        for name, chunk in carve_rcc.carve(os.path.join(rcc, f)):
            # name: bundle/gcompris/src/activities/<act>/resource/<...>
            m = re.match(r'([^/]+)/gcompris/(src/activities/([^/]+)/resource/'
                         r'(.*))$', name)
            if not m:
                continue
            act, rest = m.group(3), m.group(4)
            short = act + '/' + rest
            stem = os.path.splitext(os.path.basename(rest))[0]
            yield ('gcompris-' + stem, 'gcompris-qt-data', short,
                   m.group(2), ('bytes', chunk))
    d = os.path.join(x, 'kphotoalbum/usr/share/kphotoalbum/demo')
    angles = _kphotoalbum_angles(os.path.join(d, 'index.xml'))
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if f.lower().endswith('.jpg'):
            yield ('kphotoalbum-' + f[:-4], 'kphotoalbum', f, f,
                   ('file', os.path.join(d, f), angles.get(f, 0)))
    d = os.path.join(x, 'lomiri-wallpapers-16.04/usr/share/backgrounds')
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if f.lower().endswith(('.jpg', '.png')):
            yield ('lomiri-' + f.split('_by_')[0], 'lomiri-wallpapers-16.04',
                   f, '16.04/' + f, ('file', os.path.join(d, f)))
    d = os.path.join(x, 'plasma-workspace-wallpapers/usr/share/wallpapers')
    for w in PLASMA_PHOTOS:
        imgs = os.path.join(d, w, 'contents/images')
        if not os.path.isdir(imgs):
            continue

        def area(f):
            m = re.match(r'(\d+)x(\d+)', f)
            return int(m.group(1)) * int(m.group(2)) if m else 0
        f = max(os.listdir(imgs), key=area)
        yield ('plasma-' + w, 'plasma-workspace-wallpapers', w,
               w + '/contents/images/' + f, ('file', os.path.join(imgs, f)))
    d = os.path.join(x, 'mate-backgrounds/usr/share/backgrounds/mate/nature')
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if f.lower().endswith(('.jpg', '.png')):
            yield ('mate-' + os.path.splitext(f)[0], 'mate-backgrounds', f,
                   'nature/' + f, ('file', os.path.join(d, f)))
    d = os.path.join(x, 'opencv-doc/usr/share/doc/opencv-doc/examples/data')
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if f.lower().endswith(('.jpg', '.png')):
            yield ('opencv-' + os.path.splitext(f)[0], 'opencv-doc', f,
                   'samples/data/' + f, ('file', os.path.join(d, f)))
    d = os.path.join(x, 'python3-skimage/usr/lib/python3/dist-packages/'
                     'skimage/data')
    for f in SKIMAGE_PHOTOS:
        if os.path.exists(os.path.join(d, f)):
            yield ('skimage-' + os.path.splitext(f)[0], 'python3-skimage', f,
                   'skimage/data/' + f, ('file', os.path.join(d, f)))
    d = os.path.join(x, 'python3-sklearn/usr/lib/python3/dist-packages/'
                     'sklearn/datasets/images')
    for f in SKLEARN_PHOTOS:
        if os.path.exists(os.path.join(d, f)):
            yield ('sklearn-' + os.path.splitext(f)[0], 'python3-sklearn', f,
                   'sklearn/datasets/images/' + f, ('file', os.path.join(d, f)))
    # scipy.misc.face(): a bz2-compressed 768x1024 RGB raster.
    f = os.path.join(x, 'python3-scipy/usr/lib/python3/dist-packages/scipy/'
                     'misc/face.dat')
    if os.path.exists(f):
        yield ('scipy-face', 'python3-scipy', 'face.dat',
               'scipy/misc/face.dat', ('rawbz2', f, (768, 1024)))
    for pkg, prefix, folder, patterns, srcprefix in PHOTO_DIRS:
        d = os.path.join(x, pkg, folder)
        for rel in _walk(d):
            if any(fnmatch.fnmatchcase(rel, p) for p in patterns):
                stem = os.path.splitext(os.path.basename(rel))[0]
                stem = re.sub(r'[^\w.@+-]', '_', stem.split('_by_')[0])
                yield ('%s-%s' % (prefix, stem), pkg, rel,
                       srcprefix + rel, ('file', os.path.join(d, rel)))


def _walk(d):
    """Files under d, as sorted paths relative to d."""
    out = []
    for dp, _, fn in os.walk(d):
        for f in fn:
            out.append(os.path.relpath(os.path.join(dp, f), d))
    return sorted(out)


def excluded(pkg, name):
    return any(fnmatch.fnmatchcase(name, p) or
               fnmatch.fnmatchcase(os.path.basename(name), p)
               for p in EXCLUDE.get(pkg, []))


_SRGB = ImageCms.createProfile('sRGB')


def load_srgb(src):
    """Decodes, applies EXIF orientation, converts to sRGB 8-bit RGB.

    Returns (image, reason) with image None when a rule rejects it."""
    im = _open(src)
    if max(im.size) < MIN_SIDE:
        return None, 'small'
    im = ImageOps.exif_transpose(im)
    if src[0] == 'file' and len(src) > 2 and src[2] % 360:
        im = im.rotate(-src[2], expand=True)  # clockwise
    if im.mode in ('L', 'LA', '1', 'I;16', 'I'):
        return None, 'grey'
    if im.mode in ('RGBA', 'LA', 'PA') or 'transparency' in im.info:
        a = np.asarray(im.convert('RGBA'))[..., 3]
        if (a < 250).mean() > 0.005:
            return None, 'cut-out'
    icc = im.info.get('icc_profile')
    im = im.convert('RGB')
    if icc:
        try:
            src_prof = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            im = ImageCms.profileToProfile(im, src_prof, _SRGB,
                                           outputMode='RGB')
        except (ImageCms.PyCMSError, OSError):
            pass
    return im, None


def _open(src):
    kind, arg = src[0], src[1]
    if kind == 'rawbz2':
        h, w = src[2]
        raw = bz2.decompress(open(arg, 'rb').read())
        return Image.frombytes('RGB', (w, h), raw)
    return Image.open(io.BytesIO(arg) if kind == 'bytes' else arg)


def _pixels(src):
    """The long side, from the header only."""
    if src[0] == 'rawbz2':
        return max(src[2])
    return max(_open(src).size)


def process(args):
    cid, pkg, name, src, out = args
    if os.path.exists(out):
        im = Image.open(out)
        return cid, im.size, None, _thumb(im)
    im, why = load_srgb(src)
    if im is None:
        return cid, None, why, None
    a = np.asarray(im.resize((64, 64), Image.BOX), dtype=np.float32) / 255
    if (a.max(2) - a.min(2)).mean() < 0.02:
        return cid, None, 'grey', None
    w, h = im.size
    s = min(1.0, MAX_SIDE / max(w, h))
    if s < 1.0:
        im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BOX)
    tmp = out + '.tmp.png'
    im.save(tmp, optimize=False, compress_level=3)
    os.replace(tmp, out)
    return cid, im.size, None, _thumb(im)


def _thumb(im):
    t = np.asarray(im.convert('L').resize((16, 16), Image.BOX),
                   dtype=np.float32).ravel()
    t -= t.mean()
    return t / (np.linalg.norm(t) + 1e-6)


def split_of(cid):
    if cid in FORCED_VAL:
        return 'val'
    h = int(hashlib.sha1(cid.encode()).hexdigest(), 16)
    return 'val' if h % 100 < 12 else 'train'


def main(datadir):
    x = os.path.join(datadir, 'debs/x')
    photos = os.path.join(datadir, 'photos')
    os.makedirs(photos, exist_ok=True)
    man = os.path.join(datadir, 'manifest.tsv')
    old = {}
    if os.path.exists(man):
        lines = open(man).read().splitlines()
        head = lines[0].split('\t') if lines else []
        for ln in lines[1:]:
            old[ln.split('\t')[0]] = dict(zip(head, ln.split('\t')))
    lic = Licences(x)
    chosen = {}
    for cid, pkg, name, srcpath, src in candidates(x):
        if excluded(pkg, name):
            continue
        # gcompris uses one file name in several activities: as a small
        # icon of the same photo (keep the large one), or for two different
        # photos (erase/horse and explore_farm_animals/horse: keep both, the
        # later one under an id that names its activity).
        size = _pixels(src)
        if cid in chosen and size >= MIN_SIDE and chosen[cid][0] >= MIN_SIDE:
            cid = cid.replace('-', '-' + name.split('/')[0] + '-', 1)
        if cid not in chosen or size > chosen[cid][0]:
            chosen[cid] = (size, pkg, name, srcpath, src)
    jobs, meta = [], {}
    for cid, (size, pkg, name, srcpath, src) in chosen.items():
        meta[cid] = (pkg, lic.get(pkg, srcpath))
        jobs.append((cid, pkg, name, src, os.path.join(photos, cid + '.png')))
    # One decoding process by default: the machine is shared with training.
    workers = int(os.environ.get('COLLECT_WORKERS', '1'))
    if workers > 1:
        with Pool(workers) as pool:
            results = pool.map(process, jobs, chunksize=4)
    else:
        results = [process(j) for j in jobs]
    rows, thumbs, rejected = [], [], {}
    for cid, size, why, th in results:
        if size is None:
            rejected[why] = rejected.get(why, 0) + 1
            continue
        # Near duplicates (the same photo shipped twice, stereo pairs):
        # keep the first one.
        if any(float(th @ t) > 0.97 for t in thumbs):
            rejected['duplicate'] = rejected.get('duplicate', 0) + 1
            os.remove(os.path.join(photos, cid + '.png'))
            continue
        thumbs.append(th)
        pkg, licence = meta[cid]
        o = old.get(cid, {})
        rows.append([cid, 'photos/%s.png' % cid, pkg, licence, str(size[0]),
                     str(size[1]), split_of(cid), o.get('cluster', ''),
                     o.get('retouch_params', '')])
    keep = {r[0] + '.png' for r in rows}
    for f in os.listdir(photos):
        if f.endswith('.png') and f not in keep:
            os.remove(os.path.join(photos, f))
    with open(man + '.tmp', 'w') as f:
        f.write('\t'.join(COLUMNS) + '\n')
        for r in rows:
            f.write('\t'.join(r) + '\n')
    os.replace(man + '.tmp', man)
    counts = {}
    for r in rows:
        k = (r[2], r[3])
        counts[k] = counts.get(k, 0) + 1
    for (pkg, licence), n in sorted(counts.items()):
        print('%-30s %-16s %4d' % (pkg, licence, n))
    nval = sum(r[6] == 'val' for r in rows)
    print('total %d photos (%d val), rejected by rules: %s'
          % (len(rows), nval, rejected))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
