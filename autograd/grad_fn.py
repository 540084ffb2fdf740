"""torch's ``grad_fn``: the node of the graph that made a tensor, linked to the nodes of its inputs.

``t.grad_fn.next_functions`` is a tuple of ``(node, 0)`` pairs, one per input in argument order: the
input's own ``grad_fn``, an ``AccumulateGrad`` for a leaf that requires grad (its ``variable`` is the
leaf), or None for a constant. A node compares equal to its op class (``t.grad_fn == Mul``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Node", "AccumulateGrad", "TorchStep", "node_of"]


class Node:
    """The recorded op that produced a tensor; ``name()`` is torch's ("MulBackward0")."""

    __slots__ = ("_tensor", "op")

    def __init__(self, tensor: Any, op: type) -> None:
        self._tensor, self.op = tensor, op

    def name(self) -> str:
        """torch's name for this node: the op's ``torch_name(tensor)`` where it has one (an op whose
        torch counterpart is named otherwise, or depends on the shapes), else ``<Op>Backward0``."""
        named = getattr(self.op, "torch_name", None)
        return named(self._tensor) if named is not None else f"{self.op.__name__}Backward0"

    @property
    def __name__(self) -> str:  # the op's name, as when grad_fn was the op class
        return self.op.__name__

    @property
    def next_functions(self) -> tuple:
        """The inputs' nodes; in torch's order and through torch's own steps where the op says
        (``torch_next_functions``: a fused Linear is torch's addmm(bias, x, weight.t()))."""
        torch_next = getattr(self.op, "torch_next_functions", None)
        if torch_next is not None:
            return torch_next(self._tensor)
        return tuple((node_of(p), 0) for p in self._tensor._parents)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Node):
            return other._tensor is self._tensor
        return other is self.op

    def __hash__(self) -> int:
        return hash(self.op)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class AccumulateGrad:
    """Where the gradient of a leaf that requires grad ends up: its ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # torch's name() (its repr says <AccumulateGrad ...>)

    next_functions: tuple = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


class TorchStep:
    """A node that torch's graph has where gradwork's fused op has none (``TBackward0`` of a Linear's weight)."""

    __slots__ = ("_name", "next_functions")

    def __init__(self, name: str, next_functions: tuple) -> None:
        self._name, self.next_functions = name, next_functions

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name} object at {id(self):#x}>"


def node_of(t: Any) -> Node | AccumulateGrad | None:
    """``t``'s node: its grad_fn, an AccumulateGrad for a leaf that requires grad, or None."""
    op = getattr(t, "_op", None)
    if op is not None:
        return Node(t, op)
    return AccumulateGrad(t) if getattr(t, "requires_grad", False) else None
