"""Losses: values by hand and against torch, stability on huge logits, gradients, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value
from nn import functional as F

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(5, 4)) * 3
LABELS = np.array([0, 3, 1, 1, 2])
PRED = RNG.normal(size=(5, 1))
TARGET = RNG.normal(size=(5, 1))
BIN = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]])


def test_hand_computed_values():
    np.testing.assert_allclose(F.mse_loss([1.0, 2.0], [0.0, 4.0]).item(), (1 + 4) / 2)
    np.testing.assert_allclose(F.sse_loss([1.0, 2.0], [0.0, 4.0]).item(), 0.5 * 5)
    np.testing.assert_allclose(F.l1_loss([1.0, 2.0], [0.0, 4.0], reduction="sum").item(), 3.0)
    np.testing.assert_allclose(F.hinge_loss([0.5, -2.0, 3.0], [1, 1, -1]).item(), (0.5 + 3 + 4) / 3)
    np.testing.assert_allclose(F.cross_entropy([[0.0, 0.0]], [1]).item(), np.log(2))
    np.testing.assert_allclose(F.binary_cross_entropy([0.25], [1.0]).item(), -np.log(0.25))
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits([0.0], [1.0]).item(), np.log(2))
    assert F.mse_loss([1.0, 2.0], [0.0, 4.0], reduction="none").shape == (2,)


def test_against_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    t = torch.tensor
    pairs = [
        (F.cross_entropy(LOGITS, LABELS), tf.cross_entropy(t(LOGITS), t(LABELS))),
        (F.cross_entropy(LOGITS, F.one_hot(LABELS, 4), reduction="sum"),
         tf.cross_entropy(t(LOGITS), t(F.one_hot(LABELS, 4).double().numpy()), reduction="sum")),
        (F.nll_loss(F.log_softmax(LOGITS), LABELS), tf.nll_loss(tf.log_softmax(t(LOGITS), -1), t(LABELS))),
        (F.mse_loss(PRED, TARGET), tf.mse_loss(t(PRED), t(TARGET))),
        (F.l1_loss(PRED, TARGET), tf.l1_loss(t(PRED), t(TARGET))),
        (F.binary_cross_entropy_with_logits(PRED, BIN), tf.binary_cross_entropy_with_logits(t(PRED), t(BIN))),
        (F.binary_cross_entropy(F.sigmoid(PRED), BIN), tf.binary_cross_entropy(torch.sigmoid(t(PRED)), t(BIN))),
        (F.binary_cross_entropy([0.0, 1.0], [1.0, 0.0]), tf.binary_cross_entropy(t([0.0, 1.0]).double(),
                                                                                  t([1.0, 0.0]).double())),
    ]
    for ours, theirs in pairs:
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-12, abs=1e-12)
    for fn, tfn in [(F.leaky_relu, tf.leaky_relu), (F.elu, tf.elu), (F.softmax, lambda x: tf.softmax(x, -1))]:
        np.testing.assert_allclose(fn(LOGITS).data, tfn(t(LOGITS)).numpy(), rtol=1e-13, atol=1e-15)


def test_gradients_against_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    cases = [
        (lambda z: F.cross_entropy(z, LABELS), lambda z: tf.cross_entropy(z, torch.tensor(LABELS)), LOGITS),
        (lambda z: F.binary_cross_entropy_with_logits(z, BIN), lambda z: tf.binary_cross_entropy_with_logits(
            z, torch.tensor(BIN)), PRED),
        (lambda p: F.binary_cross_entropy(p, BIN), lambda p: tf.binary_cross_entropy(p, torch.tensor(BIN)),
         1 / (1 + np.exp(-PRED))),
    ]
    for ours, theirs, x in cases:
        a = Tensor(x, requires_grad=True)
        ours(a).backward()
        b = torch.tensor(x, requires_grad=True)
        theirs(b).backward()
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_stable_on_huge_logits_in_both_modes():
    z = np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 5.0]])
    for logits in (Tensor(z, requires_grad=True), np.array([[Value(v) for v in row] for row in z], dtype=object)):
        loss = F.cross_entropy(logits, [1, 1])
        assert float(nn.modes.numbers(loss)) == pytest.approx(1000.0, rel=1e-12)
        loss.backward()
    big = Tensor([[800.0], [-800.0]], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(big, [[0.0], [1.0]])
    assert loss.item() == pytest.approx(800.0)
    loss.backward()
    np.testing.assert_allclose(big.grad, [[0.5], [-0.5]])
    s = F.binary_cross_entropy_with_logits(np.array([Value(800.0)], dtype=object), [0.0])
    assert s.data == pytest.approx(800.0)


def test_gradcheck_of_loss_ops():
    for fn, x in [
        (lambda z: F.cross_entropy(z, LABELS), LOGITS),
        (lambda z: F.cross_entropy(z, F.one_hot(LABELS, 4) * 0.7 + 0.075), LOGITS),
        (lambda z: F.binary_cross_entropy_with_logits(z, BIN * 0.8 + 0.1), PRED),
        (lambda p: F.binary_cross_entropy(p, BIN * 0.8 + 0.1), 1 / (1 + np.exp(-PRED))),
        (lambda z: F.hinge_loss(z, BIN * 2 - 1, margin=2.0), PRED * 0.3),
        (lambda p: F.mse_loss(p, BIN * 0.8 + 0.1), PRED),
        (lambda p: F.mse_loss(p, BIN * 0.8 + 0.1, reduction="sum"), PRED),
        (lambda p: F.sse_loss(p, BIN * 0.8 + 0.1), PRED),
    ]:
        assert autograd.gradcheck(fn, [Tensor(x, requires_grad=True)])


def test_second_derivative_through_cross_entropy():
    # d2/dz2 of CE for one row is diag(p) - p p^T: check it through create_graph
    z = np.array([0.3, -1.2, 0.5])
    h = autograd.hessian(lambda t: F.cross_entropy(t.reshape(1, 3), [2]))(Tensor(z)).data
    p = np.exp(z - z.max())
    p /= p.sum()
    np.testing.assert_allclose(h, np.diag(p) - np.outer(p, p), rtol=1e-10, atol=1e-12)
    h2 = autograd.hessian(lambda t: F.binary_cross_entropy_with_logits(t, np.array([1.0, 0.0])))(
        Tensor(np.array([0.4, -2.0]))).data
    s = 1 / (1 + np.exp(-np.array([0.4, -2.0])))
    np.testing.assert_allclose(h2, np.diag(s * (1 - s)) / 2, rtol=1e-10)
    # a batch's mean is reduced inside the op: the Hessian is block-diagonal, each block divided by n
    z2 = np.array([[0.3, -1.2, 0.5], [2.0, 0.1, -0.4]])
    for reduction, scale in (("mean", 0.5), ("sum", 1.0)):
        h = autograd.hessian(lambda t, r=reduction: F.cross_entropy(t.reshape(2, 3), [2, 0], reduction=r))(
            Tensor(z2.reshape(-1))).data
        blocks = np.zeros((6, 6))
        for r in range(2):
            p = np.exp(z2[r] - z2[r].max())
            p /= p.sum()
            blocks[3 * r:3 * r + 3, 3 * r:3 * r + 3] = (np.diag(p) - np.outer(p, p)) * scale
        np.testing.assert_allclose(h, blocks, rtol=1e-10, atol=1e-12)
    # mean squared error is one op; its rule is recorded too: d2/dp2 = 2/n I
    h3 = autograd.hessian(lambda t: F.mse_loss(t, np.array([1.0, 0.0, 2.0])))(Tensor(np.array([0.4, -2.0, 3.0]))).data
    np.testing.assert_allclose(h3, np.eye(3) * 2 / 3, rtol=1e-12)
    h4 = autograd.hessian(lambda t: F.mse_loss(t, np.zeros(2), reduction="sum"))(Tensor(np.array([0.4, -2.0]))).data
    np.testing.assert_allclose(h4, np.eye(2) * 2, rtol=1e-12)


@pytest.mark.numpy_only
def test_bad_input_messages():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\] for 4 classes, found \[4, 7\]"):
        F.cross_entropy(LOGITS, [0, 4, 7, 1, 2])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\]"):
        F.cross_entropy(LOGITS, [0, -1, 1, 1, 2])
    with pytest.raises(ValueError, match="5 rows of logits but 4 labels"):
        F.cross_entropy(LOGITS, [0, 1, 1, 2])
    with pytest.raises(ValueError, match="whole numbers"):
        F.cross_entropy(LOGITS, [0.5, 1, 1, 2, 0])
    bad = LOGITS.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="logits contain NaN"):
        F.cross_entropy(bad, LABELS)
    with pytest.raises(ValueError, match=r"mse_loss: the prediction contains NaN \(1 of 2"):
        F.mse_loss([1.0, np.nan], [0.0, 0.0])
    with pytest.raises(ValueError, match="target contains NaN"):
        F.mse_loss([1.0, 1.0], [0.0, np.nan])
    with pytest.raises(ValueError, match=r"prediction of shape \(5, 1\) and target of shape \(4, 2\)"):
        F.mse_loss(PRED, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="empty prediction"):
        F.mse_loss(np.zeros((0, 1)), np.zeros((0, 1)))
    with pytest.raises(ValueError, match="empty logits"):
        F.cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*with_logits"):
        F.binary_cross_entropy([1.5], [1.0])
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\]"):
        F.binary_cross_entropy_with_logits([0.5], [2.0])
    with pytest.raises(ValueError, match=r"labels must be -1 or \+1.*y \* 2 - 1"):
        F.hinge_loss([0.5, 0.2], [0, 1])
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="average")
    with pytest.raises(ValueError, match="unknown loss 'crossentropy'"):
        nn.get_loss("crossentropy")


@pytest.mark.numpy_only
def test_target_column_vector_broadcasts_with_a_warning_as_in_torch():
    # (N, 1) predictions against (N,) targets broadcast to (N, N) in torch, with a warning: the same numbers here
    with pytest.warns(UserWarning, match=r"mse_loss: a target of shape \(2,\) and a prediction of shape \(2, 1\)"):
        loss = F.mse_loss(np.array([[1.0], [2.0]]), np.array([1.0, 2.0]))
    assert loss.item() == pytest.approx(0.5)  # ((0 + 1) + (1 + 0)) / 4, torch's number
    with pytest.raises(ValueError, match=r"mse_loss: prediction of shape \(4, 3\) and target of shape \(3, 4\) "
                                         r"do not match and do not broadcast"):
        F.mse_loss(np.zeros((4, 3)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: prediction of shape \(2, 1\) and "
                                         r"target of shape \(2,\) do not match; give a target of shape \(2, 1\)"):
        F.binary_cross_entropy_with_logits(np.zeros((2, 1)), np.zeros(2))


@pytest.mark.numpy_only
def test_l2_penalty_in_both_modes():
    m = nn.Linear(2, 2, seed=0)
    expected = sum((v**2).sum() for v in m.state_dict().values())
    assert F.l2_penalty(m.parameters()).item() == pytest.approx(expected)
    assert F.l2_penalty(m.to_scalar()).data == pytest.approx(expected)
