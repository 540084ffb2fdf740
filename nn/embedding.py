"""``nn.Embedding`` and ``F.embedding``: a lookup table of vectors, indexed by integers (torch's names and init).

The weight (num_embeddings, embedding_dim) starts as N(0, 1) numbers, with
the ``padding_idx`` row at zero; that row gets no gradient, so it stays zero.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

import autograd
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


def _renorm(weight: Tensor, idx: np.ndarray, max_norm: Any, norm_type: Any, where: str) -> None:
    """torch's max_norm: rows of ``weight`` that ``idx`` reads, with norm above max_norm, scaled (in place) to it."""
    if isinstance(max_norm, bool) or not isinstance(max_norm, Real) or not max_norm > 0:
        raise ValueError(f"{where}: max_norm must be a positive number or None, got {max_norm!r}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, Real) or not norm_type > 0:
        raise ValueError(f"{where}: norm_type must be a positive number (2.0 for the Euclidean norm), "
                         f"got {norm_type!r}")
    rows = np.unique(idx)
    if not rows.size:
        return
    w = weight.data
    norms = np.linalg.norm(w[rows], ord=float(norm_type), axis=1)
    big = norms > max_norm
    if big.any():  # torch's scale max_norm / (norm + 1e-7), outside the graph but a versioned in-place write
        pick = rows[big]
        with autograd.no_grad():
            weight[pick] = w[pick] * (float(max_norm) / (norms[big] + 1e-7)).astype(w.dtype)[:, None]


def table(num: int, dim: int, padding_idx: int | None, given: Any, dtype: Any, seed: Any, where: str) -> np.ndarray:
    """The (num, dim) weight of an embedding layer: a copy of ``given`` (torch's ``_weight``), or torch's init,
    N(0, 1) numbers with the padding_idx row zero."""
    if given is not None:
        w = np.asarray(given.data if isinstance(given, Tensor) else
                       (given.detach().numpy() if hasattr(given, "detach") else given))
        w = np.array(w, dtype=w.dtype if w.dtype.kind == "f" and dtype is None else (dtype or np.float64))
        if w.shape != (num, dim):
            raise ValueError(f"{where}: _weight has shape {w.shape}, expected {(num, dim)}")
        return w
    w = rng_from(seed).standard_normal((num, dim))
    if padding_idx is not None:
        w[padding_idx] = 0.0
    return w if dtype is None else w.astype(dtype)


def reset_table(m: Any, seed: Any) -> None:
    """torch's initialisation of an embedding layer's weight again, in place (the same Parameter)."""
    m.weight.data[...] = table(m.num_embeddings, m.embedding_dim, m.padding_idx, None, m.weight.dtype, seed, "")


def embedding(input: Any, weight: Any, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """torch's ``F.embedding``: the rows of ``weight`` (num_embeddings, dim) at the integers ``input``.

    ``max_norm``: rows read whose ``norm_type``-norm exceeds it are first scaled down to it, in
    place in ``weight`` (as torch does). ``scale_grad_by_freq``: each row's gradient is divided
    by how often its index occurs in ``input``. ``sparse`` is accepted; the gradient is dense.
    """
    where = "embedding"
    if not isinstance(weight, Tensor):
        weight = Tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"{where}: weight must have shape (num_embeddings, embedding_dim), got {weight.shape}")
    num = weight.shape[0]
    idx = _indices(input, num, where)
    pad = _padding(padding_idx, num, where)
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type, where)
    return EmbeddingOp.apply(weight, indices=idx, padding_idx=pad, scale_grad_by_freq=bool(scale_grad_by_freq))


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; ``emb(idx)`` has shape idx.shape + (dim,).

    torch's arguments, in torch's order (``max_norm``, ``norm_type``, ``scale_grad_by_freq``,
    ``sparse``, ``_weight``, ``_freeze``, ``device``, ``dtype``; see ``embedding``), then ``seed``.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Any = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None, seed: Any = None) -> None:
        super().__init__()
        for what, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Embedding: {what} must be a positive int, got {n!r}")
        if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
            raise RuntimeError(f"Embedding: gradwork computes on the CPU only, got device {device!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = _padding(padding_idx, self.num_embeddings, "Embedding")
        if max_norm is not None:  # the argument checks of _renorm, at construction
            _renorm(Tensor(np.zeros((1, 1))), np.zeros(0, dtype=np.intp), max_norm, norm_type, "Embedding")
        self.max_norm = None if max_norm is None else float(max_norm)
        self.norm_type = float(norm_type)
        self.scale_grad_by_freq, self.sparse = bool(scale_grad_by_freq), bool(sparse)
        w = table(self.num_embeddings, self.embedding_dim, self.padding_idx, _weight, dtype, seed, "Embedding")
        self.weight = Parameter(w, requires_grad=not _freeze)

    def reset_parameters(self, seed: Any = None) -> None:
        """torch's initialisation again, in place: N(0, 1) numbers, the padding_idx row zero."""
        reset_table(self, seed)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding whose weight is a copy of ``embeddings`` (num_embeddings, dim), frozen unless freeze=False."""
        w = embeddings.data if isinstance(embeddings, Tensor) else (
            embeddings.detach().numpy() if hasattr(embeddings, "detach") else np.asarray(embeddings))
        if np.ndim(w) != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D (num_embeddings, embedding_dim), "
                             f"got shape {np.shape(w)}")
        if w.dtype.kind not in "fiub":
            raise TypeError(f"Embedding.from_pretrained: embeddings must hold numbers, got dtype {w.dtype}")
        return cls(w.shape[0], w.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=w,
                   _freeze=freeze)

    def forward(self, input: Any) -> Tensor:
        where = f"Embedding({self.num_embeddings}, {self.embedding_dim})"
        idx = _indices(input, self.num_embeddings, where)
        if self.max_norm is not None:
            _renorm(self.weight, idx, self.max_norm, self.norm_type, where)
        return EmbeddingOp.apply(self.weight, indices=idx, padding_idx=self.padding_idx,
                                 scale_grad_by_freq=self.scale_grad_by_freq)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm:g}"
            if self.norm_type != 2:
                s += f", norm_type={self.norm_type:g}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        if self.sparse:
            s += ", sparse=True"
        return s


__all__ = ["Embedding", "embedding"]
