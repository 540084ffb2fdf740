"""The convolution's column kernels (``unfold_into`` / ``fold_into``) and the chunked Conv2d against
brute force, the numpy reference and torch: both float dtypes, odd shapes, padding, stride,
dilation, non-contiguous inputs, the serial and the threaded Numba twins."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor
from autograd.kernels import conv_reference as R

# (N, C, H, W), kernel, stride, top/left padding, dilation, output size
GEOMETRIES = [
    ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1), (7, 6)),
    ((1, 2, 9, 8), (3, 2), (2, 3), (1, 0), (1, 2), (5, 2)),
    ((3, 1, 5, 11), (2, 4), (1, 2), (0, 2), (2, 1), (4, 6)),
    ((2, 2, 4, 4), (5, 5), (1, 1), (2, 2), (1, 1), (4, 4)),  # every window hangs over an edge
    ((1, 3, 6, 5), (1, 1), (3, 2), (0, 0), (1, 1), (2, 3)),
    ((2, 2, 3, 3), (2, 2), (1, 1), (2, 2), (1, 1), (6, 6)),  # rows and columns entirely in the padding
    ((2, 2, 7, 6), (3, 3), (2, 1), (1, 1), (1, 1), (4, 6)),  # Wo = W with a row stride
    ((1, 2, 6, 7), (2, 3), (1, 1), (1, 2), (2, 2), (6, 7)),  # Wo = W, strides 1: taps copied as one run
    ((2, 3, 5, 5), (3, 3), (1, 1), (1, 1), (1, 1), (5, 5)),
]


def _rand(shape: tuple, seed: int, dtype: type = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _brute_unfold(x: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple, o: tuple) -> np.ndarray:
    n, c, h, w = x.shape
    out = np.zeros((n, c) + k + o, dtype=x.dtype)
    for nn_, cc, i, j, oh, ow in np.ndindex(out.shape):
        r, q = oh * s[0] - p[0] + i * d[0], ow * s[1] - p[1] + j * d[1]
        if 0 <= r < h and 0 <= q < w:
            out[nn_, cc, i, j, oh, ow] = x[nn_, cc, r, q]
    return out


def _brute_fold(cols: np.ndarray, shape: tuple, s: tuple, p: tuple, d: tuple) -> np.ndarray:
    h, w = shape[2:]
    out = np.zeros(shape)
    for nn_, cc, i, j, oh, ow in np.ndindex(cols.shape):
        r, q = oh * s[0] - p[0] + i * d[0], ow * s[1] - p[1] + j * d[1]
        if 0 <= r < h and 0 <= q < w:
            out[nn_, cc, r, q] += cols[nn_, cc, i, j, oh, ow]
    return out


@pytest.fixture
def twin(conv_twin):
    """Run the Numba wrappers with that twin at every size. (tests/conftest.py's conv_twin)"""
    return conv_twin


@pytest.mark.numpy_only
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("geo", GEOMETRIES)
def test_unfold_fold_kernels_match_brute_force_and_reference(geo: tuple, dtype: type, twin) -> None:
    shape, k, s, p, d, o = geo
    x = _rand(shape, 0, dtype)
    expect = _brute_unfold(x, k, s, p, d, o)
    args = k + s + p + d
    ref = R.unfold_into(x, *args, np.empty(expect.shape, dtype))
    np.testing.assert_array_equal(ref, expect)
    got = twin.unfold_into(x, *args, np.full(expect.shape, np.nan, dtype))  # every cell written, zeros too
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, expect)

    cols = _rand(expect.shape, 1, dtype)
    want = _brute_fold(cols.astype(np.float64), shape, s, p, d)
    ref = R.fold_into(cols, *(s + p + d), np.empty(shape, dtype))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(ref, want, rtol=tol, atol=tol)
    got = twin.fold_into(cols, *(s + p + d), np.full(shape, np.nan, dtype))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, ref)  # the same additions in the same order


@pytest.mark.numpy_only
def test_unfold_fold_kernels_on_non_contiguous_arrays(twin) -> None:
    shape, k, s, p, d, o = GEOMETRIES[1]
    x = _rand(shape[:2] + (shape[3], shape[2]), 2).transpose(0, 1, 3, 2)  # not C-contiguous: the reference runs
    expect = _brute_unfold(x, k, s, p, d, o)
    np.testing.assert_array_equal(twin.unfold_into(x, *(k + s + p + d), np.empty(expect.shape)), expect)
    cols = _rand(expect.shape[::-1], 3).transpose(5, 4, 3, 2, 1, 0)  # strided columns: the kernel reads them
    got = twin.fold_into(cols, *(s + p + d), np.empty(shape))
    np.testing.assert_allclose(got, _brute_fold(cols, shape, s, p, d), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got, R.fold_into(np.ascontiguousarray(cols), *(s + p + d), np.empty(shape)))


@pytest.mark.parametrize("blas_threads", [1, 2])  # a product per sample / one per chunk
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("chunk", [1, 100, 1 << 19, None])
def test_chunked_conv2d_matches_torch(chunk: int | None, dtype: type, bias: bool, blas_threads: int,
                                      monkeypatch) -> None:
    """Chunks of one sample, of a few and the whole batch (and, None, the whole-batch product of small
    images) give torch's numbers, padding modes included."""
    torch = pytest.importorskip("torch")
    from autograd.ops import conv as C

    monkeypatch.setattr(C, "_BLAS_THREADS", blas_threads)

    monkeypatch.setattr(C, "PER_SAMPLE_MIN", 10**9 if chunk is None else 0)
    monkeypatch.setattr(C, "COLUMN_CHUNK", chunk or 1)
    monkeypatch.setattr(C, "COLUMN_CHUNK_THREADED", chunk or 1)
    tol = 1e-10 if dtype == np.float64 else 1e-4
    x = _rand((5, 4, 9, 7), 0, dtype)[:, :, ::-1]  # non-contiguous
    w, b = _rand((6, 2, 3, 2), 1, dtype), _rand(6, 2, dtype)
    for kw in (dict(stride=(2, 1), padding=(2, 1), groups=2, dilation=(1, 2)),
               dict(padding=1, padding_mode="reflect", stride=(2, 1), dilation=(1, 2), groups=2)):
        arrays = (x, w, b) if bias else (x, w)
        ts = [Tensor(a, requires_grad=True) for a in arrays]
        qs = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
        out = F.conv2d(*ts, **kw)
        tkw = dict(kw)
        if tkw.pop("padding_mode", "zeros") == "reflect":  # torch's functional conv2d pads with zeros only
            tq = [torch.nn.functional.pad(qs[0], (1, 1, 1, 1), mode="reflect")] + qs[1:]
            ref = torch.nn.functional.conv2d(*tq, **dict(tkw, padding=0))
        else:
            ref = torch.nn.functional.conv2d(*qs, **tkw)
        assert out.dtype == dtype and out.shape == tuple(ref.shape)
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=tol, atol=tol)
        g = _rand(out.shape, 3, dtype)
        out.backward(g)
        ref.backward(torch.tensor(g))
        for t, q in zip(ts, qs):
            np.testing.assert_allclose(t.grad, q.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("blas_threads", [1, 2])
def test_conv2d_backward_skips_unneeded_gradients(blas_threads: int, monkeypatch) -> None:
    """Only the weight needs a gradient (a first layer): no input gradient is computed, the weight's is right."""
    x, w = _rand((3, 2, 6, 6), 0), _rand((4, 2, 3, 3), 1)
    wt = Tensor(w, requires_grad=True)
    xt = Tensor(x)

    def no_fold(*args):
        raise AssertionError("the input gradient was computed")

    from autograd.ops import conv as C

    monkeypatch.setattr(C, "PER_SAMPLE_MIN", 0)  # the per-sample path on this small image
    monkeypatch.setattr(C, "_BLAS_THREADS", blas_threads)
    monkeypatch.setattr(autograd.backend.ops, "fold_into", no_fold)
    monkeypatch.setattr(autograd.backend.ops, "col2im", no_fold)
    F.conv2d(xt, wt, padding=1).sum().backward()
    assert xt.grad is None
    cols = R.unfold_into(x, 3, 3, 1, 1, 1, 1, 1, 1, np.empty((3, 2, 3, 3, 6, 6)))
    np.testing.assert_allclose(wt.grad, np.broadcast_to(cols.sum(axis=(0, 4, 5)), w.shape), rtol=1e-12)


@pytest.mark.parametrize("size", [(8, 9), (17, 33)])  # the whole-batch product and the per-sample one
def test_backends_give_the_same_conv_numbers(size: tuple) -> None:
    """The numpy reference and the Numba backend run the same products on the same columns."""
    pytest.importorskip("numba")
    x, w, b = _rand((4, 3) + size, 0, np.float32), _rand((5, 3, 3, 3), 1, np.float32), _rand(5, 2, np.float32)
    results = []
    previous = autograd.get_backend()
    try:
        for name in ("numpy", "numba"):
            autograd.set_backend(name)
            ts = [Tensor(a, requires_grad=True) for a in (x, w, b)]
            out = F.conv2d(*ts, stride=(1, 2), padding=(2, 1))
            out.backward(np.ones(out.shape, np.float32))
            results.append([out.data] + [t.grad for t in ts])
    finally:
        autograd.set_backend(previous)
    for a, c in zip(*results):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("blas_threads", [1, 2])
def test_per_sample_conv1d_and_unbatched_conv2d_match_torch(blas_threads: int, monkeypatch) -> None:
    """Inputs large enough for the per-sample products: a long Conv1d (groups, dilation, stride) and an
    unbatched Conv2d (replicate padding), forward and every gradient."""
    torch = pytest.importorskip("torch")
    from autograd.ops import conv as C

    monkeypatch.setattr(C, "_BLAS_THREADS", blas_threads)
    cases = [
        (F.conv1d, torch.nn.functional.conv1d, [_rand((3, 4, 230), 0), _rand((6, 2, 4), 1), _rand(6, 2)],
         dict(stride=2, padding=3, dilation=2, groups=2), None),
        (F.conv2d, torch.nn.functional.conv2d, [_rand((3, 12, 11), 3), _rand((5, 3, 3, 3), 4), _rand(5, 5)],
         dict(padding=1, padding_mode="replicate"), (1, 1, 1, 1)),
    ]
    for ours, theirs, arrays, kw, pad in cases:
        ts = [Tensor(a, requires_grad=True) for a in arrays]
        qs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = ours(*ts, **kw)
        tkw = {k: v for k, v in kw.items() if k != "padding_mode"}
        if pad is not None:  # torch's functional conv pads with zeros only
            ref = theirs(torch.nn.functional.pad(qs[0][None], pad, mode="replicate")[0], *qs[1:],
                         **dict(tkw, padding=0))
        else:
            ref = theirs(*qs, **tkw)
        assert out.shape == tuple(ref.shape)
        assert int(np.prod(out.shape[-(arrays[1].ndim - 2):])) >= C.PER_SAMPLE_MIN  # the per-sample path
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-10)
        g = _rand(out.shape, 9)
        out.backward(g)
        ref.backward(torch.tensor(g))
        for t, q in zip(ts, qs):
            np.testing.assert_allclose(t.grad, q.grad.numpy(), rtol=1e-10, atol=1e-10)
