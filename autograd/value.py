"""Scalar mode: one ``Value`` per number, every operation a node of the graph.

Each operation computes its result and, in the same few lines, the local
derivative of the result with respect to each input. Those derivatives are
plain floats stored on the result (``_local``), so backward is
``parent.grad += local * node.grad`` and no closure ties a node to itself.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Callable, Iterable

from . import anomaly, engine
from .engine import next_seq
from .tracing import state as _trace

Number = float | int
# ``_local`` holds the local derivatives d node / d parent as floats, or one of two markers that
# save a tuple per node on the two commonest ops: every derivative 1 (add, sum), or a product
# a * b whose derivatives are the other factor.
_ONES = "ones"
_PRODUCT = "product"
_CUSTOM = "custom"  # a node built by hand, micrograd's way: its own _backward closure, if it sets one
_SUB = (1.0, -1.0)
_NEG = (-1.0,)
_ONE = (1.0,)
_ZERO = (0.0,)
fsum_fast = sum  # left-to-right float sum, like a chain of +
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_K = 0.044715  # the cubic term of the tanh form of GELU
GELU_APPROXIMATIONS = ("none", "tanh")  # exact (erf), or torch's tanh form


def _exp(x: float) -> float:
    """exp(x), overflowing to inf like numpy instead of raising OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _logistic(a: float) -> float:
    """1 / (1 + e**-a), from the side where e**x cannot overflow: exactly 0 or 1 far out."""
    if a >= 0:
        return 1.0 / (1.0 + _exp(-a))
    e = _exp(a)
    return e / (1.0 + e)


def _pow(a: float, b: float) -> float:
    """a ** b with numpy's float semantics: inf on overflow, nan for a negative base to a fractional power."""
    try:
        r = a**b
    except OverflowError:
        if a < 0 and float(b).is_integer() and int(b) % 2 == 1:
            return -math.inf
        return math.inf
    except ZeroDivisionError:
        # 0.0 ** negative: numpy gives inf (with the sign of zero for odd integer powers)
        if float(b).is_integer() and int(b) % 2 == 1 and math.copysign(1.0, a) < 0:
            return -math.inf
        return math.inf
    if isinstance(r, complex):
        return math.nan
    return r


def _float(x: object, op: str) -> float:
    if isinstance(x, Real):
        return float(x)
    # numpy scalars and 0-d arrays
    try:
        import numpy as np

        if isinstance(x, np.ndarray) and x.size == 1 and x.dtype.kind in "fiub":
            return float(x.reshape(()))
        if isinstance(x, np.generic) and x.dtype.kind in "fiub":
            return float(x)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    raise TypeError(
        f"Value {op}: expected a real number or a Value, got {type(x).__name__} ({x!r:.60}); "
        "convert it with float() first"
    )


def _nothing() -> None:
    """The ``_backward`` of a node built by hand without one (micrograd's default)."""


def _check_forward(out: "Value") -> None:
    """Under detect_anomaly: AnomalyError if ``out`` is NaN/inf while every input is finite."""
    x = out.data
    if math.isfinite(x) or not all(math.isfinite(p.data) for p in out._parents):
        return
    inputs = ", ".join(f"{p.data:.6g}" for p in out._parents)
    raise anomaly.AnomalyError(
        f"Value {out.op} produced {'NaN' if x != x else 'inf'} in its forward pass at {anomaly.user_frame()} "
        f"(inputs: {inputs})"
    )


def _check_backward(node: "Value", g: float) -> None:
    """Under detect_anomaly: AnomalyError if a gradient ``node`` passes back is NaN/inf from a finite g and inputs."""
    if not math.isfinite(g) or not all(math.isfinite(p.data) for p in node._parents):
        return
    for i, d in enumerate(node.local_grads()):
        contribution = d * g
        if not math.isfinite(contribution):
            inputs = ", ".join(f"{p.data:.6g}" for p in node._parents)
            raise anomaly.AnomalyError(
                f"Value {node.op} produced {'NaN' if contribution != contribution else 'inf'} in its backward pass "
                f"(gradient of input {i}: local derivative {d:.6g} times incoming gradient {g:.6g}; inputs: {inputs})"
            )


class Value:
    """A scalar that remembers how it was computed, so ``backward()`` can fill in ``grad``."""

    __slots__ = ("data", "grad", "label", "op", "_parents", "_local", "_seq", "_gacc", "_custom", "__weakref__")

    def __init__(self, data: Number, _children: tuple = (), _op: str = "", label: str = "") -> None:
        """A leaf, or (micrograd's way of adding an op) a node built by hand from ``_children``.

        A hand-built node passes gradient back only through the ``_backward``
        closure you give it, written as micrograd's are: it reads ``out.grad``
        and adds into each child's ``grad``. Arguments are in micrograd's order.
        """
        self.data = data if type(data) is float else _float(data, "constructor")
        self.grad = 0.0
        self.label = label if isinstance(label, str) else str(label)
        self.op = _op if isinstance(_op, str) else str(_op)
        self._seq = next_seq()
        self._gacc = 0.0
        self._custom = None
        if type(_children) is tuple and not _children:  # a leaf, the common case: nothing to check
            children: tuple = ()
        else:
            children = () if isinstance(_children, str) else tuple(_children)
            if (isinstance(_children, str) and _children) or not all(type(c) is Value for c in children):
                raise TypeError(
                    f"Value: _children must be the Values a hand-built node was computed from, got {_children!r:.60}; "
                    "to name a value pass label=..., as in Value(2.0, label='a')"
                )
        self._parents = children
        self._local: tuple | str = _CUSTOM if children else _ONES

    # a node is built directly, without going through __init__'s checks
    @staticmethod
    def _node(data: float, parents: tuple, local: tuple, op: str) -> "Value":
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out.op = op
        out._parents = parents
        out._local = local
        out._seq = next_seq()
        out._gacc = 0.0
        if _anomaly_any and _anomaly_local.depth:
            _check_forward(out)
        return out

    @property
    def parents(self) -> tuple:
        """The Values this one was computed from, in argument order."""
        return self._parents

    # micrograd's names, so its scripts and drawings work unchanged
    @property
    def _prev(self) -> set:
        return set(self._parents)

    @property
    def _op(self) -> str:
        return self.op

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's one step of backprop at this node: each input's ``grad`` += local derivative * ``grad``.

        Call it by hand, output first, to walk a graph the way the micrograd
        lecture does (``backward()`` does the whole walk for you). Assign a
        closure to a node built by hand to define its backward.
        """
        if self._local is _CUSTOM:
            return self._custom if self._custom is not None else _nothing

        def step() -> None:
            for parent, d in zip(self._parents, self.local_grads()):
                parent.grad += d * self.grad

        return step

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        if not callable(fn):
            raise TypeError(f"Value._backward must be a function of no arguments, got {type(fn).__name__}")
        self._custom = fn
        self._local = _CUSTOM

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other: "Value | Number") -> "Value":
        """a + b; d/da = 1, d/db = 1."""
        if type(other) is not Value:
            other = Value(_float(other, "+"))
        out = _new(Value)
        out.data = self.data + other.data
        out.grad = 0.0
        out.label = ""
        out.op = "+"
        out._parents = (self, other)
        out._local = _ONES
        out._seq = next_seq()
        out._gacc = 0.0
        if _anomaly_any and _anomaly_local.depth:
            _check_forward(out)
        return out

    def __mul__(self, other: "Value | Number") -> "Value":
        """a * b; d/da = b, d/db = a."""
        if type(other) is not Value:
            other = Value(_float(other, "*"))
        out = _new(Value)
        a = self.data
        b = other.data
        out.data = a * b
        out.grad = 0.0
        out.label = ""
        out.op = "*"
        out._parents = (self, other)
        out._local = _PRODUCT
        out._seq = next_seq()
        out._gacc = 0.0
        if _anomaly_any and _anomaly_local.depth:
            _check_forward(out)
        return out

    def __pow__(self, other: "Value | Number") -> "Value":
        """a ** b; d/da = b * a**(b-1), d/db = a**b * log(a) (for a > 0)."""
        a = self.data
        if type(other) is Value:
            b = other.data
            out = _pow(a, b)
            db = out * math.log(a) if a > 0 else (0.0 if a == 0 and b > 0 else math.nan)
            return Value._node(out, (self, other), (b * _pow(a, b - 1), db), "**")
        b = _float(other, "**")
        label = f"**{other}" if type(other) in (int, float) else f"**{b:g}"  # micrograd's: '**2', '**-1', '**0.5'
        return Value._node(_pow(a, b), (self,), (b * _pow(a, b - 1),), label)

    def __rpow__(self, other: Number) -> "Value":
        """c ** a; d/da = c**a * log(c)."""
        return Value(_float(other, "**")) ** self

    def __neg__(self) -> "Value":
        """-a; d/da = -1."""
        return Value._node(-self.data, (self,), _NEG, "neg")

    def __sub__(self, other: "Value | Number") -> "Value":
        """a - b; d/da = 1, d/db = -1."""
        if type(other) is not Value:
            other = Value(_float(other, "-"))
        return Value._node(self.data - other.data, (self, other), _SUB, "-")

    def __rsub__(self, other: Number) -> "Value":
        return Value(_float(other, "-")) - self

    def __truediv__(self, other: "Value | Number") -> "Value":
        """a / b; d/da = 1/b, d/db = -a/b**2."""
        if type(other) is not Value:
            other = Value(_float(other, "/"))
        b = other.data
        if b == 0.0:
            raise ZeroDivisionError(f"Value /: division of {self.data!r} by zero; add a small epsilon to the divisor")
        return Value._node(self.data / b, (self, other), (1.0 / b, -self.data / (b * b)), "/")

    def __rtruediv__(self, other: Number) -> "Value":
        return Value(_float(other, "/")) / self

    __radd__ = __add__
    __rmul__ = __mul__

    # ------------------------------------------------------------ elementwise
    def exp(self) -> "Value":
        """e**a; d/da = e**a."""
        out = _exp(self.data)
        return Value._node(out, (self,), (out,), "exp")

    def log(self) -> "Value":
        """ln a; d/da = 1/a. Outside the domain it follows numpy, as tensor mode does: log(0) = -inf
        (d/da = inf), log(a < 0) = nan (d/da = 1/a); ``detect_anomaly()`` stops at either."""
        a = self.data
        if a > 0:
            return Value._node(math.log(a), (self,), (1.0 / a,), "log")
        if a == 0:
            return Value._node(-math.inf, (self,), (math.copysign(math.inf, a),), "log")
        return Value._node(math.nan, (self,), (1.0 / a if a == a else math.nan,), "log")

    def sqrt(self) -> "Value":
        """sqrt(a); d/da = 1 / (2 sqrt(a)). Like numpy and tensor mode, sqrt(a < 0) = nan (so is d/da)."""
        a = self.data
        if not a >= 0:
            return Value._node(math.nan, (self,), (math.nan,), "sqrt")
        out = math.sqrt(a)
        return Value._node(out, (self,), (0.5 / out if out > 0 else math.copysign(math.inf, out),), "sqrt")

    def tanh(self) -> "Value":
        """tanh(a); d/da = 1 - tanh(a)**2."""
        out = math.tanh(self.data)
        return Value._node(out, (self,), (1.0 - out * out,), "tanh")

    def sigmoid(self) -> "Value":
        """s = 1 / (1 + e**-a); d/da = s (1 - s). Exact limits for large |a|."""
        out = _logistic(self.data)
        return Value._node(out, (self,), (out * (1.0 - out),), "sigmoid")

    def relu(self) -> "Value":
        """max(0, a); d/da = 1 if a > 0 else 0."""
        a = self.data
        if a > 0:
            return Value._node(a, (self,), _ONE, "ReLU")  # micrograd's label
        return Value._node(0.0, (self,), _ZERO, "ReLU")

    def leaky_relu(self, slope: float = 0.01) -> "Value":
        """a if a > 0 else slope * a; d/da = 1 or slope."""
        a = self.data
        slope = _float(slope, "leaky_relu")
        return Value._node(a if a > 0 else slope * a, (self,), (1.0 if a > 0 else slope,), "leaky_relu")

    def elu(self, alpha: float = 1.0) -> "Value":
        """a if a > 0 else alpha (e**a - 1); d/da = 1 or alpha e**a."""
        a = self.data
        alpha = _float(alpha, "elu")
        if a > 0:
            return Value._node(a, (self,), (1.0,), "elu")
        e = math.exp(a)
        return Value._node(alpha * (e - 1.0), (self,), (alpha * e,), "elu")

    def step(self) -> "Value":
        """Binary threshold: 1 if a >= 0 else 0; derivative 0 (it does not pass gradient)."""
        return Value._node(1.0 if self.data >= 0 else 0.0, (self,), (0.0,), "step")

    def abs(self) -> "Value":
        """|a|; d/da = sign(a) (0 at 0)."""
        a = self.data
        return Value._node(abs(a), (self,), ((a > 0) - (a < 0) + 0.0,), "abs")

    __abs__ = abs

    def softplus(self) -> "Value":
        """log(1 + e**a); d/da = sigmoid(a). Stable for large |a|."""
        a = self.data
        out = max(a, 0.0) + math.log1p(_exp(-abs(a)))
        return Value._node(out, (self,), (_logistic(a),), "softplus")

    def sin(self) -> "Value":
        """sin a; d/da = cos a."""
        a = self.data
        return Value._node(math.sin(a), (self,), (math.cos(a),), "sin")

    def cos(self) -> "Value":
        """cos a; d/da = -sin a."""
        a = self.data
        return Value._node(math.cos(a), (self,), (-math.sin(a),), "cos")

    def erf(self) -> "Value":
        """erf a; d/da = 2/sqrt(pi) e**(-a**2)."""
        a = self.data
        return Value._node(math.erf(a), (self,), (_TWO_OVER_SQRT_PI * math.exp(-a * a),), "erf")

    def silu(self) -> "Value":
        """a sigmoid(a) (SiLU, swish); d/da = s (1 + a (1 - s)). Exact limits for large |a|."""
        a = self.data
        s = _logistic(a)
        return Value._node(a * s, (self,), (s * (1.0 + a * (1.0 - s)),), "silu")

    def gelu(self, approximate: str = "none") -> "Value":
        """a Phi(a), Phi the standard normal CDF; d/da = Phi(a) + a phi(a) (``approximate="tanh"``: torch's formula)."""
        a = self.data
        if approximate == "tanh":
            t = math.tanh(_SQRT_2_OVER_PI * (a + _GELU_K * a * a * a))
            d = 0.5 * (1.0 + t) + 0.5 * _SQRT_2_OVER_PI * a * (1.0 - t * t) * (1.0 + 3 * _GELU_K * a * a)
            return Value._node(0.5 * a * (1.0 + t), (self,), (d,), "gelu")
        if approximate not in GELU_APPROXIMATIONS:
            raise ValueError(f"Value.gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        cdf = 0.5 * (1.0 + math.erf(a * _SQRT_HALF))
        return Value._node(a * cdf, (self,), (cdf + a * math.exp(-0.5 * a * a) * _INV_SQRT_2PI,), "gelu")

    def identity(self) -> "Value":
        """a; d/da = 1 (the linear activation)."""
        return Value._node(self.data, (self,), (1.0,), "identity")

    @staticmethod
    def sum(values: Iterable["Value | Number"], start: "Value | Number" = 0.0) -> "Value":
        """One node for a + b + c + ...; d/dx_i = 1 for every term."""
        terms = tuple(values)
        datas = [t.data if type(t) is Value else None for t in terms]
        if None in datas:
            terms = tuple(t if type(t) is Value else Value(_float(t, "sum")) for t in terms)
            datas = [t.data for t in terms]
        if type(start) is Value:
            terms += (start,)
            datas.append(start.data)
        elif _float(start, "sum") != 0.0:
            start = Value(_float(start, "sum"))
            terms += (start,)
            datas.append(start.data)
        out = _new(Value)
        out.data = fsum_fast(datas)
        out.grad = 0.0
        out.label = ""
        out.op = "sum"
        out._parents = terms
        out._local = _ONES
        out._seq = next_seq()
        out._gacc = 0.0
        if _anomaly_any and _anomaly_local.depth:
            _check_forward(out)
        return out

    @staticmethod
    def dot(ws: Iterable["Value"], xs: Iterable["Value | Number"]) -> "Value":
        """sum_i w_i * x_i as n multiply nodes and one sum node."""
        return Value.sum(w * x for w, x in zip(ws, xs))

    # ------------------------------------------------------------- comparisons
    def _cmp_data(self, other: object) -> float:
        return other.data if type(other) is Value else _float(other, "comparison")

    def __lt__(self, other: "Value | Number") -> bool:
        return self.data < self._cmp_data(other)

    def __le__(self, other: "Value | Number") -> bool:
        return self.data <= self._cmp_data(other)

    def __gt__(self, other: "Value | Number") -> bool:
        return self.data > self._cmp_data(other)

    def __ge__(self, other: "Value | Number") -> bool:
        return self.data >= self._cmp_data(other)

    __hash__ = object.__hash__

    def __float__(self) -> float:
        return float(self.data)

    def item(self) -> float:
        return self.data

    # --------------------------------------------------------------- backward
    def backward(self, grad: float = 1.0, retain_graph: bool = True) -> None:
        """Fill in ``grad`` of every node this value depends on (d self / d node), accumulating."""
        rec = _trace.recorder
        if rec is not None:  # autograd.compile is recording
            rec.value_backward(self, _float(grad, "backward"))
        engine.backward([self], [_float(grad, "backward")], retain_graph=retain_graph)
        if rec is not None:
            rec.after_backward()

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this value and everything it was computed from."""
        for node in engine.topological_order([self]):
            node.grad = 0.0

    # engine protocol (see autograd.engine)
    def _propagate(self, create_graph: bool, retain_graph: bool) -> None:
        if create_graph:
            raise NotImplementedError(
                "Value.backward: create_graph is supported in tensor mode only; use Tensor for higher derivatives"
            )
        g = self._gacc
        if not g:
            return
        local = self._local
        if local is _PRODUCT:
            a, b = self._parents
            a._gacc += b.data * g
            b._gacc += a.data * g
        elif local is _ONES:
            for parent in self._parents:
                parent._gacc += g
        elif local is _CUSTOM:
            self._run_custom(g)
        else:
            for parent, d in zip(self._parents, local):
                parent._gacc += d * g
        if _anomaly_any and _anomaly_local.depth:
            _check_backward(self, g)

    @staticmethod
    def _propagate_all(order: list) -> None:
        """``_propagate`` of every node of ``order``, latest first, in one loop: the walk's inner step for a
        graph of Values, with the two commonest rules (a product, a sum) written out."""
        if _anomaly_any and _anomaly_local.depth:  # each node checked on its way: the per-node rule
            for node in reversed(order):
                if node._parents:
                    node._propagate(False, False)
            return
        for node in reversed(order):
            parents = node._parents
            if not parents:
                continue
            g = node._gacc
            if not g:
                continue
            local = node._local
            if local is _PRODUCT:
                a, b = parents
                a._gacc += b.data * g
                b._gacc += a.data * g
            elif local is _ONES:
                for parent in parents:
                    parent._gacc += g
            elif local is _CUSTOM:
                node._run_custom(g)
            else:
                for parent, d in zip(parents, local):
                    parent._gacc += d * g

    @staticmethod
    def _deliver_all(order: list) -> None:
        """``_deliver`` of every node: each Value keeps its gradient in ``grad``, as micrograd's do."""
        for node in order:
            node.grad += node._gacc
            node._gacc = 0.0

    def _run_custom(self, g: float) -> None:
        """Run a hand-written ``_backward`` with ``grad`` = g and the inputs' ``grad`` at 0; add what it
        wrote into each input's ``_gacc``, and put every ``grad`` back as it was."""
        fn = self._custom
        if fn is None:
            return  # built by hand without a _backward: like micrograd, nothing flows back
        inputs = tuple(dict.fromkeys(self._parents))  # an input used twice is one Value with one grad
        kept = [v.grad for v in inputs]
        own = self.grad
        for v in inputs:
            v.grad = 0.0
        self.grad = g
        try:
            fn()
        finally:
            self.grad = own
            for v, k in zip(inputs, kept):
                v._gacc += v.grad
                v.grad = k

    def local_grads(self) -> tuple:
        """d self / d parent for each parent, as floats (what backward multiplies by)."""
        local = self._local
        if local is _PRODUCT:
            a, b = self._parents
            return (b.data, a.data)
        if local is _ONES:
            return (1.0,) * len(self._parents)
        if local is _CUSTOM:  # ask the hand-written _backward what it passes back for grad = 1
            inputs = tuple(dict.fromkeys(self._parents))
            kept = [v._gacc for v in inputs]
            for v in inputs:
                v._gacc = 0.0
            try:
                self._run_custom(1.0)
                found = {id(v): v._gacc for v in inputs}
            finally:
                for v, k in zip(inputs, kept):
                    v._gacc = k
            # an input used twice gets the whole derivative at its first place
            return tuple(found.pop(id(v), 0.0) for v in self._parents)
        return local

    def _deliver(self) -> None:
        self.grad += self._gacc
        self._gacc = 0.0

    def _take(self) -> float:
        g, self._gacc = self._gacc, 0.0
        return g

    def _default_seed(self, op: str) -> float:
        return 1.0

    def _check_seed(self, s: object, op: str) -> float:
        return _float(s, op)

    def _wrap_grad(self, g: float, create_graph: bool) -> float:
        return g

    def __repr__(self) -> str:
        lab = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{lab})"


_new = Value.__new__
_anomaly_local = anomaly._local
_anomaly_any = False  # True while a detect_anomaly() block is open in some thread (then this thread's depth decides)


def _watch_anomaly(any_open: bool) -> None:
    global _anomaly_any
    _anomaly_any = any_open


anomaly._watchers.append(_watch_anomaly)
