"""The way out: safetensors files, nn.to_torch/nn.from_torch and nn.export_onnx, checked against the libraries."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import CheckpointError, Tensor

pytestmark = pytest.mark.numpy_only  # conversions: the kernel backend cannot matter


def _models(dtype):
    rng = np.random.default_rng(0)
    models = {
        "mlp_relu": nn.MLP(4, [8, 8, 3], seed=0),
        "mlp_tanh_dropout": nn.MLP(4, [6, 2], activation="tanh", dropout=0.3, seed=1),
        "activations": nn.Sequential(
            nn.Linear(4, 5, seed=2), nn.LeakyReLU(0.2), nn.Linear(5, 5, seed=3), nn.ELU(0.7),
            nn.Linear(5, 5, seed=4), nn.GELU(), nn.Linear(5, 5, seed=5), nn.GELU(approximate="tanh"),
            nn.Linear(5, 5, seed=6), nn.SiLU(), nn.Mish(), nn.Softplus(), nn.Sigmoid(), nn.Identity(),
            nn.Linear(5, 3, seed=7), nn.Softmax(-1),
        ),
        "prelu_logsoftmax": nn.Sequential(nn.Linear(4, 6, seed=8), nn.PReLU(6), nn.Linear(6, 3, seed=9),
                                          nn.LogSoftmax(-1)),
        "no_bias_flatten": nn.Sequential(nn.Flatten(), nn.Linear(4, 3, bias=False, seed=10)),
    }
    for m in models.values():
        m.to(dtype)
        m.eval()
    return models, rng.standard_normal((7, 4)).astype(dtype)


def _run(model, x):
    with autograd.no_grad():
        return model(Tensor(x)).data


# --------------------------------------------------------------- safetensors


def test_safetensors_round_trip_and_torch_reads_it(tmp_path):
    st = pytest.importorskip("safetensors")
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file

    model = nn.MLP(3, [4, 2], seed=0)
    path = tmp_path / "m.safetensors"
    autograd.save_safetensors(model.state_dict(), path)
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    twin.load_state_dict(load_file(str(path)))
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(twin(torch.from_numpy(x)).detach().numpy(), _run(model, x), rtol=1e-6, atol=1e-6)

    # and a torch model's file loads into ours
    torch.manual_seed(3)
    other = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    save_file(other.state_dict(), str(tmp_path / "t.safetensors"))
    model.load_state_dict(autograd.load_safetensors(tmp_path / "t.safetensors"))
    np.testing.assert_allclose(_run(model, x), other(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert st is not None


def test_safetensors_keeps_dtypes_and_tensors(tmp_path):
    pytest.importorskip("safetensors")
    state = {"a": np.arange(6, dtype=np.int64).reshape(2, 3), "b": Tensor(np.ones(3)), "c": np.array([True])}
    autograd.save_safetensors(state, tmp_path / "s.safetensors", metadata={"note": "x"})
    back = autograd.load_safetensors(tmp_path / "s.safetensors")
    assert back["a"].dtype == np.int64 and np.array_equal(back["a"], state["a"])
    assert back["b"].dtype == np.float64 and back["c"].dtype == np.bool_
    back["a"][0, 0] = 99  # writable, own memory


def test_safetensors_bad_input(tmp_path):
    pytest.importorskip("safetensors")
    with pytest.raises(TypeError, match="save_safetensors: 'w' is a list.*autograd.save"):
        autograd.save_safetensors({"w": [1, 2]}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="expected a dict of arrays"):
        autograd.save_safetensors([np.ones(2)], tmp_path / "x.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\xff" * 64)
    with pytest.raises(CheckpointError, match="not a valid .safetensors file"):
        autograd.load_safetensors(bad)
    good = tmp_path / "good.safetensors"
    autograd.save_safetensors({"w": np.ones(100)}, good)
    with pytest.raises(CheckpointError, match="more than max_bytes=10"):
        autograd.load_safetensors(good, max_bytes=10)
    data = good.read_bytes()
    rng = np.random.default_rng(0)
    for i in range(300):  # damaged copies: a CheckpointError, or a dict of arrays (the header is unchecked data)
        cut = bytearray(data[: int(rng.integers(len(data)))] if i % 2 else data)
        if not i % 2:
            cut[int(rng.integers(len(cut)))] = int(rng.integers(256))
        bad.write_bytes(bytes(cut))
        try:
            out = autograd.load_safetensors(bad)
        except CheckpointError:
            continue
        assert isinstance(out, dict)


# ---------------------------------------------------------------- to_torch


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_torch_and_back_give_the_same_outputs(dtype):
    torch = pytest.importorskip("torch")
    models, x = _models(dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    for name, model in models.items():
        ours = _run(model, x)
        twin = nn.to_torch(model)
        assert not twin.training
        with torch.no_grad():
            theirs = twin(torch.from_numpy(x)).numpy()
        assert theirs.dtype == dtype, name
        np.testing.assert_allclose(theirs, ours, rtol=tol, atol=tol, err_msg=name)
        back = nn.from_torch(twin)
        np.testing.assert_allclose(_run(back, x), ours, rtol=tol, atol=tol, err_msg=name)
        assert {k: v.shape for k, v in back.state_dict().items()} == {
            k: tuple(v.shape) for k, v in twin.state_dict().items()}, name


def test_scalar_mode_model_converts():
    torch = pytest.importorskip("torch")
    model = nn.MLP(2, [3, 1], mode="scalar", seed=0)
    twin = nn.to_torch(model)
    x = np.array([[0.5, -1.0]])
    out = model(x)
    got = twin(torch.from_numpy(x).double()).detach().numpy()
    np.testing.assert_allclose(got.ravel(), [v.data for v in np.ravel(out)], rtol=1e-12)


def test_from_torch_trains_like_torch():
    torch = pytest.importorskip("torch")
    import optim

    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    ours = nn.from_torch(tm)
    x = np.random.default_rng(0).standard_normal((8, 3))
    y = np.random.default_rng(1).standard_normal((8, 1))
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    oopt = optim.SGD(ours.parameters(), lr=0.1)
    for _ in range(5):
        topt.zero_grad()
        torch.nn.functional.mse_loss(tm(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        topt.step()
        oopt.zero_grad()
        nn.functional.mse_loss(ours(Tensor(x)), Tensor(y)).backward()
        oopt.step()
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-10, atol=1e-12)


def test_unsupported_layers_raise_naming_the_layer():
    torch = pytest.importorskip("torch")

    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="to_torch: no converter for Custom.*state_dict"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Custom()))
    with pytest.raises(TypeError, match=r"from_torch: no converter for torch.nn.Bilinear"):
        nn.from_torch(torch.nn.Bilinear(2, 2, 2))
    with pytest.raises(TypeError, match="expected a gradwork nn.Module"):
        nn.to_torch(torch.nn.Linear(2, 2))


# -------------------------------------------------------------------- onnx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_export_onnx_passes_the_checker_and_runs_in_onnxruntime(tmp_path, dtype):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    models, x = _models(dtype)
    for name, model in models.items():
        if dtype == np.float64 and name in ("activations", "prelu_logsoftmax"):
            continue  # ONNX Runtime's CPU build has no double kernels for Elu, Softplus, PRelu, ...
        path = tmp_path / f"{name}.onnx"
        nn.export_onnx(model, x, path)
        proto = onnx.load(str(path))
        onnx.checker.check_model(proto)
        assert proto.opset_import[0].version >= 17
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        for batch in (x, x[:2]):  # the batch size stays free
            got = sess.run(None, {"input": batch})[0]
            np.testing.assert_allclose(got, _run(model, batch), rtol=1e-5, atol=1e-5, err_msg=name)


def test_export_onnx_from_a_tensor_keeps_train_mode(tmp_path):
    pytest.importorskip("onnx")
    model = nn.MLP(2, [3, 1], dropout=0.5, seed=0)
    assert model.training
    nn.export_onnx(model, Tensor(np.zeros((1, 2), dtype=np.float32)), tmp_path / "m.onnx")
    assert model.training and (tmp_path / "m.onnx").stat().st_size > 0


def test_export_onnx_bad_input(tmp_path):
    pytest.importorskip("onnx")

    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="export_onnx: no converter for Custom"):
        nn.export_onnx(nn.Sequential(Custom()), np.zeros((1, 2), np.float32), tmp_path / "c.onnx")
    with pytest.raises(ValueError, match="example_input must be a float array"):
        nn.export_onnx(nn.Linear(2, 2), np.zeros((1, 2), dtype=np.complex64), tmp_path / "c.onnx")
    with pytest.raises(ValueError, match="opset must be an integer >= 17"):
        nn.export_onnx(nn.Linear(2, 2), np.zeros((1, 2), np.float32), tmp_path / "c.onnx", opset=11)
    assert not (tmp_path / "c.onnx").exists()
