#!/usr/bin/python3
# The training targets' binding to the C retouching module.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""weights/train/retouch_binding.py compiles core/retouch*.c into a shared
object for make_targets.py. Checks that it builds from the current sources
and gives what the CLI's `--method classic` gives on the same 8-bit image
(within one 8-bit level: the CLI rounds its output to 8 bits).

Argument: the evenlight CLI. Exits 77 (skipped) without numpy, PIL or a C
compiler.
"""

import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from PIL import Image
except ImportError:
    sys.exit(77)
if shutil.which('cc') is None or shutil.which('pkg-config') is None:
    sys.exit(77)

SRC = os.environ.get('EVENLIGHT_SOURCE_ROOT',
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(SRC, 'weights', 'train'))


def main():
    cli = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        # A fresh build directory: the binding must compile from what is in
        # core/ now, not from an object left by an earlier version.
        os.environ['EVENLIGHT_RETOUCH_SO_DIR'] = os.path.join(tmp, 'so')
        import retouch_binding

        photo = Image.open(os.path.join(SRC, 'tests', 'data', 'sample.jpg')).convert('RGB')
        photo = photo.resize((160, 120), Image.BILINEAR)
        # Darken it, so that the module has shadows to lift.
        dark = (np.asarray(photo, dtype=np.float32) * 0.35).round().astype(np.uint8)
        inp = os.path.join(tmp, 'in.png')
        out = os.path.join(tmp, 'out.png')
        Image.fromarray(dark).save(inp)

        got = retouch_binding.retouch(dark.astype(np.float32) / 255.0)
        subprocess.check_call([cli, '-q', '--method', 'classic', inp, out])
        want = np.asarray(Image.open(out).convert('RGB'), dtype=np.float32) / 255.0

        ok = True
        if not np.all(np.isfinite(got)):
            print('not ok 1 - the binding returned non-finite values')
            ok = False
        else:
            print('ok 1 - the binding compiled and returned finite values')
        diff = float(np.abs(got - want).max()) * 255.0
        if diff <= 1.0:
            print('ok 2 - binding vs CLI --method classic: max %.3f / 255' % diff)
        else:
            print('not ok 2 - binding vs CLI --method classic: max %.3f / 255 (> 1)' % diff)
            ok = False
        lift = float(got.mean() - dark.mean() / 255.0)
        if lift > 0.02:
            print('ok 3 - shadows lifted: mean +%.3f' % lift)
        else:
            print('not ok 3 - shadows not lifted: mean %+.3f' % lift)
            ok = False
        print('1..3')
        return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
