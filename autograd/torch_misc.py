"""The last of torch's top-level odds and ends: how tensors print, ``dot`` and ``contiguous``.

dot(u, v) = sum_i u_i v_i for two 1-D tensors of one length (gradients v and u).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["set_printoptions", "dot", "PRINT"]

PRINT = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}  # torch's defaults
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, 2**62, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: int | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How Tensors print (torch's options; ``profile`` "default", "short" or "full")."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        PRINT.update(zip(("precision", "threshold", "edgeitems", "linewidth"), _PROFILES[profile]))
    for key, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                   ("linewidth", linewidth)):
        if v is not None:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"set_printoptions: {key} must be an int >= 0, got {v!r}")
            PRINT[key] = int(v)
    if sci_mode is not None and not isinstance(sci_mode, (bool, np.bool_)):
        raise ValueError(f"set_printoptions: sci_mode must be True, False or None (automatic), got {sci_mode!r}")
    PRINT["sci_mode"] = None if sci_mode is None else bool(sci_mode)  # as torch: every call sets it


def dot(input: Any, other: Any) -> Any:  # noqa: A002
    """Inner product of two 1-D tensors of the same length."""
    from .tensor import as_tensor

    a, b = as_tensor(input), as_tensor(other)
    if a.data.ndim != 1 or b.data.ndim != 1:
        raise ValueError(f"dot: expected two 1-D tensors, got shapes {a.shape} and {b.shape}; use matmul (@) for "
                         "other ranks")
    if a.shape != b.shape:
        raise ValueError(f"dot: lengths differ, shapes {a.shape} and {b.shape}")
    return a @ b


def _contiguous(self: Any, memory_format: Any = None) -> Any:
    """self when its memory is in C order, else a recorded copy that is."""
    return self if self.data.flags.c_contiguous else self.clone()


def _svd(self: Any, some: bool = True, compute_uv: bool = True) -> tuple:
    """torch's Tensor.svd: (U, S, V) with A = U diag(S) V^T (V, not V^T; reduced unless some=False)."""
    from . import linalg

    u, s, vh = linalg.svd(self, full_matrices=not some)
    if not compute_uv:  # torch's: zero-filled U and V
        return u * 0.0, s, vh.mT * 0.0
    return u, s, vh.mT


def _qr(self: Any, some: bool = True) -> tuple:
    """torch's Tensor.qr: (Q, R), reduced unless some=False."""
    from . import linalg

    return linalg.qr(self, mode="reduced" if some else "complete")


def _cholesky(self: Any, upper: bool = False) -> Any:
    """torch's Tensor.cholesky: L with A = L L^T (or U = L^T with upper=True)."""
    from . import linalg

    return linalg.cholesky(self, upper=upper)


def _pinverse(self: Any, rcond: float = 1e-15) -> Any:
    """torch's Tensor.pinverse: the Moore-Penrose inverse, singular values below rcond * max dropped."""
    from . import linalg

    return linalg.pinv(self, rcond=rcond)


def _matrix_exp(self: Any) -> Any:
    """e**A for square matrices (torch's Tensor.matrix_exp)."""
    from . import linalg

    return linalg.matrix_exp(self)


def _apply_(self: Any, fn: Any) -> Any:
    """torch's apply_: each element replaced by ``fn(element)``, in place (a Python call per element; no gradient)."""
    if not callable(fn):
        raise TypeError(f"apply_: expected a function of one number, got {type(fn).__name__}")
    from .tensor import Tensor

    new = np.vectorize(fn, otypes=[self.data.dtype])(self.data)
    return self.copy_(Tensor._make(np.asarray(new, dtype=self.data.dtype)))


def _map_(self: Any, other: Any, fn: Any) -> Any:
    """torch's map_: self[i] = fn(self[i], other[i]) in place, ``other`` broadcast to self's shape."""
    if not callable(fn):
        raise TypeError(f"map_: expected a function of two numbers, got {type(fn).__name__}")
    from .tensor import Tensor, as_tensor

    o = np.broadcast_to(as_tensor(other).data, self.data.shape)
    new = np.vectorize(fn, otypes=[self.data.dtype])(self.data, o)
    return self.copy_(Tensor._make(np.asarray(new, dtype=self.data.dtype)))


def _post_accumulate(self: Any, hook: Any) -> Any:
    """Call ``hook(tensor)`` after each backward adds into this leaf's ``.grad`` (e.g. to step an optimiser there)."""
    from . import inplace

    return inplace.register_post_accumulate_grad_hook(self, hook)


def _get_device(self: Any) -> int:
    """-1: the CPU (torch's answer for CPU tensors)."""
    return -1


def _self(self: Any, *args: Any, **kwargs: Any) -> Any:
    return self


def _false(self: Any) -> bool:
    return False


def install(cls: type) -> None:
    """The Tensor methods of this module (where torch_more and torch_extra did not add them)."""
    methods = (
        ("dot", dot), ("contiguous", _contiguous), ("svd", _svd), ("qr", _qr), ("cholesky", _cholesky),
        ("pinverse", _pinverse), ("matrix_exp", _matrix_exp), ("apply_", _apply_), ("map_", _map_),
        ("register_post_accumulate_grad_hook", _post_accumulate), ("get_device", _get_device),
        ("pin_memory", _self), ("share_memory_", _self), ("is_pinned", _false), ("is_shared", _false),
        ("is_inference", _false), ("is_conj", _false), ("is_neg", _false),
        ("unsafe_chunk", lambda self, chunks, dim=0: self.chunk(chunks, dim)),
        ("unsafe_split", lambda self, split_size, dim=0: self.split(split_size, dim)),
    )
    for name, fn in methods:
        if not hasattr(cls, name):
            setattr(cls, name, fn)
