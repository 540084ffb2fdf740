"""Pictures of a computation: Graphviz drawings, gradient flow, and a plain-text tree.

    >>> from autograd import Value, draw_text
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b; c.label = "c"; c.backward()
    >>> print(draw_text(c))
    c = *  data -6  grad 1  [output]
    ├── a  data 2  grad -3  [input]
    └── b  data -3  grad 2  [input]

Every drawing is first a plain description (nodes, edges and their text) built
from the graph; the DOT source and the text tree are written from it with no
dependency, and only turning DOT into a picture needs Graphviz's ``dot``.
Node ids are positions in topological order, so the same computation always
gives the same DOT text, byte for byte.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterable

import numpy as np

from ..engine import topological_order
from ..tensor import Tensor
from ..value import Value

__all__ = ["draw_graph", "draw_dot", "draw_text", "dot_source", "save_drawing", "GraphvizNotFoundError"]

INSTALL_HINT = (
    "install Graphviz, which provides it: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz` (conda); "
    "the DOT text is still available as `.source`, and draw_text() needs nothing installed"
)


class GraphvizNotFoundError(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program and it is not on PATH."""


# --------------------------------------------------------------------------- the description
class _Node:
    """One value of the graph (a ``Value`` or a ``Tensor``) as the drawings see it."""

    __slots__ = ("id", "kind", "name", "op", "details", "parents", "arg_names", "magnitude", "flag")

    def __init__(self, id: str, kind: str, name: str, op: str, details: list[str], magnitude: float | None) -> None:
        self.id = id
        self.kind = kind  # output | param | input | const | inter
        self.name = name
        self.op = op
        self.details = details
        self.parents: list[str] = []  # ids in argument order; "more" stands for nodes cut by max_nodes
        self.arg_names: list[str] = []  # edge labels, "" where none
        self.magnitude = magnitude  # mean |grad|, None without a gradient
        self.flag = ""  # "" | "vanishing" | "exploding"


class _Description:
    """The nodes to draw (parents first), the outputs, and the options that shape the picture."""

    def __init__(
        self,
        nodes: list[_Node],
        roots: list[str],
        hidden: int,
        max_nodes: int | None,
        grad_flow: bool,
        vanishing_below: float,
        exploding_above: float,
    ) -> None:
        self.nodes = nodes
        self.roots = roots
        self.hidden = hidden  # how many nodes max_nodes collapsed
        self.max_nodes = max_nodes
        self.grad_flow = grad_flow
        self.vanishing_below = vanishing_below
        self.exploding_above = exploding_above
        self.order: list = []  # every graph object (Value or Tensor), node "n<i>" being order[i]

    def counts(self) -> dict[str, int]:
        out = {"vanishing": 0, "exploding": 0}
        for n in self.nodes:
            if n.flag:
                out[n.flag] += 1
        return out


_KINDS = ("output", "param", "input", "const", "inter")
_KIND_TEXT = {"output": "output", "param": "parameter", "input": "input", "const": "constant", "inter": "intermediate"}


def _fmt(x: Any) -> str:
    """A number in at most 4 significant digits; -0 prints as 0 so drawings stay identical."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.4g}"


def _nested(x: Any) -> str:
    return "[" + ", ".join(_nested(v) for v in x) + "]" if isinstance(x, list) else _fmt(x)


def _summary(arr: np.ndarray) -> str:
    """A few values, or mean/min/max of a larger array."""
    if arr.size == 0:
        return "empty"
    if arr.ndim == 0:
        return _fmt(arr.item())
    if arr.size <= 4:
        return _nested(arr.tolist())
    if arr.dtype.kind == "b":
        return f"{int(arr.sum())} of {arr.size} True"
    with np.errstate(all="ignore"):
        return f"mean {_fmt(arr.mean())}, min {_fmt(arr.min())}, max {_fmt(arr.max())}"


def _shape_text(t: Tensor) -> str:
    shape = "scalar" if t.data.ndim == 0 else str(tuple(int(n) for n in t.data.shape))
    return f"{shape} {t.data.dtype}"


def _id_map(obj: Any, what: str) -> dict[int, str]:
    """{id(node): name} from a dict {node: name} or pairs (node, name); by identity, never ``==``."""
    if obj is None:
        return {}
    items = obj.items() if isinstance(obj, dict) else obj
    out: dict[int, str] = {}
    try:
        for node, name in items:
            out[id(node)] = str(name)
    except (TypeError, ValueError):
        raise TypeError(
            f"draw_graph: {what} must be a dict {{node: 'name'}} or a list of (node, name) pairs, "
            f"got {type(obj).__name__}"
        ) from None
    return out


def _param_map(params: Any) -> dict[int, str]:
    """{id(parameter): name} from a model with ``named_parameters()``, a dict {name: p} or (name, p) pairs."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        pairs = params.named_parameters()
    elif isinstance(params, dict):
        pairs = params.items()
    else:
        pairs = params
    out: dict[int, str] = {}
    try:
        for name, p in pairs:
            if isinstance(p, np.ndarray) and p.dtype == object:  # scalar mode: an array of Values
                for idx in np.ndindex(p.shape):
                    out.setdefault(id(p[idx]), f"{name}[{','.join(map(str, idx))}]")
            else:
                out.setdefault(id(p), str(name))
    except (TypeError, ValueError):
        raise TypeError(
            "draw_graph: params must be a model with named_parameters(), a dict {'name': parameter} "
            f"or a list of (name, parameter) pairs, got {type(params).__name__}"
        ) from None
    return out


_ARG_NAMES: dict[type, list[str]] = {}
_COMMUTATIVE = {"Add", "Mul", "Maximum", "Minimum"}


def _arg_names(op: type) -> list[str]:
    """Names of ``op.forward``'s positional inputs (after ctx), for labelling edges."""
    if op not in _ARG_NAMES:
        import inspect

        names: list[str] = []
        try:
            for p in list(inspect.signature(op.forward).parameters.values())[1:]:
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                    names.append(p.name)
        except (TypeError, ValueError):
            pass
        _ARG_NAMES[op] = names
    return _ARG_NAMES[op]


def _roots(root: Any) -> list:
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("draw_graph: got an empty list of outputs; pass a Value or a Tensor")
    for r in roots:
        if not isinstance(r, (Value, Tensor)):
            raise TypeError(
                f"draw_graph: expected a Value or a Tensor (or a list of them), got {type(r).__name__}; "
                "for an nn model use draw_network(model)"
            )
    return roots


def _check_options(rankdir: str, max_nodes: Any, vanishing_below: float, exploding_above: float) -> None:
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR' (left to right) or 'TB' (top down), got {rankdir!r}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)) or max_nodes < 1
    ):
        raise ValueError(f"draw_graph: max_nodes must be a positive int or None, got {max_nodes!r}")
    if not (0 <= vanishing_below < exploding_above):
        raise ValueError(
            f"draw_graph: need 0 <= vanishing_below < exploding_above, got {vanishing_below!r} and {exploding_above!r}"
        )


def _describe(
    root: Any,
    rankdir: str,
    names: Any,
    params: Any,
    inputs: Iterable[Any] | None,
    show_constants: bool,
    max_nodes: int | None,
    grad_flow: bool,
    vanishing_below: float,
    exploding_above: float,
) -> _Description:
    """Check the options, walk the graph once, and decide what each node says and whether it is shown."""
    _check_options(rankdir, max_nodes, vanishing_below, exploding_above)
    roots = _roots(root)
    order = topological_order(roots)
    index = {id(n): i for i, n in enumerate(order)}
    user_names = _id_map(names, "names")
    param_names = _param_map(params)
    input_ids = {id(x) for x in (inputs or ())}
    root_ids = {id(r) for r in roots}

    nodes: list[_Node] = []
    for i, n in enumerate(order):
        key = id(n)
        is_value = isinstance(n, Value)
        own_name = n.label if is_value else n.name
        name = user_names.get(key) or param_names.get(key) or own_name
        leaf = not n._parents
        if key in root_ids:
            kind = "output"
        elif not leaf:
            kind = "inter"
        elif key in input_ids:
            kind = "input"
        elif key in param_names or (not is_value and n.requires_grad):
            kind = "param"
        elif name or (not is_value and n.data.size > 1):
            kind = "input"
        else:
            kind = "const"
        magnitude = None
        arg_names: list[str] = []
        if is_value:
            op = n.op
            details = [f"data {_fmt(n.data)}", f"grad {_fmt(n.grad)}"]
            magnitude = abs(n.grad)
        else:
            op = n._op.__name__ if n._op is not None else ""
            # an op may describe itself with its shapes: a conv its kernel, a recurrent cell its sizes
            op = getattr(n._ctx, "op_label", None) or getattr(n._ctx, "label", None) or op
            details = [_shape_text(n), f"data {_summary(n.data)}"]
            if n.grad is not None:
                g = n.grad.data if isinstance(n.grad, Tensor) else np.asarray(n.grad)
                details.append(f"grad {_summary(g)}")
                if g.size:
                    with np.errstate(all="ignore"):
                        magnitude = float(np.mean(np.abs(g)))
                    if grad_flow:
                        details.append(f"mean |grad| {_fmt(magnitude)}")
            if n._op is not None and len(n._parents) > 1 and op not in _COMMUTATIVE:
                all_names = _arg_names(n._op)
                positions = getattr(n._ctx, "_positions", ())
                arg_names = [all_names[p] if p < len(all_names) else str(p) for p in positions]
        node = _Node(f"n{i}", kind, name, op, details, magnitude=magnitude)
        node.parents = [f"n{index[id(p)]}" for p in n._parents]
        node.arg_names = arg_names if len(arg_names) == len(node.parents) else [""] * len(node.parents)
        if grad_flow and magnitude is not None:
            if not math.isfinite(magnitude) or magnitude > exploding_above:
                node.flag = "exploding"
            elif magnitude < vanishing_below:
                node.flag = "vanishing"
        nodes.append(node)

    if grad_flow:
        has_grad = [n for n in order if (n.grad != 0.0 if isinstance(n, Value) else n.grad is not None)]
        if not has_grad:
            raise RuntimeError(
                "draw_graph(grad_flow=True): the graph has no gradients yet; call .backward() on the output first"
            )

    # what to show: constants only if asked, then at most max_nodes, nearest the outputs first
    by_id = {n.id: n for n in nodes}
    visible = {n.id for n in nodes if show_constants or n.kind != "const"}
    hidden = 0
    if max_nodes is not None and len(visible) > max_nodes:
        kept: list[str] = []
        seen = set()
        queue = [f"n{index[id(r)]}" for r in roots]
        head = 0
        while head < len(queue) and len(kept) < max_nodes:
            nid = queue[head]
            head += 1
            if nid in seen or nid not in visible:
                continue
            seen.add(nid)
            kept.append(nid)
            queue.extend(by_id[nid].parents)
        hidden = len(visible) - len(kept)
        collapsed = visible - set(kept)
        visible = set(kept)
        for n in nodes:
            n.parents = ["more" if p in collapsed else p for p in n.parents]
    shown = [n for n in nodes if n.id in visible]
    for n in shown:
        pairs = [(p, a) for p, a in zip(n.parents, n.arg_names) if p == "more" or p in visible]
        if sum(p == "more" for p, _ in pairs) > 1:  # one dashed edge from the marker is enough
            first = next(i for i, (p, _) in enumerate(pairs) if p == "more")
            pairs = [(p, "" if i == first else a) for i, (p, a) in enumerate(pairs) if p != "more" or i == first]
        n.parents = [p for p, _ in pairs]
        n.arg_names = [a for _, a in pairs]
    d = _Description(
        nodes=shown,
        roots=[f"n{index[id(r)]}" for r in roots],
        hidden=hidden,
        max_nodes=max_nodes,
        grad_flow=grad_flow,
        vanishing_below=vanishing_below,
        exploding_above=exploding_above,
    )
    d.order = order
    return d


# --------------------------------------------------------------------------- colours
_FILL = {"output": "#fde68a", "param": "#bfdbfe", "input": "#bbf7d0", "const": "#f3f4f6", "inter": "#ffffff"}
_BORDER = {"output": "#b45309", "param": "#1d4ed8", "input": "#15803d", "const": "#9ca3af", "inter": "#4b5563"}
# gradient magnitude, small to large on a log scale between the two thresholds
_FLOW_FILL = ["#c6dbef", "#c7e9c0", "#fdd0a2", "#fcbba1"]
_FLOW_EDGE = ["#4292c6", "#41ab5d", "#fd8d3c", "#d7301f"]
_VANISH_FILL, _VANISH_EDGE = "#e5e7eb", "#9ca3af"
_EXPLODE_FILL, _EXPLODE_EDGE = "#f87171", "#b91c1c"


def _mix(stops: list[str], t: float) -> str:
    """The colour a fraction ``t`` (0..1) along the stops."""
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    f = t - i
    a, b = stops[i], stops[i + 1]
    rgb = [round(int(a[k : k + 2], 16) * (1 - f) + int(b[k : k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _position(d: _Description, m: float) -> float:
    lo, hi = math.log10(max(d.vanishing_below, 1e-300)), math.log10(d.exploding_above)
    return (math.log10(max(m, 1e-300)) - lo) / (hi - lo)


def _flow_fill(d: _Description, n: _Node) -> str | None:
    if n.magnitude is None:
        return None
    if n.flag == "vanishing":
        return _VANISH_FILL
    if n.flag == "exploding":
        return _EXPLODE_FILL
    return _mix(_FLOW_FILL, _position(d, n.magnitude))


def _flow_edge(d: _Description, n: _Node | None) -> dict[str, str]:
    """Edge attributes for the gradient that reached node ``n``."""
    if n is None or n.magnitude is None:
        return {}
    if n.flag == "vanishing":
        return {"color": _VANISH_EDGE, "style": "dashed", "penwidth": "0.8"}
    if n.flag == "exploding":
        return {"color": _EXPLODE_EDGE, "penwidth": "3.5"}
    t = min(max(_position(d, n.magnitude), 0.0), 1.0)
    return {"color": _mix(_FLOW_EDGE, t), "penwidth": f"{0.8 + 2.2 * t:.2f}"}


# --------------------------------------------------------------------------- DOT text
class _Html(str):
    """An HTML-like Graphviz label, written between < and > instead of quotes."""


_PLAIN_ID = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*|-?(?:\d+\.?\d*|\.\d+))$")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _quote(v: Any) -> str:
    if isinstance(v, _Html):
        return f"<{v}>"
    s = str(v)
    if _PLAIN_ID.match(s) and s.lower() not in _KEYWORDS:
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _html(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _stmt(name: str, attrs: dict[str, Any], indent: str = "\t") -> str:
    """One DOT statement line: ``name [key=value ...]``."""
    if not attrs:
        return f"{indent}{name}\n"
    return f"{indent}{name} [" + " ".join(f"{k}={_quote(v)}" for k, v in attrs.items()) + "]\n"


def _node_label(n: _Node) -> _Html:
    lines = []
    if n.name:
        lines.append(f"<b>{_html(n.name)}</b>")
    lines.extend(_html(s) for s in n.details)
    if n.flag:
        lines.append(f"<b>{n.flag.upper()}</b>")
    return _Html('<font point-size="10">' + "<br/>".join(lines) + "</font>")


def _legend(d: _Description) -> _Html:
    rows = ['<tr><td colspan="2"><b>legend</b></td></tr>']
    for kind in _KINDS:
        rows.append(f'<tr><td bgcolor="{_FILL[kind]}" width="24"> </td><td align="left">{_KIND_TEXT[kind]}</td></tr>')
    if d.grad_flow:
        lo, hi = d.vanishing_below, d.exploding_above
        c = d.counts()
        rows.append('<tr><td colspan="2"><b>mean |grad|</b> (log scale)</td></tr>')
        rows.append(f'<tr><td bgcolor="{_EXPLODE_FILL}"> </td><td align="left">exploding: &gt; {_fmt(hi)}</td></tr>')
        llo, lhi = math.log10(max(lo, 1e-300)), math.log10(hi)
        for t in (1.0, 2 / 3, 1 / 3, 0.0):
            m = _fmt(10 ** (llo + t * (lhi - llo)))
            rows.append(f'<tr><td bgcolor="{_mix(_FLOW_FILL, t)}"> </td><td align="left">about {m}</td></tr>')
        rows.append(f'<tr><td bgcolor="{_VANISH_FILL}"> </td><td align="left">vanishing: &lt; {_fmt(lo)}</td></tr>')
        rows.append(
            f'<tr><td colspan="2" align="left">{c["vanishing"]} vanishing, {c["exploding"]} exploding</td></tr>'
        )
    return _Html('<table border="0" cellborder="1" cellspacing="0" cellpadding="3">' + "".join(rows) + "</table>")


def _dot_lines(d: _Description, rankdir: str, legend: bool, title: str | None) -> list[str]:
    lines = []
    graph = {"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.35"}
    if title:
        graph.update(label=title, labelloc="t", fontsize="14")
    lines.append(_stmt("graph", graph))
    lines.append(_stmt("node", {"fontname": "Helvetica", "shape": "box", "style": "rounded,filled", "margin": "0.08"}))
    lines.append(_stmt("edge", {"color": "#6b7280", "arrowsize": "0.6", "fontname": "Helvetica"}))
    by_id = {n.id: n for n in d.nodes}
    for n in d.nodes:
        style = {"output": "rounded,filled,bold", "const": "rounded,filled,dashed"}.get(n.kind, "rounded,filled")
        attrs: dict[str, Any] = {"label": _node_label(n), "fillcolor": _FILL[n.kind], "color": _BORDER[n.kind]}
        if style != "rounded,filled":
            attrs["style"] = style
        if n.kind == "output":
            attrs["penwidth"] = "2"
        if d.grad_flow:
            fill = _flow_fill(d, n)
            attrs["fillcolor"] = fill if fill is not None else "#ffffff"
            if n.flag:
                attrs["penwidth"] = "2.5"
        lines.append(_stmt(n.id, attrs))
        if n.op:
            lines.append(
                _stmt(
                    f"{n.id}_op",
                    {
                        "label": n.op,
                        "shape": "ellipse",
                        "fillcolor": "#e5e7eb",
                        "fontsize": "10",
                        "margin": "0.03",
                        "height": "0.3",
                    },
                )
            )
    if d.hidden:
        label = f"<b>… {d.hidden} more node{'s' if d.hidden != 1 else ''}</b><br/>raise max_nodes={d.max_nodes} to see"
        lines.append(
            _stmt(
                "more",
                {
                    "label": _Html(f'<font point-size="10">{label}</font>'),
                    "shape": "box3d",
                    "style": "dashed,filled",
                    "fillcolor": "#f9fafb",
                    "color": "#6b7280",
                },
            )
        )
    for n in d.nodes:
        if not n.op:
            continue
        for p, arg in zip(n.parents, n.arg_names):
            attrs = {}
            if arg:
                attrs["label"] = arg
                attrs["fontsize"] = "9"
            if p == "more":
                attrs.update(style="dashed", color="#9ca3af")
            elif d.grad_flow:
                attrs.update(_flow_edge(d, by_id.get(p)))
            lines.append(_stmt(f"{p} -> {n.id}_op", attrs))
        lines.append(_stmt(f"{n.id}_op -> {n.id}", _flow_edge(d, n) if d.grad_flow else {}))
    if legend:
        lines.append(_stmt("legend", {"label": _legend(d), "shape": "plain", "style": "", "fontsize": "10"}))
    return lines


def _source(lines: list[str]) -> str:
    """The DOT text for the body lines, exactly as ``graphviz.Digraph(body=lines).source`` writes it."""
    return "digraph {\n" + "".join(lines) + "}\n"


# --------------------------------------------------------------------------- text tree
def _text(d: _Description, ascii: bool = False) -> str:
    tee, last, bar, gap = ("|-- ", "`-- ", "|   ", "    ") if ascii else ("├── ", "└── ", "│   ", "    ")
    by_id = {n.id: n for n in d.nodes}
    uses: dict[str, int] = {}
    for n in d.nodes:
        for p in n.parents:
            uses[p] = uses.get(p, 0) + 1
    out: list[str] = []
    printed: set[str] = set()

    def describe(nid: str) -> tuple[str, bool]:
        """The line for one node and whether its inputs follow."""
        if nid == "more":
            text = f"… {d.hidden} more nodes (raise max_nodes={d.max_nodes} to see them)"
            return (text if "more" not in printed else "… (more nodes, see above)"), False
        n = by_id[nid]
        head = n.name or ("" if n.op else f"#{nid[1:]}")
        ref = f" #{nid[1:]}" if uses.get(nid, 0) > 1 and not head.startswith("#") else ""
        head = f"{head} = {n.op}" if head and n.op else head or n.op
        if nid in printed:
            return f"{head}  (#{nid[1:]}, shown above)", False
        tag = f"  [{n.kind}]" if n.kind not in ("inter",) else ""
        flag = f"  {n.flag.upper()}" if n.flag else ""
        return f"{head}{ref}  " + "  ".join(n.details) + tag + flag, bool(n.parents)

    for root in d.roots:
        if root in printed:
            continue
        stack: list[tuple[str, str, str]] = [(root, "", "")]  # node, prefix of its line, prefix of its children
        while stack:
            nid, lead, child_lead = stack.pop()
            line, expand = describe(nid)
            out.append(lead + line)
            printed.add(nid)
            if expand:
                parents = by_id[nid].parents
                for j in range(len(parents) - 1, -1, -1):
                    is_last = j == len(parents) - 1
                    stack.append(
                        (parents[j], child_lead + (last if is_last else tee), child_lead + (gap if is_last else bar))
                    )
    if d.grad_flow:
        c = d.counts()
        out.append(
            f"gradient flow: {c['vanishing']} vanishing (mean |grad| < {_fmt(d.vanishing_below)}), "
            f"{c['exploding']} exploding (> {_fmt(d.exploding_above)})"
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- graphviz
_DIGRAPH_CLASS: Any = None


def _digraph_class() -> type:
    """``graphviz.Digraph`` whose rendering explains how to install ``dot`` when it is missing."""
    global _DIGRAPH_CLASS
    if _DIGRAPH_CLASS is not None:
        return _DIGRAPH_CLASS
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "draw_graph needs the graphviz Python package: pip install graphviz (and, to render pictures, "
            "the dot program: " + INSTALL_HINT + "); dot_source() and draw_text() work without it"
        ) from None

    class Drawing(graphviz.Digraph):
        """A ``graphviz.Digraph``: shows as SVG in Jupyter, ``.render(path, format="svg"|"png")`` writes a file."""

        _text_fallback: Callable[[], str] | None = None

        @staticmethod
        def _explain() -> GraphvizNotFoundError:
            return GraphvizNotFoundError(
                f"rendering needs Graphviz's `dot` program, which is not on PATH: {INSTALL_HINT}"
            )

        def render(self, *args: Any, **kwargs: Any) -> str:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise self._explain() from None

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise self._explain() from None

        def copy(self) -> "Drawing":
            new = super().copy()
            new._text_fallback = self._text_fallback
            return new

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
            try:
                return super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
            except GraphvizNotFoundError as exc:  # a notebook without dot still shows something useful
                text = self._text_fallback() if self._text_fallback is not None else self.source
                return {"text/plain": f"{exc}\n\n{text}"}

    _DIGRAPH_CLASS = Drawing
    return Drawing


def _digraph(lines: list[str], fmt: str, text: Callable[[], str]) -> Any:
    g = _digraph_class()(body=lines, format=fmt)
    g._text_fallback = text
    return g


def dot_source(
    root: Any,
    *,
    names: Any = None,
    params: Any = None,
    inputs: Iterable[Any] | None = None,
    rankdir: str = "LR",
    max_nodes: int | None = None,
    show_constants: bool = True,
    grad_flow: bool = False,
    vanishing_below: float = 1e-6,
    exploding_above: float = 1e3,
    legend: bool | None = None,
    title: str | None = None,
) -> str:
    """The DOT text of ``draw_graph`` (same arguments), built without Graphviz or its Python package."""
    d = _describe(
        root, rankdir, names, params, inputs, show_constants, max_nodes, grad_flow, vanishing_below, exploding_above
    )
    return _source(_dot_lines(d, rankdir, grad_flow if legend is None else legend, title))


def draw_graph(
    root: Any,
    *,
    names: Any = None,
    params: Any = None,
    inputs: Iterable[Any] | None = None,
    rankdir: str = "LR",
    max_nodes: int | None = None,
    show_constants: bool = True,
    grad_flow: bool = False,
    vanishing_below: float = 1e-6,
    exploding_above: float = 1e3,
    legend: bool | None = None,
    title: str | None = None,
    format: str = "svg",
) -> Any:
    """Draw the graph behind ``root`` (a ``Value``, a ``Tensor`` or a list of outputs) as a ``graphviz.Digraph``.

    Value nodes show label, data and grad; Tensor nodes show name, shape, dtype
    and a summary of data and grad; op nodes show the op. Outputs, parameters,
    inputs, constants and intermediates look different.

    names: {node: "name"} (or (node, name) pairs) overriding ``label``/``name``.
    params: a model with ``named_parameters()`` (or {name: p} / (name, p) pairs): parameters get their names.
    inputs: nodes to mark as inputs. Unnamed leaves that need no gradient (a Value without label,
        a one-element Tensor with ``requires_grad=False``) are constants; ``show_constants=False`` hides them.
    rankdir: "LR" (left to right) or "TB" (top down).
    max_nodes: keep this many value nodes nearest the output; the rest become one "… N more nodes" node.
    grad_flow: after backward, colour nodes and edges by mean |grad| (log scale) and flag nodes below
        ``vanishing_below`` as VANISHING and above ``exploding_above`` (or non-finite) as EXPLODING.
        Tensor mode keeps gradients on leaves only: call ``.retain_grad()`` on intermediates to see theirs.
    legend: add a legend node (default: only with grad_flow). title: a caption.
    format: the default output format of ``.render(path)`` and ``.pipe()``.

    The result shows inline in Jupyter (SVG); ``.render("graph", format="png")`` writes graph.png;
    ``.source`` is the DOT text, identical for identical computations.
    """
    d = _describe(
        root, rankdir, names, params, inputs, show_constants, max_nodes, grad_flow, vanishing_below, exploding_above
    )
    lines = _dot_lines(d, rankdir, grad_flow if legend is None else legend, title)
    return _digraph(lines, format, lambda: _text(d))


draw_dot = draw_graph  # micrograd's name


def draw_text(
    root: Any,
    *,
    names: Any = None,
    params: Any = None,
    inputs: Iterable[Any] | None = None,
    max_nodes: int | None = None,
    show_constants: bool = True,
    grad_flow: bool = False,
    vanishing_below: float = 1e-6,
    exploding_above: float = 1e3,
    ascii: bool = False,
) -> str:
    """The graph behind ``root`` as an indented tree, output first, each node's inputs below it.

    Takes ``draw_graph``'s options and needs nothing installed. A node used
    more than once is written out the first time and referred to by ``#id``
    after that. ``ascii=True`` draws the tree with plain ASCII characters.
    """
    d = _describe(
        root, "LR", names, params, inputs, show_constants, max_nodes, grad_flow, vanishing_below, exploding_above
    )
    return _text(d, ascii=ascii)


def save_drawing(drawing: Any, path: str, format: str = "svg") -> str:
    """Render ``drawing`` (from ``draw_graph``/``draw_network``) to ``path`` + "." + format and return that path.

    Without Graphviz's ``dot`` it writes the DOT text to ``path`` + ".dot"
    instead, warns how to install Graphviz, and returns the ``.dot`` path, so a
    script always leaves something to look at.
    """
    import os
    import warnings

    if not hasattr(drawing, "render"):
        raise TypeError(
            f"save_drawing: expected a drawing from draw_graph or draw_network, got {type(drawing).__name__}"
        )
    path = os.fspath(path)
    root, ext = os.path.splitext(path)
    if ext.lstrip(".") == format:
        path = root
    try:
        return drawing.render(outfile=f"{path}.{format}", format=format, cleanup=True)
    except GraphvizNotFoundError as exc:
        out = f"{path}.dot"
        with open(out, "w", encoding="utf-8") as f:
            f.write(drawing.source)
        warnings.warn(f"{exc}; wrote the DOT text to {out} instead", RuntimeWarning, stacklevel=2)
        return out
