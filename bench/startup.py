"""Case 5 (time to the first training step, cold and warm Numba cache) and the thread-pool case.

Both run in fresh interpreters. The cold run points ``NUMBA_CACHE_DIR`` at an
empty folder, so every kernel the step needs compiles; the warm run reuses it.

The pools case trains the largest MLP with both OpenBLAS's threads (matmul)
and Numba's threads (epilogues, optimiser updates) busy in every step, under
the thread settings that matter. A pool that spins while the other works
makes the step slower than running Numba single-threaded; a regression in
the ``OPENBLAS_THREAD_TIMEOUT`` or ``GOMP_SPINCOUNT`` handling shows up as
the default row losing to the single-threaded one.
"""

from __future__ import annotations

import tempfile
import textwrap

from .common import run_script

FIRST_STEP = textwrap.dedent("""
    import json, time
    t0 = time.perf_counter()
    import autograd
    t_import = time.perf_counter() - t0
    autograd.set_backend("numba")
    import numpy as np
    from bench.train import GradworkMLP, problem
    out = {"import_s": t_import}
    for key, sizes, batch, dtype, opt in [("moons_f64_sgd", (2, 16, 16, 1), 100, np.float64, "sgd"),
                                          ("mnist_f32_adam", (784, 256, 128, 10), 128, np.float32, "adam")]:
        X, target, params = problem(sizes, batch, dtype)
        t1 = time.perf_counter()
        GradworkMLP(params, opt).step(autograd.Tensor(X), target)
        out[key + "_first_step_s"] = time.perf_counter() - t1
    out["total_s"] = time.perf_counter() - t0
    print(json.dumps(out))
""")


def first_step() -> dict:
    with tempfile.TemporaryDirectory(prefix="gradwork-numba-cache-") as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        cold = run_script(FIRST_STEP, env)
        warm = run_script(FIRST_STEP, env)
    return {"cold": cold, "warm": warm}


POOLS = textwrap.dedent("""
    import json, os, statistics, sys, time
    if os.environ.get("BENCH_NUMPY_FIRST"):
        import numpy  # numpy (and OpenBLAS) load before autograd can set OPENBLAS_THREAD_TIMEOUT
    import warnings
    warnings.simplefilter("ignore")
    import autograd
    autograd.set_backend("numba")
    from autograd.kernels import numba_backend as NB
    if os.environ.get("BENCH_FORCE_PARALLEL"):
        NB._POOLS_SETTLED = True  # switch the guard off to show what it prevents
    import numpy as np
    from bench.train import GradworkMLP, problem
    X, target, params = problem((784, 1024, 1024, 10), 512, np.float32)
    model = GradworkMLP(params, "adam")
    tX = autograd.Tensor(X)
    for _ in range(3):
        model.step(tX, target)
    times = []
    for _ in range(int(os.environ.get("BENCH_STEPS", "15"))):
        t0 = time.perf_counter()
        model.step(tX, target)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"step_s": statistics.median(times), "parallel_kernels": NB.parallel_allowed(),
                      "OPENBLAS_THREAD_TIMEOUT": os.environ.get("OPENBLAS_THREAD_TIMEOUT")}))
""")

POOL_VARIANTS = [
    ("default: OPENBLAS_THREAD_TIMEOUT=20 and GOMP_SPINCOUNT=2000 (both set by gradwork), Numba threads on", {}),
    ("Numba single-threaded (NUMBA_NUM_THREADS=1)", {"NUMBA_NUM_THREADS": "1"}),
    ("no OpenMP spin (GOMP_SPINCOUNT=0): parallel kernels wake sleeping threads", {"GOMP_SPINCOUNT": "0"}),
    ("libgomp's default spin (GOMP_SPINCOUNT=300000): Numba's idle threads spin", {"GOMP_SPINCOUNT": "300000"}),
    ("numpy imported first without the timeout: guard keeps Numba serial", {"BENCH_NUMPY_FIRST": "1"}),
    ("spinning: numpy first, no timeout, guard switched off", {"BENCH_NUMPY_FIRST": "1", "BENCH_FORCE_PARALLEL": "1"}),
]


def pools(steps: int) -> list[dict]:
    rows = []
    for label, env in POOL_VARIANTS:
        full: dict = {"BENCH_STEPS": str(steps), "OPENBLAS_THREAD_TIMEOUT": None, "GOMP_SPINCOUNT": None}
        full.update(env)
        rows.append({"variant": label, **run_script(POOLS, full)})
    return rows
