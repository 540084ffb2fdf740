"""PyTorch tutorial "Sequence models and LSTM networks", its exercise: the part-of-speech tagger with
character-level features (an LSTM over each word's letters).

PyTorch's default initialisation is replaced by numbers from one numpy generator, alike in both twins.
"""

import numpy as np
import autograd
import nn
import optim
from nn import functional as F

wrng = np.random.default_rng(7)  # PyTorch's default initialisation, replaced: both twins draw these numbers


def init_(model):
    with autograd.no_grad():
        for name, p in model.named_parameters():
            if "embeddings" in name:  # N(0, 1) like nn.Embedding's, uniform like nn.LSTM's and nn.Linear's
                p.copy_(autograd.tensor(wrng.standard_normal(tuple(p.shape))))
            else:
                p.copy_(autograd.tensor(wrng.uniform(-0.4, 0.4, tuple(p.shape))))


def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return autograd.tensor(idxs, dtype=autograd.long)


training_data = [
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])
]
word_to_ix = {}
char_to_ix = {}
for sent, _ in training_data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
        for c in word:
            if c not in char_to_ix:
                char_to_ix[c] = len(char_to_ix)
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
print(len(word_to_ix), len(char_to_ix))

EMBEDDING_DIM, CHAR_DIM, CHAR_HIDDEN, HIDDEN_DIM = 6, 3, 3, 6


class LSTMTagger(nn.Module):
    """The exercise: each word's vector is its embedding joined to the last hidden state of an LSTM over its
    characters."""

    def __init__(self, embedding_dim, char_dim, char_hidden, hidden_dim, vocab_size, n_chars, tagset_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.char_embeddings = nn.Embedding(n_chars, char_dim)
        self.char_lstm = nn.LSTM(char_dim, char_hidden)
        self.lstm = nn.LSTM(embedding_dim + char_hidden, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence, words):
        embeds = self.word_embeddings(sentence)
        char_reps = []
        for word in words:
            chars = self.char_embeddings(prepare_sequence(word, char_to_ix))
            _, (h_n, c_n) = self.char_lstm(chars.view(len(word), 1, -1))
            char_reps.append(h_n.view(-1))
        combined = autograd.cat([embeds, autograd.stack(char_reps)], dim=1)
        lstm_out, _ = self.lstm(combined.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)


model = LSTMTagger(EMBEDDING_DIM, CHAR_DIM, CHAR_HIDDEN, HIDDEN_DIM, len(word_to_ix), len(char_to_ix), len(tag_to_ix))
init_(model)
print(model)
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.3)

with autograd.no_grad():
    sentence = training_data[0][0]
    print(model(prepare_sequence(sentence, word_to_ix), sentence).tolist())

for epoch in range(40):
    for sentence, tags in training_data:
        model.zero_grad()
        tag_scores = model(prepare_sequence(sentence, word_to_ix), sentence)
        loss = loss_function(tag_scores, prepare_sequence(tags, tag_to_ix))
        loss.backward()
        optimizer.step()
    if epoch % 10 == 9:
        print(epoch, loss.item())

with autograd.no_grad():
    sentence = training_data[0][0]
    tag_scores = model(prepare_sequence(sentence, word_to_ix), sentence)
    print(tag_scores.tolist())
    print(tag_scores.argmax(1).tolist())
