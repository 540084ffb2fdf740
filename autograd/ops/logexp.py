"""log(1 + x) and e**x - 1, accurate near 0 (numpy's log1p and expm1), with their derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function

__all__ = ["Log1p", "Expm1"]


class Log1p(Function):
    """ln(1 + x); d/dx = 1 / (1 + x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Expm1(Function):
    """e**x - 1; d/dx = e**x = out + 1."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.expm1(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        return g * (out + 1)
