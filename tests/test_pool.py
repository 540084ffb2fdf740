"""Pooling and resizing: torch's numbers and indices, gradcheck, scalar mode, kernels, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, Value
from autograd.kernels import conv_reference

torch = pytest.importorskip("torch")
TF = torch.nn.functional

GRAD_TOL = dict(eps=1e-6, atol=1e-7, rtol=1e-5)


def _rand(shape: tuple, seed: int, dtype: type = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _distinct(shape: tuple, seed: int) -> np.ndarray:
    """Values far apart (no ties within 0.1), so finite differences never cross a max."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))) * 0.1 - 1.0).reshape(shape)


def _against_torch(ours, theirs, x: np.ndarray, tol: float | None = None, seed: int = 0) -> None:
    tol = tol if tol is not None else (1e-10 if x.dtype == np.float64 else 1e-5)
    xt, xq = Tensor(x, requires_grad=True), torch.tensor(np.ascontiguousarray(x), requires_grad=True)
    out, ref = ours(xt), theirs(xq)
    if isinstance(ref, tuple):
        assert isinstance(out, tuple)
        assert out[1].dtype == np.int64
        np.testing.assert_array_equal(out[1].data, ref[1].numpy())
        out, ref = out[0], ref[0]
    assert out.shape == tuple(ref.shape) and out.dtype == x.dtype
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=tol, atol=tol)
    g = _rand(out.shape, seed + 7, x.dtype)
    out.backward(g)
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad, xq.grad.numpy(), rtol=tol, atol=tol)


MAX2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), ceil_mode=True),
    dict(kernel_size=3, stride=3, padding=1, ceil_mode=True),
    dict(kernel_size=2, stride=1),
]


@pytest.mark.parametrize("kw", MAX2D)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_pool2d_matches_torch(kw: dict, dtype: type) -> None:
    x = _rand((2, 3, 7, 8), 0, dtype)
    _against_torch(lambda a: F.max_pool2d(a, **kw, return_indices=True),
                   lambda a: TF.max_pool2d(a, **kw, return_indices=True), x)
    layer = nn.MaxPool2d(**kw)
    np.testing.assert_array_equal(layer(x).data, TF.max_pool2d(torch.tensor(x), **kw).numpy())


def test_max_pool_ties_nan_and_minus_inf_follow_torch() -> None:
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, np.nan, 2.0], [np.nan, 3.0, -np.inf]]]])
    for kw in [dict(kernel_size=2, stride=1), dict(kernel_size=2, stride=1, padding=1)]:
        ours = F.max_pool2d(Tensor(x), **kw, return_indices=True)
        ref = TF.max_pool2d(torch.tensor(x), **kw, return_indices=True)
        np.testing.assert_array_equal(ours[0].data, ref[0].numpy())
        np.testing.assert_array_equal(ours[1].data, ref[1].numpy())
    allneg = np.full((1, 1, 3, 3), -np.inf)
    ours = F.max_pool2d(Tensor(allneg), 2, padding=1, return_indices=True)[1].data
    np.testing.assert_array_equal(ours, TF.max_pool2d(torch.tensor(allneg), 2, padding=1, return_indices=True)[1])
    tied = np.ones((1, 1, 4, 4))  # every gradient goes to the first cell of its window
    xt = Tensor(tied, requires_grad=True)
    F.max_pool2d(xt, 2).sum().backward()
    xq = torch.tensor(tied, requires_grad=True)
    TF.max_pool2d(xq, 2).sum().backward()
    np.testing.assert_array_equal(xt.grad, xq.grad.numpy())


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
                                dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), ceil_mode=True,
                                     count_include_pad=False),
                                dict(kernel_size=3, stride=2, padding=1, divisor_override=4)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_avg_pool2d_matches_torch(kw: dict, dtype: type) -> None:
    _against_torch(lambda a: F.avg_pool2d(a, **kw), lambda a: TF.avg_pool2d(a, **kw), _rand((2, 3, 7, 8), 1, dtype))
    _against_torch(nn.AvgPool2d(**kw), torch.nn.AvgPool2d(**kw), _rand((2, 3, 7, 8), 2, dtype))


def test_pool1d_match_torch() -> None:
    x = _rand((2, 3, 11), 0)
    for kw in [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
               dict(kernel_size=2, stride=1, dilation=3)]:
        _against_torch(lambda a, kw=kw: F.max_pool1d(a, **kw, return_indices=True),
                       lambda a, kw=kw: TF.max_pool1d(a, **kw, return_indices=True), x)
        _against_torch(nn.MaxPool1d(**kw), torch.nn.MaxPool1d(**kw), x)
    for kw in [dict(kernel_size=3), dict(kernel_size=4, stride=2, padding=2, ceil_mode=True, count_include_pad=False)]:
        _against_torch(lambda a, kw=kw: F.avg_pool1d(a, **kw), lambda a, kw=kw: TF.avg_pool1d(a, **kw), x)
        _against_torch(nn.AvgPool1d(**kw), torch.nn.AvgPool1d(**kw), x)


@pytest.mark.parametrize("size", [1, (3, 4), (5, 7), (7, 8), (None, 3), (9, 10)])
def test_adaptive_pools_match_torch(size) -> None:
    x = _rand((2, 3, 7, 8), 0)
    _against_torch(lambda a: F.adaptive_avg_pool2d(a, size), lambda a: TF.adaptive_avg_pool2d(a, size), x)
    _against_torch(lambda a: F.adaptive_max_pool2d(a, size, return_indices=True),
                   lambda a: TF.adaptive_max_pool2d(a, size, return_indices=True), x)
    _against_torch(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x.astype(np.float32))
    _against_torch(nn.AdaptiveMaxPool2d(size), torch.nn.AdaptiveMaxPool2d(size), x.astype(np.float32))


def test_adaptive_pools_1d_and_unbatched() -> None:
    x = _rand((2, 3, 10), 0)
    for size in (1, 3, 4, 10):
        _against_torch(nn.AdaptiveAvgPool1d(size), torch.nn.AdaptiveAvgPool1d(size), x)
        _against_torch(lambda a, s=size: F.adaptive_max_pool1d(a, s, return_indices=True),
                       lambda a, s=size: TF.adaptive_max_pool1d(a, s, return_indices=True), x)
    img = _rand((3, 7, 8), 1)
    _against_torch(nn.AdaptiveAvgPool2d((2, 3)), torch.nn.AdaptiveAvgPool2d((2, 3)), img)
    _against_torch(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), img)
    _against_torch(nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1), img)


INTERP = [dict(size=(5, 11)), dict(scale_factor=2), dict(scale_factor=1.7), dict(scale_factor=(0.5, 3)),
          dict(size=(3, 4)), dict(scale_factor=1.5, recompute_scale_factor=True), dict(size=7)]


@pytest.mark.parametrize("kw", INTERP)
def test_interpolate_matches_torch(kw: dict) -> None:
    x = _rand((2, 3, 7, 8), 0)
    for mode in ("nearest", "nearest-exact"):
        _against_torch(lambda a, m=mode: F.interpolate(a, mode=m, **kw),
                       lambda a, m=mode: TF.interpolate(a, mode=m, **kw), x)
    for corners in (False, True):
        for dtype in (np.float64, np.float32):
            _against_torch(lambda a, c=corners: F.interpolate(a, mode="bilinear", align_corners=c, **kw),
                           lambda a, c=corners: TF.interpolate(a, mode="bilinear", align_corners=c, **kw),
                           x.astype(dtype))


def test_interpolate_1d_and_upsample() -> None:
    x = _rand((2, 3, 7), 0)
    for corners in (False, True):
        _against_torch(lambda a, c=corners: F.interpolate(a, scale_factor=2.5, mode="linear", align_corners=c),
                       lambda a, c=corners: TF.interpolate(a, scale_factor=2.5, mode="linear", align_corners=c), x)
    _against_torch(lambda a: F.interpolate(a, size=4), lambda a: TF.interpolate(a, size=4), x)
    img = _rand((1, 2, 4, 5), 1)
    _against_torch(nn.Upsample(scale_factor=2, mode="bilinear"), torch.nn.Upsample(scale_factor=2, mode="bilinear"),
                   img)


def test_non_contiguous_inputs() -> None:
    x = _rand((2, 8, 7, 3), 0).transpose(0, 3, 2, 1)  # (2, 3, 7, 8)
    assert not x.flags.c_contiguous
    _against_torch(lambda a: F.max_pool2d(a, 3, 2, 1, return_indices=True),
                   lambda a: TF.max_pool2d(a, 3, 2, 1, return_indices=True), x)
    _against_torch(lambda a: F.avg_pool2d(a, 3, 2, 1), lambda a: TF.avg_pool2d(a, 3, 2, 1), x)
    _against_torch(lambda a: F.adaptive_avg_pool2d(a, 3), lambda a: TF.adaptive_avg_pool2d(a, 3), x)
    _against_torch(lambda a: F.interpolate(a, scale_factor=2, mode="bilinear"),
                   lambda a: TF.interpolate(a, scale_factor=2, mode="bilinear"), x[:, :, ::2])


# ------------------------------------------------------------------ gradcheck, double backward


def test_pools_gradcheck() -> None:
    rt = lambda a: Tensor(a, requires_grad=True)  # noqa: E731
    x = _distinct((2, 2, 5, 6), 0)
    for fn in (lambda a: F.max_pool2d(a, 3, 2, 1, ceil_mode=True),
               lambda a: F.max_pool2d(a, 2, 1, dilation=2),
               lambda a: F.avg_pool2d(a, 3, 2, 1, ceil_mode=True, count_include_pad=False),
               lambda a: F.avg_pool2d(a, (2, 3), 1, (1, 1)),
               lambda a: F.adaptive_avg_pool2d(a, (3, 4)),
               lambda a: F.adaptive_max_pool2d(a, (2, 4)),
               lambda a: F.interpolate(a, scale_factor=1.5, mode="bilinear"),
               lambda a: F.interpolate(a, size=(7, 3), mode="bilinear", align_corners=True),
               lambda a: F.interpolate(a, scale_factor=2)):
        assert autograd.gradcheck(fn, [rt(x)], **GRAD_TOL)
    assert autograd.gradcheck(lambda a: F.max_pool1d(a, 3, 2, 1), [rt(_distinct((2, 2, 7), 1))], **GRAD_TOL)
    assert autograd.gradcheck(lambda a: F.avg_pool1d(a, 3, 2, 1), [rt(_rand((2, 2, 7), 1))], **GRAD_TOL)


@pytest.mark.parametrize("name", ["max", "avg", "adaptive_avg", "adaptive_max", "bilinear"])
def test_double_backward_matches_torch(name: str) -> None:
    ours = {"max": lambda a: F.max_pool2d(a, 3, 2, 1), "avg": lambda a: F.avg_pool2d(a, 3, 2, 1),
            "adaptive_avg": lambda a: F.adaptive_avg_pool2d(a, 3),
            "adaptive_max": lambda a: F.adaptive_max_pool2d(a, 3),
            "bilinear": lambda a: F.interpolate(a, scale_factor=1.5, mode="bilinear")}[name]
    theirs = {"max": lambda a: TF.max_pool2d(a, 3, 2, 1), "avg": lambda a: TF.avg_pool2d(a, 3, 2, 1),
              "adaptive_avg": lambda a: TF.adaptive_avg_pool2d(a, 3),
              "adaptive_max": lambda a: TF.adaptive_max_pool2d(a, 3),
              "bilinear": lambda a: TF.interpolate(a, scale_factor=1.5, mode="bilinear")}[name]
    x = _distinct((2, 2, 5, 6), 3)
    xt, xq = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (gx,) = autograd.gradients((ours(xt) ** 3).sum(), [xt], create_graph=True)
    (gq,) = torch.autograd.grad((theirs(xq) ** 3).sum(), [xq], create_graph=True)
    np.testing.assert_allclose(gx.data, gq.detach().numpy(), atol=1e-10)
    (gx * gx).sum().backward()
    (gq * gq).sum().backward()
    np.testing.assert_allclose(xt.grad, xq.grad.numpy(), rtol=1e-10, atol=1e-10)


# ------------------------------------------------------------------ scalar mode, drawing


def test_scalar_pools_match_tensor_mode() -> None:
    x = _distinct((1, 2, 5, 5), 4)
    for name, kw in [("max_pool2d", dict(kernel_size=3, stride=2, padding=1)), ("max_pool2d", dict(kernel_size=2)),
                     ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1)),
                     ("avg_pool2d", dict(kernel_size=2, ceil_mode=True, count_include_pad=False))]:
        fn = getattr(F, name)
        xt = Tensor(x, requires_grad=True)
        out_t = fn(xt, **kw)
        out_s = fn(x.astype(object), **kw)
        assert out_s.shape == out_t.shape
        np.testing.assert_allclose([v.data for v in out_s.flat], out_t.data.ravel(), rtol=1e-12)
        xs = np.array([Value(float(v)) for v in x.flat], dtype=object).reshape(x.shape)
        g = _rand(out_t.shape, 5)
        out_t.backward(g)
        Value.sum([v * float(c) for v, c in zip(fn(xs, **kw).flat, g.flat)]).backward()
        np.testing.assert_allclose([v.grad for v in xs.flat], xt.grad.data.ravel(), rtol=1e-12, atol=1e-12)
    pooled = nn.MaxPool2d(2)(nn.Conv2d(1, 1, 3, padding=1, mode="scalar", seed=0)(np.ones((1, 1, 4, 4))))
    assert pooled.shape == (1, 1, 2, 2) and pooled[0, 0, 0, 0].op == "max"


def test_draw_graph_labels_pools() -> None:
    x = Tensor(_rand((2, 3, 8, 8), 0), requires_grad=True)
    out = F.interpolate(F.avg_pool2d(F.max_pool2d(x, 2), 3, 1, 1), scale_factor=2, mode="bilinear").sum()
    text = autograd.draw_text(out)
    assert "MaxPool2d 2x2: (2, 3, 8, 8) -> (2, 3, 4, 4)" in text
    assert "AvgPool2d 3x3 stride 1 pad 1: (2, 3, 4, 4) -> (2, 3, 4, 4)" in text
    assert "Interpolate bilinear: (2, 3, 4, 4) -> (2, 3, 8, 8)" in text


# ------------------------------------------------------------------ kernels (both backends give the same numbers)


def test_pool_kernels_match_reference(backend: str) -> None:
    ops = autograd.backend.ops
    x = _rand((2, 3, 9, 8), 0)
    x[0, 0, 1, 1] = np.nan
    for args in [(3, 3, 2, 2, 1, 1, 1, 1, 5, 4), (2, 3, 1, 2, 1, 1, 2, 1, 9, 5)]:
        out, idx = ops.max_pool2d(x, *args)
        rout, ridx = conv_reference.max_pool2d(x, *args)
        np.testing.assert_array_equal(out, rout)
        np.testing.assert_array_equal(idx, ridx)
        g = _rand(out.shape, 1)
        np.testing.assert_allclose(ops.max_pool2d_backward(g, idx, x.shape),
                                   conv_reference.max_pool2d_backward(g, idx, x.shape), atol=1e-14)
    div = conv_reference.avg_pool_divisor(9, 8, 3, 2, 2, 2, 1, 1, 5, 5, False, None)
    out = ops.avg_pool2d(x, 3, 2, 2, 2, 1, 1, 5, 5, div)
    np.testing.assert_array_equal(out, conv_reference.avg_pool2d(x, 3, 2, 2, 2, 1, 1, 5, 5, div))
    g = _rand(out.shape, 2)
    np.testing.assert_allclose(ops.avg_pool2d_backward(g, x.shape, 3, 2, 2, 2, 1, 1, div),
                               conv_reference.avg_pool2d_backward(g, x.shape, 3, 2, 2, 2, 1, 1, div), atol=1e-14)


# ------------------------------------------------------------------ bad input


def test_bad_input_raises_clear_errors() -> None:
    with pytest.raises(ValueError, match=r"MaxPool2d: stride must be a positive int"):
        nn.MaxPool2d(2, stride=0)
    with pytest.raises(ValueError, match=r"AvgPool2d: kernel_size must be a positive int"):
        nn.AvgPool2d(-1)
    with pytest.raises(ValueError, match=r"padding \(2, 2\) must be at most half the kernel size \(2, 2\)"):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=5\): kernel \(5, 5\).*larger.*\(1, 1, 3, 3\)"):
        nn.MaxPool2d(5)(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=2\): expected a 4-D input .*got shape \(3, 3\)"):
        nn.MaxPool2d(2)(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"AvgPool1d\(kernel_size=2\): expected a 3-D input"):
        nn.AvgPool1d(2)(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="output_size must be a positive int"):
        F.adaptive_avg_pool2d(np.zeros((1, 1, 4, 4)), 0)
    with pytest.raises(ValueError, match="divisor_override must be a positive int"):
        F.avg_pool2d(np.zeros((1, 1, 4, 4)), 2, divisor_override=0)
    with pytest.raises(ValueError, match="pass exactly one of size and scale_factor"):
        F.interpolate(np.zeros((1, 1, 4, 4)), size=2, scale_factor=2)
    with pytest.raises(ValueError, match="mode 'bilinear' needs a 4-D"):
        F.interpolate(np.zeros((1, 1, 4)), size=2, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners can only be set"):
        F.interpolate(np.zeros((1, 1, 4, 4)), size=2, align_corners=True)
    with pytest.raises(ValueError, match="mode must be one of"):
        F.interpolate(np.zeros((1, 1, 4, 4)), size=2, mode="cubic")


@pytest.mark.numpy_only
def test_parallel_twins_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("numba")
    from autograd.kernels import numba_backend as NB
    from autograd.kernels import numba_conv

    x = _rand((3, 4, 9, 8), 0)
    cols = _rand((4, 3, 3, 3, 7, 6), 1)
    div = conv_reference.avg_pool_divisor(9, 8, 3, 3, 2, 2, 1, 1, 5, 4, True, None)
    div2 = conv_reference.avg_pool_divisor(9, 8, 2, 2, 2, 2, 0, 0, 4, 4, True, None)
    calls = [
        ("col2im", (cols, (3, 4, 9, 8), 1, 1, 1, 1)),
        ("max_pool2d", (x, 3, 3, 2, 2, 1, 1, 1, 1, 5, 4)),
        ("max_pool2d", (x, 2, 2, 2, 2, 0, 0, 1, 1, 4, 4)),
        ("avg_pool2d", (x, 3, 3, 2, 2, 1, 1, 5, 4, div)),
        ("avg_pool2d", (x, 2, 2, 2, 2, 0, 0, 4, 4, div2)),
        ("avg_pool2d_backward", (_rand((3, 4, 5, 4), 2), x.shape, 3, 3, 2, 2, 1, 1, div)),
        ("avg_pool2d_backward", (_rand((3, 4, 4, 4), 3), x.shape, 2, 2, 2, 2, 0, 0, div2)),
    ]
    expect = [getattr(conv_reference, name)(*args) for name, args in calls]
    monkeypatch.setattr(NB, "parallel_allowed", lambda: True)
    monkeypatch.setattr(NB, "THRESHOLDS", {**NB.THRESHOLDS, **{k: (0, 0) for k in numba_conv.KERNELS}})
    for (name, args), want in zip(calls, expect):
        got = getattr(numba_conv, name)(*args)
        for a, b in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)
