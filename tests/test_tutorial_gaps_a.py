"""The gaps PyTorch's "Learn the Basics" and 60-minute-blitz tutorials showed (tests/scripts/*_tutorial*.py,
blitz_*.py), each checked against torch: torch.accelerator, out=, how tensors print, default_collate's Tensors,
0-d indices into 1-d gather/scatter, grad_fn names and next_functions, BCE-with-logits as one node."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, gradcheck
from nn import functional as F
from nn.data import DataLoader, Dataset, TensorDataset, default_collate

torch = pytest.importorskip("torch")


def _tn(x: np.ndarray, grad: bool = False):
    return torch.tensor(x, requires_grad=grad)


@pytest.fixture
def torch_float64():
    """torch with float64 as its default dtype (gradwork's), for this test only."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


# ------------------------------------------------------------------ torch.accelerator


def test_accelerator_answers_as_torch_on_a_cpu_build():
    assert autograd.accelerator.is_available() is torch.accelerator.is_available() is False
    assert autograd.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert autograd.accelerator.device_count() == torch.accelerator.device_count() == 0
    device = autograd.accelerator.current_accelerator().type if autograd.accelerator.is_available() else "cpu"
    assert autograd.ones(2).to(device).device == "cpu"


# ------------------------------------------------------------------ out=


@pytest.mark.parametrize("name", ["matmul", "mul", "add", "sub", "div", "pow"])
def test_out_writes_into_the_given_tensor_like_torch(name):
    rng = np.random.default_rng(0)
    a, b = rng.random((3, 3)) + 0.5, rng.random((3, 3)) + 0.5
    out = autograd.zeros(3, 3)
    memory = out.data
    got = getattr(autograd, name)(Tensor(a), Tensor(b), out=out)
    ref = torch.zeros(3, 3, dtype=torch.float64)
    getattr(torch, name)(_tn(a), _tn(b), out=ref)
    assert got is out and out.data is memory  # the same memory, as torch's out= when the shape fits
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-14)
    assert out._version == 1


def test_out_resizes_with_torch_s_warning_and_refuses_what_torch_refuses():
    a = Tensor(np.ones((2, 3)))
    out = autograd.zeros(5)
    with pytest.warns(UserWarning, match="resized since it had shape"):
        autograd.matmul(a, a.T, out=out)
    np.testing.assert_array_equal(out.data, np.full((2, 2), 3.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        autograd.mul(a, 2, out=autograd.zeros(0))  # an empty out is resized silently, as torch
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    kept = autograd.zeros(2, 2)
    with pytest.raises(RuntimeError, match="matmul.*out=.*don't support automatic differentiation"):
        autograd.matmul(w, w, out=kept)
    assert kept._version == 0 and not kept.data.any()  # a refused call changes nothing
    with pytest.raises(RuntimeError):
        torch.matmul(torch.ones(2, 2, requires_grad=True), torch.ones(2, 2), out=torch.zeros(2, 2))
    with autograd.no_grad():
        np.testing.assert_array_equal(autograd.matmul(w, w, out=autograd.zeros(2, 2)).data, np.full((2, 2), 2.0))
    kept = autograd.zeros(2, 3, dtype=np.int64)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type int64"):
        autograd.mul(a, 0.5, out=kept)
    assert kept._version == 0 and not kept.data.any()
    with pytest.raises(RuntimeError):
        torch.mul(torch.ones(2, 3), 0.5, out=torch.zeros(2, 3, dtype=torch.int64))
    with pytest.raises(TypeError, match="out= must be a Tensor"):
        autograd.add(a, a, out=np.zeros((2, 3)))


# ------------------------------------------------------------------ printing


def _torch_spelling(text: str) -> str:
    text = re.sub(r"\btensor\(", "Tensor(", text)
    return re.sub(r"torch\.(float\d+|int\d+|uint8|bool)", r"\1", text)


PRINTED = [
    lambda: np.ones((4, 12)),
    lambda: np.arange(24.0).reshape(2, 3, 4) / 7,
    lambda: np.array([1e-5, 1.0]),
    lambda: np.array([np.nan, 1.5, np.inf, -np.inf]),
    lambda: np.zeros(3),
    lambda: np.array([1e10, 1.0]),
    lambda: np.array([123456789.0, 1.5]),
    lambda: np.array(3.5),
    lambda: np.array([-1.5, 2.25]),
    lambda: np.arange(2000.0).reshape(40, 50),
    lambda: np.arange(1200.0).reshape(2, 600) / 3,
    lambda: np.zeros((0, 3)),
    lambda: np.zeros(0),
    lambda: np.array([1.0, 2.0], dtype=np.float32),
    lambda: np.random.default_rng(0).normal(size=(3, 20)),
    lambda: np.array([[0.0722, 0.4473, 0.0, 0.396]] * 3),
]


@pytest.mark.parametrize("k", range(len(PRINTED)))
def test_tensors_print_their_numbers_as_torch_does(k, torch_float64):
    a = PRINTED[k]()
    assert repr(Tensor(a)) == _torch_spelling(repr(torch.from_numpy(a)))


def test_ints_bools_grad_fn_and_suffix_wrapping_print_as_torch_does(torch_float64):
    assert repr(autograd.tensor([1, -20000])) == "Tensor([     1, -20000], dtype=int64)"  # gradwork shows int64
    assert repr(autograd.tensor([[True, False]])) == "Tensor([[ True, False]], dtype=bool)"
    x = np.random.default_rng(1).normal(size=(2, 784))
    ours = repr(Tensor(x, requires_grad=True)[:2])
    assert ours == _torch_spelling(repr(torch.tensor(x, requires_grad=True)[:2]))  # grad_fn on its own line
    assert "grad_fn=<SliceBackward0>" in ours
    assert repr(Tensor([1.0], requires_grad=True) * 2) == "Tensor([2.], grad_fn=<MulBackward0>)"
    assert repr(Tensor([1.0], requires_grad=True)) == repr(torch.tensor([1.0], requires_grad=True)).replace(
        "tensor", "Tensor")


def test_printoptions_sci_mode_and_profiles_follow_torch(torch_float64):
    a = np.array([0.5, 2.0])
    try:
        for kw in ({"sci_mode": True}, {"precision": 2, "sci_mode": False}, {"profile": "short"}):
            autograd.set_printoptions(**kw)
            torch.set_printoptions(**kw)
            assert repr(Tensor(a)) == _torch_spelling(repr(torch.from_numpy(a)))
        with pytest.raises(ValueError, match="sci_mode must be True, False or None"):
            autograd.set_printoptions(sci_mode="yes")
    finally:
        autograd.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert autograd.torch_misc.PRINT == {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
                                         "sci_mode": None}


def test_linear_prints_as_torch_s_in_tensor_mode():
    assert repr(nn.Linear(784, 512)) == repr(torch.nn.Linear(784, 512))
    assert repr(nn.Linear(3, 2, bias=False)) == repr(torch.nn.Linear(3, 2, bias=False))
    assert repr(nn.Linear(3, 2, mode="scalar")).endswith("mode='scalar')")


# ------------------------------------------------------------------ default_collate


class _Samples(Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


COLLATED = [
    [1.0, 2.0], [1, 2], [True, False], [np.float64(1), np.float64(2)], [np.float32(1), np.float32(2)],
    [np.int32(1), np.int32(2)], [np.bool_(True), np.bool_(False)], [np.array(1.0), np.array(2.0)],
    [np.ones(2, dtype=np.float32), np.zeros(2, dtype=np.float32)], [np.arange(3, dtype=np.uint8)] * 2,
    [(np.ones((1, 2)), 3), (np.zeros((1, 2)), 4)], [{"x": np.ones(2), "y": 0.5}, {"x": np.zeros(2), "y": 1.5}],
]


@pytest.mark.parametrize("k", range(len(COLLATED)))
def test_default_collate_makes_torch_s_tensors_and_dtypes(k):
    def check(a, b):
        if isinstance(b, torch.Tensor):
            assert isinstance(a, Tensor), f"{type(a).__name__} where torch gives a Tensor"
            assert str(a.dtype) == str(b.dtype).replace("torch.", "") and a.shape == tuple(b.shape)
            np.testing.assert_array_equal(a.data, b.numpy())
        elif isinstance(b, dict):
            assert a.keys() == b.keys()
            for key in b:
                check(a[key], b[key])
        else:
            assert type(a) is type(b) and len(a) == len(b)
            for u, v in zip(a, b):
                check(u, v)

    batch = COLLATED[k]
    check(default_collate(batch), torch.utils.data.default_collate(batch))


def test_loader_batches_of_numpy_samples_are_tensors_that_move_to_the_device():
    xb, yb = next(iter(DataLoader(_Samples([(np.ones((1, 4, 4)), 3), (np.zeros((1, 4, 4)), 7)]), batch_size=2)))
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor) and yb.dtype == np.int64
    assert xb.to("cpu").shape == (2, 1, 4, 4) and yb.tolist() == [3, 7]
    xb, yb = next(iter(DataLoader(TensorDataset(np.ones((5, 2)), np.arange(5)), batch_size=3)))  # arrays too
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor) and yb.tolist() == [0, 1, 2]
    assert default_collate([np.str_("a"), np.str_("b")]) == ["a", "b"]
    with pytest.raises(TypeError, match="default_collate: arrays of dtype <U1 cannot be batched"):
        default_collate([np.array(["a"]), np.array(["b"])])


# ------------------------------------------------------------------ 0-d indices into 1-d inputs


def test_scalar_index_into_a_vector_gathers_and_scatters_as_torch():
    x0 = np.arange(1.0, 6.0)
    x, tx = Tensor(x0, requires_grad=True), _tn(x0, True)
    i, ti = autograd.tensor(3), torch.tensor(3)
    src, tsrc = Tensor(np.array(7.0), requires_grad=True), _tn(np.array(7.0), True)
    pairs = [
        (x.gather(0, i), tx.gather(0, ti)),
        (x.scatter(0, i, src), tx.scatter(0, ti, tsrc)),
        (x.scatter(0, i, value=1.5), tx.scatter(0, ti, value=1.5)),
        (x.scatter_add(0, i, src), tx.scatter_add(0, ti, tsrc)),
        (x.scatter_reduce(0, i, src, "prod"), tx.scatter_reduce(0, ti, tsrc, "prod")),
        (x.scatter(0, i, value=2.0, reduce="multiply"), tx.scatter(0, ti, value=2.0, reduce="multiply")),
    ]
    for ours, theirs in pairs:
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-14)
    w = np.arange(1.0, 6.0) ** 2
    pairs = pairs[:-1]  # torch has no derivative for scatter(reduce=)
    sum((o * Tensor(w[: o.data.size].reshape(o.shape))).sum() for o, _ in pairs).backward()
    sum((t * torch.tensor(w[: t.numel()]).reshape(t.shape)).sum() for _, t in pairs).backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(src.grad.data, tsrc.grad.numpy(), rtol=1e-14)
    assert gradcheck(lambda a, s: a.scatter_add(0, i, s) * a, (Tensor(x0, requires_grad=True),
                                                                Tensor(np.array(7.0), requires_grad=True)))
    onehot = autograd.zeros(10, dtype=autograd.float).scatter_(0, autograd.tensor(3), value=1)  # the tutorial's
    np.testing.assert_array_equal(onehot.data, torch.zeros(10).scatter_(0, torch.tensor(3), value=1).numpy())


def test_scalar_index_into_a_matrix_is_refused_in_place_too_with_the_op_s_message():
    with pytest.raises(ValueError, match=r"scatter: index has 0 axes \(shape \(\)\) but the input has 2"):
        autograd.zeros(2, 5).scatter_(0, autograd.tensor(3), value=1)
    with pytest.raises(ValueError, match="gather: index has 0 axes"):
        autograd.zeros(2, 5).gather(0, autograd.tensor(1))
    with pytest.raises(RuntimeError):
        torch.zeros(2, 5).scatter_(0, torch.tensor(3), value=1)


# ------------------------------------------------------------------ grad_fn names and next_functions


def test_indexing_nodes_have_torch_s_names():
    names = {"x": Tensor(np.ones((3, 4)), requires_grad=True) * 1,
             "tx": torch.ones(3, 4, dtype=torch.float64, requires_grad=True) * 1}
    for e in ["x[:2]", "x[0]", "x[..., -1]", "x[:, 0]", "x[[0, 1]]", "x[x > 0]", "x[0, 1]", "x[0:1, 1:2]",
              "x[None]", "x[:]", "x[0, 1:3]", "x[1:, None]", "x[..., None]", "x[1:2, 0]", "x[-1]"]:
        assert eval(e, None, names).grad_fn.name() == eval(e.replace("x", "tx"), None, names).grad_fn.name(), e


def _walk(node, depth=0, out=None):
    out = [] if out is None else out
    out.append("  " * depth + ("None" if node is None else node.name()))
    for nxt, _ in (() if node is None else node.next_functions):
        _walk(nxt, depth + 1, out)
    return out


def test_linear_nodes_reach_their_inputs_in_torch_s_order(torch_float64):
    def graphs(lib, fn):
        torch.manual_seed(0)
        x = lib.ones(2, 4, requires_grad=True) * 2
        layers = (fn.Linear(4, 3), fn.Linear(4, 3, bias=False))
        w, b = lib.ones(4, 3, requires_grad=True), lib.zeros(3, requires_grad=True)
        return [_walk(t.grad_fn) for t in (
            layers[0](x), layers[1](x), fn.functional.relu(layers[0](x)), layers[0](lib.ones(2, 5, 4)),
            fn.Sequential(fn.Linear(4, 3), fn.Tanh())(lib.ones(2, 4)),
            x @ w + b, (x @ w + b).relu(), lib.tanh(x @ w + b),  # gradwork fuses these into one node
        )]

    ref = graphs(torch, torch.nn)
    ref = [[ln.replace("torch::autograd::", "") for ln in g] for g in ref]
    got = [[ln.replace("torch::autograd::", "") for ln in g] for g in graphs(autograd, nn)]
    assert got == ref
    leaf = nn.Linear(2, 1)(autograd.ones(1, 2)).grad_fn.next_functions[0][0]
    assert leaf.name() == "torch::autograd::AccumulateGrad" and leaf.variable is not None


# ------------------------------------------------------------------ binary_cross_entropy_with_logits


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_is_one_node_with_torch_s_name_values_and_gradients(reduction):
    rng = np.random.default_rng(0)
    z0, t0 = rng.normal(size=(4, 3)), (rng.random((4, 3)) > 0.5).astype(np.float64)
    z, tz = Tensor(z0, requires_grad=True), _tn(z0, True)
    ours = F.binary_cross_entropy_with_logits(z, Tensor(t0), reduction=reduction)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(tz, _tn(t0), reduction=reduction)
    assert ours.grad_fn.name() == theirs.grad_fn.name() == "BinaryCrossEntropyWithLogitsBackward0"
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-13)
    g0 = rng.normal(size=ours.shape)
    (gz,) = autograd.grad(ours, [z], Tensor(g0), create_graph=True)
    (tgz,) = torch.autograd.grad(theirs, [tz], _tn(g0), create_graph=True)
    np.testing.assert_allclose(gz.data, tgz.detach().numpy(), rtol=1e-13)
    (gz * gz).sum().backward()
    (tgz * tgz).sum().backward()
    np.testing.assert_allclose(z.grad.data, tz.grad.numpy(), rtol=1e-12)  # second derivatives too
    assert gradcheck(lambda a: F.binary_cross_entropy_with_logits(a, Tensor(t0), reduction=reduction),
                     (Tensor(z0, requires_grad=True),))
