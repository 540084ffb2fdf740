"""``autograd.linalg``: torch.linalg's common functions (norms, singular values, inverse, determinant, solve).

Matrices are the last two axes (a batch before them). Vector norms are ``autograd.norm``'s; matrix norms
with ord "fro", "nuc", 2, -2 (through the singular values), 1, -1, inf, -inf (column or row sums of |A|).
"""

from __future__ import annotations

from collections import namedtuple

from typing import Any

import numpy as np

from . import torchops as _T
from . import torch_more as _M
from .ops import _torchargs as A
from .ops import linalg as LA
from .ops import reduce as R
from .ops import unary as U
from .tensor import Tensor, as_tensor

__all__ = ["norm", "vector_norm", "matrix_norm", "svdvals", "svd", "inv", "det", "slogdet", "solve", "cholesky",
           "eigh", "eigvalsh", "cross", "matmul", "outer", "multi_dot", "matrix_power", "MATRIX_ORDS"]

MATRIX_ORDS = ("fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(x)


def _float(op: str, x: Tensor) -> None:
    if x.data.dtype.kind != "f":
        raise TypeError(f"linalg.{op}: needs a floating tensor, got {x.data.dtype}; convert with .double() first")


def _square(op: str, x: Tensor) -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"linalg.{op}: needs square matrices in the last two axes, got shape {x.shape}")


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """(sum |x|**ord)**(1/ord) over dim (all entries by default); ord inf/-inf: max/min |x|, 0: nonzero count."""
    x = _t(x)
    _float("vector_norm", x)
    if isinstance(ord, str):
        raise ValueError(f"linalg.vector_norm: ord must be a number, got {ord!r} (matrix_norm takes 'fro'/'nuc')")
    return _T.norm(x, ord, dim, keepdim)


def _matrix_dims(op: str, x: Tensor, dim: Any) -> tuple:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ValueError(f"linalg.{op}: dim must be a pair of axes for a matrix norm, got {dim!r}")
    if x.ndim < 2:
        raise ValueError(f"linalg.{op}: a matrix norm needs at least 2 axes, got shape {x.shape}")
    a, b = (A.one_dim(f"linalg.{op}", d, x.shape) for d in dim)
    if a == b:
        raise ValueError(f"linalg.{op}: dim {tuple(dim)} names the same axis twice")
    return a, b


def matrix_norm(A_: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False) -> Tensor:  # noqa: A002
    """A matrix norm over the axes dim: 'fro' sqrt(sum A**2), 'nuc' sum of singular values, 2/-2 the
    largest/smallest singular value, 1/-1 the max/min column sum of |A|, inf/-inf the max/min row sum."""
    x = _t(A_)
    _float("matrix_norm", x)
    a, b = _matrix_dims("matrix_norm", x, dim)
    keep = A.flag("linalg.matrix_norm", "keepdim", keepdim)
    if ord not in MATRIX_ORDS or isinstance(ord, bool):
        raise ValueError(f"linalg.matrix_norm: ord must be one of 'fro', 'nuc', 2, -2, 1, -1, inf, -inf; got {ord!r}")
    if ord == "fro":
        return _T.norm(x, 2, (a, b), keep)
    if x.shape[a] == 0 or x.shape[b] == 0:
        raise ValueError(f"linalg.matrix_norm: ord={ord!r} of an empty matrix (shape {x.shape}) is undefined")
    if ord in ("nuc", 2, -2):
        moved = _M.movedim(x, (a, b), (-2, -1))
        s = LA.Svdvals._apply1(moved)
        if ord == "nuc":
            out = s.sum(axis=-1)
        else:
            out = (R.Max if ord == 2 else R.Min)._apply1(s, axis=-1, keepdims=False)
    else:
        if ord in (1, -1):  # column sums: sum over rows (axis a), then the extreme over columns (axis b)
            sums, over = U.Abs._apply1(x).sum(axis=a, keepdims=True), b
        else:
            sums, over = U.Abs._apply1(x).sum(axis=b, keepdims=True), a
        fn = R.Max if ord > 0 else R.Min
        out = fn._apply1(sums, axis=over, keepdims=True)
        shape = tuple(n for i, n in enumerate(x.shape) if i not in (a, b))
        return out if keep else out.reshape(shape)
    if keep:
        shape = list(out.shape)
        for d in sorted((a, b)):
            shape.insert(d, 1)
        out = out.reshape(tuple(shape))
    return out


def norm(A_: Any, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """torch.linalg.norm: with dim None and ord None the 2-norm of all entries; a 2-tuple dim (or a 2-D input
    with ord given and no dim) a matrix norm; otherwise a vector norm."""
    x = _t(A_)
    _float("norm", x)
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return _T.norm(x, 2, None, keepdim)
        if x.ndim == 2:
            return matrix_norm(x, ord, (-2, -1), keepdim)
        if x.ndim != 1:
            raise ValueError(
                f"linalg.norm: with ord={ord!r} and no dim the input must be 1-D or 2-D, got shape {x.shape}; "
                "give dim="
            )
        return vector_norm(x, ord, None, keepdim)
    if len(dim) == 2:
        return matrix_norm(x, "fro" if ord is None else ord, tuple(dim), keepdim)
    if len(dim) != 1:
        raise ValueError(f"linalg.norm: dim must be one or two axes, got {dim!r}")
    return vector_norm(x, 2 if ord is None else ord, dim[0], keepdim)


def svdvals(A_: Any) -> Tensor:
    """The singular values of each matrix, in descending order."""
    x = _t(A_)
    _float("svdvals", x)
    if x.ndim < 2:
        raise ValueError(f"linalg.svdvals: needs at least 2 axes, got shape {x.shape}")
    return LA.Svdvals._apply1(x)


def inv(A_: Any) -> Tensor:
    """The inverse of each square matrix."""
    x = _t(A_)
    _float("inv", x)
    _square("inv", x)
    return LA.Inv._apply1(x)


def det(A_: Any) -> Tensor:
    """The determinant of each square matrix."""
    x = _t(A_)
    _float("det", x)
    _square("det", x)
    return LA.Det._apply1(x)


def slogdet(A_: Any) -> tuple:
    """(sign, logabsdet) of each square matrix (a named tuple, as torch's); the log gets the gradient A^-T."""
    from .linalg_more import SlogdetResult

    d = det(A_)
    sign = Tensor._make(np.sign(d.data))
    return SlogdetResult(sign, U.Log._apply1(U.Abs._apply1(d)))


def solve(A_: Any, B: Any, *, left: bool = True) -> Tensor:
    """X with A X = B (B a matrix or batch of matrices, or a vector); left=False solves X A = B."""
    a, b = _t(A_), _t(B)
    _float("solve", a)
    _square("solve", a)
    if b.data.dtype != a.data.dtype:
        b = b.astype(a.data.dtype) if b.data.dtype.kind == "f" else Tensor._make(b.data.astype(a.data.dtype))
    if not left:
        return solve(a.mT, b.mT).mT
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bb = b.unsqueeze(-1) if vec else b
    if bb.shape[-2] != a.shape[-1]:
        raise ValueError(f"linalg.solve: A of shape {a.shape} and B of shape {b.shape} do not fit (A X = B)")
    try:
        np.broadcast_shapes(a.shape[:-2], bb.shape[:-2])
    except ValueError:
        raise ValueError(f"linalg.solve: the batch shapes of A {a.shape} and B {b.shape} do not broadcast") from None
    out = LA.Solve.apply(a, bb)
    return out[..., 0] if vec else out


def cross(input: Any, other: Any, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The 3-D cross product along dim (default the last axis)."""
    return _M.cross(input, other, dim)


def matmul(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input @ other."""
    return _t(input) @ other


outer = _M.outer


def _symmetric(op: str, x: Tensor, uplo: str) -> None:
    _float(op, x)
    _square(op, x)
    if uplo not in ("L", "U"):
        raise ValueError(f"linalg.{op}: UPLO must be 'L' or 'U', got {uplo!r}")


def cholesky(A_: Any, *, upper: bool = False) -> Tensor:
    """L (lower triangular) with L L^T = A for symmetric positive definite A; upper=True gives L^T."""
    x = _t(A_)
    _float("cholesky", x)
    _square("cholesky", x)
    low = LA.Cholesky._apply1(x)
    return low.mT if upper else low


def eigvalsh(A_: Any, UPLO: str = "L") -> Tensor:  # noqa: N803  (torch's name)
    """The eigenvalues of each symmetric matrix, ascending (from its lower triangle, or upper with UPLO='U')."""
    x = _t(A_)
    _symmetric("eigvalsh", x, UPLO)
    return LA.Eigh._apply1(x, uplo=UPLO)


EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EighResult.__doc__ = "(eigenvalues, eigenvectors), named as torch.linalg.eigh's result."


def eigh(A_: Any, UPLO: str = "L") -> EighResult:  # noqa: N803  (torch's name)
    """(eigenvalues ascending, eigenvectors as columns) of each symmetric matrix; both differentiable (distinct
    eigenvalues assumed), first derivatives only."""
    x = _t(A_)
    _symmetric("eigh", x, UPLO)
    return EighResult(LA.Eigh._apply1(x, uplo=UPLO), LA.EighFull._apply1(x, uplo=UPLO))


SvdResult = namedtuple("SvdResult", ["U", "S", "Vh"])
SvdResult.__doc__ = "(U, S, Vh), named as torch.linalg.svd's result."


def svd(A_: Any, full_matrices: bool = True) -> SvdResult:
    """(U, S, Vh) with A = U diag(S) Vh (reduced only: full_matrices=False); S is differentiable, U and Vh are
    not (a gradient reaching them raises)."""
    x = _t(A_)
    _float("svd", x)
    if x.ndim < 2:
        raise ValueError(f"linalg.svd: needs at least 2 axes, got shape {x.shape}")
    if full_matrices and x.shape[-1] != x.shape[-2]:
        raise NotImplementedError("linalg.svd: full_matrices=True for non-square matrices is not supported; "
                                  "pass full_matrices=False (the reduced SVD)")
    return SvdResult(LA.SvdFactor._apply1(x, which="U"), LA.Svdvals._apply1(x), LA.SvdFactor._apply1(x, which="Vh"))


def multi_dot(tensors: Any) -> Tensor:
    """The product of the matrices, left to right (1-D ends as row and column vectors, as torch)."""
    from .torch_extra import chain_matmul

    ts = [_t(t) for t in tensors]
    if len(ts) < 2:
        raise ValueError("linalg.multi_dot: give at least two tensors")
    first, last = ts[0].ndim == 1, ts[-1].ndim == 1
    if first:
        ts[0] = ts[0].reshape(1, -1)
    if last:
        ts[-1] = ts[-1].reshape(-1, 1)
    out = chain_matmul(*ts)
    if first and last:
        return out.reshape(())
    return out.reshape(-1) if first or last else out


def matrix_power(A_: Any, n: int) -> Tensor:
    """A @ A @ ... (n times; 0 the identity, negative n powers of the inverse)."""
    from .torch_extra import matrix_power as _mp

    return _mp(A_, n)


# qr, pinv, lstsq, matrix_rank, matrix_exp (autograd/linalg_more.py)
from .linalg_more import LstsqResult, QRResult, lstsq, matrix_exp, matrix_rank, pinv, qr  # noqa: E402

__all__ += ["qr", "QRResult", "pinv", "lstsq", "LstsqResult", "matrix_rank", "matrix_exp"]
for _fn in (qr, pinv, lstsq, matrix_rank, matrix_exp):
    _fn.__module__ = __name__  # torch.linalg.qr's home, for help() and the API listings
del _fn
