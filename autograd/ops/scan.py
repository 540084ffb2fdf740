"""Products, cumulative ops (cumsum, cummax/cummin, logcumsumexp) and vector norms, torch's way.

Axes arrive already checked and normalised (non-negative ints, a sorted tuple, or None for all).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function
from . import _torchargs as A

__all__ = ["Prod", "Cumsum", "CumExtreme", "cum_extreme_index", "LogCumSumExp", "Norm", "scatter_add_along"]


def _rcumsum(g: Any, axis: int) -> Any:
    """Sum of g from each position to the end of ``axis`` (the adjoint of cumsum)."""
    if isinstance(g, G.Tensor):
        return g.flip(axis).cumsum(axis).flip(axis)
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def scatter_add_along(g: Any, index: np.ndarray, axis: int, shape: tuple) -> Any:
    """zeros(shape) with g[...] added at position index[...] along ``axis`` (repeats accumulate)."""
    if isinstance(g, G.Tensor):
        from .index import ScatterAddDim

        return ScatterAddDim.apply(G.Tensor._make(np.zeros(shape, g.dtype)), index, g, axis=axis)
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, _along(index, axis), g)
    return out


def _along(index: np.ndarray, axis: int) -> tuple:
    """The full index tuple that picks ``index[...]`` along ``axis`` and the same position elsewhere."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[axis] = index
    return tuple(grids)


class Prod(Function):
    """product over axes; d/dx_i = product of the others (right with zeros: one zero, two or more)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple | None = None, keepdim: bool = False) -> np.ndarray:
        zero = x == 0
        ctx.zero = zero
        ctx.zeros = zero.sum(axis=axes, keepdims=True)
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        ctx.save_for_backward(x)
        out = np.prod(x, axis=axes, keepdims=True)
        if out.dtype.kind == "u":  # unsigned products are int64, as torch
            out = out.astype(np.int64)
        return A.squeeze_dims(out, axes, keepdim)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        g = A.unsqueeze_grad(g, ctx.shape, ctx.axes, ctx.keepdim)
        if isinstance(x, G.Tensor):
            return g * _prod_of_others(x, ctx.axes)
        # d/dx_i = prod_{j != i} x_j = (product of the nonzero x_j) / x_i with no zero in the slice,
        # that product at the zero with exactly one zero, and 0 everywhere else.
        one = np.ones((), x.dtype)
        safe = np.where(ctx.zero, one, x)
        nonzero = np.prod(safe, axis=ctx.axes, keepdims=True)
        none_zero = np.broadcast_to(ctx.zeros == 0, ctx.shape)
        the_zero = ctx.zero & (ctx.zeros == 1)
        return g * np.where(none_zero, nonzero / safe, np.where(the_zero, nonzero, 0))


def _prod_of_others(x: Any, axes: tuple | None) -> Any:
    """prod_{j != i} x_j over the reduced axes, for every i, as recorded ops (for create_graph).

    Each entry's product is taken with that entry replaced by 1 (an n x n mask per slice), so it is
    exact with any number of zeros and can itself be differentiated.
    """
    nd = len(x.shape)
    red = tuple(range(nd)) if axes is None else axes
    keep = tuple(a for a in range(nd) if a not in red)
    perm = keep + red
    xt = x.permute(perm) if perm != tuple(range(nd)) else x
    moved = tuple(x.shape[a] for a in perm)
    lead = moved[: len(keep)]
    n = int(np.prod(moved[len(keep):], dtype=np.int64))
    flat = xt.reshape(lead + (1, n))
    eye = np.eye(n, dtype=bool)
    others = G.where(eye, np.ones((), x.dtype), flat.broadcast_to(lead + (n, n)))
    local = Prod.apply(others, axes=(len(lead) + 1,), keepdim=False).reshape(moved)
    return local.permute(tuple(np.argsort(perm).tolist())) if perm != tuple(range(nd)) else local


class Cumsum(Function):
    """out_i = sum of x_j for j <= i along axis; dL/dx_j = sum of g_i for i >= j."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = 0) -> np.ndarray:
        ctx.axis = axis
        return np.cumsum(x, axis=axis, dtype=np.int64 if x.dtype.kind in "bu" else None)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return _rcumsum(g, ctx.axis)


def cum_extreme_index(x: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """For each position, the index along ``axis`` of the running max (or min) so far; ties take the
    latest index and a NaN, once seen, stays the extreme (as torch's cummax/cummin)."""
    moved = np.moveaxis(x, axis, -1)
    n = moved.shape[-1]
    if n == 0:
        return np.moveaxis(np.zeros(moved.shape, np.int64), -1, axis)
    run = (np.maximum if largest else np.minimum).accumulate(moved, axis=-1)
    hit = (moved == run) | (np.isnan(moved) if moved.dtype.kind == "f" else False)
    pos = np.where(hit, np.arange(n), -1)
    return np.moveaxis(np.maximum.accumulate(pos, axis=-1).astype(np.int64), -1, axis)


class CumExtreme(Function):
    """running max (or min) along axis, picked at ``index`` (from ``cum_extreme_index``);
    its gradient goes to the entry each running value came from."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: np.ndarray, axis: int = 0) -> np.ndarray:
        ctx.index, ctx.axis, ctx.shape = index, axis, x.shape
        return np.take_along_axis(x, index, axis=axis)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return scatter_add_along(g, ctx.index, ctx.axis, ctx.shape), None


class LogCumSumExp(Function):
    """out_i = log sum_{j <= i} e**x_j along axis; dL/dx_j = sum_{i >= j} g_i e**(x_j - out_i)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = 0) -> np.ndarray:
        out = np.logaddexp.accumulate(x, axis=axis) if x.shape[axis] else x.copy()
        ctx.save_for_backward(x, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        x, out = ctx.saved_tensors
        axis = ctx.axis
        if isinstance(g, G.Tensor) or isinstance(x, G.Tensor):  # recorded: the plain formula
            return G.exp(x) * _rcumsum(g * G.exp(-out), axis)
        # stable: split g by sign and add up in the log domain (no e**x overflow, no cancellation)
        with np.errstate(divide="ignore"):
            lp = np.log(np.maximum(g, 0)) - out
            ln = np.log(np.maximum(-g, 0)) - out
        rev = lambda a: np.flip(np.logaddexp.accumulate(np.flip(a, axis), axis=axis), axis)  # noqa: E731
        return np.exp(x + rev(lp)) - np.exp(x + rev(ln))


class Norm(Function):
    """vector p-norm over axes, (sum |x|**p)**(1/p); d/dx = sign(x) |x|**(p-1) / norm**(p-1).

    p=inf: max |x|, the gradient split evenly over the entries that reach it; p=-inf: min |x|;
    p=0: the count of nonzeros (derivative 0). Where the norm is 0 the derivative is 0, as torch.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, p: float = 2.0, axes: tuple | None = None,
                keepdim: bool = False) -> np.ndarray:
        ax = np.abs(x)
        if p == np.inf or p == -np.inf:
            out = (np.max if p > 0 else np.min)(ax, axis=axes, keepdims=True) if x.size else np.zeros(
                np.sum(ax, axis=axes, keepdims=True).shape, x.dtype)
        elif p == 0:
            out = np.sum(x != 0, axis=axes, keepdims=True).astype(x.dtype)
        elif p == 1:
            out = np.sum(ax, axis=axes, keepdims=True)
        elif p == 2:
            out = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        else:
            out = np.sum(ax**p, axis=axes, keepdims=True) ** (1.0 / p)
        ctx.save_for_backward(x, out)
        ctx.p, ctx.axes, ctx.keepdim, ctx.shape = p, axes, keepdim, x.shape
        return A.squeeze_dims(out, axes, keepdim)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        x, out = ctx.saved_tensors
        p = ctx.p
        if isinstance(x, G.Tensor):  # recorded: the norm (kept with its axes) as a node of x, not a constant
            out = Norm.apply(x, p=p, axes=ctx.axes, keepdim=True)
        xd, od = G.data(x), G.data(out)
        dt = xd.dtype
        g = A.unsqueeze_grad(g, ctx.shape, ctx.axes, ctx.keepdim)
        sign = np.sign(xd)
        zero = np.zeros((), dt)
        if p == 0:
            return g * np.zeros(ctx.shape, dt)
        if p == 1:
            return g * sign
        if p == np.inf or p == -np.inf:
            hit = (np.abs(xd) == od) & (od != 0)
            weight = (hit / np.maximum(hit.sum(axis=ctx.axes, keepdims=True), 1)).astype(dt) * sign
            return g * weight
        safe = G.where(od == 0, np.ones((), dt), out)
        if p == 2:
            return g * G.where(np.broadcast_to(od == 0, ctx.shape), zero, x / safe)
        ax = abs(x)
        keep = (xd != 0) & (od != 0)
        ax_safe = G.where(keep, ax, np.ones((), dt))
        local = (ax_safe / safe) ** (p - 1) * sign
        return g * G.where(keep, local, zero)
