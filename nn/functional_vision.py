"""Vision functions of ``torch.nn.functional`` built from gradwork's ops (re-exported by ``nn.functional``).

pixel_shuffle, pixel_unshuffle, channel_shuffle (reshapes and one permute), instance_norm (group norm
with one group per channel, or batch norm on running statistics), local_response_norm (a moving sum
over channels), conv_transpose1d (the 2-D transposed convolution on a height-1 image), lp_pool1d/2d
(average pooling of x**p), upsample and its two deprecated siblings (interpolate's old names),
affine_grid and grid_sample (2-D and 3-D; bilinear, nearest, bicubic; zeros, border, reflection
padding: gathers weighted by expressions in the grid, so the grid gets its gradient too). Each is
exact: the derivatives come from the ops it is made of. Tensor mode only.
"""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any

import numpy as np

from autograd import Tensor
from autograd import torchops as T
from autograd.backend import ops as K
from autograd.ops import conv as C
from autograd.ops.norm import BatchNorm as BatchNormOp
from autograd.ops.norm import GroupNorm as GroupNormOp

from .modes import is_scalar, to_tensor
from .pooling import avg_pool1d, avg_pool2d, interpolate

__all__ = [
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "instance_norm", "local_response_norm",
    "conv_transpose1d", "lp_pool1d", "lp_pool2d", "upsample", "affine_grid",
    "grid_sample", "upsample_nearest", "upsample_bilinear",
]


def _tensor(x: Any, where: str) -> Tensor:
    if is_scalar(x):
        raise TypeError(f"{where}: works in tensor mode only; pass a Tensor or an array, not Values")
    return x if isinstance(x, Tensor) else to_tensor(x, where)


def _positive(n: Any, what: str, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{where}: {what} must be a positive int, got {n!r}")
    return int(n)


def _number(v: Any, what: str, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, Real):
        raise TypeError(f"{where}: {what} must be a number, got {v!r}")
    return float(v)


# ------------------------------------------------------------------ pixel and channel shuffles


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:
    """(*, C r**2, H, W) -> (*, C, H r, W r): out[c, h r + i, w r + j] = x[c r**2 + i r + j, h, w]."""
    where = "pixel_shuffle"
    x = _tensor(input, where)
    r = _positive(upscale_factor, "upscale_factor", where)
    if x.ndim < 3:
        raise ValueError(f"{where}: expected an input of shape (*, C, H, W) with at least 3 axes, got shape "
                         f"{x.shape}")
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise ValueError(f"{where}: the channel axis (-3) of shape {x.shape} has {c} entries, which is not "
                         f"divisible by upscale_factor**2 = {r * r}; use {r * r}k channels")
    k, b = c // (r * r), len(lead)
    y = x.reshape(*lead, k, r, r, h, w)
    y = y.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return y.reshape(*lead, k, h * r, w * r)


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r**2, H, W), the inverse of ``pixel_shuffle``."""
    where = "pixel_unshuffle"
    x = _tensor(input, where)
    r = _positive(downscale_factor, "downscale_factor", where)
    if x.ndim < 3:
        raise ValueError(f"{where}: expected an input of shape (*, C, H, W) with at least 3 axes, got shape "
                         f"{x.shape}")
    *lead, c, h, w = x.shape
    if h % r or w % r:
        raise ValueError(f"{where}: the height {h} and width {w} of shape {x.shape} must be divisible by "
                         f"downscale_factor={r}; crop or pad the image to a multiple of {r}")
    b = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Any, groups: int) -> Tensor:
    """(N, C, *) with C = g k: channel i k + j moves to j g + i (ShuffleNet's shuffle)."""
    where = "channel_shuffle"
    x = _tensor(input, where)
    g = _positive(groups, "groups", where)
    if x.ndim < 3:
        raise ValueError(f"{where}: expected an input of shape (N, C, *) with more than 2 axes, got shape "
                         f"{x.shape}; add the spatial axes")
    n, c, *rest = x.shape
    if c % g:
        raise ValueError(f"{where}: the channel axis (1) of shape {x.shape} has {c} entries, which is not "
                         f"divisible by groups={g}")
    y = x.reshape(n, g, c // g, *rest).transpose(1, 2)
    return y.reshape(n, c, *rest)


# ------------------------------------------------------------------ normalisation


def _vector(t: Any, c: int, what: str, where: str) -> Any:
    if t is None:
        return None
    shape = tuple(np.shape(t.data if isinstance(t, Tensor) else t))
    if shape != (c,):
        raise ValueError(f"{where}: {what} has shape {shape}, expected ({c},) (one entry per channel)")
    return t if isinstance(t, Tensor) else to_tensor(t, f"{where} {what}")


def instance_norm(input: Any, running_mean: Any = None, running_var: Any = None, weight: Any = None,
                  bias: Any = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """(x - mean) / sqrt(var + eps) w + b with mean and biased var per sample and channel of x (N, C, *).

    ``use_input_stats=False`` uses running_mean and running_var instead; with input statistics, the running
    ones (when given) move towards the batch average of the per-instance mean and unbiased variance.
    """
    where = "instance_norm"
    x = _tensor(input, where)
    if x.ndim < 3:
        raise ValueError(f"{where}: expected an input of shape (N, C, *) with at least one spatial axis, got "
                         f"shape {x.shape}")
    n, c = x.shape[0], x.shape[1]
    if isinstance(eps, bool) or not isinstance(eps, Real) or not eps >= 0:
        raise ValueError(f"{where}: eps must be a number >= 0, got {eps!r}")
    w, b = _vector(weight, c, "weight", where), _vector(bias, c, "bias", where)
    rm, rv = (t.data if isinstance(t, Tensor) else t for t in (running_mean, running_var))
    for what, arr in (("running_mean", rm), ("running_var", rv)):
        if arr is not None and not (isinstance(arr, np.ndarray) and arr.dtype.kind == "f"):
            raise TypeError(f"{where}: {what} must be a floating Tensor or array (it is updated in place), got "
                            f"{type(arr).__name__}")
        if arr is not None and np.shape(arr) != (c,):
            raise ValueError(f"{where}: {what} has shape {np.shape(arr)}, expected ({c},)")
    if not use_input_stats:
        if rm is None or rv is None:
            raise ValueError(f"{where}: use_input_stats=False needs running_mean and running_var; pass them")
        return BatchNormOp.apply(x, w, b, mean=np.asarray(rm), var=np.asarray(rv), eps=float(eps), training=False)
    count = x.size // (n * c) if n * c else 0
    if count <= 1:
        raise ValueError(f"{where}: expected more than 1 spatial element per channel when using input "
                         f"statistics, got input of shape {x.shape}")
    if rm is not None and rv is not None:
        mean, var = K.batch_norm_stats(x.data.reshape(1, n * c, -1))
        m = _number(momentum, "momentum", where)
        rm *= 1 - m
        rm += m * mean.reshape(n, c).mean(axis=0)
        rv *= 1 - m
        rv += (m * count / (count - 1)) * var.reshape(n, c).mean(axis=0)
    return GroupNormOp.apply(x, w, b, groups=c, eps=float(eps))


def local_response_norm(input: Any, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x / (k + alpha/size sum_{c' near c} x[c']**2)**beta, the window c - size//2 .. c + (size-1)//2."""
    where = "local_response_norm"
    x = _tensor(input, where)
    size = _positive(size, "size", where)
    if x.ndim < 3:
        raise ValueError(f"{where}: expected an input of shape (N, C, *) with 3 or more axes, got shape "
                         f"{x.shape}")
    alpha, beta, k = (_number(v, name, where) for v, name in ((alpha, "alpha"), (beta, "beta"), (k, "k")))
    c = x.shape[1]
    sq = x * x
    widths = [(0, 0)] * x.ndim
    widths[1] = (size // 2, (size - 1) // 2)
    flat = [p for pair in widths[::-1] for p in pair]
    padded = T.pad(sq, flat)
    total = padded[:, 0:c]
    for i in range(1, size):
        total = total + padded[:, i:i + c]
    div = (total * (alpha / size) + k) ** beta
    return x / div


# ------------------------------------------------------------------ transposed convolution in 1-D


def transpose_arguments(channels: int, w_shape: tuple, stride: Any, padding: Any, output_padding: Any, dilation: Any,
                        nd: int, where: str) -> tuple:
    """(stride, padding, output_padding, dilation) of an nd transposed convolution, each a tuple of nd ints, after
    torch's checks: a weight of nd + 2 axes (C_in, C_out/groups, *k), the input's C_in channels, and each
    output_padding below its stride or its dilation."""
    if len(w_shape) != nd + 2:
        ks = "k" if nd == 1 else ", ".join(("kd", "kh", "kw")[-nd:])
        raise ValueError(f"{where}: weight must be {nd + 2}-D (in_channels, out_channels/groups, {ks}), got "
                         f"{tuple(w_shape)}")
    s = C._ints(stride, nd, "stride", where, 1)
    p = C._ints(padding, nd, "padding", where, 0)
    op = C._ints(output_padding, nd, "output_padding", where, 0)
    d = C._ints(dilation, nd, "dilation", where, 1)
    for o, st, di in zip(op, s, d):
        if o >= st and o >= di:
            raise ValueError(f"{where}: output_padding {o} must be smaller than the stride {st} or the dilation {di}")
    if channels != w_shape[0]:
        raise ValueError(f"{where}: expected an input with {w_shape[0]} channels (weight {tuple(w_shape)}), got "
                         f"{channels}")
    return s, p, op, d


def conv_transpose1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The transposed 1-D convolution (the gradient of conv1d in its input): x (N, C_in, L), w (C_in, C_out/g, k)."""
    where = "conv_transpose1d"
    x, w = _tensor(input, where), _tensor(weight, where)
    b = None if bias is None else _tensor(bias, where)
    if x.ndim not in (2, 3):
        raise ValueError(f"{where}: expected a 3-D input (N, C, L) or an unbatched 2-D one (C, L), got shape "
                         f"{x.shape}")
    s, p, op, d = transpose_arguments(x.shape[-2], w.shape, stride, padding, output_padding, dilation, 1, where)
    out = C.conv_transpose2d(x.unsqueeze(-2), w.unsqueeze(2), b, (1,) + s, (0,) + p, (0,) + op, groups,
                             (1,) + d, where)
    return out.squeeze(-2)


# ------------------------------------------------------------------ power-average pooling


def _lp_pool(x: Tensor, norm_type: Any, kernel_size: Any, stride: Any, ceil_mode: bool, nd: int,
             where: str) -> Tensor:
    p = _number(norm_type, "norm_type", where)
    if not p > 0 or p == float("inf"):
        raise ValueError(f"{where}: norm_type must be a finite number > 0, got {norm_type!r}")
    ks = C._ints(kernel_size, nd, "kernel_size", where, 1)
    if stride is not None:
        C._ints(stride, nd, "stride", where, 1)
    pool = avg_pool1d if nd == 1 else avg_pool2d
    out = pool(x ** p, kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu() * float(np.prod(ks))) ** (1.0 / p)


def lp_pool1d(input: Any, norm_type: float, kernel_size: int, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x**p)**(1/p) over (N, C, L) (torch's formula, through avg_pool1d)."""
    return _lp_pool(_tensor(input, "lp_pool1d"), norm_type, kernel_size, stride, ceil_mode, 1, "lp_pool1d")


def lp_pool2d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x**p)**(1/p) over (N, C, H, W) (torch's formula, through avg_pool2d)."""
    return _lp_pool(_tensor(input, "lp_pool2d"), norm_type, kernel_size, stride, ceil_mode, 2, "lp_pool2d")


# ------------------------------------------------------------------ resizing


def upsample(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated name of ``interpolate`` (as in torch, it warns)."""
    warnings.warn("nn.functional.upsample is deprecated; use nn.functional.interpolate instead", UserWarning,
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode="nearest")`` (it warns, as torch)."""
    warnings.warn("nn.functional.upsample_nearest is deprecated; use nn.functional.interpolate instead",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, "nearest")


def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)`` (it warns)."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated; use nn.functional.interpolate instead",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, "bilinear", True)


# ------------------------------------------------------------------ spatial transformers


_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since torch 1.3.0; "
                  "pass align_corners=True for the old behaviour, or align_corners=False to silence this warning")


def _align(align_corners: Any) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _base_coords(n: int, align_corners: bool, dtype: Any) -> np.ndarray:
    """The n pixel centres in [-1, 1] (torch's linspace), scaled by (n - 1)/n without align_corners."""
    if n <= 1:
        return np.zeros(n, dtype=dtype)
    v = np.linspace(-1.0, 1.0, n, dtype=dtype)
    return v if align_corners else v * dtype.type((n - 1) / n)


def affine_grid(theta: Any, size: Any, align_corners: bool | None = None) -> Tensor:
    """Sampling grid (N, H, W, 2) of the affine maps theta (N, 2, 3): grid[n, h, w] = theta[n] @ (x_w, y_h, 1).

    A 5-D ``size`` (N, C, D, H, W) with theta (N, 3, 4) gives the volume's grid (N, D, H, W, 3).
    """
    where = "affine_grid"
    t = _tensor(theta, where)
    if t.dtype.kind != "f":
        raise TypeError(f"{where}: theta must be a floating tensor, got dtype {t.dtype}")
    dims = tuple(size) if isinstance(size, (tuple, list)) else None
    if dims is None or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
                               for v in dims):
        raise ValueError(f"{where}: size must be the output's shape (N, C, H, W) or (N, C, D, H, W) as positive "
                         f"ints, got {size!r}")
    if len(dims) not in (4, 5):
        raise ValueError(f"{where}: size must be (N, C, H, W) for 2-D or (N, C, D, H, W) for 3-D grids, got "
                         f"{tuple(dims)}")
    nd = len(dims) - 2
    n, spatial = int(dims[0]), tuple(int(v) for v in dims[2:])
    if t.shape != (n, nd, nd + 1):
        raise ValueError(f"{where}: theta must have shape (N, {nd}, {nd + 1}) = ({n}, {nd}, {nd + 1}) for size "
                         f"{tuple(dims)}, got {t.shape}")
    ac = _align(align_corners)
    base = np.empty(spatial + (nd + 1,), dtype=t.dtype)
    for k, length in enumerate(spatial[::-1]):  # x along the last axis, then y, then z
        shape = [1] * nd
        shape[nd - 1 - k] = length
        base[..., k] = _base_coords(length, ac, t.dtype).reshape(shape)
    base[..., nd] = 1
    m = int(np.prod(spatial))
    grid = Tensor._make(np.broadcast_to(base.reshape(1, m, nd + 1), (n, m, nd + 1)).copy()) @ t.transpose(1, 2)
    return grid.reshape(n, *spatial, nd)


def _source_index(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Grid coordinates in [-1, 1] to pixel coordinates, then border clipping or reflection (torch's formulas)."""
    if align_corners:
        x = (coord + 1) / 2 * (size - 1)
    else:
        x = ((coord + 1) * size - 1) / 2
    if padding_mode == "border":
        return x.clamp(0, size - 1)
    if padding_mode == "reflection":
        low, high = (0.0, 2.0 * (size - 1)) if align_corners else (-1.0, 2.0 * size - 1)
        if low == high:
            return x * 0
        lo, span = low / 2, (high - low) / 2
        d = (x - lo).abs()
        flips = np.floor(d.data / span)
        extra = d - Tensor._make((flips * span).astype(d.dtype, copy=False))
        odd = (flips % 2).astype(bool)
        sign = np.where(odd, -1.0, 1.0).astype(d.dtype)
        shift = np.where(odd, span + lo, lo).astype(d.dtype)
        return (extra * sign + shift).clamp(0, size - 1)
    return x


def grid_sample(input: Any, grid: Any, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """out[n, c, i, j] = input[n, c] read at grid[n, i, j] = (x, y) in [-1, 1] (bilinear, nearest or bicubic).

    5-D input (N, C, D, H, W) with a grid (N, D_out, H_out, W_out, 3) of (x, y, z) samples a volume
    (mode "bilinear" is then trilinear, as in torch). Out-of-range reads follow ``padding_mode``: "zeros",
    "border" (clamp to the edge) or "reflection"; mode="bicubic" (4-D only) reads 4 x 4 taps with torch's
    cubic weights (A = -0.75), padding each tap. Gradients reach the input and the grid (zeros with
    mode="nearest", whose output is flat in the grid).
    """
    where = "grid_sample"
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"{where}: mode must be 'bilinear', 'nearest' or 'bicubic', got {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"{where}: padding_mode must be 'zeros', 'border' or 'reflection', got {padding_mode!r}")
    x, g = _tensor(input, where), _tensor(grid, where)
    if x.ndim not in (4, 5):
        raise ValueError(f"{where}: expected a 4-D input (N, C, H, W) or a 5-D one (N, C, D, H, W), got shape "
                         f"{x.shape}; add a batch axis for one image")
    nd = x.ndim - 2
    if g.ndim != x.ndim or g.shape[-1] != nd or g.shape[0] != x.shape[0]:
        want = "(N, H_out, W_out, 2)" if nd == 2 else "(N, D_out, H_out, W_out, 3)"
        raise ValueError(f"{where}: grid must have shape {want} with N = {x.shape[0]} as the input {x.shape}, "
                         f"got {g.shape}")
    if mode == "bicubic" and nd == 3:
        raise ValueError(f"{where}: mode 'bicubic' needs a 4-D input (N, C, H, W), got shape {x.shape}")
    if x.dtype != g.dtype:
        raise TypeError(f"{where}: input ({x.dtype}) and grid ({g.dtype}) must have the same dtype; cast one")
    ac = _align(align_corners)
    n, c = x.shape[:2]
    sizes = x.shape[2:][::-1]  # (W, H[, D]): the grid's coordinate order
    out_spatial = g.shape[1:-1]
    p = int(np.prod(out_spatial))
    flat = x.reshape(n, c, -1)
    if mode == "bicubic":
        return _grid_bicubic(flat, g, x.shape, padding_mode, ac).reshape(n, c, *out_spatial)
    coords = [_source_index(g[..., k].reshape(n, 1, p), sizes[k], padding_mode, ac) for k in range(nd)]

    def read(idx: list) -> tuple:
        """The input at integer positions (x, y[, z]), each (N, 1, P), for every channel; where that is inside."""
        inside = np.ones(idx[0].shape, dtype=bool)
        k = np.zeros(idx[0].shape, dtype=np.int64)
        for i, size in reversed(list(zip(idx, sizes))):  # flat index ((z H + y) W + x)
            inside &= (i >= 0) & (i < size)
            k = k * size + np.clip(i, 0, size - 1)
        k = np.where(inside, k, 0)
        return flat.gather(2, np.ascontiguousarray(np.broadcast_to(k, (n, c, p)))), inside.astype(x.dtype)

    if mode == "nearest":
        vals, inside = read([np.rint(t.data).astype(np.int64) for t in coords])
        out = vals * inside
        if g.requires_grad and all(np.isfinite(t.data).all() for t in coords):
            zero = coords[0].sign()
            for t in coords[1:]:
                zero = zero + t.sign()
            out = out + zero * 0  # adds 0: the grid's gradient is zeros, as torch's
        return out.reshape(n, c, *out_spatial)
    lows = [np.floor(t.data) for t in coords]
    near = [t - Tensor._make(f) for t, f in zip(coords, lows)]  # the distance from the lower neighbour
    far = [1 - d for d in near]
    starts = [f.astype(np.int64) for f in lows]
    out = None
    for corner in np.ndindex(*(2,) * nd):
        bits = corner[::-1]  # x varies fastest: (0, 0), (1, 0), (0, 1), (1, 1) as torch's nw, ne, sw, se
        weight = None
        for k in reversed(range(nd)):  # (1 - dy)(1 - dx) order for 2-D, as torch
            factor = near[k] if bits[k] else far[k]
            weight = factor if weight is None else weight * factor
        vals, inside = read([s + b for s, b in zip(starts, bits)])
        term = vals * (weight * inside)
        out = term if out is None else out + term
    return out.reshape(n, c, *out_spatial)


def _tap_index(k: np.ndarray, size: int, padding_mode: str, align_corners: bool) -> np.ndarray:
    """Integer tap positions after border clipping or reflection (torch's compute_coordinates), as ints."""
    k = k.astype(np.float64)
    if padding_mode == "border":
        k = np.clip(k, 0, size - 1)
    elif padding_mode == "reflection":
        low, high = (0.0, 2.0 * (size - 1)) if align_corners else (-1.0, 2.0 * size - 1)
        if low == high:
            k = np.zeros_like(k)
        else:
            lo, span = low / 2, (high - low) / 2
            d = np.abs(k - lo)
            flips = np.floor(d / span)
            extra = np.fmod(d, span)
            k = np.clip(np.where(flips % 2 == 0, extra + lo, span - extra + lo), 0, size - 1)
    return k.astype(np.int64)


def _cubic_coefficients(t: Tensor) -> list:
    """The four cubic-convolution weights of the taps at distances 1 + t, t, 1 - t, 2 - t (A = -0.75)."""
    a = -0.75

    def near(d: Tensor) -> Tensor:
        return ((d * (a + 2) - (a + 3)) * d) * d + 1

    def far(d: Tensor) -> Tensor:
        return ((d * a - 5 * a) * d + 8 * a) * d - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _grid_bicubic(flat: Tensor, g: Tensor, shape: tuple, padding_mode: str, align_corners: bool) -> Tensor:
    """Bicubic grid sampling: rows of four taps interpolated along x, then the four rows along y (torch's order)."""
    n, c, h, w = shape
    p = g.shape[1] * g.shape[2]
    gx, gy = g[..., 0].reshape(n, 1, p), g[..., 1].reshape(n, 1, p)
    ix = (gx + 1) / 2 * (w - 1) if align_corners else ((gx + 1) * w - 1) / 2
    iy = (gy + 1) / 2 * (h - 1) if align_corners else ((gy + 1) * h - 1) / 2
    x0f, y0f = np.floor(ix.data), np.floor(iy.data)
    cx = _cubic_coefficients(ix - Tensor._make(x0f))
    cy = _cubic_coefficients(iy - Tensor._make(y0f))
    x0, y0 = x0f.astype(np.int64), y0f.astype(np.int64)
    xs = [_tap_index(x0 - 1 + j, w, padding_mode, align_corners) for j in range(4)]
    out = None
    for i in range(4):
        yi = _tap_index(y0 - 1 + i, h, padding_mode, align_corners)
        row = None
        for j in range(4):
            xj = xs[j]
            inside = (xj >= 0) & (xj < w) & (yi >= 0) & (yi < h)
            k = np.where(inside, np.clip(yi, 0, h - 1) * w + np.clip(xj, 0, w - 1), 0)
            vals = flat.gather(2, np.ascontiguousarray(np.broadcast_to(k, (n, c, p))))
            term = vals * (cx[j] * inside.astype(flat.dtype))
            row = term if row is None else row + term
        out = row * cy[i] if out is None else out + row * cy[i]
    return out
