"""`--init-from LM_RUN`: a classifier whose encoder starts as a language
model's (the ULMFiT recipe: pretrain the LM, then fine-tune the classifier
with gradual unfreezing).

The classifier takes the LM's vocabulary (so the ids, and the embedding
rows, are the LM's), its embedding matrix, and the weights of its
recurrent layers: a unidirectional classifier's layer `i` from the LM's
forward layer `i`; a bidirectional classifier's first layer from the
forward and backward stacks of an LM trained with `directions="both"`.
Deeper bidirectional layers read both directions at once, which no LM
layer does, so they start fresh (the report says so).
"""

import json
import logging
from pathlib import Path

from seqkit.errors import SeqkitError
from seqkit.models.sentiment.settings import (
    LM_FIXED,
    SentimentConfig,
    lm_conflicts,
)

log = logging.getLogger(__name__)


def read_lm_settings(run):
    """The settings of a language-model run (its `config.json`), checked.

    Raises:
        SeqkitError: `run` is not a finished language-model run.
    """
    run = Path(run)
    path = run / "config.json"
    if not (run / "model.keras").is_file() or not path.is_file():
        raise SeqkitError(
            f"--init-from {run}: not a finished run (no model.keras and "
            "config.json); train one with `seqkit pretrain lm`"
        )
    with open(path, encoding="utf-8") as handle:
        settings = json.load(handle)
    if "bptt" not in settings or "directions" not in settings:
        raise SeqkitError(
            f"--init-from {run}: not a language-model run; train one with "
            "`seqkit pretrain lm`"
        )
    return settings


def merge_settings(values, given, run):
    """Sets the classifier settings the LM fixes; refuses conflicts.

    Args:
        values: the classifier's settings so far (a dict; changed).
        given: the settings the user chose on the command line.
        run: the LM run folder.

    Returns:
        `values`, with `cell`, `units`, `embedding_dim`, `tokenizer` and
        `lowercase` from the LM and `init_from` set; `embeddings` is
        dropped (the LM's vectors win). Unless the user gave
        `member_overrides`, the ensemble's members keep only the
        variations the LM can start (`lm_member_overrides`): by default
        the members differ in their seeds.
    """
    lm = read_lm_settings(run)
    for key in LM_FIXED:
        lm_key = key
        if key in given and given[key] != lm[lm_key]:
            raise SeqkitError(
                f"--{key.replace('_', '-')} {given[key]} conflicts with "
                f"--init-from {run}, whose language model has {lm_key} "
                f"{lm[lm_key]}"
            )
        values[key] = lm[lm_key]
    # The LM's vectorizer tokenizes: the run's config says which it is.
    values["tokenizer"] = lm.get("tokenizer", "word")
    values["lowercase"] = lm.get("lowercase", True)
    values["embeddings"] = None
    values["init_from"] = str(run)
    if "member_overrides" not in given:
        overrides = values.get(
            "member_overrides", SentimentConfig().member_overrides
        )
        values["member_overrides"] = lm_member_overrides(overrides, run)
    return values


def lm_member_overrides(overrides, run):
    """The ensemble's member overrides without the settings an LM fixes.

    Each override loses what `lm_conflicts` names (the LM's cell, units
    and embedding size; a static channel); overrides left empty go, and
    so do repeats. The members still differ in their seeds.

    Args:
        overrides: the members' overrides (a list of dicts).
        run: the LM run (for the log).

    Returns:
        The overrides that fit (possibly `[]`).
    """
    fitting, dropped = [], []
    for override in overrides:
        conflicts = lm_conflicts(override)
        dropped.extend(f"{key}={override[key]!r}" for key in conflicts)
        kept = {k: v for k, v in override.items() if k not in conflicts}
        if kept and kept not in fitting:
            fitting.append(kept)
    if dropped:
        log.info(
            "--init-from %s: the ensemble's members keep the language "
            "model's architecture (member settings left out: %s); they "
            "differ in their seeds%s",
            run,
            ", ".join(dropped),
            f" and in {fitting}" if fitting else "",
        )
    return fitting


def check_directions(config, lm_settings):
    """A bidirectional classifier needs an LM with both directions."""
    if config.bidirectional and lm_settings["directions"] != "both":
        raise SeqkitError(
            f"--init-from {config.init_from}: a bidirectional classifier "
            "needs a language model trained with --directions both (this "
            f"one has {lm_settings['directions']}); or train --unidirectional"
        )
    if not config.bidirectional and lm_settings["directions"] == "backward":
        raise SeqkitError(
            f"--init-from {config.init_from}: the language model has only "
            "the backward direction; a unidirectional classifier reads "
            "forward"
        )


def load_language_model(run):
    """The `LanguageModel` of a run folder."""
    from seqkit.models.lm.model import LanguageModel
    from seqkit.runs import load_run

    model = load_run(run)
    if not isinstance(model, LanguageModel):
        raise SeqkitError(
            f"{run} holds a {type(model).__name__}, not a language model"
        )
    return model


def lm_inputs(config):
    """The vectorizer and embedding matrix of `config.init_from`'s LM.

    Returns:
        `(vectorizer, matrix, lm)`: a `TextVectorizer` with the LM's
        vocabulary and tokenizer and the classifier's `max_length`, the
        LM's embedding matrix, and the LM itself.
    """
    from seqkit.preprocessing import TextVectorizer

    check_directions(config, read_lm_settings(config.init_from))
    lm = load_language_model(config.init_from)
    settings = lm.vectorizer.get_config()
    settings.update(max_length=config.max_length, name="vectorizer")
    vectorizer = TextVectorizer.from_config(settings)
    matrix = lm.embedding.get_weights()[0]
    log.info(
        "init from %s: %d words, %d-d embedding, %s %s x%d (%s)",
        config.init_from,
        lm.vocabulary_size,
        lm.embedding_dim,
        lm.cell,
        lm.units,
        lm.num_layers,
        lm.directions,
    )
    return vectorizer, matrix, lm


def copy_lm_weights(lm, backbone):
    """Copies the LM's recurrent weights into a classifier's backbone.

    The embedding is expected to be initialised from the LM's matrix
    already (`lm_inputs`). Layer pairs are listed in the module docstring.

    Returns:
        A dict: `copied` (classifier layer <- LM layer) and `fresh` (the
        classifier's recurrent layers that start from random weights).
    """
    stack = backbone.get_layer("rnn")
    copied, fresh = {}, []
    for index, rnn in enumerate(stack.rnn_layers):
        if backbone.bidirectional:
            pairs = [
                (rnn.forward_layer, "forward"),
                (rnn.backward_layer, "backward"),
            ]
            usable = index == 0
        else:
            pairs = [(rnn, "forward")]
            usable = index < lm.num_layers
        for target, direction in pairs:
            if not usable or index >= lm.num_layers:
                fresh.append(target.name)
                continue
            source = lm.stacks[direction][index]
            shapes = [w.shape for w in source.get_weights()]
            if shapes != [w.shape for w in target.get_weights()]:
                raise SeqkitError(
                    f"cannot copy {source.name} {shapes} into {target.name} "
                    f"{[w.shape for w in target.get_weights()]}"
                )
            target.set_weights(source.get_weights())
            copied[target.name] = source.name
    log.info("copied from the language model: %s; fresh: %s", copied, fresh)
    return {"copied": copied, "fresh": fresh}
