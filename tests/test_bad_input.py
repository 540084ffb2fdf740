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
    C(A + "Tensor", "repeated transpose axes", lambda w: w.x.transpose(0, 0), ValueError, "repeated axis"),
    C(A + "tensor", "string data", lambda w: autograd.tensor("abc"), TypeError, "cannot make a tensor from str"),
    C(A + "as_tensor", "None", lambda w: autograd.as_tensor(None), TypeError, "NoneType"),
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
    C(A + "detect_anomaly", "log of 0 inside", lambda w: _anomaly(w), autograd.AnomalyError, "Log produced inf"),
    C(A + "AnomalyError", "NaN from sqrt inside detect_anomaly", lambda w: _anomaly(w, "sqrt"), autograd.AnomalyError,
      r"Sqrt produced NaN .*input shapes: \(1,\)"),
    # ---------------------------------------------------------------- autograd: factories
    C(A + "zeros", "negative size", lambda w: autograd.zeros(-1), ValueError, r"zeros: shape \(-1,\) has a negative"),
    C(A + "zeros", "size as a string", lambda w: autograd.zeros("3"), TypeError, "shape entries must be ints"),
    C(A + "zeros", "int dtype", lambda w: autograd.zeros(2, dtype=np.int32), TypeError, "dtype must be a float"),
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
    C(A + "softmax", "axis None", lambda w: autograd.softmax(w.x, axis=None), TypeError, "single int"),
    C(A + "log_softmax", "0-d input", lambda w: autograd.log_softmax(Tensor(1.0)), ValueError, "0-d"),
    C(A + "logsumexp", "empty", lambda w: autograd.logsumexp(Tensor([])), ValueError, "empty"),
    C(A + "matmul", "scalar operand", lambda w: autograd.matmul(Tensor(2.0), w.x), ValueError,
      "at least 1 dimension"),
    C(A + "clip", "no bounds", lambda w: autograd.clip(w.x), ValueError, "give lo, hi or both"),
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
    C(N + "LogSoftmax", "scalar input", lambda w: nn.LogSoftmax()(np.float64(1.0)), ValueError, "0-d"),
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
    C(FN + "cross_entropy", "3-d logits", lambda w: F.cross_entropy(np.ones((2, 3, 4)), [0, 1]), ValueError,
      r"shape \(N, C\) or \(C,\)"),
    C(FN + "cross_entropy", "negative target distribution", lambda w: F.cross_entropy(w.x, -np.ones((2, 3))),
      ValueError, "non-negative"),
    C(FN + "nll_loss", "1-d log-probabilities", lambda w: F.nll_loss(np.ones(3), [0]), ValueError, r"shape \(N, C\)"),
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
]


def _with_lr(opt, lr):
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = lr
    return sd


# Public names that take no input worth testing, or that only the engine calls.
EXEMPT = {
    "autograd.is_grad_enabled": "takes no arguments",
    "autograd.get_backend": "takes no arguments",
    "autograd.default_rng": "takes no arguments",
    "nn.History": "a dict of per-epoch lists that fit fills in",
    "nn.Identity": "passes anything through unchanged, like torch.nn.Identity",
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
