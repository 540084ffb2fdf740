"""Gradient and parameter utilities with torch's names (``torch.nn.utils``).

    >>> from nn.utils import clip_grad_norm_
    >>> total = clip_grad_norm_(model.parameters(), max_norm=1.0)   # doctest: +SKIP

Clipping rescales each ``.grad`` in place, so the optimiser's next ``step``
sees the clipped numbers, whether ``.grad`` is an ndarray or a Tensor (and,
for scalar-mode ``Value`` parameters, a float).
"""

from __future__ import annotations

import math
import sys
from numbers import Real
from typing import Any, Iterable

import numpy as np

import autograd
from autograd import Tensor, Value

from . import data
from . import packed as rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters", "data"]
__all__ += ["rnn"]

sys.modules.setdefault(__name__ + ".data", data)  # ``from nn.utils.data import DataLoader``, like torch.utils.data
sys.modules.setdefault(__name__ + ".rnn", rnn)  # ``from nn.utils.rnn import pad_sequence``, like torch.nn.utils.rnn


def _grad_array(p: Any) -> np.ndarray | None:
    """The ndarray behind ``p.grad`` (an ndarray, or a Tensor's ``.data``), writable; None without a gradient."""
    g = p.grad
    if g is None:
        return None
    arr = g.data if isinstance(g, Tensor) else g  # (an ndarray's own .data is a memoryview)
    if not arr.flags.writeable:  # never scale memory someone else owns: give p its own copy first
        arr = np.array(arr, copy=True)
        if isinstance(g, Tensor):
            g.data = arr
        else:
            p.grad = arr
    return arr


def _params(parameters: Any, where: str) -> list:
    """A list of parameters from one Tensor/Value or an iterable of them (a generator is read once)."""
    if isinstance(parameters, (Tensor, Value)):
        return [parameters]
    if hasattr(parameters, "parameters") and callable(parameters.parameters) and not isinstance(parameters, list):
        raise TypeError(f"{where}: pass model.parameters(), not the model itself")
    try:
        params = list(parameters)
    except TypeError:
        raise TypeError(
            f"{where}: parameters must be a Tensor or an iterable of Tensors (e.g. model.parameters()), "
            f"got {type(parameters).__name__}"
        ) from None
    for p in params:
        if not isinstance(p, (Tensor, Value)):
            raise TypeError(f"{where}: expected Tensors (or Values), found {type(p).__name__} among the parameters")
    return params


def _norm_type(norm_type: Any, where: str) -> float:
    if isinstance(norm_type, str) and norm_type.lower() == "inf":
        return math.inf
    if isinstance(norm_type, bool) or not isinstance(norm_type, Real) or not norm_type > 0:
        raise ValueError(f"{where}: norm_type must be a positive number or inf, got {norm_type!r}")
    return float(norm_type)


def _vector_norm(arr: np.ndarray, p: float) -> float:
    """(sum |x|**p)**(1/p) of all entries, or max |x| for p = inf (float64)."""
    a = np.abs(np.asarray(arr, dtype=np.float64)).ravel()
    if a.size == 0:
        return 0.0
    if p == math.inf:
        return float(a.max())
    if p == 2.0:
        return float(np.sqrt(np.dot(a, a)))
    if p == 1.0:
        return float(a.sum())
    return float(np.sum(a**p) ** (1.0 / p))


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: Any = None) -> Tensor:
    """Scale all gradients by min(1, max_norm / (total + 1e-6)) in place; return the total norm (a 0-d Tensor).

    The total is the ``norm_type``-norm of all gradients taken together (the
    norm of the per-parameter norms), as torch computes it.
    """
    where = "clip_grad_norm_"
    params = _params(parameters, where)
    if isinstance(max_norm, bool) or not isinstance(max_norm, Real):
        raise TypeError(f"{where}: max_norm must be a number, got {max_norm!r}")
    p = _norm_type(norm_type, where)
    tensors = [q for q in params if isinstance(q, Tensor) and q.grad is not None]
    values = [q for q in params if type(q) is Value]
    if not tensors and not values:
        return Tensor(0.0)
    arrays = [_grad_array(q) for q in tensors]
    norms = [_vector_norm(a, p) for a in arrays]
    if values:
        norms.append(_vector_norm(np.array([v.grad for v in values], dtype=np.float64), p))
    total = _vector_norm(np.array(norms), p)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"{where}: the total norm of order {norm_type} of the gradients is {total}, so they cannot be clipped; "
            "pass error_if_nonfinite=False to clip anyway, and look for the NaN/inf (autograd.detect_anomaly())"
        )
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):  # an inf total makes the infinite entries NaN, as torch does
        for a in arrays:
            a *= np.asarray(coef, dtype=a.dtype)  # in place: the optimiser reads this very array
    for v in values:
        v.grad = v.grad * coef
    dtype = arrays[0].dtype if arrays else np.float64
    return Tensor(np.asarray(total, dtype=dtype))


def clip_grad_value_(parameters: Any, clip_value: float, foreach: Any = None) -> None:
    """Clamp every gradient entry into [-clip_value, clip_value] in place."""
    where = "clip_grad_value_"
    params = _params(parameters, where)
    if isinstance(clip_value, bool) or not isinstance(clip_value, Real):
        raise TypeError(f"{where}: clip_value must be a number, got {clip_value!r}")
    c = float(clip_value)
    if c < 0:
        raise ValueError(f"{where}: clip_value must be >= 0 (gradients go into [-clip_value, clip_value]), got {c}")
    for q in params:
        if type(q) is Value:
            q.grad = min(max(q.grad, -c), c)
            continue
        a = _grad_array(q)
        if a is not None:
            np.clip(a, -c, c, out=a)


def parameters_to_vector(parameters: Iterable[Any]) -> Tensor:
    """All parameters flattened and joined into one 1-D Tensor (recorded, so gradients flow back)."""
    params = [q for q in _params(parameters, "parameters_to_vector")]
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    if any(type(q) is Value for q in params):
        raise TypeError("parameters_to_vector: expects Tensors; convert a scalar-mode model with .to_tensor()")
    return autograd.concatenate([q.reshape(-1) for q in params], axis=0)


def vector_to_parameters(vec: Any, parameters: Iterable[Any]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters in place (shapes as they are)."""
    where = "vector_to_parameters"
    if not isinstance(vec, (Tensor, np.ndarray)):
        raise TypeError(f"{where}: expected a Tensor (or an ndarray), but got {type(vec).__name__}")
    arr = vec.data if isinstance(vec, Tensor) else vec
    if arr.ndim != 1:
        raise ValueError(f"{where}: vec must be 1-D, got shape {arr.shape}; flatten it with parameters_to_vector")
    params = _params(parameters, where)
    if any(type(q) is Value for q in params):
        raise TypeError(f"{where}: expects Tensors; convert a scalar-mode model with .to_tensor()")
    need = sum(q.data.size for q in params)
    if arr.size != need:
        raise ValueError(f"{where}: vec has {arr.size} entries but the parameters hold {need}; they must match")
    i = 0
    for q in params:
        n = q.data.size
        q.data[...] = arr[i:i + n].reshape(q.data.shape)
        i += n
