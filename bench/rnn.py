"""An LSTM layer's training step, gradwork against PyTorch CPU.

    python -m bench.rnn [--rounds 5] [--steps 20] [--threads N]

Method. The step: ``nn.LSTM(128, 128)`` on a float32 sequence of 50 steps and
batch 32 (input (50, 32, 128)), mean squared error of the whole output
against a fixed random target, backward through all 50 steps, and an SGD
update (lr 0.01); both sides start from the same weights (torch's, loaded
through ``state_dict``) and data. gradwork runs its public API on the Numba
backend (``set_backend("numba")``): one cell op per step, its gate epilogue
in one Numba kernel each way, the products through numpy's BLAS. torch runs
``torch.nn.LSTM``. Both get the same thread count, ``--threads`` (default:
``os.cpu_count()``): ``torch.set_num_threads`` on one side, and
``OPENBLAS_NUM_THREADS``/``NUMBA_NUM_THREADS`` on the other (set in each
process's environment, with ``OMP_NUM_THREADS``).

Each side runs in its own fresh Python process, one process per side per
round, the two sides taking turns (the order flipped every round), so that
neither inherits the other's thread pools, caches or allocator state, and a
slow spell of a shared machine hits both. A process builds the model, takes
3 untimed warm-up steps (compilation, caches) and times ``--steps`` steps
one by one; it reports the median. The table gives, per side, the median
over rounds of those medians, the spread (min..max over rounds), and the
ratio gradwork / torch.
"""

from __future__ import annotations

import argparse
import os

from .common import fmt_time, median, run_script

T, B, H, I = 50, 32, 128, 128

_SETUP = f"""
import json, os, time
import numpy as np
T, B, H, I = {T}, {B}, {H}, {I}
rng = np.random.default_rng(0)
X = rng.standard_normal((T, B, I)).astype(np.float32)
Y = rng.standard_normal((T, B, H)).astype(np.float32)
import torch
torch.manual_seed(0)
torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
ref = torch.nn.LSTM(I, H)
state = {{k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}}
"""

GRADWORK = _SETUP.replace("import torch\n", "import autograd\nautograd.set_backend('numba')\nimport torch\n") + """
import nn, optim
import nn.functional as F
from autograd import Tensor
model = nn.LSTM(I, H)
model.load_state_dict(state)
model.float()
opt = optim.SGD(model.parameters(), lr=0.01)
x, y = Tensor(X), Tensor(Y)

def step():
    opt.zero_grad()
    out, _ = model(x)
    loss = F.mse_loss(out, y)
    loss.backward()
    opt.step()
    return loss.item()
"""

TORCH = _SETUP + """
model = ref
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.tensor(X), torch.tensor(Y)

def step():
    opt.zero_grad()
    out, _ = model(x)
    loss = torch.nn.functional.mse_loss(out, y)
    loss.backward()
    opt.step()
    return loss.item()
"""

_TIMING = """
for _ in range(3):
    first = step()
times = []
for _ in range({steps}):
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
print(json.dumps({{"median": float(np.median(times)), "first_loss": first}}))
"""


def run(rounds: int = 5, steps: int = 20, threads: int | None = None) -> dict:
    sides = {"gradwork (numba)": GRADWORK, "torch": TORCH}
    taken: dict[str, list[float]] = {k: [] for k in sides}
    losses: dict[str, float] = {}
    names = list(sides)
    n = str(threads or os.cpu_count())
    env = {"BENCH_THREADS": n, "OPENBLAS_NUM_THREADS": n, "NUMBA_NUM_THREADS": n, "OMP_NUM_THREADS": n}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            res = run_script(sides[name] + _TIMING.format(steps=steps), env=env)
            taken[name].append(res["median"])
            losses[name] = res["first_loss"]
    return {"times": taken, "losses": losses}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    print(__doc__.split("\n\n", 2)[2].strip())
    print(f"\nLSTM({I}, {H}), sequence {T}, batch {B}, float32, {args.threads} thread(s) each, "
          f"{args.rounds} rounds x {args.steps} steps\n")
    res = run(args.rounds, args.steps, args.threads)
    ours = median(res["times"]["gradwork (numba)"])
    theirs = median(res["times"]["torch"])
    print(f"{'side':18s} {'median step':>12s} {'min..max over rounds':>26s} {'loss after warm-up':>20s}")
    for name, ts in res["times"].items():
        spread = f"{fmt_time(min(ts))}..{fmt_time(max(ts))}"
        print(f"{name:18s} {fmt_time(median(ts)):>12s} {spread:>26s} {res['losses'][name]:20.6f}")
    print(f"\nratio gradwork / torch: {ours / theirs:.2f}x (target: within 1.5x)")


if __name__ == "__main__":
    main()
