"""Reading back the page of `render_text_report`, for the tests."""

import re
from html.parser import HTMLParser

ALPHA = re.compile(r"rgba\([^)]*, ([0-9.]+)\)")


class ReportReader(HTMLParser):
    """The texts of a text-attention page: for each `article`, its label,
    its shown text, its words `[(token, weight, alpha, title)]` and its
    labels `[(name, probability attribute, shown value)]`; plus every tag
    name and the notes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self.tags = []
        self.notes = []
        self._field = None
        self._attributes = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        kind = attributes.get("class")
        if tag == "article":
            self.texts.append(
                {
                    "label": attributes["data-label"],
                    "source": "",
                    "words": [],
                    "top_k": [],
                    "notes": [],
                }
            )
        elif kind in ("word", "name", "value", "source", "note", "label"):
            self._field = kind
            self._attributes = attributes
            if kind == "word":
                alpha = ALPHA.search(attributes["style"]).group(1)
                self.texts[-1]["words"].append(
                    [
                        "",
                        float(attributes["data-weight"]),
                        float(alpha),
                        attributes["title"],
                    ]
                )
        elif tag == "li":
            self.texts[-1]["top_k"].append(
                [
                    attributes["data-label"],
                    float(attributes["data-probability"]),
                    "",
                    "",
                ]
            )

    def handle_endtag(self, tag):
        if tag in ("span", "p"):
            self._field = None

    def handle_data(self, data):
        field = self._field
        if field == "word":
            self.texts[-1]["words"][-1][0] += data
        elif field == "name":
            self.texts[-1]["top_k"][-1][2] += data
        elif field == "value":
            self.texts[-1]["top_k"][-1][3] += data
        elif field == "source":
            self.texts[-1]["source"] += data
        elif field == "note":
            (self.texts[-1]["notes"] if self.texts else self.notes).append(data)


def read_report(page):
    """`ReportReader` fed with the page's text."""
    reader = ReportReader()
    reader.feed(page)
    reader.close()
    return reader
