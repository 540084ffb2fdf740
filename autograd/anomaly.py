"""``detect_anomaly()``: stop at the first op that turns finite numbers into NaN or inf.

Inside the context every tensor op checks its output (forward) and the
gradients it returns (backward). The error names the op, the line of user
code that created it, and the input shapes. Scalar mode checks the same way:
a ``Value`` op names itself, the user's line (forward) and its input numbers.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import ContextDecorator
from typing import Any

import numpy as np

class _AnomalyMode(threading.local):
    depth = 0  # nesting depth of detect_anomaly() in this thread


_local = _AnomalyMode()
_PKG_DIRS = tuple(
    os.path.dirname(os.path.abspath(p)) + os.sep
    for p in (__file__, os.path.join(os.path.dirname(__file__), "..", "nn", "x"),
              os.path.join(os.path.dirname(__file__), "..", "optim", "x"))
)


class AnomalyError(RuntimeError):
    """An op produced NaN or inf from finite inputs while ``detect_anomaly()`` was on."""


def is_anomaly_enabled() -> bool:
    return _local.depth > 0


# How many detect_anomaly() blocks are open in all threads together, and who wants to know when it
# goes from 0 to 1 and back: scalar mode keeps a plain module flag, cheaper to test on every op
# than this thread's depth (it then checks the depth, so the mode stays per thread).
_open = 0
_open_lock = threading.Lock()
_watchers: list = []


def _count_open(step: int) -> None:
    global _open
    with _open_lock:
        _open += step
        for watch in _watchers:
            watch(_open > 0)


class detect_anomaly(ContextDecorator):
    """Check every op's output and gradients for NaN/inf in this thread (slower; for debugging)."""

    def __enter__(self) -> "detect_anomaly":
        _local.depth += 1
        _count_open(1)
        return self

    def __exit__(self, *exc: Any) -> None:
        _local.depth -= 1
        _count_open(-1)


def user_frame() -> str:
    """'file:line' of the innermost caller outside gradwork's own packages."""
    frame = sys._getframe(1)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith(_PKG_DIRS):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def _bad(x: Any) -> bool:
    arr = x if isinstance(x, np.ndarray) else getattr(x, "data", None)
    return isinstance(arr, np.ndarray) and arr.dtype.kind == "f" and not np.isfinite(arr).all()


def check_forward(op: str, inputs: list, out: np.ndarray) -> str:
    """Raise if ``out`` has NaN/inf that no input had; return where the op was created."""
    where = user_frame()
    if _bad(out) and not any(_bad(a) for a in inputs):
        shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in inputs)
        kind = "NaN" if np.isnan(out).any() else "inf"
        raise AnomalyError(f"{op} produced {kind} in its forward pass at {where} (input shapes: {shapes})")
    return where


def check_backward(op: str, where: str, g: Any, grads: tuple, inputs: Any) -> None:
    """Raise if the gradients an op returns have NaN/inf although its inputs and incoming gradient had none."""
    if _bad(g) or any(_bad(a) for a in inputs):  # the NaN/inf came from elsewhere: the op is not to blame
        return
    shapes = [getattr(a, "shape", a) for a in inputs]
    for i, pg in enumerate(grads):
        if pg is not None and _bad(pg):
            kind = "NaN" if np.isnan(pg if isinstance(pg, np.ndarray) else pg.data).any() else "inf"
            raise AnomalyError(
                f"{op} produced {kind} in its backward pass (gradient of input {i}); the op was created at "
                f"{where} (input shapes: {', '.join(map(str, shapes))})"
            )


def in_backward_of(exc: AnomalyError, op: str, ctx: Any) -> AnomalyError:
    """``exc`` (raised by an op recorded while ``op``'s backward ran under create_graph) with that context added."""
    where = getattr(ctx, "_created_at", "<made outside detect_anomaly>")
    return AnomalyError(f"{exc}, while computing the backward of {op} (created at {where})")
