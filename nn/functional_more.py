"""Still more of ``torch.nn.functional``: distances, the margin and ranking losses, Poisson NLL, the shrink
activations, threshold, rrelu, bilinear and two dropouts (re-exported by ``nn.functional``).

Tensor mode only. Each function is written with recorded Tensor ops, so its gradient follows from
theirs; the numbers, shapes, defaults and positional order are torch's. Targets of losses are
constants (their numbers are used; no gradient flows into them), as elsewhere in ``nn.functional``.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Callable

import numpy as np

import autograd
from autograd import Tensor
from autograd import torchops as T

from .functional import _legacy_reduction, check_number, check_reduction
from .loss_functions import _const, _finish, _tensor_only
from .target_grad import graph_target
from .modes import numbers

__all__ = [
    "cosine_similarity", "pairwise_distance", "pdist",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
    "poisson_nll_loss",
    "logsigmoid", "threshold", "threshold_", "rrelu", "rrelu_", "tanhshrink", "softshrink", "hardshrink", "bilinear",
    "alpha_dropout", "feature_alpha_dropout", "dropout1d",
]

SELU_ALPHA_PRIME = 1.7580993408473766  # -scale * alpha of SELU: where alpha_dropout sends a dropped unit


# ------------------------------------------------------------------ helpers


def _float(x: Any, op: str, what: str = "input") -> Tensor:
    """A floating Tensor of x (tensor mode only; a TypeError for scalar-mode Values)."""
    t = _tensor_only(x, f"{op} {what}" if what != "input" else op)
    if t.data.dtype.kind != "f":
        t = Tensor._make(t.data.astype(np.float64))
    return t


def _bcast(a: tuple, b: tuple, op: str, names: str) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise ValueError(f"{op}: {names} of shapes {a} and {b} do not broadcast; give tensors of the same shape") \
            from None


def _numbers(x: Any, op: str, what: str, dtype: Any = None) -> np.ndarray:
    """The numbers of a constant argument (a Tensor, an array, a list, a number); TypeError naming op otherwise."""
    try:
        arr = np.asarray(numbers(x), dtype=dtype)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.dtype.kind not in "fiub":
        raise TypeError(f"{op}: {what} must be numbers (a Tensor, an array or a list), got {type(x).__name__} "
                        f"{x!r:.40}")
    return arr


def _target(target: Any, x: Tensor, op: str, what: str = "target") -> np.ndarray:
    """A constant float target in x's dtype, broadcastable with x (torch broadcasts these losses' pairs)."""
    t = _numbers(target, op, what, x.data.dtype)
    _bcast(x.shape, t.shape, op, f"input and {what}")
    return t


def _dim(dim: Any, ndim: int, op: str, shape: tuple) -> int:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise ValueError(f"{op}: dim {dim} is out of range for shape {shape} (use a dim in [{-n}, {n - 1}])")
    return int(dim) % n


def _norm_p(p: Any, op: str) -> float:
    p = check_number(p, op, "p")
    if p < 0:
        raise ValueError(f"{op}: p={p:g} must be >= 0 (or inf); gradwork's norms take no negative p")
    return p


def _margin(margin: Any, op: str) -> float:
    m = check_number(margin, op, "margin")
    if not m > 0:
        raise ValueError(f"{op}: margin must be greater than 0, got {m:g}; pass e.g. margin=1.0")
    return m


def _flag(x: Any, op: str, what: str) -> bool:
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{op}: {what} must be True or False, got {x!r}")
    return bool(x)


def _prob(p: Any, op: str) -> float:
    if isinstance(p, bool) or not isinstance(p, Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, got {p!r}")
    return float(p)


def _scale(x: Tensor, factor: np.ndarray, shift: np.ndarray | None, inplace: bool) -> Tensor:
    """x * factor (+ shift), constants of x's dtype; in place, x.mul_ (and add_), so that the product
    differentiates through the old version of x (a product with x that is then copied into x could not)."""
    dt = x.data.dtype
    f = np.asarray(factor, dtype=dt)
    if inplace:
        x.mul_(_const(f, dt))
        return x if shift is None else x.add_(_const(shift, dt))
    out = x * _const(f, dt)
    return out if shift is None else out + _const(shift, dt)


# ---------------------------------------------------------------- distances


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps)) along ``dim`` of the broadcast shape (dim removed).

    As torch: each input is divided by its own clamped norm first, and the clamp changes the value
    only (the gradient passes to the norm as if unclamped).
    """
    op = "cosine_similarity"
    a, b = _float(x1, op, "x1"), _float(x2, op, "x2")
    shape = _bcast(a.shape, b.shape, op, "x1 and x2")
    e = check_number(eps, op, "eps")
    if not shape:
        raise ValueError(f"{op}: x1 and x2 are 0-d; give vectors (a dim to compare along)")
    d = _dim(dim, len(shape), op, shape)
    a = a if a.shape == shape else a.broadcast_to(shape)
    b = b if b.shape == shape else b.broadcast_to(shape)

    def unit(v: Tensor) -> Tensor:
        n = T.norm(v, 2, d, True)
        lift = np.maximum(n.data, e) - n.data  # the clamp at eps, as a constant
        return v / (n + _const(lift, n.data.dtype)) if lift.any() else v / n

    return (unit(a) * unit(b)).sum(axis=d)


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last axis of the broadcast shape."""
    op = "pairwise_distance"
    a, b = _float(x1, op, "x1"), _float(x2, op, "x2")
    _bcast(a.shape, b.shape, op, "x1 and x2")
    p = _norm_p(p, op)
    e = check_number(eps, op, "eps")
    keep = _flag(keepdim, op, "keepdim")
    diff = a - b + e
    if diff.ndim == 0:  # torch reads a 0-d difference as one number, and keeps the result 0-d
        return T.norm(diff.reshape(1), p, -1, False)
    return T.norm(diff, p, -1, keep)


def pdist(input: Any, p: float = 2.0) -> Tensor:  # noqa: A002
    """||x_i - x_j||_p for every pair of rows i < j of an (N, M) input, in row-major pair order: N(N-1)/2 numbers
    (the differences are formed, N(N-1)/2 x M of them, so the result is exact where a Gram matrix would cancel)."""
    op = "pdist"
    x = _float(input, op)
    if x.ndim != 2:
        raise ValueError(f"{op}: needs a 2-D input of shape (N, M) (one row per point), got shape {x.shape}")
    p = _norm_p(p, op)
    i, j = np.triu_indices(x.shape[0], 1)
    return T.norm(x[i] - x[j], p, -1)


# ------------------------------------------------------------- margin losses


def _three(anchor: Any, positive: Any, negative: Any, op: str) -> tuple:
    a, pos, neg = _float(anchor, op, "anchor"), _float(positive, op, "positive"), _float(negative, op, "negative")
    if not a.ndim == pos.ndim == neg.ndim:
        raise ValueError(
            f"{op}: anchor, positive and negative must have the same number of dimensions, got shapes "
            f"{a.shape}, {pos.shape} and {neg.shape}; give (N, D) for a batch or (D,) for one triplet"
        )
    return a, pos, neg


def _triplet(dpos: Tensor, dneg: Tensor, dswap: Tensor | None, margin: float, reduction: str) -> Tensor:
    if dswap is not None:
        dneg = autograd.minimum(dneg, dswap)
    return _finish((dpos - dneg + margin).clamp(min=0.0), reduction)


def triplet_margin_loss(anchor: Any, positive: Any, negative: Any, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0), d = pairwise_distance (p-norm, eps); ``swap``: d(a, n) becomes
    min(d(a, n), d(p, n))."""
    op = "triplet_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    margin = _margin(margin, op)
    p = _norm_p(p, op)
    swap = _flag(swap, op, "swap")
    a, pos, neg = _three(anchor, positive, negative, op)
    dpos = pairwise_distance(a, pos, p, eps)
    dneg = pairwise_distance(a, neg, p, eps)
    return _triplet(dpos, dneg, pairwise_distance(pos, neg, p, eps) if swap else None, margin, reduction)


def triplet_margin_with_distance_loss(anchor: Any, positive: Any, negative: Any, *,
                                      distance_function: Callable | None = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with any distance d(x, y) (default pairwise_distance)."""
    op = "triplet_margin_with_distance_loss"
    check_reduction(reduction, op)
    margin = _margin(margin, op)
    swap = _flag(swap, op, "swap")
    if distance_function is None:
        distance_function = pairwise_distance
    elif not callable(distance_function):
        raise TypeError(f"{op}: distance_function must be a function d(x1, x2), got {type(distance_function).__name__}")
    a, pos, neg = _three(anchor, positive, negative, op)

    def dist(u: Tensor, v: Tensor) -> Tensor:
        d = distance_function(u, v)
        if not isinstance(d, Tensor):
            raise TypeError(f"{op}: distance_function must return a Tensor, got {type(d).__name__}")
        return d

    dpos, dneg = dist(a, pos), dist(a, neg)
    return _triplet(dpos, dneg, dist(pos, neg) if swap else None, margin, reduction)


def margin_ranking_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0, size_average: Any = None,
                        reduce: Any = None, reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin) for y = 1 (x1 should rank higher) or -1 (x2 should)."""
    op = "margin_ranking_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    margin = check_number(margin, op, "margin")
    a, b = _float(input1, op, "input1"), _float(input2, op, "input2")
    y = _numbers(target, op, "target")
    if not a.ndim == b.ndim == y.ndim:
        raise ValueError(
            f"{op}: input1, input2 and target must have the same number of dimensions, got shapes {a.shape}, "
            f"{b.shape} and {y.shape}; give three tensors of shape (N,)"
        )
    diff = a - b
    t = _target(y, diff, op)
    return _finish((diff * _const(-t, t.dtype) + margin).clamp(min=0.0), reduction)


def hinge_embedding_loss(input: Any, target: Any, margin: float = 1.0, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1 (x a distance, y the 1/-1 label), as torch."""
    op = "hinge_embedding_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    margin = check_number(margin, op, "margin")
    x = _float(input, op)
    t = _target(target, x, op)
    shape = np.broadcast_shapes(x.shape, t.shape)
    if x.shape != shape:
        x = x.broadcast_to(shape)
    zero = np.zeros((), x.data.dtype)
    out = autograd.where(t != 1, (margin - x).clamp(min=0.0), zero) + autograd.where(t != -1, x, zero)
    return _finish(out, reduction)


def soft_margin_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:
    """log(1 + e**(-y x)) per element (the logistic loss for y in {1, -1}), computed without overflow."""
    op = "soft_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    x = _float(input, op)
    t = _target(target, x, op)
    return _finish((x * _const(-t, t.dtype)).softplus(), reduction)


def multilabel_soft_margin_loss(input: Any, target: Any, weight: Any = None, size_average: Any = None,  # noqa: A002
                                reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-mean over the classes (last axis) of w (y log sigmoid(x) + (1 - y) log sigmoid(-x)), one loss per sample."""
    op = "multilabel_soft_margin_loss"
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    x = _float(input, op)
    if x.ndim == 0:
        raise ValueError(f"{op}: input must have a class axis (C,) or (N, C), got a 0-d input")
    t = _target(target, x, op)
    if np.broadcast_shapes(x.shape, t.shape) != x.shape:
        raise ValueError(f"{op}: a target of shape {t.shape} would enlarge the input's shape {x.shape}; "
                         "give a target of the input's shape")
    tg = graph_target(target, x)
    tc, tn = (_const(t, t.dtype), _const(1 - t, t.dtype)) if tg is None else (tg, 1.0 - tg)
    loss = -(x.log_sigmoid() * tc + (-x).log_sigmoid() * tn)
    if weight is not None:
        w = _target(weight, x, op, "weight")
        if np.broadcast_shapes(x.shape, w.shape) != x.shape:
            raise ValueError(f"{op}: weight of shape {w.shape} would enlarge the input's shape {x.shape}; "
                             "give one weight per class, shape (C,)")
        loss = loss * _const(w, w.dtype)
    loss = loss.sum(axis=-1) / x.shape[-1]
    return _finish(loss, reduction)


def _class_targets(target: Any, n: int, c: int, op: str) -> np.ndarray:
    y = _numbers(target, op, "target")
    if y.dtype.kind == "f":
        if np.isnan(y).any() or not np.all(y == np.round(y)):
            raise ValueError(f"{op}: target must hold class indices (whole numbers), got {y.reshape(-1)[:5].tolist()}")
    elif y.dtype.kind not in "iub":
        raise TypeError(f"{op}: target must hold integer class indices, got dtype {y.dtype}")
    if y.ndim > 1 or y.size != n:
        raise ValueError(f"{op}: inconsistent target size: expected {n} class indices (shape ({n},)), "
                         f"got shape {y.shape}")
    labels = y.astype(np.int64).reshape(-1)
    bad = (labels < 0) | (labels >= c)
    if bad.any():
        raise ValueError(f"{op}: target class indices must be in [0, {c - 1}] for {c} classes, found "
                         f"{np.unique(labels[bad])[:5].tolist()}")
    return labels


def multi_margin_loss(input: Any, target: Any, p: int = 1, margin: float = 1.0, weight: Any = None,  # noqa: A002
                      size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """sum over i != y of w[y] max(0, margin - x[y] + x[i])**p, divided by C (multi-class hinge), per sample."""
    op = "multi_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    if isinstance(p, bool) or p not in (1, 2):
        raise ValueError(f"{op}: only p == 1 and p == 2 are supported, got p={p!r}")
    margin = check_number(margin, op, "margin")
    x = _float(input, op)
    if x.ndim > 2 or (x.ndim >= 1 and x.shape[-1] == 0):
        raise ValueError(f"{op}: expected a non-empty input of shape (N, C) or (C,), got shape {x.shape}")
    y_arr = _numbers(target, op, "target")
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    n, c = rows.shape
    labels = _class_targets(y_arr, n, c, op)
    dt = x.data.dtype
    scale = np.full(n, 1.0 / c, dtype=dt)
    if weight is not None:
        w = _numbers(weight, op, "weight", dt)
        if w.ndim != 1 or w.size != c:
            raise ValueError(f"{op}: weight must be one-dimensional with one number per class, shape ({c},), "
                             f"got shape {w.shape}")
        scale = w[labels] * scale
    ar = np.arange(n)
    z = rows - rows[ar, labels].reshape(n, 1) + margin
    mask = z.data > 0
    mask[ar, labels] = False
    h = z * _const(mask, dt)
    if p == 2:
        h = h * h
    loss = (h * _const(scale.reshape(n, 1), dt)).sum(axis=1)
    if reduction == "none":
        return loss if x.ndim == 2 or y_arr.ndim == 1 else loss.reshape(())
    return _finish(loss, reduction)


def multilabel_margin_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                           reduction: str = "mean") -> Tensor:
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])), divided by C, per sample.

    The target has the input's shape: each row lists its target classes first, ended by -1 (the rest is ignored).
    """
    op = "multilabel_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    x = _float(input, op)
    if x.ndim > 2 or (x.ndim >= 1 and x.shape[-1] == 0):
        raise ValueError(f"{op}: expected a non-empty input of shape (N, C) or (C,), got shape {x.shape}")
    y = _numbers(target, op, "target")
    if y.shape != x.shape:
        raise ValueError(f"{op}: inconsistent target size: {y.shape} for an input of shape {x.shape}; the target has "
                         "the input's shape (class indices, ended by -1)")
    if y.dtype.kind == "f" and (np.isnan(y).any() or not np.all(y == np.round(y))):
        raise ValueError(f"{op}: target must hold class indices (whole numbers) or -1, "
                         f"got {y.reshape(-1)[:5].tolist()}")
    if y.dtype.kind not in "fiub":
        raise TypeError(f"{op}: target must hold integer class indices, got dtype {y.dtype}")
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    n, c = rows.shape
    labels = y.astype(np.int64).reshape(n, c)
    bad = (labels < -1) | (labels >= c)
    if bad.any():
        raise ValueError(f"{op}: target entries must be class indices in [0, {c - 1}] or -1 (end of the list), found "
                         f"{np.unique(labels[bad])[:5].tolist()}")
    valid = np.cumprod(labels >= 0, axis=1).astype(bool)  # the entries before the first -1
    picked = np.where(valid, labels, 0)
    is_target = np.zeros((n, c), dtype=bool)
    rr = np.repeat(np.arange(n), c).reshape(n, c)
    is_target[rr[valid], picked[valid]] = True
    dt = x.data.dtype
    k = max(int(valid.sum(axis=1).max(initial=0)), 1)  # the longest target list: (n, k, c) numbers, not (n, c, c)
    valid, picked, rr = valid[:, :k], picked[:, :k], rr[:, :k]
    xt = rows[rr, picked]  # (n, k): x at the j-th target of each row
    z = 1.0 - xt.reshape(n, k, 1) + rows.reshape(n, 1, c)  # z[n, j, i] = 1 - x[t_j] + x[i]
    mask = valid[:, :, None] & ~is_target[:, None, :] & (z.data > 0)
    loss = (z * _const(mask, dt)).sum(axis=(1, 2)) / c
    if reduction == "none":
        return loss if x.ndim == 2 else loss.reshape(())
    return _finish(loss, reduction)


def poisson_nll_loss(input: Any, target: Any, log_input: bool = True, full: bool = False,  # noqa: A002
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """e**x - y x (``log_input``: x is the log-rate), or x - y log(x + eps) (x is the rate); ``full`` adds
    Stirling's y log y - y + log(2 pi y)/2 where y > 1."""
    op = "poisson_nll_loss"
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    log_input, full = _flag(log_input, op, "log_input"), _flag(full, op, "full")
    eps = check_number(eps, op, "eps")
    x = _float(input, op)
    t = _target(target, x, op)
    tg = graph_target(target, x)
    tc = _const(t, t.dtype) if tg is None else tg
    loss = x.exp() - x * tc if log_input else x - (x + eps).log() * tc
    if full and tg is not None:  # Stirling's term in the graph (clamped at 1 where it is left out anyway)
        big = tg.clamp(min=1.0)
        s = big * big.log() - big + (big * (2 * math.pi)).log() * 0.5
        loss = loss + autograd.where(t > 1, s, np.zeros((), t.dtype))
    elif full:
        with np.errstate(divide="ignore", invalid="ignore"):
            s = t * np.log(t) - t + 0.5 * np.log(2 * math.pi * t)
        s = np.where(t <= 1, np.zeros((), t.dtype), s).astype(t.dtype, copy=False)
        loss = loss + _const(s, t.dtype)
    return _finish(loss, reduction)


# --------------------------------------------------------------- activations


def logsigmoid(input: Any) -> Tensor:  # noqa: A002
    """log(1 / (1 + e**-x)), computed without overflow; derivative 1 - sigmoid(x)."""
    return _float(input, "logsigmoid").log_sigmoid()


def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > threshold, else value; derivative 1 where x > threshold, else 0."""
    op = "threshold"
    th, v = check_number(threshold, op, "threshold"), check_number(value, op, "value")
    x = _float(input, op)
    out = autograd.where(~(x.data <= th), x, np.asarray(v, dtype=x.data.dtype))
    if _flag(inplace, op, "inplace"):  # where keeps only the mask, so copying the result into x is safe
        x.copy_(out)
        return x
    return out


def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False, *, generator: Any = None) -> Tensor:
    """x where x > 0 else a x: in training a drawn uniformly from [lower, upper] for each entry (from
    ``generator``, else the library generator); in eval a = (lower + upper) / 2."""
    op = "rrelu"
    lo, hi = check_number(lower, op, "lower"), check_number(upper, op, "upper")
    if lo > hi:
        raise ValueError(f"{op}: lower={lo:g} must be <= upper={hi:g}; swap them")
    x = _float(input, op)
    inplace = _flag(inplace, op, "inplace")
    if not _flag(training, op, "training"):
        if not inplace:
            return x.leaky_relu((lo + hi) / 2)
        slope: Any = (lo + hi) / 2  # in place: a product with a constant (leaky_relu's saved input would change)
    else:
        from autograd.random_gen import rng_of

        slope = rng_of(generator, op).uniform(lo, hi, size=x.shape)
    return _scale(x, np.where(x.data <= 0, slope, 1.0), None, inplace)


def threshold_(input: Any, threshold: float, value: float) -> Tensor:  # noqa: A002
    """``threshold(input, threshold, value)`` written into input (returned)."""
    return globals()["threshold"](input, threshold, value, True)


def rrelu_(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, *,  # noqa: A002
           generator: Any = None) -> Tensor:
    """``rrelu(input, lower, upper, training)`` written into input (returned)."""
    return rrelu(input, lower, upper, training, True, generator=generator)


def tanhshrink(input: Any) -> Tensor:  # noqa: A002
    """x - tanh(x); derivative tanh(x)**2."""
    x = _float(input, "tanhshrink")
    return x - x.tanh()


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x - lambd above lambd, x + lambd below -lambd, 0 between; derivative 1 outside [-lambd, lambd], else 0."""
    op = "softshrink"
    lam = check_number(lambd, op, "lambd")
    if lam < 0:
        raise ValueError(f"{op}: lambd must be >= 0, got {lam:g}")
    x = _float(input, op)
    return x - x.clamp(-lam, lam)


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x outside [-lambd, lambd], else 0; derivative 1 outside, 0 inside."""
    op = "hardshrink"
    lam = check_number(lambd, op, "lambd")
    x = _float(input, op)
    d = x.data
    return autograd.where(~((d >= -lam) & (d <= lam)), x, np.zeros((), d.dtype))


# ------------------------------------------------------------------- layers


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """y_o = sum_ij x1_i W[o, i, j] x2_j + b_o, for inputs (*, in1) and (*, in2) and a weight (out, in1, in2)."""
    op = "bilinear"
    a, b = _float(input1, op, "input1"), _float(input2, op, "input2")
    w = _float(weight, op, "weight")
    if a.ndim != b.ndim or a.ndim == 0:
        raise ValueError(f"{op}: input1 and input2 must have the same number of dimensions (at least 1), got shapes "
                         f"{a.shape} and {b.shape}")
    if a.shape[:-1] != b.shape[:-1]:
        raise ValueError(f"{op}: input1 and input2 must share their batch dimensions, got shapes {a.shape} and "
                         f"{b.shape}")
    if w.ndim != 3 or w.shape[1] != a.shape[-1] or w.shape[2] != b.shape[-1]:
        raise ValueError(f"{op}: weight of shape {w.shape} does not fit inputs {a.shape} and {b.shape}; the weight is "
                         "(out_features, in1_features, in2_features)")
    o, i1, i2 = w.shape
    lead = a.shape[:-1]
    m = math.prod(lead)
    t = a.reshape(m, i1) @ w.permute(1, 0, 2).reshape(i1, o * i2)  # (m, o * in2): x1 W for every output
    y = (t.reshape(m, o, i2) * b.reshape(m, 1, i2)).sum(axis=-1)
    if bias is not None:
        bb = _float(bias, op, "bias")
        if bb.shape != (o,):
            raise ValueError(f"{op}: bias of shape {bb.shape} does not fit weight of shape {w.shape}; "
                             f"give shape ({o},)")
        y = y + bb
    return y.reshape(lead + (o,))


def _alpha_dropout(input: Any, p: float, training: bool, inplace: bool, generator: Any, op: str,
                   feature: bool) -> Tensor:
    p = _prob(p, op)
    x = _float(input, op)
    if feature and x.ndim < 2:
        raise ValueError(f"{op}: needs an input of shape (N, C, *) (whole channels are dropped), got shape {x.shape}")
    inplace = _flag(inplace, op, "inplace")
    if not _flag(training, op, "training") or p == 0.0 or x.size == 0:
        return x
    if p == 1.0:
        return _scale(x, np.zeros(()), None, inplace)
    from autograd.random_gen import rng_of

    shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape
    keep = (rng_of(generator, op).random(shape) >= p).astype(np.float64)
    a = 1.0 / math.sqrt((SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    shift = (keep - 1.0) * (SELU_ALPHA_PRIME * a) + SELU_ALPHA_PRIME * a * p
    return _scale(x, keep * a, shift, inplace)


def alpha_dropout(input: Any, p: float = 0.5, training: bool = False, inplace: bool = False, *,  # noqa: A002
                  generator: Any = None) -> Tensor:
    """Dropout that keeps SELU's zero mean and unit variance (training=False by default, as torch):
    out = a (keep x + alpha' (keep - 1 + p)), a = 1 / sqrt((alpha'^2 p + 1)(1 - p)), alpha' = 1.7581."""
    return _alpha_dropout(input, p, training, inplace, generator, "alpha_dropout", False)


def feature_alpha_dropout(input: Any, p: float = 0.5, training: bool = False, inplace: bool = False, *,  # noqa: A002
                          generator: Any = None) -> Tensor:
    """alpha_dropout with one draw per channel of (N, C, *): whole channels go to SELU's saturation value."""
    return _alpha_dropout(input, p, training, inplace, generator, "feature_alpha_dropout", True)


def dropout1d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,  # noqa: A002
              generator: Any = None) -> Tensor:
    """Channel dropout for (N, C, L) or (C, L): each channel zeroed with probability p, the rest scaled by 1/(1-p)."""
    op = "dropout1d"
    p = _prob(p, op)
    x = _float(input, op)
    if x.ndim not in (2, 3):
        raise ValueError(f"{op}: expected an input of shape (N, C, L) or (C, L), got shape {x.shape}")
    inplace = _flag(inplace, op, "inplace")
    if not _flag(training, op, "training") or p == 0.0 or x.size == 0:
        return x
    if p == 1.0:
        return _scale(x, np.zeros(()), None, inplace)
    from autograd.random_gen import rng_of

    keep = rng_of(generator, op).random(x.shape[:-1] + (1,)) >= p
    return _scale(x, keep / (1.0 - p), None, inplace)
