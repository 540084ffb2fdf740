# %% [markdown]
# # 6. A multi-layer perceptron on real tabular data
#
# A typical first real problem for a neural network is a table: one row per
# customer (or patient, or loan), a column per measurement, and a yes/no
# column to predict, such as "will this customer leave?" (churn). We use a
# table of exactly that shape that ships with scikit-learn, so nothing is
# downloaded: the **breast cancer** data set, 569 tumour samples with 30
# numeric measurements each, labelled malignant (0) or benign (1).
#
# The workflow is the same for any such table:
#
# 1. split the rows into a training set and a test set;
# 2. standardise the features, with statistics from the training set only;
# 3. build a multi-layer perceptron (MLP) and pick a loss and an optimiser;
# 4. train for a number of **epochs** (passes over the training set) and watch
#    the learning curves on both sets;
# 5. judge the model on the test set only.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nn
import optim
from autograd import draw_network, manual_seed

manual_seed(0)

# %% [markdown]
# ## The data

# %%
X, y = nn.datasets.load_breast_cancer()
print(f"X: {X.shape[0]} rows x {X.shape[1]} features; y: {np.bincount(y)[0]} malignant (0), "
      f"{np.bincount(y)[1]} benign (1)")
print(f"{'feature':>8} {'min':>10} {'max':>10}")
for j in (0, 3, 4, 9, 23):
    print(f"{j:>8} {X[:, j].min():>10.4g} {X[:, j].max():>10.4g}")

# %% [markdown]
# The features live on wildly different scales: some are below 0.1, others
# run into the thousands. A weight on a large feature then has a huge
# gradient and a weight on a small one a tiny gradient, and no single learning
# rate suits both. **Standardising** each feature to mean 0 and standard
# deviation 1 fixes that.
#
# The mean and standard deviation must come from the *training* rows alone.
# Computing them on all rows would leak information about the test set into
# training, and the test score would no longer be an honest estimate.

# %%
X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.25, seed=0, stratify=True)
scaler = nn.StandardScaler().fit(X_train)
X_train_s, X_test_s = scaler.transform(X_train), scaler.transform(X_test)
print(f"train: {len(X_train)} rows, test: {len(X_test)} rows")
print(f"standardised training features: means within {np.abs(X_train_s.mean(axis=0)).max():.1e} of 0, "
      f"standard deviations {X_train_s.std(axis=0).min():.3f} to {X_train_s.std(axis=0).max():.3f}")
print(f"test features (scaled with the training statistics): means from {X_test_s.mean(axis=0).min():.2f} "
      f"to {X_test_s.mean(axis=0).max():.2f}")

# %% [markdown]
# ## The model
#
# 30 inputs, two hidden layers of 16 and 8 ReLU neurons, and one output
# neuron. The output is a raw score (a logit); the loss
# `BCEWithLogitsLoss` applies the sigmoid inside the binary cross-entropy
# (notebook 4), which is both simpler and numerically safer than a sigmoid
# layer followed by a log.

# %%
model = nn.MLP(30, [16, 8, 1], activation="relu", seed=0)
print(model)
print(f"{sum(p.size for p in model.parameters())} parameters")
draw_network(model, title="30 inputs, hidden layers of 16 and 8, one output", max_neurons=10)

# %% [markdown]
# ## Training
#
# `nn.fit` runs the loop from notebook 5: each epoch shuffles the training rows
# into mini-batches of 32; for each batch it runs the forward pass, computes
# the loss, calls `backward()` and lets the optimiser (Adam here, see
# notebook 8) update the weights. After each epoch it evaluates the test set
# without recording a graph, so we get both learning curves.

# %%
def train(X_tr, X_te, epochs=150, seed=0):
    net = nn.MLP(30, [16, 8, 1], activation="relu", seed=seed)
    optimizer = optim.Adam(net.parameters(), lr=1e-3)
    history = nn.fit(net, nn.BCEWithLogitsLoss(), optimizer, X_tr, y_train, epochs=epochs, batch_size=32,
                     seed=seed, validation_data=(X_te, y_test), progress=False)
    return net, history


model, history = train(X_train_s, X_test_s)
print(f"after {history.epochs} epochs: train loss {history['loss'][-1]:.4f}, "
      f"accuracy {history['accuracy'][-1]:.1%}; test loss {history['val_loss'][-1]:.4f}, "
      f"accuracy {history['val_accuracy'][-1]:.1%}")

# %%
ax = history.plot()  # loss (left axis) and accuracy (right axis) per epoch, training and test set
ax.set_title("standardised features")
plt.show()

# %% [markdown]
# Both curves fall together for the first few dozen epochs: the network is
# learning patterns that hold for tumours in general. Later the training loss
# keeps going down while the test loss turns back up; the gap between them is
# what the network has learned about *these particular* training rows, and
# it makes the network more confident on the test rows it gets wrong. The
# accuracy barely moves, but the loss shows it. Notebook 9 looks at that gap
# (over-fitting) and at dropout, a way to shrink it. (Choosing the epoch by
# the test curve would quietly tune the model to the test set; a separate
# validation split is the honest way to pick it.)
#
# The same network on the raw, unscaled features, with everything else
# identical:

# %%
_, raw_history = train(X_train, X_test)
print(f"after 150 epochs, raw features: training loss {raw_history['loss'][-1]:.3f}, "
      f"test accuracy {raw_history['val_accuracy'][-1]:.1%}")
print(f"             standardised features: training loss {history['loss'][-1]:.3f}, "
      f"test accuracy {history['val_accuracy'][-1]:.1%}")
raw_history.plot().set_title("raw features")
plt.show()

# %% [markdown]
# On raw features the network first calls every tumour malignant (the flat
# stretch at 37 % accuracy, the share of malignant samples), then improves
# slowly and erratically. The same optimiser with the same learning rate is
# facing a much worse conditioned problem (notebook 5): a few large features
# dominate every gradient.

# %% [markdown]
# ## Judging the model on the test set
#
# Accuracy hides which mistakes were made. For a yes/no problem the four
# counts of the **confusion matrix** say more: how many malignant tumours were
# called benign (the costly mistake here, like a churning customer we failed to
# flag) and how many benign ones were flagged for nothing.

# %%
trainer = nn.Trainer(model, nn.BCEWithLogitsLoss(), None, progress=False)
logits = trainer.predict(X_test_s).ravel()
probability = 1 / (1 + np.exp(-logits))
predicted = (probability > 0.5).astype(int)

counts = np.zeros((2, 2), dtype=int)
for truth, guess in zip(y_test, predicted):
    counts[truth, guess] += 1
print("rows: true class, columns: predicted class (0 = malignant, 1 = benign)")
print(counts)
print(f"malignant tumours caught: {counts[0, 0]} of {counts[0].sum()}; "
      f"benign ones flagged needlessly: {counts[1, 0]} of {counts[1].sum()}")

fig, ax = plt.subplots(figsize=(6.5, 3.2))
bins = np.linspace(0, 1, 21)
ax.hist(probability[y_test == 0], bins=bins, alpha=0.7, label="malignant (0)")
ax.hist(probability[y_test == 1], bins=bins, alpha=0.7, label="benign (1)")
ax.axvline(0.5, color="k", ls="--", lw=1)
ax.set(xlabel="predicted probability of benign", ylabel="test samples", title="how sure the model is")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Most test samples get a probability near 0 or 1, and the few mistakes sit
# near the 0.5 threshold. Moving the threshold trades one kind of mistake for
# the other: a lower bar for "malignant" catches more of them at the price of
# more false alarms.
#
# **Summary**
# - Split first, then standardise with training statistics; the test set stays untouched until the end.
# - An MLP with a logit output and binary cross-entropy, trained with mini-batches for a few dozen epochs,
#   reaches about 98 % test accuracy on this table; on unscaled features the same training is slow and erratic.
# - Learning curves on both sets show when the network stops learning general patterns.
