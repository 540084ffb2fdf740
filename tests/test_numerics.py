"""Numerics at the extremes: every saturating op gives finite, correct values and gradients at ±1e3 and ±1e30.

One table lists every case: op x dtype (float32, float64) x extreme input, in
tensor mode (both backends, under ``detect_anomaly`` and with numpy's
overflow/invalid warnings turned into errors) and in scalar mode (``Value``s
are Python floats, so float64 only). The reference values and gradients come
from formulas written here with ``np.logaddexp`` in float64, not from the code
under test; PyTorch, where installed, is a second oracle.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor, Value, detect_anomaly

F = pytest.importorskip("nn.functional")  # the losses and scalar-mode softmax live in nn

EXTREMES = [1e3, -1e3, 1e30, -1e30]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: (1e-5, 1e-6), np.float64: (1e-12, 1e-14)}  # (rtol, atol) per element


REPEAT = 100  # 300 rows: above the sizes where the numba backend hands small arrays to numpy


def inputs(v: float) -> np.ndarray:
    """Rows mixing the extreme value with ordinary ones, a row of ties at the extreme, and ±v together."""
    return np.tile(np.array([[v, 0.5, -2.0], [v, v, v], [v, -v, 0.0]]), (REPEAT, 1))


WEIGHTS = np.tile([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0], [2.0, 1.0, -0.5]], (REPEAT, 1))  # dL/d(out), elementwise
ROW_WEIGHTS = np.tile([1.5, -1.0, 0.5], REPEAT)  # dL/d(out) for per-row reductions
BCE_TARGETS = np.tile([[1.0, 0.0, 1.0], [0.0, 1.0, 0.25], [1.0, 0.0, 0.5]], (REPEAT, 1))
CE_LABELS = np.tile([2, 0, 1], REPEAT)
ROWS = 3 * REPEAT


# ----------------------------------------------------- float64 references


def _shifted(x):
    """(x - max, log sum e**(x - max)) per row: the pieces every softmax reference is built from."""
    z = x - x.max(axis=-1, keepdims=True)
    return z, np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _lse(x):
    return np.logaddexp.reduce(x, axis=-1)


def _log_softmax(x):
    z, log_total = _shifted(x)
    return z - log_total  # not x - lse(x): that loses log(n) once |x| ~ 1e30


def _softmax(x):
    return np.exp(_log_softmax(x))


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


REFERENCE = {
    # name: (value(x), gradient of sum(weights * value) w.r.t. x)
    "sigmoid": (_sigmoid, lambda x: WEIGHTS * np.exp(-np.logaddexp(0.0, -x) - np.logaddexp(0.0, x))),
    "tanh": (np.tanh, lambda x: WEIGHTS * (1.0 - np.tanh(x) ** 2)),
    "softplus": (lambda x: np.logaddexp(0.0, x), lambda x: WEIGHTS * _sigmoid(x)),
    "log_sigmoid": (lambda x: -np.logaddexp(0.0, -x), lambda x: WEIGHTS * _sigmoid(-x)),
    "logsumexp": (_lse, lambda x: ROW_WEIGHTS[:, None] * _softmax(x)),
    "softmax": (_softmax, lambda x: _softmax(x) * (WEIGHTS - (WEIGHTS * _softmax(x)).sum(-1, keepdims=True))),
    "log_softmax": (_log_softmax, lambda x: WEIGHTS - _softmax(x) * WEIGHTS.sum(-1, keepdims=True)),
    "bce_with_logits": (
        lambda x: np.mean(np.logaddexp(0.0, x) - BCE_TARGETS * x),
        lambda x: (_sigmoid(x) - BCE_TARGETS) / x.size,
    ),
    "cross_entropy": (
        lambda x: -np.mean(_log_softmax(x)[np.arange(ROWS), CE_LABELS]),
        lambda x: (_softmax(x) - np.eye(3)[CE_LABELS]) / ROWS,
    ),
}


# ------------------------------------------------------ ops under test


def _weighted(out):
    if out.ndim == 0:
        return out
    w = WEIGHTS if out.ndim == 2 else ROW_WEIGHTS
    return (out * w.astype(out.dtype)).sum()


TENSOR_OPS = {
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "softplus": lambda x: x.softplus(),
    "log_sigmoid": lambda x: x.log_sigmoid(),
    "logsumexp": lambda x: x.logsumexp(axis=-1),
    "softmax": lambda x: x.softmax(axis=-1),
    "log_softmax": lambda x: x.log_softmax(axis=-1),
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x, BCE_TARGETS),
    "cross_entropy": lambda x: F.cross_entropy(x, CE_LABELS),
}


def _per_element(fn):
    def run(xs):
        out = np.empty(xs.shape, dtype=object)
        for idx in np.ndindex(xs.shape):
            out[idx] = fn(xs[idx])
        return out

    return run


SCALAR_OPS = {
    "sigmoid": _per_element(Value.sigmoid),
    "tanh": _per_element(Value.tanh),
    "softplus": _per_element(Value.softplus),
    "log_sigmoid": _per_element(lambda v: -(-v).softplus()),  # Value has no log_sigmoid: -softplus(-x)
    "softmax": lambda xs: F.softmax(xs, axis=-1),
    "log_softmax": lambda xs: F.log_softmax(xs, axis=-1),
    "bce_with_logits": lambda xs: F.binary_cross_entropy_with_logits(xs, BCE_TARGETS),
    "cross_entropy": lambda xs: F.cross_entropy(xs, CE_LABELS),
    # logsumexp: nn offers no scalar-mode logsumexp; it is covered inside cross_entropy and log_softmax
}


def _close(actual, expected, dtype, what):
    rtol, atol = TOL[dtype]
    actual = np.asarray(actual, dtype=np.float64)
    assert np.isfinite(actual).all(), f"{what}: not finite: {actual}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


CASES = [(op, dt, v) for op in REFERENCE for dt in DTYPES for v in EXTREMES]


def _id(case):
    op, dt, v = case
    return f"{op}-{np.dtype(dt).name}-{v:+g}"


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_tensor_mode_is_finite_and_correct(case):
    op, dtype, v = case
    x = Tensor(inputs(v).astype(dtype), requires_grad=True)
    x64 = x.data.astype(np.float64)  # the reference sees the same (rounded) inputs
    ref_value, ref_grad = REFERENCE[op]
    with detect_anomaly():
        out = TENSOR_OPS[op](x)
        _weighted(out).backward()
    assert out.dtype == dtype and x.grad.dtype == dtype, f"{op}: dtype changed to {out.dtype}/{x.grad.dtype}"
    _close(out.data, ref_value(x64), dtype, f"{_id(case)} value")
    _close(x.grad, ref_grad(x64), dtype, f"{_id(case)} gradient")


SCALAR_CASES = [(op, np.float64, v) for op in SCALAR_OPS for v in EXTREMES]


@pytest.mark.numpy_only
@pytest.mark.parametrize("case", SCALAR_CASES, ids=[_id(c) for c in SCALAR_CASES])
def test_scalar_mode_is_finite_and_correct(case):
    op, _, v = case
    x = inputs(v)
    xs = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        xs[idx] = Value(float(x[idx]))
    ref_value, ref_grad = REFERENCE[op]
    out = SCALAR_OPS[op](xs)
    if type(out) is Value:
        value, total = out.data, out
    else:
        value = np.vectorize(lambda o: o.data, otypes=[float])(out)
        total = Value.sum([o * float(w) for o, w in zip(out.reshape(-1), WEIGHTS.reshape(-1))])
    total.backward()
    grad = np.vectorize(lambda o: o.grad, otypes=[float])(xs)
    assert all(math.isfinite(g) for g in grad.reshape(-1))
    _close(value, ref_value(x), np.float64, f"{_id(case)} value (scalar mode)")
    _close(grad, ref_grad(x), np.float64, f"{_id(case)} gradient (scalar mode)")


def test_every_op_has_a_case_in_both_modes():
    assert set(TENSOR_OPS) == set(REFERENCE)
    assert set(SCALAR_OPS) == set(REFERENCE) - {"logsumexp"}


# ---------------------------------------------------------- PyTorch oracle


def _torch_ops(torch):
    tf = torch.nn.functional
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softplus": tf.softplus,
        "log_sigmoid": tf.logsigmoid,
        "logsumexp": lambda x: torch.logsumexp(x, dim=-1),
        "softmax": lambda x: torch.softmax(x, dim=-1),
        "log_softmax": lambda x: torch.log_softmax(x, dim=-1),
        "bce_with_logits": lambda x: tf.binary_cross_entropy_with_logits(x, torch.tensor(BCE_TARGETS, dtype=x.dtype)),
        "cross_entropy": lambda x: tf.cross_entropy(x, torch.tensor(CE_LABELS)),
    }


def _error(actual, expected, dtype):
    """Largest violation of |actual - expected| <= rtol |expected| + atol, in units of that bound."""
    rtol, atol = TOL[dtype]
    actual = np.asarray(actual, dtype=np.float64)
    return float(np.max(np.abs(actual - expected) / (rtol * np.abs(expected) + atol)))


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_at_least_as_accurate_as_pytorch(case):
    """Same inputs through PyTorch: ours is finite wherever torch is, and no further from the reference.

    (Where both are accurate this means they agree. torch's logsumexp gradient is e**(x - lse(x)), which
    loses log(n) once lse rounds, at 1e3 in float32 or 1e30 in float64; ours is exact there.)
    """
    torch = pytest.importorskip("torch")
    op, dtype, v = case
    x = Tensor(inputs(v).astype(dtype), requires_grad=True)
    out = TENSOR_OPS[op](x)
    _weighted(out).backward()
    tx = torch.tensor(inputs(v).astype(dtype), requires_grad=True)
    tout = _torch_ops(torch)[op](tx)
    if tout.dim():
        (tout * torch.tensor(WEIGHTS if tout.dim() == 2 else ROW_WEIGHTS, dtype=tout.dtype)).sum().backward()
    else:
        tout.backward()
    x64 = x.data.astype(np.float64)
    ref_value, ref_grad = REFERENCE[op]
    for what, ours, theirs, ref in [
        ("value", out.data, tout.detach().double().numpy(), ref_value(x64)),
        ("gradient", x.grad.data, tx.grad.double().numpy(), ref_grad(x64)),
    ]:
        assert np.isfinite(theirs).all() <= np.isfinite(ours).all(), f"{_id(case)} {what}: torch finite, ours not"
        mine, torch_err = _error(ours, ref, dtype), _error(theirs, ref, dtype)
        assert mine <= max(1.0, torch_err), f"{_id(case)} {what}: error {mine:.3g} vs torch {torch_err:.3g}"
