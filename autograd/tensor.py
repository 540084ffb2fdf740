"""Tensor mode: an n-d numpy array that records the ops applied to it."""

from __future__ import annotations

from numbers import Number
from sys import getrefcount as _getrefcount
from typing import Any, Iterator, Sequence

import numpy as np

from . import anomaly, engine
from .engine import next_seq
from .tracing import state as _trace
from .value import GELU_APPROXIMATIONS
from . import generic as _generic
from . import grad_fn as _grad_fn
from .ops._torchargs import UNSET as _tops_unset  # "argument not given", for the torch-op methods
from . import torch_api as _api
from .torch_api import SizeInt
from .kernels import dual as _dual

_anomaly_local = anomaly._local

_FLOATS = (np.float16, np.float32, np.float64)


def _as_dtype(dtype: Any, op: str) -> np.dtype:
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: {dtype!r} is not a dtype; use np.float32 or np.float64") from None


def _to_array(data: Any, dtype: Any, op: str) -> np.ndarray:
    """Convert user data to a fresh ndarray: floats keep their dtype, everything else becomes float64."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = _as_dtype(dtype, op)
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "fiub":
            raise TypeError(f"{op}: cannot make a tensor from an array of dtype {data.dtype}; give numbers")
        if dtype is None:
            dtype = data.dtype if data.dtype.kind == "f" else np.float64
        return np.array(data, dtype=dtype, order="K", copy=True)
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__} {data!r:.40}; give numbers or an array")
    try:
        arr = np.array(data)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{op}: could not make a rectangular array from the data ({exc})") from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"{op}: cannot make a tensor from {type(data).__name__} holding {arr.dtype} values; give numbers"
        )
    return arr.astype(dtype if dtype is not None else (arr.dtype if arr.dtype.kind == "f" else np.float64))


class Tensor:
    """An n-d array (float64 unless told otherwise) whose ops are recorded for ``backward()``.

    ``.data`` is the ndarray, ``.grad`` the accumulated gradient (a Tensor, or
    None before any backward; one recorded in the graph after ``backward(create_graph=True)``).
    Methods take PyTorch's spellings (``dim=``, ``keepdim=``; positional arguments
    as in torch) with torch's meaning, and numpy's (``axis=``, ``keepdims=``,
    ``ddof=``) with numpy's: see ``autograd/torch_api.py``. In-place ops (``add_``,
    ``x[i] = v``, ``w -= ...``) change ``.data`` in place and bump ``_version``;
    writes to ``.data`` itself are not tracked.
    """

    __slots__ = (
        "data", "_grad", "requires_grad", "name", "_ctx", "_op", "_parents", "_retain", "_seq", "_gacc",
        "_mods", "_hooks", "__weakref__",
        "_viewof",  # an untracked view's base (set by inplace.share_with_view; unset on every other tensor)
    )
    __array_ufunc__ = None  # numpy defers to our reflected operators: ndarray + Tensor -> Tensor
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str = "") -> None:
        self.data = _to_array(data, dtype, "Tensor")
        self._grad = self._hooks = None
        self._mods = False
        self.requires_grad = False
        self.name = str(name)
        self._ctx = None
        self._op = None
        self._parents = ()
        self._retain = False
        self._seq = next_seq()
        self._gacc = None
        if requires_grad is not False:
            self.requires_grad_(requires_grad)  # checks it is True or False

    @staticmethod
    def _make(data: np.ndarray) -> "Tensor":
        """Wrap an ndarray without copying or checking (for ops)."""
        t = Tensor.__new__(Tensor)
        t.data = data
        t._grad = t._hooks = None
        t._mods = False
        t.requires_grad = False
        t.name = ""
        t._ctx = None
        t._op = None
        t._parents = ()
        t._retain = False
        t._seq = next_seq()
        t._gacc = None
        return t

    @staticmethod
    def _lift(x: Any, like: "Tensor | None", op: str) -> "Tensor":
        """Turn the other operand of a binary op into a constant Tensor (numbers take ``like``'s dtype)."""
        if isinstance(x, Tensor):
            return x
        if isinstance(x, np.generic):  # numpy scalars, e.g. the np.bool_ a 0-d comparison gives
            x = np.asarray(x)
        if isinstance(x, np.ndarray):
            if x.dtype.kind not in "fiub":
                raise TypeError(f"{op}: unsupported operand array of dtype {x.dtype}; use numbers")
            if x.dtype.kind != "f" and (like is None or like.data.dtype.kind == "f"):
                x = x.astype(like.dtype if like is not None else np.float64)
            return Tensor._make(x)
        if isinstance(x, Number) and not isinstance(x, complex):
            dt = like.data.dtype if like is not None else _F64
            if dt.kind != "f":  # an integer or boolean tensor: the number's kind decides, as in torch
                dt = _number_dtype(x, dt)
            return Tensor._make(np.asarray(x, dtype=dt))
        if isinstance(x, (list, tuple)):
            try:
                arr = np.asarray(x)
            except ValueError:
                arr = np.asarray([], dtype=object)
            if arr.dtype.kind in "fiub":
                if like is not None and like.data.dtype.kind == "f":
                    return Tensor._make(arr.astype(like.data.dtype))
                if like is None or arr.dtype.kind == "f":
                    return Tensor._make(arr.astype(_F64))
                return Tensor._make(arr)  # integers next to an integer tensor stay integers
        raise TypeError(
            f"{op}: unsupported operand of type {type(x).__name__} ({x!r:.40}); use a Tensor, an ndarray or a number"
        )

    # ------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> "SizeInt":
        """numpy's element count (an int); called, torch's ``size()`` (the shape) or ``size(d)``."""
        return SizeInt(self.data.shape)

    def numel(self) -> int:
        """The number of elements (torch's spelling of ``.size``)."""
        return self.data.size

    def dim(self) -> int:
        """The number of axes (torch's spelling of ``.ndim``)."""
        return self.data.ndim

    @property
    def parents(self) -> tuple:
        """The tensors this one was computed from, in argument order (empty for leaves)."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (not the output of a recorded op)."""
        return self._ctx is None

    @property
    def grad_fn(self) -> Any:
        """The node of the op that produced this tensor (torch's grad_fn, equal to the op class), or None for leaves."""
        op = self._op
        return None if op is None else _grad_fn.Node(self, op)

    @property
    def grad(self) -> "Tensor | None":
        """The gradient accumulated by ``backward()`` (a Tensor of this tensor's shape), or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            if isinstance(value, np.ndarray):
                value = Tensor._make(value)
            elif not isinstance(value, Tensor):
                raise TypeError(f"grad: assigned grad must be a Tensor or None, got {type(value).__name__}")
            if value.data.shape != self.data.shape:
                raise ValueError(
                    f"grad: assigned grad has shape {value.data.shape}, the tensor {self.data.shape}; they must match"
                )
        self._grad = value

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was changed by in-place ops (as torch counts it)."""
        return _inplace.version(self)

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` whenever the gradient w.r.t. this tensor is computed; a Tensor it returns replaces
        the gradient. Returns a handle whose ``remove()`` takes the hook off."""
        return _inplace.register_hook(self, hook)

    @property
    def T(self) -> "Tensor":
        return self.transpose()

    @property
    def mT(self) -> "Tensor":
        return self.swapaxes(-1, -2)

    def item(self) -> float:
        """The single number in a one-element tensor."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors convert to a number, this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all() on .data"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError(
                f"only one-element integer tensors can be used as an index, this one is {self.dtype} of shape "
                f"{self.shape}"
            )
        return int(self.data.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        extra = []
        if self.data.dtype != np.float64:
            extra.append(f"dtype={self.data.dtype}")
        if self._op is not None:
            extra.append(f"grad_fn=<{self.grad_fn.name()}>")  # torch's spelling: grad_fn=<MulBackward0>
        elif self.requires_grad:
            extra.append("requires_grad=True")
        if self.name:
            extra.append(f"name={self.name!r}")
        return _tensor_str.format_tensor(self.data, "Tensor(", extra, _misc.PRINT)  # torch's layout

    # -------------------------------------------------------------- autograd
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Turn gradient tracking of this leaf on (or off); returns self."""
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad_: expected True or False, got {requires_grad!r}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad_: only leaf tensors can stop requiring grad; use .detach() instead")
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad_: only floating tensors can require grad, this one is {self.data.dtype}; "
                "make it float first (.float(), .double(), or dtype=np.float64 when creating it)"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> "Tensor":
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: can't retain_grad on a tensor that does not require grad")
        self._retain = True
        return self

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory and the version counter)."""
        return _inplace.detach(self)

    def clone(self) -> "Tensor":
        """A copy with its own memory, still in the graph: gradients flow through it to this tensor."""
        return _shape.Clone._apply1(self)

    def backward(self, grad: Any = None, retain_graph: bool = False, create_graph: bool = False, *,
                 gradient: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (``grad`` = dL/dself, 1 for a scalar;
        ``gradient=`` is torch's name for it)."""
        if gradient is not None:
            if grad is not None:
                raise TypeError("backward: give grad or torch's gradient=, not both")
            grad = gradient
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no graph; "
                "create the inputs with requires_grad=True (and not under no_grad())"
            )
        seed = self._default_seed("backward") if grad is None else self._check_seed(grad, "backward")
        rec = _trace.recorder
        if rec is not None:  # autograd.compile is recording
            rec.backward(self, seed, retain_graph, create_graph)
        engine.backward([self], [seed], retain_graph=retain_graph, create_graph=create_graph)
        if rec is not None:
            rec.after_backward()

    def zero_grad(self) -> None:
        self.grad = None

    # engine protocol
    def _default_seed(self, op: str) -> np.ndarray:
        if self.data.size != 1:
            raise RuntimeError(
                f"{op}: grad can be created implicitly only for a one-element output, this one has shape "
                f"{self.shape}; pass grad= (dL/d output, same shape), or reduce it first with .sum() or .mean()"
            )
        seed = np.array(1.0, dtype=self.data.dtype)  # np.ones_like costs 4x this on the one-element array
        return seed.reshape(self.data.shape) if self.data.ndim else seed

    def _check_seed(self, grad: Any, op: str) -> np.ndarray:
        g = grad.data if isinstance(grad, Tensor) else grad
        if isinstance(g, (str, bytes)) or g is None:
            g = None
        else:
            try:
                g = np.asarray(g, dtype=self.data.dtype)
            except (TypeError, ValueError):
                g = None
        if g is None:
            raise TypeError(
                f"{op}: the gradient seed must be numbers (a Tensor, an array or a number of shape {self.shape}), "
                f"got {type(grad).__name__} {grad!r:.40}; pass e.g. grad=ones_like(output), or nothing for a "
                "one-element output"
            )
        if g.shape != self.data.shape:
            raise ValueError(f"{op}: grad of shape {g.shape} does not match the output's shape {self.shape}")
        return g

    def _propagate(self, create_graph: bool, retain_graph: bool) -> None:
        g = self._gacc
        if g is None:
            return
        if self._hooks:
            g = self._gacc = _inplace.run_hooks(self, g)
        ctx = self._ctx
        if create_graph or ctx.freed or type(g) is not np.ndarray or _anomaly_local.depth:
            grads = self._local_grads(g, create_graph)
        else:  # the plain case of _local_grads, inline: one call less per node
            grads = self._op.backward(ctx, g)
            if type(grads) is not tuple:
                grads = (grads,)
        if self._mods:
            _inplace.check_saved(self, self, -1)
        needs = ctx.needs_input_grad
        n = len(grads)
        seq = self._seq
        for parent, pos in zip(self._parents, ctx._positions):
            if parent._mods:  # changed in place at some point: was it after this op saved it?
                _inplace.check_saved(self, parent, pos)
            pg = grads[pos] if pos < n and needs[pos] else None
            if pg is not None:
                if pg.shape != parent.data.shape:
                    raise RuntimeError(
                        f"{self._op.__name__}.backward returned a gradient of shape {pg.shape} for input {pos} "
                        f"of shape {parent.data.shape}; it must match the input's shape"
                    )
                if parent._seq > seq:  # changed in place since: the gradient is for the version this op read
                    parent = _inplace.version_at(parent, seq)
                prev = parent._gacc
                parent._gacc = pg if prev is None else prev + pg
        if not retain_graph:
            ctx.saved = ()
            ctx.freed = True
        if not self._retain:  # free as you go: the gradient has reached the parents
            self._gacc = None

    def _deliver(self) -> None:
        g = self._gacc
        if g is not None:
            self._gacc = None
            if self._ctx is not None:
                if not self._retain:
                    return  # an op's output that does not keep its gradient
            elif self._hooks:
                g = _inplace.run_hooks(self, g)
            # the walk's array is handed over, not copied, when nothing else can see it: not a view,
            # and no reference but this one (another node's gradient, a saved array, the user's seed)
            owned = type(g) is np.ndarray and g.base is None and _getrefcount(g) <= _LONE_REFS
            self._receive(g, owned)
            if _inplace.POST_ACCUMULATE and self._ctx is None:  # register_post_accumulate_grad_hook's
                _inplace.run_post_accumulate_hooks(self)

    def _take(self) -> Any:
        g, self._gacc = self._gacc, None
        return g

    def _local_grads(self, g: Any, create_graph: bool) -> tuple:
        """The op's backward on ``g``: one entry per positional input of its forward."""
        ctx = self._ctx
        op = self._op
        if create_graph:
            saved = ctx.saved_tensors
            ctx._view = tuple(self._node_for(a) for a in saved)
            if isinstance(g, np.ndarray):
                g = Tensor._make(g)
            try:
                grads = op.backward(ctx, g)
            except anomaly.AnomalyError as exc:  # an op recorded by this backward rule made the NaN/inf
                raise anomaly.in_backward_of(exc, op.__name__, ctx) from None
            finally:
                ctx._view = None
        else:
            if ctx.freed:
                _ = ctx.saved_tensors  # raises the retain_graph error
            if type(g) is not np.ndarray:  # a Tensor, or a numpy scalar from an op on 0-d arrays
                g = g.data if isinstance(g, Tensor) else np.asarray(g)
            grads = op.backward(ctx, g)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if _anomaly_local.depth:
            anomaly.check_backward(
                op.__name__, getattr(ctx, "_created_at", "<made outside detect_anomaly>"), g, grads,
                self._parents,
            )
        return grads

    def _node_for(self, a: Any) -> Any:
        """Map a saved array back to the graph node that holds it (input or output), for create_graph."""
        for p in self._parents:
            if a is p.data:
                return p
        if a is self.data:
            return self
        return a

    def _receive(self, g: Any, owned: bool = False) -> None:
        """Add ``g`` to ``.grad`` (``_deliver`` has passed over the op outputs that keep no gradient).

        The first gradient becomes ``.grad`` (the walk's array itself when ``owned``); later ones are added
        into that array in place, as torch does, unless ``.grad`` is part of a graph (create_graph).
        """
        if not self.requires_grad:
            return
        prev = self._grad
        if isinstance(g, Tensor):  # create_graph: a recorded gradient
            if g.data.dtype != self.data.dtype:
                g = g.astype(self.data.dtype)
            self._grad = g if prev is None else prev + g
            return
        if prev is None:
            if not (owned and g.dtype == self.data.dtype and g.flags.writeable):
                g = np.array(g, dtype=self.data.dtype, copy=True)
            self._grad = Tensor._make(g)
            return
        acc = prev.data
        if not prev.requires_grad and acc.flags.writeable and acc.shape == np.shape(g):
            np.add(acc, g, out=acc, casting="unsafe")
        else:
            self._grad = prev + Tensor._make(np.asarray(g, dtype=self.data.dtype))

    def _wrap_grad(self, g: Any, create_graph: bool) -> Any:
        if isinstance(g, Tensor):
            return g
        return Tensor._make(np.asarray(g, dtype=self.data.dtype))

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> "Tensor":
        if isinstance(other, Tensor):
            if other.data.dtype is self.data.dtype:
                # x @ W + b with the product a temporary: one Addmm node (autograd/fusion.py)
                if self._op is _MatMul and _getrefcount(self) <= _fusion.TEMP_SELF:
                    fused = _fusion.bias(self, other)
                    if fused is not None:
                        return fused
                elif other._op is _MatMul and _getrefcount(other) <= _fusion.TEMP_OTHER:
                    fused = _fusion.bias(other, self)
                    if fused is not None:
                        return fused
                return _arith.Add._apply2(self, other)
            return _arith.Add._apply2(*_promote(self, other))
        return _arith.Add._apply2(self, Tensor._lift(other, self, "add"))

    def __radd__(self, other: Any) -> "Tensor":
        return _arith.Add._apply2(Tensor._lift(other, self, "add"), self)

    def __sub__(self, other: Any) -> "Tensor":
        if isinstance(other, Tensor):
            if other.data.dtype is self.data.dtype:
                return _arith.Sub._apply2(self, other)
            return _arith.Sub._apply2(*_promote(self, other))
        return _arith.Sub._apply2(self, Tensor._lift(other, self, "sub"))

    def __rsub__(self, other: Any) -> "Tensor":
        return _arith.Sub._apply2(Tensor._lift(other, self, "sub"), self)

    def __mul__(self, other: Any) -> "Tensor":
        if isinstance(other, Tensor):
            if other.data.dtype is self.data.dtype:
                return _arith.Mul._apply2(self, other)
            return _arith.Mul._apply2(*_promote(self, other))
        return _arith.Mul._apply2(self, Tensor._lift(other, self, "mul"))

    def __rmul__(self, other: Any) -> "Tensor":
        return _arith.Mul._apply2(Tensor._lift(other, self, "mul"), self)

    def __truediv__(self, other: Any) -> "Tensor":
        if isinstance(other, Tensor):
            if other.data.dtype is self.data.dtype:
                return _arith.Div._apply2(self, other)
            return _arith.Div._apply2(*_promote(self, other))
        return _arith.Div._apply2(self, Tensor._lift(other, self, "div"))

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _arith.Div._apply2(Tensor._lift(other, self, "div"), self)

    def __pow__(self, other: Any) -> "Tensor":
        if isinstance(other, Tensor):
            if other.data.dtype is self.data.dtype:
                return _arith.Pow._apply2(self, other)
            return _arith.Pow._apply2(*_promote(self, other))
        return _arith.Pow._apply2(self, Tensor._lift(other, self, "pow"))

    def __rpow__(self, other: Any) -> "Tensor":
        return _arith.Pow._apply2(Tensor._lift(other, self, "pow"), self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _matmul.MatMul._apply2(self, other if isinstance(other, Tensor) else Tensor._lift(other, self, "matmul"))

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _matmul.MatMul._apply2(Tensor._lift(other, self, "matmul"), self)

    def __neg__(self) -> "Tensor":
        return _arith.Neg._apply1(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return _unary.Abs._apply1(self)

    # comparisons: constant boolean tensors, never part of the graph
    def _compare(self, other: Any, fn: Any, op: str) -> "Tensor":
        other = Tensor._lift(other, self, op)
        try:
            return Tensor._make(fn(self.data, other.data))
        except ValueError as exc:
            raise ValueError(f"{op}: shapes {self.shape} and {other.shape} do not broadcast ({exc})") from None

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less, "lt")

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less_equal, "le")

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater, "gt")

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater_equal, "ge")

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.equal, "eq")

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.not_equal, "ne")

    # bitwise/logical operators on boolean and integer tensors (masks): constants, never part of the graph
    def _bitwise(self, other: Any, fn: Any, op: str) -> "Tensor":
        other = Tensor._lift(other, self, op)
        for t in (self, other):
            if t.data.dtype.kind not in "biu":
                raise TypeError(
                    f"{op}: needs boolean or integer tensors, got {t.data.dtype}; compare first (x > 0) to get a mask"
                )
        try:
            return Tensor._make(fn(self.data, other.data))
        except ValueError as exc:
            raise ValueError(f"{op}: shapes {self.shape} and {other.shape} do not broadcast ({exc})") from None

    def __and__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_and, "and")

    def __rand__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_and, "and")

    def __or__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_or, "or")

    def __ror__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_or, "or")

    def __xor__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_xor, "xor")

    def __rxor__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_xor, "xor")

    def __invert__(self) -> "Tensor":
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"invert: needs a boolean or integer tensor, got {self.data.dtype}")
        return Tensor._make(np.invert(self.data))

    # ------------------------------------------------------------ elementwise
    def exp(self) -> "Tensor":
        return _unary.Exp._apply1(self)

    def log(self) -> "Tensor":
        return _unary.Log._apply1(self)

    def sqrt(self) -> "Tensor":
        return _unary.Sqrt._apply1(self)

    def abs(self) -> "Tensor":
        return _unary.Abs._apply1(self)

    def tanh(self) -> "Tensor":
        if self._op in _fusion.LAYERS and _getrefcount(self) <= _fusion.TEMP_METHOD:  # (x @ W + b).tanh(): one node
            fused = _fusion.activation(self, "tanh")
            if fused is not None:
                return fused
        return _unary.Tanh._apply1(self)

    def sigmoid(self) -> "Tensor":
        if self._op in _fusion.LAYERS and _getrefcount(self) <= _fusion.TEMP_METHOD:  # (x @ W + b).sigmoid(): one node
            fused = _fusion.activation(self, "sigmoid")
            if fused is not None:
                return fused
        return _unary.Sigmoid._apply1(self)

    def relu(self) -> "Tensor":
        if self._op in _fusion.LAYERS and _getrefcount(self) <= _fusion.TEMP_METHOD:  # (x @ W + b).relu(): one node
            fused = _fusion.activation(self, "relu")
            if fused is not None:
                return fused
        return _unary.Relu._apply1(self)

    def leaky_relu(self, slope: float = 0.01) -> "Tensor":
        return _unary.LeakyRelu._apply1(self, slope=_scalar(slope, "leaky_relu", "slope"))

    def elu(self, alpha: float = 1.0) -> "Tensor":
        return _unary.Elu._apply1(self, alpha=_scalar(alpha, "elu", "alpha"))

    def softplus(self, beta: float = 1.0, threshold: float | None = None) -> "Tensor":
        """log(1 + e**(beta x)) / beta (x itself past ``threshold``; None: no cut-off)."""
        if threshold is None and beta == 1.0 and type(beta) in (int, float):
            return _unary.Softplus._apply1(self)
        return _tops.softplus(self, beta, threshold)

    def log_sigmoid(self) -> "Tensor":
        return _unary.LogSigmoid._apply1(self)

    def sin(self) -> "Tensor":
        return _unary.Sin._apply1(self)

    def cos(self) -> "Tensor":
        return _unary.Cos._apply1(self)

    def erf(self) -> "Tensor":
        return _unary.Erf._apply1(self)

    def silu(self) -> "Tensor":
        """x sigmoid(x) (SiLU, also called swish)."""
        return _unary.Silu._apply1(self)

    def gelu(self, approximate: str = "none") -> "Tensor":
        """x Phi(x) with Phi the standard normal CDF (``approximate="tanh"``: torch's tanh formula)."""
        if approximate not in GELU_APPROXIMATIONS:
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return _unary.Gelu._apply1(self, approximate=approximate)

    def step(self) -> "Tensor":
        return _unary.Step._apply1(self)

    def clip(self, lo: float | None = None, hi: float | None = None, *, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        """min(max(x, lo), hi); lo > hi is an error. torch's min=/max= and tensor bounds mean ``clamp``."""
        if min is not None or max is not None:
            if lo is not None or hi is not None:
                raise TypeError("clip: give lo/hi or torch's min/max, not both")
            return self.clamp(min=min, max=max)
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both")
        if isinstance(lo, (Tensor, np.ndarray)) or isinstance(hi, (Tensor, np.ndarray)):
            return self.clamp(min=lo, max=hi)  # tensor bounds: torch's clip(min, max), elementwise
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: lo={lo} is greater than hi={hi}")
        return _unary.Clip._apply1(self, lo=lo, hi=hi)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002  (torch's names)
        """min(max(x, min), max), as torch's clamp: numbers or tensors; where min > max every entry is max.

        d/dx = 1 where min <= x <= max, else 0 (tensor bounds get the gradient where they are the result).
        """
        if min is None and max is None:
            raise ValueError("clamp: give min, max or both")
        if not isinstance(min, (Tensor, np.ndarray)) and not isinstance(max, (Tensor, np.ndarray)):
            lo = None if min is None else _scalar(min, "clamp", "min")
            hi = None if max is None else _scalar(max, "clamp", "max")
            if self.data.dtype.kind in "iu" and all(isinstance(b, (int, np.integer)) for b in (min, max)
                                                    if b is not None):  # integer bounds keep integers, as torch
                return Tensor._make(np.clip(self.data, min, max))
            return _unary.Clip._apply1(self, lo=lo, hi=hi)
        lo = None if min is None else Tensor._lift(min, self, "clamp")
        hi = None if max is None else Tensor._lift(max, self, "clamp")
        return _select.Clamp.apply(self, lo, hi)

    def clamp_min(self, min: Any) -> "Tensor":  # noqa: A002
        """max(x, min) (torch's clamp(min=))."""
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> "Tensor":  # noqa: A002
        """min(x, max) (torch's clamp(max=))."""
        return self.clamp(max=max)

    # torch's method spellings of the operators
    def add(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """self + alpha * other."""
        return self + (other if alpha == 1 else _times(other, alpha, "add"))

    def sub(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """self - alpha * other."""
        return self - (other if alpha == 1 else _times(other, alpha, "sub"))

    subtract = sub

    def mul(self, other: Any) -> "Tensor":
        """self * other."""
        return self * other

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        """self / other (true division); rounding_mode "trunc" or "floor" rounds the quotient (as torch)."""
        if rounding_mode is None:
            return self / other
        return _more.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def pow(self, exponent: Any) -> "Tensor":
        """self ** exponent."""
        return self**exponent

    def neg(self) -> "Tensor":
        """-self."""
        return _arith.Neg._apply1(self)

    negative = neg

    def maximum(self, other: Any) -> "Tensor":
        return _arith.maximum(self, other)

    def minimum(self, other: Any) -> "Tensor":
        return _arith.minimum(self, other)

    def astype(self, dtype: Any) -> "Tensor":
        """A copy in another float dtype; gradients flow back in the original dtype."""
        dt = _as_dtype(dtype, "astype")
        if dt.kind != "f":
            return Tensor._make(self.data.astype(dt))
        if dt == self.data.dtype:
            return self
        return _unary.Cast._apply1(self, dtype=dt)


    def float(self) -> "Tensor":
        return self.astype(np.float32)

    def double(self) -> "Tensor":
        return self.astype(np.float64)

    # ------------------------------------------------------------- reductions
    # torch's dim/keepdim and numpy's axis/keepdims both work (see autograd/torch_api.py); the call
    # without arguments, the common one, goes straight to the op.
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None,
            dtype: Any = None, out: Any = None) -> "Tensor":
        """Sum over ``dim`` (an int, a tuple of ints, or None for all; torch's ``dim=()`` is all too), in ``dtype``
        when given (as torch and numpy: the input is cast first)."""
        if dim is None and axis is None and keepdims is None and keepdim is False and dtype is None:
            if out is not None:
                raise TypeError("sum: out= is not supported; use the returned Tensor")
            return _reduce.Sum._apply1(self, axis=None, keepdims=False)
        if dtype is not None or out is not None:
            _no_out(out, "sum")
            return self.astype(dtype).sum(dim, keepdim, axis=axis, keepdims=keepdims)
        axis, keep = _api.dims(self, dim, axis, keepdim, keepdims, "sum")
        return _reduce.Sum._apply1(self, axis=axis, keepdims=keep)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None,
             dtype: Any = None, out: Any = _tops_unset) -> "Tensor":
        """Mean over ``dim`` (an int, a tuple of ints, or None for all), in ``dtype`` when given.

        An integer or bool tensor needs a float dtype, as in torch: ``x.mean()`` and ``x.mean(dim)`` raise, while
        numpy's spellings (``x.mean(axis=...)``, ``np.mean(x)``) give numpy's float mean.
        """
        if dtype is not None or out is not _tops_unset:
            _no_out(None if out is _tops_unset else out, "mean")
            if dtype is not None:
                return self.astype(dtype).mean(dim, keepdim, axis=axis, keepdims=keepdims)
        elif self.data.dtype.kind != "f" and axis is None and keepdims is None:  # torch's spelling: torch's rule
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be a floating point dtype, got "
                f"{self.data.dtype}; use x.float().mean() or x.double().mean() (or numpy's x.mean(axis=...))"
            )
        if dim is None and axis is None and keepdims is None and keepdim is False:
            return _reduce.Mean._apply1(self, axis=None, keepdims=False)
        axis, keep = _api.dims(self, dim, axis, keepdim, keepdims, "mean")
        return _reduce.Mean._apply1(self, axis=axis, keepdims=keep)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Largest entry, three ways, as in torch and numpy.

        ``x.max()``: a 0-d Tensor (the gradient split evenly over ties); ``x.max(dim)``: torch's named tuple
        ``(values, indices)`` (the gradient to the first maximal entry); ``x.max(other)``: the elementwise
        maximum; ``x.max(axis=...)``: numpy's values only.
        """
        if dim is None and axis is None and keepdims is None and keepdim is False:
            self._nonempty("max", None)
            return _reduce.Max._apply1(self, axis=None, keepdims=False)
        return self._extreme(dim, keepdim, axis, keepdims, "max")

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        """Smallest entry: ``x.min()``, ``x.min(dim)`` -> ``(values, indices)``, ``x.min(other)``, ``x.min(axis=)``."""
        if dim is None and axis is None and keepdims is None and keepdim is False:
            self._nonempty("min", None)
            return _reduce.Min._apply1(self, axis=None, keepdims=False)
        return self._extreme(dim, keepdim, axis, keepdims, "min")

    def _extreme(self, dim: Any, keepdim: Any, axis: Any, keepdims: Any, op: str) -> Any:
        if isinstance(dim, (Tensor, np.ndarray)):  # torch.max(input, other)
            if axis is not None or keepdims is not None or keepdim is not False:
                raise TypeError(f"{op}: the elementwise {op}(other) takes no axis or keepdim")
            return _arith.maximum(self, dim) if op == "max" else _arith.minimum(self, dim)
        fn = _reduce.Max if op == "max" else _reduce.Min
        if dim is None:
            self._nonempty(op, axis)
            axis, keep = _api.dims(self, None, axis, keepdim, keepdims, op)
            return fn._apply1(self, axis=axis, keepdims=keep)
        if axis is not None:
            raise TypeError(f"{op}: give dim (torch) or axis (numpy), not both")
        a = _api.one_dim(self, dim, op)
        _, keep = _api.dims(self, None, None, keepdim, keepdims, op)
        if self.data.ndim and self.data.shape[a] == 0:
            raise ValueError(f"{op}: axis {a} of the tensor of shape {self.shape} is empty; there is nothing to reduce")
        values, indices = _select.max_min_dim(self, a, keep, op)
        return getattr(_api.return_types, op)(values, Tensor._make(indices))

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None,
            axis: Any = None, keepdims: Any = None, ddof: Any = None) -> "Tensor":
        """Mean squared deviation from the mean, sum((x - mean)**2) / (n - correction).

        torch's spelling (``x.var()``, ``x.var(dim)``, ``dim=``, ``correction=``, ``unbiased=``) divides by
        n - 1 by default, as torch does; numpy's (``axis=``, ``keepdims=``, ``ddof=``) by n - ddof, ddof 0 by default.
        """
        return self._variance(_api.var_args(self, dim, unbiased, keepdim, correction, axis, keepdims, ddof), "var")

    def _variance(self, args: tuple, op: str) -> "Tensor":
        axis, keep, c = args
        n = _reduce._count(self.shape, axis)
        if n - c <= 0:
            raise ValueError(
                f"{op}: {n} values along the axis leave no degrees of freedom with correction (ddof) {c}; "
                "pass correction=0 (or ddof=0) for the biased estimate"
            )
        dev = self - self.mean(axis=axis, keepdims=True)
        return (dev * dev).sum(axis=axis, keepdims=keep) * (1.0 / (n - c))

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None,
            axis: Any = None, keepdims: Any = None, ddof: Any = None) -> "Tensor":
        """sqrt(var): torch's spelling divides by n - 1 by default, numpy's (axis=, ddof=) by n - ddof."""
        args = _api.var_args(self, dim, unbiased, keepdim, correction, axis, keepdims, ddof, "std")
        return self._variance(args, "std").sqrt()

    def logsumexp(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> "Tensor":
        """log(sum(e**x)) over ``dim``, without overflow."""
        axis, keep = _api.dims(self, dim, axis, keepdim, keepdims, "logsumexp")
        self._nonempty("logsumexp", axis)
        return _reduce.LogSumExp._apply1(self, axis=axis, keepdims=keep)

    def softmax(self, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> "Tensor":
        """e**x / sum(e**x) along ``dim`` (the last axis when not given); 1 for a 0-d tensor.
        ``dtype``: x is cast to it first (torch's argument)."""
        x = self if dtype is None else self.to(dtype)
        return x._normalise(_reduce.Softmax, dim, axis, "softmax")

    def log_softmax(self, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> "Tensor":
        """x - logsumexp(x) along ``dim`` (the last axis when not given); 0 for a 0-d tensor.
        ``dtype``: x is cast to it first (torch's argument)."""
        x = self if dtype is None else self.to(dtype)
        return x._normalise(_reduce.LogSoftmax, dim, axis, "log_softmax")

    def _normalise(self, fn: Any, dim: Any, axis: Any, op: str) -> "Tensor":
        if axis is not None:
            if dim is not None:
                raise TypeError(f"{op}: give dim (torch) or axis (numpy), not both")
            dim = axis
        dim = -1 if dim is None else dim
        if self.data.ndim == 0:  # torch: a 0-d tensor is one row of one entry
            self._axis(dim, op)
            return fn._apply1(self.reshape(1), axis=0).reshape(())
        return fn._apply1(self, axis=self._one_axis(dim, op))

    def argmax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> "Tensor":
        """The index of the largest entry (of the flattened tensor when ``dim`` is None), an int64 Tensor."""
        return self._arg(np.argmax, dim, keepdim, axis, keepdims, "argmax")

    def argmin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> "Tensor":
        """The index of the smallest entry (of the flattened tensor when ``dim`` is None), an int64 Tensor."""
        return self._arg(np.argmin, dim, keepdim, axis, keepdims, "argmin")

    def _arg(self, fn: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any, op: str) -> "Tensor":
        if axis is not None:
            if dim is not None:
                raise TypeError(f"{op}: give dim (torch) or axis (numpy), not both")
            dim = axis
        _, keep = _api.dims(self, None, None, keepdim, keepdims, op)
        self._nonempty(op, dim)
        a = None if dim is None else _api.one_dim(self, dim, op)
        if self.data.ndim == 0:
            a = None
        return Tensor._make(np.asarray(fn(self.data, axis=a, keepdims=keep), dtype=np.int64))

    def _axis(self, axis: Any, op: str) -> Any:
        """Validate an axis argument (int, tuple of ints or None) and normalise it to non-negative ints."""
        if axis is None:
            return None
        nd = self.data.ndim
        items = axis if isinstance(axis, (tuple, list)) else (axis,)
        out = []
        for a in items:
            if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
                raise TypeError(f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}")
            if not -max(nd, 1) <= a < max(nd, 1):
                raise ValueError(f"{op}: axis {a} is out of range for a tensor of shape {self.shape}")
            out.append(int(a) % max(nd, 1))
        if len(set(out)) != len(out):
            raise ValueError(f"{op}: repeated axis in {axis!r}")
        if nd == 0:
            return None
        return out[0] if not isinstance(axis, (tuple, list)) else tuple(out)

    def _one_axis(self, axis: Any, op: str) -> int:
        if isinstance(axis, (tuple, list)) or axis is None:
            raise TypeError(f"{op}: axis must be a single int, got {axis!r}")
        if self.data.ndim == 0:
            raise ValueError(f"{op}: needs at least one axis, got a 0-d tensor")
        axis = self._axis(axis, op)
        if self.data.shape[axis] == 0:
            raise ValueError(f"{op}: axis {axis} of the tensor of shape {self.shape} is empty; nothing to normalise")
        return axis

    def _nonempty(self, op: str, axis: Any) -> None:
        """ValueError when reducing over ``axis`` (None: all) leaves nothing to reduce; an empty tensor reduced
        over axes that are not (shape (0, 3) over axis 1, giving shape (0,)) is fine, as in torch."""
        if self.data.size:
            return
        axes = axis if isinstance(axis, (tuple, list)) else (() if axis is None else (axis,))
        try:
            empty = not axes or any(self.data.shape[a] == 0 for a in axes)
        except (IndexError, TypeError):  # a bad axis: the reduction's own check names it
            empty = False
        if empty:
            raise ValueError(f"{op}: the tensor of shape {self.shape} is empty; there is nothing to reduce")

    # ------------------------------------------------------------- movement
    def reshape(self, *shape: Any) -> "Tensor":
        shape = _shape_arg(shape, "reshape")
        return _inplace.share_with_alias(self, _shape.Reshape._apply1(self, shape=shape))

    view = reshape

    def transpose(self, *axes: Any) -> "Tensor":
        """Two axes: swap them (torch's ``transpose(d0, d1)``); no argument: reverse all; a tuple (or three or
        more axes): numpy's permutation."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        elif len(axes) == 2:
            return self.swapaxes(*axes)
        if not axes:
            return _inplace.share_with_alias(self, _shape.Transpose._apply1(self, axes=None))
        return self.permute(axes)

    def permute(self, *axes: Any) -> "Tensor":
        """The axes in the order given (``x.permute(2, 0, 1)``); ``permute(())`` of a 0-d tensor is itself."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if self.data.ndim == 0 and not axes:
            return _inplace.share_with_alias(self, _shape.Transpose._apply1(self, axes=()))
        perm = self._axis(tuple(axes), "permute")
        if perm is None or len(perm) != self.data.ndim:
            raise ValueError(f"permute: axes {axes} are not a permutation of the {self.data.ndim} axes of {self.shape}")
        return _inplace.share_with_alias(self, _shape.Transpose._apply1(self, axes=perm))

    def swapaxes(self, a: int, b: int) -> "Tensor":
        """Axes a and b swapped (torch's ``transpose(a, b)``, also called ``swapdims``)."""
        if self.data.ndim == 0:
            self._axis((a,), "transpose")
            self._axis((b,), "transpose")
            return _inplace.share_with_alias(self, _shape.Transpose._apply1(self, axes=()))
        a, b = self._axis(a, "transpose"), self._axis(b, "transpose")
        perm = list(range(self.data.ndim))
        perm[a], perm[b] = perm[b], perm[a]
        return _inplace.share_with_alias(self, _shape.Transpose._apply1(self, axes=tuple(perm)))

    swapdims = swapaxes

    def t(self) -> "Tensor":
        """The transpose of a matrix (a tensor of 0 or 1 axes is returned as it is), as torch's ``t()``."""
        if self.data.ndim > 2:
            raise ValueError(
                f"t: expects a tensor with at most 2 axes, got shape {self.shape}; use transpose(d0, d1) or .mT"
            )
        return self if self.data.ndim < 2 else self.swapaxes(0, 1)

    def flatten(
        self, start_dim: int = 0, end_dim: int = -1, *, start_axis: Any = None, end_axis: Any = None
    ) -> "Tensor":
        """Merge axes start_dim..end_dim into one (all of them by default); a 0-d tensor becomes shape (1,)."""
        s = start_dim if start_axis is None else start_axis
        e = end_dim if end_axis is None else end_axis
        if self.data.ndim == 0:
            self._axis(s, "flatten")
            self._axis(e, "flatten")
            return self.reshape(1)
        s0, e0 = (self._axis(s, "flatten"), self._axis(e, "flatten"))
        if s0 > e0:
            raise ValueError(f"flatten: start_dim {s} comes after end_dim {e}")
        shape = self.shape
        return self.reshape(shape[:s0] + (-1 if 0 not in shape[s0 : e0 + 1] else 0,) + shape[e0 + 1 :])

    def squeeze(self, dim: Any = None, *, axis: Any = None) -> "Tensor":
        """Drop axes of length 1: all of them, or those named in ``dim`` (torch: a named axis of another
        length stays) or in ``axis`` (numpy: naming one of another length is an error)."""
        if axis is not None:
            if dim is not None:
                raise TypeError("squeeze: give dim (torch) or axis (numpy), not both")
            axes = self._axis(axis, "squeeze")
            axes = () if axes is None else (axes,) if isinstance(axes, int) else axes
            for a in axes:
                if self.shape[a] != 1:
                    raise ValueError(
                        f"squeeze: axis {a} has length {self.shape[a]}, not 1 (shape {self.shape}); "
                        "torch's squeeze(dim) leaves such an axis as it is"
                    )
        elif dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        else:
            axes = self._axis(dim, "squeeze")
            axes = () if axes is None else (axes,) if isinstance(axes, int) else axes
            axes = tuple(a for a in axes if self.shape[a] == 1)
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in axes))

    def unsqueeze(self, dim: int) -> "Tensor":
        """Insert an axis of length 1 at ``dim``."""
        nd = self.data.ndim + 1
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"unsqueeze: dim must be an int, got {dim!r}")
        if not -nd <= dim < nd:
            raise ValueError(f"unsqueeze: dim {dim!r} is out of range for a result with {nd} axes")
        shape = list(self.shape)
        shape.insert(int(dim) % nd, 1)
        return self.reshape(tuple(shape))

    expand_dims = unsqueeze

    def broadcast_to(self, *shape: Any) -> "Tensor":
        """numpy's broadcast_to: the tensor repeated along new leading axes and axes of length 1."""
        shape = _shape_arg(shape, "broadcast_to")
        return _shape.BroadcastTo._apply1(self, shape=shape)

    def expand(self, *sizes: Any) -> "Tensor":
        """torch's expand: like broadcast_to, with -1 keeping an axis's length."""
        sizes = _shape_arg(sizes, "expand")
        return _shape.BroadcastTo._apply1(self, shape=_api.expand_shape(self.shape, sizes))

    def expand_as(self, other: Any) -> "Tensor":
        """``expand(other.shape)``."""
        return self.expand(tuple(np.shape(other.data if isinstance(other, Tensor) else other)))

    def __getitem__(self, index: Any) -> "Tensor":
        index = _index_arg(index)
        if type(index) is tuple:
            split = _api.torch_index(index)
            if split is not None:  # integers next to index arrays: torch's order of axes (a copy, not a view)
                return _shape.GetItem._apply1(_shape.GetItem._apply1(self, index=split[0]), index=split[1])
        return _inplace.share_with_view(self, _shape.GetItem._apply1(self, index=index))

    # integer and boolean views of a tensor (constants, never part of the graph)
    def long(self) -> "Tensor":
        """An int64 copy (torch's ``long()``): a constant, as integer tensors get no gradient."""
        return Tensor._make(self.data.astype(np.int64))

    def int(self) -> "Tensor":
        """An int32 copy, a constant."""
        return Tensor._make(self.data.astype(np.int32))

    def bool(self) -> "Tensor":
        """A boolean copy (nonzero is True), a constant."""
        return Tensor._make(self.data.astype(np.bool_))

    def matmul(self, other: Any) -> "Tensor":
        return self @ other

    def dot(self, other: Any) -> "Tensor":
        return self @ other

    # ---- torch ops (autograd/ops/elementwise, scan, layout, index, einsum; checks in autograd/torchops.py)
    def rsqrt(self) -> "Tensor":
        return _tops.rsqrt(self)

    def tan(self) -> "Tensor":
        return _tops.tan(self)

    def asin(self) -> "Tensor":
        return _tops.asin(self)

    def acos(self) -> "Tensor":
        return _tops.acos(self)

    def atan(self) -> "Tensor":
        return _tops.atan(self)

    def sinh(self) -> "Tensor":
        return _tops.sinh(self)

    def cosh(self) -> "Tensor":
        return _tops.cosh(self)

    def asinh(self) -> "Tensor":
        return _tops.asinh(self)

    arcsin, arccos, arctan, arcsinh = asin, acos, atan, asinh

    def log2(self) -> "Tensor":
        return _tops.log2(self)

    def log10(self) -> "Tensor":
        return _tops.log10(self)

    def exp2(self) -> "Tensor":
        return _tops.exp2(self)

    def sign(self) -> "Tensor":
        return _tops.sign(self)

    def floor(self) -> "Tensor":
        return _tops.floor(self)

    def ceil(self) -> "Tensor":
        return _tops.ceil(self)

    def round(self, decimals: int = 0) -> "Tensor":
        return _tops.round(self, decimals=decimals)

    def trunc(self) -> "Tensor":
        return _tops.trunc(self)

    def isnan(self) -> "Tensor":
        return _tops.isnan(self)

    def isinf(self) -> "Tensor":
        return _tops.isinf(self)

    def isfinite(self) -> "Tensor":
        return _tops.isfinite(self)

    def copysign(self, other: Any) -> "Tensor":
        return _tops.copysign(self, other)

    def logaddexp(self, other: Any) -> "Tensor":
        return _tops.logaddexp(self, other)

    def lerp(self, end: Any, weight: Any) -> "Tensor":
        return _tops.lerp(self, end, weight)

    def celu(self, alpha: float = 1.0) -> "Tensor":
        return _tops.celu(self, alpha)

    def selu(self) -> "Tensor":
        return _tops.selu(self)

    def softsign(self) -> "Tensor":
        return _tops.softsign(self)

    def hardsigmoid(self) -> "Tensor":
        return _tops.hardsigmoid(self)

    def hardswish(self) -> "Tensor":
        return _tops.hardswish(self)

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> "Tensor":
        return _tops.hardtanh(self, min_val, max_val)

    def relu6(self) -> "Tensor":
        return _tops.relu6(self)

    def softmin(self, dim: Any = None, **kw: Any) -> "Tensor":
        return _tops.softmin(self, dim, **kw)

    def prod(self, dim: Any = _tops_unset, keepdim: Any = _tops_unset, **kw: Any) -> "Tensor":
        """Product over dim (torch) or axis/keepdims (numpy); the derivative is right with zeros."""
        return _tops.prod(self, dim, keepdim, **kw)

    def cumsum(self, dim: Any = _tops_unset, **kw: Any) -> "Tensor":
        return _tops.cumsum(self, dim, **kw)

    def cummax(self, dim: Any = _tops_unset, **kw: Any) -> Any:
        return _tops.cummax(self, dim, **kw)

    def cummin(self, dim: Any = _tops_unset, **kw: Any) -> Any:
        return _tops.cummin(self, dim, **kw)

    def logcumsumexp(self, dim: Any = _tops_unset, **kw: Any) -> "Tensor":
        return _tops.logcumsumexp(self, dim, **kw)

    def any(self, dim: Any = _tops_unset, keepdim: Any = _tops_unset, **kw: Any) -> "Tensor":
        if kw.pop("out", None) is not None:  # np.any(tensor) passes out=None
            raise TypeError("any: out= is not supported; use the returned Tensor")
        return _tops.any(self, dim, keepdim, **kw)

    def all(self, dim: Any = _tops_unset, keepdim: Any = _tops_unset, **kw: Any) -> "Tensor":
        if kw.pop("out", None) is not None:  # np.all(tensor) passes out=None
            raise TypeError("all: out= is not supported; use the returned Tensor")
        return _tops.all(self, dim, keepdim, **kw)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> "Tensor":
        return _tops.norm(self, p, dim, keepdim)

    def flip(self, *dims: Any, **kw: Any) -> "Tensor":
        return _tops.flip(self, *dims, **kw)

    def roll(self, shifts: Any = _tops_unset, dims: Any = None, **kw: Any) -> "Tensor":
        return _tops.roll(self, shifts, dims, **kw)

    def repeat(self, *sizes: Any, **kw: Any) -> "Tensor":
        """torch's repeat (tile); with numpy's axis= keyword, numpy's repeat (repeat_interleave)."""
        return _tops.repeat(self, *sizes, **kw)

    def repeat_interleave(self, repeats: Any, dim: Any = None, *, output_size: Any = None) -> "Tensor":
        return _tops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        return _tops.unflatten(self, dim, sizes)

    def diagonal(self, offset: int = 0, dim1: Any = _tops_unset, dim2: Any = _tops_unset, **kw: Any) -> "Tensor":
        return _inplace.share_with_alias(self, _tops.diagonal(self, offset, dim1, dim2, **kw))

    def tril(self, diagonal: Any = _tops_unset, **kw: Any) -> "Tensor":
        return _tops.tril(self, diagonal, **kw)

    def triu(self, diagonal: Any = _tops_unset, **kw: Any) -> "Tensor":
        return _tops.triu(self, diagonal, **kw)

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        return _tops.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return _tops.chunk(self, chunks, dim)

    def gather(self, dim: int, index: Any) -> "Tensor":
        return _tops.gather(self, dim, index)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> "Tensor":
        if reduce is not None:
            return _more.scatter(self, dim, index, src, value=value, reduce=reduce)
        return _tops.scatter(self, dim, index, src, value=value)

    def scatter_add(self, dim: int, index: Any, src: Any) -> "Tensor":
        return _tops.scatter_add(self, dim, index, src)

    def masked_fill(self, mask: Any, value: Any) -> "Tensor":
        return _tops.masked_fill(self, mask, value)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        return _tops.topk(self, k, dim, largest, sorted)

    def sort(self, dim: Any = _tops_unset, descending: bool = False, stable: bool = False, **kw: Any) -> Any:
        return _tops.sort(self, dim, descending, stable, **kw)

    def argsort(self, dim: Any = _tops_unset, descending: bool = False, stable: bool = False, **kw: Any) -> "Tensor":
        return _tops.argsort(self, dim, descending, stable, **kw)


_F64 = np.dtype(np.float64)


def _number_dtype(x: Any, dt: np.dtype) -> np.dtype:
    """The dtype of a Python number next to an integer or boolean tensor of dtype ``dt`` (torch's promotion)."""
    if isinstance(x, (bool, np.bool_)):
        return dt
    if isinstance(x, (int, np.integer)):
        return dt if dt.kind in "iu" else np.dtype(np.int64)
    return _F64


def _promote(a: "Tensor", b: "Tensor") -> tuple:
    """Operands of different dtypes, as torch mixes them: an integer or boolean one takes the float one's dtype;
    of two floats, a 0-d one takes the other's dtype when that has dimensions (float32 x times a float64 0-d
    tensor stays float32, the 0-d one's gradient float64), else the wider dtype wins."""
    ka, kb = a.data.dtype.kind, b.data.dtype.kind
    if ka == "f" and kb != "f":
        b = Tensor._make(b.data.astype(a.data.dtype))
    elif kb == "f" and ka != "f":
        a = Tensor._make(a.data.astype(b.data.dtype))
    elif ka == "f" and (a.data.ndim == 0) != (b.data.ndim == 0):
        if a.data.ndim == 0:
            a = a.astype(b.data.dtype)
        else:
            b = b.astype(a.data.dtype)
    return a, b


def _times(other: Any, alpha: Any, op: str) -> Any:
    """alpha * other for add/sub's ``alpha=``."""
    if isinstance(alpha, bool) or not isinstance(alpha, Number):
        raise TypeError(f"{op}: alpha must be a number, got {alpha!r}")
    if isinstance(other, Number) and not isinstance(other, bool):
        return other * alpha
    return (other if isinstance(other, Tensor) else Tensor._lift(other, None, op)) * alpha


def _no_out(out: Any, op: str) -> None:
    if out is not None:
        raise TypeError(f"{op}: out= is not supported; use the returned Tensor")


def _scalar(x: Any, op: str, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Number):
        raise TypeError(f"{op}: {what} must be a number, got {x!r}")
    return float(x)


def _shape_arg(shape: tuple, op: str) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
            raise TypeError(f"{op}: shape entries must be ints, got {shape!r}")
        if n < -1:
            raise ValueError(f"{op}: shape {shape!r} has a negative size")
    return tuple(int(n) for n in shape)


def _index_arg(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays (indices never carry gradient)."""
    if isinstance(index, Tensor):
        arr = index.data
        if arr.dtype.kind not in "biu":
            raise IndexError(
                f"getitem: tensors used as indices must be integer (int64) or boolean, got {arr.dtype}; "
                "convert with .long() (or .bool() for a mask)"
            )
        return int(arr) if arr.ndim == 0 and arr.dtype.kind in "iu" else arr
    if isinstance(index, tuple):
        return tuple(_index_arg(i) for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new tensor, as ``torch.tensor`` infers its dtype: integers give int64, booleans bool, and floats
    keep gradwork's default (float64, or the dtype of a float array). ``Tensor(...)`` is always float."""
    if dtype is None and not isinstance(data, Tensor):
        kind = _data_kind(data)
        if kind is not None:
            arr = np.array(data)  # a copy; an integer array keeps its dtype, Python ints become int64
            if kind == "i" and not isinstance(data, np.ndarray):
                arr = arr.astype(np.int64)
            t = Tensor._make(arr)
            if requires_grad is not False:
                t.requires_grad_(requires_grad)
            return t
    if dtype is None and isinstance(data, Tensor) and data.data.dtype.kind != "f":
        return Tensor._make(data.data.copy())
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _data_kind(data: Any) -> str | None:
    """'i' or 'b' for integer or boolean data (what ``tensor`` keeps as such), None for anything else."""
    if isinstance(data, np.ndarray):
        return data.dtype.kind if data.dtype.kind in "biu" else None
    if isinstance(data, (bool, np.bool_)):
        return "b"
    if isinstance(data, (int, np.integer)):
        return "i"
    if isinstance(data, (list, tuple)) and data:
        try:
            arr = np.asarray(data)
        except ValueError:
            return None  # ragged: Tensor() says so
        return {"b": "b", "i": "i", "u": "i"}.get(arr.dtype.kind)
    return None


def as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def concatenate(tensors: Sequence[Any], dim: Any = None, *, axis: Any = None) -> Tensor:
    """Join tensors along an existing axis ``dim`` (0 by default; ``cat`` is the same function, torch's name)."""
    ts = _seq(tensors, "concatenate")
    d = _join_dim(dim, axis, "concatenate")
    nd = ts[0].data.ndim
    if nd == 0:
        raise ValueError(
            "concatenate: 0-d tensors cannot be joined along an axis; use stack, or unsqueeze(0) them first"
        )
    return _shape.Concatenate.apply(*ts, axis=_api.check_dim(d, nd, "concatenate"))


def stack(tensors: Sequence[Any], dim: Any = None, *, axis: Any = None) -> Tensor:
    """Join tensors of one shape along a new axis ``dim`` (0 by default)."""
    ts = _seq(tensors, "stack")
    d = _join_dim(dim, axis, "stack")
    first = ts[0].data.shape
    for t in ts:
        if t.data.shape != first:
            raise ValueError(f"stack: every tensor must have the same shape, got {first} and {t.data.shape}")
    return _shape.Stack.apply(*ts, axis=_api.check_dim(d, ts[0].data.ndim + 1, "stack"))


def _join_dim(dim: Any, axis: Any, op: str) -> Any:
    """torch's ``dim`` or numpy's ``axis`` (0 when neither is given)."""
    if axis is None:
        return 0 if dim is None else dim
    if dim is not None:
        raise TypeError(f"{op}: give dim (torch) or axis (numpy), not both")
    return axis


def _seq(tensors: Any, op: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [Tensor._lift(t, first, op) for t in tensors]


from .ops import arith as _arith  # noqa: E402
from .ops import matmul as _matmul  # noqa: E402
from .ops import reduce as _reduce  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from .ops import unary as _unary  # noqa: E402
from . import torchops as _tops  # noqa: E402
from .ops import select as _select  # noqa: E402

from . import inplace as _inplace  # noqa: E402
from . import fusion as _fusion  # noqa: E402

_MatMul = _matmul.MatMul
from . import torch_more as _more  # noqa: E402  (more torch ops; installs their Tensor methods)
from . import torch_extra as _extra  # noqa: E402,F401  (installs to(device), random fills, in-place twins, ...)
from . import torch_misc as _misc  # noqa: E402  (print options, contiguous)
from . import tensor_str as _tensor_str  # noqa: E402  (torch's layout of the printed numbers)

_misc.install(Tensor)

_generic.Tensor = Tensor
_dual.register_tensor_where(_arith.where)
_dual.register_tensor_concatenate(concatenate)


def _refs_of_a_lone_local() -> int:
    """What ``sys.getrefcount`` reports for an array held by one local variable and nothing else.

    Measured rather than assumed (2 on CPython 3.11; versions that borrow references count fewer),
    in the same shape of code as ``Tensor._deliver``.
    """
    g = np.empty(0)
    return _getrefcount(g)


_LONE_REFS = _refs_of_a_lone_local()
