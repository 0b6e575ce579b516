"""The quotable statements of a passage: `statements(text, title) -> list[Statement]`.

In: cutting a passage into the sentences and list items an answer may quote (a bullet's or a
paragraph number's marker left out, quotation marks left dangling at either end dropped, the
quote verbatim) and leaving out what states nothing: headings, bylines, captions, the
document's own title. Search's reranking and the answer read the same statements. Out:
scoring them (`qa.features`, `qa.reranker`), lists that follow a lead-in (`qa.answer`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.chunking import MARKER, sentence_spans

_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
# "Lead inspector: Sarah Quinlan" on a report's cover states a fact without a full stop.
_LABEL = re.compile(r"[A-Z][^:\n]{1,40}:[^\S\n]+\S")
# A bullet or a paragraph number opening a sentence: not part of what is quoted.
ITEM_MARKER = re.compile(rf"{MARKER}[^\S\n]+")
_QUOTES = "\"'“”‘’"


@dataclass(frozen=True, slots=True)
class Statement:
    start: int  # span in the passage's text
    end: int
    text: str  # text[start:end], verbatim
    item: bool  # a bullet or numbered item


def is_statement(text: str, title: str, *, item: bool = False) -> bool:
    """A statement ends like a sentence or is long enough to be one, or is a list item
    ("Too few care leavers in work"), or a label line, and is not the document's title.

    `is_statement("Inspection findings", "Report")` -> False
    """
    words = len(text.split())
    if words < 3 or " ".join(text.split()) == " ".join(title.split()):
        return False
    if item:
        return True
    return (words >= 4 and (words >= 12 or bool(_TERMINAL.search(text)))) or bool(_LABEL.match(text))


def trim_quotes(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop quotation marks left dangling at either end of text[a:b]; a sentence quoted whole
    keeps both of its marks."""
    piece = text[a:b]
    if (
        piece.count("“") + piece.count("”") + piece.count('"') == 2
        and piece[0] in _QUOTES
        and piece[-1] in _QUOTES
    ):
        return a, b
    while a < b and text[a] in _QUOTES:
        a += 1
    while b > a and text[b - 1] in _QUOTES:
        b -= 1
    return a, b


def statements(text: str, title: str) -> list[Statement]:
    """The statements of a passage, in reading order."""
    out = []
    for a, b in sentence_spans(text):
        a, b = trim_quotes(text, a, b)
        marker = ITEM_MARKER.match(text, a, b)
        a = marker.end() if marker else a
        if is_statement(text[a:b], title, item=marker is not None):
            out.append(Statement(a, b, text[a:b], marker is not None))
    return out
