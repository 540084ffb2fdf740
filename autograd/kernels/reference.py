"""The pure-numpy reference backend: every kernel of the backend table, in plain numpy.

Backward kernels take ``g`` (dL/dout) and what the forward saved. They are
written with operators and the helpers in ``autograd.generic`` so that they
also run on ``Tensor``s: that is how ``create_graph=True`` records them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G

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
    return g * (G.data(x) > 0)


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
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def log_softmax_backward(g: Any, out: Any, axis: int) -> Any:
    """dL/dx = g - softmax * sum(g) along the axis (softmax = e**out)."""
    return g - G.exp(out) * g.sum(axis=axis, keepdims=True)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row -log softmax(logits)[label] for integer labels, and the log-probabilities."""
    logp = log_softmax(logits, axis=-1)
    losses = -np.take_along_axis(logp, labels[:, None], axis=-1)[:, 0]
    return losses, logp


def cross_entropy_backward(g: Any, logp: Any, labels: np.ndarray) -> Any:
    """dL/dlogits = g[:, None] * (softmax - onehot(label))."""
    p = G.exp(logp)
    onehot = np.zeros(G.data(logp).shape, dtype=G.data(logp).dtype)
    onehot[np.arange(len(labels)), labels] = 1
    return g.reshape((-1, 1)) * (p - onehot)


# ------------------------------------------------------------------- linear


def sum_to_shape(g: Any, shape: tuple) -> Any:
    return G.sum_to_shape(g, shape)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.matmul(a, b)


def linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """x @ weight.T + bias."""
    out = x @ weight.T
    if bias is not None:
        out += bias
    return out


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


def adam_step(p: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, vmax: np.ndarray | None,
              step: int, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
              decoupled: bool) -> None:
    """torch.optim.Adam / AdamW update of one parameter, in place."""
    if weight_decay:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * p
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    bc1 = 1 - beta1**step
    bc2 = 1 - beta2**step
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
        denom = np.sqrt(vmax) / np.sqrt(bc2) + eps
    else:
        denom = np.sqrt(v) / np.sqrt(bc2) + eps
    p -= (lr / bc1) * m / denom


def rmsprop_step(p: np.ndarray, grad: np.ndarray, sq: np.ndarray, buf: np.ndarray | None,
                 gavg: np.ndarray | None, lr: float, alpha: float, eps: float, weight_decay: float,
                 momentum: float) -> None:
    """torch.optim.RMSprop update of one parameter, in place."""
    if weight_decay:
        grad = grad + weight_decay * p
    sq *= alpha
    sq += (1 - alpha) * grad * grad
    if gavg is not None:
        gavg *= alpha
        gavg += (1 - alpha) * grad
        avg = np.sqrt(sq - gavg * gavg) + eps
    else:
        avg = np.sqrt(sq) + eps
    if momentum:
        buf *= momentum
        buf += grad / avg
        p -= lr * buf
    else:
        p -= lr * grad / avg


def adagrad_step(p: np.ndarray, grad: np.ndarray, ssum: np.ndarray, step: int, lr: float,
                 lr_decay: float, eps: float, weight_decay: float) -> None:
    """torch.optim.Adagrad update of one parameter, in place."""
    if weight_decay:
        grad = grad + weight_decay * p
    clr = lr / (1 + (step - 1) * lr_decay)
    ssum += grad * grad
    p -= clr * grad / (np.sqrt(ssum) + eps)


KERNELS = {
    name: obj
    for name, obj in dict(globals()).items()
    if callable(obj) and not name.startswith("_") and getattr(obj, "__module__", None) == __name__
}
