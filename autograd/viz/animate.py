"""Back-propagation one node at a time: the steps of a scalar graph's backward pass, and an HTML view of them.

    >>> from autograd import Value, animate_backward
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + a; c.label = "c"
    >>> view = animate_backward(c)          # shows inline in Jupyter; view.save("backward.html") writes one file
    >>> [round(s["grad"], 6) for s in view.steps[1:]]
    [1.0, 1.0]

Backward visits every computed node after all the nodes that used it (reverse
topological order). At each visit the node's gradient d out / d node is
complete; it passes ``local derivative x that gradient`` to each input, where
the local derivative is d node / d input (``Value.local_grads()``). Inputs
add up what reaches them. ``backward_steps`` records those visits with the
numbers; ``animate_backward`` draws them on the graph, with step and play
buttons and a slider, using the node names and kinds that ``draw_graph`` uses
(the same graph walk, ``draw._describe``).
"""

from __future__ import annotations

import itertools
import json
import math
import os
from typing import Any

from ..value import Value
from .draw import _BORDER, _FILL, _describe

__all__ = ["animate_backward", "backward_steps", "BackwardAnimation", "view_script"]

_VIEW_IDS = itertools.count(1)  # each rendering gets its own element id, so two views on a page stay apart
MAX_NODES = 2000  # an HTML view with more nodes than this is unreadable and slow; say so instead


def _num(x: float) -> float | str:
    """A float for JSON: non-finite numbers become the strings 'inf', '-inf', 'nan'."""
    x = float(x)
    return x if math.isfinite(x) else str(x)


def _layout(nodes: list[dict]) -> None:
    """Columns left to right by depth (leaves just left of their first use), rows by the users' positions."""
    by_id = {n["id"]: n for n in nodes}
    users: dict[str, list[str]] = {n["id"]: [] for n in nodes}
    for n in nodes:  # parents come first (topological order)
        for p in n["parents"]:
            users[p].append(n["id"])
        n["col"] = 1 + max((by_id[p]["col"] for p in n["parents"]), default=-1)
    for n in reversed(nodes):  # a leaf sits one column before the earliest node that uses it
        if not n["parents"] and users[n["id"]]:
            n["col"] = min(by_id[u]["col"] for u in users[n["id"]]) - 1
    low = min((n["col"] for n in nodes), default=0)
    for n in nodes:
        n["col"] -= low
    columns: dict[int, list[dict]] = {}
    for n in nodes:
        columns.setdefault(n["col"], []).append(n)
    for col in sorted(columns, reverse=True):  # outputs first, each column ordered by where its users sit
        members = columns[col]

        def key(n: dict) -> tuple:
            placed = [by_id[u]["row"] for u in users[n["id"]] if "row" in by_id[u]]
            return (sum(placed) / len(placed) if placed else 0.0, int(n["id"][1:]))

        members.sort(key=key)
        for r, n in enumerate(members):
            n["row"] = r
    tallest = max((len(m) for m in columns.values()), default=1)
    for members in columns.values():
        shift = (tallest - len(members)) / 2
        for n in members:
            n["row"] += shift


def backward_steps(root: Value, *, names: Any = None, params: Any = None, inputs: Any = None) -> dict:
    """The backward pass of ``root`` as data: nodes (name, kind, op, data, final grad, layout) and the steps.

    Step 0 seeds d root / d root = 1; each later step is one computed node, in
    the order backward visits them, with, for each input, the local derivative,
    the product ``local * grad`` passed back, and the input's gradient so far.
    ``names``/``params``/``inputs`` are ``draw_graph``'s. The graph's own
    ``grad`` fields are not touched: the numbers are worked out here.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"animate_backward: expected a scalar-mode Value (the loss), got {type(root).__name__}; "
            "for a Tensor model use model.to_scalar() and one example, or draw_graph(loss) for a still picture"
        )
    d = _describe(root, "LR", names, params, inputs, True, None, False, 1e-6, 1e3)
    order = d.order
    if len(order) > MAX_NODES:
        raise ValueError(
            f"animate_backward: the graph has {len(order)} nodes, more than {MAX_NODES} can be shown one step at a "
            "time; animate a smaller computation (one example, fewer neurons)"
        )
    index = {id(v): i for i, v in enumerate(order)}
    nodes: list[dict] = []
    for desc, v in zip(d.nodes, order):
        nodes.append({
            "id": desc.id,
            "kind": desc.kind,
            "name": desc.name,
            "op": desc.op,
            "data": _num(v.data),
            "parents": list(desc.parents),
            "args": list(desc.arg_names),
        })
    grads = [0.0] * len(order)
    root_i = index[id(root)]
    grads[root_i] = 1.0
    steps: list[dict] = [{"node": f"n{root_i}", "seed": True, "grad": 1.0, "edges": []}]
    for i in range(len(order) - 1, -1, -1):
        v = order[i]
        if not v._parents:
            continue
        g = grads[i]
        edges = []
        for parent, local in zip(v._parents, v.local_grads()):
            j = index[id(parent)]
            product = float(local) * g
            grads[j] += product
            edges.append({"parent": f"n{j}", "local": _num(local), "product": _num(product), "total": _num(grads[j])})
        steps.append({"node": f"n{i}", "seed": False, "grad": _num(g), "edges": edges})
    for n, g in zip(nodes, grads):
        n["grad"] = _num(g)
    _layout(nodes)
    return {
        "nodes": nodes,
        "root": f"n{root_i}",
        "steps": steps,
        "colors": {"fill": _FILL, "border": _BORDER},
    }


def view_script() -> str:
    """The JavaScript of the step-through view (``GradworkBackward.mount(element, data)``), one file for every page."""
    from importlib import resources

    return resources.files(__package__).joinpath("backward_view.js").read_text(encoding="utf-8")


def view_style() -> str:
    """The view's style sheet."""
    from importlib import resources

    return resources.files(__package__).joinpath("backward_view.css").read_text(encoding="utf-8")


def _json_for_html(obj: Any) -> str:
    return json.dumps(obj, allow_nan=False).replace("</", "<\\/")


class BackwardAnimation:
    """A self-contained HTML view of a backward pass: ``_repr_html_`` for Jupyter, ``save(path)`` for a file."""

    def __init__(self, data: dict, title: str) -> None:
        self.data = data
        self.title = title

    @property
    def steps(self) -> list[dict]:
        """The recorded steps (see ``backward_steps``)."""
        return self.data["steps"]

    def grads(self) -> dict[str, float]:
        """{node name (or id): gradient reached at the end} for every named node."""
        return {(n["name"] or n["id"]): n["grad"] for n in self.data["nodes"]}

    def _fragment(self) -> str:
        uid = f"gwb{os.getpid():x}x{next(_VIEW_IDS)}"
        return (
            f'<div class="gw-backward" id="{uid}"></div>\n'
            f"<style>{view_style()}</style>\n"
            f"<script>{view_script()}</script>\n"
            f"<script>GradworkBackward.mount(document.getElementById({json.dumps(uid)}), "
            f"{_json_for_html(self.data)}, {{title: {_json_for_html(self.title)}}});</script>"
        )

    def _repr_html_(self) -> str:
        return self._fragment()

    def to_html(self) -> str:
        """One whole HTML page, needing nothing from the network."""
        import html as _html_mod

        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_html_mod.escape(self.title)}</title></head>\n<body>\n{self._fragment()}\n</body></html>\n"
        )

    def save(self, path: str | os.PathLike) -> str:
        """Write the page to ``path`` (".html" added when missing) and return the path written."""
        path = os.fspath(path)
        if not path.lower().endswith((".html", ".htm")):
            path += ".html"
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"BackwardAnimation.save: the folder {folder!r} does not exist; create it first")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_html())
        return path

    def __repr__(self) -> str:
        return f"BackwardAnimation({len(self.data['nodes'])} nodes, {len(self.steps)} steps)"


def animate_backward(
    loss: Value, *, names: Any = None, params: Any = None, inputs: Any = None, title: str | None = None
) -> BackwardAnimation:
    """A step-through view of ``loss.backward()`` on a scalar (``Value``) graph, as self-contained HTML.

    Each step shows one node's complete gradient, the local derivative to each
    input, and their product passed back; the last step leaves every leaf with
    the gradient ``backward()`` gives. ``names``/``params``/``inputs`` name nodes
    as in ``draw_graph`` (``params=model`` names a scalar-mode model's weights).
    """
    data = backward_steps(loss, names=names, params=params, inputs=inputs)
    return BackwardAnimation(data, title if title is not None else "backward, one node at a time")
