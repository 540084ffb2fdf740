"""Compatibility with micrograd 0.1.0: its published sanity checks and a script written for its ``Value``.

The installed micrograd package, when importable, is the oracle; the published
numbers are also written out so the checks hold without it.
"""

from __future__ import annotations

import importlib.util

import pytest

import autograd
from autograd import Value

pytestmark = pytest.mark.numpy_only  # scalar mode never touches the kernel table

HAVE_MICROGRAD = importlib.util.find_spec("micrograd") is not None


def sanity_expression(V):
    """micrograd's first sanity check: relu, products and sums around x = -4."""
    x = V(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return y.data, x.grad


def more_ops_expression(V):
    """micrograd's second check: every operator, reflected forms and in-place updates."""
    a, b = V(-4.0), V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g.data, a.grad, b.grad


def test_sanity_check_published_values():
    y, x_grad = sanity_expression(Value)
    assert y == -20.0
    assert x_grad == 46.0


def test_more_ops_published_values():
    g, a_grad, b_grad = more_ops_expression(Value)
    assert g == pytest.approx(24.70408163265306, rel=1e-12)
    assert a_grad == pytest.approx(138.83381924198252, rel=1e-12)
    assert b_grad == pytest.approx(645.5772594752186, rel=1e-12)


@pytest.mark.skipif(not HAVE_MICROGRAD, reason="micrograd is not installed")
def test_same_values_as_installed_micrograd():
    from micrograd.engine import Value as MicroValue

    assert sanity_expression(Value) == pytest.approx(sanity_expression(MicroValue), rel=1e-12)
    assert more_ops_expression(Value) == pytest.approx(more_ops_expression(MicroValue), rel=1e-12)


# A training script in micrograd's style, kept as text so it runs literally unchanged with either import.
SCRIPT = '''
{import_line}
import random

rng = random.Random(7)

class Neuron:
    def __init__(self, n_in, linear):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_in)]
        self.b = Value(0.0)
        self.linear = linear
    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act if self.linear else act.relu()
    def parameters(self):
        return self.w + [self.b]

class Layer:
    def __init__(self, n_in, n_out, linear):
        self.neurons = [Neuron(n_in, linear) for _ in range(n_out)]
    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out
    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

class MLP:
    def __init__(self, n_in, sizes):
        dims = [n_in] + sizes
        self.layers = [Layer(dims[i], dims[i + 1], linear=(i == len(sizes) - 1)) for i in range(len(sizes))]
    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

points = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(24)]
labels = [1.0 if x * x + y * y < 1.5 else -1.0 for x, y in points]
model = MLP(2, [8, 8, 1])
history = []
for step in range(12):
    scores = [model(list(p)) for p in points]
    margins = [(1 + -yi * si).relu() for yi, si in zip(labels, scores)]
    data_loss = sum(margins) * (1.0 / len(margins))
    reg = 1e-4 * sum((p * p for p in model.parameters()))
    loss = data_loss + reg
    for p in model.parameters():
        p.grad = 0
    loss.backward()
    lr = 1.0 - 0.9 * step / 12
    for p in model.parameters():
        p.data -= lr * p.grad
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(labels, scores)) / len(labels)
    history.append((loss.data, accuracy))
final = [p.data for p in model.parameters()]
'''


def run_script(import_line: str) -> dict:
    namespace: dict = {}
    exec(compile(SCRIPT.format(import_line=import_line), "<micrograd-style script>", "exec"), namespace)
    return namespace


def test_micrograd_style_script_runs_unchanged():
    result = run_script("from autograd import Value")
    losses = [loss for loss, _ in result["history"]]
    assert all(loss == loss for loss in losses)  # no NaN
    assert losses[-1] < losses[0]
    assert all(isinstance(p, float) for p in result["final"])


@pytest.mark.skipif(not HAVE_MICROGRAD, reason="micrograd is not installed")
def test_micrograd_style_script_matches_micrograd():
    ours = run_script("from autograd import Value")
    theirs = run_script("from micrograd.engine import Value")
    assert [loss for loss, _ in ours["history"]] == pytest.approx([loss for loss, _ in theirs["history"]], rel=1e-9)
    assert [acc for _, acc in ours["history"]] == [acc for _, acc in theirs["history"]]
    assert ours["final"] == pytest.approx(theirs["final"], rel=1e-9, abs=1e-12)


def test_micrograd_graph_attributes_for_drawing():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c._prev == {a, b}
    assert c._op == "*"
    assert a._prev == set() and a._op == ""


# ------------------------------------------------ ops added the micrograd way


def cube(self):
    """A new op written as the micrograd lecture writes them: a node built by hand and its _backward closure."""
    out = Value(self.data**3, (self,), "cube")

    def _backward():
        self.grad += 3 * self.data**2 * out.grad

    out._backward = _backward
    return out


def square_by_hand(a):
    """A hand-built node whose one input appears twice among its children."""
    out = Value(a.data * a.data, (a, a), "*")

    def _backward():
        a.grad += a.data * out.grad
        a.grad += a.data * out.grad

    out._backward = _backward
    return out


def test_hand_built_op_with_its_backward_joins_the_walk():
    x = Value(2.0)
    y = cube(x) * 2 + cube(x) + x  # used twice: the walk adds both paths
    y.backward()
    assert y.data == 8 * 3 + 2
    assert x.grad == 3 * 12 + 1
    assert cube(x).op == "cube" and cube(x)._prev == {x}


def test_hand_built_op_matches_the_same_function_from_built_in_ops():
    a, b = Value(1.5), Value(-0.5)
    (square_by_hand(a * b) + cube(b)).backward()
    c, d = Value(1.5), Value(-0.5)
    ((c * d) * (c * d) + d * d * d).backward()
    assert a.grad == pytest.approx(c.grad, rel=1e-15) and b.grad == pytest.approx(d.grad, rel=1e-15)


def test_hand_built_backward_leaves_other_gradients_alone():
    x, w = Value(3.0), Value(0.5)
    w.grad = 7.0  # left over from earlier: backward accumulates into it, the hand-built rule must not reset it
    (cube(x) * w).backward()
    assert w.grad == 7.0 + 27.0 and x.grad == 27.0 * 0.5


def test_hand_built_node_without_backward_passes_nothing_like_micrograd():
    x = Value(2.0)
    y = Value(x.data * 10, (x,), "x10")
    (y * 3).backward()
    assert x.grad == 0.0
    assert y._backward() is None  # micrograd's default: a closure that does nothing


def test_local_grads_of_a_hand_built_node_ask_its_backward():
    x = Value(2.0)
    x.grad = 5.0
    assert cube(x).local_grads() == (12.0,)
    assert square_by_hand(x).local_grads() == (4.0, 0.0)  # the whole derivative at the input's first place
    assert x.grad == 5.0  # asking did not touch it


def test_stepping_backward_by_hand_like_the_lecture():
    """Set the output's grad to 1, then call each node's _backward from the output down: what backward() does."""
    x1, x2, w1, w2, b = Value(2.0), Value(0.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.grad = 1.0
    for node in reversed(autograd.engine.topological_order([o])):
        node._backward()
    by_hand = [v.grad for v in (x1, x2, w1, w2, b)]
    for v in (x1, x2, w1, w2, b):
        v.grad = 0.0
    o.grad = 0.0
    o.backward()
    assert by_hand == pytest.approx([v.grad for v in (x1, x2, w1, w2, b)], rel=1e-12)
    assert x1.grad == pytest.approx(-1.5, rel=1e-6)


def test_children_must_be_values():
    a, b = Value(1.0), Value(2.0)
    assert Value(3.0, {a})._parents == (a,) and Value(3.0, [a, b], "+")._parents == (a, b)  # any iterable of Values
    with pytest.raises(TypeError, match="must be the Values"):
        Value(2.0, [1.0])
    with pytest.raises(TypeError, match="label="):
        Value(2.0, "a")  # a name given where micrograd puts the children
    with pytest.raises(TypeError, match="function"):
        Value(1.0)._backward = 3


@pytest.mark.skipif(not HAVE_MICROGRAD, reason="micrograd is not installed")
def test_hand_built_op_agrees_with_micrograd():
    from micrograd.engine import Value as MValue

    def run(V):
        a, b = V(1.5), V(-0.5)
        out = V(a.data**3, (a,), "cube")

        def _backward():
            a.grad += 3 * a.data**2 * out.grad

        out._backward = _backward
        y = out * b + a
        y.backward()
        return y.data, a.grad, b.grad

    assert run(Value) == pytest.approx(run(MValue), rel=1e-15)
