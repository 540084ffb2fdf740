"""to_torch / from_torch / export_onnx for the image and sequence layers, against torch and ONNX Runtime."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

pytestmark = pytest.mark.numpy_only

rng = np.random.default_rng(0)

# (layer factory, example input) — each factory builds the layer with non-default arguments
CASES = {
    "Conv2d": (lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1, dilation=1, groups=1), (2, 3, 9, 9)),
    "Conv2d_same_groups": (lambda: nn.Conv2d(4, 6, 3, padding="same", groups=2, bias=False), (2, 4, 7, 7)),
    "Conv1d": (lambda: nn.Conv1d(2, 3, 5, padding=2), (2, 2, 11)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), (2, 3, 5, 5)),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), (2, 3, 8, 8)),
    "MaxPool1d": (lambda: nn.MaxPool1d(3, stride=2, padding=1), (2, 3, 9)),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 9, 9)),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 6, 6)),
    "AdaptiveMaxPool2d": (lambda: nn.AdaptiveMaxPool2d((2, 2)), (2, 3, 6, 6)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3, momentum=0.2), (4, 3, 5, 5)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(5), (6, 5)),
    "LayerNorm": (lambda: nn.LayerNorm(5), (3, 5)),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), (2, 4, 3, 3)),
    "Hardtanh": (lambda: nn.Hardtanh(-0.5, 0.7), (4, 6)),
    "CELU": (lambda: nn.CELU(0.7), (4, 6)),
    "Softmin": (lambda: nn.Softmin(dim=1), (4, 6)),
    "Hardswish": (lambda: nn.Hardswish(), (4, 6)),
}


def _available(name):
    cls = name.split("_")[0]
    return hasattr(nn, cls)


def _train_once(layer, shape):
    """Move running statistics away from their initial values, then switch to eval mode."""
    if hasattr(layer, "running_mean"):
        layer.train()
        with autograd.no_grad():
            layer(Tensor(rng.standard_normal(shape) * 2 + 1))
    layer.eval()
    return layer


def _out(y):
    return (y[0] if isinstance(y, tuple) else y).data


@pytest.mark.parametrize("name", list(CASES))
def test_layer_to_torch_and_back(name):
    torch = pytest.importorskip("torch")
    if not _available(name):
        pytest.skip(f"nn.{name} is not in this build")
    make, shape = CASES[name]
    layer = _train_once(make().double(), shape)
    x = rng.standard_normal(shape)
    with autograd.no_grad():
        ours = _out(layer(Tensor(x)))
    twin = nn.to_torch(layer)
    assert not twin.training
    with torch.no_grad():
        theirs = twin(torch.from_numpy(x))
    theirs = (theirs[0] if isinstance(theirs, tuple) else theirs).numpy()
    np.testing.assert_allclose(theirs, ours, rtol=1e-10, atol=1e-12)
    back = nn.from_torch(twin)
    with autograd.no_grad():
        np.testing.assert_allclose(_out(back(Tensor(x))), ours, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
def test_recurrent_layers_to_torch_and_back(name):
    torch = pytest.importorskip("torch")
    if not hasattr(nn, name):
        pytest.skip(f"nn.{name} is not in this build")
    layer = getattr(nn, name)(3, 4, num_layers=2, batch_first=True, bidirectional=True).double()
    x = rng.standard_normal((2, 5, 3))
    with autograd.no_grad():
        ours = layer(Tensor(x))[0].data
    twin = nn.to_torch(layer)
    with torch.no_grad():
        np.testing.assert_allclose(twin(torch.from_numpy(x))[0].numpy(), ours, rtol=1e-10, atol=1e-12)
    back = nn.from_torch(twin)
    with autograd.no_grad():
        np.testing.assert_allclose(back(Tensor(x))[0].data, ours, rtol=1e-10, atol=1e-12)


def test_embedding_round_trip_and_onnx(tmp_path):
    torch = pytest.importorskip("torch")
    if not hasattr(nn, "Embedding"):
        pytest.skip("nn.Embedding is not in this build")
    layer = nn.Embedding(10, 4, padding_idx=0)
    idx = np.array([[1, 2, 0], [9, 3, 3]])
    twin = nn.to_torch(layer)
    assert twin.padding_idx == 0
    np.testing.assert_allclose(twin(torch.from_numpy(idx)).detach().numpy(), layer(Tensor(idx)).data, rtol=1e-6)
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    nn.export_onnx(layer, idx, tmp_path / "emb.onnx")
    got = ort.InferenceSession(str(tmp_path / "emb.onnx"), providers=["CPUExecutionProvider"]).run(
        None, {"input": idx.astype(np.int64)})[0]
    np.testing.assert_allclose(got, layer(Tensor(idx)).data, rtol=1e-6)


ONNX_CASES = ["Conv2d", "Conv2d_same_groups", "Conv1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
              "AdaptiveMaxPool2d", "BatchNorm2d", "LayerNorm", "Hardtanh", "CELU", "Softmin", "Hardswish"]


@pytest.mark.parametrize("name", ONNX_CASES)
def test_layer_exports_to_onnx(tmp_path, name):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    if not _available(name):
        pytest.skip(f"nn.{name} is not in this build")
    make, shape = CASES[name]
    layer = _train_once(make().float(), shape)
    x = rng.standard_normal(shape).astype(np.float32)
    path = tmp_path / f"{name}.onnx"
    nn.export_onnx(layer, x, path)
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    with autograd.no_grad():
        np.testing.assert_allclose(got, _out(layer(Tensor(x))), rtol=1e-5, atol=1e-5)


def test_a_small_cnn_exports_end_to_end(tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    torch = pytest.importorskip("torch")
    if not all(hasattr(nn, n) for n in ("Conv2d", "MaxPool2d", "BatchNorm2d")):
        pytest.skip("the image layers are not in this build")
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 10)).float()
    x = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    _train_once(model[1], (3, 4, 8, 8))
    model.eval()
    with autograd.no_grad():
        ours = model(Tensor(x)).data
    nn.export_onnx(model, x, tmp_path / "cnn.onnx")
    got = ort.InferenceSession(str(tmp_path / "cnn.onnx"), providers=["CPUExecutionProvider"]).run(
        None, {"input": x})[0]
    np.testing.assert_allclose(got, ours, rtol=1e-5, atol=1e-5)
    with torch.no_grad():
        np.testing.assert_allclose(nn.to_torch(model)(torch.from_numpy(x)).numpy(), ours, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("batch_first, bidirectional", [(False, False), (True, True)])
def test_recurrent_layers_export_to_onnx(tmp_path, name, batch_first, bidirectional):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    if not hasattr(nn, name):
        pytest.skip(f"nn.{name} is not in this build")
    layer = getattr(nn, name)(3, 4, num_layers=2, batch_first=batch_first, bidirectional=bidirectional).float()
    x = rng.standard_normal((2, 5, 3) if batch_first else (5, 2, 3)).astype(np.float32)
    path = tmp_path / f"{name}.onnx"
    nn.export_onnx(layer, x, path)
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    with autograd.no_grad():
        np.testing.assert_allclose(got, layer(Tensor(x))[0].data, rtol=1e-5, atol=1e-5)
