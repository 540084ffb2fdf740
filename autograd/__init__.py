"""gradwork's autodiff core: scalar ``Value``s and numpy-backed ``Tensor``s on one graph walk.

    >>> from autograd import Tensor, Value
    >>> a = Value(2.0); b = a * a + a; b.backward(); a.grad
    5.0
"""

from __future__ import annotations

import os as _os
import sys as _sys
from typing import Any

if "numpy" not in _sys.modules:  # OpenBLAS reads this once, when numpy loads: see autograd/backend.py
    _os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "20")


from . import gc_setting as _gc_setting  # noqa: F401  (full collections rarer: see gc_setting.py)
from . import malloc_setting as _malloc_setting  # noqa: F401  (glibc keeps freed memory: see malloc_setting.py)
from .anomaly import AnomalyError, detect_anomaly
from .backend import get_backend, set_backend
from .creation import (
    arange,
    default_rng,
    eye,
    full,
    full_like,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    zeros,
    zeros_like,
)
from .viz.draw import GraphvizNotFoundError, dot_source, draw_dot, draw_graph, draw_text, save_drawing
from .viz.network import draw_network, network_source
from .viz.animate import animate_backward
from .engine import enable_grad, gradients, is_grad_enabled, no_grad, set_grad_enabled, topological_order
from .engine import inference_mode
from .function import Context, Function
from .functional import grad, hessian, jacobian, value_and_grad
from .gradcheck import GradcheckError, gradcheck
from .ops.arith import maximum, minimum, where
from .ops.matmul import linear
from .serialization import CheckpointError, load, save
from .safetensors_io import load_safetensors, save_safetensors
from .compile import CompileError, compile
from .tensor import Tensor, as_tensor, concatenate, stack, tensor
from .tensor import as_tensor as _to_tensor  # the engine's conversion (public as_tensor is torch's, below)
from .torch_api import return_types
from .value import Value
from . import fusion as _fusion
from . import out_arg as _out_arg
from sys import getrefcount as _getrefcount

cat = concatenate

__version__ = "0.1.0"


def _unary(name: str):  # module-level spellings of the Tensor methods: autograd.exp(t) == t.exp()
    def fn(x, *args, **kwargs):
        return getattr(_to_tensor(x), name)(*args, **kwargs)

    if name in ("relu", "tanh", "sigmoid"):  # autograd.relu(x @ W + b): one node (autograd/fusion.py)
        def fn(x, *args, **kwargs):  # noqa: F811
            if type(x) is Tensor and x._op in _fusion.LAYERS and _getrefcount(x) <= _fusion.TEMP_ARG and not args \
                    and not kwargs:
                fused = _fusion.activation(x, name)
                if fused is not None:
                    return fused
            return getattr(_to_tensor(x), name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"``{name}`` of a Tensor (or array), recorded for backward."
    return fn


exp = _unary("exp")
log = _unary("log")
sqrt = _unary("sqrt")
tanh = _unary("tanh")
sigmoid = _unary("sigmoid")
relu = _unary("relu")
leaky_relu = _unary("leaky_relu")
elu = _unary("elu")
softplus = _unary("softplus")
log_sigmoid = _unary("log_sigmoid")
sin = _unary("sin")
cos = _unary("cos")
erf = _unary("erf")
silu = _unary("silu")
gelu = _unary("gelu")
softmax = _unary("softmax")
log_softmax = _unary("log_softmax")
logsumexp = _unary("logsumexp")
_matmul = _unary("matmul")


def matmul(input: Any, other: Any, *, out: Any = None) -> Tensor:  # noqa: A002  (torch's argument name)
    """``input @ other``, recorded for backward (``out=``: written into that Tensor, as torch, not recorded)."""
    if out is not None:
        return _out_arg.write_out(out, "matmul", (input, other), lambda: _matmul(input, other))
    return _matmul(input, other)


clip = _unary("clip")
# torch's function spellings of Tensor methods (autograd.add(a, b, alpha=2) == a.add(b, alpha=2))
clamp = _unary("clamp")
neg = _unary("neg")
abs = _unary("abs")  # noqa: A001
sum = _unary("sum")  # noqa: A001
mean = _unary("mean")
var = _unary("var")
std = _unary("std")
argmax = _unary("argmax")
argmin = _unary("argmin")
squeeze = _unary("squeeze")
unsqueeze = _unary("unsqueeze")
flatten = _unary("flatten")
transpose = _unary("transpose")
permute = _unary("permute")
reshape = _unary("reshape")
numel = _unary("numel")
t = _unary("t")


def _binary(name: str):  # autograd.add(a, b): either side may be a number or an array
    def fn(input: Any, other: Any, *args: Any, out: Any = None, **kwargs: Any) -> Tensor:  # noqa: A002
        if out is not None:  # torch's out=: written into that Tensor, not recorded (autograd/out_arg.py)
            return _out_arg.write_out(out, name, (input, other), lambda: fn(input, other, *args, **kwargs))
        if not isinstance(input, Tensor) and isinstance(other, Tensor):
            input = Tensor._lift(input, other, name)
        return getattr(_to_tensor(input), name)(other, *args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"``input.{name}(other)``, torch's function spelling, recorded for backward."
    return fn


add = _binary("add")
sub = _binary("sub")
mul = _binary("mul")
div = _binary("div")
pow = _binary("pow")  # noqa: A001


def max(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A001, A002
    """torch.max: ``max(x)``, ``max(x, dim)`` -> (values, indices), ``max(x, other)`` elementwise."""
    return _to_tensor(input).max(*args, **kwargs)


def min(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A001, A002
    """torch.min: ``min(x)``, ``min(x, dim)`` -> (values, indices), ``min(x, other)`` elementwise."""
    return _to_tensor(input).min(*args, **kwargs)

__all__ = [
    "Tensor", "Value", "Function", "Context", "tensor", "as_tensor",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "gradients", "topological_order",
    "grad", "value_and_grad", "jacobian", "hessian", "gradcheck", "GradcheckError",
    "set_backend", "get_backend", "detect_anomaly", "AnomalyError",
    "zeros", "ones", "full", "eye", "arange", "rand", "randn", "zeros_like", "ones_like", "full_like",
    "rand_like", "randn_like", "manual_seed", "default_rng",
    "where", "maximum", "minimum", "concatenate", "cat", "stack", "linear",
    "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "softplus", "log_sigmoid",
    "sin", "cos", "erf", "silu", "gelu", "softmax", "log_softmax", "logsumexp", "matmul", "clip",
    "draw_graph", "draw_dot", "draw_text", "draw_network", "dot_source", "network_source", "save_drawing",
    "GraphvizNotFoundError",
    "animate_backward",
    "save", "load", "CheckpointError",
]
__all__ += ["save_safetensors", "load_safetensors", "compile", "CompileError"]

# ---- torch ops (autograd/torchops.py over autograd/ops/elementwise, scan, layout, index, einsum)
from . import torchops as _torchops  # noqa: E402
from .torchops import (  # noqa: E402
    ValuesIndices, acos, arccos, arcsin, arcsinh, arctan, argsort, asin, asinh, atan, ceil, celu, chunk, copysign,
    cosh, cummax, cummin, cumsum, diagonal, einsum, exp2, flip, floor, gather, hardsigmoid, hardswish, hardtanh,
    isfinite, isinf, isnan, lerp, linspace, log2, log10, logaddexp, logcumsumexp, masked_fill, norm, prod,
    relu6, repeat_interleave, roll, rsqrt, scatter, scatter_add, selu, sign, sinh, softmin, softsign, sort,
    split, std_mean, tan, topk, tril, triu, trunc, unflatten, var_mean,
)
all = _torchops.all  # noqa: A001  (torch.all; not in __all__, see below)
any = _torchops.any  # noqa: A001
round = _torchops.round  # noqa: A001

softplus = _torchops.softplus  # torch's softplus(input, beta, threshold=20)
# any, all and round are attributes (autograd.any(t)) but not in __all__: `import *` must not shadow builtins
__all__ += [
    "rsqrt", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "arcsin", "arccos", "arctan", "arcsinh",
    "log2", "log10", "exp2", "sign", "floor", "ceil", "trunc", "isnan", "isinf", "isfinite",
    "copysign", "logaddexp", "lerp", "celu", "selu", "softsign", "hardsigmoid", "hardswish", "hardtanh", "relu6",
    "softmin", "prod", "cumsum", "cummax", "cummin", "logcumsumexp", "var_mean", "std_mean", "norm",
    "flip", "roll", "repeat_interleave", "unflatten", "diagonal", "tril", "triu", "split", "chunk", "linspace",
    "gather", "scatter", "scatter_add", "masked_fill", "topk", "sort", "argsort", "einsum", "ValuesIndices",
]
__all__ += [
    "inference_mode", "return_types",
    "clamp", "neg", "mean", "var", "std", "argmax", "argmin", "squeeze", "unsqueeze", "flatten",
    "transpose", "permute", "reshape", "numel", "add", "sub", "mul", "div",
]  # autograd.sum/abs/max/min/pow/t exist too, left out of * so they never hide Python's builtins

# ---- more torch ops (autograd/torch_more.py over autograd/ops/division, index_reduce, cumprod, linalg,
# elementwise_more) and torch.linalg's common functions (autograd.linalg)
from . import linalg  # noqa: E402
from . import torch_more as _torch_more  # noqa: E402

from .torch_more import (  # noqa: E402
    absolute, acosh, addbmm, addcdiv, addcmul, addmm, addmv, allclose, amax, amin, aminmax, arccosh, arctan2,
    arctanh, argwhere, atan2, atanh, atleast_1d, atleast_2d, baddbmm, bincount, block_diag, bmm, cartesian_prod,
    cdist, clamp_max, clamp_min, column_stack, count_nonzero, cross, cumprod, deg2rad, diag, diag_embed, diff,
    dist, dstack, eq, equal, erfc, expm1, fliplr, flipud, floor_divide, fmax, fmin, fmod, frac, ge, ger,
    greater, greater_equal, gt, histc, hstack, hypot, index_add, index_copy, index_fill, index_select, isclose,
    isneginf, isposinf, kron, kthvalue, le, less, less_equal, log1p, logical_and, logical_not, logical_or,
    logical_xor, logit, lt, masked_scatter, masked_select, median, meshgrid, mm, mode, moveaxis, movedim, mv,
    nan_to_num, nanmean, nanmedian, nansum, narrow, ne, nonzero, not_equal, outer, positive, rad2deg,
    reciprocal, remainder, rot90, scatter_reduce, sgn, signbit, square, swapaxes, swapdims, take_along_dim,
    tensor_split, tile, trace, true_divide, unbind, unique, vstack, xlogy,
)

scatter = _torch_more.scatter  # noqa: F811  torchops' scatter, with torch's reduce= too
divide = div
__all__ += [
    "absolute", "acosh", "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "allclose", "amax", "amin",
    "aminmax", "arccosh", "arctan2", "arctanh", "argwhere", "atan2", "atanh", "atleast_1d", "atleast_2d",
    "baddbmm", "bincount", "block_diag", "bmm", "cartesian_prod", "cdist", "clamp_max", "clamp_min",
    "column_stack", "count_nonzero", "cross", "cumprod", "deg2rad", "diag", "diag_embed", "diff", "dist",
    "dstack", "eq", "erfc", "expm1", "fliplr", "flipud", "floor_divide", "fmax", "fmin", "fmod", "frac", "ge",
    "ger", "greater", "greater_equal", "gt", "histc", "hstack", "hypot", "index_add", "index_copy",
    "index_fill", "index_select", "isclose", "isneginf", "isposinf", "kron", "kthvalue", "le", "less",
    "less_equal", "log1p", "logical_and", "logical_not", "logical_or", "logical_xor", "logit", "lt",
    "masked_scatter", "masked_select", "median", "meshgrid", "mm", "mode", "moveaxis", "movedim", "mv",
    "nan_to_num", "nanmean", "nanmedian", "nansum", "narrow", "ne", "nonzero", "not_equal", "outer", "positive",
    "rad2deg", "reciprocal", "remainder", "rot90", "scatter_reduce", "sgn", "signbit", "square", "swapaxes",
    "swapdims", "take_along_dim", "tensor_split", "tile", "trace", "true_divide", "unbind", "unique", "vstack",
    "xlogy", "scatter", "linalg", "divide", "equal",
]

# ---- still more torch (autograd/torch_extra.py): creation and sampling, statistics, distances, products
from .torch_extra import (  # noqa: E402
    addr, bernoulli, bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
    broadcast_shapes, broadcast_tensors, broadcast_to, bucketize, chain_matmul, clone, combinations, corrcoef,
    cosine_similarity, cov, cumulative_trapezoid, det, detach, diagflat, dsplit, empty, empty_like, float_power,
    from_numpy, heaviside, hsplit, index_put, inner, inverse, is_floating_point, is_tensor, ldexp, logaddexp2,
    logdet, logspace, matrix_power, msort, multinomial, nanquantile, normal, pairwise_distance, pdist, quantile,
    randint, randint_like, randperm, ravel, renorm, searchsorted, select, sinc, slogdet, split_with_sizes, take,
    tensordot, trapezoid, trapz, tril_indices, triu_indices, vdot, vsplit,
)

__all__ += [
    "addr", "bernoulli", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "broadcast_shapes", "broadcast_tensors", "broadcast_to", "bucketize",
    "chain_matmul", "clone", "combinations", "corrcoef", "cosine_similarity", "cov", "cumulative_trapezoid",
    "det", "detach", "diagflat", "dsplit", "empty", "empty_like", "float_power", "from_numpy", "heaviside",
    "hsplit", "index_put", "inner", "inverse", "is_floating_point", "is_tensor", "ldexp", "logaddexp2",
    "logdet", "logspace", "matrix_power", "msort", "multinomial", "nanquantile", "normal", "pairwise_distance",
    "pdist", "quantile", "randint", "randint_like", "randperm", "ravel", "renorm", "searchsorted", "select",
    "sinc", "slogdet", "split_with_sizes", "take", "tensordot", "trapezoid", "trapz", "tril_indices",
    "triu_indices", "vdot", "vsplit",
]

# ---- torch.special (autograd/special.py over autograd/ops/special.py): the gamma family, erfinv, Bessel I0/I1
from . import special  # noqa: E402
from .special import digamma, erfinv, i0, lgamma, mvlgamma, polygamma  # noqa: E402
from .special import _erfc_strict as erfc  # noqa: E402,F811  (accurate in the tail, where 1 - erf(x) is 0)

__all__ += ["special", "digamma", "erfinv", "i0", "lgamma", "mvlgamma", "polygamma"]

# ---- torch's top-level names for autograd.linalg_more's pinv, qr and matrix_exp
from .linalg_more import matrix_exp, pinverse  # noqa: E402


def qr(input: Any, some: bool = True) -> Any:  # noqa: A002  (torch.qr, the older spelling)
    """torch.qr: (Q, R), reduced when some=True, complete otherwise (see autograd.linalg.qr)."""
    return linalg.qr(input, mode="reduced" if some else "complete")


__all__ += ["matrix_exp", "pinverse", "qr"]

# torch's dtype names (attributes, not in __all__: ``bool``, ``float``, ``int``, ``long`` would shadow builtins)
import numpy as _np  # noqa: E402

float16, float32, float64, half, double = _np.float16, _np.float32, _np.float64, _np.float16, _np.float64
int8, int16, int32, int64, uint8 = _np.int8, _np.int16, _np.int32, _np.int64, _np.uint8
short, long = _np.int16, _np.int64
float = _np.float32  # noqa: A001  (torch.float is float32)
int = _np.int32  # noqa: A001  (torch.int is int32)
bool = _np.bool_  # noqa: A001

from .torch_extra import (  # noqa: E402
    diagonal_scatter, fix, frexp, gcd, get_default_dtype, set_default_dtype, histogram, lcm, narrow_copy, nextafter,
    promote_types, result_type, select_scatter, slice_scatter, unique_consecutive,
)
from .torch_extra import where  # noqa: E402,F811  (ops.arith's where, and torch's where(cond) too)

__all__ += [
    "diagonal_scatter", "fix", "frexp", "gcd", "get_default_dtype", "set_default_dtype", "histogram", "lcm",
    "narrow_copy", "nextafter", "promote_types", "result_type", "select_scatter", "slice_scatter", "unique_consecutive",
]
finfo, iinfo, Size = _np.finfo, _np.iinfo, tuple  # torch.finfo(x.dtype).eps, x.shape == torch.Size([2, 3])

# torch's device= on the creation functions (the CPU only), torch.device and torch.cuda's questions
from .torch_extra import cuda, device, with_device as _with_device  # noqa: E402,F401  (cuda: an attribute)
from .torch_extra import accelerator  # noqa: E402,F401  (torch.accelerator: an attribute, like cuda)

for _name in ("zeros", "ones", "full", "eye", "arange", "rand", "randn", "zeros_like", "ones_like", "full_like",
              "rand_like", "randn_like", "tensor", "linspace", "logspace", "empty", "empty_like", "randint",
              "randint_like", "randperm", "normal"):
    globals()[_name] = _with_device(globals()[_name])
del _name
__all__ += ["device"]

# ---- torch.Generator and torch's seeding functions (autograd/random_gen.py); autograd.random is torch.random
from . import random_gen as random  # noqa: E402,F401  (an attribute, not in __all__: it would hide Python's random)
from .random_gen import Generator, default_generator, get_rng_state, initial_seed, seed, set_rng_state  # noqa: E402
from .random_gen import manual_seed  # noqa: E402,F811  (creation's, returning default_generator as torch does)

__all__ += ["Generator", "default_generator", "get_rng_state", "set_rng_state", "initial_seed", "seed"]

# ---- torch.autograd as a namespace, print options, and a dir() that shows the API, not the imports
from . import autograd  # noqa: E402  (torch.autograd.Function, torch.autograd.grad, torch.autograd.backward)
from .torch_misc import dot, set_printoptions  # noqa: E402

__all__ += ["autograd", "set_printoptions", "dot"]

# ---- x @ W + b (+ activation) written by hand: one node (autograd/fusion.py)
from .fusion import fusion_enabled, set_fusion  # noqa: E402

__all__ += ["set_fusion", "fusion_enabled"]

# ---- torch's constants, other names, in-place functions and small questions (autograd/torch_names.py)
from . import torch_names as _torch_names  # noqa: E402
from .torch_names import (  # noqa: E402,F811  (as_tensor: torch's, sharing numpy memory, with dtype=)
    as_tensor, asarray, e, get_float32_matmul_precision, get_num_threads, inf, is_nonzero, is_same_size, isin, nan,
    newaxis, pi, set_float32_matmul_precision, set_num_threads,
)

globals().update(_torch_names.inplace_functions())  # torch.abs_(x) is x.abs_()
multiply, subtract, negative, concat, row_stack = mul, sub, neg, cat, vstack
__all__ += [
    "pi", "e", "inf", "nan", "newaxis", "as_tensor", "asarray", "isin", "is_same_size", "is_nonzero",
    "get_num_threads", "set_num_threads", "get_float32_matmul_precision", "set_float32_matmul_precision",
    "multiply", "subtract", "negative", "concat", "row_stack",
] + list(_torch_names.inplace_functions())
_DTYPES = ("float16", "half", "float32", "float64", "double", "int8", "int16", "int32", "int64", "uint8", "short",
           "long", "float", "int", "bool", "finfo", "iinfo", "Size", "cuda",
           "accelerator")  # attributes kept out of `import *`


def __dir__() -> list[str]:
    """The API (``__all__`` and the torch spellings kept out of it), not the imports."""
    return sorted(set(__all__) | set(_DTYPES) | {"all", "any", "round", "sum", "abs", "max", "min", "pow", "t",
                                                 "__version__"})
