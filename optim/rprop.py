"""Rprop (torch.optim.Rprop): resilient back-propagation, a step size per weight driven by the gradient's sign."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from .optimizer import Optimizer, _check_hyper


class Rprop(Optimizer):
    """torch.optim.Rprop's update, per element (s = step size, started at lr; g_prev = the last step's g):

    s *= etaplus if g g_prev > 0, etaminus if g g_prev < 0 (and then g = 0), else 1;  s = clip(s, *step_sizes);
    p -= sign(g) s;  g_prev = g.
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.01, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50.0), maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, etas=tuple(etas) if isinstance(etas, (tuple, list)) else etas,
                                      step_sizes=tuple(step_sizes) if isinstance(step_sizes, (tuple, list))
                                      else step_sizes, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        etas, sizes = group["etas"], group["step_sizes"]
        if not isinstance(etas, tuple) or len(etas) != 2:
            raise ValueError(f"{name}: etas must be a pair (etaminus, etaplus), got {etas!r}")
        minus, plus = (_check_hyper(k, v, name) for k, v in zip(("etaminus", "etaplus"), etas))
        if not 0.0 < minus < 1.0 < plus:
            raise ValueError(f"{name}: etas must satisfy 0 < etaminus < 1 < etaplus, got {etas!r}")
        if not isinstance(sizes, tuple) or len(sizes) != 2:
            raise ValueError(f"{name}: step_sizes must be a pair (min, max), got {sizes!r}")
        lo, hi = (_check_hyper(k, v, name) for k, v in zip(("min step size", "max step size"), sizes))
        if lo > hi:
            raise ValueError(f"{name}: step_sizes must be (min, max) with min <= max, got {sizes!r}")

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "prev": ("array", True), "step_size": ("array", True)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        state["prev"] = np.zeros_like(p)
        state["step_size"] = np.full_like(p, group["lr"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        state["step"] += 1
        minus, plus = group["etas"]
        lo, hi = group["step_sizes"]
        prev, size = state["prev"], state["step_size"]
        sign = np.sign(g * prev)
        factor = np.where(sign > 0, plus, np.where(sign < 0, minus, 1.0)).astype(p.dtype, copy=False)
        size *= factor
        np.clip(size, lo, hi, out=size)
        g = np.where(sign < 0, 0, g).astype(p.dtype, copy=False)  # a sign change: no step, and no memory of g
        p -= np.sign(g) * size
        prev[...] = g
