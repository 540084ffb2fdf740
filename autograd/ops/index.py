"""Indexing along an axis with torch's semantics: gather, scatter, scatter_add, masked_fill.

sort and topk pick their values with ``Gather`` (indices computed once, never differentiated), so
their gradients are gather's: the adjoint scatter-add. Arguments arrive checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function
from .scan import _along, scatter_add_along

__all__ = ["Gather", "Scatter", "ScatterAddDim", "MaskedFill"]


def _within(shape: tuple) -> tuple:
    return tuple(slice(0, n) for n in shape)


def _grow(g: Any, shape: tuple) -> Any:
    """g (shaped like an index) zero-padded at the end of each axis to ``shape`` (the src of a scatter)."""
    if tuple(g.shape) == tuple(shape):
        return g
    if isinstance(g, G.Tensor):
        from .layout import PadConstant

        return PadConstant.apply(g, widths=tuple((0, s - n) for n, s in zip(g.shape, shape)), value=0.0)
    out = np.zeros(shape, dtype=g.dtype)
    out[_within(g.shape)] = g
    return out


class Gather(Function):
    """out[..i..] = x[..index[..i..]..] along axis (out has index's shape); the gradient scatter-adds back."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: np.ndarray, axis: int = 0) -> np.ndarray:
        ctx.index, ctx.axis, ctx.shape = index, axis, x.shape
        return x[_along(index, axis)]

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return scatter_add_along(g, ctx.index, ctx.axis, ctx.shape), None


class Scatter(Function):
    """x with x[..index[..i..]..] = src[..i..] along axis (src a tensor or a number).

    d/dx = 1 except at the written positions (0 there); d/dsrc = the gradient gathered at index.
    With repeated indices the last write wins (torch leaves the choice open).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: np.ndarray, src: Any, axis: int = 0) -> np.ndarray:
        out = x.copy()
        where = _along(index, axis)
        out[where] = src[_within(index.shape)] if np.ndim(src) else src
        ctx.where, ctx.index, ctx.axis = where, index, axis
        ctx.src_shape = np.shape(src)
        written = np.zeros(x.shape, dtype=bool)
        written[where] = True
        ctx.kept = ~written
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        nx, _, ns = ctx.needs_input_grad
        gx = g * ctx.kept.astype(G.data(g).dtype) if nx else None
        gs = _grow(Gather.apply(g, ctx.index, axis=ctx.axis) if isinstance(g, G.Tensor) else g[ctx.where],
                   ctx.src_shape) if ns else None
        return gx, None, gs


class ScatterAddDim(Function):
    """x with src[..i..] added at x[..index[..i..]..] along axis (repeats accumulate);
    d/dx = 1, d/dsrc = the gradient gathered at index."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: np.ndarray, src: np.ndarray, axis: int = 0) -> np.ndarray:
        out = x.copy()
        where = _along(index, axis)
        np.add.at(out, where, src[_within(index.shape)])
        ctx.where, ctx.index, ctx.axis, ctx.src_shape = where, index, axis, src.shape
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        nx, _, ns = ctx.needs_input_grad
        gs = _grow(Gather.apply(g, ctx.index, axis=ctx.axis) if isinstance(g, G.Tensor) else g[ctx.where],
                   ctx.src_shape) if ns else None
        return (g if nx else None), None, gs


class MaskedFill(Function):
    """``value`` where mask is True, x elsewhere (mask broadcasts to x); d/dx = 1 where mask is False, else 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, mask: np.ndarray, value: float = 0.0) -> np.ndarray:
        ctx.keep = np.broadcast_to(~mask, x.shape)
        return np.where(mask, np.asarray(value, x.dtype), x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return g * ctx.keep.astype(G.data(g).dtype), None


def stable_order(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices that sort x along axis, equal values keeping their order; NaN counts as the largest (as torch)."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64)
    n = x.shape[axis]
    # a stable ascending sort of the reversed array, reversed again: descending, ties in original order
    rev = np.flip(x, axis)
    order = np.flip(np.argsort(rev, axis=axis, kind="stable"), axis)
    return (n - 1 - order).astype(np.int64)

