"""RNN, LSTM, GRU and their cells: torch's numbers, shapes and state_dict keys, BPTT (and its truncation),
float64 gradcheck, second derivatives, scalar mode, the drawn graph, and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, gradcheck
from autograd.ops.recurrent import GRUCell as GRUCellOp
from autograd.ops.recurrent import LSTMCell as LSTMCellOp
from autograd.ops.recurrent import RNNCell as RNNCellOp

torch = pytest.importorskip("torch")

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _pair(kind, dtype=np.float64, **kw):
    """A torch layer and ours with the torch layer's weights loaded from its state_dict."""
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    tm = getattr(torch.nn, kind)(**kw).to(tdt)
    m = getattr(nn, kind)(**kw)
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    m.to(dtype)
    return tm, m


def _close(ours, theirs, dtype):
    ours = ours.data if isinstance(ours, Tensor) else ours
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    tol = TOL[dtype]
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def _states(kind, layers, batch, hidden, rng, dtype):
    shape = (layers, batch, hidden) if batch else (layers, hidden)
    h0 = rng.standard_normal(shape).astype(dtype)
    if kind == "LSTM":
        c0 = rng.standard_normal(shape).astype(dtype)
        return (Tensor(h0, requires_grad=True), Tensor(c0, requires_grad=True)), (
            torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True))
    return Tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)


def _loss(out, hn, w_out, w_h):
    h = hn[0] if isinstance(hn, tuple) else hn
    loss = (out * w_out).sum() + (h * w_h).sum()
    if isinstance(hn, tuple):
        loss = loss + (hn[1] * hn[1]).sum()
    return loss


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("layers,bidirectional,batch_first", [(1, False, False), (2, True, False), (2, False, True)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layer_matches_torch_forward_and_backward(kind, layers, bidirectional, batch_first, dtype):
    rng = np.random.default_rng(0)
    tm, m = _pair(kind, dtype, input_size=3, hidden_size=4, num_layers=layers, bidirectional=bidirectional,
                  batch_first=batch_first)
    d = 2 if bidirectional else 1
    x = rng.standard_normal((2, 5, 3) if batch_first else (5, 2, 3)).astype(dtype)
    X, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    hx, thx = _states(kind, layers * d, 2, 4, rng, dtype)
    out, hn = m(X, hx)
    tout, thn = tm(tx, thx)
    _close(out, tout, dtype)
    assert out.shape == ((2, 5, 4 * d) if batch_first else (5, 2, 4 * d))
    if kind == "LSTM":
        _close(hn[0], thn[0], dtype)
        _close(hn[1], thn[1], dtype)
    else:
        _close(hn, thn, dtype)
    w_out = rng.standard_normal(out.shape).astype(dtype)
    w_h = rng.standard_normal((layers * d, 2, 4)).astype(dtype)
    _loss(out, hn, w_out, w_h).backward()
    _loss(tout, thn, torch.tensor(w_out), torch.tensor(w_h)).backward()
    _close(X.grad, tx.grad, dtype)
    for a, b in zip(hx if isinstance(hx, tuple) else (hx,), thx if isinstance(thx, tuple) else (thx,)):
        _close(a.grad, b.grad, dtype)
    for name, p in tm.named_parameters():
        _close(getattr(m, name).grad, p.grad, dtype)


def test_relu_rnn_without_bias_and_unbatched_input_match_torch():
    rng = np.random.default_rng(1)
    tm, m = _pair("RNN", input_size=3, hidden_size=4, nonlinearity="relu", bias=False, num_layers=2)
    assert set(m.state_dict()) == {"weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"}
    x = rng.standard_normal((6, 3))
    X, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, hn = m(X)
    tout, thn = tm(tx)
    _close(out, tout, np.float64)
    _close(hn, thn, np.float64)
    (out.sum() + hn.sum()).backward()
    (tout.sum() + thn.sum()).backward()
    _close(X.grad, tx.grad, np.float64)
    _close(m.weight_hh_l1.grad, tm.weight_hh_l1.grad, np.float64)


def test_unbatched_lstm_with_states_matches_torch():
    rng = np.random.default_rng(2)
    tm, m = _pair("LSTM", input_size=2, hidden_size=3, bidirectional=True)
    x = rng.standard_normal((4, 2))
    hx, thx = _states("LSTM", 2, 0, 3, rng, np.float64)
    out, (h, c) = m(Tensor(x), hx)
    tout, (th, tc) = tm(torch.tensor(x), thx)
    assert out.shape == (4, 6) and h.shape == (2, 3) and c.shape == (2, 3)
    _close(out, tout, np.float64)
    _close(c, tc, np.float64)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_state_dict_keys_and_shapes_are_torchs(kind):
    tm = getattr(torch.nn, kind)(3, 5, num_layers=2, bidirectional=True)
    m = getattr(nn, kind)(3, 5, num_layers=2, bidirectional=True)
    ours, theirs = m.state_dict(), tm.state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[k].shape == tuple(theirs[k].shape) for k in theirs)
    bound = 1 / np.sqrt(5)
    assert all(np.abs(v).max() <= bound for v in ours.values())  # torch's U(-1/sqrt(H), 1/sqrt(H))


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cells_match_torch_over_three_steps(kind, dtype):
    rng = np.random.default_rng(3)
    tm, m = _pair(kind, dtype, input_size=3, hidden_size=4)
    xs = rng.standard_normal((3, 2, 3)).astype(dtype)
    X, tx = Tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
    state, tstate = None, None
    loss, tloss = 0.0, 0.0
    for t in range(3):
        state = m(X[t], state)
        tstate = tm(tx[t], tstate)
        h, th = (state[0], tstate[0]) if kind == "LSTMCell" else (state, tstate)
        _close(h, th, dtype)
        loss = loss + (h * (t + 1)).sum()
        tloss = tloss + (th * (t + 1)).sum()
    if kind == "LSTMCell":
        loss = loss + (state[1] * state[1]).sum()
        tloss = tloss + (tstate[1] * tstate[1]).sum()
    loss.backward()
    tloss.backward()
    _close(X.grad, tx.grad, dtype)
    for name, p in tm.named_parameters():
        _close(getattr(m, name).grad, p.grad, dtype)


def test_lstm_cells_chained_pass_their_state_as_one_node():
    cell = nn.LSTMCell(2, 3, seed=0)
    x = Tensor(np.ones((1, 2)))
    h, c = cell(x)
    h2, c2 = cell(x, (h, c))
    op_node = h2._parents[0]
    assert op_node._op is LSTMCellOp
    assert op_node._parents[1] is h._parents[0]  # the previous cell's (2, B, H) output, no re-stacking


def _rand(rng, *shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_op_gradcheck(nonlinearity):
    rng = np.random.default_rng(4)
    ins = [_rand(rng, 2, 3), _rand(rng, 2, 4), _rand(rng, 4, 3), _rand(rng, 4, 4), _rand(rng, 4), _rand(rng, 4)]
    assert gradcheck(lambda *a: RNNCellOp.apply(*a, nonlinearity=nonlinearity), ins)


def test_lstm_and_gru_cell_ops_gradcheck():
    rng = np.random.default_rng(5)
    ins = [_rand(rng, 2, 3), _rand(rng, 2, 2, 4), _rand(rng, 16, 3), _rand(rng, 16, 4), _rand(rng, 16), _rand(rng, 16)]
    assert gradcheck(LSTMCellOp.apply, ins)
    ins = [_rand(rng, 2, 3), _rand(rng, 2, 4), _rand(rng, 12, 3), _rand(rng, 12, 4), _rand(rng, 12), _rand(rng, 12)]
    assert gradcheck(GRUCellOp.apply, ins)
    assert gradcheck(lambda x, h, wi, wh: GRUCellOp.apply(x, h, wi, wh), ins[:4])  # without biases


def test_lstm_layer_gradcheck_through_time():
    m = nn.LSTM(2, 2, num_layers=2, bidirectional=True, seed=0)
    names = ("weight_hh_l0", "weight_ih_l1_reverse", "bias_hh_l1")
    x = Tensor(np.random.default_rng(6).standard_normal((3, 1, 2)), requires_grad=True)

    def f(x, *ps):
        m._parameters.update(dict(zip(names, ps)))
        out, (h, c) = m(x)
        return out.sum(axis=-1) + c.sum()

    assert gradcheck(f, [x] + [Tensor(getattr(m, n).data.copy(), requires_grad=True) for n in names])


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell", "RNNCell"])
def test_second_derivatives_match_torch(kind):
    rng = np.random.default_rng(7)
    tm, m = _pair(kind, input_size=2, hidden_size=3)
    x = rng.standard_normal((2, 2))
    X, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(X), tm(tx)
    h, th = (out[0] * out[1], tout[0] * tout[1]) if kind == "LSTMCell" else (out, tout)
    (gx,) = autograd.gradients((h * h).sum(), [X], create_graph=True)
    (tgx,) = torch.autograd.grad((th * th).sum(), [tx], create_graph=True)
    (gx * gx).sum().backward()
    (tgx * tgx).sum().backward()
    _close(X.grad, tx.grad, np.float64)
    _close(m.weight_hh.grad, tm.weight_hh.grad, np.float64)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_bptt_truncate_stops_gradient_after_k_steps(kind):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((10, 2, 3))
    full = getattr(nn, kind)(3, 4, seed=0)
    cut = getattr(nn, kind)(3, 4, seed=0, bptt_truncate=3)
    grads = []
    for m in (full, cut):
        X = Tensor(x, requires_grad=True)
        out, _ = m(X)
        out[-1].sum().backward()  # the loss reads the last step only
        grads.append(np.abs(X.grad.data).sum(axis=(1, 2)))
    np.testing.assert_allclose(full(Tensor(x))[0].data, cut(Tensor(x))[0].data)  # same forward numbers
    assert np.all(grads[0] > 0)  # untruncated: every step gets gradient
    # truncated: detached after steps 3, 6 and 9, so only the last chunk (step 9) gets any
    assert np.all(grads[1][:9] == 0) and grads[1][9] > 0
    assert np.all(grads[1][: 10 - 3] == 0)  # in particular nothing beyond k = 3 steps back


def test_detach_state_carries_a_state_without_its_graph():
    m = nn.LSTM(2, 3, seed=0)
    _, state = m(Tensor(np.ones((2, 1, 2))))
    carried = nn.rnn.detach_state(state)
    assert all(not s.requires_grad for s in carried)
    np.testing.assert_array_equal(carried[0].data, state[0].data)


def test_dropout_between_layers_only_in_training():
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5, seed=0)
    x = Tensor(np.ones((5, 2, 3)))
    a, b = m(x)[0].data, m(x)[0].data
    assert not np.allclose(a, b)
    m.eval()
    np.testing.assert_array_equal(m(x)[0].data, m(x)[0].data)


def test_scalar_rnn_cell_matches_tensor_mode_over_three_steps():
    cell = nn.RNNCell(2, 3, seed=0)
    scalar = cell.to_scalar()
    assert scalar.mode == "scalar"
    xs = np.random.default_rng(9).standard_normal((3, 2))
    h, hs = None, None
    X = Tensor(xs, requires_grad=True)
    for t in range(3):
        h = cell(X[t], h)
        hs = scalar(xs[t], hs)
        np.testing.assert_allclose([v.data for v in hs], h.data, rtol=1e-12, atol=1e-12)
    h.sum().backward()
    total = autograd.Value.sum(list(hs))
    total.backward()
    np.testing.assert_allclose(np.array([v.grad for v in scalar.weight_hh.flat]).reshape(3, 3),
                               cell.weight_hh.grad, rtol=1e-10, atol=1e-12)


def test_scalar_rnn_cell_draws_one_graph_through_time():
    cell = nn.RNNCell(1, 2, mode="scalar", seed=0)
    h = None
    for t in range(3):
        h = cell([float(t)], h)
    src = autograd.dot_source(h[0])
    assert "W_hh" in src and "tanh" in src


def test_draw_graph_labels_a_cell_step_with_its_op_and_shapes():
    m = nn.LSTM(3, 4, seed=0)
    out, _ = m(Tensor(np.ones((2, 5, 3))))
    src = autograd.dot_source(out)
    assert "LSTMCell step 0 h(5, 4)" in src and "LSTMCell step 1 h(5, 4)" in src  # one node per time step
    assert src.count("LSTMCell step") == 2
    assert "LSTMInput X(2, 5, 3)" in src  # the input half of every step's product, one node
    h, c = nn.LSTMCell(3, 4, seed=0)(Tensor(np.ones((5, 3))))
    assert "LSTMCell x(5, 3) h(5, 4)" in autograd.dot_source(h)


# ---------------------------------------------------------------- bad input


def test_wrong_feature_count_names_the_layer_and_the_fix():
    with pytest.raises(ValueError, match=r"LSTM\(input_size=3, hidden_size=4\).*4 features.*input_size=4"):
        nn.LSTM(3, 4)(Tensor(np.ones((5, 2, 4))))
    with pytest.raises(ValueError, match=r"GRUCell.*shape \(B, 3\)"):
        nn.GRUCell(3, 4)(Tensor(np.ones((2, 5))))


def test_sequence_of_wrong_rank():
    with pytest.raises(ValueError, match=r"RNN.*\(T, B, 3\).*4 dimensions"):
        nn.RNN(3, 4)(Tensor(np.ones((5, 2, 1, 3))))
    with pytest.raises(ValueError, match=r"GRU.*\(B, T, 3\)"):
        nn.GRU(3, 4, batch_first=True)(Tensor(np.ones(3)))


def test_wrong_initial_state_shapes():
    with pytest.raises(ValueError, match=r"h_0 has shape \(1, 2, 4\), expected \(2, 2, 4\)"):
        nn.GRU(3, 4, num_layers=2)(Tensor(np.ones((5, 2, 3))), Tensor(np.zeros((1, 2, 4))))
    with pytest.raises(ValueError, match=r"c_0 has shape"):
        nn.LSTM(3, 4)(Tensor(np.ones((5, 2, 3))), (Tensor(np.zeros((1, 2, 4))), Tensor(np.zeros((1, 3, 4)))))
    with pytest.raises(ValueError, match=r"pair \(h_0, c_0\)"):
        nn.LSTM(3, 4)(Tensor(np.ones((5, 2, 3))), Tensor(np.zeros((1, 2, 4))))
    with pytest.raises(ValueError, match=r"hx has shape \(3, 4\), expected \(2, 4\)"):
        nn.RNNCell(3, 4)(Tensor(np.ones((2, 3))), Tensor(np.zeros((3, 4))))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="bptt_truncate"):
        nn.RNN(3, 4, bptt_truncate=0)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_layer_backward_twice_with_retain_graph_accumulates_exactly(kind):
    m = getattr(nn, kind)(2, 3, num_layers=2, bidirectional=True, seed=0)
    X = Tensor(np.random.default_rng(10).standard_normal((4, 2, 2)), requires_grad=True)
    loss = (m(X)[0] ** 2).sum()
    loss.backward(retain_graph=True)
    once, w_once = X.grad.data.copy(), m.weight_ih_l0.grad.data.copy()
    loss.backward()
    np.testing.assert_allclose(X.grad, 2 * once, rtol=1e-12)
    np.testing.assert_allclose(m.weight_ih_l0.grad, 2 * w_once, rtol=1e-12)
    (gx,) = autograd.gradients((m(X)[0] ** 2).sum(), [X])  # a walk that asks for X alone
    np.testing.assert_allclose(gx.data if isinstance(gx, Tensor) else gx, once, rtol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_layer_second_derivatives_match_torch(kind):
    rng = np.random.default_rng(11)
    tm, m = _pair(kind, input_size=2, hidden_size=3, num_layers=2)
    x = rng.standard_normal((3, 2, 2))
    X, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(X)[0], tm(tx)[0]
    (gx,) = autograd.gradients((out * out).sum(), [X], create_graph=True)
    (tgx,) = torch.autograd.grad((tout * tout).sum(), [tx], create_graph=True)
    _close(gx, tgx, np.float64)
    (gx * gx).sum().backward()
    (tgx * tgx).sum().backward()
    _close(X.grad, tx.grad, np.float64)
    _close(m.weight_hh_l1.grad, tm.weight_hh_l1.grad, np.float64)
    _close(m.weight_ih_l0.grad, tm.weight_ih_l0.grad, np.float64)
