"""One process-wide setting that scalar mode needs: Python's full garbage collections made 10x rarer.

A scalar-mode graph is tens of thousands of acyclic objects (a ``Value`` and
its parents tuple per node) that reference counting frees the moment the
loss is dropped. With Python's default thresholds (700, 10, 10) the
collector still walks all of them in a full collection about once per
training step: measured on micrograd's demo step, half of the step's time.
Raising the third threshold from 10 to 100 leaves young collections as they
are and makes full ones 10x rarer (the collector's share falls to about a
sixth). It is changed only from Python's default, so a program that set its
own thresholds keeps them; ``GRADWORK_KEEP_GC=1`` keeps Python's defaults.
"""

from __future__ import annotations

import gc
import os

__all__ = ["FULL_COLLECTION_THRESHOLD", "tune"]

FULL_COLLECTION_THRESHOLD = 100


def tune() -> bool:
    """Apply the setting (once, at import); True when the threshold was changed."""
    if os.environ.get("GRADWORK_KEEP_GC", "") not in ("", "0"):
        return False
    t0, t1, t2 = gc.get_threshold()
    if t2 != 10:
        return False
    gc.set_threshold(t0, t1, FULL_COLLECTION_THRESHOLD)
    return True


tune()
