"""What backward adds to memory on top of the forward graph, gradwork beside torch (issue 14).

    python -m bench.memory            # prints a Markdown table (about a minute)
    python -m bench.memory --backend numba

Each measurement runs in a fresh interpreter that builds the forward graph,
then measures only ``backward()``:

* ``RSS``: resident memory. After the forward the process resets its peak
  (``echo 5 > /proc/self/clear_refs``, Linux), notes its resident size, runs
  backward and reads the new peak (``VmHWM``); the difference is what backward
  touched on top. Both libraries get exactly this, so the columns compare.
* ``tracemalloc`` (gradwork only): numpy reports its allocations to Python's
  tracer, which gives the same figure to the byte. torch's allocator does not,
  hence RSS for the comparison.

Cases: a chain of 400 elementwise ops on 0.76 MiB arrays (alternating ``* 1.0001``
and ``sin``), and an MLP 784-1024-1024-10 on a batch of 64 with a log-softmax loss.
"""

from __future__ import annotations

import argparse
import os
import sys

if __package__ in (None, ""):  # python bench/memory.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "bench"

from bench.common import run_script, table  # noqa: E402

CASES = ("chain", "mlp")
MIB = 2**20

# the worker: build the graph with `lib` (gradwork or torch), then measure backward by `how` (rss or tracemalloc)
WORKER = r'''
import gc, json, sys
lib, case, how, backend = sys.argv[1:5]
import numpy as np
if lib == "gradwork":
    import autograd
    autograd.set_backend(backend)
    from autograd import Tensor
    def leaf(a, grad):
        return Tensor(a, requires_grad=grad)
    def logsm(z):
        return z.log_softmax(axis=-1)
else:
    import torch
    def leaf(a, grad):
        return torch.tensor(a, requires_grad=grad)
    def logsm(z):
        return z.log_softmax(dim=-1)

rng = np.random.default_rng(0)

def build(small=False):
    if case == "chain":
        x = leaf(rng.standard_normal(1000 if small else 100_000), True)
        y = x
        for i in range(400):
            y = y.sin() if i % 2 else y * 1.0001
        return y.sum(), 100_000 * 8
    width = 8 if small else 1024
    x = leaf(rng.standard_normal((64, 784)), False)
    ws = [leaf(rng.standard_normal(s) * 0.03, True)
          for s in [(784, width), (width,), (width, width), (width,), (width, 10), (10,)]]
    h = (x @ ws[0] + ws[1]).relu()
    h = (h @ ws[2] + ws[3]).relu()
    logp = logsm(h @ ws[4] + ws[5])
    return -logp[np.arange(64), rng.integers(0, 10, 64)].mean(), width * width * 8

build(small=True)[0].backward()  # load or compile whatever the first backward needs, outside the measurement

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    raise RuntimeError(key)

loss, largest = build()
gc.collect()
if how == "tracemalloc":
    import tracemalloc
    tracemalloc.start()
    tracemalloc.reset_peak()
    loss.backward()
    added = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    exact = True
else:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak resident size to the current one
        exact = True
    except OSError:
        exact = False
    base = status("VmRSS:") if exact else None
    import resource
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    loss.backward()
    added = status("VmHWM:") - base if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
print(json.dumps({"added": added, "largest": largest, "exact": exact}))
'''


def measure(lib: str, case: str, how: str, backend: str) -> dict:
    code = f"import sys; sys.argv = ['w', {lib!r}, {case!r}, {how!r}, {backend!r}]\n" + WORKER
    return run_script(code, timeout=600)


def has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def rows(backend: str) -> tuple[list[list[str]], bool]:
    out, exact = [], True
    torch_ok = has_torch()
    for case in CASES:
        ours_t = measure("gradwork", case, "tracemalloc", backend)
        ours_r = measure("gradwork", case, "rss", backend)
        theirs = measure("torch", case, "rss", backend) if torch_ok else None
        exact = exact and ours_r["exact"] and (theirs is None or theirs["exact"])
        mib = lambda r: f"{r['added'] / MIB:.1f}" if r is not None else "n/a"  # noqa: E731
        out.append([
            case, f"{ours_t['largest'] / MIB:.2f}", mib(ours_t), mib(ours_r), mib(theirs),
        ])
    return out, exact


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy", choices=("numpy", "numba"))
    args = parser.parse_args(argv)
    body, exact = rows(args.backend)
    print(f"Memory that backward() adds over the forward graph, MiB (gradwork backend: {args.backend})\n")
    print(table(["case", "largest array", "gradwork (tracemalloc)", "gradwork (RSS)", "torch (RSS)"], body))
    if not exact:
        print("\n(/proc/self/clear_refs was not writable here, so the RSS columns use the lifetime peak from "
              "getrusage: they show only what backward added beyond the forward's own peak)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
