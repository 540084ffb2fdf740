"""``autograd.compile``: record a training step once, then replay it without building a graph.

    @autograd.compile
    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    for x, y in batches:
        loss = step(x, y)          # the first calls trace; later calls replay

What is captured: every tensor op (each ``Function``'s forward), every
``backward()`` and every call of an optimiser's ``step``/``zero_grad`` (and a
module's ``zero_grad``), in order. A replay runs the same op kernels on the
new inputs' arrays and the same backward rules in the recorded order, with no
``Tensor`` objects, no graph and no topological sort in between; the
optimiser calls run as they are. The result equals eager execution.

When it re-traces: the first call with a new signature (the shapes, dtypes
and ``requires_grad`` of the Tensor and array arguments, other arguments'
values), backend or grad mode traces, and so does a call after a captured
parameter changed shape or dtype. A new signature is traced twice (the first
two calls run eagerly) and the two traces are compared: if the ops differ
(Python control flow that depends on the data) or an op's constant input
differs (a random dropout mask, a number computed in Python from the data),
the function is not replayable and runs eagerly from then on, with a
warning that names the op. Like ``jax.jit`` and tinygrad's ``TinyJit``,
Python code that reads values (``loss.item()``, ``if loss > 0``) runs only
while tracing: return Tensors and read them outside.

``step.graph`` is the traced loss (draw it with ``draw_graph``), and
``print(step.code)`` lists the recorded program.
"""

from __future__ import annotations

import functools
import os
import warnings
from typing import Any, Callable

import numpy as np

from .. import backend as _backend
from .. import engine as _engine
from ..function import Context
from ..tensor import Tensor
from ..tracing import state as _state
from ..value import Value
from . import fused as _fused
from .fused import MISS as fused_MISS

__all__ = ["compile", "CompileError", "Compiled"]


# GRADWORK_FUSE=0 keeps the plain replay (one kernel call per op) on the Numba backend too
FUSE = os.environ.get("GRADWORK_FUSE", "1") != "0"


class CompileError(RuntimeError):
    """A function cannot be compiled as written (the message says what to change)."""


# ------------------------------------------------------------------ tracing


class _Recorder:
    """Collects what one eager call of the function did, in order."""

    def __init__(self, watch: list | None = None) -> None:
        self.events: list[tuple] = []
        self.depth = 0
        # parameters to watch (known from an earlier trace): a change of a value or a gradient outside a
        # backward or a replayable call is an update written in Python (``p.data -= ...``, ``p.grad = None``),
        # which a replay would skip
        self.watch = watch or []
        self.changed_outside: list[int] = []
        self.resnapshot()

    def _state_of(self, t: Any) -> tuple:
        if isinstance(t, Value):
            return (t.data, t.grad)
        return (np.array(t.data, copy=True), t.grad)

    def check_watch(self) -> None:
        for j, (t, (data, grad)) in enumerate(zip(self.watch, self.snapshot)):
            if isinstance(t, Value):
                changed = t.data != data or t.grad != grad
            else:
                changed = t.grad is not grad or t.data.shape != data.shape or \
                    not np.array_equal(t.data, data, equal_nan=True)
            if changed:
                self.changed_outside.append(j)

    def resnapshot(self) -> None:
        self.snapshot = [self._state_of(t) for t in self.watch]

    def op(self, cls: type, inputs: tuple, kwargs: dict, result: Tensor) -> None:
        if not self.depth:
            self.events.append(("op", cls, tuple(inputs), dict(kwargs), result))

    def backward(self, root: Tensor, seed: Any, retain_graph: bool, create_graph: bool) -> None:
        if self.depth:
            return
        if create_graph:
            raise CompileError("compile: backward(create_graph=True) cannot be replayed; compute higher "
                               "derivatives outside the compiled function")
        self.check_watch()
        self.events.append(("backward", root, seed, retain_graph))

    def after_backward(self) -> None:
        self.resnapshot()

    def value_backward(self, root: Value, seed: float) -> None:
        if not self.depth:
            self.check_watch()
            self.events.append(("value_backward", root, seed))

    def call(self, method: Callable, obj: Any, args: tuple, kwargs: dict) -> Any:
        if self.depth:
            return method(obj, *args, **kwargs)
        if any(callable(a) for a in args) or any(callable(v) for v in kwargs.values()):
            raise CompileError(f"compile: {type(obj).__name__}.{method.__name__} was given a function (a closure); "
                               "a compiled step cannot replay it: call step() without a closure")
        self.events.append(("call", method, obj, args, dict(kwargs)))
        self.check_watch()
        self.depth += 1
        try:
            return method(obj, *args, **kwargs)
        finally:
            self.depth -= 1
            self.resnapshot()


def _flatten(args: tuple, kwargs: dict) -> list:
    """The arguments in order, keyword arguments sorted by name."""
    return list(args) + [kwargs[k] for k in sorted(kwargs)]


def _signature(flat: list) -> tuple:
    sig: list = []
    for a in flat:
        if type(a) is np.ndarray:
            sig.append(("A", a.shape, a.dtype))
        elif isinstance(a, Tensor):
            sig.append(("T", a.data.shape, a.data.dtype, a.requires_grad is True))
        elif isinstance(a, np.ndarray):
            sig.append(("A", a.shape, a.dtype))
        elif isinstance(a, (int, float, str, bool, type(None), np.generic)):
            sig.append(("S", type(a).__name__, a))
        elif isinstance(a, Value):
            raise CompileError("compile: pass data to a compiled Value function as numbers or arrays, not as "
                               "Values (the Values it makes from them are part of the trace)")
        else:
            sig.append(("O", id(a)))
    return tuple(sig)


def _same(a: Any, b: Any) -> bool:
    """Equal constants: arrays by shape, dtype and values (NaN equal to NaN), the rest by ==."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return a is b


# ------------------------------------------------------------------ the program

# an input reference: ("arg", i) an argument's array, ("val", k) the k-th op output,
# ("leaf", j) a tensor from outside (a parameter: its .data, read at every replay), ("const", x)
class _Unreplayable(Exception):
    pass


class _Program:
    """The replayable form of one trace: op kernels, backward rules and calls, in order."""

    def __init__(self, rec: _Recorder, flat: list, result: Any) -> None:
        self.arg_index = {}
        for i, a in enumerate(flat):
            if isinstance(a, Tensor):
                self.arg_index[id(a)] = ("targ", i)
                self.arg_index[id(a.data)] = ("arg", i)
            elif isinstance(a, np.ndarray):
                self.arg_index[id(a)] = ("arg", i)
        self.flat_arrays = [a.data if isinstance(a, Tensor) else a for a in flat]
        self.vals: dict[int, int] = {}  # id(traced output) -> k
        self.leaves: list[Tensor] = []
        self.leaf_index: dict[int, int] = {}
        self.steps: list[tuple] = []
        self.n_vals = 0
        self.val_meta: dict[int, tuple] = {}
        self.fused: Any = None  # the generated form (autograd/compile/fused.py), built when the program is frozen
        requires = {}  # k -> whether the traced output required grad
        for ev in rec.events:
            if ev[0] == "op":
                _, cls, inputs, kwargs, result_t = ev
                refs, positions, needs = [], [], []
                for pos, x in enumerate(inputs):
                    ref = self._ref(x)
                    refs.append(ref)
                    if isinstance(x, Tensor):
                        positions.append(pos)
                        needs.append(bool(x.requires_grad))
                kw = {name: self._ref(v) for name, v in kwargs.items()}  # keyword data (labels, targets) too
                k = self.n_vals
                self.n_vals += 1
                self.vals[id(result_t)] = k
                self.val_meta[k] = (result_t.data.shape, result_t.data.dtype)
                requires[k] = bool(result_t.requires_grad)
                self.steps.append(("op", cls, tuple(refs), kw, k, tuple(positions), tuple(needs)))
            elif ev[0] == "backward":
                _, root, seed, retain = ev
                if id(root) not in self.vals:
                    raise _Unreplayable("backward() of a tensor the trace did not compute")
                self.steps.append(("backward", self.vals[id(root)], self._const_seed(seed, root), retain, None))
            else:
                _, method, obj, args, kwargs = ev
                self.steps.append(("call", method, obj, args, kwargs))
        self._plan_backwards(requires)
        self.result = self._result_ref(result)

    def _ref(self, x: Any) -> tuple:
        if isinstance(x, Tensor):
            if id(x) in self.vals:
                return ("val", self.vals[id(x)])
            if id(x) in self.arg_index:
                return self.arg_index[id(x)]
            if not x.requires_grad:  # a constant tensor, or an argument wrapped inside the function
                return self._ref(x.data)
            j = self.leaf_index.get(id(x))
            if j is None:
                j = self.leaf_index[id(x)] = len(self.leaves)
                self.leaves.append(x)
            return ("leaf", j)
        if isinstance(x, np.ndarray):
            if id(x) in self.arg_index:
                return self.arg_index[id(x)]
            for i, a in enumerate(self.flat_arrays):  # a view of an argument (a reshape of the labels, say)
                if isinstance(a, np.ndarray) and x.shape == a.shape and x.dtype == a.dtype and \
                        x.base is not None and np.shares_memory(x, a):
                    return ("arg", i)
            for i, a in enumerate(self.flat_arrays):  # a converted copy of an argument (labels as intp, say)
                if isinstance(a, np.ndarray) and x.shape == a.shape and x.size and np.array_equal(x, a):
                    return ("cast", i, x.dtype)
            return ("const", x)
        if type(x) is tuple and any(isinstance(e, (np.ndarray, Tensor)) for e in x):
            # an index built from the data (labels in an advanced index): each part found on its own
            return ("tuple", tuple(self._ref(e) for e in x))
        return ("const", x)

    def _const_seed(self, seed: Any, root: Tensor) -> Any:
        return np.array(seed, copy=True)

    def _result_ref(self, result: Any) -> Any:
        if result is None:
            return ("none",)
        if isinstance(result, Tensor):
            return self._ref(result)
        if isinstance(result, (tuple, list)):
            return ("seq", type(result), [self._result_ref(r) for r in result])
        raise CompileError(
            f"compile: the function returned a {type(result).__name__}; a compiled function returns Tensors "
            "(or tuples of them, or None): return the loss Tensor and call .item() on what the step returns"
        )

    def _plan_backwards(self, requires: dict) -> None:
        """For every backward, the op outputs on the way from its root, latest first."""
        producers = {s[4]: s for s in self.steps if s[0] == "op"}
        planned = []
        for s in self.steps:
            if s[0] != "backward":
                planned.append(s)
                continue
            root = s[1]
            reach, stack = {root}, [root]
            while stack:
                k = stack.pop()
                for ref in producers[k][2]:
                    if ref[0] == "val" and ref[1] not in reach and requires.get(ref[1]):
                        reach.add(ref[1])
                        stack.append(ref[1])
            order = []
            for k in sorted(reach, reverse=True):  # op outputs are numbered in creation order
                _, cls, refs, _, _, positions, needs = producers[k]
                parents = [(i, refs[pos]) for i, pos in enumerate(positions) if needs[i]]
                order.append((k, cls, needs, positions, parents))
            planned.append(("backward", root, s[2], s[3], order))
        self.steps = planned

    def matches(self, other: "_Program") -> str | None:
        """None when ``other`` (a second trace) recorded the same program; else what differs."""
        if len(self.steps) != len(other.steps):
            return f"the two traces ran {len(self.steps)} and {len(other.steps)} steps (Python control flow)"
        for a, b in zip(self.steps, other.steps):
            if a[0] != b[0] or a[1] is not b[1] and a[0] != "backward":
                return f"the traces differ at {_name(a)} / {_name(b)} (Python control flow that depends on data)"
            if a[0] == "op":
                if a[3].keys() != b[3].keys():
                    return f"{a[1].__name__} got other keyword arguments in the second trace"
                for ra, rb in zip(list(a[2]) + list(a[3].values()), list(b[2]) + list(b[3].values())):
                    why = _ref_differs(ra, rb)
                    if why == "place":
                        return f"{a[1].__name__} got its inputs from other places in the second trace"
                    if why == "const":
                        return (f"{a[1].__name__} got a different constant input in the second trace (a random "
                                "mask, or something computed in Python from the data)")
            elif a[0] == "backward" and a[1] != b[1]:
                return "backward() started from another tensor in the second trace"
            elif a[0] == "call" and a[2] is not b[2]:
                return f"{_name(a)} was called on another object in the second trace"
        for la, lb in zip(self.leaves, other.leaves):
            if la is not lb:
                return "the two traces used different parameter tensors"
        return None

    def leaves_unchanged(self) -> bool:
        return all(t.data.shape == s and t.data.dtype == d and t.requires_grad == r
                   for t, (s, d, r) in zip(self.leaves, self.leaf_meta))

    def freeze(self, flat: list | None = None) -> None:
        self.leaf_meta = [(t.data.shape, t.data.dtype, t.requires_grad) for t in self.leaves]
        self.vals = {}  # drop the traced tensors: the program keeps no arrays of its own but constants
        if flat is not None and _backend.get_backend() == "numba" and FUSE:
            self.fused = _fused.build(self, flat)

    # --------------------------------------------------------------- replay

    def run(self, flat: list) -> Any:
        arrays = [a.data if isinstance(a, Tensor) else a for a in flat]
        leaves = self.leaves
        vals: list = [None] * self.n_vals
        ctxs: list = [None] * self.n_vals

        def resolve(ref: tuple) -> Any:
            kind = ref[0]
            if kind == "val":
                return vals[ref[1]]
            if kind == "leaf":
                return leaves[ref[1]].data
            if kind == "arg":
                return arrays[ref[1]]
            if kind == "targ":
                return flat[ref[1]]
            if kind == "cast":
                return arrays[ref[1]].astype(ref[2], copy=False)
            if kind == "tuple":
                return tuple(resolve(r) for r in ref[1])
            return ref[1]

        for s in self.steps:
            kind = s[0]
            if kind == "op":
                _, cls, refs, kwargs, k, positions, needs = s
                ins = [resolve(r) for r in refs]
                ins = [x.data if isinstance(x, Tensor) else x for x in ins]
                kw = {name: resolve(r) for name, r in kwargs.items()} if kwargs else kwargs
                ctx = Context()
                try:
                    out = cls.forward(ctx, *ins, **kw)
                except IndexError as exc:  # an index (a label, say) the eager call's checks would have refused
                    raise ValueError(f"{cls.__name__}: an index is out of range in a compiled step ({exc}); the "
                                     "replay skips the eager call's checks of the inputs: check the labels or "
                                     "indices passed to the step") from None
                if type(out) is not np.ndarray:
                    out = cls._check_output(ctx, ins, out)
                vals[k] = out
                ctxs[k] = ctx
            elif kind == "backward":
                self._backward(s, vals, ctxs, flat)
            else:
                _, method, obj, args, kwargs = s
                method(obj, *args, **kwargs)
        return self._output(self.result, vals, flat)

    def _backward(self, s: tuple, vals: list, ctxs: list, flat: list) -> None:
        _, root, seed, retain, order = s
        gacc: dict = {("val", root): seed.copy()}
        for k, cls, needs, positions, parents in order:
            g = gacc.pop(("val", k), None)
            if g is None:
                continue
            ctx = ctxs[k]
            ctx.needs_input_grad = needs
            ctx._positions = positions
            grads = cls.backward(ctx, g)
            if type(grads) is not tuple:
                grads = (grads,)
            n = len(grads)
            for i, ref in parents:
                pos = positions[i]
                pg = grads[pos] if pos < n else None
                if pg is None:
                    continue
                if type(pg) is not np.ndarray:
                    pg = np.asarray(pg.data if isinstance(pg, Tensor) else pg)
                key = (ref[0], ref[1])
                prev = gacc.get(key)
                gacc[key] = pg if prev is None else prev + pg
            if not retain:
                ctxs[k] = None
        for (kind, j), g in gacc.items():
            if kind == "leaf":
                leaf = self.leaves[j]
            elif kind == "targ":
                leaf = flat[j]
            else:
                continue
            leaf._gacc = g
            leaf._deliver()

    def _output(self, ref: Any, vals: list, flat: list) -> Any:
        kind = ref[0]
        if kind == "none":
            return None
        if kind == "seq":
            return ref[1](self._output(r, vals, flat) for r in ref[2])
        if kind == "val":
            return Tensor._make(vals[ref[1]])
        if kind == "leaf":
            return self.leaves[ref[1]]
        if kind == "targ":
            return flat[ref[1]]
        return ref[1]

    def code(self) -> str:
        """The recorded program, one line a step (and the generated code of a fused replay)."""
        lines = []
        for s in self.steps:
            if s[0] == "op":
                _, cls, refs, kwargs, k, _, _ = s
                args = ", ".join(_ref_text(r) for r in refs)
                kw = "".join(f", {key}={_ref_text(val)}" for key, val in kwargs.items())
                lines.append(f"v{k} = {cls.__name__}.forward({args}{kw})")
            elif s[0] == "backward":
                lines.append(f"backward from v{s[1]}: " + ", ".join(f"{c.__name__}.backward(v{k})"
                                                                   for k, c, *_ in s[4]))
            else:
                lines.append(f"{type(s[2]).__name__}.{s[1].__name__}()")
        if self.fused is not None:
            lines.append("\n# replayed as generated code (Numba segments and a Python driver):\n")
            lines.append(self.fused.source())
        return "\n".join(lines)


def _ref_differs(ra: tuple, rb: tuple) -> str | None:
    """None when two traces' references to an input agree; "place" or "const" for what differs."""
    if ra[0] != rb[0]:
        return "place"
    if ra[0] == "const":
        return None if _same(ra[1], rb[1]) else "const"
    if ra[0] == "tuple":
        if len(ra[1]) != len(rb[1]):
            return "place"
        for x, y in zip(ra[1], rb[1]):
            why = _ref_differs(x, y)
            if why:
                return why
        return None
    return None if ra[1:] == rb[1:] else "place"


def _ref_text(ref: tuple) -> str:
    kind = ref[0]
    if kind == "tuple":
        return "(" + ", ".join(_ref_text(r) for r in ref[1]) + ")"
    if kind == "val":
        return f"v{ref[1]}"
    if kind == "leaf":
        return f"param{ref[1]}"
    if kind in ("arg", "targ"):
        return f"arg{ref[1]}"
    if kind == "cast":
        return f"arg{ref[1]}.astype({np.dtype(ref[2]).name})"
    x = ref[1]
    return f"const{tuple(x.shape)}" if isinstance(x, np.ndarray) else repr(x)


def _name(step: tuple) -> str:
    if step[0] == "op":
        return step[1].__name__
    if step[0] == "call":
        return f"{type(step[2]).__name__}.{step[1].__name__}()"
    return "backward()"


class _ScalarPlan:
    """The replayable form of a trace of ``Value`` code: each backward a tape, optimiser calls as they are."""

    def __init__(self, rec: _Recorder, start_seq: int, result: Any) -> None:
        from .scalar import ScalarProgram, UnsupportedOp

        if any(ev[0] in ("op", "backward") for ev in rec.events):
            raise _Unreplayable("the function mixes tensor ops and Value ops")
        self.steps: list[tuple] = []
        roots = {}
        for ev in rec.events:
            if ev[0] == "value_backward":
                try:
                    prog = ScalarProgram(ev[1], start_seq)
                except UnsupportedOp as exc:
                    raise _Unreplayable(f"the Value op {exc} has no compiled rule") from None
                roots[id(ev[1])] = prog
                self.steps.append(("tape", prog, ev[2]))
            else:
                _, method, obj, args, kwargs = ev
                self.steps.append(("call", method, obj, args, kwargs))
        if not isinstance(result, Value) or id(result) not in roots:
            raise CompileError("compile: a compiled function of Values must call backward() on the Value it "
                               "returns (the loss): return that Value")
        self.result = roots[id(result)]
        tapes = [s[1] for s in self.steps if s[0] == "tape"]
        self.leaves = list({id(v): v for t in tapes for _, v in t.params}.values())

    def matches(self, other: "_ScalarPlan") -> str | None:
        if [s[0] for s in self.steps] != [s[0] for s in other.steps]:
            return "the two traces made different calls (Python control flow that depends on data)"
        for a, b in zip(self.steps, other.steps):
            if a[0] == "tape":
                why = a[1].same_as(b[1])
                if why:
                    return why
            elif a[2] is not b[2] or a[1] is not b[1]:
                return f"{_name(a)} was called on another object in the second trace"
        return None

    def freeze(self, flat: list | None = None) -> None:
        pass

    def leaves_unchanged(self) -> bool:
        return True

    def run(self, flat: list) -> Value:
        loss = None
        for s in self.steps:
            if s[0] == "tape":
                value = s[1].run(s[2])
                if s[1] is self.result:
                    loss = value
            else:
                _, method, obj, args, kwargs = s
                method(obj, *args, **kwargs)
        return Value(loss)

    def code(self) -> str:
        parts = []
        for s in self.steps:
            if s[0] == "tape":
                parts.append(f"# a tape of {s[1].n} nodes, {len(s[1].params)} parameters\n" + s[1].source())
            else:
                parts.append(f"{type(s[2]).__name__}.{s[1].__name__}()")
        return "\n".join(parts)


# ------------------------------------------------------------------ the compiled function


def _carries_graph(result: Any) -> bool:
    """True when the result (a Tensor, or a tuple/list/dict of them) is a recorded graph node someone may
    differentiate later."""
    if isinstance(result, Tensor):
        return result.requires_grad and result._ctx is not None
    if isinstance(result, (tuple, list)):
        return any(_carries_graph(r) for r in result)
    if isinstance(result, dict):
        return any(_carries_graph(r) for r in result.values())
    return False


class Compiled:
    """A function compiled with ``autograd.compile``: call it like the function."""

    def __init__(self, fn: Callable, max_signatures: int = 8) -> None:
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
        self.fn = fn
        self.max_signatures = max_signatures
        self._cache: dict[tuple, Any] = {}  # key -> _Program, or ("traced", first trace), or ("eager", reason)
        self.graph: Any = None
        self.traces = 0
        functools.update_wrapper(self, fn)

    def __getattr__(self, name: str) -> Any:
        """Anything else is the compiled callable's: ``compile(model)`` still has ``.parameters()``, ``.train()``,
        ``.state_dict()`` (as torch.compile's wrapper does; ``_orig_mod`` is the model itself)."""
        fn = self.__dict__.get("fn")
        if fn is None or name.startswith("__"):
            raise AttributeError(name)
        if name == "_orig_mod":
            return fn
        return getattr(fn, name)

    def _key(self, flat: list) -> tuple:
        return (_signature(flat), _backend.get_backend(), _engine.is_grad_enabled())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        flat = _flatten(args, kwargs)
        key = self._key(flat)
        entry = self._cache.get(key)
        if isinstance(entry, (_Program, _ScalarPlan)):
            fused = getattr(entry, "fused", None)
            if fused is not None:
                out = fused.run(flat)
                if out is not fused_MISS:
                    return out
            if entry.leaves_unchanged():
                return entry.run(flat)
            entry = None  # a parameter changed shape or dtype: trace again
        if isinstance(entry, tuple) and entry[0] == "eager":
            return self.fn(*args, **kwargs)
        result, program = self._trace(args, kwargs, flat)
        if program is None:
            return result
        if isinstance(entry, tuple) and entry[0] == "traced":
            why = entry[1].matches(program)
            if why is None and self._last_recorder.changed_outside:
                j = self._last_recorder.changed_outside[0]
                why = (f"parameter {j} or its gradient was changed by Python code (such as p.data -= lr * p.grad, "
                       "or p.grad = None), which a replay would skip: update and zero parameters with an optim "
                       "optimiser inside the function, or outside it")
            if why is None:
                entry[1].freeze(flat)
                self._store(key, entry[1])
            else:
                warnings.warn(f"compile: {getattr(self.fn, '__name__', 'the function')} runs eagerly: {why}",
                              RuntimeWarning, stacklevel=2)
                self._store(key, ("eager", why))
        else:
            self._store(key, ("traced", program))
        return result

    def _store(self, key: tuple, entry: Any) -> None:
        if key not in self._cache and len(self._cache) >= self.max_signatures:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = entry

    def _trace(self, args: tuple, kwargs: dict, flat: list) -> tuple:
        if _state.recorder is not None:
            raise CompileError("compile: a compiled function called another while tracing; compile the outer one")
        entry = self._cache.get(self._key(flat))
        watch = entry[1].leaves if isinstance(entry, tuple) and entry[0] == "traced" else None
        rec = _Recorder(watch)
        start_seq = _engine.next_seq()  # every Value made from here on belongs to this trace
        _state.recorder = rec
        try:
            result = self.fn(*args, **kwargs)
        finally:
            _state.recorder = None
        rec.check_watch()
        self._last_recorder = rec
        scalar = isinstance(result, Value) or any(ev[0] == "value_backward" for ev in rec.events)
        self.traces += 1
        roots = [ev[1] for ev in rec.events if ev[0] == "backward"]
        if roots:
            self.graph = roots[-1]
        elif isinstance(result, Tensor):
            self.graph = result
        if not roots and not scalar and _carries_graph(result):
            why = ("its result carries a graph for a backward outside the compiled function, which a replay "
                   "cannot give; compile the whole step (forward, loss, backward() and the optimiser's step())")
            warnings.warn(f"compile: {getattr(self.fn, '__name__', 'the function')} runs eagerly: {why}",
                          RuntimeWarning, stacklevel=3)
            self._store(self._key(flat), ("eager", why))
            return result, None
        try:
            program = _ScalarPlan(rec, start_seq, result) if scalar else _Program(rec, flat, result)
        except _Unreplayable as exc:
            warnings.warn(f"compile: {getattr(self.fn, '__name__', 'the function')} runs eagerly: {exc}",
                          RuntimeWarning, stacklevel=3)
            self._store(self._key(flat), ("eager", str(exc)))
            return result, None
        return result, program

    @property
    def code(self) -> str:
        """The recorded program of the latest replayable signature."""
        for entry in reversed(list(self._cache.values())):
            if isinstance(entry, (_Program, _ScalarPlan)):
                return entry.code()
            if isinstance(entry, tuple) and entry[0] == "traced":
                return entry[1].code()
        return "(not traced yet)"

    @property
    def replay(self) -> str:
        """How the latest signature runs: "fused" (generated code, the Numba backend), "ops" (one kernel call per
        recorded op: the numpy backend, or an op the fused replay has no rule for), "eager" or "not traced"."""
        for entry in reversed(list(self._cache.values())):
            if isinstance(entry, _Program):
                return "fused" if entry.fused is not None else "ops"
            if isinstance(entry, _ScalarPlan):
                return "tape"
            if isinstance(entry, tuple) and entry[0] == "eager":
                return "eager"
        return "not traced"

    def __repr__(self) -> str:
        return f"<compiled {getattr(self.fn, '__qualname__', self.fn)!s}: {self.traces} traces>"


TORCH_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(fn: Callable | None = None, *, max_signatures: int = 8, fullgraph: bool = False, dynamic: Any = None,
            backend: Any = None, mode: str | None = None, options: Any = None, disable: bool = False) -> Any:
    """Compile ``fn`` (a decorator too): trace it on its first calls, replay the recorded ops afterwards.

    torch.compile's keyword arguments are accepted: ``disable=True`` returns ``fn`` itself; ``fullgraph``,
    ``dynamic``, ``backend``, ``mode`` and ``options`` change nothing here (one tracer, one replay).
    """
    if mode not in TORCH_MODES:
        raise ValueError(f"compile: mode must be one of {TORCH_MODES}, got {mode!r}")
    if isinstance(max_signatures, bool) or not isinstance(max_signatures, int) or max_signatures < 1:
        raise ValueError(f"compile: max_signatures must be a positive int, got {max_signatures!r}")
    if fn is None:
        return (lambda f: f) if disable else (lambda f: Compiled(f, max_signatures))
    if disable:
        return fn
    return Compiled(fn, max_signatures)
