"""Cases 1 and 2: scalar mode against micrograd 0.1.0, and a 1,000,000-op chain.

Case 1 is micrograd's demo step: MLP 2-16-16-1 (ReLU, linear output) on 100
two-moons points, max-margin loss with L2 regularisation, backward, SGD.
Every side starts from the same weights, in its own fresh process
(bench/fair.py), with the garbage collector on and never run by hand
(micrograd's graphs are reference cycles that only the collector frees; ours
are not, but the collector still scans the objects a graph allocates):

* ``micrograd 0.1.0``: micrograd's own engine and ``nn.py``;
* ``micrograd's nn.py on gradwork Value``: micrograd's classes unchanged,
  with ``autograd.Value`` in place of micrograd's (a micrograd user's script);
* ``gradwork Value``: the MLP written on ``autograd.Value`` directly, one
  ``Value.sum`` node per neuron;
* ``nn.MLP(mode="scalar")``: gradwork's own layers in scalar mode.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from typing import Any

import numpy as np

from .common import run_script
from .fair import compare

SIZES = (2, 16, 16, 1)


def moons(n: int = 100, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, labels -1/+1 (scikit-learn's make_moons when present)."""
    try:
        from sklearn.datasets import make_moons

        X, y = make_moons(n_samples=n, noise=0.1, random_state=seed)
    except ImportError:
        rng = np.random.default_rng(seed)
        t = rng.uniform(0, np.pi, n)
        y = rng.integers(0, 2, n)
        X = np.stack([np.cos(t) + y, np.sin(t) * (1 - 2 * y) + 0.5 * y], 1) + rng.normal(0, 0.1, (n, 2))
    return X, y * 2 - 1


def initial_weights(seed: int = 0) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights, bias), uniform in [-1, 1) like micrograd, bias 0."""
    rng = random.Random(seed)
    return [[([rng.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
            for nin, nout in zip(SIZES[:-1], SIZES[1:])]


class ValueMLP:
    """The demo MLP in gradwork's scalar mode: every weight a ``Value``, every multiply a node."""

    def __init__(self, weights: list) -> None:
        from autograd import Value

        self.layers = [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]

    def __call__(self, x: list) -> Any:
        from autograd import Value

        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = [Value.sum([w * xi for w, xi in zip(ws, x)], b) for ws, b in layer]
            x = out if i == last else [v.relu() for v in out]
        return x[0]


def ours_step(model: ValueMLP, X: np.ndarray, y: np.ndarray, lr: float = 0.05, alpha: float = 1e-4) -> float:
    from autograd import Value

    inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -float(yi) * s).relu() for yi, s in zip(y, scores)]
    data_loss = Value.sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * Value.sum([p * p for p in model.params])
    total = data_loss + reg_loss
    for p in model.params:
        p.grad = 0.0
    total.backward()
    for p in model.params:
        p.data -= lr * p.grad
    return total.data


def micrograd_model(weights: list) -> Any:
    from micrograd.engine import Value as MValue
    from micrograd.nn import MLP

    model = MLP(SIZES[0], list(SIZES[1:]))
    for layer, wl in zip(model.layers, weights):
        for neuron, (ws, b) in zip(layer.neurons, wl):
            neuron.w = [MValue(w) for w in ws]
            neuron.b = MValue(b)
    return model


def micrograd_step(model: Any, X: np.ndarray, y: np.ndarray, lr: float = 0.05, alpha: float = 1e-4) -> float:
    from micrograd.engine import Value as MValue

    inputs = [list(map(MValue, row)) for row in X.tolist()]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y.tolist(), scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def nn_scalar_model(weights: list) -> Any:
    """``nn.MLP(2, [16, 16, 1], mode="scalar")`` holding the same weights."""
    import nn

    model = nn.MLP(SIZES[0], list(SIZES[1:]), mode="scalar")
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for lin, wl in zip(linears, weights):
        for j, (ws, b) in enumerate(wl):
            for i, w in enumerate(ws):
                lin.weight[j, i].data = w
            lin.bias[j].data = b
    return model


def nn_scalar_step(model: Any, X: np.ndarray, y: np.ndarray, lr: float = 0.05, alpha: float = 1e-4) -> float:
    from autograd import Value
    from nn.module import parameter_values

    params = [v for p in model.parameters() for v in parameter_values(p)]
    scores = model(X).ravel()
    losses = [(1 + -float(yi) * s).relu() for yi, s in zip(y, scores)]
    total = Value.sum(losses) * (1.0 / len(losses)) + alpha * Value.sum([p * p for p in params])
    for p in params:
        p.grad = 0.0
    total.backward()
    for p in params:
        p.data -= lr * p.grad
    return total.data


def compiled_step(model: ValueMLP, X: np.ndarray, y: np.ndarray, lr: float = 0.05, alpha: float = 1e-4) -> Any:
    """``ours_step`` under ``autograd.compile`` (the update by ``optim.SGD``, so the replay repeats it)."""
    import autograd
    import optim
    from autograd import Value

    opt = optim.SGD(model.params, lr=lr)

    @autograd.compile
    def step() -> Any:
        inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
        scores = [model(x) for x in inputs]
        losses = [(1 + -float(yi) * s).relu() for yi, s in zip(y, scores)]
        total = Value.sum(losses) * (1.0 / len(losses)) + alpha * Value.sum([p * p for p in model.params])
        opt.zero_grad()
        total.backward()
        opt.step()
        return total

    return lambda: step().data


_HEAD = "from bench.scalar import moons, initial_weights\nX, y = moons()\nweights = initial_weights()\n"
SIDE_CODE = {
    "micrograd 0.1.0": _HEAD + "from bench.scalar import micrograd_model, micrograd_step\n"
                               "m = micrograd_model(weights)\nstep = lambda: micrograd_step(m, X, y)\n",
    "micrograd's nn.py on gradwork Value": _HEAD + "import autograd, micrograd.engine, micrograd.nn\n"
        "micrograd.engine.Value = micrograd.nn.Value = autograd.Value\n"
        "from bench.scalar import micrograd_model, micrograd_step\n"
        "m = micrograd_model(weights)\nstep = lambda: micrograd_step(m, X, y)\n",
    "gradwork Value": _HEAD + "from bench.scalar import ValueMLP, ours_step\n"
                              "m = ValueMLP(weights)\nstep = lambda: ours_step(m, X, y)\n",
    "gradwork Value, compiled": _HEAD + "import autograd\nautograd.set_backend('numba')\n"
                                        "from bench.scalar import ValueMLP, compiled_step\n"
                                        "step = compiled_step(ValueMLP(weights), X, y)\n",
    'nn.MLP(mode="scalar")': _HEAD + "from bench.scalar import nn_scalar_model, nn_scalar_step\n"
                                     "m = nn_scalar_model(weights)\nstep = lambda: nn_scalar_step(m, X, y)\n",
}
GC_SHARE = """
import gc, time
from bench.scalar import moons, initial_weights, ValueMLP, ours_step
X, y = moons()
m = ValueMLP(initial_weights())
spent = [0.0]
def track(phase, info, _t=[0.0]):
    if phase == "start":
        _t[0] = time.perf_counter()
    else:
        spent[0] += time.perf_counter() - _t[0]
ours_step(m, X, y)
gc.callbacks.append(track)
t0 = time.perf_counter()
for _ in range(5):
    ours_step(m, X, y)
total = time.perf_counter() - t0
gc.callbacks.remove(track)
import json
print(json.dumps({"gc_share": spent[0] / total, "step_s": total / 5}))
"""


def demo_step(rounds: int) -> dict:
    """Case 1: seconds per demo step for each side, each in its own process, and the ratios."""
    sides = dict(SIDE_CODE)
    result: dict[str, Any] = {}
    try:
        import micrograd  # noqa: F401
    except ImportError:
        sides = {k: v for k, v in sides.items() if "micrograd" not in k}
        result["micrograd"] = "not installed"
    res = compare(sides, rounds=rounds, round_s=0.0, pause_s=0.05, warmup=1)
    result.update(res["seconds"])
    firsts = [v for v in res["first"].values() if v is not None]
    result["same_first_loss"] = bool(np.allclose(firsts, firsts[0], rtol=1e-9))
    if "micrograd 0.1.0" in res["seconds"]:
        result["speedup"] = {k: res["seconds"]["micrograd 0.1.0"] / v for k, v in res["seconds"].items()}
    result["nodes_per_step"] = _count_nodes(ValueMLP(initial_weights()), *moons())
    result["gc_share"] = run_script(GC_SHARE)["gc_share"]
    return result


def _count_nodes(model: ValueMLP, X: np.ndarray, y: np.ndarray) -> int:
    from autograd import Value, topological_order

    inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
    losses = [(1 + -float(yi) * model(x)).relu() for yi, x in zip(y, inputs)]
    total = Value.sum(losses) * (1.0 / len(losses)) + 1e-4 * Value.sum([p * p for p in model.params])
    return len(topological_order([total]))


# ----------------------------------------------------------------- case 2


def chain(n: int) -> dict:
    """Build y = x * c * c * ... (n multiplies) and backward: seconds per node for each phase."""
    from autograd import Value

    gc.collect()
    x, c = Value(1.0), Value(1.0 + 1e-7)
    t0 = time.perf_counter()
    y = x
    for _ in range(n):
        y = y * c
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    ok = abs(x.grad - (1.0 + 1e-7) ** n) < 1e-9 * x.grad
    del y
    t3 = time.perf_counter()
    return {"n": n, "build_per_node": (t1 - t0) / n, "backward_per_node": (t2 - t1) / n,
            "free_s": t3 - t2, "grad_correct": ok}


def tensor_chain(n: int) -> dict:
    """The same chain in tensor mode (shape (1,) tensors): the engine's per-op cost, not numpy's."""
    from autograd import Tensor

    x = Tensor([1.0], requires_grad=True)
    c = Tensor([1.0 + 1e-7])
    t0 = time.perf_counter()
    y = x
    for _ in range(n):
        y = y * c
    t1 = time.perf_counter()
    y.sum().backward()
    t2 = time.perf_counter()
    return {"n": n, "build_per_node": (t1 - t0) / n, "backward_per_node": (t2 - t1) / n}


def micrograd_chain(sizes: tuple = (100, 500, 1_000, 10_000)) -> list[dict]:
    """micrograd's recursive topological sort: the chain length where backward fails."""
    try:
        from micrograd.engine import Value as MValue
    except ImportError:
        return [{"error": "micrograd not installed"}]
    out = []
    for n in sizes:
        x, c = MValue(1.0), MValue(1.0 + 1e-7)
        t0 = time.perf_counter()
        y = x
        for _ in range(n):
            y = y * c
        t1 = time.perf_counter()
        try:
            y.backward()
            out.append({"n": n, "build_per_node": (t1 - t0) / n, "backward_per_node": (time.perf_counter() - t1) / n})
        except RecursionError:
            out.append({"n": n, "error": f"RecursionError (recursion limit {sys.getrecursionlimit()})"})
            break
        finally:
            del y
            gc.collect()
    return out
