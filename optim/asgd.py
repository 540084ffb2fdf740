"""Averaged SGD (torch.optim.ASGD): SGD with a decaying step size and a running average ``ax`` of the iterates."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from .optimizer import Optimizer, _check_hyper


class ASGD(Optimizer):
    """torch.optim.ASGD's update (t counts steps from 1; eta starts at lr, mu at 1):

    g = g + weight_decay p;  p = p (1 - lambd eta) - eta g;  ax += mu (p - ax) (ax = p while mu = 1);
    then eta = lr / (1 + lambd lr t)**alpha and mu = 1 / max(1, t - t0) for the next step.
    The averaged parameters are ``optimizer.state[id(p)]["ax"]`` (index order in ``state_dict()``).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_hyper("lambd", group["lambd"], name)
        _check_hyper("alpha", group["alpha"], name)
        _check_hyper("t0", group["t0"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "eta": ("real", True), "mu": ("real", True), "ax": ("array", True)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["eta"] = float(group["lr"])
        state["mu"] = 1.0
        state["ax"] = np.zeros_like(p)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        step, lr, lambd = state["step"], group["lr"], group["lambd"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        eta, mu, ax = state["eta"], state["mu"], state["ax"]
        p *= 1 - lambd * eta
        p -= eta * g
        if mu != 1:
            ax += (p - ax) * mu
        else:
            ax[...] = p
        state["eta"] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"] = 1 / max(1, step - group["t0"])
