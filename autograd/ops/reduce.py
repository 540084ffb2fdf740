"""Reductions over axes (int, tuple or None, with keepdims) and the softmax family."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function

Axis = int | tuple | None


def _count(shape: tuple, axis: Axis) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _spread(g: Any, shape: tuple, axis: Axis, keepdims: bool) -> Any:
    """The gradient of a reduction, broadcast back over the reduced axes."""
    return G.broadcast_to(G.unsqueeze_reduced(g, shape, axis, keepdims), shape)


class Sum(Function):
    """sum over axis; d/dx_i = 1."""

    @staticmethod
    def torch_name(t: Any) -> str:
        return "SumBackward0" if t._ctx.axis is None else "SumBackward1"  # torch's: sum() and sum(dim)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        out = x.sum(axis=axis, keepdims=keepdims)
        return out if out.dtype.kind != "u" else out.astype(np.int64)  # unsigned sums are int64, as torch

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return _spread(g, ctx.shape, ctx.axis, ctx.keepdims)


class Mean(Function):
    """mean over axis; d/dx_i = 1/n."""

    @staticmethod
    def torch_name(t: Any) -> str:
        return "MeanBackward0" if t._ctx.axis is None else "MeanBackward1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        ctx.n = _count(x.shape, axis)
        return x.mean(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return _spread(g * (1.0 / ctx.n) if ctx.n else g, ctx.shape, ctx.axis, ctx.keepdims)


class Max(Function):
    """max over axis; the gradient goes to the maximal entries, split evenly on ties."""

    @staticmethod
    def torch_name(t: Any) -> str:  # torch's max() is MaxBackward1, max(dim) MaxBackward0
        return f"{t._op.__name__}Backward{1 if t._ctx.axis is None else 0}"

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False, _fn: Any = np.max
    ) -> np.ndarray:
        out = _fn(x, axis=axis, keepdims=True)
        hit = x == out
        weight = hit / hit.sum(axis=axis, keepdims=True)
        ctx.weight = weight.astype(x.dtype, copy=False)
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return out if keepdims else (out.reshape(()) if axis is None else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return G.unsqueeze_reduced(g, ctx.shape, ctx.axis, ctx.keepdims) * ctx.weight


class Min(Max):
    """min over axis; the gradient goes to the minimal entries, split evenly on ties."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        return Max.forward(ctx, x, axis, keepdims, _fn=np.min)


class LogSumExp(Function):
    """log(sum(e**x)) computed as m + log(sum(e**(x - m))); d/dx = softmax(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        s = np.sum(np.exp(x - m), axis=axis, keepdims=True)
        out = np.log(s) + m
        ctx.save_for_backward(x)
        # softmax(x) = e**(x - m) / s: exact even where m + log(s) rounds back to m (|x| ~ 1e30, or 1e3 in float32)
        ctx.m, ctx.s = m, s
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return out if keepdims else (out.reshape(()) if axis is None else np.squeeze(out, axis=axis))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        g = G.unsqueeze_reduced(g, ctx.shape, ctx.axis, ctx.keepdims)
        if isinstance(x, np.ndarray):
            return g * (np.exp(x - ctx.m) / ctx.s)
        # recorded path: softmax recomputed from x (the shift m is a constant) so it can be differentiated again
        e = G.exp(x - ctx.m)
        return g * (e / e.sum(axis=ctx.axis, keepdims=True))


class Softmax(Function):
    """s = e**x / sum(e**x) along axis; dL/dx = s (g - sum(g s))."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = -1) -> np.ndarray:
        out = K.softmax(x, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return K.softmax_backward(g, out, ctx.axis)


class LogSoftmax(Function):
    """x - logsumexp(x) along axis; dL/dx = g - softmax(x) sum(g)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = -1) -> np.ndarray:
        out = K.log_softmax(x, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return K.log_softmax_backward(g, out, ctx.axis)
