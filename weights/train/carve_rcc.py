#!/usr/bin/python3
# Extracts the WebP images stored in Qt resource bundles (.rcc), as shipped
# by gcompris-qt-data, with their resource paths.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""carve_rcc.py BUNDLE.rcc... OUTDIR

Every `RIFF <len> WEBP` chunk is cut out by its little-endian length field.
The bundle's file tree (Qt rcc format: "qres" header, tree, names, data) is
read as well, so that each chunk is saved under its resource path (e.g.
`lang.rcc/words/apple.webp` -> `lang__words__apple.webp`); a chunk whose
tree entry cannot be found (a bundle format we do not parse) keeps an
offset-based name, so nothing is lost if the tree parse fails.
"""
import os
import struct
import sys


def _names_by_data_offset(b):
    """Maps data offset -> resource path, from the rcc tree (best effort)."""
    if b[:4] != b'qres':
        return {}
    version, tree_off, data_off, names_off = struct.unpack('>IIII', b[4:20])
    entry_size = 22 if version >= 2 else 14
    out = {}

    def name_at(off):
        n = struct.unpack('>H', b[names_off + off:names_off + off + 2])[0]
        raw = b[names_off + off + 6:names_off + off + 6 + 2 * n]
        return raw.decode('utf-16-be', 'replace')

    def walk(idx, prefix, depth):
        if depth > 32:
            return
        e = tree_off + idx * entry_size
        name_off, flags = struct.unpack('>IH', b[e:e + 6])
        name = name_at(name_off) if idx else ''
        path = prefix + '/' + name if name else prefix
        if flags & 2:  # directory
            count, first = struct.unpack('>II', b[e + 6:e + 14])
            for c in range(first, first + count):
                walk(c, path, depth + 1)
        else:
            off = struct.unpack('>I', b[e + 10:e + 14])[0]
            out[data_off + off + 4] = (path.lstrip('/'), flags)

    try:
        walk(0, '', 0)
    except (struct.error, IndexError):
        pass
    return out


def carve(path):
    """Yields (name, webp_bytes) for each WebP chunk in the bundle."""
    b = open(path, 'rb').read()
    names = _names_by_data_offset(b)
    base = os.path.basename(path)[:-4]
    i = 0
    while True:
        i = b.find(b'RIFF', i)
        if i < 0:
            break
        if b[i + 8:i + 12] != b'WEBP':
            i += 4
            continue
        length = struct.unpack('<I', b[i + 4:i + 8])[0]
        chunk = b[i:i + 8 + length]
        if len(chunk) == 8 + length:
            name = names.get(i, ('@%08x' % i, 0))[0]
            yield base + '/' + name, chunk
        i += 8 + length


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = argv[-1]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for bundle in argv[1:-1]:
        for name, chunk in carve(bundle):
            stem = name.replace('/', '__')
            if not stem.endswith('.webp'):
                stem += '.webp'
            with open(os.path.join(outdir, stem), 'wb') as f:
                f.write(chunk)
            n += 1
    print('carved %d WebP images' % n, file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
