"""nn.init's torch spellings (uniform_, kaiming_uniform_, ...) with generator=: torch's bounds, fans and gains."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from nn import init

ARGS = {  # name: (positional arguments after the tensor, keyword arguments)
    "uniform_": ((-0.5, 2.0), {}),
    "normal_": ((1.0, 0.1), {}),
    "trunc_normal_": ((0.0, 1.0, -0.5, 0.8), {}),
    "xavier_uniform_": ((2.0,), {}),
    "xavier_normal_": ((), {}),
    "kaiming_uniform_": ((math.sqrt(5),), {}),
    "kaiming_normal_": ((), {"mode": "fan_out", "nonlinearity": "relu"}),
    "orthogonal_": ((), {}),
    "sparse_": ((0.5,), {}),
}


def _fill(module, name, t, g):
    args, kw = ARGS[name]
    return getattr(module, name)(t, *args, generator=g, **kw)


FILLS = {name: (lambda t, g, name=name: _fill(init, name, t, g)) for name in ARGS}


@pytest.mark.parametrize("name", list(FILLS))
def test_same_generator_seed_same_numbers_in_place(name, backend) -> None:
    p = nn.Parameter(np.zeros((40, 30)))
    out = FILLS[name](p, autograd.Generator().manual_seed(3))
    assert out is p and p.requires_grad and p.is_leaf
    first = p.data.copy()
    FILLS[name](p, autograd.Generator().manual_seed(3))
    np.testing.assert_array_equal(p.data, first)
    FILLS[name](p, autograd.Generator().manual_seed(4))
    assert not np.array_equal(p.data, first)


def test_distributions_match_torch(backend) -> None:
    torch = pytest.importorskip("torch")
    shape = (200, 300)
    for name in FILLS:
        ours = FILLS[name](autograd.zeros(*shape), autograd.Generator().manual_seed(0)).data
        theirs = _fill(torch.nn.init, name, torch.zeros(*shape, dtype=torch.float64),
                       torch.Generator().manual_seed(0)).numpy()
        assert abs(ours.std() - theirs.std()) < 0.03 * theirs.std(), name
        assert abs(ours.mean() - theirs.mean()) < 0.03 * max(theirs.std(), 1e-3), name
        if name in ("uniform_", "xavier_uniform_", "kaiming_uniform_", "trunc_normal_"):
            assert ours.min() >= theirs.min() - 0.01 * theirs.std() and ours.max() <= theirs.max() + 0.01 * theirs.std()
    q = init.orthogonal_(autograd.zeros(5, 8)).data
    np.testing.assert_allclose(q @ q.T, np.eye(5), atol=1e-12)
    assert (init.sparse_(autograd.zeros(10, 4), 0.3).data == 0).sum(axis=0).min() >= 3
    for args in [("linear",), ("tanh",), ("relu",), ("leaky_relu",), ("leaky_relu", 0.2), ("selu",), ("conv2d",)]:
        assert init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))
    assert init.eye_(autograd.zeros(2, 3)).data.tolist() == torch.nn.init.eye_(torch.zeros(2, 3)).tolist()
    assert init.constant_(autograd.zeros(2), 0.5).data.tolist() == [0.5, 0.5]


def test_default_generator_and_errors(backend) -> None:
    autograd.manual_seed(5)
    a = init.kaiming_uniform_(autograd.zeros(3, 4)).data
    autograd.manual_seed(5)
    np.testing.assert_array_equal(init.kaiming_uniform_(autograd.zeros(3, 4)).data, a)
    with pytest.raises(ValueError, match="fan in and fan out can not be computed"):
        init.xavier_uniform_(autograd.zeros(3))
    with pytest.raises(ValueError, match="mode 'fan_mid' not supported"):
        init.kaiming_normal_(autograd.zeros(3, 3), mode="fan_mid")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(TypeError, match="init.uniform_: expected a Tensor"):
        init.uniform_(np.zeros(3))
