"""Losses as modules: ``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, y)``, in either mode.

Each holds its ``reduction`` ('mean', 'sum' or 'none') and calls the function
of the same name in ``nn.functional``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from . import functional as F
from .module import Module


class _Loss(Module):
    fn: Any = None
    default_reduction = "mean"

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str | None = None) -> None:
        super().__init__()
        if isinstance(size_average, str):  # the old spelling MSELoss("sum")
            size_average, reduction = None, size_average
        reduction = self.default_reduction if reduction is None else reduction
        self.reduction = F._legacy_reduction(size_average, reduce, reduction, type(self).__name__)

    def forward(self, pred: Any, target: Any) -> Any:
        return type(self).fn(pred, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with an optional per-class (or per-element) ``weight``, kept as a buffer (as torch does)."""

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str | None = None) -> None:
        if isinstance(weight, str):  # the old spelling BCELoss("sum")
            weight, reduction = None, weight
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_weight(weight, type(self).__name__, "weight"))

    def _weight(self) -> Any:
        """``self.weight``, read straight from the buffers (the attribute goes through ``__getattr__``, ~1 us)."""
        buffers = self.__dict__["_buffers"]
        return buffers["weight"] if "weight" in buffers else self.weight


def _as_weight(w: Any, where: str, what: str) -> Any:
    if w is None or isinstance(w, (Tensor, np.ndarray)):
        return w
    try:
        return np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {what} must be an array of numbers, got {type(w).__name__}") from None


class MSELoss(_Loss):
    """Mean squared error: mean (pred - target)**2."""

    fn = staticmethod(F.mse_loss)


class SSELoss(_Loss):
    """The classic cost: half the sum of squared errors, 1/2 sum (pred - target)**2."""

    fn = staticmethod(F.sse_loss)
    default_reduction = "sum"


class L1Loss(_Loss):
    """Mean absolute error: mean |pred - target|."""

    fn = staticmethod(F.l1_loss)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities (after a sigmoid); ``weight`` scales each element."""

    def forward(self, pred: Any, target: Any) -> Any:
        return F.binary_cross_entropy(pred, target, weight=self._weight(), reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy on raw scores, stable for any size of score (prefer it to Sigmoid + BCELoss).

    ``pos_weight`` (one per class, on the last axis) weighs the positive examples.
    """

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str | None = None, pos_weight: Any = None) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", _as_weight(pos_weight, "BCEWithLogitsLoss", "pos_weight"))

    def forward(self, pred: Any, target: Any) -> Any:
        return F.binary_cross_entropy_with_logits(pred, target, weight=self._weight(), reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on raw scores (logits), with class indices or class probabilities as targets.

    ``weight`` (one per class), ``ignore_index`` and ``label_smoothing`` as in torch; inputs
    (N, C), (C,) or (N, C, d1, ...).
    """

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str | None = None, label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = _int(ignore_index, "CrossEntropyLoss", "ignore_index")
        self.label_smoothing = F.check_number(label_smoothing, "CrossEntropyLoss", "label_smoothing")
        if not 0.0 <= self.label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {self.label_smoothing}")

    def forward(self, pred: Any, target: Any) -> Any:
        return F.cross_entropy(pred, target, weight=self._weight(), ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (use after LogSoftmax); ``weight`` and ``ignore_index`` as torch."""

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str | None = None) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = _int(ignore_index, "NLLLoss", "ignore_index")

    def forward(self, pred: Any, target: Any) -> Any:
        return F.nll_loss(pred, target, weight=self._weight(), ignore_index=self.ignore_index, reduction=self.reduction)


def _int(x: Any, where: str, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{where}: {what} must be an int, got {x!r}")
    return int(x)


class HuberLoss(_Loss):
    """0.5 d**2 where |d| < delta, else delta (|d| - 0.5 delta), d = pred - target."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = F.check_number(delta, "HuberLoss", "delta")
        if not self.delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {self.delta}")

    def forward(self, pred: Any, target: Any) -> Any:
        return F.huber_loss(pred, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return f"delta={self.delta:g}, reduction={self.reduction!r}"


class SmoothL1Loss(_Loss):
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta (HuberLoss(delta=beta) / beta)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = F.check_number(beta, "SmoothL1Loss", "beta")
        if self.beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0, got {self.beta}")

    def forward(self, pred: Any, target: Any) -> Any:
        return F.smooth_l1_loss(pred, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta:g}, reduction={self.reduction!r}"


class KLDivLoss(Module):
    """KL divergence of log-probabilities ``pred`` from the target distribution (``reduction="batchmean"``: the KL)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__()
        if reduction != "batchmean":
            reduction = F._legacy_reduction(size_average, reduce, reduction, "KLDivLoss", extra=("batchmean",))
        self.reduction = reduction
        if not isinstance(log_target, (bool, np.bool_)):
            raise TypeError(f"KLDivLoss: log_target must be True or False, got {log_target!r}")
        self.log_target = bool(log_target)

    def forward(self, pred: Any, target: Any) -> Any:
        return F.kl_div(pred, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, log_target={self.log_target}"


class GaussianNLLLoss(Module):
    """Negative log-likelihood of a Gaussian, 0.5 (log var + (pred - target)**2 / var): forward(pred, target, var)."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__()
        F.check_reduction(reduction, "GaussianNLLLoss")
        self.full, self.reduction = bool(full), reduction
        self.eps = F.check_number(eps, "GaussianNLLLoss", "eps")

    def forward(self, pred: Any, target: Any, var: Any) -> Any:
        return F.gaussian_nll_loss(pred, target, var, full=self.full, eps=self.eps, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"full={self.full}, eps={self.eps:g}, reduction={self.reduction!r}"


class CosineEmbeddingLoss(Module):
    """1 - cos(x1, x2) for pairs labelled 1, max(0, cos(x1, x2) - margin) for pairs labelled -1."""

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.margin = F.check_number(margin, "CosineEmbeddingLoss", "margin")
        self.reduction = F._legacy_reduction(size_average, reduce, reduction, "CosineEmbeddingLoss")

    def forward(self, input1: Any, input2: Any, target: Any) -> Any:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}, reduction={self.reduction!r}"


class HingeLoss(_Loss):
    """Max-margin loss max(0, margin - y * score) for labels in {-1, +1} (micrograd's demo loss)."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.margin = F.check_number(margin, "HingeLoss", "margin")

    def forward(self, pred: Any, target: Any) -> Any:
        return F.hinge_loss(pred, target, margin=self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin:g}, reduction={self.reduction!r}"


MaxMarginLoss = HingeLoss

LOSSES = {
    "mse": MSELoss,
    "sse": SSELoss,
    "l1": L1Loss,
    "bce": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "cross_entropy": CrossEntropyLoss,
    "nll": NLLLoss,
    "hinge": HingeLoss,
    "max_margin": HingeLoss,
    "huber": HuberLoss,
    "smooth_l1": SmoothL1Loss,
    "kl_div": KLDivLoss,
    "gaussian_nll": GaussianNLLLoss,
    "cosine_embedding": CosineEmbeddingLoss,
}


def get_loss(spec: Any) -> Any:
    """A loss module from a name (see ``LOSSES``), or ``spec`` itself if it is callable."""
    if callable(spec):
        return spec
    if isinstance(spec, str) and spec.lower() in LOSSES:
        return LOSSES[spec.lower()]()
    raise ValueError(f"unknown loss {spec!r}; choose one of {', '.join(LOSSES)} or pass a loss function")
