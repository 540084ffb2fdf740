"""The pure-numpy reference backend: every kernel of the backend table, in plain numpy.

Backward kernels take ``g`` (dL/dout) and what the forward saved. They are
written with operators and the helpers in ``autograd.kernels.dual`` so that they
also run on ``Tensor``s: that is how ``create_graph=True`` records them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dual as G

# ----------------------------------------------------------------- activations


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e**-x), computed without overflow for either sign of x."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_backward(g: Any, out: Any) -> Any:
    """dL/dx = g * s * (1 - s) from the saved output s."""
    return g * out * (1 - out)


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def tanh_backward(g: Any, out: Any) -> Any:
    """dL/dx = g * (1 - t**2) from the saved output t."""
    return g * (1 - out * out)


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def relu_backward(g: Any, x: Any) -> Any:
    """dL/dx = g where x > 0, else 0."""
    return g * ((x if type(x) is np.ndarray else G.data(x)) > 0)


def leaky_relu(x: np.ndarray, slope: float) -> np.ndarray:
    return np.where(x > 0, x, x * slope)


def leaky_relu_backward(g: Any, x: Any, slope: float) -> Any:
    """dL/dx = g where x > 0, else slope * g."""
    xd = G.data(x)
    return g * np.where(xd > 0, 1, slope).astype(xd.dtype, copy=False)


def elu(x: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_backward(g: Any, x: Any, out: Any, alpha: float) -> Any:
    """dL/dx = g where x > 0, else g * (out + alpha)."""
    pos = G.data(x) > 0
    return G.where(pos, g, g * (out + alpha))


# ------------------------------------------------------------ softmax family


def softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """e**(x - max) / sum e**(x - max): no overflow at any logit size."""
    z = np.exp(x - x.max(axis=axis, keepdims=True))
    z /= z.sum(axis=axis, keepdims=True)
    return z


def softmax_backward(g: Any, out: Any, axis: int) -> Any:
    """dL/dx = s * (g - sum(g * s)) along the axis."""
    return out * (g - (g * out).sum(axis=axis, keepdims=True))


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """x - max - log(sum e**(x - max))."""
    # the ufuncs' own reductions: what .max() and .sum() call, without their Python wrappers
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def log_softmax_backward(g: Any, out: Any, axis: int) -> Any:
    """dL/dx = g - softmax * sum(g) along the axis (softmax = e**out)."""
    return g - G.exp(out) * g.sum(axis=axis, keepdims=True)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row -log softmax(logits)[label] for integer labels, and the log-probabilities."""
    logp = log_softmax(logits, axis=-1)
    losses = -logp[np.arange(logp.shape[0]), labels]
    return losses, logp


def cross_entropy_backward(g: Any, logp: Any, labels: np.ndarray) -> Any:
    """dL/dlogits = g[:, None] * (softmax - onehot(label))."""
    p = G.exp(logp)
    onehot = np.zeros(G.data(logp).shape, dtype=G.data(logp).dtype)
    onehot[np.arange(len(labels)), labels] = 1
    if type(p) is np.ndarray and type(g) is np.ndarray:  # plain arrays: the same numbers, computed in place
        p -= onehot
        p *= g.reshape((-1, 1))
        return p
    return g.reshape((-1, 1)) * (p - onehot)


def cross_entropy_soft(logits: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row -sum_j t_j log softmax(logits)_j for target distributions t (one-hot or soft), and the log-probs."""
    logp = log_softmax(logits, axis=-1)
    return -(targets * logp).sum(axis=-1), logp


def cross_entropy_soft_backward(g: Any, logp: Any, targets: np.ndarray) -> Any:
    """dL/dlogits = g[:, None] * (softmax * sum_j t_j - t)."""
    return g.reshape((-1, 1)) * (G.exp(logp) * targets.sum(axis=-1, keepdims=True) - targets)


def binary_cross_entropy(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """-(t log p + (1 - t) log(1 - p)) with each log clamped at -100 (as torch does), so p = 0 or 1 stays finite."""
    with np.errstate(divide="ignore"):
        return -(t * np.maximum(np.log(p), -100.0) + (1 - t) * np.maximum(np.log1p(-p), -100.0))


def binary_cross_entropy_backward(g: Any, p: Any, t: np.ndarray) -> Any:
    """dL/dp = g (p - t) / max(p (1 - p), 1e-12)."""
    den = p * (1 - p)
    den = np.maximum(den, 1e-12) if isinstance(den, np.ndarray) else den.clip(lo=1e-12)
    return g * (p - t) / den


def binary_cross_entropy_with_logits(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """softplus(z) - t z = max(z, 0) + log(1 + e**-|z|) - t z: the BCE of s = sigmoid(z), without overflow."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - z * t


def binary_cross_entropy_with_logits_backward(g: Any, z: Any, t: np.ndarray) -> Any:
    """dL/dz = g (sigmoid(z) - t)."""
    s = sigmoid(z) if isinstance(z, np.ndarray) else z.sigmoid()
    return g * (s - t)


# ------------------------------------------------------------------- linear


def sum_to_shape(g: Any, shape: tuple) -> Any:
    return G.sum_to_shape(g, shape)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.matmul(a, b)


ACTIVATIONS = (None, "relu", "leaky_relu", "sigmoid", "tanh", "elu")


def linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, activation: str | None = None,
           param: float = 0.0) -> np.ndarray:
    """act(x @ weight.T + bias); ``param`` is leaky_relu's slope or elu's alpha."""
    out = x @ weight.T
    if bias is not None:
        out += bias
    if activation is None:
        return out
    if activation == "relu":
        return relu(out)
    if activation == "leaky_relu":
        return leaky_relu(out, param)
    if activation == "sigmoid":
        return sigmoid(out)
    if activation == "tanh":
        return tanh(out)
    if activation == "elu":
        return elu(out, param)
    raise ValueError(f"linear: unknown activation {activation!r}; choose one of {ACTIVATIONS}")


def activation_backward(g: Any, out: Any, activation: str, param: float) -> Any:
    """dL/dz for out = act(z), from the saved output alone.

    out > 0 exactly where z > 0 (for slope, alpha >= 0), so the output's sign
    stands in for the input's in the relu, leaky_relu and elu rules.
    """
    if activation == "relu":
        return relu_backward(g, out)
    if activation == "leaky_relu":
        return leaky_relu_backward(g, out, param)
    if activation == "sigmoid":
        return sigmoid_backward(g, out)
    if activation == "tanh":
        return tanh_backward(g, out)
    if activation == "elu":
        return elu_backward(g, out, out, param)
    raise ValueError(f"linear: unknown activation {activation!r}; choose one of {ACTIVATIONS}")


def linear_backward(g: Any, x: Any, weight: Any, out: Any, activation: str | None, param: float,
                    needs: tuple) -> tuple:
    """(dL/dx, dL/dweight, dL/dbias) of out = act(x @ weight.T + bias), None where ``needs`` says so.

    With dz = g * act'(z): dL/dx = dz @ weight, dL/dweight = dz^T x, dL/dbias = dz summed over rows.
    """
    nx, nw, nb = needs
    if activation is not None:
        g = activation_backward(g, out, activation, param)
    g2 = g.reshape((-1, g.shape[-1])) if len(g.shape) != 2 else g
    gx = g @ weight if nx else None
    gw = gb = None
    if nw:
        x2 = x.reshape((-1, x.shape[-1])) if len(x.shape) != 2 else x
        gw = g2.swapaxes(-1, -2) @ x2
    if nb:
        gb = g2.sum(axis=0)  # a Tensor under create_graph, so the method, not np.add.reduce
    return gx, gw, gb


def add_rows_(out: np.ndarray, b: np.ndarray) -> None:
    """out += b for every row of the 2-D ``out`` (b of shape (columns,)), in place: ``a + b``'s numbers."""
    np.add(out, b, out=out)


def addmm_backward(g: Any, x: Any, w: Any, out: Any, activation: str | None, param: float,
                   needs: tuple) -> tuple:
    """(dL/dx, dL/dw, dL/db) of out = act(x @ w + b) for 2-D x (n, in) and w (in, out), None where ``needs`` says so.

    With dz = g * act'(z): dL/dx = dz @ w^T, dL/dw = x^T dz, dL/db = dz summed over rows.
    """
    nx, nw, nb = needs
    if activation is not None:
        g = activation_backward(g, out, activation, param)
    gx = g @ w.swapaxes(-1, -2) if nx else None
    gw = x.swapaxes(-1, -2) @ g if nw else None
    gb = g.sum(axis=0) if nb else None  # a Tensor under create_graph, so the method
    return gx, gw, gb


# ------------------------------------------------------- optimiser updates (in place)


def sgd_step(p: np.ndarray, grad: np.ndarray, buf: np.ndarray | None, lr: float, momentum: float,
             dampening: float, nesterov: bool, weight_decay: float, first: bool) -> None:
    """torch.optim.SGD's update of one parameter, in place (``buf`` is the momentum buffer)."""
    d = grad + weight_decay * p if weight_decay else grad
    if momentum:
        if first:
            buf[...] = d
        else:
            buf *= momentum
            buf += (1 - dampening) * d
        d = d + momentum * buf if nesterov else buf
    p -= lr * d


def _lerp_(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """a <- a + w (b - a) in place, evaluated the way torch's lerp_ is (from the nearer end)."""
    if w < 0.5:
        d = b - a
        d *= w
        a += d
    else:
        a[...] = b - (b - a) * (1 - w)


def sgd_foreach(ps: list, grads: list, lr: float, weight_decay: float) -> None:
    """``sgd_step`` without momentum for every parameter of a group (torch's foreach)."""
    for p, g in zip(ps, grads):
        sgd_step(p, g, None, lr, 0.0, 0.0, False, weight_decay, True)


def adam_foreach(ps: list, grads: list, ms: list, vs: list, step: int, lr: float, beta1: float, beta2: float,
                 eps: float, weight_decay: float, decoupled: bool) -> None:
    """``adam_step`` (no AMSGrad) for every parameter of a group, all at step ``step`` (torch's foreach)."""
    for p, g, m, v in zip(ps, grads, ms, vs):
        adam_step(p, g, m, v, None, step, lr, beta1, beta2, eps, weight_decay, decoupled)


def adam_step(p: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, vmax: np.ndarray | None,
              step: int, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
              decoupled: bool) -> None:
    """torch.optim.Adam / AdamW update of one parameter, in place.

    m <- lerp(m, g, 1 - beta1); v <- beta2 v + (1 - beta2) g**2;
    p <- p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps).
    """
    if weight_decay:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * p
    _lerp_(m, grad, 1 - beta1)
    v *= beta2
    bc1 = 1 - beta1**step
    bc2_sqrt = (1 - beta2**step) ** 0.5
    dt = p.dtype
    if p.ndim and grad.dtype == dt and m.dtype == dt and v.dtype == dt and (vmax is None or vmax.dtype == dt):
        tmp = (1 - beta2) * grad  # one scratch array for the rest: the same operations as below, in place
        tmp *= grad
        v += tmp
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
        denom = np.sqrt(vmax if vmax is not None else v, out=tmp)
        denom /= bc2_sqrt
        denom += eps
        np.divide(m, denom, out=denom)
        denom *= lr / bc1
        p -= denom
        return
    v += (1 - beta2) * grad * grad
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
        denom = np.sqrt(vmax) / bc2_sqrt + eps
    else:
        denom = np.sqrt(v) / bc2_sqrt + eps
    p -= (lr / bc1) * (m / denom)


def rmsprop_step(p: np.ndarray, grad: np.ndarray, sq: np.ndarray, buf: np.ndarray | None,
                 gavg: np.ndarray | None, lr: float, alpha: float, eps: float, weight_decay: float,
                 momentum: float) -> None:
    """torch.optim.RMSprop update of one parameter, in place."""
    if weight_decay:
        grad = grad + weight_decay * p
    sq *= alpha
    sq += (1 - alpha) * grad * grad
    if gavg is not None:
        _lerp_(gavg, grad, 1 - alpha)
        avg = np.sqrt(sq - gavg * gavg) + eps
    else:
        avg = np.sqrt(sq) + eps
    if momentum:
        buf *= momentum
        buf += grad / avg
        p -= lr * buf
    else:
        p -= lr * (grad / avg)


def adagrad_step(p: np.ndarray, grad: np.ndarray, ssum: np.ndarray, step: int, lr: float,
                 lr_decay: float, eps: float, weight_decay: float) -> None:
    """torch.optim.Adagrad update of one parameter, in place."""
    if weight_decay:
        grad = grad + weight_decay * p
    clr = lr / (1 + (step - 1) * lr_decay)
    ssum += grad * grad
    p -= clr * (grad / (np.sqrt(ssum) + eps))


KERNELS = {
    name: obj
    for name, obj in dict(globals()).items()
    if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", None) == __name__
}

from .conv_reference import KERNELS as _CONV_KERNELS  # noqa: E402  (convolution and pooling)
from .reference_recurrent import KERNELS as _RECURRENT_KERNELS  # noqa: E402  (batch norm, LSTM and GRU gates)

KERNELS.update(_CONV_KERNELS)
KERNELS.update(_RECURRENT_KERNELS)
from .special_ref import KERNELS as _SPECIAL_KERNELS  # noqa: E402  (lgamma, digamma, erfc, erfinv)

KERNELS.update(_SPECIAL_KERNELS)
