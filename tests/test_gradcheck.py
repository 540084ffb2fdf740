"""``gradcheck``: True for right gradients, a precise error for wrong ones."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import autograd
from autograd import Function, GradcheckError, Tensor


class WrongAt(Function):
    """x**2 whose backward is wrong at one element only: (1, 2) gets 3x instead of 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        factor = np.full(x.shape, 2.0)
        factor[1, 2] = 3.0
        return g * factor * x


class ZeroBackward(Function):
    """exp with a backward that forgets the chain rule and returns 0."""

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0.0


def test_returns_true_for_correct_gradients():
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    w = Tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert autograd.gradcheck(lambda a, b: (a @ b).tanh(), [x, w]) is True
    assert autograd.gradcheck(lambda a: a.exp().sum(), x) is True


def test_error_names_input_index_and_both_values():
    x = Tensor(np.linspace(0.5, 1.6, 12).reshape(3, 4), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        autograd.gradcheck(lambda t: WrongAt.apply(t), [x])
    msg = str(info.value)
    assert "input 0" in msg
    assert "(1, 2)" in msg
    assert "analytic" in msg and "numerical" in msg
    # both values are in the message: the analytic one is 3/2 of the numerical one (3x vs 2x)
    numbers = [float(s) for s in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", msg)]
    assert any(abs(a / b - 1.5) < 1e-4 for a in numbers for b in numbers if b != 0), msg


def test_error_names_the_second_input():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor(np.linspace(0.5, 1.6, 12).reshape(3, 4), requires_grad=True)
    with pytest.raises(GradcheckError, match="input 1"):
        autograd.gradcheck(lambda s, t: WrongAt.apply(t) * s.sum(), [a, b])


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)


def test_raise_exception_false_returns_false():
    x = Tensor(np.linspace(0.5, 1.6, 12).reshape(3, 4), requires_grad=True)
    assert autograd.gradcheck(lambda t: WrongAt.apply(t), [x], raise_exception=False) is False


def test_zero_backward_is_caught():
    with pytest.raises(GradcheckError):
        autograd.gradcheck(lambda t: ZeroBackward.apply(t), [Tensor([0.3, -0.2], requires_grad=True)])


def test_float32_inputs_are_upcast_with_a_warning():
    x = Tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="float32"):
        assert autograd.gradcheck(lambda t: (t * t).sum(), [x])
    assert x.dtype == np.float32  # the caller's tensor is left alone


def test_float64_inputs_give_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert autograd.gradcheck(lambda t: t.sigmoid(), [Tensor([0.5, 1.5], requires_grad=True)])


def test_non_differentiated_inputs_are_passed_through():
    const = Tensor([2.0, 3.0])
    x = Tensor([0.5, 1.5], requires_grad=True)
    assert autograd.gradcheck(lambda t, c, k: (t * c) ** k, [x, const, 2])


def test_caller_inputs_are_not_modified():
    data = np.array([0.5, 1.5])
    x = Tensor(data.copy(), requires_grad=True)
    autograd.gradcheck(lambda t: t.exp(), [x])
    np.testing.assert_array_equal(x.data, data)
    assert x.grad is None


def test_bad_arguments():
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="requires_grad"):
        autograd.gradcheck(lambda t: t * 2, [Tensor([1.0])])
    with pytest.raises(TypeError):
        autograd.gradcheck(lambda t: 3.0, [x])
    with pytest.raises(TypeError):
        autograd.gradcheck("not a function", [x])
    with pytest.raises(ValueError, match="eps"):
        autograd.gradcheck(lambda t: t * 2, [x], eps=0)


def test_tolerances_are_used():
    # a backward off by a relative 1e-4: fails at rtol=1e-6, passes at rtol=1e-3
    class SlightlyOff(Function):
        @staticmethod
        def forward(ctx, x):
            return 2.0 * x

        @staticmethod
        def backward(ctx, g):
            return g * 2.0002

    x = Tensor([1.0, 2.0], requires_grad=True)
    assert autograd.gradcheck(lambda t: SlightlyOff.apply(t), [x], atol=0, rtol=1e-3)
    with pytest.raises(GradcheckError):
        autograd.gradcheck(lambda t: SlightlyOff.apply(t), [x], atol=0, rtol=1e-6)
