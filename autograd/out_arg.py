"""torch's ``out=`` on the function spellings (``autograd.matmul(a, b, out=c)``, ``autograd.mul``, ``add``, ...).

out = f(inputs), written into the given Tensor's memory (resized, with torch's warning, when its shape differs)
and returned. As in torch, ``out=`` is not differentiable: with grad mode on, no input (nor ``out``) may require grad.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from . import engine
from .tensor import Tensor

__all__ = ["write_out"]


def write_out(out: Any, op: str, inputs: tuple, compute: Callable[[], Any]) -> Tensor:
    """``compute()``'s result written into ``out`` (a Tensor), which is returned."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): out= must be a Tensor, got {type(out).__name__}; make one with autograd.empty(shape)")
    if engine.is_grad_enabled() and (out.requires_grad or any(isinstance(x, Tensor) and x.requires_grad
                                                              for x in inputs)):
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad; call it without out= (or under autograd.no_grad())"
        )
    with engine.no_grad():
        result = compute()
    r = result.data if isinstance(result, Tensor) else np.asarray(result)
    if not np.can_cast(r.dtype, out.data.dtype, casting="same_kind"):
        raise RuntimeError(f"{op}(): result type {r.dtype} can't be cast to the desired output type "
                           f"{out.data.dtype} of out=; give an out of dtype {r.dtype}")
    if out.data.shape != r.shape:
        if out.data.size:
            warnings.warn(
                f"{op}(): an output with one or more elements was resized since it had shape {list(out.data.shape)}, "
                f"which does not match the required output shape {list(r.shape)}; give an out of the result's "
                "shape (or an empty one)", UserWarning, stacklevel=3)
        out.data = np.empty(r.shape, dtype=out.data.dtype)  # new memory, as torch's resize_ of a too small out
    with engine.no_grad():
        out.copy_(Tensor._make(r))
    return out
