"""``exp`` and ``expm1`` written out for Numba, so that loops calling them vectorise.

Why: a Numba loop that calls ``math.exp`` makes one scalar libm call per
element. LLVM would turn it into a vector call only through Intel's SVML,
and the llvmlite wheels on PyPI are built without it
(``llvmlite.binding.targets.has_svml()`` is False). The functions here use
only arithmetic, ``floor``, integer shifts and bit casts, which LLVM inlines
into the caller's loop and vectorises (AVX-512: 8 float64 or 16 float32
lanes), with ``fastmath={"contract"}`` so that the polynomial runs on FMAs.

The method, for e**x:

* range reduction: x = k ln2 + r with k = round(x / ln2) and |r| <= ln2 / 2;
  ln2 is split into a high part with trailing zero bits (k ln2_hi is exact)
  and a low part, so r keeps its accuracy for |k| up to ~1100;
* e**r by its Taylor series: 1 + r + r**2/2! + ... + r**13/13! in float64
  (the first term left out, r**14/14!, is below 4e-18), up to r**7/7! in
  float32 (below 6e-9), evaluated by Horner's rule;
* 2**k straight from the exponent bits: ``(k + bias) << mantissa_bits``
  reinterpreted as a float. k is split into k1 + k2 and e**r multiplied by
  2**k1 and then 2**k2: both factors stay normal numbers, so results in the
  subnormal range are rounded once and e**x overflows to inf only when it
  should.

x is first clamped to the range where e**x neither overflows nor underflows
to 0 (so inf and -inf need no branch; NaN passes through the clamp and the
polynomial and stays NaN). Measured against numpy's ``exp``: float64 within
~1 ulp (2.2e-16 relative), float32 within 1 ulp, exact at 0, +-inf, NaN and
at both ends of the range.

``expm1`` (e**x - 1, accurate near 0 where e**x - 1 would cancel) uses the
same reduction with the polynomial for e**r - 1 (no constant term), then
2**k (e**r - 1) + (2**k - 1), again through two factors 2**k1 2**k2.

Call them from kernels compiled with Numba: ``exp(x)`` picks the float32 or
float64 version by the type of x, and keeps that type.
"""

from __future__ import annotations

import math

import numpy as np
from numba import types
from numba.extending import overload, register_jitable

LOG2E = 1.4426950408889634  # 1 / ln 2
LN2_HI = 6.93147180369123816490e-01  # ln 2 = LN2_HI + LN2_LO, LN2_HI with 32 trailing zero bits
LN2_LO = 1.90821492927058770002e-10

_F32 = np.float32
LOG2E_F = _F32(LOG2E)
LN2_HI_F = _F32(0.693359375)  # ln 2 in float32: 0.693359375 (9 significant bits) - 2.12194440e-4
LN2_LO_F = _F32(-2.12194440e-4)
HALF_F = _F32(0.5)
ONE_F = _F32(1)

# clamps: below the low one e**x rounds to 0 (expm1: to -1), above the high one to inf
EXP_LO, EXP_HI = -746.0, 709.8
EXP_LO_F, EXP_HI_F = _F32(-104.0), _F32(88.8)
EXPM1_LO, EXPM1_LO_F = -40.0, _F32(-18.0)

# Taylor coefficients 1/j!: float64 up to 1/13!, float32 up to 1/7!
C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13 = (1.0 / math.factorial(j) for j in range(2, 14))
F2, F3, F4, F5, F6, F7 = (_F32(1.0 / math.factorial(j)) for j in range(2, 8))

_JIT = dict(fastmath={"contract"}, error_model="numpy")


def exp(x):
    """e**x (in Python: numpy's; in Numba: the vectorisable version for x's float type)."""
    return np.exp(x)


def expm1(x):
    """e**x - 1, accurate near 0 (in Python: numpy's; in Numba: the vectorisable version)."""
    return np.expm1(x)


@register_jitable(**_JIT)
def _expm1_poly64(r):
    """e**r - 1 = r + r**2/2! + ... + r**13/13!, Horner's rule."""
    q = C13
    q = q * r + C12
    q = q * r + C11
    q = q * r + C10
    q = q * r + C9
    q = q * r + C8
    q = q * r + C7
    q = q * r + C6
    q = q * r + C5
    q = q * r + C4
    q = q * r + C3
    q = q * r + C2
    return q * r * r + r


@register_jitable(**_JIT)
def _expm1_poly32(r):
    """e**r - 1 = r + r**2/2! + ... + r**7/7! in float32."""
    q = F7
    q = q * r + F6
    q = q * r + F5
    q = q * r + F4
    q = q * r + F3
    q = q * r + F2
    return q * r * r + r


@register_jitable(**_JIT)
def _reduce64(x):
    """k = round(x / ln2) and r = x - k ln2 (ln2 in two parts)."""
    k = math.floor(x * LOG2E + 0.5)
    r = (x - k * LN2_HI) - k * LN2_LO
    return np.int64(k), r


@register_jitable(**_JIT)
def _reduce32(x):
    k = np.floor(x * LOG2E_F + HALF_F)
    r = (x - k * LN2_HI_F) - k * LN2_LO_F
    return np.int32(k), r


@register_jitable(**_JIT)
def _pow2_64(k):
    """2**k from the exponent bits (normal range: -1022 <= k <= 1023)."""
    return np.int64((k + 1023) << 52).view(np.float64)


@register_jitable(**_JIT)
def _pow2_32(k):
    return np.int32((k + 127) << 23).view(np.float32)


def _exp64(x):
    k, r = _reduce64(min(max(x, EXP_LO), EXP_HI))
    k1 = k >> 1
    return (_expm1_poly64(r) + 1.0) * _pow2_64(k1) * _pow2_64(k - k1)


def _exp32(x):
    k, r = _reduce32(min(max(x, EXP_LO_F), EXP_HI_F))
    k1 = k >> 1
    return (_expm1_poly32(r) + ONE_F) * _pow2_32(k1) * _pow2_32(k - k1)


def _expm1_64(x):
    # 2**k q + 2**k - 1 = (2**k1 q + (2**k1 - 2**-k2)) 2**k2 for q = e**r - 1: no factor leaves the normal range
    k, r = _reduce64(min(max(x, EXPM1_LO), EXP_HI))
    k1 = k >> 1
    k2 = k - k1
    s1 = _pow2_64(k1)
    return (_expm1_poly64(r) * s1 + (s1 - _pow2_64(-k2))) * _pow2_64(k2)


def _expm1_32(x):
    k, r = _reduce32(min(max(x, EXPM1_LO_F), EXP_HI_F))
    k1 = k >> 1
    k2 = k - k1
    s1 = _pow2_32(k1)
    return (_expm1_poly32(r) * s1 + (s1 - _pow2_32(-k2))) * _pow2_32(k2)


@overload(exp, jit_options=_JIT)
def _exp_overload(x):
    if x == types.float32:
        return _exp32
    if isinstance(x, types.Float):
        return _exp64
    return None


@overload(expm1, jit_options=_JIT)
def _expm1_overload(x):
    if x == types.float32:
        return _expm1_32
    if isinstance(x, types.Float):
        return _expm1_64
    return None
