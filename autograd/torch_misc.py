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


def install(cls: type) -> None:
    """The Tensor methods of this module (where torch_more and torch_extra did not add them)."""
    for name, fn in (("dot", dot), ("contiguous", _contiguous)):
        if not hasattr(cls, name):
            setattr(cls, name, fn)
