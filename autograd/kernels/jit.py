"""How every Numba kernel is compiled: lazily, cached on disk, in a serial and a parallel twin.

Importing this module imports Numba but compiles nothing: ``njit`` without a
signature compiles on the first call for each argument type, and
``cache=True`` keeps the machine code under ``__pycache__`` (or
``NUMBA_CACHE_DIR``) so that the next process loads it instead.

A kernel body is written once with ``prange``. ``twins`` makes two
dispatchers from it: ``serial`` (``prange`` acts as ``range``) and
``parallel`` (``prange`` splits the loop over Numba's threads, as many as
``NUMBA_NUM_THREADS`` allows). The wrappers in ``numba_backend`` choose the
parallel one only above a measured size. Every parallel loop writes disjoint
elements, and reductions go into one slot per chunk, never into a shared cell.
"""

from __future__ import annotations

import hashlib
import os
import types
from typing import Callable, NamedTuple

# GNU OpenMP (Numba's "omp" threading layer here) keeps its workers spinning after each parallel
# loop, and they compete with OpenBLAS's threads in the next matmul. Measured on 2 cores, training
# the 784-1024-1024-10 MLP: 40-51 ms a step with libgomp's default spin (300000), 24-31 ms with none,
# with 2000 or 5000, and with Numba single-threaded. A short spin keeps that, and a parallel kernel
# that follows another within ~50 us starts at once instead of waking sleeping threads (~50-70 us:
# tanh_backward on 1e6 float32 ran in 130 us with no spin, 69 us with 2000). libgomp reads the
# setting once, when it loads; if it is loaded already (torch ships its own libgomp.so.1, and Numba
# then uses that one) it is too late, and numba_backend keeps the kernels serial.


def _libgomp_loaded() -> bool:
    try:
        with open("/proc/self/maps") as f:
            return "libgomp" in f.read()
    except OSError:  # not Linux: no /proc, and no GNU OpenMP to worry about
        return False


SPINCOUNT = "2000"  # spins (pause loops) a worker waits for more work before it sleeps: ~50 us here
OMP_SPIN_SETTLED = bool(os.environ.get("GOMP_SPINCOUNT") or os.environ.get("OMP_WAIT_POLICY")) \
    or not _libgomp_loaded()
os.environ.setdefault("GOMP_SPINCOUNT", SPINCOUNT)

from numba import njit  # noqa: E402


class Twins(NamedTuple):
    serial: Callable
    parallel: Callable


def _copy(fn: Callable, suffix: str) -> Callable:
    # a distinct qualified name gives each twin its own cache file
    new = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + suffix, fn.__defaults__, fn.__closure__)
    new.__qualname__ = fn.__qualname__ + suffix
    new.__doc__ = fn.__doc__
    return new


# error_model="numpy": x / 0 gives inf or nan as in numpy, instead of a ZeroDivisionError check
# in every division, which would also stop LLVM from vectorising the loop
OPTIONS = dict(cache=True, error_model="numpy")


def _shared_source_digest() -> str:
    # Numba checks a cached kernel against its own source file only, but kernels inline code from
    # jit_exp.py: a digest of that file in every kernel's name sends an edit there to fresh cache files
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "jit_exp.py"), "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


_SHARED = _shared_source_digest()


def _tag(options: dict) -> str:
    # Numba's disk cache is keyed on the bytecode, not on the options: a tag of the options in
    # every kernel's name gives each set of options its own cache files
    return hashlib.sha1((repr(sorted(options.items())) + _SHARED).encode()).hexdigest()[:6]


def twins(fn: Callable, **extra: object) -> Twins:
    """Serial and parallel dispatchers compiled from one kernel body (lazily, cached); ``extra`` adds njit options."""
    one = dict(OPTIONS, **extra)
    par = dict(one, parallel=True)
    return Twins(njit(**one)(_copy(fn, f"_serial_{_tag(one)}")), njit(**par)(_copy(fn, f"_{_tag(par)}")))


def serial(fn: Callable, **extra: object) -> Callable:
    """A serial dispatcher (for helpers and kernels that never pay for threads); ``extra`` adds njit options."""
    options = dict(OPTIONS, **extra)
    return njit(**options)(_copy(fn, f"_{_tag(options)}"))
