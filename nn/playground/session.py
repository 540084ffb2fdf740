"""One browser tab's playground: its settings, its run, and the pictures the page draws, as plain data.

Nothing here knows about the web: the server turns messages into calls on a
``Session`` and sends back what they return, so every behaviour is testable
without a browser.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
import tempfile
import time
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, Value, no_grad
from autograd.viz.animate import backward_steps

from ..layers import Linear
from . import recipe
from .settings import FEATURES, SettingError, validate

__all__ = ["Session", "SettingError", "GRID", "NEURON_GRID"]

GRID = 40  # the decision boundary: GRID x GRID scores over the plane
NEURON_GRID = 16  # each neuron's small picture
MAX_STEPS_PER_CALL = 2000  # the most updates one request may ask for
MAX_SECONDS_PER_CALL = 0.25  # and the most time one request may train for
HISTORY = 400  # points kept on each loss curve
VANISHING, EXPLODING = 1e-6, 1e3  # mean |grad| per layer; the same thresholds as draw_graph(grad_flow=True)
MAX_SCALAR_WORK = 20_000  # scalar mode: batch size x weights per update (about 16 microseconds each)


def _round(a: np.ndarray, digits: int = 4) -> list:
    return np.round(np.nan_to_num(np.asarray(a, dtype=np.float64), nan=0.0, posinf=1e9, neginf=-1e9), digits).tolist()


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


class Session:
    """Settings, a ``recipe.Run`` and its history; the methods are what the page can ask for."""

    def __init__(self, settings: dict | None = None) -> None:
        self.settings = validate(settings or {})
        self.trace_root: dict | None = None
        self.last_active = time.monotonic()
        self.reset()

    # ------------------------------------------------------------------ run control
    def reset(self) -> None:
        """A fresh run from the current settings (the same seed gives the same run)."""
        self.run = recipe.Run(self.settings)
        self.history: list[list] = []  # [step, epoch, train loss, test loss]
        self.trace = None
        self.diverged: str | None = None  # why training stopped, once the numbers stopped being finite
        self._record()

    def update(self, changes: dict) -> dict:
        """Apply ``changes`` and start a fresh run with them, or raise SettingError and keep everything as it was."""
        new = validate(changes, self.settings)
        if new["optimizer"] == "nesterov" and new["momentum"] <= 0:
            raise SettingError("Nesterov momentum needs a momentum above 0; the run continues unchanged")
        try:
            run = recipe.Run(new)
        except (ValueError, TypeError) as exc:  # a combination the library refuses (its message says why)
            raise SettingError(f"{exc}; the run continues unchanged") from None
        if new["mode"] == "scalar":
            weights = run.model.num_parameters()
            if run.batch * weights > MAX_SCALAR_WORK:
                raise SettingError(
                    f"scalar mode makes a Value for every weight and point: a batch of {run.batch} points x "
                    f"{weights} weights is more than {MAX_SCALAR_WORK:,} per update; use tensor mode, a smaller "
                    "mini-batch or fewer neurons (the run continues unchanged)"
                )
        self.settings = new
        self.run = run
        self.history = []
        self.trace = None
        self.diverged = None
        self._record()
        return self.settings

    def _one_step(self) -> None:
        """One update; a run whose numbers overflow stops with a message instead of training on NaN."""
        if self.diverged is not None:
            raise SettingError(f"training stopped: {self.diverged}; lower the learning rate, then reset")
        try:
            with np.errstate(all="ignore"):
                loss = self.run.step()
            if not math.isfinite(loss):
                raise ValueError(f"the loss became {loss}")
        except (ValueError, OverflowError, ZeroDivisionError, FloatingPointError) as exc:
            self.diverged = str(exc).split(";")[0]
            self._record()
            raise SettingError(f"training stopped at step {self.run.steps}: {self.diverged}; "
                               "lower the learning rate, then reset") from None

    def step(self, n: int = 1) -> int:
        """``n`` updates (at most MAX_STEPS_PER_CALL, stopping early after MAX_SECONDS_PER_CALL); returns how many."""
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_STEPS_PER_CALL:
            raise SettingError(f"steps per request must be 1 to {MAX_STEPS_PER_CALL}, got {n!r:.20}")
        start = time.monotonic()
        done = 0
        while done < n:
            self._one_step()
            done += 1
            if time.monotonic() - start > MAX_SECONDS_PER_CALL:
                break
        self._record()
        return done

    def epoch(self) -> int:
        """Updates until the current pass over the training points ends (bounded like ``step``)."""
        target = self.run.epochs + 1
        start = time.monotonic()
        done = 0
        while self.run.epochs < target and done < MAX_STEPS_PER_CALL:
            self._one_step()
            done += 1
            if time.monotonic() - start > 4 * MAX_SECONDS_PER_CALL:
                break
        self._record()
        return done

    def train_for(self, seconds: float = 0.05) -> int:
        """As many updates as fit in ``seconds`` (what "play" runs between two pictures)."""
        seconds = min(max(float(seconds), 0.0), MAX_SECONDS_PER_CALL)
        start = time.monotonic()
        done = 0
        while done < MAX_STEPS_PER_CALL:
            self._one_step()
            done += 1
            if time.monotonic() - start >= seconds:
                break
        self._record()
        return done

    def _evaluate(self, X: np.ndarray, t: np.ndarray) -> float:
        try:
            with np.errstate(all="ignore"):
                return self.run.evaluate(X, t)
        except (ValueError, OverflowError, ZeroDivisionError, FloatingPointError):
            return math.nan

    def _record(self) -> None:
        r = self.run
        train = self._evaluate(r.X_train, r.t_train)
        test = self._evaluate(r.X_test, r.t_test)
        self.history.append([r.steps, r.epochs, _finite(train), _finite(test)])
        if len(self.history) > HISTORY:  # keep the first point, thin the rest evenly
            self.history = self.history[:1] + self.history[2::2]

    @property
    def train_loss(self) -> float | None:
        return self.history[-1][2]

    @property
    def test_loss(self) -> float | None:
        return self.history[-1][3]

    # ------------------------------------------------------------------ pictures
    def _tensor_model(self) -> Any:
        m = self.run.model
        return m if self.settings["mode"] == "tensor" else m.to_tensor()

    def plane(self) -> tuple[float, np.ndarray]:
        """Half-width of the plane shown and the grid of points over it (row 0 at the top, as on screen)."""
        half = 1.25 * recipe.RADIUS
        xs = np.linspace(-half, half, GRID)
        ys = np.linspace(half, -half, GRID)
        gx, gy = np.meshgrid(xs, ys)
        return half, np.stack([gx.ravel(), gy.ravel()], axis=1)

    def _scores(self, points: np.ndarray) -> np.ndarray:
        """The model's score at each point (eval mode)."""
        model = self._tensor_model()
        model.eval()
        with no_grad():
            out = model(recipe.make_features(points, self.settings["features"]))
        model.train()
        return np.asarray(out.data, dtype=np.float64).reshape(-1)

    def _display(self, score: np.ndarray) -> np.ndarray:
        """A score shown in [-1, 1]: 2 sigmoid - 1 for cross-entropy, the clipped score for MSE and hinge."""
        if self.settings["loss"] == "cross_entropy":
            return np.tanh(score / 2)
        return np.clip(score, -1, 1)

    def boundary(self) -> list:
        _, pts = self.plane()
        return _round(self._display(self._scores(pts)).reshape(GRID, GRID), 3)

    def neuron_images(self) -> list[list[list]]:
        """For each layer (inputs first, the output last), each neuron's output over a coarse grid, in [-1, 1]."""
        half = 1.25 * recipe.RADIUS
        xs = np.linspace(-half, half, NEURON_GRID)
        gx, gy = np.meshgrid(xs, xs[::-1])
        pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
        feats = recipe.make_features(pts, self.settings["features"])
        layers = [[self._scale(feats[:, k]) for k in range(feats.shape[1])]]
        model = self._tensor_model()
        model.eval()
        mods = list(model)
        x: Any = Tensor(feats)
        with no_grad():
            for k, m in enumerate(mods):
                x = m(x)
                is_last_of_layer = k + 1 == len(mods) or isinstance(mods[k + 1], Linear)
                if is_last_of_layer:
                    a = np.asarray(x.data, dtype=np.float64)
                    if k + 1 == len(mods):
                        layers.append([_round(self._display(a[:, 0]).reshape(NEURON_GRID, NEURON_GRID), 2)])
                    else:
                        layers.append([self._scale(a[:, j]) for j in range(a.shape[1])])
        model.train()
        return layers

    @staticmethod
    def _scale(v: np.ndarray) -> list:
        """Values shown in [-1, 1]: divided by their largest size when that is above 1."""
        m = float(np.max(np.abs(v))) if v.size else 0.0
        v = v / m if m > 1 else v
        return _round(v.reshape(NEURON_GRID, NEURON_GRID), 2)

    def weights(self) -> list[dict]:
        """Each Linear layer's weight (out, in) and bias, with its module name for matching graph labels."""
        state = self.run.model.state_dict()
        out = []
        for name, m in self.run.model.named_modules():
            if isinstance(m, Linear):
                out.append({"module": name, "w": _round(state[f"{name}.weight"], 5),
                            "b": _round(state[f"{name}.bias"], 5)})
        return out

    def grad_sizes(self) -> list[dict]:
        """Mean |grad| of each layer's weights after the last update, flagged VANISHING or EXPLODING."""
        out = []
        if not self.run.steps:
            return out
        for k, p in enumerate(p for n, p in self.run.model.named_parameters() if n.endswith("weight")):
            if isinstance(p, Tensor):
                g = np.zeros(p.shape) if p.grad is None else np.asarray(getattr(p.grad, "data", p.grad))
            else:
                g = np.array([v.grad for v in p.flat])
            m = float(np.mean(np.abs(g)))
            flag = "EXPLODING" if (not math.isfinite(m) or m > EXPLODING) else ("VANISHING" if m < VANISHING else "")
            out.append({"layer": k + 1, "size": _finite(m), "flag": flag})
        return out

    def points(self) -> dict:
        r = self.run
        return {
            "train": _round(r.X_train_points, 3), "train_y": r.y_train.tolist(),
            "test": _round(r.X_test_points, 3), "test_y": r.y_test.tolist(),
        }

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        model = self._tensor_model()
        model.eval()
        with no_grad():
            s = np.asarray(model(X).data).reshape(-1)
        model.train()
        return float(np.mean((s > 0) == (y == 1)))

    def state(self, with_points: bool = False) -> dict:
        """Everything the page draws after an update."""
        with np.errstate(all="ignore"):
            return self._state(with_points)

    def _state(self, with_points: bool) -> dict:
        r = self.run
        out = {
            "type": "state",
            "step": r.steps, "epoch": r.epochs, "batch": r.batch,
            "train_loss": self.train_loss, "test_loss": self.test_loss,
            "train_acc": self.accuracy(r.X_train, r.y_train), "test_acc": self.accuracy(r.X_test, r.y_test),
            "history": self.history,
            "boundary": self.boundary(), "half": 1.25 * recipe.RADIUS,
            "neurons": self.neuron_images(), "weights": self.weights(), "grads": self.grad_sizes(),
            "features": [FEATURES[f] for f in self.settings["features"]],
            "settings": self.settings, "diverged": self.diverged,
        }
        if with_points:
            out["points"] = self.points()
        return out

    # ------------------------------------------------------------------ back-propagation, shown
    def backprop(self, example: Any = 0, layer: Any = None, neuron: Any = 0) -> dict:
        """The scalar-mode graph of one training example (its loss, or one neuron's output) and its backward steps.

        ``layer`` None: the example's loss; 1..L: hidden layer ``layer`` (L+1: the output), neuron ``neuron``.
        Dropout is off (eval mode), so the graph is the network's plain computation.
        """
        r = self.run
        n_layers = len(self.settings["hidden"]) + 1
        if isinstance(example, bool) or not isinstance(example, int) or not 0 <= example < len(r.X_train):
            raise SettingError(f"training example must be 0 to {len(r.X_train) - 1}, got {example!r:.20}")
        if layer is not None:
            if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= n_layers:
                raise SettingError(f"layer must be 1 to {n_layers} (the output), got {layer!r:.20}")
            width = (self.settings["hidden"] + [1])[layer - 1]
            if isinstance(neuron, bool) or not isinstance(neuron, int) or not 0 <= neuron < width:
                raise SettingError(f"layer {layer} has neurons 0 to {width - 1}, got {neuron!r:.20}")
        model = r.model.to_mode("scalar")  # a copy: the graph shown never touches the model that trains
        model.eval()
        labels = [FEATURES[f] for f in self.settings["features"]]
        row = np.array([[Value(float(v), label=lab) for v, lab in zip(r.X_train[example], labels)]], dtype=object)
        x: Any = row
        mods = list(model)
        linear_seen = 0
        root = None
        for k, m in enumerate(mods):
            x = m(x)
            if isinstance(m, Linear):
                linear_seen += 1
            end_of_layer = k + 1 == len(mods) or isinstance(mods[k + 1], Linear)
            if layer is not None and end_of_layer and linear_seen == layer:
                root = x[0, neuron]
                root.label = "output" if layer == n_layers else f"h{layer}.{neuron}"
                break
        if root is None:
            root = self.run.loss_fn(x, r.t_train[example:example + 1])
            root.label = "loss"
        try:
            data = backward_steps(root, params=model)
        except ValueError as exc:  # too many nodes to show one at a time
            raise SettingError(str(exc).replace("animate_backward: ", "")) from None
        data["type"] = "trace"
        data["example"] = example
        data["layer"] = layer
        data["neuron"] = neuron
        data["point"] = _round(r.X_train_points[example], 3)
        data["label"] = int(r.y_train[example])
        data["lr"] = self.settings["lr"]
        self.trace = {"example": example, "layer": layer, "neuron": neuron}
        return data

    def apply_example(self, example: Any) -> dict:
        """One optimiser update from this training example's loss alone; returns the weights before and after."""
        r = self.run
        if isinstance(example, bool) or not isinstance(example, int) or not 0 <= example < len(r.X_train):
            raise SettingError(f"training example must be 0 to {len(r.X_train) - 1}, got {example!r:.20}")
        before = self.weights()
        with np.errstate(all="ignore"):
            r.learn_from(example)
        self._record()
        return {"type": "applied", "example": example, "before": before, "after": self.weights()}

    # ------------------------------------------------------------------ export
    def script(self) -> str:
        """A Python script that repeats this run with gradwork: the recipe, the settings, the number of steps."""
        source = inspect.getsource(recipe)
        source = re.sub(r'^""".*?"""\n', "", source, count=1, flags=re.S)
        source = source.replace("from __future__ import annotations\n", "", 1).strip("\n")
        settings = json.dumps(self.settings, indent=4)
        return (
            '"""A gradwork playground run, exported: the same data, network, loss, optimiser and updates.\n\n'
            "Run it with `python this_script.py [checkpoint.npz]`; it prints the train and test loss the page\n"
            'showed, and saves the trained model with autograd.save when given a path."""\n\n'
            "from __future__ import annotations\n\n"
            f"{source}\n\n\n"
            f"SETTINGS = {settings}\n"
            "# what the page did: ['steps', n] is n training updates, ['example', i] one update from example i\n"
            f"ACTIONS = {json.dumps(self.run.log)}\n\n\n"
            "def main() -> None:\n"
            "    import sys\n\n"
            "    import autograd\n\n"
            "    run = Run(SETTINGS)\n"
            "    run.replay(ACTIONS)\n"
            "    train = run.evaluate(run.X_train, run.t_train)\n"
            "    test = run.evaluate(run.X_test, run.t_test)\n"
            '    print(f"steps {run.steps} epochs {run.epochs} train loss {train!r} test loss {test!r}")\n'
            "    if len(sys.argv) > 1:\n"
            '        autograd.save({"state_dict": run.model.state_dict(), "settings": SETTINGS}, sys.argv[1])\n'
            '        print("saved", sys.argv[1])\n\n\n'
            'if __name__ == "__main__":\n'
            "    main()\n"
        )

    def checkpoint(self) -> bytes:
        """The trained model's state and the settings, as an ``autograd.save`` file (bytes to download)."""
        fd, path = tempfile.mkstemp(suffix=".npz")
        os.close(fd)
        try:
            autograd.save({"state_dict": self.run.model.state_dict(), "settings": self.settings,
                           "steps": self.run.steps}, path)
            with open(path, "rb") as f:
                return f.read()
        finally:
            os.unlink(path)

