"""autograd.linalg.qr / pinv / lstsq / matrix_rank / matrix_exp against torch.linalg, with gradients."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import linalg

RNG = np.random.default_rng(0)


def _grads_match(fn_ag, fn_t, arrays, torch, rtol=1e-10, atol=1e-12):
    """Values and gradients (a random cotangent on every output) of gradwork and torch agree."""
    xs = [autograd.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs, touts = fn_ag(*xs), fn_t(*ts)
    outs = outs if isinstance(outs, tuple) else (outs,)
    touts = touts if isinstance(touts, tuple) else (touts,)
    total, ttotal = 0, 0
    for k, (o, to) in enumerate(zip(outs, touts)):
        np.testing.assert_allclose(o.data, to.detach().numpy(), rtol=rtol, atol=atol)
        w = np.random.default_rng(k).standard_normal(o.shape)
        total = total + (o * autograd.tensor(w)).sum()
        ttotal = ttotal + (to * torch.tensor(w)).sum()
    total.backward()
    ttotal.backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr_against_torch(shape, mode, backend) -> None:
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal(shape)
    q, r = linalg.qr(autograd.tensor(a), mode=mode)
    tq, tr = torch.linalg.qr(torch.tensor(a), mode=mode)
    np.testing.assert_allclose(q.data, tq.numpy(), atol=1e-12)
    np.testing.assert_allclose(r.data, tr.numpy(), atol=1e-12)
    if mode == "complete" and shape[-2] > shape[-1]:
        x = autograd.tensor(a, requires_grad=True)
        with pytest.raises(RuntimeError, match="mode='complete' is not differentiable for a tall A"):
            linalg.qr(x, mode=mode).Q.sum().backward()
        return
    _grads_match(lambda x: tuple(linalg.qr(x, mode=mode)), lambda t: tuple(torch.linalg.qr(t, mode=mode)), [a],
                 torch)


def test_qr_gradcheck_and_mode_r(backend) -> None:
    base = autograd.tensor(RNG.standard_normal((3, 8)), requires_grad=True)  # columns of a transpose: strided
    autograd.gradcheck(lambda b: linalg.qr(b.T[:5])[0], (base,))
    autograd.gradcheck(lambda b: linalg.qr(b.T[:5])[1], (base,))
    autograd.gradcheck(lambda b: linalg.qr(b.T[:2])[1], (base,))  # a wide matrix
    q, r = linalg.qr(autograd.tensor(RNG.standard_normal((4, 3))), mode="r")
    assert q.shape == (0,) and r.shape == (3, 3)
    q2, r2 = autograd.qr(autograd.ones(3, 2) + autograd.eye(3, 2))
    assert q2.shape == (3, 2) and linalg.qr(autograd.eye(3)).R.shape == (3, 3)


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_pinv_against_torch(shape, backend) -> None:
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal(shape)
    _grads_match(linalg.pinv, torch.linalg.pinv, [a], torch)
    np.testing.assert_allclose(autograd.pinverse(autograd.tensor(a)).data, torch.pinverse(torch.tensor(a)).numpy(),
                               atol=1e-12)


def test_pinv_rank_deficient_tolerances_and_hermitian(backend) -> None:
    torch = pytest.importorskip("torch")
    u = RNG.standard_normal((5, 2))
    low = u @ u.T  # symmetric, rank 2
    _grads_match(linalg.pinv, torch.linalg.pinv, [low], torch, rtol=1e-8, atol=1e-10)
    _grads_match(lambda x: linalg.pinv(x, hermitian=True), lambda t: torch.linalg.pinv(t, hermitian=True),
                 [low], torch, rtol=1e-8, atol=1e-10)
    a = np.diag([3.0, 1.0, 1e-3])
    for kw in ({"atol": 0.01}, {"rtol": 0.1}, {"atol": 0.5, "rtol": 0.0}):
        np.testing.assert_allclose(linalg.pinv(autograd.tensor(a), **kw).data,
                                   torch.linalg.pinv(torch.tensor(a), **kw).numpy(), atol=1e-12)
    base = autograd.tensor(RNG.standard_normal((6, 4)), requires_grad=True)
    autograd.gradcheck(lambda b: linalg.pinv(b[::2]), (base,))


def test_matrix_rank_against_torch(backend) -> None:
    torch = pytest.importorskip("torch")
    u = RNG.standard_normal((2, 5, 2))
    batch = u @ np.swapaxes(u, -1, -2)
    d = np.diag([3.0, 1.0, 1e-3, 0.0])
    cases = [(batch, {}), (batch, {"hermitian": True}), (d, {}), (d, {"atol": 0.01}), (d, {"rtol": 0.5}),
             (np.ones((3, 4)), {}), (np.zeros((2, 3)), {})]
    for a, kw in cases:
        got = linalg.matrix_rank(autograd.tensor(a), **kw)
        want = torch.linalg.matrix_rank(torch.tensor(a), **kw)
        assert got.dtype == np.int64 and got.shape == tuple(want.shape)
        np.testing.assert_array_equal(got.data, want.numpy())


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
def test_lstsq_against_torch(driver, backend) -> None:
    torch = pytest.importorskip("torch")
    for ashape, bshape in [((2, 5, 3), (2, 5, 4)), ((5, 3), (5, 2)), ((2, 5, 3), (2, 5)), ((3, 5), (3, 2))]:
        if driver == "gels" and ashape[-2] < ashape[-1]:
            continue  # torch's gels wants a tall A
        a, b = RNG.standard_normal(ashape), RNG.standard_normal(bshape)
        got = linalg.lstsq(autograd.tensor(a), autograd.tensor(b), driver=driver)
        want = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for name in ("solution", "residuals", "rank", "singular_values"):
            g, w = getattr(got, name), getattr(want, name)
            assert g.shape == tuple(w.shape), (name, ashape, g.shape, w.shape)
            np.testing.assert_allclose(g.data, w.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
    a, b = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 2))
    _grads_match(lambda x, y: linalg.lstsq(x, y).solution, lambda x, y: torch.linalg.lstsq(x, y).solution,
                 [a, b], torch)


def test_lstsq_gradcheck_rank_deficient_is_min_norm(backend) -> None:
    a = autograd.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    b = autograd.tensor(RNG.standard_normal((5,)), requires_grad=True)
    autograd.gradcheck(lambda x, y: linalg.lstsq(x, y)[0], (a, b))
    low = np.outer(RNG.standard_normal(4), RNG.standard_normal(3))
    rhs = RNG.standard_normal(4)
    x = linalg.lstsq(autograd.tensor(low), autograd.tensor(rhs), driver="gelsd").solution.data
    np.testing.assert_allclose(x, np.linalg.lstsq(low, rhs, rcond=None)[0], atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
def test_matrix_exp_against_torch(shape, backend) -> None:
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal(shape) * 2
    _grads_match(linalg.matrix_exp, torch.linalg.matrix_exp, [a], torch, rtol=1e-12, atol=1e-12)
    big = np.array([[0.0, 30.0], [-30.0, 0.0]])  # a rotation by 30 radians: many squarings
    np.testing.assert_allclose(autograd.matrix_exp(autograd.tensor(big)).data,
                               torch.matrix_exp(torch.tensor(big)).numpy(), atol=1e-11)


def test_matrix_exp_gradcheck_and_second_order(backend) -> None:
    base = autograd.tensor(RNG.standard_normal((3, 6)), requires_grad=True)
    autograd.gradcheck(lambda b: linalg.matrix_exp(b[:, ::2]), (base,))
    x = autograd.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    (g,) = autograd.grad(linalg.matrix_exp(x).sum(), x, create_graph=True)
    (h,) = autograd.grad((g * g).sum(), x)

    def first(v: np.ndarray) -> np.ndarray:
        t = autograd.tensor(v, requires_grad=True)
        (gg,) = autograd.grad(linalg.matrix_exp(t).sum(), t)
        return (gg.data ** 2).sum()

    num = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            e = np.zeros((3, 3))
            e[i, j] = 1e-6
            num[i, j] = (first(x.data + e) - first(x.data - e)) / 2e-6
    np.testing.assert_allclose(h.data, num, rtol=1e-6, atol=1e-8)


def test_bad_input(backend) -> None:
    with pytest.raises(ValueError, match="linalg.qr: mode must be"):
        linalg.qr(autograd.eye(2), mode="full")
    with pytest.raises(ValueError, match=r"linalg.qr: needs a matrix .* got shape \(3,\)"):
        linalg.qr(autograd.ones(3))
    with pytest.raises(TypeError, match="linalg.pinv: needs a floating tensor"):
        linalg.pinv(autograd.tensor([[1, 2], [3, 4]], dtype=np.int64))
    with pytest.raises(ValueError, match="linalg.pinv: rtol must be >= 0"):
        linalg.pinv(autograd.eye(2), rtol=-1.0)
    with pytest.raises(ValueError, match=r"linalg.lstsq: A of shape \(4, 3\) and B of shape \(5, 2\) do not fit"):
        linalg.lstsq(autograd.ones(4, 3), autograd.ones(5, 2))
    with pytest.raises(ValueError, match="linalg.lstsq: driver must be one of"):
        linalg.lstsq(autograd.ones(4, 3), autograd.ones(4, 2), driver="qr")
    with pytest.raises(ValueError, match="linalg.matrix_exp: needs square matrices"):
        linalg.matrix_exp(autograd.ones(2, 3))
    with pytest.raises(TypeError, match="linalg.matrix_rank: expected a Tensor"):
        linalg.matrix_rank("A")


def test_slogdet_is_named(backend) -> None:
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((2, 3, 3))
    r, tr = linalg.slogdet(autograd.tensor(a)), torch.linalg.slogdet(torch.tensor(a))
    np.testing.assert_allclose(r.logabsdet.data, tr.logabsdet.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(r.sign.data, tr.sign.numpy())
    sign, logabsdet = autograd.slogdet(autograd.tensor(a))
    assert sign.shape == (2,) and logabsdet.shape == (2,)
