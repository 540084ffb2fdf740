"""``nn.Embedding`` and ``F.embedding``: a lookup table of vectors, indexed by integers (torch's names and init).

The weight (num_embeddings, embedding_dim) starts as N(0, 1) numbers, with
the ``padding_idx`` row at zero; that row gets no gradient, so it stays zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.ops.embedding import Embedding as EmbeddingOp

from .init import rng_from
from .module import Module, Parameter
from .modes import is_scalar


def _indices(x: Any, num: int, where: str) -> np.ndarray:
    """The index array of ``x``: integers in [0, num) (floats only when whole numbers), else a clear error."""
    if is_scalar(x):
        raise TypeError(f"{where}: works in tensor mode only; pass integer indices, not Values")
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind == "f":  # a gradwork Tensor keeps whole numbers as floats: accept those, as labels are
        with np.errstate(invalid="ignore"):
            whole = bool(np.all(arr == np.round(arr)))
        if not whole:
            bad = arr[arr != np.round(arr)].reshape(-1)[:3].tolist()
            raise ValueError(
                f"{where}: indices must be integers, got dtype {arr.dtype} with values such as {bad} "
                f"(shape {arr.shape}); pass integer indices, e.g. idx.astype(np.int64)"
            )
    elif arr.dtype.kind not in "iu":
        raise ValueError(
            f"{where}: indices must be integers, got dtype {arr.dtype} (shape {arr.shape}); "
            "pass integer indices, e.g. idx.astype(np.int64)"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= num):
        bad = int(arr.min()) if arr.min() < 0 else int(arr.max())
        raise IndexError(
            f"{where}: index {bad} is out of range for {num} embeddings; indices must be in [0, {num - 1}]"
        )
    return arr.astype(np.intp, copy=False)


def _padding(padding_idx: Any, num: int, where: str) -> int | None:
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)):
        raise ValueError(f"{where}: padding_idx must be an int or None, got {padding_idx!r}")
    if not -num <= padding_idx < num:
        raise ValueError(
            f"{where}: padding_idx={padding_idx} is out of range for {num} embeddings; "
            f"use a value in [-{num}, {num - 1}] or None"
        )
    return int(padding_idx) % num


def embedding(input: Any, weight: Any, padding_idx: int | None = None) -> Tensor:
    """torch's ``F.embedding``: the rows of ``weight`` (num_embeddings, dim) at the integers ``input``."""
    where = "embedding"
    if not isinstance(weight, Tensor):
        weight = Tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"{where}: weight must have shape (num_embeddings, embedding_dim), got {weight.shape}")
    num = weight.shape[0]
    idx = _indices(input, num, where)
    pad = _padding(padding_idx, num, where)
    return EmbeddingOp.apply(weight, indices=idx, padding_idx=pad)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; ``emb(idx)`` has shape idx.shape + (dim,)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 seed: Any = None, _weight: Any = None) -> None:
        super().__init__()
        for what, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Embedding: {what} must be a positive int, got {n!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = _padding(padding_idx, self.num_embeddings, "Embedding")
        if _weight is not None:
            w = np.array(_weight.data if isinstance(_weight, Tensor) else _weight, dtype=np.float64)
            if w.shape != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {w.shape}, expected "
                                 f"{(self.num_embeddings, self.embedding_dim)}")
        else:
            w = rng_from(seed).standard_normal((self.num_embeddings, self.embedding_dim))
            if self.padding_idx is not None:
                w[self.padding_idx] = 0.0
        self.weight = Parameter(w)

    def forward(self, input: Any) -> Tensor:
        where = f"Embedding({self.num_embeddings}, {self.embedding_dim})"
        idx = _indices(input, self.num_embeddings, where)
        return EmbeddingOp.apply(self.weight, indices=idx, padding_idx=self.padding_idx)

    def extra_repr(self) -> str:
        pad = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"


__all__ = ["Embedding", "embedding"]
