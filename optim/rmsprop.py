"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd.backend import ops as K

from .optimizer import Optimizer, _check_flag, _check_hyper


class RMSprop(Optimizer):
    """torch.optim.RMSprop's update:

    g = g + weight_decay * p;  s = alpha s + (1 - alpha) g**2;  avg = sqrt(s) + eps
    (``centered``: avg = sqrt(s - gbar**2) + eps with gbar = lerp(gbar, g, 1 - alpha));
    p -= lr * g / avg, or through a buffer b = momentum b + g / avg, p -= lr * b.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_hyper("alpha", group["alpha"], name, high=1.0, strict_high=False)
        _check_hyper("eps", group["eps"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)
        _check_hyper("momentum", group["momentum"], name)
        _check_flag("centered", group["centered"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "square_avg": ("array", True),
                "momentum_buffer": ("array", group["momentum"] > 0), "grad_avg": ("array", bool(group["centered"]))}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        momentum = group["momentum"]
        buf = state.setdefault("momentum_buffer", np.zeros_like(p)) if momentum > 0 else None
        gavg = state.setdefault("grad_avg", np.zeros_like(p)) if group["centered"] else None
        K.rmsprop_step(p, g, state["square_avg"], buf, gavg, group["lr"], group["alpha"], group["eps"],
                       group["weight_decay"], momentum)
