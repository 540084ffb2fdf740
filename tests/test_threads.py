"""Threads: grad mode is per thread, and models trained in parallel threads match sequential runs bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, enable_grad, is_grad_enabled, no_grad, set_grad_enabled

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_in_threads(*targets, timeout: float = 60):
    """Start every target at once (behind a barrier), join them, re-raise the first exception."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(fn):
        def run():
            try:
                barrier.wait(timeout)
                fn()
            except BaseException as exc:  # noqa: BLE001  (reported to the main thread)
                errors.append(exc)
                barrier.abort()

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread did not finish"
    if errors:
        raise errors[0]


# ------------------------------------------------------------------ grad mode


@pytest.mark.numpy_only
def test_no_grad_in_one_thread_does_not_reach_another():
    inside = threading.Event()
    built = threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            inside.set()
            built.wait(10)  # stay inside no_grad while the other thread records
            x = Tensor([1.0, 2.0], requires_grad=True)
            seen["quiet"] = (is_grad_enabled(), (x * x).requires_grad)

    def recording():
        inside.wait(10)
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        seen["recording"] = (is_grad_enabled(), y.requires_grad)
        y.backward()
        seen["grad"] = x.grad.tolist()
        built.set()

    run_in_threads(quiet, recording)
    assert seen == {"quiet": (False, False), "recording": (True, True), "grad": [2.0, 4.0]}
    assert is_grad_enabled()


@pytest.mark.numpy_only
def test_new_threads_start_with_grad_enabled():
    """Like torch: a thread started inside no_grad() records by default (the mode is not inherited)."""
    seen = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join(10)
        assert not is_grad_enabled()
    assert seen == [True]


@pytest.mark.numpy_only
def test_nested_modes_interleaved_across_threads():
    """Each thread's stack of set_grad_enabled/no_grad/enable_grad unwinds to its own previous state."""
    steps = threading.Barrier(2)
    log = {"a": [], "b": []}

    def a():
        with set_grad_enabled(False):
            steps.wait(10)
            with enable_grad():
                steps.wait(10)
                log["a"].append(is_grad_enabled())
            log["a"].append(is_grad_enabled())
        log["a"].append(is_grad_enabled())

    def b():
        steps.wait(10)
        with no_grad():
            steps.wait(10)
            log["b"].append(is_grad_enabled())
        log["b"].append(is_grad_enabled())

    run_in_threads(a, b)
    assert log == {"a": [True, False, True], "b": [False, True]}


@pytest.mark.numpy_only
def test_no_grad_decorator_is_per_call_and_per_thread():
    @no_grad()
    def frozen(x):
        return (x * 2).requires_grad

    results = []

    def worker():
        x = Tensor([1.0], requires_grad=True)
        for _ in range(200):
            results.append((frozen(x), (x * 2).requires_grad))

    run_in_threads(worker, worker, worker)
    assert set(results) == {(False, True)}


# ---------------------------------------------------- training in two threads


def train_tensor_model(seed: int, steps: int = 150) -> list:
    """A 4-16-3 softmax classifier trained with hand-written SGD; returns the losses and final weights."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((64, 4)))
    labels = rng.integers(0, 3, 64)
    onehot = Tensor(np.eye(3)[labels])
    w1 = Tensor(rng.standard_normal((4, 16)) * 0.5, requires_grad=True)
    b1 = Tensor(np.zeros(16), requires_grad=True)
    w2 = Tensor(rng.standard_normal((16, 3)) * 0.5, requires_grad=True)
    params = [w1, b1, w2]
    losses = []
    for _ in range(steps):
        logp = ((x @ w1 + b1).relu() @ w2).log_softmax(axis=-1)
        loss = -(logp * onehot).sum(axis=-1).mean()
        loss.backward()
        with no_grad():
            for p in params:
                p.data -= 0.1 * p.grad.data
                p.grad = None
        losses.append(loss.item())
    return losses + [p.data.copy() for p in params]


def train_scalar_model(seed: int, steps: int = 60) -> list:
    rng = np.random.default_rng(seed)
    w = [Value(float(v)) for v in rng.standard_normal(3)]
    data = [(rng.standard_normal(3).tolist(), float(rng.choice([-1.0, 1.0]))) for _ in range(8)]
    losses = []
    for _ in range(steps):
        loss = Value.sum([(Value.dot(w, xs).tanh() - t) ** 2 for xs, t in data])
        for p in w:
            p.grad = 0.0
        loss.backward()
        for p in w:
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    return losses + [p.data for p in w]


def _same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y


@pytest.mark.parametrize("train", [train_tensor_model, train_scalar_model], ids=["tensor", "scalar"])
def test_two_threads_training_match_sequential_runs(train):
    if train is train_scalar_model and autograd.get_backend() != "numpy":
        pytest.skip("scalar mode does not use the kernel backend")
    sequential = [train(1), train(2)]
    for _ in range(2):
        threaded: dict = {}
        run_in_threads(*(lambda s=s, out=threaded: out.__setitem__(s, train(s)) for s in (1, 2)))
        _same(threaded[1], sequential[0])
        _same(threaded[2], sequential[1])


@pytest.mark.numpy_only
def test_thread_under_no_grad_does_not_disturb_a_training_thread():
    """One thread evaluates under no_grad in a loop while another trains: the training is unaffected."""
    expected = train_tensor_model(3, steps=60)
    got = {}
    stop = threading.Event()

    def evaluate():
        x = Tensor(np.ones((8, 4)), requires_grad=True)
        while not stop.is_set():
            with no_grad():
                assert not (x * 2).requires_grad

    def train():
        try:
            got["run"] = train_tensor_model(3, steps=60)
        finally:
            stop.set()

    run_in_threads(evaluate, train)
    _same(got["run"], expected)


# ------------------------------------------ numba's parallel kernels from two threads

_NUMBA_SCRIPT = textwrap.dedent(
    """
    import threading
    import autograd
    import numpy as np
    autograd.set_backend("numba")
    from autograd import Tensor

    def work(seed, out):
        rng = np.random.default_rng(seed)
        x = Tensor(rng.standard_normal((500, 500)), requires_grad=True)  # above the parallel thresholds
        for _ in range(10):
            x.sigmoid().softmax(axis=-1).sum().backward()
        out[seed] = float(x.grad.sum())

    out = {}
    threads = [threading.Thread(target=work, args=(i, out)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(sorted(out))
    """
)


def _run_numba_threads(layer: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("NUMBA_THREADING_LAYER", None)
    if layer:
        env["NUMBA_THREADING_LAYER"] = layer
    env.setdefault("NUMBA_NUM_THREADS", "2")
    return subprocess.run([sys.executable, "-c", _NUMBA_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.mark.numpy_only
@pytest.mark.slow
def test_numba_parallel_kernels_from_two_threads():
    pytest.importorskip("numba")
    r = _run_numba_threads(None)
    assert r.returncode == 0 and r.stdout.strip() == "[0, 1]", r.stderr[-2000:]


@pytest.mark.numpy_only
@pytest.mark.slow
def test_numba_parallel_kernels_from_two_threads_workqueue_layer():
    pytest.importorskip("numba")
    r = _run_numba_threads("workqueue")
    assert r.returncode == 0 and r.stdout.strip() == "[0, 1]", r.stderr[-2000:]


def train_nn_model(seed: int, mode: str = "tensor") -> list:
    """nn.MLP + Adam through nn.fit with a seeded shuffling loader; returns the history and the weights."""
    nn = pytest.importorskip("nn")
    optim = pytest.importorskip("optim")
    X, y = nn.datasets.make_moons(n_samples=40 if mode == "tensor" else 12, noise=0.1, seed=seed)
    model = nn.MLP(2, [8, 2] if mode == "tensor" else [3, 2], activation="tanh", mode=mode, seed=seed)
    opt = optim.Adam(model.parameters(), lr=0.05)
    history = nn.fit(model, "cross_entropy", opt, X, y, epochs=8 if mode == "tensor" else 2, batch_size=8,
                     seed=seed, progress=False)
    return list(history["loss"]) + list(model.state_dict().values())


@pytest.mark.parametrize("mode", ["tensor", "scalar"])
def test_two_threads_running_nn_fit_match_sequential_runs(mode):
    if mode == "scalar" and autograd.get_backend() != "numpy":
        pytest.skip("scalar mode does not use the kernel backend")
    sequential = {s: train_nn_model(s, mode) for s in (1, 2)}
    threaded: dict = {}
    run_in_threads(*(lambda s=s: threaded.__setitem__(s, train_nn_model(s, mode)) for s in (1, 2)))
    for s in (1, 2):
        _same(threaded[s], sequential[s])
