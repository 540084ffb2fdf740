"""The schedulers of issue 12 against torch.optim.lr_scheduler: every lr (and momentum) over 100 steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, load, save

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.numpy_only, pytest.mark.filterwarnings("ignore::UserWarning")]
TS = torch.optim.lr_scheduler


def _pair(opt_name, groups, **kw):
    ours = [Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)]
    theirs = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
    if groups:
        spec = lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.05}]  # noqa: E731
    else:
        spec = lambda ps: ps  # noqa: E731
    ours_opt = getattr(optim, opt_name)(spec(ours), lr=0.1, **kw)
    return ours_opt, getattr(torch.optim, opt_name)(spec(theirs), lr=0.1, **kw)


CASES = {
    "linear-default": ("SGD", {}, lambda o, M: M.LinearLR(o)),
    "linear-down": ("SGD", {}, lambda o, M: M.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=30)),
    "multistep": ("SGD", {}, lambda o, M: M.MultiStepLR(o, [10, 30, 30, 70], gamma=0.5)),
    "warm-restarts": ("SGD", {}, lambda o, M: M.CosineAnnealingWarmRestarts(o, T_0=7)),
    "warm-restarts-mult": ("SGD", {}, lambda o, M: M.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-3)),
    "onecycle-cos": ("SGD", {"momentum": 0.9}, lambda o, M: M.OneCycleLR(o, max_lr=1.0, total_steps=100)),
    "onecycle-linear-3phase": ("SGD", {"momentum": 0.9}, lambda o, M: M.OneCycleLR(
        o, max_lr=[1.0, 0.5][:len(o.param_groups)], total_steps=100, anneal_strategy="linear", three_phase=True,
        base_momentum=0.8)),
    "onecycle-adam-betas": ("Adam", {}, lambda o, M: M.OneCycleLR(
        o, max_lr=0.01, epochs=10, steps_per_epoch=10, pct_start=0.25, div_factor=10.0, final_div_factor=100.0)),
    "onecycle-no-momentum": ("Adam", {}, lambda o, M: M.OneCycleLR(o, max_lr=0.01, total_steps=100,
                                                                    cycle_momentum=False)),
    "sequential": ("SGD", {}, lambda o, M: M.SequentialLR(o, [
        M.LinearLR(o, start_factor=0.1, total_iters=10), M.CosineAnnealingLR(o, T_max=40),
        M.ExponentialLR(o, gamma=0.95)], milestones=[10, 50])),
    "sequential-steps": ("SGD", {}, lambda o, M: M.SequentialLR(o, [
        M.ExponentialLR(o, gamma=0.9), M.MultiStepLR(o, [5, 20]), M.StepLR(o, 7)], milestones=[20, 60])),
    "sequential-restarts": ("SGD", {}, lambda o, M: M.SequentialLR(o, [
        M.LinearLR(o, start_factor=0.5, total_iters=3), M.CosineAnnealingWarmRestarts(o, T_0=5)], milestones=[30])),
}


def _lrs(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["lr"])
        if "momentum" in g:
            out.append(g["momentum"])
        if "betas" in g:
            out.append(g["betas"][0])
    return out


@pytest.mark.parametrize("groups", [False, True], ids=["one-group", "two-groups"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_hundred_lrs_equal_torch(case, groups):
    opt_name, kw, make = CASES[case]
    opt, topt = _pair(opt_name, groups, **kw)
    sched, tsched = make(opt, optim.lr_scheduler), make(topt, TS)
    seen = []
    for _ in range(100):
        assert _lrs(opt) == pytest.approx(_lrs(topt), rel=1e-13, abs=1e-16)
        seen.append(opt.param_groups[0]["lr"])
        topt.step()
        if len(seen) < 100:
            sched.step()
            tsched.step()
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-13)
    assert len(set(seen)) > 3  # the schedule moved


def test_warm_restarts_with_fractional_epochs():
    opt, topt = _pair("SGD", False)
    sched = optim.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, eta_min=0.01)
    tsched = TS.CosineAnnealingWarmRestarts(topt, T_0=4, T_mult=2, eta_min=0.01)
    for epoch in range(12):
        for i in range(5):
            sched.step(epoch + i / 5)
            tsched.step(epoch + i / 5)
            assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"], rel=1e-13)
    with pytest.raises(ValueError, match="epoch must be a finite number"):
        sched.step(float("nan"))


METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.88, 0.881, 0.8805, 0.9, 1.0, 1.1, 1.2] * 6


@pytest.mark.parametrize("kw", [
    dict(patience=2),
    dict(mode="max", factor=0.5, patience=1, threshold=0.01, cooldown=2),
    dict(patience=1, threshold=0.005, threshold_mode="abs", min_lr=0.02),
    dict(mode="max", patience=0, threshold_mode="abs", min_lr=[0.03, 0.01], eps=1e-3),
])
def test_reduce_on_plateau_equals_torch(kw):
    opt, topt = _pair("SGD", True)
    sched, tsched = optim.ReduceLROnPlateau(opt, **kw), TS.ReduceLROnPlateau(topt, **kw)
    lrs = []
    for m in METRICS:
        sched.step(m)
        tsched.step(m)
        assert _lrs(opt) == _lrs(topt)
        assert (sched.best, sched.num_bad_epochs, sched.cooldown_counter) == (
            tsched.best, tsched.num_bad_epochs, tsched.cooldown_counter)
        lrs.append(opt.param_groups[0]["lr"])
    assert len(set(lrs)) > 1
    assert sched.get_last_lr() == tsched.get_last_lr()


def test_trainer_steps_reduce_on_plateau_with_the_monitored_loss():
    X = np.random.default_rng(0).normal(size=(16, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.MLP(2, [3, 2], seed=0)
    opt = optim.SGD(model.parameters(), lr=1e-6)  # so small that the loss cannot improve by the 1e-4 threshold
    sched = optim.ReduceLROnPlateau(opt, patience=0, factor=0.5, eps=0.0)
    history = nn.fit(model, "cross_entropy", opt, X, y, epochs=4, batch_size=16, scheduler=sched, progress=False,
                     validation_data=(X, y))
    assert sched.last_epoch == 4 and sched.best == history["val_loss"][0]  # it saw the validation loss
    assert history["lr"] == pytest.approx([1e-6, 1e-6, 5e-7, 2.5e-7])  # halved after every epoch but the first


@pytest.mark.parametrize("case", sorted(CASES))
def test_state_dict_resumes_through_save_and_load(case, tmp_path):
    opt_name, kw, make = CASES[case]
    opt, _ = _pair(opt_name, True, **kw)
    sched = make(opt, optim.lr_scheduler)
    straight = []
    for k in range(60):
        if k == 25:
            save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ck.npz")
        sched.step()
        straight.append(_lrs(opt))
    opt2, _ = _pair(opt_name, True, **kw)
    sched2 = make(opt2, optim.lr_scheduler)
    ck = load(tmp_path / "ck.npz")
    opt2.load_state_dict(ck["opt"])
    sched2.load_state_dict(ck["sched"])
    resumed = []
    for _ in range(25, 60):
        sched2.step()
        resumed.append(_lrs(opt2))
    assert resumed == straight[25:]


def test_reduce_on_plateau_state_round_trips(tmp_path):
    opt, _ = _pair("SGD", True)
    sched = optim.ReduceLROnPlateau(opt, patience=1, min_lr=[0.01, 0.02])
    for m in METRICS[:7]:
        sched.step(m)
    save(sched.state_dict(), tmp_path / "s.npz")
    opt2, _ = _pair("SGD", True)
    opt2.load_state_dict(opt.state_dict())
    sched2 = optim.ReduceLROnPlateau(opt2, patience=1, min_lr=[0.01, 0.02])
    sched2.load_state_dict(load(tmp_path / "s.npz"))
    for m in METRICS[7:]:
        sched.step(m)
        sched2.step(m)
        assert _lrs(opt) == _lrs(opt2)
    assert sched2.best == sched.best and math.isfinite(sched2.best)


@pytest.mark.parametrize("make, exc, match", [
    (lambda o: optim.LinearLR(o, start_factor=0), ValueError, "start_factor must be a number > 0 and <= 1"),
    (lambda o: optim.LinearLR(o, end_factor=1.5), ValueError, "end_factor must be a number >= 0 and <= 1"),
    (lambda o: optim.MultiStepLR(o, [3, -1]), ValueError, "milestones must be an int >= 0"),
    (lambda o: optim.MultiStepLR(o, [3], gamma=float("inf")), ValueError, "gamma must be a positive number"),
    (lambda o: optim.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0 must be a positive int"),
    (lambda o: optim.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult must be an int >= 1"),
    (lambda o: optim.OneCycleLR(o, max_lr=1.0), ValueError, "give total_steps, or epochs and steps_per_epoch"),
    (lambda o: optim.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"), ValueError,
     r"anneal_strategy must be one of \['cos', 'linear'\]"),
    (lambda o: optim.OneCycleLR(o, max_lr=float("nan"), total_steps=10), ValueError, "max_lr must be a finite"),
    (lambda o: optim.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5), ValueError, "pct_start must be"),
    (lambda o: optim.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=10), ValueError, "expected 1 values of max_lr"),
    (lambda o: optim.ReduceLROnPlateau(o, mode="avg"), ValueError, r"mode must be one of \['min', 'max'\]"),
    (lambda o: optim.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor must be a number >= 0 and < 1"),
    (lambda o: optim.ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be an int >= 0"),
    (lambda o: optim.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold_mode must be one of"),
    (lambda o: optim.SequentialLR(o, [], []), ValueError, "non-empty list of schedulers"),
    (lambda o: optim.SequentialLR(o, [optim.StepLR(o, 2), optim.StepLR(o, 3)], [5, 6]), ValueError,
     "2 schedulers need 1 milestones"),
    (lambda o: optim.SequentialLR(o, [optim.ReduceLROnPlateau(o), optim.StepLR(o, 3)], [5]), ValueError,
     "cannot be sequenced"),
    (lambda o: optim.SequentialLR(o, [optim.StepLR(optim.SGD([Tensor([1.0], requires_grad=True)]), 2),
                                      optim.StepLR(o, 3)], [5]), ValueError, "belongs to another optimiser"),
])
def test_bad_scheduler_arguments(make, exc, match):
    opt = optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(exc, match=match):
        make(opt)


def test_onecycle_refuses_steps_past_total_and_momentumless_optimisers():
    opt = optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9)
    sched = optim.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        sched.step()
    before = opt.param_groups[0]["lr"]
    with pytest.raises(ValueError, match="tried to step 4 times, but total_steps is 3"):
        sched.step()
    assert sched.last_epoch == 3 and opt.param_groups[0]["lr"] == before
    with pytest.raises(ValueError, match="cycle_momentum=True needs an optimiser with momentum or betas"):
        optim.OneCycleLR(optim.Adagrad([Tensor([1.0], requires_grad=True)]), max_lr=1.0, total_steps=3)
    with pytest.raises(TypeError, match="metrics must be a number"):
        optim.ReduceLROnPlateau(opt).step("low")
