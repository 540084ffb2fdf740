"""In-place ops, version counters, ``.grad`` as a Tensor, and gradient hooks: torch's rules, checked against torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck, no_grad

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def arr(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def tt(a: np.ndarray, grad: bool = True) -> "torch.Tensor":
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


# ------------------------------------------------------------------ the training loop of issue 12
def test_sgd_under_no_grad_updates_in_place_and_keeps_training():
    x, y = arr(16, 3), arr(16, 1)
    w0 = arr(3, 1)
    w = Tensor(w0, requires_grad=True)
    memory = w.data
    tw = tt(w0)
    losses = []
    for _ in range(20):
        loss = ((Tensor(x) @ w - Tensor(y)) ** 2).mean()
        loss.backward()
        with no_grad():
            w -= 0.1 * w.grad
        w.grad = None
        losses.append(loss.item())
        tloss = ((torch.tensor(x) @ tw - torch.tensor(y)) ** 2).mean()
        tloss.backward()
        with torch.no_grad():
            tw -= 0.1 * tw.grad
        tw.grad = None
    assert w.requires_grad and w.is_leaf
    assert w.data is memory  # same ndarray, written in place
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10)
    assert w._version == 20


# ------------------------------------------------------------------ plain in-place writes
PLAIN = [
    ("add_", lambda t, o: t.add_(o), lambda a, o: a + o),
    ("add_ alpha", lambda t, o: t.add_(o, alpha=2.0), lambda a, o: a + 2 * o),
    ("sub_", lambda t, o: t.sub_(o), lambda a, o: a - o),
    ("mul_", lambda t, o: t.mul_(o), lambda a, o: a * o),
    ("div_", lambda t, o: t.div_(o), lambda a, o: a / o),
    ("iadd", lambda t, o: t.__iadd__(o), lambda a, o: a + o),
    ("isub", lambda t, o: t.__isub__(o), lambda a, o: a - o),
    ("imul", lambda t, o: t.__imul__(o), lambda a, o: a * o),
    ("idiv", lambda t, o: t.__itruediv__(o), lambda a, o: a / o),
    ("copy_", lambda t, o: t.copy_(o), lambda a, o: np.broadcast_to(o, a.shape)),
    ("clamp_", lambda t, o: t.clamp_(-0.5, 0.5), lambda a, o: np.clip(a, -0.5, 0.5)),
    ("fill_", lambda t, o: t.fill_(3.0), lambda a, o: np.full_like(a, 3.0)),
    ("zero_", lambda t, o: t.zero_(), lambda a, o: np.zeros_like(a)),
]


@pytest.mark.parametrize("name,method,expect", PLAIN, ids=[p[0] for p in PLAIN])
def test_in_place_methods_write_the_same_memory(name, method, expect):
    a, o = arr(2, 3), arr(3) + 3.0
    t = Tensor(a)
    memory = t.data
    out = method(t, Tensor(o))
    assert out is t and t.data is memory
    np.testing.assert_allclose(t.data, expect(a, o))
    assert t._version == 1


def test_augmented_assignment_keeps_the_object_and_float32():
    t = Tensor(np.ones(4, dtype=np.float32))
    t0, mem = t, t.data
    t += 1.0
    t *= np.arange(4.0)  # a float64 operand is cast into the float32 memory, as torch does
    t -= Tensor(np.ones(4))
    assert t is t0 and t.data is mem and t.dtype == np.float32
    np.testing.assert_allclose(t.data, [-1, 1, 3, 5])


def test_setitem_plain_and_on_a_leaf_under_no_grad():
    w = Tensor(np.zeros((3, 4)), requires_grad=True)
    mem = w.data
    with no_grad():
        w[0] = 1.0
        w[1, 1:3] = Tensor([5.0, 6.0])
        w[w > 5.5] = -1.0
    assert w.data is mem and w.requires_grad and w.is_leaf
    expect = np.zeros((3, 4))
    expect[0] = 1.0
    expect[1, 1:3] = [5.0, -1.0]
    np.testing.assert_allclose(w.data, expect)


def test_bad_in_place_writes_raise_clear_errors():
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="add_: .*shape \\(2, 3\\).*cannot change a tensor's shape"):
        t.add_(Tensor(np.ones((4, 2, 3))))
    ints = Tensor(np.arange(3)) > 1  # a bool tensor
    with pytest.raises(TypeError, match="add_: .*dtype bool"):
        ints.add_(0.5)
    with pytest.raises(TypeError, match="fill_: the value must be a number"):
        t.fill_("x")
    with pytest.raises(IndexError, match="setitem: index"):
        t[5] = 1.0
    with pytest.raises(ValueError, match="clamp_: give min, max or both"):
        t.clamp_()


def test_leaf_that_requires_grad_refuses_recorded_in_place_ops():
    w = Tensor(np.ones(3), requires_grad=True)
    for op in (lambda: w.add_(1.0), lambda: w.mul_(2.0), lambda: w.zero_(), lambda: w.__setitem__(0, 2.0)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            op()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w += 1
    np.testing.assert_array_equal(w.data, np.ones(3))
    tw = tt(np.ones(3))
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        tw.add_(1.0)


# ------------------------------------------------------------------ recorded in-place ops against torch
def _both(fn, *arrays):
    """Run fn on gradwork Tensors and on torch tensors (same code); return both sets of leaf gradients."""
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [tt(a) for a in arrays]
    fn(ours, autograd).backward()
    fn(theirs, torch).backward()
    for o, t in zip(ours, theirs):
        assert o.grad is not None, "no gradient reached an input"
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)
    return ours


RECORDED = {
    "add_ then exp": lambda v, m: (v[0] * 2).add_(v[1]).exp().sum(),
    "mul_ by a tensor": lambda v, m: (v[0] + 0).mul_(v[1]).sum(),
    "div_": lambda v, m: (v[0] * 1.5).div_(v[1] * v[1] + 1).sum(),
    "sub_ alpha": lambda v, m: (v[0] + 1).sub_(v[1], alpha=3.0).tanh().sum(),
    "clamp_": lambda v, m: (v[0] * 3).clamp_(-1.0, 1.0).mul_(v[1]).sum(),
    "leaf without grad takes add_": lambda v, m: (m.zeros_like(v[0]) if m is torch else autograd.zeros_like(v[0]))
    .add_(v[0]).mul_(v[1]).sum(),
    "copy_ broadcasts": lambda v, m: (v[0] * 2).copy_(v[1][0]).mul_(v[0]).sum(),
    "fill_ and zero_": lambda v, m: ((v[0] * 1).fill_(2.0) * v[1]).sum() + ((v[1] * 1).zero_() + v[0]).sum(),
    "iadd twice": lambda v, m: _iadd(v[0] * 1, v[1]).sum(),
    "x.add_(x)": lambda v, m: _self_add(v[0] * 1).mul_(v[1]).sum(),
}


def _iadd(h, o):
    h += o
    h += o * o
    return h


def _self_add(h):
    return h.add_(h)


@pytest.mark.parametrize("name", list(RECORDED))
def test_recorded_in_place_gradients_match_torch(name):
    _both(RECORDED[name], arr(3, 4), arr(3, 4))


def test_older_uses_get_the_gradient_of_the_old_version():
    # z used h before mul_ changed it; its gradient must not pass through the mul_
    def fn(v, m):
        h = v[0] * 1
        z = h + 1.0  # saves nothing, so the in-place change after it is allowed
        s = h.reshape(-1).sum()  # a view used before the change
        h.mul_(v[1])
        return (z * 3).sum() + (h * h).sum() + s

    _both(fn, arr(2, 3), arr(2, 3))


def test_setitem_recorded_matches_torch():
    def fn(v, m):
        h = v[0] * 1
        h[0] = v[1][1] * 2
        h[1:, 1] = v[1][0, 0]
        h[[2, 0], 2] = v[1][2, :2]
        return (h * h).sum()

    _both(fn, arr(3, 3), arr(3, 3))


def test_recorded_in_place_passes_gradcheck():
    def fn(a, b):
        h = a * 1.0
        h.mul_(b)
        h[0] = b[1]
        h += a.exp()
        return h.tanh()

    assert gradcheck(fn, [Tensor(arr(3, 2), requires_grad=True), Tensor(arr(3, 2), requires_grad=True)])


def test_in_place_on_an_indexed_view_writes_through_to_the_base_like_torch():
    def fn(v, m):
        h = v[0] * 1
        h[0] += v[1][0]  # getitem, in-place add on the view, setitem
        h[:, 2] *= 3
        r = h[1]
        r.mul_(v[1][1])  # changes h too
        rr = r.sum() * 3  # nothing saved, so the later change of h through q is allowed (torch agrees)
        q = h[2][1:]
        q.sub_(v[1][2, 1:] * 2)  # a view of a view
        return (h * h).sum() + rr

    ours = _both(fn, arr(3, 3), arr(3, 3))
    for x in (Tensor(arr(3, 3), requires_grad=True), tt(arr(3, 3))):
        q = (x * 1)[2][1:]
        q.sub_(q * q)  # the product saved q, which the subtraction then changes: both refuse to go back
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            q.sum().backward()
    h = ours[0] * 1
    r = h[1]
    r.add_(1.0)
    np.testing.assert_allclose(h.data[1], ours[0].data[1] + 1.0)
    assert r._version == h._version == 1


def test_a_view_taken_before_its_base_changed_refuses_to_go_back():
    # torch re-bases such a view; gradwork raises rather than return the gradient of values the view no longer has
    x = Tensor(arr(3, 3), requires_grad=True)
    h = x * 1
    r = h[1]
    h[:, 2] *= 3
    with pytest.raises(RuntimeError, match="Mul.backward: its input 0 is a view \\(made by GetItem\\) of a tensor "
                                           "that was changed in place after the view was taken"):
        (r * r).sum().backward()
    y = x * 1
    s = y[1]
    t = (s + 1).sum()  # used before the change, and not saved: fine
    y[:, 2] *= 3
    (t + (y * y).sum()).backward()


def test_in_place_on_an_expanded_view_of_a_graph_tensor_is_refused():
    h = Tensor(arr(3), requires_grad=True) * 2
    v = h.expand(2, 3)  # transposes, reshapes and diagonals are re-based instead: tests/test_inplace_views.py
    with pytest.raises(RuntimeError, match=r"an expanded view \(made by expand/broadcast_to\)"):
        v.add_(1.0)


# ------------------------------------------------------------------ version counters
def test_backward_through_a_changed_saved_tensor_raises():
    x = Tensor(arr(4), requires_grad=True)
    y = x.exp()  # Exp saves its output
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="Exp.backward: one of the variables needed for gradient computation "
                                           "has been modified by an inplace operation: its output.*version 1; "
                                           "expected version 0"):
        y.sum().backward()
    tx = tt(arr(4))
    ty = tx.exp()
    ty.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.sum().backward()


def test_changing_a_parameter_between_forward_and_backward_raises():
    w = Tensor(arr(3, 2), requires_grad=True, name="w")
    loss = (Tensor(arr(5, 3)) @ w).sum()
    with no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match="MatMul.backward: .*its input 1, a Tensor of shape \\(3, 2\\) "
                                           "\\(named 'w'\\), is at version 1; expected version 0"):
        loss.backward()


def test_detached_alias_shares_the_version_counter():
    x = Tensor(arr(3), requires_grad=True)
    y = x * 1
    z = y * y
    d = y.detach()
    d.mul_(2.0)
    assert y._version == d._version == 1
    with pytest.raises(RuntimeError, match="Mul.backward"):
        z.sum().backward()


def test_writes_to_data_bypass_the_check():
    x = Tensor(arr(3), requires_grad=True)
    y = x.exp()
    y.data += 1.0  # raw ndarray write: not tracked (as in torch)
    y.sum().backward()
    assert x._version == y._version == 0
    np.testing.assert_allclose(x.grad.data, y.data)


def test_in_place_on_an_unsaved_input_is_fine():
    x = Tensor(arr(3), requires_grad=True)
    h = x * 1
    z = h + 2.0  # Add saves nothing
    h.mul_(3.0)
    (z.sum() + h.sum()).backward()
    np.testing.assert_allclose(x.grad.data, np.full(3, 4.0))


# ------------------------------------------------------------------ .grad is a Tensor
def test_grad_is_a_tensor_torch_style():
    w = Tensor(arr(3, 2), requires_grad=True)
    (w * w).sum().backward()
    g = w.grad
    assert isinstance(g, Tensor) and not g.requires_grad and g.shape == w.shape
    np.testing.assert_allclose(g.data, 2 * w.data)
    np.testing.assert_allclose(((g * g).sum().sqrt()).item(), np.linalg.norm(2 * w.data))
    if hasattr(Tensor, "norm"):
        np.testing.assert_allclose(g.norm().item(), np.linalg.norm(2 * w.data))
    g.zero_()
    assert w.grad is g and not g.data.any()
    (w * 3).sum().backward()  # accumulates into the same gradient tensor, in place (torch does too)
    assert w.grad is g
    np.testing.assert_allclose(g.data, np.full((3, 2), 3.0))
    w.grad = None
    assert w.grad is None
    w.grad = np.ones((3, 2))  # an array is wrapped
    assert isinstance(w.grad, Tensor)
    with pytest.raises(ValueError, match="grad: assigned grad has shape \\(2,\\)"):
        w.grad = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="grad: assigned grad must be a Tensor or None"):
        w.grad = "zero"


def test_accumulation_matches_torch():
    a = arr(4)
    w, tw = Tensor(a, requires_grad=True), tt(a)
    for _ in range(3):
        (w.sin() * w).sum().backward()
        (tw.sin() * tw).sum().backward()
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12)


def test_grad_of_create_graph_is_a_graph_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 12.0])


# ------------------------------------------------------------------ hooks
def test_register_hook_matches_torch():
    seen, tseen = [], []
    a, b = arr(3), arr(3)

    def run(m, x, w, store):
        h = x * w
        h.register_hook(lambda g: store.append(np.array(g.detach().numpy() if m is torch else g.data)) or g * 2)
        w.register_hook(lambda g: g + 1)
        return (h.tanh() * h).sum()

    x, w = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    tx, tw = tt(a), tt(b)
    run(autograd, x, w, seen).backward()
    run(torch, tx, tw, tseen).backward()
    np.testing.assert_allclose(seen[0], tseen[0], rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12)


def test_hook_handle_remove_and_bad_hooks():
    x = Tensor(arr(3), requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    (x * 1).sum().backward()
    assert not x.grad.data.any()
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.ones(3))
    with pytest.raises(RuntimeError, match="register_hook: cannot register a hook on a tensor that does not"):
        Tensor([1.0]).register_hook(print)
    x.register_hook(lambda g: Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="register_hook: a hook returned a gradient of shape \\(2,\\)"):
        (x * 1).sum().backward()


def test_retain_grad_keeps_working():
    x = Tensor(arr(3), requires_grad=True)
    h = x * 2
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * h.data)
    np.testing.assert_allclose(x.grad.data, 4 * h.data)


def test_optimisers_read_tensor_grads_and_zero_them_in_place():
    optim = pytest.importorskip("optim")
    a = arr(3)
    w, tw = Tensor(a, requires_grad=True), tt(a)
    opt, topt = optim.Adam([w], lr=0.1), torch.optim.Adam([tw], lr=0.1)
    for _ in range(3):
        (w * w * w).sum().backward()
        (tw * tw * tw).sum().backward()
        opt.step()
        topt.step()
        g = w.grad
        opt.zero_grad(set_to_none=False)
        topt.zero_grad(set_to_none=False)
        assert w.grad is g and not g.data.any()  # the same gradient tensor, zeroed (torch does the same)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10)
    opt.zero_grad()
    assert w.grad is None
