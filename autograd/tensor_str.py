"""How a Tensor prints: torch's layout of the numbers (``torch._tensor_str``'s rules), under gradwork's names.

Every element gets one width; floats print in one of three modes chosen from the finite non-zero values:
integers ("3."), fixed ``precision`` decimals ("0.3960"), or scientific ("1.0000e-05", when max/min > 1000,
max > 1e8, or a non-integer min < 1e-4). Rows wrap at ``linewidth``; more than ``threshold`` elements print
``edgeitems`` from each end of every axis with "..." between. Suffixes (dtype, grad_fn) wrap like torch's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["format_tensor"]


class _Formatter:
    """One width and one mode for every element of ``values`` (the printed ones)."""

    def __init__(self, values: np.ndarray, precision: int, sci_mode: bool | None) -> None:
        self.floating = values.dtype.kind == "f"
        self.precision = precision
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            self.width = max([self.width] + [len(str(v)) for v in flat.tolist()])
            return
        vals = flat.astype(np.float64)
        finite = vals[np.isfinite(vals) & (vals != 0)]
        if finite.size:
            big, small = float(np.abs(finite).max()), float(np.abs(finite).min())
            self.int_mode = bool(np.all(finite == np.ceil(finite)))
            wide = big / small > 1000.0 or big > 1.0e8
            if self.int_mode and not wide:
                strs = [f"{v:.0f}." for v in finite.tolist()]
            else:
                self.sci_mode = wide or (not self.int_mode and small < 1.0e-4)
                spec = f".{precision}e" if self.sci_mode else f".{precision}f"
                strs = [format(v, spec) for v in finite.tolist()]
            self.width = max(self.width, max(len(s) for s in strs))
        if sci_mode is not None:
            self.sci_mode = bool(sci_mode)

    def format(self, v: Any) -> str:
        if self.floating:
            if self.sci_mode:
                s = format(v, f"{self.width}.{self.precision}e")
            elif self.int_mode:
                s = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
            else:
                s = format(v, f".{self.precision}f")
        else:
            s = str(v)
        return " " * (self.width - len(s)) + s


def _summarized(a: np.ndarray, edge: int) -> np.ndarray:
    """The elements that print when summarising: ``edge`` from each end of every long axis."""
    for ax in range(a.ndim):
        if a.shape[ax] > 2 * edge:
            idx = np.r_[0:edge, a.shape[ax] - edge:a.shape[ax]]
            a = np.take(a, idx, axis=ax)
    return a


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter, opts: dict) -> str:
    per_line = max(1, int(math.floor((opts["linewidth"] - indent) / (fmt.width + 2))))
    edge = opts["edgeitems"]
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        data = [fmt.format(v) for v in a[:edge].tolist()] + [" ..."] + [fmt.format(v) for v in a[-edge:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter, opts: dict) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt, opts)
    edge = opts["edgeitems"]
    if summarize and a.shape[0] > 2 * edge:
        rows = ([_body(a[i], indent + 1, summarize, fmt, opts) for i in range(edge)] + ["..."]
                + [_body(a[i], indent + 1, summarize, fmt, opts) for i in range(a.shape[0] - edge, a.shape[0])])
    else:
        rows = [_body(a[i], indent + 1, summarize, fmt, opts) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def format_tensor(a: np.ndarray, prefix: str, suffixes: list[str], opts: dict) -> str:
    """``prefix(numbers, suffix, ...)`` laid out as torch lays out ``tensor(...)``."""
    indent = len(prefix)
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes = [f"size={tuple(a.shape)}"] + list(suffixes)
    else:
        summarize = a.size > opts["threshold"]
        shown = _summarized(a, opts["edgeitems"]) if summarize else a
        fmt = _Formatter(shown, opts["precision"], opts.get("sci_mode"))
        body = _body(a, indent, summarize, fmt, opts)
    text = prefix + body
    parts, last = [text], len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > opts["linewidth"]:
            parts.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            parts.append(", " + s)
            last += len(s) + 2
    return "".join(parts) + ")"
