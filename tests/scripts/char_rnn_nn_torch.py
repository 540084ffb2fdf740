"""The torch original of char_rnn_nn.py."""
# ruff: noqa: B007, B008, UP008  (the tutorial's own spelling, kept)

import random
import string
import unicodedata

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset, Subset

torch.set_default_dtype(torch.float64)
random.seed(0)
wrng = np.random.default_rng(6)  # PyTorch's default initialisation, replaced: both twins draw these numbers

# We can use "_" to represent an out-of-vocabulary character, that is, any character we are not handling in our model
allowed_characters = string.ascii_letters + " .,;'" + "_"
n_letters = len(allowed_characters)


# Turn a Unicode string to plain ASCII, thanks to https://stackoverflow.com/a/518232/2809427
def unicodeToAscii(s):
    return "".join(
        c for c in unicodedata.normalize("NFD", s)
        if unicodedata.category(c) != "Mn"
        and c in allowed_characters
    )


print(f"converting 'Ślusàrski' to {unicodeToAscii('Ślusàrski')}")


# Find letter index from all_letters, e.g. "a" = 0
def letterToIndex(letter):
    # return our out-of-vocabulary character if we encounter a letter unknown to our model
    if letter not in allowed_characters:
        return allowed_characters.find("_")
    else:
        return allowed_characters.find(letter)


# Turn a line into a <line_length x 1 x n_letters>,
# or an array of one-hot letter vectors
def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


print(f"The letter 'a' becomes {lineToTensor('a').tolist()}")
print(f"The name 'Ahn' becomes {lineToTensor('Ahn').sum().item()} ones in {list(lineToTensor('Ahn').shape)}")

# the tutorial reads 18 files of surnames; a few invented ones per language stand in for them
NAMES = {
    "Czech": ["Dvorak", "Novotny", "Kovarik", "Hruska", "Zeleny", "Prochazka", "Sedlacek", "Vesely"],
    "Greek": ["Papadakis", "Nikolaou", "Georgiou", "Kostopoulos", "Antonakis", "Dimitriou", "Vlachos", "Lekkas"],
    "Irish": ["O'Brien", "Murphy", "Kelleher", "O'Donnell", "Gallagher", "McCarthy", "Brennan", "Dunleavy"],
    "Polish": ["Ślusàrski", "Kowalczyk", "Wiśniewski", "Zielinski", "Nowakowski", "Pawlak", "Dąbrowski", "Grabowski"],
}


class NamesDataset(Dataset):

    def __init__(self, names):
        labels_set = set()  # set of all classes

        self.data = []
        self.data_tensors = []
        self.labels = []
        self.labels_tensors = []

        # read all the ``.txt`` files in the specified directory: here, the lists above
        for label, lines in names.items():
            labels_set.add(label)
            for name in lines:
                self.data.append(name)
                self.data_tensors.append(lineToTensor(name))
                self.labels.append(label)

        # Cache the tensor representation of the labels
        self.labels_uniq = sorted(labels_set)  # sorted: a set's order changes from one process to the next
        for idx in range(len(self.labels)):
            temp_tensor = torch.tensor([self.labels_uniq.index(self.labels[idx])], dtype=torch.long)
            self.labels_tensors.append(temp_tensor)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, idx):
        data_item = self.data[idx]
        data_label = self.labels[idx]
        data_tensor = self.data_tensors[idx]
        label_tensor = self.labels_tensors[idx]

        return label_tensor, data_tensor, data_label, data_item


alldata = NamesDataset(NAMES)
print(f"loaded {len(alldata)} items of data")
print(f"example = {alldata[0][2]}, {alldata[0][3]}, {alldata[0][0].tolist()}, {list(alldata[0][1].shape)}")

# the tutorial splits with random_split and a seeded torch.Generator; a fixed numpy permutation stands in
perm = np.random.default_rng(2024).permutation(len(alldata)).tolist()
train_set, test_set = Subset(alldata, perm[:26]), Subset(alldata, perm[26:])
print(f"train examples = {len(train_set)}, validation examples = {len(test_set)}")


class CharRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(CharRNN, self).__init__()

        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        output = self.softmax(output)

        return output


n_hidden = 24  # the tutorial has 128
rnn = CharRNN(n_letters, n_hidden, len(alldata.labels_uniq))
with torch.no_grad():
    for p in rnn.parameters():
        p.copy_(torch.tensor(wrng.uniform(-0.2, 0.2, tuple(p.shape))))
print(rnn)


def label_from_output(output, output_labels):
    top_n, top_i = output.topk(1)
    label_i = top_i[0].item()
    return output_labels[label_i], label_i


input = lineToTensor("Albert")
output = rnn(input)  # this is equivalent to ``output = rnn.forward(input)``
print(output.tolist())
print(label_from_output(output, alldata.labels_uniq))


def train(rnn, training_data, n_epoch=10, n_batch_size=64, report_every=50, learning_rate=0.2, criterion=nn.NLLLoss()):
    """
    Learn on a batch of training_data for a specified number of iterations and reporting thresholds
    """
    # Keep track of losses for plotting
    current_loss = 0
    all_losses = []
    rnn.train()
    optimizer = torch.optim.SGD(rnn.parameters(), lr=learning_rate)

    print(f"training on data set with n = {len(training_data)}")

    for iter in range(1, n_epoch + 1):
        rnn.zero_grad()  # clear the gradients

        # create some minibatches
        # we cannot use dataloaders because each of our names is a different length
        batches = list(range(len(training_data)))
        random.shuffle(batches)
        batches = np.array_split(batches, len(batches) // n_batch_size)

        for idx, batch in enumerate(batches):
            batch_loss = 0
            for i in batch:  # for each example in this batch
                (label_tensor, text_tensor, label, text) = training_data[i]
                output = rnn.forward(text_tensor)
                loss = criterion(output, label_tensor)
                batch_loss += loss

            # optimize parameters
            batch_loss.backward()
            nn.utils.clip_grad_norm_(rnn.parameters(), 3)
            optimizer.step()
            optimizer.zero_grad()

            current_loss += batch_loss.item() / len(batch)

        all_losses.append(current_loss / len(batches))
        if iter % report_every == 0:
            print(f"{iter} ({iter / n_epoch:.0%}): \t average batch loss = {all_losses[-1]}")
        current_loss = 0

    return all_losses


all_losses = train(rnn, train_set, n_epoch=12, n_batch_size=8, learning_rate=0.15, report_every=2)
print(all_losses)


def evaluate(rnn, testing_data, classes):
    confusion = torch.zeros(len(classes), len(classes))

    rnn.eval()  # set to eval mode
    with torch.no_grad():  # do not record the gradients during eval phase
        for i in range(len(testing_data)):
            (label_tensor, text_tensor, label, text) = testing_data[i]
            output = rnn(text_tensor)
            guess, guess_i = label_from_output(output, classes)
            label_i = classes.index(label)
            confusion[label_i][guess_i] += 1

    # Normalize by dividing every row by its sum
    for i in range(len(classes)):
        denom = confusion[i].sum()
        if denom > 0:
            confusion[i] = confusion[i] / denom

    return confusion  # the tutorial plots it with matplotlib


print(evaluate(rnn, test_set, classes=alldata.labels_uniq).tolist())
print(evaluate(rnn, train_set, classes=alldata.labels_uniq).tolist())
