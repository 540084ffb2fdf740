"""Vision layers with torch's names, arguments, reprs and state_dict keys (tensor mode), over ``functional_vision``.

PixelShuffle, PixelUnshuffle, ChannelShuffle; the padding layers ZeroPad1d/2d, ConstantPad1d/2d,
ReflectionPad1d/2d, ReplicationPad1d/2d, CircularPad1d/2d and their 3d forms (over ``F.pad``); InstanceNorm1d/2d/3d
(running statistics as buffers when ``track_running_stats=True``) and LocalResponseNorm;
ConvTranspose1d; LPPool1d/2d; UpsamplingNearest2d and UpsamplingBilinear2d. (MaxUnpool1d/2d live in
nn/pooling.py; their to_torch / from_torch converters are registered here.)
"""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.ops import conv as C
from autograd.ops.resize import interpolate as _interpolate

from . import functional_vision as FV
from .functional_extra import pad as _pad
from .layers import _size
from .conv import _ConvTransposeNd
from .module import Module
from .normalization import _BatchNorm, norm_state
from .pooling import MaxUnpool1d, MaxUnpool2d, Upsample  # noqa: F401  (MaxUnpool: for their converters below)

__all__ = [
    "PixelShuffle", "PixelUnshuffle", "ChannelShuffle",
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
    "ZeroPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d",
    "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LocalResponseNorm", "ConvTranspose1d",
    "LPPool1d", "LPPool2d", "UpsamplingNearest2d", "UpsamplingBilinear2d",
]

# ------------------------------------------------------------------ shuffles


class PixelShuffle(Module):
    """(*, C r**2, H, W) -> (*, C, H r, W r) (sub-pixel convolution's rearrangement)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = _size(upscale_factor, "upscale_factor", "PixelShuffle")

    def forward(self, x: Any) -> Tensor:
        return FV.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r**2, H, W), the inverse of PixelShuffle."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = _size(downscale_factor, "downscale_factor", "PixelUnshuffle")

    def forward(self, x: Any) -> Tensor:
        return FV.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups: (N, g k, *) viewed as (N, g, k, *), transposed to (N, k, g, *)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = _size(groups, "groups", "ChannelShuffle")

    def forward(self, x: Any) -> Tensor:
        return FV.channel_shuffle(x, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


# ------------------------------------------------------------------ padding


class _PadNd(Module):
    """Pad the last ``nd`` axes with F.pad's ``mode``; ``padding`` an int or (left, right[, top, bottom])."""

    nd = 1
    pad_mode = "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        name = type(self).__name__
        n = 2 * self.nd
        items = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * n
        if len(items) != n or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in items):
            sides = ("(left, right)", "(left, right, top, bottom)",
                     "(left, right, top, bottom, front, back)")[self.nd - 1]
            raise ValueError(f"{name}: padding must be an int or a tuple of {n} ints {sides}, got {padding!r}")
        self.padding = tuple(int(p) for p in items)
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name}: value must be a number, got {value!r}")
        self.value = float(value)

    def forward(self, x: Any) -> Tensor:
        name = type(self).__name__
        ndim = len(np.shape(getattr(x, "data", x)))
        if ndim not in (self.nd + 1, self.nd + 2):
            axes = ("W", "H, W", "D, H, W")[self.nd - 1]
            raise ValueError(f"{name}({self.padding}): expected a {self.nd + 2}-D input (N, C, {axes}) or an "
                             f"unbatched {self.nd + 1}-D one (C, {axes}), got shape "
                             f"{tuple(np.shape(getattr(x, 'data', x)))}")
        try:
            return _pad(x, self.padding, self.pad_mode, self.value if self.pad_mode == "constant" else None)
        except ValueError as e:
            raise ValueError(f"{name}({self.padding}): {e}") from None

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ZeroPad1d(_PadNd):
    """Pad the last axis with zeros: (N, C, W) -> (N, C, left + W + right)."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ZeroPad2d(_PadNd):
    """Pad the last two axes with zeros; padding (left, right, top, bottom)."""

    nd = 2

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ConstantPad1d(_ConstantPadNd):
    """Pad the last axis with ``value``."""

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two axes with ``value``; padding (left, right, top, bottom)."""

    nd = 2

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ReflectionPad1d(_PadNd):
    """Pad the last axis with its mirror image about the edge entry (each pad smaller than the axis)."""

    pad_mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two axes with their mirror image about the edge entries."""

    nd, pad_mode = 2, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last axis by repeating its edge entries."""

    pad_mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two axes by repeating their edge entries."""

    nd, pad_mode = 2, "replicate"


class CircularPad1d(_PadNd):
    """Pad the last axis by wrapping around (each pad at most the axis length)."""

    pad_mode = "circular"


class CircularPad2d(_PadNd):
    """Pad the last two axes by wrapping around."""

    nd, pad_mode = 2, "circular"


class ZeroPad3d(_PadNd):
    """Pad the last three axes with zeros; padding (left, right, top, bottom, front, back)."""

    nd = 3

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three axes with ``value``."""

    nd = 3

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ReflectionPad3d(_PadNd):
    """Pad the last three axes with their mirror image about the edge entries."""

    nd, pad_mode = 3, "reflect"


class ReplicationPad3d(_PadNd):
    """Pad the last three axes by repeating their edge entries."""

    nd, pad_mode = 3, "replicate"


class CircularPad3d(_PadNd):
    """Pad the last three axes by wrapping around."""

    nd, pad_mode = 3, "circular"


# ------------------------------------------------------------------ normalisation


class _InstanceNorm(Module):
    """What InstanceNorm1d and InstanceNorm2d share: arguments, buffers and the forward of either rank."""

    _optional_buffers = ("num_batches_tracked",)  # a state without it loads (as torch: old checkpoints)

    nd = 1

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, *, bias: bool = True) -> None:
        super().__init__()
        where = type(self).__name__
        self.num_features = _size(num_features, "num_features", where)
        if isinstance(eps, bool) or not isinstance(eps, Real) or not eps >= 0:
            raise ValueError(f"{where}: eps must be a number >= 0, got {eps!r}")
        self.eps = float(eps)
        if momentum is not None and (isinstance(momentum, bool) or not isinstance(momentum, Real)
                                     or not 0 <= momentum <= 1):
            raise ValueError(f"{where}: momentum must be a number in [0, 1] or None, got {momentum!r}")
        self.momentum = None if momentum is None else float(momentum)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        # bias=False: weight only (torch >= 2.13)
        norm_state(self, self.num_features, affine, affine and bias, self.track_running_stats)

    reset_running_stats = _BatchNorm.reset_running_stats  # running mean 0, variance 1, no batches seen

    def forward(self, x: Any) -> Tensor:
        where = f"{type(self).__name__}({self.num_features})"
        x = FV._tensor(x, where)
        nd = self.nd
        axes = ("L", "H, W", "D, H, W")[nd - 1]
        if x.ndim not in (nd + 1, nd + 2):
            raise ValueError(f"{where}: expected a {nd + 2}-D input (N, C, {axes}) or an unbatched {nd + 1}-D one "
                             f"(C, {axes}), got shape {x.shape}")
        unbatched = x.ndim == nd + 1
        c = x.shape[0 if unbatched else 1]
        if c != self.num_features:
            if self.affine:
                raise ValueError(f"{where}: expected input with {self.num_features} channels (axis "
                                 f"{0 if unbatched else 1}), got shape {x.shape}")
            warnings.warn(f"{where}: input of shape {x.shape} has {c} channels, not num_features="
                          f"{self.num_features}; it is normalised anyway since affine=False (as torch does)",
                          UserWarning, stacklevel=2)
        xb = x.unsqueeze(0) if unbatched else x
        use_input = self.training or not self.track_running_stats
        rm = self.running_mean if self.track_running_stats else None
        rv = self.running_var if self.track_running_stats else None
        out = FV.instance_norm(xb, rm, rv, self.weight, self.bias, use_input,
                               0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    """Normalise each sample's channel over its length: (N, C, L) or unbatched (C, L); affine=False by default."""

    nd = 1


class InstanceNorm2d(_InstanceNorm):
    """Normalise each sample's channel over its image: (N, C, H, W) or unbatched (C, H, W)."""

    nd = 2


class InstanceNorm3d(_InstanceNorm):
    """Normalise each sample's channel over its volume: (N, C, D, H, W) or unbatched (C, D, H, W)."""

    nd = 3


class LocalResponseNorm(Module):
    """x / (k + alpha/size sum of x**2 over ``size`` neighbouring channels)**beta (AlexNet's normalisation)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = _size(size, "size", "LocalResponseNorm")
        self.alpha, self.beta, self.k = (FV._number(v, n, "LocalResponseNorm")
                                         for v, n in ((alpha, "alpha"), (beta, "beta"), (k, "k")))

    def forward(self, x: Any) -> Tensor:
        return FV.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# ------------------------------------------------------------------ transposed convolution


class ConvTranspose1d(_ConvTransposeNd):
    """The transposed 1-D convolution: weight (C_in, C_out/groups, k), bias (C_out,), torch's initialisation.

    Output length (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1;
    ``forward(x, output_size=...)`` picks the output_padding that gives that length.
    """

    nd = 1

    def forward(self, x: Any, output_size: Any = None) -> Tensor:
        where = self._where()
        x = FV._tensor(x, where)
        op = self.output_padding if output_size is None else self._output_padding(x, output_size, where)
        w, b = self._parameters["weight"], self._parameters.get("bias")
        return FV.conv_transpose1d(x, w, b, self.stride, self.padding, op, self.groups, self.dilation)


# ------------------------------------------------------------------ pooling, upsampling


class _LPPool(Module):
    nd = 1

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> None:
        super().__init__()
        where = type(self).__name__
        p = FV._number(norm_type, "norm_type", where)
        if not 0 < p < float("inf"):
            raise ValueError(f"{where}: norm_type must be a finite number > 0, got {norm_type!r}")
        C._ints(kernel_size, self.nd, "kernel_size", where, 1)
        if stride is not None:
            C._ints(stride, self.nd, "stride", where, 1)
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, bool(ceil_mode)

    def forward(self, x: Any) -> Tensor:
        fn = FV.lp_pool1d if self.nd == 1 else FV.lp_pool2d
        return fn(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPool):
    """(sum of x**p over each window of the length)**(1/p)."""

    nd = 1


class LPPool2d(_LPPool):
    """(sum of x**p over each window of the image)**(1/p)."""

    nd = 2


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) to ``size`` or by ``scale_factor``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, "nearest")

    def forward(self, x: Any) -> Tensor:
        return _upsampling(self, x)

    def extra_repr(self) -> str:
        return _upsampling_repr(self)


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) with align_corners=True (as torch's layer of this name)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, "bilinear", align_corners=True)

    def forward(self, x: Any) -> Tensor:
        return _upsampling(self, x)

    def extra_repr(self) -> str:
        return _upsampling_repr(self)


def _upsampling(m: Upsample, x: Any) -> Tensor:
    """The resize, its errors naming the layer."""
    name = type(m).__name__
    return _interpolate(FV._tensor(x, name), m.size, m.scale_factor, m.mode_name, m.align_corners, None, where=name)


def _upsampling_repr(m: Upsample) -> str:
    """torch's text: the scale factors as floats, or the size."""
    f = m.scale_factor
    if m.size is not None or f is None:
        return f"size={m.size}, mode={m.mode_name!r}"
    shown = tuple(float(v) for v in f) if isinstance(f, (tuple, list)) else float(f)
    return f"scale_factor={shown}, mode={m.mode_name!r}"


# ------------------------------------------------------------------ nn.to_torch / nn.from_torch

# our class -> the constructor arguments shared with torch's class of the same name (the state_dicts match too)
EXPORT_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "PixelShuffle": ("upscale_factor",),
    "PixelUnshuffle": ("downscale_factor",),
    "ChannelShuffle": ("groups",),
    **{f"{kind}Pad{nd}d": ("padding",) for kind in ("Zero", "Reflection", "Replication", "Circular")
       for nd in (1, 2, 3)},
    **{f"ConstantPad{nd}d": ("padding", "value") for nd in (1, 2, 3)},
    "InstanceNorm1d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "InstanceNorm2d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "InstanceNorm3d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "LocalResponseNorm": ("size", "alpha", "beta", "k"),
    "ConvTranspose1d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
                        "groups", "bias", "dilation"),
    "LPPool1d": ("norm_type", "kernel_size", "stride", "ceil_mode"),
    "LPPool2d": ("norm_type", "kernel_size", "stride", "ceil_mode"),
    "MaxUnpool1d": ("kernel_size", "stride", "padding"),
    "MaxUnpool2d": ("kernel_size", "stride", "padding"),
    "UpsamplingNearest2d": ("size", "scale_factor"),
    "UpsamplingBilinear2d": ("size", "scale_factor"),
}


def _register_export() -> None:
    """Let nn.to_torch / nn.from_torch carry these layers over (no ONNX forms)."""
    from .export import Converter, register
    from .export_layers import _make_from_torch, _make_to_torch

    for name, names in EXPORT_ARGUMENTS.items():
        cls = globals()[name]
        to_torch, from_torch = _make_to_torch(name, names), _make_from_torch(cls, names)
        if name.startswith("InstanceNorm"):  # bias=False (weight only) exists from torch 2.13: pass it only then
            to_torch, from_torch = _with_bias_flag(to_torch, from_torch, name, cls, names)
        register(cls, Converter(to_torch, name, from_torch))


def _with_bias_flag(to_torch: Any, from_torch: Any, name: str, cls: type, names: tuple) -> tuple:
    from .export_layers import _make_from_torch, _make_to_torch

    to_torch_b, from_torch_b = _make_to_torch(name, names + ("bias",)), _make_from_torch(cls, names + ("bias",))

    def weight_only(m: Any) -> bool:
        return bool(m.affine) and getattr(m, "bias", None) is None

    return ((lambda m, torch: (to_torch_b if weight_only(m) else to_torch)(m, torch)),
            (lambda t: (from_torch_b if weight_only(t) else from_torch)(t)))


_register_export()
