"""An op suite in the spirit of tinygrad's test/test_ops.py, with PyTorch as the oracle.

Every case runs one op in torch and in gradwork on the same random inputs, in float64 and float32,
and compares the forward values (and their dtype), then the gradient of every input after a
backward with a random upstream gradient. Where it applies, the inputs are also given as
non-contiguous views (a transposed leaf, a leaf sliced with a step). Both backends (conftest).

By default the same lambda runs on both libraries (gradwork mirrors torch's method names);
``ours=`` gives gradwork's spelling where the namespaces differ (``torch.x`` / ``autograd.x``,
``torch.nn.functional.x`` / ``nn.functional.x``).

Documented design differences the suite holds to (see README.md):
- gradwork's default float dtype is float64 (torch's is float32): every input here is made
  with an explicit dtype, so both libraries see the same one.
- ``.data`` is a numpy array: values are read with ``.data`` on gradwork's side.
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
    with a random upstream gradient through every float result. ``layouts`` adds non-contiguous runs.
    """
    ours = torch_fn if ours is None else ours
    for dtype in dtypes:
        tl = dict(TOL[dtype])
        if tol is not None and dtype in tol:
            tl.update(tol[dtype])
        for layout in layouts:
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
            where = f"({np.dtype(dtype).name}, {layout})"
            assert len(t_out) == len(o_out), f"{where}: {len(o_out)} results, torch gives {len(t_out)}"
            for k, (t, o) in enumerate(zip(t_out, o_out)):
                assert isinstance(o, Tensor) == isinstance(t, torch.Tensor), f"{where} result {k}: {type(o)}"
                tv, ov = _np(t), _np(o)
                assert ov.shape == tv.shape, f"{where} result {k}: shape {ov.shape}, torch {tv.shape}"
                if check_dtype and isinstance(t, torch.Tensor):
                    assert ov.dtype == _torch_np_dtype(t), f"{where} result {k}: dtype {ov.dtype}, torch {t.dtype}"
                if tv.dtype.kind == "f":
                    np.testing.assert_allclose(ov, tv, equal_nan=True, err_msg=f"{where} result {k}", **tl)
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
                np.testing.assert_allclose(og, tg, equal_nan=True, err_msg=f"{where} grad {k}", **tl)


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


@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name, shapes):
    torch_fn, ours, low, high = BINARY[name]
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
    check([(2, 3, 4)], torch_fn, ours, layouts=ALL_LAYOUTS)


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
    check(shapes, torch_fn, ours, layouts=ALL_LAYOUTS)


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
