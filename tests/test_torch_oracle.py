"""PyTorch as an oracle: random graphs of ops, values and gradients (first and second order) in float64."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")
F = torch.nn.functional

RTOL, ATOL = 1e-9, 1e-11

# elementwise ops: name -> (ours, torch); inputs are any reals (domains made safe inside)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x),
    "exp": (lambda x: (x * 0.5).exp(), lambda x: (x * 0.5).exp()),
    "log": (lambda x: (x * x + 0.5).log(), lambda x: (x * x + 0.5).log()),
    "sqrt": (lambda x: (x * x + 0.25).sqrt(), lambda x: (x * x + 0.25).sqrt()),
    "abs": (lambda x: x.abs(), lambda x: x.abs()),
    "tanh": (lambda x: x.tanh(), lambda x: x.tanh()),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: x.sigmoid()),
    "relu": (lambda x: x.relu(), lambda x: x.relu()),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), lambda x: F.leaky_relu(x, 0.1)),
    "elu": (lambda x: x.elu(1.3), lambda x: F.elu(x, 1.3)),
    "softplus": (lambda x: x.softplus(), lambda x: F.softplus(x)),
    "log_sigmoid": (lambda x: x.log_sigmoid(), lambda x: F.logsigmoid(x)),
    "sin": (lambda x: x.sin(), lambda x: x.sin()),
    "cos": (lambda x: x.cos(), lambda x: x.cos()),
    "erf": (lambda x: x.erf(), lambda x: x.erf()),
    "silu": (lambda x: x.silu(), lambda x: F.silu(x)),
    "gelu": (lambda x: x.gelu(), lambda x: F.gelu(x)),
    "gelu_tanh": (lambda x: x.gelu("tanh"), lambda x: F.gelu(x, approximate="tanh")),
    "clip": (lambda x: x.clip(-0.6, 0.8), lambda x: x.clamp(-0.6, 0.8)),
    "square": (lambda x: x**2, lambda x: x**2),
    "cube": (lambda x: x**3, lambda x: x**3),
    "rpow": (lambda x: 1.7**x, lambda x: 1.7**x),
    "rdiv": (lambda x: 1.0 / (x * x + 0.5), lambda x: 1.0 / (x * x + 0.5)),
    "rsub": (lambda x: 2.0 - x, lambda x: 2.0 - x),
}

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (b * b + 0.5), lambda a, b: a / (b * b + 0.5)),
    "pow": (lambda a, b: (a * a + 0.5) ** b.tanh(), lambda a, b: (a * a + 0.5) ** b.tanh()),
    "maximum": (lambda a, b: autograd.maximum(a, b), lambda a, b: torch.maximum(a, b)),
    "minimum": (lambda a, b: autograd.minimum(a, b), lambda a, b: torch.minimum(a, b)),
    "where": (
        lambda a, b: autograd.where(a.data > b.data, a * 2, b),
        lambda a, b: torch.where(a.detach() > b.detach(), a * 2, b),
    ),
}

# shape-keeping ops (the result broadcasts against (3, 4)); reductions keep their axes
REDUCE = {
    "sum0": (lambda x: x.sum(axis=0, keepdims=True), lambda x: x.sum(dim=0, keepdim=True)),
    "mean1": (lambda x: x.mean(axis=-1, keepdims=True), lambda x: x.mean(dim=-1, keepdim=True)),
    "max0": (lambda x: x.max(axis=0, keepdims=True), lambda x: x.amax(dim=0, keepdim=True)),
    "min1": (lambda x: x.min(axis=-1, keepdims=True), lambda x: x.amin(dim=-1, keepdim=True)),
    "var1": (lambda x: x.var(axis=-1, keepdims=True), lambda x: x.var(dim=-1, keepdim=True, correction=0)),
    "lse0": (lambda x: x.logsumexp(axis=0, keepdims=True), lambda x: x.logsumexp(dim=0, keepdim=True)),
    "softmax": (lambda x: x.softmax(axis=-1), lambda x: x.softmax(dim=-1)),
    "log_softmax": (lambda x: x.log_softmax(axis=0), lambda x: x.log_softmax(dim=0)),
    "matmul": (lambda x: x @ Tensor(W), lambda x: x @ torch.tensor(W)),
    "getitem": (lambda x: x[..., IDX], lambda x: x[..., torch.tensor(IDX)]),
    "flip_reshape": (
        lambda x: x.reshape(-1)[::-1].reshape(x.shape),
        lambda x: x.reshape(-1).flip(0).reshape(x.shape),
    ),
    "stack_sum": (
        lambda x: autograd.stack([x, x * 2]).sum(axis=0),
        lambda x: torch.stack([x, x * 2]).sum(dim=0),
    ),
}
W = np.random.default_rng(99).standard_normal((4, 4)) * 0.5
IDX = np.array([3, 0, 0, 2])  # repeats: the gradient must accumulate
LEAF_SHAPES = [(3, 4), (4,), (3, 1), (1, 4), ()]


def random_program(seed: int, steps: int = 14):
    """Build the same random graph in both frameworks; return (our leaves, torch leaves, our nodes, torch nodes)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1.5, 1.5, s) for s in LEAF_SHAPES]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    pool_ours, pool_theirs = list(ours), list(theirs)
    for _ in range(steps):
        kind = rng.choice(["unary", "binary", "reduce"], p=[0.4, 0.4, 0.2])
        if kind == "unary":
            name = rng.choice(sorted(UNARY))
            f, g = UNARY[name]
            i = rng.integers(len(pool_ours))
            pool_ours.append(f(pool_ours[i]))
            pool_theirs.append(g(pool_theirs[i]))
        elif kind == "binary":
            name = rng.choice(sorted(BINARY))
            f, g = BINARY[name]
            i, j = rng.integers(len(pool_ours), size=2)
            pool_ours.append(f(pool_ours[i], pool_ours[j]))
            pool_theirs.append(g(pool_theirs[i], pool_theirs[j]))
        else:
            name = rng.choice(sorted(REDUCE))
            f, g = REDUCE[name]
            full = [k for k, t in enumerate(pool_ours) if t.shape == (3, 4)]
            i = full[rng.integers(len(full))]
            pool_ours.append(f(pool_ours[i]))
            pool_theirs.append(g(pool_theirs[i]))
    return ours, theirs, pool_ours, pool_theirs


def check_random_graph(seed: int) -> None:
    ours, theirs, nodes, tnodes = random_program(seed)
    rng = np.random.default_rng(1000 + seed)
    loss = Tensor(0.0)
    tloss = torch.tensor(0.0, dtype=torch.float64)
    for node, tnode in zip(nodes[len(ours):], tnodes[len(theirs):]):
        np.testing.assert_allclose(node.data, tnode.detach().numpy(), rtol=RTOL, atol=ATOL)
        weight = rng.standard_normal(node.shape)
        loss = loss + (node * weight).sum()
        tloss = tloss + (tnode * torch.tensor(weight)).sum()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=RTOL, atol=ATOL)
    loss.backward()
    tloss.backward()
    for leaf, tleaf in zip(ours, theirs):
        expected = np.zeros(leaf.shape) if tleaf.grad is None else tleaf.grad.numpy(force=True)
        actual = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad
        np.testing.assert_allclose(actual, expected, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", range(8))
def test_random_graph_matches_torch(seed):
    check_random_graph(seed)


@pytest.mark.numpy_only
@pytest.mark.parametrize("seed", range(8, 60))
def test_more_random_graphs_match_torch(seed):
    check_random_graph(seed)


def _second_order(f_ours, f_torch, arrays):
    """d/dx of sum(v * d(sum(u * f(x)))/dx) in both frameworks, for each input x."""
    rng = np.random.default_rng(3)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, tout = f_ours(*xs), f_torch(*ts)
    u = rng.standard_normal(out.shape)
    firsts = autograd.gradients(out, xs, grad_outputs=u, create_graph=True)
    tfirsts = torch.autograd.grad(tout, ts, grad_outputs=torch.tensor(u), create_graph=True)
    total = Tensor(0.0)
    ttotal = torch.tensor(0.0, dtype=torch.float64)
    for g, tg in zip(firsts, tfirsts):
        np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=RTOL, atol=ATOL)
        v = rng.standard_normal(g.shape)
        total = total + (g * v).sum()
        ttotal = ttotal + (tg * torch.tensor(v)).sum()
    # a first derivative that is piecewise constant (relu, abs) has no graph here, and a zero one in torch
    seconds = autograd.gradients(total, xs, allow_unused=True) if total.requires_grad else [None] * len(xs)
    tseconds = torch.autograd.grad(ttotal, ts, allow_unused=True) if ttotal.requires_grad else [None] * len(ts)
    for x, s, ts_ in zip(xs, seconds, tseconds):
        expected = np.zeros(x.shape) if ts_ is None else ts_.numpy(force=True)
        actual = np.zeros(x.shape) if s is None else s.data
        np.testing.assert_allclose(actual, expected, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_second_derivative_unary_matches_torch(name):
    f, g = UNARY[name]
    _second_order(f, g, [np.random.default_rng(4).uniform(-1.5, 1.5, (3, 4))])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_second_derivative_binary_matches_torch(name):
    f, g = BINARY[name]
    rng = np.random.default_rng(5)
    _second_order(f, g, [rng.uniform(-1.5, 1.5, (3, 4)), rng.uniform(-1.5, 1.5, (3, 1))])


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_second_derivative_shape_ops_match_torch(name):
    f, g = REDUCE[name]
    _second_order(lambda x: f(x).tanh(), lambda x: g(x).tanh(), [np.random.default_rng(6).uniform(-1.5, 1.5, (3, 4))])


def test_matmul_broadcasting_matches_torch():
    rng = np.random.default_rng(7)
    for sa, sb in [((3,), (3,)), ((3,), (2, 3, 4)), ((2, 5, 3), (3,)), ((2, 1, 3, 4), (5, 4, 2))]:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        ty = torch.tensor(b, requires_grad=True)
        out, tout = x @ y, tx @ ty
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=RTOL, atol=ATOL)
        cot = rng.standard_normal(out.shape)
        out.backward(cot)
        tout.backward(torch.tensor(cot))
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=RTOL, atol=ATOL)
