"""autograd.special (torch.special) and the gamma/erf/Bessel functions: values against SciPy and torch,
gradients against central differences and torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import special as sp
from autograd.kernels import special_ref as R

RNG = np.random.default_rng(0)
POS = np.concatenate([RNG.uniform(0.01, 12, 300), 10 ** RNG.uniform(-8, 8, 100), [0.5, 1, 1.25, 1.5, 2, 2.25, 8]])


@pytest.mark.numpy_only
def test_reference_against_scipy() -> None:
    scipy_special = pytest.importorskip("scipy.special")
    neg = -RNG.uniform(0.05, 8, 200)
    neg = neg[np.abs(scipy_special.gammaln(neg)) > 0.1]  # away from log-gamma's zeros on the negative axis
    np.testing.assert_allclose(R.lgamma(POS), scipy_special.gammaln(POS), rtol=1e-13)
    np.testing.assert_allclose(R.lgamma(neg), scipy_special.gammaln(neg), rtol=1e-12)
    np.testing.assert_allclose(R.digamma(POS), scipy_special.digamma(POS), rtol=1e-13)
    np.testing.assert_allclose(R.digamma(neg), scipy_special.digamma(neg), rtol=1e-11)
    for n in (1, 2, 3, 6):
        np.testing.assert_allclose(R.polygamma(n, POS), scipy_special.polygamma(n, POS), rtol=1e-13)
    x = np.concatenate([RNG.uniform(-6, 6, 400), 10 ** RNG.uniform(-300, 0, 50), RNG.uniform(5, 26, 100)])
    np.testing.assert_allclose(R.erf(x), scipy_special.erf(x), rtol=1e-14)
    np.testing.assert_allclose(R.erfc(x), scipy_special.erfc(x), rtol=1e-13)
    y = np.concatenate([RNG.uniform(-1, 1, 400), 1 - 10 ** RNG.uniform(-15, -1, 50)])
    np.testing.assert_allclose(R.erfinv(y), scipy_special.erfinv(y), rtol=1e-13)
    q = np.concatenate([10 ** RNG.uniform(-300, 0, 100), RNG.uniform(0, 2, 200)])
    np.testing.assert_allclose(R.erfcinv(q), scipy_special.erfcinv(q), rtol=1e-13)
    b = np.concatenate([RNG.uniform(-60, 60, 300), [0.0, 29.9, 30.1, 700.0]])
    for name in ("i0", "i0e", "i1", "i1e"):
        np.testing.assert_allclose(getattr(R, name)(b), getattr(scipy_special, name)(b), rtol=1e-13, err_msg=name)


@pytest.mark.numpy_only
def test_reference_special_values() -> None:
    assert R.lgamma(np.array([0.0, -1.0, -2.0, np.inf])).tolist() == [np.inf] * 4
    d = R.digamma(np.array([0.0, -1.0, -3.0, np.inf]))
    assert d[0] == -np.inf and np.isnan(d[1]) and np.isnan(d[2]) and d[3] == np.inf
    e = R.erfinv(np.array([1.0, -1.0, 0.0, 1.5]))
    assert e[0] == np.inf and e[1] == -np.inf and e[2] == 0 and np.isnan(e[3])
    assert R.erfc(np.array([30.0]))[0] == 0.0 and R.erfc(np.array([-30.0]))[0] == 2.0
    assert R.lgamma(np.array([1.0, 2.0])).tolist() == [0.0, 0.0]


UNARY = {  # name: (gradwork function, torch function name, inputs where the function is smooth)
    "lgamma": (autograd.lgamma, "lgamma", [0.3, 1.0, 1.7, 2.5, 7.0, -0.5, -2.7]),
    "digamma": (autograd.digamma, "digamma", [0.3, 1.2, 1.46, 3.0, 12.0, -0.5, -2.7]),
    "polygamma1": (lambda x: autograd.polygamma(1, x), None, [0.3, 1.2, 3.0, 12.0]),
    "polygamma3": (lambda x: autograd.polygamma(3, x), None, [0.3, 1.2, 3.0, 12.0]),
    "erfinv": (autograd.erfinv, "erfinv", [-0.99, -0.5, 0.0, 0.3, 0.7, 0.999]),
    "erfc": (autograd.erfc, "erfc", [-3.0, -0.5, 0.0, 0.8, 2.5, 6.0]),
    "i0": (autograd.i0, "i0", [-5.0, -0.5, 0.0, 1.0, 3.0, 35.0]),
    "i0e": (sp.i0e, "special.i0e", [-5.0, -0.5, 0.1, 1.0, 3.0, 35.0]),
    "i1": (sp.i1, "special.i1", [-5.0, -0.5, 0.0, 1.0, 3.0, 35.0]),
    "i1e": (sp.i1e, "special.i1e", [-5.0, -0.5, 0.1, 1.0, 3.0, 35.0]),
    "ndtr": (sp.ndtr, "special.ndtr", [-3.0, -1.0, 0.0, 2.0]),  # torch loses digits below -5 (ours: SciPy's)
    "ndtri": (sp.ndtri, "special.ndtri", [1e-20, 0.01, 0.5, 0.9, 0.999]),
    "log_ndtr": (sp.log_ndtr, "special.log_ndtr", [-40.0, -21.0, -19.0, -3.0, 0.0, 4.0]),
    "entr": (sp.entr, "special.entr", [0.1, 0.5, 1.0, 3.0]),
    "expit": (sp.expit, "special.expit", [-3.0, 0.0, 2.0]),
    "sinc": (sp.sinc, "special.sinc", [-1.5, 0.25, 2.2]),
    "multigammaln": (lambda x: sp.multigammaln(x, 3), None, [1.1, 2.0, 5.5]),
    "logit": (sp.logit, "special.logit", [0.1, 0.5, 0.8]),
}


def _torch_fn(torch, name):
    obj = torch
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_against_torch(name: str, backend: str) -> None:
    torch = pytest.importorskip("torch")
    fn, tname, xs = UNARY[name]
    x = autograd.tensor(xs, requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float64
    y.backward(autograd.ones_like(y))
    tx = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    if tname is None:
        n = {"polygamma1": 1, "polygamma3": 3}.get(name)
        ty = torch.polygamma(n, tx) if n else torch.special.multigammaln(tx, 3)
    else:
        ty = _torch_fn(torch, tname)(tx)
    ty.backward(torch.ones_like(ty))
    # torch's own trigamma and digamma are good to about 1e-9 (ours match SciPy to 1e-13, see above)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=2e-9, atol=1e-300)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=2e-9, atol=1e-300)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_gradcheck_non_contiguous(name: str, backend: str) -> None:
    fn, _, xs = UNARY[name]
    if name in ("i0", "i1"):  # I0(35) ~ 1e14 would drown the other entries' changes in rounding
        xs = [x for x in xs if abs(x) < 20]
    if name == "ndtri":  # 1e-20 is within eps of 0, where ndtri is -inf
        xs = xs[1:]
    base = autograd.tensor(np.stack([np.asarray(xs, dtype=np.float64)] * 2, axis=1), requires_grad=True)
    assert not base[:, 0].data.flags.c_contiguous  # the op sees a strided view
    autograd.gradcheck(lambda b: fn(b[:, 0]), (base,), eps=1e-6, rtol=1e-4, atol=1e-7)


def test_second_derivatives(backend: str) -> None:
    x = autograd.tensor([0.7, 2.5], requires_grad=True)
    (g,) = autograd.grad(autograd.lgamma(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, R.digamma(x.data), rtol=1e-13)
    (h,) = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, R.polygamma(1, x.data), rtol=1e-13)
    for fn in (autograd.i0, sp.i1, sp.i0e, sp.i1e, lambda t: autograd.erfinv(t * 0.3), autograd.erfc,
               lambda t: autograd.polygamma(2, t), sp.ndtri, sp.entr):
        (g,) = autograd.grad(fn(x * 0.3).sum(), x, create_graph=True)
        (h,) = autograd.grad(g.sum(), x)

        def first(v: np.ndarray, fn=fn) -> np.ndarray:
            t = autograd.tensor(v, requires_grad=True)
            fn(t * 0.3).sum().backward()
            return t.grad.data

        e = 1e-6
        np.testing.assert_allclose(h.data, (first(x.data + e) - first(x.data - e)) / (2 * e), rtol=1e-6)


def test_binary_against_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    xv = np.array([[0.0, 1.5, -2.0]])
    yv = np.array([[0.5], [3.0]])
    for name in ("xlogy", "xlog1py"):
        x = autograd.tensor(xv, requires_grad=True)
        y = autograd.tensor(yv, requires_grad=True)
        out = getattr(sp, name)(x, y)
        out.backward(autograd.ones_like(out))
        tx = torch.tensor(xv, requires_grad=True)
        ty = torch.tensor(yv, requires_grad=True)
        tout = getattr(torch.special, name)(tx, ty)
        tout.backward(torch.ones_like(tout))
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-13)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-13)
        np.testing.assert_allclose(y.grad.data, ty.grad.numpy(), rtol=1e-13)
        x2 = autograd.tensor([[0.3, 1.5, -2.0]], requires_grad=True)
        y2 = autograd.tensor(yv, requires_grad=True)
        autograd.gradcheck(getattr(sp, name), (x2, y2))
    assert sp.xlog1py(2.0, autograd.tensor([1.0])).item() == pytest.approx(2 * np.log(2))


def test_namespace_reductions_and_aliases(backend: str) -> None:
    torch = pytest.importorskip("torch")
    v = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    x, tx = autograd.tensor(v), torch.tensor(v)
    np.testing.assert_allclose(sp.softmax(x, 1).data, torch.special.softmax(tx, 1).numpy(), rtol=1e-13)
    np.testing.assert_allclose(sp.log_softmax(x, 0).data, torch.special.log_softmax(tx, 0).numpy(), rtol=1e-13)
    np.testing.assert_allclose(sp.logsumexp(x, 1).data, torch.special.logsumexp(tx, 1).numpy(), rtol=1e-13)
    for name in ("exp2", "expm1", "log1p", "erf", "gammaln", "psi", "round"):
        np.testing.assert_allclose(getattr(sp, name)(x).data, getattr(torch.special, name)(tx).numpy(),
                                   rtol=1e-13, err_msg=name)
    assert sp.gammaln is sp.lgamma and sp.psi is sp.digamma
    t = autograd.tensor([0.5, 3.0])
    np.testing.assert_allclose(t.lgamma().data, autograd.lgamma(t).data)
    np.testing.assert_allclose(t.polygamma(2).data, autograd.polygamma(2, t).data)
    np.testing.assert_allclose(autograd.mvlgamma(autograd.tensor([3.0]), 2).data,
                               torch.mvlgamma(torch.tensor([3.0], dtype=torch.float64), 2).numpy(), rtol=1e-13)
    u = autograd.tensor([0.5, 3.0])
    u.lgamma_()
    np.testing.assert_allclose(u.data, R.lgamma(np.array([0.5, 3.0])))


def test_dtypes(backend: str) -> None:
    x32 = autograd.tensor([0.5, 2.0], dtype=np.float32)
    for fn in (autograd.lgamma, autograd.digamma, autograd.erfinv, autograd.i0, autograd.erfc, sp.i1e):
        assert fn(x32 * 0.4).dtype == np.float32
    assert autograd.lgamma(autograd.tensor([1, 2, 3])).dtype == np.float64  # integers: the default float
    np.testing.assert_allclose(autograd.lgamma([4, 5]).data, np.log([6.0, 24.0]), rtol=1e-14)


def test_bad_input(backend: str) -> None:
    with pytest.raises(ValueError, match="polygamma: n must be an int >= 0"):
        autograd.polygamma(-1, autograd.tensor([1.0]))
    with pytest.raises(ValueError, match="multigammaln: all elements must be greater than"):
        sp.multigammaln(autograd.tensor([0.4]), 2)
    with pytest.raises(TypeError, match="lgamma: expected a Tensor or numbers"):
        autograd.lgamma("x")


def test_backend_kernels_agree_with_the_reference(backend: str) -> None:
    from autograd.backend import ops as K

    x = np.concatenate([RNG.uniform(-8, 8, 500), RNG.uniform(0, 3, 300), [0.0, -1.0, -2.0, 1.0, 2.0, np.inf,
                                                                        -np.inf, np.nan, 1e-300, 1e300]])
    y = np.concatenate([RNG.uniform(-1, 1, 500), 1 - 10 ** RNG.uniform(-15, -1, 100), [1.0, -1.0, 0.0, 2.0, np.nan]])
    if backend == "numba":
        assert K.special_lgamma.__module__.endswith("numba_special")
    with np.errstate(all="ignore"):
        pairs = [(K.special_lgamma(x), R.lgamma(x)), (K.special_digamma(x), R.digamma(x)),
                 (K.special_erfc(x), R.erfc(x)), (K.special_erfinv(y), R.erfinv(y))]
    for got, want in pairs:
        away = np.abs(want) > 1e-3  # near the zeros (of log-gamma on the negative axis) only absolute accuracy
        np.testing.assert_allclose(got[away], want[away], rtol=1e-12)
        np.testing.assert_allclose(got[~away], want[~away], atol=1e-14)
    small = np.array([0.5, 2.5])  # below the Numba kernels' size: the reference itself
    np.testing.assert_array_equal(K.special_lgamma(small), R.lgamma(small))


def test_zero_d_and_empty_inputs(backend: str) -> None:
    fns = (autograd.lgamma, autograd.digamma, lambda t: autograd.polygamma(2, t), autograd.erfinv, autograd.erfc,
           autograd.i0, sp.i0e, sp.i1, sp.i1e, sp.ndtri, sp.log_ndtr, sp.entr, lambda t: sp.multigammaln(t + 3, 2))
    for fn in fns:
        x = autograd.tensor(0.3, requires_grad=True)
        y = fn(x)
        assert y.shape == () and fn(autograd.zeros(0)).shape == (0,)
        y.backward()
        assert x.grad.shape == ()
