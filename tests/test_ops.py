"""Every tensor op: forward against numpy, gradient against ``gradcheck`` (float64), on both backends.

The op tables here are shared with ``test_properties.py``, which draws random
shapes with hypothesis; this file runs fixed cases that cover size-1 axes,
broadcasting and non-contiguous inputs (transposed, sliced with steps), on
every backend. Inputs are drawn from well-scaled domains (positive values
away from 0 for log and sqrt, values away from kinks for relu or abs), never
shifted so far that a wrong derivative would hide.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, Value

GRAD_TOL = dict(eps=1e-6, atol=1e-6, rtol=1e-5)
FWD_TOL = dict(rtol=1e-10, atol=1e-12)

# ---------------------------------------------------------------- input domains and layouts


def sample(rng: np.random.Generator, shape: tuple, domain: str) -> np.ndarray:
    """Random float64 values of ``shape`` from a named domain."""
    if domain == "real":
        return rng.uniform(-2.0, 2.0, shape)
    if domain == "pos":  # log, sqrt, fractional powers: positive and away from 0
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":  # kinks at 0 (relu, abs, step, division)
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.25, 2.0, shape)
    if domain == "clip":  # away from the clip bounds -0.5 and 0.5
        mag = np.where(rng.random(shape) < 0.5, rng.uniform(0.0, 0.4, shape), rng.uniform(0.6, 2.0, shape))
        return rng.choice([-1.0, 1.0], shape) * mag
    if domain == "distinct":  # max/min: no two values closer than 0.2
        n = int(np.prod(shape, dtype=np.int64))
        vals = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)
        return vals.reshape(shape)
    raise ValueError(domain)


LAYOUTS = ("contiguous", "transposed", "strided")


def source_shape(shape: tuple, layout: str) -> tuple:
    """Shape of the array that ``view(.., layout)`` turns into ``shape``."""
    if layout == "transposed":
        return tuple(reversed(shape))
    if layout == "strided":
        return tuple(2 * n for n in shape)
    return tuple(shape)


def view(x, layout: str):
    """A non-contiguous view of ``x`` (ndarray or Tensor) for the layout; recorded when x is a Tensor."""
    if layout == "transposed":
        return x.T
    if layout == "strided":
        return x[(slice(1, None, 2),) * x.ndim]
    return x


def check_op(fn, ref, shapes, domains, layouts, seed=0, grad=True):
    """Forward of ``fn`` on Tensors vs ``ref`` on arrays, then gradcheck through the layout views."""
    rng = np.random.default_rng(seed)
    sources = [sample(rng, source_shape(s, lay), d) for s, d, lay in zip(shapes, domains, layouts)]
    arrays = [view(src, lay) for src, lay in zip(sources, layouts)]
    expected = ref(*arrays)
    leaves = [Tensor(src, requires_grad=True) for src in sources]
    out = fn(*[view(t, lay) for t, lay in zip(leaves, layouts)])
    assert isinstance(out, Tensor)
    assert out.shape == np.shape(expected)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, **FWD_TOL)
    if grad:

        def through_views(*ts):
            return fn(*[view(t, lay) for t, lay in zip(ts, layouts)])

        assert autograd.gradcheck(through_views, [Tensor(src, requires_grad=True) for src in sources], **GRAD_TOL)


# ------------------------------------------------------------------------------ op tables


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if keepdims:
        return out
    return out.reshape(()) if axis is None else np.squeeze(out, axis=axis)


def np_erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# name, tensor function, numpy reference, input domain
UNARY = [
    ("neg", lambda x: -x, np.negative, "real"),
    ("exp", lambda x: x.exp(), np.exp, "real"),
    ("log", lambda x: x.log(), np.log, "pos"),
    ("sqrt", lambda x: x.sqrt(), np.sqrt, "pos"),
    ("abs", lambda x: x.abs(), np.abs, "nonzero"),
    ("abs_builtin", lambda x: abs(x), np.abs, "nonzero"),
    ("tanh", lambda x: x.tanh(), np.tanh, "real"),
    ("sigmoid", lambda x: x.sigmoid(), np_sigmoid, "real"),
    ("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), "nonzero"),
    ("leaky_relu", lambda x: x.leaky_relu(), lambda x: np.where(x > 0, x, 0.01 * x), "nonzero"),
    ("leaky_relu_0.2", lambda x: x.leaky_relu(0.2), lambda x: np.where(x > 0, x, 0.2 * x), "nonzero"),
    ("elu", lambda x: x.elu(), lambda x: np.where(x > 0, x, np.expm1(x)), "nonzero"),
    ("elu_1.5", lambda x: x.elu(1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)), "nonzero"),
    ("softplus", lambda x: x.softplus(), lambda x: np.log1p(np.exp(x)), "real"),
    ("log_sigmoid", lambda x: x.log_sigmoid(), lambda x: np.log(np_sigmoid(x)), "real"),
    ("sin", lambda x: x.sin(), np.sin, "real"),
    ("cos", lambda x: x.cos(), np.cos, "real"),
    ("erf", lambda x: x.erf(), lambda x: np_erf(x), "real"),
    ("silu", lambda x: x.silu(), lambda x: x * np_sigmoid(x), "real"),
    ("gelu", lambda x: x.gelu(), lambda x: 0.5 * x * (1 + np_erf(x / np.sqrt(2))), "real"),
    ("gelu_tanh", lambda x: x.gelu("tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))), "real"),
    ("step", lambda x: x.step(), lambda x: (x >= 0).astype(np.float64), "nonzero"),
    ("clip", lambda x: x.clip(-0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), "clip"),
    ("clip_lo", lambda x: x.clip(lo=-0.5), lambda x: np.maximum(x, -0.5), "clip"),
    ("clip_hi", lambda x: x.clip(hi=0.5), lambda x: np.minimum(x, 0.5), "clip"),
    ("square", lambda x: x**2, np.square, "real"),
    ("cube", lambda x: x**3, lambda x: x**3, "real"),
    ("pow_half", lambda x: x**0.5, np.sqrt, "pos"),
    ("pow_neg", lambda x: x**-1.5, lambda x: x**-1.5, "pos"),
    ("rpow", lambda x: 2.0**x, lambda x: 2.0**x, "real"),
    ("radd", lambda x: 1.5 + x, lambda x: 1.5 + x, "real"),
    ("rsub", lambda x: 2.0 - x, lambda x: 2.0 - x, "real"),
    ("rmul", lambda x: 3 * x, lambda x: 3 * x, "real"),
    ("rdiv", lambda x: 2.0 / x, lambda x: 2.0 / x, "nonzero"),
    ("div_number", lambda x: x / 4, lambda x: x / 4, "real"),
    ("module_exp", autograd.exp, np.exp, "real"),
    ("module_tanh", autograd.tanh, np.tanh, "real"),
]
UNARY_IDS = [u[0] for u in UNARY]

# name, tensor function, numpy reference, domains of a and b
BINARY = [
    ("add", lambda a, b: a + b, np.add, "real", "real"),
    ("sub", lambda a, b: a - b, np.subtract, "real", "real"),
    ("mul", lambda a, b: a * b, np.multiply, "real", "real"),
    ("div", lambda a, b: a / b, np.divide, "real", "nonzero"),
    ("pow", lambda a, b: a**b, np.power, "pos", "real"),
    ("maximum", autograd.maximum, np.maximum, "real", "real"),
    ("minimum", autograd.minimum, np.minimum, "real", "real"),
    ("maximum_method", lambda a, b: a.maximum(b), np.maximum, "real", "real"),
    ("where", lambda a, b: autograd.where(a.data > 0, a, b), lambda a, b: np.where(a > 0, a, b), "nonzero", "real"),
]
BINARY_IDS = [b[0] for b in BINARY]

# name, tensor function (x, axis, keepdims), numpy reference, domain
REDUCTIONS = [
    ("sum", lambda x, a, k: x.sum(axis=a, keepdims=k), np.sum, "real"),
    ("mean", lambda x, a, k: x.mean(axis=a, keepdims=k), np.mean, "real"),
    ("max", lambda x, a, k: x.max(axis=a, keepdims=k), np.max, "distinct"),
    ("min", lambda x, a, k: x.min(axis=a, keepdims=k), np.min, "distinct"),
    ("var", lambda x, a, k: x.var(axis=a, keepdims=k), np.var, "real"),
    ("var_ddof1", lambda x, a, k: x.var(axis=a, keepdims=k, ddof=1), lambda x, axis=None, keepdims=False: np.var(
        x, axis=axis, keepdims=keepdims, ddof=1), "real"),
    ("logsumexp", lambda x, a, k: x.logsumexp(axis=a, keepdims=k), np_logsumexp, "real"),
]
REDUCTION_IDS = [r[0] for r in REDUCTIONS]

# name, tensor function (x, axis), numpy reference
SOFTMAXES = [
    ("softmax", lambda x, a: x.softmax(axis=a), np_softmax),
    ("log_softmax", lambda x, a: x.log_softmax(axis=a), lambda x, a: x - np_logsumexp(x, axis=a, keepdims=True)),
]


# ------------------------------------------------------------------ fixed cases, both backends

UNARY_CASES = [((), "contiguous"), ((3, 1, 4), "strided"), ((2, 5), "transposed")]


@pytest.mark.parametrize("name, fn, ref, domain", UNARY, ids=UNARY_IDS)
def test_unary(name, fn, ref, domain):
    for i, (shape, layout) in enumerate(UNARY_CASES):
        check_op(fn, ref, [shape], [domain], [layout], seed=i)


BINARY_CASES = [
    (((2, 3), (2, 3)), ("contiguous", "strided")),
    (((3, 1, 4), (2, 1)), ("strided", "transposed")),
    (((), (2, 3)), ("contiguous", "transposed")),
    (((4,), (3, 1)), ("strided", "contiguous")),
    (((1, 3), (2, 1)), ("transposed", "strided")),
]


@pytest.mark.parametrize("name, fn, ref, da, db", BINARY, ids=BINARY_IDS)
def test_binary_broadcasting(name, fn, ref, da, db):
    for i, (shapes, layouts) in enumerate(BINARY_CASES):
        check_op(fn, ref, shapes, [da, db], layouts, seed=i)


def test_where_with_broadcast_mask():
    a = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = Tensor(np.array([10.0, 20.0, 30.0]), requires_grad=True)
    mask = np.array([[True], [False]])
    out = autograd.where(mask, a, b)
    np.testing.assert_array_equal(out.data, np.where(mask, a.data, b.data))
    out.backward(np.ones((2, 3)))
    np.testing.assert_array_equal(a.grad, [[1, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(b.grad, [1, 1, 1])
    assert autograd.where(Tensor([1.0, 0.0]), 1.0, 2.0).requires_grad is False


def test_maximum_and_minimum_split_ties_evenly():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([1.0, 5.0, 0.0], requires_grad=True)
    autograd.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 1.0, 0.0])
    a.grad = b.grad = None
    autograd.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0, 1.0])


def test_pow_with_negative_base_and_integer_exponent():
    x = Tensor([-1.5, -0.5, 2.0], requires_grad=True)
    out = x**3
    np.testing.assert_allclose(out.data, x.data**3)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, 3 * x.data**2)
    assert autograd.gradcheck(lambda t: t ** Tensor(2.0), [Tensor([-1.5, 0.5], requires_grad=True)], **GRAD_TOL)


REDUCTION_AXES = [None, 0, -1, 1, (0, 2), (-1, 0, 1)]


@pytest.mark.parametrize("name, fn, ref, domain", REDUCTIONS, ids=REDUCTION_IDS)
def test_reduction(name, fn, ref, domain):
    for i, axis in enumerate(REDUCTION_AXES):
        for keepdims in (False, True):
            layout = LAYOUTS[i % 3]
            check_op(
                lambda x, a=axis, k=keepdims: fn(x, a, k),
                lambda x, a=axis, k=keepdims: ref(x, axis=a, keepdims=k),
                [(2, 3, 4)], [domain], [layout], seed=i,
            )
    # size-1 axes
    check_op(lambda x: fn(x, 1, False), lambda x: ref(x, axis=1), [(1, 3)], [domain], ["strided"])
    if name != "var_ddof1":  # one value leaves no degree of freedom
        check_op(lambda x: fn(x, None, False), lambda x: ref(x), [(1, 1)], [domain], ["contiguous"])
        check_op(lambda x: fn(x, 0, True), lambda x: ref(x, axis=0, keepdims=True), [(1, 3)], [domain], ["strided"])


def test_max_and_min_split_ties_evenly():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0.5, 0.5], [0.5, 0, 0.5]])
    x.grad = None
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0.5, 0.5], [0, 0, 0]])
    x.grad = None
    x.min(axis=0).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1, 0, 0], [0, 1, 1]])


@pytest.mark.parametrize("name, fn, ref", SOFTMAXES, ids=[s[0] for s in SOFTMAXES])
def test_softmax_family(name, fn, ref):
    for i, (shape, axis, layout) in enumerate(
        [((5,), 0, "contiguous"), ((3, 4), -1, "strided"), ((3, 4), 0, "transposed"), ((2, 1, 3), 1, "strided")]
    ):
        check_op(lambda x, a=axis: fn(x, a), lambda x, a=axis: ref(x, a), [shape], ["real"], [layout], seed=i)


@pytest.mark.parametrize("name, fn, ref", SOFTMAXES, ids=[s[0] for s in SOFTMAXES])
def test_softmax_family_is_stable_at_huge_logits(name, fn, ref):
    logits = np.array([[1000.0, -1000.0, 999.0], [-1000.0, -1000.0, -999.0]])
    x = Tensor(logits, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = fn(x, -1)
        (out * Tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(x.grad.data).all()
    np.testing.assert_allclose(out.data, ref(logits, -1), rtol=1e-12)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    lse = Tensor(logits, requires_grad=True).logsumexp(axis=1)
    np.testing.assert_allclose(lse.data, np.log(np.exp(shifted).sum(axis=1)) + logits.max(axis=1), rtol=1e-12)


def test_softmax_rows_sum_to_one():
    x = Tensor(np.random.default_rng(1).standard_normal((4, 6)))
    np.testing.assert_allclose(x.softmax(axis=1).sum(axis=1).data, np.ones(4), rtol=1e-12)
    np.testing.assert_allclose(x.log_softmax(axis=1).exp().data, x.softmax(axis=1).data, rtol=1e-12)


# ------------------------------------------------------------------------------ movement ops

MOVEMENT = [
    ("reshape", lambda x: x.reshape(4, 6), lambda x: x.reshape(4, 6), (2, 3, 4)),
    ("reshape_infer", lambda x: x.reshape((-1, 2)), lambda x: x.reshape(-1, 2), (2, 3, 4)),
    ("view", lambda x: x.view(24), lambda x: x.reshape(24), (2, 3, 4)),
    ("transpose", lambda x: x.transpose(), lambda x: x.transpose(), (2, 3, 4)),
    ("transpose_axes", lambda x: x.transpose(1, 2, 0), lambda x: x.transpose(1, 2, 0), (2, 3, 4)),
    ("transpose_pair", lambda x: x.transpose(0, 2), lambda x: np.swapaxes(x, 0, 2), (2, 3, 4)),
    ("T", lambda x: x.T, lambda x: x.T, (3, 4)),
    ("permute", lambda x: x.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1), (2, 3, 4)),
    ("swapaxes", lambda x: x.swapaxes(-1, 0), lambda x: np.swapaxes(x, -1, 0), (2, 3, 4)),
    ("flatten", lambda x: x.flatten(), lambda x: x.reshape(-1), (2, 3, 4)),
    ("flatten_range", lambda x: x.flatten(1, 2), lambda x: x.reshape(2, 12), (2, 3, 4)),
    ("squeeze", lambda x: x.squeeze(), np.squeeze, (3, 1, 4, 1)),
    ("squeeze_axis", lambda x: x.squeeze(1), lambda x: np.squeeze(x, 1), (3, 1, 4, 1)),
    ("unsqueeze", lambda x: x.unsqueeze(1), lambda x: np.expand_dims(x, 1), (3, 4)),
    ("unsqueeze_end", lambda x: x.unsqueeze(-1), lambda x: np.expand_dims(x, -1), (3, 4)),
    ("broadcast_to", lambda x: x.broadcast_to((2, 3, 4)), lambda x: np.broadcast_to(x, (2, 3, 4)), (3, 1)),
    ("broadcast_to_same", lambda x: x.broadcast_to(3, 4), lambda x: x, (3, 4)),
]


@pytest.mark.parametrize("name, fn, ref, shape", MOVEMENT, ids=[m[0] for m in MOVEMENT])
def test_movement(name, fn, ref, shape):
    for i, layout in enumerate(LAYOUTS):
        check_op(fn, ref, [shape], ["real"], [layout], seed=i)


INDICES = [
    ("int", 1),
    ("negative_int", -1),
    ("slice_step", (slice(None, None, 2), 1)),
    ("negative_step", (slice(None, None, -1), slice(1, None))),
    ("ellipsis_none", (Ellipsis, None, slice(1, 3))),
    ("int_and_ellipsis", (1, Ellipsis, None)),
    ("int_array_repeats", np.array([0, 2, 2, 1, 0])),
    ("list_repeats", [3, 3, 0]),
    ("two_int_arrays", (np.array([0, 0, 3]), slice(None), np.array([1, 1, 2]))),
    ("int_array_2d", (slice(None), np.array([[0, 1], [1, 1]]))),
    ("bool_mask_first_axis", np.array([True, False, True, True])),
    ("bool_mask_full", "mask"),
    ("tensor_index", "tensor"),
]


@pytest.mark.parametrize("name, index", INDICES, ids=[i[0] for i in INDICES])
def test_getitem(name, index):
    shape = (4, 5, 3)
    for i, layout in enumerate(LAYOUTS):
        if isinstance(index, str) and index == "mask":
            mask = sample(np.random.default_rng(10 + i), shape, "real") > 0
            idx = mask
        elif isinstance(index, str) and index == "tensor":
            idx = autograd.tensor(np.array([1, 1, 3]))  # int64, as torch.tensor infers
        else:
            idx = index
        np_idx = idx.data.astype(np.int64) if isinstance(idx, Tensor) else idx
        check_op(lambda x, i=idx: x[i], lambda x, i=np_idx: x[i], [shape], ["real"], [layout], seed=i)


def test_getitem_gradient_accumulates_repeated_indices():
    x = Tensor(np.arange(5.0), requires_grad=True)
    x[np.array([0, 2, 2, 2, 4, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [2, 0, 3, 0, 1])


JOINS = [
    ("concatenate_0", lambda *ts: autograd.concatenate(list(ts), axis=0), lambda *a: np.concatenate(a, 0),
     [(2, 3), (4, 3), (1, 3)]),
    ("concatenate_last", lambda *ts: autograd.concatenate(ts, axis=-1), lambda *a: np.concatenate(a, -1),
     [(2, 3, 1), (2, 3, 2)]),
    ("cat_alias", lambda *ts: autograd.cat(list(ts), axis=1), lambda *a: np.concatenate(a, 1), [(2, 1), (2, 4)]),
    ("stack_0", lambda *ts: autograd.stack(list(ts)), lambda *a: np.stack(a), [(2, 3), (2, 3), (2, 3)]),
    ("stack_last", lambda *ts: autograd.stack(list(ts), axis=-1), lambda *a: np.stack(a, -1), [(3,), (3,)]),
    ("stack_middle", lambda *ts: autograd.stack(list(ts), axis=1), lambda *a: np.stack(a, 1), [(2, 4), (2, 4)]),
]


@pytest.mark.parametrize("name, fn, ref, shapes", JOINS, ids=[j[0] for j in JOINS])
def test_joins(name, fn, ref, shapes):
    for i, layout in enumerate(LAYOUTS):
        check_op(fn, ref, shapes, ["real"] * len(shapes), [layout] * len(shapes), seed=i)


def test_join_of_tensor_and_constant_passes_gradient_to_the_tensor():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    out = autograd.concatenate([x, np.zeros((1, 2))])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 2)))


# ------------------------------------------------------------------------------------- matmul

MATMUL_CASES = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 3), (3,)),
    ((2, 5, 3), (3,)),
    ((2, 3), (3, 4)),
    ((1, 3), (3, 1)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (2, 4, 2)),
    ((4, 2, 3), (3, 2)),
]


@pytest.mark.parametrize("sa, sb", MATMUL_CASES, ids=[f"{a}@{b}" for a, b in MATMUL_CASES])
def test_matmul(sa, sb):
    for i, layouts in enumerate([("contiguous", "contiguous"), ("transposed", "strided"), ("strided", "transposed")]):
        check_op(lambda a, b: a @ b, np.matmul, [sa, sb], ["real", "real"], layouts, seed=i)
    check_op(lambda a, b: a.matmul(b), np.matmul, [sa, sb], ["real", "real"], ["contiguous"] * 2, grad=False)
    check_op(lambda a, b: autograd.matmul(a, b), np.matmul, [sa, sb], ["real", "real"], ["contiguous"] * 2, grad=False)


def test_matmul_with_ndarray_operand():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    x = np.arange(6.0).reshape(2, 3)
    out = x @ w
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad, np.repeat(x.sum(axis=0)[:, None], 2, axis=1))


@pytest.mark.parametrize("sx", [(5, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(sx, bias):
    shapes = [sx, (4, 3)] + ([(4,)] if bias else [])

    def ref(x, w, b=None):
        return x @ w.T + (0 if b is None else b)

    def fn(x, w, b=None):
        return autograd.linear(x, w, b)

    check_op(fn, ref, shapes, ["real"] * len(shapes), ["strided", "transposed", "contiguous"][: len(shapes)])


# ------------------------------------------------------------- non-contiguous leaves, directly


@pytest.mark.parametrize(
    "name, fn, ref, domain", [u for u in UNARY if u[0] in {"exp", "tanh", "sigmoid", "relu", "log", "elu"}],
    ids=["exp", "log", "tanh", "sigmoid", "relu", "elu"],
)
def test_non_contiguous_leaf_gives_same_gradient_as_contiguous(name, fn, ref, domain):
    base = sample(np.random.default_rng(3), (6, 8), domain)
    for arr in (base.T, base[::2, 1::3], base[::-1]):
        assert not arr.flags.c_contiguous or arr.strides[0] < 0
        leaf = Tensor._make(arr).requires_grad_()
        twin = Tensor(np.ascontiguousarray(arr), requires_grad=True)
        cot = np.cos(np.arange(arr.size)).reshape(arr.shape)
        out = fn(leaf)
        np.testing.assert_allclose(out.data, ref(arr), **FWD_TOL)
        out.backward(cot)
        fn(twin).backward(cot)
        np.testing.assert_allclose(leaf.grad, twin.grad, **FWD_TOL)


# ------------------------------------------------------------------ second derivatives (create_graph)


def first_derivatives(fn, n_inputs, cot_seed=1):
    """The function (x...) -> d(sum(fn(x...) * c))/dx_k for each k, recorded with create_graph=True."""

    def derivs(*xs):
        with autograd.enable_grad():
            out = fn(*xs)
            cot = np.random.default_rng(cot_seed).standard_normal(out.shape)
            return autograd.gradients(out, list(xs), grad_outputs=cot, create_graph=True, allow_unused=True)

    return [lambda *xs, k=k: _zero_if_none(derivs(*xs)[k], xs[k]) for k in range(n_inputs)]


def _zero_if_none(g, like):
    return g if g is not None else Tensor._make(np.zeros_like(like.data))


SECOND_SHAPES = {1: [(3, 1, 2)], 2: [(3, 1, 2), (4, 1)]}


@pytest.mark.parametrize("name, fn, ref, domain", UNARY, ids=UNARY_IDS)
def test_second_derivative_unary(name, fn, ref, domain):
    rng = np.random.default_rng(5)
    x = Tensor(sample(rng, (3, 1, 2), domain), requires_grad=True)
    (dfn,) = first_derivatives(fn, 1)
    assert autograd.gradcheck(dfn, [x], **GRAD_TOL)


@pytest.mark.parametrize("name, fn, ref, da, db", BINARY, ids=BINARY_IDS)
def test_second_derivative_binary(name, fn, ref, da, db):
    rng = np.random.default_rng(6)
    a = Tensor(sample(rng, (3, 1, 2), da), requires_grad=True)
    b = Tensor(sample(rng, (4, 1), db), requires_grad=True)
    for dfn in first_derivatives(fn, 2):
        assert autograd.gradcheck(dfn, [a, b], **GRAD_TOL)


SECOND_OTHER = [
    ("sum", lambda x: x.sum(axis=1) ** 2, "real"),
    ("mean", lambda x: x.mean(axis=0, keepdims=True) ** 2, "real"),
    ("max", lambda x: x.max(axis=1) ** 2, "distinct"),
    ("var", lambda x: x.var(axis=1), "real"),
    ("logsumexp", lambda x: x.logsumexp(axis=1), "real"),
    ("logsumexp_all", lambda x: x.logsumexp(), "real"),
    ("logsumexp_tuple", lambda x: x.logsumexp(axis=(0, 1)), "real"),
    ("softmax", lambda x: x.softmax(axis=1), "real"),
    ("log_softmax", lambda x: x.log_softmax(axis=0), "real"),
    ("matmul", lambda x: (x @ x.T).tanh(), "real"),
    ("getitem", lambda x: x[np.array([0, 0, 2])] ** 2, "real"),
    ("concatenate", lambda x: autograd.concatenate([x, x * x], axis=1) ** 2, "real"),
    ("stack", lambda x: autograd.stack([x, x.exp()]) ** 2, "real"),
    ("linear", lambda x: autograd.linear(x, x * x, x[:, 0]).tanh(), "real"),
]


@pytest.mark.parametrize("name, fn, domain", SECOND_OTHER, ids=[s[0] for s in SECOND_OTHER])
def test_second_derivative_other_ops(name, fn, domain):
    x = Tensor(sample(np.random.default_rng(7), (3, 3), domain), requires_grad=True)
    (dfn,) = first_derivatives(fn, 1)
    assert autograd.gradcheck(dfn, [x], **GRAD_TOL)


def test_third_derivative_of_tanh():
    x = Tensor([0.3, -0.8], requires_grad=True)
    y = x.tanh().sum()
    (g1,) = autograd.gradients(y, [x], create_graph=True)
    (g2,) = autograd.gradients(g1.sum(), [x], create_graph=True)
    (g3,) = autograd.gradients(g2.sum(), [x])
    t = np.tanh(x.data)
    np.testing.assert_allclose(g1.data, 1 - t**2, rtol=1e-12)
    np.testing.assert_allclose(g2.data, -2 * t * (1 - t**2), rtol=1e-12)
    np.testing.assert_allclose(g3.data, (6 * t**2 - 2) * (1 - t**2), rtol=1e-12)


# ------------------------------------------------------------------------- float32 end to end


class Probe(Function):
    """Identity that records the dtype of the gradient flowing back through it."""

    seen: list = []

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        Probe.seen.append(g.dtype)
        return g


FLOAT32_CASES = (
    [(name, fn, [domain]) for name, fn, _, domain in UNARY]
    + [(name, fn, [da, db]) for name, fn, _, da, db in BINARY]
    + [(name, lambda x, f=fn: f(x, 1, False), [domain]) for name, fn, _, domain in REDUCTIONS]
    + [(name, lambda x, f=fn: f(x, -1), ["real"]) for name, fn, _ in SOFTMAXES]
    + [(name, fn, ["real"]) for name, fn, _, _ in MOVEMENT]
    + [
        ("getitem", lambda x: x[np.array([0, 0, 1])], ["real"]),
        ("matmul", lambda a, b: a @ b.T, ["real", "real"]),
        ("linear", lambda a, b: autograd.linear(a, b), ["real", "real"]),
        ("concatenate", lambda a, b: autograd.concatenate([a, b]), ["real", "real"]),
        ("stack", lambda a, b: autograd.stack([a, b]), ["real", "real"]),
        ("std", lambda x: x.std(axis=0), ["real"]),
    ]
)


@pytest.mark.parametrize("name, fn, domains", FLOAT32_CASES, ids=[c[0] for c in FLOAT32_CASES])
def test_float32_is_kept_through_forward_and_backward(name, fn, domains):
    rng = np.random.default_rng(8)
    shape = (3, 1, 4, 1) if name.startswith("squeeze") else (3, 1) if name == "broadcast_to" else (3, 4)
    if name in {"reshape", "reshape_infer", "view", "flatten_range", "transpose_axes", "permute", "transpose_pair",
                "swapaxes", "flatten", "transpose"}:
        shape = (2, 3, 4)
    leaves = [Tensor(sample(rng, shape, d).astype(np.float32), requires_grad=True) for d in domains]
    Probe.seen = []
    out = fn(*[Probe.apply(t) for t in leaves])
    assert out.dtype == np.float32, f"{name} forward gave {out.dtype}"
    (out * np.float32(1.5)).sum().backward()
    assert Probe.seen and all(dt == np.float32 for dt in Probe.seen), f"{name} backward gave {Probe.seen}"
    for t in leaves:
        assert t.grad is not None and t.grad.dtype == np.float32
    # and under create_graph: the recorded backward stays float32 as well
    Probe.seen = []
    out = fn(*[Probe.apply(t) for t in leaves])
    grads = autograd.gradients(out.sum(), leaves, create_graph=True)
    assert all(g.dtype == np.float32 for g in grads), f"{name} create_graph gave {[g.dtype for g in grads]}"


# ------------------------------------------------------------------------- misc op behaviour


def test_module_level_functions_match_methods():
    x = Tensor(np.linspace(0.5, 2.0, 6).reshape(2, 3))
    for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "log_sigmoid"):
        np.testing.assert_array_equal(getattr(autograd, name)(x).data, getattr(x, name)().data)
    np.testing.assert_array_equal(autograd.softmax(x, axis=0).data, x.softmax(axis=0).data)
    np.testing.assert_array_equal(autograd.log_softmax(x).data, x.log_softmax().data)
    np.testing.assert_array_equal(autograd.logsumexp(x, axis=1).data, x.logsumexp(axis=1).data)
    np.testing.assert_array_equal(autograd.clip(x, 0.7, 1.2).data, np.clip(x.data, 0.7, 1.2))
    np.testing.assert_array_equal(autograd.exp(np.zeros(2)).data, np.ones(2))


def test_ndarray_on_the_left_gives_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for out in (np.ones(2) + x, np.ones(2) - x, np.ones(2) * x, np.ones(2) / x, np.ones(2) ** x):
        assert isinstance(out, Tensor) and out.requires_grad


def test_exp_and_log_edge_values_follow_numpy():
    with np.errstate(all="ignore"):
        assert Tensor([1000.0]).exp().data[0] == math.inf
        assert Tensor([0.0]).log().data[0] == -math.inf
        assert Tensor([1000.0]).sigmoid().data[0] == 1.0
        assert Tensor([-1000.0]).sigmoid().data[0] == 0.0
        assert Tensor([1000.0]).softplus().data[0] == 1000.0


@pytest.mark.numpy_only
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_erf_without_scipy_uses_math_erf(monkeypatch, dtype):
    from autograd.ops import unary

    x = np.linspace(-4, 4, 17).astype(dtype)
    with_scipy = unary.erf_array(x)
    monkeypatch.setattr(unary, "_scipy_erf", False)  # as if SciPy were not installed
    without = unary.erf_array(x)
    assert without.dtype == dtype and with_scipy.dtype == dtype
    np.testing.assert_allclose(without, [math.erf(float(v)) for v in x], rtol=1e-6 if dtype == np.float32 else 1e-15)
    np.testing.assert_allclose(without, with_scipy, rtol=1e-6 if dtype == np.float32 else 1e-15, atol=1e-30)
    assert unary.erf_array(np.float64(0.5)) == pytest.approx(math.erf(0.5), rel=1e-15)  # a numpy scalar


@pytest.mark.numpy_only
def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        Tensor([1.0]).gelu("erf")
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        Value(1.0).gelu("fast")
