"""Scalar mode: every ``Value`` op and its reflected form against math and central differences."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value

pytestmark = pytest.mark.numpy_only  # scalar mode never touches the kernel table


def central_difference(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def assert_close(actual: float, expected: float, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    assert actual == pytest.approx(expected, rel=rtol, abs=atol)


# name, function of one Value (also run on plain floats through math), points away from kinks
UNARY = [
    ("neg", lambda v: -v, lambda x: -x, [-1.3, 0.7]),
    ("exp", lambda v: v.exp(), math.exp, [-2.0, 0.3, 1.9]),
    ("log", lambda v: v.log(), math.log, [0.4, 1.0, 3.5]),
    ("sqrt", lambda v: v.sqrt(), math.sqrt, [0.3, 2.0, 9.0]),
    ("tanh", lambda v: v.tanh(), math.tanh, [-1.5, 0.2, 2.5]),
    ("sigmoid", lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), [-3.0, 0.1, 2.0]),
    ("relu", lambda v: v.relu(), lambda x: max(x, 0.0), [-1.2, 0.8]),
    ("leaky_relu", lambda v: v.leaky_relu(), lambda x: x if x > 0 else 0.01 * x, [-1.2, 0.8]),
    ("leaky_relu_0.2", lambda v: v.leaky_relu(0.2), lambda x: x if x > 0 else 0.2 * x, [-1.2, 0.8]),
    ("elu", lambda v: v.elu(), lambda x: x if x > 0 else math.exp(x) - 1, [-1.7, 0.6]),
    ("elu_1.5", lambda v: v.elu(1.5), lambda x: x if x > 0 else 1.5 * (math.exp(x) - 1), [-0.9, 1.1]),
    ("step", lambda v: v.step(), lambda x: 1.0 if x >= 0 else 0.0, [-0.5, 0.5]),
    ("abs", lambda v: v.abs(), abs, [-2.5, 1.5]),
    ("abs_builtin", lambda v: abs(v), abs, [-2.5, 1.5]),
    ("square", lambda v: v**2, lambda x: x**2, [-1.5, 0.5]),
    ("cube", lambda v: v**3, lambda x: x**3, [-1.5, 0.5]),
    ("pow_frac", lambda v: v**0.5, lambda x: x**0.5, [0.5, 4.0]),
    ("pow_neg", lambda v: v**-1.5, lambda x: x**-1.5, [0.5, 2.0]),
    ("radd", lambda v: 2 + v, lambda x: 2 + x, [-1.0, 3.0]),
    ("add_number", lambda v: v + 2.5, lambda x: x + 2.5, [-1.0, 3.0]),
    ("rsub", lambda v: 2 - v, lambda x: 2 - x, [-1.0, 3.0]),
    ("sub_number", lambda v: v - 2, lambda x: x - 2, [-1.0, 3.0]),
    ("rmul", lambda v: 3 * v, lambda x: 3 * x, [-1.0, 3.0]),
    ("mul_number", lambda v: v * -0.5, lambda x: x * -0.5, [-1.0, 3.0]),
    ("rtruediv", lambda v: 2 / v, lambda x: 2 / x, [-1.5, 0.7]),
    ("truediv_number", lambda v: v / 4, lambda x: x / 4, [-1.5, 0.7]),
    ("rpow", lambda v: 2**v, lambda x: 2**x, [-1.5, 0.7, 3.0]),
    ("rpow_e", lambda v: 0.5**v, lambda x: 0.5**x, [-1.5, 2.0]),
    ("softplus", lambda v: v.softplus(), lambda x: math.log1p(math.exp(x)), [-2.0, 0.5, 3.0]),
    ("sin", lambda v: v.sin(), math.sin, [-2.0, 0.5, 3.0]),
    ("cos", lambda v: v.cos(), math.cos, [-2.0, 0.5, 3.0]),
    ("erf", lambda v: v.erf(), math.erf, [-1.5, 0.2, 2.0]),
    ("silu", lambda v: v.silu(), lambda x: x / (1 + math.exp(-x)), [-3.0, 0.4, 2.5]),
    ("gelu", lambda v: v.gelu(), lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))), [-2.5, -0.3, 1.7]),
    ("gelu_tanh", lambda v: v.gelu("tanh"),
     lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))), [-2.5, -0.3, 1.7]),
]


@pytest.mark.parametrize("name, fv, fx, points", UNARY, ids=[u[0] for u in UNARY])
def test_unary_value_and_derivative(name, fv, fx, points):
    for x0 in points:
        v = Value(x0)
        out = fv(v)
        assert isinstance(out, Value)
        assert_close(out.data, fx(x0), rtol=1e-12, atol=1e-15)
        out.backward()
        assert_close(v.grad, central_difference(fx, x0), rtol=1e-6, atol=1e-8)


# binary ops between two Values: both partial derivatives
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("div", lambda a, b: a / b, lambda a, b: a / b),
    ("pow", lambda a, b: a**b, lambda a, b: a**b),
]


@pytest.mark.parametrize("name, fv, fx", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("a0, b0", [(1.7, 0.6), (0.4, -1.3), (2.5, 3.0)])
def test_binary_values_both_partials(name, fv, fx, a0, b0):
    a, b = Value(a0), Value(b0)
    out = fv(a, b)
    assert_close(out.data, fx(a0, b0), rtol=1e-12)
    out.backward()
    assert_close(a.grad, central_difference(lambda x: fx(x, b0), a0))
    assert_close(b.grad, central_difference(lambda y: fx(a0, y), b0))


def test_value_attributes_and_constructor():
    v = Value(3, label="w")
    assert type(v.data) is float and v.data == 3.0
    assert v.grad == 0.0 and v.label == "w" and v.op == ""
    out = v * 2 + 1
    assert out.op == "+" and (v * 2).op == "*"
    assert isinstance(out.data, float)
    assert Value(np.float32(1.5)).data == 1.5
    assert "w" in repr(v) and "3" in repr(v)


@pytest.mark.parametrize("bad", ["3", None, [1.0], {"a": 1}, complex(1, 2)])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(TypeError):
        Value(bad)


@pytest.mark.parametrize(
    "expr, opname",
    [
        (lambda v: v + "a", "+"),
        (lambda v: "a" * v, "*"),
        (lambda v: v - None, "-"),
        (lambda v: v / ["x"], "/"),
        (lambda v: v ** "2", "**"),
    ],
)
def test_value_bad_operand_is_type_error_naming_the_op(expr, opname):
    with pytest.raises(TypeError) as info:
        expr(Value(1.0))
    assert opname in str(info.value)


def test_large_inputs_never_overflow():
    assert Value(1000).sigmoid().data == 1.0
    assert Value(-1000).sigmoid().data == 0.0
    assert Value(1000).tanh().data == 1.0
    assert Value(-1000).tanh().data == -1.0
    assert Value(1000).exp().data == math.inf
    assert Value(-1000).exp().data == 0.0
    assert (Value(10.0) ** 1000).data == math.inf
    assert (Value(10.0) ** Value(1000.0)).data == math.inf
    assert (2 ** Value(5000)).data == math.inf
    assert Value(1000).softplus().data == pytest.approx(1000.0)
    # and their gradients are the exact limits too
    for fn in (lambda v: v.sigmoid(), lambda v: v.tanh()):
        v = Value(1000)
        fn(v).backward()
        assert v.grad == 0.0


@pytest.mark.parametrize("op", ["log", "sqrt"])
@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -2.5, 4.0, float("nan")])
def test_log_and_sqrt_outside_the_domain_agree_with_tensor_mode(x, op):
    # one rule in both modes, numpy's: log(0) = -inf, log(x < 0) = nan, sqrt(x < 0) = nan, and the same slopes
    v = Value(x)
    out = getattr(v, op)()
    out.backward()
    t = Tensor(np.array(x), requires_grad=True)
    with np.errstate(all="ignore"):
        tout = getattr(t, op)()
        tout.backward()
    np.testing.assert_equal(out.data, tout.item())
    np.testing.assert_equal(v.grad, t.grad.item())


@pytest.mark.parametrize("op", ["log", "sqrt"])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_stops_at_log_and_sqrt_of_a_negative_in_both_modes(op):
    from autograd import AnomalyError, detect_anomaly

    with detect_anomaly():
        with pytest.raises(AnomalyError, match=op):
            getattr(Value(-1.0), op)()
        with pytest.raises(AnomalyError, match=op.capitalize()):
            getattr(Tensor([-1.0]), op)()


def test_step_passes_no_gradient_and_thresholds_at_zero():
    for x0, expected in [(-0.1, 0.0), (0.0, 1.0), (2.0, 1.0)]:
        v = Value(x0)
        out = v.step()
        assert out.data == expected
        out.backward()
        assert v.grad == 0.0


def test_abs_and_relu_derivative_at_zero_is_zero():
    for fn in (lambda v: v.abs(), lambda v: v.relu()):
        v = Value(0.0)
        fn(v).backward()
        assert v.grad == 0.0


def test_sum_is_one_node_with_unit_derivatives():
    xs = [Value(float(i)) for i in range(7)]
    total = Value.sum(xs)
    assert total.data == 21.0
    assert len(total._parents) == 7
    assert len(autograd.topological_order([total])) == 8  # the 7 leaves and the sum node
    total.backward()
    assert [x.grad for x in xs] == [1.0] * 7


def test_sum_accepts_numbers_and_start():
    a = Value(2.0)
    total = Value.sum([a, 3, 4.5], start=Value(1.0))
    assert total.data == 10.5
    total.backward()
    assert a.grad == 1.0
    assert Value.sum([a], start=5).data == 7.0


def test_neuron_costs_n_multiplies_and_one_sum():
    n = 16
    ws = [Value(0.1 * i) for i in range(n)]
    xs = [Value(1.0 - 0.05 * i) for i in range(n)]
    act = Value.sum([w * x for w, x in zip(ws, xs)])
    nodes = autograd.topological_order([act])
    ops = [node for node in nodes if node._parents]
    assert len(ops) == n + 1
    assert sum(1 for node in ops if node.op == "*") == n
    act.backward()
    for w, x in zip(ws, xs):
        assert w.grad == x.data and x.grad == w.data
    dot = Value.dot(ws, [x.data for x in xs])
    assert dot.data == pytest.approx(act.data, rel=1e-12)
    assert len([n for n in autograd.topological_order([dot]) if n._parents]) == n + 1


def test_used_twice_gets_both_gradients():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0

    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_diamond_sums_gradients_of_both_paths():
    a = Value(0.7)
    b = a.tanh()
    left, right = b * 3.0, b.exp()
    out = left * right
    out.backward()
    t = math.tanh(0.7)
    expected = (3 * math.exp(t) + 3 * t * math.exp(t)) * (1 - t * t)
    assert_close(a.grad, expected, rtol=1e-12)


def test_backward_twice_accumulates_exactly():
    a = Value(1.5)
    out = (a * a).tanh() + a
    out.backward()
    once = a.grad
    out.backward()
    assert_close(a.grad, 2 * once, rtol=1e-12)


def test_backward_with_seed_scales_gradients():
    a = Value(2.0)
    (a * a).backward(3.0)
    assert a.grad == 12.0


def test_zero_grad_clears_the_whole_graph():
    a, b = Value(1.0), Value(2.0)
    out = a * b + b
    out.backward()
    out.zero_grad()
    assert a.grad == 0.0 and b.grad == 0.0 and out.grad == 0.0


def test_comparisons_use_data():
    assert Value(1.0) < Value(2.0) and Value(2.0) > 1 and Value(1.0) <= 1.0 and Value(3.0) >= Value(3.0)
