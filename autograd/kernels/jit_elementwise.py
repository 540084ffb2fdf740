"""Numba kernels for the activations: one pass each, forward and backward, into a preallocated ``out``.

Every kernel works on flat, C-contiguous arrays of one float dtype; scalars
(slope, alpha) arrive already cast to that dtype, so float32 stays float32.
Each loop computes the same expression, in the same order, as the numpy
reference in ``reference.py``, so the two agree to rounding.
"""

from __future__ import annotations

import math

from numba import prange

from .jit import twins


def _sigmoid(x, out):
    """s = 1 / (1 + e**-|x|) for x >= 0, e**-|x| / (1 + e**-|x|) below: never overflows."""
    one = x.dtype.type(1)
    for i in prange(x.size):
        v = x[i]
        e = math.exp(-abs(v))
        out[i] = one / (one + e) if v >= 0 else e / (one + e)


def _sigmoid_backward(g, s, out):
    """dL/dx = g s (1 - s) from the saved output s."""
    one = s.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * s[i] * (one - s[i])


def _tanh(x, out):
    for i in prange(x.size):
        out[i] = math.tanh(x[i])


def _tanh_backward(g, t, out):
    """dL/dx = g (1 - t**2) from the saved output t."""
    one = t.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * (one - t[i] * t[i])


def _relu(x, out):
    """max(x, 0), NaN staying NaN like np.maximum."""
    zero = x.dtype.type(0)
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0 or v != v else zero


def _relu_backward(g, x, out):
    """dL/dx = g * (x > 0): a multiply, so inf * 0 gives NaN exactly like the reference."""
    one = g.dtype.type(1)
    zero = g.dtype.type(0)
    for i in prange(g.size):
        out[i] = g[i] * (one if x[i] > 0 else zero)


def _leaky_relu(x, slope, out):
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0 else v * slope


def _leaky_relu_backward(g, x, slope, out):
    """dL/dx = g where x > 0, else slope g."""
    one = g.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * (one if x[i] > 0 else slope)


def _elu(x, alpha, out):
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0 else alpha * math.expm1(v)


def _elu_backward(g, x, y, alpha, out):
    """dL/dx = g where x > 0, else g (y + alpha) from the saved output y."""
    for i in prange(g.size):
        out[i] = g[i] if x[i] > 0 else g[i] * (y[i] + alpha)


sigmoid = twins(_sigmoid)
sigmoid_backward = twins(_sigmoid_backward)
tanh = twins(_tanh)
tanh_backward = twins(_tanh_backward)
relu = twins(_relu)
relu_backward = twins(_relu_backward)
leaky_relu = twins(_leaky_relu)
leaky_relu_backward = twins(_leaky_relu_backward)
elu = twins(_elu)
elu_backward = twins(_elu_backward)


# The passes around numpy's vectorised exp (see numba_backend.EXP_IN_NUMPY): for large arrays the
# wrappers run Numba pass, np.exp(out=...) in place, Numba pass; no temporaries either way.


def _neg_abs(x, out):
    for i in prange(x.size):
        out[i] = -abs(x[i])


def _sigmoid_from_exp(x, e, out):
    """out = 1 / (1 + e) where x >= 0, e / (1 + e) below, for e = e**-|x| (``out`` may be ``e``)."""
    one = x.dtype.type(1)
    for i in prange(x.size):
        ei = e[i]
        out[i] = one / (one + ei) if x[i] >= 0 else ei / (one + ei)


def _min_zero(x, out):
    """min(x, 0), NaN staying NaN like np.minimum."""
    zero = x.dtype.type(0)
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v < 0 or v != v else zero


def _elu_from_expm1(x, em1, alpha, out):
    """out = x where x > 0, else alpha (e**x - 1), given em1 = e**min(x, 0) - 1 (``out`` may be ``em1``)."""
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0 else alpha * em1[i]


neg_abs = twins(_neg_abs)
sigmoid_from_exp = twins(_sigmoid_from_exp)
min_zero = twins(_min_zero)
elu_from_expm1 = twins(_elu_from_expm1)
