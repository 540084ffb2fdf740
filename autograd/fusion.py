"""Peephole fusion: ``x @ W + b`` and the activation after it become one node while the graph is built.

A step written by hand, ``h = (x @ W + b).relu()``, records three ops. The
two intermediates are temporaries: nothing but the expression itself holds
them, so nobody can ever read them, hook them or ask for their gradient. When
``+ b`` meets such a product (and ``.relu()``, ``.tanh()`` or ``.sigmoid()``
meets such a sum) the node is rewritten in place into one ``Addmm`` node,
act(x @ W + b): the forward gives the same numbers (the same product, the same
addition, the same activation kernel), and backward runs one node and one
kernel (dz = g act'(z) and the bias sum in one pass, then the two products)
where it would run three.

"Nobody else holds it" is CPython's reference count, measured against a
temporary's at import (torch's AccumulateGrad and numpy's temporary elision
make the same test). It is done only where that count is exact: CPython with
the GIL, before 3.14 (whose compiler may load a variable without counting the
reference). The method spellings fuse (``.relu()``), and so do ``F.relu``,
``autograd.relu`` (``tanh``, ``sigmoid``) called on the expression itself, and the
same calls on what ``nn.Linear`` returns: ``F.relu(self.fc1(x))`` is one Linear node.
Anything unusual keeps the ops as written: a tensor with a name,
hooks, ``retain_grad``, an in-place change, anomaly mode, ``autograd.compile``
tracing, 1-D or batched products, a bias that is not the product's last axis.

``set_fusion(False)`` (or ``GRADWORK_FUSE_OPS=0``) turns it off, e.g. to draw
each op of ``x @ W + b`` as its own box.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import Any

from . import anomaly, engine
from .tracing import state as _trace

__all__ = ["set_fusion", "fusion_enabled"]

_getrefcount = sys.getrefcount
_grad_mode = engine._state
_anomaly_local = anomaly._local


class _Probe:
    """Measures the reference count a temporary has where Tensor's operators look at theirs."""

    def __add__(self, other: Any) -> int:
        return _getrefcount(self)

    def method(self) -> int:
        return _getrefcount(self)


class _Other:
    """The same for the right operand: ``b + x @ W``."""

    def __add__(self, other: Any) -> int:
        return _getrefcount(other)


def _argument(x: Any) -> int:
    """The same for the argument of a function: ``F.relu(x @ W + b)``."""
    return _getrefcount(x)


_NEVER = (-1, -1, -1, -1)


def _calibrate() -> tuple[int, int, int, int]:
    """(self in ``__add__``, other in ``__add__``, self in a method, a function's argument): the counts of a
    temporary; -1 where unsure."""
    exact = (
        sys.implementation.name == "cpython"
        and sys.version_info < (3, 14)
        and not sysconfig.get_config_var("Py_GIL_DISABLED")
    )
    if not exact:
        return _NEVER
    temp = (_Probe() + 0, _Other() + _Probe(), _Probe().method(), _argument(_Probe()))
    held = _Probe()
    # a name holding the object must count one more, or the test cannot tell a temporary from a variable
    if (held + 0, _Other() + held, held.method(), _argument(held)) != tuple(t + 1 for t in temp):
        return _NEVER
    return temp


_COUNTS = _calibrate()
TEMP_SELF = TEMP_OTHER = TEMP_METHOD = TEMP_ARG = -1  # what Tensor's operators compare with (-1: never fuse)


def set_fusion(enabled: bool) -> None:
    """Turn the fusion of ``x @ W + b`` (+ activation) into one node on or off (on by default)."""
    global TEMP_SELF, TEMP_OTHER, TEMP_METHOD, TEMP_ARG
    if not isinstance(enabled, bool):
        raise TypeError(f"set_fusion: enabled must be True or False, got {enabled!r}")
    TEMP_SELF, TEMP_OTHER, TEMP_METHOD, TEMP_ARG = _COUNTS if enabled else _NEVER


def fusion_enabled() -> bool:
    """Whether ``x @ W + b`` (+ activation) is recorded as one node (False where the interpreter cannot tell)."""
    return TEMP_METHOD >= 0


def _plain(t: Any) -> bool:
    """t is an op's output that nothing but the graph has touched: no name, hook, retain_grad or in-place change."""
    return not (t._hooks or t._retain or t._mods or t.name) and t._ctx is not None


def _can_rewrite() -> bool:
    return _grad_mode.enabled and not _anomaly_local.depth and _trace.recorder is None


def bias(z: Any, b: Any) -> Any:
    """``z + b`` as the Addmm node act=None, rewriting the temporary product ``z`` (None: add as usual)."""
    if not (_can_rewrite() and _plain(z)):
        return None
    ctx = z._ctx
    x, w = ctx.saved
    out = z.data
    bd = b.data
    if x.ndim != 2 or w.ndim != 2 or bd.shape != out.shape[1:] or bd.dtype != out.dtype or x.dtype != w.dtype:
        return None
    if b._seq > z._seq:  # b was made (or changed in place) after the product: keep the order of the graph
        return None
    px, pw = z._parents
    if px._mods or pw._mods:
        return None
    _K.add_rows_(out, bd)  # the product's own array, which nobody else holds: Add's a + b, in place
    ctx.needs_input_grad = ctx.needs_input_grad + (b.requires_grad,)
    ctx._positions = _POS3
    ctx.activation, ctx.param = None, 0.0
    ctx.op_label = "x @ W + b"  # draw_graph's box: what the user wrote
    z._op = _Addmm
    z._parents = (px, pw, b)
    return z


def activation(z: Any, name: str) -> Any:
    """``z.relu()`` (``tanh``, ``sigmoid``) folded into the temporary Addmm or Linear node ``z`` (None: apply as
    usual). Linear is what ``nn.Linear`` records, so ``F.relu(self.fc1(x))`` in a module's forward is one node."""
    ctx = z._ctx
    if ctx.activation is not None or not (_can_rewrite() and _plain(z)):
        return None
    out = getattr(_K, name)(z.data)  # the activation's own kernel: the numbers of the op as written
    ctx.saved = ctx.saved + (out,)
    ctx.activation = name
    ctx.op_label = f"{name}(x @ W + b)" if z._op is _Addmm else f"{name}(Linear)"
    z.data = out
    return z


if os.environ.get("GRADWORK_FUSE_OPS", "").strip() not in ("0", "false", "off", "no"):
    set_fusion(True)

_POS3 = (0, 1, 2)

from .backend import ops as _K  # noqa: E402
from .ops.matmul import Addmm as _Addmm, Linear as _Linear  # noqa: E402

LAYERS = (_Addmm, _Linear)  # the nodes an activation folds into
