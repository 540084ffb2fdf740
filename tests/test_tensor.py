"""Tensor mode: construction, attributes, creation functions, comparisons, dtypes and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

# ----------------------------------------------------------------- construction and attributes


@pytest.mark.numpy_only
def test_default_dtype_is_float64_and_float32_is_kept():
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.float64
    assert Tensor(2.5).dtype == np.float64
    assert Tensor(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert Tensor([1.0, 2.0], dtype=np.float32).dtype == np.float32
    assert autograd.tensor([1.0], dtype="float32").dtype == np.float32


@pytest.mark.numpy_only
def test_constructor_copies_its_data():
    src = np.ones(3)
    t = Tensor(src)
    src[0] = 5.0
    assert t.data[0] == 1.0


@pytest.mark.numpy_only
def test_attributes():
    data = np.arange(6.0).reshape(2, 3)
    t = Tensor(data, requires_grad=True)
    assert isinstance(t.data, np.ndarray)
    assert t.grad is None
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and t.dtype == np.float64
    assert len(t) == 2
    np.testing.assert_array_equal(t.T.data, data.T)
    np.testing.assert_array_equal(t.numpy(), data)
    np.testing.assert_array_equal(np.asarray(t), data)
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert Tensor([[4.5]]).item() == 4.5 and isinstance(Tensor([[4.5]]).item(), float)
    assert list(Tensor([1.0, 2.0])) is not None


@pytest.mark.numpy_only
def test_item_and_len_errors():
    with pytest.raises(ValueError, match="item"):
        Tensor([1.0, 2.0]).item()
    with pytest.raises(TypeError):
        len(Tensor(1.0))


@pytest.mark.numpy_only
def test_repr_is_readable():
    t = Tensor([[1.0, 2.0], [3.0, 4.5]], requires_grad=True)
    text = repr(t)
    assert text.startswith("Tensor(") and "4.5" in text and "requires_grad=True" in text
    assert "grad_fn=<MulBackward0>" in repr(t * 2)  # torch's spelling
    assert "dtype=float32" in repr(Tensor(np.zeros(3, dtype=np.float32)))
    assert len(repr(Tensor(np.zeros(10_000)))) < 200  # summarised, not ten thousand numbers


@pytest.mark.numpy_only
@pytest.mark.parametrize("bad", ["abc", None, ["a", "b"], [1.0, "a"], {"a": 1}])
def test_constructor_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="Tensor"):
        Tensor(bad)


@pytest.mark.numpy_only
def test_ragged_data_is_value_error():
    with pytest.raises(ValueError, match="Tensor"):
        Tensor([[1.0, 2.0], [3.0]])


@pytest.mark.numpy_only
def test_only_floating_tensors_require_grad():
    with pytest.raises(TypeError, match="requires_grad"):
        Tensor._make(np.arange(3)).requires_grad_()


# --------------------------------------------------------------------------- creation


@pytest.mark.numpy_only
def test_constant_creation_functions():
    np.testing.assert_array_equal(autograd.zeros(2, 3).data, np.zeros((2, 3)))
    np.testing.assert_array_equal(autograd.zeros((2, 3)).data, np.zeros((2, 3)))
    np.testing.assert_array_equal(autograd.ones(4).data, np.ones(4))
    np.testing.assert_array_equal(autograd.full((2, 2), 7.5).data, np.full((2, 2), 7.5))
    np.testing.assert_array_equal(autograd.eye(3).data, np.eye(3))
    np.testing.assert_array_equal(autograd.eye(2, 4).data, np.eye(2, 4))
    np.testing.assert_array_equal(autograd.arange(5).data, np.arange(5))
    assert autograd.arange(5).dtype == np.int64  # integer bounds: int64, as torch and numpy
    np.testing.assert_array_equal(autograd.arange(1, 2, 0.25).data, np.arange(1, 2, 0.25))
    for t in (autograd.zeros(2), autograd.ones(2), autograd.full(2, 1.0), autograd.eye(2), autograd.arange(2.0)):
        assert t.dtype == np.float64 and not t.requires_grad
    assert autograd.zeros(2, dtype=np.float32).dtype == np.float32
    assert autograd.ones(2, requires_grad=True).requires_grad


@pytest.mark.numpy_only
def test_like_functions_keep_shape_and_dtype():
    base = Tensor(np.ones((2, 3), dtype=np.float32))
    for fn in (autograd.zeros_like, autograd.ones_like, autograd.rand_like, autograd.randn_like):
        out = fn(base)
        assert out.shape == (2, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(autograd.full_like(base, 3.0).data, np.full((2, 3), 3.0))
    assert autograd.zeros_like(np.ones(4)).shape == (4,)


@pytest.mark.numpy_only
def test_random_creation_is_seedable():
    a = autograd.randn(3, 4, seed=123)
    b = autograd.randn(3, 4, seed=123)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, autograd.randn(3, 4, seed=124).data)
    autograd.manual_seed(5)
    first = autograd.rand(6).data
    autograd.manual_seed(5)
    np.testing.assert_array_equal(autograd.rand(6).data, first)
    assert ((first >= 0) & (first < 1)).all()
    gen = np.random.default_rng(9)
    np.testing.assert_array_equal(autograd.randn(2, seed=gen).data, np.random.default_rng(9).standard_normal(2))
    assert autograd.randn(2, 2, dtype=np.float32, requires_grad=True).dtype == np.float32


@pytest.mark.numpy_only
def test_creation_rejects_bad_arguments():
    with pytest.raises(ValueError):
        autograd.zeros(-2)
    with pytest.raises(TypeError):
        autograd.ones(2.5)
    with pytest.raises(ValueError):
        autograd.manual_seed(-1)
    with pytest.raises(ValueError):
        autograd.arange(0, 1, 0)


# ------------------------------------------------------------------------- comparisons


def test_comparisons_are_bool_tensors_that_never_require_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Tensor([3.0, 2.0, 1.0], requires_grad=True)
    results = {
        "lt": (x < y, [True, False, False]),
        "le": (x <= y, [True, True, False]),
        "gt": (x > y, [False, False, True]),
        "ge": (x >= y, [False, True, True]),
        "eq": (x == y, [False, True, False]),
        "ne": (x != y, [True, False, True]),
        "number": (x > 1.5, [False, True, True]),
        "reflected": (1.5 < x, [False, True, True]),
        "array": (x == np.array([1.0, 0.0, 3.0]), [True, False, True]),
    }
    for name, (out, expected) in results.items():
        assert isinstance(out, Tensor), name
        assert out.dtype == np.bool_, name
        assert not out.requires_grad and out.is_leaf, name
        np.testing.assert_array_equal(out.data, expected)


def test_comparison_broadcasts():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = x > Tensor([[1.0], [4.0]])
    np.testing.assert_array_equal(out.data, np.arange(6.0).reshape(2, 3) > np.array([[1.0], [4.0]]))


def test_tensor_is_hashable_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2 and a in {a}


# ------------------------------------------------------------------------------ float32


def test_float32_model_stays_float32_end_to_end():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((8, 5)), dtype=np.float32)
    w1 = Tensor(rng.standard_normal((5, 6)) * 0.3, dtype=np.float32, requires_grad=True)
    b1 = Tensor(np.zeros(6), dtype=np.float32, requires_grad=True)
    w2 = Tensor(rng.standard_normal((6, 3)) * 0.3, dtype=np.float32, requires_grad=True)
    h = (x @ w1 + b1).tanh() * 2.0 + 1
    logits = h.relu() @ w2 - 0.5
    loss = -(logits.log_softmax(axis=1)[np.arange(8), rng.integers(0, 3, 8)]).mean() + 1e-3 * (w1 * w1).sum()
    assert h.dtype == logits.dtype == loss.dtype == np.float32
    loss.backward()
    for p in (w1, b1, w2):
        assert p.grad.dtype == np.float32


# ---------------------------------------------------------------------------- bad input

A = np.ones((2, 3))
B = np.ones((4,))


def _op_names(op: str) -> tuple:
    return (op, op.capitalize(), op.upper())


@pytest.mark.parametrize(
    "name, fn",
    [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
        ("pow", lambda a, b: a**b),
        ("maximum", autograd.maximum),
        ("minimum", autograd.minimum),
        ("lt", lambda a, b: a < b),
        ("eq", lambda a, b: a == b),
    ],
)
def test_broadcast_mismatch_names_op_and_both_shapes(name, fn):
    a, b = Tensor(A, requires_grad=True), Tensor(B)
    with pytest.raises(ValueError) as info:
        fn(a, b)
    msg = str(info.value)
    assert name in msg.lower()
    assert "(2, 3)" in msg and "(4,)" in msg


@pytest.mark.parametrize(
    "sa, sb",
    [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (4,)), ((5,), (4, 3)), ((5, 2, 3), (4, 3, 2))],
)
def test_matmul_mismatch_names_op_and_both_shapes(sa, sb):
    with pytest.raises(ValueError) as info:
        Tensor(np.ones(sa)) @ Tensor(np.ones(sb))
    msg = str(info.value)
    assert "matmul" in msg.lower()
    assert str(sa) in msg and str(sb) in msg


def test_matmul_of_0d_is_value_error():
    with pytest.raises(ValueError, match="(?i)matmul"):
        Tensor(2.0) @ Tensor([1.0])


def test_where_and_join_mismatches_are_value_errors():
    with pytest.raises(ValueError, match="(?i)where"):
        autograd.where(np.ones(3, bool), Tensor(A), Tensor(B))
    with pytest.raises(ValueError, match="(?i)concatenate"):
        autograd.concatenate([Tensor(A), Tensor(B)])
    with pytest.raises(ValueError, match="(?i)stack"):
        autograd.stack([Tensor(A), Tensor(np.ones((3, 2)))])
    with pytest.raises(ValueError, match="(?i)reshape"):
        Tensor(A).reshape(4, 2)
    with pytest.raises(ValueError, match="(?i)broadcast"):
        Tensor(A).broadcast_to((4, 3))


BAD_OPERANDS = ["x", None, ["a", "b"], object()]
BINARY_SPELLINGS = [
    ("add", lambda t, o: t + o),
    ("add", lambda t, o: o + t),
    ("sub", lambda t, o: t - o),
    ("sub", lambda t, o: o - t),
    ("mul", lambda t, o: t * o),
    ("mul", lambda t, o: o * t),
    ("div", lambda t, o: t / o),
    ("div", lambda t, o: o / t),
    ("pow", lambda t, o: t**o),
    ("pow", lambda t, o: o**t),
    ("matmul", lambda t, o: t @ o),
    ("matmul", lambda t, o: o @ t),
    ("maximum", lambda t, o: autograd.maximum(t, o)),
    ("minimum", lambda t, o: autograd.minimum(o, t)),
    ("where", lambda t, o: autograd.where(t.data > 0, t, o)),
    ("lt", lambda t, o: t < o),
    ("concatenate", lambda t, o: autograd.concatenate([t, o])),
    ("stack", lambda t, o: autograd.stack([t, o])),
]


@pytest.mark.numpy_only
@pytest.mark.parametrize("bad", BAD_OPERANDS, ids=["str", "None", "list_of_str", "object"])
@pytest.mark.parametrize("name, fn", BINARY_SPELLINGS, ids=[f"{n}{i}" for i, (n, _) in enumerate(BINARY_SPELLINGS)])
def test_unsupported_operand_is_type_error_naming_the_op(name, fn, bad):
    t = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError) as info:
        fn(t, bad)
    assert name in str(info.value).lower()


@pytest.mark.numpy_only
def test_axis_errors_name_the_op():
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="sum"):
        t.sum(axis=2)
    with pytest.raises(TypeError, match="mean"):
        t.mean(axis=1.5)
    with pytest.raises(TypeError, match="softmax"):
        t.softmax(axis=(0, 1))
    with pytest.raises(ValueError, match="squeeze"):
        t.squeeze(axis=0)  # numpy's spelling: an axis of length 3 cannot be squeezed
    assert t.squeeze(0).shape == (2, 3)  # torch's: it stays
    with pytest.raises(ValueError, match="max"):
        Tensor(np.ones((0, 3))).max()


@pytest.mark.numpy_only
@pytest.mark.parametrize(
    "index", [5, (0, 7), np.array([0, 7]), np.ones(3, bool)], ids=["int", "tuple", "array", "mask"]
)
def test_index_out_of_range_names_getitem_and_shape(index):
    with pytest.raises(IndexError) as info:
        Tensor(np.ones((2, 3)))[index]
    assert "getitem" in str(info.value) and "(2, 3)" in str(info.value)


def test_clone_copies_memory_and_passes_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    c.data[0] = 7.0  # its own memory
    assert x.data[0] == 1.0
    (c * c).sum().backward()
    np.testing.assert_allclose(x.grad, [14.0, 4.0])
    assert x.detach().clone().requires_grad is False
