"""Movement ops: they rearrange numbers, so each gradient is the inverse rearrangement."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function


class Clone(Function):
    """A copy of x with its own memory; the gradient passes through unchanged."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x.copy()

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g


class Reshape(Function):
    """x viewed with a new shape; the gradient is reshaped back."""

    @staticmethod
    def torch_name(t: Any) -> str:  # view, reshape, flatten (and, in torch's own names, [un]squeeze)
        return "ViewBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple = ()) -> np.ndarray:
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g.reshape(ctx.shape)


class Transpose(Function):
    """Axes permuted; the gradient is permuted back with the inverse permutation."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple | None = None) -> np.ndarray:
        axes = tuple(range(x.ndim))[::-1] if axes is None else axes
        out = x.transpose(axes)
        ctx.inverse = tuple(np.argsort([a % x.ndim for a in axes]).tolist())
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g.transpose(ctx.inverse)


class BroadcastTo(Function):
    """x broadcast to a larger shape; the gradient is summed back."""

    @staticmethod
    def torch_name(t: Any) -> str:
        return "ExpandBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple = ()) -> np.ndarray:
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return K.sum_to_shape(g, ctx.shape)


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


class GetItem(Function):
    """x[index]; the gradient is scattered back, repeated indices accumulating."""

    @staticmethod
    def torch_name(t: Any) -> str:
        """torch's node for x[index]: that of the last step that is not a full slice (Select for an int, Slice,
        Unsqueeze for None), IndexBackward0 for integer-array or boolean indices, AliasBackward0 for x[...]."""
        index = t._ctx.index if type(t._ctx.index) is tuple else (t._ctx.index,)
        if not t._ctx.basic:
            return "IndexBackward0"
        steps = [i for i in index if not (i is Ellipsis or (isinstance(i, slice) and i == slice(None)))]
        if not steps:
            return "SliceBackward0" if index == (slice(None),) else "AliasBackward0"
        last = steps[-1]
        return "UnsqueezeBackward0" if last is None else "SliceBackward0" if isinstance(last, slice) else \
            "SelectBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: Any = ()) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, index
        ctx.basic = _is_basic(index)
        try:
            out = x[index]
        except IndexError as exc:
            raise IndexError(f"getitem: index {index!r:.80} does not fit a tensor of shape {x.shape}: {exc}") from None
        if type(out) is not np.ndarray and ctx.basic:  # x[i, j] of every axis: a 0-d view, as torch's, not a copy
            out = x[(index if type(index) is tuple else (index,)) + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        if ctx.basic and isinstance(g, np.ndarray):
            out = np.zeros(ctx.shape, dtype=g.dtype)
            out[ctx.index] = g
            return out
        return G.scatter_add(g, ctx.index, ctx.shape)


class ScatterAdd(Function):
    """zeros(shape) with g added at index; the adjoint of ``x[index]``, whose gradient is ``g[index]``."""

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, index: Any = (), shape: tuple = ()) -> np.ndarray:
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g[ctx.index]


def scatter_add(g: Any, index: Any, shape: tuple) -> Any:
    return ScatterAdd.apply(g, index=index, shape=shape)


class Concatenate(Function):
    """Tensors joined along an existing axis; the gradient is cut back into pieces."""

    @staticmethod
    def torch_name(t: Any) -> str:
        return "CatBackward0"

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, axis: int = 0) -> np.ndarray:
        out = np.concatenate(xs, axis=axis)
        ctx.axis = axis % out.ndim
        ctx.bounds = np.cumsum([0] + [x.shape[ctx.axis] for x in xs]).tolist()
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        lead = (slice(None),) * ctx.axis
        b = ctx.bounds
        return tuple(g[lead + (slice(b[i], b[i + 1]),)] for i in range(len(b) - 1))


class Stack(Function):
    """Tensors joined along a new axis; the gradient is indexed back out."""

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, axis: int = 0) -> np.ndarray:
        out = np.stack(xs, axis=axis)
        ctx.axis = axis % out.ndim
        ctx.n = len(xs)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        lead = (slice(None),) * ctx.axis
        return tuple(g[lead + (i,)] for i in range(ctx.n))
