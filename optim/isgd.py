"""Implicit SGD: the proximal step theta <- theta - lr grad L(theta_new), stable at any learning rate."""

from __future__ import annotations

import warnings
from typing import Any, Callable, Iterable

import numpy as np

from autograd.tracing import replayable

from ._flat import _FlatOptimizer
from .optimizer import _check_hyper, _check_int


class ISGD(_FlatOptimizer):
    """Implicit (proximal) SGD: each ``step(closure)`` solves z = theta - lr (grad L(z) + weight_decay z).

    That z minimises L(z) + weight_decay |z|^2 / 2 + |z - theta|^2 / (2 lr), so the step never
    overshoots: on a quadratic loss it is theta <- (I + lr H)^-1 (theta + lr b), stable for every lr > 0
    where explicit SGD diverges once lr > 2 / max eig(H). The fixed point is found by relaxed
    iterations z <- z - w (z - T(z)), T(z) = theta - lr (grad L(z) + weight_decay z), each a call of
    the closure; w starts at 1 (plain fixed-point iteration) and is halved whenever the residual
    |z - T(z)| grows, so the iteration converges for any lr. It stops once the step would change z
    by less than ``tol`` (max-norm) or after ``max_iter`` iterations (a RuntimeWarning says so).
    One parameter group; ``maximize=True`` climbs. No torch counterpart: torch has no implicit SGD,
    and a separate class keeps SGD's hot path (and its torch-equal state) untouched.
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.01, tol: float = 1e-10, max_iter: int = 100,
                 weight_decay: float = 0.0, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, tol=tol, max_iter=max_iter, weight_decay=weight_decay,
                                      maximize=maximize))

    def _validate(self, group: dict) -> None:
        super()._validate(group)
        name = type(self).__name__
        _check_hyper("tol", group["tol"], name, strict_low=True)
        _check_int("max_iter", group["max_iter"], name, low=1)
        _check_hyper("weight_decay", group["weight_decay"], name)

    def _flat_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        return {"step": ("step", True), "func_evals": ("step", True), "relaxation": ("real", True)}

    def _check_flat_entry(self, entry: dict, group: dict, at: str) -> None:
        if not 0 < entry["relaxation"] <= 1:
            raise ValueError(f"{at}['relaxation'] must be in (0, 1], got {entry['relaxation']!r}")

    def _residual(self, closure: Callable, z: np.ndarray, theta: np.ndarray, group: dict) -> np.ndarray:
        """z - T(z), evaluating the closure's gradient at z (the parameters are left at z)."""
        self._set_flat(z)
        self._evaluate(closure)
        self._flat_state["func_evals"] += 1
        return self._direction(z, group) * group["lr"] + (z - theta)

    def _direction(self, z: np.ndarray, group: dict) -> np.ndarray:
        g = self._gather_flat_grad()
        if group["maximize"]:
            g = -g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * z
        return g

    @replayable
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """One implicit step; returns the loss at the parameters before it (the closure's first value)."""
        self._check_closure(closure)
        group = self.param_groups[0]
        state = self._flat_state
        if not state:
            state.update(step=0, func_evals=0, relaxation=1.0)
        tol, lr = group["tol"], group["lr"]
        theta = self._gather_flat()
        loss, _ = self._evaluate(closure)
        state["func_evals"] += 1
        z = theta
        r = self._direction(theta, group) * lr  # z - T(z) at z = theta: the explicit step
        norm = float(np.sqrt(r.dot(r)))
        w = min(1.0, 2 * state["relaxation"])
        converged = False
        for _ in range(group["max_iter"]):
            if float(np.abs(r).max()) <= tol:
                converged = True
                break
            z_new = z - w * r
            r_new = self._residual(closure, z_new, theta, group)
            norm_new = float(np.sqrt(r_new.dot(r_new)))
            if np.isfinite(norm_new) and norm_new < norm:
                z, r, norm = z_new, r_new, norm_new
            else:
                w *= 0.5
        else:
            converged = float(np.abs(r).max()) <= tol
        self._set_flat(z)
        state["step"] += 1
        state["relaxation"] = w
        if not converged:
            warnings.warn(
                f"ISGD.step: the implicit step did not converge in max_iter={group['max_iter']} iterations "
                f"(last change {float(np.abs(r).max()):.3g} > tol={tol:g}); raise max_iter or tol",
                RuntimeWarning, stacklevel=2,
            )
        return loss
