"""Training: fit/Trainer, history, progress bar, early stopping, the demo, and the quality bars."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import optim
from nn import datasets
from nn import functional as F


def moons(n=200, seed=0):
    X, y = datasets.make_moons(n, noise=0.1, seed=seed)
    Xtr, Xte, ytr, yte = nn.train_test_split(X, y, test_size=0.25, seed=seed)
    sc = nn.StandardScaler().fit(Xtr)
    return sc.transform(Xtr), sc.transform(Xte), ytr, yte


def test_fit_returns_history_and_learns():
    Xtr, Xte, ytr, yte = moons()
    model = nn.MLP(2, [16, 16, 1], seed=0)
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = optim.StepLR(opt, step_size=10, gamma=0.5)
    h = nn.fit(model, nn.BCEWithLogitsLoss(), opt, Xtr, ytr, epochs=30, batch_size=16, seed=0,
               validation_data=(Xte, yte), scheduler=sched, progress=False)
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} and h.epochs == 30
    assert h["loss"][-1] < h["loss"][0] and h["val_accuracy"][-1] >= 0.95
    assert h["lr"][0] == 0.02 and h["lr"][-1] == pytest.approx(0.005)
    assert model.training  # left in training mode


def test_fit_is_repeatable_with_a_seed():
    Xtr, _, ytr, _ = moons()

    def run():
        model = nn.MLP(2, [8, 1], seed=3)
        return nn.fit(model, "bce_with_logits", optim.SGD(model.parameters(), lr=0.1, momentum=0.9), Xtr, ytr,
                      epochs=3, seed=5, progress=False)["loss"]

    assert run() == run()


def test_progress_bar_shows_epoch_loss_and_accuracy(capsys):
    Xtr, _, ytr, _ = moons(60)
    model = nn.MLP(2, [4, 1], seed=0)
    nn.fit(model, "bce_with_logits", optim.Adam(model.parameters(), lr=0.01), Xtr, ytr, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err and "acc=" in err


def test_evaluate_and_predict_run_in_eval_mode_without_graph():
    Xtr, Xte, ytr, yte = moons(80)
    model = nn.MLP(2, [8, 1], dropout=0.5, seed=0)
    trainer = nn.Trainer(model, "bce_with_logits", optim.Adam(model.parameters(), lr=0.01), progress=False)
    a = trainer.predict(Xte)
    b = trainer.predict(Xte)
    np.testing.assert_array_equal(a, b)  # dropout off
    assert a.shape == (len(Xte), 1) and model.training
    result = trainer.evaluate(Xte, yte)
    assert set(result) == {"loss", "accuracy"} and 0 <= result["accuracy"] <= 1


def test_early_stopping_stops_and_restores_the_best_weights():
    Xtr, Xte, ytr, yte = moons(120)
    model = nn.MLP(2, [32, 32, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=2.0)  # far too large: the validation loss soon stops improving
    stopper = nn.EarlyStopping(patience=2)
    h = nn.fit(model, "bce_with_logits", opt, Xtr, ytr, epochs=200, batch_size=8, seed=0,
               validation_data=(Xte, yte), early_stopping=stopper, progress=False)
    assert h.stopped_early and h.epochs < 200
    assert h.best_epoch == int(np.argmin(h["val_loss"]))
    restored = nn.Trainer(model, "bce_with_logits", opt).evaluate(Xte, yte)["loss"]
    assert restored == pytest.approx(h["val_loss"][h.best_epoch], rel=1e-12)


def test_regression_has_no_accuracy():
    X, y = datasets.make_regression(64, n_features=2, noise=0.05, seed=0)
    model = nn.Linear(2, 1, seed=0)
    h = nn.fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), X, y.reshape(-1, 1), epochs=30,
               batch_size=16, progress=False)
    assert "accuracy" not in h and h["loss"][-1] < 0.01


@pytest.mark.numpy_only
def test_fit_in_scalar_mode():
    Xtr, _, ytr, _ = moons(40)
    model = nn.MLP(2, [4, 1], seed=0, mode="scalar")
    h = nn.fit(model, "hinge", optim.SGD(model.parameters(), lr=0.1), Xtr, ytr * 2 - 1, epochs=3, batch_size=20,
               progress=False)
    assert len(h["loss"]) == 3 and 0 <= h["accuracy"][-1] <= 1


@pytest.mark.numpy_only
def test_bad_input_to_fit():
    X, y = datasets.make_blobs(30, centers=3, n_features=4, seed=0)
    model = nn.MLP(3, [5, 3], seed=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    with pytest.raises(ValueError, match="expected inputs with 3 features.*got 4"):
        nn.fit(model, "cross_entropy", opt, X, y, progress=False)
    model = nn.MLP(4, [5, 2], seed=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"labels must be in \[0, 1\] for 2 classes, found \[2\]"):
        nn.fit(model, "cross_entropy", opt, X, y, batch_size=None, progress=False)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])  # the failing step changed nothing
    with pytest.raises(ValueError, match="X has 30 rows but y has 29"):
        nn.fit(model, "cross_entropy", opt, X, y[:-1], progress=False)
    with pytest.raises(ValueError, match="X is empty"):
        nn.fit(model, "cross_entropy", opt, X[:0], y[:0], progress=False)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        nn.fit(model, "cross_entropy", opt, X, y, epochs=0, progress=False)


@pytest.mark.numpy_only
def test_accuracy_helper():
    assert nn.accuracy(np.array([[2.0, 1.0], [0.0, 3.0]]), [0, 0]) == 0.5
    assert nn.accuracy(np.array([[2.0, 1.0]]), np.array([[1.0, 0.0]])) == 1.0
    assert nn.accuracy(np.array([0.3, -0.2]), [1, 0]) == 1.0
    assert nn.accuracy(np.array([0.3, -0.2]), [1, 1], threshold=0.5) == 0.0
    assert nn.accuracy(np.array([0.3, -0.2]), [1, -1]) == 1.0


@pytest.mark.numpy_only
def test_demo_runs_quickly_and_prints_held_out_accuracy(capsys, tmp_path):
    from nn import demo

    assert demo.main(["--quick", "--epochs", "5", "--no-progress", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Held-out accuracy:" in out and "scalar mode" in out and "one per weight" in out
    assert "agree" in out


# ---------------------------------------------------------------- quality bars


@pytest.mark.slow
@pytest.mark.numpy_only
def test_digits_mlp_reaches_97_percent():
    pytest.importorskip("sklearn")
    X, y = datasets.load_digits()
    Xtr, Xte, ytr, yte = nn.train_test_split(X, y, test_size=0.25, seed=1, stratify=True)
    sc = nn.StandardScaler().fit(Xtr)
    Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    model = nn.MLP(64, [128, 10], activation="relu", seed=1)
    trainer = nn.Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3), progress=False)
    trainer.fit(Xtr, ytr, epochs=20, batch_size=32, seed=1)
    assert trainer.evaluate(Xte, yte)["accuracy"] >= 0.97


@pytest.mark.slow
@pytest.mark.numpy_only
def test_breast_cancer_logistic_neuron_reaches_95_percent():
    pytest.importorskip("sklearn")
    X, y = datasets.load_breast_cancer()
    Xtr, Xte, ytr, yte = nn.train_test_split(X, y, test_size=0.25, seed=0, stratify=True)
    sc = nn.StandardScaler().fit(Xtr)
    Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    model = nn.Neuron(30, seed=0)  # logistic regression: sigmoid lives in the loss
    trainer = nn.Trainer(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=1e-2), progress=False)
    trainer.fit(Xtr, ytr, epochs=30, batch_size=32, seed=0)
    assert trainer.evaluate(Xte, yte)["accuracy"] >= 0.95


def micrograd_moons(mode: str, steps: int = 100) -> float:
    """micrograd's demo: MLP 2-16-16-1, weights U(-1, 1), hinge loss + 1e-4 L2, SGD with lr 1 - 0.9 k / 100."""
    X, y = datasets.make_moons(100, noise=0.1, seed=0)
    y = y * 2 - 1
    model = nn.MLP(2, [16, 16, 1], mode=mode, init="uniform", seed=0)
    opt = optim.SGD(model.parameters(), lr=1.0)
    sched = optim.LambdaLR(opt, lambda k: 1.0 - 0.9 * k / 100)
    for _ in range(steps):
        loss = F.hinge_loss(model(X), y.reshape(-1, 1)) + 1e-4 * F.l2_penalty(model.parameters())
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return nn.accuracy(model(X), y)


def test_micrograd_moons_setup_in_tensor_mode():
    assert micrograd_moons("tensor") == 1.0


@pytest.mark.slow
@pytest.mark.numpy_only
def test_micrograd_moons_setup_in_scalar_mode_reaches_100_percent():
    assert micrograd_moons("scalar") == 1.0
