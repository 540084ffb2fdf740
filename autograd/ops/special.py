"""Special functions as recorded ops: lgamma, digamma, polygamma, erfc, erfinv, erfcinv, I0/I1 (plain and
scaled), entr, xlog1py. The values come from ``autograd.kernels.special_ref`` (numpy, float64, no SciPy) and
are returned in the input's float dtype; each backward rule is the next function of the family, recorded
under create_graph (so second derivatives work too).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function
from ..kernels import special_ref as R
from .elementwise_more import x_times_log

__all__ = ["Lgamma", "Digamma", "Polygamma", "Erfc", "Erfinv", "Erfcinv", "I0", "I0e", "I1", "I1e", "Entr",
           "Xlog1py"]

_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)


def _out(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    return values.astype(like.dtype, copy=False) if like.dtype != np.float64 else values


def _f64(x: np.ndarray) -> np.ndarray:
    """x as a C-contiguous float64 array (what the kernels take; no copy when it is one already)."""
    return np.asarray(x, dtype=np.float64, order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, G.Tensor)


class Lgamma(Function):
    """log |Gamma(x)|; d/dx = digamma(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _out(K.special_lgamma(_f64(x)), x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (Digamma.apply(x) if _is_tensor(x) else _out(K.special_digamma(_f64(x)), x))


class Digamma(Function):
    """psi(x) = d/dx log Gamma(x); d/dx = polygamma(1, x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _out(K.special_digamma(_f64(x)), x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (Polygamma.apply(x, n=1) if _is_tensor(x) else _out(R.polygamma(1, x), x))


class Polygamma(Function):
    """psi^(n)(x), the n-th derivative of digamma; d/dx = polygamma(n + 1, x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, n: int = 1) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.n = n
        return _out(R.polygamma(n, x), x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        n = ctx.n + 1
        return g * (Polygamma.apply(x, n=n) if _is_tensor(x) else _out(R.polygamma(n, x), x))


class Erfc(Function):
    """1 - erf(x), accurate in the tail; d/dx = -2/sqrt(pi) exp(-x**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _out(K.special_erfc(_f64(x)), x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (G.exp(-(x * x)) * (-1.0 / _HALF_SQRT_PI))


class Erfinv(Function):
    """The inverse of erf; d/dx = sqrt(pi)/2 exp(erfinv(x)**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = _out(K.special_erfinv(_f64(x)), x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (G.exp(out * out) * _HALF_SQRT_PI)


class Erfcinv(Function):
    """The inverse of erfc; d/dx = -sqrt(pi)/2 exp(erfcinv(x)**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = _out(R.erfcinv(x), x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (G.exp(out * out) * -_HALF_SQRT_PI)


class I0(Function):
    """The modified Bessel function I0(x); d/dx = I1(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _out(R.i0(x), x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (I1.apply(x) if _is_tensor(x) else _out(R.i1(x), x))


class I1(Function):
    """The modified Bessel function I1(x); d/dx = I0(x) - I1(x)/x (1/2 at 0)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = _out(R.i1(x), x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        x, out = ctx.saved_tensors
        zero = G.data(x) == 0
        safe = G.where(zero, np.ones((), G.data(x).dtype), x)
        i0 = I0.apply(x) if _is_tensor(x) else _out(R.i0(x), x)
        return g * G.where(zero, np.full((), 0.5, G.data(x).dtype), i0 - out / safe)


class I0e(Function):
    """exp(-|x|) I0(x); d/dx = I1e(x) - sign(x) I0e(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = _out(R.i0e(x), x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        x, out = ctx.saved_tensors
        i1e = I1e.apply(x) if _is_tensor(x) else _out(R.i1e(x), x)
        return g * (i1e - np.sign(G.data(x)) * out)


class I1e(Function):
    """exp(-|x|) I1(x); d/dx = I0e(x) - I1e(x) (sign(x) + 1/x) (1/2 at 0)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = _out(R.i1e(x), x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        x, out = ctx.saved_tensors
        xd = G.data(x)
        zero = xd == 0
        safe = G.where(zero, np.ones((), xd.dtype), x)
        i0e = I0e.apply(x) if _is_tensor(x) else _out(R.i0e(x), x)
        return g * G.where(zero, np.full((), 0.5, xd.dtype), i0e - out * (np.sign(xd) + 1.0 / safe))


class Entr(Function):
    """-x log x for x > 0, 0 at 0, -inf below; d/dx = -(1 + log x) (-inf at 0, as torch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0.0, -np.inf))
        return np.where(np.isnan(x), x, out).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * -(G.log(x) + 1.0)


class Xlog1py(Function):
    """x log(1 + y), 0 where x == 0 (unless y is NaN); d/dx = log1p(y), d/dy = x / (1 + y)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x, y)
        return x_times_log(x, y, np.log1p)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if nx:  # torch's rule: log1p(y) at x == 0 too (unlike xlogy's)
                gx = G.sum_to_shape(g * (y.log1p() if _is_tensor(y) else np.log1p(y)), np.shape(G.data(x)))
            if ny:
                gy = G.sum_to_shape(g * x / (1.0 + y), np.shape(G.data(y)))
        return gx, gy
