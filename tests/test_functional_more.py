"""nn/functional_more.py and nn/layers_more.py against torch: distances, the margin and ranking losses,
Poisson NLL, the shrink activations, threshold, rrelu, bilinear, dropout1d/alpha_dropout, and their modules
(ParameterDict too). Values and the gradient of every differentiable input, float64 to 1e-10 (float32 to
1e-5 for some), every reduction, gradcheck for a few, and the bad inputs' messages."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value, gradcheck
from nn import functional as F

torch = pytest.importorskip("torch")
tF = torch.nn.functional

pytestmark = pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated:UserWarning")

RNG = np.random.default_rng(2026)
REDUCTIONS = ("none", "mean", "sum")
TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
F64, BOTH = (np.float64,), (np.float64, np.float32)


def compare(ours, theirs, inputs, dtypes=F64):
    """ours(*Tensors) vs theirs(*torch tensors): shape, dtype, value, and the gradient of every input (a 'none'
    result is contracted with fixed random weights, so every entry of every gradient is compared)."""
    for dt in dtypes:
        a = [Tensor(np.asarray(x, dtype=dt), requires_grad=True) for x in inputs]
        b = [torch.tensor(np.asarray(x, dtype=dt), requires_grad=True) for x in inputs]
        out, ref = ours(*a), theirs(*b)
        assert out.shape == tuple(ref.shape), (out.shape, tuple(ref.shape))
        assert out.dtype == dt, f"{out.dtype} for {dt} inputs"
        np.testing.assert_allclose(out.data, ref.detach().numpy(), **TOL[dt])
        g = np.random.default_rng(5).uniform(0.5, 1.5, size=out.shape).astype(dt)
        (out * Tensor(g)).sum().backward()
        (ref * torch.tensor(g)).sum().backward()
        for i, (x, y) in enumerate(zip(a, b)):
            assert y.grad is not None, f"input {i} gets no gradient in torch"
            np.testing.assert_allclose(np.asarray(x.grad), y.grad.numpy(), **TOL[dt], err_msg=f"input {i}")


def T(x):
    return torch.tensor(np.asarray(x))


def _params(fn, skip=("generator", "seed", "self")):
    """(name, default, kind) of each parameter; for torch's C functions, parsed from the docstring's first line."""
    import ast
    import inspect

    try:
        sig = inspect.signature(fn)
    except ValueError:
        head = fn.__doc__.strip().splitlines()[0].split("->")[0]
        args = ast.parse(f"def {head}: pass").body[0].args
        defaults = [eval(compile(ast.Expression(d), "<doc>", "eval"), {}) for d in args.defaults]  # e.g. 1./8
        defaults = [None] * (len(args.args) - len(defaults)) + defaults
        return [(a.arg, d, "POSITIONAL_OR_KEYWORD") for a, d in zip(args.args, defaults)]
    return [(p.name, None if p.default is inspect.Parameter.empty else p.default, p.kind.name)
            for p in sig.parameters.values() if p.name not in skip]


def test_signatures_are_torchs():
    """Names, order, defaults and keyword-only markers of every new function and module constructor (gradwork's
    losses keep reduction=None meaning 'mean'; ``generator=``/``seed=`` are gradwork's keyword-only extras)."""
    from nn import functional_more, layers_more

    for name in functional_more.__all__:
        assert _params(getattr(F, name)) == _params(getattr(tF, name)), name
    for name in layers_more.__all__:
        if name in ("LogSigmoid", "Tanhshrink", "Softmax2d"):  # torch's take *args, **kwargs and ignore them
            continue
        ours = [(n, "mean" if n == "reduction" and d is None else d, k)
                for n, d, k in _params(getattr(nn, name).__init__)]
        assert ours == _params(getattr(torch.nn, name).__init__), name


# ---------------------------------------------------------------- the data

X = RNG.normal(size=(6, 4))
Y = RNG.normal(size=(6, 4))
Z = RNG.normal(size=(6, 4))
PM = RNG.choice([-1.0, 1.0], size=(6, 4))  # 1/-1 targets
BITS = RNG.integers(0, 2, size=(6, 4)).astype(np.float64)  # 0/1 multi-label targets
W4 = RNG.uniform(0.5, 2.0, size=4)  # one weight per class
LABELS = np.array([0, 3, 1, 2, 3, 1])
ML = np.array([[3, 0, -1, 2], [1, -1, 0, 0], [0, 1, 2, 3], [-1, 0, 0, 0], [2, 2, -1, 1], [1, 3, -1, -1]])
COUNTS = np.array([[0, 1, 2, 5], [3, 0, 7, 1], [1, 1, 4, 2], [0, 9, 2, 3], [6, 1, 0, 2], [2, 2, 3, 1]], float)

# ------------------------------------------------------------- distances


@pytest.mark.parametrize("shapes, dim, eps", [
    (((6, 4), (6, 4)), 1, 1e-8),
    (((6, 4), (6, 4)), -1, 2.0),  # the clamp at eps is active: the gradient passes to the norm, as torch's
    (((3, 4, 1), (1, 4, 2)), 1, 1e-8),  # broadcast
    (((4,), (4,)), 0, 1e-8),  # unbatched
])
def test_cosine_similarity(shapes, dim, eps):
    inputs = [RNG.normal(size=s) for s in shapes]
    compare(lambda a, b: F.cosine_similarity(a, b, dim, eps), lambda a, b: tF.cosine_similarity(a, b, dim, eps),
            inputs, BOTH)


def test_cosine_similarity_zero_vector_is_zero_with_torchs_gradient():
    a = X.copy()
    a[2] = 0.0
    compare(F.cosine_similarity, tF.cosine_similarity, [a, Y])


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, np.inf])
@pytest.mark.parametrize("shapes, keepdim", [(((6, 4), (6, 4)), False), (((6, 4), (4,)), True),
                                             (((4,), (4,)), False), (((), ()), False), (((), ()), True),
                                             (((4,), (3, 4)), True)])
def test_pairwise_distance(p, shapes, keepdim):
    inputs = [RNG.normal(size=s) for s in shapes]
    compare(lambda a, b: F.pairwise_distance(a, b, p, 1e-6, keepdim),
            lambda a, b: tF.pairwise_distance(a, b, p, 1e-6, keepdim), inputs)


@pytest.mark.parametrize("p", [1, 2, 3, np.inf])
def test_pdist(p):
    compare(lambda a: F.pdist(a, p), lambda a: tF.pdist(a, p), [X], BOTH if p == 2 else F64)


def test_pdist_repeated_rows_have_torchs_zero_gradient():
    compare(F.pdist, tF.pdist, [np.ones((3, 2))])


# ------------------------------------------------------------- margin losses


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", [{}, {"margin": 0.5, "swap": True}, {"p": 1, "eps": 1e-3}, {"p": 3, "margin": 2.0}])
def test_triplet_margin_loss(reduction, kw):
    compare(lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction=reduction, **kw),
            lambda a, p, n: tF.triplet_margin_loss(a, p, n, reduction=reduction, **kw), [X, Y, Z], BOTH)


def test_triplet_margin_loss_unbatched_positional_and_legacy():
    compare(lambda a, p, n: F.triplet_margin_loss(a, p, n, 0.5, 2, 1e-6, True, None, None, "none"),
            lambda a, p, n: tF.triplet_margin_loss(a, p, n, 0.5, 2, 1e-6, True, None, None, "none"), [X[0], Y[0], Z[0]])
    compare(lambda a, p, n: F.triplet_margin_loss(a, p, n, size_average=False),
            lambda a, p, n: tF.triplet_margin_loss(a, p, n, size_average=False), [X, Y, Z])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("which", ["default", "cosine", "swap"])
def test_triplet_margin_with_distance_loss(reduction, which):
    def kw(f):
        if which == "default":
            return {}
        if which == "cosine":
            return {"distance_function": lambda u, v: 1.0 - f.cosine_similarity(u, v), "margin": 0.7}
        return {"swap": True, "margin": 1.5}

    compare(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, reduction=reduction, **kw(F)),
            lambda a, p, n: tF.triplet_margin_with_distance_loss(a, p, n, reduction=reduction, **kw(tF)), [X, Y, Z])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss(reduction):
    compare(lambda a, b: F.margin_ranking_loss(a, b, PM, 0.3, reduction=reduction),
            lambda a, b: tF.margin_ranking_loss(a, b, T(PM), 0.3, reduction=reduction), [X, Y], BOTH)
    compare(lambda a, b: F.margin_ranking_loss(a, b, PM[:, 0], reduce=False),  # legacy flags, 1-D
            lambda a, b: tF.margin_ranking_loss(a, b, T(PM[:, 0]), reduce=False), [X[:, 0], Y[:, 0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding_loss(reduction):
    compare(lambda a: F.hinge_embedding_loss(a, PM, 1.5, reduction=reduction),
            lambda a: tF.hinge_embedding_loss(a, T(PM), 1.5, reduction=reduction), [X], BOTH)
    compare(lambda a: F.hinge_embedding_loss(a, PM[0], reduction=reduction),  # the target broadcasts, as torch
            lambda a: tF.hinge_embedding_loss(a, T(PM[0]), reduction=reduction), [X])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    compare(lambda a: F.soft_margin_loss(a, PM, reduction=reduction),
            lambda a: tF.soft_margin_loss(a, T(PM), reduction=reduction), [X * 3], BOTH)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(reduction, weighted):
    w = W4 if weighted else None
    tw = T(W4) if weighted else None
    compare(lambda a: F.multilabel_soft_margin_loss(a, BITS, w, reduction=reduction),
            lambda a: tF.multilabel_soft_margin_loss(a, T(BITS), tw, reduction=reduction), [X * 2], BOTH)
    compare(lambda a: F.multilabel_soft_margin_loss(a, BITS[1], w, reduction=reduction),  # one sample (C,)
            lambda a: tF.multilabel_soft_margin_loss(a, T(BITS[1]), tw, reduction=reduction), [X[1]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, margin, weighted", [(1, 1.0, False), (2, 0.7, False), (1, 0.5, True), (2, 2.0, True)])
def test_multi_margin_loss(reduction, p, margin, weighted):
    w = W4 if weighted else None
    tw = T(W4) if weighted else None
    compare(lambda a: F.multi_margin_loss(a, LABELS, p, margin, w, reduction=reduction),
            lambda a: tF.multi_margin_loss(a, T(LABELS), p, margin, tw if tw is None else tw.to(a.dtype),
                                           reduction=reduction), [X], BOTH)


@pytest.mark.parametrize("target", [np.array(2), np.array([2])])
def test_multi_margin_loss_one_sample_keeps_torchs_shapes(target):
    for reduction in REDUCTIONS:
        compare(lambda a, r=reduction: F.multi_margin_loss(a, target, margin=2.0, reduction=r),
                lambda a, r=reduction: tF.multi_margin_loss(a, T(target), margin=2.0, reduction=r), [X[0]])
        compare(lambda a, r=reduction: F.multi_margin_loss(a, target * 0, reduction=r),  # 0-d: one class
                lambda a, r=reduction: tF.multi_margin_loss(a, T(target * 0), reduction=r), [X[0, 0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    compare(lambda a: F.multilabel_margin_loss(a, ML, reduction=reduction),
            lambda a: tF.multilabel_margin_loss(a, T(ML), reduction=reduction), [X], BOTH)
    compare(lambda a: F.multilabel_margin_loss(a, ML[0], reduction=reduction),
            lambda a: tF.multilabel_margin_loss(a, T(ML[0]), reduction=reduction), [X[0]])
    compare(lambda a: F.multilabel_margin_loss(a, np.array(0), reduction=reduction),
            lambda a: tF.multilabel_margin_loss(a, torch.tensor(0), reduction=reduction), [X[0, 0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input, full", [(True, False), (True, True), (False, False), (False, True)])
def test_poisson_nll_loss(reduction, log_input, full):
    x = X if log_input else np.abs(X) + 0.1
    compare(lambda a: F.poisson_nll_loss(a, COUNTS, log_input, full, reduction=reduction),
            lambda a: tF.poisson_nll_loss(a, T(COUNTS), log_input, full, reduction=reduction), [x], BOTH)


def test_poisson_nll_loss_eps_and_legacy_flags():
    x = np.abs(X) * 0.01
    compare(lambda a: F.poisson_nll_loss(a, COUNTS, False, eps=0.5, size_average=False),
            lambda a: tF.poisson_nll_loss(a, T(COUNTS), False, eps=0.5, size_average=False), [x])


# --------------------------------------------------------------- activations

XA = np.linspace(-3.1, 3.3, 24).reshape(4, 6) + 0.013  # no entry on a kink (0, +-0.3, +-0.5, +-1, 0.1)

ACTS = [
    ("logsigmoid", lambda f: f.logsigmoid),
    ("tanhshrink", lambda f: f.tanhshrink),
    ("softshrink", lambda f: f.softshrink),
    ("softshrink_1", lambda f: (lambda x: f.softshrink(x, 1.0))),
    ("hardshrink", lambda f: f.hardshrink),
    ("hardshrink_0.3", lambda f: (lambda x: f.hardshrink(x, lambd=0.3))),
    ("threshold", lambda f: (lambda x: f.threshold(x, 0.1, 20.0))),
    ("rrelu_eval", lambda f: (lambda x: f.rrelu(x, 0.1, 0.4))),
    ("rrelu_eval_default", lambda f: f.rrelu),
]


@pytest.mark.parametrize("name, make", ACTS, ids=[a[0] for a in ACTS])
def test_activation(name, make):
    compare(make(F), make(tF), [XA], BOTH)
    compare(make(F), make(tF), [XA[0, 0]])  # 0-d


def test_threshold_inplace_writes_into_a_non_leaf_and_keeps_the_gradient():
    a, b = Tensor(XA, requires_grad=True), torch.tensor(XA, requires_grad=True)
    ya, yb = a * 2.0, b * 2.0
    assert F.threshold(ya, 0.5, -1.0, inplace=True) is ya
    tF.threshold(yb, 0.5, -1.0, inplace=True)
    np.testing.assert_array_equal(ya.data, yb.detach().numpy())
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12)


def test_inplace_twins_write_into_the_input():
    for ours, theirs in [(lambda t: F.threshold_(t, 0.5, -1.0), lambda t: tF.threshold_(t, 0.5, -1.0)),
                         (lambda t: F.rrelu_(t, 0.1, 0.3), lambda t: tF.rrelu_(t, 0.1, 0.3))]:
        a, b = Tensor(XA, requires_grad=True), torch.tensor(XA, requires_grad=True)
        ya, yb = a * 1.5, b * 1.5
        assert ours(ya) is ya and theirs(yb) is yb
        np.testing.assert_allclose(ya.data, yb.detach().numpy(), rtol=1e-14)
        (ya * ya).sum().backward()
        (yb * yb).sum().backward()
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12)
    t = Tensor(XA.copy())
    out = F.rrelu_(t, 0.2, 0.4, training=True, generator=autograd.Generator().manual_seed(1))
    assert out is t and np.all((t.data[XA < 0] / XA[XA < 0] >= 0.2) & (t.data[XA < 0] / XA[XA < 0] <= 0.4))


@pytest.mark.parametrize("fn", [
    lambda x, inplace, g: F.rrelu(x, 0.1, 0.5, True, inplace, generator=g),
    lambda x, inplace, g: F.rrelu(x, 0.1, 0.5, False, inplace, generator=g),
    lambda x, inplace, g: F.alpha_dropout(x, 0.3, True, inplace, generator=g),
    lambda x, inplace, g: F.feature_alpha_dropout(x.reshape(2, 3, 4), 0.3, True, inplace, generator=g),
    lambda x, inplace, g: F.dropout1d(x.reshape(2, 3, 4), 0.4, True, inplace, generator=g),
    lambda x, inplace, g: F.dropout1d(x, 1.0, True, inplace, generator=g),
    lambda x, inplace, g: F.threshold(x, 0.2, 5.0, inplace),
    lambda x, inplace, g: F.dropout(x, 0.5, True, inplace, generator=g),  # nn/attention.py's, fixed alike
], ids=["rrelu_train", "rrelu_eval", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout1d_p1",
        "threshold", "dropout"])
def test_inplace_equals_out_of_place_with_the_same_draws(fn):
    results = []
    for inplace in (False, True):
        a = Tensor(XA, requires_grad=True)
        y = a * 1.0  # a non-leaf, which may change in place
        out = fn(y, inplace, autograd.Generator().manual_seed(4))
        if inplace:
            assert np.shares_memory(out.data, y.data)  # written into y (or into its reshaped view)
        (out * out).sum().backward()
        results.append((out.data.copy(), np.asarray(a.grad).copy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_rrelu_training_draws_one_slope_per_negative_entry():
    lo, hi = 0.2, 0.6
    x = Tensor(XA, requires_grad=True)
    g = autograd.Generator().manual_seed(3)
    y = F.rrelu(x, lo, hi, training=True, generator=g)
    ratio = y.data / XA
    neg = XA <= 0
    assert np.all((ratio[neg] >= lo) & (ratio[neg] <= hi)) and np.all(ratio[~neg] == 1.0)
    assert len(np.unique(ratio[neg])) == neg.sum()  # one draw per entry
    y.sum().backward()
    np.testing.assert_allclose(x.grad, ratio, rtol=1e-12)
    again = F.rrelu(Tensor(XA), lo, hi, training=True, generator=autograd.Generator().manual_seed(3))
    np.testing.assert_array_equal(again.data, y.data)
    m = nn.RReLU(lo, hi, seed=3)
    assert not np.array_equal(m(Tensor(XA)).data, F.rrelu(Tensor(XA), lo, hi).data)  # training: random slopes
    m.eval()
    np.testing.assert_array_equal(m(Tensor(XA)).data, F.rrelu(Tensor(XA), lo, hi).data)


# -------------------------------------------------------------------- bilinear

W342 = RNG.normal(size=(3, 4, 2))
B3 = RNG.normal(size=3)


@pytest.mark.parametrize("shapes", [((6, 4), (6, 2)), ((4,), (2,)), ((2, 3, 4), (2, 3, 2))])
@pytest.mark.parametrize("with_bias", [True, False])
def test_bilinear(shapes, with_bias):
    inputs = [RNG.normal(size=s) for s in shapes] + [W342] + ([B3] if with_bias else [])
    compare(F.bilinear, tF.bilinear, inputs, BOTH)


def test_bilinear_module_loads_torchs_state_dict_and_matches():
    ref = torch.nn.Bilinear(4, 2, 3).double()
    m = nn.Bilinear(4, 2, 3)
    assert list(m.state_dict()) == list(ref.state_dict()) == ["weight", "bias"]
    m.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    a, b = RNG.normal(size=(5, 4)), RNG.normal(size=(5, 2))
    out, r = m(Tensor(a), Tensor(b)), ref(T(a), T(b))
    np.testing.assert_allclose(out.data, r.detach().numpy(), rtol=1e-10)
    out.sum().backward()
    r.sum().backward()
    np.testing.assert_allclose(m.weight.grad, ref.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(m.bias.grad, ref.bias.grad.numpy(), rtol=1e-10)


def test_bilinear_init_is_torchs_uniform_and_repeatable():
    m = nn.Bilinear(16, 5, 40, seed=1)
    bound = 1 / 4.0
    assert m.weight.shape == (40, 16, 5) and m.bias.shape == (40,)
    w = m.weight.data
    assert w.min() >= -bound and w.max() <= bound and w.min() < -0.95 * bound and w.max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01  # the std of U(-b, b)
    np.testing.assert_array_equal(nn.Bilinear(16, 5, 40, seed=1).weight.data, w)
    assert nn.Bilinear(2, 3, 4, bias=False).bias is None
    assert nn.Bilinear(2, 3, 4, dtype=np.float32).weight.dtype == np.float32
    assert repr(nn.Bilinear(2, 3, 4)) == repr(torch.nn.Bilinear(2, 3, 4))


MLT = ML[:4, :4].T.copy()

STRIDED = [  # transposed, sliced and strided views of x (4, 4) and y (6, 4), the same in both libraries
    (lambda f, c: (lambda x, y: f.cosine_similarity(x.t(), y[1:5].t(), dim=0))),
    (lambda f, c: (lambda x, y: f.pairwise_distance(x.t()[1:], y[::2], p=1))),
    (lambda f, c: (lambda x, y: f.bilinear(x[:, 1:3], y[:4, ::2], c(W342)[:, :2, :]))),
    (lambda f, c: (lambda x, y: f.multilabel_margin_loss(x.t(), c(MLT), reduction="none") + f.pdist(y[::3].t()).sum())),
    (lambda f, c: (lambda x, y: f.triplet_margin_loss(x.t(), y[:4].t(), y[2:].t(), swap=True))),
]


@pytest.mark.parametrize("make", STRIDED)
def test_views_and_strided_inputs(make):
    compare(make(F, Tensor), make(tF, T), [X[:4], Y])


# ------------------------------------------------------------------ gradcheck


@pytest.mark.parametrize("fn, inputs", [
    (lambda a, p, n: F.triplet_margin_loss(a, p, n, swap=True, reduction="none"), [X, Y, Z]),
    (lambda a, b: F.cosine_similarity(a, b), [X, Y]),
    (lambda a: F.multi_margin_loss(a, LABELS, p=2, weight=W4, reduction="none"), [X]),
    (lambda a: F.multilabel_margin_loss(a, ML, reduction="none"), [X]),
    (lambda a: F.poisson_nll_loss(a, COUNTS, log_input=False, full=True, reduction="none"), [np.abs(X) + 0.5]),
    (lambda a, b, w, c: F.bilinear(a, b, w, c), [X, RNG.normal(size=(6, 2)), W342, B3]),
    (lambda a: F.multilabel_soft_margin_loss(a, BITS, W4, reduction="none"), [X]),
])
def test_gradcheck(fn, inputs):
    assert gradcheck(lambda *ts: fn(*ts).sum(), [Tensor(np.array(x), requires_grad=True) for x in inputs])


W344 = RNG.normal(size=(3, 4, 4))
SECOND = {  # loss(a, b) in either library (f its functional, c its constant maker)
    "cosine_similarity": lambda f, c: lambda a, b: f.cosine_similarity(a, b).sum(),
    "triplet_margin_loss": lambda f, c: lambda a, b: f.triplet_margin_loss(a, b, b * 0.5 + 0.1, p=3, swap=True),
    "soft_margin_loss": lambda f, c: lambda a, b: f.soft_margin_loss(a * b, c(PM)),
    "multilabel_soft_margin_loss": lambda f, c: lambda a, b: f.multilabel_soft_margin_loss(a * b, c(BITS), c(W4)),
    "poisson_nll_loss": lambda f, c: lambda a, b: f.poisson_nll_loss(a * b, c(COUNTS), full=True),
    "bilinear": lambda f, c: lambda a, b: (f.bilinear(a, b, c(W344)) ** 2).sum(),
    "tanhshrink_logsigmoid": lambda f, c: lambda a, b: (f.tanhshrink(a * b) + f.logsigmoid(a * b) ** 2).sum(),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivatives_match_torch(name):
    """Gradients under create_graph, then their product with v differentiated again (a Hessian-vector product)."""
    v = np.random.default_rng(8).normal(size=X.shape)
    a, b = Tensor(X, requires_grad=True), Tensor(Y, requires_grad=True)
    ta, tb = torch.tensor(X, requires_grad=True), torch.tensor(Y, requires_grad=True)
    make = SECOND[name]
    ga, gb = autograd.grad(make(F, Tensor)(a, b), [a, b], create_graph=True)
    tga, tgb = torch.autograd.grad(make(tF, T)(ta, tb), [ta, tb], create_graph=True)
    ((ga * Tensor(v)).sum() + (gb * Tensor(v)).sum()).backward()
    ((tga * T(v)).sum() + (tgb * T(v)).sum()).backward()
    np.testing.assert_allclose(np.asarray(a.grad), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(b.grad), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", [lambda a: F.multi_margin_loss(a, LABELS, p=2, weight=W4), lambda a: F.pdist(a).sum()])
def test_second_derivatives_where_torch_has_none(loss):
    """torch cannot differentiate these twice; the gradient of our gradient agrees with central differences."""
    v = Tensor(np.random.default_rng(9).normal(size=X.shape))

    def directional(a):
        with autograd.enable_grad():  # gradcheck's differences run under no_grad, on constant copies
            a = a if a.requires_grad else Tensor(a.data, requires_grad=True)
            (g,) = autograd.grad(loss(a), [a], create_graph=True)
            return (g * v).sum()

    assert gradcheck(directional, [Tensor(X, requires_grad=True)])


# --------------------------------------------------------------- dropouts


def test_dropout1d_zeroes_whole_channels():
    x = Tensor(RNG.normal(size=(8, 16, 5)), requires_grad=True)
    y = F.dropout1d(x, 0.25, generator=autograd.Generator().manual_seed(0))
    kept = np.all(y.data != 0, axis=-1)
    dropped = np.all(y.data == 0, axis=-1)
    assert np.all(kept | dropped) and 0.1 < dropped.mean() < 0.4
    np.testing.assert_allclose(y.data[kept], x.data[kept] / 0.75, rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.broadcast_to(kept[..., None] / 0.75, x.shape), rtol=1e-15)
    assert F.dropout1d(x, 0.5, training=False) is x
    np.testing.assert_array_equal(F.dropout1d(x, 1.0).data, 0.0)
    one = F.dropout1d(Tensor(np.ones((16, 5))), 0.5)  # unbatched (C, L)
    assert one.shape == (16, 5) and set(np.unique(one.data)) <= {0.0, 2.0}
    m = nn.Dropout1d(0.5, seed=0)
    assert repr(m) == repr(torch.nn.Dropout1d(0.5))
    m.eval()
    assert m(x) is x


def test_alpha_dropout_matches_torchs_affine_map_and_keeps_mean_and_variance():
    p = 0.3
    theirs0 = np.unique(tF.alpha_dropout(torch.zeros(4000, dtype=torch.float64), p, True).numpy())
    theirs1 = np.unique(tF.alpha_dropout(torch.ones(4000, dtype=torch.float64), p, True).numpy())
    ours0 = np.unique(F.alpha_dropout(Tensor(np.zeros(4000)), p, True).data)
    ours1 = np.unique(F.alpha_dropout(Tensor(np.ones(4000)), p, True).data)
    np.testing.assert_allclose(ours0, theirs0, rtol=1e-14)  # the dropped and kept values of 0
    np.testing.assert_allclose(ours1, theirs1, rtol=1e-14)
    x = Tensor(np.random.default_rng(0).standard_normal(40000), requires_grad=True)
    y = F.alpha_dropout(x, p, training=True, generator=np.random.default_rng(1))
    assert abs(y.data.mean()) < 0.03 and abs(y.data.std() - 1) < 0.03
    y.sum().backward()
    a = ours1.max() - ours0.max()  # the scale of a kept entry
    np.testing.assert_allclose(np.unique(x.grad), [0.0, a], rtol=1e-14)
    assert F.alpha_dropout(x, p) is x  # training=False by default, as torch
    m = nn.AlphaDropout(0.2)
    assert repr(m) == repr(torch.nn.AlphaDropout(0.2))
    assert m.eval()(x) is x


def test_feature_alpha_dropout_drops_whole_channels_with_torchs_values():
    p = 0.4
    x = Tensor(RNG.normal(size=(6, 8, 3, 2)), requires_grad=True)
    y = F.feature_alpha_dropout(x, p, True, generator=autograd.Generator().manual_seed(2))
    ref0 = np.unique(tF.feature_alpha_dropout(torch.zeros(200, 20, 1, dtype=torch.float64), p, True).numpy())
    drop_value = ref0.min()  # what a dropped entry becomes (any x)
    dropped = np.all(y.data == drop_value, axis=(2, 3))
    assert dropped.any() and not dropped.all()
    a = 1.0 / np.sqrt((1.7580993408473766 ** 2 * p + 1) * (1 - p))
    kept = ~dropped
    np.testing.assert_allclose(y.data[kept], x.data[kept] * a + ref0.max(), rtol=1e-13)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.broadcast_to(kept[:, :, None, None] * a, x.shape), rtol=1e-14)
    assert F.feature_alpha_dropout(x, p) is x
    m = nn.FeatureAlphaDropout(0.3)
    assert repr(m) == repr(torch.nn.FeatureAlphaDropout(0.3)) and m.eval()(x) is x


# ------------------------------------------------------------------- modules

LOSS_MODULES = [
    ("TripletMarginLoss", dict(margin=0.5, p=1.0, swap=True), "triplet"),
    ("TripletMarginWithDistanceLoss", dict(margin=2.0, swap=True), "triplet"),
    ("MarginRankingLoss", dict(margin=0.2, reduction="sum"), "ranking"),
    ("HingeEmbeddingLoss", dict(margin=0.8, reduction="none"), "pm"),
    ("SoftMarginLoss", dict(), "pm"),
    ("MultiLabelSoftMarginLoss", dict(reduction="sum"), "bits"),
    ("MultiMarginLoss", dict(p=2, margin=0.9), "labels"),
    ("MultiLabelMarginLoss", dict(reduction="none"), "ml"),
    ("PoissonNLLLoss", dict(full=True), "counts"),
    ("PoissonNLLLoss", dict(size_average=False), "counts"),
]


@pytest.mark.parametrize("name, kw, kind", LOSS_MODULES, ids=[f"{a[0]}-{i}" for i, a in enumerate(LOSS_MODULES)])
def test_loss_module_matches_torch(name, kw, kind):
    ours, theirs = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    if kind == "triplet":
        compare(ours, theirs, [X, Y, Z])
    elif kind == "ranking":
        compare(lambda a, b: ours(a, b, PM), lambda a, b: theirs(a, b, T(PM)), [X, Y])
    else:
        t = {"pm": PM, "bits": BITS, "labels": LABELS, "ml": ML, "counts": COUNTS}[kind]
        compare(lambda a: ours(a, t), lambda a: theirs(a, T(t)), [X])


def test_weighted_loss_modules_hold_the_weight_as_a_buffer():
    for name in ("MultiLabelSoftMarginLoss", "MultiMarginLoss"):
        ours, theirs = getattr(nn, name)(weight=W4), getattr(torch.nn, name)(weight=T(W4))
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
        t = BITS if name == "MultiLabelSoftMarginLoss" else LABELS
        compare(lambda a, m=ours, t=t: m(a, t), lambda a, m=theirs, t=t: m(a, T(t)), [X])


ACT_MODULES = [
    ("CosineSimilarity", dict(dim=0), 2),
    ("PairwiseDistance", dict(p=1.0, keepdim=True), 2),
    ("LogSigmoid", dict(), 1),
    ("Threshold", dict(threshold=0.2, value=-3.0), 1),
    ("RReLU", dict(lower=0.05, upper=0.5), 1),
    ("Tanhshrink", dict(), 1),
    ("Softshrink", dict(lambd=0.8), 1),
    ("Hardshrink", dict(), 1),
    ("Softmax2d", dict(), 1),
]


@pytest.mark.parametrize("name, kw, nargs", ACT_MODULES, ids=[a[0] for a in ACT_MODULES])
def test_module_matches_torch(name, kw, nargs):
    ours, theirs = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    ours.eval()
    theirs.eval()
    if name == "Softmax2d":
        for shape in ((2, 3, 4, 5), (3, 4, 5)):
            compare(ours, theirs, [RNG.normal(size=shape)], BOTH)
        return
    compare(ours, theirs, [XA, XA[::-1] * 0.7][:nargs], BOTH)


def test_new_losses_are_known_by_name():
    assert isinstance(nn.get_loss("multi_margin"), nn.MultiMarginLoss)
    assert isinstance(nn.get_loss("Poisson_NLL"), nn.PoissonNLLLoss)
    loss = nn.get_loss("soft_margin")(Tensor(X), PM)
    np.testing.assert_allclose(loss.data, tF.soft_margin_loss(T(X), T(PM)).numpy(), rtol=1e-12)


def test_new_activations_are_known_by_name():
    assert isinstance(nn.get_activation("tanhshrink"), nn.Tanhshrink)
    assert isinstance(nn.get_activation("LogSigmoid"), nn.LogSigmoid)
    model = nn.MLP(3, [5, 2], activation="softshrink", seed=0)
    out = model(Tensor(X[:, :3]))
    assert out.shape == (6, 2) and any(isinstance(m, nn.Softshrink) for m in model.modules())


def test_reprs_follow_torch():
    for ours, theirs in [(nn.Threshold(0.1, 20), torch.nn.Threshold(0.1, 20)),
                         (nn.Threshold(0.5, 2, inplace=True), torch.nn.Threshold(0.5, 2, inplace=True)),
                         (nn.Softshrink(), torch.nn.Softshrink()), (nn.Hardshrink(0.25), torch.nn.Hardshrink(0.25)),
                         (nn.LogSigmoid(), torch.nn.LogSigmoid()), (nn.Softmax2d(), torch.nn.Softmax2d()),
                         (nn.Tanhshrink(), torch.nn.Tanhshrink()), (nn.RReLU(0.125, 0.5), torch.nn.RReLU(0.125, 0.5))]:
        assert repr(ours) == repr(theirs)
    assert "margin=0.5" in repr(nn.TripletMarginLoss(0.5)) and "reduction='sum'" in repr(nn.SoftMarginLoss("sum"))


# ------------------------------------------------------------- ParameterDict


def test_parameter_dict_registers_parameters_in_torchs_order():
    d = nn.ParameterDict({"b": nn.Parameter(np.ones(2)), "a": nn.Parameter(np.zeros((3, 2)))})
    ref = torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.ones(2)), "a": torch.nn.Parameter(torch.zeros(3, 2))})
    assert list(d) == list(ref) == ["a", "b"]  # a plain dict goes in sorted, as torch
    assert list(d.state_dict()) == list(ref.state_dict())
    d["c"] = Tensor([1.0, 2.0, 3.0])  # a Tensor becomes a Parameter
    assert isinstance(d["c"], nn.Parameter) and d["c"].requires_grad
    assert len(d) == 3 and "c" in d and d.get("zz") is None
    assert [n for n, _ in d.named_parameters()] == ["a", "b", "c"]

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = nn.ParameterDict([("w", nn.Parameter(np.full(2, 3.0)))])

        def forward(self):
            return (self.p["w"] * self.p["w"]).sum()

    m = M()
    assert list(m.state_dict()) == ["p.w"]
    m().backward()
    np.testing.assert_array_equal(m.p["w"].grad, [6.0, 6.0])
    m.load_state_dict({"p.w": np.array([1.0, 1.0])})
    np.testing.assert_array_equal(m.p["w"].data, [1.0, 1.0])
    w = d.pop("a")
    assert w.shape == (3, 2) and list(d.keys()) == ["b", "c"]
    del d["b"]
    assert list(d) == ["c"] and list(d.copy()) == ["c"]
    d.update([("x", nn.Parameter(np.ones(1)))])
    assert d.setdefault("x") is d["x"] and d.popitem()[0] == "x"
    assert "Parameter of shape (3,)" in repr(d)
    both = d | nn.ParameterDict({"z": nn.Parameter(np.ones(1))})
    assert list(both) == ["c", "z"] and both["c"] is d["c"] and list(d) == ["c"]
    d |= both
    assert list(d) == ["c", "z"]
    d.clear()
    assert len(d) == 0


def test_parameter_dict_bad_input():
    d = nn.ParameterDict()
    with pytest.raises(TypeError, match=r"ParameterDict\['w'\]: expected a Parameter"):
        d["w"] = "weights"
    with pytest.raises(KeyError, match="without '.'"):
        d["a.b"] = nn.Parameter(np.ones(1))
    with pytest.raises(TypeError, match="keys must be strings"):
        d[1] = nn.Parameter(np.ones(1))
    with pytest.raises(KeyError, match="has no parameter 'w'"):
        d["w"]
    with pytest.raises(ValueError, match="entry #0 has length 3"):
        d.update([("a", 1, 2)])
    with pytest.raises(TypeError, match="expected a dict or"):
        d.update(5)
    with pytest.raises(RuntimeError, match="should not be called"):
        d()


# ---------------------------------------------------------------- bad input


def _vals(shape):
    return np.array([Value(float(v)) for v in np.ravel(RNG.normal(size=shape))], dtype=object).reshape(shape)


SCALAR_MODE = [
    lambda v: F.cosine_similarity(v, v), lambda v: F.pairwise_distance(v, v), lambda v: F.pdist(v),
    lambda v: F.triplet_margin_loss(v, v, v), lambda v: F.triplet_margin_with_distance_loss(v, v, v),
    lambda v: F.margin_ranking_loss(v, v, PM[:2, :3]), lambda v: F.hinge_embedding_loss(v, PM[:2, :3]),
    lambda v: F.soft_margin_loss(v, PM[:2, :3]), lambda v: F.multilabel_soft_margin_loss(v, BITS[:2, :3]),
    lambda v: F.multi_margin_loss(v, [0, 1]), lambda v: F.multilabel_margin_loss(v, ML[:2, :3]),
    lambda v: F.poisson_nll_loss(v, COUNTS[:2, :3]), F.logsigmoid, lambda v: F.threshold(v, 0.0, 1.0), F.rrelu,
    F.tanhshrink, F.softshrink, F.hardshrink, lambda v: F.bilinear(v, v, np.ones((2, 3, 3))),
    lambda v: F.alpha_dropout(v, training=True), F.dropout1d, lambda v: F.feature_alpha_dropout(v, training=True),
]


@pytest.mark.parametrize("fn", SCALAR_MODE)
def test_scalar_mode_is_refused(fn):
    with pytest.raises(TypeError, match="tensor mode only"):
        fn(_vals((2, 3)))


BAD = [
    (lambda: F.cosine_similarity(X, X[:, :3]), ValueError, r"cosine_similarity: x1 and x2 of shapes \(6, 4\) and "
                                                           r"\(6, 3\) do not broadcast"),
    (lambda: F.cosine_similarity(X[0], X[0]), ValueError, r"dim 1 is out of range for shape \(4,\)"),
    (lambda: F.pairwise_distance(X, Y, p=-1), ValueError, "pairwise_distance: p=-1 must be >= 0"),
    (lambda: F.pdist(X[0]), ValueError, r"pdist: needs a 2-D input .* got shape \(4,\)"),
    (lambda: F.triplet_margin_loss(X, Y, Z, margin=0), ValueError, "triplet_margin_loss: margin must be greater "
                                                                   "than 0, got 0"),
    (lambda: F.triplet_margin_loss(X, Y[0], Z), ValueError, r"same number of dimensions, got shapes \(6, 4\), \(4,\)"),
    (lambda: F.triplet_margin_loss(X, Y, Z, reduction="avg"), ValueError, "reduction must be one of .* got 'avg'"),
    (lambda: nn.TripletMarginLoss(margin=-1.0), ValueError, "TripletMarginLoss: margin must be greater than 0"),
    (lambda: nn.TripletMarginWithDistanceLoss(margin=0.0), ValueError, "margin must be greater than 0"),
    (lambda: F.triplet_margin_with_distance_loss(X, Y, Z, distance_function=3), TypeError,
     "distance_function must be a function"),
    (lambda: F.margin_ranking_loss(X, Y, PM[:, :1].ravel()), ValueError,
     r"margin_ranking_loss: input1, input2 and target must have the same number of dimensions"),
    (lambda: F.hinge_embedding_loss(X, PM[:3]), ValueError, r"input and target of shapes \(6, 4\) and \(3, 4\) "
                                                            "do not broadcast"),
    (lambda: F.soft_margin_loss(X, "yes"), TypeError, "soft_margin_loss: target must be numbers"),
    (lambda: F.multilabel_soft_margin_loss(X, BITS, weight=np.ones(3)), ValueError, r"weight of shapes"),
    (lambda: F.multi_margin_loss(X, LABELS, p=3), ValueError, "only p == 1 and p == 2 are supported, got p=3"),
    (lambda: F.multi_margin_loss(X, LABELS + 1), ValueError, r"class indices must be in \[0, 3\] for 4 classes, "
                                                             r"found \[4\]"),
    (lambda: F.multi_margin_loss(X, LABELS[:4]), ValueError, r"expected 6 class indices .* got shape \(4,\)"),
    (lambda: F.multi_margin_loss(X, LABELS, weight=np.ones(3)), ValueError, r"one number per class, shape \(4,\)"),
    (lambda: F.multi_margin_loss(X.reshape(2, 3, 4), LABELS[:2]), ValueError, r"shape \(N, C\) or \(C,\)"),
    (lambda: F.multi_margin_loss(X, LABELS + 0.5), ValueError, "whole numbers"),
    (lambda: nn.MultiMarginLoss(p=0), ValueError, "MultiMarginLoss: only p == 1 and p == 2"),
    (lambda: nn.MultiMarginLoss(weight=np.ones((2, 2))), ValueError, r"one-dimensional .* got shape \(2, 2\)"),
    (lambda: F.multilabel_margin_loss(X, ML[:, :3]), ValueError, r"inconsistent target size: \(6, 3\) for an input "
                                                                 r"of shape \(6, 4\)"),
    (lambda: F.multilabel_margin_loss(X, ML - 1), ValueError, r"in \[0, 3\] or -1 .* found \[-2\]"),
    (lambda: F.poisson_nll_loss(X, COUNTS, reduction="batchmean"), ValueError, "poisson_nll_loss: reduction must be"),
    (lambda: F.poisson_nll_loss(X, COUNTS, log_input="yes"), TypeError, "log_input must be True or False"),
    (lambda: F.threshold(X, "a", 1.0), TypeError, "threshold: threshold must be a number"),
    (lambda: F.rrelu(X, 0.5, 0.1), ValueError, r"rrelu: lower=0.5 must be <= upper=0.1"),
    (lambda: nn.RReLU(0.5, 0.1), ValueError, "RReLU: lower=0.5 must be <= upper=0.1"),
    (lambda: F.softshrink(X, -0.5), ValueError, "softshrink: lambd must be >= 0, got -0.5"),
    (lambda: nn.Softshrink(-1), ValueError, "Softshrink: lambd must be >= 0"),
    (lambda: F.bilinear(X, X[0], W342), ValueError, "bilinear: input1 and input2 must have the same number of dim"),
    (lambda: F.bilinear(X, X[:3, :2], W342), ValueError, "must share their batch dimensions"),
    (lambda: F.bilinear(X, Y[:, :2], W342[:, :3]), ValueError, r"weight of shape \(3, 3, 2\) does not fit inputs"),
    (lambda: F.bilinear(X, Y[:, :2], W342, np.ones(2)), ValueError, r"bias of shape \(2,\) does not fit"),
    (lambda: nn.Bilinear(0, 2, 3), ValueError, "Bilinear: in1_features must be a positive int, got 0"),
    (lambda: nn.Bilinear(2, 2, 3, device="cuda"), RuntimeError, "CPU only"),
    (lambda: F.dropout1d(X, 1.5), ValueError, "dropout1d: dropout probability has to be between 0 and 1, got 1.5"),
    (lambda: F.dropout1d(X.reshape(1, 2, 3, 4), 0.5), ValueError, r"\(N, C, L\) or \(C, L\), got shape \(1, 2, 3, 4\)"),
    (lambda: F.alpha_dropout(X, -0.1), ValueError, "alpha_dropout: dropout probability has to be between 0 and 1"),
    (lambda: nn.AlphaDropout(2.0), ValueError, "AlphaDropout: dropout probability"),
    (lambda: nn.Dropout1d(0.5, inplace=1), TypeError, "Dropout1d: inplace must be True or False"),
    (lambda: nn.Softmax2d()(Tensor(X)), ValueError, r"Softmax2d: expected an input of shape \(N, C, H, W\) or "
                                                    r"\(C, H, W\), got shape \(6, 4\)"),
    (lambda: nn.CosineSimilarity(dim=1.0), TypeError, "CosineSimilarity: dim must be an int"),
    (lambda: nn.PairwiseDistance(p=-2), ValueError, "PairwiseDistance: p=-2 must be >= 0"),
    (lambda: nn.PoissonNLLLoss(reduction="avg"), ValueError, "PoissonNLLLoss: reduction must be one of"),
    (lambda: nn.Threshold(0.1, None), TypeError, "Threshold: value must be a number"),
    (lambda: F.multi_margin_loss(X, "abc"), TypeError, "multi_margin_loss: target must be numbers"),
    (lambda: F.hinge_embedding_loss(X, [[1, 2], [3]]), TypeError, "hinge_embedding_loss: target must be numbers"),
    (lambda: F.cosine_similarity(X, "x"), TypeError, "cosine_similarity x2: expected a Tensor"),
    (lambda: F.triplet_margin_with_distance_loss(X, Y, Z, distance_function=lambda a, b: 3.0), TypeError,
     "distance_function must return a Tensor, got float"),
    (lambda: F.rrelu(X, training="yes"), TypeError, "rrelu: training must be True or False"),
]


@pytest.mark.parametrize("call, exc, match", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
