"""Losses as modules: ``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, y)``, in either mode.

Each holds its ``reduction`` ('mean', 'sum' or 'none') and calls the function
of the same name in ``nn.functional``.
"""

from __future__ import annotations

from typing import Any

from . import functional as F
from .module import Module


class _Loss(Module):
    fn: Any = None
    default_reduction = "mean"

    def __init__(self, reduction: str | None = None) -> None:
        super().__init__()
        reduction = self.default_reduction if reduction is None else reduction
        F.check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def forward(self, pred: Any, target: Any) -> Any:
        return type(self).fn(pred, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


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


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (after a sigmoid)."""

    fn = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on raw scores, stable for any size of score (prefer it to Sigmoid + BCELoss)."""

    fn = staticmethod(F.binary_cross_entropy_with_logits)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on raw scores (logits), with integer labels or one-hot/probability targets."""

    fn = staticmethod(F.cross_entropy)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (use after LogSoftmax)."""

    fn = staticmethod(F.nll_loss)


class HingeLoss(_Loss):
    """Max-margin loss max(0, margin - y * score) for labels in {-1, +1} (micrograd's demo loss)."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
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
}


def get_loss(spec: Any) -> Any:
    """A loss module from a name (see ``LOSSES``), or ``spec`` itself if it is callable."""
    if callable(spec):
        return spec
    if isinstance(spec, str) and spec.lower() in LOSSES:
        return LOSSES[spec.lower()]()
    raise ValueError(f"unknown loss {spec!r}; choose one of {', '.join(LOSSES)} or pass a loss function")
