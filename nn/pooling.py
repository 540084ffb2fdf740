"""Pooling and resizing layers with torch's names and arguments (each one graph op in tensor mode).

MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d and
Upsample, and the functions of the same names for ``nn.functional``. Max and
average pooling also run on Values (scalar mode): one ``max`` node per window
(its gradient goes to the first largest input, as torch's does), or one sum
node and one division.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, Value
from autograd.ops import pool as P
from autograd.ops.resize import interpolate as _interpolate

from .module import Module
from .modes import as_value, is_scalar, to_tensor, to_values

# ------------------------------------------------------------------ functions (nn.functional)


def _tensor(x: Any, where: str) -> Tensor:
    return x if isinstance(x, Tensor) else to_tensor(x, where)


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over windows of (N, C, L); with ``return_indices`` also where each max came from."""
    if is_scalar(input):
        return scalar_max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 1, "max_pool1d")
    return P.max_pool(_tensor(input, "max_pool1d"), kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices, nd=1)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over windows of (N, C, H, W) (stride defaults to the kernel size; padding reads as -inf)."""
    if is_scalar(input):
        return scalar_max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d")
    return P.max_pool(_tensor(input, "max_pool2d"), kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices, nd=2)


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Any:
    """Mean over windows of (N, C, L)."""
    if is_scalar(input):
        return scalar_avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1,
                               "avg_pool1d")
    return P.avg_pool(_tensor(input, "avg_pool1d"), kernel_size, stride, padding, ceil_mode, count_include_pad,
                      None, nd=1)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Any:
    """Mean over windows of (N, C, H, W), counting the zero padding unless ``count_include_pad=False``."""
    if is_scalar(input):
        return scalar_avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                               2, "avg_pool2d")
    return P.avg_pool(_tensor(input, "avg_pool2d"), kernel_size, stride, padding, ceil_mode, count_include_pad,
                      divisor_override, nd=2)


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:
    """Mean over ``output_size`` windows covering (N, C, L) (torch's window bounds)."""
    return P.adaptive_avg_pool(_tensor(input, "adaptive_avg_pool1d"), output_size, nd=1)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """Mean over ``output_size`` windows covering (N, C, H, W); ``adaptive_avg_pool2d(x, 1)`` is global pooling."""
    return P.adaptive_avg_pool(_tensor(input, "adaptive_avg_pool2d"), output_size, nd=2)


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """Max over ``output_size`` windows covering (N, C, L)."""
    return P.adaptive_max_pool(_tensor(input, "adaptive_max_pool1d"), output_size, return_indices, nd=1)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """Max over ``output_size`` windows covering (N, C, H, W)."""
    return P.adaptive_max_pool(_tensor(input, "adaptive_max_pool2d"), output_size, return_indices, nd=2)


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> Tensor:
    """Resize to ``size`` or by ``scale_factor``: nearest, nearest-exact, linear, bilinear, bicubic or area."""
    return _interpolate(_tensor(input, "interpolate"), size, scale_factor, mode, align_corners,
                        recompute_scale_factor)


# ------------------------------------------------------------------ scalar mode


def _value_planes(x: Any, nd: int, where: str) -> tuple[np.ndarray, Any]:
    """Values as (N, C, H, W) and the pooling geometry's input checks."""
    x = to_values(x, where)
    shape, unbatched = P.spatial_input(x, nd, where)
    x4 = x[None] if unbatched else x
    x4 = x4[:, :, None] if nd == 1 else x4
    xv = np.empty(x4.shape, dtype=object)
    for idx in np.ndindex(x4.shape):
        xv[idx] = as_value(x4[idx])
    return xv, x


def scalar_max_pool(x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, nd: int,
                    where: str) -> np.ndarray:
    """Max pooling on Values: one ``max`` node per window, d max / d x_k = 1 for the first largest x_k, else 0."""
    xv, x = _value_planes(x, nd, where)
    geo = P.pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, nd, where, f"MaxPool{nd}d")
    n, c, h, w = xv.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out_hw
    out = np.empty((n, c, ho, wo), dtype=object)
    for idx in np.ndindex(n, c, ho, wo):
        b, ch, oh, ow = idx
        window = [xv[b, ch, r, q] for r in range(oh * sh - ph, oh * sh - ph + kh * dh, dh) if 0 <= r < h
                  for q in range(ow * sw - pw, ow * sw - pw + kw * dw, dw) if 0 <= q < w]
        best = 0
        for k in range(1, len(window)):
            v = window[k].data
            if v > window[best].data or v != v:
                best = k
        local = tuple(1.0 if k == best else 0.0 for k in range(len(window)))
        out[idx] = Value._node(window[best].data, tuple(window), local, "max")
    return out.reshape(P._out_shape(geo, geo.out_hw))


def scalar_avg_pool(x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool, count_include_pad: bool,
                    divisor_override: int | None, nd: int, where: str) -> np.ndarray:
    """Average pooling on Values: a sum node over each window, divided by torch's divisor."""
    xv, x = _value_planes(x, nd, where)
    geo = P.pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, nd, where, f"AvgPool{nd}d")
    n, c, h, w = xv.shape
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = geo.kernel, geo.stride, geo.padding, geo.out_hw
    div = P.avg_pool_divisor(h, w, kh, kw, sh, sw, ph, pw, ho, wo, bool(count_include_pad), divisor_override)
    out = np.empty((n, c, ho, wo), dtype=object)
    for idx in np.ndindex(n, c, ho, wo):
        b, ch, oh, ow = idx
        window = [xv[b, ch, r, q] for r in range(oh * sh - ph, oh * sh - ph + kh) if 0 <= r < h
                  for q in range(ow * sw - pw, ow * sw - pw + kw) if 0 <= q < w]
        out[idx] = Value.sum(window) / float(div[oh, ow])
    return out.reshape(P._out_shape(geo, geo.out_hw))


# ------------------------------------------------------------------ layers


class _Pool(Module):
    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if not k.startswith("_") and k != "training")


class MaxPool1d(_Pool):
    """Max over windows of (N, C, L); ``return_indices=True`` also returns where each max came from."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        _check_args(kernel_size, stride, padding, dilation, "MaxPool1d", nd=1)

    def forward(self, x: Any) -> Any:
        return max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)


class MaxPool2d(_Pool):
    """Max over windows of (N, C, H, W) (stride defaults to kernel_size; padding reads as -inf)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        _check_args(kernel_size, stride, padding, dilation, "MaxPool2d")

    def forward(self, x: Any) -> Any:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)


class AvgPool1d(_Pool):
    """Mean over windows of (N, C, L)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        _check_args(kernel_size, stride, padding, 1, "AvgPool1d", nd=1)

    def forward(self, x: Any) -> Any:
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class AvgPool2d(_Pool):
    """Mean over windows of (N, C, H, W) (the zero padding counts unless ``count_include_pad=False``)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        self.divisor_override = divisor_override
        _check_args(kernel_size, stride, padding, 1, "AvgPool2d")

    def forward(self, x: Any) -> Any:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                          self.divisor_override)


class AdaptiveAvgPool1d(_Pool):
    """Mean over ``output_size`` windows covering the length."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        return adaptive_avg_pool1d(x, self.output_size)


class AdaptiveAvgPool2d(_Pool):
    """Mean over ``output_size`` windows covering the image; ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)


class AdaptiveMaxPool1d(_Pool):
    """Max over ``output_size`` windows covering the length."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, bool(return_indices)

    def forward(self, x: Any) -> Any:
        return adaptive_max_pool1d(x, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_Pool):
    """Max over ``output_size`` windows covering the image."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, bool(return_indices)

    def forward(self, x: Any) -> Any:
        return adaptive_max_pool2d(x, self.output_size, self.return_indices)


class Upsample(_Pool):
    """``interpolate`` as a layer: resize to ``size`` or by ``scale_factor`` (nearest, linear, bilinear, bicubic)."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode_name = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Any) -> Tensor:
        return interpolate(x, self.size, self.scale_factor, self.mode_name, self.align_corners,
                           self.recompute_scale_factor)


def _check_args(kernel_size: Any, stride: Any, padding: Any, dilation: Any, where: str, nd: int = 2) -> None:
    """The argument checks of a pooling layer, at construction (the shapes are checked on each call)."""
    big = np.broadcast_to(np.zeros((), dtype=np.float32), (1, 1) + (10**6,) * nd)  # fits any kernel, no memory
    P.pool_geometry(big, kernel_size, stride, padding, dilation, False, nd, where, where)


__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "interpolate", "scalar_max_pool", "scalar_avg_pool"]
