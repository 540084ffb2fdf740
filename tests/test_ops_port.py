"""An op suite in the spirit of tinygrad's test/test_ops.py, with PyTorch as the oracle.

Every case runs one op in torch and in gradwork on the same random inputs, in float64 and float32,
and compares the forward values (and their dtype), then the gradient of every input after a
backward with a random upstream gradient. Where it applies, the inputs are also given as
non-contiguous views (a transposed leaf, a leaf sliced with a step). Both backends (conftest).

By default the same lambda runs on both libraries (gradwork mirrors torch's method names);
``ours=`` gives gradwork's spelling where the namespaces differ (``torch.x`` / ``autograd.x``,
``torch.nn.functional.x`` / ``nn.functional.x``).

Documented design differences the suite holds to (README.md, "Ported op suites"; each one is
pinned by ``test_documented_differences``):
- gradwork's default float dtype is float64 (torch's is float32): every input here is made
  with an explicit dtype, so both libraries see the same one.
- ``.data`` is a numpy array: values are read with ``.data`` on gradwork's side.
- functions (not the operators) promote a float32 tensor and a float64 0-d tensor to float64;
  var/std without degrees of freedom and reductions over an empty axis raise; clip(lo > hi)
  with numbers raises; relu's gradient at NaN is 0 and abs's NaN; soft_margin_loss takes
  its target as data.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {
    np.float64: dict(atol=1e-9, rtol=1e-7),
    np.float32: dict(atol=1e-4, rtol=1e-3),
}
DTYPES = (np.float64, np.float32)
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


# ------------------------------------------------------------------ the helper

def _flat(out: Any) -> list:
    """An op's results as a flat list (tuples, lists and named tuples of tensors)."""
    if isinstance(out, (tuple, list)):
        return [o for item in out for o in _flat(item)]
    return [out]


def _np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, Tensor):
        return t.data
    return np.asarray(t)


def _torch_np_dtype(t: torch.Tensor) -> np.dtype:
    return torch.empty(0, dtype=t.dtype).numpy().dtype


def _make(rng: np.random.Generator, shape: tuple, low: float, high: float, dtype, layout: str):
    """(leaf array, view function): the op sees ``view(leaf)``, of ``shape``, laid out as asked."""
    if layout == "T" and len(shape) >= 2:
        order = tuple(reversed(range(len(shape))))
        base = rng.uniform(low, high, tuple(reversed(shape))).astype(dtype)
        return base, (lambda t: t.permute(*order))
    if layout == "step" and len(shape) >= 1 and shape[-1] > 0:
        base = rng.uniform(low, high, shape[:-1] + (2 * shape[-1],)).astype(dtype)
        return base, (lambda t: t[..., ::2])
    return rng.uniform(low, high, shape).astype(dtype), (lambda t: t)


def _per_input(value: Any, n: int) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


def _close(actual: np.ndarray, desired: np.ndarray, msg: str, atol: float, rtol: float) -> None:
    """assert_allclose (NaN equal to NaN), with a quick pass first: most comparisons succeed."""
    if actual.shape == desired.shape and np.allclose(actual, desired, rtol=rtol, atol=atol, equal_nan=True):
        return
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, equal_nan=True, err_msg=msg)


def check(
    shapes: Sequence[tuple],
    torch_fn: Callable,
    ours: Callable | None = None,
    low: float | Sequence[float] = -2.0,
    high: float | Sequence[float] = 2.0,
    grad: bool = True,
    dtypes: Sequence = DTYPES,
    layouts: Sequence[str] = ("contig",),
    vals: Sequence[np.ndarray] | None = None,
    tol: dict | None = None,  # {dtype: dict(atol=, rtol=)} overrides
    check_dtype: bool = True,
    seed: int = 0,
) -> None:
    """Run ``torch_fn`` on torch tensors and ``ours`` (default: the same function) on gradwork Tensors.

    ``shapes`` are the shapes of the float inputs the op sees (``vals`` gives them outright instead);
    ``low``/``high`` bound their uniform random values (a list gives one per input). Forward values,
    shapes and dtypes must match; with ``grad``, so must the gradient of every input after a backward
    with a random upstream gradient through every float result. ``layouts`` adds non-contiguous runs
    (in float64: the layout does not depend on the dtype, and the suite stays fast).
    """
    ours = torch_fn if ours is None else ours
    for dtype in dtypes:
        tl = dict(TOL[dtype])
        if tol is not None and dtype in tol:
            tl.update(tol[dtype])
        for layout in layouts if dtype == np.float64 else layouts[:1]:
            rng = np.random.default_rng(seed)
            if vals is not None:
                made = [(np.asarray(v, dtype=dtype), (lambda t: t)) for v in vals]
            else:
                lows, highs = _per_input(low, len(shapes)), _per_input(high, len(shapes))
                made = [_make(rng, tuple(s), lo, hi, dtype, layout) for s, lo, hi in zip(shapes, lows, highs)]
            t_leaves = [torch.tensor(a, requires_grad=grad) for a, _ in made]
            o_leaves = [Tensor(a, requires_grad=grad) for a, _ in made]
            t_out = _flat(torch_fn(*[view(t) for t, (_, view) in zip(t_leaves, made)]))
            o_out = _flat(ours(*[view(t) for t, (_, view) in zip(o_leaves, made)]))
            where = f"({np.dtype(dtype).name}, {layout}, shapes {list(shapes or [])})"
            assert len(t_out) == len(o_out), f"{where}: {len(o_out)} results, torch gives {len(t_out)}"
            for k, (t, o) in enumerate(zip(t_out, o_out)):
                assert isinstance(o, Tensor) == isinstance(t, torch.Tensor), f"{where} result {k}: {type(o)}"
                tv, ov = _np(t), _np(o)
                assert ov.shape == tv.shape, f"{where} result {k}: shape {ov.shape}, torch {tv.shape}"
                if check_dtype and isinstance(t, torch.Tensor):
                    assert ov.dtype == _torch_np_dtype(t), f"{where} result {k}: dtype {ov.dtype}, torch {t.dtype}"
                if tv.dtype.kind == "f":
                    _close(ov, tv, f"{where} result {k}", **tl)
                else:
                    np.testing.assert_array_equal(ov, tv, err_msg=f"{where} result {k}")
            if not grad:
                continue
            pairs = [(t, o) for t, o in zip(t_out, o_out)
                     if isinstance(t, torch.Tensor) and t.requires_grad and t.dtype.is_floating_point]
            if not pairs:
                continue
            ups = [rng.standard_normal(t.shape).astype(dtype) for t, _ in pairs]
            sum(((t * torch.tensor(g)).sum() for (t, _), g in zip(pairs, ups))).backward()
            loss = None
            for (_, o), g in zip(pairs, ups):
                term = (o * Tensor(g)).sum()
                loss = term if loss is None else loss + term
            loss.backward()
            for k, (t, o) in enumerate(zip(t_leaves, o_leaves)):
                tg = np.zeros(t.shape, dtype) if t.grad is None else t.grad.numpy(force=True)
                og = np.zeros(o.shape, dtype) if o.grad is None else o.grad.data
                assert og.shape == tg.shape, f"{where} grad {k}: shape {og.shape}, torch {tg.shape}"
                if check_dtype:
                    assert og.dtype == tg.dtype, f"{where} grad {k}: dtype {og.dtype}, torch {tg.dtype}"
                _close(og, tg, f"{where} grad {k}", **tl)


def ti(a) -> torch.Tensor:
    """An index / mask constant for torch."""
    return torch.tensor(np.asarray(a))


def gi(a) -> Tensor:
    """The same constant for gradwork (int64 or bool, as torch.tensor infers)."""
    return autograd.tensor(np.asarray(a))


ALL_LAYOUTS = ("contig", "T", "step")


# ------------------------------------------------------------------ unary maths and activations

# name -> (torch's, ours or None for the same, low, high)
UNARY = {
    "abs": (lambda x: x.abs(), None, -2, 2),
    "neg": (lambda x: -x, None, -2, 2),
    "neg_method": (lambda x: x.neg(), None, -2, 2),
    "exp": (lambda x: x.exp(), None, -2, 2),
    "exp2": (lambda x: x.exp2(), None, -2, 2),
    "log": (lambda x: x.log(), None, 0.1, 3),
    "log2": (lambda x: x.log2(), None, 0.1, 3),
    "log10": (lambda x: x.log10(), None, 0.1, 3),
    "log1p": (lambda x: x.log1p(), None, -0.9, 2),
    "expm1": (lambda x: x.expm1(), None, -2, 2),
    "sqrt": (lambda x: x.sqrt(), None, 0.1, 3),
    "rsqrt": (lambda x: x.rsqrt(), None, 0.1, 3),
    "sin": (lambda x: x.sin(), None, -3, 3),
    "cos": (lambda x: x.cos(), None, -3, 3),
    "tan": (lambda x: x.tan(), None, -1.2, 1.2),
    "asin": (lambda x: x.asin(), None, -0.95, 0.95),
    "acos": (lambda x: x.acos(), None, -0.95, 0.95),
    "atan": (lambda x: x.atan(), None, -3, 3),
    "sinh": (lambda x: x.sinh(), None, -2, 2),
    "cosh": (lambda x: x.cosh(), None, -2, 2),
    "tanh": (lambda x: x.tanh(), None, -3, 3),
    "asinh": (lambda x: x.asinh(), None, -3, 3),
    "acosh": (lambda x: x.acosh(), None, 1.1, 3),
    "atanh": (lambda x: x.atanh(), None, -0.9, 0.9),
    "sigmoid": (lambda x: x.sigmoid(), None, -4, 4),
    "sigmoid_fn": (lambda x: torch.sigmoid(x), lambda x: autograd.sigmoid(x), -4, 4),
    "relu": (lambda x: x.relu(), None, -2, 2),
    "relu_fn": (lambda x: TF.relu(x), lambda x: F.relu(x), -2, 2),
    "relu6": (lambda x: TF.relu6(x), lambda x: F.relu6(x), -8, 8),
    "leaky_relu": (lambda x: TF.leaky_relu(x), lambda x: F.leaky_relu(x), -2, 2),
    "leaky_relu_slope": (lambda x: TF.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2), -2, 2),
    "leaky_relu_kw": (lambda x: TF.leaky_relu(x, negative_slope=0.3), lambda x: F.leaky_relu(x, negative_slope=0.3),
                      -2, 2),
    "elu": (lambda x: TF.elu(x), lambda x: F.elu(x), -2, 2),
    "elu_alpha": (lambda x: TF.elu(x, alpha=0.5), lambda x: F.elu(x, alpha=0.5), -2, 2),
    "selu": (lambda x: TF.selu(x), lambda x: F.selu(x), -2, 2),
    "celu": (lambda x: TF.celu(x), lambda x: F.celu(x), -2, 2),
    "celu_alpha": (lambda x: TF.celu(x, alpha=2.0), lambda x: F.celu(x, alpha=2.0), -2, 2),
    "gelu": (lambda x: TF.gelu(x), lambda x: F.gelu(x), -3, 3),
    "gelu_tanh": (lambda x: TF.gelu(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"), -3, 3),
    "gelu_none": (lambda x: TF.gelu(x, approximate="none"), lambda x: F.gelu(x, approximate="none"), -3, 3),
    "silu": (lambda x: TF.silu(x), lambda x: F.silu(x), -3, 3),
    "mish": (lambda x: TF.mish(x), lambda x: F.mish(x), -3, 3),
    "softplus": (lambda x: TF.softplus(x), lambda x: F.softplus(x), -3, 3),
    "softplus_beta": (lambda x: TF.softplus(x, beta=2.0), lambda x: F.softplus(x, beta=2.0), -3, 3),
    "softplus_threshold": (lambda x: TF.softplus(x, beta=1.5, threshold=2.0),
                           lambda x: F.softplus(x, beta=1.5, threshold=2.0), -4, 4),
    "softplus_big": (lambda x: TF.softplus(x * 30), lambda x: F.softplus(x * 30), -3, 3),
    "softsign": (lambda x: TF.softsign(x), lambda x: F.softsign(x), -3, 3),
    "hardswish": (lambda x: TF.hardswish(x), lambda x: F.hardswish(x), -5, 5),
    "hardsigmoid": (lambda x: TF.hardsigmoid(x), lambda x: F.hardsigmoid(x), -5, 5),
    "hardtanh": (lambda x: TF.hardtanh(x), lambda x: F.hardtanh(x), -3, 3),
    "hardtanh_range": (lambda x: TF.hardtanh(x, -0.5, 1.5), lambda x: F.hardtanh(x, -0.5, 1.5), -3, 3),
    "hardtanh_kw": (lambda x: TF.hardtanh(x, min_val=-2.0, max_val=0.5),
                    lambda x: F.hardtanh(x, min_val=-2.0, max_val=0.5), -3, 3),
    "logsigmoid": (lambda x: TF.logsigmoid(x), lambda x: F.logsigmoid(x), -30, 30),
    "tanh_fn": (lambda x: TF.tanh(x), lambda x: F.tanh(x), -3, 3),
    "sigmoid_F": (lambda x: TF.sigmoid(x), lambda x: F.sigmoid(x), -3, 3),
    "sign": (lambda x: x.sign(), None, -2, 2),
    "sgn": (lambda x: x.sgn(), None, -2, 2),
    "floor": (lambda x: x.floor(), None, -3, 3),
    "ceil": (lambda x: x.ceil(), None, -3, 3),
    "round": (lambda x: x.round(), None, -3, 3),
    "round_decimals": (lambda x: x.round(decimals=1), None, -3, 3),
    "trunc": (lambda x: x.trunc(), None, -3, 3),
    "frac": (lambda x: x.frac(), None, -3, 3),
    "reciprocal": (lambda x: x.reciprocal(), None, 0.2, 2),
    "reciprocal_neg": (lambda x: x.reciprocal(), None, -2, -0.2),
    "square": (lambda x: x.square(), None, -2, 2),
    "erf": (lambda x: x.erf(), None, -2, 2),
    "erfc": (lambda x: x.erfc(), None, -2, 2),
    "erfinv": (lambda x: x.erfinv(), None, -0.9, 0.9),
    "lgamma": (lambda x: x.lgamma(), None, 0.2, 4),
    "lgamma_neg": (lambda x: x.lgamma(), None, -2.9, -2.1),
    "digamma": (lambda x: x.digamma(), None, 0.3, 4),
    "sinc": (lambda x: x.sinc(), None, -2, 2),
    "logit": (lambda x: x.logit(), None, 0.05, 0.95),
    "logit_eps": (lambda x: x.logit(eps=0.2), None, 0.05, 0.95),
    "deg2rad": (lambda x: x.deg2rad(), None, -90, 90),
    "nan_to_num": (lambda x: x.log().nan_to_num(), None, -1, 2),
    "positive": (lambda x: x.positive(), None, -1, 2),
    "clone": (lambda x: x.clone(), None, -1, 2),
    "softmax_fn": (lambda x: torch.softmax(x, 0), lambda x: autograd.softmax(x, 0), -2, 2),
    "exp_fn": (lambda x: torch.exp(x), lambda x: autograd.exp(x), -2, 2),
    "abs_fn": (lambda x: torch.abs(x), lambda x: autograd.abs(x), -2, 2),
    "sqrt_fn": (lambda x: torch.sqrt(x), lambda x: autograd.sqrt(x), 0.1, 2),
    "tanhshrink": (lambda x: TF.tanhshrink(x), lambda x: F.tanhshrink(x), -2, 2),
    "softshrink": (lambda x: TF.softshrink(x, 0.5), lambda x: F.softshrink(x, 0.5), -2, 2),
    "hardshrink": (lambda x: TF.hardshrink(x, 0.5), lambda x: F.hardshrink(x, 0.5), -2, 2),
    "threshold": (lambda x: TF.threshold(x, 0.3, -1.0), lambda x: F.threshold(x, 0.3, -1.0), -2, 2),
    "glu": (lambda x: TF.glu(x), lambda x: F.glu(x), -2, 2),
    "glu_dim0": (lambda x: TF.glu(x, 0), lambda x: F.glu(x, 0), -2, 2),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    torch_fn, ours, low, high = UNARY[name]
    check([(4, 6)], torch_fn, ours, low=low, high=high, layouts=ALL_LAYOUTS)


@pytest.mark.parametrize("name", ["exp", "relu", "gelu", "sigmoid", "abs", "log", "softplus", "erf", "sign"])
def test_unary_shapes(name):
    """0-d, 1-d, empty and 4-d inputs."""
    torch_fn, ours, low, high = UNARY[name]
    for shape in [(), (5,), (0, 3), (2, 1, 3, 2)]:
        check([shape], torch_fn, ours, low=low, high=high)


def test_rounding_halves():
    """round() rounds half to even like torch; floor/ceil/trunc at integers and halves."""
    v = [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -2.0, 3.0, 0.0])]
    for fn in (lambda x: x.round(), lambda x: x.floor(), lambda x: x.ceil(), lambda x: x.trunc()):
        check(None, fn, vals=v)


def test_relu_at_zero_and_abs_at_zero():
    """The derivatives at the kinks are torch's: relu'(0) = 0, abs'(0) = 0, sign'(x) = 0."""
    v = [np.array([-1.0, 0.0, 2.0])]
    for fn in (lambda x: x.relu(), lambda x: x.abs(), lambda x: TF.relu6(x + 6) if isinstance(x, torch.Tensor)
               else F.relu6(x + 6), lambda x: x.sign(), lambda x: x.clamp(0.0, 2.0)):
        check(None, fn, vals=v)
    check(None, lambda x: TF.leaky_relu(x, 0.1), lambda x: F.leaky_relu(x, 0.1), vals=v)
    check(None, lambda x: TF.hardtanh(x, 0.0, 2.0), lambda x: F.hardtanh(x, 0.0, 2.0), vals=v)
    check(None, lambda x: x.sqrt(), vals=[np.array([0.0, 1.0, 4.0])])


# ------------------------------------------------------------------ binary ops

BROADCASTS = [[(3, 4), (3, 4)], [(3, 4), (4,)], [(3, 1), (1, 4)], [(2, 3, 4), (3, 1)], [(4,), (2, 3, 4)],
              [(3, 4), ()], [(), (3, 4)], [(1,), (3, 4)]]

BINARY = {
    "add": (lambda a, b: a + b, None, -2, 2),
    "sub": (lambda a, b: a - b, None, -2, 2),
    "mul": (lambda a, b: a * b, None, -2, 2),
    "div": (lambda a, b: a / b, None, [-2, 0.5], [2, 2]),
    "add_method": (lambda a, b: a.add(b), None, -2, 2),
    "add_alpha": (lambda a, b: a.add(b, alpha=2.5), None, -2, 2),
    "sub_alpha": (lambda a, b: torch.sub(a, b, alpha=-1.5), lambda a, b: autograd.sub(a, b, alpha=-1.5), -2, 2),
    "mul_fn": (lambda a, b: torch.mul(a, b), lambda a, b: autograd.mul(a, b), -2, 2),
    "div_method": (lambda a, b: a.div(b), None, [-2, -2], [2, -0.5]),
    "true_divide": (lambda a, b: a.true_divide(b), None, [-2, 0.5], [2, 2]),
    "pow": (lambda a, b: a ** b, None, [0.5, -2], [2, 2]),
    "pow_method": (lambda a, b: a.pow(b), None, [0.5, -2], [2, 2]),
    "maximum": (lambda a, b: torch.maximum(a, b), lambda a, b: autograd.maximum(a, b), -2, 2),
    "minimum": (lambda a, b: torch.minimum(a, b), lambda a, b: autograd.minimum(a, b), -2, 2),
    "fmax": (lambda a, b: torch.fmax(a, b), lambda a, b: autograd.fmax(a, b), -2, 2),
    "atan2": (lambda a, b: torch.atan2(a, b), lambda a, b: autograd.atan2(a, b), -2, 2),
    "atan2_method": (lambda a, b: a.atan2(b), None, -2, 2),
    "fmod": (lambda a, b: torch.fmod(a, b), lambda a, b: autograd.fmod(a, b), [-5, 0.7], [5, 2]),
    "fmod_neg": (lambda a, b: a.fmod(b), None, [-5, -2], [5, -0.7]),
    "remainder": (lambda a, b: torch.remainder(a, b), lambda a, b: autograd.remainder(a, b), [-5, 0.7], [5, 2]),
    "remainder_neg": (lambda a, b: a.remainder(b), None, [-5, -2], [5, -0.7]),
    "mod_op": (lambda a, b: a % b, None, [-5, -2], [5, -0.7]),
    "div_floor": (lambda a, b: a.div(b, rounding_mode="floor"), None, [-5, -2], [5, -0.7]),
    "div_trunc": (lambda a, b: torch.div(a, b, rounding_mode="trunc"),
                  lambda a, b: autograd.div(a, b, rounding_mode="trunc"), [-5, 0.7], [5, 2]),
    "hypot": (lambda a, b: torch.hypot(a, b), lambda a, b: autograd.hypot(a, b), -2, 2),
    "copysign": (lambda a, b: a.copysign(b), None, -2, 2),
    "xlogy": (lambda a, b: a.xlogy(b), None, [-2, 0.2], [2, 2]),
    "logaddexp": (lambda a, b: a.logaddexp(b), None, -2, 2),
    "lerp_tensor": (lambda a, b: a.lerp(b, b * 0.5), None, -2, 2),
    "lerp_number": (lambda a, b: torch.lerp(a, b, 0.3), lambda a, b: autograd.lerp(a, b, 0.3), -2, 2),
    "where": (lambda a, b: torch.where(a > b, a, b), lambda a, b: autograd.where(a > b, a, b), -2, 2),
    "where_method": (lambda a, b: a.where(a > 0, b), None, -2, 2),
    "squared_difference": (lambda a, b: (a - b).square(), None, -2, 2),
    "dist": (lambda a, b: torch.dist(a, b), lambda a, b: autograd.dist(a, b), -2, 2),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name):
    """Every op on equal shapes, broadcast ones both ways, and 0-d operands on either side."""
    torch_fn, ours, low, high = BINARY[name]
    for shapes in BROADCASTS:
        check(shapes, torch_fn, ours, low=low, high=high)


@pytest.mark.parametrize("name", ["add", "mul", "div", "pow", "maximum", "atan2", "where"])
def test_binary_noncontiguous(name):
    torch_fn, ours, low, high = BINARY[name]
    check([(3, 4), (3, 4)], torch_fn, ours, low=low, high=high, layouts=ALL_LAYOUTS)


SCALAR_OPS = {
    "add_r": lambda x: x + 1.5,
    "add_l": lambda x: 1.5 + x,
    "sub_r": lambda x: x - 1.5,
    "sub_l": lambda x: 1.5 - x,
    "mul_r": lambda x: x * -2.5,
    "mul_l": lambda x: -2.5 * x,
    "div_r": lambda x: x / 3.0,
    "div_l": lambda x: 3.0 / (x.abs() + 0.5),
    "int_add": lambda x: x + 2,
    "int_div_l": lambda x: 2 / (x.abs() + 0.5),
    "pow_2": lambda x: x ** 2,
    "pow_3": lambda x: x ** 3,
    "pow_int3": lambda x: x.pow(3),
    "pow_neg1": lambda x: (x.abs() + 0.5) ** -1,
    "pow_neg2_negbase": lambda x: (-(x.abs() + 0.5)) ** -2,
    "pow_half": lambda x: (x.abs() + 0.1) ** 0.5,
    "pow_zero": lambda x: x ** 0,
    "pow_zero_float": lambda x: x ** 0.0,
    "pow_one": lambda x: x ** 1,
    "pow_2_float": lambda x: x ** 2.0,
    "pow_frac_negbase": lambda x: (-(x.abs() + 0.5)) ** 1.5,  # nan, as in torch
    "rpow": lambda x: 2.0 ** x,
    "rpow_int": lambda x: 3 ** x,
    "rpow_neg_base": lambda x: (-2.0) ** x,
    "max_number": lambda x: x.clamp(min=0.3),
    "gt_number": lambda x: x > 0.5,
    "lt_number": lambda x: x < 0.5,
    "ge_number": lambda x: x >= 0.5,
    "le_number": lambda x: x <= 0.5,
    "eq_number": lambda x: (x * 0).floor() == 0,
    "ne_number": lambda x: x != 0.5,
    "rgt_number": lambda x: 0.5 > x,
    "fmod_number": lambda x: x.fmod(1.5),
    "remainder_number": lambda x: x.remainder(-1.5),
    "mod_number": lambda x: x % 1.5,
    "atan2_number": lambda x: x.atan2(torch.tensor(0.5, dtype=x.dtype)) if isinstance(x, torch.Tensor)
    else x.atan2(Tensor(np.array(0.5, dtype=x.dtype))),
}


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
def test_scalar_operands(name):
    check([(3, 4)], SCALAR_OPS[name])


def test_values_only_division():
    """Floor division and a number modulo a tensor: torch gives no derivative, so values only."""
    for fn in (lambda a, b: a // b, lambda a, b: a.floor_divide(b), lambda a, b: a // 0.7, lambda a, b: 2.0 // b,
               lambda a, b: 5.0 % b):
        check([(3, 4), (4,)], fn, low=[-5, 0.7], high=[5, 2], grad=False)
        check([(3, 4), (4,)], fn, low=[-5, -2], high=[5, -0.7], grad=False)


def test_pow_negative_base_tensor_exponents():
    """(-2) ** [2, 3]: the base's gradient is finite; the exponent's is nan (log of a negative), as in torch."""
    base = np.array([-2.0, -1.5, -0.5, 0.0, 1.5, 2.0])
    expo = np.array([2.0, 3.0, -1.0, 2.0, 0.5, -2.0])
    check(None, lambda a, b: a ** b, vals=[base, expo])
    check(None, lambda a, b: a.pow(b), vals=[base[None], expo[:, None]])


def test_pow_zero_base():
    """0 ** 2 and 0 ** 0: torch's values and gradients (0 ** 0 = 1; d/dx x**0 = 0)."""
    for fn in (lambda x: x ** 2, lambda x: x ** 0, lambda x: x ** 1, lambda x: x ** 3.0, lambda x: x ** 0.5,
               lambda x: 0.0 ** x, lambda x: x ** -1.0):
        check(None, fn, vals=[np.array([0.0, 1.0, 2.0])])


def test_max_min_ties():
    """On ties maximum/minimum share the gradient equally, as torch does."""
    a, b = np.array([1.0, 2.0, 3.0, -1.0]), np.array([1.0, 0.0, 3.0, -1.0])
    check(None, lambda x, y: torch.maximum(x, y), lambda x, y: autograd.maximum(x, y), vals=[a, b])
    check(None, lambda x, y: torch.minimum(x, y), lambda x, y: autograd.minimum(x, y), vals=[a, b])


COMPARE = {
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "eq_method": lambda a, b: a.eq(b),
    "lt_method": lambda a, b: a.lt(b), "ge_method": lambda a, b: a.ge(b), "ne_method": lambda a, b: a.ne(b),
    "logical_and": lambda a, b: (a > 0).logical_and(b > 0), "logical_or": lambda a, b: (a > 0).logical_or(b > 0),
    "logical_xor": lambda a, b: (a > 0).logical_xor(b > 0), "logical_not": lambda a, b: (a > b).logical_not(),
    "bool_and": lambda a, b: (a > 0) & (b > 0), "bool_or": lambda a, b: (a > 0) | (b > 0),
    "bool_not": lambda a, b: ~(a > b), "mask_mul": lambda a, b: (a > b) * a,
    "isclose": lambda a, b: a.isclose(b),
}


@pytest.mark.parametrize("name", sorted(COMPARE))
def test_comparisons(name):
    """Bool results (with ties: the inputs are rounded); a mask times a tensor carries the gradient."""
    rng = np.random.default_rng(1)
    a, b = rng.integers(-2, 3, (3, 4)).astype(float), rng.integers(-2, 3, (4,)).astype(float)
    check(None, COMPARE[name], vals=[a, b])


CLAMPS = {
    "clamp_both": (lambda x: x.clamp(-0.5, 0.8), None),
    "clamp_min": (lambda x: x.clamp(min=-0.5), None),
    "clamp_max": (lambda x: x.clamp(max=0.5), None),
    "clip": (lambda x: x.clip(-1.0, 1.0), None),
    "clamp_int": (lambda x: x.clamp(-1, 1), None),
    "clamp_fn": (lambda x: torch.clamp(x, -0.5, 0.5), lambda x: autograd.clamp(x, -0.5, 0.5)),
    "clamp_min_method": (lambda x: x.clamp_min(0.1), None),
    "clamp_max_method": (lambda x: x.clamp_max(0.1), None),
    "clamp_inverted": (lambda x: x.clamp(min=1.0, max=-1.0), None),  # torch: max wins
}


@pytest.mark.parametrize("name", sorted(CLAMPS))
def test_clamp(name):
    torch_fn, ours = CLAMPS[name]
    check([(3, 4)], torch_fn, ours, layouts=ALL_LAYOUTS)


def test_clamp_tensor_bounds():
    """min/max as tensors (broadcast); the gradient reaches the bounds where they bind, as in torch."""
    check([(3, 4), (4,), (3, 1)], lambda x, lo, hi: x.clamp(lo - 1, hi + 1))
    check([(3, 4), (4,)], lambda x, lo: x.clamp(min=lo))
    check([(3, 4), (3, 1)], lambda x, hi: x.clamp(max=hi))
    check([(3, 4), (4,)], lambda x, lo: torch.clamp(x, min=lo), lambda x, lo: autograd.clamp(x, min=lo))
    check([(3, 4), (4,), (4,)], lambda x, lo, hi: x.clip(lo, hi + 2))


# ------------------------------------------------------------------ reductions

def _both(name: str, **kw):
    """(torch_fn, ours_fn) calling ``torch.<name>(x, **kw)`` and ``autograd.<name>(x, **kw)``."""
    return (lambda x: getattr(torch, name)(x, **kw)), (lambda x: getattr(autograd, name)(x, **kw))


REDUCE = {
    "sum": (lambda x: x.sum(), None),
    "sum_dim": (lambda x: x.sum(1), None),
    "sum_dim_kw": (lambda x: x.sum(dim=0), None),
    "sum_neg": (lambda x: x.sum(-1), None),
    "sum_tuple": (lambda x: x.sum((0, 2)), None),
    "sum_tuple_neg": (lambda x: x.sum(dim=(-1, -3)), None),
    "sum_keepdim": (lambda x: x.sum(1, keepdim=True), None),
    "sum_tuple_keepdim": (lambda x: x.sum((0, 1), keepdim=True), None),
    "sum_fn": _both("sum", dim=1),
    "sum_empty_tuple": (lambda x: x.sum(dim=()), None),
    "mean": (lambda x: x.mean(), None),
    "mean_dim": (lambda x: x.mean(-2), None),
    "mean_tuple_keepdim": (lambda x: x.mean((1, 2), keepdim=True), None),
    "mean_fn": _both("mean", dim=(0, 2)),
    "max": (lambda x: x.max(), None),
    "max_dim": (lambda x: x.max(1), None),
    "max_dim_keepdim": (lambda x: x.max(dim=-1, keepdim=True), None),
    "max_values": (lambda x: x.max(0).values, None),
    "max_indices": (lambda x: x.max(0)[1], None),
    "min": (lambda x: x.min(), None),
    "min_dim": (lambda x: x.min(2), None),
    "min_dim_keepdim": (lambda x: x.min(0, keepdim=True), None),
    "amax": (lambda x: x.amax(), None),
    "amax_dim": (lambda x: x.amax(1), None),
    "amax_tuple": (lambda x: x.amax((0, 2), keepdim=True), None),
    "amin_tuple": (lambda x: x.amin(dim=(-1, 0)), None),
    "amin_fn": _both("amin", dim=1),
    "prod": (lambda x: x.prod(), None),
    "prod_dim": (lambda x: x.prod(1), None),
    "prod_keepdim": (lambda x: x.prod(-1, keepdim=True), None),
    "std": (lambda x: x.std(), None),
    "std_dim": (lambda x: x.std(1), None),
    "std_tuple": (lambda x: x.std((0, 2)), None),
    "std_correction0": (lambda x: x.std(dim=1, correction=0), None),
    "std_unbiased_false": (lambda x: x.std(1, unbiased=False), None),
    "std_keepdim": (lambda x: x.std(-1, keepdim=True), None),
    "var": (lambda x: x.var(), None),
    "var_dim": (lambda x: x.var(0), None),
    "var_correction2": (lambda x: x.var(dim=2, correction=2), None),
    "var_keepdim": (lambda x: x.var((1, 2), keepdim=True), None),
    "var_mean": _both("var_mean", dim=1),
    "std_mean": _both("std_mean", dim=(0, 1)),
    "logsumexp": (lambda x: x.logsumexp(1), None),
    "logsumexp_tuple": (lambda x: x.logsumexp((0, 2)), None),
    "logsumexp_keepdim": (lambda x: x.logsumexp(-1, keepdim=True), None),
    "logsumexp_fn": _both("logsumexp", dim=0),
    "logsumexp_big": (lambda x: (x * 400).logsumexp(1), None),
    "argmax": (lambda x: x.argmax(), None),
    "argmax_dim": (lambda x: x.argmax(1), None),
    "argmax_keepdim": (lambda x: x.argmax(dim=-1, keepdim=True), None),
    "argmin": (lambda x: x.argmin(), None),
    "argmin_dim": (lambda x: x.argmin(0), None),
    "norm": (lambda x: x.norm(), None),
    "norm_p1": (lambda x: x.norm(p=1), None),
    "norm_dim": (lambda x: x.norm(dim=1), None),
    "norm_p3_dim_keepdim": (lambda x: x.norm(3, dim=-1, keepdim=True), None),
    "norm_inf": (lambda x: x.norm(float("inf"), dim=1), None),
    "norm_fro_tuple": (lambda x: x.norm("fro", dim=(1, 2)), None),
    "norm_fn": _both("norm", p=2, dim=0),
    "cumsum": (lambda x: x.cumsum(1), None),
    "cumsum_neg": (lambda x: x.cumsum(dim=-1), None),
    "cumsum_fn": _both("cumsum", dim=0),
    "cumprod": (lambda x: x.cumprod(2), None),
    "cumprod_dim0": (lambda x: x.cumprod(dim=0), None),
    "cummax": (lambda x: x.cummax(1), None),
    "logcumsumexp": (lambda x: x.logcumsumexp(2), None),
    "softmax": (lambda x: x.softmax(-1), None),
    "softmax_dim0": (lambda x: x.softmax(dim=0), None),
    "log_softmax": (lambda x: x.log_softmax(1), None),
    "log_softmax_big": (lambda x: (x * 300).log_softmax(-1), None),
    "softmax_F": (lambda x: TF.softmax(x, dim=1), lambda x: F.softmax(x, dim=1)),
    "log_softmax_F": (lambda x: TF.log_softmax(x, dim=-1), lambda x: F.log_softmax(x, dim=-1)),
    "softmin_F": (lambda x: TF.softmin(x, dim=1), lambda x: F.softmin(x, dim=1)),
    "median_dim": (lambda x: x.median(1), None),
    "aminmax": (lambda x: torch.aminmax(x, dim=1), lambda x: autograd.aminmax(x, dim=1)),
    "nansum": (lambda x: x.nansum(1), None),
    "count_nonzero": (lambda x: (x > 0).float().count_nonzero(1), None),
}


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduce(name):
    torch_fn, ours = REDUCE[name]
    check([(2, 3, 4)], torch_fn, ours, layouts=("contig", "T"))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "prod", "logsumexp_fn", "softmax", "cumsum_neg", "argmax",
                                  "norm", "std"])
def test_reduce_small_shapes(name):
    """1-d and 0-d inputs (reductions over dim 0 / over nothing)."""
    torch_fn, ours = REDUCE[name]
    check([(5,)], torch_fn, ours)
    if name in ("sum", "mean", "max", "prod", "argmax", "norm"):
        check([()], torch_fn, ours)


def test_reduce_ties():
    """max/min/amax/amin over ties: torch's gradient (all-reduce and amax share it; max(dim) picks one)."""
    v = [np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])]
    for fn in (lambda x: x.max(), lambda x: x.min(), lambda x: x.amax(1), lambda x: x.amin(0),
               lambda x: x.amax(), lambda x: x.max(1).values, lambda x: x.max(1).indices, lambda x: x.argmax(1),
               lambda x: x.argmin(0)):
        check(None, fn, vals=v)


def test_prod_with_zeros():
    v = [np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5], [1.0, -2.0, 0.5]])]
    for fn in (lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.prod(0), lambda x: x.cumprod(1)):
        check(None, fn, vals=v)


BOOL_REDUCE = {
    "all": lambda x: (x > -1.5).all(),
    "all_dim": lambda x: (x > -1).all(1),
    "all_keepdim": lambda x: (x > -1).all(dim=0, keepdim=True),
    "any": lambda x: (x > 1.5).any(),
    "any_dim": lambda x: (x > 1).any(-1),
    "any_float": lambda x: x.any(1),
    "all_float": lambda x: (x * 0).all(),
}


@pytest.mark.parametrize("name", sorted(BOOL_REDUCE))
def test_all_any(name):
    check([(3, 4)], BOOL_REDUCE[name])


# ------------------------------------------------------------------ movement and indexing

MOVE = {
    "reshape": ([(2, 3, 4)], lambda x: x.reshape(4, 6), None),
    "reshape_neg1": ([(2, 3, 4)], lambda x: x.reshape(-1, 4), None),
    "reshape_tuple": ([(2, 3, 4)], lambda x: x.reshape((3, -1)), None),
    "reshape_fn": ([(2, 3, 4)], lambda x: torch.reshape(x, (-1,)), lambda x: autograd.reshape(x, (-1,))),
    "view": ([(2, 3, 4)], lambda x: x.contiguous().view(6, -1), None),
    "view_scalar": ([(1, 1)], lambda x: x.reshape(()), None),
    "view_as": ([(2, 3, 4), (6, 4)], lambda x, y: x.reshape_as(y) * y, None),
    "permute": ([(2, 3, 4)], lambda x: x.permute(2, 0, 1), None),
    "permute_tuple": ([(2, 3, 4)], lambda x: x.permute((1, 2, 0)), None),
    "permute_neg": ([(2, 3, 4)], lambda x: x.permute(-1, -3, -2), None),
    "transpose": ([(2, 3, 4)], lambda x: x.transpose(0, 2), None),
    "transpose_neg": ([(2, 3, 4)], lambda x: x.transpose(-1, -2), None),
    "t": ([(3, 4)], lambda x: x.t(), None),
    "T": ([(3, 4)], lambda x: x.T, None),
    "mT": ([(2, 3, 4)], lambda x: x.mT, None),
    "swapaxes": ([(2, 3, 4)], lambda x: x.swapaxes(0, 1), None),
    "movedim": ([(2, 3, 4)], lambda x: x.movedim(0, -1), None),
    "expand": ([(3, 1)], lambda x: x.expand(3, 4), None),
    "expand_neg1": ([(3, 1)], lambda x: x.expand(2, -1, 5), None),
    "expand_tuple": ([(1, 4)], lambda x: x.expand((3, 4)), None),
    "expand_as": ([(1, 4), (3, 4)], lambda x, y: x.expand_as(y) * y, None),
    "broadcast_to": ([(1, 4)], lambda x: x.broadcast_to((2, 3, 4)), None),
    "flatten": ([(2, 3, 4)], lambda x: x.flatten(), None),
    "flatten_start": ([(2, 3, 4)], lambda x: x.flatten(1), None),
    "flatten_start_end": ([(2, 3, 4, 2)], lambda x: x.flatten(1, 2), None),
    "flatten_neg": ([(2, 3, 4, 2)], lambda x: x.flatten(start_dim=-3, end_dim=-2), None),
    "flatten_fn": ([(2, 3, 4)], lambda x: torch.flatten(x, 1), lambda x: autograd.flatten(x, 1)),
    "flatten_0d": ([()], lambda x: x.flatten(), None),
    "unflatten": ([(2, 12)], lambda x: x.unflatten(1, (3, 4)), None),
    "unflatten_neg": ([(2, 12)], lambda x: x.unflatten(-1, (-1, 2)), None),
    "squeeze": ([(1, 3, 1, 4)], lambda x: x.squeeze(), None),
    "squeeze_dim": ([(1, 3, 1, 4)], lambda x: x.squeeze(2), None),
    "squeeze_neg": ([(1, 3, 1, 4)], lambda x: x.squeeze(-2), None),
    "squeeze_noop": ([(1, 3, 1, 4)], lambda x: x.squeeze(1), None),  # size 3: unchanged, as in torch
    "squeeze_tuple": ([(1, 3, 1, 4)], lambda x: x.squeeze((0, 2)), None),
    "unsqueeze": ([(3, 4)], lambda x: x.unsqueeze(0), None),
    "unsqueeze_mid": ([(3, 4)], lambda x: x.unsqueeze(1), None),
    "unsqueeze_neg": ([(3, 4)], lambda x: x.unsqueeze(-1), None),
    "unsqueeze_neg3": ([(3, 4)], lambda x: x.unsqueeze(-3), None),
    "none_index": ([(3, 4)], lambda x: x[None, :, None], None),
    "flip": ([(2, 3, 4)], lambda x: x.flip(0), None),
    "flip_tuple": ([(2, 3, 4)], lambda x: x.flip((0, 2)), None),
    "flip_list_neg": ([(2, 3, 4)], lambda x: x.flip([-1]), None),
    "flip_fn": ([(2, 3, 4)], lambda x: torch.flip(x, (1,)), lambda x: autograd.flip(x, (1,))),
    "roll": ([(3, 4)], lambda x: x.roll(1, 1), None),
    "roll_neg": ([(3, 4)], lambda x: x.roll(-5, 0), None),
    "roll_flat": ([(3, 4)], lambda x: x.roll(5), None),
    "roll_tuple": ([(2, 3, 4)], lambda x: x.roll((1, -2), (0, 2)), None),
    "repeat": ([(2, 3)], lambda x: x.repeat(2, 3), None),
    "repeat_more_dims": ([(2, 3)], lambda x: x.repeat(2, 1, 2), None),
    "repeat_tuple": ([(2, 3)], lambda x: x.repeat((1, 2)), None),
    "repeat_interleave": ([(2, 3)], lambda x: x.repeat_interleave(2, dim=1), None),
    "tile": ([(2, 3)], lambda x: x.tile((2,)), None),
    "tile_more": ([(2, 3)], lambda x: x.tile((2, 1, 2)), None),
    "narrow": ([(4, 5)], lambda x: x.narrow(1, 1, 3), None),
    "narrow_neg": ([(4, 5)], lambda x: x.narrow(-2, 2, 2), None),
    "chunk": ([(5, 4)], lambda x: x.chunk(2), None),
    "chunk_dim": ([(5, 4)], lambda x: x.chunk(3, dim=1), None),
    "chunk_fn": ([(6, 4)], lambda x: torch.chunk(x, 3, 0), lambda x: autograd.chunk(x, 3, 0)),
    "split": ([(5, 4)], lambda x: x.split(2), None),
    "split_sizes": ([(5, 4)], lambda x: x.split([1, 3], dim=1), None),
    "split_fn": ([(5, 4)], lambda x: torch.split(x, [2, 3]), lambda x: autograd.split(x, [2, 3])),
    "tensor_split": ([(5, 4)], lambda x: x.tensor_split(3), None),
    "unbind": ([(3, 4)], lambda x: x.unbind(1), None),
    "stack": ([(3, 4), (3, 4)], lambda a, b: torch.stack([a, b]), lambda a, b: autograd.stack([a, b])),
    "stack_dim": ([(3, 4), (3, 4), (3, 4)], lambda a, b, c: torch.stack((a, b, c), dim=2),
                  lambda a, b, c: autograd.stack((a, b, c), dim=2)),
    "stack_neg": ([(3, 4), (3, 4)], lambda a, b: torch.stack([a, b], -1), lambda a, b: autograd.stack([a, b], -1)),
    "cat": ([(2, 4), (3, 4)], lambda a, b: torch.cat([a, b]), lambda a, b: autograd.cat([a, b])),
    "cat_dim": ([(3, 2), (3, 4)], lambda a, b: torch.cat((a, b), dim=1), lambda a, b: autograd.cat((a, b), dim=1)),
    "cat_neg": ([(2, 3, 1), (2, 3, 2)], lambda a, b: torch.cat([a, b], -1), lambda a, b: autograd.cat([a, b], -1)),
    "cat_three": ([(1, 4), (2, 4), (3, 4)], lambda a, b, c: torch.cat([a, b, c], 0),
                  lambda a, b, c: autograd.cat([a, b, c], 0)),
    "concat_same": ([(2, 4)], lambda a: torch.cat([a, a * 2], 0), lambda a: autograd.cat([a, a * 2], 0)),
    "tril": ([(4, 5)], lambda x: x.tril(), None),
    "tril_k": ([(4, 5)], lambda x: x.tril(1), None),
    "tril_neg_k": ([(2, 4, 5)], lambda x: x.tril(diagonal=-1), None),
    "triu": ([(4, 5)], lambda x: x.triu(), None),
    "triu_k": ([(2, 4, 5)], lambda x: x.triu(2), None),
    "triu_fn": ([(4, 5)], lambda x: torch.triu(x, -1), lambda x: autograd.triu(x, -1)),
    "diagonal": ([(4, 5)], lambda x: x.diagonal(), None),
    "diagonal_offset": ([(4, 5)], lambda x: x.diagonal(1), None),
    "diagonal_neg_offset": ([(4, 5)], lambda x: x.diagonal(offset=-2), None),
    "diagonal_dims": ([(2, 3, 4)], lambda x: x.diagonal(0, 0, 2), None),
    "diagonal_dims_neg": ([(2, 3, 4)], lambda x: x.diagonal(offset=1, dim1=-1, dim2=-2), None),
    "diag_embed": ([(2, 3)], lambda x: torch.diag_embed(x), lambda x: autograd.diag_embed(x)),
    "diag": ([(4,)], lambda x: torch.diag(x), lambda x: autograd.diag(x)),
    "diag_2d": ([(4, 4)], lambda x: torch.diag(x, 1), lambda x: autograd.diag(x, 1)),
    "trace": ([(4, 4)], lambda x: x.trace(), None),
    "contiguous": ([(3, 4)], lambda x: x.t().contiguous(), None),
    "unfold": ([(2, 7)], lambda x: x.unfold(1, 3, 2), None),
    "rot90": ([(3, 4)], lambda x: x.rot90(1, (0, 1)), None),
}


@pytest.mark.parametrize("name", sorted(MOVE))
def test_movement(name):
    shapes, torch_fn, ours = MOVE[name]
    check(shapes, torch_fn, ours, layouts=("contig", "T"))


SLICES = {
    "int": lambda x: x[1],
    "neg_int": lambda x: x[-1],
    "int_int": lambda x: x[1, -2],
    "slice": lambda x: x[1:3],
    "slice_neg": lambda x: x[-3:-1],
    "slice_step": lambda x: x[::2],
    "slice_step_offset": lambda x: x[1::2, ::3],
    "slice_neg_start_step": lambda x: x[-4::2],
    "slice_past_end": lambda x: x[2:100],
    "slice_empty": lambda x: x[3:1],
    "slice_cols": lambda x: x[:, 1:-1],
    "ellipsis": lambda x: x[..., 1],
    "ellipsis_slice": lambda x: x[..., ::-1] if isinstance(x, Tensor) else x.flip(-1),
    "none": lambda x: x[:, None, 1:],
    "mixed": lambda x: x[1:, -1, None],
    "3d": lambda x: x.reshape(2, 2, 5)[:, 1, ::2],
}


@pytest.mark.parametrize("name", sorted(SLICES))
def test_slicing(name):
    check([(4, 5)], SLICES[name], layouts=ALL_LAYOUTS)


ADVANCED = {
    "list": (lambda x: x[[0, 2, 2]], None),
    "list_cols": (lambda x: x[:, [3, 0]], None),
    "int_tensor": (lambda x: x[ti([1, 0, 1])], lambda x: x[gi([1, 0, 1])]),
    "neg_int_tensor": (lambda x: x[ti([-1, 0])], lambda x: x[gi([-1, 0])]),
    "two_tensors": (lambda x: x[ti([0, 1, 3]), ti([4, 0, 4])], lambda x: x[gi([0, 1, 3]), gi([4, 0, 4])]),
    "broadcast_tensors": (lambda x: x[ti([[0], [2]]), ti([[1, 2, 1]])], lambda x: x[gi([[0], [2]]), gi([[1, 2, 1]])]),
    "tensor_and_slice": (lambda x: x[ti([2, 0]), 1:4], lambda x: x[gi([2, 0]), 1:4]),
    "slice_and_tensor": (lambda x: x[1:, ti([0, 0, 3])], lambda x: x[1:, gi([0, 0, 3])]),
    "2d_index_tensor": (lambda x: x[ti([[0, 1], [3, 3]])], lambda x: x[gi([[0, 1], [3, 3]])]),
    "bool_mask": (lambda x: x[x > 0], None),
    "bool_row_mask": (lambda x: x[ti([True, False, True, False])], lambda x: x[gi([True, False, True, False])]),
    "int_and_tensor": (lambda x: x[1, ti([0, 2])], lambda x: x[1, gi([0, 2])]),
    "masked_select": (lambda x: x.masked_select(x < 0.5), None),
    "take": (lambda x: x.take(ti([0, 7, 19, 7])), lambda x: x.take(gi([0, 7, 19, 7]))),
}


@pytest.mark.parametrize("name", sorted(ADVANCED))
def test_advanced_indexing(name):
    torch_fn, ours = ADVANCED[name]
    check([(4, 5)], torch_fn, ours, layouts=ALL_LAYOUTS)


IDX = np.array([[0, 2, 1], [1, 1, 0], [3, 0, 3]])  # into dim 0 of (4, 3) or dim 1 of (3, 4)
SCAT = np.array([[3, 0, 2], [1, 2, 0], [0, 3, 1]])  # distinct per row along dim 1 of (3, 4)
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

GATHER = {
    "gather_dim1": ([(3, 4)], lambda x: x.gather(1, ti(IDX)), lambda x: x.gather(1, gi(IDX))),
    "gather_dim0": ([(4, 3)], lambda x: x.gather(0, ti(IDX)), lambda x: x.gather(0, gi(IDX))),
    "gather_neg": ([(3, 4)], lambda x: torch.gather(x, -1, ti(IDX[:, :2])),
                   lambda x: autograd.gather(x, -1, gi(IDX[:, :2]))),
    "gather_kw": ([(3, 4)], lambda x: x.gather(dim=1, index=ti(IDX)), lambda x: x.gather(dim=1, index=gi(IDX))),
    "scatter_src": ([(3, 4), (3, 3)], lambda x, s: x.scatter(1, ti(SCAT), s), lambda x, s: x.scatter(1, gi(SCAT), s)),
    "scatter_value": ([(3, 4)], lambda x: x.scatter(1, ti(SCAT), 0.5), lambda x: x.scatter(1, gi(SCAT), 0.5)),
    "scatter_add": ([(3, 4), (3, 3)], lambda x, s: x.scatter_add(1, ti(IDX), s),
                    lambda x, s: x.scatter_add(1, gi(IDX), s)),
    "scatter_add_dim0": ([(4, 3), (3, 3)], lambda x, s: x.scatter_add(0, ti(IDX), s),
                         lambda x, s: x.scatter_add(0, gi(IDX), s)),
    "scatter_reduce_sum": ([(3, 4), (3, 3)], lambda x, s: x.scatter_reduce(1, ti(IDX), s, "sum"),
                           lambda x, s: x.scatter_reduce(1, gi(IDX), s, "sum")),
    "scatter_reduce_mean": ([(3, 4), (3, 3)], lambda x, s: x.scatter_reduce(1, ti(IDX), s, "mean",
                                                                            include_self=False),
                            lambda x, s: x.scatter_reduce(1, gi(IDX), s, "mean", include_self=False)),
    "index_select": ([(4, 3)], lambda x: x.index_select(0, ti([3, 0, 3])), lambda x: x.index_select(0, gi([3, 0, 3]))),
    "index_select_dim1": ([(4, 3)], lambda x: torch.index_select(x, 1, ti([2, 1])),
                          lambda x: autograd.index_select(x, 1, gi([2, 1]))),
    "index_add": ([(4, 3), (2, 3)], lambda x, s: x.index_add(0, ti([3, 3]), s),
                  lambda x, s: x.index_add(0, gi([3, 3]), s)),
    "masked_fill": ([(3, 4)], lambda x: x.masked_fill(ti(MASK), -1.0), lambda x: x.masked_fill(gi(MASK), -1.0)),
    "masked_fill_bcast": ([(3, 4)], lambda x: x.masked_fill(ti(MASK[0]), 2.0),
                          lambda x: x.masked_fill(gi(MASK[0]), 2.0)),
    "masked_fill_cond": ([(3, 4)], lambda x: x.masked_fill(x > 0, 0.0), None),
    "masked_fill_inf_softmax": ([(3, 4)], lambda x: x.masked_fill(ti(MASK), float("-inf")).softmax(1),
                                lambda x: x.masked_fill(gi(MASK), float("-inf")).softmax(1)),
    "take_along_dim": ([(3, 4)], lambda x: x.take_along_dim(ti(IDX), 1), lambda x: x.take_along_dim(gi(IDX), 1)),
    "take_along_dim_fn": ([(4, 3)], lambda x: torch.take_along_dim(x, ti(IDX), dim=0),
                          lambda x: autograd.take_along_dim(x, gi(IDX), dim=0)),
    "take_along_argmax": ([(3, 4)], lambda x: x.take_along_dim(x.argmax(1, keepdim=True), 1), None),
    "where_mask": ([(3, 4), (4,)], lambda x, y: torch.where(ti(MASK), x, y),
                   lambda x, y: autograd.where(gi(MASK), x, y)),
    "where_scalar": ([(3, 4)], lambda x: torch.where(x > 0, x, 0.0), lambda x: autograd.where(x > 0, x, 0.0)),
    "where_scalar_left": ([(3, 4)], lambda x: torch.where(x > 0, 1.0, x), lambda x: autograd.where(x > 0, 1.0, x)),
}


@pytest.mark.parametrize("name", sorted(GATHER))
def test_gather_scatter(name):
    shapes, torch_fn, ours = GATHER[name]
    check(shapes, torch_fn, ours, layouts=("contig", "T"))


PADS = [
    ((1, 2), "constant", (3, 4)), ((1, 0, 0, 2), "constant", (2, 3, 4)), ((2, 1, 1, 1, 1, 0), "constant", (2, 3, 4)),
    ((1, 2), "reflect", (2, 3, 4)), ((2, 1, 1, 2), "reflect", (1, 2, 4, 5)), ((2, 2), "replicate", (2, 3, 4)),
    ((1, 2, 2, 0), "replicate", (1, 2, 3, 4)), ((1, 2), "circular", (2, 3, 4)),
    ((2, 1, 1, 3), "circular", (1, 2, 4, 5)),
    ((-1, 2), "constant", (3, 4)), ((0, 0), "constant", (3, 4)), ((1, 1, 1, 1, 1, 1), "replicate", (1, 2, 2, 3, 3)),
    ((1, 1, 1, 1, 1, 1), "reflect", (1, 2, 3, 3, 4)), ((1, 1, 1, 1, 1, 1), "circular", (1, 1, 2, 3, 3)),
]


@pytest.mark.parametrize("pad,mode,shape", PADS, ids=str)
def test_pad(pad, mode, shape):
    check([shape], lambda x: TF.pad(x, pad, mode=mode), lambda x: F.pad(x, pad, mode=mode), layouts=("contig", "T"))


def test_pad_value():
    check([(2, 3)], lambda x: TF.pad(x, (1, 1, 2, 0), value=-2.5), lambda x: F.pad(x, (1, 1, 2, 0), value=-2.5))
    check([(2, 3)], lambda x: TF.pad(x, [1, 1], "constant", 1.0), lambda x: F.pad(x, [1, 1], "constant", 1.0))


EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij->ji", [(3, 4)]), ("ii->i", [(4, 4)]), ("ii", [(4, 4)]), ("ij->", [(3, 4)]),
    ("i,i->", [(4,), (4,)]), ("i,j->ij", [(3,), (4,)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ij,ij,ij->i", [(3, 4), (3, 4), (3, 4)]), ("ij,kj", [(3, 4), (5, 4)]), ("i j , j k -> i k", [(3, 4), (4, 5)]),
    ("abc->cba", [(2, 3, 4)]), ("ij,j->i", [(3, 4), (4,)]), ("iij->j", [(3, 3, 4)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=str)
def test_einsum(eq, shapes):
    check(shapes, lambda *a: torch.einsum(eq, *a), lambda *a: autograd.einsum(eq, *a), layouts=("contig", "T"))


def test_einsum_list_operands():
    check([(3, 4), (4, 5)], lambda a, b: torch.einsum("ij,jk", [a, b]), lambda a, b: autograd.einsum("ij,jk", [a, b]))


# ------------------------------------------------------------------ matmul

MATMUL = [
    [(4,), (4,)], [(4,), (4, 3)], [(3, 4), (4,)], [(3, 4), (4, 5)], [(2, 3, 4), (4, 5)], [(3, 4), (2, 4, 5)],
    [(2, 3, 4), (2, 4, 5)], [(2, 1, 3, 4), (3, 4, 5)], [(4,), (2, 4, 3)], [(2, 3, 4), (4,)], [(1, 4), (4, 1)],
    [(0, 4), (4, 3)], [(3, 0), (0, 2)],
]


@pytest.mark.parametrize("shapes", MATMUL, ids=str)
def test_matmul(shapes):
    check(shapes, lambda a, b: a @ b, layouts=ALL_LAYOUTS)
    check(shapes, lambda a, b: torch.matmul(a, b), lambda a, b: autograd.matmul(a, b))


LINALG = {
    "mm": ([(3, 4), (4, 5)], lambda a, b: a.mm(b), None),
    "mm_fn": ([(3, 4), (4, 5)], lambda a, b: torch.mm(a, b), lambda a, b: autograd.mm(a, b)),
    "bmm": ([(2, 3, 4), (2, 4, 5)], lambda a, b: a.bmm(b), None),
    "bmm_fn": ([(2, 3, 4), (2, 4, 5)], lambda a, b: torch.bmm(a, b), lambda a, b: autograd.bmm(a, b)),
    "dot": ([(4,), (4,)], lambda a, b: a.dot(b), None),
    "dot_fn": ([(4,), (4,)], lambda a, b: torch.dot(a, b), lambda a, b: autograd.dot(a, b)),
    "vdot": ([(4,), (4,)], lambda a, b: torch.vdot(a, b), lambda a, b: autograd.vdot(a, b)),
    "outer": ([(3,), (4,)], lambda a, b: a.outer(b), None),
    "outer_fn": ([(3,), (4,)], lambda a, b: torch.outer(a, b), lambda a, b: autograd.outer(a, b)),
    "mv": ([(3, 4), (4,)], lambda a, b: a.mv(b), None),
    "addmm": ([(5,), (3, 4), (4, 5)], lambda c, a, b: torch.addmm(c, a, b), lambda c, a, b: autograd.addmm(c, a, b)),
    "addmm_scaled": ([(3, 5), (3, 4), (4, 5)], lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0),
                     lambda c, a, b: autograd.addmm(c, a, b, beta=0.5, alpha=2.0)),
    "addmm_method": ([(3, 1), (3, 4), (4, 5)], lambda c, a, b: c.addmm(a, b, alpha=-1.0), None),
    "baddbmm": ([(2, 3, 5), (2, 3, 4), (2, 4, 5)], lambda c, a, b: torch.baddbmm(c, a, b, beta=2.0),
                lambda c, a, b: autograd.baddbmm(c, a, b, beta=2.0)),
    "tensordot": ([(3, 4, 2), (4, 2, 5)], lambda a, b: torch.tensordot(a, b, dims=2),
                  lambda a, b: autograd.tensordot(a, b, dims=2)),
    "kron": ([(2, 3), (2, 2)], lambda a, b: torch.kron(a, b), lambda a, b: autograd.kron(a, b)),
    "inner": ([(3, 4), (2, 4)], lambda a, b: torch.inner(a, b), lambda a, b: autograd.inner(a, b)),
    "cross": ([(4, 3), (4, 3)], lambda a, b: torch.linalg.cross(a, b), lambda a, b: autograd.cross(a, b)),
    "rmatmul_chain": ([(3, 4), (4, 4), (4, 2)], lambda a, b, c: (a @ b).relu() @ c, None),
}


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg(name):
    shapes, torch_fn, ours = LINALG[name]
    check(shapes, torch_fn, ours, layouts=("contig", "T"))


# ------------------------------------------------------------------ nn.functional: convolutions and pools

CONV = {
    "conv1d": ([(2, 3, 9), (4, 3, 3)], {}),
    "conv1d_bias": ([(2, 3, 9), (4, 3, 3), (4,)], {}),
    "conv1d_stride_pad": ([(2, 3, 9), (4, 3, 3), (4,)], dict(stride=2, padding=1)),
    "conv1d_dilation": ([(2, 3, 9), (4, 3, 3)], dict(dilation=2, padding=2)),
    "conv1d_groups": ([(2, 4, 9), (6, 2, 3), (6,)], dict(groups=2, stride=3)),
    "conv1d_same": ([(1, 2, 8), (3, 2, 4)], dict(padding="same")),
    "conv1d_valid": ([(1, 2, 8), (3, 2, 4)], dict(padding="valid")),
    "conv2d": ([(2, 3, 6, 5), (4, 3, 3, 3)], {}),
    "conv2d_bias": ([(2, 3, 6, 5), (4, 3, 3, 2), (4,)], {}),
    "conv2d_stride": ([(2, 3, 7, 6), (4, 3, 3, 3)], dict(stride=2)),
    "conv2d_stride_tuple": ([(2, 3, 7, 6), (4, 3, 3, 3), (4,)], dict(stride=(2, 1), padding=(1, 2))),
    "conv2d_padding": ([(1, 2, 5, 5), (3, 2, 3, 3)], dict(padding=1)),
    "conv2d_dilation": ([(1, 2, 7, 7), (3, 2, 3, 3)], dict(dilation=2, padding=1)),
    "conv2d_dilation_tuple": ([(1, 2, 7, 7), (3, 2, 2, 3)], dict(dilation=(1, 2))),
    "conv2d_groups": ([(2, 4, 5, 5), (6, 2, 3, 3), (6,)], dict(groups=2, padding=1)),
    "conv2d_depthwise": ([(2, 3, 5, 5), (3, 1, 3, 3)], dict(groups=3)),
    "conv2d_same": ([(1, 2, 6, 5), (3, 2, 3, 4)], dict(padding="same")),
    "conv2d_same_dilation": ([(1, 2, 7, 6), (3, 2, 3, 3)], dict(padding="same", dilation=2)),
    "conv2d_1x1": ([(2, 3, 4, 4), (5, 3, 1, 1)], {}),
    "conv2d_all": ([(2, 4, 9, 8), (4, 2, 3, 2), (4,)], dict(stride=(2, 3), padding=(2, 1), dilation=(2, 1), groups=2)),
}


@pytest.mark.parametrize("name", sorted(CONV))
def test_conv(name):
    shapes, kw = CONV[name]
    fn = "conv1d" if len(shapes[0]) == 3 else "conv2d"
    layouts = ("contig", "T") if name in ("conv1d_bias", "conv2d_all", "conv2d_groups") else ("contig",)
    check(shapes, lambda *a: getattr(TF, fn)(*a, **kw), lambda *a: getattr(F, fn)(*a, **kw), layouts=layouts)


CONV_T = {
    "basic": ([(2, 3, 4, 4), (3, 2, 3, 3)], {}),
    "bias": ([(2, 3, 4, 4), (3, 2, 3, 3), (2,)], {}),
    "stride": ([(2, 3, 4, 3), (3, 2, 3, 3), (2,)], dict(stride=2)),
    "stride_padding": ([(1, 3, 4, 4), (3, 2, 3, 3)], dict(stride=2, padding=1)),
    "output_padding": ([(1, 3, 4, 4), (3, 2, 3, 3)], dict(stride=2, padding=1, output_padding=1)),
    "tuple_args": ([(1, 2, 3, 4), (2, 3, 2, 3)], dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2))),
    "groups": ([(1, 4, 3, 3), (4, 2, 3, 3), (4,)], dict(groups=2, stride=2)),
    "dilation": ([(1, 2, 3, 3), (2, 3, 3, 3)], dict(dilation=2)),
}


@pytest.mark.parametrize("name", sorted(CONV_T))
def test_conv_transpose2d(name):
    shapes, kw = CONV_T[name]
    check(shapes, lambda *a: TF.conv_transpose2d(*a, **kw), lambda *a: F.conv_transpose2d(*a, **kw),
          layouts=("contig", "T") if name == "tuple_args" else ("contig",))


def test_conv_transpose1d():
    kw = dict(stride=2, padding=1, output_padding=1)
    check([(2, 3, 5), (3, 2, 3), (2,)], lambda *a: TF.conv_transpose1d(*a, **kw),
          lambda *a: F.conv_transpose1d(*a, **kw))


POOL = {
    "max_pool2d": ((2, 2, 6, 6), "max_pool2d", dict(kernel_size=2)),
    "max_pool2d_stride": ((2, 2, 7, 6), "max_pool2d", dict(kernel_size=3, stride=2)),
    "max_pool2d_pad": ((1, 2, 5, 5), "max_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    "max_pool2d_ceil": ((1, 2, 5, 6), "max_pool2d", dict(kernel_size=2, ceil_mode=True)),
    "max_pool2d_ceil_pad": ((1, 2, 6, 6), "max_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "max_pool2d_dilation": ((1, 2, 7, 7), "max_pool2d", dict(kernel_size=2, dilation=2)),
    "max_pool2d_tuple": ((1, 2, 7, 6), "max_pool2d", dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0))),
    "max_pool2d_positional": ((1, 2, 6, 6), "max_pool2d", dict()),
    "max_pool1d": ((2, 3, 8), "max_pool1d", dict(kernel_size=2)),
    "max_pool1d_all": ((2, 3, 9), "max_pool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "avg_pool2d": ((2, 2, 6, 6), "avg_pool2d", dict(kernel_size=2)),
    "avg_pool2d_stride": ((1, 2, 7, 6), "avg_pool2d", dict(kernel_size=3, stride=2)),
    "avg_pool2d_pad": ((1, 2, 5, 5), "avg_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    "avg_pool2d_pad_exclude": ((1, 2, 5, 5), "avg_pool2d", dict(kernel_size=3, stride=2, padding=1,
                                                                count_include_pad=False)),
    "avg_pool2d_ceil": ((1, 2, 5, 6), "avg_pool2d", dict(kernel_size=2, ceil_mode=True)),
    "avg_pool2d_ceil_pad": ((1, 2, 6, 5), "avg_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "avg_pool2d_ceil_pad_exclude": ((1, 2, 6, 5), "avg_pool2d", dict(kernel_size=3, stride=2, padding=1,
                                                                     ceil_mode=True, count_include_pad=False)),
    "avg_pool2d_divisor": ((1, 2, 4, 4), "avg_pool2d", dict(kernel_size=2, divisor_override=3)),
    "avg_pool1d": ((2, 3, 8), "avg_pool1d", dict(kernel_size=3)),
    "avg_pool1d_all": ((2, 3, 9), "avg_pool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    "avg_pool1d_exclude": ((2, 3, 9), "avg_pool1d", dict(kernel_size=3, stride=2, padding=1,
                                                         count_include_pad=False)),
    "adaptive_avg_pool2d": ((2, 2, 6, 6), "adaptive_avg_pool2d", dict(output_size=(2, 3))),
    "adaptive_avg_pool2d_uneven": ((1, 2, 7, 5), "adaptive_avg_pool2d", dict(output_size=3)),
    "adaptive_avg_pool2d_one": ((2, 3, 5, 4), "adaptive_avg_pool2d", dict(output_size=1)),
    "adaptive_avg_pool2d_none": ((1, 2, 5, 4), "adaptive_avg_pool2d", dict(output_size=(None, 2))),
    "adaptive_avg_pool2d_grow": ((1, 2, 3, 2), "adaptive_avg_pool2d", dict(output_size=(5, 4))),
    "adaptive_max_pool2d": ((1, 2, 7, 5), "adaptive_max_pool2d", dict(output_size=(3, 2))),
    "adaptive_max_pool2d_one": ((2, 2, 4, 4), "adaptive_max_pool2d", dict(output_size=1)),
    "adaptive_avg_pool1d": ((2, 3, 7), "adaptive_avg_pool1d", dict(output_size=3)),
    "adaptive_max_pool1d": ((2, 3, 7), "adaptive_max_pool1d", dict(output_size=4)),
    "max_pool2d_3d_input": ((2, 6, 6), "max_pool2d", dict(kernel_size=2)),
    "avg_pool2d_3d_input": ((2, 6, 6), "avg_pool2d", dict(kernel_size=3, stride=1)),
    "lp_pool2d": ((1, 2, 4, 4), "lp_pool2d", dict(norm_type=2, kernel_size=2)),
}


@pytest.mark.parametrize("name", sorted(POOL))
def test_pool(name):
    shape, fn, kw = POOL[name]
    if fn == "max_pool2d" and not kw:
        check([shape], lambda x: TF.max_pool2d(x, 3, 2, 1), lambda x: F.max_pool2d(x, 3, 2, 1))
        return
    layouts = ("contig", "T") if name.endswith(("_tuple", "_ceil_pad", "_all", "_uneven")) else ("contig",)
    check([shape], lambda x: getattr(TF, fn)(x, **kw), lambda x: getattr(F, fn)(x, **kw), layouts=layouts)


def test_max_pool_return_indices():
    check([(1, 2, 6, 6)], lambda x: TF.max_pool2d(x, 2, return_indices=True),
          lambda x: F.max_pool2d(x, 2, return_indices=True))
    check([(1, 2, 7)], lambda x: TF.max_pool1d(x, 3, 2, return_indices=True),
          lambda x: F.max_pool1d(x, 3, 2, return_indices=True))
    check([(1, 2, 7, 5)], lambda x: TF.adaptive_max_pool2d(x, 2, return_indices=True),
          lambda x: F.adaptive_max_pool2d(x, 2, return_indices=True))


def test_max_pool_ties():
    """Overlapping windows over ties: torch routes each window's gradient to one position."""
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = 1.0
    check(None, lambda t: TF.max_pool2d(t, 2, 1), lambda t: F.max_pool2d(t, 2, 1), vals=[x])


INTERP = {
    "nearest_size": ((1, 2, 3, 4), dict(size=(6, 8))),
    "nearest_scale": ((1, 2, 3, 4), dict(scale_factor=2)),
    "nearest_uneven": ((1, 2, 3, 4), dict(size=(5, 7))),
    "nearest_down": ((1, 2, 6, 5), dict(size=(3, 2))),
    "nearest_exact": ((1, 2, 3, 4), dict(size=(5, 7), mode="nearest-exact")),
    "bilinear": ((1, 2, 3, 4), dict(size=(5, 7), mode="bilinear")),
    "bilinear_align": ((1, 2, 3, 4), dict(size=(5, 7), mode="bilinear", align_corners=True)),
    "bilinear_scale": ((2, 1, 3, 3), dict(scale_factor=2, mode="bilinear", align_corners=False)),
    "bilinear_down": ((1, 2, 6, 5), dict(size=(4, 3), mode="bilinear")),
    "bilinear_scale_tuple": ((1, 1, 3, 4), dict(scale_factor=(1.5, 2.0), mode="bilinear")),
    "linear": ((2, 3, 4), dict(size=7, mode="linear")),
    "linear_align": ((2, 3, 4), dict(scale_factor=2, mode="linear", align_corners=True)),
    "nearest_1d": ((2, 3, 4), dict(scale_factor=3)),
    "bicubic": ((1, 1, 4, 4), dict(size=(6, 5), mode="bicubic")),
    "area": ((1, 2, 6, 6), dict(size=(3, 2), mode="area")),
}


@pytest.mark.parametrize("name", sorted(INTERP))
def test_interpolate(name):
    shape, kw = INTERP[name]
    layouts = ("contig", "T") if name in ("bilinear", "nearest_uneven", "linear") else ("contig",)
    check([shape], lambda x: TF.interpolate(x, **kw), lambda x: F.interpolate(x, **kw), layouts=layouts)


# ------------------------------------------------------------------ nn.functional: layers, norms, losses

def test_linear():
    check([(4, 3), (5, 3), (5,)], lambda x, w, b: TF.linear(x, w, b), lambda x, w, b: F.linear(x, w, b),
          layouts=("contig", "T"))
    check([(2, 4, 3), (5, 3)], lambda x, w: TF.linear(x, w), lambda x, w: F.linear(x, w))
    check([(3,), (5, 3), (5,)], lambda x, w, b: TF.linear(x, w, b), lambda x, w, b: F.linear(x, w, b))


def test_bilinear():
    check([(4, 3), (4, 2), (5, 3, 2), (5,)], lambda a, b, w, c: TF.bilinear(a, b, w, c),
          lambda a, b, w, c: F.bilinear(a, b, w, c))


def test_dropout_p0_and_eval():
    """dropout with p=0 (training) and with training=False is the identity, value and gradient."""
    for kw in (dict(p=0.0), dict(p=0.0, training=True), dict(p=0.5, training=False)):
        check([(3, 4)], lambda x, kw=kw: TF.dropout(x, **kw), lambda x, kw=kw: F.dropout(x, **kw))


def test_dropout_p1_zeroes():
    check([(3, 4)], lambda x: TF.dropout(x, p=1.0), lambda x: F.dropout(x, p=1.0))


NORMS = {
    "layer_norm": ([(2, 3, 4)], lambda x: TF.layer_norm(x, (4,)), lambda x: F.layer_norm(x, (4,))),
    "layer_norm_affine": ([(2, 3, 4), (3, 4), (3, 4)], lambda x, w, b: TF.layer_norm(x, (3, 4), w, b, 1e-3),
                          lambda x, w, b: F.layer_norm(x, (3, 4), w, b, 1e-3)),
    "layer_norm_weight_kw": ([(2, 4), (4,)], lambda x, w: TF.layer_norm(x, [4], weight=w),
                             lambda x, w: F.layer_norm(x, [4], weight=w)),
    "group_norm": ([(2, 6, 3)], lambda x: TF.group_norm(x, 3), lambda x: F.group_norm(x, 3)),
    "group_norm_affine": ([(2, 4, 3, 2), (4,), (4,)], lambda x, w, b: TF.group_norm(x, 2, w, b),
                          lambda x, w, b: F.group_norm(x, 2, w, b)),
    "group_norm_one": ([(2, 4, 3)], lambda x: TF.group_norm(x, 1, eps=1e-2), lambda x: F.group_norm(x, 1, eps=1e-2)),
    "instance_norm": ([(2, 3, 5)], lambda x: TF.instance_norm(x), lambda x: F.instance_norm(x)),
    "instance_norm_affine": ([(2, 3, 4, 2), (3,), (3,)], lambda x, w, b: TF.instance_norm(x, weight=w, bias=b),
                             lambda x, w, b: F.instance_norm(x, weight=w, bias=b)),
    "rms_norm": ([(2, 3, 4), (4,)], lambda x, w: TF.rms_norm(x, (4,), w), lambda x, w: F.rms_norm(x, (4,), w)),
    "rms_norm_eps": ([(2, 3, 4)], lambda x: TF.rms_norm(x, [3, 4], eps=1e-3),
                     lambda x: F.rms_norm(x, [3, 4], eps=1e-3)),
    "normalize": ([(3, 4)], lambda x: TF.normalize(x), lambda x: F.normalize(x)),
    "normalize_p1_dim0": ([(3, 4)], lambda x: TF.normalize(x, p=1.0, dim=0), lambda x: F.normalize(x, p=1.0, dim=0)),
    "local_response_norm": ([(1, 5, 3, 3)], lambda x: TF.local_response_norm(x, 3),
                            lambda x: F.local_response_norm(x, 3)),
}


@pytest.mark.parametrize("name", sorted(NORMS))
def test_norms(name):
    shapes, torch_fn, ours = NORMS[name]
    check(shapes, torch_fn, ours, layouts=("contig", "T"))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 2)], ids=str)
def test_batch_norm(training, shape):
    """F.batch_norm in training (batch statistics; the running ones updated in place) and eval mode."""
    rng = np.random.default_rng(3)
    for dtype in DTYPES:
        rm, rv = rng.uniform(-1, 1, 3).astype(dtype), rng.uniform(0.5, 2, 3).astype(dtype)
        t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
        o_rm, o_rv = Tensor(rm), Tensor(rv)

        def torch_fn(x, w, b, t_rm=t_rm, t_rv=t_rv):
            return TF.batch_norm(x, t_rm, t_rv, w, b, training=training, momentum=0.2, eps=1e-4)

        def ours(x, w, b, o_rm=o_rm, o_rv=o_rv):
            return F.batch_norm(x, o_rm, o_rv, w, b, training=training, momentum=0.2, eps=1e-4)

        check([shape, (3,), (3,)], torch_fn, ours, dtypes=(dtype,))
        np.testing.assert_allclose(o_rm.data, t_rm.numpy(), **TOL[dtype])
        np.testing.assert_allclose(o_rv.data, t_rv.numpy(), **TOL[dtype])
        assert o_rm.dtype == dtype and o_rv.dtype == dtype
    check([shape], lambda x: TF.batch_norm(x, None, None, training=True),
          lambda x: F.batch_norm(x, None, None, training=True))


def test_embedding():
    idx = np.array([[0, 2, 4], [4, 4, 1]])
    check([(5, 3)], lambda w: TF.embedding(ti(idx), w), lambda w: F.embedding(gi(idx), w))
    check([(5, 3)], lambda w: TF.embedding(ti(idx), w, padding_idx=4), lambda w: F.embedding(gi(idx), w, padding_idx=4))
    check([(5, 3)], lambda w: TF.embedding(ti([3, 0]), w), lambda w: F.embedding(gi([3, 0]), w), layouts=("T",))


def test_one_hot():
    for args in ((), (6,), (-1,)):
        check(None, lambda x, a=args: TF.one_hot(x.long(), *a), lambda x, a=args: F.one_hot(x.long(), *a), grad=False,
              vals=[np.array([[0, 3, 1], [2, 2, 4]])])


TARGET = np.array([2, 0, 4, 1])
TARGET_K = np.array([[0, 2, 1], [1, 1, 0]])  # for (2, 3, 3) scores: class dim 1, then 3 positions
WEIGHT = np.array([0.5, 1.0, 2.0, 1.5, 0.25])

CE = {
    "plain": dict(),
    "sum": dict(reduction="sum"),
    "none": dict(reduction="none"),
    "smoothing": dict(label_smoothing=0.2),
    "smoothing_sum": dict(label_smoothing=0.1, reduction="sum"),
    "ignore": dict(ignore_index=0),
    "ignore_none": dict(ignore_index=4, reduction="none"),
    "weight": dict(weight=WEIGHT),
    "weight_sum": dict(weight=WEIGHT, reduction="sum"),
    "weight_none": dict(weight=WEIGHT, reduction="none"),
    "weight_ignore": dict(weight=WEIGHT, ignore_index=2),
    "weight_smoothing": dict(weight=WEIGHT, label_smoothing=0.3),
    "weight_smoothing_ignore": dict(weight=WEIGHT, label_smoothing=0.3, ignore_index=1),
    "smoothing_ignore_none": dict(label_smoothing=0.2, ignore_index=1, reduction="none"),
}


def _kw(kw: dict, lib: str) -> dict:
    out = dict(kw)
    if "weight" in out:
        out["weight"] = torch.tensor(out["weight"]) if lib == "torch" else Tensor(out["weight"])
    return out


def _typed(kw: dict, x) -> dict:
    """The weight in the scores' dtype (torch wants them equal)."""
    if "weight" in kw:
        kw = dict(kw, weight=kw["weight"].to(x.dtype) if isinstance(x, torch.Tensor) else kw["weight"].float()
                  if x.dtype == np.float32 else kw["weight"])
    return kw


@pytest.mark.parametrize("name", sorted(CE))
def test_cross_entropy(name):
    tk, ok = _kw(CE[name], "torch"), _kw(CE[name], "ours")
    check([(4, 5)], lambda x: TF.cross_entropy(x, ti(TARGET), **_typed(tk, x)),
          lambda x: F.cross_entropy(x, gi(TARGET), **_typed(ok, x)),
          layouts=("contig", "T") if name in ("plain", "weight_smoothing_ignore") else ("contig",))
    if "weight" not in CE[name]:
        check([(2, 3, 3)], lambda x: TF.cross_entropy(x, ti(TARGET_K), **tk),
              lambda x: F.cross_entropy(x, gi(TARGET_K), **ok))


@pytest.mark.parametrize("kw", [{}, dict(label_smoothing=0.25), dict(reduction="sum"), dict(reduction="none")],
                         ids=str)
def test_cross_entropy_probabilities(kw):
    """Class probabilities as the target (torch's second form)."""
    check([(4, 5), (4, 5)], lambda x, p: TF.cross_entropy(x, p.softmax(1), **kw),
          lambda x, p: F.cross_entropy(x, p.softmax(1), **kw))


def test_cross_entropy_1d_input():
    check([(5,)], lambda x: TF.cross_entropy(x, ti(3)), lambda x: F.cross_entropy(x, gi(3)))


@pytest.mark.parametrize("name", ["plain", "sum", "none", "ignore", "weight", "weight_ignore", "weight_none"])
def test_nll_loss(name):
    tk, ok = _kw(CE[name], "torch"), _kw(CE[name], "ours")
    check([(4, 5)], lambda x: TF.nll_loss(x.log_softmax(1), ti(TARGET), **_typed(tk, x)),
          lambda x: F.nll_loss(x.log_softmax(1), gi(TARGET), **_typed(ok, x)))
    if "weight" not in CE[name]:
        check([(2, 3, 3)], lambda x: TF.nll_loss(x, ti(TARGET_K), **tk), lambda x: F.nll_loss(x, gi(TARGET_K), **ok))


REDUCTIONS = ("mean", "sum", "none")

PAIR_LOSSES = {
    "mse_loss": ({}, -2, 2),
    "l1_loss": ({}, -2, 2),
    "smooth_l1_loss": ({}, -2, 2),
    "smooth_l1_loss_beta": (dict(beta=0.5), -2, 2),
    "smooth_l1_loss_beta0": (dict(beta=0.0), -2, 2),
    "huber_loss": ({}, -2, 2),
    "huber_loss_delta": (dict(delta=0.3), -2, 2),
    "kl_div": ({}, [-3, 0.05], [0, 1]),
    "kl_div_log_target": (dict(log_target=True), [-3, -3], [0, 0]),
    "soft_margin_loss": ({}, -2, 2),
    "poisson_nll_loss": ({}, [-1, 0], [1, 3]),
    "gaussian_nll_loss": ({}, -2, 2),
    "binary_cross_entropy": ({}, [0.05, 0], [0.95, 1]),
    "binary_cross_entropy_with_logits": ({}, [-4, 0], [4, 1]),
    "multilabel_soft_margin_loss": ({}, [-2, 0], [2, 1]),
}


@pytest.mark.parametrize("name", sorted(PAIR_LOSSES))
def test_pair_losses(name):
    """Both inputs require grad (torch differentiates these losses in the target too); every reduction."""
    for reduction in REDUCTIONS:
        _pair_loss(name, reduction)


def _pair_loss(name: str, reduction: str) -> None:
    kw, low, high = PAIR_LOSSES[name]
    fn = name.split("_beta")[0].split("_delta")[0].split("_log_target")[0]
    kw = dict(kw, reduction=reduction)
    if fn == "gaussian_nll_loss":
        check([(4, 3), (4, 3), (4, 3)], lambda x, y, v: TF.gaussian_nll_loss(x, y, v.abs() + 0.5, **kw),
              lambda x, y, v: F.gaussian_nll_loss(x, y, v.abs() + 0.5, **kw))
        return
    if fn == "soft_margin_loss":  # torch refuses a target that requires grad here
        check([(4, 3), (4, 3)], lambda x, y: TF.soft_margin_loss(x, y.detach().sign(), **kw),
              lambda x, y: F.soft_margin_loss(x, y.detach().sign(), **kw))
        return
    check([(4, 3), (4, 3)], lambda x, y: getattr(TF, fn)(x, y, **kw), lambda x, y: getattr(F, fn)(x, y, **kw),
          low=low, high=high, layouts=("contig", "T"))


@pytest.mark.parametrize("kw", [dict(full=True), dict(log_input=False), dict(log_input=False, full=True)], ids=str)
def test_poisson_nll_options(kw):
    """Rates and counts on both sides of 1 (Stirling's term is left out where the target is <= 1)."""
    check([(4, 3), (4, 3)], lambda x, y: TF.poisson_nll_loss(x, y, **kw), lambda x, y: F.poisson_nll_loss(x, y, **kw),
          low=[0.2, 0.1], high=[2.0, 4.0])


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)], ids=str)
def test_gaussian_nll_var_shapes(var_shape):
    check([(4, 3), (4, 3), var_shape], lambda x, y, v: TF.gaussian_nll_loss(x, y, v.abs() + 0.1, full=True),
          lambda x, y, v: F.gaussian_nll_loss(x, y, v.abs() + 0.1, full=True))


def test_targets_as_data():
    """A target that does not require grad (or any target under no_grad) takes the fast paths: same values."""
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0, 1, (4, 3))
    for fn in ("mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
               "huber_loss", "smooth_l1_loss", "poisson_nll_loss"):
        ours = getattr(F, fn)(Tensor(x, requires_grad=True), Tensor(y)).data
        with autograd.no_grad():
            quiet = getattr(F, fn)(Tensor(x), Tensor(y, requires_grad=True)).data
        want = getattr(TF, fn)(torch.tensor(x), torch.tensor(y)).numpy()
        np.testing.assert_allclose(ours, want, rtol=1e-12, err_msg=fn)
        np.testing.assert_allclose(quiet, want, rtol=1e-12, err_msg=fn)


def test_cross_entropy_probability_target_grad_extra_dims():
    """Probability targets on (N, C, d) scores with weight and smoothing: the target's gradient too."""
    w = np.array([0.5, 2.0, 1.0])
    for kw in (dict(), dict(label_smoothing=0.2), dict(reduction="none"), dict(reduction="sum", label_smoothing=0.1)):
        check([(2, 3, 4), (2, 3, 4)], lambda x, p, kw=kw: TF.cross_entropy(x, p.softmax(1), **kw),
              lambda x, p, kw=kw: F.cross_entropy(x, p.softmax(1), **kw))
        check([(2, 3, 4), (2, 3, 4)],
              lambda x, p, kw=kw: TF.cross_entropy(x, p.softmax(1), weight=torch.tensor(w, dtype=x.dtype), **kw),
              lambda x, p, kw=kw: F.cross_entropy(x, p.softmax(1), weight=Tensor(w, dtype=x.dtype), **kw))
    check([(5,), (5,)], lambda x, p: TF.cross_entropy(x, p.softmax(0)),
          lambda x, p: F.cross_entropy(x, p.softmax(0)))


def test_kl_div_batchmean():
    check([(4, 3), (4, 3)], lambda x, y: TF.kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"),
          lambda x, y: F.kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"))


def test_mse_broadcast_target():
    """A target that broadcasts: torch warns and broadcasts; so do we (values and gradients)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check([(4, 3), (3,)], lambda x, y: TF.mse_loss(x, y), lambda x, y: F.mse_loss(x, y))


BCE_KW = {
    "weight": lambda lib, d: dict(weight=_const(lib, np.array([0.5, 1.0, 2.0]), d)),
    "pos_weight": lambda lib, d: dict(pos_weight=_const(lib, np.array([3.0, 1.0, 0.5]), d)),
    "both_sum": lambda lib, d: dict(weight=_const(lib, np.array([[2.0], [1.0], [0.5], [1.0]]), d),
                                    pos_weight=_const(lib, np.array([3.0, 1.0, 0.5]), d), reduction="sum"),
}


def _const(lib: str, a: np.ndarray, dtype) -> Any:
    a = a.astype(dtype)
    return torch.tensor(a) if lib == "torch" else Tensor(a)


@pytest.mark.parametrize("name", sorted(BCE_KW))
def test_bce_weights(name):
    def dt(x):
        return np.float64 if x.dtype in (torch.float64, np.float64) else np.float32

    check([(4, 3), (4, 3)], lambda x, y: TF.binary_cross_entropy_with_logits(x, y, **BCE_KW[name]("torch", dt(x))),
          lambda x, y: F.binary_cross_entropy_with_logits(x, y, **BCE_KW[name]("ours", dt(x))),
          low=[-4, 0], high=[4, 1])
    if name == "weight":
        check([(4, 3), (4, 3)], lambda x, y: TF.binary_cross_entropy(x, y, **BCE_KW[name]("torch", dt(x))),
              lambda x, y: F.binary_cross_entropy(x, y, **BCE_KW[name]("ours", dt(x))),
              low=[0.05, 0], high=[0.95, 1])


def test_bce_saturated():
    """Probabilities of exactly 0 and 1: torch clamps the log at -100."""
    p, y = np.array([0.0, 1.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0, 0.0])
    check(None, lambda a, b: TF.binary_cross_entropy(a, b), lambda a, b: F.binary_cross_entropy(a, b),
          vals=[p, y], grad=False)


COSINE = {
    "dim1": ([(4, 3), (4, 3)], {}),
    "dim0": ([(4, 3), (4, 3)], dict(dim=0)),
    "broadcast": ([(4, 3), (3,)], dict(dim=-1)),
    "3d": ([(2, 4, 3), (2, 4, 3)], dict(dim=1, eps=1e-6)),
}


@pytest.mark.parametrize("name", sorted(COSINE))
def test_cosine_similarity(name):
    shapes, kw = COSINE[name]
    check(shapes, lambda a, b: TF.cosine_similarity(a, b, **kw), lambda a, b: F.cosine_similarity(a, b, **kw),
          layouts=("contig", "T"))


def test_pairwise_and_margin_losses():
    check([(4, 3), (4, 3)], lambda a, b: TF.pairwise_distance(a, b), lambda a, b: F.pairwise_distance(a, b))
    y = np.array([1.0, -1.0, 1.0, -1.0])
    check([(4,), (4,)], lambda a, b: TF.margin_ranking_loss(a, b, ti(y), margin=0.2),
          lambda a, b: F.margin_ranking_loss(a, b, gi(y), margin=0.2), dtypes=(np.float64,))
    check([(4, 3), (4, 3)], lambda a, b: TF.cosine_embedding_loss(a, b, ti(y)),
          lambda a, b: F.cosine_embedding_loss(a, b, gi(y)), dtypes=(np.float64,))
    check([(4, 3), (4, 3), (4, 3)], lambda a, p, n: TF.triplet_margin_loss(a, p, n),
          lambda a, p, n: F.triplet_margin_loss(a, p, n))
    check([(4, 5)], lambda x: TF.multi_margin_loss(x, ti(TARGET)), lambda x: F.multi_margin_loss(x, gi(TARGET)))


# ------------------------------------------------------------------ extreme values, infinities, NaN, empty tensors

EXTREME = np.array([-1e4, -800.0, -100.0, -30.0, -1e-8, 0.0, 1e-8, 30.0, 100.0, 800.0, 1e4])

EXTREME_OPS = {
    "sigmoid": (lambda x: x.sigmoid(), None),
    "tanh": (lambda x: x.tanh(), None),
    "exp": (lambda x: x.exp(), None),
    "softplus": (lambda x: TF.softplus(x), lambda x: F.softplus(x)),
    "logsigmoid": (lambda x: TF.logsigmoid(x), lambda x: F.logsigmoid(x)),
    "silu": (lambda x: TF.silu(x), lambda x: F.silu(x)),
    "gelu": (lambda x: TF.gelu(x), lambda x: F.gelu(x)),
    "gelu_tanh": (lambda x: TF.gelu(x, approximate="tanh"), lambda x: F.gelu(x, approximate="tanh")),
    "mish": (lambda x: TF.mish(x), lambda x: F.mish(x)),
    "elu": (lambda x: TF.elu(x), lambda x: F.elu(x)),
    "selu": (lambda x: TF.selu(x), lambda x: F.selu(x)),
    "celu": (lambda x: TF.celu(x, 0.5), lambda x: F.celu(x, 0.5)),
    "softsign": (lambda x: TF.softsign(x), lambda x: F.softsign(x)),
    "erf": (lambda x: x.erf(), None),
    "atan": (lambda x: x.atan(), None),
    "softmax": (lambda x: x.softmax(0), None),
    "log_softmax": (lambda x: x.log_softmax(0), None),
    "logsumexp": (lambda x: x.logsumexp(0), None),
    "sinh": (lambda x: (x * 0.1).sinh(), None),
    "cosh": (lambda x: (x * 0.1).cosh(), None),
    "expm1": (lambda x: x.expm1(), None),
    "hardswish": (lambda x: TF.hardswish(x), lambda x: F.hardswish(x)),
    "bce_logits": (lambda x: TF.binary_cross_entropy_with_logits(x, (x > 0).to(x.dtype)),
                   lambda x: F.binary_cross_entropy_with_logits(x, (x > 0).astype(x.dtype))),
    "cross_entropy": (lambda x: TF.cross_entropy(x.reshape(1, -1), ti([3])),
                      lambda x: F.cross_entropy(x.reshape(1, -1), gi([3]))),
}


@pytest.mark.parametrize("name", sorted(EXTREME_OPS))
def test_extreme_inputs(name):
    """Far out on both sides (overflowing exp in float32 and float64): torch's values and gradients, inf and NaN
    where torch gives them."""
    torch_fn, ours = EXTREME_OPS[name]
    check(None, torch_fn, ours, vals=[EXTREME], tol={np.float32: dict(atol=1e-5, rtol=1e-4)})


SPECIAL = np.array([-np.inf, -2.0, -0.0, 0.0, 1.5, np.inf, np.nan])

SPECIAL_OPS = {
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "sign": lambda x: x.sign(),
    "floor": lambda x: x.floor(),
    "clamp": lambda x: x.clamp(-1.0, 1.0),
    "isnan": lambda x: x.isnan(),
    "isinf": lambda x: x.isinf(),
    "isfinite": lambda x: x.isfinite(),
    "nan_to_num": lambda x: x.nan_to_num(),
    "nan_to_num_args": lambda x: x.nan_to_num(nan=0.5, posinf=9.0, neginf=-9.0),
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "amax": lambda x: x.amax(0),
    "argmax": lambda x: x.argmax(),
    "argmin": lambda x: x.argmin(),
    "sum": lambda x: x.sum(),
    "cumsum": lambda x: x.cumsum(0),
    "sort": lambda x: x.sort().values,
    "maximum_self": lambda x: x.flip(0).maximum(x) if isinstance(x, torch.Tensor) else autograd.maximum(x.flip(0), x),
    "fmax": lambda x: torch.fmax(x, x.flip(0)) if isinstance(x, torch.Tensor) else autograd.fmax(x, x.flip(0)),
    "eq": lambda x: x == x,
    "gt": lambda x: x > 0,
    "where": lambda x: torch.where(x > 0, x, 0.0) if isinstance(x, torch.Tensor) else autograd.where(x > 0, x, 0.0),
    "nansum": lambda x: x.nansum(),
    "nanmean": lambda x: x.nanmean(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "reciprocal": lambda x: x.reciprocal(),
    "softmax": lambda x: x.softmax(0),
}


@pytest.mark.parametrize("name", sorted(SPECIAL_OPS))
def test_special_values(name):
    """±inf, ±0 and NaN go through as torch sends them (values; gradients where torch's are defined)."""
    nan_grad_differs = name in ("abs", "relu")  # see test_documented_differences
    check(None, SPECIAL_OPS[name], vals=[SPECIAL],
          grad=name not in ("max", "min", "amax", "sort", "maximum_self") and not nan_grad_differs)
    if nan_grad_differs:
        check(None, SPECIAL_OPS[name], vals=[SPECIAL[:-1]])


def test_softmax_masked_rows():
    """A row of -inf but one entry (attention masks); a row entirely -inf is NaN in torch."""
    x = np.array([[0.5, -np.inf, -np.inf], [1.0, 2.0, -np.inf]])
    check(None, lambda t: t.softmax(-1), vals=[x])
    check(None, lambda t: t.log_softmax(-1), vals=[x], grad=False)
    check(None, lambda t: t.logsumexp(-1), vals=[x])
    check(None, lambda t: t.logsumexp(-1), vals=[np.full((2, 3), -np.inf)], grad=False)


EMPTY = {
    "sum": (lambda x: x.sum(), (0, 3)),
    "sum_dim": (lambda x: x.sum(0), (0, 3)),
    "sum_dim1": (lambda x: x.sum(1), (0, 3)),
    "mean_dim1": (lambda x: x.mean(1), (0, 3)),
    "prod": (lambda x: x.prod(), (0,)),
    "amax_dim1": (lambda x: x.amax(1), (0, 3)),
    "cumsum": (lambda x: x.cumsum(0), (0, 3)),
    "exp": (lambda x: x.exp(), (2, 0)),
    "reshape": (lambda x: x.reshape(3, 2, 0), (2, 0, 3)),
    "max_dim1": (lambda x: x.max(1), (0, 3)),
    "argmax_dim1": (lambda x: x.argmax(1), (0, 3)),
    "amin_fn": (lambda x: torch.amin(x, 1) if isinstance(x, torch.Tensor) else autograd.amin(x, 1), (0, 3)),
    "max_axis_numpy": (lambda x: x.amax(-1) if isinstance(x, torch.Tensor) else x.max(axis=-1), (0, 3)),
    "cat": (lambda x: torch.cat([x, x], 1) if isinstance(x, torch.Tensor) else autograd.cat([x, x], 1), (2, 0)),
    "matmul": (lambda x: x @ x.T, (2, 0)),
    "softmax": (lambda x: x.softmax(1), (0, 3)),
    "slice": (lambda x: x[5:], (3, 2)),
    "flip": (lambda x: x.flip(0), (0, 2)),
    "transpose": (lambda x: x.T, (0, 2)),
    "logsumexp": (lambda x: x.logsumexp(1), (0, 3)),
}


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty(name):
    """Tensors with a zero-length axis: torch's shapes and values (sum of nothing 0, prod 1, logsumexp -inf)."""
    fn, shape = EMPTY[name]
    check([shape], fn)


def test_var_std_one_element():
    """var/std of one element with correction=0 are 0 (with the default correction: test_documented_differences)."""
    check([(3, 1)], lambda x: x.std(1, correction=0), grad=False)
    check([(3, 1)], lambda x: x.var(1, correction=0))
    check([(3, 1)], lambda x: x.var(1, unbiased=False))


# ------------------------------------------------------------------ documented differences from torch

def test_documented_differences():
    """Where gradwork keeps its own documented behaviour (README "Ported op suites"), pinned here."""
    # float64 by default where torch picks float32; .data is the numpy array
    assert autograd.tensor([1.0, 2.0]).dtype == np.float64 and torch.tensor([1.0, 2.0]).dtype == torch.float32
    assert autograd.ones(2).dtype == np.float64 and autograd.randn(2).dtype == np.float64
    assert type(Tensor([1.0]).data) is np.ndarray
    # a float32 tensor and a float64 0-d tensor: float32 through the operators, numpy's float64 through functions
    x32, s64 = Tensor(np.ones(2, np.float32)), Tensor(np.array(2.0))
    assert (x32 * s64).dtype == np.float32 and autograd.maximum(x32, s64).dtype == np.float64
    # variance without degrees of freedom is an error (torch: NaN and a warning)
    with pytest.raises(ValueError, match="no degrees of freedom"):
        Tensor(np.ones((3, 1))).var(1)
    # reducing over an empty axis is an error (torch: -inf for logsumexp; it refuses amax as we do)
    with pytest.raises(ValueError, match="empty"):
        Tensor(np.ones((0, 3))).logsumexp(0)
    with pytest.raises(ValueError, match="empty"):
        Tensor(np.ones((0, 3))).amax(0)
    # numbers with lo > hi: clip refuses (torch's clamp(min > max) gives max; gradwork's clamp does too)
    with pytest.raises(ValueError, match="greater than"):
        Tensor([1.0]).clip(2.0, 1.0)
    np.testing.assert_array_equal(Tensor([0.0, 3.0]).clamp(2.0, 1.0).data, [1.0, 1.0])
    # at NaN, relu's gradient is 0 and abs's is NaN (torch passes relu's through and gives abs 0)
    x = Tensor(np.array([np.nan, 1.0]), requires_grad=True)
    (x.relu() + x.abs()).sum().backward()
    assert x.grad.data[0] != x.grad.data[0] and x.grad.data[1] == 2.0
    # soft_margin_loss: torch refuses a target that requires grad; gradwork takes it as data
    y = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    F.soft_margin_loss(Tensor(np.array([0.3, 0.2]), requires_grad=True), y).backward()
    assert y.grad is None


INT_OPS = {
    "add": lambda a, b: a + b, "sub_number": lambda a, b: a - 3, "mul": lambda a, b: a * b, "neg": lambda a, b: -a,
    "floordiv": lambda a, b: a // b, "mod": lambda a, b: a % b, "pow": lambda a, b: a ** 2, "abs": lambda a, b: a.abs(),
    "sum": lambda a, b: a.sum(), "sum_dim": lambda a, b: a.sum(0), "prod": lambda a, b: a.prod(1),
    "max": lambda a, b: a.max(), "max_dim": lambda a, b: a.max(1), "amin": lambda a, b: a.amin(0),
    "argmax": lambda a, b: a.argmax(1), "cumsum": lambda a, b: a.cumsum(1), "clamp": lambda a, b: a.clamp(-1, 2),
    "clamp_min": lambda a, b: a.clamp(min=0), "maximum": lambda a, b: a.maximum(b), "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b, "sign": lambda a, b: a.sign(), "where": lambda a, b: a.where(a > 0, b),
    "bool_sum": lambda a, b: (a > 0).sum(1), "bool_and": lambda a, b: (a > 0) & (b > 0),
    "reshape": lambda a, b: a.reshape(-1), "T": lambda a, b: a.T, "flip": lambda a, b: a.flip(0),
    "cat": lambda a, b: torch.cat([a, b]) if isinstance(a, torch.Tensor) else autograd.cat([a, b]),
    "index": lambda a, b: a[1:, ::2], "gather": lambda a, b: a.gather(1, b.abs() % 3),
    "bitwise_and": lambda a, b: a & b, "bitwise_xor": lambda a, b: a ^ b, "bitwise_not": lambda a, b: ~a,
    "int_long": lambda a, b: a.long(), "to_float": lambda a, b: a.float(), "to_double": lambda a, b: a.double(),
    "bool_float": lambda a, b: (a > 0).float(), "sort": lambda a, b: a.sort(1).values,
    "remainder_neg": lambda a, b: a.remainder(-3), "fmod_neg": lambda a, b: a.fmod(-3),
}


@pytest.mark.parametrize("name", sorted(INT_OPS))
def test_integer_tensors(name):
    """int64 and bool tensors: torch's values and dtypes (integers stay integers)."""
    a = np.array([[3, -1, 0], [-4, 2, 5]])
    b = np.array([[1, 2, -3], [2, -2, 1]])
    t = _flat(INT_OPS[name](ti(a), ti(b)))
    o = _flat(INT_OPS[name](gi(a), gi(b)))
    for tv, ov in zip(t, o):
        assert ov.data.dtype == _torch_np_dtype(tv), f"{name}: {ov.data.dtype}, torch {tv.dtype}"
        np.testing.assert_array_equal(ov.data, tv.numpy())


def test_creation_dtypes():
    """Creation functions infer torch's dtype from integer and bool data; floats are float64 (documented)."""
    for ours, theirs in ((autograd.full((2,), 3), torch.full((2,), 3)),
                         (autograd.full((2,), True), torch.full((2,), True)),
                         (autograd.arange(4), torch.arange(4)), (autograd.tensor([1, 2]), torch.tensor([1, 2])),
                         (autograd.zeros_like(autograd.tensor([1])), torch.zeros_like(torch.tensor([1]))),
                         (autograd.full((2,), 3, dtype=autograd.float32), torch.full((2,), 3, dtype=torch.float32))):
        assert ours.dtype == _torch_np_dtype(theirs)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert autograd.full((2,), 1.5).dtype == np.float64  # torch: float32 (the default dtype)


# ------------------------------------------------------------------ more of what ported suites call

MISC = {
    "conv2d_positional": ([(1, 2, 5, 5), (3, 2, 3, 3), (3,)], lambda x, w, b: TF.conv2d(x, w, b, 2, 1),
                          lambda x, w, b: F.conv2d(x, w, b, 2, 1)),
    "conv1d_positional": ([(1, 2, 7), (4, 1, 3), (4,)], lambda x, w, b: TF.conv1d(x, w, b, 1, 2, 2, 2),
                          lambda x, w, b: F.conv1d(x, w, b, 1, 2, 2, 2)),
    "max_pool2d_tuple_kernel": ([(1, 2, 6, 6)], lambda x: TF.max_pool2d(x, (2, 3)), lambda x: F.max_pool2d(x, (2, 3))),
    "avg_pool2d_positional": ([(1, 2, 5, 5)], lambda x: TF.avg_pool2d(x, 2, 2, 1, True, False),
                              lambda x: F.avg_pool2d(x, 2, 2, 1, True, False)),
    "interpolate_half": ([(1, 2, 6, 4)], lambda x: TF.interpolate(x, scale_factor=0.5),
                         lambda x: F.interpolate(x, scale_factor=0.5)),
    "softmax_dtype": ([(3, 4)], lambda x: TF.softmax(x, -1, dtype=torch.float64),
                      lambda x: F.softmax(x, -1, dtype=autograd.float64)),
    "log_softmax_dtype": ([(3, 4)], lambda x: x.log_softmax(-1, dtype=torch.float64),
                          lambda x: x.log_softmax(-1, dtype=autograd.float64)),
    "sum_dtype": ([(3, 4)], lambda x: x.sum(1, dtype=torch.float64), lambda x: x.sum(1, dtype=autograd.float64)),
    "sdpa": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], lambda q, k, v: TF.scaled_dot_product_attention(q, k, v),
             lambda q, k, v: F.scaled_dot_product_attention(q, k, v)),
    "sdpa_causal": ([(2, 2, 4, 3), (2, 2, 4, 3), (2, 2, 4, 3)],
                    lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True),
                    lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True)),
    "sdpa_bool_mask": ([(1, 3, 4), (1, 5, 4), (1, 5, 4)],
                       lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, attn_mask=ti(np.tril(np.ones((3, 5),
                                                                                                     bool)))),
                       lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=gi(np.tril(np.ones((3, 5),
                                                                                                    bool))))),
    "sdpa_float_mask_scale": ([(1, 3, 4), (1, 5, 4), (1, 5, 4), (3, 5)],
                              lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.3),
                              lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.3)),
    "sort": ([(3, 5)], lambda x: x.sort(1), None),
    "sort_descending": ([(3, 5)], lambda x: x.sort(dim=0, descending=True), None),
    "argsort": ([(3, 5)], lambda x: x.argsort(1), None),
    "argsort_desc": ([(3, 5)], lambda x: torch.argsort(x, dim=-1, descending=True),
                     lambda x: autograd.argsort(x, dim=-1, descending=True)),
    "topk": ([(3, 5)], lambda x: x.topk(2), None),
    "topk_smallest": ([(3, 5)], lambda x: x.topk(3, dim=0, largest=False), None),
    "topk_fn": ([(3, 5)], lambda x: torch.topk(x, 2, 1, True, True), lambda x: autograd.topk(x, 2, 1, True, True)),
    "kthvalue": ([(3, 5)], lambda x: x.kthvalue(2, 1), None),
    "fold_unfold": ([(1, 2, 4, 5)], lambda x: TF.fold(TF.unfold(x, 2, padding=1), (4, 5), 2, padding=1),
                    lambda x: F.fold(F.unfold(x, 2, padding=1), (4, 5), 2, padding=1)),
    "unfold_stride": ([(2, 2, 5, 5)], lambda x: TF.unfold(x, (2, 3), stride=2, dilation=1),
                      lambda x: F.unfold(x, (2, 3), stride=2, dilation=1)),
    "pixel_shuffle": ([(1, 8, 2, 3)], lambda x: TF.pixel_shuffle(x, 2), lambda x: F.pixel_shuffle(x, 2)),
    "pixel_unshuffle": ([(1, 2, 4, 6)], lambda x: TF.pixel_unshuffle(x, 2), lambda x: F.pixel_unshuffle(x, 2)),
    "inplace_chain": ([(3, 4)], lambda x: x.clone().mul_(2).add_(1).clamp_(-1, 2).sigmoid_(), None),
    "inplace_setitem": ([(3, 4), (4,)], lambda x, y: _setitem(x, y), None),
    "inplace_masked_fill": ([(3, 4)], lambda x: x.clone().masked_fill_(x > 0, 0.0), None),
    "inplace_index_add": ([(4, 3), (2, 3)], lambda x, s: x.clone().index_add_(0, ti([0, 0]), s),
                          lambda x, s: x.clone().index_add_(0, gi([0, 0]), s)),
    "inplace_scatter": ([(3, 4), (3, 3)], lambda x, s: x.clone().scatter_(1, ti(SCAT), s),
                        lambda x, s: x.clone().scatter_(1, gi(SCAT), s)),
    "iadd_view": ([(3, 4), (4,)], lambda x, y: _iadd_row(x, y), None),
    "repeat_interleave_tensor": ([(3, 2)], lambda x: x.repeat_interleave(ti([1, 0, 2]), dim=0),
                                 lambda x: x.repeat_interleave(gi([1, 0, 2]), dim=0)),
    "type_as": ([(3, 4), (4,)], lambda x, y: x.type_as(y) * y, None),
    "new_zeros_add": ([(3, 4)], lambda x: x + x.new_zeros((3, 4)) + x.new_ones(4) * 2, None),
    "inv": ([(3, 3)], lambda x: torch.linalg.inv(x + 3 * torch.eye(3, dtype=x.dtype)),
            lambda x: autograd.linalg.inv(x + 3 * autograd.eye(3, dtype=x.dtype))),
    "det": ([(3, 3)], lambda x: torch.linalg.det(x), lambda x: autograd.linalg.det(x)),
    "solve": ([(3, 3), (3, 2)], lambda a, b: torch.linalg.solve(a + 3 * torch.eye(3, dtype=a.dtype), b),
              lambda a, b: autograd.linalg.solve(a + 3 * autograd.eye(3, dtype=a.dtype), b)),
    "vector_norm": ([(3, 4)], lambda x: torch.linalg.vector_norm(x, 3, dim=1),
                    lambda x: autograd.linalg.vector_norm(x, 3, dim=1)),
    "matrix_norm": ([(2, 3, 4)], lambda x: torch.linalg.matrix_norm(x), lambda x: autograd.linalg.matrix_norm(x)),
    "cdist": ([(3, 4), (5, 4)], lambda a, b: torch.cdist(a, b), lambda a, b: autograd.cdist(a, b)),
    "std_fn_positional": ([(3, 4)], lambda x: torch.std(x, 1, True, True), lambda x: autograd.std(x, 1, True, True)),
    "var_fn_unbiased_false": ([(3, 4)], lambda x: torch.var(x, 0, unbiased=False),
                              lambda x: autograd.var(x, 0, unbiased=False)),
    "max_binary_fn": ([(3, 4), (4,)], lambda a, b: torch.max(a, b), lambda a, b: autograd.max(a, b)),
    "min_dim_fn": ([(3, 4)], lambda x: torch.min(x, 1), lambda x: autograd.min(x, 1)),
    "mean_fn_keepdim": ([(3, 4)], lambda x: torch.mean(x, -1, True), lambda x: autograd.mean(x, -1, True)),
    "sum_fn_tuple": ([(2, 3, 4)], lambda x: torch.sum(x, (0, 2)), lambda x: autograd.sum(x, (0, 2))),
    "prod_fn": ([(3, 4)], lambda x: torch.prod(x, 1), lambda x: autograd.prod(x, 1)),
    "square_fn": ([(3, 4)], lambda x: torch.square(x), lambda x: autograd.square(x)),
    "transpose_fn": ([(2, 3, 4)], lambda x: torch.transpose(x, 0, -1), lambda x: autograd.transpose(x, 0, -1)),
    "permute_fn": ([(2, 3, 4)], lambda x: torch.permute(x, (2, 0, 1)), lambda x: autograd.permute(x, (2, 0, 1))),
    "squeeze_fn": ([(3, 1, 4)], lambda x: torch.squeeze(x, 1), lambda x: autograd.squeeze(x, 1)),
    "unsqueeze_fn": ([(3, 4)], lambda x: torch.unsqueeze(x, -1), lambda x: autograd.unsqueeze(x, -1)),
    "where_fn_scalar_both": ([(3, 4)], lambda x: x * torch.where(x > 0, 1.0, -1.0).to(x.dtype),
                             lambda x: x * autograd.where(x > 0, 1.0, -1.0).astype(x.dtype)),
    "softplus_fn": ([(3, 4)], lambda x: TF.softplus(x, 2, 1), lambda x: F.softplus(x, 2, 1)),
    "leaky_positional": ([(3, 4)], lambda x: TF.leaky_relu(x, 0.2, False), lambda x: F.leaky_relu(x, 0.2, False)),
    "elu_inplace_false": ([(3, 4)], lambda x: TF.elu(x, 1.0, False), lambda x: F.elu(x, 1.0, False)),
    "dropout_inplace_p0": ([(3, 4)], lambda x: TF.dropout(x * 1, 0.0, True, True),
                           lambda x: F.dropout(x * 1, 0.0, True, True)),
}


def _setitem(x, y):
    z = x.clone()
    z[1] = y
    z[:, 0] = 0.0
    return z * x


def _iadd_row(x, y):
    z = x * 1
    z[0] += y
    z[1:, 2:] *= 2
    return z


@pytest.mark.parametrize("name", sorted(MISC))
def test_misc(name):
    shapes, torch_fn, ours = MISC[name]
    check(shapes, torch_fn, ours)


INPLACE_ACTS = {
    "relu": (), "relu6": (), "leaky_relu": (0.2,), "elu": (0.7,), "selu": (), "celu": (1.5,), "silu": (),
    "mish": (), "hardtanh": (-0.5, 0.8), "hardswish": (), "hardsigmoid": (),
}


@pytest.mark.parametrize("name", sorted(INPLACE_ACTS))
def test_activation_inplace_argument(name):
    """torch's inplace=True: the result is written into the input (which is returned), gradients as out of place."""
    args = INPLACE_ACTS[name]

    def run(lib, x):
        y = x * 1.5
        out = getattr(lib, name)(y, *args, inplace=True)
        assert out is y
        return y * x

    check([(3, 4)], lambda x: run(TF, x), lambda x: run(F, x), low=-5, high=8)
    check([(3, 4)], lambda x: getattr(TF, name)(x, *args, inplace=False), lambda x: getattr(F, name)(x, *args, False),
          low=-5, high=8)
    leaf = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(leaf, *args, inplace=True)


TWINS = {  # x.<name>_(*args): (args, low, high)
    "abs": ((), -2, 2), "neg": ((), -2, 2), "exp": ((), -2, 2), "exp2": ((), -2, 2), "expm1": ((), -2, 2),
    "log": ((), 0.2, 2), "log2": ((), 0.2, 2), "log10": ((), 0.2, 2), "log1p": ((), -0.5, 2), "sqrt": ((), 0.2, 2),
    "rsqrt": ((), 0.2, 2), "sin": ((), -2, 2), "cos": ((), -2, 2), "tan": ((), -1, 1), "asin": ((), -0.6, 0.6),
    "acos": ((), -0.6, 0.6), "atan": ((), -2, 2), "sinh": ((), -2, 2), "cosh": ((), -2, 2), "tanh": ((), -2, 2),
    "asinh": ((), -2, 2), "acosh": ((), 0.8, 2), "atanh": ((), -0.6, 0.6), "sigmoid": ((), -2, 2),
    "relu": ((), -2, 2), "square": ((), -2, 2), "reciprocal": ((), 0.5, 2), "erf": ((), -2, 2),
    "erfc": ((), -2, 2), "erfinv": ((), -0.6, 0.6), "lgamma": ((), 0.5, 3), "digamma": ((), 0.5, 3),
    "sinc": ((), -2, 2), "logit": ((), 0.1, 0.6), "deg2rad": ((), -2, 2), "frac": ((), -2, 2),
    "pow": ((3,), -2, 2), "clamp": ((-0.5, 0.5), -2, 2), "clamp_min": ((0.1,), -2, 2), "mul": ((2.5,), -2, 2),
    "add": ((1.5,), -2, 2), "div": ((-3.0,), -2, 2), "sub": ((0.5,), -2, 2), "xlogy": ((1.7,), -2, 2),
    "hypot": ((torch.tensor(0.5),), -2, 2), "atan2": ((torch.tensor(0.5),), -2, 2),
    "lerp": ((torch.tensor(0.0), 0.25), -2, 2),
    "float_power": ((2,), 0.2, 2), "copysign": ((-1.0,), -2, 2), "nan_to_num": ((), -2, 2),
    "cumsum": ((1,), -2, 2), "cumprod": ((0,), -2, 2), "tril": ((), -2, 2), "triu": ((1,), -2, 2),
    "renorm": ((2, 0, 1.0), -2, 2), "mvlgamma": ((2,), 1.5, 3), "i0": ((), -2, 2), "polygamma": ((1,), 0.5, 3),
}


def _twin_args(args, like):
    return tuple(Tensor(a.numpy().astype(like.dtype)) if isinstance(a, torch.Tensor) and isinstance(like, Tensor)
                 else a.to(like.dtype) if isinstance(a, torch.Tensor) else a for a in args)


@pytest.mark.parametrize("name", sorted(TWINS))
def test_inplace_twins(name):
    """x.<op>_() on a non-leaf: the value written in place and the gradient through it, as torch's."""
    args, low, high = TWINS[name]
    grad = name not in ("acosh", "asinh", "atanh", "i0")  # torch has no derivative for these in-place forms
    dtypes = (np.float64,) if name == "float_power" else DTYPES  # torch's float_power_ wants float64

    def run(x):
        y = x * 1.0 + 0.0
        out = getattr(y, name + "_")(*_twin_args(args, x))
        assert out is y
        return y * x

    check([(3, 4)], run, low=low, high=high, grad=grad, dtypes=dtypes)
    if not grad:  # gradwork has them: against the out-of-place op
        check([(3, 4)], lambda x: getattr(x, name)(*args) * x, run, low=low, high=high)


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_loss_weight(fn):
    """torch's weight= (the input's shape, may require grad): mean = sum(w l) / sum(w) (huber: mean(w l))."""
    for reduction in REDUCTIONS:
        check([(4, 3), (4, 3), (4, 3)],
              lambda x, y, w, r=reduction: getattr(TF, fn)(x, y, reduction=r, weight=w.abs()),
              lambda x, y, w, r=reduction: getattr(F, fn)(x, y, reduction=r, weight=w.abs()))
    with pytest.raises(ValueError, match="weight of shape"):
        getattr(F, fn)(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3))), weight=Tensor(np.ones(3)))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "pow", "radd", "rsub", "rmul", "rtruediv", "rpow"])
def test_zero_dim_promotion(op):
    """float32 tensor with a float64 0-d tensor: torch's rule for the operators (the dimensioned dtype wins),
    each gradient in its input's dtype; two dimensioned tensors promote to float64."""
    fn = getattr(__import__("operator"), op[1:] if op.startswith("r") else op)
    rng = np.random.default_rng(7)
    for xs, ss in (((3,), ()), ((3,), (3,)), ((), ())):
        x, s = rng.uniform(0.5, 2, xs).astype(np.float32), rng.uniform(0.5, 2, ss)
        tx, ts = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
        ox, os_ = Tensor(x, requires_grad=True), Tensor(s, requires_grad=True)
        t = fn(ts, tx) if op.startswith("r") else fn(tx, ts)
        o = fn(os_, ox) if op.startswith("r") else fn(ox, os_)
        assert o.dtype == _torch_np_dtype(t), (xs, ss, o.dtype, t.dtype)
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-6)
        t.sum().backward()
        o.sum().backward()
        for a, b in ((ox, tx), (os_, ts)):
            assert a.grad.dtype == b.grad.numpy().dtype
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-5)


def test_functional_first_argument_is_torchs_input():
    """F.mse_loss(input=..., target=...) and the rest: torch's keyword for the first argument works."""
    import inspect

    torch = pytest.importorskip("torch")
    import nn.functional as F

    names = ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "celu", "selu", "silu", "mish", "hardtanh",
             "hardswish", "hardsigmoid", "relu6", "softsign", "softmax", "log_softmax", "softmin", "mse_loss",
             "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"]
    for name in names:
        assert list(inspect.signature(getattr(F, name)).parameters)[0] == "input", name
        assert list(inspect.signature(getattr(torch.nn.functional, name)).parameters)[0] == "input", name
    x = autograd.tensor(np.random.default_rng(0).random((4, 3)), requires_grad=True)
    loss = F.mse_loss(input=x, target=np.zeros((4, 3))) + F.cross_entropy(input=x, target=np.array([0, 1, 2, 0]))
    loss = loss + F.relu(input=x).sum() + F.softmax(input=x, dim=1).sum()
    loss.backward()
    assert x.grad.shape == (4, 3)
