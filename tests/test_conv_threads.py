"""Conv2d's batch split over Python threads (``autograd.kernels.threads``): the split path against
the one-part path, the same parts run one after the other, the other backend and torch; both float
dtypes, batches that do not divide evenly, groups, stride, dilation and every padding mode; and
``run_split`` itself (order, errors, BLAS threads given back, serial kernels inside a part)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor
from autograd.kernels import threads as T
from autograd.ops import conv as C


def _rand(shape: tuple, seed: int, dtype: type = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


CASES = [  # (x shape, w shape, bias, conv2d keywords)
    ((5, 4, 9, 7), (6, 2, 3, 2), True, dict(stride=(2, 1), padding=(2, 1), groups=2, dilation=(1, 2))),
    ((7, 3, 10, 10), (4, 3, 3, 3), False, dict(padding=1, padding_mode="reflect")),
    ((3, 2, 11, 12), (5, 2, 2, 3), True, dict(padding="same", padding_mode="circular", dilation=2)),
    ((4, 2, 12, 11), (3, 2, 3, 3), True, dict(stride=2, padding=1, padding_mode="replicate")),
]


def _run(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, kw: dict, g_seed: int = 5) -> list:
    """[out, dL/dx, dL/dw, (dL/db)] of conv2d with the output gradient drawn from ``g_seed``."""
    ts = [Tensor(a, requires_grad=True) for a in ((x, w) if b is None else (x, w, b))]
    out = F.conv2d(*ts, **kw)
    out.backward(_rand(out.shape, g_seed, x.dtype))
    return [out.data] + [t.grad for t in ts]


@pytest.fixture
def split(monkeypatch):
    """split(k): Conv2d splits every per-sample batch into k parts (k = 1: never)."""
    monkeypatch.setattr(C, "PER_SAMPLE_MIN", 0)  # the per-sample (chunked) path even on these small images

    def set_parts(k: int) -> None:
        monkeypatch.setattr(C, "SPLIT_MIN", 0 if k > 1 else 1 << 60)
        monkeypatch.setattr(C, "split_threads", lambda: k)
        monkeypatch.setattr(C, "_BLAS_THREADS", 1)  # the one-part path: a product per sample

    return set_parts


@pytest.mark.parametrize("parts", [2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES)
def test_split_conv2d_matches_one_part_and_torch(case: tuple, dtype: type, parts: int, split) -> None:
    torch = pytest.importorskip("torch")
    xs, ws, has_bias, kw = case
    x, w = _rand(xs, 0, dtype), _rand(ws, 1, dtype)
    b = _rand(ws[0], 2, dtype) if has_bias else None
    if xs[0] == 5:
        x = _rand(xs[:2] + xs[:1:-1], 0, dtype).transpose(0, 1, 3, 2)  # non-contiguous input
    split(parts)
    assert len(C._plan(xs[0], 1)[0]) == parts + 1
    got = _run(x, w, b, kw)
    split(1)
    one = _run(x, w, b, kw)
    tol = 1e-11 if dtype == np.float64 else 2e-5
    for a, c in zip(got, one):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, c, rtol=tol, atol=tol)
    np.testing.assert_array_equal(got[0], one[0])  # each sample's output is the same product either way
    np.testing.assert_array_equal(got[1], one[1])  # and so is its input gradient

    mode = kw.get("padding_mode", "zeros")
    tkw = {k: v for k, v in kw.items() if k != "padding_mode"}
    qs = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in (x, w, b) if a is not None]
    if mode != "zeros":  # torch's functional conv2d pads with zeros only: pad first, as nn.Conv2d does
        kh, kw_ = ws[2:]
        d = tkw.get("dilation", 1)
        if tkw.get("padding") == "same":
            th, tw = d * (kh - 1), d * (kw_ - 1)
            pads = (tw // 2, tw - tw // 2, th // 2, th - th // 2)
        else:
            p = tkw["padding"]
            pads = (p, p, p, p)
        xq = torch.nn.functional.pad(qs[0], pads, mode=mode)
        ref = torch.nn.functional.conv2d(xq, *qs[1:], **dict(tkw, padding=0))
    else:
        ref = torch.nn.functional.conv2d(*qs, **tkw)
    ref.backward(torch.tensor(_rand(tuple(ref.shape), 5, dtype)))
    ttol = 1e-10 if dtype == np.float64 else 1e-4
    for a, c in zip(got, [ref.detach()] + [q.grad for q in qs]):
        np.testing.assert_allclose(a, c.numpy(), rtol=ttol, atol=ttol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parts_give_the_same_numbers_on_threads_and_one_after_the_other(dtype: type, split, monkeypatch) -> None:
    """Where a part runs does not change a bit: run at once on threads, or in this thread in turn."""
    if T.split_threads() < 2:
        pytest.skip("OpenBLAS's thread count cannot be set here, or there is one core: no threads to split over")
    x, w, b = _rand((7, 3, 9, 10), 0, dtype), _rand((4, 3, 3, 3), 1, dtype), _rand(4, 2, dtype)
    split(2)
    ran_in = set()
    inner = C.run_split

    def spy(fn, bounds):
        both = threading.Barrier(len(bounds) - 1, timeout=20)  # each part waits for the other: two threads

        def part(lo, hi):
            ran_in.add(threading.get_ident())
            if T._LOCK.locked():
                both.wait()
            return fn(lo, hi)

        return inner(part, bounds)

    monkeypatch.setattr(C, "run_split", spy)
    threaded = _run(x, w, b, dict(padding=1))
    assert len(ran_in) >= 2 and threading.get_ident() in ran_in  # the parts ran here and on the pool's threads
    ran_in.clear()
    monkeypatch.setattr(T, "_blas", lambda: None)  # BLAS cannot be set: the parts run here, in turn
    in_turn = _run(x, w, b, dict(padding=1))
    assert ran_in == {threading.get_ident()}
    for a, c in zip(threaded, in_turn):
        np.testing.assert_array_equal(a, c)


def test_split_conv1d_and_weight_only_gradient(split) -> None:
    """A long Conv1d split into parts, and a first layer (no input gradient) whose weight gradient sums the parts."""
    torch = pytest.importorskip("torch")
    x, w, b = _rand((5, 4, 230), 0), _rand((6, 2, 4), 1), _rand(6, 2)
    split(2)
    ts = [Tensor(x), Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)]
    out = F.conv1d(*ts, stride=2, padding=3, dilation=2, groups=2)
    g = _rand(out.shape, 3)
    out.backward(g)
    assert ts[0].grad is None
    qs = [torch.tensor(x), torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)]
    ref = torch.nn.functional.conv1d(*qs, stride=2, padding=3, dilation=2, groups=2)
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-10)
    for t, q in zip(ts[1:], qs[1:]):
        np.testing.assert_allclose(t.grad, q.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.numpy_only
def test_backends_give_the_same_split_conv_numbers(split) -> None:
    pytest.importorskip("numba")
    x, w, b = _rand((5, 3, 17, 33), 0, np.float32), _rand((5, 3, 3, 3), 1, np.float32), _rand(5, 2, np.float32)
    split(2)
    results = []
    previous = autograd.get_backend()
    try:
        for name in ("numpy", "numba"):
            autograd.set_backend(name)
            results.append(_run(x, w, b, dict(stride=(1, 2), padding=(2, 1))))
    finally:
        autograd.set_backend(previous)
    for a, c in zip(*results):
        np.testing.assert_array_equal(a, c)


def test_plan_splits_only_large_batches_of_several_samples(monkeypatch) -> None:
    monkeypatch.setattr(C, "split_threads", lambda: 2)
    big = C.SPLIT_MIN
    assert C._plan(32, big)[0] == [0, 16, 32]
    assert C._plan(7, big)[0] == [0, 3, 7]  # an odd batch: parts of 3 and 4 samples
    assert C._plan(1, 10 * big)[0] == [0, 1]  # one sample: nothing to split
    assert C._plan(4, big // 8)[0] == [0, 4]  # too little work for the hand-over
    monkeypatch.setattr(C, "split_threads", lambda: 1)
    assert C._plan(32, big)[0] == [0, 32]
    assert T.even_bounds(5, 3) == [0, 1, 3, 5]
    assert T.even_bounds(2, 4) == [0, 1, 2]


# ------------------------------------------------------------------ run_split itself


@pytest.mark.numpy_only
def test_run_split_returns_parts_in_order_and_restores_blas_threads() -> None:
    before = T.blas_threads()
    seen = []

    def fn(lo: int, hi: int) -> tuple:
        seen.append(T.serial_only())
        found = T._blas()
        return lo, hi, None if found is None else found[0](), T.blas_threads()

    got = T.run_split(fn, [0, 2, 5, 9])
    assert [g[:2] for g in got] == [(0, 2), (2, 5), (5, 9)]
    assert all(seen) and not T.serial_only()
    assert T.blas_threads() == before
    assert {g[3] for g in got} == {before}  # the plan's count: the one outside the region
    if T.split_threads() > 1:
        assert {g[2] for g in got} == {1}  # while OpenBLAS itself runs one thread inside the parts


@pytest.mark.numpy_only
def test_run_split_raises_a_parts_error_after_every_part_finished() -> None:
    before = T.blas_threads()
    done = []

    def fn(lo: int, hi: int) -> int:
        if lo == 3:
            raise ValueError("part 3 failed")
        done.append(lo)
        return lo

    with pytest.raises(ValueError, match="part 3 failed"):
        T.run_split(fn, [0, 3, 6, 9])
    assert sorted(done) == [0, 6]
    assert T.blas_threads() == before and not T.serial_only()
    assert T._LOCK.acquire(blocking=False)  # the region's lock was given back
    T._LOCK.release()
    assert T.run_split(lambda lo, hi: hi - lo, [0, 4, 8]) == [4, 4]  # and the next split runs


@pytest.mark.numpy_only
def test_nested_split_runs_in_turn_and_kernels_stay_serial(monkeypatch) -> None:
    pytest.importorskip("numba")
    from autograd.kernels import jit_conv
    from autograd.kernels import numba_backend as NB
    from autograd.kernels import numba_conv

    monkeypatch.setattr(NB, "parallel_allowed", lambda: True)
    assert numba_conv._pick(jit_conv.unfold_into, 10**9, "unfold_into") is jit_conv.unfold_into.parallel

    def fn(lo: int, hi: int) -> tuple:
        inner = T.run_split(lambda a, b: threading.get_ident(), [lo, lo + 1, hi])
        return set(inner) == {threading.get_ident()}, numba_conv._pick(jit_conv.unfold_into, 10**9, "unfold_into")

    for nested_here, kernel in T.run_split(fn, [0, 2, 4]):
        assert nested_here and kernel is jit_conv.unfold_into.serial


@pytest.mark.numpy_only
@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_run_split_works_in_a_forked_child() -> None:
    """A child forked after the pool started has none of its threads: the split must not wait on them."""
    import os
    import signal

    assert T.run_split(lambda lo, hi: hi - lo, [0, 2, 5]) == [2, 3]  # the pool exists (where BLAS can be set)
    pid = os.fork()
    if pid == 0:  # the child: exit 0 when the split answers within 20 s
        signal.alarm(20)
        ok = False
        try:
            ok = T.run_split(lambda lo, hi: hi - lo, [0, 2, 5]) == [2, 3]
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status


@pytest.mark.numpy_only
def test_run_split_does_not_wait_for_a_pool_thread_that_never_starts(monkeypatch) -> None:
    """A busy machine may start the pool's thread late: this thread takes the parts it left."""
    if T.blas_threads() is None:
        pytest.skip("OpenBLAS's thread count cannot be set here: the parts always run in turn")

    class Stalled:
        def submit(self, fn, *args):  # accepted, never run
            return None

    monkeypatch.setattr(T, "_pool", lambda workers: Stalled())
    here = threading.get_ident()
    assert T.run_split(lambda lo, hi: (lo, threading.get_ident() == here), [0, 1, 2, 3]) == [
        (0, True), (1, True), (2, True)]


def test_convs_on_two_threads_at_once_give_the_numbers_of_one_after_the_other(monkeypatch) -> None:
    """Two threads training side by side: one splits, the other, finding BLAS held at one thread,
    makes the same plan and runs its parts in turn; both give the numbers of a run on its own."""
    if T.split_threads() < 2:
        pytest.skip("OpenBLAS's thread count cannot be set here, or there is one core: no split")
    monkeypatch.setattr(C, "PER_SAMPLE_MIN", 0)
    monkeypatch.setattr(C, "SPLIT_MIN", 0)
    x, w, b = _rand((6, 3, 12, 12), 0, np.float32), _rand((4, 3, 3, 3), 1, np.float32), _rand(4, 2, np.float32)
    alone = _run(x, w, b, dict(padding=1))
    results: list = [[], []]
    errors: list = []

    def worker(k: int) -> None:
        try:
            for _ in range(10):
                results[k].append(_run(x, w, b, dict(padding=1)))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    for got in results[0] + results[1]:
        for a, c in zip(got, alone):
            np.testing.assert_array_equal(a, c)
