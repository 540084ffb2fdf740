"""Module hooks (forward pre-hooks, forward hooks, full backward hooks) against torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
B = np.array([0.1, -0.2])
X = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 3.0], [2.0, 1.0, 0.0], [-1.0, 0.0, 1.0]])


def ours_linear() -> nn.Linear:
    lin = nn.Linear(3, 2)
    lin.load_state_dict({"weight": W, "bias": B})
    return lin


def torch_linear() -> "torch.nn.Linear":
    lin = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(W))
        lin.bias.copy_(torch.tensor(B))
    return lin


def test_forward_pre_hook_and_forward_hook_change_args_and_output():
    for lin, T in ((ours_linear(), Tensor), (torch_linear(), torch.tensor)):
        calls = []
        h1 = lin.register_forward_pre_hook(lambda m, args, calls=calls: calls.append("pre") or (args[0] * 2,))
        h2 = lin.register_forward_hook(lambda m, args, out, calls=calls: calls.append("post") or out + 1)
        out = lin(T(X))
        assert calls == ["pre", "post"]
        expected = (2 * X) @ W.T + B + 1
        np.testing.assert_allclose(np.asarray(out.detach()), expected, rtol=1e-12)
        h1.remove()
        h2.remove()
        np.testing.assert_allclose(np.asarray(lin(T(X)).detach()), X @ W.T + B, rtol=1e-12)
        assert calls == ["pre", "post"]


def test_pre_hook_may_return_a_single_value_and_hooks_run_in_order():
    lin = ours_linear()
    order = []
    lin.register_forward_hook(lambda m, a, o: order.append(1))
    lin.register_forward_hook(lambda m, a, o: order.append(0), prepend=True)
    lin.register_forward_pre_hook(lambda m, args: Tensor(np.zeros((1, 3))))
    np.testing.assert_allclose(lin(Tensor(X)).data, B[None, :])
    assert order == [0, 1]


def test_hooks_fire_inside_sequential_even_on_fused_layers():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 1, seed=1))
    seen = []
    model[1].register_forward_hook(lambda m, a, o: seen.append(o.shape))
    model[0].register_forward_hook(lambda m, a, o: seen.append(("lin", o.shape)))
    ref = model[2](model[0](Tensor(X)).relu())
    np.testing.assert_allclose(model(Tensor(X)).data, ref.data, rtol=1e-12)
    assert ("lin", (4, 4)) in seen and (4, 4) in seen


def test_full_backward_hook_matches_torch(backend):
    got = {}
    for name, lin, T in (("ours", ours_linear(), Tensor), ("torch", torch_linear(), torch.tensor)):
        rec = []
        lin.register_full_backward_hook(lambda m, gi, go, rec=rec: rec.append((gi, go)))
        x = T(X, requires_grad=True)
        y = lin(x)
        (y * y).sum().backward()
        assert len(rec) == 1  # once per backward
        gi, go = rec[0]
        got[name] = (np.asarray(gi[0].detach()), np.asarray(go[0].detach()), np.asarray(x.grad))
    for a, b in zip(got["ours"], got["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hook_input_without_grad_gives_none():
    for lin, T in ((ours_linear(), Tensor), (torch_linear(), torch.tensor)):
        rec = []
        lin.register_full_backward_hook(lambda m, gi, go, rec=rec: rec.append((gi, go)))
        lin(T(X)).sum().backward()
        assert len(rec) == 1 and rec[0][0] == (None,) and rec[0][1][0].shape == (4, 2)


def test_full_backward_hook_replaces_grad_input_and_sees_each_pass():
    class Mul(nn.Module):
        def forward(self, a, b):
            return a * b

    results = {}
    for name, mod, T in (("ours", Mul(), Tensor), ("torch", None, torch.tensor)):
        if mod is None:
            class TMul(torch.nn.Module):
                def forward(self, a, b):
                    return a * b
            mod = TMul()
        calls = []
        h = mod.register_full_backward_hook(lambda m, gi, go, calls=calls: calls.append(1) or (gi[0] * 2, gi[1] * 3))
        a = T(np.array([1.0, 2.0]), requires_grad=True)
        b = T(np.array([3.0, 4.0]), requires_grad=True)
        out = mod(a, b).sum()
        out.backward(retain_graph=True)
        out.backward()
        h.remove()
        mod(a, b).sum().backward()
        results[name] = (len(calls), np.asarray(a.grad), np.asarray(b.grad))
    assert results["ours"][0] == results["torch"][0] == 2
    np.testing.assert_allclose(results["ours"][1], results["torch"][1])
    np.testing.assert_allclose(results["ours"][2], results["torch"][2])


def test_removed_handle_and_context_manager():
    lin = ours_linear()
    rec = []
    with lin.register_full_backward_hook(lambda m, gi, go: rec.append(1)):
        lin(Tensor(X, requires_grad=True)).sum().backward()
    lin(Tensor(X, requires_grad=True)).sum().backward()
    assert rec == [1] and not lin._has_hooks


def test_hook_bad_input():
    lin = ours_linear()
    with pytest.raises(TypeError, match="register_forward_hook: hook must be callable"):
        lin.register_forward_hook(3)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of 1 gradient\(s\)"):
        lin(Tensor(X, requires_grad=True)).sum().backward()
    lin2 = ours_linear()
    lin2.register_full_backward_hook(lambda m, gi, go: (Tensor(np.zeros(3)),))
    with pytest.raises(RuntimeError, match=r"gradient 0 has shape \(3,\), but input 0 has shape \(4, 3\)"):
        lin2(Tensor(X, requires_grad=True)).sum().backward()


def test_backward_hook_in_scalar_mode_says_it_needs_tensor_mode():
    tiny = nn.Linear(2, 1, mode="scalar", seed=0)
    tiny.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(TypeError, match="full backward hooks need tensor mode"):
        tiny([1.0, 2.0])
    seen = []
    tiny2 = nn.Linear(2, 1, mode="scalar", seed=0)
    tiny2.register_forward_hook(lambda m, a, o: seen.append(o.shape))  # forward hooks work in both modes
    tiny2([1.0, 2.0])
    assert seen == [(1,)]


def test_backward_hook_under_create_graph_and_no_grad():
    lin = ours_linear()
    rec = []
    lin.register_full_backward_hook(lambda m, gi, go: rec.append(gi[0]))
    x = Tensor(X, requires_grad=True)
    y = lin(x)
    (g,) = autograd.gradients((y * y).sum(), [x], create_graph=True)
    assert len(rec) == 1 and np.allclose(rec[0].data, g.data)
    with autograd.no_grad():
        lin(x)  # no graph: nothing to hook, nothing fails
    assert len(rec) == 1
