"""torch.special: special functions with torch's names and arguments, differentiable.

    >>> import autograd
    >>> round(autograd.special.gammaln(autograd.tensor(5.0)).item(), 6)  # log(4!)
    3.178054

The gamma family (``gammaln``/``lgamma``, ``digamma``/``psi``, ``polygamma``,
``multigammaln``), the error functions (``erf``, ``erfc``, ``erfinv``, ``ndtr``,
``ndtri``, ``log_ndtr``), Bessel functions (``i0``, ``i0e``, ``i1``, ``i1e``) and
``entr``, ``xlogy``, ``xlog1py``, ``expit``, ``logit``, ``sinc``, ``softmax``,
``log_softmax``, ``logsumexp``, ``exp2``, ``expm1``, ``log1p``, ``round``.
Values are computed in float64 with numpy alone (no SciPy; see
``autograd/kernels/special_ref.py``) and returned in the input's float dtype;
integer inputs become float64, gradwork's default dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .ops import special as _S
from .ops.arith import where as _where
from .tensor import Tensor, as_tensor

__all__ = [
    "lgamma", "gammaln", "digamma", "psi", "polygamma", "multigammaln", "mvlgamma", "erf", "erfc", "erfinv",
    "ndtr", "ndtri", "log_ndtr", "i0", "i0e", "i1", "i1e", "entr", "xlogy", "xlog1py", "expit", "logit", "sinc",
    "softmax", "log_softmax", "logsumexp", "exp2", "expm1", "log1p", "round",
]

_SQRT_HALF = math.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _float(input: Any, op: str) -> Tensor:  # noqa: A002  (torch's argument name)
    """``input`` as a floating Tensor (numbers and integer tensors become float64, gradwork's default)."""
    if isinstance(input, (str, bytes)) or input is None:
        raise TypeError(f"{op}: expected a Tensor or numbers, got {type(input).__name__} {input!r:.40}")
    x = input if isinstance(input, Tensor) else as_tensor(input)
    if x.data.dtype.kind == "f":
        return x
    if x.data.dtype.kind not in "iub":
        raise TypeError(f"{op}: expected a real tensor, got dtype {x.data.dtype}")
    return Tensor._make(x.data.astype(np.float64))


def lgamma(input: Any) -> Tensor:  # noqa: A002
    """log |Gamma(x)| (+inf at 0 and the negative integers); d/dx = digamma(x)."""
    return _S.Lgamma._apply1(_float(input, "lgamma"))


gammaln = lgamma


def digamma(input: Any) -> Tensor:  # noqa: A002
    """psi(x) = d/dx log Gamma(x) (-inf at 0, NaN at the negative integers); d/dx = polygamma(1, x)."""
    return _S.Digamma._apply1(_float(input, "digamma"))


psi = digamma


def polygamma(n: int, input: Any) -> Tensor:  # noqa: A002
    """The n-th derivative of digamma (n = 0: digamma itself); NaN for x <= 0 when n >= 1."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"polygamma: n must be an int >= 0 (the order of the derivative), got {n!r}")
    x = _float(input, "polygamma")
    return _S.Digamma._apply1(x) if n == 0 else _S.Polygamma._apply1(x, n=int(n))


def multigammaln(input: Any, p: int) -> Tensor:  # noqa: A002
    """The log of the multivariate gamma function: p(p-1)/4 log(pi) + sum_{j<p} lgamma(x - j/2); needs every
    x > (p - 1)/2, as torch."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ValueError(f"multigammaln: p must be an int >= 1, got {p!r}")
    x = _float(input, "multigammaln")
    if np.any(x.data <= (p - 1) / 2):
        raise ValueError(
            f"multigammaln: all elements must be greater than (p-1)/2 = {(p - 1) / 2} for p={p}; the smallest is "
            f"{float(np.min(x.data))}"
        )
    total = lgamma(x)
    for j in range(1, int(p)):
        total = total + lgamma(x - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


mvlgamma = multigammaln  # torch.mvlgamma(input, p)


def erf(input: Any) -> Tensor:  # noqa: A002
    """The error function; d/dx = 2/sqrt(pi) exp(-x**2)."""
    return _float(input, "erf").erf()


def erfc(input: Any) -> Tensor:  # noqa: A002
    """1 - erf(x), accurate in the tail (erfc(10) = 2.1e-45, not 0); d/dx = -2/sqrt(pi) exp(-x**2)."""
    return _S.Erfc._apply1(_float(input, "erfc"))


def _erfc_strict(input: Any) -> Tensor:  # noqa: A002
    """1 - erf(x), accurate in the tail (erfc(10) = 2.1e-45, not 0); ``autograd.erfc`` and ``x.erfc()``, which
    want a floating tensor, as they always have (``autograd.special.erfc`` takes integers too)."""
    x = as_tensor(input) if not isinstance(input, Tensor) else input
    if x.data.dtype.kind != "f":
        raise TypeError(f"erfc: needs a floating tensor, got {x.data.dtype}; convert with .double() or .float()")
    return _S.Erfc._apply1(x)


def erfinv(input: Any) -> Tensor:  # noqa: A002
    """The inverse of erf on [-1, 1] (+-inf at +-1, NaN outside); d/dx = sqrt(pi)/2 exp(erfinv(x)**2)."""
    return _S.Erfinv._apply1(_float(input, "erfinv"))


def ndtr(input: Any) -> Tensor:  # noqa: A002
    """The standard normal CDF, erfc(-x / sqrt 2) / 2."""
    return erfc(_float(input, "ndtr") * -_SQRT_HALF) * 0.5


def ndtri(input: Any) -> Tensor:  # noqa: A002
    """The inverse of ndtr (the normal quantile), -sqrt(2) erfcinv(2p); accurate for tiny p."""
    return _S.Erfcinv._apply1(_float(input, "ndtri") * 2.0) * -math.sqrt(2.0)


def log_ndtr(input: Any) -> Tensor:  # noqa: A002
    """log ndtr(x), finite far into the left tail (an asymptotic series below x = -20)."""
    x = _float(input, "log_ndtr")
    tail = x.data < -20
    if not tail.any():
        return ndtr(x).log()
    one = np.ones((), x.dtype)
    near = ndtr(_where(tail, -20 * one, x)).log()
    t = _where(tail, x, -20 * one)
    r = 1.0 / (t * t)  # log Phi(t) = -t^2/2 - log(-t) - log sqrt(2 pi) + log(1 - r + 3 r^2 - 15 r^3 + 105 r^4)
    far = -0.5 * t * t - (-t).log() - _LOG_SQRT_2PI + (r * (-1.0 + r * (3.0 + r * (-15.0 + r * 105.0)))).log1p()
    return _where(tail, far, near)


def _bessel(op: type, name: str) -> Any:
    def fn(input: Any) -> Tensor:  # noqa: A002
        return op._apply1(_float(input, name))

    fn.__name__ = name
    fn.__doc__ = op.__doc__
    return fn


i0 = _bessel(_S.I0, "i0")
i0e = _bessel(_S.I0e, "i0e")
i1 = _bessel(_S.I1, "i1")
i1e = _bessel(_S.I1e, "i1e")


def entr(input: Any) -> Tensor:  # noqa: A002
    """-x log x elementwise (0 at 0, -inf for x < 0)."""
    return _S.Entr._apply1(_float(input, "entr"))


def _pair(input: Any, other: Any, op: str) -> tuple:  # noqa: A002
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        return _float(input, op), _float(other, op)
    if isinstance(input, Tensor):
        x = _float(input, op)
        return x, Tensor._lift(other, x, op) if not isinstance(other, Tensor) else _float(other, op)
    y = _float(other, op)
    return Tensor._lift(input, y, op), y


def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x log(y), 0 where x == 0."""
    from .torch_more import xlogy as _xlogy

    x, y = _pair(input, other, "xlogy")
    return _xlogy(x, y)


def xlog1py(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x log(1 + y), 0 where x == 0; d/dx = log1p(y), d/dy = x / (1 + y)."""
    x, y = _pair(input, other, "xlog1py")
    return _S.Xlog1py.apply(x, y)


def expit(input: Any) -> Tensor:  # noqa: A002
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    return _float(input, "expit").sigmoid()


def logit(input: Any, eps: float | None = None) -> Tensor:  # noqa: A002
    """log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given."""
    from .torch_more import logit as _logit

    return _logit(_float(input, "logit"), eps)


def sinc(input: Any) -> Tensor:  # noqa: A002
    """sin(pi x) / (pi x), 1 at 0."""
    from .torch_extra import sinc as _sinc

    return _sinc(_float(input, "sinc"))


def _dtype(x: Tensor, dtype: Any) -> Tensor:
    return x if dtype is None else x.to(dtype)


def softmax(input: Any, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """exp(x) / sum exp(x) along ``dim`` (torch.special.softmax; dim is required)."""
    return _dtype(_float(input, "softmax"), dtype).softmax(dim)


def log_softmax(input: Any, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """x - logsumexp(x) along ``dim``."""
    return _dtype(_float(input, "log_softmax"), dtype).log_softmax(dim)


def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """log sum exp(x) along ``dim``, without overflow."""
    return _float(input, "logsumexp").logsumexp(dim, keepdim)


def exp2(input: Any) -> Tensor:  # noqa: A002
    """2 ** x."""
    from .torchops import exp2 as _exp2

    return _exp2(_float(input, "exp2"))


def expm1(input: Any) -> Tensor:  # noqa: A002
    """exp(x) - 1, accurate near 0."""
    return _float(input, "expm1").expm1()


def log1p(input: Any) -> Tensor:  # noqa: A002
    """log(1 + x), accurate near 0."""
    return _float(input, "log1p").log1p()


def round(input: Any, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """Round half to even, to ``decimals`` places (derivative 0)."""
    from .torchops import round as _round

    return _round(as_tensor(input) if not isinstance(input, Tensor) else input, decimals=decimals)


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


def _mvlgamma_method(self: Tensor, p: int) -> Tensor:
    return multigammaln(self, p)


_METHODS = {
    "lgamma": lgamma, "digamma": digamma, "polygamma": _polygamma_method, "erfinv": erfinv, "erfc": _erfc_strict,
    "i0": i0, "mvlgamma": _mvlgamma_method,
}


def _install(cls: type) -> None:
    """The torch methods ``x.lgamma()``, ``x.digamma()``, ``x.polygamma(n)``, ``x.erfinv()``, ``x.i0()``,
    ``x.mvlgamma(p)`` and the accurate ``x.erfc()``, with their in-place twins (``lgamma_`` ...)."""
    from .torch_more import _inplace_method

    for name, fn in _METHODS.items():
        setattr(cls, name, fn)
        setattr(cls, name + "_", _inplace_method(name + "_", fn))


_install(Tensor)
