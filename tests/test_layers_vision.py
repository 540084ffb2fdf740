"""Vision functions and layers (nn/functional_vision.py, nn/layers_vision.py) against torch: forward, every
gradient, float64 and float32, gradcheck, bad input, and torch state_dicts loading."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from torch_check import against_torch as _against_torch  # noqa: E402  (tests/torch_check.py)

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _rand(shape: tuple, seed: int, dtype: type = np.float64, low: float | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, 2.0, shape) if low is not None else rng.standard_normal(shape)
    return a.astype(dtype)


def _tol(dtype: type) -> float:
    return 1e-10 if dtype == np.float64 else 1e-5


def _module_against_torch(ours, theirs, x: np.ndarray, dtype: type = np.float64, seed: int = 0,
                          call=None) -> None:
    """A layer with torch's weights copied in: forward, the input gradient and every parameter's gradient."""
    tol = _tol(dtype)
    theirs = theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    ours.to(dtype)
    xt = Tensor(x.astype(dtype), requires_grad=True)
    xq = torch.tensor(x.astype(dtype), requires_grad=True)
    out = ours(xt) if call is None else call(ours, xt)
    ref = theirs(xq) if call is None else call(theirs, xq)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=tol, atol=tol)
    g = _rand(out.shape, seed + 7, dtype)
    out.backward(g)
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad, xq.grad.numpy(), rtol=tol, atol=tol)
    params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(params[name].grad, p.grad.numpy(), rtol=tol, atol=tol, err_msg=name)
    for name, b in theirs.named_buffers():
        np.testing.assert_allclose(np.asarray(ours.state_dict()[name]), b.numpy(), rtol=tol, atol=tol,
                                   err_msg=name)


DTYPES = [np.float64, np.float32]

# ------------------------------------------------------------------ pixel and channel shuffles


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, r", [((2, 8, 3, 4), 2), ((18, 2, 3), 3), ((2, 3, 4, 2, 2), 2)])
def test_pixel_shuffle_and_unshuffle_match_torch(shape: tuple, r: int, dtype: type) -> None:
    x = _rand(shape, 0)
    _against_torch(lambda t: F.pixel_shuffle(t, r), lambda t: TF.pixel_shuffle(t, r), [x], dtype)
    y = _rand(shape[:-3] + (shape[-3] // (r * r), shape[-2] * r, shape[-1] * r), 1)
    _against_torch(lambda t: F.pixel_unshuffle(t, r), lambda t: TF.pixel_unshuffle(t, r), [y], dtype)
    _against_torch(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), [x], dtype)
    _against_torch(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), [y], dtype)
    back = F.pixel_unshuffle(F.pixel_shuffle(Tensor(x), r), r)
    np.testing.assert_array_equal(back.data, x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, g", [((2, 6, 3), 3), ((2, 8, 2, 3), 2), ((1, 4, 2, 1, 2), 4)])
def test_channel_shuffle_matches_torch(shape: tuple, g: int, dtype: type) -> None:
    x = _rand(shape, 2)
    _against_torch(lambda t: F.channel_shuffle(t, g), lambda t: TF.channel_shuffle(t, g), [x], dtype)
    _against_torch(nn.ChannelShuffle(g), torch.nn.ChannelShuffle(g), [x], dtype)


def test_shuffle_reprs_and_gradcheck() -> None:
    assert repr(nn.PixelShuffle(2)) == repr(torch.nn.PixelShuffle(2))
    assert repr(nn.PixelUnshuffle(3)) == repr(torch.nn.PixelUnshuffle(3))
    assert repr(nn.ChannelShuffle(2)) == repr(torch.nn.ChannelShuffle(2))
    x = Tensor(_rand((1, 8, 2, 2), 3), requires_grad=True)
    assert autograd.gradcheck(lambda t: F.pixel_shuffle(t, 2) ** 2, [x])


def test_shuffle_bad_input() -> None:
    with pytest.raises(ValueError, match=r"pixel_shuffle: the channel axis .* divisible by upscale_factor\*\*2 = 4"):
        F.pixel_shuffle(Tensor(np.ones((1, 6, 2, 2))), 2)
    with pytest.raises(ValueError, match=r"pixel_shuffle: expected an input of shape \(\*, C, H, W\)"):
        F.pixel_shuffle(Tensor(np.ones((4, 2))), 2)
    with pytest.raises(ValueError, match=r"pixel_unshuffle: the height 3 and width 4 .* downscale_factor=2"):
        F.pixel_unshuffle(Tensor(np.ones((1, 1, 3, 4))), 2)
    with pytest.raises(ValueError, match=r"channel_shuffle: the channel axis .* 3 entries, .* groups=2"):
        F.channel_shuffle(Tensor(np.ones((4, 3, 3))), 2)
    with pytest.raises(ValueError, match=r"channel_shuffle: expected an input of shape \(N, C, \*\)"):
        F.channel_shuffle(Tensor(np.ones((2, 4))), 2)
    with pytest.raises(ValueError, match="PixelShuffle: upscale_factor must be a positive int, got 0"):
        nn.PixelShuffle(0)
    with pytest.raises(ValueError, match="ChannelShuffle: groups must be a positive int"):
        nn.ChannelShuffle(-1)


# ------------------------------------------------------------------ padding layers

PADS = [
    ("ZeroPad1d", (2, 1), 1), ("ZeroPad2d", (1, 0, 2, 1), 2), ("ZeroPad2d", 1, 2),
    ("ConstantPad1d", 2, 1), ("ConstantPad2d", (0, 1, 1, 2), 2),
    ("ReflectionPad1d", (2, 1), 1), ("ReflectionPad2d", (1, 2, 2, 0), 2), ("ReflectionPad2d", 1, 2),
    ("ReplicationPad1d", (3, 1), 1), ("ReplicationPad2d", (1, 2, 0, 3), 2),
    ("CircularPad1d", (2, 3), 1), ("CircularPad2d", (1, 2, 2, 1), 2),
    ("ZeroPad3d", (1, 0, 2, 1, 0, 1), 3), ("ConstantPad3d", 1, 3), ("ReflectionPad3d", (1, 2, 2, 0, 1, 1), 3),
    ("ReplicationPad3d", 2, 3), ("CircularPad3d", (1, 2, 0, 1, 1, 2), 3),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, padding, nd", PADS)
@pytest.mark.parametrize("batched", [True, False])
def test_padding_layers_match_torch(name: str, padding, nd: int, batched: bool, dtype: type) -> None:
    extra = (2.5,) if name.startswith("Constant") else ()
    ours, theirs = getattr(nn, name)(padding, *extra), getattr(torch.nn, name)(padding, *extra)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    shape = ((2,) if batched else ()) + (3,) + (3, 4, 5)[3 - nd:]
    _against_torch(ours, theirs, [_rand(shape, 4)], dtype)


def test_padding_bad_input() -> None:
    with pytest.raises(ValueError, match=r"ReflectionPad2d: padding must be an int or a tuple of 4 ints"):
        nn.ReflectionPad2d((1, 2))
    with pytest.raises(ValueError, match=r"ReflectionPad1d\(\(4, 4\)\): pad: mode 'reflect' needs each pad smaller"):
        nn.ReflectionPad1d(4)(Tensor(np.ones((1, 2, 3))))
    with pytest.raises(ValueError, match=r"ReplicationPad2d\(\(1, 1, 1, 1\)\): expected a 4-D input \(N, C, H, W\) "
                                         r"or an unbatched 3-D one"):
        nn.ReplicationPad2d(1)(Tensor(np.ones((2, 3))))
    with pytest.raises(ValueError, match=r"ReflectionPad3d\(\(1, 1, 1, 1, 1, 1\)\): expected a 5-D input "
                                         r"\(N, C, D, H, W\) or an unbatched 4-D one"):
        nn.ReflectionPad3d(1)(Tensor(np.ones((2, 3, 3))))
    with pytest.raises(ValueError, match=r"ZeroPad3d: padding must be an int or a tuple of 6 ints \(left, right, "
                                         r"top, bottom, front, back\)"):
        nn.ZeroPad3d((1, 2, 3, 4))
    with pytest.raises(TypeError, match="ConstantPad1d: value must be a number"):
        nn.ConstantPad1d(1, "a")


# ------------------------------------------------------------------ instance norm, local response norm


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 3)])
def test_instance_norm_function_matches_torch(shape: tuple, dtype: type) -> None:
    x, w, b = _rand(shape, 5), _rand((3,), 6), _rand((3,), 7)
    _against_torch(lambda *a: F.instance_norm(a[0], weight=a[1], bias=a[2], eps=1e-3),
                   lambda *a: TF.instance_norm(a[0], weight=a[1], bias=a[2], eps=1e-3), [x, w, b], dtype)
    _against_torch(F.instance_norm, TF.instance_norm, [x], dtype)
    # running statistics: updated with input statistics, used with use_input_stats=False
    rm, rv = _rand((3,), 8), _rand((3,), 9, low=0.5)
    ours_m, ours_v = rm.astype(dtype), rv.astype(dtype)
    theirs_m, theirs_v = torch.tensor(ours_m.copy()), torch.tensor(ours_v.copy())
    F.instance_norm(Tensor(x.astype(dtype)), ours_m, ours_v, momentum=0.3)
    TF.instance_norm(torch.tensor(x.astype(dtype)), theirs_m, theirs_v, momentum=0.3)
    np.testing.assert_allclose(ours_m, theirs_m.numpy(), rtol=_tol(dtype), atol=_tol(dtype))
    np.testing.assert_allclose(ours_v, theirs_v.numpy(), rtol=_tol(dtype), atol=_tol(dtype))
    _against_torch(lambda *a: F.instance_norm(a[0], ours_m, ours_v, a[1], a[2], use_input_stats=False),
                   lambda *a: TF.instance_norm(a[0], theirs_m, theirs_v, a[1], a[2], use_input_stats=False),
                   [x, w, b], dtype)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("affine, track", [(False, False), (True, False), (True, True), (False, True)])
def test_instance_norm_layers_match_torch(nd: int, affine: bool, track: bool) -> None:
    name = f"InstanceNorm{nd}d"
    kw = dict(affine=affine, track_running_stats=track, momentum=0.2)
    ours, theirs = getattr(nn, name)(3, **kw), getattr(torch.nn, name)(3, **kw).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if affine:
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(_rand((3,), 10)))
            theirs.bias.copy_(torch.tensor(_rand((3,), 11)))
    shape = (2, 3) + (5, 4, 3)[:nd]
    for step in range(2):  # training twice: the running statistics move, then eval uses them
        _module_against_torch(ours, theirs, _rand(shape, 12 + step))
        theirs.zero_grad()
        ours.zero_grad()
    ours.eval()
    theirs.eval()
    _module_against_torch(ours, theirs, _rand(shape, 14))
    _module_against_torch(ours, theirs, _rand(shape[1:], 15))  # unbatched


def test_instance_norm_float32_and_gradcheck() -> None:
    ours, theirs = nn.InstanceNorm2d(2, affine=True), torch.nn.InstanceNorm2d(2, affine=True)
    _module_against_torch(ours, theirs, _rand((2, 2, 3, 3), 16), np.float32)
    x, w, b = (Tensor(_rand(s, 17 + i), requires_grad=True) for i, s in enumerate([(2, 2, 4), (2,), (2,)]))
    assert autograd.gradcheck(lambda *a: F.instance_norm(a[0], weight=a[1], bias=a[2]) ** 2, [x, w, b])


def test_instance_norm_weight_only() -> None:
    """bias=False (keyword-only, torch 2.13): a weight and no bias."""
    ours = nn.InstanceNorm2d(2, affine=True, bias=False)
    theirs = torch.nn.InstanceNorm2d(2, affine=True, bias=False).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == ["weight"]
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(_rand((2,), 19)))
    _module_against_torch(ours, theirs, _rand((2, 2, 3, 3), 20))
    back = nn.from_torch(nn.to_torch(ours))
    assert repr(back) == repr(ours)
    np.testing.assert_array_equal(back.weight.data, ours.weight.data)


def test_instance_norm_loads_torch_state_dict() -> None:
    theirs = torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True).double()
    theirs(torch.randn(4, 3, 5, 5, dtype=torch.float64))
    ours = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(np.asarray(ours.state_dict()[k]), v.numpy())


def test_instance_norm_bad_input() -> None:
    with pytest.raises(ValueError, match=r"InstanceNorm2d\(3\): expected a 4-D input \(N, C, H, W\) or an unbatched"):
        nn.InstanceNorm2d(3)(Tensor(np.ones((2, 3))))
    with pytest.raises(ValueError, match=r"InstanceNorm1d\(3\): expected input with 3 channels"):
        nn.InstanceNorm1d(3, affine=True)(Tensor(np.ones((2, 4, 5))))
    with pytest.warns(UserWarning, match="has 4 channels, not num_features=3"):
        nn.InstanceNorm1d(3)(Tensor(np.random.rand(2, 4, 5)))
    with pytest.raises(ValueError, match="instance_norm: expected more than 1 spatial element"):
        F.instance_norm(Tensor(np.ones((2, 3, 1))))
    with pytest.raises(ValueError, match=r"instance_norm: weight has shape \(2,\), expected \(3,\)"):
        F.instance_norm(Tensor(np.ones((2, 3, 4))), weight=np.ones(2))
    with pytest.raises(TypeError, match="instance_norm: running_mean must be a floating Tensor or array"):
        F.instance_norm(Tensor(np.ones((2, 3, 4))), [0.0, 0.0, 0.0], np.ones(3))
    with pytest.raises(ValueError, match="use_input_stats=False needs running_mean and running_var"):
        F.instance_norm(Tensor(np.ones((2, 3, 4))), use_input_stats=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, size", [((2, 5, 4), 3), ((2, 6, 3, 2), 2), ((1, 4, 2, 2, 2), 5), ((2, 3, 4), 1)])
def test_local_response_norm_matches_torch(shape: tuple, size: int, dtype: type) -> None:
    x = _rand(shape, 18)
    kw = dict(alpha=0.3, beta=0.6, k=1.5)
    _against_torch(lambda t: F.local_response_norm(t, size, **kw), lambda t: TF.local_response_norm(t, size, **kw),
                   [x], dtype)
    _against_torch(nn.LocalResponseNorm(size), torch.nn.LocalResponseNorm(size), [x], dtype)
    assert repr(nn.LocalResponseNorm(size, **kw)) == repr(torch.nn.LocalResponseNorm(size, **kw))


def test_local_response_norm_gradcheck_and_bad_input() -> None:
    x = Tensor(_rand((1, 4, 3), 19), requires_grad=True)
    assert autograd.gradcheck(lambda t: F.local_response_norm(t, 3, alpha=0.5), [x])
    with pytest.raises(ValueError, match=r"local_response_norm: expected an input of shape \(N, C, \*\)"):
        F.local_response_norm(Tensor(np.ones((2, 3))), 2)
    with pytest.raises(ValueError, match="LocalResponseNorm: size must be a positive int, got 0"):
        nn.LocalResponseNorm(0)


# ------------------------------------------------------------------ ConvTranspose1d

CONVT1D = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=3, padding=2, output_padding=1),
    dict(stride=2, dilation=2, output_padding=1),
    dict(groups=2, stride=2),
]


@pytest.mark.parametrize("kw", CONVT1D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose1d_matches_torch(kw: dict, bias: bool) -> None:
    g = kw.get("groups", 1)
    x, w, b = _rand((2, 4, 5), 20), _rand((4, 6 // g, 3), 21), _rand((6,), 22)
    args = [x, w, b] if bias else [x, w]
    _against_torch(lambda *a: F.conv_transpose1d(*a, **kw), lambda *a: TF.conv_transpose1d(*a, **kw), args)
    _against_torch(lambda *a: F.conv_transpose1d(a[0][0], *a[1:], **kw),  # unbatched
                   lambda *a: TF.conv_transpose1d(a[0][0], *a[1:], **kw), args, np.float32)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw, size", [(dict(), 7),
                                      (dict(stride=2, padding=1, output_padding=1, groups=2, bias=False), 9)])
def test_conv_transpose1d_layer_matches_torch(kw: dict, size: int, dtype: type) -> None:
    ours, theirs = nn.ConvTranspose1d(4, 6, 3, **kw), torch.nn.ConvTranspose1d(4, 6, 3, **kw)
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    bound = 1 / np.sqrt(theirs.weight.shape[1] * 3)
    assert np.abs(ours.weight.data).max() <= bound
    _module_against_torch(ours, theirs, _rand((2, 4, 5), 23), dtype)
    _module_against_torch(ours, theirs, _rand((2, 4, 5), 24), dtype, call=lambda m, t: m(t, output_size=[size]))


def test_conv_transpose1d_gradcheck_and_bad_input() -> None:
    x, w, b = (Tensor(_rand(s, 25 + i), requires_grad=True) for i, s in enumerate([(1, 2, 4), (2, 3, 2), (3,)]))
    assert autograd.gradcheck(lambda *a: F.conv_transpose1d(*a, stride=2, padding=1), [x, w, b])
    with pytest.raises(ValueError, match=r"conv_transpose1d: expected a 3-D input \(N, C, L\)"):
        F.conv_transpose1d(Tensor(np.ones((1, 2, 3, 4))), Tensor(np.ones((2, 3, 2))))
    with pytest.raises(ValueError, match=r"conv_transpose1d: weight must be 3-D"):
        F.conv_transpose1d(Tensor(np.ones((1, 2, 3))), Tensor(np.ones((2, 3, 2, 2))))
    with pytest.raises(ValueError, match=r"conv_transpose1d: expected an input with 2 channels"):
        F.conv_transpose1d(Tensor(np.ones((1, 3, 3))), Tensor(np.ones((2, 3, 2))))
    with pytest.raises(ValueError, match="ConvTranspose1d: groups=2 must divide in_channels=3"):
        nn.ConvTranspose1d(3, 4, 2, groups=2)
    with pytest.raises(ValueError, match=r"ConvTranspose1d: output_padding \(2,\) must be smaller"):
        nn.ConvTranspose1d(2, 4, 2, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"output_size \[20\] is not reachable .* in \[9, 10\]"):
        nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1)(Tensor(np.ones((2, 4, 5))), output_size=[20])


def test_conv_transpose1d_loads_torch_state_dict() -> None:
    theirs = torch.nn.ConvTranspose1d(2, 4, 3, groups=2)
    ours = nn.ConvTranspose1d(2, 4, 3, groups=2)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(np.asarray(ours.state_dict()[k]), v.numpy())


# ------------------------------------------------------------------ LPPool


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p, nd, kw", [(2, 1, dict(kernel_size=3)), (1.5, 1, dict(kernel_size=2, stride=1)),
                                       (2, 2, dict(kernel_size=2)), (3.0, 2, dict(kernel_size=(2, 3), stride=(1, 2))),
                                       (2, 2, dict(kernel_size=2, ceil_mode=True))])
def test_lp_pool_matches_torch(p: float, nd: int, kw: dict, dtype: type) -> None:
    x = _rand((2, 3) + (7, 6)[:nd], 30, low=0.3)
    _against_torch(lambda t: getattr(F, f"lp_pool{nd}d")(t, p, **kw),
                   lambda t: getattr(TF, f"lp_pool{nd}d")(t, p, **kw), [x], dtype)
    ours, theirs = getattr(nn, f"LPPool{nd}d")(p, **kw), getattr(torch.nn, f"LPPool{nd}d")(p, **kw)
    assert repr(ours) == repr(theirs)
    _against_torch(ours, theirs, [x], dtype)


def test_lp_pool_gradcheck_and_bad_input() -> None:
    x = Tensor(_rand((1, 2, 4, 4), 31, low=0.3), requires_grad=True)
    assert autograd.gradcheck(lambda t: F.lp_pool2d(t, 2, 2), [x])
    with pytest.raises(ValueError, match="lp_pool2d: norm_type must be a finite number > 0"):
        F.lp_pool2d(x, 0, 2)
    with pytest.raises(ValueError, match="LPPool1d: kernel_size must be a positive int"):
        nn.LPPool1d(2, 0)


# ------------------------------------------------------------------ upsampling


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(5, 7)), dict(size=4), dict(scale_factor=(2, 1.5))])
def test_upsampling_layers_match_torch(kw: dict, dtype: type) -> None:
    x = _rand((2, 3, 3, 4), 40)
    for name in ("UpsamplingNearest2d", "UpsamplingBilinear2d"):
        ours, theirs = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
        assert repr(ours) == repr(theirs)
        _against_torch(ours, theirs, [x], dtype)


def test_upsample_alias_warns_like_torch() -> None:
    x = _rand((1, 2, 3, 3), 41)
    with pytest.warns(UserWarning, match="upsample is deprecated"):
        _against_torch(lambda t: F.upsample(t, scale_factor=2, mode="bilinear", align_corners=False),
                       lambda t: TF.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False), [x])


@pytest.mark.parametrize("name", ["upsample_nearest", "upsample_bilinear"])
@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(4, 5))])
def test_upsample_nearest_and_bilinear_aliases(name: str, kw: dict) -> None:
    x = _rand((1, 2, 3, 3), 44)
    with pytest.warns(UserWarning, match=f"{name} is deprecated"):
        _against_torch(lambda t: getattr(F, name)(t, **kw), lambda t: getattr(TF, name)(t, **kw), [x])


def test_public_names() -> None:
    for name in ("pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "instance_norm", "local_response_norm",
                 "conv_transpose1d", "lp_pool1d", "lp_pool2d", "upsample",
                 "affine_grid", "grid_sample", "upsample_nearest", "upsample_bilinear"):
        assert getattr(F, name).__module__ == "nn.functional"
        assert hasattr(TF, name)
    for name in ("PixelShuffle", "ZeroPad2d", "CircularPad1d", "InstanceNorm1d", "LocalResponseNorm", "ZeroPad3d",
                 "InstanceNorm3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d", "ConstantPad3d",
                 "ConvTranspose1d", "LPPool2d", "MaxUnpool1d", "UpsamplingBilinear2d"):
        assert name in nn.__all__ and hasattr(torch.nn, name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("kw", [dict(size=(7, 9)), dict(size=(3, 2)), dict(scale_factor=2.5),
                                dict(scale_factor=(0.6, 1.7)), dict(size=1)])
def test_bicubic_interpolate_matches_torch(kw: dict, align_corners: bool, dtype: type) -> None:
    x = _rand((2, 3, 5, 4), 42)
    _against_torch(lambda t: F.interpolate(t, mode="bicubic", align_corners=align_corners, **kw),
                   lambda t: TF.interpolate(t, mode="bicubic", align_corners=align_corners, **kw), [x], dtype)
    ours = nn.Upsample(mode="bicubic", align_corners=align_corners, **kw)
    _against_torch(ours, torch.nn.Upsample(mode="bicubic", align_corners=align_corners, **kw), [x], dtype)


def test_bicubic_gradcheck_and_bad_input() -> None:
    x = Tensor(_rand((1, 2, 3, 4), 43), requires_grad=True)
    assert autograd.gradcheck(lambda t: F.interpolate(t, size=(5, 3), mode="bicubic") ** 2, [x])
    with pytest.raises(ValueError, match=r"interpolate: mode 'bicubic' needs a 4-D \(N, C, H, W\) input"):
        F.interpolate(Tensor(np.ones((1, 2, 3))), scale_factor=2, mode="bicubic")


# ------------------------------------------------------------------ affine_grid, grid_sample


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3)])
def test_affine_grid_matches_torch(size: tuple, align_corners: bool, dtype: type) -> None:
    theta = _rand((2, 2, 3), 50)
    _against_torch(lambda t: F.affine_grid(t, size, align_corners=align_corners),
                   lambda t: TF.affine_grid(t, size, align_corners=align_corners), [theta], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_matches_torch(mode: str, padding_mode: str, align_corners: bool, dtype: type) -> None:
    x = _rand((2, 3, 5, 4), 51)
    grid = np.random.default_rng(52).uniform(-1.4, 1.4, (2, 3, 6, 2))  # reads inside and outside the image
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    _against_torch(lambda a, b: F.grid_sample(a, b, **kw), lambda a, b: TF.grid_sample(a, b, **kw), [x, grid],
                   dtype)


def test_grid_sample_reflection_far_outside_and_size_one() -> None:
    x = _rand((1, 2, 1, 3), 53)
    grid = np.random.default_rng(54).uniform(-5, 5, (1, 4, 4, 2))  # several reflections
    for ac, mode in ((False, "bilinear"), (True, "bilinear"), (False, "bicubic"), (True, "bicubic")):
        kw = dict(padding_mode="reflection", align_corners=ac, mode=mode)
        _against_torch(lambda a, b, kw=kw: F.grid_sample(a, b, **kw),
                       lambda a, b, kw=kw: TF.grid_sample(a, b, **kw), [x, grid])


def test_spatial_transformer_end_to_end_and_gradcheck() -> None:
    theta, x = _rand((1, 2, 3), 55) * 0.5, _rand((1, 2, 4, 4), 56)
    _against_torch(lambda t, a: F.grid_sample(a, F.affine_grid(t, (1, 2, 3, 3), align_corners=False),
                                              align_corners=False),
                   lambda t, a: TF.grid_sample(a, TF.affine_grid(t, (1, 2, 3, 3), align_corners=False),
                                               align_corners=False), [theta, x])
    grid = Tensor(np.random.default_rng(57).uniform(-0.9, 0.9, (1, 2, 3, 2)), requires_grad=True)
    xt = Tensor(x, requires_grad=True)
    assert autograd.gradcheck(lambda a, b: F.grid_sample(a, b, padding_mode="reflection", align_corners=True),
                              [xt, grid])
    assert autograd.gradcheck(lambda a, b: F.grid_sample(a, b, mode="bicubic", align_corners=False), [xt, grid])


def test_grid_sample_and_affine_grid_bad_input() -> None:
    x, grid = Tensor(np.ones((1, 2, 3, 3))), Tensor(np.zeros((1, 2, 2, 2)))
    with pytest.warns(UserWarning, match="align_corners=False"):
        F.grid_sample(x, grid)
    with pytest.raises(ValueError, match="grid_sample: mode must be 'bilinear', 'nearest' or 'bicubic', got 'cubic'"):
        F.grid_sample(x, grid, mode="cubic", align_corners=False)
    with pytest.raises(ValueError, match="grid_sample: padding_mode must be 'zeros', 'border' or 'reflection'"):
        F.grid_sample(x, grid, padding_mode="wrap", align_corners=False)
    with pytest.raises(ValueError, match=r"grid_sample: grid must have shape \(N, H_out, W_out, 2\) with N = 1"):
        F.grid_sample(x, Tensor(np.zeros((2, 2, 2, 2))), align_corners=False)
    with pytest.raises(ValueError, match=r"grid_sample: expected a 4-D input \(N, C, H, W\)"):
        F.grid_sample(Tensor(np.ones((2, 3, 3))), grid, align_corners=False)
    with pytest.raises(TypeError, match="grid_sample: input .float32. and grid .float64. must have the same dtype"):
        F.grid_sample(Tensor(np.ones((1, 2, 3, 3), dtype=np.float32)), grid, align_corners=False)
    with pytest.raises(ValueError, match=r"affine_grid: theta must have shape \(N, 2, 3\) = \(2, 2, 3\)"):
        F.affine_grid(Tensor(np.zeros((1, 2, 3))), (2, 1, 3, 3), align_corners=False)
    with pytest.raises(ValueError, match=r"affine_grid: size must be \(N, C, H, W\) for 2-D or \(N, C, D, H, W\)"):
        F.affine_grid(Tensor(np.zeros((1, 3, 4))), (1, 1, 3), align_corners=False)
    with pytest.raises(ValueError, match=r"affine_grid: theta must have shape \(N, 3, 4\) = \(1, 3, 4\)"):
        F.affine_grid(Tensor(np.zeros((1, 2, 3))), (1, 1, 2, 3, 3), align_corners=False)
    with pytest.raises(ValueError, match="grid_sample: mode 'bicubic' needs a 4-D input"):
        F.grid_sample(Tensor(np.ones((1, 1, 2, 2, 2))), Tensor(np.zeros((1, 1, 1, 1, 3))), "bicubic",
                      align_corners=False)
    with pytest.raises(ValueError, match="affine_grid: size must be the output's shape"):
        F.affine_grid(Tensor(np.zeros((1, 2, 3))), (1, 1, 0, 3), align_corners=False)


def test_non_contiguous_inputs_match_torch() -> None:
    """Transposed (strided) inputs, as a permute in a model would hand them over."""
    x = _rand((2, 8, 4, 3), 60)  # used as x.transpose(2, 3): (2, 8, 3, 4), not contiguous
    grid = np.random.default_rng(61).uniform(-1.2, 1.2, (2, 5, 2, 3))  # transpose(2, 3) -> (2, 5, 3, 2)

    def pair(ours, theirs):
        _against_torch(lambda a, *r: ours(a.transpose(2, 3), *r), lambda a, *r: theirs(a.transpose(2, 3), *r), [x])

    pair(lambda t: F.pixel_shuffle(t, 2), lambda t: TF.pixel_shuffle(t, 2))
    pair(lambda t: F.channel_shuffle(t, 4), lambda t: TF.channel_shuffle(t, 4))
    pair(lambda t: F.instance_norm(t), lambda t: TF.instance_norm(t))
    pair(lambda t: F.local_response_norm(t, 3), lambda t: TF.local_response_norm(t, 3))
    pair(lambda t: F.lp_pool2d(t * t + 0.1, 2, 2), lambda t: TF.lp_pool2d(t * t + 0.1, 2, 2))
    pair(nn.ReflectionPad2d((1, 2, 2, 1)), torch.nn.ReflectionPad2d((1, 2, 2, 1)))
    pair(lambda t: F.interpolate(t, scale_factor=1.5, mode="bicubic"),
         lambda t: TF.interpolate(t, scale_factor=1.5, mode="bicubic"))
    _against_torch(lambda a, b: F.grid_sample(a.transpose(2, 3), b.transpose(2, 3), align_corners=True),
                   lambda a, b: TF.grid_sample(a.transpose(2, 3), b.transpose(2, 3), align_corners=True), [x, grid])
    w = _rand((4, 3, 2), 62)  # conv_transpose1d on strided data: x[:, :, :, 0].transpose(1, 2) is (2, 4, 8)
    _against_torch(lambda a, b: F.conv_transpose1d(a[:, :, :, 0].transpose(1, 2), b, stride=2),
                   lambda a, b: TF.conv_transpose1d(a[:, :, :, 0].transpose(1, 2), b, stride=2), [x, w])


EXPORTED = {
    "PixelShuffle": (lambda: nn.PixelShuffle(2), (2, 8, 3, 3)),
    "PixelUnshuffle": (lambda: nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    "ChannelShuffle": (lambda: nn.ChannelShuffle(3), (2, 6, 4)),
    "ZeroPad2d": (lambda: nn.ZeroPad2d((1, 2, 0, 1)), (2, 3, 4, 4)),
    "ConstantPad1d": (lambda: nn.ConstantPad1d(2, -1.5), (2, 3, 4)),
    "ReflectionPad2d": (lambda: nn.ReflectionPad2d(2), (2, 3, 4, 4)),
    "ReplicationPad1d": (lambda: nn.ReplicationPad1d((3, 1)), (2, 3, 4)),
    "CircularPad2d": (lambda: nn.CircularPad2d(1), (2, 3, 4, 4)),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3),
                       (2, 3, 4, 4)),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(3), (2, 3, 6)),
    "InstanceNorm3d": (lambda: nn.InstanceNorm3d(2, affine=True), (2, 2, 3, 3, 2)),
    "ReflectionPad3d": (lambda: nn.ReflectionPad3d((1, 0, 1, 2, 0, 1)), (2, 3, 3, 3, 3)),
    "ConstantPad3d": (lambda: nn.ConstantPad3d(1, 2.0), (2, 3, 2, 2, 2)),
    "LocalResponseNorm": (lambda: nn.LocalResponseNorm(3, alpha=0.2), (2, 5, 4)),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, groups=2), (2, 4, 5)),
    "LPPool2d": (lambda: nn.LPPool2d(2, 2, stride=1), (2, 3, 4, 4)),
    "UpsamplingBilinear2d": (lambda: nn.UpsamplingBilinear2d(scale_factor=2), (2, 3, 3, 3)),
    "UpsamplingNearest2d": (lambda: nn.UpsamplingNearest2d(size=(5, 4)), (2, 3, 3, 3)),
}


@pytest.mark.numpy_only
@pytest.mark.parametrize("name", list(EXPORTED))
def test_to_torch_and_from_torch(name: str) -> None:
    make, shape = EXPORTED[name]
    ours = make()
    x = _rand(shape, 70)
    if name == "InstanceNorm2d":  # move the running statistics, then compare in eval mode
        ours(Tensor(x + 1))
        ours.eval()
    twin = nn.to_torch(ours)
    assert type(twin).__name__ == name and twin.training == ours.training
    np.testing.assert_allclose(ours(Tensor(x)).data, twin(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-10)
    back = nn.from_torch(twin)
    assert type(back) is type(ours) and repr(back) == repr(ours)
    np.testing.assert_allclose(back(Tensor(x)).data, ours(Tensor(x)).data, rtol=1e-12, atol=1e-12)


def test_max_unpool_to_torch() -> None:
    """MaxUnpool1d/2d (nn/pooling.py) cross over too: the converters are registered in nn/layers_vision.py."""
    x = torch.tensor(_rand((1, 2, 6, 6), 71))
    pooled, idx = TF.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    twin = nn.to_torch(nn.MaxUnpool2d(3, stride=2, padding=1))
    assert type(twin) is torch.nn.MaxUnpool2d
    ours = nn.from_torch(twin)
    assert type(ours) is nn.MaxUnpool2d
    np.testing.assert_array_equal(ours(Tensor(pooled.numpy()), idx.numpy(), (6, 6)).data,
                                  twin(pooled, idx, (6, 6)).numpy())
    assert type(nn.from_torch(torch.nn.MaxUnpool1d(2))) is nn.MaxUnpool1d


def _second_order(fn, arrays: list) -> bool:
    """gradcheck of x -> |d sum(fn(x)**3) / dx|**2: the backward, recorded under create_graph, differentiated again."""

    def squared_gradient(*xs):
        with autograd.enable_grad():
            xs = [x if x.requires_grad else Tensor(x.data, requires_grad=True) for x in xs]
            grads = autograd.grad((fn(*xs) ** 3).sum(), xs, create_graph=True)
            return sum((g ** 2).sum() for g in grads)

    return autograd.gradcheck(squared_gradient, [Tensor(a, requires_grad=True) for a in arrays], rtol=1e-4)


def test_second_derivatives() -> None:
    x, grid = _rand((1, 2, 3, 3), 80), np.random.default_rng(81).uniform(-0.9, 0.9, (1, 2, 2, 2))
    assert _second_order(lambda a, b: F.grid_sample(a, b, padding_mode="border", align_corners=False), [x, grid])
    assert _second_order(lambda a, b: F.grid_sample(a, b, "bicubic", "reflection", align_corners=True), [x, grid])
    assert _second_order(lambda a: F.instance_norm(a), [x])
    assert _second_order(lambda a: F.local_response_norm(a, 2, alpha=0.5) + F.lp_pool2d(a * a + 0.5, 2, 1), [x])
    assert _second_order(lambda a: F.interpolate(a, size=(4, 5), mode="bicubic"), [x])
    assert _second_order(lambda a, w: F.conv_transpose1d(a, w, stride=2), [x[0], _rand((3, 2, 2), 82)])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, kw", [((2, 3, 7, 5), dict(size=(3, 2))), ((2, 3, 7, 5), dict(scale_factor=0.5)),
                                       ((2, 3, 7, 5), dict(size=(9, 11))),
                                       ((2, 3, 7, 5), dict(scale_factor=(0.4, 1.5))), ((2, 3, 7), dict(size=3))])
def test_area_interpolate_matches_torch(shape: tuple, kw: dict, dtype: type) -> None:
    x = _rand(shape, 45)
    _against_torch(lambda t: F.interpolate(t, mode="area", **kw), lambda t: TF.interpolate(t, mode="area", **kw),
                   [x], dtype)
    _against_torch(nn.Upsample(mode="area", **kw), torch.nn.Upsample(mode="area", **kw), [x], dtype)
    with pytest.raises(ValueError, match="align_corners can only be set with mode 'linear', 'bilinear' or 'bicubic'"):
        F.interpolate(Tensor(x), mode="area", align_corners=False, **kw)



@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_3d_matches_torch(mode: str, padding_mode: str, align_corners: bool, dtype: type) -> None:
    x = _rand((2, 2, 3, 4, 5), 90)
    grid = np.random.default_rng(91).uniform(-1.4, 1.4, (2, 2, 3, 2, 3))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    _against_torch(lambda a, b: F.grid_sample(a, b, **kw), lambda a, b: TF.grid_sample(a, b, **kw), [x, grid],
                   dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_3d_matches_torch(align_corners: bool, dtype: type) -> None:
    theta, x = _rand((2, 3, 4), 92) * 0.6, _rand((2, 2, 3, 4, 3), 93)
    size = (2, 2, 4, 3, 5)
    _against_torch(lambda t: F.affine_grid(t, size, align_corners=align_corners),
                   lambda t: TF.affine_grid(t, size, align_corners=align_corners), [theta], dtype)
    _against_torch(lambda t, a: F.grid_sample(a, F.affine_grid(t, size, align_corners=align_corners),
                                              align_corners=align_corners),
                   lambda t, a: TF.grid_sample(a, TF.affine_grid(t, size, align_corners=align_corners),
                                               align_corners=align_corners), [theta, x], dtype)
