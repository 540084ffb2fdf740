"""Numpy reference kernels of convolution and pooling (the Numba ones in ``numba_conv`` give the same numbers).

Layouts, for an input of shape (N, C, H, W) padded to (N, C, Hp, Wp), a
kernel (kh, kw), stride (sh, sw), dilation (dh, dw) and an output (Ho, Wo):

* ``im2col`` -> columns of shape (C, kh, kw, N, Ho, Wo), C-contiguous, so a
  convolution is one matrix product ``weight(O, C kh kw) @ cols(C kh kw, N Ho Wo)``;
* ``col2im`` is its adjoint: every column entry added back to the input cell it was read from;
* ``unfold_into`` / ``fold_into``: the same pair in a batch-major layout (N, C, kh, kw, Ho, Wo)
  (``F.unfold``'s), read from and added into the unpadded input (padding zero), so
  that a convolution runs sample by sample, ``W(O, C kh kw) @ cols[n](C kh kw, Ho Wo)``
  landing in NCHW without a transpose.

Pooling kernels take the unpadded input and the padding, as torch's do:
max pooling reads padding as -inf, average pooling as 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided


def _window_slices(i: int, j: int, sh: int, sw: int, dh: int, dw: int, ho: int, wo: int) -> tuple:
    """The cells that kernel tap (i, j) reads for all outputs: a strided slice of the padded plane."""
    return (slice(None), slice(None), slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def im2col(xp: np.ndarray, kh: int, kw: int, sh: int, sw: int, dh: int, dw: int, ho: int, wo: int) -> np.ndarray:
    """cols[c, i, j, n, oh, ow] = xp[n, c, oh sh + i dh, ow sw + j dw], C-contiguous."""
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, (c, kh, kw, n, ho, wo), (s1, s2 * dh, s3 * dw, s0, s2 * sh, s3 * sw), writeable=False)
    return np.ascontiguousarray(view)


def col2im(cols: np.ndarray, shape: tuple, sh: int, sw: int, dh: int, dw: int) -> np.ndarray:
    """The adjoint of ``im2col``: out[n, c, oh sh + i dh, ow sw + j dw] += cols[c, i, j, n, oh, ow].

    ``cols`` may be any strided view of shape (C, kh, kw, N, Ho, Wo); the taps are added in (i, j) order.
    """
    _, kh, kw, _, ho, wo = cols.shape
    out = np.zeros(shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[_window_slices(i, j, sh, sw, dh, dw, ho, wo)] += cols[:, i, j].transpose(1, 0, 2, 3)
    return out


def _zero_padded(x: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int,
                 ho: int, wo: int) -> np.ndarray:
    """x in a zero frame: ``ph``/``pw`` cells before, and after as many as the windows reach."""
    n, c, h, w = x.shape
    need_h = (ho - 1) * sh + dh * (kh - 1) + 1
    need_w = (wo - 1) * sw + dw * (kw - 1) + 1
    xp = np.zeros((n, c, max(need_h, h + ph), max(need_w, w + pw)), dtype=x.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def unfold_into(x: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int,
                out: np.ndarray, batch_inner: bool = False) -> np.ndarray:
    """out[n, c, i, j, oh, ow] = x[n, c, oh sh - ph + i dh, ow sw - pw + j dw] (0 outside x); returns ``out``.

    ``batch_inner``: ``out`` is laid out (C, kh, kw, N, Ho, Wo) instead (out[c, i, j, n, oh, ow]),
    the (C kh kw, N Ho Wo) matrix of one product for all N samples.
    """
    n, c = x.shape[:2]
    ho, wo = out.shape[4:]
    xp = _zero_padded(x, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)
    s0, s1, s2, s3 = xp.strides
    view = as_strided(xp, (n, c, kh, kw, ho, wo), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False)
    np.copyto(out, view.transpose(1, 2, 3, 0, 4, 5) if batch_inner else view)
    return out


def fold_into(cols: np.ndarray, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int, out: np.ndarray) -> np.ndarray:
    """The adjoint of ``unfold_into``: out[n, c, oh sh - ph + i dh, ow sw - pw + j dw] = the sum of
    cols[n, c, i, j, oh, ow] over every (i, j, oh, ow) reading that cell, added in (i, j) order; returns ``out``.
    """
    n, c, kh, kw, ho, wo = cols.shape
    h, w = out.shape[2:]
    need_h = (ho - 1) * sh + dh * (kh - 1) + 1
    need_w = (wo - 1) * sw + dw * (kw - 1) + 1
    gp = np.zeros((n, c, max(need_h, h + ph), max(need_w, w + pw)), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            gp[_window_slices(i, j, sh, sw, dh, dw, ho, wo)] += cols[:, :, i, j]
    out[...] = gp[:, :, ph:ph + h, pw:pw + w]
    return out


def _first_valid(start: np.ndarray, d: int) -> np.ndarray:
    """The first tap position at or after ``start`` that is inside the input (start + k d >= 0)."""
    return np.where(start < 0, start + (-start + d - 1) // d * d, start)


def max_pool2d(x: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int,
               ho: int, wo: int) -> tuple[np.ndarray, np.ndarray]:
    """(max over each window, flat index h W + w of the max in its plane); padding is -inf, NaN wins.

    As torch: the taps are scanned row by row and a tap replaces the running
    max when it is larger or NaN, starting from the first tap inside the input.
    """
    n, c, h, w = x.shape
    need_h = (ho - 1) * sh + dh * (kh - 1) + 1
    need_w = (wo - 1) * sw + dw * (kw - 1) + 1
    xp = np.full((n, c, max(need_h, h + ph), max(need_w, w + pw)), -np.inf, dtype=x.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    hs = _first_valid(np.arange(ho) * sh - ph, dh)
    ws = _first_valid(np.arange(wo) * sw - pw, dw)
    best = np.full((n, c, ho, wo), -np.inf, dtype=x.dtype)
    idx = np.broadcast_to((hs[:, None] * w + ws[None, :]).astype(np.int64), (n, c, ho, wo)).copy()
    rows = np.arange(ho)[:, None] * sh - ph
    cols = np.arange(wo)[None, :] * sw - pw
    for i in range(kh):
        for j in range(kw):
            v = xp[_window_slices(i, j, sh, sw, dh, dw, ho, wo)]
            take = (v > best) | np.isnan(v)
            best = np.where(take, v, best)
            idx = np.where(take, (rows + i * dh) * w + (cols + j * dw), idx)
    return best, idx


def max_pool2d_backward(g: np.ndarray, idx: np.ndarray, shape: tuple, window: tuple | None = None) -> np.ndarray:
    """dL/dx: each output's gradient added to the input cell its max came from.

    ``window`` (kh, kw, sh, sw, ph, pw, dh, dw), when the caller knows it, lets a kernel pick a faster
    path for windows that tile the input; the numbers do not depend on it.
    """
    n, c, h, w = shape
    planes = n * c
    offsets = (np.arange(planes, dtype=np.int64) * (h * w))[:, None]
    flat = (idx.reshape(planes, -1) + offsets).ravel()
    out = np.bincount(flat, weights=g.reshape(-1).astype(np.float64, copy=False), minlength=planes * h * w)
    return out.astype(g.dtype, copy=False).reshape(shape)


def avg_pool_divisor(h: int, w: int, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, ho: int, wo: int,
                     count_include_pad: bool, divisor_override: int | None) -> np.ndarray:
    """The (Ho, Wo) divisors of average pooling, as torch counts them."""
    if divisor_override:
        return np.full((ho, wo), float(divisor_override))

    def extent(start: np.ndarray, k: int, size: int, p: int) -> tuple[np.ndarray, np.ndarray]:
        end = np.minimum(start + k, size + p)
        padded = end - start
        return padded, np.minimum(end, size) - np.maximum(start, 0)

    ph_n, h_n = extent(np.arange(ho) * sh - ph, kh, h, ph)
    pw_n, w_n = extent(np.arange(wo) * sw - pw, kw, w, pw)
    if count_include_pad:
        return (ph_n[:, None] * pw_n[None, :]).astype(np.float64)
    return (h_n[:, None] * w_n[None, :]).astype(np.float64)


def avg_pool2d(x: np.ndarray, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, ho: int, wo: int,
               divisor: np.ndarray) -> np.ndarray:
    """Sum over each window (padding 0), divided by ``divisor`` (Ho, Wo)."""
    n, c, h, w = x.shape
    need_h = (ho - 1) * sh + kh
    need_w = (wo - 1) * sw + kw
    xp = np.zeros((n, c, max(need_h, h + ph), max(need_w, w + pw)), dtype=x.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    out = np.zeros((n, c, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out += xp[_window_slices(i, j, sh, sw, 1, 1, ho, wo)]
    out /= divisor.astype(x.dtype)
    return out


def avg_pool2d_backward(g: np.ndarray, shape: tuple, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int,
                        divisor: np.ndarray) -> np.ndarray:
    """dL/dx: each output's gradient over its divisor, added to every cell of its window."""
    n, c, h, w = shape
    ho, wo = g.shape[2:]
    gd = g / divisor.astype(g.dtype)
    need_h = (ho - 1) * sh + kh
    need_w = (wo - 1) * sw + kw
    gp = np.zeros((n, c, max(need_h, h + ph), max(need_w, w + pw)), dtype=g.dtype)
    for i in range(kh):
        for j in range(kw):
            gp[_window_slices(i, j, sh, sw, 1, 1, ho, wo)] += gd
    return np.ascontiguousarray(gp[:, :, ph:ph + h, pw:pw + w])


KERNELS: dict[str, Any] = {
    "im2col": im2col,
    "col2im": col2im,
    "unfold_into": unfold_into,
    "fold_into": fold_into,
    "max_pool2d": max_pool2d,
    "max_pool2d_backward": max_pool2d_backward,
    "avg_pool2d": avg_pool2d,
    "avg_pool2d_backward": avg_pool2d_backward,
}
