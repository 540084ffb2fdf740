"""Still more of torch's API, composed from recorded ops (so derivatives and create_graph come with them):
creation and sampling (empty, randint, randperm, normal, bernoulli, multinomial, from_numpy, logspace,
tril/triu_indices, combinations), statistics (quantile, nanquantile, cov, corrcoef), distances
(cosine_similarity, pairwise_distance, pdist, cdist in torch_more), products (tensordot, addr, inner, vdot,
chain_matmul, matrix_power), more maths (logaddexp2, sinc, heaviside, float_power, ldexp, trapezoid,
cumulative_trapezoid, renorm), lookups (searchsorted, bucketize, take, index_put, broadcast_tensors), and the
Tensor methods torch code reaches for: ``to(device)``, ``cpu()``, ``device``, ``is_floating_point()``,
``stride()``, the random fills (``normal_``, ``uniform_``, ``bernoulli_``, ...), ``unfold``, ``where``,
``select``, ``squeeze_``/``t_``-style shape changes and the in-place twin of every elementwise method.
"""

from __future__ import annotations

import builtins
import itertools
from typing import Any, Callable, Sequence

import numpy as np

from . import creation as C
from . import engine
from . import inplace as _ip
from . import torch_more as M
from . import torchops as T
from .ops import _torchargs as A
from .ops import index as I
from .ops import layout as L
from .ops import shape as SH
from .ops.arith import _pair
from .ops.arith import where as _where
from .ops.inplace import IndexPut
from .random_gen import rng_of as _rng_of
from .tensor import Tensor

__all__ = [
    "empty", "empty_like", "randint", "randint_like", "randperm", "normal", "bernoulli", "multinomial", "from_numpy",
    "is_tensor", "is_floating_point", "clone", "detach", "logspace", "triu_indices", "tril_indices", "combinations",
    "broadcast_tensors", "broadcast_shapes", "broadcast_to", "take", "index_put", "searchsorted", "bucketize",
    "quantile", "nanquantile", "cov", "corrcoef", "cosine_similarity", "pairwise_distance", "pdist",
    "tensordot", "addr", "inner", "vdot", "chain_matmul", "matrix_power", "inverse", "det", "logdet", "slogdet",
    "logaddexp2", "sinc", "heaviside", "float_power", "ldexp", "trapezoid", "trapz", "cumulative_trapezoid",
    "renorm", "msort", "ravel", "select", "diagflat", "hsplit", "vsplit", "dsplit", "split_with_sizes",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    "slice_scatter", "select_scatter", "diagonal_scatter", "histogram", "unique_consecutive", "frexp", "gcd", "lcm",
    "nextafter", "fix", "narrow_copy", "where", "get_default_dtype", "set_default_dtype", "result_type",
    "promote_types", "install",
]


from .torch_more import _number, _t  # noqa: E402  (one reading of tensors and numbers for both modules)


def _size(size: tuple, op: str) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not A.is_int(n) or n < 0:
            raise ValueError(f"{op}: sizes must be ints >= 0, got {size!r}")
    return tuple(int(n) for n in size)


def _leaf(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr)
    return t.requires_grad_(True) if requires_grad else t


# ------------------------------------------------------------------ creation and sampling


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor of the shape (zero-filled here, so never garbage)."""
    return C.zeros(*_size(size, "empty"), dtype=dtype, requires_grad=requires_grad)


def empty_like(input: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new zero-filled tensor with input's shape (and dtype unless given)."""
    x = _t(input)
    dt = x.dtype if dtype is None else np.dtype(dtype)
    return _leaf(np.zeros(x.shape, dt), requires_grad)


def randint(*args: Any, size: Any = None, dtype: Any = None, generator: Any = None) -> Tensor:
    """Integers drawn uniformly from [low, high): randint(high, size) or randint(low, high, size) (int64)."""
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        low, high, shape = 0, args[0], args[1]
    elif len(args) == 3:
        low, high, shape = args
    else:
        raise TypeError("randint: call randint(high, size) or randint(low, high, size), size a tuple")
    if not (A.is_int(low) and A.is_int(high)) or high <= low:
        raise ValueError(f"randint: needs ints low < high, got low={low!r}, high={high!r}")
    shape = _size((shape,) if A.is_int(shape) else tuple(shape), "randint")
    rng = _rng_of(generator, "randint")
    return Tensor._make(rng.integers(int(low), int(high), shape).astype(np.int64 if dtype is None else dtype))


def randint_like(input: Any, low: int = 0, high: Any = None, *, dtype: Any = None, generator: Any = None) -> Tensor:
    """Integers from [low, high) with input's shape (randint_like(x, high) or randint_like(x, low, high))."""
    x = _t(input)
    if high is None:
        low, high = 0, low
    out = randint(low, high, x.shape, generator=generator)
    return Tensor._make(out.data.astype(x.dtype if dtype is None else dtype))


def randperm(n: int, *, dtype: Any = None, generator: Any = None) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    m = A.count("randperm", "n", n)
    rng = _rng_of(generator, "randperm")
    return Tensor._make(rng.permutation(m).astype(np.int64 if dtype is None else dtype))


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None) -> Tensor:
    """Samples of N(mean, std**2): mean and std numbers (give size) or tensors (broadcast); a constant tensor."""
    rng = _rng_of(generator, "normal")
    m = mean.data if isinstance(mean, Tensor) else mean
    s = std.data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise ValueError("normal: std must be >= 0")
    shape = np.broadcast_shapes(np.shape(m), np.shape(s)) if size is None else _size(
        (size,) if A.is_int(size) else tuple(size), "normal")
    dt = next((a.dtype for a in (m, s) if isinstance(a, np.ndarray) and a.dtype.kind == "f"), np.float64)
    return Tensor._make((m + s * rng.standard_normal(shape)).astype(dt))


def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Tensor:
    """1 with probability input (or p), else 0, in input's dtype (a constant)."""
    x = _t(input)
    prob = x.data if p is None else np.broadcast_to(_number(p, "bernoulli", "p"), x.shape)
    if np.any((prob < 0) | (prob > 1)):
        raise ValueError("bernoulli: probabilities must be in [0, 1]")
    rng = _rng_of(generator, "bernoulli")
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    return Tensor._make((rng.random(x.shape) < prob).astype(dt))


def multinomial(input: Any, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
    """Indices drawn from the categorical distribution of each row of weights (int64); without replacement by
    default, as torch."""
    x = _t(input)
    if x.ndim not in (1, 2):
        raise ValueError(f"multinomial: needs a 1-D or 2-D tensor of weights, got shape {x.shape}")
    k = A.count("multinomial", "num_samples", num_samples, 1)
    rows = x.data.reshape(-1, x.shape[-1])
    if np.any(rows < 0) or not np.all(np.isfinite(rows)) or np.any(rows.sum(axis=1) <= 0):
        raise ValueError("multinomial: weights must be finite, >= 0, with a positive sum in every row")
    if not replacement and k > int((rows > 0).sum(axis=1).min()):
        raise ValueError(
            f"multinomial: cannot draw {k} samples without replacement from a row with only "
            f"{int((rows > 0).sum(axis=1).min())} categories of nonzero weight; pass replacement=True"
        )
    rng = _rng_of(generator, "multinomial")
    out = np.stack([rng.choice(rows.shape[1], k, replace=bool(replacement), p=r / r.sum()) for r in rows])
    return Tensor._make(out.reshape(x.shape[:-1] + (k,)).astype(np.int64))


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing the array's memory (any numeric dtype kept)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {type(ndarray).__name__}")
    if ndarray.dtype.kind not in "fiub":
        raise TypeError(f"from_numpy: cannot make a tensor from an array of dtype {ndarray.dtype}")
    return Tensor._make(ndarray)


def is_tensor(obj: Any) -> bool:
    """True for a Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Any) -> bool:
    """True for a tensor of a floating dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point: expected a Tensor, got {type(input).__name__}")
    return input.data.dtype.kind == "f"


def clone(input: Any) -> Tensor:
    """input.clone()."""
    return _t(input).clone()


def detach(input: Any) -> Tensor:
    """input.detach()."""
    return _t(input).detach()


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    b = _number(base, "logspace", "base")
    lin = T.linspace(start, end, steps, dtype=dtype)
    return _leaf(np.power(b, lin.data).astype(lin.dtype), requires_grad)


def _tri_indices(op: str, row: int, col: int, offset: int, lower: bool) -> Tensor:
    r, c = A.count(op, "row", row), A.count(op, "col", col)
    if not A.is_int(offset):
        raise TypeError(f"{op}: offset must be an int, got {offset!r}")
    i, j = (np.tril_indices if lower else np.triu_indices)(r, int(offset), c)
    return Tensor._make(np.stack([i, j]).astype(np.int64))


def tril_indices(row: int, col: int, offset: int = 0) -> Tensor:
    """The (2, n) int64 indices of the lower triangle (on and below diagonal ``offset``) of a row x col matrix."""
    return _tri_indices("tril_indices", row, col, offset, True)


def triu_indices(row: int, col: int, offset: int = 0) -> Tensor:
    """The (2, n) int64 indices of the upper triangle (on and above diagonal ``offset``) of a row x col matrix."""
    return _tri_indices("triu_indices", row, col, offset, False)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The r-length combinations of a 1-D tensor's entries, one per row (in the graph)."""
    x = _t(input)
    if x.ndim != 1:
        raise ValueError(f"combinations: needs a 1-D tensor, got shape {x.shape}")
    k = A.count("combinations", "r", r)
    make = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(make(range(x.shape[0]), k)), dtype=np.int64).reshape(-1, k)
    return L.Take._apply1(x, index=(idx,))


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape the given shapes broadcast to."""
    try:
        return tuple(np.broadcast_shapes(*[(s,) if A.is_int(s) else tuple(s) for s in shapes]))
    except ValueError:
        raise ValueError(f"broadcast_shapes: shapes {shapes} do not broadcast") from None


def broadcast_tensors(*tensors: Any) -> tuple:
    """The tensors expanded to their common shape (views, in the graph)."""
    ts = [_t(t) for t in tensors]
    shape = broadcast_shapes(*[t.shape for t in ts])
    return tuple(t if t.shape == shape else t.expand(shape) for t in ts)


def broadcast_to(input: Any, size: Any) -> Tensor:
    """input expanded to ``size`` (-1 keeps an axis)."""
    return _t(input).expand(*((size,) if A.is_int(size) else tuple(size)))


def take(input: Any, index: Any) -> Tensor:
    """input flattened, picked at index (the result has index's shape)."""
    x = _t(input)
    idx = A.int_index("take", index)
    n = x.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"take: index out of range for a tensor of {n} entries (shape {x.shape})")
    return L.Take._apply1(SH.Reshape._apply1(x, shape=(-1,)), index=(np.where(idx < 0, idx + n, idx),))


def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """x with x[indices] = values (a tuple of index tensors); accumulate adds instead (repeats add up)."""
    x = _t(input)
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put: indices must be a tuple of index tensors (one per indexed axis)")
    index = tuple(A.int_index("index_put", i) if not (isinstance(getattr(i, "data", i), np.ndarray)
                                                       and np.asarray(getattr(i, "data", i)).dtype == np.bool_)
                  else np.asarray(getattr(i, "data", i)) for i in indices)
    v = Tensor._lift(values, x, "index_put")
    try:
        target = x.data[index].shape
    except IndexError as exc:
        raise IndexError(f"index_put: the indices do not fit the tensor of shape {x.shape}: {exc}") from None
    if accumulate:
        return x + SH.ScatterAdd._apply1(v.expand(target) if v.shape != target else v, index=index, shape=x.shape)
    return IndexPut.apply(x, v, index=index)


def _sorted_1d_or_rows(op: str, seq: np.ndarray, values: np.ndarray) -> None:
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise ValueError(
            f"{op}: sorted_sequence of shape {seq.shape} and values of shape {values.shape} must have the same "
            "leading axes (or sorted_sequence must be 1-D)"
        )


def searchsorted(sorted_sequence: Any, input: Any, *, right: bool = False, side: str | None = None,
                 out_int32: bool = False) -> Tensor:
    """For each value, the index where it would go into the sorted last axis (left of equals, or right)."""
    seq = np.asarray(getattr(sorted_sequence, "data", sorted_sequence))
    vals = np.asarray(getattr(input, "data", input))
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
        right = side == "right"
    s = "right" if right else "left"
    dt = np.int32 if out_int32 else np.int64
    if seq.ndim <= 1:
        return Tensor._make(np.asarray(np.searchsorted(seq, vals, side=s), dtype=dt))
    _sorted_1d_or_rows("searchsorted", seq, vals)
    rows = [np.searchsorted(a, b, side=s) for a, b in zip(seq.reshape(-1, seq.shape[-1]),
                                                            vals.reshape(-1, vals.shape[-1]))]
    return Tensor._make(np.array(rows, dtype=dt).reshape(vals.shape))


def bucketize(input: Any, boundaries: Any, *, right: bool = False, out_int32: bool = False) -> Tensor:
    """The bucket of each value: i with boundaries[i-1] < x <= boundaries[i] (right=True: <= x <)."""
    b = np.asarray(getattr(boundaries, "data", boundaries))
    if b.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-D, got shape {b.shape}")
    return searchsorted(b, input, right=right, out_int32=out_int32)


# ------------------------------------------------------------------ statistics


INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(op: str, input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str, skip_nan: bool) -> Tensor:
    x = _t(input)
    if x.data.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating tensor, got {x.data.dtype}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{op}: interpolation must be one of {', '.join(map(repr, INTERPOLATIONS))}")
    qs = np.asarray(getattr(q, "data", q), dtype=np.float64)
    if qs.ndim > 1 or np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"{op}: q must be a number or a 1-D tensor of numbers in [0, 1]")
    keep = A.flag(op, "keepdim", keepdim)
    if dim is None:
        y, d = SH.Reshape._apply1(x, shape=(-1,)), 0
    else:
        d = A.one_dim(op, dim, x.shape)
        y = SH.Reshape._apply1(x, shape=(1,)) if x.ndim == 0 else x
    n = y.shape[d]
    if n == 0:
        raise ValueError(f"{op}: the tensor (or dim {d}) is empty")
    order = I.stable_order(y.data, d, False)  # NaN sorts last
    srt = I.Gather.apply(y, order, axis=d)
    nan = np.isnan(y.data).sum(axis=d, keepdims=True)
    count = n - nan if skip_nan else np.full(nan.shape, n)
    outs = []
    for qv in qs.reshape(-1):
        pos = qv * np.maximum(count - 1, 0)
        lo, hi = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
        if interpolation == "lower":
            hi = lo
        elif interpolation == "higher":
            lo = hi
        elif interpolation == "nearest":
            lo = hi = np.round(pos).astype(np.int64)
        frac = np.asarray(0.5 if interpolation == "midpoint" else pos - lo, dtype=x.dtype)
        a, b = I.Gather.apply(srt, lo, axis=d), I.Gather.apply(srt, hi, axis=d)
        val = a + (b - a) * Tensor._make(np.broadcast_to(frac, a.shape).astype(x.dtype)) if np.any(hi != lo) else a
        bad = (nan > 0) if not skip_nan else (count == 0)
        if bad.any():
            val = _where(bad, np.asarray(np.nan, x.dtype), val)
        if not keep:
            val = SH.Reshape._apply1(val, shape=tuple(s for i, s in enumerate(val.shape) if i != d))
        elif dim is None:
            val = SH.Reshape._apply1(val, shape=(1,) * x.ndim)
        outs.append(val)
    if qs.ndim == 0:
        return outs[0]
    from .tensor import stack

    return stack(outs, 0)


def quantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """The q-th quantiles over dim (all entries by default), interpolated between the two nearest ranks; a slice
    holding NaN gives NaN. q a number, or a 1-D tensor (its axis comes first)."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
                ) -> Tensor:
    """quantile of the entries that are not NaN (NaN only where a slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance matrix of the variables in the rows (observations in the columns), dividing by N - correction."""
    x = _t(input)
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov: fweights/aweights are not supported; repeat or weight the observations first")
    if x.ndim > 2:
        raise ValueError(f"cov: needs a 1-D or 2-D tensor (variables x observations), got shape {x.shape}")
    if x.data.dtype.kind != "f":
        x = Tensor._make(x.data.astype(np.float64))
    m = x.reshape(1, -1) if x.ndim < 2 else x
    n = m.shape[1]
    c = _number(correction, "cov", "correction")
    dev = m - m.mean(axis=1, keepdims=True)
    out = (dev @ dev.T) * (1.0 / (n - c) if n - c > 0 else np.inf)
    return out.reshape(()) if x.ndim < 2 else out


def corrcoef(input: Any) -> Tensor:
    """The Pearson correlation matrix of the rows (clipped to [-1, 1], as torch)."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = T.diagonal(c).sqrt()
    return (c / (d.reshape(-1, 1) * d.reshape(1, -1))).clip(-1.0, 1.0)


# ------------------------------------------------------------------ distances


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps)) along dim (broadcast)."""
    a, b = M._same_kind(*_pair(x1, x2, "cosine_similarity"))
    shape = np.broadcast_shapes(a.shape, b.shape)
    d = A.one_dim("cosine_similarity", dim, shape)
    e = _number(eps, "cosine_similarity", "eps")
    a, b = a.expand(shape), b.expand(shape)
    na = T.norm(a, 2, d, True).clamp(min=e)
    nb = T.norm(b, 2, d, True).clamp(min=e)
    return ((a / na) * (b / nb)).sum(axis=d)


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last axis."""
    a, b = M._same_kind(*_pair(x1, x2, "pairwise_distance"))
    e = _number(eps, "pairwise_distance", "eps")
    diff = a - b + e
    return T.norm(diff, p, -1 if diff.ndim else None, keepdim)


def pdist(input: Any, p: float = 2.0) -> Tensor:
    """The p-norm distances between every pair of rows i < j of an (N, M) tensor, in row-major pair order."""
    x = _t(input)
    if x.ndim != 2:
        raise ValueError(f"pdist: needs a 2-D tensor (N rows), got shape {x.shape}")
    i, j = np.triu_indices(x.shape[0], 1)
    return T.norm(L.Take._apply1(x, index=(i,)) - L.Take._apply1(x, index=(j,)), p, -1)


# ------------------------------------------------------------------ products


def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """Sum of products over the last ``dims`` axes of a and the first of b (or the listed axis pairs)."""
    x, y = M._same_kind(*_pair(a, b, "tensordot"))
    if A.is_int(dims):
        k = int(dims)
        if k < 0 or k > builtins.min(x.ndim, y.ndim):
            raise ValueError(f"tensordot: dims={k} does not fit shapes {x.shape} and {y.shape}")
        ax, ay = list(range(x.ndim - k, x.ndim)), list(range(k))
    else:
        try:
            ax, ay = ([d] if A.is_int(d) else list(d) for d in dims)
        except (TypeError, ValueError):
            raise TypeError(f"tensordot: dims must be an int or a pair of axis lists, got {dims!r}") from None
        ax = [A.one_dim("tensordot", d, x.shape) for d in ax]
        ay = [A.one_dim("tensordot", d, y.shape) for d in ay]
    if [x.shape[i] for i in ax] != [y.shape[j] for j in ay]:
        raise ValueError(f"tensordot: contracted axes of {x.shape} and {y.shape} have different lengths")
    fx = [i for i in range(x.ndim) if i not in ax]
    fy = [j for j in range(y.ndim) if j not in ay]
    k = int(np.prod([x.shape[i] for i in ax], dtype=np.int64))
    xm = x.permute(fx + ax).reshape(-1, k) if x.ndim else x.reshape(1, 1)
    ym = y.permute(ay + fy).reshape(k, -1) if y.ndim else y.reshape(1, 1)
    return (xm @ ym).reshape(tuple(x.shape[i] for i in fx) + tuple(y.shape[j] for j in fy))


def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta input + alpha outer(vec1, vec2)."""
    o = M.outer(vec1, vec2)
    o = o if alpha == 1 else o * _number(alpha, "addr", "alpha")
    return o if beta == 0 else (_t(input) if beta == 1 else _t(input) * _number(beta, "addr", "beta")) + o


def inner(input: Any, other: Any) -> Tensor:
    """Sum of products over the last axes (a scalar for two 1-D tensors)."""
    a, b = M._same_kind(*_pair(input, other, "inner"))
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"inner: last axes differ: {a.shape} and {b.shape}")
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


def vdot(input: Any, other: Any) -> Tensor:
    """The dot product of two 1-D tensors."""
    a, b = M._same_kind(*_pair(input, other, "vdot"))
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"vdot: needs two 1-D tensors of one length, got {a.shape} and {b.shape}")
    return (a * b).sum()


def chain_matmul(*matrices: Any) -> Tensor:
    """The product of the matrices, left to right."""
    ms = [_t(m) for m in (matrices[0] if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)) else matrices)]
    if not ms:
        raise ValueError("chain_matmul: give at least one matrix")
    out = ms[0]
    for m in ms[1:]:
        out = M.mm(out, m)
    return out


def matrix_power(input: Any, n: int) -> Tensor:
    """A @ A @ ... (n times; n = 0 the identity, n < 0 powers of the inverse), by repeated squaring."""
    x = _t(input)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"matrix_power: needs square matrices in the last two axes, got shape {x.shape}")
    if not A.is_int(n):
        raise TypeError(f"matrix_power: n must be an int, got {n!r}")
    k = int(n)
    if k < 0:
        from .linalg import inv

        x, k = inv(x), -k
    result = None
    base = x
    while k:
        if k & 1:
            result = base if result is None else result @ base
        k >>= 1
        if k:
            base = base @ base
    if result is None:
        return Tensor._make(np.broadcast_to(np.eye(x.shape[-1], dtype=x.dtype), x.shape).copy())
    return result


def inverse(input: Any) -> Tensor:
    """linalg.inv."""
    from .linalg import inv

    return inv(input)


def det(input: Any) -> Tensor:
    """linalg.det."""
    from .linalg import det as _det

    return _det(input)


def logdet(input: Any) -> Tensor:
    """log det A (NaN for a negative determinant, -inf for 0, as torch)."""
    d = det(input)
    with np.errstate(invalid="ignore", divide="ignore"):
        return d.log()


def slogdet(input: Any) -> tuple:
    """linalg.slogdet: (sign, log|det|)."""
    from .linalg import slogdet as _s

    return _s(input)


# ------------------------------------------------------------------ more maths


def logaddexp2(input: Any, other: Any) -> Tensor:
    """log2(2**a + 2**b), without overflow."""
    a, b = M._same_kind(*_pair(input, other, "logaddexp2"))
    ln2 = float(np.log(2.0))
    return T.logaddexp(a * ln2, b * ln2) * (1.0 / ln2)


def sinc(input: Any) -> Tensor:
    """sin(pi x) / (pi x), 1 at x = 0 (derivative 0 there)."""
    x = _t(input)
    if x.data.dtype.kind != "f":
        x = Tensor._make(x.data.astype(np.float64))
    zero = x.data == 0
    px = _where(zero, np.ones((), x.dtype), x) * np.pi
    return _where(zero, np.ones((), x.dtype), px.sin() / px)


def heaviside(input: Any, values: Any) -> Tensor:
    """0 for x < 0, 1 for x > 0, ``values`` where x == 0 (a constant)."""
    x, v = _pair(input, values, "heaviside")
    return Tensor._make(np.heaviside(x.data, v.data).astype(np.result_type(x.data, v.data)))


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent in float64."""
    a, b = _pair(input, exponent, "float_power")
    a = a.double() if a.data.dtype.kind == "f" else Tensor._make(a.data.astype(np.float64))
    b = b.double() if b.data.dtype.kind == "f" else Tensor._make(b.data.astype(np.float64))
    return a**b


def ldexp(input: Any, other: Any) -> Tensor:
    """input * 2**other."""
    a, b = _pair(input, other, "ldexp")
    if a.data.dtype.kind != "f":
        a = Tensor._make(a.data.astype(np.float64))
    return a * Tensor._make(np.exp2(b.data.astype(a.dtype)))


def _trap_args(op: str, y: Tensor, x: Any, dx: Any, dim: int) -> tuple:
    d = A.one_dim(op, dim, y.shape)
    lead = (slice(None),) * d
    hi, lo = y[lead + (slice(1, None),)], y[lead + (slice(None, -1),)]
    if x is not None:
        xt = _t(x)
        if xt.ndim == 1:
            xt = xt.reshape((-1,) + (1,) * (y.ndim - d - 1))
            step = xt[1:] - xt[:-1]
        else:
            step = xt[lead + (slice(1, None),)] - xt[lead + (slice(None, -1),)]
    else:
        step = 1.0 if dx is None else _number(dx, op, "dx")
    return d, (hi + lo) * 0.5 * step


def trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoid rule integral of y along dim (sample points x, or spacing dx, default 1)."""
    yt = _t(y)
    d, areas = _trap_args("trapezoid", yt, x, dx, dim)
    return areas.sum(axis=d)


trapz = trapezoid


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoid integral along dim (one entry shorter than y)."""
    yt = _t(y)
    d, areas = _trap_args("cumulative_trapezoid", yt, x, dx, dim)
    return T.cumsum(areas, d)


def renorm(input: Any, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along dim with p-norm above maxnorm scaled down to maxnorm (torch's 1e-7 guard)."""
    x = _t(input)
    d = A.one_dim("renorm", dim, x.shape)
    mx = _number(maxnorm, "renorm", "maxnorm")
    others = tuple(i for i in range(x.ndim) if i != d)
    n = T.norm(x, p, others, True)
    scale = _where(n.data > mx, mx / (n + 1e-7), np.ones((), x.dtype))
    return x * scale


# ------------------------------------------------------------------ shapes


def msort(input: Any) -> Tensor:
    """input sorted along its first axis."""
    return T.sort(input, 0).values


def ravel(input: Any) -> Tensor:
    """input flattened to 1-D."""
    return _t(input).reshape(-1)


def select(input: Any, dim: int, index: int) -> Tensor:
    """input[..., index, ...] along dim (that axis removed)."""
    x = _t(input)
    d = A.one_dim("select", dim, x.shape)
    if not A.is_int(index):
        raise TypeError(f"select: index must be an int, got {index!r}")
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select: index {index} is out of range for dim {d} of length {n} (shape {x.shape})")
    return x[(slice(None),) * d + (int(index),)]


def diagflat(input: Any, offset: int = 0) -> Tensor:
    """input flattened, as the diagonal ``offset`` of a square matrix."""
    return M.diag_embed(_t(input).reshape(-1), offset)


def _split_axis(op: str, input: Any, sections: Any, axis: int, need: int) -> tuple:
    x = _t(input)
    if x.ndim < need:
        raise ValueError(f"{op}: needs at least {need} axes, got shape {x.shape}")
    if A.is_int(sections) and x.shape[axis] % int(sections):
        raise ValueError(f"{op}: dim {axis} of length {x.shape[axis]} does not split into {sections} equal parts")
    return M.tensor_split(x, sections, axis)


def hsplit(input: Any, sections: Any) -> tuple:
    """Split along axis 1 (axis 0 for 1-D tensors) into equal parts or at the given indices."""
    x = _t(input)
    return _split_axis("hsplit", x, sections, 1 if x.ndim > 1 else 0, 1)


def vsplit(input: Any, sections: Any) -> tuple:
    """Split along axis 0 of a tensor with at least 2 axes."""
    return _split_axis("vsplit", input, sections, 0, 2)


def dsplit(input: Any, sections: Any) -> tuple:
    """Split along axis 2 of a tensor with at least 3 axes."""
    return _split_axis("dsplit", input, sections, 2, 3)


def split_with_sizes(input: Any, split_sizes: Sequence[int], dim: int = 0) -> tuple:
    """Pieces of the given sizes along dim."""
    return T.split(input, list(split_sizes), dim)


# ------------------------------------------------------------------ bitwise (integer and bool tensors)


def _bits(fn: Callable, op: str) -> Callable:
    def bitwise(input: Any, other: Any) -> Tensor:
        a, b = _pair(input, other, op)
        for t in (a, b):
            if t.data.dtype.kind not in "biu":
                raise TypeError(f"{op}: needs integer or bool tensors, got {t.data.dtype}")
        try:
            return Tensor._make(np.asarray(fn(a.data, b.data)))
        except ValueError:
            raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None

    bitwise.__name__ = op
    bitwise.__doc__ = f"``{op}`` of integer or bool tensors, elementwise (a constant)."
    return bitwise


bitwise_and = _bits(np.bitwise_and, "bitwise_and")
bitwise_or = _bits(np.bitwise_or, "bitwise_or")
bitwise_xor = _bits(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bits(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _bits(np.right_shift, "bitwise_right_shift")
gcd = _bits(np.gcd, "gcd")
lcm = _bits(np.lcm, "lcm")


def bitwise_not(input: Any) -> Tensor:
    """~x of an integer or bool tensor (a constant)."""
    x = _t(input)
    if x.data.dtype.kind not in "biu":
        raise TypeError(f"bitwise_not: needs an integer or bool tensor, got {x.data.dtype}")
    return Tensor._make(np.invert(x.data))


# ------------------------------------------------------------------ scatters of slices, and small ones


def _scatter_into(op: str, x: Tensor, index: tuple, src: Any) -> Tensor:
    s = Tensor._lift(src, x, op)
    want = x.data[index].shape
    if s.shape != want:
        raise ValueError(f"{op}: src has shape {s.shape}, but the part of the input it replaces has shape {want}")
    return IndexPut.apply(x, s, index=index)


def slice_scatter(input: Any, src: Any, dim: int = 0, start: Any = None, end: Any = None, step: int = 1) -> Tensor:
    """A copy of input with input[..., start:end:step, ...] along dim replaced by src."""
    x = _t(input)
    d = A.one_dim("slice_scatter", dim, x.shape)
    return _scatter_into("slice_scatter", x, (slice(None),) * d + (slice(start, end, step),), src)


def select_scatter(input: Any, src: Any, dim: int, index: int) -> Tensor:
    """A copy of input with input.select(dim, index) replaced by src."""
    x = _t(input)
    d = A.one_dim("select_scatter", dim, x.shape)
    if not A.is_int(index) or not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select_scatter: index {index!r} is out of range for dim {d} of shape {x.shape}")
    return _scatter_into("select_scatter", x, (slice(None),) * d + (int(index),), src)


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A copy of input with its diagonal ``offset`` of the (dim1, dim2) planes replaced by src."""
    x = _t(input)
    diag = T.diagonal(x, offset, dim1, dim2)
    s = Tensor._lift(src, x, "diagonal_scatter")
    if s.shape != diag.shape:
        raise ValueError(f"diagonal_scatter: src has shape {s.shape}, the diagonal {diag.shape}")
    a, b = A.one_dim("diagonal_scatter", dim1, x.shape, "dim1"), A.one_dim("diagonal_scatter", dim2, x.shape, "dim2")
    n = diag.shape[-1]
    index = [slice(None)] * x.ndim
    index[a], index[b] = np.arange(n) + builtins.max(-offset, 0), np.arange(n) + builtins.max(offset, 0)
    at = builtins.min(a, b) if builtins.abs(a - b) == 1 else 0
    perm = list(range(s.ndim - 1))
    perm.insert(at, s.ndim - 1)
    return IndexPut.apply(x, s.permute(tuple(perm)), index=tuple(index))


def histogram(input: Any, bins: Any = 100, *, range: Any = None, weight: Any = None,  # noqa: A002
              density: bool = False) -> tuple:
    """(counts, bin edges) of a float tensor: ``bins`` equal bins over range (the data's by default), or the
    given edges (constants)."""
    x = _t(input)
    if x.data.dtype.kind != "f":
        raise TypeError(f"histogram: needs a floating tensor, got {x.data.dtype}")
    b = np.asarray(getattr(bins, "data", bins)) if not A.is_int(bins) else A.count("histogram", "bins", bins, 1)
    w = None if weight is None else np.asarray(getattr(weight, "data", weight))
    try:
        hist, edges = np.histogram(x.data, bins=b, range=range, weights=w, density=density)
    except ValueError as exc:
        raise ValueError(f"histogram: {exc}") from None
    return Tensor._make(hist.astype(x.dtype)), Tensor._make(edges.astype(x.dtype))


def unique_consecutive(input: Any, return_inverse: bool = False, return_counts: bool = False,
                       dim: Any = None) -> Any:
    """The input with each run of equal consecutive values (of the flattened input) kept once."""
    x = _t(input)
    if dim is not None:
        raise NotImplementedError("unique_consecutive: dim= is not supported; flatten first or use unique(dim=)")
    flat = x.data.reshape(-1)
    start = np.ones(flat.size, bool)
    start[1:] = flat[1:] != flat[:-1]
    out = [Tensor._make(flat[start])]
    if return_inverse:
        out.append(Tensor._make((np.cumsum(start) - 1).reshape(x.shape).astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(np.diff(np.append(np.flatnonzero(start), flat.size)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def frexp(input: Any) -> tuple:
    """(mantissa in [0.5, 1), int32 exponent) with input = mantissa * 2**exponent (constants)."""
    x = _t(input)
    if x.data.dtype.kind != "f":
        raise TypeError(f"frexp: needs a floating tensor, got {x.data.dtype}")
    m, e = np.frexp(x.data)
    return Tensor._make(m), Tensor._make(e.astype(np.int32))


def nextafter(input: Any, other: Any) -> Tensor:
    """The next float after input towards other (a constant)."""
    a, b = _pair(input, other, "nextafter")
    return Tensor._make(np.nextafter(a.data, b.data))


def fix(input: Any) -> Tensor:
    """trunc (torch's alias)."""
    return T.trunc(input)


def narrow_copy(input: Any, dim: int, start: Any, length: int) -> Tensor:
    """narrow, as a copy."""
    return M.narrow(input, dim, start, length).clone()


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """``where(cond, a, b)``: a where cond holds, else b; ``where(cond)`` alone: nonzero(cond, as_tuple=True)."""
    if input is None and other is None:
        return M.nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where: give both input and other, or neither (where(cond) lists the nonzero indices)")
    return _where(condition, input, other)


def get_default_dtype() -> Any:
    """gradwork's default float dtype, float64 (torch's is float32)."""
    return np.float64


def set_default_dtype(d: Any) -> None:
    """Accepts float64, gradwork's fixed default (what scripts that call ``set_default_dtype(torch.float64)`` want).

    Any other dtype is a ValueError: the default is not switchable; make float32 tensors with
    ``dtype=float32`` or ``.float()`` and convert a model with ``model.float()``.
    """
    try:
        dt = np.dtype(d) if d is not None else None  # (numpy reads None as float64)
    except TypeError:
        dt = None
    if dt != np.float64:
        raise ValueError(
            f"set_default_dtype: gradwork's default float dtype is float64 and stays so, got {d!r}; make float32 "
            "tensors with dtype=autograd.float32 or .float(), and a model with model.float()"
        )


def result_type(tensor1: Any, tensor2: Any) -> Any:
    """The dtype an op on the two would give (torch's promotion: ints next to floats become the float)."""
    a, b = _pair(tensor1, tensor2, "result_type")
    a, b = M._same_kind(a, b)
    return np.result_type(a.data, b.data).type


def promote_types(type1: Any, type2: Any) -> Any:
    """The smallest dtype both cast to."""
    try:
        return np.promote_types(type1, type2).type
    except TypeError as exc:
        raise TypeError(f"promote_types: {exc}") from None


# ------------------------------------------------------------------ devices


class device:  # noqa: N801  (torch's name)
    """torch.device: "cpu" (or "cuda", "cuda:0", ...; naming one is fine, computing on it is not)."""

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002  (torch's name)
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a device name such as 'cpu', got {type!r}")
        name, _, num = type.partition(":")
        if name not in _DEVICE_NAMES:
            raise RuntimeError(f"device: expected one of {', '.join(_DEVICE_NAMES)} device type, got {type!r}")
        self.type = name
        self.index = int(num) if num else index

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self) -> str:
        return self.type + (f":{self.index}" if self.index is not None else "")

    def __eq__(self, other: Any) -> bool:
        return str(self) == str(getattr(other, "type", other) if not isinstance(other, device) else other)

    def __hash__(self) -> int:
        return hash(str(self))


_DEVICE_NAMES = ("cpu", "cuda", "mps", "xpu", "meta")


class _Cuda:
    """``autograd.cuda``: torch.cuda's questions, answered for a CPU-only library."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Nothing to seed (no GPU); ``manual_seed`` seeds gradwork's generator."""

    manual_seed_all = manual_seed


cuda = _Cuda()


class _Accelerator:
    """``autograd.accelerator``: torch.accelerator's questions (torch >= 2.6 tutorials ask them), for the CPU only."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def current_accelerator(check_available: bool = False) -> None:
        """None: there is no accelerator (torch's answer on a CPU-only build)."""
        return None

    @staticmethod
    def device_count() -> int:
        return 0


accelerator = _Accelerator()
_CPU = device("cpu")


def with_device(fn: Callable) -> Callable:
    """``fn`` taking torch's ``device=`` (and ``pin_memory=``, ``layout=``) too: they must say the CPU."""

    def call(*args: Any, device: Any = None, pin_memory: bool = False, layout: Any = None, **kw: Any) -> Any:
        if device is not None:
            _check_cpu(device, fn.__name__)
        return fn(*args, **kw)

    call.__name__, call.__qualname__, call.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    call.__wrapped__ = fn
    return call


# ------------------------------------------------------------------ Tensor methods


def _to(self: Tensor, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False,
        copy: bool = False, memory_format: Any = None) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``: the device must be the CPU."""
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif _is_device(a):
            device = a
        elif dtype is None:
            dtype = a
        else:
            raise TypeError(f"to: unexpected argument {a!r}; give a dtype and/or a device")
    if device is not None:
        _check_cpu(device, "to")
    out = self if dtype is None else self.astype(dtype)
    return out.clone() if copy and out is self else out


def _is_device(a: Any) -> bool:
    """A device name ("cpu", "cuda:0", ...) or a device (ours or torch's)."""
    if isinstance(a, str):
        return a.split(":")[0] in _DEVICE_NAMES
    return type(a).__name__ == "device"


def _check_cpu(device: Any, op: str) -> None:
    name = str(getattr(device, "type", device)).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"{op}: gradwork computes on the CPU only (numpy/numba), got device {device!r}; use 'cpu' "
            "(torch code can keep device = 'cpu')"
        )


def _cpu(self: Tensor, *args: Any, **kw: Any) -> Tensor:
    return self


def _cuda(self: Tensor, *args: Any, **kw: Any) -> Tensor:
    _check_cpu("cuda", "cuda")
    return self


def _random_fill(name: str, draw: Callable) -> Callable:
    def method(self: Tensor, *args: Any, generator: Any = None, **kw: Any) -> Tensor:
        rng = _rng_of(generator, name)
        values = np.asarray(draw(rng, self.data.shape, *args, **kw))
        return _ip.copy_(self, Tensor._make(values.astype(self.data.dtype, copy=False)))

    method.__name__ = name
    method.__doc__ = f"Fill this tensor in place with random samples ({name[:-1]}); returns self."
    return method


def _check_range(name: str, ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"{name}: {what}")


def _uniform(rng: Any, shape: tuple, a: float = 0.0, b: float = 1.0) -> np.ndarray:
    _check_range("uniform_", a <= b, f"from={a} must not exceed to={b}")
    return rng.uniform(a, b, shape)


def _normal(rng: Any, shape: tuple, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    _check_range("normal_", std >= 0, f"std={std} must be >= 0")
    return mean + std * rng.standard_normal(shape)


def _bernoulli(rng: Any, shape: tuple, p: Any = 0.5) -> np.ndarray:
    prob = np.asarray(getattr(p, "data", p), dtype=np.float64)
    _check_range("bernoulli_", bool(np.all((prob >= 0) & (prob <= 1))), "p must be in [0, 1]")
    return rng.random(shape) < prob


def _exponential(rng: Any, shape: tuple, lambd: float = 1.0) -> np.ndarray:
    _check_range("exponential_", lambd > 0, f"lambd={lambd} must be > 0")
    return rng.exponential(1.0 / lambd, shape)


def _log_normal(rng: Any, shape: tuple, mean: float = 1.0, std: float = 2.0) -> np.ndarray:
    _check_range("log_normal_", std > 0, f"std={std} must be > 0")
    return np.exp(mean + std * rng.standard_normal(shape))


def _cauchy(rng: Any, shape: tuple, median: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    return median + sigma * rng.standard_cauchy(shape)


def _geometric(rng: Any, shape: tuple, p: float = 0.5) -> np.ndarray:
    _check_range("geometric_", 0 < p <= 1, f"p={p} must be in (0, 1]")
    return rng.geometric(p, shape)


def _random(rng: Any, shape: tuple, low: int = 0, high: Any = None) -> np.ndarray:
    if high is None:
        low, high = 0, (low if low else 2**53)
    _check_range("random_", high > low, f"needs from < to, got {low} and {high}")
    return rng.integers(int(low), int(high), shape)


def _shape_inplace(name: str, fn: Callable) -> Callable:
    """``x.<name>(...)``: x takes the shape of ``fn(x)`` (squeeze_, t_, ...), recorded like an in-place op."""

    def method(self: Tensor, *args: Any, **kw: Any) -> Tensor:
        if not (self.requires_grad and engine._state.enabled):
            self.data = fn(Tensor._make(self.data), *args, **kw).data
            return self
        if self._ctx is None:
            raise RuntimeError(
                f"{name}: a leaf Variable that requires grad is being used in an in-place operation; use the "
                f"out-of-place {name[:-1]}()"
            )
        old = _ip._old_version(self)
        old._mods = _ip._mods_of(self)
        res = fn(old, *args, **kw)
        ctx = res._ctx
        ctx.previous = old
        ctx.used_at = res._seq
        self.data = res.data
        self._ctx, self._op, self._parents = ctx, res._op, res._parents
        self._hooks = None
        self._seq = engine.next_seq()
        return self

    method.__name__ = name
    method.__doc__ = f"``{name[:-1]}`` of this tensor's shape, in place (returns self)."
    return method


def _unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """The windows of ``size`` entries every ``step`` along dimension, as a new last axis (torch's Tensor.unfold)."""
    d = A.one_dim("unfold", dimension, self.shape)
    n = self.shape[d] if self.ndim else 1
    k, s = A.count("unfold", "size", size), A.count("unfold", "step", step, 1)
    if k > n:
        raise ValueError(f"unfold: size {k} is larger than dim {d} of length {n} (shape {self.shape})")
    starts = np.arange(0, n - k + 1, s)
    idx = starts[:, None] + np.arange(k)[None, :]
    x = self if self.ndim else self.reshape(1)
    win = L.Take._apply1(x, index=(slice(None),) * d + (idx,))  # (..., windows, size, ...)
    return M.movedim(win, d + 1, -1)


def _sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """Summed down to ``size`` (the shape it broadcasts from)."""
    shape = _size(size, "sum_to_size")
    try:
        if np.broadcast_shapes(shape, self.shape) != self.shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"sum_to_size: size {shape} is not expandable to the tensor's shape {self.shape}") from None
    lead = self.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and self.shape[lead + i] != 1)
    out = self.sum(axis=axes, keepdims=True) if axes else self
    return out.reshape(shape)


_TYPE_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _type(self: Tensor, dtype: Any = None, **kw: Any) -> Any:
    """No argument: torch's type name ('torch.DoubleTensor', ...); a dtype: the tensor in that dtype."""
    if dtype is None:
        return f"torch.{_TYPE_NAMES.get(str(self.dtype), str(self.dtype))}Tensor"
    return self.astype(dtype)


def _detach_(self: Tensor) -> Tensor:
    self._ctx = self._op = None
    self._parents = ()
    self.requires_grad = False
    return self


def _stride(self: Tensor, dim: Any = None) -> Any:
    st = tuple(s // self.data.itemsize for s in self.data.strides)
    return st if dim is None else st[A.one_dim("stride", dim, self.shape)]


def _storage_offset(self: Tensor) -> int:
    arr = self.data
    base = arr
    while base.base is not None and isinstance(base.base, np.ndarray):
        base = base.base
    return (arr.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // arr.itemsize


_NO_BFLOAT = "bfloat16: numpy has no bfloat16; use .float() (float32) or .half() (float16)"

_METHODS: dict = {
    "to": _to, "cpu": _cpu, "cuda": _cuda,
    "is_floating_point": lambda self: self.data.dtype.kind == "f",
    "is_complex": lambda self: False,
    "is_signed": lambda self: self.data.dtype.kind in "fi",
    "is_contiguous": lambda self, memory_format=None: bool(self.data.flags.c_contiguous),
    "is_same_size": lambda self, other: self.shape == _t(other).shape,
    "is_nonzero": lambda self: bool(self.item()),
    "element_size": lambda self: self.data.itemsize,
    "nelement": lambda self: self.data.size, "ndimension": lambda self: self.data.ndim,
    "stride": _stride, "storage_offset": _storage_offset,
    "data_ptr": lambda self: self.data.__array_interface__["data"][0],
    "half": lambda self: self.astype(np.float16), "short": lambda self: Tensor._make(self.data.astype(np.int16)),
    "byte": lambda self: Tensor._make(self.data.astype(np.uint8)),
    "char": lambda self: Tensor._make(self.data.astype(np.int8)),
    "bfloat16": lambda self: (_ for _ in ()).throw(TypeError(_NO_BFLOAT)),
    "type": _type, "detach_": _detach_,
    "where": lambda self, condition, other: _where(np.asarray(getattr(condition, "data", condition)), self, other),
    "select": select, "ravel": ravel, "msort": msort, "diagflat": diagflat, "unfold": _unfold,
    "sum_to_size": _sum_to_size, "take": take, "index_put": index_put,
    "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit, "split_with_sizes": split_with_sizes,
    "quantile": quantile, "nanquantile": nanquantile, "logaddexp2": logaddexp2, "sinc": sinc,
    "heaviside": heaviside, "float_power": float_power, "ldexp": ldexp, "renorm": renorm,
    "addr": addr, "inner": inner, "vdot": vdot, "matrix_power": matrix_power, "inverse": inverse, "det": det,
    "logdet": logdet, "slogdet": slogdet, "tensordot": tensordot,
    "bitwise_and": bitwise_and, "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    "bernoulli": bernoulli, "multinomial": multinomial, "cov": cov, "corrcoef": corrcoef,
    "slice_scatter": slice_scatter, "select_scatter": select_scatter, "diagonal_scatter": diagonal_scatter,
    "histogram": histogram, "unique_consecutive": unique_consecutive, "frexp": frexp, "gcd": gcd, "lcm": lcm,
    "nextafter": nextafter, "fix": fix, "narrow_copy": narrow_copy,
    "isreal": lambda self: Tensor._make(np.ones(self.shape, bool)), "conj": lambda self: self,
    "resolve_conj": lambda self: self, "resolve_neg": lambda self: self, "conj_physical": lambda self: self,
    "normal_": _random_fill("normal_", _normal), "uniform_": _random_fill("uniform_", _uniform),
    "bernoulli_": _random_fill("bernoulli_", _bernoulli),
    "exponential_": _random_fill("exponential_", _exponential),
    "log_normal_": _random_fill("log_normal_", _log_normal), "cauchy_": _random_fill("cauchy_", _cauchy),
    "geometric_": _random_fill("geometric_", _geometric), "random_": _random_fill("random_", _random),
    "squeeze_": _shape_inplace("squeeze_", lambda x, *a, **k: x.squeeze(*a, **k)),
    "unsqueeze_": _shape_inplace("unsqueeze_", lambda x, d: x.unsqueeze(d)),
    "t_": _shape_inplace("t_", lambda x: x.t()),
    "transpose_": _shape_inplace("transpose_", lambda x, a, b: x.transpose(a, b)),
    "swapaxes_": _shape_inplace("swapaxes_", lambda x, a, b: x.swapaxes(a, b)),
    "swapdims_": _shape_inplace("swapdims_", lambda x, a, b: x.swapaxes(a, b)),
}

_PROPERTIES = {
    "device": lambda self: _CPU,
    "is_cuda": lambda self: False,
    "is_cpu": lambda self: True,
    "is_sparse": lambda self: False,
    "is_quantized": lambda self: False,
    "itemsize": lambda self: self.data.itemsize,
    "nbytes": lambda self: self.data.nbytes,
    "retains_grad": lambda self: bool(self._retain),
    "H": lambda self: self.T, "mH": lambda self: self.mT, "real": lambda self: self,
}

# in-place twins ``x.<name>_(...)`` of methods that have none yet (their result written back, recorded)
_TWINS = (
    "acos", "acosh", "asin", "asinh", "atan", "atanh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctanh", "cosh", "sinh", "tan", "erf", "erfc", "exp2", "expm1", "log10", "log2", "log1p", "rsqrt", "sgn",
    "deg2rad", "rad2deg", "logit", "negative", "absolute", "copysign", "hypot", "xlogy", "atan2", "arctan2",
    "logaddexp", "float_power", "heaviside", "ldexp", "sinc", "renorm", "cumsum", "cumprod", "divide", "multiply",
    "subtract", "true_divide", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal",
    "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "softplus",
    "hardsigmoid", "hardswish", "silu", "gelu", "celu", "selu", "relu6", "clip", "clamp", "fmax", "fmin",
    "index_put", "fix", "gcd", "lcm",
)


def _twin(base: str) -> Callable:
    return lambda x, *a, **k: getattr(x, base)(*a, **k)


def _format(self: Tensor, spec: str) -> str:
    """``f"{x:.3f}"``: a one-element tensor formats as its number (as torch's 0-d tensors); others as repr."""
    if self.data.ndim == 0:
        return format(self.data.item(), spec)
    return format(repr(self), spec)


def install(cls: type) -> None:
    """Put the methods and properties on ``Tensor`` (only names it does not define itself; ``to`` is replaced by
    the device-aware one)."""
    cls.to = _to
    if "__format__" not in cls.__dict__:
        cls.__format__ = _format
    for name, fn in _METHODS.items():
        if name not in cls.__dict__:
            setattr(cls, name, fn)
    for name, fn in _PROPERTIES.items():
        if name not in cls.__dict__:
            setattr(cls, name, property(fn))
    if "adjoint" not in cls.__dict__:
        cls.adjoint = lambda self: self.mT
    for base in _TWINS:
        name = base + "_"
        if hasattr(cls, base) and name not in cls.__dict__:
            setattr(cls, name, M._inplace_method(name, _twin(base)))
    # shifts and the in-place bitwise operators of integer and bool tensors
    cls.__lshift__ = lambda self, other: bitwise_left_shift(self, other)
    cls.__rlshift__ = lambda self, other: bitwise_left_shift(Tensor._lift(other, self, "lshift"), self)
    cls.__rshift__ = lambda self, other: bitwise_right_shift(self, other)
    cls.__rrshift__ = lambda self, other: bitwise_right_shift(Tensor._lift(other, self, "rshift"), self)
    for op, fn in (("__iand__", bitwise_and), ("__ior__", bitwise_or), ("__ixor__", bitwise_xor),
                   ("__ilshift__", bitwise_left_shift), ("__irshift__", bitwise_right_shift)):
        if op not in cls.__dict__:
            setattr(cls, op, M._inplace_method(op, fn))


install(Tensor)
