"""Recurrent layers with torch's names, shapes, initialisation and numbers: RNN, LSTM, GRU and their cells.

``nn.RNN/LSTM/GRU(input_size, hidden_size, num_layers=1, bias=True,
batch_first=False, dropout=0.0, bidirectional=False)`` take a sequence of
shape (T, B, input_size) ((B, T, input_size) with ``batch_first``, or (T,
input_size) unbatched) and return ``(output, h_n)`` (LSTM: ``(output, (h_n,
c_n))``) exactly as torch does: output (T, B, D * hidden_size), h_n and c_n
(num_layers * D, B, hidden_size), D = 2 when bidirectional. Parameters are
``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``
(``..._reverse`` for the backward direction), all drawn from
U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), so a torch ``state_dict()``
(as numpy arrays) loads directly.

The sequence is unrolled one step at a time: every step is one cell op
(``autograd.ops.recurrent``), a single node in ``draw_graph``, and backward
goes through every step (back-propagation through time, BPTT).

Truncated BPTT: ``bptt_truncate=k`` detaches the hidden state every k steps
(after steps k, 2k, ... counted from the start of the sequence, in each
direction), so no gradient flows back more than k steps: d loss / d x_t is
exactly zero for inputs more than k steps before the step whose output the loss
reads. Between batches, ``detach_state(h)`` cuts a carried state off the old graph.
"""

from __future__ import annotations

import math
from numbers import Real
from operator import mul
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, Value
from autograd.ops.recurrent import GRUCell as GRUCellOp
from autograd.ops.recurrent import LSTMCell as LSTMCellOp
from autograd.ops.recurrent import GRUStep, LSTMStep, RNNStep, SequenceInput, SequenceInputHH, StepLink
from autograd.ops.recurrent import RNNCell as RNNCellOp
from autograd.ops.shape import GetItem

from .init import rng_from
from .layers import _size
from .module import Module, Parameter, check_mode, make_parameter
from .modes import as_value, is_scalar, to_tensor, to_values
from .packed import PackedSequence, rnn_forward_packed
from .reset import reset_recurrent



def _tensor(x: Any, where: str) -> Tensor:
    if is_scalar(x):
        raise TypeError(f"{where}: works in tensor mode only; pass a Tensor or an array (RNNCell has mode='scalar')")
    return to_tensor(x, where)


def _row(t: Tensor, i: int) -> Tensor:
    """t[i]: a graph op when t requires grad, else a constant view."""
    return t[i] if t.requires_grad else Tensor._make(t.data[i])


def _cpu(device: Any, where: str) -> None:
    if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
        raise RuntimeError(f"{where}: gradwork computes on the CPU only, got device {device!r}")


def detach_state(state: Any) -> Any:
    """A hidden state (a Tensor, or LSTM's (h, c)) cut from its graph: carry it to the next batch (truncated BPTT)."""
    if isinstance(state, tuple):
        return tuple(detach_state(s) for s in state)
    return state.detach() if isinstance(state, Tensor) else state


# ---------------------------------------------------------------- the layers


class _RNNBase(Module):
    _gates = 1
    _name = "RNN"
    _hidden_in_input = True  # P[t] and h W_hh^T share one pre-activation: dW_hh from the link (not GRU's)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, seed: Any = None, bptt_truncate: int | None = None,
                 *, proj_size: int = 0) -> None:
        super().__init__()
        where = self._name
        _cpu(device, where)
        self.proj_size = proj_size
        self.input_size = _size(input_size, "input_size", where)
        self.hidden_size = _size(hidden_size, "hidden_size", where)
        self.num_layers = _size(num_layers, "num_layers", where)
        if isinstance(dropout, bool) or not isinstance(dropout, Real) or not 0 <= dropout < 1:
            raise ValueError(f"{where}: dropout must be a probability in [0, 1), got {dropout!r}")
        self.dropout = float(dropout)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.bidirectional = bool(bidirectional)
        self.bptt_truncate = None if bptt_truncate is None else _size(bptt_truncate, "bptt_truncate", where)
        rng = rng_from(seed)
        self.rng = rng if seed is not None else None
        h, g = self.hidden_size, self._gates
        r = self.proj_size or h  # the size of h (the projection's when proj_size > 0)
        k = 1.0 / math.sqrt(h)
        for layer in range(self.num_layers):
            nin = self.input_size if layer == 0 else r * self.num_directions
            for sfx in self._suffixes():
                setattr(self, f"weight_ih_l{layer}{sfx}", Parameter(rng.uniform(-k, k, (g * h, nin))))
                setattr(self, f"weight_hh_l{layer}{sfx}", Parameter(rng.uniform(-k, k, (g * h, r))))
                if self.bias:
                    setattr(self, f"bias_ih_l{layer}{sfx}", Parameter(rng.uniform(-k, k, (g * h,))))
                    setattr(self, f"bias_hh_l{layer}{sfx}", Parameter(rng.uniform(-k, k, (g * h,))))
                if self.proj_size:
                    setattr(self, f"weight_hr_l{layer}{sfx}", Parameter(rng.uniform(-k, k, (r, h))))
        if dtype is not None:
            self.to(dtype)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self, seed: Any = None) -> None:
        """torch's initialisation again, in place: every parameter uniform in +-1/sqrt(hidden_size)."""
        reset_recurrent(self, seed)

    def flatten_parameters(self) -> None:
        """torch's cuDNN weight compaction; the weights here are already one array each, so nothing to do."""

    def _suffixes(self) -> tuple:
        return ("", "_reverse") if self.bidirectional else ("",)

    def _weights(self, layer: int, sfx: str) -> tuple:
        p = self._parameters
        names = ("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if self.bias else ())
        return tuple(p[f"{n}_l{layer}{sfx}"] for n in names)

    def _where(self) -> str:
        return f"{self._name}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    # ------------------------------------------------------------ states
    def _state_shape(self, batch: int | None) -> tuple:
        n = self.num_layers * self.num_directions
        return (n, self.hidden_size) if batch is None else (n, batch, self.hidden_size)

    def _check_state(self, t: Any, name: str, batch: int, batched: bool) -> Tensor:
        where = self._where()
        if not isinstance(t, Tensor):
            t = _tensor(t, f"{where} {name}")
        want = self._state_shape(batch if batched else None)
        if tuple(t.shape) != want:
            raise ValueError(
                f"{where}: {name} has shape {t.shape}, expected {want} "
                f"(num_layers * num_directions, {'batch, ' if batched else ''}hidden_size); "
                "pass None for zeros"
            )
        return t if batched else t.reshape(want[0], 1, want[1])

    def _initial(self, hx: Any, batch: int, batched: bool, dtype: Any) -> list:
        """One initial state per (layer, direction): h (B, H) ((2, B, H) for LSTM's h and c), or None."""
        raise NotImplementedError

    def _step(self, p: Tensor, state: Tensor, tail: tuple, t: int, link: StepLink) -> Tensor:
        raise NotImplementedError

    # ------------------------------------------------------------ forward
    def _sequence(self, input: Any) -> tuple:
        """The input as (T, B, F) (B = 1 unbatched), and whether it was batched; clear errors on a bad shape."""
        where = self._where()
        x = _tensor(input, where)
        if x.ndim not in (2, 3):
            layout = "(B, T, {0})" if self.batch_first else "(T, B, {0})"
            raise ValueError(
                f"{where}: expected a sequence of shape {layout.format(self.input_size)} or (T, {self.input_size}) "
                f"unbatched, got a tensor with {x.ndim} dimensions, shape {x.shape}"
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"{where}: the input has {x.shape[-1]} features on its last axis (shape {x.shape}), expected "
                f"{self.input_size}; build the layer with input_size={x.shape[-1]} or reshape the input"
            )
        batched = x.ndim == 3
        time_axis = 1 if self.batch_first and batched else 0
        if not batched:
            x = x.reshape(x.shape[0], 1, x.shape[1])
        steps = x.shape[time_axis]
        if steps == 0:
            raise ValueError(f"{where}: the sequence is empty (shape {x.shape}); give at least one time step")
        return (x.swapaxes(0, 1) if time_axis == 1 else x), batched

    def _dropout(self, seq: Tensor, layer: int) -> Tensor:
        """Dropout on a layer's output, in training, on every layer but the last (as torch)."""
        if layer + 1 < self.num_layers and self.dropout and self.training:
            rng = self.rng if self.rng is not None else autograd.default_rng()
            keep = 1.0 - self.dropout
            seq = seq * ((rng.random(seq.shape) < keep) / keep).astype(seq.dtype)
        return seq

    def _output(self, seq: Tensor, batched: bool) -> Tensor:
        output = seq.swapaxes(0, 1) if self.batch_first and batched else seq
        return output if batched else output.reshape(output.shape[0], output.shape[2])

    def forward(self, input: Any, hx: Any = None) -> tuple:
        if isinstance(input, PackedSequence):  # nn.utils.rnn.pack_padded_sequence's batches
            return rnn_forward_packed(self, input, hx)
        seq, batched = self._sequence(input)  # (T, B, F)
        steps, batch = seq.shape[0], seq.shape[1]
        states = self._initial(hx, batch, batched, seq.dtype)
        finals = []
        k = self.bptt_truncate
        for layer in range(self.num_layers):
            per_dir = []
            for d, sfx in enumerate(self._suffixes()):
                w_ih, w_hh, *biases = self._weights(layer, sfx)
                if self._hidden_in_input:  # dW_hh and db_hh as one product for the layer (SequenceInputHH)
                    link = StepLink(self._name, hidden=True)
                    p = SequenceInputHH._apply_tensors((seq, w_ih, w_hh) + tuple(biases), link=link)
                else:
                    link = StepLink(self._name)
                    p = SequenceInput._apply_tensors((seq, w_ih) + tuple(biases[:1]), link=link)
                tail = (w_hh,) + tuple(biases[1:])
                state = states[layer * self.num_directions + d]
                outs: list = [None] * steps
                order = range(steps) if d == 0 else range(steps - 1, -1, -1)
                for s, t in enumerate(order):
                    if k is not None and s and s % k == 0:
                        state = state.detach()
                    state = self._step(p, state, tail, t, link)
                    outs[t] = state
                finals.append(state)
                per_dir.append(outs)
            seq = self._dropout(self._layer_output(per_dir), layer)
        return self._output(seq, batched), self._final(finals, batched)

    def _layer_output(self, per_dir: list) -> Tensor:
        """(T, B, D * H): each step's hidden state, both directions joined."""
        seqs = [self._stacked_hidden(outs) for outs in per_dir]
        return seqs[0] if len(seqs) == 1 else autograd.concatenate(seqs, axis=-1)

    def _stacked_hidden(self, outs: list) -> Tensor:
        return autograd.stack(outs, axis=0)

    def _final(self, finals: list, batched: bool) -> Any:
        h_n = autograd.stack(finals, axis=0)
        return h_n if batched else h_n.reshape(h_n.shape[0], h_n.shape[2])

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout:g}"
        if self.bidirectional:
            s += ", bidirectional=True"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.bptt_truncate is not None:
            s += f", bptt_truncate={self.bptt_truncate}"
        return s


class _HiddenOnly(_RNNBase):
    """RNN and GRU: the state is h alone."""

    def _initial(self, hx: Any, batch: int, batched: bool, dtype: Any) -> list:
        n = self.num_layers * self.num_directions
        if hx is None:
            zero = Tensor._make(np.zeros((batch, self.hidden_size), dtype=dtype))
            return [zero] * n
        if isinstance(hx, (tuple, list)):
            raise ValueError(f"{self._where()}: hx must be one tensor h_0, not a {type(hx).__name__}; "
                             "(h_0, c_0) pairs are for LSTM")
        h0 = self._check_state(hx, "h_0", batch, batched)
        return [_row(h0, i) for i in range(n)]


class RNN(_HiddenOnly):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act = tanh (default) or relu."""

    _name = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, seed: Any = None, bptt_truncate: int | None = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device,
                         dtype, seed, bptt_truncate)
        self.nonlinearity = nonlinearity

    def _step(self, p: Tensor, state: Tensor, tail: tuple, t: int, link: StepLink) -> Tensor:
        return RNNStep._apply_tensors((p, state) + tail, t=t, link=link, nonlinearity=self.nonlinearity)

    def extra_repr(self) -> str:
        extra = ", nonlinearity='relu'" if self.nonlinearity == "relu" else ""
        return super().extra_repr() + extra


class GRU(_HiddenOnly):
    """torch's GRU: r, z = sigmoid(...), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)), h' = (1 - z) n + z h."""

    _gates = 3
    _name = "GRU"
    _hidden_in_input = False  # its reset gate scales h W_hh^T: the hidden side has a gradient of its own

    def _step(self, p: Tensor, state: Tensor, tail: tuple, t: int, link: StepLink) -> Tensor:
        return GRUStep._apply_tensors((p, state) + tail, t=t, link=link)


class LSTM(_RNNBase):
    """torch's LSTM: gates i, f, g, o; c' = f c + i g, h' = o tanh(c'); returns (output, (h_n, c_n))."""

    _gates = 4
    _name = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None, seed: Any = None, bptt_truncate: int | None = None) -> None:
        if isinstance(proj_size, bool) or not isinstance(proj_size, (int, np.integer)) or proj_size < 0:
            raise ValueError(f"LSTM: proj_size must be an int >= 0 (0: no projection), got {proj_size!r}")
        if proj_size >= _size(hidden_size, "hidden_size", "LSTM"):
            raise ValueError(f"LSTM: proj_size={proj_size} must be smaller than hidden_size={hidden_size}, "
                             "as in torch")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device,
                         dtype, seed, bptt_truncate, proj_size=int(proj_size))

    def forward(self, input: Any, hx: Any = None) -> tuple:
        if not self.proj_size or isinstance(input, PackedSequence):  # a packed batch: split there, then here
            return super().forward(input, hx)
        return self._projected_forward(input, hx)

    def _projected_forward(self, input: Any, hx: Any) -> tuple:
        """proj_size > 0 (torch's LSTMP): h_t = W_hr (o_t tanh(c_t)), of size proj_size; composed of plain ops."""
        seq, batched = self._sequence(input)
        steps, batch = seq.shape[0], seq.shape[1]
        n, hs, ps = self.num_layers * self.num_directions, self.hidden_size, self.proj_size
        if hx is None:
            h0 = [Tensor._make(np.zeros((batch, ps), dtype=seq.dtype))] * n
            c0 = [Tensor._make(np.zeros((batch, hs), dtype=seq.dtype))] * n
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise ValueError(f"{self._where()}: hx must be a pair (h_0, c_0), got {type(hx).__name__}; "
                                 "pass None for zeros")
            h0 = self._projected_state(hx[0], "h_0", ps, batch, batched)
            c0 = self._projected_state(hx[1], "c_0", hs, batch, batched)
        k = self.bptt_truncate
        h_fin, c_fin = [], []
        for layer in range(self.num_layers):
            per_dir = []
            for d, sfx in enumerate(self._suffixes()):
                p = self._parameters
                w_ih, w_hh, w_hr = (p[f"{w}_l{layer}{sfx}"] for w in ("weight_ih", "weight_hh", "weight_hr"))
                pre = seq @ w_ih.T  # (T, B, 4H)
                if self.bias:
                    pre = pre + (p[f"bias_ih_l{layer}{sfx}"] + p[f"bias_hh_l{layer}{sfx}"])
                h, c = h0[layer * self.num_directions + d], c0[layer * self.num_directions + d]
                outs: list = [None] * steps
                order = range(steps) if d == 0 else range(steps - 1, -1, -1)
                for s, t in enumerate(order):
                    if k is not None and s and s % k == 0:
                        h, c = h.detach(), c.detach()
                    z = pre[t] + h @ w_hh.T
                    i, f = z[:, :hs].sigmoid(), z[:, hs:2 * hs].sigmoid()
                    g, o = z[:, 2 * hs:3 * hs].tanh(), z[:, 3 * hs:].sigmoid()
                    c = f * c + i * g
                    h = (o * c.tanh()) @ w_hr.T
                    outs[t] = h
                h_fin.append(h)
                c_fin.append(c)
                per_dir.append(autograd.stack(outs, axis=0))
            seq = per_dir[0] if len(per_dir) == 1 else autograd.concatenate(per_dir, axis=-1)
            seq = self._dropout(seq, layer)
        h_n, c_n = autograd.stack(h_fin, axis=0), autograd.stack(c_fin, axis=0)
        if not batched:
            h_n, c_n = h_n.reshape(n, ps), c_n.reshape(n, hs)
        return self._output(seq, batched), (h_n, c_n)

    def _projected_state(self, t: Any, name: str, size: int, batch: int, batched: bool) -> list:
        where = self._where()
        if not isinstance(t, Tensor):
            t = _tensor(t, f"{where} {name}")
        n = self.num_layers * self.num_directions
        want = (n, batch, size) if batched else (n, size)
        if tuple(t.shape) != want:
            raise ValueError(
                f"{where}: {name} has shape {t.shape}, expected {want} (num_layers * num_directions, "
                f"{'batch, ' if batched else ''}{'proj_size' if name == 'h_0' else 'hidden_size'}); pass None for zeros"
            )
        t = t if batched else t.reshape(n, 1, size)
        return [_row(t, i) for i in range(n)]

    def _initial(self, hx: Any, batch: int, batched: bool, dtype: Any) -> list:
        n = self.num_layers * self.num_directions
        if hx is None:
            zero = Tensor._make(np.zeros((2, batch, self.hidden_size), dtype=dtype))
            return [zero] * n
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise ValueError(f"{self._where()}: hx must be a pair (h_0, c_0), got {type(hx).__name__}; "
                             "pass None for zeros")
        h0 = self._check_state(hx[0], "h_0", batch, batched)
        c0 = self._check_state(hx[1], "c_0", batch, batched)
        if h0.requires_grad or c0.requires_grad:
            return [autograd.stack([h0[i], c0[i]], axis=0) for i in range(n)]
        return [Tensor._make(np.stack([h0.data[i], c0.data[i]])) for i in range(n)]

    def _step(self, p: Tensor, state: Tensor, tail: tuple, t: int, link: StepLink) -> Tensor:
        return LSTMStep._apply_tensors((p, state) + tail, t=t, link=link)

    def _stacked_hidden(self, outs: list) -> Tensor:
        return autograd.stack(outs, axis=0)[:, 0]  # (T, 2, B, H) -> h of every step, one op each way

    def _final(self, finals: list, batched: bool) -> Any:
        hc = autograd.stack(finals, axis=1)  # (2, L * D, B, H)
        h_n, c_n = hc[0], hc[1]
        if not batched:
            h_n, c_n = h_n.reshape(h_n.shape[0], h_n.shape[2]), c_n.reshape(c_n.shape[0], c_n.shape[2])
        return h_n, c_n


# ------------------------------------------------------------------ the cells


class _CellBase(Module):
    _gates = 1
    _name = "RNNCell"
    _LABELS = {"weight_ih": "W_ih", "weight_hh": "W_hh", "bias_ih": "b_ih", "bias_hh": "b_hh"}

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, mode: str = "tensor",
                 seed: Any = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        where = self._name
        _cpu(device, where)
        self.input_size = _size(input_size, "input_size", where)
        self.hidden_size = _size(hidden_size, "hidden_size", where)
        check_mode(mode, where)
        rng = rng_from(seed)
        h, g = self.hidden_size, self._gates
        k = 1.0 / math.sqrt(h)
        self.weight_ih = make_parameter(rng.uniform(-k, k, (g * h, self.input_size)), mode, "W_ih")
        self.weight_hh = make_parameter(rng.uniform(-k, k, (g * h, h)), mode, "W_hh")
        self.bias_ih = make_parameter(rng.uniform(-k, k, (g * h,)), mode, "b_ih") if bias else None
        self.bias_hh = make_parameter(rng.uniform(-k, k, (g * h,)), mode, "b_hh") if bias else None
        if dtype is not None:
            self.to(dtype)

    def reset_parameters(self, seed: Any = None) -> None:
        """torch's initialisation again, in place: every parameter uniform in +-1/sqrt(hidden_size)."""
        reset_recurrent(self, seed)

    def _label(self, name: str) -> str:
        return self._LABELS.get(name, name)

    def _where(self) -> str:
        return f"{self._name}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    def _weights(self) -> tuple:
        p = self._parameters
        return (p["weight_ih"], p["weight_hh"]) + ((p["bias_ih"], p["bias_hh"]) if p.get("bias_ih") is not None else ())

    def _input(self, x: Any) -> tuple[Tensor, bool]:
        where = self._where()
        x = _tensor(x, where)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{where}: expected input of shape (B, {self.input_size}) or ({self.input_size},), got shape "
                f"{x.shape}; a cell takes one time step (use nn.{self._name[:-4]} for whole sequences)"
            )
        return (x if x.ndim == 2 else x.reshape(1, self.input_size)), x.ndim == 2

    def _state(self, t: Any, name: str, batch: int, batched: bool) -> Tensor:
        where = self._where()
        if t is None:
            return None
        t = _tensor(t, f"{where} {name}")
        want = (batch, self.hidden_size) if batched else (self.hidden_size,)
        if tuple(t.shape) != want:
            raise ValueError(f"{where}: {name} has shape {t.shape}, expected {want}; pass None for zeros")
        return t if batched else t.reshape(1, self.hidden_size)

    def _scalar_rows(self, input: Any, states: tuple) -> tuple[list, list, bool]:
        """Scalar mode: the input as rows of Values, each state (None: zeros) as rows too, and whether batched."""
        where = self._where()
        x = to_values(input, where)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{where}: expected input of shape (B, {self.input_size}) or ({self.input_size},), "
                             f"got shape {x.shape}; a cell takes one time step")
        rows = x.reshape(-1, self.input_size)
        want = (x.shape[0], self.hidden_size) if x.ndim == 2 else (self.hidden_size,)
        out = []
        for t, name in states:
            if t is None:
                out.append([[as_value(0.0)] * self.hidden_size for _ in range(rows.shape[0])])
                continue
            v = to_values(t, where)
            if v.shape != want:
                raise ValueError(f"{where}: {name} has shape {v.shape}, expected {want}; pass None for zeros")
            out.append([[as_value(e) for e in r] for r in v.reshape(-1, self.hidden_size)])
        return [[as_value(e) for e in r] for r in rows], out, x.ndim == 2

    def _gate_sums(self, xs: list, hs: list, rows: range, split: bool = False) -> list:
        """Scalar mode: per gate row j, one sum node of x W_ih[j] + b_ih[j] + h W_hh[j] + b_hh[j] (two with split)."""
        w_ih, w_hh, b_ih, b_hh = self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        out = []
        for j in rows:
            xt = list(map(mul, list(w_ih[j]), xs)) + ([b_ih[j]] if b_ih is not None else [])
            ht = list(map(mul, list(w_hh[j]), hs)) + ([b_hh[j]] if b_hh is not None else [])
            out.append((Value.sum(xt), Value.sum(ht)) if split else Value.sum(xt + ht))
        return out

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias_ih is not None else ", bias=False")


class RNNCell(_CellBase):
    """One Elman step h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh) (act tanh or relu).

    ``mode="scalar"``: one ``Value`` per weight, and ``cell(x, h)`` on object arrays of Values
    builds one ``Value.sum`` node per hidden unit and its activation, so a few
    steps unrolled draw as a graph through time (same numbers as tensor mode).
    """

    _name = "RNNCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 mode: str = "tensor", seed: Any = None, device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, mode, seed, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Any = None) -> Any:
        if self.mode == "scalar":
            return self._scalar_forward(input, hx)
        x, batched = self._input(input)
        h = self._state(hx, "hx", x.shape[0], batched)
        if h is None:
            h = Tensor._make(np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))
        out = RNNCellOp._apply_tensors((x, h) + self._weights(), nonlinearity=self.nonlinearity)
        return out if batched else out.reshape(self.hidden_size)

    def _scalar_forward(self, input: Any, hx: Any) -> np.ndarray:
        where = self._where()
        x = to_values(input, where)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{where}: expected input of shape (B, {self.input_size}) or ({self.input_size},), "
                             f"got shape {x.shape}")
        rows = x.reshape(-1, self.input_size)
        if hx is None:
            hs = np.zeros((rows.shape[0], self.hidden_size), dtype=object)
        else:
            hs = to_values(hx, where)
            want = (x.shape[0], self.hidden_size) if x.ndim == 2 else (self.hidden_size,)
            if hs.shape != want:
                raise ValueError(f"{where}: hx has shape {hs.shape}, expected {want}; pass None for zeros")
            hs = hs.reshape(-1, self.hidden_size)
        w_ih, w_hh = self.weight_ih, self.weight_hh
        b_ih, b_hh = self.bias_ih, self.bias_hh
        out = np.empty((rows.shape[0], self.hidden_size), dtype=object)
        for n in range(rows.shape[0]):
            xs = [as_value(v) for v in rows[n]]
            hv = [as_value(v) for v in hs[n]]
            for j in range(self.hidden_size):
                terms = list(map(mul, list(w_ih[j]), xs)) + list(map(mul, list(w_hh[j]), hv))
                if b_ih is not None:
                    terms += [b_ih[j], b_hh[j]]
                z = Value.sum(terms)
                out[n, j] = z.tanh() if self.nonlinearity == "tanh" else z.relu()
        return out if x.ndim == 2 else out.reshape(self.hidden_size)

    def extra_repr(self) -> str:
        extra = ", nonlinearity='relu'" if self.nonlinearity == "relu" else ""
        return super().extra_repr() + extra + (f", mode={self.mode!r}" if self.mode == "scalar" else "")


class LSTMCell(_CellBase):
    """One LSTM step: ``cell(x, (h, c))`` -> (h', c'), gates i, f, g, o as in torch.

    ``mode="scalar"``: Values throughout (one sum node per gate unit), the same numbers as tensor mode.
    """

    _gates = 4
    _name = "LSTMCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None,
                 seed: Any = None, mode: str = "tensor") -> None:
        super().__init__(input_size, hidden_size, bias, mode, seed, device, dtype)

    def _scalar_forward(self, input: Any, hx: Any) -> tuple:
        """Values: i, f, o = sigmoid, g = tanh of one sum node each; c' = f c + i g, h' = o tanh(c')."""
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise ValueError(f"{self._where()}: hx must be a pair (h, c), got {type(hx).__name__}")
        h0, c0 = (None, None) if hx is None else hx
        xr, (hr, cr), batched = self._scalar_rows(input, ((h0, "h"), (c0, "c")))
        n = self.hidden_size
        h2 = np.empty((len(xr), n), dtype=object)
        c2 = np.empty((len(xr), n), dtype=object)
        for b, xs in enumerate(xr):
            z = self._gate_sums(xs, hr[b], range(4 * n))
            for j in range(n):
                i, f, g, o = z[j].sigmoid(), z[n + j].sigmoid(), z[2 * n + j].tanh(), z[3 * n + j].sigmoid()
                c2[b, j] = f * cr[b][j] + i * g
                h2[b, j] = o * c2[b, j].tanh()
        return (h2, c2) if batched else (h2.reshape(n), c2.reshape(n))

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", mode={self.mode!r}" if self.mode == "scalar" else "")

    def forward(self, input: Any, hx: Any = None) -> tuple:
        if self.mode == "scalar":
            return self._scalar_forward(input, hx)
        x, batched = self._input(input)
        b = x.shape[0]
        if hx is None:
            hc = Tensor._make(np.zeros((2, b, self.hidden_size), dtype=x.dtype))
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise ValueError(f"{self._where()}: hx must be a pair (h, c), got {type(hx).__name__}")
            h = self._state(hx[0], "h", b, batched)
            c = self._state(hx[1], "c", b, batched)
            hc = _packed(h, c)
        out = LSTMCellOp._apply_tensors((x, hc) + self._weights())
        h2, c2 = out[0], out[1]
        if not batched:
            h2, c2 = h2.reshape(self.hidden_size), c2.reshape(self.hidden_size)
        return h2, c2


def _packed(h: Tensor, c: Tensor) -> Tensor:
    """(h, c) as one (2, B, H) state; the previous cell's own output when h, c are its two halves."""
    if (h._op is GetItem and c._op is GetItem and h._parents[0] is c._parents[0]
            and h._ctx.index == 0 and c._ctx.index == 1):
        return h._parents[0]
    if h.requires_grad or c.requires_grad:
        return autograd.stack([h, c], axis=0)
    return Tensor._make(np.stack([h.data, c.data]))


class GRUCell(_CellBase):
    """One GRU step h' = (1 - z) n + z h, as in torch; ``mode="scalar"`` computes it on Values."""

    _gates = 3
    _name = "GRUCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None,
                 seed: Any = None, mode: str = "tensor") -> None:
        super().__init__(input_size, hidden_size, bias, mode, seed, device, dtype)

    def _scalar_forward(self, input: Any, hx: Any) -> np.ndarray:
        """Values: r, z = sigmoid, n = tanh(x-side + r h-side), h' = (1 - z) n + z h."""
        xr, (hr,), batched = self._scalar_rows(input, ((hx, "hx"),))
        n = self.hidden_size
        out = np.empty((len(xr), n), dtype=object)
        for b, xs in enumerate(xr):
            rz = self._gate_sums(xs, hr[b], range(2 * n))
            cand = self._gate_sums(xs, hr[b], range(2 * n, 3 * n), split=True)
            for j in range(n):
                r, z = rz[j].sigmoid(), rz[n + j].sigmoid()
                a, hside = cand[j]
                out[b, j] = (1 - z) * (a + r * hside).tanh() + z * hr[b][j]
        return out if batched else out.reshape(n)

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", mode={self.mode!r}" if self.mode == "scalar" else "")

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        if self.mode == "scalar":
            return self._scalar_forward(input, hx)
        x, batched = self._input(input)
        h = self._state(hx, "hx", x.shape[0], batched)
        if h is None:
            h = Tensor._make(np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))
        out = GRUCellOp._apply_tensors((x, h) + self._weights())
        return out if batched else out.reshape(self.hidden_size)


__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "detach_state"]
