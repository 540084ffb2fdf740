"""Gaps the tutorial twins (h-tut-b's: tests/scripts/warmstart.py and friends) exposed, each checked against torch.

- state_dict() lists keys in torch's order: module by module, its parameters, then its persistent buffers
  (buffers used to come after every parameter).
- load_state_dict(strict=False) returns missing keys in that order, its result prints torch's
  "<All keys matched successfully>", and a BatchNorm's or InstanceNorm's missing num_batches_tracked is
  not missing (torch fills it for states that lack it: old checkpoints), strict or not.
- Mismatched keys and shapes raise exceptions a torch user can catch as RuntimeError (they stay KeyError
  and ValueError), naming the keys or the shapes, and leave the model unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


class _Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.register_buffer("scale", Tensor(np.ones(4)))
        self.register_buffer("scratch", Tensor(np.zeros(4)), persistent=False)
        self.head = nn.Linear(4, 2)


class _TBlock(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(3, 4)
        self.bn = torch.nn.BatchNorm1d(4)
        self.register_buffer("scale", torch.ones(4))
        self.register_buffer("scratch", torch.zeros(4), persistent=False)
        self.head = torch.nn.Linear(4, 2)


def _pair():
    ours = nn.Sequential(nn.Linear(2, 3), _Block(), nn.InstanceNorm1d(2, track_running_stats=True))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), _TBlock(), torch.nn.InstanceNorm1d(2, track_running_stats=True))
    return ours, theirs


def test_state_dict_keys_come_in_torchs_order() -> None:
    ours, theirs = _pair()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert list(nn.BatchNorm2d(3).state_dict()) == list(torch.nn.BatchNorm2d(3).state_dict())


def test_shared_parameter_keeps_its_first_name() -> None:
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, nn.BatchNorm1d(2), lin)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                        "1.running_var", "1.num_batches_tracked"]


def test_load_result_prints_as_torchs() -> None:
    ours, theirs = _pair()
    r, t = ours.load_state_dict(ours.state_dict()), theirs.load_state_dict(theirs.state_dict())
    assert repr(r) == repr(t) == str(r) == "<All keys matched successfully>"
    assert r == ([], []) and r.missing_keys == [] and r.unexpected_keys == []
    r = ours.load_state_dict({"extra": np.zeros(1)}, strict=False)
    assert repr(r).startswith("LoadResult(missing_keys=['0.weight'") and "unexpected_keys=['extra']" in repr(r)


def test_strict_false_reports_what_torch_reports() -> None:
    ours, theirs = _pair()
    state = {k: v for k, v in ours.state_dict().items() if k.startswith("0.") or k.startswith("1.lin.")}
    state["1.other.weight"] = np.zeros((2, 2))
    tstate = {k: torch.tensor(v) for k, v in state.items()}
    r, t = ours.load_state_dict(state, strict=False), theirs.load_state_dict(tstate, strict=False)
    assert r.missing_keys == t.missing_keys and r.unexpected_keys == t.unexpected_keys
    assert "1.bn.num_batches_tracked" not in r.missing_keys and "1.bn.running_mean" in r.missing_keys
    missing, unexpected = r
    assert unexpected == ["1.other.weight"] and missing[:2] == ["1.scale", "1.bn.weight"]


@pytest.mark.parametrize("strict", [True, False])
def test_state_without_num_batches_tracked_loads_and_keeps_the_count(strict: bool) -> None:
    ours, tbn = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    x = np.random.default_rng(0).normal(size=(5, 3))
    for _ in range(2):
        ours(Tensor(x))
        tbn(torch.tensor(x, dtype=torch.float32))
    src = nn.BatchNorm1d(3)
    src.running_mean.data[...] = 0.5
    state = {k: v for k, v in src.state_dict().items() if k != "num_batches_tracked"}
    r = ours.load_state_dict(state, strict=strict)
    t = tbn.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in state.items()}, strict=strict)
    assert r.missing_keys == t.missing_keys == [] and repr(r) == repr(t)
    assert int(ours.num_batches_tracked.item()) == int(tbn.num_batches_tracked.item()) == 2
    np.testing.assert_array_equal(ours.running_mean.data, 0.5)


def test_other_missing_buffers_still_count() -> None:
    bn = nn.BatchNorm1d(3)
    state = {k: v for k, v in bn.state_dict().items() if k != "running_var"}
    with pytest.raises(KeyError, match=r"missing keys \['running_var'\]"):
        bn.load_state_dict(state)
    assert bn.load_state_dict(state, strict=False).missing_keys == ["running_var"]


def test_key_mismatch_is_a_runtime_error_as_in_torch() -> None:
    ours, theirs = _pair()
    before = ours.state_dict()
    state = {k: v * 0 + 7 for k, v in before.items() if k != "0.bias"}
    state["9.weight"] = np.zeros(1)
    with pytest.raises(RuntimeError):
        theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    with pytest.raises(RuntimeError, match=r"missing keys \['0.bias'\]; unexpected keys \['9.weight'\]") as info:
        ours.load_state_dict(state)
    assert isinstance(info.value, KeyError) and "strict=False" in str(info.value)
    assert not str(info.value).startswith("'")  # the message, not KeyError's quoted repr of it
    assert all(np.array_equal(v, before[k]) for k, v in ours.state_dict().items())


@pytest.mark.parametrize("strict", [True, False])
def test_size_mismatch_is_a_runtime_error_even_when_not_strict(strict: bool) -> None:
    ours, theirs = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)), torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    before = ours.state_dict()
    state = {"0.weight": np.ones((3, 4)), "0.bias": np.ones(3), "1.weight": np.ones((5, 3)), "1.bias": np.ones(5)}
    with pytest.raises(RuntimeError, match="size mismatch"):
        theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=strict)
    with pytest.raises(RuntimeError, match=r"size mismatch: '1.weight' has shape \(5, 3\) in the state but "
                                           r"\(2, 3\) in the model") as info:
        ours.load_state_dict(state, strict=strict)
    assert isinstance(info.value, ValueError)
    assert all(np.array_equal(v, before[k]) for k, v in ours.state_dict().items())  # 0.* untouched too


def test_warmstart_by_matching_names_and_shapes_matches_torch() -> None:
    """The recipe's way to start a new head: keep the entries whose names and shapes agree."""
    rng = np.random.default_rng(1)
    src = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Linear(6, 3))
    src.load_state_dict({k: rng.normal(size=v.shape) if v.dtype.kind == "f" else v
                         for k, v in src.state_dict().items()})
    dst, tdst = (nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Linear(6, 5)),
                 torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.Linear(6, 5)).double())
    own, town = dst.state_dict(), tdst.state_dict()
    keep = {k: v for k, v in src.state_dict().items() if k in own and v.shape == own[k].shape}
    tkeep = {k: torch.tensor(v) for k, v in src.state_dict().items() if k in town and v.shape == tuple(town[k].shape)}
    assert list(keep) == list(tkeep)
    r, t = dst.load_state_dict(keep, strict=False), tdst.load_state_dict(tkeep, strict=False)
    assert r.missing_keys == t.missing_keys == ["2.weight", "2.bias"]
    np.testing.assert_array_equal(dst[1].running_var.data, tdst[1].running_var.numpy())


# ------------------------------------------------------------------ print(model) reads as in torch

def _reprs(lib):
    return [lib.Linear(2, 3), lib.Linear(2, 3, bias=False), lib.PReLU(), lib.PReLU(3), lib.Dropout(),
            lib.Dropout(0.25, True), lib.AvgPool1d(4), lib.AvgPool1d((3,), 2, 1), lib.MaxPool1d(2),
            lib.MaxPool1d(3, stride=(2,)), lib.AvgPool2d(4), lib.AvgPool2d((2, 3)),
            lib.AvgPool2d(3, stride=1, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=2),
            lib.MaxPool2d(2, 2), lib.MaxPool2d((2, 3), return_indices=True, ceil_mode=True), lib.MaxPool2d(2, 1, 1, 2),
            lib.AdaptiveAvgPool2d(1), lib.AdaptiveAvgPool1d(2), lib.AdaptiveMaxPool2d((2, 3), return_indices=True),
            lib.AdaptiveMaxPool1d(3), lib.MaxUnpool2d(2), lib.MaxUnpool1d(3, stride=2),
            lib.MaxUnpool2d((2, 3), 1, (0, 1)), lib.Upsample(scale_factor=2), lib.Upsample(scale_factor=(2, 3)),
            lib.Upsample(size=(3, 4), mode="bilinear"), lib.Sequential(lib.Conv2d(1, 16, 3, stride=2, padding=1),
                                                                      lib.ReLU(), lib.AdaptiveAvgPool2d(1),
                                                                      lib.Flatten(0, 1))]


def test_layer_reprs_are_torchs() -> None:
    for ours, theirs in zip(_reprs(nn), _reprs(torch.nn)):
        assert repr(ours) == repr(theirs)


def test_scalar_mode_still_says_so() -> None:
    assert repr(nn.Linear(2, 3, mode="scalar")) == "Linear(in_features=2, out_features=3, bias=True, mode='scalar')"
    assert repr(nn.PReLU(mode="scalar")) == "PReLU(num_parameters=1, mode='scalar')"


def test_pool_repr_leaves_the_layer_as_it_was() -> None:
    pool = nn.MaxPool2d(2)
    repr(pool)
    assert pool.stride is None and pool.kernel_size == 2


# ------------------------------------------------------------------ Dropout's second argument is torch's inplace

def test_dropout_inplace_writes_into_its_input_as_torch() -> None:
    x = Tensor(np.ones((4, 6)))
    y = nn.Dropout(0.5, True, seed=0)(x)
    assert y is x and set(np.unique(x.data)) <= {0.0, 2.0} and (x.data == 0).any()
    t = torch.ones(4, 6)
    assert torch.nn.Dropout(0.5, True)(t) is t
    fresh = Tensor(np.ones((4, 6)))
    out = nn.Dropout(0.5, seed=0)(fresh)
    assert out is not fresh and np.array_equal(fresh.data, np.ones((4, 6)))
    np.testing.assert_array_equal(out.data, x.data)  # the same mask either way
    d = nn.Dropout(0.5, inplace=True).eval()
    assert d(fresh) is fresh


def test_dropout_inplace_keeps_gradients_right() -> None:
    w = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    h = w * 3
    out = nn.Dropout(0.5, inplace=True, seed=1)(h)
    out.sum().backward()
    mask = (out.data != 0) * 2.0
    np.testing.assert_allclose(w.grad.data, 3 * mask)


def test_dropout_inplace_refuses_a_leaf_that_requires_grad_and_a_seed_in_its_place() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        nn.Dropout(0.5, inplace=True)(w)
    with pytest.raises(TypeError, match=r"Dropout: inplace must be True or False, got 0; pass the seed as seed="):
        nn.Dropout(0.5, 0)


def test_dropout_inplace_survives_the_trip_to_torch_and_back() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.3, True))
    twin = nn.to_torch(model)
    assert twin[1].inplace is True and twin[1].p == 0.3
    assert nn.from_torch(twin)[1].inplace is True and repr(nn.from_torch(twin)) == repr(model)
