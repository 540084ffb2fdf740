"""autograd.animate_backward: the recorded steps of backward agree with backward(); the HTML view stands alone."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value, animate_backward, draw_text
from autograd.viz.animate import MAX_NODES, backward_steps

pytestmark = pytest.mark.numpy_only  # the view reads Values' numbers; the tensor backend cannot matter


def random_graph(seed: int) -> tuple[Value, list[Value]]:
    """A random scalar expression over four leaves, with reused nodes and every kind of op."""
    rng = np.random.default_rng(seed)
    leaves = [Value(float(rng.uniform(0.2, 1.5)), label=f"x{i}") for i in range(4)]
    pool = list(leaves)
    ops = [
        lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a / (b * b + 1.0),
        lambda a, b: (a * 0.5).tanh() + b, lambda a, b: a.exp() * 0.1 + b.sigmoid(), lambda a, b: (a * a + 0.1).log(),
        lambda a, b: a.relu() * b, lambda a, b: a ** 2 - b, lambda a, b: Value.sum([a, b, a]),
    ]
    for _ in range(12):
        i, j = rng.integers(0, len(pool), size=2)
        pool.append(ops[int(rng.integers(0, len(ops)))](pool[i], pool[j]))
    return Value.sum(pool[-4:]), leaves


@pytest.mark.parametrize("seed", range(6))
def test_steps_end_with_backwards_gradients(seed: int) -> None:
    out, leaves = random_graph(seed)
    data = backward_steps(out)
    out.backward()
    by_name = {n["name"]: n["grad"] for n in data["nodes"] if n["name"]}
    for leaf in leaves:
        assert by_name.get(leaf.label, 0.0) == pytest.approx(leaf.grad, rel=1e-12, abs=1e-15)
    # the graph was not touched: backward() above gave the ordinary answer, nothing was accumulated twice
    again = backward_steps(out)
    assert [n["grad"] for n in again["nodes"]] == [n["grad"] for n in data["nodes"]]


def test_each_step_is_local_derivative_times_incoming_gradient() -> None:
    out, _ = random_graph(3)
    data = backward_steps(out)
    steps = data["steps"]
    assert steps[0]["seed"] and steps[0]["grad"] == 1.0 and steps[0]["node"] == data["root"]
    totals: dict[str, float] = {data["root"]: 1.0}
    visited = set()
    by_id = {n["id"]: n for n in data["nodes"]}
    for st in steps[1:]:
        node = by_id[st["node"]]
        assert node["parents"], "only computed nodes get a step"
        # a node's gradient is complete when it is visited: nobody visited later used it
        for later in steps[steps.index(st) + 1:]:
            assert st["node"] not in by_id[later["node"]]["parents"]
        assert st["grad"] == pytest.approx(totals.get(st["node"], 0.0), rel=1e-12, abs=1e-300)
        assert [e["parent"] for e in st["edges"]] == node["parents"]
        for e in st["edges"]:
            assert e["product"] == pytest.approx(e["local"] * st["grad"], rel=1e-12, abs=1e-300)
            totals[e["parent"]] = totals.get(e["parent"], 0.0) + e["product"]
            assert e["total"] == pytest.approx(totals[e["parent"]], rel=1e-12, abs=1e-300)
        visited.add(st["node"])
    assert visited == {n["id"] for n in data["nodes"] if n["parents"]}


def test_local_derivatives_match_central_differences() -> None:
    a, b = Value(0.7, label="a"), Value(-1.3, label="b")
    out = (a * b).tanh() + (a / b).exp()
    data = backward_steps(out)
    step = next(s for s in data["steps"] if not s["seed"] and len(s["edges"]) == 2
                and data["nodes"][int(s["node"][1:])]["op"] == "/")
    h = 1e-6
    da = ((a.data + h) / b.data - (a.data - h) / b.data) / (2 * h)
    db = (a.data / (b.data + h) - a.data / (b.data - h)) / (2 * h)
    assert step["edges"][0]["local"] == pytest.approx(da, rel=1e-6)
    assert step["edges"][1]["local"] == pytest.approx(db, rel=1e-6)


def test_a_node_used_twice_gets_both_contributions() -> None:
    a = Value(3.0, label="a")
    out = a * a  # d/da = 2a, passed back as a then b (both the same Value)
    data = backward_steps(out)
    assert {n["name"]: n["grad"] for n in data["nodes"]}["a"] == 6.0


def test_hand_built_node_with_its_own_backward() -> None:
    x = Value(2.0, label="x")
    out = Value(x.data ** 3, (x,), "cube")

    def _backward() -> None:
        x.grad += 3 * x.data ** 2 * out.grad

    out._backward = _backward
    data = backward_steps(out)
    assert data["steps"][1]["edges"][0]["local"] == 12.0
    assert {n["name"]: n["grad"] for n in data["nodes"]}["x"] == 12.0


def test_names_match_draw_graph_and_model_parameters() -> None:
    model = nn.MLP(2, [3, 1], activation="tanh", mode="scalar", seed=0)
    x = np.array([[Value(0.5, label="x1"), Value(-1.0, label="x2")]], dtype=object)
    loss = (model(x)[0, 0] - 1.0) ** 2
    data = backward_steps(loss, params=model)
    names = {n["name"] for n in data["nodes"]}
    assert {"0.weight[2,1]", "0.bias[0]", "2.weight[0,2]", "x1", "x2"} <= names
    kinds = {n["name"]: n["kind"] for n in data["nodes"]}
    assert kinds["0.weight[0,0]"] == "param" and kinds["x1"] == "input"
    text = draw_text(loss, params=model)  # the same walk names the same nodes
    assert "0.weight[2,1]" in text
    loss.backward()
    grads = {n["name"]: n["grad"] for n in data["nodes"]}
    for name, p in model.named_parameters():
        for idx in np.ndindex(p.shape):
            key = f"{name}[{','.join(map(str, idx))}]"
            assert grads[key] == pytest.approx(p[idx].grad, rel=1e-12, abs=1e-300)


def test_layout_puts_each_node_right_of_its_inputs() -> None:
    out, _ = random_graph(1)
    data = backward_steps(out)
    by_id = {n["id"]: n for n in data["nodes"]}
    spots = set()
    for n in data["nodes"]:
        for p in n["parents"]:
            assert by_id[p]["col"] < n["col"]
        spots.add((n["col"], n["row"]))
    assert len(spots) == len(data["nodes"])  # no two nodes on top of each other


def test_html_is_self_contained_and_saves(tmp_path) -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    view = animate_backward(c, title="a </script> title")
    html = view._repr_html_()
    assert "GradworkBackward.mount(document.getElementById(" in html and '"gw-step"' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", view.to_html()), "nothing may load from the network"
    assert "</script> title" not in html  # the title cannot close the script early
    path = view.save(tmp_path / "view")
    assert path.endswith("view.html")
    text = (tmp_path / "view.html").read_text(encoding="utf-8")
    payload = re.search(r'GradworkBackward\.mount\(document\.getElementById\("\w+"\), (.*), \{title: ', text).group(1)
    data = json.loads(payload.replace("<\\/", "</"))
    assert {n["name"]: n["grad"] for n in data["nodes"]}["a"] == -2.0
    assert repr(view) == "BackwardAnimation(4 nodes, 3 steps)"


def test_non_finite_numbers_become_text() -> None:
    a = Value(float("-inf"), label="a")
    out = a * 2.0  # -inf; the derivative towards the constant 2 is a = -inf
    data = backward_steps(out)
    json.dumps(data, allow_nan=False)
    assert data["nodes"][-1]["data"] == "-inf"
    assert math.isinf(float(data["steps"][1]["edges"][1]["local"]))


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="expected a scalar-mode Value .*to_scalar"):
        animate_backward(Tensor(np.ones(3)).sum())
    with pytest.raises(TypeError, match="expected a scalar-mode Value.*got str"):
        animate_backward("loss")
    big = Value.sum(Value(float(i)) * 2.0 for i in range(MAX_NODES))
    with pytest.raises(ValueError, match="more than 2000 can be shown"):
        animate_backward(big)
    view = animate_backward(Value(1.0) * 2.0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        view.save("/nonexistent-folder-gradwork/x.html")


def test_exported_from_autograd() -> None:
    assert autograd.animate_backward is animate_backward
    assert "animate_backward" in autograd.__all__
