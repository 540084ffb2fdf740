# %% [markdown]
# # 3. Back-propagation, by hand and by the engine
#
# Training needs one number per weight: how much the loss changes when that
# weight changes a little, the derivative $\partial L/\partial w$.
# Back-propagation computes all of them in one sweep from the loss back to the
# inputs, using nothing but the chain rule and the small local derivative of
# each operation.
#
# We take one neuron with a squared-error loss, work out every derivative on
# paper, and check the engine against the paper, against finite differences,
# and against `autograd.gradcheck`.

# %%
import numpy as np

from autograd import Tensor, Value, draw_graph, draw_text, gradcheck, topological_order

# %% [markdown]
# ## The expression
#
# One input $x = 1.5$, a weight $w = -0.8$, a bias $b = 0.4$, a sigmoid
# activation and a target $t = 1$:
#
# $$z = w x + b, \qquad y = \sigma(z), \qquad L = (y - t)^2$$
#
# Building it with `Value`s records the graph as a side effect. Before
# `backward()` every gradient is 0.

# %%
x = Value(1.5, label="x")
w = Value(-0.8, label="w")
b = Value(0.4, label="b")
t = 1.0

wx = w * x
wx.label = "w*x"
z = wx + b
z.label = "z"
y = z.sigmoid()
y.label = "y"
error = y - t
error.label = "y - t"
L = error**2
L.label = "L"

params = {"w": w, "b": b}
draw_graph(L, params=params, title="forward pass: values computed, gradients still 0")

# %% [markdown]
# ## Each local derivative, on paper
#
# Every node only needs to know the derivative of its output with respect to
# its own inputs:
#
# | node | local derivative | value here |
# |---|---|---|
# | $L = e^2$ | $\partial L/\partial e = 2e$ | $2(y - t)$ |
# | $e = y - t$ | $\partial e/\partial y = 1$ | 1 |
# | $y = \sigma(z)$ | $\partial y/\partial z = y(1 - y)$ | |
# | $z = wx + b$ | $\partial z/\partial(wx) = 1$, $\partial z/\partial b = 1$ | 1, 1 |
# | $wx = w \cdot x$ | $\partial(wx)/\partial w = x$, $\partial(wx)/\partial x = w$ | 1.5, -0.8 |
#
# The **chain rule** multiplies them along the path from $L$ back to a leaf:
#
# $$\frac{\partial L}{\partial w} = \underbrace{2(y-t)}_{\partial L/\partial e}
# \cdot \underbrace{1}_{\partial e/\partial y}
# \cdot \underbrace{y(1-y)}_{\partial y/\partial z}
# \cdot \underbrace{1}_{\partial z/\partial(wx)}
# \cdot \underbrace{x}_{\partial(wx)/\partial w}$$

# %%
y_ = 1.0 / (1.0 + np.exp(-(-0.8 * 1.5 + 0.4)))
dL_de = 2 * (y_ - t)
de_dy = 1.0
dy_dz = y_ * (1 - y_)
dL_dz = dL_de * de_dy * dy_dz
by_hand = {"w": dL_dz * 1.5, "b": dL_dz * 1.0, "x": dL_dz * -0.8}
print(f"y = {y_:.6f}, L = {(y_ - t) ** 2:.6f}")
print(f"dL/de = {dL_de:.6f}, dy/dz = {dy_dz:.6f}, so dL/dz = {dL_dz:.6f}")
for name, value in by_hand.items():
    print(f"by hand: dL/d{name} = {value:+.6f}")

# %% [markdown]
# ## The engine does the same
#
# `L.backward()` visits the nodes from the output back to the leaves and, at
# each node, multiplies the gradient arriving from above by the node's local
# derivatives and passes the products down to its inputs.

# %%
L.backward()
for name, node in (("w", w), ("b", b), ("x", x)):
    print(f"engine:  dL/d{name} = {node.grad:+.6f}   (by hand {by_hand[name]:+.6f})")
    assert abs(node.grad - by_hand[name]) < 1e-12
draw_graph(L, params=params, title="after backward: every node holds dL/d(node)")

# %% [markdown]
# The engine keeps the local derivatives of each node (`local_grads()`), in the
# same order as the node's inputs. Listed in topological order, inputs first:

# %%
for node in topological_order([L]):
    if node.op:
        inputs = ", ".join(p.label or f"{p.data:g}" for p in node._parents)
        local = ", ".join(f"{d:.4f}" for d in node.local_grads())
        print(f"{node.label:>6} = {node.op:<8} of ({inputs:<10})  local derivatives ({local})")

# %% [markdown]
# ## Back-propagation in eight lines
#
# Nothing more is going on than this loop. Walk the nodes in reverse
# topological order (every node before the nodes it was computed from), and
# push each node's gradient to its inputs, times the local derivative. A node
# that feeds several others receives a contribution from each and *adds* them.

# %%
def backpropagate(output):
    """{node: dL/d node} for every node behind ``output``, by the chain rule."""
    order = topological_order([output])
    grads = {node: 0.0 for node in order}
    grads[output] = 1.0
    for node in reversed(order):
        for parent, local in zip(node._parents, node.local_grads()):  # the node's inputs, in order
            grads[parent] += local * grads[node]
    return grads


ours = backpropagate(L)
print(f"our loop: dL/dw = {ours[w]:+.6f}, dL/db = {ours[b]:+.6f}, dL/dx = {ours[x]:+.6f}")

# %% [markdown]
# ## One node at a time
#
# Each node also carries its step of that loop as a method, `_backward()`
# (micrograd's name): it adds local derivative times the node's own `grad`
# into each input's `grad`. Clear the gradients, set the output's `grad` to 1
# and call it node by node from the output down, and you are the engine.

# %%
L.zero_grad()
L.grad = 1.0
for node in reversed(topological_order([L])):
    node._backward()
    if node.op:
        print(f"after {node.label:>6}._backward():  dL/dw = {w.grad:+.6f}, dL/db = {b.grad:+.6f}")
assert abs(w.grad - by_hand["w"]) < 1e-12 and abs(b.grad - by_hand["b"]) < 1e-12

# %% [markdown]
# ## When a value is used twice, the gradients add
#
# In $f = a \cdot a + 3a$ the leaf $a$ feeds three places. The total change of
# $f$ is the sum of the changes along every path, so
# $\partial f/\partial a = a + a + 3 = 2a + 3$, which is 7 at $a = 2$.

# %%
a = Value(2.0, label="a")
f = a * a + 3 * a
f.label = "f"
f.backward()
print(f"df/da = {a.grad} (2a + 3 = {2 * 2.0 + 3})")
print(draw_text(f))

# %% [markdown]
# ## Checking against finite differences
#
# A derivative is a limit of slopes, so a tiny symmetric step gives a good
# estimate: $\partial L/\partial w \approx (L(w + h) - L(w - h)) / 2h$. It costs
# two forward passes *per parameter*, where back-propagation costs one
# backward pass for all of them, which is why we only use it to check.

# %%
def loss_at(w_value, b_value, x_value=1.5):
    return ((Value(w_value) * x_value + b_value).sigmoid() - t) ** 2


h = 1e-6
numeric_w = (loss_at(-0.8 + h, 0.4).data - loss_at(-0.8 - h, 0.4).data) / (2 * h)
numeric_b = (loss_at(-0.8, 0.4 + h).data - loss_at(-0.8, 0.4 - h).data) / (2 * h)
print(f"dL/dw: engine {w.grad:+.8f}, finite differences {numeric_w:+.8f}")
print(f"dL/db: engine {b.grad:+.8f}, finite differences {numeric_b:+.8f}")

# %% [markdown]
# `autograd.gradcheck` does this systematically for tensor-mode functions: it
# perturbs every element of every input that requires grad and compares with
# the analytic gradient, with a relative tolerance.

# %%
def neuron_loss(w, b, x):
    return ((w * x + b).sigmoid() - 1.0) ** 2


inputs = [Tensor(-0.8, requires_grad=True), Tensor(0.4, requires_grad=True), Tensor(1.5, requires_grad=True)]
print("gradcheck on the scalar expression:", gradcheck(neuron_loss, inputs))

rng = np.random.default_rng(0)
batch = [Tensor(rng.normal(size=(3, 4)), requires_grad=True), Tensor(rng.normal(size=4), requires_grad=True),
         Tensor(rng.normal(size=(3, 4)), requires_grad=True)]
print("gradcheck on the same expression over 3x4 arrays:", gradcheck(neuron_loss, batch))

# %% [markdown]
# ## What the gradient is for
#
# $\partial L/\partial w$ is negative here: increasing $w$ lowers the loss. A
# gradient-descent step moves each parameter a little *against* its gradient,
# $w \leftarrow w - \eta\,\partial L/\partial w$. One step with $\eta = 0.5$:

# %%
lr = 0.5
before = L.data
new_w, new_b = w.data - lr * w.grad, b.data - lr * b.grad
after = loss_at(new_w, new_b).data
print(f"w: {w.data} -> {new_w:.4f}, b: {b.data} -> {new_b:.4f}")
print(f"loss: {before:.5f} -> {after:.5f}")

# %% [markdown]
# ## A small network, same story
#
# Two inputs, two tanh hidden neurons, one output: the graph is bigger but
# every node still does the same thing. The scalar mode's gradients match the
# tensor mode's, which computes the same network with matrices.

# %%
W1 = np.array([[0.5, -0.6], [0.3, 0.8]])  # W1[i, j]: input i -> hidden j
b1 = np.array([0.1, -0.2])
W2 = np.array([0.7, -1.1])
b2 = 0.05
x_in, target = np.array([1.0, -2.0]), 0.5

sW1 = [[Value(W1[i, j], label=f"W1[{i},{j}]") for j in range(2)] for i in range(2)]
sb1 = [Value(b1[j], label=f"b1[{j}]") for j in range(2)]
sW2 = [Value(W2[j], label=f"W2[{j}]") for j in range(2)]
sb2 = Value(b2, label="b2")
xs = [Value(v, label=f"x{i}") for i, v in enumerate(x_in)]
hidden = []
for j in range(2):
    hj = (Value.sum(sW1[i][j] * xs[i] for i in range(2)) + sb1[j]).tanh()
    hj.label = f"h{j}"
    hidden.append(hj)
out = Value.sum(sW2[j] * hidden[j] for j in range(2)) + sb2
out.label = "out"
loss = (out - target) ** 2
loss.label = "loss"
loss.backward()

tW1, tb1 = Tensor(W1, requires_grad=True), Tensor(b1, requires_grad=True)
tW2, tb2 = Tensor(W2, requires_grad=True), Tensor(b2, requires_grad=True)
t_loss = ((Tensor(x_in) @ tW1 + tb1).tanh() @ tW2 + tb2 - target) ** 2
t_loss.backward()

scalar_W1 = np.array([[sW1[i][j].grad for j in range(2)] for i in range(2)])
print("dloss/dW1, scalar mode:\n", scalar_W1)
print("dloss/dW1, tensor mode:\n", tW1.grad.data)
print(f"largest difference: {np.abs(scalar_W1 - tW1.grad.data).max():.1e}")
draw_graph(loss, params=[(v.label, v) for v in [*sW1[0], *sW1[1], *sb1, *sW2, sb2]], title="a 2-2-1 network")

# %% [markdown]
# **Summary**
# - Every operation knows only its local derivative; the chain rule multiplies them along each path.
# - Back-propagation visits the nodes once, in reverse topological order, adding the contributions of all paths.
# - Finite differences and `gradcheck` confirm the result; gradient descent uses it.
