"""Adafactor (torch.optim.Adafactor): Adam-like steps from a factored second moment, without a first moment."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from autograd import Value

from .optimizer import Optimizer, _check_flag, _check_hyper


class Adafactor(Optimizer):
    """torch.optim.Adafactor's update at step t (beta2_t = 1 - t**beta2_decay, rho_t = min(lr, 1/sqrt(t))):

    alpha = max(eps2, rms(p)) rho_t;  p *= 1 - lr weight_decay;
    a matrix (the last two axes): R = lerp(R, mean_cols(g^2), beta2_t), C = lerp(C, mean_rows(g^2), beta2_t),
    v = R C / max(mean(R), eps1); a vector: v = lerp(v, g^2, beta2_t);
    u = g / sqrt(max(v, eps1^2));  p -= alpha / max(1, rms(u) / d) u.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay,
                                      eps=tuple(eps) if isinstance(eps, (tuple, list)) else eps, d=d,
                                      weight_decay=weight_decay, foreach=foreach, maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        decay = group["beta2_decay"]
        if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not decay <= 0.0:
            raise ValueError(f"{name}: beta2_decay must be a number <= 0, got {decay!r}")
        eps = group["eps"]
        if not isinstance(eps, tuple) or len(eps) != 2:
            raise ValueError(f"{name}: eps must be a pair (eps1 or None, eps2), got {eps!r}")
        if eps[0] is not None:
            _check_hyper("eps1", eps[0], name)
        _check_hyper("eps2", eps[1], name)
        _check_hyper("d", group["d"], name, low=1.0)
        _check_hyper("weight_decay", group["weight_decay"], name)
        if group["foreach"] is not None:
            _check_flag("foreach", group["foreach"], name)

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        # a matrix keeps the row and column factors, a vector the full second moment
        return {"step": ("step", True), "row_var": ("rows", False), "col_var": ("cols", False),
                "variance": ("array", False)}

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:
        state["step"] = 0
        if p.ndim > 1:
            state["row_var"] = np.zeros(p.shape[:-1] + (1,), dtype=p.dtype)
            state["col_var"] = np.zeros(p.shape[:-2] + (1,) + p.shape[-1:], dtype=p.dtype)
        else:
            state["variance"] = np.zeros_like(p)

    def step(self, closure: Any = None) -> Any:
        for group in self.param_groups:
            if any(type(p) is Value for p in group["params"]):
                raise TypeError("Adafactor: its step scales by each parameter's norm, so it needs Tensors; convert "
                                "the model with .to_tensor()")
        return super().step(closure)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(p.dtype).eps)
        state["step"] += 1
        t = float(state["step"])
        lr = group["lr"]
        beta2_t = t ** group["beta2_decay"]
        rho = min(lr, 1.0 / t**0.5)
        alpha = max(eps2, float(np.linalg.norm(p.reshape(-1))) / p.size**0.5) * rho
        if group["weight_decay"]:
            p *= p.dtype.type(1 - lr * group["weight_decay"])
        if p.ndim > 1:
            row, col = state["row_var"], state["col_var"]
            g2 = g * g
            row += (g2.mean(axis=-1, keepdims=True) - row) * p.dtype.type(beta2_t)
            col += (g2.mean(axis=-2, keepdims=True) - col) * p.dtype.type(beta2_t)
            var = row @ col
            var /= np.maximum(row.mean(axis=-2, keepdims=True), eps1)
        else:
            v = state["variance"]
            v += (g * g - v) * p.dtype.type(beta2_t)
            var = v.copy()
        update = 1.0 / np.sqrt(np.maximum(var, eps1 * eps1))
        update = (update * g).astype(p.dtype, copy=False)
        denom = max(1.0, float(np.linalg.norm(update.reshape(-1))) / (update.size**0.5 * group["d"]))
        p -= update * p.dtype.type(alpha / denom)
