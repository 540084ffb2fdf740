"""Numba kernels for the activations: one pass each, forward and backward, into a preallocated ``out``.

Every kernel takes C-contiguous arrays of one float dtype and any shape, and
walks them flat through ``x.reshape(x.size)``, free inside compiled code.
(One statement per array, in each kernel: Numba 0.68's parallel loops read
wrong data through views made in a tuple assignment, ``a, b = a.reshape(..),
b.reshape(..)``, or returned by another jitted function.) Scalars (slope, alpha)
arrive as Python floats (cheaper to pass than numpy scalars) and are cast to
the arrays' dtype on entry, under a new name (an argument reassigned with
another type would stay float64), so float32 stays float32.
Each loop computes the same expression, in the same order, as the numpy
reference in ``reference.py``, so the two agree to rounding. ``exp`` and
``expm1`` come from ``jit_exp``, so the sigmoid and elu loops vectorise.
"""

from __future__ import annotations

import math

from numba import prange

from .jit import twins
from .jit_exp import exp, expm1




def _sigmoid(x, out):
    """s = 1 / (1 + e**-|x|) for x >= 0, e**-|x| / (1 + e**-|x|) below: never overflows."""
    x = x.reshape(x.size)
    out = out.reshape(out.size)
    one = x.dtype.type(1)
    for i in prange(x.size):
        v = x[i]
        e = exp(-abs(v))
        out[i] = one / (one + e) if v >= 0 else e / (one + e)


def _sigmoid_backward(g, s, out):
    """dL/dx = g s (1 - s) from the saved output s."""
    g = g.reshape(g.size)
    s = s.reshape(s.size)
    out = out.reshape(out.size)
    one = s.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * s[i] * (one - s[i])


def _tanh(x, out):
    """tanh(x) through libm (not in the backend table: numpy's tanh is vectorised)."""
    x = x.reshape(x.size)
    out = out.reshape(out.size)
    for i in prange(x.size):
        out[i] = math.tanh(x[i])


def _tanh_backward(g, t, out):
    """dL/dx = g (1 - t**2) from the saved output t."""
    g = g.reshape(g.size)
    t = t.reshape(t.size)
    out = out.reshape(out.size)
    one = t.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * (one - t[i] * t[i])


def _relu(x, out):
    """max(x, 0), NaN staying NaN like np.maximum."""
    x = x.reshape(x.size)
    out = out.reshape(out.size)
    zero = x.dtype.type(0)
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0 or v != v else zero


def _relu_backward(g, x, out):
    """dL/dx = g * (x > 0): a multiply, so inf * 0 gives NaN exactly like the reference."""
    g = g.reshape(g.size)
    x = x.reshape(x.size)
    out = out.reshape(out.size)
    one = g.dtype.type(1)
    zero = g.dtype.type(0)
    for i in prange(g.size):
        out[i] = g[i] * (one if x[i] > 0 else zero)


def _leaky_relu(x, slope_in, out):
    """x where x > 0, else slope x."""
    x = x.reshape(x.size)
    out = out.reshape(out.size)
    slope = x.dtype.type(slope_in)
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0 else v * slope


def _leaky_relu_backward(g, x, slope_in, out):
    """dL/dx = g where x > 0, else slope g."""
    g = g.reshape(g.size)
    x = x.reshape(x.size)
    out = out.reshape(out.size)
    one = g.dtype.type(1)
    slope = g.dtype.type(slope_in)
    for i in prange(g.size):
        out[i] = g[i] * (one if x[i] > 0 else slope)


def _elu(x, alpha_in, out):
    """x where x > 0, else alpha (e**x - 1) (expm1: no cancellation near 0)."""
    x = x.reshape(x.size)
    out = out.reshape(out.size)
    alpha = x.dtype.type(alpha_in)
    for i in prange(x.size):
        v = x[i]
        out[i] = v if v > 0 else alpha * expm1(v)


def _elu_backward(g, x, y, alpha_in, out):
    """dL/dx = g where x > 0, else g (y + alpha) from the saved output y."""
    g = g.reshape(g.size)
    x = x.reshape(x.size)
    y = y.reshape(y.size)
    out = out.reshape(out.size)
    alpha = g.dtype.type(alpha_in)
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

