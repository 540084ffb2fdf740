"""nn.data's samplers (torch.utils.data's), with generator=, alone and in DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from nn.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler, SubsetRandomSampler,
                     TensorDataset, WeightedRandomSampler)

DATA = list(range(10))


def _g(seed: int) -> autograd.Generator:
    return autograd.Generator().manual_seed(seed)


def test_samplers_match_torch_semantics(backend) -> None:
    torch = pytest.importorskip("torch")
    tud = torch.utils.data
    assert list(SequentialSampler(DATA)) == list(tud.SequentialSampler(DATA))
    for kw in ({}, {"num_samples": 25}, {"num_samples": 4}, {"replacement": True, "num_samples": 7}):
        ours, theirs = list(RandomSampler(DATA, **kw)), list(tud.RandomSampler(DATA, **kw))
        assert len(ours) == len(theirs) == len(RandomSampler(DATA, **kw))
        assert set(ours) <= set(DATA)
        if not kw.get("replacement"):
            n = kw.get("num_samples", 10)
            counts = np.bincount(ours, minlength=10)
            assert counts.max() - counts.min() <= 1 and counts.sum() == n  # whole permutations, then a part
    sub = [3, 5, 8]
    assert sorted(SubsetRandomSampler(sub)) == sub
    w = [0.0, 1.0, 0.0, 3.0]
    drawn = list(WeightedRandomSampler(w, 50, generator=_g(0)))
    assert set(drawn) <= {1, 3} and drawn.count(3) > drawn.count(1)
    assert sorted(WeightedRandomSampler(w, 2, replacement=False)) == [1, 3]
    for drop in (False, True):
        ours = list(BatchSampler(SequentialSampler(DATA), 4, drop))
        assert ours == list(tud.BatchSampler(tud.SequentialSampler(DATA), 4, drop))
        assert len(BatchSampler(SequentialSampler(DATA), 4, drop)) == len(ours)


def test_same_generator_seed_same_order_and_loader(backend) -> None:
    a = list(RandomSampler(DATA, generator=_g(1)))
    assert a == list(RandomSampler(DATA, generator=_g(1))) and a != list(RandomSampler(DATA, generator=_g(2)))
    g = _g(4)
    sampler = SubsetRandomSampler([0, 2, 4, 6], generator=g)
    first = list(sampler)
    assert list(sampler) != first or len(first) < 3  # a new order per pass
    g.manual_seed(4)
    assert list(sampler) == first
    ds = TensorDataset(autograd.arange(10.0))
    loader = DataLoader(ds, batch_size=3, sampler=RandomSampler(ds, generator=_g(5)))
    seen = sorted(sum((b[0].tolist() for b in loader), []))
    assert seen == list(range(10))
    batches = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 4, drop_last=True))
    assert [b[0].tolist() for b in batches] == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]


def test_bad_arguments(backend) -> None:
    with pytest.raises(ValueError, match="RandomSampler: num_samples should be an int >= 1"):
        RandomSampler(DATA, num_samples=0)
    with pytest.raises(TypeError, match="RandomSampler: generator must be an autograd.Generator"):
        RandomSampler(DATA, generator=3)
    with pytest.raises(ValueError, match="WeightedRandomSampler: weights must be"):
        WeightedRandomSampler([-1.0, 2.0], 3)
    with pytest.raises(ValueError, match="cannot draw 3 samples without replacement"):
        WeightedRandomSampler([1.0, 0.0, 2.0], 3, replacement=False)
    with pytest.raises(TypeError, match="BatchSampler: drop_last should be a boolean"):
        BatchSampler(DATA, 2, 1)
