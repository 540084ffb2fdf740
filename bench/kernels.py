"""Case 4: each Numba kernel against the numpy path it replaces, and matmul GFLOP/s.

For every kernel of the Numba table, at 1e3, 1e5 and 1e6 elements in float32
and float64, four sides run interleaved: ``numpy`` (the reference kernel),
``table`` (what ``set_backend("numba")`` runs: the wrapper with its
thresholds, so below ``min_size`` it *is* numpy), and the ``serial`` and
``parallel`` Numba twins forced through the same wrapper. Ratios are numpy
time / side time (above 1: faster than numpy).

``--thresholds`` scans sizes from 1e2 to 1e6 to find where each twin starts
to beat numpy: that is how ``numba_backend.THRESHOLDS`` was set.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

import numpy as np

from .common import fmt_ratio, fmt_time, interleaved, median, samples, table

INF = float("inf")


def _cases() -> dict[str, Callable[[int, Any], tuple[Callable, Callable]]]:
    """name -> make(n, dtype) -> (numpy call, table call)."""
    from autograd.kernels import numba_backend as NB
    from autograd.kernels import reference as R

    rng = np.random.default_rng(0)

    def vec(n, dt):
        return (rng.standard_normal(n) * 2).astype(dt)

    def rows(n, dt, cols):
        return vec(n, dt).reshape(-1, cols)

    def unary(name, *extra):
        def make(n, dt):
            x = vec(n, dt)
            return (lambda: getattr(R, name)(x, *extra)), (lambda: getattr(NB, name)(x, *extra))
        return make

    def backward(name, saved, *extra):
        def make(n, dt):
            x, g = vec(n, dt), vec(n, dt)
            args = saved(x) + extra
            return (lambda: getattr(R, name)(g, *args)), (lambda: getattr(NB, name)(g, *args))
        return make

    def softmax_like(name):
        def make(n, dt):
            x = rows(n, dt, 100)
            return (lambda: getattr(R, name)(x, -1)), (lambda: getattr(NB, name)(x, -1))
        return make

    def softmax_back(name, fwd):
        def make(n, dt):
            x, g = rows(n, dt, 100), rows(n, dt, 100)
            y = getattr(R, fwd)(x, -1)
            return (lambda: getattr(R, name)(g, y, -1)), (lambda: getattr(NB, name)(g, y, -1))
        return make

    def ce(n, dt):
        x = rows(n, dt, 10)
        labels = rng.integers(0, 10, x.shape[0])
        return (lambda: R.cross_entropy(x, labels)), (lambda: NB.cross_entropy(x, labels))

    def ce_back(n, dt):
        x = rows(n, dt, 10)
        labels = rng.integers(0, 10, x.shape[0])
        g = vec(x.shape[0], dt)
        _, logp = R.cross_entropy(x, labels)
        return (lambda: R.cross_entropy_backward(g, logp, labels)), (lambda: NB.cross_entropy_backward(g, logp, labels))

    def sum_to_shape(n, dt):
        g = rows(n, dt, 100)
        return (lambda: R.sum_to_shape(g, (100,))), (lambda: NB.sum_to_shape(g, (100,)))

    def optim(name, make_args):
        def make(n, dt):
            p, g = vec(n, dt), vec(n, dt) * dt(0.01)
            a_ref, a_nb = make_args(p.copy(), g, dt), make_args(p.copy(), g, dt)
            return (lambda: getattr(R, name)(*a_ref)), (lambda: getattr(NB, name)(*a_nb))
        return make

    def z(p):
        return np.zeros_like(p)

    step = [1]  # Adam's step count only enters the bias corrections

    return {
        "sigmoid": unary("sigmoid"),
        "relu": unary("relu"),
        "leaky_relu": unary("leaky_relu", 0.01),
        "elu": unary("elu", 1.0),
        "sigmoid_backward": backward("sigmoid_backward", lambda x: (R.sigmoid(x),)),
        "tanh_backward": backward("tanh_backward", lambda x: (np.tanh(x),)),
        "relu_backward": backward("relu_backward", lambda x: (x,)),
        "leaky_relu_backward": backward("leaky_relu_backward", lambda x: (x,), 0.01),
        "elu_backward": backward("elu_backward", lambda x: (x, R.elu(x, 1.0)), 1.0),
        "softmax": softmax_like("softmax"),
        "softmax_backward": softmax_back("softmax_backward", "softmax"),
        "log_softmax": softmax_like("log_softmax"),
        "log_softmax_backward": softmax_back("log_softmax_backward", "log_softmax"),
        "cross_entropy": ce,
        "cross_entropy_backward": ce_back,
        "sum_to_shape": sum_to_shape,
        "sgd_step": optim("sgd_step", lambda p, g, dt: (p, g, z(p), 0.01, 0.9, 0.0, False, 0.0, False)),
        "adam_step": optim("adam_step", lambda p, g, dt: (p, g, z(p), z(p), None, step[0] + 9, 1e-3, 0.9, 0.999,
                                                          1e-8, 0.0, False)),
        "rmsprop_step": optim("rmsprop_step", lambda p, g, dt: (p, g, z(p) + dt(1e-3), None, None, 1e-3, 0.99, 1e-8,
                                                                0.0, 0.0)),
        "adagrad_step": optim("adagrad_step", lambda p, g, dt: (p, g, z(p) + dt(1e-3), 10, 1e-2, 0.0, 1e-10, 0.0)),
    }


@contextlib.contextmanager
def forced(name: str, how: str):
    """Run kernel ``name`` through its ``serial`` or ``parallel`` twin, at every size."""
    from autograd.kernels import numba_backend as NB

    saved = NB.THRESHOLDS[name]
    allowed = NB.parallel_allowed
    NB.THRESHOLDS[name] = (0, INF if how == "serial" else 0)
    if how == "parallel":
        NB.parallel_allowed = lambda: True
    try:
        yield
    finally:
        NB.THRESHOLDS[name] = saved
        NB.parallel_allowed = allowed


def _with(name: str, how: str, fn: Callable) -> tuple:
    return fn, lambda: forced(name, how)


def kernel_rows(sizes: list[int], dtypes: list, rounds: int, passes: int = 3) -> list[dict]:
    """Each kernel's sides interleaved, in ``passes`` sweeps over all the kernels (tens of seconds each).

    The medians pool every sweep's rounds, so a slow spell of the shared machine (another tenant
    filling the L3 cache, say) lands in one sweep's samples for a kernel rather than in all of them;
    with three sweeps, one spoilt sweep is outvoted.
    """
    from autograd.kernels import numba_backend as NB

    NB.warmup(tuple(dtypes), parallel=True)
    cases = _cases()
    pooled: dict[tuple, dict[str, list[float]]] = {}
    for _ in range(passes):
        for name, make in cases.items():
            for dt in dtypes:
                for n in sizes:
                    ref, nb = make(n, dt)
                    sides = {"numpy": ref, "table": nb}
                    for how in ("serial", "parallel"):
                        sides[how] = _with(name, how, make(n, dt)[1])
                    got = samples(sides, rounds=max(3, -(-rounds // passes)), round_s=0.01)
                    into = pooled.setdefault((name, np.dtype(dt).name, n), {k: [] for k in sides})
                    for k, v in got.items():
                        into[k] += v
    return [{"kernel": name, "dtype": dt, "n": n, **{k: median(v) for k, v in t.items()}}
            for (name, dt, n), t in pooled.items()]


def kernel_table(rows: list[dict]) -> str:
    header = ["kernel", "dtype", "n", "numpy", "table (as run)", "serial", "parallel"]
    body = []
    for r in rows:
        ref = r["numpy"]
        body.append([r["kernel"], r["dtype"], f"{r['n']:.0e}", fmt_time(ref)]
                    + [f"{fmt_time(r[k])} ({fmt_ratio(ref / r[k])})" for k in ("table", "serial", "parallel")])
    return table(header, body)


def scan_thresholds(dtypes: list, rounds: int = 7) -> str:
    """Where each twin starts to beat numpy, and where parallel starts to beat serial."""
    from autograd.kernels import numba_backend as NB

    NB.warmup(tuple(dtypes), parallel=True)
    sizes = [100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]
    lines = []
    for name, make in _cases().items():
        for dt in dtypes:
            cells = []
            for n in sizes:
                ref, _ = make(n, dt)
                t = interleaved({"numpy": ref, "serial": _with(name, "serial", make(n, dt)[1]),
                                 "parallel": _with(name, "parallel", make(n, dt)[1])}, rounds=rounds, round_s=0.005)
                cells.append(f"{n:.0e}: s {t['numpy'] / t['serial']:.2f} p {t['numpy'] / t['parallel']:.2f}")
            lines.append(f"{name:22} {np.dtype(dt).name:8} " + " | ".join(cells))
            print(lines[-1], flush=True)
    return "\n".join(lines)


# -------------------------------------------------------------------- matmul


def matmul_rows(sizes: list[int], tiled_max: int, rounds: int) -> list[dict]:
    """GFLOP/s of n x n @ n x n float32: numpy, through the engine, np.dot inside Numba, the tiled Numba kernel."""
    from numba import njit

    from autograd import Tensor
    from autograd.kernels import jit_matmul as M

    @njit(cache=True)
    def numba_dot(a, b):
        return np.dot(a, b)

    try:
        import scipy  # noqa: F401

        has_scipy = True
    except ImportError:
        has_scipy = False

    def sides_for(n: int) -> dict:
        rng = np.random.default_rng(n)
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
        c = np.empty((n, n), np.float32)
        sides = {"numpy": lambda: a @ b, "engine": lambda: ta @ tb}
        if has_scipy:  # Numba's np.dot calls BLAS through SciPy
            sides["numba np.dot"] = lambda: numba_dot(a, b)
        if n <= tiled_max:
            sides["numba tiled"] = lambda: M.matmul_tiled.parallel(a, b, c)
        return sides

    out = []
    for n in sizes:
        t = interleaved(sides_for(n), rounds=rounds, round_s=0.05 if n >= 1024 else 0.02, warmup=1)
        flops = 2.0 * n**3
        out.append({"n": n, **{k: flops / v / 1e9 for k, v in t.items()}, "engine_vs_numpy": t["engine"] / t["numpy"]})
    return out


def matmul_table(rows: list[dict]) -> str:
    header = ["n", "numpy GFLOP/s", "engine GFLOP/s (time vs numpy)", "np.dot in Numba", "tiled Numba (no BLAS)"]
    body = [[r["n"], f"{r['numpy']:.1f}", f"{r['engine']:.1f} ({r['engine_vs_numpy']:.2f}x)",
             f"{r['numba np.dot']:.1f}" if "numba np.dot" in r else "no scipy",
             f"{r['numba tiled']:.1f}" if "numba tiled" in r else "skipped"]
            for r in rows]
    return table(header, body)
