"""An HTML page of text attention: each text's words shaded by weight.

The page is one self-contained file (inline CSS, no script, no external
resource), and every string that comes from the user or the model (texts,
tokens, labels, the title) is escaped.
"""

import html
from pathlib import Path

# The shading colour (a blue), as R, G, B.
_COLOUR = "30, 110, 220"

_STYLE = """
body { font-family: Georgia, serif; max-width: 60em; margin: 2em auto;
       padding: 0 1em; line-height: 1.6; color: #222; }
h1 { font-family: sans-serif; font-size: 1.4em; }
.legend, .note { font-family: sans-serif; color: #555; font-size: 0.9em; }
.text { border: 1px solid #ccc; border-radius: 6px; padding: 1em;
        margin: 1.5em 0; }
.text header { font-family: sans-serif; margin-bottom: 0.6em; }
.label { font-weight: bold; font-size: 1.2em; }
.source { color: #666; font-style: italic; margin: 0 0 0.6em; }
.words { margin: 0 0 0.8em; }
.word { padding: 0.05em 0.15em; border-radius: 3px; }
.top-k { font-family: sans-serif; font-size: 0.95em; margin: 0;
         padding: 0; list-style: none; }
.top-k li { display: flex; align-items: center; gap: 0.6em;
            margin: 0.15em 0; }
.top-k .name { flex: 0 0 9em; overflow: hidden; text-overflow: ellipsis;
               white-space: nowrap; }
.top-k .track { flex: 0 0 12em; height: 0.8em; background: #eee;
                border-radius: 3px; }
.top-k .fill { height: 100%; background: #777; border-radius: 3px; }
.top-k .value { font-family: monospace; }
"""


def shade(weight, highest):
    """The background of a word: `weight` relative to the text's
    `highest`, as an rgba colour (alpha 0 for no weight)."""
    alpha = 0.0 if highest <= 0 else max(0.0, min(1.0, weight / highest))
    return f"rgba({_COLOUR}, {alpha:.3f})"


def _words(attention):
    highest = max((weight for _, weight in attention), default=0.0)
    spans = [
        f'<span class="word" data-weight="{weight}" '
        f'title="attention {weight:.4f}" '
        f'style="background-color: {shade(weight, highest)}">'
        f"{html.escape(token)}</span>"
        for token, weight in attention
    ]
    return f'<p class="words">{" ".join(spans)}</p>'


def _top_k(pairs):
    rows = []
    for name, p in pairs:
        width = max(0.0, min(100.0, 100.0 * p))
        rows.append(
            f'<li data-label="{html.escape(name)}" data-probability="{p}">'
            f'<span class="name">{html.escape(name)}</span>'
            f'<span class="track"><span class="fill" style="display: block; '
            f'width: {width:.1f}%"></span></span>'
            f'<span class="value">{p}</span></li>'
        )
    return f'<ol class="top-k">{"".join(rows)}</ol>'


def render_text_report(results, path, title="Text attention", notes=()):
    """Writes an HTML page of texts with their words shaded by attention.

    Each text shows its predicted label, the text as given, its tokens
    (those the model read) shaded by their attention weights relative to
    the text's largest, with each weight in a tooltip and a `data-weight`
    attribute, and its top labels with their probabilities (in
    `data-probability` and shown as given).

    Args:
        results: `predict_texts` dicts with `attention`
            (`seqkit.models.predict`), each optionally with `"words"`, the
            count of tokens in the text when the model read fewer.
        path: the `.html` file to write.
        title: the page title.
        notes: further lines for the top of the page (plain text).

    Returns:
        The path written.

    Example:

    ```python
    import tempfile
    from pathlib import Path

    from seqkit.models.sentiment.report import render_text_report

    result = {
        "text": "a <b>fine</b> film",
        "label": "positive",
        "top_k": [["positive", 0.9], ["negative", 0.1]],
        "attention": [["a", 0.1], ["fine", 0.7], ["film", 0.2]],
    }
    with tempfile.TemporaryDirectory() as folder:
        page = render_text_report([result], Path(folder) / "page.html")
        assert "a &lt;b&gt;fine&lt;/b&gt; film" in page.read_text()
    ```
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        '<p class="legend">Each word is shaded by its attention weight, '
        "relative to the largest in its text; hover over a word for its "
        "weight. Under it, the top labels and their probabilities.</p>",
    ]
    parts += [f'<p class="note">{html.escape(note)}</p>' for note in notes]
    for number, result in enumerate(results, start=1):
        label = html.escape(result["label"])
        parts.append(
            f'<article class="text" id="text-{number}" data-label="{label}">'
        )
        parts.append(
            f'<header>Text {number}: <span class="label">{label}</span>'
            "</header>"
        )
        parts.append(f'<p class="source">{html.escape(result["text"])}</p>')
        parts.append(_words(result["attention"]))
        read, words = len(result["attention"]), result.get("words")
        if words is not None and words > read:
            parts.append(
                f'<p class="note">The model read the first {read} of the '
                f"{words} words.</p>"
            )
        parts.append(_top_k(result["top_k"]))
        parts.append("</article>")
    parts += ["</body>", "</html>", ""]
    path = Path(path)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
