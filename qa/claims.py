"""Does the council's account match the inspectors'? `check_claims(document, ...) -> list[ClaimCheck]`.

In: the statements of a press release, council paper or article that attribute something to
the inspectors ("inspectors praised...", "Ofsted said...", "the letter confirms..."), each
paired with the sentence of the inspectorate's own letter or report in the library (about
the same council) that supports it, or marked "not found in the inspectorate's documents in
this library". A supported claim whose figures the letter does not give is flagged. Pairing
reads candidates with the reranker and a fitted model (qa/views.json). Out: fitting
(bench/train_views.py), drawing (`qa.ui_format`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import store
from qa.chunking import Chunk, sentence_spans
from qa.config import Settings
from qa.councils import find_councils
from qa.embedding import Embedder
from qa.errors import QAError
from qa.facts import ReportFacts
from qa.features import INSPECTORATE_KINDS
from qa.judgements import Quote, quote_of
from qa.lexical import tokenize
from qa.search import reranker
from qa.statements import ITEM_MARKER, statements, trim_quotes
from qa.view_models import CLAIM_FEATURES, ViewModels, load

NOT_FOUND = "not found in the inspectorate's documents in this library"
# Who a claim is attributed to, and how: both must be in the statement ...
_INSPECTORS = re.compile(
    r"\b(inspectors?|ofsted|hmi|(?:the\s+)?watchdog|joint\s+inspection|inspectors['’]|"
    r"(?:the|their|this|today['’]s|latest|a)\s+(?:inspection|inspectorate|(?:monitoring\s+|focused\s+)?visit|letter|"
    r"report)|(?:monitoring|focused)\s+visit|they|we\s+were\s+told)\b",
    re.IGNORECASE,
)
_REPORTING = re.compile(
    r"\b(said|says|say|saying|found|find|finds|praised|praises|praise|noted|notes|highlighted|highlights|reported|"
    r"judged|rated|concluded|described|describes|recognised|recognises|recognise|identified|raised|warned|warns|"
    r"criticised|told|telling|confirm(?:s|ed)?|welcomed|commended|observed|acknowledged|stated|states|"
    r"pointed\s+out|saw|seen|according\s+to|gave|giving|singled\s+out|called|branded|downgraded|upgraded|"
    r"shows?|showed|reflects|wrote|words|is\s+(?:also\s+)?clear|was\s+clear)\b",
    re.IGNORECASE,
)
# ... or it states a grade, which only an inspection gives.
_GRADED = re.compile(
    r"\b(rated|judged|graded)\s+(?:as\s+)?['‘\"“]?(inadequate|good|outstanding|requir\w+\s+improvement)",
    re.IGNORECASE,
)
_MIN_CLAIM_WORDS = 4
# Words that claim more than a finding usually states.
_ABSOLUTE = re.compile(
    r"\b(all|every|everyone|none|never|always|best|first|only|no\s+longer)\b", re.IGNORECASE
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    claim: Quote
    support: Quote | None  # the inspectorate's sentence, or None: not found
    probability: float  # the fitted model's, for the best pairing
    figures_differ: tuple[str, ...] = ()  # the claim's figures the supporting sentence does not give

    @property
    def verdict(self) -> str:
        if self.support is None:
            return NOT_FOUND
        return "supported, but the figures differ" if self.figures_differ else "supported"

    def to_json(self) -> dict[str, object]:
        def quote(q: Quote | None) -> dict[str, object] | None:
            return None if q is None else {"doc": q.doc, "page": q.page, "text": q.text}

        return {
            "claim": quote(self.claim),
            "support": quote(self.support),
            "verdict": self.verdict,
            "probability": self.probability,
            "figures_differ": list(self.figures_differ),
        }


def attributes_to_inspectors(text: str) -> bool:
    """Whether a statement says what the inspectors said or found.

    `attributes_to_inspectors("Inspectors praised the work of personal advisers.")` -> True
    """
    return bool((_INSPECTORS.search(text) and _REPORTING.search(text)) or _GRADED.search(text))


def claims_in(snap: store.Snapshot, doc: str) -> list[Quote]:
    """The statements of `doc` that attribute something to the inspectors, in reading order."""
    title = snap.title(doc)
    out = []
    for c in _chunks_of(snap, doc):
        # Headlines count: "Ofsted praises progress in Croydon" states a claim without a full stop.
        for a, b in sentence_spans(c.text):
            a, b = trim_quotes(c.text, a, b)
            marker = ITEM_MARKER.match(c.text, a, b)
            a = marker.end() if marker else a
            text = c.text[a:b]
            if len(text.split()) >= _MIN_CLAIM_WORDS and attributes_to_inspectors(text):
                out.append(quote_of(c, a, b, title))
    return out


def claim_council(text: str, facts: ReportFacts | None) -> str | None:
    """Whose inspectorate documents a claim is checked against: the council it names (an
    article may speak of a neighbour), else the one its document is about."""
    named = [m.council for m in find_councils(text)]
    return named[0] if named else facts.council if facts else None


def pairing_features(claim: str, sentences: list[str], logits: np.ndarray, cosines: np.ndarray) -> np.ndarray:
    """CLAIM_FEATURES rows for each candidate sentence of one claim."""
    words = set(tokenize(claim))
    numbers = set(_NUMBER.findall(claim))
    absolutes = {w.lower() for w in _ABSOLUTE.findall(claim)}
    best = float(logits.max()) if len(logits) else 0.0
    rows = []
    for text, logit, cosine in zip(sentences, logits, cosines, strict=True):
        present = set(tokenize(text))
        share = len(words & present) / len(words) if words else 0.0
        found = set(_NUMBER.findall(text))
        numbers_share = len(numbers & found) / len(numbers) if numbers else 1.0
        overclaim = float(bool(absolutes - {w.lower() for w in _ABSOLUTE.findall(text)}))
        rows.append((float(logit), share, numbers_share, float(logit) - best, float(cosine), overclaim))
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(CLAIM_FEATURES))


def support_candidates(
    snap: store.Snapshot, claim: Quote, council: str | None, settings: Settings
) -> tuple[list[Quote], np.ndarray]:
    """The inspectorate's statements (about `council`) worth pairing with `claim`, and their
    CLAIM_FEATURES: those of the passages nearest the claim, by dense and BM25 score."""
    docs = [
        d
        for d, f in snap.facts.items()
        if f.kind in INSPECTORATE_KINDS and (council is None or f.council == council) and d != claim.doc
    ]
    if not docs:
        return [], np.zeros((0, len(CLAIM_FEATURES)))
    rows = np.concatenate([snap.rows_of_document(d) for d in sorted(set(docs))])
    qvec = Embedder.shared(settings).encode_query(claim.text)
    dense = snap.cosines(rows, qvec)
    lexical = snap.lexical.scores(tokenize(claim.text))[rows]
    picked = set(rows[np.argsort(-dense)[: settings.claim_passages]].tolist())
    picked |= {int(r) for r in rows[np.argsort(-lexical)[: settings.claim_passages]] if lexical.max() > 0}
    found: list[Quote] = []
    for r in sorted(picked):
        c = snap.chunks[r]
        title = snap.title(c.doc)
        for st in statements(c.text, title):
            found.append(quote_of(c, st.start, st.end, title))
    if not found:
        return [], np.zeros((0, len(CLAIM_FEATURES)))
    texts = [" ".join(q.text.split()) for q in found]
    logits = reranker(settings).score(" ".join(claim.text.split()), texts)
    cosines = Embedder.shared(settings).encode_cached(texts) @ qvec
    return found, pairing_features(claim.text, texts, logits, cosines)


def check_claims(
    document: str,
    index: str | Path = "index",
    *,
    settings: Settings | None = None,
    models: ViewModels | None = None,
) -> list[ClaimCheck]:
    """Each statement of `document` (a file name in the library) that attributes something to
    the inspectors, with the inspectorate's sentence that supports it or NOT_FOUND."""
    settings = settings or Settings.from_env()
    models = models or load()
    snap = store.cached(Path(index))
    if document not in snap.manifest.files:
        raise QAError(f"{document} is not a document in the library")
    facts = snap.facts.get(document)
    out = []
    for claim in claims_in(snap, document):
        found, features = support_candidates(snap, claim, claim_council(claim.text, facts), settings)
        if not found:
            out.append(ClaimCheck(claim, None, 0.0))
            continue
        p = models.claims.probability(features)
        best = int(np.argmax(p))
        if p[best] < models.claims_min:
            out.append(ClaimCheck(claim, None, round(float(p[best]), 4)))
            continue
        support = found[best]
        differ = tuple(sorted(set(_NUMBER.findall(claim.text)) - set(_NUMBER.findall(support.text))))
        out.append(ClaimCheck(claim, support, round(float(p[best]), 4), differ))
    return out


def _chunks_of(snap: store.Snapshot, doc: str) -> list[Chunk]:
    return [snap.chunks[int(r)] for r in snap.rows_of_document(doc)]
