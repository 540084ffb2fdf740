"""In-place ops on views of tensors outside the graph, with an operand that requires grad: the base joins the
graph as in torch (``buf[0:1].copy_(w)`` gives ``w`` its gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd

def _cases(A, w):
    """Each case builds a buffer outside the graph, writes w (or a function of w) into a view of it in place, and
    returns the buffer."""
    def slice_copy():
        buf = A.zeros(3, dtype=A.float64)
        buf[0:1].copy_(w[:1])
        return buf

    def int_setitem():
        buf = A.zeros(3, dtype=A.float64)
        buf[0] = w[0]
        return buf

    def column_mul():
        buf = A.ones(2, 3, dtype=A.float64) * 1.5
        buf[:, 1].mul_(w[:2])
        return buf

    def loop_rows():
        out = A.zeros(2, 3, dtype=A.float64)
        for i in range(2):
            out[i] = w * (i + 2)
        return out

    def view_of_view_add():
        buf = A.zeros(4, dtype=A.float64)
        v = buf[1:]
        v[0:2].add_(w[:2] * 3)
        return buf

    def transposed_row_copy():
        buf = A.zeros(2, 3, dtype=A.float64)
        buf.t()[1].copy_(w[:2])
        return buf

    def reshaped_row_mul():
        buf = A.ones(6, dtype=A.float64)
        buf.reshape(2, 3)[1].mul_(w)
        return buf

    def twice_through_one_view():
        buf = A.ones(4, dtype=A.float64) * 2
        v = buf[1:3]
        v.mul_(w[:2])
        v.add_(w[1:])
        return buf

    def view_divided():
        buf = A.ones(3, dtype=A.float64) * 4
        buf[1:].div_(w[:2])
        return buf

    return dict(
        slice_copy=slice_copy, int_setitem=int_setitem, column_mul=column_mul, loop_rows=loop_rows,
        view_of_view_add=view_of_view_add, transposed_row_copy=transposed_row_copy,
        reshaped_row_mul=reshaped_row_mul, twice_through_one_view=twice_through_one_view, view_divided=view_divided,
    )


NAMES = list(_cases(autograd, None))


@pytest.mark.parametrize("case", NAMES)
def test_inplace_on_untracked_view_matches_torch(case: str, backend: str) -> None:
    torch = pytest.importorskip("torch")
    wv = np.array([2.0, -3.0, 0.5])
    w = autograd.tensor(wv, requires_grad=True)
    buf = _cases(autograd, w)[case]()
    assert buf.requires_grad and buf.grad_fn is not None
    cot = np.arange(1.0, buf.data.size + 1).reshape(buf.shape)
    (buf * autograd.tensor(cot)).sum().backward()

    tw = torch.tensor(wv, requires_grad=True)
    tbuf = _cases(torch, tw)[case]()
    assert tbuf.requires_grad
    (tbuf * torch.tensor(cot)).sum().backward()
    np.testing.assert_allclose(buf.data, tbuf.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("case", NAMES)
def test_inplace_on_untracked_view_gradcheck(case: str, backend: str) -> None:
    w = autograd.tensor([2.0, -3.0, 0.5], requires_grad=True)
    autograd.gradcheck(lambda w: _cases(autograd, w)[case](), (w,), rtol=1e-6, atol=1e-9)


def test_non_contiguous_base(backend: str) -> None:
    torch = pytest.importorskip("torch")
    arr = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    buf = autograd.Tensor._make(arr.copy(order="F"))  # a base whose memory is in Fortran order
    w = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    buf[:, 2].mul_(w)
    (buf ** 2).sum().backward()
    tbuf = torch.tensor(np.ascontiguousarray(arr))
    tw = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tbuf[:, 2].mul_(tw)
    (tbuf ** 2).sum().backward()
    np.testing.assert_allclose(buf.data, tbuf.detach().numpy())
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy())


def test_view_itself_follows_the_base(backend: str) -> None:
    buf = autograd.zeros(4)
    w = autograd.tensor([2.0, 5.0], requires_grad=True)
    v = buf[1:3]
    v.copy_(w)
    assert v.requires_grad and np.shares_memory(v.data, buf.data)
    (v * autograd.tensor([1.0, 10.0])).sum().backward()
    np.testing.assert_allclose(w.grad.data, [1.0, 10.0])


def test_no_grad_write_into_untracked_view_stays_plain(backend: str) -> None:
    buf = autograd.zeros(3)
    w = autograd.tensor([2.0], requires_grad=True)
    with autograd.no_grad():
        buf[0:1].copy_(w)
    assert not buf.requires_grad and buf.data[0] == 2.0
    buf[1:2].add_(1.0)  # nothing requires grad: a plain write
    assert not buf.requires_grad and buf.data[1] == 1.0


def test_leaf_checks_match_torch(backend: str) -> None:
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="mul_: a leaf Variable that requires grad"):
        w.mul_(2)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0:1].mul_(2)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 3.0
    with autograd.no_grad():
        v = w[0:1]
    with pytest.raises(RuntimeError, match="view of a leaf Variable that requires grad"):
        v.mul_(autograd.tensor([2.0], requires_grad=True))
    with autograd.no_grad():  # optimisers' way
        w.mul_(2)
        w[0:1].add_(1)
    np.testing.assert_allclose(w.data, [3.0, 4.0])


def test_view_taken_before_the_base_joined_the_graph(backend: str) -> None:
    """torch refuses this case (a leaf error); gradwork records it: the write into v reads the base's values."""
    w = autograd.tensor([2.0, 3.0], requires_grad=True)
    w2 = autograd.tensor([5.0, 7.0], requires_grad=True)
    buf = autograd.zeros(3)
    v = buf[0:2]
    buf[0:2] = w * 1  # buf joins the graph after v was taken
    v.mul_(w2)
    (buf * autograd.tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_allclose(buf.data, [10.0, 21.0, 0.0])
    np.testing.assert_allclose(w.grad.data, [5.0, 70.0])
    np.testing.assert_allclose(w2.grad.data, [2.0, 30.0])
    autograd.gradcheck(lambda a, b: _rewrite(a, b), (w, w2))


def _rewrite(a, b):
    buf = autograd.zeros(3)
    v = buf[0:2]
    buf[0:2] = a * 1
    v.mul_(b)
    return buf


def _element_writes(A, w):
    buf = A.zeros(2, 3, dtype=A.float64)
    buf[1, 2].copy_(w[0])  # x[i, j] is a 0-d view, as in torch
    buf[0][1].add_(w[1] * 2)
    y = w * 3
    y[2].mul_(w[0])  # through a 0-d view of a tensor in the graph
    return buf.sum() * 10 + (y * A.tensor([1.0, 2.0, 5.0], dtype=A.float64)).sum(), buf, y


def test_zero_d_element_views_match_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    wv = np.array([2.0, -3.0, 0.5])
    w, tw = autograd.tensor(wv, requires_grad=True), torch.tensor(wv, requires_grad=True)
    out, buf, y = _element_writes(autograd, w)
    tout, tbuf, ty = _element_writes(torch, tw)
    out.backward()
    tout.backward()
    np.testing.assert_allclose(buf.data, tbuf.detach().numpy())
    np.testing.assert_allclose(y.data, ty.detach().numpy())
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy())
    x = autograd.tensor([1.0, 2.0])
    e = x[0]
    x[0] = 5.0
    assert e.item() == 5.0  # a view, as torch's x[0]
