"""nn.EmbeddingBag / F.embedding_bag against torch: every mode, offsets, 2-D bags, padding_idx, empty bags,
per-sample weights; the weight's (and the per-sample weights') gradients; both backends."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd.gradcheck import gradcheck
from nn import functional as F

RNG = np.random.default_rng(3)
W = RNG.standard_normal((10, 4))
IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9])
CASES = [
    dict(input=IDX, offsets=np.array([0, 4])),
    dict(input=IDX, offsets=np.array([0, 3, 3, 8]), include_last_offset=True),  # an empty bag in the middle
    dict(input=IDX.reshape(2, 4)),
    dict(input=np.array([1, 0, 4, 0, 4, 3, 0, 9]), offsets=np.array([0, 2, 5]), padding_idx=0),
    dict(input=np.array([0, 0, 4, 5]), offsets=np.array([0, 2]), padding_idx=0),  # a bag of padding only
    dict(input=IDX, offsets=np.array([0, 2, 8])),  # the last offset at the end: an empty last bag
]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_embedding_bag_matches_torch(backend, mode, case):
    torch = pytest.importorskip("torch")
    kw = dict(CASES[case])
    inp, off = kw.pop("input"), kw.pop("offsets", None)
    w, tw = autograd.tensor(W, requires_grad=True), torch.tensor(W, requires_grad=True)
    out = F.embedding_bag(autograd.tensor(inp), w, None if off is None else autograd.tensor(off), mode=mode, **kw)
    ref = torch.nn.functional.embedding_bag(torch.tensor(inp), tw, None if off is None else torch.tensor(off),
                                            mode=mode, **kw)
    g = RNG.standard_normal(tuple(ref.shape))
    out.backward(g)
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_per_sample_weights_and_their_gradient(backend):
    torch = pytest.importorskip("torch")
    ps = RNG.standard_normal(8)
    w, p = autograd.tensor(W, requires_grad=True), autograd.tensor(ps, requires_grad=True)
    tw, tp = torch.tensor(W, requires_grad=True), torch.tensor(ps, requires_grad=True)
    out = F.embedding_bag(IDX, w, np.array([0, 5]), mode="sum", per_sample_weights=p)
    ref = torch.nn.functional.embedding_bag(torch.tensor(IDX), tw, torch.tensor([0, 5]), mode="sum",
                                            per_sample_weights=tp)
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12)
    assert gradcheck(lambda w, p: F.embedding_bag(IDX, w, np.array([0, 3]), mode="sum", per_sample_weights=p),
                     (autograd.tensor(W, requires_grad=True), autograd.tensor(ps, requires_grad=True)))


def test_module_trains_a_text_classifier_like_torchs_tutorial(backend):
    torch = pytest.importorskip("torch")
    bag = nn.EmbeddingBag(20, 6, mode="mean", seed=0)
    fc = nn.Linear(6, 3, seed=1)
    tbag = torch.nn.EmbeddingBag(20, 6, mode="mean", dtype=torch.float64)
    tfc = torch.nn.Linear(6, 3, dtype=torch.float64)
    with torch.no_grad():
        tbag.weight.copy_(torch.tensor(bag.weight.data))
        tfc.weight.copy_(torch.tensor(fc.weight.data))
        tfc.bias.copy_(torch.tensor(fc.bias.data))
    text = RNG.integers(0, 20, 30)
    offsets = np.array([0, 7, 12, 20, 26])
    label = np.array([0, 2, 1, 1, 0])
    import optim
    opt = optim.SGD(list(bag.parameters()) + list(fc.parameters()), lr=0.5)
    topt = torch.optim.SGD(list(tbag.parameters()) + list(tfc.parameters()), lr=0.5)
    for _ in range(5):
        loss = F.cross_entropy(fc(bag(autograd.tensor(text), autograd.tensor(offsets))), label)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tloss = torch.nn.functional.cross_entropy(tfc(tbag(torch.tensor(text), torch.tensor(offsets))),
                                                  torch.tensor(label))
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert abs(float(loss.data) - tloss.item()) < 1e-10
    assert repr(bag) == repr(tbag)
    assert repr(nn.EmbeddingBag(10, 3, mode="sum", padding_idx=1)) == repr(
        torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=1))


def test_from_pretrained_freezes():
    bag = nn.EmbeddingBag.from_pretrained(W, mode="max")
    assert not bag.weight.requires_grad and bag(IDX.reshape(4, 2)).shape == (4, 4)
    assert nn.EmbeddingBag.from_pretrained(W, freeze=False).weight.requires_grad


def test_embedding_bag_bad_input():
    with pytest.raises(ValueError, match="embedding_bag: a 1-D input needs offsets"):
        F.embedding_bag(IDX, W)
    with pytest.raises(ValueError, match="offsets must be None for a 2-D input"):
        F.embedding_bag(IDX.reshape(2, 4), W, np.array([0]))
    with pytest.raises(ValueError, match="offsets must start at 0"):
        F.embedding_bag(IDX, W, np.array([1, 3]))
    with pytest.raises(ValueError, match="per_sample_weights needs mode='sum'"):
        F.embedding_bag(IDX, W, np.array([0]), per_sample_weights=np.ones(8))
    with pytest.raises(ValueError, match="per_sample_weights must have the input's shape"):
        F.embedding_bag(IDX, W, np.array([0]), mode="sum", per_sample_weights=np.ones(3))
    with pytest.raises(IndexError, match="index 12 is out of range for 10 embeddings"):
        F.embedding_bag(np.array([1, 12]), W, np.array([0]))
    with pytest.raises(ValueError, match="mode must be one of"):
        nn.EmbeddingBag(4, 2, mode="median")
