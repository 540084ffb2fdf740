"""Adamax (torch.optim.Adamax): Adam with the infinity norm in place of the root mean square."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd.kernels.reference import _lerp_

from .nadam import _check_betas
from .optimizer import Optimizer, _check_hyper


class Adamax(Optimizer):
    """torch.optim.Adamax's update (t counts steps from 1):

    g = g + weight_decay p;  m = lerp(m, g, 1 - beta1);  u = max(beta2 u, |g| + eps);  p -= lr / (1 - beta1**t) m / u.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_betas(group, name)
        _check_hyper("eps", group["eps"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "exp_avg": ("array", True), "exp_inf": ("array", True)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(p)
        state["exp_inf"] = np.zeros_like(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        beta1, beta2 = group["betas"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        m, u = state["exp_avg"], state["exp_inf"]
        _lerp_(m, g, 1 - beta1)
        u *= beta2
        a = np.abs(g)
        a += group["eps"]
        np.maximum(u, a, out=u)
        clr = group["lr"] / (1 - beta1 ** state["step"])
        p += -clr * (m / u)
