"""More of ``torch.nn``'s modules: distances, margin and ranking losses, Poisson NLL, the shrink activations,
Threshold, RReLU, Bilinear, Softmax2d, Dropout1d, AlphaDropout and ParameterDict (tensor mode; each
wraps the function of the same name in ``nn.functional``, with torch's arguments and defaults)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any, Callable, Iterator

import numpy as np

from autograd import Tensor

from . import functional as F
from . import functional_more as M
from .activations import ACTIVATION_MODULES
from .attention import _dtype
from .init import rng_from
from .losses import LOSSES, _Loss, _WeightedLoss
from .module import Module, Parameter, is_parameter, parameter_shape

__all__ = [
    "CosineSimilarity", "PairwiseDistance",
    "TripletMarginLoss", "TripletMarginWithDistanceLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
    "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "PoissonNLLLoss",
    "LogSigmoid", "Threshold", "RReLU", "Tanhshrink", "Softshrink", "Hardshrink",
    "Bilinear", "Softmax2d", "Dropout1d", "AlphaDropout", "FeatureAlphaDropout", "ParameterDict",
]


def _bool(x: Any, where: str, what: str) -> bool:
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{where}: {what} must be True or False, got {x!r}")
    return bool(x)


def _seed_rng(seed: Any) -> Any:
    return rng_from(seed) if seed is not None else None


# ---------------------------------------------------------------- distances


class CosineSimilarity(Module):
    """cos(x1, x2) along ``dim`` (default 1): sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps))."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"CosineSimilarity: dim must be an int, got {dim!r}")
        self.dim, self.eps = int(dim), F.check_number(eps, "CosineSimilarity", "eps")

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return M.cosine_similarity(x1, x2, self.dim, self.eps)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, eps={self.eps:g}"


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last axis (torch keeps p as ``self.norm``)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = M._norm_p(p, "PairwiseDistance")
        self.eps = F.check_number(eps, "PairwiseDistance", "eps")
        self.keepdim = _bool(keepdim, "PairwiseDistance", "keepdim")

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return M.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)

    def extra_repr(self) -> str:
        return f"p={self.norm:g}, eps={self.eps:g}, keepdim={self.keepdim}"


# ------------------------------------------------------------- margin losses


class TripletMarginLoss(_Loss):
    """max(d(a, p) - d(a, n) + margin, 0) with the p-norm pairwise distance: forward(anchor, positive, negative)."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = M._margin(margin, "TripletMarginLoss")
        self.p = M._norm_p(p, "TripletMarginLoss")
        self.eps = F.check_number(eps, "TripletMarginLoss", "eps")
        self.swap = _bool(swap, "TripletMarginLoss", "swap")

    def forward(self, anchor: Any, positive: Any, negative: Any) -> Tensor:
        return M.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}, p={self.p:g}, eps={self.eps:g}, swap={self.swap}, reduction={self.reduction!r}"


class TripletMarginWithDistanceLoss(_Loss):
    """max(d(a, p) - d(a, n) + margin, 0) with any distance d (default ``PairwiseDistance()``)."""

    def __init__(self, *, distance_function: Callable | None = None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        where = "TripletMarginWithDistanceLoss"
        self.margin = M._margin(margin, where)
        self.swap = _bool(swap, where, "swap")
        if distance_function is not None and not callable(distance_function):
            raise TypeError(f"{where}: distance_function must be a function d(x1, x2), "
                            f"got {type(distance_function).__name__}")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()

    def forward(self, anchor: Any, positive: Any, negative: Any) -> Tensor:
        return M.triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                   margin=self.margin, swap=self.swap, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}, swap={self.swap}, reduction={self.reduction!r}"


class MarginRankingLoss(_Loss):
    """max(0, -y (x1 - x2) + margin): forward(input1, input2, target), y = 1 or -1."""

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = F.check_number(margin, "MarginRankingLoss", "margin")

    def forward(self, input1: Any, input2: Any, target: Any) -> Tensor:
        return M.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}, reduction={self.reduction!r}"


class HingeEmbeddingLoss(_Loss):
    """x where y = 1, max(0, margin - x) where y = -1."""

    def __init__(self, margin: float = 1.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = F.check_number(margin, "HingeEmbeddingLoss", "margin")

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return M.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}, reduction={self.reduction!r}"


class SoftMarginLoss(_Loss):
    """log(1 + e**(-y x)), the two-class logistic loss for y in {1, -1}."""

    fn = staticmethod(M.soft_margin_loss)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """The mean over classes of the per-class logistic loss (multi-label, targets 0/1); ``weight`` per class."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return M.multilabel_soft_margin_loss(input, target, weight=self._weight(), reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss: sum over i != y of w[y] max(0, margin - x[y] + x[i])**p / C (p 1 or 2)."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Any = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if isinstance(p, bool) or p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 are supported, got p={p!r}")
        w = self.weight
        if w is not None and np.ndim(w.data if isinstance(w, Tensor) else w) != 1:
            raise ValueError(f"MultiMarginLoss: weight must be None or one-dimensional (one per class), got shape "
                             f"{np.shape(w.data if isinstance(w, Tensor) else w)}")
        self.p = int(p)
        self.margin = F.check_number(margin, "MultiMarginLoss", "margin")

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return M.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self._weight(),
                                   reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"p={self.p}, margin={self.margin:g}, reduction={self.reduction!r}"


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss; the target lists each sample's classes, ended by -1."""

    fn = staticmethod(M.multilabel_margin_loss)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood: e**x - y x for log-rates x (``log_input``), x - y log(x + eps) for rates."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None, eps: float = 1e-8,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = _bool(log_input, "PoissonNLLLoss", "log_input")
        self.full = _bool(full, "PoissonNLLLoss", "full")
        self.eps = F.check_number(eps, "PoissonNLLLoss", "eps")

    def forward(self, log_input: Any, target: Any) -> Tensor:
        return M.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"log_input={self.log_input}, full={self.full}, eps={self.eps:g}, reduction={self.reduction!r}"


LOSSES.update({  # nn.get_loss("soft_margin"), Trainer(loss_fn="multi_margin"): the (input, target) losses
    "hinge_embedding": HingeEmbeddingLoss,
    "soft_margin": SoftMarginLoss,
    "multilabel_soft_margin": MultiLabelSoftMarginLoss,
    "multi_margin": MultiMarginLoss,
    "multilabel_margin": MultiLabelMarginLoss,
    "poisson_nll": PoissonNLLLoss,
})


# --------------------------------------------------------------- activations


class LogSigmoid(Module):
    """log(sigmoid(x)), computed without overflow."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.logsigmoid(input)


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = F.check_number(threshold, "Threshold", "threshold")
        self.value = F.check_number(value, "Threshold", "value")
        self.inplace = _bool(inplace, "Threshold", "inplace")

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold:g}, value={self.value:g}" + (", inplace=True" if self.inplace else "")


class RReLU(Module):
    """Randomised leaky ReLU: in training each negative entry's slope is drawn from U(lower, upper); in eval it
    is (lower + upper) / 2. ``seed`` (an int or a Generator) makes the draws repeatable."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False, *,
                 seed: Any = None) -> None:
        super().__init__()
        self.lower = F.check_number(lower, "RReLU", "lower")
        self.upper = F.check_number(upper, "RReLU", "upper")
        if self.lower > self.upper:
            raise ValueError(f"RReLU: lower={self.lower:g} must be <= upper={self.upper:g}; swap them")
        self.inplace = _bool(inplace, "RReLU", "inplace")
        self.rng = _seed_rng(seed)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.rrelu(input, self.lower, self.upper, self.training, self.inplace, generator=self.rng)

    def extra_repr(self) -> str:
        return f"lower={self.lower:g}, upper={self.upper:g}" + (", inplace=True" if self.inplace else "")


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.tanhshrink(input)


class Softshrink(Module):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = F.check_number(lambd, "Softshrink", "lambd")
        if self.lambd < 0:
            raise ValueError(f"Softshrink: lambd must be >= 0, got {self.lambd:g}")

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd:g}"


class Hardshrink(Module):
    """x outside [-lambd, lambd], else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = F.check_number(lambd, "Hardshrink", "lambd")

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd:g}"


class Softmax2d(Module):
    """softmax over the channels (dim -3) of (N, C, H, W) or (C, H, W), at every position."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        x = M._float(input, "Softmax2d")
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected an input of shape (N, C, H, W) or (C, H, W), got shape {x.shape}")
        return x.softmax(-3)


ACTIVATION_MODULES.update({  # nn.get_activation("tanhshrink"), MLP(..., activation="softshrink")
    "logsigmoid": LogSigmoid,
    "log_sigmoid": LogSigmoid,
    "rrelu": RReLU,
    "tanhshrink": Tanhshrink,
    "softshrink": Softshrink,
    "hardshrink": Hardshrink,
})


# ------------------------------------------------------------------- layers


class Bilinear(Module):
    """y = x1^T W x2 + b per output: weight (out_features, in1_features, in2_features), bias (out_features,),
    both U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as torch (``seed``: an int or a Generator)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None, *, seed: Any = None) -> None:
        super().__init__()
        sizes = []
        for name, n in (("in1_features", in1_features), ("in2_features", in2_features),
                        ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Bilinear: {name} must be a positive int, got {n!r}")
            sizes.append(int(n))
        self.in1_features, self.in2_features, self.out_features = sizes
        dt = _dtype(dtype, device, "Bilinear")
        self._seed = seed if seed is None or isinstance(seed, (int, np.integer)) else rng_from(seed)
        self.weight = Parameter(np.zeros((self.out_features, self.in1_features, self.in2_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.zeros(self.out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Both parameters U(-1/sqrt(in1_features), 1/sqrt(in1_features)), as torch."""
        bound = 1.0 / math.sqrt(self.in1_features)
        rng = rng_from(self._seed)
        w = self.weight
        w.data[...] = rng.uniform(-bound, bound, size=w.shape)
        if self.bias is not None:
            self.bias.data[...] = rng.uniform(-bound, bound, size=self.bias.shape)

    def forward(self, input1: Any, input2: Any) -> Tensor:
        return M.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False, *, seed: Any = None) -> None:
        super().__init__()
        where = type(self).__name__
        if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
            raise ValueError(f"{where}: dropout probability has to be between 0 and 1, got {p!r}")
        self.p = float(p)
        self.inplace = _bool(inplace, where, "inplace")
        self.rng = _seed_rng(seed)

    def extra_repr(self) -> str:
        return f"p={self.p:g}, inplace={self.inplace}"


class Dropout1d(_DropoutNd):
    """Channel dropout for (N, C, L) or (C, L): in training each channel is zeroed with probability p and the
    rest scaled by 1/(1 - p); the identity in eval. ``seed`` makes the masks repeatable."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.dropout1d(input, self.p, self.training, self.inplace, generator=self.rng)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped units go to SELU's negative saturation and the result is rescaled so
    that zero mean and unit variance are kept; the identity in eval."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.alpha_dropout(input, self.p, self.training, generator=self.rng)


class FeatureAlphaDropout(_DropoutNd):
    """AlphaDropout of whole channels of (N, C, *); the identity in eval."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.feature_alpha_dropout(input, self.p, self.training, generator=self.rng)


# ------------------------------------------------------------- containers


class ParameterDict(Module):
    """Parameters by name, in insertion order: ``d["w"]``, ``for k in d``, ``d.items()``, ``d.update(...)``.

    A Tensor that is not a Parameter is made one (a copy that requires grad), as torch does; a plain dict
    given to the constructor or ``update`` is added in sorted key order (torch's rule; an OrderedDict or a
    ParameterDict keeps its order).
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _key(key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: keys must be strings, got {type(key).__name__} {key!r:.40}")
        if not key or "." in key:
            raise KeyError(f"ParameterDict: keys must be non-empty strings without '.', got {key!r}")
        return key

    def __getitem__(self, key: str) -> Any:
        params = self._parameters
        if key not in params:
            import difflib

            close = difflib.get_close_matches(str(key), list(params), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KeyError(f"ParameterDict has no parameter {key!r}{hint}")
        return params[key]

    def __setitem__(self, key: str, value: Any) -> None:
        key = self._key(key)
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value.data)
        if not is_parameter(value):
            raise TypeError(f"ParameterDict[{key!r}]: expected a Parameter (or a Tensor, made one), a Value or an "
                            f"object array of Values, got {type(value).__name__}")
        self._parameters[key] = value

    def __delitem__(self, key: str) -> None:
        self[key]
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._parameters))

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._parameters))

    def __contains__(self, key: Any) -> bool:
        return key in self._parameters

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called; index it by name, d['weight']")

    def keys(self) -> list:
        return list(self._parameters.keys())

    def values(self) -> list:
        return list(self._parameters.values())

    def items(self) -> list:
        return list(self._parameters.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._parameters[key] if key in self._parameters else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self._parameters:
            self[key] = default
        return self[key]

    def pop(self, key: str) -> Any:
        v = self[key]
        del self._parameters[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        if not self._parameters:
            raise KeyError("ParameterDict.popitem: the dict is empty")
        return self._parameters.popitem()

    def clear(self) -> None:
        self._parameters.clear()

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same parameters (not copies), in the same order."""
        return ParameterDict(OrderedDict(self._parameters))

    def update(self, parameters: Any) -> None:
        """Add (name, parameter) pairs from a mapping, a ParameterDict or an iterable of pairs."""
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items(), key=lambda kv: str(kv[0]))
        elif isinstance(parameters, Iterable) and not isinstance(parameters, (str, Tensor, np.ndarray)):
            pairs = []
            for j, kv in enumerate(parameters):
                if not isinstance(kv, Iterable) or isinstance(kv, str):
                    raise TypeError(f"ParameterDict.update: entry #{j} must be a (name, parameter) pair, "
                                    f"got {type(kv).__name__}")
                kv = tuple(kv)
                if len(kv) != 2:
                    raise ValueError(f"ParameterDict.update: entry #{j} has length {len(kv)}; 2 (name, parameter) "
                                     "is required")
                pairs.append(kv)
        else:
            raise TypeError(f"ParameterDict.update: expected a dict or (name, parameter) pairs, "
                            f"got {type(parameters).__name__}")
        for k, v in pairs:
            self[k] = v

    def __or__(self, other: "ParameterDict") -> "ParameterDict":
        out = self.copy()
        out.update(other)
        return out

    def __ior__(self, other: "ParameterDict") -> "ParameterDict":
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"({k}): Parameter of shape {parameter_shape(p)}" for k, p in self._parameters.items())
