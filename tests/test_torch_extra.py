"""torch's functions by rank (mm, bmm, mv, dot), log1p/expm1, devices, conversions and random tensors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck

def _t(a):
    return Tensor(np.array(a, dtype=np.float64), requires_grad=True)


CASES = {
    "mm": ((3, 4), (4, 2)),
    "bmm": ((2, 3, 4), (2, 4, 5)),
    "mv": ((3, 4), (4,)),
    "dot": ((5,), (5,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_products_by_rank_match_torch_and_gradcheck(name):
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a0, b0 = (rng.standard_normal(s) for s in CASES[name])
    a, b = _t(a0), _t(b0)
    out = getattr(autograd, name)(a, b)
    ta, tb = th.tensor(a0, requires_grad=True), th.tensor(b0, requires_grad=True)
    tout = getattr(th, name)(ta, tb)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = rng.standard_normal(out.shape)
    (out * Tensor(w)).sum().backward()
    (tout * th.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, y: getattr(autograd, name)(x, y), [_t(a0), _t(b0)])
    np.testing.assert_allclose(getattr(Tensor(a0), name)(Tensor(b0)).data, out.data)  # the method spelling


def test_products_refuse_other_ranks():
    with pytest.raises(ValueError, match=r"mm: expected a 2-D and a 2-D tensor, got shapes \(3,\) and \(3, 2\)"):
        autograd.mm(Tensor(np.ones(3)), Tensor(np.ones((3, 2))))
    with pytest.raises(ValueError, match="bmm: batch sizes differ"):
        autograd.bmm(Tensor(np.ones((2, 3, 4))), Tensor(np.ones((3, 4, 5))))
    with pytest.raises(ValueError, match="dot: lengths differ"):
        autograd.dot(Tensor(np.ones(3)), Tensor(np.ones(4)))


@pytest.mark.parametrize("name", ["log1p", "expm1", "square"])
def test_log1p_expm1_square(name):
    th = pytest.importorskip("torch")
    x0 = np.array([[-0.5, 1e-10, 0.3], [2.0, -1e-8, 0.7]])
    x = _t(x0)
    out = getattr(autograd, name)(x)
    tx = th.tensor(x0, requires_grad=True)
    tout = getattr(th, name)(tx)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-14, atol=0)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-13)
    assert gradcheck(getattr(autograd, name), [_t(x0[:, ::2])])  # a strided input too


def test_devices_are_the_cpu():
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    assert x.to("cpu") is x and x.cpu() is x and x.device == autograd.device("cpu") and not x.is_cuda
    assert str(x.device) == "cpu" and not autograd.cuda.is_available()
    y = x.to("cpu", autograd.float64)
    assert y.dtype == np.float64 and x.to(y).dtype == np.float64 and x.to(dtype=autograd.float64).dtype == np.float64
    assert x.to("cpu", copy=True) is not x
    with pytest.raises(RuntimeError, match="CPU only"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        autograd.device("cuda:0")


def test_type_contiguous_and_conversions():
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    assert x.type() == "torch.FloatTensor" and x.type(autograd.float64).type() == "torch.DoubleTensor"
    assert x.type("torch.DoubleTensor").dtype == np.float64
    with pytest.raises(TypeError, match="unknown tensor type"):
        x.type("torch.QuantumTensor")
    t = Tensor(np.ones((3, 2)), requires_grad=True)
    v = t.T
    assert not v.is_contiguous() and v.contiguous().is_contiguous() and t.contiguous() is t
    v.contiguous().sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.ones((3, 2)))
    a = np.arange(3.0)
    f = autograd.from_numpy(a)
    a[0] = 7.0
    assert f.data[0] == 7.0  # the same memory, as torch.from_numpy
    assert autograd.is_tensor(f) and not autograd.is_tensor(a) and autograd.is_floating_point(f)


def test_random_tensors():
    autograd.manual_seed(0)
    r = autograd.randint(0, 5, (1000,))
    assert r.dtype == np.int64 and r.data.min() >= 0 and r.data.max() <= 4 and len(set(r.data.tolist())) == 5
    assert autograd.randint(3, (4, 2)).shape == (4, 2)
    p = autograd.randperm(10)
    assert sorted(p.data.tolist()) == list(range(10))
    m = autograd.multinomial(Tensor([0.0, 1.0, 0.0]), 4, replacement=True)
    assert m.data.tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="without replacement"):
        autograd.multinomial(Tensor([1.0, 1.0]), 3)
    n = autograd.normal(2.0, 0.5, (20000,))
    assert abs(n.data.mean() - 2.0) < 0.02 and abs(n.data.std() - 0.5) < 0.02
    assert autograd.empty(2, 3).shape == (2, 3)
    w = Tensor(np.zeros(5000), requires_grad=True)
    with autograd.no_grad():
        w.uniform_(-1, 1)
        assert -1 <= w.data.min() and w.data.max() <= 1 and w.data.std() > 0.5
        w.normal_(0.0, 2.0)
    assert abs(w.data.std() - 2.0) < 0.1 and w.requires_grad


def test_backward_gradient_keyword_and_printoptions():
    a = Tensor([2.0, 3.0], requires_grad=True)
    q = 3 * a ** 3
    q.backward(gradient=Tensor([1.0, 1.0]))
    np.testing.assert_allclose(a.grad.data, 9 * a.data ** 2)
    with pytest.raises(TypeError, match="give the gradient once"):
        (3 * a).backward(Tensor([1.0, 1.0]), gradient=Tensor([1.0, 1.0]))
    try:
        autograd.set_printoptions(precision=2)
        assert "3.14" in repr(Tensor([3.14159])) and "3.142" not in repr(Tensor([3.14159]))
        with pytest.raises(ValueError, match="precision must be an int"):
            autograd.set_printoptions(precision=-1)
    finally:
        autograd.set_printoptions(profile="default")
    assert "3.1416" in repr(Tensor([3.14159]))


def test_modules_and_checkpoints_take_torch_s_device_arguments(tmp_path):
    import nn

    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    assert model.to("cpu") is model and model.to(autograd.device("cpu")) is model
    assert model.to("cpu", autograd.float32)[0].weight.dtype == np.float32
    with pytest.raises(RuntimeError, match="CPU only"):
        model.to("cuda")
    path = tmp_path / "m.pt"
    autograd.save(model.state_dict(), path)
    state = autograd.load(path, map_location="cpu", weights_only=True)
    np.testing.assert_array_equal(state["0.weight"], model[0].weight.data)
    with pytest.raises(RuntimeError, match="CPU only"):
        autograd.load(path, map_location="cuda:0")
