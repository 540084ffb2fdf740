"""nn.utils: gradient clipping and parameter vectors, against torch; whatever type ``.grad`` has."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, Value
from nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
SHAPES = [(3, 4), (4,), (2, 2, 2)]
GRADS = [RNG.normal(size=s) * 3 for s in SHAPES]


def make(dtype=np.float64, as_tensor=False):
    ours = [Tensor(np.ones(s, dtype=dtype), requires_grad=True) for s in SHAPES]
    theirs = [torch.ones(s, dtype=torch.float64 if dtype == np.float64 else torch.float32, requires_grad=True)
              for s in SHAPES]
    for p, q, g in zip(ours, theirs, GRADS):
        p.grad = Tensor(g.astype(dtype)) if as_tensor else g.astype(dtype)
        q.grad = torch.tensor(g.astype(dtype))
    return ours, theirs


def grad_of(p):
    g = p.grad
    return g.data if isinstance(g, Tensor) else g


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, as_tensor):
    ours, theirs = make(as_tensor=as_tensor)
    held = [grad_of(p) for p in ours]
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, Tensor) and total.shape == ()
    np.testing.assert_allclose(total.item(), ref.item(), rtol=1e-12)
    for p, q, h in zip(ours, theirs, held):
        np.testing.assert_allclose(grad_of(p), q.grad.numpy(), rtol=1e-12)
        assert grad_of(p) is h  # in place: whoever holds the gradient sees the clipped numbers


def test_clip_grad_norm_float32_and_value_():
    ours, theirs = make(np.float32)
    total = clip_grad_norm_(iter(ours), 1.0)  # a generator works, as model.parameters() in torch
    ref = torch.nn.utils.clip_grad_norm_(iter(theirs), 1.0)
    assert total.dtype == np.float32
    np.testing.assert_allclose(total.item(), ref.item(), rtol=1e-5)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(grad_of(p), q.grad.numpy(), rtol=1e-5)
    for as_tensor in (False, True):
        ours, theirs = make(as_tensor=as_tensor)
        assert clip_grad_value_(ours, 0.7) is None
        torch.nn.utils.clip_grad_value_(theirs, 0.7)
        for p, q in zip(ours, theirs):
            np.testing.assert_array_equal(grad_of(p), q.grad.numpy())


def test_clipping_is_what_the_optimiser_steps_with():
    model = nn.Linear(3, 2, seed=0)
    opt = optim.SGD(model.parameters(), lr=1.0)
    before = [p.data.copy() for p in model.parameters()]
    (model(Tensor(np.ones((5, 3)) * 10)) ** 2).sum().backward()
    total = clip_grad_norm_(model.parameters(), 0.1)
    assert total.item() > 0.1
    clipped = [grad_of(p).copy() for p in model.parameters()]
    assert math.isclose(math.sqrt(sum((g**2).sum() for g in clipped)), 0.1, rel_tol=1e-5)
    opt.step()
    for p, b, g in zip(model.parameters(), before, clipped):
        np.testing.assert_allclose(p.data, b - g, rtol=1e-12)


def test_no_grads_nonfinite_and_scalar_mode():
    p = Tensor(np.ones(3), requires_grad=True)
    assert clip_grad_norm_([p], 1.0).item() == 0.0
    p.grad = np.array([1.0, np.inf, 0.0])
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the total norm of order 2.0.*error_if_nonfinite"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_(p, 1.0).item())
    vals = [Value(1.0), Value(2.0)]
    vals[0].grad, vals[1].grad = 3.0, 4.0
    assert clip_grad_norm_(vals, 1.0).item() == pytest.approx(5.0)
    assert vals[0].grad == pytest.approx(0.6, rel=1e-5) and vals[1].grad == pytest.approx(0.8, rel=1e-5)
    clip_grad_value_(vals, 0.7)
    assert vals[1].grad == 0.7


def test_bad_input():
    p = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="norm_type must be a positive number or inf, got -1"):
        clip_grad_norm_([p], 1.0, norm_type=-1)
    with pytest.raises(TypeError, match="max_norm must be a number"):
        clip_grad_norm_([p], "1")
    with pytest.raises(TypeError, match="pass model.parameters\\(\\), not the model itself"):
        clip_grad_norm_(nn.Linear(2, 2), 1.0)
    with pytest.raises(TypeError, match="found int among the parameters"):
        clip_grad_value_([p, 3], 1.0)
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_([p], -1.0)
    with pytest.raises(ValueError, match="vec has 4 entries but the parameters hold 3"):
        vector_to_parameters(Tensor(np.ones(4)), [p])
    with pytest.raises(TypeError, match="expected a Tensor"):
        vector_to_parameters([1.0, 2.0, 3.0], [p])
    with pytest.raises(ValueError, match="got no parameters"):
        parameters_to_vector([])


def test_parameters_to_vector_round_trip_and_gradient():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Linear(4, 2, seed=1))
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)).double()
    with torch.no_grad():
        for v, q in zip(model.state_dict().values(), tmodel.parameters()):
            q.copy_(torch.tensor(v))
    vec = parameters_to_vector(model.parameters())
    tvec = torch.nn.utils.parameters_to_vector(tmodel.parameters())
    np.testing.assert_array_equal(vec.data, tvec.detach().numpy())
    (vec * vec).sum().backward()  # recorded: each parameter gets 2 p
    for p in model.parameters():
        np.testing.assert_allclose(grad_of(p), 2 * p.data)
    ids = [id(p) for p in model.parameters()]
    new = np.arange(vec.shape[0], dtype=np.float64)
    vector_to_parameters(Tensor(new), model.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tmodel.parameters())
    assert [id(p) for p in model.parameters()] == ids
    for p, q in zip(model.parameters(), tmodel.parameters()):
        np.testing.assert_array_equal(p.data, q.detach().numpy())


def test_import_spellings():
    import nn.utils
    from nn.utils.data import DataLoader

    assert nn.utils.clip_grad_norm_ is clip_grad_norm_ and DataLoader is nn.data.DataLoader
