"""Text generation with a `LanguageModel` and the shared samplers."""

from dataclasses import dataclass

import numpy as np
from keras import ops

from seqkit.models.lm.model import EOS_ID
from seqkit.samplers import beam_search, greedy, sample

# Ids a generator never emits: padding and the unknown word.
_NEVER = (0, 1)


@dataclass
class Generation:
    """One generated continuation.

    Attributes:
        prompt: the prompt as given.
        tokens: the generated words (the end token left out).
        score: the sum of their log-probabilities (end token included).
        finished: whether the model ended the sentence (`[EOS]`) before
            the token limit.
    """

    prompt: str
    tokens: list
    score: float
    finished: bool

    @property
    def text(self):
        """The prompt followed by the generated words."""
        return " ".join([self.prompt.strip(), *self.tokens]).strip()

    def to_dict(self):
        return {
            "prompt": self.prompt,
            "text": self.text,
            "generated": " ".join(self.tokens),
            "score": round(self.score, 4),
            "finished": self.finished,
        }


def _step_function(model, direction):
    def step(tokens, state):
        states = [list(layer) for layer in state]
        logits, finals = model.step(
            np.asarray(tokens, dtype="int32")[:, None], states, direction
        )
        logits = ops.convert_to_numpy(logits)[:, 0].astype("float64")
        logits[:, list(_NEVER)] = -np.inf
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return log_probs, [
            [ops.convert_to_numpy(s) for s in layer] for layer in finals
        ]

    return step


def generate(model, prompts, **options):
    """Continues each prompt until `[EOS]` or `max_tokens` new words.

    The prompt is read from a fresh state after an `[EOS]` (as every
    sentence of the training corpus was), then the continuation is
    decoded by `seqkit.samplers`: `greedy` by default, `sample` when
    `temperature` or `top_k` is given, `beam_search` when `beam` is.
    Padding and the unknown word are never generated.

    Args:
        model: a `LanguageModel` with the forward direction.
        prompts: a list of strings (may be empty strings).
        **options: `max_tokens` (the most words to add, the end token
            included; 30), `temperature` (> 0), `top_k` (sample among the
            `top_k` most probable words), `beam` (beam width),
            `length_penalty` (beam scores are divided by length ** this;
            1.0), `seed` (of the sampling).

    Returns:
        A list of `Generation`, one per prompt (for beam search, the best
        beam; `generate_beams` returns them all).
    """
    return [beams[0] for beams in generate_beams(model, prompts, **options)]


def generate_beams(
    model,
    prompts,
    max_tokens=30,
    temperature=None,
    top_k=None,
    beam=None,
    length_penalty=1.0,
    seed=None,
):
    """As `generate`, but a list of `Generation` per prompt (all beams,
    best first; one for greedy decoding and sampling)."""
    if "forward" not in model.direction_names:
        raise ValueError(
            "generation needs a forward language model; this one has only "
            f"{model.direction_names}"
        )
    if beam is not None and (temperature is not None or top_k is not None):
        raise ValueError("give --beam, or --temperature/--top-k, not both")
    tokenized = model.vectorizer.tokenizer.tokenize(list(prompts))
    words = model.vectorizer.get_vocabulary()
    index = {word: i for i, word in enumerate(words)}
    step = _step_function(model, "forward")
    results = []
    for prompt, tokens in zip(prompts, tokenized):
        ids = [EOS_ID, *(index.get(t, 1) for t in tokens)]
        state = model.initial_states(1, "forward")
        if len(ids) > 1:
            _, state = model.step(np.array([ids[:-1]], dtype="int32"), state)
        state = [[ops.convert_to_numpy(s) for s in layer] for layer in state]
        start = np.array([ids[-1]])
        if beam is not None:
            found = beam_search(
                step, state, start, max_tokens, EOS_ID, beam, length_penalty
            )[0]
        elif temperature is not None or top_k is not None:
            found = sample(
                step,
                state,
                start,
                max_tokens,
                EOS_ID,
                temperature=1.0 if temperature is None else temperature,
                top_k=top_k,
                seed=seed,
            )
        else:
            found = greedy(step, state, start, max_tokens, EOS_ID)
        results.append(
            [
                Generation(
                    prompt,
                    [words[t] for t in hypothesis.tokens],
                    float(hypothesis.score),
                    bool(hypothesis.finished),
                )
                for hypothesis in found
            ]
        )
    return results
