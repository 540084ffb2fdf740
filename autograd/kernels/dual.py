"""Helpers that let one kernel run on plain ndarrays and, under ``create_graph=True``, on graph tensors.

The kernels layer imports nothing from the engine. An argument that is not an
ndarray or a number is the engine's ``Tensor``: the helpers call its own
methods (``.data``, ``.exp()``, ``.sum()``, ``.reshape()``), and ``where``
calls the function the engine hands over with ``register_tensor_where`` when
it loads. That way the engine depends on the kernels, never the other way.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["data", "exp", "tanh", "is_tensor", "where", "concatenate", "sum_to_shape", "register_tensor_where",
           "register_tensor_concatenate"]

_PLAIN = (np.ndarray, np.generic, int, float)

_tensor_where: Callable[[Any, Any, Any], Any] | None = None
_tensor_concatenate: Callable[..., Any] | None = None


def register_tensor_where(fn: Callable[[Any, Any, Any], Any]) -> None:
    """Give ``where`` the engine's recorded ``where(cond, a, b)`` for graph tensors (the engine calls this)."""
    global _tensor_where
    _tensor_where = fn


def register_tensor_concatenate(fn: Callable[..., Any]) -> None:
    """Give ``concatenate`` the engine's recorded ``concatenate(parts, axis=)`` (the engine calls this)."""
    global _tensor_concatenate
    _tensor_concatenate = fn


def is_tensor(x: Any) -> bool:
    """True for the engine's graph tensors (anything that is not an array or a number)."""
    return not isinstance(x, _PLAIN)


def data(x: Any) -> Any:
    """The raw ndarray behind ``x`` (``x`` itself for arrays and numbers)."""
    return x if isinstance(x, _PLAIN) else x.data


def exp(x: Any) -> Any:
    """e**x, recorded when ``x`` is a graph tensor."""
    return np.exp(x) if isinstance(x, _PLAIN) else x.exp()


def tanh(x: Any) -> Any:
    """tanh x, recorded when ``x`` is a graph tensor."""
    return np.tanh(x) if isinstance(x, _PLAIN) else x.tanh()


def concatenate(parts: list, axis: int) -> Any:
    """``parts`` joined along ``axis``, recorded when any part is a graph tensor."""
    if all(isinstance(p, _PLAIN) for p in parts):
        return np.concatenate(parts, axis=axis)
    if _tensor_concatenate is None:
        raise RuntimeError("concatenate: graph tensors need the engine loaded (import autograd)")
    return _tensor_concatenate(parts, axis=axis)


def where(cond: np.ndarray, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` else ``b``; ``cond`` is a constant mask."""
    if isinstance(a, _PLAIN) and isinstance(b, _PLAIN):
        return np.where(cond, a, b)
    if _tensor_where is None:
        raise RuntimeError("where: graph tensors need the engine loaded (import autograd)")
    return _tensor_where(cond, a, b)


def sum_to_shape(g: Any, shape: tuple) -> Any:
    """Undo broadcasting: sum ``g`` over the axes that broadcasting added or stretched, to get ``shape``.

    The one place where every broadcasting op's gradient gets its input's shape back.
    """
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead > 0 and gshape[lead:] == shape:  # only leading axes were added (a bias): one sum, no reshape
        axes = 0 if lead == 1 else tuple(range(lead))
        return np.add.reduce(g, axis=axes) if type(g) is np.ndarray else g.sum(axis=axes)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
        if g.shape == shape:  # the sum itself, not a view of it: .grad takes it without a copy
            return g
    return g.reshape(shape)
