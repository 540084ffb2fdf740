"""``Optimizer``: parameter groups, per-parameter state, ``step``/``zero_grad``, and state dicts.

Parameters may be Tensors (tensor mode) or Values (scalar mode), mixed freely.
A Tensor is updated in place through its ``.data`` array by the backend's
``<name>_step`` kernel. The Values of a group are gathered into one float
array, updated by the same kernel, and written back, so both modes follow
exactly the same formulas.

``state_dict()`` is torch-shaped: ``{"state": {index: {...}}, "param_groups":
[{hyper-parameters..., "params": [indices]}]}`` with numpy arrays, indices
counting parameters across groups in order.
"""

from __future__ import annotations

import copy
from numbers import Real
from typing import Any, Callable, Iterable

import numpy as np

from autograd import Tensor, Value, enable_grad


def _check_hyper(name: str, value: Any, where: str, low: float = 0.0, high: float | None = None,
                 strict_low: bool = False, strict_high: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}")
    if np.isnan(value):
        raise ValueError(f"{where}: {name} must be a number, got NaN")
    ok_low = value > low if strict_low else value >= low
    ok_high = high is None or (value < high if strict_high else value <= high)
    if not (ok_low and ok_high):
        lo = f"> {low:g}" if strict_low else f">= {low:g}"
        hi = "" if high is None else (f" and < {high:g}" if strict_high else f" and <= {high:g}")
        raise ValueError(f"{where}: {name} must be {lo}{hi}, got {value!r}")
    return float(value)


class Optimizer:
    """Base class: subclasses set ``defaults`` and define ``_update(p, g, state, group)`` on float arrays.

    ``maximize=True`` (every optimiser, as in torch) climbs: the update sees -g in place of g.
    """

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self.state: dict[int, dict] = {}  # id(tensor) -> its state
        self._value_state: dict[int, dict] = {}  # group index -> state of the group's Values, as flat arrays
        if isinstance(params, (Tensor, Value)):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors/Values, e.g. model.parameters()"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list; pass model.parameters()")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group: dict) -> None:
        """Add a group of parameters with its own hyper-parameters (the rest come from the defaults)."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{type(self).__name__}: a parameter group is a dict with a 'params' list")
        params = group["params"]
        params = [params] if isinstance(params, (Tensor, Value)) else list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: a parameter group has no parameters")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if type(p) is not Value and not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: can only optimise Tensors and Values, got {type(p).__name__}"
                )
            if isinstance(p, Tensor) and not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: cannot optimise a non-leaf Tensor (the output of an op)")
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: a parameter appears twice (in one group or across groups)")
            seen.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: unknown option(s) {sorted(unknown)}; known: {sorted(self.defaults)}"
            )
        full = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
        self._validate(full)
        full["params"] = params
        self.param_groups.append(full)

    def _validate(self, group: dict) -> None:
        """Check a group's hyper-parameters (subclasses extend)."""
        if "lr" not in group:
            raise TypeError(f"{type(self).__name__}: every parameter group needs an 'lr' (in defaults or the group)")
        _check_hyper("lr", group["lr"], type(self).__name__, strict_low=True)
        if not isinstance(group.get("maximize", False), (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}: maximize must be True or False, got {group['maximize']!r}")

    # ------------------------------------------------------------------ steps
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear gradients: Tensors get None (or zeros), Values get 0.0."""
        for group in self.param_groups:
            for p in group["params"]:
                if type(p) is Value:
                    p.grad = 0.0
                elif set_to_none or p.grad is None:
                    p.grad = None
                elif p.grad.requires_grad or not p.grad.data.flags.writeable:  # part of a graph: a fresh zero
                    p.grad = Tensor(np.zeros_like(p.data))
                else:  # torch's zero_grad(set_to_none=False): the same gradient tensor, zeroed in place
                    p.grad.data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; ``closure`` (re-computes the loss) is optional."""
        loss = None
        if closure is not None:
            if not callable(closure):
                raise TypeError(f"{type(self).__name__}.step: closure must be a function that re-computes the loss, "
                                f"got {type(closure).__name__}")
            with enable_grad():
                loss = closure()
        states, update = self.state, self._update
        for gi, group in enumerate(self.param_groups):
            ascend = group.get("maximize", False)  # torch's maximize: step along the gradient, not against it
            values = []
            for p in group["params"]:
                if type(p) is Value:
                    values.append(p)
                    continue
                g = p.grad
                if g is None:
                    continue
                g = g.data  # .grad is a Tensor; the update kernels work on its array
                if ascend:
                    g = -g
                state = states.get(id(p))
                if not state:
                    if state is None:
                        state = states[id(p)] = {}
                    self._init_state(state, p.data, group)
                update(p.data, g, state, group)
            if values:
                data = np.fromiter((v.data for v in values), dtype=np.float64, count=len(values))
                grad = np.fromiter((v.grad for v in values), dtype=np.float64, count=len(values))
                if ascend:
                    grad = -grad
                state = self._value_state.setdefault(gi, {})
                if not state:
                    self._init_state(state, data, group)
                self._update(data, grad, state, group)
                for v, d in zip(values, data.tolist()):
                    v.data = d
        return loss

    def _init_state(self, state: dict, p: np.ndarray, group: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:  # pragma: no cover
        raise NotImplementedError

    # ------------------------------------------------------------ state dicts
    def state_dict(self) -> dict:
        """Everything needed to resume: per-parameter state (numpy copies) and each group's hyper-parameters."""
        state: dict[int, dict] = {}
        groups = []
        index = 0
        for gi, group in enumerate(self.param_groups):
            ids = []
            vpos = 0
            vstate = self._value_state.get(gi)
            for p in group["params"]:
                if type(p) is Value:
                    if vstate:
                        state[index] = {
                            k: np.array(v[vpos]) if isinstance(v, np.ndarray) else copy.deepcopy(v)
                            for k, v in vstate.items()
                        }
                    vpos += 1
                elif id(p) in self.state and self.state[id(p)]:
                    state[index] = {k: _copy(v) for k, v in self.state[id(p)].items()}
                ids.append(index)
                index += 1
            groups.append({**{k: copy.deepcopy(v) for k, v in group.items() if k != "params"}, "params": ids})
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore state and hyper-parameters saved by ``state_dict`` (same parameters, same order).

        Everything is checked before anything changes, so a failed call leaves the optimiser as it was.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise TypeError(f"{name}.load_state_dict: expected the dict returned by state_dict()")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the state has {len(saved_groups)} parameter groups, this optimiser "
                f"{len(self.param_groups)}"
            )
        for k, (sg, g) in enumerate(zip(saved_groups, self.param_groups)):
            if len(sg["params"]) != len(g["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: group {k} has {len(sg['params'])} parameters in the state and "
                    f"{len(g['params'])} here; build the optimiser over the same parameters"
                )
        saved = state_dict["state"]
        new_state: dict[int, dict] = {}
        new_vstate: dict[int, dict] = {}
        for gi, (sg, group) in enumerate(zip(saved_groups, self.param_groups)):
            vals = [(idx, p) for idx, p in zip(sg["params"], group["params"]) if type(p) is Value]
            for idx, p in zip(sg["params"], group["params"]):
                if type(p) is Value or idx not in saved:
                    continue
                entry = {}
                for k, v in saved[idx].items():
                    if isinstance(v, np.ndarray) and v.shape != p.data.shape:
                        raise ValueError(
                            f"{name}.load_state_dict: state {k!r} of parameter {idx} has shape {v.shape}, "
                            f"the parameter {p.data.shape}"
                        )
                    entry[k] = np.array(v, dtype=p.data.dtype) if isinstance(v, np.ndarray) else copy.deepcopy(v)
                new_state[id(p)] = entry
            present = [idx in saved for idx, _ in vals]
            if any(present):
                if not all(present):
                    raise ValueError(f"{name}.load_state_dict: group {gi} has state for only some of its Values")
                first = saved[vals[0][0]]
                block = {}
                for k, v in first.items():
                    if isinstance(v, np.ndarray):
                        block[k] = np.array([float(saved[idx][k]) for idx, _ in vals], dtype=np.float64)
                    else:
                        block[k] = copy.deepcopy(v)
                new_vstate[gi] = block
        for sg, group in zip(saved_groups, self.param_groups):
            hyper = {k: copy.deepcopy(v) for k, v in sg.items() if k != "params"}
            self._validate({**group, **hyper})
        for sg, group in zip(saved_groups, self.param_groups):
            group.update({k: copy.deepcopy(v) for k, v in sg.items() if k != "params"})
        self.state = new_state
        self._value_state = new_vstate

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)


def _copy(v: Any) -> Any:
    return np.array(v, copy=True) if isinstance(v, np.ndarray) else copy.deepcopy(v)
