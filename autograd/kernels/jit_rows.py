"""Numba kernels that work row by row: the softmax family, cross-entropy and ``sum_to_shape``.

Arrays arrive C-contiguous, of any number of dimensions, with rows of
length > 0; the kernels view them as 2-D ``(rows, cols)`` inside compiled
code, where that is free (one statement per array, as in
``jit_elementwise``, whose docstring says why). Each row is read once for its maximum and once
or twice more to finish, with no temporaries; the parallel twins give each
thread whole rows, or, in the column sum, its own slot of ``partial``.

Every loop that calls ``exp`` does nothing else that would stop LLVM from
vectorising it: no reduction, no call into libm (``jit_exp.exp`` is inlined
arithmetic). Sums along a row go through ``row_sum``/``row_dot``: they
accumulate in float64 whatever the dtype (float32 sums of long rows would
lose digits that numpy's pairwise summation keeps), and only they may
reassociate additions, so LLVM vectorises them. The rest of each kernel keeps
strict IEEE order: ``(x - max) - lse`` must not become ``x - (max + lse)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from .jit import serial, twins
from .jit_exp import exp

# ------------------------------------------------------------------ row helpers


def _row_max(a, r):
    """max of a[r, :] in eight strands (so the compares pipeline), NaN-free rows exactly; a[r, 0] if all NaN."""
    n = a.shape[1]
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = a[r, 0]
    c = 0
    while c + 8 <= n:
        v = a[r, c]
        m0 = v if v > m0 else m0
        v = a[r, c + 1]
        m1 = v if v > m1 else m1
        v = a[r, c + 2]
        m2 = v if v > m2 else m2
        v = a[r, c + 3]
        m3 = v if v > m3 else m3
        v = a[r, c + 4]
        m4 = v if v > m4 else m4
        v = a[r, c + 5]
        m5 = v if v > m5 else m5
        v = a[r, c + 6]
        m6 = v if v > m6 else m6
        v = a[r, c + 7]
        m7 = v if v > m7 else m7
        c += 8
    for k in range(c, n):
        v = a[r, k]
        m0 = v if v > m0 else m0
    m0 = m1 if m1 > m0 else m0
    m2 = m3 if m3 > m2 else m2
    m4 = m5 if m5 > m4 else m4
    m6 = m7 if m7 > m6 else m6
    m0 = m2 if m2 > m0 else m0
    m4 = m6 if m6 > m4 else m4
    return m4 if m4 > m0 else m0


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


def _exp_shifted(x, m, out, r):
    """out[r, c] = e**(x[r, c] - m): a loop with nothing in it but the (vectorised) exp."""
    for c in range(x.shape[1]):
        out[r, c] = exp(x[r, c] - m)


row_max = serial(_row_max)
row_sum = serial(_row_sum, fastmath={"reassoc"})
row_dot = serial(_row_dot, fastmath={"reassoc"})
exp_shifted = serial(_exp_shifted)

# ----------------------------------------------------------- softmax family
# A row whose max is NaN or +-inf gives NaN throughout, as in the reference: x - max or the sum is NaN.


def _softmax(x, out):
    """out = e**(x - max) / sum e**(x - max) along the last axis."""
    shape = (x.size // x.shape[-1], x.shape[-1])
    x = x.reshape(shape)
    out = out.reshape(shape)
    for r in prange(x.shape[0]):
        exp_shifted(x, row_max(x, r), out, r)
        s = row_sum(out, r)
        for c in range(x.shape[1]):
            out[r, c] /= s


def _softmax_backward(g, y, out):
    """dL/dx = y (g - sum(g y)) along the last axis, y the saved softmax."""
    shape = (g.size // g.shape[-1], g.shape[-1])
    g = g.reshape(shape)
    y = y.reshape(shape)
    out = out.reshape(shape)
    t = g.dtype.type
    for r in prange(g.shape[0]):
        d = t(row_dot(g, y, r))  # in the arrays' dtype, like the reference, so float32 loops run 16 lanes wide
        for c in range(g.shape[1]):
            out[r, c] = y[r, c] * (g[r, c] - d)


def _log_softmax(x, out):
    """out = (x - max) - log(sum e**(x - max)) along the last axis (``out`` holds the exps meanwhile)."""
    shape = (x.size // x.shape[-1], x.shape[-1])
    x = x.reshape(shape)
    out = out.reshape(shape)
    for r in prange(x.shape[0]):
        m = row_max(x, r)
        exp_shifted(x, m, out, r)
        lse = math.log(row_sum(out, r))
        for c in range(x.shape[1]):
            out[r, c] = (x[r, c] - m) - lse


def _log_softmax_backward(g, y, out):
    """dL/dx = g - e**y sum(g) along the last axis, y the saved log-softmax."""
    shape = (g.size // g.shape[-1], g.shape[-1])
    g = g.reshape(shape)
    y = y.reshape(shape)
    out = out.reshape(shape)
    t = g.dtype.type
    for r in prange(g.shape[0]):
        s = t(row_sum(g, r))  # in the arrays' dtype, like the reference, so float32 loops run 16 lanes wide
        for c in range(g.shape[1]):
            out[r, c] = g[r, c] - exp(y[r, c]) * s


def _cross_entropy(logits, labels, logp, losses):
    """Per row: logp = log_softmax(logits), loss = -logp[label]. Returns how many labels were out of range."""
    bad = 0
    for r in prange(logits.shape[0]):
        m = row_max(logits, r)
        exp_shifted(logits, m, logp, r)
        lse = math.log(row_sum(logp, r))
        for c in range(logits.shape[1]):
            logp[r, c] = (logits[r, c] - m) - lse
        k = labels[r]
        if 0 <= k < logits.shape[1]:
            losses[r] = -logp[r, k]
        else:
            bad += 1  # a reduction variable: each thread counts into its own copy
    return bad


def _cross_entropy_backward(g, logp, labels, out):
    """dL/dlogits = g[r] (softmax - onehot(label)) per row. Returns how many labels were out of range.

    Blocks of rows: first e**logp over the whole block as one flat loop (long enough to
    vectorise well when rows are short, as with 10 classes), then each row's scale and its label,
    whose e**logp is read back from the block before the scaling.
    """
    n, m = logp.shape
    flat_logp = logp.reshape(n * m)
    flat_out = out.reshape(n * m)
    one = logp.dtype.type(1)
    bad = 0
    for b in prange((n + _CE_BLOCK - 1) // _CE_BLOCK):
        lo = b * _CE_BLOCK
        hi = min(n, lo + _CE_BLOCK)
        src = flat_logp[lo * m:hi * m]  # views indexed from 0: an index that may be negative would
        dst = flat_out[lo * m:hi * m]  # need Numba's wraparound test, and that stops vectorisation
        for i in range(src.size):
            dst[i] = exp(src[i])
        for r in range(lo, hi):
            gr = g[r]
            k = labels[r]
            ok = 0 <= k < m
            p = out[r, k] if ok else one  # e**logp at the label, before the scaling
            for c in range(m):
                out[r, c] *= gr
            if ok:
                out[r, k] = gr * (p - one)
            else:
                bad += 1
    return bad


_CE_BLOCK = 256  # rows per block: a block of 10-class float64 rows is 20 KB, so it stays in L1 for the second pass


# ------------------------------------------------------------- sum_to_shape


def _add_rows(g, lo, hi, acc):
    """acc[c] += g[lo, c] + ... + g[hi - 1, c], one row after another, four rows per sweep over acc."""
    ncols = g.shape[1]
    r = lo
    while r + 4 <= hi:
        for c in range(ncols):
            acc[c] = (((acc[c] + g[r, c]) + g[r + 1, c]) + g[r + 2, c]) + g[r + 3, c]
        r += 4
    for k in range(r, hi):
        for c in range(ncols):
            acc[c] += g[k, c]


add_rows = serial(_add_rows)


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
        add_rows(g, 1, nrows, out)
        return
    chunks = min(chunks, nrows)
    partial = np.zeros((chunks, ncols), dtype=g.dtype)
    for k in prange(chunks):
        add_rows(g, k * nrows // chunks, (k + 1) * nrows // chunks, partial[k])
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
sum_rows_into = twins(_sum_rows_into)
sum_cols_into = twins(_sum_cols_into)
