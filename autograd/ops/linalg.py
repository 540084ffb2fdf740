"""Matrix ops behind ``autograd.linalg``: singular values (for the nuclear and spectral norms),
inverse, determinant and solve, each on the last two axes of a batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function

__all__ = ["Svdvals", "Inv", "Det", "Solve"]


def _mT(x: Any) -> Any:
    return x.swapaxes(-1, -2)


class Svdvals(Function):
    """The singular values s (descending) of each matrix; dL/dA = U diag(g) V^T (distinct values assumed)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        ctx.u, ctx.vt = u, vt
        return s

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        if isinstance(g, G.Tensor):
            raise RuntimeError(
                "svdvals: create_graph=True (double backward) is not supported through singular values "
                "(the nuclear norm and ord=2/-2 matrix norms); use the Frobenius norm, or ord=1/inf, for second "
                "derivatives"
            )
        return (ctx.u * g[..., None, :]) @ ctx.vt


class Inv(Function):
    """A^-1; dL/dA = -A^-T g A^-T."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                f"linalg.inv: a matrix of the batch of shape {a.shape} is singular (not invertible); "
                "use linalg.pinv or regularise it (A + eps I)"
            ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        t = _mT(out)
        return -(t @ g @ t)


class Det(Function):
    """det A; dL/dA = g det(A) A^-T (through the adjugate, so exact for singular A too)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = np.linalg.det(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        a, out = ctx.saved_tensors
        ad, od = G.data(a), G.data(out)
        if isinstance(a, G.Tensor) or isinstance(g, G.Tensor):
            if np.any(od == 0):
                raise RuntimeError("linalg.det: create_graph=True at a singular matrix is not supported")
            return (g * out)[..., None, None] * _mT(Inv.apply(a))
        # the cofactor matrix from an SVD: adj(A)^T = det(U) det(V) U diag(prod of the other s) V^T
        u, s, vt = np.linalg.svd(ad)
        n = s.shape[-1]
        others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1) if n > 1 else \
            np.ones_like(s)
        sign = np.linalg.det(u) * np.linalg.det(vt)
        cof = (u * (others * sign[..., None])[..., None, :]) @ vt
        return g[..., None, None] * cof


class Solve(Function):
    """X with A X = B; dL/dB = A^-T g, dL/dA = -(A^-T g) X^T."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            out = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                f"linalg.solve: a matrix A of the batch of shape {a.shape} is singular; the system has no unique "
                "solution (use linalg.lstsq or regularise A)"
            ) from None
        ctx.save_for_backward(a, out)
        ctx.shapes = (a.shape, b.shape)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        gb = Solve.apply(_mT(a), g) if isinstance(g, G.Tensor) or isinstance(a, G.Tensor) else np.linalg.solve(
            _mT(a), g)
        sa, sb = ctx.shapes
        ga = -(gb @ _mT(out)) if na else None
        return (G.sum_to_shape(ga, sa) if na else None), (G.sum_to_shape(gb, sb) if nb else None)
