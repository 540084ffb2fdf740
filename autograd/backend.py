"""The backend table: one name per kernel, one implementation per backend.

Ops call ``backend.ops.<name>(...)``; ``set_backend("numpy"|"numba")`` swaps
every entry at once. ``numpy`` is the reference; ``numba`` replaces the
kernels it has and keeps the numpy reference for the rest. The initial choice
comes from the environment variable ``GRADWORK_BACKEND`` (default ``numpy``).

Thread pools: numpy's OpenBLAS keeps its worker threads spinning for a while
after each call, and a Numba ``parallel=True`` kernel run in that window
fights them for the cores (measured here: each op 7 to 116 times slower).
``OPENBLAS_THREAD_TIMEOUT=20`` makes them sleep after about 2**20 cycles
(a fraction of a millisecond) instead of 2**28; bench/ times 4, 12, 20 and 28
over its training table: they come within a few per cent of each other, 20
first in some runs and 28 (OpenBLAS's own default) in others. OpenBLAS reads it when
it loads, so ``import autograd`` sets it (unless already set) when numpy is
not loaded yet. ``blas_pools_settled()`` says whether that worked; if not, the
Numba kernels stay single-threaded.
"""

from __future__ import annotations

import os
import types
from typing import Callable

from .kernels import BLAS_TIMEOUT_VAR, blas_pools_settled, reference  # noqa: F401  (re-exported)

BACKENDS = ("numpy", "numba")
ENV_VAR = "GRADWORK_BACKEND"

ops = types.SimpleNamespace(**reference.KERNELS)
_current = "numpy"


def _numba_table() -> dict[str, Callable]:
    try:
        from .kernels import numba_backend
    except ImportError as exc:  # numba missing or broken
        raise RuntimeError(
            f"set_backend('numba'): the Numba kernels could not be loaded ({exc}); "
            "install numba (pip install numba) or use set_backend('numpy')"
        ) from exc
    return numba_backend.KERNELS


def set_backend(name: str) -> None:
    """Route every kernel through ``name``: ``"numpy"`` (reference) or ``"numba"`` (jitted, compiled lazily)."""
    global _current
    if not isinstance(name, str) or name not in BACKENDS:
        raise ValueError(f"set_backend: unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    table = dict(reference.KERNELS)
    if name == "numba":
        table.update(_numba_table())
    for key, fn in table.items():
        setattr(ops, key, fn)
    _current = name


def get_backend() -> str:
    """The name of the backend in use."""
    return _current


_env = os.environ.get(ENV_VAR, "").strip().lower()
if _env and _env != "numpy":
    set_backend(_env)
