# evenlight weights container (weights/MODEL.md §8): writer and reader.
#
# Copyright (C) 2026 the evenlight developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write and read the evenlight weights container (MODEL.md §8).

Layout, little-endian: magic "EVNLIGHT", u32 version = 1, u32 length + ASCII
architecture id, u32 tensor count, then per tensor u32 name length, ASCII
name, u32 ndim, u32 dims[ndim], float32 data; then 32 bytes SHA-256 of every
preceding byte.

Usage: export.py CHECKPOINT.pt OUT.bin   (a state_dict saved by train.py)
"""

import hashlib
import struct
import sys
from collections import OrderedDict

import numpy as np

MAGIC = b"EVNLIGHT"
VERSION = 1
MAX_NAME = 64
MAX_TENSORS = 256
MAX_DIM = 65536
MAX_FLOATS = 4 << 20


class FormatError(ValueError):
    pass


def _as_array(value):
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    a = np.ascontiguousarray(np.asarray(value, dtype="<f4"))
    if a.ndim == 0:
        a = a.reshape(1)
    return a


def encode(tensors, arch):
    """tensors: ordered mapping name → array-like (1–4 dims). Returns bytes."""
    if len(tensors) > MAX_TENSORS:
        raise FormatError(f"{len(tensors)} tensors, at most {MAX_TENSORS}")
    out = bytearray(MAGIC)
    out += struct.pack("<I", VERSION)
    a = arch.encode("ascii")
    out += struct.pack("<I", len(a)) + a
    out += struct.pack("<I", len(tensors))
    total = 0
    for name, value in tensors.items():
        arr = _as_array(value)
        nb = name.encode("ascii")
        if not 1 <= len(nb) <= MAX_NAME:
            raise FormatError(f"tensor name {name!r}: length must be 1–{MAX_NAME}")
        if not 1 <= arr.ndim <= 4 or any(not 1 <= d <= MAX_DIM for d in arr.shape):
            raise FormatError(f"tensor {name}: bad shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise FormatError(f"tensor {name}: NaN or Inf")
        total += arr.size
        out += struct.pack("<I", len(nb)) + nb
        out += struct.pack("<I", arr.ndim)
        out += struct.pack(f"<{arr.ndim}I", *arr.shape)
        out += arr.tobytes()
    if total > MAX_FLOATS:
        raise FormatError(f"{total} floats, at most {MAX_FLOATS}")
    out += hashlib.sha256(bytes(out)).digest()
    return bytes(out)


def write(path, tensors, arch):
    data = encode(tensors, arch)
    tmp = str(path) + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    import os
    os.replace(tmp, path)   # a stopped run never leaves a half-written file
    return len(data)


def decode(data, name="<bytes>"):
    """bytes → (arch, OrderedDict name → float32 numpy array). Validates."""
    if len(data) < len(MAGIC) + 12 + 32:
        raise FormatError(f"{name}: too short")
    body, digest = data[:-32], data[-32:]
    if hashlib.sha256(body).digest() != digest:
        raise FormatError(f"{name}: checksum mismatch")
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(body):
            raise FormatError(f"{name}: truncated at byte {pos}")
        chunk = body[pos:pos + n]
        pos += n
        return chunk

    def u32():
        return struct.unpack("<I", take(4))[0]

    if take(8) != MAGIC:
        raise FormatError(f"{name}: bad magic")
    version = u32()
    if version != VERSION:
        raise FormatError(f"{name}: version {version}, expected {VERSION}")
    arch = take(u32()).decode("ascii")
    count = u32()
    if count > MAX_TENSORS:
        raise FormatError(f"{name}: {count} tensors")
    tensors = OrderedDict()
    total = 0
    for _ in range(count):
        ln = u32()
        if not 1 <= ln <= MAX_NAME:
            raise FormatError(f"{name}: tensor name length {ln}")
        tname = take(ln).decode("ascii")
        ndim = u32()
        if not 1 <= ndim <= 4:
            raise FormatError(f"{name}: tensor {tname}: ndim {ndim}")
        dims = struct.unpack(f"<{ndim}I", take(4 * ndim))
        if any(not 1 <= d <= MAX_DIM for d in dims):
            raise FormatError(f"{name}: tensor {tname}: dims {dims}")
        n = int(np.prod(dims))
        total += n
        if total > MAX_FLOATS:
            raise FormatError(f"{name}: too many floats")
        arr = np.frombuffer(take(4 * n), dtype="<f4").reshape(dims).copy()
        if not np.all(np.isfinite(arr)):
            raise FormatError(f"{name}: tensor {tname}: NaN or Inf")
        if tname in tensors:
            raise FormatError(f"{name}: duplicate tensor {tname}")
        tensors[tname] = arr
    if pos != len(body):
        raise FormatError(f"{name}: {len(body) - pos} trailing bytes")
    return arch, tensors


def read(path):
    with open(path, "rb") as f:
        return decode(f.read(), str(path))


def export_model(model, path):
    """Write an EvenlightNet's state_dict as a file of its architecture."""
    sd = OrderedDict((k, v) for k, v in model.state_dict().items())
    if getattr(model, "exposure_floor", None) is not None:
        import numpy as np
        from model import EXPOSURE_FLOOR
        sd[EXPOSURE_FLOOR] = np.array([model.exposure_floor], dtype=np.float32)
    return write(path, sd, model.arch)


def load_model(path):
    """Read an evenlight-net-v1 or -v2 file into a new EvenlightNet."""
    import torch
    from model import ARCH_V1, ARCH_V2, EXPOSURE_FLOOR, EvenlightNet
    arch, tensors = read(path)
    if arch not in (ARCH_V1, ARCH_V2):
        raise FormatError(f"{path}: architecture {arch}, expected {ARCH_V1} or {ARCH_V2}")
    net = EvenlightNet(arch)
    floor = tensors.pop(EXPOSURE_FLOOR, None)
    if floor is not None:
        if floor.shape != (1,):
            raise FormatError(f"{path}: {EXPOSURE_FLOOR} has shape {floor.shape}, expected (1,)")
        net.exposure_floor = float(floor[0])
    if any(k.startswith("bracket.") for k in tensors):
        net.add_bracket_fusion()
    sd = net.state_dict()
    if set(sd) != set(tensors):
        raise FormatError(f"{path}: tensor names differ from the network")
    net.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    return net


if __name__ == "__main__":
    import torch
    from model import EvenlightNet
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    torch.set_num_threads(2)
    net = EvenlightNet()
    state = torch.load(sys.argv[1], map_location="cpu")
    net.load_state_dict(state.get("model", state))
    print(sys.argv[2], export_model(net, sys.argv[2]), "bytes")
