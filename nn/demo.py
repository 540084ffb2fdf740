"""The demo: ``gradwork-demo`` or ``python -m nn.demo`` (``--quick`` for a faster run).

1. Generate two moons, split them, standardise with training statistics.
2. Train a small MLP in tensor mode with a progress bar; print held-out accuracy.
3. Show the same model in scalar mode: one Value per weight, the same outputs
   and gradients, and what one prediction's graph looks like.
4. Draw one neuron's scalar graph after backward and the trained network to files.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import numpy as np

import optim
from autograd import Value, topological_order

from . import datasets
from .data import StandardScaler, train_test_split
from .layers import MLP
from .losses import BCEWithLogitsLoss
from .modes import numbers
from .train import Trainer, accuracy


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="gradwork-demo", description="Train a small network end to end on two moons.")
    p.add_argument("--quick", action="store_true", help="fewer samples and epochs (a few seconds)")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 60, or 20 with --quick)")
    p.add_argument("--seed", type=int, default=0, help="seed for the data and the weights")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--out", default="gradwork-demo-out", help="folder for the drawings (default gradwork-demo-out)")
    args = p.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        p.error("--epochs must be at least 1")
    return args


def train_tensor_model(args: argparse.Namespace) -> dict[str, Any]:
    """Steps 1 and 2: data, a 2-16-16-1 MLP in tensor mode, Adam, held-out accuracy."""
    n = 300 if args.quick else 1000
    epochs = args.epochs if args.epochs is not None else (20 if args.quick else 60)
    X, y = datasets.make_moons(n, noise=0.15, seed=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=args.seed, stratify=True)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    model = MLP(2, [16, 16, 1], activation="relu", seed=args.seed)
    print(f"Two moons: {len(X_train)} training and {len(X_test)} held-out points, standardised on the training set.")
    print(f"Model ({model.num_parameters()} weights, tensor mode):\n{model}\n")
    trainer = Trainer(model, BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.01),
                      progress=not args.no_progress)
    history = trainer.fit(X_train, y_train, epochs=epochs, batch_size=32, seed=args.seed,
                          validation_data=(X_test, y_test))
    result = trainer.evaluate(X_test, y_test)
    print(f"\nHeld-out accuracy: {result['accuracy']:.1%}  (loss {result['loss']:.4f}, "
          f"training accuracy {history['accuracy'][-1]:.1%})")
    return dict(model=model, X_test=X_test, y_test=y_test, history=history, accuracy=result["accuracy"])


def show_scalar_mode(model: MLP, X_test: np.ndarray, y_test: np.ndarray) -> MLP:
    """Step 3: the trained model converted to scalar mode gives the same numbers, one Value per weight."""
    scalar = model.to_scalar()
    print(f"\nThe same model in scalar mode: {len(scalar.parameters())} Values, one per weight.")
    few, few_y = X_test[:5], y_test[:5].reshape(-1, 1)  # one target per output: the model's (5, 1)
    diff = np.abs(numbers(scalar(few)) - numbers(model(few))).max()
    print(f"Outputs on 5 held-out points agree with tensor mode to {diff:.1e}.")

    loss_fn = BCEWithLogitsLoss()
    model.zero_grad()
    loss_fn(model(few), few_y).backward()
    loss_fn(scalar(few), few_y).backward()
    gdiff = max(np.abs(p.grad.data - numbers(np.vectorize(lambda v: v.grad, otypes=[float])(q))).max()
                for p, (_, q) in zip(model.parameters(), scalar.named_parameters()))
    print(f"Gradients of the loss on those points agree to {gdiff:.1e}.")
    acc = accuracy(scalar(X_test), y_test)
    print(f"Held-out accuracy computed node by node in scalar mode: {acc:.1%}")

    out = scalar(few[0])[0]  # one prediction: a Value at the top of its graph
    nodes = topological_order([out])
    leaves = [v for v in nodes if not v._parents]
    weights = sum(1 for v in leaves if v.label)
    kinds: dict[str, int] = {}
    for v in nodes:
        if v._parents:
            kinds[v.op] = kinds.get(v.op, 0) + 1
    counts = ", ".join(f"{c} {k!r}" for k, c in sorted(kinds.items()))
    print(f"One prediction is a graph of {len(nodes)} Values: {weights} weights, {len(leaves) - weights} input "
          f"numbers, and {counts} nodes (one 'sum' per neuron).")
    w, b = scalar[0].weight, scalar[0].bias
    terms = " + ".join(f"({w[0, i].data:+.3f})({x:+.3f})" for i, x in enumerate(few[0]))
    z = Value.sum([wi * float(x) for wi, x in zip(w[0], few[0])], b[0])
    print(f"First hidden neuron on that point: relu({terms} + ({b[0].data:+.3f})) = relu({z.data:+.4f}) "
          f"= {z.relu().data:.4f}")
    return scalar


def show_drawings(model: MLP, scalar: MLP, data: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """Step 4: one neuron's scalar graph after backward, and the trained network, written to files."""
    from autograd import draw_graph, draw_network, save_drawing

    os.makedirs(args.out, exist_ok=True)
    x = data["X_test"][0]
    w, b = scalar[0].weight, scalar[0].bias
    # the hidden neuron most active on this point, so its gradients are not all zero
    j = int(np.argmax([sum(w[k, i].data * x[i] for i in range(len(x))) + b[k].data for k in range(w.shape[0])]))
    xs = [Value(float(v), label=f"x{i + 1}") for i, v in enumerate(x)]
    ws = [Value(w[j, i].data, label=f"w{i + 1}") for i in range(len(x))]
    bj = Value(b[j].data, label="b")
    z = Value.sum([wi * xi for wi, xi in zip(ws, xs)], bj)
    z.label = "z"
    out = z.relu()
    out.label = "out"
    out.backward()
    params = {**{wi.label: wi for wi in ws}, "b": bj}  # drawn in the parameter colour, as in the network diagram
    title = f"hidden neuron {j + 1} of layer 1 on held-out point 1, after backward"
    paths = [
        save_drawing(draw_graph(out, params=params, title=title), os.path.join(args.out, "neuron")),
        save_drawing(draw_network(model, title="the trained 2-16-16-1 network"), os.path.join(args.out, "network")),
    ]
    why = ("so its ReLU passes gradient back and every weight gets one: "
           f"d out / d w1 = {ws[0].grad:+.3f} = x1" if out.data > 0 else
           "but this point switches every neuron of layer 1 off, so no gradient passes its ReLU")
    print(f"\nDrawings: hidden neuron {j + 1} of layer 1 (numbered as in the network diagram), the one most active "
          f"on held-out point 1,\n          {why} -> {paths[0]}")
    print(f"          the trained network (edge colour = sign, width = size of the weight; each neuron shows its "
          f"number and bias) -> {paths[1]}")
    return paths


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    data = train_tensor_model(args)
    scalar = show_scalar_mode(data["model"], data["X_test"], data["y_test"])
    show_drawings(data["model"], scalar, data, args)
    print(f"\nDone in {time.perf_counter() - start:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
