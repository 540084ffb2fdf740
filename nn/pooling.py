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
from autograd.ops.conv import _ints
from autograd.ops.unpool import MaxUnpool
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
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize to ``size`` or by ``scale_factor``: nearest, nearest-exact, linear, bilinear, bicubic or area."""
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported; pass antialias=False (the default), or "
                         "smooth the input first (e.g. avg_pool2d) when shrinking")
    return _interpolate(_tensor(input, "interpolate"), size, scale_factor, mode, align_corners,
                        recompute_scale_factor)


def max_unpool1d(input: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool1d``: each value back at its index, zeros elsewhere (torch's F.max_unpool1d)."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool2d`` (its ``return_indices``): out.flat[idx] = x per (n, c) plane, else 0.

    The output size is (in - 1) stride - 2 padding + kernel_size unless ``output_size`` says otherwise.
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def _max_unpool(x: Any, indices: Any, kernel_size: Any, stride: Any, padding: Any, output_size: Any, nd: int,
                where: str) -> Tensor:
    x = _tensor(x, where)
    kernel = _ints(kernel_size, nd, "kernel_size", where, 1)
    stride = kernel if stride is None else _ints(stride, nd, "stride", where, 1)
    padding = _ints(padding, nd, "padding", where, 0)
    shape, unbatched = P.spatial_input(x, nd, where)  # (N, C, *spatial) and whether x lacked N
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if idx.shape != tuple(x.shape) or idx.dtype.kind not in "iuf" or (idx.dtype.kind == "f"
                                                                    and not np.all(idx == np.round(idx))):
        raise ValueError(f"{where}: indices must be MaxPool{nd}d's (return_indices=True), of the input's shape "
                         f"{tuple(x.shape)}; got {idx.dtype} indices of shape {idx.shape}")
    default = tuple((s - 1) * st - 2 * p + k for s, st, p, k in zip(shape[2:], stride, padding, kernel))
    if output_size is None:
        size = default
    else:
        want = (output_size,) * nd if isinstance(output_size, (int, np.integer)) else tuple(output_size)
        size = tuple(int(n) for n in want[-nd:])  # torch takes (N, C, *spatial) or the spatial sizes
        if len(want) not in (nd, nd + 2) or any(not d - st < s < d + st for s, d, st in zip(size, default, stride)):
            raise ValueError(f"{where}: output_size {output_size!r} is not reachable from input {tuple(x.shape)}: "
                             f"each side must be within a stride {stride} of {default}")
    if any(s < 1 for s in size):
        raise ValueError(f"{where}: input {tuple(x.shape)} with kernel {kernel}, stride {stride}, padding {padding} "
                         f"leaves an empty output {size}; use less padding")
    plane = int(np.prod(size))
    idx = idx.astype(np.intp, copy=False)
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        raise ValueError(f"{where}: index {int(idx.max() if idx.max() >= plane else idx.min())} is out of range for "
                         f"an output of size {size} ({plane} cells per plane); pass MaxPool{nd}d's indices and, if "
                         "the pooled input was odd-sized, its size as output_size")
    x4 = x.reshape(shape) if unbatched else x
    out = MaxUnpool.apply(x4, indices=idx.reshape(shape), out_shape=shape[:2] + size)
    return out.reshape(out.shape[1:]) if unbatched else out


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

    def _where(self) -> str:
        """The layer as errors name it, e.g. ``MaxPool2d(kernel_size=2)``."""
        key = "output_size" if "output_size" in self.__dict__ else "kernel_size"
        if key in self.__dict__:
            return f"{type(self).__name__}({key}={self.__dict__[key]!r})"
        return type(self).__name__

    def _max(self, x: Any, nd: int) -> Any:
        where = self._where()
        if is_scalar(x):
            return scalar_max_pool(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, nd,
                                   where)
        return P.max_pool(_tensor(x, where), self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices, nd=nd, where=where)

    def _avg(self, x: Any, nd: int, divisor_override: int | None) -> Any:
        where = self._where()
        if is_scalar(x):
            return scalar_avg_pool(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                   self.count_include_pad, divisor_override, nd, where)
        return P.avg_pool(_tensor(x, where), self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, divisor_override, nd=nd, where=where)


class MaxPool1d(_Pool):
    """Max over windows of (N, C, L); ``return_indices=True`` also returns where each max came from."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        _check_args(kernel_size, stride, padding, dilation, "MaxPool1d", nd=1)

    def forward(self, x: Any) -> Any:
        return self._max(x, 1)

    def extra_repr(self) -> str:
        return _torch_repr(self, ("kernel_size", "stride", "padding", "dilation", "ceil_mode"))


class MaxPool2d(_Pool):
    """Max over windows of (N, C, H, W) (stride defaults to kernel_size; padding reads as -inf)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        _check_args(kernel_size, stride, padding, dilation, "MaxPool2d")

    def forward(self, x: Any) -> Any:
        return self._max(x, 2)

    def extra_repr(self) -> str:
        return _torch_repr(self, ("kernel_size", "stride", "padding", "dilation", "ceil_mode"))


class AvgPool1d(_Pool):
    """Mean over windows of (N, C, L)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        _check_args(kernel_size, stride, padding, 1, "AvgPool1d", nd=1)

    def forward(self, x: Any) -> Any:
        return self._avg(x, 1, None)

    def extra_repr(self) -> str:
        return _torch_repr(self, ("kernel_size", "stride", "padding"), nd=1)


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
        return self._avg(x, 2, self.divisor_override)

    def extra_repr(self) -> str:
        return _torch_repr(self, ("kernel_size", "stride", "padding"))


class AdaptiveAvgPool1d(_Pool):
    """Mean over ``output_size`` windows covering the length."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        where = self._where()
        return P.adaptive_avg_pool(_tensor(x, where), self.output_size, nd=1, where=where)


class AdaptiveAvgPool2d(_Pool):
    """Mean over ``output_size`` windows covering the image; ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Any) -> Tensor:
        where = self._where()
        return P.adaptive_avg_pool(_tensor(x, where), self.output_size, nd=2, where=where)


class AdaptiveMaxPool1d(_Pool):
    """Max over ``output_size`` windows covering the length."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, bool(return_indices)

    def forward(self, x: Any) -> Any:
        where = self._where()
        return P.adaptive_max_pool(_tensor(x, where), self.output_size, self.return_indices, nd=1, where=where)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size!r}"


class AdaptiveMaxPool2d(_Pool):
    """Max over ``output_size`` windows covering the image."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, bool(return_indices)

    def forward(self, x: Any) -> Any:
        where = self._where()
        return P.adaptive_max_pool(_tensor(x, where), self.output_size, self.return_indices, nd=2, where=where)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size!r}"


class MaxUnpool1d(_Pool):
    """The partial inverse of MaxPool1d: ``unpool(out, indices)`` puts each max back, zeros elsewhere."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        _check_args(kernel_size, stride, padding, 1, "MaxUnpool1d", nd=1)

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Tensor:
        return _max_unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size, 1,
                           self._where())

    def extra_repr(self) -> str:
        return _torch_repr(self, ("kernel_size", "stride", "padding"), nd=1)


class MaxUnpool2d(_Pool):
    """The partial inverse of MaxPool2d(return_indices=True): ``unpool(out, indices[, output_size])``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        _check_args(kernel_size, stride, padding, 1, "MaxUnpool2d")

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Tensor:
        return _max_unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size, 2,
                           self._where())

    def extra_repr(self) -> str:
        return _torch_repr(self, ("kernel_size", "stride", "padding"), nd=2)


class Upsample(_Pool):
    """``interpolate`` as a layer: resize to ``size`` or by ``scale_factor`` (nearest, linear, bilinear, bicubic)."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode_name = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Any) -> Tensor:
        return _interpolate(_tensor(x, "Upsample"), self.size, self.scale_factor, self.mode_name, self.align_corners,
                            self.recompute_scale_factor, where="Upsample")

    def extra_repr(self) -> str:
        sf = self.scale_factor
        if sf is None:
            return f"size={self.size!r}, mode={self.mode_name!r}"
        sf = tuple(float(f) for f in sf) if isinstance(sf, (tuple, list)) else float(sf)
        return f"scale_factor={sf!r}, mode={self.mode_name!r}"


def _torch_repr(m: _Pool, names: tuple, nd: int = 0) -> str:
    """torch's extra_repr of a pooling layer: the stride shown as the kernel size when not given, and with
    ``nd`` every size as an nd-tuple (torch keeps AvgPool1d's and MaxUnpool's that way)."""
    def shown(name: str) -> Any:
        v = m.kernel_size if name == "stride" and m.stride is None else getattr(m, name)
        if nd and not isinstance(v, (tuple, list)):
            return (v,) * nd
        return tuple(v) if nd else v
    return ", ".join(f"{name}={shown(name)!r}" for name in names)


def _check_args(kernel_size: Any, stride: Any, padding: Any, dilation: Any, where: str, nd: int = 2) -> None:
    """The argument checks of a pooling layer, at construction (the shapes are checked on each call)."""
    big = np.broadcast_to(np.zeros((), dtype=np.float32), (1, 1) + (10**6,) * nd)  # fits any kernel, no memory
    P.pool_geometry(big, kernel_size, stride, padding, dilation, False, nd, where, where)


__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample", "MaxUnpool1d", "MaxUnpool2d", "max_unpool1d",
           "max_unpool2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "interpolate", "scalar_max_pool", "scalar_avg_pool"]
