"""Matrix products: ``a @ b`` with numpy's rules, and the fused linear layer ``x @ W.T + b``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..backend import ops as K
from ..function import Context, Function



def _mT(x: Any) -> Any:
    return x.swapaxes(-1, -2)


class MatMul(Function):
    """out = a @ b; dL/da = g @ b^T, dL/db = a^T @ g (summed over broadcast batch axes).

    1-D operands follow numpy: a vector on the left is a row (1, k), on the
    right a column (k, 1), and the added axis is dropped from the result.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"MatMul: operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}; "
                "use * for scalars"
            )
        ctx.saved = (a, b)  # save_for_backward(a, b), written out
        return K.matmul(a, b)

    @staticmethod
    def torch_name(t: Any) -> str:
        """torch's node for a @ b: MmBackward0 (matrices), MvBackward0, DotBackward0; else MatMulBackward0."""
        a, b = (p.data.ndim for p in t._parents)
        return {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0"}.get((a, b), "MatMulBackward0")

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        a_shape, b_shape = a.shape, b.shape
        if len(a_shape) == 2 and len(b_shape) == 2:  # two matrices: no broadcast axes to sum, no reshapes
            return (g @ b.T if na else None), (a.T @ g if nb else None)
        if len(a_shape) == 1:
            a = a.reshape((1,) + a_shape)
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:]) if len(b_shape) > 1 else g.reshape(g.shape + (1,))
        if len(b_shape) == 1:
            b = b.reshape(b_shape + (1,))
            g = g.reshape(g.shape + (1,))
        ga = gb = None
        if na:
            ga = K.sum_to_shape(g @ _mT(b), a.shape)
            if ga.shape != a_shape:  # a reshape to the same shape would still make a view, which .grad must copy
                ga = ga.reshape(a_shape)
        if nb:
            gb = K.sum_to_shape(_mT(a) @ g, b.shape)
            if gb.shape != b_shape:
                gb = gb.reshape(b_shape)
        return ga, gb


class Linear(Function):
    """out = act(z), z = x @ W^T + b (W of shape (out, in)); with dz = g act'(z) (from the saved output):
    dL/dx = dz @ W, dL/dW = dz^T x, dL/db = sum of dz over rows.

    One op and one kernel call each way (``K.linear``, ``K.linear_backward``):
    the Numba backend adds the bias and applies the activation in the same
    pass over the product, and gets dz and dL/db in one pass back.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                activation: str | None = None, param: float = 0.0) -> np.ndarray:
        if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"linear: input of shape {x.shape} needs its last axis equal to the weight's in_features; "
                f"weight has shape {weight.shape} (out_features, in_features)"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ValueError(f"linear: bias of shape {bias.shape} should have shape ({weight.shape[0]},)")
        out = K.linear(x, weight, bias, activation, param)
        if activation is None:
            ctx.save_for_backward(x, weight)
        else:
            ctx.save_for_backward(x, weight, out)
        ctx.activation, ctx.param = activation, param
        return out

    @staticmethod
    def torch_name(t: Any) -> str:
        """torch's node: the activation's when one is fused in, else AddmmBackward0 (MmBackward0 without a
        bias; ViewBackward0 for an input of more than two axes)."""
        act = t._ctx.activation
        if act is not None:
            return TORCH_ACTIVATION_NAMES[act]
        if t._parents[0].data.ndim != 2:
            return "ViewBackward0"
        return "AddmmBackward0" if len(t._parents) > 2 else "MmBackward0"

    @staticmethod
    def torch_next_functions(t: Any) -> tuple:
        """The inputs as torch's graph reaches them: addmm(bias, x, weight.t()) (mm without a bias), behind a
        ViewBackward0 for inputs of other than two axes, and behind the activation's node when one is fused."""
        from ..grad_fn import TorchStep, node_of

        x, w = t._parents[0], t._parents[1]
        xn = node_of(x)
        if x.data.ndim != 2 and xn is not None:
            xn = TorchStep("ViewBackward0", ((xn, 0),))
        core = ((node_of(t._parents[2]), 0),) if len(t._parents) > 2 else ()
        core += ((xn, 0), (TorchStep("TBackward0", ((node_of(w), 0),)), 0))
        if x.data.ndim == 2 and t._ctx.activation is None:
            return core
        step = TorchStep("AddmmBackward0" if len(t._parents) > 2 else "MmBackward0", core)
        if x.data.ndim != 2 and t._ctx.activation is not None:  # act(view(addmm(...)))
            step = TorchStep("ViewBackward0", ((step, 0),))
        return ((step, 0),)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        saved = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return K.linear_backward(g, saved[0], saved[1], saved[2] if len(saved) > 2 else None, ctx.activation,
                                 ctx.param, needs if len(needs) > 2 else (needs[0], needs[1], False))


class Addmm(Function):
    """out = act(x @ w + b), w of shape (in, out); with dz = g act'(z): dL/dx = dz @ w^T, dL/dw = x^T dz,
    dL/db = sum of dz over rows.

    What ``x @ W + b`` and its ``.relu()``/``.tanh()``/``.sigmoid()`` become when each intermediate is a
    temporary nobody else can see (autograd/fusion.py): one node and one backward kernel instead of three.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w: np.ndarray, b: np.ndarray, activation: str | None = None,
                param: float = 0.0) -> np.ndarray:
        out = K.matmul(x, w) + b
        if activation is not None:
            out = getattr(K, activation)(out)
        ctx.saved = (x, w) if activation is None else (x, w, out)
        ctx.activation, ctx.param = activation, param
        return out

    @staticmethod
    def torch_name(t: Any) -> str:
        """What torch names the unfused expression's last node: AddBackward0, or the activation's."""
        act = t._ctx.activation
        return "AddBackward0" if act is None else TORCH_ACTIVATION_NAMES[act]

    @staticmethod
    def torch_next_functions(t: Any) -> tuple:
        """The unfused expression's inputs: (x @ w, b) for the sum, behind the activation's node when fused."""
        from ..grad_fn import TorchStep, node_of

        x, w, b = t._parents
        dims = (x.data.ndim, w.data.ndim)
        product = TorchStep({(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0"}.get(
            dims, "MatMulBackward0"), ((node_of(x), 0), (node_of(w), 0)))
        add = ((product, 0), (node_of(b), 0))
        return add if t._ctx.activation is None else ((TorchStep("AddBackward0", add), 0),)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        saved = ctx.saved_tensors
        return K.addmm_backward(g, saved[0], saved[1], saved[2] if len(saved) > 2 else None, ctx.activation,
                                ctx.param, ctx.needs_input_grad)


ACTIVATIONS = (None, "relu", "leaky_relu", "sigmoid", "tanh", "elu")
TORCH_ACTIVATION_NAMES = {"relu": "ReluBackward0", "leaky_relu": "LeakyReluBackward0", "sigmoid": "SigmoidBackward0",
                          "tanh": "TanhBackward0", "elu": "EluBackward0"}


def linear(x: Any, weight: Any, bias: Any = None, activation: str | None = None, slope: float = 0.01,
           alpha: float = 1.0) -> "Tensor":
    """act(x @ weight.T + bias) as one recorded op (weight has shape (out_features, in_features)).

    ``activation``: None, "relu", "leaky_relu" (with ``slope``), "sigmoid",
    "tanh" or "elu" (with ``alpha``). The same as applying the activation
    after ``linear``, fused: one node, no intermediate array kept.
    """
    if activation is None:
        param = 0.0
    elif activation == "leaky_relu" or activation == "elu":
        param = float(slope) if activation == "leaky_relu" else float(alpha)
        if param < 0:  # the backward reads the sign of z off the output, which needs slope, alpha >= 0
            z = linear(x, weight, bias)
            return z.leaky_relu(param) if activation == "leaky_relu" else z.elu(param)
    elif activation in ACTIVATIONS:
        param = 0.0
    else:
        choices = ", ".join(map(repr, ACTIVATIONS))
        raise ValueError(f"linear: unknown activation {activation!r}; choose one of {choices}")
    args = (x, weight) if bias is None else (x, weight, bias)
    if isinstance(x, Tensor) and isinstance(weight, Tensor) and (bias is None or isinstance(bias, Tensor)):
        return Linear._apply_tensors(args, activation=activation, param=param)
    return Linear.apply(*args, activation=activation, param=param)  # arrays and numbers: constants


from ..tensor import Tensor  # noqa: E402  (tensor.py imports this module)

__all__ = ["MatMul", "Linear", "Addmm", "linear", "ACTIVATIONS", "G"]
