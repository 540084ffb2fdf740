"""Matrix products: ``a @ b`` with numpy's rules, and the fused linear layer ``x @ W.T + b``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function


def _mT(x: Any) -> Any:
    return x.swapaxes(-1, -2)


class MatMul(Function):
    """out = a @ b; dL/da = g @ b^T, dL/db = a^T @ g (summed over broadcast batch axes).

    1-D operands follow numpy: a vector on the left is a row (1, k), on the
    right a column (k, 1), and the added axis is dropped from the result.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"MatMul: operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}; use * for scalars"
            )
        ctx.save_for_backward(a, b)
        return K.matmul(a, b)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        a_shape, b_shape = a.shape, b.shape
        if len(a_shape) == 1:
            a = a.reshape((1,) + a_shape)
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:]) if len(b_shape) > 1 else g.reshape(g.shape + (1,))
        if len(b_shape) == 1:
            b = b.reshape(b_shape + (1,))
            g = g.reshape(g.shape + (1,))
        ga = gb = None
        if na:
            ga = K.sum_to_shape(g @ _mT(b), a.shape).reshape(a_shape)
        if nb:
            gb = K.sum_to_shape(_mT(a) @ g, b.shape).reshape(b_shape)
        return ga, gb


class Linear(Function):
    """out = x @ W^T + b (W of shape (out, in)); dL/dx = g @ W, dL/dW = g^T x, dL/db = sum of g over rows."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear: input of shape {x.shape} needs its last axis equal to the weight's in_features; "
                f"weight has shape {weight.shape} (out_features, in_features)"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ValueError(f"linear: bias of shape {bias.shape} should have shape ({weight.shape[0]},)")
        ctx.save_for_backward(x, weight)
        return K.linear(x, weight, bias)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, w = ctx.saved_tensors
        nx, nw, nb = (ctx.needs_input_grad + (False,))[:3]
        g2 = g.reshape((-1, g.shape[-1])) if len(g.shape) != 2 else g
        gx = g @ w if nx else None
        gw = gb = None
        if nw:
            x2 = x.reshape((-1, x.shape[-1])) if len(x.shape) != 2 else x
            gw = _mT(g2) @ x2
        if nb:
            gb = g2.sum(axis=0)
        return gx, gw, gb


def linear(x: Any, weight: Any, bias: Any = None) -> "Tensor":
    """x @ weight.T + bias, one recorded op (weight has shape (out_features, in_features))."""
    if bias is None:
        return Linear.apply(x, weight)
    return Linear.apply(x, weight, bias)


__all__ = ["MatMul", "Linear", "linear", "G"]
