"""Argument checks shared by the torch-named ops (private): ``dim``/``axis``, ``keepdim``/``keepdims``, ints.

torch's spelling (``dim=``, ``keepdim=``) and numpy's (``axis=``, ``keepdims=``) are both accepted;
giving both spellings of one argument is an error.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

__all__: list = []

UNSET: Any = object()  # marks an argument that was not given
_UNSET = UNSET


def pick(op: str, torch_name: str, torch_value: Any, np_name: str, np_value: Any, default: Any) -> Any:
    """The one of ``torch_value`` / ``np_value`` that was given (``_UNSET`` marks 'not given')."""
    if torch_value is not _UNSET and np_value is not _UNSET:
        raise TypeError(f"{op}: give {torch_name}= or {np_name}=, not both")
    if torch_value is not _UNSET:
        return torch_value
    if np_value is not _UNSET:
        return np_value
    return default


def is_int(x: Any) -> bool:
    return isinstance(x, (Integral, np.integer)) and not isinstance(x, (bool, np.bool_))


def one_dim(op: str, dim: Any, shape: tuple, what: str = "dim") -> int:
    """``dim`` as a non-negative int for a tensor of ``shape`` (a 0-d tensor accepts 0 and -1, as torch)."""
    if not is_int(dim):
        raise TypeError(f"{op}: {what} must be an int, got {dim!r}")
    nd = max(len(shape), 1)
    if not -nd <= dim < nd:
        raise IndexError(
            f"{op}: {what}={dim} is out of range for a tensor of shape {tuple(shape)} "
            f"(expected {-nd} <= {what} < {nd})"
        )
    return int(dim) % nd


def dims(op: str, dim: Any, shape: tuple, what: str = "dim") -> tuple | None:
    """``dim`` (None, an int, or a tuple/list of ints) as a sorted tuple of distinct non-negative ints, or None."""
    if dim is None:
        return None
    items = dim if isinstance(dim, (tuple, list)) else (dim,)
    out = [one_dim(op, d, shape, what) for d in items]
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: {what}={dim!r} names the same axis twice")
    if not shape:
        return None
    return tuple(sorted(out))


def flag(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}: {name} must be True or False, got {value!r}")
    return bool(value)


def count(op: str, name: str, value: Any, minimum: int = 0) -> int:
    if not is_int(value) or value < minimum:
        raise ValueError(f"{op}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def int_index(op: str, index: Any, what: str = "index") -> np.ndarray:
    """An index argument (Tensor, ndarray, list) as an int64 array; floats holding whole numbers are accepted."""
    arr = np.asarray(getattr(index, "data", index))
    if arr.dtype.kind == "f":
        if not np.all(arr == np.round(arr)):
            raise TypeError(f"{op}: {what} must hold integers, got non-integral values of dtype {arr.dtype}")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: {what} must be an integer tensor (int64), got dtype {arr.dtype}")
    return arr.astype(np.int64)


def squeeze_dims(out: np.ndarray, axes: tuple | None, keepdim: bool) -> np.ndarray:
    """Drop the reduced axes of a keepdims=True result unless ``keepdim``."""
    if keepdim:
        return out
    if axes is None:
        return out.reshape(())
    return np.squeeze(out, axis=axes)


def unsqueeze_grad(g: Any, shape: tuple, axes: tuple | None, keepdim: bool) -> Any:
    """Put back the reduced axes of a gradient so it broadcasts against the input of ``shape``."""
    if keepdim:
        return g
    if axes is None:
        return g.reshape((1,) * len(shape))
    new = list(g.shape)
    for a in axes:
        new.insert(a, 1)
    return g.reshape(tuple(new))
