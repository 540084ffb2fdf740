"""``scatter_reduce`` with torch's reductions (sum, prod, mean, amax, amin; ``include_self``).

Every src entry goes to out[..index[..i..]..] along ``axis``; the targets it reaches combine their
contributors (the input entry too when ``include_self``), and targets nobody reaches keep the input.
Arguments arrive checked (index non-negative, src at least index's shape). Gradients: sum and mean
pass g (divided by the count for mean) to each contributor; prod passes g times the product of the
other contributors (exact with zeros); amax/amin split g evenly over the contributors that reach the
extreme (as torch, which counts an input entry equal to the extreme among them even without include_self).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function
from .index import Gather, _grow, _within
from .scan import _along

__all__ = ["ScatterReduce", "REDUCTIONS"]

REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _targets(index: np.ndarray, axis: int, shape: tuple) -> np.ndarray:
    """The flat position in the output that each index entry writes to."""
    where = np.broadcast_arrays(*_along(index, axis))
    return np.ravel_multi_index(tuple(where), shape).reshape(-1)


class ScatterReduce(Function):
    """out = x with src combined into it at index along axis by ``reduce`` (see the module docstring)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: np.ndarray, src: np.ndarray, axis: int = 0,
                reduce: str = "sum", include_self: bool = True) -> np.ndarray:
        tgt = _targets(index, axis, x.shape)
        s = src[_within(index.shape)].reshape(-1)
        hits = np.bincount(tgt, minlength=x.size).reshape(x.shape)
        reached = hits > 0
        flat = x.copy().reshape(-1)
        if not include_self:  # the reached entries start from the reduction's identity
            ident = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
            if ident is None:  # amax/amin: start from the first contributor
                first = np.full(x.size, -1, np.int64)
                first[tgt[::-1]] = np.arange(tgt.size)[::-1]
                flat[reached.reshape(-1)] = s[first[reached.reshape(-1)]]
            else:
                flat[reached.reshape(-1)] = ident
        if reduce in ("sum", "mean"):
            np.add.at(flat, tgt, s)
        elif reduce == "prod":
            np.multiply.at(flat, tgt, s)
        elif reduce == "amax":
            np.maximum.at(flat, tgt, s)
        else:
            np.minimum.at(flat, tgt, s)
        count = hits + (1 if include_self else 0)
        count = np.where(reached, count, 1)
        if reduce == "mean":
            flat = flat.reshape(x.shape)
            out = flat // count if flat.dtype.kind in "iu" else flat / count.astype(flat.dtype)
        else:
            out = flat.reshape(x.shape)
        ctx.tgt, ctx.reached, ctx.count = tgt, reached, count
        ctx.index, ctx.axis, ctx.src_shape = index, axis, src.shape
        ctx.reduce, ctx.include_self = reduce, include_self
        if reduce in ("prod", "amax", "amin"):  # their derivatives read the values (checked against in-place writes)
            ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        nx, _, ns = ctx.needs_input_grad
        red, keep_self = ctx.reduce, ctx.include_self
        reached, tgt = ctx.reached, ctx.tgt
        recorded = isinstance(g, G.Tensor)
        dt = G.data(g).dtype
        if red in ("sum", "mean"):
            inv = (1.0 / ctx.count).astype(dt) if red == "mean" else np.ones((), dt)
            gg = g * inv  # what each contributor of a reached target gets
            self_w = np.where(reached, inv if keep_self else 0.0, 1.0).astype(dt)
            gx = g * self_w if nx else None
            gs = None
            if ns:
                picked = Gather.apply(gg, ctx.index, axis=ctx.axis) if recorded else gg.reshape(-1)[tgt].reshape(
                    ctx.index.shape)
                gs = _grow(picked, ctx.src_shape)
            return gx, None, gs
        if recorded and red == "prod":
            raise RuntimeError(
                "scatter_reduce: create_graph=True (double backward) is not supported for reduce='prod'; "
                "use reduce='sum' on logs, or take the second derivative numerically"
            )
        x, src, out = (G.data(a) for a in ctx.saved_tensors)
        s = src[_within(ctx.index.shape)].reshape(-1)
        xf, of = x.reshape(-1), out.reshape(-1)
        if red == "prod":
            w_self, w_src = _prod_weights(xf, s, tgt, keep_self, reached.reshape(-1))
        else:
            w_self, w_src = _extreme_weights(xf, of, s, tgt, keep_self, reached.reshape(-1))
        w_self = np.where(reached.reshape(-1), w_self, 1.0).reshape(x.shape).astype(dt)
        gx = g * w_self if nx else None
        gs = None
        if ns:
            gd = G.data(g).reshape(-1)
            picked = (gd[tgt] * w_src).astype(dt).reshape(ctx.index.shape)
            if recorded:  # amax/amin: the weights are piecewise constant, so only g is recorded
                picked = Gather.apply(g, ctx.index, axis=ctx.axis) * w_src.astype(dt).reshape(ctx.index.shape)
            gs = _grow(picked, ctx.src_shape)
        return gx, None, gs


def _prod_weights(xf: np.ndarray, s: np.ndarray, tgt: np.ndarray, keep_self: bool, reached: np.ndarray) -> tuple:
    """d out / d contributor = the product of the other contributors of its target (exact with zeros)."""
    n = xf.size
    one = np.ones((), xf.dtype)
    zeros = np.bincount(tgt, weights=(s == 0), minlength=n)
    nonzero = np.ones(n, xf.dtype)
    np.multiply.at(nonzero, tgt, np.where(s == 0, one, s))
    if keep_self:
        zeros = zeros + (xf == 0)
        nonzero = nonzero * np.where(xf == 0, one, xf)

    def weight(v: np.ndarray, at: np.ndarray) -> np.ndarray:
        z, p = zeros[at], nonzero[at]
        safe = np.where(v == 0, one, v)
        return np.where(z == 0, p / safe, np.where((z == 1) & (v == 0), p, 0))

    w_self = weight(xf, np.arange(n)) if keep_self else np.zeros(n, xf.dtype)
    return w_self, weight(s, tgt)


def _extreme_weights(xf: np.ndarray, of: np.ndarray, s: np.ndarray, tgt: np.ndarray, keep_self: bool,
                     reached: np.ndarray) -> tuple:
    """1/k for each of the k contributors equal to its target's extreme, 0 for the others."""
    n = xf.size
    hit_src = s == of[tgt]
    ties = np.bincount(tgt, weights=hit_src, minlength=n)
    hit_self = xf == of  # counted among the ties even without include_self (torch's rule), but given nothing then
    ties = np.maximum(ties + hit_self, 1)
    return (hit_self if keep_self else np.zeros(n, bool)) / ties, hit_src / ties[tgt]
