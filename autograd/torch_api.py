"""How the Tensor methods read PyTorch's spellings next to numpy's.

One rule: torch's spelling gets torch's meaning, numpy's keeps numpy's, and
positional arguments follow torch. ``x.sum(dim=0, keepdim=True)`` and
``x.sum(axis=0, keepdims=True)`` are the same; ``x.var(0)`` is torch's
unbiased variance and ``x.var(axis=0)`` numpy's biased one; ``x.max(0)`` gives
torch's ``(values, indices)`` and ``x.max(axis=0)`` numpy's values.

The helpers here sort the arguments out; the ops stay in ``autograd/ops``.
"""

from __future__ import annotations

from collections import namedtuple
from numbers import Number
from typing import Any

import numpy as np

__all__ = ["return_types", "SizeInt"]


class return_types:  # noqa: N801  (torch's name: torch.return_types.max)
    """The named tuples of ``max(dim)`` and ``min(dim)``: ``.values`` and ``.indices`` (int64)."""

    max = namedtuple("max", ["values", "indices"])
    min = namedtuple("min", ["values", "indices"])


class SizeInt(int):
    """``x.size``: numpy's element count as an int, also callable as torch's ``x.size()``.

    ``x.size == 6`` and ``range(x.size)`` work as in numpy; ``x.size()`` is the
    shape (a tuple) and ``x.size(d)`` the length of axis ``d``, as in torch.
    """

    def __new__(cls, shape: tuple) -> "SizeInt":
        n = 1
        for k in shape:
            n *= k
        obj = int.__new__(cls, n)
        obj.shape = shape
        return obj

    def __call__(self, dim: Any = None) -> Any:
        shape = self.shape
        if dim is None:
            return shape
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"size: dim must be an int, got {dim!r}")
        nd = len(shape)
        if not -max(nd, 1) <= dim < max(nd, 1) or nd == 0:
            raise IndexError(f"size: dim {dim} is out of range for a tensor of shape {shape}")
        return shape[dim]

    def __reduce__(self) -> tuple:  # pickles as the plain int it stands for
        return (int, (int(self),))


def dims(t: Any, dim: Any, axis: Any, keepdim: Any, keepdims: Any, op: str) -> tuple:
    """(axes, keep) from torch's ``dim``/``keepdim`` or numpy's ``axis``/``keepdims``.

    torch's ``dim=()`` reduces every axis, numpy's ``axis=()`` none.
    """
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give dim (torch) or axis (numpy), not both")
        dim = axis
    elif isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    if keepdims is not None:
        if keepdim is not False:
            raise TypeError(f"{op}: give keepdim (torch) or keepdims (numpy), not both")
        keepdim = keepdims
    if not isinstance(keepdim, (bool, np.bool_)):
        raise TypeError(f"{op}: keepdim must be True or False, got {keepdim!r}")
    return t._axis(dim, op), bool(keepdim)


def var_args(
    t: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any, axis: Any, keepdims: Any, ddof: Any,
    op: str = "var",
) -> tuple:
    """(axes, keep, correction) for var/std: torch's unbiased default unless numpy's words are used."""
    numpy_style = axis is not None or keepdims is not None or ddof is not None
    if isinstance(dim, (bool, np.bool_)):  # torch's old overload var(unbiased)
        if unbiased is not None:
            raise TypeError(f"{op}: unbiased given twice")
        dim, unbiased = None, dim
    axes, keep = dims(t, dim, axis, keepdim, keepdims, op)
    if ddof is not None:
        if correction is not None or unbiased is not None:
            raise TypeError(f"{op}: give ddof (numpy) or correction/unbiased (torch), not both")
        c = ddof
    elif correction is not None:
        if unbiased is not None:
            raise TypeError(f"{op}: give correction or unbiased, not both")
        c = correction
    elif unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"{op}: unbiased must be True or False, got {unbiased!r}")
        c = 1 if unbiased else 0
    else:
        c = 0 if numpy_style else 1
    if isinstance(c, bool) or not isinstance(c, Number) or c < 0:
        raise ValueError(f"{op}: the correction (ddof) must be a non-negative number, got {c!r}")
    return axes, keep, c


def one_dim(t: Any, dim: Any, op: str) -> int:
    """A single axis (torch's ``dim`` of max/min/argmax), normalised; 0 for a 0-d tensor."""
    if isinstance(dim, (tuple, list)):
        hint = "; for several axes use axis=(...) (numpy's values only)" if op in ("max", "min") else ""
        raise TypeError(f"{op}: dim must be a single int, got {dim!r}{hint}")
    a = t._axis(dim, op)
    return 0 if a is None else a


def check_dim(dim: Any, nd: int, op: str) -> int:
    """``dim`` as an axis of a tensor of ``nd`` axes, normalised to 0..nd-1."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    if not -nd <= dim < nd:
        raise ValueError(f"{op}: axis {dim} is out of range for {nd} axes (from {-nd} to {nd - 1})")
    return int(dim) % nd


def expand_shape(shape: tuple, sizes: tuple) -> tuple:
    """torch's ``expand`` sizes: -1 keeps an axis, new axes go in front, axes of length 1 stretch."""
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise ValueError(
            f"expand: {len(sizes)} sizes {sizes} are fewer than the {len(shape)} axes of the tensor of shape {shape}"
        )
    out = []
    for i, n in enumerate(sizes):
        if i < lead:
            if n < 0:
                raise ValueError(f"expand: a new leading axis cannot be -1 (sizes {sizes})")
            out.append(n)
            continue
        old = shape[i - lead]
        n = old if n == -1 else n
        if old != 1 and n != old:
            raise ValueError(
                f"expand: axis {i - lead} of the tensor of shape {shape} has length {old} and cannot become {n}; "
                "only axes of length 1 stretch"
            )
        out.append(n)
    return tuple(out)


def _is_int(i: Any) -> bool:
    return isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))


def torch_index(index: tuple) -> tuple | None:
    """torch's rule for integers next to index arrays: the integers select first, then the arrays index.

    numpy counts ``x[0, :, [0, 1]]``'s integer as an index array, so the
    indexed axes move to the front; torch does not. Returns (first, second)
    such that ``x[first][second]`` is torch's result, or None when numpy agrees.
    """
    if not any(_is_int(i) for i in index):
        return None
    if not any(isinstance(i, np.ndarray) and (i.ndim or i.dtype != np.bool_) for i in index):
        return None
    first = []
    second = []
    for i in index:
        if _is_int(i):
            first.append(i)
        elif isinstance(i, np.ndarray):
            first.extend([slice(None)] * (i.ndim if i.dtype == np.bool_ else 1))  # the axes it indexes
            second.append(i)
        elif i is Ellipsis:
            first.append(i)
            second.append(i)
        else:  # slice or None: applied by the first step, kept as a full slice by the second
            first.append(i)
            second.append(slice(None))
    return tuple(first), tuple(second)
