"""Scoring a caption model: BLEU and exact match of its decoders."""

from seqkit.models.caption.decoding import caption_inputs
from seqkit.models.caption.settings import CaptionConfig
from seqkit.runs import run_settings


def evaluate_captions(model, split, config, max_tokens):
    """BLEU and exact match of beam search and greedy on one split."""
    from seqkit.models.metrics import caption_metrics

    results = {"n": len(split)}
    for method in ("beam", "greedy"):
        generated = caption_inputs(
            model,
            split.inputs,
            method=method,
            width=config.beam_width,
            length_penalty=config.length_penalty,
            max_tokens=max_tokens,
        )
        scores = caption_metrics(split.captions, [g.caption for g in generated])
        scores["decode"] = (
            f"beam search, width {config.beam_width}, length penalty "
            f"{config.length_penalty}"
            if method == "beam"
            else "greedy"
        )
        if method == config.decode:
            results.update(scores)
        else:
            results[method] = scores
    return results


def evaluate_table(run, model, table, image_column, caption_column):
    """BLEU and exact match of a caption run on a table of images.

    Args:
        run: the run folder (its decoding settings are used).
        model: the run's `CaptionModel`.
        table: a CSV/TSV with image paths and true captions.
        image_column: the column of image paths.
        caption_column: the column of captions.

    Returns:
        The `evaluate_captions` dict: beam search and greedy scores.
    """
    from seqkit.data.captions import read_image_captions

    config, data = run_settings(run)
    size = list(model.input_size[:2])
    channels = model.input_size[2] if len(model.input_size) == 3 else 1
    split = read_image_captions(
        table, image_column, caption_column, size=size, channels=channels
    )
    settings = CaptionConfig.from_dict(config, source=f"{run}/config.json")
    return evaluate_captions(model, split, settings, data["max_words"] + 1)
