"""One playground run as plain gradwork code: data, features, model, loss, optimiser and the training step.

The playground trains with exactly this code, and "export" writes this file's
source, the run's settings and its step count into a script, so the script
gives the same numbers. It uses nothing but numpy, nn, optim and autograd.
"""

from __future__ import annotations

import numpy as np

import nn
import optim
from autograd import Value, no_grad

RADIUS = 2.0  # every data set is scaled so its largest coordinate is this; the plane shown is 1.25 times wider


def make_points(s: dict) -> tuple[np.ndarray, np.ndarray]:
    """The chosen data set: points (n, 2) scaled into [-RADIUS, RADIUS], labels 0/1."""
    n, noise, seed = s["n_samples"], s["noise"], s["seed"]
    name = s["dataset"]
    if name == "circles":
        X, y = nn.datasets.make_circles(n, noise=noise, factor=0.5, seed=seed)
    elif name == "moons":
        X, y = nn.datasets.make_moons(n, noise=noise, seed=seed)
    elif name == "spirals":
        X, y = nn.datasets.make_spirals(n, n_classes=2, noise=noise, seed=seed)
    elif name == "xor":
        X, y = nn.datasets.make_xor(n, noise=noise, seed=seed)
    elif name == "blobs":
        X, y = nn.datasets.make_blobs(n, centers=2, cluster_std=0.4 + 2 * noise, seed=seed)
    elif name == "gaussian":  # two overlapping Gaussian clouds
        rng = np.random.default_rng(seed)
        y = (np.arange(n) % 2).astype(np.int64)
        X = np.where(y[:, None] == 1, 1.0, -1.0) + (0.4 + 2 * noise) * rng.standard_normal((n, 2))
        order = rng.permutation(n)
        X, y = X[order], y[order]
    else:
        raise ValueError(f"unknown data set {name!r}")
    X = X - X.mean(axis=0)
    return RADIUS * X / np.abs(X).max(), y


def make_features(X: np.ndarray, names: list[str]) -> np.ndarray:
    """The chosen input features of points X (n, 2), one column each."""
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1sq": x1 * x1, "x2sq": x2 * x2, "x1x2": x1 * x2,
               "sinx1": np.sin(x1), "sinx2": np.sin(x2)}
    return np.stack([columns[f] for f in names], axis=1)


def targets(s: dict, y: np.ndarray) -> np.ndarray:
    """What the single output is trained towards: 0/1 for cross-entropy, -1/+1 for MSE and hinge."""
    t = y.astype(np.float64) if s["loss"] == "cross_entropy" else 2.0 * y - 1.0
    return t.reshape(-1, 1)


def build_model(s: dict, n_inputs: int) -> nn.MLP:
    """Hidden layers with the chosen activation (and dropout after each), one output score."""
    return nn.MLP(n_inputs, list(s["hidden"]) + [1], activation=s["activation"], mode=s["mode"],
                  seed=s["seed"], dropout=s["dropout"])


def build_loss(s: dict) -> nn.Module:
    """Cross-entropy on the score (a logistic output), MSE against -1/+1, or the hinge max(0, 1 - t * score)."""
    return {"cross_entropy": nn.BCEWithLogitsLoss, "mse": nn.MSELoss, "hinge": nn.HingeLoss}[s["loss"]]()


def build_optimizer(s: dict, params: list) -> optim.Optimizer:
    lr, name = s["lr"], s["optimizer"]
    if name == "sgd":
        return optim.SGD(params, lr=lr)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=s["momentum"])
    if name == "nesterov":
        return optim.SGD(params, lr=lr, momentum=s["momentum"], nesterov=True)
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, alpha=s["alpha"])
    if name == "adam":
        return optim.Adam(params, lr=lr, betas=(s["beta1"], s["beta2"]))
    raise ValueError(f"unknown optimiser {name!r}")


def penalty(s: dict, model: nn.Module):
    """reg_rate * (sum of w**2 for L2, or of |w| for L1) over the weights (not the biases); None without one."""
    if s["regularization"] == "none" or s["reg_rate"] == 0:
        return None
    terms = []
    for name, p in model.named_parameters():
        if not name.endswith("weight"):
            continue
        if s["mode"] == "scalar":
            terms.append(Value.sum(v * v if s["regularization"] == "l2" else v.abs() for v in p.flat))
        else:
            terms.append((p * p).sum() if s["regularization"] == "l2" else p.abs().sum())
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total * s["reg_rate"]


def batch_size(s: dict, n_train: int) -> int:
    """Batch descent uses every training point per step, stochastic one, mini-batch ``batch_size``."""
    if s["descent"] == "batch":
        return n_train
    if s["descent"] == "stochastic":
        return 1
    return min(s["batch_size"], n_train)


class Run:
    """Everything one run holds; ``step()`` is one update on the next batch (reshuffled every epoch)."""

    def __init__(self, s: dict) -> None:
        self.settings = dict(s)
        X, y = make_points(s)
        self.points, self.labels = X, y
        split = nn.train_test_split(X, y, test_size=round(1 - s["train_ratio"], 6), seed=s["seed"])
        self.X_train_points, self.X_test_points, self.y_train, self.y_test = split
        self.X_train = make_features(self.X_train_points, s["features"])
        self.X_test = make_features(self.X_test_points, s["features"])
        self.t_train, self.t_test = targets(s, self.y_train), targets(s, self.y_test)
        self.model = build_model(s, self.X_train.shape[1])
        self.loss_fn = build_loss(s)
        self.optimizer = build_optimizer(s, self.model.parameters())
        self.batch = batch_size(s, len(self.X_train))
        self.order_rng = np.random.default_rng(s["seed"] + 1)
        self.order = np.arange(len(self.X_train))
        self.position = len(self.X_train)  # start of the next batch in self.order; at the end: reshuffle
        self.steps = 0
        self.epochs = 0  # full passes over the training points
        self.last_loss = float("nan")
        self.log: list[list] = []  # what was done, in order: ["steps", n] and ["example", i]

    def next_batch(self) -> np.ndarray:
        n = len(self.X_train)
        if self.position >= n:  # a new pass over the training points, in a new order
            self.order = self.order_rng.permutation(n) if self.batch < n else np.arange(n)
            self.position = 0
        idx = self.order[self.position:self.position + self.batch]
        self.position += self.batch
        return idx

    def step(self) -> float:
        """One update: loss on the next batch (+ the penalty), backward, optimiser step; returns the batch loss."""
        idx = self.next_batch()
        self.model.train()
        loss = self.loss_fn(self.model(self.X_train[idx]), self.t_train[idx])
        extra = penalty(self.settings, self.model)
        total = loss if extra is None else loss + extra
        self.optimizer.zero_grad()
        total.backward()
        self.optimizer.step()
        self.steps += 1
        if self.position >= len(self.X_train):
            self.epochs += 1
        if self.log and self.log[-1][0] == "steps":
            self.log[-1][1] += 1
        else:
            self.log.append(["steps", 1])
        self.last_loss = float(loss.item())
        return self.last_loss

    def learn_from(self, i: int) -> float:
        """One optimiser update from training example ``i`` alone (its data loss, no dropout); returns that loss."""
        x, t = self.X_train[i:i + 1], self.t_train[i:i + 1]
        self.model.eval()
        loss = self.loss_fn(self.model(x), t)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.model.train()
        self.log.append(["example", int(i)])
        return float(loss.item())

    def replay(self, log: list) -> None:
        """Do again what ``log`` (another run's ``log``) records."""
        for kind, n in log:
            if kind == "steps":
                for _ in range(n):
                    self.step()
            else:
                self.learn_from(n)

    def evaluate(self, X: np.ndarray, t: np.ndarray) -> float:
        """The data loss (no penalty, no dropout) on (X, t), computed in tensor mode."""
        model = self.model if self.settings["mode"] == "tensor" else self.model.to_tensor()
        model.eval()
        with no_grad():
            value = float(self.loss_fn(model(X), t).item())
        model.train()
        return value
