"""Optimisers (SGD, Adam, AdamW, RMSprop, Adagrad) and learning-rate schedules, matching torch.optim's formulas.

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

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
    "lr_scheduler", "LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
]
