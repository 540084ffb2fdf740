# %% [markdown]
# # 4. Cost functions: what each one rewards
#
# A network learns by making one number small: the **cost** (or loss), which
# measures how far its outputs are from the targets. The cost is a design
# choice, and each choice rewards different behaviour. Its derivative is where
# back-propagation starts, so it also decides what signal the weights get.
#
# We look at four costs, each written out as a formula, checked against
# `nn.functional`, and differentiated by the engine:
#
# - half squared error, $\tfrac12(p - t)^2$, and the mean squared error over a batch;
# - binary cross-entropy, for a probability of "yes";
# - categorical cross-entropy, for softmax over several classes;
# - hinge, for a score whose sign is the answer.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nn.functional as F
from autograd import Tensor, no_grad

rng = np.random.default_rng(0)

# %% [markdown]
# ## Half squared error and mean squared error
#
# For one prediction $p$ and target $t$, the half squared error is
# $E = \tfrac12 (p - t)^2$. The half is there so that the derivative is
# simply the error: $\partial E/\partial p = p - t$. Over a batch of $n$
# examples we average, $\text{MSE} = \frac1n \sum_i (p_i - t_i)^2$.

# %%
p = Tensor(np.linspace(-1, 3, 201), requires_grad=True)
t = 1.0
half_squared = 0.5 * (p - t) ** 2
half_squared.sum().backward()
assert np.allclose(half_squared.data, F.sse_loss(p, np.full(p.shape, t), reduction="none").data)

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(p.data, half_squared.data, label="E = (p - t)^2 / 2")
ax.plot(p.data, p.grad.data, "--", label="dE/dp from backward() = p - t")
ax.axvline(t, color="0.8")
ax.set(xlabel="prediction p (target t = 1)", title="half squared error")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Squaring makes big errors count far more than small ones: an error of 3 costs
# nine times an error of 1. So the mean squared error rewards being
# *reasonably close everywhere* and hates single large misses, which makes it
# sensitive to outliers. Compare it with the mean *absolute* error
# $\frac1n\sum_i |p_i - t_i|$ when fitting a line to data with a few bad points:

# %%
x_line = np.linspace(0, 1, 30)
y_line = 2 * x_line + 0.5 + rng.normal(0, 0.1, 30)
y_line[[24, 26, 28]] -= 3.0  # three corrupted measurements


def fit_line(loss_fn, steps=2000, lr=0.1):
    slope = Tensor(0.0, requires_grad=True)
    intercept = Tensor(0.0, requires_grad=True)
    for _ in range(steps):
        loss = loss_fn(slope * x_line + intercept, y_line)
        slope.grad = intercept.grad = None
        loss.backward()
        with no_grad():
            slope.data -= lr * slope.grad.data
            intercept.data -= lr * intercept.grad.data
    return slope.item(), intercept.item()


fig, ax = plt.subplots(figsize=(6, 3.5))
ax.scatter(x_line, y_line, s=15, c="k", label="data (3 outliers)")
for name, loss_fn in (("mean squared error", F.mse_loss), ("mean absolute error", F.l1_loss)):
    slope, intercept = fit_line(loss_fn)
    ax.plot(x_line, slope * x_line + intercept, label=f"{name}: y = {slope:.2f} x + {intercept:.2f}")
ax.plot(x_line, 2 * x_line + 0.5, ":", color="0.5", label="the true line: y = 2 x + 0.5")
ax.legend(fontsize=8)
ax.set(title="squared errors let three outliers drag the line")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Binary cross-entropy
#
# For a yes/no question the network outputs a probability $p = \sigma(z)$ of
# "yes", where $z$ is the raw score (the *logit*). With the label $t \in \{0, 1\}$:
#
# $$\text{BCE} = -\big(t \log p + (1 - t)\log(1 - p)\big)$$
#
# It is the negative log of the probability the model gave to the right
# answer. Being right with confidence costs almost nothing; being *confidently
# wrong* costs without bound, since $-\log p \to \infty$ as $p \to 0$.
#
# The real reason to prefer it over squared error on $p$ shows in the
# gradient with respect to the logit. With cross-entropy it is just
# $\sigma(z) - t$. With squared error it picks up an extra factor
# $\sigma'(z)$, which vanishes exactly when the model is confidently wrong, so
# the worst mistakes produce the weakest correction.

# %%
z = Tensor(np.linspace(-6, 6, 241), requires_grad=True)
labels = np.ones(z.shape)  # the right answer is "yes" (t = 1)

bce = -(labels * z.sigmoid().log() + (1 - labels) * (1 - z.sigmoid()).log())
assert np.allclose(bce.data, F.binary_cross_entropy_with_logits(z, labels, reduction="none").data)
bce.sum().backward()
bce_grad = z.grad.data.copy()

z.grad = None
squared_on_p = (z.sigmoid() - labels) ** 2
squared_on_p.sum().backward()
squared_grad = z.grad.data.copy()

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.5))
ax1.plot(z.sigmoid().data, bce.data, label="cross-entropy: -log p")
ax1.plot(z.sigmoid().data, squared_on_p.data, label="squared error: (p - 1)^2")
ax1.set(xlabel="predicted probability p of the right answer", ylabel="cost", title="cost when the answer is yes")
ax1.legend()
ax2.plot(z.data, np.abs(bce_grad), label="cross-entropy: |sigmoid(z) - 1|")
ax2.plot(z.data, np.abs(squared_grad), label="squared error on p")
ax2.set(xlabel="logit z (negative = confidently wrong)", ylabel="|d cost / dz|",
        title="the signal that reaches the weights")
ax2.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Categorical cross-entropy, with softmax
#
# With $K$ classes the network outputs $K$ logits, softmax turns them into
# probabilities, and the cost is again the negative log-probability of the
# correct class: $-\log \operatorname{softmax}(z)_y$. Its gradient with respect
# to the logits is remarkably simple: $\operatorname{softmax}(z) -
# \operatorname{onehot}(y)$. Every wrong class is pushed down by its
# probability, the right one pulled up by what it is missing.

# %%
logits = Tensor([[2.0, 1.0, 0.1, -1.0]], requires_grad=True)
label = np.array([2])
loss = -logits.log_softmax(axis=1)[0, 2]
assert np.isclose(loss.item(), F.cross_entropy(logits, label).item())
loss.backward()
probabilities = logits.softmax(axis=1).data
onehot = np.eye(4)[label]
print(f"probabilities     {np.round(probabilities, 4)}")
print(f"cost -log p[2] =  {loss.item():.4f}")
print(f"gradient          {np.round(logits.grad.data, 4)}")
print(f"softmax - onehot  {np.round(probabilities - onehot, 4)}")

# %% [markdown]
# ## Hinge loss
#
# A classifier can also output a raw score $s$ and answer by its sign, with
# labels $y \in \{-1, +1\}$. The product $m = y s$ is the **margin**: positive
# when right, negative when wrong. The hinge loss is $\max(0, 1 - m)$. It
# charges for wrong answers and for right answers that are not right by at
# least 1, and then stops caring: a point beyond the margin contributes
# nothing, not even a gradient.
#
# Written as functions of the margin, the four costs side by side (the
# cross-entropy of $\sigma(s)$ is $\log(1 + e^{-m})$, and squared error with
# targets $\pm1$ is $(1 - m)^2$):

# %%
m = Tensor(np.linspace(-2.5, 3.5, 241))
curves = {
    "0-1 (what we really count)": (m.data <= 0).astype(float),
    "hinge: max(0, 1 - m)": F.hinge_loss(m, np.ones(m.shape), reduction="none").data,
    "cross-entropy: log(1 + e^-m)": F.binary_cross_entropy_with_logits(m, np.ones(m.shape), reduction="none").data,
    "squared: (1 - m)^2": ((1 - m) ** 2).data,
}
fig, ax = plt.subplots(figsize=(7, 3.8))
for name, values in curves.items():
    ax.plot(m.data, values, label=name)
ax.set(ylim=(-0.1, 4), xlabel="margin m = y * score", ylabel="cost", title="four costs against the margin")
ax.axvline(0, color="0.8")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The squared cost rises again for $m > 1$: it punishes answers that are *too
# right*. Cross-entropy keeps rewarding more confidence a little; hinge stops at
# $m = 1$. That difference matters in practice. Train the same linear
# classifier $s = w \cdot x + b$ with each cost on data where a group of
# class $+1$ points sits far out on the correct side:

# %%
A = rng.normal([-1.0, -1.0], 0.6, (50, 2))
B = rng.normal([1.2, 1.0], 0.6, (50, 2))
far = rng.normal([6.0, 3.0], 0.5, (25, 2))
X = np.vstack([A, B, far])
y = np.array([-1.0] * 50 + [1.0] * 75)

costs = {
    "squared error": (lambda s: F.mse_loss(s, y), 0.02),
    "cross-entropy": (lambda s: F.binary_cross_entropy_with_logits(s, (y + 1) / 2), 0.1),
    "hinge": (lambda s: F.hinge_loss(s, y), 0.1),
}


def train_linear(cost, lr, steps=600):
    w = Tensor(np.zeros(2), requires_grad=True)
    b = Tensor(0.0, requires_grad=True)
    for _ in range(steps):
        loss = cost(Tensor(X) @ w + b)
        w.grad = b.grad = None
        loss.backward()
        with no_grad():
            w.data -= lr * w.grad.data
            b.data -= lr * b.grad.data
    return w.data, b.item()


fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
for ax, (name, (cost, lr)) in zip(axes, costs.items()):
    w, b = train_linear(cost, lr)
    accuracy = (np.sign(X @ w + b) == y).mean()
    ax.scatter(*X[y < 0].T, s=12, c="tab:blue", label="y = -1")
    ax.scatter(*X[y > 0].T, s=12, c="tab:orange", label="y = +1")
    xs = np.linspace(-3, 7.5, 2)
    ax.plot(xs, -(w[0] * xs + b) / w[1], "k-")
    ax.set(title=f"{name}: accuracy {accuracy:.1%}", xlim=(-3, 7.5), ylim=(-3, 5))
    print(f"{name:>14}: w = {np.round(w, 3)}, b = {b:.3f}, training accuracy {accuracy:.1%}")
axes[0].legend(loc="lower right", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# The squared cost tries to make the score of the far points exactly $+1$,
# which tilts the boundary until it cuts into the near cluster. Cross-entropy
# and hinge barely notice points that are already classified with room to
# spare, and put the boundary between the two near clusters, where it belongs.
#
# **Summary**
#
# | cost | use it for | what it rewards |
# |---|---|---|
# | half squared / mean squared error | regression | small errors everywhere; large errors dominate |
# | binary cross-entropy | yes/no probabilities | confident right answers; confident wrong ones cost without limit |
# | categorical cross-entropy | one of $K$ classes (softmax) | probability on the right class |
# | hinge | scores with labels $\pm1$ | a margin of at least 1, and nothing beyond it |
