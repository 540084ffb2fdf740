"""Attention and its neighbours with torch's names, arguments, shapes and state_dict keys: ``F.glu``,
``F.rms_norm``, ``F.scaled_dot_product_attention``, ``F.multi_head_attention_forward``, ``F.dropout``,
``F.linear``; the modules ``GLU``, ``RMSNorm``, ``MultiheadAttention``, ``TransformerEncoderLayer`` and
``TransformerEncoder``.

Everything is made of recorded Tensor ops (matmul, softmax, layer norm, ...), so gradients, create_graph and
both backends come for free. A torch model's ``state_dict()`` loads into the same module here
(``load_state_dict``), and the outputs then agree with torch's to rounding (tested in float64).
Dropout masks come from gradwork's generator (not torch's stream).
"""

from __future__ import annotations

import copy
import math
from numbers import Real
from typing import Any, Callable

import numpy as np

import autograd
from autograd import Tensor

from .init import rng_from, xavier_normal, xavier_uniform
from .layers import Linear
from .modes import to_tensor
from .module import Module, ModuleList, Parameter
from .normalization import LayerNorm

__all__ = [
    "glu", "rms_norm", "scaled_dot_product_attention", "multi_head_attention_forward", "dropout", "linear",
    "GLU", "RMSNorm", "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
]


def _tensor(x: Any, where: str) -> Tensor:
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{where}: expected a Tensor or an array of numbers, got {type(x).__name__} {x!r:.40}")
    t = to_tensor(x, where)
    if t.data.dtype.kind != "f":
        raise TypeError(f"{where}: expected a floating tensor, got {t.data.dtype}; convert with .double() or .float()")
    return t


def _prob(p: Any, where: str, name: str = "p") -> float:
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
        raise ValueError(f"{where}: {name} is a probability and must be in [0, 1], got {p!r}")
    return float(p)


# ---------------------------------------------------------------------------------------------- functional
def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,  # noqa: A002
            generator: Any = None) -> Tensor:
    """torch's F.dropout: in training, each entry zeroed with probability p and the rest scaled by 1/(1 - p)."""
    x = _tensor(input, "dropout")
    p = _prob(p, "dropout")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * np.zeros((), x.data.dtype)
    from autograd.random_gen import rng_of

    keep = rng_of(generator, "dropout").random(x.shape) >= p
    scale = (keep / (1.0 - p)).astype(x.data.dtype, copy=False)
    if inplace:  # mul_ differentiates through x's old version; copying x * scale back into x could not
        return x.mul_(Tensor._make(scale))
    return x * scale


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:  # noqa: A002
    """torch's F.linear: input @ weight.T + bias, weight of shape (out_features, in_features)."""
    x, w = _tensor(input, "linear"), _tensor(weight, "linear weight")
    if w.ndim != 2 or x.ndim < 1 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit weight of shape {w.shape}; the weight is "
            "(out_features, in_features) and the input (*, in_features)"
        )
    b = None if bias is None else _tensor(bias, "linear bias")
    if b is not None and b.shape not in ((w.shape[0],), ()):
        raise ValueError(f"linear: bias of shape {b.shape} does not fit weight of shape {w.shape}")
    return autograd.linear(x, w, b)


def glu(input: Any, dim: int = -1) -> Tensor:  # noqa: A002
    """The gated linear unit a * sigmoid(b), where a and b are the two halves of input along ``dim``."""
    x = _tensor(input, "glu")
    if x.ndim == 0:
        raise ValueError("glu: does not work on a 0-d tensor; give at least one axis")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not -x.ndim <= dim < x.ndim:
        raise ValueError(f"glu: dim {dim!r} is out of range for a tensor of shape {x.shape}")
    d = int(dim) % x.ndim
    n = x.shape[d]
    if n % 2:
        raise ValueError(f"glu: halving dimension must be even, but dimension {d} of shape {x.shape} has size {n}")
    a, b = x.split(n // 2, dim=d)
    return a * b.sigmoid()


def rms_norm(input: Any, normalized_shape: Any, weight: Any = None, eps: float | None = None) -> Tensor:  # noqa: A002
    """x / sqrt(mean(x**2 over the trailing normalized_shape axes) + eps) * weight; eps None: finfo(dtype).eps."""
    x = _tensor(input, "rms_norm")
    shape = (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    k = len(shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(
            f"rms_norm: input of shape {x.shape} does not end in normalized_shape {shape}; pass input of shape "
            f"(*, {', '.join(map(str, shape))})"
        )
    if eps is None:
        eps = float(np.finfo(x.data.dtype).eps)
    elif isinstance(eps, bool) or not isinstance(eps, Real) or eps < 0:
        raise ValueError(f"rms_norm: eps must be a number >= 0 or None, got {eps!r}")
    axes = tuple(range(x.ndim - k, x.ndim))
    out = x * ((x * x).mean(axis=axes, keepdims=True) + eps).rsqrt() if k else x * (x * x + eps).rsqrt()
    if weight is not None:
        w = _tensor(weight, "rms_norm weight")
        if tuple(w.shape) != shape:
            raise ValueError(f"rms_norm: weight has shape {w.shape}, expected normalized_shape {shape}")
        out = out * w
    return out


def _float_mask(mask: Any, dtype: Any, where: str, allowed_true: bool) -> Tensor | None:
    """An additive float mask: a float mask as it is; a bool mask -inf where it forbids (True forbids in
    MultiheadAttention, False forbids in scaled_dot_product_attention)."""
    if mask is None:
        return None
    m = _as_mask(mask)
    kind = m.data.dtype.kind
    if kind == "b":
        forbid = ~m.data if allowed_true else m.data
        return Tensor._make(np.where(forbid, -np.inf, 0.0).astype(dtype))
    if kind == "f":
        return m if m.data.dtype == dtype else m.astype(dtype)
    raise TypeError(f"{where}: only bool and floating masks are supported, got dtype {m.data.dtype}")


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None, enable_gqa: bool = False, *,
                                 generator: Any = None) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two axes: query (..., L, E), key (..., S, E), value
    (..., S, Ev) -> (..., L, Ev). scale defaults to 1/sqrt(E); a bool attn_mask keeps True entries, a float one
    is added; is_causal masks the upper triangle (query i sees keys j <= i); dropout_p drops attention weights
    (always, as torch: pass 0.0 in eval); enable_gqa shares each key/value head among query-head groups."""
    where = "scaled_dot_product_attention"
    q, k, v = _tensor(query, where), _tensor(key, where), _tensor(value, where)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"{where}: query, key and value need shapes (..., L, E), got {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"{where}: query {q.shape}, key {k.shape} and value {v.shape} do not fit: query and key need the same "
            "last axis E, key and value the same sequence length S (query (..., L, E), key (..., S, E), "
            "value (..., S, Ev))"
        )
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if hq % hk or v.shape[-3] != hk:
            raise ValueError(f"{where}: enable_gqa needs query heads ({hq}) a multiple of key/value heads ({hk})")
        k = k.repeat_interleave(hq // hk, dim=k.ndim - 3)
        v = v.repeat_interleave(hq // hk, dim=v.ndim - 3)
    p = _prob(dropout_p, where, "dropout_p")
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else 1.0
    scores = (q @ k.swapaxes(-1, -2)) * float(scale)
    if is_causal:
        if attn_mask is not None:
            raise ValueError(f"{where}: give attn_mask or is_causal=True, not both (as torch)")
        attn_mask = np.tril(np.ones((L, S), dtype=bool))
    mask = _float_mask(attn_mask, scores.data.dtype, where, allowed_true=True)
    if mask is not None:
        try:
            np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            raise ValueError(f"{where}: attn_mask of shape {mask.shape} does not broadcast to the attention "
                             f"weights' shape {scores.shape} (..., L, S)") from None
        scores = scores + mask
    weights = scores.softmax(-1)
    if p > 0:
        weights = dropout(weights, p, generator=generator)
    return weights @ v


def _check_mha_shapes(q: Tensor, k: Tensor, v: Tensor, embed_dim: int, where: str) -> bool:
    """True for batched (L, N, E) inputs, False for unbatched (L, E); raises on anything else."""
    if q.ndim not in (2, 3) or k.ndim != q.ndim or v.ndim != q.ndim:
        raise ValueError(
            f"{where}: query, key and value must all be 3-D (L, N, E) (batch_first: (N, L, E)) or all 2-D (L, E), "
            f"got shapes {q.shape}, {k.shape}, {v.shape}"
        )
    if q.shape[-1] != embed_dim:
        raise ValueError(f"{where}: query of shape {q.shape} must end in embed_dim={embed_dim}")
    if k.shape[:-1] != v.shape[:-1] or (q.ndim == 3 and k.shape[1] != q.shape[1]):
        raise ValueError(
            f"{where}: key {k.shape} and value {v.shape} need the same (S, N) as each other and the batch N of "
            f"query {q.shape}"
        )
    return q.ndim == 3


def multi_head_attention_forward(
    query: Any, key: Any, value: Any, embed_dim_to_check: int, num_heads: int, in_proj_weight: Any,
    in_proj_bias: Any, bias_k: Any, bias_v: Any, add_zero_attn: bool, dropout_p: float, out_proj_weight: Any,
    out_proj_bias: Any, training: bool = True, key_padding_mask: Any = None, need_weights: bool = True,
    attn_mask: Any = None, use_separate_proj_weight: bool = False, q_proj_weight: Any = None,
    k_proj_weight: Any = None, v_proj_weight: Any = None, static_k: Any = None, static_v: Any = None,
    average_attn_weights: bool = True, is_causal: bool = False, *, generator: Any = None,
) -> tuple:
    """torch's F.multi_head_attention_forward on sequence-first inputs query (L, N, E), key (S, N, Ek),
    value (S, N, Ev) (or unbatched (L, E), ...): (output (L, N, E), attention weights (N, L, S), averaged over
    the heads unless average_attn_weights=False: (N, H, L, S); None when need_weights=False). A bool attn_mask
    (L, S) or (N*H, L, S) and a bool key_padding_mask (N, S) forbid the True entries; float ones are added."""
    where = "multi_head_attention_forward"
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{where}: static_k / static_v are not supported")
    q, k, v = _tensor(query, where), _tensor(key, where), _tensor(value, where)
    E, H = int(embed_dim_to_check), int(num_heads)
    if H < 1 or E % H:
        raise ValueError(f"{where}: embed_dim {E} must be divisible by num_heads {H}")
    batched = _check_mha_shapes(q, k, v, E, where)
    if not batched:
        q, k, v = q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = _as_mask(key_padding_mask)[None]
    if is_causal and attn_mask is None:
        raise RuntimeError(f"{where}: is_causal=True is a hint that needs attn_mask too (as in torch); pass the "
                           "causal mask as attn_mask")
    L, N, _ = q.shape
    hd = E // H
    if use_separate_proj_weight:
        wq, wk, wv = (_tensor(w, f"{where} {n}") for w, n in ((q_proj_weight, "q_proj_weight"),
                                                               (k_proj_weight, "k_proj_weight"),
                                                               (v_proj_weight, "v_proj_weight")))
    else:
        w = _tensor(in_proj_weight, f"{where} in_proj_weight")
        if w.shape != (3 * E, E):
            raise ValueError(f"{where}: in_proj_weight has shape {w.shape}, expected (3 * {E}, {E})")
        wq, wk, wv = w[:E], w[E:2 * E], w[2 * E:]
    bq = bk = bv = None
    if in_proj_bias is not None:
        b = _tensor(in_proj_bias, f"{where} in_proj_bias")
        bq, bk, bv = b[:E], b[E:2 * E], b[2 * E:]
    for name, wt, x in (("q", wq, q), ("k", wk, k), ("v", wv, v)):
        if wt.ndim != 2 or wt.shape[1] != x.shape[-1] or wt.shape[0] != E:
            raise ValueError(f"{where}: the {name} projection weight of shape {wt.shape} does not fit an input "
                             f"of shape {x.shape}; expected ({E}, {x.shape[-1]})")
    qp, kp, vp = autograd.linear(q, wq, bq), autograd.linear(k, wk, bk), autograd.linear(v, wv, bv)

    dt = qp.data.dtype
    amask = _float_mask(attn_mask, dt, where, allowed_true=False)
    kpm = _float_mask(key_padding_mask, dt, where, allowed_true=False)
    if bias_k is not None and bias_v is not None:
        bk_, bv_ = _tensor(bias_k, where), _tensor(bias_v, where)
        kp = autograd.cat([kp, bk_.reshape(1, 1, E).expand(1, N, E)], 0)
        vp = autograd.cat([vp, bv_.reshape(1, 1, E).expand(1, N, E)], 0)
        amask = None if amask is None else _pad_last(amask)
        kpm = None if kpm is None else _pad_last(kpm)
    elif (bias_k is None) != (bias_v is None):
        raise ValueError(f"{where}: give both bias_k and bias_v, or neither")
    S = kp.shape[0]
    # (L, N, E) -> (N, H, L, hd)
    qh = qp.reshape(L, N, H, hd).permute(1, 2, 0, 3)
    kh = kp.reshape(S, N, H, hd).permute(1, 2, 0, 3)
    vh = vp.reshape(S, N, H, hd).permute(1, 2, 0, 3)
    if add_zero_attn:
        zeros = Tensor._make(np.zeros((N, H, 1, hd), dtype=dt))
        kh, vh = autograd.cat([kh, zeros], 2), autograd.cat([vh, zeros], 2)
        S += 1
        amask = None if amask is None else _pad_last(amask)
        kpm = None if kpm is None else _pad_last(kpm)
    mask = None
    if amask is not None:
        if amask.ndim == 2:
            if amask.shape != (L, S):
                raise ValueError(f"{where}: the 2-D attn_mask should have shape {(L, S)}, got {amask.shape}")
            mask = amask
        elif amask.ndim == 3:
            if amask.shape != (N * H, L, S):
                raise ValueError(f"{where}: the 3-D attn_mask should have shape {(N * H, L, S)}, got {amask.shape}")
            mask = amask.reshape(N, H, L, S)
        else:
            raise ValueError(f"{where}: attn_mask must be 2-D (L, S) or 3-D (N * num_heads, L, S), got {amask.shape}")
    if kpm is not None:
        if kpm.shape != (N, S):
            raise ValueError(f"{where}: key_padding_mask should have shape {(N, S)} (N, S), got {kpm.shape}")
        kmask = kpm.reshape(N, 1, 1, S)
        mask = kmask if mask is None else mask + kmask
    p = _prob(dropout_p, where, "dropout_p") if training else 0.0
    scores = (qh * (1.0 / math.sqrt(hd))) @ kh.swapaxes(-1, -2)
    if mask is not None:
        scores = scores + mask
    weights = scores.softmax(-1)
    if p > 0:
        weights = dropout(weights, p, generator=generator)
    out = (weights @ vh).permute(2, 0, 1, 3).reshape(L, N, E)  # (N, H, L, hd) -> (L, N, E)
    out = autograd.linear(out, _tensor(out_proj_weight, where),
                          None if out_proj_bias is None else _tensor(out_proj_bias, where))
    attn = None
    if need_weights:
        attn = weights.mean(dim=1) if average_attn_weights else weights
        if not batched:
            attn = attn[0]
    if not batched:
        out = out[:, 0]
    return out, attn


def _as_mask(m: Any) -> Tensor:
    """A mask as a Tensor, keeping a bool mask bool (arrays and lists of bools too)."""
    if isinstance(m, Tensor):
        return m
    arr = np.asarray(m)
    if arr.dtype.kind not in "bf":
        raise TypeError(f"attention: only bool and floating masks are supported, got dtype {arr.dtype}")
    return Tensor._make(arr)


def _pad_last(m: Tensor) -> Tensor:
    """A mask with one more entry on the last axis (a key nobody masks: bias_k or the zero key)."""
    return autograd.cat([m, Tensor._make(np.zeros(m.shape[:-1] + (1,), dtype=m.data.dtype))], -1)


# -------------------------------------------------------------------------------------------------- modules
class GLU(Module):
    """The gated linear unit a * sigmoid(b) over the two halves of ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Tensor:
        return glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


def _normalized(shape: Any, where: str) -> tuple:
    s = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in s):
        raise ValueError(f"{where}: normalized_shape must be positive ints, got {shape!r}")
    return tuple(int(n) for n in s)


def _dtype(dtype: Any, device: Any, where: str) -> Any:
    if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
        raise RuntimeError(f"{where}: gradwork computes on the CPU only, got device {device!r}")
    return np.float64 if dtype is None else np.dtype(dtype)


class RMSNorm(Module):
    """torch.nn.RMSNorm: x / sqrt(mean(x**2) + eps) * weight over the trailing normalized_shape axes; eps None is
    finfo(x.dtype).eps at each call, as torch."""

    def __init__(self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _normalized(normalized_shape, "RMSNorm")
        if eps is not None and (isinstance(eps, bool) or not isinstance(eps, Real) or eps < 0):
            raise ValueError(f"RMSNorm: eps must be a number >= 0 or None, got {eps!r}")
        self.eps = None if eps is None else float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        dt = _dtype(dtype, device, "RMSNorm")
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
        else:
            self.register_parameter("weight", None)

    def forward(self, x: Any) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight.data[...] = 1.0

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class MultiheadAttention(Module):
    """torch.nn.MultiheadAttention: ``attn(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` -> (output, weights or None).

    Inputs are (L, N, E) (batch_first=True: (N, L, E); unbatched (L, E)). Parameters under torch's names:
    ``in_proj_weight`` (3E, E) and ``in_proj_bias`` (3E), or ``q_proj_weight``/``k_proj_weight``/
    ``v_proj_weight`` when kdim or vdim differ from embed_dim, ``bias_k``/``bias_v`` (add_bias_kv), and
    ``out_proj.weight``/``out_proj.bias``, so a torch state_dict loads as it is. Initialised as torch does
    (xavier-uniform projections, zero biases) from gradwork's generator (or ``seed``).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None, *,
                 seed: Any = None) -> None:
        super().__init__()
        where = "MultiheadAttention"
        for name, n in (("embed_dim", embed_dim), ("num_heads", num_heads), ("kdim", kdim), ("vdim", vdim)):
            if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
                raise ValueError(f"{where}: {name} must be a positive int, got {n!r}")
        if embed_dim % num_heads:
            raise ValueError(f"{where}: embed_dim {embed_dim} must be divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.kdim = int(kdim) if kdim is not None else self.embed_dim
        self.vdim = int(vdim) if vdim is not None else self.embed_dim
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout = _prob(dropout, where, "dropout")
        self.batch_first = bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        self.add_zero_attn = bool(add_zero_attn)
        dt = _dtype(dtype, device, where)
        rng = rng_from(seed)
        E = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(xavier_uniform((3 * E, E), rng).astype(dt))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(xavier_uniform((E, E), rng).astype(dt))
            self.k_proj_weight = Parameter(xavier_uniform((E, self.kdim), rng).astype(dt))
            self.v_proj_weight = Parameter(xavier_uniform((E, self.vdim), rng).astype(dt))
        if bias:
            self.in_proj_bias = Parameter(np.zeros(3 * E, dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, seed=rng)
        if dt != np.float64:
            self.out_proj.to(dtype=dt)
        if bias:
            self.out_proj.bias.data[...] = 0.0
        if add_bias_kv:
            self.bias_k = Parameter(xavier_normal((1, 1, E), rng).astype(dt))
            self.bias_v = Parameter(xavier_normal((1, 1, E), rng).astype(dt))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self._rng = rng if seed is not None else None

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None, need_weights: bool = True,
                attn_mask: Any = None, average_attn_weights: bool = True, is_causal: bool = False) -> tuple:
        where = f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"
        q, k, v = _tensor(query, where), _tensor(key, where), _tensor(value, where)
        if self.batch_first and q.ndim == 3:
            q, k, v = q.swapaxes(0, 1), k.swapaxes(0, 1), v.swapaxes(0, 1)
        out, weights = multi_head_attention_forward(
            q, k, v, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal, generator=self._rng,
        )
        if self.batch_first and q.ndim == 3:
            out = out.swapaxes(0, 1)
        return out, weights

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, "
                f"batch_first={self.batch_first}")


def _activation(activation: Any, where: str) -> Callable:
    if callable(activation):
        return activation
    if activation == "relu":
        return lambda x: x.relu()
    if activation == "gelu":
        return lambda x: x.gelu()
    raise ValueError(f"{where}: activation should be relu/gelu or a function, not {activation!r}")


class TransformerEncoderLayer(Module):
    """torch.nn.TransformerEncoderLayer: self-attention then a feed-forward block, each with a residual
    connection and a LayerNorm (after, or before with norm_first=True); torch's submodule names (self_attn,
    linear1, dropout, linear2, norm1, norm2, dropout1, dropout2) and state_dict keys."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Any = "relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None, *,
                 seed: Any = None) -> None:
        super().__init__()
        where = "TransformerEncoderLayer"
        act = _activation(activation, where)  # checked before any random number is drawn
        _dtype(dtype, device, where)
        rng = rng_from(seed)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype, seed=rng)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, seed=rng)
        self.dropout = _Dropout(dropout, rng if seed is not None else None)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, seed=rng)
        self.norm_first = bool(norm_first)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = _Dropout(dropout, rng if seed is not None else None)
        self.dropout2 = _Dropout(dropout, rng if seed is not None else None)
        self.activation_name = activation if isinstance(activation, str) else getattr(activation, "__name__", "fn")
        self._act = act
        self.batch_first = bool(batch_first)
        if dtype is not None and np.dtype(dtype) != np.float64:
            for m in (self.linear1, self.linear2, self.norm1, self.norm2):
                m.to(dtype=dtype)

    def forward(self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        x = _tensor(src, "TransformerEncoderLayer")
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        out = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                             is_causal=is_causal)[0]
        return self.dropout1(out)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self._act(self.linear1(x)))))

    def extra_repr(self) -> str:
        return f"activation={self.activation_name!r}, norm_first={self.norm_first}, batch_first={self.batch_first}"


class _Dropout(Module):
    """Dropout whose probability may be 1 (torch's TransformerEncoderLayer accepts any p in [0, 1])."""

    def __init__(self, p: float, rng: Any = None) -> None:
        super().__init__()
        self.p = _prob(p, "Dropout")
        self._rng = rng

    def forward(self, x: Any) -> Tensor:
        return dropout(x, self.p, self.training, generator=self._rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class TransformerEncoder(Module):
    """torch.nn.TransformerEncoder: ``num_layers`` copies of ``encoder_layer`` (state_dict keys
    layers.0.self_attn.in_proj_weight, ...), then ``norm`` if given."""

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"TransformerEncoder: encoder_layer must be a Module, got {type(encoder_layer).__name__}")
        if isinstance(num_layers, bool) or not isinstance(num_layers, (int, np.integer)) or num_layers < 1:
            raise ValueError(f"TransformerEncoder: num_layers must be a positive int, got {num_layers!r}")
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(int(num_layers))])
        self.num_layers = int(num_layers)
        self.norm = norm

    def forward(self, src: Any, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        x = _tensor(src, "TransformerEncoder")
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return self.norm(x) if self.norm is not None else x
