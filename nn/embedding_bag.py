"""``nn.EmbeddingBag`` and ``F.embedding_bag``: the sum, mean or max of each bag of embedding rows (torch's).

A bag is a row of a 2-D ``input``, or a run ``input[offsets[b]:offsets[b + 1]]`` of a 1-D one.
With E = weight[input] (one row per index): sum_b = sum_e M[b, e] w_e E[e], where M marks
bag membership and w_e is ``per_sample_weights`` (1 without); mean_b = sum_b / |bag b|;
max_b = the row-wise max of the bag's rows. ``padding_idx`` entries are left out of their bag
(and of its count); an empty bag gives zeros. Built from the embedding lookup, one matrix
product (sum, mean) or one max per bag, so gradients reach the weight and the per-sample weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.ops.embedding import Embedding as EmbeddingOp

from .embedding import _indices, _padding, _renorm, reset_table, table
from .module import Module, Parameter

__all__ = ["EmbeddingBag", "embedding_bag"]

MODES = ("sum", "mean", "max")


def _bags(input: Any, offsets: Any, include_last_offset: bool, where: str) -> tuple[Any, np.ndarray, int]:
    """(the indices as given, flattened; each entry's bag number; the number of bags)."""
    arr = input.data if isinstance(input, Tensor) else np.asarray(input)
    if arr.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{where}: offsets must be None for a 2-D input {arr.shape} (each row is a bag); pass "
                             "a 1-D input with offsets, or no offsets")
        b, n = arr.shape
        return arr.reshape(-1), np.repeat(np.arange(b), n), b
    if arr.ndim != 1:
        raise ValueError(f"{where}: input must be 1-D (with offsets) or 2-D (one bag per row), got shape {arr.shape}")
    if offsets is None:
        raise ValueError(f"{where}: a 1-D input needs offsets (where each bag starts), e.g. offsets=[0]")
    off = offsets.data if isinstance(offsets, Tensor) else np.asarray(offsets)
    if off.ndim != 1 or off.dtype.kind not in "iu" or off.size == 0:
        raise ValueError(f"{where}: offsets must be a non-empty 1-D tensor of ints, got {off.dtype} of shape "
                         f"{off.shape}")
    off = off.astype(np.int64)
    if off[0] != 0 or np.any(np.diff(off) < 0) or off[-1] > arr.size:
        raise ValueError(f"{where}: offsets must start at 0 and rise to at most len(input)={arr.size}, got "
                         f"{off.tolist()[:8]}")
    n_bags = off.size - 1 if include_last_offset else off.size
    if include_last_offset and n_bags < 1:
        raise ValueError(f"{where}: include_last_offset=True needs at least 2 offsets, got {off.tolist()}")
    starts = off[:n_bags]
    bag = np.searchsorted(starts, np.arange(arr.size), side="right") - 1
    if include_last_offset:
        bag = np.where(np.arange(arr.size) < off[-1], bag, -1)  # entries past the last offset are in no bag
    return arr, bag, n_bags


def embedding_bag(input: Any, weight: Any, offsets: Any = None, max_norm: float | None = None,
                  norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Any = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """torch's F.embedding_bag: (number of bags, dim), each bag's rows of ``weight`` summed, averaged or maxed."""
    where = "embedding_bag"
    if mode not in MODES:
        raise ValueError(f"{where}: mode must be one of {MODES}, got {mode!r}")
    if not isinstance(weight, Tensor):
        weight = Tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"{where}: weight must have shape (num_embeddings, embedding_dim), got {weight.shape}")
    num, dim = weight.shape
    flat, bag, n_bags = _bags(input, offsets, bool(include_last_offset), where)
    idx = _indices(flat, num, where)
    pad = _padding(padding_idx, num, where)
    if per_sample_weights is not None:
        if mode != "sum":
            raise ValueError(f"{where}: per_sample_weights needs mode='sum' (torch's rule), got mode={mode!r}")
        psw = per_sample_weights if isinstance(per_sample_weights, Tensor) else Tensor(per_sample_weights)
        if psw.size != idx.size:
            raise ValueError(f"{where}: per_sample_weights must have the input's shape, {idx.size} entries, got "
                             f"shape {psw.shape}")
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type, where)
    member = bag >= 0
    if pad is not None:
        member &= idx != pad
    rows = EmbeddingOp.apply(weight, indices=idx, padding_idx=pad, scale_grad_by_freq=bool(scale_grad_by_freq))
    if mode == "max":
        outs = []
        for b in range(n_bags):
            pick = np.flatnonzero(member & (bag == b))
            outs.append(rows[pick].max(0)[0] if pick.size else autograd.zeros(dim, dtype=weight.dtype))
        return autograd.stack(outs, 0) if outs else autograd.zeros(0, dim, dtype=weight.dtype)
    m = np.zeros((n_bags, idx.size), dtype=weight.dtype)
    entries = np.flatnonzero(member)
    m[bag[entries], entries] = 1.0
    if mode == "mean":
        counts = m.sum(axis=1, keepdims=True)
        m = m / np.maximum(counts, 1.0)
    if per_sample_weights is not None:
        rows = rows * psw.reshape(-1, 1).to(weight.dtype)
    return Tensor._make(m) @ rows


class EmbeddingBag(Module):
    """``num_embeddings`` vectors of size ``embedding_dim``; ``bag(input, offsets)`` sums, averages (the default) or
    maxes each bag's vectors (torch's arguments and N(0, 1) init; see ``embedding_bag``)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight: Any = None, include_last_offset: bool = False, padding_idx: int | None = None,
                 device: Any = None, dtype: Any = None, seed: Any = None) -> None:
        super().__init__()
        for what, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"EmbeddingBag: {what} must be a positive int, got {n!r}")
        if mode not in MODES:
            raise ValueError(f"EmbeddingBag: mode must be one of {MODES}, got {mode!r}")
        if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
            raise RuntimeError(f"EmbeddingBag: gradwork computes on the CPU only, got device {device!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = _padding(padding_idx, self.num_embeddings, "EmbeddingBag")
        self.max_norm = None if max_norm is None else float(max_norm)
        self.norm_type, self.scale_grad_by_freq = float(norm_type), bool(scale_grad_by_freq)
        self.mode_name = mode  # torch's .mode (Module.mode says tensor or scalar mode)
        self.sparse, self.include_last_offset = bool(sparse), bool(include_last_offset)
        self.weight = Parameter(table(self.num_embeddings, self.embedding_dim, self.padding_idx, _weight, dtype, seed,
                                      "EmbeddingBag"))

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> "EmbeddingBag":
        """An EmbeddingBag whose weight is a copy of ``embeddings`` (n, dim); frozen unless freeze=False."""
        w = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if np.ndim(w) != 2:
            raise ValueError(f"EmbeddingBag.from_pretrained: embeddings must be 2-D, got shape {np.shape(w)}")
        bag = cls(w.shape[0], w.shape[1], max_norm, norm_type, scale_grad_by_freq, mode, sparse, _weight=w,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag

    def reset_parameters(self, seed: Any = None) -> None:
        """torch's initialisation again, in place: N(0, 1) numbers, the padding_idx row zero."""
        reset_table(self, seed)

    def forward(self, input: Any, offsets: Any = None, per_sample_weights: Any = None) -> Tensor:
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                             self.mode_name, self.sparse, per_sample_weights, self.include_last_offset,
                             self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        s += f", mode={self.mode_name!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
