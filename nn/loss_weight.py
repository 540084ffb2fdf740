"""torch's elementwise ``weight=`` of the regression losses (``F.mse_loss(x, y, weight=w)``).

The unreduced loss times the weight (of the input's shape; it may require grad), then reduced as torch does:
the sum, or for the mean ``sum(w l) / sum(w)`` (mse, l1) or ``mean(w l)`` (huber).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

__all__ = ["weighted_reduce"]


def weighted_reduce(losses: Tensor, weight: Any, input_shape: tuple, reduction: str, op: str,
                    mean_by_weight: bool = True) -> Tensor:
    """Weigh the elementwise ``losses`` and reduce them (``reduction`` already checked)."""
    w = weight if isinstance(weight, Tensor) else Tensor(np.asarray(weight, dtype=losses.data.dtype))
    if tuple(w.shape) != tuple(input_shape):
        raise ValueError(f"{op}: weight of shape {tuple(w.shape)} must have the input's shape {tuple(input_shape)}")
    if w.data.dtype != losses.data.dtype and w.data.dtype.kind == "f":
        w = w.astype(losses.data.dtype)
    out = losses * w
    if reduction == "none":
        return out
    if reduction == "sum":
        return out.sum()
    return out.sum() / w.sum() if mean_by_weight else out.mean()
