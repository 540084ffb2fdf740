"""Numba kernels for what BLAS cannot do in a convolution or a pooling layer.

Each kernel works plane by plane (one (n, c) image channel): the parallel
twin gives each thread whole planes, so no two threads write one cell. They
follow ``conv_reference`` step for step (the same taps in the same order), so
both backends give the same numbers:

* ``col2im``: im2col's adjoint (a transposed convolution's forward, a small image's input gradient);
* ``unfold_into`` / ``fold_into``: a convolution's columns, (N, C, kh, kw, Ho, Wo) or
  (C, kh, kw, N, Ho, Wo), read from and added into the unpadded input, the padding
  cells written as zeros / dropped, never stored;
* ``max_pool2d`` / ``max_pool2d_backward``: the window max and its flat index, and the
  scatter back (for 2x2 windows that tile the input: each cell written once);
* ``avg_pool2d`` / ``avg_pool2d_backward``: window sums over a divisor, and the spread
  back, on "wide" phase planes so each tap is one long vectorised run.
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


def _unfold_into(x, kh, kw, sh, sw, ph, pw, dh, dw, out, inner):
    """out[n, c, i, j, oh, ow] = x[n, c, oh sh - ph + i dh, ow sw - pw + j dw], 0 outside x
    (``inner``: out is laid out (C, kh, kw, N, Ho, Wo), out[c, i, j, n, oh, ow], the matrix
    (C kh kw, N Ho Wo) of one product for all N samples). ``x`` and ``out`` are C-contiguous.

    Each (n, c) plane writes its own kh kw Ho Wo block of ``out``, tap by tap:
    zeros where the window hangs over the edge, a copy (strided for sw > 1)
    inside. When the output rows are as long as the input's and both strides are 1
    (a "same" convolution: Wo = W), a tap's rows inside the input are one contiguous run of
    the plane: it is copied in one loop, and the few columns that run over a row
    end (the padding columns) are set to 0 afterwards, one strided loop each.
    Both arrays are indexed flat, with offsets computed here: a view per tap or row
    (``out[n, c, i, j]``, ``.reshape``) costs more than its copy on planes this small
    (measured: 3x slower at 28x28, float32). Each tap's valid output rows and columns
    are found once per call, not once per plane.
    """
    nn, nc, h, w = x.shape
    ho, wo = out.shape[4], out.shape[5]
    zero = x.dtype.type(0)
    usw = np.uint64(sw)
    uwo = np.uint64(wo)
    uhw = np.uint64(ho * wo)
    runs = sh == 1 and sw == 1 and wo == w
    xf = x.reshape(-1)
    of = out.reshape(-1)
    rows = np.empty((kh, 2), np.int64)  # tap row i: the output rows [lo, hi) whose tap is inside x
    for i in range(kh):
        lo, hi = _valid(ho, sh, ph, i * dh, h)
        rows[i, 0] = lo
        rows[i, 1] = max(lo, hi)
    spans = np.empty((kw, 3), np.int64)  # tap column j: the output columns [lo, hi) inside x, first x column
    for j in range(kw):
        lo, hi = _valid(wo, sw, pw, j * dw, w)
        spans[j, 0] = lo
        spans[j, 1] = max(lo, hi)
        spans[j, 2] = max(lo * sw + j * dw - pw, 0)
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        x0 = np.uint64(p * h * w)
        for i in range(kh):
            r_lo = rows[i, 0]
            r_hi = rows[i, 1]
            for j in range(kw):
                lo = spans[j, 0]
                hi = spans[j, 1]
                base = np.uint64(spans[j, 2])
                if inner:
                    t0 = np.uint64(((c * kh + i) * kw + j) * nn + n) * uhw
                else:
                    t0 = np.uint64((p * kh + i) * kw + j) * uhw
                e0 = t0 + np.uint64(r_lo * wo)  # the tap's first and past-last rows inside x
                e1 = t0 + np.uint64(r_hi * wo)
                for k in range(t0, e0):
                    of[k] = zero
                for k in range(e1, t0 + uhw):
                    of[k] = zero
                if r_hi == r_lo:
                    continue
                if runs and hi > lo:
                    # cells (r_lo, lo) .. (r_hi - 1, hi - 1) of the tap, one run in both arrays
                    r0 = r_lo * sh - ph + i * dh
                    count = np.uint64((r_hi - r_lo - 1) * wo + hi - lo)
                    d0 = e0 + np.uint64(lo)
                    s0 = x0 + np.uint64(r0 * w) + base
                    for k in range(count):
                        of[d0 + k] = xf[s0 + k]
                    for q in range(lo):
                        for k in range(e0 + np.uint64(q), e1, uwo):
                            of[k] = zero
                    for q in range(hi, wo):
                        for k in range(e0 + np.uint64(q), e1, uwo):
                            of[k] = zero
                    continue
                for oh in range(r_lo, r_hi):
                    r = oh * sh - ph + i * dh
                    b = t0 + np.uint64(oh * wo)
                    for k in range(b, b + np.uint64(lo)):
                        of[k] = zero
                    d = b + np.uint64(lo)
                    s = x0 + np.uint64(r * w) + base
                    for k in range(np.uint64(hi - lo)):
                        of[d + k] = xf[s + k * usw]
                    for k in range(b + np.uint64(hi), b + uwo):
                        of[k] = zero


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
    """out[n, c].flat[idx[n, c, oh, ow]] += g[n, c, oh, ow]; each plane of ``out`` (N, C, H W) is
    zeroed here, in cache, just before its scatter (no separate pass over memory)."""
    nn, nc, ho, wo = g.shape
    hw = out.shape[2]
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        dst = out[n, c]
        for k in range(hw):
            dst[k] = 0
        gp = g[n, c]
        ip = idx[n, c]
        for oh in range(ho):
            grow = gp[oh]
            irow = ip[oh]
            for ow in range(wo):
                dst[np.uint64(irow[ow])] += grow[ow]


def _max_pool2x2_backward(g, idx, out):
    """``_max_pool2d_backward`` for 2x2 windows at stride 2 that tile the input: band by band (the two
    input rows of one output row), the band is zeroed and its maxima's gradients set while it is in
    L1 (no data-dependent branch, whose mispredictions would cost more than the stores)."""
    nn, nc, ho, wo = g.shape
    w = out.shape[3]
    zero = g.dtype.type(0)
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        plane = out[n, c].reshape(-1)
        for oh in range(ho):
            band = plane[2 * oh * w:(2 * oh + 2) * w]
            for q in range(2 * w):
                band[q] = zero
            src = g[n, c, oh]
            ix = idx[n, c, oh]
            for ow in range(wo):
                plane[np.uint64(ix[ow])] = src[ow]


# Average pooling on "wide" phase planes. For strides (sh, sw) a plane is dealt into sh sw phases
# P[mr, mc][a, b] = xp[a sh + mr, b sw + mc] (xp: the zero-padded plane), each phase A x B with
# A = Ho + (kh - 1) // sh rows and B = Wo + (kw - 1) // sw columns. Tap (i, j) of output (oh, ow)
# is then P[i % sh, j % sw][oh + i // sh, ow + j // sw]; on sums kept B wide (the last B - Wo
# columns are scratch), one tap is ONE contiguous run over all Ho B sums, acc[e] += P[e + offset],
# a long vectorised add instead of a short one per output row. The taps are added in (i, j)
# order from 0 with the padding read as 0, exactly as the reference adds them.


def _phase_geometry(ho, wo, kh, kw, sh, sw):
    """(A, B, cells per phase, cells in all) of the wide phase planes; ``bw`` cells of slack at the end
    (a tap's run reads that far past its phase, into the next, only for scratch columns)."""
    a = ho + (kh - 1) // sh
    b = wo + (kw - 1) // sw
    return a, b, a * b, sh * sw * a * b + (kw - 1) // sw


_phases = serial(_phase_geometry)


def _deal_plane(src, halves, sh, sw, ph, pw, a_rows, b_cols, phases):
    """phases[(mr sw + mc) A B + a B + b] = src[a sh + mr - ph, b sw + mc - pw], 0 outside src.

    When the width is a multiple of sw > 1 (and ``halves`` has room, (sw, H, W / sw)), the
    columns of the whole plane are first dealt flat into ``halves`` (one long loop per
    column phase, which vectorises), and the rows are then copied with unit stride;
    otherwise each row is read with stride sw.
    """
    h, w = src.shape
    blk = a_rows * b_cols
    zero = phases.dtype.type(0)
    flat = sw > 1 and w % sw == 0 and halves.shape[0] == sw and halves.shape[1] == h
    if flat:
        sf = src.reshape(-1)
        per = h * w // sw
        usw = np.uint64(sw)
        if sw == 2:  # the common stride, with the stride a constant LLVM can vectorise
            h0 = halves[0].reshape(-1)
            h1 = halves[1].reshape(-1)
            for k in range(per):
                h0[k] = sf[2 * k]
                h1[k] = sf[2 * k + 1]
        else:
            for m in range(sw):
                hf = halves[m].reshape(-1)
                for k in range(np.uint64(per)):
                    hf[k] = sf[np.uint64(m) + k * usw]
    step = np.uint64(1 if flat else sw)
    for mr in range(sh):
        for mc in range(sw):
            lo, hi = _valid(b_cols, sw, pw, mc, w)
            q = max(lo * sw + mc - pw, 0)  # the first input column read
            first = np.uint64(q // sw if flat else q)
            for a in range(a_rows):
                r = a * sh + mr - ph
                d0 = (mr * sw + mc) * blk + a * b_cols
                dst = phases[d0:d0 + b_cols]
                if r < 0 or r >= h:
                    for b in range(b_cols):
                        dst[b] = zero
                    continue
                for b in range(lo):
                    dst[b] = zero
                seg = dst[lo:max(hi, lo)]
                row = halves[q % sw, r] if flat else src[r]
                for b in range(np.uint64(seg.size)):
                    seg[b] = row[first + b * step]
                tail = dst[max(hi, lo):]
                for b in range(tail.size):
                    tail[b] = zero
    for k in range(sh * sw * blk, phases.size):
        phases[k] = zero


def _undeal_plane(phases, sh, sw, ph, pw, a_rows, b_cols, dst):
    """``_deal_plane``'s adjoint on the cells it reads: dst[r, q] = the phase cell of xp[r + ph, q + pw],
    0 for cells no window reaches."""
    h, w = dst.shape
    blk = a_rows * b_cols
    usw = np.uint64(sw)
    zero = dst.dtype.type(0)
    for r in range(h):
        row = dst[r]
        for q in range(w):
            row[q] = zero
        a = (r + ph) // sh
        if a >= a_rows:
            continue
        mr = (r + ph) % sh
        for mc in range(sw):
            lo, hi = _valid(b_cols, sw, pw, mc, w)
            if hi <= lo:
                continue
            first = np.uint64(lo * sw + mc - pw)
            d0 = (mr * sw + mc) * blk + a * b_cols
            src = phases[d0 + lo:d0 + hi]
            for b in range(np.uint64(hi - lo)):
                row[first + b * usw] = src[b]


_deal = serial(_deal_plane)
_undeal = serial(_undeal_plane)


def _avg_pool2d(x, kh, kw, sh, sw, ph, pw, divisor, out):
    """out = (sum of each window, padding 0) / divisor[oh, ow], on wide phase planes (see above).

    The planes are split into chunks, one scratch pair per chunk; each plane is one thread's.
    """
    nn, nc, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    t = x.dtype.type
    a_rows, b_cols, blk, size = _phases(ho, wo, kh, kw, sh, sw)
    run = ho * b_cols
    planes = nn * nc
    chunks = min(planes, 64)
    for ck in prange(chunks):
        phases = np.empty(size, dtype=x.dtype)
        acc = np.empty(run, dtype=x.dtype)
        halves = np.empty((sw, h, w // sw) if sw > 1 and w % sw == 0 else (0, 0, 0), dtype=x.dtype)
        for p in range(ck * planes // chunks, (ck + 1) * planes // chunks):
            n = p // nc
            c = p % nc
            _deal(x[n, c], halves, sh, sw, ph, pw, a_rows, b_cols, phases)
            for e in range(run):
                acc[e] = 0
            for i in range(kh):
                for j in range(kw):
                    off = ((i % sh) * sw + j % sw) * blk + (i // sh) * b_cols + j // sw
                    src = phases[off:off + run]
                    for e in range(run):
                        acc[e] += src[e]
            for oh in range(ho):
                dst = out[n, c, oh]
                d = divisor[oh]
                sums = acc[oh * b_cols:oh * b_cols + wo]
                for ow in range(wo):
                    dst[ow] = sums[ow] / t(d[ow])


def _avg_pool2d_backward(g, kh, kw, sh, sw, ph, pw, divisor, out):
    """out[n, c, r, q] = the sum of g[n, c, oh, ow] / divisor[oh, ow] over the windows holding (r, q).

    The adjoint of ``_avg_pool2d``: the shares, B wide with zeros in the scratch
    columns, are added tap by tap into phase planes (each tap one contiguous
    run, in (i, j) order from 0, as in the reference), which are then dealt back
    into the plane of ``out``, every cell written once (no zero pass over memory).
    """
    nn, nc, ho, wo = g.shape
    t = g.dtype.type
    a_rows, b_cols, blk, size = _phases(ho, wo, kh, kw, sh, sw)
    run = ho * b_cols
    planes = nn * nc
    chunks = min(planes, 64)
    for ck in prange(chunks):
        phases = np.empty(size, dtype=g.dtype)
        share = np.empty(run, dtype=g.dtype)
        for p in range(ck * planes // chunks, (ck + 1) * planes // chunks):
            n = p // nc
            c = p % nc
            for oh in range(ho):
                src = g[n, c, oh]
                d = divisor[oh]
                row = share[oh * b_cols:(oh + 1) * b_cols]
                for ow in range(wo):
                    row[ow] = src[ow] / t(d[ow])
                for ow in range(wo, b_cols):
                    row[ow] = 0
            for k in range(size):
                phases[k] = 0
            for i in range(kh):
                for j in range(kw):
                    off = ((i % sh) * sw + j % sw) * blk + (i // sh) * b_cols + j // sw
                    dst = phases[off:off + run]
                    for e in range(run):
                        dst[e] += share[e]
            _undeal(phases, sh, sw, ph, pw, a_rows, b_cols, out[n, c])


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
# nogil: a convolution split over Python threads (kernels/threads.py) runs these in each thread at once
unfold_into = twins(_unfold_into, nogil=True)
fold_into = twins(_fold_into, nogil=True)
max_pool2x2 = twins(_max_pool2x2)
avg_pool2x2 = twins(_avg_pool2x2)
avg_pool2x2_backward = twins(_avg_pool2x2_backward)
max_pool2d = twins(_max_pool2d)
max_pool2d_backward = twins(_max_pool2d_backward)
max_pool2x2_backward = twins(_max_pool2x2_backward)
avg_pool2d = twins(_avg_pool2d)
avg_pool2d_backward = twins(_avg_pool2d_backward)
