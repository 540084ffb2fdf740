"""Binary arithmetic with numpy broadcasting; every gradient goes back through ``sum_to_shape``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function


class Add(Function):
    """a + b; d/da = 1, d/db = 1."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a + b

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        gs = g.shape  # an input of the output's shape takes g as it is (no call to undo a broadcast)
        return ((g if sa == gs else K.sum_to_shape(g, sa)) if na else None,
                (g if sb == gs else K.sum_to_shape(g, sb)) if nb else None)


class Sub(Function):
    """a - b; d/da = 1, d/db = -1."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a - b

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        return (K.sum_to_shape(g, sa) if na else None, K.sum_to_shape(-g, sb) if nb else None)


class Mul(Function):
    """a * b; d/da = b, d/db = a."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (
            K.sum_to_shape(g * b, a.shape) if na else None,
            K.sum_to_shape(g * a, b.shape) if nb else None,
        )


class Div(Function):
    """a / b; d/da = 1/b, d/db = -a/b**2 = -out/b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = a / b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        gb = g / b
        return (
            K.sum_to_shape(gb, a.shape) if na else None,
            K.sum_to_shape(-gb * out, b.shape) if nb else None,
        )


class Pow(Function):
    """a ** b; d/da = b a**(b-1) (0 where b = 0, so 0**0 too), d/db = a**b log(a) (0 where a = 0 and b >= 0).

    As torch: d/db is NaN for a < 0 (log of a negative number) and -inf for 0 to a negative power.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            bd = G.data(b)
            if bd.ndim == 0 and bd != 0:  # the common x ** c
                ga = K.sum_to_shape(g * b * a ** (b - 1), a.shape)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    da = b * a ** (b - 1)
                if (bd == 0).any():  # b a**(b-1) is 0 * inf at a = 0
                    da = G.where(bd == 0, np.zeros((), dtype=G.data(da).dtype), da)
                ga = K.sum_to_shape(g * da, a.shape)
        if nb:
            ad = G.data(a)
            zero = (ad == 0) & (G.data(b) >= 0)  # 0**b log(0) = 0 * -inf
            with np.errstate(divide="ignore", invalid="ignore"):  # log(a < 0) is NaN, as in torch
                if zero.any():
                    safe_a = G.where(zero, np.ones((), dtype=ad.dtype), a)
                    db = G.where(zero, np.zeros((), G.data(out).dtype), out * G.log(safe_a))
                else:
                    db = out * G.log(a)
            gb = K.sum_to_shape(g * db, b.shape)
        return ga, gb


class Neg(Function):
    """-a; d/da = -1."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        return -a

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return -g


class Maximum(Function):
    """max(a, b) elementwise; the gradient goes to the larger input, split evenly on ties."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        wa = (a > b) + 0.5 * (a == b)
        ctx.save_for_backward(wa.astype(np.result_type(a, b), copy=False))
        ctx.shapes = (a.shape, b.shape)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        (wa,) = ctx.saved_tensors
        wa = G.data(wa)
        sa, sb = ctx.shapes
        return K.sum_to_shape(g * wa, sa), K.sum_to_shape(g * (1 - wa), sb)


class Minimum(Function):
    """min(a, b) elementwise; the gradient goes to the smaller input, split evenly on ties."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        wa = (a < b) + 0.5 * (a == b)
        ctx.save_for_backward(wa.astype(np.result_type(a, b), copy=False))
        ctx.shapes = (a.shape, b.shape)
        return np.minimum(a, b)

    backward = Maximum.backward


class Where(Function):
    """cond ? a : b; the gradient goes to a where cond holds and to b elsewhere."""

    @staticmethod
    def forward(ctx: Context, cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.cond = cond
        ctx.shapes = (a.shape, b.shape)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        cond = ctx.cond
        sa, sb = ctx.shapes
        zero = np.zeros((), dtype=G.data(g).dtype)
        return (None, K.sum_to_shape(G.where(cond, g, zero), sa), K.sum_to_shape(G.where(cond, zero, g), sb))


def where(cond: Any, a: Any, b: Any) -> "Tensor":
    """Elementwise ``a if cond else b`` (cond is a boolean mask and gets no gradient)."""
    cond = np.asarray(G.data(cond))
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    a, b = _pair(a, b, "where")
    return Where.apply(cond, a, b)


def maximum(a: Any, b: Any) -> "Tensor":
    """Elementwise max(a, b)."""
    return Maximum.apply(*_pair(a, b, "maximum"))


def minimum(a: Any, b: Any) -> "Tensor":
    """Elementwise min(a, b)."""
    return Minimum.apply(*_pair(a, b, "minimum"))


def _pair(a: Any, b: Any, op: str) -> tuple:
    if isinstance(a, Tensor):
        return a, Tensor._lift(b, a, op)
    if isinstance(b, Tensor):
        return Tensor._lift(a, b, op), b
    a = Tensor._lift(a, None, op)
    return a, Tensor._lift(b, a, op)


from ..tensor import Tensor  # noqa: E402
