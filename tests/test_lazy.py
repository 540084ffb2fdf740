"""nn.LazyLinear and nn.LazyConv1d/2d/3d: the input size comes from the first call, into the same Parameters."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import optim


def test_lazy_linear_becomes_linear_and_trains_like_torch(backend):
    torch = pytest.importorskip("torch")
    model = nn.Sequential(nn.LazyLinear(8, seed=0), nn.ReLU(), nn.LazyLinear(3, seed=1))
    opt = optim.SGD(model.parameters(), lr=0.1)  # made before the first call, as torch's docs allow with care
    assert [tuple(p.shape) for p in model.parameters()] == [(0, 0), (0,), (0, 0), (0,)]
    x = np.random.default_rng(0).standard_normal((5, 4))
    y = model(autograd.tensor(x))
    assert y.shape == (5, 3) and type(model[0]) is nn.Linear and model[0].in_features == 4
    assert repr(model[2]).startswith("Linear(in_features=8, out_features=3")
    twin = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for t, p in zip(twin.parameters(), model.parameters()):
            t.copy_(torch.tensor(p.data))
    topt = torch.optim.SGD(twin.parameters(), lr=0.1)
    for _ in range(3):
        loss = (model(autograd.tensor(x)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        tloss = (twin(torch.tensor(x)) ** 2).mean()
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert abs(float(loss.data) - tloss.item()) < 1e-12


def test_lazy_linear_draws_what_linear_draws():
    lazy = nn.LazyLinear(5, seed=3)
    lazy(autograd.ones(2, 7))
    plain = nn.Linear(7, 5, seed=3)
    np.testing.assert_array_equal(lazy.weight.data, plain.weight.data)
    np.testing.assert_array_equal(lazy.bias.data, plain.bias.data)
    assert nn.LazyLinear(2, bias=False).bias is None


def test_lazy_repr_matches_torch_before_the_first_call():
    torch = pytest.importorskip("torch")
    assert repr(nn.LazyConv2d(6, 3, padding=1)) == repr(torch.nn.LazyConv2d(6, 3, padding=1))
    assert repr(nn.LazyLinear(3)).startswith("LazyLinear(in_features=0, out_features=3, bias=True")


@pytest.mark.parametrize("cls,shape,out", [("LazyConv1d", (2, 3, 9), (2, 4, 7)),
                                           ("LazyConv2d", (2, 3, 6, 6), (2, 4, 4, 4)),
                                           ("LazyConv3d", (3, 5, 5, 5), (4, 3, 3, 3))])  # the last one unbatched
def test_lazy_convs_read_the_channels(backend, cls, shape, out):
    conv = getattr(nn, cls)(4, 3, seed=0)
    y = conv(autograd.ones(*shape))
    assert y.shape == out and conv.in_channels == 3
    assert type(conv).__name__ == cls.replace("Lazy", "")
    y.sum().backward()
    assert conv.weight.grad.shape == conv.weight.shape


def test_hooks_registered_before_the_first_call_stay():
    seen = []
    lazy = nn.LazyLinear(2, seed=0)
    lazy.register_forward_hook(lambda m, inp, out: seen.append(out.shape))
    lazy(autograd.ones(3, 4))
    lazy(autograd.ones(1, 4))
    assert seen == [(3, 2), (1, 2)]


def test_lazy_bad_input():
    with pytest.raises(ValueError, match="out_features"):
        nn.LazyLinear(0)
    with pytest.raises(ValueError, match="LazyLinear: cannot read the input size"):
        nn.LazyLinear(2)(autograd.tensor(1.0))
    with pytest.raises(ValueError, match="kernel_size"):
        nn.LazyConv2d(2, 0)
