"""The torch-named ops of autograd/torchops.py: values and gradients against PyTorch (float64 and
float32), derivatives against float64 central differences on broadcast and non-contiguous inputs,
index results, numpy spellings, and the errors bad arguments raise. Both backends (conftest)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

GRAD_TOL = dict(eps=1e-6, atol=1e-7, rtol=1e-5)


def sample(rng: np.random.Generator, shape: tuple, domain: str) -> np.ndarray:
    """Well-scaled inputs, away from the points where an op has a kink or a pole."""
    if domain == "real":
        return rng.uniform(-2.0, 2.0, shape)
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":  # asin, acos: inside (-1, 1), away from the ends
        return rng.uniform(-0.85, 0.85, shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.25, 2.0, shape)
    if domain == "wide":  # hard activations: both sides of the kinks at -3, 3 (and 0, 6), never near them
        base = rng.choice([-4.5, -1.5, 1.5, 4.5, 7.0], shape)
        return base + rng.uniform(-0.6, 0.6, shape)
    if domain == "distinct":  # sort, topk, cummax: no ties, no two values within 0.1
        n = int(np.prod(shape, dtype=np.int64))
        return ((rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)).reshape(shape)
    raise ValueError(domain)


I23 = np.array([[0, 2, 1], [1, 1, 0]])  # a gather/scatter index into a (2, 4) or (3, 4) input along dim 0/1
I_SC = np.array([[3, 0, 2], [1, 2, 3]])  # scatter along dim 1 of (2, 4): distinct per row (no write races)
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

# name -> (ours, torch's, input shapes, domain); ours gets Tensors, torch's gets torch tensors
CASES = {
    "rsqrt": (lambda x: x.rsqrt(), lambda x: x.rsqrt(), [(3, 4)], "pos"),
    "tan": (lambda x: autograd.tan(x), lambda x: torch.tan(x), [(3, 4)], "unit"),
    "asin": (lambda x: x.asin(), lambda x: x.asin(), [(3, 4)], "unit"),
    "acos": (lambda x: autograd.acos(x), lambda x: torch.acos(x), [(3, 4)], "unit"),
    "atan": (lambda x: x.atan(), lambda x: x.atan(), [(3, 4)], "real"),
    "sinh": (lambda x: x.sinh(), lambda x: x.sinh(), [(3, 4)], "real"),
    "cosh": (lambda x: autograd.cosh(x), lambda x: torch.cosh(x), [(3, 4)], "real"),
    "asinh": (lambda x: x.asinh(), lambda x: x.asinh(), [(3, 4)], "real"),
    "log2": (lambda x: x.log2(), lambda x: x.log2(), [(3, 4)], "pos"),
    "log10": (lambda x: autograd.log10(x), lambda x: torch.log10(x), [(3, 4)], "pos"),
    "exp2": (lambda x: x.exp2(), lambda x: x.exp2(), [(3, 4)], "real"),
    "sign": (lambda x: x.sign() * x, lambda x: x.sign() * x, [(3, 4)], "nonzero"),
    "floor": (lambda x: (x * 3).floor() + x, lambda x: (x * 3).floor() + x, [(3, 4)], "real"),
    "ceil": (lambda x: (x * 3).ceil() * x, lambda x: (x * 3).ceil() * x, [(3, 4)], "real"),
    "round": (lambda x: (x * 3).round() * x, lambda x: (x * 3).round() * x, [(3, 4)], "real"),
    "round2": (lambda x: x.round(decimals=2), lambda x: x.round(decimals=2), [(3, 4)], "real"),
    "trunc": (lambda x: (x * 3).trunc() * x, lambda x: (x * 3).trunc() * x, [(3, 4)], "real"),
    "copysign": (lambda a, b: a.copysign(b), lambda a, b: a.copysign(b), [(3, 4), (4,)], "nonzero"),
    "logaddexp": (lambda a, b: autograd.logaddexp(a, b), lambda a, b: torch.logaddexp(a, b), [(3, 1), (4,)], "real"),
    "lerp": (lambda a, b, w: a.lerp(b, w), lambda a, b, w: a.lerp(b, w), [(3, 4), (4,), (3, 1)], "real"),
    "lerp_number": (lambda a, b: autograd.lerp(a, b, 0.3), lambda a, b: torch.lerp(a, b, 0.3), [(3, 4), (3, 4)],
                    "real"),
    "celu": (lambda x: x.celu(0.5), lambda x: TF.celu(x, 0.5), [(3, 4)], "nonzero"),
    "selu": (lambda x: x.selu(), lambda x: TF.selu(x), [(3, 4)], "nonzero"),
    "softsign": (lambda x: x.softsign(), lambda x: TF.softsign(x), [(3, 4)], "real"),
    "hardsigmoid": (lambda x: x.hardsigmoid(), lambda x: TF.hardsigmoid(x), [(3, 4)], "wide"),
    "hardswish": (lambda x: x.hardswish(), lambda x: TF.hardswish(x), [(3, 4)], "wide"),
    "hardtanh": (lambda x: x.hardtanh(-2.0, 5.0), lambda x: TF.hardtanh(x, -2.0, 5.0), [(3, 4)], "wide"),
    "relu6": (lambda x: x.relu6(), lambda x: TF.relu6(x), [(3, 4)], "wide"),
    "softmin": (lambda x: x.softmin(dim=0), lambda x: TF.softmin(x, dim=0), [(3, 4)], "real"),
    "softplus_beta": (lambda x: x.softplus(2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0), [(3, 4)], "wide"),
    "softplus": (lambda x: autograd.softplus(x * 5), lambda x: TF.softplus(x * 5), [(3, 4)], "real"),
    "normalize": (lambda x: autograd.torchops.normalize(x), lambda x: TF.normalize(x), [(3, 4)], "real"),
    "normalize_p1": (lambda x: autograd.torchops.normalize(x, 1.0, 0), lambda x: TF.normalize(x, 1.0, 0),
                     [(3, 4)], "real"),
    "prod_all": (lambda x: x.prod(), lambda x: x.prod(), [(3, 4)], "nonzero"),
    "prod_dim": (lambda x: x.prod(1), lambda x: x.prod(1), [(3, 4)], "nonzero"),
    "prod_keep": (lambda x: autograd.prod(x, 0, True), lambda x: torch.prod(x, 0, True), [(3, 4)], "nonzero"),
    "cumsum": (lambda x: x.cumsum(0), lambda x: x.cumsum(0), [(3, 4)], "real"),
    "cumsum_last": (lambda x: autograd.cumsum(x, dim=-1), lambda x: torch.cumsum(x, dim=-1), [(3, 4)], "real"),
    "cummax": (lambda x: x.cummax(1).values, lambda x: x.cummax(1).values, [(3, 4)], "distinct"),
    "cummin": (lambda x: autograd.cummin(x, 0)[0], lambda x: torch.cummin(x, 0)[0], [(3, 4)], "distinct"),
    "logcumsumexp": (lambda x: x.logcumsumexp(1), lambda x: x.logcumsumexp(1), [(3, 4)], "real"),
    "var_mean_v": (lambda x: autograd.var_mean(x, 1)[0], lambda x: torch.var_mean(x, 1)[0], [(3, 4)], "real"),
    "var_mean_m": (lambda x: autograd.var_mean(x, 1, keepdim=True)[1],
                   lambda x: torch.var_mean(x, 1, keepdim=True)[1], [(3, 4)], "real"),
    "var_mean_c0": (lambda x: autograd.var_mean(x, (0, 1), correction=0)[0],
                    lambda x: torch.var_mean(x, (0, 1), correction=0)[0], [(3, 4)], "real"),
    "std_mean": (lambda x: autograd.std_mean(x)[0] + autograd.std_mean(x, 0)[1].sum(),
                 lambda x: torch.std_mean(x)[0] + torch.std_mean(x, 0)[1].sum(), [(3, 4)], "real"),
    "norm_fro": (lambda x: x.norm(), lambda x: x.norm(), [(3, 4)], "real"),
    "norm_2": (lambda x: x.norm(2, 1), lambda x: x.norm(2, 1), [(3, 4)], "real"),
    "norm_1": (lambda x: autograd.norm(x, 1, 0, True), lambda x: torch.norm(x, 1, 0, True), [(3, 4)], "nonzero"),
    "norm_inf": (lambda x: x.norm(float("inf"), 1), lambda x: x.norm(float("inf"), 1), [(3, 4)], "distinct"),
    "norm_3": (lambda x: x.norm(3, (0, 1)), lambda x: x.norm(3, (0, 1)), [(3, 4)], "nonzero"),
    "norm_half": (lambda x: x.norm(0.5, 0), lambda x: x.norm(0.5, 0), [(3, 4)], "nonzero"),
    "flip": (lambda x: x.flip(0, 1) * w(x), lambda x: x.flip(0, 1) * w(x), [(3, 4)], "real"),
    "roll": (lambda x: x.roll((1, -2), (0, 1)) * w(x), lambda x: x.roll((1, -2), (0, 1)) * w(x),
             [(3, 4)], "real"),
    "roll_flat": (lambda x: autograd.roll(x, 5) * w(x), lambda x: torch.roll(x, 5) * w(x),
                  [(3, 4)], "real"),
    "repeat": (lambda x: x.repeat(2, 1, 3), lambda x: x.repeat(2, 1, 3), [(3, 4)], "real"),
    "repeat_interleave": (lambda x: x.repeat_interleave(2, dim=0), lambda x: x.repeat_interleave(2, dim=0),
                          [(3, 4)], "real"),
    "repeat_interleave_t": (lambda x: autograd.repeat_interleave(x, Tensor._make(np.array([0, 2, 1, 3])), 1),
                            lambda x: torch.repeat_interleave(x, torch.tensor([0, 2, 1, 3]), 1), [(3, 4)], "real"),
    "pad_constant": (lambda x: autograd.torchops.pad(x, (1, 2, 0, 1), value=0.5),
                     lambda x: TF.pad(x, (1, 2, 0, 1), value=0.5), [(2, 3, 4)], "real"),
    "pad_crop": (lambda x: autograd.torchops.pad(x, (-1, 2)), lambda x: TF.pad(x, (-1, 2)), [(3, 4)], "real"),
    "pad_reflect": (lambda x: autograd.torchops.pad(x, (2, 3, 1, 2), "reflect"),
                    lambda x: TF.pad(x, (2, 3, 1, 2), "reflect"), [(2, 3, 4)], "real"),
    "pad_replicate": (lambda x: autograd.torchops.pad(x, (2, 3, 4, 1), mode="replicate"),
                      lambda x: TF.pad(x, (2, 3, 4, 1), mode="replicate"), [(2, 3, 4)], "real"),
    "pad_circular": (lambda x: autograd.torchops.pad(x, (1, 3), mode="circular"),
                     lambda x: TF.pad(x, (1, 3), mode="circular"), [(2, 3, 4)], "real"),
    "unflatten": (lambda x: x.unflatten(1, (2, -1)) * w(x).reshape(3, 2, 2),
                  lambda x: x.unflatten(1, (2, -1)) * w(x).reshape(3, 2, 2), [(3, 4)], "real"),
    "diagonal": (lambda x: x.diagonal(), lambda x: x.diagonal(), [(3, 4)], "real"),
    "diagonal_off": (lambda x: autograd.diagonal(x, 1, 2, 0), lambda x: torch.diagonal(x, 1, 2, 0), [(3, 2, 4)],
                     "real"),
    "diagonal_neg": (lambda x: x.diagonal(-1, -1, -2), lambda x: x.diagonal(-1, -1, -2), [(2, 4, 3)], "real"),
    "tril": (lambda x: x.tril(), lambda x: x.tril(), [(3, 4)], "real"),
    "triu": (lambda x: autograd.triu(x, 1), lambda x: torch.triu(x, 1), [(2, 3, 4)], "real"),
    "tril_neg": (lambda x: x.tril(-1), lambda x: x.tril(-1), [(4, 3)], "real"),
    "split": (lambda x: sum((p * (i + 1)).sum() for i, p in enumerate(x.split(2, 1))),
              lambda x: sum((p * (i + 1)).sum() for i, p in enumerate(x.split(2, 1))), [(3, 5)], "real"),
    "split_sections": (lambda x: autograd.split(x, [1, 2], 0)[1] * 2, lambda x: torch.split(x, [1, 2], 0)[1] * 2,
                       [(3, 5)], "real"),
    "chunk": (lambda x: autograd.chunk(x, 3, 1)[2] * x.chunk(3, 1)[0],
              lambda x: torch.chunk(x, 3, 1)[2] * x.chunk(3, 1)[0], [(3, 5)], "real"),
    "gather0": (lambda x: x.gather(0, Tensor._make(I23)), lambda x: x.gather(0, torch.tensor(I23)), [(3, 4)], "real"),
    "gather1": (lambda x: autograd.gather(x, 1, I23), lambda x: torch.gather(x, 1, torch.tensor(I23)), [(2, 4)],
                "real"),
    "scatter_src": (lambda x, s: x.scatter(1, I_SC, s), lambda x, s: x.scatter(1, torch.tensor(I_SC), s),
                    [(2, 4), (2, 3)], "real"),
    "scatter_value": (lambda x: autograd.scatter(x, 0, I23, value=1.5),
                      lambda x: torch.scatter(x, 0, torch.tensor(I23), value=1.5), [(3, 4)], "real"),
    "scatter_add": (lambda x, s: x.scatter_add(0, I23, s), lambda x, s: x.scatter_add(0, torch.tensor(I23), s),
                    [(3, 4), (2, 3)], "real"),
    "masked_fill": (lambda x: x.masked_fill(Tensor._make(MASK), -1.0),
                    lambda x: x.masked_fill(torch.tensor(MASK), -1.0), [(3, 4)], "real"),
    "masked_fill_b": (lambda x: autograd.masked_fill(x, MASK[0], 2.0),
                      lambda x: x.masked_fill(torch.tensor(MASK[0]), 2.0), [(3, 4)], "real"),
    "sort": (lambda x: x.sort(1).values * w(x), lambda x: x.sort(1).values * w(x), [(3, 4)],
             "distinct"),
    "sort_desc": (lambda x: autograd.sort(x, 0, True)[0] * w(x),
                  lambda x: torch.sort(x, 0, True)[0] * w(x), [(3, 4)], "distinct"),
    "topk": (lambda x: x.topk(2).values * 1.5, lambda x: x.topk(2).values * 1.5, [(3, 4)], "distinct"),
    "topk_small": (lambda x: autograd.topk(x, 2, 0, False)[0], lambda x: torch.topk(x, 2, 0, False)[0], [(3, 4)],
                   "distinct"),
    "einsum_mm": (lambda a, b: autograd.einsum("ij,jk->ik", a, b), lambda a, b: torch.einsum("ij,jk->ik", a, b),
                  [(3, 4), (4, 2)], "real"),
    "einsum_diag": (lambda a: autograd.einsum("ii->i", a), lambda a: torch.einsum("ii->i", a), [(3, 3)], "real"),
    "einsum_trace": (lambda a: autograd.einsum("ii", a), lambda a: torch.einsum("ii", a), [(3, 3)], "real"),
    "einsum_sum": (lambda a: autograd.einsum("ij->", a), lambda a: torch.einsum("ij->", a), [(3, 4)], "real"),
    "einsum_implicit": (lambda a, b: autograd.einsum("ij,kj", a, b), lambda a, b: torch.einsum("ij,kj", a, b),
                        [(3, 4), (2, 4)], "real"),
    "einsum_bmm": (lambda a, b: autograd.einsum("bij,bjk->bik", a, b), lambda a, b: torch.einsum("bij,bjk->bik", a, b),
                   [(2, 3, 4), (2, 4, 2)], "real"),
    "einsum_ellipsis": (lambda a: autograd.einsum("...ij->...ji", a), lambda a: torch.einsum("...ij->...ji", a),
                        [(2, 3, 4)], "real"),
    "einsum_broadcast": (lambda a, b: autograd.einsum("...i,...i->...", a, b),
                         lambda a, b: torch.einsum("...i,...i->...", a, b), [(2, 1, 3), (4, 3)], "real"),
    "einsum_three": (lambda a, b, c: autograd.einsum("ij,jk,k->i", a, b, c),
                     lambda a, b, c: torch.einsum("ij,jk,k->i", a, b, c), [(3, 4), (4, 2), (2,)], "real"),
    "einsum_outer": (lambda a, b: autograd.einsum("i,j", a, b), lambda a, b: torch.einsum("i,j", a, b),
                     [(3,), (4,)], "real"),
    "einsum_diag_batch": (lambda a, b: autograd.einsum("iij,j->i", a, b), lambda a, b: torch.einsum("iij,j->i", a, b),
                          [(3, 3, 2), (2,)], "real"),
}
W34 = np.random.default_rng(7).standard_normal((3, 4))


def w(x):
    """Fixed weights (3, 4) in x's dtype and kind (Tensor or torch tensor), so float32 stays float32."""
    if isinstance(x, Tensor):
        return Tensor(W34.astype(x.dtype))
    return torch.tensor(W34, dtype=x.dtype)


# torch's own float64 kernels that use a float32 constant (1/6 in hardsigmoid's derivative): compared looser;
# ours are exact (gradcheck below)
TORCH_RTOL = {"hardsigmoid": 1e-7}


def _inputs(name: str, dtype: np.dtype, seed: int = 0) -> list:
    rng = np.random.default_rng(abs(hash(name)) % 2**32 + seed)
    _, _, shapes, domain = CASES[name]
    return [sample(rng, s, domain).astype(dtype) for s in shapes]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name: str, dtype) -> None:
    ours, theirs, _, _ = CASES[name]
    arrays = _inputs(name, dtype)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = ours(*xs)
    ref = theirs(*ts)
    assert out.dtype == dtype, f"{name}: result dtype {out.dtype}, expected {dtype}"
    tol = dict(rtol=TORCH_RTOL.get(name, 1e-10), atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol, err_msg=f"{name}: forward")
    cot = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    out.backward(cot)
    ref.backward(torch.tensor(cot))
    for i, (x, t) in enumerate(zip(xs, ts)):
        expected = t.grad.numpy() if t.grad is not None else np.zeros(x.shape, dtype)
        got = x.grad if x.grad is not None else np.zeros(x.shape, dtype)
        np.testing.assert_allclose(got, expected, **tol, err_msg=f"{name}: gradient of input {i}")


def _noncontiguous(x: Tensor) -> Tensor:
    """A strided view of the leaf (every other entry of its last axis), recorded, so ops get a non-contiguous array."""
    return x[..., ::2]


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_on_noncontiguous_inputs(name: str) -> None:
    ours = CASES[name][0]
    leaves = []
    for a in _inputs(name, np.float64, seed=3):
        doubled = np.repeat(a, 2, axis=-1) if a.ndim else a  # every other entry is the original input
        leaves.append(Tensor(doubled, requires_grad=True))

    def fn(*ls: Tensor) -> Tensor:
        views = [_noncontiguous(v) if v.ndim else v for v in ls]
        assert all(v.ndim == 0 or not v.data.flags.c_contiguous or v.shape[-1] <= 1 for v in views)
        return ours(*views)

    assert gradcheck(fn, leaves, **GRAD_TOL)


# ---------------------------------------------------------------- products with zeros, norms at zero


@pytest.mark.parametrize("zeros", [[(1, 2)], [(0, 0), (0, 3)], [(0, 1), (2, 2)]])
@pytest.mark.parametrize("dim", [None, 1, 0])
def test_prod_derivative_with_zeros_matches_torch(zeros: list, dim) -> None:
    a = np.random.default_rng(5).uniform(0.5, 2.0, (3, 4))
    for idx in zeros:
        a[idx] = 0.0
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (x.prod() if dim is None else x.prod(dim)).sum().backward()
    (t.prod() if dim is None else t.prod(dim)).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)
    # the product is linear in each entry, so central differences are exact even at the zeros
    assert gradcheck(lambda v: v.prod() if dim is None else v.prod(dim), [Tensor(a, requires_grad=True)], **GRAD_TOL)


@pytest.mark.parametrize("zeros", [[(0, 1)], [(0, 1), (0, 3)], [(0, 1), (1, 2), (0, 0)]])
@pytest.mark.parametrize("dim", [None, 1])
def test_prod_second_derivative_with_zeros_matches_torch(zeros: list, dim) -> None:
    a = np.random.default_rng(5).uniform(0.5, 2.0, (2, 4))
    for idx in zeros:
        a[idx] = 0.0
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, r = (x.prod(), t.prod()) if dim is None else (x.prod(dim), t.prod(dim))
    cot = np.random.default_rng(1).standard_normal(y.shape)
    (gx,) = autograd.gradients(y, [x], grad_outputs=cot, create_graph=True)
    (gt,) = torch.autograd.grad(r, [t], grad_outputs=torch.tensor(cot), create_graph=True)
    np.testing.assert_allclose(gx.data, gt.detach().numpy(), rtol=1e-12, atol=1e-14)
    w = np.random.default_rng(2).standard_normal(a.shape)
    (hx,) = autograd.gradients((gx * Tensor(w)).sum(), [x])
    (ht,) = torch.autograd.grad((gt * torch.tensor(w)).sum(), [t])
    np.testing.assert_allclose(hx.data, ht.numpy(), rtol=1e-12, atol=1e-14)
    if dim is not None or len(zeros) <= 2:  # with 3 zeros in one product every second derivative is 0
        assert np.abs(hx.data).max() > 0.1  # the cross terms through the zeros are not lost


def test_prod_with_one_zero_gives_the_product_of_the_others() -> None:
    x = Tensor([2.0, 0.0, 3.0, 5.0], requires_grad=True)
    x.prod().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 30.0, 0.0, 0.0])
    y = Tensor([2.0, 0.0, 3.0, 0.0], requires_grad=True)
    y.prod().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, float("inf"), "fro"])
def test_norm_derivative_at_zero_matches_torch(p) -> None:
    a = np.zeros((2, 3))
    a[1] = [0.5, -2.0, 2.0]  # row 1 also has a tie for the inf-norm
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    x.norm(p, 1).sum().backward()
    t.norm(p, 1).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert np.all(x.grad[0] == 0)


def test_normalize_of_a_zero_row_is_zero_with_torchs_gradient() -> None:
    a = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, r = autograd.torchops.normalize(x), TF.normalize(t)
    np.testing.assert_allclose(y.data, r.detach().numpy(), rtol=1e-12)
    (y * Tensor(W34[:2, :3])).sum().backward()
    (r * torch.tensor(W34[:2, :3])).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-10)


# ---------------------------------------------------------------- index results


def test_sort_is_stable_and_its_indices_match_torch() -> None:
    a = np.array([[1.0, 2.0, 1.0, 2.0, 0.0], [3.0, 3.0, 3.0, -1.0, 3.0]])
    for descending in (False, True):
        ours = Tensor(a).sort(1, descending=descending)
        ref = torch.tensor(a).sort(dim=1, descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.data, ref.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())
        assert ours.indices.dtype == np.int64 and not ours.indices.requires_grad
    ref = torch.sort(torch.tensor(a), dim=0, stable=True).indices
    np.testing.assert_array_equal(autograd.argsort(Tensor(a), 0).data, ref.numpy())


def test_sort_puts_nan_last_ascending_and_first_descending() -> None:
    a = np.array([1.0, np.nan, -1.0, 2.0])
    for descending in (False, True):
        ours = Tensor(a).sort(descending=descending)
        ref = torch.tensor(a).sort(descending=descending, stable=True)
        np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())


def test_topk_indices_and_gradient_match_torch() -> None:
    a = sample(np.random.default_rng(2), (4, 5), "distinct")
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for largest in (True, False):
        ours, ref = x.topk(3, dim=0, largest=largest), t.topk(3, dim=0, largest=largest)
        np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())
        assert ours.indices.dtype == np.int64
    x.topk(2, 1).values.sum().backward()
    t.topk(2, 1).values.sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_cummax_ties_take_the_latest_index_as_torch() -> None:
    a = np.array([[1.0, 3.0, 3.0, 2.0, 3.0], [0.0, 0.0, -1.0, 0.0, 4.0]])
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for op in ("cummax", "cummin"):
        ours, ref = getattr(x, op)(1), getattr(t, op)(1)
        np.testing.assert_array_equal(ours.values.data, ref.values.detach().numpy())
        np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())
    x.cummax(1).values.sum().backward()
    t.cummax(1).values.sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_index_tensors_feed_back_into_gather() -> None:
    a = sample(np.random.default_rng(4), (3, 5), "distinct")
    x = Tensor(a, requires_grad=True)
    idx = x.sort(1).indices
    again = x.gather(1, idx)
    np.testing.assert_array_equal(again.data, np.sort(a, 1))
    np.testing.assert_array_equal(x[:, idx[0]].data, a[:, np.argsort(a[0])])  # an int Tensor indexes too


def test_any_all_isnan_isinf_are_bool_and_match_torch() -> None:
    a = np.array([[0.0, 1.0, np.nan], [0.0, 0.0, np.inf], [2.0, -np.inf, 3.0]])
    x, t = Tensor(a), torch.tensor(a)
    for op in ("any", "all"):
        for kw in ({}, {"dim": 0}, {"dim": 1, "keepdim": True}):
            ours, ref = getattr(x, op)(**kw), getattr(t, op)(**kw)
            assert ours.dtype == np.bool_ and not ours.requires_grad
            np.testing.assert_array_equal(ours.data, ref.numpy())
        np.testing.assert_array_equal(getattr(autograd, op)(x, axis=1, keepdims=True).data,
                                      getattr(np, op)(a, axis=1, keepdims=True))
    for op in ("isnan", "isinf", "isfinite"):
        ours = getattr(x, op)()
        assert ours.dtype == np.bool_
        np.testing.assert_array_equal(ours.data, getattr(torch, op)(t).numpy())


def test_split_and_chunk_return_tuples_like_torch() -> None:
    a = np.arange(14.0).reshape(2, 7)
    for ours, ref in [
        (Tensor(a).split(3, 1), torch.tensor(a).split(3, 1)),
        (Tensor(a).split([2, 0, 5], 1), torch.tensor(a).split([2, 0, 5], 1)),
        (Tensor(a).chunk(3, 1), torch.tensor(a).chunk(3, 1)),
        (autograd.chunk(Tensor(a), 4, 1), torch.chunk(torch.tensor(a), 4, 1)),
        (autograd.chunk(Tensor(a), 5, 0), torch.chunk(torch.tensor(a), 5, 0)),
    ]:
        assert isinstance(ours, tuple) and len(ours) == len(ref)
        for o, r in zip(ours, ref):
            np.testing.assert_array_equal(o.data, r.numpy())


def test_linspace_matches_torch_and_makes_a_leaf() -> None:
    t = autograd.linspace(-1.0, 2.0, 7, requires_grad=True)
    np.testing.assert_allclose(t.data, torch.linspace(-1.0, 2.0, 7, dtype=torch.float64).numpy(), rtol=1e-15)
    assert t.is_leaf and t.requires_grad
    assert autograd.linspace(0, 1, 5, dtype=np.float32).dtype == np.float32
    assert autograd.linspace(0, 1, 0).shape == (0,)


# ---------------------------------------------------------------- numpy spellings keep numpy's meaning


def test_numpy_spellings() -> None:
    a = np.random.default_rng(6).uniform(0.5, 2.0, (3, 4))
    x = Tensor(a)
    np.testing.assert_allclose(x.prod(axis=1, keepdims=True).data, np.prod(a, axis=1, keepdims=True))
    np.testing.assert_allclose(x.cumsum(axis=0).data, np.cumsum(a, axis=0))
    np.testing.assert_allclose(x.cumsum().data, np.cumsum(a))  # no dim: flattened, as numpy
    np.testing.assert_array_equal(x.flip(axis=0).data, np.flip(a, axis=0))
    np.testing.assert_array_equal(autograd.flip(x, axis=None).data, np.flip(a))
    np.testing.assert_array_equal(x.roll(shift=2, axis=1).data, np.roll(a, 2, axis=1))
    np.testing.assert_array_equal(x.repeat(2, axis=0).data, np.repeat(a, 2, axis=0))  # numpy's repeat
    np.testing.assert_array_equal(x.repeat(2, 1).data, np.tile(a, (2, 1)))  # torch's repeat
    np.testing.assert_array_equal(x.diagonal(1, axis1=1, axis2=0).data, np.diagonal(a, 1, axis1=1, axis2=0))
    np.testing.assert_array_equal(x.tril(k=1).data, np.tril(a, k=1))
    np.testing.assert_array_equal(x.triu(k=-1).data, np.triu(a, k=-1))
    np.testing.assert_array_equal(x.sort(axis=0).values.data, np.sort(a, axis=0))
    np.testing.assert_array_equal(x.softmin(axis=1).data, x.softmin(1).data)


def test_softplus_default_is_unchanged_and_threshold_is_linear_past_it() -> None:
    a = np.array([-30.0, -1.0, 0.0, 1.0, 25.0, 800.0])
    x = Tensor(a, requires_grad=True)
    y = x.softplus()
    assert y.grad_fn == autograd.ops.unary.Softplus  # the existing op, untouched
    np.testing.assert_allclose(y.data, np.logaddexp(0, a), rtol=1e-15)
    z = Tensor(a, requires_grad=True)
    out = z.softplus(1.0, 20.0)
    out.backward(np.ones(6))
    assert out.data[4] == 25.0 and z.grad[4] == 1.0
    r = torch.tensor(a, requires_grad=True)
    TF.softplus(r, 1.0, 20.0).backward(torch.ones(6))
    np.testing.assert_allclose(z.grad, r.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------- second derivatives


SECOND = {
    "tan": (lambda x: x.tan(), lambda x: x.tan(), "unit"),
    "asin": (lambda x: x.asin(), lambda x: x.asin(), "unit"),
    "cosh": (lambda x: x.cosh(), lambda x: x.cosh(), "real"),
    "logaddexp": (lambda x: x.logaddexp(x[:1] * 2), lambda x: x.logaddexp(x[:1] * 2), "real"),
    "celu": (lambda x: x.celu(0.5), lambda x: TF.celu(x, 0.5), "nonzero"),
    "softplus_beta": (lambda x: x.softplus(2.0), lambda x: TF.softplus(x, 2.0, 1e9), "real"),
    "prod": (lambda x: x.prod(1), lambda x: x.prod(1), "nonzero"),
    "cumsum": (lambda x: (x * x).cumsum(1), lambda x: (x * x).cumsum(1), "real"),
    "logcumsumexp": (lambda x: x.logcumsumexp(0), lambda x: x.logcumsumexp(0), "real"),
    "norm": (lambda x: x.norm(2, 1), lambda x: x.norm(2, 1), "real"),
    "norm3": (lambda x: x.norm(3, 0), lambda x: x.norm(3, 0), "nonzero"),
    "gather": (lambda x: (x * x).gather(1, I23), lambda x: (x * x).gather(1, torch.tensor(I23)), "real"),
    "scatter_add": (lambda x: x.scatter_add(0, I23[:, :2], x[:2, :2] ** 2),
                    lambda x: x.scatter_add(0, torch.tensor(I23[:, :2]), x[:2, :2] ** 2), "real"),
    "einsum": (lambda x: autograd.einsum("ij,kj->ik", x, x * x), lambda x: torch.einsum("ij,kj->ik", x, x * x), "real"),
    "einsum_diag": (lambda x: autograd.einsum("ii,ij->j", x[:, :3], x), lambda x: torch.einsum("ii,ij->j", x[:, :3], x),
                    "real"),
    "flip_roll": (lambda x: (x * x).flip(0).roll(1, 1), lambda x: (x * x).flip(0).roll(1, 1), "real"),
    "pad_reflect": (lambda x: autograd.torchops.pad(x * x, (2, 1), "reflect"),
                    lambda x: TF.pad(x * x, (2, 1), "reflect"), "real"),
}


@pytest.mark.parametrize("name", sorted(SECOND))
def test_second_derivatives_match_torch(name: str) -> None:
    ours, theirs, domain = SECOND[name]
    a = sample(np.random.default_rng(8), (3, 4), domain)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, r = ours(x), theirs(t)
    cot = np.random.default_rng(9).standard_normal(y.shape)
    (gx,) = autograd.gradients(y, [x], grad_outputs=cot, create_graph=True)
    (gt,) = torch.autograd.grad(r, [t], grad_outputs=torch.tensor(cot), create_graph=True)
    np.testing.assert_allclose(gx.data, gt.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(10).standard_normal(a.shape)
    (hx,) = autograd.gradients((gx * Tensor(w)).sum(), [x])
    (ht,) = torch.autograd.grad((gt * torch.tensor(w)).sum(), [t])
    np.testing.assert_allclose(hx.data, ht.numpy(), rtol=1e-9, atol=1e-11)


# ---------------------------------------------------------------- bad input


def _x(*shape: int) -> Tensor:
    return Tensor(np.ones(shape))


BAD = [
    (lambda: _x(2, 3).cumsum(2), IndexError, r"cumsum: dim=2 is out of range for a tensor of shape \(2, 3\)"),
    (lambda: _x(2, 3).prod(dim=0, axis=0), TypeError, r"prod: give dim= or axis=, not both"),
    (lambda: _x(2, 3).prod((0, 0)), ValueError, r"prod: .* names the same axis twice"),
    (lambda: _x(2, 3).cummax(), TypeError, r"cummax: give dim="),
    (lambda: _x(2, 3).flip(), TypeError, r"flip: give the dims"),
    (lambda: _x(2, 3).flip(3), IndexError, r"flip: dim=3 is out of range"),
    (lambda: _x(2, 3).roll((1, 2), 0), ValueError, r"roll: 2 shift\(s\) .* must pair up"),
    (lambda: _x(2, 3).repeat(2), ValueError, r"repeat: 1 repeat count\(s\) .* give at least 2"),
    (lambda: _x(2, 3).repeat(-1, 1), ValueError, r"repeat: sizes must be an int >= 0"),
    (lambda: _x(2, 3).repeat_interleave(np.array([1, 2]), 1), ValueError, r"repeat_interleave: 2 repeat counts for 3"),
    (lambda: autograd.torchops.pad(_x(2, 3), (1, 1), "wrap"), ValueError, r"pad: mode 'wrap' is not one of"),
    (lambda: autograd.torchops.pad(_x(2, 3), (1,)), ValueError, r"pad: pad \(1,\) must hold an even number"),
    (lambda: autograd.torchops.pad(_x(2, 3), (1, 1, 1, 1, 1, 1)), ValueError, r"at most 4 for the tensor of shape"),
    (lambda: autograd.torchops.pad(_x(2, 3), (3, 0), "reflect"), ValueError,
     r"pad: mode 'reflect' needs each pad smaller than the axis .* length 3"),
    (lambda: autograd.torchops.pad(_x(2, 3), (1.5, 1)), TypeError, r"pad: pad must be a tuple of ints"),
    (lambda: _x(2, 6).unflatten(1, (4, -1)), ValueError, r"unflatten: sizes \(4, -1\) do not multiply to the length 6"),
    (lambda: _x(3).diagonal(), ValueError, r"diagonal: needs a tensor with at least 2 axes, got shape \(3,\)"),
    (lambda: _x(3, 3).diagonal(0, 1, 1), ValueError, r"diagonal: dim1 and dim2 are both 1"),
    (lambda: _x(3).tril(), ValueError, r"tril: needs a tensor with at least 2 axes"),
    (lambda: _x(2, 5).split([2, 2], 1), ValueError, r"split: sections \(2, 2\) add up to 4, but dim 1 .* length 5"),
    (lambda: _x(2, 5).chunk(0), ValueError, r"chunk: chunks must be an int >= 1"),
    (lambda: _x(3, 4).gather(1, np.array([[0, 4]])), IndexError,
     r"gather: index \[4\] is out of range for dim 1 of length 4 \(input shape \(3, 4\)\)"),
    (lambda: _x(3, 4).gather(1, np.array([0, 1])), ValueError,
     r"gather: index has 1 axes \(shape \(2,\)\) but the input has 2 \(shape \(3, 4\)\)"),
    (lambda: _x(3, 4).gather(1, np.zeros((4, 1), int)), ValueError,
     r"gather: index of shape \(4, 1\) is larger than the input of shape \(3, 4\) on axis 0"),
    (lambda: _x(3, 4).gather(1, np.array([[0.5]])), TypeError, r"gather: index must hold integers"),
    (lambda: _x(3, 4).gather(2, np.zeros((3, 4), int)), IndexError, r"gather: dim=2 is out of range"),
    (lambda: _x(3, 4).scatter(1, np.zeros((3, 4), int), _x(2, 4)), ValueError,
     r"scatter: src of shape \(2, 4\) must have as many axes as index \(3, 4\)"),
    (lambda: _x(3, 4).scatter(1, np.zeros((3, 4), int)), TypeError, r"scatter: give src"),
    (lambda: _x(3, 4).scatter(1, np.zeros((3, 4), int), Tensor(1.0, requires_grad=True)), ValueError,
     r"scatter: a 0-d src is used as a constant value and would get no gradient"),
    (lambda: _x(3, 4).scatter_add(0, np.full((1, 1), 3), _x(1, 1)), IndexError,
     r"scatter_add: index \[3\] is out of range for dim 0 of length 3"),
    (lambda: _x(3, 4).masked_fill(np.ones((3, 4)), 0.0), TypeError, r"masked_fill: mask must be a bool tensor"),
    (lambda: _x(3, 4).masked_fill(np.ones((2, 4), bool), 0.0), ValueError,
     r"masked_fill: mask of shape \(2, 4\) does not broadcast to the input's shape \(3, 4\)"),
    (lambda: _x(3, 4).topk(5), ValueError, r"topk: k=5 must be an int in \[0, 4\] for dim 1 of shape \(3, 4\)"),
    (lambda: _x(3, 4).sort(descending="yes"), TypeError, r"sort: descending must be True or False"),
    (lambda: autograd.einsum("ij,jk->ik", _x(2, 3), _x(4, 2)), ValueError,
     r"einsum: label 'j' has size 3 in one operand and 4 in operand 1"),
    (lambda: autograd.einsum("ij->ik", _x(2, 3)), ValueError, r"einsum: output label 'k' appears in no operand"),
    (lambda: autograd.einsum("ij", _x(2, 3), _x(2, 3)), ValueError, r"einsum: 'ij' names 1 operand\(s\) but 2"),
    (lambda: autograd.einsum("ijk", _x(2, 3)), ValueError, r"einsum: operand subscripts 'ijk' name 3 axes .* \(2, 3\)"),
    (lambda: autograd.einsum("ii", _x(2, 3)), ValueError, r"einsum: label 'i' is repeated in operand 0 with different"),
    (lambda: autograd.einsum("i1", _x(2, 3)), ValueError, r"einsum: 'i1' holds '1'"),
    (lambda: _x(3).norm("nuc"), ValueError, r"linalg.matrix_norm: a matrix norm needs at least 2 axes"),
    (lambda: _x(3).norm(-1), ValueError, r"norm: p=-1 must be >= 0"),
    (lambda: _x(3).hardtanh(1.0, -1.0), ValueError, r"hardtanh: min_val=1 is greater than max_val=-1"),
    (lambda: _x(3).celu(0.0), ValueError, r"celu: alpha must not be 0"),
    (lambda: _x(3).softmin(), TypeError, r"softmin: give dim="),
    (lambda: _x(3).softplus(0.0), ValueError, r"softplus: beta must not be 0"),
    (lambda: autograd.lerp(_x(2, 3), _x(3), _x(4)), ValueError, r"lerp: start \(2, 3\), end \(3,\) and weight \(4,\)"),
    (lambda: autograd.logaddexp(_x(2, 3), _x(4)), ValueError, r"LogAddExp: inputs of shapes \(2, 3\) and \(4,\)"),
    (lambda: autograd.var_mean(_x(3), correction=1, unbiased=True), TypeError, r"var_mean: give correction= or unb"),
    (lambda: autograd.linspace(0, 1, -2), ValueError, r"linspace: steps must be an int >= 0"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_input_raises_a_clear_error(call, exc, pattern) -> None:
    with pytest.raises(exc, match=pattern):
        call()


ZERO_D = {
    "gather": (lambda x: x.gather(0, np.array(0)), lambda t: t.gather(0, torch.tensor(0))),
    "scatter": (lambda x: x.scatter(0, np.array(0), value=2.0), lambda t: t.scatter(0, torch.tensor(0), value=2.0)),
    "scatter_add": (lambda x: x.scatter_add(0, np.array(0), x * 2), lambda t: t.scatter_add(0, torch.tensor(0), t * 2)),
    "cumsum": (lambda x: x.cumsum(0), lambda t: t.cumsum(0)),
    "cummax": (lambda x: x.cummax(0).values, lambda t: t.cummax(0).values),
    "logcumsumexp": (lambda x: x.logcumsumexp(0), lambda t: t.logcumsumexp(0)),
    "sort": (lambda x: x.sort().values, lambda t: t.sort().values),
    "topk": (lambda x: x.topk(1).values, lambda t: t.topk(1).values),
    "prod": (lambda x: x.prod(0), lambda t: t.prod(0)),
    "norm": (lambda x: x.norm(), lambda t: t.norm()),
    "flip": (lambda x: x.flip(0), lambda t: t.flip(0)),
    "roll": (lambda x: x.roll(1), lambda t: t.roll(1)),
    "repeat": (lambda x: x.repeat(2, 3), lambda t: t.repeat(2, 3)),
    "repeat_interleave": (lambda x: x.repeat_interleave(3), lambda t: t.repeat_interleave(3)),
    "softmin": (lambda x: (x * 2).unsqueeze(0).softmin(0), lambda t: TF.softmin((t * 2).unsqueeze(0), 0)),
}


@pytest.mark.parametrize("name", sorted(ZERO_D))
def test_zero_d_inputs_give_torchs_shapes_values_and_gradients(name: str) -> None:
    ours, theirs = ZERO_D[name]
    x, t = Tensor(1.5, requires_grad=True), torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    y, r = ours(x), theirs(t)
    assert y.shape == tuple(r.shape)
    np.testing.assert_allclose(y.data, r.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    r.sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)
    for op in ("cummax", "sort", "topk"):
        assert getattr(x, op)(*(() if op == "sort" else (0,) if op == "cummax" else (1,))).indices.shape == ()
