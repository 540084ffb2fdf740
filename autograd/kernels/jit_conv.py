"""Numba kernels for what BLAS cannot do in a convolution or a pooling layer.

Each kernel works plane by plane (one (n, c) image channel): the parallel
twin gives each thread whole planes, so no two threads write one cell. They
follow ``conv_reference`` step for step (the same taps in the same order), so
both backends give the same numbers:

* ``col2im``: im2col's adjoint, the accumulation of a convolution's input gradient;
* ``max_pool2d`` / ``max_pool2d_backward``: the window max and its flat index, and the scatter back;
* ``avg_pool2d`` / ``avg_pool2d_backward``: window sums over a divisor, and the spread back.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .jit import twins


def _col2im(cols, sh, sw, dh, dw, out):
    """out[n, c, oh sh + i dh, ow sw + j dw] += cols[c, i, j, n, oh, ow]; ``out`` starts at zero."""
    nc, kh, kw, nn, ho, wo = cols.shape
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for i in range(kh):
            for j in range(kw):
                for oh in range(ho):
                    h = oh * sh + i * dh
                    for ow in range(wo):
                        out[n, c, h, ow * sw + j * dw] += cols[c, i, j, n, oh, ow]


def _max_pool2d(x, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    """out = the max of each window (padding is -inf, a NaN wins), idx = its flat index h W + w."""
    nn, nc, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for oh in range(ho):
            hs = oh * sh - ph
            h0 = hs
            while h0 < 0:
                h0 += dh
            for ow in range(wo):
                ws = ow * sw - pw
                w0 = ws
                while w0 < 0:
                    w0 += dw
                best = -np.inf
                k = h0 * w + w0
                for i in range(kh):
                    r = hs + i * dh
                    if r < 0 or r >= h:
                        continue
                    for j in range(kw):
                        q = ws + j * dw
                        if q < 0 or q >= w:
                            continue
                        v = x[n, c, r, q]
                        if v > best or np.isnan(v):
                            best = v
                            k = r * w + q
                out[n, c, oh, ow] = best
                idx[n, c, oh, ow] = k


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
    """out = (sum of each window, padding 0) / divisor[oh, ow]."""
    nn, nc, h, w = x.shape
    ho, wo = out.shape[2], out.shape[3]
    t = x.dtype.type
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for oh in range(ho):
            for ow in range(wo):
                s = t(0)
                for i in range(kh):
                    r = oh * sh - ph + i
                    if r < 0 or r >= h:
                        continue
                    for j in range(kw):
                        q = ow * sw - pw + j
                        if q >= 0 and q < w:
                            s += x[n, c, r, q]
                out[n, c, oh, ow] = s / t(divisor[oh, ow])


def _avg_pool2d_backward(g, kh, kw, sh, sw, ph, pw, divisor, out):
    """out[n, c, r, q] += g[n, c, oh, ow] / divisor[oh, ow] over every (r, q) in the window; ``out`` starts at 0."""
    nn, nc, ho, wo = g.shape
    h, w = out.shape[2], out.shape[3]
    t = g.dtype.type
    for p in prange(nn * nc):
        n = p // nc
        c = p % nc
        for oh in range(ho):
            for ow in range(wo):
                v = g[n, c, oh, ow] / t(divisor[oh, ow])
                for i in range(kh):
                    r = oh * sh - ph + i
                    if r < 0 or r >= h:
                        continue
                    for j in range(kw):
                        q = ow * sw - pw + j
                        if q >= 0 and q < w:
                            out[n, c, r, q] += v


col2im = twins(_col2im)
max_pool2d = twins(_max_pool2d)
max_pool2d_backward = twins(_max_pool2d_backward)
avg_pool2d = twins(_avg_pool2d)
avg_pool2d_backward = twins(_avg_pool2d_backward)
