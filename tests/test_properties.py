"""Every op over random shapes drawn by hypothesis: broadcasting, size-1 axes, any axis, non-contiguous views.

The op tables and the check (forward against numpy, ``gradcheck`` in float64
through the view) come from ``test_ops.py``. The draws are derandomised so a
run is repeatable, and the example counts are small: the backend cannot
matter here (``test_ops.py`` runs fixed cases on every backend), so these run
on the numpy reference only.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_ops import BINARY, BINARY_IDS, LAYOUTS, REDUCTION_IDS, REDUCTIONS, SOFTMAXES, UNARY, UNARY_IDS, check_op

import autograd
from autograd import Tensor

pytestmark = pytest.mark.numpy_only


def examples(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
LAYOUT = st.sampled_from(LAYOUTS)
SEED = st.integers(0, 2**16)


@st.composite
def shape_and_axis(draw, min_dims: int = 1):
    """A shape and an axis argument for it: None, an int (maybe negative) or a tuple of distinct axes."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=3))
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-nd, nd - 1))
    axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    return shape, tuple(a - nd if draw(st.booleans()) else a for a in axes)


@pytest.mark.parametrize("name, fn, ref, domain", UNARY, ids=UNARY_IDS)
@examples(25)
@given(shape=SHAPES, layout=LAYOUT, seed=SEED)
def test_unary_random_shapes(name, fn, ref, domain, shape, layout, seed):
    check_op(fn, ref, [shape], [domain], [layout], seed=seed)


@pytest.mark.parametrize("name, fn, ref, da, db", BINARY, ids=BINARY_IDS)
@examples(25)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3),
    layouts=st.tuples(LAYOUT, LAYOUT),
    seed=SEED,
)
def test_binary_random_broadcast(name, fn, ref, da, db, shapes, layouts, seed):
    check_op(fn, ref, list(shapes.input_shapes), [da, db], list(layouts), seed=seed)


@examples(25)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=1, max_side=3),
    layouts=st.tuples(LAYOUT, LAYOUT),
    seed=SEED,
)
def test_where_three_way_broadcast(shapes, layouts, seed):
    mask_shape, sa, sb = shapes.input_shapes
    mask = np.random.default_rng(seed).random(mask_shape) < 0.5
    check_op(
        lambda a, b: autograd.where(mask, a, b), lambda a, b: np.where(mask, a, b),
        [sa, sb], ["real", "real"], list(layouts), seed=seed,
    )


@pytest.mark.parametrize("name, fn, ref, domain", REDUCTIONS, ids=REDUCTION_IDS)
@examples(25)
@given(case=shape_and_axis(), keepdims=st.booleans(), layout=LAYOUT, seed=SEED)
def test_reduction_random_axes(name, fn, ref, domain, case, keepdims, layout, seed):
    shape, axis = case
    if name == "var_ddof1":
        axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
        assume(int(np.prod([shape[a] for a in axes])) > 1)
    check_op(
        lambda x: fn(x, axis, keepdims), lambda x: ref(x, axis=axis, keepdims=keepdims),
        [shape], [domain], [layout], seed=seed,
    )


@pytest.mark.parametrize("name, fn, ref", SOFTMAXES, ids=[s[0] for s in SOFTMAXES])
@examples(25)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), data=st.data(), layout=LAYOUT,
       seed=SEED)
def test_softmax_random_axis(name, fn, ref, shape, data, layout, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_op(lambda x: fn(x, axis), lambda x: ref(x, axis), [shape], ["real"], [layout], seed=seed)


# --------------------------------------------------------------------------------- movement


@st.composite
def movement_case(draw):
    """(shape, tensor function, numpy reference) for a random movement op."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    nd = len(shape)
    kind = draw(st.sampled_from(["reshape", "permute", "transpose", "flatten", "squeeze", "unsqueeze", "broadcast"]))
    if kind == "reshape":
        target = list(draw(st.permutations(shape))) + [1] * draw(st.integers(0, 1))
        if target and draw(st.booleans()):
            target[draw(st.integers(0, len(target) - 1))] = -1
        target = tuple(target)
        return shape, lambda x: x.reshape(target), lambda x: x.reshape(target)
    if kind == "permute":
        perm = tuple(draw(st.permutations(range(nd))))
        return shape, lambda x: x.permute(perm), lambda x: x.transpose(perm)
    if kind == "transpose":
        return shape, lambda x: x.transpose(), lambda x: x.transpose()
    if kind == "flatten":
        return shape, lambda x: x.flatten(), lambda x: x.reshape(-1)
    if kind == "squeeze":
        ones = [i for i, n in enumerate(shape) if n == 1]
        if ones and draw(st.booleans()):
            axis = draw(st.sampled_from(ones))
            return shape, lambda x: x.squeeze(axis), lambda x: np.squeeze(x, axis)
        return shape, lambda x: x.squeeze(), np.squeeze
    if kind == "unsqueeze":
        axis = draw(st.integers(-nd - 1, nd))
        return shape, lambda x: x.unsqueeze(axis), lambda x: np.expand_dims(x, axis)
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    target = lead + tuple(draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    return shape, lambda x: x.broadcast_to(target), lambda x: np.broadcast_to(x, target)


@examples(60)
@given(case=movement_case(), layout=LAYOUT, seed=SEED)
def test_movement_random(case, layout, seed):
    shape, fn, ref = case
    check_op(fn, ref, [shape], ["real"], [layout], seed=seed)


@st.composite
def index_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    kind = draw(st.sampled_from(["basic", "integer", "mask", "mask_axis0"]))
    if kind == "basic":
        index = draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    elif kind == "integer":
        index = draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2,
                                                                                  max_side=4)))
    elif kind == "mask":
        index = draw(hnp.arrays(np.bool_, shape))
    else:
        index = draw(hnp.arrays(np.bool_, shape[:1]))
    return shape, index


@examples(60)
@given(case=index_case(), layout=LAYOUT, seed=SEED)
def test_getitem_random(case, layout, seed):
    shape, index = case
    check_op(lambda x: x[index], lambda x: x[index], [shape], ["real"], [layout], seed=seed)


@examples(25)
@given(
    base=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
    n=st.integers(1, 3),
    data=st.data(),
    layout=LAYOUT,
    seed=SEED,
)
def test_concatenate_and_stack_random(base, n, data, layout, seed):
    nd = len(base)
    axis = data.draw(st.integers(-nd, nd - 1))
    lengths = data.draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    shapes = [base[: axis % nd] + (k,) + base[axis % nd + 1:] for k in lengths]
    check_op(
        lambda *ts: autograd.concatenate(list(ts), axis=axis), lambda *a: np.concatenate(a, axis=axis),
        shapes, ["real"] * n, [layout] * n, seed=seed,
    )
    new_axis = data.draw(st.integers(-nd - 1, nd))
    check_op(
        lambda *ts: autograd.stack(list(ts), axis=new_axis), lambda *a: np.stack(a, axis=new_axis),
        [base] * n, ["real"] * n, [layout] * n, seed=seed,
    )


@examples(50)
@given(
    batch=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, min_side=1, max_side=3),
    nkm=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    vectors=st.sampled_from([(False, False), (True, False), (False, True), (True, True)]),
    layouts=st.tuples(LAYOUT, LAYOUT),
    seed=SEED,
)
def test_matmul_random(batch, nkm, vectors, layouts, seed):
    n, k, m = nkm
    ba, bb = batch.input_shapes
    sa = (k,) if vectors[0] else ba + (n, k)
    sb = (k,) if vectors[1] else bb + (k, m)
    check_op(lambda a, b: a @ b, np.matmul, [sa, sb], ["real", "real"], list(layouts), seed=seed)


# ------------------------------------------------------------------------- whole-graph properties


@examples(20)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3),
    seed=SEED,
)
def test_backward_is_linear_in_the_seed(shapes, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = Tensor(rng.uniform(0.5, 2, sa), requires_grad=True)
    b = Tensor(rng.uniform(-1, 1, sb), requires_grad=True)
    g1, g2 = rng.standard_normal(shapes.result_shape), rng.standard_normal(shapes.result_shape)

    def grads(seed_grad):
        out = (a.log() * b.tanh() + a / (1 + b * b)).exp()
        return autograd.gradients(out, [a, b], grad_outputs=seed_grad)

    combined = grads(2.0 * g1 - 3.0 * g2)
    separate = [2.0 * x.data - 3.0 * y.data for x, y in zip(grads(g1), grads(g2))]
    for c, s in zip(combined, separate):
        assert c.shape == s.shape
        np.testing.assert_allclose(c.data, s, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, fn, ref, da, db", BINARY, ids=BINARY_IDS)
@examples(8)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3),
    seed=SEED,
)
def test_float32_broadcasting_keeps_dtype(name, fn, ref, da, db, shapes, seed):
    from test_ops import sample

    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = Tensor(sample(rng, sa, da).astype(np.float32), requires_grad=True)
    b = Tensor(sample(rng, sb, db).astype(np.float32), requires_grad=True)
    out = fn(a, b)
    assert out.dtype == np.float32 and out.shape == shapes.result_shape
    out.sum().backward()
    assert a.grad.dtype == np.float32 and a.grad.shape == sa
    assert b.grad.dtype == np.float32 and b.grad.shape == sb
