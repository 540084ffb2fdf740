"""Rounded division and remainders with torch's meanings (arguments arrive checked and broadcastable).

floor division and ``div(rounding_mode="trunc")`` are piecewise constant: their derivative is 0 (as torch's
``div`` with a rounding mode). ``remainder`` (sign of the divisor, Python's ``%``) and ``fmod`` (sign of the
dividend, C's ``fmod``) are a - q b with q floor(a/b) or trunc(a/b): d/da = 1, d/db = -q.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function

__all__ = ["FloorDiv", "TruncDiv", "Remainder", "Fmod"]


def _check_int_zero(a: np.ndarray, b: np.ndarray, op: str) -> None:
    if b.dtype.kind in "iub" and a.dtype.kind in "iub" and not np.all(b):
        raise ZeroDivisionError(
            f"{op}: integer division by zero (the divisor of shape {b.shape} holds 0); "
            "divide floats (.double()) to get inf/nan instead"
        )


class _Rounded(Function):
    """A quotient rounded to a whole number: d/da = d/db = 0."""

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        zero = g * np.zeros((), G.data(g).dtype)
        return (K.sum_to_shape(zero, sa) if na else None, K.sum_to_shape(zero, sb) if nb else None)


class FloorDiv(_Rounded):
    """floor(a / b) (torch's floor_divide, ``//``); d/da = d/db = 0."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_zero(a, b, "floor_divide")
        ctx.shapes = (a.shape, b.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.floor_divide(a, b)


class TruncDiv(_Rounded):
    """trunc(a / b), rounded towards 0 (``div(rounding_mode="trunc")``); d/da = d/db = 0."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_zero(a, b, "div")
        ctx.shapes = (a.shape, b.shape)
        if a.dtype.kind in "iub" and b.dtype.kind in "iub":
            q = np.floor_divide(a, b)  # exact for ints: step floor back up where the signs differ and it is inexact
            return q + ((q < 0) & (q * b != a)).astype(q.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.trunc(a / b)


class _Rest(Function):
    """a - q b for a rounded quotient q; d/da = 1, d/db = -q."""

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        ga = K.sum_to_shape(g, sa) if na else None
        gb = K.sum_to_shape(-g * ctx.q.astype(G.data(g).dtype), sb) if nb else None
        return ga, gb


class Remainder(_Rest):
    """a - floor(a / b) b, with the sign of b (Python's ``%``, torch's remainder); d/da = 1, d/db = -floor(a/b)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_zero(a, b, "remainder")
        ctx.shapes = (a.shape, b.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            if np.result_type(a, b).kind == "f":
                ctx.q = np.floor(a / b)
            return np.remainder(a, b)


class Fmod(_Rest):
    """a - trunc(a / b) b, with the sign of a (C's fmod); d/da = 1, d/db = -trunc(a/b)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_zero(a, b, "fmod")
        ctx.shapes = (a.shape, b.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            if np.result_type(a, b).kind == "f":
                ctx.q = np.trunc(a / b)
            return np.fmod(a, b)
