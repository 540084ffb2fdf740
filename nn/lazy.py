"""torch's lazy layers: ``LazyLinear`` and ``LazyConv1d/2d/3d`` read their input size off the first input.

Until then the parameters are empty placeholders; the first call draws them
with the layer's own initialisation (as ``Linear(in, ...)`` / ``ConvNd(in, ...)``
would) into those same Parameter objects, so an optimiser made before the first
call updates them, and the layer becomes that class (torch's ``cls_to_become``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from .conv import Conv1d, Conv2d
from .layers import Linear
from .module import Module, Parameter
from .volumetric import Conv3d

__all__ = ["LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d"]


class _LazyMixin(Module):
    """The layer ``cls_to_become(in, *args, **kwargs)`` once the first input says what ``in`` is."""

    cls_to_become: type = Module
    _in_axis = -1  # the input axis that holds ``in``; convolutions: the channels (axis 1, or 0 unbatched)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        probe = self.cls_to_become(1, *args, **kwargs)  # checks the arguments now, as the layer itself would
        self.__dict__["_lazy"] = (args, kwargs)
        for name, p in probe._parameters.items():
            self._parameters[name] = None if p is None else Parameter(np.empty((0,) * p.data.ndim, p.data.dtype))
        for key, value in vars(probe).items():
            if not key.startswith("_") and key != "training":
                self.__dict__[key] = value
        self.__dict__[self._size_name] = 0

    _size_name = "in_features"

    def has_uninitialized_params(self) -> bool:
        """True until the first input has set the parameters' shapes (torch's LazyModuleMixin)."""
        return True

    def initialize_parameters(self, x: Any) -> None:
        """Draw the parameters for inputs shaped like ``x`` and become ``cls_to_become``."""
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        axis = self._in_axis
        if axis != -1 and len(shape) == self.cls_to_become.nd + 1:  # an unbatched (C, *spatial) input
            axis = 0
        if not shape or len(shape) <= max(axis, 0):
            raise ValueError(f"{type(self).__name__}: cannot read the input size off an input of shape {shape}")
        args, kwargs = self.__dict__["_lazy"]
        twin = self.cls_to_become(int(shape[axis]), *args, **kwargs)
        mine = self._parameters
        for name, p in twin._parameters.items():
            if p is not None:
                mine[name].data = p.data
        internal = set(vars(Module()))  # hooks and the like stay the lazy layer's own
        for key, value in vars(twin).items():
            if key not in internal:
                self.__dict__[key] = value
        del self.__dict__["_lazy"]
        self.__class__ = self.cls_to_become

    def forward(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        self.initialize_parameters(x)
        return self.forward(x, *args, **kwargs)

    def _forward_fused(self, x: Any, activation: str | None, param: float) -> Any:
        self.initialize_parameters(x)
        return self._forward_fused(x, activation, param)


class LazyLinear(_LazyMixin, Linear):
    """``Linear(in_features, out_features, bias)`` with ``in_features`` taken from the first input's last axis."""

    cls_to_become = Linear


class LazyConv1d(_LazyMixin, Conv1d):
    """``Conv1d(in_channels, out_channels, kernel_size, ...)`` with ``in_channels`` from the first input."""

    cls_to_become = Conv1d
    _in_axis = 1
    _size_name = "in_channels"


class LazyConv2d(_LazyMixin, Conv2d):
    """``Conv2d(in_channels, out_channels, kernel_size, ...)`` with ``in_channels`` from the first input."""

    cls_to_become = Conv2d
    _in_axis = 1
    _size_name = "in_channels"


class LazyConv3d(_LazyMixin, Conv3d):
    """``Conv3d(in_channels, out_channels, kernel_size, ...)`` with ``in_channels`` from the first input."""

    cls_to_become = Conv3d
    _in_axis = 1
    _size_name = "in_channels"
