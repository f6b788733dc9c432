"""The page `seqkit serve` answers at `GET /`: try the served models.

One self-contained HTML document: its style and script are inline and it
asks nothing of any other host (no CDN, no fonts). The page lists the
served models; its script reads each model's
`GET /v1/models/NAME/metadata` and offers the input its signature takes
(a text box for text models, an image upload for caption models that
read pixels), then calls `POST /v1/models/NAME:predict` like any other
client and shows the answer: the top labels with probability bars, the
attention over the tokens (or sentences) where the model returns it, the
caption and its beams.

The parts are package data of `seqkit.serving`: `static/page.html` (the
document, with `{{title}}`, `{{style}}`, `{{script}}` and `{{models}}`
slots), `static/page.css` and `static/page.js`. The model names are
written into the document escaped; everything the script shows (the
user's text, class names, tokens, captions, error messages) it writes
with `textContent`, never as HTML. The `Content-Security-Policy` header
allows only this inline style and script (by their SHA-256) and requests
to the page's own origin.
"""

import base64
import hashlib
import html
import re
from importlib import resources
from typing import NamedTuple

TITLE = "seqkit serve"
_SLOT = re.compile(r"\{\{(\w+)\}\}")


class Page(NamedTuple):
    """The page: `html` (the document) and `headers` (its HTTP headers)."""

    html: str
    headers: dict


def _static(name):
    return (resources.files("seqkit.serving") / "static" / name).read_text(
        encoding="utf-8"
    )


def _sha256(text):
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _model_section(index, name):
    name = html.escape(name, quote=True)
    return (
        f'<section class="model" id="model-{index}" data-model="{name}" '
        f'aria-labelledby="model-{index}-name">\n'
        f'<h2 id="model-{index}-name">{name}</h2>\n'
        f'<p class="meta">Reading the model\'s metadata\u2026</p>\n'
        "</section>"
    )


def render_page(model_names, title=TITLE):
    """The page for `model_names` (the names in `/v1/models/NAME`).

    Returns:
        A `Page`. Its headers hold the `Content-Security-Policy` that lets
        only the page's own inline style and script run.
    """
    style = _static("page.css")
    script = _static("page.js")
    slots = {
        "title": html.escape(title),
        "style": style,
        "script": script,
        "models": "\n".join(
            _model_section(index, name)
            for index, name in enumerate(model_names)
        ),
    }
    # One pass: what a slot receives is never read for slots again.
    document = _SLOT.sub(
        lambda found: slots[found.group(1)], _static("page.html")
    )
    policy = "; ".join(
        [
            "default-src 'none'",
            f"style-src {_sha256(style)}",
            f"script-src {_sha256(script)}",
            "connect-src 'self'",
            "img-src 'self' data: blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    return Page(document, headers)
