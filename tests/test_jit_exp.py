"""The vectorisable exp and expm1 of ``autograd.kernels.jit_exp`` against numpy's, float64 and float32.

Normal results: within 1 ulp of numpy (2.3e-16 / 1.2e-7 relative); subnormal
results: within one subnormal step; 0, +-inf, NaN and both ends of the range
exactly as numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from numba import njit  # noqa: E402

from autograd.kernels.jit_exp import exp, expm1  # noqa: E402

pytestmark = pytest.mark.numpy_only


@njit(error_model="numpy")
def _apply_exp(x, out):
    for i in range(x.size):
        out[i] = exp(x[i])


@njit(error_model="numpy")
def _apply_expm1(x, out):
    for i in range(x.size):
        out[i] = expm1(x[i])


FUNCS = {"exp": (_apply_exp, np.exp), "expm1": (_apply_expm1, np.expm1)}
ULP_REL = {np.float64: 2.3e-16, np.float32: 1.2e-7}


def points(dtype):
    rng = np.random.default_rng(0)
    fi = np.finfo(dtype)
    log_tiny = float(np.log(fi.tiny))
    log_max = float(np.log(fi.max))
    parts = [
        np.linspace(-800, 800, 400_001),
        rng.standard_normal(50_000) * 10,
        rng.standard_normal(20_000) * 1e-3,
        rng.standard_normal(20_000) * 1e-9,
        np.linspace(log_tiny - 30, log_tiny + 1, 20_001),  # the subnormal range and its edges
        np.linspace(log_max - 1, log_max + 1, 20_001),  # the overflow edge
        [0.0, -0.0, 1e-300, -1e-300, 5e-324, np.inf, -np.inf, np.nan, -np.nan],
        [709.78, 709.79, -745.1, -745.2, -708.4, 88.72, 88.73, -103.2, -103.3, -87.3, -88.0],
    ]
    with np.errstate(over="ignore"):
        return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts]).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_against_numpy(name, dtype):
    kernel, ref = FUNCS[name]
    x = points(dtype)
    got = np.empty_like(x)
    kernel(x, got)
    assert got.dtype == np.dtype(dtype)
    with np.errstate(over="ignore", under="ignore"):
        want = ref(x.astype(np.float64)).astype(dtype)  # correctly rounded to within numpy's float64 error
    special = ~np.isfinite(want) | (want == 0) | (want == -1)
    np.testing.assert_array_equal(got[special], want[special])
    tiny = np.finfo(dtype).tiny
    normal = ~special & (np.abs(want) >= tiny)
    rel = np.abs(got[normal].astype(np.float64) / want[normal].astype(np.float64) - 1)
    assert rel.max() <= ULP_REL[dtype], (rel.max(), x[normal][rel.argmax()])
    sub = ~special & ~normal
    step = tiny * np.finfo(dtype).eps
    assert np.all(np.abs(got[sub].astype(np.float64) - want[sub]) <= step)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_expm1_keeps_its_digits_near_zero(dtype):
    x = (np.geomspace(1e-30, 1e-2, 2001) * np.array([[1], [-1]])).ravel().astype(dtype)
    got = np.empty_like(x)
    _apply_expm1(x, got)
    want = np.expm1(x.astype(np.float64))
    np.testing.assert_allclose(got, want, rtol=ULP_REL[dtype], atol=0)


def test_python_fallbacks_are_numpy():
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(exp(x), np.exp(x))
    np.testing.assert_array_equal(expm1(x), np.expm1(x))
