"""Bad input, tried everywhere: every public function and class of autograd, nn and optim.

One table of the mistakes users make (wrong shapes, wrong dtypes, strings,
None, NaN, empty arrays, negative sizes, labels out of range, lr <= 0, p
outside [0, 1), unknown names). Each case must raise the right exception type
with a message naming the problem, and leave every piece of state as it was:
tensors and their gradients, model weights, gradients and train/eval flags,
optimiser and scheduler state, the backend, the grad and anomaly modes and
the library's random generator.

``test_every_public_name_has_a_case`` keeps the table complete: a new public
name needs a case here (or an entry in EXEMPT saying why it takes no input).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, Value
from autograd.anomaly import is_anomaly_enabled

nn = pytest.importorskip("nn")
optim = pytest.importorskip("optim")
F = nn.functional

pytestmark = [pytest.mark.numpy_only, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

NAN = float("nan")


# ------------------------------------------------------------------ the world


class World:
    """Fresh objects for one case: a tensor with a gradient, models in both modes, an optimiser with state."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.X = rng.standard_normal((6, 3))
        self.y = np.array([0, 1, 0, 1, 1, 0])
        self.x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
        self.x.grad = np.full((2, 3), 0.5)
        self.v = Value(1.5)
        self.v.grad = 0.25
        self.model = nn.MLP(3, [4, 2], seed=0)
        self.smodel = nn.MLP(2, [2, 1], mode="scalar", seed=0)
        self.opt = optim.Adam(self.model.parameters(), lr=0.01)
        F.cross_entropy(self.model(self.X), self.y).backward()
        self.opt.step()  # state exists, and the gradients stay in place
        self.sched = optim.StepLR(self.opt, step_size=2)
        self.sopt = optim.SGD(self.smodel.parameters(), lr=0.1, momentum=0.9)
        self.scaler = nn.StandardScaler().fit(self.X)
        self.loader = nn.DataLoader(self.X, self.y, batch_size=2)

    def snapshot(self) -> dict:
        grads = [None if p.grad is None else np.array(p.grad) for p in self.model.parameters()]
        return {
            "x": (self.x.data.copy(), self.x.grad.data.copy(), self.x.requires_grad, self.x.is_leaf),
            "v": (self.v.data, self.v.grad),
            "model": self.model.state_dict(),
            "model_grads": grads,
            "training": [m.training for m in self.model.modules()],
            "smodel": self.smodel.state_dict(),
            "smodel_grads": [p.grad for p in self.smodel.parameters()],
            "opt": self.opt.state_dict(),
            "sopt": self.sopt.state_dict(),
            "sched": self.sched.state_dict(),
            "scaler": (self.scaler.mean.copy(), self.scaler.scale.copy()),
            "backend": autograd.get_backend(),
            "grad_mode": autograd.is_grad_enabled(),
            "anomaly": is_anomaly_enabled(),
            "rng": autograd.default_rng().bit_generator.state,
        }


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


@dataclass
class Case:
    target: str  # the public name under test, e.g. "autograd.Tensor" or "nn.functional.cross_entropy"
    what: str  # the mistake
    call: Callable[[World], Any]
    exc: type | tuple
    match: str  # a regular expression the message must contain

    @property
    def id(self) -> str:
        return f"{self.target}:{self.what}"


def C(target, what, call, exc, match):  # noqa: N802  (a table row)
    return Case(target, what, call, exc, match)


class WrongShapeGrad(Function):
    """A user op whose backward returns a gradient of the wrong shape."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g.sum()


class WrongGrad(Function):
    """A user op whose backward is simply wrong (gradcheck must catch it)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 3


def _twice(w):
    t = Tensor([1.0, 2.0], requires_grad=True)
    z = (t * t).sum()
    z.backward()
    z.backward()


def _ones(*shape):
    return Tensor(np.ones(shape))


def _mlp_loss(w):
    return F.cross_entropy(w.model(w.X), w.y)


# ------------------------------------------------------------------ the table

A = "autograd."
CASES = [
    # ---------------------------------------------------------------- autograd: Tensor and friends
    C(A + "Tensor", "string data", lambda w: Tensor("abc"), TypeError, "cannot make a tensor from str"),
    C(A + "Tensor", "None", lambda w: Tensor(None), TypeError, "cannot make a tensor from NoneType"),
    C(A + "Tensor", "ragged lists", lambda w: Tensor([[1, 2], [3]]), ValueError, "rectangular"),
    C(A + "Tensor", "array of strings", lambda w: Tensor(np.array(["a", "b"])), TypeError, "dtype <U1"),
    C(A + "Tensor", "unknown dtype", lambda w: Tensor([1.0], dtype="float77"), TypeError, "not a dtype"),
    C(A + "Tensor", "int tensor requiring grad", lambda w: Tensor([1, 2], dtype=np.int64, requires_grad=True),
      TypeError, "only floating tensors can require grad"),
    C(A + "Tensor", "requires_grad as a string", lambda w: Tensor([1.0], requires_grad="yes"), TypeError,
      "expected True or False"),
    C(A + "Tensor", "reshape to the wrong size", lambda w: w.x.reshape(4), ValueError, r"Reshape.*\(2, 3\)"),
    C(A + "Tensor", "negative size in reshape", lambda w: w.x.reshape(-2, 3), ValueError, "negative size"),
    C(A + "Tensor", "axis out of range", lambda w: w.x.sum(axis=5), ValueError, r"sum: axis 5 is out of range"),
    C(A + "Tensor", "axis as a string", lambda w: w.x.mean(axis="0"), TypeError, "axis must be an int"),
    C(A + "Tensor", "matmul shapes", lambda w: w.x @ _ones(4, 2), ValueError, r"MatMul.*\(2, 3\).*\(4, 2\)"),
    C(A + "Tensor", "shapes that do not broadcast", lambda w: w.x + _ones(4), ValueError,
      r"Add: inputs of shapes \(2, 3\) and \(4,\)"),
    C(A + "Tensor", "adding a string", lambda w: w.x + "a", TypeError, "add: unsupported operand of type str"),
    C(A + "Tensor", "multiplying by None", lambda w: w.x * None, TypeError, "mul: unsupported operand of type None"),
    C(A + "Tensor", "array of strings as operand", lambda w: w.x - np.array(["a"]), TypeError, "dtype <U1"),
    C(A + "Tensor", "item of many numbers", lambda w: w.x.item(), ValueError, r"only one-element.*\(2, 3\)"),
    C(A + "Tensor", "implicit backward of a non-scalar", lambda w: (w.x * 2).backward(), RuntimeError,
      "grad can be created implicitly only for a one-element output"),
    C(A + "Tensor", "backward grad of the wrong shape", lambda w: (w.x * 2).backward(np.ones(3)), ValueError,
      r"grad of shape \(3,\) does not match the output's shape \(2, 3\)"),
    C(A + "Tensor", "backward without a graph", lambda w: Tensor([1.0]).backward(), RuntimeError,
      "does not require grad"),
    C(A + "Tensor", "backward seed as a string", lambda w: (w.x * 2).backward("ones"), TypeError,
      r"backward: the gradient seed must be numbers .*shape \(2, 3\).*got str 'ones'; pass e.g. grad="),
    C(A + "Tensor", "backward seed of strings", lambda w: (w.x * 2).backward([["a"] * 3] * 2), TypeError,
      "backward: the gradient seed must be numbers"),
    C(A + "Tensor", "backward seed as a dict", lambda w: (w.x * 2).backward({}), TypeError,
      "backward: the gradient seed must be numbers"),
    C(A + "Tensor", "gradients seed as a string", lambda w: autograd.gradients(w.x * 2, w.x, "g"), TypeError,
      "gradients: the gradient seed must be numbers"),
    C(A + "Value", "backward seed as a string", lambda w: (Value(1.0) * 2).backward("1"), TypeError,
      "backward: expected a real number"),
    C(A + "Tensor", "clip with lo > hi", lambda w: w.x.clip(2, 1), ValueError, "lo=2 is greater than hi=1"),
    C(A + "Tensor", "slope as a string", lambda w: w.x.leaky_relu("a"), TypeError, "slope must be a number"),
    C(A + "Tensor", "index out of range", lambda w: w.x[5], IndexError, r"index 5 .* shape \(2, 3\)"),
    C(A + "Tensor", "max of an empty tensor", lambda w: Tensor([]).max(), ValueError, "empty"),
    C(A + "Tensor", "softmax over an empty axis", lambda w: Tensor(np.empty((2, 0))).softmax(), ValueError,
      "softmax: axis 1 .* is empty"),
    C(A + "Tensor", "var without degrees of freedom", lambda w: w.x.var(axis=0, ddof=2), ValueError,
      "no degrees of freedom"),
    C(A + "Tensor", "astype to a non-dtype", lambda w: w.x.astype("floaty"), TypeError, "not a dtype"),
    C(A + "Tensor", "repeated permute axes", lambda w: w.x.permute(0, 0), ValueError, "repeated axis"),
    C(A + "tensor", "string data", lambda w: autograd.tensor("abc"), TypeError, "cannot make a tensor from str"),
    C(A + "as_tensor", "None", lambda w: autograd.as_tensor(None), TypeError, "NoneType"),
    C(A + "asarray", "a string", lambda w: autograd.asarray("abc"), TypeError, "cannot make a tensor from str"),
    C(A + "isin", "strings", lambda w: autograd.isin(w.x, ["a"]), TypeError, "isin: test_elements must be numbers"),
    C(A + "is_same_size", "a list", lambda w: autograd.is_same_size(w.x, [1]), TypeError, "expected Tensors"),
    C(A + "is_nonzero", "many elements", lambda w: autograd.is_nonzero(w.x), RuntimeError, "cannot be converted"),
    C(A + "set_num_threads", "zero", lambda w: autograd.set_num_threads(0), ValueError, "positive int"),
    C(A + "set_float32_matmul_precision", "an unknown name", lambda w: autograd.set_float32_matmul_precision("x"),
      ValueError, "must be one of"),
    C(A + "Value", "string", lambda w: Value("a"), TypeError, "expected a real number or a Value, got str"),
    C(A + "Value", "None", lambda w: Value(None), TypeError, "got NoneType"),
    C(A + "Value", "adding a string", lambda w: w.v + "a", TypeError, r"Value \+: expected a real number"),
    C(A + "Value", "division by zero", lambda w: w.v / 0, ZeroDivisionError, "division of 1.5 by zero"),
    C(A + "Value", "backward grad as a string", lambda w: w.v.backward(grad="x"), TypeError, "got str"),
    C(A + "Value", "create_graph in scalar mode", lambda w: _scalar_create_graph(w), NotImplementedError,
      "create_graph is supported in tensor mode only"),
    C(A + "Function", "no forward defined", lambda w: Function.apply(w.x), NotImplementedError, "define forward"),
    C(A + "Function", "backward of the wrong shape", lambda w: WrongShapeGrad.apply(w.x).sum().backward(),
      RuntimeError, r"WrongShapeGrad.backward returned a gradient of shape \(\) for input 0 of shape \(2, 3\)"),
    C(A + "Context", "second backward through a freed graph", _twice, RuntimeError,
      "second time.*retain_graph=True"),
    # ---------------------------------------------------------------- autograd: modes, engine, functional API
    C(A + "no_grad", "an argument", lambda w: autograd.no_grad(True), TypeError, "positional argument"),
    C(A + "enable_grad", "an argument", lambda w: autograd.enable_grad(False), TypeError, "positional argument"),
    C(A + "set_grad_enabled", "a string", lambda w: autograd.set_grad_enabled("yes"), TypeError,
      "mode must be True or False"),
    C(A + "gradients", "a string as output", lambda w: autograd.gradients("a", [w.x]), TypeError,
      "outputs must be Tensors or Values, got str"),
    C(A + "gradients", "None as input", lambda w: autograd.gradients((w.x * 2).sum(), [None]), TypeError,
      "inputs must be Tensors or Values, got NoneType"),
    C(A + "gradients", "unused input",
      lambda w: autograd.gradients((w.x * 2).sum(), [Tensor([1.0], requires_grad=True)]), RuntimeError,
      "input 0 is not used.*allow_unused=True"),
    C(A + "gradients", "grad_outputs count", lambda w: autograd.gradients((w.x * 2).sum(), [w.x], grad_outputs=[1, 2]),
      ValueError, "2 grad_outputs for 1 outputs"),
    C(A + "topological_order", "a string", lambda w: autograd.topological_order("abc"), TypeError,
      "roots must be Tensors or Values, got str"),
    C(A + "grad", "not a function", lambda w: autograd.grad(5), TypeError, "expected a function, got int"),
    C(A + "grad", "vector output", lambda w: autograd.grad(lambda t: t * 2)(w.x), ValueError,
      "one-element Tensor.*use jacobian"),
    C(A + "grad", "argnums out of range", lambda w: autograd.grad(lambda t: t.sum(), argnums=3)(w.x), ValueError,
      "argnums 3 does not name one of the 1 arguments"),
    C(A + "value_and_grad", "not a function", lambda w: autograd.value_and_grad("f"), TypeError,
      "expected a function, got str"),
    C(A + "jacobian", "not a function", lambda w: autograd.jacobian(None), TypeError, "expected a function"),
    C(A + "jacobian", "function returning a float", lambda w: autograd.jacobian(lambda t: 3.0)(w.x), TypeError,
      "must return a Tensor, got float"),
    C(A + "hessian", "not a function", lambda w: autograd.hessian(1.5), TypeError, "expected a function"),
    C(A + "gradcheck", "eps = 0", lambda w: autograd.gradcheck(lambda t: t * 2, [w.x], eps=0), ValueError,
      "eps must be > 0"),
    C(A + "gradcheck", "no input requires grad", lambda w: autograd.gradcheck(lambda t: t * 2, [Tensor([1.0])]),
      ValueError, "no input requires grad"),
    C(A + "GradcheckError", "a wrong backward",
      lambda w: autograd.gradcheck(WrongGrad.apply, [w.x.detach().requires_grad_()]), autograd.GradcheckError,
      "analytic .* vs numerical"),
    C(A + "set_backend", "unknown backend", lambda w: autograd.set_backend("cuda"), ValueError,
      "unknown backend 'cuda'; choose one of numpy, numba"),
    C(A + "set_backend", "None", lambda w: autograd.set_backend(None), ValueError, "unknown backend None"),
    C(A + "set_fusion", "a string", lambda w: autograd.set_fusion("off"), TypeError, "True or False"),
    C(A + "detect_anomaly", "log of 0 inside", lambda w: _anomaly(w), autograd.AnomalyError, "Log produced inf"),
    C(A + "AnomalyError", "NaN from sqrt inside detect_anomaly", lambda w: _anomaly(w, "sqrt"), autograd.AnomalyError,
      r"Sqrt produced NaN .*input shapes: \(1,\)"),
    # ---------------------------------------------------------------- autograd: factories
    C(A + "zeros", "negative size", lambda w: autograd.zeros(-1), ValueError, r"zeros: shape \(-1,\) has a negative"),
    C(A + "zeros", "size as a string", lambda w: autograd.zeros("3"), TypeError, "shape entries must be ints"),
    C(A + "zeros", "complex dtype", lambda w: autograd.zeros(2, dtype=np.complex64), TypeError,
      "dtype must be a float, integer or boolean type"),
    C(A + "ones", "float size", lambda w: autograd.ones(2.5), TypeError, "shape entries must be ints"),
    C(A + "full", "string fill value", lambda w: autograd.full((2,), "a"), TypeError, "fill_value must be a number"),
    C(A + "full", "negative size", lambda w: autograd.full(-1, 0.0), ValueError, "negative size"),
    C(A + "eye", "negative size", lambda w: autograd.eye(-1), ValueError, "negative size"),
    C(A + "eye", "string size", lambda w: autograd.eye("a"), TypeError, "shape entries must be ints"),
    C(A + "arange", "zero step", lambda w: autograd.arange(0, 1, 0), ValueError, "step must not be 0"),
    C(A + "arange", "string", lambda w: autograd.arange("a"), TypeError, "arange"),
    C(A + "rand", "negative size", lambda w: autograd.rand(-2), ValueError, "negative size"),
    C(A + "rand", "negative seed", lambda w: autograd.rand(2, seed=-1), ValueError, "seed must be"),
    C(A + "randn", "string seed", lambda w: autograd.randn(2, seed="x"), ValueError, "seed must be"),
    C(A + "zeros_like", "a string", lambda w: autograd.zeros_like("abc"), TypeError,
      "zeros_like: expected a Tensor or an array of numbers, got str"),
    C(A + "ones_like", "None", lambda w: autograd.ones_like(None), TypeError, "ones_like: .* got NoneType"),
    C(A + "full_like", "a string fill", lambda w: autograd.full_like(w.x, "a"), TypeError, "fill_value must be"),
    C(A + "rand_like", "None", lambda w: autograd.rand_like(None), TypeError, "rand_like: .* got NoneType"),
    C(A + "randn_like", "int dtype", lambda w: autograd.randn_like(w.x, dtype=np.int64), TypeError,
      "dtype must be a float"),
    C(A + "manual_seed", "negative", lambda w: autograd.manual_seed(-1), ValueError, "non-negative int"),
    C(A + "manual_seed", "float", lambda w: autograd.manual_seed(1.5), ValueError, "non-negative int, got 1.5"),
    C(A + "manual_seed", "string", lambda w: autograd.manual_seed("42"), ValueError, "non-negative int"),
    # ---------------------------------------------------------------- autograd: functions on tensors
    C(A + "where", "mask of the wrong shape", lambda w: autograd.where(np.ones(4, bool), w.x, w.x), ValueError,
      r"\(4,\)"),
    C(A + "where", "string branch", lambda w: autograd.where(w.x.data > 0, "a", w.x), TypeError, "where: unsupported"),
    C(A + "maximum", "string", lambda w: autograd.maximum(w.x, "a"), TypeError, "maximum: unsupported operand"),
    C(A + "minimum", "shapes", lambda w: autograd.minimum(w.x, _ones(4)), ValueError, r"\(2, 3\) and \(4,\)"),
    C(A + "concatenate", "empty list", lambda w: autograd.concatenate([]), ValueError, "at least one tensor"),
    C(A + "concatenate", "a tensor, not a list", lambda w: autograd.concatenate(w.x), TypeError, "list or tuple"),
    C(A + "concatenate", "mismatched shapes", lambda w: autograd.concatenate([w.x, _ones(2, 4)], axis=0),
      ValueError, r"Concatenate.*\(2, 3\) and \(2, 4\)"),
    C(A + "cat", "axis out of range", lambda w: autograd.cat([w.x, w.x], axis=5), ValueError, "axis 5"),
    C(A + "stack", "mismatched shapes", lambda w: autograd.stack([w.x, _ones(3)]), ValueError, r"\(2, 3\) and \(3,\)"),
    C(A + "stack", "empty list", lambda w: autograd.stack([]), ValueError, "at least one tensor"),
    C(A + "linear", "weight of the wrong shape", lambda w: autograd.linear(w.x, _ones(2, 4)), ValueError,
      r"input of shape \(2, 3\).*weight has shape \(2, 4\)"),
    C(A + "linear", "bias of the wrong shape", lambda w: autograd.linear(w.x, _ones(2, 3), _ones(3)), ValueError,
      r"bias of shape \(3,\) should have shape \(2,\)"),
    C(A + "exp", "a string", lambda w: autograd.exp("abc"), TypeError, "cannot make a tensor from str"),
    C(A + "log", "None", lambda w: autograd.log(None), TypeError, "NoneType"),
    C(A + "sqrt", "list of strings", lambda w: autograd.sqrt(["a"]), TypeError, "holding <U1"),
    C(A + "tanh", "ragged", lambda w: autograd.tanh([[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
    C(A + "sigmoid", "a string", lambda w: autograd.sigmoid("x"), TypeError, "from str"),
    C(A + "relu", "None", lambda w: autograd.relu(None), TypeError, "NoneType"),
    C(A + "leaky_relu", "slope as a string", lambda w: autograd.leaky_relu(w.x, "a"), TypeError, "slope must be"),
    C(A + "elu", "alpha None", lambda w: autograd.elu(w.x, None), TypeError, "alpha must be a number"),
    C(A + "softplus", "a string", lambda w: autograd.softplus("x"), TypeError, "from str"),
    C(A + "log_sigmoid", "None", lambda w: autograd.log_sigmoid(None), TypeError, "NoneType"),
    C(A + "sin", "a string", lambda w: autograd.sin("x"), TypeError, "from str"),
    C(A + "cos", "None", lambda w: autograd.cos(None), TypeError, "NoneType"),
    C(A + "erf", "ragged", lambda w: autograd.erf([[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
    C(A + "silu", "a string", lambda w: autograd.silu("x"), TypeError, "from str"),
    C(A + "gelu", "unknown approximation", lambda w: autograd.gelu(w.x, "erf"), ValueError,
      "approximate must be 'none' or 'tanh'"),
    C(A + "softmax", "axis out of range", lambda w: autograd.softmax(w.x, axis=7), ValueError,
      r"softmax: axis 7 is out of range .*\(2, 3\)"),
    C(A + "softmax", "a tuple of axes", lambda w: autograd.softmax(w.x, axis=(0, 1)), TypeError, "single int"),
    C(A + "log_softmax", "0-d input, axis 1", lambda w: autograd.log_softmax(Tensor(1.0), 1), ValueError,
      r"axis 1 is out of range for a tensor of shape \(\)"),
    C(A + "logsumexp", "empty", lambda w: autograd.logsumexp(Tensor([])), ValueError, "empty"),
    C(A + "matmul", "scalar operand", lambda w: autograd.matmul(Tensor(2.0), w.x), ValueError,
      "at least 1 dimension"),
    C(A + "clip", "no bounds", lambda w: autograd.clip(w.x), ValueError, "give lo, hi or both"),
    # ---------------------------------------------------------------- autograd: torch's spellings
    C(A + "clamp", "no bounds", lambda w: autograd.clamp(w.x), ValueError, "give min, max or both"),
    C(A + "neg", "a string", lambda w: autograd.neg("x"), TypeError, "from str"),
    C(A + "Tensor", "autograd.abs: None", lambda w: autograd.abs(None), TypeError, "NoneType"),
    C(A + "Tensor", "autograd.sum: dim and axis", lambda w: autograd.sum(w.x, 0, axis=1), TypeError, "not both"),
    C(A + "mean", "dim out of range", lambda w: autograd.mean(w.x, dim=2), ValueError, "axis 2 is out of range"),
    C(A + "var", "ddof and correction", lambda w: autograd.var(w.x, ddof=1, correction=1), TypeError,
      "ddof .* or correction"),
    C(A + "std", "negative correction", lambda w: autograd.std(w.x, correction=-1), ValueError, "non-negative"),
    C(A + "argmax", "a tuple of dims", lambda w: autograd.argmax(w.x, (0, 1)), TypeError, "single int"),
    C(A + "argmin", "empty", lambda w: autograd.argmin(Tensor([])), ValueError, "empty"),
    C(A + "Tensor", "autograd.max: a tuple of dims", lambda w: autograd.max(w.x, (0, 1)), TypeError, "single int"),
    C(A + "Tensor", "autograd.min: empty axis", lambda w: autograd.min(_ones(2, 0), 1), ValueError,
      "axis 1 .* is empty"),
    C(A + "squeeze", "dim out of range", lambda w: autograd.squeeze(w.x, 3), ValueError, "axis 3 is out of range"),
    C(A + "unsqueeze", "dim a float", lambda w: autograd.unsqueeze(w.x, 1.5), TypeError, "dim must be an int"),
    C(A + "flatten", "start after end", lambda w: autograd.flatten(w.x, 1, 0), ValueError, "comes after"),
    C(A + "transpose", "dim out of range", lambda w: autograd.transpose(w.x, 0, 4), ValueError,
      "axis 4 is out of range"),
    C(A + "permute", "too few dims", lambda w: autograd.permute(w.x, 0), ValueError, "not a permutation"),
    C(A + "reshape", "wrong size", lambda w: autograd.reshape(w.x, 4, -1), ValueError, r"\(2, 3\)"),
    C(A + "numel", "a string", lambda w: autograd.numel("x"), TypeError, "from str"),
    C(A + "Tensor", "autograd.t: three axes", lambda w: autograd.t(_ones(2, 2, 2)), ValueError, "at most 2 axes"),
    C(A + "add", "alpha a string", lambda w: autograd.add(w.x, w.x, alpha="2"), TypeError, "alpha must be a number"),
    C(A + "sub", "a string", lambda w: autograd.sub(w.x, "y"), TypeError, "sub: unsupported operand"),
    C(A + "mul", "shapes that do not broadcast", lambda w: autograd.mul(w.x, _ones(4)), ValueError,
      r"Mul.*\(2, 3\) and \(4,\)"),
    C(A + "div", "None", lambda w: autograd.div(w.x, None), TypeError, "div: unsupported operand"),
    C(A + "Tensor", "autograd.pow: a string", lambda w: autograd.pow(w.x, "2"), TypeError, "pow: unsupported operand"),
    C(A + "inference_mode", "mode a string", lambda w: autograd.inference_mode("yes"), TypeError,
      "mode must be True or False"),
    # ---------------------------------------------------------------- autograd: files
    C(A + "save", "object array", lambda w: autograd.save({"a": np.array([None])}, _tmp("x.npz")), TypeError,
      "dtype object"),
    C(A + "save", "path None", lambda w: autograd.save({}, None), TypeError, "path must be a str"),
    C(A + "load", "missing file", lambda w: autograd.load(_tmp("missing.npz")), FileNotFoundError, "missing.npz"),
    C(A + "draw_graph", "a string", lambda w: autograd.draw_graph("abc"), TypeError,
      "expected a Value or a Tensor .*got str; for an nn model use draw_network"),
    C(A + "draw_graph", "unknown rankdir", lambda w: autograd.draw_graph((w.x * 2).sum(), rankdir="UP"), ValueError,
      "rankdir must be 'LR'"),
    C(A + "draw_dot", "max_nodes 0", lambda w: autograd.draw_dot((w.x * 2).sum(), max_nodes=0), ValueError,
      "max_nodes must be a positive int"),
    C(A + "draw_text", "None", lambda w: autograd.draw_text(None), TypeError, "got NoneType"),
    C(A + "dot_source", "empty list", lambda w: autograd.dot_source([]), ValueError, "empty list of outputs"),
    C(A + "draw_network", "a string", lambda w: autograd.draw_network("model"), TypeError, "found no layers"),
    C(A + "network_source", "max_neurons 0", lambda w: autograd.network_source(w.model, max_neurons=0), ValueError,
      "max_neurons must be an int >= 2"),
    C(A + "save_drawing", "not a drawing", lambda w: autograd.save_drawing("abc", _tmp("d")), TypeError,
      "expected a drawing from draw_graph or draw_network, got str"),
    C(A + "animate_backward", "a Tensor", lambda w: autograd.animate_backward((w.x * 2).sum()), TypeError,
      "expected a scalar-mode Value .*got Tensor; for a Tensor model use model.to_scalar"),
    C(A + "animate_backward", "a string", lambda w: autograd.animate_backward("loss"), TypeError,
      "expected a scalar-mode Value .*got str"),
    C(A + "CheckpointError", "a text file", lambda w: autograd.load(_tmp("text.npz", b"hello")),
      autograd.CheckpointError, "not a gradwork checkpoint"),
]


def _scalar_create_graph(w):
    from autograd.engine import backward

    backward([w.v * w.v], [1.0], create_graph=True)


def _anomaly(w, kind="log"):
    with autograd.detect_anomaly():
        t = Tensor([0.0] if kind == "log" else [-1.0], requires_grad=True)
        return t.log() if kind == "log" else t.sqrt()


_TMP: list = []


def _tmp(name, content=None):
    folder = _TMP[0]
    path = folder / name
    if content is not None:
        path.write_bytes(content)
    return path


N = "nn."
# volumes (nn/volumetric.py)
_VOL = np.ones((1, 2, 4, 4, 4))
CASES += [
    C("nn.Conv3d", "wrong channel count", lambda w: nn.Conv3d(3, 4, 3, seed=0)(_VOL), ValueError,
      "expected an input with 3 channels"),
    C("nn.MaxPool3d", "return_indices", lambda w: nn.MaxPool3d(2, return_indices=True), ValueError, "return_indices"),
    C("nn.AvgPool3d", "a 3-D input", lambda w: nn.AvgPool3d(2)(np.ones((2, 3, 4))), ValueError, "expected a 5-D input"),
    C("nn.AdaptiveAvgPool3d", "a 3-D input", lambda w: nn.AdaptiveAvgPool3d(1)(np.ones((2, 3, 4))), ValueError,
      "expected a 5-D input"),
    C("nn.BatchNorm3d", "a 4-D input", lambda w: nn.BatchNorm3d(2)(np.ones((1, 2, 4, 4))), ValueError,
      "expected input of shape"),
    C("nn.Dropout3d", "p of 1", lambda w: nn.Dropout3d(1.0), ValueError, r"must be in \[0, 1\)"),
    C("nn.functional.conv3d", "a 4-D weight", lambda w: nn.functional.conv3d(_VOL, np.ones((2, 2, 3, 3))), ValueError,
      "weight must be 5-D"),
    C("nn.functional.max_pool3d", "a kernel larger than the input", lambda w: nn.functional.max_pool3d(_VOL, 5),
      ValueError, "larger than the padded input"),
    C("nn.functional.avg_pool3d", "divisor_override 0", lambda w: nn.functional.avg_pool3d(_VOL, 2, divisor_override=0),
      ValueError, "divisor_override must be a positive int"),
    C("nn.functional.adaptive_avg_pool3d", "a 2-D input",
      lambda w: nn.functional.adaptive_avg_pool3d(np.ones((2, 3)), 1), ValueError, "expected a 5-D input"),
    C("nn.AdaptiveMaxPool3d", "return_indices", lambda w: nn.AdaptiveMaxPool3d(1, return_indices=True), ValueError,
      "return_indices"),
    C("nn.functional.adaptive_max_pool3d", "a 2-D input",
      lambda w: nn.functional.adaptive_max_pool3d(np.ones((2, 3)), 1), ValueError, "expected a 5-D input"),
    C("nn.ConvTranspose3d", "wrong channel count", lambda w: nn.ConvTranspose3d(3, 2, 2, seed=0)(_VOL), ValueError,
      "expected an input with 3 channels"),
    C("nn.functional.conv_transpose3d", "a 4-D weight",
      lambda w: nn.functional.conv_transpose3d(_VOL, np.ones((2, 2, 1, 1))), ValueError, "weight must be 5-D"),
    C("nn.Buffer", "strings", lambda w: nn.Buffer(np.array(["a"])), TypeError, "must be numbers"),
    C("nn.EmbeddingBag", "an unknown mode", lambda w: nn.EmbeddingBag(4, 2, mode="median"), ValueError,
      "mode must be one of"),
    C("nn.functional.embedding_bag", "a 1-D input without offsets",
      lambda w: nn.functional.embedding_bag(np.array([1, 2]), np.ones((4, 2))), ValueError, "needs offsets"),
    C("nn.LazyLinear", "a 0-d input", lambda w: nn.LazyLinear(2, seed=0)(np.float64(1.0)), ValueError,
      "cannot read the input size"),
    C("nn.LazyConv1d", "kernel_size 0", lambda w: nn.LazyConv1d(2, 0), ValueError, "kernel_size"),
    C("nn.LazyConv2d", "kernel_size 0", lambda w: nn.LazyConv2d(2, 0), ValueError, "kernel_size"),
    C("nn.LazyConv3d", "kernel_size 0", lambda w: nn.LazyConv3d(2, 0), ValueError, "kernel_size"),
    C("nn.functional.dropout3d", "a 3-D input", lambda w: nn.functional.dropout3d(np.ones((2, 3, 4))), ValueError,
      r"expected input of shape \(N, C, D, H, W\)"),
]

# torch.abs_(x) and the other in-place functions: each refuses an array (there is no Tensor to change)
CASES += [
    C(A + name, "an ndarray", lambda w, name=name: getattr(autograd, name)(np.ones(2)), TypeError,
      "input must be a Tensor")
    for name in autograd.torch_names.inplace_functions()
]

CASES += [
    # ---------------------------------------------------------------- nn: modules
    C(N + "Module", "forward not defined", lambda w: nn.Module()(1), NotImplementedError, "must define forward"),
    C(N + "Module", "typo in an attribute", lambda w: w.model.paramters, AttributeError,
      "no attribute 'paramters'; did you mean 'parameters'"),
    C(N + "Module", "load_state_dict of a string", lambda w: w.model.load_state_dict("x"), TypeError,
      "expected a dict of arrays, got str"),
    C(N + "Module", "load_state_dict with a missing key", lambda w: w.model.load_state_dict(
        {k: v for k, v in w.model.state_dict().items() if k != "0.bias"}), KeyError, r"missing keys \['0.bias'\]"),
    C(N + "Module", "load_state_dict with an extra key", lambda w: w.model.load_state_dict(
        {**w.model.state_dict(), "9.weight": np.zeros(1)}), KeyError, r"unexpected keys \['9.weight'\]"),
    C(N + "Module", "load_state_dict with a wrong shape", lambda w: w.model.load_state_dict(
        {**w.model.state_dict(), "2.weight": np.zeros((3, 4))}), ValueError,
      r"'2.weight' has shape \(3, 4\) in the state but \(2, 4\) in the model"),
    C(N + "Module", "load_state_dict with strings", lambda w: w.model.load_state_dict(
        {k: np.array(["a"]) for k in w.model.state_dict()}), TypeError, "holds <U1 values"),
    C(N + "Module", "train('yes')", lambda w: w.model.train("yes"), TypeError, "expected True or False"),
    C(N + "Module", "setting mode", lambda w: setattr(w.model, "mode", "scalar"), AttributeError, "to_scalar"),
    C(N + "Module", "assigning a number to a parameter", lambda w: setattr(w.model[0], "weight", 3.0), TypeError,
      "is a parameter"),
    C(N + "Module", "to_mode('gpu')", lambda w: w.model.to_mode("gpu"), ValueError, "mode must be 'tensor' or"),
    C(N + "Parameter", "string data", lambda w: nn.Parameter("abc"), TypeError, "from str"),
    C(N + "ModuleList", "a number", lambda w: nn.ModuleList([1]), TypeError, "expected a Module, got int"),
    C(N + "ParameterList", "a number", lambda w: nn.ParameterList([1.0]), TypeError, "expected a Parameter"),
    C(N + "Sequential", "a number", lambda w: nn.Sequential(1), TypeError, "expected a Module, got int"),
    C(N + "Linear", "negative size", lambda w: nn.Linear(-1, 2), ValueError, "in_features must be a positive int"),
    C(N + "Linear", "float size", lambda w: nn.Linear(3, 2.5), ValueError, "out_features must be a positive int"),
    C(N + "Linear", "unknown mode", lambda w: nn.Linear(3, 2, mode="gpu"), ValueError, "mode must be"),
    C(N + "Linear", "unknown initialiser", lambda w: nn.Linear(3, 2, init="nope"), ValueError, "unknown initialiser"),
    C(N + "Linear", "wrong number of features", lambda w: w.model[0](np.ones((2, 4))), ValueError, "in_features=3"),
    C(N + "Linear", "string input", lambda w: w.model[0]("abc"), TypeError, "from str"),
    C(N + "Linear", "None input", lambda w: w.model[0](None), TypeError, "NoneType"),
    C(N + "Neuron", "zero inputs", lambda w: nn.Neuron(0), ValueError, "nin must be a positive int"),
    C(N + "Neuron", "unknown activation", lambda w: nn.Neuron(3, activation="relu7"), ValueError,
      "unknown activation 'relu7'"),
    C(N + "Perceptron", "negative inputs", lambda w: nn.Perceptron(-3), ValueError, "nin must be a positive int"),
    C(N + "MLP", "no layers", lambda w: nn.MLP(3, []), ValueError, "non-empty list of layer widths"),
    C(N + "MLP", "negative width", lambda w: nn.MLP(3, [4, -1]), ValueError, "every layer size must be a positive"),
    C(N + "MLP", "unknown activation", lambda w: nn.MLP(3, [4, 1], activation="relu7"), ValueError,
      "unknown activation 'relu7'"),
    C(N + "MLP", "dropout p = 1", lambda w: nn.MLP(3, [4, 1], dropout=1.0), ValueError, r"p .* must be in \[0, 1\)"),
    C(N + "MLP", "wrong input width", lambda w: w.model(np.ones((2, 5))), ValueError, "in_features=3"),
    C(N + "MLP", "scalar-mode input of strings", lambda w: w.smodel([["a", "b"]]), TypeError, "found str"),
    C(N + "Dropout", "p = 1.5", lambda w: nn.Dropout(1.5), ValueError, r"must be in \[0, 1\), got 1.5"),
    C(N + "Dropout", "p < 0", lambda w: nn.Dropout(-0.1), ValueError, r"must be in \[0, 1\)"),
    C(N + "Dropout", "p = NaN", lambda w: nn.Dropout(NAN), ValueError, r"must be in \[0, 1\), got nan"),
    C(N + "Flatten", "axis out of range", lambda w: nn.Flatten(start_axis=2)(np.ones((2, 3))), ValueError,
      "axis 2 is out of range"),
    C(N + "Step", "string input", lambda w: nn.Step()("abc"), TypeError, "from str"),
    C(N + "BinaryStep", "None input", lambda w: nn.BinaryStep()(None), TypeError, "NoneType"),
    C(N + "Sigmoid", "string input", lambda w: nn.Sigmoid()("abc"), TypeError, "from str"),
    C(N + "Tanh", "ragged input", lambda w: nn.Tanh()([[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
    C(N + "ReLU", "None input", lambda w: nn.ReLU()(None), TypeError, "NoneType"),
    C(N + "LeakyReLU", "string slope", lambda w: nn.LeakyReLU("a"), TypeError, "negative_slope must be a number"),
    C(N + "PReLU", "no parameters", lambda w: nn.PReLU(0), ValueError, "num_parameters must be a positive int"),
    C(N + "PReLU", "channels mismatch", lambda w: nn.PReLU(3)(np.ones((2, 2))), ValueError,
      r"3 slopes need 3 channels on axis 1.*\(2, 2\)"),
    C(N + "ELU", "string alpha", lambda w: nn.ELU("a"), TypeError, "alpha must be a number"),
    C(N + "Softplus", "string input", lambda w: nn.Softplus()("abc"), TypeError, "from str"),
    C(N + "SiLU", "ragged input", lambda w: nn.SiLU()([[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
    C(N + "GELU", "unknown approximation", lambda w: nn.GELU("erf"), ValueError,
      "approximate must be 'none' or 'tanh'"),
    C(N + "Mish", "None input", lambda w: nn.Mish()(None), TypeError, "NoneType"),
    C(N + "Softmax", "axis out of range", lambda w: nn.Softmax(axis=5)(np.ones((2, 2))), ValueError,
      "axis 5 is out of range"),
    C(N + "LogSoftmax", "scalar input, dim 2", lambda w: nn.LogSoftmax(dim=2)(np.float64(1.0)), ValueError,
      "out of range"),
    C(N + "get_activation", "unknown name", lambda w: nn.get_activation("relu7"), ValueError,
      "unknown activation 'relu7'; choose one of"),
    C(N + "get_activation", "a number", lambda w: nn.get_activation(3), ValueError, "unknown activation 3"),
    # ---------------------------------------------------------------- nn: losses
    C(N + "MSELoss", "unknown reduction", lambda w: nn.MSELoss(reduction="avg"), ValueError,
      "reduction must be one of 'mean', 'sum', 'none', got 'avg'"),
    C(N + "MSELoss", "shape mismatch", lambda w: nn.MSELoss()(w.x, np.ones(5)), ValueError,
      r"prediction of shape \(2, 3\) and target of shape \(5,\)"),
    C(N + "MSELoss", "NaN target", lambda w: nn.MSELoss()(w.x, np.full((2, 3), NAN)), ValueError,
      "target contains NaN"),
    C(N + "SSELoss", "string target", lambda w: nn.SSELoss()(w.x, "abc"), TypeError, "expected numbers"),
    C(N + "L1Loss", "None target", lambda w: nn.L1Loss()(w.x, None), TypeError, "expected numbers"),
    C(N + "L1Loss", "empty prediction", lambda w: nn.L1Loss()(Tensor(np.empty((0, 2))), np.empty((0, 2))),
      ValueError, "empty prediction"),
    C(N + "BCELoss", "probabilities outside [0, 1]", lambda w: nn.BCELoss()(w.x, np.ones((2, 3))), ValueError,
      r"probabilities in \[0, 1\]"),
    C(N + "BCEWithLogitsLoss", "targets outside [0, 1]", lambda w: nn.BCEWithLogitsLoss()(w.x, np.full((2, 3), 2.0)),
      ValueError, r"targets must be in \[0, 1\]"),
    C(N + "CrossEntropyLoss", "label out of range", lambda w: nn.CrossEntropyLoss()(w.x, [0, 3]), ValueError,
      r"labels must be in \[0, 2\] for 3 classes, found \[3\]"),
    C(N + "CrossEntropyLoss", "negative label", lambda w: nn.CrossEntropyLoss()(w.x, [-1, 0]), ValueError,
      r"found \[-1\]"),
    C(N + "CrossEntropyLoss", "fractional labels", lambda w: nn.CrossEntropyLoss()(w.x, [0.5, 1.0]), ValueError,
      "whole numbers"),
    C(N + "CrossEntropyLoss", "label count", lambda w: nn.CrossEntropyLoss()(w.x, [0, 1, 2]), ValueError,
      "2 rows of logits but 3 labels"),
    C(N + "CrossEntropyLoss", "string labels", lambda w: nn.CrossEntropyLoss()(w.x, np.array(["a", "b"])), TypeError,
      "expected numbers"),
    C(N + "CrossEntropyLoss", "NaN logits", lambda w: nn.CrossEntropyLoss()(w.x * NAN, [0, 1]), ValueError,
      "logits contain NaN"),
    C(N + "NLLLoss", "label out of range", lambda w: nn.NLLLoss()(w.x, [0, 7]), ValueError, r"found \[7\]"),
    C(N + "HingeLoss", "0/1 labels", lambda w: nn.HingeLoss()(np.ones(3), np.array([0, 1, 1])), ValueError,
      r"labels must be -1 or \+1"),
    C(N + "HingeLoss", "string margin", lambda w: nn.HingeLoss(margin="a"), TypeError, "margin must be a number"),
    C(N + "MaxMarginLoss", "unknown reduction", lambda w: nn.MaxMarginLoss(reduction="max"), ValueError,
      "reduction must be one of"),
    C(N + "get_loss", "unknown name", lambda w: nn.get_loss("foo"), ValueError, "unknown loss 'foo'"),
    # ---------------------------------------------------------------- nn: data and training
    C(N + "DataLoader", "batch_size 0", lambda w: nn.DataLoader(w.X, w.y, batch_size=0), ValueError,
      "batch_size must be a positive int"),
    C(N + "DataLoader", "negative batch_size", lambda w: nn.DataLoader(w.X, w.y, batch_size=-2), ValueError,
      "batch_size must be a positive int"),
    C(N + "DataLoader", "y of the wrong length", lambda w: nn.DataLoader(w.X, w.y[:4]), ValueError,
      "X has 6 rows but y has 4 entries"),
    C(N + "DataLoader", "strings", lambda w: nn.DataLoader("abc"), TypeError, "X must hold numbers"),
    C(N + "DataLoader", "empty X", lambda w: nn.DataLoader(np.empty((0, 3))), ValueError, "X is empty"),
    C(N + "DataLoader", "dataset, misspelt keyword", lambda w: nn.DataLoader(nn.TensorDataset(w.X), batchsize=2),
      TypeError, "did you mean 'batch_size'"),
    C(N + "data.Dataset", "no __getitem__", lambda w: nn.data.Dataset()[0], NotImplementedError,
      "must define __getitem__"),
    C(N + "data.TensorDataset", "row counts differ", lambda w: nn.data.TensorDataset(w.X, w.y[:4]), ValueError,
      r"size mismatch between tensors: first axes of \[6, 4\]"),
    C(N + "data.Subset", "index out of range", lambda w: nn.data.Subset(nn.TensorDataset(w.X), [0, 9]), IndexError,
      r"indices must be in \[-6, 5\].*found \[9\]"),
    C(N + "data.ConcatDataset", "no datasets", lambda w: nn.data.ConcatDataset([]), ValueError, "at least one"),
    C(N + "data.random_split", "lengths do not sum", lambda w: nn.data.random_split(nn.TensorDataset(w.X), [2, 2]),
      ValueError, "summing to the 6 samples"),
    C(N + "data.default_collate", "ragged samples", lambda w: nn.data.default_collate([np.ones(2), np.ones(3)]),
      RuntimeError, "different shapes"),
    C(N + "IterableDataset", "indexed", lambda w: nn.IterableDataset()[0], TypeError, "iterate over it"),
    C(N + "ModuleDict", "not a module", lambda w: nn.ModuleDict({"a": 3}), TypeError, "expected a Module, got int"),
    C(N + "Unflatten", "sizes do not multiply out", lambda w: nn.Unflatten(1, (2, 2))(w.x), ValueError,
      r"holds 4 entries but axis 1"),
    C(N + "utils.clip_grad_norm_", "bad norm_type", lambda w: nn.utils.clip_grad_norm_([w.x], 1.0, norm_type=0),
      ValueError, "norm_type must be a positive number or inf"),
    C(N + "utils.clip_grad_value_", "negative clip_value", lambda w: nn.utils.clip_grad_value_([w.x], -1.0),
      ValueError, "clip_value must be >= 0"),
    C(N + "utils.parameters_to_vector", "not tensors", lambda w: nn.utils.parameters_to_vector([1.0]), TypeError,
      "expected Tensors"),
    C(N + "utils.vector_to_parameters", "too short", lambda w: nn.utils.vector_to_parameters(Tensor(np.ones(2)),
                                                                                             [w.x]),
      ValueError, "vec has 2 entries but the parameters hold 6"),
    C(N + "HuberLoss", "zero delta", lambda w: nn.HuberLoss(delta=0.0), ValueError, "delta must be positive"),
    C(N + "SmoothL1Loss", "negative beta", lambda w: nn.SmoothL1Loss(beta=-1.0), ValueError, "beta must be >= 0"),
    C(N + "KLDivLoss", "bad reduction", lambda w: nn.KLDivLoss(reduction="avg"), ValueError, "'batchmean'"),
    C(N + "GaussianNLLLoss", "var does not fit", lambda w: nn.GaussianNLLLoss()(w.x, w.x.data, np.ones((3, 2))),
      ValueError, r"var of shape \(3, 2\) does not fit the input of shape \(2, 3\)"),
    C(N + "CosineEmbeddingLoss", "labels not +-1", lambda w: nn.CosineEmbeddingLoss()(w.x, w.x, [0, 1]),
      ValueError, "must be 1 \\(similar\\) or -1"),
    C(N + "train_test_split", "test_size 1.5", lambda w: nn.train_test_split(w.X, w.y, test_size=1.5), ValueError,
      "test_size=1.5 leaves 0 of 6"),
    C(N + "train_test_split", "test_size as a string", lambda w: nn.train_test_split(w.X, w.y, test_size="a"),
      TypeError, "test_size must be a fraction or a count"),
    C(N + "StandardScaler", "transform before fit", lambda w: nn.StandardScaler().transform(w.X), RuntimeError,
      "call fit"),
    C(N + "StandardScaler", "feature count", lambda w: w.scaler.transform(np.ones((2, 4))), ValueError,
      "X has 4 features but the scaler was fitted on 3"),
    C(N + "StandardScaler", "NaN in fit", lambda w: w.scaler.fit(np.full((3, 3), NAN)), ValueError, "contains NaN"),
    C(N + "MinMaxScaler", "strings", lambda w: nn.MinMaxScaler().fit("abc"), TypeError, "X must hold numbers"),
    C(N + "MinMaxScaler", "empty range", lambda w: nn.MinMaxScaler(feature_range=(1, 1)), ValueError, "low < high"),
    C(N + "Trainer", "unknown loss", lambda w: nn.Trainer(w.model, "nope", w.opt), ValueError, "unknown loss 'nope'"),
    C(N + "Trainer", "unknown metric", lambda w: nn.Trainer(w.model, "mse", w.opt, metric="f1"), ValueError,
      "metric must be"),
    C(N + "fit", "epochs 0", lambda w: nn.fit(w.model, "cross_entropy", w.opt, w.X, w.y, epochs=0, progress=False),
      ValueError, "epochs must be a positive int"),
    C(N + "fit", "string X", lambda w: nn.fit(w.model, "cross_entropy", w.opt, "abc", w.y, progress=False), TypeError,
      "X must hold numbers"),
    C(N + "fit", "labels out of range", lambda w: nn.fit(w.model, "cross_entropy", w.opt, w.X, w.y + 5, seed=0,
                                                        progress=False), ValueError, "labels must be in"),
    C(N + "accuracy", "count mismatch", lambda w: nn.accuracy(np.ones((3, 2)), np.ones(4)), ValueError,
      "3 predictions but 4 labels"),
    C(N + "EarlyStopping", "patience 0", lambda w: nn.EarlyStopping(patience=0), ValueError,
      "patience must be a positive int"),
    C(N + "EarlyStopping", "unknown monitor", lambda w: nn.EarlyStopping(monitor="acc"), ValueError, "monitor must be"),
]

FN = "nn.functional."
CASES += [
    # ---------------------------------------------------------------- nn.functional
    C(FN + "step", "string", lambda w: F.step("abc"), TypeError, "from str"),
    C(FN + "binary_step", "None", lambda w: F.binary_step(None), TypeError, "NoneType"),
    C(FN + "sigmoid", "string", lambda w: F.sigmoid("abc"), TypeError, "from str"),
    C(FN + "tanh", "strings in scalar mode", lambda w: F.tanh(np.array([Value(1.0), "a"], dtype=object)), TypeError,
      "found str"),
    C(FN + "relu", "None", lambda w: F.relu(None), TypeError, "NoneType"),
    C(FN + "leaky_relu", "string slope", lambda w: F.leaky_relu(w.x, "a"), TypeError, "negative_slope must be"),
    C(FN + "elu", "None alpha", lambda w: F.elu(w.x, None), TypeError, "alpha must be a number"),
    C(FN + "softplus", "string", lambda w: F.softplus("abc"), TypeError, "from str"),
    C(FN + "silu", "strings in scalar mode", lambda w: F.silu(np.array([Value(1.0), "a"], dtype=object)), TypeError,
      "found str"),
    C(FN + "gelu", "unknown approximation", lambda w: F.gelu(w.x, approximate="exact"), ValueError,
      "approximate must be 'none' or 'tanh'"),
    C(FN + "mish", "ragged", lambda w: F.mish([[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
    C(FN + "prelu", "channels mismatch", lambda w: F.prelu(w.x, np.ones(4)), ValueError,
      r"4 slopes need 4 channels on axis 1"),
    C(FN + "softmax", "axis out of range", lambda w: F.softmax(w.x, axis=4), ValueError, "axis 4 is out of range"),
    C(FN + "log_softmax", "single Value", lambda w: F.log_softmax(w.v), ValueError, "needs at least one axis"),
    C(FN + "get_activation_fn", "unknown name", lambda w: F.get_activation_fn("relu7"), ValueError,
      "unknown activation 'relu7'"),
    C(FN + "mse_loss", "shape mismatch", lambda w: F.mse_loss(w.x, np.ones(4)), ValueError, "do not match"),
    C(FN + "sse_loss", "NaN prediction", lambda w: F.sse_loss(w.x * NAN, np.ones((2, 3))), ValueError,
      "prediction contains NaN"),
    C(FN + "l1_loss", "unknown reduction", lambda w: F.l1_loss(w.x, np.ones((2, 3)), reduction="avg"), ValueError,
      "reduction must be one of"),
    C(FN + "hinge_loss", "0/1 labels", lambda w: F.hinge_loss(np.ones(2), [0, 1]), ValueError, "-1 or"),
    C(FN + "max_margin_loss", "string margin", lambda w: F.max_margin_loss(np.ones(2), [1, -1], margin="a"),
      TypeError, "margin must be a number"),
    C(FN + "binary_cross_entropy", "probability 1.5", lambda w: F.binary_cross_entropy(np.array([1.5]), [1.0]),
      ValueError, r"probabilities in \[0, 1\]"),
    C(FN + "binary_cross_entropy_with_logits", "target 2",
      lambda w: F.binary_cross_entropy_with_logits(w.x, np.full((2, 3), 2.0)), ValueError,
      r"targets must be in \[0, 1\]"),
    C(FN + "cross_entropy", "label out of range", lambda w: F.cross_entropy(w.x, [3, 0]), ValueError,
      r"labels must be in \[0, 2\]"),
    C(FN + "cross_entropy", "empty logits", lambda w: F.cross_entropy(np.empty((0, 3)), []), ValueError,
      "empty logits"),
    C(FN + "cross_entropy", "3-d logits, (N,) target", lambda w: F.cross_entropy(np.ones((2, 3, 4)), [0, 1]),
      ValueError, r"input of shape \(2, 3, 4\) \(classes on axis 1\) needs a target of class indices of shape"),
    C(FN + "cross_entropy", "negative target distribution", lambda w: F.cross_entropy(w.x, -np.ones((2, 3))),
      ValueError, "non-negative"),
    C(FN + "nll_loss", "1-d log-probabilities, 2 labels", lambda w: F.nll_loss(np.ones(3), [0, 1]), ValueError,
      r"input of shape \(3,\) is one sample"),
    C(FN + "l2_penalty", "numbers instead of parameters", lambda w: F.l2_penalty([1.0, 2.0]), TypeError,
      "expected Tensors or Values"),
    C(FN + "check_labels", "2-d labels", lambda w: F.check_labels(np.zeros((2, 2)), 3, "here"), ValueError,
      "1-D array of class indices"),
    C(FN + "check_labels", "string labels", lambda w: F.check_labels(np.array(["a"]), 3, "here"), TypeError,
      "labels must be integers, got dtype <U1"),
    C(FN + "one_hot", "label out of range", lambda w: F.one_hot([0, 5], 3), ValueError, r"found \[5\]"),
    C(FN + "one_hot", "zero classes", lambda w: F.one_hot([0], 0), ValueError, "num_classes must be a positive int"),
    C(FN + "check_number", "a string", lambda w: F.check_number("a", "op", "x"), TypeError, "x must be a number"),
    C(FN + "check_reduction", "unknown", lambda w: F.check_reduction("avg", "op"), ValueError, "reduction must be"),
    # ---------------------------------------------------------------- nn.init
    C("nn.init.rng_from", "negative seed", lambda w: nn.init.rng_from(-1), ValueError, "seed must be"),
    C("nn.init.fans", "a number instead of a shape", lambda w: nn.init.fans(3), TypeError, "not iterable"),
    C("nn.init.gain", "unknown nonlinearity", lambda w: nn.init.gain("swish"), ValueError,
      "unknown nonlinearity 'swish'"),
    C("nn.init.zeros", "negative shape", lambda w: nn.init.zeros((-1, 2)), ValueError, "negative dimensions"),
    C("nn.init.constant", "string value", lambda w: nn.init.constant((2,), "a"), ValueError, "could not convert"),
    C("nn.init.small", "negative shape", lambda w: nn.init.small((-1, 2)), ValueError, "negative dimensions"),
    C("nn.init.uniform", "negative shape", lambda w: nn.init.uniform((2, -3)), ValueError, "negative dimensions"),
    C("nn.init.normal", "negative shape", lambda w: nn.init.normal((-2,)), ValueError, "negative dimensions"),
    C("nn.init.fan_in_uniform", "negative shape", lambda w: nn.init.fan_in_uniform((-2, 3)), ValueError, "negative"),
    C("nn.init.xavier_uniform", "negative shape", lambda w: nn.init.xavier_uniform((-1, 3)), ValueError, "negative"),
    C("nn.init.xavier_normal", "negative shape", lambda w: nn.init.xavier_normal((-1, 3)), ValueError, "negative"),
    C("nn.init.kaiming_uniform", "unknown nonlinearity", lambda w: nn.init.kaiming_uniform((2, 3), nonlinearity="x"),
      ValueError, "unknown nonlinearity"),
    C("nn.init.kaiming_normal", "unknown nonlinearity", lambda w: nn.init.kaiming_normal((2, 3), nonlinearity="x"),
      ValueError, "unknown nonlinearity"),
    C("nn.init.get_initializer", "unknown name", lambda w: nn.init.get_initializer("foo"), ValueError,
      "unknown initialiser 'foo'"),
    C("nn.init.initial_weights", "initialiser of the wrong shape", lambda w: nn.init.initial_weights(
        lambda shape, seed: np.zeros(3), (2, 2), 0), ValueError, r"returned shape \(3,\), expected \(2, 2\)"),
    C("nn.init.initial_bias", "negative shape", lambda w: nn.init.initial_bias("default", (-1,), 3, 0), ValueError,
      "negative"),
    C("nn.data.check_xy", "0-d X", lambda w: nn.data.check_xy(3.0, None, "here"), ValueError, "single number"),
    # ---------------------------------------------------------------- nn.datasets
    C("nn.datasets.make_moons", "negative n_samples", lambda w: nn.datasets.make_moons(n_samples=-5), ValueError,
      "n_samples must be an int"),
    C("nn.datasets.make_circles", "factor 1", lambda w: nn.datasets.make_circles(factor=1.0), ValueError,
      r"factor .* must be in \(0, 1\)"),
    C("nn.datasets.make_spirals", "one class", lambda w: nn.datasets.make_spirals(n_classes=1), ValueError,
      "n_classes must be an int >= 2"),
    C("nn.datasets.make_xor", "negative noise", lambda w: nn.datasets.make_xor(noise=-1), ValueError,
      "noise is a standard deviation"),
    C("nn.datasets.make_blobs", "no centers", lambda w: nn.datasets.make_blobs(centers=0), ValueError,
      "centers must be a positive int"),
    C("nn.datasets.make_regression", "no features", lambda w: nn.datasets.make_regression(n_features=0), ValueError,
      "n_features must be a positive int"),
]

O = "optim."
CASES += [
    # ---------------------------------------------------------------- optim
    C(O + "Optimizer", "no lr anywhere", lambda w: optim.Optimizer(w.model.parameters(), {}), TypeError,
      "needs an 'lr'"),
    C(O + "Optimizer", "empty parameter list", lambda w: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    C(O + "Optimizer", "maximize not a bool", lambda w: optim.Adam(w.model.parameters(), maximize="yes"), TypeError,
      "maximize must be True or False"),
    C(O + "Optimizer", "a tensor instead of a list", lambda w: optim.SGD(w.x, lr=0.1), TypeError,
      "iterable of Tensors/Values"),
    C(O + "Optimizer", "numbers as parameters", lambda w: optim.SGD([1.0], lr=0.1), TypeError,
      "can only optimise Tensors and Values, got float"),
    C(O + "Optimizer", "a non-leaf tensor", lambda w: optim.SGD([w.x * 2], lr=0.1), ValueError, "non-leaf"),
    C(O + "Optimizer", "a parameter twice", lambda w: optim.SGD([w.x, w.x], lr=0.1), ValueError, "appears twice"),
    C(O + "Optimizer", "load_state_dict of a string", lambda w: w.opt.load_state_dict("x"), TypeError,
      "expected the dict returned by state_dict"),
    C(O + "Optimizer", "load_state_dict of another optimiser", lambda w: w.opt.load_state_dict(
        optim.Adam([Tensor([1.0], requires_grad=True)]).state_dict()), ValueError, "group 0 has 1 parameters"),
    C(O + "Optimizer", "load_state_dict with lr = 0", lambda w: w.opt.load_state_dict(_with_lr(w.opt, 0.0)),
      ValueError, "lr must be > 0"),
    C(O + "Optimizer", "unknown option in a group", lambda w: w.opt.add_param_group(
        {"params": [Tensor([1.0], requires_grad=True)], "momentum": 0.9}), ValueError, r"unknown option\(s\)"),
    C(O + "Optimizer", "closure that is not a function", lambda w: w.opt.step(closure="x"), TypeError,
      "closure must be a function"),
    C(O + "SGD", "lr = 0", lambda w: optim.SGD(w.model.parameters(), lr=0), ValueError, "lr must be > 0, got 0"),
    C(O + "SGD", "negative lr", lambda w: optim.SGD(w.model.parameters(), lr=-0.1), ValueError, "lr must be > 0"),
    C(O + "SGD", "NaN lr", lambda w: optim.SGD(w.model.parameters(), lr=NAN), ValueError, "lr must be a number, got"),
    C(O + "SGD", "string lr", lambda w: optim.SGD(w.model.parameters(), lr="0.1"), TypeError, "lr must be a number"),
    C(O + "SGD", "None lr", lambda w: optim.SGD(w.model.parameters(), lr=None), TypeError, "lr must be a number"),
    C(O + "SGD", "negative momentum", lambda w: optim.SGD(w.model.parameters(), lr=0.1, momentum=-1), ValueError,
      "momentum must be >= 0"),
    C(O + "SGD", "nesterov without momentum", lambda w: optim.SGD(w.model.parameters(), lr=0.1, nesterov=True),
      ValueError, "nesterov=True needs momentum > 0"),
    C(O + "SGD", "scalar-mode lr 0", lambda w: optim.SGD(w.smodel.parameters(), lr=0.0), ValueError, "lr must be > 0"),
    C(O + "Adam", "beta1 = 1", lambda w: optim.Adam(w.model.parameters(), betas=(1.0, 0.999)), ValueError,
      r"beta1 must be >= 0 and < 1"),
    C(O + "Adam", "betas not a pair", lambda w: optim.Adam(w.model.parameters(), betas=0.9), TypeError,
      "not iterable"),
    C(O + "Adam", "negative eps", lambda w: optim.Adam(w.model.parameters(), eps=-1e-8), ValueError, "eps must be"),
    C(O + "AdamW", "negative weight decay", lambda w: optim.AdamW(w.model.parameters(), weight_decay=-0.1),
      ValueError, "weight_decay must be >= 0"),
    C(O + "RMSprop", "alpha 1.5", lambda w: optim.RMSprop(w.model.parameters(), alpha=1.5), ValueError,
      "alpha must be"),
    C(O + "Adagrad", "negative lr_decay", lambda w: optim.Adagrad(w.model.parameters(), lr_decay=-1), ValueError,
      "lr_decay must be >= 0"),
    C(O + "StepLR", "step_size 0", lambda w: optim.StepLR(w.opt, step_size=0), ValueError,
      "step_size must be a positive int"),
    C(O + "StepLR", "not an optimiser", lambda w: optim.StepLR("opt", step_size=2), TypeError,
      "expected an optimiser, got str"),
    C(O + "ExponentialLR", "negative gamma", lambda w: optim.ExponentialLR(w.opt, gamma=-0.5), ValueError,
      "gamma must be a positive number"),
    C(O + "CosineAnnealingLR", "T_max 0", lambda w: optim.CosineAnnealingLR(w.opt, T_max=0), ValueError,
      "T_max must be a positive int"),
    C(O + "CosineAnnealingLR", "negative eta_min", lambda w: optim.CosineAnnealingLR(w.opt, T_max=5, eta_min=-1),
      ValueError, "eta_min must be a number >= 0"),
    C(O + "LambdaLR", "not a function", lambda w: optim.LambdaLR(w.opt, "f"), TypeError,
      "lr_lambda must be a function"),
    C(O + "LambdaLR", "lambda returning a string", lambda w: optim.LambdaLR(w.opt, lambda k: "x"), TypeError,
      r"lr_lambda\(0\) returned 'x'"),
    C(O + "LambdaLR", "lambda making lr negative", lambda w: optim.LambdaLR(w.opt, lambda k: -1.0), ValueError,
      "lr=-0.01 at epoch 0"),
    C(O + "SGD", "infinite lr", lambda w: optim.SGD(w.model.parameters(), lr=math.inf), ValueError,
      "lr must be a finite number, got inf"),
    C(O + "Adam", "amsgrad not a bool", lambda w: optim.Adam(w.model.parameters(), amsgrad="yes"), TypeError,
      "amsgrad must be True or False"),
    C(O + "Adam", "SGD state loaded", lambda w: w.opt.load_state_dict(w.sopt.state_dict()), ValueError,
      "from a 'SGD' optimiser"),
    C(O + "ASGD", "infinite t0", lambda w: optim.ASGD(w.model.parameters(), t0=math.inf), ValueError,
      "t0 must be a finite number"),
    C(O + "NAdam", "negative momentum_decay", lambda w: optim.NAdam(w.model.parameters(), momentum_decay=-1),
      ValueError, "momentum_decay must be >= 0"),
    C(O + "RAdam", "decoupled_weight_decay not a bool",
      lambda w: optim.RAdam(w.model.parameters(), decoupled_weight_decay="no"), TypeError,
      "decoupled_weight_decay must be True or False"),
    C(O + "Adamax", "beta2 = 1", lambda w: optim.Adamax(w.model.parameters(), betas=(0.9, 1.0)), ValueError,
      "beta2 must be >= 0 and < 1"),
    C(O + "Adadelta", "rho 2", lambda w: optim.Adadelta(w.model.parameters(), rho=2.0), ValueError,
      "rho must be >= 0 and <= 1"),
    C(O + "Adafactor", "a positive beta2_decay", lambda w: optim.Adafactor(w.model.parameters(), beta2_decay=0.5),
      ValueError, "beta2_decay must be a number <= 0"),
    C(O + "Rprop", "etas the wrong way round", lambda w: optim.Rprop(w.model.parameters(), etas=(1.2, 0.5)),
      ValueError, "0 < etaminus < 1 < etaplus"),
    C(O + "lr_scheduler.ConstantLR", "factor 2", lambda w: optim.lr_scheduler.ConstantLR(w.opt, factor=2.0),
      ValueError, "factor must be a number >= 0 and <= 1"),
    C(O + "lr_scheduler.PolynomialLR", "total_iters 0", lambda w: optim.lr_scheduler.PolynomialLR(w.opt, 0),
      ValueError, "total_iters must be a positive int"),
    C(O + "lr_scheduler.MultiplicativeLR", "a number for lr_lambda",
      lambda w: optim.lr_scheduler.MultiplicativeLR(w.opt, 0.9), TypeError, "lr_lambda must be a function"),
    C(O + "lr_scheduler.CyclicLR", "unknown mode",
      lambda w: optim.lr_scheduler.CyclicLR(w.opt, 0.01, 0.1, mode="sine"), ValueError, "mode must be one of"),
    C(O + "lr_scheduler.ChainedScheduler", "no schedulers", lambda w: optim.lr_scheduler.ChainedScheduler([]),
      ValueError, "non-empty list of schedulers"),
    C(O + "LBFGS", "step without a closure", lambda w: optim.LBFGS(w.model.parameters()).step(), TypeError,
      "needs a closure"),
    C(O + "LBFGS", "unknown line search", lambda w: optim.LBFGS(w.model.parameters(), line_search_fn="backtrack"),
      ValueError, "line_search_fn must be None or 'strong_wolfe'"),
    C(O + "ISGD", "tol 0", lambda w: optim.ISGD(w.model.parameters(), tol=0.0), ValueError, "tol must be > 0"),
    C(O + "ISGD", "closure returning a string", lambda w: optim.ISGD(w.model.parameters()).step(lambda: "x"),
      TypeError, "the closure must return the loss"),
    C(O + "LinearLR", "start_factor 0", lambda w: optim.LinearLR(w.opt, start_factor=0), ValueError,
      "start_factor must be a number > 0 and <= 1"),
    C(O + "MultiStepLR", "negative milestone", lambda w: optim.MultiStepLR(w.opt, [2, -1]), ValueError,
      "milestones must be an int >= 0"),
    C(O + "OneCycleLR", "no length given", lambda w: optim.OneCycleLR(w.opt, max_lr=0.1), ValueError,
      "give total_steps, or epochs and steps_per_epoch"),
    C(O + "ReduceLROnPlateau", "unknown mode", lambda w: optim.ReduceLROnPlateau(w.opt, mode="avg"), ValueError,
      r"mode must be one of \['min', 'max'\]"),
    C(O + "CosineAnnealingWarmRestarts", "T_0 0", lambda w: optim.CosineAnnealingWarmRestarts(w.opt, T_0=0),
      ValueError, "T_0 must be a positive int"),
    C(O + "SequentialLR", "milestones count", lambda w: optim.SequentialLR(w.opt, [w.sched], [3]), ValueError,
      "1 schedulers need 0 milestones"),
    C(O + "StepLR", "state with a bad gamma", lambda w: w.sched.load_state_dict({**w.sched.state_dict(), "gamma": -1}),
      ValueError, r"state\['gamma'\]: gamma must be a positive number"),
]

# ---------------------------------------------------------------- convolution and pooling (nn/conv.py, nn/pooling.py)
_IMG = np.zeros((1, 3, 5, 5))
CASES += [
    C(N + "Conv2d", "wrong channel count", lambda w: nn.Conv2d(2, 4, 3, seed=0)(_IMG), ValueError,
      r"Conv2d\(2, 4.*expected an input with 2 channels"),
    C(N + "Conv1d", "wrong rank", lambda w: nn.Conv1d(3, 2, 3, seed=0)(_IMG), ValueError, r"3-D input \(N, C, L\)"),
    C(N + "ConvTranspose2d", "groups not dividing", lambda w: nn.ConvTranspose2d(3, 4, 3, groups=2), ValueError,
      "groups=2 must divide"),
    C(N + "Unfold", "kernel larger than the input", lambda w: nn.Unfold(7)(_IMG), ValueError,
      "larger than the padded input"),
    C(N + "Fold", "blocks do not fit", lambda w: nn.Fold((3, 3), 2)(np.zeros((1, 4, 7))), ValueError,
      "input has 7 blocks"),
    C(N + "MaxPool2d", "stride 0", lambda w: nn.MaxPool2d(2, stride=0), ValueError, "stride must be a positive int"),
    C(N + "MaxPool1d", "kernel larger than the input", lambda w: nn.MaxPool1d(9)(np.zeros((1, 1, 4))), ValueError,
      "larger than the padded input"),
    C(N + "AvgPool2d", "too much padding", lambda w: nn.AvgPool2d(2, padding=2), ValueError,
      "at most half the kernel size"),
    C(N + "AvgPool1d", "wrong rank", lambda w: nn.AvgPool1d(2)(_IMG), ValueError, "expected a 3-D input"),
    C(N + "AdaptiveAvgPool2d", "output size 0", lambda w: nn.AdaptiveAvgPool2d(0)(_IMG), ValueError,
      "output_size must be a positive int"),
    C(N + "AdaptiveAvgPool1d", "wrong rank", lambda w: nn.AdaptiveAvgPool1d(2)(_IMG), ValueError,
      "expected a 3-D input"),
    C(N + "AdaptiveMaxPool2d", "wrong rank", lambda w: nn.AdaptiveMaxPool2d(2)(np.zeros((5, 5))), ValueError,
      "expected a 4-D input"),
    C(N + "AdaptiveMaxPool1d", "negative size", lambda w: nn.AdaptiveMaxPool1d(-1)(np.zeros((1, 1, 4))), ValueError,
      "output_size must be a positive int"),
    C(N + "MaxUnpool2d", "indices of another shape", lambda w: nn.MaxUnpool2d(2)(np.zeros((1, 1, 2, 2)),
                                                                           np.zeros((1, 1, 3, 3), dtype=np.int64)),
      ValueError, "indices must be MaxPool2d's"),
    C(N + "MaxUnpool1d", "index out of range", lambda w: nn.MaxUnpool1d(2)(np.zeros((1, 1, 2)), np.array([[[0, 4]]])),
      ValueError, "index 4 is out of range"),
    C(N + "Upsample", "size and scale_factor", lambda w: nn.Upsample(size=2, scale_factor=2)(_IMG), ValueError,
      "exactly one of size and scale_factor"),
]


# ---------------------------------------------------------------- torch ops (autograd/torchops.py, nn extras)
CASES += [
    C(A + "save_safetensors", "a list value", lambda w: autograd.save_safetensors({"w": [1, 2]}, "unused.st"),
      TypeError, "'w' is a list; a .safetensors file holds arrays only"),
    C(A + "load_safetensors", "max_bytes 0", lambda w: autograd.load_safetensors("unused.st", max_bytes=0),
      ValueError, "max_bytes must be a positive integer"),
    C(A + "compile", "not a function", lambda w: autograd.compile(3), TypeError, "compile: expected a function"),
    C("nn.to_torch", "a string", lambda w: nn.to_torch("model"), TypeError, "expected a gradwork nn.Module"),
    C("nn.from_torch", "a gradwork model", lambda w: nn.from_torch(w.model), TypeError,
      "expected a torch.nn.Module"),
    C("nn.export_onnx", "an old opset", lambda w: nn.export_onnx(w.model, w.X, "unused.onnx", opset=11), ValueError,
      "opset must be an integer >= 17"),
    C("nn.plot_decision_boundary", "three features", lambda w: nn.plot_decision_boundary(w.model, w.X), ValueError,
      r"X must have shape \(n, 2\)"),
]

CASES += [
    C(A + "rsqrt", "a string", lambda w: autograd.rsqrt("x"), TypeError, "from str"),
    C(A + "tan", "None", lambda w: autograd.tan(None), TypeError, "NoneType"),
    C(A + "asin", "a string", lambda w: autograd.asin("x"), TypeError, "from str"),
    C(A + "arcsin", "a string", lambda w: autograd.arcsin("x"), TypeError, "from str"),
    C(A + "acos", "None", lambda w: autograd.acos(None), TypeError, "NoneType"),
    C(A + "arccos", "None", lambda w: autograd.arccos(None), TypeError, "NoneType"),
    C(A + "atan", "ragged", lambda w: autograd.atan([[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
    C(A + "arctan", "ragged", lambda w: autograd.arctan([[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
    C(A + "sinh", "a string", lambda w: autograd.sinh("x"), TypeError, "from str"),
    C(A + "cosh", "a string", lambda w: autograd.cosh("x"), TypeError, "from str"),
    C(A + "asinh", "None", lambda w: autograd.asinh(None), TypeError, "NoneType"),
    C(A + "arcsinh", "None", lambda w: autograd.arcsinh(None), TypeError, "NoneType"),
    C(A + "log2", "a string", lambda w: autograd.log2("x"), TypeError, "from str"),
    C(A + "log10", "a string", lambda w: autograd.log10("x"), TypeError, "from str"),
    C(A + "exp2", "None", lambda w: autograd.exp2(None), TypeError, "NoneType"),
    C(A + "sign", "a string", lambda w: autograd.sign("x"), TypeError, "from str"),
    C(A + "floor", "a string", lambda w: autograd.floor("x"), TypeError, "from str"),
    C(A + "ceil", "None", lambda w: autograd.ceil(None), TypeError, "NoneType"),
    C(A + "trunc", "a string", lambda w: autograd.trunc("x"), TypeError, "from str"),
    C(A + "isnan", "a string", lambda w: autograd.isnan("x"), TypeError, "from str"),
    C(A + "isinf", "None", lambda w: autograd.isinf(None), TypeError, "NoneType"),
    C(A + "isfinite", "a string", lambda w: autograd.isfinite("x"), TypeError, "from str"),
    C(A + "copysign", "shapes", lambda w: autograd.copysign(w.x, _ones(4)), ValueError,
      r"Copysign: inputs of shapes \(2, 3\) and \(4,\)"),
    C(A + "logaddexp", "a string", lambda w: autograd.logaddexp(w.x, "a"), TypeError, "unsupported operand"),
    C(A + "lerp", "shapes", lambda w: autograd.lerp(w.x, w.x, _ones(4)), ValueError, "do not broadcast"),
    C(A + "celu", "alpha 0", lambda w: autograd.celu(w.x, 0.0), ValueError, "alpha must not be 0"),
    C(A + "selu", "a string", lambda w: autograd.selu("x"), TypeError, "from str"),
    C(A + "softsign", "None", lambda w: autograd.softsign(None), TypeError, "NoneType"),
    C(A + "hardsigmoid", "a string", lambda w: autograd.hardsigmoid("x"), TypeError, "from str"),
    C(A + "hardswish", "None", lambda w: autograd.hardswish(None), TypeError, "NoneType"),
    C(A + "hardtanh", "min > max", lambda w: autograd.hardtanh(w.x, 1, 0), ValueError, "greater than max_val"),
    C(A + "relu6", "a string", lambda w: autograd.relu6("x"), TypeError, "from str"),
    C(A + "softmin", "dim out of range", lambda w: autograd.softmin(w.x, 2), IndexError, r"dim=2 is out of range"),
    C(A + "prod", "dim and axis", lambda w: autograd.prod(w.x, 0, axis=0), TypeError, "give dim= or axis="),
    C(A + "cumsum", "dim out of range", lambda w: autograd.cumsum(w.x, 5), IndexError, "out of range"),
    C(A + "cummax", "no dim", lambda w: autograd.cummax(w.x), TypeError, "give dim="),
    C(A + "cummin", "dim a string", lambda w: autograd.cummin(w.x, "0"), TypeError, "dim must be an int"),
    C(A + "logcumsumexp", "no dim", lambda w: autograd.logcumsumexp(w.x), TypeError, "give dim="),
    C(A + "var_mean", "correction a string", lambda w: autograd.var_mean(w.x, correction="1"), TypeError,
      "correction must be a number"),
    C(A + "std_mean", "repeated dim", lambda w: autograd.std_mean(w.x, (0, 0)), ValueError, "same axis twice"),
    C(A + "norm", "p='nuc' with one dim", lambda w: autograd.norm(w.x, "nuc", 0), ValueError, "a pair of axes"),
    C(A + "flip", "no dims", lambda w: autograd.flip(w.x), TypeError, "give the dims"),
    C(A + "roll", "shifts and dims differ", lambda w: autograd.roll(w.x, (1, 2), 0), ValueError, "pair up"),
    C(A + "repeat_interleave", "negative", lambda w: autograd.repeat_interleave(w.x, -1), ValueError, ">= 0"),
    C(A + "unflatten", "sizes", lambda w: autograd.unflatten(w.x, 1, (2, 2)), ValueError, "do not multiply"),
    C(A + "diagonal", "1-d", lambda w: autograd.diagonal(_ones(3)), ValueError, "at least 2 axes"),
    C(A + "tril", "1-d", lambda w: autograd.tril(_ones(3)), ValueError, "at least 2 axes"),
    C(A + "triu", "diagonal a float", lambda w: autograd.triu(w.x, 0.5), TypeError, "diagonal must be an int"),
    C(A + "split", "sections", lambda w: autograd.split(w.x, [1, 1], 1), ValueError, "add up to 2"),
    C(A + "chunk", "0 chunks", lambda w: autograd.chunk(w.x, 0), ValueError, "chunks must be an int >= 1"),
    C(A + "linspace", "negative steps", lambda w: autograd.linspace(0, 1, -1), ValueError, "steps must be"),
    C(A + "gather", "index out of range", lambda w: autograd.gather(w.x, 1, np.array([[3]])), IndexError,
      "out of range for dim 1 of length 3"),
    C(A + "scatter", "no src", lambda w: autograd.scatter(w.x, 0, np.zeros((1, 1), int)), TypeError, "give src"),
    C(A + "scatter_add", "index axes", lambda w: autograd.scatter_add(w.x, 0, np.zeros(2, int), w.x), ValueError,
      "index has 1 axes"),
    C(A + "masked_fill", "mask not bool", lambda w: autograd.masked_fill(w.x, np.ones((2, 3)), 0.0), TypeError,
      "mask must be a bool tensor"),
    C(A + "topk", "k too large", lambda w: autograd.topk(w.x, 4), ValueError, r"k=4 must be an int in \[0, 3\]"),
    C(A + "sort", "dim out of range", lambda w: autograd.sort(w.x, 3), IndexError, "out of range"),
    C(A + "argsort", "descending a string", lambda w: autograd.argsort(w.x, descending="y"), TypeError,
      "descending must be True or False"),
    C(A + "einsum", "sizes", lambda w: autograd.einsum("ij,jk", w.x, w.x), ValueError, "label 'j' has size 3"),
    C(A + "ValuesIndices", "one field", lambda w: autograd.ValuesIndices(w.x), TypeError, "indices"),
    C(N + "CELU", "alpha 0", lambda w: nn.CELU(0), ValueError, "alpha must not be 0"),
    C(N + "SELU", "a string", lambda w: nn.SELU()("x"), TypeError, "from str"),
    C(N + "Softsign", "None", lambda w: nn.Softsign()(None), TypeError, "NoneType"),
    C(N + "Hardsigmoid", "a string", lambda w: nn.Hardsigmoid()("x"), TypeError, "from str"),
    C(N + "Hardswish", "None", lambda w: nn.Hardswish()(None), TypeError, "NoneType"),
    C(N + "Hardtanh", "min > max", lambda w: nn.Hardtanh(2, 1), ValueError, "greater than max_val"),
    C(N + "ReLU6", "a string", lambda w: nn.ReLU6()("x"), TypeError, "from str"),
    C(N + "Softmin", "dim a string", lambda w: nn.Softmin("a"), TypeError, "dim must be an int"),
    C(FN + "celu", "alpha a string", lambda w: F.celu(w.x, "a"), TypeError, "alpha must be a number"),
    C(FN + "selu", "a string", lambda w: F.selu("x"), TypeError, "from str"),
    C(FN + "softsign", "None", lambda w: F.softsign(None), TypeError, "NoneType"),
    C(FN + "hardsigmoid", "a string", lambda w: F.hardsigmoid("x"), TypeError, "from str"),
    C(FN + "hardswish", "None", lambda w: F.hardswish(None), TypeError, "NoneType"),
    C(FN + "hardtanh", "min > max", lambda w: F.hardtanh(w.x, 1.0, -1.0), ValueError, "greater than max_val"),
    C(FN + "relu6", "a string", lambda w: F.relu6("x"), TypeError, "from str"),
    C(FN + "softmin", "dim out of range", lambda w: F.softmin(w.x, 3), IndexError, "out of range"),
    C(FN + "normalize", "dim out of range", lambda w: F.normalize(w.x, dim=2), IndexError, "out of range"),
    C(FN + "pad", "bad mode", lambda w: F.pad(w.x, (1, 1), "wrap"), ValueError, "mode 'wrap' is not one of"),
]

def _with_lr(opt, lr):
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = lr
    return sd


# Public names that take no input worth testing, or that only the engine calls.
CASES += [
    # ---------------------------------------------------------------- nn: images and sequences
    C(N + "BatchNorm1d", "wrong channel count", lambda w: nn.BatchNorm1d(3)(np.ones((2, 4))), ValueError,
      r"axis 1\) must have 3 entries"),
    C(N + "BatchNorm2d", "a 2-D input", lambda w: nn.BatchNorm2d(3)(np.ones((2, 3))), ValueError,
      r"expected input of shape \(N, 3, H, W\)"),
    C(N + "LayerNorm", "wrong trailing shape", lambda w: nn.LayerNorm(4)(np.ones((2, 5))), ValueError,
      r"must end in \(4,\)"),
    C(N + "GroupNorm", "groups do not divide channels", lambda w: nn.GroupNorm(3, 4), ValueError, "divisible"),
    C(N + "Dropout2d", "p of 1", lambda w: nn.Dropout2d(1.0), ValueError, r"must be in \[0, 1\)"),
    C(N + "Embedding", "index out of range", lambda w: nn.Embedding(4, 2, seed=0)(np.array([4])), IndexError,
      "out of range for 4 embeddings"),
    C(N + "RNN", "wrong feature count", lambda w: nn.RNN(3, 4, seed=0)(np.ones((5, 2, 2))), ValueError,
      "build the layer with input_size=2"),
    C(N + "LSTM", "wrong initial state", lambda w: nn.LSTM(3, 4, seed=0)(np.ones((5, 2, 3)), np.zeros((1, 2, 4))),
      ValueError, r"pair \(h_0, c_0\)"),
    C(N + "GRU", "sequence of rank 4", lambda w: nn.GRU(3, 4, seed=0)(np.ones((5, 2, 1, 3))), ValueError,
      "4 dimensions"),
    C(N + "RNNCell", "a whole sequence", lambda w: nn.RNNCell(3, 4, seed=0)(np.ones((5, 2, 3))), ValueError,
      "a cell takes one time step"),
    C(N + "LSTMCell", "a bare state", lambda w: nn.LSTMCell(3, 4, seed=0)(np.ones((2, 3)), np.zeros((2, 4))),
      ValueError, r"pair \(h, c\)"),
    C(N + "GRUCell", "wrong state shape", lambda w: nn.GRUCell(3, 4, seed=0)(np.ones((2, 3)), np.zeros((3, 4))),
      ValueError, r"expected \(2, 4\)"),
]

CASES += [
    # ---------------------------------------------------------------- autograd: torch_more and linalg
    C(A + "floor_divide", "integer division by zero", lambda w: autograd.floor_divide(autograd.tensor([1]), 0),
      ZeroDivisionError, "integer division by zero"),
    C(A + "remainder", "shapes", lambda w: autograd.remainder(w.x, _ones(4)), ValueError, "do not broadcast"),
    C(A + "fmod", "a string", lambda w: autograd.fmod(w.x, "2"), TypeError, "unsupported operand"),
    C(A + "true_divide", "a string", lambda w: autograd.true_divide(w.x, "2"), TypeError, "unsupported operand"),
    C(A + "scatter_reduce", "unknown reduce", lambda w: autograd.scatter_reduce(w.x, 0, np.zeros((1, 1), int), w.x,
      "max"), ValueError, "reduce must be one of"),
    C(A + "index_add", "source shape", lambda w: autograd.index_add(w.x, 1, [0], _ones(2, 2)), ValueError,
      r"must have shape \(2, 1\)"),
    C(A + "index_copy", "index out of range", lambda w: autograd.index_copy(w.x, 1, [3], _ones(2, 1)), IndexError,
      "out of range for dim 1 of length 3"),
    C(A + "index_fill", "2-d index", lambda w: autograd.index_fill(w.x, 1, [[0]], 1.0), ValueError,
      "index must be 0-d or 1-d"),
    C(A + "index_select", "float index", lambda w: autograd.index_select(w.x, 0, [0.5]), TypeError,
      "must hold integers"),
    C(A + "take_along_dim", "axes", lambda w: autograd.take_along_dim(w.x, np.zeros(2, int), 0), ValueError,
      "need 2 axes"),
    C(A + "masked_select", "int mask", lambda w: autograd.masked_select(w.x, np.ones((2, 3), int)), TypeError,
      "mask must be a bool tensor"),
    C(A + "masked_scatter", "source too small", lambda w: autograd.masked_scatter(w.x, np.ones((2, 3), bool),
      _ones(2)), ValueError, "selects 6 entries"),
    C(A + "cumprod", "no dim", lambda w: autograd.cumprod(w.x), TypeError, "give dim="),
    C(A + "amax", "dim out of range", lambda w: autograd.amax(w.x, 2), IndexError, "out of range"),
    C(A + "amin", "empty", lambda w: autograd.amin(_ones(0)), ValueError, "empty"),
    C(A + "aminmax", "dim a string", lambda w: autograd.aminmax(w.x, dim="0"), TypeError, "dim must be an int"),
    C(A + "nansum", "repeated dim", lambda w: autograd.nansum(w.x, (0, 0)), ValueError, "same axis twice"),
    C(A + "nanmean", "an int tensor", lambda w: autograd.nanmean(autograd.tensor([1, 2])), TypeError,
      "needs a floating tensor"),
    C(A + "count_nonzero", "dim out of range", lambda w: autograd.count_nonzero(w.x, 3), IndexError, "out of range"),
    C(A + "median", "empty", lambda w: autograd.median(_ones(0)), ValueError, "empty"),
    C(A + "nanmedian", "dim out of range", lambda w: autograd.nanmedian(w.x, 4), IndexError, "out of range"),
    C(A + "kthvalue", "k too large", lambda w: autograd.kthvalue(w.x, 4), ValueError, r"must be an int in \[1, 3\]"),
    C(A + "mode", "dim a float", lambda w: autograd.mode(w.x, 0.5), TypeError, "dim must be an int"),
    C(A + "log1p", "an int tensor", lambda w: autograd.log1p(autograd.tensor([1])), TypeError, "floating"),
    C(A + "expm1", "a string", lambda w: autograd.expm1("x"), TypeError, "from str"),
    C(A + "acosh", "None", lambda w: autograd.acosh(None), TypeError, "NoneType"),
    C(A + "atanh", "a string", lambda w: autograd.atanh("x"), TypeError, "from str"),
    C(A + "logit", "eps a string", lambda w: autograd.logit(w.x, "0.1"), TypeError, "eps must be a number"),
    C(A + "xlogy", "shapes", lambda w: autograd.xlogy(w.x, _ones(4)), ValueError, "do not broadcast"),
    C(A + "atan2", "a string", lambda w: autograd.atan2(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "hypot", "shapes", lambda w: autograd.hypot(w.x, _ones(2)), ValueError, "do not broadcast"),
    C(A + "nan_to_num", "nan a string", lambda w: autograd.nan_to_num(w.x, "0"), TypeError, "nan must be a number"),
    C(A + "square", "a string", lambda w: autograd.square("x"), TypeError, "from str"),
    C(A + "reciprocal", "None", lambda w: autograd.reciprocal(None), TypeError, "NoneType"),
    C(A + "frac", "an int tensor", lambda w: autograd.frac(autograd.tensor([1])), TypeError, "floating"),
    C(A + "sgn", "a string", lambda w: autograd.sgn("x"), TypeError, "from str"),
    C(A + "erfc", "an int tensor", lambda w: autograd.erfc(autograd.tensor([1])), TypeError, "floating"),
    C(A + "deg2rad", "a string", lambda w: autograd.deg2rad("x"), TypeError, "from str"),
    C(A + "rad2deg", "None", lambda w: autograd.rad2deg(None), TypeError, "NoneType"),
    C(A + "absolute", "a string", lambda w: autograd.absolute("x"), TypeError, "from str"),
    C(A + "positive", "a string", lambda w: autograd.positive("x"), TypeError, "from str"),
    C(A + "signbit", "None", lambda w: autograd.signbit(None), TypeError, "NoneType"),
    C(A + "isposinf", "a string", lambda w: autograd.isposinf("x"), TypeError, "from str"),
    C(A + "isneginf", "None", lambda w: autograd.isneginf(None), TypeError, "NoneType"),
    C(A + "fmax", "a string", lambda w: autograd.fmax(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "fmin", "None", lambda w: autograd.fmin(w.x, None), TypeError, "unsupported operand"),
    C(A + "clamp_min", "a string", lambda w: autograd.clamp_min(w.x, "0"), TypeError, "min must be a number"),
    C(A + "clamp_max", "a string", lambda w: autograd.clamp_max(w.x, "0"), TypeError, "max must be a number"),
    C(A + "diff", "0-d", lambda w: autograd.diff(_ones()), ValueError, "at least one axis"),
    C(A + "rot90", "same dims", lambda w: autograd.rot90(w.x, 1, (0, 0)), ValueError, "same axis twice"),
    C(A + "fliplr", "1-d", lambda w: autograd.fliplr(_ones(3)), ValueError, "at least 2 axes"),
    C(A + "flipud", "0-d", lambda w: autograd.flipud(_ones()), ValueError, "at least 1 axis"),
    C(A + "kron", "a string", lambda w: autograd.kron(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "cross", "no axis of length 3", lambda w: autograd.cross(_ones(2, 2), _ones(2, 2)), ValueError,
      "no axis of length 3"),
    C(A + "outer", "2-d", lambda w: autograd.outer(w.x, _ones(2)), ValueError, "two 1-D tensors"),
    C(A + "trace", "1-d", lambda w: autograd.trace(_ones(3)), ValueError, "needs a 2-D tensor"),
    C(A + "movedim", "lengths differ", lambda w: autograd.movedim(w.x, (0, 1), 0), ValueError,
      "same number of axes"),
    C(A + "narrow", "too long", lambda w: autograd.narrow(w.x, 1, 2, 2), ValueError, "exceeds dim 1 of length 3"),
    C(A + "tensor_split", "0 sections", lambda w: autograd.tensor_split(w.x, 0), ValueError, "sections must be"),
    C(A + "unbind", "0-d", lambda w: autograd.unbind(_ones()), ValueError, "0-d"),
    C(A + "tile", "negative", lambda w: autograd.tile(w.x, (-1, 1)), ValueError, "sizes must be an int >= 0"),
    C(A + "swapaxes", "out of range", lambda w: autograd.swapaxes(w.x, 0, 2), ValueError, "out of range"),
    C(A + "hstack", "not a list", lambda w: autograd.hstack(w.x), TypeError, "list or tuple of tensors"),
    C(A + "vstack", "empty list", lambda w: autograd.vstack([]), TypeError, "non-empty list"),
    C(A + "dstack", "not a list", lambda w: autograd.dstack(3), TypeError, "list or tuple"),
    C(A + "column_stack", "empty", lambda w: autograd.column_stack(()), TypeError, "non-empty"),
    C(A + "atleast_1d", "a string", lambda w: autograd.atleast_1d("x"), TypeError, "from str"),
    C(A + "atleast_2d", "None", lambda w: autograd.atleast_2d(None), TypeError, "NoneType"),
    C(A + "meshgrid", "bad indexing", lambda w: autograd.meshgrid(_ones(2), indexing="yx"), ValueError,
      "indexing must be"),
    C(A + "cartesian_prod", "2-d", lambda w: autograd.cartesian_prod(w.x, _ones(2)), ValueError, "0-d or 1-d"),
    C(A + "block_diag", "a string", lambda w: autograd.block_diag(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "diag", "3-d", lambda w: autograd.diag(_ones(2, 2, 2)), ValueError, "1-D or 2-D"),
    C(A + "diag_embed", "offset a float", lambda w: autograd.diag_embed(w.x, 0.5), TypeError, "offset must be an int"),
    C(A + "mm", "inner sizes", lambda w: autograd.mm(w.x, w.x), ValueError, "cannot be multiplied"),
    C(A + "bmm", "2-d", lambda w: autograd.bmm(w.x, w.x), ValueError, "must have 3 axes"),
    C(A + "mv", "matrix for vec", lambda w: autograd.mv(w.x, w.x), ValueError, "vec must have 1 axes"),
    C(A + "addmm", "beta a string", lambda w: autograd.addmm(_ones(2, 2), w.x, w.x.T, beta="1"), TypeError,
      "beta must be a number"),
    C(A + "addmv", "shapes", lambda w: autograd.addmv(_ones(2), w.x, _ones(2)), ValueError, "cannot be multiplied"),
    C(A + "baddbmm", "2-d", lambda w: autograd.baddbmm(_ones(2, 2), w.x, w.x), ValueError, "must have 3 axes"),
    C(A + "addbmm", "alpha a string", lambda w: autograd.addbmm(_ones(2, 2), _ones(1, 2, 3), _ones(1, 3, 2),
      alpha="2"), TypeError, "alpha must be a number"),
    C(A + "addcmul", "value a string", lambda w: autograd.addcmul(w.x, w.x, w.x, value="2"), TypeError,
      "value must be a number"),
    C(A + "addcdiv", "shapes", lambda w: autograd.addcdiv(w.x, w.x, _ones(4)), ValueError, "shapes"),
    C(A + "cdist", "feature sizes", lambda w: autograd.cdist(w.x, _ones(2, 2)), ValueError, "the same d"),
    C(A + "dist", "p a string", lambda w: autograd.dist(w.x, w.x, "2"), ValueError, "not supported"),
    C(A + "eq", "a string", lambda w: autograd.eq(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "ne", "shapes", lambda w: autograd.ne(w.x, _ones(4)), ValueError, "do not broadcast"),
    C(A + "lt", "None", lambda w: autograd.lt(w.x, None), TypeError, "unsupported operand"),
    C(A + "le", "shapes", lambda w: autograd.le(w.x, _ones(2)), ValueError, "do not broadcast"),
    C(A + "gt", "a string", lambda w: autograd.gt(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "ge", "shapes", lambda w: autograd.ge(w.x, _ones(5)), ValueError, "do not broadcast"),
    C(A + "logical_and", "a string", lambda w: autograd.logical_and(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "logical_or", "shapes", lambda w: autograd.logical_or(w.x, _ones(4)), ValueError, "do not broadcast"),
    C(A + "logical_xor", "None", lambda w: autograd.logical_xor(w.x, None), TypeError, "unsupported operand"),
    C(A + "logical_not", "a string", lambda w: autograd.logical_not("x"), TypeError, "from str"),
    C(A + "isclose", "a string", lambda w: autograd.isclose(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "allclose", "None", lambda w: autograd.allclose(w.x, None), TypeError, "unsupported operand"),
    C(A + "equal", "a string", lambda w: autograd.equal(w.x, "x"), TypeError, "from str"),
    C(A + "histc", "min > max", lambda w: autograd.histc(w.x, 4, 1.0, 0.0), ValueError, "greater than max"),
    C(A + "bincount", "a float tensor", lambda w: autograd.bincount(w.x), TypeError, "1-D integer tensor"),
    C(A + "unique", "dim out of range", lambda w: autograd.unique(w.x, dim=3), IndexError, "out of range"),
    C(A + "argwhere", "a string", lambda w: autograd.argwhere("x"), TypeError, "from str"),
    C(A + "nonzero", "None", lambda w: autograd.nonzero(None), TypeError, "NoneType"),
    C(A + "linalg.vector_norm", "a string ord", lambda w: autograd.linalg.vector_norm(w.x, "fro"), ValueError,
      "ord must be a number"),
    C(A + "linalg.matrix_norm", "ord 3", lambda w: autograd.linalg.matrix_norm(w.x, 3), ValueError,
      "ord must be one of"),
    C(A + "linalg.norm", "3 dims", lambda w: autograd.linalg.norm(w.x, 2, (0, 1, 0)), ValueError,
      "one or two axes"),
    C(A + "linalg.svdvals", "1-d", lambda w: autograd.linalg.svdvals(_ones(3)), ValueError, "at least 2 axes"),
    C(A + "linalg.inv", "singular", lambda w: autograd.linalg.inv(_ones(2, 2)), RuntimeError, "singular"),
    C(A + "linalg.det", "not square", lambda w: autograd.linalg.det(w.x), ValueError, "square matrices"),
    C(A + "linalg.slogdet", "an int tensor", lambda w: autograd.linalg.slogdet(autograd.tensor([[1]])), TypeError,
      "floating"),
    C(A + "linalg.solve", "sizes", lambda w: autograd.linalg.solve(_ones(3, 3) + Tensor(np.eye(3)), _ones(2)),
      ValueError, "do not fit"),
    C(A + "linalg.cross", "length 2", lambda w: autograd.linalg.cross(_ones(2), _ones(2)), ValueError,
      "it must be 3"),
    C(A + "linalg.matmul", "shapes", lambda w: autograd.linalg.matmul(w.x, w.x), ValueError, "shapes"),
]

CASES += [
    # ---------------------------------------------------------------- autograd: torch_extra
    C(A + "empty", "negative size", lambda w: autograd.empty(2, -1), ValueError, "sizes must be ints >= 0"),
    C(A + "empty_like", "a string", lambda w: autograd.empty_like("x"), TypeError, "from str"),
    C(A + "randint", "high <= low", lambda w: autograd.randint(5, 5, (2,)), ValueError, "low < high"),
    C(A + "randint_like", "a string", lambda w: autograd.randint_like("x", 3), TypeError, "from str"),
    C(A + "randperm", "negative", lambda w: autograd.randperm(-1), ValueError, "n must be an int >= 0"),
    C(A + "normal", "negative std", lambda w: autograd.normal(0.0, -1.0, (2,)), ValueError, "std must be >= 0"),
    C(A + "bernoulli", "p above 1", lambda w: autograd.bernoulli(_ones(2) * 2), ValueError, r"in \[0, 1\]"),
    C(A + "multinomial", "3-d", lambda w: autograd.multinomial(_ones(2, 2, 2), 1), ValueError, "1-D or 2-D"),
    C(A + "from_numpy", "a list", lambda w: autograd.from_numpy([1.0]), TypeError, "expected an np.ndarray"),
    C(A + "is_floating_point", "an array", lambda w: autograd.is_floating_point(np.ones(2)), TypeError,
      "expected a Tensor"),
    C(A + "clone", "a string", lambda w: autograd.clone("x"), TypeError, "from str"),
    C(A + "detach", "None", lambda w: autograd.detach(None), TypeError, "NoneType"),
    C(A + "logspace", "base a string", lambda w: autograd.logspace(0, 1, 3, "10"), TypeError, "base must be a number"),
    C(A + "tril_indices", "negative rows", lambda w: autograd.tril_indices(-1, 2), ValueError, "row must be an int"),
    C(A + "triu_indices", "offset a float", lambda w: autograd.triu_indices(2, 2, 0.5), TypeError,
      "offset must be an int"),
    C(A + "combinations", "2-d", lambda w: autograd.combinations(w.x), ValueError, "needs a 1-D tensor"),
    C(A + "broadcast_shapes", "incompatible", lambda w: autograd.broadcast_shapes((2,), (3,)), ValueError,
      "do not broadcast"),
    C(A + "broadcast_tensors", "incompatible", lambda w: autograd.broadcast_tensors(w.x, _ones(4)), ValueError,
      "do not broadcast"),
    C(A + "broadcast_to", "cannot stretch", lambda w: autograd.broadcast_to(w.x, (4, 3)), ValueError,
      "only axes of length 1 stretch"),
    C(A + "take", "out of range", lambda w: autograd.take(w.x, [6]), IndexError, "out of range"),
    C(A + "index_put", "not a tuple", lambda w: autograd.index_put(w.x, np.array([0]), _ones(3)), TypeError,
      "indices must be a tuple"),
    C(A + "searchsorted", "bad side", lambda w: autograd.searchsorted(_ones(3), _ones(2), side="middle"), ValueError,
      "side must be"),
    C(A + "bucketize", "2-d boundaries", lambda w: autograd.bucketize(_ones(2), w.x), ValueError,
      "boundaries must be 1-D"),
    C(A + "quantile", "q above 1", lambda w: autograd.quantile(w.x, 1.5), ValueError, r"in \[0, 1\]"),
    C(A + "nanquantile", "bad interpolation", lambda w: autograd.nanquantile(w.x, 0.5, interpolation="cubic"),
      ValueError, "interpolation must be one of"),
    C(A + "cov", "3-d", lambda w: autograd.cov(_ones(2, 2, 2)), ValueError, "1-D or 2-D"),
    C(A + "corrcoef", "weights", lambda w: autograd.cov(w.x, fweights=_ones(3)), NotImplementedError,
      "fweights/aweights"),
    C(A + "corrcoef", "3-d", lambda w: autograd.corrcoef(_ones(2, 2, 2)), ValueError, "1-D or 2-D"),
    C(A + "cosine_similarity", "dim out of range", lambda w: autograd.cosine_similarity(w.x, w.x, 2), IndexError,
      "out of range"),
    C(A + "pairwise_distance", "shapes", lambda w: autograd.pairwise_distance(w.x, _ones(4)), ValueError,
      r"shapes \(2, 3\) and \(4,\) do not fit"),
    C(A + "pdist", "1-d", lambda w: autograd.pdist(_ones(3)), ValueError, "needs a 2-D tensor"),
    C(A + "tensordot", "too many dims", lambda w: autograd.tensordot(w.x, w.x, 3), ValueError, "does not fit"),
    C(A + "addr", "2-d vector", lambda w: autograd.addr(w.x, w.x, _ones(3)), ValueError, "two 1-D tensors"),
    C(A + "inner", "last axes differ", lambda w: autograd.inner(w.x, _ones(2)), ValueError, "last axes differ"),
    C(A + "vdot", "2-d", lambda w: autograd.vdot(w.x, w.x), ValueError, "two 1-D tensors"),
    C(A + "chain_matmul", "no matrices", lambda w: autograd.chain_matmul(), ValueError, "at least one matrix"),
    C(A + "matrix_power", "not square", lambda w: autograd.matrix_power(w.x, 2), ValueError, "square matrices"),
    C(A + "inverse", "not square", lambda w: autograd.inverse(w.x), ValueError, "square matrices"),
    C(A + "det", "1-d", lambda w: autograd.det(_ones(3)), ValueError, "square matrices"),
    C(A + "logdet", "not square", lambda w: autograd.logdet(w.x), ValueError, "square matrices"),
    C(A + "slogdet", "not square", lambda w: autograd.slogdet(w.x), ValueError, "square matrices"),
    C(A + "logaddexp2", "shapes", lambda w: autograd.logaddexp2(w.x, _ones(4)), ValueError, "shapes"),
    C(A + "sinc", "a string", lambda w: autograd.sinc("x"), TypeError, "from str"),
    C(A + "heaviside", "a string", lambda w: autograd.heaviside(w.x, "0"), TypeError, "unsupported operand"),
    C(A + "float_power", "None", lambda w: autograd.float_power(w.x, None), TypeError, "unsupported operand"),
    C(A + "ldexp", "a string", lambda w: autograd.ldexp(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "trapezoid", "dim out of range", lambda w: autograd.trapezoid(w.x, dim=2), IndexError, "out of range"),
    C(A + "cumulative_trapezoid", "dx a string", lambda w: autograd.cumulative_trapezoid(w.x, dx="1"), TypeError,
      "dx must be a number"),
    C(A + "renorm", "maxnorm a string", lambda w: autograd.renorm(w.x, 2, 0, "1"), TypeError,
      "maxnorm must be a number"),
    C(A + "msort", "a string", lambda w: autograd.msort("x"), TypeError, "from str"),
    C(A + "ravel", "None", lambda w: autograd.ravel(None), TypeError, "NoneType"),
    C(A + "select", "index out of range", lambda w: autograd.select(w.x, 1, 3), IndexError, "out of range"),
    C(A + "diagflat", "offset a float", lambda w: autograd.diagflat(w.x, 0.5), TypeError, "offset must be an int"),
    C(A + "hsplit", "unequal parts", lambda w: autograd.hsplit(w.x, 2), ValueError, "does not split into 2"),
    C(A + "vsplit", "1-d", lambda w: autograd.vsplit(_ones(3), 1), ValueError, "at least 2 axes"),
    C(A + "dsplit", "2-d", lambda w: autograd.dsplit(w.x, 1), ValueError, "at least 3 axes"),
    C(A + "split_with_sizes", "sizes", lambda w: autograd.split_with_sizes(w.x, [1, 2], 0), ValueError, "add up to"),
    C(A + "slice_scatter", "src shape", lambda w: autograd.slice_scatter(w.x, _ones(2, 2), 1, 0, 1), ValueError,
      "src has shape"),
    C(A + "select_scatter", "index out of range", lambda w: autograd.select_scatter(w.x, _ones(3), 0, 5),
      IndexError, "out of range"),
    C(A + "diagonal_scatter", "src shape", lambda w: autograd.diagonal_scatter(w.x, _ones(3)), ValueError,
      "src has shape"),
    C(A + "histogram", "an int tensor", lambda w: autograd.histogram(autograd.tensor([1])), TypeError, "floating"),
    C(A + "unique_consecutive", "dim", lambda w: autograd.unique_consecutive(w.x, dim=0), NotImplementedError,
      "dim= is not supported"),
    C(A + "frexp", "an int tensor", lambda w: autograd.frexp(autograd.tensor([1])), TypeError, "floating"),
    C(A + "gcd", "floats", lambda w: autograd.gcd(w.x, w.x), TypeError, "integer or bool"),
    C(A + "lcm", "floats", lambda w: autograd.lcm(w.x, 2), TypeError, "integer or bool"),
    C(A + "nextafter", "a string", lambda w: autograd.nextafter(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "fix", "a string", lambda w: autograd.fix("x"), TypeError, "from str"),
    C(A + "narrow_copy", "too long", lambda w: autograd.narrow_copy(w.x, 0, 1, 5), ValueError, "exceeds"),
    C(A + "where", "only input", lambda w: autograd.where(w.x > 0, w.x), TypeError, "give both input and other"),
    C(A + "get_default_dtype", "an argument", lambda w: autograd.get_default_dtype(1), TypeError, "positional"),
    C(A + "set_default_dtype", "float32", lambda w: autograd.set_default_dtype(np.float32), ValueError,
      "stays so"),
    C(A + "result_type", "a string", lambda w: autograd.result_type(w.x, "1"), TypeError, "unsupported operand"),
    C(A + "promote_types", "not a dtype", lambda w: autograd.promote_types("x", np.float32), TypeError,
      "promote_types"),
    C(A + "linalg.svd", "full_matrices for a 3x4", lambda w: autograd.linalg.svd(_ones(3, 4)), NotImplementedError,
      "full_matrices=False"),
    C(A + "linalg.cholesky", "not positive definite", lambda w: autograd.linalg.cholesky(-_ones(2, 2)), RuntimeError,
      "not positive definite"),
    C(A + "linalg.eigh", "bad UPLO", lambda w: autograd.linalg.eigh(_ones(2, 2), "X"), ValueError,
      "UPLO must be 'L' or 'U'"),
    C(A + "linalg.eigvalsh", "not square", lambda w: autograd.linalg.eigvalsh(w.x), ValueError, "square matrices"),
    C(A + "linalg.multi_dot", "one tensor", lambda w: autograd.linalg.multi_dot([w.x]), ValueError,
      "at least two tensors"),
    C(A + "linalg.matrix_power", "n a float", lambda w: autograd.linalg.matrix_power(_ones(2, 2), 0.5), TypeError,
      "n must be an int"),
    C(A + "device", "unknown type", lambda w: autograd.device("gpu"), RuntimeError, "expected one of cpu"),
    C(A + "zeros", "a GPU device", lambda w: autograd.zeros(2, device="cuda"), RuntimeError, "CPU only"),
    C(A + "bitwise_and", "floats", lambda w: autograd.bitwise_and(w.x, w.x), TypeError, "integer or bool"),
    C(A + "bitwise_or", "floats", lambda w: autograd.bitwise_or(w.x, 1), TypeError, "integer or bool"),
    C(A + "bitwise_xor", "a string", lambda w: autograd.bitwise_xor(autograd.tensor([1]), "1"), TypeError,
      "unsupported operand"),
    C(A + "bitwise_not", "floats", lambda w: autograd.bitwise_not(w.x), TypeError, "integer or bool"),
    C(A + "bitwise_left_shift", "floats", lambda w: autograd.bitwise_left_shift(w.x, 1), TypeError,
      "integer or bool"),
    C(A + "bitwise_right_shift", "shapes", lambda w: autograd.bitwise_right_shift(autograd.tensor([1, 2]),
      autograd.tensor([1, 2, 3])), ValueError, "do not broadcast"),
]

CASES += [
    C(A + "dot", "other lengths", lambda w: autograd.dot(_ones(3), _ones(4)), ValueError, "dot: lengths differ"),
    C(A + "set_printoptions", "a negative precision", lambda w: autograd.set_printoptions(precision=-1), ValueError,
      "precision must be an int >= 0"),
    C(A + "autograd.backward", "fewer gradients than tensors",
      lambda w: autograd.autograd.backward([w.x.sum(), w.x.sum()], [None]), ValueError, "one gradient per tensor"),
]

CASES += [
    # ---------------------------------------------------------------- autograd: special functions, Generator
    *[C(A + "special." + name, "a string", lambda w, name=name: getattr(autograd.special, name)("x"), TypeError,
        f"{name}: expected a Tensor or numbers")
      for name in ("lgamma", "digamma", "erf", "erfc", "erfinv", "ndtr", "ndtri", "log_ndtr", "i0", "i0e", "i1",
                   "i1e", "entr", "expit", "logit", "sinc", "exp2", "expm1", "log1p")],
    C(A + "special.polygamma", "a negative order", lambda w: autograd.polygamma(-1, w.x), ValueError,
      "polygamma: n must be an int >= 0"),
    C(A + "special.multigammaln", "outside the domain", lambda w: autograd.special.multigammaln(w.x * 0, 3),
      ValueError, r"multigammaln: all elements must be greater than \(p-1\)/2 = 1.0"),
    C(A + "special.xlogy", "a string", lambda w: autograd.special.xlogy("x", w.x), TypeError,
      "xlogy: unsupported operand of type str"),
    C(A + "special.xlog1py", "a string", lambda w: autograd.special.xlog1py(w.x, "x"), TypeError,
      "xlog1py: unsupported operand of type str"),
    C(A + "special.softmax", "None", lambda w: autograd.special.softmax(None, 0), TypeError, "softmax: expected"),
    C(A + "special.log_softmax", "None", lambda w: autograd.special.log_softmax(None, 0), TypeError,
      "log_softmax: expected"),
    C(A + "special.logsumexp", "None", lambda w: autograd.special.logsumexp(None, 0), TypeError,
      "logsumexp: expected"),
    C(A + "special.round", "a string", lambda w: autograd.special.round("x"), TypeError,
      "cannot make a tensor from str"),
    C(A + "Generator", "a GPU", lambda w: autograd.Generator("cuda"), RuntimeError, "CPU only"),
    C(A + "default_generator", "a float seed", lambda w: autograd.default_generator.manual_seed(1.5), TypeError,
      "manual_seed: the seed must be an int"),
    C(A + "set_rng_state", "a float tensor", lambda w: autograd.set_rng_state(autograd.zeros(3)), TypeError,
      "set_state: expected the uint8 tensor that get_state"),
    # ---------------------------------------------------------------- autograd.linalg: qr, pinv, lstsq, ...
    C(A + "qr", "a vector", lambda w: autograd.qr(w.x[0]), ValueError, r"linalg.qr: needs a matrix .* shape \(3,\)"),
    C(A + "linalg.qr", "a bad mode", lambda w: autograd.linalg.qr(w.x, mode="full"), ValueError, "mode must be"),
    C(A + "pinverse", "a string", lambda w: autograd.pinverse("A"), TypeError, "linalg.pinv: expected a Tensor"),
    C(A + "linalg.pinv", "a negative atol", lambda w: autograd.linalg.pinv(w.x, atol=-1), ValueError,
      "atol must be >= 0"),
    C(A + "linalg.lstsq", "rows differ", lambda w: autograd.linalg.lstsq(w.x, _ones(3)), ValueError,
      r"A of shape \(2, 3\) and B of shape \(3,\) do not fit"),
    C(A + "linalg.matrix_rank", "an int tensor", lambda w: autograd.linalg.matrix_rank(autograd.tensor([[1]])),
      TypeError, "needs a floating tensor"),
    C(A + "matrix_exp", "not square", lambda w: autograd.matrix_exp(w.x), ValueError, "needs square matrices"),
    # ---------------------------------------------------------------- nn: attention
    C(N + "GLU", "an odd half", lambda w: nn.GLU()(w.x), ValueError, "glu: halving dimension must be even"),
    C(N + "RMSNorm", "a wrong trailing shape", lambda w: nn.RMSNorm(4)(w.x), ValueError,
      r"rms_norm: input of shape \(2, 3\) does not end in normalized_shape \(4,\)"),
    C(N + "MultiheadAttention", "heads do not divide", lambda w: nn.MultiheadAttention(6, 4), ValueError,
      "embed_dim 6 must be divisible by num_heads 4"),
    C(N + "TransformerEncoderLayer", "an unknown activation",
      lambda w: nn.TransformerEncoderLayer(4, 2, activation="tanh"), ValueError, "activation should be relu/gelu"),
    C(N + "TransformerEncoder", "no layers", lambda w: nn.TransformerEncoder(nn.GLU(), 0),
      ValueError, "num_layers must be a positive int"),
    C(N + "TransformerDecoderLayer", "an unknown activation",
      lambda w: nn.TransformerDecoderLayer(4, 2, activation="tanh"), ValueError, "activation should be relu/gelu"),
    C(N + "TransformerDecoder", "not a layer", lambda w: nn.TransformerDecoder("layer", 2), TypeError,
      "decoder_layer must be a Module"),
    C(N + "Transformer", "an unknown activation", lambda w: nn.Transformer(8, 2, activation="tanh"), ValueError,
      "activation should be relu/gelu"),
]

# ---------------------------------------------------------------- nn/functional_more.py, nn/layers_more.py
CASES += [
    C(FN + "cosine_similarity", "shapes that do not broadcast", lambda w: F.cosine_similarity(w.x, _ones(2, 4)),
      ValueError, r"x1 and x2 of shapes \(2, 3\) and \(2, 4\) do not broadcast"),
    C(FN + "pairwise_distance", "a negative p", lambda w: F.pairwise_distance(w.x, w.x, p=-1), ValueError,
      "p=-1 must be >= 0"),
    C(FN + "pdist", "a vector", lambda w: F.pdist(w.x[0]), ValueError, r"pdist: needs a 2-D input"),
    C(FN + "triplet_margin_loss", "a zero margin", lambda w: F.triplet_margin_loss(w.x, w.x, w.x, margin=0),
      ValueError, "margin must be greater than 0, got 0"),
    C(FN + "triplet_margin_with_distance_loss", "a distance that is not a function",
      lambda w: F.triplet_margin_with_distance_loss(w.x, w.x, w.x, distance_function=2), TypeError,
      "distance_function must be a function"),
    C(FN + "margin_ranking_loss", "a target of other rank", lambda w: F.margin_ranking_loss(w.x, w.x, [1, -1]),
      ValueError, "must have the same number of dimensions"),
    C(FN + "hinge_embedding_loss", "a bad reduction", lambda w: F.hinge_embedding_loss(w.x, _ones(2, 3), reduction="x"),
      ValueError, "reduction must be one of"),
    C(FN + "soft_margin_loss", "Values", lambda w: F.soft_margin_loss(w.v, 1.0), TypeError, "tensor mode only"),
    C(FN + "multilabel_soft_margin_loss", "a 0-d input", lambda w: F.multilabel_soft_margin_loss(1.0, 1.0),
      ValueError, "must have a class axis"),
    C(FN + "multi_margin_loss", "p of 3", lambda w: F.multi_margin_loss(w.x, [0, 1], p=3), ValueError,
      "only p == 1 and p == 2"),
    C(FN + "multilabel_margin_loss", "a target of another shape", lambda w: F.multilabel_margin_loss(w.x, [0, 1]),
      ValueError, "inconsistent target size"),
    C(FN + "poisson_nll_loss", "a string flag", lambda w: F.poisson_nll_loss(w.x, _ones(2, 3), full="no"),
      TypeError, "full must be True or False"),
    C(FN + "logsigmoid", "Values", lambda w: F.logsigmoid(w.v), TypeError, "tensor mode only"),
    C(FN + "threshold", "a string value", lambda w: F.threshold(w.x, 0.0, "v"), TypeError, "value must be a number"),
    C(FN + "rrelu", "lower above upper", lambda w: F.rrelu(w.x, 0.5, 0.2, training=True), ValueError,
      "lower=0.5 must be <= upper=0.2"),
    C(FN + "threshold_", "a string threshold", lambda w: F.threshold_(w.x, "t", 0.0), TypeError,
      "threshold must be a number"),
    C(FN + "rrelu_", "a string lower", lambda w: F.rrelu_(w.x, "lo"), TypeError, "lower must be a number"),
    C(FN + "tanhshrink", "Values", lambda w: F.tanhshrink(w.v), TypeError, "tensor mode only"),
    C(FN + "softshrink", "a negative lambd", lambda w: F.softshrink(w.x, -1), ValueError, "lambd must be >= 0"),
    C(FN + "hardshrink", "a string lambd", lambda w: F.hardshrink(w.x, "a"), TypeError, "lambd must be a number"),
    C(FN + "bilinear", "a 2-D weight", lambda w: F.bilinear(w.x, w.x, _ones(3, 3)), ValueError,
      r"weight of shape \(3, 3\) does not fit"),
    C(FN + "alpha_dropout", "p above 1", lambda w: F.alpha_dropout(w.x, 1.5, True), ValueError,
      "probability has to be between 0 and 1"),
    C(FN + "feature_alpha_dropout", "a 1-D input", lambda w: F.feature_alpha_dropout(w.x[0], training=True),
      ValueError, r"needs an input of shape \(N, C, \*\)"),
    C(N + "FeatureAlphaDropout", "p above 1", lambda w: nn.FeatureAlphaDropout(1.5), ValueError,
      "probability has to be between 0 and 1"),
    C(FN + "dropout1d", "a 1-D input", lambda w: F.dropout1d(w.x[0]), ValueError, r"\(N, C, L\) or \(C, L\)"),
    C(N + "CosineSimilarity", "a float dim", lambda w: nn.CosineSimilarity(1.5), TypeError, "dim must be an int"),
    C(N + "PairwiseDistance", "a negative p", lambda w: nn.PairwiseDistance(-1), ValueError, "p=-1 must be >= 0"),
    C(N + "TripletMarginLoss", "a negative margin", lambda w: nn.TripletMarginLoss(-1), ValueError,
      "margin must be greater than 0"),
    C(N + "TripletMarginWithDistanceLoss", "a zero margin", lambda w: nn.TripletMarginWithDistanceLoss(margin=0),
      ValueError, "margin must be greater than 0"),
    C(N + "MarginRankingLoss", "a bad reduction", lambda w: nn.MarginRankingLoss(reduction="avg"), ValueError,
      "reduction must be one of"),
    C(N + "HingeEmbeddingLoss", "a string margin", lambda w: nn.HingeEmbeddingLoss("m"), TypeError,
      "margin must be a number"),
    C(N + "SoftMarginLoss", "a bad reduction", lambda w: nn.SoftMarginLoss(reduction="avg"), ValueError,
      "reduction must be one of"),
    C(N + "MultiLabelSoftMarginLoss", "a string weight", lambda w: nn.MultiLabelSoftMarginLoss(weight=object()),
      TypeError, "weight must be an array of numbers"),
    C(N + "MultiMarginLoss", "p of 0", lambda w: nn.MultiMarginLoss(p=0), ValueError, "only p == 1 and p == 2"),
    C(N + "MultiLabelMarginLoss", "a bad reduction", lambda w: nn.MultiLabelMarginLoss(reduction="avg"), ValueError,
      "reduction must be one of"),
    C(N + "PoissonNLLLoss", "a string flag", lambda w: nn.PoissonNLLLoss(log_input="yes"), TypeError,
      "log_input must be True or False"),
    C(N + "LogSigmoid", "Values", lambda w: nn.LogSigmoid()(w.v), TypeError, "tensor mode only"),
    C(N + "Threshold", "no value", lambda w: nn.Threshold(0.1, None), TypeError, "value must be a number"),
    C(N + "RReLU", "lower above upper", lambda w: nn.RReLU(0.5, 0.1), ValueError, "lower=0.5 must be <= upper=0.1"),
    C(N + "Tanhshrink", "Values", lambda w: nn.Tanhshrink()(w.v), TypeError, "tensor mode only"),
    C(N + "Softshrink", "a negative lambd", lambda w: nn.Softshrink(-0.5), ValueError, "lambd must be >= 0"),
    C(N + "Hardshrink", "a string lambd", lambda w: nn.Hardshrink("a"), TypeError, "lambd must be a number"),
    C(N + "Bilinear", "zero features", lambda w: nn.Bilinear(0, 2, 3), ValueError,
      "in1_features must be a positive int"),
    C(N + "Softmax2d", "a 2-D input", lambda w: nn.Softmax2d()(w.x), ValueError, r"\(N, C, H, W\) or \(C, H, W\)"),
    C(N + "Dropout1d", "p above 1", lambda w: nn.Dropout1d(1.5), ValueError, "probability has to be between 0 and 1"),
    C(N + "AlphaDropout", "a negative p", lambda w: nn.AlphaDropout(-0.5), ValueError,
      "probability has to be between 0 and 1"),
    C(N + "ParameterDict", "not a parameter", lambda w: nn.ParameterDict({"a": 3}), TypeError,
      r"ParameterDict\['a'\]: expected a Parameter"),
]

CASES += [
    # ---------------------------------------------------------------- nn: vision (functional_vision, layers_vision)
    C(FN + "pixel_shuffle", "channels not divisible by r**2", lambda w: F.pixel_shuffle(_ones(1, 6, 2, 2), 2),
      ValueError, r"pixel_shuffle: .* 6 entries, which is not divisible by upscale_factor\*\*2 = 4"),
    C(FN + "pixel_unshuffle", "a size not divisible by r", lambda w: F.pixel_unshuffle(_ones(1, 1, 3, 4), 2),
      ValueError, "pixel_unshuffle: the height 3 and width 4"),
    C(FN + "channel_shuffle", "a 2-D input", lambda w: F.channel_shuffle(w.x, 3), ValueError,
      r"channel_shuffle: expected an input of shape \(N, C, \*\)"),
    C(FN + "instance_norm", "a 2-D input", lambda w: F.instance_norm(w.x), ValueError,
      r"instance_norm: expected an input of shape \(N, C, \*\)"),
    C(FN + "local_response_norm", "size 0", lambda w: F.local_response_norm(_ones(1, 2, 3), 0), ValueError,
      "local_response_norm: size must be a positive int"),
    C(FN + "conv_transpose1d", "a 2-D weight", lambda w: F.conv_transpose1d(_ones(1, 2, 3), _ones(2, 3)),
      ValueError, "conv_transpose1d: weight must be 3-D"),
    C(FN + "lp_pool1d", "norm_type 0", lambda w: F.lp_pool1d(_ones(1, 2, 4), 0, 2), ValueError,
      "lp_pool1d: norm_type must be a finite number > 0"),
    C(FN + "lp_pool2d", "a string norm_type", lambda w: F.lp_pool2d(_ones(1, 2, 4, 4), "2", 2), TypeError,
      "lp_pool2d: norm_type must be a number"),
    C(FN + "affine_grid", "theta of the wrong shape",
      lambda w: F.affine_grid(_ones(1, 3, 3), (1, 1, 2, 2), align_corners=False), ValueError,
      r"affine_grid: theta must have shape \(N, 2, 3\)"),
    C(FN + "grid_sample", "a grid without the 2 coordinates",
      lambda w: F.grid_sample(_ones(1, 1, 2, 2), _ones(1, 2, 2, 3), align_corners=False), ValueError,
      r"grid_sample: grid must have shape \(N, H_out, W_out, 2\)"),
    C(FN + "upsample_nearest", "no size", lambda w: F.upsample_nearest(_ones(1, 1, 2, 2)), ValueError,
      "pass exactly one of size and scale_factor"),
    C(FN + "upsample_bilinear", "a 3-D input", lambda w: F.upsample_bilinear(_ones(1, 2, 2), 4), ValueError,
      r"mode 'bilinear' needs a 4-D \(N, C, H, W\) input"),
    C(FN + "upsample", "both size and scale_factor", lambda w: F.upsample(_ones(1, 1, 2, 2), 3, 2), ValueError,
      "pass exactly one of size and scale_factor"),
    C(N + "PixelShuffle", "factor 0", lambda w: nn.PixelShuffle(0), ValueError,
      "PixelShuffle: upscale_factor must be a positive int"),
    C(N + "PixelUnshuffle", "a float factor", lambda w: nn.PixelUnshuffle(1.5), ValueError,
      "PixelUnshuffle: downscale_factor must be a positive int"),
    C(N + "ChannelShuffle", "groups 0", lambda w: nn.ChannelShuffle(0), ValueError,
      "ChannelShuffle: groups must be a positive int"),
    *[C(N + name, "a 3-tuple padding", lambda w, name=name: getattr(nn, name)((1, 2, 3)), ValueError,
        f"{name}: padding must be an int or a tuple of")
      for name in ("ZeroPad1d", "ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d",
                   "ReplicationPad2d", "CircularPad1d", "CircularPad2d", "ZeroPad3d", "ReflectionPad3d",
                   "ReplicationPad3d", "CircularPad3d")],
    *[C(N + name, "a string value", lambda w, name=name: getattr(nn, name)(1, "x"), TypeError,
        f"{name}: value must be a number") for name in ("ConstantPad1d", "ConstantPad2d", "ConstantPad3d")],
    *[C(N + name, "a wrong rank", lambda w, name=name: getattr(nn, name)(3)(_ones(3)), ValueError,
        rf"{name}\(3\): expected a") for name in ("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")],
    C(N + "LocalResponseNorm", "size 0", lambda w: nn.LocalResponseNorm(0), ValueError,
      "LocalResponseNorm: size must be a positive int"),
    C(N + "ConvTranspose1d", "groups not dividing", lambda w: nn.ConvTranspose1d(3, 4, 2, groups=2), ValueError,
      "ConvTranspose1d: groups=2 must divide in_channels=3"),
    *[C(N + name, "kernel_size 0", lambda w, name=name: getattr(nn, name)(2, 0), ValueError,
        f"{name}: kernel_size must be a positive int") for name in ("LPPool1d", "LPPool2d")],
    *[C(N + name, "a 2-D input", lambda w, name=name: getattr(nn, name)(scale_factor=2)(w.x), ValueError,
        rf"{name}: expected a 3-D \(N, C, L\), 4-D") for name in ("UpsamplingNearest2d",
                                                                      "UpsamplingBilinear2d")],
]

EXEMPT = {
    "autograd.linalg.EighResult": "the named (eigenvalues, eigenvectors) tuple eigh returns",
    "autograd.linalg.SvdResult": "the named (U, S, Vh) tuple svd returns",
    "autograd.is_tensor": "accepts any object (True for a Tensor)",
    "autograd.CompileError": "an exception class, raised by autograd.compile",
    "autograd.return_types": "a namespace of the named tuples max(dim)/min(dim) return",
    "autograd.is_grad_enabled": "takes no arguments",
    "autograd.get_backend": "takes no arguments",
    "autograd.fusion_enabled": "takes no arguments",
    "autograd.default_rng": "takes no arguments",
    "nn.History": "a dict of per-epoch lists that fit fills in",
    "nn.Identity": "passes anything through unchanged, like torch.nn.Identity",
    "nn.RemovableHandle": "made by the register_*_hook methods; its remove() takes no arguments",
    "nn.functional.identity": "returns its input unchanged",
    "nn.functional.CrossEntropy": "the op behind cross_entropy, which checks the inputs",
    "nn.functional.SoftCrossEntropy": "the op behind cross_entropy, which checks the inputs",
    "nn.functional.BinaryCrossEntropy": "the op behind binary_cross_entropy, which checks the inputs",
    "nn.functional.BinaryCrossEntropyWithLogits": "the op behind binary_cross_entropy_with_logits",
    "nn.functional.SquaredError": "the op behind mse_loss, which checks the inputs",
    "nn.datasets.load_digits": "takes no arguments",
    "nn.datasets.load_iris": "takes no arguments",
    "nn.datasets.load_breast_cancer": "takes no arguments",
    "nn.datasets.load_wine": "takes no arguments",
    "optim.LRScheduler": "abstract base: subclasses define get_lr",
    "optim.lr_scheduler.LRScheduler": "abstract base: subclasses define get_lr",
    "autograd.GraphvizNotFoundError": "raised only when Graphviz's dot program is missing (see test_draw)",
    "autograd.get_rng_state": "takes no arguments",
    "autograd.initial_seed": "takes no arguments",
    "autograd.seed": "takes no arguments",
    "autograd.pi": "a number", "autograd.e": "a number", "autograd.inf": "a number", "autograd.nan": "a number",
    "autograd.newaxis": "None, numpy's and torch's new-axis index",
    "autograd.get_num_threads": "takes no arguments",
    "nn.RNNBase": "the base class of RNN/LSTM/GRU (for isinstance), whose layers have their cases",
    "nn.RNNCellBase": "the base class of the cells (for isinstance), whose layers have their cases",
    "autograd.get_float32_matmul_precision": "takes no arguments",
}


# ------------------------------------------------------------------ the tests


@pytest.fixture
def world(tmp_path):
    _TMP[:] = [tmp_path]
    return World()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_raises_clearly_and_changes_nothing(case, world):
    before = world.snapshot()
    with pytest.raises(case.exc, match=case.match) as info:
        case.call(world)
    message = str(info.value)
    assert len(message) >= 10, f"{case.id}: message too short to help: {message!r}"
    after = world.snapshot()
    changed = [k for k in before if not same(before[k], after[k])]
    assert not changed, f"{case.id}: the failed call changed {changed}"


def _resolve(qualified: str) -> Any:
    top, *rest = qualified.split(".")
    obj = {"autograd": autograd, "nn": nn, "optim": optim}[top]
    for part in rest:
        obj = getattr(obj, part)
    return obj


def _public_names() -> list[str]:
    names = []
    for top, module in (("autograd", autograd), ("nn", nn), ("optim", optim)):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                for sub, member in vars(obj).items():
                    own = getattr(member, "__module__", None) == obj.__name__
                    if not sub.startswith("_") and callable(member) and own:
                        names.append(f"{top}.{name}.{sub}")
            else:
                names.append(f"{top}.{name}")
    return names


def test_every_public_name_has_a_case():
    covered = {id(_resolve(c.target)) for c in CASES}
    missing = [n for n in _public_names() if id(_resolve(n)) not in covered and n not in EXEMPT]
    assert not missing, f"public names without a bad-input case: {missing}"


def test_table_targets_and_exemptions_are_real_public_names():
    public = set(_public_names())
    assert {c.target for c in CASES} <= public | {f"nn.{n}" for n in nn.__all__}
    assert set(EXEMPT) <= public
