"""Interpolated Kneser-Ney trigram probabilities, with tables precomputed.

The same estimator as `nltk.lm.KneserNeyInterpolated(order=3)` (Chen &
Goodman's interpolated Kneser-Ney with one discount, 0.1 by default): the
top order uses raw counts, the lower orders continuation counts, and an
unseen context passes all of its mass to the next lower order. nltk counts
the continuations by scanning every n-gram for each word it scores, which
takes hours on a million-token corpus; this class counts them once. A test
(`tests/bench/test_kneser_ney.py`) checks that both give the same
probabilities.
"""

from collections import Counter


class KneserNeyTrigram:
    """Interpolated Kneser-Ney over token streams (lists of strings).

    Every unigram, bigram and trigram inside a stream is counted (as
    `nltk.util.everygrams(stream, max_len=3)` yields them).

    Args:
        streams: the training token streams.
        discount: the absolute discount `d`.
    """

    def __init__(self, streams, discount=0.1):
        self.discount = discount
        trigrams, bigrams = Counter(), Counter()
        for stream in streams:
            bigrams.update(zip(stream, stream[1:]))
            trigrams.update(zip(stream, stream[1:], stream[2:]))
        # Top order: raw counts of (u, v) -> w.
        self.context3_total = Counter()
        self.context3_types = Counter()
        for (u, v, _), count in trigrams.items():
            self.context3_total[u, v] += count
            self.context3_types[u, v] += 1
        self.trigrams = trigrams
        # Middle order: continuation counts N1+(. v w) over trigram types.
        self.continuation2 = Counter()
        self.continuation2_total = Counter()
        for _, v, w in trigrams:
            self.continuation2[v, w] += 1
            self.continuation2_total[v] += 1
        # The middle order's gamma counts distinct followers in bigrams.
        self.context2_types = Counter(v for v, _ in bigrams)
        # Unigrams: N1+(. w) over bigram types.
        self.continuation1 = Counter(w for _, w in bigrams)
        self.continuation1_total = len(bigrams)

    def unigram(self, word):
        return self.continuation1[word] / self.continuation1_total

    def bigram(self, word, v):
        """p(word | v) with continuation counts (the lower order)."""
        types = self.context2_types[v]
        total = self.continuation2_total[v]
        if not types or not total:
            return self.unigram(word)
        alpha = max(self.continuation2[v, word] - self.discount, 0.0) / total
        gamma = self.discount * types / total
        return alpha + gamma * self.unigram(word)

    def score(self, word, context):
        """p(word | context), context the (up to) two previous tokens."""
        context = tuple(context)[-2:]
        if not context:
            return self.unigram(word)
        if len(context) == 1:
            return self.bigram(word, context[0])
        total = self.context3_total[context]
        lower = self.bigram(word, context[1])
        if not total:
            return lower
        alpha = max(self.trigrams[(*context, word)] - self.discount, 0.0)
        gamma = self.discount * self.context3_types[context]
        return (alpha + gamma * lower) / total
