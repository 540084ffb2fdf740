"""The ops behind in-place writes that have no out-of-place twin: ``fill_``, ``copy_`` and ``x[index] = v``.

Each is the out-of-place function the in-place method records (see
``autograd.inplace``): the tensor's old version comes first, so the graph can
find it again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function

__all__ = ["Fill", "Copy", "IndexPut"]


class Fill(Function):
    """x filled with a constant; d/dx = 0 (the old values are gone)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, value: float = 0.0) -> np.ndarray:
        return np.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return None


class Copy(Function):
    """src broadcast to x's shape and dtype; d/dx = 0, d/dsrc = g summed back to src's shape."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, src: np.ndarray) -> np.ndarray:
        ctx.src_shape = src.shape
        out = np.empty(x.shape, dtype=x.dtype)
        np.copyto(out, src, casting="same_kind")
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return None, G.sum_to_shape(g, ctx.src_shape)


class IndexPut(Function):
    """x with x[index] replaced by v; d/dx = g with zeros at index, d/dv = g[index] summed back to v's shape."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, v: np.ndarray, index: Any = ()) -> np.ndarray:
        out = x.copy()
        try:
            out[index] = v
        except IndexError as exc:
            raise IndexError(f"setitem: index {index!r:.80} does not fit a tensor of shape {x.shape}: {exc}") from None
        except ValueError as exc:
            raise ValueError(
                f"setitem: a value of shape {v.shape} does not fit x[index] of shape {np.shape(x[index])} "
                f"(x has shape {x.shape}): {exc}"
            ) from None
        keep = np.ones(x.shape, dtype=x.dtype)
        keep[index] = 0
        ctx.keep, ctx.index, ctx.v_shape = keep, index, v.shape
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        gv = g[ctx.index]
        extra = len(ctx.v_shape) - len(gv.shape)
        if extra > 0:  # numpy lets a value carry extra leading axes of length 1
            gv = gv.reshape((1,) * extra + tuple(gv.shape))
        return g * ctx.keep, G.sum_to_shape(gv, ctx.v_shape)
