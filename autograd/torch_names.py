"""torch's remaining top-level names: constants, aliases, the in-place functions and a few small questions.

``torch.abs_(x)`` is ``x.abs_()`` (and so for every in-place method that
torch also offers as a function); ``multiply``, ``subtract``, ``negative``,
``concat`` and ``row_stack`` are torch's other names for ``mul``, ``sub``,
``neg``, ``cat`` and ``vstack``. ``as_tensor`` and ``asarray`` share memory
with a numpy array where the dtype allows, as torch's do.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .tensor import Tensor, tensor as _tensor

__all__ = [
    "pi", "e", "inf", "nan", "newaxis", "as_tensor", "asarray", "isin", "is_same_size", "is_nonzero",
    "get_num_threads", "set_num_threads", "get_float32_matmul_precision", "set_float32_matmul_precision",
    "INPLACE_FUNCTIONS",
]

pi, e, inf, nan = math.pi, math.e, math.inf, math.nan
newaxis = None

# torch's in-place functions, torch.<name>(input, ...) = input.<name>(...)
INPLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asin_",
    "asinh_", "atan_", "atanh_", "ceil_", "celu_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_",
    "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_",
    "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_",
    "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "selu_", "sigmoid_", "sin_", "sinc_",
    "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)


def _inplace_function(name: str) -> Callable:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Tensor:  # noqa: A002
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor (an in-place op changes it), got "
                            f"{type(input).__name__}; use {name[:-1]} for a new result")
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"input.{name}(...): torch.{name}, in place on ``input``, which it returns."
    return fn


def inplace_functions() -> dict[str, Callable]:
    """torch.<name>_ for each in-place method Tensor has."""
    return {n: _inplace_function(n) for n in INPLACE_FUNCTIONS if hasattr(Tensor, n)}


def _dtype(dtype: Any, where: str) -> np.dtype | None:
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: dtype must be a dtype such as autograd.float32, got {dtype!r}") from None


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor without a copy where it can be: a Tensor of that dtype is returned as it is, a numpy
    array of a numeric dtype is shared (torch.as_tensor); anything else is converted as ``tensor`` does."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"as_tensor: device {device!r} is not available; gradwork runs on the CPU ('cpu')")
    dt = _dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data if dt is None or data.data.dtype == dt else data.to(dt)
    if isinstance(data, np.ndarray) and data.dtype.kind in "fiub":
        return Tensor._make(data if dt is None or data.dtype == dt else data.astype(dt))
    if data is None or isinstance(data, (str, bytes)):
        raise TypeError(f"as_tensor: cannot make a tensor from {type(data).__name__} {data!r:.40}; pass numbers, "
                        "a (nested) list of numbers or an array")
    return _tensor(data, dtype=dt)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """torch.asarray: ``as_tensor``, or always a copy with ``copy=True``; ``requires_grad`` sets the flag."""
    if copy:
        t = _tensor(obj.data if isinstance(obj, Tensor) else obj, dtype=_dtype(dtype, "asarray"))
        if isinstance(obj, Tensor) and t.data is obj.data:
            t = Tensor._make(obj.data.copy())
    else:
        t = as_tensor(obj, dtype, device)
    if copy is False and isinstance(obj, np.ndarray) and t.data is not obj:
        raise ValueError(f"asarray: copy=False, but an array of dtype {obj.dtype} needs a copy to become {dtype}")
    if requires_grad:
        t.requires_grad_(True)
    return t


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """A bool tensor: True where an element of ``elements`` is in ``test_elements`` (False with ``invert``)."""
    a, b = (_numbers(x, "isin", what) for x, what in ((elements, "elements"), (test_elements, "test_elements")))
    return Tensor._make(np.asarray(np.isin(a, b, assume_unique=assume_unique, invert=invert)))


def _numbers(x: Any, where: str, what: str) -> np.ndarray:
    try:
        arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {what} must be numbers (a Tensor, an array, a list or a number), got "
                        f"{type(x).__name__} {x!r:.40}")
    return arr


def is_same_size(input: Any, other: Any) -> bool:  # noqa: A002
    """True when the two tensors have the same shape."""
    for x in (input, other):
        if not isinstance(x, Tensor):
            raise TypeError(f"is_same_size: expected Tensors, got {type(x).__name__}")
    return input.shape == other.shape


def is_nonzero(input: Any) -> bool:  # noqa: A002
    """The truth of a one-element tensor (RuntimeError for any other size, as torch)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_nonzero: expected a Tensor, got {type(input).__name__}")
    if input.data.size != 1:
        raise RuntimeError(f"is_nonzero: a Tensor with {input.data.size} elements cannot be converted to a bool; "
                           "reduce it first with .any() or .all()")
    return bool(input.data.reshape(()))


def get_num_threads() -> int:
    """The threads the Numba kernels may use (torch's intra-op threads)."""
    try:
        import numba
    except ImportError:
        return 1
    return int(numba.get_num_threads())


def set_num_threads(n: int) -> None:
    """Let the Numba kernels use ``n`` threads (at most as many as Numba started with; BLAS keeps its own)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: n must be a positive int, got {n!r}")
    try:
        import numba
    except ImportError:
        return
    numba.set_num_threads(int(min(int(n), numba.config.NUMBA_NUM_THREADS)))


_PRECISIONS = ("highest", "high", "medium")
_precision = ["highest"]


def get_float32_matmul_precision() -> str:
    """torch's setting for float32 products; on the CPU every setting computes in full float32 ("highest")."""
    return _precision[0]


def set_float32_matmul_precision(precision: str) -> None:
    """Accept torch's "highest", "high" or "medium" (the CPU products are float32 under each)."""
    if precision not in _PRECISIONS:
        raise ValueError(f"set_float32_matmul_precision: precision must be one of {_PRECISIONS}, got {precision!r}")
    _precision[0] = precision
