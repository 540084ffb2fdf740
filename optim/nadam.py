"""NAdam (torch.optim.NAdam): Adam with Nesterov momentum and a warming-up momentum schedule."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd.kernels.reference import _lerp_

from .optimizer import Optimizer, _check_flag, _check_hyper


def _check_betas(group: dict, name: str) -> None:
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
    _check_hyper("beta1", betas[0], name, high=1.0)
    _check_hyper("beta2", betas[1], name, high=1.0)


class NAdam(Optimizer):
    """torch.optim.NAdam's update (t counts steps from 1):

    mu_t = beta1 (1 - 0.96**(t momentum_decay) / 2);  m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g**2;
    p -= lr [(1 - mu_t) / (1 - prod mu_1..t) g + mu_{t+1} / (1 - prod mu_1..t+1) m] / (sqrt(v / (1 - beta2**t)) + eps).
    ``decoupled_weight_decay``: p *= 1 - lr weight_decay (NAdamW) instead of g += weight_decay p.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_betas(group, name)
        _check_hyper("eps", group["eps"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)
        _check_hyper("momentum_decay", group["momentum_decay"], name)
        _check_flag("decoupled_weight_decay", group["decoupled_weight_decay"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "mu_product": ("real", True), "exp_avg": ("array", True),
                "exp_avg_sq": ("array", True)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["mu_product"] = 1.0
        state["exp_avg"] = np.zeros_like(p)
        state["exp_avg_sq"] = np.zeros_like(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        step, lr, wd = state["step"], group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        bias_correction2 = 1 - beta2**step
        if wd:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * wd
            else:
                g = g + wd * p
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * group["momentum_decay"])))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * group["momentum_decay"])))
        mu_product = state["mu_product"] = state["mu_product"] * mu
        _lerp_(m, g, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * g * g
        denom = np.sqrt(v / bias_correction2)
        denom += group["eps"]
        mu_product_next = mu_product * mu_next
        p += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
        p += ((-lr * mu_next) / (1.0 - mu_product_next)) * (m / denom)
