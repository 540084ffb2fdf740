"""``Module`` and ``Parameter``: the containers every layer is built from.

A module registers what is assigned to its attributes: parameters, other
modules, and lists of either. A parameter is, in tensor mode, a ``Parameter``
(a Tensor that requires grad) and, in scalar mode, one ``Value`` per number:
a bare ``Value`` for a single number, or a numpy object array of ``Value``s
with the same shape the tensor would have. So both modes share parameter
names and shapes, ``state_dict()`` is the same plain-numpy dictionary in both,
and a model converts from one mode to the other (``to_scalar``/``to_tensor``).
"""

from __future__ import annotations

import copy
import difflib
from typing import Any, Callable, Iterator, NamedTuple

import numpy as np

from autograd import Tensor, Value
from autograd.torch_extra import _check_cpu, _is_device
from autograd.tracing import replayable

from . import hooks as _hooks

MODES = ("tensor", "scalar")


class Parameter(Tensor):
    """A Tensor that a Module registers as a trainable weight (requires grad unless told otherwise)."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """torch.nn.Buffer: a tensor that becomes a buffer (``register_buffer``) when assigned to a module attribute.

    ``persistent=False`` keeps it out of ``state_dict``. The module stores a plain Tensor, as torch does.
    """

    __slots__ = ("persistent",)

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        arr = np.zeros(0) if data is None else (data.data if isinstance(data, Tensor) else np.asarray(data))
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"Buffer: data must be numbers (a Tensor or an array), got dtype {arr.dtype}")
        super().__init__(np.zeros(0))
        self.data = arr  # its own dtype kept (int buffers stay int), as torch's
        self.persistent = bool(persistent)


# ------------------------------------------------------------ parameter helpers


def check_mode(mode: Any, where: str) -> str:
    if mode not in MODES:
        raise ValueError(f"{where}: mode must be 'tensor' or 'scalar', got {mode!r}")
    return mode


def is_parameter(x: Any) -> bool:
    """True for what a Module registers as a parameter: a Parameter, or leaf Values (one, or an object array).

    Values computed from others (outputs kept as attributes) are not parameters.
    """
    if isinstance(x, Parameter):
        return True
    if type(x) is Value:
        return not x._parents
    return (isinstance(x, np.ndarray) and x.dtype == object and x.size > 0
            and all(type(v) is Value and not v._parents for v in x.flat))


def is_scalar_parameter(p: Any) -> bool:
    return type(p) is Value or isinstance(p, np.ndarray)


def parameter_values(p: Any) -> list:
    """The Values of a scalar-mode parameter, in row-major order."""
    return [p] if type(p) is Value else list(p.flat)


def parameter_array(p: Any) -> np.ndarray:
    """A float copy of a parameter's numbers (any mode)."""
    if isinstance(p, Tensor):
        return p.data.copy()
    if type(p) is Value:
        return np.array(p.data, dtype=np.float64)
    return np.array([v.data for v in p.flat], dtype=np.float64).reshape(p.shape)


def parameter_shape(p: Any) -> tuple:
    return () if type(p) is Value else tuple(p.shape)


def assign_parameter(p: Any, arr: np.ndarray) -> None:
    """Overwrite a parameter's numbers in place (its identity, and so an optimiser's hold on it, is kept)."""
    if isinstance(p, Tensor):
        p.data[...] = arr
    elif type(p) is Value:
        p.data = float(arr)
    else:
        for v, a in zip(p.flat, np.asarray(arr, dtype=np.float64).ravel().tolist()):
            v.data = a


def scalar_parameter(arr: Any, label: str = "") -> Any:
    """Values for the numbers of ``arr``: a bare Value for a 0-d array, else an object array of Values."""
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 0:
        return Value(float(arr), label=label)
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(arr.shape):
        out[idx] = Value(float(arr[idx]), label=f"{label}[{','.join(map(str, idx))}]" if label else "")
    return out


def make_parameter(arr: Any, mode: str, label: str = "") -> Any:
    """A parameter holding ``arr`` in the given mode."""
    if mode == "scalar":
        return scalar_parameter(arr, label)
    return Parameter(np.asarray(arr, dtype=np.float64))


def _convert_parameter(p: Any, mode: str, label: str) -> Any:
    """A fresh parameter in ``mode`` with ``p``'s numbers (no gradient, no shared memory)."""
    return make_parameter(parameter_array(p), mode, label)


class LoadResult(NamedTuple):
    """What ``load_state_dict`` left out: torch's ``_IncompatibleKeys``, with its message when nothing was."""

    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"LoadResult(missing_keys={self.missing_keys!r}, unexpected_keys={self.unexpected_keys!r})"

    __str__ = __repr__


class StateDictKeyError(KeyError, RuntimeError):
    """A strict ``load_state_dict`` met missing or unexpected keys (torch raises RuntimeError; KeyError kept)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class StateDictShapeError(ValueError, RuntimeError):
    """A ``load_state_dict`` entry has another shape than the model's (torch raises RuntimeError)."""


# ----------------------------------------------------------------------- Module


class Module:
    """Base class of layers and models: subclass it, assign parameters and sub-modules, define ``forward``."""

    _has_hooks = False  # class default: a module without hooks calls forward directly
    _optional_buffers: tuple = ()  # buffers a state may lack (torch fills BatchNorm's num_batches_tracked)
    _forward_pre_hooks: dict = {}
    _forward_hooks: dict = {}
    _backward_hooks: dict = {}

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._has_hooks:
            return _hooks.call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ----------------------------------------------------------------- hooks
    def _hook_dict(self, name: str) -> dict:
        d = self.__dict__.get(name)
        if d is None:
            d = {}
            object.__setattr__(self, name, d)
        return d

    def _refresh_hooks(self) -> None:
        on = bool(self._forward_pre_hooks or self._forward_hooks or self._backward_hooks)
        object.__setattr__(self, "_has_hooks", on)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False) -> _hooks.RemovableHandle:
        """``hook(module, args)`` before each forward; it may return new args (a tuple, or one value)."""
        return _hooks.add_hook(self._hook_dict("_forward_pre_hooks"), hook, self, prepend,
                               f"{type(self).__name__}.register_forward_pre_hook")

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False) -> _hooks.RemovableHandle:
        """``hook(module, args, output)`` after each forward; it may return a new output."""
        return _hooks.add_hook(self._hook_dict("_forward_hooks"), hook, self, prepend,
                               f"{type(self).__name__}.register_forward_hook")

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> _hooks.RemovableHandle:
        """``hook(module, grad_input, grad_output)`` once per backward, with dL/d(inputs) and dL/d(outputs).

        Both are tuples of Tensors (None for an input that is not a Tensor requiring
        grad); the hook may return a tuple to replace grad_input.
        """
        return _hooks.add_hook(self._hook_dict("_backward_hooks"), hook, self, prepend,
                               f"{type(self).__name__}.register_full_backward_hook")

    # ------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise RuntimeError(
                f"{type(self).__name__}: assign attributes only after calling super().__init__() in __init__"
            )
        modules = self.__dict__["_modules"]
        if type(value) is Buffer:  # torch's nn.Buffer: registered, and kept as a plain Tensor
            if name in self.__dict__.get("_buffers", {}):
                del self.__dict__["_buffers"][name]
                self.__dict__["_non_persistent_buffers"].discard(name)
            self.register_buffer(name, Tensor._make(value.data), value.persistent)
            return
        buffers = self.__dict__.get("_buffers")
        if buffers and name in buffers:
            if value is not None and not isinstance(value, (Tensor, np.ndarray)):
                raise TypeError(
                    f"{type(self).__name__}.{name} is a buffer: assign a Tensor, an array or None, "
                    f"not {type(value).__name__}"
                )
            buffers[name] = value
            return
        value = _wrap_sequence(value)
        if is_parameter(value):
            modules.pop(name, None)
            self.__dict__.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            self.__dict__.pop(name, None)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}.{name} is a parameter: assign a Parameter, a Value, an object array "
                    f"of Values or None, not {type(value).__name__}; to change its numbers use load_state_dict"
                )
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a sub-module: assign a Module or None")
            modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        if name in d.get("_parameters", {}):
            return d["_parameters"][name]
        if name in d.get("_modules", {}):
            return d["_modules"][name]
        if name in d.get("_buffers", {}):
            return d["_buffers"][name]
        known = [n for n in dir(type(self)) if not n.startswith("_")]
        known += [n for n in d if not n.startswith("_")]
        known += list(d.get("_parameters", {})) + list(d.get("_modules", {}))
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}{hint}")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d["_parameters"]:
            del d["_parameters"][name]
        elif name in d["_modules"]:
            del d["_modules"][name]
        elif name in d.get("_buffers", {}):
            del d["_buffers"][name]
            d["_non_persistent_buffers"].discard(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._modules)
                      | set(self.__dict__.get("_buffers", {})))

    # ------------------------------------------------------------------ walks
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """(dotted name, module) for this module and every module inside it, each once (torch's arguments)."""
        if isinstance(memo, str):  # the old spelling named_modules("prefix")
            memo, prefix = None, memo
        seen: set[int] = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in seen:
                    continue
                seen.add(id(mod))
            yield name, mod
            children = [(f"{name}.{k}" if name else k, m) for k, m in mod._modules.items() if m is not None]
            stack.extend(reversed(children))

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every submodule, then on this one (as torch does, e.g. for a custom init); returns self."""
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}.apply: fn must be a function of a module, got {type(fn).__name__}")
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def add_module(self, name: str, module: "Module | None") -> None:
        """Register ``module`` as a submodule called ``name`` (what ``self.name = module`` does)."""
        self._check_name(name, "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.add_module: {name!r} must be a Module, got {type(module).__name__}")
        if module is None:
            self.__dict__["_modules"][name] = None
        else:
            setattr(self, name, module)

    def register_parameter(self, name: str, param: Any) -> None:
        """Register ``param`` (a Parameter, a Value, an object array of Values, or None) as ``name``."""
        self._check_name(name, "register_parameter")
        if param is None:
            self.__dict__["_parameters"][name] = None
            return
        if not is_parameter(param):
            raise TypeError(
                f"{type(self).__name__}.register_parameter: {name!r} must be a Parameter (a Tensor that requires "
                f"grad), a Value or an object array of Values, got {type(param).__name__}"
            )
        setattr(self, name, param)

    def _check_name(self, name: Any, method: str) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{type(self).__name__}.{method}: name must be an identifier string, got {name!r}")

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Switch gradient tracking of every tensor-mode parameter on or off (freeze a layer); returns self."""
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}.requires_grad_: expected True or False, got {requires_grad!r}")
        for _, p in self.named_parameters():
            if is_scalar_parameter(p):
                raise TypeError(
                    f"{type(self).__name__}.requires_grad_: scalar-mode parameters (Values) always track gradients; "
                    "freeze them by leaving them out of the optimiser"
                )
            p.requires_grad = bool(requires_grad)
        return self

    def modules(self) -> Iterator["Module"]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        for k, m in self._modules.items():
            if m is not None:
                yield k, m

    def children(self) -> Iterator["Module"]:
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Any]]:
        """(dotted name, parameter) pairs; a scalar-mode parameter is a Value or an object array of Values."""
        seen: set[int] = set()
        for mname, mod in (self.named_modules(prefix=prefix) if recurse else [(prefix, self)]):
            for pname, p in mod._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self, recurse: bool = True) -> list:
        """Every trainable number holder: Tensors in tensor mode, one ``Value`` per weight in scalar mode."""
        out: list = []
        for _, p in self.named_parameters(recurse=recurse):
            if is_scalar_parameter(p):
                out.extend(parameter_values(p))
            else:
                out.append(p)
        return out

    def num_parameters(self) -> int:
        """How many numbers the model learns."""
        return sum(int(np.prod(parameter_shape(p), dtype=np.int64)) for _, p in self.named_parameters())

    @property
    def mode(self) -> str | None:
        """'scalar' or 'tensor' from the parameters (None for a module without parameters)."""
        for p in self._parameters.values():  # its own first (a layer's weight): no walk over submodules
            if p is not None:
                return "scalar" if is_scalar_parameter(p) else "tensor"
        for _, p in self.named_parameters():
            return "scalar" if is_scalar_parameter(p) else "tensor"
        return None

    @mode.setter
    def mode(self, value: Any) -> None:
        raise AttributeError(
            f"{type(self).__name__}.mode follows the parameters and cannot be set; "
            "use model.to_scalar() or model.to_tensor() for a copy in the other mode"
        )

    def _label(self, name: str) -> str:
        """The label a scalar-mode parameter's Values carry (shown in drawings): w[i,j], b[i], ..."""
        return {"weight": "w", "bias": "b"}.get(name, name)

    # ---------------------------------------------------------------- buffers
    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Keep ``tensor`` (a Tensor, an array or None) as state that is not trained: running statistics.

        A buffer is an attribute, moved by ``.to``/``.double()``, and (when
        ``persistent``) saved in ``state_dict``; it is not in ``parameters()``.
        """
        self._check_name(name, "register_buffer")
        d = self.__dict__
        if name in d.get("_parameters", {}) or name in d.get("_modules", {}) or (
                name in d and name not in d.get("_buffers", {})):
            raise KeyError(f"{type(self).__name__}.register_buffer: attribute {name!r} already exists")
        if tensor is not None and not isinstance(tensor, (Tensor, np.ndarray)):
            raise TypeError(
                f"{type(self).__name__}.register_buffer: {name!r} must be a Tensor, an array or None, "
                f"got {type(tensor).__name__}"
            )
        if is_parameter(tensor):
            raise TypeError(
                f"{type(self).__name__}.register_buffer: {name!r} is a Parameter; use register_parameter for "
                "trained weights, or pass tensor.detach()"
            )
        if "_buffers" not in d:
            object.__setattr__(self, "_buffers", {})
            object.__setattr__(self, "_non_persistent_buffers", set())
        d["_buffers"][name] = tensor
        if persistent:
            d["_non_persistent_buffers"].discard(name)
        else:
            d["_non_persistent_buffers"].add(name)

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        """(dotted name, buffer) pairs for this module (and, with ``recurse``, every module inside it)."""
        seen: set[int] = set()
        for mname, mod in (self.named_modules(prefix=prefix) if recurse else [(prefix, self)]):
            for bname, b in mod.__dict__.get("_buffers", {}).items():
                if b is None or (remove_duplicate and id(b) in seen):
                    continue
                seen.add(id(b))
                yield (f"{mname}.{bname}" if mname else bname), b

    def buffers(self, recurse: bool = True) -> Iterator[Any]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def _persistent_buffers(self) -> Iterator[tuple[str, Any, "Module", str]]:
        for mname, mod in self.named_modules():
            skip = mod.__dict__.get("_non_persistent_buffers", ())
            for bname, b in mod.__dict__.get("_buffers", {}).items():
                if b is not None and bname not in skip:
                    yield (f"{mname}.{bname}" if mname else bname), b, mod, bname

    def _state_names(self) -> list[str]:
        """The state's keys in torch's order: module by module, its parameters, then its persistent buffers."""
        params = {id(p): name for name, p in self.named_parameters()}
        names: list[str] = []
        for mname, mod in self.named_modules():
            dot = f"{mname}." if mname else ""
            names += [dot + k for k, p in mod._parameters.items() if p is not None and params.get(id(p)) == dot + k]
            skip = mod.__dict__.get("_non_persistent_buffers", ())
            names += [dot + k for k, b in mod.__dict__.get("_buffers", {}).items() if b is not None and k not in skip]
        return names

    # ------------------------------------------------------------- training
    @replayable
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: None (torch's default) or zeros in place; 0.0 for Values."""
        for p in self.parameters():
            if type(p) is Value:
                p.grad = 0.0
            elif set_to_none or p.grad is None:
                p.grad = None
            else:
                g = p.grad
                arr = g.data if isinstance(g, Tensor) else g
                if arr.flags.writeable:
                    arr[...] = 0
                else:
                    p.grad = np.zeros_like(arr)

    def train(self, mode: bool = True) -> "Module":
        """Training mode (dropout active) for this module and all inside it; returns self."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"train: expected True or False, got {mode!r}; use .eval() for evaluation mode")
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """Evaluation mode (dropout is the identity); returns self."""
        return self.train(False)

    # ----------------------------------------------------------- state dict
    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter (and persistent buffer) as a numpy array (a copy), keyed by dotted name."""
        state = {name: parameter_array(p) for name, p in self.named_parameters()}
        for name, b, _, _ in self._persistent_buffers():
            state[name] = np.array(b.data if isinstance(b, Tensor) else b, copy=True)
        return {name: state[name] for name in self._state_names()}

    def load_state_dict(self, state: dict, strict: bool = True) -> LoadResult:
        """Copy numbers from ``state`` into the parameters in place; nothing changes if any entry is wrong."""
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict: expected a dict of arrays, got {type(state).__name__}")
        own = dict(self.named_parameters())
        bufs = {name: (mod, bname) for name, _, mod, bname in self._persistent_buffers()}
        own.update({name: mod._buffers[bname] for name, (mod, bname) in bufs.items()})
        own = {name: own[name] for name in self._state_names()}
        missing = [k for k in own if k not in state
                   and not (k in bufs and bufs[k][1] in type(bufs[k][0])._optional_buffers)]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"missing keys {missing}")
            if unexpected:
                parts.append(f"unexpected keys {unexpected}")
            raise StateDictKeyError(
                f"load_state_dict: {type(self).__name__} state does not match: {'; '.join(parts)}; "
                "pass strict=False to load the matching keys only"
            )
        arrays = {}
        for name, p in own.items():
            if name not in state:
                continue
            v = state[name]
            arr = np.asarray(v.data if isinstance(v, Tensor) else v)
            if arr.dtype.kind not in "fiub":
                raise TypeError(f"load_state_dict: {name!r} holds {arr.dtype} values; expected numbers")
            if arr.shape != (np.shape(p.data if isinstance(p, Tensor) else p) if name in bufs else parameter_shape(p)):
                raise StateDictShapeError(
                    f"load_state_dict: size mismatch: {name!r} has shape {arr.shape} in the state but "
                    f"{np.shape(getattr(p, 'data', p))} "
                    "in the model; build the model with the same layer sizes"
                )
            arrays[name] = arr
        for name, arr in arrays.items():
            if name in bufs:
                b = own[name]
                target = b.data if isinstance(b, Tensor) else b
                if target.flags.writeable:
                    target[...] = arr
                else:
                    mod, bname = bufs[name]
                    mod._buffers[bname] = np.array(arr, dtype=target.dtype)
            else:
                assign_parameter(own[name], arr)
        return LoadResult(missing, unexpected)

    # ----------------------------------------------------- mode conversion
    def to_mode(self, mode: str) -> "Module":
        """A copy of this model in ``mode`` ('scalar' or 'tensor') with the same numbers; self is unchanged."""
        check_mode(mode, "to_mode")
        return self._converted(mode, {})

    def to_scalar(self) -> "Module":
        """A copy with one ``Value`` per weight (same numbers, same outputs), for drawing and teaching."""
        return self.to_mode("scalar")

    def to_tensor(self) -> "Module":
        """A copy with ``Parameter`` Tensors (same numbers, same outputs), for speed."""
        return self.to_mode("tensor")

    def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False) -> "Module":
        """Cast every parameter (and its gradient) to a float dtype in place, e.g. ``model.to(np.float32)``.

        Tensor mode only (scalar mode computes in Python floats). Make the
        optimiser after the cast: its state follows the parameters' dtype.
        As in torch, a device may be given too (``model.to("cpu")``, ``model.to("cpu", np.float32)``):
        the CPU is the only one, and anything else is refused.
        """
        for a in args:
            if _is_device(a):
                device = a
            elif dtype is None:
                dtype = a
            else:
                raise TypeError(f"Module.to: got more than one dtype ({dtype!r} and {a!r}); give one dtype and/or "
                                "'cpu'")
        if device is not None:
            _check_cpu(device, "Module.to")  # anything but the CPU is refused
        if dtype is None:
            return self
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"Module.to: {dtype!r} is not a dtype; use np.float32 or np.float64") from None
        if dt.kind != "f":
            raise TypeError(f"Module.to: parameters must stay floating point, got {dt}; use np.float32 or np.float64")
        params = [p for _, p in self.named_parameters()]
        if any(is_scalar_parameter(p) for p in params):
            raise ValueError("Module.to: a scalar-mode model computes in Python floats; convert with to_tensor() first")
        for p in params:
            p.data = p.data.astype(dt, copy=False)
            if p.grad is not None:
                p.grad = p.grad.data.astype(dt, copy=False)
        for mod in self.modules():  # floating buffers follow (integer counters stay integers, as in torch)
            bufs = mod.__dict__.get("_buffers", {})
            for bname, b in bufs.items():
                if isinstance(b, Tensor) and b.data.dtype.kind == "f":
                    b.data = b.data.astype(dt, copy=False)
                elif isinstance(b, np.ndarray) and b.dtype.kind == "f":
                    bufs[bname] = b.astype(dt, copy=False)
        return self

    def float(self) -> "Module":
        """Parameters in float32 (``to(np.float32)``)."""
        return self.to(np.float32)

    def double(self) -> "Module":
        """Parameters in float64 (``to(np.float64)``)."""
        return self.to(np.float64)

    def _converted(self, mode: str, memo: dict) -> "Module":
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            if k not in ("_parameters", "_modules"):
                object.__setattr__(new, k, copy.deepcopy(v))
        params = {}
        for k, p in self._parameters.items():
            if p is not None and ("param", id(p)) not in memo:  # a shared parameter stays shared
                memo[("param", id(p))] = _convert_parameter(p, mode, self._label(k))
            params[k] = None if p is None else memo[("param", id(p))]
        object.__setattr__(new, "_parameters", params)
        object.__setattr__(
            new, "_modules", {k: None if m is None else m._converted(mode, memo) for k, m in self._modules.items()}
        )
        return new

    # ---------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr`` (override in layers)."""
        return ""

    def __repr__(self) -> str:
        name = type(self).__name__
        children = [(k, m) for k, m in self._modules.items() if m is not None]
        if not children:
            return f"{name}({self.extra_repr()})"
        lines = [f"{name}("] + ([f"  {self.extra_repr()}"] if self.extra_repr() else [])
        for k, m in children:
            body = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({k}): {body}")
        lines.append(")")
        return "\n".join(lines)


def _wrap_sequence(value: Any) -> Any:
    """A list or tuple of modules becomes a ModuleList, one of parameters a ParameterList."""
    if isinstance(value, (list, tuple)) and value:
        if all(isinstance(v, Module) for v in value):
            return ModuleList(value)
        if all(is_parameter(v) for v in value):
            return ParameterList(value)
    return value


class ModuleList(Module):
    """A list of modules, registered as ``0``, ``1``, ...; index it, iterate it, append to it."""

    def __init__(self, modules: Any = ()) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> "ModuleList":
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.append: expected a Module, got {type(module).__name__}")
        self._modules[str(len(self._modules))] = module
        return self

    def __getitem__(self, i: int) -> Module:
        items = list(self._modules.values())
        if isinstance(i, slice):
            return type(self)(items[i]) if type(self) is ModuleList else ModuleList(items[i])
        try:
            return items[i]
        except (IndexError, TypeError):
            raise IndexError(f"{type(self).__name__}: index {i!r} out of range for {len(items)} modules") from None

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))


class ModuleDict(Module):
    """Modules by name, in insertion order: ``d["enc"]``, ``for k in d``, ``d.items()``, ``d.update(...)``."""

    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def _key(self, key: Any) -> str:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict: keys must be non-empty strings without '.', got {key!r}")
        return key

    def __getitem__(self, key: str) -> Module:
        try:
            return self._modules[key]
        except (KeyError, TypeError):
            close = difflib.get_close_matches(str(key), list(self._modules), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KeyError(f"ModuleDict has no module {key!r}{hint}") from None

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict[{key!r}]: expected a Module, got {type(module).__name__}")
        self._modules[self._key(key)] = module

    def __delitem__(self, key: str) -> None:
        self[key]
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def __contains__(self, key: Any) -> bool:
        return key in self._modules

    def keys(self) -> list:
        return list(self._modules.keys())

    def values(self) -> list:
        return list(self._modules.values())

    def items(self) -> list:
        return list(self._modules.items())

    def pop(self, key: str) -> Module:
        m = self[key]
        del self._modules[key]
        return m

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Any) -> None:
        """Add (name, module) pairs from a dict, a ModuleDict or an iterable of pairs."""
        if isinstance(modules, (dict, ModuleDict)):
            pairs = list(modules.items())
        else:
            try:
                pairs = [tuple(kv) for kv in modules]
            except TypeError:
                raise TypeError(
                    f"ModuleDict.update: expected a dict or (name, module) pairs, got {type(modules).__name__}"
                ) from None
            for kv in pairs:
                if len(kv) != 2:
                    raise ValueError(f"ModuleDict.update: each entry must be a (name, module) pair, got {kv!r}")
        for k, m in pairs:
            self[k] = m


class ParameterList(Module):
    """A list of parameters, registered as ``0``, ``1``, ..."""

    def __init__(self, params: Any = ()) -> None:
        super().__init__()
        for p in params:
            self.append(p)

    def append(self, p: Any) -> "ParameterList":
        if not is_parameter(p):
            raise TypeError(
                "ParameterList.append: expected a Parameter, a Value or an object array of Values, "
                f"got {type(p).__name__}"
            )
        self._parameters[str(len(self._parameters))] = p
        return self

    def __getitem__(self, i: int) -> Any:
        return list(self._parameters.values())[i]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._parameters.values()))

    def extra_repr(self) -> str:
        return ", ".join(f"({k}): shape {parameter_shape(p)}" for k, p in self._parameters.items())
