"""Splitting a document's pages into passages (`Chunk`s) along sentence boundaries.

In: sentence spans, packing sentences into passages of a configured word range, stable ids.
Out: embedding. A passage never crosses a page; its `start`/`end` index its page's text, so
`page.text[start:end] == chunk.text` always holds and a quote can be located exactly.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass

from qa.config import Settings
from qa.documents import Document, Page


@dataclass(frozen=True, slots=True)
class Chunk:
    id: int  # stable: derived from the file's content hash and the span, so renames keep it
    doc: str
    page: int | None
    label: str
    start: int
    end: int
    text: str


_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "cllr",
    "cllrs",
    "prof",
    "rev",
    "no",
    "nos",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "eg",
    "ie",
    "inc",
    "ltd",
    "co",
    "jr",
    "sr",
    "gov",
    "dept",
    "approx",
    "fig",
    "para",
    "paras",
    "p",
    "pp",
    "vol",
    "cf",
    "al",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
# Candidate sentence ends: terminal punctuation, optional closing quotes/brackets, then space.
# Also a full stop with no space after it, between a lowercase word and a capitalised one
# ("inspectors said.The final rating"), a common slip in web copy.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|(?<=[a-z]{2})\.(?=[A-Z][a-z])|\n[ \t]*\n")
_WORD = re.compile(r"\S+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences in `text`, whitespace trimmed. A line break ends one too where
    the layout says so: before a bullet or a numbered paragraph, and after a short line the
    next does not continue (a heading, a "Label: value" line, a bullet without a full stop).

    >>> t = "Mr. Smith visited. It went well.\\n\\nHeading"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['Mr. Smith visited.', 'It went well.', 'Heading']
    """
    ends = sorted(
        [(m.start(), m.end(), True) for m in _END.finditer(text)]
        + [(i, i, False) for i in _line_breaks(text)]
    )
    spans: list[tuple[int, int]] = []
    start = 0
    for at, end, punctuation in ends:
        if end <= start:
            continue
        if punctuation and text[at] == ".":
            before = re.search(r"(\S+)$", text[start:at])
            word = before.group(1).lower().lstrip("(\"'“‘") if before else ""
            nxt = text[end:].lstrip()[:1]
            # "Mr." or "e.g." or an initial ("J.") rarely ends a sentence; nor does a lowercase
            # start, nor the number of a numbered paragraph ("1. Children are ...").
            numbered = word.isdigit() and len(word) <= 2 and not text[start:at][: -len(word)].strip()
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or nxt.islower() or numbered:
                continue
        _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


# A bullet or the number of a numbered paragraph ("1.", "(2)", "(a)"); shared with qa.answer,
# which keeps it out of quotes and reads lists by it.
MARKER = r"(?:[-•–—*▪◦●·]|\(?\d{1,2}[.)]|\([a-z]\))"
# ... at the start of a line, where "a)" counts too.
_BULLET = re.compile(rf"[ \t]*(?:{MARKER}|[a-z]\))[ \t]")
# "Lead inspector: Sarah Quinlan": a report's cover is a column of such lines.
_LABEL_LINE = re.compile(r"[A-Z][\w’' ]{1,40}:[ \t]+\S")
_OPEN_END = re.compile(r"[,;(\-–—/&]$|\b(?:and|or|of|the|a|an|to|in|for|by|with|at|on)$", re.I)


def _line_breaks(text: str) -> list[int]:
    """Single line breaks that end a sentence although no punctuation does (PDF text has a
    line break at every line's end, most of them inside sentences)."""
    lines = text.split("\n")
    if len(lines) < 2:
        return []
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    # Wrapped prose fills the line; a heading or a paragraph's last line falls short of it.
    full = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    out, pos = [], 0
    for line, nxt in itertools.pairwise(lines):
        pos += len(line)
        here, line, nxt = pos, line.strip(), nxt.strip()
        pos += 1
        if not line or not nxt:
            continue
        starts = nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"“‘'"
        short = (
            line.endswith(":")
            or len(line) < 0.8 * full
            or bool(_BULLET.match(line))
            or bool(_LABEL_LINE.match(nxt))
        )
        if _BULLET.match(nxt) or (starts and short and not _OPEN_END.search(line)):
            out.append(here)
    return out


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))


def _split_long(text: str, span: tuple[int, int], max_words: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than `max_words` into word windows (enormous lines, tables)."""
    words = [(span[0] + m.start(), span[0] + m.end()) for m in _WORD.finditer(text[span[0] : span[1]])]
    if len(words) <= max_words:
        return [span]
    return [
        (words[i][0], words[min(i + max_words, len(words)) - 1][1]) for i in range(0, len(words), max_words)
    ]


def _words(text: str, span: tuple[int, int]) -> int:
    return len(text[span[0] : span[1]].split())


def page_chunks(page: Page, settings: Settings) -> list[tuple[int, int]]:
    """Pack a page's sentences into spans of about chunk_min..chunk_max words."""
    text = page.text
    sentences: list[tuple[int, int]] = []
    for a, b in _between(page.running, len(text)):
        for s, e in sentence_spans(text[a:b]):
            sentences.extend(_split_long(text, (a + s, a + e), settings.chunk_max_words))
    counts = [_words(text, s) for s in sentences]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j, words = i, 0
        while j < len(sentences) and (words == 0 or words + counts[j] <= settings.chunk_max_words):
            words += counts[j]
            j += 1
        # A short tail joins the previous passage rather than standing alone.
        if j == len(sentences) and words < settings.chunk_min_words and spans:
            prev_start = spans[-1][0]
            spans[-1] = (prev_start, sentences[j - 1][1])
            break
        spans.append((sentences[i][0], sentences[j - 1][1]))
        if j >= len(sentences):
            break
        overlap = min(settings.chunk_overlap_sentences, j - i - 1)
        i = j - overlap if overlap > 0 else j
    return spans


def _between(skip: tuple[tuple[int, int], ...], length: int) -> list[tuple[int, int]]:
    """The stretches of a page outside its running headers and footers."""
    out, pos = [], 0
    for a, b in sorted(skip):
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < length:
        out.append((pos, length))
    return out


def chunk_id(sha256: str, page: int | None, start: int, end: int) -> int:
    digest = hashlib.sha256(f"{sha256}:{page}:{start}:{end}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # positive int63 for FAISS


def chunk(document: Document, sha256: str, settings: Settings) -> list[Chunk]:
    """All passages of a document, in page order."""
    out: list[Chunk] = []
    for page in document.pages:
        for start, end in page_chunks(page, settings):
            out.append(
                Chunk(
                    id=chunk_id(sha256, page.number, start, end),
                    doc=document.path,
                    page=page.number,
                    label=page.label,
                    start=start,
                    end=end,
                    text=page.text[start:end],
                )
            )
    return out
