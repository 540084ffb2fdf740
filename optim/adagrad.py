"""Adagrad: step sizes shrink with the sum of all past squared gradients."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd.backend import ops as K

from .optimizer import Optimizer, _check_hyper


class Adagrad(Optimizer):
    """torch.optim.Adagrad's update (t counts steps from 1):

    g = g + weight_decay * p;  sum += g**2;  p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_hyper("lr_decay", group["lr_decay"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)
        _check_hyper("initial_accumulator_value", group["initial_accumulator_value"], name)
        _check_hyper("eps", group["eps"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "sum": ("array", True)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["sum"] = np.full_like(p, group["initial_accumulator_value"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        K.adagrad_step(p, g, state["sum"], state["step"], group["lr"], group["lr_decay"], group["eps"],
                       group["weight_decay"])
