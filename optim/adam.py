"""Adam and AdamW: per-parameter step sizes from running means of the gradient and its square."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd.backend import ops as K

from .optimizer import Optimizer, _check_flag, _check_hyper


class Adam(Optimizer):
    """torch.optim.Adam's update (t counts steps from 1):

    g = g + weight_decay * p;  m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g**2;
    p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    (``amsgrad``: use the running maximum of v instead of v).
    """

    decoupled = False

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        _check_hyper("beta1", betas[0], name, high=1.0)
        _check_hyper("beta2", betas[1], name, high=1.0)
        _check_hyper("eps", group["eps"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)
        _check_flag("amsgrad", group["amsgrad"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "exp_avg": ("array", True), "exp_avg_sq": ("array", True),
                "max_exp_avg_sq": ("array", bool(group["amsgrad"]))}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(p)
        state["exp_avg_sq"] = np.zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(p)

    def _update_group(self, tensors: list, group: dict) -> None:
        if group["amsgrad"] or type(self)._update is not Adam._update:
            return super()._update_group(tensors, group)
        # the group's options read once, one kernel call per parameter
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay, decoupled = group["lr"], group["eps"], group["weight_decay"], self.decoupled
        state_of = self._state_of
        states = [state_of(p, d, group) for p, d, _ in tensors]
        t = states[0]["step"] + 1
        if any(state["step"] + 1 != t for state in states):  # parameters at different steps: one call each
            for (_, d, g), state in zip(tensors, states):
                state["step"] += 1
                K.adam_step(d, g, state["exp_avg"], state["exp_avg_sq"], None, state["step"], lr, beta1, beta2, eps,
                            weight_decay, decoupled)
            return
        for state in states:
            state["step"] = t
        K.adam_foreach([d for _, d, _ in tensors], [g for _, _, g in tensors], [s["exp_avg"] for s in states],
                       [s["exp_avg_sq"] for s in states], t, lr, beta1, beta2, eps, weight_decay, decoupled)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        beta1, beta2 = group["betas"]
        vmax = state.get("max_exp_avg_sq") if group["amsgrad"] else None
        if group["amsgrad"] and vmax is None:
            vmax = state["max_exp_avg_sq"] = np.zeros_like(p)
        K.adam_step(p, g, state["exp_avg"], state["exp_avg_sq"], vmax, state["step"], group["lr"],
                    beta1, beta2, group["eps"], group["weight_decay"], self.decoupled)


class AdamW(Adam):
    """Adam with decoupled weight decay (torch.optim.AdamW): p *= 1 - lr * weight_decay, then the Adam step."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize)
