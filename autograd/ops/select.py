"""Ops that pick entries: torch's ``max(dim)``/``min(dim)`` with their indices, and ``clamp`` with tensor bounds."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function
from .reduce import Max


class PickAlong(Function):
    """x at one index per row along ``axis`` (torch's ``max(dim)``/``min(dim)`` values); the gradient
    goes to the picked entries only (a one-hot mask, no split over ties)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: Any = None, axis: int = 0, keepdims: bool = False,
                kind: str = "max") -> np.ndarray:
        ctx.kind = kind
        if x.ndim == 0:
            ctx.weight = np.ones((), dtype=x.dtype)
            ctx.shape, ctx.axis, ctx.keepdims = x.shape, None, True
            return x.copy()
        out = np.take_along_axis(x, index, axis=axis)
        weight = np.zeros(x.shape, dtype=x.dtype)
        np.put_along_axis(weight, index, 1, axis=axis)
        ctx.weight = weight  # d out / d x
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return out if keepdims else np.squeeze(out, axis=axis)

    backward = Max.backward

    @staticmethod
    def torch_name(t: Any) -> str:  # torch's max(dim) / min(dim) nodes
        return "MaxBackward0" if t._ctx.kind == "max" else "MinBackward0"


def max_min_dim(x: Any, axis: int, keepdims: bool, op: str) -> tuple:
    """(values, int64 indices) of torch's ``x.max(dim)``/``x.min(dim)``: the first extreme entry per row."""
    data = x.data
    if data.ndim == 0:
        return PickAlong._apply1(x, kind=op), np.zeros((), dtype=np.int64)
    index = (np.argmax if op == "max" else np.argmin)(data, axis=axis, keepdims=True)
    values = PickAlong._apply1(x, index=index, axis=axis, keepdims=keepdims, kind=op)
    index = index.astype(np.int64, copy=False)
    return values, index if keepdims else np.squeeze(index, axis=axis)


class Clamp(Function):
    """min(max(x, lo), hi) with tensor bounds, as torch's clamp: where lo > hi the result is hi.

    d/dx = 1 where lo <= x <= hi; d/dlo = 1 where x < lo and lo < hi; d/dhi = 1 where x > hi or hi < lo.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, lo: Any = None, hi: Any = None) -> np.ndarray:
        out = x
        keep = np.ones(x.shape, dtype=bool)
        ctx.shapes = (x.shape, np.shape(lo), np.shape(hi))
        if lo is not None:
            keep = keep & (x >= lo)
            out = np.maximum(out, lo)
        if hi is not None:
            keep = keep & (x <= hi)
            out = np.minimum(out, hi)
        masks = [keep, None, None]
        if lo is not None:
            masks[1] = (x < lo) & (lo < hi) if hi is not None else x < lo
        if hi is not None:
            masks[2] = (x > hi) | (hi < lo) if lo is not None else x > hi
        ctx.masks = masks
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        zero = np.zeros((), dtype=G.data(g).dtype)
        grads = []
        for need, mask, shape in zip(ctx.needs_input_grad, ctx.masks, ctx.shapes):
            grads.append(K.sum_to_shape(G.where(mask, g, zero), shape) if need and mask is not None else None)
        return tuple(grads)
