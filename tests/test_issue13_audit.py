"""Issue 13 audit: the corners of the conv, pool, norm, embedding and recurrent layers that the audit found
broken or missing, each checked against torch with copied weights (forward and every gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

TOL = 1e-10


def _close(ours, theirs, tol=TOL):
    ours = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def _load(m, tm):
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return m


def _grads_match(m, tm, tol=TOL):
    theirs = dict(tm.named_parameters())
    assert set(dict(m.named_parameters())) == set(theirs)
    for name, p in m.named_parameters():
        _close(p.grad, theirs[name].grad, tol)


# ------------------------------------------------------------------ recurrent cells


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_without_bias_match_torch(kind, batched):
    rng = np.random.default_rng(0)
    tm = getattr(torch.nn, kind)(3, 4, bias=False).double()
    m = _load(getattr(nn, kind)(3, 4, bias=False), tm)
    assert set(m.state_dict()) == {"weight_ih", "weight_hh"}
    x = rng.standard_normal((2, 3) if batched else (3,))
    h = rng.standard_normal((2, 4) if batched else (4,))
    gx, gh = Tensor(x, requires_grad=True), Tensor(h, requires_grad=True)
    tx, th = torch.tensor(x, requires_grad=True), torch.tensor(h, requires_grad=True)
    if kind == "LSTMCell":
        ours, theirs = m(gx, (gh, gh * 0.5)), tm(tx, (th, th * 0.5))
        ours_sum = (ours[0] * 2.0).sum() + (ours[1] * ours[1]).sum()
        theirs_sum = (theirs[0] * 2.0).sum() + (theirs[1] * theirs[1]).sum()
        _close(ours[0], theirs[0])
        _close(ours[1], theirs[1])
    else:
        ours, theirs = m(gx, gh), tm(tx, th)
        ours_sum, theirs_sum = (ours * ours).sum(), (theirs * theirs).sum()
        _close(ours, theirs)
    ours_sum.backward()
    theirs_sum.backward()
    _close(gx.grad, tx.grad)
    _close(gh.grad, th.grad)
    _grads_match(m, tm)


# ------------------------------------------------------------------ unfold / fold


def test_unbatched_unfold_and_fold_match_torch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 7, 8))
    kw = dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 2), stride=(2, 3))
    gx, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = F.unfold(gx, **kw), torch.nn.functional.unfold(tx, **kw)
    _close(ours, theirs)
    u = rng.standard_normal(theirs.shape)
    (ours * Tensor(u)).sum().backward()
    (theirs * torch.tensor(u)).sum().backward()
    _close(gx.grad, tx.grad)
    cols = rng.standard_normal(theirs.shape)
    gc, tc = Tensor(cols, requires_grad=True), torch.tensor(cols, requires_grad=True)
    ours, theirs = nn.Fold((7, 8), **kw)(gc), torch.nn.Fold((7, 8), **kw)(tc)
    _close(ours, theirs)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    _close(gc.grad, tc.grad)


def test_unfold_and_fold_of_the_wrong_rank_say_what_they_take():
    with pytest.raises(ValueError, match=r"unfold: .*4-D .*unbatched 3-D .*shape \(7, 8\)"):
        F.unfold(Tensor(np.zeros((7, 8))), 2)
    with pytest.raises(ValueError, match=r"fold: .*3-D .*unbatched 2-D .*shape \(4,\)"):
        F.fold(Tensor(np.zeros(4)), (3, 3), 2)


# ------------------------------------------------------------------ Embedding: torch's other arguments


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5])
def test_embedding_max_norm_renormalises_the_rows_read_as_torch(norm_type):
    rng = np.random.default_rng(2)
    tm = torch.nn.Embedding(7, 4, None, 1.5, norm_type).double()  # torch's positional order
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(rng.standard_normal((7, 4)) * 2))
    m = _load(nn.Embedding(7, 4, None, 1.5, norm_type), tm)
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    ours, theirs = m(idx), tm(torch.tensor(idx))
    _close(ours, theirs)
    _close(m.weight, tm.weight)  # the rows read were scaled in place, the others left alone
    norms = np.linalg.norm(m.weight.data, ord=norm_type, axis=1)
    assert np.all(norms[[0, 1, 2, 5]] <= 1.5 + 1e-9) and np.any(norms[[3, 4, 6]] > 1.5)
    u = rng.standard_normal(theirs.shape)
    (ours * Tensor(u)).sum().backward()
    (theirs * torch.tensor(u)).sum().backward()
    _grads_match(m, tm)


def test_functional_embedding_max_norm_and_scale_grad_by_freq_match_torch():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((6, 3)) * 2
    idx = np.array([1, 1, 4, 1, 0, 4, 5])
    gw, tw = Tensor(w.copy(), requires_grad=True), torch.tensor(w.copy(), requires_grad=True)
    ours = F.embedding(idx, gw, padding_idx=5, max_norm=1.0, scale_grad_by_freq=True)
    with torch.no_grad():  # torch renormalises a leaf that requires grad only outside autograd
        torch.embedding_renorm_(tw, torch.tensor(idx), 1.0, 2.0)
    theirs = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=5, scale_grad_by_freq=True)
    _close(ours, theirs)
    _close(gw, tw)
    u = rng.standard_normal(theirs.shape)
    (ours * Tensor(u)).sum().backward()
    (theirs * torch.tensor(u)).sum().backward()
    _close(gw.grad, tw.grad)


def test_embedding_scale_grad_by_freq_matches_torch():
    rng = np.random.default_rng(4)
    tm = torch.nn.Embedding(5, 3, scale_grad_by_freq=True).double()
    m = _load(nn.Embedding(5, 3, scale_grad_by_freq=True), tm)
    idx = np.array([[0, 3, 3], [3, 4, 0]])
    ours, theirs = m(idx), tm(torch.tensor(idx))
    u = rng.standard_normal(theirs.shape)
    (ours * Tensor(u)).sum().backward()
    (theirs * torch.tensor(u)).sum().backward()
    _grads_match(m, tm)


def test_embedding_from_pretrained_is_frozen_unless_told():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((6, 3))
    for source in (w, Tensor(w), torch.tensor(w)):
        m = nn.Embedding.from_pretrained(source)
        t = torch.nn.Embedding.from_pretrained(torch.tensor(w))
        assert not m.weight.requires_grad and not t.weight.requires_grad
        _close(m(np.array([[1, 5], [0, 0]])), t(torch.tensor([[1, 5], [0, 0]])))
    m = nn.Embedding.from_pretrained(w.astype(np.float32), freeze=False, padding_idx=-1)
    assert m.weight.requires_grad and m.padding_idx == 5 and m.weight.dtype == np.float32
    np.testing.assert_array_equal(m.weight.data, w.astype(np.float32))  # the padding row is not zeroed, as in torch
    w[0] = 99.0
    assert m.weight.data[0, 0] != 99.0  # a copy
    m(np.array([5, 2])).sum().backward()
    assert np.all(m.weight.grad.data[5] == 0) and np.all(m.weight.grad.data[2] == 1)
    with pytest.raises(ValueError, match=r"from_pretrained: .*2-D.*shape \(6,\)"):
        nn.Embedding.from_pretrained(np.zeros(6))


def test_embedding_bad_max_norm_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Embedding: max_norm must be a positive number"):
        nn.Embedding(4, 2, max_norm=-1.0)
    with pytest.raises(ValueError, match=r"embedding: norm_type must be a positive number"):
        F.embedding(np.array([0]), Tensor(np.ones((3, 2))), max_norm=1.0, norm_type=0)


# ------------------------------------------------------------------ LSTM proj_size, device and dtype


@pytest.mark.parametrize("kw", [
    dict(proj_size=2),
    dict(proj_size=3, num_layers=2, bidirectional=True),
    dict(proj_size=1, num_layers=2, batch_first=True, bias=False),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lstm_with_projection_matches_torch(kw, dtype):
    rng = np.random.default_rng(6)
    tol = TOL if dtype == np.float64 else 1e-5
    tm = torch.nn.LSTM(3, 5, **kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    m = _load(nn.LSTM(3, 5, **kw), tm).to(dtype)
    assert list(m.state_dict()) == list(tm.state_dict())
    n = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    x = rng.standard_normal((2, 6, 3) if kw.get("batch_first") else (6, 2, 3)).astype(dtype)
    h0 = rng.standard_normal((n, 2, kw["proj_size"])).astype(dtype)
    c0 = rng.standard_normal((n, 2, 5)).astype(dtype)
    ours_in = [Tensor(a, requires_grad=True) for a in (x, h0, c0)]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in (x, h0, c0)]
    out, (h_n, c_n) = m(ours_in[0], (ours_in[1], ours_in[2]))
    t_out, (t_h, t_c) = tm(theirs_in[0], (theirs_in[1], theirs_in[2]))
    for a, b in ((out, t_out), (h_n, t_h), (c_n, t_c)):
        _close(a, b, tol)
    us = [rng.standard_normal(t.shape).astype(dtype) for t in (t_out, t_h, t_c)]
    ((out * Tensor(us[0])).sum() + (h_n * Tensor(us[1])).sum() + (c_n * Tensor(us[2])).sum()).backward()
    ((t_out * torch.tensor(us[0])).sum() + (t_h * torch.tensor(us[1])).sum()
     + (t_c * torch.tensor(us[2])).sum()).backward()
    for a, b in zip(ours_in, theirs_in):
        _close(a.grad, b.grad, tol)
    _grads_match(m, tm, tol)


def test_unbatched_lstm_with_projection_and_zero_states_matches_torch():
    rng = np.random.default_rng(7)
    tm = torch.nn.LSTM(3, 4, proj_size=2, num_layers=2).double()
    m = _load(nn.LSTM(3, 4, proj_size=2, num_layers=2), tm)
    x = rng.standard_normal((5, 3))
    out, (h_n, c_n) = m(Tensor(x))
    t_out, (t_h, t_c) = tm(torch.tensor(x))
    assert out.shape == (5, 2) and h_n.shape == (2, 2) and c_n.shape == (2, 4)
    for a, b in ((out, t_out), (h_n, t_h), (c_n, t_c)):
        _close(a, b)


def test_lstm_projection_bad_arguments_and_states():
    with pytest.raises(ValueError, match="proj_size=4 must be smaller than hidden_size=4"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size must be an int >= 0"):
        nn.LSTM(3, 4, proj_size=-1)
    m = nn.LSTM(3, 4, proj_size=2)
    x = Tensor(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"h_0 has shape \(1, 2, 4\), expected \(1, 2, 2\) .*proj_size"):
        m(x, (Tensor(np.zeros((1, 2, 4))), Tensor(np.zeros((1, 2, 4)))))
    with pytest.raises(ValueError, match=r"hx must be a pair"):
        m(x, Tensor(np.zeros((1, 2, 2))))
    with pytest.raises(ValueError, match="the input has 4 features"):
        m(Tensor(np.zeros((5, 2, 4))))


def test_lstm_with_projection_to_torch_and_back():
    rng = np.random.default_rng(8)
    layer = nn.LSTM(3, 5, proj_size=2, bidirectional=True, seed=0)
    x = rng.standard_normal((4, 2, 3))
    ours = layer(Tensor(x))[0].data
    twin = nn.to_torch(layer)
    assert twin.proj_size == 2
    np.testing.assert_allclose(twin(torch.tensor(x))[0].detach().numpy(), ours, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(nn.from_torch(twin)(Tensor(x))[0].data, ours, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_recurrent_layers_take_torchs_device_and_dtype(kind):
    m = getattr(nn, kind)(3, 4, num_layers=2, device="cpu", dtype=np.float32)
    assert all(p.dtype == np.float32 for p in m.parameters())
    out = m(Tensor(np.ones((5, 2, 3), dtype=np.float32)))[0]
    assert out.dtype == np.float32
    with pytest.raises(RuntimeError, match="CPU only"):
        getattr(nn, kind)(3, 4, device="cuda")


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cells_take_torchs_device_and_dtype(kind):
    m = getattr(nn, kind)(3, 4, True, device="cpu", dtype=np.float32)
    assert all(p.dtype == np.float32 for p in m.parameters())
    out = m(Tensor(np.ones((2, 3), dtype=np.float32)))
    assert (out[0] if isinstance(out, tuple) else out).dtype == np.float32
    with pytest.raises(RuntimeError, match="CPU only"):
        getattr(nn, kind)(3, 4, device="cuda")


@pytest.mark.parametrize("make", [
    lambda **kw: nn.BatchNorm2d(3, **kw), lambda **kw: nn.BatchNorm1d(3, **kw), lambda **kw: nn.LayerNorm(3, **kw),
    lambda **kw: nn.GroupNorm(1, 3, **kw), lambda **kw: nn.Conv2d(3, 3, 1, **kw), lambda **kw: nn.Conv1d(3, 3, 1, **kw),
    lambda **kw: nn.ConvTranspose2d(3, 3, 1, **kw),
])
def test_conv_and_norm_layers_take_torchs_device_and_dtype(make):
    m = make(device="cpu", dtype=np.float32)
    assert all(p.dtype == np.float32 for p in m.parameters())
    for name, b in m.named_buffers():
        assert b.dtype == (np.int64 if name == "num_batches_tracked" else np.float32)
    with pytest.raises(RuntimeError, match="CPU only"):
        make(device="cuda")


def test_batchnorm_device_and_dtype_in_torchs_positions():
    m = nn.BatchNorm2d(3, 1e-5, 0.1, True, True, "cpu", np.float32)
    y = m(Tensor(np.ones((2, 3, 2, 2), dtype=np.float32)))
    assert y.dtype == np.float32 and m.running_mean.dtype == np.float32


# ------------------------------------------------------------------ errors name the layer


@pytest.mark.parametrize("call, pattern", [
    (lambda: nn.MaxPool2d(7)(np.zeros((2, 3, 5, 5))), r"MaxPool2d\(kernel_size=7\): kernel \(7, 7\).*larger than "
     r"the padded input.*\(2, 3, 5, 5\).*smaller kernel"),
    (lambda: nn.MaxPool1d(2)(np.zeros((2, 3, 5, 5))), r"MaxPool1d\(kernel_size=2\): expected a 3-D input .*"
     r"\(2, 3, 5, 5\); reshape"),
    (lambda: nn.AvgPool2d(3)(np.zeros((1, 2, 2))), r"AvgPool2d\(kernel_size=3\): kernel \(3, 3\).*\(1, 2, 2\)"),
    (lambda: nn.AvgPool2d(2, divisor_override=0)(np.zeros((1, 4, 4))), r"AvgPool2d\(kernel_size=2\): divisor_override"),
    (lambda: nn.AdaptiveAvgPool2d(2)(np.zeros(5)), r"AdaptiveAvgPool2d\(output_size=2\): expected a 4-D .*\(5,\)"),
    (lambda: nn.AdaptiveMaxPool1d(0)(np.zeros((1, 1, 4))), r"AdaptiveMaxPool1d\(output_size=0\): output_size must"),
    (lambda: nn.Upsample(size=0)(np.zeros((1, 1, 3, 3))), r"Upsample: size must be a positive int"),
    (lambda: nn.Upsample(scale_factor=2, mode="bilinear")(np.zeros((1, 1, 3))), r"Upsample: mode 'bilinear' needs"),
    (lambda: nn.Dropout2d(0.2)(np.zeros((2, 3))), r"Dropout2d\(p=0.2\): expected input of shape \(N, C, H, W\) "
     r".*got shape \(2, 3\); add the missing axes"),
])
def test_pool_resize_and_dropout_errors_name_the_layer_the_shapes_and_the_fix(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_functional_pool_errors_still_name_the_function():
    with pytest.raises(ValueError, match=r"max_pool2d: kernel \(5, 5\)"):
        F.max_pool2d(np.zeros((1, 1, 3, 3)), 5)
    with pytest.raises(ValueError, match=r"dropout2d: expected input"):
        F.dropout2d(np.zeros(3))


# ------------------------------------------------------------------ MaxUnpool1d/2d (MaxPool's return_indices, undone)


@pytest.mark.parametrize("nd, shape, kw, output_size", [
    (2, (2, 3, 6, 8), dict(kernel_size=2), None),
    (2, (2, 3, 7, 7), dict(kernel_size=3, stride=2, padding=1), None),
    (2, (2, 3, 7, 7), dict(kernel_size=2), (7, 7)),
    (2, (2, 3, 7, 7), dict(kernel_size=2), (2, 3, 7, 7)),
    (2, (3, 7, 6), dict(kernel_size=(2, 3), stride=(2, 1)), None),
    (1, (2, 3, 9), dict(kernel_size=3, stride=2), None),
    (1, (2, 3, 9), dict(kernel_size=2), (9,)),
])
def test_max_unpool_matches_torch(nd, shape, kw, output_size):
    rng = np.random.default_rng(9)
    x = rng.standard_normal(shape)
    extra = {} if output_size is None else {"output_size": output_size}
    tx, gx = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    t_out, t_idx = getattr(torch.nn, f"MaxPool{nd}d")(**kw, return_indices=True)(tx)
    out, idx = getattr(nn, f"MaxPool{nd}d")(**kw, return_indices=True)(gx)
    theirs = getattr(torch.nn, f"MaxUnpool{nd}d")(**kw)(t_out, t_idx, **extra)
    ours = getattr(nn, f"MaxUnpool{nd}d")(**kw)(out, idx, **extra)
    _close(ours, theirs)
    _close(getattr(F, f"max_unpool{nd}d")(out, idx, **kw, **extra), theirs)
    u = rng.standard_normal(theirs.shape)
    (ours * Tensor(u)).sum().backward()
    (theirs * torch.tensor(u)).sum().backward()
    _close(gx.grad, tx.grad)


def test_max_unpool_gradcheck_and_graph_label():
    from autograd import draw_graph, gradcheck

    rng = np.random.default_rng(10)
    x = Tensor(rng.standard_normal((2, 2, 4, 4)), requires_grad=True)
    _, idx = nn.MaxPool2d(2, return_indices=True)(x)
    y = Tensor(rng.standard_normal((2, 2, 2, 2)), requires_grad=True)
    assert gradcheck(lambda t: nn.MaxUnpool2d(2)(t, idx), [y])
    assert 'label="MaxUnpool (2, 2, 2, 2) -> (2, 2, 4, 4)"' in draw_graph(nn.MaxUnpool2d(2)(y, idx).sum()).source


@pytest.mark.parametrize("call, pattern", [
    (lambda: nn.MaxUnpool2d(2)(Tensor(np.zeros((1, 1, 2, 2))), np.zeros((1, 1, 3, 3), dtype=np.int64)),
     r"MaxUnpool2d\(kernel_size=2\): indices must be MaxPool2d's .*\(1, 1, 2, 2\).*\(1, 1, 3, 3\)"),
    (lambda: nn.MaxUnpool2d(2)(Tensor(np.zeros((1, 1, 2, 2))), np.full((1, 1, 2, 2), 16)),
     r"MaxUnpool2d\(kernel_size=2\): index 16 is out of range for an output of size \(4, 4\).*output_size"),
    (lambda: nn.MaxUnpool2d(2)(Tensor(np.zeros((1, 1, 2, 2))), np.zeros((1, 1, 2, 2), dtype=np.int64),
                               output_size=(9, 9)), r"output_size \(9, 9\) is not reachable .*of \(4, 4\)"),
    (lambda: nn.MaxUnpool1d(2)(Tensor(np.zeros((2, 2, 2, 2))), np.zeros((2, 2, 2, 2), dtype=np.int64)),
     r"MaxUnpool1d\(kernel_size=2\): expected a 3-D input"),
    (lambda: nn.MaxUnpool2d(2, stride=0), r"MaxUnpool2d: stride must be a positive int"),
])
def test_max_unpool_bad_input(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_interpolate_takes_torchs_antialias_argument():
    x = np.random.default_rng(11).standard_normal((1, 2, 5, 4))
    ours = F.interpolate(Tensor(x), size=(7, 3), mode="bilinear", align_corners=False, antialias=False)
    _close(ours, torch.nn.functional.interpolate(torch.tensor(x), size=(7, 3), mode="bilinear", antialias=False))
    with pytest.raises(ValueError, match="interpolate: antialias=True is not supported"):
        F.interpolate(Tensor(x), scale_factor=0.5, mode="bilinear", antialias=True)


def test_flatten_parameters_is_accepted_and_changes_nothing():
    m = nn.GRU(3, 4, seed=0)
    before = {k: np.array(v) for k, v in m.state_dict().items()}
    assert m.flatten_parameters() is None
    assert all(np.array_equal(before[k], np.asarray(v)) for k, v in m.state_dict().items())


def test_dropout2d_reads_a_3d_input_as_torch_does():
    x = np.ones((4, 6, 5))
    with pytest.warns(UserWarning, match="channel-wise 1D dropout"):
        theirs = torch.nn.Dropout2d(0.5)(torch.tensor(x)).numpy()  # torch 2.x: 1-D channel dropout, a warning
    with pytest.warns(UserWarning, match=r"Dropout2d\(p=0.5\): a 3-D input \(4, 6, 5\) is read as \(N, C, L\)"):
        ours = nn.Dropout2d(0.5, seed=0)(Tensor(x)).data
    for y in (ours, theirs):
        whole_rows = (y == 0).all(axis=2) | (y == 2).all(axis=2)
        assert whole_rows.all()
        assert 0 < (y[:, :, 0] == 0).mean() < 1
    assert not all(((ours[n] == 0).all() or (ours[n] == 2).all()) for n in range(4))  # rows, not whole planes


def test_lstm_with_projection_truncates_bptt_as_the_plain_lstm():
    x = np.random.default_rng(12).standard_normal((8, 2, 3))
    reached = []
    for proj in (0, 2):
        m = nn.LSTM(3, 4, proj_size=proj, bptt_truncate=3, seed=0)
        gx = Tensor(x, requires_grad=True)
        m(gx)[0][7].sum().backward()
        reached.append(np.abs(gx.grad.data).sum(axis=(1, 2)) > 0)
    np.testing.assert_array_equal(reached[0], reached[1])
    np.testing.assert_array_equal(reached[1], [False] * 6 + [True] * 2)


def test_embedding_max_norm_on_a_weight_used_before_is_torchs_inplace_error():
    emb = nn.Embedding(4, 3, max_norm=0.5, seed=0)
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    tied = (x @ emb.weight.T).sum()  # the weight, saved for backward, then renormalised in place
    emb(np.array([1, 2]))
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tied.backward()
    emb.weight.grad = None
    (emb(np.array([1, 2])) * 2.0).sum().backward()  # read after the change: fine
    assert emb.weight.grad.data[1].tolist() == [2.0, 2.0, 2.0]


# ------------------------------------------------------------------ reset_parameters


@pytest.mark.parametrize("make, bound", [
    (lambda: nn.Conv2d(4, 6, 3, groups=2), 1 / np.sqrt(2 * 9)),
    (lambda: nn.Conv2d(2, 3, 3, mode="scalar"), 1 / np.sqrt(2 * 9)),
    (lambda: nn.Conv1d(3, 2, 5), 1 / np.sqrt(15)),
    (lambda: nn.ConvTranspose2d(4, 6, 2, groups=2), 1 / np.sqrt(3 * 4)),
    (lambda: nn.LSTM(3, 16, num_layers=2, bidirectional=True, proj_size=4), 1 / 4),
    (lambda: nn.GRUCell(3, 25), 1 / 5),
    (lambda: nn.RNNCell(3, 4, mode="scalar"), 1 / 2),
    (lambda: nn.Linear(9, 5), 1 / 3),
    (lambda: nn.Linear(4, 3, mode="scalar"), 1 / 2),
])
def test_reset_parameters_redraws_torchs_init_in_place(make, bound):
    from nn.module import parameter_array

    m = make()
    params = dict(m.named_parameters())
    before = {k: np.array(parameter_array(p), dtype=float) for k, p in params.items()}
    for p in params.values():
        if isinstance(p, Tensor):
            p.data[...] = 9.0
    m.reset_parameters(seed=1)
    assert all(p is params[k] for k, p in m.named_parameters())  # the same objects, new numbers
    for k, p in m.named_parameters():
        now = np.array(parameter_array(p), dtype=float)
        assert np.all(np.abs(now) <= bound) and not np.array_equal(now, before[k])
        assert np.abs(now).max() > 0.5 * bound


def test_norm_and_embedding_reset_parameters():
    bn = nn.BatchNorm2d(3)
    bn(Tensor(np.random.default_rng(0).standard_normal((4, 3, 2, 2)) + 5))
    bn.weight.data[...] = 3
    bn.reset_parameters()
    assert np.all(bn.weight.data == 1) and np.all(bn.bias.data == 0)
    assert np.all(bn.running_mean.data == 0) and np.all(bn.running_var.data == 1)
    assert int(bn.num_batches_tracked.data) == 0
    for m in (nn.LayerNorm(4), nn.GroupNorm(2, 4)):
        m.weight.data[...], m.bias.data[...] = 2, 3
        m.reset_parameters()
        assert np.all(m.weight.data == 1) and np.all(m.bias.data == 0)
    emb = nn.Embedding(50, 8, padding_idx=3)
    emb.reset_parameters(seed=0)
    assert np.all(emb.weight.data[3] == 0) and 0.8 < emb.weight.data.std() < 1.2


# ------------------------------------------------------------------ LSTMCell / GRUCell in scalar mode


def _value_data(a):
    return np.vectorize(lambda v: v.data)(a)


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_scalar_lstm_and_gru_cells_match_torch_over_three_steps(kind, bias, batched):
    rng = np.random.default_rng(16)
    tc = getattr(torch.nn, kind)(2, 3, bias=bias).double()
    cell = _load(getattr(nn, kind)(2, 3, bias=bias, mode="scalar"), tc)
    xs = rng.standard_normal((3, 2, 2) if batched else (3, 2))
    ours = theirs = None
    for t in range(3):
        ours, theirs = cell(xs[t], ours), tc(torch.tensor(xs[t]), theirs)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for a, b in zip(ours, theirs):
        assert a.dtype == object and a.shape == tuple(b.shape)
        _close(_value_data(a), b, 1e-12)
    loss = sum(v * (k + 1) for k, v in enumerate(ours[-1].reshape(-1)))
    loss.backward()
    (theirs[-1].reshape(-1) * torch.arange(1, theirs[-1].numel() + 1)).sum().backward()
    tp = dict(tc.named_parameters())
    for name, p in cell.named_parameters():
        _close(np.vectorize(lambda v: v.grad)(p), tp[name].grad, 1e-12)


def test_scalar_lstm_cell_takes_states_and_converts_to_tensor_mode():
    cell = nn.LSTMCell(2, 3, mode="scalar", seed=0)
    x, h0, c0 = np.array([0.1, -0.2]), np.full(3, 0.5), np.ones(3)
    h, c = cell(x, (h0, c0))
    th, tc = cell.to_tensor()(Tensor(x), (Tensor(h0), Tensor(c0)))
    _close(_value_data(h), torch.tensor(th.data), 1e-12)
    _close(_value_data(c), torch.tensor(tc.data), 1e-12)
    assert repr(cell) == "LSTMCell(2, 3, mode='scalar')"
    with pytest.raises(ValueError, match=r"LSTMCell\(input_size=2, hidden_size=3\): hx must be a pair"):
        cell(x, h0)
    with pytest.raises(ValueError, match=r"GRUCell\(input_size=2, hidden_size=3\): hx has shape \(4,\), "
                                         r"expected \(3,\)"):
        nn.GRUCell(2, 3, mode="scalar")(x, np.zeros(4))
    with pytest.raises(ValueError, match=r"expected input of shape \(B, 2\) or \(2,\), got shape \(3,\)"):
        nn.GRUCell(2, 3, mode="scalar")(np.zeros(3))


def test_dropout2d_takes_torchs_inplace_argument():
    x = Tensor(np.ones((4, 6, 3, 3)), requires_grad=True)
    h = x * 1.0
    out = nn.Dropout2d(0.5, True, seed=0)(h)  # torch's positional order: p, inplace
    assert out is h and np.all((h.data == 0) | (h.data == 2))
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.data, h.data)  # d/dx of the scaled copy: the mask itself
    y = Tensor(np.ones((2, 3, 2, 2)))
    assert F.dropout2d(y, 0.5, True, True) is y
    assert repr(nn.Dropout2d(0.25)) == "Dropout2d(p=0.25, inplace=False)"
    with pytest.raises(TypeError, match="inplace=True needs a Tensor"):
        F.dropout2d(np.ones((2, 3, 2, 2)), 0.5, True, True)
