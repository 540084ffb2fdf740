"""More of torch.linalg: ``qr``, ``pinv``, ``lstsq``, ``matrix_rank`` and ``matrix_exp`` (re-exported by
``autograd.linalg``), with the ops behind them and their derivatives.

Matrices are the last two axes (a batch before them), as in torch. Derivatives: QR through Q and R (reduced mode,
or any mode when rows <= columns), the pseudo-inverse (for matrices whose rank does not change nearby), the
least-squares solution (through the pseudo-inverse) and the matrix exponential (through the exponential of a
2n x 2n block matrix, so second derivatives work too).
"""

from __future__ import annotations

from collections import namedtuple

from typing import Any

import numpy as np

from . import generic as G
from .function import Context, Function
from .tensor import Tensor, as_tensor

__all__ = ["SlogdetResult", "qr", "QRResult", "pinv", "lstsq", "LstsqResult", "matrix_rank", "matrix_exp", "pinverse",
           "QrQ", "QrR", "Pinv", "MatrixExp"]


def _mT(x: Any) -> Any:
    return x.swapaxes(-1, -2)


def _t(x: Any, op: str) -> Tensor:
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"linalg.{op}: expected a Tensor or an array of numbers, got {type(x).__name__} {x!r:.40}")
    t = x if isinstance(x, Tensor) else as_tensor(x)
    if t.data.dtype.kind != "f":
        raise TypeError(f"linalg.{op}: needs a floating tensor, got {t.data.dtype}; convert with .double() first")
    if t.ndim < 2:
        raise ValueError(f"linalg.{op}: needs a matrix (or a batch of them) in the last two axes, got shape {t.shape}")
    return t


def _no_double_backward(op: str, g: Any) -> None:
    if isinstance(g, G.Tensor):
        raise RuntimeError(f"linalg.{op}: create_graph=True (double backward) is not supported through it")


SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
SlogdetResult.__doc__ = "(sign, logabsdet), named as torch.linalg.slogdet's result."


# ------------------------------------------------------------------------------------------------ QR
def _copyltu(m: np.ndarray) -> np.ndarray:
    """The symmetric matrix whose lower triangle (diagonal included) is m's."""
    low = np.tril(m, -1)
    return low + _mT(low) + m * np.eye(m.shape[-1], dtype=m.dtype)


def _qr_square_backward(q: np.ndarray, r: np.ndarray, gq: np.ndarray, gr: np.ndarray) -> np.ndarray:
    """dL/dA for A = QR with R square (rows >= columns): (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q."""
    m = r @ _mT(gr) - _mT(gq) @ q
    b = gq + q @ _copyltu(m)
    try:  # b R^-T, i.e. solve R X^T = b^T
        return _mT(np.linalg.solve(r, _mT(b)))
    except np.linalg.LinAlgError:
        raise RuntimeError(
            "linalg.qr: the backward needs R invertible (A of full column rank); this A is rank deficient"
        ) from None


def _qr_backward(a: np.ndarray, q: np.ndarray, r: np.ndarray, gq: np.ndarray, gr: np.ndarray) -> np.ndarray:
    m, n = a.shape[-2:]
    if m >= n:
        return _qr_square_backward(q, r, gq, gr)
    # wide A = [X | Y] with X = Q R1 square and Y = Q R2: X's part through the square rule, Y's is Q gR2
    y, r1, gr1, gr2 = a[..., m:], r[..., :m], gr[..., :m], gr[..., m:]
    gx = _qr_square_backward(q, r1, gq + y @ _mT(gr2), gr1)
    return np.concatenate([gx, q @ gr2], axis=-1)


class QrQ(Function):
    """Q of A = QR (numpy's, i.e. LAPACK's, signs, as torch); its gradient with R's held at zero."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, mode: str = "reduced") -> np.ndarray:
        q, r = np.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        ctx.mode = mode
        return q

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        _no_double_backward("qr", g)
        a, q, r = ctx.saved_tensors
        _qr_differentiable(ctx.mode, a.shape)
        return _qr_backward(a, q, r, g, np.zeros_like(r))


class QrR(Function):
    """R of A = QR; its gradient with Q's held at zero."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, mode: str = "reduced") -> np.ndarray:
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        ctx.save_for_backward(a, q, r)
        ctx.mode = mode
        return r

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        _no_double_backward("qr", g)
        a, q, r = ctx.saved_tensors
        _qr_differentiable(ctx.mode, a.shape)
        return _qr_backward(a, q, r, np.zeros_like(q), g)


def _qr_differentiable(mode: str, shape: tuple) -> None:
    if mode == "complete" and shape[-2] > shape[-1]:
        raise RuntimeError(
            f"linalg.qr: mode='complete' is not differentiable for a tall A (shape {shape}: more rows than "
            "columns), as in torch; use mode='reduced'"
        )


QRResult = namedtuple("QRResult", ["Q", "R"])
QRResult.__doc__ = "(Q, R), named as torch.linalg.qr's result."


def qr(A: Any, mode: str = "reduced") -> QRResult:  # noqa: N803  (torch's name)
    """A = Q R with Q orthonormal columns and R upper triangular. mode 'reduced': Q (m, k), R (k, n), k = min(m, n);
    'complete': Q (m, m), R (m, n); 'r': R only (Q is an empty tensor, as in torch)."""
    x = _t(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    r = QrR._apply1(x, mode=mode)
    if mode == "r":
        return QRResult(Tensor._make(np.zeros((0,), dtype=x.data.dtype)), r)
    return QRResult(QrQ._apply1(x, mode=mode), r)


# ---------------------------------------------------------------------------------------- pseudo-inverse
def _cutoff(s: np.ndarray, m: int, n: int, atol: Any, rtol: Any, dtype: np.dtype) -> np.ndarray:
    """torch's threshold max(atol, rtol * s_max), rtol defaulting to eps max(m, n) when neither is given (and to
    0 when only atol is)."""
    if rtol is None:
        rtol = np.finfo(dtype).eps * max(m, n) if atol is None else 0.0
    smax = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), dtype)
    return np.maximum(0.0 if atol is None else _arr(atol), _arr(rtol) * smax)


def _arr(v: Any) -> Any:
    """A tolerance: a number, or a tensor of the batch's shape (broadcast against the trailing singular axis)."""
    if isinstance(v, Tensor):
        v = v.data
    v = np.asarray(v, dtype=np.float64)
    return v[..., None] if v.ndim else v


class Pinv(Function):
    """The Moore-Penrose inverse P = A^+ through the SVD, singular values at or below the cutoff dropped;
    dL/dA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A) (constant rank)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, atol: Any = None, rtol: Any = None, hermitian: bool = False
                ) -> np.ndarray:
        m, n = a.shape[-2:]
        if hermitian:
            w, v = np.linalg.eigh(a)
            s = np.abs(w)
            order = np.argsort(-s, axis=-1)
            cut = _cutoff(np.take_along_axis(s, order, -1), m, n, atol, rtol, a.dtype)
            inv = np.where(s > cut, 1.0 / np.where(s > cut, w, 1.0), 0.0)
            out = (v * inv[..., None, :]) @ _mT(v)
        else:
            u, s, vt = np.linalg.svd(a, full_matrices=False)
            cut = _cutoff(s, m, n, atol, rtol, a.dtype)
            inv = np.where(s > cut, 1.0 / np.where(s > cut, s, 1.0), 0.0)
            out = (_mT(vt) * inv[..., None, :]) @ _mT(u)
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        a, p = ctx.saved_tensors
        m, n = G.data(a).shape[-2:]
        pt, gt = _mT(p), _mT(g)
        eye_m, eye_n = np.eye(m, dtype=G.data(p).dtype), np.eye(n, dtype=G.data(p).dtype)
        return -(pt @ g @ pt) + (eye_m - a @ p) @ gt @ (p @ pt) + (pt @ p) @ gt @ (eye_n - p @ a)


def pinv(A: Any, rcond: Any = None, hermitian: bool = False, *, atol: Any = None, rtol: Any = None  # noqa: N803
         ) -> Tensor:
    """The pseudo-inverse: singular values s <= max(atol, rtol * s_max) count as 0 (rtol defaults to
    eps * max(m, n)); ``rcond`` is torch's older name for rtol; hermitian=True uses eigh on a symmetric A."""
    x = _t(A, "pinv")
    if rcond is not None:
        if rtol is not None:
            raise TypeError("linalg.pinv: give rcond (torch's older name) or rtol, not both")
        rtol = rcond
    for name, v in (("atol", atol), ("rtol", rtol)):
        if v is not None and np.any(_arr(v) < 0):
            raise ValueError(f"linalg.pinv: {name} must be >= 0, got {v!r}")
    if hermitian and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"linalg.pinv: hermitian=True needs square matrices, got shape {x.shape}")
    return Pinv._apply1(x, atol=atol, rtol=rtol, hermitian=bool(hermitian))


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:  # noqa: A002  (torch's name)
    """torch.pinverse: the pseudo-inverse with singular values below rcond * s_max dropped."""
    return pinv(input, rtol=rcond)


def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *, atol: Any = None,  # noqa: N803
                rtol: Any = None) -> Tensor:
    """The number of singular values above max(atol, rtol * s_max) (rtol defaults to eps * max(m, n)), int64 per
    matrix; ``tol`` is torch's older name for atol."""
    x = _t(A, "matrix_rank")
    if tol is not None:
        if atol is not None:
            raise TypeError("linalg.matrix_rank: give tol (torch's older name) or atol, not both")
        atol = tol
    a = x.data
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    s = -np.sort(-s, axis=-1)
    cut = _cutoff(s, a.shape[-2], a.shape[-1], atol, rtol, a.dtype)
    return Tensor._make(np.array(np.sum(s > cut, axis=-1), dtype=np.int64))


# ------------------------------------------------------------------------------------------- least squares
LstsqResult = namedtuple("LstsqResult", ["solution", "residuals", "rank", "singular_values"])
LstsqResult.__doc__ = "(solution, residuals, rank, singular_values), named as torch.linalg.lstsq's result."


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Any, B: Any, rcond: Any = None, *, driver: str | None = None) -> LstsqResult:  # noqa: N803
    """X minimising ||A X - B|| (the minimum-norm one when A is rank deficient), as torch.linalg.lstsq:
    (solution, residuals, rank, singular_values). Which of the last three are filled follows torch's
    drivers (default 'gelsy'): residuals (||A X - B||^2 per column) for gels/gelsd/gelss when m > n and A has
    full rank, rank for gelsy/gelsd/gelss, singular values for gelsd/gelss; the others are empty tensors.
    The solution is differentiable (through the pseudo-inverse). For a rank-deficient A the solution is the
    minimum-norm one for every driver (torch's gelsy may return another solution then)."""
    a = _t(A, "lstsq")
    if isinstance(B, (str, bytes)) or B is None:
        raise TypeError(f"linalg.lstsq: B must be a Tensor or an array of numbers, got {type(B).__name__}")
    b = B if isinstance(B, Tensor) else as_tensor(B)
    if b.data.dtype != a.data.dtype:
        b = b.astype(a.data.dtype) if b.data.dtype.kind == "f" else Tensor._make(b.data.astype(a.data.dtype))
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise ValueError(f"linalg.lstsq: driver must be one of {_DRIVERS} (or None for 'gelsy'), got {driver!r}")
    m, n = a.shape[-2:]
    vec = b.ndim == a.ndim - 1
    if not vec and b.ndim < a.ndim - 1:
        raise ValueError(f"linalg.lstsq: B of shape {b.shape} has too few axes for A of shape {a.shape}")
    bb = b.unsqueeze(-1) if vec else b
    if bb.ndim < 2 or bb.shape[-2] != m:
        raise ValueError(
            f"linalg.lstsq: A of shape {a.shape} and B of shape {b.shape} do not fit: B needs {m} rows, A's rows "
            "(shape (*, m, k), or (*, m) for one right-hand side)"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], bb.shape[:-2])
    except ValueError:
        raise ValueError(f"linalg.lstsq: the batch shapes of A {a.shape} and B {b.shape} do not broadcast") from None
    if rcond is None:
        rcond = np.finfo(a.data.dtype).eps * max(m, n)
    s = np.linalg.svd(a.data, compute_uv=False)
    rank = np.array(np.sum(s > rcond * (s[..., :1] if s.shape[-1] else 0.0), axis=-1), dtype=np.int64)
    x = Pinv._apply1(a, atol=None, rtol=rcond, hermitian=False) @ bb
    empty = Tensor._make(np.zeros((0,), dtype=a.data.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and np.all(rank == n):
        r = (a @ x - bb).data
        residuals = Tensor._make(np.sum(r * r, axis=-2))
    solution = x[..., 0] if vec else x  # (residuals keep their axis of length 1 then, as torch's)
    rank_t = Tensor._make(rank) if driver != "gels" else Tensor._make(np.zeros((0,), dtype=np.int64))
    sv = Tensor._make(s) if driver in ("gelsd", "gelss") else empty
    return LstsqResult(solution, residuals, rank_t, sv)


# ------------------------------------------------------------------------------------------ matrix exponential
def _expm(a: np.ndarray) -> np.ndarray:
    """exp(A) by scaling and squaring: A / 2^s with 1-norm <= 1/2, its Taylor series to degree 18 (error below
    1e-22 of the result there), squared s times."""
    norm = np.max(np.sum(np.abs(a), axis=-2), axis=-1) if a.size else np.zeros(a.shape[:-2])
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / 0.5))).astype(np.int64)
    s = np.where(np.isfinite(norm), s, 0)
    scaled = a / (2.0 ** s)[..., None, None]
    n = a.shape[-1]
    eye = np.broadcast_to(np.eye(n, dtype=a.dtype), a.shape)
    out = eye.copy()
    for k in range(18, 0, -1):  # Horner: I + X/1 (I + X/2 (I + ... (I + X/18)))
        out = eye + (scaled @ out) / k
    for i in range(int(s.max(initial=0))):
        out = np.where((i < s)[..., None, None], out @ out, out)
    return out


class MatrixExp(Function):
    """exp(A) = sum_k A^k / k!; dL/dA = the upper right block of exp([[A^T, g], [0, A^T]]) (the Frechet
    derivative of exp at A^T applied to g)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a)
        return _expm(a.astype(np.float64)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (a,) = ctx.saved_tensors
        n = G.data(a).shape[-1]
        at = _mT(a)
        if isinstance(g, G.Tensor) or isinstance(a, G.Tensor):
            from .tensor import concatenate

            g = g if isinstance(g, G.Tensor) else Tensor._make(g)
            at = at if isinstance(at, G.Tensor) else Tensor._make(at)
            zero = Tensor._make(np.zeros(G.data(at).shape, G.data(at).dtype))
            block = concatenate([concatenate([at, g], axis=-1), concatenate([zero, at], axis=-1)], axis=-2)
            return MatrixExp.apply(block)[..., :n, n:]
        block = np.zeros(a.shape[:-2] + (2 * n, 2 * n), dtype=np.float64)
        block[..., :n, :n] = at
        block[..., n:, n:] = at
        block[..., :n, n:] = np.broadcast_to(g, a.shape)
        return _expm(block)[..., :n, n:].astype(a.dtype, copy=False)


def matrix_exp(A: Any) -> Tensor:  # noqa: N803
    """exp(A) of each square matrix (torch.linalg.matrix_exp and torch.matrix_exp)."""
    x = _t(A, "matrix_exp")
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"linalg.matrix_exp: needs square matrices in the last two axes, got shape {x.shape}")
    return MatrixExp._apply1(x)
