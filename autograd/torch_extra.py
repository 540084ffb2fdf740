"""More of torch's top-level functions and Tensor methods: devices (CPU only), products by rank,
random tensors, and conversions.

mm(a, b) = a @ b for 2-D a, b; bmm for 3-D batches; mv(A, v) = A v; dot(u, v) = sum u_i v_i (1-D).
Devices: every tensor lives on the CPU; ``.to("cpu")``, ``.cpu()`` and ``device("cpu")`` are accepted,
``"cuda"`` is refused with an error that says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import creation as _creation
from .ops.logexp import Expm1, Log1p
from .tensor import Tensor, as_tensor

__all__ = ["from_numpy", "is_tensor", "is_floating_point", "mm", "bmm", "mv", "dot", "square", "log1p", "expm1",
           "randint", "randperm", "multinomial", "normal", "empty", "empty_like", "device", "cuda",
           "set_printoptions"]


# ------------------------------------------------------------------ devices


class device:  # noqa: N801  (torch's name)
    """torch.device: only ``"cpu"`` exists here."""

    __slots__ = ("type", "index")

    def __init__(self, spec: Any = "cpu", index: int | None = None) -> None:
        name = spec.type if isinstance(spec, device) else str(spec)
        kind = name.split(":")[0]
        if kind != "cpu":
            raise RuntimeError(f"device: gradwork runs on the CPU only, got {name!r}; use 'cpu' (or leave the "
                               "device out)")
        self.type, self.index = "cpu", index

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, device) and other.type == self.type or other == "cpu"

    def __hash__(self) -> int:
        return hash(self.type)

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"


CPU = device("cpu")


class cuda:  # noqa: N801  (torch.cuda, as a namespace)
    """torch.cuda: no GPU here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0


def _is_device(x: Any) -> bool:
    return isinstance(x, device) or (isinstance(x, str) and x.split(":")[0] in ("cpu", "cuda", "mps", "xpu", "meta"))


def to(self: Tensor, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False,  # noqa: A002
       non_blocking: bool = False) -> Tensor:
    """torch's ``to``: a dtype, a device ("cpu"), another tensor (its dtype), or a device and a dtype."""
    for a in args:
        if _is_device(a):
            device = a
        elif isinstance(a, Tensor):
            dtype = a.data.dtype
        elif dtype is None:
            dtype = a
        else:
            raise TypeError(f"to: got more than one dtype ({dtype!r} and {a!r}); give one dtype and/or 'cpu'")
    if device is not None:
        globals()["device"](device)  # raises for anything but the CPU
    out = self if dtype is None else self.astype(dtype)
    return out.clone() if copy and out is self else out


def _cpu(self: Tensor) -> Tensor:
    return self


def _cuda(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    raise RuntimeError("cuda: gradwork runs on the CPU only; leave out .cuda() / .to('cuda')")


# ------------------------------------------------------------------ conversions


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor over the same memory as the array ``a`` (as torch.from_numpy)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(a).__name__}")
    if a.dtype.kind not in "fiub":
        raise TypeError(f"from_numpy: cannot make a tensor of dtype {a.dtype}; use a float, int or bool array")
    return Tensor._make(a)


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def is_floating_point(x: Any) -> bool:
    return isinstance(x, Tensor) and x.data.dtype.kind == "f"


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
               "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
               "bool": "BoolTensor"}


def _type(self: Tensor, dtype: Any = None) -> Any:
    """No argument: torch's type name ('torch.FloatTensor'); a dtype (or such a name): the tensor in that dtype."""
    if dtype is None:
        return "torch." + _TYPE_NAMES.get(self.data.dtype.name, self.data.dtype.name)
    if isinstance(dtype, str) and dtype.startswith("torch."):
        names = {v: k for k, v in _TYPE_NAMES.items()}
        if dtype[6:] not in names:
            raise TypeError(f"type: unknown tensor type {dtype!r}; known: {sorted('torch.' + n for n in names)}")
        dtype = names[dtype[6:]]
    return self.astype(dtype)


def _contiguous(self: Tensor) -> Tensor:
    """self when its memory is in C order, else a recorded copy that is."""
    return self if self.data.flags.c_contiguous else self.clone()


def _is_contiguous(self: Tensor) -> bool:
    return bool(self.data.flags.c_contiguous)


# ------------------------------------------------------------------ products by rank


def _ranks(op: str, a: Any, b: Any, ra: int, rb: int) -> tuple:
    a, b = as_tensor(a), as_tensor(b)
    if a.data.ndim != ra or b.data.ndim != rb:
        raise ValueError(f"{op}: expected a {ra}-D and a {rb}-D tensor, got shapes {a.shape} and {b.shape}; "
                         "use matmul (@) for other ranks")
    return a, b


def mm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """Matrix product of two 2-D tensors."""
    a, b = _ranks("mm", input, mat2, 2, 2)
    return a @ b


def bmm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p)."""
    a, b = _ranks("bmm", input, mat2, 3, 3)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: batch sizes differ, shapes {a.shape} and {b.shape}")
    return a @ b


def mv(input: Any, vec: Any) -> Tensor:  # noqa: A002
    """Matrix times vector: (n, m) @ (m,) -> (n,)."""
    a, b = _ranks("mv", input, vec, 2, 1)
    return a @ b


def dot(input: Any, other: Any) -> Tensor:  # noqa: A002
    """Inner product of two 1-D tensors of the same length."""
    a, b = _ranks("dot", input, other, 1, 1)
    if a.shape != b.shape:
        raise ValueError(f"dot: lengths differ, shapes {a.shape} and {b.shape}")
    return a @ b


def square(input: Any) -> Tensor:  # noqa: A002
    """x * x."""
    x = as_tensor(input)
    return x * x


def log1p(input: Any) -> Tensor:  # noqa: A002
    """ln(1 + x), accurate for small x."""
    return Log1p.apply(as_tensor(input))


def expm1(input: Any) -> Tensor:  # noqa: A002
    """e**x - 1, accurate for small x."""
    return Expm1.apply(as_tensor(input))


# ------------------------------------------------------------------ random and empty tensors


def _shape(size: Any, op: str) -> tuple:
    return _creation._sizes(tuple(size) if isinstance(size, (tuple, list)) else (size,), op)


def randint(low: int, high: int | None = None, size: Any = None, *, dtype: Any = None, seed: Any = None) -> Tensor:
    """Integers drawn uniformly from [low, high) (``randint(high, size)`` draws from [0, high)), int64."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint: call randint(high, size) or randint(low, high, size), size a tuple")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    dt = np.dtype(np.int64 if dtype is None else dtype)
    return Tensor._make(_creation._generator(seed).integers(low, high, _shape(size, "randint")).astype(dt))


def randperm(n: int, *, seed: Any = None) -> Tensor:
    """A random permutation of 0 .. n-1 (int64)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be an int >= 0, got {n!r}")
    return Tensor._make(_creation._generator(seed).permutation(int(n)).astype(np.int64))


def multinomial(input: Any, num_samples: int, replacement: bool = False, *, seed: Any = None) -> Tensor:  # noqa: A002
    """Indices drawn with probabilities proportional to the (non-negative) weights of each row."""
    w = np.asarray(as_tensor(input).data, dtype=np.float64)
    if w.ndim not in (1, 2) or w.size == 0:
        raise ValueError(f"multinomial: expected 1-D or 2-D weights, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("multinomial: weights must be finite and non-negative")
    rows = w.reshape(-1, w.shape[-1])
    if np.any(rows.sum(axis=1) <= 0):
        raise ValueError("multinomial: every row of weights needs a positive sum")
    if not replacement and num_samples > rows.shape[1]:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                         f"{rows.shape[1]} categories; pass replacement=True")
    rng = _creation._generator(seed)
    out = np.stack([rng.choice(rows.shape[1], size=num_samples, replace=replacement, p=r / r.sum())
                    for r in rows]).astype(np.int64)
    return Tensor._make(out if w.ndim == 2 else out[0])


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, dtype: Any = None, seed: Any = None) -> Tensor:
    """Normal samples: tensor means and stds (broadcast), or numbers with a ``size``."""
    m = np.asarray(mean.data if isinstance(mean, Tensor) else mean, dtype=np.float64)
    s = np.asarray(std.data if isinstance(std, Tensor) else std, dtype=np.float64)
    if np.any(s < 0):
        raise ValueError("normal: std must be >= 0")
    shape = _shape(size, "normal") if size is not None else np.broadcast_shapes(m.shape, s.shape)
    dt = np.dtype(dtype) if dtype is not None else next(
        (t.data.dtype for t in (mean, std) if isinstance(t, Tensor)), np.dtype(np.float64))
    return Tensor._make((m + s * _creation._generator(seed).standard_normal(shape)).astype(dt))


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor of that shape (zero-filled here, so nothing uninitialised is ever read)."""
    return _creation.zeros(*size, dtype=dtype, requires_grad=requires_grad)


def empty_like(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    return _creation.zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def _uniform_(self: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Every element drawn from U(a, b), in place."""
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return self.copy_(_creation.default_rng().uniform(a, b, self.data.shape))


def _normal_(self: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Every element drawn from N(mean, std**2), in place."""
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return self.copy_(mean + std * _creation.default_rng().standard_normal(self.data.shape))


# ------------------------------------------------------------------ printing

PRINT = {"precision": 4, "threshold": 20, "edgeitems": 3, "linewidth": 75}


def set_printoptions(precision: int | None = None, threshold: int | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How Tensors print (torch's options; ``profile`` "default", "short" or "full")."""
    if profile is not None:
        presets = {"default": (4, 20, 3, 75), "short": (2, 1000, 2, 80), "full": (4, 2**62, 3, 80)}
        if profile not in presets:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(presets)}, got {profile!r}")
        PRINT.update(zip(("precision", "threshold", "edgeitems", "linewidth"), presets[profile]))
    for key, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                   ("linewidth", linewidth)):
        if v is not None:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"set_printoptions: {key} must be an int >= 0, got {v!r}")
            PRINT[key] = int(v)


# ------------------------------------------------------------------ the methods


def _method(fn: Any) -> Any:
    def m(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    m.__name__, m.__doc__ = fn.__name__, fn.__doc__
    return m


def install(cls: type) -> None:
    """Add the Tensor methods of this module to ``cls`` (called once, by tensor.py)."""
    cls.to = to
    cls.cpu = _cpu
    cls.cuda = _cuda
    cls.type = _type
    cls.contiguous = _contiguous
    cls.is_contiguous = _is_contiguous
    cls.is_floating_point = is_floating_point
    cls.device = property(lambda self: CPU, doc="Always the CPU.")
    cls.is_cuda = property(lambda self: False)
    cls.uniform_ = _uniform_
    cls.normal_ = _normal_
    for fn in (mm, bmm, mv, dot, square, log1p, expm1):
        if not hasattr(cls, fn.__name__):
            setattr(cls, fn.__name__, _method(fn))
