"""Normalisation ops: batch, layer and group norm, each one graph node with its derivative beside it.

All three compute xhat = (x - mean) / sqrt(var + eps) over some axes (the
biased variance, as torch does) and y = xhat w + b. When the statistics come
from x itself, the gradient is dx = invstd (gw - mean(gw) - xhat mean(gw xhat))
with gw = g w and the means over the same axes; dw = sum(g xhat), db = sum(g).
Under ``create_graph=True`` the statistics are recomputed from x as graph ops,
so second derivatives are exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function


def _stats(x: Any, axes: tuple, eps: float) -> tuple:
    """mean and 1/sqrt(var + eps) over ``axes`` (kept), for arrays and Tensors alike."""
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    return mean, 1.0 / G.sqrt(var + eps)


def _normalised_grad(gw: Any, xhat: Any, invstd: Any, axes: tuple) -> Any:
    """dL/dx of xhat = (x - mean(x)) invstd(x) given gw = dL/dxhat: invstd (gw - mean gw - xhat mean(gw xhat))."""
    return (gw - gw.mean(axis=axes, keepdims=True) - xhat * (gw * xhat).mean(axis=axes, keepdims=True)) * invstd


def _shape_label(op: str, x: np.ndarray) -> str:
    return f"{op} {tuple(int(n) for n in x.shape)}"


class BatchNorm(Function):
    """y = (x - mean) / sqrt(var + eps) w + b per channel (axis 1) of x (N, C, *).

    ``mean``, ``var``: the batch's statistics (``training=True``: the gradient
    flows through them) or the running estimates (fixed, dx = g w invstd).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray | None = None, bias: np.ndarray | None = None,
                mean: np.ndarray | None = None, var: np.ndarray | None = None, eps: float = 1e-5,
                training: bool = True) -> np.ndarray:
        n, c = x.shape[0], x.shape[1]
        x3 = x.reshape(n, c, -1)
        mean = np.asarray(mean, dtype=x.dtype)
        invstd = 1.0 / np.sqrt(np.asarray(var, dtype=x.dtype) + x.dtype.type(eps))
        y = K.batch_norm_apply(x3, mean, invstd, weight, bias)
        ctx.save_for_backward(x, weight)
        ctx.mean, ctx.invstd, ctx.eps, ctx.training = mean, invstd, eps, training
        ctx.label = _shape_label("BatchNorm", x)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, weight = ctx.saved_tensors
        shape = x.shape
        x3 = x.reshape((shape[0], shape[1], -1))
        g3 = g.reshape(x3.shape)
        mean, invstd = ctx.mean, ctx.invstd
        if ctx.training and isinstance(g, G.Tensor):  # create_graph: the statistics as graph ops of x
            mean, invstd = _stats(x3, (0, 2), ctx.eps)
            mean, invstd = mean.reshape((-1,)), invstd.reshape((-1,))
        needs = ctx.needs_input_grad
        dx, dw, db = K.batch_norm_backward(g3, x3, mean, invstd, weight, ctx.training,
                                           (needs[0], len(needs) > 1 and needs[1], len(needs) > 2 and needs[2]))
        return (dx.reshape(shape) if dx is not None else None), dw, db


class LayerNorm(Function):
    """y = (x - mean) / sqrt(var + eps) w + b, the statistics over the last ``ndim`` axes of each sample."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray | None = None, bias: np.ndarray | None = None,
                ndim: int = 1, eps: float = 1e-5) -> np.ndarray:
        m = int(np.prod(x.shape[x.ndim - ndim :], dtype=np.int64))
        x2 = x.reshape(-1, m)
        mean, invstd = _stats(x2, (1,), x.dtype.type(eps))
        y = (x2 - mean) * invstd
        if weight is not None:
            y *= weight.reshape(1, m)
        if bias is not None:
            y += bias.reshape(1, m)
        ctx.save_for_backward(x, weight)
        ctx.mean, ctx.invstd, ctx.eps, ctx.m = mean, invstd, eps, m
        ctx.wshape = x.shape[x.ndim - ndim :]
        ctx.label = _shape_label("LayerNorm", x)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, weight = ctx.saved_tensors
        m = ctx.m
        x2 = x.reshape((-1, m))
        g2 = g.reshape((-1, m))
        mean, invstd = (ctx.mean, ctx.invstd) if not isinstance(g, G.Tensor) else _stats(x2, (1,), ctx.eps)
        xhat = (x2 - mean) * invstd
        needs = ctx.needs_input_grad
        dx = dw = db = None
        if needs[0]:
            gw = g2 if weight is None else g2 * weight.reshape((1, m))
            dx = _normalised_grad(gw, xhat, invstd, (1,)).reshape(x.shape)
        if len(needs) > 1 and needs[1]:
            dw = (g2 * xhat).sum(axis=0).reshape(ctx.wshape)
        if len(needs) > 2 and needs[2]:
            db = g2.sum(axis=0).reshape(ctx.wshape)
        return dx, dw, db


class GroupNorm(Function):
    """x (N, C, *) with its C channels split into ``groups``: statistics per sample and group, then w, b per channel."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray | None = None, bias: np.ndarray | None = None,
                groups: int = 1, eps: float = 1e-5) -> np.ndarray:
        n, c = x.shape[0], x.shape[1]
        xg = x.reshape(n, groups, -1)
        mean, invstd = _stats(xg, (2,), x.dtype.type(eps))
        y = ((xg - mean) * invstd).reshape(n, c, -1)
        if weight is not None:
            y *= weight.reshape(1, c, 1)
        if bias is not None:
            y += bias.reshape(1, c, 1)
        ctx.save_for_backward(x, weight)
        ctx.mean, ctx.invstd, ctx.eps, ctx.groups = mean, invstd, eps, groups
        ctx.label = _shape_label("GroupNorm", x)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, weight = ctx.saved_tensors
        n, c = x.shape[0], x.shape[1]
        xg = x.reshape((n, ctx.groups, -1))
        mean, invstd = (ctx.mean, ctx.invstd) if not isinstance(g, G.Tensor) else _stats(xg, (2,), ctx.eps)
        xhat = ((xg - mean) * invstd).reshape((n, c, -1))
        g3 = g.reshape((n, c, -1))
        needs = ctx.needs_input_grad
        dx = dw = db = None
        if needs[0]:
            gw = g3 if weight is None else g3 * weight.reshape((1, c, 1))
            dx = _normalised_grad(gw.reshape(xg.shape), xhat.reshape(xg.shape), invstd, (2,)).reshape(x.shape)
        if len(needs) > 1 and needs[1]:
            dw = (g3 * xhat).sum(axis=(0, 2))
        if len(needs) > 2 and needs[2]:
            db = g3.sum(axis=(0, 2))
        return dx, dw, db


__all__ = ["BatchNorm", "LayerNorm", "GroupNorm"]
