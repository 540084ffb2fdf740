"""The extra activations of nn (CELU, SELU, Softsign, Hardsigmoid, Hardswish, Hardtanh, ReLU6, Softmin,
Softplus(beta, threshold)) and F.normalize / F.pad: against torch, and scalar mode against tensor mode."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# both sides of every kink (-3, 0, 3, 6 and the hardtanh bounds), never on one
X = np.array([-5.0, -3.5, -2.2, -0.7, -0.1, 0.3, 1.1, 2.5, 3.4, 5.2, 6.5, 8.0])

MODULES = [
    (lambda: nn.CELU(0.5), lambda: torch.nn.CELU(0.5)),
    (lambda: nn.SELU(), lambda: torch.nn.SELU()),
    (lambda: nn.Softsign(), lambda: torch.nn.Softsign()),
    (lambda: nn.Hardsigmoid(), lambda: torch.nn.Hardsigmoid()),
    (lambda: nn.Hardswish(), lambda: torch.nn.Hardswish()),
    (lambda: nn.Hardtanh(-2.0, 3.0), lambda: torch.nn.Hardtanh(-2.0, 3.0)),
    (lambda: nn.ReLU6(), lambda: torch.nn.ReLU6()),
    (lambda: nn.Softmin(0), lambda: torch.nn.Softmin(0)),
    (lambda: nn.Softplus(2.0, 4.0), lambda: torch.nn.Softplus(2.0, 4.0)),
    (lambda: nn.Softplus(0.5), lambda: torch.nn.Softplus(0.5)),
]
IDS = ["celu", "selu", "softsign", "hardsigmoid", "hardswish", "hardtanh", "relu6", "softmin", "softplus_bt",
       "softplus_b"]


@pytest.mark.parametrize("make, make_ref", MODULES, ids=IDS)
def test_module_matches_torch(make, make_ref) -> None:
    rtol = 1e-12  # hardsigmoid too: its slope is torch's float32 1/6 (HARDSIGMOID_SLOPE)
    a = X.reshape(3, 4)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, r = make()(x), make_ref()(t)
    np.testing.assert_allclose(y.data, r.detach().numpy(), rtol=rtol, atol=1e-14)
    cot = np.random.default_rng(0).standard_normal(a.shape)
    y.backward(cot)
    r.backward(torch.tensor(cot))
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("make, make_ref", MODULES, ids=IDS)
def test_scalar_mode_matches_tensor_mode(make, make_ref) -> None:
    a = X.reshape(3, 4)
    x = Tensor(a, requires_grad=True)
    y = make()(x)
    cot = np.random.default_rng(1).standard_normal(a.shape)
    y.backward(cot)
    vals = np.array([Value(float(v)) for v in a.reshape(-1)], dtype=object).reshape(a.shape)
    out = make()(vals)
    total = Value.sum([o * float(c) for o, c in zip(out.reshape(-1), cot.reshape(-1))])
    total.backward()
    np.testing.assert_allclose([o.data for o in out.reshape(-1)], y.data.reshape(-1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose([v.grad for v in vals.reshape(-1)], x.grad.reshape(-1), rtol=1e-12, atol=1e-14)


def test_get_activation_knows_the_new_names() -> None:
    for name, cls in [("celu", nn.CELU), ("selu", nn.SELU), ("softsign", nn.Softsign), ("hardsigmoid", nn.Hardsigmoid),
                      ("hardswish", nn.Hardswish), ("hardtanh", nn.Hardtanh), ("relu6", nn.ReLU6),
                      ("softmin", nn.Softmin), ("ReLU6", nn.ReLU6)]:
        assert type(nn.get_activation(name)) is cls
        assert F.get_activation_fn(name) is getattr(F, name.lower())
    model = nn.Sequential(nn.Linear(3, 4), nn.Hardswish(), nn.Linear(4, 2), nn.Softmin(-1))
    out = model(Tensor(np.ones((5, 3))))
    np.testing.assert_allclose(out.data.sum(axis=1), 1.0, rtol=1e-12)


def test_module_arguments_and_repr() -> None:
    assert repr(nn.Hardtanh(-2, 3)) == "Hardtanh(min_val=-2, max_val=3)"
    assert repr(nn.CELU(0.5)) == "CELU(alpha=0.5)"
    assert repr(nn.Softplus()) == "Softplus()"
    with pytest.raises(ValueError, match="Hardtanh: min_val=3 is greater than max_val=-2"):
        nn.Hardtanh(3, -2)
    with pytest.raises(ValueError, match="CELU: alpha must not be 0"):
        nn.CELU(0)
    with pytest.raises(TypeError, match="Softmin: dim must be an int"):
        nn.Softmin("x")
    with pytest.raises(TypeError, match="Softplus: beta must be a number"):
        nn.Softplus("2")


def test_softplus_defaults_are_torchs() -> None:
    a = np.array([-40.0, -1.0, 0.0, 2.0, 19.9, 20.0, 20.1, 30.0, 900.0])
    r = torch.tensor(a, requires_grad=True)
    ref = TF.softplus(r)
    ref.backward(torch.ones(a.size))
    for make in (F.softplus, nn.Softplus(), lambda t: nn.Softplus(1.0, 20.0)(t)):
        x = Tensor(a, requires_grad=True)
        y = make(x)
        np.testing.assert_array_equal(y.data, ref.detach().numpy())  # x itself past the threshold, exactly
        y.backward(np.ones(a.size))
        np.testing.assert_allclose(x.grad.data, r.grad.numpy(), rtol=1e-15)
    assert torch.nn.Softplus().threshold == nn.Softplus().threshold == 20.0
    # threshold=None keeps the exact formula everywhere
    np.testing.assert_allclose(F.softplus(Tensor(a), threshold=None).data, np.logaddexp(0, a), rtol=1e-15)
    np.testing.assert_allclose(nn.Softplus(threshold=None)(Tensor(a)).data, np.logaddexp(0, a), rtol=1e-15)
    v, big = F.softplus(Value(2.0)), F.softplus(Value(25.0))
    assert type(v) is Value and abs(v.data - np.logaddexp(0, 2.0)) < 1e-15 and big.data == 25.0


def test_functional_normalize_and_pad_match_torch() -> None:
    a = np.random.default_rng(3).standard_normal((2, 3, 4))
    np.testing.assert_allclose(F.normalize(a, dim=-1).data, TF.normalize(torch.tensor(a), dim=-1).numpy(), rtol=1e-12)
    for mode in ("constant", "reflect", "replicate", "circular"):
        np.testing.assert_array_equal(F.pad(a, (1, 2, 2, 1), mode=mode).data,
                                      TF.pad(torch.tensor(a), (1, 2, 2, 1), mode=mode).numpy())
    with pytest.raises(TypeError, match="normalize: got Values"):
        F.normalize(np.array([Value(1.0)], dtype=object))
