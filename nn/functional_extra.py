"""More of ``torch.nn.functional``: celu, selu, softsign, hardsigmoid, hardswish, hardtanh, relu6,
softmin, normalize and pad (re-exported by ``nn.functional``).

The activations work in both modes: tensor mode applies the op from ``autograd/ops/elementwise.py``;
scalar mode builds the same function from ``Value`` ops, one node per number, with the same
derivative choices at the kinks. normalize and pad are tensor mode only.
"""

from __future__ import annotations

from typing import Any, Sequence

from autograd import Value
from autograd import torchops as T
from autograd.ops.elementwise import HARDSIGMOID_SLOPE, SELU_ALPHA, SELU_SCALE

from .inplace_arg import apply_inplace
from .modes import is_scalar, smap, to_tensor

__all__ = [
    "celu", "selu", "softsign", "hardsigmoid", "hardswish", "hardtanh", "relu6", "softmin", "normalize", "pad",
    "EXTRA_ACTIVATIONS",
]


def _const(v: Value, c: float) -> Value:
    """The constant c as a node that depends on v with derivative 0 (the flat parts of the hard functions)."""
    return v * 0.0 + c


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """max(0, x) + min(0, alpha (e**(x/alpha) - 1)); derivative 1 or e**(x/alpha)."""
    if inplace is not False:
        return apply_inplace(input, inplace, "celu", lambda t: celu(t, alpha))
    if is_scalar(input):
        a = T._number(alpha, "celu", "alpha")
        if a == 0:
            raise ValueError("celu: alpha must not be 0 (it divides x); use relu for the alpha -> 0 limit")
        return smap(lambda v: v if v.data > 0 else ((v * (1.0 / a)).exp() - 1.0) * a, input)
    return T.celu(to_tensor(input, "celu"), alpha)


def selu(input: Any, inplace: bool = False) -> Any:
    """scale (max(0, x) + min(0, alpha (e**x - 1))), scale = 1.0507..., alpha = 1.6732..."""
    if inplace is not False:
        return apply_inplace(input, inplace, "selu", selu)
    if is_scalar(input):
        return smap(lambda v: v * SELU_SCALE if v.data > 0 else (v.exp() - 1.0) * (SELU_SCALE * SELU_ALPHA), input)
    return T.selu(to_tensor(input, "selu"))


def softsign(input: Any) -> Any:
    """x / (1 + |x|); derivative 1 / (1 + |x|)**2."""
    if is_scalar(input):
        return smap(lambda v: v / (v.abs() + 1.0), input)
    return T.softsign(to_tensor(input, "softsign"))


def hardsigmoid(input: Any, inplace: bool = False) -> Any:
    """clip(x/6 + 1/2, 0, 1); derivative 1/6 strictly inside (-3, 3), else 0 (1/6 in float32, as torch's)."""
    if inplace is not False:
        return apply_inplace(input, inplace, "hardsigmoid", hardsigmoid)
    if is_scalar(input):
        return smap(lambda v: Value._node(v.data / 6 + 0.5, (v,), (HARDSIGMOID_SLOPE,), "hardsigmoid")
                    if -3 < v.data < 3 else _const(v, 0.0 if v.data <= -3 else 1.0), input)
    return T.hardsigmoid(to_tensor(input, "hardsigmoid"))


def hardswish(input: Any, inplace: bool = False) -> Any:
    """x hardsigmoid(x); derivative 0 below -3, x/3 + 1/2 on [-3, 3], 1 above."""
    if inplace is not False:
        return apply_inplace(input, inplace, "hardswish", hardswish)
    if is_scalar(input):
        return smap(lambda v: _const(v, 0.0) if v.data < -3 else (v if v.data > 3 else v * (v * (1.0 / 6) + 0.5)),
                    input)
    return T.hardswish(to_tensor(input, "hardswish"))


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Any:
    """clip(x, min_val, max_val); derivative 1 strictly inside, else 0."""
    if inplace is not False:
        return apply_inplace(input, inplace, "hardtanh", lambda t: hardtanh(t, min_val, max_val))
    if is_scalar(input):
        lo, hi = T._number(min_val, "hardtanh", "min_val"), T._number(max_val, "hardtanh", "max_val")
        if lo > hi:
            raise ValueError(f"hardtanh: min_val={lo:g} is greater than max_val={hi:g}; swap them")
        return smap(lambda v: v if lo < v.data < hi else _const(v, lo if v.data <= lo else hi), input)
    return T.hardtanh(to_tensor(input, "hardtanh"), min_val, max_val)


def relu6(input: Any, inplace: bool = False) -> Any:
    """min(max(x, 0), 6); derivative 1 strictly inside (0, 6), else 0."""
    if inplace is not False:
        return apply_inplace(input, inplace, "relu6", relu6)
    if is_scalar(input):
        return hardtanh(input, 0.0, 6.0)
    return T.relu6(to_tensor(input, "relu6"))


def softmin(input: Any, dim: int = -1, _stacklevel: int = 3, dtype: Any = None) -> Any:
    """softmax(-x) along ``dim``: weights that favour the smallest entries (``dtype``: x cast to it first)."""
    if dtype is not None:
        return softmin(to_tensor(input, "softmin").astype(dtype), dim)
    if is_scalar(input):
        from .functional import softmax

        return softmax(smap(lambda v: -v, input), dim)
    return T.softmin(to_tensor(input, "softmin"), dim)


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Any:
    """x / max(||x||_p along dim, eps) (tensor mode)."""
    return T.normalize(to_tensor(input, "normalize"), p, dim, eps)


def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Any:
    """x padded, torch's order: (left, right) of the last axis first; modes constant, reflect, replicate, circular."""
    return T.pad(to_tensor(input, "pad"), pad, mode, value)


EXTRA_ACTIVATIONS = {
    "celu": celu,
    "selu": selu,
    "softsign": softsign,
    "hardsigmoid": hardsigmoid,
    "hard_sigmoid": hardsigmoid,
    "hardswish": hardswish,
    "hard_swish": hardswish,
    "hardtanh": hardtanh,
    "hard_tanh": hardtanh,
    "relu6": relu6,
    "softmin": softmin,
}
