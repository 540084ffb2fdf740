"""torch's spellings at the top level: dtypes, ``torch.autograd``, and a ``dir()`` that shows the API."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import optim


def test_dtype_names_are_torch_s():
    assert autograd.float is autograd.float32 and autograd.float32 == np.float32
    assert autograd.double == np.float64 and autograd.long == np.int64 and autograd.int == np.int32
    assert autograd.half == np.float16 and autograd.bool == np.bool_
    x = autograd.zeros(3, dtype=autograd.float64)
    assert x.dtype == autograd.float64
    assert autograd.ones(2, dtype=autograd.long).dtype == np.int64


def test_torch_autograd_namespace():
    x = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = autograd.autograd.grad((x ** 3).sum(), [x])
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    y = (x * x).sum()
    z = (2 * x).sum()
    autograd.autograd.backward([y, z])
    np.testing.assert_allclose(x.grad.data, 2 * x.data + 2)
    with pytest.raises(ValueError, match="one gradient per tensor"):
        autograd.autograd.backward([y, z], [None])
    assert autograd.autograd.Function is autograd.Function


def test_dir_shows_the_api_not_the_imports():
    for module in (autograd, nn, optim):
        names = dir(module)
        assert set(module.__all__) <= set(names)
        for leaked in ("Any", "annotations", "np", "numpy", "_np"):
            assert leaked not in names, (module.__name__, leaked)
    assert "Tensor" in dir(autograd) and "Linear" in dir(nn) and "Adam" in dir(optim)
    assert "layers" not in dir(nn) and "sgd" not in dir(optim)  # the modules the API is built from


def test_grad_fn_is_a_node_with_next_functions():
    from autograd.ops.arith import Add, Mul

    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    c = autograd.tensor([3.0, 4.0])
    y = (w * c + w).sum()
    node = y.grad_fn
    assert node.name() == "SumBackward0" and repr(node).startswith("<SumBackward0 object")
    (add, _), = node.next_functions
    assert add == Add and add.name() == "AddBackward0"
    (mul, _), (acc, _) = add.next_functions
    assert mul == Mul and acc.name() == "torch::autograd::AccumulateGrad" and acc.variable is w
    assert [n for n, _ in mul.next_functions][1] is None  # the constant c
    assert w.grad_fn is None and y.grad_fn == y.grad_fn and y.grad_fn.__name__ == "Sum"


NAMED = {  # expression -> built the same way on both sides; grad_fn.name() must be torch's
    "a @ b": lambda T, F, x, w, b: x @ w,
    "a @ v": lambda T, F, x, w, b: x @ b[:4],
    "v @ v": lambda T, F, x, w, b: x[0] @ b[:4],
    "x @ W + b": lambda T, F, x, w, b: x @ w + b,
    "(x @ W + b).relu()": lambda T, F, x, w, b: (x @ w + b).relu(),
    "(x @ W + b).sigmoid()": lambda T, F, x, w, b: (x @ w + b).sigmoid(),
    "F.linear": lambda T, F, x, w, b: F.linear(x, w.t(), b),
    "F.linear without bias": lambda T, F, x, w, b: F.linear(x, w.t()),
    "F.relu(F.linear)": lambda T, F, x, w, b: F.relu(F.linear(x, w.t(), b)),
    "sum()": lambda T, F, x, w, b: x.sum(),
    "sum(dim)": lambda T, F, x, w, b: x.sum(1),
    "mean(dim)": lambda T, F, x, w, b: x.mean(0),
    "max()": lambda T, F, x, w, b: x.max(),
    "min()": lambda T, F, x, w, b: x.min(),
    "max(dim)": lambda T, F, x, w, b: x.max(1)[0],
    "min(dim)": lambda T, F, x, w, b: x.min(dim=0).values,
    "view": lambda T, F, x, w, b: x.view(12),
    "reshape": lambda T, F, x, w, b: x.reshape(2, 6),
    "cat": lambda T, F, x, w, b: T.cat([x, x]),
    "expand": lambda T, F, x, w, b: x.unsqueeze(0).expand(2, 3, 4),
    "clamp": lambda T, F, x, w, b: x.clamp(0.0, 1.0),
    "mse_loss": lambda T, F, x, w, b: F.mse_loss(x, x.detach() * 2),
    "cross_entropy": lambda T, F, x, w, b: F.cross_entropy(x, T.tensor([0, 1, 2])),
}


@pytest.mark.parametrize("expr", list(NAMED))
def test_grad_fn_names_are_torchs(expr):
    torch = pytest.importorskip("torch")
    import nn.functional as GF

    rng = np.random.default_rng(0)
    a, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    ours = NAMED[expr](autograd, GF, *(autograd.tensor(v, requires_grad=True) for v in (a, w, b)))
    ref = NAMED[expr](torch, torch.nn.functional, *(torch.tensor(v, requires_grad=True) for v in (a, w, b)))
    assert ours.grad_fn.name() == ref.grad_fn.name()
    assert repr(ours.grad_fn).startswith(f"<{ref.grad_fn.name()} object")


def test_nn_linear_node_is_torchs_addmm():
    import nn.functional as GF

    lin = nn.Linear(4, 3)
    x = autograd.tensor(np.ones((2, 4)))
    assert lin(x).grad_fn.name() == "AddmmBackward0" and GF.relu(lin(x)).grad_fn.name() == "ReluBackward0"
    assert lin(autograd.tensor(np.ones((5, 2, 4)))).grad_fn.name() == "ViewBackward0"  # as torch, for 3-D input
