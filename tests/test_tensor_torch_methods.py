"""torch's remaining Tensor methods (autograd/torch_misc.py): the old linalg spellings, apply_/map_, the
post-accumulate-grad hook (an optimiser step inside backward, as torch's tutorial does it) and the CPU questions."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import optim

RNG = np.random.default_rng(5)
A = RNG.standard_normal((4, 3))
SPD = A.T @ A + np.eye(3)


def test_old_linalg_spellings_match_torch(backend):
    torch = pytest.importorskip("torch")
    a, t = autograd.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    (u, s, v), (tu, ts, tv) = a.svd(), t.svd()
    np.testing.assert_allclose(s.data, ts.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose((u * s) @ v.mT, A, atol=1e-12)  # V, not V^T, as torch's Tensor.svd
    assert u.shape == tuple(tu.shape) and v.shape == tuple(tv.shape)
    with pytest.raises(NotImplementedError, match="full_matrices=True for non-square"):
        a.svd(some=False)  # the full SVD of a non-square matrix is not available (linalg.svd says so)
    s.sum().backward()
    ts.sum().backward()
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)
    q, r = a.qr()
    np.testing.assert_allclose((q @ r).data, A, atol=1e-12)
    assert a.qr(some=False)[0].shape == (4, 4)
    for upper in (False, True):
        np.testing.assert_allclose(autograd.tensor(SPD).cholesky(upper=upper).data,
                                   np.linalg.cholesky(SPD).T if upper else np.linalg.cholesky(SPD), rtol=1e-12)
    np.testing.assert_allclose(a.pinverse().data, np.linalg.pinv(A), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(autograd.tensor(SPD / 5).matrix_exp().data,
                               torch.tensor(SPD / 5).matrix_exp().numpy(), rtol=1e-10)


def test_apply_and_map_change_values_in_place():
    x = autograd.tensor([1.0, 2.0, 3.0])
    assert x.apply_(lambda v: v * 10) is x
    np.testing.assert_array_equal(x.data, [10.0, 20.0, 30.0])
    x.map_(autograd.tensor([1.0, 1.0, 2.0]), lambda a, b: a + b)
    np.testing.assert_array_equal(x.data, [11.0, 21.0, 32.0])
    with pytest.raises(TypeError, match="apply_: expected a function"):
        x.apply_(3)
    w = autograd.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        w.apply_(lambda v: v)  # in place on a leaf that requires grad, refused as torch refuses it


def test_post_accumulate_grad_hook_sees_the_accumulated_grad():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.data.copy()))
    (w * w).sum().backward()
    (w * 3).sum().backward()
    handle.remove()
    (w * 3).sum().backward()
    assert [s.tolist() for s in seen] == [[2.0, 4.0], [5.0, 7.0]]
    with pytest.raises(RuntimeError, match="leaf tensors that require grad"):
        (w * 2).register_post_accumulate_grad_hook(lambda p: None)
    with pytest.raises(TypeError, match="expected a function of the tensor"):
        w.register_post_accumulate_grad_hook(None)


def test_optimizer_step_in_backward_matches_a_plain_step(backend):
    x = RNG.standard_normal((8, 3))
    y = RNG.standard_normal((8, 1))
    plain, fused = nn.Linear(3, 1, seed=0), nn.Linear(3, 1, seed=0)
    opt = optim.SGD(plain.parameters(), lr=0.1)
    per_param = {p: optim.SGD([p], lr=0.1) for p in fused.parameters()}

    def hook(p):
        per_param[p].step()
        per_param[p].zero_grad()

    for p in fused.parameters():
        p.register_post_accumulate_grad_hook(hook)
    for _ in range(3):
        loss = ((plain(autograd.tensor(x)) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        ((fused(autograd.tensor(x)) - y) ** 2).mean().backward()  # each parameter steps as its grad arrives
    for a, b in zip(plain.parameters(), fused.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
        assert b.grad is None or not np.any(b.grad.data)


def test_cpu_questions():
    t = autograd.ones(2)
    assert t.get_device() == -1 and t.pin_memory() is t and t.share_memory_() is t
    assert not (t.is_pinned() or t.is_shared() or t.is_inference() or t.is_conj() or t.is_neg())
    assert [c.shape for c in autograd.arange(5.0).unsafe_chunk(2)] == [(3,), (2,)]
    assert [c.shape for c in autograd.arange(5.0).unsafe_split(2)] == [(2,), (2,), (1,)]
