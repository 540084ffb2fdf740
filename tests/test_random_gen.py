"""autograd.Generator (torch.Generator) and generator= on the random functions and the data utilities."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from nn.data import DataLoader, TensorDataset, random_split

DRAWS = {
    "rand": lambda g: autograd.rand(2, 3, generator=g),
    "randn": lambda g: autograd.randn(4, generator=g),
    "randint": lambda g: autograd.randint(0, 10, (5,), generator=g),
    "randint_like": lambda g: autograd.randint_like(autograd.zeros(3), 7, generator=g),
    "randperm": lambda g: autograd.randperm(6, generator=g),
    "normal": lambda g: autograd.normal(0.0, 2.0, (3,), generator=g),
    "bernoulli": lambda g: autograd.bernoulli(autograd.full((6,), 0.5), generator=g),
    "multinomial": lambda g: autograd.multinomial(autograd.ones(2, 5), 3, generator=g),
    "rand_like": lambda g: autograd.rand_like(autograd.zeros(3), generator=g),
    "randn_like": lambda g: autograd.randn_like(autograd.zeros(3), generator=g),
    "uniform_": lambda g: autograd.zeros(4).uniform_(-1, 1, generator=g),
    "normal_": lambda g: autograd.zeros(4).normal_(generator=g),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_same_seed_same_numbers(name: str, backend: str) -> None:
    draw = DRAWS[name]
    g = autograd.Generator().manual_seed(1234)
    a, b = draw(g).data, draw(g).data
    g.manual_seed(1234)
    np.testing.assert_array_equal(draw(g).data, a)
    np.testing.assert_array_equal(draw(g).data, b)
    other = autograd.Generator().manual_seed(99)
    if name not in ("bernoulli", "multinomial", "randint_like"):  # few possible outcomes: may coincide
        assert not np.array_equal(draw(other).data, a)


def test_generator_does_not_touch_the_default_stream(backend: str) -> None:
    autograd.manual_seed(7)
    expected = autograd.rand(3).data
    autograd.manual_seed(7)
    autograd.rand(5, generator=autograd.Generator().manual_seed(0))
    np.testing.assert_array_equal(autograd.rand(3).data, expected)


def test_state_round_trip_and_seeds(backend: str) -> None:
    torch = pytest.importorskip("torch")
    g = autograd.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed()  # torch's default seed for a new generator
    assert g.manual_seed(-1).initial_seed() == torch.Generator().manual_seed(-1).initial_seed()
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    state = g.get_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    a = autograd.rand(3, generator=g).data
    g.set_state(state)
    np.testing.assert_array_equal(autograd.rand(3, generator=g).data, a)
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    assert str(g.device) == "cpu"


def test_default_generator_is_manual_seed(backend: str) -> None:
    assert autograd.manual_seed(11) is autograd.default_generator
    assert autograd.initial_seed() == 11 and autograd.random.initial_seed() == 11
    a = autograd.rand(2).data
    autograd.default_generator.manual_seed(11)
    np.testing.assert_array_equal(autograd.rand(2).data, a)
    state = autograd.get_rng_state()
    b = autograd.randn(3, generator=autograd.default_generator).data
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(autograd.randn(3).data, b)
    autograd.seed()
    assert autograd.initial_seed() != 11


def test_bad_generator_and_state(backend: str) -> None:
    with pytest.raises(TypeError, match="randperm: generator must be an autograd.Generator"):
        autograd.randperm(3, generator=3)
    with pytest.raises(TypeError, match="rand: give seed or generator"):
        autograd.rand(2, seed=1, generator=autograd.Generator())
    g = autograd.Generator()
    with pytest.raises(TypeError, match="set_state: expected the uint8 tensor"):
        g.set_state(autograd.zeros(4))
    with pytest.raises(ValueError, match="set_state: this is not a state"):
        g.set_state(autograd.tensor(np.arange(10, dtype=np.uint8), dtype=np.uint8))
    with pytest.raises(TypeError, match="manual_seed: the seed must be an int"):
        g.manual_seed(1.5)
    with pytest.raises(RuntimeError, match="CPU only"):
        autograd.Generator("cuda")


def test_data_utilities_take_a_generator(backend: str) -> None:
    ds = TensorDataset(autograd.arange(10.0), autograd.arange(10.0))
    parts = random_split(ds, [6, 4], generator=autograd.Generator().manual_seed(0))
    again = random_split(ds, [6, 4], generator=autograd.Generator().manual_seed(0))
    assert [p.indices for p in parts] == [p.indices for p in again]
    g = autograd.Generator().manual_seed(3)
    first = [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, generator=g)]
    loader = DataLoader(ds, batch_size=5, shuffle=True, generator=g)
    g.manual_seed(3)  # reseeding the generator restarts the loader's order, as in torch
    assert [b[0].tolist() for b in loader] == first
    assert sorted(sum(first, [])) == list(range(10))
    w1 = nn.init.xavier_uniform((3, 4), seed=autograd.Generator().manual_seed(2))
    w2 = nn.init.xavier_uniform((3, 4), seed=autograd.Generator().manual_seed(2))
    np.testing.assert_array_equal(w1, w2)
