"""RAdam (torch.optim.RAdam): Adam whose adaptive step is switched on only once its variance estimate is reliable."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd.kernels.reference import _lerp_

from .nadam import _check_betas
from .optimizer import Optimizer, _check_flag, _check_hyper


class RAdam(Optimizer):
    """torch.optim.RAdam's update (t counts steps from 1):

    m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g**2;  rho_inf = 2 / (1 - beta2) - 1;
    rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t);  mhat = m / (1 - beta1**t);
    p -= lr mhat r_t sqrt(1 - beta2**t) / (sqrt(v) + eps) when rho_t > 5 (r_t the rectification), else lr mhat.
    ``decoupled_weight_decay``: p *= 1 - lr weight_decay instead of g += weight_decay p.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_betas(group, name)
        _check_hyper("eps", group["eps"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)
        _check_flag("decoupled_weight_decay", group["decoupled_weight_decay"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "exp_avg": ("array", True), "exp_avg_sq": ("array", True)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(p)
        state["exp_avg_sq"] = np.zeros_like(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        step, lr, wd = state["step"], group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        if wd:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * wd
            else:
                g = g + wd * p
        _lerp_(m, g, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        mhat = m / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            denom = np.sqrt(v)
            denom += group["eps"]
            p -= mhat * lr * ((bias_correction2**0.5) / denom) * rect
        else:
            p -= mhat * lr
