# %% [markdown]
# # 11. Extending the engine: custom ops and higher derivatives
#
# Every tensor operation in gradwork, from `+` to `softmax`, is a subclass of
# `autograd.Function` with two static methods side by side:
#
# - `forward(ctx, *arrays)` computes the result from plain numpy arrays and
#   saves whatever the derivative will need on `ctx`;
# - `backward(ctx, g)` receives $g = \partial L/\partial\,\text{output}$ and
#   returns $\partial L/\partial\,\text{input}$ for each input: $g$ times the
#   local derivative (the chain rule, one step).
#
# Your own ops use the same mechanism as the built-in ones. In this notebook we
# write one, check it with `gradcheck`, watch `gradcheck` catch a wrong
# derivative, and then take derivatives of derivatives with `create_graph`.

# %%
import matplotlib.pyplot as plt
import numpy as np

from autograd import Function, GradcheckError, Tensor, Value, grad, gradcheck, hessian, jacobian, stack

# %% [markdown]
# ## A custom op: softsign
#
# $\operatorname{softsign}(x) = \dfrac{x}{1 + |x|}$ is an S-shaped activation
# like tanh, but it approaches $\pm 1$ slowly (polynomially, not
# exponentially). Its derivative is
#
# $$\frac{d}{dx}\,\frac{x}{1 + |x|} = \frac{1}{(1 + |x|)^2}.$$

# %%
class Softsign(Function):
    """x / (1 + |x|); d/dx = 1 / (1 + |x|)**2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + abs(x)) ** 2


def softsign(t):
    return Softsign.apply(t)


x = Tensor(np.linspace(-4, 4, 9), requires_grad=True)
y = softsign(x)
y.sum().backward()
print("softsign(x):   ", np.round(y.data, 4))
print("d/dx (engine): ", np.round(x.grad.data, 4))
print("1/(1+|x|)^2:   ", np.round(1 / (1 + np.abs(x.data)) ** 2, 4))
print("the output knows how it was made:", y)

# %% [markdown]
# Two details matter:
#
# - `ctx.save_for_backward` keeps the input for the backward pass. Save
#   inputs, the output, or constants; anything else you need can go on `ctx`
#   as an attribute.
# - The backward rule uses only Python operators (`/`, `+`, `**`, `abs`). In a
#   normal `backward()` it receives numpy arrays; under `create_graph=True`
#   (below) it receives `Tensor`s, and the same operators then record new graph
#   nodes. A rule written with `np.abs` instead of `abs` would work for first
#   derivatives but fail under `create_graph=True`, since numpy functions do
#   not accept Tensors (the helpers in `autograd.generic` cover the cases the
#   operators do not).
#
# ## Checking a derivative with gradcheck
#
# `gradcheck(fn, inputs)` compares the engine's gradient with central finite
# differences, element by element, using a relative tolerance. It wants
# float64 inputs away from kinks (here, away from $x = 0$ where $|x|$ has one).

# %%
rng = np.random.default_rng(0)
inputs = Tensor(rng.uniform(0.2, 3.0, size=(4, 5)) * rng.choice([-1.0, 1.0], size=(4, 5)), requires_grad=True)
print("gradcheck(softsign):", gradcheck(softsign, [inputs]))

# %% [markdown]
# Now a classic slip: forgetting the square in the derivative.
# `gradcheck` reports the first element where the two disagree.

# %%
class BrokenSoftsign(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + abs(x))  # wrong: should be (1 + |x|) ** 2


try:
    gradcheck(BrokenSoftsign.apply, [inputs])
except GradcheckError as error:
    print("GradcheckError:", error)

# %% [markdown]
# ## Ops with more than one input
#
# `backward` returns one gradient per input of `forward`, in order. A weighted
# geometric mean of two positive arrays, $f(a, b) = a^{w} b^{1-w}$, has
# $\partial f/\partial a = w f / a$ and $\partial f/\partial b = (1 - w) f / b$.
# The weight $w$ is a keyword argument: it is a setting, not an input, so it
# gets no gradient.

# %%
class GeometricMean(Function):
    """a**w * b**(1-w); d/da = w out / a, d/db = (1 - w) out / b."""

    @staticmethod
    def forward(ctx, a, b, w=0.5):
        out = a**w * b ** (1 - w)
        ctx.save_for_backward(a, b, out)
        ctx.w = w
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        return g * ctx.w * out / a, g * (1 - ctx.w) * out / b


a = Tensor(rng.uniform(0.5, 2.0, size=6), requires_grad=True)
b = Tensor(rng.uniform(0.5, 2.0, size=6), requires_grad=True)
print("gradcheck(GeometricMean, w=0.3):", gradcheck(lambda a, b: GeometricMean.apply(a, b, w=0.3), [a, b]))

# %% [markdown]
# ## Derivatives of derivatives
#
# With `create_graph=True`, backward records its own computation, so the
# gradient is itself a `Tensor` with a graph behind it, and can be
# differentiated again. For $y = x^3$: $dy/dx = 3x^2$ and $d^2y/dx^2 = 6x$.

# %%
x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
(x**3).sum().backward(create_graph=True)
first = x.grad
print("dy/dx   =", first, "(3x^2 = [3, 12, 27])")
x.grad = None
first.sum().backward()
print("d2y/dx2 =", x.grad, "(6x = [6, 12, 18])")

# %% [markdown]
# The functional API wraps this: `grad(f)` is a new function that returns
# $f'$, and since it is built from the same recorded ops it can be passed to
# `grad` again. Because our softsign's backward uses operators, its higher
# derivatives come for free. Elementwise functions are summed first, so that
# `grad` of the sum gives each point's derivative.

# %%
def derivative(f):
    return grad(lambda t: f(t).sum())


d1 = derivative(softsign)
d2 = derivative(d1)
d3 = derivative(d2)

grid = Tensor(np.linspace(-3, 3, 301))
curves = {"softsign": softsign(grid).data, "1st derivative": d1(grid).data,
          "2nd derivative": d2(grid).data, "3rd derivative": d3(grid).data}
expected_d2 = -2 * np.sign(grid.data) / (1 + np.abs(grid.data)) ** 3
gap = np.abs(curves["2nd derivative"] - expected_d2).max()
print(f"2nd derivative vs -2 sign(x) / (1 + |x|)^3: largest difference {gap:.1e}")

fig, ax = plt.subplots(figsize=(7, 3.8))
for name, values in curves.items():
    ax.plot(grid.data, values, label=name)
ax.set(ylim=(-2.5, 2.5), xlabel="x", title="softsign and three derivatives, all by the engine")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ($|x|$ has a corner at 0, so the second derivative jumps there and the
# third grows without bound near it; away from 0 all of them match their
# formulas.)
#
# ## Hessians and Newton's method
#
# For a function of several variables, the matrix of second derivatives is
# the **Hessian**, $H_{ij} = \partial^2 f/\partial x_i \partial x_j$;
# `hessian(f)` computes it as the Jacobian of the gradient. It describes the
# curvature of the surface, which plain gradient descent ignores. Newton's
# method uses it: $x \leftarrow x - H^{-1} \nabla f$ jumps to the minimum of
# the local quadratic approximation.
#
# On the Rosenbrock function $f(u, v) = (1 - u)^2 + 100 (v - u^2)^2$, whose
# Hessian at the minimum $(1, 1)$ is $\begin{pmatrix} 802 & -400 \\ -400 &
# 200\end{pmatrix}$:

# %%
def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


print("Hessian at (1, 1):\n", hessian(rosenbrock)(Tensor([1.0, 1.0])).data)

gradient_of, hessian_of = grad(rosenbrock), hessian(rosenbrock)
p = np.array([-1.2, 1.0])
newton_path = [p]
for _ in range(8):
    step = np.linalg.solve(hessian_of(Tensor(p)).data, gradient_of(Tensor(p)).data)
    p = p - step
    newton_path.append(p)
newton_path = np.array(newton_path)

p = np.array([-1.2, 1.0])
descent_path = [p]
for _ in range(2000):
    p = p - 0.001 * gradient_of(Tensor(p)).data
    descent_path.append(p)
descent_path = np.array(descent_path)

for name, path in (("Newton, 8 steps", newton_path), ("gradient descent, 2000 steps", descent_path)):
    print(f"{name:>29}: ends at ({path[-1, 0]:.6f}, {path[-1, 1]:.6f}), f = {rosenbrock(path[-1]):.2e}")

U, V = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-3.5, 1.8, 300))
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.contour(U, V, (1 - U) ** 2 + 100 * (V - U**2) ** 2, levels=np.geomspace(0.1, 2000, 16), cmap="Greys",
           linewidths=0.7)
ax.plot(*descent_path.T, "-", color="tab:blue", label="gradient descent (2000 steps)")
ax.plot(*newton_path.T, "o-", color="tab:red", label="Newton's method (8 steps)")
ax.plot(1, 1, "k*", ms=12)
ax.set(xlabel="u", ylabel="v", title="second derivatives buy fast convergence")
ax.legend(loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# Newton's steps are not always downhill: the second one lands far outside the
# valley, because it jumps to where the local quadratic model is flat, and far
# from the minimum that model is poor. Practical versions limit the step. Near
# the minimum, though, each step roughly doubles the number of correct digits.
#
# Newton's method needs a Hessian of size (number of parameters)$^2$, which is
# why it is not used for networks with millions of weights; but for small
# problems, and for checking curvature, `hessian` is one line.
#
# `jacobian` does the same for vector-valued functions: row $i$ is the
# gradient of output $i$.

# %%
def f(x):
    return stack([x[0] * x[1], x[0] + x[1] ** 2, x[0].exp()])


point = Tensor([0.5, 2.0])
J = jacobian(f)(point)
x0, x1 = point.data
print("engine:\n", J.data)
print("by hand [[x1, x0], [1, 2 x1], [e^x0, 0]]:\n", np.array([[x1, x0], [1.0, 2 * x1], [np.exp(x0), 0.0]]))

# %% [markdown]
# ## Extending scalar mode
#
# In scalar mode, new functions need no class at all: anything composed from
# `Value` operations is differentiated automatically. The swish activation
# $x\,\sigma(x)$, in both modes:

# %%
def swish(v):
    return v * v.sigmoid()


for point in (-2.0, 0.5, 3.0):
    v = Value(point)
    swish(v).backward()
    t = Tensor(point, requires_grad=True)
    swish(t).backward()
    print(f"x = {point:+.1f}: swish {swish(Value(point)).data:+.5f}, d/dx scalar mode {v.grad:.6f}, "
          f"tensor mode {float(t.grad):.6f}")

# %% [markdown]
# A new scalar op with its own derivative can also be written the way
# micrograd writes its ops: build the result node by hand from its inputs
# (`Value(data, (inputs,), "name")`) and give it a `_backward` closure that
# adds local derivative times `out.grad` into each input's `grad`. The engine
# runs that closure in its walk like any built-in rule. Here is a cube whose
# derivative $3x^2$ we supply ourselves, checked against `x * x * x`:

# %%
def cube(x):
    out = Value(x.data**3, (x,), "cube")

    def _backward():
        x.grad += 3 * x.data**2 * out.grad

    out._backward = _backward
    return out


a, b = Value(1.5), Value(1.5)
(cube(a) * 2).backward()
(b * b * b * 2).backward()
print(f"hand-written rule: d/dx = {a.grad}, built from products: d/dx = {b.grad}")
assert a.grad == b.grad

# %% [markdown]
# **Summary**
# - A custom op is a `Function` subclass: `forward` on arrays, `backward` returning one gradient per input.
# - `gradcheck` compares the backward rule with finite differences and names the first element that disagrees.
# - Backward rules written with operators can be differentiated again: `create_graph=True`, nested `grad`,
#   `hessian` and `jacobian` all rest on that.
# - In scalar mode, compose `Value` operations, or build a node by hand with a `_backward` closure as micrograd does.
