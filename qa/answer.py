"""Composing an extractive answer from retrieved passages: `ask(...) -> Answer`.

The answer is made only of sentences copied from the passages, each followed by a marker [n]
whose `Citation` carries the document, date, page and the exact quote (a substring of the
page text at `start`..`end`). When the best evidence is too weak the answer abstains and the
passages are offered only as closest matches. Thresholds come from bench/calibrate.py.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from qa import store
from qa.answer_types import conflicts, wanted
from qa.chunking import MARKER, sentence_spans
from qa.config import Settings
from qa.embedding import Embedder
from qa.lexical import tokenize
from qa.search import Hit, Query, as_iso_date, name_share, rank, understand

NOT_COVERED = (
    "The documents do not appear to answer this question. "
    "The closest passages are listed as closest matches, not as an answer."
)


@dataclass(frozen=True, slots=True)
class Citation:
    n: int
    doc: str
    title: str
    date: str | None
    page: int | None
    quote: str  # verbatim: page text[start:end], line breaks included
    page_label: str = ""
    start: int = 0  # span of the quote in the page text
    end: int = 0
    passage: str = ""  # the passage the quote was taken from
    passage_start: int = 0


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    abstained: bool
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class _Sentence:
    hit: Hit
    rank: int
    start: int  # in the page
    end: int
    text: str
    score: float  # for ranking sentences
    evidence: float  # what the abstention is calibrated on (bench/calibrate.py)
    merit: float = 0.0  # the score without its passage's standing: how far below the best it may be


def evidence(
    query: Query,
    hits: Sequence[Hit],
    scored: Sequence[_Sentence],
    snap: store.Snapshot,
    settings: Settings,
) -> tuple[float, float, float]:
    """What the abstention is decided on (bench/calibrate.py fits it): the best passage cosine,
    the best keyword coverage and the best sentence's evidence score, counting only reports
    that mention the council or person the question names; all zero when the question asks
    for a sum of money and no sentence holds one."""
    share = _name_shares(snap, query, settings)
    passages = [h for h in hits if share(h.doc) > 0]
    sentences = [s for s in scored if share(s.hit.doc) > 0]
    want = wanted(query.text)
    unmet = want is not None and want.required and not any(want.found(s.text) for s in sentences)
    if not passages or unmet:
        return (0.0, 0.0, 0.0)
    return (
        max(h.dense for h in passages),
        max(h.lexical for h in passages),
        max((s.evidence for s in sentences), default=0.0),
    )


def _name_shares(snap: store.Snapshot, query: Query, settings: Settings) -> Callable[[str], float]:
    """For a document, the share of the names the question gives that it mentions: 1 for
    every document when the question names nothing that tells them apart, or names are off."""
    share = name_share(snap, query) if settings.name_weight > 0 else None
    if share is None:
        return lambda doc: 1.0
    return lambda doc: float(share[bisect_left(snap.doc_names, doc)])


def confidence(features: tuple[float, float, float], settings: Settings) -> float:
    """Evidence strength, 0..1, weighted as calibrated by bench/calibrate.py."""
    return float(np.dot(settings.confidence_weights, features))


_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")


def _is_statement(text: str, title: str) -> bool:
    """Headings, bylines and captions are not answers: a statement ends like a sentence or is
    long enough to be one, and is not the document's title."""
    words = len(text.split())
    if words < 3 or " ".join(text.split()) == " ".join(title.split()):
        return False
    # "Lead inspector: Sarah Quinlan" on a report's cover states a fact without a full stop.
    return (words >= 4 and (words >= 12 or bool(_TERMINAL.search(text)))) or bool(_LABEL.match(text))


_LABEL = re.compile(r"[A-Z][^:\n]{1,40}:[^\S\n]+\S")
# A bullet or a paragraph number opening a sentence: not part of what is quoted.
_MARKER = re.compile(rf"{MARKER}[^\S\n]+")
# The items of a list: bullets, numbered paragraphs, "First, ... Second, ...".
_ITEM = re.compile(
    rf"{MARKER}[^\S\n]|"
    r"(?:first|firstly|second|secondly|third|thirdly|fourth|fourthly|fifth|finally|lastly)\b",
    re.I,
)
_QUOTES = "\"'“”‘’"


def _trim_quotes(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop quotation marks left dangling at either end of a sentence: the quote stays verbatim."""
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


def _candidates(hits: Sequence[Hit]) -> list[tuple[Hit, int, int, int]]:
    out = []
    for r, hit in enumerate(hits):
        for a, b in sentence_spans(hit.text):
            a, b = _trim_quotes(hit.text, a, b)
            marker = _MARKER.match(hit.text, a, b)
            a = marker.end() if marker else a
            if _is_statement(hit.text[a:b], hit.title):
                out.append((hit, r, hit.start + a, hit.start + b))
    return out


def score_sentences(
    query: Query, hits: Sequence[Hit], snap: store.Snapshot, settings: Settings
) -> list[_Sentence]:
    """Sentences of the hits scored against the question (cosine and rare-word overlap).

    Only the most promising sentences are embedded (all of the best passage, then those
    sharing the most rare words with the question, and a few holding the kind of answer
    asked for), to keep an answer under ~100 ms.
    """
    q_tokens = list(dict.fromkeys(tokenize(query.text)))
    weights = {t: snap.lexical.idf(t) for t in q_tokens}
    total = sum(weights.values())

    def overlap(text: str) -> float:
        present = set(tokenize(text))
        return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

    cands = [(h, r, s, e, h.text[s - h.start : e - h.start]) for h, r, s, e in _candidates(hits)]
    overlaps = [overlap(c[4]) for c in cands]
    want = wanted(query.text)
    kind = [want.found(c[4]) if want else 0 for c in cands]
    order = sorted(range(len(cands)), key=lambda i: (cands[i][1] != 0, -overlaps[i], cands[i][1]))
    keep = order[: settings.sentence_candidates]
    # "Inspector Nick Bennison said" answers "Who inspected?" without sharing a word with it;
    # the most precise of such sentences from the best passages are embedded too, unless their
    # report never mentions the council or person asked about.
    share = _name_shares(snap, query, settings)
    typed = [i for i in order[settings.sentence_candidates :] if kind[i] and share(cands[i][0].doc) > 0]
    keep = sorted(keep + sorted(typed, key=lambda i: (-kind[i], cands[i][1]))[:4])
    if not keep:
        return []
    embedder = Embedder.shared(settings)
    vecs = embedder.encode([cands[i][4] for i in keep])
    qvec = embedder.encode_query(query.text)
    if query.context:
        qvec = qvec + 0.2 * embedder.encode_query(query.context)
        qvec = qvec / np.linalg.norm(qvec)
    sims = vecs @ qvec
    scores = np.array([h.score for h in hits], dtype=np.float64)
    spread = float(scores.max() - scores.min()) if len(scores) else 0.0
    standing = (scores - scores.min()) / spread if spread > 1e-9 else np.ones_like(scores)
    out = []
    for i, sim in zip(keep, sims, strict=True):
        hit, r, s, e, text = cands[i]
        base = 0.6 * float(sim) + 0.4 * overlaps[i] - 0.01 * r
        # A sentence from a report that never mentions the council or person asked about
        # neither answers the question nor counts as evidence that it is answered.
        base -= settings.name_weight * (1.0 - share(hit.doc))
        # "The fifth visit" in the sentence or, around it, in its passage: another occasion.
        base -= settings.conflict_weight * max(conflicts(query.text, text), conflicts(query.text, hit.text))
        # Holding the kind of answer asked for is evidence the question is answered here,
        # and a strong reason to choose the sentence; the two are weighted separately
        # because the first feeds the calibrated abstention.
        evidence = base + 0.05 * (kind[i] > 0)
        # The passage's own rank carries what one sentence cannot: the rest of the passage and
        # its neighbours ("the fourth monitoring visit ... took place on October 11 and 12").
        merit = base + settings.sentence_kind_bonus * kind[i]
        score = merit + settings.sentence_passage_weight * standing[r]
        out.append(_Sentence(hit, r, s, e, text, score, evidence, merit))
    return out


def _near_duplicate(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if not ta or not tb:
        return a == b
    return len(ta & tb) / len(ta | tb) >= 0.7


def compose(query: Query, hits: Sequence[Hit], snap: store.Snapshot, settings: Settings) -> Answer:
    """Pick the sentences that answer `query` from `hits` and cite each one, or abstain."""
    scored = sorted(score_sentences(query, hits, snap, settings), key=lambda s: -s.score)
    # The passage's standing orders sentences, but the weaker sentences of a strong passage
    # are kept out by their own merit.
    best = max((s.merit for s in scored), default=0.0)
    conf = confidence(evidence(query, hits, scored, snap, settings), settings)
    if not scored or conf < settings.abstain_below:
        return Answer(query.text, NOT_COVERED, (), tuple(hits), True, conf)
    chosen: list[_Sentence] = []
    for s in scored:
        if s.merit < max(settings.sentence_min_score, best - settings.sentence_margin):
            continue
        if any(_near_duplicate(s.text, c.text) for c in chosen):
            continue
        chosen.append(s)
        if len(chosen) == settings.max_answer_sentences:
            break
    if not chosen:  # evidence enough to answer, but no sentence good enough to quote
        return Answer(query.text, NOT_COVERED, (), tuple(hits), True, conf)
    chosen = _in_reading_order(_with_list_items(chosen, snap))
    citations: list[Citation] = []
    paragraphs: list[str] = []
    current_doc = None
    for n, s in enumerate(chosen, 1):
        h = s.hit
        citations.append(
            Citation(
                n=n,
                doc=h.doc,
                title=h.title,
                date=h.date,
                page=h.page,
                quote=s.text,
                page_label=h.page_label,
                start=s.start,
                end=s.end,
                passage=h.text,
                passage_start=h.start,
            )
        )
        shown = " ".join(s.text.split())
        if h.doc != current_doc:
            paragraphs.append(f"{_source_line(h)}: {shown} [{n}]")
            current_doc = h.doc
        else:
            paragraphs[-1] += f" {shown} [{n}]"
    return Answer(query.text, "\n\n".join(paragraphs), tuple(citations), tuple(hits), False, conf)


def _source_line(h: Hit) -> str:
    """How a source is named in running text: `“Title” (22 October 2024)`."""
    when = f" ({nice_date(h.date)})" if h.date else ""
    return f"In “{h.title.rstrip('.')}”{when}"


def nice_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


_MAX_ITEMS = 8


def _with_list_items(chosen: list[_Sentence], snap: store.Snapshot) -> list[_Sentence]:
    """A chosen sentence that opens a list ("What needs to improve?", "three things stand out
    for me.") brings the list's items with it, each cited; a heading that is a question is
    then left out, as it states nothing."""
    out: list[_Sentence] = []
    taken = {(s.hit.doc, s.hit.page, s.start) for s in chosen}
    for s in chosen:
        items = [i for i in _list_after(s, snap) if (i.hit.doc, i.hit.page, i.start) not in taken]
        taken.update((i.hit.doc, i.hit.page, i.start) for i in items)
        if not (items and s.text.rstrip().endswith("?")):
            out.append(s)
        out.extend(items)
    return out


def _list_after(s: _Sentence, snap: store.Snapshot) -> list[_Sentence]:
    """The items of a list that follows sentence `s` on its page (in its passage and the next):
    bullets, numbered paragraphs or "First, ... Second, ...", with at most two sentences of an
    item's own between them. Fewer than two items is not a list."""
    # Only a lead-in opens a list: a heading or sentence ending in ":" or "?", or a sentence
    # followed by "First, ...". A sentence that merely precedes the next numbered paragraph
    # or bullet does not bring it along.
    opens = s.text.rstrip().endswith((":", "?"))
    passages = [s.hit]
    row = snap.rows.get(s.hit.id)
    nxt = int(snap.after[row]) if row is not None else -1
    if nxt >= 0 and snap.chunks[nxt].page == s.hit.page:
        c = snap.chunks[nxt]
        passages.append(dataclasses.replace(s.hit, text=c.text, start=c.start, end=c.end, id=c.id))
    items: list[_Sentence] = []
    kind, gap = "", 0
    for hit in passages:
        for a, b in sentence_spans(hit.text):
            if hit.start + a <= s.start:
                continue
            item = _ITEM.match(hit.text, a, b)
            # One list is one kind of item: bullets run on, numbered paragraphs and "First, ...
            # Second, ..." may have an item's further sentences between them.
            this = "" if not item else "word" if item.group(0)[0].isalpha() else _item_kind(item.group(0))
            if not items and this and not opens and not re.match(r"first", hit.text[a:b], re.I):
                return []
            if this and (not kind or this == kind):
                kind, gap = this, 0
                marker = _MARKER.match(hit.text, a, b)
                a = marker.end() if marker else a
                items.append(
                    dataclasses.replace(
                        s, hit=hit, start=hit.start + a, end=hit.start + b, text=hit.text[a:b]
                    )
                )
            elif items and kind != "bullet" and not this and gap < 2:
                gap += 1
            else:
                return items if len(items) >= 2 else []
            if len(items) == _MAX_ITEMS:
                return items
    return items if len(items) >= 2 else []


def _item_kind(marker: str) -> str:
    return "number" if any(ch.isdigit() for ch in marker) else "bullet"


def _in_reading_order(chosen: list[_Sentence]) -> list[_Sentence]:
    """Documents oldest first (undated ones after, by relevance); sentences in page order."""
    first_rank: dict[str, int] = {}
    for s in chosen:
        first_rank.setdefault(s.hit.doc, len(first_rank))

    def key(s: _Sentence) -> tuple[int, str, int, str, int, int]:
        d = s.hit.date
        return (0 if d else 1, d or "", first_rank[s.hit.doc], s.hit.doc, s.hit.page or 0, s.start)

    return sorted(chosen, key=key)


def ask(
    question: str,
    history: Sequence[str] | None = None,
    index: str | Path = "index",
    documents: Sequence[str] | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    *,
    k: int | None = None,
    settings: Settings | None = None,
) -> Answer:
    """Answer `question` from the indexed documents, every sentence cited, or abstain."""
    settings = settings or Settings.from_env()
    query = understand(question, history)
    snap = store.cached(Path(index))
    hits = rank(snap, query, k or settings.k, settings, documents, as_iso_date(since), as_iso_date(until))
    return compose(query, hits, snap, settings)


def source_label(doc: str, title: str, date_iso: str | None, page: int | None, label: str = "") -> str:
    """`Title (file.pdf, 22 October 2024, page 3)`: how a source is listed."""
    parts = [doc]
    if date_iso:
        parts.append(nice_date(date_iso))
    if page is not None:
        parts.append(f"page {label or page}")
    return f"{title} ({', '.join(parts)})"


def to_markdown(answer: Answer) -> str:
    """The answer and its numbered sources as Markdown, for copying or download."""
    lines = [f"**Q:** {answer.question}", "", answer.text, ""]
    if answer.abstained:
        lines.append("Closest matches (not an answer):")
        for h in answer.hits:
            excerpt = " ".join(h.text.split())
            excerpt = excerpt if len(excerpt) <= 300 else excerpt[:299] + "…"
            lines.append(f"- {source_label(h.doc, h.title, h.date, h.page, h.page_label)}: “{excerpt}”")
    else:
        lines.append("Sources:")
        for c in answer.citations:
            quote = " ".join(c.quote.split())
            lines.append(f"{c.n}. {source_label(c.doc, c.title, c.date, c.page, c.page_label)}: “{quote}”")
    return "\n".join(lines) + "\n"
