"""The functional API: derivatives of Python functions of Tensors.

``grad(f)(x)`` is df/dx, ``value_and_grad`` gives f(x) too, ``jacobian(f)(x)``
stacks d f_i / d x_j, and ``hessian(f) = jacobian(grad(f))``. Inside another
differentiated function they record their work, so they nest.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import engine
from .tensor import Tensor


def _argnums(argnums: int | Sequence[int], n: int, op: str) -> tuple:
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else tuple(argnums)
    for a in nums:
        if not isinstance(a, (int, np.integer)) or not -n <= a < n:
            raise ValueError(f"{op}: argnums {argnums!r} does not name one of the {n} arguments")
    return tuple(int(a) % n for a in nums)


def _nested(args: tuple, nums: tuple) -> bool:
    """True when an argument is part of an outer graph, so the derivative must be recorded too."""
    return engine.is_grad_enabled() and any(isinstance(args[i], Tensor) and args[i].requires_grad for i in nums)


def _prepare(args: tuple, nums: tuple) -> list:
    """Make the differentiated arguments Tensors that require grad, connected to any outer graph."""
    out = list(args)
    for i in nums:
        a = args[i]
        if isinstance(a, Tensor):
            if not a.requires_grad:
                a = Tensor._make(a.data).requires_grad_(True)
            elif not engine.is_grad_enabled():
                a = a.detach().requires_grad_(True)
        else:
            a = Tensor(a, requires_grad=True)
        out[i] = a
    return out


def value_and_grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Return ``g`` with ``g(*args) = (f(*args), df/d args[argnums])``; f must return a one-element Tensor."""
    if not callable(f):
        raise TypeError(f"value_and_grad: expected a function, got {type(f).__name__}")

    def wrapped(*args: Any) -> tuple:
        nums = _argnums(argnums, len(args), "value_and_grad")
        outer = _nested(args, nums)
        targs = _prepare(args, nums)
        with engine.enable_grad():
            out = f(*targs)
            if not isinstance(out, Tensor) or out.size != 1:
                shape = getattr(out, "shape", type(out).__name__)
                raise ValueError(
                    f"grad: the function must return a one-element Tensor, got {shape}; use jacobian for vector outputs"
                )
            if not out.requires_grad:
                grads = tuple(Tensor._make(np.zeros_like(targs[i].data)) for i in nums)
            else:
                grads = engine.gradients(out, [targs[i] for i in nums], create_graph=outer, allow_unused=True)
                grads = tuple(
                    g if g is not None else Tensor._make(np.zeros_like(targs[i].data)) for g, i in zip(grads, nums)
                )
        if not outer:
            out = out.detach()
        g = grads[0] if isinstance(argnums, (int, np.integer)) else grads
        return out, g

    return wrapped


def grad(
    f: Any = None,
    argnums: Any = 0,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
    *,
    inputs: Any = None,
    outputs: Any = None,
    materialize_grads: bool = False,
) -> Any:
    """Two forms, told apart by the first argument.

    ``grad(f, argnums=0)`` with a function: the function ``x -> df/dx`` (a Tensor of x's shape; a tuple for
    several argnums). ``grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
    allow_unused=False)`` with Tensors: ``torch.autograd.grad``, the tuple d(outputs)/d(inputs), leaving
    every ``.grad`` alone (``materialize_grads=True`` gives zeros instead of None for unused inputs).
    """
    if outputs is not None or not callable(f):
        outs = f if outputs is None else outputs
        ins = argnums if inputs is None else inputs
        if outputs is not None and f is not None:
            raise TypeError("grad: outputs given twice")
        if inputs is not None and argnums != 0:
            raise TypeError("grad: inputs given twice")
        if not isinstance(outs, (Tensor, list, tuple)):
            raise TypeError(
                f"grad: expected a function, got {type(outs).__name__} (or output and input Tensors: "
                "grad(outputs, inputs), as torch.autograd.grad)"
            )
        unused = allow_unused or materialize_grads
        grads = engine.gradients(outs, ins, grad_outputs=grad_outputs, retain_graph=retain_graph,
                                 create_graph=create_graph, allow_unused=unused)
        if materialize_grads:
            xs = list(ins) if isinstance(ins, (list, tuple)) else [ins]
            grads = tuple(Tensor._make(np.zeros_like(x.data)) if g is None else g for g, x in zip(grads, xs))
        return grads
    if inputs is not None or grad_outputs is not None or create_graph or allow_unused or retain_graph is not None:
        raise TypeError(
            "grad: with a function, only argnums= applies; the other arguments are for grad(outputs, inputs)"
        )
    vg = value_and_grad(f, argnums)

    def wrapped(*args: Any) -> Any:
        return vg(*args)[1]

    return wrapped


def jacobian(f: Callable, argnums: int = 0) -> Callable:
    """Return ``x -> J`` with ``J[i..., j...] = d f(x)[i...] / d x[j...]`` (shape out.shape + x.shape)."""
    if not callable(f):
        raise TypeError(f"jacobian: expected a function, got {type(f).__name__}")

    def wrapped(*args: Any) -> Tensor:
        nums = _argnums(argnums, len(args), "jacobian")
        outer = _nested(args, nums)
        targs = _prepare(args, nums)
        x = targs[nums[0]]
        with engine.enable_grad():
            out = f(*targs)
            if not isinstance(out, Tensor):
                raise TypeError(f"jacobian: the function must return a Tensor, got {type(out).__name__}")
            rows = []
            flat = out.reshape(-1)
            for k in range(flat.size):
                if not out.requires_grad:
                    rows.append(Tensor._make(np.zeros_like(x.data)))
                    continue
                (gk,) = engine.gradients(flat[k], [x], retain_graph=True, create_graph=outer, allow_unused=True)
                rows.append(gk if gk is not None else Tensor._make(np.zeros_like(x.data)))
            from .tensor import stack

            if not rows:
                return Tensor._make(np.zeros(out.shape + x.shape, dtype=x.dtype))
            jac = stack(rows, axis=0).reshape(out.shape + x.shape)
        return jac if outer else jac.detach()

    return wrapped


def hessian(f: Callable, argnums: int = 0) -> Callable:
    """Return ``x -> H`` with ``H[i, j] = d2 f / dx_i dx_j`` (shape x.shape + x.shape) for scalar f."""
    return jacobian(grad(f, argnums), argnums)
