"""Both modes: every layer, activation and loss gives the same outputs and gradients (1e-12, float64)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn import functional as F
from nn.modes import numbers

TOL = 1e-12


def grads_of(model: nn.Module) -> dict:
    """Parameter gradients by name, as float arrays, in either mode."""
    out = {}
    for name, p in model.named_parameters():
        if isinstance(p, Tensor):
            out[name] = np.zeros_like(p.data) if p.grad is None else np.asarray(p.grad)
        elif type(p) is Value:
            out[name] = np.array(p.grad)
        else:
            out[name] = np.array([v.grad for v in p.flat]).reshape(p.shape)
    return out


def run_both(model: nn.Module, x: np.ndarray, loss_fn, target) -> tuple:
    """Forward and backward in tensor mode and in the converted scalar model; return both results."""
    model.zero_grad()
    scalar = model.to_scalar()
    xt = Tensor(x, requires_grad=True)
    out_t = model(xt)
    loss_t = loss_fn(out_t, target)
    loss_t.backward()
    xs = nn.modes.to_values(x, "test")
    xs = np.vectorize(lambda v: Value(v), otypes=[object])(xs) if xs.ndim else Value(float(xs))
    out_s = scalar(xs)
    loss_s = loss_fn(out_s, target)
    loss_s.backward()
    return (out_t, loss_t, xt.grad, grads_of(model)), (out_s, loss_s, np.vectorize(lambda v: v.grad)(xs),
                                                        grads_of(scalar))


def assert_same(model, x, loss_fn, target):
    (ot, lt, gxt, gt), (os_, ls, gxs, gs) = run_both(model, x, loss_fn, target)
    np.testing.assert_allclose(numbers(os_), numbers(ot), rtol=TOL, atol=TOL)
    assert abs(float(numbers(ls)) - float(numbers(lt))) <= TOL * max(1.0, abs(float(numbers(lt))))
    np.testing.assert_allclose(gxs, gxt, rtol=TOL, atol=TOL)
    assert gt.keys() == gs.keys()
    for k in gt:
        np.testing.assert_allclose(gs[k], gt[k], rtol=TOL, atol=TOL, err_msg=k)


X = np.random.default_rng(7).normal(size=(6, 3))
Y_CLASS = np.array([0, 2, 1, 1, 0, 2])
Y_BIN = np.array([0, 1, 1, 0, 1, 0])

ACTS = ["relu", "tanh", "sigmoid", "elu", "leaky_relu", "identity", "prelu"]


@pytest.mark.parametrize("activation", ACTS)
def test_mlp_activations_match_between_modes(activation):
    model = nn.MLP(3, [5, 4, 3], activation=activation, seed=1)
    assert_same(model, X, F.cross_entropy, Y_CLASS)


@pytest.mark.parametrize(
    "loss_fn, head, target",
    [
        (nn.MSELoss(), None, np.linspace(-1, 1, 6)),
        (nn.SSELoss(), None, np.linspace(-1, 1, 6)),
        (nn.L1Loss(reduction="sum"), None, np.linspace(-1, 1, 6) + 0.05),
        (nn.HingeLoss(), None, Y_BIN * 2 - 1),
        (nn.BCEWithLogitsLoss(), None, Y_BIN),
        (nn.BCELoss(), "sigmoid", Y_BIN),
    ],
    ids=["mse", "sse", "l1", "hinge", "bce_logits", "bce"],
)
def test_binary_and_regression_losses_match_between_modes(loss_fn, head, target):
    model = nn.MLP(3, [4, 1], activation="tanh", output_activation=head, seed=2)
    assert_same(model, X, loss_fn, target.reshape(-1, 1))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_labels_one_hot_and_nll_match_between_modes(reduction):
    model = nn.MLP(3, [4, 3], activation="tanh", seed=3)
    assert_same(model, X, lambda o, t: F.cross_entropy(o, t, reduction=reduction), Y_CLASS)
    assert_same(model, X, lambda o, t: F.cross_entropy(o, t, reduction=reduction), F.one_hot(Y_CLASS, 3))
    model = nn.Sequential(nn.Linear(3, 3, seed=4), nn.LogSoftmax())
    assert_same(model, X, lambda o, t: F.nll_loss(o, t, reduction=reduction), Y_CLASS)


def test_softmax_dropout_flatten_and_neuron_match_between_modes():
    model = nn.Sequential(nn.Flatten(), nn.Linear(3, 4, seed=5), nn.Dropout(0.4, seed=11), nn.Softmax())
    assert_same(model, X, nn.MSELoss(), np.full((6, 4), 0.25))
    neuron = nn.Neuron(3, activation="sigmoid", seed=6)
    assert_same(neuron, X, nn.MSELoss(), np.linspace(0, 1, 6))
    assert_same(nn.Sequential(nn.PReLU(3, mode="tensor")), X, nn.MSELoss(), np.zeros((6, 3)))


def test_single_sample_in_scalar_mode_returns_values():
    s = nn.MLP(3, [4, 1], seed=0, mode="scalar")
    out = s([0.5, -1.0, 2.0])
    assert out.shape == (1,) and type(out[0]) is Value
    neuron = nn.Neuron(3, mode="scalar", activation="tanh", seed=0)
    v = neuron([0.5, -1.0, 2.0])
    assert type(v) is Value
    t = nn.Neuron(3, activation="tanh", seed=0)(np.array([0.5, -1.0, 2.0]))
    assert abs(t.item() - v.data) < TOL


def test_scalar_neuron_is_one_sum_node():
    neuron = nn.Neuron(4, mode="scalar", seed=0)
    v = neuron([1.0, 2.0, 3.0, 4.0])  # identity activation: the output is the neuron's sum node itself
    assert v.op == "sum" and len(v._parents) == 5  # four products and the bias
    assert sorted(p.op for p in v._parents[:4]) == ["*"] * 4 and v._parents[4] is neuron.bias


def test_same_seed_same_model_in_both_modes():
    a = nn.MLP(3, [4, 2], seed=42, init="xavier_uniform")
    b = nn.MLP(3, [4, 2], seed=42, init="xavier_uniform", mode="scalar")
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(v, b.state_dict()[k])
    c = nn.MLP(3, [4, 2], seed=43, init="xavier_uniform")
    assert not np.array_equal(a.state_dict()["0.weight"], c.state_dict()["0.weight"])


def test_mode_mismatch_gives_clear_error():
    s = nn.Linear(2, 2, mode="scalar")
    t = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="tensor mode.*to_scalar"):
        t(np.array([Value(1.0), Value(2.0)], dtype=object))
    assert s(np.ones(2)).shape == (2,)  # numbers are constants in scalar mode too
