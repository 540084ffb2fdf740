"""A way out: ``to_torch``, ``from_torch`` and ``export_onnx`` for gradwork's layers.

    torch_model = nn.to_torch(model)              # the same network as torch.nn modules, same weights
    model = nn.from_torch(torch_model)            # and back
    nn.export_onnx(model, x, "model.onnx")        # an ONNX graph (opset 17) that ONNX Runtime runs

Each layer kind has one converter per direction, kept together in the table
``CONVERTERS`` (layer class -> ``Converter``): a new layer adds its own entry
with ``register``. Torch, onnx and onnxruntime are optional
(``pip install "gradwork[export]"``); nothing here imports them until called.
A model of a kind with no converter (for example a Module subclass with its
own ``forward``) raises ``TypeError`` naming the layer.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import autograd
from autograd import Tensor

from . import activations as A
from .layers import MLP, Dropout, Flatten, Linear, Sequential
from .module import Module, parameter_array

__all__ = ["to_torch", "from_torch", "export_onnx", "register", "Converter", "CONVERTERS", "OPSET"]

OPSET = 17


@dataclass
class Converter:
    """How one layer kind crosses over.

    ``to_torch(layer, torch)`` returns the torch module (weights copied);
    ``torch_name`` is the torch class it maps from and ``from_torch(module)`` builds
    our layer from one; ``onnx(layer, graph, x, shape)`` appends ONNX nodes that
    compute the layer from the value named ``x`` (of the static ``shape``) and returns the output's name.
    """

    to_torch: Callable[[Any, Any], Any] | None = None
    torch_name: str | None = None
    from_torch: Callable[[Any], Any] | None = None
    onnx: Callable[[Any, "_Graph", str, tuple], str] | None = None


CONVERTERS: dict[type, Converter] = {}


def register(cls: type, converter: Converter) -> None:
    """Add (or replace) the converter of a layer class."""
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register: expected a Module subclass, got {cls!r}")
    CONVERTERS[cls] = converter


def _torch(op: str) -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(f"{op}: PyTorch is not installed; pip install torch (or \"gradwork[export]\")") from None
    return torch


def _converter(layer: Any, op: str, part: str) -> Converter:
    conv = CONVERTERS.get(type(layer))
    if conv is None or getattr(conv, part) is None:
        known = ", ".join(sorted(c.__name__ for c, v in CONVERTERS.items() if getattr(v, part) is not None))
        raise TypeError(
            f"{op}: no converter for {type(layer).__name__} (a layer kind {op} does not support); supported: "
            f"{known}. For a Module subclass with its own forward, convert its layers one by one, or move the "
            "weights with state_dict() and save_safetensors"
        )
    return conv


def _array(p: Any) -> np.ndarray:
    return np.array(parameter_array(p), copy=True)


def _from_array(torch: Any, arr: np.ndarray) -> Any:
    return torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(arr).copy()))


def _np(t: Any) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


# ------------------------------------------------------------------- torch


def to_torch(model: Module) -> Any:
    """The equivalent ``torch.nn`` module, with the same weights (in the same dtype), in the same train/eval mode."""
    if not isinstance(model, Module):
        raise TypeError(f"to_torch: expected a gradwork nn.Module, got {type(model).__name__}")
    torch = _torch("to_torch")
    out = _converter(model, "to_torch", "to_torch").to_torch(model, torch)
    out.train(model.training)
    return out


def from_torch(module: Any) -> Module:
    """The gradwork model equivalent to a ``torch.nn`` module, with the same weights."""
    if isinstance(module, Module) or not hasattr(module, "state_dict"):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    torch = _torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    name = type(module).__name__
    for conv in CONVERTERS.values():
        if conv.torch_name == name and conv.from_torch is not None:
            out = conv.from_torch(module)
            out.train(module.training)
            return out
    known = ", ".join(sorted({c.torch_name for c in CONVERTERS.values() if c.from_torch is not None}))
    raise TypeError(f"from_torch: no converter for torch.nn.{name}; supported: {known}")


def _linear_to_torch(m: Linear, torch: Any) -> Any:
    w = _array(m.weight)
    out = torch.nn.Linear(m.in_features, m.out_features, bias=m.bias is not None, dtype=_torch_dtype(torch, w))
    with torch.no_grad():
        out.weight.copy_(torch.from_numpy(w))
        if m.bias is not None:
            out.bias.copy_(torch.from_numpy(_array(m.bias)))
    return out


def _torch_dtype(torch: Any, arr: np.ndarray) -> Any:
    return torch.float64 if arr.dtype == np.float64 else torch.float32


def _linear_from_torch(t: Any) -> Linear:
    m = Linear(t.in_features, t.out_features, bias=t.bias is not None)
    state = {"weight": _np(t.weight)}
    if t.bias is not None:
        state["bias"] = _np(t.bias)
    return _with_weights(m, state)


def _with_weights(m: Module, state: dict) -> Module:
    dtype = next(iter(state.values())).dtype
    if dtype == np.float64:
        m.double()
    elif dtype == np.float32:
        m.float()
    m.load_state_dict(state)
    return m


def _sequential_to_torch(m: Sequential, torch: Any) -> Any:
    return torch.nn.Sequential(*[to_torch(child) for child in m._modules.values()])


def _sequential_from_torch(t: Any) -> Sequential:
    return Sequential(*[from_torch(child) for child in t.children()])


def _dim(m: Any) -> int:
    """The softmax axis of a layer, whichever spelling it keeps (``dim`` or ``axis``)."""
    d = getattr(m, "dim", None)
    return int(getattr(m, "axis", -1) if d is None else d)


def _flatten_range(m: Any) -> tuple[int, int]:
    start = getattr(m, "start_dim", getattr(m, "start_axis", 1))
    end = getattr(m, "end_dim", getattr(m, "end_axis", -1))
    return int(start), int(end)


def _simple(torch_name: str, make: Callable[[Any, Any], Any], back: Callable[[Any], Any]) -> Converter:
    return Converter(to_torch=make, torch_name=torch_name, from_torch=back)


def _register_builtins() -> None:
    register(Linear, Converter(_linear_to_torch, "Linear", _linear_from_torch, _onnx_linear))
    register(Sequential, Converter(_sequential_to_torch, "Sequential", _sequential_from_torch, _onnx_sequential))
    register(MLP, Converter(_sequential_to_torch, None, None, _onnx_sequential))
    plain = {
        A.Identity: "Identity", A.ReLU: "ReLU", A.Tanh: "Tanh", A.Sigmoid: "Sigmoid", A.SiLU: "SiLU",
        A.Mish: "Mish",
    }
    for cls, name in plain.items():
        register(cls, Converter(
            lambda m, torch, name=name: getattr(torch.nn, name)(), name,
            lambda t, cls=cls: cls(), _onnx_activation,
        ))
    register(A.LeakyReLU, Converter(
        lambda m, torch: torch.nn.LeakyReLU(m.negative_slope), "LeakyReLU",
        lambda t: A.LeakyReLU(t.negative_slope), _onnx_activation,
    ))
    register(A.ELU, Converter(
        lambda m, torch: torch.nn.ELU(m.alpha), "ELU", lambda t: A.ELU(t.alpha), _onnx_activation,
    ))
    register(A.GELU, Converter(
        lambda m, torch: torch.nn.GELU(approximate=m.approximate), "GELU",
        lambda t: A.GELU(approximate=t.approximate), _onnx_activation,
    ))
    register(A.Softplus, Converter(_softplus_to_torch, "Softplus", _softplus_from_torch, _onnx_activation))
    register(A.Softmax, Converter(
        lambda m, torch: torch.nn.Softmax(dim=_dim(m)), "Softmax", lambda t: _softmax_like(A.Softmax, t.dim),
        _onnx_activation,
    ))
    register(A.LogSoftmax, Converter(
        lambda m, torch: torch.nn.LogSoftmax(dim=_dim(m)), "LogSoftmax",
        lambda t: _softmax_like(A.LogSoftmax, t.dim), _onnx_activation,
    ))
    register(A.PReLU, Converter(_prelu_to_torch, "PReLU", _prelu_from_torch, _onnx_prelu))
    register(Dropout, Converter(
        lambda m, torch: torch.nn.Dropout(m.p, m.inplace), "Dropout", lambda t: Dropout(t.p, t.inplace), _onnx_identity,
    ))
    register(Flatten, Converter(
        lambda m, torch: torch.nn.Flatten(*_flatten_range(m)), "Flatten", _flatten_from_torch, _onnx_flatten,
    ))


def _softmax_like(cls: type, dim: Any) -> Any:
    dim = -1 if dim is None else int(dim)
    try:
        return cls(dim=dim)
    except TypeError:
        return cls(dim)


def _flatten_from_torch(t: Any) -> Flatten:
    try:
        return Flatten(start_dim=t.start_dim, end_dim=t.end_dim)
    except TypeError:
        return Flatten(t.start_dim, t.end_dim)


def _softplus_to_torch(m: Any, torch: Any) -> Any:
    threshold = getattr(m, "threshold", 20.0)
    return torch.nn.Softplus(beta=getattr(m, "beta", 1.0), threshold=math.inf if threshold is None else threshold)


def _softplus_from_torch(t: Any) -> Any:
    try:
        return A.Softplus(beta=t.beta, threshold=None if math.isinf(t.threshold) else t.threshold)
    except TypeError:  # a Softplus without beta/threshold arguments
        if t.beta == 1.0:
            return A.Softplus()
        raise TypeError(f"from_torch: Softplus(beta={t.beta}) needs a gradwork Softplus with beta") from None


def _prelu_to_torch(m: A.PReLU, torch: Any) -> Any:
    w = _array(m.weight)
    out = torch.nn.PReLU(num_parameters=w.size, dtype=_torch_dtype(torch, w))
    with torch.no_grad():
        out.weight.copy_(torch.from_numpy(w))
    return out


def _prelu_from_torch(t: Any) -> A.PReLU:
    return _with_weights(A.PReLU(num_parameters=t.num_parameters), {"weight": _np(t.weight)})


# -------------------------------------------------------------------- onnx


class _Graph:
    """ONNX nodes and initialisers under construction, with unique value names."""

    def __init__(self, helper: Any, numpy_helper: Any, dtype: np.dtype) -> None:
        self.helper, self.numpy_helper, self.dtype = helper, numpy_helper, np.dtype(dtype)
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, arr: Any, hint: str, dtype: Any = None) -> str:
        name = self.name(hint)
        arr = np.asarray(arr, dtype=self.dtype if dtype is None else dtype)
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def op(self, kind: str, inputs: list, hint: str | None = None, **attrs: Any) -> str:
        out = self.name(hint or kind.lower())
        self.nodes.append(self.helper.make_node(kind, inputs, [out], **attrs))
        return out


def export_onnx(model: Module, example_input: Any, path: str | os.PathLike, opset: int = OPSET) -> None:
    """Write ``model`` (in eval mode) as an ONNX graph for inputs shaped like ``example_input``; batch size free.

    The file passes ``onnx.checker`` and ONNX Runtime computes what ``model(x)`` does.
    """
    if not isinstance(model, Module):
        raise TypeError(f"export_onnx: expected a gradwork nn.Module, got {type(model).__name__}")
    if isinstance(opset, bool) or not isinstance(opset, int) or opset < OPSET:
        raise ValueError(f"export_onnx: opset must be an integer >= {OPSET}, got {opset!r}")
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise ImportError("export_onnx: the onnx package is not installed; pip install onnx "
                          "(or \"gradwork[export]\")") from None
    x = example_input.data if isinstance(example_input, Tensor) else np.asarray(example_input)
    if x.dtype.kind not in "fiu" or x.ndim == 0:
        raise ValueError(f"export_onnx: example_input must be a float array (or integer indices, for an "
                         f"Embedding) with a batch dimension, got {x.dtype} of shape {x.shape}")
    params = [parameter_array(p) for p in model.parameters()]
    dtype = params[0].dtype if params else (x.dtype if x.dtype.kind == "f" else np.dtype(np.float32))
    x = x.astype(dtype if x.dtype.kind == "f" else np.int64, copy=False)
    was_training = model.training
    model.eval()
    try:
        graph = _Graph(helper, numpy_helper, dtype)
        out_name = _onnx_layer(model, graph, "input", x.shape)
        with autograd.no_grad():
            y = model(Tensor(x))
    finally:
        model.train(was_training)
    if isinstance(y, tuple):  # (output, states) of a recurrent layer: the graph computes the output
        y = y[0]
    y = y.data if isinstance(y, Tensor) else np.asarray(y)
    elem = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT
    in_elem = elem if x.dtype.kind == "f" else TensorProto.INT64
    graph.nodes.append(helper.make_node("Identity", [out_name], ["output"]))
    in_shape = ["N", *x.shape[1:]]
    out_shape = ["N", *y.shape[1:]] if y.ndim and y.shape[0] == x.shape[0] else list(y.shape)
    g = helper.make_graph(
        graph.nodes, type(model).__name__,
        [helper.make_tensor_value_info("input", in_elem, in_shape)],
        [helper.make_tensor_value_info("output", elem, out_shape)],
        initializer=graph.initializers,
    )
    proto = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="gradwork")
    proto.ir_version = min(proto.ir_version, 8)  # readable by older onnxruntime builds too
    onnx.checker.check_model(proto)
    target = os.fspath(path)
    from autograd.serialization import _write_atomically

    data = proto.SerializeToString()
    _write_atomically(target, "export_onnx", lambda f: f.write(data))


def _onnx_layer(layer: Any, graph: _Graph, x: str, shape: tuple) -> str:
    return _converter(layer, "export_onnx", "onnx").onnx(layer, graph, x, shape)


def _shape_after(layer: Any, shape: tuple, dtype: np.dtype) -> tuple:
    """The output shape of ``layer`` for an input of ``shape`` (run on zeros, eval mode, no graph)."""
    with autograd.no_grad():
        y = layer(Tensor(np.zeros(shape, dtype=dtype)))
    if isinstance(y, tuple):  # a layer returning (output, extra): the output goes on
        y = y[0]
    return tuple(y.shape)


def _onnx_sequential(m: Sequential, graph: _Graph, x: str, shape: tuple) -> str:
    for child in m._modules.values():
        nxt = _shape_after(child, shape, graph.dtype)
        x = _onnx_layer(child, graph, x, shape)
        shape = nxt
    return x


def _onnx_linear(m: Linear, graph: _Graph, x: str, shape: tuple) -> str:
    w = graph.const(_array(m.weight).T, "weight_t")
    y = graph.op("MatMul", [x, w], "linear")
    if m.bias is not None:
        y = graph.op("Add", [y, graph.const(_array(m.bias), "bias")], "linear_bias")
    return y


def _onnx_identity(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    return graph.op("Identity", [x])


def _onnx_flatten(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    nd = len(shape)
    start, end = (d % nd for d in _flatten_range(m))
    target = [0] * start + [-1] + [int(s) for s in shape[end + 1:]]
    if start == 0:
        target = [-1] + [int(s) for s in shape[end + 1:]]
    return graph.op("Reshape", [x, graph.const(target, "shape", np.int64)], "flatten")


def _onnx_prelu(m: A.PReLU, graph: _Graph, x: str, shape: tuple) -> str:
    w = _array(m.weight)
    if w.size > 1 and len(shape) > 2:  # one slope per channel (dim 1), broadcast over the rest
        w = w.reshape((-1,) + (1,) * (len(shape) - 2))
    return graph.op("PRelu", [x, graph.const(w, "slope")])


def _onnx_activation(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    kind = type(m)
    if kind is A.Identity:
        return graph.op("Identity", [x])
    if kind is A.ReLU:
        return graph.op("Relu", [x])
    if kind is A.Tanh:
        return graph.op("Tanh", [x])
    if kind is A.Sigmoid:
        return graph.op("Sigmoid", [x])
    if kind is A.LeakyReLU:
        return graph.op("LeakyRelu", [x], alpha=float(m.negative_slope))
    if kind is A.ELU:
        return graph.op("Elu", [x], alpha=float(m.alpha))
    if kind is A.SiLU:
        return graph.op("Mul", [x, graph.op("Sigmoid", [x])], "silu")
    if kind is A.Softplus:
        return _onnx_softplus(m, graph, x)
    if kind is A.Mish:
        return graph.op("Mul", [x, graph.op("Tanh", [_onnx_softplus(None, graph, x)])], "mish")
    if kind is A.GELU:
        return _onnx_gelu(m.approximate, graph, x)
    if kind is A.Softmax:
        return graph.op("Softmax", [x], axis=_dim(m))
    if kind is A.LogSoftmax:
        return graph.op("LogSoftmax", [x], axis=_dim(m))
    raise TypeError(f"export_onnx: no ONNX form for {kind.__name__}")


def _onnx_softplus(m: Any, graph: _Graph, x: str) -> str:
    """log(1 + e**(beta x)) / beta, and x itself where beta x > threshold (torch's rule; None: no cut-off)."""
    beta = float(getattr(m, "beta", 1.0)) if m is not None else 1.0
    threshold = getattr(m, "threshold", None) if m is not None else None
    bx = x if beta == 1.0 else graph.op("Mul", [x, graph.const(beta, "beta")])
    soft = graph.op("Softplus", [bx])
    if beta != 1.0:
        soft = graph.op("Div", [soft, graph.const(beta, "beta")])
    if threshold is None:
        return soft
    big = graph.op("Greater", [bx, graph.const(float(threshold), "threshold")])
    return graph.op("Where", [big, x, soft], "softplus")


def _onnx_gelu(approximate: str, graph: _Graph, x: str) -> str:
    half = graph.const(0.5, "half")
    one = graph.const(1.0, "one")
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        x3 = graph.op("Mul", [graph.op("Mul", [x, x]), x])
        inner = graph.op("Add", [x, graph.op("Mul", [x3, graph.const(0.044715, "c")])])
        t = graph.op("Tanh", [graph.op("Mul", [inner, graph.const(math.sqrt(2.0 / math.pi), "k")])])
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        t = graph.op("Erf", [graph.op("Mul", [x, graph.const(1.0 / math.sqrt(2.0), "r")])])
    return graph.op("Mul", [graph.op("Mul", [x, half]), graph.op("Add", [t, one])], "gelu")


_register_builtins()

from . import export_layers  # noqa: E402,F401  (registers the layers that share torch's constructor and keys)
