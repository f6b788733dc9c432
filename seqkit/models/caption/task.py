"""The captioning task: what `seqkit predict`, `explain` and `evaluate` do
with a caption run.

Example:

```python
# Not run: needs a trained run folder.
from seqkit.models.task import task_for
from seqkit.runs import load_run

model = load_run("runs/caption")
records = task_for(model).predict(model, "runs/caption", ["canvas.png"])
```
"""

from seqkit.errors import SeqkitError
from seqkit.models.caption.decoding import caption_inputs
from seqkit.models.caption.evaluation import evaluate_table
from seqkit.models.caption.inputs import read_inputs
from seqkit.models.caption.pictures import render_attention
from seqkit.models.caption.settings import PRESETS
from seqkit.models.task import Task, register_task
from seqkit.runs import run_settings


class CaptionTask(Task):
    """Captions images or feature vectors with a `CaptionModel`.

    Decoding follows the run's `config.json` (`decode`, `beam_width`,
    `length_penalty`) unless the caller overrides it; captions are at most
    one token longer than the longest training caption (`data.json`).
    """

    name = "captioning"
    serving = "caption"
    presets = PRESETS

    def predict(
        self,
        model,
        run,
        inputs,
        input_file=None,
        decode=None,
        beam_width=None,
        temperature=1.0,
        seed=None,
        image_column=None,
        top_k=None,
        **options,
    ):
        """One `{"input": name, "caption", "score", "finished", ...}` per
        input.

        Args:
            model: the run's `CaptionModel`.
            run: the run folder.
            inputs: paths of image files, `.npy` arrays or tables.
            input_file: one more such path, or None.
            decode: `"beam"`, `"greedy"` or `"sample"` (default: the run's).
            beam_width: the beam width (default: the run's).
            temperature: sampling temperature.
            seed: the sampling seed.
            image_column: the column of image paths in a table (default:
                the run's, else `"image"`).
            top_k: sample among the `top_k` most probable words.
            **options: other commands' options, ignored.

        Raises:
            SeqkitError: no inputs given.
            DataError: an input is missing, unreadable or of the wrong
                size.
        """
        paths = list(inputs) + ([input_file] if input_file is not None else [])
        if not paths:
            raise SeqkitError("give image files as arguments or --input FILE")
        config, data = run_settings(run)
        column = image_column or config.get("image_column", "image")
        values, names = read_inputs(model, paths, column)
        results = caption_inputs(
            model,
            values,
            method=decode or config["decode"],
            width=beam_width or config["beam_width"],
            length_penalty=config["length_penalty"],
            max_tokens=data["max_words"] + 1,
            temperature=temperature,
            top_k=top_k,
            seed=seed,
        )
        return [
            {"input": name, **result.to_dict()}
            for name, result in zip(names, results)
        ]

    def explain(self, model, run, input_file, out, limit=8, **options):
        """Draws what each generated word attended to (a PNG at `out`).

        Returns:
            `{"out": path, "explained": [{"input", "caption"}, ...]}`.

        Raises:
            SeqkitError: the model has no attention, or `out` is not a
                `.png` file.
        """
        if not model.attention:
            raise SeqkitError(
                "this caption run has no attention (trained with "
                "--no-attention)"
            )
        if not str(out).lower().endswith(".png"):
            raise SeqkitError("a caption explanation is a .png file")
        config, data = run_settings(run)
        inputs, names = read_inputs(model, [input_file], config["image_column"])
        inputs, names = inputs[:limit], names[:limit]
        captions = [
            found.caption
            for found in caption_inputs(
                model,
                inputs,
                method=config["decode"],
                width=config["beam_width"],
                length_penalty=config["length_penalty"],
                max_tokens=data["max_words"] + 1,
            )
        ]
        path = render_attention(model, inputs, captions, out, names)
        return {
            "out": str(path),
            "explained": [
                {"input": n, "caption": c} for n, c in zip(names, captions)
            ],
        }

    def evaluate(
        self,
        model,
        run,
        data,
        image_column="image",
        caption_column="caption",
        **options,
    ):
        """BLEU and exact match on a table of images and true captions."""
        if options.get("metrics"):
            raise SeqkitError(
                "--metric: caption runs are scored by BLEU and exact match; "
                "the metrics of --metric are for classifier runs"
            )
        return evaluate_table(run, model, data, image_column, caption_column)


register_task(CaptionTask())
