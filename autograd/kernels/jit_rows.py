"""Numba kernels that work row by row: the softmax family, cross-entropy and ``sum_to_shape``.

Arrays arrive as C-contiguous 2-D ``(rows, cols)`` views (the wrappers in
``numba_backend`` reshape them). Each row is read once for its maximum and
once more to finish, with no temporaries; the parallel twins give each
thread whole rows, or, in the column sum, its own slot of ``partial``.

Sums along a row go through ``row_sum``/``row_dot``: they accumulate in
float64 whatever the dtype (float32 sums of long rows would lose digits that
numpy's pairwise summation keeps), and only they may reassociate additions,
so LLVM vectorises them. The rest of each kernel keeps strict IEEE order:
``(x - max) - lse`` must not become ``x - (max + lse)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from .jit import serial, twins

# ------------------------------------------------------------------ row helpers


def _row_max(a, r):
    m = a[r, 0]
    for c in range(1, a.shape[1]):
        if a[r, c] > m:
            m = a[r, c]
    return m


def _row_sum(a, r):
    s = 0.0
    for c in range(a.shape[1]):
        s += a[r, c]
    return s


def _row_dot(a, b, r):
    s = 0.0
    for c in range(a.shape[1]):
        s += a[r, c] * b[r, c]
    return s


row_max = serial(_row_max)
row_sum = serial(_row_sum, fastmath={"reassoc"})
row_dot = serial(_row_dot, fastmath={"reassoc"})

# ----------------------------------------------------------- all-Numba kernels


def _softmax(x, out):
    """out = e**(x - max) / sum e**(x - max) along each row."""
    for r in prange(x.shape[0]):
        m = row_max(x, r)
        for c in range(x.shape[1]):
            out[r, c] = math.exp(x[r, c] - m)
        s = row_sum(out, r)
        for c in range(x.shape[1]):
            out[r, c] /= s


def _softmax_backward(g, y, out):
    """dL/dx = y (g - sum(g y)) along each row, y the saved softmax."""
    for r in prange(g.shape[0]):
        d = row_dot(g, y, r)
        for c in range(g.shape[1]):
            out[r, c] = y[r, c] * (g[r, c] - d)


def _log_softmax(x, out):
    """out = (x - max) - log(sum e**(x - max)) along each row."""
    for r in prange(x.shape[0]):
        m = row_max(x, r)
        s = 0.0
        for c in range(x.shape[1]):
            s += math.exp(x[r, c] - m)
        lse = math.log(s)
        for c in range(x.shape[1]):
            out[r, c] = (x[r, c] - m) - lse


def _log_softmax_backward(g, y, out):
    """dL/dx = g - e**y sum(g) along each row, y the saved log-softmax."""
    for r in prange(g.shape[0]):
        s = row_sum(g, r)
        for c in range(g.shape[1]):
            out[r, c] = g[r, c] - math.exp(y[r, c]) * s


def _cross_entropy(logits, labels, logp, losses):
    """Per row: logp = log_softmax(logits), loss = -logp[label]. Returns how many labels were out of range."""
    bad = 0
    for r in prange(logits.shape[0]):
        m = row_max(logits, r)
        s = 0.0
        for c in range(logits.shape[1]):
            s += math.exp(logits[r, c] - m)
        lse = math.log(s)
        for c in range(logits.shape[1]):
            logp[r, c] = (logits[r, c] - m) - lse
        k = labels[r]
        if 0 <= k < logits.shape[1]:
            losses[r] = -logp[r, k]
        else:
            bad += 1  # a reduction variable: each thread counts into its own copy
    return bad


def _cross_entropy_backward(g, logp, labels, out):
    """dL/dlogits = g[r] (softmax - onehot(label)) per row. Returns how many labels were out of range."""
    one = logp.dtype.type(1)
    bad = 0
    for r in prange(logp.shape[0]):
        k = labels[r]
        if not 0 <= k < logp.shape[1]:
            bad += 1
        for c in range(logp.shape[1]):
            p = math.exp(logp[r, c])
            out[r, c] = g[r] * (p - one if c == k else p)
    return bad


# ------------------------------------- passes around numpy's vectorised exp
# For large inputs the wrappers run: a pass below, np.exp in place on its output, a finishing pass.


def _shift_rows(x, out):
    """out = x - max of its row."""
    for r in prange(x.shape[0]):
        m = row_max(x, r)
        for c in range(x.shape[1]):
            out[r, c] = x[r, c] - m


def _divide_by_row_sums(e):
    """e /= sum of its row, in place (with e = e**(x - max): the softmax)."""
    for r in prange(e.shape[0]):
        s = row_sum(e, r)
        for c in range(e.shape[1]):
            e[r, c] /= s


def _subtract_log_row_sums(shifted, e, out):
    """out = shifted - log(sum of e's row), e = e**shifted: the log-softmax (``out`` may be ``shifted``)."""
    for r in prange(e.shape[0]):
        lse = math.log(row_sum(e, r))
        for c in range(e.shape[1]):
            out[r, c] = shifted[r, c] - lse


def _log_softmax_backward_from_exp(g, p, out):
    """out = g - p sum(g) along each row, p = e**y the softmax (``out`` may be ``p``)."""
    for r in prange(g.shape[0]):
        s = row_sum(g, r)
        for c in range(g.shape[1]):
            out[r, c] = g[r, c] - p[r, c] * s


def _pick_losses(logp, labels, losses):
    """losses[r] = -logp[r, label]; returns how many labels were out of range."""
    bad = 0
    for r in prange(logp.shape[0]):
        k = labels[r]
        if 0 <= k < logp.shape[1]:
            losses[r] = -logp[r, k]
        else:
            bad += 1
    return bad


def _cross_entropy_backward_from_exp(g, p, labels, out):
    """out = g[r] (p - onehot(label)) per row, p = e**logp the softmax (``out`` may be ``p``); counts bad labels."""
    one = p.dtype.type(1)
    bad = 0
    for r in prange(p.shape[0]):
        k = labels[r]
        if not 0 <= k < p.shape[1]:
            bad += 1
        for c in range(p.shape[1]):
            out[r, c] = g[r] * (p[r, c] - one if c == k else p[r, c])
    return bad


# ------------------------------------------------------------- sum_to_shape


def _sum_rows_into(g, chunks, out):
    """out[c] = sum over rows of g[r, c]: the bias gradient of a broadcast (rows, cols) op.

    ``chunks`` = 1 adds the rows in order, like numpy. More cut the rows into
    blocks, each summed into its own slot of ``partial`` by one thread, and
    the slots are added at the end.
    """
    nrows, ncols = g.shape
    if chunks <= 1 or nrows < 2:
        for c in range(ncols):
            out[c] = g[0, c] if nrows else 0
        for r in range(1, nrows):
            for c in range(ncols):
                out[c] += g[r, c]
        return
    chunks = min(chunks, nrows)
    partial = np.zeros((chunks, ncols), dtype=g.dtype)
    for k in prange(chunks):
        for r in range(k * nrows // chunks, (k + 1) * nrows // chunks):
            for c in range(ncols):
                partial[k, c] += g[r, c]
    for c in range(ncols):
        out[c] = partial[0, c]
    for k in range(1, chunks):
        for c in range(ncols):
            out[c] += partial[k, c]


def _sum_cols_into(g, out):
    """out[r] = sum over columns of g[r, c] (a (rows, 1) operand broadcast along its last axis)."""
    for r in prange(g.shape[0]):
        out[r] = row_sum(g, r)


softmax = twins(_softmax)
softmax_backward = twins(_softmax_backward)
log_softmax = twins(_log_softmax)
log_softmax_backward = twins(_log_softmax_backward)
cross_entropy = twins(_cross_entropy)
cross_entropy_backward = twins(_cross_entropy_backward)
shift_rows = twins(_shift_rows)
divide_by_row_sums = twins(_divide_by_row_sums)
subtract_log_row_sums = twins(_subtract_log_row_sums)
log_softmax_backward_from_exp = twins(_log_softmax_backward_from_exp)
pick_losses = twins(_pick_losses)
cross_entropy_backward_from_exp = twins(_cross_entropy_backward_from_exp)
sum_rows_into = twins(_sum_rows_into)
sum_cols_into = twins(_sum_cols_into)
