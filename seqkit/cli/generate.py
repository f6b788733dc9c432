"""`seqkit generate`: continue a prompt with a language-model run."""

import json

import click


@click.command()
@click.argument("run", type=click.Path(file_okay=False))
@click.option(
    "--prompt",
    "prompts",
    multiple=True,
    required=True,
    help="The text to continue (repeat for several prompts).",
)
@click.option("--max-tokens", type=int, default=30, show_default=True)
@click.option("--temperature", type=float, help="Sample at this temperature.")
@click.option("--top-k", type=int, help="Sample among the K likeliest words.")
@click.option("--beam", type=int, help="Beam search of this width.")
@click.option(
    "--length-penalty",
    type=float,
    default=1.0,
    show_default=True,
    help="Beam scores are divided by length ** this.",
)
@click.option("--seed", type=int, default=None, help="The sampling seed.")
def generate(
    run, prompts, max_tokens, temperature, top_k, beam, length_penalty, seed
):
    """Continue each --prompt until the end of the sentence.

    Greedy by default; sampling with --temperature/--top-k; beam search
    with --beam (all beams are printed, best first). Prints one JSON
    object per prompt: the prompt, the text, the generated words, their
    log-probability and whether the sentence ended.
    """
    from seqkit.models.lm import generate_beams
    from seqkit.models.lm.transfer import load_language_model

    model = load_language_model(run)
    results = generate_beams(
        model,
        list(prompts),
        max_tokens=max_tokens,
        temperature=temperature,
        top_k=top_k,
        beam=beam,
        length_penalty=length_penalty,
        seed=seed,
    )
    for beams in results:
        record = beams[0].to_dict()
        if beam is not None:
            record["beams"] = [
                {k: g.to_dict()[k] for k in ("generated", "score", "finished")}
                for g in beams
            ]
        click.echo(json.dumps(record, ensure_ascii=False))
