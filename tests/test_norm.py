"""BatchNorm1d/2d, LayerNorm, GroupNorm, Dropout2d and their functional forms: torch's numbers (train and eval,
running statistics, momentum=None), state_dict keys and loading, float64 gradcheck, second derivatives, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.ops.norm import BatchNorm, GroupNorm, LayerNorm

torch = pytest.importorskip("torch")

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _close(ours, theirs, dtype=np.float64):
    ours = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=TOL[dtype], atol=TOL[dtype])


def _pair(tm, m, dtype, rng):
    """Random affine weights in torch's module, copied into ours through torch's state_dict."""
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    tm = tm.to(tdt)
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.tensor(rng.standard_normal(p.shape)))
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return tm, m.to(dtype)


def _step(tm, m, shape, dtype, rng):
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    w = rng.standard_normal(shape).astype(dtype)
    X, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = m(X), tm(tx)
    _close(y, ty, dtype)
    (y * w).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    _close(X.grad, tx.grad, dtype)
    for name, p in tm.named_parameters():
        _close(getattr(m, name).grad, p.grad, dtype)


CASES = [
    ("BatchNorm1d", (4,), {}, (6, 4)),
    ("BatchNorm1d", (4,), {"momentum": None}, (5, 4, 3)),
    ("BatchNorm2d", (3,), {"momentum": 0.3}, (4, 3, 2, 5)),
    ("BatchNorm2d", (3,), {"affine": False}, (4, 3, 2, 2)),
    ("BatchNorm1d", (4,), {"track_running_stats": False}, (6, 4)),
    ("LayerNorm", ((3, 5),), {}, (2, 4, 3, 5)),
    ("LayerNorm", (5,), {"elementwise_affine": False}, (3, 5)),
    ("LayerNorm", (5,), {"bias": False}, (3, 2, 5)),
    ("GroupNorm", (2, 4), {}, (3, 4, 2, 5)),
    ("GroupNorm", (3, 6), {"affine": False}, (2, 6, 4)),
]


@pytest.mark.parametrize("name,args,kw,shape", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layer_matches_torch_in_training_then_eval(name, args, kw, shape, dtype):
    rng = np.random.default_rng(0)
    tm, m = _pair(getattr(torch.nn, name)(*args, **kw), getattr(nn, name)(*args, **kw), dtype, rng)
    for _ in range(3):
        _step(tm, m, shape, dtype, rng)
    theirs = tm.state_dict()
    ours = m.state_dict()
    assert list(ours) == list(theirs)
    for k in theirs:
        _close(ours[k], theirs[k], np.float64 if "num_batches" in k else np.float32)
    tm.eval()
    m.eval()
    _step(tm, m, shape, dtype, rng)


def test_batch_norm_running_stats_use_the_unbiased_variance_and_count_batches():
    bn = nn.BatchNorm1d(2, momentum=None)
    x1 = np.array([[0.0, 1.0], [2.0, 5.0]])
    x2 = np.array([[1.0, 1.0], [1.0, 3.0], [4.0, 2.0]])
    bn(Tensor(x1))
    bn(Tensor(x2))
    assert int(bn.num_batches_tracked.data) == 2
    np.testing.assert_allclose(bn.running_mean.data, (x1.mean(0) + x2.mean(0)) / 2)  # cumulative average
    np.testing.assert_allclose(bn.running_var.data, (x1.var(0, ddof=1) + x2.var(0, ddof=1)) / 2)


def test_state_dict_from_torch_loads_into_a_sequential_with_batch_norm():
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)).double()
    tm(torch.randn(8, 3, dtype=torch.float64))  # move the running statistics
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    theirs = {k: v.numpy() for k, v in tm.state_dict().items()}
    m.load_state_dict(theirs)
    assert set(m.state_dict()) == set(theirs)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, theirs[k])
    assert m.state_dict()["1.num_batches_tracked"].dtype == np.int64
    tm.eval()
    m.eval()
    x = np.random.default_rng(1).standard_normal((5, 3))
    _close(m(Tensor(x)), tm(torch.tensor(x)))
    with pytest.raises(KeyError, match="running_var"):
        m.load_state_dict({k: v for k, v in theirs.items() if not k.endswith("running_var")})


def test_functional_forms_match_torch():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 5))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = np.zeros(3), np.ones(3)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    tx = torch.tensor(x)
    _close(F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2),
           torch.nn.functional.batch_norm(tx, trm, trv, torch.tensor(w), torch.tensor(b), True, 0.2))
    _close(rm, trm)
    _close(rv, trv)
    _close(F.batch_norm(x, rm, rv, w, b), torch.nn.functional.batch_norm(tx, trm, trv, torch.tensor(w),
                                                                          torch.tensor(b)))
    _close(F.layer_norm(x, (3, 5)), torch.nn.functional.layer_norm(tx, (3, 5)))
    _close(F.group_norm(x, 3, w, b), torch.nn.functional.group_norm(tx, 3, torch.tensor(w), torch.tensor(b)))


def _rand(rng, *shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


def test_norm_ops_gradcheck():
    rng = np.random.default_rng(3)
    x, w, b = _rand(rng, 4, 3, 2), _rand(rng, 3), _rand(rng, 3)
    mean, var = x.data.reshape(4, 3, -1).mean(axis=(0, 2)), x.data.reshape(4, 3, -1).var(axis=(0, 2))

    def bn(x, w, b):  # batch statistics computed from x, as F.batch_norm does
        return F.batch_norm(x, None, None, w, b, training=True)

    assert gradcheck(bn, [x, w, b])
    assert gradcheck(lambda x, w, b: BatchNorm.apply(x, w, b, mean=mean, var=var, training=False), [x, w, b])
    x2, w2, b2 = _rand(rng, 2, 3, 4), _rand(rng, 3, 4), _rand(rng, 3, 4)
    assert gradcheck(lambda x, w, b: LayerNorm.apply(x, w, b, ndim=2), [x2, w2, b2])
    x3, w3, b3 = _rand(rng, 2, 4, 3), _rand(rng, 4), _rand(rng, 4)
    assert gradcheck(lambda x, w, b: GroupNorm.apply(x, w, b, groups=2), [x3, w3, b3])


@pytest.mark.parametrize("fn", ["batch_norm", "layer_norm", "group_norm"])
def test_second_derivatives_match_torch(fn):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 2, 3))
    w = rng.standard_normal(2 if fn != "layer_norm" else 3)
    X, W = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    if fn == "batch_norm":
        y, ty = F.batch_norm(X, None, None, W, training=True), torch.nn.functional.batch_norm(
            tx, None, None, tw, training=True)
    elif fn == "layer_norm":
        y, ty = F.layer_norm(X, 3, W), torch.nn.functional.layer_norm(tx, (3,), tw)
    else:
        y, ty = F.group_norm(X, 2, W), torch.nn.functional.group_norm(tx, 2, tw)
    c = rng.standard_normal(x.shape)
    gx, = autograd.gradients((y * y * c).sum(), [X], create_graph=True)
    tgx, = torch.autograd.grad((ty * ty * torch.tensor(c)).sum(), [tx], create_graph=True)
    _close(gx, tgx)
    (gx * gx).sum().backward()
    (tgx * tgx).sum().backward()
    _close(X.grad, tx.grad)
    _close(W.grad, tw.grad)


def test_draw_graph_shows_a_norm_as_one_node():
    y = nn.BatchNorm2d(3)(Tensor(np.ones((2, 3, 4, 4)), requires_grad=True))
    assert y._op is BatchNorm
    assert "BatchNorm (2, 3, 4, 4)" in autograd.dot_source(y)


def test_dropout2d_zeros_whole_channels():
    drop = nn.Dropout2d(0.5, seed=0)
    x = Tensor(np.ones((8, 6, 3, 3)), requires_grad=True)
    y = drop(x)
    per_channel = y.data.reshape(8, 6, -1)
    assert np.all((per_channel == 0).all(axis=2) | (per_channel == 2).all(axis=2))
    assert 0 < (per_channel[:, :, 0] == 0).mean() < 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)
    drop.eval()
    assert drop(x) is x
    assert F.dropout2d(x, 0.3, training=False) is x


# ---------------------------------------------------------------- bad input


def test_wrong_channel_counts_name_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\).*\(N, 3, H, W\).*\(2, 4, 5, 5\)"):
        nn.BatchNorm2d(3)(Tensor(np.ones((2, 4, 5, 5))))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\).*\(N, 3\) or \(N, 3, L\)"):
        nn.BatchNorm1d(3)(Tensor(np.ones((2, 3, 4, 5))))
    with pytest.raises(ValueError, match=r"LayerNorm\(\(4,\)\).*\(2, 5\)"):
        nn.LayerNorm(4)(Tensor(np.ones((2, 5))))
    with pytest.raises(ValueError, match=r"GroupNorm\(2, 4\).*\(N, 4, \*\)"):
        nn.GroupNorm(2, 4)(Tensor(np.ones((2, 6, 3))))
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"Dropout2d|dropout2d.*\(N, C, H, W\)"):
        nn.Dropout2d()(Tensor(np.ones((2, 3))))
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum=2)
