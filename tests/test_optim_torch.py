"""The optimisers of issue 12 against torch.optim: ASGD, NAdam, RAdam, Adamax, Adadelta, LBFGS; and implicit SGD.

Trajectories are compared over 50 steps in float64 (to 1e-10) and float32 (close), on both backends.
torch keeps some per-parameter scalars (ASGD's eta and mu, NAdam's mu_product) as tensors of the default
dtype, so the float64 comparisons run with torch's default dtype set to float64.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor

torch = pytest.importorskip("torch")

CONFIGS = [
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=10, weight_decay=0.01)),
    ("ASGD", dict(lr=0.02, t0=0, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.02, betas=(0.7, 0.9), eps=1e-5, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
]

DATA = np.random.default_rng(1).normal(size=(8, 3))
YDATA = np.sin(DATA.sum(axis=1))


@pytest.fixture
def torch64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _pair(dtype):
    init = np.random.default_rng(2)
    a1, a2 = init.normal(size=(3, 4)).astype(dtype), init.normal(size=4).astype(dtype)
    ours = [Tensor(a1.copy(), requires_grad=True), Tensor(a2.copy(), requires_grad=True)]
    theirs = [torch.tensor(a1, requires_grad=True), torch.tensor(a2, requires_grad=True)]
    return ours, theirs


def _loss_ours(w, dtype):
    return (((Tensor(DATA.astype(dtype)) @ w[0]).tanh() @ w[1] - YDATA.astype(dtype)) ** 2).mean()


def _loss_torch(w, dtype):
    X, y = torch.tensor(DATA.astype(dtype)), torch.tensor(YDATA.astype(dtype))
    return ((torch.tanh(X @ w[0]) @ w[1] - y) ** 2).mean()


def _run(name, kw, dtype, steps=50):
    ours, theirs = _pair(dtype)
    opt = getattr(optim, name)(ours, **kw)
    topt = getattr(torch.optim, name)(theirs, foreach=False, **kw)
    for _ in range(steps):
        opt.zero_grad()
        _loss_ours(ours, dtype).backward()
        opt.step()
        topt.zero_grad()
        _loss_torch(theirs, dtype).backward()
        topt.step()
    return ours, theirs, opt, topt


@pytest.mark.parametrize("name, kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_fifty_steps_match_torch_float64(name, kw, torch64):
    ours, theirs, opt, topt = _run(name, kw, np.float64)
    for w, t in zip(ours, theirs):
        assert w.data.dtype == np.float64
        np.testing.assert_allclose(w.data, t.detach().numpy(), rtol=1e-10, atol=1e-10)
    for w, t in zip(ours, theirs):  # the state too: same names, same numbers
        mine, its = opt.state[id(w)], topt.state[t]
        assert set(mine) == set(its)
        for k, v in its.items():
            np.testing.assert_allclose(mine[k], v.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("name, kw", CONFIGS[::2], ids=[n for n, _ in CONFIGS[::2]])
def test_fifty_steps_close_to_torch_float32(name, kw):
    ours, theirs, _, _ = _run(name, kw, np.float32)
    for w, t in zip(ours, theirs):
        assert w.data.dtype == np.float32
        np.testing.assert_allclose(w.data, t.detach().numpy(), rtol=2e-4, atol=2e-5)


def test_asgd_keeps_the_average_of_the_iterates(torch64):
    ours, theirs, opt, topt = _run("ASGD", dict(lr=0.05, t0=5), np.float64, steps=30)
    for w, t in zip(ours, theirs):
        ax = opt.state[id(w)]["ax"]
        np.testing.assert_allclose(ax, topt.state[t]["ax"].numpy(), rtol=1e-12, atol=1e-12)
        assert not np.allclose(ax, w.data)  # averaging started at step t0: the average lags the iterate
    assert opt.state_dict()["state"][0]["ax"].shape == (3, 4)


@pytest.mark.parametrize("name, kw", CONFIGS[1::3], ids=[n for n, _ in CONFIGS[1::3]])
def test_values_follow_the_same_trajectory_as_tensors(name, kw):
    X = np.random.default_rng(3).normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0]).reshape(-1, 1)
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    scalar = model.to_scalar()
    opt_t = getattr(optim, name)(model.parameters(), **kw)
    opt_s = getattr(optim, name)(scalar.parameters(), **kw)
    for _ in range(8):
        for m, opt in ((model, opt_t), (scalar, opt_s)):
            opt.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(m(X), y).backward()
            opt.step()
    for k, v in model.state_dict().items():
        np.testing.assert_allclose(scalar.state_dict()[k], v, rtol=1e-12, atol=1e-12)


def test_defaults_and_argument_names_are_torchs():
    import inspect

    for name in ("ASGD", "NAdam", "RAdam", "Adamax", "Adadelta", "LBFGS"):
        ours = inspect.signature(getattr(optim, name)).parameters
        theirs = inspect.signature(getattr(torch.optim, name)).parameters
        extra = {"foreach", "differentiable", "capturable"}
        for arg, p in theirs.items():
            if arg in extra:
                continue
            assert arg in ours, f"{name} lacks {arg}"
            assert ours[arg].default == p.default, f"{name}.{arg}: {ours[arg].default} != {p.default}"
        assert list(ours)[:3] == [a for a in theirs if a not in extra][:3]  # positional order follows torch


# ---------------------------------------------------------------- L-BFGS

RNG = np.random.default_rng(5)
XL = RNG.normal(size=(20, 4))
YL = np.sign(RNG.normal(size=20))


def _logistic_ours(w, dtype):
    X, y = XL.astype(dtype), YL.astype(dtype)
    return (1 + (-(Tensor(X) @ w) * y).exp()).log().mean() + 0.05 * (w * w).sum()


def _logistic_torch(w, dtype):
    X, y = torch.tensor(XL.astype(dtype)), torch.tensor(YL.astype(dtype))
    return torch.log(1 + torch.exp(-(X @ w) * y)).mean() + 0.05 * (w * w).sum()


LBFGS_CONFIGS = [
    dict(max_iter=2),
    dict(lr=0.5, max_iter=3, history_size=3),
    dict(line_search_fn="strong_wolfe", max_iter=2),
    dict(line_search_fn="strong_wolfe", max_iter=3, max_eval=4, history_size=2),
    dict(line_search_fn="strong_wolfe", tolerance_grad=1e-4, tolerance_change=1e-6),
]


def _lbfgs_run(kw, dtype, steps=50):
    a = (np.random.default_rng(2).normal(size=4) * 3).astype(dtype)
    w, tw = Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)
    opt, topt = optim.LBFGS([w], **kw), torch.optim.LBFGS([tw], **kw)

    def closure():
        opt.zero_grad()
        loss = _logistic_ours(w, dtype)
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = _logistic_torch(tw, dtype)
        loss.backward()
        return loss

    gap = 0.0
    for _ in range(steps):
        loss, tloss = opt.step(closure), topt.step(tclosure)
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-9 if dtype == np.float64 else 1e-4)
        gap = max(gap, float(np.abs(w.data - tw.detach().numpy()).max()))
    return w, tw, opt, topt, gap


@pytest.mark.parametrize("kw", LBFGS_CONFIGS, ids=[str(i) for i in range(len(LBFGS_CONFIGS))])
def test_lbfgs_matches_torch_float64(kw, torch64):
    w, tw, opt, topt, gap = _lbfgs_run(kw, np.float64)
    assert gap < 1e-10
    mine, its = opt.state_dict()["state"][0], topt.state[tw]
    assert mine["func_evals"] == its["func_evals"] and mine["n_iter"] == its["n_iter"]
    assert len(mine["old_dirs"]) == len(its["old_dirs"])
    assert float(its["t"]) == pytest.approx(mine["t"], rel=1e-9)


@pytest.mark.parametrize("kw", LBFGS_CONFIGS[::2], ids=["plain", "wolfe", "wolfe-tol"])
def test_lbfgs_close_to_torch_float32(kw):
    # 5 steps: past that the gradient is at float32's noise floor (~1e-5) and both wander within it
    w, tw, _, _, _ = _lbfgs_run(kw, np.float32, steps=5)
    assert w.data.dtype == np.float32
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-4, atol=1e-5)


def _number(loss):
    return float(loss.item() if isinstance(loss, Tensor) else loss.data)


def test_lbfgs_over_several_parameters_and_values():
    # a model's parameters are one flat vector; scalar mode follows the same path
    X = np.random.default_rng(3).normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0]).reshape(-1, 1)
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    scalar = model.to_scalar()
    for m in (model, scalar):
        opt = optim.LBFGS(m.parameters(), max_iter=4, line_search_fn="strong_wolfe")

        def closure(m=m, opt=opt):
            opt.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(m(X), y)
            loss.backward()
            return loss

        first = _number(opt.step(closure))
        for _ in range(3):
            last = _number(opt.step(closure))
        assert last < first
    for k, v in model.state_dict().items():
        np.testing.assert_allclose(scalar.state_dict()[k], v, rtol=1e-9, atol=1e-10)


def test_lbfgs_needs_a_closure_and_one_group():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match="needs a closure"):
        optim.LBFGS([w]).step()
    with pytest.raises(ValueError, match="doesn't support parameter groups"):
        optim.LBFGS([{"params": [w]}, {"params": [Tensor(np.ones(2), requires_grad=True)]}])
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe'"):
        optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(TypeError, match="history_size must be an int"):
        optim.LBFGS([w], history_size=2.5)


# ---------------------------------------------------------------- implicit SGD

N = 40
XR = np.random.default_rng(0).normal(size=(N, 3))
YR = XR @ np.array([1.0, -2.0, 0.5]) + 0.1 * np.random.default_rng(1).normal(size=N)
H = XR.T @ XR / N
B = XR.T @ YR / N
LSTSQ = np.linalg.lstsq(XR, YR, rcond=None)[0]
LAMBDA_MAX = float(np.linalg.eigvalsh(H).max())


def _least_squares(opt_cls, lr, **kw):
    w = Tensor(np.zeros(3), requires_grad=True)
    opt = opt_cls([w], lr=lr, **kw)

    def closure():
        opt.zero_grad()
        loss = ((Tensor(XR) @ w - YR) ** 2).sum() * (0.5 / N)
        loss.backward()
        return loss

    return w, opt, closure


@pytest.mark.parametrize("lr", [0.1, 1.0, 10.0, 1e3])
def test_isgd_step_is_the_closed_form_proximal_step(lr):
    w, opt, closure = _least_squares(optim.ISGD, lr, max_iter=500)
    for _ in range(3):
        before = w.data.copy()
        opt.step(closure)
        closed = np.linalg.solve(np.eye(3) + lr * H, before + lr * B)  # (I + lr H)^-1 (theta + lr X'y / n)
        np.testing.assert_allclose(w.data, closed, rtol=1e-9, atol=1e-10)


def test_isgd_with_weight_decay_is_the_ridge_proximal_step():
    lr, wd = 5.0, 0.3
    w, opt, closure = _least_squares(optim.ISGD, lr, weight_decay=wd, max_iter=500)
    for _ in range(40):
        opt.step(closure)
    ridge = np.linalg.solve(H + wd * np.eye(3), B)
    np.testing.assert_allclose(w.data, ridge, rtol=1e-8, atol=1e-8)


def test_isgd_converges_where_explicit_sgd_diverges():
    lr = 10 * 2 / LAMBDA_MAX  # ten times past explicit SGD's stability limit 2 / max eig(H)
    w, opt, closure = _least_squares(optim.ISGD, lr, max_iter=500)
    for _ in range(30):
        opt.step(closure)
    np.testing.assert_allclose(w.data, LSTSQ, rtol=1e-8, atol=1e-8)
    w_sgd, sgd, sgd_closure = _least_squares(optim.SGD, lr)
    for _ in range(30):
        sgd.step(sgd_closure)
    assert not np.isfinite(w_sgd.data).all() or np.abs(w_sgd.data - LSTSQ).max() > 1e6


def test_isgd_small_lr_is_close_to_sgd_and_maximize_climbs():
    w, opt, closure = _least_squares(optim.ISGD, 1e-4)
    w2, sgd, closure2 = _least_squares(optim.SGD, 1e-4)
    opt.step(closure)
    sgd.step(closure2)
    np.testing.assert_allclose(w.data, w2.data, rtol=1e-3)  # one implicit step = explicit step + O(lr^2)
    assert not np.array_equal(w.data, w2.data)
    # maximize: climb -L, i.e. descend L; same result as minimising
    w3, opt3, closure3 = _least_squares(optim.ISGD, 1.0, max_iter=500, maximize=True)
    for _ in range(3):
        opt3.step(lambda: _negated(opt3, w3))
    w4, opt4, closure4 = _least_squares(optim.ISGD, 1.0, max_iter=500)
    for _ in range(3):
        opt4.step(closure4)
    np.testing.assert_allclose(w3.data, w4.data, rtol=1e-9, atol=1e-10)


def _negated(opt, w):
    opt.zero_grad()
    loss = -((Tensor(XR) @ w - YR) ** 2).sum() * (0.5 / N)
    loss.backward()
    return loss


def test_isgd_warns_when_it_cannot_converge_and_keeps_values_mode():
    w, opt, closure = _least_squares(optim.ISGD, 1e3, max_iter=2)
    with pytest.warns(RuntimeWarning, match="did not converge in max_iter=2"):
        opt.step(closure)
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step()
    # scalar mode: one Value per weight, same implicit step
    X = np.random.default_rng(3).normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0]).reshape(-1, 1)
    model = nn.MLP(2, [1], seed=0)
    scalar = model.to_scalar()
    for m in (model, scalar):
        opt = optim.ISGD(m.parameters(), lr=2.0, max_iter=300)

        def closure(m=m, opt=opt):
            opt.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(m(X), y)
            loss.backward()
            return loss

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(2):
                opt.step(closure)
    for k, v in model.state_dict().items():
        np.testing.assert_allclose(scalar.state_dict()[k], v, rtol=1e-9, atol=1e-10)
