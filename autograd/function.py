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
from .tracing import state as _trace

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

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """torch's hint that outputs (e.g. indices) get no gradient; gradwork needs none (kept for torch code)."""

    def mark_dirty(self, *inputs: Any) -> None:
        """torch's note that forward changed inputs in place; kept for torch code (write out of place here)."""

    def set_materialize_grads(self, value: bool) -> None:
        """torch's switch for None gradients; gradwork's backward always gets an array (kept for torch code)."""

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
        i = 0
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                parents.append(a)
                positions.append(i)
            else:
                arrays.append(a)
            i += 1
        ctx = Context()
        out = cls._forward(ctx, arrays, kwargs)
        result = Tensor._make(out)
        if _grad_mode.enabled:
            needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
            if True in needs:
                cls._record(result, ctx, tuple(parents), needs, tuple(positions))
        if _trace.recorder is not None:  # autograd.compile is recording
            _trace.recorder.op(cls, args, kwargs, result)
        return result

    # The two fast paths below are ``apply`` for ops whose inputs are all Tensors
    # (the arithmetic operators, activations, reductions): same result, without
    # the scan of the arguments. An op costs a few microseconds of Python, which
    # is what small tensors pay, so these are written out flat.
    @classmethod
    def _apply1(cls, x: "Tensor", **kwargs: Any) -> "Tensor":
        ctx = Context()
        data = x.data
        try:
            out = cls.forward(ctx, data, **kwargs)
        except ValueError as exc:
            cls._raise_shapes(exc, (data,))
        if type(out) is not np.ndarray or _anomaly_local.depth:
            out = cls._check_output(ctx, (data,), out)
        result = _new(Tensor)  # Tensor._make(out), written out
        result.data = out
        result._grad = result._ctx = result._op = result._gacc = result._hooks = None
        result.requires_grad = result._retain = result._mods = False
        result.name = ""
        result._parents = ()
        result._seq = _next_seq()
        if x.requires_grad and _grad_mode.enabled:
            ctx.needs_input_grad = _NEEDS1
            ctx._positions = _POS1
            result.requires_grad = True
            result._ctx = ctx
            result._op = cls
            result._parents = (x,)
        if _trace.recorder is not None:  # autograd.compile is recording
            _trace.recorder.op(cls, (x,), kwargs, result)
        return result

    @classmethod
    def _apply2(cls, a: "Tensor", b: "Tensor") -> "Tensor":
        ctx = Context()
        da, db = a.data, b.data
        try:
            out = cls.forward(ctx, da, db)
        except ValueError as exc:
            cls._raise_shapes(exc, (da, db))
        if type(out) is not np.ndarray or _anomaly_local.depth:
            out = cls._check_output(ctx, (da, db), out)
        result = _new(Tensor)  # Tensor._make(out), written out
        result.data = out
        result._grad = result._ctx = result._op = result._gacc = result._hooks = None
        result.requires_grad = result._retain = result._mods = False
        result.name = ""
        result._parents = ()
        result._seq = _next_seq()
        ra, rb = a.requires_grad, b.requires_grad
        if (ra or rb) and _grad_mode.enabled:
            ctx.needs_input_grad = (ra, rb)
            ctx._positions = _POS2
            result.requires_grad = True
            result._ctx = ctx
            result._op = cls
            result._parents = (a, b)
        if _trace.recorder is not None:  # autograd.compile is recording
            _trace.recorder.op(cls, (a, b), _NO_KWARGS, result)
        return result

    @classmethod
    def _apply_tensors(cls, inputs: tuple, **kwargs: Any) -> "Tensor":
        """``apply`` for any number of Tensor inputs (the fused linear layer), without the argument scan."""
        ctx = Context()
        arrays = [t.data for t in inputs]
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except ValueError as exc:
            cls._raise_shapes(exc, arrays)
        if type(out) is not np.ndarray or _anomaly_local.depth:
            out = cls._check_output(ctx, arrays, out)
        result = Tensor._make(out)
        if _grad_mode.enabled:
            needs = tuple([t.requires_grad for t in inputs])
            if True in needs:  # _record, written out
                n = len(inputs)
                ctx.needs_input_grad = needs
                ctx._positions = _POSITIONS[n] if n < len(_POSITIONS) else tuple(range(n))
                result.requires_grad = True
                result._ctx = ctx
                result._op = cls
                result._parents = inputs
        if _trace.recorder is not None:  # autograd.compile is recording
            _trace.recorder.op(cls, inputs, kwargs, result)
        return result

    @classmethod
    def _forward(cls, ctx: Context, arrays: Any, kwargs: dict) -> np.ndarray:
        """``forward`` on plain arrays, with our message on shape errors and the anomaly check."""
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except ValueError as exc:
            cls._raise_shapes(exc, arrays)
        return cls._check_output(ctx, arrays, out)

    @classmethod
    def _raise_shapes(cls, exc: ValueError, arrays: Any) -> None:
        """Re-raise numpy's shape errors with the op's name and the input shapes; others as they are."""
        msg = str(exc)
        if "broadcast" in msg or "shape" in msg or "mismatch" in msg or "dimension" in msg:
            shapes = " and ".join(str(getattr(a, "shape", type(a).__name__)) for a in arrays)
            raise ValueError(f"{cls.__name__}: inputs of shapes {shapes} do not fit: {msg}") from None
        raise exc

    @classmethod
    def _check_output(cls, ctx: Context, arrays: Any, out: Any) -> np.ndarray:
        """Make ``out`` an ndarray (numpy gives scalars for 0-d results); check it under detect_anomaly."""
        if not isinstance(out, np.ndarray):
            scalar, out = out, np.asarray(out)
            if ctx.saved and any(s is scalar for s in ctx.saved):  # keep "saved output is the output"
                ctx.saved = tuple(out if s is scalar else s for s in ctx.saved)
        if _anomaly_local.depth:
            ctx._created_at = anomaly.check_forward(cls.__name__, arrays, out)
        return out

    @classmethod
    def _record(cls, result: "Tensor", ctx: Context, parents: tuple, needs: tuple, positions: tuple) -> None:
        """Make ``result`` a graph node: its op, its inputs, and what its backward needs."""
        ctx.needs_input_grad = needs
        ctx._positions = positions
        result.requires_grad = True
        result._ctx = ctx
        result._op = cls
        result._parents = parents


_NEEDS1 = (True,)
_POS1 = (0,)
_POS2 = (0, 1)
_POSITIONS = [tuple(range(n)) for n in range(8)]
_NO_KWARGS: dict = {}
_grad_mode = engine._state
_next_seq = engine.next_seq
_new = object.__new__


from .tensor import Tensor  # noqa: E402  (Tensor uses Function, Function returns Tensor)
