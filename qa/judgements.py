"""How each inspection graded the council: `judgements(index=..., council=None) -> list[Judgement]`.

In: one row per inspectorate report or letter in the library (and per article or paper that
states grades, marked as second-hand), from the report facts read at index time: council,
kind, visit dates, publication date, and each graded judgement with the verbatim words of
the page it was read from. A monitoring or focused visit has no grades: its row quotes the
letter's headline finding. Out: reading the facts (`qa.facts`), drawing the table and chart
(`qa.ui_format`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa import store
from qa.chunking import Chunk
from qa.councils import council_named
from qa.facts import GRADES, ReportFacts
from qa.features import INSPECTORATE_KINDS, boilerplate
from qa.statements import statements

# A grade's place on the scale, best last: the chart's y axis.
GRADE_LEVEL = {grade: len(GRADES) - n for n, grade in enumerate(GRADES)}
OVERALL = "Overall effectiveness"
# Sentences that describe the visit rather than find anything: not a headline finding.
_METHOD = re.compile(
    r"\b(this\s+(visit|letter|inspection|was\s+the)|the\s+visit\s+(was|took)|(inspectors|they)\s+(also\s+)?"
    r"(reviewed|looked\s+at|evaluated|considered|spoke|met|visited|followed\s+up)|during\s+(this|the)\s+visit|"
    r"was\s+carried\s+out|under\s+the\s+framework|at\s+the\s+(last\s+|previous\s+)?(full\s+)?inspection)\b",
    re.IGNORECASE,
)
# A headline finding judges: progress, improvement, strength or weakness.
_JUDGING = re.compile(
    r"\b(progress|improv\w*|strong|stronger|effective\w*|weak\w*|deteriorat\w*|inconsistent\w*|good|poor|"
    r"too\s+(slow|few|many|variable)|not\s+(yet|enough|consistently)|better|worse|declin\w*|impact)\b",
    re.IGNORECASE,
)
_HEADLINE_MIN_WORDS = 10


@dataclass(frozen=True, slots=True)
class Quote:
    """Verbatim words of one page of a document: page text[start:end]."""

    doc: str
    title: str
    page: int | None
    page_label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Grade:
    judgement: str  # as the document words it
    grade: str  # one of qa.facts.GRADES
    quote: Quote | None  # where it was read; None only if the words cannot be found again


@dataclass(frozen=True, slots=True)
class Judgement:
    doc: str
    title: str
    council: str | None
    kind: str | None
    visit_start: str | None
    visit_end: str | None
    published: str | None
    grades: tuple[Grade, ...] = ()
    headline: Quote | None = None  # a visit's headline finding
    second_hand: bool = False  # grades stated by an article or paper (its kind), not by the inspectorate

    @property
    def overall(self) -> Grade | None:
        return next((g for g in self.grades if g.judgement.lower().startswith("overall")), None)

    def to_json(self) -> dict[str, object]:
        def quote(q: Quote | None) -> dict[str, object] | None:
            return None if q is None else {"doc": q.doc, "page": q.page, "text": q.text}

        return {
            "doc": self.doc,
            "title": self.title,
            "council": self.council,
            "kind": self.kind,
            "visit_start": self.visit_start,
            "visit_end": self.visit_end,
            "published": self.published,
            "grades": [
                {"judgement": g.judgement, "grade": g.grade, "quote": quote(g.quote)} for g in self.grades
            ],
            "headline": quote(self.headline),
            "second_hand": self.second_hand,
        }


def judgements(index: str | Path = "index", council: str | None = None) -> list[Judgement]:
    """Every graded or visited report in the library, oldest first; only those about `council`
    (any case, a trust's name or the council's) when given."""
    snap = store.cached(Path(index))
    wanted = council_named(council) if council else None
    rows = []
    for doc, facts in snap.facts.items():
        if wanted is not None and facts.council != wanted:
            continue
        inspectorate = facts.kind in INSPECTORATE_KINDS
        if not (inspectorate or facts.judgements):
            continue
        title = snap.title(doc)
        chunks = [snap.chunks[int(r)] for r in snap.rows_of_document(doc)]
        rows.append(_row(doc, title, facts, chunks, second_hand=not inspectorate))
    return sorted(rows, key=lambda j: (j.published or j.visit_end or "", j.council or "", j.doc))


def _row(doc: str, title: str, facts: ReportFacts, chunks: list[Chunk], *, second_hand: bool) -> Judgement:
    grades = tuple(Grade(j, g, _find_grade(j, g, chunks, title)) for j, g in facts.judgements)
    headline = None if grades or second_hand else _headline(chunks, title)
    return Judgement(
        doc,
        title,
        facts.council,
        facts.kind,
        facts.visit_start,
        facts.visit_end,
        facts.published,
        grades,
        headline,
        second_hand,
    )


def _words(text: str) -> str:
    return r"\s+".join(re.escape(w) for w in text.split())


def _find_grade(judgement: str, grade: str, chunks: Iterable[Chunk], title: str) -> Quote | None:
    """The words that state `judgement` and its `grade`: from the judgement's first words to the
    grade after it (a table row however its cells were extracted), else the judgement's
    sentence naming the grade."""
    pattern = re.compile(
        rf"{_words(judgement)}[\s:|–-]*(?:is\s+|was\s+|are\s+)?(?:judged\s+(?:to\s+be\s+)?)?{_words(grade)}",
        re.IGNORECASE,
    )
    for chunk in chunks:
        m = pattern.search(chunk.text)
        if m:
            return quote_of(chunk, m.start(), m.end(), title)
    return None


def _headline(chunks: Iterable[Chunk], title: str) -> Quote | None:
    """A visit letter's headline finding: its first statement that judges something (long
    enough, not boilerplate, not a description of the visit itself)."""
    for chunk in chunks:
        for st in statements(chunk.text, title):
            if (
                len(st.text.split()) >= _HEADLINE_MIN_WORDS
                and boilerplate(st.text) == 0
                and not _METHOD.search(st.text)
                and _JUDGING.search(st.text)
                and ":" not in st.text[:40]
                and not st.text.rstrip().endswith("?")
            ):
                return quote_of(chunk, st.start, st.end, title)
    return None


def quote_of(chunk: Chunk, a: int, b: int, title: str) -> Quote:
    """The words chunk.text[a:b] as a Quote of its page."""
    return Quote(chunk.doc, title, chunk.page, chunk.label, chunk.text[a:b], chunk.start + a, chunk.start + b)


def grade_level(grade: str) -> int:
    """4 for Outstanding down to 1 for Inadequate."""
    return GRADE_LEVEL[grade]
