"""The playground without a browser: every setting (checked, and doing what it says), the run, the pictures,
back-propagation shown, export; then the server over its websocket, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import Value
from nn.playground import DEFAULTS, SPEC, Session, SettingError, validate
from nn.playground import recipe
from nn.playground.settings import FEATURES

ROOT = Path(__file__).resolve().parent.parent
# starlette's TestClient asks for httpx2 where only httpx is installed; the client works the same
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`:Warning")


def weights_of(s: Session) -> dict:
    return {k: v.copy() for k, v in s.run.model.state_dict().items()}


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# ------------------------------------------------------------------ settings: checks
GOOD = {
    "dataset": ["moons", "spirals", "xor", "blobs", "gaussian", "circles"],
    "noise": [0.0, 0.25, 0.5],
    "n_samples": [20, 1000],
    "train_ratio": [0.1, 0.9],
    "features": [["x1"], ["x1sq", "x2sq"], list(FEATURES)],
    "hidden": [[], [8] * 6, [1, 3]],
    "activation": ["step", "sigmoid", "tanh", "relu", "leaky_relu", "elu"],
    "mode": ["tensor", "scalar"],
    "loss": ["mse", "cross_entropy", "hinge"],
    "optimizer": ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
    "lr": [1e-5, 0.5, 10],
    "momentum": [0.0, 0.5, 0.999],
    "beta1": [0.0, 0.8],
    "beta2": [0.9, 0.9999],
    "alpha": [0.0, 0.9],
    "descent": ["batch", "stochastic", "minibatch"],
    "batch_size": [1, 1000],
    "regularization": ["none", "l1", "l2"],
    "reg_rate": [0.0, 10.0],
    "dropout": [0.0, 0.9],
    "seed": [0, 2**31 - 1],
}
BAD = {
    "dataset": ["iris", "", 3, None],
    "noise": [-0.1, 0.6, "lots", float("nan")],
    "n_samples": [0, 19, 1001, 50.5, 10**9],
    "train_ratio": [0.0, 1.0, -1],
    "features": [[], ["x3"], "x1", [1], ["__import__('os').system('x')"]],
    "hidden": [[10000], [0], [4] * 7, "4,2", [2.5], [True]],
    "activation": ["softmax", "gelu", "lambda x: x", ["tanh"]],
    "mode": ["fast", True],
    "loss": ["nll", "MSE", None],
    "optimizer": ["adamw", "lbfgs", {"type": "sgd"}],
    "lr": [-0.1, 0, 11, float("inf"), "1e-2; rm -rf /", True],
    "momentum": [-0.5, 1.0, 2],
    "beta1": [1.0, -0.1],
    "beta2": [1.0, 2],
    "alpha": [1.0, -1],
    "descent": ["full", 1],
    "batch_size": [0, -5, 1001, 2.5],
    "regularization": ["l3", "L2"],
    "reg_rate": [-1e-3, 11],
    "dropout": [-0.1, 1.0, 0.95],
    "seed": [-1, 2**31, 1.5],
}


def test_the_table_covers_every_setting() -> None:
    assert set(GOOD) == set(SPEC) == set(BAD) == set(DEFAULTS)
    assert validate({}) == DEFAULTS


@pytest.mark.parametrize("name", sorted(SPEC))
def test_each_setting_accepts_its_range(name: str) -> None:
    for value in GOOD[name]:
        s = validate({name: value})
        assert s[name] == (value if not isinstance(value, list) else [v for v in value])
        assert {k: v for k, v in s.items() if k != name} == {k: v for k, v in DEFAULTS.items() if k != name}


@pytest.mark.parametrize("name", sorted(SPEC))
def test_each_setting_rejects_what_is_not_offered(name: str) -> None:
    label = SPEC[name][3]
    for value in BAD[name]:
        with pytest.raises(SettingError, match=label.split()[0]):
            validate({name: value})


def test_numbers_typed_as_text_are_read_and_checked() -> None:
    assert validate({"lr": " 0.5 "})["lr"] == 0.5
    with pytest.raises(SettingError, match="learning rate must be between 1e-05 and 10, got -1"):
        validate({"lr": "-1"})


def test_unknown_names_and_shapes_are_refused() -> None:
    with pytest.raises(SettingError, match="unknown setting 'exec'"):
        validate({"exec": "print(1)"})
    with pytest.raises(SettingError, match=r"settings must be sent as \{name: value\}"):
        validate(["lr", 1])
    with pytest.raises(SettingError, match="setting names are text"):
        validate({1: 2})
    assert validate({"features": ["x2", "x1", "x1"]})["features"] == ["x1", "x2"]  # each once, in order


def test_a_rejected_change_leaves_the_run_as_it_was() -> None:
    s = Session()
    s.step(5)
    before, settings, steps = weights_of(s), dict(s.settings), s.run.steps
    for change in ({"lr": -1}, {"hidden": [10000]}, {"batch_size": 0}, {"optimizer": "nesterov", "momentum": 0.0},
                   {"dataset": "moons", "noise": 3}):
        with pytest.raises(SettingError, match="continues unchanged|not offered"):
            s.update(change)
        assert s.settings == settings and s.run.steps == steps and same_weights(weights_of(s), before)
    s.step(1)
    assert s.run.steps == steps + 1


# ------------------------------------------------------------------ settings: effects
def run_with(**changes) -> recipe.Run:
    return recipe.Run(validate(changes))


def test_dataset_noise_points_and_split() -> None:
    pts = {d: run_with(dataset=d).points for d in SPEC["dataset"][1]}
    names = list(pts)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            assert not np.allclose(pts[names[i]], pts[names[j]])
    for p in pts.values():
        assert np.abs(p).max() == pytest.approx(recipe.RADIUS)
    clean, noisy = run_with(dataset="circles", noise=0.0), run_with(dataset="circles", noise=0.3)
    r0 = np.hypot(*clean.points.T)
    assert len(np.unique(np.round(r0, 6))) == 2  # no noise: exactly two radii
    assert np.std(np.hypot(*noisy.points.T)[noisy.labels == 0]) > 0.1
    r = run_with(n_samples=200, train_ratio=0.25)
    assert len(r.points) == 200 and len(r.X_train) == 50 and len(r.X_test) == 150
    assert set(np.unique(r.labels)) == {0, 1}


def test_features_are_the_named_functions_of_the_point() -> None:
    r = run_with(features=list(FEATURES))
    x1, x2 = r.X_train_points.T
    expected = np.stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    np.testing.assert_allclose(r.X_train, expected)
    assert run_with(features=["x2sq"]).X_train.shape[1] == 1
    assert r.model[0].in_features == 7


def test_network_shape_activation_mode_dropout() -> None:
    r = run_with(hidden=[3, 5], activation="elu", dropout=0.25)
    linears = [m for m in r.model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(2, 3), (3, 5), (5, 1)]
    assert sum(isinstance(m, nn.ELU) for m in r.model) == 2
    assert [m.p for m in r.model if isinstance(m, nn.Dropout)] == [0.25, 0.25]
    for name, cls in [("step", nn.Step), ("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh), ("relu", nn.ReLU),
                      ("leaky_relu", nn.LeakyReLU)]:
        assert isinstance(run_with(activation=name).model[1], cls)
    assert len(run_with(hidden=[]).model) == 1  # no hidden layer: one Linear, a linear classifier
    scalar = run_with(mode="scalar")
    assert all(type(v) is Value for v in scalar.model.parameters())
    assert isinstance(run_with(mode="tensor").model.parameters()[0], autograd.Tensor)


def test_scalar_and_tensor_mode_train_to_the_same_numbers() -> None:
    a, b = run_with(mode="tensor", n_samples=40), run_with(mode="scalar", n_samples=40)
    for _ in range(5):
        la, lb = a.step(), b.step()
        assert la == pytest.approx(lb, rel=1e-9)
    for k, v in a.model.state_dict().items():
        np.testing.assert_allclose(v, b.model.state_dict()[k], rtol=1e-9)


def test_loss_and_targets() -> None:
    ce, mse, hinge = run_with(loss="cross_entropy"), run_with(loss="mse"), run_with(loss="hinge")
    assert isinstance(ce.loss_fn, nn.BCEWithLogitsLoss) and set(np.unique(ce.t_train)) == {0.0, 1.0}
    assert isinstance(mse.loss_fn, nn.MSELoss) and set(np.unique(mse.t_train)) == {-1.0, 1.0}
    assert isinstance(hinge.loss_fn, nn.HingeLoss) and set(np.unique(hinge.t_train)) == {-1.0, 1.0}
    x = ce.X_train[:7]
    score = ce.model(x).data
    assert ce.evaluate(x, ce.t_train[:7]) == pytest.approx(
        np.mean(np.logaddexp(0, score) - ce.t_train[:7] * score), rel=1e-10)


def test_optimisers_and_their_settings() -> None:
    def group(**kw):
        r = run_with(**kw)
        return type(r.optimizer), r.optimizer.param_groups[0]

    cls, g = group(optimizer="sgd", lr=0.2)
    assert cls is optim.SGD and g["lr"] == 0.2 and g["momentum"] == 0
    cls, g = group(optimizer="momentum", momentum=0.7)
    assert cls is optim.SGD and g["momentum"] == 0.7 and not g["nesterov"]
    cls, g = group(optimizer="nesterov", momentum=0.6)
    assert g["nesterov"] and g["momentum"] == 0.6
    cls, g = group(optimizer="adagrad", lr=0.5)
    assert cls is optim.Adagrad and g["lr"] == 0.5
    cls, g = group(optimizer="rmsprop", alpha=0.8)
    assert cls is optim.RMSprop and g["alpha"] == 0.8
    cls, g = group(optimizer="adam", beta1=0.5, beta2=0.99, lr=0.01)
    assert cls is optim.Adam and g["betas"] == (0.5, 0.99) and g["lr"] == 0.01


def test_learning_rate_scales_the_first_sgd_update() -> None:
    changes = []
    for lr in (0.1, 0.2):
        r = run_with(optimizer="sgd", lr=lr, descent="batch")
        w0 = r.model.state_dict()["0.weight"]
        r.step()
        changes.append(r.model.state_dict()["0.weight"] - w0)
    np.testing.assert_allclose(changes[1], 2 * changes[0], rtol=1e-9)


def test_descent_modes_and_batch_size() -> None:
    r = run_with(descent="batch", batch_size=7)
    assert r.batch == len(r.X_train)
    r.step()
    assert (r.steps, r.epochs) == (1, 1)
    r = run_with(descent="stochastic", batch_size=7)
    assert r.batch == 1
    r = run_with(descent="minibatch", batch_size=7, n_samples=100, train_ratio=0.7)
    assert r.batch == 7
    seen = [r.next_batch() for _ in range(10)]
    assert sorted(np.concatenate(seen).tolist()) == list(range(70))  # one epoch covers every point once
    assert run_with(descent="minibatch", batch_size=1000).batch == len(run_with().X_train)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularisation_adds_its_gradient(kind: str) -> None:
    base = run_with(optimizer="sgd", lr=1.0, descent="batch")
    reg = run_with(optimizer="sgd", lr=1.0, descent="batch", regularization=kind, reg_rate=0.1)
    w = base.model.state_dict()["0.weight"]
    base.step()
    reg.step()
    extra = (w - reg.model.state_dict()["0.weight"]) - (w - base.model.state_dict()["0.weight"])
    expected = 0.1 * (2 * w if kind == "l2" else np.sign(w))
    np.testing.assert_allclose(extra, expected, rtol=1e-7, atol=1e-12)
    # biases are not penalised
    np.testing.assert_allclose(reg.model.state_dict()["0.bias"], base.model.state_dict()["0.bias"], rtol=1e-12)
    assert recipe.penalty(validate({"regularization": kind, "reg_rate": 0.0}), reg.model) is None


def test_dropout_changes_training_but_not_evaluation() -> None:
    a, b = run_with(dropout=0.0), run_with(dropout=0.5)
    assert a.evaluate(a.X_train, a.t_train) == b.evaluate(b.X_train, b.t_train)  # same weights, eval ignores it
    assert a.step() != b.step()


def test_seed_repeats_and_varies_the_run() -> None:
    a, b, c = run_with(seed=3), run_with(seed=3), run_with(seed=4)
    assert np.array_equal(a.points, b.points) and not np.array_equal(a.points, c.points)
    for _ in range(3):
        assert a.step() == b.step()
    assert not np.allclose(a.model.state_dict()["0.weight"], c.model.state_dict()["0.weight"])


# ------------------------------------------------------------------ the session
def test_training_lowers_the_loss_and_counts() -> None:
    s = Session({"dataset": "blobs"})
    start = s.train_loss
    assert s.step(3) == 3 and s.run.steps == 3
    s.epoch()
    assert s.run.epochs == 1
    s.train_for(0.2)
    assert s.train_loss < start and s.test_loss is not None
    s.reset()
    assert s.run.steps == 0 and s.train_loss == pytest.approx(start) and len(s.history) == 1


def test_work_per_request_is_bounded() -> None:
    s = Session({"mode": "scalar", "descent": "batch", "n_samples": 300, "hidden": [4, 2]})
    t = time.perf_counter()
    done = s.step(2000)
    assert done < 2000 and time.perf_counter() - t < 1.5
    for bad in (0, 2001, -1, 1.5, "10"):
        with pytest.raises(SettingError, match="steps per request"):
            s.step(bad)


def test_state_has_every_picture() -> None:
    s = Session({"hidden": [3, 2], "features": ["x1", "x2", "x1x2"]})
    s.step(2)
    st = s.state(with_points=True)
    json.dumps(st, allow_nan=False)
    assert np.shape(st["boundary"]) == (40, 40) and np.abs(st["boundary"]).max() <= 1
    assert [len(layer) for layer in st["neurons"]] == [3, 3, 2, 1]
    assert all(np.shape(img) == (16, 16) for layer in st["neurons"] for img in layer)
    assert [np.shape(w["w"]) for w in st["weights"]] == [(3, 3), (2, 3), (1, 2)]
    assert [g["layer"] for g in st["grads"]] == [1, 2, 3] and all(g["size"] > 0 for g in st["grads"])
    assert len(st["points"]["train"]) == len(st["points"]["train_y"]) == len(s.run.X_train)
    assert st["features"] == ["x1", "x2", "x1·x2"] and st["step"] == 2


def test_boundary_changes_as_it_learns() -> None:
    s = Session({"dataset": "xor", "hidden": [6], "lr": 0.05})
    b0 = np.array(s.boundary())
    s.step(300)
    b1 = np.array(s.boundary())
    assert np.abs(b1 - b0).max() > 0.3


def test_gradient_flags() -> None:
    s = Session({"activation": "step"})  # the step function passes no gradient back: hidden layers see none
    s.step(1)
    flags = [g["flag"] for g in s.grad_sizes()]
    assert flags[:-1] == ["VANISHING"] * (len(flags) - 1) and flags[-1] == ""
    s = Session({"optimizer": "sgd", "lr": 10, "loss": "mse", "hidden": [8] * 6, "activation": "leaky_relu",
                 "descent": "batch"})
    with pytest.raises(SettingError, match="training stopped at step .*lower the learning rate"):
        s.step(40)
    assert "EXPLODING" in [g["flag"] for g in s.grad_sizes()]
    st = s.state()  # the pictures still draw, with nothing non-finite in them
    json.dumps(st, allow_nan=False)
    assert st["diverged"]
    with pytest.raises(SettingError, match="training stopped"):
        s.train_for(0.01)
    s.reset()
    assert s.diverged is None and s.step(1) == 1


def test_scalar_mode_refuses_updates_too_big_to_be_quick() -> None:
    s = Session({"mode": "scalar"})
    with pytest.raises(SettingError, match="scalar mode makes a Value for every weight .* more than 20,000"):
        s.update({"descent": "batch", "n_samples": 1000, "train_ratio": 0.9, "hidden": [8, 8]})
    assert s.settings["hidden"] == [4, 2]
    s.update({"descent": "batch"})  # 210 points x 25 weights is fine


@pytest.mark.parametrize("mode", ["tensor", "scalar"])
def test_backprop_graph_gradients_equal_backward(mode: str) -> None:
    s = Session({"mode": mode, "hidden": [3, 2], "dropout": 0.3, "features": ["x1", "x2", "sinx1"]})
    s.step(3)
    data = s.backprop(example=5)
    grads = {n["name"]: n["grad"] for n in data["nodes"] if n["name"]}
    model = s.run.model.to_scalar() if mode == "tensor" else s.run.model.to_mode("scalar")
    model.eval()
    loss = s.run.loss_fn(model(s.run.X_train[5:6]), s.run.t_train[5:6])
    loss.backward()
    for name, p in model.named_parameters():
        for idx in np.ndindex(p.shape):
            assert grads[f"{name}[{','.join(map(str, idx))}]"] == pytest.approx(p[idx].grad, rel=1e-10, abs=1e-300)
    assert {"x1", "x2", "sin x1", "loss"} <= set(grads)
    assert data["example"] == 5 and data["layer"] is None
    # one neuron: only its own incoming weights get a gradient
    one = s.backprop(example=5, layer=1, neuron=2)
    params = sorted(n["name"] for n in one["nodes"] if n["kind"] == "param")
    assert params == ["0.bias[2]", "0.weight[2,0]", "0.weight[2,1]", "0.weight[2,2]"]
    out = s.backprop(example=0, layer=3, neuron=0)
    assert any(n["name"] == "output" for n in out["nodes"])
    assert weights_of(s).keys() == s.run.model.state_dict().keys()


def test_backprop_rejects_bad_choices() -> None:
    s = Session({"hidden": [2]})
    n = len(s.run.X_train)
    for kwargs, msg in [({"example": n}, "training example must be 0 to"), ({"example": -1}, "training example"),
                        ({"example": "3"}, "training example"), ({"layer": 3}, "layer must be 1 to 2"),
                        ({"layer": 1, "neuron": 2}, "layer 1 has neurons 0 to 1")]:
        with pytest.raises(SettingError, match=msg):
            s.backprop(**kwargs)


def test_apply_is_one_update_from_that_example() -> None:
    s = Session({"optimizer": "sgd", "lr": 0.5, "dropout": 0.5})
    data = s.backprop(example=2)
    grads = {n["name"]: n["grad"] for n in data["nodes"]}
    out = s.apply_example(2)
    w0 = np.array(out["before"][0]["w"])
    w1 = np.array(out["after"][0]["w"])
    g = np.array([[grads[f"0.weight[{j},{i}]"] for i in range(w0.shape[1])] for j in range(w0.shape[0])])
    np.testing.assert_allclose(w1, w0 - 0.5 * g, atol=2e-5)  # the weights come rounded to 5 decimals
    with pytest.raises(SettingError, match="training example"):
        s.apply_example(10**6)


@pytest.mark.numpy_only
@pytest.mark.parametrize("mode", ["tensor", "scalar"])
def test_exported_script_reproduces_the_run(mode: str, tmp_path: Path) -> None:
    s = Session({"mode": mode, "dataset": "moons", "regularization": "l2", "reg_rate": 0.01, "dropout": 0.1,
                 "features": ["x1", "x2", "x1sq"], "n_samples": 80})
    s.step(23)
    s.apply_example(4)
    s.step(2)
    script = tmp_path / "run.py"
    script.write_text(s.script(), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "model.npz")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"train loss {s.train_loss!r} test loss {s.test_loss!r}" in out.stdout
    saved = autograd.load(tmp_path / "model.npz")
    for k, v in s.run.model.state_dict().items():
        np.testing.assert_array_equal(saved["state_dict"][k], v)
    text = script.read_text()
    assert "import nn" in text and "nn.playground" not in text
    assert 'ACTIONS = [["steps", 23], ["example", 4], ["steps", 2]]' in text


def test_checkpoint_holds_the_model_and_settings(tmp_path: Path) -> None:
    s = Session({"hidden": [3]})
    s.step(4)
    path = tmp_path / "model.npz"
    path.write_bytes(s.checkpoint())
    saved = autograd.load(path)
    assert saved["settings"]["hidden"] == [3] and saved["steps"] == 4
    model = recipe.build_model(s.settings, 2)
    model.load_state_dict(saved["state_dict"])
    x = s.run.X_test
    np.testing.assert_allclose(model(x).data, s.run.model(x).data)


def test_sessions_do_not_share_models() -> None:
    a, b = Session(), Session()
    b.step(20)
    assert a.run.steps == 0 and not same_weights(weights_of(a), weights_of(b))
    a.update({"hidden": [2]})
    assert b.settings["hidden"] == [4, 2]


# ------------------------------------------------------------------ the server
def _client():
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient

    from nn.playground.server import create_app

    app = create_app()
    return app, TestClient(app)


def recv(ws, kind: str) -> dict:
    for _ in range(50):
        msg = ws.receive_json()
        if msg["type"] == kind:
            return msg
        if msg["type"] == "state":
            ws.send_json({"type": "ack"})
    raise AssertionError(f"no {kind} message")


def test_server_serves_the_page_and_assets_locally() -> None:
    app, client = _client()
    page = client.get("/")
    assert page.status_code == 200 and "gradwork playground" in page.text
    import re

    for ref in re.findall(r"""(?:src|href)="([^"]+)\"""", page.text):
        assert ref.startswith("/static/"), f"{ref} is not served by the playground"
        r = client.get(ref)
        assert r.status_code == 200 and len(r.content) > 100
        assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://|url\(\s*["']?https?://|import\s*\(\s*["']https?:""",
                             r.text)
    assert client.get("/static/../settings.py").status_code == 404
    assert client.get("/etc/passwd").status_code == 404


def test_server_session_over_the_websocket() -> None:
    app, client = _client()
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "hello"})
        spec = recv(ws, "spec")["spec"]
        assert spec["lr"]["allowed"] == [1e-5, 10.0]
        state = recv(ws, "state")
        assert state["step"] == 0 and "points" in state
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "set", "settings": {"dataset": "moons", "hidden": [3]}})
        state = recv(ws, "state")
        assert state["settings"]["dataset"] == "moons" and len(state["weights"]) == 2
        ws.send_json({"type": "ack"})
        for bad, msg in [({"lr": -1}, "learning rate"), ({"hidden": [10000]}, "1 to 8 neurons"),
                         ({"batch_size": 0}, "batch size"), ({"dataset": "__import__('os')"}, "not offered")]:
            ws.send_json({"type": "set", "settings": bad})
            assert msg in recv(ws, "error")["message"]
            state = recv(ws, "state")
            assert state["settings"]["dataset"] == "moons" and state["settings"]["lr"] == 0.03
            ws.send_json({"type": "ack"})
        ws.send_json({"type": "step", "n": 5})
        assert recv(ws, "state")["step"] == 5
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "epoch"})
        assert recv(ws, "state")["epoch"] == 1
        ws.send_json({"type": "ack"})
        ws.send_json({"type": "play"})
        steps = []
        for _ in range(3):
            st = recv(ws, "state")
            steps.append(st["step"])
            ws.send_json({"type": "ack"})
        ws.send_json({"type": "pause"})
        assert steps == sorted(steps) and steps[-1] > steps[0]
        ws.send_json({"type": "trace", "example": 1, "layer": 1, "neuron": 0})
        trace = recv(ws, "trace")
        assert trace["layer"] == 1 and trace["steps"][0]["seed"]
        ws.send_json({"type": "apply", "example": 1})
        assert recv(ws, "applied")["example"] == 1
        ws.send_json({"type": "export_script"})
        assert "SETTINGS = " in recv(ws, "script")["text"]
        ws.send_json({"type": "export_checkpoint"})
        assert len(recv(ws, "checkpoint")["base64"]) > 100
        ws.send_json({"type": "run", "code": "import os"})
        assert "unknown action 'run'" in recv(ws, "error")["message"]
        ws.send_text("not json")
        assert "could not read" in recv(ws, "error")["message"]
        ws.send_text(json.dumps({"type": "set", "settings": {"seed": 1}, "pad": "x" * 70000}))
        assert "too long" in recv(ws, "error")["message"]
        ws.send_json({"type": "step", "n": 10**6})
        assert "steps per request" in recv(ws, "error")["message"]
        assert len(app.state.tabs) == 1
    deadline = time.monotonic() + 5
    while app.state.tabs and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not app.state.tabs, "a closed tab frees its session"


def test_two_tabs_never_share_a_model() -> None:
    app, client = _client()
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        a.send_json({"type": "hello"})
        b.send_json({"type": "hello"})
        recv(a, "state")
        recv(b, "state")
        a.send_json({"type": "ack"})
        b.send_json({"type": "ack"})
        a.send_json({"type": "step", "n": 7})
        b.send_json({"type": "set", "settings": {"hidden": [1]}})
        sa, sb = recv(a, "state"), recv(b, "state")
        assert sa["step"] == 7 and sa["settings"]["hidden"] == [4, 2]
        assert sb["step"] == 0 and sb["settings"]["hidden"] == [1]
        assert len(app.state.tabs) == 2


def test_a_silent_tab_loses_its_session(monkeypatch) -> None:
    from nn.playground import server

    monkeypatch.setattr(server, "IDLE_SECONDS", 0.3)
    app, client = _client()
    from starlette.websockets import WebSocketDisconnect

    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "ping"})
        with pytest.raises(WebSocketDisconnect):
            for _ in range(10):
                ws.receive_json()
    assert not app.state.tabs


# ------------------------------------------------------------------ the command
def _start(args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "nn.playground", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


@pytest.mark.numpy_only
def test_command_prints_its_address_and_serves(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    import urllib.request

    proc = _start(["--no-browser"])
    try:
        line = proc.stdout.readline()
        assert line.startswith("gradwork playground: http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=10) as r:
            assert b"gradwork playground" in r.read()
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.numpy_only
def test_command_warns_when_listening_elsewhere_and_checks_its_port() -> None:
    pytest.importorskip("uvicorn")
    proc = _start(["--no-browser", "--host", "0.0.0.0"])
    try:
        line = proc.stdout.readline()
        assert line.startswith("gradwork playground: http://0.0.0.0:")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "other machines can reach the playground" in err
    from nn.playground.server import main

    with pytest.raises(SystemExit):
        main(["--port", "70000"])
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        assert main(["--no-browser", "--port", str(taken.getsockname()[1])]) == 1


def test_an_unexpected_failure_is_reported_and_the_tab_lives_on(monkeypatch) -> None:
    app, client = _client()

    def broken(self, *args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(Session, "epoch", broken)
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "epoch"})
        assert "internal error (KeyError" in recv(ws, "error")["message"]
        ws.send_json({"type": "step"})
        assert recv(ws, "state")["step"] == 1
