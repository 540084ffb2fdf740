"""Data: loader batching and shuffling, train/test split, scalers fitted on training data, datasets."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import nn
from nn import datasets

pytestmark = pytest.mark.numpy_only  # numpy only: no kernels involved

X10 = np.arange(20.0).reshape(10, 2)
Y10 = np.arange(10)


def test_loader_full_batch_stochastic_and_mini_batches():
    assert [len(xb) for xb, _ in nn.DataLoader(X10, Y10)] == [10]
    assert [len(xb) for xb, _ in nn.DataLoader(X10, Y10, batch_size=1)] == [1] * 10
    loader = nn.DataLoader(X10, Y10, batch_size=4)
    assert len(loader) == 3 and [len(xb) for xb, _ in loader] == [4, 4, 2]
    dropped = nn.DataLoader(X10, Y10, batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(xb) for xb, _ in dropped] == [4, 4]
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb[:, 0] / 2, yb)  # rows stay paired with their targets
    assert [len(b) for b in nn.DataLoader(X10, batch_size=6)] == [6, 4]  # X alone


def test_loader_shuffles_repeatably_and_differently_each_epoch():
    def epochs(seed):
        loader = nn.DataLoader(X10, Y10, batch_size=3, shuffle=True, seed=seed)
        return [np.concatenate([yb for _, yb in loader]) for _ in range(2)]

    a, b = epochs(0), epochs(0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], a[1])
    assert sorted(a[0].tolist()) == list(range(10))


def test_loader_bad_input():
    with pytest.raises(ValueError, match="X has 10 rows but y has 9 entries"):
        nn.DataLoader(X10, Y10[:9])
    with pytest.raises(ValueError, match="X is empty"):
        nn.DataLoader(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        nn.DataLoader(X10, Y10, batch_size=0)
    with pytest.raises(ValueError, match="drop_last=True leaves no batch"):
        nn.DataLoader(X10, Y10, batch_size=11, drop_last=True)


def test_train_test_split_sizes_disjoint_and_stratified():
    X, y = datasets.make_blobs(200, centers=4, seed=0)
    Xtr, Xte, ytr, yte = nn.train_test_split(X, y, test_size=0.25, seed=1)
    assert len(Xtr) == 150 and len(Xte) == 50
    rows = {tuple(r) for r in Xtr} | {tuple(r) for r in Xte}
    assert len(rows) == 200
    again = nn.train_test_split(X, y, test_size=0.25, seed=1)
    np.testing.assert_array_equal(again[1], Xte)
    _, _, ytr, yte = nn.train_test_split(X, y, test_size=0.2, seed=2, stratify=True)
    assert np.bincount(yte).tolist() == [10, 10, 10, 10]
    assert len(nn.train_test_split(X, y, test_size=30)[1]) == 30
    for bad in (0, 1.0, 200, 0.0):
        with pytest.raises(ValueError, match="test_size"):
            nn.train_test_split(X, y, test_size=bad)
    with pytest.raises(ValueError, match="X has 200 rows but y has 10"):
        nn.train_test_split(X, y[:10])


def test_standard_scaler_uses_training_statistics_only():
    train = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]])
    test = np.array([[8.0, 6.0]])
    sc = nn.StandardScaler().fit(train)
    np.testing.assert_allclose(sc.transform(train).mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(sc.transform(test), [[(8 - 2) / np.std([0, 2, 4]), 1.0]])  # constant column: std 1
    np.testing.assert_allclose(sc.inverse_transform(sc.transform(test)), test)
    with pytest.raises(ValueError, match="X has 3 features but the scaler was fitted on 2"):
        sc.transform(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="call fit"):
        nn.StandardScaler().transform(train)
    with pytest.raises(ValueError, match="NaN"):
        nn.StandardScaler().fit(np.array([[np.nan, 1.0]]))


def test_min_max_scaler():
    train = np.array([[0.0, -1.0], [10.0, 1.0]])
    sc = nn.MinMaxScaler().fit(train)
    np.testing.assert_allclose(sc.transform([[5.0, 0.0], [20.0, 3.0]]), [[0.5, 0.5], [2.0, 2.0]])
    sc2 = nn.MinMaxScaler((-1, 1)).fit(train)
    np.testing.assert_allclose(sc2.transform(train), [[-1, -1], [1, 1]])
    np.testing.assert_allclose(sc2.inverse_transform(sc2.transform(train)), train)
    with pytest.raises(ValueError, match="low < high"):
        nn.MinMaxScaler((1, 0))


@pytest.mark.parametrize("make", [datasets.make_moons, datasets.make_circles, datasets.make_spirals,
                                  datasets.make_xor, datasets.make_blobs])
def test_generated_classification_sets(make):
    X, y = make(101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.shape == (101,) and y.dtype == np.int64
    assert y.min() == 0 and len(np.unique(y)) >= 2
    X2, y2 = make(101, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(101, seed=4)[0], X)


def test_generated_sets_bad_arguments():
    with pytest.raises(ValueError, match="n_samples must be an int"):
        datasets.make_moons(0)
    with pytest.raises(ValueError, match="noise is a standard deviation"):
        datasets.make_circles(10, noise=-1)
    with pytest.raises(ValueError, match="n_classes must be an int >= 2"):
        datasets.make_spirals(10, n_classes=1)


def test_blobs_are_linearly_separable():
    for seed in range(20):
        X, y = datasets.make_blobs(300, centers=2, cluster_std=2.0, seed=seed)
        c0, c1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
        # the clipped construction keeps every point strictly on its own side of some hyperplane;
        # check with the perceptron rule, which stops only once every point is classified correctly
        p = nn.Perceptron(2, seed=0)
        assert p.learn(X, y, max_epochs=1000)[-1] == 0, (seed, c0, c1)


def test_regression_set():
    X, y = datasets.make_regression(50, n_features=3, noise=0.0, seed=0)
    assert X.shape == (50, 3) and y.shape == (50,)
    A = np.c_[X, np.ones(50)]
    coef, res, *_ = np.linalg.lstsq(A, y, rcond=None)
    assert np.allclose(A @ coef, y) and coef[-1] == pytest.approx(0.5)


def test_sklearn_sets():
    pytest.importorskip("sklearn")
    for load, shape, k in [(datasets.load_digits, (1797, 64), 10), (datasets.load_iris, (150, 4), 3),
                           (datasets.load_breast_cancer, (569, 30), 2), (datasets.load_wine, (178, 13), 3)]:
        X, y = load()
        assert X.shape == shape and X.dtype == np.float64 and len(np.unique(y)) == k and y.dtype == np.int64


def test_missing_sklearn_gives_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` raise ImportError
    with pytest.raises(ImportError, match=r"pip install scikit-learn"):
        datasets.load_digits()
