"""Memory: long training loops stay flat and leave no cyclic garbage; holding ``loss`` is the classic leak.

Method: warm up, start ``tracemalloc``, fill CPython's free lists, run a first
block of steps to set the baseline (current and peak traced memory), then run
the rest and check that neither grew. Any per-step leak (the smallest Python
object is 16 bytes) over thousands of steps would exceed the few KiB of slack
by far. (CPython keeps up to 2000 freed tuples of each length for reuse;
tracemalloc counts them as allocated, so without the fill a loop seems to
grow by a tuple a step until the lists are full.) The cyclic garbage
collector is off during the loop, so every reference cycle made by a
step would still be there for ``gc.collect()`` to find at the end.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from contextlib import contextmanager

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, no_grad

SLACK = 4096  # bytes: interpreter noise (free lists, growing counters), far below any per-step leak


@contextmanager
def gc_off():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def fill_free_lists() -> None:
    """Make CPython's free lists full, so that objects recycled through them look like neither growth nor leak."""
    junk = [tuple(range(n)) for n in range(1, 21) for _ in range(2100)]
    junk += [[] for _ in range(200)] + [{} for _ in range(200)] + [i + 0.5 for i in range(200)]
    del junk


def measure(step, warmup: int, baseline: int, steps: int) -> dict:
    """Run ``step`` warmup + baseline + steps times; traced memory after the baseline block and at the end."""
    for _ in range(warmup):
        step()
    with gc_off():
        tracemalloc.start()
        try:
            fill_free_lists()
            tracemalloc.reset_peak()
            for _ in range(baseline):
                step()
            current0, peak0 = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            for _ in range(steps):
                step()
            current1, peak1 = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        garbage = gc.collect()
    return {"current": current1 - current0, "peak": peak1 - peak0, "garbage": garbage, "peak0": peak0}


# -------------------------------------------------------------- tiny models


def tensor_regression(seed: int = 0):
    """One step of least squares on a 3-input linear model, plain autograd and a hand-written SGD update."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((8, 3)))
    y = Tensor(rng.standard_normal((8, 1)))
    params = [Tensor(rng.standard_normal((3, 1)), requires_grad=True), Tensor(np.zeros(1), requires_grad=True)]

    def step() -> float:
        w, b = params
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with no_grad():
            for p in params:
                p.data -= 0.01 * p.grad.data
                p.grad = None
        return loss.item()

    return step, params


def scalar_mlp(seed: int = 0):
    """One step of a 3-3-1 tanh network on four points, all in Values (about 150 nodes per step)."""
    rng = np.random.default_rng(seed)
    w1 = [[Value(float(rng.standard_normal())) for _ in range(3)] for _ in range(3)]
    b1 = [Value(0.0) for _ in range(3)]
    w2 = [Value(float(rng.standard_normal())) for _ in range(3)]
    b2 = Value(0.0)
    params = [v for row in w1 for v in row] + b1 + w2 + [b2]
    data = [([1.0, -2.0, 0.5], 1.0), ([0.3, 0.1, -1.0], -1.0), ([2.0, 1.0, 0.0], 1.0), ([-1.0, 0.5, 0.5], -1.0)]

    def step() -> float:
        losses = []
        for xs, t in data:
            h = [Value.sum([wi * xi for wi, xi in zip(row, xs)], bi).tanh() for row, bi in zip(w1, b1)]
            out = Value.sum([a * hi for a, hi in zip(w2, h)], b2)
            losses.append((out - t) ** 2)
        loss = Value.sum(losses) * 0.25
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.05 * p.grad
        return loss.data

    return step, params


# ------------------------------------------------------------------- flat


@pytest.mark.parametrize("backend", ["numpy", "numba"], indirect=True)  # explicit: the step count differs
def test_tensor_mode_10000_steps_flat_and_no_cycles(backend):
    assert autograd.get_backend() == backend
    step, _ = tensor_regression()
    total = 10_000 if backend == "numpy" else 2_000  # numba: the same code path around different kernels
    r = measure(step, warmup=200, baseline=500, steps=total - 500)
    assert r["garbage"] == 0, f"{r['garbage']} objects in reference cycles"
    assert r["peak"] <= SLACK, f"peak grew by {r['peak']} bytes after warm-up (from {r['peak0']})"
    assert r["current"] <= SLACK, f"{r['current']} bytes still held after the loop"


@pytest.mark.numpy_only
def test_scalar_mode_1000_steps_flat_and_no_cycles():
    step, _ = scalar_mlp()
    r = measure(step, warmup=50, baseline=100, steps=900)
    assert r["garbage"] == 0, f"{r['garbage']} objects in reference cycles"
    assert r["peak"] <= SLACK, f"peak grew by {r['peak']} bytes after warm-up (from {r['peak0']})"
    assert r["current"] <= SLACK, f"{r['current']} bytes still held after the loop"


@pytest.mark.numpy_only
def test_graph_is_freed_by_reference_counting_alone():
    """Dropping the output frees every node at once; no cycle waits for the collector."""
    with gc_off():
        x = Tensor(np.ones(3), requires_grad=True)
        y = (x * 2).exp()
        z = y.sum()
        probe = weakref.ref(y)
        z.backward()
        del y, z
        assert probe() is None
        v = Value(2.0)
        out = (v * v).tanh()
        probe = weakref.ref(out)
        out.backward()
        del out
        assert probe() is None
        assert gc.collect() == 0


# ------------------------------------------------- the classic leak: holding loss


def _grown_per_step(keep_tensor: bool, steps: int = 300) -> float:
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((32, 8)))
    w = Tensor(rng.standard_normal((8, 8)), requires_grad=True)
    running = [0.0]

    def step() -> None:
        w.grad = None
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward()
        running[0] = running[0] + (loss if keep_tensor else loss.item())  # the line that differs

    # growth over the measured block only: the baseline block absorbs one-time caches (numpy's small-buffer
    # cache, the interpreter's) that are not per step
    return measure(step, warmup=20, baseline=steps, steps=steps)["current"] / steps


@pytest.mark.numpy_only
def test_holding_loss_keeps_every_step_graph_alive():
    """``total += loss`` chains every step's graph (inputs' values included) to ``total``; ``loss.item()`` does not."""
    leaked = _grown_per_step(keep_tensor=True)
    flat = _grown_per_step(keep_tensor=False)
    assert leaked > 4 * 32 * 8 * 8, f"holding loss should keep each step's (32, 8) activations: {leaked:.0f} B/step"
    assert flat < 8, f"loss.item() should hold nothing per step: {flat:.1f} B/step"


@pytest.mark.numpy_only
def test_holding_loss_keeps_its_intermediates_reachable():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)))
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    history, probes = [], []
    for _ in range(3):
        h = (x @ w).tanh()
        probes.append(weakref.ref(h))
        loss = (h * h).mean()
        loss.backward()
        history.append(loss)  # the mistake
        del h, loss
    assert all(p() is not None for p in probes)
    history = [t.item() for t in history]  # the fix: keep numbers
    assert all(p() is None for p in probes)


# ----------------------------------------- create_graph: the one place cycles appear


def _cubic_with_grad_graph():
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (w**3).sum().backward(create_graph=True)  # w.grad = 3 w**2, recorded: its graph leads back to w
    return w


@pytest.mark.numpy_only
def test_create_graph_grad_makes_a_cycle_with_its_leaf():
    with gc_off():
        w = _cubic_with_grad_graph()
        assert isinstance(w.grad, Tensor) and w.grad.requires_grad
        probe = weakref.ref(w)
        del w
        assert probe() is not None  # w -> w.grad -> ... -> w: only the collector can free it
        assert gc.collect() > 0
        assert probe() is None


@pytest.mark.numpy_only
def test_create_graph_cycle_is_broken_by_clearing_grad():
    with gc_off():
        w = _cubic_with_grad_graph()
        probe = weakref.ref(w)
        w.grad = None
        del w
        assert probe() is None
        assert gc.collect() == 0


@pytest.mark.numpy_only
def test_create_graph_training_loop_that_clears_grads_stays_flat():
    """A gradient-penalty loop (backward with create_graph every step) is flat too if grads are reset."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((8, 3)))
    w = Tensor(rng.standard_normal((3, 1)), requires_grad=True)

    def step():
        w.grad = None
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward(create_graph=True)
        penalty = (w.grad * w.grad).sum()
        w.grad = None
        penalty.backward()
        with no_grad():
            w.data -= 0.01 * w.grad.data
        w.grad = None

    r = measure(step, warmup=50, baseline=100, steps=900)
    assert r["garbage"] == 0 and r["peak"] <= SLACK and r["current"] <= SLACK, r


# ------------------------------------------------------ the same with nn and optim


def nn_training(mode: str, seed: int = 0):
    """One step of nn.MLP + cross-entropy + Adam (tensor mode) or SGD with momentum (scalar mode)."""
    nn = pytest.importorskip("nn")
    optim = pytest.importorskip("optim")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((16, 3)) if mode == "tensor" else rng.standard_normal((4, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.MLP(X.shape[1], [8, 2] if mode == "tensor" else [3, 2], activation="tanh", mode=mode, seed=seed)
    opt = optim.Adam(model.parameters(), lr=1e-3) if mode == "tensor" else optim.SGD(model.parameters(), lr=0.05,
                                                                                        momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    Xin = X if mode == "tensor" else np.array(X, dtype=object)

    def step() -> float:
        loss = loss_fn(model(Xin), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


@pytest.mark.numpy_only
@pytest.mark.parametrize("mode, steps", [("tensor", 2_000), ("scalar", 300)])
def test_nn_training_loop_flat_and_no_cycles(mode, steps):
    step = nn_training(mode)
    r = measure(step, warmup=50, baseline=100, steps=steps - 100)
    assert r["garbage"] == 0, f"{r['garbage']} objects in reference cycles"
    assert r["peak"] <= SLACK, f"peak grew by {r['peak']} bytes after warm-up (from {r['peak0']})"
    assert r["current"] <= SLACK, f"{r['current']} bytes still held after the loop"
