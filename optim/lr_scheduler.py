"""Learning-rate schedules: call ``scheduler.step()`` once per epoch, after ``optimizer.step()``.

They follow torch.optim.lr_scheduler's rules (and its recursive formulas, so
the learning rates match torch's to the last bit), acting on each group's "lr".
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right
from numbers import Integral, Real
from typing import Any, Callable, Iterable, Sequence

from autograd.tracing import replayable
from autograd.tracing import state as _trace_state

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
            _check_lrs(lrs, self, self.last_epoch)
        except BaseException:  # nothing changes when the schedule fails
            self._step_count -= 1
            self.last_epoch -= 1
            raise
        self._set_lrs(lrs)

    def _set_lrs(self, lrs: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _initial_step(self) -> None:
        """The first step again, as at construction (SequentialLR restarts its first scheduler this way)."""
        self._step_count = 0
        self.step()

    def _update_lr(self, epoch: int) -> None:
        """Jump to ``epoch`` (the closed form where the schedule has one), without counting a step."""
        previous = self.last_epoch
        self.last_epoch = epoch
        try:
            lrs = self._closed_form() if hasattr(self, "_closed_form") else self.get_lr()
            _check_lrs(lrs, self, epoch)
        except BaseException:
            self.last_epoch = previous
            raise
        self._set_lrs(lrs)

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest ``step``."""
        return list(self._last_lr)

    # ------------------------------------------------------------ state dicts
    _checks: dict[str, Callable[[Any, str], Any]] = {}  # the schedule's own settings: key -> check(value, where)

    def state_dict(self) -> dict:
        """The schedule's settings and position (plain numbers and lists), for ``load_state_dict``."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}

    def load_state_dict(self, state: dict) -> None:
        """Restore a ``state_dict``: every entry is checked (keys, types, ranges) before anything changes."""
        self._commit(self._checked_state(state, f"{type(self).__name__}.load_state_dict"))

    def _checked_state(self, state: Any, where: str) -> dict:
        if not isinstance(state, dict):
            raise TypeError(f"{where}: expected the dict returned by state_dict(), got {type(state).__name__}")
        own = self.state_dict()
        missing = sorted(k for k in own if k not in state)
        unknown = sorted(str(k) for k in state if k not in own)
        if missing or unknown:
            raise ValueError(
                f"{where}: missing key(s) {missing}, unknown key(s) {unknown}; a {type(self).__name__} state holds "
                f"{sorted(own)} (is this the state of another scheduler, or one built with other options?)"
            )
        n = len(self.optimizer.param_groups)
        checks = {**_COMMON_CHECKS, **type(self)._checks}
        out = {}
        for k, v in state.items():
            at = f"{where}: state[{k!r}]"
            if k in ("base_lrs", "_last_lr", "min_lrs"):
                out[k] = _check_lr_list(v, n, at)
            elif k in checks:
                out[k] = checks[k](v, at)
            else:  # pragma: no cover - every key a scheduler keeps has a check
                raise AssertionError(f"{type(self).__name__} has no check for state key {k!r}")
        self._check_together(out, where)
        return out

    def _check_together(self, state: dict, where: str) -> None:
        """Checks tying several entries together (subclasses extend)."""

    def _commit(self, state: dict) -> None:
        self.__dict__.update(state)

    def _is_initial(self) -> bool:
        return self.last_epoch == 0


def _check_lrs(lrs: Any, sched: Any, epoch: Any) -> None:
    for lr in lrs:
        if isinstance(lr, bool) or not isinstance(lr, Real) or not 0 <= lr < math.inf:
            raise ValueError(
                f"{type(sched).__name__}: the schedule gave lr={lr!r} at epoch {epoch}; "
                "a learning rate must be a finite number >= 0"
            )


def _positive(x: Any, what: str, where: str, integer: bool = False) -> Any:
    kind = Integral if integer else Real
    if isinstance(x, bool) or not isinstance(x, kind) or not 0 < x < math.inf:
        raise ValueError(f"{where}: {what} must be a positive {'int' if integer else 'number'}, got {x!r}")
    return int(x) if integer else x


def _number(x: Any, what: str, where: str, low: float = 0.0, high: float = math.inf, low_open: bool = False,
            high_open: bool = False) -> float:
    """A finite number in [low, high] (ends excluded where ``*_open``)."""
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x):
        raise ValueError(f"{where}: {what} must be a finite number, got {x!r}")
    if (x <= low if low_open else x < low) or (x >= high if high_open else x > high):
        lo = f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high == math.inf else f" and {'<' if high_open else '<='} {high:g}"
        raise ValueError(f"{where}: {what} must be a number {lo}{hi}, got {x!r}")
    return float(x)


def _integer(x: Any, what: str, where: str, low: int = 0) -> int:
    if isinstance(x, bool) or not isinstance(x, Integral) or x < low:
        raise ValueError(f"{where}: {what} must be an int >= {low}, got {x!r}")
    return int(x)


def _flag(x: Any, what: str, where: str) -> bool:
    if not isinstance(x, bool):
        raise ValueError(f"{where}: {what} must be True or False, got {x!r}")
    return x


def _check_lr_list(v: Any, n: int, at: str) -> list[float]:
    if not isinstance(v, (list, tuple)) or len(v) != n:
        raise ValueError(f"{at} must be a list of {n} learning rates (one per parameter group), got {v!r}")
    return [_number(x, "each entry", at) for x in v]


# checks for the entries every scheduler keeps; each takes (value, where) and returns the value to store
_COMMON_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "last_epoch": lambda v, at: _integer(v, "the epoch", at, low=-1),
    "_step_count": lambda v, at: _integer(v, "the step count", at),
}


def _check(fn: Callable[..., Any], what: str, **kw: Any) -> Callable[[Any, str], Any]:
    """A state check from a constructor check: ``fn(value, what, where, **kw)``."""
    return lambda v, at: fn(v, what, at, **kw)


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs."""

    _checks = {"step_size": _check(_positive, "step_size", integer=True), "gamma": _check(_positive, "gamma")}

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = _positive(step_size, "step_size", "StepLR", integer=True)
        self.gamma = float(_positive(gamma, "gamma", "StepLR"))
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [g["lr"] for g in self.optimizer.param_groups]
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _closed_form(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch."""

    _checks = {"gamma": _check(_positive, "gamma")}

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = float(_positive(gamma, "gamma", "ExponentialLR"))
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial():
            return [g["lr"] for g in self.optimizer.param_groups]
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _closed_form(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2: half a cosine from base_lr down to eta_min."""

    _checks = {"T_max": _check(_positive, "T_max", integer=True), "eta_min": _check(_number, "eta_min")}

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = _positive(T_max, "T_max", "CosineAnnealingLR", integer=True)
        self.eta_min = _number(eta_min, "eta_min", "CosineAnnealingLR")
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

    def _closed_form(self) -> list[float]:
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        return [lo + (base - lo) * (1 + math.cos(math.pi * t / T)) / 2 for base in self.base_lrs]


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), e.g. ``lambda k: 1.0 - 0.9 * k / 100`` (micrograd's decay); a list gives
    one function per parameter group."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas(lr_lambda, optimizer, "LambdaLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * _factor(fn, self.last_epoch, "LambdaLR") for fn, base in zip(self.lr_lambdas, self.base_lrs)]


def _lambdas(lr_lambda: Any, optimizer: Optimizer, where: str) -> list[Callable[[int], float]]:
    """One function of the epoch per parameter group (a single one is used for every group)."""
    n = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
    fns = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
    if len(fns) != n:
        raise ValueError(f"{where}: expected {n} lr_lambdas (one per parameter group), got {len(fns)}")
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"{where}: lr_lambda must be a function of the epoch, got {type(fn).__name__}")
    return fns


def _factor(fn: Callable[[int], float], epoch: int, where: str) -> float:
    value = fn(epoch)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{where}: lr_lambda({epoch}) returned {value!r}; it must return a number")
    return value


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each epoch in ``milestones`` (a milestone given twice counts twice)."""

    _checks = {"milestones": lambda v, at: _milestones(v, "milestones", at, strict=False),
               "gamma": _check(_positive, "gamma")}

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = _milestones(milestones, "milestones", "MultiStepLR", strict=False)
        self.gamma = float(_positive(gamma, "gamma", "MultiStepLR"))
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        hits = self.milestones.count(self.last_epoch)
        if not hits:
            return [g["lr"] for g in self.optimizer.param_groups]
        return [g["lr"] * self.gamma**hits for g in self.optimizer.param_groups]

    def _closed_form(self) -> list[float]:
        return [base * self.gamma ** bisect_right(self.milestones, self.last_epoch) for base in self.base_lrs]


def _milestones(v: Any, what: str, where: str, strict: bool) -> list[int]:
    """Sorted epochs (ints >= 0); ``strict``: also strictly increasing (no repeats)."""
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        raise ValueError(f"{where}: {what} must be a list of epochs (ints >= 0), got {v!r}")
    out = [_integer(m, f"each of {what}", where) for m in v]
    if strict and any(b <= a for a, b in zip(out, out[1:])):
        raise ValueError(f"{where}: {what} must be strictly increasing, got {out}")
    return sorted(out)


class LinearLR(LRScheduler):
    """lr = base_lr * factor, the factor going linearly from ``start_factor`` to ``end_factor`` over ``total_iters``."""

    _checks = {
        "start_factor": _check(_number, "start_factor", high=1.0, low_open=True),
        "end_factor": _check(_number, "end_factor", high=1.0),
        "total_iters": _check(_positive, "total_iters", integer=True),
    }

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        self.start_factor = _number(start_factor, "start_factor", "LinearLR", high=1.0, low_open=True)
        self.end_factor = _number(end_factor, "end_factor", "LinearLR", high=1.0)
        self.total_iters = _positive(total_iters, "total_iters", "LinearLR", integer=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [g["lr"] * self.start_factor for g in groups]
        if self._step_count == 1 or self.last_epoch > self.total_iters:  # resumed, or past the ramp
            return [g["lr"] for g in groups]
        span = self.end_factor - self.start_factor
        return [g["lr"] * (1.0 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span))
                for g in groups]

    def _closed_form(self) -> list[float]:
        span = self.end_factor - self.start_factor
        return [base * (self.start_factor + span * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: lr = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2, restarting after T_i epochs.

    The first period is ``T_0`` epochs, each next one ``T_mult`` times longer. ``step(epoch)`` may be given a
    fractional epoch (``scheduler.step(epoch + i / iters)`` inside an epoch), as in torch.
    """

    _checks = {
        "T_0": _check(_positive, "T_0", integer=True),
        "T_i": _check(_positive, "T_i", integer=True),
        "T_mult": _check(_integer, "T_mult", low=1),
        "eta_min": _check(_number, "eta_min"),
        "T_cur": lambda v, at: v if isinstance(v, Integral) and not isinstance(v, bool) and v >= -1
        else _number(v, "T_cur", at, low=-1.0),
    }

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_0 = _positive(T_0, "T_0", "CosineAnnealingWarmRestarts", integer=True)
        self.T_i = self.T_0
        self.T_mult = _integer(T_mult, "T_mult", "CosineAnnealingWarmRestarts", low=1)
        self.eta_min = _number(eta_min, "eta_min", "CosineAnnealingWarmRestarts")
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base in self.base_lrs]

    @replayable
    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (may be fractional)."""
        where = "CosineAnnealingWarmRestarts.step"
        saved = (self.T_cur, self.T_i, self.last_epoch, self._step_count)
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            epoch = _number(epoch, "epoch", where)
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._step_count += 1
        try:
            lrs = self.get_lr()
            _check_lrs(lrs, self, self.last_epoch)
        except BaseException:
            self.T_cur, self.T_i, self.last_epoch, self._step_count = saved
            raise
        self._set_lrs(lrs)


def _per_group(value: Any, what: str, optimizer: Optimizer, where: str) -> list[float]:
    """One number per parameter group: a list of that length, or one number for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{where}: expected {n} values of {what} (one per parameter group), got {len(value)}")
        return [_number(v, what, where) for v in value]
    return [_number(value, what, where)] * n


def _phases(v: Any, at: str) -> list[dict]:
    names = {"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"}
    keys = {"end_step", "start_lr", "end_lr", "start_momentum", "end_momentum"}
    if not isinstance(v, (list, tuple)) or len(v) not in (2, 3) or not all(isinstance(p, dict) for p in v):
        raise ValueError(f"{at} must be a list of 2 or 3 phase dicts, got {v!r}")
    out = []
    for i, p in enumerate(v):
        if set(p) != keys or any(p[k] not in names for k in keys - {"end_step"}):
            raise ValueError(f"{at}[{i}] must hold {sorted(keys)} with start/end names from {sorted(names)}, got {p!r}")
        out.append({**p, "end_step": _number(p["end_step"], "end_step", f"{at}[{i}]", low=-1.0)})
    return out


class OneCycleLR(LRScheduler):
    """The 1cycle policy: lr rises from max_lr / div_factor to max_lr over ``pct_start`` of the steps, then
    anneals (``"cos"`` or ``"linear"``) to initial_lr / final_div_factor; ``three_phase`` comes back down to
    the initial lr first. With ``cycle_momentum`` the momentum (or Adam's beta1) moves the opposite way
    between max_momentum and base_momentum. Step it after every batch, ``total_steps`` times in all.
    """

    _checks = {
        "total_steps": _check(_positive, "total_steps", integer=True),
        "_schedule_phases": _phases,
        "_anneal_func_type": lambda v, at: _choice(v, ("cos", "linear"), "anneal_strategy", at),
        "cycle_momentum": _check(_flag, "cycle_momentum"),
        "use_beta1": _check(_flag, "use_beta1"),
    }

    def __init__(self, optimizer: Optimizer, max_lr: float | Sequence[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.85, max_momentum: float | Sequence[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        where = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: expected an optimiser, got {type(optimizer).__name__}")
        if total_steps is not None:
            self.total_steps = _positive(total_steps, "total_steps", where, integer=True)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = _positive(epochs, "epochs", where, integer=True) * _positive(
                steps_per_epoch, "steps_per_epoch", where, integer=True)
        else:
            raise ValueError(f"{where}: give total_steps, or epochs and steps_per_epoch")
        pct_start = _number(pct_start, "pct_start", where, high=1.0)
        self._anneal_func_type = _choice(anneal_strategy, ("cos", "linear"), "anneal_strategy", where)
        div_factor = _number(div_factor, "div_factor", where, low_open=True)
        final_div_factor = _number(final_div_factor, "final_div_factor", where, low_open=True)
        _flag(three_phase, "three_phase", where)
        self.cycle_momentum = _flag(cycle_momentum, "cycle_momentum", where)
        max_lrs = _per_group(max_lr, "max_lr", optimizer, where)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{where}: cycle_momentum=True needs an optimiser with momentum or betas "
                                 f"({type(optimizer).__name__} has neither); pass cycle_momentum=False")
            self.use_beta1 = "betas" in optimizer.defaults
            max_ms = _per_group(max_momentum, "max_momentum", optimizer, where)
            base_ms = _per_group(base_momentum, "base_momentum", optimizer, where)
        T = self.total_steps
        if three_phase:
            self._schedule_phases = [
                dict(end_step=float(pct_start * T) - 1, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * T) - 2, start_lr="max_lr", end_lr="initial_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
                dict(end_step=T - 1, start_lr="initial_lr", end_lr="min_lr", start_momentum="max_momentum",
                     end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                dict(end_step=float(pct_start * T) - 1, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=T - 1, start_lr="max_lr", end_lr="min_lr", start_momentum="base_momentum",
                     end_momentum="max_momentum"),
            ]
        if last_epoch == -1:
            for i, group in enumerate(optimizer.param_groups):
                group["initial_lr"] = max_lrs[i] / div_factor
                group["max_lr"] = max_lrs[i]
                group["min_lr"] = group["initial_lr"] / final_div_factor
            if self.cycle_momentum:
                for m, b, group in zip(max_ms, base_ms, optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (m, *group["betas"][1:])
                    else:
                        group["momentum"] = m
                    group["max_momentum"] = m
                    group["base_momentum"] = b
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {step} times, but total_steps is {self.total_steps}; make the scheduler "
                "with total_steps (or epochs * steps_per_epoch) covering every batch"
            )
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == last:
                    pct = (step - start) / (end - start)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        mom = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                    break
                start = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (mom, *group["betas"][1:])
                else:
                    group["momentum"] = mom
        return lrs


def _choice(v: Any, options: tuple, what: str, where: str) -> Any:
    if not isinstance(v, str) or v not in options:
        raise ValueError(f"{where}: {what} must be one of {list(options)}, got {v!r}")
    return v


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` once the metric given to ``step(metric)`` has not improved for ``patience``
    epochs (improved: below best * (1 - threshold) for mode='min', threshold_mode='rel'; ``abs``: best - threshold;
    mode='max' the other way), then wait ``cooldown`` epochs; never below ``min_lr``, and only by more than ``eps``.
    """

    _steps_on_metric = True  # Trainer.fit passes it the validation loss (or the training loss) each epoch

    _checks = {
        "factor": _check(_number, "factor", high=1.0, high_open=True),
        "default_min_lr": lambda v, at: None if v is None else _number(v, "min_lr", at),
        "patience": _check(_integer, "patience"),
        "cooldown": _check(_integer, "cooldown"),
        "eps": _check(_number, "eps"),
        "mode": lambda v, at: _choice(v, ("min", "max"), "mode", at),
        "threshold": _check(_number, "threshold"),
        "threshold_mode": lambda v, at: _choice(v, ("rel", "abs"), "threshold_mode", at),
        "mode_worse": lambda v, at: _infinite(v, at),
        "best": lambda v, at: _real(v, at),
        "cooldown_counter": _check(_integer, "cooldown_counter"),
        "num_bad_epochs": _check(_integer, "num_bad_epochs"),
    }

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | Sequence[float] = 0, eps: float = 1e-8) -> None:
        where = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: expected an optimiser, got {type(optimizer).__name__}")
        self.factor = _number(factor, "factor", where, high=1.0, high_open=True)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group(min_lr, "min_lr", optimizer, where)
        else:
            self.default_min_lr = _number(min_lr, "min_lr", where)
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.patience = _integer(patience, "patience", where)
        self.cooldown = _integer(cooldown, "cooldown", where)
        self.eps = _number(eps, "eps", where)
        self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]
        self.mode = _choice(mode, ("min", "max"), "mode", where)
        self.threshold = _number(threshold, "threshold", where)
        self.threshold_mode = _choice(threshold_mode, ("rel", "abs"), "threshold_mode", where)
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record this epoch's metric (e.g. the validation loss) and lower the lr after a plateau."""
        if _trace_state.recorder is not None:
            from autograd.compile import CompileError

            raise CompileError("ReduceLROnPlateau.step reads a loss value, which a compiled step cannot replay: "
                               "call it outside the compiled function, once per epoch")
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"ReduceLROnPlateau.step: metrics must be a number (e.g. the validation loss), got {metrics!r}"
            ) from None
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for i, group in enumerate(self.optimizer.param_groups):
                old = float(group["lr"])
                new = max(old * self.factor, self.min_lrs[i])
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def _check_together(self, state: dict, where: str) -> None:
        worse = math.inf if state["mode"] == "min" else -math.inf
        if state["mode_worse"] != worse:
            raise ValueError(f"{where}: state['mode_worse'] must be {worse} for mode={state['mode']!r}, "
                             f"got {state['mode_worse']!r}")


def _infinite(v: Any, at: str) -> float:
    if v not in (math.inf, -math.inf) or isinstance(v, bool):
        raise ValueError(f"{at} must be inf or -inf, got {v!r}")
    return float(v)


def _real(v: Any, at: str) -> float:
    if isinstance(v, bool) or not isinstance(v, Real) or math.isnan(v):
        raise ValueError(f"{at} must be a number (inf allowed, not NaN), got {v!r}")
    return float(v)


def _sub_schedulers(schedulers: Any, optimizer: Optimizer | None, where: str) -> list:
    """The schedulers a SequentialLR or ChainedScheduler runs, checked: a non-empty list of schedulers over
    ``optimizer`` (None: the first one's), none a ReduceLROnPlateau."""
    schedulers = list(schedulers) if isinstance(schedulers, (list, tuple)) else schedulers
    if not isinstance(schedulers, list) or not schedulers:
        raise ValueError(f"{where}: schedulers must be a non-empty list of schedulers, got {schedulers!r}")
    for i, sched in enumerate(schedulers):
        if not isinstance(sched, LRScheduler):
            raise TypeError(f"{where}: schedulers[{i}] is a {type(sched).__name__}, not a scheduler")
        if isinstance(sched, ReduceLROnPlateau):
            raise ValueError(f"{where}: schedulers[{i}] is a ReduceLROnPlateau, whose step needs a metric; "
                             "it cannot be sequenced or chained (step it on its own)")
    optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
    for i, sched in enumerate(schedulers):
        if sched.optimizer is not optimizer:
            raise ValueError(f"{where}: schedulers[{i}] belongs to another optimiser; make every scheduler "
                             "over the same optimiser")
    return schedulers


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after another, switching at the epochs in ``milestones`` (one fewer than schedulers).

    Each scheduler is made over the same optimiser before; at a milestone the next one starts from its epoch 0.
    """

    _checks = {"_milestones": lambda v, at: _milestones(v, "milestones", at, strict=True)}

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int],
                 last_epoch: int = -1) -> None:
        where = "SequentialLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: expected an optimiser, got {type(optimizer).__name__}")
        schedulers = _sub_schedulers(schedulers, optimizer, where)
        milestones = _milestones(milestones, "milestones", where, strict=True)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"{where}: {len(schedulers)} schedulers need {len(schedulers) - 1} milestones, "
                             f"got {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo(self)
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    @staticmethod
    def _undo(sched: Any) -> None:
        """Take back the first step every scheduler (nested ones too) made when it was built."""
        if isinstance(sched, SequentialLR):
            for s in sched._schedulers:
                SequentialLR._undo(s)
        else:
            sched.last_epoch -= 1

    @replayable
    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            sched._update_lr(0)
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()

    def state_dict(self) -> dict:
        own = {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        own["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return own

    def _checked_state(self, state: Any, where: str) -> dict:
        if isinstance(state, dict) and "_schedulers" in state:
            subs = state["_schedulers"]
            if not isinstance(subs, (list, tuple)) or len(subs) != len(self._schedulers):
                raise ValueError(f"{where}: state['_schedulers'] must be a list of {len(self._schedulers)} scheduler "
                                 f"states, got {type(subs).__name__}")
            checked_subs = [s._checked_state(sub, f"{where}: state['_schedulers'][{i}] ({type(s).__name__})")
                            for i, (s, sub) in enumerate(zip(self._schedulers, subs))]
            rest = {k: v for k, v in state.items() if k != "_schedulers"}
            own = {k: v for k, v in self.state_dict().items() if k != "_schedulers"}
            checks = {**_COMMON_CHECKS, **self._checks}
            missing = sorted(k for k in own if k not in rest)
            unknown = sorted(str(k) for k in rest if k not in own)
            if missing or unknown:
                raise ValueError(f"{where}: missing key(s) {missing}, unknown key(s) {unknown}")
            out = {}
            for k, v in rest.items():
                at = f"{where}: state[{k!r}]"
                out[k] = _check_lr_list(v, len(self.optimizer.param_groups), at) if k == "_last_lr" \
                    else checks[k](v, at)
            if len(out["_milestones"]) != len(self._schedulers) - 1:
                raise ValueError(f"{where}: state['_milestones'] must hold {len(self._schedulers) - 1} epochs")
            out["_schedulers"] = checked_subs
            return out
        return super()._checked_state(state, where)

    def _commit(self, state: dict) -> None:
        subs = state.pop("_schedulers")
        self.__dict__.update(state)
        for s, sub in zip(self._schedulers, subs):
            s._commit(sub)


from .lr_scheduler_extra import (  # noqa: E402  (they build on the classes above)
    ChainedScheduler,
    ConstantLR,
    CyclicLR,
    MultiplicativeLR,
    PolynomialLR,
)

for _cls in (ConstantLR, PolynomialLR, MultiplicativeLR, CyclicLR, ChainedScheduler):
    _cls.__module__ = __name__  # torch.optim.lr_scheduler's names: part of this module's API

__all__ = [
    "LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "MultiStepLR", "LinearLR",
    "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR",
    "ConstantLR", "PolynomialLR", "MultiplicativeLR", "CyclicLR", "ChainedScheduler",
]
