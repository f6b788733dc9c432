"""The compiled text paths of an export: pooled loops and XLA.

One entry point for the export: `text_serving_function` (the `text ->
outputs` function of a text model's signature, on its fastest path, and
what a server needs to warm that path up). The modules behind it:
`pooled_loops` (recurrent loops that pool as they go; one direction's
loop in `direction`, its folded input tables in `folding`), `xla` (the
whole network compiled, for single texts), `vocabulary` (the pooled
loops' token ids), `frozen` (the weights as constants of the graph) and
`branches` (branches called out of line).
"""

from typing import NamedTuple

from seqkit.serving.fast.branches import out_of_line
from seqkit.serving.fast.frozen import frozen_weights
from seqkit.serving.fast.vocabulary import VocabularyIds
from seqkit.serving.fast.xla import (
    XLA_MAX_ROWS,
    bucketed,
    xla_network,
    xla_warmup_lengths,
)

__all__ = ["TextServing", "text_serving_function"]


class TextServing(NamedTuple):
    """What `text_serving_function` gives the export.

    Attributes:
        function: maps a string tensor `[None]` to a dict of output
            tensors. On the pooled-loop path, `function.tracked` is a
            `tf.Module` the SavedModel must track (the folded tables'
            variables, the vocabulary table).
        outputs: the output names, in order.
        xla: the metadata's `"xla"` entry (`xla_metadata`), or None when
            the function has no compiled path.
    """

    function: object
    outputs: list
    xla: dict | None


def text_serving_function(model, xla=True, fold=True):
    """The `text -> outputs` function the export's signature runs.

    It stays whole: its closures share the model's paths (pooled loops,
    compiled network, plain graph), chosen once here, and the outputs'
    assembly around them; split, each piece would take them all as
    arguments.

    Args:
        model: a `TextClassifier`, `EnsembleClassifier` or
            `DocumentClassifier` (probabilities and label only).
        xla: run a text model's network (after tokenization) compiled
            by XLA. A model that `seqkit.serving.fast.pooled_loops` can run
            (one recurrent layer, max and/or mean pooling) runs that way
            for every call; any other text model runs its whole network
            compiled for calls with `XLA_MAX_ROWS` text (one), on ids
            padded to one of `XLA_LENGTHS`, and the plain graph for more.
            Padding is masked, so the answers are the same.
        fold: the pooled loops read each step's `x W + b` from folded
            tables (`folding.FoldedTables`; more server memory).

    Returns:
        A `TextServing`: the function, its output names and the
        metadata's `"xla"` entry.
    """
    import tensorflow as tf

    from seqkit.models.ngram import MixedClassifier
    from seqkit.preprocessing.text_vectorizer import keep_tokens

    if isinstance(model, MixedClassifier):
        return _mixed_serving_function(model, xla, fold)
    class_names = list(model.class_names)
    frozen = frozen_weights(model)
    max_length = model.vectorizer.max_length
    keep = getattr(model.vectorizer, "keep", "start")
    tokenizer = model.vectorizer.tokenizer
    # A document model's attention is [sentences, words] per document, of
    # widths that vary with the batch: its export returns the label only.
    with_attention = "attention" in model.output
    pooled = None
    if xla:
        from seqkit.serving.fast.pooled_loops import pooled_network

        pooled = pooled_network(model, fold=fold)
    network = xla_network(model) if xla and pooled is None else None

    def compiled(text):
        ids = model.vectorizer(text)
        rows, steps = tf.shape(ids)[0], tf.shape(ids)[1]
        outputs = network(bucketed(ids))
        result = {"probabilities": outputs["probabilities"][:rows]}
        if "attention" in outputs:
            result["attention"] = outputs["attention"][:rows, :steps]
        return result

    def plain(text):
        outputs = model(text, training=False)
        return {
            key: outputs[key]
            for key in ("probabilities", "attention")
            if key in outputs
        }

    if network is not None:
        # A single text's call skips the whole Keras graph: out of line, it
        # is one node of the branch not taken instead of hundreds.
        plain = out_of_line(plain)

    vocabulary_ids = None
    if pooled is not None and max_length is not None:
        vocabulary_ids = VocabularyIds(model.vectorizer)
    token_ids = vocabulary_ids or model.vectorizer

    def run(text):
        if pooled is not None:
            return {"probabilities": pooled(token_ids(text))}
        if network is None:
            return model(text, training=False)
        return tf.cond(
            tf.size(text) <= XLA_MAX_ROWS,
            lambda: compiled(text),
            lambda: plain(text),
        )

    def serve(text):
        with frozen():
            outputs = run(text)
        probabilities = outputs["probabilities"]
        # Made here, the names are a constant of the graph, not a capture.
        labels = tf.constant(class_names)
        result = {
            "probabilities": probabilities,
            "label": tf.gather(labels, tf.argmax(probabilities, -1)),
        }
        if with_attention:
            tokens = tokenizer(text)
            if max_length is not None:
                tokens = keep_tokens(tokens, max_length, keep)
                width = max_length
            else:
                width = tf.shape(outputs["attention"])[1]
            attention = outputs["attention"][:, :width]
            missing = width - tf.shape(attention)[1]
            attention = tf.pad(attention, [[0, 0], [0, missing]])
            attention.set_shape([None, max_length])
            result["attention"] = attention
            result["tokens"] = tokens.to_tensor("", shape=[None, width])
        return result

    names = ["probabilities", "label"]
    if with_attention:
        names += ["attention", "tokens"]
    if pooled is not None:
        serve.tracked = tf.Module(name="serving")
        serve.tracked.folded_inputs = pooled.folded_inputs
        if vocabulary_ids is not None:
            serve.tracked.vocabulary = vocabulary_ids.table
    warmup = xla_metadata(model, fold=fold) if xla else None
    return TextServing(serve, names, warmup)


def _mixed_serving_function(model, xla, fold):
    """A `MixedClassifier`'s function: its recurrent side on its own
    fastest path, mixed with the n-gram side's probabilities."""
    import tensorflow as tf

    from seqkit.models.ngram import shift

    inner = text_serving_function(model.recurrent, xla=xla, fold=fold)
    ngram, weight = model.ngram, model.weight
    class_names = list(model.class_names)

    def serve(text):
        outputs = dict(inner.function(text))
        probabilities = shift(
            (1.0 - weight) * outputs["probabilities"]
            + weight * ngram(text)["probabilities"],
            model.offsets,
        )
        outputs["probabilities"] = probabilities
        outputs["label"] = tf.gather(
            tf.constant(class_names), tf.argmax(probabilities, -1)
        )
        return outputs

    tracked = getattr(inner.function, "tracked", None)
    if tracked is not None:
        serve.tracked = tracked
    return TextServing(serve, inner.outputs, inner.xla)


def xla_metadata(model, fold=True):
    """The metadata's `"xla"` entry of a text model's XLA export, or None.

    `"path"` names the compiled path (`"pooled-loops"` or `"network"`, see
    `text_serving_function`) and the entry lists the row and token counts
    a server should warm up with (every pair of them), so no request
    waits for a compilation; pooled loops also give the bytes of their
    folded input tables (0 without `fold`). None for a model with no
    compiled path.
    """
    from seqkit.serving.fast import pooled_loops

    if not pooled_loops.reasons(model):
        # Steps are padded to max_length: one token count compiles all.
        lengths = xla_warmup_lengths(model)
        if model.vectorizer.max_length is not None:
            lengths = [model.vectorizer.max_length]
        return {
            "path": "pooled-loops",
            "warmup_rows": list(pooled_loops.ROW_BUCKETS),
            "warmup_lengths": lengths,
            "folded_input_bytes": (
                pooled_loops.folded_input_bytes(model) if fold else 0
            ),
        }
    if xla_warmup_lengths(model):
        return {
            "path": "network",
            "max_rows": XLA_MAX_ROWS,
            "warmup_rows": [1],
            "warmup_lengths": xla_warmup_lengths(model),
        }
    return None
