"""Module hooks, as torch has them: forward pre-hooks, forward hooks and full backward hooks.

A full backward hook ``hook(module, grad_input, grad_output)`` sees the
gradients with respect to the module's Tensor inputs and outputs, once per
backward pass. It is built from the graph alone (the engine is unchanged): a
module with such a hook passes each Tensor input and each Tensor output
through an identity op (``_BackwardHookIdentity``) whose backward records the
gradient going by. Every output's identity is made after the forward, so in
backward they all run before anything inside the module; every input's
identity is made before it, so they run after everything inside it, and when
the first of them runs the others already hold their finished gradients in
the walk's ``_gacc`` slot. That one calls the hooks with all of them and
puts back what a hook returns.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any, Callable

import numpy as np

from autograd import Function, Tensor, Value, is_grad_enabled

__all__ = ["RemovableHandle"]

_ids = itertools.count()


class RemovableHandle:
    """What registering a hook returns: ``handle.remove()`` unregisters it (also usable as a ``with`` block)."""

    def __init__(self, hooks: dict, owner: Any = None) -> None:
        self.id = next(_ids)
        self._hooks = hooks
        self._owner = weakref.ref(owner) if owner is not None else None

    def remove(self) -> None:
        self._hooks.pop(self.id, None)
        owner = self._owner() if self._owner is not None else None
        if owner is not None:
            owner._refresh_hooks()

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def add_hook(hooks: dict, hook: Callable, owner: Any, prepend: bool, where: str) -> RemovableHandle:
    if not callable(hook):
        raise TypeError(f"{where}: hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks, owner)
    hooks[handle.id] = hook
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks[handle.id] = hook
        hooks.update((k, v) for k, v in items if k != handle.id)
    owner._refresh_hooks()
    return handle


class _PassState:
    """What one forward call with backward hooks shares between its identity ops."""

    __slots__ = ("module", "inputs", "n_inputs", "outputs", "grad_outputs", "pending", "out_left")

    def __init__(self, module: Any, n_inputs: int) -> None:
        self.module = module
        self.n_inputs = n_inputs
        self.inputs: list = [None] * n_inputs  # weak references to the identity outputs fed to forward
        self.outputs: list = []  # weak references to the identity outputs returned (None: not a graph Tensor)
        self.grad_outputs: tuple = ()
        self.pending = False  # grad_output is in, the hooks have not run yet in this pass
        self.out_left = 0  # output identities still to run in this pass


def _peek(ref: Any) -> Any:
    """The gradient the walk holds for a sibling identity's output (final: every consumer has run)."""
    t = ref() if ref is not None else None
    return None if t is None else t._gacc


def _as_tensor(g: Any) -> Any:
    return g if g is None or isinstance(g, Tensor) else Tensor._make(np.asarray(g))


def _call_hooks(state: _PassState, grad_input: tuple) -> tuple:
    """Run the module's backward hooks on (grad_input, grad_output); return grad_input as they leave it."""
    state.pending = False
    m = state.module
    grad_output = tuple(_as_tensor(g) for g in state.grad_outputs)
    gin = tuple(_as_tensor(g) for g in grad_input)
    for hook in list(m._backward_hooks.values()):
        result = hook(m, gin, grad_output)
        if result is None:
            continue
        if isinstance(result, Tensor) and len(gin) == 1:
            result = (result,)
        if not isinstance(result, (tuple, list)) or len(result) != len(gin):
            raise RuntimeError(
                f"backward hook on {type(m).__name__}: must return None or a tuple of {len(gin)} "
                f"gradient(s), one per input, got {type(result).__name__}"
                + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
            )
        fixed = []
        for i, (old, new) in enumerate(zip(gin, result)):
            if new is not None and old is not None:
                new = _as_tensor(new.data if isinstance(new, Tensor) else np.asarray(new, dtype=old.dtype))
                if new.shape != old.shape:
                    raise RuntimeError(
                        f"backward hook on {type(m).__name__}: returned gradient {i} has shape {new.shape}, "
                        f"but input {i} has shape {old.shape}; return one of the same shape"
                    )
            fixed.append(new if old is not None else None)
        gin = tuple(fixed)
    return tuple(
        None if new is None else new if isinstance(old, Tensor) else new.data  # the walk's own kind back
        for old, new in zip(grad_input, gin)
    )


class _BackwardHookIdentity(Function):
    """y = x, recording dL/dy for the module's backward hooks; dL/dx = dL/dy (or what a hook returns)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, state: _PassState = None, index: int = 0, output: bool = False) -> np.ndarray:
        ctx.state, ctx.index, ctx.output = state, index, output
        return x.view()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        s, k = ctx.state, ctx.index
        if ctx.output:
            if s.out_left <= 0:  # the first output identity of a pass: every output's gradient is final
                s.grad_outputs = tuple(g if i == k else _peek(r) for i, r in enumerate(s.outputs))
                s.out_left = sum(x is not None for x in s.grad_outputs)
                s.pending = True
                if not any(r is not None for r in s.inputs):  # no input takes a gradient: the hooks run now
                    _call_hooks(s, (None,) * s.n_inputs)
            s.out_left -= 1
            return g
        if not s.pending:  # a sibling input ran the hooks in this pass and already set our gradient
            return g
        grads = tuple(g if i == k else _peek(r) for i, r in enumerate(s.inputs))
        new = _call_hooks(s, grads)
        for i, r in enumerate(s.inputs):
            t = r() if r is not None else None
            if i != k and t is not None and t._gacc is not None and new[i] is not None:
                t._gacc = new[i]
        return g if new[k] is None else new[k]


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """``module(*args, **kwargs)`` with its forward pre-hooks, forward hooks and backward hooks."""
    for hook in list(module._forward_pre_hooks.values()):
        result = hook(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    state = None
    if module._backward_hooks and is_grad_enabled():
        if module.mode == "scalar" or any(type(a) is Value or (isinstance(a, np.ndarray) and a.dtype == object)
                                          for a in args):
            raise TypeError(
                f"{type(module).__name__}: full backward hooks need tensor mode (Tensors in and out); "
                "for Values read each Value's .grad after backward, or convert the model with .to_tensor()"
            )
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if any(args[i].requires_grad for i in positions) or any(p.requires_grad for p in _tensor_params(module)):
            state = _PassState(module, len(args))
            args = list(args)
            for i in positions:
                if args[i].requires_grad:
                    args[i] = _BackwardHookIdentity.apply(args[i], state=state, index=i)
                    state.inputs[i] = weakref.ref(args[i])
            args = tuple(args)
    out = module.forward(*args, **kwargs)
    for hook in list(module._forward_hooks.values()):
        result = hook(module, args, out)
        if result is not None:
            out = result
    if state is not None:
        out = _wrap_outputs(out, state)
    return out


def _tensor_params(module: Any) -> list:
    return [p for p in module.parameters() if isinstance(p, Tensor)]


def _wrap_outputs(out: Any, state: _PassState) -> Any:
    single = isinstance(out, Tensor)
    items = [out] if single else list(out) if isinstance(out, (tuple, list)) else None
    if items is None:
        return out
    wrapped = []
    for x in items:
        if isinstance(x, Tensor) and x.requires_grad:
            y = _BackwardHookIdentity.apply(x, state=state, index=len(state.outputs), output=True)
            state.outputs.append(weakref.ref(y))
            wrapped.append(y)
        else:
            state.outputs.append(None)
            wrapped.append(x)
    if single:
        return wrapped[0]
    return type(out)(wrapped) if isinstance(out, tuple) else wrapped
