"""What has been said about one theme over the years: `timeline(theme, ...) -> list[TimelineEntry]`.

In: for each document (of one council, when asked), in date order, the statements that speak
to the theme ("supervision", "caseloads", "the front door"), each cited, with whether it calls
something a strength or a weakness where it says so. Candidates are the statements of each
document's passages nearest the theme (dense and BM25); the reranker reads each with the theme
asked as a question; a fitted model (qa/views.json) decides which join the timeline and
reads their polarity. Out: fitting (bench/train_views.py), drawing (`qa.ui_format`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import store
from qa.config import Settings
from qa.councils import council_named
from qa.embedding import Embedder
from qa.judgements import Quote, quote_of
from qa.lexical import tokenize
from qa.search import reranker
from qa.statements import statements
from qa.view_models import TIMELINE_FEATURES, ViewModels, load


@dataclass(frozen=True, slots=True)
class ThemeSentence:
    quote: Quote
    polarity: str  # strength, weakness or neutral (the sentence does not say)
    probability: float


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    doc: str
    title: str
    date: str | None
    kind: str | None
    council: str | None
    sentences: tuple[ThemeSentence, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "doc": self.doc,
            "title": self.title,
            "date": self.date,
            "kind": self.kind,
            "council": self.council,
            "sentences": [
                {
                    "text": s.quote.text,
                    "page": s.quote.page,
                    "polarity": s.polarity,
                    "probability": s.probability,
                }
                for s in self.sentences
            ],
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    quote: Quote
    features: tuple[float, ...]  # TIMELINE_FEATURES


def theme_question(theme: str) -> str:
    """How the reranker is asked about a theme: as a user would ask."""
    return f"what did inspectors say about {theme.strip()}"


def candidates(
    snap: store.Snapshot, theme: str, council: str | None, settings: Settings
) -> Iterator[tuple[str, list[Candidate]]]:
    """(document, its candidate statements with their features), in date order."""
    qvec = Embedder.shared(settings).encode_query(theme_question(theme))
    words = set(tokenize(theme))
    lexical = snap.lexical.scores(tokenize(theme))
    wanted = council_named(council) if council else None
    ask = reranker(settings)
    for doc in sorted(snap.doc_names, key=lambda d: (_date(snap, d) or "", d)):
        facts = snap.facts.get(doc)
        if wanted is not None and (facts is None or facts.council != wanted):
            continue
        rows = snap.rows_of_document(doc)
        dense = snap.cosines(rows, qvec)
        by_dense = rows[np.argsort(-dense)[: settings.timeline_passages]]
        by_words = rows[np.argsort(-lexical[rows])[: settings.timeline_passages]]
        picked = sorted(set(by_dense.tolist()) | {int(r) for r in by_words if lexical[r] > 0})
        cosine = dict(zip(rows.tolist(), dense.tolist(), strict=True))
        title = snap.title(doc)
        found: list[tuple[Quote, float, int, float]] = []  # statement, cosine, passage, its theme words
        for r in picked:
            c = snap.chunks[r]
            in_passage = set(tokenize(c.text))
            passage_share = len(words & in_passage) / len(words) if words else 0.0
            for st in statements(c.text, title):
                found.append((quote_of(c, st.start, st.end, title), cosine[r], r, passage_share))
        if not found:
            continue
        logits = ask.score(theme_question(theme), [" ".join(q.text.split()) for q, _, _, _ in found])
        best = float(logits.max())
        passage_best: dict[int, float] = {}
        for (_, _, r, _), logit in zip(found, logits, strict=True):
            passage_best[r] = max(passage_best.get(r, -np.inf), float(logit))
        out = []
        for (quote, cos, r, passage_share), logit in zip(found, logits, strict=True):
            present = set(tokenize(quote.text))
            share = len(words & present) / len(words) if words else 0.0
            features = (float(logit), share, cos, float(logit) - best, passage_share, passage_best[r])
            out.append(Candidate(quote, features))
        yield doc, out


def timeline(
    theme: str,
    index: str | Path = "index",
    council: str | None = None,
    *,
    settings: Settings | None = None,
    models: ViewModels | None = None,
) -> list[TimelineEntry]:
    """For each document, oldest first, the statements that speak to `theme` (only documents
    about `council` when given); documents with none are left out."""
    settings = settings or Settings.from_env()
    models = models or load()
    snap = store.cached(Path(index))
    entries = []
    for doc, found in candidates(snap, theme, council, settings):
        matrix = np.array([c.features for c in found]).reshape(len(found), len(TIMELINE_FEATURES))
        p = models.timeline.probability(matrix)
        kept = [
            ThemeSentence(c.quote, models.polarity.predict(c.quote.text), round(float(prob), 4))
            for c, prob in zip(found, p, strict=True)
            if prob >= models.timeline_min
        ]
        if not kept:
            continue
        kept.sort(key=lambda s: (s.quote.page or 0, s.quote.start))
        facts = snap.facts.get(doc)
        entries.append(
            TimelineEntry(
                doc,
                snap.title(doc),
                _date(snap, doc),
                facts.kind if facts else None,
                facts.council if facts else None,
                tuple(dict.fromkeys(kept)),
            )
        )
    return entries


def to_markdown(theme: str, entries: list[TimelineEntry]) -> str:
    """The timeline as Markdown, each sentence quoted with its page, for export."""
    lines = [f"# {theme.strip().capitalize()}: what the reports say, oldest first", ""]
    if not entries:
        lines.append("No document in the library speaks to this theme.")
    for e in entries:
        lines += [f"## {e.date or 'Undated'}: {e.title}", "", f"*{e.kind or 'document'}, {e.doc}*", ""]
        for s in e.sentences:
            page = f", page {s.quote.page_label or s.quote.page}" if s.quote.page else ""
            mark = "" if s.polarity == "neutral" else f" ({s.polarity})"
            lines.append(f"- “{' '.join(s.quote.text.split())}”{mark} [{e.doc}{page}]")
        lines.append("")
    return "\n".join(lines)


def _date(snap: store.Snapshot, doc: str) -> str | None:
    rec = snap.manifest.files.get(doc)
    return rec.date if rec else None
