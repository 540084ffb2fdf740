"""Numba kernels of the norm and recurrent ops: batch-norm statistics and the LSTM/GRU gate epilogues.

Batch norm works on x viewed as (N, C, L): the statistics take two passes
(sum, then squared deviations from the mean, accumulated in float64) with no
temporaries, and the backward two more (the sums of g and g xhat per
channel, then dx). The gate kernels do every elementwise step after the two
matmuls of a cell in one pass over (B, H), forward and backward; sigmoid and
tanh go through ``jit_exp``'s vectorisable ``exp``/``expm1`` (tanh(x) =
-expm1(-2|x|) / (2 + expm1(-2|x|)) with x's sign: accurate near 0 too).
Arrays arrive C-contiguous and of one float dtype (the wrappers in
``numba_recurrent`` check), scalars are cast to that dtype on entry.
"""

from __future__ import annotations

import numpy as np

from .jit import serial
from .jit_exp import exp, expm1

# ------------------------------------------------------------------ helpers


def _sigmoid1(v, one):
    """1 / (1 + e**-|v|) for v >= 0, e**-|v| / (1 + e**-|v|) below (``one`` is 1 in v's dtype)."""
    e = exp(-abs(v))
    return one / (one + e) if v >= 0 else e / (one + e)


def _tanh1(v, one):
    """tanh(v) = -expm1(-2|v|) / (2 + expm1(-2|v|)), with v's sign."""
    two = one + one
    m = expm1(-two * abs(v))
    t = -m / (two + m)
    return t if v >= 0 else -t


sigmoid1 = serial(_sigmoid1)
tanh1 = serial(_tanh1)


# --------------------------------------------------------------- batch norm


def _bn_stats(x, mean, var):
    """mean[c] and biased var[c] of x (N, C, L) over n and l (float64 sums)."""
    n, c, l = x.shape
    s = np.zeros(c)
    for i in range(n):
        for j in range(c):
            acc = 0.0
            for k in range(l):
                acc += x[i, j, k]
            s[j] += acc
    cnt = n * l
    for j in range(c):
        s[j] /= cnt
    q = np.zeros(c)
    for i in range(n):
        for j in range(c):
            m = s[j]
            acc = 0.0
            for k in range(l):
                d = x[i, j, k] - m
                acc += d * d
            q[j] += acc
    for j in range(c):
        mean[j] = s[j]
        var[j] = q[j] / cnt


def _bn_apply(x, mean, invstd, weight, bias, has_w, has_b, out):
    """out = (x - mean) (invstd w) + b per channel."""
    n, c, l = x.shape
    zero = x.dtype.type(0)
    for j in range(c):
        sc = invstd[j] * weight[j] if has_w else invstd[j]
        sh = bias[j] if has_b else zero
        m = mean[j]
        for i in range(n):
            for k in range(l):
                out[i, j, k] = (x[i, j, k] - m) * sc + sh


def _bn_backward(g, x, mean, invstd, weight, has_w, training, dx, dw, db):
    """dw = sum g xhat, db = sum g per channel; dx = w invstd (g - db/M - xhat dw/M) (training) or g w invstd."""
    n, c, l = x.shape
    cnt = n * l
    for j in range(c):
        m = mean[j]
        s = invstd[j]
        sg = 0.0
        sgx = 0.0
        for i in range(n):
            for k in range(l):
                gv = g[i, j, k]
                sg += gv
                sgx += gv * ((x[i, j, k] - m) * s)
        db[j] = sg
        dw[j] = sgx
        w = weight[j] if has_w else x.dtype.type(1)
        ws = w * s
        if training:
            a = x.dtype.type(sg / cnt)
            b = x.dtype.type(sgx / cnt)
            for i in range(n):
                for k in range(l):
                    dx[i, j, k] = (g[i, j, k] - a - ((x[i, j, k] - m) * s) * b) * ws
        else:
            for i in range(n):
                for k in range(l):
                    dx[i, j, k] = g[i, j, k] * ws


bn_stats = serial(_bn_stats, fastmath={"reassoc"})
bn_apply = serial(_bn_apply)
bn_backward = serial(_bn_backward, fastmath={"reassoc"})


# ---------------------------------------------------------------------- LSTM


def _lstm_cell(gates, c, hc, tc):
    """gates (B, 4H) -> activated in place (i, f, g, o); hc[1] = f c + i g, tc = tanh(hc[1]), hc[0] = o tc.

    Row by row: one loop per activation, then one for the state, each with nothing in it that stops
    LLVM from vectorising it. Every loop counts from 0 and adds its offset in the index: written
    ``range(2 * h, 3 * h)``, the g and o loops ran scalar (measured: the whole cell 58 us at (32, 512)
    float32, 21 us this way).
    """
    b, h = c.shape
    one = c.dtype.type(1)
    for r in range(b):
        for j in range(2 * h):
            gates[r, j] = sigmoid1(gates[r, j], one)
        for j in range(h):
            gates[r, 2 * h + j] = tanh1(gates[r, 2 * h + j], one)
        for j in range(h):
            gates[r, 3 * h + j] = sigmoid1(gates[r, 3 * h + j], one)
        for j in range(h):
            hc[1, r, j] = gates[r, h + j] * c[r, j] + gates[r, j] * gates[r, 2 * h + j]
        for j in range(h):
            tc[r, j] = tanh1(hc[1, r, j], one)
        for j in range(h):
            hc[0, r, j] = gates[r, 3 * h + j] * tc[r, j]


def _lstm_cell_backward(dh, dc, act, c, tc, dgates, dcp):
    """dgates (B, 4H) and dL/dc (B, H) from dL/dh', dL/dc' and the saved act, c, tanh(c')."""
    b, h = c.shape
    one = c.dtype.type(1)
    for r in range(b):
        for j in range(h):
            i = act[r, j]
            f = act[r, h + j]
            gg = act[r, 2 * h + j]
            o = act[r, 3 * h + j]
            t = tc[r, j]
            d = dh[r, j]
            dct = dc[r, j] + d * o * (one - t * t)
            dgates[r, j] = dct * gg * i * (one - i)
            dgates[r, h + j] = dct * c[r, j] * f * (one - f)
            dgates[r, 2 * h + j] = dct * i * (one - gg * gg)
            dgates[r, 3 * h + j] = d * t * o * (one - o)
            dcp[r, j] = dct * f


lstm_cell = serial(_lstm_cell)
lstm_cell_backward = serial(_lstm_cell_backward)


# ----------------------------------------------------------------------- GRU


def _gru_cell(gi, gh, hp, out, rzn):
    """r, z = sigmoid(gi + gh), n = tanh(gi_n + r gh_n), out = n + z (h - n); rzn keeps r, z, n (loops as in LSTM)."""
    b, h = hp.shape
    one = hp.dtype.type(1)
    for r_ in range(b):
        for j in range(2 * h):
            rzn[r_, j] = sigmoid1(gi[r_, j] + gh[r_, j], one)
        for j in range(h):
            rzn[r_, 2 * h + j] = tanh1(gi[r_, 2 * h + j] + rzn[r_, j] * gh[r_, 2 * h + j], one)
        for j in range(h):
            n = rzn[r_, 2 * h + j]
            out[r_, j] = n + rzn[r_, h + j] * (hp[r_, j] - n)


def _gru_cell_backward(d, rzn, gh, hp, dgi, dgh, dh):
    """dL/dgi, dL/dgh (B, 3H) and the direct dL/dh from dL/dh' and the saved r, z, n, gh, h."""
    b, h = hp.shape
    one = hp.dtype.type(1)
    for r_ in range(b):
        for j in range(h):
            r = rzn[r_, j]
            z = rzn[r_, h + j]
            n = rzn[r_, 2 * h + j]
            g = d[r_, j]
            dn = g * (one - z) * (one - n * n)
            dr = dn * gh[r_, 2 * h + j] * r * (one - r)
            dz = g * (hp[r_, j] - n) * z * (one - z)
            dgi[r_, j] = dr
            dgi[r_, h + j] = dz
            dgi[r_, 2 * h + j] = dn
            dgh[r_, j] = dr
            dgh[r_, h + j] = dz
            dgh[r_, 2 * h + j] = dn * r
            dh[r_, j] = g * z


gru_cell = serial(_gru_cell)
gru_cell_backward = serial(_gru_cell_backward)
