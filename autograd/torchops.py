"""torch-named functions beyond the core set: each checks its arguments, then applies an op from
``autograd/ops/`` (elementwise, scan, layout, index, einsum). The Tensor methods of the same names
call these; ``autograd.<name>`` exports them where torch has ``torch.<name>``.

torch's spelling (``dim=``, ``keepdim=``) has torch's meaning; numpy's spelling (``axis=``,
``keepdims=``) is accepted too where numpy has a function of the same name.
Index results (sort, topk, cummax, argsort) are int64 Tensors that never require grad.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, NamedTuple, Sequence

import numpy as np

from .ops import _torchargs as A
from .ops.arith import _pair
from .ops import elementwise as E
from .ops import index as I
from .ops import layout as L
from .ops import reduce as R
from .ops import scan as S
from .ops import shape as SH
from .ops import unary as U
from .ops.einsum import Einsum, parse_einsum
from .tensor import Tensor, as_tensor

_UNSET = A._UNSET

__all__ = [
    "rsqrt", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "arcsin", "arccos", "arctan", "arcsinh",
    "log2", "log10", "exp2", "sign", "floor", "ceil", "round", "trunc", "isnan", "isinf", "isfinite",
    "copysign", "logaddexp", "lerp",
    "celu", "selu", "softsign", "hardsigmoid", "hardswish", "hardtanh", "relu6", "softmin", "normalize",
    "softplus",
    "prod", "cumsum", "cummax", "cummin", "logcumsumexp", "any", "all", "var_mean", "std_mean", "norm",
    "flip", "roll", "repeat", "repeat_interleave", "pad", "unflatten", "diagonal", "tril", "triu",
    "split", "chunk", "linspace",
    "gather", "scatter", "scatter_add", "masked_fill", "topk", "sort", "argsort", "einsum",
    "ValuesIndices",
]


class ValuesIndices(NamedTuple):
    """What sort, topk, cummax and cummin return: the values (in the graph) and their int64 indices."""

    values: Tensor
    indices: Tensor


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(x)


def _ints(x: np.ndarray) -> Tensor:
    return Tensor._make(np.array(x, dtype=np.int64, order="C"))  # ascontiguousarray would make 0-d 1-d


def _number(x: Any, op: str, what: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Real, np.floating, np.integer)):
        raise TypeError(f"{op}: {what} must be a number, got {x!r}")
    return float(x)




def _unary(fn: type, x: Any) -> Tensor:
    return fn._apply1(_t(x))


# ------------------------------------------------------------------ elementwise


def rsqrt(input: Any) -> Tensor:
    """1/sqrt(x)."""
    return _unary(E.Rsqrt, input)


def tan(input: Any) -> Tensor:
    """tan x."""
    return _unary(E.Tan, input)


def asin(input: Any) -> Tensor:
    """arcsin x (NaN outside [-1, 1])."""
    return _unary(E.Asin, input)


def acos(input: Any) -> Tensor:
    """arccos x (NaN outside [-1, 1])."""
    return _unary(E.Acos, input)


def atan(input: Any) -> Tensor:
    """arctan x."""
    return _unary(E.Atan, input)


def sinh(input: Any) -> Tensor:
    """sinh x."""
    return _unary(E.Sinh, input)


def cosh(input: Any) -> Tensor:
    """cosh x."""
    return _unary(E.Cosh, input)


def asinh(input: Any) -> Tensor:
    """arcsinh x."""
    return _unary(E.Asinh, input)


arcsin, arccos, arctan, arcsinh = asin, acos, atan, asinh


def log2(input: Any) -> Tensor:
    """log base 2."""
    return _unary(E.Log2, input)


def log10(input: Any) -> Tensor:
    """log base 10."""
    return _unary(E.Log10, input)


def exp2(input: Any) -> Tensor:
    """2**x."""
    return _unary(E.Exp2, input)


def sign(input: Any) -> Tensor:
    """-1, 0 or 1 by the sign of x (derivative 0)."""
    return _unary(E.Sign, input)


def floor(input: Any) -> Tensor:
    """Largest whole number <= x (derivative 0)."""
    return _unary(E.Floor, input)


def ceil(input: Any) -> Tensor:
    """Smallest whole number >= x (derivative 0)."""
    return _unary(E.Ceil, input)


def round(input: Any, decimals: int = 0) -> Tensor:  # noqa: A001  (torch's name)
    """x rounded to ``decimals`` places, halves to even (derivative 0)."""
    if not A.is_int(decimals):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    return E.Round._apply1(_t(input), decimals=int(decimals))


def trunc(input: Any) -> Tensor:
    """x rounded towards 0 (derivative 0)."""
    return _unary(E.Trunc, input)


def isnan(input: Any) -> Tensor:
    """A bool tensor: True where x is NaN (never in the graph)."""
    return Tensor._make(np.isnan(_t(input).data))


def isinf(input: Any) -> Tensor:
    """A bool tensor: True where x is +inf or -inf (never in the graph)."""
    return Tensor._make(np.isinf(_t(input).data))


def isfinite(input: Any) -> Tensor:
    """A bool tensor: True where x is neither NaN nor infinite (never in the graph)."""
    return Tensor._make(np.isfinite(_t(input).data))


def copysign(input: Any, other: Any) -> Tensor:
    """|input| with the sign of ``other`` (broadcast); no gradient flows to ``other``."""
    return E.Copysign._apply2(*_pair(input, other, "copysign"))


def logaddexp(input: Any, other: Any) -> Tensor:
    """log(e**input + e**other), without overflow (broadcast)."""
    return E.LogAddExp._apply2(*_pair(input, other, "logaddexp"))


def lerp(input: Any, end: Any, weight: Any) -> Tensor:
    """input + weight (end - input), all three broadcast (weight a number or a tensor)."""
    start, end = _pair(input, end, "lerp")
    w = Tensor._lift(weight, start, "lerp")
    try:
        np.broadcast_shapes(start.shape, end.shape, w.shape)
    except ValueError:
        raise ValueError(
            f"lerp: start {start.shape}, end {end.shape} and weight {w.shape} do not broadcast; "
            "give shapes that broadcast against each other"
        ) from None
    return E.Lerp._apply_tensors((start, end, w))


# ------------------------------------------------------------------ activations


def celu(input: Any, alpha: float = 1.0) -> Tensor:
    """max(0, x) + min(0, alpha (e**(x/alpha) - 1))."""
    a = _number(alpha, "celu", "alpha")
    if a == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x); use relu for the alpha -> 0 limit")
    return E.Celu._apply1(_t(input), alpha=a)


def selu(input: Any) -> Tensor:
    """scale (max(0, x) + min(0, alpha (e**x - 1))) with the self-normalising constants."""
    return _unary(E.Selu, input)


def softsign(input: Any) -> Tensor:
    """x / (1 + |x|)."""
    return _unary(E.Softsign, input)


def hardsigmoid(input: Any) -> Tensor:
    """clip(x/6 + 1/2, 0, 1)."""
    return _unary(E.Hardsigmoid, input)


def hardswish(input: Any) -> Tensor:
    """x hardsigmoid(x)."""
    return _unary(E.Hardswish, input)


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """clip(x, min_val, max_val), derivative 1 strictly inside."""
    lo, hi = _number(min_val, "hardtanh", "min_val"), _number(max_val, "hardtanh", "max_val")
    if lo > hi:
        raise ValueError(f"hardtanh: min_val={lo:g} is greater than max_val={hi:g}; swap them")
    return E.Hardtanh._apply1(_t(input), min_val=lo, max_val=hi)


def relu6(input: Any) -> Tensor:
    """min(max(x, 0), 6)."""
    return E.Hardtanh._apply1(_t(input), min_val=0.0, max_val=6.0)


def softmin(input: Any, dim: Any = None, *, axis: Any = _UNSET) -> Tensor:
    """softmax(-x) along ``dim``: weights that favour the smallest entries."""
    x = _t(input)
    d = A.pick("softmin", "dim", _UNSET if dim is None else dim, "axis", axis, None)
    if d is None:
        raise TypeError(f"softmin: give dim= (the axis to normalise over) for the tensor of shape {x.shape}")
    if x.ndim == 0:
        raise ValueError("softmin: needs at least one axis, got a 0-d tensor")
    d = A.one_dim("softmin", d, x.shape)
    return R.Softmax._apply1(-x, axis=d)


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(||x||_p along dim, eps): unit vectors along ``dim``."""
    x = _t(input)
    e = _number(eps, "normalize", "eps")
    n = norm(x, p, dim, keepdim=True)
    return x / U.Clip._apply1(n, lo=e, hi=None)


def softplus(input: Any, beta: float = 1.0, threshold: float | None = 20.0) -> Tensor:
    """log(1 + e**(beta x)) / beta; x itself where beta x > threshold (torch's default 20; None: no
    cut-off, the exact stable formula everywhere, as ``Tensor.softplus()``)."""
    x = _t(input)
    b = _number(beta, "softplus", "beta")
    if b == 0:
        raise ValueError("softplus: beta must not be 0 (it divides the result)")
    if threshold is not None:
        threshold = _number(threshold, "softplus", "threshold")
    if b == 1.0 and threshold is None:
        return U.Softplus._apply1(x)
    return E.SoftplusBeta._apply1(x, beta=b, threshold=threshold)


# ------------------------------------------------------------------ reductions and scans


def _dims_keep(op: str, x: Tensor, dim: Any, axis: Any, keepdim: Any, keepdims: Any) -> tuple:
    d = A.pick(op, "dim", dim, "axis", axis, None)
    k = A.flag(op, "keepdim", A.pick(op, "keepdim", keepdim, "keepdims", keepdims, False))
    return A.dims(op, d, x.shape), k


def prod(input: Any, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,
         keepdims: Any = _UNSET) -> Tensor:
    """Product over ``dim`` (an int, a tuple, or None for all); the derivative is right with zeros."""
    x = _t(input)
    axes, k = _dims_keep("prod", x, dim, axis, keepdim, keepdims)
    return S.Prod._apply1(x, axes=axes, keepdim=k)


def _scan_dim(op: str, x: Tensor, dim: Any, axis: Any) -> tuple:
    """(tensor, axis) for a cumulative op: no dim flattens first (numpy's meaning of axis=None)."""
    d = A.pick(op, "dim", dim, "axis", axis, None)
    if d is None or x.ndim == 0:
        if d is not None:
            A.one_dim(op, d, x.shape)
        return SH.Reshape._apply1(x, shape=(-1,)) if x.ndim != 1 else x, 0
    return x, A.one_dim(op, d, x.shape)


def _unflat(out: Tensor, x: Tensor) -> Tensor:
    return SH.Reshape._apply1(out, shape=()) if x.ndim == 0 else out


def cumsum(input: Any, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
    """Running sum along ``dim`` (no dim: over the flattened tensor, as numpy)."""
    x = _t(input)
    y, d = _scan_dim("cumsum", x, dim, axis)
    return _unflat(S.Cumsum._apply1(y, axis=d), x)


def _cum_extreme(op: str, input: Any, dim: Any, axis: Any, largest: bool) -> ValuesIndices:
    x = _t(input)
    d = A.pick(op, "dim", dim, "axis", axis, None)
    if d is None:
        raise TypeError(f"{op}: give dim= (the axis to run along) for the tensor of shape {x.shape}")
    d = A.one_dim(op, d, x.shape)
    y = SH.Reshape._apply1(x, shape=(1,)) if x.ndim == 0 else x
    index = S.cum_extreme_index(y.data, d, largest)
    values = S.CumExtreme.apply(y, index, axis=d)
    if x.ndim == 0:
        return ValuesIndices(SH.Reshape._apply1(values, shape=()), _ints(index.reshape(())))
    return ValuesIndices(values, _ints(index))


def cummax(input: Any, dim: Any = _UNSET, *, axis: Any = _UNSET) -> ValuesIndices:
    """(running max along dim, the index each came from; ties take the latest index, as torch)."""
    return _cum_extreme("cummax", input, dim, axis, True)


def cummin(input: Any, dim: Any = _UNSET, *, axis: Any = _UNSET) -> ValuesIndices:
    """(running min along dim, the index each came from; ties take the latest index, as torch)."""
    return _cum_extreme("cummin", input, dim, axis, False)


def logcumsumexp(input: Any, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
    """log of the running sum of e**x along ``dim``, without overflow."""
    x = _t(input)
    d = A.pick("logcumsumexp", "dim", dim, "axis", axis, None)
    if d is None:
        raise TypeError(f"logcumsumexp: give dim= (the axis to run along) for the tensor of shape {x.shape}")
    d = A.one_dim("logcumsumexp", d, x.shape)
    y = SH.Reshape._apply1(x, shape=(1,)) if x.ndim == 0 else x
    return _unflat(S.LogCumSumExp._apply1(y, axis=d), x)


def any(input: Any, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,  # noqa: A001
        keepdims: Any = _UNSET) -> Tensor:
    """A bool tensor: is any entry nonzero along ``dim`` (all of them by default)."""
    x = _t(input)
    axes, k = _dims_keep("any", x, dim, axis, keepdim, keepdims)
    return Tensor._make(np.asarray(np.any(x.data, axis=axes, keepdims=k)))


def all(input: Any, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET,  # noqa: A001
        keepdims: Any = _UNSET) -> Tensor:
    """A bool tensor: are all entries nonzero along ``dim`` (all of them by default)."""
    x = _t(input)
    axes, k = _dims_keep("all", x, dim, axis, keepdim, keepdims)
    return Tensor._make(np.asarray(np.all(x.data, axis=axes, keepdims=k)))


def _correction(op: str, correction: Any, unbiased: Any) -> float:
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{op}: give correction= or unbiased=, not both")
        return 1.0 if A.flag(op, "unbiased", unbiased) else 0.0
    if correction is None:
        return 1.0
    return _number(correction, op, "correction")


def var_mean(input: Any, dim: Any = None, *, correction: Any = None, keepdim: bool = False,
             unbiased: Any = None) -> tuple:
    """(variance, mean) over ``dim``; the variance divides by n - correction (torch's default 1)."""
    x = _t(input)
    axes = A.dims("var_mean", dim, x.shape)
    keep = A.flag("var_mean", "keepdim", keepdim)
    c = _correction("var_mean", correction, unbiased)
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64)) if axes is not None else x.size
    mean = R.Mean._apply1(x, axis=axes, keepdims=True)
    dev = x - mean
    total = R.Sum._apply1(dev * dev, axis=axes, keepdims=keep)
    var = total * (1.0 / (n - c)) if n - c > 0 else total * np.array(np.nan, x.dtype)
    if not keep:
        mean = SH.Reshape._apply1(mean, shape=var.shape)
    return var, mean


def std_mean(input: Any, dim: Any = None, *, correction: Any = None, keepdim: bool = False,
             unbiased: Any = None) -> tuple:
    """(standard deviation, mean) over ``dim``; the variance divides by n - correction (default 1)."""
    var, mean = var_mean(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)
    return U.Sqrt._apply1(var), mean


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """Vector p-norm over ``dim`` (None: all entries): p a number > 0, 0, inf, -inf, or 'fro' (= 2);
    'nuc' is the matrix nuclear norm (the sum of the singular values)."""
    x = _t(input)
    if isinstance(p, str):
        if p == "nuc":  # the nuclear norm of matrices (the last two axes, or the two in dim)
            from .linalg import matrix_norm

            return matrix_norm(x, "nuc", (-2, -1) if dim is None else dim, keepdim)
        if p != "fro":
            raise ValueError(f"norm: p={p!r} is not supported; use a number, inf, -inf, 'fro' or 'nuc'")
        p = 2.0
    p = _number(p, "norm", "p")
    if p < 0 and p != -np.inf:
        raise ValueError(f"norm: p={p:g} must be >= 0, inf or -inf")
    axes = A.dims("norm", dim, x.shape)
    if (p == np.inf or p == -np.inf) and x.size == 0:
        raise ValueError(f"norm: p={p:g} of the empty tensor of shape {x.shape} is undefined")
    return S.Norm._apply1(x, p=p, axes=axes, keepdim=A.flag("norm", "keepdim", keepdim))


# ------------------------------------------------------------------ layout


def _dim_list(dims: tuple) -> tuple:
    """Varargs dims, or one tuple/list of them: flip(0, 1) == flip((0, 1))."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    return dims


def flip(input: Any, *dims: Any, axis: Any = _UNSET) -> Tensor:
    """x reversed along ``dims`` (numpy's axis=None: along every axis)."""
    x = _t(input)
    dims = _dim_list(dims)
    if not dims:
        if axis is _UNSET:
            raise TypeError(f"flip: give the dims to reverse, e.g. flip(0) or flip((0, 1)), for shape {x.shape}")
        axes = A.dims("flip", axis, x.shape) if axis is not None else tuple(range(x.ndim))
    else:
        if axis is not _UNSET:
            raise TypeError("flip: give dims or axis=, not both")
        axes = A.dims("flip", dims, x.shape)
    return L.Flip._apply1(x, axes=axes or ())


def roll(input: Any, shifts: Any = _UNSET, dims: Any = None, *, shift: Any = _UNSET,
         axis: Any = _UNSET) -> Tensor:
    """x shifted cyclically by ``shifts`` along ``dims`` (no dims: over the flattened tensor)."""
    x = _t(input)
    s = A.pick("roll", "shifts", shifts, "shift", shift, _UNSET)
    if s is _UNSET:
        raise TypeError("roll: give shifts (an int, or one int per dim)")
    d = A.pick("roll", "dims", _UNSET if dims is None else dims, "axis", axis, None)
    multi = isinstance(s, (tuple, list))
    if d is None:
        if multi:
            raise ValueError(f"roll: {len(s)} shifts need as many dims, got none")
        return L.Roll._apply1(x, shifts=A.count("roll", "shifts", s, -(2**62)), axes=None)
    dl = tuple(d) if isinstance(d, (tuple, list)) else (d,)
    sl = tuple(s) if multi else (s,)
    if len(sl) != len(dl):
        raise ValueError(f"roll: {len(sl)} shift(s) {sl} and {len(dl)} dim(s) {dl} must pair up one to one")
    axes = tuple(A.one_dim("roll", a, x.shape) for a in dl)
    shifts_ = tuple(A.count("roll", "shifts", v, -(2**62)) for v in sl)
    if x.ndim == 0:
        return L.Roll._apply1(x, shifts=0, axes=None)
    return L.Roll._apply1(x, shifts=shifts_, axes=axes)


def repeat(input: Any, *sizes: Any, axis: Any = _UNSET) -> Tensor:
    """torch's repeat: x tiled ``sizes[i]`` times along axis i (extra leading sizes add axes).

    With numpy's ``axis=`` keyword it is numpy's repeat instead: each entry repeated (repeat_interleave).
    """
    x = _t(input)
    if axis is not _UNSET:
        if len(sizes) != 1:
            raise TypeError("repeat: with axis= (numpy's repeat) give one repeats argument")
        return repeat_interleave(x, sizes[0], dim=axis)
    sizes = _dim_list(sizes)
    if not sizes:
        raise TypeError(f"repeat: give one repeat count per axis, e.g. repeat(2, 1) for shape {x.shape}")
    reps = tuple(A.count("repeat", "sizes", n) for n in sizes)
    if len(reps) < x.ndim:
        raise ValueError(
            f"repeat: {len(reps)} repeat count(s) {reps} for a tensor of shape {x.shape}; "
            f"give at least {x.ndim} (one per axis; extra leading counts add axes)"
        )
    return L.Repeat._apply1(x, reps=reps)


def repeat_interleave(input: Any, repeats: Any, dim: Any = None, *, output_size: Any = None) -> Tensor:
    """Each entry repeated ``repeats`` times along ``dim`` (an int, or one count per entry; no dim: flattened)."""
    x = _t(input)
    if dim is None:
        x = SH.Reshape._apply1(x, shape=(-1,))
        d = 0
    else:
        d = A.one_dim("repeat_interleave", dim, x.shape)
        if x.ndim == 0:
            x = SH.Reshape._apply1(x, shape=(1,))
    n = x.shape[d]
    if isinstance(repeats, (Tensor, np.ndarray, list, tuple)):
        reps = A.int_index("repeat_interleave", repeats, "repeats").reshape(-1)
        if reps.size == 1:
            reps = np.full(n, reps[0])
        if reps.size != n:
            raise ValueError(
                f"repeat_interleave: {reps.size} repeat counts for {n} entries along dim {d} "
                f"(shape {x.shape}); give one count per entry, or a single int"
            )
    else:
        reps = np.full(n, A.count("repeat_interleave", "repeats", repeats))
    if (reps < 0).any():
        raise ValueError(f"repeat_interleave: repeat counts must be >= 0, got {reps[reps < 0][:5].tolist()}")
    picks = np.repeat(np.arange(n), reps)
    if output_size is not None and output_size != picks.size:
        raise ValueError(f"repeat_interleave: output_size={output_size} but the repeats give {picks.size}")
    return L.Take._apply1(x, index=(slice(None),) * d + (picks,))


PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """x padded; ``pad`` = (left, right) of the last axis, then of the one before, ... (torch's order).

    mode 'constant' fills with ``value`` (0); 'reflect' mirrors about the edge entry; 'replicate'
    repeats the edge; 'circular' wraps around.
    """
    x = _t(input)
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode {mode!r} is not one of {', '.join(map(repr, PAD_MODES))}")
    if isinstance(pad, (Tensor, np.ndarray)):
        pad = np.asarray(getattr(pad, "data", pad)).tolist()
    if not isinstance(pad, (tuple, list)) or not builtins_all(A.is_int(v) for v in pad):
        raise TypeError(f"pad: pad must be a tuple of ints (left, right, top, bottom, ...), got {pad!r}")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(
            f"pad: pad {tuple(pad)} must hold an even number of ints, two per padded axis, at most "
            f"{2 * x.ndim} for the tensor of shape {x.shape}"
        )
    k = len(pad) // 2
    widths = [(0, 0)] * (x.ndim - k) + [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(k)][::-1]
    if mode == "constant":
        v = 0.0 if value is None else _number(value, "pad", "value")
        if builtins_any(b < 0 or a < 0 for b, a in widths):  # negative pads crop, as torch
            crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(widths, x.shape))
            x = SH.GetItem._apply1(x, index=crop)
            widths = [(max(b, 0), max(a, 0)) for b, a in widths]
        return L.PadConstant._apply1(x, widths=tuple(widths), value=v)
    if value is not None and value != 0:
        raise ValueError(f"pad: value= is only used by mode='constant', not {mode!r}")
    for axis, ((b, a), n) in enumerate(zip(widths, x.shape)):
        if b < 0 or a < 0:
            raise ValueError(f"pad: mode {mode!r} needs pads >= 0, got {tuple(pad)}")
        if (b or a) and n == 0:
            raise ValueError(f"pad: mode {mode!r} cannot pad the empty axis {axis} of shape {x.shape}")
        if mode == "reflect" and (b >= n or a >= n) and (b or a):
            raise ValueError(
                f"pad: mode 'reflect' needs each pad smaller than the axis it pads; axis {axis} has "
                f"length {n} but the pads are ({b}, {a}) (shape {x.shape}); use mode='replicate' or smaller pads"
            )
        if mode == "circular" and (b > n or a > n):
            raise ValueError(
                f"pad: mode 'circular' needs each pad at most the axis length; axis {axis} has length {n} "
                f"but the pads are ({b}, {a}) (shape {x.shape})"
            )
    if mode == "circular":
        grids = []
        for axis, ((b, a), n) in enumerate(zip(widths, x.shape)):
            grids.append((np.arange(-b, n + a) % n).reshape((-1,) + (1,) * (x.ndim - axis - 1)))
        index = tuple(grids)
    else:
        index = L.pad_index(x.shape, tuple(widths), mode)
    return L.PadIndex._apply1(x, index=index)


def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Tensor:
    """Axis ``dim`` split into axes of ``sizes`` (one entry may be -1)."""
    x = _t(input)
    d = A.one_dim("unflatten", dim, x.shape)
    if not isinstance(sizes, (tuple, list)) or not sizes or not builtins_all(A.is_int(s) for s in sizes):
        raise TypeError(f"unflatten: sizes must be a non-empty tuple of ints, got {sizes!r}")
    sizes = tuple(int(s) for s in sizes)
    n = x.shape[d]
    known = int(np.prod([s for s in sizes if s != -1], dtype=np.int64))
    if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != n) or (
        sizes.count(-1) == 1 and (known == 0 or n % known)
    ):
        raise ValueError(f"unflatten: sizes {sizes} do not multiply to the length {n} of dim {d} (shape {x.shape})")
    return SH.Reshape._apply1(x, shape=x.shape[:d] + sizes + x.shape[d + 1:])


def diagonal(input: Any, offset: int = 0, dim1: Any = _UNSET, dim2: Any = _UNSET, *,
             axis1: Any = _UNSET, axis2: Any = _UNSET) -> Tensor:
    """The entries x[..., i, i + offset, ...] of the (dim1, dim2) planes, as a new last axis."""
    x = _t(input)
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs a tensor with at least 2 axes, got shape {x.shape}")
    if not A.is_int(offset):
        raise TypeError(f"diagonal: offset must be an int, got {offset!r}")
    a = A.one_dim("diagonal", A.pick("diagonal", "dim1", dim1, "axis1", axis1, 0), x.shape, "dim1")
    b = A.one_dim("diagonal", A.pick("diagonal", "dim2", dim2, "axis2", axis2, 1), x.shape, "dim2")
    if a == b:
        raise ValueError(f"diagonal: dim1 and dim2 are both {a}; they must differ")
    return L.Diagonal._apply1(x, offset=int(offset), axis1=a, axis2=b)


def _tri(op: str, input: Any, diagonal: Any, k: Any, lower: bool) -> Tensor:
    x = _t(input)
    d = A.pick(op, "diagonal", diagonal, "k", k, 0)
    if not A.is_int(d):
        raise TypeError(f"{op}: diagonal must be an int, got {d!r}")
    if x.ndim < 2:
        raise ValueError(f"{op}: needs a tensor with at least 2 axes (a matrix or a batch), got shape {x.shape}")
    return L.TriMask._apply1(x, k=int(d), lower=lower)


def tril(input: Any, diagonal: Any = _UNSET, *, k: Any = _UNSET) -> Tensor:
    """x with the entries above diagonal ``diagonal`` of the last two axes set to 0."""
    return _tri("tril", input, diagonal, k, True)


def triu(input: Any, diagonal: Any = _UNSET, *, k: Any = _UNSET) -> Tensor:
    """x with the entries below diagonal ``diagonal`` of the last two axes set to 0."""
    return _tri("triu", input, diagonal, k, False)


def split(tensor: Any, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces along ``dim``: of size ``split_size`` (the last may be smaller), or of the listed sizes."""
    x = _t(tensor)
    if x.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor; it has no axis")
    d = A.one_dim("split", dim, x.shape)
    n = x.shape[d]
    s = split_size_or_sections
    if isinstance(s, (tuple, list)):
        sizes = [A.count("split", "sections", v) for v in s]
        if sum(sizes) != n:
            raise ValueError(
                f"split: sections {tuple(sizes)} add up to {sum(sizes)}, but dim {d} of shape {x.shape} has length {n}"
            )
    else:
        size = A.count("split", "split_size", s, 1 if n else 0)
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
    lead = (slice(None),) * d
    out, start = [], 0
    for m in sizes:
        out.append(SH.GetItem._apply1(x, index=lead + (slice(start, start + m),)))
        start += m
    return tuple(out)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple:
    """At most ``chunks`` pieces of equal size along ``dim`` (size ceil(n / chunks), as torch)."""
    x = _t(input)
    c = A.count("chunk", "chunks", chunks, 1)
    if x.ndim == 0:
        raise ValueError("chunk: cannot chunk a 0-d tensor; it has no axis")
    n = x.shape[A.one_dim("chunk", dim, x.shape)]
    size = -(-n // c) if n else 0
    if size == 0:
        return split(x, [0] * c, dim)
    return split(x, size, dim)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced numbers from start to end, both included (a new leaf)."""
    a, b = _number(start, "linspace", "start"), _number(end, "linspace", "end")
    n = A.count("linspace", "steps", steps)
    dt = np.dtype(np.float64 if dtype is None else dtype)
    if dt.kind != "f":
        raise TypeError(f"linspace: dtype must be a float type, got {dt}")
    t = Tensor._make(np.linspace(a, b, n, dtype=dt))
    return t.requires_grad_(True) if requires_grad else t


# ------------------------------------------------------------------ indexing


def _check_index_shape(op: str, x: Tensor, index: np.ndarray, d: int) -> None:
    if index.ndim != x.ndim:
        raise ValueError(
            f"{op}: index has {index.ndim} axes (shape {index.shape}) but the input has {x.ndim} "
            f"(shape {x.shape}); give an index with the same number of axes"
        )
    for a, (m, n) in enumerate(zip(index.shape, x.shape)):
        if a != d and m > n:
            raise ValueError(
                f"{op}: index of shape {index.shape} is larger than the input of shape {x.shape} on axis {a}; "
                f"index.size(a) <= input.size(a) must hold for every axis a != dim ({d})"
            )
    n = x.shape[d] if x.ndim else 1
    if index.size and (index.min() < -n or index.max() >= n):
        bad = index[(index < -n) | (index >= n)]
        raise IndexError(
            f"{op}: index {bad[:5].tolist()} is out of range for dim {d} of length {n} (input shape {x.shape})"
        )


def _prep_index(op: str, x: Tensor, dim: Any, index: Any) -> tuple:
    d = A.one_dim(op, dim, x.shape)
    idx = A.int_index(op, index)
    if x.ndim == 1 and idx.ndim == 0:  # torch reads a 0-d index into a 1-d input as one of shape (1,)
        idx = idx.reshape(1)
    if x.ndim == 0:
        if idx.ndim != 0:
            raise ValueError(f"{op}: a 0-d input needs a 0-d index, got shape {idx.shape}")
        return d, idx
    _check_index_shape(op, x, idx, d)
    n = x.shape[d]
    return d, np.where(idx < 0, idx + n, idx)


def _zero_d(fn: Any, x: Tensor, idx: np.ndarray, *rest: Any) -> Tensor:
    """A 0-d input's gather/scatter, done on its one-element 1-d view."""
    y = SH.Reshape._apply1(x, shape=(1,))
    out = fn(y, idx.reshape(1), *rest)
    return SH.Reshape._apply1(out, shape=())


def gather(input: Any, dim: int, index: Any) -> Tensor:
    """out[i][j] = x[index[i][j]][j] for dim 0 (likewise for any dim); out has index's shape."""
    x = _t(input)
    d, idx = _prep_index("gather", x, dim, index)
    if x.ndim == 0:
        return _zero_d(lambda y, i: I.Gather.apply(y, i, axis=0), x, idx)
    if x.ndim == 1 and np.ndim(getattr(index, "data", index)) == 0:  # a 0-d index gathers a 0-d result, as torch
        return SH.Reshape._apply1(I.Gather.apply(x, idx, axis=d), shape=())
    return I.Gather.apply(x, idx, axis=d)


def _src(op: str, x: Tensor, idx: np.ndarray, src: Any, value: Any) -> Any:
    if src is not None and value is not None:
        raise TypeError(f"{op}: give src= or value=, not both")
    s = value if src is None else src
    if s is None:
        raise TypeError(f"{op}: give src (a tensor) or value (a number)")
    if isinstance(s, (Real, np.floating, np.integer)) and not isinstance(s, (bool, np.bool_)):
        return np.asarray(float(s), x.dtype)
    s = Tensor._lift(s, x, op)
    if s.ndim == 0 and x.ndim != 0:
        if s.requires_grad:
            raise ValueError(
                f"{op}: a 0-d src is used as a constant value and would get no gradient; give src with the "
                f"index's {idx.ndim} axes (e.g. src.expand(index.shape)) to differentiate through it"
            )
        return np.asarray(s.data, x.dtype)
    if s.ndim != idx.ndim or builtins_any(m > n for m, n in zip(idx.shape, s.shape)):
        raise ValueError(
            f"{op}: src of shape {s.shape} must have as many axes as index {idx.shape} and be at least as "
            "large on every axis"
        )
    return s


def _one_d_src(x: Tensor, idx: np.ndarray, src: Any) -> Any:
    """A 0-d src beside a 0-d index into a 1-d input (torch's scalar case) as shape (1,), differentiable."""
    if x.ndim == 1 and idx.shape == (1,) and isinstance(src, Tensor) and src.ndim == 0:
        return SH.Reshape._apply1(src, shape=(1,))
    return src


def scatter(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
    """A copy of x with out[index[i][j]][j] = src[i][j] for dim 0 (src a tensor, or value a number)."""
    x = _t(input)
    d, idx = _prep_index("scatter", x, dim, index)
    s = _src("scatter", x, idx, _one_d_src(x, idx, src), value)
    if x.ndim == 0:
        return _zero_d(lambda y, i, v: I.Scatter.apply(
            y, i, v.reshape(1) if isinstance(v, Tensor) else v, axis=0), x, idx, s)
    return I.Scatter.apply(x, idx, s, axis=d)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:
    """A copy of x with src[i][j] added at out[index[i][j]][j] for dim 0 (repeated indices accumulate)."""
    x = _t(input)
    d, idx = _prep_index("scatter_add", x, dim, index)
    s = Tensor._lift(_one_d_src(x, idx, src), x, "scatter_add")
    if x.ndim == 0:
        if s.ndim != 0:
            raise ValueError(f"scatter_add: a 0-d input needs a 0-d src, got shape {s.shape}")
        return _zero_d(lambda y, i, v: I.ScatterAddDim.apply(
            y, i, SH.Reshape._apply1(v, shape=(1,)), axis=0), x, idx, s)
    if s.ndim != idx.ndim or builtins_any(m > n for m, n in zip(idx.shape, s.shape)):
        raise ValueError(
            f"scatter_add: src of shape {s.shape} must have as many axes as index {idx.shape} and be at least "
            "as large on every axis"
        )
    return I.ScatterAddDim.apply(x, idx, s, axis=d)


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:
    """x with ``value`` where ``mask`` (a bool tensor that broadcasts to x) is True."""
    x = _t(input)
    m = np.asarray(getattr(mask, "data", mask))
    if m.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor (e.g. x > 0), got dtype {m.dtype}")
    try:
        if np.broadcast_shapes(m.shape, x.shape) != x.shape:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"masked_fill: mask of shape {m.shape} does not broadcast to the input's shape {x.shape}"
        ) from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
        if value.requires_grad:
            from .ops.arith import where

            return where(np.broadcast_to(m, x.shape), value, x)
        value = value.item()
    return I.MaskedFill.apply(x, m, value=_number(value, "masked_fill", "value"))


def _sort_dim(op: str, x: Tensor, dim: Any, axis: Any) -> int:
    d = A.pick(op, "dim", dim, "axis", axis, -1)
    return A.one_dim(op, d, x.shape)


def sort(input: Any, dim: Any = _UNSET, descending: bool = False, stable: bool = False, *,
         axis: Any = _UNSET) -> ValuesIndices:
    """(values sorted along dim, their indices); always stable (equal values keep their order)."""
    x = _t(input)
    d = _sort_dim("sort", x, dim, axis)
    A.flag("sort", "stable", stable)
    if x.ndim == 0:
        return ValuesIndices(SH.Clone._apply1(x), _ints(np.zeros((), np.int64)))
    order = I.stable_order(x.data, d, A.flag("sort", "descending", descending))
    return ValuesIndices(I.Gather.apply(x, order, axis=d), _ints(order))


def argsort(input: Any, dim: Any = _UNSET, descending: bool = False, stable: bool = False, *,
            axis: Any = _UNSET) -> Tensor:
    """The int64 indices that sort x along dim (stable)."""
    return sort(input, dim, descending, stable, axis=axis).indices


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:  # noqa: A002
    """(the k largest (or smallest) entries along dim, in order, and their indices)."""
    x = _t(input)
    d = A.one_dim("topk", dim, x.shape)
    n = x.shape[d] if x.ndim else 1
    if not A.is_int(k) or not 0 <= k <= n:
        raise ValueError(f"topk: k={k!r} must be an int in [0, {n}] for dim {d} of shape {x.shape}")
    A.flag("topk", "sorted", sorted)
    if x.ndim == 0:  # k is 0 or 1
        y = SH.Reshape._apply1(x, shape=(1,))
        return sort(x) if k else ValuesIndices(SH.GetItem._apply1(y, index=slice(0, 0)), _ints(np.zeros(0)))
    order = I.stable_order(x.data, d, A.flag("topk", "largest", largest))
    order = np.ascontiguousarray(np.take(order, np.arange(int(k)), axis=d))
    return ValuesIndices(I.Gather.apply(x, order, axis=d), _ints(order))


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as torch.einsum / np.einsum: 'ij,jk->ik', 'ii->i', 'bij,bjk', '...ij->...ji'."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: give at least one operand after the subscripts")
    first = next((o for o in operands if isinstance(o, Tensor)), None)
    ts = [Tensor._lift(o, first, "einsum") for o in operands]
    spec = parse_einsum(equation, [t.shape for t in ts])
    return Einsum.apply(*ts, spec=spec)


import builtins as _builtins  # noqa: E402  (any/all above shadow the builtins)

builtins_all = _builtins.all
builtins_any = _builtins.any
