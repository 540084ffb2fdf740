"""Every Numba kernel against the numpy reference: sizes on both sides of the thresholds, both float
dtypes, non-contiguous and odd inputs (which must fall back), the serial and the threaded twin, and
concurrent calls from several Python threads.

Agreement: 1e-12 relative in float64, 1e-5 relative in float32, dtype kept.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip("numba")

from autograd.kernels import numba_backend as NB  # noqa: E402
from autograd.kernels import reference as R  # noqa: E402

pytestmark = pytest.mark.numpy_only  # these call the kernels directly; the backend switch does not matter

DTYPES = [np.float64, np.float32]
SIZES = [7, 2_000, 150_000]  # below min_size, serial, parallel (for most kernels)


def tol(dtype):
    return dict(rtol=1e-12, atol=1e-14) if np.dtype(dtype) == np.float64 else dict(rtol=1e-5, atol=1e-6)


def close(got, want, dtype):
    assert type(got) is np.ndarray and got.dtype == np.dtype(dtype), (type(got), getattr(got, "dtype", None))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, **tol(dtype))


@pytest.fixture(params=["natural", "serial", "parallel"])
def mode(request, monkeypatch):
    """natural: the shipped thresholds; serial / parallel: that twin at every size."""
    never = float("inf")
    if request.param != "natural":
        par = request.param == "parallel"
        monkeypatch.setattr(NB, "THRESHOLDS", {k: (0, 0 if par else never) for k in NB.THRESHOLDS})
        monkeypatch.setattr(NB, "parallel_allowed", lambda: par)
    return request.param


def data(n, dtype, seed=0, shape=None):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 3).astype(dtype)
    return x.reshape(shape) if shape else x


# ------------------------------------------------------------------ activations

UNARY = {
    "sigmoid": lambda mod, x: mod.sigmoid(x),
    "relu": lambda mod, x: mod.relu(x),
    "leaky_relu": lambda mod, x: mod.leaky_relu(x, 0.1),
    "elu": lambda mod, x: mod.elu(x, 1.3),
}
BACKWARD = {
    "sigmoid_backward": lambda mod, g, x: mod.sigmoid_backward(g, R.sigmoid(x)),
    "tanh_backward": lambda mod, g, x: mod.tanh_backward(g, np.tanh(x)),
    "relu_backward": lambda mod, g, x: mod.relu_backward(g, x),
    "leaky_relu_backward": lambda mod, g, x: mod.leaky_relu_backward(g, x, 0.1),
    "elu_backward": lambda mod, g, x: mod.elu_backward(g, x, R.elu(x, 1.3), 1.3),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_activation_forward(name, n, dtype, mode):
    x = data(n, dtype)
    close(UNARY[name](NB, x), UNARY[name](R, x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", sorted(BACKWARD))
def test_activation_backward(name, n, dtype, mode):
    x, g = data(n, dtype, 1), data(n, dtype, 2)
    close(BACKWARD[name](NB, g, x), BACKWARD[name](R, g, x), dtype)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_activation_keeps_shape_and_handles_special_values(name, mode):
    x = np.array([[0.0, -0.0, 1e-300, -1e300, np.inf, -np.inf, np.nan, 50.0]] * 300)
    got, want = UNARY[name](NB, x), UNARY[name](R, x)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)  # NaN where the reference has NaN


@pytest.mark.parametrize("name", sorted(BACKWARD))
def test_activation_backward_non_contiguous_falls_back(name, mode):
    x = data(4_000, np.float64).reshape(40, 100)[:, ::2]
    g = data(4_000, np.float64, 3).reshape(100, 40).T[:, :50]
    assert not x.flags.c_contiguous and not g.flags.c_contiguous
    close(BACKWARD[name](NB, g, x), BACKWARD[name](R, g, x), np.float64)


def test_mixed_dtypes_and_scalars_fall_back():
    g = data(5_000, np.float32)
    s = R.sigmoid(data(5_000, np.float64))
    got = NB.sigmoid_backward(g, s)  # float32 * float64: the reference promotes, and so must we
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, R.sigmoid_backward(g, s), rtol=1e-12)
    assert NB.relu(np.float64(-2.0)) == 0.0
    ints = np.arange(-3000, 3000)
    np.testing.assert_array_equal(NB.relu(ints), R.relu(ints))


# ------------------------------------------------------------ softmax family

ROWS = [(3, 5), (64, 10), (400, 600), (2, 3, 50)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ROWS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(name, shape, dtype, mode):
    x = data(int(np.prod(shape)), dtype, shape=shape)
    x[..., 0] += 80  # a large logit: no overflow either way
    g = data(int(np.prod(shape)), dtype, 4, shape=shape)
    y = getattr(NB, name)(x, -1)
    close(y, getattr(R, name)(x, -1), dtype)
    close(getattr(NB, name + "_backward")(g, y, -1), getattr(R, name + "_backward")(g, y, -1), dtype)


def extreme_rows(dtype):
    """Rows with +-1000 logits, -inf entries, ties, a single finite entry, and ordinary values."""
    inf = np.inf
    rows = [
        [1000.0, -1000.0, 0.0, 3.0, -inf, 999.0, 1000.0, -2.5, 7.0, 1.0],
        [-1000.0, -1000.0, -999.5, -1001.0, -inf, -1000.0, -1020.0, -1000.0, -998.0, -1000.0],
        [-inf, -inf, 5.0, -inf, -inf, -inf, -inf, -inf, -inf, -inf],
        [0.0] * 10,
        [1e-30, -1e-30, 20.0, -20.0, 40.0, -40.0, 80.0, -80.0, 87.0, -87.0],
        list(np.linspace(-30, 30, 10)),
    ]
    x = np.array(rows * 50, dtype=dtype)  # 300 rows: enough for the threaded twins to split
    return np.ascontiguousarray(np.concatenate([x, x[:, ::-1], np.roll(x, 3, axis=1)], axis=1))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_extreme_logits(name, dtype, mode):
    x = extreme_rows(dtype)
    g = data(x.size, dtype, 5, shape=x.shape)
    y, want = getattr(NB, name)(x, -1), getattr(R, name)(x, -1)
    assert np.isfinite(want).any()
    np.testing.assert_array_equal(np.isneginf(y), np.isneginf(want))
    close(y, want, dtype)
    close(getattr(NB, name + "_backward")(g, y, -1), getattr(R, name + "_backward")(g, want, -1), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_extreme_logits(dtype, mode):
    x = extreme_rows(dtype)
    labels = np.arange(x.shape[0]) % x.shape[1]
    labels[2::6] = 2  # the one finite entry of the -inf rows: loss 0
    g = data(x.shape[0], dtype, 6)
    losses, logp = NB.cross_entropy(x, labels)
    want_losses, want_logp = R.cross_entropy(x, labels)
    close(logp, want_logp, dtype)
    close(losses, want_losses, dtype)
    close(NB.cross_entropy_backward(g, logp, labels), R.cross_entropy_backward(g, want_logp, labels), dtype)


def test_softmax_nan_rows_like_the_reference(mode):
    x = data(3000, np.float64, shape=(30, 100))
    x[3, 50] = np.nan
    x[7, 0] = np.nan
    x[9, 10] = np.inf
    with np.errstate(invalid="ignore"):
        for name in ("softmax", "log_softmax"):
            np.testing.assert_array_equal(np.isnan(getattr(NB, name)(x, -1)), np.isnan(getattr(R, name)(x, -1)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_other_axes_fall_back(name, mode):
    x = data(6_000, np.float64, shape=(30, 200))
    for axis in (0, 1, -1, -2):
        close(getattr(NB, name)(x, axis), getattr(R, name)(x, axis), np.float64)
    xt = x.T  # not C-contiguous
    close(getattr(NB, name)(xt, -1), getattr(R, name)(xt, -1), np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rows, classes", [(4, 3), (128, 10), (1000, 10), (512, 1000)])  # 1000: blocks of 256 + a rest
@pytest.mark.parametrize("label_dtype", [np.int64, np.int32])
def test_cross_entropy(rows, classes, dtype, label_dtype, mode):
    logits = data(rows * classes, dtype, shape=(rows, classes))
    labels = np.random.default_rng(1).integers(0, classes, rows).astype(label_dtype)
    g = data(rows, dtype, 2)
    losses, logp = NB.cross_entropy(logits, labels)
    want_losses, want_logp = R.cross_entropy(logits, labels)
    close(losses, want_losses, dtype)
    close(logp, want_logp, dtype)
    close(NB.cross_entropy_backward(g, logp, labels), R.cross_entropy_backward(g, want_logp, labels), dtype)


def test_cross_entropy_bad_labels_behave_like_the_reference(mode):
    logits = data(40, np.float64, shape=(8, 5))
    wraps = np.array([0, 1, 2, 3, 4, -1, -5, 0])  # negative labels index from the end in the reference
    np.testing.assert_allclose(NB.cross_entropy(logits, wraps)[0], R.cross_entropy(logits, wraps)[0], rtol=1e-12)
    with pytest.raises(IndexError):
        R.cross_entropy(logits, np.array([0, 1, 2, 3, 4, 5, 0, 0]))
    with pytest.raises(IndexError):
        NB.cross_entropy(logits, np.array([0, 1, 2, 3, 4, 5, 0, 0]))
    _, logp = R.cross_entropy(logits, wraps)
    g = np.ones(8)
    np.testing.assert_allclose(NB.cross_entropy_backward(g, logp, wraps), R.cross_entropy_backward(g, logp, wraps),
                               rtol=1e-12)
    with pytest.raises(IndexError):
        NB.cross_entropy_backward(g, logp, np.array([0, 1, 2, 3, 4, 5, 0, 0]))


# --------------------------------------------------------------- sum_to_shape

SUMS = [
    ((300, 7), (7,)),
    ((300, 7), (1, 7)),
    ((4, 50, 30), (30,)),
    ((4, 50, 30), (50, 30)),
    ((4, 1, 30), (30,)),
    ((300, 40), (300, 1)),
    ((6, 50, 40), (6, 1, 1)),
    ((6, 50, 40), (6, 1, 40)),  # a middle axis: reference path
    ((2000, 100), (100,)),
    ((100, 2000), (100, 1)),
    ((5, 6), (5, 6)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("gshape, shape", SUMS)
def test_sum_to_shape(gshape, shape, dtype, mode):
    g = data(int(np.prod(gshape)), dtype, shape=gshape)
    got = NB.sum_to_shape(g, shape)
    want = R.sum_to_shape(g, shape)
    assert got.shape == shape
    # sums of ~1e3 terms: relative to the terms' scale, not to a sum that may cancel
    scale = np.abs(g).sum() / max(np.prod(shape), 1)
    np.testing.assert_allclose(got, want, rtol=tol(dtype)["rtol"], atol=tol(dtype)["rtol"] * scale)
    assert got.dtype == np.dtype(dtype)


def test_sum_to_shape_bad_shape_raises_like_the_reference():
    g = data(6000, np.float64, shape=(60, 100))
    with pytest.raises(ValueError):
        R.sum_to_shape(g, (7,))
    with pytest.raises(ValueError):
        NB.sum_to_shape(g, (7,))


# ------------------------------------------------------- optimiser updates

OPTIMISERS = {
    "sgd": [dict(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
            dict(momentum=0.9, dampening=0.1, nesterov=False, weight_decay=0.01),
            dict(momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.0)],
    "adam": [dict(weight_decay=0.0, decoupled=False, amsgrad=False),
             dict(weight_decay=0.1, decoupled=False, amsgrad=True),
             dict(weight_decay=0.1, decoupled=True, amsgrad=False),
             dict(weight_decay=0.0, decoupled=False, amsgrad=False, beta1=0.3)],
    "rmsprop": [dict(centered=False, momentum=0.0, weight_decay=0.0),
                dict(centered=True, momentum=0.9, weight_decay=0.01),
                dict(centered=False, momentum=0.5, weight_decay=0.0, alpha=0.3)],
    "adagrad": [dict(lr_decay=0.0, weight_decay=0.0), dict(lr_decay=0.01, weight_decay=0.1)],
}


def run_optimiser(mod, kind, opts, p, grads):
    p = p.copy()
    z = np.zeros_like(p)
    state = [z.copy() for _ in range(3)]
    for step, g in enumerate(grads, start=1):
        if kind == "sgd":
            buf = state[0] if opts["momentum"] else None
            mod.sgd_step(p, g, buf, 0.1, opts["momentum"], opts["dampening"], opts["nesterov"], opts["weight_decay"],
                         step == 1)
        elif kind == "adam":
            vmax = state[2] if opts["amsgrad"] else None
            mod.adam_step(p, g, state[0], state[1], vmax, step, 0.01, opts.get("beta1", 0.9), 0.999, 1e-8,
                          opts["weight_decay"], opts["decoupled"])
        elif kind == "rmsprop":
            buf = state[1] if opts["momentum"] else None
            gavg = state[2] if opts["centered"] else None
            mod.rmsprop_step(p, g, state[0], buf, gavg, 0.01, opts.get("alpha", 0.99), 1e-8, opts["weight_decay"],
                             opts["momentum"])
        else:
            mod.adagrad_step(p, g, state[0], step, 0.1, opts["lr_decay"], 1e-10, opts["weight_decay"])
    return p, state


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5,), (40, 30), (300, 500)])
@pytest.mark.parametrize("kind, i", [(k, i) for k, v in OPTIMISERS.items() for i in range(len(v))])
def test_optimiser_steps(kind, i, shape, dtype, mode):
    n = int(np.prod(shape))
    p = data(n, dtype, shape=shape)
    grads = [data(n, dtype, s, shape=shape) for s in (1, 2, 3)]
    got_p, got_state = run_optimiser(NB, kind, OPTIMISERS[kind][i], p, grads)
    want_p, want_state = run_optimiser(R, kind, OPTIMISERS[kind][i], p, grads)
    close(got_p, want_p, dtype)
    for a, b in zip(got_state, want_state):
        close(a, b, dtype)


def test_optimiser_non_contiguous_parameter_falls_back():
    p = data(20_000, np.float64, shape=(100, 200))[:, ::2]
    g = np.ones_like(p)
    want = p.copy()
    R.sgd_step(want, g, None, 0.1, 0.0, 0.0, False, 0.0, True)
    NB.sgd_step(p, g, None, 0.1, 0.0, 0.0, False, 0.0, True)
    np.testing.assert_allclose(p, want, rtol=1e-12)


# ------------------------------------------------------------------- linear

ACTS = [(None, 0.0), ("relu", 0.0), ("leaky_relu", 0.05), ("sigmoid", 0.0), ("tanh", 0.0), ("elu", 0.7)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xshape, out_features", [((5, 3), 4), ((100, 2), 16), ((3, 7, 20), 30), ((20,), 6),
                                                  ((256, 128), 300)])
@pytest.mark.parametrize("act, param", ACTS)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_backward(act, param, xshape, out_features, bias, dtype, mode):
    x = data(int(np.prod(xshape)), dtype, shape=xshape)
    w = data(out_features * xshape[-1], dtype, 1, shape=(out_features, xshape[-1])) * dtype(0.3)
    b = data(out_features, dtype, 2) if bias else None
    y = NB.linear(x, w, b, act, param)
    want = R.linear(x, w, b, act, param)
    # numpy's BLAS and the one Numba calls (SciPy's) may sum a dot product in another order:
    # compare at the tolerance, relative to the size of the numbers
    rtol = tol(dtype)["rtol"]

    def kw(ref):
        return dict(rtol=rtol, atol=rtol * max(float(np.abs(ref).max()), 1e-30))

    np.testing.assert_allclose(y, want, **kw(want))
    assert y.dtype == np.dtype(dtype)
    g = data(y.size, dtype, 3, shape=y.shape)
    for needs in [(True, True, bias), (False, True, False), (True, False, bias)]:
        got = NB.linear_backward(g, x, w, y, act, param, needs)
        ref = R.linear_backward(g, x, w, want, act, param, needs)
        for a, b_ in zip(got, ref):
            assert (a is None) == (b_ is None)
            if a is not None:
                np.testing.assert_allclose(a, b_, **kw(b_))
                assert a.dtype == np.dtype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_with_np_dot_inside_numba(dtype):
    """The one-function variant (BLAS through np.dot inside Numba) that bench/ compares against."""
    pytest.importorskip("scipy")  # Numba's np.dot calls BLAS through SciPy
    from autograd.kernels import jit_matmul as M

    x = data(600, dtype, shape=(20, 30))
    w = data(300, dtype, 1, shape=(10, 30))
    b = data(10, dtype, 2)
    t = np.dtype(dtype).type
    rtol = tol(dtype)["rtol"]
    y = M.linear_forward(x, w, b, True, M.RELU, t(0))
    want = R.linear(x, w, b, "relu")
    np.testing.assert_allclose(y, want, rtol=rtol, atol=rtol * np.abs(want).max())
    g = data(200, dtype, 3, shape=(20, 10))
    for got, ref in zip(M.linear_backward(g, x, w, y, M.RELU, t(0), True, True, True),
                        R.linear_backward(g, x, w, want, "relu", 0.0, (True, True, True))):
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol * np.abs(ref).max())


def test_linear_odd_inputs_fall_back():
    x = data(600, np.float64, shape=(20, 30))
    w = data(300, np.float64, shape=(30, 10)).T  # F-ordered weight
    np.testing.assert_allclose(NB.linear(x, w, None, "relu", 0.0), R.linear(x, w, None, "relu", 0.0), rtol=1e-12)
    w32 = np.ascontiguousarray(w, dtype=np.float32)  # mixed dtypes
    np.testing.assert_allclose(NB.linear(x, w32, None), R.linear(x, w32, None), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, k, m", [(1, 1, 1), (7, 13, 5), (64, 64, 64), (100, 300, 70)])
def test_matmul_tiled(n, k, m, dtype):
    from autograd.kernels import jit_matmul as M

    a = data(n * k, dtype, shape=(n, k))
    b = data(k * m, dtype, 1, shape=(k, m))
    for kernel in M.matmul_tiled:
        out = np.empty((n, m), dtype)
        kernel(a, b, out)
        np.testing.assert_allclose(out, a @ b, rtol=1e-12 if dtype == np.float64 else 1e-4,
                                   atol=1e-12 if dtype == np.float64 else 1e-4)


# ---------------------------------------------------------- threads, warm-up


@pytest.mark.parametrize("threaded", [False, True])
def test_concurrent_calls_from_python_threads(threaded, monkeypatch):
    """Kernels (threaded twins too) called from several Python threads at once give the right answers."""
    if threaded:
        monkeypatch.setattr(NB, "THRESHOLDS", {k: (0, 0) for k in NB.THRESHOLDS})
        monkeypatch.setattr(NB, "parallel_allowed", lambda: True)
    xs = [data(300_000, np.float64, s) for s in range(6)]
    want = [R.sigmoid_backward(x, R.sigmoid(x)) for x in xs]
    sums = [R.sum_to_shape(x.reshape(3000, 100), (100,)) for x in xs]
    errors = []

    def work(i):
        try:
            for _ in range(5):
                np.testing.assert_allclose(NB.sigmoid_backward(xs[i], R.sigmoid(xs[i])), want[i], rtol=1e-12)
                np.testing.assert_allclose(NB.sum_to_shape(xs[i].reshape(3000, 100), (100,)), sums[i],
                                           rtol=1e-9, atol=1e-9)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_warmup_compiles_every_kernel_and_rejects_other_dtypes():
    import autograd.kernels

    autograd.kernels.warmup(dtypes=(np.float64,), parallel=False)
    for kernel, _ in NB._warmup_calls(np.dtype(np.float64)):
        assert getattr(kernel, "serial", kernel).signatures, kernel
    with pytest.raises(ValueError, match="float32 and float64"):
        autograd.kernels.warmup(dtypes=(np.int32,))


def test_every_numba_kernel_has_a_reference_and_a_threshold():
    assert set(NB.KERNELS) <= set(R.KERNELS)
    for name, fn in NB.KERNELS.items():
        assert name in NB.THRESHOLDS
        assert fn.__name__ == name
