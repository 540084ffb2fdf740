"""Datasets as ``(X, y)`` numpy arrays: generated ones (no download) and scikit-learn's bundled ones.

Generated sets take ``n_samples``, ``noise`` and ``seed`` (the same seed gives
the same data). Class labels are int64 from 0; X is float64 of shape (n, d).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from .init import rng_from

SKLEARN_HINT = "pip install scikit-learn"


def _count(n: Any, where: str, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{where}: n_samples must be an int >= {minimum}, got {n!r}")
    return int(n)


def _noise(noise: Any, where: str) -> float:
    if isinstance(noise, bool) or not isinstance(noise, Real) or noise < 0:
        raise ValueError(f"{where}: noise is a standard deviation and must be a number >= 0, got {noise!r}")
    return float(noise)


def _split(n: int, k: int) -> list[int]:
    """n samples over k classes as evenly as possible."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (class 0 on top, class 1 below), with Gaussian noise."""
    n = _count(n_samples, "make_moons", 2)
    noise = _noise(noise, "make_moons")
    rng = rng_from(seed)
    n0, n1 = _split(n, 2)
    a = np.linspace(0, np.pi, n0)
    b = np.linspace(0, np.pi, n1)
    X = np.concatenate([np.c_[np.cos(a), np.sin(a)], np.c_[1 - np.cos(b), 0.5 - np.sin(b)]])
    y = np.r_[np.zeros(n0, np.int64), np.ones(n1, np.int64)]
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_circles(n_samples: int = 100, noise: float = 0.05, factor: float = 0.5,
                 seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1, radius ``factor``) inside a unit circle (class 0)."""
    n = _count(n_samples, "make_circles", 2)
    noise = _noise(noise, "make_circles")
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor (inner radius / outer radius) must be in (0, 1), got {factor!r}")
    rng = rng_from(seed)
    n0, n1 = _split(n, 2)
    a = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    b = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X = np.concatenate([np.c_[np.cos(a), np.sin(a)], factor * np.c_[np.cos(b), np.sin(b)]])
    y = np.r_[np.zeros(n0, np.int64), np.ones(n1, np.int64)]
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, turns: float = 1.0,
                 seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms from the origin outwards (angles jittered by ``noise``)."""
    n = _count(n_samples, "make_spirals", 2)
    noise = _noise(noise, "make_spirals")
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"make_spirals: n_classes must be an int >= 2, got {n_classes!r}")
    rng = rng_from(seed)
    xs, ys = [], []
    for c, m in enumerate(_split(n, int(n_classes))):
        r = np.linspace(0.05, 1.0, m)
        t = np.linspace(0, 2 * np.pi * turns, m) + 2 * np.pi * c / n_classes + noise * rng.standard_normal(m)
        xs.append(np.c_[r * np.cos(t), r * np.sin(t)])
        ys.append(np.full(m, c, dtype=np.int64))
    X, y = np.concatenate(xs), np.concatenate(ys)
    order = rng.permutation(n)
    return X[order], y[order]


def make_xor(n_samples: int = 200, noise: float = 0.0, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Points in [-1, 1]^2 labelled 1 where exactly one coordinate is positive (not linearly separable)."""
    n = _count(n_samples, "make_xor")
    noise = _noise(noise, "make_xor")
    rng = rng_from(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y


def make_blobs(n_samples: int = 100, centers: int = 2, n_features: int = 2, cluster_std: float = 0.5,
               spread: float = 3.0, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters around ``centers`` points that never overlap: two classes are always linearly separable.

    Centres are drawn in a box of half-width ``spread``; every point is kept within
    a ball of radius 0.45 x (the smallest distance between centres) of its own
    centre, so each class lies strictly on its side of the bisecting hyperplane.
    """
    n = _count(n_samples, "make_blobs")
    if isinstance(centers, bool) or not isinstance(centers, (int, np.integer)) or centers < 1:
        raise ValueError(f"make_blobs: centers must be a positive int, got {centers!r}")
    if isinstance(n_features, bool) or not isinstance(n_features, (int, np.integer)) or n_features < 1:
        raise ValueError(f"make_blobs: n_features must be a positive int, got {n_features!r}")
    std = _noise(cluster_std, "make_blobs")
    rng = rng_from(seed)
    k, d = int(centers), int(n_features)
    c = rng.uniform(-spread, spread, size=(k, d))
    for _ in range(100):  # redraw until the centres are not too close
        dist = np.linalg.norm(c[:, None] - c[None], axis=-1) + np.eye(k) * 1e9
        if k == 1 or dist.min() > spread / 2:
            break
        c = rng.uniform(-spread, spread, size=(k, d))
    dmin = float(dist.min()) if k > 1 else np.inf
    counts = _split(n, k)
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    offsets = std * rng.standard_normal((n, d))
    radius = 0.45 * dmin
    norms = np.linalg.norm(offsets, axis=1, keepdims=True)
    offsets = np.where(norms > radius, offsets * (radius / np.maximum(norms, 1e-300)), offsets)
    X = c[y] + offsets
    order = rng.permutation(n)
    return X[order], y[order]


def make_regression(n_samples: int = 100, n_features: int = 1, noise: float = 0.1, bias: float = 0.5,
                    seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """y = X w + bias + noise with X standard normal and w drawn from N(0, 1); y has shape (n,)."""
    n = _count(n_samples, "make_regression")
    noise = _noise(noise, "make_regression")
    if isinstance(n_features, bool) or not isinstance(n_features, (int, np.integer)) or n_features < 1:
        raise ValueError(f"make_regression: n_features must be a positive int, got {n_features!r}")
    rng = rng_from(seed)
    X = rng.standard_normal((n, int(n_features)))
    w = rng.standard_normal(int(n_features))
    return X, X @ w + bias + noise * rng.standard_normal(n)


# ------------------------------------------------------ scikit-learn's bundled sets


def _sklearn_datasets(name: str) -> Any:
    try:
        from sklearn import datasets
    except ImportError as exc:
        raise ImportError(
            f"{name} needs scikit-learn, which ships this dataset; install it with `{SKLEARN_HINT}` "
            "(or use a generated dataset such as make_moons, which needs nothing)"
        ) from exc
    return datasets


def _bundled(name: str, loader: str) -> tuple[np.ndarray, np.ndarray]:
    data = getattr(_sklearn_datasets(name), loader)()
    return np.asarray(data.data, dtype=np.float64), np.asarray(data.target, dtype=np.int64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """8x8 images of handwritten digits flattened to 64 features (0-16), 10 classes, 1797 samples."""
    return _bundled("load_digits", "load_digits")


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Iris flowers: 4 measurements, 3 species, 150 samples."""
    return _bundled("load_iris", "load_iris")


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """Breast cancer (Wisconsin): 30 features, 2 classes (0 malignant, 1 benign), 569 samples."""
    return _bundled("load_breast_cancer", "load_breast_cancer")


def load_wine() -> tuple[np.ndarray, np.ndarray]:
    """Wine: 13 chemical measurements, 3 cultivars, 178 samples."""
    return _bundled("load_wine", "load_wine")
