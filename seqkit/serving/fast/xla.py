"""The XLA-compiled network of a text model, and its length buckets."""

# A call with one text (a lone client; the server's batches of one) runs
# the network compiled by XLA, with the token ids padded to one of
# XLA_LENGTHS: XLA compiles once per input shape, so a few shapes serve
# every such request once warm (`seqkit serve` compiles them at load). On
# a 2-core CPU this answered one text at a time 2.1-2.4x faster (1,691 vs
# 711 texts/s, bench/perf_suite.py). For 64 texts a call the plain graph
# was as fast (5,560 vs 5,457 texts/s), and batches of varying sizes made
# XLA compile for every new size: with up to 16 rows under XLA, a batching
# server's p99 latency at one client went to 349 ms in a short run. So
# only single texts take XLA. (Models that `pooled_loops` can run take
# that path instead, for every call: see its docstring.)
XLA_LENGTHS = (8, 16, 32, 64, 128, 256, 512)
XLA_MAX_ROWS = 1


def xla_network(model):
    """`ids -> outputs` of a text model, compiled by XLA; None if not one.

    The network after the vectorizer (embedding, recurrent layers,
    pooling, head; for an ensemble every member, averaged) as one
    `tf.function(jit_compile=True)`. String ops cannot run in XLA, so
    tokenization stays outside.
    """
    import tensorflow as tf
    from keras import ops

    from seqkit.models.classifier import text_classifiers

    members = text_classifiers(model)
    if members is None:
        return None

    def network(ids):
        results = []
        for member in members:
            features = member.backbone(ids, training=False)
            result = {"probabilities": features["pooled"]}
            for layer in member.head_layers:
                result["probabilities"] = layer(
                    result["probabilities"], training=False
                )
            if "attention" in features:
                result["attention"] = features["attention"]
            results.append(result)
        return {
            key: ops.mean(ops.stack([r[key] for r in results]), axis=0)
            for key in results[0]
            if all(key in r for r in results)
        }

    return tf.function(network, jit_compile=True)


def bucketed(ids):
    """`ids` padded with steps to the first `XLA_LENGTHS` length that fits.

    Past the last length, the ids keep their own length (one compilation
    per new length).
    """
    import tensorflow as tf

    steps = tf.shape(ids)[1]
    lengths = tf.constant(XLA_LENGTHS, tf.int32)
    fits = tf.boolean_mask(lengths, lengths >= steps)
    padded_steps = tf.cond(tf.size(fits) > 0, lambda: fits[0], lambda: steps)
    return tf.pad(ids, [[0, 0], [0, padded_steps - steps]])


def xla_warmup_lengths(model):
    """The token counts that compile every XLA shape a text model can use.

    `XLA_LENGTHS` up to the first that holds `max_length` tokens (all of
    them without a `max_length`); none for models without the XLA path.
    """
    from seqkit.models.classifier import text_classifiers

    if text_classifiers(model) is None:
        return []
    limit = model.vectorizer.max_length
    lengths = []
    for length in XLA_LENGTHS:
        lengths.append(length)
        if limit is not None and length >= limit:
            break
    return lengths
