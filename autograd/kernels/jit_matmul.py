"""Numba kernels for the linear layer and a pure-Numba tiled matmul.

``epilogue`` applies the layer's bias add and activation in one pass over
the product, in place (numpy needs a pass and a temporary for each), and
``pre_activation_grad`` turns dL/d(out) into dL/d(pre-activation) and the
bias gradient in one pass. The backend runs them around numpy's own matmul.

``linear_forward`` and ``linear_backward`` do the whole layer in one compiled
function, calling BLAS through ``np.dot`` inside it. bench/ keeps them for
comparison: they measured slower than numpy's matmul plus the Numba passes,
because Numba's ``np.dot`` costs more per call and goes through SciPy's
OpenBLAS, a second library with its own thread pool.

``matmul_tiled`` multiplies with loops only, no BLAS: blocks of rows go to
threads, and the innermost loop runs along contiguous rows of ``b`` and
``out`` so LLVM vectorises it. It is a teaching kernel and the fallback for a
build without BLAS; bench/ measures where it stands against numpy's BLAS.

Activation codes (shared with ``numba_backend``): 0 none, 1 relu,
2 leaky_relu (param = slope), 3 sigmoid, 4 tanh, 5 elu (param = alpha).
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from .jit import serial, twins
from .jit_exp import exp, expm1

NONE, RELU, LEAKY_RELU, SIGMOID, TANH, ELU = range(6)
ACTIVATIONS = {None: NONE, "relu": RELU, "leaky_relu": LEAKY_RELU, "sigmoid": SIGMOID, "tanh": TANH, "elu": ELU}


def _epilogue(out, bias, has_bias, act, param):
    """out = act(out + bias), in place, row by row."""
    one = out.dtype.type(1)
    zero = out.dtype.type(0)
    for r in prange(out.shape[0]):
        for c in range(out.shape[1]):
            v = out[r, c] + bias[c] if has_bias else out[r, c]
            if act == 1:
                v = v if v > 0 or v != v else zero
            elif act == 2:
                v = v if v > 0 else v * param
            elif act == 3:
                e = exp(-abs(v))
                v = one / (one + e) if v >= 0 else e / (one + e)
            elif act == 4:
                v = math.tanh(v)
            elif act == 5:
                v = v if v > 0 else param * expm1(v)
            out[r, c] = v


def _pre_activation_grad(g, y, act, param, gz, gb, need_bias):
    """gz = dL/d(pre-activation) from dL/d(out) and the saved output y; gb = column sums of gz."""
    one = y.dtype.type(1)
    zero = y.dtype.type(0)
    for c in range(gb.size):
        gb[c] = zero
    for r in range(g.shape[0]):
        for c in range(g.shape[1]):
            gi = g[r, c]
            yi = y[r, c]
            if act == 1:
                gi = gi * (one if yi > 0 else zero)
            elif act == 2:
                gi = gi * (one if yi > 0 else param)
            elif act == 3:
                gi = gi * yi * (one - yi)
            elif act == 4:
                gi = gi * (one - yi * yi)
            elif act == 5:
                gi = gi if yi > 0 else gi * (yi + param)
            gz[r, c] = gi
            if need_bias:
                gb[c] += gi


def _linear_forward(x, w, bias, has_bias, act, param):
    """act(x @ w.T + bias) for x (n, in), w (out, in)."""
    out = np.dot(x, w.T)
    epilogue_serial(out, bias, has_bias, act, param)
    return out


def _linear_backward(g, x, w, y, act, param, need_x, need_w, need_bias):
    """(dL/dx, dL/dw, dL/db) of act(x @ w.T + b); empty arrays for the ones not needed."""
    gz = np.empty_like(g) if act != 0 else g
    gb = np.empty(g.shape[1] if need_bias else 0, dtype=g.dtype)
    if act != 0:
        pre_activation_grad(g, y, act, param, gz, gb, need_bias)
    elif need_bias:
        sum_rows(g, gb)
    gx = np.dot(gz, w) if need_x else np.empty((0, 0), dtype=g.dtype)
    gw = np.dot(gz.T, x) if need_w else np.empty((0, 0), dtype=g.dtype)
    return gx, gw, gb


def _sum_rows(g, out):
    """out[c] = sum of g[:, c], rows added in order."""
    for c in range(out.size):
        out[c] = g[0, c] if g.shape[0] else g.dtype.type(0)
    for r in range(1, g.shape[0]):
        for c in range(out.size):
            out[c] += g[r, c]


def _matmul_tiled(a, b, out):
    """out = a @ b for 2-D C-contiguous a (n, k), b (k, m), with loops only."""
    n, k = a.shape
    m = b.shape[1]
    bi, bk = 32, 256
    zero = out.dtype.type(0)
    for ib in prange((n + bi - 1) // bi):
        i0 = ib * bi
        i1 = min(i0 + bi, n)
        for i in range(i0, i1):
            for j in range(m):
                out[i, j] = zero
        for k0 in range(0, k, bk):
            k1 = min(k0 + bk, k)
            for i in range(i0, i1):
                for kk in range(k0, k1):
                    aik = a[i, kk]
                    for j in range(m):
                        out[i, j] += aik * b[kk, j]


epilogue = twins(_epilogue)
epilogue_serial = epilogue.serial
pre_activation_grad = serial(_pre_activation_grad)
sum_rows = serial(_sum_rows)
linear_forward = serial(_linear_forward)
linear_backward = serial(_linear_backward)
matmul_tiled = twins(_matmul_tiled)
