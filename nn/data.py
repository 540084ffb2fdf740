"""Data handling: batches from arrays, a train/test split, and scalers fitted on training data only."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Iterator

import numpy as np

from autograd import Tensor

from .init import rng_from


def check_xy(X: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray | None]:
    """X as a 2-D (or more) numeric array and y with one entry per row; clear errors otherwise."""
    X = np.asarray(X.data if isinstance(X, Tensor) else X)
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{where}: X must hold numbers, got dtype {X.dtype}")
    if X.ndim == 0:
        raise ValueError(f"{where}: X must have one row per sample, got a single number")
    if X.shape[0] == 0:
        raise ValueError(f"{where}: X is empty (shape {X.shape}); give at least one sample")
    if y is None:
        return X, None
    y = np.asarray(y.data if isinstance(y, Tensor) else y)
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        n = "a single number" if y.ndim == 0 else f"{y.shape[0]} entries"
        raise ValueError(f"{where}: X has {X.shape[0]} rows but y has {n}; give one target per row of X")
    return X, y


class DataLoader:
    """Batches of ``(X, y)`` (numpy arrays), one pass per ``for`` loop.

    ``batch_size``: None for the full batch, 1 for stochastic, n for mini-batches.
    ``shuffle`` draws a new order every pass from a generator seeded once by
    ``seed``, so a run is repeatable. ``drop_last`` drops a last, smaller batch.
    """

    def __init__(self, X: Any, y: Any = None, batch_size: int | None = None, shuffle: bool = False,
                 seed: Any = None, drop_last: bool = False) -> None:
        self.X, self.y = check_xy(X, y, "DataLoader")
        n = self.X.shape[0]
        if batch_size is None:
            batch_size = n
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(
                f"DataLoader: batch_size must be a positive int (or None for the full batch), got {batch_size!r}"
            )
        if drop_last and batch_size > n:
            raise ValueError(
                f"DataLoader: batch_size {batch_size} is larger than the {n} samples and drop_last=True leaves no batch"
            )
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = rng_from(seed) if shuffle else None

    def __len__(self) -> int:
        n = self.X.shape[0]
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = self.X.shape[0]
        order = self.rng.permutation(n) if self.shuffle else None
        for k in range(len(self)):
            sl = slice(k * self.batch_size, min((k + 1) * self.batch_size, n))
            idx = order[sl] if order is not None else sl
            if self.y is None:
                yield self.X[idx]
            else:
                yield self.X[idx], self.y[idx]


def train_test_split(X: Any, y: Any, test_size: float = 0.25, seed: Any = None, shuffle: bool = True,
                     stratify: bool = False) -> tuple:
    """(X_train, X_test, y_train, y_test), like scikit-learn's. ``test_size``: a fraction or a count.

    ``stratify=True`` keeps each class's share of y the same in both parts.
    """
    X, y = check_xy(X, y, "train_test_split")
    n = X.shape[0]
    if isinstance(test_size, bool) or not isinstance(test_size, Real):
        raise TypeError(f"train_test_split: test_size must be a fraction or a count, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    else:
        n_test = int(math.ceil(test_size * n)) if 0 < test_size < 1 else 0
    if not 1 <= n_test < n:
        raise ValueError(
            f"train_test_split: test_size={test_size!r} leaves {n_test} of {n} samples for testing; "
            "use a fraction in (0, 1) or an int count from 1 to n - 1"
        )
    rng = rng_from(seed)
    if stratify:
        classes, inverse = np.unique(y, return_inverse=True)
        test_idx = []
        for c in range(len(classes)):
            members = np.flatnonzero(inverse == c)
            if shuffle:
                members = rng.permutation(members)
            k = int(round(n_test * len(members) / n))
            test_idx.extend(members[:k].tolist())
        test = np.array(sorted(test_idx), dtype=np.int64)
        mask = np.ones(n, dtype=bool)
        mask[test] = False
        train = np.flatnonzero(mask)
        if shuffle:
            train, test = rng.permutation(train), rng.permutation(test)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


class _Scaler:
    """Shared fit/transform plumbing: statistics come from ``fit`` (training data) only."""

    def _stats(self, X: np.ndarray) -> None:  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def fit(self, X: Any) -> "_Scaler":
        X, _ = check_xy(X, None, f"{type(self).__name__}.fit")
        X = X.astype(np.float64)
        if np.isnan(X).any():
            raise ValueError(f"{type(self).__name__}.fit: X contains NaN; fill or drop the missing values first")
        self.n_features = X.shape[1] if X.ndim > 1 else 1
        self._stats(X)
        return self

    def _check(self, X: Any, where: str) -> np.ndarray:
        if not hasattr(self, "n_features"):
            raise RuntimeError(f"{type(self).__name__}.{where}: call fit(X_train) first")
        X, _ = check_xy(X, None, f"{type(self).__name__}.{where}")
        nf = X.shape[1] if X.ndim > 1 else 1
        if nf != self.n_features:
            raise ValueError(
                f"{type(self).__name__}.{where}: X has {nf} features but the scaler was fitted on {self.n_features}"
            )
        return X.astype(np.float64)

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)


class StandardScaler(_Scaler):
    """(x - mean) / std per feature, with mean and std from the training data (constant features keep std 1)."""

    def _stats(self, X: np.ndarray) -> None:
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale = np.where(std > 0, std, 1.0)

    def transform(self, X: Any) -> np.ndarray:
        return (self._check(X, "transform") - self.mean) / self.scale

    def inverse_transform(self, X: Any) -> np.ndarray:
        return self._check(X, "inverse_transform") * self.scale + self.mean


class MinMaxScaler(_Scaler):
    """Map each feature's training range [min, max] onto ``feature_range`` (default [0, 1])."""

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"MinMaxScaler: feature_range must be (low, high) with low < high, got {feature_range!r}")
        self.feature_range = (float(lo), float(hi))

    def _stats(self, X: np.ndarray) -> None:
        self.min = X.min(axis=0)
        span = X.max(axis=0) - self.min
        self.span = np.where(span > 0, span, 1.0)

    def transform(self, X: Any) -> np.ndarray:
        lo, hi = self.feature_range
        return (self._check(X, "transform") - self.min) / self.span * (hi - lo) + lo

    def inverse_transform(self, X: Any) -> np.ndarray:
        lo, hi = self.feature_range
        return (self._check(X, "inverse_transform") - lo) / (hi - lo) * self.span + self.min
