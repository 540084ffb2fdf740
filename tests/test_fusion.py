"""Peephole fusion: ``x @ W + b`` (+ activation) written by hand records one Addmm node, with eager's numbers."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.ops.arith import Add as _Add
from autograd.ops.matmul import Addmm, MatMul
from autograd.ops.unary import Relu

pytestmark = pytest.mark.skipif(not autograd.fusion_enabled(), reason="this interpreter cannot tell temporaries")

ACTS = [None, "relu", "tanh", "sigmoid"]


def _data(dtype=np.float64, seed=0, n=5, k=3, m=4):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((n, k)).astype(dtype), requires_grad=True)
    W = Tensor(rng.standard_normal((k, m)).astype(dtype), requires_grad=True)
    b = Tensor(rng.standard_normal(m).astype(dtype), requires_grad=True)
    return x, W, b


def _layer(x, W, b, act):
    if act is None:
        return x @ W + b
    if act == "relu":
        return (x @ W + b).relu()
    if act == "tanh":
        return (x @ W + b).tanh()
    return (x @ W + b).sigmoid()


def _run(act, fuse, dtype=np.float64):
    x, W, b = _data(dtype)
    autograd.set_fusion(fuse)
    try:
        y = _layer(x, W, b, act)
        (y * y).sum().backward()
    finally:
        autograd.set_fusion(True)
    return y, [t.grad.data for t in (x, W, b)]


@pytest.mark.parametrize("act", ACTS)
def test_fused_node_has_the_unfused_numbers(backend, act):
    y, grads = _run(act, True)
    assert y._op is Addmm and y._ctx.activation == act
    assert len(y._parents) == 3
    y0, grads0 = _run(act, False)
    assert y0._op is not Addmm
    np.testing.assert_array_equal(y.data, y0.data)  # the same kernels in the same order
    for g, g0 in zip(grads, grads0):
        np.testing.assert_allclose(g, g0, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("act", ACTS)
def test_fused_node_gradcheck(backend, act):
    x, W, b = _data(seed=1)
    assert autograd.gradcheck(lambda x, W, b: _layer(x, W, b, act), [x, W, b])


@pytest.mark.parametrize("act", ACTS)
def test_fused_node_against_torch(backend, act):
    torch = pytest.importorskip("torch")
    y, grads = _run(act, True, np.float32)
    x, W, b = _data(np.float32)
    tx, tW, tb = (torch.tensor(t.data, requires_grad=True) for t in (x, W, b))
    ty = tx @ tW + tb
    ty = {None: ty, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[act](ty) if act else ty
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    for g, t in zip(grads, (tx, tW, tb)):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_bias_on_the_left_fuses_too(backend):
    x, W, b = _data()
    y = (b + x @ W).relu()
    assert y._op is Addmm and y._parents == (x, W, b)
    np.testing.assert_allclose(y.data, np.maximum(x.data @ W.data + b.data, 0))


def test_a_named_intermediate_is_left_as_written(backend):
    x, W, b = _data()
    z = x @ W
    before = z.data.copy()
    y = z + b
    assert y._op is _Add and z._op is MatMul
    np.testing.assert_array_equal(z.data, before)
    h = x @ W + b  # fused into one Addmm, but h is a name: its .relu() is its own node
    pre = h.data.copy()
    r = h.relu()
    assert h._op is Addmm and h._ctx.activation is None and r._op is Relu
    np.testing.assert_array_equal(h.data, pre)
    (r.sum() + h.sum()).backward()
    np.testing.assert_allclose(b.grad.data, (pre > 0).sum(axis=0) + x.data.shape[0])


def test_cases_that_keep_the_ops(backend):
    x, W, b = _data()
    late = x @ W + autograd.zeros(4, requires_grad=True)  # a bias made after the product
    assert late._op is _Add
    row = x @ W + Tensor(np.ones((1, 4)), requires_grad=True)  # not the product's last axis alone
    assert row._op is _Add
    batched = Tensor(np.ones((2, 5, 3))) @ W + b
    assert batched._op is _Add
    with autograd.detect_anomaly():
        y = x @ W + b
    assert y._op is _Add
    autograd.set_fusion(False)
    try:
        y = x @ W + b
        assert not autograd.fusion_enabled()
        assert y._op is _Add
    finally:
        autograd.set_fusion(True)
    y = x @ W + b  # and back on
    assert y._op is Addmm
    with autograd.no_grad():
        y = (x @ W + b).relu()
    assert y._op is None and not y.requires_grad
    np.testing.assert_allclose(y.data, np.maximum(x.data @ W.data + b.data, 0))


def test_in_place_change_after_the_fused_op_is_caught(backend):
    x, W, b = _data()
    y = (x @ W + b).relu()
    with autograd.no_grad():
        W.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_double_backward_through_the_fused_node(backend):
    def grad_norm(fuse):
        x, W, b = _data(seed=2)
        autograd.set_fusion(fuse)
        try:
            y = (x @ W + b).tanh()
            (gW,) = autograd.grad((y * y).sum(), [W], create_graph=True)
            (gW * gW).sum().backward()
        finally:
            autograd.set_fusion(True)
        return W.grad.data, x.grad.data

    for a, b in zip(grad_norm(True), grad_norm(False)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def test_grad_fn_and_drawing_name_the_fused_op(backend):
    x, W, b = _data()
    y = (x @ W + b).relu()
    assert y._op.__name__ == "Addmm" and y.grad_fn.name() == "ReluBackward0"  # the name torch gives the expression
    assert (x @ W + b).grad_fn.name() == "AddBackward0"
    assert y._ctx.op_label == "relu(x @ W + b)"
    graphviz = pytest.importorskip("graphviz")  # noqa: F841
    from autograd import draw_graph

    dot = draw_graph(y.sum())
    assert "relu(x @ W + b)" in dot.source


def test_set_fusion_rejects_non_bools():
    with pytest.raises(TypeError, match="True or False"):
        autograd.set_fusion(1)


def test_function_spellings_fuse_on_the_expression_only(backend):
    from nn import functional as F

    x, W, b = _data()
    # (each computed before its assert: pytest's assert rewriting keeps references to the temporaries)
    r, t, s = F.relu(x @ W + b), autograd.tanh(x @ W + b), F.sigmoid(b + x @ W)
    assert [r._ctx.activation, t._ctx.activation, s._ctx.activation] == ["relu", "tanh", "sigmoid"]
    h = x @ W + b
    pre = h.data.copy()
    for r in (F.relu(h), autograd.relu(h)):
        assert r._op is Relu
    np.testing.assert_array_equal(h.data, pre)  # the named tensor keeps its values
    y = F.relu(x @ W + b)
    y.sum().backward()
    np.testing.assert_allclose(b.grad.data, (pre > 0).sum(axis=0))


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid"])
def test_activation_after_nn_linear_folds_into_its_node(backend, act):
    import nn
    from autograd.ops.matmul import Linear
    from nn import functional as F

    def run(fuse):
        autograd.set_fusion(fuse)
        try:
            fc = nn.Linear(3, 4)
            fc.weight.data = np.arange(12.0).reshape(4, 3) / 10 - 0.5
            fc.bias.data = np.array([0.1, -0.2, 0.3, -0.4])
            x = Tensor(np.linspace(-1, 1, 15).reshape(5, 3), requires_grad=True)
            y = getattr(F, act)(fc(x))  # a module's forward: x = F.relu(self.fc1(x))
            (y * y).sum().backward()
        finally:
            autograd.set_fusion(True)
        return y, [x.grad.data, fc.weight.grad.data, fc.bias.grad.data]

    y, grads = run(True)
    assert y._op is Linear and y._ctx.activation == act and y._ctx.op_label == f"{act}(Linear)"
    y0, grads0 = run(False)
    assert y0._op is not Linear
    np.testing.assert_array_equal(y.data, y0.data)
    for g, g0 in zip(grads, grads0):
        np.testing.assert_allclose(g, g0, rtol=1e-13, atol=1e-14)


def test_environment_variable_turns_fusion_off(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import numpy as np, autograd\nfrom autograd import Tensor\n"
            "W, b, x = Tensor(np.ones((3, 2)), requires_grad=True), Tensor(np.ones(2)), Tensor(np.ones((4, 3)))\n"
            "print(autograd.fusion_enabled(), (x @ W + b).relu()._op.__name__)\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, GRADWORK_FUSE_OPS="0", PYTHONPATH=root)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "Relu"]
    env["GRADWORK_FUSE_OPS"] = "1"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.split() == ["True", "Addmm"], out.stderr
