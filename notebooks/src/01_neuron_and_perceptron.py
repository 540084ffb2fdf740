# %% [markdown]
# # 1. The artificial neuron and the perceptron
#
# An artificial neuron is a very small calculation: multiply each input by a
# weight, add the products up, add a bias, and hand the total to an
# *activation function* that decides what comes out. The oldest activation is
# a hard threshold (the binary step), and a neuron with a step activation is
# called a **perceptron**.
#
# In this notebook we build one in gradwork's **scalar mode**, where every
# number is an `autograd.Value` and every operation is a node of a graph we can
# draw. Then we let the perceptron learning rule find weights on its own, and
# watch it fail on a problem no single straight line can solve (XOR).

# %%
import matplotlib.pyplot as plt
import numpy as np

from autograd import Value, draw_graph

rng = np.random.default_rng(0)

# %% [markdown]
# ## A neuron in four operations
#
# With inputs $x_1, x_2$, weights $w_1, w_2$ and bias $b$:
#
# $$z = w_1 x_1 + w_2 x_2 + b, \qquad \hat y = \operatorname{step}(z) =
# \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}$$
#
# The weights say how much each input matters (and in which direction); the
# bias moves the threshold, so the neuron can fire even when every input is 0,
# or refuse to fire until the weighted inputs are large.

# %%
def neuron(weights, bias, inputs):
    """step(w . x + b), built from Values so that every operation is a node."""
    z = Value.dot(weights, inputs) + bias
    z.label = "z"
    out = z.step()
    out.label = "y_hat"
    return out


w = [Value(0.7, label="w1"), Value(-0.4, label="w2")]
b = Value(-0.1, label="b")
x = [Value(1.0, label="x1"), Value(0.5, label="x2")]
y_hat = neuron(w, b, x)
print(f"z = 0.7*1.0 + (-0.4)*0.5 + (-0.1) = {0.7 * 1.0 - 0.4 * 0.5 - 0.1:.2f}  ->  y_hat = {y_hat.data}")
draw_graph(y_hat, params={"w1": w[0], "w2": w[1], "b": b}, title="one neuron: two products, a sum, a bias, a step")

# %% [markdown]
# Reading the drawing from left to right is the **forward pass**: the inputs
# and weights are multiplied, summed (`sum` is one node for all the products),
# the bias is added, and the step turns $z = 0.4$ into the output 1. The
# parameters the neuron can learn ($w_1, w_2, b$) are drawn in blue, the inputs
# in green.
#
# ## Choosing weights by hand: logic gates
#
# With two binary inputs a single perceptron can compute AND or OR. Both gates
# use the weights $(1, 1)$; only the bias differs. AND must fire only when
# both inputs are on, so the threshold sits between 1 and 2 ($b = -1.5$); OR
# fires when at least one input is on, so it sits between 0 and 1 ($b = -0.5$).

# %%
gates = {"AND": ([1.0, 1.0], -1.5), "OR": ([1.0, 1.0], -0.5), "NAND": ([-1.0, -1.0], 1.5)}
corners = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]


def gate(name, x1, x2):
    ws, bias = gates[name]
    return neuron([Value(v) for v in ws], Value(bias), [x1, x2]).data


print("x1 x2 | " + " ".join(f"{g:>4}" for g in gates))
for x1, x2 in corners:
    print(f" {x1:.0f}  {x2:.0f} | " + " ".join(f"{gate(g, x1, x2):4.0f}" for g in gates))

# %% [markdown]
# Geometrically, the neuron draws the line $w_1 x_1 + w_2 x_2 + b = 0$ and
# answers 1 on one side of it and 0 on the other. That line is its **decision
# boundary**.

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
grid = np.linspace(-0.5, 1.5, 2)
for ax, (name, (ws, bias)) in zip(axes, gates.items()):
    for x1, x2 in corners:
        on = gate(name, x1, x2) == 1.0
        ax.scatter(x1, x2, s=120, c="tab:orange" if on else "tab:blue", edgecolors="k", zorder=3)
    ax.plot(grid, -(ws[0] * grid + bias) / ws[1], "k--", label="w.x + b = 0")
    ax.set(title=name, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="x1", ylabel="x2", aspect="equal")
axes[0].legend(loc="upper right", fontsize=8)
fig.suptitle("orange: the neuron fires (1); blue: it does not (0)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Learning the weights: the perceptron rule
#
# Picking weights by hand does not scale. The perceptron rule learns them from
# labelled examples $(x, y)$ with $y \in \{0, 1\}$. Go through the examples one
# at a time and compare the prediction $\hat y$ with the label:
#
# $$w_j \leftarrow w_j + \eta\,(y - \hat y)\,x_j, \qquad b \leftarrow b + \eta\,(y - \hat y)$$
#
# When the prediction is right, $y - \hat y = 0$ and nothing moves. When the
# neuron stayed silent but should have fired ($y - \hat y = +1$), the weights
# move towards the input, so next time $z$ is larger; in the opposite mistake
# they move away from it. One pass over all the examples is an **epoch**.
# $\eta$ is the learning rate.
#
# If some line separates the two classes, the rule is guaranteed to find one
# after a finite number of mistakes. Let's try it on points labelled by a
# hidden line, $x_2 = 0.6\,x_1 + 0.3$, keeping a small empty margin around it.

# %%
points = rng.uniform(-2, 2, size=(200, 2))
signed_distance = (points[:, 1] - 0.6 * points[:, 0] - 0.3) / np.hypot(0.6, 1.0)
clear = np.abs(signed_distance) > 0.2
X = points[clear][:80]
Y = (signed_distance[clear][:80] > 0).astype(float)
print(f"{len(X)} points, {int(Y.sum())} of them in class 1")


def train_perceptron(X, Y, lr=0.1, epochs=30, seed=0):
    """The perceptron rule; returns the weights, the bias and the mistakes made in each epoch."""
    order_rng = np.random.default_rng(seed)
    w = [Value(v) for v in order_rng.normal(0.0, 1.0, size=X.shape[1])]
    b = Value(0.0)
    mistakes, boundaries = [], []
    for _ in range(epochs):
        wrong = 0
        for i in order_rng.permutation(len(X)):
            error = Y[i] - neuron(w, b, X[i]).data  # -1, 0 or +1
            if error:
                wrong += 1
                for wj, xj in zip(w, X[i]):
                    wj.data += lr * error * xj
                b.data += lr * error
        mistakes.append(wrong)
        boundaries.append(([wj.data for wj in w], b.data))
        if wrong == 0:
            break
    return w, b, mistakes, boundaries


w, b, mistakes, boundaries = train_perceptron(X, Y)
print(f"mistakes per epoch: {mistakes}")
print(f"learned w = ({w[0].data:.3f}, {w[1].data:.3f}), b = {b.data:.3f}")

# %%
def plot_boundary(ax, ws, bias, **style):
    xs = np.linspace(-2.5, 2.5, 2)
    ax.plot(xs, -(ws[0] * xs + bias) / ws[1], **style)


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.scatter(*X[Y == 0].T, c="tab:blue", s=18, label="class 0")
ax1.scatter(*X[Y == 1].T, c="tab:orange", s=18, label="class 1")
for k, (ws, bias) in enumerate(boundaries):
    last = k == len(boundaries) - 1
    plot_boundary(ax1, ws, bias, color="k" if last else "0.7", lw=2 if last else 1,
                  label="final boundary" if last else ("after each epoch" if k == 0 else None))
ax1.set(xlim=(-2.2, 2.2), ylim=(-2.2, 2.2), xlabel="x1", ylabel="x2", title="the boundary after each epoch")
ax1.legend(fontsize=8)
ax2.plot(range(1, len(mistakes) + 1), mistakes, "o-")
ax2.set(xlabel="epoch", ylabel="mistakes in the epoch", title="training stops when an epoch is mistake-free")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Why no gradient here?
#
# Later notebooks train networks with gradients computed by `backward()`. The
# step function cannot take part in that: it is flat everywhere except at the
# jump, so its derivative is 0 and no gradient passes through it. The engine
# says so:

# %%
w1 = Value(0.5, label="w1")
z = w1 * 2.0 - 0.3
out = z.step()
out.backward()
print(f"d out / d w1 = {w1.grad}")

# %% [markdown]
# The perceptron rule sidesteps this by using the error $y - \hat y$ directly.
# Gradient descent needs a smooth activation instead of the step, which is the
# subject of notebook 2.
#
# ## Where a single perceptron fails: XOR
#
# XOR fires when exactly one input is on. Put the four points on the plane:
# $(0, 1)$ and $(1, 0)$ are class 1, $(0, 0)$ and $(1, 1)$ are class 0. No
# straight line has both 1s on one side and both 0s on the other, so the rule
# can never reach an epoch without mistakes. It keeps cycling.

# %%
X_xor = np.array(corners)
Y_xor = np.array([0.0, 1.0, 1.0, 0.0])
_, _, xor_mistakes, _ = train_perceptron(X_xor, Y_xor, epochs=40)
print(f"mistakes in the last 10 epochs: {xor_mistakes[-10:]}")

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(range(1, len(xor_mistakes) + 1), xor_mistakes, "o-", ms=3)
ax.set(xlabel="epoch", ylabel="mistakes", title="XOR: the perceptron rule never settles", ylim=(0, 4.5))
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Two layers solve it
#
# XOR is "OR, but not AND", that is $\text{AND}(\text{OR}(x_1, x_2),
# \text{NAND}(x_1, x_2))$. Two neurons in a **hidden layer** compute OR and
# NAND; a third neuron combines them. The hidden layer moves the four points to
# new coordinates $(h_1, h_2)$ where a single line does separate them (both
# class-1 points land on the same spot, $(1, 1)$).

# %%
def xor_network(x1, x2):
    h1 = neuron([Value(1.0), Value(1.0)], Value(-0.5), [x1, x2])  # OR
    h2 = neuron([Value(-1.0), Value(-1.0)], Value(1.5), [x1, x2])  # NAND
    h1.label, h2.label = "h1 (OR)", "h2 (NAND)"
    out = neuron([Value(1.0), Value(1.0)], Value(-1.5), [h1, h2])  # AND
    out.label = "XOR"
    return out, (h1.data, h2.data)


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8))
for x1, x2 in corners:
    out, (h1, h2) = xor_network(Value(x1, label="x1"), Value(x2, label="x2"))
    colour = "tab:orange" if out.data == 1.0 else "tab:blue"
    print(f"x = ({x1:.0f}, {x2:.0f})  ->  hidden (OR, NAND) = ({h1:.0f}, {h2:.0f})  ->  XOR = {out.data:.0f}")
    ax1.scatter(x1, x2, s=120, c=colour, edgecolors="k")
    ax2.scatter(h1, h2, s=120, c=colour, edgecolors="k")
ax1.set(title="input space: not separable", xlabel="x1", ylabel="x2", xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
ax2.plot(grid, 1.5 - grid, "k--")
ax2.set(title="hidden space: one line separates", xlabel="h1 = OR", ylabel="h2 = NAND",
        xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
plt.tight_layout()
plt.show()

# %% [markdown]
# The whole two-layer network, for the input $(1, 0)$, is one graph:

# %%
out, _ = xor_network(Value(1.0, label="x1"), Value(0.0, label="x2"))
draw_graph(out, show_constants=False, title="XOR from three perceptrons")

# %% [markdown]
# Here we set the hidden weights by hand. The perceptron rule cannot train the
# hidden layer, because it has no target for $h_1$ and $h_2$ and the step
# passes no gradient back to them. Training many layers at once is what
# smooth activations (notebook 2) and back-propagation (notebook 3) make
# possible.
#
# **Summary**
# - A neuron computes $\operatorname{activation}(w \cdot x + b)$; with a step activation it draws one line.
# - The perceptron rule learns that line whenever one exists, one mistake at a time.
# - XOR has no such line; a hidden layer fixes the representation, but needs gradients to be learned.
