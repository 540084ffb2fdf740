"""torch's ``inplace=`` argument of the functional activations (``F.relu(x, inplace=True)``).

With ``inplace=True`` and a Tensor input, the activation's result is written into the input
and the input is returned, recorded as an in-place op with torch's rules (as ``x.relu_()``:
an error on a leaf that requires grad, the version check on saved values). Other inputs
(scalar-mode Values, arrays) get the result out of place.
"""

from __future__ import annotations

from typing import Any, Callable

from autograd import Tensor
from autograd.torch_more import _inplace_method

__all__ = ["apply_inplace"]


def apply_inplace(x: Any, inplace: Any, op: str, fn: Callable[[Any], Any]) -> Any:
    """``fn(x)``; with ``inplace`` true and a Tensor ``x``, written into x (and x returned)."""
    if not isinstance(inplace, bool):
        raise TypeError(f"{op}: inplace must be True or False, got {inplace!r}")
    if not inplace or not isinstance(x, Tensor):
        return fn(x)
    return _inplace_method(f"{op}_", fn)(x)
