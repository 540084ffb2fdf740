"""Kernels behind the backend table: ``reference`` (numpy) and the Numba ones.

Nothing here imports Numba at import time; Numba kernels compile on first use
(``jit``), or all at once with ``warmup``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


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
