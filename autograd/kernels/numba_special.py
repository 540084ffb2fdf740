"""Numba kernels for the special functions of ``special_ref`` (log-gamma, digamma, polygamma, erfc, erfinv):
the same series and expansions written per element (libm's ``lgamma``/``erf``/``erfc`` where Numba has them),
compiled lazily and cached. Inputs other than C-contiguous float64 arrays of at least ``MIN_SIZE`` elements
go to the numpy reference, as every Numba kernel here does.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from numba import prange

from . import jit as J
from . import special_ref as R

__all__ = ["KERNELS", "THRESHOLDS"]

_ROOT_HI, _ROOT_LO, _ROOT_TAYLOR = R._ROOT_HI, R._ROOT_LO, R._ROOT_TAYLOR
_B2K = R._B2K
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)
MIN_SIZE = 64  # below this the numpy reference's fixed cost is no worse


def _digamma_pos(x: float) -> float:
    d = (x - _ROOT_HI) - _ROOT_LO
    if abs(d) <= 0.25:  # Taylor series about the positive zero
        s = 0.0
        for i in range(len(_ROOT_TAYLOR) - 1, -1, -1):
            s = s * d + _ROOT_TAYLOR[i]
        return s * d
    acc = 0.0
    while x < 8.0:  # psi(x) = psi(x + 1) - 1/x
        acc += 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = 0.0
    for k in range(8, 0, -1):
        series = series * inv2 + _B2K[k - 1] / (2 * k)
    return math.log(x) - 0.5 / x - series * inv2 - acc


_digamma_pos_jit = J.serial(_digamma_pos)


def _digamma_kernel(x: np.ndarray, out: np.ndarray) -> None:
    xf, of = x.ravel(), out.ravel()
    for i in prange(xf.size):
        v = xf[i]
        if v > 0.0 and v < np.inf:
            of[i] = _digamma_pos_jit(v)
        elif v == 0.0:
            of[i] = -np.inf
        elif v == np.inf:
            of[i] = np.inf
        elif v < 0.0 and v > -np.inf and v != math.floor(v):
            r = v - math.floor(v + 0.5)  # tan has period pi
            of[i] = _digamma_pos_jit(1.0 - v) - math.pi / math.tan(math.pi * r)
        else:
            of[i] = np.nan


def _lgamma_kernel(x: np.ndarray, out: np.ndarray) -> None:
    xf, of = x.ravel(), out.ravel()
    for i in prange(xf.size):
        v = xf[i]
        if v <= 0.0 and v == math.floor(v):
            of[i] = np.inf
        else:
            of[i] = math.lgamma(v)


def _erfc_kernel(x: np.ndarray, out: np.ndarray) -> None:
    xf, of = x.ravel(), out.ravel()
    for i in prange(xf.size):
        of[i] = math.erfc(xf[i])


def _erfinv_scalar(y: float) -> float:
    a = abs(y)
    if a > 1.0 or y != y:
        return np.nan
    if a == 1.0:
        return math.copysign(np.inf, y)
    if a <= 0.5:  # Halley on erf(x) = a from the Taylor start
        x = _HALF_SQRT_PI * a * (1.0 + (math.pi / 12.0) * a * a)
        for _ in range(4):
            f = math.erf(x) - a
            x = x - f / ((math.exp(-x * x) / _HALF_SQRT_PI) * (1.0 + x * f * _HALF_SQRT_PI * math.exp(x * x)))
        return math.copysign(x, y)
    q = 1.0 - a  # exact here
    lq = math.log(q)
    t = math.sqrt(-lq)
    x = math.sqrt(max(-lq - math.log(math.sqrt(math.pi) * t), 0.25))
    for _ in range(8):  # Newton on log erfc(x) = log q
        e = math.erfc(x)
        if e <= 0.0:
            break
        step = (math.log(e) - lq) * e / (-(2.0 / math.sqrt(math.pi)) * math.exp(-x * x))
        if not math.isfinite(step):
            break
        x -= step
    return math.copysign(x, y)


_erfinv_jit = J.serial(_erfinv_scalar)


def _erfinv_kernel(x: np.ndarray, out: np.ndarray) -> None:
    xf, of = x.ravel(), out.ravel()
    for i in prange(xf.size):
        of[i] = _erfinv_jit(xf[i])


_KERNELS_JIT = {
    "special_lgamma": J.twins(_lgamma_kernel),
    "special_digamma": J.twins(_digamma_kernel),
    "special_erfc": J.twins(_erfc_kernel),
    "special_erfinv": J.twins(_erfinv_kernel),
}
PARALLEL_SIZE = 500_000


def _wrap(name: str) -> Callable:
    kernel, ref = _KERNELS_JIT[name], getattr(R, name[len("special_"):])

    def run(x: Any) -> np.ndarray:
        if type(x) is np.ndarray and x.dtype == np.float64 and x.flags.c_contiguous and x.size >= MIN_SIZE:
            from .numba_backend import parallel_allowed

            out = np.empty(x.shape, np.float64)
            (kernel.parallel if x.size >= PARALLEL_SIZE and parallel_allowed() else kernel.serial)(x, out)
            return out
        return ref(x)

    run.__name__ = name
    run.__doc__ = f"Numba ``{name[len('special_'):]}`` (the numpy reference for other inputs)."
    return run


KERNELS: dict[str, Callable] = {name: _wrap(name) for name in _KERNELS_JIT}
THRESHOLDS: dict[str, tuple] = {name: (MIN_SIZE, PARALLEL_SIZE) for name in KERNELS}
