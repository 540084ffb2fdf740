"""Datasets and the torch-style DataLoader: batching, shuffling, drop_last, collate, against torch's."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.data import DataLoader, Dataset, TensorDataset, default_collate

torch = pytest.importorskip("torch")
tdata = torch.utils.data

pytestmark = pytest.mark.numpy_only  # no kernels involved

X = np.arange(30.0).reshape(10, 3)
Y = np.arange(10) % 3


def as_np(x):
    if isinstance(x, (list, tuple)):
        return [as_np(v) for v in x]
    if isinstance(x, dict):
        return {k: as_np(v) for k, v in x.items()}
    if isinstance(x, torch.Tensor):
        return x.numpy()
    if isinstance(x, Tensor):
        return x.data
    return x


def same(a, b):
    if isinstance(b, torch.Tensor):  # torch's Tensors are ours (default_collate makes Tensors of arrays and numbers)
        assert isinstance(a, Tensor), f"{type(a).__name__} where torch gives a Tensor"
    a, b = as_np(a), as_np(b)
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for u, v in zip(a, b):
            same(u, v)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same(a[k], b[k])
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, (a.dtype, b.dtype)
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


class Squares(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"x": np.array([i, i * i], dtype=np.float32), "label": i % 2, "w": float(i), "name": f"s{i}"}


class TSquares(tdata.Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"x": np.array([i, i * i], dtype=np.float32), "label": i % 2, "w": float(i), "name": f"s{i}"}


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (10, False), (4, True)])
def test_tensor_dataset_batches_like_torch(batch_size, drop_last):
    ours = DataLoader(TensorDataset(Tensor(X), Y), batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(tdata.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=batch_size,
                              drop_last=drop_last)
    assert len(ours) == len(theirs)
    got, ref = list(ours), list(theirs)
    assert len(got) == len(ref)
    for (xb, yb), (tx, ty) in zip(got, ref):
        assert isinstance(xb, Tensor) and isinstance(yb, Tensor)  # torch's TensorDataset gives Tensors
        same([xb, yb], [tx, ty])


def test_custom_dataset_default_collate_like_torch():
    for bs in (1, 3, None):
        got = list(DataLoader(Squares(), batch_size=bs))
        ref = list(tdata.DataLoader(TSquares(), batch_size=bs))
        assert len(got) == len(ref)
        for a, b in zip(got, ref):
            same(a, b)


def test_default_collate_cases_match_torch():
    Point = namedtuple("Point", "x y")
    cases = [
        [(1, 2.0), (3, 4.0)],
        [[1, 2], [3, 4]],
        [{"a": 1, "b": [1, 2]}, {"a": 2, "b": [3, 4]}],
        [np.array([1, 2]), np.array([3, 4])],
        [True, False],
        [np.float32(1), np.float32(2)],
        ["a", "b"],
    ]
    for batch in cases:
        same(default_collate(batch), tdata.default_collate(batch))
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(p) is Point and p.x.dtype == np.int64
    t = default_collate([Tensor(np.ones(2)), Tensor(np.zeros(2))])
    assert isinstance(t, Tensor) and t.shape == (2, 2)


def test_shuffle_is_a_permutation_repeatable_by_seed_and_new_each_epoch():
    def epochs(**kw):
        loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True, **kw)
        return [np.concatenate([xb[:, 0] / 3 for xb, _ in loader]) for _ in range(2)]

    a, b = epochs(generator=np.random.default_rng(5)), epochs(generator=np.random.default_rng(5))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], a[1]) and sorted(a[0].tolist()) == list(range(10))
    np.testing.assert_array_equal(epochs(seed=3)[0], epochs(generator=3)[0])
    for xb, yb in DataLoader(TensorDataset(X, Y), batch_size=3, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb[:, 0] / 3 % 3, yb)  # rows stay paired with their targets


def test_positional_torch_signature_collate_fn_samplers_and_splits():
    ds = TensorDataset(X, Y)
    assert [len(b[0]) for b in DataLoader(ds, 4)] == [4, 4, 2]  # batch_size positional, as in torch
    assert len(DataLoader(ds, 4, False, drop_last=True)) == 2
    sizes = list(DataLoader(ds, batch_size=4, collate_fn=lambda samples: len(samples)))
    assert sizes == [4, 4, 2]
    got = [b[1].tolist() for b in DataLoader(ds, batch_size=2, sampler=[9, 8, 7])]
    assert got == [[0, 2], [1]]
    got = [b[1].tolist() for b in DataLoader(ds, batch_sampler=[[0, 1], [5]])]
    assert got == [[0, 1], [2]]
    a, b = nn.data.random_split(ds, [0.7, 0.3], generator=0)
    assert len(a) == 7 and len(b) == 3 and sorted(a.indices + b.indices) == list(range(10))
    both = ds + ds
    assert len(both) == 20 and both[12][1] == Y[2]


def test_array_api_unchanged():
    assert [len(xb) for xb, _ in nn.DataLoader(X, Y)] == [10]
    assert [len(xb) for xb, _ in nn.DataLoader(X, Y, 4)] == [4, 4, 2]
    xb, yb = next(iter(nn.DataLoader(X, Y, batch_size=3)))
    assert isinstance(xb, np.ndarray) and xb.shape == (3, 3) and yb.tolist() == [0, 1, 2]


def test_bad_input():
    with pytest.raises(ValueError, match=r"size mismatch between tensors: first axes of \[10, 9\]"):
        TensorDataset(X, Y[:9])
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        DataLoader(TensorDataset(X), batch_size=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'batchsize'; did you mean 'batch_size'"):
        DataLoader(TensorDataset(X), batchsize=2)
    with pytest.raises(ValueError, match="sampler and shuffle=True exclude each other"):
        DataLoader(TensorDataset(X), sampler=[0], shuffle=True)
    with pytest.raises(RuntimeError, match=r"samples have different shapes \[\(2,\), \(3,\)\].*collate_fn"):
        default_collate([np.ones(2), np.ones(3)])
    with pytest.raises(TypeError, match="found NoneType; pass collate_fn"):
        default_collate([None, None])
    with pytest.raises(ValueError, match="random_split: lengths \\[3, 3\\] must be non-negative ints summing to"):
        nn.data.random_split(TensorDataset(X), [3, 3])
    with pytest.raises(TypeError, match=r"collate_fn= works on a dataset, but got arrays; wrap them"):
        DataLoader(X, Y, collate_fn=list)
    with pytest.raises(TypeError, match="collate_fn must be a function"):
        DataLoader(TensorDataset(X), collate_fn=3)


def test_iterable_dataset_batches_the_stream_like_torch():
    from nn.data import IterableDataset

    def make(base):
        class Stream(base):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                for i in range(self.n):
                    yield np.array([i, i * i], dtype=np.float64), i % 2

        return Stream

    Ours, Theirs = make(IterableDataset), make(tdata.IterableDataset)
    for kw in (dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None), dict(batch_size=7)):
        got, ref = list(DataLoader(Ours(7), **kw)), list(tdata.DataLoader(Theirs(7), **kw))
        assert len(got) == len(ref)
        for a, b in zip(got, ref):
            same(a, b)
    assert isinstance(Ours(3), nn.Dataset) and nn.IterableDataset is IterableDataset
    with pytest.raises(ValueError, match="IterableDataset takes no shuffle"):
        DataLoader(Ours(3), batch_size=2, shuffle=True)
    with pytest.raises(TypeError, match="without __len__"):
        len(DataLoader(Ours(3), batch_size=2))
    with pytest.raises(TypeError, match="iterate over it"):
        Ours(3)[0]
