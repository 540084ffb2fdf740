"""The Numba pooling kernels against the numpy reference: both float dtypes, odd shapes, padding,
strides that do and do not divide the width, windows past the input (ceil_mode), both divisor rules,
non-contiguous inputs, the serial and the threaded twins. Average pooling adds the same numbers in
the same order on both sides, so it must agree to the last bit."""

from __future__ import annotations

import numpy as np
import pytest

from autograd.kernels import conv_reference as R

pytestmark = pytest.mark.numpy_only  # these call the kernels directly; the backend switch does not matter

# (N, C, H, W), kernel, stride, padding, output (ceil_mode can make it one larger)
POOLS = [
    ((2, 3, 9, 8), (3, 3), (2, 2), (1, 1), (5, 4)),
    ((2, 3, 9, 8), (3, 3), (2, 2), (1, 1), (5, 5)),  # ceil_mode: the last window hangs past the input
    ((1, 2, 7, 11), (2, 3), (1, 3), (0, 1), (6, 4)),
    ((3, 1, 6, 6), (3, 2), (3, 2), (1, 1), (2, 4)),
    ((1, 2, 5, 7), (3, 3), (1, 1), (1, 1), (5, 7)),
    ((2, 2, 8, 8), (2, 2), (2, 2), (0, 0), (4, 4)),  # the written-out 2x2 kernels
    ((1, 1, 4, 9), (1, 4), (1, 4), (0, 2), (4, 3)),
    ((2, 2, 10, 12), (4, 4), (3, 3), (2, 2), (4, 5)),
]


@pytest.fixture
def nc(conv_twin):
    """The Numba wrappers with that twin at every size. (tests/conftest.py's conv_twin)"""
    return conv_twin


def _rand(shape: tuple, seed: int, dtype: type) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("include_pad", [True, False])
@pytest.mark.parametrize("pool", POOLS)
def test_avg_pool_kernels_match_reference_bit_for_bit(pool: tuple, include_pad: bool, dtype: type, nc) -> None:
    shape, (kh, kw), (sh, sw), (ph, pw), (ho, wo) = pool
    div = R.avg_pool_divisor(shape[2], shape[3], kh, kw, sh, sw, ph, pw, ho, wo, include_pad, None)
    x = _rand(shape, 0, dtype)
    want = R.avg_pool2d(x, kh, kw, sh, sw, ph, pw, ho, wo, div)
    got = nc.avg_pool2d(x, kh, kw, sh, sw, ph, pw, ho, wo, div)
    assert got.dtype == dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    # brute force on the first plane
    xp = np.zeros((shape[2] + 2 * ph + kh, shape[3] + 2 * pw + kw))
    xp[ph:ph + shape[2], pw:pw + shape[3]] = x[0, 0]
    brute = [[xp[oh * sh:oh * sh + kh, ow * sw:ow * sw + kw].sum() / div[oh, ow] for ow in range(wo)]
             for oh in range(ho)]
    np.testing.assert_allclose(got[0, 0], brute, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)

    g = _rand(want.shape, 1, dtype)
    want_g = R.avg_pool2d_backward(g, shape, kh, kw, sh, sw, ph, pw, div)
    got_g = nc.avg_pool2d_backward(g, shape, kh, kw, sh, sw, ph, pw, div)
    assert got_g.dtype == dtype and got_g.shape == shape
    np.testing.assert_array_equal(got_g, want_g)
    # the adjoint: <avg(x), g> = <x, avg_backward(g)>
    lhs = float(np.vdot(want.astype(np.float64), g.astype(np.float64)))
    rhs = float(np.vdot(x.astype(np.float64), got_g.astype(np.float64)))
    assert abs(lhs - rhs) <= 1e-4 * (1 + abs(lhs)) if dtype == np.float32 else abs(lhs - rhs) <= 1e-10 * (1 + abs(lhs))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_avg_pool_kernels_on_non_contiguous_input_and_nan(dtype: type, nc) -> None:
    x = _rand((2, 3, 8, 9), 2, dtype).transpose(0, 1, 3, 2)  # (2, 3, 9, 8), not C-contiguous
    x[1, 2, 3, 3] = np.nan  # padded (4, 4): in windows 1 and 2 of each axis
    div = R.avg_pool_divisor(9, 8, 3, 3, 2, 2, 1, 1, 5, 4, False, None)
    got = nc.avg_pool2d(x, 3, 3, 2, 2, 1, 1, 5, 4, div)
    np.testing.assert_array_equal(got, R.avg_pool2d(np.ascontiguousarray(x), 3, 3, 2, 2, 1, 1, 5, 4, div))
    assert np.isnan(got[1, 2]).sum() == 4  # the four windows holding the NaN, and only those
    g = _rand((2, 3, 5, 4), 3, dtype)[:, :, ::-1]
    np.testing.assert_array_equal(nc.avg_pool2d_backward(g, x.shape, 3, 3, 2, 2, 1, 1, div),
                                  R.avg_pool2d_backward(np.ascontiguousarray(g), x.shape, 3, 3, 2, 2, 1, 1, div))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pool", POOLS)
def test_max_pool_backward_kernel_matches_reference(pool: tuple, dtype: type, nc) -> None:
    shape, (kh, kw), (sh, sw), (ph, pw), (ho, wo) = pool
    x = _rand(shape, 4, dtype)
    x.reshape(-1)[::7] = x.reshape(-1)[0]  # ties
    out, idx = nc.max_pool2d(x, kh, kw, sh, sw, ph, pw, 1, 1, ho, wo)
    rout, ridx = R.max_pool2d(x, kh, kw, sh, sw, ph, pw, 1, 1, ho, wo)
    np.testing.assert_array_equal(out, rout)
    np.testing.assert_array_equal(idx, ridx)
    g = _rand(out.shape, 5, dtype)
    window = (kh, kw, sh, sw, ph, pw, 1, 1)  # 2x2 at stride 2 on an even input: the write-once kernel
    got = nc.max_pool2d_backward(g, idx, shape, window)
    want = R.max_pool2d_backward(g, idx, shape)
    np.testing.assert_array_equal(nc.max_pool2d_backward(g, idx, shape), got)  # without the window: scatter
    assert got.dtype == dtype and got.shape == shape
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-14, atol=1e-6)
    np.testing.assert_allclose(got.sum(), g.astype(np.float64).sum(), rtol=1e-4, atol=1e-4)  # nothing lost
    g_nc = np.asfortranarray(g)  # non-contiguous gradient
    np.testing.assert_array_equal(nc.max_pool2d_backward(g_nc, idx, shape, window), got)
