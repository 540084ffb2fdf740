"""Recurrent cell steps: one RNN, LSTM or GRU step is one graph node, its derivative beside it.

Each cell computes the two products ``x W_ih^T + b_ih`` and ``h W_hh^T + b_hh``
(BLAS), then its gate epilogue in one kernel (``K.lstm_cell``, ``K.gru_cell``;
Numba or the numpy reference), and back again: the epilogue's backward
gives the gates' gradient dG, then dx = dG W_ih, dh = dG W_hh (plus the
direct path), dW_ih = dG^T x, dW_hh = dG^T h, db = sum of dG over the batch.
An LSTM's state (h, c) travels as one array of shape (2, B, H), so a cell has
one output. Under ``create_graph=True`` the gates are recomputed as graph ops,
so second derivatives are exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function
from ..kernels.reference_recurrent import gru_cell_act, lstm_cell_act

NONLINEARITIES = ("tanh", "relu")


def _pre(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
    """x W_ih^T + h W_hh^T + b_ih + b_hh (arrays: in place into the first product; Tensors: graph ops)."""
    z = x @ w_ih.swapaxes(0, 1)
    if isinstance(z, np.ndarray):
        z += h @ w_hh.T
        if b_ih is not None:
            z += b_ih
        if b_hh is not None:
            z += b_hh
        return z
    z = z + h @ w_hh.swapaxes(0, 1)
    if b_ih is not None:
        z = z + b_ih
    if b_hh is not None:
        z = z + b_hh
    return z


def _needs(ctx: Context) -> tuple:
    n = ctx.needs_input_grad
    return tuple(n) + (False,) * (6 - len(n))


def _label(op: str, x: np.ndarray, h: np.ndarray) -> str:
    return f"{op} x{tuple(int(n) for n in x.shape)} h{tuple(int(n) for n in h.shape)}"


def _param_grads(dz: Any, x: Any, h: Any, needs: tuple) -> tuple:
    """dL/dW_ih = dz^T x, dL/dW_hh = dz^T h, dL/db_ih = dL/db_hh = sum of dz over the batch."""
    dzt = dz.swapaxes(0, 1)
    dwi = dzt @ x if needs[2] else None
    dwh = dzt @ h if needs[3] else None
    dbi = dz.sum(axis=0) if needs[4] else None
    dbh = (dz.sum(axis=0) if dbi is None else (dbi.copy() if isinstance(dbi, np.ndarray) else dbi)) \
        if needs[5] else None
    return dwi, dwh, dbi, dbh


class RNNCell(Function):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu; dz = g act'(z) from the output."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, h: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray,
                b_ih: np.ndarray | None = None, b_hh: np.ndarray | None = None,
                nonlinearity: str = "tanh") -> np.ndarray:
        z = _pre(x, h, w_ih, w_hh, b_ih, b_hh)
        out = K.tanh(z) if nonlinearity == "tanh" else K.relu(z)
        ctx.save_for_backward(x, h, w_ih, w_hh, out)
        ctx.nonlinearity = nonlinearity
        ctx.label = _label(f"RNNCell({nonlinearity})", x, h)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, h, w_ih, w_hh, out = ctx.saved_tensors
        needs = _needs(ctx)
        dz = K.tanh_backward(g, out) if ctx.nonlinearity == "tanh" else K.relu_backward(g, out)
        dx = dz @ w_ih if needs[0] else None
        dh = dz @ w_hh if needs[1] else None
        return (dx, dh) + _param_grads(dz, x, h, needs)


class LSTMCell(Function):
    """(h', c') from x and the state hc = (h, c) stacked as (2, B, H); gates i, f, g, o in torch's order.

    c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c'); the output is (h', c') stacked.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, hc: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray,
                b_ih: np.ndarray | None = None, b_hh: np.ndarray | None = None) -> np.ndarray:
        gates = _pre(x, hc[0], w_ih, w_hh, b_ih, b_hh)
        out, act, tc = K.lstm_cell(gates, np.ascontiguousarray(hc[1]))
        ctx.save_for_backward(x, hc, w_ih, w_hh, b_ih, b_hh)
        ctx.act, ctx.tc = act, tc
        ctx.label = _label("LSTMCell", x, hc[0])
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, hc, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        needs = _needs(ctx)
        h, c = hc[0], hc[1]
        if isinstance(g, G.Tensor):  # create_graph: the gates as graph ops of the inputs
            act, tc = lstm_cell_act(_pre(x, h, w_ih, w_hh, b_ih, b_hh), c)
        else:
            act, tc = ctx.act, ctx.tc
        dgates, dc = K.lstm_cell_backward(g[0], g[1], act, c, tc)
        dx = dgates @ w_ih if needs[0] else None
        dhc = None
        if needs[1]:
            dh = dgates @ w_hh
            if isinstance(dh, np.ndarray):
                dhc = np.empty((2,) + dh.shape, dtype=dh.dtype)
                dhc[0] = dh
                dhc[1] = dc
            else:
                from ..tensor import stack

                dhc = stack([dh, dc], axis=0)
        return (dx, dhc) + _param_grads(dgates, x, h, needs)


class GRUCell(Function):
    """torch's GRU step: r, z = sigmoid(gi_rz + gh_rz), n = tanh(gi_n + r gh_n), h' = (1 - z) n + z h."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, h: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray,
                b_ih: np.ndarray | None = None, b_hh: np.ndarray | None = None) -> np.ndarray:
        gi = x @ w_ih.T
        if b_ih is not None:
            gi += b_ih
        gh = h @ w_hh.T
        if b_hh is not None:
            gh += b_hh
        out, rzn = K.gru_cell(gi, gh, h)
        ctx.save_for_backward(x, h, w_ih, w_hh, b_ih, b_hh)
        ctx.rzn, ctx.gh = rzn, gh
        ctx.label = _label("GRUCell", x, h)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, h, w_ih, w_hh, b_ih, b_hh = ctx.saved_tensors
        needs = _needs(ctx)
        if isinstance(g, G.Tensor):  # create_graph: the gates as graph ops of the inputs
            gi = x @ w_ih.swapaxes(0, 1)
            gh = h @ w_hh.swapaxes(0, 1)
            gi = gi + b_ih if b_ih is not None else gi
            gh = gh + b_hh if b_hh is not None else gh
            rzn = gru_cell_act(gi, gh)
        else:
            rzn, gh = ctx.rzn, ctx.gh
        dgi, dgh, dh = K.gru_cell_backward(g, rzn, gh, h)
        dx = dgi @ w_ih if needs[0] else None
        if needs[1]:
            dh = dh + dgh @ w_hh
        else:
            dh = None
        dwi = dgi.swapaxes(0, 1) @ x if needs[2] else None
        dwh = dgh.swapaxes(0, 1) @ h if needs[3] else None
        dbi = dgi.sum(axis=0) if needs[4] else None
        dbh = dgh.sum(axis=0) if needs[5] else None
        return dx, dh, dwi, dwh, dbi, dbh


__all__ = ["RNNCell", "LSTMCell", "GRUCell", "NONLINEARITIES"]
