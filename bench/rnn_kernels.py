"""Each Numba kernel of the norm and recurrent ops against the numpy reference path it replaces, at 1e6 elements.

    python -m bench.rnn_kernels

Method: both paths are called through the backend table's entries (the numpy
reference and the Numba wrapper) on the same float32 and float64 arrays
(x of 1e6 elements: batch norm on (1000, 100, 10), the gate kernels on
B x H = 1e6 hidden units), after one warm-up call (compilation, caches);
each is timed as the median of 15 calls; the table prints both and the ratio.
"""

from __future__ import annotations

import time

import numpy as np

from autograd.kernels import numba_recurrent as N
from autograd.kernels import reference_recurrent as R


def _median(fn, reps: int = 15) -> float:
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def cases(dt: np.dtype) -> dict:
    rng = np.random.default_rng(0)
    x3 = rng.standard_normal((1000, 100, 10)).astype(dt)
    g3 = rng.standard_normal(x3.shape).astype(dt)
    mean, var = R.batch_norm_stats(x3)
    invstd = (1 / np.sqrt(var + 1e-5)).astype(dt)
    w = rng.standard_normal(100).astype(dt)
    b, h = 1000, 1000
    gates = rng.standard_normal((b, 4 * h)).astype(dt)
    c = rng.standard_normal((b, h)).astype(dt)
    hc, act, tc = R.lstm_cell(gates, c)
    gi = rng.standard_normal((b, 3 * h)).astype(dt)
    gh = rng.standard_normal((b, 3 * h)).astype(dt)
    _, rzn = R.gru_cell(gi, gh, c)
    needs = (True, True, True)
    return {
        "batch_norm_stats": lambda m: m.batch_norm_stats(x3),
        "batch_norm_backward": lambda m: m.batch_norm_backward(g3, x3, mean, invstd, w, True, needs),
        "lstm_cell": lambda m: m.lstm_cell(gates.copy() if m is R else gates.copy(), c),
        "lstm_cell_backward": lambda m: m.lstm_cell_backward(c, tc, act, c, tc),
        "gru_cell": lambda m: m.gru_cell(gi, gh, c),
        "gru_cell_backward": lambda m: m.gru_cell_backward(c, rzn, gh, c),
    }


def main() -> None:
    print(__doc__.split("\n\n")[-1].strip())
    print(f"\n{'kernel':22s} {'dtype':8s} {'numpy ms':>9s} {'numba ms':>9s} {'ratio':>6s}")
    for dt in (np.dtype(np.float32), np.dtype(np.float64)):
        for name, call in cases(dt).items():
            ref = _median(lambda call=call: call(R))
            jit = _median(lambda call=call: call(N))
            print(f"{name:22s} {dt.name:8s} {ref * 1e3:9.2f} {jit * 1e3:9.2f} {ref / jit:6.1f}x")


if __name__ == "__main__":
    main()
