"""nn.Module: registration, names, state dicts, train/eval, repr, typos, and conversion between modes."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, Value

pytestmark = pytest.mark.numpy_only  # containers only: no kernel choice matters


class TwoLayer(nn.Module):
    def __init__(self, mode: str = "tensor") -> None:
        super().__init__()
        self.hidden = nn.Linear(3, 4, mode=mode, seed=0)
        self.blocks = [nn.Linear(4, 4, mode=mode, seed=1), nn.Linear(4, 2, mode=mode, seed=2)]
        self.scale = nn.Parameter(np.ones(2)) if mode == "tensor" else Value(1.0)
        self.note = "not a parameter"

    def forward(self, x):
        h = nn.functional.relu(self.hidden(x))
        for b in self.blocks:
            h = b(h)
        return h


def test_parameters_are_registered_by_attribute_and_inside_lists():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == [
        "scale", "hidden.weight", "hidden.bias", "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
    ]
    assert isinstance(m.blocks, nn.ModuleList) and len(m.blocks) == 2
    assert m.note == "not a parameter"
    assert len(m.parameters()) == 7
    assert m.num_parameters() == 2 + 16 + 20 + 10


def test_parameter_identity_is_kept_and_shared_parameters_listed_once():
    m = nn.Module()
    shared = nn.Linear(2, 2, seed=0)
    m.a = shared
    m.b = shared
    params = m.parameters()
    assert len(params) == 2
    assert params[0] is shared.weight
    s = m.to_scalar()
    assert s.a is s.b and len(s.parameters()) == 6


def test_scalar_mode_parameters_are_one_value_per_weight():
    m = TwoLayer(mode="scalar")
    params = m.parameters()
    assert all(type(p) is Value for p in params)
    assert len(params) == m.num_parameters() == 1 + 16 + 20 + 10
    assert m.mode == "scalar" and TwoLayer().mode == "tensor"


def test_typo_attribute_raises_attribute_error_with_a_hint():
    m = TwoLayer()
    with pytest.raises(AttributeError, match="hiden.*did you mean 'hidden'"):
        m.hiden  # noqa: B018
    with pytest.raises(AttributeError):
        nn.Linear(2, 2).wieght  # noqa: B018


def test_assigning_a_non_parameter_to_a_parameter_name_is_an_error():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="weight is a parameter"):
        lin.weight = np.zeros((2, 2))
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]


def test_module_without_super_init_gets_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(1))

    with pytest.raises(RuntimeError, match=r"super\(\)\.__init__"):
        Broken()


def test_state_dict_round_trip_and_same_keys_in_both_modes():
    a, b = TwoLayer(), TwoLayer()
    b.hidden.weight.data += 1.0
    sd = a.state_dict()
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    b.load_state_dict(sd)
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert sd.keys() == TwoLayer(mode="scalar").state_dict().keys()
    sd["hidden.weight"][0, 0] = 123.0  # a copy: the model is untouched
    assert a.hidden.weight.data[0, 0] != 123.0


def test_load_state_dict_strict_and_failed_loads_change_nothing():
    m = TwoLayer()
    before = m.state_dict()
    bad = dict(before)
    del bad["scale"]
    with pytest.raises(KeyError, match="missing keys.*scale"):
        m.load_state_dict(bad)
    extra = {**before, "other": np.zeros(1)}
    with pytest.raises(KeyError, match="unexpected keys.*other"):
        m.load_state_dict(extra)
    wrong = {k: v + 1 for k, v in before.items()}
    wrong["blocks.1.bias"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"blocks.1.bias.*\(3,\).*\(2,\)"):
        m.load_state_dict(wrong)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    result = m.load_state_dict(extra, strict=False)
    assert result.unexpected_keys == ["other"] and result.missing_keys == []


def test_load_keeps_parameter_identity_for_optimisers():
    m = nn.Linear(2, 2, seed=0)
    w = m.weight
    m.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert m.weight is w and np.all(w.data == 1)


def test_train_eval_propagate_and_zero_grad_both_modes():
    m = nn.MLP(2, [3, 1], dropout=0.5, seed=0)
    m.eval()
    assert all(not mod.training for mod in m.modules())
    assert m.train() is m and all(mod.training for mod in m.modules())
    out = m(np.ones((4, 2))).sum()
    out.backward()
    assert m[0].weight.grad is not None
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    s = nn.MLP(2, [3, 1], mode="scalar", seed=0)
    s(np.ones((1, 2)))[0, 0].backward()
    assert any(p.grad != 0 for p in s.parameters())
    s.zero_grad()
    assert all(p.grad == 0.0 for p in s.parameters())


def test_repr_shows_the_structure():
    text = repr(nn.MLP(2, [8, 1], seed=0))
    assert "(0): Linear(in_features=2, out_features=8, bias=True)\n" in text  # torch's; scalar mode says so
    scalar = repr(nn.MLP(2, [8, 1], mode="scalar"))
    assert "(0): Linear(in_features=2, out_features=8, bias=True, mode='scalar')" in scalar
    assert "(1): ReLU()" in text and text.startswith("MLP(") and text.endswith(")")
    assert "Dropout(p=0.3, inplace=False)" in repr(nn.Dropout(0.3))


def test_conversion_returns_copies_with_same_numbers():
    m = TwoLayer()
    s = m.to_scalar()
    assert s is not m and s.mode == "scalar" and m.mode == "tensor"
    for (n1, p), (n2, q) in zip(m.state_dict().items(), s.state_dict().items()):
        assert n1 == n2
        np.testing.assert_array_equal(p, q)
    t = s.to_tensor()
    assert isinstance(t.hidden.weight, nn.Parameter)
    t.hidden.weight.data[0, 0] = 9.0
    assert m.hidden.weight.data[0, 0] != 9.0
    with pytest.raises(ValueError, match="mode"):
        m.to_mode("vector")


def test_computed_values_and_copies_are_not_parameters():
    m = nn.Module()
    w = Value(1.0)
    m.w = w
    m.cache = w * 2  # an output kept as an attribute is not a parameter
    params = m.parameters()
    assert len(params) == 1 and params[0] is w
    with pytest.raises(AttributeError, match="mode follows the parameters"):
        m.mode = "tensor"


def test_deepcopy_and_pickle_keep_structure():
    import copy
    import pickle

    m = nn.MLP(2, [3, 1], seed=0)
    for c in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert c[0].weight is not m[0].weight and repr(c) == repr(m)
        for k, v in m.state_dict().items():
            np.testing.assert_array_equal(c.state_dict()[k], v)


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter([1.0, 2.0])
    assert isinstance(p, Tensor) and p.requires_grad and "Parameter containing" in repr(p)
    assert type(p * 2) is Tensor


def test_to_dtype_casts_parameters_in_place_and_float32_stays_float32():
    import optim

    model = nn.MLP(3, [4, 2], seed=0)
    weight = model[0].weight
    assert model.float() is model and model[0].weight is weight  # same Parameter objects, new dtype
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    x = np.ones((5, 3), dtype=np.float32)
    opt = optim.Adam(model.parameters(), lr=0.1)
    loss = (model(x) ** 2).mean()
    assert loss.dtype == np.float32
    loss.backward()
    opt.step()
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    assert {p.grad.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    model.double()
    assert model[0].weight.dtype == np.float64 and model[0].weight.grad.dtype == np.float64
    with pytest.raises(TypeError, match="must stay floating point"):
        model.to(np.int32)
    with pytest.raises(TypeError, match="not a dtype"):
        model.to("floaty")
    with pytest.raises(ValueError, match="to_tensor"):
        nn.MLP(2, [1], mode="scalar").float()


# ------------------------------------------------------ torch's Module helpers


def test_apply_visits_children_first_then_the_module():
    model = nn.MLP(2, [3, 1], seed=0)
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Linear", "MLP"]

    def zero_biases(m):
        if isinstance(m, nn.Linear):
            m.bias.data[...] = 0.0

    model.apply(zero_biases)
    assert all(not m.bias.data.any() for m in model.modules() if isinstance(m, nn.Linear))
    with pytest.raises(TypeError, match="fn must be a function"):
        model.apply(3)


def test_requires_grad_freezes_and_unfreezes_a_layer():
    model = nn.MLP(2, [3, 1], seed=0)
    model[0].requires_grad_(False)
    out = model(np.ones((4, 2))).sum()
    out.backward()
    assert model[0].weight.grad is None and model[2].weight.grad is not None
    model.requires_grad_()
    model(np.ones((4, 2))).sum().backward()
    assert model[0].weight.grad is not None
    with pytest.raises(TypeError, match="always track gradients"):
        nn.MLP(2, [1], mode="scalar").requires_grad_(False)
    with pytest.raises(TypeError, match="True or False"):
        model.requires_grad_("no")


def test_add_module_and_register_parameter_register_like_attributes():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_parameter("scale", nn.Parameter(np.full(2, 3.0)))
            self.register_parameter("unused", None)
            self.add_module("inner", nn.Linear(2, 1, seed=0))

        def forward(self, x):
            return self.inner(x * self.scale)

    m = Scaled()
    assert [n for n, _ in m.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    m(np.ones((1, 2))).sum().backward()
    np.testing.assert_allclose(m.scale.grad, m.inner.weight.data[0])
    with pytest.raises(TypeError, match="must be a Parameter"):
        m.register_parameter("w", np.ones(2))
    with pytest.raises(TypeError, match="must be a Module"):
        m.add_module("x", 3)
    with pytest.raises(ValueError, match="identifier"):
        m.add_module("a.b", nn.ReLU())
