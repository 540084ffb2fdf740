"""autograd/torch_extra.py: values and gradients against PyTorch (float64), central differences, sampling
shapes and dtypes, the Tensor methods torch code reaches for (to(device), stride, random fills, in-place twins,
shape changes in place). Both backends (conftest)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
GRAD_TOL = dict(eps=1e-6, atol=1e-7, rtol=1e-5)


def sample(rng: np.random.Generator, shape: tuple, domain: str) -> np.ndarray:
    if domain == "real":
        return rng.uniform(-2.0, 2.0, shape)
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "distinct":
        n = int(np.prod(shape, dtype=np.int64))
        return ((rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)).reshape(shape)
    raise ValueError(domain)


def _q(x):
    return Tensor(np.array([0.1, 0.5, 0.8])) if isinstance(x, Tensor) else torch.tensor([0.1, 0.5, 0.8],
                                                                                          dtype=torch.float64)


def _quantile_case(m: str) -> tuple:
    return (lambda x: x.quantile(0.4, 0, interpolation=m), lambda x: x.quantile(0.4, 0, interpolation=m), [(6, 3)],
            "distinct")


CASES = {
    "quantile": (lambda x: x.quantile(0.3), lambda x: x.quantile(0.3), [(3, 4)], "distinct"),
    "quantile_dim": (lambda x: autograd.quantile(x, _q(x), 1, True), lambda x: torch.quantile(x, _q(x), 1, True),
                     [(3, 5)], "distinct"),
    **{f"quantile_{m}": _quantile_case(m) for m in ("lower", "higher", "midpoint", "nearest")},
    "nanquantile": (lambda x: x.nanquantile(0.6, 1), lambda x: x.nanquantile(0.6, 1), [(3, 4)], "distinct"),
    "cov": (lambda x: autograd.cov(x), lambda x: torch.cov(x), [(3, 5)], "real"),
    "cov_c0": (lambda x: autograd.cov(x, correction=0), lambda x: torch.cov(x, correction=0), [(2, 6)], "real"),
    "corrcoef": (lambda x: x.corrcoef(), lambda x: x.corrcoef(), [(3, 5)], "real"),
    "cosine_similarity": (lambda a, b: autograd.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b),
                          [(3, 4), (3, 4)], "real"),
    "cosine_similarity_dim": (lambda a, b: autograd.cosine_similarity(a, b, -1),
                              lambda a, b: TF.cosine_similarity(a, b, -1), [(2, 3, 4), (4,)], "real"),
    "pairwise_distance": (lambda a, b: autograd.pairwise_distance(a, b), lambda a, b: TF.pairwise_distance(a, b),
                          [(3, 4), (3, 4)], "real"),
    "pdist": (lambda x: autograd.pdist(x), lambda x: TF.pdist(x), [(4, 3)], "distinct"),
    "tensordot": (lambda a, b: autograd.tensordot(a, b, 2), lambda a, b: torch.tensordot(a, b, 2),
                  [(2, 3, 4), (3, 4, 2)], "real"),
    "tensordot_dims": (lambda a, b: autograd.tensordot(a, b, ([0, 2], [2, 0])),
                       lambda a, b: torch.tensordot(a, b, ([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)], "real"),
    "addr": (lambda c, a, b: c.addr(a, b, beta=2.0, alpha=0.5), lambda c, a, b: c.addr(a, b, beta=2.0, alpha=0.5),
             [(3, 4), (3,), (4,)], "real"),
    "inner": (lambda a, b: a.inner(b), lambda a, b: a.inner(b), [(2, 4), (3, 4)], "real"),
    "vdot": (lambda a, b: autograd.vdot(a, b), lambda a, b: torch.vdot(a, b), [(4,), (4,)], "real"),
    "chain_matmul": (lambda a, b, c: autograd.chain_matmul(a, b, c), lambda a, b, c: torch.linalg.multi_dot([a, b, c]),
                     [(2, 3), (3, 4), (4, 2)], "real"),
    "matrix_power": (lambda x: x.matrix_power(3), lambda x: x.matrix_power(3), [(2, 3, 3)], "real"),
    "matrix_power_neg": (lambda x: (x + 3 * Tensor(np.eye(3))).matrix_power(-2),
                         lambda x: (x + 3 * torch.eye(3, dtype=x.dtype)).matrix_power(-2), [(3, 3)], "real"),
    "inverse": (lambda x: (x + 3 * Tensor(np.eye(3))).inverse(),
                lambda x: (x + 3 * torch.eye(3, dtype=x.dtype)).inverse(), [(3, 3)], "real"),
    "logdet": (lambda x: (x @ x.mT + Tensor(np.eye(3))).logdet(),
               lambda x: (x @ x.mT + torch.eye(3, dtype=x.dtype)).logdet(), [(3, 3)], "real"),
    "logaddexp2": (lambda a, b: a.logaddexp2(b), lambda a, b: a.logaddexp2(b), [(3, 4), (4,)], "real"),
    "sinc": (lambda x: x.sinc(), lambda x: x.sinc(), [(3, 4)], "real"),
    "float_power": (lambda a, b: a.float_power(b), lambda a, b: a.float_power(b), [(3, 4), (4,)], "pos"),
    # (torch's gradient is 0 for a negative integer exponent, its integer 2**e; the value is right)
    "ldexp": (lambda x: x.ldexp(Tensor._make(np.array([1, 2, 0, 3]))),
              lambda x: x.ldexp(torch.tensor([1, 2, 0, 3])), [(3, 4)], "real"),
    "trapezoid": (lambda y: autograd.trapezoid(y), lambda y: torch.trapezoid(y), [(3, 4)], "real"),
    "trapezoid_x": (lambda y, x: autograd.trapezoid(y, x, dim=0), lambda y, x: torch.trapezoid(y, x, dim=0),
                    [(4, 3), (4,)], "real"),
    "cumulative_trapezoid": (lambda y: autograd.cumulative_trapezoid(y, dx=0.5),
                             lambda y: torch.cumulative_trapezoid(y, dx=0.5), [(3, 4)], "real"),
    "renorm": (lambda x: x.renorm(2, 0, 1.5), lambda x: x.renorm(2, 0, 1.5), [(3, 4)], "real"),
    "combinations": (lambda x: autograd.combinations(x, 2), lambda x: torch.combinations(x, 2), [(4,)], "real"),
    "combinations_r": (lambda x: autograd.combinations(x, 3, with_replacement=True),
                       lambda x: torch.combinations(x, 3, with_replacement=True), [(3,)], "real"),
    "broadcast_tensors": (lambda a, b: autograd.broadcast_tensors(a, b)[0] * autograd.broadcast_tensors(a, b)[1],
                          lambda a, b: torch.broadcast_tensors(a, b)[0] * torch.broadcast_tensors(a, b)[1],
                          [(3, 1), (4,)], "real"),
    "take": (lambda x: x.take(Tensor._make(np.array([[0, 5], [11, -1]]))),
             lambda x: x.take(torch.tensor([[0, 5], [11, 11]])), [(3, 4)], "real"),
    "index_put": (lambda x, v: x.index_put((np.array([0, 2]), np.array([1, 3])), v),
                  lambda x, v: x.index_put((torch.tensor([0, 2]), torch.tensor([1, 3])), v), [(3, 4), (2,)], "real"),
    "index_put_acc": (lambda x, v: autograd.index_put(x, (np.array([0, 0]),), v, accumulate=True),
                      lambda x, v: torch.index_put(x, (torch.tensor([0, 0]),), v, accumulate=True), [(3, 4), (4,)],
                      "real"),
    "select": (lambda x: x.select(1, -1) * 2, lambda x: x.select(1, -1) * 2, [(3, 4)], "real"),
    "diagflat": (lambda x: x.diagflat(1), lambda x: x.diagflat(1), [(2, 2)], "real"),
    "unfold": (lambda x: x.unfold(1, 3, 2), lambda x: x.unfold(1, 3, 2), [(2, 7)], "real"),
    "unfold0": (lambda x: x.unfold(0, 2, 1) * x.unfold(0, 2, 1), lambda x: x.unfold(0, 2, 1) * x.unfold(0, 2, 1),
                [(4, 3)], "real"),
    "where": (lambda x, y: x.where(x.data > 0, y), lambda x, y: x.where(x > 0, y), [(3, 4), (4,)], "real"),
    "sum_to_size": (lambda x: x.sum_to_size(3, 1), lambda x: x.sum_to_size(3, 1), [(2, 3, 4)], "real"),
    "hsplit": (lambda x: x.hsplit(2)[1] * 2, lambda x: x.hsplit(2)[1] * 2, [(3, 4)], "real"),
    "vsplit": (lambda x: autograd.vsplit(x, [1])[1], lambda x: torch.vsplit(x, [1])[1], [(3, 4)], "real"),
    "msort": (lambda x: x.msort(), lambda x: x.msort(), [(3, 4)], "distinct"),
    "mH": (lambda x: x.mH * x.H.sum(), lambda x: x.mH * x.H.sum(), [(3, 4)], "real"),
    "sinh_": (lambda x: (x * 1).sinh_() * x, lambda x: (x * 1).sinh_() * x, [(3, 4)], "real"),
    "log1p_": (lambda x: (x * 1).log1p_(), lambda x: (x * 1).log1p_(), [(3, 4)], "pos"),
    "cumsum_": (lambda x: (x * 1).cumsum_(1) * x, lambda x: (x * 1).cumsum_(1) * x, [(3, 4)], "real"),
    "gt_": (lambda x: (x * 1).gt_(0.5) + x, lambda x: (x * 1).gt_(0.5) + x, [(3, 4)], "real"),
    "atan2_": (lambda a, b: (a * 1).atan2_(b), lambda a, b: (a * 1).atan2_(b), [(3, 4), (4,)], "pos"),
    "t_": (lambda x: (x * 2).t_() * x.t(), lambda x: (x * 2).t_() * x.t(), [(3, 4)], "real"),
    "unsqueeze_": (lambda x: (x * 2).unsqueeze_(1), lambda x: (x * 2).unsqueeze_(1), [(3, 4)], "real"),
    "slice_scatter": (lambda x, s: autograd.slice_scatter(x, s, 1, 1, None, 2),
                      lambda x, s: torch.slice_scatter(x, s, 1, 1, None, 2), [(3, 4), (3, 2)], "real"),
    "select_scatter": (lambda x, s: autograd.select_scatter(x, s, 0, -1) * x,
                       lambda x, s: torch.select_scatter(x, s, 0, -1) * x, [(3, 4), (4,)], "real"),
    "diagonal_scatter": (lambda x, s: autograd.diagonal_scatter(x, s, 1) * x,
                         lambda x, s: torch.diagonal_scatter(x, s, 1) * x, [(3, 4), (3,)], "real"),
    "diagonal_scatter_3d": (lambda x, s: autograd.diagonal_scatter(x, s, 0, 0, 2),
                            lambda x, s: torch.diagonal_scatter(x, s, 0, 0, 2), [(3, 2, 4), (2, 3)], "real"),
    "transpose_": (lambda x: (x * 2).transpose_(0, 1).exp(), lambda x: (x * 2).transpose_(0, 1).exp(),
                   [(3, 4)], "real"),
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


def test_quantile_with_nan_and_nanquantile_match_torch() -> None:
    a = np.array([[1.0, np.nan, 3.0, 2.0], [4.0, 0.5, -1.0, 2.5], [np.nan] * 4])
    for q in (0.0, 0.25, 1.0):
        np.testing.assert_array_equal(Tensor(a).quantile(q, 1).data, torch.tensor(a).quantile(q, 1).numpy())
        np.testing.assert_array_equal(Tensor(a).nanquantile(q, 1).data, torch.tensor(a).nanquantile(q, 1).numpy())


def test_creation_and_sampling_shapes_dtypes_and_ranges() -> None:
    autograd.manual_seed(0)
    r = autograd.randint(3, 7, (2, 5))
    assert r.dtype == np.int64 and r.shape == (2, 5) and r.data.min() >= 3 and r.data.max() < 7
    assert autograd.randint(4, (3,)).data.max() < 4 and autograd.randint_like(r, 2).shape == (2, 5)
    p = autograd.randperm(6)
    assert sorted(p.tolist()) == list(range(6)) and p.dtype == np.int64
    n = autograd.normal(2.0, 0.5, (4000,))
    assert abs(n.data.mean() - 2.0) < 0.05 and abs(n.data.std() - 0.5) < 0.05
    assert autograd.normal(Tensor(np.zeros(3)), Tensor(np.ones(3))).shape == (3,)
    b = autograd.bernoulli(Tensor(np.full((1000,), 0.3)))
    assert set(np.unique(b.data)) <= {0.0, 1.0} and 0.2 < b.data.mean() < 0.4
    m = autograd.multinomial(Tensor([[0.0, 1.0, 1.0], [0.5, 0.5, 0.0]]), 2)
    assert m.dtype == np.int64 and sorted(m.tolist()[0]) == [1, 2] and sorted(m.tolist()[1]) == [0, 1]
    with pytest.raises(ValueError, match="pass replacement=True"):
        autograd.multinomial(Tensor([0.0, 1.0, 0.0]), 2)
    assert autograd.multinomial(Tensor([0.0, 1.0, 0.0]), 3, True).tolist() == [1, 1, 1]
    a = np.arange(6.0)
    f = autograd.from_numpy(a)
    a[0] = 10.0
    assert f.data[0] == 10.0  # shares memory, as torch.from_numpy
    assert autograd.empty(2, 3).shape == (2, 3) and autograd.empty_like(f).dtype == np.float64
    np.testing.assert_allclose(autograd.logspace(0, 2, 3).data, [1.0, 10.0, 100.0])
    np.testing.assert_array_equal(autograd.tril_indices(3, 4, 1).data, torch.tril_indices(3, 4, 1).numpy())
    np.testing.assert_array_equal(autograd.triu_indices(4, 3, -1).data, torch.triu_indices(4, 3, -1).numpy())
    assert autograd.broadcast_shapes((3, 1), (4,)) == (3, 4) and autograd.is_tensor(f) and not autograd.is_tensor(a)
    assert autograd.is_floating_point(f) and not autograd.is_floating_point(autograd.tensor([1]))
    s = torch.tensor([1.0, 3.0, 5.0])
    v = torch.tensor([[0.0, 3.0, 6.0]])
    for right in (False, True):
        np.testing.assert_array_equal(autograd.searchsorted(Tensor(s.numpy()), Tensor(v.numpy()), right=right).data,
                                      torch.searchsorted(s, v, right=right).numpy())
        np.testing.assert_array_equal(autograd.bucketize(Tensor(v.numpy()), Tensor(s.numpy()), right=right).data,
                                      torch.bucketize(v, s, right=right).numpy())
    i, j = autograd.tensor([12, 10]), torch.tensor([12, 10])
    for op in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"):
        np.testing.assert_array_equal(getattr(autograd, op)(i, 2).data, getattr(torch, op)(j, 2).numpy())
    np.testing.assert_array_equal(i.bitwise_not().data, j.bitwise_not().numpy())


def test_random_fills_write_in_place_and_respect_leaves() -> None:
    autograd.manual_seed(1)
    w = Tensor(np.zeros((200, 50)))
    assert w.normal_(0.0, 0.02) is w and abs(w.data.std() - 0.02) < 0.002
    w.uniform_(-0.1, 0.1)
    assert w.data.min() >= -0.1 and w.data.max() <= 0.1 and w._version == 2
    w.bernoulli_(0.25)
    assert set(np.unique(w.data)) <= {0.0, 1.0}
    w.exponential_(2.0)
    assert w.data.min() >= 0 and abs(w.data.mean() - 0.5) < 0.05
    k = autograd.tensor(np.zeros(100, dtype=np.int64))
    k.random_(0, 3)
    assert set(np.unique(k.data)) <= {0, 1, 2}
    p = Tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        p.normal_()
    with autograd.no_grad():
        p.uniform_(1.0, 2.0)
    assert p.requires_grad and p.data.min() >= 1.0
    with pytest.raises(ValueError, match="normal_: std=-1 must be >= 0"):
        w.normal_(0.0, -1)


def test_tensor_methods_torch_code_uses_on_devices_and_memory() -> None:
    x = Tensor(np.arange(12.0).reshape(3, 4))
    assert x.to("cpu") is x and x.cpu() is x and x.device == "cpu" and not x.is_cuda
    assert x.to(torch.device("cpu"), np.float32).dtype == np.float32 and x.to(dtype=np.float32).dtype == np.float32
    assert x.to(autograd.tensor([1])).dtype == np.int64
    with pytest.raises(RuntimeError, match="gradwork computes on the CPU only"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.cuda()
    t = torch.arange(12.0, dtype=torch.float64).reshape(3, 4)
    assert x.stride() == t.stride() and x.t().stride() == t.t().stride() and x.stride(1) == t.stride(1)
    assert x[1:, 2:].storage_offset() == t[1:, 2:].storage_offset()
    assert x.is_contiguous() and not x.t().is_contiguous() and x.t().contiguous().is_contiguous()
    assert x.element_size() == 8 and x.nbytes == 96 and x.itemsize == 8 and x.nelement() == 12 and x.ndimension() == 2
    assert x.is_floating_point() and x.is_signed() and not autograd.tensor([True]).is_signed()
    assert x.half().dtype == np.float16 and x.short().dtype == np.int16 and x.byte().dtype == np.uint8
    assert autograd.float32 is np.float32 and autograd.long is np.int64 and autograd.float is np.float32
    y = Tensor(np.ones((1, 3, 1)))
    assert y.squeeze_() is y and y.shape == (3,) and y.unsqueeze_(0).shape == (1, 3)
    with pytest.raises(RuntimeError, match="squeeze_: a leaf Variable that requires grad"):
        Tensor(np.ones((1, 2)), requires_grad=True).squeeze_()
    h = Tensor(np.ones(3), requires_grad=True) * 2
    h.retain_grad()
    assert h.retains_grad and h.detach_() is h and h.is_leaf and not h.requires_grad


def test_device_arguments_and_torch_cuda_questions() -> None:
    dev = autograd.device("cuda" if autograd.cuda.is_available() else "cpu")
    assert str(dev) == "cpu" and repr(dev) == "device(type='cpu')" and dev == "cpu" and dev == torch.device("cpu")
    assert autograd.device("cuda:1").index == 1 and autograd.cuda.device_count() == 0
    x = autograd.zeros(2, 3, device=dev)
    assert x.device == dev and x.to(dev) is x
    for make in (lambda d: autograd.ones(2, device=d), lambda d: autograd.tensor([1.0], device=d),
                 lambda d: autograd.linspace(0, 1, 3, device=d), lambda d: autograd.randn((), device=d),
                 lambda d: autograd.full((), 1.0, device=d), lambda d: autograd.arange(3, device=d),
                 lambda d: autograd.zeros_like(x, device=d), lambda d: x.new_zeros(2, device=d)):
        assert make("cpu").device == "cpu"
        with pytest.raises(RuntimeError, match="CPU only"):
            make("cuda:0")


def test_small_torch_functions_match_torch() -> None:
    a = np.array([1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 1.0, -0.5])
    x, t = Tensor(a), torch.tensor(a)
    for ours, ref in zip(autograd.histogram(x, 4), torch.histogram(t, 4)):
        np.testing.assert_allclose(ours.data, ref.numpy())
    for ours, ref in zip(autograd.unique_consecutive(x, return_inverse=True, return_counts=True),
                         torch.unique_consecutive(t, return_inverse=True, return_counts=True)):
        np.testing.assert_array_equal(ours.data, ref.numpy())
    for ours, ref in zip(autograd.frexp(x), torch.frexp(t)):
        np.testing.assert_array_equal(ours.data, ref.numpy())
    i, j = autograd.tensor([12, 18, -4]), torch.tensor([12, 18, -4])
    np.testing.assert_array_equal(autograd.gcd(i, 8).data, torch.gcd(j, torch.tensor(8)).numpy())
    np.testing.assert_array_equal(i.lcm(autograd.tensor(8)).data, j.lcm(torch.tensor(8)).numpy())
    np.testing.assert_array_equal(autograd.nextafter(x, 10.0).data, torch.nextafter(t, torch.tensor(10.0)).numpy())
    np.testing.assert_array_equal((x * 1.7).fix().data, (t * 1.7).fix().numpy())
    idx = autograd.where(x > 1.5)
    np.testing.assert_array_equal(idx[0].data, torch.where(t > 1.5)[0].numpy())
    np.testing.assert_array_equal(autograd.where(x > 1.5, x, 0.0).data, torch.where(t > 1.5, t, 0.0).numpy())
    assert autograd.result_type(autograd.tensor([1]), 1.5) is np.float64 and autograd.get_default_dtype() is np.float64
    assert autograd.promote_types(np.int32, np.float32) is np.float64
    assert autograd.finfo(np.float32).eps == torch.finfo(torch.float32).eps and x.shape == autograd.Size([8])
    assert x.isreal().data.all() and x.real is x and x.conj() is x
    n = x.narrow_copy(0, 1, 3)
    n.data[0] = 100.0
    assert x.data[1] == 1.0


def test_backward_takes_torchs_gradient_keyword() -> None:
    a = np.array([1.0, -2.0, 3.0])
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (x * x).backward(gradient=Tensor([0.1, 1.0, 10.0]))
    (t * t).backward(gradient=torch.tensor([0.1, 1.0, 10.0], dtype=torch.float64))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy())
    with pytest.raises(TypeError, match="give grad or torch's gradient=, not both"):
        (x * x).backward(Tensor(a), gradient=Tensor(a))


def test_format_and_torchs_context_hints() -> None:
    assert f"{Tensor(1.5):.3f}" == "1.500" and f"{autograd.tensor(7):>3}" == "  7"
    assert f"{Tensor([1.0, 2.0])}" == repr(Tensor([1.0, 2.0]))

    class Cube(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            ctx.mark_non_differentiable()
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    x = Tensor([1.0, 2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 12.0])


# their test lambdas mix in float64 constants (float_power is float64 by definition)
F64_CONSTANTS = {"float_power", "inverse", "logdet", "matrix_power_neg", "quantile_dim"}


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


def test_type_names_match_torch() -> None:
    for a in (np.array([1.0]), np.array([1.0], np.float32), np.array([1]), np.array([True]), np.array([1], np.uint8)):
        assert autograd.tensor(a).type() == torch.tensor(a).type()
    assert autograd.tensor([1]).type(np.float32).dtype == np.float32


def test_shift_operators_and_in_place_bitwise_ops_match_torch() -> None:
    a = np.array([1, 2, 8, -16])
    i, t = autograd.tensor(a), torch.tensor(a)
    for ours, ref in [(i << 2, t << 2), (i >> 1, t >> 1), (1 << autograd.tensor([0, 3]), 1 << torch.tensor([0, 3]))]:
        np.testing.assert_array_equal(ours.data, ref.numpy())
    i2, t2 = autograd.tensor(a), torch.tensor(a)
    i2 |= 3
    t2 |= 3
    i2 <<= 1
    t2 <<= 1
    np.testing.assert_array_equal(i2.data, t2.numpy())
    assert i2._version == 2
    with pytest.raises(TypeError, match="bitwise_left_shift: needs integer or bool tensors"):
        Tensor([1.0]) << 1


def test_set_default_dtype_takes_float64_and_names_the_way_to_float32() -> None:
    autograd.set_default_dtype(autograd.float64)  # what scientific scripts call: already gradwork's default
    autograd.set_default_dtype(np.float64)
    assert autograd.get_default_dtype() is np.float64 and autograd.zeros(2).dtype == np.float64
    for bad in (autograd.float32, "float16", None):
        with pytest.raises(ValueError, match=r"set_default_dtype: .*float64.*\.float\(\)"):
            autograd.set_default_dtype(bad)
