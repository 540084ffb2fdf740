"""How nn code tells the two modes apart and moves data into each.

Tensor mode computes on ``Tensor``s. Scalar mode computes on numpy object
arrays of ``Value``s with the same shapes a tensor would have (a bare
``Value`` for one number). Plain numbers, lists and float arrays are data:
they become a constant Tensor, or constant floats inside an object array.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, Callable

import numpy as np

from autograd import Tensor, Value


def is_scalar(x: Any) -> bool:
    """True when ``x`` is scalar-mode data: a Value, an object array, or (nested) lists holding a Value."""
    if type(x) is Value:
        return True
    if isinstance(x, np.ndarray):
        return x.dtype == object
    if isinstance(x, (list, tuple)):
        stack = [x]
        while stack:
            for v in stack.pop():
                if type(v) is Value:
                    return True
                if isinstance(v, (list, tuple, np.ndarray)):
                    stack.append(v)
    return False


def to_values(x: Any, where: str) -> Any:
    """Scalar-mode data: a Value stays a Value; anything else becomes an object array of Values and floats."""
    if type(x) is Value:
        return x
    if isinstance(x, Tensor):
        x = x.data
    if isinstance(x, np.ndarray) and x.dtype != object:
        if x.dtype.kind not in "fiub":
            raise TypeError(f"{where}: expected numbers, got an array of dtype {x.dtype}")
        return x.astype(np.float64).astype(object)
    try:
        arr = np.array(x, dtype=object)
    except ValueError as exc:
        raise ValueError(f"{where}: could not make a rectangular array from the input ({exc})") from None
    flat = arr.reshape(-1)
    for i, v in enumerate(flat):
        if type(v) is Value:
            continue
        if isinstance(v, Real) and not isinstance(v, bool):
            flat[i] = float(v)
        else:
            raise TypeError(
                f"{where}: scalar-mode input must hold Values or numbers, found {type(v).__name__} ({v!r:.40}); "
                "pass rectangular lists or arrays of numbers"
            )
    return arr


def to_tensor(x: Any, where: str) -> Tensor:
    """Tensor-mode data: Tensors pass through, numbers and arrays become a constant float Tensor."""
    if isinstance(x, Tensor):
        return x
    if is_scalar(x):
        raise TypeError(
            f"{where}: got Values (scalar-mode data) but this works in tensor mode; convert the model with "
            ".to_scalar(), or pass plain numbers"
        )
    try:
        return Tensor(x)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}: expected a Tensor or an array of numbers ({exc})") from None


def as_value(v: Any) -> Value:
    return v if type(v) is Value else Value(float(v))


def smap(fn: Callable[[Value], Value], x: Any) -> Any:
    """Apply ``fn`` to every Value of scalar-mode data (numbers are made Values first); same shape out."""
    if type(x) is Value:
        return fn(x)
    x = to_values(x, "scalar map")
    out = np.empty(x.shape, dtype=object)
    flat, src = out.reshape(-1), x.reshape(-1)
    for i in range(src.size):
        flat[i] = fn(as_value(src[i]))
    return out


def shape_of(x: Any) -> tuple:
    if type(x) is Value:
        return ()
    return tuple(np.shape(x.data if isinstance(x, Tensor) else x))


def numbers(x: Any) -> np.ndarray:
    """The float numbers of data in either mode (Tensor, Values, arrays, lists)."""
    if isinstance(x, Tensor):
        return x.data
    if type(x) is Value:
        return np.array(x.data)
    if is_scalar(x):
        arr = np.array(x, dtype=object)
        return np.array([v.data if type(v) is Value else float(v) for v in arr.reshape(-1)], dtype=np.float64).reshape(
            arr.shape
        )
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"expected numbers, got {type(x).__name__} of dtype {arr.dtype}")
    return arr
