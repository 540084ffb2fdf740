# %% [markdown]
# # 10. Scalar mode and tensor mode: same numbers, different graphs
#
# gradwork has two front ends on one engine:
#
# - **scalar mode** (`Value`): one graph node per number. Every multiply and
#   add of every neuron is visible, which is what the first notebooks drew.
# - **tensor mode** (`Tensor`): one graph node per *array* operation. A whole
#   layer applied to a whole batch is a handful of nodes, each doing its work in numpy.
#
# Both walk the same graph algorithm (`autograd.engine`), so the same model
# must give the same outputs and the same gradients in either mode. This
# notebook checks that, then measures what the two modes cost: how many nodes
# the graph has and how long a forward and backward pass takes.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import nn
import nn.functional as F
import optim
from autograd import draw_graph, topological_order

rng = np.random.default_rng(0)

# %% [markdown]
# ## One model, two modes
#
# `model.to_scalar()` copies a tensor-mode model into scalar mode, weight for
# weight: every entry of each weight matrix becomes its own `Value`.

# %%
tensor_model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
scalar_model = tensor_model.to_scalar()
print(tensor_model)
print(f"first weight matrix: tensor mode holds a {type(tensor_model[0].weight).__name__} of shape "
      f"{tensor_model[0].weight.shape}; scalar mode an array of {type(scalar_model[0].weight.flat[0]).__name__}s "
      f"of shape {scalar_model[0].weight.shape}")

X = rng.normal(size=(16, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(float)  # which quadrant pairs: an XOR-like problem


def value_grads(values):
    """The .grad of every Value in an object array, as a float array of the same shape."""
    return np.array([v.grad for v in values.flat]).reshape(values.shape)


tensor_loss = F.mse_loss(tensor_model(X).reshape(-1), y)
scalar_loss = F.mse_loss(scalar_model(X).reshape(-1), y)
tensor_loss.backward()
scalar_loss.backward()
print(f"\nloss: tensor mode {tensor_loss.item():.15f}, scalar mode {scalar_loss.data:.15f}")
for (name, p), (_, q) in zip(tensor_model.named_parameters(), scalar_model.named_parameters()):
    gap = np.abs(p.grad.data - value_grads(q)).max()
    print(f"gradient of {name:>8}: largest difference between the modes {gap:.1e}")

# %% [markdown]
# The numbers agree to the last few bits (the two modes add the same terms in
# a different order, so tiny rounding differences are possible).
#
# Training keeps them in step too: the same optimiser on both models follows
# the same path.

# %%
opt_t = optim.SGD(tensor_model.parameters(), lr=0.2)
opt_s = optim.SGD(scalar_model.parameters(), lr=0.2)
losses_t, losses_s = [], []
for _ in range(30):
    for model, opt, losses in ((tensor_model, opt_t, losses_t), (scalar_model, opt_s, losses_s)):
        opt.zero_grad()
        loss = F.mse_loss(model(X).reshape(-1), y)
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
print(f"after 30 steps: tensor mode loss {losses_t[-1]:.12f}, scalar mode loss {losses_s[-1]:.12f}")
print(f"largest difference along the way: {np.abs(np.array(losses_t) - np.array(losses_s)).max():.1e}")

# %% [markdown]
# ## The size of the graph
#
# `topological_order` lists every node behind the loss. In scalar mode each
# weight, each input number, and each multiply, sum and activation of each
# example is a node. In tensor mode a layer is a few nodes whatever the batch size.

# %%
def graph_size(model, batch):
    loss = F.mse_loss(model(X[:batch]).reshape(-1), y[:batch])
    return len(topological_order([loss]))


print(f"{'batch':>6} {'scalar-mode nodes':>18} {'tensor-mode nodes':>18}")
for batch in (1, 4, 16):
    print(f"{batch:>6} {graph_size(scalar_model, batch):>18} {graph_size(tensor_model, batch):>18}")

# %% [markdown]
# Drawn, the difference is plain. A 2-2-1 network on one example: scalar mode
# first, then tensor mode.

# %%
tiny = nn.MLP(2, [2, 1], activation="tanh", seed=1)
tiny_scalar = tiny.to_scalar()
x_one = X[:1]
draw_graph(tiny_scalar(x_one)[0, 0], params=tiny_scalar,
           title="scalar mode: one node per number")

# %%
draw_graph(tiny(x_one), params=tiny, title="tensor mode: one node per array operation")

# %% [markdown]
# ## The speed
#
# Every scalar-mode node is a Python object with Python arithmetic, so a
# forward and backward pass costs roughly a microsecond or two per node, and
# the node count grows with both the model and the batch. Tensor mode pays a
# similar fixed cost per *array* operation and hands the arithmetic to numpy.
# Timings on this machine (best of three, forward plus backward, model
# 2-8-8-1):

# %%
def step_seconds(model, batch, repeats=3):
    Xb = rng.normal(size=(batch, 2))
    yb = (Xb[:, 0] * Xb[:, 1] > 0).astype(float)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        loss = F.mse_loss(model(Xb).reshape(-1), yb)
        loss.backward()
        best = min(best, time.perf_counter() - start)
    return best


batches = [1, 4, 16, 64, 256]
scalar_times = [step_seconds(scalar_model, b) for b in batches]
tensor_times = [step_seconds(tensor_model, b) for b in batches]
print(f"{'batch':>6} {'scalar mode':>12} {'tensor mode':>12} {'ratio':>7}")
for b, s, t in zip(batches, scalar_times, tensor_times):
    print(f"{b:>6} {s * 1e3:>9.2f} ms {t * 1e3:>9.3f} ms {s / t:>6.0f}x")

fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(batches, np.array(scalar_times) * 1e3, "o-", label="scalar mode (Value)")
ax.plot(batches, np.array(tensor_times) * 1e3, "o-", label="tensor mode (Tensor)")
ax.set(xscale="log", yscale="log", xlabel="batch size", ylabel="milliseconds per forward + backward",
       title="same model, same numbers")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Scalar-mode time grows at least in proportion to the batch, because the graph does.
# Tensor-mode time hardly moves until the arrays get large, because its graph
# has the same few nodes for any batch; the ratio grows with the batch size.
# For still larger models `autograd.set_backend("numba")` swaps in compiled
# kernels for the tensor ops.
#
# **Summary**
# - Scalar mode and tensor mode run the same engine and give the same numbers.
# - Scalar mode is for seeing: every operation on every number is a node you can draw and inspect.
# - Tensor mode is for training: a few nodes per layer, the arithmetic done by numpy, orders of magnitude faster.
