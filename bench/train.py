"""Case 3: one training step in tensor mode against PyTorch CPU and hand-written numpy.

Each MLP has ReLU hidden layers and a linear output; the loss is mean
cross-entropy over integer labels (mean squared error for one output). A
step is forward, loss, backward and an optimiser update (plain SGD, or Adam,
with the same settings on every side). The sides start from the same weights
and data, each in its own fresh process (bench/fair.py):

* ``numpy``: forward and backward written out by hand, updates in place: the
  limit for an engine that computes with numpy;
* ``gradwork (numpy)`` / ``gradwork (numba)``: the public API on each
  backend: ``nn.Sequential(nn.Linear, nn.ReLU, ...)`` (each Linear + ReLU
  runs as one fused op), ``nn.functional.mse_loss`` / ``cross_entropy`` and
  ``optim.SGD`` / ``optim.Adam``;
* ``gradwork by hand``: the step written the natural way, op by op:
  ``h = (h @ W + b).relu()``, ``nn.CrossEntropyLoss()`` / ``nn.MSELoss()``
  and the optimiser, without ``nn.Linear``;
* ``torch``: ``torch.nn`` layers, ``F.cross_entropy``/``F.mse_loss`` and
  ``torch.optim``, under torch's own thread defaults.

Also here: the engine's cost per op on a (32, 64) array against the bare
numpy ufunc.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable

import numpy as np

from .common import interleaved
from .fair import compare

CONFIGS = [
    ("2-16-16-1, batch 100, f64", (2, 16, 16, 1), 100, np.float64),
    ("64-64-10, batch 32, f32", (64, 64, 10), 32, np.float32),
    ("784-256-128-10, batch 128, f32", (784, 256, 128, 10), 128, np.float32),
    ("784-1024-1024-10, batch 512, f32", (784, 1024, 1024, 10), 512, np.float32),
]
LR = {"sgd": 0.01, "adam": 1e-3}


def problem(sizes: tuple, batch: int, dtype: Any, seed: int = 0) -> tuple:
    """Data, targets and initial (weight, bias) pairs (torch's default uniform init)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    target = rng.standard_normal((batch, 1)).astype(dtype) if sizes[-1] == 1 else rng.integers(0, sizes[-1], batch)
    params = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(nin)
        params.append((rng.uniform(-bound, bound, (nout, nin)).astype(dtype),
                       rng.uniform(-bound, bound, nout).astype(dtype)))
    return X, target, params


# ----------------------------------------------------------- hand-written numpy


class NumpyMLP:
    """Forward, backward and the updates written directly in numpy, in place where it is natural."""

    def __init__(self, params: list, opt: str) -> None:
        self.params = [(w.copy(), b.copy()) for w, b in params]
        self.opt = opt
        self.state = [tuple(np.zeros_like(a) for a in (w, b, w, b)) for w, b in self.params] if opt == "adam" \
            else None
        self.t = 0

    def step(self, X: np.ndarray, target: np.ndarray) -> float:
        hs = [X]
        last = len(self.params) - 1
        for i, (w, b) in enumerate(self.params):
            z = hs[-1] @ w.T
            z += b
            if i < last:
                np.maximum(z, 0, out=z)
            hs.append(z)
        out = hs[-1]
        n = out.shape[0]
        if out.shape[1] == 1:  # mean squared error
            d = out - target
            loss = float((d * d).mean())
            d *= 2 / d.size
        else:  # mean cross-entropy
            z = out - out.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            loss = float(np.log(s).mean() - z[np.arange(n), target].mean())
            d = e / s
            d[np.arange(n), target] -= 1
            d /= n
        self.t += 1
        for i in range(last, -1, -1):
            w, b = self.params[i]
            h = hs[i]
            gw = d.T @ h
            gb = d.sum(axis=0)
            if i > 0:
                d = d @ w
                d *= h > 0
            self._update(i, gw, gb)
        return loss

    def _update(self, i: int, gw: np.ndarray, gb: np.ndarray) -> None:
        w, b = self.params[i]
        if self.opt == "sgd":
            gw *= LR["sgd"]
            w -= gw
            gb *= LR["sgd"]
            b -= gb
        else:
            mw, mb, vw, vb = self.state[i]
            b1, b2, eps = 0.9, 0.999, 1e-8
            step = LR["adam"] * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
            for p, g, m, v in ((w, gw, mw, vw), (b, gb, mb, vb)):
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * g * g
                p -= step * m / (np.sqrt(v) + eps)


# --------------------------------------------------------------------- gradwork


class GradworkMLP:
    """The same MLP through gradwork's public API: ``nn.Sequential`` of ``nn.Linear`` and ``nn.ReLU``
    (which runs each Linear + ReLU as one fused op), ``nn.functional``'s loss and an ``optim`` optimiser."""

    uses = "nn.Sequential, nn.functional losses, optim"

    def __init__(self, params: list, opt: str) -> None:
        import nn
        import optim

        layers = []
        for i, (w, b) in enumerate(params):
            lin = nn.Linear(w.shape[1], w.shape[0])
            lin.weight.data, lin.bias.data = w.copy(), b.copy()
            layers.append(lin)
            if i < len(params) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        self.optimizer = optim.SGD(self.model.parameters(), lr=LR["sgd"]) if opt == "sgd" else \
            optim.Adam(self.model.parameters(), lr=LR["adam"])

    def loss_step(self, X: Any, target: Any) -> Any:
        """Forward, loss, backward and update; returns the loss Tensor."""
        from nn import functional as F

        out = self.model(X)
        loss = F.mse_loss(out, target) if out.shape[1] == 1 else F.cross_entropy(out, target)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss

    def step(self, X: Any, target: Any) -> float:
        return float(self.loss_step(X, target).data)


class HandMLP:
    """The step as a user writes it op by op: ``h = (h @ W + b).relu()``, a loss module and the optimiser."""

    uses = "Tensors with requires_grad, @, +, .relu(), nn.CrossEntropyLoss / nn.MSELoss, optim"

    def __init__(self, params: list, opt: str) -> None:
        import nn
        import optim
        from autograd import Tensor

        self.layers = [(Tensor(w.T.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True))
                       for w, b in params]
        flat = [p for pair in self.layers for p in pair]
        self.loss_fn = nn.MSELoss() if params[-1][0].shape[0] == 1 else nn.CrossEntropyLoss()
        self.optimizer = optim.SGD(flat, lr=LR["sgd"]) if opt == "sgd" else optim.Adam(flat, lr=LR["adam"])

    def step(self, X: Any, target: Any) -> float:
        h = X
        last = len(self.layers) - 1
        for i, (W, b) in enumerate(self.layers):
            h = (h @ W + b).relu() if i < last else h @ W + b
        loss = self.loss_fn(h, target)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.data)


class CompiledMLP(GradworkMLP):
    """``GradworkMLP``'s step under ``autograd.compile``: traced on the first two calls, replayed after."""

    uses = "autograd.compile over nn.Sequential, nn.functional losses, optim"

    def __init__(self, params: list, opt: str) -> None:
        import autograd

        super().__init__(params, opt)
        self._step = autograd.compile(self.loss_step)

    def step(self, X: Any, target: Any) -> float:
        return float(self._step(X, target).data)


@contextlib.contextmanager
def backend(name: str):
    import autograd

    previous = autograd.get_backend()
    autograd.set_backend(name)
    try:
        yield
    finally:
        autograd.set_backend(previous)


# ------------------------------------------------------------------------ torch


def torch_side(params: list, opt: str, X: np.ndarray, target: np.ndarray) -> Callable | None:
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    layers = []
    for i, (w, b) in enumerate(params):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.from_numpy(w).dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(params) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR["sgd"]) if opt == "sgd" else \
        torch.optim.Adam(model.parameters(), lr=LR["adam"])
    tx = torch.from_numpy(X)
    tt = torch.from_numpy(target)
    loss_fn = F.mse_loss if target.ndim == 2 else F.cross_entropy

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(tx), tt)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


# -------------------------------------------------------------------- the runs


SIDES = ("numpy", "gradwork (numpy)", "gradwork (numba)", "gradwork by hand (numpy)", "gradwork by hand (numba)",
         "gradwork compiled (numba)", "torch")


def side_code(side: str, config: int, opt: str) -> str:
    """The snippet that builds one side's ``step`` for CONFIGS[config] in a fresh process (see bench/fair.py)."""
    head = f"from bench.train import CONFIGS, problem\n_, sizes, batch, dtype = CONFIGS[{config}]\n" \
           "X, target, params = problem(sizes, batch, dtype)\n"
    if side == "numpy":
        return head + f"from bench.train import NumpyMLP\nm = NumpyMLP(params, {opt!r})\n" \
                      "step = lambda: m.step(X, target)\n"
    if side == "torch":
        return head + f"from bench.train import torch_side\nstep = torch_side(params, {opt!r}, X, target)\n" \
                      "import torch\ninfo = {'threads': torch.get_num_threads(), 'version': torch.__version__}\n"
    backend = "numba" if "numba" in side else "numpy"
    cls = "HandMLP" if "by hand" in side else "CompiledMLP" if "compiled" in side else "GradworkMLP"
    return ("import autograd\n" + head + f"autograd.set_backend({backend!r})\n"
            f"from bench.train import {cls}\nm = {cls}(params, {opt!r})\ntX = autograd.Tensor(X)\n"
            "step = lambda: m.step(tX, target)\n"
            "from autograd.kernels import numba_backend as NB\n"
            "info = {'uses': m.uses, 'numba_threads': NB.parallel_allowed() if "
            f"{backend!r} == 'numba' else None}}\n")


def train_rows(configs: list, opts: tuple, rounds: int, with_numba: bool = True) -> list[dict]:
    """One row per (MLP, optimiser): each side's median step time, every side in its own process."""
    rows = []
    for name, *_ in configs:
        index = [c[0] for c in CONFIGS].index(name)
        for opt in opts:
            sides = [s for s in SIDES if with_numba or "numba" not in s]
            try:
                import torch  # noqa: F401
            except ImportError:
                sides.remove("torch")
            res = compare({s: side_code(s, index, opt) for s in sides}, rounds=rounds, round_s=0.1)
            firsts = [v for v in res["first"].values() if v is not None]
            rows.append({"config": name, "opt": opt, **res["seconds"],
                         "optimiser_via": GradworkMLP.uses, "by_hand_via": HandMLP.uses,
                         "torch_threads": res["info"].get("torch", {}).get("threads"),
                         "numba_threads_in_process": res["info"].get("gradwork (numba)", {}).get("numba_threads"),
                         "first_losses_agree": bool(np.allclose(firsts, firsts[0], rtol=1e-4))})
    return rows


TIMEOUTS = ("4", "12", "20", "28")  # 28 is OpenBLAS's own default (idle threads spin about 2**28 cycles)
DEFAULT_TIMEOUT = "20"  # what autograd/__init__.py sets when the variable is unset


def timeout_rows(configs: list, rounds: int) -> list[dict]:
    """gradwork's nn step (Numba backend, SGD) under each OPENBLAS_THREAD_TIMEOUT, one process per setting."""
    rows = []
    for name, *_ in configs:
        index = [c[0] for c in CONFIGS].index(name)
        code = side_code("gradwork (numba)", index, "sgd")
        label = {v: f"OPENBLAS_THREAD_TIMEOUT={v}" for v in TIMEOUTS}
        res = compare({label[v]: code for v in TIMEOUTS}, rounds=rounds, round_s=0.1,
                      env={label[v]: {"OPENBLAS_THREAD_TIMEOUT": v} for v in TIMEOUTS})
        rows.append({"config": name, "seconds": res["seconds"]})
    return rows


def overhead_rows(rounds: int) -> list[dict]:
    """Per-op cost on a (32, 64) float64 array: the engine (recording, and under no_grad) vs the numpy call."""
    import autograd
    from autograd import Tensor

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((32, 64)), rng.standard_normal((32, 64))
    ta, tb = Tensor(a, requires_grad=True), Tensor(b)
    ca = Tensor(a)
    rows = []
    for op, np_fn, rec_fn, const_fn in [
        ("a + b", lambda: np.add(a, b), lambda: ta + tb, lambda: ca + tb),
        ("a * b", lambda: np.multiply(a, b), lambda: ta * tb, lambda: ca * tb),
        ("relu(a)", lambda: np.maximum(a, 0), lambda: ta.relu(), lambda: ca.relu()),
        ("a.sum()", lambda: a.sum(), lambda: ta.sum(), lambda: ca.sum()),
    ]:
        t = interleaved({"numpy": np_fn, "recorded": rec_fn, "constant": const_fn,
                         "no_grad": (rec_fn, autograd.no_grad)}, rounds=rounds, round_s=0.01)
        rows.append({"op": op, **t})
    return rows
