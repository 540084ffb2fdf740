"""Activations as modules (each wraps the function of the same name in ``nn.functional``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functional as F
from .module import Module, check_mode, make_parameter


class Identity(Module):
    """x unchanged (the linear activation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # torch's Identity takes (and ignores) any arguments
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class Step(Module):
    """Binary step: 1 where x >= 0 else 0 (no gradient passes; train it with the perceptron rule)."""

    def forward(self, x: Any) -> Any:
        return F.step(x)


BinaryStep = Step


class Sigmoid(Module):
    """1 / (1 + e**-x)."""

    def forward(self, x: Any) -> Any:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x: Any) -> Any:
        return F.tanh(x)


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x: Any) -> Any:
        return F.relu(x)


class LeakyReLU(Module):
    """x where x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = F.check_number(negative_slope, "LeakyReLU", "negative_slope")

    def forward(self, x: Any) -> Any:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope:g}"


class PReLU(Module):
    """x where x > 0 else a * x, with the slope ``a`` learned (one per channel, or one shared)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, mode: str = "tensor") -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        check_mode(mode, "PReLU")
        self.weight = make_parameter(np.full(int(num_parameters), F.check_number(init, "PReLU", "init")), mode, "a")

    def forward(self, x: Any) -> Any:
        return F.prelu(x, self.weight)

    def _label(self, name: str) -> str:
        return "a" if name == "weight" else name

    def extra_repr(self) -> str:
        return f"num_parameters={np.size(self.weight)}" + (f", mode={self.mode!r}" if self.mode == "scalar" else "")


class ELU(Module):
    """x where x > 0 else alpha (e**x - 1)."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = F.check_number(alpha, "ELU", "alpha")

    def forward(self, x: Any) -> Any:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha:g}"


class Softplus(Module):
    """log(1 + e**(beta x)) / beta, a smooth ReLU; x itself where beta x > ``threshold`` (torch's defaults:
    beta=1, threshold=20; threshold=None: no cut-off, the exact formula everywhere)."""

    def __init__(self, beta: float = 1.0, threshold: float | None = 20.0) -> None:
        super().__init__()
        self.beta = F.check_number(beta, "Softplus", "beta")
        self.threshold = None if threshold is None else F.check_number(threshold, "Softplus", "threshold")

    def forward(self, x: Any) -> Any:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        if self.beta == 1.0 and self.threshold == 20.0:
            return ""
        return f"beta={self.beta:g}, threshold={self.threshold}"


class SiLU(Module):
    """x sigmoid(x) (also called swish)."""

    def forward(self, x: Any) -> Any:
        return F.silu(x)


Swish = SiLU


class GELU(Module):
    """x Phi(x), Phi the standard normal CDF (``approximate="tanh"``: torch's tanh form)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in F.GELU_APPROXIMATIONS:
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Any:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Mish(Module):
    """x tanh(softplus(x))."""

    def forward(self, x: Any) -> Any:
        return F.mish(x)


class Softmax(Module):
    """e**x / sum(e**x) along ``dim`` (torch's name; numpy's ``axis=`` also works; the last axis by default)."""

    def __init__(self, dim: Any = None, *, axis: Any = None) -> None:
        super().__init__()
        self.dim = F._softmax_dim(dim, axis, type(self).__name__)

    @property
    def axis(self) -> Any:  # the name this module had before it took torch's
        return self.dim

    def forward(self, x: Any) -> Any:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """x - log(sum(e**x)) along ``dim`` (or ``axis``; the last axis by default)."""

    def forward(self, x: Any) -> Any:
        return F.log_softmax(x, self.dim)


ACTIVATION_MODULES = {
    "identity": Identity,
    "linear": Identity,
    "step": Step,
    "binary_step": Step,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "softplus": Softplus,
    "silu": SiLU,
    "swish": SiLU,
    "gelu": GELU,
    "mish": Mish,
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
}


def get_activation(spec: Any, mode: str = "tensor") -> Module:
    """A fresh activation module from a name ('relu', 'tanh', ...), None (identity), a Module class or instance."""
    if spec is None:
        return Identity()
    if isinstance(spec, Module):
        return spec
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec(mode=mode) if spec is PReLU else spec()
    if isinstance(spec, str) and spec.lower() in ACTIVATION_MODULES:
        cls = ACTIVATION_MODULES[spec.lower()]
        return cls(mode=mode) if cls is PReLU else cls()
    raise ValueError(
        f"unknown activation {spec!r}; choose one of {', '.join(sorted(ACTIVATION_MODULES))}, None, or a Module"
    )
