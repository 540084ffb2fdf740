"""The functional API: grad, value_and_grad, jacobian, hessian."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

RNG = np.random.default_rng(42)
A = RNG.standard_normal((3, 3))
X0 = np.array([0.4, -1.1, 0.8])


def quadratic(x):
    return (x * (Tensor(A) @ x)).sum()  # x^T A x


def test_grad_of_quadratic_form():
    g = autograd.grad(quadratic)(Tensor(X0))
    assert isinstance(g, Tensor) and g.shape == (3,)
    np.testing.assert_allclose(g.data, (A + A.T) @ X0, rtol=1e-12)


def test_grad_accepts_arrays_and_leaves_inputs_untouched():
    x = Tensor(X0, requires_grad=True)
    g = autograd.grad(lambda t: (t.tanh() ** 2).sum())(x)
    t = np.tanh(X0)
    np.testing.assert_allclose(g.data, 2 * t * (1 - t * t), rtol=1e-12)
    assert x.grad is None
    plain = autograd.grad(lambda t: (t * t).sum())(X0)
    np.testing.assert_allclose(plain.data, 2 * X0)
    assert not plain.requires_grad  # nothing outside to connect to


def test_grad_argnums():
    def f(a, b, c):
        return (a * b).sum() + c

    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    np.testing.assert_array_equal(autograd.grad(f, argnums=1)(a, b, 5.0).data, [1.0, 2.0])
    ga, gb = autograd.grad(f, argnums=(0, 1))(a, b, 5.0)
    np.testing.assert_array_equal(ga.data, [3.0, 4.0])
    np.testing.assert_array_equal(gb.data, [1.0, 2.0])
    np.testing.assert_array_equal(autograd.grad(f, argnums=-1)(a, b, Tensor(5.0)).data, 1.0)
    with pytest.raises(ValueError, match="argnums"):
        autograd.grad(f, argnums=3)(a, b, 5.0)


def test_grad_of_unused_argument_is_zero():
    g = autograd.grad(lambda a, b: (a * 2).sum(), argnums=1)(Tensor([1.0]), Tensor([1.0, 2.0]))
    np.testing.assert_array_equal(g.data, [0.0, 0.0])


def test_value_and_grad():
    value, g = autograd.value_and_grad(quadratic)(Tensor(X0))
    assert value.item() == pytest.approx(X0 @ A @ X0, rel=1e-12)
    assert not value.requires_grad
    np.testing.assert_allclose(g.data, (A + A.T) @ X0, rtol=1e-12)


def test_grad_requires_a_one_element_output():
    with pytest.raises(ValueError, match="jacobian"):
        autograd.grad(lambda t: t * 2)(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        autograd.grad(3)


def test_jacobian_elementwise_and_linear():
    x = Tensor(X0)
    jac = autograd.jacobian(lambda t: t.exp())(x)
    assert jac.shape == (3, 3)
    np.testing.assert_allclose(jac.data, np.diag(np.exp(X0)), rtol=1e-12)
    M = RNG.standard_normal((2, 3))
    jac = autograd.jacobian(lambda t: Tensor(M) @ t)(x)
    np.testing.assert_allclose(jac.data, M, rtol=1e-12)


def test_jacobian_shape_is_output_shape_then_input_shape():
    x = Tensor(RNG.standard_normal((2, 3)))
    jac = autograd.jacobian(lambda t: t.sum(axis=0))(x)
    assert jac.shape == (3, 2, 3)
    expected = np.zeros((3, 2, 3))
    for j in range(3):
        expected[j, :, j] = 1.0
    np.testing.assert_array_equal(jac.data, expected)


def test_jacobian_of_softmax():
    x = Tensor(X0)
    s = np.exp(X0) / np.exp(X0).sum()
    jac = autograd.jacobian(lambda t: t.softmax(axis=0))(x)
    np.testing.assert_allclose(jac.data, np.diag(s) - np.outer(s, s), rtol=1e-10, atol=1e-14)


def test_jacobian_argnums():
    jac = autograd.jacobian(lambda a, b: a * b, argnums=1)(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
    np.testing.assert_array_equal(jac.data, np.diag([1.0, 2.0]))


def test_hessian_of_quadratic_form():
    hess = autograd.hessian(quadratic)(Tensor(X0))
    assert hess.shape == (3, 3)
    np.testing.assert_allclose(hess.data, A + A.T, rtol=1e-12)


def test_hessian_of_log_sum_exp_matches_finite_differences_of_gradient():
    def f(t):
        return t.logsumexp() + (t**3).sum() * 0.1

    x0 = X0.copy()
    hess = autograd.hessian(f)(Tensor(x0)).data
    grad = autograd.grad(f)
    eps = 1e-6
    numeric = np.zeros((3, 3))
    for j in range(3):
        step = np.zeros(3)
        step[j] = eps
        numeric[:, j] = (grad(Tensor(x0 + step)).data - grad(Tensor(x0 - step)).data) / (2 * eps)
    np.testing.assert_allclose(hess, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hess, hess.T, rtol=1e-10, atol=1e-12)


def test_nested_grad_gives_second_derivative():
    d2 = autograd.grad(lambda t: autograd.grad(lambda u: u.tanh().sum())(t).sum())
    x = Tensor(np.array([0.3, -0.5]))
    t = np.tanh(x.data)
    np.testing.assert_allclose(d2(x).data, -2 * t * (1 - t * t), rtol=1e-12)


def test_grad_inside_an_outer_graph_is_recorded():
    x = Tensor([0.7, 1.3], requires_grad=True)
    g = autograd.grad(lambda t: (t**3).sum())(x)  # 3 x**2, connected to x
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data, rtol=1e-12)


def test_functional_api_under_no_grad_still_differentiates():
    with autograd.no_grad():
        g = autograd.grad(lambda t: (t * t).sum())(Tensor([1.0, 2.0], requires_grad=True))
    np.testing.assert_array_equal(g.data, [2.0, 4.0])
