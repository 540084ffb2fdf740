"""One process-wide setting that tensor mode needs on Linux: glibc keeps freed arrays' memory for reuse.

A training step allocates and frees the same large arrays every step
(activations, gradients, an LSTM's gate buffers). By default glibc serves
anything above 128 KiB with a fresh ``mmap`` and gives memory at the top of
its heap back to the system as soon as 128 KiB of it are free, so the next
step's arrays land on fresh pages and every page faults in again. With
several threads in the process (OpenBLAS's, Numba's) each of those mappings
also interrupts the other cores. Measured here with bench/rnn.py: an LSTM
layer's step took 25 ms on two threads with glibc's defaults and 16 ms with
these settings.

``tune()`` asks glibc (``mallopt``) to serve requests up to 32 MiB from its
heap and to give memory back only when 256 MiB at the top of the heap are
free: the process holds on to freed memory up to that much instead of
returning it at once. It does nothing off glibc, when the program set glibc's
own ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` variables, or with
``GRADWORK_KEEP_MALLOC=1``.
"""

from __future__ import annotations

import os
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "tune"]

MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)

applied = False


def tune() -> bool:
    """Apply the setting (once, at import); True when glibc took it."""
    global applied
    if applied or not sys.platform.startswith("linux"):
        return applied
    if os.environ.get("GRADWORK_KEEP_MALLOC", "") not in ("", "0"):
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        import ctypes

        if not os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
            return False
        mallopt = ctypes.CDLL(None).mallopt
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt.restype = ctypes.c_int
        applied = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
            mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (OSError, AttributeError, ValueError):
        return False
    return applied


tune()
