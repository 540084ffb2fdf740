# %% [markdown]
# # 5. Gradient descent
#
# The gradient $\nabla L$ points in the direction in which the loss grows
# fastest. Gradient descent takes a small step the other way, again and again:
#
# $$\theta \leftarrow \theta - \eta\, \nabla_\theta L(\theta)$$
#
# where $\theta$ holds all the weights and $\eta$ is the **learning rate**.
# Three questions decide how well that works, and this notebook answers each
# with an experiment:
#
# 1. How much data goes into each gradient: all of it (batch), one example
#    (stochastic), or a few (mini-batch)?
# 2. How big a step: what a learning rate that is too small, right, or too large looks like.
# 3. What the surface looks like: local minima and saddle points, with the
#    optimiser's path drawn on a 2-D loss surface.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import nn
import nn.functional as F
import optim
from autograd import Tensor, grad, no_grad

rng = np.random.default_rng(0)

# %% [markdown]
# ## Batch, stochastic and mini-batch gradient descent
#
# A linear-regression problem with 512 examples and 4 features. The loss is
# the mean squared error over whichever examples the gradient is computed on.
#
# - **batch** gradient descent uses all 512 examples for every step: an exact
#   gradient, but one step per epoch;
# - **stochastic** gradient descent (SGD) uses one example per step: 512 cheap,
#   noisy steps per epoch;
# - **mini-batch** uses 32 examples per step: 16 steps per epoch, with much
#   less noise than one example and far more steps than the full batch.
#
# `nn.DataLoader` hands out the batches (reshuffled every epoch) and
# `optim.SGD` applies $\theta \leftarrow \theta - \eta \nabla L$ to each parameter.

# %%
N = 512
X = rng.normal(size=(N, 4))
true_w = np.array([1.5, -2.0, 0.5, 1.0])
y = X @ true_w + 0.3 + rng.normal(0, 0.3, N)


def full_loss(w, b):
    return float(((X @ w + b - y) ** 2).mean())


def train(batch_size, lr, epochs=15):
    w = Tensor(np.zeros(4), requires_grad=True)
    b = Tensor(0.0, requires_grad=True)
    optimizer = optim.SGD([w, b], lr=lr)
    loader = nn.DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=0)
    losses, seconds, path = [full_loss(w.data, b.item())], [0.0], [w.data[:2].copy()]
    elapsed = 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        for xb, yb in loader:
            loss = F.mse_loss(Tensor(xb) @ w + b, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            path.append(w.data[:2].copy())
        elapsed += time.perf_counter() - start
        losses.append(full_loss(w.data, b.item()))
        seconds.append(elapsed)
    return losses, seconds, np.array(path)


runs = {
    "batch (512 per step, lr 0.1)": train(None, 0.1),
    "stochastic (1 per step, lr 0.01)": train(1, 0.01),
    "mini-batch (32 per step, lr 0.05)": train(32, 0.05),
}
for name, (losses, seconds, path) in runs.items():
    print(f"{name:>34}: {len(path) - 1:5d} steps, loss after 1 epoch {losses[1]:.3f}, "
          f"after 15 epochs {losses[-1]:.3f}, {seconds[-1]:.2f} s")

# %%
fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15, 4))
for name, (losses, seconds, path) in runs.items():
    ax1.plot(range(len(losses)), losses, "o-", ms=3, label=name)
    ax2.plot(seconds[1:], losses[1:], "o-", ms=3, label=name)
    ax3.plot(path[:, 0], path[:, 1], lw=0.8, label=name)
ax1.set(yscale="log", xlabel="epoch", ylabel="loss on all data", title="per epoch")
ax2.set(xscale="log", yscale="log", xlabel="seconds of training (this machine, log scale)",
        title="per second (one dot per epoch)")
ax3.plot(*true_w[:2], "k*", ms=12, label="the true weights")
ax3.set(xlabel="w[0]", ylabel="w[1]", title="the path of two of the weights")
ax1.legend(fontsize=8)
ax3.legend(fontsize=7, loc="upper right")
plt.tight_layout()
plt.show()

# %% [markdown]
# What to notice:
#
# - Per **epoch**, stochastic and mini-batch descent are far ahead: they take
#   many steps for each pass over the data, the batch method takes one.
# - Per **second**, the picture changes. One step on one example does almost
#   no arithmetic, so most of its time goes to overhead (building the graph,
#   calling the optimiser), while arithmetic on a whole batch of rows costs
#   little more than on one. On a data set this small the full batch is even
#   the fastest per second; as data sets grow, each exact step gets more
#   expensive, and mini-batches, good per epoch *and* per second, become the
#   usual choice.
# - The **path** of SGD is ragged: each single-example gradient points
#   somewhere near the true direction, not exactly along it. It gets close
#   fast, then jitters around the minimum instead of settling (a shrinking
#   learning rate settles it). That noise is not all bad, as the last section shows.
#
# ## The learning rate
#
# Take a simple bowl that is ten times steeper in one direction than the other:
# $L(u, v) = u^2 + 10 v^2$. The gradient is $(2u, 20v)$, so one step multiplies
# $v$ by $1 - 20\eta$. If $|1 - 20\eta| > 1$, that is $\eta > 0.1$, every step
# overshoots further than the last and the iterates blow up. Just below that,
# they bounce from wall to wall. Far below it, they crawl.
#
# Along the flat direction a step multiplies $u$ by $1 - 2\eta$, so there a
# large rate is what we want. The best fixed rate balances the two directions,
# $\eta = 2/(2 + 20) \approx 0.09$: the steep direction bounces, but the
# shallow one moves as fast as the steep one allows.

# %%
def bowl(p):
    u, v = p[0], p[1]
    return u**2 + 10 * v**2


bowl_grad = grad(bowl)


def descend(f_grad, start, lr, steps):
    p = Tensor(np.array(start, dtype=float))
    path = [p.data.copy()]
    for _ in range(steps):
        p = Tensor(p.data - lr * f_grad(p).data)
        path.append(p.data.copy())
    return np.array(path)


u, v = np.meshgrid(np.linspace(-3.5, 3.5, 200), np.linspace(-1.6, 1.6, 200))
fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
rates = {"too small (0.005)": 0.005, "smooth (0.045)": 0.045, "bouncing, but fastest (0.09)": 0.09,
         "too large (0.102)": 0.102}
for ax, (name, lr) in zip(axes, rates.items()):
    path = descend(bowl_grad, [-3.0, 1.2], lr, 40)
    ax.contour(u, v, u**2 + 10 * v**2, levels=np.geomspace(0.05, 40, 12), cmap="Greys", linewidths=0.7)
    ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, color="tab:red")
    final = bowl(path[-1])
    ax.set(title=f"lr {name}\nloss after 40 steps: {final:.2g}", xlim=(-3.5, 3.5), ylim=(-1.6, 1.6))
plt.tight_layout()
plt.show()

# %% [markdown]
# The right learning rate depends on the steepest direction of the surface,
# while progress along the flattest direction is what takes time. When the two
# differ a lot (an *ill-conditioned* problem), plain gradient descent is slow
# whatever rate you pick; momentum and adaptive optimisers (notebook 8) are the remedy.
#
# ## Local minima and saddle points
#
# Loss surfaces of real networks are not bowls. This one,
#
# $$L(u, v) = (u^2 - 1)^2 + v^2 + 0.3\,u,$$
#
# has two valleys: a deeper one near $u = -1$ (the **global minimum**) and a
# shallower one near $u = +1$ (a **local minimum**). Between them, near the
# origin, sits a **saddle point**: a minimum along $v$ but a maximum along $u$.
# The gradient is zero at all three, so gradient descent can stop at any of
# them. Where it ends up depends only on where it starts.

# %%
def double_well(p):
    u, v = p[0], p[1]
    return (u**2 - 1) ** 2 + v**2 + 0.3 * u


double_well_grad = grad(double_well)
saddle_u = np.roots([4.0, 0.0, -4.0, 0.3])  # dL/du = 4u^3 - 4u + 0.3 = 0
saddle_u = float(saddle_u[np.argmin(np.abs(saddle_u))].real)

starts = {"starts left": [-1.8, 1.5], "starts right": [1.8, 1.5], "starts on the ridge": [saddle_u, 1.5],
          "starts near the ridge": [saddle_u + 0.01, 1.5]}
paths = {name: descend(double_well_grad, start, 0.05, 150) for name, start in starts.items()}

U, V = np.meshgrid(np.linspace(-2, 2, 240), np.linspace(-1.7, 1.7, 240))
surface = (U**2 - 1) ** 2 + V**2 + 0.3 * U
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5))
ax1.contourf(U, V, surface, levels=np.linspace(-0.4, 3.0, 25), cmap="viridis", extend="max")
for name, path in paths.items():
    ax1.plot(path[:, 0], path[:, 1], "o-", ms=2, lw=1.2, label=name)
    end = path[-1]
    grad_norm = np.linalg.norm(double_well_grad(Tensor(end)).data)
    print(f"{name:>22}: ends at ({end[0]:+.3f}, {end[1]:+.3f}), loss {double_well(end):+.4f}, "
          f"|gradient| {grad_norm:.1e}")
ax1.plot(saddle_u, 0, "wx", ms=10, mew=2)
ax1.annotate("saddle", (saddle_u, 0), (saddle_u + 0.15, -0.45), color="w")
ax1.set(xlabel="u", ylabel="v", title="gradient descent from four starting points")
ax1.legend(fontsize=8, loc="lower left")
for name, path in paths.items():
    ax2.plot([double_well(p) for p in path], label=name)
ax2.set(xlabel="step", ylabel="loss", title="the loss along each path")
ax2.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# - Starting left, descent finds the global minimum; starting right, it settles
#   in the local one and has no way of knowing a better valley exists.
# - Starting exactly on the ridge through the saddle, the gradient never has a
#   sideways component, so descent walks straight into the saddle and stops
#   there with a zero gradient, although the saddle is not a minimum.
# - Starting 0.01 to the side, it lingers near the saddle (the flat part of the
#   loss curve) and then slides off into a valley.
#
# In high dimensions saddle points are far more common than bad local minima,
# and the plateaus around them are what slows training. A little noise, like
# the noise of stochastic gradients, is enough to push an optimiser off the
# ridge. Add small random kicks to the gradient of the run that got stuck:

# %%
def noisy_descent(f_grad, start, lr, steps, noise, seed=0):
    r = np.random.default_rng(seed)
    p = np.array(start, dtype=float)
    path = [p.copy()]
    for _ in range(steps):
        g = f_grad(Tensor(p)).data + r.normal(0, noise, size=2)
        with no_grad():
            p = p - lr * g
        path.append(p.copy())
    return np.array(path)


fig, ax = plt.subplots(figsize=(6.5, 4.5))
ax.contourf(U, V, surface, levels=np.linspace(-0.4, 3.0, 25), cmap="viridis", extend="max")
ax.plot(*paths["starts on the ridge"].T, "o-", ms=2, color="tab:red", label="exact gradients: stuck at the saddle")
for seed in range(3):
    noisy = noisy_descent(double_well_grad, starts["starts on the ridge"], 0.05, 150, noise=0.3, seed=seed)
    ax.plot(*noisy.T, lw=1, label=f"noisy gradients, run {seed + 1}: ends at u = {noisy[-1, 0]:+.2f}")
ax.set(xlabel="u", ylabel="v", title="noise pushes descent off the saddle")
ax.legend(fontsize=7, loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# **Summary**
# - Batch descent takes exact but rare steps; SGD takes cheap, noisy ones; mini-batches balance the two.
# - The learning rate must suit the steepest direction; too large diverges, too small crawls.
# - Gradient descent stops wherever the gradient is zero: a global minimum, a local minimum or a saddle.
#   Noise helps it leave saddles.
