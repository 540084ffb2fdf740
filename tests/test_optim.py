"""Optimisers and schedulers: hand-computed steps, torch.optim trajectories, Values, groups, state dicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, Value

# ------------------------------------------------------------- hand-computed


def one_step(opt_cls, p0, g, steps=1, **kw):
    p = Tensor(np.array(p0, dtype=float), requires_grad=True)
    opt = opt_cls([p], **kw)
    for _ in range(steps):
        p.grad = np.array(g, dtype=float)
        opt.step()
    return p.data


def test_sgd_by_hand():
    np.testing.assert_allclose(one_step(optim.SGD, [1.0, -2.0], [0.5, 1.0], lr=0.1), [0.95, -2.1])
    # weight decay: d = g + wd p
    np.testing.assert_allclose(one_step(optim.SGD, [1.0], [0.5], lr=0.1, weight_decay=0.1), [1 - 0.1 * 0.6])
    # momentum: buf1 = g, p1 = 1 - 0.1 * 1 = 0.9; buf2 = 0.9 * 1 + 1 = 1.9, p2 = 0.9 - 0.19 = 0.71
    np.testing.assert_allclose(one_step(optim.SGD, [1.0], [1.0], steps=2, lr=0.1, momentum=0.9), [0.71])
    # dampening 0.5: buf2 = 0.9 * 1 + 0.5 * 1 = 1.4, p2 = 0.9 - 0.14
    np.testing.assert_allclose(one_step(optim.SGD, [1.0], [1.0], steps=2, lr=0.1, momentum=0.9, dampening=0.5),
                               [0.76])
    # nesterov: d1 = 1 + 0.9 * 1 = 1.9 -> 0.81; buf2 = 1.9, d2 = 1 + 0.9 * 1.9 = 2.71 -> 0.539
    np.testing.assert_allclose(one_step(optim.SGD, [1.0], [1.0], steps=2, lr=0.1, momentum=0.9, nesterov=True),
                               [0.539])


def test_adam_by_hand():
    # the first Adam step moves every coordinate by about lr against the gradient's sign
    g = np.array([0.3, -2.0])
    m = 0.1 * g
    v = 0.001 * g * g
    expected = np.array([1.0, 1.0]) - 0.01 / 0.1 * m / (np.sqrt(v) / math.sqrt(0.001) + 1e-8)
    np.testing.assert_allclose(one_step(optim.Adam, [1.0, 1.0], g, lr=0.01), expected, rtol=1e-14)
    np.testing.assert_allclose(expected, [0.99, 1.01], rtol=1e-7)
    # AdamW decays first: p * (1 - lr wd)
    np.testing.assert_allclose(one_step(optim.AdamW, [1.0], [1.0], lr=0.1, weight_decay=0.5),
                               [1.0 * (1 - 0.05) - 0.1 / (1 + 1e-8)], rtol=1e-14)


def test_rmsprop_and_adagrad_by_hand():
    # RMSprop: s = 0.01 g^2, p -= lr g / (sqrt(s) + eps) = lr * 10 * sign(g)
    np.testing.assert_allclose(one_step(optim.RMSprop, [0.0], [2.0], lr=0.01, eps=0.0), [-0.1], rtol=1e-14)
    # centered: gbar = 0.01 g, avg = sqrt(0.01 g^2 - 1e-4 g^2)
    np.testing.assert_allclose(one_step(optim.RMSprop, [0.0], [2.0], lr=0.01, eps=0.0, centered=True),
                               [-0.01 * 2 / math.sqrt(0.0099 * 4)], rtol=1e-14)
    # Adagrad: sum = g^2 each step; step 2 with lr_decay 0.5: clr = lr / 1.5
    p = one_step(optim.Adagrad, [0.0], [1.0], steps=2, lr=0.3, lr_decay=0.5, eps=0.0)
    np.testing.assert_allclose(p, [-0.3 - 0.2 / math.sqrt(2)], rtol=1e-14)


# --------------------------------------------------------------- vs torch

CONFIGS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.5, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, maximize=True)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.01, maximize=True)),
]

DATA = np.random.default_rng(1).normal(size=(8, 3))
YDATA = np.sin(DATA.sum(axis=1))


def loss_ours(w1, w2):
    return (((Tensor(DATA) @ w1).tanh() @ w2 - YDATA) ** 2).mean()


def loss_torch(torch, w1, w2):
    return ((torch.tanh(torch.tensor(DATA) @ w1) @ w2 - torch.tensor(YDATA)) ** 2).mean()


@pytest.mark.parametrize("name, kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_fifty_steps_match_torch(name, kw):
    torch = pytest.importorskip("torch")
    init = np.random.default_rng(2)
    a1, a2 = init.normal(size=(3, 4)), init.normal(size=4)
    w1, w2 = Tensor(a1, requires_grad=True), Tensor(a2, requires_grad=True)
    t1, t2 = torch.tensor(a1, requires_grad=True), torch.tensor(a2, requires_grad=True)
    ours = getattr(optim, name)([w1, w2], **kw)
    extra = {} if name == "SGD" else {"foreach": False}
    theirs = getattr(torch.optim, name)([t1, t2], **kw, **extra)
    for _ in range(50):
        ours.zero_grad()
        loss_ours(w1, w2).backward()
        ours.step()
        theirs.zero_grad()
        loss_torch(torch, t1, t2).backward()
        theirs.step()
    np.testing.assert_allclose(w1.data, t1.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(w2.data, t2.detach().numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name, kw", CONFIGS[::3], ids=[n for n, _ in CONFIGS[::3]])
def test_values_follow_the_same_trajectory_as_tensors(name, kw):
    X = np.random.default_rng(3).normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0])
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    scalar = model.to_scalar()
    opt_t = getattr(optim, name)(model.parameters(), **kw)
    opt_s = getattr(optim, name)(scalar.parameters(), **kw)
    for _ in range(10):
        for m, opt in ((model, opt_t), (scalar, opt_s)):
            opt.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(m(X), y.reshape(-1, 1)).backward()
            opt.step()
    for k, v in model.state_dict().items():
        np.testing.assert_allclose(scalar.state_dict()[k], v, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------- groups, state


def test_param_groups_have_their_own_hyper_parameters():
    a, b = Tensor([1.0], requires_grad=True), Value(1.0)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = np.array([1.0])
    b.grad = 1.0
    opt.step()
    assert a.data[0] == pytest.approx(0.9) and b.data == pytest.approx(0.5)
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[0]["lr"] == 0.1
    opt.zero_grad()
    assert a.grad is None and b.grad == 0.0


def test_parameters_without_grad_are_skipped():
    a = Tensor([1.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.step()
    assert a.data[0] == 1.0 and not opt.state


@pytest.mark.parametrize("name, kw", [c for c in CONFIGS if c[0] != "SGD" or "momentum" in c[1]])
def test_resume_from_state_dict_gives_identical_trajectory(name, kw):
    X = np.random.default_rng(4).normal(size=(10, 3))
    y = np.random.default_rng(5).integers(0, 3, size=10)

    def run(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.cross_entropy(model(X), y).backward()
            opt.step()

    for mode in ("tensor", "scalar"):
        model = nn.MLP(3, [4, 3], seed=1, mode=mode)
        opt = getattr(optim, name)(model.parameters(), **kw)
        run(model, opt, 5)
        saved_model, saved_opt = model.state_dict(), opt.state_dict()
        run(model, opt, 5)
        resumed = nn.MLP(3, [4, 3], seed=99, mode=mode)
        resumed.load_state_dict(saved_model)
        opt2 = getattr(optim, name)(resumed.parameters(), **kw)
        opt2.load_state_dict(saved_opt)
        run(resumed, opt2, 5)
        for k, v in model.state_dict().items():
            np.testing.assert_array_equal(resumed.state_dict()[k], v)


def test_state_dict_is_plain_and_failed_load_changes_nothing():
    model = nn.Linear(2, 2, seed=0)
    opt = optim.Adam(model.parameters(), lr=0.1)
    nn.functional.mse_loss(model(np.ones((3, 2))), np.zeros((3, 2))).backward()
    opt.step()
    sd = opt.state_dict()
    assert set(sd["state"]) == {0, 1} and sd["state"][0]["step"] == 1
    assert isinstance(sd["state"][0]["exp_avg"], np.ndarray) and sd["param_groups"][0]["params"] == [0, 1]
    before = {k: v["exp_avg"].copy() for k, v in sd["state"].items()}
    bad = opt.state_dict()
    bad["state"][1]["exp_avg"] = np.zeros(5)
    bad["param_groups"][0]["lr"] = 0.5
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        opt.load_state_dict(bad)
    assert opt.param_groups[0]["lr"] == 0.1
    for i, p in enumerate(model.parameters()):
        np.testing.assert_array_equal(opt.state[id(p)]["exp_avg"], before[i])
    with pytest.raises(ValueError, match="1 parameter groups"):
        optim.Adam([{"params": [model.weight]}, {"params": [model.bias]}]).load_state_dict(sd)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: optim.SGD(p, lr=0), "lr must be > 0"),
        (lambda p: optim.SGD(p, lr=-1), "lr must be > 0"),
        (lambda p: optim.Adam(p, lr=0.1, betas=(1.0, 0.9)), "beta1 must be >= 0 and < 1"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda p: optim.RMSprop(p, lr=0.1, momentum=-1), "momentum must be >= 0"),
        (lambda p: optim.Adagrad(p, lr=0.1, eps=-1), "eps must be >= 0"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD(p + p, lr=0.1), "appears twice"),
        (lambda p: optim.SGD([p[0] * 2], lr=0.1), "non-leaf"),
        (lambda p: optim.SGD([{"params": p, "momentom": 0.9}], lr=0.1), "unknown option"),
    ],
)
def test_bad_hyper_parameters(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make([Tensor([1.0], requires_grad=True)])


def test_closure_is_called_and_its_loss_returned():
    w = Tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 4.0 and w.data[0] == pytest.approx(1.0)


# ------------------------------------------------------------- schedulers


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=4)),
]


@pytest.mark.numpy_only
@pytest.mark.parametrize("name, kw", SCHEDULERS)
def test_schedulers_match_torch(name, kw):
    torch = pytest.importorskip("torch")
    p = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    sched = getattr(optim.lr_scheduler, name)(opt, **kw)
    tp = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    for _ in range(20):
        assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"], rel=1e-15, abs=1e-18)
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-15)


@pytest.mark.numpy_only
def test_schedulers_by_hand():
    p = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = optim.StepLR(opt, step_size=2, gamma=0.1)
    lrs = []
    for _ in range(5):
        lrs.append(opt.param_groups[0]["lr"])
        sched.step()
    assert lrs == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])
    opt = optim.SGD([p], lr=2.0)
    cos = optim.CosineAnnealingLR(opt, T_max=4)
    seen = []
    for _ in range(5):
        seen.append(opt.param_groups[0]["lr"])
        cos.step()
    assert seen == pytest.approx([2.0, 1 + math.cos(math.pi / 4), 1.0, 1 - math.cos(math.pi / 4), 0.0], abs=1e-15)
    opt = optim.SGD([p], lr=1.0)
    lam = optim.LambdaLR(opt, lambda k: 1.0 - 0.9 * k / 100)
    lam.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.991)
    with pytest.raises(ValueError, match="step_size must be a positive int"):
        optim.StepLR(opt, step_size=0)
