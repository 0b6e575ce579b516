"""The question analysed once: `plan(question, history, covered) -> QueryPlan`.

In: cleaning the question, deciding whether it follows the previous turn, and reading what it
asks about: councils (any case, through `qa.councils`), years and visit ordinals as numbers,
the kind of report, the kind of answer wanted, whether it wants a summary or what is still to
come, and the keywords left once council names and instructions ("summarise") are set aside.
Everything below (search, features, answer) reads the plan and never parses the question again.
Out: scoring (see `qa.features`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from qa.answer_types import Wanted, wanted
from qa.councils import find_councils
from qa.errors import QueryError
from qa.lexical import tokenize, words

# A visit or inspection named by its place in a series: "the fourth monitoring visit".
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3,
    "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10,
}  # fmt: skip
ORDINAL_VISIT = re.compile(
    r"\b(" + "|".join(_ORDINALS) + r")\s+(?:[a-z-]+\s+){0,2}(?:visit|inspection|letter|report)s?\b", re.I
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# The kinds of report a question can ask for, as `qa.facts` names them.
_KINDS = (
    ("monitoring visit", re.compile(r"\bmonitoring\b", re.I)),
    ("focused visit", re.compile(r"\bfocus(?:s)?ed visit", re.I)),
    ("jtai", re.compile(r"\b(jtai|joint targeted)\b", re.I)),
    ("full inspection", re.compile(r"\b(full|ilacs|standard|short) inspection|\binspection report\b", re.I)),
    ("press release", re.compile(r"\bpress (release|statement)\b", re.I)),
    ("council paper", re.compile(r"\b(scrutiny|minutes|committee|cabinet paper|council paper)\b", re.I)),
    ("news", re.compile(r"\b(news|newspaper|article|reported in the press)\b", re.I)),
)
# What inspectors said, and why something is so: read once for the inspectorate and reason features.
_ASKS_INSPECTORS = re.compile(
    r"\b(ofsted|inspector|inspectors|inspectorate|inspection|inspected|visit)\b", re.I
)
_ASKS_WHY = re.compile(r"\s*(why|what (is|was) the reason|how come)\b", re.I)
# A question about what is still to come ("when is the next inspection", "what will ... do").
_ASKS_FUTURE = re.compile(
    r"\b(next|upcoming|forthcoming|will|going to|in (the )?future|plans? to|planned|expected to)\b", re.I
)
# A request for a summary ("sum up the 2025 visit", "give me an overview"): its words say what
# to do with a report, not what the report is about, so they are not keywords.
_ASKS_SUMMARY = re.compile(
    r"\b(summar(y|ies|ise|ize|ised|ized)|sum up|overview|recap|(main|key) (points|findings|messages))\b", re.I
)
_TASK_WORDS = frozenset(tokenize("summary summarise summarize sum overview recap give tell briefly"))
_CUE = re.compile(r"^\s*(and|also|but|what about|how about|what of|same for|then|so|or)\b", re.I)
_POINTER = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|there|he|she|his|her|other|others|else|"
    r"the same|that visit|that report|the next one|the last one)\b",
    re.I,
)


def names_kind(kind: str, text: str) -> bool:
    """Whether `text` names a report of `kind` (a `qa.facts.KINDS` value) in a question's
    words: `names_kind("monitoring visit", "Ofsted's third monitoring visit found...") -> True`."""
    return any(k == kind and cue.search(text) for k, cue in _KINDS)


def ordinal_number(word: str) -> int:
    """`ordinal_number("Fourth") -> 4`."""
    return _ORDINALS[word.lower()]


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """What a question asks, read once at the door and passed down."""

    question: str  # cleaned: printable, whitespace collapsed
    context: str | None  # the previous question, when this one follows it
    councils: tuple[str, ...]  # canonical names asked about (from the context for a follow-up)
    missing: tuple[str, ...]  # councils asked about that no document in the library covers
    years: tuple[int, ...]
    ordinal: int | None  # "the fourth monitoring visit" -> 4
    report_kind: str | None  # a `qa.facts.KINDS` value
    wanted: Wanted | None  # the kind of answer asked for (a date, a person, a number)
    keywords: tuple[str, ...]  # stemmed tokens of the question less its council names
    terms: tuple[str, ...] = ()  # what BM25 looks for: the question's tokens less instructions
    asks_inspectors: bool = False  # about what inspectors (Ofsted, an inspection) said
    asks_why: bool = False  # "why ...", "what was the reason ..."
    asks_future: bool = False  # "when is the next inspection", "what will the council do"
    asks_summary: bool = False  # "summarise the 2025 visit", "give me an overview"

    @property
    def in_context(self) -> str:
        """The question with the previous one before it, for a follow-up: what the reranker reads."""
        return f"{self.context} {self.question}" if self.context else self.question


def clean_question(question: str, limit: int = 2000) -> str:
    """Printable text, whitespace collapsed; raises QueryError when nothing is left."""
    if not isinstance(question, str):
        raise QueryError("the question must be text")
    text = "".join(ch if ch.isprintable() else " " for ch in question)
    text = " ".join(text.split())
    if not text:
        raise QueryError("please type a question")
    if len(text) > limit:
        raise QueryError(f"the question is too long ({len(text)} characters; the limit is {limit})")
    return text


def follows(question: str, previous: str) -> bool:
    """Whether `question` leans on `previous` for what it is about.

    It does when it opens with a cue ("and what about caseloads?"); and, unless it names a
    council of its own, when it points back ("who led it?", "Which other groups did
    inspectors look at?"), is too short to stand alone, or the previous question named one.
    """
    if _CUE.search(question):
        return True
    if find_councils(question):
        return False
    return bool(_POINTER.search(question) or len(words(question)) <= 2 or find_councils(previous))


def plan(
    question: str, history: Sequence[str] | None = None, covered: Collection[str] | None = None
) -> QueryPlan:
    """Read `question` (and the conversation before it) once.

    `covered` holds the councils the library's documents are about or mention; a council the
    question names outside it is `missing` (None: every council counts as covered).
    """
    text = clean_question(question)
    previous = [clean_question(h) for h in (history or []) if isinstance(h, str) and h.strip()]
    context = previous[-1] if previous and follows(text, previous[-1]) else None
    mentions = find_councils(text)
    councils = tuple(dict.fromkeys(m.council for m in mentions))
    if not councils and context:
        councils = tuple(dict.fromkeys(m.council for m in find_councils(context)))
    missing = tuple(c for c in councils if covered is not None and c not in covered)
    council_tokens = {t for m in mentions for t in tokenize(m.text)}
    terms = tuple(t for t in tokenize(text) if t not in _TASK_WORDS)
    ordinal = ORDINAL_VISIT.search(text)
    return QueryPlan(
        question=text,
        context=context,
        councils=councils,
        missing=missing,
        years=tuple(sorted({int(y) for y in YEAR.findall(text)})),
        ordinal=ordinal_number(ordinal.group(1)) if ordinal else None,
        report_kind=next((kind for kind, cue in _KINDS if cue.search(text)), None),
        wanted=wanted(text),
        keywords=tuple(t for t in dict.fromkeys(terms) if t not in council_tokens),
        terms=terms,
        asks_inspectors=bool(_ASKS_INSPECTORS.search(text)),
        asks_why=bool(_ASKS_WHY.match(text)),
        asks_future=bool(_ASKS_FUTURE.search(text)),
        asks_summary=bool(_ASKS_SUMMARY.search(text)),
    )
