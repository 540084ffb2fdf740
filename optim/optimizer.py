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
import math
from numbers import Integral, Real
from typing import Any, Callable, Iterable

import numpy as np

from autograd import Tensor, Value, enable_grad
from autograd.tracing import replayable


def _check_hyper(name: str, value: Any, where: str, low: float = 0.0, high: float | None = None,
                 strict_low: bool = False, strict_high: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}")
    if math.isnan(value):
        raise ValueError(f"{where}: {name} must be a number, got NaN; give a finite number")
    if math.isinf(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    ok_low = value > low if strict_low else value >= low
    ok_high = high is None or (value < high if strict_high else value <= high)
    if not (ok_low and ok_high):
        lo = f"> {low:g}" if strict_low else f">= {low:g}"
        hi = "" if high is None else (f" and < {high:g}" if strict_high else f" and <= {high:g}")
        raise ValueError(f"{where}: {name} must be {lo}{hi}, got {value!r}")
    return float(value)


def _check_flag(name: str, value: Any, where: str) -> bool:
    """A True/False option (``amsgrad="yes"`` is refused, not read as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def _check_int(name: str, value: Any, where: str, low: int = 0) -> int:
    """An integer option >= ``low`` (bools and floats are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{where}: {name} must be an int, got {value!r}")
    if value < low:
        raise ValueError(f"{where}: {name} must be an int >= {low}, got {value!r}")
    return int(value)


def _grad_data(g: Any) -> Any:
    """A gradient as an array, whether ``.grad`` holds an ndarray or a Tensor (an ndarray's ``.data`` is a buffer)."""
    return g if type(g) is np.ndarray else getattr(g, "data", g)


def _bad_grad(where: str, p: Any, g: Any) -> Exception:
    """The error for a gradient that cannot update ``p`` (called only off the hot path)."""
    if type(g) is not np.ndarray:
        return TypeError(f"{where}: a parameter's .grad must be an array or a Tensor, got {type(g).__name__}")
    return ValueError(
        f"{where}: a parameter of shape {p.data.shape} and dtype {p.data.dtype} has a gradient of shape {g.shape} "
        f"and dtype {g.dtype}; a gradient must match its parameter exactly (set p.grad from loss.backward(), or "
        f"assign an array of shape {p.data.shape} and dtype {p.data.dtype})"
    )


# keys that schedulers write into parameter groups (OneCycleLR, every LRScheduler's initial_lr)
_SCHEDULER_KEYS = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")


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
    @replayable
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear gradients: Tensors get None (or zeros), Values get 0.0."""
        for group in self.param_groups:
            if set_to_none:  # the usual call: one slot write per Tensor (what the .grad setter does for None)
                for p in group["params"]:
                    if type(p) is Value:
                        p.grad = 0.0
                    else:
                        p._grad = None
                continue
            for p in group["params"]:
                if type(p) is Value:
                    p.grad = 0.0
                elif p.grad is None:
                    p.grad = None
                elif p.grad.requires_grad or not p.grad.data.flags.writeable:  # part of a graph: a fresh zero
                    p.grad = Tensor(np.zeros_like(p.data))
                else:  # torch's zero_grad(set_to_none=False): the same gradient tensor, zeroed in place
                    p.grad.data.fill(0)

    @replayable
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; ``closure`` (re-computes the loss) is optional."""
        loss = None
        if closure is not None:
            if not callable(closure):
                raise TypeError(f"{type(self).__name__}.step: closure must be a function that re-computes the loss, "
                                f"got {type(closure).__name__}")
            with enable_grad():
                loss = closure()
        # first every gradient is checked (one shape/dtype comparison each), so a bad one changes nothing
        work = []
        for gi, group in enumerate(self.param_groups):
            tensors, values = [], []
            keep = tensors.append
            for p in group["params"]:
                if type(p) is Value:
                    values.append(p)
                    continue
                g = p._grad  # what the .grad property returns
                if g is None:
                    continue
                g = g.data if type(g) is Tensor else _grad_data(g)
                d = p.data
                if type(g) is not np.ndarray or g.shape != d.shape or g.dtype != d.dtype:
                    raise _bad_grad(f"{type(self).__name__}.step", p, g)
                keep((p, d, g))
            vgrad = None
            if values:
                try:
                    vgrad = np.fromiter((v.grad for v in values), dtype=np.float64, count=len(values))
                except (TypeError, ValueError):
                    raise TypeError(f"{type(self).__name__}.step: a Value's .grad must be a number") from None
            work.append((gi, group, tensors, values, vgrad))
        for gi, group, tensors, values, grad in work:
            ascend = group.get("maximize", False)  # torch's maximize: step along the gradient, not against it
            if ascend:
                tensors = [(p, d, -g) for p, d, g in tensors]
            if tensors:
                self._update_group(tensors, group)
            if values:
                data = np.fromiter((v.data for v in values), dtype=np.float64, count=len(values))
                if ascend:
                    grad = -grad
                state = self._value_state.setdefault(gi, {})
                if not state:
                    self._init_state(state, data, group)
                self._update(data, grad, state, group)
                for v, x in zip(values, data.tolist()):
                    v.data = x
        return loss

    def _update_group(self, tensors: list, group: dict) -> None:
        """Update each (parameter, its array, its checked gradient array) of ``group``; subclasses may read the
        group's options once for all of them (SGD, Adam)."""
        update = self._update
        for p, d, g in tensors:
            update(d, g, self._state_of(p, d, group), group)

    def _state_of(self, p: Any, d: np.ndarray, group: dict) -> dict:
        """``p``'s state, made by ``_init_state`` on its first step."""
        state = self.state.get(id(p))
        if not state:
            if state is None:
                state = self.state[id(p)] = {}
            self._init_state(state, d, group)
        return state

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
        return {"state": state, "param_groups": groups, "class": type(self).__name__}

    def _state_spec(self, group: dict) -> dict[str, tuple[str, bool]]:
        """What one parameter's state holds under ``group``'s options: key -> (kind, required).

        Kinds: 'array' (float array shaped like the parameter), 'array?' (the same, or None), 'rows'/'cols' (the
        parameter's shape with the last / second-last axis 1),
        'step' (an int >= 0), 'real' (a finite number). Subclasses with state override this.
        """
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore state and hyper-parameters saved by ``state_dict`` (same parameters, same order).

        Everything is checked before anything changes (the optimiser class, every group's options as the
        constructor checks them, every state entry's keys, types, shapes and dtypes), so a failed call raises
        a ValueError/TypeError naming the entry and leaves the optimiser as it was. Floating-point state of
        another precision is cast to its parameter's dtype, as torch does.
        """
        where = f"{type(self).__name__}.load_state_dict"
        hypers, saved_groups = self._checked_groups(state_dict, where)
        saved = state_dict["state"]
        if not isinstance(saved, dict):
            raise TypeError(f"{where}: state_dict['state'] must be a dict {{index: {{...}}}}, "
                            f"got {type(saved).__name__}")
        listed = {int(i) for sg in saved_groups for i in sg["params"]}
        for key in saved:
            if isinstance(key, bool) or not isinstance(key, Integral) or int(key) not in listed:
                raise ValueError(
                    f"{where}: state_dict['state'] has an entry {key!r} for no parameter; its keys must be the "
                    f"indices listed in param_groups' 'params' ({sorted(listed)})"
                )
        committed = self._checked_entries({int(k): v for k, v in saved.items()}, saved_groups, hypers, where)
        for group, hyper in zip(self.param_groups, hypers):
            group.update(hyper)
        self._commit_state(committed)

    def _checked_groups(self, state_dict: Any, where: str) -> tuple[list[dict], list[dict]]:
        """The saved groups' options, each checked as the constructor checks them; raises before any change."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"{where}: expected the dict returned by state_dict(), got {type(state_dict).__name__}")
        missing = [k for k in ("state", "param_groups") if k not in state_dict]
        unknown = sorted(str(k) for k in state_dict if k not in ("state", "param_groups", "class"))
        if missing or unknown:
            raise ValueError(
                f"{where}: expected the dict returned by state_dict() with keys 'state', 'param_groups' (and "
                f"'class'); missing {missing}, unknown {unknown}"
            )
        cls = state_dict.get("class", type(self).__name__)
        if cls != type(self).__name__:
            raise ValueError(
                f"{where}: state_dict['class'] says this state is from a {cls!r} optimiser; load it into a {cls}, "
                f"not a {type(self).__name__}"
            )
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, (list, tuple)) or not all(isinstance(g, dict) for g in saved_groups):
            raise TypeError(f"{where}: state_dict['param_groups'] must be a list of dicts")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{where}: the state has {len(saved_groups)} parameter groups, this optimiser "
                f"{len(self.param_groups)}; build the optimiser with the same groups"
            )
        hypers, seen = [], set()
        for k, (sg, group) in enumerate(zip(saved_groups, self.param_groups)):
            at = f"{where}: param_groups[{k}]"
            ids = sg.get("params")
            if not isinstance(ids, (list, tuple)) or any(
                isinstance(i, (bool, np.bool_)) or not isinstance(i, Integral) for i in ids
            ):
                raise TypeError(f"{at}['params'] must be a list of int parameter indices, got {ids!r}")
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{where}: group {k} has {len(ids)} parameters in the state and {len(group['params'])} here; "
                    "build the optimiser over the same parameters"
                )
            if seen & {int(i) for i in ids} or len(set(map(int, ids))) != len(ids):
                raise ValueError(f"{at}['params'] repeats a parameter index: {list(ids)}")
            seen |= {int(i) for i in ids}
            keys = set(sg) - {"params"}
            unknown = sorted(str(x) for x in keys - set(self.defaults) - set(_SCHEDULER_KEYS))
            absent = sorted(set(self.defaults) - keys)
            if unknown or absent:
                raise ValueError(
                    f"{at}: unknown option(s) {unknown}, missing option(s) {absent}; a {type(self).__name__} group "
                    f"holds {sorted(self.defaults)} (is this the state of another optimiser?)"
                )
            hyper = {key: copy.deepcopy(v) for key, v in sg.items() if key != "params"}
            try:
                for key in _SCHEDULER_KEYS:
                    if key in hyper:
                        _check_hyper(key, hyper[key], type(self).__name__)
                self._validate(dict(hyper))
            except (TypeError, ValueError) as e:
                raise type(e)(f"{at}: {e}") from None
            hypers.append(hyper)
        return hypers, list(saved_groups)

    def _checked_entries(self, saved: dict, saved_groups: list[dict], hypers: list[dict], where: str) -> Any:
        """Per-parameter state, checked against ``_state_spec``: (tensor state by id, Value state by group)."""
        new_state: dict[int, dict] = {}
        new_vstate: dict[int, dict] = {}
        for gi, (sg, group, hyper) in enumerate(zip(saved_groups, self.param_groups, hypers)):
            spec = self._state_spec({**group, **hyper})
            vals = []
            for idx, p in zip(sg["params"], group["params"]):
                idx = int(idx)
                entry = saved.get(idx)
                if entry is not None or idx in saved:
                    entry = _checked_entry(entry, spec, p, f"{where}: state[{idx}]", type(self).__name__)
                if type(p) is Value:
                    vals.append((idx, entry))
                elif entry is not None:
                    new_state[id(p)] = entry
            present = [e is not None for _, e in vals]
            if any(present):
                if not all(present):
                    missing = [i for i, e in vals if e is None]
                    raise ValueError(
                        f"{where}: group {gi} has state for only some of its Values (none for {missing}); "
                        "scalar-mode state is saved for all of a group's Values or none"
                    )
                first_idx, first = vals[0]
                block = {}
                for k, v in first.items():
                    for idx, e in vals:
                        if set(e) != set(first):
                            raise ValueError(f"{where}: state[{idx}] has keys {sorted(e)}, state[{first_idx}] "
                                             f"{sorted(first)}; the Values of one group share one kind of state")
                    if isinstance(v, np.ndarray):
                        block[k] = np.array([float(e[k]) for _, e in vals], dtype=np.float64)
                    else:
                        for idx, e in vals:
                            if e[k] != v:
                                raise ValueError(f"{where}: state[{idx}][{k!r}] is {e[k]!r}, state[{first_idx}] "
                                                 f"{v!r}; the Values of one group step together")
                        block[k] = copy.deepcopy(v)
                new_vstate[gi] = block
        return new_state, new_vstate

    def _commit_state(self, committed: Any) -> None:
        self.state, self._value_state = committed

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


def _checked_entry(entry: Any, spec: dict, p: Any, at: str, name: str) -> dict:
    """One parameter's saved state, checked against ``spec`` and copied (arrays cast to the parameter's dtype)."""
    if not isinstance(entry, dict):
        raise TypeError(f"{at} must be a dict of state values, got {type(entry).__name__}")
    unknown = sorted(str(k) for k in entry if k not in spec)
    missing = sorted(k for k, (_, required) in spec.items() if required and k not in entry)
    if unknown or missing:
        raise ValueError(
            f"{at}: unknown key(s) {unknown}, missing key(s) {missing}; with these options a {name} keeps "
            f"{sorted(spec) or 'no state'} per parameter (is this the state of another optimiser?)"
        )
    if type(p) is Value:
        shape, dtype = (), np.dtype(np.float64)
    else:
        shape, dtype = p.data.shape, p.data.dtype
    out = {}
    for k, v in entry.items():
        kind = spec[k][0]
        if kind in ("array", "array?", "rows", "cols"):
            if v is None and kind == "array?":
                out[k] = None
                continue
            want = shape if kind.startswith("array") else (  # Adafactor's factors: mean over a matrix's rows/cols
                shape[:-1] + (1,) if kind == "rows" else shape[:-2] + (1,) + shape[-1:])
            if not isinstance(v, np.ndarray) or v.dtype.kind != "f":
                got = f"{v.dtype} array" if isinstance(v, np.ndarray) else type(v).__name__
                raise TypeError(f"{at}[{k!r}] must be a float array of shape {want}, got {got}")
            if v.shape != want:
                raise ValueError(
                    f"{at}[{k!r}] has shape {v.shape}, the parameter {shape}; load state saved for the same "
                    "parameters"
                )
            out[k] = np.array(v, dtype=dtype)
        elif kind == "step":
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, Integral):
                raise TypeError(f"{at}[{k!r}] must be an int (the number of steps taken), got {v!r}")
            if v < 0:
                raise ValueError(f"{at}[{k!r}] must be >= 0 (the number of steps taken), got {v!r}")
            out[k] = int(v)
        else:  # 'real'
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, Real) or not math.isfinite(v):
                raise TypeError(f"{at}[{k!r}] must be a finite number, got {v!r}")
            out[k] = float(v)
    return out
