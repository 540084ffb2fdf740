# %% [markdown]
# # 8. Optimisers compared
#
# Plain gradient descent uses the current gradient and one global learning
# rate. Notebook 5 showed where that struggles: long narrow valleys, where the
# steep walls force a small rate and the gentle floor then takes forever.
# Modern optimisers change the step in two ways:
#
# - **momentum** remembers past gradients, so consistent directions build up
#   speed and zig-zags cancel out;
# - **adaptive rates** (AdaGrad, RMSprop, Adam) scale each parameter's step by
#   the size of *its own* recent gradients, so steep and flat directions both
#   get a sensible step.
#
# We run six of them from `optim` on a 2-D surface where the paths can be
# drawn, and then on a real network.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nn
import optim
from autograd import Tensor

# %% [markdown]
# ## The update rules
#
# With gradient $g_t$ at step $t$, learning rate $\eta$ and a small $\epsilon$
# against division by zero (all operations per parameter):
#
# - **SGD**: $\theta \gets \theta - \eta\, g_t$.
# - **momentum** keeps a velocity $b$: $b \gets \mu b + g_t$, then
#   $\theta \gets \theta - \eta\, b$.
# - **Nesterov** uses the same velocity but steps as if it had already moved:
#   $\theta \gets \theta - \eta\,(g_t + \mu b)$.
# - **AdaGrad** keeps the sum of squared gradients $s \gets s + g_t^2$ and
#   steps $\theta \gets \theta - \eta\, g_t / (\sqrt{s} + \epsilon)$.
# - **RMSprop** keeps a running mean instead, $v \gets \alpha v + (1-\alpha)
#   g_t^2$, and steps $\theta \gets \theta - \eta\, g_t / (\sqrt{v} + \epsilon)$.
# - **Adam** keeps running means of both the gradient and its square,
#   $m \gets \beta_1 m + (1-\beta_1) g_t$ and $v \gets \beta_2 v + (1-\beta_2)
#   g_t^2$, corrects them for starting at zero ($\hat m, \hat v$), and steps
#   $\theta \gets \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$.
#
# AdaGrad's sum only grows, so its steps shrink for good; RMSprop forgets old
# gradients, and Adam adds momentum to RMSprop.
#
# ## Paths on a curved valley
#
# The Rosenbrock function $L(u, v) = (1 - u)^2 + 10(v - u^2)^2$ has its minimum
# at $(1, 1)$ at the end of a curved, flat-bottomed valley. Getting into the
# valley is easy; following it to the end is the hard part. Every optimiser
# starts at $(-1.5, 2)$ and takes 400 steps, each with a learning rate picked
# by hand to work reasonably for it.

# %%
def rosenbrock(p):
    return (1 - p[0]) ** 2 + 10 * (p[1] - p[0] ** 2) ** 2


optimisers = {
    "SGD (lr 0.01)": lambda ps: optim.SGD(ps, lr=0.01),
    "momentum (lr 0.002, 0.9)": lambda ps: optim.SGD(ps, lr=0.002, momentum=0.9),
    "Nesterov (lr 0.002, 0.9)": lambda ps: optim.SGD(ps, lr=0.002, momentum=0.9, nesterov=True),
    "AdaGrad (lr 0.5)": lambda ps: optim.Adagrad(ps, lr=0.5),
    "RMSprop (lr 0.01)": lambda ps: optim.RMSprop(ps, lr=0.01),
    "Adam (lr 0.05)": lambda ps: optim.Adam(ps, lr=0.05),
}


def run(make_optimiser, steps=400, start=(-1.5, 2.0)):
    p = Tensor(np.array(start), requires_grad=True)
    optimiser = make_optimiser([p])
    path, losses = [p.data.copy()], []
    for _ in range(steps):
        optimiser.zero_grad()
        loss = rosenbrock(p)
        loss.backward()
        optimiser.step()
        path.append(p.data.copy())
        losses.append(loss.item())
    return np.array(path), losses


results = {name: run(make) for name, make in optimisers.items()}
for name, (path, losses) in results.items():
    print(f"{name:>25}: loss after 50 steps {losses[49]:8.3g}, after 400 {losses[-1]:8.2g}, "
          f"ends at ({path[-1, 0]:.3f}, {path[-1, 1]:.3f})")

# %%
U, V = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
surface = (1 - U) ** 2 + 10 * (V - U**2) ** 2
fig, axes = plt.subplots(2, 3, figsize=(14, 8), sharex=True, sharey=True)
for ax, (name, (path, _)) in zip(axes.flat, results.items()):
    ax.contour(U, V, surface, levels=np.geomspace(0.02, 200, 16), cmap="Greys", linewidths=0.6)
    ax.plot(path[:, 0], path[:, 1], "-", color="tab:red", lw=1.2)
    ax.plot(path[::20, 0], path[::20, 1], "o", color="tab:red", ms=2.5)
    ax.plot(1, 1, "k*", ms=12)
    ax.plot(*path[0], "ks", ms=5)
    ax.set_title(name)
fig.suptitle("400 steps from the square to the star (a dot every 20 steps)")
plt.tight_layout()
plt.show()

fig, ax = plt.subplots(figsize=(7, 3.8))
for name, (_, losses) in results.items():
    ax.plot(losses, label=name)
ax.set(yscale="log", xlabel="step", ylabel="loss", title="Rosenbrock: loss per step")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# What the paths show:
#
# - **SGD** drops into the valley quickly, then crawls along its flat floor:
#   the gradient there is tiny, and a larger rate would bounce off the walls.
# - **Momentum** and **Nesterov** overshoot and swing across the valley at
#   first, but the swings cancel while the speed along the floor keeps
#   building; Nesterov's look-ahead damps the swings a little.
# - **AdaGrad** normalises each coordinate's step, so it moves well at first,
#   but its steps keep shrinking as squared gradients pile up.
# - **RMSprop** takes steps of roughly the learning rate in every coordinate,
#   so its progress along the valley is steady but limited by that rate.
# - **Adam** combines both ideas and gets closest to $(1, 1)$ here.
#
# A 2-D function is only a sketch: with other learning rates the ranking
# changes, and surfaces of real networks have millions of dimensions.
#
# ## The same optimisers on a real network
#
# The digit classifier from notebook 7 (64-32-10 MLP, mini-batches of 32),
# trained for 10 epochs with each optimiser from the same initial weights.

# %%
X, y = nn.datasets.load_digits()
X_train, X_test, y_train, y_test = nn.train_test_split(X / 16.0, y, test_size=0.25, seed=0, stratify=True)

network_optimisers = {
    "SGD (lr 0.1)": lambda ps: optim.SGD(ps, lr=0.1),
    "momentum (lr 0.05, 0.9)": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
    "Nesterov (lr 0.05, 0.9)": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "AdaGrad (lr 0.05)": lambda ps: optim.Adagrad(ps, lr=0.05),
    "RMSprop (lr 0.003)": lambda ps: optim.RMSprop(ps, lr=0.003),
    "Adam (lr 0.003)": lambda ps: optim.Adam(ps, lr=0.003),
}
histories = {}
for name, make in network_optimisers.items():
    model = nn.MLP(64, [32, 10], seed=0)
    histories[name] = nn.fit(model, nn.CrossEntropyLoss(), make(model.parameters()), X_train, y_train, epochs=10,
                             batch_size=32, seed=0, validation_data=(X_test, y_test), progress=False)
    h = histories[name]
    print(f"{name:>24}: training loss {h['loss'][-1]:.3f}, test accuracy {h['val_accuracy'][-1]:.1%}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8))
for name, h in histories.items():
    ax1.plot(range(1, 11), h["loss"], "o-", ms=3, label=name)
    ax2.plot(range(1, 11), h["val_accuracy"], "o-", ms=3, label=name)
ax1.set(yscale="log", xlabel="epoch", ylabel="training loss", title="digits: training loss")
ax2.set(xlabel="epoch", ylabel="test accuracy", title="digits: test accuracy", ylim=(0.5, 1.0))
ax1.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# On this network every other optimiser reaches a lower training loss and a
# better test accuracy in 10 epochs than plain SGD. Each optimiser was given a reasonable
# learning rate, not a tuned one; a fair comparison would tune each, and the
# learning rate usually matters more than the choice between the adaptive
# methods. Adam with a rate around $10^{-3}$ is the common default because it
# works acceptably on most problems without tuning.
#
# **Summary**
# - Momentum smooths the direction and speeds up travel along consistent slopes.
# - AdaGrad, RMSprop and Adam give each parameter its own step size from its gradient history.
# - Adam (momentum + RMSprop with bias correction) is the usual starting point; SGD with momentum, well tuned,
#   remains a strong alternative.
