"""nn.utils.rnn: pad/pack/unpad/unpack sequences and PackedSequence through nn.RNN/LSTM/GRU, against torch
(float64 to 1e-10: data, batch_sizes, indices, outputs, h_n, c_n and every gradient), float64 central
differences, torch's NamedTuple behaviour, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

torch = pytest.importorskip("torch")
tr = torch.nn.utils.rnn

TOL = 1e-10


def _close(ours, theirs):
    ours = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)


def _same_ints(ours, theirs):
    if theirs is None:
        assert ours is None
        return
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def _both(x):
    return Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def test_import_paths_and_old_names():
    import nn.utils.rnn as mod

    assert nn.utils.rnn is mod
    assert nn.utils.rnn.pad_sequence is pad_sequence
    assert set(mod.__all__) >= {"PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
                                "pack_sequence", "unpad_sequence", "unpack_sequence"}
    assert callable(nn.utils.clip_grad_norm_) and nn.utils.data.DataLoader is nn.DataLoader


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch_with_gradients(batch_first, side):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((n, 2, 3)) for n in (3, 5, 1)]
    ours, theirs = zip(*[_both(x) for x in xs])
    out = pad_sequence(list(ours), batch_first=batch_first, padding_value=-1.5, padding_side=side)
    tout = tr.pad_sequence(list(theirs), batch_first=batch_first, padding_value=-1.5, padding_side=side)
    _close(out, tout)
    w = rng.standard_normal(out.shape)
    (out * Tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        _close(a.grad, b.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [([5, 3, 3, 1], True), ([2, 5, 1, 5, 3], False),
                                                    ([4, 4, 4], False)])
def test_pack_padded_sequence_matches_torch(batch_first, lengths, enforce_sorted):
    rng = np.random.default_rng(1)
    b, t = len(lengths), 5
    x = rng.standard_normal((b, t, 2) if batch_first else (t, b, 2))
    X, tx = _both(x)
    p = pack_padded_sequence(X, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    tp = tr.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert isinstance(p, PackedSequence) and isinstance(p, tuple)
    _close(p.data, tp.data)
    _same_ints(p.batch_sizes, tp.batch_sizes)
    _same_ints(p.sorted_indices, tp.sorted_indices)
    _same_ints(p.unsorted_indices, tp.unsorted_indices)
    w = rng.standard_normal(p.data.shape)
    (p.data * Tensor(w)).sum().backward()
    (tp.data * torch.tensor(w)).sum().backward()
    _close(X.grad, tx.grad)
    # the round trip pack -> pad, with a padding value, to a longer total length
    pad, lens = pad_packed_sequence(p, batch_first=batch_first, padding_value=7.0, total_length=6)
    tpad, tlens = tr.pad_packed_sequence(tp, batch_first=batch_first, padding_value=7.0, total_length=6)
    _close(pad, tpad)
    _same_ints(lens, tlens)
    np.testing.assert_array_equal(lens.data, lengths)
    pad2, _ = pad_packed_sequence(p, batch_first=batch_first)
    T = max(lengths)  # padded to the longest sequence
    keep = (np.arange(T)[None, :] < np.array(lengths)[:, None])  # (B, T)
    keep, x = (keep, x[:, :T]) if batch_first else (keep.T, x[:T])
    np.testing.assert_array_equal(pad2.data[keep], x[keep])
    assert not pad2.data[~keep].any()


def test_lengths_may_be_a_tensor_or_array():
    x = Tensor(np.arange(12.0).reshape(3, 2, 2))
    for lengths in (Tensor._make(np.array([3, 1])), np.array([3, 1]), (3, 1), torch.tensor([3, 1])):
        p = pack_padded_sequence(x, lengths)
        np.testing.assert_array_equal(p.batch_sizes.data, [2, 1, 1])


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_and_unpack_sequence_and_unpad_match_torch(enforce_sorted):
    rng = np.random.default_rng(2)
    ns = (4, 2, 1) if enforce_sorted else (2, 4, 1, 3)
    xs = [rng.standard_normal((n, 3)) for n in ns]
    ours, theirs = zip(*[_both(x) for x in xs])
    p = pack_sequence(list(ours), enforce_sorted=enforce_sorted)
    tp = tr.pack_sequence(list(theirs), enforce_sorted=enforce_sorted)
    _close(p.data, tp.data)
    _same_ints(p.batch_sizes, tp.batch_sizes)
    back, tback = unpack_sequence(p), tr.unpack_sequence(tp)
    assert len(back) == len(tback)
    for a, b, x in zip(back, tback, xs):
        _close(a, b)
        np.testing.assert_array_equal(a.data, x)
    padded = pad_sequence(list(ours), batch_first=True)
    lengths = Tensor._make(np.array(ns))
    cut, tcut = unpad_sequence(padded, lengths, batch_first=True), tr.unpad_sequence(
        tr.pad_sequence(list(theirs), batch_first=True), torch.tensor(ns), batch_first=True)
    loss, tloss = sum((a * a).sum() for a in cut + back), sum((a * a).sum() for a in tcut + tback)
    for a, b in zip(cut, tcut):
        _close(a, b)
    loss.backward()
    tloss.backward()
    for a, b in zip(ours, theirs):
        _close(a.grad, b.grad)


def test_pad_and_pack_gradcheck():
    rng = np.random.default_rng(3)
    a, b = (Tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3), (4, 3)))

    def fn(a, b):
        p = pack_sequence([b, a])
        scale = pad_sequence([a, b], batch_first=True)[:, :1, :1]
        return pad_packed_sequence(p, batch_first=True, padding_value=2.0)[0] * scale

    assert gradcheck(fn, (a, b))


def test_packed_sequence_is_torchs_named_tuple():
    data = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    p = PackedSequence(data, [2, 1], [1, 0])
    t = tr.PackedSequence(torch.zeros(3, 2), torch.tensor([2, 1]), torch.tensor([1, 0]))
    assert p._fields == t._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    _same_ints(p.unsorted_indices, t.unsorted_indices)  # computed from sorted_indices when not given
    d, bs, si, ui = p
    assert d is data and bs.dtype == np.int64 and p[1] is bs
    f = p.float()
    assert f.data.dtype == np.float32 and f.batch_sizes is p.batch_sizes and f.sorted_indices is p.sorted_indices
    assert p.double() is p and p.to(np.float64) is p and p.cpu() is p and not p.is_cuda
    assert f.double().data.dtype == np.float64
    f.data.sum().backward()  # the conversion is on the graph
    np.testing.assert_array_equal(data.grad.data, np.ones((3, 2)))
    assert PackedSequence(data, [3]).sorted_indices is None
    assert "batch_sizes=" in repr(p)


# ------------------------------------------------------------------ the recurrent layers


def _pair(kind, **kw):
    tm = getattr(torch.nn, kind)(**kw).double().eval()
    m = getattr(nn, kind)(**kw).eval()
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return tm, m


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers,bidirectional,batch_first,enforce_sorted,with_hx", [
    (1, False, False, True, False),
    (2, True, False, False, True),
    (2, False, True, False, True),
    (1, True, True, False, False),
])
def test_layers_on_packed_sequences_match_torch(kind, layers, bidirectional, batch_first, enforce_sorted, with_hx):
    rng = np.random.default_rng(4)
    tm, m = _pair(kind, input_size=3, hidden_size=4, num_layers=layers, bidirectional=bidirectional,
                  batch_first=batch_first)
    lengths = [5, 4, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4, 5]
    b, t, d = len(lengths), 5, 2 if bidirectional else 1
    X, tx = _both(rng.standard_normal((b, t, 3) if batch_first else (t, b, 3)))
    p = pack_padded_sequence(X, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    tp = tr.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    hx = thx = None
    if with_hx:
        pairs = [_both(rng.standard_normal((layers * d, b, 4))) for _ in range(2 if kind == "LSTM" else 1)]
        hx, thx = (tuple(p_[0] for p_ in pairs), tuple(p_[1] for p_ in pairs)) if kind == "LSTM" else pairs[0]
    out, hn = m(p, hx)
    tout, thn = tm(tp, thx)
    assert isinstance(out, PackedSequence)
    _close(out.data, tout.data)
    for a, b_ in zip(out[1:], tout[1:]):
        _same_ints(a, b_)
    hs, ths = (hn, thn) if kind == "LSTM" else ((hn,), (thn,))
    for a, b_ in zip(hs, ths):
        _close(a, b_)
    pad, lens = pad_packed_sequence(out, batch_first=batch_first)
    tpad, _ = tr.pad_packed_sequence(tout, batch_first=batch_first)
    _close(pad, tpad)
    w = rng.standard_normal(pad.shape)
    ws = [rng.standard_normal(h.shape) for h in hs]
    loss = (pad * Tensor(w)).sum() + sum((h * Tensor(v)).sum() for h, v in zip(hs, ws))
    tloss = (tpad * torch.tensor(w)).sum() + sum((h * torch.tensor(v)).sum() for h, v in zip(ths, ws))
    loss.backward()
    tloss.backward()
    _close(X.grad, tx.grad)
    if with_hx:
        for a, b_ in zip(hx if kind == "LSTM" else (hx,), thx if kind == "LSTM" else (thx,)):
            _close(a.grad, b_.grad)
    ours = dict(m.named_parameters())
    for name, tp_ in tm.named_parameters():
        _close(ours[name].grad, tp_.grad)


def test_packed_lstm_with_proj_size_matches_torch():
    rng = np.random.default_rng(7)
    tm, m = _pair("LSTM", input_size=3, hidden_size=4, proj_size=2, num_layers=2, bidirectional=True)
    lengths = [3, 4, 1]
    X, tx = _both(rng.standard_normal((4, 3, 3)))
    (h0, th0), (c0, tc0) = _both(rng.standard_normal((4, 3, 2))), _both(rng.standard_normal((4, 3, 4)))
    out, (h, c) = m(pack_padded_sequence(X, lengths, enforce_sorted=False), (h0, c0))
    tout, (th, tc) = tm(tr.pack_padded_sequence(tx, lengths, enforce_sorted=False), (th0, tc0))
    for a, b in ((out.data, tout.data), (h, th), (c, tc)):
        _close(a, b)
    (out.data.sum() + (h * h).sum() + c.sum()).backward()
    (tout.data.sum() + (th * th).sum() + tc.sum()).backward()
    for a, b in ((X, tx), (h0, th0), (c0, tc0)):
        _close(a.grad, b.grad)
    ours = dict(m.named_parameters())
    for name, p in tm.named_parameters():
        _close(ours[name].grad, p.grad)
    _raises(ValueError, r"h_0 has shape \(4, 3, 4\), expected \(4, 3, 2\) \(num_layers \* num_directions, batch, "
            r"proj_size\)", m, pack_padded_sequence(X, lengths, enforce_sorted=False), (c0, c0))


def test_packed_final_state_is_each_sequences_last_step():
    """h_n of a packed batch equals running each sequence alone, unpadded (and the output likewise)."""
    rng = np.random.default_rng(5)
    m = nn.GRU(2, 3, num_layers=2, bidirectional=True, seed=0).eval()
    xs = [Tensor(rng.standard_normal((n, 2))) for n in (3, 1, 4)]
    out, hn = m(pack_sequence(xs, enforce_sorted=False))
    for i, (x, o) in enumerate(zip(xs, unpack_sequence(out))):
        o1, h1 = m(x)
        np.testing.assert_allclose(o.data, o1.data, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(hn.data[:, i], h1.data, rtol=1e-12, atol=1e-12)


def test_packed_lstm_gradcheck():
    rng = np.random.default_rng(6)
    m = nn.LSTM(2, 2, bidirectional=True, seed=1)
    x = Tensor(rng.standard_normal((3, 3, 2)), requires_grad=True)
    h0 = Tensor(rng.standard_normal((2, 3, 2)), requires_grad=True)

    def fn(x, h0):
        out, (h, c) = m(pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False), (h0, h0 * 0.5))
        return pad_packed_sequence(out)[0].sum(axis=2) + (h + c).sum(axis=(0, 2))

    assert gradcheck(fn, (x, h0))


# ------------------------------------------------------------------ bad input


def _raises(exc, match, fn, *args, **kw):
    with pytest.raises(exc, match=match):
        fn(*args, **kw)


def test_bad_input_names_the_function_and_the_fix():
    x = Tensor(np.zeros((4, 3, 2)))
    _raises(RuntimeError, r"pack_padded_sequence: .*sorted in decreasing order.*enforce_sorted=False",
            pack_padded_sequence, x, [2, 3, 1])
    _raises(RuntimeError, r"pack_sequence: .*enforce_sorted=False", pack_sequence, [x[0, :1], x[0]])
    _raises(RuntimeError, r"pack_padded_sequence: expected len\(lengths\) to be equal to batch_size, but got 2 "
            r"\(batch_size=3\)", pack_padded_sequence, x, [3, 2])
    _raises(RuntimeError, r"greater than 0, but found 0", pack_padded_sequence, x, [3, 0, 1], enforce_sorted=False)
    _raises(ValueError, r"a length is 5 but the input has only 4 time steps", pack_padded_sequence, x, [5, 2, 1])
    _raises(RuntimeError, r"1-D list or int64 tensor of ints", pack_padded_sequence, x, [[3, 2, 1]])
    _raises(RuntimeError, r"1-D list or int64 tensor of ints", pack_padded_sequence, x, [3.0, 2.0, 1.0])
    _raises(ValueError, r"time and a batch axis", pack_padded_sequence, Tensor(np.zeros(3)), [1])
    _raises(TypeError, r"pack_padded_sequence: input must be a Tensor, got list", pack_padded_sequence, [[1.0]], [1])
    _raises(TypeError, r"enforce_sorted must be True or False", pack_padded_sequence, x, [3, 2, 1],
            enforce_sorted="no")
    _raises(RuntimeError, r"pad_sequence: received an empty list", pad_sequence, [])
    _raises(RuntimeError, r"pad_sequence: sequences\[1\] has shape \(2, 4\) but sequences\[0\] has \(2, 3\)",
            pad_sequence, [Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))])
    _raises(RuntimeError, r"padding_side to be one of left or right, but got 'middle'", pad_sequence, [x],
            padding_side="middle")
    _raises(TypeError, r"pad_sequence: padding_value must be a number", pad_sequence, [x], padding_value="0")
    _raises(TypeError, r"pad_sequence: sequences must be a list of Tensors", pad_sequence, 3)
    _raises(ValueError, r"pad_sequence: sequences\[0\] is a 0-d Tensor", pad_sequence, [Tensor(1.0)])
    p = pack_padded_sequence(x, [3, 2, 1])
    _raises(ValueError, r"pad_packed_sequence: expected total_length to be at least .* total_length=2 and max "
            r"sequence length being 3", pad_packed_sequence, p, total_length=2)
    _raises(TypeError, r"pad_packed_sequence: expected a PackedSequence", pad_packed_sequence, x)
    _raises(TypeError, r"unpack_sequence: expected a PackedSequence", unpack_sequence, [x])
    _raises(ValueError, r"batch_sizes must be positive and non-increasing, got \[1, 2\]", pad_packed_sequence,
            PackedSequence(Tensor(np.zeros((3, 2))), [1, 2]))
    _raises(ValueError, r"data has shape \(4, 2\) but batch_sizes \[2, 1\] add up to 3 rows", pad_packed_sequence,
            PackedSequence(Tensor(np.zeros((4, 2))), [2, 1]))
    _raises(TypeError, r"PackedSequence: needs batch_sizes", PackedSequence, x)
    _raises(TypeError, r"PackedSequence: batch_sizes must be a 1-D tensor \(or list\) of ints", PackedSequence, x,
            [1.5])
    _raises(RuntimeError, r"unpad_sequence: expected len\(lengths\) to be equal to batch_size", unpad_sequence, x,
            [1, 1])


def test_layers_reject_bad_packed_input_and_states():
    p = pack_padded_sequence(Tensor(np.zeros((4, 3, 2))), [3, 2, 1])
    _raises(ValueError, r"LSTM\(input_size=2, hidden_size=3\): h_0 has shape \(1, 2, 3\), expected \(1, 3, 3\)",
            nn.LSTM(2, 3), p, (Tensor(np.zeros((1, 2, 3))), Tensor(np.zeros((1, 3, 3)))))
    _raises(ValueError, r"hx must be a pair \(h_0, c_0\)", nn.LSTM(2, 3), p, Tensor(np.zeros((1, 3, 3))))
    _raises(ValueError, r"GRU\(input_size=2, hidden_size=3\): hx must be one tensor h_0", nn.GRU(2, 3), p,
            (Tensor(np.zeros((1, 3, 3))),) * 2)
    _raises(ValueError, r"the input has 2 features on its last axis .* expected 5", nn.RNN(5, 3), p)
    flat = pack_padded_sequence(Tensor(np.zeros((4, 3))), [3, 2, 1])
    _raises(ValueError, r"RNN\(input_size=1, hidden_size=3\): a PackedSequence for a recurrent layer holds data of "
            r"shape \(N, 1\)", nn.RNN(1, 3), flat)


def test_packed_training_mode_with_dropout_runs_and_backpropagates():
    m = nn.LSTM(2, 3, num_layers=2, dropout=0.5, seed=0)  # train mode: the layer's own dropout between layers
    xs = [Tensor(np.ones((n, 2)), requires_grad=True) for n in (2, 4, 1)]
    out, (h, c) = m(pack_sequence(xs, enforce_sorted=False))
    np.testing.assert_array_equal(out.batch_sizes.data, [3, 2, 1, 1])
    assert out.data.shape == (7, 3) and h.shape == c.shape == (2, 3, 3)
    (out.data.sum() + h.sum()).backward()
    assert all(x.grad is not None and np.isfinite(x.grad.data).all() for x in xs)
    assert m.weight_ih_l0.grad is not None and np.abs(m.weight_ih_l0.grad.data).sum() > 0
