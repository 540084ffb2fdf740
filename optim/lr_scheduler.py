"""Learning-rate schedules: call ``scheduler.step()`` once per epoch, after ``optimizer.step()``.

They follow torch.optim.lr_scheduler's rules (and its recursive formulas, so
the learning rates match torch's to the last bit), acting on each group's "lr".
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Callable

from autograd.tracing import replayable

from .optimizer import Optimizer


class LRScheduler:
    """Base: remembers each group's initial lr (``base_lrs``) and sets ``group["lr"]`` on every ``step``."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an optimiser, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        added = []  # groups given an initial_lr here, taken back if the first step fails
        if last_epoch == -1:
            for group in optimizer.param_groups:
                if "initial_lr" not in group:
                    group["initial_lr"] = group["lr"]
                    added.append(group)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr'; resume with last_epoch >= 0 "
                        "only after loading the optimiser's state_dict"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        try:
            self.step()
        except BaseException:
            for group in added:
                del group["initial_lr"]
            raise

    def get_lr(self) -> list[float]:  # pragma: no cover - abstract
        raise NotImplementedError

    @replayable
    def step(self) -> None:
        """Advance one epoch and set every group's learning rate."""
        self._step_count += 1
        self.last_epoch += 1
        try:
            lrs = self.get_lr()
            for lr in lrs:
                if isinstance(lr, bool) or not isinstance(lr, Real) or not lr >= 0:
                    raise ValueError(
                        f"{type(self).__name__}: the schedule gave lr={lr!r} at epoch {self.last_epoch}; "
                        "a learning rate must be a number >= 0"
                    )
        except BaseException:  # nothing changes when the schedule fails
            self._step_count -= 1
            self.last_epoch -= 1
            raise
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest ``step``."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambda")}

    def load_state_dict(self, state: dict) -> None:
        self.__dict__.update(state)

    def _is_initial(self) -> bool:
        return self.last_epoch == 0


def _positive(x: Any, what: str, where: str, integer: bool = False) -> Any:
    kind = int if integer else Real
    if isinstance(x, bool) or not isinstance(x, kind) or not x > 0:
        raise ValueError(f"{where}: {what} must be a positive {'int' if integer else 'number'}, got {x!r}")
    return x


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = _positive(step_size, "step_size", "StepLR", integer=True)
        self.gamma = float(_positive(gamma, "gamma", "StepLR"))
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [g["lr"] for g in self.optimizer.param_groups]
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = float(_positive(gamma, "gamma", "ExponentialLR"))
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial():
            return [g["lr"] for g in self.optimizer.param_groups]
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2: half a cosine from base_lr down to eta_min."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = _positive(T_max, "T_max", "CosineAnnealingLR", integer=True)
        if isinstance(eta_min, bool) or not isinstance(eta_min, Real) or eta_min < 0:
            raise ValueError(f"CosineAnnealingLR: eta_min must be a number >= 0, got {eta_min!r}")
        self.eta_min = float(eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial():
            return [g["lr"] for g in groups]
        if self._step_count == 1 and t > 0:  # resumed: closed form
            return [lo + (base - lo) * (1 + math.cos(t * math.pi / T)) / 2 for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            return [g["lr"] + (base - lo) * (1 - math.cos(math.pi / T)) / 2 for base, g in zip(self.base_lrs, groups)]
        return [
            (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (g["lr"] - lo) + lo
            for g in groups
        ]


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), e.g. ``lambda k: 1.0 - 0.9 * k / 100`` (micrograd's decay)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float], last_epoch: int = -1) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got {type(lr_lambda).__name__}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        factor = self.lr_lambda(self.last_epoch)
        if isinstance(factor, bool) or not isinstance(factor, Real):
            raise TypeError(
                f"LambdaLR: lr_lambda({self.last_epoch}) returned {factor!r}; it must return a number "
                "(the factor applied to the initial lr)"
            )
        return [base * factor for base in self.base_lrs]
