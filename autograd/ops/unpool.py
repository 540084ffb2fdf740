"""Max unpooling (torch's MaxUnpool1d/2d): each value put back at the flat position MaxPool's indices name.

out[n, c].flat[idx[n, c, k]] = x[n, c].flat[k], zeros elsewhere; dL/dx[n, c].flat[k] = g[n, c].flat[idx[n, c, k]].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function


class MaxUnpool(Function):
    """out = zeros of ``out_shape``, x at ``indices`` (per (n, c) plane); the gradient gathers them back."""

    @staticmethod
    def torch_name(t: Any) -> str:  # torch's node for max_unpool2d (its 1-d form ends in a squeeze)
        return "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, indices: np.ndarray | None = None, out_shape: tuple = ()) -> np.ndarray:
        nc = int(out_shape[0]) * int(out_shape[1])  # x (N, C, *in) -> (N, C, *out): one row per plane
        flat_x = x.reshape(nc, -1)
        idx = indices.reshape(nc, -1)
        out = np.zeros((nc, int(np.prod(out_shape[2:]))), dtype=x.dtype)
        np.put_along_axis(out, idx, flat_x, axis=1)
        ctx.idx, ctx.x_shape, ctx.nc = idx, x.shape, nc
        ctx.label = f"MaxUnpool {tuple(x.shape)} -> {tuple(out_shape)}"
        return out.reshape(out_shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        rows = g.reshape((ctx.nc, -1))
        if isinstance(rows, np.ndarray):
            return np.take_along_axis(rows, ctx.idx, axis=1).reshape(ctx.x_shape)
        return rows[np.arange(ctx.nc)[:, None], ctx.idx].reshape(ctx.x_shape)


__all__ = ["MaxUnpool"]
