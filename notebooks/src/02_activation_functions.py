# %% [markdown]
# # 2. Activation functions
#
# After the weighted sum, every neuron applies an **activation function**. It
# is the only non-linear part of a network, and its derivative decides how much
# of the training signal gets through a neuron on the way back. In this
# notebook we
#
# 1. plot the common activations next to their derivatives, where every
#    derivative is computed by the engine's `backward()`, not typed in by hand;
# 2. look at softmax, the activation that turns a vector of scores into probabilities;
# 3. show numerically why a network without activations is only one matrix;
# 4. watch two classic failures, vanishing sigmoid gradients and dead ReLUs,
#    with the gradient-flow drawing.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from autograd import Tensor, Value, draw_graph, jacobian, no_grad, stack, zeros_like

rng = np.random.default_rng(0)

# %% [markdown]
# ## Each activation and its derivative
#
# Put 401 points between -4 and 4 in one tensor $x$, apply the activation
# elementwise to get $y$, and call `y.sum().backward()`. Since $y_i$ depends
# only on $x_i$, the gradient of the sum with respect to $x_i$ is exactly
# $f'(x_i)$. So one backward pass gives the whole derivative curve.

# %%
activations = {
    "binary step": lambda t: t.step(),
    "linear": lambda t: 1.0 * t,
    "sigmoid": lambda t: t.sigmoid(),
    "tanh": lambda t: t.tanh(),
    "ReLU": lambda t: t.relu(),
    "leaky ReLU (slope 0.1)": lambda t: t.leaky_relu(0.1),
    "ELU (alpha 1)": lambda t: t.elu(1.0),
    "softmax of (x, 0), first entry": lambda t: stack([t, zeros_like(t)]).softmax(axis=0)[0],
}

x = Tensor(np.linspace(-4, 4, 401), requires_grad=True)
curves = {}
for name, f in activations.items():
    x.grad = None
    y = f(x)
    y.sum().backward()
    curves[name] = (y.data.copy(), x.grad.data.copy())

fig, axes = plt.subplots(2, 4, figsize=(14, 6), sharex=True)
for ax, (name, (fx, dfx)) in zip(axes.flat, curves.items()):
    ax.axhline(0, color="0.85", lw=0.8)
    ax.axvline(0, color="0.85", lw=0.8)
    ax.plot(x.data, fx, lw=2, label="f(x)")
    ax.plot(x.data, dfx, "--", lw=2, label="f'(x) from backward()")
    ax.set_title(name)
    ax.set_ylim(-1.6, 2.6)
axes[0, 0].legend(fontsize=8, loc="upper left")
plt.tight_layout()
plt.show()

# %% [markdown]
# What the curves say:
#
# - **binary step**: the derivative is 0 everywhere (undefined at the jump), so
#   no gradient passes through it. Good for notebook 1's perceptron, useless for
#   gradient descent.
# - **linear** ($f(x) = x$): the derivative is the constant 1. Gradients pass,
#   but the function adds no curvature (see below for what that costs).
# - **sigmoid** $\sigma(x) = 1/(1+e^{-x})$: squashes into $(0, 1)$, which reads
#   as a probability. Its derivative $\sigma(x)(1-\sigma(x))$ is at most 0.25
#   and almost 0 once $|x| > 4$: the neuron is *saturated*.
# - **tanh**: an S-curve like the sigmoid but centred on 0, with range
#   $(-1, 1)$ and a derivative that peaks at 1. It saturates too.
# - **ReLU** $\max(0, x)$: derivative exactly 1 for positive inputs and exactly
#   0 for negative ones. Cheap, and it does not saturate on the positive side.
# - **leaky ReLU**: a small slope (here 0.1) on the negative side, so the
#   derivative is never 0.
# - **ELU**: $\alpha(e^x - 1)$ for negative inputs: smooth, with a derivative
#   that fades to 0 slowly instead of dropping to it.
# - **softmax** acts on a whole vector (next section). With two scores $(x, 0)$
#   its first entry is $e^x / (e^x + 1)$, which is the sigmoid again: the last
#   panel is identical to the sigmoid panel.
#
# The scalar mode (`Value`) has the same activations. Both modes give the same
# derivatives:

# %%
print(f"{'x':>5} | " + " | ".join(f"{n:>10}" for n in ("sigmoid", "tanh", "relu", "leaky_relu", "elu")))
for point in (-2.0, -0.5, 0.5, 2.0):
    row = []
    for method in ("sigmoid", "tanh", "relu", "leaky_relu", "elu"):
        v = Value(point)
        out = getattr(v, method)(0.1) if method == "leaky_relu" else getattr(v, method)()
        out.backward()
        index = int(round((point + 4) / 8 * 400))
        name = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU (slope 0.1)",
                "elu": "ELU (alpha 1)"}[method]
        assert abs(v.grad - curves[name][1][index]) < 1e-12
        row.append(f"{v.grad:10.4f}")
    print(f"{point:5.1f} | " + " | ".join(row))

# %% [markdown]
# ## Softmax: scores in, probabilities out
#
# For classification into $K$ classes the last layer produces $K$ scores
# (*logits*) and softmax turns them into probabilities that are positive and
# sum to 1:
#
# $$\operatorname{softmax}(s)_i = \frac{e^{s_i}}{\sum_k e^{s_k}}$$
#
# It is an activation of a whole vector, not of one number: raising one score
# lowers every other probability. Dividing the scores by a *temperature* $T$
# shows how sharp the choice is.

# %%
scores = Tensor([2.0, 1.0, 0.1, -1.0])
fig, ax = plt.subplots(figsize=(7, 3))
width = 0.25
for k, temperature in enumerate((0.5, 1.0, 2.0)):
    p = (scores / temperature).softmax()
    ax.bar(np.arange(4) + (k - 1) * width, p.data, width, label=f"T = {temperature}")
    print(f"T = {temperature}: probabilities {np.round(p.data, 3)}, sum {p.data.sum():.6f}")
ax.set(xticks=range(4), xticklabels=[f"score {s:g}" for s in scores.data], ylabel="probability",
       title="softmax(scores / T): low T picks a winner, high T spreads out")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Its derivative is a matrix (the **Jacobian**): $\partial p_i/\partial s_j =
# p_i(\delta_{ij} - p_j)$. `autograd.jacobian` builds it one backward pass per
# output, and it matches the formula. Each row sums to 0, because adding the
# same constant to every score does not change the probabilities.

# %%
p = scores.softmax().data
J = jacobian(lambda s: s.softmax())(scores).data
formula = np.diag(p) - np.outer(p, p)
print(np.round(J, 4))
print(f"largest difference from diag(p) - p p^T: {np.abs(J - formula).max():.1e}")
print(f"largest row sum: {np.abs(J.sum(axis=1)).max():.1e}")

# %% [markdown]
# ## Without activations, depth buys nothing
#
# Stack three layers without activation functions:
# $y = ((x W_1 + b_1) W_2 + b_2) W_3 + b_3$. Multiplying out,
# $y = x (W_1 W_2 W_3) + (b_1 W_2 W_3 + b_2 W_3 + b_3)$: one matrix and one
# bias. Three layers of linear neurons are exactly one layer of them.

# %%
sizes = [2, 8, 8, 1]
Ws = [rng.normal(size=(m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
bs = [rng.normal(size=n) for n in sizes[1:]]
inputs = Tensor(rng.normal(size=(5, 2)))

deep = inputs
for W, b in zip(Ws, bs):
    deep = deep @ Tensor(W) + Tensor(b)

W_single = Ws[0] @ Ws[1] @ Ws[2]
b_single = (bs[0] @ Ws[1] + bs[1]) @ Ws[2] + bs[2]
single = inputs @ Tensor(W_single) + Tensor(b_single)
print(f"three linear layers vs one: largest difference {np.abs(deep.data - single.data).max():.1e}")

with_tanh = inputs
for W, b in zip(Ws, bs):
    with_tanh = (with_tanh @ Tensor(W) + Tensor(b)).tanh()
shortcut = (inputs @ Tensor(W_single) + Tensor(b_single)).tanh()
gap = np.abs(with_tanh.data - shortcut.data).max()
print(f"with tanh after each layer, the one-matrix shortcut is off by up to {gap:.2f}")

# %% [markdown]
# The practical consequence: a purely linear network can only draw straight
# lines, so it cannot learn XOR, however deep it is. Train a 2-8-1 network on
# the four XOR points with gradient descent, once with linear hidden units and
# once with tanh. The linear one gets stuck at the best any straight-line model
# can do (predict 0.5 everywhere, mean squared error 0.25).

# %%
X_xor = Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_xor = Tensor([[0.0], [1.0], [1.0], [0.0]])


def train_xor(hidden_activation, steps=1500, lr=0.2, seed=1):
    r = np.random.default_rng(seed)
    W1 = Tensor(r.normal(0, 1, (2, 8)), requires_grad=True)
    b1 = Tensor(np.zeros(8), requires_grad=True)
    W2 = Tensor(r.normal(0, 0.5, (8, 1)), requires_grad=True)
    b2 = Tensor(np.zeros(1), requires_grad=True)
    losses = []
    for _ in range(steps):
        hidden = hidden_activation(X_xor @ W1 + b1)
        loss = ((hidden @ W2 + b2 - Y_xor) ** 2).mean()
        for p in (W1, b1, W2, b2):
            p.grad = None
        loss.backward()
        with no_grad():
            for p in (W1, b1, W2, b2):
                p.data -= lr * p.grad.data
        losses.append(loss.item())
    prediction = hidden_activation(X_xor @ W1 + b1) @ W2 + b2
    return losses, prediction.data.ravel()


fig, ax = plt.subplots(figsize=(6, 3.2))
for name, act in (("linear hidden layer", lambda t: t), ("tanh hidden layer", lambda t: t.tanh())):
    losses, prediction = train_xor(act)
    ax.plot(losses, label=name)
    print(f"{name}: final loss {losses[-1]:.4f}, predictions {np.round(prediction, 2)} (targets 0 1 1 0)")
ax.set(yscale="log", xlabel="step", ylabel="mean squared error", title="XOR needs a non-linearity")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Vanishing gradients with sigmoid
#
# Back-propagation multiplies the local derivatives of every layer it crosses.
# The sigmoid's derivative is at most 0.25, so after ten sigmoid layers the
# gradient reaching the first layer can be a million times smaller than at the
# last: the early layers barely learn. Below is the mean size of the gradient
# of each layer's weights in a 10-layer network (width 8, same random input),
# for three activations.

# %%
X_deep = Tensor(rng.normal(size=(32, 8)))


def layer_gradients(activation, depth=10, width=8, seed=0):
    r = np.random.default_rng(seed)
    scale = np.sqrt(2.0 / width) if activation == "relu" else np.sqrt(1.0 / width)
    weights = [Tensor(r.normal(0, scale, (width, width)), requires_grad=True, name=f"W{i + 1}")
               for i in range(depth)]
    h = X_deep
    for W in weights:
        h = getattr(h @ W, activation)()
    loss = (h**2).mean()
    loss.backward()
    return [float(np.abs(W.grad.data).mean()) for W in weights]


fig, ax = plt.subplots(figsize=(7, 3.5))
for activation in ("sigmoid", "tanh", "relu"):
    ax.plot(range(1, 11), layer_gradients(activation), "o-", label=activation)
ax.set(yscale="log", xlabel="layer (1 = nearest the input)", ylabel="mean |dL/dW|",
       title="how much gradient reaches each layer")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The gradient-flow drawing shows the same thing on the graph itself. Each node
# is coloured by the mean size of its gradient (log scale); nodes whose gradient
# falls below `vanishing_below` are greyed out and marked VANISHING. Here is a
# five-layer sigmoid network of width 4, drawn top (input) to bottom (loss).
# `retain_grad()` keeps the gradient of each layer's output too, so the
# intermediate nodes are coloured as well as the weights.

# %%
r = np.random.default_rng(3)
X_small = Tensor(r.normal(size=(16, 4)), name="X")
h = X_small
weights = []
for i in range(5):
    W = Tensor(r.normal(0, 0.5, (4, 4)), requires_grad=True, name=f"W{i + 1}")
    weights.append(W)
    h = (h @ W).sigmoid().retain_grad()
loss = (h**2).mean()
loss.name = "loss"
loss.backward()
print("mean |grad| per layer:", " ".join(f"W{i + 1} {np.abs(W.grad.data).mean():.1e}" for i, W in enumerate(weights)))
draw_graph(loss, grad_flow=True, vanishing_below=1e-4, rankdir="TB",
           title="sigmoid network: the gradient fades towards the input")

# %% [markdown]
# ## Dead ReLUs
#
# A ReLU passes gradient only when its input is positive. If a neuron's
# weighted sum is negative for *every* example (for example after a large
# update pushed its bias far down), its output is always 0, its gradient is
# always 0, and gradient descent can never bring it back: the neuron is
# **dead**. In scalar mode, one dead neuron and the same neuron with a leaky
# ReLU:

# %%
def one_neuron(activation):
    w1, w2, b = Value(0.8, label="w1"), Value(-0.3, label="w2"), Value(-4.0, label="b")
    x1, x2 = Value(1.5, label="x1"), Value(2.0, label="x2")
    z = w1 * x1 + w2 * x2 + b
    z.label = "z"
    out = getattr(z, activation)()
    out.label = activation
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    print(f"{activation}: z = {z.data:.2f}, dL/dw1 = {w1.grad:.4f}, dL/db = {b.grad:.4f}")
    return draw_graph(loss, grad_flow=True, params=[("w1", w1), ("w2", w2), ("b", b)], legend=False,
                      title=f"{activation}: z < 0")


display(one_neuron("relu"))
display(one_neuron("leaky_relu"))

# %% [markdown]
# With ReLU every node before the activation gets exactly zero gradient (grey,
# VANISHING); with leaky ReLU a small gradient still reaches the weights and
# the bias, so training can pull the neuron back.
#
# The same thing in a layer: eight ReLU units, three of them with a bias of -6.
# On standardised inputs their weighted sum is negative for every example, so
# their weights get exactly zero gradient, and 300 steps of training leave them
# where they were.

# %%
X_reg = Tensor(rng.normal(size=(200, 2)))
y_reg = Tensor(np.sin(X_reg.data[:, :1]) + 0.5 * X_reg.data[:, 1:])
r = np.random.default_rng(4)
W1 = Tensor(r.normal(0, 0.7, (2, 8)), requires_grad=True)
b1 = Tensor(np.where(np.arange(8) < 3, -6.0, 0.1), requires_grad=True)
W2 = Tensor(r.normal(0, 0.5, (8, 1)), requires_grad=True)
start = W1.data.copy()
for step in range(300):
    pre = X_reg @ W1 + b1
    loss = ((pre.relu() @ W2 - y_reg) ** 2).mean()
    for p in (W1, b1, W2):
        p.grad = None
    loss.backward()
    if step == 0:
        print("gradient of each unit's weights at step 0:", np.round(np.abs(W1.grad.data).sum(axis=0), 4))
    with no_grad():
        for p in (W1, b1, W2):
            p.data -= 0.05 * p.grad.data
fires = (pre.data > 0).mean(axis=0)
print("fraction of examples on which each unit fires:", np.round(fires, 2))
print("how far each unit's weights moved in training: ", np.round(np.abs(W1.data - start).sum(axis=0), 3))
print(f"final loss {loss.item():.4f}")

# %% [markdown]
# Units 1-3 never fire, never receive gradient and never move. The usual
# remedies: initialise biases at or slightly above 0, keep the learning rate
# moderate, or use leaky ReLU or ELU so that a negative input still passes a
# little gradient.
#
# **Summary**
# - The derivative of the activation is a factor in every gradient that passes a neuron.
# - Without a non-linear activation, any stack of layers is a single linear layer.
# - Saturating activations (sigmoid, tanh) shrink gradients layer after layer; ReLU's gradient is exactly 0 for
#   negative inputs, which can kill a neuron for good. Leaky ReLU and ELU keep some gradient everywhere.
