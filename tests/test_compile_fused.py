"""The fused replay of ``autograd.compile`` (autograd/compile/fused.py): generated code equal to eager execution.

On the Numba backend a traced step whose ops all have a rule runs as generated Numba segments and a
Python driver; on the numpy backend it keeps the replay of one kernel call per op. Both must give eager's
numbers, and every case the fused code does not handle must still give them (by running as recorded).
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor
from nn import functional as F
from test_compile import _data  # the same batches as the op-by-op replay's tests

TOL = {np.float64: 1e-12, np.float32: 1e-5}


def _mlp(sizes, dtype, act="relu", seed=0):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, seed=seed + i))
        if i < len(sizes) - 2:
            layers.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[act]())
    return nn.Sequential(*layers).to(dtype)


_batches = _data


def _train(model, opt, xs, ys, compiled, loss_fn=None, sched=None):
    def step(x, y):
        out = model(x)
        if loss_fn is not None:
            loss = loss_fn(out, y)
        else:
            loss = F.mse_loss(out, y) if out.shape[1] == 1 else F.cross_entropy(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return loss

    fn = autograd.compile(step) if compiled else step
    losses = [fn(Tensor(x), y) for x, y in zip(xs, ys)]
    return [float(v.data) for v in losses], fn


def _close(a, b, dtype):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = np.maximum(1.0, np.abs(b))
    assert np.all(np.abs(a - b) <= TOL[dtype] * scale), np.max(np.abs(a - b) / scale)


OPTIMISERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.05),
    "momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=1e-3),
    "adamw": lambda ps: optim.AdamW(ps, lr=1e-3, weight_decay=0.1),
    "amsgrad": lambda ps: optim.Adam(ps, lr=1e-3, amsgrad=True, weight_decay=1e-2),
}


@pytest.mark.parametrize("opt_name", sorted(OPTIMISERS))
@pytest.mark.parametrize("sizes, batch, dtype, act", [
    ((2, 16, 16, 1), 20, np.float64, "relu"),
    ((8, 12, 5), 16, np.float32, "tanh"),
    ((6, 7, 3), 9, np.float64, "sigmoid"),
])
def test_fused_step_equals_eager(sizes, batch, dtype, act, opt_name):
    xs, ys = _batches(sizes, batch, dtype, 40)
    results = []
    for compiled in (False, True):
        model = _mlp(sizes, dtype, act)
        opt = OPTIMISERS[opt_name](model.parameters())
        losses, fn = _train(model, opt, xs, ys, compiled)
        results.append((losses, [p.data.copy() for p in model.parameters()],
                        [p.grad.data.copy() for p in model.parameters()], opt.state_dict()))
    (le, pe, ge, se), (lc, pc, gc, sc) = results
    _close(lc, le, dtype)
    for a, b in zip(pc + gc, pe + ge):
        _close(a, b, dtype)
    for k in se["state"]:
        for key, v in se["state"][k].items():
            _close(sc["state"][k][key], v, dtype)
    assert fn.replay == ("fused" if autograd.get_backend() == "numba" else "ops")


def test_written_by_hand_ops_fuse_and_equal_eager():
    """@, +, relu/tanh/sigmoid, -, *, /, ** and sum/mean, with broadcasting and constants: one generated step."""
    rng = np.random.default_rng(3)
    x0, y0 = rng.standard_normal((7, 3)), rng.standard_normal((7, 4))

    def run(compiled):
        W = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
        b = Tensor(np.zeros(4), requires_grad=True)
        c = Tensor(np.full((1, 4), 0.5), requires_grad=True)
        opt = optim.Adam([W, b, c], lr=1e-2)

        def step(x, y):
            h = (x @ W + b).tanh() * 2.0 - c
            loss = ((h - y) ** 2).mean() + 0.1 * (W * W).sum() + h.sigmoid().sum() / 3 \
                - (h / (1.5 + h * h)).mean() + (h.relu() * c).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        fn = autograd.compile(step) if compiled else step
        losses = [float(fn(x0 + 0.01 * i, y0).data) for i in range(12)]
        return losses, [t.data.copy() for t in (W, b, c)], fn

    le, pe, _ = run(False)
    lc, pc, fn = run(True)
    _close(lc, le, np.float64)
    for a, b in zip(pc, pe):
        _close(a, b, np.float64)
    assert fn.replay == ("fused" if autograd.get_backend() == "numba" else "ops")


def test_generated_code_is_shown_and_products_may_run_on_numpy_blas(monkeypatch):
    if autograd.get_backend() != "numba":
        pytest.skip("the fused replay is the Numba backend's")
    from autograd.compile import fused

    sizes = (5, 6, 3)
    xs, ys = _batches(sizes, 8, np.float64, 6)
    out = {}
    for inline in (1 << 19, 0):  # every product inside Numba, or every one on numpy's BLAS between segments
        monkeypatch.setattr(fused, "INLINE_MATMUL", inline)
        model = _mlp(sizes, np.float64)
        losses, fn = _train(model, optim.SGD(model.parameters(), lr=0.1), xs, ys, True)
        out[inline] = losses
        assert fn.replay == "fused"
        assert "def _drive(flat):" in fn.code and "def seg0(" in fn.code
        assert ("_matmul(" in fn.code) == (inline == 0)
    _close(out[0], out[1 << 19], np.float64)


def test_fused_replay_falls_back_where_it_must():
    """maximize, a parameter hook, a scheduler, gradient accumulation and an unused parameter: still eager's numbers."""
    sizes, dtype = (4, 6, 3), np.float64
    xs, ys = _batches(sizes, 10, dtype, 12)

    def build(case):
        model = _mlp(sizes, dtype)
        params = list(model.parameters())
        extra = Tensor(np.ones(3), requires_grad=True)  # never used by the loss: its .grad stays None
        if case == "maximize":
            opt = optim.SGD(params, lr=0.01, maximize=True)
        else:
            opt = optim.Adam(params + [extra], lr=1e-2)
        if case == "hook":
            params[0].register_hook(lambda g: g * 0.5)
        sched = optim.StepLR(opt, step_size=3, gamma=0.5) if case == "scheduler" else None
        return model, opt, sched, extra

    for case in ("maximize", "hook", "scheduler", "plain"):
        runs = []
        for compiled in (False, True):
            model, opt, sched, extra = build(case)
            losses, fn = _train(model, opt, xs, ys, compiled, sched=sched)
            runs.append((losses, [p.data.copy() for p in model.parameters()]))
            assert extra.grad is None
        _close(runs[1][0], runs[0][0], dtype)
        for a, b in zip(runs[1][1], runs[0][1]):
            _close(a, b, dtype)


def test_gradients_accumulate_without_zero_grad():
    sizes, dtype = (3, 5, 1), np.float64
    xs, ys = _batches(sizes, 6, dtype, 5)
    grads = []
    for compiled in (False, True):
        model = _mlp(sizes, dtype)

        def step(x, y, model=model):
            loss = F.mse_loss(model(x), y)
            loss.backward()
            return loss

        fn = autograd.compile(step) if compiled else step
        for x, y in zip(xs, ys):
            fn(Tensor(x), y)
        grads.append([p.grad.data.copy() for p in model.parameters()])
    for a, b in zip(*grads):
        _close(a, b, dtype)


def test_returned_losses_and_gradients_are_not_overwritten_by_later_steps():
    sizes, dtype = (3, 4, 2), np.float64
    xs, ys = _batches(sizes, 5, dtype, 6)
    model = _mlp(sizes, dtype)
    opt = optim.SGD(model.parameters(), lr=0.5)

    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    fn = autograd.compile(step)
    kept, grads = [], []
    for x, y in zip(xs, ys):
        kept.append(fn(Tensor(x), y))
        grads.append(model[0].weight.grad)
    values = [float(v.data) for v in kept]
    assert len(set(values)) == len(values)
    assert len({id(g.data) for g in grads}) == len(grads)  # a fresh .grad each step, as eager gives
    assert not np.array_equal(grads[-1].data, grads[-2].data)


def test_bad_labels_and_changed_parameters():
    sizes = (3, 4, 2)
    xs, ys = _batches(sizes, 5, np.float64, 3)

    def setup():
        model = _mlp(sizes, np.float64)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return model, step

    model, step = setup()
    fn = autograd.compile(step)
    for x, y in zip(xs, ys):
        fn(Tensor(x), y)
    with pytest.raises(ValueError, match="cross_entropy|CrossEntropy"):
        fn(Tensor(xs[0]), np.array([0, 1, 2, 0, 1]))  # class 2 of 2
    # a parameter whose array became a strided view of the same shape: still eager's numbers
    twin, eager = setup()
    for x, y in zip(xs, ys):
        eager(Tensor(x), y)
    for m in (model, twin):
        m[0].weight.data = np.asfortranarray(m[0].weight.data)
    for m_step in (fn, eager):
        m_step(Tensor(xs[1]), ys[1])
    fn(Tensor(xs[0]), np.array([0, 1, 1, 0, 1]))
    eager(Tensor(xs[0]), np.array([0, 1, 1, 0, 1]))
    for a, b in zip(model.parameters(), twin.parameters()):
        _close(a.data, b.data, np.float64)


def test_non_contiguous_inputs():
    sizes, dtype = (4, 5, 1), np.float64
    rng = np.random.default_rng(5)
    xs = [np.asfortranarray(rng.standard_normal((6, 4))) for _ in range(5)]
    ys = [rng.standard_normal((6, 1))[:, :] for _ in range(5)]
    runs = []
    for compiled in (False, True):
        model = _mlp(sizes, dtype)
        losses, _ = _train(model, optim.SGD(model.parameters(), lr=0.1), xs, ys, compiled)
        runs.append(losses)
    _close(runs[1], runs[0], dtype)


def test_generated_modules_are_cached_on_disk(tmp_path, monkeypatch):
    if autograd.get_backend() != "numba":
        pytest.skip("the fused replay is the Numba backend's")
    from autograd.compile import fused

    monkeypatch.setenv("GRADWORK_CACHE_DIR", str(tmp_path))
    sizes = (3, 4, 1)
    xs, ys = _batches(sizes, 5, np.float64, 4)
    model = _mlp(sizes, np.float64, seed=11)
    _, fn = _train(model, optim.SGD(model.parameters(), lr=0.1, momentum=0.5), xs, ys, True)
    assert fn.replay == "fused"
    files = sorted(p.name for p in tmp_path.glob("gradwork_fused_*.py"))
    assert len(files) == 1
    assert "@njit(cache=True" in (tmp_path / files[0]).read_text()
    assert fused.cache_dir() == str(tmp_path)
    # a folder that cannot be written: the code is compiled in memory instead
    monkeypatch.setenv("GRADWORK_CACHE_DIR", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    assert fused.cache_dir() is None
    model = _mlp(sizes, np.float64, seed=12)
    _, fn = _train(model, optim.SGD(model.parameters(), lr=0.1, momentum=0.5), xs, ys, True)
    assert fn.replay == "fused"


def test_an_input_that_requires_grad_gets_its_gradient():
    rng = np.random.default_rng(8)
    W0 = rng.standard_normal((3, 2))
    xs = [rng.standard_normal((5, 3)) for _ in range(4)]
    grads = []
    for compiled in (False, True):
        W = Tensor(W0.copy(), requires_grad=True)
        opt = optim.SGD([W], lr=0.1)

        def step(x, W=W, opt=opt):
            loss = ((x @ W).tanh() ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        fn = autograd.compile(step) if compiled else step
        out = []
        for x0 in xs:
            x = Tensor(x0, requires_grad=True)
            fn(x)
            out.append(x.grad.data.copy())
        grads.append(out + [W.data.copy()])
        if compiled:
            assert fn.replay == ("fused" if autograd.get_backend() == "numba" else "ops")
    for a, b in zip(grads[1], grads[0]):
        _close(a, b, np.float64)


def test_an_op_without_a_fused_rule_keeps_the_op_by_op_replay():
    sizes, dtype = (4, 6, 1), np.float64
    xs, ys = _batches(sizes, 8, dtype, 6)
    runs = []
    for compiled in (False, True):
        model = _mlp(sizes, dtype)
        loss_fn = lambda out, y: F.mse_loss(out.abs(), y)  # noqa: E731  (abs has no fused rule)
        losses, fn = _train(model, optim.SGD(model.parameters(), lr=0.1), xs, ys, compiled, loss_fn=loss_fn)
        runs.append(losses)
    _close(runs[1], runs[0], dtype)
    assert fn.replay == "ops"


def test_log_softmax_and_nll_loss_fuse():
    sizes, dtype = (5, 7, 4), np.float32
    xs, ys = _batches(sizes, 12, dtype, 10)
    runs = []
    for compiled in (False, True):
        model = _mlp(sizes, dtype)
        loss_fn = lambda out, y: F.nll_loss(F.log_softmax(out, dim=1), y)  # noqa: E731
        losses, fn = _train(model, optim.Adam(model.parameters(), lr=1e-2), xs, ys, compiled, loss_fn=loss_fn)
        runs.append((losses, [p.data.copy() for p in model.parameters()]))
    _close(runs[1][0], runs[0][0], dtype)
    for a, b in zip(runs[1][1], runs[0][1]):
        _close(a, b, dtype)
    assert fn.replay == ("fused" if autograd.get_backend() == "numba" else "ops")
    with pytest.raises(ValueError, match="nll_loss|GetItem"):
        fn(Tensor(xs[0]), np.full(12, 4))  # class 4 of 4
