"""Optimiser, scheduler, early-stopping and history state: strict loading, clear errors, nothing changed on failure.

Also: gradients must match their parameters, hyper-parameters must be finite, and every optimiser's
state round-trips through autograd.save/load and resumes the exact trajectory.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, Value, load, save


def _same(a, b, where="root"):
    """Exact equality of nested state, types and dtypes included."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{where}: {list(a)} != {list(b)}"
        for k in a:
            _same(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}/{i}")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, float) and a != a:
        assert b != b, where
    else:
        assert a == b, where


X = np.random.default_rng(0).normal(size=(12, 3))
Y = np.random.default_rng(1).integers(0, 2, size=12)


def _trained(make, steps=2, mode="tensor"):
    model = nn.MLP(3, [4, 2], activation="tanh", seed=0, mode=mode)
    opt = make(model.parameters())
    _train(model, opt, steps)
    return model, opt


def _train(model, opt, steps):
    losses = []
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(X), Y)
            loss.backward()
            return loss

        loss = opt.step(closure)
        losses.append(float(loss.item() if isinstance(loss, Tensor) else loss.data))
    return losses


# ------------------------------------------------------- optimiser state: bad entries


def _adam():
    model, opt = _trained(lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True))
    return opt


def _set(path, value):
    def edit(sd):
        node = sd
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return edit


def _drop(path):
    def edit(sd):
        node = sd
        for k in path[:-1]:
            node = node[k]
        del node[path[-1]]
    return edit


BAD_ADAM = {
    "sgd-state-whole": (lambda sd: sd.update(optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1).state_dict()),
                        ValueError, r"this state is from a 'SGD' optimiser; load it into a SGD, not a Adam"),
    "adamw-state": (_set(["class"], "AdamW"), ValueError, r"from a 'AdamW' optimiser"),
    "sgd-group-no-class": (lambda sd: (sd.pop("class"), sd["param_groups"][0].clear(),
                                       sd["param_groups"][0].update(lr=0.1, momentum=0.0, dampening=0.0,
                                                                    nesterov=False, weight_decay=0.0,
                                                                    maximize=False, params=list(range(4)))),
                           ValueError, r"param_groups\[0\]: unknown option\(s\) \['dampening', 'momentum', "
                                       r"'nesterov'\], missing option\(s\) \['amsgrad', 'betas', 'eps'\]"),
    "sgd-entry": (_set(["state", 0], {"momentum_buffer": np.zeros((4, 3))}), ValueError,
                  r"state\[0\]: unknown key\(s\) \['momentum_buffer'\], missing key\(s\) \['exp_avg', "
                  r"'exp_avg_sq', 'max_exp_avg_sq', 'step'\]"),
    "missing-exp_avg_sq": (_drop(["state", 1, "exp_avg_sq"]), ValueError,
                           r"state\[1\]: unknown key\(s\) \[\], missing key\(s\) \['exp_avg_sq'\]"),
    "missing-max_exp_avg_sq": (_drop(["state", 1, "max_exp_avg_sq"]), ValueError, r"missing key\(s\) "
                                                                                  r"\['max_exp_avg_sq'\]"),
    "exp_avg-None": (_set(["state", 0, "exp_avg"], None), TypeError,
                     r"state\[0\]\['exp_avg'\] must be a float array of shape \(4, 3\), got NoneType"),
    "exp_avg-list": (_set(["state", 0, "exp_avg"], [[0.0] * 3] * 4), TypeError,
                     r"state\[0\]\['exp_avg'\] must be a float array of shape \(4, 3\), got list"),
    "exp_avg-int": (_set(["state", 0, "exp_avg"], np.zeros((4, 3), dtype=np.int64)), TypeError,
                    r"\['exp_avg'\] must be a float array of shape \(4, 3\), got int64 array"),
    "exp_avg-shape": (_set(["state", 1, "exp_avg"], np.zeros(5)), ValueError,
                      r"state\[1\]\['exp_avg'\] has shape \(5,\), the parameter \(4,\)"),
    "step-abc": (_set(["state", 0, "step"], "abc"), TypeError, r"state\[0\]\['step'\] must be an int"),
    "step-negative": (_set(["state", 0, "step"], -1), ValueError, r"state\[0\]\['step'\] must be >= 0"),
    "step-float": (_set(["state", 0, "step"], 2.0), TypeError, r"\['step'\] must be an int"),
    "step-bool": (_set(["state", 0, "step"], True), TypeError, r"\['step'\] must be an int"),
    "entry-not-dict": (_set(["state", 2], [1, 2]), TypeError, r"state\[2\] must be a dict"),
    "entry-for-nothing": (_set(["state", 9], {}), ValueError, r"has an entry 9 for no parameter"),
    "amsgrad-yes": (_set(["param_groups", 0, "amsgrad"], "yes"), TypeError,
                    r"param_groups\[0\]: Adam: amsgrad must be True or False, got 'yes'"),
    "lr-inf": (_set(["param_groups", 0, "lr"], math.inf), ValueError, r"lr must be a finite number, got inf"),
    "lr-nan": (_set(["param_groups", 0, "lr"], math.nan), ValueError, r"lr must be a number, got NaN; give a finite"),
    "lr-str": (_set(["param_groups", 0, "lr"], "0.1"), TypeError, r"lr must be a number, got '0.1'"),
    "lr-zero": (_set(["param_groups", 0, "lr"], 0.0), ValueError, r"lr must be > 0"),
    "beta2-big": (_set(["param_groups", 0, "betas"], (0.9, 1.5)), ValueError, r"beta2 must be >= 0 and < 1"),
    "betas-three": (_set(["param_groups", 0, "betas"], (0.9, 0.9, 0.9)), ValueError, r"betas must be a pair"),
    "eps-nan": (_set(["param_groups", 0, "eps"], math.nan), ValueError, r"eps must be a number, got NaN"),
    "unknown-option": (_set(["param_groups", 0, "momentom"], 0.9), ValueError, r"unknown option\(s\) \['momentom'\]"),
    "missing-option": (_drop(["param_groups", 0, "eps"]), ValueError, r"missing option\(s\) \['eps'\]"),
    "initial_lr-inf": (_set(["param_groups", 0, "initial_lr"], math.inf), ValueError,
                       r"initial_lr must be a finite number"),
    "params-str": (_set(["param_groups", 0, "params"], "0123"), TypeError, r"\['params'\] must be a list of int"),
    "params-repeat": (_set(["param_groups", 0, "params"], [0, 0, 1, 2]), ValueError, r"repeats a parameter index"),
    "params-count": (_set(["param_groups", 0, "params"], [0, 1]), ValueError, r"group 0 has 2 parameters in the "
                                                                              r"state and 4 here"),
    "groups-count": (lambda sd: sd["param_groups"].append(copy.deepcopy(sd["param_groups"][0])), ValueError,
                     r"the state has 2 parameter groups, this optimiser 1"),
    "top-level-extra": (_set(["epoch"], 3), ValueError, r"unknown \['epoch'\]"),
    "top-level-missing": (_drop(["state"]), ValueError, r"missing \['state'\]"),
    "state-not-dict": (_set(["state"], [1]), TypeError, r"state_dict\['state'\] must be a dict"),
}


@pytest.mark.numpy_only
@pytest.mark.parametrize("case", sorted(BAD_ADAM))
def test_bad_optimizer_state_is_refused_and_changes_nothing(case):
    edit, exc, match = BAD_ADAM[case]
    opt = _adam()
    before = opt.state_dict()
    bad = opt.state_dict()
    bad["param_groups"][0]["lr"] = 0.5  # a valid change that must not be applied either
    edit(bad)
    with pytest.raises(exc, match=match):
        opt.load_state_dict(bad)
    _same(opt.state_dict(), before)


@pytest.mark.numpy_only
def test_not_a_state_dict():
    opt = _adam()
    with pytest.raises(TypeError, match="expected the dict returned by state_dict"):
        opt.load_state_dict([1, 2])


@pytest.mark.numpy_only
def test_state_of_another_precision_is_cast_like_torch():
    opt = _adam()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].astype(np.float32)
    opt.load_state_dict(sd)
    assert opt.state_dict()["state"][0]["exp_avg"].dtype == np.float64


@pytest.mark.numpy_only
def test_other_optimizers_check_their_own_state():
    _, sgd = _trained(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9))
    sd = sgd.state_dict()
    sd["state"][0] = {"momentum_buffer": None}  # torch's spelling of "no buffer yet" is accepted
    sgd.load_state_dict(sd)
    sd["state"][0] = {"exp_avg": np.zeros((4, 3))}
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['exp_avg'\]"):
        sgd.load_state_dict(sd)
    _, rms = _trained(lambda ps: optim.RMSprop(ps, lr=0.01, centered=True))
    sd = rms.state_dict()
    del sd["state"][3]["grad_avg"]
    with pytest.raises(ValueError, match=r"state\[3\]: .*missing key\(s\) \['grad_avg'\]"):
        rms.load_state_dict(sd)
    _, asgd = _trained(lambda ps: optim.ASGD(ps, lr=0.01))
    sd = asgd.state_dict()
    sd["state"][0]["eta"] = math.inf
    with pytest.raises(TypeError, match=r"state\[0\]\['eta'\] must be a finite number"):
        asgd.load_state_dict(sd)
    _, nadam = _trained(lambda ps: optim.NAdam(ps))
    sd = nadam.state_dict()
    sd["param_groups"][0]["decoupled_weight_decay"] = 1
    with pytest.raises(TypeError, match="decoupled_weight_decay must be True or False"):
        nadam.load_state_dict(sd)


@pytest.mark.numpy_only
def test_scalar_mode_state_is_checked_too():
    _, opt = _trained(lambda ps: optim.Adam(ps, lr=0.01), mode="scalar")
    before = opt.state_dict()
    sd = opt.state_dict()
    sd["state"][1]["step"] = 5
    with pytest.raises(ValueError, match=r"state\[1\]\['step'\] is 5, state\[0\] 2; the Values of one group step"):
        opt.load_state_dict(sd)
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"state\[0\]\['exp_avg'\] has shape \(3,\), the parameter \(\)"):
        opt.load_state_dict(sd)
    sd = opt.state_dict()
    del sd["state"][4]
    with pytest.raises(ValueError, match=r"state for only some of its Values \(none for \[4\]\)"):
        opt.load_state_dict(sd)
    _same(opt.state_dict(), before)


def _lbfgs_opt():
    return _trained(lambda ps: optim.LBFGS(ps, max_iter=3, history_size=2))[1]


BAD_FLAT = {
    "d-shape": (_set(["state", 0, "d"], np.zeros(5)), ValueError, r"state\[0\]\['d'\] has shape \(5,\); the "
                                                                  r"parameters hold 26 numbers"),
    "old_dirs-item": (_set(["state", 0, "old_dirs"], [[0.0] * 26, np.zeros(26)]), TypeError,
                      r"\['old_dirs'\]\[0\] must be a float array of shape \(26,\)"),
    "ro-length": (_set(["state", 0, "ro"], [1.0]), ValueError, r"old_dirs, old_stps and ro must have one length"),
    "n_iter-negative": (_set(["state", 0, "n_iter"], -1), ValueError, r"\['n_iter'\] must be an int >= 0"),
    "t-nan": (_set(["state", 0, "t"], math.nan), TypeError, r"\['t'\] must be a finite number"),
    "wrong-index": (lambda sd: sd["state"].update({1: sd["state"].pop(0)}), ValueError,
                    r"keeps one state for all parameters, at index 0"),
    "unknown": (_set(["state", 0, "exp_avg"], np.zeros(26)), ValueError, r"unknown key\(s\) \['exp_avg'\]"),
    "max_iter-zero": (_set(["param_groups", 0, "max_iter"], 0), ValueError, r"max_iter must be an int >= 1"),
    "line-search": (_set(["param_groups", 0, "line_search_fn"], "wolfe"), ValueError, r"line_search_fn must be"),
    "history-float": (_set(["param_groups", 0, "history_size"], 2.0), TypeError, r"history_size must be an int"),
}


@pytest.mark.numpy_only
@pytest.mark.parametrize("case", sorted(BAD_FLAT))
def test_bad_lbfgs_state_is_refused_and_changes_nothing(case):
    edit, exc, match = BAD_FLAT[case]
    opt = _lbfgs_opt()
    before = opt.state_dict()
    bad = opt.state_dict()
    edit(bad)
    with pytest.raises(exc, match=match):
        opt.load_state_dict(bad)
    _same(opt.state_dict(), before)


@pytest.mark.numpy_only
def test_bad_isgd_state():
    _, opt = _trained(lambda ps: optim.ISGD(ps, lr=0.5))
    sd = opt.state_dict()
    sd["state"][0]["relaxation"] = 2.0
    with pytest.raises(ValueError, match=r"state\[0\]\['relaxation'\] must be in \(0, 1\]"):
        opt.load_state_dict(sd)
    sd["state"][0] = {"step": 1}
    with pytest.raises(ValueError, match=r"missing key\(s\) \['func_evals', 'relaxation'\]"):
        opt.load_state_dict(sd)


# ------------------------------------------------------- constructors: finite, typed hyper-parameters

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "ASGD", "NAdam", "RAdam", "Adamax", "Adadelta", "LBFGS",
       "ISGD"]


@pytest.mark.numpy_only
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("lr", [math.inf, -math.inf, math.nan])
def test_non_finite_lr_is_refused(name, lr):
    with pytest.raises(ValueError, match=r"lr must be a (finite )?number, got (NaN|-?inf)"):
        getattr(optim, name)([Tensor([1.0], requires_grad=True)], lr=lr)


@pytest.mark.numpy_only
@pytest.mark.parametrize("name, kw, exc, match", [
    ("Adam", dict(amsgrad="yes"), TypeError, "amsgrad must be True or False"),
    ("Adam", dict(weight_decay=math.inf), ValueError, "weight_decay must be a finite number"),
    ("SGD", dict(nesterov="yes", momentum=0.9), TypeError, "nesterov must be True or False"),
    ("SGD", dict(momentum=math.nan), ValueError, "momentum must be a number, got NaN"),
    ("RMSprop", dict(centered=1), TypeError, "centered must be True or False"),
    ("ASGD", dict(t0=math.inf), ValueError, "t0 must be a finite number"),
    ("ASGD", dict(lambd=-1.0), ValueError, "lambd must be >= 0"),
    ("NAdam", dict(momentum_decay=math.inf), ValueError, "momentum_decay must be a finite number"),
    ("NAdam", dict(decoupled_weight_decay="no"), TypeError, "decoupled_weight_decay must be True or False"),
    ("RAdam", dict(betas=(0.9, math.nan)), ValueError, "beta2 must be a number, got NaN"),
    ("Adamax", dict(eps=-1e-8), ValueError, "eps must be >= 0"),
    ("Adadelta", dict(rho=1.5), ValueError, "rho must be >= 0 and <= 1"),
    ("LBFGS", dict(tolerance_grad=math.inf), ValueError, "tolerance_grad must be a finite number"),
    ("LBFGS", dict(max_iter=0), ValueError, "max_iter must be an int >= 1"),
    ("ISGD", dict(tol=0.0), ValueError, "tol must be > 0"),
    ("ISGD", dict(max_iter=2.5), TypeError, "max_iter must be an int"),
    ("Adamax", dict(maximize="yes"), TypeError, "maximize must be True or False"),
])
def test_bad_constructor_options(name, kw, exc, match):
    with pytest.raises(exc, match=match):
        getattr(optim, name)([Tensor([1.0], requires_grad=True)], **kw)


# ------------------------------------------------------- gradients must match their parameters

PER_PARAM = ["SGD", "Adam", "RMSprop", "Adagrad", "ASGD", "NAdam", "RAdam", "Adamax", "Adadelta"]


def _assign_grad(p, g) -> bool:
    """Set ``p.grad``; False when the engine itself refuses the value on assignment (then it never reaches step)."""
    try:
        p.grad = g
    except (TypeError, ValueError) as e:
        assert "grad" in str(e)
        return False
    return True


@pytest.mark.parametrize("name", PER_PARAM)
@pytest.mark.parametrize("grad, exc, match", [
    (np.ones(1), ValueError, r"shape \(3,\) and dtype float64 has a gradient of shape \(1,\) and dtype float64"),
    (np.ones(5), ValueError, r"has a gradient of shape \(5,\)"),
    (np.ones((3, 1)), ValueError, r"has a gradient of shape \(3, 1\)"),
    (np.ones(3, dtype=np.float32), ValueError, r"gradient of shape \(3,\) and dtype float32; a gradient must match"),
    ([1.0, 1.0, 1.0], TypeError, r"\.grad must be an array or a Tensor, got list"),
], ids=["broadcastable", "too-long", "column", "float32", "list"])
def test_mismatched_gradients_are_refused(name, grad, exc, match):
    p = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    opt = getattr(optim, name)([p], lr=0.1)
    if not _assign_grad(p, grad) or (isinstance(grad, list) and not isinstance(p.grad, list)):
        return  # refused (or converted) by Tensor.grad itself: nothing bad reaches the optimiser
    with pytest.raises(exc, match=match):
        opt.step()
    np.testing.assert_array_equal(p.data, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("name", ["SGD", "Adam", "NAdam"])
def test_a_bad_gradient_anywhere_changes_nothing(name):
    a, b = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([3.0]), requires_grad=True)
    c = Value(1.0)
    opt = getattr(optim, name)([{"params": [a, c]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9) \
        if name == "SGD" else getattr(optim, name)([{"params": [a, c]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, c.grad = np.ones(2), 1.0
    if not _assign_grad(b, np.ones(2)):  # the wrong one
        return
    with pytest.raises(ValueError, match=r"shape \(1,\) .* gradient of shape \(2,\)"):
        opt.step()
    assert a.data.tolist() == [1.0, 2.0] and c.data == 1.0 and b.data.tolist() == [3.0]
    assert not opt.state_dict()["state"]


@pytest.mark.parametrize("name", PER_PARAM)
def test_a_tensor_gradient_is_read_like_an_array(name):
    a, b = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([1.0, 2.0]), requires_grad=True)
    oa, ob = getattr(optim, name)([a], lr=0.1), getattr(optim, name)([b], lr=0.1)
    for _ in range(3):
        a.grad = np.array([0.5, -1.0])
        b.grad = Tensor(np.array([0.5, -1.0]))
        oa.step()
        ob.step()
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, [1.0, 2.0])


@pytest.mark.parametrize("name", ["LBFGS", "ISGD"])
def test_flat_optimizers_check_gradients(name):
    p = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    opt = getattr(optim, name)([p])

    if not _assign_grad(Tensor(np.ones(3), requires_grad=True), np.ones(1)):
        return  # Tensor.grad refuses it on assignment already

    def closure():
        p.grad = np.ones(1)
        return (p * p).sum()

    with pytest.raises(ValueError, match=r"gradient of shape \(1,\)"):
        opt.step(closure)
    with pytest.raises(TypeError, match="closure must return the loss"):
        opt.step(lambda: "loss")


# ------------------------------------------------------- round trips through save / load

MAKERS = {
    "ASGD": lambda ps: optim.ASGD(ps, lr=0.05, t0=1),
    "NAdam": lambda ps: optim.NAdam(ps, lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
    "RAdam": lambda ps: optim.RAdam(ps, lr=0.01),
    "Adamax": lambda ps: optim.Adamax(ps, lr=0.01),
    "Adadelta": lambda ps: optim.Adadelta(ps),
    "LBFGS": lambda ps: optim.LBFGS(ps, max_iter=2, history_size=3),
    "LBFGS-wolfe": lambda ps: optim.LBFGS(ps, max_iter=2, line_search_fn="strong_wolfe"),
    "ISGD": lambda ps: optim.ISGD(ps, lr=0.5),
}


@pytest.mark.numpy_only
@pytest.mark.parametrize("mode", ["tensor", "scalar"])
@pytest.mark.parametrize("name", sorted(MAKERS))
def test_save_load_resume_equals_uninterrupted_run(tmp_path, name, mode):
    n = 3
    model, opt = _trained(MAKERS[name], steps=0, mode=mode)
    straight = _train(model, opt, 2 * n)
    final = model.state_dict()
    model, opt = _trained(MAKERS[name], steps=0, mode=mode)
    first = _train(model, opt, n)
    save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.npz")
    ck = load(tmp_path / "ck.npz")
    _same(ck["opt"], opt.state_dict())
    model, opt = _trained(MAKERS[name], steps=0, mode=mode)
    model.load_state_dict(ck["model"])
    opt.load_state_dict(ck["opt"])
    rest = _train(model, opt, n)
    assert first + rest == straight
    _same(model.state_dict(), final)


# ------------------------------------------------------- schedulers


def _sched_opt(groups=2):
    ps = [Tensor([1.0], requires_grad=True) for _ in range(groups)]
    return optim.SGD([{"params": [p]} for p in ps], lr=0.1, momentum=0.9)


def _seq(o):
    return optim.SequentialLR(o, [optim.LinearLR(o, total_iters=3), optim.ExponentialLR(o, gamma=0.9)], [3])


BAD_SCHED = {
    "unknown-key": (lambda o: optim.StepLR(o, 3), _set(["foo"], 1), ValueError, r"unknown key\(s\) \['foo'\]"),
    "missing-key": (lambda o: optim.StepLR(o, 3), _drop(["gamma"]), ValueError, r"missing key\(s\) \['gamma'\]"),
    "other-scheduler": (lambda o: optim.LambdaLR(o, lambda k: 1.0),
                        lambda sd: sd.update(gamma=0.5, step_size=3), ValueError,
                        r"unknown key\(s\) \['gamma', 'step_size'\]"),
    "last_epoch-abc": (lambda o: optim.StepLR(o, 3), _set(["last_epoch"], "abc"), ValueError,
                       r"state\['last_epoch'\]: the epoch must be an int >= -1, got 'abc'"),
    "last_epoch-float": (lambda o: optim.StepLR(o, 3), _set(["last_epoch"], 2.0), ValueError,
                         r"state\['last_epoch'\]: the epoch must be an int"),
    "step_count-neg": (lambda o: optim.StepLR(o, 3), _set(["_step_count"], -2), ValueError,
                       r"state\['_step_count'\]: the step count must be an int >= 0"),
    "gamma-negative": (lambda o: optim.StepLR(o, 3), _set(["gamma"], -1.0), ValueError,
                       r"state\['gamma'\]: gamma must be a positive number"),
    "gamma-inf": (lambda o: optim.ExponentialLR(o, 0.9), _set(["gamma"], math.inf), ValueError,
                  r"gamma must be a positive number, got inf"),
    "base_lrs-length": (lambda o: optim.StepLR(o, 3), _set(["base_lrs"], [0.1]), ValueError,
                        r"state\['base_lrs'\] must be a list of 2 learning rates"),
    "base_lrs-nan": (lambda o: optim.StepLR(o, 3), _set(["base_lrs"], [0.1, math.nan]), ValueError,
                     r"state\['base_lrs'\]: each entry must be a finite number"),
    "milestones": (lambda o: optim.MultiStepLR(o, [2, 4]), _set(["milestones"], [2, "x"]), ValueError,
                   r"state\['milestones'\]: each of milestones must be an int >= 0"),
    "T_mult": (lambda o: optim.CosineAnnealingWarmRestarts(o, 3), _set(["T_mult"], 0), ValueError,
               r"state\['T_mult'\]: T_mult must be an int >= 1"),
    "linear-start": (lambda o: optim.LinearLR(o), _set(["start_factor"], 0.0), ValueError,
                     r"state\['start_factor'\]: start_factor must be a number > 0 and <= 1"),
    "onecycle-phases": (lambda o: optim.OneCycleLR(o, 1.0, total_steps=10),
                        _set(["_schedule_phases", 0, "end_lr"], "top"), ValueError,
                        r"state\['_schedule_phases'\]\[0\] must hold"),
    "onecycle-anneal": (lambda o: optim.OneCycleLR(o, 1.0, total_steps=10), _set(["_anneal_func_type"], "exp"),
                        ValueError, r"state\['_anneal_func_type'\]: anneal_strategy must be one of"),
    "onecycle-total": (lambda o: optim.OneCycleLR(o, 1.0, total_steps=10), _set(["total_steps"], 0), ValueError,
                       r"total_steps must be a positive int"),
    "plateau-mode": (lambda o: optim.ReduceLROnPlateau(o), _set(["mode"], "avg"), ValueError,
                     r"state\['mode'\]: mode must be one of \['min', 'max'\]"),
    "plateau-worse": (lambda o: optim.ReduceLROnPlateau(o), _set(["mode_worse"], -math.inf), ValueError,
                      r"state\['mode_worse'\] must be inf for mode='min'"),
    "plateau-best-nan": (lambda o: optim.ReduceLROnPlateau(o), _set(["best"], math.nan), ValueError,
                         r"state\['best'\] must be a number \(inf allowed, not NaN\)"),
    "plateau-patience": (lambda o: optim.ReduceLROnPlateau(o), _set(["patience"], -1), ValueError,
                         r"state\['patience'\]: patience must be an int >= 0"),
    "plateau-min_lrs": (lambda o: optim.ReduceLROnPlateau(o), _set(["min_lrs"], [0.0]), ValueError,
                        r"state\['min_lrs'\] must be a list of 2"),
    "sequential-sub": (_seq, _set(["_schedulers", 1, "gamma"], -1.0), ValueError,
                       r"state\['_schedulers'\]\[1\] \(ExponentialLR\): state\['gamma'\]: gamma must be a positive"),
    "sequential-count": (_seq, lambda sd: sd["_schedulers"].pop(), ValueError,
                         r"state\['_schedulers'\] must be a list of 2 scheduler states"),
    "sequential-milestones": (_seq, _set(["_milestones"], [3, 2]), ValueError,
                              r"state\['_milestones'\]: milestones must be strictly increasing"),
}


@pytest.mark.numpy_only
@pytest.mark.parametrize("case", sorted(BAD_SCHED))
def test_bad_scheduler_state_is_refused_and_changes_nothing(case):
    make, edit, exc, match = BAD_SCHED[case]
    opt = _sched_opt()
    sched = make(opt)
    for _ in range(2):
        sched.step(1.0) if isinstance(sched, optim.ReduceLROnPlateau) else sched.step()
    before = sched.state_dict()
    bad = sched.state_dict()
    if "last_epoch" in bad and case != "last_epoch-abc":
        bad["last_epoch"] = 1  # a valid change that must not be applied either
    edit(bad)
    with pytest.raises(exc, match=match):
        sched.load_state_dict(bad)
    _same(sched.state_dict(), before)
    with pytest.raises(TypeError, match="expected the dict returned by state_dict"):
        sched.load_state_dict(None)


# ------------------------------------------------------- early stopping and history


def _stopper():
    stopper = nn.EarlyStopping(patience=3, min_delta=0.01)
    model = nn.Linear(2, 1, seed=0)
    for epoch, loss in enumerate([1.0, 0.8, 0.85, 0.9]):
        stopper.update(loss, epoch, model)
    return stopper


BAD_STOPPER = {
    "patience": (_set(["patience"], 0), ValueError, r"EarlyStopping.load_state_dict: EarlyStopping: patience must be"),
    "min_delta": (_set(["min_delta"], math.inf), ValueError, r"min_delta must be a finite number >= 0"),
    "monitor": (_set(["monitor"], "acc"), ValueError, r"monitor must be 'auto', 'loss' or 'val_loss'"),
    "restore_best": (_set(["restore_best"], "yes"), ValueError, r"restore_best must be True or False"),
    "best-nan": (_set(["best"], math.nan), ValueError, r"state\['best'\] must be a number"),
    "best_epoch-str": (_set(["best_epoch"], "1"), TypeError, r"state\['best_epoch'\] must be an int"),
    "wait-negative": (_set(["wait"], -1), ValueError, r"state\['wait'\] must be >= 0"),
    "inf-with-epoch": (_set(["best"], math.inf), ValueError, r"disagree; best is inf exactly while best_epoch is -1"),
    "best_state": (_set(["best_state"], [1.0]), TypeError, r"state\['best_state'\] must be None or a model"),
    "unknown": (_set(["epochs"], 4), ValueError, r"unknown key\(s\) \['epochs'\]"),
}


@pytest.mark.numpy_only
@pytest.mark.parametrize("case", sorted(BAD_STOPPER))
def test_bad_early_stopping_state(case):
    edit, exc, match = BAD_STOPPER[case]
    stopper = _stopper()
    before = stopper.state_dict()
    bad = stopper.state_dict()
    edit(bad)
    with pytest.raises(exc, match=match):
        stopper.load_state_dict(bad)
    _same(stopper.state_dict(), before)


@pytest.mark.numpy_only
def test_early_stopping_resumes_through_save_and_load(tmp_path):
    stopper = _stopper()
    save(stopper.state_dict(), tmp_path / "s.npz")
    other = nn.EarlyStopping()
    other.load_state_dict(load(tmp_path / "s.npz"))
    _same(other.state_dict(), stopper.state_dict())
    assert other.wait == 2 and other.best == 0.8 and other.best_epoch == 1
    model = nn.Linear(2, 1, seed=0)
    assert other.update(0.81, 4, model) is True  # the third epoch without improvement by 0.01


def _history():
    X = np.random.default_rng(0).normal(size=(16, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.MLP(2, [3, 2], seed=0)
    return nn.fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=8,
                  progress=False, validation_data=(X, y), early_stopping=5)


BAD_HISTORY = {
    "unknown": (_set(["history", "acc"], [1.0, 1.0, 1.0]), ValueError, r"unknown key\(s\) \['acc'\]"),
    "missing-lr": (_drop(["history", "lr"]), ValueError, r"missing key\(s\) \['lr'\]"),
    "lengths": (_set(["history", "val_loss"], [1.0]), ValueError, r"the per-epoch lists have different lengths"),
    "not-numbers": (_set(["history", "loss"], ["a", "b", "c"]), TypeError,
                    r"state\['history'\]\['loss'\] must be a list of numbers"),
    "stopped": (_set(["stopped_early"], "no"), TypeError, r"state\['stopped_early'\] must be True or False"),
    "best_epoch": (_set(["best_epoch"], 3), ValueError, r"state\['best_epoch'\]=3 but the history has 3 epochs"),
    "top-unknown": (_set(["epochs"], 3), ValueError, r"unknown key\(s\) \['epochs'\]"),
}


@pytest.mark.numpy_only
@pytest.mark.parametrize("case", sorted(BAD_HISTORY))
def test_bad_history_state(case):
    edit, exc, match = BAD_HISTORY[case]
    history = _history()
    before = history.state_dict()
    bad = history.state_dict()
    edit(bad)
    with pytest.raises(exc, match=match):
        history.load_state_dict(bad)
    _same(history.state_dict(), before)


@pytest.mark.numpy_only
def test_history_round_trips(tmp_path):
    history = _history()
    save(history.state_dict(), tmp_path / "h.npz")
    other = nn.History()
    other.load_state_dict(load(tmp_path / "h.npz"))
    assert dict(other) == dict(history) and other.epochs == 3
    assert other.best_epoch == history.best_epoch and other.stopped_early is history.stopped_early


def test_value_grad_must_be_a_number():
    v = Value(1.0)
    opt = optim.Adam([v], lr=0.1)
    v.grad = "x"
    with pytest.raises(TypeError, match=r"a Value's \.grad must be a number"):
        opt.step()
