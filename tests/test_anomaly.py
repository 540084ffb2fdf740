"""``detect_anomaly()``: the first NaN/inf made in forward or backward raises, naming the op, the user's line
and the input shapes; outside the context nothing is checked."""

from __future__ import annotations

import math
import os
import sys
import threading

import numpy as np
import pytest

import autograd
from autograd import AnomalyError, Function, Tensor, Value, detect_anomaly

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's own divide/overflow warnings

HERE = os.path.basename(__file__)


def _line() -> int:
    """The caller's line number."""
    return sys._getframe(1).f_lineno


class NanForward(Function):
    """A user op whose forward makes NaN: the error must carry the user's class name."""

    @staticmethod
    def forward(ctx, x):
        return x * np.nan

    @staticmethod
    def backward(ctx, g):
        return g


class NanBackward(Function):
    """A user op with a finite forward and a backward that makes NaN."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g * np.nan


def _t(values, dtype=np.float64, requires_grad=True):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=requires_grad)


FORWARD_CASES = [
    # (id, build, op name, kind, input shapes as printed)
    ("log0", lambda: _t([1.0, 0.0]).log(), "Log", "inf", "(2,)"),
    ("sqrt_neg", lambda: _t([[4.0, -1.0]]).sqrt(), "Sqrt", "NaN", "(1, 2)"),
    ("exp_overflow", lambda: _t([1000.0]).exp(), "Exp", "inf", "(1,)"),
    ("exp_overflow_f32", lambda: _t([100.0], np.float32).exp(), "Exp", "inf", "(1,)"),
    ("div_zero", lambda: _t([1.0, 2.0]) / _t([1.0, 0.0]), "Div", "inf", "(2,), (2,)"),
    ("zero_div_zero", lambda: _t([0.0]) / 0.0, "Div", "NaN", "(1,), ()"),
    ("pow_neg_frac", lambda: _t([-8.0, 8.0]) ** 0.5, "Pow", "NaN", "(2,), ()"),
    ("matmul_overflow", lambda: _t(np.full((2, 3), 1e200)) @ _t(np.full((3, 2), 1e200)), "MatMul", "inf",
     "(2, 3), (3, 2)"),
    ("sum_overflow", lambda: _t([1e308, 1e308]).sum(), "Sum", "inf", "(2,)"),
    ("mul_overflow_no_grad", lambda: _t([1e200], requires_grad=False) * 1e200, "Mul", "inf", "(1,), ()"),
    ("user_function", lambda: NanForward.apply(_t([1.0, 2.0, 3.0])), "NanForward", "NaN", "(3,)"),
]


@pytest.mark.parametrize("case", FORWARD_CASES, ids=[c[0] for c in FORWARD_CASES])
def test_forward_anomaly_names_op_line_and_shapes(case):
    _, build, op, kind, shapes = case
    line = build.__code__.co_firstlineno  # the op is made inside the table's lambda: that is the user's line
    with detect_anomaly():
        with pytest.raises(AnomalyError) as info:
            build()
    msg = str(info.value)
    assert msg.startswith(f"{op} produced {kind} in its forward pass"), msg
    assert f"{HERE}:{line}" in msg, msg
    assert f"(input shapes: {shapes})" in msg, msg


@pytest.mark.parametrize("case", FORWARD_CASES, ids=[c[0] for c in FORWARD_CASES])
def test_forward_outside_context_is_silent(case):
    out = case[1]()
    assert not np.isfinite(out.data).all()


BACKWARD_CASES = [
    # (id, inputs, f(*inputs) -> scalar tensor, op whose backward fails, input index, input shapes as printed)
    ("sqrt_at_0", lambda: [_t([0.0, 1.0])], lambda x: x.sqrt().sum(), "Sqrt", 0, "(2,)"),
    ("pow_half_at_0", lambda: [_t([0.0, 4.0])], lambda x: (x**0.5).sum(), "Pow", 0, "(2,), ()"),
    ("div_by_tiny", lambda: [_t([1.0]), _t([1e-200])], lambda a, b: (a / b).sum(), "Div", 1, "(1,), (1,)"),
    ("user_backward", lambda: [_t([[1.0, 2.0]])], lambda x: NanBackward.apply(x).sum(), "NanBackward", 0, "(1, 2)"),
]


@pytest.mark.parametrize("case", BACKWARD_CASES, ids=[c[0] for c in BACKWARD_CASES])
def test_backward_anomaly_names_op_where_it_was_made_and_shapes(case):
    _, inputs, f, op, index, shapes = case
    xs = inputs()
    line = f.__code__.co_firstlineno
    with detect_anomaly():
        out = f(*xs)
        with pytest.raises(AnomalyError) as info:
            out.backward()
    msg = str(info.value)
    assert msg.startswith(f"{op} produced "), msg
    assert f"in its backward pass (gradient of input {index})" in msg, msg
    assert "the op was created at " in msg and f"{HERE}:{line} " in msg, msg
    assert f"(input shapes: {shapes})" in msg, msg
    # the failed walk leaves no half-written gradients behind
    assert all(x.grad is None for x in xs)


def test_backward_outside_context_gives_inf_quietly():
    x = _t([0.0, 1.0])
    x.sqrt().sum().backward()
    assert np.isinf(x.grad.data[0]) and x.grad.data[1] == 0.5


def test_graph_built_outside_context_is_checked_in_backward():
    x = _t([0.0])
    y = x.sqrt().sum()
    with detect_anomaly(), pytest.raises(AnomalyError, match="Sqrt .* created at <made outside detect_anomaly>"):
        y.backward()


def test_anomaly_in_a_recorded_backward_names_both_ops():
    """Under create_graph the backward rule runs engine ops; the error says whose backward it was."""
    x = _t([0.0, 1.0])
    with detect_anomaly():
        line = _line(); y = (x * x).sqrt().sum()  # noqa: E702
        with pytest.raises(AnomalyError) as info:
            y.backward(create_graph=True)
    msg = str(info.value)
    assert "while computing the backward of Sqrt" in msg and f"{HERE}:{line}" in msg, msg


def test_nan_inputs_do_not_blame_later_ops():
    """Only the op that turns finite numbers into NaN/inf is reported, not every op the NaN flows through."""
    with detect_anomaly():
        x = Tensor([np.nan, 1.0], requires_grad=True)
        y = (x * 2 + 1).exp().sum()
        y.backward()
    assert np.isnan(y.item()) and np.isnan(x.grad.data[0])


def test_finite_run_is_unchanged_by_the_context():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2))
    x = Tensor(rng.standard_normal((5, 3)))

    def run():
        w = Tensor(w0, requires_grad=True)
        loss = (x @ w).tanh().logsumexp(axis=1).mean()
        loss.backward()
        return loss.item(), w.grad

    plain = run()
    with detect_anomaly():
        checked = run()
    assert plain[0] == checked[0]
    np.testing.assert_array_equal(plain[1], checked[1])


def test_context_nests_is_a_decorator_and_restores_on_error():
    from autograd.anomaly import is_anomaly_enabled

    assert not is_anomaly_enabled()
    with detect_anomaly():
        with detect_anomaly():
            assert is_anomaly_enabled()
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()

    @detect_anomaly()
    def bad():
        return _t([0.0]).log()

    with pytest.raises(AnomalyError):
        bad()
    assert not is_anomaly_enabled()
    _t([0.0]).log()  # silent again


def test_anomaly_mode_is_thread_local():
    from autograd.anomaly import is_anomaly_enabled

    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def checker():
        with detect_anomaly():
            inside.set()
            release.wait(5)
            seen["checker"] = is_anomaly_enabled()

    t = threading.Thread(target=checker)
    t.start()
    inside.wait(5)
    seen["main"] = is_anomaly_enabled()
    _t([0.0]).log()  # this thread is not checking: no error
    Value(800.0).exp()  # nor in scalar mode
    release.set()
    t.join(5)
    assert seen == {"main": False, "checker": True}


def test_anomaly_error_is_a_runtime_error():
    assert issubclass(AnomalyError, RuntimeError)
    assert autograd.AnomalyError is AnomalyError


def test_error_inside_nn_points_at_the_users_line():
    """Ops made inside nn's layers and losses are reported at the user's call, not inside the library."""
    nn = pytest.importorskip("nn")
    model = nn.MLP(3, [4, 2], seed=0)
    model.load_state_dict({k: v * 1e200 for k, v in model.state_dict().items()})  # overflow in the second layer
    x = np.ones((2, 3))
    with detect_anomaly():
        with pytest.raises(AnomalyError) as info:
            line = _line(); model(x)  # noqa: E702
    msg = str(info.value)
    assert f"{HERE}:{line} " in msg and "produced inf" in msg, msg
    assert os.sep + "nn" + os.sep not in msg.split(" at ")[1], msg


# ------------------------------------------------------------------ scalar mode

VALUE_FORWARD = [
    ("exp_overflow", lambda: Value(800.0).exp(), "exp", "inf"),
    ("mul_overflow", lambda: Value(1e200) * Value(1e200), r"\*", "inf"),
    ("add_overflow", lambda: Value(1.7e308) + 1.7e308, r"\+", "inf"),
    ("sum_overflow", lambda: Value.sum([Value(1.7e308), Value(1.7e308)]), "sum", "inf"),
    ("pow_neg_frac", lambda: Value(-8.0) ** 0.5, r"\*\*0.5", "NaN"),
    ("pow_overflow", lambda: Value(1e-200) ** -2.0, r"\*\*-2\.0", "inf"),  # micrograd's label for a float power
]


@pytest.mark.numpy_only
@pytest.mark.parametrize("case", VALUE_FORWARD, ids=[c[0] for c in VALUE_FORWARD])
def test_value_forward_anomaly_names_op_and_line(case):
    _, make, op, kind = case
    with detect_anomaly(), pytest.raises(AnomalyError, match=rf"Value {op} produced {kind} in its forward pass at "
                                                             r".*test_anomaly\.py:\d+"):
        make()
    make()  # outside detect_anomaly: numbers as numpy would give them, no error


@pytest.mark.numpy_only
def test_value_anomaly_is_not_blamed_on_an_op_fed_inf():
    with detect_anomaly():
        y = Value(math.inf) + 1.0
        z = y * 2.0
    assert z.data == math.inf


@pytest.mark.numpy_only
def test_value_backward_anomaly_names_the_op_and_its_local_derivative():
    x = Value(0.0)
    y = x.sqrt() * 3.0  # sqrt is 0 at 0, but its derivative 1 / (2 sqrt(x)) is inf
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"Value sqrt produced inf in its backward pass "
                                                             r"\(gradient of input 0: local derivative inf"):
        y.backward()
    x.grad = 0.0
    y.backward()  # outside: the inf reaches x.grad as it would in numpy
    assert x.grad == math.inf


@pytest.mark.numpy_only
def test_value_checks_stop_when_the_last_block_closes():
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(AnomalyError):
            Value(800.0).exp()  # the outer block is still open
    assert Value(800.0).exp().data == math.inf
