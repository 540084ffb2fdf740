"""Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd.backend import ops as K

from .optimizer import Optimizer, _check_flag, _check_hyper


class SGD(Optimizer):
    """torch.optim.SGD's update, step by step:

    d = g + weight_decay * p;  buf = momentum * buf + (1 - dampening) * d  (buf = d on the first step);
    d = d + momentum * buf if nesterov else buf (when momentum > 0);  p -= lr * d.
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                      weight_decay=weight_decay, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_hyper("momentum", group["momentum"], name)
        _check_hyper("dampening", group["dampening"], name)
        _check_hyper("weight_decay", group["weight_decay"], name)
        _check_flag("nesterov", group["nesterov"], name)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"{name}: nesterov=True needs momentum > 0 and dampening = 0")

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"momentum_buffer": ("array?", False)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        pass  # the momentum buffer is made on the first step that uses momentum

    def _update_group(self, tensors: list, group: dict) -> None:
        if group["momentum"] or type(self)._update is not SGD._update:
            return super()._update_group(tensors, group)
        # no momentum (so no dampening or nesterov either): no state to read, one group update
        states = self.state
        for p, _, _ in tensors:
            if id(p) not in states:
                states[id(p)] = {}
        K.sgd_foreach([d for _, d, _ in tensors], [g for _, _, g in tensors], group["lr"], group["weight_decay"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        momentum = group["momentum"]
        buf = state.get("momentum_buffer")
        first = buf is None
        if momentum and first:
            buf = state["momentum_buffer"] = np.zeros_like(p)
        K.sgd_step(p, g, buf if momentum else None, group["lr"], momentum, group["dampening"],
                   bool(group["nesterov"]), group["weight_decay"], first)
