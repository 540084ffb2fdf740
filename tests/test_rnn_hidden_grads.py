"""A layer's dW_hh and db_hh as one product (SequenceInputHH): torch's numbers, plain and under create_graph."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.ops.recurrent import SequenceInput, SequenceInputHH


def _pair(name, torch, bias=True, layers=2, bidirectional=True):
    tm = getattr(torch.nn, name)(3, 4, num_layers=layers, bias=bias, bidirectional=bidirectional).double()
    m = getattr(nn, name)(3, 4, num_layers=layers, bias=bias, bidirectional=bidirectional)
    m.load_state_dict({k: v.detach().numpy().copy() for k, v in tm.state_dict().items()})
    return m, tm


def _projections(out):
    seen, stack, found = set(), [out], []
    while stack:
        n = stack.pop()
        for p in n._parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
                if p._op in (SequenceInput, SequenceInputHH):
                    found.append(p._op)
    return found


@pytest.mark.parametrize("name", ["LSTM", "RNN", "GRU"])
@pytest.mark.parametrize("bias", [True, False])
def test_hidden_weight_gradients_match_torch(backend, name, bias):
    torch = pytest.importorskip("torch")
    m, tm = _pair(name, torch, bias)
    x = np.random.default_rng(1).standard_normal((6, 2, 3))
    out, _ = m(Tensor(x))
    kinds = set(_projections(out))
    assert kinds == ({SequenceInput} if name == "GRU" else {SequenceInputHH})
    (out * out).sum().backward()
    tout, _ = tm(torch.tensor(x))
    (tout * tout).sum().backward()
    for (k, p), (tk, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert k == tk
        np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("name", ["LSTM", "RNN"])
def test_hidden_weight_gradients_under_create_graph(backend, name):
    torch = pytest.importorskip("torch")
    m, tm = _pair(name, torch, layers=1, bidirectional=False)
    x = np.random.default_rng(2).standard_normal((5, 2, 3))
    out, _ = m(Tensor(x))
    w = m.weight_hh_l0
    (g,) = autograd.grad((out * out).sum(), [w], create_graph=True)
    (g * g).sum().backward()
    tout, _ = tm(torch.tensor(x))
    tw = tm.weight_hh_l0
    (tg,) = torch.autograd.grad((tout * tout).sum(), [tw], create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_truncated_bptt_keeps_every_steps_weight_gradient(backend):
    m = nn.LSTM(3, 4, bptt_truncate=2)
    x = Tensor(np.random.default_rng(3).standard_normal((6, 2, 3)))
    out, _ = m(x)
    out.sum().backward()
    fast = m.weight_hh_l0.grad.data.copy()
    # the same sum written step by step: each step's dG[t]^T h[t], through the per-step path (a GRU-style link)
    m.zero_grad()
    m._hidden_in_input = False
    out, _ = m(x)
    out.sum().backward()
    np.testing.assert_allclose(fast, m.weight_hh_l0.grad.data, rtol=1e-12, atol=1e-14)
