"""Pooling as single graph ops: max and average pooling (1-D and 2-D), and their adaptive forms.

* max: out = max over each window (padding -inf), idx = where it came from; dL/dx = g scattered to idx.
* average: out = sum over each window / divisor (torch's count, with or without the padding);
  dL/dx = g / divisor spread over each window.
* adaptive average: out = A_h @ x @ A_w^T with averaging matrices (window i covers
  [floor(i H / oh), ceil((i + 1) H / oh))); dL/dx = A_h^T @ g @ A_w.
* adaptive max: the max of those windows, with the max pooling backward.

A 1-D op is the 2-D one at height 1 (one node either way); an input without
a batch axis gets one inside the op.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function
from ..kernels.conv_reference import avg_pool_divisor
from .conv import _fmt, _fmt1, _ints, _shape, spatial_input
from .resize import Separable


class PoolGeometry(NamedTuple):
    nd: int
    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    out_hw: tuple
    in_shape: tuple  # (N, C, H, W)
    unbatched: bool
    label: str


def _as2d(t: tuple, fill: int) -> tuple:
    return (fill,) + t if len(t) == 1 else t


def pool_geometry(x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, nd: int,
                  where: str, op: str) -> PoolGeometry:
    """Check a pooling layer's arguments against the input; ValueErrors name ``where``, the shapes and the fix."""
    shape, unbatched = spatial_input(x, nd, where)
    kernel = _ints(kernel_size, nd, "kernel_size", where, 1)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) else \
        _ints(stride, nd, "stride", where, 1)
    padding = _ints(padding, nd, "padding", where, 0)
    dilation = _ints(dilation, nd, "dilation", where, 1)
    for k, p in zip(kernel, padding):
        if 2 * p > k:
            raise ValueError(f"{where}: padding {padding} must be at most half the kernel size {kernel}; "
                             "use a larger kernel or less padding")
    out = []
    for s, k, st, p, d in zip(shape[2:], kernel, stride, padding, dilation):
        span = d * (k - 1) + 1
        if s + 2 * p < span:
            raise ValueError(f"{where}: kernel {kernel} (dilation {dilation}) is larger than the padded input "
                             f"of size {s + 2 * p} (input shape {_shape(x)}, padding {padding}); use a smaller "
                             "kernel or a larger input")
        num = s + 2 * p - span
        o = (-(-num // st) if ceil_mode else num // st) + 1
        if ceil_mode and (o - 1) * st >= s + p:  # the last window must start inside the input or its left padding
            o -= 1
        out.append(o)
    label = f"{op} {_fmt(kernel)}"
    if stride != kernel:
        label += f" stride {_fmt1(stride)}"
    if any(padding):
        label += f" pad {_fmt1(padding)}"
    shown_out = shape[1:2] + tuple(out) if unbatched else shape[:2] + tuple(out)
    label += f": {_shape(x)} -> {shown_out}"
    n, c = shape[:2]
    in4 = (n, c) + _as2d(tuple(shape[2:]), 1)
    return PoolGeometry(nd, _as2d(kernel, 1), _as2d(stride, 1), _as2d(padding, 0), _as2d(dilation, 1),
                        _as2d(tuple(out), 1), in4, unbatched, label)


def _out_shape(geo: PoolGeometry, out_hw: tuple) -> tuple:
    n, c = geo.in_shape[:2]
    spatial = out_hw[1:] if geo.nd == 1 else out_hw
    return ((c,) if geo.unbatched else (n, c)) + tuple(spatial)


# ------------------------------------------------------------------ max pooling


def _scatter_back(g: Any, idx: np.ndarray, in_shape: tuple, x_shape: tuple, window: tuple | None = None) -> Any:
    """dL/dx of a max: g added at the flat plane index idx (a recorded scatter under create_graph);
    ``window`` (kh, kw, sh, sw, ph, pw, dh, dw) where the windows are known."""
    n, c, h, w = in_shape
    if isinstance(g, np.ndarray):
        return K.max_pool2d_backward(g.reshape(idx.shape), idx, in_shape, window).reshape(x_shape)
    planes = np.arange(n * c)[:, None]
    flat = G.scatter_add(g.reshape((n * c, -1)), (planes, idx.reshape(n * c, -1)), (n * c, h * w))
    return flat.reshape(x_shape)


class MaxPool2d(Function):
    """out = max of each window (padding -inf, NaN wins, first max on ties); dL/dx = g scattered to the argmax."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, geo: PoolGeometry | None = None, box: list | None = None) -> np.ndarray:
        (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = geo.kernel, geo.stride, geo.padding, geo.dilation, \
            geo.out_hw
        out, idx = K.max_pool2d(x.reshape(geo.in_shape), kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)
        ctx.idx, ctx.geo, ctx.x_shape = idx, geo, x.shape
        ctx.op_label = geo.label
        if box is not None:  # return_indices: the caller reads them from here
            box.append(idx)
        return out.reshape(_out_shape(geo, geo.out_hw))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        geo = ctx.geo
        window = geo.kernel + geo.stride + geo.padding + geo.dilation
        return _scatter_back(g, ctx.idx, geo.in_shape, ctx.x_shape, window)


class MaxPool1d(MaxPool2d):
    """The same op on (N, C, L) inputs."""


def max_pool(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
             ceil_mode: bool = False, return_indices: bool = False, nd: int = 2, where: str | None = None) -> Any:
    """Max pooling as one op; with ``return_indices`` also the flat index of each max in its input plane."""
    where = where or f"max_pool{nd}d"
    geo = pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, nd, where, f"MaxPool{nd}d")
    box: list = []
    out = (MaxPool1d if nd == 1 else MaxPool2d).apply(x, geo=geo, box=box)
    return (out, _indices(box, out)) if return_indices else out


def _indices(box: list, out: Any) -> Any:
    """The flat plane indices of the maxima as an int64 Tensor (no gradient), shaped like the output."""
    from ..tensor import Tensor

    return Tensor(box[0].reshape(out.shape), dtype=np.int64)


# ------------------------------------------------------------------ average pooling


class AvgPool2d(Function):
    """out = sum of each window (padding 0) / divisor; dL/dx = g / divisor spread over each window."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, geo: PoolGeometry | None = None, divisor: Any = None) -> np.ndarray:
        (kh, kw), (sh, sw), (ph, pw), (ho, wo) = geo.kernel, geo.stride, geo.padding, geo.out_hw
        out = K.avg_pool2d(x.reshape(geo.in_shape), kh, kw, sh, sw, ph, pw, ho, wo, divisor)
        ctx.geo, ctx.divisor, ctx.x_shape = geo, divisor, x.shape
        ctx.op_label = geo.label
        return out.reshape(_out_shape(geo, geo.out_hw))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        if not isinstance(g, np.ndarray):
            return AvgPoolAdjoint.apply(g, geo=ctx.geo, divisor=ctx.divisor, x_shape=ctx.x_shape)
        return _avg_back(g, ctx.geo, ctx.divisor, ctx.x_shape)


class AvgPool1d(AvgPool2d):
    """The same op on (N, C, L) inputs."""


def _avg_back(g: np.ndarray, geo: PoolGeometry, divisor: np.ndarray, x_shape: tuple) -> np.ndarray:
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = geo.kernel, geo.stride, geo.padding, geo.out_hw
    n, c = geo.in_shape[:2]
    gx = K.avg_pool2d_backward(np.ascontiguousarray(g).reshape(n, c, ho, wo), geo.in_shape, kh, kw, sh, sw, ph, pw,
                               divisor)
    return gx.reshape(x_shape)


class AvgPoolAdjoint(Function):
    """The adjoint of average pooling (its backward as an op, for create_graph); its own adjoint is the pooling."""

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, geo: PoolGeometry | None = None, divisor: Any = None,
                x_shape: tuple = ()) -> np.ndarray:
        ctx.geo, ctx.divisor = geo, divisor
        return _avg_back(g, geo, divisor, x_shape)

    @staticmethod
    def backward(ctx: Context, gg: Any) -> Any:
        return AvgPool2d.apply(gg, geo=ctx.geo, divisor=ctx.divisor)


def check_divisor(divisor_override: Any, where: str) -> None:
    """ValueError unless ``divisor_override`` is None or a positive int (average pooling's argument)."""
    if divisor_override is not None and (isinstance(divisor_override, bool)
                                         or not isinstance(divisor_override, (int, np.integer))
                                         or divisor_override < 1):
        raise ValueError(f"{where}: divisor_override must be a positive int or None, got {divisor_override!r}")


def avg_pool(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
             count_include_pad: bool = True, divisor_override: int | None = None, nd: int = 2,
             where: str | None = None) -> Any:
    """Average pooling as one op (torch's divisor rules: ``count_include_pad``, ``divisor_override``)."""
    where = where or f"avg_pool{nd}d"
    check_divisor(divisor_override, where)
    geo = pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, nd, where, f"AvgPool{nd}d")
    (kh, kw), (sh, sw), (ph, pw), (ho, wo) = geo.kernel, geo.stride, geo.padding, geo.out_hw
    h, w = geo.in_shape[2:]
    divisor = avg_pool_divisor(h, w, kh, kw, sh, sw, ph, pw, ho, wo, bool(count_include_pad), divisor_override)
    return (AvgPool1d if nd == 1 else AvgPool2d).apply(x, geo=geo, divisor=divisor)


# ------------------------------------------------------------------ adaptive pooling


def adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Window i of ``out`` over ``size`` cells: [floor(i size / out), ceil((i + 1) size / out))."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _averaging(size: int, out: int, dtype: Any) -> np.ndarray:
    start, end = adaptive_bounds(size, out)
    m = np.zeros((out, size), dtype=dtype)
    for i in range(out):
        m[i, start[i]:end[i]] = 1.0 / (end[i] - start[i])
    return m


def _output_size(output_size: Any, spatial: tuple, nd: int, where: str) -> tuple:
    items = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(items) != nd:
        raise ValueError(f"{where}: output_size must be an int or a tuple of {nd}, got {output_size!r}")
    sizes = tuple(s if o is None else o for o, s in zip(items, spatial))  # None keeps the input's size
    return _ints(sizes, nd, "output_size", where, 1)


class AdaptiveAvgPool2d(Separable):
    """out = A_h @ x @ A_w^T (A_h, A_w average over torch's adaptive windows); dL/dx = A_h^T @ g @ A_w."""


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """The same op on (N, C, L) inputs (A_h is 1 x 1)."""


def adaptive_avg_pool(x: Any, output_size: Any, nd: int = 2, where: str | None = None) -> Any:
    """Adaptive average pooling to ``output_size`` as one op."""
    where = where or f"adaptive_avg_pool{nd}d"
    shape, unbatched = spatial_input(x, nd, where)
    out = _output_size(output_size, shape[2:], nd, where)
    dtype = np.result_type(getattr(x, "data", np.asarray(x)).dtype, np.float32)
    spatial = _as2d(tuple(shape[2:]), 1)
    out2 = _as2d(out, 1)
    mats = (_averaging(spatial[0], out2[0], dtype), _averaging(spatial[1], out2[1], dtype))
    label = f"AdaptiveAvgPool{nd}d {_fmt(out)}: {_shape(x)} -> {_shape(x)[:-nd] + out}"
    op = AdaptiveAvgPool1d if nd == 1 else AdaptiveAvgPool2d
    return op.apply(x, mats=(None, mats[1]) if nd == 1 else mats, label=label)


class AdaptiveMaxPool2d(Function):
    """out = the max over each adaptive window (first max on ties); dL/dx = g scattered to the argmax."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, geo: PoolGeometry | None = None, box: list | None = None) -> np.ndarray:
        n, c, h, w = geo.in_shape
        oh, ow = geo.out_hw
        x4 = x.reshape(geo.in_shape)
        hs, he = adaptive_bounds(h, oh)
        ws, we = adaptive_bounds(w, ow)
        out = np.empty((n, c, oh, ow), dtype=x.dtype)
        idx = np.empty((n, c, oh, ow), dtype=np.int64)
        for i in range(oh):
            for j in range(ow):
                win = x4[:, :, hs[i]:he[i], ws[j]:we[j]].reshape(n, c, -1)
                a = _first_max(win)
                out[:, :, i, j] = np.take_along_axis(win, a[..., None], axis=-1)[..., 0]
                wl = we[j] - ws[j]
                idx[:, :, i, j] = (hs[i] + a // wl) * w + ws[j] + a % wl
        ctx.idx, ctx.geo, ctx.x_shape = idx, geo, x.shape
        ctx.op_label = geo.label
        if box is not None:  # return_indices: the caller reads them from here
            box.append(idx)
        return out.reshape(_out_shape(geo, geo.out_hw))

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return _scatter_back(g, ctx.idx, ctx.geo.in_shape, ctx.x_shape)


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """The same op on (N, C, L) inputs."""


def _first_max(win: np.ndarray) -> np.ndarray:
    """Index of the max along the last axis, NaN winning (the last NaN, as torch's scan keeps replacing)."""
    a = np.argmax(win, axis=-1)
    nan = np.isnan(win)
    if nan.any():
        last_nan = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
        a = np.where(nan.any(axis=-1), last_nan, a)
    return a


def adaptive_max_pool(x: Any, output_size: Any, return_indices: bool = False, nd: int = 2,
                      where: str | None = None) -> Any:
    """Adaptive max pooling to ``output_size`` as one op (with the indices if asked)."""
    where = where or f"adaptive_max_pool{nd}d"
    shape, unbatched = spatial_input(x, nd, where)
    out = _output_size(output_size, shape[2:], nd, where)
    n, c = shape[:2]
    label = f"AdaptiveMaxPool{nd}d {_fmt(out)}: {_shape(x)} -> {_shape(x)[:-nd] + out}"
    geo = PoolGeometry(nd, (1, 1), (1, 1), (0, 0), (1, 1), _as2d(out, 1), (n, c) + _as2d(tuple(shape[2:]), 1),
                       unbatched, label)
    box: list = []
    res = (AdaptiveMaxPool1d if nd == 1 else AdaptiveMaxPool2d).apply(x, geo=geo, box=box)
    return (res, _indices(box, res)) if return_indices else res


__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "max_pool", "avg_pool", "adaptive_avg_pool",
           "adaptive_max_pool", "adaptive_bounds"]
