"""Pictures of a computation: Graphviz drawings of graphs and networks, and the step-through backward view.

* ``draw.py``: ``draw_graph``/``draw_text``/``dot_source`` and the one graph walk
  (``describe``) that every picture of a computation graph is built from;
* ``network.py``: ``draw_network``, a model as layers of neurons;
* ``animate.py``: ``animate_backward``, a self-contained HTML page that steps through backward.
"""

from __future__ import annotations

from .draw import GraphvizNotFoundError, dot_source, draw_dot, draw_graph, draw_text, save_drawing
from .network import draw_network, network_source
from .animate import BackwardAnimation, animate_backward, backward_steps

__all__ = [
    "draw_graph", "draw_dot", "draw_text", "dot_source", "save_drawing", "GraphvizNotFoundError",
    "draw_network", "network_source",
    "animate_backward", "backward_steps", "BackwardAnimation",
]
