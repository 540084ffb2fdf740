"""The ops of autograd/torch_more.py and autograd.linalg: values and gradients against PyTorch (float64),
derivatives against float64 central differences (non-contiguous inputs too), integer semantics, and the
errors bad arguments raise. Both backends (conftest)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")

GRAD_TOL = dict(eps=1e-6, atol=1e-7, rtol=1e-5)
W = np.random.default_rng(11).standard_normal((4, 5))


def sample(rng: np.random.Generator, shape: tuple, domain: str) -> np.ndarray:
    if domain == "real":
        return rng.uniform(-2.0, 2.0, shape)
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "gt1":
        return rng.uniform(1.3, 3.0, shape)
    if domain == "unit":
        return rng.uniform(-0.8, 0.8, shape)
    if domain == "prob":
        return rng.uniform(0.1, 0.9, shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)
    if domain == "distinct":  # no ties, no two values within 0.1
        n = int(np.prod(shape, dtype=np.int64))
        return ((rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)).reshape(shape)
    if domain == "frac":  # away from whole numbers (rounded quotients are flat there)
        return rng.integers(-4, 5, shape) + rng.uniform(0.2, 0.8, shape)
    raise ValueError(domain)


IDX = np.array([[0, 1, 2, 0], [2, 2, 0, 1]])  # scatter_reduce along dim 0 of (3, 4); repeats in column 0
I1 = np.array([2, 0, 2])  # index_* along a dim of length 3 (a repeat)
I1U = np.array([2, 0])  # no repeat (index_copy)
MASK = np.array([[True, False, True, False, True], [False, True, True, False, False]])


def w_like(x, shape):
    a = W[: shape[0], : shape[1]] if len(shape) == 2 else W.reshape(-1)[: int(np.prod(shape))].reshape(shape)
    return Tensor(a.astype(x.dtype)) if isinstance(x, Tensor) else torch.tensor(a, dtype=x.dtype)


def _scatter_reduce_case(r: str, inc: bool) -> tuple:
    return (lambda x, s: x.scatter_reduce(0, IDX, s, r, include_self=inc),
            lambda x, s: x.scatter_reduce(0, torch.tensor(IDX), s, r, include_self=inc),
            [(3, 4), (2, 4)], "distinct" if r in ("amax", "amin") else "nonzero")


def _matrix_norm_case(o) -> tuple:
    return (lambda x: autograd.linalg.matrix_norm(x, o), lambda x: torch.linalg.matrix_norm(x, o), [(2, 3, 4)],
            "distinct")


def _eigh_loss(res):
    """Eigenvalues and sign-free functions of the eigenvectors (their squares), weighted."""
    w, v = res
    wt = W[:3, :3] if isinstance(w, Tensor) else torch.tensor(W[:3, :3])
    return w * 1.5 + ((v * v) * wt).sum(-1)


# name -> (ours, torch's, input shapes, domain)
CASES = {
    "div_trunc": (lambda a, b: autograd.div(a, b, rounding_mode="trunc") * a,
                  lambda a, b: torch.div(a, b, rounding_mode="trunc") * a, [(3, 4), (4,)], "frac"),
    "div_floor": (lambda a, b: a.div(b, rounding_mode="floor") * b, lambda a, b: a.div(b, rounding_mode="floor") * b,
                  [(3, 4), (3, 1)], "frac"),
    "floordiv_op": (lambda a, b: (a // b) * a, lambda a, b: torch.div(a, b, rounding_mode="floor") * a,
                    [(3, 4), (4,)], "frac"),
    "remainder": (lambda a, b: a.remainder(b), lambda a, b: a.remainder(b), [(3, 4), (4,)], "frac"),
    "mod_op": (lambda a, b: a % b, lambda a, b: a % b, [(3, 4), (3, 1)], "frac"),
    "fmod": (lambda a, b: autograd.fmod(a, b), lambda a, b: torch.fmod(a, b), [(3, 4), (4,)], "frac"),
    "scatter_add_reduce": (lambda x, s: x.scatter(0, IDX, s, reduce="add"),
                           lambda x, s: x.scatter_reduce(0, torch.tensor(IDX), s, "sum"), [(3, 4), (2, 4)], "real"),
    "scatter_mul_reduce": (lambda x, s: autograd.scatter(x, 0, IDX, s, reduce="multiply"),
                           lambda x, s: x.scatter_reduce(0, torch.tensor(IDX), s, "prod"), [(3, 4), (2, 4)],
                           "nonzero"),
    **{f"scatter_reduce_{r}_{inc}": _scatter_reduce_case(r, inc)
       for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)},
    "scatter_reduce_dim1": (lambda x, s: autograd.scatter_reduce(x, 1, IDX[:, :3], s, "mean"),
                            lambda x, s: torch.scatter_reduce(x, 1, torch.tensor(IDX[:, :3]), s, "mean"),
                            [(2, 4), (2, 3)], "real"),
    "index_add": (lambda x, s: x.index_add(1, I1, s, alpha=2.0),
                  lambda x, s: x.index_add(1, torch.tensor(I1), s, alpha=2.0), [(2, 3), (2, 3)], "real"),
    "index_copy": (lambda x, s: autograd.index_copy(x, 0, I1U, s) * w_like(x, (3, 4)),
                   lambda x, s: torch.index_copy(x, 0, torch.tensor(I1U), s) * w_like(x, (3, 4)), [(3, 4), (2, 4)],
                   "real"),
    "index_fill": (lambda x: x.index_fill(1, I1U, -1.5) * x, lambda x: x.index_fill(1, torch.tensor(I1U), -1.5) * x,
                   [(2, 3)], "real"),
    "index_select": (lambda x: x.index_select(0, I1) * w_like(x, (3, 4)),
                     lambda x: x.index_select(0, torch.tensor(I1)) * w_like(x, (3, 4)), [(3, 4)], "real"),
    "take_along_dim": (lambda x: autograd.take_along_dim(x, IDX[:, :3].T.copy(), 0),
                       lambda x: torch.take_along_dim(x, torch.tensor(IDX[:, :3].T.copy()), 0), [(3, 2)], "real"),
    "masked_select": (lambda x: x.masked_select(Tensor._make(MASK)) * 2,
                      lambda x: x.masked_select(torch.tensor(MASK)) * 2, [(2, 5)], "real"),
    "masked_scatter": (lambda x, s: x.masked_scatter(Tensor._make(MASK), s) * w_like(x, (2, 5)),
                       lambda x, s: x.masked_scatter(torch.tensor(MASK), s) * w_like(x, (2, 5)), [(2, 5), (7,)],
                       "real"),
    "cumprod": (lambda x: x.cumprod(1), lambda x: x.cumprod(1), [(3, 4)], "nonzero"),
    "cumprod0": (lambda x: autograd.cumprod(x, dim=0), lambda x: torch.cumprod(x, dim=0), [(3, 4)], "nonzero"),
    "amax": (lambda x: x.amax(1), lambda x: x.amax(1), [(3, 4)], "distinct"),
    "amin": (lambda x: autograd.amin(x, (0, 1), keepdim=True), lambda x: torch.amin(x, (0, 1), keepdim=True), [(3, 4)],
             "distinct"),
    "median": (lambda x: x.median(), lambda x: x.median(), [(3, 4)], "distinct"),
    "median_dim": (lambda x: x.median(1).values, lambda x: x.median(1).values, [(3, 5)], "distinct"),
    "kthvalue": (lambda x: x.kthvalue(2, 0).values, lambda x: x.kthvalue(2, 0).values, [(3, 4)], "distinct"),
    "nansum": (lambda x: x.nansum(0), lambda x: x.nansum(0), [(3, 4)], "real"),
    "nanmean": (lambda x: autograd.nanmean(x, 1), lambda x: torch.nanmean(x, 1), [(3, 4)], "real"),
    "log1p": (lambda x: x.log1p(), lambda x: x.log1p(), [(3, 4)], "pos"),
    "expm1": (lambda x: autograd.expm1(x), lambda x: torch.expm1(x), [(3, 4)], "real"),
    "acosh": (lambda x: x.acosh(), lambda x: x.acosh(), [(3, 4)], "gt1"),
    "atanh": (lambda x: x.atanh(), lambda x: x.atanh(), [(3, 4)], "unit"),
    "logit": (lambda x: x.logit(), lambda x: x.logit(), [(3, 4)], "prob"),
    "logit_eps": (lambda x: autograd.logit(x * 1.2, 0.15), lambda x: torch.logit(x * 1.2, 0.15), [(3, 4)], "prob"),
    "xlogy": (lambda a, b: a.xlogy(b), lambda a, b: a.xlogy(b), [(3, 4), (4,)], "pos"),
    "atan2": (lambda a, b: autograd.atan2(a, b), lambda a, b: torch.atan2(a, b), [(3, 4), (3, 1)], "nonzero"),
    "hypot": (lambda a, b: a.hypot(b), lambda a, b: a.hypot(b), [(3, 4), (4,)], "nonzero"),
    "square": (lambda x: x.square(), lambda x: x.square(), [(3, 4)], "real"),
    "reciprocal": (lambda x: x.reciprocal(), lambda x: x.reciprocal(), [(3, 4)], "nonzero"),
    "frac": (lambda x: x.frac() * x, lambda x: x.frac() * x, [(3, 4)], "frac"),
    "erfc": (lambda x: autograd.erfc(x), lambda x: torch.erfc(x), [(3, 4)], "real"),
    "deg2rad": (lambda x: x.deg2rad(), lambda x: x.deg2rad(), [(3, 4)], "real"),
    "nan_to_num": (lambda x: x.nan_to_num(), lambda x: x.nan_to_num(), [(3, 4)], "real"),
    "diff": (lambda x: x.diff(), lambda x: x.diff(), [(3, 4)], "real"),
    "diff2": (lambda x, p: autograd.diff(x, 2, 0, prepend=p), lambda x, p: torch.diff(x, 2, 0, prepend=p),
              [(3, 4), (1, 4)], "real"),
    "rot90": (lambda x: x.rot90(1, (0, 1)) * w_like(x, (4, 3)), lambda x: x.rot90(1, (0, 1)) * w_like(x, (4, 3)),
              [(3, 4)], "real"),
    "rot90_3": (lambda x: autograd.rot90(x, 3, (1, 0)) * w_like(x, (4, 3)),
                lambda x: torch.rot90(x, 3, (1, 0)) * w_like(x, (4, 3)), [(3, 4)], "real"),
    "rot90_2": (lambda x: x.rot90(2) * w_like(x, (3, 4)), lambda x: x.rot90(2) * w_like(x, (3, 4)), [(3, 4)], "real"),
    "fliplr": (lambda x: x.fliplr() * w_like(x, (3, 4)), lambda x: x.fliplr() * w_like(x, (3, 4)), [(3, 4)], "real"),
    "kron": (lambda a, b: a.kron(b), lambda a, b: a.kron(b), [(2, 3), (3, 2)], "real"),
    "cross": (lambda a, b: autograd.cross(a, b, dim=1), lambda a, b: torch.cross(a, b, dim=1), [(2, 3), (2, 3)],
              "real"),
    "linalg_cross": (lambda a, b: autograd.linalg.cross(a, b), lambda a, b: torch.linalg.cross(a, b), [(4, 3), (1, 3)],
                     "real"),
    "outer": (lambda a, b: a.outer(b), lambda a, b: a.outer(b), [(3,), (4,)], "real"),
    "trace": (lambda x: x.trace(), lambda x: x.trace(), [(3, 4)], "real"),
    "movedim": (lambda x: x.movedim(0, -1) * w_like(x, (4, 5)).reshape(4, 5, 1),
                lambda x: x.movedim(0, -1) * w_like(x, (4, 5)).reshape(4, 5, 1), [(1, 4, 5)], "real"),
    "narrow": (lambda x: x.narrow(1, 1, 2) * 3, lambda x: x.narrow(1, 1, 2) * 3, [(3, 4)], "real"),
    "tensor_split": (lambda x: x.tensor_split(3, 1)[0] * 2 + x.tensor_split([1, 3], 1)[2].sum(),
                     lambda x: x.tensor_split(3, 1)[0] * 2 + x.tensor_split([1, 3], 1)[2].sum(), [(3, 4)], "real"),
    "unbind": (lambda x: x.unbind(1)[2] * x.unbind(1)[0], lambda x: x.unbind(1)[2] * x.unbind(1)[0], [(3, 4)], "real"),
    "tile": (lambda x: x.tile((2,)), lambda x: x.tile((2,)), [(3, 4)], "real"),
    "diag_embed": (lambda x: autograd.diag_embed(x, 1), lambda x: torch.diag_embed(x, 1), [(2, 3)], "real"),
    "diag": (lambda x: autograd.diag(x, -1), lambda x: torch.diag(x, -1), [(3,)], "real"),
    "block_diag": (lambda a, b: autograd.block_diag(a, b), lambda a, b: torch.block_diag(a, b), [(2, 3), (1, 2)],
                   "real"),
    "hstack": (lambda a, b: autograd.hstack([a, b]), lambda a, b: torch.hstack([a, b]), [(2, 3), (2, 1)], "real"),
    "vstack": (lambda a, b: autograd.vstack([a, b]), lambda a, b: torch.vstack([a, b]), [(3,), (2, 3)], "real"),
    "meshgrid_xy": (lambda a, b: autograd.meshgrid(a, b, indexing="xy")[0] * autograd.meshgrid(a, b, indexing="xy")[1],
                    lambda a, b: torch.meshgrid(a, b, indexing="xy")[0] * torch.meshgrid(a, b, indexing="xy")[1],
                    [(3,), (2,)], "real"),
    "cartesian_prod": (lambda a, b: autograd.cartesian_prod(a, b), lambda a, b: torch.cartesian_prod(a, b),
                       [(3,), (2,)], "real"),
    "mm": (lambda a, b: a.mm(b), lambda a, b: a.mm(b), [(3, 4), (4, 2)], "real"),
    "bmm": (lambda a, b: autograd.bmm(a, b), lambda a, b: torch.bmm(a, b), [(2, 3, 4), (2, 4, 2)], "real"),
    "mv": (lambda a, b: a.mv(b), lambda a, b: a.mv(b), [(3, 4), (4,)], "real"),
    "addmm": (lambda c, a, b: c.addmm(a, b, beta=0.5, alpha=2.0), lambda c, a, b: c.addmm(a, b, beta=0.5, alpha=2.0),
              [(2,), (3, 4), (4, 2)], "real"),
    "baddbmm": (lambda c, a, b: autograd.baddbmm(c, a, b, alpha=0.5),
                lambda c, a, b: torch.baddbmm(c, a, b, alpha=0.5), [(2, 3, 2), (2, 3, 4), (2, 4, 2)], "real"),
    "addbmm": (lambda c, a, b: autograd.addbmm(c, a, b), lambda c, a, b: torch.addbmm(c, a, b),
               [(3, 2), (2, 3, 4), (2, 4, 2)], "real"),
    "addmv": (lambda c, a, b: c.addmv(a, b), lambda c, a, b: c.addmv(a, b), [(3,), (3, 4), (4,)], "real"),
    "addcmul": (lambda c, a, b: c.addcmul(a, b, value=0.5), lambda c, a, b: c.addcmul(a, b, value=0.5),
                [(3, 4), (4,), (3, 1)], "real"),
    "addcdiv": (lambda c, a, b: autograd.addcdiv(c, a, b, value=2.0), lambda c, a, b: torch.addcdiv(c, a, b, value=2.0),
                [(3, 4), (3, 4), (4,)], "nonzero"),
    "cdist": (lambda a, b: autograd.cdist(a, b), lambda a, b: torch.cdist(a, b), [(3, 2), (4, 2)], "distinct"),
    "cdist_p1": (lambda a, b: autograd.cdist(a, b, 1.0), lambda a, b: torch.cdist(a, b, 1.0), [(2, 3, 2), (2, 4, 2)],
                 "distinct"),
    "dist": (lambda a, b: a.dist(b, 3), lambda a, b: a.dist(b, 3), [(3, 4), (4,)], "distinct"),
    "lerp_": (lambda a, b: (a * 1).lerp_(b, 0.25), lambda a, b: (a * 1).lerp_(b, 0.25), [(3, 4), (4,)], "real"),
    "index_add_": (lambda x, s: (x * 1).index_add_(1, I1, s), lambda x, s: (x * 1).index_add_(1, torch.tensor(I1), s),
                   [(2, 3), (2, 3)], "real"),
    "masked_fill_": (lambda x: (x * 2).masked_fill_(Tensor._make(MASK), 0.5) * x,
                     lambda x: (x * 2).masked_fill_(torch.tensor(MASK), 0.5) * x, [(2, 5)], "real"),
    "exp_": (lambda x: (x * 1).exp_() * x, lambda x: (x * 1).exp_() * x, [(3, 4)], "real"),
    "scatter_": (lambda x, s: (x + 0).scatter_(1, IDX[:, :3] % 3, s) * x,
                 lambda x, s: (x + 0).scatter_(1, torch.tensor(IDX[:, :3] % 3), s) * x, [(2, 4), (2, 3)], "real"),
    # matrix norms (torch.linalg.norm / matrix_norm / Tensor.norm)
    "norm_nuc": (lambda x: x.norm("nuc"), lambda x: x.norm("nuc"), [(3, 4)], "real"),
    "linalg_norm_nuc": (lambda x: autograd.linalg.norm(x, "nuc"), lambda x: torch.linalg.norm(x, "nuc"), [(4, 3)],
                        "real"),
    "linalg_norm_fro": (lambda x: autograd.linalg.norm(x, "fro", (0, 2)), lambda x: torch.linalg.norm(x, "fro", (0, 2)),
                        [(2, 3, 4)], "real"),
    "linalg_norm_vec": (lambda x: autograd.linalg.norm(x), lambda x: torch.linalg.norm(x), [(2, 3, 4)], "real"),
    "linalg_norm_vec_dim": (lambda x: autograd.linalg.norm(x, 3, 1, True),
                            lambda x: torch.linalg.norm(x, 3, 1, True), [(3, 4)], "nonzero"),
    **{f"matrix_norm_{o}": _matrix_norm_case(o) for o in ("nuc", 2, -2, 1, -1, np.inf, -np.inf)},
    "matrix_norm_keep": (lambda x: autograd.linalg.matrix_norm(x, 1, (0, 2), keepdim=True),
                         lambda x: torch.linalg.matrix_norm(x, 1, (0, 2), keepdim=True), [(3, 2, 4)], "distinct"),
    "matrix_norm_2_keep": (lambda x: autograd.linalg.matrix_norm(x, 2, (2, 0), keepdim=True),
                           lambda x: torch.linalg.matrix_norm(x, 2, (2, 0), keepdim=True), [(3, 2, 4)], "distinct"),
    "linalg_norm_inf_2d": (lambda x: autograd.linalg.norm(x, float("inf")),
                           lambda x: torch.linalg.norm(x, float("inf")), [(3, 4)], "distinct"),
    "vector_norm": (lambda x: autograd.linalg.vector_norm(x, 1, (0, 1)),
                    lambda x: torch.linalg.vector_norm(x, 1, (0, 1)), [(3, 4)], "nonzero"),
    "svdvals": (lambda x: autograd.linalg.svdvals(x), lambda x: torch.linalg.svdvals(x), [(2, 3, 4)], "real"),
    "inv": (lambda x: autograd.linalg.inv(x + 3 * Tensor(np.eye(3, dtype=x.dtype))),
            lambda x: torch.linalg.inv(x + 3 * torch.eye(3, dtype=x.dtype)), [(2, 3, 3)], "real"),
    "det": (lambda x: autograd.linalg.det(x), lambda x: torch.linalg.det(x), [(2, 3, 3)], "real"),
    "slogdet": (lambda x: autograd.linalg.slogdet(x)[1], lambda x: torch.linalg.slogdet(x)[1], [(3, 3)], "real"),
    "solve": (lambda a, b: autograd.linalg.solve(a + 3 * Tensor(np.eye(3, dtype=a.dtype)), b),
              lambda a, b: torch.linalg.solve(a + 3 * torch.eye(3, dtype=a.dtype), b), [(2, 3, 3), (3, 2)], "real"),
    "cholesky": (lambda x: autograd.linalg.cholesky(x @ x.mT + Tensor(np.eye(3))),
                 lambda x: torch.linalg.cholesky(x @ x.mT + torch.eye(3, dtype=x.dtype)), [(2, 3, 3)], "real"),
    "cholesky_upper": (lambda x: autograd.linalg.cholesky(x @ x.mT + Tensor(np.eye(3)), upper=True),
                       lambda x: torch.linalg.cholesky(x @ x.mT + torch.eye(3, dtype=x.dtype), upper=True), [(3, 3)],
                       "real"),
    "eigvalsh": (lambda x: autograd.linalg.eigvalsh(x + x.mT), lambda x: torch.linalg.eigvalsh(x + x.mT),
                 [(2, 3, 3)], "real"),
    "eigh": (lambda x: _eigh_loss(autograd.linalg.eigh(x + x.mT)), lambda x: _eigh_loss(torch.linalg.eigh(x + x.mT)),
             [(3, 3)], "real"),
    "svd_S": (lambda x: autograd.linalg.svd(x, full_matrices=False).S, lambda x: torch.linalg.svd(x, False).S,
              [(3, 4)], "real"),
    "multi_dot": (lambda a, b, c: autograd.linalg.multi_dot([a, b, c]),
                  lambda a, b, c: torch.linalg.multi_dot([a, b, c]),
                  [(3,), (3, 4), (4,)], "real"),
    "solve_vec": (lambda a, b: autograd.linalg.solve(a + 3 * Tensor(np.eye(3, dtype=a.dtype)), b),
                  lambda a, b: torch.linalg.solve(a + 3 * torch.eye(3, dtype=a.dtype), b), [(3, 3), (3,)], "real"),
}


def _inputs(name: str, seed: int = 0) -> list:
    rng = np.random.default_rng(abs(hash(name)) % 2**32 + seed)
    _, _, shapes, domain = CASES[name]
    return [sample(rng, s, domain) for s in shapes]


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name: str) -> None:
    ours, theirs, _, _ = CASES[name]
    arrays = _inputs(name)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=f"{name}: forward")
    cot = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(cot)
    ref.backward(torch.tensor(cot))
    for i, (x, t) in enumerate(zip(xs, ts)):
        expected = t.grad.numpy() if t.grad is not None else np.zeros(x.shape)
        got = x.grad.data if x.grad is not None else np.zeros(x.shape)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-11, err_msg=f"{name}: gradient of input {i}")


@pytest.mark.parametrize("name", sorted(n for n in CASES if not n.endswith("_")))
def test_gradcheck_on_noncontiguous_inputs(name: str) -> None:
    ours = CASES[name][0]
    leaves = [Tensor(np.repeat(a, 2, axis=-1), requires_grad=True) for a in _inputs(name, seed=3)]
    assert gradcheck(lambda *ls: ours(*[v[..., ::2] for v in ls]), leaves, **GRAD_TOL)


# ---------------------------------------------------------------- division semantics


def test_integer_division_follows_torch_for_negatives() -> None:
    a, b = np.array([5, -7, 7, -5, 0]), np.array([2, 2, -2, -2, 3])
    x, y, ta, tb = autograd.tensor(a), autograd.tensor(b), torch.tensor(a), torch.tensor(b)
    for ours, ref in [
        (x // y, ta // tb), (x % y, ta % tb), (autograd.fmod(x, y), torch.fmod(ta, tb)),
        (x.div(y, rounding_mode="trunc"), ta.div(tb, rounding_mode="trunc")),
        (autograd.div(x, y, rounding_mode="floor"), torch.div(ta, tb, rounding_mode="floor")),
        (x // 3, ta // 3), (x % -3, ta % -3), (17 // x[:4], 17 // ta[:4]), (-9 % y, -9 % tb),
    ]:
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.data, ref.numpy())
    np.testing.assert_allclose(autograd.div(x, y).data, torch.div(ta, tb).numpy())


def test_float_division_by_zero_and_integer_division_by_zero() -> None:
    x = Tensor([5.0, -5.0, 0.0])
    t = torch.tensor([5.0, -5.0, 0.0])
    for ours, ref in [(x // 0.0, t // 0.0), (x % 0.0, t % 0.0), (autograd.fmod(x, 0.0), torch.fmod(t, 0.0)),
                      (x.div(0.0, rounding_mode="trunc"), t.div(0.0, rounding_mode="trunc"))]:
        np.testing.assert_array_equal(ours.data, ref.numpy())
    with pytest.raises(ZeroDivisionError, match="floor_divide: integer division by zero"):
        autograd.tensor([1, 2]) // autograd.tensor([1, 0])
    with pytest.raises(ValueError, match="rounding_mode must be None, 'trunc' or 'floor'"):
        x.div(2.0, rounding_mode="round")


def test_floor_divide_in_place_and_remainder_gradient() -> None:
    x = autograd.tensor([7, -7])
    x //= 2
    np.testing.assert_array_equal(x.data, [3, -4])
    a = Tensor([5.5, -5.5], requires_grad=True)
    b = Tensor([2.0, 2.0], requires_grad=True)
    (a % b).sum().backward()
    np.testing.assert_array_equal(b.grad.data, [-2.0, 3.0])  # -floor(a/b)


# ---------------------------------------------------------------- scatter and index ops


def test_scatter_reduce_ties_and_empty_targets_match_torch() -> None:
    x = np.array([[1.0, 5.0, 0.0], [2.0, 2.0, 2.0]])
    s = np.array([[5.0, 1.0, 2.0], [5.0, 2.0, 2.0]])
    idx = np.array([[0, 0, 1], [0, 1, 1]])
    for reduce in ("amax", "amin", "prod", "mean"):
        for inc in (True, False):
            xt, st = Tensor(x, requires_grad=True), Tensor(s, requires_grad=True)
            tt, ts = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
            out = xt.scatter_reduce(0, idx, st, reduce, include_self=inc)
            ref = tt.scatter_reduce(0, torch.tensor(idx), ts, reduce, include_self=inc)
            np.testing.assert_allclose(out.data, ref.detach().numpy(), err_msg=f"{reduce} {inc}")
            out.sum().backward()
            ref.sum().backward()
            np.testing.assert_allclose(xt.grad.data, tt.grad.numpy(), err_msg=f"{reduce} {inc}: d/dx")
            np.testing.assert_allclose(st.grad.data, ts.grad.numpy(), err_msg=f"{reduce} {inc}: d/dsrc")


def test_scatter_reduce_prod_with_zeros_matches_torch() -> None:
    x = np.array([[0.0, 2.0, 3.0], [4.0, 0.0, 1.5]])
    s = np.array([[0.5, 0.0, 2.0], [0.0, 3.0, 1.0]])
    idx = np.array([[0, 1, 0], [0, 1, 1]])
    for inc in (True, False):
        xt, st = Tensor(x, requires_grad=True), Tensor(s, requires_grad=True)
        tt, ts = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
        xt.scatter_reduce(0, idx, st, "prod", include_self=inc).sum().backward()
        tt.scatter_reduce(0, torch.tensor(idx), ts, "prod", include_self=inc).sum().backward()
        np.testing.assert_allclose(xt.grad.data, tt.grad.numpy())
        np.testing.assert_allclose(st.grad.data, ts.grad.numpy())


def test_scatter_reduce_and_index_ops_reject_bad_arguments() -> None:
    x = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="scatter_reduce: reduce must be one of"):
        x.scatter_reduce(0, IDX, Tensor(np.ones((2, 4))), "max")
    with pytest.raises(ValueError, match="scatter: reduce must be 'add' or 'multiply'"):
        x.scatter(0, IDX, Tensor(np.ones((2, 4))), reduce="sum")
    with pytest.raises(ValueError, match=r"index_add: source has shape \(2, 2\).*must have shape \(3, 3\)"):
        x[:, :3].index_add(1, I1, Tensor(np.ones((2, 2))))
    with pytest.raises(IndexError, match="index_select: index \\[5\\] is out of range for dim 0 of length 3"):
        x.index_select(0, [0, 5])
    with pytest.raises(IndexError, match="scatter_reduce: index"):
        x.scatter_reduce(0, IDX + 3, Tensor(np.ones((2, 4))), "sum")


def test_scatter_with_value_and_reduce_matches_torch() -> None:
    x = np.arange(12.0).reshape(3, 4)
    ours = Tensor(x).scatter(0, IDX, value=2.0, reduce="multiply")
    ref = torch.tensor(x).scatter(0, torch.tensor(IDX), value=2.0, reduce="multiply")
    np.testing.assert_array_equal(ours.data, ref.numpy())


# ---------------------------------------------------------------- cumprod, order statistics


@pytest.mark.parametrize("zeros", [[(0, 1)], [(0, 1), (0, 3)], [(1, 0), (2, 2), (2, 3)]])
def test_cumprod_gradient_with_zeros_matches_torch(zeros: list) -> None:
    a = np.random.default_rng(4).uniform(0.5, 2.0, (3, 4)) * np.array([1, -1, 1, -1])
    for idx in zeros:
        a[idx] = 0.0
    for dim in (0, 1):
        x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        cot = np.random.default_rng(dim).standard_normal(a.shape)
        x.cumprod(dim).backward(cot)
        t.cumprod(dim).backward(torch.tensor(cot))
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-14)
        assert gradcheck(lambda v, d=dim: v.cumprod(d), [Tensor(a, requires_grad=True)], **GRAD_TOL)


def test_cumprod_second_derivative_with_zeros_matches_torch() -> None:
    a = np.array([[1.5, 0.0, 2.0, -1.0], [0.5, 1.2, 0.0, 0.0]])
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    cot = np.random.default_rng(2).standard_normal(a.shape)
    (gx,) = autograd.gradients(x.cumprod(1), [x], grad_outputs=cot, create_graph=True)
    (gt,) = torch.autograd.grad(t.cumprod(1), [t], grad_outputs=torch.tensor(cot), create_graph=True)
    np.testing.assert_allclose(gx.data, gt.detach().numpy(), rtol=1e-12)
    (hx,) = autograd.gradients((gx * gx).sum(), [x])
    (ht,) = torch.autograd.grad((gt * gt).sum(), [t])
    np.testing.assert_allclose(hx.data, ht.numpy(), rtol=1e-10, atol=1e-12)


def test_cumprod_flattens_without_dim_only_with_numpy_spelling() -> None:
    a = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_array_equal(Tensor(a).cumprod(axis=None).data, np.cumprod(a))
    with pytest.raises(TypeError, match="cumprod: give dim="):
        Tensor(a).cumprod()


def test_median_mode_kthvalue_match_torch() -> None:
    d = sample(np.random.default_rng(8), (3, 4), "distinct")
    for a, same_index in ((d, True), (np.array([[3.0, 1.0, 2.0, 2.0], [5.0, 5.0, 1.0, 0.0], [1.0, 4.0, 4.0, 1.0]]),
                                          False)):  # with ties torch's choice of index is unspecified
        x, t = Tensor(a), torch.tensor(a)
        for ours, ref, dim in [(x.median(1), t.median(1), 1), (x.kthvalue(3, 1), t.kthvalue(3, 1), 1),
                               (x.median(0, keepdim=True), t.median(0, keepdim=True), 0)]:
            np.testing.assert_array_equal(ours.values.data, ref.values.numpy())
            v = ours.values.data if ours.values.ndim == a.ndim else np.expand_dims(ours.values.data, dim)
            i = ours.indices.data if ours.indices.ndim == a.ndim else np.expand_dims(ours.indices.data, dim)
            np.testing.assert_array_equal(np.take_along_axis(a, i, dim), v)  # the index points at the value
            if same_index:
                np.testing.assert_array_equal(ours.indices.data, ref.indices.numpy())
        assert x.median().item() == t.median().item()
    m, r = Tensor(a).mode(1), torch.tensor(a).mode(1)
    np.testing.assert_array_equal(m.values.data, r.values.numpy())
    n = np.array([1.0, np.nan, 3.0, 2.0])
    assert np.isnan(Tensor(n).median().item()) and np.isnan(torch.tensor(n).median().item())
    assert Tensor(n).nanmedian().item() == torch.tensor(n).nanmedian().item()


# ---------------------------------------------------------------- constants: comparisons, counting, construction


def test_comparisons_counting_and_construction_match_torch() -> None:
    a = np.array([[1.0, -2.0, 0.0], [3.0, 0.0, -1.0]])
    b = np.array([1.0, 0.0, 0.0])
    x, y, t, u = Tensor(a), Tensor(b), torch.tensor(a), torch.tensor(b)
    for op in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"):
        ours, ref = getattr(x, op)(y), getattr(t, op)(u)
        assert ours.dtype == np.bool_
        np.testing.assert_array_equal(ours.data, ref.numpy(), err_msg=op)
    np.testing.assert_array_equal(autograd.isclose(x, x + 1e-9).data, torch.isclose(t, t + 1e-9).numpy())
    assert autograd.allclose(x, x + 1e-9) is True and x.equal(Tensor(a)) and not x.equal(y)
    assert x.count_nonzero().item() == 4 and x.count_nonzero(0).tolist() == t.count_nonzero(0).tolist()
    i = autograd.tensor([1, 3, 1, 0])
    np.testing.assert_array_equal(i.bincount().data, torch.tensor([1, 3, 1, 0]).bincount().numpy())
    np.testing.assert_array_equal(autograd.histc(x, 4).data, torch.histc(t, 4).numpy())
    vals, inv, cnt = autograd.unique(i, return_inverse=True, return_counts=True)
    rv, ri, rc = torch.unique(torch.tensor([1, 3, 1, 0]), return_inverse=True, return_counts=True)
    for o, r in ((vals, rv), (inv, ri), (cnt, rc)):
        np.testing.assert_array_equal(o.data, r.numpy())
    np.testing.assert_array_equal(x.nonzero().data, t.nonzero().numpy())
    z = x.new_zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == x.dtype and x.new_full((2,), 7.0).tolist() == [7.0, 7.0]
    assert x.new_ones((1, 2), dtype=np.float32).dtype == np.float32 and x.new_empty(0).shape == (0,)
    assert autograd.tensor([1, 2]).type_as(x).dtype == np.float64
    assert x.view_as(Tensor(np.zeros(6))).shape == (6,)
    assert x.T.contiguous().data.flags.c_contiguous


def test_weighted_bincount_gets_a_gradient() -> None:
    w = Tensor([0.5, 1.5, 2.0], requires_grad=True)
    out = autograd.bincount(autograd.tensor([2, 0, 2]), w)
    np.testing.assert_array_equal(out.data, [1.5, 0.0, 2.5])
    (out * Tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [3.0, 1.0, 3.0])


# ---------------------------------------------------------------- linalg


def test_matrix_norm_second_derivative_through_abs_sums() -> None:
    a = sample(np.random.default_rng(3), (3, 4), "distinct")
    x = Tensor(a, requires_grad=True)
    assert gradcheck(lambda v: autograd.linalg.matrix_norm(v * v, 1), [x], **GRAD_TOL)
    (g,) = autograd.gradients(autograd.linalg.matrix_norm(x * x, np.inf), [x], create_graph=True)
    g.sum().backward()
    assert x.grad is not None


def test_linalg_errors_name_the_op_and_the_fix() -> None:
    with pytest.raises(ValueError, match="linalg.matrix_norm: ord must be one of"):
        autograd.linalg.matrix_norm(Tensor(np.eye(2)), 3)
    with pytest.raises(ValueError, match="linalg.norm: with ord=2 and no dim the input must be 1-D or 2-D"):
        autograd.linalg.norm(Tensor(np.ones((2, 2, 2))), 2)
    with pytest.raises(RuntimeError, match="linalg.inv: a matrix of the batch of shape \\(2, 2\\) is singular"):
        autograd.linalg.inv(Tensor(np.ones((2, 2))))
    with pytest.raises(ValueError, match="linalg.det: needs square matrices"):
        autograd.linalg.det(Tensor(np.ones((2, 3))))
    x = Tensor(np.eye(2) * 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="svdvals: create_graph=True"):
        autograd.gradients(x.norm("nuc"), [x], create_graph=True)


def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix() -> None:
    # torch gives 0 here (it goes through the LU factors); the derivative of det is the cofactor matrix, which
    # central differences confirm (det is a polynomial, so they are exact up to rounding)
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]])
    x = Tensor(a, requires_grad=True)
    autograd.linalg.det(x).backward()
    assert abs(x.grad.data[0, 0] - 14.0) < 1e-12
    assert gradcheck(lambda v: autograd.linalg.det(v), [Tensor(a, requires_grad=True)], **GRAD_TOL)


# ---------------------------------------------------------------- integer reductions


def test_int_mean_torch_spelling_raises_as_torch_numpy_spelling_keeps_numpy_meaning() -> None:
    a = np.array([[1, 2], [3, 5]])
    x, t = autograd.tensor(a), torch.tensor(a)
    for call in (lambda v: v.mean(), lambda v: v.mean(0), lambda v: v.mean(dim=1, keepdim=True)):
        with pytest.raises(RuntimeError, match="could not infer output dtype"):
            call(t)
        with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype.*x.float\(\).mean\(\)"):
            call(x)
    with pytest.raises(RuntimeError, match="could not infer output dtype"):
        autograd.mean(autograd.tensor([True, False]))
    np.testing.assert_array_equal(x.mean(axis=0).data, a.mean(axis=0))  # numpy's spelling: numpy's meaning
    np.testing.assert_array_equal(x.mean(axis=1, keepdims=True).data, a.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(x.float().mean(1).data, t.float().mean(1).numpy())
    np.testing.assert_allclose(x.mean(1, dtype=np.float32).data, t.mean(1, dtype=torch.float32).numpy())
    np.testing.assert_allclose(x.sum(0, dtype=np.float64).data, t.sum(0, dtype=torch.float64).numpy())
    assert x.sum(dtype=np.float32).dtype == np.float32
    assert float(np.mean(x)) == a.mean() and float(np.sum(x)) == a.sum()  # numpy's functions: numpy's meaning
    with pytest.raises(TypeError, match="mean: out= is not supported"):
        np.mean(x, out=np.zeros(()))


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.uint8])
def test_sum_prod_cumsum_of_ints_and_bools_are_int64_as_torch(dtype) -> None:
    a = np.array([[1, 0, 1], [1, 1, 0]], dtype=dtype)
    x, t = autograd.tensor(a), torch.tensor(a)
    for ours, ref in [(x.sum(), t.sum()), (x.sum(0), t.sum(0)), (x.prod(), t.prod()), (x.prod(1), t.prod(1)),
                      (x.cumsum(1), t.cumsum(1))]:
        assert ours.dtype == np.int64 and ref.dtype == torch.int64
        np.testing.assert_array_equal(ours.data, ref.numpy())


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax"])
def test_scatter_reduce_second_derivative_matches_torch(reduce: str) -> None:
    a = sample(np.random.default_rng(6), (3, 4), "distinct")
    s = sample(np.random.default_rng(7), (2, 4), "distinct")
    x, src = Tensor(a, requires_grad=True), Tensor(s, requires_grad=True)
    t, tsrc = torch.tensor(a, requires_grad=True), torch.tensor(s, requires_grad=True)
    y = (x.scatter_reduce(0, IDX, src, reduce, include_self=False) ** 2).sum()
    ty = (t.scatter_reduce(0, torch.tensor(IDX), tsrc, reduce, include_self=False) ** 2).sum()
    gx, gs = autograd.gradients(y, [x, src], create_graph=True)
    tgx, tgs = torch.autograd.grad(ty, [t, tsrc], create_graph=True)
    np.testing.assert_allclose(gs.data, tgs.detach().numpy(), rtol=1e-12)
    ((gs * gs).sum() + (gx * gx).sum()).backward()
    ((tgs * tgs).sum() + (tgx * tgx).sum()).backward()
    np.testing.assert_allclose(src.grad.data, tsrc.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_scatter_reduce_prod_double_backward_says_what_to_do() -> None:
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    y = x.scatter_reduce(0, IDX, Tensor(np.full((2, 4), 2.0)), "prod").sum()
    with pytest.raises(RuntimeError, match="scatter_reduce: create_graph=True .* reduce='prod'"):
        autograd.gradients(y, [x], create_graph=True)


def test_svd_vectors_refuse_gradients_and_reconstruct() -> None:
    a = np.random.default_rng(3).standard_normal((3, 4))
    x = Tensor(a, requires_grad=True)
    u, s, vh = autograd.linalg.svd(x, full_matrices=False)
    np.testing.assert_allclose((u.data * s.data) @ vh.data, a, atol=1e-12)
    with pytest.raises(RuntimeError, match="gradients through the singular vectors"):
        (u.sum() + s.sum()).backward()
    with pytest.raises(RuntimeError, match="not positive definite"):
        autograd.linalg.cholesky(Tensor(-np.eye(2)))


F64_CONSTANTS = {"cholesky", "cholesky_upper", "eigh"}  # their test lambdas mix in float64 constants


@pytest.mark.parametrize("name", sorted(n for n in CASES if n not in F64_CONSTANTS))
def test_float32_stays_float32_and_matches_torch(name: str) -> None:
    ours, theirs, _, _ = CASES[name]
    arrays = [a.astype(np.float32) for a in _inputs(name)]
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    out = ours(*xs)
    assert out.dtype == np.float32, f"{name}: float32 inputs gave {out.dtype}"
    ref = theirs(*[torch.tensor(a) for a in arrays])
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=2e-4, atol=2e-5, err_msg=name)
    out.backward(np.ones(out.shape, np.float32))
    assert all(x.grad is None or x.grad.dtype == np.float32 for x in xs), name
