"""Property tests: random expression graphs over the tensor ops, gradients checked against central differences.

Hypothesis draws a few input tensors of mutually broadcastable shapes, then a
program of up to eight ops, each applied to nodes made so far: elementwise
maths, broadcasting arithmetic, reductions over random axes, the softmax
family, reshapes, indexing, joins and matrix products. Ops are drawn only
where they are defined and smooth at the current values (no log of a
negative, no relu at a kink, no max with a near tie), so that a finite
difference is a fair judge. The loss is a weighted sum of *every* node, so
each op's backward is exercised even when a later op would hide it.

Each graph is replayed in float64 with no_grad for the central differences;
the analytic gradient comes from the engine, in float64 or float32.
Tolerances are relative: to each entry, and to the size of the loss.

CI runs a bounded, derandomised set of examples. For a long exploration:

    GRADWORK_HYPOTHESIS_PROFILE=long python -m pytest tests/test_random_graphs.py
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import autograd
from autograd import Tensor, no_grad

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LONG = os.environ.get("GRADWORK_HYPOTHESIS_PROFILE", "").lower() == "long"
_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    derandomize=not LONG,
    database=None if not LONG else settings.default.database,
)
FIRST_ORDER = settings(max_examples=5000 if LONG else 300, **_COMMON)
SECOND_ORDER = settings(max_examples=2000 if LONG else 100, **_COMMON)
MAX_OPS = 8
MARGIN = 1e-3  # distance kept from kinks, ties and domain edges


# ------------------------------------------------------------------ ops


def _min_gap_top2(a: np.ndarray, axis) -> float:
    """Smallest gap between the largest and second largest entry along ``axis`` (inf if one entry)."""
    if axis is None:
        a = a.reshape(-1)
        axis = 0
    if a.shape[axis] < 2:
        return np.inf
    s = np.sort(a, axis=axis)
    top = np.take(s, -1, axis=axis) - np.take(s, -2, axis=axis)
    bottom = np.take(s, 1, axis=axis) - np.take(s, 0, axis=axis)
    return float(min(top.min(), bottom.min())) if top.size else np.inf


def _away(x: np.ndarray, points=(0.0,)) -> bool:
    return all(np.all(np.abs(x - p) > MARGIN) for p in points)


# name -> (valid at these values?, apply to tensors)
UNARY = {
    "neg": (lambda x, p: True, lambda x, p: -x),
    "exp": (lambda x, p: x.max(initial=-np.inf) < 4, lambda x, p: x.exp()),
    "log": (lambda x, p: x.min(initial=np.inf) > 0.1, lambda x, p: x.log()),
    "sqrt": (lambda x, p: x.min(initial=np.inf) > 0.1, lambda x, p: x.sqrt()),
    "tanh": (lambda x, p: True, lambda x, p: x.tanh()),
    "sigmoid": (lambda x, p: True, lambda x, p: x.sigmoid()),
    "softplus": (lambda x, p: True, lambda x, p: x.softplus()),
    "log_sigmoid": (lambda x, p: True, lambda x, p: x.log_sigmoid()),
    "sin": (lambda x, p: True, lambda x, p: x.sin()),
    "cos": (lambda x, p: True, lambda x, p: x.cos()),
    "silu": (lambda x, p: True, lambda x, p: x.silu()),
    "gelu": (lambda x, p: True, lambda x, p: x.gelu()),
    "relu": (lambda x, p: _away(x), lambda x, p: x.relu()),
    "leaky_relu": (lambda x, p: _away(x), lambda x, p: x.leaky_relu(0.1)),
    "elu": (lambda x, p: _away(x), lambda x, p: x.elu(0.7)),
    "abs": (lambda x, p: _away(x), lambda x, p: abs(x)),
    "square": (lambda x, p: np.abs(x).max(initial=0) < 30, lambda x, p: x**2),
    "cube": (lambda x, p: np.abs(x).max(initial=0) < 10, lambda x, p: x**3),
    "pow_frac": (lambda x, p: x.min(initial=np.inf) > 0.1 and x.max(initial=0) < 30, lambda x, p: x**1.5),
    "rpow": (lambda x, p: x.max(initial=-np.inf) < 4, lambda x, p: 2.0**x),
    "reciprocal": (lambda x, p: np.abs(x).min(initial=np.inf) > 0.3, lambda x, p: 1.0 / x),
    "clip": (lambda x, p: _away(x, (-0.5, 0.5)), lambda x, p: x.clip(-0.5, 0.5)),
    "scale_shift": (lambda x, p: True, lambda x, p: x * 0.5 - 0.25),
    "cast_roundtrip": (lambda x, p: True, lambda x, p: x.astype(np.float64).astype(x.dtype)),  # Cast twice in f32
}

REDUCE = {
    "sum": (lambda x, a: True, lambda x, a: x.sum(axis=a)),
    "sum_keep": (lambda x, a: True, lambda x, a: x.sum(axis=a, keepdims=True)),
    "mean": (lambda x, a: x.size > 0, lambda x, a: x.mean(axis=a)),
    "max": (lambda x, a: x.size > 0 and _min_gap_top2(x, a) > MARGIN, lambda x, a: x.max(axis=a)),
    "min": (lambda x, a: x.size > 0 and _min_gap_top2(x, a) > MARGIN, lambda x, a: x.min(axis=a, keepdims=True)),
    "logsumexp": (lambda x, a: x.size > 0, lambda x, a: x.logsumexp(axis=a)),
    "var": (lambda x, a: x.size > 1 and (a is None or x.shape[a] > 1), lambda x, a: x.var(axis=a)),
}

ROWWISE = {  # need one axis
    "softmax": lambda x, a: x.softmax(axis=a),
    "log_softmax": lambda x, a: x.log_softmax(axis=a),
}

BINARY = {
    "add": (lambda a, b: True, lambda a, b: a + b),
    "sub": (lambda a, b: True, lambda a, b: a - b),
    "mul": (lambda a, b: True, lambda a, b: a * b),
    "div": (lambda a, b: np.abs(b).min(initial=np.inf) > 0.3, lambda a, b: a / b),
    "pow": (lambda a, b: a.min(initial=np.inf) > 0.1 and a.max(initial=0) < 20 and np.abs(b).max(initial=0) < 2,
            lambda a, b: a**b),
    "maximum": (lambda a, b: _away(a - b), lambda a, b: autograd.maximum(a, b)),
    "minimum": (lambda a, b: _away(a - b), lambda a, b: autograd.minimum(a, b)),
    "where": (lambda a, b: _away(a * b), lambda a, b: autograd.where(a.data * b.data > 0, a, b)),
}


# --------------------------------------------------------------- programs


@st.composite
def programs(draw):
    """(input arrays, list of steps, weight seed); a step is (kind, op name, operand indices, parameter).

    Hypothesis draws the number of inputs and of ops and a seed; the seed drives the shapes and the choice
    of each op and operand, so that shapes and ops are spread evenly (hypothesis itself favours the smallest
    shapes and the first item of a list), while shrinking still removes inputs and ops.
    """
    n_inputs = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    ndim = int(rng.choice(4, p=[0.1, 0.3, 0.4, 0.2]))
    full = tuple(int(n) for n in rng.integers(1, 5, size=ndim))
    inputs = []
    for _ in range(n_inputs):
        keep = len(full) if rng.random() < 0.6 else int(rng.integers(0, len(full) + 1))
        shape = tuple(1 if rng.random() < 0.25 else n for n in full[len(full) - keep:])
        inputs.append(rng.uniform(-1.5, 1.5, size=shape))
    values = [x.copy() for x in inputs]  # forward values of every node, to decide which ops are valid
    steps = []
    for _ in range(draw(st.integers(1, MAX_OPS))):
        for _attempt in range(5):  # an op invalid at these values is redrawn
            step = _draw_step(rng, values)
            if step is None:
                continue
            kind, name, idx, param = step
            with no_grad():
                out = _apply(kind, name, [Tensor(values[i]) for i in idx], param)
            if np.all(np.isfinite(out.data)) and np.abs(out.data).max(initial=0) <= 1e6:
                values.append(out.data)
                steps.append(step)
                break
    return inputs, steps, int(rng.integers(0, 2**31))


KINDS = ["unary", "unary", "binary", "binary", "reduce", "rowwise", "shape", "matmul", "join"]
SHAPE_OPS = ["reshape", "transpose", "getitem_int", "getitem_slice", "getitem_fancy", "broadcast_to", "unsqueeze",
             "squeeze", "flatten"]


def _pick(rng, items):
    return items[int(rng.integers(0, len(items)))]


def _draw_step(rng, values):
    kind = _pick(rng, KINDS)
    i = int(rng.integers(0, len(values)))
    x = values[i]
    if kind == "unary":
        name = _pick(rng, sorted(UNARY))
        return ("unary", name, [i], None) if UNARY[name][0](x, None) else None
    if kind == "binary":
        j = int(rng.integers(0, len(values)))
        try:
            a, b = np.broadcast_arrays(x, values[j])
        except ValueError:
            return None
        name = _pick(rng, sorted(BINARY))
        return ("binary", name, [i, j], None) if BINARY[name][0](a, b) else None
    if kind == "reduce":
        name = _pick(rng, sorted(REDUCE))
        axis = None if x.ndim == 0 or rng.random() < 0.3 else int(rng.integers(-x.ndim, x.ndim))
        return ("reduce", name, [i], axis) if x.size and REDUCE[name][0](x, axis) else None
    if kind == "rowwise":
        if x.ndim == 0 or x.size == 0:
            return None
        return ("rowwise", _pick(rng, sorted(ROWWISE)), [i], int(rng.integers(-x.ndim, x.ndim)))
    if kind == "shape":
        name = _pick(rng, SHAPE_OPS)
        if x.ndim == 0 and name in ("transpose", "getitem_int", "getitem_slice", "getitem_fancy", "squeeze"):
            return None
        if name == "getitem_fancy":  # repeated indices must accumulate their gradients
            return ("shape", name, [i], tuple(int(k) for k in rng.integers(0, x.shape[0], int(rng.integers(1, 5)))))
        if name == "getitem_int":
            return ("shape", name, [i], int(rng.integers(-x.shape[0], x.shape[0])))
        if name == "broadcast_to":
            return ("shape", name, [i], (int(rng.integers(1, 4)),) + x.shape)
        if name == "unsqueeze":
            return ("shape", name, [i], int(rng.integers(0, x.ndim + 1)))
        return ("shape", name, [i], None)
    if kind == "matmul":
        j = int(rng.integers(0, len(values)))
        if x.ndim == 0 or values[j].ndim == 0:
            return None
        try:
            np.matmul(x, values[j])
        except ValueError:
            return None
        return ("matmul", "matmul", [i, j], None)
    # join: stack or concatenate with nodes of the same shape (possibly itself)
    same = [j for j, v in enumerate(values) if v.shape == x.shape]
    others = [int(_pick(rng, same)) for _ in range(int(rng.integers(1, 3)))]
    name = _pick(rng, ["stack", "concatenate"] if x.ndim else ["stack"])
    axis = int(rng.integers(0, x.ndim + 1)) if name == "stack" else int(rng.integers(0, x.ndim))
    return ("join", name, [i] + others, axis)


def _apply(kind, name, xs, param):
    if kind == "unary":
        return UNARY[name][1](xs[0], param)
    if kind == "binary":
        return BINARY[name][1](xs[0], xs[1])
    if kind == "reduce":
        return REDUCE[name][1](xs[0], param)
    if kind == "rowwise":
        return ROWWISE[name](xs[0], param)
    if kind == "matmul":
        return xs[0] @ xs[1]
    if kind == "join":
        return (autograd.stack if name == "stack" else autograd.concatenate)(xs, axis=param)
    x = xs[0]
    if name == "reshape":
        return x.reshape(-1)
    if name == "transpose":
        return x.transpose()
    if name == "getitem_int":
        return x[param]
    if name == "getitem_slice":
        return x[::2]
    if name == "getitem_fancy":
        return x[list(param)]
    if name == "broadcast_to":
        return x.broadcast_to(param)
    if name == "unsqueeze":
        return x.unsqueeze(param)
    if name == "squeeze":
        return x.squeeze()
    if name == "flatten":
        return x.flatten()
    raise AssertionError(name)


def build(program, dtype=np.float64):
    """The program as a function of its inputs: returns every node (inputs first)."""
    inputs, steps, _ = program

    def f(*xs):
        nodes = list(xs)
        for kind, name, idx, param in steps:
            nodes.append(_apply(kind, name, [nodes[i] for i in idx], param))
        return nodes

    return f


def weighted_loss(program, nodes):
    """sum_k <c_k, node_k> over every node made by an op, with fixed random weights c_k."""
    inputs, _, seed = program
    rng = np.random.default_rng(seed)
    total = None
    for node in nodes[len(inputs):]:
        c = rng.standard_normal(node.shape).astype(node.dtype)
        term = (node * c).sum()
        total = term if total is None else total + term
    if total is None:  # no op survived: the inputs themselves
        total = sum(((x * 1.0).sum() for x in nodes), Tensor(0.0))
    return total


def numeric_gradient(fn, arrays, eps=1e-6):
    """Central differences of the scalar fn(*arrays) in float64, one entry at a time."""
    grads = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            g[idx] = (fn(*plus) - fn(*minus)) / (2 * eps)
        grads.append(g)
    return grads


def _loss_value(program, f):
    def value(*arrays):
        with no_grad():
            return float(weighted_loss(program, f(*[Tensor(a) for a in arrays])).item())

    return value


def _check(analytic, numeric, scale, rtol, what):
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        a = np.zeros_like(n) if a is None else np.asarray(a, dtype=np.float64)
        assert a.shape == n.shape, f"{what}: input {k} gradient shape {a.shape} != {n.shape}"
        np.testing.assert_allclose(a, n, rtol=rtol, atol=rtol * scale, err_msg=f"{what}, input {k}")


def _describe(program) -> str:
    inputs, steps, _ = program
    return f"inputs {[x.shape for x in inputs]}, steps {[(s[1], s[2], s[3]) for s in steps]}"


# ------------------------------------------------------------------ properties


@FIRST_ORDER
@given(program=programs(), dtype=st.sampled_from([np.float64, np.float64, np.float32]))
def test_random_graph_gradients_match_central_differences(program, dtype):
    inputs, _, _ = program
    f = build(program)
    xs = [Tensor(a.astype(dtype), requires_grad=True) for a in inputs]
    loss = weighted_loss(program, f(*xs))
    loss.backward()
    for x in xs:
        assert x.grad is None or x.grad.dtype == dtype, f"gradient dtype {x.grad.dtype} for {dtype.__name__} input"
    arrays = [x.data.astype(np.float64) for x in xs]  # the same (rounded) numbers, differentiated in float64
    value = _loss_value(program, f)
    numeric = numeric_gradient(value, arrays)
    scale = 1.0 + max(abs(value(*arrays)), max((np.abs(n).max(initial=0) for n in numeric), default=0))
    rtol = 1e-5 if dtype == np.float64 else 2e-3
    _check([x.grad for x in xs], numeric, scale, rtol, f"{dtype.__name__} {_describe(program)}")


@FIRST_ORDER
@given(program=programs())
def test_random_graph_gradients_agree_between_backward_and_gradients(program):
    """``backward`` (accumulating into .grad) and ``gradients`` (returning them) give identical numbers."""
    inputs, _, _ = program
    f = build(program)
    xs = [Tensor(a, requires_grad=True) for a in inputs]
    loss = weighted_loss(program, f(*xs))
    got = autograd.gradients(loss, xs, retain_graph=True, allow_unused=True)
    loss.backward()
    for x, g in zip(xs, got):
        if g is None:
            assert x.grad is None or not np.any(x.grad)
        else:
            np.testing.assert_array_equal(g.data, x.grad)


@SECOND_ORDER
@given(program=programs(), direction_seed=st.integers(0, 2**16))
def test_random_graph_hessian_vector_products_match_differences_of_gradients(program, direction_seed):
    """Backward rules also run on Tensors (create_graph=True): d/dx <grad L(x), v> vs differences of grad L."""
    inputs, _, _ = program
    f = build(program)
    rng = np.random.default_rng(direction_seed)
    vs = [rng.standard_normal(a.shape) for a in inputs]

    def grads_at(arrays, create_graph):
        xs = [Tensor(a, requires_grad=True) for a in arrays]
        loss = weighted_loss(program, f(*xs))
        if not loss.requires_grad:
            return xs, [None] * len(xs)
        return xs, list(autograd.gradients(loss, xs, create_graph=create_graph, allow_unused=True))

    xs, gs = grads_at(inputs, create_graph=True)
    terms = [(g * v).sum() for g, v in zip(gs, vs) if g is not None and g.requires_grad]
    if not terms:
        return  # the graph is linear in every input: no second derivative to check
    gv = terms[0]
    for t in terms[1:]:
        gv = gv + t
    analytic = autograd.gradients(gv, xs, allow_unused=True)

    def gv_value(*arrays):
        _, g = grads_at(arrays, create_graph=False)
        return float(sum(np.sum(gi.data * v) for gi, v in zip(g, vs) if gi is not None))

    numeric = numeric_gradient(gv_value, [a.copy() for a in inputs], eps=1e-5)
    scale = 1.0 + max(abs(gv_value(*inputs)), max((np.abs(n).max(initial=0) for n in numeric), default=0))
    _check([None if a is None else a.data for a in analytic], numeric, scale, 1e-4, _describe(program))


def test_profiles_are_bounded_in_ci():
    assert FIRST_ORDER.max_examples <= (5000 if LONG else 300)
    assert SECOND_ORDER.max_examples <= (2000 if LONG else 100)
