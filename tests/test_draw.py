"""Drawings of computation graphs: DOT text (golden files), options, gradient flow, rendering, text tree."""

from __future__ import annotations

import os
import re
import shutil
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, dot_source, draw_dot, draw_graph, draw_text

pytestmark = pytest.mark.numpy_only  # drawing reads .data and .grad; the backend cannot matter

GOLDEN = Path(__file__).parent / "golden"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name>; GRADWORK_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("GRADWORK_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        pytest.skip(f"rewrote {path}")
    assert text == path.read_text(encoding="utf-8"), f"DOT text differs from {path}; see the diff above"


# ------------------------------------------------------------------ fixtures: small graphs
def scalar_expression() -> Value:
    """The classic teaching expression L = (a*b + c) * f, after backward."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    f = Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L


def neuron() -> Value:
    """One tanh neuron o = tanh(x1 w1 + x2 w2 + b), after backward."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


class TinyModel:
    """Anything with named_parameters() names the parameters it holds (duck typing, no nn needed)."""

    def __init__(self) -> None:
        self.weight = Tensor([[1.0, -2.0], [0.5, 1.0], [0.0, 3.0]], requires_grad=True)
        self.bias = Tensor([0.25, -1.0, 0.5], requires_grad=True)

    def named_parameters(self):
        return [("layer.weight", self.weight), ("layer.bias", self.bias)]


def tensor_expression(model: TinyModel | None = None):
    """loss = sum(relu(x @ W^T + b) * 2) for a 2x2 input, after backward."""
    model = model or TinyModel()
    x = Tensor([[1.0, 2.0], [-1.0, 0.5]], name="x")
    z = autograd.linear(x, model.weight, model.bias)  # named: its relu stays a node of its own (autograd/fusion.py)
    h = z.relu()
    loss = (h * 2.0).sum()
    loss.name = "loss"
    loss.backward()
    return loss, model, x


def mlp_graph(layers: int = 4, width: int = 3):
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(5, width)), name="x")
    h = x
    params = []
    for i in range(layers):
        w = Tensor(rng.normal(size=(width, width)), requires_grad=True, name=f"W{i}")
        b = Tensor(np.zeros(width), requires_grad=True, name=f"b{i}")
        params += [w, b]
        h = autograd.linear(h, w, b).tanh()
    loss = (h * h).mean()
    loss.backward()
    return loss, params


def node_ids(dot: str) -> list[str]:
    """Ids of the node statements in a DOT text written by draw_graph."""
    return [n for n in re.findall(r"^\t(\w+) \[", dot, flags=re.M) if n not in ("graph", "node", "edge")]


def value_nodes(dot: str) -> list[str]:
    return [n for n in node_ids(dot) if re.fullmatch(r"n\d+", n)]


# ------------------------------------------------------------------ golden DOT and determinism
def test_golden_scalar_expression():
    check_golden("scalar_expression.dot", dot_source(scalar_expression()))


def test_golden_tensor_expression():
    loss, model, x = tensor_expression()
    check_golden("tensor_expression.dot", dot_source(loss, params=model))


def test_draw_graph_source_is_dot_source():
    graphviz = pytest.importorskip("graphviz")
    L = scalar_expression()
    g = draw_graph(L)
    assert isinstance(g, graphviz.Digraph)
    assert g.source == dot_source(L)


def test_same_computation_gives_identical_dot_text():
    first = dot_source(scalar_expression())
    junk = [Value(float(i)) for i in range(1000)]  # shuffle what id() would give
    second = dot_source(scalar_expression())
    del junk
    assert first == second
    (l1, m1, _), (l2, m2, _) = tensor_expression(), tensor_expression()
    assert dot_source(l1, params=m1, grad_flow=True) == dot_source(l2, params=m2, grad_flow=True)
    assert draw_text(l1, params=m1) == draw_text(l2, params=m2)


def test_micrograd_name_and_format():
    pytest.importorskip("graphviz")
    g = draw_dot(neuron(), format="png", rankdir="TB")
    assert g.format == "png"
    assert "rankdir=TB" in g.source


# ------------------------------------------------------------------ what the nodes say
def test_value_nodes_show_label_data_grad_and_op():
    dot = dot_source(scalar_expression())
    assert "<b>a</b><br/>data 2<br/>grad 6" in dot
    assert "<b>L</b><br/>data -8<br/>grad 1" in dot
    assert re.search(r'n\d+_op \[label="\*"', dot)
    assert len(value_nodes(dot)) == 7  # a b c e d f L
    assert len([n for n in node_ids(dot) if n.endswith("_op")]) == 3


def test_tensor_nodes_show_name_shape_dtype_summary_and_grad():
    loss, model, x = tensor_expression()
    dot = dot_source(loss, params=model)
    assert "<b>layer.weight</b><br/>(3, 2) float64<br/>data mean 0.5833, min -2, max 3<br/>grad mean" in dot
    assert "<b>x</b><br/>(2, 2) float64<br/>data [[1, 2], [-1, 0.5]]" in dot
    assert "<b>loss</b><br/>scalar float64<br/>data" in dot
    assert "label=Linear" in dot and "label=Relu" in dot
    # Linear's inputs are labelled by argument: the picture says which one is the weight
    assert re.search(r"-> n\d+_op \[label=weight", dot)
    assert re.search(r"-> n\d+_op \[label=bias", dot)


def test_large_tensor_summary_is_mean_min_max():
    t = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    out = (t * 1.0).sum()
    out.backward()
    dot = dot_source(out)
    assert "data mean 5.5, min 0, max 11" in dot
    assert "grad mean 1, min 1, max 1" in dot


def test_kinds_look_different():
    loss, model, x = tensor_expression()
    dot = dot_source(loss, params=model)
    fills = dict(re.findall(r"^\t(n\d+) \[.*?fillcolor=\"(#[0-9a-f]{6})\"", dot, flags=re.M))
    ids = {
        name: nid
        for nid, name in re.findall(r"^\t(n\d+) \[label=<<font point-size=\"10\"><b>([\w.]+)</b>", dot, flags=re.M)
    }
    kinds = {fills[ids["x"]], fills[ids["layer.weight"]], fills[ids["loss"]]}
    assert len(kinds) == 3  # input, parameter and output each have their own colour
    assert fills[ids["layer.weight"]] == fills[ids["layer.bias"]]
    assert 'style="rounded,filled,dashed"' in dot  # the constant 2.0
    assert 'style="rounded,filled,bold"' in dot  # the output


def test_names_by_identity_not_equality():
    # two tensors with equal values: a name must go to the right one (Tensor == is elementwise)
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 2.0], requires_grad=True)
    out = (a * b).sum()
    out.backward()
    dot = dot_source(out, names={a: "alpha", b: "beta"})
    assert "<b>alpha</b>" in dot and "<b>beta</b>" in dot
    assert dot_source(out, names=[(a, "alpha"), (b, "beta")]) == dot
    assert dot_source(out, params={"alpha": a, "beta": b}) == dot


def test_scalar_parameters_from_object_arrays_get_indexed_names():
    w = np.empty((1, 2), dtype=object)
    w[0, 0], w[0, 1] = Value(0.5), Value(-1.0)
    out = w[0, 0] * 3.0 + w[0, 1]
    out.backward()
    dot = dot_source(out, params=[("fc.weight", w)])
    assert "<b>fc.weight[0,0]</b>" in dot and "<b>fc.weight[0,1]</b>" in dot


def test_inputs_are_marked():
    x = Value(1.5)
    y = x * x
    y.backward()
    text = draw_text(y, inputs=[x])
    assert "[input]" in text and "[const]" not in text
    assert "[const]" in draw_text(y)


def test_hide_constants():
    loss, model, x = tensor_expression()
    shown = dot_source(loss, params=model)
    hidden = dot_source(loss, params=model, show_constants=False)
    assert len(value_nodes(hidden)) == len(value_nodes(shown)) - 1
    assert "dashed" not in hidden
    for nid in re.findall(r"^\t(n\d+) ->", hidden, flags=re.M):
        assert nid in value_nodes(hidden)  # no edge from a node that is not drawn


def test_rankdir_and_title():
    L = scalar_expression()
    assert "rankdir=LR" in dot_source(L)
    assert "rankdir=TB" in dot_source(L, rankdir="TB", title="my graph")
    assert 'label="my graph"' in dot_source(L, title="my graph")
    with pytest.raises(ValueError, match="rankdir"):
        dot_source(L, rankdir="sideways")


def test_multiple_outputs():
    a = Value(3.0, label="a")
    p, q = a * 2.0, a + 1.0
    dot = dot_source([p, q])
    assert dot.count("rounded,filled,bold") == 2


def test_bad_arguments_raise_helpful_errors():
    with pytest.raises(TypeError, match="Value or a Tensor"):
        dot_source(3.0)
    with pytest.raises(ValueError, match="empty"):
        dot_source([])
    with pytest.raises(ValueError, match="max_nodes"):
        dot_source(scalar_expression(), max_nodes=0)
    with pytest.raises(TypeError, match="names"):
        dot_source(scalar_expression(), names=5)
    with pytest.raises(TypeError, match="named_parameters"):
        dot_source(scalar_expression(), params=5)
    with pytest.raises(ValueError, match="vanishing_below"):
        dot_source(scalar_expression(), grad_flow=True, vanishing_below=1.0, exploding_above=0.5)


def test_deep_graph_needs_no_recursion():
    x = Value(0.5, label="x")
    h = x
    for _ in range(3000):
        h = h * 1.0
    dot = dot_source(h)
    assert len(value_nodes(dot)) == 6001
    text = draw_text(h, max_nodes=50)
    assert "… 5951 more nodes" in text
    assert len(text.splitlines()) - text.count("more nodes") == 50


# ------------------------------------------------------------------ node cap
def test_max_nodes_collapses_the_rest_into_a_marker():
    loss, params = mlp_graph(layers=4)
    full = dot_source(loss)
    capped = dot_source(loss, max_nodes=8)
    total = len(value_nodes(full))
    assert len(value_nodes(capped)) == 8
    assert f"… {total - 8} more nodes" in capped
    assert "raise max_nodes=8 to see" in capped
    assert re.search(r"^\tmore -> n\d+_op \[style=dashed", capped, flags=re.M)
    # the kept nodes are the ones nearest the output
    assert "<b>W3</b>" in capped and "<b>W0</b>" not in capped
    assert dot_source(loss, max_nodes=total) == full


def test_max_nodes_in_text():
    loss, params = mlp_graph(layers=4)
    text = draw_text(loss, max_nodes=6)
    assert "more nodes (raise max_nodes=6 to see them)" in text


# ------------------------------------------------------------------ gradient flow
def chain(activation: str, depth: int = 20, weight: float = 1.0) -> Value:
    x = Value(0.5, label="x")
    h = x
    for i in range(depth):
        h = getattr(h * Value(weight, label=f"w{i}"), activation)()
    h.label = "out"
    h.backward()
    return h


def test_sigmoid_chain_flags_vanishing_gradients_and_relu_does_not():
    sig = draw_text(chain("sigmoid"), grad_flow=True)
    relu = draw_text(chain("relu"), grad_flow=True)
    first = next(line for line in sig.splitlines() if line.lstrip("│├└─ ").startswith("x "))
    assert "VANISHING" in first  # 0.25**20 of the output's gradient reaches x
    assert "VANISHING" not in relu
    assert "0 vanishing" in relu.splitlines()[-1]
    assert re.search(r"gradient flow: [1-9]\d* vanishing", sig.splitlines()[-1])


def test_gradient_flow_colours_nodes_and_edges_with_a_legend():
    dot = dot_source(chain("sigmoid"), grad_flow=True)
    assert "<b>VANISHING</b>" in dot
    assert "legend [label=<<table" in dot and "mean |grad|" in dot
    assert re.search(r"-> n\d+_op \[color=\"#9ca3af\" style=dashed", dot)  # a vanishing edge
    healthy = dot_source(chain("relu"), grad_flow=True)
    assert "<b>VANISHING</b>" not in healthy
    assert re.search(r"penwidth=\d\.\d\d", healthy)
    assert "legend" not in dot_source(chain("relu"))  # the legend comes with grad_flow (or legend=True)
    assert "legend" in dot_source(chain("relu"), legend=True)


def test_exploding_gradients_are_flagged():
    text = draw_text(chain("identity", depth=8, weight=10.0), grad_flow=True)
    assert "EXPLODING" in text
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = (t * np.inf).sum()
    out.backward()
    assert "EXPLODING" in draw_text(out, grad_flow=True)  # non-finite counts as exploding


def test_tensor_sigmoid_stack_vanishes_at_the_first_layer():
    x = Tensor(np.full((4, 3), 0.5), name="x")
    h = x
    weights = []
    for i in range(16):
        w = Tensor(np.eye(3), requires_grad=True, name=f"W{i}")
        weights.append(w)
        h = (h @ w).sigmoid()
    loss = h.sum()
    loss.backward()
    lines = draw_text(loss, grad_flow=True).splitlines()
    w0 = next(line for line in lines if "W0 " in line)
    w15 = next(line for line in lines if "W15 " in line)
    assert "VANISHING" in w0 and "VANISHING" not in w15


def test_grad_flow_before_backward_says_what_to_do():
    a = Value(2.0, label="a")
    with pytest.raises(RuntimeError, match=r"backward\(\)"):
        dot_source(a * a, grad_flow=True)
    t = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="backward"):
        draw_text((t * t).sum(), grad_flow=True)


# ------------------------------------------------------------------ text rendering
def test_text_tree_of_the_classic_expression():
    assert draw_text(scalar_expression()) == (
        "L = *  data -8  grad 1  [output]\n"
        "├── d = +  data 4  grad -2\n"
        "│   ├── e = *  data -6  grad -2\n"
        "│   │   ├── a  data 2  grad 6  [input]\n"
        "│   │   └── b  data -3  grad -4  [input]\n"
        "│   └── c  data 10  grad -2  [input]\n"
        "└── f  data -2  grad 4  [input]"
    )


def test_text_tree_ascii_and_shared_nodes():
    a = Value(3.0, label="a")
    s = a * a + a
    s.backward()
    text = draw_text(s, ascii=True)
    assert text.isascii()
    assert text.count("a #0  data 3  grad 7") == 1
    assert text.count("(#0, shown above)") == 2


def test_text_needs_no_graphviz(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    monkeypatch.setattr(autograd.viz.draw, "_DIGRAPH_CLASS", None)
    L = scalar_expression()
    assert draw_text(L).startswith("L = *")
    assert dot_source(L).startswith("digraph {")
    with pytest.raises(ImportError, match="pip install graphviz"):
        draw_graph(L)


# ------------------------------------------------------------------ rendering with and without dot
def svg_nodes(svg_text: str) -> dict[str, list[str]]:
    """{node title: [its text lines]} from an SVG written by dot."""
    root = ET.fromstring(svg_text)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            title = g.find(f"{SVG}title").text
            out[title] = [t.text for t in g.iter(f"{SVG}text")]
    return out


@needs_dot
def test_render_svg_and_png(tmp_path):
    g = draw_graph(neuron(), title="a neuron")
    path = g.render(tmp_path / "neuron", format="svg")
    assert path.endswith("neuron.svg")
    nodes = svg_nodes(Path(path).read_text(encoding="utf-8"))
    assert len(nodes) == len(node_ids(g.source))  # every node of the DOT text is drawn
    labels = {title: lines for title, lines in nodes.items() if lines and lines[0] in ("o", "x1", "b")}
    assert sorted(lines[0] for lines in labels.values()) == ["b", "o", "x1"]
    o = next(lines for lines in labels.values() if lines[0] == "o")
    assert o == ["o", "data 0.7071", "grad 1"]
    assert any(lines == ["tanh"] for lines in nodes.values())
    png = g.render(tmp_path / "neuron", format="png")
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_render_tensor_graph_with_grad_flow_and_cap(tmp_path):
    loss, params = mlp_graph(layers=3)
    g = draw_graph(loss, grad_flow=True, max_nodes=10, rankdir="TB")
    nodes = svg_nodes(g.pipe(format="svg", encoding="utf-8"))
    assert "more" in nodes and nodes["more"][0].startswith("…")
    assert "legend" in nodes
    assert len([t for t in nodes if re.fullmatch(r"n\d+", t)]) == 10


@needs_dot
def test_jupyter_shows_svg():
    bundle = draw_graph(neuron())._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """PATH with nothing on it: Graphviz's dot cannot be found."""
    pytest.importorskip("graphviz")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_render_without_dot_says_how_to_install(no_dot, tmp_path):
    g = draw_graph(scalar_expression())
    for call in (lambda: g.render(tmp_path / "graph", format="svg"), lambda: g.pipe(format="png")):
        with pytest.raises(autograd.GraphvizNotFoundError) as info:
            call()
        msg = str(info.value)
        assert "apt-get install graphviz" in msg
        assert "brew install graphviz" in msg
        assert "conda install -c conda-forge graphviz" in msg
    assert isinstance(info.value, RuntimeError)
    assert g.source.startswith("digraph {")  # the DOT text is still there


def test_jupyter_without_dot_falls_back_to_text(no_dot):
    bundle = draw_graph(scalar_expression())._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert "└── f  data -2  grad 4  [input]" in bundle["text/plain"]


def test_save_drawing_without_dot_writes_the_dot_text(no_dot, tmp_path):
    g = draw_graph(scalar_expression())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = autograd.save_drawing(g, tmp_path / "graph.svg")
    assert path == str(tmp_path / "graph.dot")
    assert Path(path).read_text(encoding="utf-8") == g.source
    assert any("brew install graphviz" in str(w.message) for w in caught)


@needs_dot
def test_save_drawing_with_dot(tmp_path):
    path = autograd.save_drawing(draw_graph(neuron()), tmp_path / "neuron", format="svg")
    assert path == str(tmp_path / "neuron.svg")
    assert Path(path).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neuron.svg"]
