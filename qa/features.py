"""Named features of a passage or a sentence for a question, each a small pure function.

In: what one candidate (a passage or a sentence) shows about a `QueryPlan`: word overlap that
ignores the council's name, whether its report is about the council, kind and year asked,
whether it holds the kind of answer wanted, whether it reads like boilerplate. Each returns a
float, usually in -1..1. Out: the weights, which live in the fitted model (`qa.model`,
fitted by bench/train.py); retrieval scores (dense, BM25, context), which search computes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qa.boilerplate import is_boilerplate
from qa.chunking import sentence_spans
from qa.facts import ReportFacts
from qa.lexical import tokenize
from qa.query import ORDINAL_VISIT, YEAR, QueryPlan, names_kind, ordinal_number

INSPECTORATE_KINDS = frozenset({"full inspection", "monitoring visit", "focused visit", "jtai"})

_REASON = re.compile(
    r"\b(because|due to|as a result|owing to|caused by|led to|leading to|so that|resulted in|"
    r"reason|since|therefore|which meant|meaning that|in order to)\b",
    re.I,
)
# A sentence about what is still to come: "will", "the next visit", "by 2026", "plans to".
_FUTURE = re.compile(
    r"\b(will|shall|next|upcoming|forthcoming|expected to|due to (be|take|return|report|visit)|plans? to|"
    r"planned|planning to|intends? to|(is|are) to be|scheduled|by (the end of )?((19|20)\d\d|spring|summer|"
    r"autumn|winter))\b",
    re.I,
)
_LABEL = re.compile(r"^[A-Z][^:\n]{1,40}:[^\S\n]+\S")


def keyword_overlap(plan: QueryPlan, text: str, idf: Mapping[str, float]) -> float:
    """IDF-weighted share of the question's keywords (council names set aside) in `text`.

    `keyword_overlap(plan("supervision in Rotherham"), "Supervision is regular.", idf) -> 1.0`
    """
    total = sum(idf.get(t, 0.0) for t in plan.keywords)
    if total <= 0:
        return 0.0
    present = set(tokenize(text))
    return sum(idf.get(t, 0.0) for t in plan.keywords if t in present) / total


def best_sentence_overlap(plan: QueryPlan, text: str, idf: Mapping[str, float]) -> float:
    """The keyword overlap of the best sentence of `text`: the question's words together in
    one sentence say more than the same words spread over a passage."""
    return max((keyword_overlap(plan, text[a:b], idf) for a, b in sentence_spans(text)), default=0.0)


def council_match(plan: QueryPlan, facts: ReportFacts | None) -> float:
    """1: the report is about a council asked about; 0.5: it mentions one; -1: neither;
    0: the question names no council."""
    if not plan.councils:
        return 0.0
    if facts is None:
        return -1.0
    if facts.council in plan.councils:
        return 1.0
    if set(plan.councils) & set(facts.councils_mentioned):
        return 0.5
    return -1.0


def kind_match(plan: QueryPlan, facts: ReportFacts | None) -> float:
    """1: the report is of the kind asked ("the monitoring visit"); -1: another kind; 0: none asked."""
    if plan.report_kind is None:
        return 0.0
    return 1.0 if facts is not None and facts.kind == plan.report_kind else -1.0


def inspectorate_match(plan: QueryPlan, facts: ReportFacts | None) -> float:
    """1 when the question asks what inspectors said and the report is the inspectorate's own."""
    if not plan.asks_inspectors:
        return 0.0
    return 1.0 if facts is not None and facts.kind in INSPECTORATE_KINDS else -1.0


def year_match(plan: QueryPlan, facts: ReportFacts | None, text: str) -> float:
    """1: the report was visited or dated in a year asked; 0.5: `text` names that year;
    -1: neither; 0: the question names no year. Years are compared as numbers of dates, so
    "since 2019" in a 2025 report does not count against it for a 2025 question."""
    if not plan.years:
        return 0.0
    dated = {int(d[:4]) for d in _dates(facts)}
    if dated & set(plan.years):
        return 1.0
    if {int(y) for y in YEAR.findall(text)} & set(plan.years):
        return 0.5
    return -1.0


def ordinal_match(plan: QueryPlan, text: str) -> float:
    """1: `text` names the visit asked ("the fourth monitoring visit"); -1: only another
    visit's place in the series; 0: neither, or none asked. "A third of social workers"
    is not a visit."""
    if plan.ordinal is None:
        return 0.0
    named = {m.group(1).lower() for m in ORDINAL_VISIT.finditer(text)}
    if not named:
        return 0.0
    numbers = {ordinal_number(n) for n in named}
    return 1.0 if plan.ordinal in numbers else -1.0


def answer_kind(plan: QueryPlan, text: str) -> float:
    """0..1: whether `text` holds the kind of answer asked for (1 for a precise one: a date with
    its month, a number of the thing counted, a person with the role asked); 0 when the
    question wants no particular kind."""
    return plan.wanted.found(text) / 2 if plan.wanted is not None else 0.0


def answer_near(plan: QueryPlan, text: str, idf: Mapping[str, float]) -> float:
    """0..1: the best sentence of `text` holding the answer wanted, by its level times the
    share of the question's keywords beside it ("rated inadequate ... in April 2016")."""
    if plan.wanted is None:
        return 0.0
    keywords = {t: idf.get(t, 0.0) for t in plan.keywords}
    return max((level / 2 * share for level, share in plan.wanted.sentences(text, keywords)), default=0.0)


def reason(plan: QueryPlan, text: str) -> float:
    """1 when a "why" question meets a sentence that gives a reason ("because", "due to")."""
    return 1.0 if plan.asks_why and _REASON.search(text) else 0.0


def future(plan: QueryPlan, text: str) -> float:
    """For a question about what is to come ("when is the next inspection?"): 1 when `text`
    speaks of the future ("the next visit will take place in May"), -1 when it does not (the
    dates of the last inspection); 0 for other questions."""
    if not plan.asks_future:
        return 0.0
    return 1.0 if _FUTURE.search(text) else -1.0


# How far into a report its opening runs, in characters of a page: a summary is read at the top.
_LEAD_CHARS = 2000


def lead(plan: QueryPlan, page: int | None, start: int) -> float:
    """For a request to summarise ("sum up the 2025 visit"): 1 at the top of a report's first
    page, less further in (1/2 at the top of page 2), since a letter or report opens with its
    headline findings and an article with its gist; 0 for other questions."""
    if not plan.asks_summary:
        return 0.0
    return 1.0 / ((page or 1) + start / _LEAD_CHARS)


def report_found(plan: QueryPlan, passages: Iterable[tuple[str, ReportFacts | None]]) -> float:
    """For a question that names a report by its kind or year ("the 2019 focused visit"): 1
    when a passage found is from or about such a report of the council asked (its facts say so,
    or its text names the kind and the year, as news of the visit does), -1 when none is; 0
    when the question names no kind and no year."""
    if plan.report_kind is None and not plan.years:
        return 0.0
    kind = plan.report_kind
    for text, facts in passages:
        if (
            council_match(plan, facts) >= 0
            and (kind is None or kind_match(plan, facts) > 0 or names_kind(kind, text))
            and (not plan.years or year_match(plan, facts, text) > 0)
        ):
            return 1.0
    return -1.0


def boilerplate(text: str) -> float:
    """0..1: the share of `text`'s sentences that are boilerplate (cover labels, "This letter
    sets out...", publication notes, web banners)."""
    spans = sentence_spans(text) or [(0, len(text))]
    hits = sum(1 for a, b in spans if is_boilerplate(text[a:b]))
    return hits / len(spans)


def unasked_boilerplate(plan: QueryPlan, share: float) -> float:
    """The boilerplate `share` of a text when the question wants no particular kind of answer:
    cover lines, letter formulas and publication notes answer "who led it" or "when was it
    published", not "what did the visit find" or "summarise the letter", however many of its
    words they share."""
    return share if plan.wanted is None else 0.0


def label_line(text: str) -> float:
    """1 for a "Label: value" line ("Lead inspector: Sarah Quinlan")."""
    return 1.0 if _LABEL.match(text.strip()) else 0.0


def length(text: str) -> float:
    """log(1 + words) / 4: short fragments and long run-ons read differently."""
    return math.log1p(len(text.split())) / 4


def coverage(plan: QueryPlan, texts: Iterable[str], idf: Mapping[str, float]) -> float:
    """IDF-weighted share of the question's keywords found anywhere in `texts` (the passages
    found): a question whose rarest words appear in none of them is seldom answered there."""
    return keyword_overlap(plan, " ".join(texts), idf)


def _dates(facts: ReportFacts | None) -> list[str]:
    if facts is None:
        return []
    return [d for d in (facts.published, facts.visit_start, facts.visit_end) if d]


PASSAGE_FEATURES = (
    "dense",  # cosine of question and passage
    "dense_rel",  # the cosine rescaled 0..1 over the candidates
    "bm25",  # BM25, rescaled 0..1 over the candidates
    "overlap",  # keyword_overlap
    "sentence_overlap",  # best_sentence_overlap
    "neighbour",  # how much better the best neighbouring passage scores (0 if none)
    "document",  # the best retrieval score of the passage's document
    "council",
    "kind",
    "inspectorate",
    "year",
    "ordinal",
    "answer_kind",
    "answer_near",
    "reason",
    "boilerplate",
    "unasked_boilerplate",
)

# The second look at the passages the passage model ranks first: the reranker reads each of
# their statements with the question.
RERANK_FEATURES = (
    "passage",  # the passage model's probability
    "rerank",  # the best reranker logit among the passage's statements
    "rerank_2",  # the second best (the best again for a passage of one statement)
    "rerank_gap",  # the best less the best of any passage looked at again
    "document_rerank",  # the best logit of the passage's document among those passages
)

SENTENCE_FEATURES = (
    "dense",  # cosine of question and sentence
    "dense_gap",  # the cosine less the best among the question's candidate sentences
    "rerank",  # the reranker's logit for (question, sentence) (qa.reranker)
    "overlap",
    "passage",  # the passage model's probability for the sentence's passage
    "top_passage",  # 1 for a sentence of the best passage
    "council",
    "kind",
    "inspectorate",
    "year",
    "ordinal",
    "answer_kind",
    "reason",
    "future",
    "lead",
    "boilerplate",
    "unasked_boilerplate",
    "label_line",
    "length",
)

ANSWER_FEATURES = (
    "sentence",  # the best sentence's probability
    "sentence_2",  # the second best's
    "passage",  # the best passage's probability
    "passage_dense",  # the best passage cosine
    "dense",  # the best sentence's cosine
    "overlap",  # the best sentence's keyword overlap
    "rerank",  # the best reranker logit among the candidate sentences
    "council",  # council_match of the best sentence's report
    "unmet",  # 1: the question wants a kind of answer no candidate sentence holds
    "best_rerank",  # the best sentence's own reranker logit
    "year",  # year_match of the best sentence
    "kind",  # kind_match of the best sentence's report
    "answer_kind",  # answer_kind of the best sentence
    "boilerplate",  # boilerplate of the best sentence
    "coverage",  # coverage of the question's keywords by the passages found
    "ordinal_found",  # 1: a passage found names the visit asked by its place in the series
    "future",  # future of the best sentence
    "report_found",  # report_found over the passages found
)


def passage_row(
    plan: QueryPlan,
    text: str,
    facts: ReportFacts | None,
    retrieval: tuple[float, float, float, float, float],
    idf: Mapping[str, float],
) -> list[float]:
    """One passage's features in PASSAGE_FEATURES order; `retrieval` is (dense, dense_rel,
    bm25, neighbour, document) as search computed them."""
    dense, dense_rel, bm25, neighbour, document = retrieval
    formulas = boilerplate(text)
    return [
        dense,
        dense_rel,
        bm25,
        keyword_overlap(plan, text, idf),
        best_sentence_overlap(plan, text, idf),
        neighbour,
        document,
        council_match(plan, facts),
        kind_match(plan, facts),
        inspectorate_match(plan, facts),
        year_match(plan, facts, text),
        ordinal_match(plan, text),
        answer_kind(plan, text),
        answer_near(plan, text, idf),
        reason(plan, text),
        formulas,
        unasked_boilerplate(plan, formulas),
    ]


def rerank_row(probability: float, logits: list[float], best: float, document: float) -> list[float]:
    """One passage's features in RERANK_FEATURES order from its passage-model probability,
    its statements' reranker logits (not empty), the best logit of all passages looked at
    again and the best of its document's."""
    ranked = sorted(logits, reverse=True)
    return [probability, ranked[0], ranked[1] if len(ranked) > 1 else ranked[0], ranked[0] - best, document]


def sentence_row(
    plan: QueryPlan,
    text: str,
    passage: str,
    facts: ReportFacts | None,
    retrieval: tuple[float, float, float, float, bool],
    idf: Mapping[str, float],
    where: tuple[int | None, int] = (None, 0),
) -> list[float]:
    """One sentence's features in SENTENCE_FEATURES order; `retrieval` is (cosine, cosine less
    the best sentence's, reranker logit, its passage's probability, whether that passage
    ranked first); `where` is its page (None for a text file) and its offset in the page."""
    dense, gap, rerank, passage_p, top = retrieval
    formulas = boilerplate(text)
    return [
        dense,
        gap,
        rerank,
        keyword_overlap(plan, text, idf),
        passage_p,
        float(top),
        council_match(plan, facts),
        kind_match(plan, facts),
        inspectorate_match(plan, facts),
        year_match(plan, facts, passage),
        min(ordinal_match(plan, text), ordinal_match(plan, passage)),
        answer_kind(plan, text),
        reason(plan, text),
        future(plan, text),
        lead(plan, *where),
        formulas,
        unasked_boilerplate(plan, formulas),
        label_line(text),
        length(text),
    ]


@dataclass(frozen=True, slots=True)
class AnswerEvidence:
    """What the answer model reads of one question: its scored sentences (probability,
    SENTENCE_FEATURES row) and the passages found (probability, cosine, text, report facts)."""

    sentences: list[tuple[float, list[float]]]
    passages: list[tuple[float, float, str, ReportFacts | None]]


def answer_row(plan: QueryPlan, evidence: AnswerEvidence, idf: Mapping[str, float]) -> list[float]:
    """The question's features in ANSWER_FEATURES order."""
    ranked = sorted(evidence.sentences, key=lambda s: -s[0])
    best = ranked[0] if ranked else (0.0, [0.0] * len(SENTENCE_FEATURES))
    col = {name: n for n, name in enumerate(SENTENCE_FEATURES)}
    unmet = plan.wanted is not None and not any(s[1][col["answer_kind"]] > 0 for s in ranked)
    passages = evidence.passages
    return [
        best[0],
        ranked[1][0] if len(ranked) > 1 else 0.0,
        max((p for p, _, _, _ in passages), default=0.0),
        max((d for _, d, _, _ in passages), default=0.0),
        best[1][col["dense"]],
        best[1][col["overlap"]],
        max((s[1][col["rerank"]] for s in ranked), default=0.0),
        best[1][col["council"]],
        float(unmet),
        best[1][col["rerank"]],
        best[1][col["year"]],
        best[1][col["kind"]],
        best[1][col["answer_kind"]],
        best[1][col["boilerplate"]],
        coverage(plan, (t for _, _, t, _ in passages), idf),
        max((ordinal_match(plan, t) for _, _, t, _ in passages), default=0.0),
        best[1][col["future"]],
        report_found(plan, ((t, f) for _, _, t, f in passages)),
    ]
