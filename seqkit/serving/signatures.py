"""The serving signatures an export can write, by the task's key.

Each application's task names its signature (`Task.serving`): `"text"`
(raw text in, class probabilities and label out) or `"caption"` (image
features in, decoded captions out). `SIGNATURE_BUILDERS` maps that key to
the function that builds the signature and the metadata document of a
run's model.
"""

from typing import NamedTuple

from seqkit.serving.caption import caption_metadata, caption_serving_function
from seqkit.serving.fast import text_serving_function
from seqkit.serving.format import FORMAT, SIGNATURE


class ServingSignature(NamedTuple):
    """What an export writes for one model.

    Attributes:
        function: maps the inputs to a dict of output tensors; may carry
            `tracked`, a `tf.Module` the SavedModel must track.
        outputs: the output names, in order.
        inputs: the input signature, a list of `tf.TensorSpec`.
        metadata: the `assets.extra/seqkit.json` document.
    """

    function: object
    outputs: list
    inputs: list
    metadata: dict


def tf_text_spec():
    """The `text` input of a text model's signature: strings `[None]`."""
    import tensorflow as tf

    return tf.TensorSpec([None], tf.string, name="text")


def text_signature(model, run, xla=True, fold=True):
    """A text model's signature (`text_serving_function`) and metadata."""
    from seqkit.runs import run_config

    function, outputs, compiled = text_serving_function(
        model, xla=xla, fold=fold
    )
    metadata = text_metadata(model, run_config(run), outputs, compiled)
    return ServingSignature(function, outputs, [tf_text_spec()], metadata)


def caption_signature(model, run, xla=True, fold=True):
    """A caption model's signature and metadata.

    `xla` and `fold` choose the text models' compiled paths; a caption
    export has none.
    """
    function, outputs, inputs = caption_serving_function(model, run)
    metadata = caption_metadata(model, run, outputs, inputs)
    return ServingSignature(function, outputs, inputs, metadata)


def text_metadata(model, config, outputs, compiled=None):
    """The `assets.extra/seqkit.json` document of a text model's export.

    `compiled`, the `"xla"` entry `text_serving_function` gives (or None),
    names the compiled path and what a server warms up.
    """
    import seqkit

    vectorizer = model.vectorizer
    extra = {}
    if compiled is not None:
        extra["xla"] = compiled
    return {
        "format": FORMAT,
        "seqkit_version": seqkit.__version__,
        "task": "text-classification",
        "signature": SIGNATURE,
        "inputs": {"text": {"dtype": "string", "shape": [None]}},
        "outputs": outputs,
        "class_names": list(model.class_names),
        "preprocessing": {
            **vectorizer.tokenizer.get_config(),
            "max_length": vectorizer.max_length,
            "vocabulary_size": vectorizer.vocabulary_size(),
        },
        "config": config,
        **extra,
    }


# `Task.serving` -> `(model, run, xla, fold) -> ServingSignature`.
SIGNATURE_BUILDERS = {
    "text": text_signature,
    "caption": caption_signature,
}
