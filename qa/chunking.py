"""Splitting a document's pages into passages (`Chunk`s) along sentence boundaries.

In: sentence spans, packing sentences into passages of a configured word range, stable ids.
Out: embedding. A passage never crosses a page; its `start`/`end` index its page's text, so
`page.text[start:end] == chunk.text` always holds and a quote can be located exactly.
"""

from __future__ import annotations

import hashlib
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
    """Spans of the sentences in `text`, whitespace trimmed.

    >>> t = "Mr. Smith visited. It went well.\\n\\nHeading"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['Mr. Smith visited.', 'It went well.', 'Heading']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        if m.group().startswith("."):
            before = re.search(r"(\S+)$", text[start : m.start()])
            word = before.group(1).lower().lstrip("(\"'“‘") if before else ""
            nxt = text[end:].lstrip()[:1]
            # "Mr." or "e.g." or an initial ("J.") rarely ends a sentence; nor does a lowercase start.
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or nxt.islower():
                continue
        _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


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
