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



def _stack_hc(dh: Any, dc: Any) -> Any:
    """The LSTM state's gradient, (dh, dc) as one (2, B, H) array (a recorded stack under create_graph)."""
    if isinstance(dh, np.ndarray):
        dhc = np.empty((2,) + dh.shape, dtype=dh.dtype)
        dhc[0] = dh
        dhc[1] = dc
        return dhc
    from ..tensor import stack

    return stack([dh, dc], axis=0)

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
        dhc = _stack_hc(dgates @ w_hh, dc) if needs[1] else None
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


# ------------------------------------------------------- a layer's time steps
#
# A layer (nn.RNN/LSTM/GRU) first projects its whole input sequence at once,
# P = X W_ih^T + b_ih (one op, ``SequenceInput``: one large product instead of
# one small one per step), then runs one step op per time step on P[t] and the
# state. Backward: each step hands its gate gradient dP[t] to the projection
# through a shared ``StepLink`` instead of returning a full-sequence array
# (which would cost O(T) per step); the projection runs after every step (it
# is their common parent, made before them) and turns all of dP into dX, dW_ih
# and db_ih with one product each. So that the projection runs at all, the
# first step of a backward pass to report returns a zero gradient for P (a
# broadcast view, no memory), the others None.


class StepLink:
    """The gate gradients of one layer direction's steps, from the step ops to their ``SequenceInput``
    (and, with ``hidden``, each step's input state, so that ``SequenceInputHH`` makes dW_hh in one product)."""

    __slots__ = ("kind", "hidden", "buf", "hbuf", "parts", "filled")

    def __init__(self, kind: str = "", hidden: bool = False) -> None:
        self.kind = kind  # "LSTM", "GRU" or "RNN": names the projection in drawings
        self.hidden = hidden  # the steps leave dW_hh and db_hh to SequenceInputHH (plain backward only)
        self.reset()

    def reset(self) -> None:
        self.buf = None  # (T, B, G*H) array of dP, zeros where no step reported
        self.hbuf = None  # (T, B, H) array of each reporting step's input state h (hidden links)
        self.parts: list = []  # (t, dP[t]) pairs of Tensors, under create_graph
        self.filled: set = set()

    def keep_h(self, t: int, h: np.ndarray, steps: int) -> None:
        """Keep step t's input state h (B, H), for dW_hh = sum over t of dG[t]^T h[t]."""
        if self.hbuf is None:
            self.hbuf = np.zeros((steps,) + h.shape, dtype=h.dtype)
        self.hbuf[t] = h

    def report(self, t: int, d: Any, like: np.ndarray) -> Any:
        """Keep dP[t]; return what the step gives P: a zero view for the first report of a pass, else None."""
        if t in self.filled:  # a pass that did not finish left this behind: start over
            self.reset()
        first = not self.filled
        self.filled.add(t)
        if isinstance(d, np.ndarray):
            if self.buf is None:
                self.buf = np.zeros(like.shape, dtype=d.dtype)
            self.buf[t] = d
        else:
            self.parts.append((t, d))
        return np.broadcast_to(np.zeros((), dtype=like.dtype), like.shape) if first else None

    def take(self, like: np.ndarray) -> Any:
        """All of dP (T, B, G*H), and a fresh start for the next pass."""
        buf, parts = self.buf, self.parts
        self.reset()
        if not parts:
            return buf if buf is not None else np.zeros(like.shape, dtype=like.dtype)
        from ..tensor import Tensor, stack

        rows: list = [Tensor._make(np.zeros(like.shape[1:], dtype=like.dtype))] * like.shape[0]
        if buf is not None:
            rows = [Tensor._make(buf[t]) for t in range(like.shape[0])]
        for t, d in parts:
            rows[t] = d
        return stack(rows, axis=0)


class SequenceInput(Function):
    """P = X W_ih^T + b_ih for a whole sequence X (T, B, F): the input half of every step's product.

    Backward takes dP from the steps' ``StepLink`` (plus any gradient that reached P directly):
    dX = dP W_ih, dW_ih = dP^T X, db_ih = sum of dP.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w_ih: np.ndarray, b_ih: np.ndarray | None = None,
                link: StepLink | None = None) -> np.ndarray:
        t, b, f = x.shape
        p = K.linear(x.reshape(t * b, f), w_ih, b_ih).reshape(t, b, w_ih.shape[0])
        ctx.save_for_backward(x, w_ih)
        ctx.link, ctx.p_shape = link, p.shape
        ctx.label = f"{link_label(link)}Input X{tuple(int(n) for n in x.shape)}"
        return p

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        dp = ctx.link.take(_Shape(ctx.p_shape, G.data(g).dtype))
        return _input_grads(ctx, dp, g, _needs(ctx))


def _input_grads(ctx: Context, dp: Any, g: Any, needs: tuple) -> tuple:
    """(dX, dW_ih, db_ih) from the steps' dP and the gradient g that reached P itself; needs for the three."""
    x, w_ih = ctx.saved_tensors
    if not (isinstance(g, np.ndarray) and not any(g.strides) and not g.flat[0]):  # g is more than the zero view
        dp = dp + g  # P has other consumers too: the gates recomputed by a create_graph backward
    t, b, f = x.shape
    dp2 = dp.reshape((t * b, ctx.p_shape[2]))
    dx = (dp2 @ w_ih).reshape(x.shape) if needs[0] else None
    dw = dp2.swapaxes(0, 1) @ x.reshape((t * b, f)) if needs[1] else None
    db = dp2.sum(axis=0) if needs[2] else None
    return dx, dw, db


class SequenceInputHH(Function):
    """``SequenceInput`` that also takes the hidden weights (an LSTM's or plain RNN's, whose steps add P[t] and
    h W_hh^T into the same pre-activation): P = X W_ih^T + b_ih, and W_hh, b_hh are inputs only for backward.

    The steps report their gate gradients dG[t] = dP[t] and input states h[t] through the link, and this op
    turns them into dW_hh = dG^T H and db_hh = sum of dG: one product for the layer instead of one a step
    (bench/rnn.py). Under create_graph the steps keep computing those themselves.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b_ih: np.ndarray | None = None,
                b_hh: np.ndarray | None = None, link: StepLink | None = None) -> np.ndarray:
        return SequenceInput.forward(ctx, x, w_ih, b_ih, link=link)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        n = ctx.needs_input_grad  # (x, w_ih, w_hh[, b_ih, b_hh])
        biased = len(n) > 3
        hbuf = ctx.link.hbuf
        dp = ctx.link.take(_Shape(ctx.p_shape, G.data(g).dtype))
        dw_hh = db_hh = None
        if isinstance(dp, np.ndarray) and hbuf is not None:  # a plain pass: W_hh's and b_hh's gradients are here
            dp2 = dp.reshape((-1, ctx.p_shape[2]))
            if n[2]:
                dw_hh = dp2.swapaxes(0, 1) @ hbuf.reshape((dp2.shape[0], -1))
            if biased and n[4]:
                db_hh = dp2.sum(axis=0)
        dx, dw, db = _input_grads(ctx, dp, g, (n[0], n[1], biased and n[3]))
        return (dx, dw, dw_hh, db, db_hh) if biased else (dx, dw, dw_hh)


class _Shape:
    """A stand-in with the shape and dtype of an array (what ``StepLink`` needs to make zeros)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple, dtype: Any) -> None:
        self.shape, self.dtype = shape, dtype


def link_label(link: Any) -> str:
    return getattr(link, "kind", "") if link is not None else ""


def _step_needs(ctx: Context) -> tuple:
    n = ctx.needs_input_grad
    return tuple(n) + (False,) * (4 - len(n))


def _hh_grads(dz: Any, h: Any, needs: tuple) -> tuple:
    dwh = dz.swapaxes(0, 1) @ h if needs[2] else None
    dbh = dz.sum(axis=0) if needs[3] else None
    return dwh, dbh


def _hidden_grads(ctx: Context, dz: Any, h: Any, needs: tuple) -> tuple:
    """(dW_hh, db_hh) of a step of a plain RNN or LSTM; (None, None) where the layer's ``SequenceInputHH`` makes
    them for all steps at once (a plain pass: the step leaves its input state h with the link)."""
    link = ctx.link
    if link is not None and link.hidden and needs[0] and isinstance(dz, np.ndarray):
        link.keep_h(ctx.t, h, ctx.p_shape[0])
        return None, None
    return _hh_grads(dz, h, needs)


def _report(ctx: Context, d: Any, p: Any) -> Any:
    return ctx.link.report(ctx.t, d, _Shape(ctx.p_shape, G.data(p).dtype)) if _step_needs(ctx)[0] else None


class RNNStep(Function):
    """Step t of a layer: h' = act(P[t] + h W_hh^T + b_hh) (P = X W_ih^T + b_ih from ``SequenceInput``)."""

    @staticmethod
    def forward(ctx: Context, p: np.ndarray, h: np.ndarray, w_hh: np.ndarray, b_hh: np.ndarray | None = None,
                t: int = 0, link: StepLink | None = None, nonlinearity: str = "tanh") -> np.ndarray:
        z = h @ w_hh.T
        z += p[t]
        if b_hh is not None:
            z += b_hh
        out = K.tanh(z) if nonlinearity == "tanh" else K.relu(z)
        ctx.save_for_backward(h, w_hh, out)
        ctx.t, ctx.link, ctx.p_shape, ctx.nonlinearity = t, link, p.shape, nonlinearity
        ctx.label = f"RNNCell({nonlinearity}) step {t} h{tuple(int(n) for n in h.shape)}"
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        h, w_hh, out = ctx.saved_tensors
        needs = _step_needs(ctx)
        dz = K.tanh_backward(g, out) if ctx.nonlinearity == "tanh" else K.relu_backward(g, out)
        dp = _report(ctx, dz, out)
        dh = dz @ w_hh if needs[1] else None
        return (dp, dh) + _hidden_grads(ctx, dz, h, needs)


class LSTMStep(Function):
    """Step t of a layer: gates = P[t] + h W_hh^T + b_hh, then the LSTM epilogue on the state hc (2, B, H)."""

    @staticmethod
    def forward(ctx: Context, p: np.ndarray, hc: np.ndarray, w_hh: np.ndarray, b_hh: np.ndarray | None = None,
                t: int = 0, link: StepLink | None = None) -> np.ndarray:
        gates = hc[0] @ w_hh.T
        gates += p[t]
        if b_hh is not None:
            gates += b_hh
        out, act, tc = K.lstm_cell(gates, np.ascontiguousarray(hc[1]))
        ctx.save_for_backward(p, hc, w_hh, b_hh)
        ctx.act, ctx.tc = act, tc
        ctx.t, ctx.link, ctx.p_shape = t, link, p.shape
        ctx.label = f"LSTMCell step {t} h{tuple(int(n) for n in hc.shape[1:])}"
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        p, hc, w_hh, b_hh = ctx.saved_tensors
        needs = _step_needs(ctx)
        h, c = hc[0], hc[1]
        if isinstance(g, G.Tensor):  # create_graph: the gates as graph ops of the inputs
            z = p[ctx.t] + h @ w_hh.swapaxes(0, 1)
            act, tc = lstm_cell_act(z + b_hh if b_hh is not None else z, c)
        else:
            act, tc = ctx.act, ctx.tc
        dgates, dc = K.lstm_cell_backward(g[0], g[1], act, c, tc)
        dp = _report(ctx, dgates, p)
        dhc = _stack_hc(dgates @ w_hh, dc) if needs[1] else None
        return (dp, dhc) + _hidden_grads(ctx, dgates, h, needs)


class GRUStep(Function):
    """Step t of a layer: the GRU epilogue on gi = P[t] and gh = h W_hh^T + b_hh."""

    @staticmethod
    def forward(ctx: Context, p: np.ndarray, h: np.ndarray, w_hh: np.ndarray, b_hh: np.ndarray | None = None,
                t: int = 0, link: StepLink | None = None) -> np.ndarray:
        gh = h @ w_hh.T
        if b_hh is not None:
            gh += b_hh
        out, rzn = K.gru_cell(p[t], gh, h)
        ctx.save_for_backward(p, h, w_hh, b_hh)
        ctx.rzn, ctx.gh = rzn, gh
        ctx.t, ctx.link, ctx.p_shape = t, link, p.shape
        ctx.label = f"GRUCell step {t} h{tuple(int(n) for n in h.shape)}"
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        p, h, w_hh, b_hh = ctx.saved_tensors
        needs = _step_needs(ctx)
        if isinstance(g, G.Tensor):  # create_graph: the gates as graph ops of the inputs
            gh = h @ w_hh.swapaxes(0, 1)
            gh = gh + b_hh if b_hh is not None else gh
            rzn = gru_cell_act(p[ctx.t], gh)
        else:
            rzn, gh = ctx.rzn, ctx.gh
        dgi, dgh, dh = K.gru_cell_backward(g, rzn, gh, h)
        dp = _report(ctx, dgi, p)
        dh = dh + dgh @ w_hh if needs[1] else None
        return (dp, dh) + _hh_grads(dgh, h, needs)


__all__ += ["StepLink", "SequenceInput", "SequenceInputHH", "RNNStep", "LSTMStep", "GRUStep"]
