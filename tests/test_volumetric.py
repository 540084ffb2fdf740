"""Volumes (nn/volumetric.py and interpolate's 5-D modes): outputs and gradients against torch and central
differences, on both backends, with non-contiguous inputs and unbatched ones."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.gradcheck import gradcheck
from nn import functional as F
from torch_check import against_torch

RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 4, 5, 6, 7))
W = RNG.standard_normal((6, 2, 3, 2, 3))
B = RNG.standard_normal(6)


CONV = [dict(), dict(stride=2), dict(padding=1), dict(stride=(1, 2, 1), padding=(1, 0, 2), dilation=(2, 1, 1)),
        dict(padding="same"), dict(padding="valid")]


@pytest.mark.parametrize("kw", CONV, ids=str)
def test_conv3d_matches_torch(backend, kw):
    torch = pytest.importorskip("torch")
    against_torch(lambda x, w, b: F.conv3d(x, w, b, groups=2, **kw),
                  lambda x, w, b: torch.nn.functional.conv3d(x, w, b, groups=2, **kw), [X, W, B])


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv3d_layer_padding_modes_match_torch(backend, padding_mode):
    torch = pytest.importorskip("torch")
    m = nn.Conv3d(4, 3, (3, 2, 3), padding=1, padding_mode=padding_mode, seed=0)
    t = torch.nn.Conv3d(4, 3, (3, 2, 3), padding=1, padding_mode=padding_mode, dtype=torch.float64)
    with torch.no_grad():
        t.weight.copy_(torch.tensor(m.weight.data))
        t.bias.copy_(torch.tensor(m.bias.data))
    against_torch(m, t, [X])
    y = m(autograd.tensor(X))
    y.sum().backward()
    assert m.weight.grad.shape == m.weight.shape and m.bias.grad.shape == (3,)


def test_conv3d_float32_non_contiguous_and_unbatched(backend):
    torch = pytest.importorskip("torch")
    x = np.ascontiguousarray(RNG.standard_normal((2, 7, 6, 5, 4)).astype(np.float32)).transpose(0, 4, 3, 2, 1)
    w = RNG.standard_normal((3, 4, 2, 2, 2)).astype(np.float32)
    assert not x.flags.c_contiguous
    against_torch(lambda a, b: F.conv3d(a, b, stride=(2, 1, 1)),
                  lambda a, b: torch.nn.functional.conv3d(a, b, stride=(2, 1, 1)), [x, w], np.float32, tol=2e-5)
    against_torch(lambda a, b: F.conv3d(a, b, padding=1), lambda a, b: torch.nn.functional.conv3d(a, b, padding=1),
                  [X[0], W.repeat(2, axis=1)[:3]])


def test_conv3d_gradcheck(backend):
    x = Tensor(RNG.standard_normal((1, 2, 3, 4, 3)), requires_grad=True)
    w = Tensor(RNG.standard_normal((2, 2, 2, 3, 2)), requires_grad=True)
    b = Tensor(RNG.standard_normal(2), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv3d(x, w, b, padding=(1, 0, 1), stride=(2, 1, 1)), (x, w, b))


TRANSPOSE = [dict(), dict(stride=2), dict(stride=(2, 1, 3), padding=(1, 0, 1)), dict(stride=2, output_padding=1),
             dict(stride=(3, 2, 1), dilation=(2, 1, 2), padding=1, output_padding=(1, 1, 0)), dict(groups=2, stride=2)]


@pytest.mark.parametrize("kw", TRANSPOSE, ids=str)
def test_conv_transpose3d_matches_torch(backend, kw):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 4, 3, 4, 3))
    w = RNG.standard_normal((4, 3, 3, 2, 2))
    b = RNG.standard_normal(6 if "groups" in kw else 3)
    against_torch(lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
                  lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, **kw), [x, w, b])


def test_conv_transpose3d_layer_output_size_and_gradcheck(backend):
    torch = pytest.importorskip("torch")
    m = nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1, seed=0)
    assert repr(m) == repr(torch.nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1))
    assert m(autograd.ones(1, 4, 3, 3, 3), output_size=(6, 6, 6)).shape == (1, 2, 6, 6, 6)
    assert m(autograd.ones(4, 3, 3, 3)).shape == (2, 5, 5, 5)  # unbatched
    x = Tensor(RNG.standard_normal((1, 2, 2, 3, 2)), requires_grad=True)
    w = Tensor(RNG.standard_normal((2, 1, 2, 2, 2)), requires_grad=True)
    assert gradcheck(lambda x, w: F.conv_transpose3d(x, w, stride=(2, 1, 2), padding=(1, 0, 0)), (x, w))


POOL_MAX = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
            dict(kernel_size=(2, 3, 2), stride=(2, 1, 2), ceil_mode=True),
            dict(kernel_size=2, dilation=(2, 1, 2), padding=1)]
POOL_AVG = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
            dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
            dict(kernel_size=(2, 3, 2), stride=2, padding=1, ceil_mode=True),
            dict(kernel_size=(2, 3, 2), stride=2, padding=1, ceil_mode=True, count_include_pad=False),
            dict(kernel_size=2, divisor_override=3)]


@pytest.mark.parametrize("kw", POOL_MAX, ids=str)
def test_max_pool3d_matches_torch(backend, kw):
    torch = pytest.importorskip("torch")
    against_torch(lambda x: F.max_pool3d(x, **kw), lambda x: torch.nn.functional.max_pool3d(x, **kw), [X])


@pytest.mark.parametrize("kw", POOL_AVG, ids=str)
def test_avg_pool3d_matches_torch(backend, kw):
    torch = pytest.importorskip("torch")
    against_torch(lambda x: F.avg_pool3d(x, **kw), lambda x: torch.nn.functional.avg_pool3d(x, **kw), [X])


@pytest.mark.parametrize("size", [(2, 3, 4), 1, (None, 2, 3), (5, 6, 7), (3, 4, 5)], ids=str)
def test_adaptive_avg_pool3d_matches_torch(backend, size):
    torch = pytest.importorskip("torch")
    against_torch(lambda x: F.adaptive_avg_pool3d(x, size),
                  lambda x: torch.nn.functional.adaptive_avg_pool3d(x, size), [X])


@pytest.mark.parametrize("size", [(2, 3, 4), 1, (None, 2, 3), (5, 6, 7), (3, 4, 5)], ids=str)
def test_adaptive_max_pool3d_matches_torch(backend, size):
    torch = pytest.importorskip("torch")
    against_torch(lambda x: F.adaptive_max_pool3d(x, size),
                  lambda x: torch.nn.functional.adaptive_max_pool3d(x, size), [X])
    assert nn.AdaptiveMaxPool3d(size)(autograd.tensor(X)).shape == F.adaptive_max_pool3d(X, size).shape


def test_pool_layers_match_their_functions_and_print_like_torch(backend):
    torch = pytest.importorskip("torch")
    x = autograd.tensor(X)
    np.testing.assert_allclose(nn.MaxPool3d(2)(x).data, F.max_pool3d(x, 2).data)
    np.testing.assert_allclose(nn.AvgPool3d(3, 2, 1)(x).data, F.avg_pool3d(x, 3, 2, 1).data)
    np.testing.assert_allclose(nn.AdaptiveAvgPool3d(2)(x).data, F.adaptive_avg_pool3d(x, 2).data)
    for ours, theirs in ((nn.MaxPool3d(2), torch.nn.MaxPool3d(2)), (nn.AvgPool3d(2), torch.nn.AvgPool3d(2)),
                         (nn.AdaptiveAvgPool3d(1), torch.nn.AdaptiveAvgPool3d(1)),
                         (nn.Conv3d(4, 3, 3), torch.nn.Conv3d(4, 3, 3)), (nn.Dropout3d(), torch.nn.Dropout3d())):
        assert repr(ours) == repr(theirs)


def test_pool3d_gradcheck(backend):
    x = Tensor(RNG.standard_normal((1, 2, 4, 3, 4)), requires_grad=True)
    assert gradcheck(lambda x: F.avg_pool3d(x, 2, 1, 1, count_include_pad=False), (x,))
    assert gradcheck(lambda x: F.max_pool3d(x, (2, 2, 3), 1), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool3d(x, (3, 2, 3)), (x,))


def test_batchnorm3d_matches_torch_in_training_and_eval(backend):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm3d(4), torch.nn.BatchNorm3d(4, dtype=torch.float64)
    against_torch(ours, theirs, [X])
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    against_torch(ours, theirs, [X])


def test_dropout3d_drops_whole_volumes_and_scales(backend):
    d = nn.Dropout3d(0.5, seed=3)
    x = autograd.ones(8, 5, 2, 3, 2, requires_grad=True)
    y = d(x)
    per_volume = y.data.reshape(8, 5, -1)
    assert set(np.unique(per_volume)) <= {0.0, 2.0}
    assert np.all(per_volume.min(axis=2) == per_volume.max(axis=2))  # a volume is kept or dropped whole
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, y.data)
    d.eval()
    assert d(x) is x
    unbatched = F.dropout3d(autograd.ones(5, 2, 3, 2), 0.5, seed=1)
    assert unbatched.shape == (5, 2, 3, 2)


INTERP = [dict(size=(6, 7, 8), mode="trilinear"), dict(scale_factor=2, mode="trilinear"),
          dict(scale_factor=(1.5, 0.7, 2.2), mode="trilinear", align_corners=True),
          dict(size=(3, 8, 4), mode="nearest"), dict(scale_factor=1.7, mode="nearest-exact"),
          dict(size=(2, 3, 3), mode="area"),
          dict(scale_factor=(0.6, 1.3, 2), mode="trilinear", recompute_scale_factor=True)]


@pytest.mark.parametrize("kw", INTERP, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_interpolate_volumes_match_torch(backend, kw, dtype):
    torch = pytest.importorskip("torch")
    x = X.astype(dtype)[:, :3, :4, :5, :6]  # a non-contiguous slice
    assert not x.flags.c_contiguous
    against_torch(lambda a: F.interpolate(a, **kw), lambda a: torch.nn.functional.interpolate(a, **kw), [x], dtype,
                  tol=1e-11 if dtype == np.float64 else 3e-6)


def test_upsample_trilinear_layer_and_repr():
    torch = pytest.importorskip("torch")
    up = nn.Upsample(scale_factor=2, mode="trilinear")
    assert up(autograd.tensor(X)).shape == (2, 4, 10, 12, 14)
    for kw in (dict(scale_factor=2, mode="trilinear"), dict(size=4), dict(scale_factor=(2, 3), mode="bilinear")):
        assert repr(nn.Upsample(**kw)) == repr(torch.nn.Upsample(**kw))


def test_volume_bad_input():
    with pytest.raises(ValueError, match="mode 'trilinear' needs a 5-D"):
        F.interpolate(autograd.ones(1, 1, 4, 4), scale_factor=2, mode="trilinear")
    with pytest.raises(ValueError, match="conv3d: expected a 5-D input"):
        F.conv3d(autograd.ones(1, 2, 4), autograd.ones(1, 2, 1, 1, 1))
    with pytest.raises(ValueError, match="max_pool3d: return_indices=True is not supported"):
        F.max_pool3d(autograd.ones(1, 1, 2, 2, 2), 2, return_indices=True)
    with pytest.raises(ValueError, match="Conv3d: only mode='tensor'"):
        nn.Conv3d(1, 1, 1, mode="scalar")
    with pytest.raises(ValueError, match="padding"):
        F.max_pool3d(autograd.ones(1, 1, 4, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match="conv_transpose3d: expected an input with 3 channels"):
        F.conv_transpose3d(autograd.ones(1, 2, 2, 2, 2), autograd.ones(3, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="conv_transpose3d: output_padding 2 must be smaller than the stride 2"):
        F.conv_transpose3d(autograd.ones(1, 2, 2, 2, 2), autograd.ones(2, 1, 1, 1, 1), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="adaptive_max_pool3d: return_indices=True is not supported"):
        F.adaptive_max_pool3d(autograd.ones(1, 1, 2, 2, 2), 1, return_indices=True)


def _volume_model():
    return nn.Sequential(nn.Conv3d(2, 4, 3, padding=1, seed=0), nn.BatchNorm3d(4), nn.ReLU(), nn.Dropout3d(0.2),
                         nn.MaxPool3d(2), nn.Conv3d(4, 3, (1, 2, 2), seed=1), nn.AvgPool3d(2, 1),
                         nn.AdaptiveAvgPool3d(1), nn.Flatten())


def test_volume_model_goes_to_torch_and_back(backend):
    torch = pytest.importorskip("torch")
    model = _volume_model()
    x = RNG.standard_normal((3, 2, 6, 8, 8))
    model(autograd.tensor(x))  # a training step moves the running statistics
    model.eval()
    twin = nn.to_torch(model)
    with torch.no_grad():
        np.testing.assert_allclose(twin(torch.tensor(x)).numpy(), model(autograd.tensor(x)).data, rtol=1e-10,
                                   atol=1e-12)
    back = nn.from_torch(twin)
    back.eval()
    np.testing.assert_allclose(back(autograd.tensor(x)).data, model(autograd.tensor(x)).data, rtol=1e-12)


def test_conv_transpose3d_goes_to_torch_and_back():
    torch = pytest.importorskip("torch")
    m = nn.ConvTranspose3d(2, 3, (2, 3, 2), stride=2, padding=(0, 1, 0), seed=0)
    x = RNG.standard_normal((1, 2, 3, 3, 3))
    twin = nn.to_torch(m)
    with torch.no_grad():
        np.testing.assert_allclose(twin(torch.tensor(x)).numpy(), m(autograd.tensor(x)).data, rtol=1e-12)
    np.testing.assert_allclose(nn.from_torch(twin)(autograd.tensor(x)).data, m(autograd.tensor(x)).data)


def test_volume_model_exports_to_onnx(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    model = _volume_model().float()
    model.eval()
    x = RNG.standard_normal((2, 2, 6, 8, 8)).astype(np.float32)
    path = tmp_path / "volume.onnx"
    nn.export_onnx(model, x, path)
    got = ort.InferenceSession(str(path)).run(None, {"input": x})[0]
    np.testing.assert_allclose(got, model(autograd.tensor(x)).data, rtol=1e-4, atol=1e-5)
