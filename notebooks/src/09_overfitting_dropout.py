# %% [markdown]
# # 9. Over-fitting and dropout
#
# A network with many weights and few examples can lower its training loss in
# two ways: by learning the pattern behind the data, or by memorising the
# examples, noise included. Only the first helps on new data. Memorising is
# called **over-fitting**, and it shows as a widening gap between the training
# curve and the test curve.
#
# **Dropout** is a simple defence. During training, each hidden activation is
# set to zero with probability $p$, a fresh random choice on every forward
# pass. No neuron can rely on any particular other neuron being present, so
# the network cannot build fragile combinations that only fit the training
# examples. At test time nothing is dropped.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nn
import optim
from autograd import Tensor

# %% [markdown]
# ## Dropout in one layer
#
# `nn.Dropout(p)` zeroes each number with probability $p$ in training mode and
# multiplies the survivors by $1/(1-p)$, so the expected value of every output
# is unchanged ("inverted" dropout). In evaluation mode (`model.eval()`) it
# passes its input through untouched, so no rescaling is needed at test time.

# %%
dropout = nn.Dropout(0.5, seed=0)
x = Tensor(np.ones((2, 10)))
print("training mode, two forward passes of the same input:")
print(dropout(x).data)
print(dropout(x).data)
dropout.eval()
print("evaluation mode:")
print(dropout(x).data)

big = Tensor(np.ones((1000, 100)))
dropout.train()
print(f"mean over 100000 outputs in training mode: {dropout(big).data.mean():.3f} (input mean 1.0)")

# %% [markdown]
# ## A problem that invites over-fitting
#
# Two interleaved half-moons with a lot of noise: only 80 training points, and
# 500 fresh points from the same distribution as the test set. The network,
# two hidden layers of 128 ReLU neurons, has about 17 000 weights: more than
# enough to draw a boundary around every single training point.

# %%
X_train, y_train = nn.datasets.make_moons(80, noise=0.3, seed=0)
X_test, y_test = nn.datasets.make_moons(500, noise=0.3, seed=1)
print(f"{sum(p.size for p in nn.MLP(2, [128, 128, 1]).parameters())} weights for {len(X_train)} training points")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.scatter(*X_test.T, c=y_test, cmap="coolwarm", s=4, alpha=0.25)
ax.scatter(*X_train.T, c=y_train, cmap="coolwarm", s=25, edgecolors="k")
ax.set(title="training points (outlined) and test points (faint)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Training with and without dropout
#
# The same network from the same initial weights, trained for 400 epochs of
# full-batch Adam, once plainly and once with dropout ($p = 0.5$) after each
# hidden layer.

# %%
def train(p_drop, epochs=400):
    model = nn.MLP(2, [128, 128, 1], seed=0, dropout=p_drop)
    history = nn.fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=3e-3), X_train, y_train,
                     epochs=epochs, batch_size=None, seed=0, validation_data=(X_test, y_test), progress=False)
    return model, history


runs = {"no dropout": train(0.0), "dropout p = 0.5": train(0.5)}
for name, (_, h) in runs.items():
    best = int(np.argmin(h["val_loss"]))
    print(f"{name:>16}: training loss {h['loss'][-1]:.3f} / accuracy {h['accuracy'][-1]:.1%}; "
          f"test loss {h['val_loss'][-1]:.3f} / accuracy {h['val_accuracy'][-1]:.1%} "
          f"(lowest test loss {h['val_loss'][best]:.3f} at epoch {best + 1})")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
for ax, (name, (_, h)) in zip(axes, runs.items()):
    epochs = range(1, h.epochs + 1)
    ax.plot(epochs, h["loss"], label="training loss")
    ax.plot(epochs, h["val_loss"], label="test loss")
    ax.fill_between(epochs, h["loss"], h["val_loss"], color="tab:red", alpha=0.12, label="the gap")
    ax.set(title=name, xlabel="epoch", ylim=(0, 0.8))
axes[0].set_ylabel("binary cross-entropy")
axes[0].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Without dropout the training loss heads to zero while the test loss, after
# an early minimum, climbs steadily: from then on every epoch makes the
# network better at its 80 points and worse at everything else. With dropout
# the training loss falls more slowly (every step trains a different random
# half of the neurons), and the test loss stays near its minimum far longer
# and rises much less: the gap is a fraction of the one without dropout.
#
# (The training loss with dropout is measured with dropout active, one random
# mask per epoch, which is why it is noisy; the test evaluation runs in eval
# mode, with every neuron present.)
#
# ## What the two networks learned
#
# The decision boundary shows the difference directly: the over-fitted network
# carves out small islands to claim individual noisy training points.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
for ax, (name, (model, h)) in zip(axes, runs.items()):
    nn.plot_decision_boundary(model, X_train, y_train, ax=ax, resolution=200,
                              title=f"{name}: test accuracy {h['val_accuracy'][-1]:.1%}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Other defences
#
# Dropout is one of several ways to keep a network from memorising:
#
# - **more data** (the best fix when it is possible);
# - **a smaller network**, with fewer weights to memorise with;
# - **early stopping**: keep the weights from the epoch with the lowest
#   *validation* loss (`nn.EarlyStopping`); the curves above show how much that
#   alone would help;
# - **weight decay** (an L2 penalty on the weights, `weight_decay=` in `optim`),
#   which prefers small weights and hence smoother functions.
#
# **Summary**
# - Over-fitting shows as a training loss that keeps falling while the test loss turns up.
# - Dropout zeroes random activations in training (scaling the rest by $1/(1-p)$) and does nothing in eval mode.
# - With dropout the network cannot rely on individual neurons, its boundary is smoother and the test loss stays
#   close to the training loss.
