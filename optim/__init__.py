"""Optimisers (SGD, Adam, AdamW, RMSprop, Adagrad, ASGD, NAdam, RAdam, Adamax, Adadelta, Rprop, LBFGS, ISGD,
Adafactor) and learning-rate schedules, matching torch.optim's formulas.

    >>> opt = optim.Adam(model.parameters(), lr=1e-3)
    >>> opt.zero_grad(); loss.backward(); opt.step()

Parameters may be Tensors (tensor mode) or Values (scalar mode).
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, LRScheduler, StepLR
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
from .asgd import ASGD
from .nadam import NAdam
from .radam import RAdam
from .adamax import Adamax
from .adadelta import Adadelta
from .rprop import Rprop
from .lbfgs import LBFGS
from .isgd import ISGD
from .adafactor import Adafactor
from .lr_scheduler import (
    CosineAnnealingWarmRestarts, LinearLR, MultiStepLR, OneCycleLR, ReduceLROnPlateau, SequentialLR,
)

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "lr_scheduler", "LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
    "ASGD", "NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "LBFGS", "ISGD", "Adafactor",
    "LinearLR", "MultiStepLR", "OneCycleLR", "ReduceLROnPlateau", "CosineAnnealingWarmRestarts", "SequentialLR",
]


def __dir__() -> list[str]:
    """The API in ``__all__``, not the modules it is built from."""
    return sorted(__all__)
