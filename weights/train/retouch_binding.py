#!/usr/bin/python3
# A ctypes binding to core/retouch.c (paper Eq. (1)) for the training
# scripts, so that the targets are made by the same code as the CLI's
# `--method classic`.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared object is compiled from core/retouch*.c and core/parallel.c
on first use into build-retouch/ (or $EVENLIGHT_RETOUCH_SO_DIR) and rebuilt
when a source is newer. It is a build product, never committed."""
import ctypes
import os
import subprocess

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
# The module's sources: its driver, guided filter and exposure fusion, and
# the engine's scheduler that runs its rows on threads.
SRCS = [os.path.join(ROOT, 'core', f)
        for f in ('retouch.c', 'retouch-filter.c', 'retouch-fuse.c',
                  'parallel.c')]
HDRS = [os.path.join(ROOT, 'core', f)
        for f in ('retouch.h', 'retouch-private.h', 'parallel.h')]

# retouch.c reports errors in the EVENLIGHT_ERROR domain, defined with the
# rest of the library; the binding needs only that one symbol.
_QUARK = ('#include <glib.h>\nGQuark evenlight_error_quark (void);\n'
          'GQuark evenlight_error_quark (void) { return '
          'g_quark_from_static_string ("evenlight-error-quark"); }\n')


class _GError(ctypes.Structure):
    _fields_ = [('domain', ctypes.c_uint32), ('code', ctypes.c_int),
                ('message', ctypes.c_char_p)]


class Params(ctypes.Structure):
    _fields_ = [('shadows', ctypes.c_float * 4), ('n_shadows', ctypes.c_int),
                ('highlights', ctypes.c_float * 4),
                ('n_highlights', ctypes.c_int),
                ('smooth_radius', ctypes.c_float),
                ('smooth_eps', ctypes.c_float), ('detail', ctypes.c_float),
                ('detail_radius', ctypes.c_float)]


def _build(so):
    os.makedirs(os.path.dirname(so), exist_ok=True)
    cflags = subprocess.check_output(
        ['pkg-config', '--cflags', '--libs', 'glib-2.0'], text=True).split()
    shim = so + '.quark.c'
    with open(shim, 'w') as f:
        f.write(_QUARK)
    subprocess.check_call(
        ['cc', '-std=c11', '-O3', '-D_GNU_SOURCE', '-shared', '-fPIC',
         '-I', os.path.join(ROOT, 'core')] + SRCS + [shim, '-o', so + '.tmp']
        + cflags + ['-lm', '-lpthread'])
    os.replace(so + '.tmp', so)


_lib = None


def lib():
    global _lib
    if _lib is None:
        d = os.environ.get('EVENLIGHT_RETOUCH_SO_DIR',
                           os.path.join(ROOT, 'build-retouch'))
        so = os.path.join(d, 'libevenlight-retouch-py.so')
        if (not os.path.exists(so)
                or os.path.getmtime(so) < max(os.path.getmtime(f)
                                              for f in SRCS + HDRS)):
            _build(so)
        _lib = ctypes.CDLL(so)
        _lib.evenlight_retouch_params_parse.restype = ctypes.c_int
        _lib.evenlight_retouch.restype = ctypes.c_int
    return _lib


def _check(ok, err):
    if not ok:
        msg = err.contents.message.decode() if err else 'unknown error'
        raise ValueError(msg)


def params(spec=''):
    """Default parameters with @spec ("key=value,...") applied."""
    p = Params()
    lib().evenlight_retouch_params_init_default(ctypes.byref(p))
    err = ctypes.POINTER(_GError)()
    _check(lib().evenlight_retouch_params_parse(
        ctypes.byref(p), spec.encode(), ctypes.byref(err)), err)
    return p


def retouch(rgb, spec='', n_threads=1):
    """Retouches an H×W×3 float image in [0, 1]; returns a new float32 array."""
    a = np.ascontiguousarray(rgb, dtype=np.float32).copy()
    h, w = a.shape[:2]
    p = params(spec)
    err = ctypes.POINTER(_GError)()
    _check(lib().evenlight_retouch(
        ctypes.byref(p), a.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
        w, h, n_threads, ctypes.byref(err)), err)
    return a
