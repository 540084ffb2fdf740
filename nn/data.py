"""Data handling: datasets and loaders (torch's names), a train/test split, and scalers fitted on training data only.

    >>> from nn.data import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any, Callable, Iterable, Iterator

import numpy as np

import autograd
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


class Dataset:
    """Base class of map-style datasets: define ``__getitem__(i)`` (one sample) and ``__len__``."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of iterable-style datasets (torch's): define ``__iter__``, yielding one sample at a time.

    ``DataLoader`` batches the stream in order (no shuffle or sampler: shuffle inside ``__iter__``).
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")

    def __getitem__(self, index: Any) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it instead of indexing it")


class TensorDataset(Dataset):
    """Samples ``(t0[i], t1[i], ...)`` from Tensors or arrays that share their first axis."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one Tensor or array, e.g. TensorDataset(X, y)")
        items = []
        for k, t in enumerate(tensors):
            if not isinstance(t, (Tensor, np.ndarray)):
                try:
                    t = np.asarray(t)
                except ValueError:
                    raise ValueError(f"TensorDataset: argument {k} is not rectangular; give arrays") from None
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {k} is a single number; each needs one row per sample")
            items.append(t)
        sizes = [t.shape[0] for t in items]
        if len(set(sizes)) != 1:
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: first axes of {sizes} samples; "
                "every Tensor must hold the same number of samples"
            )
        self.tensors = tuple(items)

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Any) -> None:
        n = len(dataset)
        idx = np.asarray(indices)
        if idx.size and (idx.dtype.kind not in "iu" or idx.ndim != 1):
            raise TypeError(f"Subset: indices must be a 1-D sequence of ints, got {np.asarray(indices).dtype} "
                            f"of shape {idx.shape}")
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"Subset: indices must be in [-{n}, {n - 1}] for a dataset of {n} samples, "
                             f"found {idx[(idx < -n) | (idx >= n)][:5].tolist()}")
        self.dataset, self.indices = dataset, [int(i) for i in idx.reshape(-1)]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return [self.dataset[self.indices[int(i)]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after the other."""

    def __init__(self, datasets: Any) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: give at least one dataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index %= n
        k = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[k - 1] if k else 0
        return self.datasets[k][index - start]


def random_split(dataset: Any, lengths: Any, generator: Any = None) -> list:
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0) and sum(lengths) <= 1:
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # the remainder, one each, round robin (as torch does)
            counts[i % len(counts)] += 1
        lengths = counts
    if any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 0 for x in lengths) or sum(lengths) != n:
        raise ValueError(
            f"random_split: lengths {lengths} must be non-negative ints summing to the {n} samples "
            "(or fractions summing to 1)"
        )
    order = rng_from(generator).permutation(n).tolist()
    out, start = [], 0
    for k in lengths:
        out.append(Subset(dataset, order[start:start + k]))
        start += k
    return out


def default_collate(batch: list) -> Any:
    """Join a list of samples into a batch, position by position, as torch's default_collate does.

    Tensors are stacked into a Tensor, and so are numpy arrays and numpy numbers (their dtype kept);
    Python floats become a float64 Tensor, ints an int64 one, bools a bool one; tuples and lists collate
    each position (giving a list), dicts each key; strings stay a list.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return autograd.stack(list(batch), axis=0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USO":
            raise TypeError(f"default_collate: arrays of dtype {elem.dtype} cannot be batched; give numbers")
        shapes = {b.shape for b in batch}
        if len(shapes) != 1:
            raise RuntimeError(
                f"default_collate: samples have different shapes {sorted(shapes)}; stack needs equal shapes "
                "(pad them, or pass a collate_fn)"
            )
        return Tensor._make(np.stack(batch))
    if isinstance(elem, (str, bytes)):  # before numbers: np.str_ is a str
        return list(batch)
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor._make(np.array(batch))
    if isinstance(elem, bool):
        return Tensor._make(np.array(batch, dtype=bool))
    if isinstance(elem, int):
        return Tensor._make(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._make(np.array(batch, dtype=np.float64))
    if isinstance(elem, Mapping):
        out = {k: default_collate([d[k] for d in batch]) for k in elem}
        try:
            return out if type(elem) is dict else type(elem)(out)
        except TypeError:  # a mapping type that cannot be built from a dict
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if len({len(b) for b in batch}) != 1:
            raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain Tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}; pass collate_fn= to batch it yourself"
    )


_ARRAY_PARAMS = ("y", "batch_size", "shuffle", "seed", "drop_last")
_DATASET_PARAMS = ("batch_size", "shuffle", "sampler", "batch_sampler", "num_workers", "collate_fn", "pin_memory",
                   "drop_last", "timeout", "worker_init_fn", "multiprocessing_context", "generator")
_UNSET = object()


class DataLoader:
    """Batches, one pass per ``for`` loop, from arrays ``(X, y)`` or from any dataset (torch's signature).

    ``DataLoader(X, y, batch_size=None, shuffle=False, seed=None, drop_last=False)``
    yields ``(X, y)`` numpy batches: ``batch_size`` None for the full batch, 1 for
    stochastic, n for mini-batches. ``DataLoader(dataset, batch_size=1, shuffle=False,
    ..., collate_fn=None, drop_last=False, generator=None)`` works on anything
    with ``__getitem__``/``__len__`` (a ``TensorDataset``, your own ``Dataset``),
    joining samples with ``collate_fn`` (``default_collate``). ``shuffle`` draws
    a new order every pass from a generator (``generator``: a numpy Generator or
    an int, or ``seed``) made once, so a run is repeatable. ``drop_last`` drops a
    last, smaller batch. Loading runs in this process (``num_workers`` is accepted
    and ignored).
    """

    def __init__(self, X: Any, *args: Any, **kwargs: Any) -> None:
        self.dataset_mode = _is_dataset(X)
        names = _DATASET_PARAMS if self.dataset_mode else _ARRAY_PARAMS
        if len(args) > len(names):
            raise TypeError(f"DataLoader: takes at most {len(names) + 1} positional arguments, got {len(args) + 1}")
        opts = dict(zip(names, args))
        allowed = set(names) | {"seed", "prefetch_factor", "persistent_workers", "pin_memory_device"}
        for k, v in kwargs.items():
            if not self.dataset_mode and k in _DATASET_PARAMS and k not in _ARRAY_PARAMS:
                raise TypeError(
                    f"DataLoader: {k}= works on a dataset, but got arrays; wrap them: "
                    f"DataLoader(TensorDataset(X, y), ..., {k}=...)"
                )
            if k not in allowed:
                close = difflib.get_close_matches(k, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise TypeError(f"DataLoader: unexpected keyword argument {k!r}{hint}")
            if k in opts:
                raise TypeError(f"DataLoader: got multiple values for argument {k!r}")
            opts[k] = v
        if self.dataset_mode:
            self._init_dataset(X, opts)
        else:
            self._init_arrays(X, opts)

    def _init_arrays(self, X: Any, o: dict) -> None:
        self.X, self.y = check_xy(X, o.get("y"), "DataLoader")
        n = self.X.shape[0]
        batch_size = o.get("batch_size")
        if batch_size is None:
            batch_size = n
        _check_batch_size(batch_size, "(or None for the full batch)")
        drop_last = bool(o.get("drop_last", False))
        if drop_last and batch_size > n:
            raise ValueError(
                f"DataLoader: batch_size {batch_size} is larger than the {n} samples and drop_last=True leaves no batch"
            )
        self.batch_size = int(batch_size)
        self.shuffle = bool(o.get("shuffle", False))
        self.drop_last = drop_last
        self.rng = rng_from(o.get("seed")) if self.shuffle else None

    def _init_dataset(self, dataset: Any, o: dict) -> None:
        self.dataset = dataset
        batch_size = o.get("batch_size", 1)
        self.batch_sampler = o.get("batch_sampler")
        self.sampler = o.get("sampler")
        self.shuffle = bool(o.get("shuffle", False))
        self.drop_last = bool(o.get("drop_last", False))
        if self.batch_sampler is not None:
            if batch_size != 1 or self.shuffle or self.sampler is not None or self.drop_last:
                raise ValueError("DataLoader: batch_sampler excludes batch_size, shuffle, sampler and drop_last")
            batch_size = None
        elif batch_size is not None:
            _check_batch_size(batch_size, "(or None to yield single samples)")
        if self.sampler is not None and self.shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True exclude each other; shuffle inside the sampler")
        if isinstance(dataset, IterableDataset) and (self.shuffle or self.sampler is not None
                                                     or self.batch_sampler is not None):
            raise ValueError("DataLoader: an IterableDataset takes no shuffle, sampler or batch_sampler (its __iter__ "
                             "sets the order); shuffle inside __iter__")
        self.batch_size = None if batch_size is None else int(batch_size)
        collate_fn = o.get("collate_fn")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be a function of a list of samples, got {collate_fn!r}")
        self.collate_fn = collate_fn if collate_fn is not None else default_collate
        self.generator = o.get("generator")
        seed = o.get("seed")
        if self.generator is not None and seed is not None:
            raise ValueError("DataLoader: give generator or seed, not both")
        self.rng = rng_from(self.generator if self.generator is not None else seed) if self.shuffle else None

    def __len__(self) -> int:
        if not self.dataset_mode:
            n = self.X.shape[0]
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        if isinstance(self.dataset, IterableDataset) and not hasattr(type(self.dataset), "__len__"):
            raise TypeError(f"DataLoader: {type(self.dataset).__name__} is an IterableDataset without __len__, so the "
                            "number of batches is unknown; define __len__ or count while iterating")
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.dataset_mode:
            yield from self._iter_dataset()
            return
        n = self.X.shape[0]
        order = self.rng.permutation(n) if self.shuffle else None
        for k in range(len(self)):
            sl = slice(k * self.batch_size, min((k + 1) * self.batch_size, n))
            idx = order[sl] if order is not None else sl
            if self.y is None:
                yield self.X[idx]
            else:
                yield self.X[idx], self.y[idx]

    def _iter_dataset(self) -> Iterator[Any]:
        ds = self.dataset
        if isinstance(ds, IterableDataset):
            yield from _batches(iter(ds), self.batch_size, self.drop_last, self.collate_fn)
            return
        if self.batch_sampler is not None:
            for idx in self.batch_sampler:
                yield self.collate_fn([ds[int(i)] for i in idx])
            return
        if self.sampler is not None:
            order = np.fromiter((int(i) for i in self.sampler), dtype=np.int64)
        else:
            order = self.rng.permutation(len(ds)) if self.shuffle else np.arange(len(ds))
        if self.batch_size is None:
            for i in order:
                yield ds[int(i)]
            return
        fast = type(ds) is TensorDataset and self.collate_fn is default_collate  # one fancy index per batch
        for k in range(len(self)):
            idx = order[k * self.batch_size:(k + 1) * self.batch_size]
            if fast:  # what default_collate makes of the samples: Tensors, arrays included
                yield [t[idx] if isinstance(t, Tensor) else Tensor._make(t[idx]) for t in ds.tensors]
            else:
                yield self.collate_fn([ds[int(i)] for i in idx])


def _check_batch_size(batch_size: Any, other: str) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"DataLoader: batch_size must be a positive int {other}, got {batch_size!r}")


def _batches(stream: Iterable[Any], size: int | None, drop_last: bool, collate: Callable) -> Iterator[Any]:
    """An iterable dataset's samples, ``size`` at a time through ``collate`` (None: one sample at a time)."""
    if size is None:
        yield from stream
        return
    batch: list = []
    for sample in stream:
        batch.append(sample)
        if len(batch) == size:
            yield collate(batch)
            batch = []
    if batch and not drop_last:
        yield collate(batch)


def _is_dataset(x: Any) -> bool:
    """True for a map-style dataset (not an array, Tensor, list or tuple of numbers) or an IterableDataset."""
    if isinstance(x, IterableDataset):
        return True
    if isinstance(x, (np.ndarray, Tensor, list, tuple, str, bytes)):
        return False
    return hasattr(type(x), "__getitem__") and hasattr(type(x), "__len__")


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


__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "default_collate",
           "DataLoader", "train_test_split", "StandardScaler", "MinMaxScaler"]


# torch.utils.data's samplers, with generator= (nn/samplers.py)
from .samplers import (  # noqa: E402, F401
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)
