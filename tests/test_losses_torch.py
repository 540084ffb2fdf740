"""Every loss against torch: values and gradients (float64 to 1e-10, float32 to 1e-5), gradcheck in float64.

Covers reduction none/mean/sum, cross-entropy and NLL on (N, C, d1, ...) with weight, ignore_index,
label smoothing and probability targets, BCE weights and pos_weight, Huber, smooth L1, KL divergence,
Gaussian NLL, cosine embedding, one_hot, and the shape rules (torch's broadcasting, with its warning).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, gradcheck
from nn import functional as F

torch = pytest.importorskip("torch")
tF = torch.nn.functional

RNG = np.random.default_rng(12)
REDUCTIONS = ("none", "mean", "sum")
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
TDT = {np.float64: torch.float64, np.float32: torch.float32}


def compare(ours, theirs, inputs, grad_of=None, dtypes=(np.float64, np.float32), consts=()):
    """ours(*Tensors, *consts) vs theirs(*torch tensors, *consts): value, dtype and the gradient of every input.

    ``inputs`` are float arrays that take gradients; a 'none' reduction is contracted with fixed random
    weights before backward, so every entry of the gradient is compared.
    """
    for dt in dtypes:
        a = [Tensor(x.astype(dt), requires_grad=True) for x in inputs]
        b = [torch.tensor(x.astype(dt), requires_grad=True) for x in inputs]
        out, ref = ours(*a), theirs(*b)
        assert out.shape == tuple(ref.shape), (out.shape, ref.shape)
        assert out.dtype == dt, f"{out.dtype} for {dt} inputs"
        np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL[dt])
        g = RNG.uniform(0.5, 1.5, size=out.shape)
        (out * Tensor(g.astype(dt))).sum().backward()
        (ref * torch.tensor(g.astype(dt))).sum().backward()
        for x, y in zip(a, b):
            if y.grad is None:
                assert x.grad is None or not np.asarray(x.grad).any()
                continue
            gx = x.grad.data if isinstance(x.grad, Tensor) else x.grad
            np.testing.assert_allclose(gx, y.grad.numpy(), **TOL[dt])


def check_gradcheck(fn, inputs):
    gradcheck(lambda *ts: fn(*ts).sum(), [Tensor(x, requires_grad=True) for x in inputs])


# ------------------------------------------------------------ cross-entropy

Z2 = RNG.normal(size=(6, 4)) * 2
Y2 = np.array([0, 3, 1, 1, 2, 3])
Z4 = RNG.normal(size=(3, 5, 2, 4))  # (N, C, d1, d2)
Y4 = RNG.integers(0, 5, size=(3, 2, 4))
W5 = np.array([0.5, 2.0, 1.0, 0.1, 3.0])
W4 = np.array([1.0, 0.5, 2.0, 0.25])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [
    {}, {"weight": True}, {"ignore_index": 1}, {"label_smoothing": 0.2},
    {"weight": True, "ignore_index": 3, "label_smoothing": 0.1},
])
def test_cross_entropy_and_nll_class_indices(reduction, options, backend):
    for z, y, w in ((Z2, Y2, W4), (Z4, Y4, W5)):
        kw = dict(options)
        if kw.pop("weight", False):
            kw["weight"] = w
        tkw = {k: torch.tensor(v) if k == "weight" else v for k, v in kw.items()}
        t = torch.tensor(y)

        def ours(x, kw=kw, y=y):
            return F.cross_entropy(x, y, reduction=reduction, **kw)

        def theirs(x, tkw=tkw, t=t):
            tk = {k: v.to(x.dtype) if k == "weight" else v for k, v in tkw.items()}
            return tF.cross_entropy(x, t, reduction=reduction, **tk)

        compare(ours, theirs, [z])
        check_gradcheck(ours, [z])
        nkw = {k: v for k, v in kw.items() if k != "label_smoothing"}
        ntkw = {k: v for k, v in tkw.items() if k != "label_smoothing"}

        def ours_nll(x, nkw=nkw, y=y):
            return F.nll_loss(F.log_softmax(x, axis=1), y, reduction=reduction, **nkw)

        def theirs_nll(x, ntkw=ntkw, t=t):
            tk = {k: v.to(x.dtype) if k == "weight" else v for k, v in ntkw.items()}
            return tF.nll_loss(tF.log_softmax(x, 1), t, reduction=reduction, **tk)

        compare(ours_nll, theirs_nll, [z])
        check_gradcheck(ours_nll, [z])


def test_default_ignore_index_minus_100_and_single_sample(backend):
    y = Y2.copy()
    y[[1, 4]] = -100
    for reduction in REDUCTIONS:
        compare(lambda x, r=reduction: F.cross_entropy(x, y, reduction=r),
                lambda x, r=reduction: tF.cross_entropy(x, torch.tensor(y), reduction=r), [Z2])
        compare(lambda x, r=reduction: nn.NLLLoss(reduction=r)(x, y),
                lambda x, r=reduction: torch.nn.NLLLoss(reduction=r)(x, torch.tensor(y)), [Z2])
    compare(lambda x: F.cross_entropy(x, np.array(2), label_smoothing=0.3),
            lambda x: tF.cross_entropy(x, torch.tensor(2), label_smoothing=0.3), [Z2[0]])
    compare(lambda x: F.nll_loss(x, np.array(2), weight=W4),
            lambda x: tF.nll_loss(x, torch.tensor(2), weight=torch.tensor(W4, dtype=x.dtype)), [Z2[0]])
    # everything ignored: the mean is 0/0 = NaN in torch, and here
    assert np.isnan(F.cross_entropy(Z2, np.full(6, -100)).item())
    assert np.isnan(tF.cross_entropy(torch.tensor(Z2), torch.full((6,), -100)).item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(reduction, backend):
    for z in (Z2, Z4):
        p = RNG.uniform(size=z.shape)
        p /= p.sum(axis=1, keepdims=True)
        c = z.shape[1]
        w = W4 if c == 4 else W5
        for kw in ({}, {"label_smoothing": 0.25}, {"weight": w}):
            def ours(x, kw=kw, p=p):
                return F.cross_entropy(x, p.astype(x.dtype), reduction=reduction, **kw)

            def theirs(x, kw=kw, p=p):
                tk = {k: torch.tensor(v, dtype=x.dtype) if k == "weight" else v for k, v in kw.items()}
                return tF.cross_entropy(x, torch.tensor(p, dtype=x.dtype), reduction=reduction, **tk)

            compare(ours, theirs, [z])  # float32 logits and targets stay float32 (compare checks the dtype)
            check_gradcheck(ours, [z])


def test_loss_modules_hold_their_options():
    y = Y4.copy()
    y[0, 0, 0] = 4
    ours = nn.CrossEntropyLoss(weight=W5, ignore_index=4, label_smoothing=0.1, reduction="sum")
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(W5), ignore_index=4, label_smoothing=0.1, reduction="sum")
    assert ours(Z4, y).item() == pytest.approx(theirs(torch.tensor(Z4), torch.tensor(y)).item(), rel=1e-12)
    assert "weight" in ours.state_dict() and ours.parameters() == []
    assert nn.CrossEntropyLoss()(Z2, Y2).item() == pytest.approx(F.cross_entropy(Z2, Y2).item(), rel=1e-15)
    assert nn.MSELoss("sum").reduction == "sum" and nn.MSELoss(size_average=False).reduction == "sum"
    assert nn.L1Loss(reduce=False).reduction == "none"


# ---------------------------------------------------------- binary losses

ZB = RNG.normal(size=(5, 3)) * 2
TB = (RNG.uniform(size=(5, 3)) > 0.5).astype(float)
TSOFT = RNG.uniform(size=(5, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_weight_and_pos_weight(reduction, backend):
    pw = np.array([0.5, 2.0, 3.0])
    w = RNG.uniform(0.5, 2, size=(5, 1))
    for t in (TB, TSOFT):
        for kw in ({}, {"pos_weight": pw}, {"weight": w}, {"pos_weight": pw, "weight": w}):
            def ours(x, kw=kw, t=t):
                return F.binary_cross_entropy_with_logits(x, t, reduction=reduction, **kw)

            def theirs(x, kw=kw, t=t):
                tk = {k: torch.tensor(v, dtype=x.dtype) for k, v in kw.items()}
                return tF.binary_cross_entropy_with_logits(x, torch.tensor(t, dtype=x.dtype), reduction=reduction,
                                                           **tk)

            compare(ours, theirs, [ZB])
            check_gradcheck(ours, [ZB])
    m = nn.BCEWithLogitsLoss(pos_weight=pw, reduction=reduction)
    tm = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw), reduction=reduction)
    np.testing.assert_allclose(m(ZB, TB).data, tm(torch.tensor(ZB), torch.tensor(TB)).numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_weight(reduction, backend):
    p = 1 / (1 + np.exp(-ZB))
    w = RNG.uniform(0.5, 2, size=(3,))
    check_gradcheck(lambda x: F.binary_cross_entropy(x, TSOFT, weight=w, reduction=reduction), [p])
    compare(lambda x: F.binary_cross_entropy(x, TSOFT, weight=w, reduction=reduction),
            lambda x: tF.binary_cross_entropy(x, torch.tensor(TSOFT, dtype=x.dtype),
                                              weight=torch.tensor(w, dtype=x.dtype), reduction=reduction), [p])
    m, tm = nn.BCELoss(weight=w, reduction=reduction), torch.nn.BCELoss(weight=torch.tensor(w), reduction=reduction)
    np.testing.assert_allclose(m(p, TB).data, tm(torch.tensor(p), torch.tensor(TB)).numpy(), rtol=1e-12)


def test_binary_losses_in_scalar_mode_match_tensor_mode():
    pw, w = np.array([0.5, 2.0, 3.0]), np.array([1.0, 0.5, 2.0])
    z = ZB[:2]
    ours = F.binary_cross_entropy_with_logits(z, TB[:2], weight=w, pos_weight=pw)
    sz = np.array([[Value(v) for v in row] for row in z], dtype=object)
    sv = F.binary_cross_entropy_with_logits(sz, TB[:2], weight=w, pos_weight=pw)
    sv.backward()
    assert sv.data == pytest.approx(ours.item(), rel=1e-12)
    t = Tensor(z, requires_grad=True)
    F.binary_cross_entropy_with_logits(t, TB[:2], weight=w, pos_weight=pw).backward()
    np.testing.assert_allclose([[v.grad for v in row] for row in sz], t.grad, rtol=1e-12)


# ------------------------------------------------------- regression losses

P = RNG.normal(size=(4, 3)) * 2
T = RNG.normal(size=(4, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_smooth_l1_mse_l1(reduction, backend):
    for delta in (1.0, 0.3, 2.5):
        compare(lambda x, d=delta: F.huber_loss(x, T, reduction=reduction, delta=d),
                lambda x, d=delta: tF.huber_loss(x, torch.tensor(T, dtype=x.dtype), reduction=reduction, delta=d),
                [P])
        check_gradcheck(lambda x, d=delta: F.huber_loss(x, T, reduction=reduction, delta=d), [P])
        m = nn.HuberLoss(reduction=reduction, delta=delta)
        assert np.allclose(m(P, T).data, torch.nn.HuberLoss(reduction=reduction, delta=delta)(
            torch.tensor(P), torch.tensor(T)).numpy(), rtol=1e-12)
    for beta in (1.0, 0.5, 0.0):
        compare(lambda x, b=beta: F.smooth_l1_loss(x, T, reduction=reduction, beta=b),
                lambda x, b=beta: tF.smooth_l1_loss(x, torch.tensor(T, dtype=x.dtype), reduction=reduction, beta=b),
                [P])
        m = nn.SmoothL1Loss(reduction=reduction, beta=beta)
        assert np.allclose(m(P, T).data, torch.nn.SmoothL1Loss(reduction=reduction, beta=beta)(
            torch.tensor(P), torch.tensor(T)).numpy(), rtol=1e-12)
    check_gradcheck(lambda x: F.smooth_l1_loss(x, T, reduction=reduction, beta=0.7), [P])
    compare(lambda x: F.mse_loss(x, T, reduction=reduction),
            lambda x: tF.mse_loss(x, torch.tensor(T, dtype=x.dtype), reduction=reduction), [P])
    compare(lambda x: F.l1_loss(x, T, reduction=reduction),
            lambda x: tF.l1_loss(x, torch.tensor(T, dtype=x.dtype), reduction=reduction), [P])


def test_huber_and_smooth_l1_in_scalar_mode():
    sp = np.array([[Value(v) for v in row] for row in P], dtype=object)
    for fn in (lambda x: F.huber_loss(x, T, delta=0.8), lambda x: F.smooth_l1_loss(x, T, beta=0.6)):
        s = fn(sp)
        t = Tensor(P, requires_grad=True)
        ref = fn(t)
        assert s.data == pytest.approx(ref.item(), rel=1e-12)
        for row in sp:
            for v in row:
                v.grad = 0.0
        s.backward()
        ref.backward()
        np.testing.assert_allclose([[v.grad for v in row] for row in sp], t.grad, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
def test_kl_div(reduction, backend):
    logq = np.log(RNG.dirichlet(np.ones(5), size=4))
    pt = RNG.dirichlet(np.ones(5), size=4)
    pt[0, 2] = 0.0  # a zero target probability contributes 0 (torch's xlogy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn about reduction='mean'
        compare(lambda x: F.kl_div(x, pt, reduction=reduction),
                lambda x: tF.kl_div(x, torch.tensor(pt, dtype=x.dtype), reduction=reduction), [logq])
        logt = np.log(RNG.dirichlet(np.ones(5), size=4))
        compare(lambda x: F.kl_div(x, logt, reduction=reduction, log_target=True),
                lambda x: tF.kl_div(x, torch.tensor(logt, dtype=x.dtype), reduction=reduction, log_target=True),
                [logq])
        m = nn.KLDivLoss(reduction=reduction, log_target=True)
        tm = torch.nn.KLDivLoss(reduction=reduction, log_target=True)
        np.testing.assert_allclose(m(logq, logt).data, tm(torch.tensor(logq), torch.tensor(logt)).numpy(),
                                   rtol=1e-12)
        check_gradcheck(lambda x: F.kl_div(x, pt, reduction=reduction), [logq])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll(reduction, backend):
    mu = RNG.normal(size=(4, 3))
    y = RNG.normal(size=(4, 3))
    for var, full in ((RNG.uniform(0.2, 2, size=(4, 3)), False), (RNG.uniform(0.2, 2, size=(4,)), True),
                      (RNG.uniform(0.2, 2, size=(4, 1)), False), (np.array([[1e-9, 0.5, 2.0]] * 4), True)):
        compare(lambda m, v, f=full: F.gaussian_nll_loss(m, y, v, full=f, eps=1e-6, reduction=reduction),
                lambda m, v, f=full: tF.gaussian_nll_loss(m, torch.tensor(y, dtype=m.dtype), v, full=f, eps=1e-6,
                                                          reduction=reduction), [mu, var])
        m = nn.GaussianNLLLoss(full=full, reduction=reduction)
        tm = torch.nn.GaussianNLLLoss(full=full, reduction=reduction)
        ref = tm(torch.tensor(mu), torch.tensor(y), torch.tensor(var)).numpy()
        np.testing.assert_allclose(m(mu, y, var).data, ref, rtol=1e-12)
    check_gradcheck(lambda m, v: F.gaussian_nll_loss(m, y, v, reduction=reduction), [mu, RNG.uniform(0.5, 2, (4, 3))])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding(reduction, backend):
    a, b = RNG.normal(size=(5, 4)), RNG.normal(size=(5, 4))
    b[1] = a[1] * 2  # cos = 1
    y = np.array([1, -1, -1, 1, -1])
    for margin in (0.0, 0.3, -0.2):
        compare(lambda u, v, mg=margin: F.cosine_embedding_loss(u, v, y, margin=mg, reduction=reduction),
                lambda u, v, mg=margin: tF.cosine_embedding_loss(u, v, torch.tensor(y), margin=mg,
                                                                 reduction=reduction), [a, b])
        m = nn.CosineEmbeddingLoss(margin=margin, reduction=reduction)
        tm = torch.nn.CosineEmbeddingLoss(margin=margin, reduction=reduction)
        np.testing.assert_allclose(m(a, b, y).data, tm(torch.tensor(a), torch.tensor(b), torch.tensor(y)).numpy(),
                                   rtol=1e-12)
    compare(lambda u, v: F.cosine_embedding_loss(u, v, np.array(-1), margin=0.1),
            lambda u, v: tF.cosine_embedding_loss(u, v, torch.tensor(-1), margin=0.1), [a[0], b[0]])
    check_gradcheck(lambda u, v: F.cosine_embedding_loss(u, v, y, margin=0.1, reduction=reduction), [a, b])


# -------------------------------------------------------- shapes and one_hot


def test_broadcasting_regression_losses_match_torch_with_a_warning():
    pred, target = RNG.normal(size=(4, 1)), RNG.normal(size=(4,))
    for ours, theirs in ((F.mse_loss, tF.mse_loss), (F.l1_loss, tF.l1_loss), (F.huber_loss, tF.huber_loss),
                         (F.smooth_l1_loss, tF.smooth_l1_loss)):
        with pytest.warns(UserWarning, match=r"broadcast to \(4, 4\)"):
            got = ours(Tensor(pred, requires_grad=True), target)
        with pytest.warns(UserWarning):
            ref = theirs(torch.tensor(pred), torch.tensor(target))
        assert got.item() == pytest.approx(ref.item(), rel=1e-12)
        with pytest.raises(ValueError, match=rf"{ours.__name__}: prediction of shape \(4, 3\) and target of shape "
                                             r"\(3, 4\) do not match and do not broadcast; give a target of shape"):
            ours(np.zeros((4, 3)), np.zeros((3, 4)))
    with warnings.catch_warnings():  # a (3,) target against (4, 3): torch warns too, and broadcasts
        warnings.simplefilter("ignore")
        compare(lambda x: F.mse_loss(x, np.array([1.0, -2.0, 0.5]), reduction="none"),
                lambda x: tF.mse_loss(x, torch.tensor([1.0, -2.0, 0.5], dtype=x.dtype), reduction="none"), [P])


def test_one_hot_any_shape_like_torch():
    for labels, c in ((np.array([0, 2, 1]), 3), (RNG.integers(0, 4, size=(2, 3)), 5), (np.array(3), -1),
                      (RNG.integers(0, 6, size=(2, 2, 2)), -1)):
        ours = F.one_hot(labels, c)
        ref = tF.one_hot(torch.tensor(labels), c).numpy()
        assert ours.dtype == np.int64 and ours.shape == ref.shape
        np.testing.assert_array_equal(ours, ref)
    assert F.one_hot(Tensor([1.0, 0.0])).tolist() == [[0, 1], [1, 0]]


def test_loss_bad_input():
    with pytest.raises(ValueError, match=r"cross_entropy: weight must hold one number per class, shape \(4,\)"):
        F.cross_entropy(Z2, Y2, weight=np.ones(3))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\] for 4 classes \(or ignore_index=-100\)"):
        F.cross_entropy(Z2, Y2 + 1, label_smoothing=0.1)
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\]"):
        F.cross_entropy(Z2, Y2, label_smoothing=1.5)
    with pytest.raises(TypeError, match="need tensor mode"):
        F.cross_entropy(np.array([[Value(1.0), Value(2.0)]], dtype=object), [0], weight=[1.0, 1.0])
    with pytest.raises(ValueError, match=r"pos_weight of shape \(4,\) does not broadcast to the input's shape"):
        F.binary_cross_entropy_with_logits(ZB, TB, pos_weight=np.ones(4))
    with pytest.raises(ValueError, match="gaussian_nll_loss: var of shape \\(3, 4\\) does not fit the input"):
        F.gaussian_nll_loss(P, T, np.ones((3, 4)))
    with pytest.raises(ValueError, match="var has negative entries"):
        F.gaussian_nll_loss(P, T, -np.ones((4, 3)))
    with pytest.raises(ValueError, match="kl_div: input of shape \\(4, 3\\) and target of shape \\(2, 2\\) do not"):
        F.kl_div(P, np.ones((2, 2)))
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none', 'batchmean'"):
        F.kl_div(P, np.ones((4, 3)), reduction="avg")
    with pytest.raises(ValueError, match="target entries must be 1 \\(similar\\) or -1"):
        F.cosine_embedding_loss(P, T, np.zeros(4))
    with pytest.raises(ValueError, match="input1 and input2 must have the same shape"):
        F.cosine_embedding_loss(P, T[:2], np.ones(4))
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        F.huber_loss(P, T, delta=0)
    with pytest.raises(ValueError, match=r"one_hot: labels must be in \[0, 2\] for 3 classes, found \[5\]"):
        F.one_hot([0, 5], 3)
    with pytest.raises(TypeError, match="huber_loss: runs in tensor mode only|kl_div: runs in tensor mode only"):
        F.kl_div(np.array([Value(0.1)], dtype=object), [1.0])
