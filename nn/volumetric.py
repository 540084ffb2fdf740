"""Volumes (N, C, D, H, W): Conv3d, MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, BatchNorm3d and Dropout3d.

Each is built from the 2-D op along the depth axis, so it is recorded, drawn
and differentiated (twice too) like the ops it is made of:

* conv3d: out[:, :, z] = sum_i conv2d(xp[:, :, z s + i d], W[:, :, i]): one
  2-D convolution per kernel depth i, over all output depths at once (the
  depths folded into the batch);
* conv_transpose3d: per kernel depth, conv_transpose2d of every input depth, placed at its output depth;
* max_pool3d: the max over the kernel's depth taps of max_pool2d of each tap;
* avg_pool3d: the window sums (avg_pool2d with divisor 1, summed over the
  depth taps) over torch's divisor (the window clipped to the padded input,
  or to the input with ``count_include_pad=False``, or ``divisor_override``);
* adaptive_avg_pool3d: an averaging matrix over depth, then adaptive_avg_pool2d;
* adaptive_max_pool3d: per output depth, the max over its depth window, then adaptive_max_pool2d.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.ops import conv as C
from autograd.ops import pool as P
from autograd.torchops import pad as _pad

from .conv import _ConvNd, _ConvTransposeNd
from .functional_vision import transpose_arguments
from .init import rng_from
from .modes import to_tensor
from .module import Module
from .normalization import _BatchNorm, _probability, _tensor_input
from .pooling import _Pool

__all__ = [
    "conv3d", "conv_transpose3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "dropout3d",
    "Conv3d", "ConvTranspose3d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "BatchNorm3d",
    "Dropout3d",
]


def _volume(x: Any, where: str) -> tuple[Tensor, bool]:
    """(x as a 5-D tensor, whether it came unbatched as (C, D, H, W))."""
    t = to_tensor(x, where)
    _, unbatched = C.spatial_input(t, 3, where)
    return (t.unsqueeze(0) if unbatched else t), unbatched


def _taps(xp: Tensor, i: int, step: int, count: int) -> Tensor:
    """The depths i, i + step, ..., (count of them) of xp, folded into the batch: (N count, C, H, W)."""
    n, c, _, h, w = xp.shape
    sl = xp[:, :, i: i + step * (count - 1) + 1: step]
    return sl.permute(0, 2, 1, 3, 4).reshape(n * count, c, h, w)


def _unfold_depth(y: Tensor, n: int, depth: int) -> Tensor:
    """(N D, C, H, W) back to (N, C, D, H, W)."""
    _, c, h, w = y.shape
    return y.reshape(n, depth, c, h, w).permute(0, 2, 1, 3, 4)


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """3-D convolution of (N, C_in, D, H, W) with weight (C_out, C_in/groups, kd, kh, kw): torch's F.conv3d."""
    where = "conv3d"
    x, unbatched = _volume(input, where)
    w = to_tensor(weight, where)
    b = None if bias is None else to_tensor(bias, where)
    geo = C.conv_geometry(x.shape, w.shape, stride, padding, dilation, groups, padding_mode, 3, where, unbatched,
                          None if b is None else b.shape, "Conv3d")  # every check, with torch's messages
    kd, st, dil = w.shape[2], geo.stride, geo.dilation
    pairs = list(zip(geo.pads[::2], geo.pads[1::2]))  # (lo, hi) per axis D, H, W
    plain = padding_mode == "zeros" and all(lo == hi for lo, hi in pairs[1:])
    flat = [p for lo_hi in reversed(pairs if not plain else pairs[:1]) for p in lo_hi]
    mode = {"zeros": "constant"}.get(padding_mode, padding_mode)
    xp = _pad(x, (0, 0, 0, 0) + tuple(flat) if plain else tuple(flat), mode=mode) if any(flat) else x
    inner = (pairs[1][0], pairs[2][0]) if plain else (0, 0)
    n = x.shape[0]
    depth = (xp.shape[2] - dil[0] * (kd - 1) - 1) // st[0] + 1
    out = None
    for i in range(kd):
        y = C.conv(_taps(xp, i * dil[0], st[0], depth), w[:, :, i], None, st[1:], inner, dil[1:], groups,
                   where=where)
        out = y if out is None else out + y
    out = _unfold_depth(out, n, depth)
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1, 1)
    return out[0] if unbatched else out


def conv_transpose3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The transposed 3-D convolution (conv3d's gradient in its input), torch's F.conv_transpose3d: x (N, C_in, D,
    H, W), weight (C_in, C_out/groups, kd, kh, kw). Per kernel depth i, conv_transpose2d of every input depth z,
    placed at output depth z stride + i dilation; then the padding cropped."""
    where = "conv_transpose3d"
    x, unbatched = _volume(input, where)
    w = to_tensor(weight, where)
    b = None if bias is None else to_tensor(bias, where)
    st, pad, op, dil = transpose_arguments(x.shape[1], w.shape, stride, padding, output_padding, dilation, 3, where)
    n, depth, kd = x.shape[0], x.shape[2], w.shape[2]
    full = (depth - 1) * st[0] + dil[0] * (kd - 1) + 1 + op[0]
    if full - 2 * pad[0] < 1:
        raise ValueError(f"{where}: padding {pad} leaves an empty output depth from input {x.shape}")
    flat = _taps(x, 0, 1, depth)
    spread = (depth - 1) * st[0] + 1
    total = None
    for i in range(kd):
        y = C.conv_transpose2d(flat, w[:, :, i], None, st[1:], pad[1:], op[1:], groups, dil[1:], where)
        y = _unfold_depth(y, n, depth)  # (N, C_out, D, H', W')
        if st[0] > 1:  # depth z to z stride: zeros between the input depths
            shape = y.shape
            y = _pad(y.unsqueeze(3), (0, 0, 0, 0, 0, st[0] - 1))
            y = y.reshape(shape[0], shape[1], shape[2] * st[0], shape[3], shape[4])[:, :, :spread]
        front = i * dil[0]
        y = _pad(y, (0, 0, 0, 0, front, full - front - spread))
        total = y if total is None else total + y
    out = total[:, :, pad[0]: full - pad[0]]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1, 1)
    return out[0] if unbatched else out


def _depth_extra(size: int, k: int, s: int, p: int, d: int, out: int) -> int:
    """The cells past the right padding that ``out`` windows along depth need (ceil_mode's last window)."""
    return max(0, (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p))


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    """Max over (kd, kh, kw) windows of (N, C, D, H, W), torch's F.max_pool3d (padding counts as -inf)."""
    where = "max_pool3d"
    if return_indices:
        raise ValueError(f"{where}: return_indices=True is not supported for 3-D pooling; pass "
                         "return_indices=False (MaxUnpool3d is not available)")
    x, unbatched = _volume(input, where)
    geo = P.pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, 3, where, "MaxPool3d")
    k, s, p, d, depth = geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out_hw[0]
    extra = _depth_extra(x.shape[2], k[0], s[0], p[0], d[0], depth)
    xp = _pad(x, (0, 0, 0, 0, p[0], p[0] + extra), value=-np.inf) if p[0] or extra else x
    taps = [P.max_pool(_taps(xp, i * d[0], s[0], depth), k[1:], s[1:], p[1:], d[1:], ceil_mode, where=where)
            for i in range(k[0])]
    out = taps[0] if len(taps) == 1 else autograd.stack(taps, 0).max(0)[0]
    out = _unfold_depth(out, x.shape[0], depth)
    return out[0] if unbatched else out


def _divisor_axis(size: int, k: int, s: int, p: int, out: int, include_pad: bool) -> np.ndarray:
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if include_pad:
        return (end - start).astype(np.float64)
    return (np.minimum(end, size) - np.maximum(start, 0)).astype(np.float64)


def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over (kd, kh, kw) windows of (N, C, D, H, W), with torch's divisor rules (F.avg_pool3d)."""
    where = "avg_pool3d"
    P.check_divisor(divisor_override, where)
    x, unbatched = _volume(input, where)
    geo = P.pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, 3, where, "AvgPool3d")
    k, s, p, depth = geo.kernel, geo.stride, geo.padding, geo.out_hw[0]
    extra = _depth_extra(x.shape[2], k[0], s[0], p[0], 1, depth)
    xp = _pad(x, (0, 0, 0, 0, p[0], p[0] + extra)) if p[0] or extra else x
    total = None
    for i in range(k[0]):
        y = P.avg_pool(_taps(xp, i, s[0], depth), k[1:], s[1:], p[1:], ceil_mode, True, 1, where=where)
        total = y if total is None else total + y
    total = _unfold_depth(total, x.shape[0], depth)
    if divisor_override is not None:
        out = total / float(divisor_override)
    else:
        sizes = tuple(x.shape[2:])
        outs = tuple(total.shape[2:])
        axes = [_divisor_axis(n, kk, ss, pp, o, bool(count_include_pad))
                for n, kk, ss, pp, o in zip(sizes, k, s, p, outs)]
        div = axes[0][:, None, None] * axes[1][None, :, None] * axes[2][None, None, :]
        out = total / Tensor._make(div.astype(total.dtype))
    return out[0] if unbatched else out


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Tensor:
    """Average over torch's adaptive windows to ``output_size`` (D, H, W) (None keeps a side)."""
    where = "adaptive_avg_pool3d"
    x, unbatched = _volume(input, where)
    out = P._output_size(output_size, tuple(x.shape[2:]), 3, where)
    n, c, d, h, w = x.shape
    avg = Tensor._make(P._averaging(d, out[0], x.dtype))  # (out D, D): each row averages one window
    y = (avg @ x.reshape(n, c, d, h * w)).reshape(n, c * out[0], h, w)
    y = P.adaptive_avg_pool(y, out[1:], nd=2, where=where).reshape(n, c, out[0], out[1], out[2])
    return y[0] if unbatched else y


def adaptive_max_pool3d(input: Any, output_size: Any, return_indices: bool = False) -> Tensor:
    """Max over torch's adaptive windows to ``output_size`` (D, H, W): per output depth, the max over its depth
    window, then adaptive_max_pool2d."""
    where = "adaptive_max_pool3d"
    if return_indices:
        raise ValueError(f"{where}: return_indices=True is not supported for 3-D pooling; pass return_indices=False")
    x, unbatched = _volume(input, where)
    out = P._output_size(output_size, tuple(x.shape[2:]), 3, where)
    n, c = x.shape[:2]
    lo, hi = P.adaptive_bounds(x.shape[2], out[0])
    planes = [P.adaptive_max_pool(x[:, :, a:b].max(2)[0], out[1:], nd=2, where=where) for a, b in zip(lo, hi)]
    y = autograd.stack(planes, 2)
    return y[0] if unbatched else y


def dropout3d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, seed: Any = None) -> Tensor:
    """Zero each (n, c) volume with probability p in training and scale the rest by 1/(1-p) (torch's dropout3d)."""
    where = "dropout3d"
    p = _probability(p, where)
    x = _tensor_input(input, where)
    if x.ndim not in (4, 5):
        raise ValueError(f"{where}: expected input of shape (N, C, D, H, W) or an unbatched (C, D, H, W), got shape "
                         f"{x.shape}; reshape it, e.g. x.reshape(N, C, D, H, W)")
    if not training or p == 0.0:
        return x
    rng = rng_from(seed)
    lead = x.shape[:2] if x.ndim == 5 else x.shape[:1]
    mask = ((rng.random(lead + (1,) * (x.ndim - len(lead))) >= p) / (1.0 - p)).astype(x.dtype)
    out = x * Tensor._make(mask)
    if inplace and isinstance(input, Tensor):
        input.copy_(out)
        return input
    return out


# ---------------------------------------------------------------------- modules


class Conv3d(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W) (or unbatched (C_in, D, H, W)): weight (C_out, C_in/groups, kd, kh,
    kw), bias (C_out,); ``stride``, ``padding`` (ints, "same" or "valid"), ``dilation``, ``groups``,
    ``padding_mode`` as in torch. Tensor mode only."""

    nd = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("mode", "tensor") != "tensor":
            raise ValueError("Conv3d: only mode='tensor' is available (a volume is too many Values)")
        super().__init__(*args, **kwargs)

    def forward(self, x: Any) -> Tensor:
        return conv3d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                      self.padding_mode)


class ConvTranspose3d(_ConvTransposeNd):
    """The transposed 3-D convolution (a learnable upsampling of volumes): weight (C_in, C_out/groups, kd, kh, kw),
    bias (C_out,); ``forward(x, output_size=...)`` picks the output_padding that gives that size."""

    nd = 3

    def forward(self, x: Any, output_size: Any = None) -> Tensor:
        where = self._where()
        x = to_tensor(x, where)
        op = self.output_padding if output_size is None else self._output_padding(x, output_size, where)
        return conv_transpose3d(x, self.weight, self.bias, self.stride, self.padding, op, self.groups, self.dilation)


class MaxPool3d(_Pool):
    """Max over (kd, kh, kw) windows of (N, C, D, H, W), as torch.nn.MaxPool3d."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        Module.__init__(self)
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        if self.return_indices:
            raise ValueError("MaxPool3d: return_indices=True is not supported; pass return_indices=False")
        C._ints(kernel_size, 3, "kernel_size", "MaxPool3d", 1)

    def forward(self, x: Any) -> Tensor:
        return max_pool3d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return (f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool3d(_Pool):
    """Mean over (kd, kh, kw) windows of (N, C, D, H, W), as torch.nn.AvgPool3d."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        Module.__init__(self)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        self.divisor_override = divisor_override
        C._ints(kernel_size, 3, "kernel_size", "AvgPool3d", 1)

    def forward(self, x: Any) -> Tensor:
        return avg_pool3d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                          self.divisor_override)

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class AdaptiveAvgPool3d(_Pool):
    """Average over torch's adaptive windows to ``output_size`` (D, H, W)."""

    def __init__(self, output_size: Any) -> None:
        Module.__init__(self)
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        return adaptive_avg_pool3d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool3d(_Pool):
    """Max over torch's adaptive windows to ``output_size`` (D, H, W)."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        Module.__init__(self)
        if return_indices:
            raise ValueError("AdaptiveMaxPool3d: return_indices=True is not supported; pass return_indices=False")
        self.output_size, self.return_indices = output_size, False

    def forward(self, x: Any) -> Tensor:
        return adaptive_max_pool3d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) inputs: one mean and variance per channel C."""

    _expected_ndim = (5,)
    _shape_text = "(N, {c}, D, H, W)"


class Dropout3d(Module):
    """Channel dropout for volumes: in training, zero each (n, c) volume with probability p, scale the rest."""

    def __init__(self, p: float = 0.5, inplace: bool = False, seed: Any = None) -> None:
        super().__init__()
        self.p = _probability(p, "Dropout3d")
        self.inplace = bool(inplace)
        self.rng = rng_from(seed) if seed is not None else None

    def forward(self, x: Any) -> Tensor:
        return dropout3d(x, self.p, self.training, self.inplace, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p:g}, inplace={self.inplace}"


