"""Resizing as one graph op: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, area), torch's.

Each mode is separable: out = M_h @ x @ M_w^T, with one row per output
position holding the weights of the input positions it reads (one 1 for
nearest, lambda0 and lambda1 for (bi)linear). So the backward is
dL/dx = M_h^T @ g @ M_w, and under ``create_graph`` it is recorded as it is.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from ..function import Context, Function
from .conv import _shape

MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
CUBIC_A = -0.75  # torch's (and OpenCV's) cubic convolution constant


class Separable(Function):
    """out = A_h @ x @ A_w^T over the last two axes (A_h None: the last axis only); dL/dx = A_h^T @ g @ A_w."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, mats: tuple = (), label: str = "") -> np.ndarray:
        ah, aw = (None if m is None else m.astype(x.dtype, copy=False) for m in mats)
        ctx.mats = (ah, aw)
        ctx.op_label = label
        out = np.matmul(x, aw.T)
        return out if ah is None else np.matmul(ah, out)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        ah, aw = ctx.mats
        g = g @ aw
        return g if ah is None else (g.swapaxes(-1, -2) @ ah).swapaxes(-1, -2)


class Interpolate(Separable):
    """Resize the last one or two axes: out = M_h @ x @ M_w^T; dL/dx = M_h^T @ g @ M_w."""


def _coordinate_scale(n_in: int, n_out: int, scale: float | None, align_corners: bool) -> float:
    """torch's area_pixel_compute_scale: the input step per output step."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def resize_matrix(n_in: int, n_out: int, mode: str, align_corners: bool, scale: float | None,
                  dtype: Any) -> np.ndarray:
    """The (n_out, n_in) matrix of one axis: which input positions each output reads, with what weights."""
    if mode == "bicubic":
        return cubic_matrix(n_in, n_out, align_corners, scale, dtype)
    if mode == "area":  # torch's: adaptive average pooling to the output size
        from .pool import _averaging

        return _averaging(n_in, n_out, dtype)
    m = np.zeros((n_out, n_in), dtype=dtype)
    o = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        if mode == "nearest" and n_out == n_in:
            src = o
        elif mode == "nearest" and n_out == 2 * n_in:
            src = o >> 1
        else:  # in float32, as torch computes these indices
            s = np.float32(1.0 / scale if scale is not None and scale > 0 else np.float32(n_in) / np.float32(n_out))
            pos = o.astype(np.float32) + np.float32(0.5) if mode == "nearest-exact" else o.astype(np.float32)
            src = np.minimum(np.floor(pos * s).astype(np.int64), n_in - 1)
        m[o, src] = 1
        return m
    t = np.dtype(dtype).type
    s = t(_coordinate_scale(n_in, n_out, scale, align_corners))
    of = o.astype(dtype)
    real = s * of if align_corners else np.maximum(s * (of + t(0.5)) - t(0.5), t(0))
    i0 = real.astype(np.int64)
    step = (i0 < n_in - 1).astype(np.int64)
    lam1 = np.clip(real - i0.astype(dtype), 0, 1).astype(dtype)
    lam0 = (t(1) - lam1).astype(dtype)
    np.add.at(m, (o, i0), lam0)
    np.add.at(m, (o, i0 + step), lam1)
    return m


def _cubic_weights(t: np.ndarray) -> tuple:
    """Keys' cubic convolution weights of the taps at distances 1 + t, t, 1 - t, 2 - t (0 <= t < 1)."""
    a = t.dtype.type(CUBIC_A)

    def near(d: np.ndarray) -> np.ndarray:  # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d: np.ndarray) -> np.ndarray:  # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    one = t.dtype.type(1)
    return far(t + one), near(t), near(one - t), far(2 * one - t)


def cubic_matrix(n_in: int, n_out: int, align_corners: bool, scale: float | None, dtype: Any) -> np.ndarray:
    """The (n_out, n_in) bicubic matrix: four taps floor(x) - 1 .. floor(x) + 2, clamped to the edges (torch's)."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    t = np.dtype(dtype).type
    s = t(_coordinate_scale(n_in, n_out, scale, align_corners))
    of = np.arange(n_out).astype(dtype)
    real = s * of if align_corners else s * (of + t(0.5)) - t(0.5)  # no clamp at 0 for cubic, as torch
    i0 = np.floor(real)
    frac = (real - i0).astype(dtype)
    i0 = i0.astype(np.int64)
    o = np.arange(n_out)
    for k, wk in enumerate(_cubic_weights(frac)):
        np.add.at(m, (o, np.clip(i0 - 1 + k, 0, n_in - 1)), wk.astype(dtype))
    return m


def interpolate(x: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                where: str = "interpolate") -> "Tensor":
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs to ``size`` or by ``scale_factor``, as torch's
    F.interpolate (a volume: the depth matrix first, then the (H, W) op)."""
    shape = _shape(x)
    if mode not in MODES:
        raise ValueError(f"{where}: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    nd = len(shape) - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"{where}: expected a 3-D (N, C, L), 4-D (N, C, H, W) or 5-D (N, C, D, H, W) input, got "
                         f"shape {shape}")
    if mode == "linear" and nd != 1 or mode in ("bilinear", "bicubic") and nd != 2 or mode == "trilinear" and nd != 3:
        need = {"linear": "3-D (N, C, L)", "trilinear": "5-D (N, C, D, H, W)"}.get(mode, "4-D (N, C, H, W)")
        raise ValueError(f"{where}: mode {mode!r} needs a {need} input, got shape {shape}")
    if align_corners is not None and (mode.startswith("nearest") or mode == "area"):
        raise ValueError(f"{where}: align_corners can only be set with mode 'linear', 'bilinear' or 'bicubic', "
                         f"not {mode!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{where}: pass exactly one of size and scale_factor (got size={size!r}, "
                         f"scale_factor={scale_factor!r})")
    spatial = shape[2:]
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1
                                       for s in sizes):
            raise ValueError(f"{where}: size must be a positive int or a tuple of {nd}, got {size!r}")
        scales: tuple = (None,) * nd
    else:
        factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
        if len(factors) != nd or not all(isinstance(f, Real) and not isinstance(f, bool) and f > 0
                                         for f in factors):
            raise ValueError(f"{where}: scale_factor must be a positive number or a tuple of {nd}, "
                             f"got {scale_factor!r}")
        sizes = tuple(int(math.floor(s * float(f))) for s, f in zip(spatial, factors))
        if any(s < 1 for s in sizes):
            raise ValueError(f"{where}: scale_factor {scale_factor!r} gives an empty output {sizes} from {spatial}")
        scales = (None,) * nd if recompute_scale_factor else tuple(float(f) for f in factors)
    dtype = np.result_type(getattr(x, "data", np.asarray(x)).dtype, np.float32)
    corners = bool(align_corners)
    mats = [resize_matrix(i, o, mode, corners, s, dtype) for i, o, s in zip(spatial, sizes, scales)]
    label = f"Interpolate {mode}" + (" align_corners" if corners else "") + f": {shape} -> {shape[:2] + sizes}"
    if nd == 3:  # out = M_d applied along depth (a recorded product), then M_h x M_w^T per depth
        t = x if isinstance(x, Tensor) else Tensor(x)
        n, c, d, h, w = shape
        y = (Tensor._make(mats[0]) @ t.reshape(n, c, d, h * w)).reshape(n, c * sizes[0], h, w)
        y = Interpolate.apply(y, mats=(mats[1], mats[2]), label=label)
        return y.reshape(n, c, *sizes)
    return Interpolate.apply(x, mats=(None, mats[0]) if nd == 1 else tuple(mats), label=label)


from ..tensor import Tensor  # noqa: E402

__all__ = ["Interpolate", "Separable", "interpolate", "resize_matrix", "cubic_matrix", "MODES"]
