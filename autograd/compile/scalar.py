"""Compiling a scalar-mode (``Value``) graph: the traced graph as a tape that one Numba loop runs.

A traced ``Value`` graph becomes four flat arrays: an op code per node, the
node's parents (as positions in one index array), and a constant (an
exponent). ``run_tape`` computes every node's value from its parents in
topological order, then every gradient in reverse order, exactly as
``Value``'s own rules do, with no Python objects on the way. The leaves that
existed before the traced call are the parameters: each call reads their
``data`` and adds into their ``grad``; leaves made during the call are
constants of the trace. ``source()`` writes the same computation out as
straight-line Python, one line a node, for reading (a 38,000-node graph as
straight-line code would take Numba minutes to compile; the tape compiles
once, in seconds, for every graph).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import topological_order
from ..value import Value

__all__ = ["ScalarProgram", "UnsupportedOp", "OPS"]

LEAF, ADD, SUM, MUL, SUB, DIV, POW, POWC, NEG, EXP, LOG, TANH, SIGMOID, RELU, SQRT = range(15)
OPS = {"+": ADD, "sum": SUM, "*": MUL, "-": SUB, "/": DIV, "**": POW, "neg": NEG, "exp": EXP, "log": LOG,
       "tanh": TANH, "sigmoid": SIGMOID, "relu": RELU, "ReLU": RELU, "sqrt": SQRT}
_TEXT = {ADD: "{0} + {1}", MUL: "{0} * {1}", SUB: "{0} - {1}", DIV: "{0} / {1}", POW: "{0} ** {1}",
         NEG: "-{0}", EXP: "exp({0})", LOG: "log({0})", TANH: "tanh({0})", SIGMOID: "sigmoid({0})",
         RELU: "relu({0})", SQRT: "sqrt({0})"}


class UnsupportedOp(Exception):
    """A node whose op the tape has no rule for."""


def _tape_py(op, start, count, args, const, vals, grads, root, seed):  # noqa: ANN001 - numba arrays
    n = op.shape[0]
    for i in range(n):
        o = op[i]
        if o == 0:
            continue
        s = start[i]
        a = vals[args[s]]
        if o == 1:
            vals[i] = a + vals[args[s + 1]]
        elif o == 2:
            acc = 0.0
            for k in range(count[i]):
                acc += vals[args[s + k]]
            vals[i] = acc
        elif o == 3:
            vals[i] = a * vals[args[s + 1]]
        elif o == 4:
            vals[i] = a - vals[args[s + 1]]
        elif o == 5:
            vals[i] = a / vals[args[s + 1]]
        elif o == 6:
            vals[i] = a ** vals[args[s + 1]]
        elif o == 7:
            vals[i] = a ** const[i]
        elif o == 8:
            vals[i] = -a
        elif o == 9:
            vals[i] = math.exp(a)
        elif o == 10:
            vals[i] = math.log(a)
        elif o == 11:
            vals[i] = math.tanh(a)
        elif o == 12:
            vals[i] = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        elif o == 13:
            vals[i] = a if a > 0 else 0.0
        elif o == 14:
            vals[i] = math.sqrt(a)
    for i in range(n):
        grads[i] = 0.0
    grads[root] = seed
    for i in range(n - 1, -1, -1):
        o = op[i]
        g = grads[i]
        if o == 0 or g == 0.0:
            continue
        s = start[i]
        p = args[s]
        a = vals[p]
        if o == 1:
            grads[p] += g
            grads[args[s + 1]] += g
        elif o == 2:
            for k in range(count[i]):
                grads[args[s + k]] += g
        elif o == 3:
            q = args[s + 1]
            grads[p] += vals[q] * g
            grads[q] += a * g
        elif o == 4:
            grads[p] += g
            grads[args[s + 1]] -= g
        elif o == 5:
            q = args[s + 1]
            b = vals[q]
            grads[p] += g / b
            grads[q] -= a / (b * b) * g
        elif o == 6:
            q = args[s + 1]
            b = vals[q]
            grads[p] += b * a ** (b - 1.0) * g
            if a > 0:
                grads[q] += vals[i] * math.log(a) * g
            elif not (a == 0 and b > 0):
                grads[q] += math.nan
        elif o == 7:
            c = const[i]
            grads[p] += c * a ** (c - 1.0) * g
        elif o == 8:
            grads[p] -= g
        elif o == 9:
            grads[p] += vals[i] * g
        elif o == 10:
            grads[p] += g / a
        elif o == 11:
            y = vals[i]
            grads[p] += (1.0 - y * y) * g
        elif o == 12:
            y = vals[i]
            grads[p] += y * (1.0 - y) * g
        elif o == 13:
            if a > 0:
                grads[p] += g
        elif o == 14:
            y = vals[i]
            grads[p] += (0.5 / y if y > 0 else math.inf) * g


_kernels: dict[str, Any] = {}


def run_tape(*arrays: Any) -> None:
    """The tape's forward and backward: the loop in Python on the numpy backend, compiled by Numba on numba's."""
    from .. import backend

    if backend.get_backend() != "numba":
        _tape_py(*arrays)
        return
    fn = _kernels.get("tape")
    if fn is None:
        import numba

        fn = _kernels["tape"] = numba.njit(cache=True, nogil=True)(_tape_py)
    fn(*arrays)


class ScalarProgram:
    """A traced ``Value`` graph, ready to run again on the parameters' current values."""

    def __init__(self, root: Value, start_seq: int) -> None:
        order = topological_order([root])
        index = {id(v): i for i, v in enumerate(order)}
        n = len(order)
        op = np.zeros(n, dtype=np.int64)
        start = np.zeros(n, dtype=np.int64)
        count = np.zeros(n, dtype=np.int64)
        const = np.zeros(n, dtype=np.float64)
        args: list[int] = []
        self.params: list[tuple[int, Value]] = []
        self.constants: list[float] = []
        vals = np.zeros(n, dtype=np.float64)
        for i, v in enumerate(order):
            vals[i] = v.data
            if not v._parents:
                if v._seq < start_seq:
                    self.params.append((i, v))
                continue
            code = OPS.get(v.op)
            if code is None and v.op.startswith("**") and len(v._parents) == 1:
                code = POWC
                try:
                    const[i] = float(v.op[2:])
                except ValueError:
                    raise UnsupportedOp(v.op) from None
                if v._parents[0].data ** const[i] != v.data and not math.isnan(v.data):
                    raise UnsupportedOp(f"{v.op} (its exponent is not shown exactly)")
            if code is None or getattr(v, "_custom", None) is not None or v._local == "custom":
                raise UnsupportedOp(v.op or "a node built by hand")
            op[i] = code
            start[i] = len(args)
            count[i] = len(v._parents)
            args.extend(index[id(p)] for p in v._parents)
        self.op, self.start, self.count, self.const = op, start, count, const
        self.args = np.asarray(args if args else [0], dtype=np.int64)
        self.vals = vals  # constants keep their traced values; parameters are read at every run
        self.grads = np.zeros(n, dtype=np.float64)
        self.root = index[id(root)]
        self.n = n
        self.leaf_values = {i: float(vals[i]) for i in range(n) if op[i] == LEAF}

    def same_as(self, other: "ScalarProgram") -> str | None:
        """None when a second trace gave the same tape and constants; else what differs."""
        if self.n != other.n or not (np.array_equal(self.op, other.op) and np.array_equal(self.args, other.args)
                                     and np.array_equal(self.const, other.const)):
            return "the two traces built different graphs (Python control flow that depends on data)"
        if [v for _, v in self.params] != [v for _, v in other.params]:
            return "the two traces used different parameters"
        params = {i for i, _ in self.params}
        for i, x in self.leaf_values.items():
            y = other.leaf_values[i]
            if i not in params and not (x == y or (x != x and y != y)):
                return (f"a constant leaf of the graph (node {i}) differs between the traces: something computed in "
                        "Python from the data, or a random number")
        return None

    def run(self, seed: float = 1.0) -> float:
        vals = self.vals
        for i, p in self.params:
            vals[i] = p.data
        run_tape(self.op, self.start, self.count, self.args, self.const, vals, self.grads, self.root, float(seed))
        grads = self.grads
        for i, p in self.params:
            p.grad += grads[i]
        return float(vals[self.root])

    def source(self, limit: int = 200) -> str:
        """The computation as straight-line Python: forward then backward, one line a node (first ``limit``)."""
        name = {i: f"p{k}" for k, (i, _) in enumerate(self.params)}
        fwd, bwd = [], []
        for i in range(self.n):
            o = int(self.op[i])
            if o == LEAF:
                if i not in name:
                    name[i] = repr(float(self.vals[i]))
                continue
            name[i] = f"v{i}"
            ps = [name[int(self.args[self.start[i] + k])] for k in range(int(self.count[i]))]
            if o == SUM:
                expr = " + ".join(ps)
            elif o == POWC:
                expr = f"{ps[0]} ** {float(self.const[i])!r}"
            else:
                expr = _TEXT[o].format(*ps)
            fwd.append(f"v{i} = {expr}")
        bwd.append(f"g{self.root} = 1.0")
        for i in range(self.n - 1, -1, -1):
            o = int(self.op[i])
            if o == LEAF:
                continue
            ps = [int(self.args[self.start[i] + k]) for k in range(int(self.count[i]))]
            g = f"g{i}"
            terms = _backward_terms(o, i, ps, name, g, float(self.const[i]))
            for k, expr in terms:
                target = ps[k]
                if self.op[target] == LEAF and target not in {j for j, _ in self.params}:
                    continue  # constants need no gradient
                label = f"g_{name[target]}" if self.op[target] == LEAF else f"g{target}"
                bwd.append(f"{label} += {expr}")
        lines = ["# forward"] + fwd + ["# backward"] + bwd
        more = len(lines) - limit
        return "\n".join(lines[:limit] + ([f"# ... {more} more lines"] if more > 0 else []))


def _backward_terms(o: int, i: int, ps: list, name: dict, g: str, c: float) -> list[tuple[int, str]]:
    """(parent position, the gradient it receives) of node ``i`` with op code ``o``, as Python text."""
    if o in (ADD, SUM):
        return [(k, g) for k in range(len(ps))]
    if o == MUL:
        return [(0, f"{name[ps[1]]} * {g}"), (1, f"{name[ps[0]]} * {g}")]
    if o == SUB:
        return [(0, g), (1, f"-{g}")]
    if o == DIV:
        return [(0, f"{g} / {name[ps[1]]}"), (1, f"-{name[ps[0]]} / {name[ps[1]]}**2 * {g}")]
    if o == POW:
        return [(0, f"{name[ps[1]]} * {name[ps[0]]} ** ({name[ps[1]]} - 1) * {g}"),
                (1, f"v{i} * log({name[ps[0]]}) * {g}")]
    if o == POWC:
        return [(0, f"{c!r} * {name[ps[0]]} ** {c - 1!r} * {g}")]
    single = {NEG: f"-{g}", EXP: f"v{i} * {g}", LOG: f"{g} / {name[ps[0]]}", TANH: f"(1 - v{i}**2) * {g}",
              SIGMOID: f"v{i} * (1 - v{i}) * {g}", RELU: f"({name[ps[0]]} > 0) * {g}", SQRT: f"0.5 / v{i} * {g}"}
    return [(0, single[o])]
