"""Convolutions (Conv1d, Conv2d, ConvTranspose2d, unfold, fold): torch's numbers, gradcheck, both modes, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.kernels import conv_reference
from torch_check import against_torch as _against_torch  # noqa: E402  (tests/torch_check.py)

torch = pytest.importorskip("torch")
TF = torch.nn.functional

GRAD_TOL = dict(eps=1e-6, atol=1e-7, rtol=1e-5)


def _rand(shape: tuple, seed: int, dtype: type = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


CONV2D = [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    dict(padding="same"),
    dict(padding="same", dilation=2),
    dict(padding="valid", stride=(1, 3)),
    dict(groups=2, padding=1),
    dict(groups=4, stride=2),
]


@pytest.mark.parametrize("kw", CONV2D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(kw: dict, bias: bool) -> None:
    groups = kw.get("groups", 1)
    x, w, b = _rand((2, 4, 7, 6), 0), _rand((8, 4 // groups, 3, 2), 1), _rand(8, 2)
    args = [x, w, b] if bias else [x, w]
    _against_torch(lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw), args)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv2d_padding_modes_match_torch(padding_mode: str) -> None:
    layer = nn.Conv2d(3, 4, (3, 2), stride=(1, 2), padding=(2, 1), padding_mode=padding_mode, seed=0)
    ref = torch.nn.Conv2d(3, 4, (3, 2), stride=(1, 2), padding=(2, 1), padding_mode=padding_mode).double()
    ref.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    x = _rand((2, 3, 5, 6), 3)
    xt, xq = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expect = layer(xt), ref(xq)
    np.testing.assert_allclose(out.data, expect.detach().numpy(), rtol=1e-10, atol=1e-10)
    g = _rand(out.shape, 4)
    out.backward(g)
    expect.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad, xq.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.weight.grad, ref.weight.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, ref.bias.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_conv2d_float32_matches_torch() -> None:
    x, w, b = _rand((3, 5, 9, 8), 0, np.float32), _rand((6, 5, 3, 3), 1, np.float32), _rand(6, 2, np.float32)
    _against_torch(lambda *a: F.conv2d(*a, padding=1, stride=2), lambda *a: TF.conv2d(*a, padding=1, stride=2),
                   [x, w, b], np.float32)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=2), dict(dilation=3, padding="same"),
                                dict(groups=2, padding=1)])
def test_conv1d_matches_torch(kw: dict) -> None:
    groups = kw.get("groups", 1)
    x, w, b = _rand((3, 4, 11), 0), _rand((6, 4 // groups, 3), 1), _rand(6, 2)
    _against_torch(lambda *a: F.conv1d(*a, **kw), lambda *a: TF.conv1d(*a, **kw), [x, w, b])


def test_conv1d_padding_mode_and_layer() -> None:
    layer = nn.Conv1d(2, 3, 4, padding=2, padding_mode="reflect", seed=1)
    ref = torch.nn.Conv1d(2, 3, 4, padding=2, padding_mode="reflect").double()
    ref.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    x = _rand((2, 2, 7), 0)
    np.testing.assert_allclose(layer(x).data, ref(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-10)


def test_unbatched_input() -> None:
    x, w, b = _rand((4, 7, 6), 0), _rand((8, 4, 3, 3), 1), _rand(8, 2)
    _against_torch(lambda *a: F.conv2d(*a, padding=1), lambda *a: TF.conv2d(*a, padding=1), [x, w, b])
    _against_torch(lambda *a: F.conv1d(*a), lambda *a: TF.conv1d(*a), [x[:, 0], w[:, :, 0], b])


def test_non_contiguous_inputs() -> None:
    x = _rand((2, 7, 6, 4), 0).transpose(0, 3, 1, 2)  # (2, 4, 7, 6), channels-last memory
    w = _rand((3, 3, 4, 8), 1).transpose(3, 2, 0, 1)  # (8, 4, 3, 3)
    assert not x.flags.c_contiguous and not w.flags.c_contiguous
    _against_torch(lambda *a: F.conv2d(*a, padding=1, stride=(2, 1)),
                   lambda *a: TF.conv2d(*a, padding=1, stride=(2, 1)), [x, w])
    xs = _rand((2, 4, 14, 12), 2)[:, :, ::2, ::2]  # strided
    _against_torch(lambda a: F.conv_transpose2d(a, Tensor(w.transpose(1, 0, 2, 3)), stride=2),
                   lambda a: TF.conv_transpose2d(a, torch.tensor(np.ascontiguousarray(w.transpose(1, 0, 2, 3))),
                                                 stride=2), [xs])


CONV_T = [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(2, 3), padding=(0, 1), dilation=2),
    dict(groups=2, stride=2),
    dict(stride=3, output_padding=(2, 0), padding=1),
]


@pytest.mark.parametrize("kw", CONV_T)
def test_conv_transpose2d_matches_torch(kw: dict) -> None:
    groups = kw.get("groups", 1)
    x, w, b = _rand((2, 4, 5, 4), 0), _rand((4, 3, 3, 2), 1), _rand(3 * groups, 2)
    _against_torch(lambda *a: F.conv_transpose2d(*a, **kw), lambda *a: TF.conv_transpose2d(*a, **kw), [x, w, b])


def test_conv_transpose2d_layer_output_size_and_state_dict() -> None:
    ref = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2).double()
    layer = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2)
    layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = _rand((2, 4, 5, 5), 0)
    for size in [(9, 9), (10, 10)]:
        out = layer(Tensor(x), output_size=size)
        assert out.shape == (2, 6) + size
        np.testing.assert_allclose(out.data, ref(torch.tensor(x), output_size=size).detach().numpy(), atol=1e-10)
    with pytest.raises(ValueError, match="output_size"):
        layer(Tensor(x), output_size=(12, 12))


def test_unfold_fold_match_torch() -> None:
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    x = _rand((2, 3, 6, 7), 0)
    _against_torch(lambda a: F.unfold(a, **kw), lambda a: TF.unfold(a, **kw), [x])
    cols = TF.unfold(torch.tensor(x), **kw).numpy()
    _against_torch(lambda a: F.fold(a, (6, 7), **kw), lambda a: TF.fold(a, (6, 7), **kw), [cols])
    np.testing.assert_allclose(nn.Unfold(**kw)(x).data, cols)
    np.testing.assert_allclose(nn.Fold((6, 7), **kw)(cols).data, TF.fold(torch.tensor(cols), (6, 7), **kw).numpy())


# ------------------------------------------------------------------ gradcheck (float64 central differences)


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1), dict(padding="same", dilation=2, groups=2),
                                dict(padding=2, padding_mode="reflect"), dict(padding=1, padding_mode="replicate"),
                                dict(padding=(1, 2), padding_mode="circular")])
def test_conv2d_gradcheck(kw: dict) -> None:
    groups = kw.get("groups", 1)
    x, w, b = _rand((2, 2, 5, 4), 0), _rand((2, 2 // groups, 3, 2), 1), _rand(2, 2)
    assert autograd.gradcheck(lambda *a: F.conv2d(*a, **kw), [Tensor(v, requires_grad=True) for v in (x, w, b)],
                              **GRAD_TOL)


def test_conv1d_transpose_unfold_fold_gradcheck() -> None:
    rt = lambda a: Tensor(a, requires_grad=True)  # noqa: E731
    assert autograd.gradcheck(lambda *a: F.conv1d(*a, stride=2, padding=1), [rt(_rand((2, 2, 7), 0)),
                              rt(_rand((3, 2, 3), 1)), rt(_rand(3, 2))], **GRAD_TOL)
    assert autograd.gradcheck(lambda *a: F.conv_transpose2d(*a, stride=2, padding=1, output_padding=1),
                              [rt(_rand((1, 2, 3, 3), 0)), rt(_rand((2, 2, 3, 3), 1)), rt(_rand(2, 2))], **GRAD_TOL)
    assert autograd.gradcheck(lambda a: F.unfold(a, 2, padding=1, stride=2), [rt(_rand((1, 2, 4, 3), 3))],
                              **GRAD_TOL)
    assert autograd.gradcheck(lambda a: F.fold(a, (3, 4), 2, padding=1), [rt(_rand((1, 8, 20), 4))], **GRAD_TOL)


def test_conv2d_double_backward_matches_torch() -> None:
    x, w, b = _rand((2, 3, 5, 5), 0), _rand((4, 3, 3, 3), 1), _rand(4, 2)
    xt, wt, bt = (Tensor(v, requires_grad=True) for v in (x, w, b))
    xq, wq, bq = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
    out = (F.conv2d(xt, wt, bt, padding=1, stride=2) ** 2).sum()
    ref = (TF.conv2d(xq, wq, bq, padding=1, stride=2) ** 2).sum()
    gx, gw = autograd.gradients(out, [xt, wt], create_graph=True)
    qx, qw = torch.autograd.grad(ref, [xq, wq], create_graph=True)
    np.testing.assert_allclose(gx.data, qx.detach().numpy(), atol=1e-10)
    ((gx * gx).sum() + (gw * gw).sum()).backward()
    ((qx * qx).sum() + (qw * qw).sum()).backward()
    for ours, theirs in ((xt, xq), (wt, wq), (bt, bq)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-9)


def test_conv_transpose2d_double_backward_matches_torch() -> None:
    x, w, b = _rand((2, 4, 3, 4), 0), _rand((4, 3, 3, 2), 1), _rand(6, 2)
    kw = dict(stride=2, padding=1, output_padding=1, groups=2)
    xt, wt, bt = (Tensor(v, requires_grad=True) for v in (x, w, b))
    xq, wq, bq = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
    gx, gw, gb = autograd.gradients((F.conv_transpose2d(xt, wt, bt, **kw) ** 2).sum(), [xt, wt, bt],
                                    create_graph=True)
    qx, qw, qb = torch.autograd.grad((TF.conv_transpose2d(xq, wq, bq, **kw) ** 2).sum(), [xq, wq, bq],
                                     create_graph=True)
    np.testing.assert_allclose(gw.data, qw.detach().numpy(), atol=1e-10)
    ((gx * gx).sum() + (gw * gw).sum() + (gb * gb).sum()).backward()
    ((qx * qx).sum() + (qw * qw).sum() + (qb * qb).sum()).backward()
    for ours, theirs in ((xt, xq), (wt, wq), (bt, bq)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-9)


# ------------------------------------------------------------------ layers, initialisation, state_dict


def test_layers_load_torch_state_dicts() -> None:
    pairs = [
        (nn.Conv2d(3, 6, (3, 2), stride=2, padding=1, groups=3), torch.nn.Conv2d(3, 6, (3, 2), stride=2, padding=1,
                                                                              groups=3), (2, 3, 7, 6)),
        (nn.Conv1d(2, 4, 3, bias=False), torch.nn.Conv1d(2, 4, 3, bias=False), (2, 2, 9)),
        (nn.ConvTranspose2d(3, 2, 3, stride=2), torch.nn.ConvTranspose2d(3, 2, 3, stride=2), (2, 3, 4, 4)),
    ]
    for ours, theirs, shape in pairs:
        theirs = theirs.double()
        state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
        assert sorted(ours.state_dict()) == sorted(state)
        ours.load_state_dict(state)
        x = _rand(shape, 0)
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-10)


def test_default_initialisation_is_torchs() -> None:
    layer = nn.Conv2d(8, 16, 3, groups=2, seed=0)  # fan_in = 8 / 2 * 9 = 36: bound 1/6
    w, b = layer.weight.data, layer.bias.data
    assert w.shape == (16, 4, 3, 3) and b.shape == (16,)
    assert np.abs(w).max() <= 1 / 6 and np.abs(w).max() > 0.95 / 6
    assert np.abs(b).max() <= 1 / 6
    assert abs(w.std() - (1 / 6) / np.sqrt(3)) < 0.01  # uniform(-a, a) has std a / sqrt(3)
    t = nn.ConvTranspose2d(4, 6, 2, seed=0)  # torch: fan_in from weight.shape[1:] = 6 * 4
    assert t.weight.shape == (4, 6, 2, 2) and np.abs(t.weight.data).max() <= 1 / np.sqrt(24)
    assert nn.Conv2d(1, 2, 3, seed=5).state_dict()["weight"].tolist() == \
        nn.Conv2d(1, 2, 3, seed=5).state_dict()["weight"].tolist()


def test_float32_layer_and_repr() -> None:
    layer = nn.Conv2d(1, 2, 3, padding="same", dtype=np.float32, seed=0)
    assert layer.weight.dtype == np.float32
    assert layer(np.ones((1, 1, 4, 4), np.float32)).dtype == np.float32
    assert repr(layer) == "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding='same')"


def test_draw_graph_shows_conv_as_one_labelled_node() -> None:
    layer = nn.Conv2d(1, 4, 3, padding=1, seed=0)
    out = layer(Tensor(_rand((2, 1, 5, 5), 0))).sum()
    src = autograd.dot_source(out)
    assert "Conv2d 3x3 pad 1: (2, 1, 5, 5) -> (2, 4, 5, 5)" in src
    assert src.count("Conv2d") == 1
    text = autograd.draw_text(out)
    assert "Conv2d 3x3 pad 1" in text


# ------------------------------------------------------------------ scalar mode


@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, padding=1, padding_mode="reflect"),
                                dict(dilation=2, padding="same"), dict(groups=2)])
def test_scalar_mode_matches_tensor_mode(kw: dict) -> None:
    tensor_layer = nn.Conv2d(2, 2, 3, seed=0, **kw)
    scalar_layer = tensor_layer.to_scalar()
    assert scalar_layer.mode == "scalar"
    x = _rand((1, 2, 5, 5), 1)
    xt = Tensor(x, requires_grad=True)
    out_t = tensor_layer(xt)
    out_s = scalar_layer(x)
    assert out_s.shape == out_t.shape
    np.testing.assert_allclose([v.data for v in out_s.flat], out_t.data.ravel(), rtol=1e-12, atol=1e-12)
    g = _rand(out_t.shape, 2)
    out_t.backward(g)
    loss = autograd.Value.sum([v * float(c) for v, c in zip(out_s.flat, g.flat)])
    loss.backward()
    np.testing.assert_allclose([v.grad for v in scalar_layer.weight.flat], tensor_layer.weight.grad.data.ravel(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose([v.grad for v in scalar_layer.bias.flat], tensor_layer.bias.grad, rtol=1e-10)


def test_scalar_conv1d_and_functional_on_values() -> None:
    layer = nn.Conv1d(2, 3, 3, stride=2, padding=1, padding_mode="replicate", seed=0)
    x = _rand((2, 2, 7), 1)
    out_s = layer.to_scalar()(x)
    np.testing.assert_allclose([v.data for v in out_s.flat], layer(x).data.ravel(), rtol=1e-12, atol=1e-12)
    w = layer.to_scalar().weight  # Values as the weight of the functional form
    out_f = F.conv1d(x, w, None, stride=2, padding=1)
    expect = TF.conv1d(torch.tensor(x), torch.tensor(layer.weight.data), None, stride=2, padding=1).numpy()
    np.testing.assert_allclose([v.data for v in out_f.flat], expect.ravel(), rtol=1e-12, atol=1e-12)


def test_scalar_one_pixel_graph() -> None:
    layer = nn.Conv2d(1, 1, 3, padding=1, mode="scalar", seed=0)
    x = np.arange(25.0).reshape(1, 1, 5, 5) / 25
    pixel = layer(x)[0, 0, 2, 2]
    assert isinstance(pixel, autograd.Value) and pixel.op == "sum"
    assert len(pixel.parents) == 10  # nine w * x products and the bias
    corner = layer(x)[0, 0, 0, 0]
    assert len(corner.parents) == 5  # zero padding adds no terms: four products and the bias
    src = autograd.dot_source(pixel)
    assert "w[0,0,1,1]" in src
    unbatched = layer(x[0])
    assert unbatched.shape == (1, 5, 5)


# ------------------------------------------------------------------ bad input


def test_bad_input_raises_clear_errors() -> None:
    layer = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 4.*expected an input with 3 channels.*\(2, 5, 8, 8\)"):
        layer(np.zeros((2, 5, 8, 8)))
    with pytest.raises(ValueError, match=r"Conv2d.*larger than the padded input.*\(1, 3, 2, 2\)"):
        layer(np.zeros((1, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"Conv2d.*4-D input \(N, C, H, W\).*got shape \(8, 8\)"):
        layer(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="stride must be a positive int"):
        nn.Conv2d(3, 4, 3, stride=0)
    with pytest.raises(ValueError, match="stride must be a positive int"):
        F.conv2d(np.zeros((1, 3, 5, 5)), np.zeros((4, 3, 3, 3)), stride=-1)
    with pytest.raises(ValueError, match="groups=2 must divide in_channels=3"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels 3 is not divisible by groups 2"):
        F.conv2d(np.zeros((1, 4, 5, 5)), np.zeros((3, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="reflect padding 3 must be smaller"):
        nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect")(np.zeros((1, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"Conv1d.*3-D input \(N, C, L\)"):
        nn.Conv1d(2, 2, 3)(np.zeros((1, 2, 5, 5)))
    with pytest.raises(ValueError, match="bias must have shape"):
        F.conv2d(np.zeros((1, 3, 5, 5)), np.zeros((4, 3, 3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="ConvTranspose2d.*expected an input with 3 channels"):
        nn.ConvTranspose2d(3, 2, 3)(np.zeros((1, 2, 4, 4)))
    with pytest.raises(ValueError, match="output_padding"):
        nn.ConvTranspose2d(3, 2, 3, stride=1, output_padding=1)
    with pytest.raises(ValueError, match="kernel_size must be a positive int"):
        nn.Conv2d(3, 2, 0)
    with pytest.raises(ValueError, match="fold: input has 7 blocks"):
        F.fold(np.zeros((1, 4, 7)), (3, 3), 2)
    with pytest.raises(ValueError, match=r"Conv2d.*expected an input with 3 channels"):
        nn.Conv2d(3, 4, 3, mode="scalar")(np.zeros((1, 2, 5, 5)))


# ------------------------------------------------------------------ kernels


def test_col2im_kernel_matches_reference(backend: str) -> None:
    cols = _rand((3, 2, 3, 2, 4, 5), 0)
    shape = (2, 3, 4 * 2 + 2, 5 + 4)
    expect = conv_reference.col2im(cols, shape, 2, 1, 1, 2)
    got = autograd.backend.ops.col2im(cols, shape, 2, 1, 1, 2)
    np.testing.assert_array_equal(got, expect)  # the same additions in the same order
    strided = cols.transpose(3, 1, 2, 0, 4, 5).copy().transpose(3, 1, 2, 0, 4, 5)
    np.testing.assert_array_equal(autograd.backend.ops.col2im(strided, shape, 2, 1, 1, 2), expect)
    # brute force: every column entry back to its cell
    brute = np.zeros(shape)
    for c, i, j, n, oh, ow in np.ndindex(cols.shape):
        brute[n, c, oh * 2 + i, ow + 2 * j] += cols[c, i, j, n, oh, ow]
    np.testing.assert_allclose(expect, brute, atol=1e-12)


# ------------------------------------------------------------------ the real task


@pytest.mark.slow
@pytest.mark.numpy_only
def test_digits_cnn_reaches_98_5_percent() -> None:
    """Notebook 12's CNN: two 3x3 convolutions, a max pool, a linear layer; six epochs of Adam (a few seconds)."""
    pytest.importorskip("sklearn")
    import optim
    from sklearn.model_selection import train_test_split

    from nn import datasets

    X, y = datasets.load_digits()
    images = (X / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(images, y, test_size=0.25, random_state=0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, seed=1), nn.ReLU(),
                          nn.Conv2d(16, 32, 3, padding=1, seed=2), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 10, seed=3)).float()
    epochs, batch = 6, 32
    opt = optim.Adam(model.parameters(), lr=5e-3)
    sched = optim.CosineAnnealingLR(opt, epochs * int(np.ceil(len(Xtr) / batch)))
    shuffle = np.random.default_rng(1)
    for _ in range(epochs):
        order = shuffle.permutation(len(Xtr))
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            loss = F.cross_entropy(model(Tensor(Xtr[idx])), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    with autograd.no_grad():
        accuracy = (model(Tensor(Xte)).data.argmax(axis=1) == yte).mean()
    assert accuracy >= 0.985, accuracy
