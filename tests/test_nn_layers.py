"""Layers, activations and initialisers: values, shapes, seeds, the perceptron rule, dropout, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn import functional as F


def test_linear_computes_x_wt_plus_b_and_checks_feature_count():
    lin = nn.Linear(3, 2, seed=0)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(lin(x).data, x @ lin.weight.data.T + lin.bias.data, rtol=1e-14)
    with pytest.raises(ValueError, match=r"expected inputs with 3 features.*got 4.*\(5, 4\)"):
        lin(np.ones((5, 4)))
    with pytest.raises(ValueError, match="3 features"):
        nn.Linear(3, 2, mode="scalar")(np.ones((2, 2)))
    assert nn.Linear(3, 2, bias=False).bias is None
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        nn.Linear(0, 2)


def test_mlp_structure_and_bad_sizes():
    m = nn.MLP(4, [8, 8, 3], activation="tanh", output_activation="softmax", dropout=0.1, seed=0)
    kinds = [type(x).__name__ for x in m]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear", "Softmax"]
    out = m.eval()(np.ones((5, 4)))
    np.testing.assert_allclose(out.data.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="sizes must be a non-empty list"):
        nn.MLP(2, [])
    with pytest.raises(ValueError, match="unknown activation 'rectifier'"):
        nn.MLP(2, [3, 1], activation="rectifier")


@pytest.mark.parametrize(
    "act",
    [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.LeakyReLU(0.1), nn.ELU(0.7), nn.LeakyReLU(-0.5), nn.ELU(-1.0)],
    ids=lambda a: repr(a),
)
def test_sequential_fuses_linear_and_activation_with_the_same_numbers(act):
    """Sequential runs Linear + activation as one op; values and every gradient match the two ops run apart."""
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.Linear(4, 5, seed=1), act, nn.Linear(5, 2, seed=2))
    x = Tensor(rng.standard_normal((6, 4)), requires_grad=True)
    fused = model(x)
    (fused**2).sum().backward()
    grads = [p.grad.data.copy() for p in model.parameters()] + [x.grad.data.copy()]
    model.zero_grad()
    x.grad = None
    h = act(model[0](x))  # the same modules called one at a time: two ops
    apart = model[2](h)
    (apart**2).sum().backward()
    np.testing.assert_allclose(fused.data, apart.data, rtol=1e-12, atol=1e-15)
    for g, p in zip(grads, list(model.parameters()) + [x]):
        np.testing.assert_allclose(g, p.grad, rtol=1e-10, atol=1e-14)
    hidden = fused.parents[0]  # the first layer's output, the second Linear's input
    slope_ok = getattr(act, "negative_slope", getattr(act, "alpha", 0.0)) >= 0
    assert (hidden.grad_fn.__name__ == "Linear") == slope_ok, "a non-negative slope/alpha fuses; a negative one not"


def test_sequential_does_not_fuse_a_subclassed_activation():
    class Doubled(nn.ReLU):
        def forward(self, x):
            return super().forward(x) * 2

    model = nn.Sequential(nn.Linear(3, 2, seed=0), Doubled())
    x = np.ones((2, 3))
    np.testing.assert_allclose(model(x).data, 2 * np.maximum(model[0](x).data, 0), rtol=1e-14)


@pytest.mark.parametrize(
    "name, fn",
    [
        ("relu", lambda x: np.maximum(x, 0)),
        ("tanh", np.tanh),
        ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
        ("identity", lambda x: x),
        ("step", lambda x: (x >= 0).astype(float)),
        ("leaky_relu", lambda x: np.where(x > 0, x, 0.01 * x)),
        ("elu", lambda x: np.where(x > 0, x, np.expm1(x))),
        ("softplus", lambda x: np.logaddexp(0, x)),
        ("silu", lambda x: x / (1 + np.exp(-x))),
        ("swish", lambda x: x / (1 + np.exp(-x))),
        ("gelu", lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))),
        ("mish", lambda x: x * np.tanh(np.logaddexp(0, x))),
    ],
)
def test_activation_modules_and_functions_compute_their_formula(name, fn):
    x = np.linspace(-3, 3, 13)
    mod = nn.get_activation(name)
    np.testing.assert_allclose(mod(Tensor(x)).data, fn(x), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(F.get_activation_fn(name)(x).data, fn(x), rtol=1e-14, atol=1e-15)
    scalar = mod(np.array([Value(v) for v in x], dtype=object))
    np.testing.assert_allclose([v.data for v in scalar], fn(x), rtol=1e-14, atol=1e-15)


def test_prelu_learns_its_slope_and_softmax_axes():
    pre = nn.PReLU()
    x = Tensor([[-2.0, 3.0], [-1.0, -4.0]], requires_grad=True)
    y = pre(x)
    np.testing.assert_allclose(y.data, [[-0.5, 3.0], [-0.25, -1.0]])
    y.sum().backward()
    np.testing.assert_allclose(pre.weight.grad, [-7.0])
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1000.0]])
    np.testing.assert_allclose(nn.Softmax(axis=1)(z).data.sum(axis=1), 1.0)
    np.testing.assert_allclose(nn.Softmax(axis=0)(z).data.sum(axis=0), 1.0)
    lsm = F.log_softmax(np.array([[0.0, 0.0, 1000.0]], dtype=object))
    assert abs(lsm[0, 2].data) < 1e-12 and np.isfinite(lsm[0, 0].data)
    with pytest.raises(ValueError, match="2 slopes need 2 channels"):
        nn.PReLU(2)(np.ones((3, 5)))


def test_gelu_module_takes_torchs_approximation_and_its_gradient_matches_in_both_modes():
    x = np.linspace(-3, 3, 7)
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(nn.GELU(approximate="tanh")(Tensor(x)).data, tanh_form, rtol=1e-14, atol=1e-15)
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("erf")
    for name in ("gelu", "silu", "mish", "softplus"):
        t = Tensor(x, requires_grad=True)
        nn.get_activation(name)(t).sum().backward()
        vs = [Value(v) for v in x]
        Value.sum(list(nn.get_activation(name)(np.array(vs, dtype=object)))).backward()
        np.testing.assert_allclose([v.grad for v in vs], t.grad, rtol=1e-12, atol=1e-15, err_msg=name)


def test_unknown_activation_names_are_rejected():
    with pytest.raises(ValueError, match="unknown activation 'swishy'.*relu"):
        nn.get_activation("swishy")
    with pytest.raises(ValueError, match="unknown activation"):
        F.get_activation_fn("swishy")


@pytest.mark.numpy_only
def test_perceptron_rule_separates_blobs_in_both_modes():
    X, y = nn.datasets.make_blobs(80, centers=2, cluster_std=1.0, seed=3)
    for mode in ("tensor", "scalar"):
        p = nn.Perceptron(2, mode=mode, seed=0)
        mistakes = p.learn(X, y, lr=0.5, max_epochs=200)
        assert mistakes[-1] == 0 and len(mistakes) < 200
        pred = nn.modes.numbers(p(X))
        assert np.array_equal(pred, y)
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        nn.Perceptron(2).learn(X, y * 2)
    with pytest.raises(ValueError, match="X has 80 rows but y has 79"):
        nn.Perceptron(2).learn(X, y[:-1])


def test_dropout_inverted_scaling_eval_identity_and_seed():
    x = np.ones((200, 50))
    d = nn.Dropout(0.3, seed=1)
    out = d(Tensor(x)).data
    kept = out != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(out[kept], 1 / 0.7)
    np.testing.assert_array_equal(nn.Dropout(0.3, seed=1)(x).data, out)
    d.eval()
    assert d(Tensor(x)).data is not None and np.array_equal(d(Tensor(x)).data, x)
    for p in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"p .* must be in \[0, 1\)"):
            nn.Dropout(p)


def test_flatten_in_both_modes():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert nn.Flatten()(Tensor(x)).shape == (2, 12)
    assert nn.Flatten()(np.array(x, dtype=object)).shape == (2, 12)
    assert nn.Flatten(0)(Tensor(x)).shape == (24,)


@pytest.mark.numpy_only
@pytest.mark.parametrize("name", ["small", "uniform", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                                  "kaiming_normal", "default", "zeros"])
def test_initialisers_are_seedable_and_scaled(name):
    a = nn.init.get_initializer(name)((200, 100), seed=5)
    b = nn.init.get_initializer(name)((200, 100), seed=5)
    np.testing.assert_array_equal(a, b)
    expected_std = {
        "small": 0.05 / np.sqrt(3), "uniform": 1 / np.sqrt(3), "xavier_uniform": np.sqrt(2 / 300),
        "xavier_normal": np.sqrt(2 / 300), "kaiming_uniform": np.sqrt(2 / 100), "kaiming_normal": np.sqrt(2 / 100),
        "default": 1 / np.sqrt(100) / np.sqrt(3), "zeros": 0.0,
    }[name]
    assert a.std() == pytest.approx(expected_std, rel=0.05, abs=1e-12)


@pytest.mark.numpy_only
def test_unknown_initialiser_and_bad_seed():
    with pytest.raises(ValueError, match="unknown initialiser 'glorious'"):
        nn.Linear(2, 2, init="glorious")
    with pytest.raises(ValueError, match="seed must be"):
        nn.Linear(2, 2, seed=-1)
    lin = nn.Linear(2, 3, init=lambda shape, seed: np.full(shape, 0.5))
    assert np.all(lin.weight.data == 0.5) and np.all(lin.bias.data == 0)


@pytest.mark.numpy_only
def test_library_seed_makes_models_repeatable():
    import autograd

    autograd.manual_seed(3)
    a = nn.MLP(2, [3, 1]).state_dict()
    autograd.manual_seed(3)
    b = nn.MLP(2, [3, 1]).state_dict()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
