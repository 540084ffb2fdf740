"""Adadelta (torch.optim.Adadelta): steps scaled by the ratio of running RMS of updates and of gradients."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from .optimizer import Optimizer, _check_hyper


class Adadelta(Optimizer):
    """torch.optim.Adadelta's update:

    g = g + weight_decay p;  s = rho s + (1 - rho) g**2;  delta = sqrt(acc + eps) / sqrt(s + eps) g;
    acc = rho acc + (1 - rho) delta**2;  p -= lr delta.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_hyper("rho", group["rho"], name, high=1.0, strict_high=False)
        _check_hyper("eps", group["eps"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "square_avg": ("array", True), "acc_delta": ("array", True)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["square_avg"] = np.zeros_like(p)
        state["acc_delta"] = np.zeros_like(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        s, acc = state["square_avg"], state["acc_delta"]
        s *= rho
        s += (1 - rho) * g * g
        std = np.sqrt(s + eps)
        delta = np.sqrt(acc + eps) / std * g
        acc *= rho
        acc += (1 - rho) * delta * delta
        p += -group["lr"] * delta
