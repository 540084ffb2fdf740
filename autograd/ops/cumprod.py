"""Running products (torch's cumprod), with a derivative that is exact where the input has zeros."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function
from .scan import _rcumsum

__all__ = ["Cumprod"]


def _cumprod(x: Any, axis: int) -> Any:
    return Cumprod.apply(x, axis=axis) if isinstance(x, G.Tensor) else np.cumprod(x, axis=axis)


class Cumprod(Function):
    """out_i = prod_{j <= i} x_j along axis; dL/dx_k = sum_{i >= k} g_i prod_{j <= i, j != k} x_j.

    Before the first zero z of a slice that is rcumsum(g out)_k / x_k; at z it is
    prod_{j < z} x_j * sum_{i >= z} g_i prod_{z < j <= i} x_j; after z it is 0.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = 0) -> np.ndarray:
        out = np.cumprod(x, axis=axis)
        ctx.save_for_backward(x, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        x, out = ctx.saved_tensors
        axis = ctx.axis
        xd = G.data(x)
        zero = xd == 0
        if not zero.any():
            return _rcumsum(g * out, axis) / x
        n = xd.shape[axis]
        dt = xd.dtype
        one, nil = np.ones((), dt), np.zeros((), dt)
        first = np.where(zero.any(axis=axis, keepdims=True), np.argmax(zero, axis=axis, keepdims=True), n)
        pos = np.arange(n).reshape((-1,) + (1,) * (xd.ndim - axis - 1))
        before, at = pos < first, pos == first
        part1 = G.where(before, _rcumsum(g * out, axis) / G.where(before, x, one), nil)
        tail = _cumprod(G.where(pos <= first, one, x), axis)  # prod_{z < j <= i} x_j for i >= z
        head = _cumprod(G.where(before, x, one), axis)  # at z: prod_{j < z} x_j
        part2 = G.where(at, _rcumsum(g * tail, axis) * head, nil)
        return part1 + part2
