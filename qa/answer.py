"""Composing an extractive answer from retrieved passages: `ask(...) -> Answer`.

The answer is made only of sentences copied from the passages, each followed by a marker [n]
whose `Citation` carries the document, date, page and the exact quote (a substring of the
page text at `start`..`end`). Sentences are chosen by the fitted sentence model and the
answer leads with the best one's report; when the answer model's calibrated probability is
under its threshold (all in qa/model.json, from bench/train.py) the answer declines and the
passages are offered only as closest matches.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from qa import store
from qa.chunking import MARKER, sentence_spans
from qa.config import Settings
from qa.embedding import Embedder
from qa.features import (
    SENTENCE_FEATURES,
    AnswerEvidence,
    answer_kind,
    answer_row,
    keyword_overlap,
    sentence_row,
)
from qa.lexical import tokenize
from qa.model import ScoringModel
from qa.query import QueryPlan, plan
from qa.search import Hit, as_iso_date, load_model, question_vector, rank, reranker
from qa.statements import ITEM_MARKER, statements

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
    probability: float  # the sentence model's: this sentence answers the question
    features: tuple[float, ...] = ()  # SENTENCE_FEATURES


# The items of a list: bullets, numbered paragraphs, "First, ... Second, ...".
_ITEM = re.compile(
    rf"{MARKER}[^\S\n]|"
    r"(?:first|firstly|second|secondly|third|thirdly|fourth|fourthly|fifth|finally|lastly)\b",
    re.I,
)


def _candidates(hits: Sequence[Hit]) -> list[tuple[Hit, int, int, int]]:
    return [
        (hit, r, hit.start + st.start, hit.start + st.end)
        for r, hit in enumerate(hits)
        for st in statements(hit.text, hit.title)
    ]


def sentence_candidates(
    asked: QueryPlan, hits: Sequence[Hit], snap: store.Snapshot, settings: Settings
) -> tuple[list[_Sentence], np.ndarray]:
    """The sentences of the hits worth scoring and their features (SENTENCE_FEATURES rows).

    Only `settings.sentence_candidates` sentences are embedded: those of the best passages
    first, lifted by the question's words or the kind of answer asked for, to keep an answer
    near 100 ms.
    """
    idf = {t: snap.lexical.idf(t) for t in asked.keywords}
    cands = [(h, r, s, e, h.text[s - h.start : e - h.start]) for h, r, s, e in _candidates(hits)]
    if not cands:
        return [], np.zeros((0, len(SENTENCE_FEATURES)))
    promise = [c[1] - 2 * keyword_overlap(asked, c[4], idf) - answer_kind(asked, c[4]) for c in cands]
    keep = sorted(sorted(range(len(cands)), key=lambda i: promise[i])[: settings.sentence_candidates])
    vecs = Embedder.shared(settings).encode_cached([cands[i][4] for i in keep])
    sims = vecs @ question_vector(asked, settings)
    reranks = reranker(settings).score(asked.in_context, [" ".join(cands[i][4].split()) for i in keep])
    rows = [
        sentence_row(
            asked,
            cands[i][4],
            cands[i][0].text,
            snap.facts.get(cands[i][0].doc),
            (float(sim), float(sim - sims.max()), float(rr), cands[i][0].score, cands[i][1] == 0),
            idf,
            (cands[i][0].page, cands[i][2]),
        )
        for i, sim, rr in zip(keep, sims, reranks, strict=True)
    ]
    sentences = [
        _Sentence(cands[i][0], cands[i][1], cands[i][2], cands[i][3], cands[i][4], 0.0, tuple(row))
        for i, row in zip(keep, rows, strict=True)
    ]
    return sentences, np.array(rows, dtype=np.float64).reshape(len(rows), len(SENTENCE_FEATURES))


def score_sentences(
    asked: QueryPlan, hits: Sequence[Hit], snap: store.Snapshot, settings: Settings, scorer: ScoringModel
) -> list[_Sentence]:
    """Sentences of the hits with the sentence model's probability that each answers."""
    sentences, matrix = sentence_candidates(asked, hits, snap, settings)
    probability = scorer.sentence.probability(matrix)
    return [dataclasses.replace(s, probability=float(p)) for s, p in zip(sentences, probability, strict=True)]


def evidence(asked: QueryPlan, scored: Sequence[_Sentence]) -> list[_Sentence]:
    """The scored sentences an answer may quote, best first: a question about a council is
    answered only from reports about or mentioning it."""
    ranked = sorted(scored, key=lambda s: -s.probability)
    if not asked.councils:
        return ranked
    council = SENTENCE_FEATURES.index("council")
    return [s for s in ranked if s.features[council] > 0]


def answer_features(
    asked: QueryPlan, hits: Sequence[Hit], quotable: Sequence[_Sentence], snap: store.Snapshot
) -> list[float]:
    """The question's ANSWER_FEATURES row from its hits and the sentences it may quote."""
    found = AnswerEvidence(
        [(s.probability, list(s.features)) for s in quotable],
        [(h.score, h.dense, h.text, snap.facts.get(h.doc)) for h in hits],
    )
    return answer_row(asked, found, {t: snap.lexical.idf(t) for t in asked.keywords})


def answer_probability(
    asked: QueryPlan,
    hits: Sequence[Hit],
    quotable: Sequence[_Sentence],
    snap: store.Snapshot,
    scorer: ScoringModel,
) -> float:
    """The calibrated probability that the hits answer the question."""
    return float(scorer.answer.probability(np.array([answer_features(asked, hits, quotable, snap)]))[0])


def _near_duplicate(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if not ta or not tb:
        return a == b
    return len(ta & tb) / len(ta | tb) >= 0.7


def decline(asked: QueryPlan, hits: Sequence[Hit], confidence: float, text: str = NOT_COVERED) -> Answer:
    return Answer(asked.question, text, (), tuple(hits), True, confidence)


def compose(
    asked: QueryPlan,
    hits: Sequence[Hit],
    snap: store.Snapshot,
    settings: Settings,
    scorer: ScoringModel | None = None,
) -> Answer:
    """Pick the sentences that answer the question from `hits` and cite each one, or decline."""
    scorer = scorer or load_model(settings)
    if asked.missing:
        names = " or ".join(asked.missing)
        return decline(asked, hits, 0.0, f"No document in the library is about {names}.")
    scored = evidence(asked, score_sentences(asked, hits, snap, settings, scorer))
    conf = answer_probability(asked, hits, scored, snap, scorer)
    if not scored or conf < scorer.abstain_below:
        return decline(asked, hits, conf)
    floor = max(scorer.select_min, scorer.select_ratio * scored[0].probability)
    chosen: list[_Sentence] = []
    for s in scored:
        if s.probability < floor and chosen:
            break
        if any(_near_duplicate(s.text, c.text) for c in chosen):
            continue
        chosen.append(s)
        if len(chosen) == settings.max_answer_sentences:
            break
    chosen = _in_answer_order(_with_list_items(chosen, snap))
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
    return Answer(asked.question, "\n\n".join(paragraphs), tuple(citations), tuple(hits), False, conf)


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
    row = snap.row(s.hit.id)
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
                marker = ITEM_MARKER.match(hit.text, a, b)
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


def _in_answer_order(chosen: list[_Sentence]) -> list[_Sentence]:
    """The document of the best sentence first, then the others by their best sentence;
    within a document, sentences in page order."""
    lead: dict[str, float] = {}
    for s in chosen:
        lead[s.hit.doc] = max(lead.get(s.hit.doc, 0.0), s.probability)

    def key(s: _Sentence) -> tuple[float, str, int, int]:
        return (-lead[s.hit.doc], s.hit.doc, s.hit.page or 0, s.start)

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
    snap = store.cached(Path(index))
    asked = plan(question, history, snap.councils)
    scorer = load_model(settings)
    hits = rank(
        snap,
        asked,
        k or settings.k,
        settings,
        documents,
        as_iso_date(since),
        as_iso_date(until),
        scorer=scorer,
    )
    return compose(asked, hits, snap, settings, scorer)


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
