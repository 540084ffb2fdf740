"""torch's dot, contiguous and print options, and torch's device arguments on modules and checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck


def _t(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


def test_dot_matches_torch_and_gradcheck():
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal(5), rng.standard_normal(5)
    a, b = _t(a0), _t(b0)
    out = autograd.dot(a, b)
    ta, tb = th.tensor(a0, requires_grad=True), th.tensor(b0, requires_grad=True)
    tout = th.dot(ta, tb)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    out.backward()
    tout.backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-12)
    assert gradcheck(autograd.dot, [_t(a0), _t(rng.standard_normal(10)[::2])])
    np.testing.assert_allclose(Tensor(a0).dot(Tensor(b0)).data, out.data)
    with pytest.raises(ValueError, match="dot: lengths differ"):
        autograd.dot(Tensor(np.ones(3)), Tensor(np.ones(4)))
    with pytest.raises(ValueError, match="dot: expected two 1-D tensors"):
        autograd.dot(Tensor(np.ones((2, 2))), Tensor(np.ones(2)))


def test_contiguous_copies_only_strided_tensors_and_keeps_the_graph():
    t = Tensor(np.ones((3, 2)), requires_grad=True)
    v = t.T
    assert not v.is_contiguous() and v.contiguous().is_contiguous() and t.contiguous() is t
    (v.contiguous() * Tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.arange(6.0).reshape(2, 3).T)


def test_printoptions():
    try:
        autograd.set_printoptions(precision=2)
        assert "3.14" in repr(Tensor([3.14159])) and "3.142" not in repr(Tensor([3.14159]))
        autograd.set_printoptions(threshold=5, edgeitems=1)
        assert "..." in repr(Tensor(np.arange(10.0)))
        with pytest.raises(ValueError, match="precision must be an int"):
            autograd.set_printoptions(precision=-1)
        with pytest.raises(ValueError, match="profile must be one of"):
            autograd.set_printoptions(profile="tiny")
    finally:
        autograd.set_printoptions(profile="default")
    assert "3.1416" in repr(Tensor([3.14159]))


def test_modules_and_checkpoints_take_torch_s_device_arguments(tmp_path):
    import nn

    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    assert model.to("cpu") is model and model.to(autograd.device("cpu")) is model
    assert model.to("cpu", autograd.float32)[0].weight.dtype == np.float32
    with pytest.raises(RuntimeError, match="CPU"):
        model.to("cuda")
    with pytest.raises(TypeError, match="not a dtype"):
        model.to("floaty")
    path = tmp_path / "m.pt"
    autograd.save(model.state_dict(), path)
    state = autograd.load(path, map_location="cpu", weights_only=True)
    np.testing.assert_array_equal(state["0.weight"], model[0].weight.data)
    with pytest.raises(RuntimeError, match="CPU"):
        autograd.load(path, map_location="cuda:0")
