# %% [markdown]
# # 13. Recurrent networks: unrolling through time, BPTT, RNN against LSTM
#
# A recurrent cell reads a sequence one step at a time and carries a hidden
# state h from step to step: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).
# The same weights are used at every step, so the graph of a whole sequence is
# the cell's graph copied once per step, each copy fed by the one before:
# the network *unrolled through time*. Back-propagation through that graph is
# back-propagation through time (BPTT), and nothing more.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor, draw_graph

# %% [markdown]
# ## The unrolled graph
#
# In scalar mode every weight is a `Value`, and each hidden unit of each step is
# one sum node and its tanh. Three steps of a cell with one input and two
# hidden units:

# %%
cell = nn.RNNCell(1, 2, mode="scalar", seed=0)
h = None
for t, x in enumerate([0.5, -1.0, 2.0]):
    h = cell([x], h)
    print(f"step {t}: h = {[round(v.data, 4) for v in h]}")
loss = h[0] + h[1]
loss.backward()
draw_graph(loss, rankdir="LR")

# %% [markdown]
# The same weights W_hh appear at every step, and their gradient is the sum
# of what each step contributes. Tensor mode gives the same numbers, with one
# graph node per step (`RNNCell`) instead of one per number:

# %%
tcell = cell.to_tensor()
ht = None
for x in [0.5, -1.0, 2.0]:
    ht = tcell(Tensor([x]), ht)
ht.sum().backward()
print("scalar mode dL/dW_hh:", np.array([v.grad for v in cell.weight_hh.flat]).reshape(2, 2).round(6).tolist())
print("tensor mode dL/dW_hh:", tcell.weight_hh.grad.data.round(6).tolist())
draw_graph(ht)

# %% [markdown]
# ## Gradients through time
#
# How much does the loss at the end of a sequence depend on the hidden state
# t steps earlier? We unroll a cell over T = 60 steps of random input, take
# the loss at the last step, and ask the engine for d loss / d h_t at every
# step. In a plain RNN each step back multiplies the gradient by
# W_hh^T diag(1 - h^2): with the weights a default initialisation gives, that
# shrinks it by a roughly constant factor per step, so it *vanishes*
# exponentially. An LSTM carries its cell state c forward through
# c_t = f_t c_{t-1} + i_t g_t: along that path the gradient is only scaled by
# the forget gates f_t, which stay near 1 when the forget bias is large.

# %%
T, B, H = 60, 16, 16
rng = np.random.default_rng(0)
xs = Tensor(rng.standard_normal((T, B, 4)))


def grad_norms(kind: str) -> np.ndarray:
    """|d loss / d h_t| averaged over the batch, for t = 0 .. T-1, loss = sum of the last hidden state."""
    cell = nn.RNNCell(4, H, seed=1) if kind == "RNN" else nn.LSTMCell(4, H, seed=1)
    if kind == "LSTM":
        cell.bias_ih.data[H : 2 * H] = 3.0  # forget-gate bias: the common trick to start with long memory
    nodes, state = [], None
    for t in range(T):
        state = cell(xs[t], state)
        # the node that carries the state on: h for the RNN, the (h, c) pair an LSTM cell outputs
        nodes.append(state if kind == "RNN" else state[0]._parents[0])
    last = state if kind == "RNN" else state[0]
    grads = autograd.gradients(last.sum(), nodes)
    return np.array([np.abs(np.asarray(getattr(g, "data", g))).mean() for g in grads])


norms = {kind: grad_norms(kind) for kind in ("RNN", "LSTM")}
plt.figure(figsize=(7, 3.5))
for kind, g in norms.items():
    plt.semilogy(range(T), g, label=kind)
plt.xlabel("time step t")
plt.ylabel("mean |d loss / d h_t|")
plt.title("Gradient reaching each step from a loss at the last step")
plt.legend()
plt.show()
for kind, g in norms.items():
    print(f"{kind}: gradient at t = 0 is {g[0] / g[-1]:.1e} of the gradient at the last step")

# %% [markdown]
# ## Truncated BPTT
#
# `nn.RNN/LSTM/GRU(..., bptt_truncate=k)` detaches the hidden state every k
# steps: the forward numbers are unchanged, but no gradient flows back more
# than k steps. It bounds the cost of long sequences, and it shows on the
# input gradient:

# %%
x = Tensor(rng.standard_normal((12, 2, 3)), requires_grad=True)
for k in (None, 4):
    layer = nn.LSTM(3, 8, seed=0, bptt_truncate=k)
    x.zero_grad()
    out, _ = layer(x)
    out[-1].sum().backward()
    print(f"bptt_truncate={k}: |d loss / d x_t| per step:", np.abs(x.grad.data).sum(axis=(1, 2)).round(4).tolist())

# %% [markdown]
# ## A task that needs memory
#
# Each sequence is a string of random bits (one-hot, with a third channel
# marking the first step); the label is the *first* bit, to be given after the
# last step. Everything after step 0 is a distractor, so the network must keep
# one bit through T = 40 steps. We train a plain RNN and an LSTM (hidden size
# 16) with the same optimiser settings (Adam, lr 0.005, 500 steps of 32
# sequences); the LSTM starts with its forget-gate bias at 3, as above. The
# RNN's gradient from the last step has all but vanished by step 0, so it has
# nothing to learn the first bit from; the LSTM's cell state carries it.
# (Results depend on the length and the settings: with a larger learning rate
# a plain RNN can find this task too, at this length, and an LSTM without the
# forget bias needs many more steps. The gradient picture is why long
# sequences are hard at all.)

# %%
def memory_batch(n: int, steps: int, rng: np.random.Generator) -> tuple:
    bits = rng.integers(0, 2, (steps, n))
    x = np.zeros((steps, n, 3))
    x[np.arange(steps)[:, None], np.arange(n)[None], bits] = 1
    x[0, :, 2] = 1
    return Tensor(x), bits[0]


class Remember(nn.Module):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.rnn = getattr(nn, kind)(3, 16, seed=0)
        self.head = nn.Linear(16, 2, seed=1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[-1])


def train(kind: str, steps: int, iters: int = 500) -> tuple:
    rng = np.random.default_rng(1)
    model = Remember(kind)
    if kind == "LSTM":
        model.rnn.bias_ih_l0.data[16:32] = 3.0  # forget-gate bias
    opt = optim.Adam(model.parameters(), lr=0.005)
    losses = []
    for _ in range(iters):
        x, y = memory_batch(32, steps, rng)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    x, y = memory_batch(500, steps, rng)
    return losses, float((model(x).data.argmax(axis=1) == y).mean())


start = time.perf_counter()
results = {kind: train(kind, 40) for kind in ("RNN", "LSTM")}
plt.figure(figsize=(7, 3.5))
for kind, (losses, acc) in results.items():
    plt.plot(losses, label=f"{kind} (test accuracy {acc:.0%})")
plt.xlabel("training step")
plt.ylabel("cross-entropy")
plt.title("Remember the first bit of 40")
plt.legend()
plt.show()
for kind, (_, acc) in results.items():
    print(f"{kind}: accuracy on 500 new sequences {acc:.1%} (chance: 50%)")
print(f"trained both in {time.perf_counter() - start:.1f} s")
