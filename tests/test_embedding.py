"""nn.Embedding and F.embedding: torch's numbers and gradients (repeated indices, padding_idx), init, gradcheck,
second derivatives, and clear errors for bad indices."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from autograd.ops.embedding import Embedding as EmbeddingOp

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_embedding_matches_torch_with_repeated_indices(padding_idx, dtype):
    rng = np.random.default_rng(0)
    tm = torch.nn.Embedding(6, 3, padding_idx=padding_idx).to(torch.float64 if dtype == np.float64 else torch.float32)
    m = nn.Embedding(6, 3, padding_idx=padding_idx)
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    m.to(dtype)
    idx = np.array([[0, 2, 2, 5], [1, 2, 0, 5]])
    y, ty = m(idx), tm(torch.tensor(idx))
    assert y.shape == (2, 4, 3) and y.dtype == dtype
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    w = rng.standard_normal(y.shape).astype(dtype)
    (y * w).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    tol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(m.weight.grad, tm.weight.grad.numpy(), rtol=tol, atol=tol)
    if padding_idx is not None:
        assert np.all(m.weight.grad[padding_idx] == 0)


def test_init_is_standard_normal_with_a_zero_padding_row():
    m = nn.Embedding(2000, 8, padding_idx=3, seed=0)
    w = m.weight.data
    assert np.all(w[3] == 0)
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
    assert list(m.state_dict()) == ["weight"]


def test_functional_embedding_and_gradcheck():
    rng = np.random.default_rng(1)
    weight = Tensor(rng.standard_normal((5, 2)), requires_grad=True)
    idx = np.array([4, 0, 4, 1])
    np.testing.assert_array_equal(F.embedding(idx, weight).data, weight.data[idx])
    assert gradcheck(lambda w: EmbeddingOp.apply(w, indices=idx), [weight])
    y = F.embedding(Tensor(np.array([[1, 1]])), weight, padding_idx=1)
    assert y.shape == (1, 2, 2)


def test_second_derivative_through_embedding():
    weight = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    y = F.embedding(np.array([0, 2, 2]), weight, padding_idx=0)
    (g,) = autograd.gradients((y * y * y).sum(), [weight], create_graph=True)
    g.sum().backward()  # d/dw of sum 3 w**2 * count = 6 w * count, zero on the padding row
    np.testing.assert_allclose(weight.grad, np.array([[0, 0], [0, 0], [48, 60]]))


def test_bad_indices_name_the_layer_the_range_and_the_fix():
    m = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match=r"Embedding\(4, 2\): index 4 is out of range.*\[0, 3\]"):
        m(np.array([0, 4]))
    with pytest.raises(IndexError, match="index -1"):
        m(np.array([-1]))
    with pytest.raises(ValueError, match=r"Embedding\(4, 2\): indices must be integers.*\[0.5\].*int64"):
        m(np.array([0.0, 0.5]))
    with pytest.raises(ValueError, match=r"indices must be integers.*nan"):
        m(np.array([np.nan]))
    with pytest.raises(ValueError, match=r"indices must be integers, got dtype bool"):
        m(np.array([True]))
    np.testing.assert_array_equal(m(Tensor([1.0, 3.0])).data, m.weight.data[[1, 3]])  # whole numbers in a Tensor
    with pytest.raises(ValueError, match=r"padding_idx=4 is out of range for 4 embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(ValueError, match="embedding_dim"):
        nn.Embedding(4, 0)
