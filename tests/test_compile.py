"""``autograd.compile``: replaying a traced training step equals eager execution, and re-traces when it must."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Tensor
from nn import functional as F

CONFIGS = [((2, 16, 16, 1), 20, np.float64), ((64, 64, 10), 32, np.float32), ((784, 256, 128, 10), 16, np.float32),
           ((784, 1024, 1024, 10), 4, np.float32)]  # the bench's four MLPs (the large ones on small batches)


def _model(sizes, dtype, seed=0):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, seed=seed + i))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers).to(dtype)


def _data(sizes, batch, dtype, steps, seed=1):
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal((batch, sizes[0])).astype(dtype) for _ in range(steps)]
    if sizes[-1] == 1:
        ys = [rng.standard_normal((batch, 1)).astype(dtype) for _ in range(steps)]
    else:
        ys = [rng.integers(0, sizes[-1], batch) for _ in range(steps)]
    return xs, ys


def _make_step(model, opt):
    def step(x, y):
        out = model(x)
        loss = F.mse_loss(out, y) if out.shape[1] == 1 else F.cross_entropy(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


@pytest.mark.parametrize("sizes, batch, dtype", CONFIGS)
@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_compiled_training_equals_eager_over_100_steps(sizes, batch, dtype, opt_name):
    steps = 100
    xs, ys = _data(sizes, batch, dtype, steps)
    runs = []
    for compiled in (False, True):
        model = _model(sizes, dtype)
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if opt_name == "sgd" else \
            optim.Adam(model.parameters(), lr=1e-3)
        step = _make_step(model, opt)
        if compiled:
            step = autograd.compile(step)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no fallback to eager: the step really replays
            losses = [float(step(Tensor(x), y).item()) for x, y in zip(xs, ys)]
        runs.append((losses, model.state_dict()))
    (l_eager, s_eager), (l_comp, s_comp) = runs
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(l_comp, l_eager, **tol)
    for k in s_eager:
        np.testing.assert_allclose(s_comp[k], s_eager[k], **tol, err_msg=k)
    assert step.traces == 2  # the first two calls trace, every later one replays
    assert step.replay == ("fused" if autograd.get_backend() == "numba" else "ops")


def test_written_by_hand_step_with_a_loss_module_compiles():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((4, 3)) * 0.3, requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    opt = optim.SGD([W, b], lr=0.1)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        loss = loss_fn((x @ W + b).relu(), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    fast = autograd.compile(step)
    W2, b2 = Tensor(W.data.copy(), requires_grad=True), Tensor(b.data.copy(), requires_grad=True)
    opt2 = optim.SGD([W2, b2], lr=0.1)

    def eager(x, y):
        loss = loss_fn((x @ W2 + b2).relu(), y)
        opt2.zero_grad()
        loss.backward()
        opt2.step()
        return loss

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            x, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
            np.testing.assert_allclose(fast(Tensor(x), y).item(), eager(Tensor(x), y).item(), rtol=1e-13)
    np.testing.assert_allclose(W.data, W2.data, rtol=1e-13)
    assert "backward from" in fast.code and "SGD.step()" in fast.code
    assert fast.graph is not None and autograd.dot_source(fast.graph)


def test_new_shapes_retrace_and_old_ones_replay():
    model = _model((3, 4, 2), np.float64)
    opt = optim.SGD(model.parameters(), lr=0.01)
    step = autograd.compile(_make_step(model, opt))
    for batch in (5, 5, 5, 7, 7, 7, 5):
        step(Tensor(np.ones((batch, 3))), np.zeros(batch, dtype=np.int64))
    assert step.traces == 4


def test_a_random_mask_is_detected_and_the_function_runs_eagerly():
    model = nn.Sequential(nn.Linear(3, 8, seed=0), nn.Dropout(0.5), nn.Linear(8, 2, seed=1))
    opt = optim.SGD(model.parameters(), lr=0.01)
    step = autograd.compile(_make_step(model, opt))
    x, y = Tensor(np.ones((6, 3))), np.zeros(6, dtype=np.int64)
    step(x, y)
    with pytest.warns(RuntimeWarning, match="runs eagerly.*constant input"):
        step(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step(x, y)  # eager from now on, no more warnings
    assert step.traces == 2


def test_data_dependent_control_flow_is_detected():
    w = Tensor(np.ones(3))  # a constant: the result carries no graph, so the function is replayed

    def f(x):
        y = x * w
        if float(y.sum().data) > 0:
            y = y.exp()
        return y.sum()

    g = autograd.compile(f)
    g(Tensor(np.ones(3)))
    with pytest.warns(RuntimeWarning, match="runs eagerly"):
        g(Tensor(-np.ones(3)))


def test_returning_a_number_is_a_clear_error():
    w = Tensor(np.ones(3), requires_grad=True)
    g = autograd.compile(lambda x: (x * w).sum().item())
    with pytest.raises(autograd.CompileError, match="return the loss Tensor"):
        g(Tensor(np.ones(3)))


def test_closure_and_create_graph_are_refused():
    w = Tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def with_closure(x):
        loss = (x * w).sum()
        loss.backward()
        opt.step(lambda: loss)
        return loss

    with pytest.raises(autograd.CompileError, match="closure"):
        autograd.compile(with_closure)(Tensor(np.ones(2)))

    def second_order(x):
        loss = (x * w * w).sum()
        loss.backward(create_graph=True)
        return loss

    with pytest.raises(autograd.CompileError, match="create_graph"):
        autograd.compile(second_order)(Tensor(np.ones(2)))


def test_decorator_form_and_bad_argument():
    @autograd.compile
    def f(x):
        return x * 2

    assert np.array_equal(f(Tensor(np.ones(2))).data, [2, 2])
    with pytest.raises(TypeError, match="expected a function"):
        autograd.compile(3)


def test_an_update_written_in_python_is_detected():
    w = Tensor(np.ones(3), requires_grad=True)

    def manual(x):
        loss = (x * w).sum()
        w.grad = None
        loss.backward()
        w.data -= 0.1 * np.asarray(getattr(w.grad, "data", w.grad))  # not an op: a replay could not repeat it
        return loss

    step = autograd.compile(manual)
    step(Tensor(np.ones(3)))
    with pytest.warns(RuntimeWarning, match="changed by Python code"):
        step(Tensor(np.ones(3)))
    step(Tensor(np.ones(3)))  # eager from now on: every update happens
    np.testing.assert_allclose(w.data, np.ones(3) - 0.3)


# ------------------------------------------------------------------ scalar mode


def _demo_problem():
    from bench.scalar import initial_weights, moons

    X, y = moons(40)
    return X, y, initial_weights()


def _value_mlp(weights):
    from bench.scalar import ValueMLP

    return ValueMLP(weights)


def test_scalar_step_compiles_to_a_tape_with_the_same_losses():
    from autograd import Value

    X, y, weights = _demo_problem()
    runs = []
    for compiled in (False, True):
        model = _value_mlp(weights)
        opt = optim.SGD(model.params, lr=0.05)

        def step(model=model, opt=opt):
            inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
            losses = [(1 + -float(yi) * model(x)).relu() for yi, x in zip(y, inputs)]
            total = Value.sum(losses) * (1.0 / len(losses)) + 1e-4 * Value.sum([p * p for p in model.params])
            opt.zero_grad()
            total.backward()
            opt.step()
            return total

        if compiled:
            step = autograd.compile(step)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            losses = [step().data for _ in range(8)]
        runs.append((losses, [p.data for p in model.params]))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-12)
    np.testing.assert_allclose(runs[1][1], runs[0][1], rtol=1e-12)
    assert step.traces == 2
    src = step.code
    assert "# a tape of" in src and "# forward" in src and "more lines" in src and "SGD.step()" in src


def test_scalar_tape_covers_every_op_it_claims():
    from autograd import Value

    w = [Value(0.7), Value(-0.4), Value(1.3)]
    opt = optim.SGD(w, lr=0.01)

    def f():
        a, b, c = w
        out = (a * b + c - a / c) ** 2 + (-b).exp() + c.log() + a.tanh() + b.sigmoid() + (a + 2).relu() + c.sqrt()
        out = out + a ** c
        opt.zero_grad()
        out.backward()
        return out

    eager = []
    for _ in range(3):
        v = f()
        eager.append((v.data, [p.grad for p in w]))
    g = autograd.compile(f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [(g().data, [p.grad for p in w]) for _ in range(3)]
    for (ve, ge), (vg, gg) in zip(eager, got):
        assert ve == pytest.approx(vg, rel=1e-13)
        np.testing.assert_allclose(gg, ge, rtol=1e-13)
    src = g.code  # the straight-line listing a learner reads
    assert "# backward" in src and "tanh(p0)" in src and "sigmoid(" in src and "g_p0 +=" in src


def test_scalar_manual_update_and_unsupported_op_fall_back_to_eager():
    from autograd import Value

    w = Value(0.5)

    def manual():
        loss = (w * 3.0).tanh()
        w.grad = 0.0
        loss.backward()
        w.data -= 0.1 * w.grad
        return loss

    g = autograd.compile(manual)
    g()
    with pytest.warns(RuntimeWarning, match="changed by Python code"):
        g()
    v = Value(0.3)
    opt = optim.SGD([v], lr=0.1)

    def odd():
        loss = v.sin()
        opt.zero_grad()
        loss.backward()
        return loss

    with pytest.warns(RuntimeWarning, match="sin has no compiled rule"):
        autograd.compile(odd)()


def test_an_index_built_from_the_labels_is_an_input_not_a_constant():
    """nll_loss(log_softmax(...), y) indexes with (arange, labels): the labels part follows each call's labels."""
    runs = []
    for compiled in (False, True):
        model = nn.MLP(4, [8, 3], seed=0)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y, model=model, opt=opt):
            loss = F.nll_loss(F.log_softmax(model(x), dim=1), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        fn = autograd.compile(step) if compiled else step
        rng = np.random.default_rng(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no fallback to eager
            runs.append([float(fn(Tensor(rng.standard_normal((16, 4))), rng.integers(0, 3, 16)).item())
                         for _ in range(8)])
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-12)
    assert fn.replay in ("ops", "fused") and "index=(const(16,), arg1" in fn.code


def test_compiled_model_answers_as_the_model_and_trains_correctly_when_backward_is_outside(backend):
    """torch.compile(model) usage: the forward compiled, backward and step outside. The result must carry a graph,
    so that signature runs eagerly (with a warning); the wrapper still has the model's parameters and modes."""
    import warnings

    import nn
    import optim

    m = nn.Sequential(nn.Linear(3, 2, seed=0), nn.ReLU(), nn.Linear(2, 1, seed=1))
    ref = nn.Sequential(nn.Linear(3, 2, seed=0), nn.ReLU(), nn.Linear(2, 1, seed=1))
    c = autograd.compile(m, mode="max-autotune", fullgraph=True)
    opt, ref_opt = optim.SGD(c.parameters(), lr=0.1), optim.SGD(ref.parameters(), lr=0.1)
    x = autograd.tensor(np.random.default_rng(0).standard_normal((4, 3)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(4):
            loss = (c(x) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            want = (ref(x) ** 2).mean()
            ref_opt.zero_grad()
            want.backward()
            ref_opt.step()
            assert float(loss.data) == float(want.data)
    assert any("backward outside the compiled function" in str(w.message) for w in caught)
    c.eval()
    assert not m.training and c._orig_mod is m and sorted(c.state_dict()) == sorted(m.state_dict())
    with autograd.no_grad():  # no graph wanted: traced, then replayed
        first, again = c(x), c(x)
    np.testing.assert_allclose(again.data, ref(x).data, rtol=1e-12)
    assert first.shape == (4, 1)


def test_compile_takes_torchs_arguments():
    f = lambda x: x * 2  # noqa: E731
    assert autograd.compile(f, disable=True) is f
    assert autograd.compile(disable=True)(f) is f
    with pytest.raises(ValueError, match="compile: mode must be one of"):
        autograd.compile(f, mode="fastest")
    with pytest.raises(ValueError, match="max_signatures must be a positive int"):
        autograd.compile(f, max_signatures=0)
