"""Module walks, buffers, zero_grad, ModuleDict, Identity and Unflatten, as torch has them."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU())
        self.head = nn.Linear(3, 1, seed=1)
        self.register_buffer("running", Tensor(np.zeros(3)))
        self.register_buffer("steps", np.zeros((), dtype=np.int64))
        self.register_buffer("scratch", Tensor(np.ones(2)), persistent=False)

    def forward(self, x):
        return self.head(self.enc(x))


def test_walks_match_torch_names():
    net = Net()
    tnet = torch.nn.Module()
    tnet.enc = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
    tnet.head = torch.nn.Linear(3, 1)
    assert [n for n, _ in net.named_modules()] == [n for n, _ in tnet.named_modules()]
    assert [n for n, _ in net.named_children()] == [n for n, _ in tnet.named_children()]
    assert [n for n, _ in net.named_modules(prefix="m")] == [n for n, _ in tnet.named_modules(prefix="m")]
    assert len(list(net.children())) == 2 and len(list(net.modules())) == 5
    assert [n for n, _ in net.named_parameters(recurse=False)] == []


def test_buffers_state_dict_and_dtype_moves():
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["running", "steps", "scratch"]
    assert len(net.parameters()) == 4  # buffers are not trained
    sd = net.state_dict()
    assert "running" in sd and "steps" in sd and "scratch" not in sd
    sd["running"] = np.array([1.0, 2.0, 3.0])
    sd["steps"] = np.array(7)
    held = net.running
    net.load_state_dict(sd)
    assert held is net.running and net.running.data.tolist() == [1.0, 2.0, 3.0] and int(net.steps) == 7
    net.float()
    assert net.running.dtype == np.float32 and net.scratch.dtype == np.float32 and net.steps.dtype == np.int64
    net.double()
    assert net.running.dtype == np.float64
    net.running = Tensor(np.full(3, 5.0))  # assigning keeps it a buffer
    assert "running" in net.state_dict() and net.state_dict()["running"][0] == 5.0
    copy = net.to_scalar()
    assert copy.running.data.tolist() == [5.0] * 3
    with pytest.raises(KeyError, match="missing keys \\['running'"):
        Net().load_state_dict({k: v for k, v in Net().state_dict().items() if k != "running"})
    with pytest.raises(TypeError, match="is a buffer: assign a Tensor, an array or None"):
        net.running = "x"
    with pytest.raises(KeyError, match="attribute 'head' already exists"):
        net.register_buffer("head", Tensor(np.zeros(1)))
    with pytest.raises(TypeError, match="must be a Tensor, an array or None, got list"):
        net.register_buffer("b2", [1, 2])
    with pytest.raises(TypeError, match="is a Parameter; use register_parameter"):
        net.register_buffer("b3", nn.Parameter(np.zeros(2)))


def test_zero_grad_set_to_none_default_and_zeros():
    net = Net()
    net(Tensor(np.ones((4, 2)))).sum().backward()
    grads = [p.grad for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    for p, g in zip(net.parameters(), grads):
        held = g.data if isinstance(g, Tensor) else g
        now = p.grad.data if isinstance(p.grad, Tensor) else p.grad
        assert now is held and not now.any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    tiny = nn.Linear(2, 1, mode="scalar")
    tiny.zero_grad()
    assert all(v.grad == 0.0 for v in tiny.parameters())


def test_module_dict():
    d = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    d["c"] = nn.Identity()
    d.update([("z", nn.Tanh())])
    assert list(d) == ["a", "b", "c", "z"] and list(d.keys()) == ["a", "b", "c", "z"] and "b" in d
    assert len(d) == 4 and isinstance(d["a"], nn.Linear) and len(d.parameters()) == 2
    assert [n for n, _ in d.named_parameters()] == ["a.weight", "a.bias"]
    assert d.pop("z").__class__ is nn.Tanh and len(d) == 3
    del d["c"]
    assert list(d) == ["a", "b"]
    with pytest.raises(KeyError, match="ModuleDict has no module 'aa'; did you mean 'a'"):
        d["aa"]
    with pytest.raises(TypeError, match="expected a Module, got int"):
        d["x"] = 3
    with pytest.raises(KeyError, match="keys must be non-empty strings"):
        d["a.b"] = nn.ReLU()


def test_identity_takes_any_arguments_and_unflatten_matches_torch(backend):
    x = np.arange(24.0).reshape(2, 12)
    assert nn.Identity(54, unused="x")(x) is x
    for dim, size in ((1, (3, 4)), (-1, (2, -1, 3)), (0, (1, 2))):
        ours = nn.Unflatten(dim, size)(Tensor(x)).data
        ref = torch.nn.Unflatten(dim, size)(torch.tensor(x)).numpy()
        np.testing.assert_array_equal(ours, ref)
    gradcheck(lambda t: nn.Unflatten(1, (3, 4))(t) * 2.0, [Tensor(x, requires_grad=True)])
    assert nn.Unflatten(1, (3, 4))(x.astype(object)).shape == (2, 3, 4)  # scalar-mode data too
    with pytest.raises(ValueError, match=r"unflattened_size \(5, 2\) holds 10 entries but axis 1"):
        nn.Unflatten(1, (5, 2))(Tensor(x))
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints"):
        nn.Unflatten(1, 12)
    with pytest.raises(ValueError, match="dim 3 is out of range"):
        nn.Unflatten(3, (3, 4))(Tensor(x))
