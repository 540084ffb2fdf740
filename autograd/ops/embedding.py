"""Embedding lookup: rows of a weight matrix picked by integer indices, as one graph node.

out[..., :] = weight[indices[...], :]; the gradient adds each output row's
gradient into the row it came from (repeated indices accumulate), and the
``padding_idx`` row gets none. ``scale_grad_by_freq`` divides each position's
gradient by how often its index occurs in ``indices`` (torch's option).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function


class Embedding(Function):
    """out = weight[indices]; dL/dweight[k] = sum of g over the positions whose index is k (0 for padding_idx).

    With ``scale_grad_by_freq`` that sum is divided by the number of those positions.
    """

    @staticmethod
    def forward(ctx: Context, weight: np.ndarray, indices: np.ndarray | None = None,
                padding_idx: int | None = None, scale_grad_by_freq: bool = False) -> np.ndarray:
        ctx.indices, ctx.padding_idx, ctx.shape = indices, padding_idx, weight.shape
        ctx.freq = None
        if scale_grad_by_freq:  # 1 / (count of each position's index), one number per position
            flat = indices.reshape(-1)
            ctx.freq = (1.0 / np.bincount(flat, minlength=weight.shape[0])[flat])[:, None]
        ctx.label = f"Embedding {tuple(int(n) for n in indices.shape)} of {tuple(int(n) for n in weight.shape)}"
        return np.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        idx = ctx.indices.reshape(-1)
        rows = g.reshape((idx.shape[0], ctx.shape[1]))
        if ctx.freq is not None:
            rows = rows * ctx.freq.astype(rows.dtype)
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
