"""``Function``: how an op is defined, built-in or custom.

An op is a subclass with two static methods side by side::

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):            # x: ndarray
            ctx.save_for_backward(x)
            return x ** 3
        @staticmethod
        def backward(ctx, g):           # g: dL/d(out)
            (x,) = ctx.saved_tensors
            return 3 * x * x * g        # dL/dx

    y = Cube.apply(t)

``forward`` computes on plain ndarrays. ``backward`` returns one gradient per
positional input of ``forward`` (``None`` for non-tensors or inputs needing
none). Under ``create_graph=True`` the same ``backward`` runs on Tensors: saved
inputs and the saved output come back as the graph's own nodes, so the rule
is recorded and can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import anomaly, engine

_anomaly_local = anomaly._local


class Context:
    """What a forward leaves for its backward: saved arrays and any attributes it sets."""

    # class-level defaults: a Context costs one allocation until an op sets something
    saved: tuple = ()
    needs_input_grad: tuple = ()
    freed = False
    _view: tuple | None = None

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep ``arrays`` (inputs, the output, or constants such as masks) for backward."""
        self.saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        if self.freed:
            raise RuntimeError(
                "backward: trying to go through the graph a second time, but its saved values were freed "
                "after the first backward; pass retain_graph=True to the first backward() call"
            )
        return self._view if self._view is not None else self.saved


class Function:
    """Base class of every tensor op; subclass it and define ``forward`` and ``backward``."""

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError("Function subclasses must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        raise NotImplementedError("Function subclasses must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> "Tensor":
        """Run ``forward`` on the inputs' arrays and, if any input requires grad, record the op."""
        arrays = []
        parents = []
        positions = []
        needs = False
        i = 0
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                parents.append(a)
                positions.append(i)
                needs = needs or a.requires_grad
            else:
                arrays.append(a)
            i += 1
        ctx = Context()
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except ValueError as exc:
            msg = str(exc)
            if "broadcast" in msg or "shape" in msg or "mismatch" in msg or "dimension" in msg:
                shapes = " and ".join(str(getattr(a, "shape", type(a).__name__)) for a in arrays)
                raise ValueError(f"{cls.__name__}: inputs of shapes {shapes} do not fit: {msg}") from None
            raise
        if not isinstance(out, np.ndarray):  # numpy returns scalars for 0-d results
            scalar, out = out, np.asarray(out)
            if any(s is scalar for s in ctx.saved):  # keep "saved output is the output" for create_graph
                ctx.saved = tuple(out if s is scalar else s for s in ctx.saved)
        if _anomaly_local.__dict__.get("depth"):
            ctx._created_at = anomaly.check_forward(cls.__name__, arrays, out)
        result = Tensor._make(out)
        if needs and engine.is_grad_enabled():
            ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
            ctx._positions = positions
            result.requires_grad = True
            result._ctx = ctx
            result._op = cls
            result._parents = tuple(parents)
        return result


from .tensor import Tensor  # noqa: E402  (Tensor uses Function, Function returns Tensor)
