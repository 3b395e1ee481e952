#!/usr/bin/python3
# evenlight — finds the preview in a screenshot of the dialog and compares
# it with the same rectangle of the final result.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: find-preview.py SCREENSHOT RESULT W H X Y
# The preview showed RESULT's rectangle (X, Y, W, H) at 1:1; its place in
# the screenshot is found by searching every offset on a sparse grid of
# pixels, then all its pixels are compared. Passes when they differ by at
# most 1/255 (GTK draws the 8-bit preview as it is).
import sys

import numpy as np
from PIL import Image

shot = np.asarray(Image.open(sys.argv[1]).convert("RGB"), dtype=np.int16)
result = np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=np.int16)
w, h, x, y = (int(v) for v in sys.argv[3:7])
want = result[y:y + h, x:x + w]
if want.shape[:2] != (h, w) or shot.shape[0] < h or shot.shape[1] < w:
    sys.exit(f"bad sizes: screenshot {shot.shape}, result {result.shape}, preview {w}x{h}")

sparse = want[::7, ::7]
best = None
for dy in range(shot.shape[0] - h + 1):
    for dx in range(shot.shape[1] - w + 1):
        d = np.abs(shot[dy:dy + h:7, dx:dx + w:7] - sparse).mean()
        if best is None or d < best[0]:
            best = (d, dx, dy)
_, dx, dy = best
diff = np.abs(shot[dy:dy + h, dx:dx + w] - want)
print(f"preview found at ({dx}, {dy}) in the screenshot; max difference "
      f"{diff.max()} / 255, {np.count_nonzero(diff.max(axis=2))} of {w * h} pixels differ")
sys.exit(0 if diff.max() <= 1 else 1)
