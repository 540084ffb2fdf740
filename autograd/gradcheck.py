"""Check analytic gradients against central differences in float64."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from . import engine
from .tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its numerical estimate."""


def _inputs(inputs: Any) -> list:
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    out = []
    for i, x in enumerate(items):
        if isinstance(x, Tensor):
            if x.dtype != np.float64:
                warnings.warn(
                    f"gradcheck: input {i} is {x.dtype}; it is upcast to float64, since finite differences "
                    "in low precision are too noisy to check against",
                    stacklevel=3,
                )
            out.append(Tensor(x.data.astype(np.float64), requires_grad=x.requires_grad))
        elif isinstance(x, np.ndarray) and x.dtype.kind == "f":
            if x.dtype != np.float64:
                warnings.warn(f"gradcheck: input {i} is {x.dtype}; it is upcast to float64", stacklevel=3)
            out.append(Tensor(x.astype(np.float64), requires_grad=True))
        else:
            out.append(x)
    return out


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True if d(sum of fn(*inputs) weighted by a fixed random cotangent)/d input matches central differences.

    Every Tensor input that requires grad is checked, element by element:
    ``|analytic - numeric| <= atol + rtol * |numeric|``. On a mismatch it
    raises ``GradcheckError`` naming the input, the index and both values
    (or returns False with ``raise_exception=False``).
    """
    if not callable(fn):
        raise TypeError(f"gradcheck: expected a function, got {type(fn).__name__}")
    if eps <= 0 or atol < 0 or rtol < 0:
        raise ValueError(f"gradcheck: eps must be > 0 and atol, rtol >= 0, got eps={eps}, atol={atol}, rtol={rtol}")
    xs = _inputs(inputs)
    checked = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; create at least one with requires_grad=True")

    with engine.enable_grad():
        out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: the function must return a Tensor, got {type(out).__name__}")
    rng = np.random.default_rng(0)
    cot = rng.standard_normal(out.shape) if out.size != 1 else np.ones(out.shape)

    def scalar(*args: Any) -> float:
        with engine.no_grad():
            return float(np.sum(np.asarray(fn(*args).data, dtype=np.float64) * cot))

    if out.requires_grad:
        analytic = engine.gradients(out, [xs[i] for i in checked], grad_outputs=cot, allow_unused=True)
    else:
        analytic = [None] * len(checked)
    for slot, i in enumerate(checked):
        x = xs[i]
        a = np.zeros_like(x.data) if analytic[slot] is None else np.asarray(analytic[slot].data)
        flat = x.data.reshape(-1) if x.data.flags.c_contiguous else None
        if flat is None:
            x.data = np.ascontiguousarray(x.data)
            flat = x.data.reshape(-1)
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            hi = scalar(*xs)
            flat[k] = orig - eps
            lo = scalar(*xs)
            flat[k] = orig
            num = (hi - lo) / (2 * eps)
            ana = float(a.reshape(-1)[k])
            if not abs(ana - num) <= atol + rtol * abs(num):
                idx = np.unravel_index(k, x.shape) if x.ndim else ()
                msg = (
                    f"gradcheck: gradient of input {i} (shape {x.shape}) at index {tuple(int(j) for j in idx)}: "
                    f"analytic {ana!r} vs numerical {num!r} (atol={atol}, rtol={rtol})"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True
