"""The playground's settings: every choice the page offers, its range, and the checks a change must pass.

The page sends only {name: value} pairs; each value is checked against this
table (a choice among fixed names, or a number in a range) and nothing sent is
ever evaluated as code. A rejected change raises ``SettingError`` with a
message for the page, and the run keeps its old settings.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["SettingError", "SPEC", "DEFAULTS", "FEATURES", "validate", "describe"]


class SettingError(ValueError):
    """A change the playground does not accept; the message says which setting, what was sent, and what is allowed."""


FEATURES = {  # name -> label shown on the page (and used as the input's label in graphs)
    "x1": "x1",
    "x2": "x2",
    "x1sq": "x1²",
    "x2sq": "x2²",
    "x1x2": "x1·x2",
    "sinx1": "sin x1",
    "sinx2": "sin x2",
}

MAX_LAYERS = 6
MAX_NEURONS = 8

# name: (kind, allowed, default, label); kind "choice" (allowed: tuple of names), "int"/"float" (allowed: (lo, hi)
# inclusive), "features" (a non-empty subset of FEATURES), "layers" (list of widths)
SPEC: dict[str, tuple[str, Any, Any, str]] = {
    "dataset": ("choice", ("circles", "moons", "spirals", "xor", "blobs", "gaussian"), "circles", "data set"),
    "noise": ("float", (0.0, 0.5), 0.1, "noise"),
    "n_samples": ("int", (20, 1000), 300, "number of points"),
    "train_ratio": ("float", (0.1, 0.9), 0.7, "share of points used for training"),
    "features": ("features", tuple(FEATURES), ["x1", "x2"], "input features"),
    "hidden": ("layers", (0, MAX_LAYERS, 1, MAX_NEURONS), [4, 2], "hidden layers"),
    "activation": ("choice", ("tanh", "sigmoid", "relu", "leaky_relu", "elu", "step"), "tanh", "activation"),
    "mode": ("choice", ("tensor", "scalar"), "tensor", "mode"),
    "loss": ("choice", ("cross_entropy", "mse", "hinge"), "cross_entropy", "loss"),
    "optimizer": ("choice", ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"), "adam", "optimiser"),
    "lr": ("float", (1e-5, 10.0), 0.03, "learning rate"),
    "momentum": ("float", (0.0, 0.999), 0.9, "momentum"),
    "beta1": ("float", (0.0, 0.999), 0.9, "Adam beta1"),
    "beta2": ("float", (0.0, 0.9999), 0.999, "Adam beta2"),
    "alpha": ("float", (0.0, 0.9999), 0.99, "RMSprop smoothing alpha"),
    "descent": ("choice", ("minibatch", "batch", "stochastic"), "minibatch", "descent"),
    "batch_size": ("int", (1, 1000), 10, "batch size"),
    "regularization": ("choice", ("none", "l1", "l2"), "none", "regularisation"),
    "reg_rate": ("float", (0.0, 10.0), 0.001, "regularisation rate"),
    "dropout": ("float", (0.0, 0.9), 0.0, "dropout"),
    "seed": ("int", (0, 2**31 - 1), 0, "seed"),
}

DEFAULTS: dict[str, Any] = {k: (list(v[2]) if isinstance(v[2], list) else v[2]) for k, v in SPEC.items()}


def _number(name: str, value: Any, integer: bool) -> float | int:
    kind, (lo, hi), _, label = SPEC[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):  # a number typed into a text field arrives as text
            try:
                value = float(value.strip())
            except ValueError:
                raise SettingError(f"{label}: expected a number, got {value!r:.40}") from None
        else:
            raise SettingError(f"{label}: expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise SettingError(f"{label}: expected a finite number, got {value}")
    if integer:
        if value != int(value):
            raise SettingError(f"{label}: expected a whole number, got {value:g}")
        value = int(value)
    if not lo <= value <= hi:
        raise SettingError(f"{label} must be between {lo:g} and {hi:g}, got {value:g}; the run continues unchanged")
    return value


def _one(name: str, value: Any) -> Any:
    if name not in SPEC:
        raise SettingError(f"unknown setting {name!r:.40}; the page offers {', '.join(SPEC)}")
    kind, allowed, _, label = SPEC[name]
    if kind == "choice":
        if not isinstance(value, str) or value not in allowed:
            raise SettingError(f"{label}: {value!r:.40} is not offered; choose one of {', '.join(allowed)}")
        return value
    if kind in ("int", "float"):
        return _number(name, value, kind == "int")
    if kind == "features":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise SettingError(f"{label}: expected a list of feature names from {', '.join(allowed)}")
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise SettingError(f"{label}: {unknown[0]!r:.40} is not offered; choose from {', '.join(allowed)}")
        chosen = [f for f in allowed if f in value]  # the page's order, each once
        if not chosen:
            raise SettingError(f"{label}: pick at least one input feature")
        return chosen
    # layers
    lo_layers, hi_layers, lo_width, hi_width = allowed
    if not isinstance(value, (list, tuple)):
        raise SettingError(f"{label}: expected a list of layer widths such as [4, 2]")
    if not lo_layers <= len(value) <= hi_layers:
        raise SettingError(f"{label}: at most {hi_layers} hidden layers, got {len(value)}")
    widths = []
    for w in value:
        if isinstance(w, bool) or not isinstance(w, int) or not lo_width <= w <= hi_width:
            raise SettingError(
                f"{label}: each layer has {lo_width} to {hi_width} neurons, got {w!r:.20}; the run continues unchanged"
            )
        widths.append(int(w))
    return widths


def validate(changes: Any, current: dict | None = None) -> dict:
    """The settings after ``changes`` ({name: value}) on top of ``current`` (the defaults when None).

    Raises ``SettingError`` naming the first bad entry; ``current`` is never modified.
    """
    if not isinstance(changes, dict):
        raise SettingError(f"settings must be sent as {{name: value}}, got {type(changes).__name__}")
    new = dict(DEFAULTS if current is None else current)
    for name, value in changes.items():
        if not isinstance(name, str):
            raise SettingError(f"setting names are text, got {type(name).__name__}")
        new[name] = _one(name, value)
    return new


def describe() -> dict:
    """The table for the page: for each setting its kind, what is allowed, the default and a label."""
    return {
        name: {"kind": kind, "allowed": list(allowed), "default": DEFAULTS[name], "label": label}
        for name, (kind, allowed, _, label) in SPEC.items()
    } | {"features_labels": FEATURES}
