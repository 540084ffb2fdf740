"""Numba kernels for what BLAS cannot do in a convolution or a pooling layer.

Each kernel works plane by plane (one (n, c) image channel): the parallel
twin gives each thread whole planes, so no two threads write one cell. They
follow ``conv_reference`` step for step (the same taps in the same order), so
both backends give the same numbers:

* ``col2im``: im2col's adjoint, the accumulation of a convolution's input gradient;
* ``unfold_into`` / ``fold_into``: the batch-major pair (N, C, kh, kw, Ho, Wo) read from and
  added into the unpadded input, the padding cells written as zeros / dropped, never stored;
* ``max_pool2d`` / ``max_pool2d_backward``: the window max and its flat index, and the scatter back;
* ``avg_pool2d`` / ``avg_pool2d_backward``: window sums over a divisor, and the spread back.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .jit import serial, twins


def _col2im(cols, sh, sw, dh, dw, out):
    """out[n, c, oh sh + i dh, ow sw + j dw] += cols[c, i, j, n, oh, ow]; ``out`` starts at zero."""
    nc, kh, kw, nn, ho, wo = cols.shape
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        dst = out[n, c]
        for i in range(kh):
            for j in range(kw):
                src = cols[c, i, j, n]
                q0 = j * dw
                for oh in range(ho):
                    row = dst[oh * sh + i * dh]
                    s = src[oh]
                    if sw == 1:  # contiguous: a vector add
                        seg = row[q0:q0 + wo]
                        for ow in range(wo):
                            seg[ow] += s[ow]
                    else:
                        for ow in range(wo):
                            row[ow * sw + q0] += s[ow]


def _valid_range(o_count, s, p, j, size):
    """The outputs o whose tap j reads inside the input: 0 <= o s - p + j < size, as a range [lo, hi)."""
    lo = 0
    while lo < o_count and lo * s - p + j < 0:
        lo += 1
    hi = o_count
    while hi > lo and (hi - 1) * s - p + j >= size:
        hi -= 1
    return lo, hi


_valid = serial(_valid_range)


# The inner loops below index views sliced to the cells they touch, from 0, with unsigned
# offsets (``row[base + ow * usw]``, base, ow and usw uint64): a signed index such as
# ``row[ow * sw + q0]`` makes Numba check for negative (wrapping) indices on every element, which
# stops LLVM from vectorising the loop (measured 3-5x slower); with an unsigned one LLVM vectorises
# and, for a stride held in a variable, adds its own stride == 1 fast path.


def _unfold_into(x, kh, kw, sh, sw, ph, pw, dh, dw, out):
    """out[n, c, i, j, oh, ow] = x[n, c, oh sh - ph + i dh, ow sw - pw + j dw], 0 outside x.

    Each (n, c) plane writes its own kh kw Ho Wo block of ``out``, row by row:
    zeros where the window hangs over the edge, a copy (strided for sw > 1) inside.
    """
    nn, nc, h, w = x.shape
    ho, wo = out.shape[4], out.shape[5]
    zero = x.dtype.type(0)
    usw = np.uint64(sw)
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for i in range(kh):
            for j in range(kw):
                lo, hi = _valid(wo, sw, pw, j * dw, w)
                base = np.uint64(max(lo * sw + j * dw - pw, 0))
                for oh in range(ho):
                    r = oh * sh - ph + i * dh
                    row = out[n, c, i, j, oh]
                    if r < 0 or r >= h:
                        for ow in range(wo):
                            row[ow] = zero
                        continue
                    for ow in range(lo):
                        row[ow] = zero
                    seg = row[lo:hi]
                    src = x[n, c, r]
                    for ow in range(np.uint64(hi - lo)):
                        seg[ow] = src[base + ow * usw]
                    tail = row[hi:]
                    for ow in range(wo - hi):
                        tail[ow] = zero


def _fold_into(cols, sh, sw, ph, pw, dh, dw, out):
    """out[n, c, r, q] = the sum of cols[n, c, i, j, oh, ow] over the (i, j, oh, ow) with
    oh sh - ph + i dh = r and ow sw - pw + j dw = q, added in (i, j) order from 0 (as ``conv_reference``).

    Each (n, c) plane of ``out`` is one thread's: zeroed, then every tap's rows added in.
    """
    nn, nc, kh, kw, ho, wo = cols.shape
    h, w = out.shape[2], out.shape[3]
    zero = out.dtype.type(0)
    usw = np.uint64(sw)
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        dst = out[n, c]
        for r in range(h):
            row = dst[r]
            for q in range(w):
                row[q] = zero
        for i in range(kh):
            for j in range(kw):
                lo, hi = _valid(wo, sw, pw, j * dw, w)
                base = np.uint64(max(lo * sw + j * dw - pw, 0))
                for oh in range(ho):
                    r = oh * sh - ph + i * dh
                    if r < 0 or r >= h:
                        continue
                    row = dst[r]
                    src = cols[n, c, i, j, oh, lo:hi]
                    for ow in range(np.uint64(hi - lo)):
                        row[base + ow * usw] += src[ow]


def _max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    """out = the max of each window (padding is -inf, a NaN wins), idx = its flat index h W + w.

    Only the taps inside the input are read (the padding is -inf and never
    wins). The running max and its index are updated without a branch (a
    data-dependent branch per tap costs more than the tap); a window holding a
    NaN is scanned again by torch's rule, under which the last NaN wins.
    """
    nn, nc, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    minus_inf = x.dtype.type(-np.inf)
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        xp = x[n, c]
        for oh in range(ho):
            hs = oh * sh - ph
            i0 = 0
            while hs + i0 * dh < 0:
                i0 += 1
            i1 = kh
            while i1 > i0 and hs + (i1 - 1) * dh >= h:
                i1 -= 1
            for ow in range(wo):
                ws = ow * sw - pw
                j0 = 0
                while ws + j0 * dw < 0:
                    j0 += 1
                j1 = kw
                while j1 > j0 and ws + (j1 - 1) * dw >= w:
                    j1 -= 1
                best = minus_inf
                k = (hs + i0 * dh) * w + ws + j0 * dw
                nan = 0
                for i in range(i0, i1):
                    r = hs + i * dh
                    row = xp[r]
                    for j in range(j0, j1):
                        q = ws + j * dw
                        v = row[q]
                        gt = v > best
                        best = v if gt else best
                        k += (r * w + q - k) * gt
                        nan += v != v
                if nan:
                    for i in range(i0, i1):
                        r = hs + i * dh
                        for j in range(j0, j1):
                            q = ws + j * dw
                            if xp[r, q] != xp[r, q]:
                                best = xp[r, q]
                                k = r * w + q
                out[n, c, oh, ow] = best
                idx[n, c, oh, ow] = k


def _max_pool2x2(x, out, idx):
    """``_max_pool2d`` for 2x2 windows at stride 2 inside the input (the common case), four taps written out."""
    nn, nc, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for oh in range(ho):
            r0 = x[n, c, 2 * oh]
            r1 = x[n, c, 2 * oh + 1]
            base = 2 * oh * w
            o = out[n, c, oh]
            ix = idx[n, c, oh]
            for ow in range(wo):
                q = 2 * ow
                best = r0[q]
                k = base + q
                v = r0[q + 1]
                gt = v > best
                best = v if gt else best
                k += (base + q + 1 - k) * gt
                v = r1[q]
                gt = v > best
                best = v if gt else best
                k += (base + w + q - k) * gt
                v = r1[q + 1]
                gt = v > best
                best = v if gt else best
                k += (base + w + q + 1 - k) * gt
                nan = (r0[q] != r0[q]) + (r0[q + 1] != r0[q + 1]) + (r1[q] != r1[q]) + (r1[q + 1] != r1[q + 1])
                if nan:  # torch's rule: the last NaN wins
                    if r0[q] != r0[q]:
                        best, k = r0[q], base + q
                    if r0[q + 1] != r0[q + 1]:
                        best, k = r0[q + 1], base + q + 1
                    if r1[q] != r1[q]:
                        best, k = r1[q], base + w + q
                    if r1[q + 1] != r1[q + 1]:
                        best, k = r1[q + 1], base + w + q + 1
                o[ow] = best
                ix[ow] = k


def _max_pool2d_backward(g, idx, out):
    """out[n, c].flat[idx[n, c, oh, ow]] += g[n, c, oh, ow]; ``out`` (N, C, H W) starts at zero."""
    nn, nc, ho, wo = g.shape
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for oh in range(ho):
            for ow in range(wo):
                out[n, c, idx[n, c, oh, ow]] += g[n, c, oh, ow]


def _avg_pool2d(x, kh, kw, sh, sw, ph, pw, divisor, out):
    """out = (sum of each window, padding 0) / divisor[oh, ow].

    Taps outside, outputs inside: for each output row, each tap (i, j) adds a
    row of inputs into a row of sums, so the inner loop is one strided vector
    add, and each output sums its taps in (i, j) order, as the reference does.
    """
    nn, nc, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    t = x.dtype.type
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        acc = np.empty(wo, dtype=x.dtype)
        for oh in range(ho):
            acc[:] = 0
            for i in range(kh):
                r = oh * sh - ph + i
                if r < 0 or r >= h:
                    continue
                for j in range(kw):
                    lo, hi = _valid(wo, sw, pw, j, w)
                    base = j - pw
                    row = x[n, c, r]
                    for ow in range(lo, hi):
                        acc[ow] += row[ow * sw + base]
            for ow in range(wo):
                out[n, c, oh, ow] = acc[ow] / t(divisor[oh, ow])


def _avg_pool2d_backward(g, kh, kw, sh, sw, ph, pw, divisor, out):
    """out[n, c, r, q] += g[n, c, oh, ow] / divisor[oh, ow] over every (r, q) of the window; out starts at 0.

    Taps outside, outputs inside (as in ``_avg_pool2d``), so each input cell
    receives its contributions in tap order, as in the reference.
    """
    nn, nc, ho, wo = g.shape
    h, w = out.shape[2], out.shape[3]
    t = g.dtype.type
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        gd = np.empty((ho, wo), dtype=g.dtype)
        for oh in range(ho):
            for ow in range(wo):
                gd[oh, ow] = g[n, c, oh, ow] / t(divisor[oh, ow])
        for i in range(kh):
            for j in range(kw):
                lo, hi = _valid(wo, sw, pw, j, w)
                base = j - pw
                for oh in range(ho):
                    r = oh * sh - ph + i
                    if r < 0 or r >= h:
                        continue
                    row = out[n, c, r]
                    src = gd[oh]
                    for ow in range(lo, hi):
                        row[ow * sw + base] += src[ow]


def _avg_pool2x2(x, divisor, out):
    """``_avg_pool2d`` for 2x2 windows at stride 2 inside the input, the four taps written out in (i, j) order."""
    nn, nc, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    t = x.dtype.type
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for oh in range(ho):
            r0 = x[n, c, 2 * oh]
            r1 = x[n, c, 2 * oh + 1]
            o = out[n, c, oh]
            d = divisor[oh]
            for ow in range(wo):
                q = 2 * ow
                s = t(0) + r0[q]
                s += r0[q + 1]
                s += r1[q]
                s += r1[q + 1]
                o[ow] = s / t(d[ow])


def _avg_pool2x2_backward(g, divisor, out):
    """``_avg_pool2d_backward`` for 2x2 windows at stride 2 inside the input: each cell gets one share."""
    nn, nc, ho, wo = g.shape
    t = g.dtype.type
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for oh in range(ho):
            r0 = out[n, c, 2 * oh]
            r1 = out[n, c, 2 * oh + 1]
            src = g[n, c, oh]
            d = divisor[oh]
            for ow in range(wo):
                v = src[ow] / t(d[ow])
                q = 2 * ow
                r0[q] = v
                r0[q + 1] = v
                r1[q] = v
                r1[q + 1] = v


col2im = twins(_col2im)
unfold_into = twins(_unfold_into)
fold_into = twins(_fold_into)
max_pool2x2 = twins(_max_pool2x2)
avg_pool2x2 = twins(_avg_pool2x2)
avg_pool2x2_backward = twins(_avg_pool2x2_backward)
max_pool2d = twins(_max_pool2d)
max_pool2d_backward = twins(_max_pool2d_backward)
avg_pool2d = twins(_avg_pool2d)
avg_pool2d_backward = twins(_avg_pool2d_backward)
