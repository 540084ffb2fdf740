"""Weight initialisers: each returns a float64 numpy array of the given shape.

Every initialiser takes ``seed``: an int (the same int gives the same
numbers), a ``numpy.random.Generator`` (layers of one model share one, so one
seed fixes the whole model), or None for the library generator that
``autograd.manual_seed`` seeds. A weight of shape (out, in) has fan_in = in
and fan_out = out.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

import autograd


def rng_from(seed: Any) -> np.random.Generator:
    """A numpy Generator from an int seed, a Generator (numpy's used as is, autograd's drawn from) or None (the
    library generator)."""
    if seed is None:
        return autograd.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, autograd.Generator):  # torch's generator=
        return seed._numpy()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be None, a non-negative int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def fans(shape: tuple) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: (in, out) for (out, in); (n, 1) for a single neuron's (n,)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], 1
    receptive = int(np.prod(shape[2:], dtype=np.int64)) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def gain(nonlinearity: str = "relu", negative_slope: float = 0.01) -> float:
    """The recommended scale for an activation: sqrt(2) for ReLU, 5/3 for tanh, 1 for linear and sigmoid."""
    name = nonlinearity.lower()
    if name in ("linear", "identity", "sigmoid"):
        return 1.0
    if name == "tanh":
        return 5.0 / 3.0
    if name in ("relu", "elu", "prelu"):
        return math.sqrt(2.0)
    if name == "leaky_relu":
        return math.sqrt(2.0 / (1 + negative_slope**2))
    raise ValueError(f"gain: unknown nonlinearity {nonlinearity!r}; use relu, leaky_relu, tanh, sigmoid or linear")


def zeros(shape: tuple, seed: Any = None) -> np.ndarray:
    return np.zeros(shape)


def constant(shape: tuple, value: float = 0.0, seed: Any = None) -> np.ndarray:
    return np.full(shape, float(value))


def small(shape: tuple, seed: Any = None, scale: float = 0.05) -> np.ndarray:
    """The classic default: small random numbers near zero, uniform in [-scale, scale]."""
    return rng_from(seed).uniform(-scale, scale, size=shape)


def uniform(shape: tuple, seed: Any = None, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Uniform in [low, high) (micrograd's neurons use [-1, 1])."""
    return rng_from(seed).uniform(low, high, size=shape)


def normal(shape: tuple, seed: Any = None, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    return mean + std * rng_from(seed).standard_normal(size=shape)


def fan_in_uniform(shape: tuple, seed: Any = None, fan_in: int | None = None) -> np.ndarray:
    """Uniform in +-1/sqrt(fan_in): the default of ``torch.nn.Linear`` for weights and biases."""
    n = fan_in if fan_in is not None else fans(shape)[0]
    bound = 1.0 / math.sqrt(n) if n > 0 else 0.0
    return rng_from(seed).uniform(-bound, bound, size=shape)


def xavier_uniform(shape: tuple, seed: Any = None, gain: float = 1.0) -> np.ndarray:
    """Glorot: uniform in +-gain sqrt(6 / (fan_in + fan_out)), keeping activations' variance for tanh/sigmoid."""
    fi, fo = fans(shape)
    bound = gain * math.sqrt(6.0 / (fi + fo))
    return rng_from(seed).uniform(-bound, bound, size=shape)


def xavier_normal(shape: tuple, seed: Any = None, gain: float = 1.0) -> np.ndarray:
    """Glorot: normal with std gain sqrt(2 / (fan_in + fan_out))."""
    fi, fo = fans(shape)
    return gain * math.sqrt(2.0 / (fi + fo)) * rng_from(seed).standard_normal(size=shape)


def kaiming_uniform(shape: tuple, seed: Any = None, nonlinearity: str = "relu") -> np.ndarray:
    """He: uniform in +-gain sqrt(3 / fan_in) (gain sqrt(2) for ReLU), for ReLU networks."""
    bound = gain(nonlinearity) * math.sqrt(3.0 / fans(shape)[0])
    return rng_from(seed).uniform(-bound, bound, size=shape)


def kaiming_normal(shape: tuple, seed: Any = None, nonlinearity: str = "relu") -> np.ndarray:
    """He: normal with std gain / sqrt(fan_in)."""
    std = gain(nonlinearity) / math.sqrt(fans(shape)[0])
    return std * rng_from(seed).standard_normal(size=shape)


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
he_uniform = kaiming_uniform
he_normal = kaiming_normal

INITIALISERS: dict[str, Callable] = {
    "default": fan_in_uniform,
    "fan_in_uniform": fan_in_uniform,
    "small": small,
    "uniform": uniform,
    "normal": normal,
    "zeros": zeros,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "kaiming_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal,
    "he_uniform": kaiming_uniform,
    "he_normal": kaiming_normal,
}


def get_initializer(init: str | Callable) -> Callable:
    """An initialiser by name (see ``INITIALISERS``) or a callable ``f(shape, seed) -> array`` as is."""
    if callable(init):
        return init
    if not isinstance(init, str) or init.lower() not in INITIALISERS:
        raise ValueError(f"unknown initialiser {init!r}; choose one of {', '.join(INITIALISERS)} or pass a function")
    return INITIALISERS[init.lower()]


def initial_weights(init: str | Callable, shape: tuple, seed: Any) -> np.ndarray:
    """Weights from ``init`` with a clear error if a custom initialiser returns the wrong shape."""
    arr = np.asarray(get_initializer(init)(tuple(shape), seed=seed), dtype=np.float64)
    if arr.shape != tuple(shape):
        raise ValueError(f"initialiser {init!r} returned shape {arr.shape}, expected {tuple(shape)}")
    return arr


def initial_bias(init: str | Callable, shape: tuple, fan_in: int, seed: Any) -> np.ndarray:
    """Biases: +-1/sqrt(fan_in) under the default init (like torch), zeros otherwise (like micrograd)."""
    if isinstance(init, str) and init.lower() in ("default", "fan_in_uniform"):
        return fan_in_uniform(shape, seed=seed, fan_in=fan_in)
    return np.zeros(shape)


# torch.nn.init's in-place spellings (uniform_, kaiming_uniform_, ...), with generator= (nn/init_torch.py)
from .init_torch import (  # noqa: E402, F401
    calculate_gain, constant_, eye_, kaiming_normal_, kaiming_uniform_, normal_, ones_, orthogonal_, sparse_,
    trunc_normal_, uniform_, xavier_normal_, xavier_uniform_, zeros_,
)
