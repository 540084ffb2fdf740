"""Matrix ops behind ``autograd.linalg``: singular values (for the nuclear and spectral norms),
inverse, determinant, solve, Cholesky and the symmetric eigendecomposition, each on the last two axes
of a batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import generic as G
from ..function import Context, Function

__all__ = ["Svdvals", "Inv", "Det", "Solve", "Cholesky", "Eigh", "EighFull", "SvdFactor"]


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


def _inv(x: Any) -> Any:
    return Inv.apply(x) if isinstance(x, G.Tensor) else np.linalg.inv(x)


def _tril(x: Any, k: int = 0) -> Any:
    if isinstance(x, G.Tensor):
        from .layout import TriMask

        return TriMask.apply(x, k=k, lower=True)
    return np.tril(x, k)


class Cholesky(Function):
    """L lower triangular with L L^T = A (A symmetric positive definite);
    dL/dA = L^-T S L^-1 with S = (P + tril(P, -1)^T) / 2, P = tril(L^T g) (torch's rule)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        try:
            out = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                f"linalg.cholesky: a matrix of the batch of shape {a.shape} is not positive definite; check that "
                "it is symmetric with positive eigenvalues (add eps I to regularise)"
            ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (low,) = ctx.saved_tensors
        p = _tril(_mT(low) @ g)
        s = (p + _mT(_tril(p, -1))) * 0.5
        li = _inv(low)
        return _mT(li) @ s @ li


class Eigh(Function):
    """The eigenvalues w (ascending) of a symmetric matrix, with its eigenvectors V kept on the context
    (``EighVectors`` reads them); dL/dA = V diag(g) V^T."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, uplo: str = "L") -> np.ndarray:
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.v = v
        return w

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        if isinstance(g, G.Tensor):
            raise RuntimeError("linalg.eigh: create_graph=True (double backward) is not supported")
        v = ctx.v
        return (v * g[..., None, :]) @ _mT(v)


class EighFull(Function):
    """The eigenvectors V of a symmetric matrix (columns, for ascending eigenvalues w), with w as a second input's
    worth of gradient through ``Eigh``; dL/dA = V (skew(V^T g) / E) V^T, E_ij = w_j - w_i (torch's rule)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, uplo: str = "L") -> np.ndarray:
        w, v = np.linalg.eigh(a, UPLO=uplo)
        e = w[..., None, :] - w[..., :, None]
        n = w.shape[-1]
        e[..., np.arange(n), np.arange(n)] = 1.0
        ctx.v, ctx.e = v, e
        return v

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        if isinstance(g, G.Tensor):
            raise RuntimeError("linalg.eigh: create_graph=True (double backward) is not supported")
        v = ctx.v
        vg = _mT(v) @ g
        vg = (vg - _mT(vg)) * 0.5
        return v @ (vg / ctx.e) @ _mT(v)


class SvdFactor(Function):
    """U or Vh of the reduced SVD, as constants of the graph: gradients through them are refused (use svdvals)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, which: str = "U") -> np.ndarray:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        ctx.which = which
        return u if which == "U" else vh

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        raise RuntimeError(
            f"linalg.svd: gradients through the singular vectors ({ctx.which}) are not supported; differentiate "
            "through the singular values (linalg.svdvals, or S of svd) or use linalg.eigh on A^T A"
        )
