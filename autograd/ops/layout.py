"""Layout ops with torch's meanings: flip, roll, repeat (tile), repeat_interleave, pad, diagonal, tril/triu.

Each moves numbers around without arithmetic, so each gradient is the adjoint movement: the inverse
permutation, a sum over the copies, or zeros outside the picked entries. Arguments arrive checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function

__all__ = ["Flip", "Roll", "Repeat", "Take", "PadConstant", "PadIndex", "Diagonal", "TriMask", "pad_index"]


class Flip(Function):
    """x reversed along axes; the gradient is reversed back."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple = ()) -> np.ndarray:
        ctx.axes = axes
        return np.flip(x, axes).copy() if axes else x.copy()

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        if not ctx.axes:
            return g
        return g.flip(ctx.axes) if isinstance(g, G.Tensor) else np.flip(g, ctx.axes)


class Roll(Function):
    """x shifted cyclically by ``shifts`` along ``axes`` (flattened when axes is None); the gradient rolls back."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shifts: Any = 0, axes: Any = None) -> np.ndarray:
        ctx.shifts, ctx.axes = shifts, axes
        return np.roll(x, shifts, axes)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        if isinstance(g, G.Tensor):
            return Roll.apply(g, shifts=back, axes=ctx.axes)
        return np.roll(g, back, ctx.axes)


class Repeat(Function):
    """x tiled ``reps`` times along each axis (torch's ``repeat``); the gradient sums the copies."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, reps: tuple = ()) -> np.ndarray:
        ctx.shape, ctx.reps = x.shape, reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        shape = (1,) * (len(ctx.reps) - len(ctx.shape)) + tuple(ctx.shape)
        split = []
        for r, n in zip(ctx.reps, shape):
            split += [r, n]
        summed = g.reshape(tuple(split)).sum(axis=tuple(range(0, 2 * len(shape), 2)))
        return summed.reshape(ctx.shape)


class Take(Function):
    """x[index] for a fixed advanced index (repeat_interleave, reflect/replicate padding);
    the gradient is scattered back, repeated positions accumulating."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: tuple = ()) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return G.scatter_add(g, ctx.index, ctx.shape)


class PadConstant(Function):
    """x surrounded by ``value`` (``widths``: (before, after) per axis); the gradient is the middle of g."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, widths: tuple = (), value: float = 0.0) -> np.ndarray:
        ctx.inner = tuple(slice(b, b + n) for (b, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g[ctx.inner]


def pad_index(shape: tuple, widths: tuple, mode: str) -> tuple:
    """The open-grid index that builds a reflect- or replicate-padded copy of an array of ``shape``."""
    grids = []
    nd = len(shape)
    for axis, ((before, after), n) in enumerate(zip(widths, shape)):
        pos = np.arange(-before, n + after)
        if mode == "replicate":
            pos = np.clip(pos, 0, n - 1)
        elif n > 1:  # reflect about the edge entries, which are not repeated
            period = 2 * (n - 1)
            pos = np.abs(pos) % period
            pos = np.where(pos >= n, period - pos, pos)
        else:
            pos = np.zeros_like(pos)
        grids.append(pos.reshape((-1,) + (1,) * (nd - axis - 1)))
    return tuple(grids)


class PadIndex(Take):
    """x padded by reflecting or replicating its edges; the gradient adds the copies back onto their sources."""


class Diagonal(Function):
    """The diagonal ``offset`` of the (axis1, axis2) planes, as a new last axis (a view of x); the gradient
    fills it back."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, offset: int = 0, axis1: int = 0, axis2: int = 1) -> np.ndarray:
        out = np.diagonal(x, offset, axis1, axis2)  # a view, as torch's: in-place ops on it change x
        if x.flags.writeable:
            out.flags.writeable = True
        ctx.args = (offset, axis1, axis2)
        n = out.shape[-1]
        ctx.rows = np.arange(n) + max(-offset, 0)
        ctx.cols = np.arange(n) + max(offset, 0)
        rest = [a for a in range(x.ndim) if a not in (axis1, axis2)]
        ctx.perm = tuple(rest + [axis1, axis2])
        ctx.inverse = tuple(np.argsort(ctx.perm).tolist())
        ctx.moved = tuple(x.shape[a] for a in ctx.perm)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        filled = G.scatter_add(g, (Ellipsis, ctx.rows, ctx.cols), ctx.moved)
        return filled.transpose(ctx.inverse)


class TriMask(Function):
    """x with the entries above (tril) or below (triu) diagonal ``k`` of the last two axes set to 0;
    the gradient is masked the same way."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, k: int = 0, lower: bool = True) -> np.ndarray:
        n, m = x.shape[-2:]
        keep = np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)
        ctx.keep = keep
        return np.where(keep, x, np.zeros((), x.dtype))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g * ctx.keep.astype(G.data(g).dtype)
