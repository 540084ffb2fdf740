"""Convolution benchmarks: gradwork (numpy and Numba backends) against PyTorch CPU.

    python -m bench.conv                 # 5 rounds, 1 thread per side
    python -m bench.conv --rounds 3 --threads 2

Cases:

* a LeNet-style CNN train step on 8x8 digits, batch 64, float32: Conv2d(1, 16, 3, padding=1), ReLU,
  MaxPool2d(2), Conv2d(16, 32, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear(128, 10),
  cross-entropy, backward, Adam step;
* Conv2d forward + backward (input, weight and bias gradients) at input (32, 16, 32, 32),
  32 filters 3x3, padding 1, float32.

Method: each side runs in its own fresh interpreter, one process per side per round, and the
rounds interleave the sides (gradwork numpy, gradwork numba, torch; the order reversed every other
round), so a slow spell of a shared machine hits all sides alike. In each process a side builds its
case, warms up (3 calls, which also compiles or loads the Numba kernels), then times ``CALLS`` calls
one by one and reports their median. The table shows the median over rounds and the ratio of
medians against torch (side / torch: below 1 is faster than torch). Every side gets the same thread
count (OPENBLAS/OMP/MKL/NUMBA_NUM_THREADS and ``torch.set_num_threads``).

A second table times each Numba kernel of ``autograd.kernels.numba_conv`` against the numpy
reference it replaces, at about 1e6 elements, in this process (interleaved calls, CPU time, median),
with Numba limited to ``--threads`` threads (one: the serial twins).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

if __package__ in (None, ""):  # python bench/conv.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "bench"

from bench.common import fmt_ratio, fmt_time, median, run_script, table  # noqa: E402

CALLS = 20
CASES = {
    "cnn_step": "LeNet-style CNN train step, 8x8 digits, batch 64, f32",
    "conv2d": "Conv2d fwd+bwd, input (32, 16, 32, 32), 32 filters 3x3, f32",
}
SIDES = ("gradwork numpy", "gradwork numba", "torch")

_COMMON = """
import json, sys, time
import numpy as np
CASE, SIDE, CALLS, THREADS = {case!r}, {side!r}, {calls}, {threads}
rng = np.random.default_rng(0)
try:
    from nn import datasets
    X, y = datasets.load_digits()
    X = (X[:64] / 16.0).reshape(64, 1, 8, 8).astype(np.float32)
    y = y[:64].astype(np.int64)
except Exception:  # scikit-learn missing: digits-like numbers
    X = rng.random((64, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, 64)
x32 = rng.standard_normal((32, 16, 32, 32)).astype(np.float32)
w32 = (rng.standard_normal((32, 16, 3, 3)) * 0.1).astype(np.float32)
b32 = rng.standard_normal(32).astype(np.float32)
g32 = rng.standard_normal((32, 32, 32, 32)).astype(np.float32)
"""

_GRADWORK = """
import autograd
autograd.set_backend(SIDE.split()[-1])
import nn, optim
import nn.functional as F
from autograd import Tensor
if CASE == "cnn_step":
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, seed=0), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1, seed=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(128, 10, seed=2)).float()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    xb = Tensor(X)
    def call():
        loss = F.cross_entropy(model(xb), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
else:
    x = Tensor(x32, requires_grad=True)
    w = Tensor(w32, requires_grad=True)
    b = Tensor(b32, requires_grad=True)
    def call():
        x.grad = w.grad = b.grad = None
        F.conv2d(x, w, b, padding=1).backward(g32)
"""

_TORCH = """
import torch
torch.set_num_threads(THREADS)
import torch.nn as tnn
if CASE == "cnn_step":
    torch.manual_seed(0)
    model = tnn.Sequential(tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                           tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                           tnn.Flatten(), tnn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xb, yb = torch.tensor(X), torch.tensor(y)
    def call():
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
else:
    x = torch.tensor(x32, requires_grad=True)
    w = torch.tensor(w32, requires_grad=True)
    b = torch.tensor(b32, requires_grad=True)
    g = torch.tensor(g32)
    def call():
        x.grad = w.grad = b.grad = None
        torch.nn.functional.conv2d(x, w, b, padding=1).backward(g)
"""

_TIMING = """
for _ in range(3):
    call()
times = []
for _ in range(CALLS):
    t0 = time.perf_counter()
    call()
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"median": times[len(times) // 2]}))
"""


def side_code(case: str, side: str, threads: int, calls: int = CALLS) -> str:
    body = _TORCH if side == "torch" else _GRADWORK
    # gradwork's side imports autograd before numpy, as its README asks (its thread settings, in its process only)
    head = "" if side == "torch" else "import autograd  # noqa: F401\n"
    return head + _COMMON.format(case=case, side=side, calls=calls, threads=threads) + body + _TIMING


def thread_env(threads: int) -> dict[str, str]:
    n = str(threads)
    return {"OPENBLAS_NUM_THREADS": n, "OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n, "NUMBA_NUM_THREADS": n}


def case_rows(rounds: int, threads: int) -> list[dict[str, Any]]:
    """Median seconds per call of every side of every case, each call of a side in a fresh process."""
    results = []
    for case, title in CASES.items():
        taken: dict[str, list[float]] = {s: [] for s in SIDES}
        for r in range(rounds):
            for side in SIDES if r % 2 == 0 else SIDES[::-1]:
                taken[side].append(run_script(side_code(case, side, threads), env=thread_env(threads))["median"])
        results.append({"case": title, **{s: median(v) for s, v in taken.items()}})
    return results


def kernel_rows(calls: int = 25) -> list[list[Any]]:
    """(kernel, dtype, elements, numpy time, numba time, speed-up) at about 1e6 elements, interleaved, CPU time."""
    import numpy as np

    from autograd.kernels import conv_reference as R
    from autograd.kernels import numba_conv as N

    rng = np.random.default_rng(0)
    rows = []
    for dt in (np.float32, np.float64):
        x = rng.standard_normal((16, 16, 64, 64)).astype(dt)
        cols = rng.standard_normal((16, 3, 3, 8, 28, 28)).astype(dt)
        out, idx = N.max_pool2d(x, 2, 2, 2, 2, 0, 0, 1, 1, 32, 32)
        g = rng.standard_normal(out.shape).astype(dt)
        d3 = R.avg_pool_divisor(64, 64, 3, 3, 2, 2, 1, 1, 32, 32, True, None)
        d2 = R.avg_pool_divisor(64, 64, 2, 2, 2, 2, 0, 0, 32, 32, True, None)
        xc = rng.standard_normal((8, 16, 28, 28)).astype(dt)
        ccols = np.empty((8, 16, 3, 3, 28, 28), dt)
        gx = np.empty(xc.shape, dt)
        cases = [
            ("unfold_into 3x3 pad 1 (conv columns)", ccols.size, "unfold_into",
             (xc, 3, 3, 1, 1, 1, 1, 1, 1, ccols)),
            ("fold_into 3x3 pad 1 (conv input gradient)", ccols.size, "fold_into",
             (rng.standard_normal(ccols.shape).astype(dt), 1, 1, 1, 1, 1, 1, gx)),
            ("col2im 3x3 (transposed conv)", cols.size, "col2im", (cols, (8, 16, 30, 30), 1, 1, 1, 1)),
            ("max_pool2d 2x2", x.size, "max_pool2d", (x, 2, 2, 2, 2, 0, 0, 1, 1, 32, 32)),
            ("max_pool2d 3x3 stride 2 pad 1", x.size, "max_pool2d", (x, 3, 3, 2, 2, 1, 1, 1, 1, 32, 32)),
            ("max_pool2d_backward 2x2", x.size, "max_pool2d_backward",
             (g, idx, x.shape, (2, 2, 2, 2, 0, 0, 1, 1))),
            ("avg_pool2d 2x2", x.size, "avg_pool2d", (x, 2, 2, 2, 2, 0, 0, 32, 32, d2)),
            ("avg_pool2d 3x3 stride 2 pad 1", x.size, "avg_pool2d", (x, 3, 3, 2, 2, 1, 1, 32, 32, d3)),
            ("avg_pool2d_backward 2x2", x.size, "avg_pool2d_backward", (g, x.shape, 2, 2, 2, 2, 0, 0, d2)),
            ("avg_pool2d_backward 3x3 stride 2 pad 1", x.size, "avg_pool2d_backward",
             (g, x.shape, 3, 3, 2, 2, 1, 1, d3)),
        ]
        for title, size, name, args in cases:
            ref, fast = getattr(R, name), getattr(N, name)
            for _ in range(2):
                ref(*args)
                fast(*args)
            ta, tb = [], []
            for _ in range(calls):
                t0 = time.process_time()
                ref(*args)
                ta.append(time.process_time() - t0)
                t0 = time.process_time()
                fast(*args)
                tb.append(time.process_time() - t0)
            a, b = median(ta), median(tb)
            same = "under 2x" if a / max(b, 1e-9) < 2 else ""
            rows.append([title, np.dtype(dt).name, size, fmt_time(a), fmt_time(b), fmt_ratio(a / max(b, 1e-9)), same])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of fresh processes per side (default 5)")
    parser.add_argument("--threads", type=int, default=1, help="threads for every side (default 1)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.threads < 1:
        parser.error("--rounds and --threads must be at least 1")
    print("Method: " + __doc__.split("Method:")[1].split("A second table")[0].strip().replace("\n", " "))
    print(f"\nrounds {args.rounds}, threads {args.threads}, {CALLS} timed calls per process; "
          "on a shared machine the absolute times vary, the interleaved ratios less\n")
    rows = case_rows(args.rounds, args.threads)
    print(table(["case", *SIDES, "numba / torch", "numpy / torch"],
                [[r["case"], *(fmt_time(r[s]) for s in SIDES), fmt_ratio(r["gradwork numba"] / r["torch"]),
                  fmt_ratio(r["gradwork numpy"] / r["torch"])] for r in rows]))
    print("\nNumba kernels against the numpy reference they replace (numpy time / numba time, CPU time; "
          "'under 2x' marks a kernel below the 2x the project asks of each)\n")
    import autograd  # noqa: F401  (before numpy, so OpenBLAS threads sleep)
    import numba

    from autograd.kernels import numba_conv  # noqa: F401  (sets GOMP_SPINCOUNT before Numba's threads start)

    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))  # the kernels get --threads too
    krows = kernel_rows()
    print(table(["kernel", "dtype", "elements", "numpy", "numba", "speed-up", ""], krows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cases": rows, "kernels": krows, "rounds": args.rounds, "threads": args.threads}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
