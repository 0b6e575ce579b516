"""Finding passages for a question: `search(question, ...) -> list[Hit]`.

Hybrid retrieval: cosine similarity from the FAISS index and BM25 from the keyword index,
each normalised and fused by a weighted sum (weights measured in bench/eval.py), then filtered
by document and date and diversified so one document cannot fill every slot. Follow-up
questions borrow the previous question as context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import faiss
import numpy as np

from qa import store
from qa.answer_types import YEAR, conflicts, wanted
from qa.config import Settings
from qa.embedding import Embedder
from qa.errors import QueryError
from qa.lexical import tokenize, words


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


@dataclass(frozen=True, slots=True)
class Query:
    """A question as searched: its own words plus, for a follow-up, the previous question."""

    text: str
    context: str | None


_FOLLOW_UP = re.compile(
    r"^\s*(and|also|but|what about|how about|what of|same for|and what|and how|then|so)\b", re.I
)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|he|she|his|her)\b", re.I)


def understand(question: str, history: Sequence[str] | None) -> Query:
    """Decide whether `question` leans on the previous one ("and what about caseloads?")."""
    question = clean_question(question)
    previous = [h for h in (history or []) if h and h.strip()]
    if not previous:
        return Query(question, None)
    content = words(question)
    if _FOLLOW_UP.search(question) or len(content) <= 1 or (_PRONOUN.search(question) and len(content) <= 3):
        return Query(question, clean_question(previous[-1]))
    return Query(question, None)


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


def _dense_scores(
    snap: store.Snapshot, qvec: np.ndarray, n: int, allowed: np.ndarray | None, ef_search: int
) -> np.ndarray:
    """Cosine similarity for the top `n` passages (others stay at -1)."""
    out = np.full(len(snap.chunks), -1.0, dtype=np.float32)
    if n == 0:
        return out
    selector = None
    if allowed is not None:
        ids = snap.ids[allowed]
        selector = faiss.IDSelectorBatch(ids)
    if snap.manifest.index_type == "hnsw":
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(ef_search, n))  # type: ignore[attr-defined]
    else:
        params = faiss.SearchParameters(sel=selector) if selector is not None else None  # type: ignore[call-arg]
    scores, ids = snap.vectors.search(qvec[None, :].astype(np.float32), n, params=params)
    for s, i in zip(scores[0], ids[0], strict=True):
        if i >= 0:
            out[snap.rows[int(i)]] = s
    return out


def _keyword_coverage(snap: store.Snapshot, tokens: list[str], rows: np.ndarray) -> np.ndarray:
    """IDF-weighted share of the query's distinct keywords present in each passage of `rows`."""
    distinct = list(dict.fromkeys(tokens))
    if not distinct or len(rows) == 0:
        return np.zeros(len(rows), dtype=np.float32)
    weights = np.array([snap.lexical.idf(t) for t in distinct], dtype=np.float32)
    if weights.sum() <= 0:
        return np.zeros(len(rows), dtype=np.float32)
    present = np.array([[snap.lexical.contains(int(r), t) for t in distinct] for r in rows], dtype=np.float32)
    coverage: np.ndarray = (present @ weights) / weights.sum()
    return coverage


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
    query = understand(question, history)
    snap = store.cached(Path(index))
    return rank(snap, query, k, settings, documents, as_iso_date(since), as_iso_date(until))


def rank(
    snap: store.Snapshot,
    query: Query,
    k: int,
    settings: Settings,
    documents: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[Hit]:
    total = len(snap.chunks)
    if total == 0 or k <= 0:
        return []
    allowed = _allowed_rows(snap, documents, since, until)
    embedder = Embedder.shared(settings)
    qvec = embedder.encode_query(query.text)
    tokens = tokenize(query.text)
    lexical = snap.lexical.scores(tokens)
    if query.context:
        # A follow-up keeps its own words first and the previous question as a lighter hint.
        cvec = embedder.encode_query(query.context)
        qvec = qvec + 0.35 * cvec
        qvec = qvec / np.linalg.norm(qvec)
        lexical = lexical + 0.35 * snap.lexical.scores(tokenize(query.context))
    pool = min(total, max(50, 5 * k))
    dense = _dense_scores(snap, qvec, pool, allowed, settings.hnsw_ef_search)
    if allowed is not None:
        lexical = np.where(allowed, lexical, 0.0)
    top_lexical = np.argpartition(-lexical, pool - 1)[:pool] if pool < total else np.arange(total)
    candidates = np.union1d(np.flatnonzero(dense > -1), top_lexical[lexical[top_lexical] > 0])
    if allowed is not None:
        candidates = candidates[allowed[candidates]]
    if len(candidates) == 0:
        return []
    # The neighbours of every candidate are scored too: a passage often continues the topic
    # of the one before it ("Second, ...", "Inspector X said:") without repeating its words.
    near = np.concatenate([snap.before[candidates], snap.after[candidates]])
    near = near[near >= 0]
    if allowed is not None:
        near = near[allowed[near]]
    candidates = np.union1d(candidates, near)
    dense_c = dense[candidates].copy()
    # Dense scores of passages outside the FAISS pool are computed exactly for fairness.
    missing = dense_c <= -1
    if missing.any():
        vecs = np.stack([snap.vectors.reconstruct(snap.chunks[int(r)].id) for r in candidates[missing]])
        dense_c[missing] = vecs @ qvec
    # Both signals are rescaled to 0..1 over the candidates: raw cosines span a narrow band
    # while BM25 is unbounded, and an unscaled sum lets one of them decide alone.
    base = settings.dense_weight * _minmax(dense_c) + (1 - settings.dense_weight) * _minmax(
        lexical[candidates]
    )
    fused = base + _in_context(snap, candidates, base, settings)
    share = name_share(snap, query)
    if share is not None:
        fused -= settings.name_weight * (1.0 - share[snap.doc_index[candidates]])
    # The nudges read each passage's sentences; only passages they could lift into the results
    # are read (the 3k-th best score less the largest nudge), which keeps a large index fast.
    reach = settings.answer_type_weights[-1] + settings.answer_near_weight + _YEAR_BOOST
    floor = np.partition(fused, -3 * k)[-3 * k] - reach if len(fused) > 3 * k else -np.inf
    reachable = fused >= floor
    fused[reachable] += _boosts(snap, query.text, candidates[reachable], settings)
    dense_c = np.clip(dense_c, 0.0, 1.0)
    order = np.argsort(-fused, kind="stable")
    picked: list[int] = []
    per_doc: dict[str, int] = {}
    for n in order:
        doc = snap.chunks[int(candidates[n])].doc
        if per_doc.get(doc, 0) >= settings.max_per_document:
            continue
        per_doc[doc] = per_doc.get(doc, 0) + 1
        picked.append(int(n))
        if len(picked) == k:
            break
    if len(picked) < k:  # every document capped: fill from the rest in order
        picked += [int(n) for n in order if int(n) not in picked][: k - len(picked)]
    rows = candidates[picked]
    coverage = _keyword_coverage(snap, tokens, rows)
    return [
        _hit(snap, int(r), float(fused[n]), float(dense_c[n]), float(cov))
        for r, n, cov in zip(rows, picked, coverage, strict=True)
    ]


def _in_context(
    snap: store.Snapshot, candidates: np.ndarray, base: np.ndarray, settings: Settings
) -> np.ndarray:
    """What a passage's surroundings add to it (measured in bench/eval.py).

    A passage is lifted part of the way towards a better-scoring neighbour, and every
    passage gains a share of its document's best score, so the passages of the document
    that answers best outrank stray matches elsewhere. `candidates` is sorted."""

    def of(rows: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(candidates, rows)
        pos = np.minimum(pos, len(candidates) - 1)
        found = (rows >= 0) & (candidates[pos] == rows)
        return np.where(found, base[pos], 0.0)

    neighbour = np.maximum(of(snap.before[candidates]), of(snap.after[candidates]))
    lift = settings.neighbour_weight * np.maximum(0.0, neighbour - base)
    docs = snap.doc_index[candidates]
    best = np.zeros(len(snap.doc_names), dtype=np.float64)
    np.maximum.at(best, docs, base)
    out: np.ndarray = (lift + settings.document_weight * best[docs]).astype(np.float32)
    return out


_NOT_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday i "
    # The inspectorate and words of any council's name say nothing about which one is meant.
    "ofsted inspectorate government department education council councils borough county city "
    "metropolitan children services social care".split()
)
# A name most documents mention ("Dudley" in a folder about Dudley) does not tell them apart.
_COMMON_NAME = 0.6


def names(question: str) -> list[str]:
    """Stemmed proper names in a question: capitalised words other than the first, months,
    days and acronyms ("Who inspected Dudley in October?" -> ["dudley"])."""
    found: list[str] = []
    for m in re.finditer(r"[A-Za-z][\w'’-]*", question):
        word = m.group(0)
        if (
            not word[0].isupper()
            or word.isupper()
            or re.sub(r"['’]s$", "", word.lower()) in _NOT_NAMES
            or not question[: m.start()].strip()
            or question[: m.start()].rstrip()[-1] in ".?!"
        ):
            continue
        found += tokenize(word)
    return list(dict.fromkeys(found))


def name_share(snap: store.Snapshot, query: Query) -> np.ndarray | None:
    """For each document, the share of the names in the question (and in the question a
    follow-up leans on) that it mentions; None when the question names nothing that tells
    documents apart (a name no document or most documents mention). A question about Dudley
    is not answered from a report about another council."""
    wanted_names = names(query.text) + (names(query.context) if query.context else [])
    present = []
    for token in dict.fromkeys(wanted_names):
        rows = snap.lexical.rows_with(token)
        docs = np.zeros(len(snap.doc_names), dtype=np.float32)
        docs[snap.doc_index[rows]] = 1.0
        if 0 < docs.mean() <= _COMMON_NAME:
            present.append(docs)
    if not present:
        return None
    share: np.ndarray = np.mean(present, axis=0)
    return share


def _minmax(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        return np.ones_like(values) if hi > 0 else np.zeros_like(values)
    return (values - lo) / (hi - lo)


_YEAR_BOOST = 0.10


def _boosts(snap: store.Snapshot, question: str, candidates: np.ndarray, settings: Settings) -> np.ndarray:
    """Nudges for passages holding what the question asks for (a date for "when", a number
    for "how many", a person for "who"), more for a precise one and more again when it sits in
    a sentence with the question's keywords; for passages of the year the question names; and
    against passages that contradict a year or ordinal the question names."""
    out = np.zeros(len(candidates), dtype=np.float32)
    want = wanted(question)
    years = set(YEAR.findall(question))
    keywords = {t: snap.lexical.idf(t) for t in dict.fromkeys(tokenize(question))}
    levels = (0.0, *settings.answer_type_weights)
    files = snap.manifest.files
    for n, r in enumerate(candidates):
        c = snap.chunks[int(r)]
        if want is not None:
            out[n] += max(
                (
                    levels[level] + settings.answer_near_weight * share
                    for level, share in want.sentences(c.text, keywords)
                ),
                default=0.0,
            )
        d = files[c.doc].date if c.doc in files else None
        if years and ((d and d[:4] in years) or any(y in c.text for y in years)):
            out[n] += _YEAR_BOOST
        out[n] -= settings.conflict_weight * conflicts(question, c.text)
    return out


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
