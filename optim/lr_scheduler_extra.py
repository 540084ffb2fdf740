"""More of torch.optim.lr_scheduler: ConstantLR, PolynomialLR, MultiplicativeLR, CyclicLR and ChainedScheduler.

Same rules as ``lr_scheduler``: torch's recursive formulas (so the rates match torch's to the last bit), a
closed form for jumps, and state dicts whose every entry is checked on load.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Callable, Sequence

from autograd.tracing import replayable

from .lr_scheduler import (
    LRScheduler,
    _check,
    _check_lr_list,
    _flag,
    _integer,
    _number,
    _per_group,
    _positive,
    _sub_schedulers,
    _factor,
    _lambdas,
)
from .optimizer import Optimizer

__all__ = ["ConstantLR", "PolynomialLR", "MultiplicativeLR", "CyclicLR", "ChainedScheduler"]


class ConstantLR(LRScheduler):
    """lr = base_lr * factor for the first ``total_iters`` epochs, then base_lr."""

    _checks = {"factor": _check(_number, "factor", high=1.0), "total_iters": _check(_integer, "total_iters")}

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        self.factor = _number(factor, "factor", "ConstantLR", high=1.0)
        self.total_iters = _integer(total_iters, "total_iters", "ConstantLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [g["lr"] * self.factor for g in groups]
        if self.last_epoch != self.total_iters:
            return [g["lr"] for g in groups]
        return [g["lr"] * (1.0 / self.factor) for g in groups]

    def _closed_form(self) -> list[float]:
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = base_lr (1 - min(t, total_iters) / total_iters)**power: a polynomial decay to 0 over ``total_iters``."""

    _checks = {"total_iters": _check(_positive, "total_iters", integer=True), "power": _check(_number, "power")}

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters = _positive(total_iters, "total_iters", "PolynomialLR", integer=True)
        self.power = _number(power, "power", "PolynomialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial() or self.last_epoch > self.total_iters:
            return [g["lr"] for g in groups]
        t, n = self.last_epoch, self.total_iters
        factor = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [g["lr"] * factor for g in groups]

    def _closed_form(self) -> list[float]:
        n = self.total_iters
        return [base * (1.0 - min(n, self.last_epoch) / n) ** self.power for base in self.base_lrs]


class MultiplicativeLR(LRScheduler):
    """lr_t = lr_(t-1) * lr_lambda(t): the lr multiplied each epoch by what the function gives."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas(lr_lambda, optimizer, "MultiplicativeLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial():
            return [g["lr"] for g in groups]
        return [g["lr"] * _factor(fn, self.last_epoch, "MultiplicativeLR") for fn, g in zip(self.lr_lambdas, groups)]


_MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, 2017): the lr goes from base_lr up to max_lr in ``step_size_up`` steps
    and back in ``step_size_down``; call ``step()`` after every batch.

    mode "triangular" keeps the height, "triangular2" halves it every cycle, "exp_range" scales it by
    gamma**iteration; ``scale_fn`` (with ``scale_mode`` "cycle" or "iterations") replaces the mode. With
    ``cycle_momentum`` the momentum (or Adam's beta1) cycles the other way, from max_momentum to base_momentum.
    """

    _checks = {
        "max_lrs": lambda v, at: [_number(x, "each max_lr", at) for x in v] if isinstance(v, (list, tuple))
        else _number(v, "max_lrs", at),
        "total_size": _check(_number, "total_size", low_open=True),
        "step_ratio": _check(_number, "step_ratio", high=1.0, low_open=True),
        "mode": lambda v, at: _mode(v, at),
        "gamma": _check(_number, "gamma"),
        "scale_mode": lambda v, at: _scale_mode(v, at),
        "cycle_momentum": _check(_flag, "cycle_momentum"),
        "use_beta1": _check(_flag, "use_beta1"),
        "base_momentums": lambda v, at: [_number(x, "each base_momentum", at) for x in v],
        "max_momentums": lambda v, at: [_number(x, "each max_momentum", at) for x in v],
    }

    def __init__(self, optimizer: Optimizer, base_lr: float | Sequence[float], max_lr: float | Sequence[float],
                 step_size_up: float = 2000, step_size_down: float | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float | Sequence[float] = 0.8,
                 max_momentum: float | Sequence[float] = 0.9, last_epoch: int = -1) -> None:
        where = "CyclicLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: expected an optimiser, got {type(optimizer).__name__}")
        base_lrs = _per_group(base_lr, "base_lr", optimizer, where)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group(max_lr, "max_lr", optimizer, where)
        up = float(_positive(step_size_up, "step_size_up", where))
        down = float(_positive(step_size_down, "step_size_down", where)) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = _mode(mode, where)
        self.gamma = _number(gamma, "gamma", where)
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{where}: scale_fn must be a function of the cycle or iteration, got {scale_fn!r}")
        self._scale_fn_custom = scale_fn
        self.scale_mode = _scale_mode(scale_mode, where) if scale_fn is not None else \
            ("iterations" if self.mode == "exp_range" else "cycle")
        self.cycle_momentum = _flag(cycle_momentum, "cycle_momentum", where)
        self.use_beta1 = False
        self.base_momentums: list[float] = []
        self.max_momentums: list[float] = []
        if self.cycle_momentum:
            defaults = optimizer.defaults
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(f"{where}: cycle_momentum=True needs an optimiser with momentum or betas "
                                 f"({type(optimizer).__name__} has neither); pass cycle_momentum=False")
            self.use_beta1 = "betas" in defaults
            self.base_momentums = _per_group(base_momentum, "base_momentum", optimizer, where)
            self.max_momentums = _per_group(max_momentum, "max_momentum", optimizer, where)
            if last_epoch == -1:
                for top, low, group in zip(self.max_momentums, self.base_momentums, optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (top, *group["betas"][1:])
                    else:
                        group["momentum"] = top
                    group["max_momentum"], group["base_momentum"] = top, low
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The height's factor at cycle (or iteration) x."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        scale = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [base + (top - base) * scale * self.scale_fn(at) for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for low, top, group in zip(self.base_momentums, self.max_momentums, self.optimizer.param_groups):
                momentum = top - (top - low) * scale * self.scale_fn(at)
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs

    def state_dict(self) -> dict:
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                if k not in ("optimizer", "_scale_fn_custom")}


def _mode(v: Any, at: str) -> str:
    if v not in _MODES:
        raise ValueError(f"{at}: mode must be one of {', '.join(_MODES)}, got {v!r}")
    return v


def _scale_mode(v: Any, at: str) -> str:
    if v not in ("cycle", "iterations"):
        raise ValueError(f"{at}: scale_mode must be 'cycle' or 'iterations', got {v!r}")
    return v


class ChainedScheduler(LRScheduler):
    """Step every scheduler in ``schedulers`` at each ``step()``: their factors multiply (torch's chaining)."""

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        schedulers = _sub_schedulers(schedulers, optimizer, "ChainedScheduler")
        optimizer = schedulers[0].optimizer
        self._schedules = schedulers
        self.optimizer = optimizer
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    @replayable
    def step(self) -> None:
        for sched in self._schedules:
            sched.step()
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        own = {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in ("optimizer", "_schedules")}
        own["_schedules"] = [s.state_dict() for s in self._schedules]
        return own

    def _checked_state(self, state: Any, where: str) -> dict:
        if not isinstance(state, dict):
            raise TypeError(f"{where}: expected the dict returned by state_dict(), got {type(state).__name__}")
        subs = state.get("_schedules")
        if not isinstance(subs, (list, tuple)) or len(subs) != len(self._schedules):
            raise ValueError(f"{where}: state['_schedules'] must be a list of {len(self._schedules)} scheduler states")
        unknown = sorted(str(k) for k in state if k not in ("_schedules", "_last_lr"))
        if unknown or "_last_lr" not in state:
            raise ValueError(f"{where}: a ChainedScheduler state holds ['_last_lr', '_schedules'], got {sorted(state)}")
        return {
            "_last_lr": _check_lr_list(state["_last_lr"], len(self.optimizer.param_groups), f"{where}: '_last_lr'"),
            "_schedules": [s._checked_state(sub, f"{where}: state['_schedules'][{i}] ({type(s).__name__})")
                           for i, (s, sub) in enumerate(zip(self._schedules, subs))],
        }

    def _commit(self, state: dict) -> None:
        self._last_lr = state["_last_lr"]
        for s, sub in zip(self._schedules, state["_schedules"]):
            s._commit(sub)

