#!/usr/bin/python3
# A ctypes binding to core/dequant-bands.c (band positions) for training and
# evaluation, so that the network learns on exactly what the C code computes.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared object is compiled from core/dequant-bands.c on first use into
build-bands/ (or $EVENLIGHT_BANDS_SO_DIR) and rebuilt when the source is
newer. It is a build product, never committed."""
import ctypes
import os
import subprocess

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SRC = os.path.join(ROOT, 'core', 'dequant-bands.c')
HDR = os.path.join(ROOT, 'core', 'dequant.h')

_lib = None


def _load():
    global _lib
    if _lib is not None:
        return _lib
    d = os.environ.get('EVENLIGHT_BANDS_SO_DIR') or os.path.join(ROOT, 'build-bands')
    so = os.path.join(d, 'libevenlight-bands.so')
    if (not os.path.exists(so) or os.path.getmtime(so) < max(os.path.getmtime(SRC),
                                                              os.path.getmtime(HDR))):
        os.makedirs(d, exist_ok=True)
        flags = subprocess.check_output(['pkg-config', '--cflags', '--libs', 'glib-2.0'],
                                        text=True).split()
        subprocess.check_call(['cc', '-std=c11', '-O2', '-shared', '-fPIC', '-I',
                               os.path.join(ROOT, 'core'), SRC, '-o', so + '.tmp'] + flags)
        os.replace(so + '.tmp', so)
    _lib = ctypes.CDLL(so)
    _lib.evenlight_dequant_bands.argtypes = [
        ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
    _lib.evenlight_dequant_bands.restype = None
    return _lib


def offsets(level):
    """Band positions of a 2-D integer array of levels: float32, in levels,
    in [−½, ½] (core/dequant.h evenlight_dequant_bands)."""
    lib = _load()
    lv = np.ascontiguousarray(level, dtype=np.int32)
    out = np.empty(lv.shape, np.float32)
    lib.evenlight_dequant_bands(lv.ctypes.data, lv.shape[1], lv.shape[0], out.ctypes.data)
    return out


SKIP = -2   # EVENLIGHT_DEQUANT_BAND_SKIP


def levels_of(jt, st):
    """The levels core/dequant.c gives the band positions: J̃ / (gain · q)
    in float32, rounded half up; SKIP where J̃ is clipped at 1. numpy
    arrays of the same (broadcast) shape."""
    jt = np.asarray(jt, np.float32)
    st = np.broadcast_to(np.asarray(st, np.float32), jt.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(st > np.float32(1e-6), jt / st, np.float32(0))
    k = np.floor(np.minimum(k, np.float32(1e9)) + np.float32(0.5))
    return np.where(jt >= 1, SKIP, k).astype(np.int32)


def offsets_batch(Jt, st):
    """Band positions of a B × C × H × W torch batch of brightened captures
    J̃ whose pixels stand for intervals @st wide (B × 1 × H × W, gain · q),
    levels as levels_of(). A tensor of J̃'s shape, in levels."""
    import torch
    k = levels_of(Jt.detach().numpy(), st.detach().numpy())
    out = np.empty(k.shape, np.float32)
    for b in range(k.shape[0]):
        for c in range(k.shape[1]):
            out[b, c] = offsets(k[b, c])
    return torch.from_numpy(out)
