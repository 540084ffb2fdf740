"""Network diagrams: a model as layers of neurons joined by weighted edges.

``draw_network(model)`` reads the model by duck typing, so it needs no import
of ``nn``. It accepts

* a plain list of ``(weight, bias, activation)`` triples (``bias`` may be None,
  ``activation`` a name such as "tanh" or None for linear), weights of shape
  (out_features, in_features) as ndarrays, Tensors or nested lists;
* a model whose layers have a 2-D ``weight`` (out, in), an optional ``bias``
  and an activation given as an attribute (``activation``/``act``/``nonlin``)
  or as activation modules or functions between the layers, found through
  ``layers``, iteration, or ``children()``;
* a scalar-mode MLP whose layers hold ``neurons``, each with ``w`` (a list of
  ``Value``s), ``b`` and ``nonlin``/``activation``.

Edge colour shows the weight's sign (blue positive, in the colour parameters
have in ``draw_graph``, orange negative), edge width and opacity its
magnitude. Inputs are numbered x1, x2, ... as in a neuron's graph; every
other neuron shows its number in its layer (1, 2, ...), its activation and its
bias, so "hidden neuron 5" can be found. Layers
larger than ``max_neurons`` show their first and last few neurons around a
"… N more" marker. Every neuron's position is fixed in the DOT text (the
``neato`` layout, which the ``dot`` program runs when the graph asks for it),
so each layer keeps its neurons in order.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .draw import _BORDER, _digraph, _fmt, _html, _Html, _source, _stmt

__all__ = ["draw_network", "network_source"]

_POSITIVE, _NEGATIVE, _ZERO = _BORDER["param"], "#ea580c", "#9ca3af"  # parameters: one colour in every drawing
_SHORT = {
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "σ",
    "leaky_relu": "lReLU",
    "leakyrelu": "lReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "softplus": "softplus",
    "softmax": "softmax",
    "log_softmax": "logsoftmax",
    "logsoftmax": "logsoftmax",
    "step": "step",
    "identity": "linear",
    "linear": "linear",
    "none": "linear",
    "log_sigmoid": "logσ",
    "prelu": "PReLU",
    "logsigmoid": "logσ",
    "silu": "SiLU",
    "swish": "SiLU",
}


class _Layer:
    """One dense layer: weight (out, in), bias (out,) or None, activation as a lower-case name."""

    __slots__ = ("weight", "bias", "activation", "name")

    def __init__(self, weight: np.ndarray, bias: np.ndarray | None, activation: str, name: str) -> None:
        self.weight = weight
        self.bias = bias
        self.activation = activation  # "linear" for none
        self.name = name


def _array(x: Any, what: str) -> np.ndarray:
    """The numbers of a weight: ndarray, Tensor, torch tensor, nested lists of numbers or of Values."""
    if hasattr(x, "detach") and hasattr(x, "cpu") and hasattr(x, "numpy"):  # a torch tensor
        x = x.detach().cpu().numpy()
    data = x if isinstance(x, np.ndarray) else getattr(x, "data", x)
    if isinstance(data, np.ndarray):
        return np.asarray(data, dtype=float)
    if isinstance(x, (list, tuple)):
        return np.asarray([_array(v, what) for v in x], dtype=float)
    try:
        return np.asarray(float(data))
    except (TypeError, ValueError):
        raise TypeError(f"draw_network: {what} should hold numbers, got {type(x).__name__}") from None


def _activation_name(act: Any) -> str:
    """ "tanh" from "tanh", a function named tanh, a Tanh() module, True (micrograd's ReLU) or None."""
    if act is None or act is False:
        return "linear"
    if act is True:
        return "relu"
    if isinstance(act, str):
        name = act
    else:
        name = getattr(act, "name", None) if isinstance(getattr(act, "name", None), str) else None
        name = name or getattr(act, "__name__", None) or type(act).__name__
    return name.lower().replace("-", "_") or "linear"


def _is_activation(obj: Any) -> bool:
    """True for an activation given as a name, a function or a module (ReLU(), torch.tanh, "tanh", ...)."""
    if isinstance(obj, str):
        return True
    name = getattr(obj, "__name__", None) or type(obj).__name__
    if name.lower().replace("-", "_") in _SHORT:
        return True
    return (
        callable(obj)
        and getattr(obj, "weight", None) is None
        and not hasattr(obj, "neurons")
        and (isinstance(getattr(obj, "name", None), str) and obj.name.lower() in _SHORT)
    )


def _layer_activation(obj: Any) -> str | None:
    for attr in ("activation", "act", "nonlin", "activation_name", "nonlinearity"):
        if hasattr(obj, attr):
            return _activation_name(getattr(obj, attr))
    return None


def _children(obj: Any) -> list | None:
    """The sub-modules of a container, in order, or None for a leaf."""
    if isinstance(obj, (list, tuple)):
        return list(obj)
    layers = getattr(obj, "layers", None)
    if isinstance(layers, (list, tuple)) or (layers is not None and hasattr(layers, "__iter__")):
        return list(layers)
    if hasattr(obj, "children") and callable(obj.children):
        return list(obj.children())
    if hasattr(obj, "__iter__") and not isinstance(obj, (str, bytes, dict)) and not hasattr(obj, "shape"):
        try:
            return list(obj)
        except TypeError:
            return None
    return None


def _as_triple(item: Any) -> _Layer | None:
    if not isinstance(item, (list, tuple)) or not 1 <= len(item) <= 3:
        return None
    try:
        w = _array(item[0], "weight")
    except TypeError:
        return None
    if w.ndim != 2:
        return None
    b = _array(item[1], "bias") if len(item) > 1 and item[1] is not None else None
    act = _activation_name(item[2]) if len(item) > 2 else "linear"
    return _Layer(w, b, act, "")


def _find_layers(model: Any) -> list[_Layer]:
    layers: list[_Layer] = []
    stack: list[tuple[Any, int]] = [(model, 0)]
    seen: set[int] = set()
    while stack:
        obj, depth = stack.pop()
        if id(obj) in seen or depth > 50:
            continue
        seen.add(id(obj))
        triple = _as_triple(obj) if depth > 0 else None
        if triple is not None:
            layers.append(triple)
            continue
        w = getattr(obj, "weight", None)
        if w is not None and not isinstance(obj, (list, tuple)):
            arr = _array(w, f"{type(obj).__name__}.weight")
            if arr.ndim == 1 and _layer_activation(obj) is not None:  # one neuron: a layer of width 1
                arr = arr.reshape(1, -1)
            if arr.ndim == 2:
                b = getattr(obj, "bias", None)
                act = _layer_activation(obj) or "linear"
                bias = _array(b, "bias").reshape(-1) if b is not None else None
                layers.append(_Layer(arr, bias, act, type(obj).__name__))
                continue
        neurons = getattr(obj, "neurons", None)
        if neurons is not None:
            rows = [_array(list(n.w), "neuron weights") for n in neurons]
            bias = np.asarray([_array(n.b, "neuron bias") for n in neurons], dtype=float)
            act = _layer_activation(neurons[0]) if len(neurons) else None
            act = act or _layer_activation(obj) or "linear"
            layers.append(_Layer(np.stack(rows) if rows else np.zeros((0, 0)), bias, act, type(obj).__name__))
            continue
        if depth > 0 and _is_activation(obj):
            if layers:
                layers[-1].activation = _activation_name(obj)
            continue
        kids = _children(obj)
        if kids:
            stack.extend((k, depth + 1) for k in reversed(kids))
    return layers


def _layers(model: Any) -> list[_Layer]:
    layers = _find_layers(model)
    if not layers:
        raise TypeError(
            f"draw_network: found no layers with a 2-D weight in {type(model).__name__}; pass an nn model "
            "(layers with weight of shape (out, in)) or a list of (weight, bias, activation) triples"
        )
    for k, layer in enumerate(layers):
        if layer.bias is not None and layer.bias.shape != (layer.weight.shape[0],):
            raise ValueError(
                f"draw_network: layer {k + 1} has weight {layer.weight.shape} but bias {layer.bias.shape}; "
                f"the bias needs shape ({layer.weight.shape[0]},)"
            )
        if k and layer.weight.shape[1] != layers[k - 1].weight.shape[0]:
            raise ValueError(
                f"draw_network: layer {k + 1} takes {layer.weight.shape[1]} inputs but layer {k} gives "
                f"{layers[k - 1].weight.shape[0]} outputs (weights {layers[k - 1].weight.shape} then "
                f"{layer.weight.shape}, each (out, in))"
            )
    return layers


def _shown(n: int, max_neurons: int) -> tuple[list[int], int]:
    """Indices of neurons drawn in a layer of n, and how many hide behind the marker."""
    if n <= max_neurons:
        return list(range(n)), 0
    k = max(1, min(4, max_neurons // 2))
    return list(range(k)) + list(range(n - k, n)), n - 2 * k


def _network_lines(
    layers: list[_Layer],
    input_names: Sequence[str] | None,
    output_names: Sequence[str] | None,
    max_neurons: int,
    show_weights: bool | None,
    rankdir: str,
    title: str | None,
) -> list[str]:
    sizes = [layers[0].weight.shape[1]] + [layer.weight.shape[0] for layer in layers]
    for names, n, what in ((input_names, sizes[0], "input_names"), (output_names, sizes[-1], "output_names")):
        if names is not None and len(names) != n:
            raise ValueError(f"draw_network: {what} has {len(names)} names for {n} neurons; give one name per neuron")
    shown = [_shown(n, max_neurons) for n in sizes]
    wmax = max((float(np.max(np.abs(layer.weight))) for layer in layers if layer.weight.size), default=0.0)
    drawn_edges = sum(len(shown[k][0]) * len(shown[k + 1][0]) for k in range(len(layers)))
    if show_weights is None:
        show_weights = drawn_edges <= 16

    # every neuron gets a pinned position (Graphviz's neato layout keeps it), so the columns stay in order
    columns: list[list[str]] = []  # node ids of each layer, first neuron first, marker included
    for k, (idx, hidden) in enumerate(shown):
        column = [f"L{k}_{i}" for i in idx]
        if hidden:
            column.insert(len(idx) // 2, f"L{k}_more")
        columns.append(column)
    last = len(sizes) - 1

    def label_lines(k: int, i: int) -> list[str]:
        """Plain-text lines of a neuron's label: its name (inputs) or number, activation and bias."""
        if k == 0:
            return [str(input_names[i]) if input_names is not None else f"x{i + 1}"]
        if k == last and output_names is not None:
            head = str(output_names[i])
        else:
            head = str(i + 1)
        act = layers[k - 1].activation
        out = [head, _SHORT.get(act, act)]
        b = layers[k - 1].bias
        if b is not None:
            out.append(f"b {_fmt(float(b[i]))}")
        return out

    def label_of(k: int, i: int) -> Any:
        lines = label_lines(k, i)
        if len(lines) == 1:
            return lines[0]
        body = f"<b>{_html(lines[0])}</b><br/>{_html(lines[1])}"
        if len(lines) > 2:
            body += f'<br/><font point-size="8" color="{_POSITIVE}">{_html(lines[2])}</font>'
        return _Html(body)

    labels = [
        label_lines(k, int(nid.rsplit("_", 1)[1]))
        for k, c in enumerate(columns)
        for nid in c
        if not nid.endswith("_more")
    ]
    longest = max(len(line) for lines in labels for line in lines)
    rows = max(len(lines) for lines in labels)
    # inches: every neuron the same circle, wide enough for its label
    width = max(0.55, 0.075 * longest + 0.25, 0.2 * rows + 0.2)
    step = width + 0.25  # inches between neurons
    gap = 3.2 if show_weights else 2.4  # inches between layers
    half = max((len(c) - 1) / 2 * step for c in columns)

    def pos(k: int, j: int, m: int) -> str:
        along = ((m - 1) / 2 - j) * step
        x, y = (k * gap, along) if rankdir == "LR" else (-along, -k * gap)
        return f"{_fmt(round(x, 3))},{_fmt(round(y, 3))}!"

    lines = []
    graph = {
        "layout": "neato",
        "fontname": "Helvetica",
        "splines": "line",
        "overlap": "true",
        "outputorder": "edgesfirst",
    }
    if title:
        graph.update(label=title, labelloc="t", fontsize="14")
    lines.append(_stmt("graph", graph))
    node = {"fontname": "Helvetica", "shape": "circle", "style": "filled", "fixedsize": "true", "fontsize": "10"}
    lines.append(_stmt("node", dict(node, width=_fmt(round(width, 2)), color="#4b5563")))
    lines.append(_stmt("edge", {"arrowhead": "none", "fontname": "Helvetica", "fontsize": "8"}))

    for k, n in enumerate(sizes):
        if k == 0:
            caption, fill = f"input · {n}", "#bbf7d0"
        else:
            act = layers[k - 1].activation
            role = "output" if k == last else f"hidden {k}"
            caption = f"{role} · {n} · {act}"
            fill = "#fde68a" if k == last else "#ffffff"
        if rankdir == "LR":
            where = f"{_fmt(round(k * gap, 3))},{_fmt(round(half + 0.7, 3))}!"
        else:
            where = f"{_fmt(round(-half - 0.5 - 0.045 * len(caption), 3))},{_fmt(round(-k * gap, 3))}!"
        lines.append(
            _stmt(
                f"layer{k}",
                {
                    "label": caption,
                    "shape": "plaintext",
                    "style": "",
                    "fixedsize": "false",
                    "pos": where,
                    "fontsize": "11",
                    "fontcolor": "#374151",
                },
            )
        )
        column = columns[k]
        for j, nid in enumerate(column):
            if nid.endswith("_more"):
                hidden = shown[k][1]
                lines.append(
                    _stmt(
                        nid,
                        {
                            "label": _Html(f"… {hidden}<br/>more"),
                            "shape": "box",
                            "style": "dashed",
                            "fixedsize": "false",
                            "pos": pos(k, j, len(column)),
                        },
                    )
                )
                continue
            i = int(nid.rsplit("_", 1)[1])
            if k == 0:
                tip = f"input {i + 1}"
            else:
                act = layers[k - 1].activation
                b = layers[k - 1].bias
                role = "output neuron" if k == last else f"hidden neuron {i + 1} of layer {k}"
                if k == last:
                    role = f"{role} {i + 1}"
                tip = f"{role}: {act}" + (f", bias {_fmt(b[i])}" if b is not None else "")
            label = label_of(k, i)
            lines.append(_stmt(nid, {"label": label, "fillcolor": fill, "tooltip": tip, "pos": pos(k, j, len(column))}))

    dashed = {"style": "dashed", "color": "#9ca3af"}
    for k, layer in enumerate(layers):
        for src in columns[k]:
            for dst in columns[k + 1]:
                if src.endswith("_more") or dst.endswith("_more"):
                    lines.append(_stmt(f"{src} -> {dst}", dashed))
                    continue
                i, j = int(src.rsplit("_", 1)[1]), int(dst.rsplit("_", 1)[1])
                w = float(layer.weight[j, i])
                strength = abs(w) / wmax if wmax > 0 else 0.0
                colour = _POSITIVE if w > 0 else _NEGATIVE if w < 0 else _ZERO
                alpha = round(255 * (0.3 + 0.7 * strength))
                attrs = {
                    "color": f"{colour}{alpha:02x}",
                    "penwidth": f"{0.3 + 3.2 * strength:.2f}",
                    "tooltip": f"weight from {label_lines(k, i)[0]} to neuron {j + 1}: {_fmt(w)}",
                }
                if show_weights:
                    attrs["label"] = _fmt(w)
                    attrs["fontcolor"] = colour
                lines.append(_stmt(f"{src} -> {dst}", attrs))

    legend = (
        '<table border="0" cellborder="0" cellspacing="2">'
        f'<tr><td align="left"><font color="{_POSITIVE}"><b>———</b></font> positive weight</td></tr>'
        f'<tr><td align="left"><font color="{_NEGATIVE}"><b>———</b></font> negative weight</td></tr>'
        f'<tr><td align="left">width ∝ |w|; widest edge |w| ≈ {_html(_round_number(wmax))}</td></tr>'
        "</table>"
    )
    if rankdir == "LR":
        where = f"{_fmt(round(gap * last / 2, 3))},{_fmt(round(-half - 0.8, 3))}!"
    else:
        where = f"{_fmt(round(half + 1.9, 3))},0!"
    lines.append(
        _stmt("legend", {"label": _Html(legend), "shape": "plain", "style": "", "fixedsize": "false", "pos": where})
    )
    return lines


def _round_number(x: float) -> str:
    """``x`` to one significant figure (0.6837 -> '0.7', 13.2 -> '10'): legends read better with round numbers."""
    if not np.isfinite(x) or x == 0:
        return _fmt(x)
    return f"{float(f'{x:.1g}'):g}"


def _network_text(layers: list[_Layer]) -> str:
    out = [f"input: {layers[0].weight.shape[1]} features"]
    for k, layer in enumerate(layers, 1):
        w = layer.weight
        out.append(
            f"layer {k}: {w.shape[1]} -> {w.shape[0]}, {layer.activation}; "
            f"weights mean {_fmt(w.mean()) if w.size else '-'}, max |w| {_fmt(np.abs(w).max()) if w.size else '-'}"
            + ("" if layer.bias is not None else ", no bias")
        )
    return "\n".join(out)


def _check(max_neurons: Any, rankdir: str) -> None:
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, (int, np.integer)) or max_neurons < 2:
        raise ValueError(f"draw_network: max_neurons must be an int >= 2, got {max_neurons!r}")
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"draw_network: rankdir must be 'LR' (left to right) or 'TB' (top down), got {rankdir!r}")


def network_source(
    model: Any,
    *,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    max_neurons: int = 32,
    show_weights: bool | None = None,
    rankdir: str = "LR",
    title: str | None = None,
) -> str:
    """The DOT text of ``draw_network`` (same arguments), built without Graphviz or its Python package."""
    _check(max_neurons, rankdir)
    layers = _layers(model)
    return _source(_network_lines(layers, input_names, output_names, max_neurons, show_weights, rankdir, title))


def draw_network(
    model: Any,
    *,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    max_neurons: int = 32,
    show_weights: bool | None = None,
    rankdir: str = "LR",
    title: str | None = None,
    format: str = "svg",
) -> Any:
    """Draw ``model`` as the classic picture of layers of neurons; returns a ``graphviz.Digraph``.

    model: an nn model, or a list of (weight, bias, activation) triples, weight of shape (out, in).
    input_names / output_names: labels for the input and output neurons (default x1, x2, ... and numbers).
    max_neurons: larger layers show their first and last few neurons and a "… N more" marker.
    show_weights: write each weight on its edge (default: only when at most 16 edges are drawn).
    rankdir: "LR" (inputs on the left) or "TB" (inputs on top).
    title: a caption. format: the default output format of ``.render(path)``.

    Shows inline in Jupyter (SVG); ``.render("net", format="png")`` writes net.png.
    """
    _check(max_neurons, rankdir)
    layers = _layers(model)
    lines = _network_lines(layers, input_names, output_names, max_neurons, show_weights, rankdir, title)
    return _digraph(lines, format, lambda: _network_text(layers))
