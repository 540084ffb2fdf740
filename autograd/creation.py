"""Tensor factories: constants, ranges and seedable random tensors."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from .tensor import Tensor, _as_dtype, _shape_arg

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator behind ``rand``/``randn`` (and everything that uses ``default_rng()``)."""
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _rng = np.random.default_rng(int(seed))


def default_rng() -> np.random.Generator:
    """The library-wide random generator (seed it with ``manual_seed``)."""
    return _rng


def _generator(seed: Any, generator: Any = None, op: str = "rand") -> np.random.Generator:
    if generator is not None:  # torch's generator= (an autograd.Generator or a numpy Generator)
        if seed is not None:
            raise TypeError(f"{op}: give seed or generator, not both")
        from .random_gen import rng_of

        return rng_of(generator, op)
    if seed is None:
        return _rng
    if isinstance(seed, np.random.Generator):
        return seed
    from .random_gen import Generator

    if isinstance(seed, Generator):
        return seed._numpy()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be None, a non-negative int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    dt = _as_dtype(np.float64 if dtype is None else dtype, op)
    if dt.kind != "f":
        raise TypeError(f"{op}: dtype must be a float type, got {dt}")
    return dt


def _any_dtype(dtype: Any, op: str) -> np.dtype:
    """float64 by default; any float, integer or boolean dtype on request (integer tensors get no gradient)."""
    dt = _as_dtype(np.float64 if dtype is None else dtype, op)
    if dt.kind not in "fiub":
        raise TypeError(f"{op}: dtype must be a float, integer or boolean type, got {dt}")
    return dt


def _sizes(shape: tuple, op: str) -> tuple:
    """A shape for a new tensor: ints >= 0 (reshape's -1 means nothing here)."""
    shape = _shape_arg(shape, op)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: shape {shape} has a negative size")
    return shape


def _make(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_sizes(shape, "zeros"), _any_dtype(dtype, "zeros")), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_sizes(shape, "ones"), _any_dtype(dtype, "ones")), requires_grad)


def full(shape: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``shape`` filled with ``fill_value``: its dtype inferred as torch does (int64 for an int, bool for a bool),
    float64 for a float."""
    shape = _sizes((shape,) if not isinstance(shape, (tuple, list)) else (tuple(shape),), "full")
    if not isinstance(fill_value, (Real, np.number, np.bool_)):
        raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__} {fill_value!r:.40}")
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = np.bool_
    elif dtype is None and isinstance(fill_value, (int, np.integer)):
        dtype = np.int64
    return _make(np.full(shape, fill_value, _any_dtype(dtype, "full")), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    _sizes((n,) if m is None else (n, m), "eye")
    return _make(np.eye(n, m, dtype=_any_dtype(dtype, "eye")), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Numbers from start up to stop (not included) by step: int64 for integer bounds, else float64."""
    if step == 0:
        raise ValueError("arange: step must not be 0")
    arr = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                             for v in (start, stop if stop is not None else 0, step)):
        dtype = np.int64  # integer bounds give int64, as in torch and numpy (indices, labels)
    return _make(arr.astype(_any_dtype(dtype, "arange")), requires_grad)


def rand(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False, seed: Any = None
         ) -> Tensor:
    """Uniform numbers in [0, 1); ``seed`` (int or Generator) makes the result repeatable."""
    dt = _float_dtype(dtype, "rand")
    return _make(_generator(seed, generator, "rand").random(_sizes(shape, "rand")).astype(dt), requires_grad)


def randn(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False, seed: Any = None
         ) -> Tensor:
    """Standard normal numbers; ``seed`` (int or Generator) makes the result repeatable."""
    dt = _float_dtype(dtype, "randn")
    rng = _generator(seed, generator, "randn")
    return _make(rng.standard_normal(_sizes(shape, "randn")).astype(dt), requires_grad)


def _like(x: Any, dtype: Any, op: str, kinds: str = "f") -> tuple:
    """x's shape, and the dtype to use: ``dtype``, else x's own when its kind is in ``kinds``, else float64."""
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{op}: expected a Tensor or an array of numbers, got {type(x).__name__} {x!r:.40}")
    return arr.shape, (dtype if dtype is not None else (arr.dtype if arr.dtype.kind in kinds else None))


def zeros_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(x, dtype, "zeros_like", "fiub")  # integer and boolean tensors keep their dtype, as in torch
    return zeros(shape, dtype=dt, requires_grad=requires_grad)


def ones_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(x, dtype, "ones_like", "fiub")  # integer and boolean tensors keep their dtype, as in torch
    return ones(shape, dtype=dt, requires_grad=requires_grad)


def full_like(x: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(x, dtype, "full_like", "fiub")  # integer and boolean tensors keep their dtype, as in torch
    return full(shape, fill_value, dtype=dt, requires_grad=requires_grad)


def rand_like(x: Any, dtype: Any = None, requires_grad: bool = False, seed: Any = None, *,
              generator: Any = None) -> Tensor:
    shape, dt = _like(x, dtype, "rand_like")
    return rand(shape, dtype=dt, requires_grad=requires_grad, seed=seed, generator=generator)


def randn_like(x: Any, dtype: Any = None, requires_grad: bool = False, seed: Any = None, *,
              generator: Any = None) -> Tensor:
    shape, dt = _like(x, dtype, "randn_like")
    return randn(shape, dtype=dt, requires_grad=requires_grad, seed=seed, generator=generator)
