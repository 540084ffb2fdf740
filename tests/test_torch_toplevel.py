"""torch's remaining top-level names (autograd/torch_names.py): constants, aliases, in-place functions, as_tensor."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor


def test_constants_match_torch_and_math():
    assert (autograd.pi, autograd.e, autograd.inf) == (math.pi, math.e, math.inf)
    assert math.isnan(autograd.nan) and autograd.newaxis is None
    x = autograd.arange(6.0).reshape(2, 3)
    assert x[:, autograd.newaxis].shape == (2, 1, 3)


@pytest.mark.parametrize("name", ["abs_", "exp_", "sigmoid_", "relu_", "clamp_", "zero_", "neg_", "fill_"])
def test_inplace_function_is_the_method(name):
    torch = pytest.importorskip("torch")
    data = np.array([[-1.5, 0.25], [2.0, -0.5]])
    args = {"clamp_": (-1.0, 1.0), "fill_": (3.0,)}.get(name, ())
    ours = autograd.tensor(data.copy())
    back = getattr(autograd, name)(ours, *args)
    theirs = torch.tensor(data.copy())
    getattr(torch, name)(theirs, *args)
    assert back is ours
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


def test_inplace_function_needs_a_tensor():
    with pytest.raises(TypeError, match="abs_: input must be a Tensor"):
        autograd.abs_(np.array([1.0]))


def test_inplace_function_on_a_leaf_that_requires_grad_raises_like_the_method():
    w = autograd.tensor([1.0, -2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        autograd.abs_(w)


def test_inplace_function_records_on_a_non_leaf(backend):
    x = autograd.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x * 2
    autograd.exp_(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.exp(2 * x.data), rtol=1e-12)


def test_aliases_compute_what_their_twins_do(backend):
    a = autograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = autograd.tensor([[0.5, -1.0], [2.0, 1.0]])
    np.testing.assert_allclose(autograd.multiply(a, b).data, a.data * b.data)
    np.testing.assert_allclose(autograd.subtract(a, b, alpha=2).data, a.data - 2 * b.data)
    np.testing.assert_allclose(autograd.negative(a).data, -a.data)
    assert autograd.concat([a, b], dim=1).shape == (2, 4)
    assert autograd.row_stack([a, b]).shape == (4, 2)
    autograd.multiply(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.data)


def test_as_tensor_shares_numpy_memory_and_takes_dtype():
    torch = pytest.importorskip("torch")
    arr = np.arange(3.0)
    t = autograd.as_tensor(arr)
    arr[0] = 7.0
    assert t.data[0] == 7.0 and t.dtype == np.float64
    f = autograd.as_tensor(arr, dtype=autograd.float32)
    assert f.dtype == np.float32 and f.data is not arr
    for data in ([1, 2], [1.5, 2.0], [True, False], 3):
        assert str(autograd.as_tensor(data).dtype) == str(torch.as_tensor(data).dtype).replace("torch.", "") or \
            torch.as_tensor(data).dtype == torch.float32  # torch's float default is float32, ours float64
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    assert autograd.as_tensor(x) is x
    assert autograd.as_tensor(x, dtype=autograd.float32).dtype == np.float32
    assert autograd.as_tensor([1, 2]).dtype == np.int64


def test_as_tensor_bad_input():
    with pytest.raises(TypeError, match="as_tensor: cannot make a tensor from NoneType"):
        autograd.as_tensor(None)
    with pytest.raises(RuntimeError, match="as_tensor: device 'cuda'"):
        autograd.as_tensor([1.0], device="cuda")
    with pytest.raises(TypeError, match="as_tensor: dtype"):
        autograd.as_tensor([1.0], dtype="not a dtype")


def test_asarray_copy_and_requires_grad():
    arr = np.arange(3.0)
    shared = autograd.asarray(arr)
    copied = autograd.asarray(arr, copy=True)
    arr[1] = 9.0
    assert shared.data[1] == 9.0 and copied.data[1] == 1.0
    w = autograd.asarray([1.0, 2.0], requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(ValueError, match="asarray: copy=False"):
        autograd.asarray(arr, dtype=autograd.float32, copy=False)
    t = autograd.tensor([1.0])
    assert autograd.asarray(t, copy=True).data is not t.data


def test_isin_and_size_questions():
    torch = pytest.importorskip("torch")
    a, b = [1, 2, 3, 4], [2, 4, 6]
    np.testing.assert_array_equal(autograd.isin(autograd.tensor(a), autograd.tensor(b)).data,
                                  torch.isin(torch.tensor(a), torch.tensor(b)).numpy())
    np.testing.assert_array_equal(autograd.isin(autograd.tensor(a), autograd.tensor(b), invert=True).data,
                                  torch.isin(torch.tensor(a), torch.tensor(b), invert=True).numpy())
    x, y = autograd.zeros(2, 3), autograd.ones(2, 3)
    assert autograd.is_same_size(x, y) and not autograd.is_same_size(x, autograd.ones(3, 2))
    assert autograd.is_nonzero(autograd.tensor([2.0])) and not autograd.is_nonzero(autograd.tensor(0))
    with pytest.raises(RuntimeError, match="is_nonzero: a Tensor with 2 elements"):
        autograd.is_nonzero(autograd.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="is_same_size: expected Tensors"):
        autograd.is_same_size([1], x)


def test_threads_and_matmul_precision_settings():
    n = autograd.get_num_threads()
    assert isinstance(n, int) and n >= 1
    autograd.set_num_threads(1)
    assert autograd.get_num_threads() == 1
    autograd.set_num_threads(n)
    assert autograd.get_num_threads() == n
    with pytest.raises(ValueError, match="set_num_threads: n must be a positive int"):
        autograd.set_num_threads(0)
    before = autograd.get_float32_matmul_precision()
    autograd.set_float32_matmul_precision("medium")
    assert autograd.get_float32_matmul_precision() == "medium"
    autograd.set_float32_matmul_precision(before)
    with pytest.raises(ValueError, match="set_float32_matmul_precision"):
        autograd.set_float32_matmul_precision("low")


def test_dir_lists_the_new_names():
    names = dir(autograd)
    for n in ("pi", "as_tensor", "asarray", "isin", "abs_", "multiply", "concat"):
        assert n in names
    assert isinstance(autograd.abs_, type(autograd.isin)) and autograd.abs_.__name__ == "abs_"
    assert isinstance(autograd.as_tensor(np.zeros(2)), Tensor)
