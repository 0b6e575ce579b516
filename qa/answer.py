"""Composing an extractive answer from retrieved passages: `ask(...) -> Answer`.

The answer is made only of sentences copied from the passages, each followed by a marker [n]
whose `Citation` carries the document, date, page and the exact quote (a substring of the
page text at `start`..`end`). When the best evidence is too weak the answer abstains and the
passages are offered only as closest matches. Thresholds come from bench/calibrate.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from qa import store
from qa.chunking import sentence_spans
from qa.config import Settings
from qa.embedding import Embedder
from qa.lexical import tokenize
from qa.search import Hit, Query, _as_iso, asked_for, rank, understand

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
    quote: str  # verbatim from the page text
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
    score: float


def confidence(hits: Sequence[Hit], best_sentence: float, settings: Settings) -> float:
    """Evidence strength, 0..1: keyword coverage of the best passages and the best sentence's
    score, weighted as calibrated by bench/calibrate.py."""
    if not hits:
        return 0.0
    dense = max(h.dense for h in hits)
    cover = max(h.lexical for h in hits)
    w = settings.confidence_weights
    return w[0] * dense + w[1] * cover + w[2] * best_sentence


def _candidates(hits: Sequence[Hit]) -> list[tuple[Hit, int, int, int]]:
    out = []
    for r, hit in enumerate(hits):
        for a, b in sentence_spans(hit.text):
            if len(hit.text[a:b].split()) >= 4:
                out.append((hit, r, hit.start + a, hit.start + b))
    return out


def score_sentences(
    query: Query, hits: Sequence[Hit], snap: store.Snapshot, settings: Settings
) -> list[_Sentence]:
    """Every sentence of the hits, scored against the question (cosine and rare-word overlap)."""
    cands = _candidates(hits)
    if not cands:
        return []
    embedder = Embedder.shared(settings)
    texts = [h.text[s - h.start : e - h.start] for h, _, s, e in cands]
    vecs = embedder.encode(texts)
    qvec = embedder.encode_query(query.text)
    if query.context:
        qvec = qvec + 0.2 * embedder.encode_query(query.context)
        qvec = qvec / np.linalg.norm(qvec)
    sims = vecs @ qvec
    q_tokens = list(dict.fromkeys(tokenize(query.text)))
    weights = {t: snap.lexical.idf(t) for t in q_tokens}
    total = sum(weights.values())
    wanted = asked_for(query.text)
    out = []
    for (hit, r, s, e), text, sim in zip(cands, texts, sims, strict=True):
        present = set(tokenize(text))
        overlap = sum(w for t, w in weights.items() if t in present) / total if total else 0.0
        score = 0.6 * float(sim) + 0.4 * overlap - 0.01 * r
        if wanted is not None and wanted.search(text):
            score += 0.05
        out.append(_Sentence(hit, r, s, e, " ".join(text.split()), score))
    return out


def _near_duplicate(a: str, b: str) -> bool:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if not ta or not tb:
        return a == b
    return len(ta & tb) / len(ta | tb) >= 0.7


def compose(query: Query, hits: Sequence[Hit], snap: store.Snapshot, settings: Settings) -> Answer:
    """Pick the sentences that answer `query` from `hits` and cite each one, or abstain."""
    scored = sorted(score_sentences(query, hits, snap, settings), key=lambda s: -s.score)
    best = scored[0].score if scored else 0.0
    conf = confidence(hits, best, settings)
    if not scored or conf < settings.abstain_below:
        return Answer(query.text, NOT_COVERED, (), tuple(hits), True, conf)
    chosen: list[_Sentence] = []
    for s in scored:
        if s.score < max(settings.sentence_min_score, best - settings.sentence_margin):
            break
        if any(_near_duplicate(s.text, c.text) for c in chosen):
            continue
        chosen.append(s)
        if len(chosen) == settings.max_answer_sentences:
            break
    chosen = _in_reading_order(chosen)
    citations: list[Citation] = []
    paragraphs: list[str] = []
    current_doc = None
    for n, s in enumerate(chosen, 1):
        h = s.hit
        citations.append(
            Citation(
                n=n, doc=h.doc, title=h.title, date=h.date, page=h.page, quote=s.text,
                page_label=h.page_label, start=s.start, end=s.end, passage=h.text,
                passage_start=h.start,
            )
        )
        if h.doc != current_doc:
            paragraphs.append(f"{_source_line(h)}: {s.text} [{n}]")
            current_doc = h.doc
        else:
            paragraphs[-1] += f" {s.text} [{n}]"
    return Answer(query.text, "\n\n".join(paragraphs), tuple(citations), tuple(hits), False, conf)


def _source_line(h: Hit) -> str:
    when = f", {_nice_date(h.date)}" if h.date else ""
    page = f", page {h.page_label or h.page}" if h.page is not None else ""
    return f"{h.title}{when}{page}"


def _nice_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


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
    hits = rank(snap, query, k or settings.k, settings, documents, _as_iso(since), _as_iso(until))
    return compose(query, hits, snap, settings)


def to_markdown(answer: Answer) -> str:
    """The answer and its numbered sources as Markdown, for copying or download."""
    lines = [f"**Q:** {answer.question}", "", answer.text, ""]
    if answer.abstained:
        lines.append("Closest matches:")
        for h in answer.hits:
            lines.append(f"- {_source_line(h)}: \"{' '.join(h.text.split())[:300]}\"")
    else:
        lines.append("Sources:")
        for c in answer.citations:
            when = f", {_nice_date(c.date)}" if c.date else ""
            page = f", page {c.page_label or c.page}" if c.page is not None else ""
            lines.append(f"{c.n}. {c.title} ({c.doc}{when}{page}): \"{c.quote}\"")
    return "\n".join(lines) + "\n"


