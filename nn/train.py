"""Training: a ``Trainer`` (and the ``fit`` shortcut) with a progress bar, evaluation and early stopping.

    history = nn.fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=1e-3),
                     X_train, y_train, epochs=20, batch_size=32, validation_data=(X_test, y_test))

Each epoch: shuffled mini-batches, forward, loss, zero_grad, backward, step;
then the scheduler (if any) and an evaluation of the validation data under
``no_grad``. The returned history holds per-epoch lists ready to plot.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd

from .data import DataLoader, check_xy
from .losses import BCELoss, L1Loss, MSELoss, SSELoss, get_loss
from .modes import numbers


def accuracy(outputs: Any, y: Any, threshold: float = 0.0) -> float:
    """Share of correct predictions from model outputs in either mode.

    Several columns: the argmax is the class. One column: ``output > threshold``
    is class 1 (use 0 for logits, 0.5 for probabilities); labels in {-1, +1}
    (hinge loss) are compared with the sign instead.
    """
    out = np.asarray(numbers(outputs), dtype=np.float64)
    y = np.asarray(numbers(y)).reshape(-1)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
        if y.size == out.size and y.size != pred.size:  # one-hot targets
            y = np.asarray(numbers(y)).reshape(out.shape).argmax(axis=1)
    else:
        out = out.reshape(-1)
        if np.isin(y, (-1, 1)).all() and (y == -1).any():
            pred = np.where(out > threshold, 1, -1)
        else:
            pred = (out > threshold).astype(np.int64)
    if pred.shape[0] != y.shape[0]:
        raise ValueError(f"accuracy: {pred.shape[0]} predictions but {y.shape[0]} labels")
    return float(np.mean(pred == y)) if y.size else float("nan")


def _column_target(out: Any, yb: np.ndarray) -> np.ndarray:
    """y of shape (n,) as (n, 1) for a model with one output column (losses, as torch's, would broadcast it)."""
    shape = tuple(np.shape(out.data if isinstance(out, autograd.Tensor) else out))
    if yb.ndim + 1 == len(shape) and shape[-1] == 1 and yb.shape == shape[:-1]:
        return yb.reshape(shape)
    return yb


class EarlyStopping:
    """Stop when the monitored loss has not improved by ``min_delta`` for ``patience`` epochs.

    ``restore_best`` puts back the weights of the best epoch when training stops.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, monitor: str = "auto",
                 restore_best: bool = True) -> None:
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be a positive int, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta!r}")
        if monitor not in ("auto", "loss", "val_loss"):
            raise ValueError(f"EarlyStopping: monitor must be 'auto', 'loss' or 'val_loss', got {monitor!r}")
        self.patience, self.min_delta, self.monitor, self.restore_best = int(patience), float(min_delta), monitor, \
            bool(restore_best)
        self.reset()

    def reset(self) -> None:
        self.best = float("inf")
        self.best_epoch = -1
        self.best_state: dict | None = None
        self.wait = 0

    def update(self, value: float, epoch: int, model: Any) -> bool:
        """Record this epoch's loss; True when training should stop."""
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = model.state_dict()
            return False
        self.wait += 1
        return self.wait >= self.patience


class History(dict):
    """Per-epoch lists: loss, accuracy, val_loss, val_accuracy, lr; plus ``stopped_early`` and ``best_epoch``."""

    stopped_early = False
    best_epoch: int | None = None

    @property
    def epochs(self) -> int:
        return len(self.get("loss", []))


def _threshold(loss_fn: Any) -> float:
    return 0.5 if isinstance(loss_fn, BCELoss) else 0.0


def _is_regression(loss_fn: Any) -> bool:
    return isinstance(loss_fn, (MSELoss, SSELoss, L1Loss))


class Trainer:
    """Trains ``model`` with ``loss_fn`` (a loss module, function or name) and ``optimizer``.

    ``metric``: 'auto' (accuracy for classification losses, none for regression
    losses), 'accuracy', None, or a function ``f(outputs, y) -> float``.
    """

    def __init__(self, model: Any, loss_fn: Any, optimizer: Any, scheduler: Any = None, metric: Any = "auto",
                 progress: bool = True) -> None:
        self.model = model
        self.loss_fn = get_loss(loss_fn)
        self.optimizer = optimizer
        self.scheduler = scheduler
        if metric == "auto":
            metric = None if _is_regression(self.loss_fn) else "accuracy"
        if metric == "accuracy":
            thr = _threshold(self.loss_fn)
            metric = lambda out, y: accuracy(out, y, thr)  # noqa: E731
        if metric is not None and not callable(metric):
            raise ValueError(f"Trainer: metric must be 'auto', 'accuracy', None or a function, got {metric!r}")
        self.metric: Callable | None = metric
        self.progress = progress

    def fit(self, X: Any, y: Any, epochs: int = 10, batch_size: int | None = 32, shuffle: bool = True,
            seed: Any = None, validation_data: tuple | None = None, early_stopping: Any = None,
            drop_last: bool = False) -> History:
        """Train for ``epochs`` passes over (X, y); returns the History."""
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
        X, y = check_xy(X, y, "fit")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("fit: validation_data must be a pair (X_val, y_val)")
            Xv, yv = check_xy(*validation_data, "fit (validation_data)")
        stopper = EarlyStopping(patience=early_stopping) if isinstance(early_stopping, (int, np.integer)) \
            and not isinstance(early_stopping, bool) else early_stopping
        if stopper is not None and not isinstance(stopper, EarlyStopping):
            raise TypeError("fit: early_stopping must be None, a patience (int) or an EarlyStopping")
        if stopper is not None:
            stopper.reset()
        loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last)
        history = History(loss=[], lr=[])
        if self.metric is not None:
            history["accuracy"] = []
        if validation_data is not None:
            history["val_loss"] = []
            if self.metric is not None:
                history["val_accuracy"] = []
        bar = _progress(epochs, self.progress)
        try:
            for epoch in range(int(epochs)):
                self.model.train()
                total, seen, outs, ys = 0.0, 0, [], []
                for xb, yb in loader:
                    out = self.model(xb)
                    loss = self.loss_fn(out, _column_target(out, yb))
                    self.optimizer.zero_grad()
                    loss.backward()
                    self.optimizer.step()
                    total += float(numbers(loss)) * len(xb)
                    seen += len(xb)
                    if self.metric is not None:
                        outs.append(np.asarray(numbers(out)))
                        ys.append(yb)
                history["lr"].append(self.optimizer.param_groups[0]["lr"])
                if self.scheduler is not None:
                    self.scheduler.step()
                history["loss"].append(total / seen)
                if self.metric is not None:
                    history["accuracy"].append(self.metric(np.concatenate(outs), np.concatenate(ys)))
                if validation_data is not None:
                    ev = self.evaluate(Xv, yv)
                    history["val_loss"].append(ev["loss"])
                    if self.metric is not None:
                        history["val_accuracy"].append(ev["accuracy"])
                bar.set_postfix(_postfix(history), refresh=False)
                bar.update(1)
                if stopper is not None:
                    monitor = stopper.monitor
                    if monitor == "auto":
                        monitor = "val_loss" if validation_data is not None else "loss"
                    if monitor not in history:
                        raise ValueError("EarlyStopping: monitor='val_loss' needs validation_data")
                    if stopper.update(history[monitor][-1], epoch, self.model):
                        history.stopped_early = True
                        break
        finally:
            bar.close()
        if stopper is not None:
            history.best_epoch = stopper.best_epoch
            if stopper.restore_best and stopper.best_state is not None:
                self.model.load_state_dict(stopper.best_state)
        self.model.train()
        return history

    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """The model's outputs on X as a float array (eval mode, no graph recorded)."""
        X, _ = check_xy(X, None, "predict")
        was = self.model.training
        self.model.eval()
        try:
            with autograd.no_grad():
                outs = [np.asarray(numbers(self.model(xb))) for xb in DataLoader(X, batch_size=batch_size)]
        finally:
            self.model.train(was)
        return np.concatenate(outs)

    def evaluate(self, X: Any, y: Any, batch_size: int | None = None) -> dict:
        """{'loss': mean loss, 'accuracy': metric} on (X, y), in eval mode under no_grad."""
        X, y = check_xy(X, y, "evaluate")
        was = self.model.training
        self.model.eval()
        total, outs = 0.0, []
        try:
            with autograd.no_grad():
                for xb, yb in DataLoader(X, y, batch_size=batch_size):
                    out = self.model(xb)
                    total += float(numbers(self.loss_fn(out, _column_target(out, yb)))) * len(xb)
                    outs.append(np.asarray(numbers(out)))
        finally:
            self.model.train(was)
        result = {"loss": total / len(X)}
        if self.metric is not None:
            result["accuracy"] = self.metric(np.concatenate(outs), y)
        return result


def fit(model: Any, loss_fn: Any, optimizer: Any, X: Any, y: Any, epochs: int = 10, batch_size: int | None = 32,
        scheduler: Any = None, metric: Any = "auto", progress: bool = True, **kwargs: Any) -> History:
    """Train ``model`` in one call; see ``Trainer.fit`` for the other arguments."""
    trainer = Trainer(model, loss_fn, optimizer, scheduler=scheduler, metric=metric, progress=progress)
    return trainer.fit(X, y, epochs=epochs, batch_size=batch_size, **kwargs)


def _postfix(history: History) -> dict:
    short = {"loss": "loss", "accuracy": "acc", "val_loss": "val_loss", "val_accuracy": "val_acc"}
    return {short[k]: f"{history[k][-1]:.4f}" for k in short if k in history and history[k]}


class _NoBar:
    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a dependency, but training must not need it
        return _NoBar()
    return tqdm(total=int(total), desc="epoch", unit="epoch", leave=True, dynamic_ncols=True)


__all__ = ["Trainer", "fit", "accuracy", "EarlyStopping", "History"]
