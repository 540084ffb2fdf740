"""nn.functional.glu / rms_norm / scaled_dot_product_attention / multi_head_attention_forward and the modules
GLU, RMSNorm, MultiheadAttention, TransformerEncoderLayer, TransformerEncoder against torch (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from nn import functional as F

RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-10, atol=1e-12)


def _pair(shape, torch):
    a = RNG.standard_normal(shape)
    return autograd.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _backward_both(out, tout, torch):
    w = RNG.standard_normal(out.shape)
    (out * autograd.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()


def _close(x, t):
    np.testing.assert_allclose(x.data, t.detach().numpy(), **TOL)


def test_glu_against_torch(backend) -> None:
    torch = pytest.importorskip("torch")
    for dim in (-1, 0, 1):
        x, tx = _pair((4, 6, 2), torch)
        out, tout = F.glu(x, dim), torch.nn.functional.glu(tx, dim)
        _close(out, tout)
        _backward_both(out, tout, torch)
        _close(x.grad, tx.grad)
    np.testing.assert_allclose(nn.GLU(1)(x).data, torch.nn.GLU(1)(tx).detach().numpy(), **TOL)
    autograd.gradcheck(lambda t: F.glu(t[:, ::2], 0), (autograd.tensor(RNG.standard_normal((4, 6)),
                                                                       requires_grad=True),))
    with pytest.raises(ValueError, match="glu: halving dimension must be even, but dimension 1 .* has size 3"):
        F.glu(autograd.ones(2, 3), 1)


def test_rms_norm_against_torch(backend) -> None:
    torch = pytest.importorskip("torch")
    for shape, norm, eps in [((3, 4, 5), (5,), None), ((3, 4, 5), (4, 5), 1e-3), ((2, 6), 6, 0.1)]:
        x, tx = _pair(shape, torch)
        wshape = (norm,) if isinstance(norm, int) else norm
        w, tw = _pair(wshape, torch)
        out = F.rms_norm(x, norm, w, eps)
        tout = torch.nn.functional.rms_norm(tx, list(wshape), tw, eps)
        _close(out, tout)
        _backward_both(out, tout, torch)
        _close(x.grad, tx.grad)
        _close(w.grad, tw.grad)
    x32 = autograd.tensor(RNG.standard_normal((2, 3)) * 1e-5, dtype=np.float32)
    t32 = torch.tensor(x32.data)
    m, tm = nn.RMSNorm(3), torch.nn.RMSNorm(3)
    assert m.eps is None and list(m.state_dict()) == list(tm.state_dict()) == ["weight"]
    np.testing.assert_allclose(m(x32).data, tm(t32).detach().numpy(), rtol=1e-5)  # eps = finfo(float32).eps
    assert nn.RMSNorm([2, 3], elementwise_affine=False).weight is None
    base = autograd.tensor(RNG.standard_normal((3, 8)), requires_grad=True)
    autograd.gradcheck(lambda b: F.rms_norm(b[:, ::2], 4, eps=1e-6), (base,))


@pytest.mark.parametrize("case", ["plain", "bool_mask", "float_mask", "causal", "scale", "broadcast_mask", "gqa",
                                  "wide_value"])
def test_sdpa_against_torch(case, backend) -> None:
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    N, H, L, S, E = 2, 4, 5, 7, 3
    kw, tkw = {}, {}
    if case == "causal":
        S = L
        kw = tkw = {"is_causal": True}
    q, tq = _pair((N, H, L, E), torch)
    kv_heads = 2 if case == "gqa" else H
    k, tk = _pair((N, kv_heads, S, E), torch)
    v, tv = _pair((N, kv_heads, S, 6 if case == "wide_value" else E), torch)
    if case == "bool_mask":
        m = RNG.random((N, H, L, S)) > 0.3
        m[..., 0] = True  # every query sees one key at least
        kw = {"attn_mask": autograd.tensor(m, dtype=bool)}
        tkw = {"attn_mask": torch.tensor(m)}
    elif case in ("float_mask", "broadcast_mask"):
        m = RNG.standard_normal((N, H, L, S) if case == "float_mask" else (L, S))
        kw, tkw = {"attn_mask": autograd.tensor(m)}, {"attn_mask": torch.tensor(m)}
    elif case == "scale":
        kw = tkw = {"scale": 0.3}
    elif case == "gqa":
        kw = tkw = {"enable_gqa": True}
    out = F.scaled_dot_product_attention(q, k, v, **kw)
    tout = tf.scaled_dot_product_attention(tq, tk, tv, **tkw)
    _close(out, tout)
    _backward_both(out, tout, torch)
    for a, t in ((q, tq), (k, tk), (v, tv)):
        _close(a.grad, t.grad)


def test_sdpa_gradcheck_dropout_and_errors(backend) -> None:
    q = autograd.tensor(RNG.standard_normal((2, 3, 4)), requires_grad=True)
    k = autograd.tensor(RNG.standard_normal((2, 5, 4)), requires_grad=True)
    v = autograd.tensor(RNG.standard_normal((2, 5, 3)), requires_grad=True)
    autograd.gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c), (q, k, v))
    g = autograd.Generator().manual_seed(1)
    d1 = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, generator=g).data
    g.manual_seed(1)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, generator=g).data, d1)
    assert not np.allclose(d1, F.scaled_dot_product_attention(q, k, v).data)
    with pytest.raises(ValueError, match="scaled_dot_product_attention: query .* do not fit"):
        F.scaled_dot_product_attention(q, k, v[:, :4])
    with pytest.raises(ValueError, match="give attn_mask or is_causal=True, not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=autograd.ones(3, 3), is_causal=True)
    with pytest.raises(ValueError, match="attn_mask of shape .* does not broadcast"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=autograd.ones(3, 4))


MHA_CASES = {
    "plain": ({}, {}),
    "batch_first": ({"batch_first": True}, {}),
    "kdim_vdim": ({"kdim": 5, "vdim": 3}, {}),
    "no_bias": ({"bias": False}, {}),
    "bias_kv_zero_attn": ({"add_bias_kv": True, "add_zero_attn": True}, {"kpm": "bool", "mask": "bool2"}),
    "bool_masks": ({}, {"kpm": "bool", "mask": "bool2"}),
    "float_masks": ({}, {"kpm": "float", "mask": "float3"}),
    "per_head_weights": ({}, {"average_attn_weights": False}),
    "no_weights": ({}, {"need_weights": False, "mask": "causal"}),
    "unbatched": ({}, {"unbatched": True, "kpm": "bool"}),
}


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_against_torch(case, backend) -> None:
    torch = pytest.importorskip("torch")
    ctor, call = MHA_CASES[case]
    E, H, L, S, N = 8, 2, 4, 5, 3
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **ctor)
    m = nn.MultiheadAttention(E, H, **ctor)
    assert list(m.state_dict()) == list(tm.state_dict()) or sorted(m.state_dict()) == sorted(tm.state_dict())
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    bf, unb = ctor.get("batch_first", False), call.get("unbatched", False)
    kd, vd = ctor.get("kdim", E), ctor.get("vdim", E)
    if case == "no_weights":
        S = L

    def shape(length, width):
        return (length, width) if unb else ((N, length, width) if bf else (length, N, width))

    (q, tq), (k, tk), (v, tv) = _pair(shape(L, E), torch), _pair(shape(S, kd), torch), _pair(shape(S, vd), torch)
    kw, tkw = {}, {}
    for name in ("need_weights", "average_attn_weights"):
        if name in call:
            kw[name] = tkw[name] = call[name]
    if call.get("kpm"):
        pad = RNG.random((S,) if unb else (N, S)) > 0.6
        pad[..., 0] = False
        if call["kpm"] == "bool":
            kw["key_padding_mask"], tkw["key_padding_mask"] = autograd.tensor(pad, dtype=bool), torch.tensor(pad)
        else:
            f = np.where(pad, -1e9, 0.0) + RNG.standard_normal(pad.shape)
            kw["key_padding_mask"], tkw["key_padding_mask"] = autograd.tensor(f), torch.tensor(f)
    mask = call.get("mask")
    if mask == "bool2":
        mm = RNG.random((L, S)) > 0.7
        mm[:, 0] = False
        kw["attn_mask"], tkw["attn_mask"] = autograd.tensor(mm, dtype=bool), torch.tensor(mm)
    elif mask == "float3":
        mm = RNG.standard_normal((N * H, L, S))
        kw["attn_mask"], tkw["attn_mask"] = autograd.tensor(mm), torch.tensor(mm)
    elif mask == "causal":
        mm = np.triu(np.ones((L, L), dtype=bool), 1)
        kw.update(attn_mask=autograd.tensor(mm, dtype=bool), is_causal=True)
        tkw.update(attn_mask=torch.tensor(mm), is_causal=True)
    out, w = m(q, k, v, **kw)
    tout, tw = tm(tq, tk, tv, **tkw)
    _close(out, tout)
    if tw is None:
        assert w is None
    else:
        _close(w, tw)
    _backward_both(out, tout, torch)
    for a, t in ((q, tq), (k, tk), (v, tv)):
        _close(a.grad, t.grad)
    tgrads = {n: p.grad for n, p in tm.named_parameters()}
    for n, p in m.named_parameters():
        _close(p.grad, tgrads[n])


def test_multihead_attention_gradcheck_dropout_and_errors(backend) -> None:
    m = nn.MultiheadAttention(4, 2, seed=0)
    x = autograd.tensor(RNG.standard_normal((3, 2, 4)), requires_grad=True)
    autograd.gradcheck(lambda t: m(t, t, t)[0], (x,))
    drop = nn.MultiheadAttention(4, 2, dropout=0.5, seed=0)
    a = drop(x, x, x)[1].data
    assert not np.allclose(a, drop(x, x, x)[1].data)  # training: a new dropout mask each call
    drop.eval()
    np.testing.assert_allclose(drop(x, x, x)[0].data, drop(x, x, x)[0].data)
    with pytest.raises(ValueError, match="embed_dim 5 must be divisible by num_heads 2"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="query of shape .* must end in embed_dim=4"):
        m(x[..., :3], x, x)
    with pytest.raises(ValueError, match=r"key_padding_mask should have shape \(2, 3\)"):
        m(x, x, x, key_padding_mask=autograd.zeros(2, 4, dtype=bool))
    with pytest.raises(ValueError, match=r"the 2-D attn_mask should have shape \(3, 3\)"):
        m(x, x, x, attn_mask=autograd.zeros(3, 4))
    with pytest.raises(RuntimeError, match="is_causal=True is a hint that needs attn_mask"):
        m(x, x, x, is_causal=True)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_encoder_layer_against_torch(norm_first, activation, batch_first, backend) -> None:
    torch = pytest.importorskip("torch")
    d, h, ff, L, N = 8, 2, 16, 5, 3
    torch.manual_seed(1)
    tl = torch.nn.TransformerEncoderLayer(d, h, ff, dropout=0.0, activation=activation, batch_first=batch_first,
                                          norm_first=norm_first, dtype=torch.float64)
    layer = nn.TransformerEncoderLayer(d, h, ff, dropout=0.0, activation=activation, batch_first=batch_first,
                                       norm_first=norm_first)
    assert sorted(layer.state_dict()) == sorted(tl.state_dict())
    layer.load_state_dict({k: v.numpy() for k, v in tl.state_dict().items()})
    x, tx = _pair((N, L, d) if batch_first else (L, N, d), torch)
    pad = np.zeros((N, L), dtype=bool)
    pad[0, -2:] = True
    out = layer(x, src_key_padding_mask=autograd.tensor(pad, dtype=bool))
    tout = tl(tx, src_key_padding_mask=torch.tensor(pad))
    _close(out, tout)
    _backward_both(out, tout, torch)
    _close(x.grad, tx.grad)
    tgrads = {n: p.grad for n, p in tl.named_parameters()}
    for n, p in layer.named_parameters():
        _close(p.grad, tgrads[n])


def test_transformer_encoder_against_torch(backend) -> None:
    torch = pytest.importorskip("torch")
    d, L, N = 8, 4, 2
    torch.manual_seed(2)
    tenc = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(d, 2, 12, dropout=0.0, dtype=torch.float64), 2,
        norm=torch.nn.LayerNorm(d, dtype=torch.float64), enable_nested_tensor=False)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, 2, 12, dropout=0.0), 2, norm=nn.LayerNorm(d))
    assert sorted(enc.state_dict()) == sorted(tenc.state_dict())
    enc.load_state_dict({k: v.numpy() for k, v in tenc.state_dict().items()})
    x, tx = _pair((L, N, d), torch)
    causal = np.triu(np.full((L, L), -np.inf), 1)
    out, tout = enc(x, mask=autograd.tensor(causal)), tenc(tx, mask=torch.tensor(causal))
    _close(out, tout)
    _backward_both(out, tout, torch)
    _close(x.grad, tx.grad)
    with pytest.raises(ValueError, match="activation should be relu/gelu or a function"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")


def test_linear_and_dropout(backend) -> None:
    torch = pytest.importorskip("torch")
    (x, tx), (w, tw), (b, tb) = _pair((4, 3), torch), _pair((5, 3), torch), _pair((5,), torch)
    out, tout = F.linear(x, w, b), torch.nn.functional.linear(tx, tw, tb)
    _close(out, tout)
    _backward_both(out, tout, torch)
    for a, t in ((x, tx), (w, tw), (b, tb)):
        _close(a.grad, t.grad)
    with pytest.raises(ValueError, match=r"linear: input of shape \(4, 3\) does not fit weight of shape \(3, 5\)"):
        F.linear(x, w.T)
    y = autograd.ones(2000)
    assert F.dropout(y, 0.3, training=False) is y
    d = F.dropout(y, 0.25, generator=autograd.Generator().manual_seed(0)).data
    assert set(np.unique(d)) <= {0.0, 1 / 0.75} and abs((d == 0).mean() - 0.25) < 0.04
    np.testing.assert_array_equal(F.dropout(y, 0.25, generator=autograd.Generator().manual_seed(0)).data, d)
    assert (F.dropout(y, 1.0).data == 0).all()
    with pytest.raises(ValueError, match="dropout: p is a probability"):
        F.dropout(y, 1.5)


def test_float32_stays_float32(backend) -> None:
    q = autograd.tensor(RNG.standard_normal((3, 2, 4)), dtype=np.float32)
    assert F.scaled_dot_product_attention(q, q, q, attn_mask=autograd.zeros(2, 2)).dtype == np.float32
    m = nn.MultiheadAttention(4, 2, dtype=np.float32)
    out, w = m(q, q, q, attn_mask=autograd.zeros(3, 3))
    assert out.dtype == w.dtype == np.float32 and {p.dtype for p in m.parameters()} == {np.dtype(np.float32)}
    layer = nn.TransformerEncoderLayer(4, 2, 8, dtype=np.float32)
    assert layer(q).dtype == np.float32 and {p.dtype for p in layer.parameters()} == {np.dtype(np.float32)}
    assert nn.RMSNorm(4, dtype=np.float32)(q).dtype == np.float32


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_decoder_layer_against_torch(norm_first, backend) -> None:
    torch = pytest.importorskip("torch")
    d, L, S, N = 8, 4, 5, 2
    torch.manual_seed(3)
    tl = torch.nn.TransformerDecoderLayer(d, 2, 12, dropout=0.0, norm_first=norm_first, batch_first=True,
                                          activation="gelu", dtype=torch.float64)
    layer = nn.TransformerDecoderLayer(d, 2, 12, dropout=0.0, norm_first=norm_first, batch_first=True,
                                       activation="gelu")
    assert sorted(layer.state_dict()) == sorted(tl.state_dict())
    layer.load_state_dict({k: v.numpy() for k, v in tl.state_dict().items()})
    (x, tx), (m, tm) = _pair((N, L, d), torch), _pair((N, S, d), torch)
    causal = nn.Transformer.generate_square_subsequent_mask(L)
    np.testing.assert_array_equal(causal.data, torch.nn.Transformer.generate_square_subsequent_mask(
        L, dtype=torch.float64).numpy())
    pad = np.zeros((N, S), dtype=bool)
    pad[1, -1] = True
    out = layer(x, m, tgt_mask=causal, memory_key_padding_mask=autograd.tensor(pad, dtype=bool))
    tout = tl(tx, tm, tgt_mask=torch.tensor(causal.data), memory_key_padding_mask=torch.tensor(pad))
    _close(out, tout)
    _backward_both(out, tout, torch)
    _close(x.grad, tx.grad)
    _close(m.grad, tm.grad)
    tgrads = {n: p.grad for n, p in tl.named_parameters()}
    for n, p in layer.named_parameters():
        _close(p.grad, tgrads[n])


def test_transformer_against_torch(backend) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(4)
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=12, dropout=0.0)
    tt = torch.nn.Transformer(**kw, dtype=torch.float64)
    model = nn.Transformer(**kw)
    assert sorted(model.state_dict()) == sorted(tt.state_dict())
    w = model.encoder.layers[0].linear1.weight.data
    bound = np.sqrt(6 / (8 + 12))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.5 * bound  # torch's xavier-uniform reset
    model.load_state_dict({k: v.numpy() for k, v in tt.state_dict().items()})
    (src, tsrc), (tgt, ttgt) = _pair((5, 2, 8), torch), _pair((3, 2, 8), torch)
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    out = model(src, tgt, tgt_mask=mask)
    tout = tt(tsrc, ttgt, tgt_mask=torch.tensor(mask.data))
    _close(out, tout)
    _backward_both(out, tout, torch)
    _close(src.grad, tsrc.grad)
    _close(tgt.grad, ttgt.grad)
    with pytest.raises(ValueError, match="the feature number of src"):
        model(src[..., :4], tgt)
