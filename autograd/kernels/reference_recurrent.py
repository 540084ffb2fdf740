"""The numpy reference kernels of the norm and recurrent ops (merged into ``reference.KERNELS``).

Batch norm: per-channel statistics of x viewed as (N, C, L), the normalising
pass, and its backward. LSTM and GRU: the gate epilogues, the elementwise
math after the two matmuls ``x W_ih^T + b_ih`` and ``h W_hh^T + b_hh``,
forward and backward. The Numba twins in ``numba_recurrent`` compute the
same numbers. Backward kernels are written with operators and ``dual``
helpers, so they also run on Tensors (``create_graph=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dual as G
from .reference import sigmoid as _sigmoid

_AXES = (0, 2)


def _cat(parts: list, axis: int) -> Any:
    return G.concatenate(parts, axis)


def _sig(x: Any) -> Any:
    return x.sigmoid() if G.is_tensor(x) else _sigmoid(x)


# ------------------------------------------------------------------ batch norm


def batch_norm_stats(x3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and biased variance of x of shape (N, C, L): mean over n and l, then mean (x - mean)**2."""
    mean = x3.mean(axis=_AXES)
    xc = x3 - mean[:, None]
    return mean, (xc * xc).mean(axis=_AXES)


def batch_norm_apply(x3: np.ndarray, mean: np.ndarray, invstd: np.ndarray, weight: np.ndarray | None,
                     bias: np.ndarray | None) -> np.ndarray:
    """y = (x - mean) invstd weight + bias, per channel of x of shape (N, C, L)."""
    scale = invstd if weight is None else invstd * weight
    y = (x3 - mean[:, None]) * scale[:, None]
    if bias is not None:
        y += bias[:, None]
    return y


def batch_norm_backward(g3: Any, x3: Any, mean: Any, invstd: Any, weight: Any, training: bool,
                        needs: tuple) -> tuple:
    """(dL/dx, dL/dweight, dL/dbias) of y = xhat w + b, xhat = (x - mean) invstd, over x of shape (N, C, L).

    With the batch's own statistics (training): dx = invstd (gw - mean(gw) - xhat mean(gw xhat)), gw = g w,
    the means over n and l; with fixed statistics: dx = g w invstd. dw = sum(g xhat), db = sum(g).
    """
    nx, nw, nb = needs
    m = mean.reshape((1, -1, 1))
    s = invstd.reshape((1, -1, 1))
    xhat = (x3 - m) * s
    gw = g3 if weight is None else g3 * weight.reshape((1, -1, 1))
    dx = dw = db = None
    if nx:
        if training:
            dx = (gw - gw.mean(axis=_AXES, keepdims=True) - xhat * (gw * xhat).mean(axis=_AXES, keepdims=True)) * s
        else:
            dx = gw * s
    if nw:
        dw = (g3 * xhat).sum(axis=_AXES)
    if nb:
        db = g3.sum(axis=_AXES)
    return dx, dw, db


# ------------------------------------------------------------------------ LSTM


def lstm_cell(gates: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From the pre-activations (B, 4H) in torch's order i, f, g, o and the cell state c (B, H):
    c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c').

    Returns (hc', act, tanh(c')): hc' of shape (2, B, H) holds h' and c', act the activated gates (B, 4H).
    """
    H = c.shape[1]
    act = np.empty_like(gates)
    act[:, : 2 * H] = _sigmoid(gates[:, : 2 * H])
    act[:, 2 * H : 3 * H] = np.tanh(gates[:, 2 * H : 3 * H])
    act[:, 3 * H :] = _sigmoid(gates[:, 3 * H :])
    i, f, g, o = act[:, :H], act[:, H : 2 * H], act[:, 2 * H : 3 * H], act[:, 3 * H :]
    hc = np.empty((2,) + c.shape, dtype=gates.dtype)
    np.multiply(f, c, out=hc[1])
    hc[1] += i * g
    tc = np.tanh(hc[1])
    np.multiply(o, tc, out=hc[0])
    return hc, act, tc


def lstm_cell_backward(dh: Any, dc: Any, act: Any, c: Any, tc: Any) -> tuple:
    """(dL/dgates (B, 4H), dL/dc) from dL/dh', dL/dc' and what ``lstm_cell`` saved.

    dc' total = dc' + dh' o (1 - tanh(c')**2); di = dc' g, df = dc' c, dg = dc' i, do = dh' tanh(c'),
    each times its activation's derivative; dL/dc = dc' f.
    """
    H = c.shape[1]
    i, f, g, o = act[:, :H], act[:, H : 2 * H], act[:, 2 * H : 3 * H], act[:, 3 * H :]
    dct = dc + dh * o * (1 - tc * tc)
    di = dct * g * i * (1 - i)
    df = dct * c * f * (1 - f)
    dg = dct * i * (1 - g * g)
    do = dh * tc * o * (1 - o)
    return _cat([di, df, dg, do], 1), dct * f


def lstm_cell_act(gates: Any, c: Any) -> tuple:
    """act and tanh(c') of ``lstm_cell`` as graph ops on Tensors (what a create_graph backward recomputes)."""
    H = c.shape[1]
    act = _cat([_sig(gates[:, : 2 * H]), G.tanh(gates[:, 2 * H : 3 * H]), _sig(gates[:, 3 * H :])], 1)
    c2 = act[:, H : 2 * H] * c + act[:, :H] * act[:, 2 * H : 3 * H]
    return act, G.tanh(c2)


# ------------------------------------------------------------------------- GRU


def gru_cell(gi: np.ndarray, gh: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch's GRU from gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh (both (B, 3H), order r, z, n):
    r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r gh_n), h' = (1 - z) n + z h.

    Returns (h', rzn) with rzn = [r, z, n] of shape (B, 3H).
    """
    H = h.shape[1]
    rzn = np.empty_like(gi)
    rzn[:, : 2 * H] = _sigmoid(gi[:, : 2 * H] + gh[:, : 2 * H])
    r, z = rzn[:, :H], rzn[:, H : 2 * H]
    rzn[:, 2 * H :] = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
    n = rzn[:, 2 * H :]
    return n + z * (h - n), rzn


def gru_cell_backward(dh2: Any, rzn: Any, gh: Any, h: Any) -> tuple:
    """(dL/dgi, dL/dgh, the direct part of dL/dh) of ``gru_cell``, from dL/dh' and r, z, n, gh, h.

    dn = dh' (1 - z) (1 - n**2) (into gi_n, and times r into gh_n), dr = dn gh_n r (1 - r),
    dz = dh' (h - n) z (1 - z), direct dh = dh' z.
    """
    H = h.shape[1]
    r, z, n = rzn[:, :H], rzn[:, H : 2 * H], rzn[:, 2 * H :]
    ghn = gh[:, 2 * H :]
    dn = dh2 * (1 - z) * (1 - n * n)
    dr = dn * ghn * r * (1 - r)
    dz = dh2 * (h - n) * z * (1 - z)
    return _cat([dr, dz, dn], 1), _cat([dr, dz, dn * r], 1), dh2 * z


def gru_cell_act(gi: Any, gh: Any) -> Any:
    """rzn of ``gru_cell`` as graph ops on Tensors (what a create_graph backward recomputes)."""
    H = gi.shape[1] // 3
    rz = _sig(gi[:, : 2 * H] + gh[:, : 2 * H])
    n = G.tanh(gi[:, 2 * H :] + rz[:, :H] * gh[:, 2 * H :])
    return _cat([rz, n], 1)


KERNELS = {
    name: obj
    for name, obj in dict(globals()).items()
    if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", None) == __name__
    and name not in ("lstm_cell_act", "gru_cell_act")
}
