"""Array-or-Tensor helpers used inside backward rules.

A backward rule receives plain ndarrays in an ordinary ``backward()`` and
``Tensor``s under ``create_graph=True``. Written with Python operators, the
methods ndarray and Tensor share (``sum``, ``reshape``, ``transpose``,
``swapaxes``) and the helpers below, one rule serves both: fast numpy for
first derivatives, recorded engine ops for higher ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .kernels.dual import sum_to_shape  # noqa: F401  (one rule for both layers)

Tensor: Any = None  # set by autograd.tensor once the class exists


def data(x: Any) -> Any:
    """The raw ndarray behind ``x`` (``x`` itself for arrays and numbers)."""
    return x.data if isinstance(x, Tensor) else x


def exp(x: Any) -> Any:
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x: Any) -> Any:
    return x.log() if isinstance(x, Tensor) else np.log(x)


def sqrt(x: Any) -> Any:
    return x.sqrt() if isinstance(x, Tensor) else np.sqrt(x)


def sin(x: Any) -> Any:
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def tanh(x: Any) -> Any:
    return x.tanh() if isinstance(x, Tensor) else np.tanh(x)


def erf(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.erf()
    from .ops.unary import erf_array

    return erf_array(x)


def where(cond: np.ndarray, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` else ``b``; ``cond`` is a constant mask."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from .ops.arith import where as twhere

        return twhere(cond, a, b)
    return np.where(cond, a, b)


def broadcast_to(x: Any, shape: tuple) -> Any:
    return np.broadcast_to(x, shape) if not isinstance(x, Tensor) else x.broadcast_to(shape)


def scatter_add(g: Any, index: Any, shape: tuple) -> Any:
    """zeros(shape) with ``g`` added at ``index`` (repeated indices accumulate): the adjoint of ``x[index]``."""
    if isinstance(g, Tensor):
        from .ops.shape import scatter_add as tscatter

        return tscatter(g, index, shape)
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, index, g)
    return out


def unsqueeze_reduced(g: Any, shape: tuple, axis: Any, keepdims: bool) -> Any:
    """Put back the axes a reduction removed, so ``g`` broadcasts against the input of ``shape``."""
    if keepdims or axis is None and np.ndim(data(g)) == len(shape):
        return g
    if axis is None:
        return g.reshape((1,) * len(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    nd = len(shape)
    axes = sorted(a % nd for a in axes)
    newshape = list(g.shape)
    for a in axes:
        newshape.insert(a, 1)
    return g.reshape(tuple(newshape))
