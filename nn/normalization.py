"""Normalisation layers with torch's names and numbers: BatchNorm1d/2d, LayerNorm, GroupNorm, and Dropout2d.

Each norm is one graph node (``autograd.ops.norm``). BatchNorm keeps
``running_mean``, ``running_var`` and ``num_batches_tracked`` as buffers (in
``state_dict()``, under torch's keys): in training it normalises with the
batch's statistics and moves the running ones towards them (the running
variance with the unbiased estimate, as torch does); in eval mode it uses
the running ones. ``momentum=None`` makes the running estimates a plain
cumulative average.
"""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.backend import ops as K
from autograd.ops.norm import BatchNorm as BatchNormOp
from autograd.ops.norm import GroupNorm as GroupNormOp
from autograd.ops.norm import LayerNorm as LayerNormOp

from .init import rng_from
from .layers import _size
from .module import Module, Parameter
from .modes import is_scalar, to_tensor



def _cpu(device: Any, where: str) -> None:
    if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
        raise RuntimeError(f"{where}: gradwork computes on the CPU only, got device {device!r}")


def _eps(eps: Any, where: str) -> float:
    if isinstance(eps, bool) or not isinstance(eps, Real) or not eps >= 0:
        raise ValueError(f"{where}: eps must be a number >= 0, got {eps!r}")
    return float(eps)


def _tensor_input(x: Any, where: str) -> Tensor:
    if is_scalar(x):
        raise TypeError(f"{where}: works in tensor mode only; pass a Tensor or an array, not Values")
    return to_tensor(x, where)


def _array(t: Any) -> Any:
    return None if t is None else (t.data if isinstance(t, Tensor) else np.asarray(t))


def _param(t: Any, where: str, what: str) -> Any:
    """weight/bias for an op: a Tensor as it is (it may require grad), anything else a constant Tensor."""
    if t is None or isinstance(t, Tensor):
        return t
    return to_tensor(t, f"{where} {what}")


def _check_affine(t: Any, shape: tuple, where: str, what: str) -> None:
    if t is not None and tuple(np.shape(_array(t))) != tuple(shape):
        raise ValueError(f"{where}: {what} has shape {tuple(np.shape(_array(t)))}, expected {tuple(shape)}")


# ------------------------------------------------------------------ functional


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None, bias: Any = None,
               training: bool = False, momentum: float | None = 0.1, eps: float = 1e-5) -> Tensor:
    """torch's ``F.batch_norm``: normalise each channel (axis 1) of x (N, C, *) and apply weight and bias.

    ``training=True`` uses the batch's mean and biased variance and, when running
    estimates are given, updates them in place: r <- (1 - momentum) r + momentum s
    (the variance with the unbiased batch estimate). ``training=False`` uses the
    running estimates.
    """
    where = "batch_norm"
    x = _tensor_input(input, where)
    if x.ndim < 2:
        raise ValueError(f"{where}: expected input of shape (N, C, ...), got shape {x.shape}; add a batch axis")
    n, c = x.shape[0], x.shape[1]
    rm, rv = _array(running_mean), _array(running_var)
    for what, t in (("running_mean", rm), ("running_var", rv)):
        _check_affine(t, (c,), where, what)
    _check_affine(weight, (c,), where, "weight")
    _check_affine(bias, (c,), where, "bias")
    eps = _eps(eps, where)
    if training:
        count = x.size // c if c else 0
        if count <= 1:
            raise ValueError(
                f"{where}: expected more than 1 value per channel when training, got input of shape {x.shape}; "
                "use a larger batch, or eval() mode"
            )
        mean, var = K.batch_norm_stats(x.data.reshape(n, c, -1))
        if rm is not None and rv is not None and momentum is not None:
            m = float(momentum)
            rm *= 1 - m
            rm += m * mean
            rv *= 1 - m
            rv += (m * count / (count - 1)) * var
    else:
        if rm is None or rv is None:
            raise ValueError(f"{where}: training=False needs running_mean and running_var; pass them, or training=True")
        mean, var = rm, rv
    return BatchNormOp.apply(x, _param(weight, where, "weight"), _param(bias, where, "bias"),
                             mean=mean, var=var, eps=eps, training=bool(training))


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5) -> Tensor:
    """torch's ``F.layer_norm``: normalise over the trailing axes ``normalized_shape`` of each sample."""
    where = "layer_norm"
    x = _tensor_input(input, where)
    shape = _shape(normalized_shape, where)
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise ValueError(
            f"{where}: input of shape {x.shape} does not end in normalized_shape {shape}; "
            f"pass input of shape (*, {', '.join(map(str, shape))})"
        )
    _check_affine(weight, shape, where, "weight")
    _check_affine(bias, shape, where, "bias")
    return LayerNormOp.apply(x, _param(weight, where, "weight"), _param(bias, where, "bias"),
                             ndim=k, eps=_eps(eps, where))


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5) -> Tensor:
    """torch's ``F.group_norm``: statistics per sample over each group of C / num_groups channels."""
    where = "group_norm"
    x = _tensor_input(input, where)
    g = _size(num_groups, "num_groups", where)
    if x.ndim < 2 or x.shape[1] % g:
        raise ValueError(
            f"{where}: input of shape {x.shape} needs a channel axis (axis 1) divisible by num_groups={g}"
        )
    c = x.shape[1]
    _check_affine(weight, (c,), where, "weight")
    _check_affine(bias, (c,), where, "bias")
    return GroupNormOp.apply(x, _param(weight, where, "weight"), _param(bias, where, "bias"),
                             groups=g, eps=_eps(eps, where))


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, rng: Any = None) -> Tensor:
    """torch's ``F.dropout2d``: zero whole channels of x (N, C, H, W) with probability p; scale 1/(1-p).

    A 3-D input is read as (N, C, L), with torch's warning: each (n, c) row is kept or zeroed whole.
    ``inplace=True`` scales ``input`` itself (a recorded in-place op, as torch's).
    """
    return _dropout2d(input, p, training, rng, "dropout2d", inplace)


def _dropout2d(input: Any, p: float, training: bool, rng: Any, where: str, inplace: bool = False) -> Tensor:
    p = _probability(p, where)
    x = _tensor_input(input, where)
    if x.ndim not in (3, 4):
        raise ValueError(f"{where}: expected input of shape (N, C, H, W) (or (N, C, L), as torch reads a 3-D "
                         f"input), got shape {x.shape}; add the missing axes, e.g. x.reshape(1, C, H, W)")
    if x.ndim == 3:
        warnings.warn(f"{where}: a 3-D input {x.shape} is read as (N, C, L) and each (n, c) row dropped whole, as "
                      "torch does; for one image (C, H, W) pass x[None]", UserWarning, stacklevel=3)
    if not training or p == 0.0:
        return x
    rng = rng if rng is not None else autograd.default_rng()
    mask_shape = x.shape[:2] + (1,) * (x.ndim - 2)
    scale = ((rng.random(mask_shape) >= p) / (1.0 - p)).astype(x.dtype, copy=False)
    if inplace:
        if not isinstance(input, Tensor):
            raise TypeError(f"{where}: inplace=True needs a Tensor to change, got {type(input).__name__}")
        return x.mul_(scale)
    return x * scale


def _ones_zeros(m: Module) -> None:
    if m.weight is not None:
        m.weight.data[...] = 1
    if m.bias is not None:
        m.bias.data[...] = 0


def _probability(p: Any, where: str) -> float:
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p < 1:
        raise ValueError(f"{where}: p is the probability of dropping a channel and must be in [0, 1), got {p!r}")
    return float(p)


def _shape(s: Any, where: str) -> tuple:
    items = (s,) if isinstance(s, (int, np.integer)) else tuple(s)
    for n in items:
        _size(n, "every entry of normalized_shape", where)
    if not items:
        raise ValueError(f"{where}: normalized_shape must name at least one axis")
    return tuple(int(n) for n in items)


# --------------------------------------------------------------------- layers


def norm_state(m: Module, c: int, weight: bool, bias: bool, track: bool) -> None:
    """A per-channel norm's parameters and buffers, as torch registers them: weight 1 and bias 0 (each
    None when off), and with ``track`` running_mean 0, running_var 1 and num_batches_tracked 0 (else None)."""
    m.weight = Parameter(np.ones(c)) if weight else None
    m.bias = Parameter(np.zeros(c)) if bias else None
    if track:
        m.register_buffer("running_mean", Tensor(np.zeros(c)))
        m.register_buffer("running_var", Tensor(np.ones(c)))
        m.register_buffer("num_batches_tracked", Tensor._make(np.zeros((), dtype=np.int64)))
    else:
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            m.register_buffer(name, None)


class _BatchNorm(Module):
    _optional_buffers = ("num_batches_tracked",)  # a state without it loads (as torch: old checkpoints)
    _expected_ndim: tuple = ()
    _shape_text = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        where = type(self).__name__
        _cpu(device, where)
        self.num_features = _size(num_features, "num_features", where)
        self.eps = _eps(eps, where)
        if momentum is not None and (isinstance(momentum, bool) or not isinstance(momentum, Real)
                                     or not 0 <= momentum <= 1):
            raise ValueError(f"{where}: momentum must be a number in [0, 1] or None (cumulative average), "
                             f"got {momentum!r}")
        self.momentum = None if momentum is None else float(momentum)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        norm_state(self, self.num_features, affine, affine, self.track_running_stats)
        if dtype is not None:
            self.to(dtype)

    def reset_parameters(self) -> None:
        """Running statistics reset, weight 1 and bias 0 again (torch's)."""
        self.reset_running_stats()
        _ones_zeros(self)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Any) -> Tensor:
        where = f"{type(self).__name__}({self.num_features})"
        x = _tensor_input(x, where)
        if x.ndim not in self._expected_ndim or x.shape[1] != self.num_features:
            raise ValueError(
                f"{where}: expected input of shape {self._shape_text.format(c=self.num_features)}, got shape "
                f"{x.shape}; the channel axis (axis 1) must have {self.num_features} entries"
            )
        factor = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch = self.training or not self.track_running_stats
        track = not self.training or self.track_running_stats
        return batch_norm(x, self.running_mean if track else None, self.running_var if track else None,
                          self.weight, self.bias, use_batch, 0.0 if factor is None else factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs: one mean and variance per channel C."""

    _expected_ndim = (2, 3)
    _shape_text = "(N, {c}) or (N, {c}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs: one mean and variance per channel C."""

    _expected_ndim = (4,)
    _shape_text = "(N, {c}, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its trailing ``normalized_shape`` axes, then weight and bias of that shape."""

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _cpu(device, "LayerNorm")
        self.normalized_shape = _shape(normalized_shape, "LayerNorm")
        self.eps = _eps(eps, "LayerNorm")
        self.elementwise_affine = bool(elementwise_affine)
        self.weight = Parameter(np.ones(self.normalized_shape)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape)) if elementwise_affine and bias else None
        if dtype is not None:
            self.to(dtype)

    def forward(self, x: Any) -> Tensor:
        x = _tensor_input(x, "LayerNorm")
        k = len(self.normalized_shape)
        if x.ndim < k or tuple(x.shape[x.ndim - k :]) != self.normalized_shape:
            raise ValueError(
                f"LayerNorm({self.normalized_shape}): input of shape {x.shape} must end in {self.normalized_shape}; "
                f"pass input of shape (*, {', '.join(map(str, self.normalized_shape))})"
            )
        return LayerNormOp.apply(x, self.weight, self.bias, ndim=k, eps=self.eps)

    def reset_parameters(self) -> None:
        """Weight 1 and bias 0 again (torch's)."""
        _ones_zeros(self)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps:g}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Split C channels into ``num_groups`` groups; normalise each sample's group; weight and bias per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _cpu(device, "GroupNorm")
        self.num_groups = _size(num_groups, "num_groups", "GroupNorm")
        self.num_channels = _size(num_channels, "num_channels", "GroupNorm")
        if self.num_channels % self.num_groups:
            raise ValueError(
                f"GroupNorm: num_channels={self.num_channels} must be divisible by num_groups={self.num_groups}"
            )
        self.eps = _eps(eps, "GroupNorm")
        self.affine = bool(affine)
        self.weight = Parameter(np.ones(self.num_channels)) if affine else None
        self.bias = Parameter(np.zeros(self.num_channels)) if affine else None
        if dtype is not None:
            self.to(dtype)

    def forward(self, x: Any) -> Tensor:
        where = f"GroupNorm({self.num_groups}, {self.num_channels})"
        x = _tensor_input(x, where)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(
                f"{where}: expected input of shape (N, {self.num_channels}, *), got shape {x.shape}; "
                f"the channel axis (axis 1) must have {self.num_channels} entries"
            )
        return GroupNormOp.apply(x, self.weight, self.bias, groups=self.num_groups, eps=self.eps)

    def reset_parameters(self) -> None:
        """Weight 1 and bias 0 again (torch's)."""
        _ones_zeros(self)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps:g}, affine={self.affine}"


class Dropout2d(Module):
    """Channel dropout: in training, zero each channel of (N, C, H, W) with probability p, scale the rest by 1/(1-p).

    As in torch, a 3-D input is read as (N, C, L) (with a warning), not as one unbatched image.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False, seed: Any = None) -> None:
        super().__init__()
        self.p = _probability(p, "Dropout2d")
        self.inplace = bool(inplace)
        self.rng = rng_from(seed) if seed is not None else None

    def forward(self, x: Any) -> Tensor:
        return _dropout2d(x, self.p, self.training, self.rng, f"Dropout2d(p={self.p:g})", self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p:g}, inplace={self.inplace}"


__all__ = [
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Dropout2d",
    "batch_norm", "layer_norm", "group_norm", "dropout2d",
]
