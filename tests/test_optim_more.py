"""Rprop and the schedules ConstantLR, PolynomialLR, MultiplicativeLR, CyclicLR, ChainedScheduler (and LambdaLR with
one function per group) against torch.optim: parameter trajectories and learning rates, step by step."""

from __future__ import annotations

import numpy as np
import pytest

import optim
from autograd import Tensor, Value

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
W0, B0 = RNG.standard_normal((5, 3)), RNG.standard_normal(3)
X, Y = RNG.standard_normal((8, 5)), RNG.standard_normal((8, 3))


def _params(lib, dtype=np.float64):
    if lib is torch:
        return [torch.tensor(W0.astype(dtype), requires_grad=True), torch.tensor(B0.astype(dtype), requires_grad=True)]
    return [Tensor(W0.astype(dtype), requires_grad=True), Tensor(B0.astype(dtype), requires_grad=True)]


def _loss(lib, w, b, dtype=np.float64):
    make = torch.tensor if lib is torch else Tensor
    x, y = make(X.astype(dtype)), make(Y.astype(dtype))
    return (((x @ w + b).tanh() - y) ** 2).mean()


def _trajectory(lib, make_opt, make_sched=None, steps=30, dtype=np.float64):
    ps = _params(lib, dtype)
    opt = make_opt(torch.optim if lib is torch else optim, ps)
    sched = make_sched(torch.optim.lr_scheduler if lib is torch else optim.lr_scheduler, opt) if make_sched else None
    out, lrs = [], []
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, *ps, dtype=dtype).backward()
        opt.step()
        if sched is not None:
            sched.step()
        out.append([(p.detach().numpy() if lib is torch else p.data).copy() for p in ps])
        lrs.append([g["lr"] for g in opt.param_groups])
    return out, lrs, opt


RPROP = [
    dict(lr=0.01),
    dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.2)),
    dict(lr=0.02, maximize=True),
]


@pytest.mark.parametrize("kw", RPROP, ids=["defaults", "etas-sizes", "maximize"])
def test_rprop_follows_torch(kw, backend):
    ours, _, _ = _trajectory(None, lambda O, ps: O.Rprop(ps, **kw))
    theirs, _, _ = _trajectory(torch, lambda O, ps: O.Rprop(ps, foreach=False, **kw))
    for a, b in zip(ours, theirs):
        for pa, pb in zip(a, b):
            np.testing.assert_allclose(pa, pb, rtol=1e-12, atol=1e-14)


def test_rprop_float32_and_state_dict_round_trip(backend):
    ours, _, opt = _trajectory(None, lambda O, ps: O.Rprop(ps, lr=0.02), steps=10, dtype=np.float32)
    theirs, _, _ = _trajectory(torch, lambda O, ps: O.Rprop(ps, lr=0.02, foreach=False), steps=10, dtype=np.float32)
    np.testing.assert_allclose(ours[-1][0], theirs[-1][0], rtol=1e-5, atol=1e-6)
    state = opt.state_dict()
    assert sorted(state["state"][0]) == ["prev", "step", "step_size"] and state["state"][0]["step"] == 10
    ps = _params(None, np.float32)
    again = optim.Rprop(ps, lr=0.02)
    again.load_state_dict(state)
    np.testing.assert_array_equal(again.state[id(ps[0])]["step_size"], state["state"][0]["step_size"])


def test_rprop_in_scalar_mode_matches_tensor_mode():
    w = [Value(float(v)) for v in (0.5, -1.0, 2.0)]
    t = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    vo, to = optim.Rprop(w, lr=0.1), optim.Rprop([t], lr=0.1)
    for _ in range(6):
        vo.zero_grad()
        to.zero_grad()
        sum((v - 1.0) * (v - 1.0) * (v + 0.5) for v in w).backward()
        ((t - 1.0) * (t - 1.0) * (t + 0.5)).sum().backward()
        vo.step()
        to.step()
    np.testing.assert_allclose([v.data for v in w], t.data, rtol=1e-14)


SCHEDULES = {
    "ConstantLR": (lambda O, p: O.SGD(p, lr=0.1), lambda S, o: S.ConstantLR(o, factor=0.25, total_iters=4)),
    "PolynomialLR": (lambda O, p: O.SGD(p, lr=0.1), lambda S, o: S.PolynomialLR(o, total_iters=12, power=2.0)),
    "MultiplicativeLR": (lambda O, p: O.SGD(p, lr=0.1), lambda S, o: S.MultiplicativeLR(o, lambda e: 0.9 + 0.001 * e)),
    "CyclicLR triangular": (lambda O, p: O.SGD(p, lr=0.1, momentum=0.9),
                            lambda S, o: S.CyclicLR(o, 0.001, 0.1, step_size_up=4, step_size_down=3)),
    "CyclicLR triangular2": (lambda O, p: O.SGD(p, lr=0.1, momentum=0.9),
                             lambda S, o: S.CyclicLR(o, 0.001, 0.1, step_size_up=3, mode="triangular2")),
    "CyclicLR exp_range Adam": (lambda O, p: O.Adam(p, lr=0.01),
                                lambda S, o: S.CyclicLR(o, 1e-4, 0.02, step_size_up=5, mode="exp_range", gamma=0.97)),
    "CyclicLR no momentum": (lambda O, p: O.Adagrad(p, lr=0.1),
                             lambda S, o: S.CyclicLR(o, 0.01, 0.2, step_size_up=2, cycle_momentum=False)),
    "CyclicLR scale_fn": (lambda O, p: O.SGD(p, lr=0.1, momentum=0.5),
                          lambda S, o: S.CyclicLR(o, 0.01, 0.2, step_size_up=3, scale_fn=lambda x: 0.9**x,
                                                  scale_mode="iterations")),
    "ChainedScheduler": (lambda O, p: O.SGD(p, lr=0.1),
                         lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=5),
                                                          S.ExponentialLR(o, gamma=0.9)])),
    "SequentialLR of ConstantLR": (lambda O, p: O.SGD(p, lr=0.1),
                                   lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=3),
                                                                   S.PolynomialLR(o, total_iters=20)], [3])),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_follow_torch(name, backend):
    make_opt, make_sched = SCHEDULES[name]
    ours, our_lrs, opt = _trajectory(None, make_opt, make_sched)
    theirs, their_lrs, topt = _trajectory(torch, make_opt, make_sched)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-13, atol=1e-15)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a[0], b[0], rtol=1e-10, atol=1e-12)
    for key in ("momentum", "betas"):
        if key in topt.param_groups[0]:
            assert np.allclose(opt.param_groups[0][key], topt.param_groups[0][key], rtol=1e-13)


def test_lambda_lr_takes_one_function_per_group():
    def run(lib):
        ps = _params(lib)
        O = torch.optim if lib is torch else optim
        opt = O.SGD([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.5}], lr=0.1)
        sched = O.lr_scheduler.LambdaLR(opt, [lambda e: 0.9**e, lambda e: 1.0 / (1 + e)])
        lrs = []
        for _ in range(5):
            opt.step()
            sched.step()
            lrs.append([g["lr"] for g in opt.param_groups])
        return lrs

    np.testing.assert_allclose(run(None), run(torch), rtol=1e-15)
    ps = _params(None)
    with pytest.raises(ValueError, match="expected 1 lr_lambdas"):
        optim.lr_scheduler.LambdaLR(optim.SGD(ps, lr=0.1), [lambda e: 1.0, lambda e: 1.0])


@pytest.mark.parametrize("name", ["ConstantLR", "PolynomialLR", "CyclicLR triangular", "ChainedScheduler"])
def test_schedule_state_dict_resumes_the_same_rates(name):
    make_opt, make_sched = SCHEDULES[name]
    ps = _params(None)
    opt = make_opt(optim, ps)
    sched = make_sched(optim.lr_scheduler, opt)
    for _ in range(4):
        opt.step()
        sched.step()
    saved, saved_opt = sched.state_dict(), opt.state_dict()
    rest = []
    for _ in range(6):
        opt.step()
        sched.step()
        rest.append(opt.param_groups[0]["lr"])
    ps2 = _params(None)
    opt2 = make_opt(optim, ps2)
    sched2 = make_sched(optim.lr_scheduler, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    again = []
    for _ in range(6):
        opt2.step()
        sched2.step()
        again.append(opt2.param_groups[0]["lr"])
    assert again == rest
    with pytest.raises((ValueError, TypeError)):
        sched2.load_state_dict({"bogus": 1})


def test_bad_schedule_options_say_what_to_pass():
    opt = optim.Adagrad(_params(None), lr=0.1)
    with pytest.raises(ValueError, match="cycle_momentum=True needs an optimiser with momentum or betas"):
        optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1)
    other = optim.SGD(_params(None), lr=0.1)
    with pytest.raises(ValueError, match="belongs to another optimiser"):
        optim.lr_scheduler.ChainedScheduler([optim.lr_scheduler.ConstantLR(opt),
                                             optim.lr_scheduler.ConstantLR(other)])
    with pytest.raises(ValueError, match="step_sizes must be \\(min, max\\)"):
        optim.Rprop(_params(None), step_sizes=(1.0, 0.1))
