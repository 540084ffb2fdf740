"""Activations and losses as functions, for both modes (``nn.functional``, like ``torch.nn.functional``).

Every function looks at its input: a ``Tensor`` (or plain numbers) runs in
tensor mode; a ``Value`` or an object array of ``Value``s runs in scalar mode,
one node per number. The math is the same, so both modes give the same
outputs and gradients. Targets of losses are constants (numbers or arrays).
"""

from __future__ import annotations

import math
import warnings
from sys import getrefcount as _getrefcount
from numbers import Real
from typing import Any, Iterable

import numpy as np

import autograd
from autograd import Function, Tensor, Value
from autograd import generic as G
from autograd.backend import ops as K
from autograd import fusion as _fusion
from autograd.value import GELU_APPROXIMATIONS

from .modes import as_value, is_scalar, numbers, shape_of, smap, to_tensor, to_values
from .target_grad import graph_target
from .inplace_arg import apply_inplace
from .loss_weight import weighted_reduce

REDUCTIONS = ("mean", "sum", "none")
_F64 = np.dtype(np.float64)

# --------------------------------------------------------------- activations


def identity(x: Any) -> Any:
    """x (the linear activation); derivative 1."""
    return x


def step(x: Any) -> Any:
    """Binary step: 1 where x >= 0 else 0; its derivative is 0, so no gradient passes (perceptrons only)."""
    return smap(Value.step, x) if is_scalar(x) else to_tensor(x, "step").step()


binary_step = step


def sigmoid(input: Any) -> Any:
    """1 / (1 + e**-x); derivative s (1 - s)."""
    # F.sigmoid(x @ W + b)
    if type(input) is Tensor and input._op in _fusion.LAYERS and _getrefcount(input) <= _fusion.TEMP_ARG:
        fused = _fusion.activation(input, "sigmoid")
        if fused is not None:
            return fused
    return smap(Value.sigmoid, input) if is_scalar(input) else to_tensor(input, "sigmoid").sigmoid()


def tanh(input: Any) -> Any:
    """tanh(x); derivative 1 - tanh(x)**2."""
    # F.tanh(x @ W + b)
    if type(input) is Tensor and input._op in _fusion.LAYERS and _getrefcount(input) <= _fusion.TEMP_ARG:
        fused = _fusion.activation(input, "tanh")
        if fused is not None:
            return fused
    return smap(Value.tanh, input) if is_scalar(input) else to_tensor(input, "tanh").tanh()


def relu(input: Any, inplace: bool = False) -> Any:
    """max(x, 0); derivative 1 where x > 0 else 0 (``inplace=True``: written into x, as torch)."""
    if inplace is not False:
        return apply_inplace(input, inplace, "relu", relu)
    # F.relu(x @ W + b)
    if type(input) is Tensor and input._op in _fusion.LAYERS and _getrefcount(input) <= _fusion.TEMP_ARG:
        fused = _fusion.activation(input, "relu")
        if fused is not None:
            return fused
    return smap(Value.relu, input) if is_scalar(input) else to_tensor(input, "relu").relu()


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Any:
    """x where x > 0 else negative_slope * x; derivative 1 or negative_slope."""
    if inplace is not False:
        return apply_inplace(input, inplace, "leaky_relu", lambda t: leaky_relu(t, negative_slope))
    a = check_number(negative_slope, "leaky_relu", "negative_slope")
    if is_scalar(input):
        return smap(lambda v: v.leaky_relu(a), input)
    return to_tensor(input, "leaky_relu").leaky_relu(a)


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """x where x > 0 else alpha (e**x - 1); derivative 1 or alpha e**x."""
    if inplace is not False:
        return apply_inplace(input, inplace, "elu", lambda t: elu(t, alpha))
    a = check_number(alpha, "elu", "alpha")
    if is_scalar(input):
        return smap(lambda v: v.elu(a), input)
    return to_tensor(input, "elu").elu(a)


def softplus(x: Any, beta: float = 1.0, threshold: float | None = 20.0) -> Any:
    """log(1 + e**(beta x)) / beta, computed stably; derivative sigmoid(beta x).

    Past ``threshold`` (beta x > threshold) it is x itself, as torch (default 20, torch's);
    threshold=None has no cut-off (the exact formula everywhere).
    """
    if beta == 1.0 and threshold is None and type(beta) in (int, float):
        return smap(Value.softplus, x) if is_scalar(x) else to_tensor(x, "softplus").softplus()
    b = check_number(beta, "softplus", "beta")
    if b == 0:
        raise ValueError("softplus: beta must not be 0 (it divides the result)")
    t = None if threshold is None else check_number(threshold, "softplus", "threshold")
    if is_scalar(x):
        if b == 1.0:
            return smap(lambda v: v if t is not None and v.data > t else v.softplus(), x)
        return smap(lambda v: v if t is not None and v.data * b > t else (v * b).softplus() * (1.0 / b), x)
    return to_tensor(x, "softplus").softplus(b, t)


def silu(input: Any, inplace: bool = False) -> Any:
    """x sigmoid(x) (SiLU, also called swish); derivative s (1 + x (1 - s)), s = sigmoid(x)."""
    if inplace is not False:
        return apply_inplace(input, inplace, "silu", silu)
    return smap(Value.silu, input) if is_scalar(input) else to_tensor(input, "silu").silu()


swish = silu


def gelu(x: Any, approximate: str = "none") -> Any:
    """x Phi(x), Phi the standard normal CDF; derivative Phi(x) + x phi(x) (``approximate="tanh"``: torch's form)."""
    if approximate not in GELU_APPROXIMATIONS:
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    if is_scalar(x):
        return smap(lambda v: v.gelu(approximate), x)
    return to_tensor(x, "gelu").gelu(approximate)


def mish(input: Any, inplace: bool = False) -> Any:
    """x tanh(softplus(x)); its derivative follows from the three ops' (each a node)."""
    if inplace is not False:
        return apply_inplace(input, inplace, "mish", mish)
    if is_scalar(input):
        return smap(lambda v: v * v.softplus().tanh(), input)
    t = to_tensor(input, "mish")
    return t * t.softplus().tanh()


def prelu(x: Any, weight: Any) -> Any:
    """x where x > 0 else a * x with a learnable slope ``weight`` (one per channel, or one for all).

    The channel axis is 1 for inputs with two or more axes and 0 for a single sample.
    """
    if is_scalar(x) or type(weight) is Value or (isinstance(weight, np.ndarray) and weight.dtype == object):
        x = to_values(x, "prelu")
        w = np.array([weight], dtype=object) if type(weight) is Value else to_values(weight, "prelu").reshape(-1)
        if type(x) is Value:
            return x if x.data > 0 else x * as_value(w[0])
        axis = _channel_axis(x.shape, w.size, "prelu")
        out = np.empty(x.shape, dtype=object)
        for idx in np.ndindex(x.shape):
            v = as_value(x[idx])
            a = w[0] if w.size == 1 else w[idx[axis]]
            out[idx] = v if v.data > 0 else v * as_value(a)
        return out
    x = to_tensor(x, "prelu")
    w = to_tensor(weight, "prelu")
    if w.size != 1:
        axis = _channel_axis(x.shape, w.size, "prelu")
        w = w.reshape((w.size,) + (1,) * (x.ndim - axis - 1))
    else:
        w = w.reshape(())
    return autograd.where(x.data > 0, x, x * w)


def _channel_axis(shape: tuple, n: int, op: str) -> int:
    axis = 1 if len(shape) >= 2 else 0
    if n != 1 and (not shape or shape[axis] != n):
        raise ValueError(
            f"{op}: {n} slopes need {n} channels on axis {axis}, but the input has shape {shape}; "
            "use num_parameters=1 or match the channel count"
        )
    return axis


def softmax(input: Any, dim: Any = None, _stacklevel: int = 3, dtype: Any = None, *, axis: Any = None) -> Any:
    """e**x / sum(e**x) along ``dim`` (or numpy's ``axis``; the last axis when neither is given),
    shifted by the max, so no overflow. ``dtype``: x is cast to it first (torch's argument)."""
    if dtype is not None:
        return softmax(to_tensor(input, "softmax").astype(dtype), dim, axis=axis)
    axis = _softmax_dim(dim, axis, "softmax")
    if is_scalar(input):
        return _scalar_softmax(input, axis, log=False)
    return to_tensor(input, "softmax").softmax(axis)


def log_softmax(input: Any, dim: Any = None, _stacklevel: int = 3, dtype: Any = None, *, axis: Any = None) -> Any:
    """x - log(sum(e**x)) along ``dim`` (or ``axis``; the last axis by default), computed without overflow.
    ``dtype``: x is cast to it first (torch's argument)."""
    if dtype is not None:
        return log_softmax(to_tensor(input, "log_softmax").astype(dtype), dim, axis=axis)
    axis = _softmax_dim(dim, axis, "log_softmax")
    if is_scalar(input):
        return _scalar_softmax(input, axis, log=True)
    return to_tensor(input, "log_softmax").log_softmax(axis)


def _softmax_dim(dim: Any, axis: Any, op: str) -> Any:
    if axis is None:
        return -1 if dim is None else dim
    if dim is not None:
        raise TypeError(f"{op}: give dim (torch) or axis (numpy), not both")
    return axis


def _scalar_softmax(x: Any, axis: int, log: bool) -> np.ndarray:
    op = "log_softmax" if log else "softmax"
    x = to_values(x, op)
    if type(x) is Value or x.ndim == 0:
        raise ValueError(f"{op}: needs at least one axis, got a single number")
    if not isinstance(axis, (int, np.integer)) or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"{op}: axis {axis!r} is out of range for an input of shape {x.shape}")
    moved = np.moveaxis(x, axis, -1)
    out = np.empty(moved.shape, dtype=object)
    for idx in np.ndindex(moved.shape[:-1]):
        row = [as_value(v) for v in moved[idx]]
        m = max(v.data for v in row)  # a constant shift: the result does not depend on it
        shifted = [v - m for v in row]
        total = Value.sum([s.exp() for s in shifted])
        if log:
            lse = total.log()
            vals = [s - lse for s in shifted]
        else:
            vals = [s.exp() / total for s in shifted]
        for j, v in enumerate(vals):
            out[idx + (j,)] = v
    return np.moveaxis(out, -1, axis)


ACTIVATIONS = {
    "identity": identity,
    "linear": identity,
    "step": step,
    "binary_step": step,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "softplus": softplus,
    "silu": silu,
    "swish": silu,
    "gelu": gelu,
    "mish": mish,
    "softmax": softmax,
    "log_softmax": log_softmax,
}


def get_activation_fn(name: str) -> Any:
    """The activation function called ``name`` (see ``ACTIVATIONS``)."""
    key = name.lower() if isinstance(name, str) else name
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(sorted(ACTIVATIONS))}")
    return ACTIVATIONS[key]


# ------------------------------------------------------------ loss op classes


class CrossEntropy(Function):
    """-log softmax(z)[y] per row for integer labels y, reduced to the mean or sum in the same op
    (``reduction``: "mean", "sum" or "none"); dL/dz = g_row (softmax(z) - onehot(y)), g_row = g/n for the mean."""

    @staticmethod
    def torch_name(t: Any) -> str:  # torch's cross_entropy ends in nll_loss
        return "NllLossBackward0"

    @staticmethod
    def forward(ctx: Any, logits: np.ndarray, labels: np.ndarray, reduction: str = "none") -> np.ndarray:
        losses, logp = K.cross_entropy(logits, labels)
        ctx.save_for_backward(logits)
        ctx.logp, ctx.labels, ctx.reduction = logp, labels, reduction
        if reduction != "none":  # np.add.reduce: what .sum() and .mean() call, without their Python wrappers
            total = np.add.reduce(losses)
            return np.asarray(total / losses.shape[0] if reduction == "mean" else total, dtype=logits.dtype)
        return losses

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (z,) = ctx.saved_tensors
        n = ctx.labels.shape[0]
        if ctx.reduction != "none":  # every row's loss got the same weight: 1/n of g (mean) or g (sum)
            scale = 1.0 / n if ctx.reduction == "mean" else 1.0
            if isinstance(g, np.ndarray):
                g = np.full(n, g * scale, dtype=z.dtype)
            else:  # create_graph: keep g a graph node
                g = G.broadcast_to((g * scale).reshape((1,)), (n,))
        logp = ctx.logp if isinstance(z, np.ndarray) else z.log_softmax(axis=-1)  # recorded for create_graph
        return K.cross_entropy_backward(g, logp, ctx.labels), None


class SoftCrossEntropy(Function):
    """Per-row -sum_j t_j log softmax(z)_j for target distributions t; dL/dz = g (softmax(z) sum(t) - t)."""

    @staticmethod
    def forward(ctx: Any, logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
        losses, logp = K.cross_entropy_soft(logits, targets)
        ctx.save_for_backward(logits)
        ctx.logp, ctx.targets = logp, targets
        return losses

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (z,) = ctx.saved_tensors
        logp = ctx.logp if isinstance(z, np.ndarray) else z.log_softmax(axis=-1)
        return K.cross_entropy_soft_backward(g, logp, ctx.targets), None


class BinaryCrossEntropy(Function):
    """-(t log p + (1 - t) log(1 - p)) per element; dL/dp = (p - t) / (p (1 - p))."""

    @staticmethod
    def forward(ctx: Any, p: np.ndarray, t: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(p)
        ctx.t = t
        return K.binary_cross_entropy(p, t)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (p,) = ctx.saved_tensors
        return K.binary_cross_entropy_backward(g, p, ctx.t), None


class BinaryCrossEntropyWithLogits(Function):
    """softplus(z) - t z per element (BCE of sigmoid(z), without overflow), reduced to the mean or sum in the same
    op as torch's node (``reduction`` "mean", "sum" or "none"); dL/dz = g_el (sigmoid(z) - t), g_el = g/n for the
    mean."""

    @staticmethod
    def forward(ctx: Any, z: np.ndarray, t: np.ndarray, reduction: str = "none") -> np.ndarray:
        ctx.save_for_backward(z)
        ctx.t, ctx.reduction = t, reduction
        losses = K.binary_cross_entropy_with_logits(z, t)
        if reduction == "none":
            return losses
        return np.asarray(losses.mean() if reduction == "mean" else losses.sum(), dtype=losses.dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (z,) = ctx.saved_tensors
        if ctx.reduction == "mean":  # every element's loss weighs 1/n
            g = g * (1.0 / max(ctx.t.size, 1))
        return K.binary_cross_entropy_with_logits_backward(g, z, ctx.t), None


class SquaredError(Function):
    """mean (or sum, scale = 1) of (p - t)**2 in one op; dL/dp = g 2 (p - t) scale, scale = 1/n for the mean."""

    @staticmethod
    def torch_name(t: Any) -> str:
        return "MseLossBackward0"

    @staticmethod
    def forward(ctx: Any, p: np.ndarray, t: np.ndarray, mean: bool = True) -> np.ndarray:
        ctx.save_for_backward(p)
        d = p - t
        ctx.t, ctx.d, ctx.scale = t, d, 2.0 / p.size if mean else 2.0
        # float64: BLAS's dot (one call, several partial sums); float32 keeps numpy's pairwise sum
        total = np.vdot(d, d) if d.dtype == np.float64 else np.sum(d * d)
        return np.asarray(total / p.size if mean else total, dtype=p.dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> tuple:
        (p,) = ctx.saved_tensors  # a graph node under create_graph, so the rule can be differentiated again
        d = ctx.d if isinstance(p, np.ndarray) else p - ctx.t
        if type(g) is np.ndarray and g.dtype == _F64 and g.ndim == 0:  # the same float64 product, in Python
            return d * (float(g) * ctx.scale), None
        return d * (g * ctx.scale), None


# ------------------------------------------------------------------ losses


def mse_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
             weight: Any = None) -> Any:
    """Mean (or sum) of (pred - target)**2; ``weight`` (the input's shape): sum(w l) / sum(w) for the mean."""
    reduction = _legacy_reduction(size_average, reduce, reduction, "mse_loss")
    if weight is not None:
        p = to_tensor(input, "mse_loss")
        return weighted_reduce(mse_loss(p, target, reduction="none"), weight, p.shape, reduction, "mse_loss")
    fused = reduction != "none" and not is_scalar(input)  # one op, NaN looked for only if the loss is NaN
    input, t, scalar = _prepare(input, target, reduction, "mse_loss", check_nan=not fused)
    if scalar:
        return _reduce(_scalar_elementwise(lambda p, ti: (p - ti) * (p - ti), input, t), reduction)
    tg = graph_target(target, input)
    if tg is not None or not fused:  # a target that requires grad is a graph input
        d = input - (t if tg is None else tg)
        return _reduce(d * d, reduction)
    loss = SquaredError._apply1(input, t=t, mean=reduction == "mean")  # the target is data, not a graph input
    if loss.data != loss.data:  # NaN somewhere in the inputs (or infinities that cancel): say where
        _check_nan(numbers(input), t, "mse_loss")
    return loss


def sse_loss(pred: Any, target: Any, reduction: str = "sum") -> Any:
    """The classic cost E = 1/2 sum (pred - target)**2 (``reduction='mean'`` gives 1/2 the mean)."""
    pred, t, scalar = _prepare(pred, target, reduction, "sse_loss", shapes="reshape")
    if scalar:
        return _reduce(_scalar_elementwise(lambda p, ti: (p - ti) * (p - ti) * 0.5, pred, t), reduction)
    d = pred - t
    return _reduce(d * d * 0.5, reduction)


def l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
            weight: Any = None) -> Any:
    """Mean (or sum) of |pred - target|; ``weight`` (the input's shape): sum(w l) / sum(w) for the mean."""
    reduction = _legacy_reduction(size_average, reduce, reduction, "l1_loss")
    if weight is not None:
        p = to_tensor(input, "l1_loss")
        return weighted_reduce(l1_loss(p, target, reduction="none"), weight, p.shape, reduction, "l1_loss")
    input, t, scalar = _prepare(input, target, reduction, "l1_loss")
    if scalar:
        return _reduce(_scalar_elementwise(lambda p, ti: (p - ti).abs(), input, t), reduction)
    tg = graph_target(target, input)
    return _reduce((input - (t if tg is None else tg)).abs(), reduction)


def hinge_loss(scores: Any, target: Any, margin: float = 1.0, reduction: str = "mean") -> Any:
    """Max-margin loss max(0, margin - y * score) for labels y in {-1, +1} (micrograd's demo loss)."""
    margin = check_number(margin, "hinge_loss", "margin")
    scores, t, scalar = _prepare(scores, target, reduction, "hinge_loss", shapes="reshape")
    bad = (t != 1) & (t != -1)
    if bad.any():
        raise ValueError(
            f"hinge_loss: labels must be -1 or +1, found {np.unique(t[bad])[:5].tolist()}; "
            "for 0/1 labels pass y * 2 - 1"
        )
    if scalar:
        return _reduce(_scalar_elementwise(lambda s, ti: (s * -ti + margin).relu(), scores, t), reduction)
    return _reduce((scores * -t + margin).relu(), reduction)


max_margin_loss = hinge_loss


def binary_cross_entropy(input: Any, target: Any, weight: Any = None, size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Any:
    """-w (t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1] (logs clamped at -100 like torch)."""
    if isinstance(weight, str):  # the old positional spelling binary_cross_entropy(p, t, "sum")
        weight, reduction = None, weight
    reduction = _legacy_reduction(size_average, reduce, reduction, "binary_cross_entropy")
    input, t, scalar = _prepare(input, target, reduction, "binary_cross_entropy", shapes="same")
    p = numbers(input)
    if ((p < 0) | (p > 1)).any():
        raise ValueError(
            f"binary_cross_entropy: inputs must be probabilities in [0, 1], found values from {p.min():.4g} to "
            f"{p.max():.4g}; apply sigmoid first or use binary_cross_entropy_with_logits on raw scores"
        )
    _check_unit_targets(t, "binary_cross_entropy")
    if scalar:
        losses = _scalar_elementwise(_scalar_bce, input, t)
        if weight is not None:
            losses = losses * _elementwise_weight(weight, losses.shape, np.float64, "binary_cross_entropy", "weight")
        return _reduce(losses, reduction)
    tg = graph_target(target, input)
    if tg is None:
        losses = BinaryCrossEntropy.apply(input, t)
    else:  # the target is a graph input: -(t log p + (1 - t) log(1 - p)), each log clamped at -100
        losses = -(tg * input.log().clamp(min=-100.0) + (1.0 - tg) * (1.0 - input).log().clamp(min=-100.0))
    if weight is not None:
        losses = losses * _elementwise_weight(weight, losses.shape, losses.dtype, "binary_cross_entropy", "weight")
    return _reduce(losses, reduction)


def _elementwise_weight(weight: Any, shape: tuple, dtype: Any, op: str, what: str) -> np.ndarray:
    """A loss weight as a float array that broadcasts to ``shape``; ValueError naming both shapes otherwise."""
    w = np.asarray(numbers(weight), dtype=dtype)
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(f"{op}: {what} of shape {w.shape} does not broadcast to the input's shape {shape}") from None
    if np.broadcast_shapes(w.shape, shape) != tuple(shape):
        raise ValueError(f"{op}: {what} of shape {w.shape} would enlarge the input's shape {shape}; it must fit inside")
    return w


def _scalar_bce(p: Value, t: float) -> Value:
    logp = p.log() if p.data > 0 else Value(-100.0)
    log1mp = (1 - p).log() if p.data < 1 else Value(-100.0)
    if logp.data < -100:
        logp = Value(-100.0)
    if log1mp.data < -100:
        log1mp = Value(-100.0)
    return -(logp * t + log1mp * (1 - t))


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean", pos_weight: Any = None) -> Any:
    """Binary cross-entropy of sigmoid(logits), computed stably: w ((1 - t) z - (1 + (pw - 1) t) log sigmoid(z)).

    ``pos_weight`` (pw, one per class on the last axis) weighs the positive
    targets; ``weight`` each element. Without them it is one op, softplus(z) - t z.
    """
    op = "binary_cross_entropy_with_logits"
    if isinstance(weight, str):  # the old positional spelling (logits, target, "sum")
        weight, reduction = None, weight
    reduction = _legacy_reduction(size_average, reduce, reduction, op)
    input, t, scalar = _prepare(input, target, reduction, op, shapes="same")
    _check_unit_targets(t, op)
    shape = np.shape(input) if scalar else input.shape
    dtype = np.float64 if scalar else input.dtype
    w = None if weight is None else _elementwise_weight(weight, shape, dtype, op, "weight")
    pw = None if pos_weight is None else _elementwise_weight(pos_weight, shape, dtype, op, "pos_weight")
    if scalar:
        lw = 1.0 + (pw - 1.0) * t if pw is not None else None
        if lw is None:
            losses = _scalar_elementwise(lambda z, ti: z.softplus() - z * ti, input, t)
        else:  # -log sigmoid(z) = softplus(-z)
            losses = np.empty(shape, dtype=object)
            flat, zf, tf, lf = losses.reshape(-1), input.reshape(-1), t.reshape(-1), np.broadcast_to(lw, shape).ravel()
            for i in range(zf.size):
                z = as_value(zf[i])
                flat[i] = z * (1.0 - float(tf[i])) + (-z).softplus() * float(lf[i])
        return _reduce(losses if w is None else losses * w, reduction)
    tg = graph_target(target, input)
    if tg is not None:  # the target is a graph input: (1 - t) z - (1 + (pw - 1) t) log sigmoid(z)
        lw = 1.0 + tg * (pw - 1.0) if pw is not None else 1.0
        losses = input * (1.0 - tg) - input.log_sigmoid() * lw
    elif pw is None and w is None:  # one op, reduction included: torch's BinaryCrossEntropyWithLogitsBackward0
        return BinaryCrossEntropyWithLogits.apply(input, t, reduction=reduction)
    elif pw is None:
        losses = BinaryCrossEntropyWithLogits.apply(input, t)
    else:
        lw = 1.0 + (pw - 1.0) * t
        losses = input * (1.0 - t) - input.log_sigmoid() * lw.astype(dtype, copy=False)
    if w is not None:
        losses = losses * w
    return _reduce(losses, reduction)


def cross_entropy(input: Any, target: Any, weight: Any = None, size_average: Any = None, ignore_index: int = -100,
                  reduce: Any = None, reduction: str = "mean", label_smoothing: float = 0.0) -> Any:
    """-log softmax(logits)[label] per prediction, computed stably from raw scores (torch's arguments).

    ``logits``: (N, C), (C,) for one sample, or (N, C, d1, ...) with the classes
    on axis 1. ``target``: class indices of shape (N,) (or (N, d1, ...)) in
    [0, C), or class probabilities of the logits' shape. ``weight`` (C,) weighs
    each class (the mean divides by the summed weights of the targets);
    ``ignore_index`` marks labels that count for nothing; ``label_smoothing`` e
    mixes the target with the uniform distribution: (1 - e) target + e / C.
    """
    if (type(input) is Tensor and weight is None and ignore_index == -100 and not label_smoothing
            and size_average is None and reduce is None and (reduction == "mean" or reduction == "sum")):
        labels = _plain_labels(input.data, target)
        if labels is not None:  # the commonest call, checked in a few comparisons: one op
            loss = CrossEntropy._apply1(input, labels=labels, reduction=reduction)
            _check_logits_nan(input, loss)
            return loss
    if isinstance(weight, str):  # the old positional spelling cross_entropy(z, y, "sum")
        weight, reduction = None, weight
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction, "cross_entropy")
    if (weight is None and not label_smoothing and ignore_index == -100 and _plain_ndim(input)
            and not (isinstance(input, Tensor) and graph_target(target, input) is not None)):
        try:
            return _cross_entropy_basic(input, target, reduction)  # the fused one-op path
        except _IgnoredLabels:  # some labels are -100: the general path leaves them out
            pass
    return _class_loss(input, target, weight, ignore_index, reduction, label_smoothing, False, "cross_entropy")


def _plain_labels(z: np.ndarray, target: Any) -> np.ndarray | None:
    """int64 labels for float logits z (N, C) when ``target`` is N integer labels, all in [0, C); else None
    (and the general path checks it, and names what is wrong)."""
    t = target.data if type(target) is Tensor else target
    if (type(t) is not np.ndarray or t.ndim != 1 or z.ndim != 2 or t.shape[0] != z.shape[0] or not t.shape[0]
            or not z.shape[1] or t.dtype.kind not in "iu" or z.dtype.kind != "f"):
        return None
    labels = t.astype(np.int64)  # a copy: backward reads the labels after the caller may have changed its array
    # seen as unsigned, a negative label is huge: one max finds labels below 0 and labels too large alike
    return labels if labels.view(np.uint64).max() < z.shape[1] else None


def _plain_ndim(x: Any) -> bool:
    """True for an (N, C) or (C,) input: the fused path's shapes."""
    nd = x.data.ndim if isinstance(x, Tensor) else len(shape_of(x))
    return nd == 2 or nd == 1


class _IgnoredLabels(Exception):
    """Raised by the fused path's label check when labels hold the default ignore_index -100."""


def _class_loss(x: Any, target: Any, weight: Any, ignore_index: Any, reduction: str, label_smoothing: Any,
                log_probs: bool, op: str) -> Tensor:
    """Cross-entropy/NLL with weight, ignore_index, label smoothing or extra axes (see ``loss_functions``)."""
    check_reduction(reduction, op)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{op}: ignore_index must be an int, got {ignore_index!r}")
    eps = check_number(label_smoothing, op, "label_smoothing")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {eps}")
    if is_scalar(x):
        raise TypeError(
            f"{op}: weight, ignore_index, label_smoothing and inputs with more than 2 axes need tensor mode; "
            "convert the model with .to_tensor()"
        )
    z = to_tensor(x, op)
    if z.ndim == 0 or 0 in z.shape:
        raise ValueError(f"{op}: input must have shape (N, C), (C,) or (N, C, d1, ...), non-empty; got {z.shape}")
    t = np.asarray(numbers(target))
    if t.shape == z.shape and t.dtype.kind == "f" and not log_probs:
        return probability_loss(z, t, weight, reduction, eps, op, graph_target(target, z))
    return class_index_loss(z, t, weight, int(ignore_index), reduction, eps, log_probs, op)


def _cross_entropy_basic(logits: Any, target: Any, reduction: str) -> Any:
    """cross_entropy without weight, ignore_index or smoothing, on (N, C) or (C,): one fused op in tensor mode."""
    check_reduction(reduction, "cross_entropy")
    scalar = is_scalar(logits)
    z = to_values(logits, "cross_entropy") if scalar else to_tensor(logits, "cross_entropy")
    shape = np.shape(z) if scalar else z.shape
    if len(shape) not in (1, 2):
        raise ValueError(f"cross_entropy: logits must have shape (N, C) or (C,), got {shape}")
    if 0 in shape:
        raise ValueError(f"cross_entropy: got empty logits of shape {shape}; there is nothing to average")
    one = len(shape) == 1
    if one:
        z = z.reshape((1,) + shape)
    n, c = z.shape
    t = np.asarray(numbers(target))
    # one sample: a label, or a distribution of shape (C,); a batch: labels (N,) or distributions (N, C)
    soft = t.ndim == 2 or (one and t.size == c and c > 1)
    if soft or scalar:
        _check_logits_nan(z, None)
    if soft:
        t = t.reshape(n, c) if one else t
        if t.shape != (n, c):
            raise ValueError(f"cross_entropy: target distributions of shape {t.shape} do not match logits {(n, c)}")
        if np.isnan(t).any() or (t < 0).any():
            raise ValueError("cross_entropy: target distributions must be non-negative numbers without NaN")
        t = t.astype(np.float64 if scalar else z.dtype)  # float32 logits keep float32 targets
        if scalar:
            losses = np.empty(n, dtype=object)
            for i in range(n):
                shifted, lse = _scalar_shifted_lse(z[i])
                losses[i] = -Value.sum([(s - lse) * float(t[i, j]) for j, s in enumerate(shifted)])
        else:
            losses = SoftCrossEntropy.apply(z, t)
    else:
        labels = check_labels(t.reshape(-1) if one else t, c, "cross_entropy", ignore=-100)
        if labels.shape[0] != n:
            raise ValueError(f"cross_entropy: {n} rows of logits but {labels.shape[0]} labels; give one label per row")
        if scalar:
            losses = np.empty(n, dtype=object)
            for i in range(n):
                shifted, lse = _scalar_shifted_lse(z[i])
                losses[i] = lse - shifted[labels[i]]
        else:  # one op, the batch's reduction included
            losses = CrossEntropy._apply1(z, labels=labels, reduction="none" if one else reduction)
            _check_logits_nan(z, losses)
            if not one:
                return losses
    if one and reduction == "none":
        return losses[0]
    return _reduce(losses, reduction)


def _check_logits_nan(z: Any, loss: Any) -> None:
    """ValueError when the logits hold NaN (with a loss: only looked for when the loss is NaN, so it costs nothing)."""
    if loss is not None:
        d = loss.data
        if (d == d) if d.ndim == 0 else not np.isnan(d).any():  # a reduced loss: one comparison says no NaN
            return
    zn = numbers(z)
    if np.isnan(zn).any():
        raise ValueError(f"cross_entropy: the logits contain NaN ({int(np.isnan(zn).sum())} of {zn.size}); "
                         "check the inputs and lower the learning rate")


def _scalar_shifted_lse(row: Any) -> tuple[list, Value]:
    """(x - max(x), log sum e**(x - max)) for one row of Values."""
    row = [as_value(v) for v in row]
    m = max(v.data for v in row)
    shifted = [v - m for v in row]
    return shifted, Value.sum([s.exp() for s in shifted]).log()


def nll_loss(input: Any, target: Any, weight: Any = None, size_average: Any = None, ignore_index: int = -100,
             reduce: Any = None, reduction: str = "mean") -> Any:
    """-w[label] log_probs[row, label]: the loss after ``log_softmax`` (cross_entropy = nll_loss(log_softmax(z))).

    Shapes, ``weight`` and ``ignore_index`` as in ``cross_entropy``.
    """
    if isinstance(weight, str):  # the old positional spelling nll_loss(lp, y, "sum")
        weight, reduction = None, weight
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction, "nll_loss")
    if weight is not None or ignore_index != -100 or len(shape_of(input)) != 2:
        return _class_loss(input, target, weight, ignore_index, reduction, 0.0, True, "nll_loss")
    try:
        return _nll_basic(input, target, reduction)
    except _IgnoredLabels:
        return _class_loss(input, target, weight, ignore_index, reduction, 0.0, True, "nll_loss")


def _nll_basic(log_probs: Any, target: Any, reduction: str) -> Any:
    """nll_loss on (N, C) without weight or ignored labels, in either mode."""
    check_reduction(reduction, "nll_loss")
    scalar = is_scalar(log_probs)
    lp = to_values(log_probs, "nll_loss") if scalar else to_tensor(log_probs, "nll_loss")
    shape = np.shape(lp) if scalar else lp.shape
    if len(shape) != 2 or 0 in shape:
        raise ValueError(f"nll_loss: log-probabilities must have a non-empty shape (N, C), got {shape}")
    n, c = shape
    labels = check_labels(numbers(target), c, "nll_loss", ignore=-100)
    if labels.shape[0] != n:
        raise ValueError(f"nll_loss: {n} rows but {labels.shape[0]} labels; give one label per row")
    if scalar:
        losses = np.array([-as_value(lp[i, labels[i]]) for i in range(n)], dtype=object)
    else:
        losses = -lp[np.arange(n), labels]
    return _reduce(losses, reduction)


def l2_penalty(params: Iterable[Any]) -> Any:
    """sum of p**2 over every weight (multiply by a coefficient for L2 regularisation)."""
    params = list(params.parameters() if hasattr(params, "parameters") else params)
    values = [p for p in params if type(p) is Value]
    tensors = [p for p in params if isinstance(p, Tensor)]
    if len(values) + len(tensors) != len(params):
        raise TypeError("l2_penalty: expected Tensors or Values (e.g. model.parameters())")
    total: Any = Value.sum([v * v for v in values]) if values else None
    for p in tensors:
        sq = (p * p).sum()
        total = sq if total is None else total + sq
    return total if total is not None else 0.0


# ----------------------------------------------------------------- helpers


def check_labels(y: Any, num_classes: int | None, where: str, ignore: int | None = None) -> np.ndarray:
    """Integer class labels as an int64 array; ValueError naming the bad labels otherwise."""
    arr = np.asarray(numbers(y) if not isinstance(y, np.ndarray) else y)
    if arr.ndim != 1:
        raise ValueError(f"{where}: labels must be a 1-D array of class indices, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if np.isnan(arr).any() or not np.all(arr == np.round(arr)):
            raise ValueError(f"{where}: labels must be whole numbers (class indices), got {arr[:5].tolist()}...")
    elif arr.dtype.kind not in "iub":
        raise TypeError(f"{where}: labels must be integers, got dtype {arr.dtype}")
    labels = arr.astype(np.int64)
    # seen as unsigned, a negative label is huge: one max finds labels below 0 and labels too large alike
    if labels.size and num_classes is not None and labels.view(np.uint64).max() >= num_classes:
        bad = labels[(labels < 0) | (labels >= num_classes)]
        if ignore is not None and (bad == ignore).all():
            raise _IgnoredLabels
        raise ValueError(
            f"{where}: labels must be in [0, {num_classes - 1}] for {num_classes} classes, found "
            f"{np.unique(bad)[:5].tolist()}; check the number of outputs of the last layer"
        )
    return labels


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """Zeros with a 1 at each label, on a new last axis: an int64 Tensor of shape (*labels.shape, num_classes).

    As torch's ``one_hot``; ``num_classes=-1`` takes one more than the largest label. Use
    ``.float()``/``.double()`` for float targets.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or (
            num_classes < 1 and num_classes != -1):
        raise ValueError(f"one_hot: num_classes must be a positive int (or -1 to infer it), got {num_classes!r}")
    arr = np.asarray(numbers(labels) if not isinstance(labels, np.ndarray) else labels)
    shape = arr.shape
    y = check_labels(arr.reshape(-1), None, "one_hot")
    if (y < 0).any():
        raise ValueError(f"one_hot: labels must be non-negative (>= 0), found {np.unique(y[y < 0])[:5].tolist()}")
    if num_classes == -1:
        if y.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from no labels; pass num_classes")
        num_classes = int(y.max()) + 1
    elif y.size and y.max() >= num_classes:
        raise ValueError(
            f"one_hot: labels must be in [0, {num_classes - 1}] for {num_classes} classes, found "
            f"{np.unique(y[y >= num_classes])[:5].tolist()}; raise num_classes or pass -1 to infer it"
        )
    out = np.zeros((y.size, int(num_classes)), dtype=np.int64)
    out[np.arange(y.size), y] = 1
    return Tensor._make(out.reshape(shape + (int(num_classes),)))


def check_number(x: Any, op: str, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{op}: {what} must be a number, got {x!r}")
    return float(x)


def check_reduction(reduction: str, op: str, extra: tuple = ()) -> None:
    if reduction in REDUCTIONS:
        return
    if reduction not in REDUCTIONS + extra:
        raise ValueError(
            f"{op}: reduction must be one of {', '.join(map(repr, REDUCTIONS + extra))}, got {reduction!r}"
        )


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str, op: str, extra: tuple = ()) -> str:
    """The reduction, from torch's deprecated ``size_average``/``reduce`` flags when given (checked)."""
    if isinstance(size_average, str):  # an old positional spelling: fn(pred, target, "sum")
        size_average, reduction = None, size_average
    if size_average is not None or reduce is not None:
        if reduce is not None and not reduce:
            reduction = "none"
        else:
            reduction = "sum" if size_average is not None and not size_average else "mean"
    check_reduction(reduction, op, extra)
    return reduction


def _check_unit_targets(t: np.ndarray, op: str) -> None:
    if ((t < 0) | (t > 1)).any():
        raise ValueError(
            f"{op}: targets must be in [0, 1] (0/1 labels), found values from {t.min():.4g} to {t.max():.4g}"
        )


def _prepare(pred: Any, target: Any, reduction: str, op: str, check_nan: bool = True,
             shapes: str = "broadcast") -> tuple:
    """Check a (prediction, target) pair; return (prediction in its mode, float target array, is_scalar).

    Shapes that differ: ``"broadcast"`` broadcasts them with a warning, as torch's regression
    losses do; ``"same"`` refuses (torch's BCE losses); ``"reshape"`` takes a target of the
    same size in the prediction's shape. Shapes that cannot be matched raise ValueError.
    """
    check_reduction(reduction, op)
    if isinstance(pred, Tensor):  # the training-loop case first: a Tensor and a float array of its shape
        t = target.data if isinstance(target, Tensor) else target
        p = pred.data
        if type(t) is np.ndarray and t.dtype.kind == "f" and t.shape == p.shape and p.size:
            if check_nan:
                _check_nan(p, t, op)
            return pred, t.astype(p.dtype, copy=False), False
    scalar = is_scalar(pred)
    pred = to_values(pred, op) if scalar else to_tensor(pred, op)
    if scalar and type(pred) is Value:
        pred = np.array(pred, dtype=object)
    pshape = tuple(np.shape(pred)) if scalar else pred.shape
    t = numbers(target)
    t = np.asarray(t, dtype=np.float64)
    size = math.prod(pshape)
    if size == 0:
        raise ValueError(f"{op}: got an empty prediction of shape {pshape}; there is nothing to compare")
    if t.shape != pshape:
        pred, t = _fit_shapes(pred, t, pshape, size, op, shapes, scalar)
    if check_nan:
        _check_nan(numbers(pred), t, op)
    return pred, (t if scalar else t.astype(pred.dtype, copy=False)), scalar  # float32 stays float32


def _fit_shapes(pred: Any, t: np.ndarray, pshape: tuple, size: int, op: str, shapes: str, scalar: bool) -> tuple:
    """Prediction and target of different shapes, matched by the loss's rule (see ``_prepare``)."""
    if shapes == "reshape" and t.size == size:
        return pred, t.reshape(pshape)
    fix = f"give a target of shape {pshape}"
    if t.size == size:
        fix += f" (y.reshape({', '.join(map(str, pshape))}{',' * (len(pshape) == 1)}))"
    if shapes == "same":
        raise ValueError(f"{op}: prediction of shape {pshape} and target of shape {t.shape} do not match; {fix}")
    try:
        shape = np.broadcast_shapes(pshape, t.shape)
    except ValueError:
        shape = None
    if shape is None or shapes != "broadcast":
        raise ValueError(
            f"{op}: prediction of shape {pshape} and target of shape {t.shape} do not match and do not broadcast; "
            f"{fix}"
        )
    warnings.warn(
        f"{op}: a target of shape {t.shape} and a prediction of shape {pshape} broadcast to {shape}, which is "
        f"likely wrong (torch does the same and warns); {fix}", UserWarning, stacklevel=4)
    t = np.broadcast_to(t, shape)
    if shape != pshape:
        pred = np.broadcast_to(pred, shape) if scalar else pred.broadcast_to(shape)
    return pred, t


def _check_nan(pn: np.ndarray, t: np.ndarray, op: str) -> None:
    """ValueError naming the prediction or the target when it holds NaN."""
    for name, arr in (("prediction", pn), ("target", t)):
        total = arr.sum()  # NaN if any entry is (or if infinities cancel): count only then
        nans = int(np.isnan(arr).sum()) if total != total else 0
        if nans:
            raise ValueError(
                f"{op}: the {name} contains NaN ({nans} of {arr.size} entries); check the inputs and, "
                "if it appeared during training, lower the learning rate"
            )


def _scalar_elementwise(fn: Any, pred: np.ndarray, t: np.ndarray) -> np.ndarray:
    out = np.empty(pred.shape, dtype=object)
    flat, pf, tf = out.reshape(-1), pred.reshape(-1), t.reshape(-1)
    for i in range(pf.size):
        flat[i] = fn(as_value(pf[i]), float(tf[i]))
    return out


def _reduce(losses: Any, reduction: str) -> Any:
    if reduction == "none":
        return losses
    if isinstance(losses, Tensor):
        return losses.mean() if reduction == "mean" else losses.sum()
    vals = [as_value(v) for v in np.asarray(losses, dtype=object).reshape(-1)]
    total = Value.sum(vals)
    return total / len(vals) if reduction == "mean" else total


# ---- more of torch.nn.functional (nn/functional_extra.py)
from .functional_extra import (  # noqa: E402, F401  (re-exported: F.celu, F.pad, ...)
    EXTRA_ACTIVATIONS,
    celu,
    hardsigmoid,
    hardswish,
    hardtanh,
    normalize,
    pad,
    relu6,
    selu,
    softmin,
    softsign,
)

ACTIVATIONS.update(EXTRA_ACTIVATIONS)
for _fn in (celu, selu, softsign, hardsigmoid, hardswish, hardtanh, relu6, softmin, normalize, pad):
    _fn.__module__ = __name__  # part of nn.functional's own API (help(), the public-name checks)

from .loss_functions import (  # noqa: E402, F401  (they use the helpers above; re-exported here)
    class_index_loss,
    cosine_embedding_loss,
    gaussian_nll_loss,
    huber_loss,
    kl_div,
    probability_loss,
    smooth_l1_loss,
)

# convolution, pooling and resizing (nn/conv.py, nn/pooling.py)
from .conv import conv1d, conv2d, conv_transpose2d, fold, unfold  # noqa: E402,F401
from .pooling import (  # noqa: E402,F401
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)
from .normalization import batch_norm, dropout2d, group_norm, layer_norm  # noqa: E402, F401  (images and sequences)
from .embedding import embedding  # noqa: E402, F401
from .pooling import max_unpool1d, max_unpool2d  # noqa: E402, F401
from .attention import glu, multi_head_attention_forward, rms_norm, scaled_dot_product_attention  # noqa: E402, F401
from .attention import dropout, linear  # noqa: E402, F401  (torch's F.dropout and F.linear)

# distances, margin losses, shrink activations, bilinear, dropout1d (nn/functional_more.py)
from . import functional_more as _more  # noqa: E402
from .functional_more import (  # noqa: E402, F401
    alpha_dropout,
    bilinear,
    cosine_similarity,
    dropout1d,
    feature_alpha_dropout,
    hardshrink,
    hinge_embedding_loss,
    logsigmoid,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    pairwise_distance,
    pdist,
    poisson_nll_loss,
    rrelu,
    rrelu_,
    soft_margin_loss,
    softshrink,
    tanhshrink,
    threshold_,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)

threshold = _more.threshold  # (not in the import list: softplus's argument of that name would shadow it)
for _name in _more.__all__:
    getattr(_more, _name).__module__ = __name__

# ---- vision functions (nn/functional_vision.py)
from .functional_vision import (  # noqa: E402, F401  (re-exported: F.pixel_shuffle, F.instance_norm, ...)
    affine_grid,
    channel_shuffle,
    conv_transpose1d,
    grid_sample,
    instance_norm,
    local_response_norm,
    lp_pool1d,
    lp_pool2d,
    pixel_shuffle,
    pixel_unshuffle,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

# ---- volumes (nn/volumetric.py)
from .volumetric import (  # noqa: E402, F401
    adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d, conv3d, conv_transpose3d, dropout3d, max_pool3d,
)

from .embedding_bag import embedding_bag  # noqa: E402, F401

for _fn in (conv3d, conv_transpose3d, max_pool3d, avg_pool3d, adaptive_avg_pool3d, adaptive_max_pool3d, dropout3d,
            embedding_bag):
    _fn.__module__ = __name__

for _fn in (pixel_shuffle, pixel_unshuffle, channel_shuffle, instance_norm, local_response_norm, conv_transpose1d,
            lp_pool1d, lp_pool2d, upsample, affine_grid, grid_sample, upsample_nearest, upsample_bilinear):
    _fn.__module__ = __name__
