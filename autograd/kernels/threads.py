"""A batch split over Python threads, each running single-threaded BLAS and serial Numba kernels.

A convolution on a few threads is a stream of medium-sized matrix products
(one per sample) with copies (im2col columns, bias, col2im) between them.
OpenBLAS splits each product over its threads, but a product of a (32, 144)
weight and (144, 1024) columns is too small to split well, and the copies
between products run on one core. Splitting the *batch* instead, each thread
running the one-thread code on its part of the samples, keeps every core busy
for the whole op (measured on 2 cores, the bench/conv.py Conv2d case: 12.5 ms
a fwd+bwd with OpenBLAS's two threads on chunks of 7 samples, 9 ms on two halves
of the batch with one BLAS thread each).

``run_split(fn, bounds)`` runs ``fn(lo, hi)`` for each range of samples, on the
calling thread and a small pool at once, and returns the results in order. For
that time OpenBLAS is set to one thread (its thread count is one process-wide
setting; OpenBLAS's ``openblas_set_num_threads_local`` is process-wide too in
its pthreads build) and set back afterwards; a product that another Python
thread runs meanwhile gets one BLAS thread. Numba kernels called from a part
run their serial twins (``serial_only()``; the conv kernels are compiled with
``nogil=True`` so the parts overlap).

Splitting needs numpy's OpenBLAS, pthreads build, found among the loaded
libraries (Linux ``/proc/self/maps``); elsewhere ``split_threads()`` is 1 and
the callers keep their one-process-thread path. The results do not depend on
which thread runs a part: one region at a time (a lock), and a caller that
finds the lock taken runs the same parts one after the other.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

_LOCAL = threading.local()
_LOCK = threading.Lock()  # one split region at a time
_COUNT_LOCK = threading.Lock()  # OpenBLAS's count and _OUTSIDE change together
_OUTSIDE: int | None = None  # in a region: the thread count OpenBLAS had before it
_POOL: "ThreadPoolExecutor | None" = None
_BLAS: tuple | None | bool = False  # False: not looked up yet; None: not found

# (get threads, set threads, get parallel type) as OpenBLAS builds spell them: numpy's wheels
# ship scipy-openblas (a prefix and, for 64-bit ints, a suffix), a system OpenBLAS has the plain names
_NAMES = [
    (f"{p}_get_num_threads{s}", f"{p}_set_num_threads{s}", f"{p}_get_parallel{s}")
    for p in ("scipy_openblas", "openblas") for s in ("64_", "")
]


def _after_fork_in_child() -> None:
    """A forked child has none of the parent's threads: a new pool (made on first use), free locks,
    and OpenBLAS's count set back if the fork came in the middle of another thread's split region."""
    global _POOL, _LOCK, _COUNT_LOCK, _OUTSIDE
    _POOL = None
    _LOCK = threading.Lock()
    _COUNT_LOCK = threading.Lock()
    if _OUTSIDE is not None and _BLAS:
        _BLAS[1](_OUTSIDE)
    _OUTSIDE = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def serial_only() -> bool:
    """True inside a part of ``run_split``: threaded Numba kernels must not start there."""
    return getattr(_LOCAL, "serial", False)


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line}
    except OSError:  # not Linux
        return []
    import numpy as np

    home = os.path.dirname(os.path.dirname(os.path.realpath(np.__file__)))  # site-packages: numpy.libs is there
    ours = sorted(p for p in paths if os.path.realpath(p).startswith(os.path.join(home, "numpy")))
    return ours or (sorted(paths) if len(paths) == 1 else [])  # several and none numpy's: which is numpy's?


def _find_blas() -> tuple | None:
    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get, put, kind in _NAMES:
            if all(hasattr(lib, name) for name in (get, put, kind)):
                get_fn, set_fn, kind_fn = getattr(lib, get), getattr(lib, put), getattr(lib, kind)
                get_fn.restype = kind_fn.restype = ctypes.c_int
                get_fn.argtypes = kind_fn.argtypes = []
                set_fn.restype = None
                set_fn.argtypes = [ctypes.c_int]
                if kind_fn() != 1:  # 0: sequential build (one thread anyway), 2: OpenMP (per-thread settings)
                    return None
                return get_fn, set_fn
    return None


def _blas() -> tuple | None:
    global _BLAS
    if _BLAS is False:
        _BLAS = _find_blas()
    return _BLAS


def blas_threads() -> int | None:
    """OpenBLAS's thread count (numpy's, pthreads build), or None when it cannot be read here.

    While a split region holds OpenBLAS at one thread, the count it will set back: so a convolution
    that another thread runs meanwhile makes the same plan, and gives the same numbers, as outside one.
    """
    found = _blas()
    if found is None:
        return None
    with _COUNT_LOCK:
        return max(1, int(found[0]() if _OUTSIDE is None else _OUTSIDE))


def split_threads() -> int:
    """How many parts ``run_split`` runs at once: OpenBLAS's threads now, at most the cores (1: no split)."""
    n = blas_threads()
    return 1 if n is None else max(1, min(n, _cores()))


def _cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _pool(workers: int) -> "ThreadPoolExecutor":
    global _POOL
    from concurrent.futures import ThreadPoolExecutor

    if _POOL is None or _POOL._max_workers < workers:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gradwork-split")
    return _POOL


class _Region:
    """One split: its parts, claimed one at a time by whichever thread is free (this one or the pool's)."""

    def __init__(self, fn: Callable[[int, int], Any], ranges: list) -> None:
        self.fn, self.ranges = fn, ranges
        self.claim = itertools.count()  # next() on it is atomic under the GIL
        self.results: list = [None] * len(ranges)
        self.errors: list = [None] * len(ranges)
        self.done = [threading.Event() for _ in ranges]

    def work(self) -> None:
        _LOCAL.serial = True
        try:
            while (i := next(self.claim)) < len(self.ranges):
                try:
                    self.results[i] = self.fn(*self.ranges[i])
                except BaseException as exc:  # noqa: BLE001  (handed to the caller, in part order)
                    self.errors[i] = exc
                finally:
                    self.done[i].set()
        finally:
            _LOCAL.serial = False


def run_split(fn: Callable[[int, int], Any], bounds: list[int]) -> list:
    """[fn(bounds[0], bounds[1]), fn(bounds[1], bounds[2]), ...], the parts at once on one BLAS thread each.

    This thread and the pool's take the parts one by one, so a pool thread that starts late (a busy
    machine) leaves its part to this one instead of making it wait. When BLAS cannot be set, or
    another thread is in a split region (or this one, nested), the parts run here one after the
    other. Either way the numbers are the same. A part's error is raised once every part finished.
    """
    ranges = list(zip(bounds[:-1], bounds[1:]))
    found = _blas()
    if found is None or len(ranges) < 2 or serial_only() or not _LOCK.acquire(blocking=False):
        return [fn(lo, hi) for lo, hi in ranges]
    global _OUTSIDE
    get_fn, set_fn = found
    try:
        with _COUNT_LOCK:
            _OUTSIDE = before = get_fn()
            set_fn(1)
        try:
            region = _Region(fn, ranges)
            pool = _pool(len(ranges) - 1)
            for _ in ranges[1:]:
                pool.submit(region.work)
            region.work()
            for event in region.done:  # every part claimed is finished before BLAS gets its threads back
                event.wait()
        finally:
            with _COUNT_LOCK:
                set_fn(before)
                _OUTSIDE = None
    finally:
        _LOCK.release()
    for exc in region.errors:
        if exc is not None:
            raise exc
    return region.results


def even_bounds(n: int, parts: int) -> list[int]:
    """0 = b0 < b1 < ... < b_parts = n, the n samples dealt as evenly as they go."""
    parts = max(1, min(parts, n))
    return [n * k // parts for k in range(parts + 1)]


__all__ = ["blas_threads", "split_threads", "run_split", "serial_only", "even_bounds"]
