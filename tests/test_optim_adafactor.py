"""optim.Adafactor against torch.optim.Adafactor: trajectories (matrices, vectors, 3-D), options, state checks."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import optim
from autograd import Value

SHAPES = [(4, 3), (3,), (2, 3, 4)]
OPTIONS = [dict(), dict(lr=0.1, weight_decay=0.01), dict(beta2_decay=-0.5, eps=(1e-30, 1e-3), d=2.0),
           dict(maximize=True)]


@pytest.mark.parametrize("kw", OPTIONS, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_trajectory_matches_torch(kw, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours = [autograd.tensor(p.copy(), requires_grad=True) for p in start]
    theirs = [torch.tensor(p.copy(), requires_grad=True) for p in start]
    opt, topt = optim.Adafactor(ours, **kw), torch.optim.Adafactor(theirs, **kw)
    for _ in range(25):
        grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        for p, g in zip(ours, grads):
            p.grad = autograd.tensor(g)
        for p, g in zip(theirs, grads):
            p.grad = torch.tensor(g)
        opt.step()
        topt.step()
    tol = 1e-12 if dtype == np.float64 else 2e-6
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=tol, atol=tol)
    state = opt.state[id(ours[0])]
    assert state["row_var"].shape == (4, 1) and state["col_var"].shape == (1, 3) and state["step"] == 25
    assert opt.state[id(ours[1])]["variance"].shape == (3,)


def test_state_dict_round_trip_and_crafted_state():
    ps = [autograd.tensor(np.ones((4, 3)), requires_grad=True), autograd.tensor(np.ones(3), requires_grad=True)]
    opt = optim.Adafactor(ps)
    for p in ps:
        p.grad = autograd.ones(*p.shape)
    opt.step()
    sd = opt.state_dict()
    again = optim.Adafactor([autograd.tensor(np.ones((4, 3))), autograd.tensor(np.ones(3))])
    again.load_state_dict(sd)
    np.testing.assert_array_equal(again.state[id(again.param_groups[0]["params"][0])]["row_var"],
                                  opt.state[id(ps[0])]["row_var"])
    bad = opt.state_dict()
    bad["state"][0]["row_var"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"\['row_var'\] has shape \(4, 3\)"):
        again.load_state_dict(bad)


def test_bad_options_and_values():
    w = [autograd.tensor([1.0], requires_grad=True)]
    with pytest.raises(ValueError, match="beta2_decay must be a number <= 0"):
        optim.Adafactor(w, beta2_decay=0.5)
    with pytest.raises(ValueError, match="d must be"):
        optim.Adafactor(w, d=0.5)
    with pytest.raises(ValueError, match="eps must be a pair"):
        optim.Adafactor(w, eps=1e-3)
    v = Value(1.0)
    v.grad = 1.0
    with pytest.raises(TypeError, match="Adafactor: .* needs Tensors"):
        optim.Adafactor([v]).step()
