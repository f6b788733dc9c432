"""Decoding strategies for autoregressive models, in plain NumPy.

Every sampler drives a step function over a batch of rows:

```
step(tokens, state) -> (log_probs, new_state)
```

`tokens` is an int array [rows] holding each row's previous token, `state`
a nested list, tuple or dict of arrays whose first axis is the rows (or
None), and `log_probs` a float array [rows, vocabulary] of the
log-probabilities of the next token. Rows that finish leave the batch, and
the state follows them (`gather_state`), so a step function only has to
work on whatever rows it is given.

- `greedy`: the most probable token at every step;
- `sample`: random draws, with a temperature and an optional top-k cut;
- `beam_search`: the `width` best hypotheses per row.

Each returns `Hypothesis` objects: the tokens (end token left out), the sum
of their log-probabilities (end token included) and whether they finished.

`greedy_decode` and `beam_search_decode` give the same results with
`keras.ops` instead, as dicts of tensors, so that a decoder traced into a
graph (a `tf.function`, a SavedModel endpoint) can call them; they are
imported on first use, so that the NumPy samplers do not load Keras.
"""

from seqkit.samplers.beam import beam_search
from seqkit.samplers.hypothesis import Hypothesis
from seqkit.samplers.sampling import greedy, sample
from seqkit.samplers.state import gather_state

__all__ = [
    "Hypothesis",
    "beam_search",
    "beam_search_decode",
    "gather_state",
    "greedy",
    "greedy_decode",
    "sample",
]

# The samplers that need Keras, loaded when first asked for.
_IN_GRAPH = ("beam_search_decode", "greedy_decode")


def __getattr__(name):
    if name in _IN_GRAPH:
        from seqkit.samplers import graph

        return getattr(graph, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
