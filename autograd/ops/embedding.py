"""Embedding lookup: rows of a weight matrix picked by integer indices, as one graph node.

out[..., :] = weight[indices[...], :]; the gradient adds each output row's
gradient into the row it came from (repeated indices accumulate), and the
``padding_idx`` row gets none.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function


class Embedding(Function):
    """out = weight[indices]; dL/dweight[k] = sum of g over the positions whose index is k (0 for padding_idx)."""

    @staticmethod
    def forward(ctx: Context, weight: np.ndarray, indices: np.ndarray | None = None,
                padding_idx: int | None = None) -> np.ndarray:
        ctx.indices, ctx.padding_idx, ctx.shape = indices, padding_idx, weight.shape
        ctx.label = f"Embedding {tuple(int(n) for n in indices.shape)} of {tuple(int(n) for n in weight.shape)}"
        return np.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        idx = ctx.indices.reshape(-1)
        rows = g.reshape((idx.shape[0], ctx.shape[1]))
        if isinstance(rows, np.ndarray):
            out = np.zeros(ctx.shape, dtype=rows.dtype)
            np.add.at(out, idx, rows)
            if ctx.padding_idx is not None:
                out[ctx.padding_idx] = 0
            return out
        out = G.scatter_add(rows, idx, ctx.shape)
        if ctx.padding_idx is not None:
            keep = np.ones((ctx.shape[0], 1), dtype=rows.dtype)
            keep[ctx.padding_idx] = 0
            out = out * keep
        return out


__all__ = ["Embedding"]
