"""torch.nn names: nn.Buffer (torch 2.5: assigned to a module attribute it becomes a buffer), the RNN bases."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2, seed=0)
        self.pos = nn.Buffer(np.arange(4))
        self.scale = nn.Buffer(autograd.ones(2), persistent=False)

    def forward(self, x):
        return self.lin(x) * self.scale


def test_buffer_registers_keeps_dtype_and_persistence():
    m = Model()
    assert type(m.pos) is Tensor and m.pos.dtype == np.int64 and not m.pos.requires_grad
    assert sorted(n for n, _ in m.named_buffers()) == ["pos", "scale"]
    assert "pos" in m.state_dict() and "scale" not in m.state_dict()
    assert [n for n, _ in m.named_parameters()] == ["lin.weight", "lin.bias"]
    m.double()
    assert m.scale.dtype == np.float64 and m.pos.dtype == np.int64
    m.pos = nn.Buffer(np.zeros(3))
    assert m.pos.shape == (3,) and "pos" in m.state_dict()
    m.scale = nn.Buffer(autograd.zeros(2), persistent=True)
    assert "scale" in m.state_dict()


def test_buffer_matches_torch_names():
    torch = pytest.importorskip("torch")

    class T(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)
            self.pos = torch.nn.Buffer(torch.arange(4))
            self.scale = torch.nn.Buffer(torch.ones(2), persistent=False)

    assert sorted(Model().state_dict()) == sorted(T().state_dict())
    assert sorted(n for n, _ in Model().named_buffers()) == sorted(n for n, _ in T().named_buffers())


def test_buffer_bad_input():
    with pytest.raises(TypeError, match="Buffer: data must be numbers"):
        nn.Buffer(np.array(["a"]))


def test_rnn_base_classes_as_torch_names_them():
    assert isinstance(nn.LSTM(2, 3), nn.RNNBase) and isinstance(nn.GRU(2, 3), nn.RNNBase)
    assert isinstance(nn.LSTMCell(2, 3), nn.RNNCellBase) and not isinstance(nn.LSTMCell(2, 3), nn.RNNBase)
