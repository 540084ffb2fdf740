"""More elementwise maths (torch's names): trig and hyperbolic functions, logs and powers of 2 and 10,
rounding (derivative 0), sign tests, two-input ops (copysign, logaddexp, lerp) and the piecewise
activations (celu, selu, softsign, hard*, relu6) and softplus with torch's beta/threshold.

Every backward is written with operators and ``_call`` so that under ``create_graph=True`` (where
the saved arrays come back as Tensors) the rule is itself recorded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function

__all__ = [
    "Rsqrt", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Log2", "Log10", "Exp2",
    "Sign", "Floor", "Ceil", "Round", "Trunc", "Copysign", "LogAddExp", "Lerp",
    "Celu", "Selu", "Softsign", "Hardsigmoid", "Hardswish", "Hardtanh", "SoftplusBeta",
    "SELU_ALPHA", "SELU_SCALE",
]

_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _call(x: Any, name: str) -> Any:
    """``np.<name>(x)`` for arrays, the Tensor method of that name for Tensors (a recorded op)."""
    return getattr(x, name)() if isinstance(x, G.Tensor) else getattr(np, name)(x)


def _const(mask: np.ndarray, like: Any) -> np.ndarray:
    """A boolean mask as a constant array in the gradient's float dtype."""
    return mask.astype(G.data(like).dtype)


class Rsqrt(Function):
    """1/sqrt(x); d/dx = -0.5 x**-1.5 = -0.5 out**3."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = 1.0 / np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (-0.5 * out * out * out)


class Tan(Function):
    """tan x; d/dx = 1 + tan(x)**2."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.tan(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (1 + out * out)


class Asin(Function):
    """arcsin x; d/dx = 1/sqrt(1 - x**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / G.sqrt(1 - x * x)


class Acos(Function):
    """arccos x; d/dx = -1/sqrt(1 - x**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -(g / G.sqrt(1 - x * x))


class Atan(Function):
    """arctan x; d/dx = 1/(1 + x**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (1 + x * x)


class Sinh(Function):
    """sinh x; d/dx = cosh x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _call(x, "cosh")


class Cosh(Function):
    """cosh x; d/dx = sinh x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _call(x, "sinh")


class Asinh(Function):
    """arcsinh x; d/dx = 1/sqrt(1 + x**2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / G.sqrt(1 + x * x)


class Log2(Function):
    """log2 x; d/dx = 1/(x ln 2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x * _LN2)


class Log10(Function):
    """log10 x; d/dx = 1/(x ln 10)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log10(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x * _LN10)


class Exp2(Function):
    """2**x; d/dx = 2**x ln 2 (the output times ln 2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.exp2(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (out * _LN2)


class _ZeroGrad(Function):
    """A piecewise-constant function: its derivative is 0 wherever it exists (torch gives 0 everywhere)."""

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g * np.zeros((), dtype=G.data(g).dtype)


class Sign(_ZeroGrad):
    """sign x in {-1, 0, 1} (0 for NaN, as torch); d/dx = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.sign(x)
        nan = np.isnan(out)
        return np.where(nan, np.zeros((), out.dtype), out) if nan.any() else out


class Floor(_ZeroGrad):
    """floor x; d/dx = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.floor(x)


class Ceil(_ZeroGrad):
    """ceil x; d/dx = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.ceil(x)


class Round(_ZeroGrad):
    """x rounded to ``decimals`` places, halves to even (as torch and numpy); d/dx = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, decimals: int = 0) -> np.ndarray:
        return np.round(x, decimals)


class Trunc(_ZeroGrad):
    """x rounded towards 0; d/dx = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.trunc(x)


class Copysign(Function):
    """|a| with the sign of b; d/da = sign(a) sign(out) (0 where a == 0, as torch), d/db = 0."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.copysign(a, b)
        ctx.ratio = np.where(a == 0, 0, np.sign(a) * np.sign(np.copysign(np.ones_like(out), out)))
        ctx.shapes = (a.shape, b.shape)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        ga = K.sum_to_shape(g * ctx.ratio.astype(G.data(g).dtype), sa) if na else None
        gb = K.sum_to_shape(g * np.zeros((), G.data(g).dtype), sb) if nb else None
        return ga, gb


class LogAddExp(Function):
    """log(e**a + e**b), computed stably; d/da = sigmoid(a - b), d/db = sigmoid(b - a)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        d = a - b
        if isinstance(d, np.ndarray):
            d = np.where(np.isnan(d), 0.0, d)  # both -inf (or both +inf): split evenly
            wa = K.sigmoid(np.asarray(d))
        else:
            wa = d.sigmoid()
        ga = K.sum_to_shape(g * wa, a.shape) if na else None
        gb = K.sum_to_shape(g * (1 - wa), b.shape) if nb else None
        return ga, gb


class Lerp(Function):
    """start + weight (end - start); d/dstart = 1 - weight, d/dend = weight, d/dweight = end - start."""

    @staticmethod
    def forward(ctx: Context, start: np.ndarray, end: np.ndarray, weight: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(start, end, weight)
        return start + weight * (end - start)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        s, e, w = ctx.saved_tensors
        ns, ne, nw = ctx.needs_input_grad
        gs = K.sum_to_shape(g * (1 - w), s.shape) if ns else None
        ge = K.sum_to_shape(g * w, e.shape) if ne else None
        gw = K.sum_to_shape(g * (e - s), w.shape) if nw else None
        return gs, ge, gw


# ------------------------------------------------------------------ activations


class Celu(Function):
    """max(0, x) + min(0, alpha (e**(x/alpha) - 1)); d/dx = 1 for x > 0, else e**(x/alpha)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        pos = G.data(x) > 0
        neg = G.exp(G.where(pos, x * 0, x) * (1.0 / ctx.alpha))
        return g * G.where(pos, np.ones((), G.data(x).dtype), neg)


class Selu(Function):
    """scale (max(0, x) + min(0, alpha (e**x - 1))); d/dx = scale for x > 0, else scale alpha e**x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        pos = G.data(x) > 0
        neg = G.exp(G.where(pos, x * 0, x)) * (SELU_SCALE * SELU_ALPHA)
        return g * G.where(pos, np.asarray(SELU_SCALE, G.data(x).dtype), neg)


class Softsign(Function):
    """x / (1 + |x|); d/dx = 1 / (1 + |x|)**2."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        d = 1 + abs(x)
        return g / (d * d)


HARDSIGMOID_SLOPE = float(np.float32(1 / 6))  # torch's hardsigmoid backward multiplies by 1/6 rounded to float32


class Hardsigmoid(Function):
    """clip(x/6 + 1/2, 0, 1); d/dx = 1/6 for -3 < x < 3, else 0 (torch's choice at the kinks).

    The slope is 1/6 as torch's CPU kernel writes it, a float32 constant (2.98e-8 relative above 1/6),
    so float64 gradients equal torch's exactly instead of to 3e-8.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.inside = (x > -3) & (x < 3)
        return np.clip(x / 6 + 0.5, 0, 1)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g * (_const(ctx.inside, g) * HARDSIGMOID_SLOPE)


class Hardswish(Function):
    """x hardsigmoid(x); d/dx = 0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 for x > 3 (as torch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x * np.clip(x / 6 + 0.5, 0, 1)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        xd = G.data(x)
        mid = _const((xd >= -3) & (xd <= 3), g)
        return g * (mid * (x * (1.0 / 3) + 0.5) + _const(xd > 3, g))


class Hardtanh(Function):
    """clip(x, min_val, max_val); d/dx = 1 for min_val < x < max_val, else 0 (as torch; relu6 is (0, 6))."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
        ctx.inside = (x > min_val) & (x < max_val)
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g * _const(ctx.inside, g)


class SoftplusBeta(Function):
    """log(1 + e**(beta x)) / beta, and x itself where beta x > threshold; d/dx = sigmoid(beta x) (1 past it)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, beta: float = 1.0, threshold: float | None = 20.0) -> np.ndarray:
        bx = x * beta
        out = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        ctx.save_for_backward(x)
        ctx.beta = beta
        ctx.linear = None
        if threshold is not None:
            ctx.linear = bx > threshold
            out = np.where(ctx.linear, x, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        s = K.sigmoid(np.asarray(bx)) if isinstance(bx, (np.ndarray, np.generic)) else bx.sigmoid()
        if ctx.linear is not None:
            s = G.where(ctx.linear, np.ones((), G.data(x).dtype), s)
        return g * s
