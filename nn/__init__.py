"""Neural networks on gradwork, in tensor mode or scalar mode, with PyTorch's names.

    >>> import nn, optim
    >>> model = nn.MLP(2, [16, 16, 1])                   # tensor mode
    >>> tiny = nn.MLP(2, [4, 1], mode="scalar")          # one Value per weight
    >>> same = model.to_scalar()                         # same numbers, same outputs

``nn.functional`` holds activations and losses as functions; ``nn.init`` the
initialisers; ``nn.datasets`` generated and scikit-learn datasets;
``nn.data`` loaders, splits and scalers; ``nn.train`` the training loop.
"""

from . import data, datasets, functional, init
from .activations import (
    ELU,
    GELU,
    Identity,
    LeakyReLU,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Step,
    BinaryStep,
    Swish,
    Tanh,
    get_activation,
)
from .data import DataLoader, MinMaxScaler, StandardScaler, train_test_split
from .conv import Conv1d, Conv2d, ConvTranspose2d, Fold, Unfold
from .layers import MLP, Dropout, Flatten, Linear, Neuron, Perceptron, Sequential
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    L1Loss,
    MaxMarginLoss,
    MSELoss,
    NLLLoss,
    SSELoss,
    get_loss,
)
from .module import Module, ModuleList, Parameter, ParameterList
from .pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
    Upsample,
)
from .train import EarlyStopping, History, Trainer, accuracy, fit

__all__ = [
    "Module", "Parameter", "ModuleList", "ParameterList",
    "Linear", "Neuron", "Perceptron", "Sequential", "MLP", "Dropout", "Flatten",
    "Identity", "Step", "BinaryStep", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softplus",
    "SiLU", "Swish", "GELU", "Mish", "Softmax", "LogSoftmax",
    "get_activation",
    "MSELoss", "SSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "HingeLoss",
    "MaxMarginLoss", "get_loss",
    "DataLoader", "train_test_split", "StandardScaler", "MinMaxScaler",
    "Trainer", "fit", "accuracy", "EarlyStopping", "History",
    "functional", "init", "data", "datasets",
    "Conv1d", "Conv2d", "ConvTranspose2d", "Unfold", "Fold",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample",
]
