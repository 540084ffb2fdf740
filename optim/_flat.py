"""Optimisers that see every parameter as one flat vector (LBFGS, ISGD): one group, a closure, state at index 0."""

from __future__ import annotations

import copy
import math
from numbers import Integral, Real
from typing import Any, Callable, Iterable

import numpy as np

from autograd import Tensor, Value, enable_grad

from .optimizer import Optimizer, _bad_grad, _grad_data


def _loss_value(loss: Any, where: str) -> float:
    """The closure's loss as a float (a Value, a one-element Tensor or a number)."""
    if type(loss) is Value:
        return float(loss.data)
    if isinstance(loss, Tensor):
        if loss.data.size != 1:
            raise ValueError(f"{where}: the closure must return a scalar loss, got a Tensor of shape {loss.shape}")
        return float(loss.data.reshape(()))
    if isinstance(loss, Real) and not isinstance(loss, bool):
        return float(loss)
    raise TypeError(f"{where}: the closure must return the loss (a Tensor, Value or number), got {type(loss).__name__}")


class _FlatOptimizer(Optimizer):
    """Base: one parameter group viewed as a flat vector; ``step(closure)`` is required.

    Subclasses define ``_flat_spec(group)`` (key -> (kind, required)) for their state, kept in
    ``self._flat_state`` and saved as ``state_dict()["state"][0]`` (torch keeps LBFGS's on its first parameter).
    """

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        super().__init__(params, defaults)
        self._flat_state: dict[str, Any] = {}

    def add_param_group(self, group: dict) -> None:
        if self.param_groups:
            raise ValueError(f"{type(self).__name__} doesn't support parameter groups; pass one list of parameters")
        super().add_param_group(group)
        params = self._params = self.param_groups[0]["params"]
        self._shapes = [p.data.shape if isinstance(p, Tensor) else () for p in params]
        self._sizes = [math.prod(s) for s in self._shapes]
        self._dtype = np.result_type(*[p.data.dtype if isinstance(p, Tensor) else np.float64 for p in params])

    # --------------------------------------------------------- flat views
    def _gather_flat(self) -> np.ndarray:
        return np.concatenate([
            np.asarray(p.data, dtype=self._dtype).reshape(-1) if isinstance(p, Tensor)
            else np.array([p.data], dtype=self._dtype) for p in self._params
        ])

    def _gather_flat_grad(self) -> np.ndarray:
        where = f"{type(self).__name__}.step"
        views = []
        for p, n in zip(self._params, self._sizes):
            if type(p) is Value:
                g = p.grad
                if isinstance(g, bool) or not isinstance(g, Real):
                    raise TypeError(f"{where}: a Value's .grad must be a number, got {type(g).__name__}")
                views.append(np.array([g], dtype=self._dtype))
                continue
            g = p.grad
            if g is None:
                views.append(np.zeros(n, dtype=self._dtype))
                continue
            g = _grad_data(g)
            d = p.data
            if type(g) is not np.ndarray or g.shape != d.shape or g.dtype != d.dtype:
                raise _bad_grad(where, p, g)
            views.append(np.asarray(g, dtype=self._dtype).reshape(-1))
        return np.concatenate(views)

    def _add_flat(self, t: float, d: np.ndarray) -> None:
        """params += t * d, in place."""
        o = 0
        for p, n, shape in zip(self._params, self._sizes, self._shapes):
            if type(p) is Value:
                p.data = float(p.data + t * d[o])
            else:
                arr = p.data
                arr += (t * d[o:o + n]).reshape(shape).astype(arr.dtype, copy=False)
            o += n

    def _set_flat(self, x: np.ndarray) -> None:
        o = 0
        for p, n, shape in zip(self._params, self._sizes, self._shapes):
            if type(p) is Value:
                p.data = float(x[o])
            else:
                arr = p.data
                arr[...] = x[o:o + n].reshape(shape)
            o += n

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[Any, float]:
        with enable_grad():
            loss = closure()
        return loss, _loss_value(loss, f"{type(self).__name__}.step")

    def _check_closure(self, closure: Any) -> None:
        if closure is None or not callable(closure):
            raise TypeError(
                f"{type(self).__name__}.step needs a closure that zeroes the gradients, re-computes the loss, calls "
                "backward() and returns the loss: opt.step(closure)"
            )

    # --------------------------------------------------------- state dicts
    def _flat_spec(self, group: dict) -> dict[str, tuple[str, bool]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def state_dict(self) -> dict:
        sd = super().state_dict()
        if self._flat_state:
            sd["state"] = {0: copy.deepcopy(self._flat_state)}
        return sd

    def _checked_entries(self, saved: dict, saved_groups: list[dict], hypers: list[dict], where: str) -> Any:
        if not saved:
            return {}
        first = int(saved_groups[0]["params"][0])
        if set(saved) != {first}:
            raise ValueError(
                f"{where}: a {type(self).__name__} keeps one state for all parameters, at index {first}; got entries "
                f"{sorted(saved)}"
            )
        entry, at = saved[first], f"{where}: state[{first}]"
        spec = self._flat_spec({**self.param_groups[0], **hypers[0]})
        if not isinstance(entry, dict):
            raise TypeError(f"{at} must be a dict of state values, got {type(entry).__name__}")
        unknown = sorted(str(k) for k in entry if k not in spec)
        missing = sorted(k for k, (_, req) in spec.items() if req and k not in entry)
        if unknown or missing:
            raise ValueError(
                f"{at}: unknown key(s) {unknown}, missing key(s) {missing}; a {type(self).__name__} keeps "
                f"{sorted(spec)} (is this the state of another optimiser?)"
            )
        n = sum(self._sizes)
        out = {}
        for k, v in entry.items():
            out[k] = _checked_flat_value(v, spec[k][0], n, self._dtype, f"{at}[{k!r}]")
        self._check_flat_entry(out, hypers[0], at)
        return out

    def _check_flat_entry(self, entry: dict, group: dict, at: str) -> None:
        """Checks that tie several state values together (subclasses extend)."""

    def _commit_state(self, committed: Any) -> None:
        self._flat_state = committed


def _checked_flat_value(v: Any, kind: str, n: int, dtype: np.dtype, at: str) -> Any:
    """One value of a flat optimiser's state, checked and copied; kinds end in '?' when None is allowed."""
    if kind.endswith("?"):
        if v is None:
            return None
        kind = kind[:-1]
    if kind == "step":
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, Integral):
            raise TypeError(f"{at} must be an int (a count), got {v!r}")
        if v < 0:
            raise ValueError(f"{at} must be an int >= 0 (a count), got {v!r}")
        return int(v)
    if kind == "real":
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, Real) or not math.isfinite(v):
            raise TypeError(f"{at} must be a finite number, got {v!r}")
        return float(v)
    if kind == "flat":
        if not isinstance(v, np.ndarray) or v.dtype.kind != "f":
            got = f"a {v.dtype} array" if isinstance(v, np.ndarray) else type(v).__name__
            raise TypeError(f"{at} must be a float array of shape ({n},) (all parameters, flat), got {got}")
        if v.shape != (n,):
            raise ValueError(f"{at} has shape {v.shape}; the parameters hold {n} numbers, so ({n},) is expected")
        return np.array(v, dtype=dtype)
    if kind in ("flat_list", "real_list", "real_or_none_list"):
        if not isinstance(v, (list, tuple)):
            raise TypeError(f"{at} must be a list, got {type(v).__name__}")
        item = {"flat_list": "flat", "real_list": "real", "real_or_none_list": "real?"}[kind]
        return [_checked_flat_value(x, item, n, dtype, f"{at}[{i}]") for i, x in enumerate(v)]
    raise AssertionError(kind)  # pragma: no cover - a spec typo
