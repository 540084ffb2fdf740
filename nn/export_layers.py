"""Converters for the layers whose constructor and ``state_dict`` match torch's name for name.

Convolution, pooling, normalisation, embedding and recurrent layers take the
arguments torch's do and keep their weights and buffers under torch's keys,
so one rule serves them all: build the twin with the same arguments, then
copy the ``state_dict``. ONNX forms are given where ONNX has the op
(convolution, pooling, batch and layer norm, embedding lookup, and the
RNN/LSTM/GRU layers, whose ``output`` ONNX's own recurrent ops compute with
the gates reordered to ONNX's layout). Registered by ``nn.export`` at import.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from .export import Converter, _Graph, register

__all__ = ["LAYERS"]

# our class name -> (module holding it, the constructor arguments shared with torch)
LAYERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Conv1d": ("conv", ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                        "bias", "padding_mode")),
    "Conv2d": ("conv", ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                        "bias", "padding_mode")),
    "ConvTranspose2d": ("conv", ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                                 "output_padding", "groups", "bias", "dilation")),
    "MaxPool1d": ("pooling", ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")),
    "MaxPool2d": ("pooling", ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")),
    "AvgPool1d": ("pooling", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")),
    "AvgPool2d": ("pooling", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                              "divisor_override")),
    "AdaptiveAvgPool1d": ("pooling", ("output_size",)),
    "AdaptiveAvgPool2d": ("pooling", ("output_size",)),
    "AdaptiveMaxPool1d": ("pooling", ("output_size", "return_indices")),
    "AdaptiveMaxPool2d": ("pooling", ("output_size", "return_indices")),
    "BatchNorm1d": ("normalization", ("num_features", "eps", "momentum", "affine", "track_running_stats")),
    "BatchNorm2d": ("normalization", ("num_features", "eps", "momentum", "affine", "track_running_stats")),
    "LayerNorm": ("normalization", ("normalized_shape", "eps", "elementwise_affine", "bias")),
    "GroupNorm": ("normalization", ("num_groups", "num_channels", "eps", "affine")),
    "Dropout2d": ("normalization", ("p", "inplace")),
    "Embedding": ("embedding", ("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
                                "scale_grad_by_freq", "sparse")),
    "RNN": ("rnn", ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout",
                    "bidirectional")),
    "LSTM": ("rnn", ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
                     "proj_size")),
    "GRU": ("rnn", ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")),
    "RNNCell": ("rnn", ("input_size", "hidden_size", "bias", "nonlinearity")),
    "LSTMCell": ("rnn", ("input_size", "hidden_size", "bias")),
    "GRUCell": ("rnn", ("input_size", "hidden_size", "bias")),
    "CELU": ("activations_extra", ("alpha",)),
    "SELU": ("activations_extra", ()),
    "Softsign": ("activations_extra", ()),
    "Hardsigmoid": ("activations_extra", ()),
    "Hardswish": ("activations_extra", ()),
    "Hardtanh": ("activations_extra", ("min_val", "max_val")),
    "ReLU6": ("activations_extra", ()),
    "Softmin": ("activations_extra", ("dim",)),
    "Unflatten": ("layers", ("dim", "unflattened_size")),
    "Conv3d": ("volumetric", ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                              "bias", "padding_mode")),
    "ConvTranspose3d": ("volumetric", ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                                       "output_padding", "groups", "bias", "dilation")),
    "MaxPool3d": ("volumetric", ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")),
    "AvgPool3d": ("volumetric", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                                 "divisor_override")),
    "AdaptiveAvgPool3d": ("volumetric", ("output_size",)),
    "AdaptiveMaxPool3d": ("volumetric", ("output_size", "return_indices")),
    "BatchNorm3d": ("volumetric", ("num_features", "eps", "momentum", "affine", "track_running_stats")),
    "Dropout3d": ("volumetric", ("p", "inplace")),
}


def _arguments(module: Any, names: tuple) -> dict:
    """The constructor arguments a layer was built with, read from its attributes (torch's or ours)."""
    out = {}
    for name in names:
        if not hasattr(module, name):
            continue
        value = getattr(module, name)
        if name in ("bias", "affine", "elementwise_affine") and not isinstance(value, (bool, np.bool_)):
            value = value is not None  # a parameter, or None
        if hasattr(value, "data") and hasattr(value, "shape") and name != "bias":
            continue
        out[name] = tuple(value) if isinstance(value, list) else value
    return out


def _dtype_of(state: dict) -> Any:
    for v in state.values():
        arr = np.asarray(v)
        if arr.dtype.kind == "f":
            return arr.dtype
    return None


def _make_to_torch(torch_name: str, names: tuple) -> Any:
    def to_torch(m: Any, torch: Any) -> Any:
        twin = getattr(torch.nn, torch_name)(**_arguments(m, names))
        state = m.state_dict()
        dtype = _dtype_of(state)
        if dtype == np.float64:
            twin = twin.double()
        ours = {k: torch.from_numpy(np.ascontiguousarray(np.asarray(v)).copy()) for k, v in state.items()}
        theirs = twin.state_dict()
        for k, v in ours.items():  # buffers such as num_batches_tracked keep torch's dtype
            if k in theirs:
                ours[k] = v.to(theirs[k].dtype)
        twin.load_state_dict(ours)
        return twin

    return to_torch


def _make_from_torch(cls: type, names: tuple) -> Any:
    def from_torch(t: Any) -> Any:
        m = cls(**_arguments(t, names))
        state = {k: v.detach().cpu().numpy().copy() for k, v in t.state_dict().items()}
        dtype = _dtype_of(state)
        if dtype == np.float64 and hasattr(m, "double"):
            m.double()
        elif dtype == np.float32 and hasattr(m, "float"):
            m.float()
        if state:
            m.load_state_dict(state)
        return m

    return from_torch


# ------------------------------------------------------------------ ONNX forms


def _pair(v: Any, nd: int) -> list[int]:
    return [int(x) for x in v] if isinstance(v, (tuple, list)) else [int(v)] * nd


def _onnx_conv(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    nd = len(shape) - 2
    if getattr(m, "padding_mode", "zeros") != "zeros":
        raise TypeError(f"export_onnx: {type(m).__name__} with padding_mode={m.padding_mode!r} has no ONNX form "
                        "here; use padding_mode='zeros'")
    k, s, d = _pair(m.kernel_size, nd), _pair(m.stride, nd), _pair(m.dilation, nd)
    if isinstance(m.padding, str):
        if m.padding == "valid":
            pads = [0] * nd * 2
        else:  # "same" (stride 1): torch puts the odd pixel at the end
            total = [di * (ki - 1) for di, ki in zip(d, k)]
            pads = [t // 2 for t in total] + [t - t // 2 for t in total]
    else:
        p = _pair(m.padding, nd)
        pads = p + p
    w = graph.const(np.asarray(m.weight.data), "conv_weight")
    inputs = [x, w] + ([graph.const(np.asarray(m.bias.data), "conv_bias")] if m.bias is not None else [])
    return graph.op("Conv", inputs, "conv", kernel_shape=k, strides=s, dilations=d, pads=pads, group=int(m.groups))


def _onnx_pool(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    nd = len(shape) - 2
    name = type(m).__name__
    if getattr(m, "return_indices", False):
        raise TypeError(f"export_onnx: {name}(return_indices=True) has no ONNX form here")
    k = _pair(m.kernel_size, nd)
    s = _pair(m.stride if m.stride is not None else m.kernel_size, nd)
    p = _pair(m.padding, nd)
    attrs: dict[str, Any] = {"kernel_shape": k, "strides": s, "pads": p + p, "ceil_mode": int(bool(m.ceil_mode))}
    if name.startswith("Max"):
        attrs["dilations"] = _pair(getattr(m, "dilation", 1), nd)
        return graph.op("MaxPool", [x], "maxpool", **attrs)
    if getattr(m, "divisor_override", None):
        raise TypeError(f"export_onnx: {name}(divisor_override=...) has no ONNX form here")
    attrs["count_include_pad"] = int(bool(m.count_include_pad))
    return graph.op("AveragePool", [x], "avgpool", **attrs)


def _onnx_adaptive(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    nd = len(shape) - 2
    out = _pair(m.output_size, nd)
    name = type(m).__name__
    if all(o == 1 for o in out):
        return graph.op("GlobalAveragePool" if "Avg" in name else "GlobalMaxPool", [x], "globalpool")
    size = [int(v) for v in shape[2:]]
    if any(si % oi for si, oi in zip(size, out)):
        raise TypeError(f"export_onnx: {name}(output_size={m.output_size}) on input {tuple(shape)} needs uneven "
                        "windows, which ONNX pooling cannot express; pick sizes that divide the input")
    k = [si // oi for si, oi in zip(size, out)]
    return graph.op("AveragePool" if "Avg" in name else "MaxPool", [x], "adaptivepool", kernel_shape=k, strides=k)


def _onnx_batchnorm(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    c = int(m.num_features)
    if getattr(m, "running_mean", None) is None:
        raise TypeError(f"export_onnx: {type(m).__name__}(track_running_stats=False) has no inference form; "
                        "export a model that tracks running statistics")
    scale = np.asarray(m.weight.data) if m.weight is not None else np.ones(c)
    bias = np.asarray(m.bias.data) if m.bias is not None else np.zeros(c)
    mean, var = np.asarray(getattr(m.running_mean, "data", m.running_mean)), \
        np.asarray(getattr(m.running_var, "data", m.running_var))
    ins = [x] + [graph.const(a, n) for a, n in ((scale, "bn_scale"), (bias, "bn_bias"), (mean, "bn_mean"),
                                                 (var, "bn_var"))]
    return graph.op("BatchNormalization", ins, "batchnorm", epsilon=float(m.eps))


def _onnx_layernorm(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    norm = m.normalized_shape if isinstance(m.normalized_shape, (tuple, list)) else (m.normalized_shape,)
    axis = len(shape) - len(norm)
    scale = np.asarray(m.weight.data) if getattr(m, "weight", None) is not None else np.ones(tuple(norm))
    ins = [x, graph.const(scale, "ln_scale")]
    if getattr(m, "bias", None) is not None:
        ins.append(graph.const(np.asarray(m.bias.data), "ln_bias"))
    return graph.op("LayerNormalization", ins, "layernorm", axis=axis, epsilon=float(m.eps))


def _onnx_embedding(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    idx = graph.op("Cast", [x], "indices", to=7)  # int64
    return graph.op("Gather", [graph.const(np.asarray(m.weight.data), "embedding"), idx], "embedding", axis=0)


def _onnx_elementwise(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    name = type(m).__name__
    if name == "SELU":
        return graph.op("Selu", [x])
    if name == "CELU":
        return graph.op("Celu", [x], alpha=float(m.alpha))
    if name == "Softsign":
        return graph.op("Softsign", [x])
    if name == "Hardsigmoid":
        return graph.op("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)
    if name == "Hardswish":
        return graph.op("HardSwish", [x])
    if name in ("Hardtanh", "ReLU6"):
        lo, hi = (0.0, 6.0) if name == "ReLU6" else (float(m.min_val), float(m.max_val))
        return graph.op("Clip", [x, graph.const(lo, "lo"), graph.const(hi, "hi")], "clip")
    if name == "Softmin":
        neg = graph.op("Neg", [x])
        return graph.op("Softmax", [neg], "softmin", axis=int(m.dim if m.dim is not None else -1))
    if name in ("Dropout2d", "Dropout3d"):
        return graph.op("Identity", [x])
    raise TypeError(f"export_onnx: no ONNX form for {name}")


# torch's gate blocks -> ONNX's: LSTM i f g o -> i o f c; GRU r z n -> z r h
_GATE_ORDER = {"LSTM": (0, 3, 1, 2), "GRU": (1, 0, 2), "RNN": (0,)}


def _gates(arr: np.ndarray, kind: str, h: int) -> np.ndarray:
    blocks = [arr[i * h:(i + 1) * h] for i in range(len(_GATE_ORDER[kind]))]
    return np.concatenate([blocks[i] for i in _GATE_ORDER[kind]], axis=0)


def _onnx_recurrent(m: Any, graph: _Graph, x: str, shape: tuple) -> str:
    """The layer's ``output`` (not the final states), layer by layer, each a ONNX RNN/LSTM/GRU op."""
    kind = type(m).__name__
    h, dirs = int(m.hidden_size), 2 if m.bidirectional else 1
    if getattr(m, "proj_size", 0):
        raise TypeError(f"export_onnx: LSTM(proj_size={m.proj_size}) has no ONNX form (ONNX's LSTM has no projection)")
    if kind == "RNN" and getattr(m, "nonlinearity", "tanh") not in ("tanh", "relu"):
        raise TypeError(f"export_onnx: RNN(nonlinearity={m.nonlinearity!r}) has no ONNX form")
    if m.batch_first:
        x = graph.op("Transpose", [x], "to_time_major", perm=[1, 0, 2])
    params = m._parameters
    for layer in range(int(m.num_layers)):
        sfx = ("", "_reverse")[:dirs]
        W = np.stack([_gates(np.asarray(params[f"weight_ih_l{layer}{d}"].data), kind, h) for d in sfx])
        R = np.stack([_gates(np.asarray(params[f"weight_hh_l{layer}{d}"].data), kind, h) for d in sfx])
        if m.bias:
            B = np.stack([np.concatenate([_gates(np.asarray(params[f"bias_ih_l{layer}{d}"].data), kind, h),
                                          _gates(np.asarray(params[f"bias_hh_l{layer}{d}"].data), kind, h)])
                          for d in sfx])
        else:
            B = np.zeros((dirs, 2 * W.shape[1]), dtype=W.dtype)
        attrs: dict[str, Any] = {"hidden_size": h, "direction": "bidirectional" if dirs == 2 else "forward"}
        if kind == "GRU":
            attrs["linear_before_reset"] = 1  # torch applies the reset gate after the hidden product
        if kind == "RNN":
            attrs["activations"] = ["Relu" if m.nonlinearity == "relu" else "Tanh"] * dirs
        y = graph.op(kind, [x, graph.const(W, "W"), graph.const(R, "R"), graph.const(B, "B")], kind.lower(),
                     **attrs)
        # Y: (seq, dirs, batch, hidden) -> (seq, batch, dirs * hidden), as torch lays out its output
        y = graph.op("Transpose", [y], "dirs_last", perm=[0, 2, 1, 3])
        x = graph.op("Reshape", [y, graph.const([0, 0, -1], "shape", np.int64)], "merge_dirs")
    if m.batch_first:
        x = graph.op("Transpose", [x], "to_batch_major", perm=[1, 0, 2])
    return x


_ONNX = {
    "RNN": _onnx_recurrent, "LSTM": _onnx_recurrent, "GRU": _onnx_recurrent,
    "Conv1d": _onnx_conv, "Conv2d": _onnx_conv,
    "MaxPool1d": _onnx_pool, "MaxPool2d": _onnx_pool, "AvgPool1d": _onnx_pool, "AvgPool2d": _onnx_pool,
    "AdaptiveAvgPool1d": _onnx_adaptive, "AdaptiveAvgPool2d": _onnx_adaptive,
    "AdaptiveMaxPool1d": _onnx_adaptive, "AdaptiveMaxPool2d": _onnx_adaptive,
    "BatchNorm1d": _onnx_batchnorm, "BatchNorm2d": _onnx_batchnorm, "LayerNorm": _onnx_layernorm,
    "Embedding": _onnx_embedding,
    "SELU": _onnx_elementwise, "CELU": _onnx_elementwise, "Softsign": _onnx_elementwise,
    "Hardsigmoid": _onnx_elementwise, "Hardswish": _onnx_elementwise, "Hardtanh": _onnx_elementwise,
    "ReLU6": _onnx_elementwise, "Softmin": _onnx_elementwise, "Dropout2d": _onnx_elementwise,
    "Conv3d": _onnx_conv, "MaxPool3d": _onnx_pool, "AvgPool3d": _onnx_pool, "AdaptiveAvgPool3d": _onnx_adaptive,
    "AdaptiveMaxPool3d": _onnx_adaptive,
    "BatchNorm3d": _onnx_batchnorm, "Dropout3d": _onnx_elementwise,
}


def _register() -> None:
    for name, (module, names) in LAYERS.items():
        try:
            cls = getattr(importlib.import_module(f"nn.{module}"), name)
        except (ImportError, AttributeError):
            continue  # a layer this build does not have
        register(cls, Converter(_make_to_torch(name, names), name, _make_from_torch(cls, names), _ONNX.get(name)))


_register()
