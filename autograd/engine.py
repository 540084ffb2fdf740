"""The one graph walk behind both modes.

A node is anything with ``_parents`` (the nodes it was computed from), a
creation number ``_seq``, a scratch slot ``_gacc`` for the gradient flowing
into it during a walk, and two methods the walk calls:

* ``_propagate(create_graph, retain_graph)`` -> add ``dL/dparent = _gacc * dnode/dparent``
  into each parent's ``_gacc``: the chain rule's local step;
* ``_deliver()`` -> move ``_gacc`` to where the user reads it (``.grad``);
  ``_take()`` -> clear ``_gacc`` and return it (for ``gradients``).

The walk visits nodes newest first, so a node's gradient is complete when it is
reached. A Tensor drops its gradient once it has passed it on (and, unless
``retain_graph``, its saved arrays), so backward's memory stays near the graph
plus a few arrays; leaves, ``retain_grad()`` tensors and the inputs asked of
``gradients`` keep theirs.

``Value`` (scalar mode) and ``Tensor`` (tensor mode) both implement it, so
``backward`` below serves both. Nodes never point at the nodes computed from
them, and a node's backward rule never points back at the node, so a graph is
a DAG of plain references that reference counting frees as soon as the user
drops the output.
"""

from __future__ import annotations

import itertools
import threading
from operator import attrgetter
from contextlib import ContextDecorator
from typing import Any, Sequence

import numpy as np

class _GradMode(threading.local):
    enabled = True  # class default: a thread that never touched the mode records (and the read stays cheap)


_state = _GradMode()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (per thread)."""
    return _state.enabled


def _set_grad_enabled(mode: bool) -> None:
    _state.enabled = bool(mode)


class set_grad_enabled(ContextDecorator):
    """Context manager and decorator that turns graph recording on or off in this thread."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled: mode must be True or False, got {mode!r}")
        self.mode = bool(mode)
        self._prev: list[bool] = []

    def __enter__(self) -> "set_grad_enabled":
        self._prev.append(is_grad_enabled())
        _set_grad_enabled(self.mode)
        return self

    def __exit__(self, *exc: Any) -> None:
        _set_grad_enabled(self._prev.pop())


class no_grad(set_grad_enabled):
    """Operations inside are not recorded: ``with no_grad(): ...`` or ``@no_grad()``."""

    def __init__(self) -> None:
        super().__init__(False)


class inference_mode(set_grad_enabled):
    """torch's ``inference_mode``: here the same as ``no_grad`` (``inference_mode(False)`` records as usual).

    Context manager and decorator: ``with inference_mode(): ...``, ``@inference_mode()`` or ``@inference_mode``.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # the bare decorator, @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"inference_mode: mode must be True or False, got {mode!r}")
        super().__init__(not mode)


class enable_grad(set_grad_enabled):
    """Turn recording back on inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)


_counter = itertools.count()
next_seq = _counter.__next__  # every node takes the next number when it is made, so parents < children


def topological_order(roots: Sequence[Any]) -> list:
    """Nodes reachable from ``roots``, every node after all of its parents.

    A node is always made after its parents, so its creation number ``_seq``
    orders the graph: collect the reachable nodes with an explicit stack (no
    recursion, so a chain of a million ops is fine) and sort by that number.
    Linear in the graph size plus one C-level sort.
    """
    _check_nodes(roots, "topological_order", "roots")
    return _order(roots)


def _order(roots: Sequence[Any]) -> list:
    """``topological_order`` without the check of the roots (the walk's roots are nodes already)."""
    seen = set(roots)
    found = list(seen)
    stack = [r for r in found if r._parents]
    pop, push, add, keep = stack.pop, stack.append, seen.add, found.append
    while stack:
        for parent in pop()._parents:
            if parent not in seen:
                add(parent)
                keep(parent)
                if parent._parents:  # a leaf has nothing to visit: it goes straight to the result
                    push(parent)
    found.sort(key=_seq_of)
    return found


_seq_of = attrgetter("_seq")


def _check_nodes(items: Sequence[Any], op: str, what: str) -> None:
    """TypeError unless every item is a graph node (a Tensor or a Value)."""
    for x in items:
        if not hasattr(x, "_parents"):
            raise TypeError(f"{op}: {what} must be Tensors or Values, got {type(x).__name__} {x!r:.40}")


def _walk(roots: Sequence[Any], seeds: Sequence[Any], retain_graph: bool, create_graph: bool) -> list:
    """Push the seeds (dL/droot) back through the graph; return the nodes in topological order.

    Each node accumulates the gradient flowing into it in ``_gacc``; ``_propagate``
    turns it into its parents' contributions (the chain rule's local step).
    """
    order = _order(roots)
    for root, seed in zip(roots, seeds):
        root._gacc = seed if root._gacc is None else root._gacc + seed
    previous = _state.enabled  # the walk records ops only for create_graph (set_grad_enabled, written out)
    _state.enabled = bool(create_graph)
    # a graph of one kind of node may run the whole step in one loop of its own (Value does: the same rules)
    together = getattr(type(roots[0]), "_propagate_all", None) if roots and not create_graph else None
    try:
        if together is not None and all(type(r) is type(roots[0]) for r in roots):
            together(order)
        else:
            for node in reversed(order):
                if node._parents:
                    node._propagate(create_graph, retain_graph)
    except BaseException:
        for node in order:
            node._take()
        raise
    finally:
        _state.enabled = previous
    return order


def backward(
    roots: Sequence[Any], seeds: Sequence[Any], retain_graph: bool = False, create_graph: bool = False
) -> None:
    """Back-propagate ``seeds`` (dL/droot) and hand each node its gradient via ``_receive``."""
    order = _walk(roots, seeds, retain_graph or create_graph, create_graph)
    together = getattr(type(roots[0]), "_deliver_all", None) if roots else None
    if together is not None and all(type(r) is type(roots[0]) for r in roots):
        together(order)
        return
    for node in order:
        if node._gacc is not None:  # most op outputs dropped theirs on the way
            node._deliver()


def gradients(
    outputs: Any | Sequence[Any],
    inputs: Any | Sequence[Any],
    grad_outputs: Any | Sequence[Any] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """d(outputs)/d(inputs) as a tuple, without touching any ``.grad`` (like ``torch.autograd.grad``)."""
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    _check_nodes(outs, "gradients", "outputs")
    _check_nodes(ins, "gradients", "inputs")
    if grad_outputs is None:
        seeds = [o._default_seed("gradients") for o in outs]
    else:
        gos = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
        if len(gos) != len(outs):
            raise ValueError(f"gradients: got {len(gos)} grad_outputs for {len(outs)} outputs; pass one per output")
        seeds = [o._check_seed(s, "gradients") for o, s in zip(outs, gos)]
    if retain_graph is None:
        retain_graph = create_graph
    # the walk drops each gradient once passed on, except where a tensor keeps it (_retain): mark the
    # requested tensors so for this walk
    marked = [x for x in ins if getattr(x, "_retain", True) is False]
    for x in marked:
        x._retain = True
    try:
        order = _walk(outs, seeds, retain_graph or create_graph, create_graph)
    finally:
        for x in marked:
            x._retain = False
    found = {id(x): None for x in ins}
    for node in order:
        g = node._take()
        if id(node) in found:
            found[id(node)] = g
    result = []
    for i, x in enumerate(ins):
        g = found[id(x)]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"gradients: input {i} is not used to compute the outputs (or does not require grad); "
                "pass allow_unused=True to get None for it"
            )
        result.append(x._wrap_grad(g, create_graph) if g is not None else None)
    return tuple(result)
