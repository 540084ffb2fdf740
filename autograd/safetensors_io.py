"""``save_safetensors`` / ``load_safetensors``: state dicts in the ``.safetensors`` format PyTorch and others read.

A ``.safetensors`` file is a JSON header (names, dtypes, shapes, byte offsets)
followed by raw little-endian bytes: it holds flat ``{name: array}`` tables and
never code. The work is done by the ``safetensors`` package's numpy API (an
optional dependency: ``pip install "gradwork[export]"``); this module adds
gradwork's Tensors, an atomic save, and ``CheckpointError`` for bad files::

    autograd.save_safetensors(model.state_dict(), "model.safetensors")
    # in PyTorch: torch_model.load_state_dict(safetensors.torch.load_file("model.safetensors"))
    model.load_state_dict(autograd.load_safetensors("model.safetensors"))
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .serialization import CheckpointError, DEFAULT_MAX_BYTES, _check_path, _write_atomically
from .tensor import Tensor

__all__ = ["save_safetensors", "load_safetensors"]

_DTYPES = "biuf"  # what safetensors stores: bool, integers, floats


def _backend(op: str) -> Any:
    try:
        from safetensors import numpy as st_numpy
    except ImportError:
        raise ImportError(
            f"{op}: the safetensors package is not installed; install it with "
            "pip install safetensors (or pip install \"gradwork[export]\")"
        ) from None
    return st_numpy


def save_safetensors(state_dict: dict, path: str | os.PathLike, metadata: dict | None = None) -> None:
    """Write ``{name: array or Tensor}`` to ``path`` as a .safetensors file, atomically."""
    target = _check_path(path, "save_safetensors")
    if not isinstance(state_dict, dict):
        raise TypeError(
            f"save_safetensors: expected a dict of arrays (e.g. model.state_dict()), got {type(state_dict).__name__}"
        )
    tables = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save_safetensors: keys must be str, got {type(name).__name__} {name!r:.40}")
        arr = value.data if isinstance(value, Tensor) else value
        if isinstance(arr, (int, float, bool, np.generic)):
            arr = np.asarray(arr)
        if not isinstance(arr, np.ndarray):
            raise TypeError(
                f"save_safetensors: {name!r} is a {type(value).__name__}; a .safetensors file holds arrays only "
                "(save other state with autograd.save)"
            )
        if arr.dtype.kind not in _DTYPES:
            raise TypeError(f"save_safetensors: {name!r} has dtype {arr.dtype}; only bool, integer and float arrays "
                            "can be stored")
        tables[name] = np.ascontiguousarray(arr)
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    ):
        raise TypeError("save_safetensors: metadata must be a dict of str to str")
    data = _backend("save_safetensors").save(tables, metadata=metadata)
    _write_atomically(target, "save_safetensors", lambda f: f.write(data))


def load_safetensors(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, np.ndarray]:
    """Read a .safetensors file into ``{name: ndarray}`` (load it with ``model.load_state_dict``)."""
    path = _check_path(path, "load_safetensors")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)) or max_bytes <= 0:
        raise ValueError(f"load_safetensors: max_bytes must be a positive integer, got {max_bytes!r}")
    st_numpy = _backend("load_safetensors")
    size = os.path.getsize(path)
    if size > max_bytes:
        raise CheckpointError(f"load_safetensors: {path!r} is {size} bytes, more than max_bytes={max_bytes}; "
                              "pass a larger max_bytes if you trust this file")
    with open(path, "rb") as f:
        data = f.read()
    try:
        tables = st_numpy.load(data)
    except Exception as exc:  # safetensors raises its own SafetensorError (and others) for damaged headers
        raise CheckpointError(
            f"load_safetensors: {path!r} is not a valid .safetensors file ({type(exc).__name__}: {exc})"
        ) from None
    return {name: np.array(arr) for name, arr in tables.items()}
