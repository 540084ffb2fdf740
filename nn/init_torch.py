"""torch.nn.init's in-place initialisers (``uniform_``, ``kaiming_uniform_``, ``xavier_normal_``, ...), with
torch's arguments, defaults, fan rules and gains, and torch's ``generator=`` (an ``autograd.Generator``, a numpy
Generator, or None for gradwork's library generator). They change the tensor in place outside the graph
(under ``no_grad``, as torch) and return it. The numbers are not torch's random stream, but the same seed
gives the same numbers.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.random_gen import rng_of

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "sigmoid")


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """torch's recommended gain: 1 for linear/conv/sigmoid, 5/3 for tanh, sqrt(2) for relu,
    sqrt(2 / (1 + slope**2)) for leaky_relu (slope ``param``, default 0.01), 3/4 for selu."""
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, Real):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        else:
            slope = float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of "
                     f"{', '.join(_LINEAR)}, tanh, relu, leaky_relu, selu")


def _target(tensor: Any, op: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init.{op}: expected a Tensor (e.g. a layer's weight), got {type(tensor).__name__}")
    if tensor.data.dtype.kind != "f":
        raise TypeError(f"init.{op}: expected a floating tensor, got {tensor.data.dtype}")
    return tensor


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    with autograd.no_grad():
        tensor.copy_(Tensor._make(np.asarray(values, dtype=tensor.data.dtype).reshape(tensor.shape)))
    return tensor


def _fans(tensor: Tensor, op: str) -> tuple:
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"init.{op}: fan in and fan out can not be computed for a tensor with fewer than 2 "
                         f"dimensions (shape {shape})")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor: Tensor, mode: str, op: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init.{op}: mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _fans(tensor, op)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with U(a, b)."""
    t = _target(tensor, "uniform_")
    if a > b:
        raise ValueError(f"init.uniform_: a={a} must not exceed b={b}")
    return _fill(t, rng_of(generator, "init.uniform_").uniform(a, b, t.shape))


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with N(mean, std**2)."""
    t = _target(tensor, "normal_")
    if std < 0:
        raise ValueError(f"init.normal_: std must be >= 0, got {std}")
    return _fill(t, mean + std * rng_of(generator, "init.normal_").standard_normal(t.shape))


def trunc_normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: Any = None) -> Tensor:
    """Fill with N(mean, std**2) restricted to [a, b] (by inverting the normal CDF on [Phi(a), Phi(b)])."""
    t = _target(tensor, "trunc_normal_")
    if not a < b or std <= 0:
        raise ValueError(f"init.trunc_normal_: needs a < b and std > 0, got a={a}, b={b}, std={std}")
    from autograd.kernels.special_ref import erf, erfinv

    lo, hi = (erf(np.array([(a - mean) / (std * math.sqrt(2.0)), (b - mean) / (std * math.sqrt(2.0))])) + 1) / 2
    u = rng_of(generator, "init.trunc_normal_").uniform(2 * lo - 1, 2 * hi - 1, t.shape)
    return _fill(t, np.clip(mean + std * math.sqrt(2.0) * erfinv(u), a, b))


def constant_(tensor: Any, val: float) -> Tensor:
    """Fill with ``val``."""
    t = _target(tensor, "constant_")
    return _fill(t, np.full(t.shape, val))


def ones_(tensor: Any) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Any) -> Tensor:
    return constant_(tensor, 0.0)


def eye_(tensor: Any) -> Tensor:
    """The identity matrix (a 2-D tensor only)."""
    t = _target(tensor, "eye_")
    if t.ndim != 2:
        raise ValueError(f"init.eye_: only 2-D tensors are supported, got shape {t.shape}")
    return _fill(t, np.eye(*t.shape))


def xavier_uniform_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Tensor:
    """U(-bound, bound), bound = gain sqrt(6 / (fan_in + fan_out))."""
    t = _target(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(t, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(t, rng_of(generator, "init.xavier_uniform_").uniform(-bound, bound, t.shape))


def xavier_normal_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Tensor:
    """N(0, std**2), std = gain sqrt(2 / (fan_in + fan_out))."""
    t = _target(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(t, "xavier_normal_")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(t, std * rng_of(generator, "init.xavier_normal_").standard_normal(t.shape))


def kaiming_uniform_(tensor: Any, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Any = None) -> Tensor:
    """U(-bound, bound), bound = gain sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)."""
    t = _target(tensor, "kaiming_uniform_")
    fan = _fan(t, mode, "kaiming_uniform_")
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan) if fan else 0.0
    return _fill(t, rng_of(generator, "init.kaiming_uniform_").uniform(-bound, bound, t.shape))


def kaiming_normal_(tensor: Any, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Any = None) -> Tensor:
    """N(0, std**2), std = gain / sqrt(fan)."""
    t = _target(tensor, "kaiming_normal_")
    fan = _fan(t, mode, "kaiming_normal_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan) if fan else 0.0
    return _fill(t, std * rng_of(generator, "init.kaiming_normal_").standard_normal(t.shape))


def orthogonal_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Tensor:
    """A (semi-)orthogonal matrix (the trailing axes flattened), from the QR of a Gaussian matrix, times gain."""
    t = _target(tensor, "orthogonal_")
    if t.ndim < 2:
        raise ValueError(f"init.orthogonal_: only tensors with 2 or more dimensions are supported, got {t.shape}")
    rows = t.shape[0]
    cols = t.data.size // rows if rows else 0
    flat = rng_of(generator, "init.orthogonal_").standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diagonal(r))  # a unique, uniformly distributed Q
    if rows < cols:
        q = q.T
    return _fill(t, gain * q)


def sparse_(tensor: Any, sparsity: float, std: float = 0.01, generator: Any = None) -> Tensor:
    """A 2-D tensor with N(0, std**2) entries and ceil(sparsity * rows) zeros in each column."""
    t = _target(tensor, "sparse_")
    if t.ndim != 2:
        raise ValueError(f"init.sparse_: only 2-D tensors are supported, got shape {t.shape}")
    if isinstance(sparsity, bool) or not isinstance(sparsity, Real) or not 0 <= sparsity <= 1:
        raise ValueError(f"init.sparse_: sparsity must be in [0, 1], got {sparsity!r}")
    rows, cols = t.shape
    rng = rng_of(generator, "init.sparse_")
    values = std * rng.standard_normal((rows, cols))
    zeros = int(math.ceil(sparsity * rows))
    for c in range(cols):
        values[rng.permutation(rows)[:zeros], c] = 0.0
    return _fill(t, values)
