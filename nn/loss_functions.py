"""The losses beyond the fused fast paths, with torch's arguments (re-exported by ``nn.functional``).

Cross-entropy and NLL on any ``(N, C, d1, ...)`` input with ``weight``,
``ignore_index`` and ``label_smoothing``; Huber, smooth L1, KL divergence,
Gaussian NLL and cosine embedding losses. Each is written with recorded
Tensor ops, so its gradient (and, under ``create_graph``, its second
derivative) follows from theirs; ``nn.functional``'s plain cases (integer
labels on (N, C), no weight or smoothing) keep their one-op kernels.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from .functional import (  # nn.functional imports this module last, once these exist
    SoftCrossEntropy,
    _legacy_reduction,
    _prepare,
    _reduce,
    _scalar_elementwise,
    check_number,
    check_reduction,
)
from .modes import is_scalar, numbers, to_tensor
from .target_grad import graph_target
from .loss_weight import weighted_reduce

__all__ = ["huber_loss", "smooth_l1_loss", "kl_div", "gaussian_nll_loss", "cosine_embedding_loss"]


def _tensor_only(x: Any, op: str) -> Tensor:
    if is_scalar(x):
        raise TypeError(f"{op}: runs in tensor mode only, got Values (scalar-mode data); convert with .to_tensor()")
    return to_tensor(x, op)


def _const(arr: Any, dtype: Any) -> Tensor:
    return Tensor._make(np.asarray(arr, dtype=dtype))


def _finish(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


# --------------------------------------------------------- class-index losses


def class_weight(weight: Any, c: int, dtype: Any, op: str) -> np.ndarray | None:
    """``weight`` as a float array of C entries (one per class), or None."""
    if weight is None:
        return None
    w = np.asarray(numbers(weight), dtype=dtype)
    if w.shape != (c,):
        raise ValueError(
            f"{op}: weight must hold one number per class, shape ({c},), got shape {w.shape}; "
            "pass e.g. weight=np.ones(C)"
        )
    return w


def _labels_nd(t: np.ndarray, shape: tuple, c: int, ignore_index: int, op: str,
               xshape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(labels with ignored entries set to 0, mask of the kept entries) for a target of class indices."""
    if t.shape != shape:
        raise ValueError(
            f"{op}: an input of shape {xshape} (classes on axis 1) needs a target of class indices of shape {shape}, "
            f"got {t.shape}; for class probabilities give a float target of the input's shape"
        )
    if t.dtype.kind == "f":
        if np.isnan(t).any() or not np.all(t == np.round(t)):
            raise ValueError(f"{op}: class indices must be whole numbers, got {t.reshape(-1)[:5].tolist()}...")
    elif t.dtype.kind not in "iub":
        raise TypeError(f"{op}: class indices must be integers, got dtype {t.dtype}")
    labels = t.astype(np.int64).reshape(-1)
    keep = labels != ignore_index
    bad = keep & ((labels < 0) | (labels >= c))
    if bad.any():
        raise ValueError(
            f"{op}: labels must be in [0, {c - 1}] for {c} classes (or ignore_index={ignore_index}), found "
            f"{np.unique(labels[bad])[:5].tolist()}; check the number of outputs of the last layer"
        )
    return np.where(keep, labels, 0), keep


def _rows(x: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N d1 ..., C): the class axis last, one row per prediction."""
    if x.ndim == 2:
        return x
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    return x.permute(perm).reshape(-1, x.shape[1])


def class_index_loss(x: Tensor, t: np.ndarray, weight: Any, ignore_index: int, reduction: str,
                     label_smoothing: float, log_probs: bool, op: str) -> Tensor:
    """Cross-entropy (``log_probs=False``: x are logits) or NLL (x are log-probabilities) on class indices.

    Per prediction: -(1 - e) w[y] logp[y] - (e / C) sum_c w[c] logp[c] (ignored ones count 0); the mean
    divides by sum w[y] over the kept predictions, as torch's does.
    """
    one = x.ndim == 1
    xshape = x.shape
    if one:
        if t.size != 1:
            raise ValueError(
                f"{op}: input of shape {xshape} is one sample, so the target is one class index, got shape {t.shape}; "
                "for a batch give the input shape (N, C)"
            )
        x = x.reshape(1, -1)
        t = t.reshape(1)
    n, c = x.shape[0], x.shape[1]
    shape = (n,) + x.shape[2:]
    labels, keep = _labels_nd(t, shape, c, ignore_index, op, xshape)
    w = class_weight(weight, c, x.dtype, op)
    rows = _rows(x)
    logp = rows if log_probs else rows.log_softmax(axis=-1)
    m = labels.shape[0]
    wy = keep.astype(x.dtype) if w is None else w[labels] * keep
    picked = logp[np.arange(m), labels]
    loss = picked * _const(-wy, x.dtype)
    eps = label_smoothing
    if eps:
        smooth = logp.sum(axis=-1) if w is None else (logp * _const(w, x.dtype)).sum(axis=-1)
        loss = loss * (1.0 - eps) + smooth * _const(keep * (-eps / c), x.dtype)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        total = float(wy.sum())
        scale = 1.0 / total if total else math.nan  # NaN when nothing is kept (0/0), as in torch
        return loss.sum() * _const(scale, x.dtype)
    loss = loss.reshape(shape)
    return loss.reshape(()) if one else loss


def probability_loss(x: Tensor, t: np.ndarray, weight: Any, reduction: str, label_smoothing: float,
                     op: str, graph: Tensor | None = None) -> Tensor:
    """Cross-entropy against class probabilities t (the input's shape): -sum_c w[c] t_c log softmax(x)_c.

    ``graph``: the target as a graph input (it requires grad), so the loss is differentiated in t as well.
    """
    one = x.ndim == 1
    if one:
        x = x.reshape(1, -1)
        t = t.reshape(1, -1)
    c = x.shape[1]
    if np.isnan(t).any() or (t < 0).any():
        raise ValueError(f"{op}: target probabilities must be non-negative numbers without NaN")
    if graph is not None:
        tg = graph.reshape(1, -1) if one else graph
        if label_smoothing:
            tg = tg * (1 - label_smoothing) + label_smoothing / c
        w = class_weight(weight, c, x.dtype, op)
        if w is not None:
            tg = tg * _const(w.reshape((c,) + (1,) * (x.ndim - 2)), x.dtype)
        losses = -(tg * x.log_softmax(1)).sum(1)
        if reduction == "none":
            return losses.reshape(()) if one else losses
        return losses.sum() if reduction == "sum" else losses.sum() * (1.0 / losses.size)
    t = t.astype(x.dtype, copy=False)  # float32 logits keep float32 targets
    if label_smoothing:
        t = t * (1 - label_smoothing) + label_smoothing / c
    w = class_weight(weight, c, x.dtype, op)
    t2 = np.moveaxis(t, 1, -1).reshape(-1, c) if t.ndim > 2 else t
    if w is not None:
        t2 = t2 * w
    losses = SoftCrossEntropy.apply(_rows(x), np.ascontiguousarray(t2, dtype=x.dtype))
    if reduction == "none":
        losses = losses.reshape((x.shape[0],) + x.shape[2:])
        return losses.reshape(()) if one else losses
    return _finish(losses, reduction)


# ------------------------------------------------------------- regression


def _pair(pred: Any, target: Any, op: str, reduction: str) -> tuple:
    """Prediction and target for an elementwise loss (torch's broadcasting rule, see ``functional._prepare``)."""
    return _prepare(pred, target, reduction, op)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None) -> Any:
    """0.5 d**2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target; d/dinput: d or delta sign(d).
    ``weight`` (the input's shape) multiplies each element's loss before the reduction (the mean stays the mean)."""
    if weight is not None:
        check_reduction(reduction, "huber_loss")
        x = _tensor_only(input, "huber_loss")
        return weighted_reduce(huber_loss(x, target, "none", delta), weight, x.shape, reduction, "huber_loss",
                               mean_by_weight=False)
    delta = check_number(delta, "huber_loss", "delta")
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    pred, t, scalar = _pair(input, target, "huber_loss", reduction)
    if scalar:
        def one(p: Any, ti: float) -> Any:
            d = p - ti
            return d * d * 0.5 if abs(d.data) < delta else (d.abs() - 0.5 * delta) * delta

        return _reduce(_scalar_elementwise(one, pred, t), reduction)
    tg = graph_target(target, pred)
    d = pred - (t if tg is None else tg)
    a = d.abs()
    small = a.data < delta
    loss = autograd.where(small, d * d * 0.5, (a - 0.5 * delta) * delta)
    return _finish(loss, reduction)


def smooth_l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                   beta: float = 1.0) -> Any:
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0: the L1 loss); d = input - target."""
    reduction = _legacy_reduction(size_average, reduce, reduction, "smooth_l1_loss")
    beta = check_number(beta, "smooth_l1_loss", "beta")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    pred, t, scalar = _pair(input, target, "smooth_l1_loss", reduction)
    if scalar:
        def one(p: Any, ti: float) -> Any:
            d = p - ti
            return d * d * (0.5 / beta) if abs(d.data) < beta else d.abs() - 0.5 * beta

        return _reduce(_scalar_elementwise(one, pred, t), reduction)
    tg = graph_target(target, pred)
    d = pred - (t if tg is None else tg)
    a = d.abs()
    if beta == 0:
        return _finish(a, reduction)
    loss = autograd.where(a.data < beta, d * d * (0.5 / beta), a - 0.5 * beta)
    return _finish(loss, reduction)


def kl_div(input: Any, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target || q) pointwise for log-probabilities ``input`` = log q: t (log t - input), 0 where t = 0.

    ``log_target=True``: the target is given as log t, and the loss is e**t (t - input).
    ``reduction="batchmean"`` (the true KL divergence) divides the sum by the batch size.
    """

    op = "kl_div"
    if reduction != "batchmean":
        reduction = _legacy_reduction(size_average, reduce, reduction, op, extra=("batchmean",))
    x = _tensor_only(input, op)
    t = np.asarray(numbers(target), dtype=x.dtype)
    t, xb = _broadcast_pair(x, t, op)
    tg = graph_target(target, x)
    if tg is not None:  # the target is a graph input: e**t (t - x), or t log t - t x (xlogy: 0 where t = 0)
        if not log_target and (t < 0).any():
            raise ValueError(f"{op}: target probabilities must be >= 0 (pass log_target=True for log-probabilities)")
        loss = tg.exp() * (tg - xb) if log_target else tg.xlogy(tg) - xb * tg
    elif log_target:
        loss = _const(np.exp(t), x.dtype) * (_const(t, x.dtype) - xb)
    else:
        if (t < 0).any():
            raise ValueError(f"{op}: target probabilities must be >= 0 (pass log_target=True for log-probabilities)")
        with np.errstate(divide="ignore", invalid="ignore"):
            tlogt = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), np.where(np.isnan(t), np.nan, 0.0))
        loss = _const(tlogt, x.dtype) - xb * _const(t, x.dtype)
    if reduction == "batchmean":
        n = x.shape[0] if x.ndim else 1
        return loss.sum() * (1.0 / n)
    if reduction == "mean":
        warnings.warn(
            "kl_div: reduction='mean' divides the total loss by the number of elements, not the batch size; "
            "reduction='batchmean' gives the true KL divergence (as in torch)", UserWarning, stacklevel=2)
    return _finish(loss, reduction)


def _broadcast_pair(x: Tensor, t: np.ndarray, op: str) -> tuple[np.ndarray, Tensor]:
    if t.shape == x.shape:
        return t, x
    try:
        shape = np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise ValueError(
            f"{op}: input of shape {x.shape} and target of shape {t.shape} do not broadcast; "
            "give a target of the input's shape"
        ) from None
    return np.broadcast_to(t, shape), (x if x.shape == shape else x.broadcast_to(shape))


def gaussian_nll_loss(input: Any, target: Any, var: Any, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """0.5 (log max(var, eps) + (input - target)**2 / max(var, eps)) (+ 0.5 log(2 pi) with ``full``).

    ``var`` (a Tensor that may require grad) has the input's shape, or one axis
    fewer, or a last axis of 1 (one variance shared by the features). The clamp
    at eps changes the value only: the gradient passes to var as if unclamped (as in torch).
    """

    op = "gaussian_nll_loss"
    check_reduction(reduction, op)
    eps = check_number(eps, op, "eps")
    x = _tensor_only(input, op)
    v = var if isinstance(var, Tensor) else _tensor_only(var, op)
    if v.dtype != x.dtype:
        v = v.astype(x.dtype)
    t = np.asarray(numbers(target), dtype=x.dtype)
    if v.shape != x.shape:
        if x.shape[:-1] == v.shape:  # one variance per sample, shared by its features
            v = v.unsqueeze(-1)
        elif not (v.ndim == x.ndim and sum(m for n, m in zip(x.shape, v.shape) if n != m) == 1):
            raise ValueError(
                f"{op}: var of shape {v.shape} does not fit the input of shape {x.shape}; give var the input's "
                "shape, its shape without the last axis, or a 1 on the one axis it shares"
            )
    if (v.data < 0).any():
        raise ValueError(f"{op}: var has negative entries; a variance must be >= 0 (e.g. pass softplus(raw_var))")
    lifted = np.maximum(v.data, eps) - v.data  # the clamp, added as a constant: no effect on the gradient
    vc = v + _const(lifted, x.dtype)
    tg = graph_target(target, x)
    d = x - (tg if tg is not None else _const(t, x.dtype) if t.shape == x.shape else t)
    loss = (vc.log() + d * d / vc) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _finish(loss, reduction)


def cosine_embedding_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0, size_average: Any = None,
                          reduce: Any = None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (cos along the last axis)."""
    op = "cosine_embedding_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    margin = check_number(margin, op, "margin")
    a, b = _tensor_only(input1, op), _tensor_only(input2, op)
    if a.shape != b.shape or a.ndim not in (1, 2):
        raise ValueError(
            f"{op}: input1 and input2 must have the same shape (N, D) or (D,), got {a.shape} and {b.shape}"
        )
    y = np.asarray(numbers(target))
    want = a.shape[:1] if a.ndim == 2 else ()
    if y.shape != want:
        raise ValueError(f"{op}: target must have shape {want} (one +1/-1 per pair) for inputs {a.shape}, "
                         f"got {y.shape}")
    if not np.isin(y, (1, -1)).all():
        raise ValueError(f"{op}: target entries must be 1 (similar) or -1 (dissimilar), "
                         f"found {np.unique(y)[:5].tolist()}")
    tiny = 1e-12  # torch's: keeps a zero vector from dividing by zero
    dot = (a * b).sum(axis=-1)
    denom = (((a * a).sum(axis=-1) + tiny) * ((b * b).sum(axis=-1) + tiny)).sqrt()
    cos = dot / denom
    pos = _const(y == 1, a.dtype) * (1.0 - cos)
    neg = _const(y == -1, a.dtype) * (cos - margin).relu()
    return _finish(pos + neg, reduction)
