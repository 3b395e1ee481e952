#!/usr/bin/python3
# What the shipped weights promise on dark photos, through the CLI.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped network on a photo made 4 stops darker (tests/data/sample.jpg,
darkened in linear light, with and without high-ISO noise), through the
`evenlight` CLI and its classic method (the network's teacher):

1. at the defaults the result's mean luma is at least 0.6 times the classic
   module's (the model card's held-out figures are the real measure; one
   photo only guards against a regression: the earlier weights reached half);
2. the strongest Shadows setting is brighter than the defaults by 0.05;
3. with Shadows, Highlights and Denoise at 0 the photo is left as it is,
   and Shadows 0 alone leaves the dark photo's brightness as it is;
4. on the noisy version, Denoise 1 removes noise that Denoise 0 keeps: a
   no-reference noise estimate at most 0.4 times Denoise 0's and a PSNR at
   least 2 dB higher against the enhanced noise-free capture (the weights
   before the Restoration-Net was trained after the exposure step: 0.43
   times and +1.79 dB; those before them +0.86 dB).

(The sample is a backlit photo, not a well-exposed one: how much the
defaults change well-exposed photos is measured on the held-out photos in
the model card.)

Arguments: the evenlight CLI and the weights file. Exits 77 (skipped)
without numpy or PIL.
"""

import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from PIL import Image
except ImportError:
    sys.exit(77)

SRC = os.environ.get('EVENLIGHT_SOURCE_ROOT',
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(SRC, 'weights', 'train'))
import degrade  # noqa: E402  (numpy and PIL only)
from measures import luma, noise_sigma, psnr  # noqa: E402


def slider_range(cli):
    """{name: (min, max, default)} from the CLI's --help, which prints the
    engine's parameter table."""
    text = subprocess.run([cli, '--help'], capture_output=True, text=True).stdout
    out = {}
    for name in ('shadows', 'highlights', 'denoise'):
        m = re.search(r'--%s=[^\n]*?\[([0-9.]+), ([0-9.]+)\] \(default ([0-9.]+)\)'
                      % name, text)
        if not m:
            raise SystemExit('cannot read the range of --%s from --help:\n%s' % (name, text))
        out[name] = tuple(float(v) for v in m.groups())
    return out


class Runner:
    def __init__(self, cli, weights, tmp):
        self.cli, self.weights, self.tmp, self.n = cli, weights, tmp, 0

    def __call__(self, img, *args):
        self.n += 1
        inp = os.path.join(self.tmp, 'in%d.png' % self.n)
        out = os.path.join(self.tmp, 'out%d.png' % self.n)
        Image.fromarray((np.clip(img, 0, 1) * 255).round().astype(np.uint8)).save(inp)
        subprocess.check_call([self.cli, '-q', '--weights', self.weights, *args, inp, out])
        return np.asarray(Image.open(out).convert('RGB'), dtype=np.float32) / 255.0


def main():
    cli, weights = sys.argv[1], sys.argv[2]
    rng_ = slider_range(cli)
    smax = rng_['shadows'][1]
    d1, d2, d3 = (rng_[k][2] for k in ('shadows', 'highlights', 'denoise'))
    photo8 = np.asarray(Image.open(os.path.join(SRC, 'tests', 'data', 'sample.jpg'))
                        .convert('RGB'))
    rng = np.random.default_rng(7)
    prm = dict(k=2, cells=np.zeros((2, 2)), a=0.0, b=-4.0)
    # The same 4-stop darkening with high-ISO noise and JPEG, and without.
    noisy_dark, clean_dark = degrade.degrade_pair(photo8, rng, prm, noise=(300.0, 0.003, 92))
    results = []

    def check(ok, what):
        results.append(ok)
        print('%s %d - %s' % ('ok' if ok else 'not ok', len(results), what), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        run = Runner(cli, weights, tmp)
        classic = run(clean_dark, '--method', 'classic')
        strongest = run(clean_dark, '--shadows', str(smax))
        default = run(clean_dark)
        lc, ls, ld = (float(luma(x).mean()) for x in (classic, strongest, default))
        li = float(luma(clean_dark).mean())
        check(ld >= 0.6 * lc, 'defaults %g/%g/%g: mean luma %.3f, at least 0.6 x the classic '
              "module's %.3f (input %.3f; the earlier weights reached 0.201)"
              % (d1, d2, d3, ld, lc, li))
        check(ls >= ld + 0.05, 'Shadows %g: mean luma %.3f, at least the defaults\' %.3f + 0.05'
              % (smax, ls, ld))
        zero = run(clean_dark, '--shadows', '0', '--highlights', '0', '--denoise', '0')
        change = float(np.abs(zero - clean_dark).mean())
        check(change < 0.01, 'all sliders at 0: mean |change| %.4f' % change)
        s0 = run(clean_dark, '--shadows', '0')
        lift = float(luma(s0).mean()) - li
        check(abs(lift) < 0.01, 'Shadows 0 (other sliders at their defaults): mean luma '
              '%+.4f' % lift)

        ref = run(clean_dark, '--denoise', '0')
        d0 = run(noisy_dark, '--denoise', '0')
        d1_ = run(noisy_dark, '--denoise', '1')
        n0, n1 = noise_sigma(d0), noise_sigma(d1_)
        p0, p1 = psnr(d0, ref), psnr(d1_, ref)
        check(n1 <= 0.4 * n0, 'noisy input: noise estimate %.2f at Denoise 0, %.2f at 1'
              % (n0, n1))
        check(p1 >= p0 + 2.0, 'noisy input: PSNR against the clean result %.2f dB at '
              'Denoise 0, %.2f dB at 1' % (p0, p1))

    print('1..%d' % len(results))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
