"""The one graph walk: fan-in, deep chains, freeing by reference counting, and PyTorch's semantics."""

from __future__ import annotations

import gc
import threading
import weakref
from contextlib import contextmanager

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, Value


@contextmanager
def gc_disabled():
    """Only reference counting frees objects inside the block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------- fan-in


def test_tensor_used_twice_gets_the_sum():
    a = Tensor([1.0, -2.0], requires_grad=True)
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    a.grad = None
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, -4.0])


def test_tensor_diamond():
    x = Tensor([0.3, -0.7, 1.1], requires_grad=True)
    h = x.tanh()
    out = (h * 3.0 + h.exp() * h).sum()
    out.backward()
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad, (3 + np.exp(t) * t + np.exp(t)) * (1 - t * t), rtol=1e-12)


class Counted(Function):
    """y = 0.5 x, counting how often its backward runs."""

    calls = 0

    @staticmethod
    def forward(ctx, x):
        return 0.5 * x

    @staticmethod
    def backward(ctx, g):
        Counted.calls += 1
        return 0.5 * g


def test_diamond_ladder_visits_each_node_once():
    """Each level uses the previous node twice: 2**200 paths, but one backward per node."""
    levels = 200
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x
    for _ in range(levels):
        h = Counted.apply(h) + Counted.apply(h)  # h_{k+1} = h_k, through two branches
    Counted.calls = 0
    h.sum().backward()
    assert Counted.calls == 2 * levels
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_value_diamond_ladder_is_linear():
    levels = 300
    x = Value(1.0)
    h = x
    for _ in range(levels):
        h = h * 0.5 + h * 0.5
    order = autograd.topological_order([h])
    assert len(order) == 1 + levels * 5  # two constants, two products and one sum per level
    h.backward()
    assert x.grad == pytest.approx(1.0, rel=1e-12)


def test_topological_order_puts_parents_first():
    a = Tensor([1.0], requires_grad=True)
    b = a.exp()
    c = b * a
    d = c + b
    order = autograd.topological_order([d])
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node._parents:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is d


# ------------------------------------------------------------------------ million-op chains


@pytest.mark.numpy_only
def test_million_op_chain_scalar_mode():
    n = 1_000_000
    with gc_disabled():  # construction speed only; freeing is tested below
        x = Value(1.0)
        y = x
        for _ in range(n):
            y = y * 1.000001
        assert len(autograd.topological_order([y])) == 2 * n + 1  # each product and its constant
        y.backward()
        assert x.grad == pytest.approx(1.000001**n, rel=1e-9)
        del y


@pytest.mark.numpy_only
def test_million_op_chain_tensor_mode():
    n = 1_000_000
    with gc_disabled():
        x = Tensor([0.5, -1.5], requires_grad=True)
        y = x
        for _ in range(n):
            y = -y
        assert len(autograd.topological_order([y])) == n + 1
        (y * Tensor([2.0, 3.0])).sum().backward()
        np.testing.assert_array_equal(x.grad, [2.0, 3.0])
        del y


# -------------------------------------------------------------- freeing by reference counting


def test_tensor_graph_is_freed_when_output_is_dropped():
    with gc_disabled():
        x = Tensor(np.ones((3, 3)), requires_grad=True)
        h = x.tanh() * 2.0
        hidden = weakref.ref(h)
        out = (h @ x).relu().sum()
        del h
        assert hidden() is not None  # the graph keeps it alive
        out.backward()
        assert hidden() is not None
        del out
        assert hidden() is None
        # the same without any backward
        h = x.exp()
        hidden = weakref.ref(h)
        out = h.sum()
        del h, out
        assert hidden() is None


def test_value_graph_is_freed_when_output_is_dropped():
    with gc_disabled():
        a = Value(0.5)
        h = (a * 3.0).tanh()
        hidden = weakref.ref(h)
        out = h * h + a
        del h
        out.backward()
        assert hidden() is not None
        del out
        assert hidden() is None


def _tensor_step(params, x, y, lr=0.1):
    w1, b1, w2 = params
    h = (x @ w1 + b1).relu()
    loss = ((h @ w2 - y) ** 2).mean() + 1e-3 * (w1 * w1).sum()
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        p.data -= lr * p.grad.data
    return loss.item()


def _value_step(params, xs, ys, lr=0.05):
    w1, w2 = params  # w1: list of rows of Values, w2: list of Values
    loss = Value(0.0)
    for x, y in zip(xs, ys):
        hidden = [Value.sum([w * xi for w, xi in zip(row, x)]).relu() for row in w1]
        score = Value.sum([w * h for w, h in zip(w2, hidden)])
        loss = loss + (1 + -y * score).relu()
    flat = [p for row in w1 for p in row] + list(w2)
    for p in flat:
        p.grad = 0.0
    loss.backward()
    for p in flat:
        p.data -= lr * p.grad
    return loss.data


def test_training_step_leaves_no_cyclic_garbage_tensor_mode():
    rng = np.random.default_rng(0)
    x, y = Tensor(rng.standard_normal((16, 4))), Tensor(rng.standard_normal((16, 1)))
    params = [Tensor(rng.standard_normal((4, 8)) * 0.5, requires_grad=True),
              Tensor(np.zeros(8), requires_grad=True),
              Tensor(rng.standard_normal((8, 1)) * 0.5, requires_grad=True)]
    _tensor_step(params, x, y)  # warm-up: lazy imports, kernel compilation
    gc.collect()
    with gc_disabled():
        for _ in range(3):
            _tensor_step(params, x, y)
        assert gc.collect() == 0


def test_create_graph_step_leaves_no_cyclic_garbage():
    w = Tensor(np.random.default_rng(1).standard_normal((3, 3)), requires_grad=True)

    def step():
        (g,) = autograd.gradients((w.tanh() ** 2).sum(), [w], create_graph=True)
        (g * g).sum().backward()
        w.grad = None

    step()
    gc.collect()
    with gc_disabled():
        step()
        step()
        assert gc.collect() == 0


@pytest.mark.numpy_only
def test_training_step_leaves_no_cyclic_garbage_scalar_mode():
    import random

    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(10)]
    ys = [1.0 if sum(x) > 0 else -1.0 for x in xs]
    hidden = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(6)]
    params = (hidden, [Value(rng.uniform(-1, 1)) for _ in range(6)])
    _value_step(params, xs, ys)
    gc.collect()
    with gc_disabled():
        for _ in range(3):
            _value_step(params, xs, ys)
        assert gc.collect() == 0


# ------------------------------------------------------------------------ PyTorch semantics


def test_backward_with_explicit_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(np.array([1.0, 0.5, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, -6.0])
    z = Tensor([1.0, 2.0], requires_grad=True)
    (z * 3).backward(Tensor([1.0, 1.0]))
    np.testing.assert_array_equal(z.grad, [3.0, 3.0])


def test_non_scalar_backward_without_grad_is_a_clear_error():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError) as info:
        y.backward()
    msg = str(info.value)
    assert "(2,)" in msg and "grad" in msg


def test_backward_grad_of_wrong_shape_is_value_error():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(3,\)"):
        y.backward(np.ones(3))


def test_one_element_non_scalar_output_needs_no_grad():
    x = Tensor([[2.0]], requires_grad=True)
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[4.0]])


def test_backward_without_graph_is_a_clear_error():
    with pytest.raises(RuntimeError, match="requires_grad"):
        Tensor([1.0]).sum().backward()


def test_gradients_accumulate_and_clear():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    x.zero_grad()
    assert x.grad is None


def test_grad_is_a_fresh_array_not_an_alias():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 1.0])
    (x + 0).backward(seed)
    x.grad += 5
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_shared_gradient_arrays_are_copied_for_each_leaf():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (a + b).backward(np.array([1.0, 2.0, 3.0]))  # Add hands the same array to both inputs
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 10
    np.testing.assert_array_equal(b.grad, [1.0, 2.0, 3.0])


class _Fresh(Function):
    """y = 2x whose backward makes a new array and remembers its id (not the array: that would be a reference)."""

    made: list = []

    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, g):
        out = 2 * g
        _Fresh.made.append(id(out))
        return out


class _Saved(Function):
    """y = 2x whose backward returns an array it also keeps in ctx (alive while retain_graph holds ctx)."""

    @staticmethod
    def forward(ctx, x):
        ctx.keep = np.full(x.shape, 2.0)
        return 2 * x

    @staticmethod
    def backward(ctx, g):
        ctx.keep[...] = 2 * g
        return ctx.keep


def test_a_fresh_gradient_array_is_handed_over_not_copied():
    x = Tensor(np.ones(1000), requires_grad=True)
    _Fresh.made.clear()
    _Fresh.apply(x).sum().backward()
    assert _Fresh.made == [id(x.grad.data)]  # the backward's own array: no copy of it was made
    np.testing.assert_array_equal(x.grad, 2.0)


def test_a_gradient_array_kept_elsewhere_is_copied():
    x = Tensor(np.ones(4), requires_grad=True)
    y = _Saved.apply(x).sum()
    y.backward(retain_graph=True)
    x.grad += 100  # must not reach the array the op keeps
    y.backward()
    np.testing.assert_array_equal(x.grad, 104.0)


def test_second_backward_through_freed_graph_says_retain_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_a_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward(retain_graph=True)
    first = x.grad.data.copy()
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * first, rtol=1e-12)


def test_failed_backward_can_be_retried():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    with pytest.raises(ValueError):
        y.backward(np.ones(5))
    y.backward(np.ones(2))
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_non_leaf_grad_only_with_retain_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    kept = x * 3
    kept.retain_grad()
    (h * kept).sum().backward()
    assert h.grad is None
    np.testing.assert_array_equal(kept.grad, h.data)
    assert Tensor([1.0]).grad is None


def test_no_grad_context_manager():
    x = Tensor([1.0], requires_grad=True)
    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        y = x * 2 + x.exp()
        with autograd.enable_grad():
            z = x * 2
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    assert z.requires_grad and not z.is_leaf


def test_no_grad_decorator_and_exceptions_restore_state():
    @autograd.no_grad()
    def double(t):
        assert not autograd.is_grad_enabled()
        return t * 2

    x = Tensor([1.0], requires_grad=True)
    assert not double(x).requires_grad
    assert autograd.is_grad_enabled()
    with pytest.raises(KeyError):
        with autograd.no_grad():
            raise KeyError("boom")
    assert autograd.is_grad_enabled()
    with autograd.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_no_grad_is_thread_local():
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with autograd.no_grad():
            seen["thread_enabled"] = autograd.is_grad_enabled()
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert inside.wait(10)
        assert autograd.is_grad_enabled()
        assert (Tensor([1.0], requires_grad=True) * 2).requires_grad
    finally:
        release.set()
        thread.join(10)
    assert seen["thread_enabled"] is False
    # a new thread starts with recording on, whatever this thread does
    with autograd.no_grad():
        result = {}
        t = threading.Thread(target=lambda: result.setdefault("enabled", autograd.is_grad_enabled()))
        t.start()
        t.join(10)
    assert result["enabled"] is True


def test_detach_shares_data_and_stops_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    d = h.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.data, h.data)
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad, d.data)


def test_requires_grad_propagates():
    a = Tensor([1.0], requires_grad=True)
    c = Tensor([2.0])
    assert (a * c).requires_grad and (c * a).requires_grad and (a + 1).requires_grad
    assert not (c * 2).requires_grad and (c * 2).is_leaf
    assert (autograd.stack([c, a])).requires_grad
    assert not autograd.concatenate([c, c]).requires_grad


def test_is_leaf_and_requires_grad_():
    x = Tensor([1.0])
    assert x.is_leaf and not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    assert not y.is_leaf
    assert x.requires_grad_(False) is x and not x.requires_grad
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)
    with pytest.raises(TypeError):
        x.requires_grad_("yes")


def test_create_graph_records_the_backward():
    x = Tensor([0.5, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    np.testing.assert_allclose(x.grad.data, 3 * x.data**2)
    first = x.grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)


def test_gradients_function():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0], requires_grad=True)
    unused = Tensor([1.0], requires_grad=True)
    out = (x * y).sum()
    gx, gy = autograd.gradients(out, [x, y], retain_graph=True)
    np.testing.assert_array_equal(gx.data, [3.0, 3.0])
    np.testing.assert_array_equal(gy.data, [3.0])
    assert x.grad is None and y.grad is None  # .grad untouched
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.gradients(out, [unused], retain_graph=True)
    assert autograd.gradients(out, [unused], allow_unused=True) == (None,)


def test_value_backward_create_graph_is_rejected_clearly():
    v = Value(1.0)
    with pytest.raises((NotImplementedError, TypeError, ValueError)):
        autograd.gradients(v * v, [v], create_graph=True)


# ---------------------------------------------------------------------------- custom Function


class Cube(Function):
    """x**3 with d/dx = 3 x**2, written with operators so create_graph works."""

    @staticmethod
    def forward(ctx, x, scale=1.0):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * ctx.scale * x * x


class TwoInputs(Function):
    """a * sin(b): one tensor input, one that may be a constant."""

    @staticmethod
    def forward(ctx, a, b, note=None):
        ctx.save_for_backward(a, b)
        ctx.note = note
        return a * np.sin(b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * np.sin(b), (g * a * np.cos(b) if ctx.needs_input_grad[1] else None), None


def test_custom_function_forward_backward_and_gradcheck():
    x = Tensor([0.5, -1.2, 2.0], requires_grad=True)
    out = Cube.apply(x, scale=2.0)
    assert out.grad_fn == Cube
    np.testing.assert_allclose(out.data, 2 * x.data**3)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data**2)
    assert autograd.gradcheck(lambda t: Cube.apply(t, scale=0.5), [Tensor([0.5, -1.2], requires_grad=True)])


def test_custom_function_second_derivative():
    x = Tensor([0.5, -1.2], requires_grad=True)
    (g,) = autograd.gradients(Cube.apply(x).sum(), [x], create_graph=True)
    (h,) = autograd.gradients(g.sum(), [x])
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_custom_function_with_constant_and_non_tensor_arguments():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = np.array([0.3, 0.4])
    out = TwoInputs.apply(a, Tensor(b), note="x")
    out.sum().backward()
    np.testing.assert_allclose(a.grad, np.sin(b))
    bt = Tensor(b, requires_grad=True)
    TwoInputs.apply(Tensor([1.0, 2.0]), bt).sum().backward()
    np.testing.assert_allclose(bt.grad, np.array([1.0, 2.0]) * np.cos(b))


def test_custom_function_returning_wrong_shape_is_named():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    with pytest.raises(RuntimeError, match="Bad"):
        Bad.apply(Tensor([1.0, 2.0], requires_grad=True)).sum().backward()


def test_custom_function_without_grad_inputs_records_nothing():
    out = Cube.apply(Tensor([2.0]))
    assert not out.requires_grad and out.is_leaf
    with autograd.no_grad():
        assert Cube.apply(Tensor([2.0], requires_grad=True)).is_leaf
