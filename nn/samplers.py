"""torch.utils.data's samplers, for ``DataLoader(sampler=...)`` and ``DataLoader(batch_sampler=...)``:
``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``, ``WeightedRandomSampler`` and
``BatchSampler``, with torch's arguments and ``generator=`` (an ``autograd.Generator``, a numpy Generator, or
None for gradwork's library generator). The same seed gives the same order (not torch's order).
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

import numpy as np

from autograd import Tensor
from autograd.random_gen import rng_of

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]


def _count(n: Any, what: str, where: str, low: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < low:
        raise ValueError(f"{where}: {what} should be an int >= {low}, got {n!r}")
    return int(n)


class Sampler:
    """Base class: an iterable of dataset indices (subclasses define ``__iter__`` and usually ``__len__``)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__}: a Sampler subclass must define __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sequence) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices (a new one per pass): a permutation (several, joined, when num_samples
    exceeds the dataset), or num_samples draws with replacement=True."""

    def __init__(self, data_source: Sequence, replacement: bool = False, num_samples: int | None = None,
                 generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, got {replacement!r}")
        self.data_source, self.replacement, self.generator = data_source, replacement, generator
        self._num_samples = None if num_samples is None else _count(num_samples, "num_samples", "RandomSampler")
        rng_of(generator, "RandomSampler")  # a bad generator fails here, not at the first pass

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, k = len(self.data_source), self.num_samples
        rng = rng_of(self.generator, "RandomSampler")
        if self.replacement:
            yield from rng.integers(0, n, k).tolist()
            return
        for _ in range(k // n if n else 0):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[: k % n].tolist() if n else []

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order per pass."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices, self.generator = indices, generator
        rng_of(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        for i in rng_of(self.generator, "SubsetRandomSampler").permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """num_samples indices drawn with probabilities proportional to ``weights`` (with replacement by default)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        where = "WeightedRandomSampler"
        self.num_samples = _count(num_samples, "num_samples", where)
        if not isinstance(replacement, bool):
            raise TypeError(f"{where}: replacement should be a boolean value, got {replacement!r}")
        w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1 or w.size == 0 or np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise ValueError(f"{where}: weights must be a non-empty 1-D sequence of finite numbers >= 0 with a "
                             f"positive sum, got shape {w.shape}")
        if not replacement and self.num_samples > int((w > 0).sum()):
            raise ValueError(f"{where}: cannot draw {self.num_samples} samples without replacement from "
                             f"{int((w > 0).sum())} indices of nonzero weight")
        self.weights, self.replacement, self.generator = w, replacement, generator
        rng_of(generator, where)

    def __iter__(self) -> Iterator[int]:
        rng = rng_of(self.generator, "WeightedRandomSampler")
        p = self.weights / self.weights.sum()
        yield from rng.choice(p.size, self.num_samples, replace=self.replacement, p=p).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of batch_size indices from ``sampler`` (the last one shorter unless drop_last)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        self.sampler = sampler
        self.batch_size = _count(batch_size, "batch_size", "BatchSampler")
        if not isinstance(drop_last, bool):
            raise TypeError(f"BatchSampler: drop_last should be a boolean value, got {drop_last!r}")
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        batch: list = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
