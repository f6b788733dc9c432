"""The export of a caption run: decoding in the graph.

The signature takes `features` (float32 `[None, *input_size]`) or
`image`, as the model reads, and returns `caption` and `score`; with beam
search also every beam (`beams`, `beam_scores`,
`beam_normalized_scores`).
"""

from seqkit.serving.format import FORMAT, SIGNATURE


def caption_serving_function(model, run):
    """The `inputs -> caption` function of a caption run's export.

    Decoding runs in the graph (`seqkit.samplers.graph`) with the run's
    settings: beam search (its width and length penalty) or greedy, up to
    one token more than the longest training caption. It stays whole:
    the decoding closures share the run's settings read here.

    Returns:
        `(fn, output_names, input_signature)`.
    """
    import tensorflow as tf

    from seqkit.models.caption.model import END_ID, START_ID
    from seqkit.runs import run_settings
    from seqkit.samplers.graph import beam_search_decode, greedy_decode

    config, data = run_settings(run)
    vocabulary = tf.constant(list(model.vocabulary))
    max_tokens = int(data["max_words"]) + 1
    beam = config["decode"] == "beam"
    name = "features" if model.input_kind == "features" else "image"
    signature = [
        tf.TensorSpec([None, *model.input_size], tf.float32, name=name)
    ]

    def words(tokens, lengths):
        flat = tf.reshape(tokens, [-1, max_tokens])
        ragged = tf.RaggedTensor.from_tensor(
            tf.gather(vocabulary, flat), lengths=tf.reshape(lengths, [-1])
        )
        joined = tf.strings.reduce_join(ragged, axis=1, separator=" ")
        return tf.reshape(joined, tf.shape(lengths))

    def serve(inputs):
        state = model.initial_state(inputs)
        starts = tf.fill([tf.shape(inputs)[0]], START_ID)
        if not beam:
            found = greedy_decode(model.step, state, starts, max_tokens, END_ID)
            return {
                "caption": words(found["tokens"], found["lengths"]),
                "score": found["scores"],
            }
        found = beam_search_decode(
            model.step,
            state,
            starts,
            max_tokens,
            END_ID,
            width=int(config["beam_width"]),
            length_penalty=float(config["length_penalty"]),
        )
        beams = words(found["tokens"], found["lengths"])
        return {
            "caption": beams[:, 0],
            "score": found["scores"][:, 0],
            "beams": beams,
            "beam_scores": found["scores"],
            "beam_normalized_scores": found["normalized"],
        }

    names = ["caption", "score"]
    if beam:
        names += ["beams", "beam_scores", "beam_normalized_scores"]
    return serve, names, signature


def caption_metadata(model, run, outputs, signature):
    """The `assets.extra/seqkit.json` document of a caption export."""
    import seqkit
    from seqkit.runs import run_settings

    config, data = run_settings(run)
    return {
        "format": FORMAT,
        "seqkit_version": seqkit.__version__,
        "task": "captioning",
        "signature": SIGNATURE,
        "inputs": {
            spec.name: {"dtype": "float32", "shape": [None, *spec.shape[1:]]}
            for spec in signature
        },
        "outputs": outputs,
        "class_names": [],
        "vocabulary": list(model.vocabulary),
        "decoding": {
            "method": config["decode"],
            "beam_width": config["beam_width"],
            "length_penalty": config["length_penalty"],
            "max_tokens": int(data["max_words"]) + 1,
        },
        "config": config,
    }
