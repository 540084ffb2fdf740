"""More of torch's functions and Tensor methods: each checks its arguments, then applies an op from
``autograd/ops/`` (division, index_reduce, cumprod, linalg, elementwise_more) or composes recorded ops,
so derivatives (and create_graph) come from the ops. ``install(Tensor)`` puts the methods on Tensor;
``autograd.<name>`` exports the functions where torch has ``torch.<name>``.

Division: div(rounding_mode=), floor_divide, remainder, fmod. Indexing: scatter(reduce=), scatter_reduce,
index_add/copy/fill/select, take_along_dim, masked_select, masked_scatter. Scans and reductions:
cumprod, amax/amin/aminmax, nansum/nanmean, count_nonzero, median, kthvalue, mode. Maths: log1p, expm1,
acosh, atanh, logit, xlogy, atan2, hypot, nan_to_num, square, reciprocal, frac, sgn, erfc, deg2rad,
rad2deg. Layout: diff, rot90, fliplr/flipud, kron, cross, outer, trace, movedim, narrow, tensor_split,
unbind, tile. Products: mm, bmm, mv, addmm, addmv, baddbmm, addbmm, addcmul, addcdiv, cdist, dist.
Comparisons (constant bool tensors): eq, ne, lt, le, gt, ge, isclose, allclose, equal, logical_*.
Counting (constant int tensors): histc, bincount, unique. Construction: new_zeros/ones/full/empty/tensor.
"""

from __future__ import annotations

import builtins
from numbers import Real
from typing import Any, Callable, Sequence

import numpy as np

from . import torchops as T
from .ops import _torchargs as A
from .ops import cumprod as CP
from .ops import division as D
from .ops import elementwise_more as EM
from .ops import index as I
from .ops import index_reduce as IR
from .ops import layout as L
from .ops import reduce as R
from .ops import shape as SH
from .ops.arith import _pair, where
from .ops.inplace import Copy, IndexPut
from .tensor import Tensor, as_tensor

_UNSET = A._UNSET
_ValuesIndices = T.ValuesIndices

__all__ = [
    "div", "divide", "true_divide", "floor_divide", "remainder", "fmod",
    "scatter", "scatter_reduce", "index_add", "index_copy", "index_fill", "index_select", "take_along_dim",
    "masked_select", "masked_scatter",
    "cumprod", "amax", "amin", "aminmax", "nansum", "nanmean", "count_nonzero", "median", "nanmedian",
    "kthvalue", "mode",
    "log1p", "expm1", "acosh", "atanh", "arccosh", "arctanh", "logit", "xlogy", "atan2", "arctan2", "hypot",
    "nan_to_num", "square", "reciprocal", "frac", "sgn", "erfc", "deg2rad", "rad2deg", "absolute", "positive",
    "signbit", "isposinf", "isneginf", "fmax", "fmin", "clamp_min", "clamp_max",
    "diff", "rot90", "fliplr", "flipud", "kron", "cross", "outer", "ger", "trace", "movedim", "moveaxis",
    "narrow", "tensor_split", "unbind", "tile", "swapaxes", "swapdims", "hstack", "vstack", "dstack",
    "column_stack", "atleast_1d", "atleast_2d", "meshgrid", "cartesian_prod", "block_diag", "diag", "diag_embed",
    "mm", "bmm", "mv", "addmm", "addmv", "baddbmm", "addbmm", "addcmul", "addcdiv", "cdist", "dist",
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal", "less_equal", "not_equal",
    "isclose", "allclose", "equal", "logical_and", "logical_or", "logical_xor", "logical_not",
    "histc", "bincount", "unique", "argwhere", "nonzero", "count_nonzero",
    "install",
]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(x)


def _number(x: Any, op: str, what: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Real, np.floating, np.integer)):
        raise TypeError(f"{op}: {what} must be a number, got {x!r}")
    return float(x)


def _binary_op(fn: type, a: Any, b: Any, op: str) -> Tensor:
    a, b = _pair(a, b, op)
    a, b = _same_kind(a, b)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None
    return fn._apply2(a, b)


def _same_kind(a: Tensor, b: Tensor) -> tuple:
    """Operands as torch promotes them: an integer or bool one next to a float one takes the float dtype."""
    ka, kb = a.data.dtype.kind, b.data.dtype.kind
    if ka == "f" and kb != "f":
        b = Tensor._make(b.data.astype(a.data.dtype))
    elif kb == "f" and ka != "f":
        a = Tensor._make(a.data.astype(b.data.dtype))
    elif ka == kb == "f" and a.data.dtype != b.data.dtype:
        dt = np.promote_types(a.data.dtype, b.data.dtype)
        a, b = a.astype(dt), b.astype(dt)
    return a, b


# ------------------------------------------------------------------ division


ROUNDING_MODES = (None, "trunc", "floor")


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other; rounding_mode "trunc" rounds the quotient towards 0, "floor" down (derivative 0 then)."""
    if rounding_mode is None:
        a, b = _pair(input, other, "div")
        return a / b
    if rounding_mode not in ROUNDING_MODES:
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    return _binary_op(D.TruncDiv if rounding_mode == "trunc" else D.FloorDiv, input, other, "div")


divide = div


def true_divide(input: Any, other: Any) -> Tensor:
    """input / other (true division)."""
    return div(input, other)


def floor_divide(input: Any, other: Any) -> Tensor:
    """floor(input / other) (torch's ``//``); derivative 0 (torch has none)."""
    return _binary_op(D.FloorDiv, input, other, "floor_divide")


def remainder(input: Any, other: Any) -> Tensor:
    """input - floor(input / other) other: the sign of the divisor (Python's ``%``)."""
    return _binary_op(D.Remainder, input, other, "remainder")


def fmod(input: Any, other: Any) -> Tensor:
    """input - trunc(input / other) other: the sign of the dividend (C's fmod)."""
    return _binary_op(D.Fmod, input, other, "fmod")


# ------------------------------------------------------------------ indexing


_SCATTER_REDUCE = {"add": "sum", "multiply": "prod"}


def scatter(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None
            ) -> Tensor:
    """x with src (or value) written at index along dim; reduce "add"/"multiply" combine instead of replace."""
    if reduce is None:
        return T.scatter(input, dim, index, src, value=value)
    if reduce not in _SCATTER_REDUCE:
        raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r} (scatter_reduce has more)")
    x = _t(input)
    if src is not None and value is not None:
        raise TypeError("scatter: give src= or value=, not both")
    if src is None:
        if value is None:
            raise TypeError("scatter: give src (a tensor) or value (a number)")
        idx = A.int_index("scatter", index)
        src = Tensor._make(np.full(idx.shape, _number(value, "scatter", "value"), x.dtype))
    return scatter_reduce(x, dim, index, src, _SCATTER_REDUCE[reduce], include_self=True)


def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Tensor:
    """x with every src[i] combined into out[index[i]] along dim by reduce (sum, prod, mean, amax, amin);
    ``include_self`` counts x's own entry among the combined ones."""
    x = _t(input)
    if reduce not in IR.REDUCTIONS:
        raise ValueError(f"scatter_reduce: reduce must be one of {', '.join(map(repr, IR.REDUCTIONS))}, got {reduce!r}")
    keep = A.flag("scatter_reduce", "include_self", include_self)
    d, idx = T._prep_index("scatter_reduce", x, dim, index)
    s = Tensor._lift(T._one_d_src(x, idx, src), x, "scatter_reduce")
    if s.data.dtype != x.data.dtype:
        s = Tensor._make(s.data.astype(x.data.dtype)) if not s.requires_grad else s.astype(x.data.dtype)
    if x.ndim == 0:
        x1, i1 = SH.Reshape._apply1(x, shape=(1,)), idx.reshape(1)
        s1 = SH.Reshape._apply1(s, shape=(1,)) if s.ndim == 0 else s
        out = IR.ScatterReduce.apply(x1, i1, s1, axis=0, reduce=reduce, include_self=keep)
        return SH.Reshape._apply1(out, shape=())
    if s.ndim != idx.ndim or builtins.any(m > n for m, n in zip(idx.shape, s.shape)):
        raise ValueError(
            f"scatter_reduce: src of shape {s.shape} must have as many axes as index {idx.shape} and be at least "
            "as large on every axis"
        )
    return IR.ScatterReduce.apply(x, idx, s, axis=d, reduce=reduce, include_self=keep)


def _index_1d(op: str, x: Tensor, dim: Any, index: Any) -> tuple:
    """(axis, the index as a 1-D int64 array with negatives wrapped, the full index tuple) for index_* ops."""
    d = A.one_dim(op, dim, x.shape)
    idx = A.int_index(op, index)
    if idx.ndim > 1:
        raise ValueError(f"{op}: index must be 0-d or 1-d, got shape {idx.shape}")
    idx = idx.reshape(-1)
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)]
        raise IndexError(f"{op}: index {bad[:5].tolist()} is out of range for dim {d} of length {n} (shape {x.shape})")
    idx = np.where(idx < 0, idx + n, idx)
    return d, idx, (slice(None),) * d + (idx,)


def _source(op: str, x: Tensor, d: int, idx: np.ndarray, source: Any, what: str = "source") -> Tensor:
    s = Tensor._lift(source, x, op)
    want = x.shape[:d] + (idx.size,) + x.shape[d + 1:] if x.ndim else (idx.size,)
    if s.shape != want and not (x.ndim == 0 and s.ndim == 0):
        raise ValueError(
            f"{op}: {what} has shape {s.shape}, but with {idx.size} index entries along dim {d} of the input of "
            f"shape {x.shape} it must have shape {want}"
        )
    return s


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
    """x with alpha * source[..., i, ...] added at x[..., index[i], ...] along dim (repeats accumulate)."""
    x = _t(input)
    if x.ndim == 0:
        return SH.Reshape._apply1(index_add(SH.Reshape._apply1(x, shape=(1,)), 0, np.reshape(
            A.int_index("index_add", index), -1), _t(source).reshape(-1), alpha=alpha), shape=())
    d, idx, full = _index_1d("index_add", x, dim, index)
    s = _source("index_add", x, d, idx, source)
    if alpha != 1:
        s = s * _number(alpha, "index_add", "alpha")
    return x + SH.ScatterAdd._apply1(s, index=full, shape=x.shape)


def index_copy(input: Any, dim: int, index: Any, source: Any) -> Tensor:
    """x with x[..., index[i], ...] = source[..., i, ...] along dim."""
    x = _t(input)
    if x.ndim == 0:
        return SH.Reshape._apply1(index_copy(SH.Reshape._apply1(x, shape=(1,)), 0, np.reshape(
            A.int_index("index_copy", index), -1), _t(source).reshape(-1)), shape=())
    d, idx, full = _index_1d("index_copy", x, dim, index)
    s = _source("index_copy", x, d, idx, source)
    return IndexPut.apply(x, s, index=full)


def index_fill(input: Any, dim: int, index: Any, value: Any) -> Tensor:
    """x with every entry x[..., index[i], ...] along dim set to value (a number or a 0-d tensor)."""
    x = _t(input)
    d, idx, _ = _index_1d("index_fill", x, dim, index)
    mask = np.zeros(x.shape[d] if x.ndim else 1, bool)
    mask[idx] = True
    mask = mask.reshape((-1,) + (1,) * (x.ndim - d - 1)) if x.ndim else mask.reshape(())
    return T.masked_fill(x, mask, value)


def index_select(input: Any, dim: int, index: Any) -> Tensor:
    """The entries x[..., index[i], ...] along dim (a copy; the gradient adds back repeats)."""
    x = _t(input)
    if x.ndim == 0:
        d, idx, _ = _index_1d("index_select", x, dim, index)
        return SH.GetItem._apply1(SH.Reshape._apply1(x, shape=(1,)), index=idx)
    d, idx, full = _index_1d("index_select", x, dim, index)
    return L.Take._apply1(x, index=full)


def take_along_dim(input: Any, indices: Any, dim: Any = None) -> Tensor:
    """x picked at indices along dim (gather with broadcasting); no dim: over the flattened x."""
    x = _t(input)
    idx = A.int_index("take_along_dim", indices)
    if dim is None:
        return T.gather(SH.Reshape._apply1(x, shape=(-1,)), 0, idx.reshape(-1))
    d = A.one_dim("take_along_dim", dim, x.shape)
    if idx.ndim != x.ndim:
        raise ValueError(f"take_along_dim: indices of shape {idx.shape} need {x.ndim} axes like the input {x.shape}")
    try:
        shape = np.broadcast_shapes(x.shape[:d] + (1,) + x.shape[d + 1:], idx.shape[:d] + (1,) + idx.shape[d + 1:])
    except ValueError:
        raise ValueError(f"take_along_dim: indices of shape {idx.shape} do not broadcast against {x.shape}") from None
    xb = x.expand(shape[:d] + (x.shape[d],) + shape[d + 1:])
    return T.gather(xb, d, np.broadcast_to(idx, shape[:d] + (idx.shape[d],) + shape[d + 1:]))


def _bool_mask(op: str, mask: Any, shape: tuple) -> np.ndarray:
    m = np.asarray(getattr(mask, "data", mask))
    if m.dtype != np.bool_:
        raise TypeError(f"{op}: mask must be a bool tensor (e.g. x > 0), got dtype {m.dtype}")
    try:
        return np.broadcast_to(m, shape)
    except ValueError:
        raise ValueError(f"{op}: mask of shape {m.shape} does not broadcast to the input's shape {shape}") from None


def masked_select(input: Any, mask: Any) -> Tensor:
    """The 1-D tensor of the entries of x where mask (broadcast) is True, in row-major order."""
    x = _t(input)
    try:
        shape = np.broadcast_shapes(x.shape, np.shape(getattr(mask, "data", mask)))
    except ValueError:
        raise ValueError(f"masked_select: mask of shape {np.shape(mask)} does not broadcast with {x.shape}") from None
    m = _bool_mask("masked_select", mask, shape)
    xb = x.expand(shape) if x.shape != shape else x
    return SH.GetItem._apply1(xb, index=np.nonzero(m))


def masked_scatter(input: Any, mask: Any, source: Any) -> Tensor:
    """x with the positions where mask is True filled, in order, by the first entries of source."""
    x = _t(input)
    m = _bool_mask("masked_scatter", mask, x.shape)
    s = Tensor._lift(source, x, "masked_scatter")
    k = int(m.sum())
    if s.size < k:
        raise ValueError(f"masked_scatter: the mask selects {k} entries but source (shape {s.shape}) has {s.size}")
    flat = SH.Reshape._apply1(s, shape=(-1,))
    return IndexPut.apply(x, SH.GetItem._apply1(flat, index=slice(0, k)), index=np.nonzero(m))


# ------------------------------------------------------------------ scans and reductions


def cumprod(input: Any, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
    """Running product along dim (no dim: over the flattened tensor, as numpy); exact derivative with zeros."""
    x = _t(input)
    if A.pick("cumprod", "dim", dim, "axis", axis, None) is None and dim is _UNSET and axis is _UNSET:
        raise TypeError(f"cumprod: give dim= (the axis to run along) for the tensor of shape {x.shape}")
    y, d = T._scan_dim("cumprod", x, dim, axis)
    return T._unflat(CP.Cumprod._apply1(y, axis=d), x)


def _red_dims(op: str, x: Tensor, dim: Any, keepdim: Any, axis: Any = _UNSET, keepdims: Any = _UNSET) -> tuple:
    d = A.pick(op, "dim", dim, "axis", axis, None)
    k = A.flag(op, "keepdim", A.pick(op, "keepdim", keepdim, "keepdims", keepdims, False))
    if isinstance(d, (tuple, list)) and len(d) == 0:
        d = None
    return A.dims(op, d, x.shape), k


def amax(input: Any, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET
         ) -> Tensor:
    """The largest entry over dim (all by default); the gradient is split evenly over ties (as torch)."""
    x = _t(input)
    axes, k = _red_dims("amax", x, dim, keepdim, axis, keepdims)
    x._nonempty("amax", axes)
    return R.Max._apply1(x, axis=axes, keepdims=k)


def amin(input: Any, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET
         ) -> Tensor:
    """The smallest entry over dim (all by default); the gradient is split evenly over ties (as torch)."""
    x = _t(input)
    axes, k = _red_dims("amin", x, dim, keepdim, axis, keepdims)
    x._nonempty("amin", axes)
    return R.Min._apply1(x, axis=axes, keepdims=k)


def aminmax(input: Any, *, dim: Any = None, keepdim: bool = False) -> tuple:
    """(amin, amax) over dim (all by default), a named pair (min, max)."""
    from .torch_api import return_types as _rt  # noqa: F401

    lo, hi = amin(input, _UNSET if dim is None else dim, keepdim), amax(input, _UNSET if dim is None else dim, keepdim)
    return _MinMax(lo, hi)


class _MinMax(tuple):
    """(min, max) with names, as torch.return_types.aminmax."""

    def __new__(cls, lo: Tensor, hi: Tensor) -> "_MinMax":
        return tuple.__new__(cls, (lo, hi))

    @property
    def min(self) -> Tensor:  # noqa: A003
        return self[0]

    @property
    def max(self) -> Tensor:  # noqa: A003
        return self[1]


def nansum(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The sum over dim with NaNs counted as 0 (their gradient is 0)."""
    x = _t(input)
    axes, k = _red_dims("nansum", x, _UNSET if dim is None else dim, keepdim)
    nan = np.isnan(x.data) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    return R.Sum._apply1(I.MaskedFill.apply(x, nan, value=0.0) if nan.any() else x, axis=axes, keepdims=k)


def nanmean(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The mean over dim of the entries that are not NaN."""
    x = _t(input)
    _float_only("nanmean", x)
    axes, k = _red_dims("nanmean", x, _UNSET if dim is None else dim, keepdim)
    nan = np.isnan(x.data)
    count = np.sum(~nan, axis=axes, keepdims=k).astype(x.dtype)
    return nansum(x, dim, keepdim) / Tensor._make(np.asarray(count))


def count_nonzero(input: Any, dim: Any = None) -> Tensor:
    """The number of nonzero entries over dim (all by default), an int64 tensor."""
    x = _t(input)
    axes, _ = _red_dims("count_nonzero", x, _UNSET if dim is None else dim, False)
    return Tensor._make(np.asarray(np.count_nonzero(x.data, axis=axes), dtype=np.int64))


def _float_only(op: str, x: Tensor) -> None:
    if x.data.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating tensor, got {x.data.dtype}; convert with .double() or .float()")


def _order_stat(op: str, x: Tensor, dim: int, keepdim: bool, pick: Callable) -> _ValuesIndices:
    """The value at a rank picked from the stable order along dim, with its index; gradient through gather."""
    d = A.one_dim(op, dim, x.shape)
    k = A.flag(op, "keepdim", keepdim)
    y = SH.Reshape._apply1(x, shape=(1,)) if x.ndim == 0 else x
    n = y.shape[d]
    if n == 0:
        raise ValueError(f"{op}: dim {d} of the tensor of shape {x.shape} is empty")
    order = I.stable_order(y.data, d, False)
    rank = pick(np.take_along_axis(y.data, order, d), n, d)  # shape with dim of length 1
    idx = np.take_along_axis(order, rank, d)
    values = I.Gather.apply(y, idx, axis=d)
    if not k or x.ndim == 0:
        values = SH.Reshape._apply1(values, shape=tuple(np.delete(np.array(y.shape), d)) if x.ndim else ())
        idx = idx.reshape(values.shape)
    return _ValuesIndices(values, Tensor._make(np.array(idx, dtype=np.int64)))


def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median (torch's: the smaller middle entry for an even count); with dim: (values, indices).

    NaN propagates: a slice holding NaN has median NaN (nanmedian ignores them)."""
    x = _t(input)
    if dim is None:
        if x.size == 0:
            raise ValueError("median: the tensor is empty")
        flat = SH.Reshape._apply1(x, shape=(-1,))
        return _median_dim(flat, 0, False, False).values.reshape(())
    return _median_dim(x, dim, keepdim, False)


def nanmedian(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median of the entries that are not NaN (NaN only where a slice is all NaN)."""
    x = _t(input)
    if dim is None:
        flat = SH.Reshape._apply1(x, shape=(-1,))
        return _median_dim(flat, 0, False, True).values.reshape(())
    return _median_dim(x, dim, keepdim, True)


def _median_dim(x: Tensor, dim: Any, keepdim: bool, skip_nan: bool) -> _ValuesIndices:
    def pick(sorted_: np.ndarray, n: int, d: int) -> np.ndarray:
        nans = np.isnan(sorted_).sum(axis=d, keepdims=True) if sorted_.dtype.kind == "f" else np.zeros(1, int)
        if skip_nan:
            m = n - nans
            return np.where(m > 0, (m - 1) // 2, 0).astype(np.int64)
        # NaN sorts last: a slice with NaN takes its first NaN, as torch
        return np.where(nans > 0, n - nans, (n - 1) // 2).astype(np.int64) * np.ones(
            nans.shape, np.int64)

    return _order_stat("median", x, dim, keepdim, pick)


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> _ValuesIndices:
    """(the k-th smallest entry along dim, counting from 1, and its index)."""
    x = _t(input)
    d = A.one_dim("kthvalue", dim, x.shape)
    n = x.shape[d] if x.ndim else 1
    if not A.is_int(k) or not 1 <= k <= n:
        raise ValueError(f"kthvalue: k={k!r} must be an int in [1, {n}] for dim {d} of shape {x.shape}")

    def pick(sorted_: np.ndarray, n: int, d: int) -> np.ndarray:
        shape = list(sorted_.shape)
        shape[d] = 1
        return np.full(shape, int(k) - 1, np.int64)

    return _order_stat("kthvalue", x, d, keepdim, pick)


def mode(input: Any, dim: int = -1, keepdim: bool = False) -> _ValuesIndices:
    """(the most frequent value along dim (the smallest on ties), the index of its last occurrence)."""
    x = _t(input)
    d = A.one_dim("mode", dim, x.shape)
    k = A.flag("mode", "keepdim", keepdim)
    y = SH.Reshape._apply1(x, shape=(1,)) if x.ndim == 0 else x
    moved = np.moveaxis(y.data, d, -1)
    lead = moved.shape[:-1]
    rows = moved.reshape(-1, moved.shape[-1])
    best = np.zeros(rows.shape[0], np.int64)
    for r, row in enumerate(rows):
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]  # np.unique sorts, so ties go to the smallest value
        best[r] = np.flatnonzero(row == v)[-1]
    idx = np.moveaxis(best.reshape(lead + (1,)), -1, d)
    values = I.Gather.apply(y, idx, axis=d)
    if not k or x.ndim == 0:
        shape = tuple(np.delete(np.array(y.shape), d)) if x.ndim else ()
        values = SH.Reshape._apply1(values, shape=shape)
        idx = idx.reshape(shape)
    return _ValuesIndices(values, Tensor._make(np.array(idx, dtype=np.int64)))


# ------------------------------------------------------------------ elementwise


def _unary(fn: type, x: Any, op: str) -> Tensor:
    x = _t(x)
    _float_only(op, x)
    return fn._apply1(x)


def log1p(input: Any) -> Tensor:
    """log(1 + x), accurate for small x."""
    return _unary(EM.Log1p, input, "log1p")


def expm1(input: Any) -> Tensor:
    """e**x - 1, accurate for small x."""
    return _unary(EM.Expm1, input, "expm1")


def acosh(input: Any) -> Tensor:
    """arccosh x (NaN below 1)."""
    return _unary(EM.Acosh, input, "acosh")


def atanh(input: Any) -> Tensor:
    """arctanh x (NaN outside [-1, 1])."""
    return _unary(EM.Atanh, input, "atanh")


arccosh, arctanh = acosh, atanh


def logit(input: Any, eps: float | None = None) -> Tensor:
    """log(x / (1 - x)), with x clamped to [eps, 1 - eps] first when eps is given."""
    x = _t(input)
    _float_only("logit", x)
    e = None if eps is None else _number(eps, "logit", "eps")
    return EM.Logit._apply1(x, eps=e)


def xlogy(input: Any, other: Any) -> Tensor:
    """x log(y), 0 where x == 0 (so 0 log 0 = 0)."""
    return _binary_op(EM.Xlogy, input, other, "xlogy")


def atan2(input: Any, other: Any) -> Tensor:
    """The angle of the point (other, input): atan2(y, x) in (-pi, pi]."""
    return _binary_op(EM.Atan2, input, other, "atan2")


arctan2 = atan2


def hypot(input: Any, other: Any) -> Tensor:
    """sqrt(a**2 + b**2), without overflow."""
    return _binary_op(EM.Hypot, input, other, "hypot")


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """x with NaN -> nan, +inf -> posinf (the dtype's largest by default), -inf -> neginf (its lowest)."""
    x = _t(input)
    if x.data.dtype.kind != "f":
        return Tensor._make(x.data.copy())
    vals = [None if v is None else _number(v, "nan_to_num", n) for v, n in
            ((nan, "nan"), (posinf, "posinf"), (neginf, "neginf"))]
    return EM.NanToNum._apply1(x, nan=vals[0], posinf=vals[1], neginf=vals[2])


def square(input: Any) -> Tensor:
    """x * x."""
    x = _t(input)
    return x * x


def reciprocal(input: Any) -> Tensor:
    """1 / x (an integer tensor gives floats)."""
    x = _t(input)
    if x.data.dtype.kind != "f":
        x = Tensor._make(x.data.astype(np.float64))
    return 1.0 / x


def frac(input: Any) -> Tensor:
    """x - trunc(x), the fractional part with x's sign; d/dx = 1."""
    x = _t(input)
    _float_only("frac", x)
    return x - Tensor._make(np.trunc(x.data))


def sgn(input: Any) -> Tensor:
    """sign(x) (torch's sgn, the same for real tensors)."""
    return T.sign(input)


def erfc(input: Any) -> Tensor:
    """1 - erf(x)."""
    x = _t(input)
    _float_only("erfc", x)
    return 1.0 - x.erf()


def deg2rad(input: Any) -> Tensor:
    """x pi / 180."""
    return _t(input) * (np.pi / 180.0)


def rad2deg(input: Any) -> Tensor:
    """x 180 / pi."""
    return _t(input) * (180.0 / np.pi)


def absolute(input: Any) -> Tensor:
    """|x|."""
    return abs(_t(input))


def positive(input: Any) -> Tensor:
    """x itself."""
    return _t(input)


def signbit(input: Any) -> Tensor:
    """A bool tensor: True where the sign bit is set (x < 0, and -0.0)."""
    return Tensor._make(np.signbit(_t(input).data))


def isposinf(input: Any) -> Tensor:
    """A bool tensor: True where x is +inf."""
    return Tensor._make(np.isposinf(_t(input).data))


def isneginf(input: Any) -> Tensor:
    """A bool tensor: True where x is -inf."""
    return Tensor._make(np.isneginf(_t(input).data))


def fmax(input: Any, other: Any) -> Tensor:
    """max(a, b) elementwise, a NaN losing to a number (numpy's fmax)."""
    a, b = _same_kind(*_pair(input, other, "fmax"))
    return where(np.isnan(a.data), b, where(np.isnan(b.data), a, a.maximum(b)))


def fmin(input: Any, other: Any) -> Tensor:
    """min(a, b) elementwise, a NaN losing to a number (numpy's fmin)."""
    a, b = _same_kind(*_pair(input, other, "fmin"))
    return where(np.isnan(a.data), b, where(np.isnan(b.data), a, a.minimum(b)))


def clamp_min(input: Any, min: Any) -> Tensor:  # noqa: A002
    """max(x, min)."""
    return _t(input).clamp(min=min)


def clamp_max(input: Any, max: Any) -> Tensor:  # noqa: A002
    """min(x, max)."""
    return _t(input).clamp(max=max)


# ------------------------------------------------------------------ layout


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """The n-th forward difference x[i + 1] - x[i] along dim (prepend/append joined on first)."""
    x = _t(input)
    if x.ndim == 0:
        raise ValueError("diff: needs a tensor with at least one axis, got a 0-d tensor")
    d = A.one_dim("diff", dim, x.shape)
    m = A.count("diff", "n", n)
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        parts = [Tensor._lift(p, x, "diff") for p in parts]
        parts = [p.expand(x.shape[:d] + (1,) + x.shape[d + 1:]) if p.ndim == 0 else p for p in parts]
        x = SH.Concatenate.apply(*parts, axis=d)
    lead = (slice(None),) * d
    for _ in range(m):
        if x.shape[d] == 0:
            break
        x = x[lead + (slice(1, None),)] - x[lead + (slice(None, -1),)]
    return x


def rot90(input: Any, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """x rotated by 90 degrees k times in the plane dims (from the first axis towards the second)."""
    x = _t(input)
    if not A.is_int(k):
        raise TypeError(f"rot90: k must be an int, got {k!r}")
    if not isinstance(dims, (tuple, list)) or len(dims) != 2:
        raise ValueError(f"rot90: dims must be two axes, got {dims!r}")
    if x.ndim < 2:
        raise ValueError(f"rot90: needs a tensor with at least 2 axes, got shape {x.shape}")
    a, b = (A.one_dim("rot90", v, x.shape, "dims") for v in dims)
    if a == b:
        raise ValueError(f"rot90: dims {tuple(dims)} name the same axis twice")
    k = int(k) % 4
    if k == 0:
        return SH.Clone._apply1(x)
    if k == 2:
        return L.Flip._apply1(x, axes=tuple(sorted((a, b))))
    perm = list(range(x.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    if k == 1:
        return SH.Transpose._apply1(L.Flip._apply1(x, axes=(b,)), axes=tuple(perm))
    return L.Flip._apply1(SH.Transpose._apply1(x, axes=tuple(perm)), axes=(b,))


def fliplr(input: Any) -> Tensor:
    """x reversed along axis 1 (left/right)."""
    x = _t(input)
    if x.ndim < 2:
        raise ValueError(f"fliplr: needs at least 2 axes, got shape {x.shape}")
    return L.Flip._apply1(x, axes=(1,))


def flipud(input: Any) -> Tensor:
    """x reversed along axis 0 (up/down)."""
    x = _t(input)
    if x.ndim < 1:
        raise ValueError("flipud: needs at least 1 axis, got a 0-d tensor")
    return L.Flip._apply1(x, axes=(0,))


def kron(input: Any, other: Any) -> Tensor:
    """The Kronecker product: out[i*m + k, ...] = a[i, ...] b[k, ...] (shapes padded with leading 1s)."""
    a, b = _same_kind(*_pair(input, other, "kron"))
    nd = builtins.max(a.ndim, b.ndim)
    sa, sb = (1,) * (nd - a.ndim) + a.shape, (1,) * (nd - b.ndim) + b.shape
    ai = a.reshape(tuple(v for n in sa for v in (n, 1)))
    bi = b.reshape(tuple(v for n in sb for v in (1, n)))
    return (ai * bi).reshape(tuple(p * q for p, q in zip(sa, sb)))


def cross(input: Any, other: Any, dim: Any = None) -> Tensor:
    """The 3-D cross product along dim (torch's default: the first axis of length 3; linalg.cross: -1)."""
    a, b = _same_kind(*_pair(input, other, "cross"))
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cross: shapes {a.shape} and {b.shape} do not broadcast") from None
    if dim is None:
        d = next((i for i, n in enumerate(shape) if n == 3), None)
        if d is None:
            raise ValueError(f"cross: no axis of length 3 in the shape {shape}; give dim=")
    else:
        d = A.one_dim("cross", dim, shape)
    if shape[d] != 3:
        raise ValueError(f"cross: dim {d} has length {shape[d]} in the shape {shape}; it must be 3")
    a, b = a.expand(shape), b.expand(shape)
    lead = (slice(None),) * d

    def c(t: Tensor, i: int) -> Tensor:
        return t[lead + (slice(i, i + 1),)]

    parts = [c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1), c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2),
             c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0)]
    return SH.Concatenate.apply(*parts, axis=d)


def outer(input: Any, vec2: Any) -> Tensor:
    """out[i, j] = a[i] b[j] of two 1-D tensors."""
    a, b = _same_kind(*_pair(input, vec2, "outer"))
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: needs two 1-D tensors, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)


ger = outer


def trace(input: Any) -> Tensor:
    """The sum of the main diagonal of a matrix."""
    x = _t(input)
    if x.ndim != 2:
        raise ValueError(f"trace: needs a 2-D tensor (a matrix), got shape {x.shape}")
    return T.diagonal(x).sum()


def movedim(input: Any, source: Any, destination: Any) -> Tensor:
    """x with the axes in source moved to the positions in destination (the others keep their order)."""
    x = _t(input)
    src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {src} and destination {dst} must have the same number of axes")
    s = [A.one_dim("movedim", v, x.shape, "source") for v in src]
    t = [A.one_dim("movedim", v, x.shape, "destination") for v in dst]
    if len(set(s)) != len(s) or len(set(t)) != len(t):
        raise ValueError(f"movedim: repeated axis in source {src} or destination {dst}")
    if x.ndim == 0:
        return x
    perm = [-1] * x.ndim
    for a, b in zip(s, t):
        perm[b] = a
    rest = iter(a for a in range(x.ndim) if a not in s)
    return SH.Transpose._apply1(x, axes=tuple(p if p >= 0 else next(rest) for p in perm))


moveaxis = movedim


def narrow(input: Any, dim: int, start: Any, length: int) -> Tensor:
    """x[..., start:start + length, ...] along dim (a view, as torch)."""
    x = _t(input)
    d = A.one_dim("narrow", dim, x.shape)
    n = x.shape[d]
    s = int(start) if not isinstance(start, Tensor) else int(start.item())
    if not -n <= s <= n:
        raise IndexError(f"narrow: start {s} is out of range for dim {d} of length {n}")
    if s < 0:
        s += n
    m = A.count("narrow", "length", length)
    if s + m > n:
        raise ValueError(f"narrow: start ({s}) + length ({m}) exceeds dim {d} of length {n} (shape {x.shape})")
    return x[(slice(None),) * d + (slice(s, s + m),)]


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces along dim: n nearly equal ones (the first n % len get one more), or cut at the given indices."""
    x = _t(input)
    if x.ndim == 0:
        raise ValueError("tensor_split: needs a tensor with at least one axis")
    d = A.one_dim("tensor_split", dim, x.shape)
    n = x.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        spec = spec.data.tolist()
    if isinstance(spec, (tuple, list)):
        cuts = [int(v) for v in spec]
    else:
        k = A.count("tensor_split", "sections", spec, 1)
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        cuts = np.cumsum(sizes)[:-1].tolist()
    bounds = [0] + [builtins.min(builtins.max(c if c >= 0 else c + n, 0), n) for c in cuts] + [n]
    lead = (slice(None),) * d
    return tuple(x[lead + (slice(bounds[i], builtins.max(bounds[i], bounds[i + 1])),)]
                 for i in range(len(bounds) - 1))


def unbind(input: Any, dim: int = 0) -> tuple:
    """The slices of x along dim, each without that axis."""
    x = _t(input)
    if x.ndim == 0:
        raise ValueError("unbind: cannot unbind a 0-d tensor")
    d = A.one_dim("unbind", dim, x.shape)
    lead = (slice(None),) * d
    return tuple(x[lead + (i,)] for i in range(x.shape[d]))


def tile(input: Any, dims: Any) -> Tensor:
    """x repeated dims[i] times along axis i (fewer dims than axes: leading 1s are assumed)."""
    x = _t(input)
    reps = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    reps = (1,) * (x.ndim - len(reps)) + reps
    return T.repeat(x, *reps)


def swapaxes(input: Any, axis0: int, axis1: int) -> Tensor:
    """x with two axes swapped."""
    return _t(input).swapaxes(axis0, axis1)


swapdims = swapaxes


def _joinable(tensors: Any, op: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [Tensor._lift(t, first, op) for t in tensors]


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one axis (0-d ones become shape (1,))."""
    out = [(_t(t).reshape(1) if _t(t).ndim == 0 else _t(t)) for t in _varargs(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two axes (leading axes of length 1 added)."""
    out = []
    for t in _varargs(tensors):
        t = _t(t)
        out.append(t.reshape((1,) * (2 - t.ndim) + t.shape) if t.ndim < 2 else t)
    return out[0] if len(out) == 1 else tuple(out)


def _varargs(tensors: tuple) -> tuple:
    return tuple(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors


def hstack(tensors: Sequence[Any]) -> Tensor:
    """Joined along axis 1 (axis 0 for 1-D tensors)."""
    ts = [atleast_1d(t) for t in _joinable(tensors, "hstack")]
    from .tensor import concatenate

    return concatenate(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Joined along axis 0, 1-D tensors as rows."""
    from .tensor import concatenate

    return concatenate([atleast_2d(t) for t in _joinable(tensors, "vstack")], 0)


def dstack(tensors: Sequence[Any]) -> Tensor:
    """Joined along axis 2 (tensors of fewer axes made (1, n, 1) or (m, n, 1) first)."""
    from .tensor import concatenate

    ts = []
    for t in _joinable(tensors, "dstack"):
        t = atleast_2d(t)
        ts.append(t.reshape(t.shape + (1,)) if t.ndim == 2 else t)
    return concatenate(ts, 2)


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """1-D tensors as columns, joined along axis 1."""
    from .tensor import concatenate

    ts = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _joinable(tensors, "column_stack")]
    return concatenate(ts, 1)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors; indexing "ij" (matrix, torch's default) or "xy" (Cartesian)."""
    ts = [_t(t) for t in _varargs(tensors)]
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in ts:
        if t.ndim > 1:
            raise ValueError(f"meshgrid: needs 0-d or 1-d tensors, got shape {t.shape}")
    ts = [t.reshape(-1) for t in ts]
    shape = tuple(t.shape[0] for t in ts)
    out = [t.reshape((1,) * i + (-1,) + (1,) * (len(ts) - i - 1)).expand(shape) for i, t in enumerate(ts)]
    if indexing == "xy" and len(ts) >= 2:  # Cartesian: the first two axes of every grid swapped
        out = [o.swapaxes(0, 1) for o in out]
    return tuple(out)


def cartesian_prod(*tensors: Any) -> Tensor:
    """Every combination of the entries of the 1-D tensors, one per row (a 1-D tensor given one input)."""
    ts = [_t(t) for t in _varargs(tensors)]
    if len(ts) == 1:
        return ts[0]
    from .tensor import stack

    return stack([g.reshape(-1) for g in meshgrid(*ts, indexing="ij")], 1)


def block_diag(*tensors: Any) -> Tensor:
    """The matrices along the diagonal of one matrix, zeros elsewhere (0-d and 1-d inputs as rows)."""
    ts = [atleast_2d(t) for t in _joinable(list(_varargs(tensors)), "block_diag")]
    from .tensor import concatenate

    ncol = builtins.sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        right = ncol - left - t.shape[1]
        rows.append(T.pad(t, (left, right)))
        left += t.shape[1]
    return concatenate(rows, 0)


def diag(input: Any, diagonal: int = 0) -> Tensor:
    """A 1-D tensor as the diagonal ``diagonal`` of a square matrix; a matrix's diagonal as a 1-D tensor."""
    x = _t(input)
    if x.ndim == 2:
        return T.diagonal(x, diagonal)
    if x.ndim != 1:
        raise ValueError(f"diag: needs a 1-D or 2-D tensor, got shape {x.shape}")
    return diag_embed(x, diagonal)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices whose diagonal ``offset`` holds the last axis of x (in the planes dim1, dim2 of the result)."""
    x = _t(input)
    if not A.is_int(offset):
        raise TypeError(f"diag_embed: offset must be an int, got {offset!r}")
    n = x.shape[-1] + builtins.abs(int(offset))
    lead = x.shape[:-1]
    rows = np.arange(x.shape[-1]) + builtins.max(-offset, 0)
    cols = np.arange(x.shape[-1]) + builtins.max(offset, 0)
    out = SH.ScatterAdd._apply1(x, index=(Ellipsis, rows, cols), shape=lead + (n, n))
    nd = out.ndim
    a, b = A.one_dim("diag_embed", dim1, (0,) * nd, "dim1"), A.one_dim("diag_embed", dim2, (0,) * nd, "dim2")
    if (a, b) != (nd - 2, nd - 1):
        out = movedim(out, (nd - 2, nd - 1), (a, b))
    return out


# ------------------------------------------------------------------ products


def _matrix(op: str, x: Tensor, nd: int, what: str) -> None:
    if x.ndim != nd:
        raise ValueError(f"{op}: {what} must have {nd} axes, got shape {x.shape}")


def mm(input: Any, mat2: Any) -> Tensor:
    """The matrix product of two 2-D tensors (no broadcasting)."""
    a, b = _same_kind(*_pair(input, mat2, "mm"))
    _matrix("mm", a, 2, "input")
    _matrix("mm", b, 2, "mat2")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"mm: shapes {a.shape} and {b.shape} cannot be multiplied ({a.shape[1]} != {b.shape[0]})")
    return a @ b


def bmm(input: Any, mat2: Any) -> Tensor:
    """Batched matrix products of two 3-D tensors (b, n, m) @ (b, m, p) (no broadcasting)."""
    a, b = _same_kind(*_pair(input, mat2, "bmm"))
    _matrix("bmm", a, 3, "input")
    _matrix("bmm", b, 3, "mat2")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"bmm: shapes {a.shape} and {b.shape} do not fit (b, n, m) @ (b, m, p)")
    return a @ b


def mv(input: Any, vec: Any) -> Tensor:
    """A matrix times a vector."""
    a, v = _same_kind(*_pair(input, vec, "mv"))
    _matrix("mv", a, 2, "input")
    _matrix("mv", v, 1, "vec")
    if a.shape[1] != v.shape[0]:
        raise ValueError(f"mv: shapes {a.shape} and {v.shape} cannot be multiplied")
    return a @ v


def _scaled(x: Tensor, s: Any, op: str, what: str) -> Tensor:
    return x if s == 1 else x * _number(s, op, what)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta input + alpha (mat1 @ mat2), input broadcast to the product's shape."""
    prod = mm(mat1, mat2)
    return _scaled(_t(input), beta, "addmm", "beta") + _scaled(prod, alpha, "addmm", "alpha") if beta != 0 else \
        _scaled(prod, alpha, "addmm", "alpha")


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta input + alpha (mat @ vec)."""
    prod = mv(mat, vec)
    return _scaled(_t(input), beta, "addmv", "beta") + _scaled(prod, alpha, "addmv", "alpha") if beta != 0 else \
        _scaled(prod, alpha, "addmv", "alpha")


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta input + alpha (batch1 @ batch2) for 3-D batches."""
    prod = bmm(batch1, batch2)
    return _scaled(_t(input), beta, "baddbmm", "beta") + _scaled(prod, alpha, "baddbmm", "alpha") if beta != 0 else \
        _scaled(prod, alpha, "baddbmm", "alpha")


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta input + alpha sum_b (batch1[b] @ batch2[b])."""
    prod = bmm(batch1, batch2).sum(axis=0)
    return _scaled(_t(input), beta, "addbmm", "beta") + _scaled(prod, alpha, "addbmm", "alpha") if beta != 0 else \
        _scaled(prod, alpha, "addbmm", "alpha")


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value tensor1 tensor2 (all broadcast)."""
    return _t(input) + _scaled(_t(tensor1) * tensor2, value, "addcmul", "value")


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value tensor1 / tensor2 (all broadcast)."""
    return _t(input) + _scaled(_t(tensor1) / tensor2, value, "addcdiv", "value")


def cdist(x1: Any, x2: Any, p: float = 2.0) -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (..., n, d) and x2 (..., m, d): shape (..., n, m)."""
    a, b = _same_kind(*_pair(x1, x2, "cdist"))
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise ValueError(f"cdist: needs (..., n, d) and (..., m, d) with the same d, got {a.shape} and {b.shape}")
    diffs = a.unsqueeze(-2) - b.unsqueeze(-3)
    return T.norm(diffs, p, -1)


def dist(input: Any, other: Any, p: float = 2.0) -> Tensor:
    """The p-norm of input - other (broadcast), over all entries."""
    a, b = _same_kind(*_pair(input, other, "dist"))
    return T.norm(a - b, p)


# ------------------------------------------------------------------ comparisons (constants)


def _compare(fn: Callable, op: str) -> Callable:
    def compare(input: Any, other: Any) -> Tensor:
        a, b = _pair(input, other, op)
        try:
            return Tensor._make(np.asarray(fn(a.data, b.data)))
        except ValueError:
            raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None

    compare.__name__ = op
    compare.__doc__ = f"A bool tensor: input {op} other, elementwise (broadcast); never in the graph."
    return compare


eq = _compare(np.equal, "eq")
ne = not_equal = _compare(np.not_equal, "ne")
lt = less = _compare(np.less, "lt")
le = less_equal = _compare(np.less_equal, "le")
gt = greater = _compare(np.greater, "gt")
ge = greater_equal = _compare(np.greater_equal, "ge")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")


def logical_not(input: Any) -> Tensor:
    """A bool tensor: True where x is 0 (False)."""
    return Tensor._make(np.logical_not(_t(input).data))


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """A bool tensor: |a - b| <= atol + rtol |b| elementwise."""
    a, b = _pair(input, other, "isclose")
    return Tensor._make(np.asarray(np.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True when isclose holds everywhere (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).data.all())


def equal(input: Any, other: Any) -> bool:
    """True when both have the same shape and the same entries (a Python bool)."""
    a, b = _t(input), _t(other)
    return a.shape == b.shape and bool(np.array_equal(a.data, b.data))


# ------------------------------------------------------------------ counting (constants)


def histc(input: Any, bins: int = 100, min: float = 0.0, max: float = 0.0) -> Tensor:  # noqa: A002
    """Counts in ``bins`` equal bins over [min, max] (both 0: the data's range); entries outside are dropped."""
    x = _t(input)
    _float_only("histc", x)
    nb = A.count("histc", "bins", bins, 1)
    lo, hi = _number(min, "histc", "min"), _number(max, "histc", "max")
    if lo > hi:
        raise ValueError(f"histc: min={lo:g} is greater than max={hi:g}")
    if lo == hi:
        if x.size:
            lo, hi = float(np.min(x.data)), float(np.max(x.data))
        if lo == hi:
            lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(x.data, bins=nb, range=(lo, hi))
    return Tensor._make(counts.astype(x.dtype))


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Tensor:
    """How often each non-negative int occurs in a 1-D tensor (summed weights when given)."""
    x = _t(input)
    if x.data.dtype.kind not in "iu" or x.ndim != 1:
        raise TypeError(f"bincount: needs a 1-D integer tensor, got {x.data.dtype} of shape {x.shape}")
    if x.size and x.data.min() < 0:
        raise ValueError("bincount: the input must hold non-negative integers")
    m = A.count("bincount", "minlength", minlength)
    if weights is None:
        return Tensor._make(np.bincount(x.data, minlength=m).astype(np.int64))
    w = _t(weights)
    if w.shape != x.shape:
        raise ValueError(f"bincount: weights of shape {w.shape} must match the input's shape {x.shape}")
    n = builtins.max(int(x.data.max()) + 1 if x.size else 0, m)
    if w.requires_grad:
        return SH.ScatterAdd._apply1(w, index=x.data, shape=(n,))
    return Tensor._make(np.bincount(x.data, weights=w.data, minlength=m).astype(
        w.dtype if w.dtype.kind == "f" else np.float64))


def unique(input: Any, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim: Any = None) -> Any:
    """The distinct values (sorted), with the inverse index and the counts when asked (constants)."""
    x = _t(input)
    if dim is not None:
        d = A.one_dim("unique", dim, x.shape)
        vals, inv, counts = np.unique(x.data, return_inverse=True, return_counts=True, axis=d)
    else:
        vals, inv, counts = np.unique(x.data, return_inverse=True, return_counts=True)
        inv = inv.reshape(x.shape)
    out = [Tensor._make(vals)]
    if return_inverse:
        out.append(Tensor._make(inv.astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def argwhere(input: Any) -> Tensor:
    """The (n, ndim) int64 indices of the nonzero entries."""
    return Tensor._make(np.argwhere(_t(input).data).astype(np.int64))


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero entries: an (n, ndim) int64 tensor, or one 1-D tensor per axis (as_tuple)."""
    x = _t(input)
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(x.data)))
    return argwhere(x)


# ------------------------------------------------------------------ Tensor methods


def _new(fill: Callable) -> Callable:
    def method(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
               **kw: Any) -> Tensor:
        if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
            raise RuntimeError(f"new tensor: gradwork computes on the CPU only, got device {device!r}")
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        for n in size:
            if not A.is_int(n) or n < 0:
                raise ValueError(f"new tensor: sizes must be non-negative ints, got {size!r}")
        dt = self.data.dtype if dtype is None else np.dtype(dtype)
        t = Tensor._make(fill(tuple(int(n) for n in size), dt, **kw))
        return t.requires_grad_(True) if requires_grad else t

    return method


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    size = tuple(size) if isinstance(size, (tuple, list)) else (size,)
    return _new(lambda s, dt: np.full(s, fill_value, dt))(self, size, dtype=dtype, requires_grad=requires_grad,
                                                          device=device)


def _new_tensor(self: Tensor, data: Any, *, dtype: Any = None, requires_grad: bool = False,
                device: Any = None) -> Tensor:
    arr = np.array(getattr(data, "data", data), dtype=self.data.dtype if dtype is None else dtype)
    t = Tensor._make(arr)
    return t.requires_grad_(True) if requires_grad else t


def _type_as(self: Tensor, other: Any) -> Tensor:
    return self.astype(_t(other).dtype)


def _view_as(self: Tensor, other: Any) -> Tensor:
    return self.reshape(_t(other).shape)


def _contiguous(self: Tensor, *args: Any, **kw: Any) -> Tensor:
    return self if self.data.flags.c_contiguous else SH.Clone._apply1(self)


def _inplace_method(name: str, fn: Callable) -> Callable:
    """``x.<name>(...)``: ``fn``'s result written into x in place (recorded with torch's rules, see inplace.py)."""
    from . import inplace as _ip

    def method(self: Tensor, *args: Any, **kw: Any) -> Tensor:
        pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]

        def fill(vals: tuple) -> list:
            a = list(args)
            for i, v in zip(pos, vals):
                a[i] = v
            return a

        def write(d: np.ndarray, *vals: Any) -> None:
            res = fn(Tensor._make(d), *fill(tuple(Tensor._make(v) if isinstance(v, np.ndarray) else v for v in vals)),
                     **kw)
            np.copyto(d, np.broadcast_to(res.data, d.shape), casting="same_kind")

        def compute(s: Tensor, *vals: Any) -> Tensor:
            res = fn(s, *fill(vals), **kw)
            if res.data.dtype != s.data.dtype and res.data.dtype.kind == "f":
                res = res.astype(s.data.dtype)
            if res._ctx is None:  # a constant result (a comparison, a rounded quotient of constants): written
                return Copy._apply2(s, Tensor._make(res.data.astype(s.data.dtype)))  # over s, d/ds = 0
            return res

        return _ip._inplace(self, name, write, compute, *[args[i] for i in pos])

    method.__name__ = name
    method.__doc__ = f"``{name[:-1]}`` written into this tensor in place (returns self)."
    return method


_METHODS = {  # Tensor method name -> function (self first)
    "floor_divide": floor_divide, "remainder": remainder, "fmod": fmod, "true_divide": true_divide,
    "scatter_reduce": scatter_reduce, "index_add": index_add, "index_copy": index_copy, "index_fill": index_fill,
    "index_select": index_select, "take_along_dim": take_along_dim, "masked_select": masked_select,
    "masked_scatter": masked_scatter,
    "cumprod": cumprod, "amax": amax, "amin": amin, "aminmax": aminmax, "nansum": nansum, "nanmean": nanmean,
    "count_nonzero": count_nonzero, "median": median, "nanmedian": nanmedian, "kthvalue": kthvalue, "mode": mode,
    "log1p": log1p, "expm1": expm1, "acosh": acosh, "atanh": atanh, "arccosh": acosh, "arctanh": atanh,
    "logit": logit, "xlogy": xlogy, "atan2": atan2, "arctan2": atan2, "hypot": hypot, "nan_to_num": nan_to_num,
    "square": square, "reciprocal": reciprocal, "frac": frac, "sgn": sgn, "erfc": erfc, "deg2rad": deg2rad,
    "rad2deg": rad2deg, "absolute": absolute, "positive": positive, "signbit": signbit, "isposinf": isposinf,
    "isneginf": isneginf, "fmax": fmax, "fmin": fmin,
    "diff": diff, "rot90": rot90, "fliplr": fliplr, "flipud": flipud, "kron": kron, "cross": cross, "outer": outer,
    "ger": outer, "trace": trace, "movedim": movedim, "moveaxis": movedim, "narrow": narrow,
    "tensor_split": tensor_split, "unbind": unbind, "tile": tile, "diag": diag, "diag_embed": diag_embed,
    "mm": mm, "bmm": bmm, "mv": mv, "addmm": addmm, "addmv": addmv, "baddbmm": baddbmm, "addbmm": addbmm,
    "addcmul": addcmul, "addcdiv": addcdiv, "dist": dist,
    "eq": eq, "ne": ne, "not_equal": ne, "lt": lt, "less": lt, "le": le, "less_equal": le, "gt": gt,
    "greater": gt, "ge": ge, "greater_equal": ge, "isclose": isclose, "allclose": allclose, "equal": equal,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor, "logical_not": logical_not,
    "histc": histc, "bincount": bincount, "unique": unique, "argwhere": argwhere, "nonzero": nonzero,
    "new_zeros": _new(np.zeros), "new_ones": _new(np.ones), "new_empty": _new(np.empty), "new_full": _new_full,
    "new_tensor": _new_tensor, "type_as": _type_as, "view_as": _view_as, "reshape_as": _view_as,
    "contiguous": _contiguous,
}

_INPLACE = {  # in-place twins: name -> out-of-place function of (self, ...)
    "masked_fill_": T.masked_fill, "index_fill_": index_fill, "index_add_": index_add, "index_copy_": index_copy,
    "scatter_add_": T.scatter_add, "scatter_reduce_": scatter_reduce, "masked_scatter_": masked_scatter,
    "exp_": lambda x: x.exp(), "log_": lambda x: x.log(), "sqrt_": lambda x: x.sqrt(), "abs_": lambda x: abs(x),
    "neg_": lambda x: -x, "relu_": lambda x: x.relu(), "sigmoid_": lambda x: x.sigmoid(),
    "tanh_": lambda x: x.tanh(), "square_": square, "reciprocal_": reciprocal, "pow_": lambda x, e: x**e,
    "clamp_min_": clamp_min, "clamp_max_": clamp_max, "floor_": T.floor, "ceil_": T.ceil, "round_": T.round,
    "trunc_": T.trunc, "frac_": frac, "sin_": lambda x: x.sin(), "cos_": lambda x: x.cos(),
    "lerp_": T.lerp, "addcmul_": addcmul, "addcdiv_": addcdiv, "addmm_": addmm, "tril_": T.tril, "triu_": T.triu,
    "floor_divide_": floor_divide, "remainder_": remainder, "fmod_": fmod, "nan_to_num_": nan_to_num,
    "log1p_": log1p, "expm1_": expm1, "hardtanh_": T.hardtanh, "leaky_relu_": lambda x, s=0.01: x.leaky_relu(s),
    "elu_": lambda x, a=1.0: x.elu(a), "sign_": T.sign, "fill_diagonal_": None,
}


def _scatter_(self: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
              ) -> Tensor:
    return _inplace_method("scatter_", lambda x, *a: scatter(x, dim, index, *a, value=value, reduce=reduce))(
        self, *(() if src is None else (src,)))


def _fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """The main diagonal (of a matrix, or of an n-d tensor of equal sides) set to fill_value, in place."""
    if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) != 1):
        raise ValueError(f"fill_diagonal_: needs a matrix or a tensor with all sides equal, got shape {self.shape}")
    v = _number(fill_value, "fill_diagonal_", "fill_value")
    n = builtins.min(self.shape)
    idx = np.arange(n)
    if wrap and self.ndim == 2 and self.shape[0] > self.shape[1] + 1:
        step = self.shape[1] + 1
        rows = np.concatenate([np.arange(s, builtins.min(s + self.shape[1], self.shape[0]))
                               for s in range(0, self.shape[0], step)])
        cols = np.concatenate([np.arange(builtins.min(self.shape[1], self.shape[0] - s))
                               for s in range(0, self.shape[0], step)])
        index: tuple = (rows, cols)
    else:
        index = (idx,) * self.ndim
    self[index] = v
    return self


def install(cls: type) -> None:
    """Put the methods on ``Tensor`` (only names it does not define itself)."""
    for name, fn in _METHODS.items():
        if name not in cls.__dict__:
            setattr(cls, name, fn)
    for name, fn in _INPLACE.items():
        if fn is not None and name not in cls.__dict__:
            setattr(cls, name, _inplace_method(name, fn))
    if "scatter_" not in cls.__dict__:
        cls.scatter_ = _scatter_
    if "fill_diagonal_" not in cls.__dict__:
        cls.fill_diagonal_ = _fill_diagonal_
    cls.__floordiv__ = lambda self, other: floor_divide(self, other)
    cls.__rfloordiv__ = lambda self, other: floor_divide(Tensor._lift(other, self, "floor_divide"), self)
    cls.__mod__ = lambda self, other: remainder(self, other)
    cls.__rmod__ = lambda self, other: remainder(Tensor._lift(other, self, "remainder"), self)
    cls.__ifloordiv__ = _inplace_method("floor_divide_", floor_divide)
    cls.__imod__ = _inplace_method("remainder_", remainder)


install(Tensor)
