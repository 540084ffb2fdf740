"""The step written by hand (``h = (x @ W + b).relu()``, a loss module, ``optim``): the fast paths it takes
give the same results as the general ones, on both backends."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor
from autograd.kernels import reference as R


def _mlp(dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((8, 3)).astype(dtype))
    W1 = Tensor(rng.standard_normal((3, 5)).astype(dtype), requires_grad=True)
    b1 = Tensor(rng.standard_normal(5).astype(dtype), requires_grad=True)
    W2 = Tensor(rng.standard_normal((5, 4)).astype(dtype), requires_grad=True)
    b2 = Tensor(rng.standard_normal((1, 4)).astype(dtype), requires_grad=True)  # a keepdims-shaped bias
    return x, [W1, b1, W2, b2]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hand_written_step_gradients_match_numpy_and_own_their_memory(dtype):
    x, (W1, b1, W2, b2) = _mlp(dtype)
    labels = np.array([0, 1, 2, 3, 3, 2, 1, 0])
    loss = nn.CrossEntropyLoss()((x @ W1 + b1).relu() @ W2 + b2, labels)
    loss.backward()
    # the same gradients written out in numpy
    z1 = x.data @ W1.data + b1.data
    h = np.maximum(z1, 0)
    z2 = h @ W2.data + b2.data
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    d = e / e.sum(axis=1, keepdims=True)
    d[np.arange(8), labels] -= 1
    d /= 8
    dh = d @ W2.data.T * (z1 > 0)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for t, want in ((W2, h.T @ d), (b2, d.sum(axis=0, keepdims=True)), (W1, x.data.T @ dh), (b1, dh.sum(axis=0))):
        assert t.grad.data.dtype == dtype
        np.testing.assert_allclose(t.grad.data, want, rtol=tol, atol=tol)
        # each gradient is an array of its own (handed over by the walk, not a view of another array)
        assert t.grad.data.base is None and t.grad.data.flags.writeable


def _adam_written_out(p, g, m, v, vmax, step, lr, beta1, beta2, eps, weight_decay, decoupled):
    """The reference Adam update as plain expressions (what the in-place version must reproduce bit for bit)."""
    if weight_decay:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    w = 1 - beta1
    if w < 0.5:
        m += w * (g - m)
    else:
        m[...] = g - (g - m) * (1 - w)
    v *= beta2
    v += (1 - beta2) * g * g
    bc1, bc2_sqrt = 1 - beta1**step, (1 - beta2**step) ** 0.5
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
    denom = np.sqrt(vmax if vmax is not None else v) / bc2_sqrt + eps
    p -= (lr / bc1) * (m / denom)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("amsgrad,weight_decay,decoupled", [(False, 0.0, False), (True, 0.1, False),
                                                             (False, 0.1, True)])
def test_reference_adam_in_place_equals_the_written_out_formula(shape, dtype, amsgrad, weight_decay, decoupled):
    rng = np.random.default_rng(3)
    p = rng.standard_normal(shape).astype(dtype)
    state = [np.zeros(shape, dtype) for _ in range(3)]
    p2, state2 = p.copy(), [s.copy() for s in state]
    for t in range(1, 5):
        g = rng.standard_normal(shape).astype(dtype)
        R.adam_step(p, g, state[0], state[1], state[2] if amsgrad else None, t, 1e-2, 0.9, 0.999, 1e-8,
                    weight_decay, decoupled)
        _adam_written_out(p2, g, state2[0], state2[1], state2[2] if amsgrad else None, t, 1e-2, 0.9, 0.999,
                          1e-8, weight_decay, decoupled)
    np.testing.assert_array_equal(p, p2)
    for a, b in zip(state, state2):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.Adam(ps, lr=0.1)])
def test_group_fast_path_equals_one_parameter_at_a_time(make):
    """SGD/Adam update a group with its options read once; a subclass with its own _update still gets called."""
    x, params = _mlp(np.float64)
    x2, params2 = _mlp(np.float64)
    opt, opt2 = make(params), make(params2)
    calls = []

    class Counting(type(opt2)):
        def _update(self, p, g, state, group):
            calls.append(p.shape)
            super()._update(p, g, state, group)

    opt2.__class__ = Counting
    for _ in range(3):
        for o, ps, xx in ((opt, params, x), (opt2, params2, x2)):
            o.zero_grad()
            (((xx @ ps[0] + ps[1]).relu() @ ps[2] + ps[3]) ** 2).mean().backward()
            o.step()
    assert len(calls) == 3 * len(params)  # the subclass's _update ran for every parameter
    for a, b in zip(params, params2):
        np.testing.assert_array_equal(a.data, b.data)


def test_maximize_and_a_parameter_without_grad_on_the_fast_path():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    unused = Tensor(np.array([5.0]), requires_grad=True)
    opt = optim.SGD([a, unused], lr=0.5, maximize=True)
    (a * a).sum().backward()
    opt.step()
    np.testing.assert_array_equal(a.data, [2.0, 4.0])  # climbs: a + 0.5 * 2a
    np.testing.assert_array_equal(unused.data, [5.0])
    opt.zero_grad()
    assert a.grad is None and unused.grad is None


@pytest.mark.parametrize("labels", [[0, -1, 2], [0, 1, 4]])
def test_cross_entropy_refuses_labels_out_of_range_either_side(labels):
    z = Tensor(np.zeros((3, 4)), requires_grad=True)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\] for 4 classes"):
        nn.CrossEntropyLoss()(z, np.array(labels))


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_group_update_matches_one_call_per_parameter(backend, name):
    """optim's group update (sgd_foreach / adam_foreach) gives the per-parameter kernel's numbers, also for a
    transposed (non-contiguous) parameter and parameters that are at different steps."""
    from autograd.backend import ops as K

    rng = np.random.default_rng(3)
    shapes = [(4, 3), (3,), (5, 4), (1,)]
    init = [rng.standard_normal(s) for s in shapes] + [rng.standard_normal((3, 6)).T]  # the last: a view
    grads = [[rng.standard_normal(a.shape) for a in init] for _ in range(3)]
    kw = dict(lr=0.05, weight_decay=0.01)

    def run(group_update):
        ps = [Tensor(a.copy() if a.flags.c_contiguous else a.copy().T.copy().T, requires_grad=True) for a in init]
        opt = getattr(optim, name)(ps, **kw)
        for gs in grads:
            for p, g in zip(ps, gs):
                p.grad = Tensor(g.copy())
            if group_update:
                opt.step()
            else:
                for p in ps:  # one parameter at a time: the group update never sees two
                    others = [q.grad for q in ps]
                    for q in ps:
                        if q is not p:
                            q.grad = None
                    opt.step()
                    for q, g in zip(ps, others):
                        q.grad = g
        return [p.data.copy() for p in ps]

    assert not init[-1].flags.c_contiguous
    for a, b in zip(run(True), run(False)):
        np.testing.assert_array_equal(a, b)
    # steps that differ between parameters take the per-parameter path
    ps = [Tensor(a.copy(), requires_grad=True) for a in init[:2]]
    opt = getattr(optim, name)(ps, lr=0.05)
    ps[0].grad = Tensor(grads[0][0])
    opt.step()
    ps[1].grad = Tensor(grads[0][1])
    opt.step()
    if name != "SGD":
        assert [opt.state[id(p)]["step"] for p in ps] == [2, 1]
    assert callable(K.sgd_foreach) and callable(K.adam_foreach)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
def test_cross_entropy_plain_call_matches_the_general_path(backend, dtype):
    from nn import functional as F

    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, 6).astype(dtype)
    for reduction in ("mean", "sum"):
        a, b = Tensor(z, requires_grad=True), Tensor(z, requires_grad=True)
        fast = F.cross_entropy(a, labels, reduction=reduction)  # the plain call's few checks
        general = F.cross_entropy(b, labels, weight=np.ones(4), reduction=reduction)  # the general path
        np.testing.assert_allclose(fast.data, general.data, rtol=1e-13)
        fast.backward()
        general.backward()
        np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-12, atol=1e-15)
    kept = labels.copy()
    t = Tensor(z, requires_grad=True)
    loss = F.cross_entropy(t, labels)
    labels[:] = 0  # the loss keeps its own copy of the labels
    loss.backward()
    expected = Tensor(z, requires_grad=True)
    F.cross_entropy(expected, kept).backward()
    np.testing.assert_allclose(t.grad.data, expected.grad.data)


def test_cross_entropy_plain_call_still_names_bad_labels(backend):
    from nn import functional as F

    z = Tensor(np.zeros((3, 4)), requires_grad=True)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\] for 4 classes, found \[-2, 7\]"):
        F.cross_entropy(z, np.array([1, -2, 7]))
    ignored = F.cross_entropy(z, np.array([1, -100, 2]))  # torch's default ignore_index leaves the row out
    np.testing.assert_allclose(ignored.data, np.log(4.0))
