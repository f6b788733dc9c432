"""Decoding a caption model with `seqkit.samplers`: greedy, beam, sampling."""

import dataclasses

import numpy as np


@dataclasses.dataclass
class Caption:
    """A generated caption.

    Attributes:
        caption: the words.
        score: the sum of their log-probabilities, the end token's
            included.
        finished: whether the decoder ended it (False: it ran out of
            tokens).
        beams: for beam search, `[(caption, score, normalized score)]`,
            best first.
    """

    caption: str
    score: float
    finished: bool
    beams: list = None

    def to_dict(self):
        result = {
            "caption": self.caption,
            "score": round(self.score, 4),
            "finished": self.finished,
        }
        if self.beams is not None:
            result["beams"] = [
                {"caption": c, "score": round(s, 4), "normalized": round(n, 4)}
                for c, s, n in self.beams
            ]
        return result


def step_function(model):
    """The `seqkit.samplers` step function of a `CaptionModel`, on NumPy
    arrays (the state is the model's `initial_state`, as arrays)."""
    import keras
    from keras import ops

    def step(tokens, state):
        log_probs, state = model.step(np.asarray(tokens, dtype="int32"), state)
        return ops.convert_to_numpy(log_probs), keras.tree.map_structure(
            ops.convert_to_numpy, state
        )

    return step


def _beam_captions(model, common, width, length_penalty):
    """The `Caption`s of one chunk by beam search, every beam listed."""
    from seqkit import samplers
    from seqkit.models.caption.model import END_ID, decode_ids

    captions = []
    for beams in samplers.beam_search(
        *common,
        end_id=END_ID,
        width=width,
        length_penalty=length_penalty,
    ):
        listed = [
            (
                decode_ids(model.vocabulary, h.tokens),
                h.score,
                h.normalized(length_penalty),
            )
            for h in beams
        ]
        best = beams[0]
        captions.append(
            Caption(listed[0][0], best.score, best.finished, listed)
        )
    return captions


def caption_inputs(
    model,
    inputs,
    method="greedy",
    width=4,
    length_penalty=1.0,
    max_tokens=30,
    temperature=1.0,
    top_k=None,
    seed=None,
    batch_size=250,
):
    """Captions images or features with `seqkit.samplers`.

    Args:
        model: a `CaptionModel`.
        inputs: an array of inputs (the model's input kind and size).
        method: `"greedy"`, `"beam"` or `"sample"`.
        width: the beam width.
        length_penalty: beam scores are divided by length ** this.
        max_tokens: the most tokens generated, the end token included.
        temperature: sampling temperature.
        top_k: sample among the `top_k` most probable words.
        seed: the sampling seed.
        batch_size: inputs decoded at once.

    Returns:
        A list of `Caption`, one per input.
    """
    import keras
    from keras import ops

    from seqkit import samplers
    from seqkit.models.caption.model import END_ID, START_ID, decode_ids

    if method not in ("greedy", "beam", "sample"):
        raise ValueError(
            f"method must be greedy, beam or sample; received {method!r}"
        )
    step = step_function(model)
    rng = np.random.default_rng(seed)
    results = []
    for first in range(0, len(inputs), batch_size):
        chunk = np.asarray(inputs[first : first + batch_size], "float32")
        state = keras.tree.map_structure(
            ops.convert_to_numpy, model.initial_state(chunk)
        )
        starts = np.full(len(chunk), START_ID)
        common = (step, state, starts, max_tokens)
        if method == "beam":
            results.extend(_beam_captions(model, common, width, length_penalty))
            continue
        if method == "greedy":
            found = samplers.greedy(*common, end_id=END_ID)
        else:
            found = samplers.sample(
                *common,
                end_id=END_ID,
                temperature=temperature,
                top_k=top_k,
                seed=rng,
            )
        results.extend(
            Caption(decode_ids(model.vocabulary, h.tokens), h.score, h.finished)
            for h in found
        )
    return results
