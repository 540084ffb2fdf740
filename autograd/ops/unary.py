"""Elementwise maths and activations; backward rules reuse the saved output where it is cheaper."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function
from ..value import (  # the same constants scalar mode uses
    _GELU_K,
    _INV_SQRT_2PI,
    _SQRT_2_OVER_PI,
    _SQRT_HALF,
    _TWO_OVER_SQRT_PI,
)


class Exp(Function):
    """e**x; d/dx = e**x (the output)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    """ln x; d/dx = 1/x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    """sqrt(x); d/dx = 1 / (2 sqrt(x))."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Abs(Function):
    """|x|; d/dx = sign(x) (0 at 0)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (sign,) = ctx.saved_tensors
        return g * G.data(sign)


class Tanh(Function):
    """tanh(x); d/dx = 1 - tanh(x)**2."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = K.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return K.tanh_backward(g, out)


class Sigmoid(Function):
    """s = 1 / (1 + e**-x); d/dx = s (1 - s)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = K.sigmoid(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return K.sigmoid_backward(g, out)


class Relu(Function):
    """max(x, 0); d/dx = 1 where x > 0 else 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.saved = (x,)  # save_for_backward(x), written out
        return K.relu(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return K.relu_backward(g, x)


class LeakyRelu(Function):
    """x if x > 0 else slope * x; d/dx = 1 or slope."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, slope: float = 0.01) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.slope = slope
        return K.leaky_relu(x, slope)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return K.leaky_relu_backward(g, x, ctx.slope)


class Elu(Function):
    """x if x > 0 else alpha (e**x - 1); d/dx = 1 or out + alpha."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        out = K.elu(x, alpha)
        ctx.save_for_backward(x, out)
        ctx.alpha = alpha
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        x, out = ctx.saved_tensors
        return K.elu_backward(g, x, out, ctx.alpha)


class Softplus(Function):
    """log(1 + e**x), computed stably; d/dx = sigmoid(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * sigmoid(x)


class LogSigmoid(Function):
    """log(sigmoid(x)) = -softplus(-x), computed stably; d/dx = 1 - sigmoid(x) = sigmoid(-x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * sigmoid(-x)


class Sin(Function):
    """sin x; d/dx = cos x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * G.cos(x)


class Cos(Function):
    """cos x; d/dx = -sin x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -(g * G.sin(x))


class Erf(Function):
    """erf x = 2/sqrt(pi) * integral of e**(-t**2) from 0 to x; d/dx = 2/sqrt(pi) e**(-x**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (G.exp(-(x * x)) * _TWO_OVER_SQRT_PI)


class Silu(Function):
    """x sigmoid(x) (SiLU, swish); d/dx = s (1 + x (1 - s)), s = sigmoid(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x * K.sigmoid(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        s = sigmoid(x)
        return g * (s * (1 + x * (1 - s)))


class Gelu(Function):
    """x Phi(x), Phi the standard normal CDF; d/dx = Phi(x) + x phi(x), phi its density.

    ``approximate="tanh"``: 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x**3), as torch's
    ``gelu(approximate="tanh")``; d/dx = 0.5 (1 + t) + 0.5 x (1 - t**2) sqrt(2/pi) (1 + 3 0.044715 x**2).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, approximate: str = "none") -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + _GELU_K * (x * x * x))))
        return 0.5 * x * (1 + erf_array(x * _SQRT_HALF))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = G.tanh(_SQRT_2_OVER_PI * (x + _GELU_K * (x * x * x)))
            return g * (0.5 * (1 + t) + (0.5 * _SQRT_2_OVER_PI) * x * (1 - t * t) * (1 + (3 * _GELU_K) * (x * x)))
        cdf = 0.5 * (1 + G.erf(x * _SQRT_HALF))
        pdf = G.exp(-0.5 * (x * x)) * _INV_SQRT_2PI
        return g * (cdf + x * pdf)


_scipy_erf: Any = None


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf of every element, in x's float dtype: SciPy's ufunc when SciPy is installed, else ``math.erf``
    element by element (numpy has no erf; both are correctly rounded to within an ulp)."""
    global _scipy_erf
    x = np.asarray(x)  # numpy scalars too (what a 0-d array's arithmetic gives)
    if _scipy_erf is None:
        try:  # imported on first use: SciPy is optional and slow to import
            from scipy.special import erf as found
        except ImportError:
            found = False
        _scipy_erf = found
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    if _scipy_erf:
        return np.asarray(_scipy_erf(x), dtype=dtype)
    return np.asarray(_ERF_PY(x), dtype=dtype)


_ERF_PY = np.frompyfunc(math.erf, 1, 1)


class Step(Function):
    """Binary threshold: 1 where x >= 0 else 0; derivative 0 everywhere (no gradient passes)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.shape, ctx.dtype = x.shape, x.dtype
        return (x >= 0).astype(x.dtype)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g * np.zeros(ctx.shape, ctx.dtype)


class Clip(Function):
    """min(max(x, lo), hi); d/dx = 1 where lo <= x <= hi, else 0."""

    @staticmethod
    def torch_name(t: Any) -> str:  # clamp/clip with numbers
        return "ClampBackward1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, lo: float | None = None, hi: float | None = None) -> np.ndarray:
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        ctx.inside = inside
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g * ctx.inside


class Cast(Function):
    """x converted to another float dtype; the gradient is converted back."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dtype: Any = np.float64) -> np.ndarray:
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g.astype(ctx.dtype) if isinstance(g, np.ndarray) else g.astype(ctx.dtype)


def sigmoid(x: Any) -> Any:
    """Sigmoid of an ndarray (backend kernel) or of a Tensor (recorded op)."""
    return K.sigmoid(x) if isinstance(x, np.ndarray) else Sigmoid.apply(x)
