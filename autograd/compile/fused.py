"""The fused replay of a traced tensor step: generated code in place of one kernel call per op.

A ``_Program`` (the recorded ops, one backward, the optimiser calls) whose ops
all have a rule here becomes two layers of generated source:

* Numba functions ("segments"), each one straight run of the step: a layer's
  bias and activation over its product, the loss and its gradient, the
  backward's masks and bias sums, the optimiser's update of every parameter,
  as loops over buffers allocated once, and small matrix products as
  ``np.dot`` inside the same function (Numba calls BLAS through SciPy).
  Where the backend has a kernel for a piece (a linear layer's epilogue and
  its gradient, cross-entropy, the optimiser updates), the segment calls
  that same kernel, so the numbers are eager's;
* a Python driver that checks the arguments and parameters, calls the
  segments in order, runs each large matrix product as
  ``np.matmul(..., out=buffer)`` on numpy's own BLAS between them, hands the
  gradients to the parameters' ``.grad`` and runs any other recorded call
  (a scheduler's step) where it was recorded.

A small MLP step is then two Numba calls instead of some thirty kernel calls,
and a large one keeps numpy's BLAS for its products. ``print(step.code)``
shows the generated source. An op, a call or an option without a rule (a
hook on a parameter, an optimiser with ``maximize=True``) keeps the op-by-op
replay, for the whole step or for that call: the fused replay is an
accelerator, never a different result.
"""

from __future__ import annotations

import math
import os
import re
import sys
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor

__all__ = ["FusedProgram", "build", "Unsupported", "MISS"]

MISS = object()  # what a run returns when it cannot run (a parameter changed): the caller traces again

# a product of at most this many multiply-adds runs inside a Numba segment (np.dot), larger ones on numpy's BLAS
INLINE_MATMUL = int(os.environ.get("GRADWORK_FUSED_INLINE_MATMUL", 1 << 19))
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class Unsupported(Exception):
    """The program has something the fused replay has no rule for (the plain replay runs it)."""


class _AllOnNumpy(Exception):
    """Some product is large: build again with every product on numpy's BLAS."""


def _scipy_blas() -> bool:
    """Numba's np.dot needs SciPy's BLAS; without it every product runs on numpy's."""
    try:
        import scipy.linalg.cython_blas  # noqa: F401
    except Exception:
        return False
    return True


_INLINE_OK: bool | None = None


def inline_products() -> bool:
    global _INLINE_OK
    if _INLINE_OK is None:
        _INLINE_OK = _scipy_blas()
    return _INLINE_OK and INLINE_MATMUL > 0


# ------------------------------------------------------------------ the code being built


class _Code:
    """Generated source: Numba segments separated by driver lines (products on numpy's BLAS, Python calls)."""

    def __init__(self) -> None:
        self.items: list[tuple] = []  # ("seg" | "branch" | "py", [lines])
        self.n = 0

    def seg(self, lines: list[str]) -> None:
        if self.items and self.items[-1][0] == "seg":
            self.items[-1][1].extend(lines)
        else:
            self.items.append(("seg", list(lines)))

    def branch(self, lines: list[str]) -> None:
        """A segment of its own, called inside the driver's ``else:`` (an optimiser step's fused form)."""
        self.items.append(("branch", list(lines)))

    def py(self, lines: list[str]) -> None:
        if self.items and self.items[-1][0] == "py":
            self.items[-1][1].extend(lines)
        else:
            self.items.append(("py", list(lines)))

    def tmp(self) -> str:
        self.n += 1
        return f"t{self.n}"


def _loop(shape: tuple, body: Callable[[list[str]], list[str]], indent: str = "    ") -> list[str]:
    """Nested loops over ``shape`` (indices i0, i1, ...) around ``body(indices)``."""
    lines, idx = [], []
    for d, n in enumerate(shape):
        lines.append(indent + "    " * d + f"for i{d} in range({n}):")
        idx.append(f"i{d}")
    pad = indent + "    " * len(shape)
    return lines + [pad + b for b in body(idx)]


def _at(name: str, shape: tuple, out_shape: tuple, idx: list[str]) -> str:
    """``name`` indexed at the broadcast position ``idx`` of ``out_shape`` (numpy's right-aligned rule)."""
    if not shape:
        return f"{name}[0]"
    off = len(out_shape) - len(shape)
    parts = [("0" if n == 1 and out_shape[off + d] != 1 else idx[off + d]) for d, n in enumerate(shape)]
    return f"{name}[{', '.join(parts)}]"


def _store(target: str, shape: tuple, mode: str, expr: str, idx: list[str]) -> str:
    at = _at(target, shape, shape, idx)
    return f"{at} {'+=' if mode == 'add' else '='} {expr}"


# ------------------------------------------------------------------ the builder


class _Arr:
    """One array of the step as the generated code names it."""

    __slots__ = ("name", "shape", "dtype")

    def __init__(self, name: str, shape: tuple, dtype: np.dtype) -> None:
        self.name, self.shape, self.dtype = name, tuple(shape), np.dtype(dtype)

    @property
    def ishape(self) -> tuple:
        """The shape the generated code indexes it with (a 0-d array is held as one element)."""
        return self.shape if self.shape else (1,)


class _Builder:
    def __init__(self, program: Any, flat: list, inline: bool = True) -> None:
        from ..tensor import Tensor

        self.p = program
        self.code = _Code()
        self.buffers: dict[str, np.ndarray] = {}  # preallocated: op outputs, their gradients, temporaries
        self.inline = inline and inline_products()
        self.products: list[int] = []
        self.args: dict[int, _Arr] = {}
        for i, a in enumerate(flat):
            arr = a.data if isinstance(a, Tensor) else a
            if isinstance(arr, np.ndarray):
                self.args[i] = _Arr(f"a{i}", arr.shape, arr.dtype)
        self.leaves = [_Arr(f"p{j}", t.data.shape, t.data.dtype) for j, t in enumerate(program.leaves)]
        self.vals = {k: _Arr(f"v{k}", s, d) for k, (s, d) in program.val_meta.items()}
        self.consts: dict[str, Any] = {}
        self.leaf_grads: dict[int, _Arr] = {}  # j -> fresh gradient array each run
        self.arg_grads: dict[int, _Arr] = {}
        self.val_grads: dict[int, _Arr] = {}
        self.errors: list[str] = []
        # what a forward rule leaves for its backward rule, by the output's name
        self.ce: dict[str, tuple] = {}  # cross-entropy: (log-probabilities, labels, reduction)
        self.picks: dict[str, _Arr] = {}  # x[arange(n), labels]: the labels
        self.lin_dz: dict[str, _Arr] = {}  # a linear layer's dL/d(pre-activation), made once for its inputs
        self.lin_gb: dict[str, _Arr] = {}  # ... and its bias gradient, from the same pass

    # ---------------------------------------------------------- references
    def arr(self, ref: tuple) -> _Arr:
        kind = ref[0]
        if kind == "val":
            return self.vals[ref[1]]
        if kind == "leaf":
            return self.leaves[ref[1]]
        if kind in ("arg", "targ"):
            if ref[1] not in self.args:
                raise Unsupported("an argument that is not an array")
            return self.args[ref[1]]
        if kind == "cast":
            src = self.args.get(ref[1])
            if src is None or not (src.dtype == np.dtype(ref[2]) or (src.dtype.kind in "iu" and
                                                                     np.dtype(ref[2]).kind in "iu")):
                raise Unsupported("a converted argument")
            return src
        if kind == "const":
            x = ref[1]
            if isinstance(x, np.ndarray) and x.ndim:
                name = f"c{len(self.consts)}"
                self.consts[name] = np.ascontiguousarray(x)
                return _Arr(name, x.shape, x.dtype)
            raise Unsupported("a number where an array was expected")
        raise Unsupported(f"an input of kind {kind}")

    def scalar(self, ref: tuple, dtype: np.dtype) -> str | None:
        """A constant number as a literal of ``dtype``, or None when ``ref`` is an array."""
        if ref[0] != "const":
            return None
        x = ref[1]
        if isinstance(x, np.ndarray) and x.ndim:
            return None
        v = float(np.asarray(x))
        if not math.isfinite(v):
            raise Unsupported("a non-finite constant")
        return f"np.{dtype.name}({v!r})"

    def buffer(self, arr: _Arr) -> _Arr:
        self.buffers[arr.name] = np.empty(arr.ishape, arr.dtype)
        return arr

    def absent(self, dtype: np.dtype) -> str:
        """A one-element stand-in for an array a kernel is told it does not have (no bias, say)."""
        name = f"absent_{np.dtype(dtype).name}"
        self.buffers.setdefault(name, np.zeros(1, dtype))
        return name

    def temp(self, shape: tuple, dtype: np.dtype) -> _Arr:
        return self.buffer(_Arr(self.code.tmp(), shape, dtype))

    # ---------------------------------------------------------- products
    def matmul(self, out: _Arr, a: str, b: str, flops: int, mode: str) -> None:
        """out (=|+=) a @ b, where a and b are names, perhaps with a ``.T``."""
        target = out if mode == "set" else self.temp(out.shape, out.dtype)
        self.products.append(flops)
        if self.inline and flops <= INLINE_MATMUL:
            self.code.seg([f"    np.dot({a}, {b}, {target.name})"])
        else:
            self.code.py([f"    _matmul({a}, {b}, out={target.name})"])
        if mode == "add":
            self.code.seg(_loop(out.shape, lambda i: [f"{_at(out.name, out.shape, out.shape, i)} += "
                                                      f"{_at(target.name, out.shape, out.shape, i)}"]))

    # ---------------------------------------------------------- gradients
    def grad_target(self, ref: tuple, seen: set) -> tuple[_Arr, str]:
        """Where a gradient for ``ref`` goes, and whether it is the first (set) or a later one (add)."""
        key = (ref[0], ref[1])
        mode = "add" if key in seen else "set"
        seen.add(key)
        kind = ref[0]
        if kind == "val":
            k = ref[1]
            if k not in self.val_grads:
                v = self.vals[k]
                self.val_grads[k] = self.buffer(_Arr(f"g{k}", v.shape, v.dtype))
            return self.val_grads[k], mode
        if kind == "leaf":
            j = ref[1]
            if j not in self.leaf_grads:
                leaf = self.leaves[j]
                self.leaf_grads[j] = _Arr(f"gp{j}", leaf.shape, leaf.dtype)
            return self.leaf_grads[j], mode
        if kind == "targ":
            i = ref[1]
            if i not in self.arg_grads:
                a = self.args[i]
                self.arg_grads[i] = _Arr(f"ga{i}", a.shape, a.dtype)
            return self.arg_grads[i], mode
        raise Unsupported("a gradient for a converted argument")

    def reduce_into(self, target: _Arr, mode: str, g: _Arr, expr: Callable[[list[str]], str]) -> None:
        """target (=|+=) expr(g's indices), summed over the axes ``target`` was broadcast along."""
        if target.shape == g.shape:
            self.code.seg(_loop(g.ishape, lambda i: [_store(target.name, target.ishape, mode, expr(i), i)]))
            return
        lines = []
        if mode == "set":
            lines += _loop(target.ishape, lambda i: [f"{_at(target.name, target.ishape, target.ishape, i)} = 0"])
        lines += _loop(g.ishape, lambda i: [f"{_at(target.name, target.shape, g.ishape, i)} += {expr(i)}"])
        self.code.seg(lines)

    def error(self, message: str) -> int:
        self.errors.append(message)
        return len(self.errors)


# ------------------------------------------------------------------ op rules


def _same_float(*arrs: _Arr) -> np.dtype:
    dt = arrs[0].dtype
    if dt not in _FLOATS or any(a.dtype != dt for a in arrs):
        raise Unsupported("mixed or non-float dtypes")
    return dt


_UNARY = {  # name: (forward of x -> expression, derivative from (x, out) -> expression)
    "Relu": (lambda x: f"{x} if {x} > 0 or {x} != {x} else 0", lambda x, y: f"({x} > 0)"),
    "Tanh": (lambda x: f"math.tanh({x})", lambda x, y: f"(1 - {y} * {y})"),
    "Sigmoid": (lambda x: f"1 / (1 + math.exp(-{x}))", lambda x, y: f"({y} * (1 - {y}))"),
    "Exp": (lambda x: f"math.exp({x})", lambda x, y: f"{y}"),
    "Neg": (lambda x: f"-{x}", lambda x, y: "(-1)"),
}


def _op_forward(b: _Builder, cls: type, refs: tuple, kw: dict, out: _Arr) -> None:
    name = cls.__name__
    if name in ("Add", "Sub", "Mul", "Div"):
        if len(refs) != 2 or kw:
            raise Unsupported(name)
        sym = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/"}[name]
        terms = []
        for r in refs:
            lit = b.scalar(r, out.dtype)
            if lit is None:
                a = b.arr(r)
                _same_float(a, out)
                terms.append((a, None))
            else:
                terms.append((None, lit))
        b.buffer(out)

        def body(i: list[str]) -> list[str]:
            xs = [lit if a is None else _at(a.name, a.ishape if not a.shape else a.shape, out.ishape, i)
                  for a, lit in terms]
            return [f"{_at(out.name, out.ishape, out.ishape, i)} = {xs[0]} {sym} {xs[1]}"]
        b.code.seg(_loop(out.ishape, body))
        return
    if name in _UNARY:
        if len(refs) != 1 or kw:
            raise Unsupported(name)
        x = b.arr(refs[0])
        _same_float(x, out)
        if x.shape != out.shape:
            raise Unsupported(name)
        b.buffer(out)
        f = _UNARY[name][0]
        b.code.seg(_loop(out.ishape, lambda i: [f"xv = {_at(x.name, x.ishape, x.ishape, i)}",
                                                f"{_at(out.name, out.ishape, out.ishape, i)} = {f('xv')}"]))
        return
    if name == "Pow":
        x = b.arr(refs[0])
        c = b.scalar(refs[1], out.dtype)
        if c is None or float(np.asarray(refs[1][1])) == 0 or x.shape != out.shape:
            raise Unsupported("Pow with an array exponent")
        _same_float(x, out)
        b.buffer(out)
        b.code.seg(_loop(out.ishape, lambda i: [f"{_at(out.name, out.ishape, out.ishape, i)} = "
                                                f"{_at(x.name, x.ishape, x.ishape, i)} ** {c}"]))
        return
    if name in ("Sum", "Mean"):
        x = b.arr(refs[0])
        axis = kw.get("axis", ("const", None))
        keep = kw.get("keepdims", ("const", False))
        if axis != ("const", None) or keep[0] != "const" or keep[1] or len(refs) != 1 or set(kw) - {"axis", "keepdims"}:
            raise Unsupported(f"{name} over some axes")
        _same_float(x, out)
        b.buffer(out)
        n = int(np.prod(x.shape))
        lines = ["    acc = 0.0"] + _loop(x.ishape, lambda i: [f"acc += {_at(x.name, x.ishape, x.ishape, i)}"])
        lines.append(f"    {out.name}[0] = acc" + (f" / {n}" if name == "Mean" and n else ""))
        b.code.seg(lines)
        return
    if name == "LogSoftmax":
        x = b.arr(refs[0])
        axis = kw.get("axis", ("const", -1))
        if axis[0] != "const" or axis[1] not in (1, -1) or len(x.shape) != 2 or set(kw) - {"axis"}:
            raise Unsupported("LogSoftmax other than along the rows of a matrix")
        _same_float(x, out)
        b.buffer(out)
        k = _kernel("_W", "log_softmax", "log_softmax", int(np.prod(x.shape)))
        b.code.seg([f"    {k}({x.name}, {out.name})"])
        return
    if name == "GetItem":
        return _pick_forward(b, refs, kw, out)
    if name == "MatMul":
        a, w = b.arr(refs[0]), b.arr(refs[1])
        _same_float(a, w, out)
        if len(a.shape) != 2 or len(w.shape) != 2:
            raise Unsupported("MatMul of arrays that are not 2-D")
        b.buffer(out)
        b.matmul(out, a.name, w.name, a.shape[0] * a.shape[1] * w.shape[1], "set")
        return
    if name == "Linear":
        return _linear_forward(b, refs, kw, out)
    if name == "SquaredError":
        p = b.arr(refs[0])
        t = b.arr(kw["t"]) if "t" in kw else None
        if t is None or set(kw) - {"t", "mean"} or len(refs) != 1:
            raise Unsupported(name)
        _same_float(p, t, out)
        if t.shape != p.shape:
            raise Unsupported("SquaredError with a broadcast target")
        mean = bool(kw["mean"][1]) if "mean" in kw and kw["mean"][0] == "const" else True
        b.buffer(out)
        size = int(np.prod(p.shape))
        lines = ["    acc = 0.0"]
        lines += _loop(p.ishape, lambda i: [f"d = {_at(p.name, p.ishape, p.ishape, i)} - "
                                            f"{_at(t.name, t.ishape, t.ishape, i)}", "acc += d * d"])
        lines.append(f"    {out.name}[0] = acc / {size if mean else 1}")
        b.code.seg(lines)
        return
    if name == "CrossEntropy":
        return _cross_entropy_forward(b, refs, kw, out)
    raise Unsupported(f"the op {name}")


_LINEAR_ACTS = ("relu", "sigmoid", "tanh", "leaky_relu", "elu", None)


def _linear_forward(b: _Builder, refs: tuple, kw: dict, out: _Arr) -> None:
    """z = x @ W.T, then the backend's own epilogue kernel: z = act(z + bias), in place (eager's numbers)."""
    act = kw.get("activation", ("const", None))
    param = kw.get("param", ("const", 0.0))
    if act[0] != "const" or act[1] not in _LINEAR_ACTS or param[0] != "const" or len(refs) not in (2, 3):
        raise Unsupported("Linear with this activation")
    x, w = b.arr(refs[0]), b.arr(refs[1])
    bias = b.arr(refs[2]) if len(refs) == 3 else None
    _same_float(x, w, out, *([bias] if bias else []))
    if len(x.shape) != 2:
        raise Unsupported("Linear of an input that is not 2-D")
    b.buffer(out)
    b.matmul(out, x.name, f"{w.name}.T", x.shape[0] * x.shape[1] * w.shape[0], "set")
    if bias is None and act[1] is None:
        return
    from ..kernels import jit_matmul as M

    k = _kernel("_M", "epilogue", "linear", int(np.prod(out.shape)))
    bname = bias.name if bias is not None else b.absent(out.dtype)
    b.code.seg([f"    {k}({out.name}, {bname}, {bias is not None}, {M.ACTIVATIONS[act[1]]}, "
                f"np.{out.dtype.name}({float(param[1])!r}))"])


def _pick_forward(b: _Builder, refs: tuple, kw: dict, out: _Arr) -> None:
    """x[arange(n), labels] (what nll_loss indexes with): out[i] = x[i, labels[i]], labels checked in range."""
    idx = kw.get("index")
    x = b.arr(refs[0])
    if idx is None or idx[0] != "tuple" or len(idx[1]) != 2 or len(x.shape) != 2 or set(kw) - {"index"}:
        raise Unsupported("GetItem other than x[arange(n), labels]")
    rows, labels = idx[1]
    n, c = x.shape
    if rows[0] != "const" or not (isinstance(rows[1], np.ndarray) and rows[1].shape == (n,)
                                  and np.array_equal(rows[1], np.arange(n))):
        raise Unsupported("GetItem other than x[arange(n), labels]")
    y = b.arr(labels)
    if y.shape != (n,) or y.dtype.kind not in "iu" or out.shape != (n,):
        raise Unsupported("GetItem other than x[arange(n), labels]")
    _same_float(x, out)
    b.buffer(out)
    code = b.error(f"nll_loss: every label must be in [0, {c}) for {c} classes (the input has shape {x.shape}); "
                   "check the labels passed to the compiled step")
    b.code.seg([f"    for i0 in range({n}):",
                f"        lab = {y.name}[i0]",
                f"        if lab < 0 or lab >= {c}:",
                f"            return {code}",
                f"        {out.name}[i0] = {x.name}[i0, lab]"])
    b.picks[out.name] = y


def _cross_entropy_forward(b: _Builder, refs: tuple, kw: dict, out: _Arr) -> None:
    """The backend's own kernels (eager's numbers): log-softmax rows and each row's loss, then their mean or sum."""
    red = kw.get("reduction", ("const", "none"))
    if red[0] != "const" or red[1] not in ("mean", "sum") or set(kw) - {"labels", "reduction"} or len(refs) != 1:
        raise Unsupported("CrossEntropy with this reduction")
    z = b.arr(refs[0])
    y = b.arr(kw["labels"])
    _same_float(z, out)
    if len(z.shape) != 2 or y.shape != z.shape[:1] or y.dtype.kind not in "iu":
        raise Unsupported("CrossEntropy of these shapes")
    n, c = z.shape
    logp = b.temp(z.shape, z.dtype)
    losses = b.temp((n,), z.dtype)
    b.buffer(out)
    code = b.error(f"cross_entropy: every label must be in [0, {c}) for {c} classes (the logits have shape "
                   f"{z.shape}); check the labels passed to the compiled step")
    k = _kernel("_W", "cross_entropy", "cross_entropy", n * c)
    b.code.seg([
        f"    if {k}({z.name}, {y.name}, {logp.name}, {losses.name}):",
        f"        return {code}",
        f"    {out.name}[0] = {losses.name}.sum()" + (f" / np.{z.dtype.name}({n})" if red[1] == "mean" else ""),
    ])
    b.ce[out.name] = (logp, y, red[1])


def _op_backward(b: _Builder, cls: type, refs: tuple, kw: dict, out: _Arr, g: _Arr, parents: list, seen: set) -> None:
    """Gradients of one op for the inputs in ``parents`` ((position, ref) pairs), from its output's gradient g."""
    for pos, ref in parents:
        target, mode = b.grad_target(ref, seen)
        _input_grad(b, cls.__name__, refs, kw, out, g, pos, target, mode)


def _input_grad(b: _Builder, name: str, refs: tuple, kw: dict, out: _Arr, g: _Arr, pos: int, target: _Arr,
                mode: str) -> None:
    """target (=|+=) the gradient for input ``pos`` of the op ``name``."""
    if name in ("Add", "Sub"):
        neg = name == "Sub" and pos == 1
        b.reduce_into(target, mode, g, lambda i: ("-" if neg else "") + _at(g.name, g.ishape, g.ishape, i))
    elif name == "Mul":
        other = refs[1 - pos]
        lit = b.scalar(other, g.dtype)
        o = None if lit is not None else b.arr(other)
        b.reduce_into(target, mode, g, lambda i: f"{_at(g.name, g.ishape, g.ishape, i)} * " +
                      (lit if o is None else _at(o.name, o.shape or (1,), g.ishape, i)))
    elif name == "Div":
        lit_b = b.scalar(refs[1], g.dtype)
        if pos == 0:
            den = lit_b if lit_b is not None else None
            bb = None if den is not None else b.arr(refs[1])
            b.reduce_into(target, mode, g, lambda i: f"{_at(g.name, g.ishape, g.ishape, i)} / " +
                          (den if bb is None else _at(bb.name, bb.shape or (1,), g.ishape, i)))
        else:
            bb = b.arr(refs[1])
            b.reduce_into(target, mode, g, lambda i: f"-{_at(g.name, g.ishape, g.ishape, i)} * "
                          f"{_at(out.name, out.ishape, g.ishape, i)} / "
                          f"{_at(bb.name, bb.shape or (1,), g.ishape, i)}")
    elif name in _UNARY:
        x = b.arr(refs[0])
        d = _UNARY[name][1]
        b.reduce_into(target, mode, g, lambda i: f"{_at(g.name, g.ishape, g.ishape, i)} * " +
                      d(_at(x.name, x.ishape, g.ishape, i), _at(out.name, out.ishape, g.ishape, i)))
    elif name == "Pow":
        x = b.arr(refs[0])
        c = float(np.asarray(refs[1][1]))
        lit, lit1 = f"np.{g.dtype.name}({c!r})", f"np.{g.dtype.name}({c - 1!r})"
        b.reduce_into(target, mode, g, lambda i: f"{_at(g.name, g.ishape, g.ishape, i)} * {lit} * "
                      f"{_at(x.name, x.ishape, g.ishape, i)} ** {lit1}")
    elif name in ("Sum", "Mean"):
        x = b.arr(refs[0])
        n = int(np.prod(x.shape))
        scale = f" * np.{g.dtype.name}({1.0 / n!r})" if name == "Mean" and n else ""
        b.code.seg([f"    sc = {g.name}[0]{scale}"])
        b.reduce_into(target, mode, x, lambda i: "sc")
    elif name == "MatMul":
        a, w = b.arr(refs[0]), b.arr(refs[1])
        flops = a.shape[0] * a.shape[1] * w.shape[1]
        if pos == 0:
            b.matmul(target, g.name, f"{w.name}.T", flops, mode)
        else:
            b.matmul(target, f"{a.name}.T", g.name, flops, mode)
    elif name == "SquaredError":
        p = b.arr(refs[0])
        t = b.arr(kw["t"])
        mean = bool(kw["mean"][1]) if "mean" in kw else True
        scale = 2.0 / int(np.prod(p.shape)) if mean else 2.0
        b.code.seg([f"    sc = {g.name}[0] * np.{g.dtype.name}({scale!r})"])
        b.reduce_into(target, mode, p, lambda i: f"({_at(p.name, p.ishape, p.ishape, i)} - "
                      f"{_at(t.name, t.ishape, t.ishape, i)}) * sc")
    elif name == "CrossEntropy":
        z = b.arr(refs[0])
        logp, y, red = b.ce[out.name]
        n, c = z.shape
        scale = 1.0 / n if red == "mean" else 1.0
        rows = b.temp((n,), z.dtype)
        dst = target if mode == "set" else b.temp(z.shape, z.dtype)
        k = _kernel("_W", "cross_entropy_backward", "cross_entropy_backward", n * c)
        lines = [f"    sc = {g.name}[0] * np.{g.dtype.name}({scale!r})",
                 f"    {rows.name}[:] = sc",
                 f"    {k}({rows.name}, {logp.name}, {y.name}, {dst.name})"]
        if mode == "add":
            lines += _loop(z.shape, lambda i: [f"{target.name}[i0, i1] += {dst.name}[i0, i1]"])
        b.code.seg(lines)
    elif name == "LogSoftmax":
        dst = target if mode == "set" else b.temp(target.shape, target.dtype)
        k = _kernel("_W", "log_softmax_backward", "log_softmax_backward", int(np.prod(out.shape)))
        lines = [f"    {k}({g.name}, {out.name}, {dst.name})"]
        if mode == "add":
            lines += _loop(target.shape, lambda i: [f"{target.name}[i0, i1] += {dst.name}[i0, i1]"])
        b.code.seg(lines)
    elif name == "GetItem":
        y = b.picks[out.name]
        lines = _loop(target.shape, lambda i: [f"{target.name}[i0, i1] = 0"]) if mode == "set" else []
        lines += [f"    for i0 in range({out.shape[0]}):",
                  f"        {target.name}[i0, {y.name}[i0]] += {g.name}[i0]"]
        b.code.seg(lines)
    elif name == "Linear":
        _linear_backward(b, refs, kw, out, g, pos, target, mode)
    else:
        raise Unsupported(f"the backward of {name}")


def _linear_backward(b: _Builder, refs: tuple, kw: dict, out: _Arr, g: _Arr, pos: int, target: _Arr,
                     mode: str) -> None:
    """dz = g act'(out) and the bias gradient in one pass of the backend's kernel, then dx = dz W, dW = dz^T x."""
    from ..kernels import jit_matmul as M

    act = kw.get("activation", ("const", None))[1]
    param = float(kw.get("param", ("const", 0.0))[1])
    x, w = b.arr(refs[0]), b.arr(refs[1])
    dz = b.lin_dz.get(out.name)
    if dz is None:  # made once for the three inputs, with the bias gradient in the same pass
        if act is None:
            dz = g
        else:
            dz = b.temp(out.shape, out.dtype)
            gb = b.temp((out.shape[1],), out.dtype)
            b.code.seg([f"    _M.pre_activation_grad({g.name}, {out.name}, {M.ACTIVATIONS[act]}, "
                        f"np.{out.dtype.name}({param!r}), {dz.name}, {gb.name}, True)"])
            b.lin_gb[out.name] = gb
        b.lin_dz[out.name] = dz
    flops = x.shape[0] * x.shape[1] * w.shape[0]
    if pos == 0:
        b.matmul(target, dz.name, w.name, flops, mode)
    elif pos == 1:
        b.matmul(target, f"{dz.name}.T", x.name, flops, mode)
    else:
        gb = b.lin_gb.get(out.name)
        if gb is None:  # no activation: the rows of g added in order, as numba_backend.linear_backward does
            dst = target if mode == "set" else b.temp(target.shape, target.dtype)
            b.code.seg([f"    _W.sum_rows_into.serial({dz.name}, 1, {dst.name})"])
            gb = dst
            if mode == "set":
                return
        b.code.seg(_loop(target.shape, lambda i: [_store(target.name, target.shape, mode, f"{gb.name}[i0]", i)]))


# ------------------------------------------------------------------ optimiser steps


def _optimizer_rule(obj: Any, method: Callable, args: tuple, kwargs: dict) -> str | None:
    """'sgd' / 'adam' when a recorded call is an update the fused code can do, else None (it runs as recorded)."""
    try:
        from optim.adam import Adam, AdamW
        from optim.optimizer import Optimizer
        from optim.sgd import SGD
    except Exception:  # optim is not installed beside the engine: calls run as recorded
        return None
    if not isinstance(obj, Optimizer):
        return None
    if method.__name__ == "step" and not args and not kwargs:
        if type(obj) is SGD:
            return "sgd"
        if type(obj) in (Adam, AdamW):
            return "adam"
    return None


def _sgd_lines(j: int, n: int, size: int, gi: int) -> list[str]:
    """One parameter's SGD update: the backend's own kernel (autograd/kernels/jit_optim.py), called from Numba."""
    k = _kernel("_O", "sgd", "sgd_step", size)
    h = f"h{n}[{gi}, "
    return [f"    {k}(p{j}, s{j}_0, s{j}_1, {h}0], {h}1], {h}2], {h}6] != 0, {h}3], {h}4] != 0, {h}5] != 0, False)"]


def _adam_lines(j: int, n: int, size: int, gi: int) -> list[str]:
    """One parameter's Adam/AdamW update through the backend's kernel, its constants from ``_StepPlan.prepare``."""
    k = _kernel("_O", "adam", "adam_step", size)
    h = f"h{n}[{gi}, "
    return [f"    {k}(p{j}, s{j}_0, s{j}_1, s{j}_2, s{j}_3, {h}11] != 0, {h}0], {h}1], {h}2], {h}3], {h}4], {h}5], "
            f"{h}6], {h}7], {h}9] != 0, {h}10] != 0, {h}8])"]


def _kernel(module: str, name: str, table_name: str, size: int) -> str:
    """The name the generated code calls: the serial or the threaded twin, as the backend would pick."""
    from ..kernels import numba_backend as NB

    threaded = size >= NB.THRESHOLDS[table_name][1] and NB.parallel_allowed()
    return f"{module}.{name}.{'parallel' if threaded else 'serial'}"


class _StepPlan:
    """The fused form of one optimiser ``step()``: which parameters, and the constants each run passes.

    ``h`` has one row of constants per parameter group, filled by ``prepare`` on every run (a scheduler may
    have changed the learning rate); ``prepare`` also finds the gradients and state arrays and returns
    None whenever the update must run as recorded instead (a missing gradient or state, ``maximize``).
    """

    def __init__(self, kind: str, obj: Any, leaf_of: dict) -> None:
        self.kind, self.obj = kind, obj
        self.params: list[tuple] = []  # (leaf index, tensor, group index)
        self.others: list = []  # parameters the step does not reach: the update runs as recorded if they have a grad
        for gi, group in enumerate(obj.param_groups):
            for p in group["params"]:
                j = leaf_of.get(id(p))
                if j is None:
                    if not hasattr(p, "_grad"):
                        raise Unsupported("an optimiser of Values")
                    self.others.append(p)
                else:
                    self.params.append((j, p, gi))
        if not self.params:
            raise Unsupported("an optimiser step over no parameter of the trace")
        self.h = np.zeros((len(obj.param_groups), 12), np.float64)
        self.keys: list = [None] * len(obj.param_groups)

    def sample(self) -> list:
        """(leaf index, arrays) of the kind ``prepare`` passes, from the state the traces left."""
        rows = []
        for j, p, gi in self.params:
            group = self.obj.param_groups[gi]
            d = p.data if p.data.ndim else p.data.reshape(1)
            st = self.obj.state.get(id(p)) or {}
            if self.kind == "sgd":
                rows.append((j, (d, st.get("momentum_buffer") if group["momentum"] else _absent(d.dtype))))
            else:
                if "exp_avg" not in st:
                    raise Unsupported("an Adam parameter without state")
                vmax = st.get("max_exp_avg_sq") if group["amsgrad"] else _absent(d.dtype)
                rows.append((j, (d, st["exp_avg"], st["exp_avg_sq"], vmax)))
            if any(a is None or a.dtype != d.dtype or not a.flags.c_contiguous for a in rows[-1][1]):
                raise Unsupported("optimiser state of another dtype")
        return rows

    def _constants(self, gi: int, group: dict, step: int) -> None:
        if self.kind == "sgd":
            key = (group["lr"], group["momentum"], group["dampening"], group["weight_decay"], group["nesterov"])
            if key != self.keys[gi]:
                lr, mom, damp, wd, nest = key
                self.h[gi, :8] = (lr, mom, 1 - damp, wd, bool(wd), bool(mom), bool(nest), 0)
                self.keys[gi] = key
            return
        key = (group["lr"], group["betas"], group["eps"], group["weight_decay"], group["amsgrad"], step)
        if key != self.keys[gi]:
            lr, (beta1, beta2), eps, wd, amsgrad, _ = key
            w = 1 - beta1  # the numbers numba_backend.adam_step passes
            self.h[gi] = (lr / (1 - beta1**step), 1 - w, w, beta2, 1 - beta2, (1 - beta2**step) ** 0.5, eps, wd,
                          1 - lr * wd, bool(wd), bool(self.obj.decoupled), bool(amsgrad))
            self.keys[gi] = key

    def prepare(self, fresh: tuple | None) -> list | None:
        """Gradient and state arrays in order (``h`` filled in), or None when this call must run as recorded.

        ``fresh``: the gradient arrays by leaf index when every one was just handed over as a new ``.grad``.
        """
        for p in self.others:
            if p._grad is not None:
                return None
        groups = self.obj.param_groups
        st_all = self.obj.state
        sgd = self.kind == "sgd"
        out = []
        steps: dict = {}
        for j, p, gi in self.params:
            group = groups[gi]
            if fresh is not None:
                g = fresh[j]
            else:
                gt = p._grad
                if gt is None:
                    return None
                g = gt.data
                d = p.data
                if g.shape != d.shape or g.dtype != d.dtype or not g.flags.c_contiguous:
                    return None
                if not g.ndim:
                    g = g.reshape(1)
            if group["maximize"]:
                return None
            st = st_all.get(id(p))
            if sgd:
                if group["momentum"]:
                    buf = st.get("momentum_buffer") if st else None
                    if buf is None or buf.shape != p.data.shape or buf.dtype != p.data.dtype \
                            or not buf.flags.c_contiguous:
                        return None
                    out += (g, buf)
                else:
                    out += (g, _absent(p.data.dtype))
            else:
                if not st or "exp_avg" not in st:
                    return None
                m, v = st["exp_avg"], st["exp_avg_sq"]
                vmax = st.get("max_exp_avg_sq") if group["amsgrad"] else _absent(p.data.dtype)
                if vmax is None or m.shape != p.data.shape or v.shape != m.shape or m.dtype != p.data.dtype \
                        or v.dtype != m.dtype or not (m.flags.c_contiguous and v.flags.c_contiguous):
                    return None
                step = st["step"] + 1
                if steps.setdefault(gi, step) != step:
                    return None  # parameters of one group at different steps: the recorded call handles it
                out += (g, m, v, vmax)
        for gi in range(len(groups)):
            self._constants(gi, groups[gi], steps.get(gi, 0))
        if not sgd:  # only now that nothing can fail: count the step, as Adam._update does
            for _, p, _ in self.params:
                st_all[id(p)]["step"] += 1
        return out


_ABSENT: dict = {}


def _garr(g: Any) -> np.ndarray:
    d = g.data
    return d if d.ndim else d.reshape(1)


def _absent(dt: np.dtype) -> np.ndarray:
    a = _ABSENT.get(dt)
    if a is None:
        a = _ABSENT[dt] = np.zeros(1, dt)
    return a


# ------------------------------------------------------------------ assembling the program


class FusedProgram:
    """A traced step as generated Numba segments and a Python driver (see the module docstring)."""

    def __init__(self, program: Any, flat: list, inline: bool = True) -> None:
        self.program = program
        b = _Builder(program, flat, inline)
        steps = program.steps
        backwards = [s for s in steps if s[0] == "backward"]
        if len(backwards) != 1:
            raise Unsupported("a step without exactly one backward()")
        ops = {s[4]: s for s in steps if s[0] == "op"}
        leaf_of = {id(t): j for j, t in enumerate(program.leaves)}
        self.calls: list[tuple] = []
        self.hoisted: list[int] = []
        self.step_plans: list[_StepPlan] = []
        delivered = fresh_ok = False
        for s in steps:
            if s[0] == "op":
                _, cls, refs, kw, k, _, _ = s
                _op_forward(b, cls, refs, kw, b.vals[k])
            elif s[0] == "backward":
                _, root, seed, retain, order = s
                seed = np.asarray(seed)
                if seed.size != 1:
                    raise Unsupported("backward() from a tensor with more than one element")
                g0 = b.grad_target(("val", root), set())[0]
                lit = float(seed.reshape(()))
                if not math.isfinite(lit):
                    raise Unsupported("a non-finite seed")
                b.code.seg([f"    {g0.name}[0] = {lit!r}"])
                seen: set = {("val", root)}
                for k, cls, _needs, positions, parents in order:
                    _, _, refs, kw, _, _, _ = ops[k]
                    ps = [(positions[i], ref) for i, ref in parents]
                    _op_backward(b, cls, refs, kw, b.vals[k], b.val_grads[k], ps, seen)
                b.code.py(["    fresh = _deliver()"])
                delivered = fresh_ok = True
            else:
                _, method, obj, args, kwargs = s
                rule = _optimizer_rule(obj, method, args, kwargs) if delivered else None
                i = len(self.calls)
                self.calls.append((method, obj, args, kwargs))
                if not delivered and method.__name__ == "zero_grad":
                    # it only touches .grad, which no op before the backward reads: run it first, so that the
                    # forward and the backward are one segment
                    self.hoisted.append(i)
                    continue
                if rule is None:
                    b.code.py([f"    _call({i})"])
                    fresh_ok = False  # the call may have changed a .grad
                    continue
                plan = _StepPlan(rule, obj, leaf_of)
                self.step_plans.append(plan)
                n = len(self.step_plans) - 1
                names = []
                for j, _, _ in plan.params:
                    names += [f"s{j}_{q}" for q in range(2 if rule == "sgd" else 4)]
                b.code.py([f"    st = _plans[{n}].prepare({'fresh' if fresh_ok else 'None'})",
                           "    if st is None:",
                           f"        _call({i})",
                           "    else:",
                           f"        {', '.join(names)}{',' if len(names) == 1 else ''} = "
                           "st",
                           f"        h{n} = _plans[{n}].h"])
                lines = []
                for j, t, gi in plan.params:
                    lines += (_sgd_lines if rule == "sgd" else _adam_lines)(j, n, t.data.size, gi)
                b.code.branch(lines)
        self.b = b
        self.result_ref = program.result
        if b.inline and b.products and max(b.products) > INLINE_MATMUL:
            raise _AllOnNumpy  # before anything is compiled
        self._assemble()

    def _assemble(self) -> None:
        import numba

        b = self.b
        # which names each segment reads or writes, in the order of first use
        known = [a.name for a in b.args.values()] + [a.name for a in b.leaves] + list(b.buffers) + \
            list(b.consts) + [a.name for a in b.leaf_grads.values()] + [a.name for a in b.arg_grads.values()] + \
            [f"h{n}" for n in range(len(self.step_plans))] + \
            [f"s{j}_{q}" for j in range(len(b.leaves)) for q in range(4)]
        seg_sources, driver = [], []
        for kind, lines in b.code.items:
            if kind in ("seg", "branch"):
                if not lines:
                    continue
                text = "\n".join(lines)
                used = [n for n in known if re.search(rf"\b{n}\b", text)]
                fname = f"seg{len(seg_sources)}"
                src = f"def {fname}({', '.join(used)}):\n{text}\n    return 0\n"
                seg_sources.append((fname, src, used))
                call = f"{fname}({', '.join(used)})"
                pad = "        " if kind == "branch" else "    "
                driver.append(f"{pad}err = {call}")
                driver.append(f"{pad}if err:")
                driver.append(f"{pad}    _fail(err)")
            else:
                driver.extend(lines)
        self.seg_sources = seg_sources
        samples = self._samples()
        namespace = _load(seg_sources)
        for fname, _src, used in seg_sources:
            disp = namespace[fname]
            try:  # compiled now, for the arrays it will get: a typing error means no fused replay, not a failed step
                disp.compile(tuple(numba.typeof(samples[n]) for n in used))
            except Exception as exc:
                raise Unsupported(f"the generated code did not compile: {type(exc).__name__}: {exc}") from None
        head = ["def _drive(flat):"]
        for i, a in b.args.items():
            strides = np.empty(a.ishape, a.dtype).strides
            head += [f"    x = flat[{i}]",
                     f"    {a.name} = x.data if type(x) is _Tensor else x"]
            if not a.shape:
                head.append(f"    {a.name} = {a.name}.reshape(1)")
            head += [f"    if {a.name}.strides != {strides!r}:",
                     f"        {a.name} = _contig({a.name})"]
        for j, a in enumerate(b.leaves):
            strides = np.empty(a.ishape, a.dtype).strides
            head += [f"    {a.name} = _L{j}.data",
                     f"    if {a.name}.shape != {a.shape!r} or {a.name}.dtype != _{a.dtype.name} or "
                     f"not _L{j}.requires_grad:",
                     "        return _MISS",
                     f"    if {a.name}.strides != {strides!r} and not {a.name}.flags.c_contiguous:",
                     "        return _MISS"]
            if not a.shape:
                head.append(f"    {a.name} = {a.name}.reshape(1)")
        for a in list(b.leaf_grads.values()) + list(b.arg_grads.values()):
            head.append(f"    {a.name} = _empty({a.ishape!r}, _{a.dtype.name})")
        head.append("    global _grads, _agrads")
        head.append("    _grads = (" + "".join(f"{a.name}, " for a in b.leaf_grads.values()) + ")")
        head.append("    _agrads = (" + "".join(f"{a.name}, " for a in b.arg_grads.values()) + ")")
        head += [f"    _call({i})" for i in self.hoisted]
        drive_src = "\n".join(head + driver + ["    return _out(flat)"]) + "\n"
        self.driver_source = drive_src
        dns: dict[str, Any] = {"np": np, "_empty": np.empty, "_matmul": np.matmul, "_float32": np.dtype(np.float32),
                               "_float64": np.dtype(np.float64), "_plans": self.step_plans, "_call": self._call,
                               "_fail": self._fail, "_deliver": self._deliver, "_Tensor": Tensor,
                               "_contig": np.ascontiguousarray, "_MISS": MISS, "_out": self._out}
        dns.update({f"_L{j}": t for j, t in enumerate(self.program.leaves)})
        dns.update(b.buffers)
        dns.update(b.consts)
        for fname, _, _ in seg_sources:
            dns[fname] = namespace[fname]
        exec(compile(drive_src, "<gradwork fused driver>", "exec"), dns)  # noqa: S102
        self._dns = dns
        self._drive_fn = dns["_drive"]
        self._leaf_list = [(j, self.program.leaves[j]) for j in b.leaf_grads]
        self._arg_list = list(b.arg_grads)
        self._fresh: list = [None] * len(self.program.leaves)
        self.flat: list = []

    def _samples(self) -> dict:
        """An array of every name's type (the arrays a run passes have the same dtypes, ranks and layout)."""
        b = self.b
        out: dict[str, Any] = dict(b.buffers)
        out.update(b.consts)
        for a in b.args.values():
            out[a.name] = np.empty(a.ishape, a.dtype)
        for a in b.leaves + list(b.leaf_grads.values()) + list(b.arg_grads.values()):
            out[a.name] = np.empty(a.ishape, a.dtype)
        for n, plan in enumerate(self.step_plans):
            out[f"h{n}"] = plan.h
            for j, arrays in plan.sample():
                for q, a in enumerate(arrays):
                    out[f"s{j}_{q}"] = a
        return out

    # ---------------------------------------------------------- run time
    def _call(self, i: int) -> None:
        method, obj, args, kwargs = self.calls[i]
        method(obj, *args, **kwargs)

    def _fail(self, err: int) -> None:
        raise ValueError(self.b.errors[err - 1])

    def _deliver(self) -> list | None:
        """Hand the gradients to the leaves as backward() does; the arrays by leaf index when each became a new
        ``.grad`` as it is (what an optimiser step right after may then read without looking)."""
        grads = self._dns["_grads"]
        fresh = self._fresh
        handed = True
        for (j, leaf), g in zip(self._leaf_list, grads):
            fresh[j] = g
            if leaf._grad is None and not leaf._hooks and leaf.requires_grad:
                leaf._grad = _make(g if leaf.data.ndim else g.reshape(()))
            else:
                leaf._gacc = g if leaf.data.ndim else g.reshape(())
                leaf._deliver()
                handed = False
        flat = self.flat
        for i, g in zip(self._arg_list, self._dns["_agrads"]):
            t = flat[i]
            t._gacc = g.reshape(t.data.shape)
            t._deliver()
        return fresh if handed else None

    def run(self, flat: list) -> Any:
        """The step's result, or ``MISS`` when a parameter changed (shape, dtype, layout): then trace again."""
        self.flat = flat
        return self._drive_fn(flat)

    def _out(self, flat: list) -> Any:
        return self._output(self.result_ref, flat)

    def _output(self, ref: Any, flat: list) -> Any:
        kind = ref[0]
        if kind == "none":
            return None
        if kind == "seq":
            return ref[1](self._output(r, flat) for r in ref[2])
        if kind == "val":
            v = self.b.vals[ref[1]]
            return Tensor._make(self.b.buffers[v.name].reshape(v.shape).copy())
        if kind == "leaf":
            return self.program.leaves[ref[1]]
        if kind == "targ":
            return flat[ref[1]]
        return ref[1]

    def source(self) -> str:
        parts = [src for _, src, _ in self.seg_sources]
        return "\n".join(parts) + "\n" + self.driver_source


_HEADER = """# generated by gradwork's autograd.compile (autograd/compile/fused.py): one traced step's Numba segments
import math

import numpy as np
from numba import njit

from autograd.kernels import jit_matmul as _M
from autograd.kernels import jit_optim as _O
from autograd.kernels import jit_rows as _W
"""


def _digest(text: str) -> str:
    import hashlib

    here = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha1(text.encode())
    kernels = ("jit.py", "jit_exp.py", "jit_matmul.py", "jit_optim.py", "jit_rows.py")
    for rel in ("fused.py",) + tuple(os.path.join("..", "kernels", k) for k in kernels):
        try:  # a changed rule or kernel gets fresh files, so Numba's cache never serves stale machine code
            with open(os.path.join(here, rel), "rb") as f:
                h.update(f.read())
        except OSError:
            pass
    import numba

    h.update(numba.__version__.encode())
    return h.hexdigest()[:20]


def cache_dir() -> str | None:
    """Where generated modules (and Numba's cache of them) are kept: ``GRADWORK_CACHE_DIR``, else the user cache."""
    d = os.environ.get("GRADWORK_CACHE_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "gradwork", "fused")
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        st = os.stat(d)
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return None  # someone else's folder: do not import code from it
        return d if os.access(d, os.W_OK) else None
    except OSError:
        return None


def _load(seg_sources: list) -> dict:
    """The segments as Numba dispatchers: from a module file in the cache folder (so Numba's own disk cache
    serves later processes), or, where no folder can be written, from source in memory (compiled each process)."""
    import importlib.util

    body = "".join(f"\n\n@njit(cache=True, error_model=\"numpy\")\n{src}" for _, src, _ in seg_sources)
    text = _HEADER + body
    d = cache_dir()
    if d is not None:
        name = f"gradwork_fused_{_digest(text)}"
        path = os.path.join(d, name + ".py")
        try:
            ok = False
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    ok = f.read() == text
            if not ok:
                tmp = f"{path}.{os.getpid()}.tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, path)
            spec = importlib.util.spec_from_file_location(name, path)
            module = sys.modules.get(name)
            if module is None:
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module  # Numba's cache finds a function's globals through its module's name
                spec.loader.exec_module(module)
            return vars(module)
        except OSError:
            pass
    namespace: dict[str, Any] = {}
    exec(compile(text.replace("cache=True", "cache=False"), "<gradwork fused>", "exec"), namespace)  # noqa: S102
    return namespace


_make = Tensor._make


def build(program: Any, flat: list) -> FusedProgram | None:
    """The fused form of ``program``, or None when it has something without a rule.

    Products go inside the segments only when every product of the step is small: a step with large ones
    runs them all on numpy's BLAS, since two BLAS thread pools (numpy's and SciPy's, which Numba calls)
    spinning side by side slow each other down.
    """
    try:
        try:
            return FusedProgram(program, flat)
        except _AllOnNumpy:
            return FusedProgram(program, flat, inline=False)
    except Unsupported:
        return None
