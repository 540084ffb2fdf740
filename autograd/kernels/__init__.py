"""Kernels behind the backend table: ``reference`` (numpy) and the Numba ones.

This layer imports nothing from the engine (``autograd.tensor``, ``ops``,
``function``, ``backend``...): kernels are plain functions over arrays, and
the engine builds on them. Nothing here imports Numba at import time; Numba
kernels compile on first use (``jit``), or all at once with ``warmup``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

BLAS_TIMEOUT_VAR = "OPENBLAS_THREAD_TIMEOUT"

# read when the kernels load, i.e. right after numpy (and OpenBLAS) loaded for ``import autograd``
_pools_settled = bool(os.environ.get(BLAS_TIMEOUT_VAR, "").strip())


def blas_pools_settled() -> bool:
    """True when OpenBLAS was loaded with ``OPENBLAS_THREAD_TIMEOUT`` set, so its idle threads sleep at once."""
    return _pools_settled


def warmup(dtypes: Any = (np.float32, np.float64), parallel: bool | None = None) -> None:
    """Compile (or load from Numba's disk cache) every Numba kernel for ``dtypes`` now, not on first use.

    ``parallel`` also compiles the threaded twins (default: when they can run
    here). Raises RuntimeError when Numba is not installed.
    """
    try:
        from . import numba_backend
    except ImportError as exc:
        raise RuntimeError(f"warmup: the Numba kernels could not be loaded ({exc}); install numba") from exc
    numba_backend.warmup(tuple(dtypes), parallel)
