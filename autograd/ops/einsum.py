"""einsum: Einstein summation over any number of operands, forward by ``np.einsum``.

The derivative with respect to one operand is itself an einsum: the output gradient contracted with
all the other operands, back onto that operand's labels. Labels only that operand has (summed inside
it) come back through a ones vector, a repeated label ('ii') through an identity matrix, and a
size-1 axis that broadcast is summed back.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function

__all__ = ["Einsum", "parse_einsum"]

_LETTERS = string.ascii_letters


def _fail(msg: str) -> None:
    raise ValueError(f"einsum: {msg}")


def parse_einsum(subscripts: str, shapes: list) -> tuple:
    """Turn ``subscripts`` into explicit labels: (labels per operand, output labels, {label: size}).

    '...' becomes fresh letters (right-aligned across operands, as numpy and torch broadcast them);
    without '->' the output is the ellipsis axes, then the labels seen once, in alphabetical order.
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: the first argument must be a subscripts string like 'ij,jk->ik', got {subscripts!r}")
    spec = subscripts.replace(" ", "")
    if spec.count("->") > 1:
        _fail(f"{subscripts!r} has more than one '->'")
    lhs, arrow, rhs = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        _fail(f"{subscripts!r} names {len(terms)} operand(s) but {len(shapes)} were given")
    used = set(c for c in spec if c.isalpha())
    for c in spec.replace("...", "").replace("->", "").replace(",", ""):
        if c not in _LETTERS:
            _fail(f"{subscripts!r} holds {c!r}; labels must be letters a-z, A-Z (and '...' for broadcast axes)")
    n_ell = []
    for term, shape in zip(terms, shapes):
        if term.count("...") > 1 or "." in term.replace("...", ""):
            _fail(f"operand subscripts {term!r} must hold at most one '...'")
        letters = len(term.replace("...", ""))
        extra = len(shape) - letters
        if extra < 0 or (extra > 0 and "..." not in term):
            _fail(f"operand subscripts {term!r} name {letters} axes but the operand has shape {tuple(shape)}")
        n_ell.append(extra)
    fresh = [c for c in _LETTERS if c not in used]
    ell = max(n_ell, default=0)
    if ell + len(used) > len(_LETTERS):
        _fail("too many axes to label")
    ell_labels = "".join(fresh[:ell])
    ins = []
    for term, k in zip(terms, n_ell):
        ins.append(term.replace("...", ell_labels[ell - k:] if k else ""))
    if arrow:
        if rhs.count("...") > 1 or "." in rhs.replace("...", ""):
            _fail(f"output subscripts {rhs!r} must hold at most one '...'")
        out = rhs.replace("...", ell_labels)
        if len(set(out)) != len(out):
            _fail(f"output subscripts {rhs!r} repeat a label")
        for c in out:
            if not any(c in t for t in ins):
                _fail(f"output label {c!r} appears in no operand of {subscripts!r}")
    else:
        counts: dict = {}
        for t in ins:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        out = ell_labels + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell_labels))
    sizes: dict = {}
    for i, (t, shape) in enumerate(zip(ins, shapes)):
        own: dict = {}
        for c, n in zip(t, shape):
            if c in own and own[c] != n:
                _fail(f"label {c!r} is repeated in operand {i} with different sizes {own[c]} and {n} "
                      f"(shape {tuple(shape)}); a repeated label takes a diagonal, which needs equal sizes")
            own[c] = n
            if c in sizes and n != sizes[c] and 1 not in (n, sizes[c]):
                _fail(f"label {c!r} has size {sizes[c]} in one operand and {n} in operand {i} "
                      f"(shapes {[tuple(s) for s in shapes]}); sizes must match or be 1")
            if sizes.get(c, 1) == 1:
                sizes[c] = n
    return tuple(ins), out, sizes


def _expand(x: Any, labels: str, sizes: dict) -> Any:
    """x broadcast so every label has its full size (a view; labels repeated within x keep their size)."""
    target = tuple(sizes[c] if labels.count(c) == 1 else n for c, n in zip(labels, x.shape))
    return x if tuple(x.shape) == target else G.broadcast_to(x, target)


def _einsum(spec: str, *ops: Any) -> Any:
    if any(isinstance(o, G.Tensor) for o in ops):
        ins, out = spec.split("->")
        ins = tuple(ins.split(","))
        sizes: dict = {}
        for t, o in zip(ins, ops):
            for c, n in zip(t, o.shape):
                if sizes.get(c, 1) == 1:
                    sizes[c] = n
        return Einsum.apply(*ops, spec=(ins, out, sizes))
    return np.einsum(spec, *ops, optimize=len(ops) > 2)


class Einsum(Function):
    """sum over the contracted labels of the product of the operands; d/d(operand k) = einsum of g and the others."""

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, spec: tuple = ()) -> np.ndarray:
        ins, out, sizes = spec
        ctx.spec = spec
        ctx.save_for_backward(*xs)
        ops = [_expand(x, t, sizes) for x, t in zip(xs, ins)]
        return np.einsum(",".join(ins) + "->" + out, *ops, optimize=len(ops) > 2)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        ins, out, sizes = ctx.spec
        xs = ctx.saved_tensors
        spare = [c for c in _LETTERS if c not in "".join(ins) + out]
        grads = []
        for k, (xk, lk) in enumerate(zip(xs, ins)):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            terms, ops = [out], [g]
            for j, (xj, lj) in enumerate(zip(xs, ins)):
                if j != k:
                    terms.append(lj)
                    ops.append(_expand(xj, lj, sizes))
            elsewhere = set("".join(terms))
            dtype = G.data(g).dtype
            fresh = [c for c in spare if c not in elsewhere]
            target = ""
            seen: set = set()
            for c in lk:
                if c in seen:  # a repeated label: the gradient lands on the diagonal
                    f = fresh.pop()
                    terms.append(c + f)
                    ops.append(np.eye(sizes[c], dtype=dtype))
                    target += f
                    continue
                seen.add(c)
                target += c
                if c not in elsewhere:  # summed inside operand k only: every entry gets g
                    terms.append(c)
                    ops.append(np.ones(sizes[c], dtype=dtype))
                    elsewhere.add(c)
            full = _einsum(",".join(terms) + "->" + target, *ops)
            shape = tuple(G.data(xk).shape)
            summed = tuple(i for i, (n, m) in enumerate(zip(shape, full.shape)) if n == 1 and m != 1)
            grads.append(full.sum(axis=summed, keepdims=True) if summed else full)
        return tuple(grads)
