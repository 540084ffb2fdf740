"""``History.plot`` and ``nn.plot_decision_boundary``: what they draw, on the Agg backend."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import optim

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

pytestmark = pytest.mark.numpy_only


def _moons():
    X, y = nn.datasets.make_moons(120, noise=0.1, seed=0)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1, 1)


def _trained():
    X, y = _moons()
    model = nn.MLP(2, [8, 1], activation="tanh", seed=0)
    model.double()
    history = nn.fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05), X, y, epochs=8,
                     batch_size=32, validation_data=(X[:30], y[:30]), progress=False, seed=0)
    return model, history, X, y


def test_history_plot_draws_train_and_validation_curves():
    _, history, _, _ = _trained()
    ax = history.plot()
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["train loss", "validation loss"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), history["loss"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "train accuracy" in legend and "validation accuracy" in legend
    plt.close("all")


def test_history_plot_without_training_is_a_clear_error():
    with pytest.raises(ValueError, match="no 'loss' entries yet"):
        nn.History().plot()
    h = nn.History(loss=[1.0, 0.5])
    with pytest.raises(ValueError, match="no 'f1' entries"):
        h.plot(metric="f1")


def test_decision_boundary_colours_the_plane_by_the_model():
    model, _, X, y = _trained()
    fig, ax = plt.subplots()
    out = nn.plot_decision_boundary(model, X, y, ax=ax, resolution=40, X_test=X[:10], y_test=y[:10], title="moons")
    assert out is ax and ax.get_title() == "moons"
    assert len(ax.collections) >= 3  # filled contours, the boundary line, the points
    xx, yy, scores = nn.plot.decision_grid(model, X, resolution=40)
    assert xx.shape == yy.shape == (40, 40) and scores.shape == (40, 40, 1)
    assert xx.min() < X[:, 0].min() and xx.max() > X[:, 0].max()
    assert scores.min() < 0 < scores.max()  # the boundary crosses the plane
    plt.close("all")


def test_decision_boundary_multiclass_and_scalar_mode():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 2))
    model = nn.MLP(2, [4, 3], seed=0)
    ax = nn.plot_decision_boundary(model, X, rng.integers(0, 3, 30), resolution=20)
    assert ax.collections
    tiny = nn.MLP(2, [2, 1], mode="scalar", seed=0)
    xx, yy, scores = nn.plot.decision_grid(tiny, X, resolution=5)
    assert scores.shape == (5, 5, 1)
    plt.close("all")


@pytest.mark.parametrize("X, match", [(np.zeros((5, 3)), r"shape \(n, 2\)"), (np.zeros(5), r"shape \(n, 2\)")])
def test_decision_boundary_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        nn.plot_decision_boundary(nn.MLP(2, [1]), X)
    with pytest.raises(ValueError, match="resolution must be an integer"):
        nn.plot.decision_grid(nn.MLP(2, [1]), np.zeros((3, 2)), resolution=1)
