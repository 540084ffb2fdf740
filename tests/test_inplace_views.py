"""In-place ops through views of graph tensors (view/reshape, t/transpose/permute, slices, diagonal), recorded on
the base as torch does: values, gradients and version errors against PyTorch. Both backends (conftest)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")

A = np.random.default_rng(0).standard_normal((3, 4))
W = np.random.default_rng(1).standard_normal((3, 4))

# name -> an in-place change through a view of y (the same code runs on torch tensors)
CHANGES = {
    "view": lambda y: y.view(12).mul_(3),
    "view_tuple": lambda y: y.view((2, 6))[1].add_(2.0),
    "reshape_exp": lambda y: y.reshape(2, 6).exp_(),
    "flatten": lambda y: y.flatten().sub_(0.5),
    "unsqueeze": lambda y: y.unsqueeze(0).mul_(2.5),
    "t": lambda y: y.t().add_(1.5),
    "T_row": lambda y: y.T[1].mul_(-2),
    "transpose_slice": lambda y: y.transpose(0, 1)[1:].mul_(2),
    "permute": lambda y: y.reshape(3, 2, 2).permute(2, 0, 1).mul_(2),
    "slice": lambda y: y[:, 1:].mul_(3),
    "slice_of_slice": lambda y: y[1:][:, ::2].fill_(0.25),
    "narrow": lambda y: y.narrow(1, 1, 2).mul_(5),
    "diagonal": lambda y: y.diagonal().mul_(4),
    "diagonal_offset": lambda y: y.diagonal(1).fill_(0.5),
    "diagonal_of_transpose": lambda y: y.T.diagonal(-1).add_(10),
    "setitem_through_t": lambda y: y.t().__setitem__((0, slice(None)), 7.0),
    "two_changes": lambda y: (y.view(12).mul_(2), y.t().add_(1)),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_in_place_through_a_view_matches_torch(name: str) -> None:
    change = CHANGES[name]
    x, t = Tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    y, ty = x * 2, t * 2
    change(y)
    change(ty)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-14)
    (y * Tensor(W)).sum().backward()
    (ty * torch.tensor(W)).sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-13, atol=1e-14)
    assert y._version == ty._version or y._version > 0


@pytest.mark.parametrize("name", ["view", "t", "permute", "diagonal", "transpose_slice", "reshape_exp"])
def test_in_place_through_a_view_passes_gradcheck(name: str) -> None:
    change = CHANGES[name]

    def fn(v: Tensor) -> Tensor:
        y = v[:, ::2] * 1.5  # a non-contiguous start
        change(y)
        return y * y

    assert gradcheck(fn, [Tensor(np.repeat(A, 2, axis=1), requires_grad=True)], eps=1e-6, atol=1e-7, rtol=1e-5)


def test_the_view_itself_is_re_based_and_keeps_giving_gradients() -> None:
    x, t = Tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    y, ty = x * 2, t * 2
    v, tv = y.t(), ty.t()
    v.mul_(3)
    tv.mul_(3)
    (v * v).sum().backward()  # the view after its change is part of the graph
    (tv * tv).sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-13)


def test_a_saved_view_changed_through_its_base_raises_as_torch() -> None:
    x = Tensor(A, requires_grad=True)
    y = x * 2
    z = y.t() * y.t()  # Mul saves the transposed view
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    t = torch.tensor(A, requires_grad=True)
    ty = t * 2
    tz = ty.t() * ty.t()
    ty.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tz.sum().backward()


def test_a_view_taken_before_its_base_changed_raises_instead_of_a_wrong_gradient() -> None:
    x = Tensor(A, requires_grad=True)
    y = x * 2
    v = y.view(12)
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"a view \(made by Reshape\) of a tensor that was changed in place"):
        (v * 3).sum().backward()


def test_views_of_leaves_and_expanded_views_refuse_in_place_ops() -> None:
    w = Tensor(A, requires_grad=True)
    for change in (lambda: w.t().mul_(2), lambda: w.view(12).zero_(), lambda: w.diagonal().fill_(0)):
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            change()
    assert np.array_equal(w.data, A)
    e = (w * 1)[0].expand(2, 4)
    with pytest.raises(RuntimeError, match="expanded view"):
        e.add_(1)
    with autograd.no_grad():  # the optimiser's way: no graph, a plain write through the view
        w.t().mul_(2)
    np.testing.assert_array_equal(w.data, A * 2)


def test_without_a_graph_in_place_ops_on_views_write_through_as_in_torch() -> None:
    for change in CHANGES.values():
        p, q = Tensor(A.copy()), torch.tensor(A.copy())
        change(p)
        change(q)
        np.testing.assert_allclose(p.data, q.numpy(), rtol=1e-14)
    d = Tensor(np.zeros((3, 3)))
    d.diagonal().fill_(1.0)
    np.testing.assert_array_equal(d.data, np.eye(3))
