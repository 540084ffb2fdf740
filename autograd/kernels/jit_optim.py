"""Numba optimiser updates: one pass over a parameter and its state, in place, no temporaries.

Arguments are C-contiguous arrays of one dtype, any shape (walked flat through
``a.reshape(a.size)``), and Python floats, cast to that dtype on entry (cheaper
to pass than numpy scalars); constants such as ``1 - beta1`` are computed once
by the caller, as the reference does.
Absent state (no momentum buffer, no ``vmax``) is passed as a stand-in
array with a ``False`` flag, so one compiled version serves every
combination of options. Each element's update reads and writes only
that element, so the parallel twins have nothing to race on.
"""

from __future__ import annotations

import math

from numba import prange

from .jit import serial, twins


def _sgd(p, g, buf, lr_, momentum_, damp_keep_, nesterov, wd_, has_wd, has_momentum, first):
    """d = g + wd p; buf = momentum buf + (1 - dampening) d (d on the first step); p -= lr (buf or d + momentum buf)."""
    p = p.reshape(p.size)
    g = g.reshape(g.size)
    buf = buf.reshape(buf.size)
    t = p.dtype.type  # Python floats in, cast once (new names: reassigning an argument would keep float64)
    lr, momentum, damp_keep, wd = t(lr_), t(momentum_), t(damp_keep_), t(wd_)
    for i in prange(p.size):
        d = g[i] + wd * p[i] if has_wd else g[i]
        if has_momentum:
            b = d if first else buf[i] * momentum + damp_keep * d
            buf[i] = b
            d = d + momentum * b if nesterov else b
        p[i] -= lr * d


def _lerp(a, b, w, w_rest):
    """a + w (b - a), from the nearer end like the reference (``w_rest`` = 1 - w)."""
    return a + w * (b - a) if w < 0.5 else b - (b - a) * w_rest


def _adam(p, g, m, v, vmax, has_vmax, step_size_, beta1_, keep1_, beta2_, keep2_, sqrt_bc2_, eps_, wd_, has_wd,
          decoupled, decay_):
    """m, v: running means of g and g**2; p -= (lr / bc1) (m / (sqrt(v) / sqrt(bc2) + eps)).

    AdamW (``decoupled``) first shrinks p by ``decay`` = 1 - lr wd; Adam adds wd p to g instead.
    """
    p = p.reshape(p.size)
    g = g.reshape(g.size)
    m = m.reshape(m.size)
    v = v.reshape(v.size)
    vmax = vmax.reshape(vmax.size)
    t = p.dtype.type  # Python floats in, cast once (new names: reassigning an argument would keep float64)
    step_size, beta1, keep1, beta2 = t(step_size_), t(beta1_), t(keep1_), t(beta2_)
    keep2, sqrt_bc2, eps, wd, decay = t(keep2_), t(sqrt_bc2_), t(eps_), t(wd_), t(decay_)
    for i in prange(p.size):
        gi = g[i]
        if has_wd:
            if decoupled:
                p[i] *= decay
            else:
                gi = gi + wd * p[i]
        mi = lerp(m[i], gi, keep1, beta1)  # beta1 passed as 1 - (1 - beta1), the reference's rounding
        vi = v[i] * beta2 + keep2 * gi * gi
        m[i] = mi
        v[i] = vi
        if has_vmax:
            if vi > vmax[i]:
                vmax[i] = vi
            vi = vmax[i]
        p[i] -= step_size * (mi / (math.sqrt(vi) / sqrt_bc2 + eps))


def _rmsprop(p, g, sq, buf, gavg, lr_, alpha_, keep_, eps_, wd_, has_wd, momentum_, has_momentum, centered):
    """sq = alpha sq + (1 - alpha) g**2; p -= lr g / (sqrt(sq [- gavg**2]) + eps), through a momentum buffer if any."""
    p = p.reshape(p.size)
    g = g.reshape(g.size)
    sq = sq.reshape(sq.size)
    buf = buf.reshape(buf.size)
    gavg = gavg.reshape(gavg.size)
    t = p.dtype.type  # Python floats in, cast once (new names: reassigning an argument would keep float64)
    lr, alpha, keep, eps, wd, momentum = t(lr_), t(alpha_), t(keep_), t(eps_), t(wd_), t(momentum_)
    for i in prange(p.size):
        gi = g[i] + wd * p[i] if has_wd else g[i]
        s = sq[i] * alpha + keep * gi * gi
        sq[i] = s
        if centered:
            a = lerp(gavg[i], gi, keep, alpha)
            gavg[i] = a
            avg = math.sqrt(s - a * a) + eps
        else:
            avg = math.sqrt(s) + eps
        if has_momentum:
            b = buf[i] * momentum + gi / avg
            buf[i] = b
            p[i] -= lr * b
        else:
            p[i] -= lr * (gi / avg)


def _adagrad(p, g, ssum, clr_, eps_, wd_, has_wd):
    """ssum += g**2; p -= clr g / (sqrt(ssum) + eps)."""
    p = p.reshape(p.size)
    g = g.reshape(g.size)
    ssum = ssum.reshape(ssum.size)
    t = p.dtype.type  # Python floats in, cast once (new names: reassigning an argument would keep float64)
    clr, eps, wd = t(clr_), t(eps_), t(wd_)
    for i in prange(p.size):
        gi = g[i] + wd * p[i] if has_wd else g[i]
        s = ssum[i] + gi * gi
        ssum[i] = s
        p[i] -= clr * (gi / (math.sqrt(s) + eps))


lerp = serial(_lerp)
sgd = twins(_sgd)
adam = twins(_adam)
rmsprop = twins(_rmsprop)
adagrad = twins(_adagrad)
