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
from .activations_extra import CELU, SELU, Hardsigmoid, Hardswish, Hardtanh, ReLU6, Softmin, Softsign
from .data import DataLoader, MinMaxScaler, StandardScaler, train_test_split
from .data import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, default_collate, random_split
from .conv import Conv1d, Conv2d, ConvTranspose2d, Fold, Unfold
from .layers import MLP, Dropout, Flatten, Linear, Neuron, Perceptron, Sequential
from .layers import Unflatten
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
from .losses import CosineEmbeddingLoss, GaussianNLLLoss, HuberLoss, KLDivLoss, SmoothL1Loss
from .module import Module, ModuleList, Parameter, ParameterList
from .export import export_onnx, from_torch, to_torch
from .plot import plot_decision_boundary
from .module import ModuleDict
from .hooks import RemovableHandle
from . import utils
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
from .normalization import BatchNorm1d, BatchNorm2d, Dropout2d, GroupNorm, LayerNorm
from .embedding import Embedding
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .train import EarlyStopping, History, Trainer, accuracy, fit

__all__ = [
    "Module", "Parameter", "ModuleList", "ParameterList",
    "Linear", "Neuron", "Perceptron", "Sequential", "MLP", "Dropout", "Flatten",
    "Identity", "Step", "BinaryStep", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softplus",
    "SiLU", "Swish", "GELU", "Mish", "Softmax", "LogSoftmax",
    "get_activation",
    "CELU", "SELU", "Softsign", "Hardsigmoid", "Hardswish", "Hardtanh", "ReLU6", "Softmin",
    "MSELoss", "SSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "HingeLoss",
    "MaxMarginLoss", "get_loss",
    "DataLoader", "train_test_split", "StandardScaler", "MinMaxScaler",
    "Trainer", "fit", "accuracy", "EarlyStopping", "History",
    "functional", "init", "data", "datasets",
    "ModuleDict", "Unflatten", "RemovableHandle", "utils",
    "HuberLoss", "SmoothL1Loss", "KLDivLoss", "GaussianNLLLoss", "CosineEmbeddingLoss",
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "default_collate",
    "Conv1d", "Conv2d", "ConvTranspose2d", "Unfold", "Fold",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Upsample",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Dropout2d", "Embedding",
    "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
]
__all__ += ["to_torch", "from_torch", "export_onnx", "plot_decision_boundary"]

from .attention import GLU, MultiheadAttention, RMSNorm, TransformerEncoder, TransformerEncoderLayer  # noqa: E402

__all__ += ["GLU", "RMSNorm", "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder"]
from .transformer import Transformer, TransformerDecoder, TransformerDecoderLayer  # noqa: E402

__all__ += ["TransformerDecoderLayer", "TransformerDecoder", "Transformer"]
from .layers_more import (  # noqa: E402
    AlphaDropout,
    Bilinear,
    CosineSimilarity,
    Dropout1d,
    FeatureAlphaDropout,
    Hardshrink,
    HingeEmbeddingLoss,
    LogSigmoid,
    MarginRankingLoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    PairwiseDistance,
    ParameterDict,
    PoissonNLLLoss,
    RReLU,
    Softmax2d,
    Softshrink,
    SoftMarginLoss,
    Tanhshrink,
    Threshold,
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
)

__all__ += [
    "CosineSimilarity", "PairwiseDistance",
    "TripletMarginLoss", "TripletMarginWithDistanceLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
    "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "PoissonNLLLoss",
    "LogSigmoid", "Threshold", "RReLU", "Tanhshrink", "Softshrink", "Hardshrink",
    "Bilinear", "Softmax2d", "Dropout1d", "AlphaDropout", "FeatureAlphaDropout", "ParameterDict",
]

from .pooling import MaxUnpool1d, MaxUnpool2d  # noqa: E402

__all__ += ["MaxUnpool1d", "MaxUnpool2d"]

from .layers_vision import (  # noqa: E402
    ChannelShuffle, CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d,
    ConvTranspose1d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LocalResponseNorm, LPPool1d, LPPool2d,
    PixelShuffle, PixelUnshuffle, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
    ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, UpsamplingBilinear2d, UpsamplingNearest2d, ZeroPad1d,
    ZeroPad2d, ZeroPad3d,
)

__all__ += [
    "PixelShuffle", "PixelUnshuffle", "ChannelShuffle",
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
    "InstanceNorm1d", "InstanceNorm2d", "LocalResponseNorm", "ConvTranspose1d",
    "LPPool1d", "LPPool2d", "UpsamplingNearest2d", "UpsamplingBilinear2d",
    "ZeroPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d", "InstanceNorm3d",
]

from .volumetric import (  # noqa: E402
    AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, BatchNorm3d, Conv3d, ConvTranspose3d, Dropout3d,
    MaxPool3d,
)

from .embedding_bag import EmbeddingBag  # noqa: E402
from .lazy import LazyConv1d, LazyConv2d, LazyConv3d, LazyLinear  # noqa: E402

from .module import Buffer  # noqa: E402
from .rnn import _CellBase as RNNCellBase, _RNNBase as RNNBase  # noqa: E402  (torch's base classes, for isinstance)

__all__ += ["RNNBase", "RNNCellBase", "Buffer", "EmbeddingBag", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d"]
__all__ += ["Conv3d", "ConvTranspose3d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d",
            "BatchNorm3d", "Dropout3d"]


def __dir__() -> list[str]:
    """The API in ``__all__``, not the modules it is built from."""
    return sorted(__all__)
