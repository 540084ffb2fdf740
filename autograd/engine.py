"""The one graph walk behind both modes.

A node is anything with ``_parents`` (the nodes it was computed from) and two
methods the walk calls:

* ``_local_grads(g, create_graph)`` -> one gradient per parent (``None`` where
  a parent needs none): the chain rule's local step, ``dL/dparent = g * dnode/dparent``;
* ``_receive(g)`` -> store the finished gradient where the user reads it.

``Value`` (scalar mode) and ``Tensor`` (tensor mode) both implement it, so
``backward`` below serves both. Nodes never point at the nodes computed from
them, and a node's backward rule never points back at the node, so a graph is
a DAG of plain references that reference counting frees as soon as the user
drops the output.
"""

from __future__ import annotations

import threading
from contextlib import ContextDecorator
from typing import Any, Iterable, Sequence

_state = threading.local()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (per thread)."""
    return getattr(_state, "enabled", True)


def _set_grad_enabled(mode: bool) -> None:
    _state.enabled = bool(mode)


class set_grad_enabled(ContextDecorator):
    """Context manager and decorator that turns graph recording on or off in this thread."""

    def __init__(self, mode: bool) -> None:
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


class enable_grad(set_grad_enabled):
    """Turn recording back on inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)


def topological_order(roots: Sequence[Any]) -> list:
    """Nodes reachable from ``roots`` with every node after all of its parents.

    Iterative depth-first search: a chain of a million ops needs no recursion,
    and each node and edge is visited once, so the time is linear in graph size.
    """
    order: list = []
    seen: set[int] = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(root._parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append((parent, iter(parent._parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _walk(roots: Sequence[Any], seeds: Sequence[Any], retain_graph: bool, create_graph: bool) -> dict[int, Any]:
    """Push gradients from ``roots`` to every node; return {id(node): gradient}."""
    grads: dict[int, Any] = {}
    for root, seed in zip(roots, seeds):
        key = id(root)
        grads[key] = seed if key not in grads else grads[key] + seed
    order = topological_order(roots)
    with set_grad_enabled(create_graph):
        for node in reversed(order):
            parents = node._parents
            if not parents:
                continue
            g = grads.get(id(node))
            if g is None:
                continue
            local = node._local_grads(g, create_graph)
            for parent, pg in zip(parents, local):
                if pg is None:
                    continue
                key = id(parent)
                prev = grads.get(key)
                grads[key] = pg if prev is None else prev + pg
            if not retain_graph:
                node._free()
    return grads, order


def backward(roots: Sequence[Any], seeds: Sequence[Any], retain_graph: bool = False, create_graph: bool = False) -> None:
    """Back-propagate ``seeds`` (dL/droot) and hand each node its gradient via ``_receive``."""
    grads, order = _walk(roots, seeds, retain_graph or create_graph, create_graph)
    for node in order:
        g = grads.get(id(node))
        if g is not None:
            node._receive(g)


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
    if grad_outputs is None:
        seeds = [o._default_seed("gradients") for o in outs]
    else:
        gos = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
        if len(gos) != len(outs):
            raise ValueError(f"gradients: got {len(gos)} grad_outputs for {len(outs)} outputs; pass one per output")
        seeds = [o._check_seed(s, "gradients") for o, s in zip(outs, gos)]
    if retain_graph is None:
        retain_graph = create_graph
    grads, _ = _walk(outs, seeds, retain_graph or create_graph, create_graph)
    result = []
    for i, x in enumerate(ins):
        g = grads.get(id(x))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"gradients: input {i} is not used to compute the outputs (or does not require grad); "
                "pass allow_unused=True to get None for it"
            )
        result.append(x._wrap_grad(g, create_graph) if g is not None else None)
    return tuple(result)


def iter_graph(root: Any) -> Iterable:
    """Every node of the graph behind ``root``, parents before children."""
    return topological_order([root])
