"""``reset_parameters()`` for the image and sequence layers: torch's initialisation drawn again, in place.

A parameter keeps its object (an optimiser holding it keeps working): a Tensor
gets new numbers in its array, a scalar-mode parameter (Values) new ``data``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from .init import fan_in_uniform, rng_from


def refill(p: Any, values: np.ndarray) -> None:
    """Write ``values`` into parameter ``p`` in place (a Tensor's array, or each Value's ``data``)."""
    if p is None:
        return
    if isinstance(p, Tensor):
        p.data[...] = np.asarray(values, dtype=p.data.dtype).reshape(p.data.shape)
        return
    cells = p.reshape(-1) if isinstance(p, np.ndarray) else [p]
    for v, x in zip(cells, np.asarray(values, dtype=np.float64).reshape(-1)):
        v.data = float(x)


def reset_conv(m: Any, seed: Any = None) -> None:
    """Conv and ConvTranspose: weight and bias uniform in +-1/sqrt(fan_in), fan_in = prod(weight.shape[1:])."""
    rng = rng_from(seed)
    shape = tuple(np.shape(m.weight.data if isinstance(m.weight, Tensor) else m.weight))
    fan_in = int(np.prod(shape[1:]))
    refill(m.weight, fan_in_uniform(shape, rng, fan_in=fan_in))
    if m.bias is not None:
        refill(m.bias, fan_in_uniform((m.out_channels,), rng, fan_in=fan_in))


def reset_recurrent(m: Any, seed: Any = None) -> None:
    """RNN/LSTM/GRU and their cells: every parameter uniform in +-1/sqrt(hidden_size), as torch."""
    rng = rng_from(seed)
    k = 1.0 / math.sqrt(m.hidden_size)
    for _, p in m.named_parameters():
        shape = tuple(np.shape(p.data if isinstance(p, Tensor) else p))
        refill(p, rng.uniform(-k, k, shape))


__all__ = ["refill", "reset_conv", "reset_recurrent"]
