"""Finding passages for a question: `search(question, ...) -> list[Hit]`.

Hybrid retrieval: cosine similarity from the FAISS index and BM25 from the keyword index,
each rescaled and fused into a candidate pool (with the neighbours of each candidate), filtered
by document and date. The pool's passages are then described by named features
(`qa.features`) and ranked by the fitted passage model (`qa.model`); the best of them are
ranked again from the reranker's reading of their statements (`qa.reranker`); at most a few
per document. A follow-up borrows the previous question (from the `QueryPlan`) as a lighter hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from qa import model, store
from qa.config import Settings
from qa.embedding import Embedder
from qa.errors import QueryError
from qa.features import PASSAGE_FEATURES, RERANK_FEATURES, passage_row, rerank_row
from qa.lexical import tokenize
from qa.model import ScoringModel
from qa.query import QueryPlan, plan
from qa.reranker import WEIGHTS, Reranker
from qa.statements import statements


@dataclass(frozen=True, slots=True)
class Hit:
    doc: str  # path relative to the documents folder
    title: str
    date: str | None
    page: int | None  # 1-based, None for text files
    page_label: str
    text: str
    start: int  # span of `text` in its page's text
    end: int
    score: float  # fused relevance, higher is better (comparable within one search only)
    dense: float  # cosine similarity of passage and question
    lexical: float  # share of the question's keywords found in the passage, IDF-weighted
    id: int


def as_iso_date(value: str | date | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise QueryError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _allowed_rows(
    snap: store.Snapshot,
    documents: Sequence[str] | None,
    since: str | None,
    until: str | None,
) -> np.ndarray | None:
    """A boolean mask over passages, or None when nothing is filtered."""
    if documents is None and since is None and until is None:
        return None
    ok = np.ones(len(snap.doc_names), dtype=bool)
    if documents is not None:
        wanted = set(documents)
        ok &= np.array([d in wanted for d in snap.doc_names], dtype=bool)
    if since or until:
        dates = [snap.manifest.files[d].date if d in snap.manifest.files else None for d in snap.doc_names]
        ok &= np.array(
            [d is not None and (not since or d >= since) and (not until or d <= until) for d in dates],
            dtype=bool,
        )
    mask: np.ndarray = ok[snap.doc_index]
    return mask


def dense_scores(
    snap: store.Snapshot, qvec: np.ndarray, n: int, allowed: np.ndarray | None, settings: Settings
) -> np.ndarray:
    """Cosine similarity for the top `n` passages (others stay at -1). The search index finds
    candidates (an HNSW graph's vectors are quantised, so it is asked for
    `settings.hnsw_rescore` times more); their cosines come from the exact vectors."""
    out = np.full(len(snap.chunks), -1.0, dtype=np.float32)
    if n == 0:
        return out
    selector: Any = None
    keep_alive: Any = None  # FAISS selectors hold raw pointers to these
    if allowed is not None:
        selector = faiss.IDSelectorBatch(snap.ids[allowed])
    elif len(snap.dead):
        keep_alive = faiss.IDSelectorBatch(snap.dead)
        selector = faiss.IDSelectorNot(keep_alive)
    wanted = n
    if snap.manifest.index_type == "hnsw":
        wanted = n * max(1, settings.hnsw_rescore)
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(settings.hnsw_ef_search, wanted))  # type: ignore[attr-defined]
    else:
        params = faiss.SearchParameters(sel=selector) if selector is not None else None  # type: ignore[call-arg]
    _, ids = snap.vectors.search(qvec[None, :].astype(np.float32), wanted, params=params)
    del keep_alive
    rows = snap.rows_of(ids[0][ids[0] >= 0])
    rows = rows[rows >= 0]
    cosines = snap.cosines(rows, qvec)
    best = np.argsort(-cosines, kind="stable")[:n]
    out[rows[best]] = cosines[best]
    return out


def search(
    question: str,
    k: int = 5,
    history: Sequence[str] | None = None,
    index: str | Path = "index",
    documents: Sequence[str] | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    *,
    settings: Settings | None = None,
) -> list[Hit]:
    """The `k` passages that best answer `question`, best first.

    `history` holds the earlier questions of the conversation, oldest first; `documents`
    limits the search to those document paths; `since`/`until` (YYYY-MM-DD, inclusive) to
    documents dated in that range (undated documents are then left out).
    """
    settings = settings or Settings.from_env()
    snap = store.cached(Path(index))
    asked = plan(question, history, snap.councils)
    return rank(snap, asked, k, settings, documents, as_iso_date(since), as_iso_date(until))


def question_vector(asked: QueryPlan, settings: Settings) -> np.ndarray:
    """The question's embedding; a follow-up keeps its own words first and the previous
    question as a lighter hint (`settings.context_weight`)."""
    embedder = Embedder.shared(settings)
    qvec = embedder.encode_query(asked.question)
    if asked.context:
        qvec = qvec + settings.context_weight * embedder.encode_query(asked.context)
        qvec = qvec / np.linalg.norm(qvec)
    return qvec


@dataclass(frozen=True, slots=True)
class Candidates:
    """The passages worth scoring for one question, with their features (PASSAGE_FEATURES)."""

    rows: np.ndarray  # positions in snap.chunks
    features: np.ndarray  # (len(rows), len(PASSAGE_FEATURES))


def candidates(
    snap: store.Snapshot,
    asked: QueryPlan,
    settings: Settings,
    documents: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Candidates:
    """Retrieval: dense and BM25 candidates fused, then the best `settings.rerank_pool` of
    them (and their neighbours) described by their features for the passage model."""
    empty = Candidates(np.zeros(0, dtype=np.int64), np.zeros((0, len(PASSAGE_FEATURES))))
    total = len(snap.chunks)
    if total == 0:
        return empty
    allowed = _allowed_rows(snap, documents, since, until)
    qvec = question_vector(asked, settings)
    lexical = snap.lexical.scores(list(asked.terms))
    if asked.context:
        lexical = lexical + settings.context_weight * snap.lexical.scores(tokenize(asked.context))
    pool = min(total, max(50, settings.rerank_pool))
    dense = dense_scores(snap, qvec, pool, allowed, settings)
    if allowed is not None:
        lexical = np.where(allowed, lexical, 0.0)
    top_lexical = np.argpartition(-lexical, pool - 1)[:pool] if pool < total else np.arange(total)
    found = np.union1d(np.flatnonzero(dense > -1), top_lexical[lexical[top_lexical] > 0])
    if allowed is not None:
        found = found[allowed[found]]
    if len(found) == 0:
        return empty
    # The neighbours of every candidate are scored too: a passage often continues the topic
    # of the one before it ("Second, ...", "Inspector X said:") without repeating its words.
    near = np.concatenate([snap.before[found], snap.after[found]])
    near = near[near >= 0]
    if allowed is not None:
        near = near[allowed[near]]
    found = np.union1d(found, near)
    dense_c = dense[found].copy()
    missing = dense_c <= -1
    if missing.any():  # outside the FAISS pool: computed exactly
        dense_c[missing] = snap.cosines(found[missing], qvec)
    bm25 = _minmax(lexical[found])
    dense_rel = _minmax(dense_c)
    # Raw cosines span a narrow band while BM25 is unbounded: both rescaled before fusing.
    base = settings.dense_weight * dense_rel + (1 - settings.dense_weight) * bm25
    neighbour, document = _context(snap, found, base)
    keep = np.argsort(-base, kind="stable")[: settings.rerank_pool]
    keep = np.sort(keep)
    idf = {t: snap.lexical.idf(t) for t in asked.keywords}
    rows = found[keep]
    features = np.array(
        [
            passage_row(
                asked,
                snap.chunks[int(r)].text,
                snap.facts.get(snap.chunks[int(r)].doc),
                (
                    float(dense_c[n]),
                    float(dense_rel[n]),
                    float(bm25[n]),
                    float(neighbour[n]),
                    float(document[n]),
                ),
                idf,
            )
            for r, n in zip(rows, keep, strict=True)
        ],
        dtype=np.float64,
    ).reshape(len(rows), len(PASSAGE_FEATURES))
    return Candidates(rows, features)


def rank(
    snap: store.Snapshot,
    asked: QueryPlan,
    k: int,
    settings: Settings,
    documents: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    *,
    scorer: ScoringModel | None = None,
) -> list[Hit]:
    """The `k` best passages by the passage model's probability, at most
    `settings.max_per_document` from one document while others remain."""
    if k <= 0:
        return []
    found = candidates(snap, asked, settings, documents, since, until)
    if len(found.rows) == 0:
        return []
    scorer = scorer or load_model(settings)
    probability = second_look(
        snap, asked, found.rows, scorer.passage.probability(found.features), settings, scorer
    )
    order = np.argsort(-probability, kind="stable")
    picked: list[int] = []
    per_doc: dict[str, int] = {}
    for n in order:
        doc = snap.chunks[int(found.rows[n])].doc
        if per_doc.get(doc, 0) >= settings.max_per_document:
            continue
        per_doc[doc] = per_doc.get(doc, 0) + 1
        picked.append(int(n))
        if len(picked) == k:
            break
    if len(picked) < k:  # every document capped: fill from the rest in order
        picked += [int(n) for n in order if int(n) not in picked][: k - len(picked)]
    col = {name: i for i, name in enumerate(PASSAGE_FEATURES)}
    return [
        _hit(
            snap,
            int(found.rows[n]),
            float(probability[n]),
            float(np.clip(found.features[n, col["dense"]], 0.0, 1.0)),
            float(found.features[n, col["overlap"]]),
        )
        for n in picked
    ]


def second_look(
    snap: store.Snapshot,
    asked: QueryPlan,
    rows: np.ndarray,
    probability: np.ndarray,
    settings: Settings,
    scorer: ScoringModel,
) -> np.ndarray:
    """The passage model's best `settings.rerank_passages` passages scored again by the rerank
    model, from the reranker's logits for each of their statements; the others keep their
    order below them."""
    features, top = rerank_features(snap, asked, rows, probability, settings)
    if len(top) == 0:
        return probability
    again = scorer.rerank.probability(features)
    out = probability.copy()
    rest = np.ones(len(rows), dtype=bool)
    rest[top] = False
    if rest.any():
        # Below every passage looked at again, in the passage model's order.
        out[rest] = 0.5 * again.min() * probability[rest] / max(float(probability[top].min()), 1e-12)
    out[top] = again
    return out


def rerank_features(
    snap: store.Snapshot, asked: QueryPlan, rows: np.ndarray, probability: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """RERANK_FEATURES rows for the best `settings.rerank_passages` candidates that hold a
    statement, and their positions in `rows`."""
    order = np.argsort(-probability, kind="stable")[: settings.rerank_passages]
    texts: dict[int, list[str]] = {}
    for n in order:
        chunk = snap.chunks[int(rows[n])]
        found = [" ".join(st.text.split()) for st in statements(chunk.text, snap.title(chunk.doc))]
        if found:
            texts[int(n)] = found
    if not texts:
        return np.zeros((0, len(RERANK_FEATURES))), np.zeros(0, dtype=np.int64)
    flat = [t for ts in texts.values() for t in ts]
    scores = dict(zip(flat, reranker(settings).score(asked.in_context, flat).tolist(), strict=True))
    logits = {n: [scores[t] for t in ts] for n, ts in texts.items()}
    best = max(max(v) for v in logits.values())
    by_doc: dict[str, float] = {}
    for n, v in logits.items():
        doc = snap.chunks[int(rows[n])].doc
        by_doc[doc] = max(by_doc.get(doc, -np.inf), max(v))
    top = np.array(list(logits), dtype=np.int64)
    features = np.array(
        [
            rerank_row(float(probability[n]), logits[n], best, by_doc[snap.chunks[int(rows[n])].doc])
            for n in top
        ],
        dtype=np.float64,
    ).reshape(len(top), len(RERANK_FEATURES))
    return features, top


def reranker(settings: Settings) -> Reranker:
    """The reranker the settings name (the bundled qa/reranker/ unless QA_RERANKER is set)."""
    folder = Path(settings.reranker) if settings.reranker else WEIGHTS
    return Reranker.shared(folder, settings.reranker_runtime, settings.model_cache)


def load_model(settings: Settings) -> ScoringModel:
    """The scoring model the settings name (the bundled one unless QA_SCORER is set)."""
    return model.load(Path(settings.scorer)) if settings.scorer else model.load()


def _context(snap: store.Snapshot, found: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate: how much better its best neighbour scores (0 if not better), and
    its document's best score. `found` is sorted."""

    def of(rows: np.ndarray) -> np.ndarray:
        pos = np.minimum(np.searchsorted(found, rows), len(found) - 1)
        hit = (rows >= 0) & (found[pos] == rows)
        return np.where(hit, base[pos], 0.0)

    neighbour = np.maximum(0.0, np.maximum(of(snap.before[found]), of(snap.after[found])) - base)
    docs = snap.doc_index[found]
    best = np.zeros(len(snap.doc_names), dtype=np.float64)
    np.maximum.at(best, docs, base)
    return neighbour, best[docs]


def _minmax(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        return np.ones_like(values) if hi > 0 else np.zeros_like(values)
    return (values - lo) / (hi - lo)


def _hit(snap: store.Snapshot, row: int, score: float, dense: float, coverage: float) -> Hit:
    c = snap.chunks[row]
    rec = snap.manifest.files.get(c.doc)
    return Hit(
        doc=c.doc,
        title=rec.title if rec else c.doc,
        date=rec.date if rec else None,
        page=c.page,
        page_label=c.label,
        text=c.text,
        start=c.start,
        end=c.end,
        score=score,
        dense=dense,
        lexical=coverage,
        id=c.id,
    )
