"""``torch.autograd``'s names, so that ``torch.autograd.Function`` and ``torch.autograd.grad`` run as written
with ``import autograd as torch``.

backward(tensors, grad_tensors): sum_i <grad_tensors[i], d tensors[i] / d leaf> into every leaf's ``.grad``.
"""

from __future__ import annotations

from typing import Any, Sequence

from . import functional
from .anomaly import detect_anomaly
from .engine import enable_grad, inference_mode, no_grad, set_grad_enabled
from .function import Context as FunctionCtx
from .function import Function
from .functional import grad, hessian, jacobian
from .gradcheck import gradcheck

__all__ = ["Function", "FunctionCtx", "backward", "grad", "jacobian", "hessian", "gradcheck", "functional",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "detect_anomaly"]


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """torch.autograd.backward: ``t.backward(g)`` for every tensor and its gradient, accumulated into ``.grad``."""
    from .tensor import Tensor

    ts: Sequence = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None:
        gs: Sequence = [None] * len(ts)
    else:
        gs = [grad_tensors] if isinstance(grad_tensors, Tensor) or not isinstance(grad_tensors, (list, tuple)) \
            else list(grad_tensors)
    if len(gs) != len(ts):
        raise ValueError(f"autograd.backward: got {len(ts)} tensors and {len(gs)} grad_tensors; give one gradient "
                         "per tensor (None for a one-element tensor)")
    keep = bool(create_graph) if retain_graph is None else bool(retain_graph)
    for i, (t, g) in enumerate(zip(ts, gs)):
        last = i == len(ts) - 1
        t.backward(g, retain_graph=keep or not last, create_graph=create_graph)
