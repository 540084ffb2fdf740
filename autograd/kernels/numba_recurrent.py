"""Numba wrappers of the norm and recurrent kernels, merged into ``numba_backend.KERNELS``.

Same names and arguments as ``reference_recurrent``; each hands the work to
the numpy reference when an argument is not a plain C-contiguous float32/
float64 ndarray of one dtype (a Tensor under ``create_graph=True``, a view),
so both backends give the same numbers. The kernels run serially (the
arrays of a cell step are small; the statistics loop is memory-bound).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import jit_recurrent as J
from . import reference_recurrent as R

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _ok(dt: Any, *arrays: Any) -> bool:
    """Every array a C-contiguous ndarray of the float dtype ``dt`` (None entries skipped)."""
    if dt not in _FLOATS:
        return False
    for a in arrays:
        if a is not None and (type(a) is not np.ndarray or a.dtype != dt or not a.flags.c_contiguous):
            return False
    return True


def _dtype(a: Any) -> Any:
    return a.dtype if type(a) is np.ndarray else None


def _or_absent(a: Any, dt: Any) -> np.ndarray:
    return a if a is not None else np.zeros(1, dt)


def batch_norm_stats(x3: Any) -> tuple:
    """Per-channel mean and biased variance of x (N, C, L) in two Numba passes."""
    dt = _dtype(x3)
    if not _ok(dt, x3) or x3.ndim != 3 or x3.size == 0:
        return R.batch_norm_stats(x3)
    c = x3.shape[1]
    mean, var = np.empty(c, dt), np.empty(c, dt)
    J.bn_stats(x3, mean, var)
    return mean, var


def batch_norm_apply(x3: Any, mean: Any, invstd: Any, weight: Any, bias: Any) -> Any:
    """(x - mean) invstd w + b per channel, one Numba pass."""
    dt = _dtype(x3)
    if not _ok(dt, x3, mean, invstd, weight, bias) or x3.ndim != 3:
        return R.batch_norm_apply(x3, mean, invstd, weight, bias)
    out = np.empty(x3.shape, dt)
    J.bn_apply(x3, mean, invstd, _or_absent(weight, dt), _or_absent(bias, dt), weight is not None,
               bias is not None, out)
    return out


def batch_norm_backward(g3: Any, x3: Any, mean: Any, invstd: Any, weight: Any, training: bool,
                        needs: tuple) -> tuple:
    """(dx, dw, db) of batch norm: the per-channel sums and dx in two Numba passes."""
    dt = _dtype(g3)
    if not _ok(dt, g3, x3, mean, invstd, weight) or g3.ndim != 3 or g3.shape != x3.shape:
        return R.batch_norm_backward(g3, x3, mean, invstd, weight, training, needs)
    c = x3.shape[1]
    dx = np.empty(x3.shape, dt)
    dw, db = np.empty(c, dt), np.empty(c, dt)
    J.bn_backward(g3, x3, mean, invstd, _or_absent(weight, dt), weight is not None, bool(training), dx, dw, db)
    nx, nw, nb = needs
    return (dx if nx else None), (dw if nw else None), (db if nb else None)


def lstm_cell(gates: Any, c: Any) -> tuple:
    """LSTM gate epilogue in one Numba pass: (hc', act, tanh(c')); act is ``gates``, activated in place."""
    dt = _dtype(gates)
    if not _ok(dt, gates, c) or gates.ndim != 2 or c.ndim != 2 or gates.shape != (c.shape[0], 4 * c.shape[1]):
        return R.lstm_cell(gates, c)
    hc = np.empty((2,) + c.shape, dt)
    tc = np.empty(c.shape, dt)
    J.lstm_cell(gates, c, hc, tc)
    return hc, gates, tc


def lstm_cell_backward(dh: Any, dc: Any, act: Any, c: Any, tc: Any) -> tuple:
    """(dL/dgates, dL/dc) of the LSTM epilogue in one Numba pass."""
    dt = _dtype(dh)
    if not _ok(dt, dh, dc, act, c, tc) or not (dh.shape == dc.shape == c.shape == tc.shape) or act.ndim != 2:
        return R.lstm_cell_backward(dh, dc, act, c, tc)
    dgates = np.empty(act.shape, dt)
    dcp = np.empty(c.shape, dt)
    J.lstm_cell_backward(dh, dc, act, c, tc, dgates, dcp)
    return dgates, dcp


def gru_cell(gi: Any, gh: Any, h: Any) -> tuple:
    """GRU gate epilogue in one Numba pass: (h', rzn)."""
    dt = _dtype(gi)
    if not _ok(dt, gi, gh, h) or gi.ndim != 2 or gi.shape != gh.shape or gi.shape != (h.shape[0], 3 * h.shape[1]):
        return R.gru_cell(gi, gh, h)
    out = np.empty(h.shape, dt)
    rzn = np.empty(gi.shape, dt)
    J.gru_cell(gi, gh, h, out, rzn)
    return out, rzn


def gru_cell_backward(dh2: Any, rzn: Any, gh: Any, h: Any) -> tuple:
    """(dL/dgi, dL/dgh, direct dL/dh) of the GRU epilogue in one Numba pass."""
    dt = _dtype(dh2)
    if not _ok(dt, dh2, rzn, gh, h) or dh2.shape != h.shape or rzn.shape != gh.shape:
        return R.gru_cell_backward(dh2, rzn, gh, h)
    dgi = np.empty(rzn.shape, dt)
    dgh = np.empty(rzn.shape, dt)
    dh = np.empty(h.shape, dt)
    J.gru_cell_backward(dh2, rzn, gh, h, dgi, dgh, dh)
    return dgi, dgh, dh


KERNELS: dict[str, Callable] = {name: globals()[name] for name in R.KERNELS}


def warmup_calls(dt: np.dtype) -> list:
    """(kernel, arguments) pairs with the types the wrappers pass, on tiny arrays of dtype ``dt``."""
    x3 = np.linspace(0.1, 1, 8, dtype=dt).reshape(2, 2, 2)
    v = np.ones(2, dt)
    g4 = np.linspace(-1, 1, 8, dtype=dt).reshape(1, 8)
    g3 = np.linspace(-1, 1, 6, dtype=dt).reshape(1, 6)
    c = np.ones((1, 2), dt)
    return [
        (J.bn_stats, (x3, v.copy(), v.copy())),
        (J.bn_apply, (x3, v, v, v, v, True, True, np.empty_like(x3))),
        (J.bn_backward, (x3, x3, v, v, v, True, True, np.empty_like(x3), v.copy(), v.copy())),
        (J.lstm_cell, (g4.copy(), c, np.empty((2, 1, 2), dt), c.copy())),
        (J.lstm_cell_backward, (c, c, g4, c, c, g4.copy(), c.copy())),
        (J.gru_cell, (g3, g3, c, c.copy(), g3.copy())),
        (J.gru_cell_backward, (c, g3, g3, c, g3.copy(), g3.copy(), c.copy())),
    ]
