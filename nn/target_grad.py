"""Loss targets that require grad: torch differentiates a loss with respect to its target too.

The losses keep their fast paths for the common case (a target that is data). When the
target is a Tensor that requires grad and grad mode is on, each loss writes its formula with
the target as a graph input instead, so ``target.grad`` is torch's (for example d/dt of
(p - t)**2 is -2 (p - t); of KL(t || q) it is log t + 1 - log q).
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor, is_grad_enabled

__all__ = ["graph_target"]


def graph_target(target: Any, like: Tensor) -> Tensor | None:
    """``target`` as a graph input (in ``like``'s float dtype) when it requires grad and grad mode is on, else None."""
    if not (isinstance(target, Tensor) and target.requires_grad and is_grad_enabled()):
        return None
    return target if target.data.dtype == like.data.dtype else target.astype(like.data.dtype)
