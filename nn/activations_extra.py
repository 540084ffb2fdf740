"""More activations as modules, torch's names and arguments (each wraps the function in ``nn.functional``)."""

from __future__ import annotations

from typing import Any

from . import functional as F
from .activations import ACTIVATION_MODULES
from .module import Module

__all__ = ["CELU", "SELU", "Softsign", "Hardsigmoid", "Hardswish", "Hardtanh", "ReLU6", "Softmin"]


class CELU(Module):
    """max(0, x) + min(0, alpha (e**(x/alpha) - 1))."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = F.check_number(alpha, "CELU", "alpha")
        if self.alpha == 0:
            raise ValueError("CELU: alpha must not be 0 (it divides x); use ReLU for the alpha -> 0 limit")

    def forward(self, x: Any) -> Any:
        return F.celu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha:g}"


class SELU(Module):
    """scale (max(0, x) + min(0, alpha (e**x - 1))), the self-normalising constants."""

    def forward(self, x: Any) -> Any:
        return F.selu(x)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x: Any) -> Any:
        return F.softsign(x)


class Hardsigmoid(Module):
    """clip(x/6 + 1/2, 0, 1)."""

    def forward(self, x: Any) -> Any:
        return F.hardsigmoid(x)


class Hardswish(Module):
    """x hardsigmoid(x)."""

    def forward(self, x: Any) -> Any:
        return F.hardswish(x)


class Hardtanh(Module):
    """clip(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        self.min_val = F.check_number(min_val, "Hardtanh", "min_val")
        self.max_val = F.check_number(max_val, "Hardtanh", "max_val")
        if self.min_val > self.max_val:
            raise ValueError(f"Hardtanh: min_val={self.min_val:g} is greater than max_val={self.max_val:g}; swap them")

    def forward(self, x: Any) -> Any:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val:g}, max_val={self.max_val:g}"


class ReLU6(Module):
    """min(max(x, 0), 6)."""

    def forward(self, x: Any) -> Any:
        return F.relu6(x)


class Softmin(Module):
    """softmax(-x) along ``dim`` (default -1, like this library's Softmax; torch users pass dim=)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"Softmin: dim must be an int, got {dim!r}")
        self.dim = dim

    def forward(self, x: Any) -> Any:
        return F.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


ACTIVATION_MODULES.update({
    "celu": CELU,
    "selu": SELU,
    "softsign": Softsign,
    "hardsigmoid": Hardsigmoid,
    "hard_sigmoid": Hardsigmoid,
    "hardswish": Hardswish,
    "hard_swish": Hardswish,
    "hardtanh": Hardtanh,
    "hard_tanh": Hardtanh,
    "relu6": ReLU6,
    "softmin": Softmin,
})
