"""Numba-backed entries of the backend table for convolution and pooling (laid over ``conv_reference``).

As in ``numba_backend``: each wrapper runs the compiled kernel on plain
float32/float64 ndarrays and hands anything else to the numpy reference (same
name, same numbers). The threaded twin runs from ``PARALLEL_SIZE`` elements
on, when ``numba_backend.parallel_allowed()`` and not inside a part of a batch
split over Python threads (``threads.serial_only()``: each thread runs the serial
twin there). ``im2col`` stays numpy's (one strided copy, already at memory speed,
used by the transposed convolution's
backward); ``unfold_into`` (the convolution's columns, a chunk of samples at a
time) is Numba's: it reads the unpadded input and writes the zeros itself, so
no padded copy is made; the matrix products are BLAS's. Every pooling case runs
a Numba kernel (bench/conv.py's kernel table: each at least ~2x the numpy path
at 1e6 elements, one thread).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import conv_reference as R
from . import jit_conv as C
from .threads import serial_only

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
PARALLEL_SIZE = 500_000


def _plain(*arrays: Any) -> bool:
    first = arrays[0]
    return all(type(a) is np.ndarray and a.dtype == first.dtype for a in arrays) and first.dtype in _FLOATS


def _pick(kernel: Any, n: int, name: str) -> Callable:
    from . import numba_backend as NB

    hi = NB.THRESHOLDS.get(name, (0, PARALLEL_SIZE))[1]
    return kernel.parallel if n >= hi and NB.parallel_allowed() and not serial_only() else kernel.serial


def col2im(cols: Any, shape: tuple, sh: int, sw: int, dh: int, dw: int) -> Any:
    """im2col's adjoint in one pass per plane (any strides in ``cols``)."""
    if not _plain(cols):
        return R.col2im(cols, shape, sh, sw, dh, dw)
    out = np.zeros(shape, dtype=cols.dtype)
    _pick(C.col2im, cols.size, "col2im")(cols, sh, sw, dh, dw, out)
    return out


def unfold_into(x: Any, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int, out: Any,
                batch_inner: bool = False) -> Any:
    """The columns of ``x`` written into ``out`` in one pass, the padding as zeros (layouts: conv_reference)."""
    if not (_plain(x, out) and x.flags.c_contiguous and out.flags.c_contiguous):
        return R.unfold_into(x, kh, kw, sh, sw, ph, pw, dh, dw, out, batch_inner)
    _pick(C.unfold_into, out.size, "unfold_into")(x, kh, kw, sh, sw, ph, pw, dh, dw, out, bool(batch_inner))
    return out


def fold_into(cols: Any, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int, out: Any) -> Any:
    """``unfold_into``'s adjoint into ``out`` in one pass per plane (any strides in ``cols``)."""
    if not (_plain(cols, out) and out.flags.c_contiguous):
        return R.fold_into(cols, sh, sw, ph, pw, dh, dw, out)
    _pick(C.fold_into, cols.size, "fold_into")(cols, sh, sw, ph, pw, dh, dw, out)
    return out


def max_pool2d(x: Any, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, dh: int, dw: int,
               ho: int, wo: int) -> Any:
    """Window max and its index in one pass, without copying the windows."""
    if not _plain(x):
        return R.max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo)
    n, c = x.shape[:2]
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    idx = np.empty((n, c, ho, wo), dtype=np.int64)
    if _is_2x2(x.shape, kh, kw, sh, sw, ph, pw, ho, wo) and dh == dw == 1:
        _pick(C.max_pool2x2, x.size, "max_pool2d")(x, out, idx)
    else:
        _pick(C.max_pool2d, x.size, "max_pool2d")(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx)
    return out, idx


def _is_2x2(shape: tuple, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, ho: int, wo: int) -> bool:
    """2x2 windows at stride 2, no padding, every window inside: the case with a kernel written out."""
    return kh == kw == sh == sw == 2 and ph == pw == 0 and 2 * ho <= shape[2] and 2 * wo <= shape[3]


def max_pool2d_backward(g: Any, idx: Any, shape: tuple, window: tuple | None = None) -> Any:
    """Each output's gradient added at its max's index, each plane zeroed in cache first; for 2x2
    windows at stride 2 that tile the input (``window`` = (kh, kw, sh, sw, ph, pw, dh, dw), when the
    caller knows it) every cell is written once instead."""
    if not _plain(g) or type(idx) is not np.ndarray or idx.dtype != np.int64:
        return R.max_pool2d_backward(g, idx, shape, window)
    n, c, h, w = shape
    if window == (2, 2, 2, 2, 0, 0, 1, 1) and g.shape == (n, c, h // 2, w // 2) and h % 2 == 0 and w % 2 == 0:
        out = np.empty(shape, dtype=g.dtype)
        _pick(C.max_pool2x2_backward, g.size, "max_pool2d_backward")(g, idx.reshape(g.shape), out)
        return out
    out = np.empty((n, c, h * w), dtype=g.dtype)
    _pick(C.max_pool2d_backward, g.size, "max_pool2d_backward")(g, idx, out)
    return out.reshape(shape)


def avg_pool2d(x: Any, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int, ho: int, wo: int,
               divisor: np.ndarray) -> Any:
    """Window sums over the divisor in one pass."""
    if not _plain(x):
        return R.avg_pool2d(x, kh, kw, sh, sw, ph, pw, ho, wo, divisor)
    x = np.ascontiguousarray(x)
    n, c = x.shape[:2]
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    div = np.ascontiguousarray(divisor, np.float64)
    if _is_2x2(x.shape, kh, kw, sh, sw, ph, pw, ho, wo):
        _pick(C.avg_pool2x2, x.size, "avg_pool2d")(x, div, out)
    else:
        _pick(C.avg_pool2d, x.size, "avg_pool2d")(x, kh, kw, sh, sw, ph, pw, div, out)
    return out


def avg_pool2d_backward(g: Any, shape: tuple, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int,
                        divisor: np.ndarray) -> Any:
    """Each output's gradient over its divisor, spread over its window, in one pass."""
    if not _plain(g):
        return R.avg_pool2d_backward(g, shape, kh, kw, sh, sw, ph, pw, divisor)
    div = np.ascontiguousarray(divisor, np.float64)
    if _is_2x2(shape, kh, kw, sh, sw, ph, pw, g.shape[2], g.shape[3]):
        tiled = 2 * g.shape[2] == shape[2] and 2 * g.shape[3] == shape[3]
        out = (np.empty if tiled else np.zeros)(shape, dtype=g.dtype)  # cells past the last window stay 0
        _pick(C.avg_pool2x2_backward, out.size, "avg_pool2d_backward")(g, div, out)
    else:
        out = np.empty(shape, dtype=g.dtype)  # the kernel writes every cell
        _pick(C.avg_pool2d_backward, out.size, "avg_pool2d_backward")(g, kh, kw, sh, sw, ph, pw, div, out)
    return out


KERNELS: dict[str, Callable] = {
    "col2im": col2im,
    "unfold_into": unfold_into,
    "fold_into": fold_into,
    "max_pool2d": max_pool2d,
    "max_pool2d_backward": max_pool2d_backward,
    "avg_pool2d": avg_pool2d,
    "avg_pool2d_backward": avg_pool2d_backward,
}


def warmup_calls(dt: np.dtype) -> list:
    """(kernel, arguments) pairs on tiny arrays, with the argument types the wrappers pass."""
    x = np.linspace(0.1, 1, 16, dtype=dt).reshape(1, 1, 4, 4)
    cols = np.ones((1, 2, 2, 1, 3, 3), dt)
    div = np.ones((2, 2))
    g = np.ones((1, 1, 2, 2), dt)
    idx = np.zeros((1, 1, 2, 2), np.int64)
    return [
        (C.col2im, (cols, 1, 1, 1, 1, np.zeros((1, 1, 4, 4), dt))),
        (C.col2im, (cols.transpose(1, 0, 2, 3, 4, 5).copy().transpose(1, 0, 2, 3, 4, 5), 1, 1, 1, 1,
                    np.zeros((1, 1, 4, 4), dt))),
        (C.unfold_into, (x, 2, 2, 1, 1, 1, 1, 1, 1, np.empty((1, 1, 2, 2, 5, 5), dt), False)),
        (C.fold_into, (np.ones((1, 1, 2, 2, 5, 5), dt), 1, 1, 1, 1, 1, 1, np.empty((1, 1, 4, 4), dt))),
        (C.max_pool2d, (x, 2, 2, 2, 2, 0, 0, 1, 1, np.empty((1, 1, 2, 2), dt), idx.copy())),
        (C.max_pool2d_backward, (g, idx, np.zeros((1, 1, 16), dt))),
        (C.avg_pool2d, (x, 2, 2, 2, 2, 0, 0, div, np.empty((1, 1, 2, 2), dt))),
        (C.avg_pool2d_backward, (g, 2, 2, 2, 2, 0, 0, div, np.zeros((1, 1, 4, 4), dt))),
        (C.max_pool2x2, (x, np.empty((1, 1, 2, 2), dt), idx.copy())),
        (C.max_pool2x2_backward, (g, idx, np.empty((1, 1, 4, 4), dt))),
        (C.avg_pool2x2, (x, div, np.empty((1, 1, 2, 2), dt))),
        (C.avg_pool2x2_backward, (g, div, np.zeros((1, 1, 4, 4), dt))),
    ]
