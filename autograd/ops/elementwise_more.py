"""Further elementwise maths with torch's names: log1p, expm1, acosh, atanh, logit, xlogy, atan2, hypot,
nan_to_num. Backward rules use operators and ``G`` helpers, so they are recorded under create_graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function

__all__ = ["Log1p", "Expm1", "Acosh", "Atanh", "Logit", "Xlogy", "Atan2", "Hypot", "NanToNum"]


class Log1p(Function):
    """log(1 + x), accurate near 0; d/dx = 1/(1 + x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (1 + x)


class Expm1(Function):
    """e**x - 1, accurate near 0; d/dx = e**x = out + 1."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.expm1(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Acosh(Function):
    """arccosh x (NaN below 1); d/dx = 1/sqrt(x**2 - 1)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arccosh(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / G.sqrt(x * x - 1)


class Atanh(Function):
    """arctanh x (NaN outside [-1, 1]); d/dx = 1/(1 - x**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arctanh(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (1 - x * x)


class Logit(Function):
    """log(z / (1 - z)) with z = clip(x, eps, 1 - eps) when eps is given; d/dx = 1/(z (1 - z)) (0 where clipped)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, eps: float | None = None) -> np.ndarray:
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        ctx.save_for_backward(x)
        ctx.eps = eps
        ctx.inside = None if eps is None else (x >= eps) & (x <= 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        if ctx.inside is None:
            return g / (x * (1 - x))
        dt = G.data(x).dtype
        z = G.where(ctx.inside, x, np.asarray(0.5, dt))
        return G.where(ctx.inside, g / (z * (1 - z)), np.zeros((), dt))


def x_times_log(x: np.ndarray, y: np.ndarray, log: Any) -> np.ndarray:
    """x log(y) with ``log`` (np.log, np.log1p), and 0 where x == 0 unless y is NaN: xlogy's and xlog1py's forward."""
    zero = (x == 0) & ~np.isnan(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(zero, np.zeros((), np.result_type(x, y)), x * log(y))


class Xlogy(Function):
    """x log(y), and 0 where x == 0 (unless y is NaN); d/dx = log y, d/dy = x / y."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x, y)
        return x_times_log(x, y, np.log)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = gy = None
        if nx:  # torch (2.x): g log(y), also where x == 0
            with np.errstate(divide="ignore", invalid="ignore"):
                gx = K.sum_to_shape(g * G.log(y), np.shape(G.data(x)))
        if ny:
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = K.sum_to_shape(g * x / y, np.shape(G.data(y)))
        return gx, gy


class Atan2(Function):
    """atan2(a, b), the angle of the point (b, a); d/da = b/(a**2 + b**2), d/db = -a/(a**2 + b**2)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            r = g / (a * a + b * b)
        ga = K.sum_to_shape(r * b, np.shape(G.data(a))) if na else None
        gb = K.sum_to_shape(-(r * a), np.shape(G.data(b))) if nb else None
        return ga, gb


class Hypot(Function):
    """sqrt(a**2 + b**2) without overflow; d/da = a/out, d/db = b/out."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            r = g / out
        ga = K.sum_to_shape(r * a, np.shape(G.data(a))) if na else None
        gb = K.sum_to_shape(r * b, np.shape(G.data(b))) if nb else None
        return ga, gb


class NanToNum(Function):
    """x with NaN, +inf and -inf replaced by numbers; d/dx = 1 where x was finite, 0 where replaced."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, nan: float = 0.0, posinf: float | None = None,
                neginf: float | None = None) -> np.ndarray:
        ctx.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g * ctx.finite.astype(G.data(g).dtype)
