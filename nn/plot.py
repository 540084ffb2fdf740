"""Plots people would rather look at than read, one call each (matplotlib, optional).

    history = nn.fit(model, X, y, ...)
    history.plot()                                    # loss and metric per epoch, train and validation
    nn.plot_decision_boundary(model, X, y)            # the model's decision over 2-D data, with the points

Each returns the matplotlib ``Axes`` it drew on (pass ``ax=`` to draw into your
own figure). matplotlib is imported only when a plot is made
(``pip install "gradwork[notebooks]"``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor

__all__ = ["plot_history", "plot_decision_boundary", "decision_grid"]


def _pyplot(op: str) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(f"{op}: matplotlib is not installed; pip install matplotlib") from None
    return plt


def plot_history(history: dict, ax: Any = None, metric: str | None = None) -> Any:
    """Train and validation loss per epoch (left axis) and the metric, e.g. accuracy (right axis)."""
    if not isinstance(history, dict) or not history.get("loss"):
        raise ValueError("plot_history: the history has no 'loss' entries yet; train with nn.fit first")
    plt = _pyplot("plot_history")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], label="train loss", color="tab:blue")
    if history.get("val_loss"):
        ax.plot(epochs[: len(history["val_loss"])], history["val_loss"], label="validation loss",
                color="tab:orange")
    ax.set(xlabel="epoch", ylabel="loss")
    lines, labels = ax.get_legend_handles_labels()
    metric = metric or next((k for k in ("accuracy",) if history.get(k)), None)
    if metric is not None:
        if not history.get(metric):
            raise ValueError(f"plot_history: the history has no {metric!r} entries; it has {sorted(history)}")
        right = ax.twinx()
        right.plot(epochs[: len(history[metric])], history[metric], "--", color="tab:green", label=f"train {metric}")
        if history.get("val_" + metric):
            right.plot(epochs[: len(history["val_" + metric])], history["val_" + metric], "--", color="tab:red",
                       label=f"validation {metric}")
        right.set_ylabel(metric)
        more_lines, more_labels = right.get_legend_handles_labels()
        lines, labels = lines + more_lines, labels + more_labels
    best = getattr(history, "best_epoch", None)
    if best is not None:
        ax.axvline(best + 1, color="grey", lw=0.8, ls=":")
    ax.legend(lines, labels, loc="best", fontsize="small")
    return ax


def decision_grid(model: Any, X: Any, resolution: int = 150, margin: float = 0.1) -> tuple:
    """(xx, yy, scores): the model's output over a grid covering the 2-D points ``X`` (eval mode, no graph)."""
    X = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_grid: X must have shape (n, 2) (two input features), got {X.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or not 2 <= resolution <= 2000:
        raise ValueError(f"decision_grid: resolution must be an integer from 2 to 2000, got {resolution!r}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.c_[xx.ravel(), yy.ravel()]
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with autograd.no_grad():
            if getattr(model, "mode", "tensor") == "scalar":
                from .modes import numbers

                out = numbers(model(grid))
            else:
                params = list(model.parameters()) if hasattr(model, "parameters") else []
                dtype = params[0].data.dtype if params and hasattr(params[0], "data") else np.float64
                out = model(Tensor(grid.astype(dtype))).data
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    out = np.asarray(out, dtype=np.float64).reshape(len(grid), -1)
    return xx, yy, out.reshape(xx.shape + (out.shape[1],))


def plot_decision_boundary(model: Any, X: Any, y: Any = None, ax: Any = None, resolution: int = 150,
                           X_test: Any = None, y_test: Any = None, title: str | None = None) -> Any:
    """Colour the plane by the model's decision and draw the boundary; points ``X`` (and test points hollow).

    One output: its sign (a logit, or a tanh score) or 0.5 (a probability) is the boundary; several
    outputs: the class with the largest score colours each region.
    """
    xx, yy, scores = decision_grid(model, X, resolution)  # checks the arguments first
    plt = _pyplot("plot_decision_boundary")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    if scores.shape[-1] == 1:
        s = scores[..., 0]
        level = 0.5 if s.min() >= 0.0 and s.max() <= 1.0 else 0.0
        span = max(abs(s.max() - level), abs(s.min() - level), 1e-12)
        ax.contourf(xx, yy, s, levels=np.linspace(level - span, level + span, 21), cmap="coolwarm", alpha=0.55)
        if s.min() < level < s.max():
            ax.contour(xx, yy, s, levels=[level], colors="k", linewidths=1.2)
    else:
        classes = scores.argmax(axis=-1)
        ax.contourf(xx, yy, classes, levels=np.arange(scores.shape[-1] + 1) - 0.5, cmap="tab10", alpha=0.35)
    X = np.asarray(X.data if isinstance(X, Tensor) else X)
    colours = _labels(y)
    ax.scatter(X[:, 0], X[:, 1], c=colours, cmap="coolwarm" if scores.shape[-1] == 1 else "tab10", s=18,
               edgecolors="k", linewidths=0.5, label="train")
    if X_test is not None:
        Xt = np.asarray(X_test.data if isinstance(X_test, Tensor) else X_test)
        yt = _labels(y_test)
        ax.scatter(Xt[:, 0], Xt[:, 1], c=yt,
                   cmap="coolwarm" if scores.shape[-1] == 1 else "tab10", s=22, marker="^", edgecolors="k",
                   linewidths=0.5, label="test")
        ax.legend(loc="best", fontsize="small")
    ax.set(xlabel="x1", ylabel="x2", title=title or "")
    return ax


def _labels(y: Any) -> np.ndarray | None:
    """Class labels for colouring points: one-hot rows become their class, anything else is flattened."""
    if y is None:
        return None
    y = np.asarray(y.data if isinstance(y, Tensor) else y)
    return y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.ravel()
