"""Layers: neurons and perceptrons, fully connected layers, MLPs, Sequential, Dropout, Flatten.

Layers with weights take ``mode="tensor"`` (Parameter Tensors, batched numpy
maths) or ``mode="scalar"`` (one ``Value`` per weight: every multiply and the
one sum per neuron are nodes you can draw). Both modes hold the same numbers
under the same names, so ``model.to_scalar()`` / ``model.to_tensor()``
convert a model and both give the same outputs and gradients.
"""

from __future__ import annotations

import copy
import math
from numbers import Real
from operator import mul
from typing import Any, Callable

import numpy as np

import autograd
from autograd import Tensor, Value
from autograd.ops.matmul import Linear as LinearOp

from .activations import ELU, LeakyReLU, ReLU, Sigmoid, Tanh, get_activation
from .init import initial_bias, initial_weights, rng_from
from .module import Module, ModuleList, check_mode, make_parameter, parameter_array
from .modes import as_value, is_scalar, numbers, shape_of, to_tensor, to_values
from .reset import refill


def _size(n: Any, what: str, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{where}: {what} must be a positive int, got {n!r}")
    return int(n)


def _check_features(x: Any, n: int, where: str) -> None:
    shape = shape_of(x)
    if not shape or shape[-1] != n:
        got = shape[-1] if shape else "no"
        raise ValueError(
            f"{where}: expected inputs with {n} features on the last axis, got {got} (input shape {shape}); "
            f"pass X of shape (batch, {n})"
        )


# ------------------------------------------------------------------- Linear


class Linear(Module):
    """y = x W^T + b with W of shape (out_features, in_features): one neuron per output.

    ``init`` names an initialiser (``nn.init``: 'default' is torch's +-1/sqrt(in),
    also 'small', 'uniform', 'xavier_uniform', 'kaiming_normal', ...) or is a
    function ``f(shape, seed)``. ``seed`` (int or Generator) makes it repeatable.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, mode: str = "tensor",
                 init: str | Callable = "default", seed: Any = None) -> None:
        super().__init__()
        self.in_features = _size(in_features, "in_features", "Linear")
        self.out_features = _size(out_features, "out_features", "Linear")
        check_mode(mode, "Linear")
        rng = rng_from(seed)
        shape = (self.out_features, self.in_features)
        self._init = init
        self.weight = make_parameter(initial_weights(init, shape, rng), mode, "w")
        self.bias = make_parameter(initial_bias(init, (self.out_features,), self.in_features, rng), mode, "b") \
            if bias else None

    def reset_parameters(self, seed: Any = None) -> None:
        """Draw the weights (and bias) again from the layer's ``init``, in place: the same parameter objects."""
        rng = rng_from(seed)
        refill(self.weight, initial_weights(self._init, (self.out_features, self.in_features), rng))
        if self.bias is not None:
            refill(self.bias, initial_bias(self._init, (self.out_features,), self.in_features, rng))

    def forward(self, x: Any) -> Any:
        if self.mode == "scalar":
            where = self._where()
            x = to_values(x, where)
            _check_features(x, self.in_features, where)
            return _scalar_linear(x, self.weight, self.bias)
        return self._forward_fused(x, None, 0.0)

    def _forward_fused(self, x: Any, activation: str | None, param: float) -> Any:
        """act(x W^T + b) as one op in tensor mode (``Sequential`` passes the activation that follows)."""
        if not isinstance(x, Tensor):
            x = to_tensor(x, self._where())
        shape = x.data.shape
        if not shape or shape[-1] != self.in_features:
            _check_features(x, self.in_features, self._where())
        params = self._parameters  # direct: attribute access to parameters goes through Module.__getattr__
        w, b = params["weight"], params.get("bias")
        # autograd.linear's op without its argument checks: x is a Tensor by now, the parameters are Tensors
        # in tensor mode, and Sequential passes only known activations with a parameter >= 0
        return LinearOp._apply_tensors((x, w) if b is None else (x, w, b), activation=activation, param=param)

    def _where(self) -> str:
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "  # torch's, and the mode
                f"bias={self.bias is not None}" + ("" if self.mode == "tensor" else f", mode={self.mode!r}"))


def _scalar_linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """Each output is one ``Value.sum`` node over w_i * x_i (and the bias): a neuron as micrograd draws it."""
    nout = weight.shape[0]
    rows = x.reshape(-1, x.shape[-1])
    wrows = [list(weight[j]) for j in range(nout)]
    out = np.empty((rows.shape[0], nout), dtype=object)
    for n in range(rows.shape[0]):
        xs = [as_value(v) for v in rows[n]]  # one node per input number, shared by every neuron
        for j in range(nout):
            out[n, j] = Value.sum(map(mul, wrows[j], xs), bias[j] if bias is not None else 0.0)
    return out.reshape(x.shape[:-1] + (nout,))


# ------------------------------------------------------------ Neuron/Perceptron


class Neuron(Module):
    """One neuron: activation(w . x + b), with w of shape (nin,) and a single bias.

    A batch (N, nin) gives N outputs; one sample (nin,) gives one number (a
    single ``Value`` in scalar mode, whose graph is the neuron).
    """

    def __init__(self, nin: int, activation: Any = "identity", bias: bool = True, mode: str = "tensor",
                 init: str | Callable = "default", seed: Any = None) -> None:
        super().__init__()
        self.nin = _size(nin, "nin", type(self).__name__)
        check_mode(mode, type(self).__name__)
        activation = get_activation(activation, mode)  # before drawing weights: a bad name changes nothing
        rng = rng_from(seed)
        self.weight = make_parameter(initial_weights(init, (self.nin,), rng), mode, "w")
        self.bias = make_parameter(initial_bias(init, (), self.nin, rng), mode, "b") if bias else None
        self.activation = activation

    def forward(self, x: Any) -> Any:
        where = f"{type(self).__name__}(nin={self.nin})"
        if self.mode == "scalar":
            x = to_values(x, where)
            _check_features(x, self.nin, where)
            w = list(self.weight)
            rows = x.reshape(-1, self.nin)
            b = self.bias if self.bias is not None else 0.0
            out = np.empty(rows.shape[0], dtype=object)
            for n in range(rows.shape[0]):
                out[n] = Value.sum(map(mul, w, [as_value(v) for v in rows[n]]), b)
            z = out[0] if x.ndim == 1 else out.reshape(x.shape[:-1])
        else:
            x = to_tensor(x, where)
            _check_features(x, self.nin, where)
            z = x @ self.weight
            if self.bias is not None:
                z = z + self.bias
        return self.activation(z)

    def extra_repr(self) -> str:
        return f"nin={self.nin}, activation={type(self.activation).__name__}, mode={self.mode!r}"


class Perceptron(Neuron):
    """Rosenblatt's perceptron: step(w . x + b), trained with the perceptron learning rule (``learn``)."""

    def __init__(self, nin: int, mode: str = "tensor", init: str | Callable = "small", seed: Any = None) -> None:
        super().__init__(nin, activation="step", mode=mode, init=init, seed=seed)

    def learn(self, X: Any, y: Any, lr: float = 1.0, max_epochs: int = 100, shuffle: bool = False,
              seed: Any = None) -> list[int]:
        """The perceptron rule: for each misclassified x, w += lr (y - yhat) x and b += lr (y - yhat).

        ``y`` holds 0/1 labels. Stops after the first epoch without mistakes
        (guaranteed on linearly separable data); returns the mistakes per epoch.
        """
        X = np.asarray(numbers(X), dtype=np.float64)
        y = np.asarray(numbers(y), dtype=np.float64).reshape(-1)
        if X.ndim != 2 or X.shape[1] != self.nin:
            raise ValueError(f"Perceptron.learn: X must have shape (N, {self.nin}), got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("Perceptron.learn: X is empty; give at least one sample")
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"Perceptron.learn: X has {X.shape[0]} rows but y has {y.shape[0]} labels")
        if not np.isin(y, (0.0, 1.0)).all():
            raise ValueError(f"Perceptron.learn: labels must be 0 or 1, found {np.unique(y)[:5].tolist()}")
        if isinstance(lr, bool) or not isinstance(lr, Real) or not lr > 0:
            raise ValueError(f"Perceptron.learn: lr must be a positive number, got {lr!r}")
        w = parameter_array(self.weight)
        b = float(parameter_array(self.bias)) if self.bias is not None else 0.0
        rng = rng_from(seed) if shuffle else None
        history = []
        for _ in range(int(max_epochs)):
            order = rng.permutation(len(y)) if rng is not None else range(len(y))
            mistakes = 0
            for i in order:
                err = y[i] - (1.0 if X[i] @ w + b >= 0 else 0.0)
                if err:
                    mistakes += 1
                    w += lr * err * X[i]
                    b += lr * err
            history.append(mistakes)
            if mistakes == 0:
                break
        self.load_state_dict({"weight": w, **({"bias": np.array(b)} if self.bias is not None else {})})
        return history


# --------------------------------------------------------------- containers


class Sequential(ModuleList):
    """Modules applied one after the other: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``."""

    def __init__(self, *modules: Module) -> None:
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        super().__init__(modules)

    def forward(self, x: Any) -> Any:
        mods = list(self._modules.values())
        i, n = 0, len(mods)
        while i < n:
            m = mods[i]
            if type(m) is Linear and not m._has_hooks and isinstance(m._parameters["weight"], Tensor):  # tensor mode
                fused = _fusable_activation(mods[i + 1]) if i + 1 < n else None
                if fused is not None:  # Linear then ReLU (etc.): one fused op, same numbers, one node fewer
                    x = m._forward_fused(x, *fused)
                    i += 2
                else:
                    x = m._forward_fused(x, None, 0.0)  # what Linear.forward does in tensor mode
                    i += 1
                continue
            x = m(x)
            i += 1
        return x

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return Sequential(*list(self._modules.values())[i])
        return super().__getitem__(i)


def _fusable_activation(m: Module) -> tuple[str, float] | None:
    """(name, parameter) for an activation module that ``autograd.linear`` can apply in the same op, else None."""
    kind = type(m)
    if m._has_hooks:  # its hooks must see it called
        return None
    if kind is ReLU:
        return ("relu", 0.0)
    if kind is Tanh:
        return ("tanh", 0.0)
    if kind is Sigmoid:
        return ("sigmoid", 0.0)
    if kind is LeakyReLU and m.negative_slope >= 0:
        return ("leaky_relu", m.negative_slope)
    if kind is ELU and m.alpha >= 0:
        return ("elu", m.alpha)
    return None


class MLP(Sequential):
    """A multi-layer perceptron: Linear layers of the given sizes with an activation between them.

    ``MLP(2, [16, 16, 1])`` is Linear(2, 16), ReLU, Linear(16, 16), ReLU, Linear(16, 1);
    ``output_activation`` (None: raw scores) is applied after the last layer and
    ``dropout`` > 0 adds Dropout after each hidden activation. One ``seed``
    initialises every layer, so the same seed gives the same model.
    """

    def __init__(self, nin: int, sizes: Any, activation: Any = "relu", output_activation: Any = None,
                 mode: str = "tensor", init: str | Callable = "default", seed: Any = None, bias: bool = True,
                 dropout: float = 0.0) -> None:
        nin = _size(nin, "nin", "MLP")
        if isinstance(sizes, (int, np.integer)):
            sizes = [sizes]
        if not isinstance(sizes, (list, tuple)) or not sizes:
            raise ValueError(f"MLP: sizes must be a non-empty list of layer widths, e.g. [16, 16, 1], got {sizes!r}")
        sizes = [_size(s, "every layer size", "MLP") for s in sizes]
        check_mode(mode, "MLP")
        get_activation(activation, mode)  # fail early on an unknown name
        if output_activation is not None:
            get_activation(output_activation, mode)
        if dropout:
            Dropout(dropout)  # fail early on a bad p, before any weights are drawn
        rng = rng_from(seed)
        layers: list[Module] = []
        dims = [nin] + sizes
        for k in range(len(sizes)):
            layers.append(Linear(dims[k], dims[k + 1], bias=bias, mode=mode, init=init, seed=rng))
            last = k == len(sizes) - 1
            spec = output_activation if last else activation
            if spec is not None:
                layers.append(copy.deepcopy(spec) if isinstance(spec, Module) else get_activation(spec, mode))
            if dropout and not last:
                layers.append(Dropout(dropout, seed=rng))
        super().__init__(*layers)
        self.sizes = [nin] + sizes

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"


# ------------------------------------------------------------ Dropout, Flatten


class Dropout(Module):
    """Inverted dropout: in training, zero each number with probability p and scale the rest by 1/(1-p).

    In eval mode it is the identity. ``seed`` makes the masks repeatable; ``inplace=True`` (torch's second
    argument) writes the result into a Tensor input.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False, seed: Any = None) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p is the probability of dropping a number and must be in [0, 1), got {p!r}")
        if not isinstance(inplace, (bool, np.bool_)):
            raise TypeError(f"Dropout: inplace must be True or False, got {inplace!r}; pass the seed as seed=")
        self.p = float(p)
        self.inplace = bool(inplace)
        self.rng = rng_from(seed) if seed is not None else None

    def forward(self, x: Any) -> Any:
        if not self.training or self.p == 0.0:
            return x
        rng = self.rng if self.rng is not None else autograd.default_rng()
        scalar = is_scalar(x)
        x = to_values(x, "Dropout") if scalar else to_tensor(x, "Dropout")
        shape = shape_of(x)
        scale = (rng.random(shape) >= self.p) / (1.0 - self.p)
        if scalar:
            if type(x) is Value:
                return x * float(scale)
            out = np.empty(shape, dtype=object)
            for idx in np.ndindex(shape):
                out[idx] = as_value(x[idx]) * float(scale[idx])
            return out
        if self.inplace and isinstance(x, Tensor):
            return x.mul_(scale.astype(x.dtype, copy=False))
        return x * scale.astype(x.dtype, copy=False)

    def extra_repr(self) -> str:
        return f"p={self.p:g}, inplace={self.inplace}"


class Flatten(Module):
    """Merge axes start_dim..end_dim into one (by default all but the batch axis); ``start_axis``/``end_axis``
    are the same arguments under numpy-style names."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1, *, start_axis: Any = None, end_axis: Any = None) -> None:
        super().__init__()
        self.start_dim = start_dim if start_axis is None else start_axis
        self.end_dim = end_dim if end_axis is None else end_axis

    @property
    def start_axis(self) -> int:
        return self.start_dim

    @property
    def end_axis(self) -> int:
        return self.end_dim

    def forward(self, x: Any) -> Any:
        if is_scalar(x):
            x = to_values(x, "Flatten")
            nd = np.ndim(x)
            if nd == 0:
                return np.array([x], dtype=object)
            s, e = self.start_axis % nd, self.end_axis % nd
            if s > e:
                raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim}")
            shape = x.shape
            return x.reshape(shape[:s] + (int(np.prod(shape[s : e + 1])),) + shape[e + 1 :])
        return to_tensor(x, "Flatten").flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size`` (one entry may be -1), the inverse of Flatten."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"Unflatten: dim must be an int, got {dim!r}")
        if isinstance(unflattened_size, (int, np.integer)) or not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}")
        sizes = tuple(unflattened_size)
        if not sizes or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or (n < 1 and n != -1)
                            for n in sizes) or sizes.count(-1) > 1:
            raise ValueError(
                f"Unflatten: unflattened_size must be positive ints (at most one -1), got {unflattened_size!r}"
            )
        self.dim, self.unflattened_size = int(dim), tuple(int(n) for n in sizes)

    def forward(self, x: Any) -> Any:
        scalar = is_scalar(x)
        x = to_values(x, "Unflatten") if scalar else to_tensor(x, "Unflatten")
        shape = tuple(np.shape(x))
        nd = len(shape)
        if not -nd <= self.dim < nd:
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for an input of shape {shape}")
        d = self.dim % nd
        known = math.prod(n for n in self.unflattened_size if n != -1)
        sizes = self.unflattened_size
        if -1 in sizes:
            if known == 0 or shape[d] % known:
                raise ValueError(f"Unflatten: cannot split axis {d} of length {shape[d]} into {sizes}")
            sizes = tuple(shape[d] // known if n == -1 else n for n in sizes)
        elif known != shape[d]:
            raise ValueError(
                f"Unflatten: unflattened_size {sizes} holds {known} entries but axis {d} of the input "
                f"(shape {shape}) has {shape[d]}; their product must match"
            )
        return x.reshape(shape[:d] + sizes + shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


__all__ = ["Linear", "Neuron", "Perceptron", "Sequential", "MLP", "Dropout", "Flatten", "Unflatten"]
