"""Network diagrams: neurons and weighted edges from nn models, duck-typed models and plain triples."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, draw_network, network_source


pytestmark = pytest.mark.numpy_only  # diagrams read weights; the backend cannot matter

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"
POSITIVE, NEGATIVE = "#1d4ed8", "#ea580c"
GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name>; GRADWORK_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("GRADWORK_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        pytest.skip(f"rewrote {path}")
    assert text == path.read_text(encoding="utf-8"), f"DOT text differs from {path}"


def small_net() -> list:
    """2 inputs -> 3 tanh -> 1 linear output, with easy weights of both signs."""
    w1 = np.array([[1.0, -0.5], [0.25, 2.0], [-1.5, 0.0]])
    b1 = np.array([0.1, -0.2, 0.0])
    w2 = np.array([[0.5, -1.0, 2.0]])
    return [(w1, b1, "tanh"), (w2, None, None)]


def edges(dot: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) of every edge statement."""
    return re.findall(r"^\t(\w+) -> (\w+) \[(.*)\]$", dot, flags=re.M)


def neurons(dot: str) -> list[str]:
    return re.findall(r"^\t(L\d+_\d+) \[", dot, flags=re.M)


def test_golden_small_network():
    check_golden("network_small.dot", network_source(small_net(), input_names=["x", "y"]))


def test_same_model_gives_identical_dot_text():
    assert network_source(small_net()) == network_source(small_net())


def test_edges_coloured_by_sign_and_sized_by_magnitude():
    dot = network_source(small_net())
    found = edges(dot)
    assert len(found) == 2 * 3 + 3 * 1
    weights, widths = [], []
    for _, _, attrs in found:
        colour = re.search(r'color="(#[0-9a-f]{6})', attrs).group(1)
        w = float(re.search(r'tooltip="weight from \w+ to neuron \d+: ([-\d.e]+)"', attrs).group(1))
        assert colour == (POSITIVE if w > 0 else NEGATIVE if w < 0 else "#9ca3af")
        weights.append(abs(w))
        widths.append(float(re.search(r"penwidth=([\d.]+)", attrs).group(1)))
    order = np.argsort(weights, kind="stable")
    assert [widths[i] for i in order] == sorted(widths)  # wider edge, larger |w|
    assert max(widths) == 3.5 and widths[int(np.argmax(weights))] == 3.5
    # weight[out=0, in=1] = -0.5 joins the second input, x2, to hidden neuron 1 (numbered from 1, as drawn)
    assert re.search(r'^\tL0_1 -> L1_0 \[[^]]*tooltip="weight from x2 to neuron 1: -0.5"', dot, flags=re.M)


def test_neurons_show_their_activation_and_layers_their_size():
    dot = network_source(small_net(), input_names=["x", "y"], output_names=["price"])
    assert 'label="hidden 1 · 3 · tanh"' in dot
    assert 'label="output · 1 · linear"' in dot
    for k in (1, 2, 3):  # each hidden neuron: its number, activation and bias
        assert re.search(rf"L1_{k - 1} \[label=<<b>{k}</b><br/>tanh<br/><font[^>]*>b [-\d.]+</font>>", dot)
    assert "label=<<b>price</b><br/>linear" in dot and "label=x " in dot and "label=y " in dot
    assert "bias -0.2" in dot and "hidden neuron 1 of layer 1" in dot  # in the neuron's tooltip


def test_inputs_are_numbered_from_one_as_in_a_neurons_graph_and_the_legend_is_round():
    dot = network_source(small_net())
    assert "L0_0 [label=x1 " in dot and "L0_1 [label=x2 " in dot
    assert "widest edge |w| ≈ 0.8" in dot or re.search(r"widest edge \|w\| ≈ \d(\.\d)?<", dot)
    legend = re.search(r"widest edge \|w\| ≈ ([\d.]+)", dot).group(1)
    assert len(legend.replace(".", "").strip("0")) == 1  # one significant figure


def test_weight_labels_only_on_small_networks():
    assert re.search(r"label=-0.5 fontcolor", network_source(small_net()))  # 9 edges: labelled
    big = [(np.ones((6, 4)), None, "relu")]
    assert not any("label=" in a for _, _, a in edges(network_source(big)))  # 24 edges: not labelled
    assert all("label=1 " in a for _, _, a in edges(network_source(big, show_weights=True)))


def test_large_layers_are_summarised():
    rng = np.random.default_rng(0)
    net = [(rng.normal(size=(100, 3)), None, "relu"), (rng.normal(size=(2, 100)), None, "softmax")]
    dot = network_source(net)
    assert "L1_more [label=<… 92<br/>more>" in dot
    assert len([n for n in neurons(dot) if n.startswith("L1_")]) == 8
    assert {"L1_0", "L1_3", "L1_96", "L1_99"} <= set(neurons(dot))
    dashed = [e for e in edges(dot) if "dashed" in e[2]]
    assert len(dashed) == 3 + 2  # marker joined to each input and each output
    assert len(edges(dot)) == 3 * 8 + 8 * 2 + len(dashed)
    assert len(neurons(network_source(net, max_neurons=100))) == 3 + 100 + 2


def test_network_options_and_errors():
    net = small_net()
    tb = network_source(net, rankdir="TB", title="tiny")
    pos = {n: tuple(map(float, xy.split(","))) for n, xy in re.findall(r"^\t(L0_\d) \[.*pos=\"([-\d.,]+)!\"", tb, re.M)}
    assert pos["L0_0"][1] == pos["L0_1"][1] == 0 and pos["L0_0"][0] < pos["L0_1"][0]  # inputs in a row on top
    assert "label=tiny" in tb
    with pytest.raises(ValueError, match="rankdir"):
        network_source(net, rankdir="up")
    with pytest.raises(ValueError, match="max_neurons"):
        network_source(net, max_neurons=1)
    with pytest.raises(ValueError, match="input_names has 1 names for 2 neurons"):
        network_source(net, input_names=["x"])
    with pytest.raises(ValueError, match=r"layer 2 takes 4 inputs but layer 1 gives 3 outputs"):
        network_source([(np.ones((3, 2)), None, "relu"), (np.ones((1, 4)), None, None)])
    with pytest.raises(ValueError, match="bias needs shape"):
        network_source([(np.ones((3, 2)), np.ones(2), "relu")])
    with pytest.raises(TypeError, match="no layers"):
        network_source(object())


# ------------------------------------------------------------------ duck-typed models
class FakeLinear:
    def __init__(self, w: np.ndarray) -> None:
        self.weight = Tensor(w, requires_grad=True)
        self.bias = Tensor(np.zeros(w.shape[0]), requires_grad=True)


class ReLU:  # an activation module: recognised by its class name
    def __call__(self, x):
        return x.relu()


class FakeSequential:
    def __init__(self, *mods) -> None:
        self.mods = mods

    def children(self):
        return iter(self.mods)


def test_sequential_like_model_with_activation_modules():
    model = FakeSequential(FakeLinear(np.ones((4, 2))), ReLU(), FakeLinear(-np.ones((1, 4))))
    dot = network_source(model)
    assert 'label="hidden 1 · 4 · relu"' in dot
    assert 'label="output · 1 · linear"' in dot
    assert sum(a.startswith(f'color="{NEGATIVE}') for _, _, a in edges(dot)) == 4


def test_activation_functions_in_a_list():
    dot = network_source([(np.ones((3, 2)), None), np.tanh, (np.ones((1, 3)), None)])
    assert 'label="hidden 1 · 3 · tanh"' in dot


class MicrogradNeuron:
    def __init__(self, ws, b, nonlin) -> None:
        self.w = [Value(x) for x in ws]
        self.b = Value(b)
        self.nonlin = nonlin


class MicrogradLayer:
    def __init__(self, rows, nonlin) -> None:
        self.neurons = [MicrogradNeuron(r, 0.5, nonlin) for r in rows]


class MicrogradMLP:
    def __init__(self) -> None:
        self.layers = [MicrogradLayer([[1.0, -1.0]] * 3, True), MicrogradLayer([[0.5, 0.5, -2.0]], False)]


def test_micrograd_style_scalar_mlp():
    dot = network_source(MicrogradMLP())
    assert 'label="hidden 1 · 3 · relu"' in dot  # micrograd's nonlin=True is ReLU
    assert 'label="output · 1 · linear"' in dot
    assert "bias 0.5" in dot
    assert len(edges(dot)) == 6 + 3


def test_nn_models_in_both_modes_draw_the_same():
    layers = pytest.importorskip("nn.layers")
    tensor = layers.MLP(2, [4, 3, 1], activation="tanh", mode="tensor", seed=0)
    scalar = layers.MLP(2, [4, 3, 1], activation="tanh", mode="scalar", seed=0)
    dot = network_source(tensor)
    assert dot == network_source(scalar)
    assert 'label="hidden 2 · 3 · tanh"' in dot
    assert len(neurons(dot)) == 2 + 4 + 3 + 1


def test_network_needs_no_graphviz_for_its_source(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr(autograd.viz.draw, "_DIGRAPH_CLASS", None)
    assert network_source(small_net()).startswith("digraph {")
    with pytest.raises(ImportError, match="pip install graphviz"):
        draw_network(small_net())


# ------------------------------------------------------------------ rendering
def svg_nodes(path) -> dict[str, tuple[list[str], float, float]]:
    """{node title: (text lines, x, y)} from an SVG written by Graphviz."""
    out = {}
    for node in ET.parse(path).getroot().iter(f"{SVG}g"):
        if node.get("class") == "node":
            texts = list(node.iter(f"{SVG}text"))
            x = float(texts[0].get("x")) if texts else 0.0
            y = float(texts[0].get("y")) if texts else 0.0
            out[node.find(f"{SVG}title").text] = ([t.text for t in texts], x, y)
    return out


@needs_dot
def test_render_network_svg(tmp_path):
    g = draw_network(small_net(), input_names=["x", "y"])
    path = g.render(tmp_path / "net", format="svg")
    nodes = svg_nodes(path)
    assert len(nodes) == 2 + 3 + 1 + 3 + 1  # neurons, one caption per layer, the legend
    assert nodes["L0_0"][0] == ["x"] and nodes["L1_2"][0][:2] == ["3", "tanh"]
    assert nodes["layer1"][0] == ["hidden 1 · 3 · tanh"]
    edges_drawn = [e for e in ET.parse(path).getroot().iter(f"{SVG}g") if e.get("class") == "edge"]
    assert len(edges_drawn) == 9


@needs_dot
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_rendering_keeps_neurons_in_order(tmp_path, rankdir):
    rng = np.random.default_rng(1)
    net = [(rng.normal(size=(40, 3)), None, "relu"), (rng.normal(size=(5, 40)), None, "sigmoid")]
    nodes = svg_nodes(draw_network(net, rankdir=rankdir).render(tmp_path / "net", format="svg"))
    along = 2 if rankdir == "LR" else 1  # SVG y grows downwards, x to the right
    across = 1 if rankdir == "LR" else 2
    hidden = ["L1_0", "L1_1", "L1_2", "L1_3", "L1_more", "L1_36", "L1_37", "L1_38", "L1_39"]
    positions = [nodes[n][along] for n in hidden]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert [nodes[f"L2_{i}"][along] for i in range(5)] == sorted(nodes[f"L2_{i}"][along] for i in range(5))
    assert nodes["L0_0"][across] < nodes["L1_0"][across] < nodes["L2_0"][across]  # inputs first


def test_network_without_dot_falls_back_to_a_summary(monkeypatch, tmp_path):
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))
    g = draw_network(small_net())
    with pytest.raises(autograd.GraphvizNotFoundError, match="brew install graphviz"):
        g.render(tmp_path / "net", format="png")
    text = g._repr_mimebundle_()["text/plain"]
    assert "layer 1: 2 -> 3, tanh" in text and "layer 2: 3 -> 1, linear" in text
