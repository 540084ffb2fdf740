"""PyTorch code runs on gradwork: the same lambda on a torch tensor and on a Tensor gives the same values and
gradients (both backends, float64 and float32), and numpy's spellings keep numpy's meaning."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value

torch = pytest.importorskip("torch")

DTYPES = [np.float64, np.float32]
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-5, atol=2e-6)}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


class Lib:
    """One library's names, so one lambda runs on both: L.m (the module), L.F, L.nn, L.grad."""

    def __init__(self, name: str) -> None:
        self.torch = name == "torch"
        if self.torch:
            self.m, self.F, self.nn, self.grad = torch, torch.nn.functional, torch.nn, torch.autograd.grad
        else:
            self.m, self.F, self.nn, self.grad = autograd, nn.functional, nn, autograd.grad

    def tensor(self, a: np.ndarray, requires_grad: bool = False) -> object:
        if self.torch:
            return torch.tensor(a, requires_grad=requires_grad)
        return Tensor(a, requires_grad=requires_grad, dtype=a.dtype) if a.dtype.kind == "f" else autograd.tensor(a)


OURS, THEIRS = Lib("gradwork"), Lib("torch")


def arr(x: object) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def same(ours: object, theirs: object, dtype: type = np.float64, what: str = "value") -> None:
    """Values (and dtypes' kinds, and shapes) agree; named tuples field by field."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (ours, theirs)
        if hasattr(theirs, "_fields"):
            assert ours._fields == theirs._fields
        for o, t in zip(ours, theirs):
            same(o, t, dtype, what)
        return
    if isinstance(theirs, (int, float, bool)) or isinstance(theirs, torch.Size):
        assert ours == theirs, (what, ours, theirs)
        return
    o, t = arr(ours), arr(theirs)
    assert o.shape == t.shape, (what, o.shape, t.shape)
    assert o.dtype.kind == t.dtype.kind, (what, o.dtype, t.dtype)
    if t.dtype.kind == "f":
        assert o.dtype == t.dtype, (what, o.dtype, t.dtype)
        np.testing.assert_allclose(o, t, err_msg=what, equal_nan=True, **TOL[dtype])
    else:
        np.testing.assert_array_equal(o, t, err_msg=what)


def check(fn, *arrays: np.ndarray, dtype: type = np.float64, grad: bool = True, seed: int = 0) -> object:
    """Run ``fn(L, *inputs)`` on both libraries; compare the outputs and, seeded by one random
    cotangent, the inputs' gradients. Returns our output."""
    arrays = [np.asarray(a, dtype=dtype) if np.asarray(a).dtype.kind == "f" else np.asarray(a) for a in arrays]
    ours_in = [OURS.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    theirs_in = [THEIRS.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    ours, theirs = fn(OURS, *ours_in), fn(THEIRS, *theirs_in)
    same(ours, theirs, dtype)
    o_out = ours.values if hasattr(ours, "values") else ours
    t_out = theirs.values if hasattr(theirs, "values") else theirs
    if grad and isinstance(t_out, torch.Tensor) and t_out.requires_grad:
        g = np.random.default_rng(seed).standard_normal(t_out.shape).astype(dtype)
        o_out.backward(g)
        t_out.backward(torch.tensor(g))
        for i, (o, t) in enumerate(zip(ours_in, theirs_in)):
            if t.grad is None:
                assert o.grad is None or not np.any(arr(o.grad)), f"input {i}: torch has no gradient"
            else:
                assert o.grad is not None, f"input {i}: no gradient"
                same(o.grad, t.grad, dtype, f"gradient of input {i}")
    return ours


def rand(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


X = rand(3, 4, 5)  # distinct entries: no ties in max/min

REDUCTIONS = {
    "sum()": lambda L, x: x.sum(),
    "sum(1)": lambda L, x: x.sum(1),
    "sum(-1, True)": lambda L, x: x.sum(-1, True),
    "sum(dim=(0,2), keepdim=True)": lambda L, x: x.sum(dim=(0, 2), keepdim=True),
    "sum(dim=())": lambda L, x: x.sum(dim=()),
    "mean()": lambda L, x: x.mean(),
    "mean(dim=[0, 1])": lambda L, x: x.mean(dim=[0, 1]),
    "mean(2, keepdim=True)": lambda L, x: x.mean(2, keepdim=True),
    "var()": lambda L, x: x.var(),
    "var(1)": lambda L, x: x.var(1),
    "var(1, keepdim=True)": lambda L, x: x.var(1, keepdim=True),
    "var(dim=(0,2), correction=0)": lambda L, x: x.var(dim=(0, 2), correction=0),
    "var(unbiased=False)": lambda L, x: x.var(unbiased=False),
    "var(0, True)": lambda L, x: x.var(0, True),
    "var(correction=2)": lambda L, x: x.var(2, correction=2),
    "std()": lambda L, x: x.std(),
    "std(0)": lambda L, x: x.std(0),
    "std(dim=2, unbiased=False, keepdim=True)": lambda L, x: x.std(dim=2, unbiased=False, keepdim=True),
    "logsumexp(1)": lambda L, x: x.logsumexp(1),
    "logsumexp(dim=(0, 1), keepdim=True)": lambda L, x: x.logsumexp(dim=(0, 1), keepdim=True),
    "max()": lambda L, x: x.max(),
    "max(1)": lambda L, x: x.max(1),
    "max(dim=-1, keepdim=True)": lambda L, x: x.max(dim=-1, keepdim=True),
    "min()": lambda L, x: x.min(),
    "min(0)": lambda L, x: x.min(0),
    "min(2, True)": lambda L, x: x.min(2, True),
    "max(1).values": lambda L, x: x.max(1).values * 2,
    "min(1)[0]": lambda L, x: x.min(1)[0] * 3,
    "max(1).indices": lambda L, x: x.max(1).indices,
    "L.max(x, 1)": lambda L, x: L.m.max(x, 1),
    "L.min(x, dim=0)": lambda L, x: L.m.min(x, dim=0),
    "argmax()": lambda L, x: x.argmax(),
    "argmax(1)": lambda L, x: x.argmax(1),
    "argmax(dim=2, keepdim=True)": lambda L, x: x.argmax(dim=2, keepdim=True),
    "argmin(0)": lambda L, x: x.argmin(0),
    "L.argmin(x, 1)": lambda L, x: L.m.argmin(x, 1),
    "L.sum(x, 1)": lambda L, x: L.m.sum(x, 1),
    "L.mean(x, dim=0, keepdim=True)": lambda L, x: L.m.mean(x, dim=0, keepdim=True),
    "L.var(x, 1)": lambda L, x: L.m.var(x, 1),
    "L.std(x)": lambda L, x: L.m.std(x),
    "softmax(1)": lambda L, x: x.softmax(1),
    "softmax(dim=-1)": lambda L, x: x.softmax(dim=-1),
    "log_softmax(0)": lambda L, x: x.log_softmax(0),
    "F.softmax(x, dim=1)": lambda L, x: L.F.softmax(x, dim=1),
    "F.log_softmax(x, 2)": lambda L, x: L.F.log_softmax(x, 2),
    "L.softmax(x, 0)": lambda L, x: L.m.softmax(x, 0),
    "L.log_softmax(x, dim=1)": lambda L, x: L.m.log_softmax(x, dim=1),
    "nn.Softmax(dim=1)": lambda L, x: L.nn.Softmax(dim=1)(x),
    "nn.LogSoftmax(dim=0)": lambda L, x: L.nn.LogSoftmax(dim=0)(x),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reductions_and_softmax_match_torch(name, dtype):
    check(REDUCTIONS[name], X, dtype=dtype)


def test_max_min_with_dim_give_named_tuples_of_int64_indices():
    x = Tensor(X)
    out = x.max(1)
    assert type(out).__name__ == "max" and out._fields == ("values", "indices")
    assert isinstance(out, autograd.return_types.max)
    values, indices = out
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(indices.data, X.argmax(1))
    assert type(x.min(0)).__name__ == "min"
    assert isinstance(x.max(), Tensor) and x.max().shape == ()


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_max_min_ties_follow_torch(dtype):
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    check(lambda L, x: x.max(1), a, dtype=dtype)  # indices: the first maximum; gradient: to it only
    check(lambda L, x: x.min(0), a.T.copy(), dtype=dtype)
    check(lambda L, x: x.max(), a, dtype=dtype)  # no dim: the gradient is split over ties
    check(lambda L, x: x.min(), a, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_elementwise_max_min_of_two_tensors(dtype):
    a, b = rand(3, 4, seed=1), rand(4, seed=2)
    check(lambda L, x, y: x.max(y), a, b, dtype=dtype)
    check(lambda L, x, y: x.min(y), a, b, dtype=dtype)
    check(lambda L, x, y: L.m.max(x, y), a, b, dtype=dtype)
    c = np.array([1.0, 2.0, 3.0])
    check(lambda L, x, y: x.max(y), c, c.copy(), dtype=dtype)  # ties: half each, as torch


def test_max_min_on_numpy_spellings_keep_numpy_meaning():
    x = Tensor(X, requires_grad=True)
    out = x.max(axis=1)
    assert isinstance(out, Tensor)  # numpy: the values only
    np.testing.assert_array_equal(out.data, X.max(axis=1))
    np.testing.assert_array_equal(x.min(axis=(0, 2), keepdims=True).data, X.min(axis=(0, 2), keepdims=True))
    np.testing.assert_array_equal(x.argmax(axis=0).data, X.argmax(axis=0))


def test_var_std_numpy_spelling_is_biased_by_default_torch_spelling_unbiased():
    x = Tensor(X, requires_grad=True)
    np.testing.assert_allclose(x.var(axis=1).data, np.var(X, axis=1))
    np.testing.assert_allclose(x.var(axis=1, ddof=1).data, np.var(X, axis=1, ddof=1))
    np.testing.assert_allclose(x.std(axis=0, keepdims=True).data, np.std(X, axis=0, keepdims=True))
    np.testing.assert_allclose(x.var(1).data, np.var(X, axis=1, ddof=1))  # torch: unbiased
    np.testing.assert_allclose(x.var().data, np.var(X, ddof=1))
    np.testing.assert_allclose(x.std(dim=2).data, np.std(X, axis=2, ddof=1))
    np.testing.assert_allclose(x.var(0, ddof=0).data, np.var(X, axis=0))  # ddof named: numpy's


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_numpy_spellings_of_reductions_give_torch_gradients(dtype):
    # the same reduction, two spellings: the numpy one here, the torch one in torch
    x = Tensor(X.astype(dtype), requires_grad=True)
    t = torch.tensor(X.astype(dtype), requires_grad=True)
    (x.sum(axis=(0, 2), keepdims=True) * 2 + x.var(axis=1, keepdims=True)).sum().backward()
    (t.sum(dim=(0, 2), keepdim=True) * 2 + t.var(dim=1, keepdim=True, unbiased=False)).sum().backward()
    same(x.grad, t.grad, dtype)


SHAPES = {
    "squeeze()": (lambda L, x: x.squeeze(), (2, 1, 3, 1)),
    "squeeze(1)": (lambda L, x: x.squeeze(1), (2, 1, 3)),
    "squeeze(0) of length 2": (lambda L, x: x.squeeze(0), (2, 1, 3)),
    "squeeze((1, 3))": (lambda L, x: x.squeeze((1, 3)), (2, 1, 3, 1)),
    "squeeze(dim=-1)": (lambda L, x: x.squeeze(dim=-1), (2, 3, 1)),
    "L.squeeze(x, 1)": (lambda L, x: L.m.squeeze(x, 1), (2, 1, 3)),
    "unsqueeze(0)": (lambda L, x: x.unsqueeze(0), (2, 3)),
    "unsqueeze(-1)": (lambda L, x: x.unsqueeze(-1), (2, 3)),
    "unsqueeze(dim=1)": (lambda L, x: x.unsqueeze(dim=1), (2, 3)),
    "L.unsqueeze(x, 2)": (lambda L, x: L.m.unsqueeze(x, 2), (2, 3)),
    "flatten()": (lambda L, x: x.flatten(), (2, 3, 4)),
    "flatten(1)": (lambda L, x: x.flatten(1), (2, 3, 4)),
    "flatten(0, 1)": (lambda L, x: x.flatten(0, 1), (2, 3, 4)),
    "flatten(start_dim=1, end_dim=-2)": (lambda L, x: x.flatten(start_dim=1, end_dim=-2), (2, 3, 4, 5)),
    "L.flatten(x, 1)": (lambda L, x: L.m.flatten(x, 1), (2, 3, 4)),
    "nn.Flatten()": (lambda L, x: L.nn.Flatten()(x), (2, 3, 4)),
    "nn.Flatten(0, 1)": (lambda L, x: L.nn.Flatten(0, 1)(x), (2, 3, 4)),
    "nn.Flatten(start_dim=2)": (lambda L, x: L.nn.Flatten(start_dim=2)(x), (2, 3, 4, 5)),
    "view(-1)": (lambda L, x: x.view(-1), (2, 3, 4)),
    "view(3, -1)": (lambda L, x: x.view(3, -1), (2, 3, 4)),
    "view((-1, 6))": (lambda L, x: x.view((-1, 6)), (2, 3, 4)),
    "reshape(-1, 2)": (lambda L, x: x.reshape(-1, 2), (2, 3, 4)),
    "L.reshape(x, (4, -1))": (lambda L, x: L.m.reshape(x, (4, -1)), (2, 3, 4)),
    "permute(2, 0, 1)": (lambda L, x: x.permute(2, 0, 1), (2, 3, 4)),
    "permute((1, 2, 0))": (lambda L, x: x.permute((1, 2, 0)), (2, 3, 4)),
    "L.permute(x, (2, 1, 0))": (lambda L, x: L.m.permute(x, (2, 1, 0)), (2, 3, 4)),
    "transpose(0, 1) of a matrix": (lambda L, x: x.transpose(0, 1), (2, 3)),
    "transpose(1, 0)": (lambda L, x: x.transpose(1, 0), (2, 3)),
    "transpose(0, 2)": (lambda L, x: x.transpose(0, 2), (2, 3, 4)),
    "transpose(-1, -2)": (lambda L, x: x.transpose(-1, -2), (2, 3, 4)),
    "transpose(1, 1)": (lambda L, x: x.transpose(1, 1), (2, 3, 4)),
    "L.transpose(x, 0, 1)": (lambda L, x: L.m.transpose(x, 0, 1), (2, 3, 4)),
    "swapdims(0, 2)": (lambda L, x: x.swapdims(0, 2), (2, 3, 4)),
    "t() of a matrix": (lambda L, x: x.t(), (2, 3)),
    "t() of a vector": (lambda L, x: x.t(), (3,)),
    "L.t(x)": (lambda L, x: L.m.t(x), (2, 3)),
    "mT": (lambda L, x: x.mT, (2, 3, 4)),
    "expand(2, -1, -1)": (lambda L, x: x.expand(2, -1, -1), (1, 3, 4)),
    "expand(5, 2, 3, 4)": (lambda L, x: x.expand(5, 2, -1, 4), (2, 3, 1)),
    "expand((3, 4))": (lambda L, x: x.expand((3, 4)), (4,)),
    "expand_as": (lambda L, x: x.expand_as(L.m.zeros(2, 3, 4)), (3, 1)),
    "cat(dim=0)": (lambda L, x: L.m.cat([x, x * 2], dim=0), (2, 3)),
    "cat(1)": (lambda L, x: L.m.cat((x, x * 2, x.exp()), 1), (2, 3)),
    "cat(dim=-1)": (lambda L, x: L.m.cat([x, x], dim=-1), (2, 3, 4)),
    "stack()": (lambda L, x: L.m.stack([x, x * 2]), (2, 3)),
    "stack(dim=1)": (lambda L, x: L.m.stack([x, x * 2], dim=1), (2, 3)),
    "stack(-1)": (lambda L, x: L.m.stack((x, x.exp()), -1), (2, 3)),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("name", list(SHAPES))
def test_shape_ops_match_torch(name, dtype):
    fn, shape = SHAPES[name]
    check(fn, rand(*shape, seed=3), dtype=dtype)


def test_transpose_keeps_numpy_permutations_for_a_tuple_or_three_axes():
    x = Tensor(rand(2, 3, 4))
    assert x.transpose((2, 0, 1)).shape == (4, 2, 3)
    assert x.transpose(1, 2, 0).shape == (3, 4, 2)
    assert x.transpose().shape == (4, 3, 2)
    assert Tensor(rand(2, 3)).transpose(0, 1).shape == (3, 2)  # torch: two axes always swap


def test_squeeze_with_numpy_axis_still_refuses_an_axis_of_another_length():
    x = Tensor(rand(2, 1, 3))
    assert x.squeeze(axis=1).shape == (2, 3)
    with pytest.raises(ValueError, match=r"squeeze: axis 0 has length 2, not 1"):
        x.squeeze(axis=0)


def test_cat_and_stack_keep_numpy_axis_keyword():
    a, b = Tensor(rand(2, 3)), Tensor(rand(2, 3, seed=1))
    np.testing.assert_array_equal(autograd.concatenate([a, b], axis=1).data, np.concatenate([a.data, b.data], 1))
    np.testing.assert_array_equal(autograd.stack([a, b], axis=2).data, np.stack([a.data, b.data], 2))
    assert autograd.cat is autograd.concatenate


ZERO_D = {
    "sum(-1)": lambda L, x: x.sum(-1),
    "sum(0)": lambda L, x: x.sum(0),
    "sum(dim=0, keepdim=True)": lambda L, x: x.sum(dim=0, keepdim=True),
    "mean()": lambda L, x: x.mean(),
    "squeeze(0)": lambda L, x: x.squeeze(0),
    "squeeze()": lambda L, x: x.squeeze(),
    "unsqueeze(0)": lambda L, x: x.unsqueeze(0),
    "unsqueeze(-1)": lambda L, x: x.unsqueeze(-1),
    "softmax(0)": lambda L, x: x.softmax(0),
    "softmax(-1)": lambda L, x: x.softmax(-1),
    "log_softmax(0)": lambda L, x: x.log_softmax(0),
    "F.softmax": lambda L, x: L.F.softmax(x, dim=0),
    "permute(())": lambda L, x: x.permute(()),
    "flatten()": lambda L, x: x.flatten(),
    "t()": lambda L, x: x.t(),
    "reshape(1)": lambda L, x: x.reshape(1),
    "view(-1)": lambda L, x: x.view(-1),
    "expand(3)": lambda L, x: x.expand(3),
    "expand(2, 3)": lambda L, x: x.expand(2, 3),
    "max(0)": lambda L, x: x.max(0),
    "min(-1, keepdim=True)": lambda L, x: x.min(-1, keepdim=True),
    "max()": lambda L, x: x.max(),
    "argmax()": lambda L, x: x.argmax(),
    "argmax(0)": lambda L, x: x.argmax(0),
    "logsumexp(0)": lambda L, x: x.logsumexp(0),
    "transpose(0, -1)": lambda L, x: x.transpose(0, -1),
    "x[None]": lambda L, x: x[None],
    "x[...]": lambda L, x: x[...] * 2,
    "stack": lambda L, x: L.m.stack([x, x * 2]),
    "var(correction=0)": lambda L, x: x.var(correction=0),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("name", list(ZERO_D))
def test_zero_dimensional_tensors_work_everywhere(name, dtype):
    check(ZERO_D[name], np.array(0.7), dtype=dtype)


INDEXING = {
    "x[0, :, [0, 1]]": lambda L, x: x[0, :, [0, 1]],  # torch: the integer selects first (numpy: (2, 3, 5))
    "x[:, 0, :, [0, 1]]": lambda L, x: x[:, 0, :, [0, 1]],
    "x[[0, 1], :, 0]": lambda L, x: x[[0, 1], :, 0],
    "x[0, [0, 1]]": lambda L, x: x[0, [0, 1]],
    "x[:, [0, 1], 0]": lambda L, x: x[:, [0, 1], 0],
    "x[None, 0, :, [1]]": lambda L, x: x[None, 0, :, [1]],
    "x[..., [0, 1], 0]": lambda L, x: x[..., [0, 1], 0],
    "x[1, ..., [2, 0, 2]]": lambda L, x: x[1, ..., [2, 0, 2]],
    "x[0, 1:, [0, 1], [1, 2]]": lambda L, x: x[0, 1:, [0, 1], [1, 2]],
    "x[[0, 1], 1, [1, 2]]": lambda L, x: x[[0, 1], 1, [1, 2]],
    "x[0, :, [[0], [1]], [1, 2]]": lambda L, x: x[0, :, [[0], [1]], [1, 2]],
    "x[int64 tensor]": lambda L, x: x[L.m.tensor([1, 0, 1])],
    "x[:, int64 tensor]": lambda L, x: x[:, L.m.tensor([2, 2, 0])],
    "x[0-d int64 tensor, :, [0, 1]]": lambda L, x: x[L.m.tensor(1), :, [0, 1]],
    "x[0, int64 tensor]": lambda L, x: x[0, L.m.tensor([[0, 1], [2, 2]])],
    "x[bool tensor mask]": lambda L, x: x[x > 0],
    "x[bool tensor of the first axis]": lambda L, x: x[L.m.tensor([True, False])],
    "x[1, bool mask]": lambda L, x: x[1, x[0, :, :, 0] > 0],
    "x[:, bool vector, 0]": lambda L, x: x[:, L.m.tensor([True, False, True]), 0],
    "x[0, bool vector, 1]": lambda L, x: x[0, L.m.tensor([True, False, True]), 1],
    "x[-1]": lambda L, x: x[-1],
    "x[1, 2]": lambda L, x: x[1, 2],
    "x[:, 1:3, ::2]": lambda L, x: x[:, 1:3, ::2],
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("name", list(INDEXING))
def test_indexing_matches_torch(name, dtype):
    check(INDEXING[name], rand(2, 3, 4, 5, seed=4), dtype=dtype)


def test_float_index_tensor_raises_index_error_like_torch():
    x, t = Tensor(rand(3, 2)), torch.tensor(rand(3, 2))
    with pytest.raises(IndexError):
        t[torch.tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match=r"getitem: tensors used as indices must be integer .* float64; .*long"):
        x[Tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match="getitem"):
        x[0, Tensor([1.0])]
    assert x[Tensor([0.0, 1.0]).long()].shape == (2, 2)


POW_BASE = np.array([0.0, 0.0, 0.0, -2.0, 2.0, 0.5, -1.5, 0.0, 3.0])
POW_EXP = np.array([0.0, 2.0, -1.0, 2.0, 0.5, 0.0, 3.0, 0.5, -2.0])


@pytest.mark.filterwarnings("ignore:divide by zero encountered in power")  # 0 ** -1 = inf, as numpy says
@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_pow_derivatives_follow_torch_at_zero_and_negative_bases(dtype):
    out = check(lambda L, a, b: a**b, POW_BASE, POW_EXP, dtype=dtype)
    assert out.data.dtype == dtype
    check(lambda L, a: a**0, POW_BASE, dtype=dtype)
    check(lambda L, a: a**2, POW_BASE, dtype=dtype)
    check(lambda L, b: 0.0**b, POW_EXP, dtype=dtype)
    check(lambda L, b: 2.0**b, POW_EXP, dtype=dtype)
    check(lambda L, a, b: a.pow(b), POW_BASE, POW_EXP, dtype=dtype)
    check(lambda L, a, b: L.m.pow(a, b), POW_BASE, POW_EXP, dtype=dtype)


def test_pow_second_derivative_away_from_the_special_points():
    a = Tensor(np.array([0.7, 1.3, 2.0]), requires_grad=True)
    b = Tensor(np.array([1.5, -0.5, 2.5]), requires_grad=True)
    assert autograd.gradcheck(lambda a, b: a**b, [a, b])
    ta, tb = torch.tensor(a.data, requires_grad=True), torch.tensor(b.data, requires_grad=True)
    (ga,) = autograd.grad((a**b).sum(), [b], create_graph=True)
    (tga,) = torch.autograd.grad((ta**tb).sum(), [tb], create_graph=True)
    (ga * ga).sum().backward()
    (tga * tga).sum().backward()
    same(a.grad, ta.grad)
    same(b.grad, tb.grad)


ARITH = {
    "add": lambda L, x, y: x.add(y),
    "add(alpha=2)": lambda L, x, y: x.add(y, alpha=2),
    "add(number, alpha=-0.5)": lambda L, x, y: x.add(3.0, alpha=-0.5) * y,
    "sub(alpha=3)": lambda L, x, y: x.sub(y, alpha=3),
    "mul": lambda L, x, y: x.mul(y),
    "div": lambda L, x, y: x.div(y * y + 1),
    "pow": lambda L, x, y: (x * x + 1).pow(y),
    "neg": lambda L, x, y: x.neg() * y,
    "abs": lambda L, x, y: x.abs() * y,
    "L.add": lambda L, x, y: L.m.add(x, y, alpha=0.5),
    "L.sub": lambda L, x, y: L.m.sub(x, y),
    "L.mul": lambda L, x, y: L.m.mul(x, 2.5) + L.m.mul(x, y),
    "L.div": lambda L, x, y: L.m.div(x, 4.0) + L.m.div(1.0, y * y + 1),
    "L.neg": lambda L, x, y: L.m.neg(x) + y,
    "L.abs": lambda L, x, y: L.m.abs(x) + y,
    "clamp(min=)": lambda L, x, y: x.clamp(min=-0.3) * y,
    "clamp(max=)": lambda L, x, y: x.clamp(max=0.4) * y,
    "clamp(lo, hi)": lambda L, x, y: x.clamp(-0.5, 0.5) * y,
    "clamp(min > max)": lambda L, x, y: x.clamp(min=1.0, max=-1.0) * y,
    "L.clamp": lambda L, x, y: L.m.clamp(x, min=-0.2, max=0.9) + y,
    "clamp(tensor bounds)": lambda L, x, y: x.clamp(min=y - 0.5, max=y + 0.5),
    "clamp(tensor min)": lambda L, x, y: x.clamp(min=y),
    "clamp(tensor max)": lambda L, x, y: x.clamp(max=y),
    "clamp(tensor bounds crossing)": lambda L, x, y: x.clamp(min=y, max=-y),
    "clip(min=, max=)": lambda L, x, y: x.clip(min=-0.3, max=0.6) * y,
    "clamp_min": lambda L, x, y: x.clamp_min(0.1) * y,
    "clamp_max": lambda L, x, y: x.clamp_max(-0.1) * y,
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("name", list(ARITH))
def test_arithmetic_methods_and_functions_match_torch(name, dtype):
    check(ARITH[name], rand(3, 4, seed=5), rand(4, seed=6), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_clamp_with_tensor_bounds_on_broadcast_shapes(dtype):
    check(lambda L, x, lo, hi: x.clamp(min=lo, max=hi), rand(3, 4, seed=1), rand(4, seed=2) - 0.3,
          rand(3, 1, seed=3) + 0.3, dtype=dtype)


def test_clamp_gradients_pass_gradcheck():
    x = Tensor(np.array([-1.3, -0.2, 0.45, 0.9, 2.0]), requires_grad=True)
    lo = Tensor(np.array([-1.0, 0.1, 0.0, 1.2, 0.5]), requires_grad=True)
    hi = Tensor(np.array([1.0, 0.5, 0.4, 0.3, 1.5]), requires_grad=True)
    assert autograd.gradcheck(lambda x, lo, hi: x.clamp(min=lo, max=hi), [x, lo, hi])
    assert autograd.gradcheck(lambda x: x.clamp(min=-0.5, max=0.5), [x])


def test_size_numel_dim():
    x, t = Tensor(rand(2, 3, 4)), torch.tensor(rand(2, 3, 4))
    assert x.size() == tuple(t.size()) == (2, 3, 4)
    assert x.size(1) == t.size(1) == 3 and x.size(-1) == t.size(-1) == 4
    assert x.size(dim=0) == 2
    assert x.numel() == t.numel() == 24 and x.dim() == t.dim() == 3
    assert autograd.numel(x) == 24
    # numpy's x.size, the element count, still works as an int
    assert x.size == 24 and isinstance(x.size, int) and x.size + 1 == 25 and np.zeros(x.size).shape == (24,)
    assert Tensor(2.0).size() == () and Tensor(2.0).size == 1
    with pytest.raises(IndexError, match=r"size: dim 3 is out of range for a tensor of shape \(2, 3, 4\)"):
        x.size(3)
    with pytest.raises(TypeError, match="size: dim must be an int"):
        x.size(1.0)


def test_size_pickles_as_a_plain_int():
    import pickle

    n = pickle.loads(pickle.dumps(Tensor(rand(2, 3)).size))
    assert n == 6 and type(n) is int


# ---------------------------------------------------------------- integer and boolean tensors


def test_tensor_infers_int64_and_bool_like_torch():
    for data in ([1, 2, 3], [[1], [2]], 5, [True, False], True, np.array([1, 2], dtype=np.int32)):
        ours, theirs = autograd.tensor(data), torch.tensor(data)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), data
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert autograd.tensor([1.5]).dtype == np.float64  # gradwork's float default (torch: float32)
    assert autograd.tensor(np.array([1.5], dtype=np.float32)).dtype == np.float32
    assert Tensor([1, 2]).dtype == np.float64  # Tensor(...) is always float, like torch.Tensor(...)
    assert autograd.tensor([1, 2], dtype=np.float32).dtype == np.float32


def test_integer_tensors_never_require_grad():
    with pytest.raises(TypeError, match=r"only floating tensors can require grad, this one is int64; .*\.float\(\)"):
        autograd.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="only floating tensors"):
        autograd.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2], requires_grad=True)


def test_comparisons_argmax_and_one_hot_give_bool_and_int64():
    x = Tensor(rand(3, 4))
    assert (x > 0).dtype == np.bool_ and (x == x).dtype == np.bool_
    assert x.argmax().dtype == np.int64 and x.argmax(1).dtype == np.int64
    ours = nn.functional.one_hot(autograd.tensor([0, 2, 1]), 4)
    theirs = torch.nn.functional.one_hot(torch.tensor([0, 2, 1]), 4)
    assert isinstance(ours, Tensor) and ours.dtype == np.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    inferred = nn.functional.one_hot(autograd.tensor([0, 3]))
    np.testing.assert_array_equal(inferred.data, torch.nn.functional.one_hot(torch.tensor([0, 3])).numpy())


PROMOTION = {
    "int + float32": (lambda L, i, f: i + f.float(), np.float32),
    "float32 * int": (lambda L, i, f: f.float() * i, np.float32),
    "int - float64": (lambda L, i, f: i - f, np.float64),
    "float64 / int": (lambda L, i, f: f / (i + 1), np.float64),
    "int * 2": (lambda L, i, f: i * 2, np.int64),
    "int // int via div": (lambda L, i, f: i / (i + 1), None),
    "int + bool": (lambda L, i, f: i + (f > 0), np.int64),
    "bool * float": (lambda L, i, f: (f > 0) * f, np.float64),
    "int > 1.5": (lambda L, i, f: i > 1.5, np.bool_),
    "int == int": (lambda L, i, f: i == L.m.tensor([1, 2, 0]), np.bool_),
    "int.sum()": (lambda L, i, f: i.sum(), np.int64),
    "mask.sum()": (lambda L, i, f: (f > 0).sum(), np.int64),
    "mask & mask": (lambda L, i, f: (f > 0) & (i > 1), np.bool_),
    "mask | mask": (lambda L, i, f: (f > 0) | (f < -1), np.bool_),
    "mask ^ mask": (lambda L, i, f: (f > 0) ^ (i > 1), np.bool_),
    "~mask": (lambda L, i, f: ~(f > 0), np.bool_),
    "mask & True": (lambda L, i, f: (f > 0) & True, np.bool_),
    "int & int": (lambda L, i, f: i & 2, np.int64),
    "x[mask & mask]": (lambda L, i, f: f[(f > 0) & (i < 3)], np.float64),
}


@pytest.mark.parametrize("name", list(PROMOTION))
def test_mixing_integer_and_float_tensors_promotes_as_torch(name):
    fn, dtype = PROMOTION[name]
    i = np.array([1, 2, 3])
    f = np.array([0.5, -1.5, 2.0])
    ours = fn(OURS, autograd.tensor(i), Tensor(f))
    theirs = fn(THEIRS, torch.tensor(i), torch.tensor(f))
    np.testing.assert_allclose(arr(ours), arr(theirs), rtol=1e-6)
    if dtype is not None:
        assert ours.dtype == dtype and str(theirs.dtype).replace("torch.", "") == np.dtype(dtype).name


def test_int_plus_float_number_is_float_not_truncated():
    i = autograd.tensor([1, 2])
    out = i + 1.5  # gradwork's float default; torch's is float32
    np.testing.assert_array_equal(out.data, [2.5, 3.5])
    assert out.dtype == np.float64
    assert (1.5 * i).dtype == np.float64 and (i * 2).dtype == np.int64


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_gradient_flows_through_the_float_side_of_mixed_arithmetic(dtype):
    i = np.array([[1, 2, 3], [0, -1, 4]])
    check(lambda L, i, x: (i * x + i) / (i * i + 1) - x * (x > 0), i, rand(2, 3), dtype=dtype)


def test_integer_and_boolean_tensors_index_and_mask():
    x = Tensor(rand(4, 3), requires_grad=True)
    t = torch.tensor(x.data, requires_grad=True)
    idx, tidx = autograd.tensor([3, 0, 3]), torch.tensor([3, 0, 3])
    mask, tmask = x[:, 0] > 0, t[:, 0] > 0
    (x[idx].sum() + x[mask].sum() * 2 + x[x.argmax(0), [0, 1, 2]].sum()).backward()
    (t[tidx].sum() + t[tmask].sum() * 2 + t[t.argmax(0), [0, 1, 2]].sum()).backward()
    same(x.grad, t.grad)
    assert int(autograd.tensor(3)) == 3 and [10, 20, 30][autograd.tensor(1)] == 20


def test_int_long_bool_conversions():
    x = Tensor([1.7, -0.2, 0.0])
    assert x.long().dtype == np.int64 and x.long().tolist() == [1, 0, 0]
    assert x.int().dtype == np.int32
    assert x.bool().tolist() == [True, True, False]
    assert not x.long().requires_grad


# ---------------------------------------------------------------- autograd.grad and inference_mode


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
def test_grad_of_tensors_matches_torch_autograd_grad(dtype):
    for L in (OURS, THEIRS):
        x = L.tensor(rand(3).astype(dtype), requires_grad=True)
        y = L.tensor(rand(3, seed=1).astype(dtype), requires_grad=True)
        out = (x * x * y).sum()
        gx, gy = L.grad(out, (x, y), create_graph=True)
        assert isinstance(gx, L.m.Tensor if L.torch else Tensor)
        (ggx,) = L.grad(gx.sum(), [x])
        assert x.grad is None and y.grad is None  # grad leaves .grad alone
        (gv,) = L.grad(x * 2, x, grad_outputs=L.tensor(np.ones(3, dtype=dtype)))
        if L.torch:
            theirs = (gx, gy, ggx, gv)
        else:
            ours = (gx, gy, ggx, gv)
    same(ours, theirs, dtype)


def test_grad_unused_inputs_and_retain_graph_follow_torch():
    for L in (OURS, THEIRS):
        x = L.tensor(rand(3), requires_grad=True)
        z = L.tensor(rand(3), requires_grad=True)
        out = (x * 2).sum()
        with pytest.raises(RuntimeError):
            L.grad(out, [x, z], retain_graph=True)
        gx, gz = L.grad(out, [x, z], allow_unused=True, retain_graph=True)
        assert gz is None
        gx, gz = L.grad(out, [x, z], allow_unused=True, materialize_grads=True)
        np.testing.assert_array_equal(arr(gz), np.zeros(3))
        with pytest.raises(RuntimeError):  # the graph was freed by the last call
            L.grad(out, [x])
    y = Tensor(rand(2), requires_grad=True)
    (g,) = autograd.grad(outputs=[(y * y).sum()], inputs=[y])
    np.testing.assert_allclose(g.data, 2 * y.data)


def test_grad_of_a_function_stays_the_functional_form():
    df = autograd.grad(lambda x: (x * x).sum())
    np.testing.assert_allclose(df(Tensor([1.0, 2.0])).data, [2.0, 4.0])
    with pytest.raises(TypeError, match="only argnums= applies"):
        autograd.grad(lambda x: x, create_graph=True)
    with pytest.raises(TypeError, match="grad: expected a function, got str"):
        autograd.grad("f", [Tensor(1.0)])


def test_inference_mode_is_a_context_manager_and_a_decorator():
    for L in (OURS, THEIRS):
        x = L.tensor(rand(3), requires_grad=True)
        with L.m.inference_mode():
            assert not (x * 2).requires_grad
        assert (x * 2).requires_grad
        with L.m.inference_mode(False):
            assert (x * 2).requires_grad

        @L.m.inference_mode()
        def f(v):
            return v * 3

        assert not f(x).requires_grad


# ---------------------------------------------------------------- nn modules with torch's arguments


def test_softmax_and_flatten_modules_take_torch_and_numpy_names():
    assert nn.Softmax(dim=1).dim == 1 and nn.Softmax(axis=0).dim == 0 and nn.Softmax().dim == -1
    assert nn.Softmax(1).axis == 1  # the old attribute name still reads
    assert "dim=1" in repr(nn.Softmax(dim=1))
    f = nn.Flatten(start_axis=0, end_axis=1)
    assert (f.start_dim, f.end_dim) == (0, 1) and (f.start_axis, f.end_axis) == (0, 1)
    assert "start_dim=0, end_dim=1" in repr(f)
    with pytest.raises(TypeError, match="not both"):
        nn.Softmax(dim=1, axis=1)
    # scalar mode takes the same arguments
    z = np.array([[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.0)]], dtype=object)
    out = nn.Softmax(dim=0)(z)
    np.testing.assert_allclose([[v.data for v in row] for row in out], torch.softmax(torch.tensor(
        [[0.5, -1.0], [2.0, 0.0]]), dim=0).numpy())
    np.testing.assert_allclose(nn.functional.softmax(np.ones((2, 3)), dim=1).data, np.full((2, 3), 1 / 3))


def test_scalar_mode_op_labels_match_micrograd():
    micrograd = pytest.importorskip("micrograd.engine")
    M = micrograd.Value
    for fn in (lambda v: v.relu(), lambda v: v**2, lambda v: v**-1, lambda v: v**0.5, lambda v: v**2.0,
               lambda v: v + v, lambda v: v * v):
        assert fn(Value(1.5))._op == fn(M(1.5))._op
    assert Value(2.0).relu()._op == "ReLU"


# ---------------------------------------------------------------- bad input


BAD = [
    (lambda x: x.sum(0, axis=1), TypeError, "sum: give dim .* or axis .*, not both"),
    (lambda x: x.sum(0, True, keepdims=True), TypeError, "keepdim .* or keepdims .*, not both"),
    (lambda x: x.sum(dim=0, keepdim="yes"), TypeError, "keepdim must be True or False"),
    (lambda x: x.mean(dim=3), ValueError, r"mean: axis 3 is out of range for a tensor of shape \(2, 3\)"),
    (lambda x: x.max(dim=(0, 1)), TypeError, "max: dim must be a single int"),
    (lambda x: x.max(x, keepdim=True), TypeError, "elementwise max"),
    (lambda x: x.min(0, axis=1), TypeError, "not both"),
    (lambda x: x.var(0, ddof=1, unbiased=True), TypeError, "ddof .* or correction/unbiased"),
    (lambda x: x.var(correction=1, unbiased=False), TypeError, "correction or unbiased, not both"),
    (lambda x: x.var(0, unbiased="no"), TypeError, "unbiased must be True or False"),
    (lambda x: x.var(1, correction=3), ValueError, r"3 values .* correction \(ddof\) 3"),
    (lambda x: x.std(0, correction=2), ValueError, r"std: 2 values .* correction \(ddof\) 2"),
    (lambda x: x.std(True, unbiased=True), TypeError, "std: unbiased given twice"),
    (lambda x: x.softmax(dim=0, axis=1), TypeError, "softmax: give dim"),
    (lambda x: x.softmax((0, 1)), TypeError, "single int"),
    (lambda x: x.argmax(dim=(0, 1)), TypeError, "argmax: dim must be a single int"),
    (lambda x: x.squeeze(5), ValueError, "squeeze: axis 5 is out of range"),
    (lambda x: x.squeeze(0, axis=0), TypeError, "squeeze: give dim"),
    (lambda x: x.unsqueeze(3), ValueError, "unsqueeze: dim 3 is out of range for a result with 3 axes"),
    (lambda x: x.flatten(1, 0), ValueError, "flatten: start_dim 1 comes after end_dim 0"),
    (lambda x: x.transpose(0, 2), ValueError, r"transpose: axis 2 is out of range for a tensor of shape \(2, 3\)"),
    (lambda x: x.permute(1), ValueError, "permute: axes .* are not a permutation"),
    (lambda x: x.reshape(3, 2).t(), None, None),
    (lambda x: x.reshape(2, 3, 1).t(), ValueError, "t: expects a tensor with at most 2 axes"),
    (lambda x: x.expand(2), ValueError, r"expand: 1 sizes \(2,\) are fewer than the 2 axes"),
    (lambda x: x.expand(4, 3), ValueError, "expand: axis 0 .* has length 2 and cannot become 4"),
    (lambda x: x.expand(-1, 2, 3), ValueError, "expand: a new leading axis cannot be -1"),
    (lambda x: x.view(4, -1), ValueError, r"Reshape: .*\(2, 3\)"),
    (lambda x: x.clamp(), ValueError, "clamp: give min, max or both"),
    (lambda x: x.clamp(min="a"), TypeError, "clamp: min must be a number"),
    (lambda x: x.add(x, alpha="2"), TypeError, "add: alpha must be a number"),
    (lambda x: x.size("0"), TypeError, "size: dim must be an int"),
    (lambda x: autograd.cat([x, x], dim=2), ValueError, r"concatenate: axis 2 is out of range for 2 axes"),
    (lambda x: autograd.cat([x, x], 0, axis=1), TypeError, "concatenate: give dim"),
    (lambda x: autograd.cat([x.sum(), x.sum()]), ValueError, "0-d tensors cannot be joined"),
    (lambda x: autograd.stack([x, x], dim=3), ValueError, r"stack: axis 3 is out of range for 3 axes"),
    (lambda x: autograd.stack([x, x.t()]), ValueError, r"stack: .* same shape, got \(2, 3\) and \(3, 2\)"),
    (lambda x: x[Tensor([0.5])], IndexError, "tensors used as indices must be integer"),
    (lambda x: x[0, 5], IndexError, r"getitem: .*\(2, 3\)"),
    (lambda x: [1, 2][x.sum()], TypeError, "only one-element integer tensors can be used as an index"),
    (lambda x: autograd.inference_mode(1), TypeError, "inference_mode: mode must be True or False"),
    (lambda x: nn.functional.one_hot([0, -1]), ValueError, "one_hot: labels must be non-negative"),
    (lambda x: x & (x > 0), TypeError, "and: needs boolean or integer tensors, got float64"),
    (lambda x: ~x, TypeError, "invert: needs a boolean or integer tensor"),
    (lambda x: (x > 0) | Tensor(np.ones(4)).bool(), ValueError, r"or: shapes \(2, 3\) and \(4,\) do not broadcast"),
    (lambda x: nn.functional.one_hot([0, 1], 0), ValueError, "num_classes must be a positive int"),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_input_raises_a_clear_error(i):
    fn, exc, match = BAD[i]
    x = Tensor(rand(2, 3), requires_grad=True)
    if exc is None:
        fn(x)  # a control: the same call with good input works
        return
    with pytest.raises(exc, match=match):
        fn(x)


@pytest.mark.parametrize("name, fn", [
    ("max(1)", lambda L, x: x.max(1).values),
    ("min(0, keepdim)", lambda L, x: x.min(0, keepdim=True).values),
    ("clamp", lambda L, x: x.clamp(-0.5, 0.5)),
    ("clamp(tensor)", lambda L, x: x.clamp(min=x[0] * 0.3)),
    ("x[0, :, [0, 1]]", lambda L, x: x.reshape(2, 2, 3)[0, :, [0, 1]]),
    ("var(1)", lambda L, x: x.var(1)),
    ("pow", lambda L, x: (x * x + 0.5) ** x),
])
def test_second_derivatives_match_torch(name, fn):
    data = rand(4, 3, seed=8)
    results = []
    for L in (OURS, THEIRS):
        x = L.tensor(data, requires_grad=True)
        out = fn(L, x)
        (g,) = L.grad((out * out * out).sum(), [x], create_graph=True)
        (gg,) = L.grad((g * g).sum(), [x])
        results.append((g, gg))
    same(results[0], results[1])


def test_pick_along_and_clamp_pass_gradcheck():
    x = Tensor(rand(3, 4, seed=9), requires_grad=True)
    assert autograd.gradcheck(lambda x: x.max(1).values * x.min(0, keepdim=True).values.sum(), [x])
    assert autograd.gradcheck(lambda x: x.argmax(1) * x[:, 0] + x.max(dim=-1, keepdim=True).values, [x])


def test_inference_mode_as_a_bare_decorator():
    @autograd.inference_mode
    def f(v):
        return v * 3

    assert not f(Tensor([1.0], requires_grad=True)).requires_grad


def test_factories_take_integer_dtypes_and_arange_of_ints_is_int64():
    for L in (OURS, THEIRS):
        x = L.tensor(rand(3, 4), requires_grad=True)
        labels = L.tensor(np.array([2, 0, 3]))
        picked = x[L.m.arange(3), labels]  # the cross-entropy idiom
        picked.sum().backward()
        if L.torch:
            theirs = (picked, x.grad, L.m.arange(5), L.m.arange(0, 1, 0.25).double())
        else:
            ours = (picked, x.grad, L.m.arange(5), L.m.arange(0, 1, 0.25))
    same(ours, theirs)
    assert autograd.zeros(3, dtype=np.int64).dtype == np.int64
    assert autograd.ones(2, dtype=np.bool_).dtype == np.bool_
    assert autograd.full((2,), 7, dtype=np.int32).tolist() == [7, 7]
    i = autograd.tensor([1, 2])
    assert autograd.zeros_like(i).dtype == np.int64 and autograd.ones_like(i > 1).dtype == np.bool_
    assert autograd.full_like(i, 3).tolist() == [3, 3] and autograd.randn_like(i).dtype == np.float64
    with pytest.raises(TypeError, match="only floating tensors can require grad"):
        autograd.zeros(3, dtype=np.int64, requires_grad=True)
    with pytest.raises(TypeError, match="zeros: dtype must be a float, integer or boolean type"):
        autograd.zeros(3, dtype=np.complex128)
