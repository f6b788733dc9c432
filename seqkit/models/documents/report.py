"""An HTML report of document attention: sentences and words shaded."""

import html
from pathlib import Path

# The shading colour (orange), as R, G, B.
_COLOUR = "255, 140, 0"

_STYLE = """
body { font-family: Georgia, serif; max-width: 60em; margin: 2em auto;
       line-height: 1.5; color: #222; }
h1 { font-family: sans-serif; font-size: 1.4em; }
.document { border: 1px solid #ccc; border-radius: 6px; padding: 1em;
            margin: 1.5em 0; }
.document header { font-family: sans-serif; margin-bottom: 0.8em; }
.label { font-weight: bold; font-size: 1.1em; }
.probabilities { color: #555; margin-left: 1em; }
.sentence { display: flex; gap: 0.6em; align-items: flex-start;
            margin: 0.15em 0; }
.bar { flex: 0 0 4.5em; font-family: monospace; font-size: 0.8em;
       text-align: right; padding: 0.1em 0.4em; border-radius: 3px; }
.words { flex: 1; }
.word { padding: 0 0.1em; border-radius: 2px; }
.legend { font-family: sans-serif; color: #555; font-size: 0.9em; }
"""


def _shade(weight, highest):
    alpha = 0.0 if highest <= 0 else min(1.0, weight / highest)
    return f"rgba({_COLOUR}, {alpha:.3f})"


def render_document_report(results, path, title="Document attention"):
    """Writes an HTML page with each document's sentences and words
    shaded by their attention weights.

    Each document shows its predicted label and probabilities; each kept
    sentence a bar shaded by its sentence weight (relative to the
    document's largest) and its words shaded by their word weights
    (relative to the sentence's largest). The weights are also in
    `data-weight` attributes and tooltips.

    Args:
        results: the dicts of `explain_documents`
            (`seqkit.models.documents.explain`).
        path: the `.html` file to write.
        title: the page title.

    Returns:
        The path written.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        '<p class="legend">Sentence bars: the sentence attention weight, '
        "shaded relative to the document's largest. Words: the word "
        "attention weight within the sentence, shaded relative to the "
        "sentence's largest.</p>",
    ]
    for number, result in enumerate(results, start=1):
        label = html.escape(result["label"])
        probabilities = " · ".join(
            f"{html.escape(name)} {p:.3f}" for name, p in result["top_k"]
        )
        parts.append(
            f'<article class="document" id="document-{number}" '
            f'data-label="{label}">'
        )
        parts.append(
            f'<header>Document {number}: <span class="label">{label}</span>'
            f'<span class="probabilities">{probabilities}</span></header>'
        )
        sentences = result["sentences"]
        highest = max((s["weight"] for s in sentences), default=0.0)
        for sentence in sentences:
            weight = sentence["weight"]
            parts.append(
                f'<div class="sentence" data-weight="{weight:.6f}">'
                f'<span class="bar" title="sentence weight {weight:.4f}" '
                f'style="background-color: {_shade(weight, highest)}">'
                f"{weight:.3f}</span>"
            )
            words = sentence.get("words")
            if words is None:
                parts.append(
                    f'<span class="words">{html.escape(sentence["text"])}'
                    "</span></div>"
                )
                continue
            top = max((w for _, w in words), default=0.0)
            spans = [
                f'<span class="word" data-weight="{w:.6f}" '
                f'title="{w:.4f}" style="background-color: {_shade(w, top)}">'
                f"{html.escape(token)}</span>"
                for token, w in words
            ]
            parts.append(f'<span class="words">{" ".join(spans)}</span></div>')
        parts.append("</article>")
    parts += ["</body>", "</html>", ""]
    path = Path(path)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
