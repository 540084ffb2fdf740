"""Training: a ``Trainer`` (and the ``fit`` shortcut) with a progress bar, evaluation and early stopping.

    history = nn.fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=1e-3),
                     X_train, y_train, epochs=20, batch_size=32, validation_data=(X_test, y_test))

Each epoch: shuffled mini-batches, forward, loss, zero_grad, backward, step;
then the scheduler (if any) and an evaluation of the validation data under
``no_grad``. The returned history holds per-epoch lists ready to plot.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
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
        if isinstance(min_delta, bool) or not isinstance(min_delta, Real) or not 0 <= min_delta < math.inf:
            raise ValueError(f"EarlyStopping: min_delta must be a finite number >= 0, got {min_delta!r}")
        if monitor not in ("auto", "loss", "val_loss"):
            raise ValueError(f"EarlyStopping: monitor must be 'auto', 'loss' or 'val_loss', got {monitor!r}")
        if not isinstance(restore_best, (bool, np.bool_)):
            raise ValueError(f"EarlyStopping: restore_best must be True or False, got {restore_best!r}")
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

    def state_dict(self) -> dict:
        """Settings and progress (best loss, its epoch and weights, epochs waited), for ``load_state_dict``."""
        best_state = None if self.best_state is None else {k: np.array(v) for k, v in self.best_state.items()}
        return {"patience": self.patience, "min_delta": self.min_delta, "monitor": self.monitor,
                "restore_best": self.restore_best, "best": self.best, "best_epoch": self.best_epoch,
                "best_state": best_state, "wait": self.wait}

    def load_state_dict(self, state: dict) -> None:
        """Restore a ``state_dict``; every entry is checked before anything changes."""
        where = "EarlyStopping.load_state_dict"
        _check_keys(state, self.state_dict(), where)
        try:
            fresh = EarlyStopping(state["patience"], state["min_delta"], state["monitor"], state["restore_best"])
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        best, epoch, wait, best_state = state["best"], state["best_epoch"], state["wait"], state["best_state"]
        if isinstance(best, bool) or not isinstance(best, Real) or math.isnan(best) or best == -math.inf:
            raise ValueError(f"{where}: state['best'] must be a number (inf before any epoch), got {best!r}")
        _check_count(epoch, "best_epoch", where, low=-1)
        _check_count(wait, "wait", where)
        if (epoch == -1) != (best == math.inf):
            raise ValueError(f"{where}: state['best']={best!r} and state['best_epoch']={epoch!r} disagree; "
                             "best is inf exactly while best_epoch is -1 (no epoch recorded yet)")
        if best_state is not None:
            if not isinstance(best_state, dict) or not all(
                isinstance(k, str) and isinstance(v, np.ndarray) and v.dtype.kind in "fiub"
                for k, v in best_state.items()
            ):
                raise TypeError(f"{where}: state['best_state'] must be None or a model state_dict "
                                "(names -> number arrays)")
            best_state = {k: np.array(v) for k, v in best_state.items()}
        self.__dict__.update(fresh.__dict__)
        self.best, self.best_epoch, self.wait, self.best_state = float(best), int(epoch), int(wait), best_state


class History(dict):
    """Per-epoch lists: loss, accuracy, val_loss, val_accuracy, lr; plus ``stopped_early`` and ``best_epoch``."""

    stopped_early = False
    best_epoch: int | None = None

    _KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr")

    @property
    def epochs(self) -> int:
        return len(self.get("loss", []))

    def plot(self, ax: Any = None, metric: str | None = None) -> Any:
        """Loss (and accuracy, when recorded) per epoch, train and validation: ``nn.plot.plot_history``."""
        from .plot import plot_history

        return plot_history(self, ax=ax, metric=metric)
    def state_dict(self) -> dict:
        """The per-epoch lists and the early-stopping outcome, as plain lists and numbers."""
        return {"history": {k: list(v) for k, v in self.items()}, "stopped_early": bool(self.stopped_early),
                "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict) -> None:
        """Restore a ``state_dict`` (e.g. to resume plotting a run); everything is checked before anything changes."""
        where = "History.load_state_dict"
        _check_keys(state, {"history": 0, "stopped_early": 0, "best_epoch": 0}, where)
        lists = state["history"]
        if not isinstance(lists, dict):
            raise TypeError(f"{where}: state['history'] must be a dict of per-epoch lists, got {type(lists).__name__}")
        unknown = sorted(str(k) for k in lists if k not in self._KEYS)
        missing = [k for k in ("loss", "lr") if k not in lists]
        if unknown or missing:
            raise ValueError(f"{where}: state['history'] has unknown key(s) {unknown}, missing key(s) {missing}; "
                             f"a History holds {list(self._KEYS)} ('loss' and 'lr' always)")
        out = {}
        for k, v in lists.items():
            if not isinstance(v, (list, tuple)) or any(
                isinstance(x, (bool, np.bool_)) or not isinstance(x, Real) for x in v
            ):
                raise TypeError(f"{where}: state['history'][{k!r}] must be a list of numbers (one per epoch)")
            out[k] = [float(x) for x in v]
        lengths = {k: len(v) for k, v in out.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{where}: the per-epoch lists have different lengths {lengths}; each holds one "
                             "number per epoch")
        if not isinstance(state["stopped_early"], (bool, np.bool_)):
            raise TypeError(f"{where}: state['stopped_early'] must be True or False, got {state['stopped_early']!r}")
        best = state["best_epoch"]
        if best is not None:
            _check_count(best, "best_epoch", where, low=-1)
            if best >= lengths["loss"]:
                raise ValueError(f"{where}: state['best_epoch']={best} but the history has {lengths['loss']} epochs")
        self.clear()
        self.update(out)
        self.stopped_early = bool(state["stopped_early"])
        self.best_epoch = None if best is None else int(best)


def _check_keys(state: Any, own: dict, where: str) -> None:
    if not isinstance(state, dict):
        raise TypeError(f"{where}: expected the dict returned by state_dict(), got {type(state).__name__}")
    missing = sorted(k for k in own if k not in state)
    unknown = sorted(str(k) for k in state if k not in own)
    if missing or unknown:
        raise ValueError(f"{where}: missing key(s) {missing}, unknown key(s) {unknown}; expected {sorted(own)}")


def _check_count(v: Any, what: str, where: str, low: int = 0) -> None:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, Integral):
        raise TypeError(f"{where}: state[{what!r}] must be an int, got {v!r}")
    if v < low:
        raise ValueError(f"{where}: state[{what!r}] must be >= {low}, got {v!r}")


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
                on_metric = getattr(self.scheduler, "_steps_on_metric", False)  # ReduceLROnPlateau
                if self.scheduler is not None and not on_metric:
                    self.scheduler.step()
                history["loss"].append(total / seen)
                if self.metric is not None:
                    history["accuracy"].append(self.metric(np.concatenate(outs), np.concatenate(ys)))
                if validation_data is not None:
                    ev = self.evaluate(Xv, yv)
                    history["val_loss"].append(ev["loss"])
                    if self.metric is not None:
                        history["val_accuracy"].append(ev["accuracy"])
                if on_metric:  # after the evaluation: the validation loss if there is one, else the training loss
                    self.scheduler.step(history["val_loss" if validation_data is not None else "loss"][-1])
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
